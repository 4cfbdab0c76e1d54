/*
 * Tests for a service's `wakeup` (models/service.c): the dispatch latency of an idle worker.
 * Expected values are hand counts on deterministic runs (constant service times, evenly
 * spaced arrivals or a closed population without think time) and, for Poisson arrivals,
 * Welch's closed form for the M/G/1 queue whose first customer of each busy period receives
 * exceptional service (P. D. Welch, "On a generalized M/G/1 queuing process in which the first
 * customer of each busy period receives exceptional service", Operations Research 12(5), 1964),
 * written out here, not taken from the code under test.
 */
#include <CUnit/CUnit.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "calibrate.h"
#include "run.h"
#include "testutil.h"

void test_wakeup_register(void);

static int near_rel(double got, double want, double rel) {
    int ok = fabs(got - want) <= rel * fabs(want);
    if (!ok) fprintf(stderr, "\n  got %.9g, want %.9g ± %.2g%%\n", got, want, rel * 100);
    return ok;
}

/* One worker, constant 2 ms service time, a wake-up of 90 us, one request every 10 ms: each
 * finds the worker idle (it finished 7.91 ms earlier), so each takes exactly D + w = 2.09 ms,
 * and the worker is busy 2.09 ms in every 10 ms. With speed 2 the service time halves but the
 * wake-up (the operating system's, not the request's work) does not: 1.09 ms. */
