/* distspec — the table of distribution functions shared by the spec languages; see distspec.h. */
#include "distspec.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "units.h"

static int build_const(struct dist *d, const struct distspec_args *a, struct err *err) {
    return dist_const(d, a->num[0], err);
}

static int build_exp(struct dist *d, const struct distspec_args *a, struct err *err) {
    return dist_exp(d, a->num[0], err);
}

static int build_uniform(struct dist *d, const struct distspec_args *a, struct err *err) {
    return dist_uniform(d, a->num[0], a->num[1], err);
}

static int build_normal(struct dist *d, const struct distspec_args *a, struct err *err) {
    return dist_normal(d, a->num[0], a->num[1], err);
}

/* lognormal(mean, p99) or lognormal(mu, sigma, unit): mu and sigma are those of ln of the value
 * in that unit; ln(x in ns) = ln(x in unit) + ln(ns per unit), so only mu shifts. */
static int build_lognormal(struct dist *d, const struct distspec_args *a, struct err *err) {
    if (a->given & 1u << 2)
        return dist_lognormal_mu_sigma(d, a->num[2] + log(a->num[4]), a->num[3], err);
    return dist_lognormal_mean_p99(d, a->num[0], a->num[1], err);
}

/* gamma(k, mean); erlang is the same with a whole k (checked by the front end's kind). */
static int build_gamma(struct dist *d, const struct distspec_args *a, struct err *err) {
    return dist_gamma(d, a->num[0], a->num[1], err);
}

static int build_pareto(struct dist *d, const struct distspec_args *a, struct err *err) {
    return dist_pareto(d, a->num[0], a->num[1], err);
}

static int build_hyperexp(struct dist *d, const struct distspec_args *a, struct err *err) {
    return dist_hyperexp(d, a->num[0], a->num[1], a->num[2], err);
}

static int build_empirical(struct dist *d, const struct distspec_args *a, struct err *err) {
    return dist_empirical_csv(d, a->text[0], a->text[1], err);
}

#define D DISTSPEC_DURATION
#define N DISTSPEC_NUMBER

/* Names, parameter names and positional orders are those of docs/scenario.md; an alias follows
 * the entry it stands for. */
static const struct distspec_fn table[] = {
    {"const", 0, 1, 0, {"value", NULL}, {D}, build_const},
    {"constant", 1, 1, 0, {"value", NULL}, {D}, build_const},
    {"exp", 0, 1, 0, {"mean", NULL}, {D}, build_exp},
    {"exponential", 1, 1, 0, {"mean", NULL}, {D}, build_exp},
    {"uniform", 0, 2, 0, {"min", "max", NULL}, {D, D}, build_uniform},
    {"normal", 0, 2, 0, {"mean", "sd", NULL}, {D, D}, build_normal},
    {"lognormal",
     0,
     2,
     2,
     {"mean", "p99", "mu", "sigma", "unit", NULL},
     {D, D, N, N, DISTSPEC_UNIT},
     build_lognormal},
    {"gamma", 0, 2, 0, {"k", "mean", NULL}, {N, D}, build_gamma},
    {"erlang", 0, 2, 0, {"k", "mean", NULL}, {DISTSPEC_WHOLE, D}, build_gamma},
    {"pareto", 0, 2, 0, {"alpha", "min", NULL}, {N, D}, build_pareto},
    {"hyperexp", 0, 3, 0, {"p", "mean1", "mean2", NULL}, {DISTSPEC_FRACTION, D, D}, build_hyperexp},
    {"empirical",
     0,
     2,
     0,
     {"file", "column", NULL},
     {DISTSPEC_FILE, DISTSPEC_TEXT},
     build_empirical},
};

#undef D
#undef N

#define NTABLE (sizeof table / sizeof table[0])

_Static_assert(NTABLE <= DISTSPEC_MAX_FNS, "raise DISTSPEC_MAX_FNS");

const struct distspec_fn *distspec_find(const char *name) {
    for (size_t i = 0; i < NTABLE; i++)
        if (strcmp(table[i].name, name) == 0) return &table[i];
    return NULL;
}

size_t distspec_names(const char **names, size_t cap, int with_aliases) {
    size_t n = 0;

    if (cap == 0) return 0;
    for (size_t i = 0; i < NTABLE && n + 1 < cap; i++)
        if (with_aliases || !table[i].alias) names[n++] = table[i].name;
    names[n] = NULL;
    return n;
}

int distspec_nparams(const struct distspec_fn *f) {
    int n = 0;

    while (n < DISTSPEC_MAX_PARAMS && f->params[n])
        n++;
    return n;
}

int distspec_params(const struct distspec_fn *f, unsigned given, int *from, int *to) {
    int np = distspec_nparams(f);
    unsigned first = f->alt ? (1u << f->alt) - 1 : (1u << np) - 1,
             second = ((1u << np) - 1) & ~first;

    if (f->alt && (given & first) && (given & second)) return -1;
    *from = f->alt && (given & second) ? f->alt : 0;
    *to = f->alt && !(given & second) ? f->alt : np;
    return 0;
}

/* "a", "a and b", "a, b and c" for params [from, to) into buf at *off. */
static void join_and(const struct distspec_fn *f, int from, int to, char *buf, size_t n,
                     size_t *off) {
    for (int i = from; i < to && *off < n; i++) {
        const char *sep = i == from ? "" : i + 1 == to ? " and " : ", ";
        int k = snprintf(buf + *off, n - *off, "%s%s", sep, f->params[i]);
        if (k < 0) return;
        *off += (size_t)k < n - *off ? (size_t)k : n - *off - 1;
    }
}

char *distspec_either(const struct distspec_fn *f, char *buf, size_t n) {
    size_t off = 0;
    int k;

    if (n == 0) return buf;
    buf[0] = '\0';
    k = snprintf(buf, n, "give either ");
    off = k > 0 && (size_t)k < n ? (size_t)k : n - 1;
    join_and(f, 0, f->alt, buf, n, &off);
    if (off < n) {
        k = snprintf(buf + off, n - off, ", or ");
        off += k > 0 && (size_t)k < n - off ? (size_t)k : n - off - 1;
    }
    join_and(f, f->alt, distspec_nparams(f), buf, n, &off);
    return buf;
}

int distspec_unit_ns(const char *text, double *ns) {
    char unit[40];
    int64_t v;

    /* "1" + the name must read as one duration: the name alone, no number of its own */
    if (!text[0] || strpbrk(text, "0123456789. \t") || strlen(text) + 2 > sizeof unit) return -1;
    snprintf(unit, sizeof unit, "1%s", text);
    if (units_parse_duration(unit, &v, NULL, 0) < 0) return -1;
    *ns = (double)v;
    return 0;
}
