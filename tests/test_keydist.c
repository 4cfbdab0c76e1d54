/* Unit tests for sim/core/keydist: Zipf sampling against its pmf (per-rank frequencies and a
 * chi-square over all ranks), the Zipf normaliser, a 10^9-key Zipf, uniform and hot-spot shares,
 * descriptions and parameter validation.
 *
 * Tolerances: a frequency over N draws of an outcome with probability p has standard error
 * sqrt(p (1 - p) / N); checks allow 5 SE (a correct sampler fails with probability < 1e-6 per
 * check; seeds are fixed, so runs are reproducible). */
#include <CUnit/CUnit.h>
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keydist.h"

void test_keydist_register(void);

static int within_5se(double count, double draws, double p) {
    return fabs(count / draws - p) < 5 * sqrt(p * (1 - p) / draws);
}

/* Draw `draws` keys from a Zipf(n, s) with n small enough for a count table, check ranks 0..9
 * within 5 SE of the pmf, and Pearson's chi-square over all ranks, binned so that every bin
 * expects >= 100 draws (consecutive ranks merged; a short last bin joins the one before), below
 * the chi-square quantile at 1 - 1e-3 with bins - 1 degrees of freedom (GSL). */
static void check_zipf_fit(uint64_t n, double s, long draws, const char *seed_name) {
    struct keydist k;
    struct rng r;
    long *count = calloc(n, sizeof *count);
    double chi2 = 0, obs = 0, expect = 0, last_obs = 0, last_exp = 0, crit;
    int bins = 0;

    CU_ASSERT_EQUAL_FATAL(keydist_zipf(&k, n, s, NULL), 0);
    rng_stream(&r, 77, "test_keydist", seed_name);
    for (long i = 0; i < draws; i++) {
        uint64_t key = keydist_sample(&k, &r);
        CU_ASSERT_FATAL(key < n);
        count[key]++;
    }
    for (uint64_t i = 0; i < 10 && i < n; i++) {
        if (!within_5se((double)count[i], (double)draws, keydist_pmf(&k, i)))
            printf("\n  zipf(%g) rank %d: %g vs %g\n", s, (int)i, (double)count[i] / draws,
                   keydist_pmf(&k, i));
        CU_ASSERT(within_5se((double)count[i], (double)draws, keydist_pmf(&k, i)));
    }
    for (uint64_t i = 0; i < n; i++) {
        obs += (double)count[i];
        expect += keydist_pmf(&k, i) * (double)draws;
        if (expect >= 100 || i == n - 1) {
            if (expect < 100 && bins > 0) {
                /* Fold the short last bin into the previous one. */
                chi2 -= (last_obs - last_exp) * (last_obs - last_exp) / last_exp;
                obs += last_obs;
                expect += last_exp;
                bins--;
            }
            chi2 += (obs - expect) * (obs - expect) / expect;
            bins++;
            last_obs = obs;
            last_exp = expect;
            obs = expect = 0;
        }
    }
    crit = gsl_cdf_chisq_Qinv(1e-3, bins - 1);
    if (chi2 >= crit) printf("\n  zipf(%g): chi2 %g >= %g (%d bins)\n", s, chi2, crit, bins);
    CU_ASSERT(chi2 < crit);
    CU_ASSERT(bins > 10);
    free(count);
}

static void test_zipf_s1(void) {
    check_zipf_fit(1000, 1.0, 1000000, "s1");
}

static void test_zipf_other_s(void) {
    check_zipf_fit(1000, 0.5, 300000, "s0.5");
    check_zipf_fit(1000, 0.99, 300000, "s0.99");
    check_zipf_fit(1000, 1.01, 300000, "s1.01");
    check_zipf_fit(1000, 2.0, 300000, "s2");
    check_zipf_fit(50, 3.5, 300000, "s3.5");
    check_zipf_fit(100000, 0.8, 1000000, "s0.8_big");
}

