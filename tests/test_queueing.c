/*
 * The simulator against queueing theory and hand counts. Every expected value is computed here
 * independently of the code under test (closed forms written out in the test), and every bound
 * is justified from the sampling error of a fixed-seed run.
 *
 * Sampling error of a time-average in M/M/1: the asymptotic variance of the time-average
 * number in system over T (in mean service times) is 2ρ(1+ρ)/(1−ρ)^4 / T (Whitt 1989,
 * "Planning queueing simulations", Management Science 35(11)). The bounds below use about four
 * of those standard errors; the same order is used for M/M/c and M/D/1 (whose variance is
 * smaller than M/M/1's at the same ρ).
 */
#include <CUnit/CUnit.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analytic.h"
#include "model.h"
#include "predict.h"
#include "run.h"
#include "sim.h"
#include "testutil.h"

/* Run replication k of a scenario given as YAML text, with overrides. */
static int run_yaml(const char *yaml, const char *const *sets, size_t nsets, unsigned k,
                    struct run_rep *out) {
    return tu_run(yaml, 0, sets, nsets, k, NULL, out);
}

static const struct model_row *find_row(const struct run_rep *r, const char *name) {
    return tu_row(r, name);
}

static int near_rel(double got, double want, double rel) {
    int ok = fabs(got - want) <= rel * fabs(want);
    if (!ok) fprintf(stderr, "\n  got %.6g, want %.6g ± %.1f%%\n", got, want, rel * 100);
    return ok;
}

static const char mm1[] = "name: mm1\n"
                          "duration: 1000s\n"
                          "warmup: 10s\n"
                          "seed: 42\n"
                          "workload: {rate: 900/s, target: s}\n"
                          "components:\n"
                          "  s: {kind: service, workers: 1, service_time: exp(1ms)}\n";

/* M/M/1: W = 1/(μ−λ). ρ=0.5 over 1000 s = 10^6 service times: SE of L is sqrt(24/10^6) =
 * 0.5 % of L = 1, bound 3 %. ρ=0.9: SE sqrt(34200/10^6) = 0.185 on L = 9, i.e. 2.1 %; bound 8 %
 * (about 4 SE). Little's law L = λW must hold within 1 % on the same run (both sides are
 * computed from the same sample path, so only the boundary effects differ). */
static void test_mm1(void) {
    const double rhos[] = {0.5, 0.9}, bounds[] = {0.03, 0.08};

    for (int i = 0; i < 2; i++) {
        char set[64];
        const char *sets[] = {set};
        struct run_rep r;
        const struct model_row *s;
        double lambda = rhos[i] * 1000.0, w_ms = 1000.0 / (1000.0 - lambda);

        snprintf(set, sizeof set, "workload.rate=%g/s", lambda);
        CU_ASSERT_FATAL(run_yaml(mm1, sets, 1, 0, &r) == 0);
        s = find_row(&r, "s");
        CU_ASSERT_TRUE(near_rel(s->latency_mean_ms, w_ms, bounds[i]));
        CU_ASSERT_TRUE(near_rel(s->utilization, rhos[i], 0.02));
        /* Little: L = queue + busy = λ W */
        CU_ASSERT_TRUE(near_rel(s->queue_mean + s->utilization,
                                s->throughput_rps * s->latency_mean_ms / 1000.0, 0.01));
        run_rep_free(&r);
    }
}

/* M/M/4 at ρ = 0.8 (λ = 3200/s, μ = 1000/s): Erlang C written out here by the sum formula,
 * C = (a^c/c!)/(1−ρ) / (Σ_{k<c} a^k/k! + (a^c/c!)/(1−ρ)), a = 3.2; W = 1/μ + C/(cμ−λ). */
