/*
 * scn — scenario YAML as a located node tree, with typed accessors whose errors point at the
 * offending text: "scenarios/shop.yaml:12:7: error: components.api.workers: expected a whole
 * number in [1, 100000], got 'four'".
 *
 * Design: libyaml's event API builds a small tree of maps, lists and scalars in one pass; every
 * node keeps its file, 1-based line and column, and its key path ("workload.classes[1].weight"),
 * so a validator anywhere can report a precise error without carrying context around. All memory
 * (nodes, strings, arrays) lives in one arena owned by the scn_doc and is released by
 * scn_doc_free. YAML features a scenario does not need are refused with a clear message rather
 * than half-supported: anchors, aliases, tags, several documents, non-scalar keys. Duplicate keys
 * are errors (libyaml accepts them silently). Scalars stay text; each accessor converts on use,
 * so "5" is an error where a duration is expected, but fine where a count is.
 * --set overrides (scn_doc_set) edit the tree in place before validation, and the nodes they
 * create are located at file "--set", line 1, column of the assignment.
 *
 * Rejected: libyaml's document API (its nodes carry marks but no key path, and it resolves
 * aliases, which we refuse); converting scalars to typed values at load time (YAML 1.1 typing
 * turns "no" into false and "1:30" into 90); one malloc per node (the arena makes error paths
 * and scn_doc_free trivial).
 */
#ifndef ARCHSIM_SCN_H
#define ARCHSIM_SCN_H

#include <stddef.h>
#include <stdint.h>

#include "dist.h"
#include "err.h"
#include "keydist.h"

enum scn_type { SCN_SCALAR, SCN_MAP, SCN_SEQ };

/* One YAML node. Owned by its scn_doc (valid until scn_doc_free); read-only to users. */
struct scn_node {
    enum scn_type type;
    const char *file;        /* the file name (or "--set") */
    int line, col;           /* 1-based position of the value (columns in characters) */
    const char *path;        /* key path, e.g. "components.api.workers", "" for the root */
    const char *value;       /* SCALAR: its text ("" for an empty value); else NULL */
    int quoted;              /* SCALAR: was quoted (or a block scalar) in the YAML */
    size_t n;                /* MAP: number of pairs; SEQ: number of items */
    const char **keys;       /* MAP: keys in file order */
    int *key_line, *key_col; /* MAP: position of each key */
    const char **key_file;   /* MAP: file of each key (differs from file for keys --set added) */
    struct scn_node **items; /* MAP: values (parallel to keys); SEQ: items */
};

/* A loaded scenario document: opaque; owns every node reachable from its root. */
struct scn_doc;

/* Read and parse the YAML file at path. Returns a new doc (free with scn_doc_free), or NULL with
 * err filled (file = path, position where known): unreadable file, "empty scenario file", invalid
 * UTF-8 or control bytes ("not a text file ..."), YAML syntax error (libyaml's problem text at its
 * mark; tabs used for indentation get their own message), a key longer than 1024 characters
 * (libyaml's limit for a key; "<map path>: key 'aaa...' is N characters long ..." at the key),
 * top level not a map, "duplicate key 'x' (first at line L)", anchors/aliases/tags "not
 * supported", several documents. */
struct scn_doc *scn_doc_load(const char *path, struct err *err);

/* Same as scn_doc_load from the len bytes at text (need not be NUL-terminated; not retained after
 * the call). name is used as the file in nodes and errors (e.g. "<built-in>"); scn_doc_dir is
 * then ".". */
struct scn_doc *scn_doc_parse(const char *text, size_t len, const char *name, struct err *err);

/* Free doc and all its nodes. NULL is a no-op. */
void scn_doc_free(struct scn_doc *doc);

/* The top-level map (never NULL for a loaded doc). Owned by doc. */
struct scn_node *scn_doc_root(const struct scn_doc *doc);

/* Directory of the file ("." for memory docs and bare file names): the base for relative paths
 * inside the scenario. Owned by doc. */
const char *scn_doc_dir(const struct scn_doc *doc);

/* Apply an override "path=value" (path as in scn_node.path, e.g. components.api.workers=4 or
 * workload.classes[0].weight=2). value is taken literally as an unquoted scalar. An existing
 * scalar is replaced; if the last key is absent from an existing map it is added (later
 * validation catches misspelt keys). Maps, lists and list entries are never created. Returns 0,
 * or -1 with err at file "--set", line 1, col = 1-based column in assignment: no '=', empty or
 * malformed path, a key longer than 1024 characters, an intermediate key that is absent: a near
 * miss of a key that is there ("<path>: unknown key 'apx' (did you mean 'api'?)"), one followed
 * by an index ("failures[0]: the scenario has no 'failures' list, and --set cannot create one
 * (...)"), else "<path>: unknown key 'autoscale'"; an index past the end
 * ("workload.classes[5]: the list has 2 entries ([0] to [1]); --set cannot add entries"),
 * indexing or keying into the wrong kind of node, replacing a whole map or list. doc is
 * unchanged on error. */
int scn_doc_set(struct scn_doc *doc, const char *assignment, struct err *err);

/* The value of key in map, or NULL when absent or map is NULL or not a MAP. */
struct scn_node *scn_map_get(const struct scn_node *map, const char *key);

/* Check that every key of map is in allowed (NULL-terminated). Returns 0, or -1 with err at the
 * first offending key: "<path>: unknown key 'workrs' (did you mean 'workers'?)". A non-map is
 * reported as by scn_expect. */
int scn_check_keys(const struct scn_node *map, const char *const *allowed, struct err *err);

