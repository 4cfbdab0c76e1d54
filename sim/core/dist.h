/*
 * dist — random variates for service times, latencies, think times and the like: constant,
 * exponential, uniform, normal, lognormal, gamma/Erlang, Pareto, two-phase hyperexponential and
 * empirical (samples, optionally loaded from a CSV column).
 *
 * Design: one value struct, a kind tag plus four double parameters, sampled through one switch.
 * Constructors validate and precompute whatever the sampler needs (e.g. the Marsaglia–Tsang
 * constants), so dist_sample does no validation and no allocation. Only the empirical kind owns
 * heap memory (a copy of its samples); dist_copy/dist_free handle that and are no-ops otherwise.
 * Values are in the unit of the parameters; the simulator uses nanoseconds, which dist_describe
 * and dist_empirical_csv assume. Samplers draw from a caller-supplied struct rng and keep no
 * state of their own (no cached second normal variate), so a draw depends only on the stream.
 * Methods: exponential by the ziggurat (zig.h; Marsaglia & Tsang 2000); normal by Marsaglia's polar
 * method; lognormal as exp(normal); gamma by Marsaglia & Tsang (2000) with the U^(1/k) boost for k
 * < 1 and a product of uniforms for small integer k (Erlang); Pareto by inversion; hyperexponential
 * by composition with a ziggurat exponential; empirical by uniform choice among the samples.
 *
 * Rejected: a vtable per distribution (an indirect call and a heap object per dist for nine
 * fixed kinds); Box–Muller with the second variate cached (hidden state makes a draw depend on
 * the previous call); a ziggurat for the normal too (the exponential is the hot draw: every
 * Poisson gap and exponential service time; normals and lognormals are rarer); interpolating
 * empirical CDFs (an empirical distribution should reproduce exactly the measured values).
 */
#ifndef ARCHSIM_DIST_H
#define ARCHSIM_DIST_H

#include <stddef.h>

#include "err.h"
#include "rng.h"
#include "zig.h"

enum dist_kind {
    DIST_CONST,     /* p[0] = value */
    DIST_EXP,       /* p[0] = mean */
    DIST_UNIFORM,   /* p[0] = lo, p[1] = hi; draws in [lo, hi) */
    DIST_NORMAL,    /* p[0] = mean, p[1] = sd (before clamping at 0) */
    DIST_LOGNORMAL, /* p[0] = mu, p[1] = sigma (of ln X); p[2] = mean, p[3] = p99 if built from
                       them, else 0 (for dist_describe only) */
    DIST_GAMMA,     /* p[0] = shape k, p[1] = mean; p[2], p[3] = Marsaglia–Tsang d, c */
    DIST_PARETO,    /* p[0] = alpha, p[1] = xmin; p[2] = -1 / alpha */
    DIST_HYPEREXP,  /* p[0] = probability of phase 1, p[1] = mean1, p[2] = mean2 */
    DIST_EMPIRICAL  /* samples[0..nsamples); p[0] = their mean, p[1] = their variance */
};

/* A distribution. Value struct, filled by a constructor below; copy with dist_copy (not =) when
 * it may be empirical. Only DIST_EMPIRICAL owns samples (freed by dist_free). Values are in the
 * parameters' unit (ns in the simulator). */
struct dist {
    enum dist_kind kind;
    double p[4];     /* parameters, see enum dist_kind */
    double *samples; /* DIST_EMPIRICAL only: owned copy, else NULL */
    size_t nsamples;
};

/* Constructors. Each validates its parameters (finite; means, scales and values positive or
 * non-negative as stated), fills *d and returns 0; on invalid parameters returns -1, fills err
 * (no position) and leaves *d untouched. The previous contents of *d are overwritten, not freed:
 * call dist_free first if it may hold an empirical distribution. err may be NULL. */

/* Always v (v >= 0). */
int dist_const(struct dist *d, double v, struct err *err);
/* Exponential with the given mean (> 0): rate 1/mean, variance mean^2. */
int dist_exp(struct dist *d, double mean, struct err *err);
/* Uniform on [lo, hi), 0 <= lo <= hi (lo == hi is the constant lo; hi itself can come out only
 * through rounding of lo + (hi - lo) U). */
int dist_uniform(struct dist *d, double lo, double hi, struct err *err);
/* Normal(mean, sd^2) with mean >= 0, sd >= 0; negative draws are clamped to 0 (a duration cannot
 * be negative), so dist_mean/dist_variance give the moments of max(X, 0), which differ from
 * mean/sd^2 only when mean is within a few sd of 0. */
int dist_normal(struct dist *d, double mean, double sd, struct err *err);
/* Lognormal: ln X ~ N(mu, sigma^2), sigma >= 0. Mean exp(mu + sigma^2/2). */
int dist_lognormal_mu_sigma(struct dist *d, double mu, double sigma, struct err *err);
/* Lognormal with the given mean and 99th percentile (0 < mean <= p99). Solves
 * p99 / mean = exp(z sigma - sigma^2 / 2), z = Phi^-1(0.99), for the smaller root
 * sigma = z - sqrt(z^2 - 2 ln(p99/mean)), then mu = ln(mean) - sigma^2 / 2. The ratio is at most
 * exp(z^2 / 2) ~= 14.97 for any lognormal: beyond it, or with p99 < mean, returns -1. */
