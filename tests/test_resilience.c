/*
 * Resilience on the calling side (models/resilience.c) and failures (models/fault.c), against
 * hand counts and deterministic timelines.
 */
#include <CUnit/CUnit.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "model.h"
#include "run.h"
#include "testutil.h"

struct capture {
    /* total row of the interval starting at want_start_s */
    double want_start_s;
    struct model_row total;
    int found;
    /* event log */
    char events[64][128];
    double event_t[64];
    int nevents;
};

static void on_interval(void *user, int64_t t0, int64_t t1, unsigned flags,
                        const struct model_row *rows, size_t nrows) {
    struct capture *c = user;

    (void)t1;
    (void)flags;
    if (fabs((double)t0 / 1e9 - c->want_start_s) < 1e-9) {
        c->total = rows[nrows - 1];
        c->found = 1;
    }
}

static void on_event(void *user, const struct net_event *ev) {
    struct capture *c = user;

    if (c->nevents >= 64) return;
    snprintf(c->events[c->nevents], sizeof c->events[0], "%s %s %s", ev->component, ev->what,
             ev->detail);
    c->event_t[c->nevents] = (double)ev->t_ns / 1e9;
    c->nevents++;
}

/* Run a scenario file from scenarios/examples (the tests run from the project root) with
 * overrides, as `archsim run FILE --set ...` would. */
static int run_file(const char *path, const char *const *sets, size_t nsets, struct capture *cap,
                    struct run_rep *out) {
    struct run_hooks hooks = {on_interval, cap, NULL, NULL, on_event};

    return tu_run(path, 1, sets, nsets, 0, &hooks, out);
}

static int run_capture(const char *yaml, struct capture *cap, struct run_rep *out) {
    struct run_hooks hooks = {on_interval, cap, NULL, NULL, on_event};

    return tu_run(yaml, 0, NULL, 0, 0, &hooks, out);
}

static const struct model_row *row_of(const struct run_rep *r, const char *name) {
    return tu_row(r, name);
}

/* The retry storm (scenarios/examples/retry-storm.yaml, metastable failure): a service at 70 %
 * load (700/s on 4 workers of mean 4 ms) is slowed ×3 for 10 s from t = 20 s. Clients time out
 * after 50 ms and retry 3 times with a constant 1 ms backoff, no jitter, no budget: the queue
 * fills with requests whose clients have gone, retries multiply the load to up to 4 × 700/s on
 * a capacity of 1000/s, and goodput does not come back after the slow-down ends. The same with
 * exponential backoff, full jitter and a 10 % retry budget (the overrides the example's
 * description suggests) offers at most about 770/s once the budget is spent, so the backlog
 * drains and goodput returns. Asserted 30 s after the trigger ends (the interval [60 s, 61 s)):
 * below 20 % of the offered rate in the first, above 90 % in the second. */
static void test_retry_storm(void) {
    const char *cure[] = {"workload.backoff=exponential", "workload.backoff_base=10ms",
                          "workload.jitter=full", "workload.retry_budget=10%"};
    struct capture a = {.want_start_s = 60}, b = {.want_start_s = 60};
    struct run_rep ra, rb;

    CU_ASSERT_FATAL(run_file("scenarios/examples/retry-storm.yaml", NULL, 0, &a, &ra) == 0);
    CU_ASSERT_FATAL(run_file("scenarios/examples/retry-storm.yaml", cure, 4, &b, &rb) == 0);
    CU_ASSERT_FATAL(a.found && b.found);
    fprintf(stderr, "\n  goodput at 60 s: storm %.0f/s, cured %.0f/s (offered %lu, %lu)\n",
            a.total.goodput_rps, b.total.goodput_rps, (unsigned long)a.total.arrivals,
            (unsigned long)b.total.arrivals);
    CU_ASSERT_TRUE(a.total.goodput_rps < 0.2 * (double)a.total.arrivals);
    CU_ASSERT_TRUE(b.total.goodput_rps > 0.9 * (double)b.total.arrivals);
    /* The storm really is retries: more than one retry per request over the run. */
    CU_ASSERT_TRUE(row_of(&ra, "total")->extra[MX_RETRIES] > row_of(&ra, "total")->arrivals);
    /* The budget held retries to about 10 % of requests (plus the initial 10 tokens). */
    CU_ASSERT_TRUE(row_of(&rb, "total")->extra[MX_RETRIES] <=
                   0.1 * (double)row_of(&rb, "total")->arrivals + 10 + 1);
    run_rep_free(&ra);
    run_rep_free(&rb);
}

