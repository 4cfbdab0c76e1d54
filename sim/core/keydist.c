/* keydist — key popularity (uniform, Zipf, hot spot); see keydist.h. */
#include "keydist.h"

#include <assert.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>

/* Zipf normaliser: a direct sum up to this n, Euler–Maclaurin beyond. */
#define ZIPF_DIRECT_MAX 10000
/* Euler–Maclaurin starts at this term; the terms before it are summed directly. At 1000 the
 * first omitted correction, B8/8! f^(7)(1000), is below 1e-20 of the sum for every s > 0. */
#define ZIPF_EM_FROM 1000

/* log1p(t)/t and expm1(t)/t, continuous through t = 0 (the s = 1 case); below |t| = 1e-8 the
 * series' next term is under 1e-24. */
static double log1p_over(double t) {
    return fabs(t) > 1e-8 ? log1p(t) / t : 1 - t * (0.5 - t / 3);
}

static double expm1_over(double t) {
    return fabs(t) > 1e-8 ? expm1(t) / t : 1 + t * 0.5 * (1 + t / 3);
}

/* The hat density h(x) = x^-s, its integral H(x) = (x^(1-s) - 1)/(1 - s) (= ln x at s = 1) and
 * the inverse of H, written so that s = 1 needs no special case (Hörmann & Derflinger 1996). */
static double zipf_h(double x, double s) {
    return exp(-s * log(x));
}

static double zipf_H(double x, double s) {
    double lx = log(x);
    return expm1_over((1 - s) * lx) * lx;
}

static double zipf_Hinv(double y, double s) {
    return exp(log1p_over((1 - s) * y) * y);
}

/* H(n, s) = sum_{i=1}^n i^-s. For large n: the first ZIPF_EM_FROM - 1 terms directly, then
 * Euler–Maclaurin for f(x) = x^-s on [m, n] (Abramowitz & Stegun 23.1.30):
 *   sum_{i=m}^n f(i) = int_m^n f + (f(m) + f(n))/2 + sum_j B_2j/(2j)! (f^(2j-1)(n) - f^(2j-1)(m)),
 * with B2/2! = 1/12, B4/4! = -1/720, B6/6! = 1/30240 and
 * f'(x) = -s x^(-s-1), f'''(x) = -s(s+1)(s+2) x^(-s-3), f^(5)(x) = -s(s+1)...(s+4) x^(-s-5). */
static double zipf_norm(uint64_t n, double s) {
    double sum = 0, m, x, d1, d3, d5;

    if (n <= ZIPF_DIRECT_MAX) {
        for (uint64_t i = n; i >= 1; i--) /* smallest terms first */
            sum += zipf_h((double)i, s);
        return sum;
    }
    for (int i = ZIPF_EM_FROM - 1; i >= 1; i--)
        sum += zipf_h(i, s);
    m = ZIPF_EM_FROM;
    x = (double)n;
    d1 = -s;
    d3 = -s * (s + 1) * (s + 2);
    d5 = d3 * (s + 3) * (s + 4);
    return sum + (zipf_H(x, s) - zipf_H(m, s)) + (zipf_h(m, s) + zipf_h(x, s)) / 2 +
           d1 * (zipf_h(x, s) / x - zipf_h(m, s) / m) / 12 -
           d3 * (zipf_h(x, s) / (x * x * x) - zipf_h(m, s) / (m * m * m)) / 720 +
           d5 * (zipf_h(x, s) / pow(x, 5) - zipf_h(m, s) / pow(m, 5)) / 30240;
}

int keydist_uniform(struct keydist *k, uint64_t n, struct err *err) {
    if (n == 0) return err_set(err, NULL, 0, 0, "uniform keys: n must be >= 1");
    *k = (struct keydist){.kind = KEYDIST_UNIFORM, .n = n};
    return 0;
}

int keydist_zipf(struct keydist *k, uint64_t n, double s, struct err *err) {
    if (n == 0 || n > KEYDIST_ZIPF_MAX_N)
        return err_set(err, NULL, 0, 0, "zipf keys: n must be in [1, 2^53] (got %" PRIu64 ")", n);
    if (!isfinite(s) || s <= 0)
        return err_set(err, NULL, 0, 0, "zipf keys: s must be > 0 (got %g)", s);
    *k = (struct keydist){.kind = KEYDIST_ZIPF, .n = n, .s = s};
    /* Sampling interval (H(1.5) - h(1), H(n + 1/2)]: the slot of rank 1 is widened down to h(1)
     * below H(1.5) so that rank 1 is always accepted. */
    k->c[0] = zipf_H(1.5, s) - 1;
    k->c[1] = zipf_H((double)n + 0.5, s);
    /* Squeeze: any x with round(x) - x <= 2 - H^-1(H(2.5) - h(2)) is accepted without
     * evaluating H (Hörmann & Derflinger 1996, the constant s of algorithm ZRI). */
    k->c[2] = 2 - zipf_Hinv(zipf_H(2.5, s) - zipf_h(2, s), s);
    k->c[3] = zipf_norm(n, s);
    return 0;
}

