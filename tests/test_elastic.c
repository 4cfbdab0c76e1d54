/*
 * Elasticity and cost: the autoscaler of a service (models/service.c) and its cost, checked
 * against the arrival ramp and a hand integration of the instance count.
 */
#include <CUnit/CUnit.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "model.h"
#include "run.h"
#include "testutil.h"

struct log {
    double t[256];
    char what[256][16];
    char detail[256][96];
    int n;
};

static void on_event(void *user, const struct net_event *ev) {
    struct log *l = user;

    if (l->n >= 256) return;
    l->t[l->n] = (double)ev->t_ns / 1e9;
    snprintf(l->what[l->n], sizeof l->what[0], "%s", ev->what);
    snprintf(l->detail[l->n], sizeof l->detail[0], "%s", ev->detail);
    l->n++;
}

static int run_file(const char *path, const char *const *sets, size_t nsets, struct log *l,
                    struct run_rep *out) {
    struct run_hooks hooks = {NULL, l, NULL, NULL, on_event};

    return tu_run(path, 1, sets, nsets, 0, &hooks, out);
}

static int run_log(const char *yaml, struct log *l, struct run_rep *out) {
    struct run_hooks hooks = {NULL, l, NULL, NULL, on_event};

    return tu_run(yaml, 0, NULL, 0, 0, &hooks, out);
}

/* scenarios/examples/autoscale.yaml: arrivals ramp from 100/s to 1000/s over 60 s (then hold) on a
 * service of one worker per instance with 10 ms mean service; the autoscaler targets 60 %
 * utilization, evaluates every 5 s, provisions in 10 s, no cooldown. Expected: each decision at
 * time t asks for ⌈λ̄·S/0.6⌉ instances, where λ̄ is the arrival rate measured over [t − 5 s, t] — on
 * the linear ramp its mean is λ(t − 2.5 s) — within ±1 for the Poisson error of λ̄ (SE at 550/s over
 * 5 s ≈ 10/s, i.e. 0.17 instance); new instances serve exactly 10 s after the decision. So the
 * count follows ⌈λ·S/target⌉ with a lag of at most the provisioning delay plus one interval. Cost:
 * instances are billed from launch, so the instance count is the last decision's target;
 * integrating it by hand over the run × 0.36/hour must equal the reported cost. */
static void test_autoscale_ramp(void) {
    static struct log l;
    struct run_rep r;
    double last_t = 0, inst_s = 0, cost;
    long long n = 1;
    int decisions = 0, readies = 0;

    memset(&l, 0, sizeof l);
    CU_ASSERT_FATAL(run_file("scenarios/examples/autoscale.yaml", NULL, 0, &l, &r) == 0);
    for (int i = 0; i < l.n; i++) {
        if (strcmp(l.what[i], "scale") == 0) {
            long long from, to;
            double tm = l.t[i] - 2.5;
            double lambda = tm < 60 ? 100 + 900 * tm / 60 : 1000;
            double want = ceil(lambda * 0.010 / 0.6 - 1e-9);
            CU_ASSERT_FATAL(sscanf(l.detail[i], "%lld -> %lld", &from, &to) == 2);
            CU_ASSERT_EQUAL(from, n);
            if (fabs((double)to - want) > 1)
                fprintf(stderr, "\n  t=%.0f: %lld instances, want %.0f ± 1\n", l.t[i], to, want);
            CU_ASSERT_TRUE(fabs((double)to - want) <= 1);
            inst_s += (double)n * (l.t[i] - last_t);
            last_t = l.t[i];
            n = to;
            decisions++;
        } else if (strcmp(l.what[i], "ready") == 0) {
            /* a launch 10 s earlier */
            int found = 0;
            for (int k = 0; k < i; k++)
                if (strcmp(l.what[k], "scale") == 0 && fabs(l.t[k] + 10 - l.t[i]) < 1e-9) found = 1;
            CU_ASSERT_TRUE(found);
            readies++;
        }
    }
    inst_s += (double)n * (120 - last_t);
    cost = inst_s / 3600 * 0.36;
    CU_ASSERT_TRUE(decisions >= 8);
    CU_ASSERT_TRUE(readies >= 5);
    CU_ASSERT_DOUBLE_EQUAL(r.rows[0].extra[MX_COST], cost, 1e-9 * cost);
    CU_ASSERT_DOUBLE_EQUAL(r.rows[1].extra[MX_COST], cost, 1e-9 * cost); /* total */
    CU_ASSERT_DOUBLE_EQUAL(r.rows[0].extra[MX_REPLICAS], inst_s / 120, 1e-9 * inst_s);
    run_rep_free(&r);
}

/* A fixed service bills its one instance for the whole run: 2 h at 0.5/hour = 1.0. */
static void test_fixed_cost(void) {
    const char *yaml = "name: c\nduration: 2h\n"
                       "workload: {arrivals: constant, rate: 1/s, target: api}\n"
                       "components:\n  api: {kind: service, service_time: 1ms, "
                       "cost_per_hour: 0.5}\n";
    struct log l;
    struct run_rep r;

    memset(&l, 0, sizeof l);
    CU_ASSERT_FATAL(run_log(yaml, &l, &r) == 0);
    CU_ASSERT_DOUBLE_EQUAL(r.rows[0].extra[MX_COST], 1.0, 1e-12);
    run_rep_free(&r);
}