/* Failover (scenarios/examples/failover.yaml): round robin over 3 replicas at 300/s (constant),
 * health checks every 1 s marking a target down after 3 failures. api[2] crashes (refusing) at
 * 10 s: probes at 10, 11 and 12 s fail, so it is marked down at 12 s. Errors: a third of the
 * arrivals in [10 s, 12 s) — exactly 100 per second — plus the calls api[2] was serving when it
 * crashed (its in-flight count at the end of the interval that ends at 10 s: 0, 1 or 2 with its
 * 2 workers), and none before or after. It recovers at 20 s and is marked up after probes at
 * 20 and 21 s. */
static int64_t errors_by_second[40], api2_in_flight_at_end[40];

static void count_errors(void *user, int64_t t0, int64_t t1, unsigned flags,
                         const struct model_row *rows, size_t nrows) {
    (void)user;
    (void)t1;
    (void)flags;
    if (t0 / 1000000000LL < 40) {
        errors_by_second[t0 / 1000000000LL] = (int64_t)rows[nrows - 1].errors;
        for (size_t i = 0; i + 1 < nrows; i++)
            if (strcmp(rows[i].component, "api[2]") == 0)
                api2_in_flight_at_end[t0 / 1000000000LL] = (int64_t)rows[i].in_flight;
    }
}

static void test_failover_window(void) {
    struct run_scenario s;
    struct capture c = {.want_start_s = -1};
    struct run_hooks hooks = {count_errors, &c, NULL, NULL, on_event};
    struct run_rep r;
    struct err err;
    int64_t in_service;

    memset(errors_by_second, 0, sizeof errors_by_second);
    memset(api2_in_flight_at_end, 0, sizeof api2_in_flight_at_end);
    CU_ASSERT_FATAL(run_scenario_load(&s, "scenarios/examples/failover.yaml", NULL, 0, &err) == 0);
    CU_ASSERT_FATAL(run_replication(&s, 0, &hooks, &r, &err) == 0);
    in_service = api2_in_flight_at_end[9];
    CU_ASSERT_TRUE(in_service >= 0 && in_service <= 2);
    for (int t = 0; t < 30; t++)
        CU_ASSERT_EQUAL(errors_by_second[t], t == 10 ? 100 + in_service : t == 11 ? 100 : 0);
    CU_ASSERT_EQUAL(row_of(&r, "total")->errors, 200 + (uint64_t)in_service);
    CU_ASSERT_EQUAL(c.nevents, 4);
    CU_ASSERT_STRING_EQUAL(c.events[1], "lb health api[2] down");
    CU_ASSERT_DOUBLE_EQUAL(c.event_t[1], 12.0, 1e-9);
    CU_ASSERT_STRING_EQUAL(c.events[3], "lb health api[2] up");
    CU_ASSERT_DOUBLE_EQUAL(c.event_t[3], 21.0, 1e-9);
    run_rep_free(&r);
    run_scenario_free(&s);
}

/* Circuit breaker (scenarios/examples/circuit-breaker.yaml), deterministic timeline. Constant
 * arrivals every 10 ms (at 10 ms, 20 ms,
 * ...), constant 1 ms service; the service crashes (refusing calls) at 5 s and recovers at
 * 8 s. Breaker: 50 % errors over a 1 s window (10 buckets of 100 ms), at least 10 requests,
 * open for 2 s, 1 probe. By hand: in the bucket starting at 5.0 + m/10 s, the window holds
 * 90 − 10m successes from before the crash (buckets m+41..49), 10m earlier errors and j
 * errors so far in this bucket; it opens when 10m + j ≥ (90 + j)/2, i.e. j ≥ 90 − 20m: first
 * at m = 4, j = 10 — the arrival at 5.49 s. Half-open at the first arrival at or after
 * 5.49 + 2 = 7.49 s (one arrives then); the probe is refused (still down): open again at
 * 7.49 s. Half-open at 9.49 s; the probe succeeds 1 ms later: closed at 9.491 s. */
