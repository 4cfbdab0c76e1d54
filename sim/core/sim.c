/* sim — clock and 4-ary heap event list; see sim.h for the design. */
#include "sim.h"

#include <assert.h>
#include <stdlib.h>

#include "pool.h"
#include "xmalloc.h"

#define HEAP_D    4
#define STOP_POLL 4096 /* events between two looks at the stop flag (a power of two) */

struct sim {
    struct sim_hot hot; /* first: sim_now and sim_schedule (sim.h) reach it through a cast */
    uint64_t events;
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
    sim->hot.heap = xmalloc(sim->cap * sizeof *sim->hot.heap);
    sim->hot.heap[0].time = INT64_MAX;
    sim->ev_pool = pool_new(sizeof(struct sim_event));
    return sim;
}

void sim_free(struct sim *sim) {
    if (!sim) return;
    pool_free(sim->ev_pool);
    free(sim->hot.heap);
    free(sim);
}

static inline int entry_less(const struct sim_entry *x, const struct sim_entry *y) {
    return x->time < y->time || (x->time == y->time && x->key < y->key);
}

/* Move the entry e up from slot i (whose old content is dead) to where it belongs, and store
 * it there; it does not go above slot `floor`: 0, or HEAP_D to stop below a root that the
 * event loop will sift down anyway (slots 1..HEAP_D are the root's children). */
static inline __attribute__((always_inline)) void sift_up_entry(struct sim_entry *h, size_t i,
                                                                struct sim_entry e, size_t floor) {
    while (i > floor) {
        size_t parent = (i - 1) / HEAP_D;
        if (!entry_less(&e, &h[parent])) break;
        h[i] = h[parent];
        h[i].ev->pos = i * sizeof *h;
        i = parent;
    }
    h[i] = e;
    e.ev->pos = i * sizeof *h;
}

static void sift_up(struct sim *sim, size_t i) {
    sift_up_entry(sim->hot.heap, i, sim->hot.heap[i], 0);
}

/* Move the entry e down from slot i (whose old content is dead) to where it belongs, and
 * store it there. Inlined into its callers: the event loop's settle runs it once per event,
 * and a call there costs about as much as the sift itself (3-6 pending events: one level). A
 * node with all four children picks the least by a two-round tournament (three compares, no
 * loop); the last node with fewer children scans them. The walk is in byte offsets (the first
 * child of offset o is at 4 * o + one entry), which is what records keep as pos: no division
 * by the entry size, and no register for its multiplicative inverse. */
static inline __attribute__((always_inline)) void sift_down_entry(struct sim_entry *h, size_t n,
                                                                  size_t i, struct sim_entry e) {
    char *base = (char *)h;
    size_t end = n * sizeof *h, o = i * sizeof *h;

    for (;;) {
        size_t first = HEAP_D * o + sizeof *h;
        const struct sim_entry *c, *best;
        if (first >= end) break;
        c = (const struct sim_entry *)(base + first);
        best = c;
        if (first + HEAP_D * sizeof *h <= end) {
            const struct sim_entry *x = entry_less(&c[1], &c[0]) ? &c[1] : &c[0];
            const struct sim_entry *y = entry_less(&c[3], &c[2]) ? &c[3] : &c[2];
            best = entry_less(y, x) ? y : x;
        } else {
            for (const struct sim_entry *p = c + 1; (const char *)p < base + end; p++)
                if (entry_less(p, best)) best = p;
        }
        if (!entry_less(best, &e)) break;
        *(struct sim_entry *)(base + o) = *best;
        best->ev->pos = o;
        o = (size_t)((const char *)best - base);
    }
    *(struct sim_entry *)(base + o) = e;
    e.ev->pos = o;
}

static inline __attribute__((always_inline)) void sift_down(struct sim *sim, size_t i) {
    sift_down_entry(sim->hot.heap, sim->n, i, sim->hot.heap[i]);
}

/* Put the entry e at the root (placed: it is there already) and sift it down: sift_down_entry
 * from the root with its first level unrolled, for the event loop's settle. A placed entry
 * that stays (the handler's event is the next one due) costs no store. With at most HEAP_D
 * other entries (an M/M/1 has two or three events pending) they are all the root's children
 * and leaves: e trades places with the least of them or stays. */
static inline __attribute__((always_inline)) void sift_down_top(struct sim_entry *h, size_t n,
                                                                struct sim_entry e, int placed) {
    struct sim_entry *best = h + 1;

    if (n <= HEAP_D + 1) {
        for (struct sim_entry *p = best + 1; p < h + n; p++)
            if (entry_less(p, best)) best = p;
        if (n > 1 && entry_less(best, &e)) {
            h[0] = *best;
            h[0].ev->pos = 0;
            *best = e;
            e.ev->pos = (size_t)((char *)best - (char *)h);
            return;
        }
    } else {
        struct sim_entry *x = entry_less(&h[2], &h[1]) ? &h[2] : &h[1];
        struct sim_entry *y = entry_less(&h[4], &h[3]) ? &h[4] : &h[3];
        best = entry_less(y, x) ? y : x;
        if (entry_less(best, &e)) {
            h[0] = *best;
            h[0].ev->pos = 0;
            sift_down_entry(h, n, (size_t)(best - h), e);
            return;
        }
    }
    if (placed) return;
    h[0] = e;
    e.ev->pos = 0;
}

