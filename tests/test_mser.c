/*
 * Tests for sim/run/mser: MSER-5 and MSER-1 truncation points of hand-made series whose
 * statistic was computed by hand (the arithmetic is in the comments), ties, the end of the
 * search range, series too short, the partial batch at the end; and warm-up auto end to end
 * on a deterministic transient whose end is known exactly.
 */
#include <CUnit/CUnit.h>
#include <math.h>
#include <string.h>

#include "mser.h"
#include "run.h"

void test_mser_register(void);

/* 10 values of 20 (the transient), then 30 values alternating 1, 3 (steady state, mean 2).
 * Batches of 5: Z = 20, 20, 1.8, 2.2, 1.8, 2.2, 1.8, 2.2 (1,3,1,3,1 -> 9/5; 3,1,3,1,3 -> 11/5);
 * k = 8, the search covers d = 0 .. floor(7/2) = 3.
 *   d = 3: Z = 2.2 1.8 2.2 1.8 2.2, mean 2.04, SS = 3 (0.16)^2 + 2 (0.24)^2 = 0.192,
 *          MSER = 0.192 / 25 = 0.00768
 *   d = 2: Z = (1.8 2.2) x 3, mean 2, SS = 6 (0.2)^2 = 0.24, MSER = 0.24 / 36 = 0.0066667
 *   d = 1: Z = 20 and six steady batches, mean 32/7, SS = 277.94..., MSER = 5.67...
 *   d = 0: larger still.
 * So d = 2: cut 10 values, which is exactly where the transient ends. */
static void fill_transient(double *x, size_t n) {
    for (size_t i = 0; i < n; i++)
        x[i] = i < 10 ? 20 : (i % 2 == 0 ? 1 : 3);
}

static void test_mser5_hand(void) {
    double x[40];
    struct run_mser m;

    fill_transient(x, 40);
    CU_ASSERT_EQUAL(run_mser(x, 40, 5, &m), 0);
    CU_ASSERT_EQUAL(m.batches, 8);
    CU_ASSERT_EQUAL(m.d, 2);
    CU_ASSERT_EQUAL(m.cut, 10);
    CU_ASSERT_DOUBLE_EQUAL(m.stat, 0.24 / 36, 1e-12);
    CU_ASSERT_EQUAL(m.at_limit, 0);
}

static void test_mser_partial_batch_ignored(void) {
    double x[43];
    struct run_mser m;

    /* Three more values at the end, wildly off: not a whole batch, so not looked at. */
    fill_transient(x, 40);
    x[40] = x[41] = x[42] = 1e6;
    CU_ASSERT_EQUAL(run_mser(x, 43, 5, &m), 0);
    CU_ASSERT_EQUAL(m.batches, 8);
    CU_ASSERT_EQUAL(m.cut, 10);
}

static void test_mser_ties_and_constant(void) {
    double x[50];
    struct run_mser m;

    /* A constant series: MSER(d) = 0 for every d; the smallest d wins. */
    for (size_t i = 0; i < 50; i++)
        x[i] = 7.5;
    CU_ASSERT_EQUAL(run_mser(x, 50, 5, &m), 0);
    CU_ASSERT_EQUAL(m.d, 0);
    CU_ASSERT_EQUAL(m.cut, 0);
    CU_ASSERT_DOUBLE_EQUAL(m.stat, 0, 0);
    /* A step: batches 0-1 at 9, the rest at 1: MSER(d) = 0 from d = 2 on, > 0 before. */
    for (size_t i = 0; i < 50; i++)
        x[i] = i < 10 ? 9 : 1;
    CU_ASSERT_EQUAL(run_mser(x, 50, 5, &m), 0);
    CU_ASSERT_EQUAL(m.d, 2);
    CU_ASSERT_EQUAL(m.cut, 10);
}

static void test_mser1_trend_at_limit(void) {
    double x[10];
    struct run_mser m;

    /* x = 0..9, batch 1, k = 10, d in 0..4. The tail after d holds m = 10 - d consecutive
     * integers: SS = m (m^2 - 1) / 12, MSER = (m^2 - 1) / (12 m), increasing in m, so the
     * smallest m wins: d = 4, m = 6, MSER = 35 / 72; at the end of the range (no steady
     * state in a trend). */
    for (size_t i = 0; i < 10; i++)
        x[i] = (double)i;
    CU_ASSERT_EQUAL(run_mser(x, 10, 1, &m), 0);
    CU_ASSERT_EQUAL(m.d, 4);
    CU_ASSERT_EQUAL(m.cut, 4);
    CU_ASSERT_DOUBLE_EQUAL(m.stat, 35.0 / 72.0, 1e-12);
    CU_ASSERT_EQUAL(m.at_limit, 1);
}

static void test_mser1_hand(void) {
    /* MSER-1 on 5, 1, 2, 1, 2, 1, 2 (k = 7, d in 0..3):
     *   d = 0: mean 2, SS = 9 + 1+0+1+0+1+0 = 12, MSER = 12/49 = 0.2449
     *   d = 1: mean 1.5, SS = 6 x 0.25 = 1.5, MSER = 1.5/36 = 0.041667
     *   d = 2: 2 1 2 1 2: mean 1.6, SS = 3 (0.16) + 2 (0.36) = 1.2, MSER = 1.2/25 = 0.048
     *   d = 3: 1 2 1 2: mean 1.5, SS = 1, MSER = 1/16 = 0.0625
     * so d = 1. */
    const double x[] = {5, 1, 2, 1, 2, 1, 2};
    struct run_mser m;

    CU_ASSERT_EQUAL(run_mser(x, 7, 1, &m), 0);
    CU_ASSERT_EQUAL(m.d, 1);
    CU_ASSERT_DOUBLE_EQUAL(m.stat, 1.5 / 36, 1e-12);
    CU_ASSERT_EQUAL(m.at_limit, 0);
}

