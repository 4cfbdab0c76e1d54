/*
 * Tests for sim/stats/stats: time-weighted averages against hand-computed areas, restart
 * keeping occupancy, Welford against textbook data, Student t against table values.
 */
#include <CUnit/CUnit.h>
#include <math.h>

#include "stats.h"

void test_stats_register(void);

static void test_tw_area(void) {
    struct stats_tw t;

    /* 2 on [0,10), 4 on [10,30), 0 on [30,40): area 20 + 80 + 0 = 100 over 40 ns. */
    stats_tw_init(&t, 0, 2.0);
    CU_ASSERT_DOUBLE_EQUAL(stats_tw_mean(&t, 0), 2.0, 1e-12); /* now == start */
    stats_tw_set(&t, 10, 4.0);
    stats_tw_set(&t, 30, 0.0);
    CU_ASSERT_DOUBLE_EQUAL(stats_tw_mean(&t, 40), 2.5, 1e-12);
    /* +1 at 40, held to 50: area 100 + 10 over 50. */
    stats_tw_add(&t, 40, 1.0);
    CU_ASSERT_DOUBLE_EQUAL(stats_tw_mean(&t, 50), 2.2, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(t.value, 1.0, 0);
    /* Two changes at one instant: the first lasts 0 ns. */
    stats_tw_add(&t, 50, 5.0);
    stats_tw_add(&t, 50, -5.0);
    CU_ASSERT_DOUBLE_EQUAL(stats_tw_mean(&t, 60), 120.0 / 60.0, 1e-12);
    /* Nanosecond clock over a simulated hour: 1 busy worker for half of it. */
    stats_tw_init(&t, 0, 0.0);
    stats_tw_add(&t, 1800000000000, 1.0);
    CU_ASSERT_DOUBLE_EQUAL(stats_tw_mean(&t, 3600000000000), 0.5, 1e-12);
}

static void test_tw_restart(void) {
    struct stats_tw t;

    /* Value 3 held across the boundary averages 3 in the new window. */
    stats_tw_init(&t, 0, 0.0);
    stats_tw_add(&t, 10, 3.0);
    stats_tw_restart(&t, 100);
    CU_ASSERT_DOUBLE_EQUAL(stats_tw_mean(&t, 100), 3.0, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(stats_tw_mean(&t, 200), 3.0, 1e-12);
    /* Departures after the boundary: 3 on [100,120), 0 on [120,140) -> 60/40 = 1.5, >= 0. */
    stats_tw_add(&t, 120, -3.0);
    CU_ASSERT_DOUBLE_EQUAL(stats_tw_mean(&t, 140), 1.5, 1e-12);
    CU_ASSERT(stats_tw_mean(&t, 140) >= 0.0);
    CU_ASSERT_EQUAL(t.start_ns, 100);
}

static void test_acc(void) {
    const double x[] = {2, 4, 4, 4, 5, 5, 7, 9}; /* mean 5, sum of squares 32 */
    struct stats_acc a, big;

    stats_acc_init(&a);
    CU_ASSERT(isnan(stats_acc_mean(&a)));
    CU_ASSERT(isnan(stats_acc_var(&a)));
    stats_acc_add(&a, 1.0);
    CU_ASSERT_DOUBLE_EQUAL(stats_acc_mean(&a), 1.0, 0);
    CU_ASSERT(isnan(stats_acc_var(&a)));
    CU_ASSERT(isnan(stats_ci_halfwidth(&a, 0.95)));

    stats_acc_init(&a);
    stats_acc_init(&big);
    for (int i = 0; i < 8; i++) {
        stats_acc_add(&a, x[i]);
        stats_acc_add(&big, 1e9 + x[i]); /* large offset: Welford keeps the variance */
    }
    CU_ASSERT_EQUAL(a.n, 8);
    CU_ASSERT_DOUBLE_EQUAL(stats_acc_mean(&a), 5.0, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(stats_acc_var(&a), 32.0 / 7.0, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(stats_acc_var(&big), 32.0 / 7.0, 1e-6);
}

static void test_t_quantile(void) {
    /* Standard t table, two-sided 95 %: t_{0.975, dof}. */
    CU_ASSERT_DOUBLE_EQUAL(stats_t_quantile(0.975, 1), 12.706, 5e-4);
    CU_ASSERT_DOUBLE_EQUAL(stats_t_quantile(0.975, 4), 2.776, 5e-4);
    CU_ASSERT_DOUBLE_EQUAL(stats_t_quantile(0.975, 9), 2.262, 5e-4);
    CU_ASSERT_DOUBLE_EQUAL(stats_t_quantile(0.975, 29), 2.045, 5e-4);
    CU_ASSERT_DOUBLE_EQUAL(stats_t_quantile(0.5, 7), 0.0, 1e-12);
    CU_ASSERT(stats_t_quantile(0.025, 9) < 0);
    CU_ASSERT(isnan(stats_t_quantile(0.0, 9)));
    CU_ASSERT(isnan(stats_t_quantile(1.0, 9)));
    CU_ASSERT(isnan(stats_t_quantile(0.9, 0)));
}

static void test_ci(void) {
    struct stats_acc a;

    /* 1..10: mean 5.5, s^2 = 82.5 / 9 = 9.1667, s = 3.02765; 95 % half-width
     * 2.262157 * 3.02765 / sqrt(10) = 2.16585. */
    stats_acc_init(&a);
    for (int i = 1; i <= 10; i++)
        stats_acc_add(&a, i);
    CU_ASSERT_DOUBLE_EQUAL(stats_ci_halfwidth(&a, 0.95), 2.16585, 1e-4);
    CU_ASSERT(stats_ci_halfwidth(&a, 0.99) > stats_ci_halfwidth(&a, 0.95));
    CU_ASSERT(isnan(stats_ci_halfwidth(&a, 1.0)));
    CU_ASSERT(isnan(stats_ci_halfwidth(&a, 0.0)));
}

void test_stats_register(void) {
    CU_pSuite s = CU_add_suite("stats", NULL, NULL);
    if (!s) return;
    CU_add_test(s, "time-weighted areas", test_tw_area);
    CU_add_test(s, "restart keeps occupancy", test_tw_restart);
    CU_add_test(s, "Welford", test_acc);
    CU_add_test(s, "t quantiles", test_t_quantile);
    CU_add_test(s, "confidence interval", test_ci);
}
