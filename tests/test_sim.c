/*
 * Tests of the event list (sim/core/sim.c) and the object pool: ordering by time, priority
 * and insertion; cancel and reschedule; the end-of-run rule; the pool's reuse.
 */
#include <CUnit/CUnit.h>
#include <stdint.h>
#include <stdlib.h>

#include "pool.h"
#include "rng.h"
#include "sim.h"

struct trace {
    int64_t t[20000];
    intptr_t id[20000];
    size_t n;
};

static void record(struct sim *sim, void *a, void *b) {
    struct trace *tr = a;
    tr->t[tr->n] = sim_now(sim);
    tr->id[tr->n] = (intptr_t)b;
    tr->n++;
}

/* Random insertion order comes out sorted by time, and equal times come out in insertion
 * order (FIFO), whatever the heap shape. */
static void test_heap_random_order(void) {
    static struct trace tr;
    struct sim *sim = sim_new();
    struct rng r;

    tr.n = 0;
    rng_seed(&r, 7, 1);
    for (intptr_t i = 0; i < 10000; i++) {
        /* only 50 distinct times, so ties are frequent */
        int64_t t = (int64_t)rng_bounded(&r, 50) * 10;
        sim_schedule(sim, t, record, &tr, (void *)i);
    }
    CU_ASSERT_EQUAL(sim_run_until(sim, 1000), SIM_STOP_EMPTY);
    CU_ASSERT_EQUAL(tr.n, 10000);
    for (size_t i = 1; i < tr.n; i++) {
        CU_ASSERT_TRUE(tr.t[i - 1] <= tr.t[i]);
        if (tr.t[i - 1] == tr.t[i]) CU_ASSERT_TRUE(tr.id[i - 1] < tr.id[i]);
    }
    CU_ASSERT_EQUAL(sim_events(sim), 10000);
    sim_free(sim);
}

static void test_heap_priority(void) {
    static struct trace tr;
    struct sim *sim = sim_new();

    tr.n = 0;
    sim_schedule_prio(sim, 5, SIM_PRIO_LAST, record, &tr, (void *)1);
    sim_schedule_prio(sim, 5, SIM_PRIO_NORMAL, record, &tr, (void *)2);
    sim_schedule_prio(sim, 5, SIM_PRIO_FIRST, record, &tr, (void *)3);
    sim_schedule_prio(sim, 4, SIM_PRIO_LAST, record, &tr, (void *)4);
    sim_run_until(sim, 100);
    CU_ASSERT_EQUAL(tr.n, 4);
    CU_ASSERT_EQUAL(tr.id[0], 4);
    CU_ASSERT_EQUAL(tr.id[1], 3);
    CU_ASSERT_EQUAL(tr.id[2], 2);
    CU_ASSERT_EQUAL(tr.id[3], 1);
    sim_free(sim);
}

/* Cancel removes exactly that event; reschedule moves it and orders it as if new. */
static void test_cancel_reschedule(void) {
    static struct trace tr;
    struct sim *sim = sim_new();
    struct sim_event *ev[100];
    struct rng r;

    tr.n = 0;
    rng_seed(&r, 11, 3);
    for (intptr_t i = 0; i < 100; i++)
        ev[i] = sim_schedule(sim, (int64_t)rng_bounded(&r, 1000), record, &tr, (void *)i);
    for (int i = 0; i < 100; i += 2)
        sim_cancel(sim, ev[i]);
    sim_reschedule(sim, ev[1], 5000);
    CU_ASSERT_EQUAL(sim_event_time(sim, ev[1]), 5000);
    CU_ASSERT_EQUAL(sim_pending(sim), 50);
    sim_run_until(sim, 10000);
    CU_ASSERT_EQUAL(tr.n, 50);
    for (size_t i = 0; i < tr.n; i++)
        CU_ASSERT_EQUAL(tr.id[i] % 2, 1);
    CU_ASSERT_EQUAL(tr.id[tr.n - 1], 1);
    CU_ASSERT_EQUAL(tr.t[tr.n - 1], 5000);
    sim_free(sim);
}

/* The end-of-run rule: events strictly before the end run; one at exactly the end does not;
 * the clock stops exactly at the end, never at a later (or cancelled) timer. */
static void test_end_rule(void) {
    static struct trace tr;
    struct sim *sim = sim_new();
    struct sim_event *late;

    tr.n = 0;
    sim_schedule(sim, 5, record, &tr, (void *)1);
    sim_schedule(sim, 10, record, &tr, (void *)2);
    late = sim_schedule(sim, 20, record, &tr, (void *)3);
    sim_cancel(sim, late);
    CU_ASSERT_EQUAL(sim_run_until(sim, 10), SIM_STOP_END);
    CU_ASSERT_EQUAL(tr.n, 1);
    CU_ASSERT_EQUAL(sim_now(sim), 10);
    CU_ASSERT_EQUAL(sim_pending(sim), 1);
    /* Continuing runs the event at 10 first: slicing a run does not change it. */
    CU_ASSERT_EQUAL(sim_run_until(sim, 30), SIM_STOP_EMPTY);
    CU_ASSERT_EQUAL(tr.n, 2);
    CU_ASSERT_EQUAL(tr.t[1], 10);
    /* The cancelled timer at 20 never moved the clock; the empty run ends exactly at 30. */
    CU_ASSERT_EQUAL(sim_now(sim), 30);
    sim_free(sim);
}

static void stopper(struct sim *sim, void *a, void *b) {
    (void)a;
    (void)b;
    sim_stop(sim);
}

static void test_stop(void) {
    static struct trace tr;
    struct sim *sim = sim_new();

    tr.n = 0;
    sim_schedule(sim, 1, stopper, NULL, NULL);
    sim_schedule(sim, 2, record, &tr, (void *)1);
    CU_ASSERT_EQUAL(sim_run_until(sim, 100), SIM_STOP_INTERRUPTED);
    CU_ASSERT_EQUAL(sim_now(sim), 1);
    CU_ASSERT_EQUAL(tr.n, 0);
    CU_ASSERT_EQUAL(sim_run_until(sim, 100), SIM_STOP_EMPTY);
    CU_ASSERT_EQUAL(tr.n, 1);
    sim_free(sim);
}

/* Objects come back for reuse: a steady get/put cycle allocates no new slab. */
static void test_pool_reuse(void) {
    struct pool *p = pool_new(40);
    void *a = pool_get(p), *b;

    pool_put(p, a);
    b = pool_get(p);
    CU_ASSERT_PTR_EQUAL(a, b);
    CU_ASSERT_EQUAL(pool_in_use(p), 1);
    for (int i = 0; i < 5000; i++) {
        void *x = pool_get(p);
        CU_ASSERT_PTR_NOT_NULL(x);
        pool_put(p, x);
    }
    CU_ASSERT_EQUAL(pool_in_use(p), 1);
    pool_free(p);
    pool_free(NULL);
}

void test_sim_register(void);
void test_sim_register(void) {
    CU_pSuite s = CU_add_suite("sim", NULL, NULL);
    CU_add_test(s, "heap: random order, ties FIFO", test_heap_random_order);
    CU_add_test(s, "heap: priority before insertion", test_heap_priority);
    CU_add_test(s, "cancel and reschedule", test_cancel_reschedule);
    CU_add_test(s, "end-of-run rule", test_end_rule);
    CU_add_test(s, "sim_stop", test_stop);
    CU_add_test(s, "pool reuse", test_pool_reuse);
}