static void test_zipf_pmf_sums_to_1(void) {
    static const double ss[] = {0.3, 1.0, 1.7};
    static const uint64_t ns[] = {1, 2, 1000, 20000};

    for (size_t i = 0; i < sizeof ss / sizeof ss[0]; i++)
        for (size_t j = 0; j < sizeof ns / sizeof ns[0]; j++) {
            struct keydist k;
            double sum = 0;
            CU_ASSERT_EQUAL_FATAL(keydist_zipf(&k, ns[j], ss[i], NULL), 0);
            for (uint64_t key = ns[j]; key-- > 0;)
                sum += keydist_pmf(&k, key);
            CU_ASSERT(fabs(sum - 1) < 1e-12);
            CU_ASSERT_EQUAL(keydist_pmf(&k, ns[j]), 0);
        }
}

/* The Euler–Maclaurin normaliser (n > 10^4) against a compensated direct sum at n = 10^7. */
static void test_zipf_normaliser(void) {
    static const double ss[] = {0.2, 1.0, 1.5};
    const uint64_t n = 10000000;

    for (size_t i = 0; i < sizeof ss / sizeof ss[0]; i++) {
        struct keydist k;
        double sum = 0, comp = 0;
        for (uint64_t j = n; j >= 1; j--) { /* Kahan summation, smallest terms first */
            double y = pow((double)j, -ss[i]) - comp, t = sum + y;
            comp = (t - sum) - y;
            sum = t;
        }
        CU_ASSERT_EQUAL_FATAL(keydist_zipf(&k, n, ss[i], NULL), 0);
        if (fabs(keydist_pmf(&k, 0) * sum - 1) >= 1e-12)
            printf("\n  zipf(%g) H(1e7): rel err %g\n", ss[i], keydist_pmf(&k, 0) * sum - 1);
        CU_ASSERT(fabs(keydist_pmf(&k, 0) * sum - 1) < 1e-12);
    }
}

/* 10^9 keys, s = 1: every draw in range; rank 0 and rank 1 frequencies match the pmf; the
 * share of ranks >= 10^8 matches 1 - H(10^8)/H(10^9), with H(n) = 1/pmf_n(0). */
static void test_zipf_billion(void) {
    const uint64_t n = 1000000000;
    const long draws = 1000000;
    struct keydist k, k8;
    struct rng r;
    long c0 = 0, c1 = 0, tail = 0;
    double p_tail;

    CU_ASSERT_EQUAL_FATAL(keydist_zipf(&k, n, 1.0, NULL), 0);
    CU_ASSERT_EQUAL_FATAL(keydist_zipf(&k8, n / 10, 1.0, NULL), 0);
    p_tail = 1 - keydist_pmf(&k, 0) / keydist_pmf(&k8, 0);
    rng_stream(&r, 5, "test_keydist", "billion");
    for (long i = 0; i < draws; i++) {
        uint64_t key = keydist_sample(&k, &r);
        CU_ASSERT_FATAL(key < n);
        c0 += key == 0;
        c1 += key == 1;
        tail += key >= n / 10;
    }
    CU_ASSERT(within_5se((double)c0, (double)draws, keydist_pmf(&k, 0)));
    CU_ASSERT(within_5se((double)c1, (double)draws, keydist_pmf(&k, 1)));
    CU_ASSERT(within_5se((double)tail, (double)draws, p_tail));
    /* H(10^9, 1) = ln(10^9) + Euler's gamma + 1/(2n) - ... = 21.300481502 */
    CU_ASSERT(fabs(1 / keydist_pmf(&k, 0) - 21.30048150234794) < 1e-9);
}

static void test_zipf_n1(void) {
    struct keydist k;
    struct rng r;

    CU_ASSERT_EQUAL_FATAL(keydist_zipf(&k, 1, 1.0, NULL), 0);
    rng_seed(&r, 1, 1);
    for (int i = 0; i < 1000; i++)
        CU_ASSERT_EQUAL(keydist_sample(&k, &r), 0);
    CU_ASSERT_EQUAL(keydist_pmf(&k, 0), 1);
}

