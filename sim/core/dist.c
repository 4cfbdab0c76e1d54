/* dist — random variates; see dist.h for the design and each contract. */
#include "dist.h"

#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "csv_in.h"
#include "units.h"
#include "xmalloc.h"

/* Phi^-1(0.99), the standard normal 99th percentile, to double precision (Abramowitz & Stegun
 * 26.2.23 tables; equals GSL's gsl_cdf_ugaussian_Pinv(0.99), checked in the tests). */
#define Z99 2.3263478740408408

/* Integer gamma shapes up to this many are drawn as a product of uniforms (one log per draw,
 * k uniforms), cheaper than Marsaglia–Tsang's normal + uniform + rejection for small k. */
#define ERLANG_PRODUCT_MAX 8

/* sqrt(2 pi), for the normal density (M_PI is not in strict C11). */
#define SQRT_2PI 2.5066282746310002

static int bad(struct err *err, const char *what, double v) {
    return err_set(err, NULL, 0, 0, "%s (got %g)", what, v);
}

int dist_const(struct dist *d, double v, struct err *err) {
    if (!isfinite(v) || v < 0) return bad(err, "constant: value must be finite and >= 0", v);
    *d = (struct dist){.kind = DIST_CONST, .p = {v}};
    return 0;
}

int dist_exp(struct dist *d, double mean, struct err *err) {
    if (!isfinite(mean) || mean <= 0) return bad(err, "exponential: mean must be > 0", mean);
    *d = (struct dist){.kind = DIST_EXP, .p = {mean}};
    return 0;
}

int dist_uniform(struct dist *d, double lo, double hi, struct err *err) {
    if (!isfinite(lo) || lo < 0) return bad(err, "uniform: lo must be finite and >= 0", lo);
    if (!isfinite(hi) || hi < lo) {
        char a[32], b[32];
        if (!isfinite(hi)) return bad(err, "uniform: max must be finite", hi);
        return err_set(err, NULL, 0, 0, "uniform: max (%s) must be at least min (%s)",
                       units_format_duration((int64_t)hi, a, sizeof a),
                       units_format_duration((int64_t)lo, b, sizeof b));
    }
    *d = (struct dist){.kind = DIST_UNIFORM, .p = {lo, hi}};
    return 0;
}

int dist_normal(struct dist *d, double mean, double sd, struct err *err) {
    if (!isfinite(mean) || mean < 0) return bad(err, "normal: mean must be finite and >= 0", mean);
    if (!isfinite(sd) || sd < 0) return bad(err, "normal: sd must be finite and >= 0", sd);
    *d = (struct dist){.kind = DIST_NORMAL, .p = {mean, sd}};
    return 0;
}

int dist_lognormal_mu_sigma(struct dist *d, double mu, double sigma, struct err *err) {
    if (!isfinite(mu)) return bad(err, "lognormal: mu must be finite", mu);
    if (!isfinite(sigma) || sigma < 0)
        return bad(err, "lognormal: sigma must be finite and >= 0", sigma);
    *d = (struct dist){.kind = DIST_LOGNORMAL, .p = {mu, sigma}};
    return 0;
}

int dist_lognormal_mean_p99(struct dist *d, double mean, double p99, struct err *err) {
    double lr, disc, sigma;

    if (!isfinite(mean) || mean <= 0) return bad(err, "lognormal: mean must be > 0", mean);
    if (!isfinite(p99) || p99 < mean) {
        char a[32], b[32];
        if (!isfinite(p99)) return bad(err, "lognormal: p99 must be finite", p99);
        return err_set(err, NULL, 0, 0, "lognormal: p99 (%s) must be at least the mean (%s)",
                       units_format_duration((int64_t)p99, a, sizeof a),
                       units_format_duration((int64_t)mean, b, sizeof b));
    }
    /* ln(p99/mean) = z sigma - sigma^2/2 has a real root iff ln(p99/mean) <= z^2/2. */
    lr = log(p99 / mean);
    disc = Z99 * Z99 - 2 * lr;
    if (disc < 0)
        return err_set(err, NULL, 0, 0,
                       "lognormal: p99/mean = %g is impossible (a lognormal has p99/mean <= %.4g)",
                       p99 / mean, exp(Z99 * Z99 / 2));
    /* Smaller root z - sqrt(disc), written without cancellation for p99 close to mean. */
    sigma = 2 * lr / (Z99 + sqrt(disc));
    *d = (struct dist){.kind = DIST_LOGNORMAL,
                       .p = {log(mean) - sigma * sigma / 2, sigma, mean, p99}};
    return 0;
}

