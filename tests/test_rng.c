/* Unit tests for sim/core/rng: PCG32 reference output, bounded integers, uniform doubles,
 * hashing and stream independence. */
#include <CUnit/CUnit.h>
#include <math.h>
#include <stdint.h>

#include "rng.h"

void test_rng_register(void);

/* pcg-c-basic's pcg32-demo seeds with pcg32_srandom_r(&rng, 42u, 54u) and prints these as the
 * first six 32-bit outputs (O'Neill, pcg-c-basic, pcg32-demo reference output). */
static void test_reference_output(void) {
    static const uint32_t want[] = {0xa15c02b7, 0x7b47f409, 0xba1d3330,
                                    0x83d2f293, 0xbfa4784b, 0xcbed606e};
    struct rng r;

    rng_seed(&r, 42u, 54u);
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        CU_ASSERT_EQUAL(rng_next_u32(&r), want[i]);
}

static void test_next_u64(void) {
    struct rng a, b;

    rng_seed(&a, 42u, 54u);
    rng_seed(&b, 42u, 54u);
    for (int i = 0; i < 100; i++) {
        uint64_t hi = rng_next_u32(&b), lo = rng_next_u32(&b);
        CU_ASSERT_EQUAL(rng_next_u64(&a), (hi << 32) | lo);
    }
}

static void test_bounded_range(void) {
    static const uint32_t bounds[] = {1, 2, 3, 7, 10, 1000, 0x80000001u, UINT32_MAX};
    struct rng r;
    int seen[7] = {0};

    rng_seed(&r, 1, 2);
    for (size_t b = 0; b < sizeof bounds / sizeof bounds[0]; b++)
        for (int i = 0; i < 10000; i++)
            CU_ASSERT(rng_bounded(&r, bounds[b]) < bounds[b]);
    for (int i = 0; i < 1000; i++)
        CU_ASSERT_EQUAL(rng_bounded(&r, 1), 0);
    for (int i = 0; i < 1000; i++)
        seen[rng_bounded(&r, 7)] = 1;
    for (int v = 0; v < 7; v++)
        CU_ASSERT(seen[v]);
}

/* Bias check. With bound = 3 * 2^30, plain x % bound would put half of all draws below 2^30
 * instead of a third. An unbiased draw falls below 2^30 with p = 1/3; over N = 10^5 draws the
 * standard error of the fraction is sqrt(p (1 - p) / N) = 0.0015; accept within 5 SE. */
static void test_bounded_unbiased(void) {
    const uint32_t bound = 3u << 30;
    const int n = 100000;
    const double p = 1.0 / 3, se = sqrt(p * (1 - p) / n);
    struct rng r;
    int low = 0;

    rng_seed(&r, 7, 11);
    for (int i = 0; i < n; i++)
        low += rng_bounded(&r, bound) < (1u << 30);
    CU_ASSERT(fabs((double)low / n - p) < 5 * se);
}

/* U(0,1) has mean 1/2 and variance 1/12, so the mean of N = 10^6 draws has standard error
 * sqrt(1/12 / N) = 2.9e-4; accept within 5 SE. */
static void test_uniform(void) {
    const int n = 1000000;
    const double se = sqrt(1.0 / 12 / n);
    struct rng r;
    double sum = 0, sum_pos = 0, lo = 1, hi = 0;

    rng_seed(&r, 3, 5);
    for (int i = 0; i < n; i++) {
        double u = rng_uniform(&r), v = rng_uniform_pos(&r);
        CU_ASSERT_FATAL(u >= 0 && u < 1);
        CU_ASSERT_FATAL(v > 0 && v < 1);
        sum += u;
        sum_pos += v;
        lo = fmin(lo, u);
        hi = fmax(hi, u);
    }
    CU_ASSERT(fabs(sum / n - 0.5) < 5 * se);
    CU_ASSERT(fabs(sum_pos / n - 0.5) < 5 * se);
    CU_ASSERT(lo < 1e-4 && hi > 1 - 1e-4);
}

/* The extreme values of rng_uniform_pos's formula (k + 1/2) 2^-52 for k = 0 and k = 2^52 - 1 are
 * strictly inside (0, 1) in double arithmetic (with 53 bits the largest would round to 1.0). */
static void test_uniform_pos_extremes(void) {
    const uint64_t kmax = UINT64_MAX >> 12;

    CU_ASSERT(((double)0 + 0.5) * 0x1.0p-52 > 0);
    CU_ASSERT(((double)kmax + 0.5) * 0x1.0p-52 < 1);
    CU_ASSERT(((double)(UINT64_MAX >> 11) + 0.5) * 0x1.0p-53 == 1.0);
}

