/* tgt_spec — archtarget's distribution, path and address syntax; see tgt_spec.h. */
#include "tgt_spec.h"

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "distspec.h"
#include "scn.h"
#include "units.h"

/* Bound arguments of one call: v[i] is the text of params[i] or NULL. */
struct args {
    const struct distspec_fn *fn;
    char *v[DISTSPEC_MAX_PARAMS];
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

static int param_index(const struct distspec_fn *f, const char *name) {
    int i;

    for (i = 0; f->params[i]; i++)
        if (strcmp(f->params[i], name) == 0) return i;
    return -1;
}

/* Split a->buf at commas and bind each item by position or name. */
static int bind_args(struct args *a, struct err *err) {
    const struct distspec_fn *f = a->fn;
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
            if (pos >= f->npos)
                return err_set(err, NULL, 0, 0, "%s: too many parameters (at most %d by position)",
                               f->name, f->npos);
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

/* Parameter i as a whole number in [1, 10^6]. */
static int arg_whole(const struct args *a, int i, double *out, struct err *err) {
    if (arg_number(a, i, out, err) < 0) return -1;
    if (*out < 1 || *out != floor(*out) || *out > 1e6)
        return err_set(err, NULL, 0, 0, "%s: %s: expected a whole number >= 1, got '%s'",
                       a->fn->name, a->fn->params[i], a->v[i]);
    return 0;
}

/* Parameter i by its kind (distspec.h) into out. */
static int convert(const struct args *a, int i, struct distspec_args *out, struct err *err) {
    const struct distspec_fn *f = a->fn;

    switch (f->kinds[i]) {
        case DISTSPEC_DURATION:
            return arg_duration(a, i, &out->num[i], err);
        case DISTSPEC_NUMBER:
            return arg_number(a, i, &out->num[i], err);
        case DISTSPEC_WHOLE:
            return arg_whole(a, i, &out->num[i], err);
        case DISTSPEC_FRACTION:
            return arg_fraction(a, i, &out->num[i], err);
        case DISTSPEC_UNIT:
            if (need(a, i, err) < 0) return -1;
            if (distspec_unit_ns(a->v[i], &out->num[i]) == 0) return 0;
            return err_set(err, NULL, 0, 0, "%s: %s: unknown unit '%s' (use ns, us, ms, s, m or h)",
                           f->name, f->params[i], a->v[i]);
        case DISTSPEC_FILE: /* relative to the current directory */
        case DISTSPEC_TEXT:
            if (need(a, i, err) < 0) return -1;
            out->text[i] = a->v[i];
            return 0;
    }
    assert(!"distspec kind without a conversion");
    return -1;
}

/* Check and convert the parameters of the set in use, in order, then build. */
static int build(const struct args *a, struct dist *d, struct err *err) {
    struct distspec_args v;
    struct err e;
    int from, to, i;

    memset(&v, 0, sizeof v);
    for (i = 0; i < DISTSPEC_MAX_PARAMS; i++)
        if (a->v[i]) v.given |= 1u << i;
    if (distspec_params(a->fn, v.given, &from, &to) < 0) {
        char either[160];
        return err_set(err, NULL, 0, 0, "%s: %s", a->fn->name,
                       distspec_either(a->fn, either, sizeof either));
    }
    for (i = from; i < to; i++)
        if (convert(a, i, &v, err) < 0) return -1;
    err_clear(&e);
    return a->fn->build(d, &v, &e) < 0 ? ctor_err(&e, err) : 0;
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
    a.fn = distspec_find(name);
    if (!a.fn) {
        const char *names[DISTSPEC_MAX_FNS + 1], *hint;
        char list[256];
        size_t off = 0;

        distspec_names(names, sizeof names / sizeof names[0], 1);
        hint = scn_suggest(name, names);
        if (hint)
            return err_set(err, NULL, 0, 0, "unknown distribution '%s' (did you mean '%s'?)", name,
                           hint);
        /* the list leaves out aliases ("constant" for "const") */
        distspec_names(names, sizeof names / sizeof names[0], 0);
        list[0] = '\0';
        for (i = 0; names[i] && off < sizeof list; i++) {
            int k = snprintf(list + off, sizeof list - off, "%s%s", i ? ", " : "", names[i]);
            if (k < 0) break;
            off += (size_t)k;
        }
        return err_set(err, NULL, 0, 0, "unknown distribution '%s' (expected one of: %s)", name,
                       list);
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