/* Make the heap a heap again after (or during) a handler: a filled root is sifted down; an
 * empty one gives its record back to the free list and takes the last entry. Inlined into
 * the event loop, which settles after every event; sim->hot.root is left for the caller to set
 * (the event loop sets it before the next handler anyway). */
static inline __attribute__((always_inline)) void settle_inline(struct sim *sim) {
    struct sim_event *fired;

    if (sim->hot.root == SIM_ROOT_FILLED) {
        sift_down_top(sim->hot.heap, sim->n, sim->hot.heap[0], 1);
        return;
    }
    fired = sim->hot.heap[0].ev;
    fired->next = sim->ev_free;
    sim->ev_free = fired;
    if (--sim->n > 0)
        sift_down_top(sim->hot.heap, sim->n, sim->hot.heap[sim->n], 0);
    else
        sim->hot.heap[0].time = INT64_MAX;
}

/* The same out of line, for a handler that cancels or reschedules: those need the whole heap
 * in order. */
static __attribute__((noinline)) void settle(struct sim *sim) {
    settle_inline(sim);
    sim->hot.root = SIM_ROOT_SETTLED;
}

/* An event record: from the free list, refilled from the pool out of line. */
static __attribute__((noinline)) struct sim_event *ev_refill(struct sim *sim) {
    struct sim_event *ev = pool_get(sim->ev_pool);
    ev->next = NULL;
    return ev;
}

static struct sim_event *schedule_grow(struct sim *sim, int64_t at_ns, uint64_t key,
                                       sim_event_fn *fn, void *a, void *b);

/* The general case of scheduling: a second event from one handler, or one from outside a
 * handler. Out of line, so that the replace-top case saves no registers; and a leaf, its rare
 * cases (a new record, a bigger heap) in schedule_grow, so that it saves few itself. With a
 * filled root (a handler's second event), the lesser of the two new entries stays at the root,
 * still to be sifted down by the event loop, and the other goes up from the end, never above
 * the root's children (no compare with the root), so one sift down serves all of a handler's
 * events, as it would serve one. */
struct sim_event *sim_schedule_push(struct sim *sim, int64_t at_ns, uint64_t key, sim_event_fn *fn,
                                    void *a, void *b) {
    struct sim_event *ev = sim->ev_free;
    struct sim_entry e;

    if (__builtin_expect(!ev || sim->n == sim->cap, 0))
        return schedule_grow(sim, at_ns, key, fn, a, b);
    sim->ev_free = ev->next;
    ev->fn = fn;
    ev->a = a;
    ev->b = b;
    e = (struct sim_entry){.time = at_ns, .key = key, .ev = ev};
    if (sim->hot.root == SIM_ROOT_FILLED) {
        if (entry_less(&e, &sim->hot.heap[0])) {
            struct sim_entry top = sim->hot.heap[0];
            sim->hot.heap[0] = e;
            ev->pos = 0;
            e = top;
        }
        sift_up_entry(sim->hot.heap, sim->n++, e, HEAP_D);
        return ev;
    }
    sift_up_entry(sim->hot.heap, sim->n++, e, 0);
    return ev;
}

/* sim_schedule_push's rare cases: the free list is empty, or the heap is full. */
static __attribute__((noinline)) struct sim_event *
schedule_grow(struct sim *sim, int64_t at_ns, uint64_t key, sim_event_fn *fn, void *a, void *b) {
    if (!sim->ev_free) sim->ev_free = ev_refill(sim);
    if (sim->n == sim->cap) {
        sim->cap *= 2;
        sim->hot.heap = xrealloc(sim->hot.heap, sim->cap * sizeof *sim->hot.heap);
    }
    return sim_schedule_push(sim, at_ns, key, fn, a, b);
}

struct sim_event *sim_schedule_prio(struct sim *sim, int64_t at_ns, int prio, sim_event_fn *fn,
                                    void *a, void *b) {
    uint64_t key;

    assert((unsigned)prio <= 255u);
    assert(at_ns >= sim->hot.now && "scheduling in the past");
    key = (uint64_t)prio << SIM_PRIO_SHIFT | sim->hot.counter++;
    if (sim->hot.root != SIM_ROOT_EMPTY) return sim_schedule_push(sim, at_ns, key, fn, a, b);
    return sim_schedule_top(&sim->hot, at_ns, key, fn, a, b);
}

