/*
 * replica_set against hand counts and closed forms computed here, independently of the model.
 *
 * Semantics the expectations rely on (docs/scenario.md, "replica_set", and docs/csv.md): a write is
 * versioned and committed (acknowledged) at the primary; a replica applies a replicated write only
 * if it is newer than what it has (last writer wins by version), so a replica is current for a key
 * exactly when the latest committed write of that key has reached it; a read is stale when the
 * version it returns is older than the latest version committed before it arrived, and its age
 * is its answer time minus that version's commit time.
 */
#include <CUnit/CUnit.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "replica.h"
#include "run.h"
#include "testutil.h"

/* Events captured from a run (detect, elect, promote, ...). */
struct evlog {
    size_t n;
    struct {
        double t_s;
        char what[16];
        char detail[96];
    } ev[32];
};

static void on_event(void *user, const struct net_event *ev) {
    struct evlog *log = user;

    if (log->n >= sizeof log->ev / sizeof log->ev[0]) return;
    log->ev[log->n].t_s = (double)ev->t_ns / 1e9;
    snprintf(log->ev[log->n].what, sizeof log->ev[0].what, "%s", ev->what);
    snprintf(log->ev[log->n].detail, sizeof log->ev[0].detail, "%s", ev->detail);
    log->n++;
}

static int run_yaml(const char *yaml, const char *const *sets, size_t nsets, struct evlog *log,
                    struct run_rep *out) {
    struct run_hooks hooks = {0};

    if (log) {
        memset(log, 0, sizeof *log);
        hooks.event = on_event;
        hooks.user = log;
    }
    return tu_run(yaml, 0, sets, nsets, 0, &hooks, out);
}

static const struct model_row *find_row(const struct run_rep *r, const char *name) {
    return tu_row(r, name);
}

static int near_abs(const char *what, double got, double want, double tol) {
    int ok = fabs(got - want) <= tol;
    if (!ok) fprintf(stderr, "\n  %s: got %.6g, want %.6g ± %.3g\n", what, got, want, tol);
    return ok;
}

static const struct evlog *find_event(const struct evlog *log, const char *what, size_t *at) {
    for (size_t i = 0; i < log->n; i++)
        if (strcmp(log->ev[i].what, what) == 0) {
            if (at) *at = i;
            return log;
        }
    return NULL;
}

/* Async replication, one key, one replica, zero service times. Writes are Poisson at λ = 100/s;
 * each reaches the replica after an exponential lag of mean L = 5 ms (μ = 1/L = 200/s); reads
 * at Poisson times (1000/s) go to the replica.
 * Derivation: at a read time t let T be the commit time of the latest write before t; its age
 * A = t − T is Exp(λ) (backward recurrence of a Poisson process), independent of that write's
 * lag X ~ Exp(μ). Later writes do not exist yet and earlier ones are older (max wins), so the
 * replica is stale iff X > A: P = λ/(λ + μ) = λL/(1 + λL) = 1/3. Given stale, the age has
 * density ∝ λe^{−λa}·e^{−μa}: Exp(λ + μ), mean 1/(λ + μ) = 3.333 ms. The mean replication lag
 * is E[X] = 5 ms. Reads see the replica by PASTA.
 * Sampling error: "stale" is a two-state Markov process (stale → current at rate μ, current →
 * stale at rate λ), autocorrelation e^{−(λ+μ)s}, so the time-average over T = 100 s has
 * variance 2p(1−p)/((λ+μ)T) = 1.48e-5, plus p(1−p)/n = 2.2e-6 from sampling it at n = 10^5
 * reads: SE 0.0042; bound 0.017 (4 SE). Stale age: about 10^4 stale episodes (one per write),
 * SE about 1.5 %: bound 6 % (0.2 ms). Lag: 10^4 exponential samples, SE 1 %: bound 4 %. */