static void test_mmc(void) {
    const char *yaml = "name: mmc\nduration: 300s\nwarmup: 5s\nseed: 3\n"
                       "workload: {rate: 3200/s, target: s}\n"
                       "components:\n  s: {kind: service, workers: 4, service_time: exp(1ms)}\n";
    double a = 3.2, rho = 0.8, term = 1, sum = 0, c_prob, w_ms;
    struct run_rep r;
    const struct model_row *s;

    for (int k = 0; k < 4; k++) {
        sum += term;
        term *= a / (k + 1);
    }
    c_prob = term / (1 - rho) / (sum + term / (1 - rho));
    w_ms = 1.0 + c_prob / (4000.0 - 3200.0) * 1000.0;
    CU_ASSERT_TRUE(near_rel(c_prob, 0.5964, 0.001)); /* table value for c=4, a=3.2 */
    CU_ASSERT_FATAL(run_yaml(yaml, NULL, 0, 0, &r) == 0);
    s = find_row(&r, "s");
    /* 3e5 service-time units; SE of L ≈ 1.5 % (M/M/1 formula at ρ=0.8, conservative). */
    CU_ASSERT_TRUE(near_rel(s->latency_mean_ms, w_ms, 0.05));
    CU_ASSERT_TRUE(near_rel(s->utilization, rho, 0.02));
    CU_ASSERT_TRUE(near_rel(s->queue_mean + 4 * s->utilization,
                            s->throughput_rps * s->latency_mean_ms / 1000.0, 0.01));
    run_rep_free(&r);
}

/* A server never idles while work waits: M/M/4 at ρ = 0.7 with μ = 1 (per ms): Lq = 1.000 and
 * L = 3.800 (Erlang C: C = 0.4287, Lq = C ρ/(1−ρ) = 1.0002). A simulator that let a worker
 * idle with a queue would show a larger Lq. 500 s = 5·10^5 service times: SE of Lq about 1 %;
 * bound 4 %. */
static void test_no_idle_with_queue(void) {
    const char *yaml = "name: mm4\nduration: 500s\nwarmup: 5s\nseed: 9\n"
                       "workload: {rate: 2800/s, target: s}\n"
                       "components:\n  s: {kind: service, workers: 4, service_time: exp(1ms)}\n";
    struct run_rep r;
    const struct model_row *s;

    CU_ASSERT_FATAL(run_yaml(yaml, NULL, 0, 0, &r) == 0);
    s = find_row(&r, "s");
    CU_ASSERT_TRUE(near_rel(s->queue_mean, 1.000, 0.04));
    CU_ASSERT_TRUE(near_rel(s->queue_mean + 4 * s->utilization, 3.800, 0.02));
    run_rep_free(&r);
}

/* M/D/1 by Pollaczek–Khinchine: Wq = ρ/(2μ(1−ρ)); λ = 800/s, D = 1 ms: Wq = 2 ms, W = 3 ms.
 * The M/D/1 variance is below M/M/1's at the same ρ; 600 s = 6·10^5 service times; bound 4 %. */
static void test_md1(void) {
    const char *yaml = "name: md1\nduration: 600s\nwarmup: 5s\nseed: 5\n"
                       "workload: {rate: 800/s, target: s}\n"
                       "components:\n  s: {kind: service, service_time: const(1ms)}\n";
    struct run_rep r;

    CU_ASSERT_FATAL(run_yaml(yaml, NULL, 0, 0, &r) == 0);
    CU_ASSERT_TRUE(near_rel(find_row(&r, "s")->latency_mean_ms, 3.0, 0.04));
    run_rep_free(&r);
}

/* Jackson tandem: two M/M/1 in sequence, λ = 500/s, μ1 = 1000/s, μ2 = 666.7/s:
 * W1 = 1/(1000−500) = 2 ms, W2 = 1/(666.7−500) = 6 ms, end to end 8 ms. The first station
 * frees its worker while the second works (the default), so the network is Jackson's. */
static void test_tandem(void) {
    const char *yaml = "name: tandem\nduration: 600s\nwarmup: 5s\nseed: 13\n"
                       "workload: {rate: 500/s, target: a}\n"
                       "components:\n"
                       "  a: {kind: service, service_time: exp(1ms), calls: [b]}\n"
                       "  b: {kind: service, service_time: exp(1.5ms)}\n";
    struct run_rep r;
    const struct model_row *a, *b, *t;

    CU_ASSERT_FATAL(run_yaml(yaml, NULL, 0, 0, &r) == 0);
    a = find_row(&r, "a");
    b = find_row(&r, "b");
    t = find_row(&r, "total");
    /* Station b at ρ = 0.75 over 4·10^5 of its service times: SE of L ≈ 1.6 %: bound 6 %. */
    CU_ASSERT_TRUE(near_rel(b->latency_mean_ms, 6.0, 0.06));
    CU_ASSERT_TRUE(near_rel(t->latency_mean_ms, 8.0, 0.06));
    /* a's latency includes the call to b; the sum rule: a = own 2 ms + b 6 ms. */
    CU_ASSERT_TRUE(near_rel(a->latency_mean_ms, t->latency_mean_ms, 0.001));
    /* Little's law at b. */
    CU_ASSERT_TRUE(near_rel(b->queue_mean + b->utilization,
                            b->throughput_rps * b->latency_mean_ms / 1000.0, 0.01));
    run_rep_free(&r);
}