static void test_uniform(void) {
    const long draws = 1000000;
    long count[10] = {0};
    struct keydist k;
    struct rng r;
    double mean = 0;
    const double big = 1e12;

    CU_ASSERT_EQUAL_FATAL(keydist_uniform(&k, 10, NULL), 0);
    rng_seed(&r, 3, 4);
    for (long i = 0; i < draws; i++) {
        uint64_t key = keydist_sample(&k, &r);
        CU_ASSERT_FATAL(key < 10);
        count[key]++;
    }
    for (int i = 0; i < 10; i++) {
        CU_ASSERT(within_5se((double)count[i], (double)draws, 0.1));
        CU_ASSERT_EQUAL(keydist_pmf(&k, (uint64_t)i), 0.1);
    }
    CU_ASSERT_EQUAL(keydist_pmf(&k, 10), 0);

    /* n above 2^32 takes the 64-bit path: mean (n - 1)/2, SE n / sqrt(12 draws). */
    CU_ASSERT_EQUAL_FATAL(keydist_uniform(&k, (uint64_t)big, NULL), 0);
    for (long i = 0; i < draws; i++) {
        uint64_t key = keydist_sample(&k, &r);
        CU_ASSERT_FATAL(key < (uint64_t)big);
        mean += (double)key / draws;
    }
    CU_ASSERT(fabs(mean - (big - 1) / 2) < 5 * big / sqrt(12.0 * draws));
}

static void test_hotspot(void) {
    const long draws = 1000000;
    struct keydist k;
    struct rng r;
    long hot = 0, key7 = 0, key900 = 0;
    double sum = 0;

    CU_ASSERT_EQUAL_FATAL(keydist_hotspot(&k, 1000, 0.2, 0.8, NULL), 0);
    rng_seed(&r, 5, 6);
    for (long i = 0; i < draws; i++) {
        uint64_t key = keydist_sample(&k, &r);
        CU_ASSERT_FATAL(key < 1000);
        hot += key < 200;
        key7 += key == 7;
        key900 += key == 900;
    }
    CU_ASSERT(within_5se((double)hot, (double)draws, 0.8));
    CU_ASSERT(within_5se((double)key7, (double)draws, 0.8 / 200));
    CU_ASSERT(within_5se((double)key900, (double)draws, 0.2 / 800));
    CU_ASSERT(fabs(keydist_pmf(&k, 0) - 0.8 / 200) < 1e-15);
    CU_ASSERT(fabs(keydist_pmf(&k, 999) - 0.2 / 800) < 1e-15);
    for (uint64_t i = 0; i < 1000; i++)
        sum += keydist_pmf(&k, i);
    CU_ASSERT(fabs(sum - 1) < 1e-12);

    /* hot_share 1: only hot keys; 0: never. */
    CU_ASSERT_EQUAL_FATAL(keydist_hotspot(&k, 1000, 0.01, 1, NULL), 0);
    for (int i = 0; i < 10000; i++)
        CU_ASSERT(keydist_sample(&k, &r) < 10);
    CU_ASSERT_EQUAL_FATAL(keydist_hotspot(&k, 1000, 0.01, 0, NULL), 0);
    for (int i = 0; i < 10000; i++)
        CU_ASSERT(keydist_sample(&k, &r) >= 10);
}

static void test_deterministic(void) {
    struct keydist k;
    struct rng a, b;

    CU_ASSERT_EQUAL_FATAL(keydist_zipf(&k, 1000000, 0.99, NULL), 0);
    rng_stream(&a, 1, "x", "keys");
    rng_stream(&b, 1, "x", "keys");
    for (int i = 0; i < 10000; i++)
        CU_ASSERT_EQUAL(keydist_sample(&k, &a), keydist_sample(&k, &b));
}