static void test_idle_every_time(void) {
    static const char yaml[] =
        "name: idle\nduration: 10s\nseed: 1\n"
        "workload: {arrivals: constant, rate: 100/s, target: s}\n"
        "components:\n"
        "  s: {kind: service, workers: 1, service_time: 2ms, wakeup: 90us}\n";
    const char *fast[] = {"components.s.speed=2"};
    struct run_rep r;
    const struct model_row *s, *t;

    CU_ASSERT_FATAL(tu_run(yaml, 0, NULL, 0, 0, NULL, &r) == 0);
    s = tu_row(&r, "s");
    t = tu_row(&r, "total");
    CU_ASSERT_FATAL(s && t);
    CU_ASSERT(s->completions >= 999 && s->completions <= 1000);
    CU_ASSERT_DOUBLE_EQUAL(s->latency_mean_ms, 2.09, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(s->latency_max_ms, 2.09, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(t->latency_mean_ms, 2.09, 1e-9);
    /* busy 2.09 ms of every 10 ms: 0.209 (one request's edge effect at most: 0.0002) */
    CU_ASSERT(fabs(s->utilization - 0.209) < 5e-4);
    run_rep_free(&r);

    CU_ASSERT_FATAL(tu_run(yaml, 0, fast, 1, 0, NULL, &r) == 0);
    s = tu_row(&r, "s");
    CU_ASSERT_FATAL(s != NULL);
    CU_ASSERT_DOUBLE_EQUAL(s->latency_mean_ms, 1.09, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(s->latency_max_ms, 1.09, 1e-9);
    run_rep_free(&r);
}

/* One worker, constant D = 2 ms, w = 0.5 ms, a request every 2 ms (the gap equals D). The
 * first request finds the worker idle: it ends at t0 + w + D. Request k arrives at t0 + kD
 * while the worker is busy until t0 + w + kD, so it queues, is taken by the worker that has
 * just finished request k - 1 (no wake-up) and ends at t0 + w + (k + 1) D: latency w + D for
 * every request, and the busy period never ends (utilization 1). Had every request paid w,
 * request k would end at t0 + (k + 1)(w + D): latencies growing by w per request, 2.5 ms for
 * the first and ~1.25 s for the 2500th. */
static void test_busy_period_pays_once(void) {
    static const char yaml[] = "name: b2b\nduration: 5s\nseed: 1\n"
                               "workload: {arrivals: constant, rate: 500/s, target: s}\n"
                               "components:\n"
                               "  s: {kind: service, workers: 1, service_time: 2ms, "
                               "wakeup: 500us}\n";
    struct run_rep r;
    const struct model_row *s;

    CU_ASSERT_FATAL(tu_run(yaml, 0, NULL, 0, 0, NULL, &r) == 0);
    s = tu_row(&r, "s");
    CU_ASSERT_FATAL(s != NULL);
    /* 2500 arrivals in 5 s; the last one or two are still in service at the end */
    CU_ASSERT(s->completions >= 2497 && s->completions <= 2500);
    CU_ASSERT(s->completions + s->in_flight == s->arrivals);
    CU_ASSERT_DOUBLE_EQUAL(s->latency_mean_ms, 2.5, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(s->latency_max_ms, 2.5, 1e-9);
    /* busy from the first arrival to the end: all but the first gap at most (2 ms of 5 s) */
    CU_ASSERT(s->utilization > 0.999);
    run_rep_free(&r);
}

/* A closed population of 3 users without think time, one worker, D = 2 ms, w = 0.5 ms,
 * 20 ms. All three send at t = 0: the first finds the worker idle and ends at w + D = 2.5 ms;
 * the second and third queue and end at 4.5 and 6.5 ms (latencies 4.5, 6.5). From then on the
 * worker always finds the next request queued (each answer brings the next request, which
 * queues behind two others): one every 2 ms at 8.5, 10.5, ..., 18.5 ms, each 3 D = 6 ms after
 * it was sent. 9 answers within 20 ms, summing 2.5 + 4.5 + 6.5 + 6 x 6 = 49.5 ms: mean 5.5 ms,
 * max 6.5 ms; three requests in flight at the end. (Every request paying w would give 7
 * answers, at 2.5, 5, ..., 17.5 ms.) */
static void test_closed_hand_count(void) {
    static const char yaml[] = "name: closed\nduration: 20ms\nseed: 1\n"
                               "workload: {users: 3, target: s}\n"
                               "components:\n"
                               "  s: {kind: service, workers: 1, service_time: 2ms, "
                               "wakeup: 0.5ms}\n";
    struct run_rep r;
    const struct model_row *s;

    CU_ASSERT_FATAL(tu_run(yaml, 0, NULL, 0, 0, NULL, &r) == 0);
    s = tu_row(&r, "s");
    CU_ASSERT_FATAL(s != NULL);
    CU_ASSERT_EQUAL(s->completions, 9);
    CU_ASSERT_EQUAL(s->in_flight, 3);
    CU_ASSERT_DOUBLE_EQUAL(s->latency_mean_ms, 5.5, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(s->latency_max_ms, 6.5, 1e-9);
    run_rep_free(&r);
}

/* M/M/1 with a constant wake-up U when a request finds the server idle: Welch's M/G/1 with an
 * exceptional first service S0 = U + S. With lambda = 0.7/ms, E[S] = 1 ms, E[S^2] = 2 ms^2,
 * U = 0.5 ms, rho = 0.7:
 *   P(an arrival finds the server idle) = (1 - rho) / (1 + lambda U) = 0.3 / 1.35;
 *   mean latency = lambda E[S^2] / (2 (1 - rho)) + (2 U + lambda U^2) / (2 (1 + lambda U)) + E[S]
 *                = 2.33333 + 0.43519 + 1 = 3.76852 ms (3.33333 without the wake-up);
 *   utilization = 1 - P(idle) = 1 - 0.3 / 1.35 = 0.77778 (0.7 without).
 * Sampling error over 1000 s (10^6 service times): the M/M/1 time-average number in system has
 * a standard error of sqrt(2 rho (1 + rho) / (1 - rho)^4 / 10^6) = 0.73 % at rho = 0.7
 * (Whitt 1989); 3 % is about four of them, and the wake-up moves the mean by 13 %. The
 * utilization of a run this long is within 0.5 % (its error is much smaller than the
 * queue's). */
static void test_mg1_setup(void) {
    static const char yaml[] = "name: welch\nduration: 1000s\nwarmup: 10s\nseed: 3\n"
                               "workload: {rate: 700/s, target: s}\n"
                               "components:\n"
                               "  s: {kind: service, workers: 1, service_time: exp(1ms), "
                               "wakeup: 0.5ms}\n";
    const double lambda = 0.7, es = 1, es2 = 2, u = 0.5, rho = lambda * es;
    const double want =
        lambda * es2 / (2 * (1 - rho)) + (2 * u + lambda * u * u) / (2 * (1 + lambda * u)) + es;
    const double util = 1 - (1 - rho) / (1 + lambda * u);
    struct run_rep r;
    const struct model_row *s;

    CU_ASSERT_DOUBLE_EQUAL(want, 3.768518518518518, 1e-12);
    CU_ASSERT_FATAL(tu_run(yaml, 0, NULL, 0, 0, NULL, &r) == 0);
    s = tu_row(&r, "s");
    CU_ASSERT_FATAL(s != NULL);
    CU_ASSERT(near_rel(s->latency_mean_ms, want, 0.03));
    CU_ASSERT(near_rel(s->utilization, util, 0.005));
    run_rep_free(&r);
}

/* wakeup: 0s changes nothing: the same run as without the key, number for number. */
static void test_zero_is_identity(void) {
    static const char yaml[] = "name: same\nduration: 20s\nseed: 9\n"
                               "workload: {rate: 3000/s, target: s}\n"
                               "components:\n"
                               "  s: {kind: service, workers: 4, service_time: exp(1ms)}\n";
    const char *zero[] = {"components.s.wakeup=0s"};
    struct run_rep a, b;

    CU_ASSERT_FATAL(tu_run(yaml, 0, NULL, 0, 0, NULL, &a) == 0);
    CU_ASSERT_FATAL(tu_run(yaml, 0, zero, 1, 0, NULL, &b) == 0);
    CU_ASSERT_EQUAL_FATAL(a.nrows, b.nrows);
    CU_ASSERT_EQUAL(a.events, b.events);
    for (size_t i = 0; i < a.nrows; i++) {
        CU_ASSERT_EQUAL(a.rows[i].completions, b.rows[i].completions);
        CU_ASSERT(memcmp(&a.rows[i].latency_mean_ms, &b.rows[i].latency_mean_ms, sizeof(double)) ==
                  0);
        CU_ASSERT(memcmp(&a.rows[i].latency_p99_ms, &b.rows[i].latency_p99_ms, sizeof(double)) ==
                  0);
        CU_ASSERT(memcmp(&a.rows[i].utilization, &b.rows[i].utilization, sizeof(double)) == 0);
    }
    run_rep_free(&a);
    run_rep_free(&b);
}

/* A bad value is refused with the key's location: a bare number, a negative duration. */
static void test_bad_values(void) {
    static const char yaml[] = "name: bad\nduration: 1s\n"
                               "workload: {rate: 10/s, target: s}\n"
                               "components:\n"
                               "  s:\n"
                               "    kind: service\n"
                               "    service_time: 1ms\n"
                               "    wakeup: %s\n";
    static const char *const bad[] = {"90", "-1ms", "fast"};
    static const char *const why[] = {"unit", "negative", "duration"};

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char src[256];
        struct run_scenario sc;
        struct err err;
        int rc;

        err_clear(&err);
        snprintf(src, sizeof src, yaml, bad[i]);
        rc = run_scenario_parse(&sc, src, "test.yaml", NULL, 0, &err);
        if (rc == 0) {
            /* components are checked when the net is built: run it */
            struct run_rep r;
            rc = run_replication(&sc, 0, NULL, &r, &err);
            if (rc == 0) run_rep_free(&r);
            run_scenario_free(&sc);
        }
        CU_ASSERT_EQUAL(rc, -1);
        CU_ASSERT_EQUAL(err.line, 8);
        CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "wakeup"));
        CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, why[i]));
    }
}