static void test_async_stale_fraction(void) {
    const char *yaml = "name: stale\nduration: 101s\nwarmup: 1s\nseed: 7\n"
                       "workload:\n  rate: 1100/s\n  keys: uniform(n=1)\n  classes:\n"
                       "    - {name: read, weight: 1000, target: db}\n"
                       "    - {name: write, weight: 100, target: db, op: write}\n"
                       "components:\n"
                       "  db: {kind: replica_set, replicas: 1, workers: 4, read_time: 0s,\n"
                       "       write_time: 0s, replication: async, lag: exp(5ms),\n"
                       "       read_from: replicas}\n";
    double lambda = 100, mu = 200, p = lambda / (lambda + mu), age_ms = 1000 / (lambda + mu);
    struct run_rep r;
    const struct model_row *db;

    CU_ASSERT_FATAL(run_yaml(yaml, NULL, 0, NULL, &r) == 0);
    db = find_row(&r, "db");
    CU_ASSERT_FATAL(db != NULL);
    fprintf(stderr,
            "\n  async: stale ratio %.4f (want %.4f), age %.3f ms (want %.3f), lag %.3f ms"
            " (want 5), reads %.0f\n",
            db->extra[MX_STALE_RATIO], p, db->extra[MX_STALE_AGE_MS], age_ms,
            db->extra[MX_REPLICATION_LAG_MS], db->extra[MX_READ_RPS] * 100);
    CU_ASSERT_TRUE(near_abs("stale ratio", db->extra[MX_STALE_RATIO], p, 0.017));
    CU_ASSERT_TRUE(near_abs("stale age ms", db->extra[MX_STALE_AGE_MS], age_ms, 0.06 * age_ms));
    CU_ASSERT_TRUE(near_abs("lag ms", db->extra[MX_REPLICATION_LAG_MS], 5.0, 0.2));
    CU_ASSERT_EQUAL(db->errors, 0);
    CU_ASSERT_TRUE(near_abs("stale count", db->extra[MX_STALE_READS],
                            db->extra[MX_STALE_RATIO] * db->extra[MX_READ_RPS] * 100, 1.0));
    run_rep_free(&r);
}

/* Quorums: N = 3. With R + W > N every read set meets a node that acknowledged the latest
 * committed write before the read arrived (and versions only grow), so no read in 10^5 may be
 * stale. With R + W <= N a read set can miss all acknowledging nodes; with a 2 ms lag and ten
 * keys written 200/s each this happens often (some thousands), so "some" is asserted as
 * > 100. */
static void test_quorum_intersection(void) {
    const char *yaml = "name: quorum\nduration: 51s\nwarmup: 1s\nseed: 11\n"
                       "workload:\n  rate: 4000/s\n  keys: uniform(n=10)\n  classes:\n"
                       "    - {name: read, weight: 1, target: db}\n"
                       "    - {name: write, weight: 1, target: db, op: write}\n"
                       "components:\n"
                       "  db: {kind: replica_set, replicas: 2, workers: 8,\n"
                       "       read_time: exp(0.2ms), write_time: exp(0.2ms),\n"
                       "       replication: quorum, write_quorum: 2, read_quorum: 2,\n"
                       "       lag: exp(2ms), read_from: any}\n";
    const int wr[6][2] = {{2, 2}, {3, 1}, {1, 3}, {1, 1}, {2, 1}, {1, 2}};

    for (int i = 0; i < 6; i++) {
        char w[64], rq[64];
        const char *sets[] = {w, rq};
        struct run_rep r;
        const struct model_row *db;
        double reads;

        snprintf(w, sizeof w, "components.db.write_quorum=%d", wr[i][0]);
        snprintf(rq, sizeof rq, "components.db.read_quorum=%d", wr[i][1]);
        CU_ASSERT_FATAL(run_yaml(yaml, sets, 2, NULL, &r) == 0);
        db = find_row(&r, "db");
        reads = db->extra[MX_READ_RPS] * 50;
        fprintf(stderr, "  W=%d R=%d: %.0f reads, %.0f stale\n", wr[i][0], wr[i][1], reads,
                db->extra[MX_STALE_READS]);
        CU_ASSERT_TRUE(reads > 99000);
        CU_ASSERT_EQUAL(db->errors, 0);
        if (wr[i][0] + wr[i][1] > 3) {
            CU_ASSERT_EQUAL(db->extra[MX_STALE_READS], 0);
        } else {
            CU_ASSERT_TRUE(db->extra[MX_STALE_READS] > 100);
        }
        run_rep_free(&r);
    }
}

/* Failover by hand: writes arrive every 10 ms (k = 1, 2, ... at 10k ms) and are acknowledged
 * at once (write_time 0, async). Lags are constant: 20 ms to replica[1], 45 ms to replica[2].
 * The primary crashes at 1002.5 ms, after writes 1..100. Replica[1] has applied writes with
 * 10k + 20 < 1002.5, i.e. k <= 98: it lacks 99 and 100 (2); replica[2] has k <= 95 and lacks
 * 96..100 (5). After detection 1 s and election 0.5 s, replica[1] (fewest missing) is
 * promoted at 2502.5 ms: 2 lost writes, unavailability exactly 1.5 s. Writes at 1010 ..
 * 2500 ms find no primary: 150 errors. The run has 399 arrivals (10 ms .. 3990 ms): 249
 * completions. */
