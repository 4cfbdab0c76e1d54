/*
 * keydist — key popularity: which key a request touches. Keys are ranks 0..n-1, rank 0 the most
 * popular; callers map ranks to their own key space (e.g. through a hash) if popularity should not
 * follow key order.
 *
 * Design: a value struct with a kind tag and a few precomputed constants; sampling allocates
 * nothing and runs in O(1) expected time for every kind and n (up to 10^9 keys and beyond).
 * Zipf uses rejection-inversion (W. Hörmann, G. Derflinger, "Rejection-inversion to generate
 * variates from monotone discrete distributions", ACM TOMACS 6(3):169-184, 1996): invert the
 * integral of the continuous hat x^-s and accept with a test that needs no normaliser; the expected
 * number of iterations is close to 1 for every s > 0 and n. The normaliser H(n, s) is needed
 * only for keydist_pmf: summed directly for small n, by Euler–Maclaurin for large n.
 *
 * Rejected: a cumulative table with binary search (O(n) memory and init: 8 GB at 10^9 keys);
 * Gray et al.'s "Quickly generating billion-record synthetic databases" approximation used by
 * YCSB (approximate, and only valid for s < 1); the Walker alias method (O(n) table); rejection
 * from a Pareto/zeta envelope (Devroye's Zipf sampler: needs s > 1).
 */
#ifndef ARCHSIM_KEYDIST_H
#define ARCHSIM_KEYDIST_H

#include <stdint.h>

#include "err.h"
#include "rng.h"

enum keydist_kind {
    KEYDIST_UNIFORM, /* every key 1/n */
    KEYDIST_ZIPF,    /* P(i) = (i + 1)^-s / H(n, s) */
    KEYDIST_HOTSPOT  /* hot_share of requests uniform over the lowest hot_keys * n keys */
};

/* A key popularity distribution over [0, n). Value struct filled by a constructor; owns no
 * memory (copy with =, nothing to free). */
struct keydist {
    enum keydist_kind kind;
    uint64_t n;       /* number of keys, >= 1 */
    double s;         /* Zipf exponent (> 0); 0 for other kinds */
    double hot_keys;  /* hotspot: fraction of keys that are hot, in (0, 1); else 0 */
    double hot_share; /* hotspot: fraction of requests to hot keys, in [0, 1]; else 0 */
    double c[8];      /* precomputed constants (private to keydist.c): Zipf c[0] = H(1.5) - 1,
                         c[1] = H(n + 1/2), c[2] = squeeze bound, c[3] = H(n, s); hotspot
                         c[0] = number of hot keys */
};

/* Zipf n is limited to 2^53 so that ranks are exact in a double. */
#define KEYDIST_ZIPF_MAX_N (UINT64_C(1) << 53)

/* Uniform over [0, n), n >= 1. Returns 0, or -1 with err filled (no position). err may be NULL.
 */
int keydist_uniform(struct keydist *k, uint64_t n, struct err *err);

/* Zipf(s) over ranks 0..n-1: P(i) proportional to 1/(i + 1)^s; 1 <= n <= KEYDIST_ZIPF_MAX_N,
 * s > 0 and finite (s = 1 included; s < 1 allowed). O(1) init, no table: sampled by
 * rejection-inversion (Hörmann & Derflinger 1996). The init also computes H(n, s) for
 * keydist_pmf in at most ~10^4 operations. Returns 0, or -1 with err filled. */
int keydist_zipf(struct keydist *k, uint64_t n, double s, struct err *err);

/* Hot spot: the lowest round(hot_keys * n) keys (which must be between 1 and n - 1) receive
 * hot_share of the requests, uniformly among themselves; the other keys share the rest
 * uniformly. 0 < hot_keys < 1, 0 <= hot_share <= 1. Returns 0, or -1 with err filled. */
int keydist_hotspot(struct keydist *k, uint64_t n, double hot_keys, double hot_share,
                    struct err *err);

/* One key in [0, n), drawn with r (advances r). */
uint64_t keydist_sample(const struct keydist *k, struct rng *r);

/* Exact probability of key (0 when key >= n). For Zipf the normaliser H(n, s) = sum of
 * i^-s, i = 1..n, is a direct sum for n <= 10^4 and otherwise the direct sum of the first 999
 * terms plus an Euler–Maclaurin tail with terms through B6 (Abramowitz & Stegun 23.1.30): the
 * truncation error is below 1e-20 and the result within 1e-12 relative of the exact sum
 * (checked against a direct sum at n = 10^7 in the tests). */
double keydist_pmf(const struct keydist *k, uint64_t key);

/* Human-readable description into buf (size n, NUL-terminated when n > 0), e.g.
 * "zipf(n=1000000, s=0.99)". Returns buf. */
char *keydist_describe(const struct keydist *k, char *buf, size_t n);

#endif