static void test_breaker_timeline(void) {
    const char *want[] = {"api crash calls refused",
                          " breaker class default: open",
                          " breaker class default: half-open",
                          " breaker class default: open",
                          "api recover ",
                          " breaker class default: half-open",
                          " breaker class default: closed"};
    const double want_t[] = {5.0, 5.49, 7.49, 7.49, 8.0, 9.49, 9.491};
    struct capture c = {.want_start_s = -1};
    struct run_rep r;

    CU_ASSERT_FATAL(run_file("scenarios/examples/circuit-breaker.yaml", NULL, 0, &c, &r) == 0);
    CU_ASSERT_EQUAL(c.nevents, 7);
    for (int i = 0; i < c.nevents && i < 7; i++) {
        if (strcmp(c.events[i], want[i]) != 0 || fabs(c.event_t[i] - want_t[i]) > 1e-9)
            fprintf(stderr, "\n  event %d: got '%s' at %.6f, want '%s' at %.6f\n", i, c.events[i],
                    c.event_t[i], want[i], want_t[i]);
        CU_ASSERT_STRING_EQUAL(c.events[i], want[i]);
        CU_ASSERT_DOUBLE_EQUAL(c.event_t[i], want_t[i], 1e-9);
    }
    run_rep_free(&r);
}

/* A timed-out request's work is still done: one worker, constant 100 ms service, 5 requests/s
 * (constant), client timeout 50 ms. Every request times out at the client (errors, never
 * completions), yet the server completes each one and stays busy 5 × 0.1 = 50 % of the time. */
static void test_timeout_work_still_done(void) {
    const char *yaml = "name: to\nduration: 100s\nwarmup: 1s\n"
                       "workload: {arrivals: constant, rate: 5/s, target: api, timeout: 50ms}\n"
                       "components:\n  api: {kind: service, service_time: 100ms}\n";
    struct capture c = {.want_start_s = -1};
    struct run_rep r;
    const struct model_row *t, *api;

    CU_ASSERT_FATAL(run_capture(yaml, &c, &r) == 0);
    t = row_of(&r, "total");
    api = row_of(&r, "api");
    CU_ASSERT_EQUAL(t->completions, 0);
    CU_ASSERT_TRUE(t->errors >= 494 && t->errors <= 496); /* 5/s over 99 s */
    CU_ASSERT_TRUE(api->completions >= 494 && api->completions <= 496);
    CU_ASSERT_DOUBLE_EQUAL(api->utilization, 0.5, 0.005);
    run_rep_free(&r);
}

/* Crash with calls refused vs blackholed: refused calls fail at once (no timeout needed);
 * blackholed calls are answered only by the caller's timeout, with its latency. Constant
 * 100/s, crash for 1 s: 100 lost calls either way. */
static void test_crash_modes(void) {
    const char *refuse = "name: r\nduration: 5s\n"
                         "workload: {arrivals: constant, rate: 100/s, target: api, timeout: 1s}\n"
                         "components:\n  api: {kind: service, service_time: 1ms}\n"
                         "failures:\n  - {at: 2s, crash: api, for: 1s}\n";
    const char *hole = "name: b\nduration: 5s\n"
                       "workload: {arrivals: constant, rate: 100/s, target: api, timeout: 1s}\n"
                       "components:\n  api: {kind: service, service_time: 1ms}\n"
                       "failures:\n  - {at: 2s, crash: api, for: 1s, mode: blackhole}\n";
    struct capture c1 = {.want_start_s = -1}, c2 = {.want_start_s = -1};
    struct run_rep r1, r2;

    CU_ASSERT_FATAL(run_capture(refuse, &c1, &r1) == 0);
    CU_ASSERT_FATAL(run_capture(hole, &c2, &r2) == 0);
    CU_ASSERT_EQUAL(row_of(&r1, "total")->errors, 100);
    CU_ASSERT_EQUAL(row_of(&r1, "api")->lost, 100);
    CU_ASSERT_EQUAL(row_of(&r2, "total")->errors, 100);
    CU_ASSERT_EQUAL(row_of(&r2, "api")->lost, 100);
    /* refused: answered at once, so the run's max latency is the 1 ms service time */
    CU_ASSERT_DOUBLE_EQUAL(row_of(&r1, "total")->latency_max_ms, 1.0, 0.01);
    run_rep_free(&r1);
    run_rep_free(&r2);
}

/* Load shedding: 1500/s offered to one worker of mean 1 ms (ρ = 1.5) with a 20 ms limit on
 * the expected wait. The server stays busy, so it completes about its capacity, 1000/s, and
 * sheds the rest, about 1/3 of arrivals; the queue never holds more than about 20 requests,
 * so successes wait at most about 20 ms (+ their own service: p99 below 45 ms). Bounds: 3 %
 * on the rates (95 s of a saturated server: Poisson error well under 1 %). */