static const char failover_yaml[] =
    "name: failover\nduration: 4s\n"
    "workload:\n  arrivals: constant\n  rate: 100/s\n  classes:\n"
    "    - {name: write, weight: 1, target: db, op: write}\n"
    "components:\n"
    "  db: {kind: replica_set, replicas: 2, read_time: 0s, write_time: 0s,\n"
    "       lag: [20ms, 45ms], detection: 1s, election: 500ms}\n"
    "failures:\n  - {at: 1.0025s, crash: db.primary}\n";

static void test_failover_lost_writes(void) {
    struct run_rep r;
    struct evlog log;
    const struct model_row *db;
    size_t i;

    CU_ASSERT_FATAL(run_yaml(failover_yaml, NULL, 0, &log, &r) == 0);
    db = find_row(&r, "db");
    CU_ASSERT_EQUAL(db->arrivals, 399);
    CU_ASSERT_EQUAL(db->errors, 150);
    CU_ASSERT_EQUAL(db->completions, 249);
    CU_ASSERT_EQUAL(db->extra[MX_LOST_WRITES], 2);
    CU_ASSERT_TRUE(near_abs("unavailable s", db->extra[MX_UNAVAILABLE_S], 1.5, 1e-9));
    CU_ASSERT_FATAL(find_event(&log, "detect", &i) != NULL);
    CU_ASSERT_TRUE(near_abs("detect at", log.ev[i].t_s, 2.0025, 1e-9));
    CU_ASSERT_FATAL(find_event(&log, "promote", &i) != NULL);
    CU_ASSERT_TRUE(near_abs("promote at", log.ev[i].t_s, 2.5025, 1e-9));
    CU_ASSERT_TRUE(strncmp(log.ev[i].detail, "replica[1] is the primary; 2 acknowledged", 41) == 0);
    CU_ASSERT_FATAL(find_event(&log, "elect", &i) != NULL);
    run_rep_free(&r);
}

/* The primary comes back (for: 0.5s) before the failure is detected (1 s): it stays primary,
 * nothing is lost, the window is 0.5 s and the writes at 1010 .. 1500 ms fail (50); the
 * replicas catch up. */
static void test_failover_recover_before_detection(void) {
    const char *sets[] = {"failures[0].for=0.5s"};
    struct run_rep r;
    struct evlog log;
    const struct model_row *db;

    CU_ASSERT_FATAL(run_yaml(failover_yaml, sets, 1, &log, &r) == 0);
    db = find_row(&r, "db");
    CU_ASSERT_EQUAL(db->errors, 50);
    CU_ASSERT_EQUAL(db->extra[MX_LOST_WRITES], 0);
    CU_ASSERT_TRUE(near_abs("unavailable s", db->extra[MX_UNAVAILABLE_S], 0.5, 1e-9));
    CU_ASSERT_PTR_NULL(find_event(&log, "promote", NULL));
    run_rep_free(&r);
}

/* Whole-component crash for 1 s at 1.0025 s: the 100 writes at 1010 .. 2000 ms are refused
 * (lost, not errors); unavailable 1 s; no failover. */
static void test_crash_whole(void) {
    const char *sets[] = {"failures[0].crash=db", "failures[0].for=1s"};
    struct run_rep r;
    struct evlog log;
    const struct model_row *db;

    CU_ASSERT_FATAL(run_yaml(failover_yaml, sets, 2, &log, &r) == 0);
    db = find_row(&r, "db");
    CU_ASSERT_EQUAL(db->lost, 100);
    CU_ASSERT_EQUAL(db->completions, 299);
    CU_ASSERT_TRUE(near_abs("unavailable s", db->extra[MX_UNAVAILABLE_S], 1.0, 1e-9));
    CU_ASSERT_PTR_NULL(find_event(&log, "promote", NULL));
    run_rep_free(&r);
}

