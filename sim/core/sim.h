/*
 * sim — the simulation clock and event list.
 *
 * Time is int64_t nanoseconds from 0. Events order by (time, priority, insertion): two events
 * at the same instant and priority run in the order they were scheduled, so a run is a pure
 * function of the scenario and the seed.
 *
 * Design: an implicit 4-ary min-heap of (time, key, event*) entries, where key packs the
 * priority into its top 8 bits and a 56-bit insertion counter below, so one 64-bit compare
 * breaks ties. A 4-ary heap halves the depth of a binary heap and keeps the four children in
 * one cache line. Event records come from a pool (no malloc per event in steady state) and
 * remember their heap slot, so cancel and reschedule are O(log n).
 * Rejected: calendar queues (fast on uniform event spacing but degrade on the bursty spacing
 * of retries and timeouts), and a sorted list (O(n) insert).
 *
 * Replace-top: while a handler runs, its fired entry's slot (the root) and its event record
 * stay put. The handler's first sim_schedule reuses both: it writes the new entry into the
 * root and leaves it there; the event loop sifts it down once the handler returns (one sift
 * instead of a remove and an insert, and no free-list traffic: most handlers schedule exactly
 * one follow-up). A further sim_schedule from the same handler keeps the lesser of its entry
 * and the root's at the root and sifts the other up from the end, so the one sift down after
 * the handler still serves. sim_cancel and sim_reschedule first put the heap in order. A root
 * the handler did not fill is removed when it returns. Events still order by (time, priority,
 * insertion): a strict total order, so the heap's shape never changes which event runs next.
 * Rejected: sifting the new entry down inside sim_schedule (the sift's saved registers cost
 * every call; the event loop has them saved already).
 *
 * The clock is read on every event by every layer, and nearly every event schedules one, so
 * sim_now and sim_schedule are static inlines over a small public prefix of struct sim (struct
 * sim_hot: the clock, the root's state, the insertion counter and the heap). sim_schedule does
 * the replace-top case inline (about ten stores) and calls out for the rest; the event record
 * and heap entry types are public for it, internal by contract; the rest of struct sim stays
 * in sim.c. Rejected: out-of-line accessors (a call per read or schedule, 4-5 instructions
 * per event each) and making struct sim public.
 *
 * End-of-run rule: sim_run_until(end) runs every event whose time is strictly less than end,
 * then sets the clock to exactly end. An event at exactly end does not run (it stays
 * pending). Cancelled events are removed from the heap at once, so they can never advance the
 * clock.
 *
 * All state lives in struct sim: no globals; many simulations can run in one process.
 */
#ifndef ARCHSIM_SIM_H
#define ARCHSIM_SIM_H

#include <assert.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>

struct sim;
struct sim_event;

/* An event handler: runs at the event's time with the two borrowed arguments it was
 * scheduled with. The event handle is already invalid when the handler runs. */
typedef void sim_event_fn(struct sim *sim, void *a, void *b);

/* Priorities: lower runs first among events at the same instant. */
enum { SIM_PRIO_FIRST = 0, SIM_PRIO_NORMAL = 128, SIM_PRIO_LAST = 255 };

/* Why sim_run_until returned. */
enum sim_stop { SIM_STOP_END, SIM_STOP_EMPTY, SIM_STOP_INTERRUPTED };

/* A new simulation at time 0 with no events. Never NULL. Free with sim_free. */
struct sim *sim_new(void);

/* Free the simulation and its event records (payloads are borrowed: not freed). NULL ok. */
void sim_free(struct sim *sim);

/* --- internals the inline functions below need; use them only through those ------------- */

/* An event record (pooled; its handle is a pointer to it) and a heap entry. */
struct sim_event {
    sim_event_fn *fn;
    void *a, *b;
    size_t pos; /* byte offset of its heap entry while pending (sim.c: sift_down_entry) */
    struct sim_event *next; /* free list link while free */
};

struct sim_entry {
    int64_t time; /* ns */
    uint64_t key; /* priority << SIM_PRIO_SHIFT | insertion counter */
    struct sim_event *ev;
};

#define SIM_PRIO_SHIFT 56

/* States of the heap's root while a handler runs (replace-top, above). */
enum {
    SIM_ROOT_SETTLED, /* the heap is a heap */
    SIM_ROOT_EMPTY,   /* heap[0] is the fired event's slot: its entry is dead, its record (still
                       * heap[0].ev, not yet on the free list) waits to be reused; n counts it */
    SIM_ROOT_FILLED   /* heap[0] holds the handler's first new event, not yet sifted down */
};