static void test_load_shedding(void) {
    const char *yaml = "name: shed\nduration: 100s\nwarmup: 5s\nseed: 3\n"
                       "workload: {rate: 1500/s, target: api}\n"
                       "components:\n  api: {kind: service, service_time: exp(1ms), "
                       "shed_wait: 20ms}\n";
    struct capture c = {.want_start_s = -1};
    struct run_rep r;
    const struct model_row *t;

    CU_ASSERT_FATAL(run_capture(yaml, &c, &r) == 0);
    t = row_of(&r, "total");
    CU_ASSERT_DOUBLE_EQUAL(t->throughput_rps, 1000, 30);
    CU_ASSERT_DOUBLE_EQUAL((double)t->rejected / (double)t->arrivals, 1.0 / 3.0, 0.01);
    CU_ASSERT_TRUE(t->latency_p99_ms < 45);
    CU_ASSERT_TRUE(row_of(&r, "api")->queue_mean < 21);
    run_rep_free(&r);
}

/* Random failures: the service fails after exp(mean 9 s) up-times and is repaired after
 * exp(mean 1 s), so in the long run it is down MTTR/(MTBF+MTTR) = 10 % of the time (renewal
 * reward), and by PASTA 10 % of Poisson arrivals are refused. Over 10^4 s (~1000 cycles) the
 * standard error of the down fraction is sqrt((9²·0.1² + 1²·0.9²)/1000)/10 ≈ 0.004; bound
 * 0.02. */
static void test_random_failures(void) {
    const char *yaml = "name: r\nduration: 10000s\nseed: 12\n"
                       "workload: {rate: 20/s, target: api}\n"
                       "components:\n  api: {kind: service, service_time: exp(1ms)}\n"
                       "failures:\n  - {crash: api, mtbf: exp(9s), mttr: exp(1s)}\n";
    struct capture c = {.want_start_s = -1};
    struct run_rep r;
    const struct model_row *t;

    CU_ASSERT_FATAL(run_capture(yaml, &c, &r) == 0);
    t = row_of(&r, "total");
    CU_ASSERT_DOUBLE_EQUAL((double)t->errors / (double)t->arrivals, 0.1, 0.02);
    run_rep_free(&r);
}

/* Link faults: api calls db with a 100 ms timeout. The link is cut from 2 s to 3 s (calls
 * vanish: every request in that second fails, by timeout), then from 5 s on half the calls on
 * it are dropped. Constant 100/s: exactly 100 failures in [2, 3) s; after 5 s the failed
 * fraction of 500 calls is binomial(0.5): SE 0.022, bound 0.1. */
static void test_link_faults(void) {
    const char *yaml = "name: l\nduration: 10s\nseed: 3\n"
                       "workload: {arrivals: constant, rate: 100/s, target: api}\n"
                       "components:\n"
                       "  api: {kind: service, workers: 100, service_time: 1ms,\n"
                       "        calls: [{to: db, timeout: 100ms}]}\n"
                       "  db: {kind: service, workers: 10, service_time: 1ms}\n"
                       "failures:\n"
                       "  - {at: 2s, cut: [api, db], for: 1s}\n"
                       "  - {at: 5s, drop: 50%, link: [api, db]}\n";
    struct capture c = {.want_start_s = -1};
    struct run_rep r;
    double late;

    memset(errors_by_second, 0, sizeof errors_by_second);
    memset(api2_in_flight_at_end, 0, sizeof api2_in_flight_at_end);
    {
        struct run_scenario s;
        struct run_hooks hooks = {count_errors, &c, NULL, NULL, on_event};
        struct err err;
        CU_ASSERT_FATAL(run_scenario_parse(&s, yaml, "l.yaml", NULL, 0, &err) == 0);
        CU_ASSERT_FATAL(run_replication(&s, 0, &hooks, &r, &err) == 0);
        run_scenario_free(&s);
    }
    CU_ASSERT_EQUAL(errors_by_second[0] + errors_by_second[1], 0);
    /* the cut second's calls time out 100 ms later: 90 in [2,3), 10 spill into [3,4) */
    CU_ASSERT_EQUAL(errors_by_second[2] + errors_by_second[3], 100);
    CU_ASSERT_EQUAL(errors_by_second[4], 0);
    late = 0;
    for (int k = 5; k < 10; k++)
        late += (double)errors_by_second[k];
    CU_ASSERT_DOUBLE_EQUAL(late / 500.0, 0.5, 0.1);
    /* calls lost on the link never reach db; api sees each as a timeout */
    CU_ASSERT_EQUAL(row_of(&r, "db")->lost, 0);
    CU_ASSERT_DOUBLE_EQUAL(row_of(&r, "api")->extra[MX_TIMEOUTS], 100 + late, 0.5);
    run_rep_free(&r);
}