int dist_gamma(struct dist *d, double shape_k, double mean, struct err *err) {
    double a;

    if (!isfinite(shape_k) || shape_k <= 0) return bad(err, "gamma: shape k must be > 0", shape_k);
    if (!isfinite(mean) || mean <= 0) return bad(err, "gamma: mean must be > 0", mean);
    /* For k < 1 Marsaglia–Tsang sample Gamma(k + 1) and multiply by U^(1/k). */
    a = shape_k < 1 ? shape_k + 1 : shape_k;
    *d = (struct dist){.kind = DIST_GAMMA,
                       .p = {shape_k, mean, a - 1.0 / 3, 1 / sqrt(9 * (a - 1.0 / 3))}};
    return 0;
}

int dist_pareto(struct dist *d, double alpha, double xmin, struct err *err) {
    if (!isfinite(alpha) || alpha <= 0) return bad(err, "pareto: alpha must be > 0", alpha);
    if (!isfinite(xmin) || xmin <= 0) return bad(err, "pareto: xmin must be > 0", xmin);
    *d = (struct dist){.kind = DIST_PARETO, .p = {alpha, xmin, -1 / alpha}};
    return 0;
}

int dist_hyperexp(struct dist *d, double p1, double mean1, double mean2, struct err *err) {
    if (!(p1 >= 0 && p1 <= 1)) return bad(err, "hyperexponential: p1 must be in [0, 1]", p1);
    if (!isfinite(mean1) || mean1 <= 0)
        return bad(err, "hyperexponential: mean1 must be > 0", mean1);
    if (!isfinite(mean2) || mean2 <= 0)
        return bad(err, "hyperexponential: mean2 must be > 0", mean2);
    *d = (struct dist){.kind = DIST_HYPEREXP, .p = {p1, mean1, mean2}};
    return 0;
}

/* Make d the empirical distribution of v[0..n), taking ownership of v (already validated). The
 * variance uses the corrected two-pass formula (Chan, Golub & LeVeque, "Algorithms for computing
 * the sample variance", Am. Stat. 37(3), 1983), which is accurate when the spread is small next
 * to the mean. */
static void empirical_take(struct dist *d, double *v, size_t n) {
    double sum = 0, mean, ss = 0, s1 = 0;

    for (size_t i = 0; i < n; i++)
        sum += v[i];
    mean = sum / (double)n;
    for (size_t i = 0; i < n; i++) {
        ss += (v[i] - mean) * (v[i] - mean);
        s1 += v[i] - mean;
    }
    *d = (struct dist){.kind = DIST_EMPIRICAL,
                       .p = {mean, (ss - s1 * s1 / (double)n) / (double)n},
                       .samples = v,
                       .nsamples = n};
}

int dist_empirical(struct dist *d, const double *samples, size_t n, struct err *err) {
    double *v;

    if (n == 0) return err_set(err, NULL, 0, 0, "empirical: no samples");
    if (n > UINT32_MAX) return err_set(err, NULL, 0, 0, "empirical: more than 2^32 - 1 samples");
    for (size_t i = 0; i < n; i++)
        if (!isfinite(samples[i]) || samples[i] < 0)
            return err_set(err, NULL, 0, 0, "empirical: sample %zu is %g (must be finite, >= 0)", i,
                           samples[i]);
    v = xmalloc(n * sizeof *v);
    memcpy(v, samples, n * sizeof *v);
    empirical_take(d, v, n);
    return 0;
}

/* ---- CSV loading -------------------------------------------------------------------------- */

/* Parser state shared by the libcsv callbacks. Once failed is set every callback returns at
 * once; the first error is the one reported. */
