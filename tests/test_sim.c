/*
 * Tests of the event list (sim/core/sim.c) and the object pool: ordering by time, priority
 * and insertion; cancel and reschedule, also from inside handlers (random operations checked
 * against a model of the list); the end-of-run rule; the pool's reuse.
 */
#include <CUnit/CUnit.h>
#include <signal.h>
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

/* A ticker: one event per ns, each scheduling the next; the 5000th raises the flag. */
struct ticker {
    volatile sig_atomic_t flag;
    int runs;
};

static void tick(struct sim *sim, void *a, void *b) {
    struct ticker *tk = a;

    (void)b;
    if (++tk->runs == 5000) tk->flag = 1;
    sim_schedule(sim, sim_now(sim) + 1, tick, tk, NULL);
}

/* The stop flag is seen before every 4096th event (by the running count, across runs), and
 * an interrupted run does not count the event it did not run. */
static void test_stop_flag(void) {
    static struct ticker tk;
    struct sim *sim = sim_new();

    tk.flag = 1;
    tk.runs = 0;
    sim_set_stop_flag(sim, &tk.flag);
    sim_schedule(sim, 0, tick, &tk, NULL);
    CU_ASSERT_EQUAL(sim_run_until(sim, 100000), SIM_STOP_INTERRUPTED);
    CU_ASSERT_EQUAL(sim_events(sim), 0);
    tk.flag = 0;
    CU_ASSERT_EQUAL(sim_run_until(sim, 100000), SIM_STOP_INTERRUPTED);
    CU_ASSERT_EQUAL(sim_events(sim), 8192);
    CU_ASSERT_EQUAL(tk.runs, 8192);
    CU_ASSERT_EQUAL(sim_run_until(sim, 100000), SIM_STOP_INTERRUPTED);
    CU_ASSERT_EQUAL(sim_events(sim), 8192);
    tk.flag = 0;
    CU_ASSERT_EQUAL(sim_run_until(sim, 10000), SIM_STOP_END);
    CU_ASSERT_EQUAL(sim_events(sim), 10000);
    CU_ASSERT_EQUAL(sim_run_until(sim, 10100), SIM_STOP_END);
    CU_ASSERT_EQUAL(sim_events(sim), 10100);
    sim_free(sim);
}

/* A model of the event list for the randomized test: every pending event with its handle
 * and its order key (time, priority, insertion), the smallest of which must run next. */
struct mirror_ev {
    struct sim_event *h;
    int64_t t;
    int prio;
    uint64_t seq;
    uintptr_t id; /* passed as b: names the event across reschedules */
};

struct mirror {
    struct mirror_ev ev[4096];
    size_t n;
    uint64_t seq;
    uintptr_t next_id;
    struct rng r;
    size_t fired, bad;
};

static void mirror_fire(struct sim *sim, void *a, void *b);

static void mirror_add(struct sim *sim, struct mirror *m) {
    struct mirror_ev *e = &m->ev[m->n];
    int64_t t = sim_now(sim) + (int64_t)rng_bounded(&m->r, 8) * 5;

    e->prio = (int)rng_bounded(&m->r, 3) * 100;
    e->t = t;
    e->seq = m->seq++;
    e->id = m->next_id++;
    e->h = e->prio == SIM_PRIO_NORMAL
               ? sim_schedule(sim, t, mirror_fire, m, (void *)e->id)
               : sim_schedule_prio(sim, t, e->prio, mirror_fire, m, (void *)e->id);
    m->n++;
}

/* Random schedules, cancels and reschedules, from inside handlers (where the fired event's
 * slot is still being reused) and outside; each handler checks it is the mirror's least. */
static void mirror_step(struct sim *sim, struct mirror *m, int ops) {
    for (int k = 0; k < ops; k++) {
        uint32_t op = rng_bounded(&m->r, 5);
        if (op <= 2 && m->n < 4000) {
            mirror_add(sim, m);
        } else if (op == 3 && m->n > 0) {
            size_t i = rng_bounded(&m->r, (uint32_t)m->n);
            sim_cancel(sim, m->ev[i].h);
            m->ev[i] = m->ev[--m->n];
        } else if (op == 4 && m->n > 0) {
            size_t i = rng_bounded(&m->r, (uint32_t)m->n);
            int64_t t = sim_now(sim) + (int64_t)rng_bounded(&m->r, 8) * 5;
            sim_reschedule(sim, m->ev[i].h, t);
            m->ev[i].t = t;
            m->ev[i].seq = m->seq++;
            if (sim_event_time(sim, m->ev[i].h) != t) m->bad++;
        }
    }
    if (sim_pending(sim) != m->n) m->bad++;
}

static int mirror_less(const struct mirror_ev *x, const struct mirror_ev *y) {
    if (x->t != y->t) return x->t < y->t;
    if (x->prio != y->prio) return x->prio < y->prio;
    return x->seq < y->seq;
}

static void mirror_fire(struct sim *sim, void *a, void *b) {
    struct mirror *m = a;
    size_t least = 0;

    for (size_t i = 1; i < m->n; i++)
        if (mirror_less(&m->ev[i], &m->ev[least])) least = i;
    if (m->n == 0 || m->ev[least].id != (uintptr_t)b || m->ev[least].t != sim_now(sim)) m->bad++;
    /* The handle is invalid from here: drop it from the mirror before any other call. */
    for (size_t i = 0; i < m->n; i++)
        if (m->ev[i].id == (uintptr_t)b) {
            m->ev[i] = m->ev[--m->n];
            break;
        }
    m->fired++;
    if (m->fired < 30000) mirror_step(sim, m, (int)rng_bounded(&m->r, 5) + (m->n < 100 ? 2 : 0));
}

static void test_random_ops(void) {
    static struct mirror m;
    struct sim *sim = sim_new();

    m.n = 0;
    m.seq = 0;
    m.next_id = 0;
    m.fired = m.bad = 0;
    rng_seed(&m.r, 5, 9);
    for (int i = 0; i < 200; i++)
        mirror_add(sim, &m);
    mirror_step(sim, &m, 100);
    for (int64_t end = 50; sim_pending(sim) > 0; end += 50) {
        sim_run_until(sim, end);
        if (m.fired < 30000) mirror_step(sim, &m, 3);
    }
    CU_ASSERT_EQUAL(m.bad, 0);
    CU_ASSERT_TRUE(m.fired >= 30000);
    CU_ASSERT_EQUAL(m.n, 0);
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
    CU_add_test(s, "stop flag polls and the event count", test_stop_flag);
    CU_add_test(s, "random schedule, cancel, reschedule in handlers", test_random_ops);
    CU_add_test(s, "pool reuse", test_pool_reuse);
}