/* Backoff and jitter: the service is down for the whole run and refuses at once, so a request
 * makes 4 attempts (3 retries) and its latency is exactly the sum of the 3 sleeps. Exponential
 * backoff from 10 ms: sleeps b = 10, 20, 40 ms. jitter none: 70 ms exactly. full: each sleep
 * uniform on [0, b]: mean 35 ms, sd sqrt(Σ b²/12) = 13.2 ms. equal: b/2 + uniform [0, b/2]: mean
 * 52.5 ms, sd 6.6 ms. With 2000 requests the SE of the mean is ≤ 0.3 ms; bound 1.5 ms. */
static void test_backoff_jitter(void) {
    const char *jit[] = {"none", "full", "equal"};
    const double want[] = {70.0, 35.0, 52.5};

    for (int i = 0; i < 3; i++) {
        char yaml[600];
        struct capture c = {.want_start_s = -1};
        struct run_rep r;
        const struct model_row *t;

        snprintf(yaml, sizeof yaml,
                 "name: b\nduration: 200s\nseed: 5\n"
                 "workload: {arrivals: constant, rate: 10/s, target: api, retries: 3,\n"
                 "           backoff: exponential, backoff_base: 10ms, jitter: %s}\n"
                 "components:\n  api: {kind: service, service_time: 1ms}\n"
                 "failures:\n  - {at: 0s, crash: api}\n",
                 jit[i]);
        CU_ASSERT_FATAL(run_capture(yaml, &c, &r) == 0);
        t = row_of(&r, "total");
        CU_ASSERT_EQUAL(t->completions, 0);
        CU_ASSERT_TRUE(t->errors >= 1990);
        CU_ASSERT_DOUBLE_EQUAL(t->extra[MX_RETRIES], 3.0 * (double)t->arrivals, 3.0 * 10);
        if (i == 0) {
            CU_ASSERT_DOUBLE_EQUAL(t->extra[MX_ERROR_LATENCY_MS], 70.0, 1e-6);
        } else {
            CU_ASSERT_DOUBLE_EQUAL(t->extra[MX_ERROR_LATENCY_MS], want[i], 1.5);
        }
        run_rep_free(&r);
    }
}

void test_resilience_register(void);
/* A crash of a group takes down every replica, however many (the target list was once cut at
 * 1024). 1500 single-worker replicas behind round robin, constant 1500/s, service 0.1 ms,
 * all crashed (refusing) over [1.0002 s, 2.0002 s): the arrivals at k/1500 s for k = 1501 ..
 * 3000 all fail (1500), nothing is in service at the crash (the arrival at 1.0 s finished
 * at 1.0001 s), and every other request succeeds. */
static void test_group_failure(void) {
    static const char *yaml = "name: many\n"
                              "duration: 3s\n"
                              "seed: 1\n"
                              "workload: {arrivals: constant, rate: 1500/s, target: lb}\n"
                              "components:\n"
                              "  lb: {kind: load_balancer, policy: round_robin, targets: [api]}\n"
                              "  api: {kind: service, replicas: 1500, workers: 1,\n"
                              "        service_time: const(100us)}\n"
                              "failures:\n"
                              "  - {at: 1000200us, crash: api, for: 1s}\n";
    struct run_rep r;

    CU_ASSERT_FATAL(tu_run(yaml, 0, NULL, 0, 0, NULL, &r) == 0);
    CU_ASSERT_EQUAL(tu_row(&r, "total")->errors, 1500);
    CU_ASSERT_EQUAL(tu_row(&r, "total")->completions + tu_row(&r, "total")->errors,
                    tu_row(&r, "total")->arrivals);
    run_rep_free(&r);
}

void test_resilience_register(void) {
    CU_pSuite s = CU_add_suite("resilience", NULL, NULL);
    CU_add_test(s, "retry storm: metastable vs budget + jitter", test_retry_storm);
    CU_add_test(s, "failover: errors only until health checks mark down", test_failover_window);
    CU_add_test(s, "circuit breaker timeline", test_breaker_timeline);
    CU_add_test(s, "timed-out work is still done", test_timeout_work_still_done);
    CU_add_test(s, "crash: refused vs blackholed calls", test_crash_modes);
    CU_add_test(s, "load shedding bounds the wait", test_load_shedding);
    CU_add_test(s, "random failures: availability MTBF/(MTBF+MTTR)", test_random_failures);
    CU_add_test(s, "link cut and lossy link", test_link_faults);
    CU_add_test(s, "backoff and jitter sleeps", test_backoff_jitter);
    CU_add_test(s, "a failure of a group reaches every replica (1500)", test_group_failure);
}