/* Closed network: N users, think time Z = 10 ms (exponential), stations of 2 ms and 1 ms
 * (exponential, one worker each). Throughput by exact MVA written out here:
 * R_k(n) = D_k (1 + Q_k(n−1)), X(n) = n / (Z + Σ R_k(n)), Q_k(n) = X(n) R_k(n).
 * 200 s gives ≥ 15,000 cycles per run; bound 3 %. */
static void test_closed_mva(void) {
    const char *yaml = "name: closed\nduration: 200s\nwarmup: 5s\nseed: 21\n"
                       "workload: {users: 1, think_time: exp(10ms), target: a}\n"
                       "components:\n"
                       "  a: {kind: service, service_time: exp(2ms), calls: [b]}\n"
                       "  b: {kind: service, service_time: exp(1ms)}\n";
    double d[2] = {0.002, 0.001}, q[2] = {0, 0}, z = 0.010;

    for (unsigned n = 1; n <= 10; n++) {
        char set[64];
        const char *sets[] = {set};
        double rsum = 0, x, rk[2];
        struct run_rep r;
        const struct model_row *t;

        for (int k = 0; k < 2; k++) {
            rk[k] = d[k] * (1 + q[k]);
            rsum += rk[k];
        }
        x = n / (z + rsum);
        for (int k = 0; k < 2; k++)
            q[k] = x * rk[k];
        snprintf(set, sizeof set, "workload.users=%u", n);
        CU_ASSERT_FATAL(run_yaml(yaml, sets, 1, 0, &r) == 0);
        t = find_row(&r, "total");
        CU_ASSERT_TRUE(near_rel(t->throughput_rps, x, 0.03));
        CU_ASSERT_TRUE(near_rel(t->latency_mean_ms, rsum * 1000, 0.04));
        run_rep_free(&r);
    }
}

/* Warm-up: the time-weighted queue length after warm-up starts from the true occupancy.
 * Deterministic overload: arrivals every 0.5 ms (constant), one worker, 1 ms service. The
 * queue grows by one every millisecond: at time t (s) it holds about 1000 t. With warm-up 5 s
 * and duration 10 s the time average over [5, 10] is 1000 × 7.5 = 7500 (hand count; ±0.1 %). A
 * window restarted from 0 would give about 1250. */
static void test_warmup_occupancy(void) {
    const char *yaml = "name: over\nduration: 10s\nwarmup: 5s\n"
                       "workload: {arrivals: constant, rate: 2000/s, target: s}\n"
                       "components:\n  s: {kind: service, service_time: 1ms}\n";
    struct run_rep r;
    const struct model_row *s;

    CU_ASSERT_FATAL(run_yaml(yaml, NULL, 0, 0, &r) == 0);
    s = find_row(&r, "s");
    CU_ASSERT_TRUE(near_rel(s->queue_mean, 7500, 0.001));
    CU_ASSERT_TRUE(s->queue_mean > 0);
    CU_ASSERT_TRUE(near_rel(s->utilization, 1.0, 1e-9));
    /* completions after warm-up: one per ms over 5 s */
    CU_ASSERT_TRUE(s->completions >= 4999 && s->completions <= 5001);
    run_rep_free(&r);
}

/* Requests still in the system at the end are in flight, never completions. Arrivals at 1, 2,
 * 3, 4 and 5 s (constant 1/s), each served for 10 s by its own worker; the run ends at 5.5 s:
 * 5 arrivals, 0 completions, 5 in flight, no latency made up. */
