/*
 * Tests for sim/run/replicate, shard and sweep: replications on 1 and 3 threads give the
 * same bytes and the same results as run_replication called directly; the precision rule
 * against hand-computed Student t half-widths, and its stopping point independent of the
 * thread count; --shard parsing with faked job-array environments; the sweep grid's order,
 * value splitting and errors.
 */
#include <CUnit/CUnit.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv_out.h"
#include "replicate.h"
#include "run_shard.h"
#include "sweep.h"
#include "xmalloc.h"

void test_replicate_register(void);

static const char mm1_yaml[] = "name: mm1\n"
                               "duration: 4s\n"
                               "warmup: 1s\n"
                               "seed: 7\n"
                               "workload:\n"
                               "  arrivals: poisson\n"
                               "  rate: 800/s\n"
                               "  target: api\n"
                               "components:\n"
                               "  api:\n"
                               "    kind: service\n"
                               "    workers: 1\n"
                               "    service_time: exp(1ms)\n";

/* What a batch delivered: summary rows (wall_s zeroed) and the total rows' values. */
struct sink {
    FILE *sum;
    size_t n;
    unsigned order[64];
    uint64_t completions[64];
    double precision;
    int met;
};

static int on_done(void *user, size_t job, struct run_rep *rep) {
    struct sink *k = user;

    (void)job;
    rep->wall_s = 0;
    csv_out_summary_rep(k->sum, "mm1", rep);
    k->order[k->n] = rep->replication;
    k->completions[k->n] = rep->rows[rep->nrows - 1].completions;
    k->n++;
    run_rep_free(rep);
    return 0;
}

static void run_batch_to(const struct run_scenario *s, unsigned threads, size_t njobs, char **sum,
                         char **ts, char **ev, struct sink *k) {
    struct run_job jobs[64];
    struct run_batch b;
    size_t lsum, lts, lev;
    FILE *fts = open_memstream(ts, &lts), *fev = open_memstream(ev, &lev);
    struct err err;

    memset(k, 0, sizeof *k);
    k->sum = open_memstream(sum, &lsum);
    for (size_t j = 0; j < njobs; j++) {
        jobs[j].s = s;
        jobs[j].replication = (unsigned)j;
    }
    memset(&b, 0, sizeof b);
    b.jobs = jobs;
    b.njobs = njobs;
    b.threads = threads;
    b.timeseries = fts;
    b.events = fev;
    b.done = on_done;
    b.user = k;
    err_clear(&err);
    CU_ASSERT_EQUAL(run_batch_run(&b, &err), (long)njobs);
    fclose(fts);
    fclose(fev);
    fclose(k->sum);
}

static void test_threads_same_bytes(void) {
    struct run_scenario s;
    struct err err;
    char *sum1, *ts1, *ev1, *sum3, *ts3, *ev3;
    struct sink k1, k3;

    err_clear(&err);
    CU_ASSERT_FATAL(run_scenario_parse(&s, mm1_yaml, "mm1.yaml", NULL, 0, &err) == 0);
    run_batch_to(&s, 1, 6, &sum1, &ts1, &ev1, &k1);
    run_batch_to(&s, 3, 6, &sum3, &ts3, &ev3, &k3);
    CU_ASSERT_EQUAL(k1.n, 6);
    CU_ASSERT_EQUAL(k3.n, 6);
    CU_ASSERT_STRING_EQUAL(sum1, sum3);
    CU_ASSERT_STRING_EQUAL(ts1, ts3);
    CU_ASSERT_STRING_EQUAL(ev1, ev3);
    CU_ASSERT(strlen(ts1) > 1000); /* 6 replications x 4 intervals x 2 rows */
    /* Delivered in order, each equal to the replication run alone. */
    for (unsigned j = 0; j < 6; j++) {
        struct run_rep r;
        CU_ASSERT_EQUAL(k3.order[j], j);
        CU_ASSERT_FATAL(run_replication(&s, j, NULL, &r, &err) == 0);
        CU_ASSERT_EQUAL(k3.completions[j], r.rows[r.nrows - 1].completions);
        run_rep_free(&r);
    }
    /* The replications differ from each other (different seeds). */
    CU_ASSERT(k3.completions[0] != k3.completions[1] || k3.completions[1] != k3.completions[2]);
    free(sum1);
    free(ts1);
    free(ev1);
    free(sum3);
    free(ts3);
    free(ev3);
    run_scenario_free(&s);
}

/* Replications with one total row whose throughput takes the given values. */
static struct run_rep *fake_reps(const double *tput, const double *lat, size_t n) {
    struct run_rep *r = xcalloc(n, sizeof *r);

    for (size_t k = 0; k < n; k++) {
        struct model_row *m;
        r[k].nrows = 1;
        r[k].rows = m = xcalloc(1, sizeof *m);
        m->component = xstrdup("total");
        m->kind = xstrdup("workload");
        m->throughput_rps = tput[k];
        m->latency_mean_ms = lat[k];
        m->latency_p99_ms = NAN; /* missing everywhere: not checked */
        m->utilization = NAN;
    }
    return r;
}