static void test_mser_too_short(void) {
    double x[14];
    struct run_mser m;

    for (size_t i = 0; i < 14; i++)
        x[i] = (double)i;
    /* 14 values = 2 whole batches of 5: fewer than 3, no choice. */
    CU_ASSERT_EQUAL(run_mser(x, 14, 5, &m), -1);
    CU_ASSERT_EQUAL(m.cut, 0);
    CU_ASSERT_EQUAL(m.batches, 2);
    CU_ASSERT_EQUAL(run_mser(x, 0, 5, &m), -1);
    CU_ASSERT_EQUAL(run_mser(x, 3, 1, &m), 0); /* 3 batches of 1 is enough */
}

/* A deterministic transient (constant arrivals and service): 1400/s for 10 s into one
 * 1 ms worker builds a backlog of 10 x (1400 - 1000) = 4000 requests; at 500/s it drains at
 * 500/s, so it is gone at 18 s and every later request takes exactly 1 ms. The per-interval
 * mean latency is > 1 ms up to the interval [17, 18) and exactly 1 from [18, 19) on; batches
 * of 5 intervals: batch [15, 20) is the last one with the transient, so MSER-5 cuts at 20 s
 * (MSER(4) = 0, every earlier d > 0). */
static const char transient_yaml[] = "name: transient\n"
                                     "duration: 60s\n"
                                     "warmup: auto\n"
                                     "seed: 3\n"
                                     "workload:\n"
                                     "  arrivals: constant\n"
                                     "  phases:\n"
                                     "    - {duration: 10s, rate: 1400/s}\n"
                                     "    - {rate: 500/s}\n"
                                     "  target: api\n"
                                     "components:\n"
                                     "  api:\n"
                                     "    kind: service\n"
                                     "    workers: 1\n"
                                     "    service_time: const(1ms)\n";

static void test_warmup_auto_run(void) {
    struct run_scenario s;
    struct run_rep r, fixed;
    struct err err;
    const struct model_row *t, *tf;

    err_clear(&err);
    CU_ASSERT_FATAL(run_scenario_parse(&s, transient_yaml, "transient.yaml", NULL, 0, &err) == 0);
    CU_ASSERT_EQUAL(s.warmup_auto, 1);
    CU_ASSERT_FATAL(run_replication(&s, 0, NULL, &r, &err) == 0);
    CU_ASSERT_DOUBLE_EQUAL(r.warmup_s, 20.0, 0);
    CU_ASSERT_EQUAL(r.warmup_note, 0);
    t = &r.rows[r.nrows - 1];
    /* After the cut: 40 s at 500/s, every latency exactly 1 ms. */
    CU_ASSERT_EQUAL(t->arrivals, 20000);
    CU_ASSERT_EQUAL(t->completions, 20000);
    CU_ASSERT_DOUBLE_EQUAL(t->latency_mean_ms, 1.0, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(t->latency_max_ms, 1.0, 1e-9);
    /* The same as a run told to warm up for 20 s (same sample path, same window). */
    s.warmup_auto = 0;
    s.warmup_ns = 20000000000LL;
    CU_ASSERT_FATAL(run_replication(&s, 0, NULL, &fixed, &err) == 0);
    tf = &fixed.rows[fixed.nrows - 1];
    CU_ASSERT_EQUAL(tf->arrivals, t->arrivals);
    CU_ASSERT_EQUAL(tf->completions, t->completions);
    CU_ASSERT_EQUAL(fixed.events, r.events);
    CU_ASSERT_EQUAL(memcmp(&fixed.rows[0].utilization, &r.rows[0].utilization, sizeof(double)), 0);
    run_rep_free(&fixed);
    run_rep_free(&r);
    run_scenario_free(&s);
}

static void test_warmup_auto_too_short(void) {
    struct run_scenario s;
    struct run_rep r;
    struct err err;
    const char *set[] = {"duration=12s"};

    err_clear(&err);
    CU_ASSERT_FATAL(run_scenario_parse(&s, transient_yaml, "t.yaml", set, 1, &err) == 0);
    CU_ASSERT_FATAL(run_replication(&s, 0, NULL, &r, &err) == 0);
    CU_ASSERT_EQUAL(r.warmup_note, RUN_WARMUP_UNDETERMINED);
    CU_ASSERT_DOUBLE_EQUAL(r.warmup_s, 0, 0);
    run_rep_free(&r);
    run_scenario_free(&s);
}

void test_mser_register(void) {
    CU_pSuite s = CU_add_suite("mser", NULL, NULL);
    CU_add_test(s, "MSER-5 on a hand-made transient", test_mser5_hand);
    CU_add_test(s, "a partial last batch is ignored", test_mser_partial_batch_ignored);
    CU_add_test(s, "ties go to the smallest cut", test_mser_ties_and_constant);
    CU_add_test(s, "MSER-1 by hand", test_mser1_hand);
    CU_add_test(s, "a trend ends at the search limit", test_mser1_trend_at_limit);
    CU_add_test(s, "too short to choose", test_mser_too_short);
    CU_add_test(s, "warm-up auto on a known transient", test_warmup_auto_run);
    CU_add_test(s, "warm-up auto on a run too short", test_warmup_auto_too_short);
}
