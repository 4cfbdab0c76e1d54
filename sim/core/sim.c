/* sim — clock and 4-ary heap event list; see sim.h for the design. */
#include "sim.h"

#include <assert.h>
#include <stdlib.h>

#include "pool.h"
#include "xmalloc.h"

#define HEAP_D     4
#define PRIO_SHIFT 56

struct sim_event {
    sim_event_fn *fn;
    void *a, *b;
    size_t slot;            /* index in the heap while pending */
    struct sim_event *next; /* free list link while free */
};

struct heap_entry {
    int64_t time; /* ns */
    uint64_t key; /* priority << 56 | insertion counter */
    struct sim_event *ev;
};

struct sim {
    struct sim_clock clock; /* first: sim_now (sim.h) reads it through a cast */
    int hole;               /* the root is the fired event's hole (see sim.h, replace-top) */
    uint64_t counter;
    uint64_t events;
    struct heap_entry *heap;
    size_t n, cap;
    struct pool *ev_pool;      /* where event records come from ... */
    struct sim_event *ev_free; /* ... and where fired or cancelled ones wait for reuse */
    int stop;
    int64_t limit; /* sim_run_until runs events before it: end_ns, or INT64_MIN once stopped */
    const volatile sig_atomic_t *stop_flag;
    void *ctx;
};

struct sim *sim_new(void) {
    struct sim *sim = xcalloc(1, sizeof *sim);

    sim->cap = 1024;
    sim->heap = xmalloc(sim->cap * sizeof *sim->heap);
    sim->ev_pool = pool_new(sizeof(struct sim_event));
    return sim;
}

void sim_free(struct sim *sim) {
    if (!sim) return;
    pool_free(sim->ev_pool);
    free(sim->heap);
    free(sim);
}

static inline int entry_less(const struct heap_entry *x, const struct heap_entry *y) {
    return x->time < y->time || (x->time == y->time && x->key < y->key);
}

static void sift_up(struct sim *sim, size_t i) {
    struct heap_entry e = sim->heap[i];

    while (i > 0) {
        size_t parent = (i - 1) / HEAP_D;
        if (!entry_less(&e, &sim->heap[parent])) break;
        sim->heap[i] = sim->heap[parent];
        sim->heap[i].ev->slot = i;
        i = parent;
    }
    sim->heap[i] = e;
    e.ev->slot = i;
}

/* Move the entry e down from slot i (whose old content is dead) to where it belongs, and
 * store it there. Inlined into its callers: the event loop's replace-top calls it once per
 * event, and a call there costs about as much as the sift itself (3-6 pending events: one
 * level). A node with all four children picks the least by a two-round tournament (three
 * compares, no loop); the last node with fewer children scans them. */
static inline __attribute__((always_inline)) void sift_down_entry(struct sim *sim, size_t i,
                                                                  struct heap_entry e) {
    struct heap_entry *h = sim->heap;
    size_t n = sim->n;

    for (;;) {
        size_t first = i * HEAP_D + 1;
        const struct heap_entry *best;
        if (first >= n) break;
        best = &h[first];
        if (first + HEAP_D <= n) {
            const struct heap_entry *x = entry_less(&h[first + 1], best) ? &h[first + 1] : best;
            const struct heap_entry *y =
                entry_less(&h[first + 3], &h[first + 2]) ? &h[first + 3] : &h[first + 2];
            best = entry_less(y, x) ? y : x;
        } else {
            for (const struct heap_entry *c = best + 1; c < h + n; c++)
                if (entry_less(c, best)) best = c;
        }
        if (!entry_less(best, &e)) break;
        h[i] = *best;
        h[i].ev->slot = i;
        i = (size_t)(best - h);
    }
    h[i] = e;
    e.ev->slot = i;
}

static inline __attribute__((always_inline)) void sift_down(struct sim *sim, size_t i) {
    sift_down_entry(sim, i, sim->heap[i]);
}

/* An event record: from the free list, refilled from the pool out of line. */
static __attribute__((noinline)) struct sim_event *ev_refill(struct sim *sim) {
    struct sim_event *ev = pool_get(sim->ev_pool);
    ev->next = NULL;
    return ev;
}