struct csv_load {
    const char *path, *column;
    struct err *err;
    int failed;
    size_t record;  /* 1-based number of the record being parsed (header = 1) */
    size_t line;    /* physical line where that record starts (for errors) */
    size_t field;   /* 0-based index of the next field in the record */
    size_t target;  /* index of the column, SIZE_MAX until the header has it */
    char hint[128]; /* a header that is column + "_" + unit, for "did you mean" */
    double scale;   /* ns per unit of the column */
    double *v;      /* values read so far, in ns */
    size_t n, cap;
};

/* ns per unit given by the suffix of name, or 0 if it has none of _ns, _us, _ms, _s. */
static double unit_scale(const char *name, size_t len) {
    static const struct {
        const char *suffix;
        double ns;
    } units[] = {{"_ns", 1}, {"_us", 1e3}, {"_ms", 1e6}, {"_s", 1e9}};

    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        size_t sl = strlen(units[i].suffix);
        if (len > sl && memcmp(name + len - sl, units[i].suffix, sl) == 0) return units[i].ns;
    }
    return 0;
}

/* Record the first error, at the current record's line and field number col (0 = the whole
 * record: reported at its first column, 1). */
static void load_fail(struct csv_load *st, int col, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void load_fail(struct csv_load *st, int col, const char *fmt, ...) {
    char msg[sizeof st->err->msg];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    st->failed = 1;
    err_set(st->err, st->path, (int)st->line, col > 0 ? col : 1, "%s", msg);
}

static void on_header_field(struct csv_load *st, const char *s, size_t len) {
    size_t cl = strlen(st->column);

    /* A UTF-8 byte order mark (spreadsheet exports) is not part of the first name. */
    if (st->field == 0 && len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
        s += 3;
        len -= 3;
    }
    if (st->target == SIZE_MAX && len == cl && memcmp(s, st->column, cl) == 0)
        st->target = st->field;
    else if (!st->hint[0] && len > cl + 1 && len < sizeof st->hint &&
             memcmp(s, st->column, cl) == 0 && s[cl] == '_' && unit_scale(s, len) > 0) {
        memcpy(st->hint, s, len);
        st->hint[len] = '\0';
    }
}

static void on_data_field(struct csv_load *st, const char *s, size_t len) {
    char cell[64], *end;
    double x;
    int col = (int)st->field + 1;

    if (len == 0) {
        load_fail(st, col, "empty cell in column '%s'", st->column);
        return;
    }
    if (len >= sizeof cell) {
        load_fail(st, col, "cell in column '%s' is not a number (too long)", st->column);
        return;
    }
    memcpy(cell, s, len);
    cell[len] = '\0';
    errno = 0;
    x = strtod(cell, &end);
    if (end == cell || *end != '\0' || !isfinite(x)) {
        load_fail(st, col, "'%s' in column '%s' is not a number", cell, st->column);
        return;
    }
    if (x < 0) {
        load_fail(st, col, "negative value in column '%s' (%g)", st->column, x);
        return;
    }
    if (st->n == st->cap) {
        st->cap = st->cap ? 2 * st->cap : 1024;
        st->v = xrealloc(st->v, st->cap * sizeof *st->v);
    }
    st->v[st->n++] = x * st->scale;
}

static void on_field(struct csv_load *st, const char *s, size_t len) {
    if (st->failed) return;
    if (st->record == 1)
        on_header_field(st, s, len);
    else if (st->field == st->target)
        on_data_field(st, s, len);
    st->field++;
}

static void on_record(struct csv_load *st) {
    if (st->failed) return;
    if (st->record == 1) {
        if (st->target == SIZE_MAX && st->hint[0])
            load_fail(st, 0, "column '%s' not found (did you mean '%s'?)", st->column, st->hint);
        else if (st->target == SIZE_MAX)
            load_fail(st, 0, "column '%s' not found", st->column);
        else if ((st->scale = unit_scale(st->column, strlen(st->column))) == 0)
            load_fail(st, (int)st->target + 1,
                      "column '%s' has no unit suffix _ns, _us, _ms or _s (e.g. '%s_ms')",
                      st->column, st->column);
    } else if (st->n >= UINT32_MAX) {
        load_fail(st, 0, "more than 2^32 - 1 values in column '%s'", st->column);
    }
    if (st->failed) return;
    st->record++;
    st->field = 0;
}

int dist_empirical_csv(struct dist *d, const char *path, const char *column, struct err *err) {
    struct csv_load st = {
        .path = path, .column = column, .err = err, .record = 1, .target = SIZE_MAX};
    struct csv_in *in;
    struct csv_rec rec;
    FILE *f;
    int r = 0;

    f = fopen(path, "rb");
    if (!f) return err_set(err, path, 0, 0, "cannot open: %s", strerror(errno));
    {
        /* Only a regular file: a device or pipe (/dev/zero, a FIFO) could stream for ever. */
        struct stat sb;
        if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode)) {
            fclose(f);
            return err_set(err, path, 0, 0, "not a regular file (samples must be in a CSV file)");
        }
    }
    /* csv_in (libcsv underneath) locates malformed CSV at its line and character column, and
     * refuses a record whose number of fields differs from the header's, so every data record
     * has the column. */
    in = csv_in_from_file(f, path);
    while (!st.failed && (r = csv_in_next(in, &rec, err)) > 0) {
        st.line = rec.line;
        for (size_t i = 0; i < rec.nfields && !st.failed; i++)
            on_field(&st, rec.fields[i], strlen(rec.fields[i]));
        on_record(&st);
    }
    if (!st.failed && r < 0) st.failed = 1;
    csv_in_close(in);
    fclose(f);
    if (!st.failed && st.record == 1) {
        st.failed = 1;
        err_set(err, path, 0, 0, "empty file (no header)");
    }
    if (!st.failed && st.n == 0) {
        st.failed = 1;
        err_set(err, path, 0, 0, "no data records for column '%s'", column);
    }
    if (st.failed) {
        free(st.v);
        return -1;
    }
    empirical_take(d, xrealloc(st.v, st.n * sizeof *st.v), st.n);
    return 0;
}

