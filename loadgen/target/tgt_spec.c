/* tgt_spec — archtarget's distribution, path and address syntax; see tgt_spec.h. */
#include "tgt_spec.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scn.h"
#include "units.h"

#define MAX_ARGS 5

enum fn_id {
    FN_CONST,
    FN_EXP,
    FN_UNIFORM,
    FN_NORMAL,
    FN_LOGNORMAL,
    FN_GAMMA,
    FN_ERLANG,
    FN_PARETO,
    FN_HYPEREXP,
    FN_EMPIRICAL
};

/* One distribution function: its name, how many parameters may be given by position, and the
 * parameter names (positional ones first, as in docs/scenario.md). */
struct fn {
    const char *name;
    enum fn_id id;
    int npositional;
    const char *params[MAX_ARGS + 1];
};

static const struct fn fns[] = {
    {"const", FN_CONST, 1, {"value", NULL}},
    {"constant", FN_CONST, 1, {"value", NULL}},
    {"exp", FN_EXP, 1, {"mean", NULL}},
    {"exponential", FN_EXP, 1, {"mean", NULL}},
    {"uniform", FN_UNIFORM, 2, {"min", "max", NULL}},
    {"normal", FN_NORMAL, 2, {"mean", "sd", NULL}},
    {"lognormal", FN_LOGNORMAL, 2, {"mean", "p99", "mu", "sigma", "unit", NULL}},
    {"gamma", FN_GAMMA, 2, {"k", "mean", NULL}},
    {"erlang", FN_ERLANG, 2, {"k", "mean", NULL}},
    {"pareto", FN_PARETO, 2, {"alpha", "min", NULL}},
    {"hyperexp", FN_HYPEREXP, 3, {"p", "mean1", "mean2", NULL}},
    {"empirical", FN_EMPIRICAL, 2, {"file", "column", NULL}},
};

static const char *const fn_names[] = {
    "const", "constant", "exp",    "exponential", "uniform",   "normal", "lognormal",
    "gamma", "erlang",   "pareto", "hyperexp",    "empirical", NULL,
};

#define NFNS (sizeof fns / sizeof fns[0])

/* Bound arguments of one call: v[i] is the text of params[i] or NULL. */
struct args {
    const struct fn *fn;
    char *v[MAX_ARGS];
    char buf[512]; /* the argument text, split in place */
};

