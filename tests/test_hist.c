/*
 * Tests for sim/stats/hist: layout (HdrHistogram counts index computed here by a separate
 * loop), nearest-rank percentiles against sorted samples, exact merge, cheap reset, exact
 * mean, saturation, drain (merge + percentiles + reset in one pass).
 */
#include <CUnit/CUnit.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "hist.h"
#include "xmalloc.h"

void test_hist_register(void);

/* HdrHistogram counts index of v for unit magnitude 0, sub_bucket_count 2048, found by
 * searching for the bucket instead of counting leading zeros. */
static size_t ref_index(int64_t v) {
    int b = 0;
    while (v >= (INT64_C(2048) << b))
        b++;
    return (size_t)(b + 1) * 1024 + (size_t)((v >> b) - 1024);
}

/* splitmix64 (Steele, Lea & Flood 2014) over a caller-owned state: test data only. */
static uint64_t next_u64(uint64_t *s) {
    uint64_t z = (*s += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

/* A random value spread over many orders of magnitude: uniform 64 bits shifted right by
 * shift_min + (0 .. spread-1). Two calls in sequence, so the result is the same on every
 * compiler (argument evaluation order is unspecified). */
static int64_t log_spread(uint64_t *s, unsigned shift_min, unsigned spread) {
    uint64_t bits = next_u64(s);
    unsigned shift = shift_min + (unsigned)(next_u64(s) % spread);
    return (int64_t)(bits >> shift);
}

static int cmp_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Nearest rank for p = pm / 1000 % in integers: ceil(pm * n / 100000), at least 1. */
static int64_t exact_pct(const int64_t *sorted, size_t n, uint64_t pm) {
    uint64_t rank = (pm * n + 99999) / 100000;
    if (rank == 0) rank = 1;
    return sorted[rank - 1];
}

static void check_pct(const struct hist *h, const int64_t *sorted, size_t n, uint64_t pm) {
    int64_t x = exact_pct(sorted, n, pm);
    int64_t got = hist_percentile(h, (double)pm / 1000.0);
    CU_ASSERT(got >= x); /* highest value of x's bucket, never below x */
    CU_ASSERT((double)(got - x) <= 0.001 * (double)x);
}

static void test_layout(void) {
    const int64_t vals[] = {0,    1,    1023, 1024,    2047,      2048,           2049,
                            4095, 4096, 4097, 1000000, 999999999, HIST_HIGHEST_NS};
    struct hist *h = hist_new();
    struct hist_iter it;
    uint64_t seed = 1;

    CU_ASSERT_EQUAL(hist_bucket_total(), (size_t)33 * 1024);
    CU_ASSERT(ref_index(HIST_HIGHEST_NS) < hist_bucket_total());
    for (size_t k = 0; k < sizeof vals / sizeof vals[0] + 2000; k++) {
        int64_t v = k < sizeof vals / sizeof vals[0]
                        ? vals[k]
                        : log_spread(&seed, 22, 42) % (HIST_HIGHEST_NS + 1);
        hist_reset(h);
        hist_record(h, v);
        it = (struct hist_iter){0};
        CU_ASSERT_FATAL(hist_next(h, &it));
        CU_ASSERT_EQUAL(it.index - 1, ref_index(v));
        CU_ASSERT(it.lo <= v && v <= it.hi);
        CU_ASSERT_EQUAL(it.count, 1);
        /* width 1 below 2048, else 2^(floor(log2 v) - 10): at most lo / 1024 */
        if (v < 2048) {
            CU_ASSERT_EQUAL(it.hi, it.lo);
        } else {
            CU_ASSERT((it.hi - it.lo + 1) * 1024 <= it.lo);
        }
        CU_ASSERT_FALSE(hist_next(h, &it));
    }
    hist_free(h);
}

/* One value at the bottom of every counter up to HIST_HIGHEST_NS: consecutive counters,
 * contiguous inclusive ranges, no gaps. */
static void test_every_counter(void) {
    struct hist *h = hist_new();
    struct hist_iter it = {0};
    size_t n = 0, expect_index = 0;
    int64_t expect_lo = 0;

    for (int64_t v = 0; v < 2048; v++)
        hist_record(h, v);
    for (int b = 1; b < HIST_BUCKET_COUNT; b++)
        for (int64_t s = 1024; s < 2048 && (s << b) <= HIST_HIGHEST_NS; s++)
            hist_record(h, s << b);
    while (hist_next(h, &it)) {
        CU_ASSERT_EQUAL(it.index - 1, expect_index);
        CU_ASSERT_EQUAL(it.lo, expect_lo);
        CU_ASSERT_EQUAL(it.count, 1);
        expect_index++;
        expect_lo = it.hi + 1;
        n++;
    }
    CU_ASSERT_EQUAL(n, hist_count(h));
    CU_ASSERT_EQUAL(n, ref_index(HIST_HIGHEST_NS) + 1);
    hist_free(h);
}

static void test_percentile_linear(void) {
    const size_t n = 100000;
    const uint64_t pms[] = {1, 1000, 10000, 25000, 50000, 75000, 90000, 99000, 99900, 99990};
    int64_t *v = xmalloc(n * sizeof *v);
    struct hist *h = hist_new();

    for (size_t i = 0; i < n; i++) {
        v[i] = (int64_t)(i + 1) * 1000; /* 1 .. 100000 us */
        hist_record(h, v[i]);
    }
    for (size_t k = 0; k < sizeof pms / sizeof pms[0]; k++)
        check_pct(h, v, n, pms[k]);
    /* Exact nearest ranks: p50 = 50000 us, p99.9 = 99900 us. */
    CU_ASSERT(fabs((double)hist_percentile(h, 50.0) / 50000000.0 - 1.0) <= 0.001);
    CU_ASSERT(fabs((double)hist_percentile(h, 99.9) / 99900000.0 - 1.0) <= 0.001);
    CU_ASSERT_EQUAL(hist_percentile(h, 0.0), 1000);
    CU_ASSERT_EQUAL(hist_percentile(h, 100.0), 100000000);
    CU_ASSERT_EQUAL(hist_min(h), 1000);
    CU_ASSERT_EQUAL(hist_max(h), 100000000);
    CU_ASSERT_EQUAL(hist_count(h), n);
    CU_ASSERT_DOUBLE_EQUAL(hist_mean(h), 50000500.0, 1e-6);
    free(v);
    hist_free(h);
}

/* Heavy-tailed random samples spanning ns to minutes; every 0.1 % step from 0 to 100. */
static void test_percentile_random(void) {
    const size_t n = 50000;
    int64_t *v = xmalloc(n * sizeof *v);
    struct hist *h = hist_new();
    uint64_t seed = 42;

    for (size_t i = 0; i < n; i++) {
        v[i] = log_spread(&seed, 28, 36);
        hist_record(h, v[i]);
    }
    qsort(v, n, sizeof *v, cmp_i64);
    for (uint64_t pm = 0; pm <= 100000; pm += 100)
        check_pct(h, v, n, pm);
    CU_ASSERT_EQUAL(hist_percentile(h, 0.0), v[0]);
    CU_ASSERT_EQUAL(hist_percentile(h, 100.0), v[n - 1]);
    free(v);
    hist_free(h);
}

/* Small exact cases: nearest rank of {10, 20, 30, 40} (all below 2048, so exact). */
static void test_percentile_small(void) {
    struct hist *h = hist_new();

    CU_ASSERT_EQUAL(hist_percentile(h, 50.0), 0); /* empty */
    for (int64_t v = 10; v <= 40; v += 10)
        hist_record(h, v);
    CU_ASSERT_EQUAL(hist_percentile(h, 25.0), 10);  /* rank 1 */
    CU_ASSERT_EQUAL(hist_percentile(h, 25.1), 20);  /* rank 2 */
    CU_ASSERT_EQUAL(hist_percentile(h, 50.0), 20);  /* rank 2 */
    CU_ASSERT_EQUAL(hist_percentile(h, 75.0), 30);  /* rank 3 */
    CU_ASSERT_EQUAL(hist_percentile(h, 99.99), 40); /* rank 4 */
    CU_ASSERT_EQUAL(hist_percentile(h, 0.0), 10);
    hist_free(h);
}

static void assert_same(const struct hist *a, const struct hist *b) {
    struct hist_iter ia = {0}, ib = {0};
    int ra, rb;

    CU_ASSERT_EQUAL(hist_count(a), hist_count(b));
    CU_ASSERT_EQUAL(hist_saturated(a), hist_saturated(b));
    CU_ASSERT_EQUAL(hist_min(a), hist_min(b));
    CU_ASSERT_EQUAL(hist_max(a), hist_max(b));
    if (hist_count(a)) {
        CU_ASSERT_EQUAL(hist_mean(a), hist_mean(b));
    }
    do {
        ra = hist_next(a, &ia);
        rb = hist_next(b, &ib);
        CU_ASSERT_EQUAL(ra, rb);
        if (ra && rb) {
            CU_ASSERT_EQUAL(ia.index, ib.index);
            CU_ASSERT_EQUAL(ia.lo, ib.lo);
            CU_ASSERT_EQUAL(ia.hi, ib.hi);
            CU_ASSERT_EQUAL(ia.count, ib.count);
        }
    } while (ra && rb);
}

static void test_merge(void) {
    struct hist *a = hist_new(), *b = hist_new(), *u = hist_new(), *e = hist_new();
    uint64_t seed = 7;

    for (int i = 0; i < 20000; i++) {
        int64_t v = log_spread(&seed, 24, 40);
        struct hist *side = i % 3 ? a : b;
        if (i == 5) v = HIST_HIGHEST_NS + 5; /* a saturated one on one side */
        hist_record(side, v);
        hist_record(u, v);
    }
    hist_merge(a, b);
    assert_same(a, u);
    hist_merge(a, e); /* empty source: no change */
    assert_same(a, u);
    hist_merge(e, u); /* into empty */
    assert_same(e, u);
    hist_merge(e, e); /* self: doubles every count */
    CU_ASSERT_EQUAL(hist_count(e), 2 * hist_count(u));
    CU_ASSERT_DOUBLE_EQUAL(hist_mean(e), hist_mean(u), 1e-9 * hist_mean(u));
    CU_ASSERT_EQUAL(hist_percentile(e, 99.0), hist_percentile(u, 99.0));
    hist_free(a);
    hist_free(b);
    hist_free(u);
    hist_free(e);
}

/* hist_drain against its definition: the percentiles hist_percentiles gives src before the
 * move, dst equal to hist_merge of both, src equal to a fresh histogram. Cases: percentiles
 * at 0 and 100 (the exact min and max), several in one counter (a constant sample), more than
 * the walk tracks (falls back), an empty src, a dst that already holds values, and small
 * samples where one rank falls in each block. */
static void test_drain(void) {
    static const double ps[] = {0.0, 1.0, 50.0, 90.0, 99.0, 99.9, 100.0};
    static const double many[] = {1, 5, 10, 20, 30, 40, 50, 60, 70, 80, 90, 99};
    struct hist *src = hist_new(), *dst = hist_new(), *ref = hist_new(), *fresh = hist_new();
    int64_t want[12], got[12];
    uint64_t seed = 11;

    for (int round = 0; round < 6; round++) {
        size_t n = round == 0 ? 0 : round == 1 ? 1 : round == 2 ? 3 : round == 3 ? 700 : 20000;
        for (size_t i = 0; i < n; i++)
            hist_record(src, round == 2 ? 5000 : log_spread(&seed, 30, 34));
        hist_copy(ref, dst);
        hist_merge(ref, src);
        if (round == 5) {
            hist_percentiles(src, many, 12, want);
            hist_drain(dst, src, many, 12, got);
            for (int k = 0; k < 12; k++)
                CU_ASSERT_EQUAL(got[k], want[k]);
        } else {
            hist_percentiles(src, ps, 7, want);
            hist_drain(dst, src, ps, 7, got);
            for (int k = 0; k < 7; k++)
                CU_ASSERT_EQUAL(got[k], want[k]);
        }
        assert_same(dst, ref);
        /* dst's block sums, which percentile walks skip by, were kept too */
        hist_percentiles(ref, many, 12, want);
        hist_percentiles(dst, many, 12, got);
        for (int k = 0; k < 12; k++)
            CU_ASSERT_EQUAL(got[k], want[k]);
        assert_same(src, fresh);
        CU_ASSERT_EQUAL(hist_min(src), 0);
        CU_ASSERT_EQUAL(hist_max(src), 0);
    }
    hist_record(src, 42); /* no percentiles wanted */
    hist_copy(ref, dst);
    hist_merge(ref, src);
    hist_drain(dst, src, NULL, 0, NULL);
    assert_same(dst, ref);
    assert_same(src, fresh);
    hist_free(src);
    hist_free(dst);
    hist_free(ref);
    hist_free(fresh);
}

static void test_copy_and_record_n(void) {
    struct hist *a = hist_new(), *b = hist_new(), *c = hist_new();

    hist_record_n(a, 12345, 5);
    hist_record_n(a, 7, 0); /* no-op: min stays 12345 */
    hist_record_n(a, 3000000, 2);
    for (int i = 0; i < 5; i++)
        hist_record(b, 12345);
    hist_record(b, 3000000);
    hist_record(b, 3000000);
    assert_same(a, b);
    CU_ASSERT_EQUAL(hist_min(a), 12345);

    hist_record(c, 1); /* copy must clear c's old contents, whatever their range */
    hist_record(c, HIST_HIGHEST_NS);
    hist_copy(c, a);
    assert_same(c, a);
    hist_copy(c, c);
    assert_same(c, a);
    hist_free(a);
    hist_free(b);
    hist_free(c);
}

static void test_reset(void) {
    struct hist *h = hist_new(), *fresh = hist_new();
    struct hist_iter it = {0};

    hist_record(h, 1500);
    hist_record(h, 1600000);
    hist_record(h, HIST_HIGHEST_NS * 2);
    hist_reset(h);
    CU_ASSERT_EQUAL(hist_count(h), 0);
    CU_ASSERT_EQUAL(hist_saturated(h), 0);
    CU_ASSERT_EQUAL(hist_min(h), 0);
    CU_ASSERT_EQUAL(hist_max(h), 0);
    CU_ASSERT(isnan(hist_mean(h)));
    CU_ASSERT(isnan(hist_stddev(h)));
    CU_ASSERT_EQUAL(hist_percentile(h, 99.0), 0);
    CU_ASSERT_FALSE(hist_next(h, &it));
    hist_reset(h); /* reset of an empty histogram */
    /* After reset it behaves like a new one. */
    hist_record(h, 2500);
    hist_record(fresh, 2500);
    assert_same(h, fresh);
    /* Many interval resets of a few touched buckets (the every-simulated-second case). */
    for (int i = 0; i < 100000; i++) {
        hist_record(h, 1000000 + i % 1000);
        hist_reset(h);
    }
    CU_ASSERT_EQUAL(hist_count(h), 0);
    hist_free(h);
    hist_free(fresh);
}

static void test_mean_exact(void) {
    struct hist *h = hist_new();

    /* Values in one wide bucket: the mean is exact, not the bucket middle. */
    hist_record(h, 1000000001);
    hist_record(h, 1000000002);
    hist_record(h, 1000000006);
    CU_ASSERT_EQUAL(hist_mean(h), 1000000003.0);
    /* Sum beyond 2^64: 2^40 samples of 1 h plus 2^40 of 1 ns; mean (3.6e12 + 1) / 2. */
    hist_reset(h);
    hist_record_n(h, HIST_HIGHEST_NS, UINT64_C(1) << 40);
    hist_record_n(h, 1, UINT64_C(1) << 40);
    CU_ASSERT_DOUBLE_EQUAL(hist_mean(h), 1800000000000.5, 1e-3);
    CU_ASSERT_EQUAL(hist_count(h), UINT64_C(1) << 41);
    hist_free(h);
}

static void test_stddev(void) {
    struct hist *h = hist_new();
    double mean = 50000.5e3, var = 0;

    hist_record(h, 1000);
    hist_record(h, 1002);
    CU_ASSERT_DOUBLE_EQUAL(hist_stddev(h), 1.0, 1e-12); /* exact below 2048 */
    hist_reset(h);
    for (int64_t i = 1; i <= 100000; i++) {
        hist_record(h, i * 1000);
        var += ((double)i * 1000 - mean) * ((double)i * 1000 - mean);
    }
    CU_ASSERT(fabs(hist_stddev(h) / sqrt(var / 100000) - 1.0) < 0.001);
    hist_free(h);
}

static void test_saturation(void) {
    struct hist *h = hist_new();

    hist_record(h, 5);
    hist_record(h, HIST_HIGHEST_NS);     /* at the limit: not saturated */
    hist_record(h, HIST_HIGHEST_NS + 1); /* clamped */
    hist_record_n(h, INT64_MAX, 3);      /* clamped */
    CU_ASSERT_EQUAL(hist_count(h), 6);
    CU_ASSERT_EQUAL(hist_saturated(h), 4);
    CU_ASSERT_EQUAL(hist_max(h), HIST_HIGHEST_NS);
    CU_ASSERT_EQUAL(hist_percentile(h, 100.0), HIST_HIGHEST_NS);
    CU_ASSERT_EQUAL(hist_percentile(h, 90.0), HIST_HIGHEST_NS);
    CU_ASSERT_EQUAL(hist_min(h), 5);
    CU_ASSERT_DOUBLE_EQUAL(hist_mean(h), (5.0 + 5 * 3.6e12) / 6, 1e-3);
    hist_free(h);
}

void test_hist_register(void) {
    CU_pSuite s = CU_add_suite("hist", NULL, NULL);
    if (!s) return;
    CU_add_test(s, "layout matches HdrHistogram", test_layout);
    CU_add_test(s, "every counter contiguous", test_every_counter);
    CU_add_test(s, "percentiles of 1..100000 us", test_percentile_linear);
    CU_add_test(s, "percentiles of random samples", test_percentile_random);
    CU_add_test(s, "nearest rank small", test_percentile_small);
    CU_add_test(s, "merge equals union", test_merge);
    CU_add_test(s, "drain: percentiles, merge and reset in one pass", test_drain);
    CU_add_test(s, "copy and record_n", test_copy_and_record_n);
    CU_add_test(s, "reset", test_reset);
    CU_add_test(s, "mean exact", test_mean_exact);
    CU_add_test(s, "stddev", test_stddev);
    CU_add_test(s, "saturation", test_saturation);
}