/* SplitMix64 seeded with 0 outputs mix64(0x9e3779b97f4a7c15) = 0xe220a8397b1dcdaf first
 * (Vigna's splitmix64.c reference). FNV-1a 64 of "" is the offset basis and of "a" is
 * 0xaf63dc4c8601ec8c (Fowler/Noll/Vo test vectors). */
static void test_hashes(void) {
    CU_ASSERT_EQUAL(rng_mix64(UINT64_C(0x9e3779b97f4a7c15)), UINT64_C(0xe220a8397b1dcdaf));
    CU_ASSERT_EQUAL(rng_mix64(0), 0);
    CU_ASSERT_EQUAL(rng_hash_str(0, ""), UINT64_C(0xcbf29ce484222325));
    CU_ASSERT_EQUAL(rng_hash_str(0, "a"), UINT64_C(0xaf63dc4c8601ec8c));
    CU_ASSERT_EQUAL(rng_hash_str(0, "foobar"), UINT64_C(0x85944171f73967e8));
    CU_ASSERT_EQUAL(rng_hash_str(rng_hash_str(0, "foo"), "bar"), rng_hash_str(0, "foobar"));
}

static void test_stream_deterministic(void) {
    struct rng a, b, c;

    rng_stream(&a, 42, "db", "service");
    rng_stream(&b, 42, "db", "service");
    /* A stream does not depend on other streams having been created in between. */
    rng_stream(&c, 42, "cache", "service");
    (void)rng_next_u32(&c);
    for (int i = 0; i < 1000; i++)
        CU_ASSERT_EQUAL(rng_next_u32(&a), rng_next_u32(&b));
}

/* Sample correlation of paired uniforms from two streams. For independent streams it is
 * approximately N(0, 1/N); with N = 10^5, 5 SE = 5 / sqrt(N) = 0.0158. */
static double stream_corr(struct rng *a, struct rng *b, int n) {
    double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;

    for (int i = 0; i < n; i++) {
        double x = rng_uniform(a), y = rng_uniform(b);
        sx += x;
        sy += y;
        sxx += x * x;
        syy += y * y;
        sxy += x * y;
    }
    return (sxy - sx * sy / n) / sqrt((sxx - sx * sx / n) * (syy - sy * sy / n));
}

static void test_stream_independent(void) {
    static const char *const names[][2] = {
        {"db", "service"}, {"dc", "service"},  {"db", "arrivals"}, {"ab", "c"},
        {"a", "bc"},       {"lb1", "service"}, {"lb2", "service"}, {"", ""}};
    const size_t m = sizeof names / sizeof names[0];
    const int n = 100000;
    const double bound = 5 / sqrt(n);

    for (size_t i = 0; i < m; i++)
        for (size_t j = i + 1; j < m; j++) {
            struct rng a, b, a2;
            rng_stream(&a, 42, names[i][0], names[i][1]);
            rng_stream(&b, 42, names[j][0], names[j][1]);
            a2 = a;
            CU_ASSERT(rng_next_u64(&a2) != rng_next_u64(&b));
            CU_ASSERT(a.inc != b.inc);
            CU_ASSERT(fabs(stream_corr(&a, &b, n)) < bound);
        }
    /* Same names, neighbouring seeds. */
    {
        struct rng a, b;
        rng_stream(&a, 1, "db", "service");
        rng_stream(&b, 2, "db", "service");
        CU_ASSERT(fabs(stream_corr(&a, &b, n)) < bound);
    }
}

void test_rng_register(void) {
    CU_pSuite s = CU_add_suite("rng", NULL, NULL);

    CU_add_test(s, "pcg32 reference output (42, 54)", test_reference_output);
    CU_add_test(s, "next_u64 = two u32 outputs", test_next_u64);
    CU_add_test(s, "bounded in range", test_bounded_range);
    CU_add_test(s, "bounded unbiased", test_bounded_unbiased);
    CU_add_test(s, "uniform range and mean", test_uniform);
    CU_add_test(s, "uniform_pos extremes", test_uniform_pos_extremes);
    CU_add_test(s, "mix64 and FNV-1a vectors", test_hashes);
    CU_add_test(s, "stream deterministic", test_stream_deterministic);
    CU_add_test(s, "streams independent", test_stream_independent);
}
