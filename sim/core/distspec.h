/*
 * distspec — the one table of distribution functions that both spec languages share: the
 * scenario's "exp(5ms)" (scn.h, scn_as_dist) and archtarget's command line "exp:5ms"
 * (tgt_spec.h). For each function: its name, its parameter names and kinds, how many may be
 * given by position, and the build function that calls the dist.h constructor. Adding a
 * distribution is one entry here (and its build function); both tools then accept it, with the
 * same names, parameters and meaning.
 *
 * Design: the table stops at the parameter level. Each front end keeps its own surface syntax
 * and its own error wording (a scenario error carries a file position and a key path and reads
 * "exp(): mean: ..."; a command-line error reads "exp: mean: ..."), so each one binds the
 * arguments, checks and converts them by kind (distspec_kind) with its own messages, and then
 * calls the entry's build function with the converted values. Shared helpers cover what must
 * not differ: the parameter set in use (lognormal takes mean and p99, or mu, sigma and unit),
 * the unit names, the list of names for suggestions.
 *
 * Rejected: one shared parser of the text (the two syntaxes differ, and so do their messages,
 * which users and tests rely on); function pointers per parameter kind inside the table (the
 * conversions are where the wording differs, so they belong to the front ends).
 */
#ifndef ARCHSIM_DISTSPEC_H
#define ARCHSIM_DISTSPEC_H

#include <stddef.h>

#include "dist.h"
#include "err.h"

#define DISTSPEC_MAX_PARAMS 6  /* parameters of one function */
#define DISTSPEC_MAX_FNS    32 /* entries in the table, aliases included */

/* What a parameter's text must be, and what the front end passes to build for it. */
enum distspec_kind {
    DISTSPEC_DURATION, /* a duration with a unit ("5ms"): num = ns */
    DISTSPEC_NUMBER,   /* a finite number: num */
    DISTSPEC_WHOLE,    /* a whole number >= 1: num (front ends set their own maximum) */
    DISTSPEC_FRACTION, /* "90%" or a number in [0, 1]: num */
    DISTSPEC_UNIT,     /* a time unit name, as distspec_unit_ns reads it: num = ns per unit */
    DISTSPEC_FILE,     /* a file path: text (the front end resolves a relative one) */
    DISTSPEC_TEXT      /* any text (a CSV column name): text */
};

/* The converted parameters of one call, indexed like distspec_fn.params. Value struct. */
struct distspec_args {
    unsigned given;                        /* bit i: params[i] was given */
    double num[DISTSPEC_MAX_PARAMS];       /* DURATION, NUMBER, WHOLE, FRACTION, UNIT */
    const char *text[DISTSPEC_MAX_PARAMS]; /* FILE, TEXT (borrowed from the caller) */
};

/* Build *d from the parameters of the set in use (distspec_params), all given and converted.
 * Returns 0, or -1 with err filled by the dist.h constructor (no position, except inside an
 * empirical CSV file). */
typedef int distspec_build_fn(struct dist *d, const struct distspec_args *a, struct err *err);

/* One function of the spec languages. Read-only, owned by the table. */
struct distspec_fn {
    const char *name;
    int alias; /* 1: another name for the entry before it ("constant" for "const") */
    int npos;  /* the first npos parameters may be given by position */
    int alt;   /* 0, or the index of the first parameter of a second, alternative set: the
                * parameters [0, alt) or [alt, end) are used, never some of both */
    const char *const params[DISTSPEC_MAX_PARAMS + 1]; /* names, NULL-terminated */
    enum distspec_kind kinds[DISTSPEC_MAX_PARAMS];
    distspec_build_fn *build;
};

/* The entry named name (exact match, aliases included), or NULL. */
const struct distspec_fn *distspec_find(const char *name);

/* Put the table's names into names (room for cap pointers), in table order, then a NULL, for
 * scn_suggest and "expected one of" lists; aliases only when with_aliases. Returns the number
 * of names written (without the NULL); the list is cut to cap - 1 names. */
size_t distspec_names(const char **names, size_t cap, int with_aliases);

/* Number of parameters of f. */
int distspec_nparams(const struct distspec_fn *f);

/* The parameter set a call uses, given the mask of parameters it gave (bit i: params[i]):
 * indexes [*from, *to). Returns 0, or -1 when it mixes the two sets of f (then the front end
 * says "give either ..." with distspec_either). Missing parameters are the front end's check. */
int distspec_params(const struct distspec_fn *f, unsigned given, int *from, int *to);

/* "give either mean and p99, or mu, sigma and unit" for f (which has alt > 0) into buf (size n).
 * Returns buf. */
char *distspec_either(const struct distspec_fn *f, char *buf, size_t n);

/* A time unit name (ns, us, µs, ms, s, m, min, h, as units.h reads durations) as ns per unit.
 * Returns 0, or -1 when text is not a unit name alone (no digits, dots or spaces). */
int distspec_unit_ns(const char *text, double *ns);

#endif