/* Serverless cold starts (scenarios/examples/serverless.yaml, run 20000 s): one function at
 * concurrency 1, Poisson arrivals at 1/s, keep-warm W = 1 s, throttled at the limit. A served call
 * is the first arrival after the previous call finished (the others are throttled), and by
 * memorylessness its gap from that finish is exponential with rate λ, so it finds the instance gone
 * (a cold start) with probability P(gap > W) = e^{−λW} = e^{−1} = 0.3679. Over ~18,000 served calls
 * the binomial SE is 0.0036; bound 0.015 (about 4 SE). */
static void test_cold_starts(void) {
    const char *longer[] = {"duration=20000s"};
    struct log l;
    struct run_rep r;
    const struct model_row *f;
    double served, cold;

    memset(&l, 0, sizeof l);
    CU_ASSERT_FATAL(run_file("scenarios/examples/serverless.yaml", longer, 1, &l, &r) == 0);
    f = &r.rows[0];
    served = (double)f->completions;
    cold = f->extra[MX_COLD_STARTS];
    fprintf(stderr, "\n  cold-start fraction %.4f (want %.4f) over %.0f calls\n", cold / served,
            exp(-1.0), served);
    CU_ASSERT_DOUBLE_EQUAL(cold / served, exp(-1.0), 0.015);
    /* Billing: each call 10 ms × 0.5 GB × price + the request price (hand count). */
    CU_ASSERT_DOUBLE_EQUAL(f->extra[MX_COST],
                           (double)f->arrivals - (double)f->rejected > 0
                               ? (double)f->completions * (0.010 * 0.5 * 0.0000166667 + 0.0000002)
                               : 0,
                           1e-6); /* one call still running at the end may be billed */
    run_rep_free(&r);
}

/* A cache billed by provisioned size: 2^20 entries of 1 KiB = 1 GiB, at 2.0 per GB-hour, for
 * a 30-minute run: cost 1.0 (hand count). */
static void test_cache_cost(void) {
    const char *yaml = "name: cc\nduration: 30m\n"
                       "workload: {arrivals: constant, rate: 1/s, target: c}\n"
                       "components:\n"
                       "  c: {kind: cache, capacity: 1048576, entry_size: 1KiB, "
                       "cost_per_gb_hour: 2.0, backend: db}\n"
                       "  db: {kind: service, service_time: 1ms}\n";
    struct log l;
    struct run_rep r;

    memset(&l, 0, sizeof l);
    CU_ASSERT_FATAL(run_log(yaml, &l, &r) == 0);
    CU_ASSERT_DOUBLE_EQUAL(r.rows[0].extra[MX_COST], 1.0, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(r.rows[2].extra[MX_COST], 1.0, 1e-12); /* total */
    run_rep_free(&r);
}

/* Autoscaling on requests per instance: constant 500/s, target 100/s per instance, evaluated
 * every 5 s with no provisioning delay: the first evaluation counts 2500 arrivals in 5 s, so
 * it asks for ⌈500/100⌉ = 5 instances, and the next ones keep 5 (hand count). */
static void test_autoscale_rps(void) {
    const char *yaml = "name: rps\nduration: 20s\n"
                       "workload: {arrivals: constant, rate: 500/s, target: api}\n"
                       "components:\n  api:\n    kind: service\n    service_time: 1ms\n"
                       "    autoscale: {metric: rps_per_replica, target: 100, interval: 5s,\n"
                       "                cooldown: 0s, provisioning: 0s, min: 1, max: 20}\n";
    struct log l;
    struct run_rep r;

    memset(&l, 0, sizeof l);
    CU_ASSERT_FATAL(run_log(yaml, &l, &r) == 0);
    CU_ASSERT_EQUAL_FATAL(l.n, 2); /* one scale event and its ready event */
    CU_ASSERT_STRING_EQUAL(l.what[0], "scale");
    CU_ASSERT_DOUBLE_EQUAL(l.t[0], 5.0, 1e-9);
    CU_ASSERT_TRUE(strncmp(l.detail[0], "1 -> 5 instances", 16) == 0);
    /* instances over time: 1 for 5 s, then 5 for 15 s */
    CU_ASSERT_DOUBLE_EQUAL(r.rows[0].extra[MX_REPLICAS], (1 * 5 + 5 * 15) / 20.0, 1e-9);
    run_rep_free(&r);
}

void test_elastic_register(void);
void test_elastic_register(void) {
    CU_pSuite s = CU_add_suite("elastic", NULL, NULL);
    CU_add_test(s, "autoscaler follows a ramp; cost = instance-hours x price", test_autoscale_ramp);
    CU_add_test(s, "fixed service cost", test_fixed_cost);
    CU_add_test(s, "serverless cold-start fraction and billing", test_cold_starts);
    CU_add_test(s, "cache cost per GB-hour", test_cache_cost);
    CU_add_test(s, "autoscaler on requests per instance", test_autoscale_rps);
}