/* CAP: N = 3, W = 2, R = 2 (no stale reads normally), reads from any node in turn, 500
 * reads/s and 500 writes/s over 100 keys. The primary is cut off from both replicas at 10 s
 * for 5 s.
 * cp: the primary cannot reach a majority: writes fail until the replicas elect a new primary
 * (detection 1 s + election 1 s: unavailable exactly 2 s, about 500/s x 2 s = 1000 write
 * errors), and reads coordinated by the old primary (a third of 2500 in 5 s: 833) fail; no
 * read is stale. Expected errors 1833, Poisson SD about 35; bound ±140 (4 SD) plus a few
 * operations in flight at the cut.
 * ap: nothing fails; the isolated primary acknowledges writes alone (divergent: about
 * 500/s x 5 s = 2500, SD 50; bound ±10 %), and the replicas, which no longer receive them,
 * serve stale reads (hundreds). */
static void test_partition_cp_ap(void) {
    const char *yaml = "name: cap\nduration: 30s\nwarmup: 1s\nseed: 5\n"
                       "workload:\n  rate: 1000/s\n  keys: uniform(n=100)\n  classes:\n"
                       "    - {name: read, weight: 1, target: db}\n"
                       "    - {name: write, weight: 1, target: db, op: write}\n"
                       "components:\n"
                       "  db: {kind: replica_set, replicas: 2, workers: 4,\n"
                       "       read_time: exp(0.2ms), write_time: exp(0.2ms),\n"
                       "       replication: quorum, write_quorum: 2, read_quorum: 2,\n"
                       "       lag: exp(1ms), read_from: any, detection: 1s, election: 1s,\n"
                       "       partition_mode: cp}\n"
                       "failures:\n  - {at: 10s, partition: [db.primary], for: 5s}\n";
    const char *ap[] = {"components.db.partition_mode=ap"};
    struct run_rep r;
    struct evlog log;
    const struct model_row *db;
    size_t i;

    CU_ASSERT_FATAL(run_yaml(yaml, NULL, 0, &log, &r) == 0);
    db = find_row(&r, "db");
    fprintf(stderr, "\n  cp: errors %llu, stale %.0f, unavailable %.3f s\n",
            (unsigned long long)db->errors, db->extra[MX_STALE_READS], db->extra[MX_UNAVAILABLE_S]);
    CU_ASSERT_TRUE(near_abs("cp errors", (double)db->errors, 1833, 150));
    CU_ASSERT_EQUAL(db->extra[MX_STALE_READS], 0);
    CU_ASSERT_EQUAL(db->extra[MX_DIVERGENT_WRITES], 0);
    CU_ASSERT_TRUE(near_abs("cp unavailable s", db->extra[MX_UNAVAILABLE_S], 2.0, 1e-9));
    CU_ASSERT_FATAL(find_event(&log, "promote", &i) != NULL);
    CU_ASSERT_TRUE(near_abs("promote at", log.ev[i].t_s, 12.0, 1e-9));
    run_rep_free(&r);

    CU_ASSERT_FATAL(run_yaml(yaml, ap, 1, &log, &r) == 0);
    db = find_row(&r, "db");
    fprintf(stderr, "  ap: errors %llu, stale %.0f, divergent %.0f, unavailable %.3f s\n",
            (unsigned long long)db->errors, db->extra[MX_STALE_READS],
            db->extra[MX_DIVERGENT_WRITES], db->extra[MX_UNAVAILABLE_S]);
    CU_ASSERT_EQUAL(db->errors, 0);
    CU_ASSERT_TRUE(db->extra[MX_STALE_READS] > 300);
    CU_ASSERT_TRUE(near_abs("ap divergent", db->extra[MX_DIVERGENT_WRITES], 2500, 250));
    CU_ASSERT_EQUAL(db->extra[MX_UNAVAILABLE_S], 0);
    CU_ASSERT_PTR_NULL(find_event(&log, "promote", NULL));
    run_rep_free(&r);
}

/* Sync replication: a write is answered when both replicas have applied it. With constant
 * times (write 1 ms at every node, lags 3 ms and 7 ms) and writes 100 ms apart (no queueing)
 * the write latency is 1 + max(3 + 1, 7 + 1) = 9 ms exactly; async would be 1 ms. */