/* Remove heap slot i, keeping the heap property. */
static void heap_remove(struct sim *sim, size_t i) {
    size_t last = --sim->n;

    if (last == 0) sim->hot.heap[0].time = INT64_MAX;
    if (i == last) return;
    sim->hot.heap[i] = sim->hot.heap[last];
    sim->hot.heap[i].ev->pos = i * sizeof *sim->hot.heap;
    if (i > 0 && entry_less(&sim->hot.heap[i], &sim->hot.heap[(i - 1) / HEAP_D]))
        sift_up(sim, i);
    else
        sift_down(sim, i);
}

/* The heap slot of a pending event. */
static inline size_t slot_of(const struct sim *sim, const struct sim_event *ev) {
    return ev->pos / sizeof *sim->hot.heap;
}

void sim_cancel(struct sim *sim, struct sim_event *ev) {
    size_t i;

    if (sim->hot.root) settle(sim);
    i = slot_of(sim, ev);
    assert(i < sim->n && sim->hot.heap[i].ev == ev && "cancel of a non-pending event");
    heap_remove(sim, i);
    ev->next = sim->ev_free;
    sim->ev_free = ev;
}

void sim_reschedule(struct sim *sim, struct sim_event *ev, int64_t at_ns) {
    size_t i;
    uint64_t prio;

    if (sim->hot.root) settle(sim);
    i = slot_of(sim, ev);
    assert(i < sim->n && sim->hot.heap[i].ev == ev && "reschedule of a non-pending event");
    assert(at_ns >= sim->hot.now && "rescheduling into the past");
    prio = sim->hot.heap[i].key >> SIM_PRIO_SHIFT;
    sim->hot.heap[i].time = at_ns;
    sim->hot.heap[i].key = prio << SIM_PRIO_SHIFT | sim->hot.counter++;
    if (i > 0 && entry_less(&sim->hot.heap[i], &sim->hot.heap[(i - 1) / HEAP_D]))
        sift_up(sim, i);
    else
        sift_down(sim, i);
}

int64_t sim_event_time(const struct sim *sim, const struct sim_event *ev) {
    size_t i = slot_of(sim, ev);

    /* Slots are right in every root state; an empty root is the fired event's (invalid). */
    assert(i < sim->n && sim->hot.heap[i].ev == ev);
    assert(!(sim->hot.root == SIM_ROOT_EMPTY && i == 0) && "time of a fired event");
    return sim->hot.heap[i].time;
}

enum sim_stop sim_run_until(struct sim *sim, int64_t end_ns) {
    /* The stop flag is polled before each event whose number (the events run before it) is a
     * multiple of STOP_POLL. One register counts down to that poll and keeps the event count
     * with it: `mark` is the count at the next poll, and mark - left events have run, the one
     * about to run included. A decrement and its sign test per event: one instruction less
     * than a counter and a mask test of it. Stored back to sim->events when the loop ends. */
    int64_t left = (int64_t)(-sim->events & (STOP_POLL - 1));
    uint64_t mark = sim->events + (uint64_t)left;

    assert(sim->hot.root == SIM_ROOT_SETTLED && "sim_run_until from inside a handler");
    sim->stop = 0;
    sim->limit = end_ns;
    /* One compare per event covers the end, sim_stop (which lowers the limit) and an empty
     * heap (whose root time is INT64_MAX, never below a limit). */
    while (sim->hot.heap[0].time < sim->limit) {
        struct sim_entry *top = &sim->hot.heap[0];
        struct sim_event *ev = top->ev;

        if (__builtin_expect(--left < 0, 0)) {
            if (sim->stop_flag && *sim->stop_flag) {
                left++; /* this event does not run */
                sim->stop = 1;
                break;
            }
            left += STOP_POLL;
            mark += STOP_POLL;
        }
        sim->hot.now = top->time;
        /* The fired entry's slot and record stay at the root until the handler's first
         * sim_schedule reuses them (SIM_ROOT_FILLED) or settle releases them (SIM_ROOT_EMPTY). */
        sim->hot.root = SIM_ROOT_EMPTY;
        ev->fn(sim, ev->a, ev->b);
        /* Filled first: most handlers schedule an event (one compare on their path). */
        if (sim->hot.root == SIM_ROOT_FILLED)
            sift_down_top(sim->hot.heap, sim->n, sim->hot.heap[0], 1);
        else if (sim->hot.root == SIM_ROOT_EMPTY)
            settle_inline(sim);
    }
    sim->hot.root = SIM_ROOT_SETTLED;
    sim->events = mark - (uint64_t)left;
    /* Stopped with an event still due before the end: the clock stays at the last event. */
    if (sim->stop && sim->n > 0 && sim->hot.heap[0].time < end_ns) return SIM_STOP_INTERRUPTED;
    if (end_ns > sim->hot.now) sim->hot.now = end_ns;
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
    return sim->n - (sim->hot.root == SIM_ROOT_EMPTY);
}

void sim_set_ctx(struct sim *sim, void *ctx) {
    sim->ctx = ctx;
}

void *sim_ctx(const struct sim *sim) {
    return sim->ctx;
}