/* ---- sampling ------------------------------------------------------------------------------ */

/* Standard normal by Marsaglia's polar method (G. Marsaglia, T. A. Bray, "A convenient method for
 * generating normal variables", SIAM Review 6(3), 1964): a point uniform in the unit disc gives
 * two independent normals; the second is discarded so that no state is kept between calls. */
static double std_normal(struct rng *r) {
    double u, v, s;

    do {
        u = 2 * rng_uniform(r) - 1;
        v = 2 * rng_uniform(r) - 1;
        s = u * u + v * v;
    } while (s >= 1 || s == 0);
    return u * sqrt(-2 * log(s) / s);
}

/* Gamma(a, 1) for a >= 1 with d = a - 1/3, c = 1/sqrt(9d): Marsaglia & Tsang (2000), section 4,
 * including their squeeze 1 - 0.0331 x^4 that skips the logs in ~98% of draws. */
static double gamma_mt(double dd, double c, struct rng *r) {
    for (;;) {
        double x, v, u;

        do {
            x = std_normal(r);
            v = 1 + c * x;
        } while (v <= 0);
        v = v * v * v;
        u = rng_uniform_pos(r);
        if (u < 1 - 0.0331 * (x * x) * (x * x)) return dd * v;
        if (log(u) < 0.5 * x * x + dd * (1 - v + log(v))) return dd * v;
    }
}

static double sample_gamma(const struct dist *d, struct rng *r) {
    double k = d->p[0], scale = d->p[1] / d->p[0], g;

    if (k <= ERLANG_PRODUCT_MAX && k == floor(k)) {
        /* Erlang-k: the sum of k exponentials, -ln(U1) - ... - ln(Uk) = -ln(U1 ... Uk). The
         * product stays >= 2^-53k, far above the smallest double. */
        double prod = rng_uniform_pos(r);
        for (int i = 1; i < (int)k; i++)
            prod *= rng_uniform_pos(r);
        return -scale * log(prod);
    }
    g = gamma_mt(d->p[2], d->p[3], r);
    /* Marsaglia & Tsang's boost: if G ~ Gamma(k + 1) then G U^(1/k) ~ Gamma(k). */
    if (k < 1) g *= pow(rng_uniform_pos(r), 1 / k);
    return scale * g;
}