static void test_sync_latency(void) {
    const char *yaml = "name: sync\nduration: 10s\n"
                       "workload:\n  arrivals: constant\n  rate: 10/s\n  classes:\n"
                       "    - {name: write, weight: 1, target: db, op: write}\n"
                       "components:\n"
                       "  db: {kind: replica_set, replicas: 2, read_time: 1ms, write_time: 1ms,\n"
                       "       replication: sync, lag: [3ms, 7ms]}\n";
    const char *async[] = {"components.db.replication=async"};
    struct run_rep r;
    const struct model_row *db;

    CU_ASSERT_FATAL(run_yaml(yaml, NULL, 0, NULL, &r) == 0);
    db = find_row(&r, "db");
    CU_ASSERT_TRUE(near_abs("sync write ms", db->extra[MX_WRITE_LATENCY_MS], 9.0, 1e-9));
    CU_ASSERT_TRUE(near_abs("sync lag ms", db->extra[MX_REPLICATION_LAG_MS], 6.0, 1e-9));
    run_rep_free(&r);
    CU_ASSERT_FATAL(run_yaml(yaml, async, 1, NULL, &r) == 0);
    db = find_row(&r, "db");
    CU_ASSERT_TRUE(near_abs("async write ms", db->extra[MX_WRITE_LATENCY_MS], 1.0, 1e-9));
    run_rep_free(&r);
}

/* Scenario errors name the key and its position; failures name unknown parts. */
static void test_errors(void) {
    static const struct {
        const char *set, *want;
    } cases[] = {
        {"components.db.write_quorum=2", "write_quorum applies to 'replication: quorum'"},
        {"components.db.replication=eventual", "unknown value 'eventual'"},
        {"components.db.read_quorum=4", "components.db.read_quorum"},
        {"components.db.read_from=replica", "did you mean 'replicas'"},
        {"failures[0].crash=db.replica[3]", "no part 'replica[3]'"},
    };
    const char *base = "name: e\nduration: 1s\n"
                       "workload: {rate: 10/s, target: db}\n"
                       "components:\n"
                       "  db: {kind: replica_set, replicas: 2, read_time: 1ms, write_time: 1ms}\n"
                       "failures:\n  - {at: 0.5s, crash: db.primary}\n";

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct run_scenario s;
        struct err err;
        char buf[600];
        const char *sets[] = {cases[i].set};
        int rc;

        err_clear(&err);
        rc = run_scenario_parse(&s, base, "test.yaml", sets, 1, &err);
        if (rc == 0) {
            rc = run_check(&s, NULL, &err);
            run_scenario_free(&s);
        }
        err_format(&err, buf, sizeof buf);
        if (rc == 0 || !strstr(buf, cases[i].want))
            fprintf(stderr, "\n  %s: got '%s', want '%s'\n", cases[i].set, buf, cases[i].want);
        CU_ASSERT_NOT_EQUAL(rc, 0);
        CU_ASSERT_PTR_NOT_NULL(strstr(buf, cases[i].want));
    }
    {
        /* a list of lags needs one per replica, located at the list */
        const char *yaml = "name: e\nduration: 1s\n"
                           "workload: {rate: 10/s, target: db}\n"
                           "components:\n"
                           "  db: {kind: replica_set, replicas: 2, read_time: 1ms,\n"
                           "       write_time: 1ms, lag: [1ms]}\n";
        struct run_scenario s;
        struct err err;
        char buf[600];

        err_clear(&err);
        CU_ASSERT_FATAL(run_scenario_parse(&s, yaml, "test.yaml", NULL, 0, &err) == 0);
        CU_ASSERT_NOT_EQUAL(run_check(&s, NULL, &err), 0);
        err_format(&err, buf, sizeof buf);
        CU_ASSERT_PTR_NOT_NULL(
            strstr(buf, "test.yaml:6:30: error: components.db.lag: one lag per"));
        if (!strstr(buf, "test.yaml:6:30:")) fprintf(stderr, "\n  got '%s'\n", buf);
        run_scenario_free(&s);
    }
}

void test_replica_register(void);

void test_replica_register(void) {
    CU_pSuite s = CU_add_suite("replica", NULL, NULL);

    CU_add_test(s, "async stale fraction, age and lag (closed form)", test_async_stale_fraction);
    CU_add_test(s, "quorum R + W > N never stale, R + W <= N stale", test_quorum_intersection);
    CU_add_test(s, "failover window and lost writes (hand count)", test_failover_lost_writes);
    CU_add_test(s, "primary back before detection", test_failover_recover_before_detection);
    CU_add_test(s, "whole-component crash", test_crash_whole);
    CU_add_test(s, "partition: cp errors vs ap stale reads", test_partition_cp_ap);
    CU_add_test(s, "sync write latency (hand count)", test_sync_latency);
    CU_add_test(s, "scenario errors", test_errors);
}