static void test_in_flight_at_end(void) {
    const char *yaml = "name: inflight\nduration: 5.5s\n"
                       "workload: {arrivals: constant, rate: 1/s, target: s}\n"
                       "components:\n  s: {kind: service, workers: 100, service_time: 10s}\n";
    struct run_rep r;
    const struct model_row *t;

    CU_ASSERT_FATAL(run_yaml(yaml, NULL, 0, 0, &r) == 0);
    t = find_row(&r, "total");
    CU_ASSERT_EQUAL(t->arrivals, 5);
    CU_ASSERT_EQUAL(t->completions, 0);
    CU_ASSERT_EQUAL(t->in_flight, 5);
    CU_ASSERT_TRUE(isnan(t->latency_mean_ms));
    CU_ASSERT_EQUAL(find_row(&r, "s")->in_flight, 5);
    CU_ASSERT_TRUE(fabs(r.sim_time_s - 5.5) < 1e-12);
    run_rep_free(&r);
}

/* Load balancing: three servers, one twice as slow (speed 0.5), 1200/s of Poisson arrivals,
 * exponential 1 ms. Round robin and random send a third to the slow server (ρ = 0.8 there,
 * W = 10 ms); least_connections and power_of_two steer around it. Expected ordering of p99:
 * power_of_two, least_connections < round_robin, random; the gap measured on this seed is more
 * than 2x, and the test asserts at least 1.5x. */
static void test_lb_policies(void) {
    const char *yaml = "name: lb\nduration: 200s\nwarmup: 5s\nseed: 4\n"
                       "workload: {rate: 1200/s, target: lb}\n"
                       "components:\n"
                       "  lb: {kind: load_balancer, policy: round_robin, targets: [a, b, c]}\n"
                       "  a: {kind: service, service_time: exp(1ms)}\n"
                       "  b: {kind: service, service_time: exp(1ms)}\n"
                       "  c: {kind: service, service_time: exp(1ms), speed: 0.5}\n";
    const char *policies[] = {"round_robin", "random", "least_connections", "power_of_two"};
    double p99[4];

    for (int i = 0; i < 4; i++) {
        char set[64];
        const char *sets[] = {set};
        struct run_rep r;
        snprintf(set, sizeof set, "components.lb.policy=%s", policies[i]);
        CU_ASSERT_FATAL(run_yaml(yaml, sets, 1, 0, &r) == 0);
        p99[i] = find_row(&r, "total")->latency_p99_ms;
        run_rep_free(&r);
    }
    fprintf(stderr,
            "\n  p99 ms: round_robin %.2f random %.2f least_connections %.2f "
            "power_of_two %.2f\n",
            p99[0], p99[1], p99[2], p99[3]);
    CU_ASSERT_TRUE(p99[2] * 1.5 < p99[0]);
    CU_ASSERT_TRUE(p99[3] * 1.5 < p99[0]);
    CU_ASSERT_TRUE(p99[2] * 1.5 < p99[1]);
    CU_ASSERT_TRUE(p99[3] * 1.5 < p99[1]);
    /* Poisson splitting (random) is worse than turn-taking at the same shares. */
    CU_ASSERT_TRUE(p99[0] < p99[1]);
}

static int rows_equal(const struct run_rep *a, const struct run_rep *b) {
    if (a->nrows != b->nrows || a->events != b->events) return 0;
    for (size_t i = 0; i < a->nrows; i++) {
        const struct model_row *x = &a->rows[i], *y = &b->rows[i];
        if (x->arrivals != y->arrivals || x->completions != y->completions) return 0;
        if (memcmp(&x->latency_mean_ms, &y->latency_mean_ms, sizeof(double)) != 0) return 0;
        if (memcmp(&x->latency_p99_ms, &y->latency_p99_ms, sizeof(double)) != 0) return 0;
        if (memcmp(&x->queue_mean, &y->queue_mean, sizeof(double)) != 0) return 0;
    }
    return 1;
}

/* Replications get distinct streams, and replication k run alone reproduces it exactly; the
 * same seed gives the same run, another seed another. */