static char *trim(char *s) {
    char *e;

    while (isspace((unsigned char)*s))
        s++;
    e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

static int param_index(const struct fn *f, const char *name) {
    int i;

    for (i = 0; f->params[i]; i++)
        if (strcmp(f->params[i], name) == 0) return i;
    return -1;
}

/* Split a->buf at commas and bind each item by position or name. */
static int bind_args(struct args *a, struct err *err) {
    const struct fn *f = a->fn;
    char *item = a->buf, *next;
    int pos = 0, named = 0;

    if (*trim(a->buf) == '\0') return 0;
    for (; item; item = next) {
        char *eq, *val;
        int i;

        next = strchr(item, ',');
        if (next) *next++ = '\0';
        item = trim(item);
        eq = strchr(item, '=');
        if (!eq) {
            if (named)
                return err_set(err, NULL, 0, 0, "%s: positional parameter '%s' after named ones",
                               f->name, item);
            if (pos >= f->npositional)
                return err_set(err, NULL, 0, 0, "%s: too many parameters (at most %d by position)",
                               f->name, f->npositional);
            if (!*item) return err_set(err, NULL, 0, 0, "%s: empty parameter", f->name);
            a->v[pos++] = item;
            continue;
        }
        *eq = '\0';
        val = trim(eq + 1);
        item = trim(item);
        named = 1;
        i = param_index(f, item);
        if (i < 0) {
            const char *hint = scn_suggest(item, f->params);
            if (hint)
                return err_set(err, NULL, 0, 0, "%s: unknown parameter '%s' (did you mean '%s'?)",
                               f->name, item, hint);
            return err_set(err, NULL, 0, 0, "%s: unknown parameter '%s'", f->name, item);
        }
        if (a->v[i])
            return err_set(err, NULL, 0, 0, "%s: parameter '%s' given twice", f->name, item);
        if (!*val) return err_set(err, NULL, 0, 0, "%s: %s: empty value", f->name, item);
        a->v[i] = val;
    }
    return 0;
}

static int need(const struct args *a, int i, struct err *err) {
    if (a->v[i]) return 0;
    return err_set(err, NULL, 0, 0, "%s: missing parameter '%s'", a->fn->name, a->fn->params[i]);
}

/* Parameter i as a duration in ns (as a double, the unit dist uses). */
static int arg_duration(const struct args *a, int i, double *out, struct err *err) {
    char why[128];
    int64_t ns;

    if (need(a, i, err) < 0) return -1;
    if (units_parse_duration(a->v[i], &ns, why, sizeof why) < 0)
        return err_set(err, NULL, 0, 0, "%s: %s: %s, got '%s'", a->fn->name, a->fn->params[i], why,
                       a->v[i]);
    *out = (double)ns;
    return 0;
}

/* Parameter i as a plain finite number. */
static int arg_number(const struct args *a, int i, double *out, struct err *err) {
    char *end;
    double x;

    if (need(a, i, err) < 0) return -1;
    errno = 0;
    x = strtod(a->v[i], &end);
    if (end == a->v[i] || *end || errno == ERANGE || !isfinite(x))
        return err_set(err, NULL, 0, 0, "%s: %s: expected a number, got '%s'", a->fn->name,
                       a->fn->params[i], a->v[i]);
    *out = x;
    return 0;
}

static int arg_fraction(const struct args *a, int i, double *out, struct err *err) {
    char why[128];

    if (need(a, i, err) < 0) return -1;
    if (units_parse_fraction(a->v[i], out, why, sizeof why) < 0)
        return err_set(err, NULL, 0, 0, "%s: %s: %s, got '%s'", a->fn->name, a->fn->params[i], why,
                       a->v[i]);
    return 0;
}

/* The constructor's complaint; it names the distribution already ("exponential: mean must be
 * > 0"); a CSV problem keeps its position in the file. */
static int ctor_err(const struct err *e, struct err *err) {
    if (e->file[0] && e->line > 0)
        return err_set(err, NULL, 0, 0, "%s:%d:%d: %s", e->file, e->line, e->col, e->msg);
    if (e->file[0]) return err_set(err, NULL, 0, 0, "%s: %s", e->file, e->msg);
    return err_set(err, NULL, 0, 0, "%s", e->msg);
}

static int build_lognormal(const struct args *a, struct dist *d, struct err *err) {
    double mean, p99, mu, sigma;
    struct err e;

    err_clear(&e);
    if (a->v[2] || a->v[3] || a->v[4]) {
        char unit[64];
        int64_t ns;

        if (a->v[0] || a->v[1])
            return err_set(err, NULL, 0, 0,
                           "lognormal: give either mean and p99, or mu, sigma and unit");
        if (need(a, 4, err) < 0 || arg_number(a, 2, &mu, err) < 0 ||
            arg_number(a, 3, &sigma, err) < 0)
            return -1;
        /* ln(x in ns) = ln(x in unit) + ln(ns per unit): only mu shifts */
        snprintf(unit, sizeof unit, "1%s", a->v[4]);
        if (strpbrk(a->v[4], "0123456789. \t") || units_parse_duration(unit, &ns, NULL, 0) < 0)
            return err_set(err, NULL, 0, 0,
                           "lognormal: unit: unknown unit '%s' (use ns, us, ms, s, m or h)",
                           a->v[4]);
        if (dist_lognormal_mu_sigma(d, mu + log((double)ns), sigma, &e) < 0)
            return ctor_err(&e, err);
        return 0;
    }
    if (arg_duration(a, 0, &mean, err) < 0 || arg_duration(a, 1, &p99, err) < 0) return -1;
    if (dist_lognormal_mean_p99(d, mean, p99, &e) < 0) return ctor_err(&e, err);
    return 0;
}

static int build(const struct args *a, struct dist *d, struct err *err) {
    double x, y, z;
    struct err e;
    int rc = 0;

    err_clear(&e);
    switch (a->fn->id) {
        case FN_CONST:
            if (arg_duration(a, 0, &x, err) < 0) return -1;
            rc = dist_const(d, x, &e);
            break;
        case FN_EXP:
            if (arg_duration(a, 0, &x, err) < 0) return -1;
            rc = dist_exp(d, x, &e);
            break;
        case FN_UNIFORM:
            if (arg_duration(a, 0, &x, err) < 0 || arg_duration(a, 1, &y, err) < 0) return -1;
            rc = dist_uniform(d, x, y, &e);
            break;
        case FN_NORMAL:
            if (arg_duration(a, 0, &x, err) < 0 || arg_duration(a, 1, &y, err) < 0) return -1;
            rc = dist_normal(d, x, y, &e);
            break;
        case FN_LOGNORMAL:
            return build_lognormal(a, d, err);
        case FN_GAMMA:
            if (arg_number(a, 0, &x, err) < 0 || arg_duration(a, 1, &y, err) < 0) return -1;
            rc = dist_gamma(d, x, y, &e);
            break;
        case FN_ERLANG:
            if (arg_number(a, 0, &x, err) < 0) return -1;
            if (x < 1 || x != floor(x) || x > 1e6)
                return err_set(err, NULL, 0, 0, "erlang: k: expected a whole number >= 1, got '%s'",
                               a->v[0]);
            if (arg_duration(a, 1, &y, err) < 0) return -1;
            rc = dist_gamma(d, x, y, &e);
            break;
        case FN_PARETO:
            if (arg_number(a, 0, &x, err) < 0 || arg_duration(a, 1, &y, err) < 0) return -1;
            rc = dist_pareto(d, x, y, &e);
            break;
        case FN_HYPEREXP:
            if (arg_fraction(a, 0, &z, err) < 0 || arg_duration(a, 1, &x, err) < 0 ||
                arg_duration(a, 2, &y, err) < 0)
                return -1;
            rc = dist_hyperexp(d, z, x, y, &e);
            break;
        case FN_EMPIRICAL:
            if (need(a, 0, err) < 0 || need(a, 1, err) < 0) return -1;
            rc = dist_empirical_csv(d, a->v[0], a->v[1], &e);
            break;
    }
    return rc < 0 ? ctor_err(&e, err) : 0;
}

int tgt_spec_dist(const char *text, struct dist *out, struct err *err) {
    struct args a;
    char name[32], why[128];
    const char *p = text, *rest;
    size_t n = 0, i, restlen;
    struct dist d;
    int64_t ns;

    while (isspace((unsigned char)*p))
        p++;
    while (isalpha((unsigned char)p[n]) && n + 1 < sizeof name)
        n++;
    if (n == 0 || (p[n] != ':' && p[n] != '(')) {
        /* no function: a constant duration */
        if (units_parse_duration(text, &ns, why, sizeof why) < 0) {
            if (n > 0 && !isalnum((unsigned char)p[n]))
                return err_set(err, NULL, 0, 0,
                               "expected NAME:PARAMS (e.g. exp:2ms) or a duration, got '%s'", text);
            if (n > 0)
                return err_set(err, NULL, 0, 0,
                               "expected a distribution such as exp:2ms or a duration such as "
                               "5ms, got '%s'",
                               text);
            return err_set(err, NULL, 0, 0, "invalid duration '%s': %s", text, why);
        }
        if (dist_const(&d, (double)ns, err) < 0) return -1;
        *out = d;
        return 0;
    }
    memcpy(name, p, n);
    name[n] = '\0';
    memset(&a, 0, sizeof a);
    for (i = 0; i < NFNS; i++)
        if (strcmp(fns[i].name, name) == 0) a.fn = &fns[i];
    if (!a.fn) {
        const char *hint = scn_suggest(name, fn_names);
        if (hint)
            return err_set(err, NULL, 0, 0, "unknown distribution '%s' (did you mean '%s'?)", name,
                           hint);
        return err_set(err, NULL, 0, 0,
                       "unknown distribution '%s' (expected one of: const, exp, uniform, normal, "
                       "lognormal, gamma, erlang, pareto, hyperexp, empirical)",
                       name);
    }
    rest = p + n + 1;
    restlen = strlen(rest);
    if (p[n] == '(') {
        while (restlen > 0 && isspace((unsigned char)rest[restlen - 1]))
            restlen--;
        if (restlen == 0 || rest[restlen - 1] != ')')
            return err_set(err, NULL, 0, 0, "%s: missing ')'", name);
        restlen--;
    }
    if (restlen >= sizeof a.buf) return err_set(err, NULL, 0, 0, "%s: parameters too long", name);
    memcpy(a.buf, rest, restlen);
    a.buf[restlen] = '\0';
    if (bind_args(&a, err) < 0 || build(&a, &d, err) < 0) return -1;
    *out = d;
    return 0;
}

int tgt_spec_path(const char *text, char *path, size_t pathlen, struct dist *out, struct err *err) {
    const char *eq = strchr(text, '=');
    size_t n, i;
    struct dist d;

    if (!eq)
        return err_set(err, NULL, 0, 0, "expected PATH=DIST (e.g. /slow=exp:20ms), got '%s'", text);
    n = (size_t)(eq - text);
    if (n == 0 || text[0] != '/')
        return err_set(err, NULL, 0, 0, "the path must start with '/', got '%.*s'", (int)n, text);
    if (n >= pathlen)
        return err_set(err, NULL, 0, 0, "path too long (at most %zu bytes)", pathlen - 1);
    for (i = 0; i < n; i++)
        if (text[i] == '?' || text[i] == '#' || isspace((unsigned char)text[i]) ||
            iscntrl((unsigned char)text[i]))
            return err_set(err, NULL, 0, 0,
                           "the path must not contain '%c' (query strings are "
                           "ignored when matching)",
                           text[i] == '?' || text[i] == '#' ? text[i] : ' ');
    if (tgt_spec_dist(eq + 1, &d, err) < 0) return -1;
    memcpy(path, text, n);
    path[n] = '\0';
    *out = d;
    return 0;
}

int tgt_spec_listen(const char *text, char *host, size_t hostlen, unsigned *port, struct err *err) {
    const char *colon, *h = text, *pp;
    size_t hl;
    unsigned long v;
    char *end;

    if (text[0] == '[') {
        const char *close = strchr(text, ']');
        if (!close || close[1] != ':')
            return err_set(err, NULL, 0, 0, "expected [ADDR]:PORT, got '%s'", text);
        h = text + 1;
        hl = (size_t)(close - h);
        pp = close + 2;
    } else {
        colon = strrchr(text, ':');
        if (!colon)
            return err_set(err, NULL, 0, 0, "expected HOST:PORT (e.g. 127.0.0.1:0), got '%s'",
                           text);
        if (memchr(text, ':', (size_t)(colon - text)))
            return err_set(err, NULL, 0, 0,
                           "write an IPv6 address in brackets ([::1]:PORT), got '%s'", text);
        hl = (size_t)(colon - text);
        pp = colon + 1;
    }
    if (hl == 0) return err_set(err, NULL, 0, 0, "missing host in '%s'", text);
    if (hl >= hostlen) return err_set(err, NULL, 0, 0, "host too long in '%s'", text);
    if (!isdigit((unsigned char)*pp))
        return err_set(err, NULL, 0, 0, "expected a port number 0-65535 after ':', got '%s'", pp);
    errno = 0;
    v = strtoul(pp, &end, 10);
    if (*end || errno || v > 65535)
        return err_set(err, NULL, 0, 0, "expected a port number 0-65535 after ':', got '%s'", pp);
    memcpy(host, h, hl);
    host[hl] = '\0';
    *port = (unsigned)v;
    return 0;
}
