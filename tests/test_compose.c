/*
 * Composition: scenarios/examples/web-stack.yaml puts every component kind in one
 * architecture (load balancer → services → cache → sharded store of replica sets, with writes
 * through an async queue). Its numbers must obey the flow conservation that the topology
 * implies, counted by hand from the routing rules: what enters a component leaves it towards
 * the components it calls.
 */
#include <CUnit/CUnit.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "model.h"
#include "run.h"
#include "testutil.h"

static const struct model_row *row_of(const struct run_rep *r, const char *name) {
    return tu_row(r, name);
}

/* Counts after warm-up can differ by the requests in flight across the warm-up boundary and
 * the end of the run: a few per component at 3000/s with millisecond latencies. Slack: 50. */
#define SLACK 50.0

static void test_web_stack(void) {
    struct run_scenario s;
    struct run_rep r;
    struct err err;
    const struct model_row *total, *lb, *cache, *writes, *store;
    double api = 0, dbs = 0, reads_share;

    err_clear(&err);
    CU_ASSERT_FATAL(run_scenario_load(&s, "scenarios/examples/web-stack.yaml", NULL, 0, &err) == 0);
    CU_ASSERT_FATAL(run_replication(&s, 0, NULL, &r, &err) == 0);
    total = row_of(&r, "total");
    lb = row_of(&r, "lb");
    cache = row_of(&r, "cache");
    writes = row_of(&r, "writes");
    store = row_of(&r, "store");
    CU_ASSERT_FATAL(total && lb && cache && writes && store);
    for (int i = 1; i <= 3; i++) {
        char name[32];
        snprintf(name, sizeof name, "api[%d]", i);
        api += (double)row_of(&r, name)->arrivals;
    }
    for (int i = 1; i <= 4; i++) {
        char name[32];
        snprintf(name, sizeof name, "db%d", i);
        CU_ASSERT_TRUE(row_of(&r, name)->arrivals > 0);
        dbs += (double)row_of(&r, name)->arrivals;
    }
    /* every request enters through the balancer, which spreads it over the three replicas */
    CU_ASSERT_EQUAL(lb->arrivals, total->arrivals);
    CU_ASSERT_DOUBLE_EQUAL(api, (double)lb->arrivals, SLACK);
    /* reads (weight 90) go to the cache, writes (10) to the queue: together, every request */
    CU_ASSERT_DOUBLE_EQUAL((double)(cache->arrivals + writes->arrivals), (double)total->arrivals,
                           SLACK);
    reads_share = (double)cache->arrivals / (double)total->arrivals;
    /* binomial SE of the read share over ~75,000 requests: 0.0011; bound 0.005 */
    CU_ASSERT_DOUBLE_EQUAL(reads_share, 0.9, 0.005);
    /* the store sees the cache's misses and the queue's deliveries, and passes each to
     * exactly one replica set (no scatter class here) */
    CU_ASSERT_DOUBLE_EQUAL((double)store->arrivals,
                           cache->extra[MX_BACKEND_REQUESTS] + writes->extra[MX_DELIVERED], SLACK);
    CU_ASSERT_DOUBLE_EQUAL(dbs, (double)store->arrivals, SLACK);
    /* the cache's hits and misses add up to its reads */
    CU_ASSERT_DOUBLE_EQUAL(cache->extra[MX_HITS] + cache->extra[MX_MISSES], (double)cache->arrivals,
                           SLACK);
    CU_ASSERT_TRUE(cache->extra[MX_HIT_RATIO] > 0.2 && cache->extra[MX_HIT_RATIO] < 0.8);
    CU_ASSERT_TRUE(store->extra[MX_IMBALANCE] >= 1.0);
    /* a stable system: nothing rejected, and the end to end count matches */
    CU_ASSERT_EQUAL(total->rejected + total->errors, 0);
    CU_ASSERT_DOUBLE_EQUAL((double)total->completions, (double)total->arrivals, SLACK);
    run_rep_free(&r);
    run_scenario_free(&s);
}

void test_compose_register(void);
void test_compose_register(void) {
    CU_pSuite s = CU_add_suite("compose", NULL, NULL);
    CU_add_test(s, "web-stack: flow conservation across every kind", test_web_stack);
}