static void test_replications(void) {
    const char *yaml = "name: reps\nduration: 20s\nseed: 77\n"
                       "workload: {rate: 500/s, target: s}\n"
                       "components:\n  s: {kind: service, service_time: exp(1ms)}\n";
    struct run_rep r2, r3, r3b, r0;
    const char *seed_set[] = {"seed=78"};
    struct run_rep other;

    CU_ASSERT_FATAL(run_yaml(yaml, NULL, 0, 2, &r2) == 0);
    CU_ASSERT_FATAL(run_yaml(yaml, NULL, 0, 3, &r3) == 0);
    CU_ASSERT_FATAL(run_yaml(yaml, NULL, 0, 3, &r3b) == 0);
    CU_ASSERT_FATAL(run_yaml(yaml, NULL, 0, 0, &r0) == 0);
    CU_ASSERT_FATAL(run_yaml(yaml, seed_set, 1, 0, &other) == 0);
    CU_ASSERT_TRUE(rows_equal(&r3, &r3b));
    CU_ASSERT_FALSE(rows_equal(&r2, &r3));
    CU_ASSERT_FALSE(rows_equal(&r0, &other));
    CU_ASSERT_EQUAL(r0.seed, 77);
    CU_ASSERT_NOT_EQUAL(r3.seed, r2.seed);
    run_rep_free(&r2);
    run_rep_free(&r3);
    run_rep_free(&r3b);
    run_rep_free(&r0);
    run_rep_free(&other);
}

/* Two simulations advanced alternately in one process give the same results as each alone:
 * no hidden shared state. */
static void test_interleaved(void) {
    const char *yaml = "name: il\nduration: 10s\nseed: 5\n"
                       "workload: {rate: 700/s, target: lb}\n"
                       "components:\n"
                       "  lb: {kind: load_balancer, policy: power_of_two, targets: [s]}\n"
                       "  s: {kind: service, replicas: 3, service_time: exp(3ms)}\n";
    struct run_scenario sa, sb;
    struct run_checked a, b;
    struct run_rep solo_a, solo_b;
    const char *set_b[] = {"seed=6"};
    struct err err;

    CU_ASSERT_FATAL(run_yaml(yaml, NULL, 0, 0, &solo_a) == 0);
    CU_ASSERT_FATAL(run_yaml(yaml, set_b, 1, 0, &solo_b) == 0);
    CU_ASSERT_FATAL(run_scenario_parse(&sa, yaml, "a.yaml", NULL, 0, &err) == 0);
    CU_ASSERT_FATAL(run_scenario_parse(&sb, yaml, "b.yaml", set_b, 1, &err) == 0);
    CU_ASSERT_FATAL(run_check(&sa, &a, &err) == 0);
    CU_ASSERT_FATAL(run_check(&sb, &b, &err) == 0);
    net_start(a.net);
    net_start(b.net);
    for (int64_t t = 1000000; t <= 10000000000LL; t += 1000000) {
        sim_run_until(a.sim, t);
        sim_run_until(b.sim, t);
    }
    net_finish(a.net, 0);
    net_finish(b.net, 0);
    {
        struct model_row ra, rb;
        const struct model_row *xa = find_row(&solo_a, "total"), *xb = find_row(&solo_b, "total");
        net_summary_row(a.net, net_ncomps(a.net), &ra);
        net_summary_row(b.net, net_ncomps(b.net), &rb);
        CU_ASSERT_EQUAL(ra.completions, xa->completions);
        CU_ASSERT_EQUAL(rb.completions, xb->completions);
        CU_ASSERT_EQUAL(memcmp(&ra.latency_mean_ms, &xa->latency_mean_ms, sizeof(double)), 0);
        CU_ASSERT_EQUAL(memcmp(&rb.latency_mean_ms, &xb->latency_mean_ms, sizeof(double)), 0);
        CU_ASSERT_EQUAL(sim_events(a.sim), solo_a.events);
    }
    run_check_free(&a);
    run_check_free(&b);
    run_scenario_free(&sa);
    run_scenario_free(&sb);
    run_rep_free(&solo_a);
    run_rep_free(&solo_b);
}