int keydist_hotspot(struct keydist *k, uint64_t n, double hot_keys, double hot_share,
                    struct err *err) {
    double nhot;

    if (n < 2) return err_set(err, NULL, 0, 0, "hotspot keys: n must be >= 2");
    if (!(hot_keys > 0 && hot_keys < 1))
        return err_set(err, NULL, 0, 0, "hotspot keys: hot_keys must be in (0, 1) (got %g)",
                       hot_keys);
    if (!(hot_share >= 0 && hot_share <= 1))
        return err_set(err, NULL, 0, 0, "hotspot keys: hot_share must be in [0, 1] (got %g)",
                       hot_share);
    nhot = floor(hot_keys * (double)n + 0.5);
    if (nhot < 1 || nhot >= (double)n)
        return err_set(err, NULL, 0, 0,
                       "hotspot keys: hot_keys * n = %g rounds to %.0f keys (need 1 to n - 1)",
                       hot_keys * (double)n, nhot);
    *k = (struct keydist){
        .kind = KEYDIST_HOTSPOT, .n = n, .hot_keys = hot_keys, .hot_share = hot_share};
    k->c[0] = nhot;
    return 0;
}

/* Uniform in [0, bound), bound >= 1, unbiased for any 64-bit bound: Lemire's method below 2^32,
 * else rejection of the 2^64 mod bound lowest values, which leaves a multiple of bound. */
static uint64_t below(struct rng *r, uint64_t bound) {
    uint64_t threshold, x;

    if (bound <= UINT32_MAX) return rng_bounded(r, (uint32_t)bound);
    threshold = (0 - bound) % bound;
    do
        x = rng_next_u64(r);
    while (x < threshold);
    return x % bound;
}

/* Rejection-inversion (Hörmann & Derflinger 1996, algorithm ZRI): draw u uniform on the integral
 * of the hat, invert to x, round to the rank k; accept if x falls in the part of k's slot whose
 * area equals h(k), which makes P(k) proportional to h(k) = k^-s. */
static uint64_t zipf_sample(const struct keydist *k, struct rng *r) {
    const double s = k->s, n = (double)k->n;

    for (;;) {
        double u = k->c[1] + rng_uniform(r) * (k->c[0] - k->c[1]);
        double x = zipf_Hinv(u, s);
        double kk = floor(x + 0.5);

        if (kk < 1)
            kk = 1;
        else if (kk > n)
            kk = n;
        if (kk - x <= k->c[2] || u >= zipf_H(kk + 0.5, s) - zipf_h(kk, s)) return (uint64_t)kk - 1;
    }
}

uint64_t keydist_sample(const struct keydist *k, struct rng *r) {
    uint64_t nhot;

    switch (k->kind) {
        case KEYDIST_UNIFORM:
            return below(r, k->n);
        case KEYDIST_ZIPF:
            return zipf_sample(k, r);
        case KEYDIST_HOTSPOT:
            nhot = (uint64_t)k->c[0];
            if (rng_uniform(r) < k->hot_share) return below(r, nhot);
            return nhot + below(r, k->n - nhot);
    }
    assert(0 && "bad keydist kind");
    return 0;
}

double keydist_pmf(const struct keydist *k, uint64_t key) {
    double nhot;

    if (key >= k->n) return 0;
    switch (k->kind) {
        case KEYDIST_UNIFORM:
            return 1 / (double)k->n;
        case KEYDIST_ZIPF:
            return zipf_h((double)key + 1, k->s) / k->c[3];
        case KEYDIST_HOTSPOT:
            nhot = k->c[0];
            if ((double)key < nhot) return k->hot_share / nhot;
            return (1 - k->hot_share) / ((double)k->n - nhot);
    }
    assert(0 && "bad keydist kind");
    return 0;
}

char *keydist_describe(const struct keydist *k, char *buf, size_t n) {
    if (n == 0) return buf;
    switch (k->kind) {
        case KEYDIST_UNIFORM:
            snprintf(buf, n, "uniform(n=%" PRIu64 ")", k->n);
            break;
        case KEYDIST_ZIPF:
            snprintf(buf, n, "zipf(n=%" PRIu64 ", s=%.6g)", k->n, k->s);
            break;
        case KEYDIST_HOTSPOT:
            snprintf(buf, n, "hotspot(n=%" PRIu64 ", hot_keys=%.6g (%.0f keys), hot_share=%.6g)",
                     k->n, k->hot_keys, k->c[0], k->hot_share);
            break;
        default:
            snprintf(buf, n, "invalid key distribution");
            break;
    }
    return buf;
}
