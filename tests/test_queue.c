/*
 * The `queue` kind (models/mq.c) against queueing theory and hand counts. Expected values are
 * computed here, independently of the code under test; each statistical bound is justified
 * next to it from the sampling error of the fixed-seed run.
 */
#include <CUnit/CUnit.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analytic.h"
#include "model.h"
#include "mq.h"
#include "run.h"
#include "sim.h"

/* A scenario held in a string, built and run to its end; the net stays for inspection. */
struct ran {
    struct run_scenario s;
    struct run_checked c;
};

static int run_net(const char *yaml, const char *const *sets, size_t nsets, struct ran *r) {
    struct err err;
    char buf[600];

    err_clear(&err);
    if (run_scenario_parse(&r->s, yaml, "test.yaml", sets, nsets, &err)) {
        fprintf(stderr, "\n%s\n", err_format(&err, buf, sizeof buf));
        return -1;
    }
    if (run_check(&r->s, &r->c, &err)) {
        fprintf(stderr, "\n%s\n", err_format(&err, buf, sizeof buf));
        run_scenario_free(&r->s);
        return -1;
    }
    net_start(r->c.net);
    sim_run_until(r->c.sim, r->s.duration_ns);
    net_finish(r->c.net, 0);
    return 0;
}

static void ran_free(struct ran *r) {
    run_check_free(&r->c);
    run_scenario_free(&r->s);
}

/* The summary row of component name (or "total"). */
static void row_of(const struct ran *r, const char *name, struct model_row *row) {
    size_t n = net_ncomps(r->c.net);

    for (size_t i = 0; i < n; i++)
        if (strcmp(net_comp(r->c.net, i)->name, name) == 0) {
            net_summary_row(r->c.net, i, row);
            return;
        }
    net_summary_row(r->c.net, n, row);
}

/* The error a scenario gives (empty when it builds). */
static void error_of(const char *yaml, char *msg, size_t n) {
    struct run_scenario s;
    struct run_checked c;
    struct err err;

    err_clear(&err);
    msg[0] = 0;
    if (run_scenario_parse(&s, yaml, "bad.yaml", NULL, 0, &err)) {
        err_format(&err, msg, n);
        return;
    }
    if (run_check(&s, &c, &err))
        err_format(&err, msg, n);
    else
        run_check_free(&c);
    run_scenario_free(&s);
}

static int near_abs(double got, double want, double tol, const char *what) {
    int ok = fabs(got - want) <= tol;
    if (!ok) fprintf(stderr, "\n  %s: got %.6g, want %.6g ± %.3g\n", what, got, want, tol);
    return ok;
}

/* M/M/c/K: Poisson publishes at λ = 3000/s, c = 3 consumers with exp(1 ms) (μ = 1000/s), room
 * for 5 waiting messages (K = c + 5 = 8), overflow reject. Birth-death by hand, a = λ/μ = 3:
 * p_n ∝ a^n/n! = 1, 3, 4.5, 4.5 for n = 0..3, then p_n = p_3 (a/c)^(n-3) = 4.5 for n = 4..8
 * (ρ = a/c = 1). Sum 35.5, so P(reject) = p_8 = 4.5/35.5 = 0.12676 and the mean number
 * waiting Lq = Σ (n-3) p_n = 4.5 (1+2+3+4+5)/35.5 = 1.9014; utilisation λ(1-p_8)/(cμ) =
 * 0.87324. analytic_mmck must agree to rounding.
 * Bounds: 200 s = 6·10^5 arrivals. Over the arrivals the rejection indicator is correlated
 * (a full system stays full for about a service time, ~3 arrivals); with an effective sample
 * of 6·10^5/10 the SE of p_8 is sqrt(0.127·0.873/6·10^4) = 0.0014 (1.1 %); bound 4 %
 * (≈ 3.7 SE). Lq is a time average over 2·10^5 service times of a queue that at most holds
 * 5: SE below 1.5 % by the same reckoning; bound 4 %. Utilisation: bound 2 %. */