double dist_sample_any(const struct dist *d, struct rng *r) {
    double x;

    switch (d->kind) {
        case DIST_CONST:
            return d->p[0];
        case DIST_EXP:
            return d->p[0] * zig_exp1(r);
        case DIST_UNIFORM:
            return d->p[0] + (d->p[1] - d->p[0]) * rng_uniform(r);
        case DIST_NORMAL:
            x = d->p[0] + d->p[1] * std_normal(r);
            return x < 0 ? 0 : x;
        case DIST_LOGNORMAL:
            return exp(d->p[0] + d->p[1] * std_normal(r));
        case DIST_GAMMA:
            return sample_gamma(d, r);
        case DIST_PARETO:
            /* Inversion of P(X > x) = (xmin/x)^alpha: X = xmin U^(-1/alpha). */
            return d->p[1] * pow(rng_uniform_pos(r), d->p[2]);
        case DIST_HYPEREXP:
            x = rng_uniform(r) < d->p[0] ? d->p[1] : d->p[2];
            return x * zig_exp1(r);
        case DIST_EMPIRICAL:
            return d->samples[rng_bounded(r, (uint32_t)d->nsamples)];
    }
    assert(0 && "bad dist kind");
    return 0;
}

/* ---- moments ------------------------------------------------------------------------------- */

/* Mean and variance of max(X, 0), X ~ N(m, s^2), m >= 0, s > 0, with a = m/s, Phi(a) = P and
 * Q = 1 - P, phi the standard normal density (moments of the rectified normal, e.g. Johnson,
 * Kotz & Balakrishnan, "Continuous Univariate Distributions" vol. 1, ch. 13):
 *   E = s (a P + phi),  Var = s^2 (P + a^2 P Q - a phi (P - Q) - phi^2),
 * the variance rearranged from E[X+^2] - E^2 so nothing cancels when a is large. */
static void rectified_normal(double m, double s, double *mean, double *var) {
    double a = m / s, P = 0.5 * erfc(-a / sqrt(2)), Q = 0.5 * erfc(a / sqrt(2));
    double phi = exp(-a * a / 2) / SQRT_2PI;

    *mean = s * (a * P + phi);
    *var = s * s * (P + a * a * P * Q - a * phi * (P - Q) - phi * phi);
}

double dist_mean(const struct dist *d) {
    double m, v;

    switch (d->kind) {
        case DIST_CONST:
        case DIST_EXP:
            return d->p[0];
        case DIST_UNIFORM:
            return (d->p[0] + d->p[1]) / 2;
        case DIST_NORMAL:
            if (d->p[1] == 0) return d->p[0];
            rectified_normal(d->p[0], d->p[1], &m, &v);
            return m;
        case DIST_LOGNORMAL:
            return exp(d->p[0] + d->p[1] * d->p[1] / 2);
        case DIST_GAMMA:
            return d->p[1];
        case DIST_PARETO:
            return d->p[0] > 1 ? d->p[0] * d->p[1] / (d->p[0] - 1) : INFINITY;
        case DIST_HYPEREXP:
            return d->p[0] * d->p[1] + (1 - d->p[0]) * d->p[2];
        case DIST_EMPIRICAL:
            return d->p[0];
    }
    assert(0 && "bad dist kind");
    return NAN;
}

double dist_variance(const struct dist *d) {
    double m, v, a, s2;

    switch (d->kind) {
        case DIST_CONST:
            return 0;
        case DIST_EXP:
            return d->p[0] * d->p[0];
        case DIST_UNIFORM:
            return (d->p[1] - d->p[0]) * (d->p[1] - d->p[0]) / 12;
        case DIST_NORMAL:
            if (d->p[1] == 0) return 0;
            rectified_normal(d->p[0], d->p[1], &m, &v);
            return v;
        case DIST_LOGNORMAL:
            s2 = d->p[1] * d->p[1];
            return expm1(s2) * exp(2 * d->p[0] + s2);
        case DIST_GAMMA:
            return d->p[1] * d->p[1] / d->p[0];
        case DIST_PARETO:
            a = d->p[0];
            return a > 2 ? d->p[1] * d->p[1] * a / ((a - 1) * (a - 1) * (a - 2)) : INFINITY;
        case DIST_HYPEREXP:
            /* E[X^2] - E[X]^2 = sum p_i m_i^2 + p (1 - p) (m1 - m2)^2, all terms >= 0. */
            a = d->p[0];
            return a * d->p[1] * d->p[1] + (1 - a) * d->p[2] * d->p[2] +
                   a * (1 - a) * (d->p[1] - d->p[2]) * (d->p[1] - d->p[2]);
        case DIST_EMPIRICAL:
            return d->p[1];
    }
    assert(0 && "bad dist kind");
    return NAN;
}