/* calibrate's split (calibrate.h): with o = 0.4 ms of overhead that holds no worker, w = 0.09
 * ms and a service time of mean 2 ms, a low-load work request measures L = o + w + 2 = 2.49 ms
 * and a zero-work request Z = o + w = 0.49 ms. The service time is L - Z = 2 (the wake-ups
 * cancel), the model carries w, and compare adds Z - w = o = 0.4, so that the model's
 * low-load latency w + 2 plus 0.4 is L again. Without an overhead, w is all that is known:
 * the service time is L - w. An overhead below w cannot contain it: refused. */
static void test_calibrate_split(void) {
    struct run_cal_meas m = {0, 2.49, {NAN, NAN, NAN, NAN}};
    struct run_cal_result r;
    struct err err;
    double shift = -1, add = -1;

    CU_ASSERT_EQUAL(run_cal_split(1, 0.49, 0.09, &shift, &add, NULL), 0);
    CU_ASSERT_DOUBLE_EQUAL(shift, 0.49, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(add, 0.40, 1e-12);
    CU_ASSERT_EQUAL(run_cal_fit(&m, shift, &r, NULL), 0);
    CU_ASSERT_DOUBLE_EQUAL(r.fits[RUN_CAL_EXP].mean, 2.0, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(0.09 + r.fits[RUN_CAL_EXP].mean + add, m.mean, 1e-12);

    CU_ASSERT_EQUAL(run_cal_split(0, 0, 0.09, &shift, &add, NULL), 0);
    CU_ASSERT_DOUBLE_EQUAL(shift, 0.09, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(add, 0, 1e-12);

    /* no wake-up: the old behaviour, overhead subtracted and added whole */
    CU_ASSERT_EQUAL(run_cal_split(1, 0.49, 0, &shift, &add, NULL), 0);
    CU_ASSERT_DOUBLE_EQUAL(shift, 0.49, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(add, 0.49, 1e-12);

    err_clear(&err);
    CU_ASSERT_EQUAL(run_cal_split(1, 0.05, 0.09, &shift, &add, &err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "below the wake-up"));
    CU_ASSERT_EQUAL(run_cal_split(1, 0.5, -0.01, &shift, &add, NULL), -1);
}

void test_wakeup_register(void) {
    CU_pSuite s = CU_add_suite("wakeup", NULL, NULL);
    CU_add_test(s, "idle worker: every request pays D + w exactly", test_idle_every_time);
    CU_add_test(s, "back-to-back: only the busy period's first pays w", test_busy_period_pays_once);
    CU_add_test(s, "closed population: hand count", test_closed_hand_count);
    CU_add_test(s, "M/M/1 with wake-up vs Welch's exceptional first service", test_mg1_setup);
    CU_add_test(s, "wakeup 0s: the same run as without the key", test_zero_is_identity);
    CU_add_test(s, "bad values refused with their location", test_bad_values);
    CU_add_test(s, "calibrate: service, wakeup and overhead split", test_calibrate_split);
}