/* The analytic printout refuses an unstable station instead of printing a negative wait. */
static void test_predict_unstable(void) {
    const char *yaml = "name: u\nduration: 1s\n"
                       "workload: {rate: 1100/s, target: s}\n"
                       "components:\n  s: {kind: service, service_time: exp(1ms)}\n";
    struct run_scenario s;
    struct run_checked c;
    struct run_prediction p;
    struct err err;

    CU_ASSERT_FATAL(run_scenario_parse(&s, yaml, "u.yaml", NULL, 0, &err) == 0);
    CU_ASSERT_FATAL(run_check(&s, &c, &err) == 0);
    run_predict(c.net, &p);
    CU_ASSERT_EQUAL(p.unstable, 1);
    CU_ASSERT_FALSE(p.stations[0].have);
    CU_ASSERT_TRUE(fabs(p.stations[0].rho - 1.1) < 1e-12);
    CU_ASSERT_FALSE(p.have_total);
    run_prediction_free(&p);
    run_check_free(&c);
    run_scenario_free(&s);
}

/* A service with a wake-up of idle workers has no closed form here: `check` says so instead
 * of printing the M/M/c values of a station without it (which would be low by about the
 * wake-up per request); ρ is still printed. The same in a closed network (no MVA). */
static void test_predict_wakeup(void) {
    const char *open = "name: w\nduration: 1s\n"
                       "workload: {rate: 500/s, target: s}\n"
                       "components:\n  s: {kind: service, workers: 2, service_time: exp(2ms), "
                       "wakeup: 100us}\n";
    const char *closed = "name: w\nduration: 1s\n"
                         "workload: {users: 3, think_time: exp(10ms), target: s}\n"
                         "components:\n  s: {kind: service, service_time: exp(2ms), "
                         "wakeup: 100us}\n";
    struct run_scenario s;
    struct run_checked c;
    struct run_prediction p;
    struct err err;

    CU_ASSERT_FATAL(run_scenario_parse(&s, open, "w.yaml", NULL, 0, &err) == 0);
    CU_ASSERT_FATAL(run_check(&s, &c, &err) == 0);
    run_predict(c.net, &p);
    CU_ASSERT_FALSE(p.stations[0].have);
    CU_ASSERT_STRING_EQUAL(p.stations[0].note, "wakeup of idle workers: no closed form");
    CU_ASSERT_TRUE(fabs(p.stations[0].rho - 0.5) < 1e-12);
    CU_ASSERT_FALSE(p.have_total);
    run_prediction_free(&p);
    run_check_free(&c);
    run_scenario_free(&s);

    CU_ASSERT_FATAL(run_scenario_parse(&s, closed, "w.yaml", NULL, 0, &err) == 0);
    CU_ASSERT_FATAL(run_check(&s, &c, &err) == 0);
    run_predict(c.net, &p);
    CU_ASSERT_FALSE(p.have_closed);
    CU_ASSERT_TRUE(strstr(p.why_not, "'s' has a wakeup") != NULL);
    run_prediction_free(&p);
    run_check_free(&c);
    run_scenario_free(&s);
}

/* Predictions for a stable tandem equal the hand values (2 ms + 6 ms). */
static void test_predict_tandem(void) {
    const char *yaml = "name: t\nduration: 1s\n"
                       "workload: {rate: 500/s, target: a}\n"
                       "components:\n"
                       "  a: {kind: service, service_time: exp(1ms), calls: [b]}\n"
                       "  b: {kind: service, service_time: exp(1.5ms)}\n";
    struct run_scenario s;
    struct run_checked c;
    struct run_prediction p;
    struct err err;

    CU_ASSERT_FATAL(run_scenario_parse(&s, yaml, "t.yaml", NULL, 0, &err) == 0);
    CU_ASSERT_FATAL(run_check(&s, &c, &err) == 0);
    run_predict(c.net, &p);
    CU_ASSERT_TRUE(p.have_total);
    CU_ASSERT_FALSE(p.total_approx);
    CU_ASSERT_TRUE(fabs(p.w_total_s - 0.008) < 1e-9);
    run_prediction_free(&p);
    run_check_free(&c);
    run_scenario_free(&s);
}

/* M/M/2/5 (2 workers, 3 waiting places): blocking probability and mean queue from the
 * birth-death solution written out here: a = 2, p_n ∝ 1, 2, 2, 2, 2, 2 (n = 0..5; ratios a/n
 * then a/c = 1), so p_5 = 2/11 = 0.1818 and Lq = (1·2 + 2·2 + 3·2)/11 = 12/11 = 1.0909.
 * 200 s = 4·10^5 arrivals: SE of the blocking fraction ≈ sqrt(p(1-p)/n) inflated ×3 for
 * correlation ≈ 0.2 %; bound 3 % relative. */