static void test_invalid(void) {
    struct keydist k = {.kind = KEYDIST_UNIFORM, .n = 42};
    struct err e;

    e.msg[0] = '\0';
    CU_ASSERT_EQUAL(keydist_uniform(&k, 0, &e), -1);
    CU_ASSERT(e.msg[0] != '\0');
    CU_ASSERT_EQUAL(keydist_zipf(&k, 0, 1, &e), -1);
    CU_ASSERT_EQUAL(keydist_zipf(&k, KEYDIST_ZIPF_MAX_N + 1, 1, &e), -1);
    CU_ASSERT_EQUAL(keydist_zipf(&k, 10, 0, &e), -1);
    CU_ASSERT(strstr(e.msg, "s must be > 0") != NULL);
    CU_ASSERT_EQUAL(keydist_zipf(&k, 10, -1, &e), -1);
    CU_ASSERT_EQUAL(keydist_zipf(&k, 10, NAN, &e), -1);
    CU_ASSERT_EQUAL(keydist_zipf(&k, 10, INFINITY, &e), -1);
    CU_ASSERT_EQUAL(keydist_hotspot(&k, 1, 0.5, 0.5, &e), -1);
    CU_ASSERT_EQUAL(keydist_hotspot(&k, 100, 0, 0.5, &e), -1);
    CU_ASSERT_EQUAL(keydist_hotspot(&k, 100, 1, 0.5, &e), -1);
    CU_ASSERT_EQUAL(keydist_hotspot(&k, 100, 0.2, -0.1, &e), -1);
    CU_ASSERT_EQUAL(keydist_hotspot(&k, 100, 0.2, 1.1, &e), -1);
    CU_ASSERT_EQUAL(keydist_hotspot(&k, 100, 0.2, NAN, &e), -1);
    CU_ASSERT_EQUAL(keydist_hotspot(&k, 1000, 0.0001, 0.5, &e), -1);
    CU_ASSERT(strstr(e.msg, "rounds to 0 keys") != NULL);
    CU_ASSERT(k.kind == KEYDIST_UNIFORM && k.n == 42); /* untouched on error */
    CU_ASSERT_EQUAL(keydist_uniform(&k, 0, NULL), -1);
}

static void test_describe(void) {
    char buf[128];
    struct keydist k;

    keydist_zipf(&k, 1000, 1.0, NULL);
    CU_ASSERT_STRING_EQUAL(keydist_describe(&k, buf, sizeof buf), "zipf(n=1000, s=1)");
    keydist_uniform(&k, 10, NULL);
    CU_ASSERT_STRING_EQUAL(keydist_describe(&k, buf, sizeof buf), "uniform(n=10)");
    keydist_hotspot(&k, 1000, 0.2, 0.8, NULL);
    CU_ASSERT_STRING_EQUAL(keydist_describe(&k, buf, sizeof buf),
                           "hotspot(n=1000, hot_keys=0.2 (200 keys), hot_share=0.8)");
}

void test_keydist_register(void) {
    CU_pSuite s = CU_add_suite("keydist", NULL, NULL);

    CU_add_test(s, "zipf s=1 n=1000 fit", test_zipf_s1);
    CU_add_test(s, "zipf other s fit", test_zipf_other_s);
    CU_add_test(s, "zipf pmf sums to 1", test_zipf_pmf_sums_to_1);
    CU_add_test(s, "zipf normaliser vs direct sum", test_zipf_normaliser);
    CU_add_test(s, "zipf 10^9 keys", test_zipf_billion);
    CU_add_test(s, "zipf n=1", test_zipf_n1);
    CU_add_test(s, "uniform", test_uniform);
    CU_add_test(s, "hotspot", test_hotspot);
    CU_add_test(s, "deterministic", test_deterministic);
    CU_add_test(s, "invalid parameters rejected", test_invalid);
    CU_add_test(s, "describe", test_describe);
}