/* ---- description, copy, free --------------------------------------------------------------- */

/* Format ns as a time with the largest unit that keeps the number >= 1 ("1.5ms", "250ns"). */
static const char *fmt_time(char *buf, size_t n, double ns) {
    double a = fabs(ns);

    if (!isfinite(ns))
        snprintf(buf, n, "%s", ns > 0 ? "inf" : "nan");
    else if (a >= 1e9)
        snprintf(buf, n, "%.6gs", ns / 1e9);
    else if (a >= 1e6)
        snprintf(buf, n, "%.6gms", ns / 1e6);
    else if (a >= 1e3)
        snprintf(buf, n, "%.6gus", ns / 1e3);
    else
        snprintf(buf, n, "%.6gns", ns);
    return buf;
}

char *dist_describe(const struct dist *d, char *buf, size_t n) {
    char a[32], b[32], c[32];
    const double *p = d->p;

    if (n == 0) return buf;
    switch (d->kind) {
        case DIST_CONST:
            snprintf(buf, n, "constant(%s)", fmt_time(a, sizeof a, p[0]));
            break;
        case DIST_EXP:
            snprintf(buf, n, "exponential(mean=%s)", fmt_time(a, sizeof a, p[0]));
            break;
        case DIST_UNIFORM:
            snprintf(buf, n, "uniform(lo=%s, hi=%s)", fmt_time(a, sizeof a, p[0]),
                     fmt_time(b, sizeof b, p[1]));
            break;
        case DIST_NORMAL:
            snprintf(buf, n, "normal(mean=%s, sd=%s)", fmt_time(a, sizeof a, p[0]),
                     fmt_time(b, sizeof b, p[1]));
            break;
        case DIST_LOGNORMAL:
            if (p[2] > 0)
                snprintf(buf, n, "lognormal(mean=%s, p99=%s)", fmt_time(a, sizeof a, p[2]),
                         fmt_time(b, sizeof b, p[3]));
            else
                snprintf(buf, n, "lognormal(mu=%.6g, sigma=%.6g; mean=%s)", p[0], p[1],
                         fmt_time(a, sizeof a, dist_mean(d)));
            break;
        case DIST_GAMMA:
            snprintf(buf, n, "%s(k=%.6g, mean=%s)", p[0] == floor(p[0]) ? "erlang" : "gamma", p[0],
                     fmt_time(a, sizeof a, p[1]));
            break;
        case DIST_PARETO:
            snprintf(buf, n, "pareto(alpha=%.6g, xmin=%s)", p[0], fmt_time(a, sizeof a, p[1]));
            break;
        case DIST_HYPEREXP:
            snprintf(buf, n, "hyperexp(p1=%.6g, mean1=%s, mean2=%s)", p[0],
                     fmt_time(a, sizeof a, p[1]), fmt_time(b, sizeof b, p[2]));
            break;
        case DIST_EMPIRICAL:
            snprintf(buf, n, "empirical(n=%zu, mean=%s, sd=%s)", d->nsamples,
                     fmt_time(a, sizeof a, p[0]), fmt_time(c, sizeof c, sqrt(p[1])));
            break;
        default:
            snprintf(buf, n, "invalid distribution");
            break;
    }
    return buf;
}

int dist_copy(struct dist *dst, const struct dist *src) {
    assert(dst != src);
    *dst = *src;
    if (src->kind == DIST_EMPIRICAL && src->samples) {
        dst->samples = xmalloc(src->nsamples * sizeof *dst->samples);
        memcpy(dst->samples, src->samples, src->nsamples * sizeof *dst->samples);
    }
    return 0;
}

void dist_free(struct dist *d) {
    if (!d) return;
    if (d->kind == DIST_EMPIRICAL) free(d->samples);
    d->samples = NULL;
    d->nsamples = 0;
}