static void test_mmck(void) {
    const char *yaml = "name: k\nduration: 200s\nseed: 8\n"
                       "workload: {rate: 2000/s, target: a}\n"
                       "components: {a: {kind: service, workers: 2, queue: 3, "
                       "service_time: exp(1ms)}}\n";
    struct run_rep r;
    const struct model_row *a;
    struct analytic_station st;
    double pb;

    CU_ASSERT_FATAL(analytic_mmck(2000, 1000, 2, 5, &st, &pb) == 0);
    CU_ASSERT_DOUBLE_EQUAL(pb, 2.0 / 11.0, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(st.lq, 12.0 / 11.0, 1e-12);
    CU_ASSERT_FATAL(run_yaml(yaml, NULL, 0, 0, &r) == 0);
    a = find_row(&r, "a");
    CU_ASSERT_TRUE(near_rel((double)a->rejected / (double)a->arrivals, 2.0 / 11.0, 0.03));
    CU_ASSERT_TRUE(near_rel(a->queue_mean, 12.0 / 11.0, 0.03));
    run_rep_free(&r);
}

/* Random balancing honours weights: 2:1:1 gives shares 1/2, 1/4, 1/4 (binomial SE at
 * 2·10^5 requests ≈ 0.1 %; bound 2 % relative). */
static void test_lb_random_weights(void) {
    const char *yaml = "name: w\nduration: 200s\nseed: 2\n"
                       "workload: {rate: 1000/s, target: lb}\n"
                       "components:\n"
                       "  lb: {kind: load_balancer, policy: random, targets: "
                       "[{to: a, weight: 2}, b, c]}\n"
                       "  a: {kind: service, service_time: exp(100us)}\n"
                       "  b: {kind: service, service_time: exp(100us)}\n"
                       "  c: {kind: service, service_time: exp(100us)}\n";
    struct run_rep r;
    double total;

    CU_ASSERT_FATAL(run_yaml(yaml, NULL, 0, 0, &r) == 0);
    total = (double)find_row(&r, "lb")->arrivals;
    CU_ASSERT_TRUE(near_rel((double)find_row(&r, "a")->arrivals / total, 0.5, 0.02));
    CU_ASSERT_TRUE(near_rel((double)find_row(&r, "b")->arrivals / total, 0.25, 0.02));
    CU_ASSERT_TRUE(near_rel((double)find_row(&r, "c")->arrivals / total, 0.25, 0.02));
    run_rep_free(&r);
}

void test_queueing_register(void);
void test_queueing_register(void) {
    CU_pSuite s = CU_add_suite("queueing", NULL, NULL);
    CU_add_test(s, "M/M/1 at rho 0.5 and 0.9, Little's law", test_mm1);
    CU_add_test(s, "M/M/4 at rho 0.8 (Erlang C)", test_mmc);
    CU_add_test(s, "no idle server while work waits (M/M/4, rho 0.7)", test_no_idle_with_queue);
    CU_add_test(s, "M/D/1 (Pollaczek-Khinchine)", test_md1);
    CU_add_test(s, "tandem of two M/M/1 (Jackson)", test_tandem);
    CU_add_test(s, "closed network vs MVA, N = 1..10", test_closed_mva);
    CU_add_test(s, "warm-up keeps the true occupancy", test_warmup_occupancy);
    CU_add_test(s, "in flight at the end", test_in_flight_at_end);
    CU_add_test(s, "load balancer policies with a slow server", test_lb_policies);
    CU_add_test(s, "replications: distinct and reproducible", test_replications);
    CU_add_test(s, "two interleaved sims equal solo runs", test_interleaved);
    CU_add_test(s, "prediction refuses an unstable station", test_predict_unstable);
    CU_add_test(s, "prediction of a tandem", test_predict_tandem);
    CU_add_test(s, "prediction refuses a service with a wakeup", test_predict_wakeup);
    CU_add_test(s, "M/M/2/5: blocking and queue (finite capacity)", test_mmck);
    CU_add_test(s, "random balancing honours weights", test_lb_random_weights);
}