/* The candidate closest to word (NULL-terminated list): the smallest Damerau–Levenshtein
 * (optimal string alignment) distance, at most 2 and less than word's length, first in list
 * order on ties; failing that, the first candidate that word is a prefix of, or that is a prefix
 * of word (at least 3 characters). NULL when nothing is close. Returns a pointer into
 * candidates. */
const char *scn_suggest(const char *word, const char *const *candidates);

/* Returns 0 if n has the given type, else -1 with err at n: "<path>: expected a map, got a
 * list" (or "a value 'x'"). n == NULL is a bug. */
int scn_expect(const struct scn_node *n, enum scn_type type, struct err *err);

/* Typed conversions of one node. Each returns 0 and sets *out, or returns -1 with err at the node
 * ("<path>: expected ..., got '...'") and leaves *out unchanged. */

/* Any scalar; an empty unquoted value is refused ("expected a string, got nothing"). The string
 * is owned by the doc. */
int scn_as_string(const struct scn_node *n, const char **out, struct err *err);
/* A whole number in [min, max]: "42", "-3", "1e6", "1_000", "1.5e3", read exactly (so "1e18" is
 * 10^18). The message states the range ("expected a whole number in [1, 10^18], got '1.5'"; big
 * powers of ten and two are written 10^k, 2^k), or for a value above max "2e18 is more than the
 * maximum 10^18". */
int scn_as_int(const struct scn_node *n, long long min, long long max, long long *out,
               struct err *err);
/* A finite number in [min, max] (pass -INFINITY/INFINITY for no bound). */
int scn_as_double(const struct scn_node *n, double min, double max, double *out, struct err *err);
/* true/false/yes/no/on/off (any case) → 1/0. */
int scn_as_bool(const struct scn_node *n, int *out, struct err *err);
/* A duration with a unit (units_parse_duration) in ns; "0s" allowed. */
int scn_as_duration(const struct scn_node *n, int64_t *ns, struct err *err);
/* A duration > 0 in ns ("duration must be positive"). */
int scn_as_positive_duration(const struct scn_node *n, int64_t *ns, struct err *err);
/* A rate > 0 per second ("rate must be positive"). */
int scn_as_rate(const struct scn_node *n, double *per_s, struct err *err);
/* A size with a unit in bytes. */
int scn_as_size(const struct scn_node *n, uint64_t *bytes, struct err *err);
/* "10%" or a number in [0, 1]. */
int scn_as_fraction(const struct scn_node *n, double *f, struct err *err);
/* One of values (NULL-terminated); *index is its position. Error: "<path>: unknown value
 * 'roundrobin' (expected one of: a, b, c; did you mean 'round_robin'?)". */
int scn_as_enum(const struct scn_node *n, const char *const *values, int *index, struct err *err);

/* A distribution of times in ns, written as one scalar:
 *   "5ms" (constant) | const(5ms) | exp(1ms) | exponential(mean=1ms) | uniform(1ms, 3ms)
 *   | uniform(min=1ms, max=3ms) | normal(mean=5ms, sd=1ms) | lognormal(mean=5ms, p99=40ms)
 *   | lognormal(mu=1.6, sigma=0.5, unit=ms) (mu, sigma of ln of the value in that unit)
 *   | gamma(k=2, mean=4ms) | erlang(k=3, mean=3ms) (k whole) | pareto(alpha=2.5, min=1ms)
 *   | hyperexp(p=0.9, mean1=1ms, mean2=10ms) (p also as 90%)
 *   | empirical(file=times.csv, column=service_time_ms) (file relative to dir)
 * The functions, their parameters and constructors are distspec.h's table, shared with
 * archtarget. Parameters go by name or, in the order shown, by position. On success *out is
 * filled (the caller frees it with dist_free). Errors at the node: unknown function
 * (did-you-mean), unknown, repeated or missing parameter (named), a bare number where a time is
 * needed ("missing unit"), and the constructor's own complaint prefixed by the path; an error
 * inside an empirical CSV file keeps that file's position. */
int scn_as_dist(const struct scn_node *n, const char *dir, struct dist *out, struct err *err);

/* Key popularity: uniform(n=1000) | zipf(s=1.0, n=1000000) | hotspot(n=1000000, hot=1%,
 * share=90%); n is a whole number >= 1 and may be written 1e6, at most 2^53 for zipf and
 * 2^63 - 1 otherwise ("zipf(): n: 1e18 is more than the maximum 2^53"); hot and share are
 * fractions.
 * Parameters by name or in the order shown. On success fills *out. Errors as scn_as_dist. */
int scn_as_keydist(const struct scn_node *n, struct keydist *out, struct err *err);

/* Optional/required map entries: if key is present, convert its value as the matching scn_as_*
 * does. If absent: required → -1 with "<map path>: missing key 'duration'" at the map's
 * position; otherwise leave *out unchanged and return 0. map must not be NULL; a non-MAP gets
 * scn_expect's error. */
int scn_get_duration(const struct scn_node *map, const char *key, int required, int64_t *ns,
                     struct err *err);
int scn_get_rate(const struct scn_node *map, const char *key, int required, double *per_s,
                 struct err *err);
int scn_get_int(const struct scn_node *map, const char *key, int required, long long min,
                long long max, long long *out, struct err *err);
int scn_get_double(const struct scn_node *map, const char *key, int required, double min,
                   double max, double *out, struct err *err);
int scn_get_string(const struct scn_node *map, const char *key, int required, const char **out,
                   struct err *err);
int scn_get_bool(const struct scn_node *map, const char *key, int required, int *out,
                 struct err *err);
int scn_get_enum(const struct scn_node *map, const char *key, int required,
                 const char *const *values, int *index, struct err *err);
int scn_get_dist(const struct scn_node *map, const char *key, int required, const char *dir,
                 struct dist *out, struct err *err);

#endif