/* The public prefix of struct sim: the clock, and what the replace-top case of sim_schedule
 * touches. Read-only outside sim.c but for that case. */
struct sim_hot {
    int64_t now;            /* ns */
    int root;               /* SIM_ROOT_*; below the root the heap is always a heap */
    uint64_t counter;       /* insertion counter */
    struct sim_entry *heap; /* heap[0].time is INT64_MAX while no event is pending */
};

/* The replace-top case of scheduling (root == SIM_ROOT_EMPTY): the new event takes the fired
 * event's root slot and record (whose pos is already 0); the event loop sifts it down after
 * the handler. */
static inline struct sim_event *sim_schedule_top(struct sim_hot *h, int64_t at_ns, uint64_t key,
                                                 sim_event_fn *fn, void *a, void *b) {
    struct sim_event *ev = h->heap->ev;

    ev->fn = fn;
    ev->a = a;
    ev->b = b;
    h->heap->time = at_ns;
    h->heap->key = key;
    h->root = SIM_ROOT_FILLED;
    return ev;
}

/* The other cases (a handler's second event, or one from outside a handler), out of line. */
struct sim_event *sim_schedule_push(struct sim *sim, int64_t at_ns, uint64_t key, sim_event_fn *fn,
                                    void *a, void *b);

/* --- clock and scheduling ----------------------------------------------------------------- */

/* Current simulated time, ns. */
static inline int64_t sim_now(const struct sim *sim) {
    return ((const struct sim_hot *)(const void *)sim)->now;
}

/* sim_schedule_prio: schedule fn(sim, a, b) at absolute time at_ns (>= now; scheduling in the
 * past is a bug: assert) with priority 0..255 (assert). Returns a handle valid until the event
 * runs or is cancelled. sim_schedule: the same with priority SIM_PRIO_NORMAL; inline, so that
 * a handler's first event (most events) costs no call. */
struct sim_event *sim_schedule_prio(struct sim *sim, int64_t at_ns, int prio, sim_event_fn *fn,
                                    void *a, void *b);
static inline struct sim_event *sim_schedule(struct sim *sim, int64_t at_ns, sim_event_fn *fn,
                                             void *a, void *b) {
    struct sim_hot *h = (struct sim_hot *)(void *)sim;
    uint64_t key = (uint64_t)SIM_PRIO_NORMAL << SIM_PRIO_SHIFT | h->counter++;

    assert(at_ns >= h->now && "scheduling in the past");
    if (h->root != SIM_ROOT_EMPTY) return sim_schedule_push(sim, at_ns, key, fn, a, b);
    return sim_schedule_top(h, at_ns, key, fn, a, b);
}

/* Remove a pending event; its handler never runs. ev must be pending (assert). */
void sim_cancel(struct sim *sim, struct sim_event *ev);

/* Move a pending event to at_ns (>= now); it is ordered as if newly scheduled. */
void sim_reschedule(struct sim *sim, struct sim_event *ev, int64_t at_ns);

/* Time of a pending event, ns. */
int64_t sim_event_time(const struct sim *sim, const struct sim_event *ev);

/* Run events with time < end_ns in order. Returns SIM_STOP_END (clock set to end_ns),
 * SIM_STOP_EMPTY (no events left; the clock is also set to end_ns) or SIM_STOP_INTERRUPTED
 * (the stop flag was seen set or sim_stop was called; the clock stays at the last event). */
enum sim_stop sim_run_until(struct sim *sim, int64_t end_ns);

/* Ask sim_run_until to return after the current event. */
void sim_stop(struct sim *sim);

/* A flag (typically set by a SIGINT handler) polled by sim_run_until every few thousand
 * events; borrowed, may be NULL. */
void sim_set_stop_flag(struct sim *sim, const volatile sig_atomic_t *flag);

/* Events run so far, as of the last return of sim_run_until (a handler sees the count from
 * before the run it is part of). */
uint64_t sim_events(const struct sim *sim);

/* Events pending. */
size_t sim_pending(const struct sim *sim);

/* One opaque context pointer for the layer above (the model network); borrowed. */
void sim_set_ctx(struct sim *sim, void *ctx);
void *sim_ctx(const struct sim *sim);

#endif