static void free_reps(struct run_rep *r, size_t n) {
    for (size_t k = 0; k < n; k++)
        run_rep_free(&r[k]);
    free(r);
}

static void test_precision_rule(void) {
    /* Throughput 100, 102, 98: mean 100, s = 2, h = t(0.975, 2) 2 / sqrt(3)
     * = 4.302652729749464 x 1.1547005383792515 = 4.96827..., so 4.97 % of the mean.
     * Mean latency 5, 5, 5: h = 0. */
    const double tput[] = {100, 102, 98}, lat[] = {5, 5, 5};
    struct run_rep *r = fake_reps(tput, lat, 3);
    struct run_precision w;

    CU_ASSERT_EQUAL(run_precision_met(r, 3, 0.05, &w), 1);
    CU_ASSERT_DOUBLE_EQUAL(w.worst, 0.0496827, 1e-6);
    CU_ASSERT_STRING_EQUAL(w.metric, "throughput_rps");
    CU_ASSERT_STRING_EQUAL(w.component, "total");
    CU_ASSERT_EQUAL(run_precision_met(r, 3, 0.049, &w), 0);
    /* Two replications are never enough, however close. */
    CU_ASSERT_EQUAL(run_precision_met(r, 2, 0.5, &w), 0);
    free_reps(r, 3);
    {
        /* A mean of 0 with spread: infinitely imprecise. */
        const double t2[] = {1, -1, 0}, l2[] = {5, 5, 5};
        r = fake_reps(t2, l2, 3);
        CU_ASSERT_EQUAL(run_precision_met(r, 3, 0.5, &w), 0);
        CU_ASSERT(isinf(w.worst));
        free_reps(r, 3);
    }
}

/* Stop at the first n meeting the rule, as cmd_run does. */
struct seq {
    struct run_rep reps[64];
    size_t n;
    double rel;
};

static int seq_done(void *user, size_t job, struct run_rep *rep) {
    struct seq *q = user;
    struct run_precision w;

    (void)job;
    q->reps[q->n++] = *rep;
    return run_precision_met(q->reps, q->n, q->rel, &w);
}

static void test_precision_stop_same_for_threads(void) {
    struct run_scenario s;
    struct run_job jobs[40];
    struct err err;
    size_t stop_at[2];

    err_clear(&err);
    CU_ASSERT_FATAL(run_scenario_parse(&s, mm1_yaml, "mm1.yaml", NULL, 0, &err) == 0);
    for (unsigned j = 0; j < 40; j++) {
        jobs[j].s = &s;
        jobs[j].replication = j;
    }
    for (int t = 0; t < 2; t++) {
        struct seq *q = xcalloc(1, sizeof *q);
        struct run_batch b;
        long got;
        memset(&b, 0, sizeof b);
        b.jobs = jobs;
        b.njobs = 40;
        b.threads = t ? 4 : 1;
        b.done = seq_done;
        b.user = q;
        q->rel = 0.15;
        got = run_batch_run(&b, &err);
        CU_ASSERT_EQUAL(got, (long)q->n);
        stop_at[t] = q->n;
        /* Recomputed independently: the rule fails at every n before. */
        for (size_t n = 3; n < q->n; n++) {
            struct run_precision w;
            CU_ASSERT_EQUAL(run_precision_met(q->reps, n, q->rel, &w), 0);
        }
        for (size_t k = 0; k < q->n; k++)
            run_rep_free(&q->reps[k]);
        free(q);
    }
    CU_ASSERT(stop_at[0] >= 3 && stop_at[0] < 40);
    CU_ASSERT_EQUAL(stop_at[0], stop_at[1]);
    run_scenario_free(&s);
}

/* --- shards -------------------------------------------------------------------------------- */

static const char *const *fake_env;

static const char *env(const char *name) {
    for (size_t i = 0; fake_env && fake_env[i]; i += 2)
        if (strcmp(fake_env[i], name) == 0) return fake_env[i + 1];
    return NULL;
}