static void test_mmck(void) {
    const char *yaml = "name: mmck\nduration: 200s\nseed: 11\n"
                       "workload: {rate: 3000/s, target: q}\n"
                       "components:\n"
                       "  q: {kind: queue, capacity: 5, overflow: reject, consumers: 3, "
                       "service_time: exp(1ms)}\n";
    double p[9], sum = 0, pb, lq = 0, pb_a;
    struct analytic_station st;
    struct ran r;
    struct model_row q;

    for (int n = 0; n <= 8; n++) {
        p[n] = n == 0 ? 1.0 : (n <= 3 ? p[n - 1] * 3.0 / n : p[n - 1] * 3.0 / 3.0);
        sum += p[n];
    }
    pb = p[8] / sum;
    for (int n = 4; n <= 8; n++)
        lq += (n - 3) * p[n] / sum;
    CU_ASSERT_DOUBLE_EQUAL(pb, 4.5 / 35.5, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(lq, 67.5 / 35.5, 1e-12);
    CU_ASSERT_FATAL(analytic_mmck(3000, 1000, 3, 8, &st, &pb_a) == 0);
    CU_ASSERT_DOUBLE_EQUAL(pb_a, pb, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(st.lq, lq, 1e-9);

    CU_ASSERT_FATAL(run_net(yaml, NULL, 0, &r) == 0);
    row_of(&r, "q", &q);
    fprintf(stderr,
            "\n  M/M/3/8: P(reject) %.5f (theory %.5f), Lq %.4f (theory %.4f), util %.4f "
            "(theory %.4f)\n",
            (double)q.rejected / (double)q.arrivals, pb, q.extra[MX_QUEUE_DEPTH], lq, q.utilization,
            3000 * (1 - pb) / 3000);
    CU_ASSERT_TRUE(near_abs((double)q.rejected / (double)q.arrivals, pb, 0.04 * pb, "P(reject)"));
    CU_ASSERT_TRUE(near_abs(q.extra[MX_QUEUE_DEPTH], lq, 0.04 * lq, "Lq"));
    CU_ASSERT_TRUE(near_abs(q.queue_mean, q.extra[MX_QUEUE_DEPTH], 1e-12, "queue_mean"));
    CU_ASSERT_TRUE(near_abs(q.utilization, 1 - pb, 0.02 * (1 - pb), "utilization"));
    /* Every publish is either rejected or stored, and every stored one is consumed or still in
     * the system at the end. */
    CU_ASSERT_EQUAL(q.rejected + (uint64_t)q.extra[MX_ENQUEUED], q.arrivals);
    CU_ASSERT_EQUAL((uint64_t)q.extra[MX_DELIVERED] + (uint64_t)q.extra[MX_CONSUMER_LAG],
                    (uint64_t)q.extra[MX_ENQUEUED]);
    ran_free(&r);
}

/* The producer sees only the enqueue time; the end-to-end time grows as consumers fall behind.
 * Constant publishes at 1500/s (message n at n/1.5 ms, n >= 1), enqueue 2 ms, one consumer of
 * 1 ms (capacity 1000/s). The consumer never idles after the first message is stored at
 * 2.667 ms, so message n is consumed at 2.667 + n ms and its end-to-end time is
 * 2.667 + n - n/1.5 = 2.667 + n/3 ms. Over T ms the consumed messages are n = 1..N with
 * N = floor(T - 2.667) (the last consumption strictly before T, ±1 for rounding of the
 * arrival times): mean 2.667 + (N+1)/6 ms, p99 (nearest rank) 2.667 + ceil(0.99 N)/3 ms.
 * The producer's latency is exactly 2 ms every time. Hand counts, so tight bounds: counts ±1,
 * times 0.2 % (histogram resolution 0.1 % for the p99; the mean is exact but N may be off by
 * one). */
static void test_producer_flat_e2e_grows(void) {
    const char *yaml = "name: behind\nduration: 5s\n"
                       "workload: {arrivals: constant, rate: 1500/s, target: q}\n"
                       "components:\n"
                       "  q: {kind: queue, enqueue_time: 2ms, consumers: 1, service_time: 1ms}\n";
    const char *sets5[] = {"duration=5s"}, *sets10[] = {"duration=10s"};
    const char *const *sets[] = {sets5, sets10};
    const double t_ms[] = {5000, 10000};
    double e2e_mean[2];

    for (int i = 0; i < 2; i++) {
        struct ran r;
        struct model_row q;
        double first = 2.0 + 2.0 / 3.0, n = floor(t_ms[i] - first);
        double want_mean = first + (n + 1) / 6, want_p99 = first + ceil(0.99 * n) / 3;
        double published = floor(t_ms[i] * 1.5 - 1e-9);

        CU_ASSERT_FATAL(run_net(yaml, sets[i], 1, &r) == 0);
        row_of(&r, "q", &q);
        fprintf(stderr,
                "\n  T = %.0f s: producer %.4f ms, end to end mean %.2f ms (hand %.2f), "
                "p99 %.1f ms (hand %.1f), delivered %.0f (hand %.0f), lag %.0f\n",
                t_ms[i] / 1000, q.latency_mean_ms, q.extra[MX_E2E_MEAN_MS], want_mean,
                q.extra[MX_E2E_P99_MS], want_p99, q.extra[MX_DELIVERED], n,
                q.extra[MX_CONSUMER_LAG]);
        CU_ASSERT_TRUE(near_abs(q.latency_mean_ms, 2.0, 1e-9, "producer mean"));
        CU_ASSERT_TRUE(near_abs(q.latency_max_ms, 2.0, 0.002, "producer max"));
        CU_ASSERT_TRUE(near_abs(q.extra[MX_DELIVERED], n, 1, "delivered"));
        CU_ASSERT_TRUE(near_abs(q.extra[MX_E2E_MEAN_MS], want_mean, 0.002 * want_mean, "e2e"));
        CU_ASSERT_TRUE(near_abs(q.extra[MX_E2E_P99_MS], want_p99, 0.002 * want_p99, "e2e p99"));
        /* published minus consumed; the publishes of the last 2 ms are still being stored */
        CU_ASSERT_TRUE(near_abs(q.extra[MX_CONSUMER_LAG], published - 3 - n, 2, "lag"));
        /* the oldest waiting message was published just after the last one taken (n+1), at
         * (n+1)/1.5 ms */
        CU_ASSERT_TRUE(
            near_abs(q.extra[MX_OLDEST_AGE_MS], t_ms[i] - (n + 2) / 1.5, 1.5, "oldest age"));
        e2e_mean[i] = q.extra[MX_E2E_MEAN_MS];
        ran_free(&r);
    }
    CU_ASSERT_TRUE(e2e_mean[1] > 1.9 * e2e_mean[0]);
}

/* Pub/sub: three groups (1 ms, 2 ms, 5 ms, one consumer each, no failures), publishes every
 * 10 ms for 10.5 s: 1049 publishes (n·10 ms < 10.5 s). Every group consumes each within 5 ms,
 * so at the end all are consumed: delivered = 3 × 1049 = 3147 exactly, lag 0; the group that
 * calls `db` sends it exactly 1049 requests. */
static void test_pubsub(void) {
    const char *yaml = "name: pubsub\nduration: 10.5s\n"
                       "workload: {arrivals: constant, rate: 100/s, target: t}\n"
                       "components:\n"
                       "  t:\n"
                       "    kind: queue\n"
                       "    consumers: 1\n"
                       "    subscribers:\n"
                       "      - {name: fast, service_time: 1ms}\n"
                       "      - {name: mid, service_time: 2ms, calls: [db]}\n"
                       "      - {name: slow, service_time: 5ms}\n"
                       "  db: {kind: service, service_time: 1ms}\n";
    struct ran r;
    struct model_row t, db;
    struct comp *c;

    CU_ASSERT_FATAL(run_net(yaml, NULL, 0, &r) == 0);
    row_of(&r, "t", &t);
    row_of(&r, "db", &db);
    CU_ASSERT_EQUAL(t.arrivals, 1049);
    CU_ASSERT_EQUAL((uint64_t)t.extra[MX_ENQUEUED], 1049);
    CU_ASSERT_EQUAL((uint64_t)t.extra[MX_DELIVERED], 3 * 1049);
    CU_ASSERT_EQUAL((uint64_t)t.extra[MX_CONSUMER_LAG], 0);
    CU_ASSERT_EQUAL(db.completions, 1049);
    c = net_find(r.c.net, "t");
    CU_ASSERT_FATAL(c != NULL);
    CU_ASSERT_EQUAL(mq_ngroups(c), 3);
    for (size_t i = 0; i < 3; i++) {
        struct mq_group_info gi;
        CU_ASSERT_FATAL(mq_group_info(c, i, sim_now(r.c.sim), &gi) == 0);
        CU_ASSERT_EQUAL(gi.stored, 1049);
        CU_ASSERT_EQUAL(gi.delivered, 1049);
        CU_ASSERT_EQUAL(gi.waiting, 0);
    }
    /* Each group's end-to-end time is its service time (plus db's 1 ms for mid): mean of
     * 1, 3 and 5 ms = 3 ms. */
    CU_ASSERT_TRUE(near_abs(t.extra[MX_E2E_MEAN_MS], 3.0, 0.003, "pub/sub e2e"));
    /* 3 consumers, busy 1 + 3 + 5 ms per 10 ms: utilisation 9/30 = 0.3 */
    CU_ASSERT_TRUE(near_abs(t.utilization, 0.3, 0.002, "pub/sub utilization"));
    ran_free(&r);
}

/* At-least-once: 10 % of attempts fail, at most 3 attempts: a message is dead-lettered with
 * probability 0.1^3 = 0.001, independently. Poisson publishes at 10000/s for 40 s (N ≈ 4·10^5):
 * dead-lettered ~ Binomial(N, 0.001), mean 400, SE sqrt(N·0.001·0.999) ≈ 20; bound 4 SE. Failed
 * attempts: each message fails 1 + 1 + ... : E = N (0.1 + 0.01 + 0.001) = 0.111 N, SE
 * sqrt(N·0.111) (a sum of N small bounded counts; variance ≈ mean here) ≈ 211; bound 4 SE. */
static void test_dead_letter(void) {
    const char *yaml = "name: dlq\nduration: 40s\nseed: 5\n"
                       "workload: {rate: 10000/s, target: q}\n"
                       "components:\n"
                       "  q: {kind: queue, consumers: 4, service_time: exp(100us), failure: 10%, "
                       "max_attempts: 3}\n";
    struct ran r;
    struct model_row q;
    struct mq_group_info gi;
    double n, dead, se;

    CU_ASSERT_FATAL(run_net(yaml, NULL, 0, &r) == 0);
    row_of(&r, "q", &q);
    CU_ASSERT_FATAL(mq_group_info(net_find(r.c.net, "q"), 0, sim_now(r.c.sim), &gi) == 0);
    n = q.extra[MX_ENQUEUED];
    dead = q.extra[MX_DEAD_LETTERED];
    se = sqrt(n * 0.001 * 0.999);
    fprintf(stderr,
            "\n  published %.0f, dead-lettered %.0f (expected %.1f ± %.1f), failed "
            "attempts %llu (expected %.0f)\n",
            n, dead, n * 0.001, se, (unsigned long long)gi.failed_attempts, 0.111 * n);
    CU_ASSERT_TRUE(n > 3.9e5);
    CU_ASSERT_TRUE(near_abs(dead, n * 0.001, 4 * se, "dead-lettered"));
    CU_ASSERT_TRUE(
        near_abs((double)gi.failed_attempts, 0.111 * n, 4 * sqrt(0.111 * n), "failed attempts"));
    CU_ASSERT_EQUAL((uint64_t)(q.extra[MX_DELIVERED] + dead + q.extra[MX_CONSUMER_LAG]),
                    (uint64_t)n);
    ran_free(&r);
}

/* Overflow policies by hand. Publishes every 1 ms (at 1..100 ms, duration 100.5 ms), one
 * consumer of 10 ms, capacity 5 waiting. The consumer takes message 1 at 1 ms and then one
 * message every 10 ms (at 11, 21, ..., 91): 10 taken, 9 consumed (the one taken at 91 ends at
 * 101 ms, after the end), and the backlog is full from 6 ms on.
 *  - reject: 100 publishes, 10 taken + 5 waiting stored, the other 85 rejected.
 *  - drop_oldest: all 100 stored; 100 − 10 taken − 5 waiting = 85 dropped.
 *  - block: messages 1..6 go in at once; 7..100 (94) find the queue full or producers already
 *    waiting and block; each of the 9 consumptions lets one blocked publish in: 15 stored and
 *    acknowledged, 85 producers still waiting at the end. The first unblocked (published at
 *    7 ms, let in at 11 ms) waited 4 ms. */
static void test_overflow_by_hand(void) {
    const char *yaml = "name: ovf\nduration: 100.5ms\n"
                       "workload: {arrivals: constant, rate: 1000/s, target: q}\n"
                       "components:\n"
                       "  q: {kind: queue, capacity: 5, overflow: reject, consumers: 1, "
                       "service_time: 10ms}\n";
    const char *rej[] = {"components.q.overflow=reject"};
    const char *drop[] = {"components.q.overflow=drop_oldest"};
    const char *blk[] = {"components.q.overflow=block"};
    struct ran r;
    struct model_row q, t;

    CU_ASSERT_FATAL(run_net(yaml, rej, 1, &r) == 0);
    row_of(&r, "q", &q);
    CU_ASSERT_EQUAL(q.arrivals, 100);
    CU_ASSERT_EQUAL(q.rejected, 85);
    CU_ASSERT_EQUAL((uint64_t)q.extra[MX_ENQUEUED], 15);
    CU_ASSERT_EQUAL((uint64_t)q.extra[MX_DELIVERED], 9);
    CU_ASSERT_EQUAL((uint64_t)q.extra[MX_CONSUMER_LAG], 6);
    CU_ASSERT_EQUAL((uint64_t)q.extra[MX_DROPPED], 0);
    ran_free(&r);

    CU_ASSERT_FATAL(run_net(yaml, drop, 1, &r) == 0);
    row_of(&r, "q", &q);
    CU_ASSERT_EQUAL(q.rejected, 0);
    CU_ASSERT_EQUAL((uint64_t)q.extra[MX_ENQUEUED], 100);
    CU_ASSERT_EQUAL((uint64_t)q.extra[MX_DROPPED], 85);
    CU_ASSERT_EQUAL((uint64_t)q.extra[MX_DELIVERED], 9);
    CU_ASSERT_EQUAL((uint64_t)q.extra[MX_CONSUMER_LAG], 6);
    /* drop_oldest keeps the newest: the last message taken (at 91 ms) was published at 86 ms
     * (the backlog then holds 86..90), so the oldest waiting at the end (96..100) is 4.5 ms
     * old. */
    CU_ASSERT_TRUE(near_abs(q.extra[MX_OLDEST_AGE_MS], 4.5, 1e-6, "oldest age"));
    ran_free(&r);

    CU_ASSERT_FATAL(run_net(yaml, blk, 1, &r) == 0);
    row_of(&r, "q", &q);
    row_of(&r, "total", &t);
    CU_ASSERT_EQUAL(q.rejected, 0);
    CU_ASSERT_EQUAL((uint64_t)q.extra[MX_BLOCKED], 94);
    CU_ASSERT_EQUAL((uint64_t)q.extra[MX_ENQUEUED], 15);
    CU_ASSERT_EQUAL((uint64_t)q.extra[MX_DROPPED], 0);
    CU_ASSERT_EQUAL((uint64_t)q.extra[MX_DELIVERED], 9);
    CU_ASSERT_EQUAL(q.completions, 15);
    CU_ASSERT_EQUAL(q.in_flight, 85);
    CU_ASSERT_EQUAL(t.in_flight, 85);
    CU_ASSERT_TRUE(q.latency_max_ms > 4.0);
    ran_free(&r);
}

/* A durable broker across a crash. Publishes every 100 ms (0.1 .. 3.0 s, duration 3.05 s), one
 * consumer of 1 s, max_attempts 1; the queue crashes at 0.55 s for 1 s. Message 1 (taken at
 * 0.1 s) loses its attempt; it and messages 2..5 survive; the 10 publishes at 0.6 .. 1.5 s are
 * refused (lost at the queue, errors for the workload). After recovery at 1.55 s message 1 is
 * delivered again — the lost attempt does not count, so max_attempts 1 does not dead-letter
 * it — and consumed at 2.55 s (end to end 2.45 s); message 2 is taken then and still in hand at
 * the end. Stored 5 + 15 = 20, delivered 1, lag 19. */
static void test_crash_durable(void) {
    const char *yaml = "name: crash\nduration: 3.05s\n"
                       "workload: {arrivals: constant, rate: 10/s, target: q}\n"
                       "components:\n"
                       "  q: {kind: queue, consumers: 1, service_time: 1s, max_attempts: 1}\n"
                       "failures:\n"
                       "  - {at: 550ms, for: 1s, crash: q}\n";
    struct ran r;
    struct model_row q, t;

    CU_ASSERT_FATAL(run_net(yaml, NULL, 0, &r) == 0);
    row_of(&r, "q", &q);
    row_of(&r, "total", &t);
    CU_ASSERT_EQUAL(q.arrivals, 30);
    CU_ASSERT_EQUAL(q.lost, 10);
    CU_ASSERT_EQUAL(t.errors, 10);
    CU_ASSERT_EQUAL((uint64_t)q.extra[MX_ENQUEUED], 20);
    CU_ASSERT_EQUAL((uint64_t)q.extra[MX_DELIVERED], 1);
    CU_ASSERT_EQUAL((uint64_t)q.extra[MX_DEAD_LETTERED], 0);
    CU_ASSERT_EQUAL((uint64_t)q.extra[MX_CONSUMER_LAG], 19);
    CU_ASSERT_TRUE(near_abs(q.extra[MX_E2E_MEAN_MS], 2450, 2.45, "e2e after crash"));
    ran_free(&r);
}

/* Consumer timeout: 10 ms of work against a 4 ms timeout, max 2 attempts: every message times
 * out twice and is dead-lettered 8 ms after it was published. Publishes every 100 ms for
 * 1.05 s: 10 messages, 20 timeouts, 10 dead-lettered, none delivered. A downstream call that
 * is cut off by the timeout still runs to its end at the callee: with the work moved into a
 * call to `db` (1 ms locally, then db's 10 ms), db still completes all 20 calls. */
static void test_consumer_timeout(void) {
    const char *yaml =
        "name: to\nduration: 1.05s\n"
        "workload: {arrivals: constant, rate: 10/s, target: q}\n"
        "components:\n"
        "  q: {kind: queue, consumers: 1, service_time: 10ms, consumer_timeout: 4ms, "
        "max_attempts: 2}\n"
        "  db: {kind: service, workers: 10, service_time: 10ms}\n";
    struct ran r;
    struct model_row q, db;

    CU_ASSERT_FATAL(run_net(yaml, NULL, 0, &r) == 0);
    row_of(&r, "q", &q);
    CU_ASSERT_EQUAL((uint64_t)q.extra[MX_ENQUEUED], 10);
    CU_ASSERT_EQUAL((uint64_t)q.extra[MX_DEAD_LETTERED], 10);
    CU_ASSERT_EQUAL((uint64_t)q.extra[MX_DELIVERED], 0);
    CU_ASSERT_EQUAL((uint64_t)q.extra[MX_TIMEOUTS], 20);
    ran_free(&r);

    {
        const char *y2 = "name: to2\nduration: 1.05s\n"
                         "workload: {arrivals: constant, rate: 10/s, target: q}\n"
                         "components:\n"
                         "  q: {kind: queue, consumers: 1, service_time: 1ms, calls: [db], "
                         "consumer_timeout: 4ms, max_attempts: 2}\n"
                         "  db: {kind: service, workers: 10, service_time: 10ms}\n";
        CU_ASSERT_FATAL(run_net(y2, NULL, 0, &r) == 0);
        row_of(&r, "q", &q);
        row_of(&r, "db", &db);
        CU_ASSERT_EQUAL((uint64_t)q.extra[MX_DEAD_LETTERED], 10);
        CU_ASSERT_EQUAL((uint64_t)q.extra[MX_TIMEOUTS], 20);
        CU_ASSERT_EQUAL(db.completions, 20);
        ran_free(&r);
    }
}

/* Scenario errors name the file, position and key path. */
static void test_errors(void) {
    char msg[600];

    error_of("name: x\nduration: 1s\nworkload: {rate: 1/s, target: q}\n"
             "components:\n  q: {kind: queue, service_time: 1ms, overflow: drop_newest}\n",
             msg, sizeof msg);
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "bad.yaml:5:"));
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "components.q.overflow"));
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "drop_oldest"));

    error_of("name: x\nduration: 1s\nworkload: {rate: 1/s, target: q}\n"
             "components:\n  q:\n    kind: queue\n    subscribers:\n      - {name: a}\n",
             msg, sizeof msg);
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "bad.yaml:8:"));
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "service_time"));

    error_of("name: x\nduration: 1s\nworkload: {rate: 1/s, target: q}\n"
             "components:\n  q: {kind: queue, service_time: 1ms, calls: [dbb]}\n"
             "  db: {kind: service, service_time: 1ms}\n",
             msg, sizeof msg);
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "did you mean 'db'"));

    error_of("name: x\nduration: 1s\nworkload: {rate: 1/s, target: q}\n"
             "components:\n  q: {kind: queue, service_time: 1ms, capacity: 0, "
             "overflow: drop_oldest}\n",
             msg, sizeof msg);
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "components.q.capacity"));

    error_of("name: x\nduration: 1s\nworkload: {rate: 1/s, target: q}\n"
             "components:\n  q: {kind: queue, service_time: 1ms}\n"
             "failures:\n  - {at: 1s, crash: q.billing}\n",
             msg, sizeof msg);
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "no subscriber group 'billing'"));
}

void test_queue_register(void);
void test_queue_register(void) {
    CU_pSuite s = CU_add_suite("queue", NULL, NULL);
    CU_add_test(s, "M/M/3/8 with reject: blocking and depth", test_mmck);
    CU_add_test(s, "producer latency flat, end to end grows", test_producer_flat_e2e_grows);
    CU_add_test(s, "pub/sub: three groups, three deliveries", test_pubsub);
    CU_add_test(s, "at-least-once: dead-letter rate", test_dead_letter);
    CU_add_test(s, "reject, drop_oldest and block by hand", test_overflow_by_hand);
    CU_add_test(s, "durable across a crash", test_crash_durable);
    CU_add_test(s, "consumer timeout redelivers, then dead-letters", test_consumer_timeout);
    CU_add_test(s, "scenario errors", test_errors);
}