struct sim_event *sim_schedule_prio(struct sim *sim, int64_t at_ns, int prio, sim_event_fn *fn,
                                    void *a, void *b) {
    struct sim_event *ev = sim->ev_free;
    struct heap_entry e;

    assert(at_ns >= sim->clock.now && "scheduling in the past");
    assert((unsigned)prio <= 255u);
    if (__builtin_expect(!ev, 0)) ev = ev_refill(sim);
    sim->ev_free = ev->next;
    ev->fn = fn;
    ev->a = a;
    ev->b = b;
    e.time = at_ns;
    e.key = (uint64_t)prio << PRIO_SHIFT | sim->counter++;
    e.ev = ev;
    if (sim->hole) {
        /* Replace-top: the new entry takes the fired event's root slot. */
        sim->hole = 0;
        sift_down_entry(sim, 0, e);
        return ev;
    }
    if (sim->n == sim->cap) {
        sim->cap *= 2;
        sim->heap = xrealloc(sim->heap, sim->cap * sizeof *sim->heap);
    }
    sim->heap[sim->n] = e;
    sift_up(sim, sim->n++);
    return ev;
}

/* Remove heap slot i, keeping the heap property. */
static void heap_remove(struct sim *sim, size_t i) {
    size_t last = --sim->n;

    if (i == last) return;
    sim->heap[i] = sim->heap[last];
    sim->heap[i].ev->slot = i;
    if (i > 0 && entry_less(&sim->heap[i], &sim->heap[(i - 1) / HEAP_D]))
        sift_up(sim, i);
    else
        sift_down(sim, i);
}

void sim_cancel(struct sim *sim, struct sim_event *ev) {
    assert(ev->slot < sim->n && sim->heap[ev->slot].ev == ev && "cancel of a non-pending event");
    heap_remove(sim, ev->slot);
    ev->next = sim->ev_free;
    sim->ev_free = ev;
}

void sim_reschedule(struct sim *sim, struct sim_event *ev, int64_t at_ns) {
    size_t i = ev->slot;
    uint64_t prio = sim->heap[i].key >> PRIO_SHIFT;

    assert(i < sim->n && sim->heap[i].ev == ev && "reschedule of a non-pending event");
    assert(at_ns >= sim->clock.now && "rescheduling into the past");
    sim->heap[i].time = at_ns;
    sim->heap[i].key = prio << PRIO_SHIFT | sim->counter++;
    if (i > 0 && entry_less(&sim->heap[i], &sim->heap[(i - 1) / HEAP_D]))
        sift_up(sim, i);
    else
        sift_down(sim, i);
}

int64_t sim_event_time(const struct sim *sim, const struct sim_event *ev) {
    assert(ev->slot < sim->n && sim->heap[ev->slot].ev == ev);
    return sim->heap[ev->slot].time;
}

enum sim_stop sim_run_until(struct sim *sim, int64_t end_ns) {
    sim->stop = 0;
    sim->limit = end_ns;
    /* One compare per event covers both the end and sim_stop, which lowers the limit. */
    while (sim->n > 0 && sim->heap[0].time < sim->limit) {
        struct heap_entry *top = &sim->heap[0];
        struct sim_event *ev = top->ev;

        if (__builtin_expect((sim->events & 4095) == 0, 0) && sim->stop_flag && *sim->stop_flag) {
            sim->stop = 1;
            break;
        }
        sim->clock.now = top->time;
        /* The entry stays as a hole that orders before every pending event (nothing can sift
         * above it) until the handler's first sim_schedule fills it; its key is never read
         * (no pending event has the hole's time). */
        top->time = INT64_MIN;
        top->ev = NULL;
        sim->hole = 1;
        ev->next = sim->ev_free;
        sim->ev_free = ev;
        sim->events++;
        ev->fn(sim, ev->a, ev->b);
        if (sim->hole) {
            sim->hole = 0;
            heap_remove(sim, 0);
        }
    }
    /* Stopped with an event still due before the end: the clock stays at the last event. */
    if (sim->stop && sim->n > 0 && sim->heap[0].time < end_ns) return SIM_STOP_INTERRUPTED;
    if (end_ns > sim->clock.now) sim->clock.now = end_ns;
    return sim->n > 0 ? SIM_STOP_END : SIM_STOP_EMPTY;
}

void sim_stop(struct sim *sim) {
    sim->stop = 1;
    sim->limit = INT64_MIN;
}

void sim_set_stop_flag(struct sim *sim, const volatile sig_atomic_t *flag) {
    sim->stop_flag = flag;
}

uint64_t sim_events(const struct sim *sim) {
    return sim->events;
}

size_t sim_pending(const struct sim *sim) {
    return sim->n - (size_t)sim->hole;
}

void sim_set_ctx(struct sim *sim, void *ctx) {
    sim->ctx = ctx;
}

void *sim_ctx(const struct sim *sim) {
    return sim->ctx;
}