int dist_lognormal_mean_p99(struct dist *d, double mean, double p99, struct err *err);
/* Gamma with shape k > 0 and the given mean (> 0), i.e. scale mean / k; Erlang-k when k is an
 * integer. Variance mean^2 / k. Sampled by Marsaglia & Tsang, "A simple method for generating
 * gamma variables", ACM TOMS 26(3), 2000 (with their U^(1/k) boost for k < 1), or as
 * -scale * ln(U1 ... Uk) for integer k <= 8. */
int dist_gamma(struct dist *d, double shape_k, double mean, struct err *err);
/* Pareto (type I): P(X > x) = (xmin / x)^alpha for x >= xmin; alpha > 0, xmin > 0. Mean
 * alpha xmin / (alpha - 1), infinite when alpha <= 1; variance infinite when alpha <= 2. */
int dist_pareto(struct dist *d, double alpha, double xmin, struct err *err);
/* Two-phase hyperexponential H2: with probability p1 (0 <= p1 <= 1) exponential(mean1), else
 * exponential(mean2); both means > 0. Coefficient of variation >= 1. */
int dist_hyperexp(struct dist *d, double p1, double mean1, double mean2, struct err *err);
/* Empirical: each draw is one of the n samples (n >= 1, n < 2^32, each finite and >= 0), chosen
 * uniformly. Copies samples (the caller keeps its array); d owns the copy. */
int dist_empirical(struct dist *d, const double *samples, size_t n, struct err *err);

/* Load one column of a CSV file (read with csv_in.h over libcsv; first record is the header) as
 * an empirical distribution in ns. column is the exact header text and must end in a unit
 * suffix _ns, _us, _ms or _s (e.g. "service_time_ms"), which sets the scale to ns. Every later
 * record must have a finite, non-negative number in that column. On failure returns -1, leaves
 * *d untouched and fills err with file = path and, where the problem is in the file, line = the
 * physical line on which the record starts and col = the 1-based field number (1 for a problem
 * with the whole record, such as a missing column; for a malformed CSV or a record with more or
 * fewer fields than the header: the character column csv_in reports):
 * missing or unreadable file, malformed CSV, a ragged record ("too many fields: 3, the header
 * has 2 (field 3 starts here)"), column not found, no unit suffix, empty/non-numeric/negative
 * cell, no data records. */
int dist_empirical_csv(struct dist *d, const char *path, const char *column, struct err *err);

/* One draw from d using r (advances r). Never negative for distributions built by the
 * constructors above; may be 0 (const 0, uniform from 0, clamped normal, empirical).
 * dist_sample is inline for the exponential (the common service time) and calls
 * dist_sample_any, the general switch, for the rest; both give the same draws. */
double dist_sample_any(const struct dist *d, struct rng *r);
static inline double dist_sample(const struct dist *d, struct rng *r) {
    if (d->kind == DIST_EXP) return d->p[0] * zig_exp1(r);
    return dist_sample_any(d, r);
}

/* Longest time a sampled duration may take, ns (about 3.2 years): heavy-tailed distributions
 * (Pareto with alpha <= 1, a huge hyperexponential branch, an empirical 1e30) can draw values
 * no clock can represent; they are capped here so they stay events in the far future. */
#define DIST_MAX_NS 100000000000000000LL

/* A sampled duration t (ns, as dist_sample returns it) rounded to whole ns and clamped to
 * [0, DIST_MAX_NS]; NaN gives 0. */
static inline int64_t dist_ns(double t) {
    if (!(t > 0)) return 0;
    if (t >= (double)DIST_MAX_NS) return DIST_MAX_NS;
    return (int64_t)(t + 0.5);
}

/* Exact mean of d (INFINITY for Pareto with alpha <= 1). */
double dist_mean(const struct dist *d);

/* Exact variance of d (INFINITY for Pareto with alpha <= 2). For empirical: the population
 * variance of the samples (the variance of a uniform choice among them). */
double dist_variance(const struct dist *d);

/* Write a human-readable description of d into buf (size n, always NUL-terminated when n > 0),
 * e.g. "exponential(mean=1ms)"; times are assumed to be ns and printed with ns/us/ms/s suffixes.
 * Returns buf. */
char *dist_describe(const struct dist *d, char *buf, size_t n);

/* Deep copy src into dst (dst's previous contents are overwritten, not freed; dst != src).
 * Returns 0 (allocation failure aborts, see xmalloc.h). The caller frees dst with dist_free. */
int dist_copy(struct dist *dst, const struct dist *src);

/* Free what d owns (the empirical samples) and leave d a harmless empty value. Safe on any
 * constructed or zero-filled dist, on NULL, and twice. */
void dist_free(struct dist *d);

#endif