static void test_shard_parse(void) {
    static const char *const none[] = {NULL};
    static const char *const k8s[] = {"JOB_COMPLETION_INDEX", "3", NULL};
    static const char *const k8s_big[] = {"JOB_COMPLETION_INDEX", "4", NULL};
    static const char *const slurm[] = {"SLURM_ARRAY_TASK_ID",
                                        "7",
                                        "SLURM_ARRAY_TASK_MIN",
                                        "5",
                                        "SLURM_ARRAY_TASK_COUNT",
                                        "4",
                                        NULL};
    static const char *const slurm_bad[] = {"SLURM_ARRAY_TASK_ID", "1", "SLURM_ARRAY_TASK_COUNT",
                                            "3", NULL};
    static const char *const junk[] = {"JOB_COMPLETION_INDEX", "x1", NULL};
    struct run_shard sh;
    struct err err;

    fake_env = none;
    CU_ASSERT_EQUAL(run_shard_parse("2/5", env, &sh, &err), 0);
    CU_ASSERT_EQUAL(sh.index, 2);
    CU_ASSERT_EQUAL(sh.count, 5);
    CU_ASSERT_EQUAL(run_shard_parse("5/5", env, &sh, &err), -1);
    CU_ASSERT_EQUAL(run_shard_parse("0/0", env, &sh, &err), -1);
    CU_ASSERT_EQUAL(run_shard_parse("a/3", env, &sh, &err), -1);
    CU_ASSERT_EQUAL(run_shard_parse("1", env, &sh, &err), -1);
    CU_ASSERT_EQUAL(run_shard_parse("-1/3", env, &sh, &err), -1);
    CU_ASSERT_EQUAL(run_shard_parse("auto/4", env, &sh, &err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "JOB_COMPLETION_INDEX"));
    CU_ASSERT_EQUAL(run_shard_parse("auto", env, &sh, &err), -1);
    fake_env = k8s;
    CU_ASSERT_EQUAL(run_shard_parse("auto/4", env, &sh, &err), 0);
    CU_ASSERT_EQUAL(sh.index, 3);
    CU_ASSERT_EQUAL(sh.count, 4);
    fake_env = k8s_big;
    CU_ASSERT_EQUAL(run_shard_parse("auto/4", env, &sh, &err), -1);
    fake_env = junk;
    CU_ASSERT_EQUAL(run_shard_parse("auto/4", env, &sh, &err), -1);
    fake_env = slurm;
    CU_ASSERT_EQUAL(run_shard_parse("auto/4", env, &sh, &err), 0);
    CU_ASSERT_EQUAL(sh.index, 2); /* 7 - 5 */
    fake_env = slurm_bad;
    CU_ASSERT_EQUAL(run_shard_parse("auto/4", env, &sh, &err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "SLURM_ARRAY_TASK_COUNT"));
    fake_env = NULL;
    /* Ownership: i mod N == I; every unit in exactly one shard. */
    sh.index = 1;
    sh.count = 3;
    CU_ASSERT(run_shard_owns(&sh, 1) && run_shard_owns(&sh, 4) && run_shard_owns(&sh, 7));
    CU_ASSERT(!run_shard_owns(&sh, 0) && !run_shard_owns(&sh, 2) && !run_shard_owns(&sh, 3));
    sh.count = 0;
    CU_ASSERT(run_shard_owns(&sh, 12345));
}

/* --- the sweep grid ------------------------------------------------------------------------- */

static void test_grid(void) {
    struct run_grid g;
    struct err err;
    char *v;

    memset(&g, 0, sizeof g);
    CU_ASSERT_EQUAL(run_grid_add(&g, "workload.rate=100/s, 200/s,300/s", &err), 0);
    CU_ASSERT_EQUAL(
        run_grid_add(&g, "components.api.service_time=exp(1ms),uniform(1ms, 3ms)", &err), 0);
    CU_ASSERT_EQUAL(g.npoints, 6);
    CU_ASSERT_EQUAL(g.axes[0].nvalues, 3);
    CU_ASSERT_STRING_EQUAL(g.axes[0].values[1], "200/s"); /* spaces dropped */
    CU_ASSERT_STRING_EQUAL(g.axes[1].values[1], "uniform(1ms, 3ms)");
    /* First axis outermost: point 3 = rate index 1, service index 1. */
    CU_ASSERT_EQUAL(run_grid_index(&g, 3, 0), 1);
    CU_ASSERT_EQUAL(run_grid_index(&g, 3, 1), 1);
    CU_ASSERT_EQUAL(run_grid_index(&g, 4, 0), 2);
    CU_ASSERT_EQUAL(run_grid_index(&g, 4, 1), 0);
    v = run_grid_vary(&g, 3);
    CU_ASSERT_STRING_EQUAL(v, "workload.rate=200/s;components.api.service_time=uniform(1ms, 3ms)");
    free(v);
    v = run_grid_assignment(&g, 5, 1);
    CU_ASSERT_STRING_EQUAL(v, "components.api.service_time=uniform(1ms, 3ms)");
    free(v);
    CU_ASSERT_EQUAL(run_grid_add(&g, "workload.rate=1/s", &err), -1); /* varied twice */
    CU_ASSERT_EQUAL(run_grid_add(&g, "norate", &err), -1);
    CU_ASSERT_EQUAL(run_grid_add(&g, "a=1,,2", &err), -1);
    CU_ASSERT_EQUAL(run_grid_add(&g, "a=exp(1ms", &err), -1);
    CU_ASSERT_EQUAL(run_grid_add(&g, "a=1)", &err), -1);
    CU_ASSERT_EQUAL(run_grid_add(&g, "=1", &err), -1);
    CU_ASSERT_EQUAL(g.npoints, 6); /* unchanged by the failures */
    run_grid_free(&g);
}

void test_replicate_register(void) {
    CU_pSuite s = CU_add_suite("replicate", NULL, NULL);
    CU_add_test(s, "1 and 3 threads: same bytes, same results", test_threads_same_bytes);
    CU_add_test(s, "precision rule by hand", test_precision_rule);
    CU_add_test(s, "precision stop independent of threads", test_precision_stop_same_for_threads);
    CU_add_test(s, "shard parsing and ownership", test_shard_parse);
    CU_add_test(s, "sweep grid", test_grid);
}
