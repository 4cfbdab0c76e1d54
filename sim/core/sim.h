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
 * The clock is read on every event by every layer, so sim_now is a static inline over a
 * small public prefix of struct sim (struct sim_clock). Only that field is exposed, read-only
 * by contract; the rest of struct sim stays in sim.c. Rejected: an out-of-line accessor (a
 * call per read, ~4 instructions per event each) and making struct sim public.
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

/* The public prefix of struct sim: read it only through sim_now. */
struct sim_clock {
    int64_t now; /* ns */
};

/* Current simulated time, ns. */
static inline int64_t sim_now(const struct sim *sim) {
    return ((const struct sim_clock *)(const void *)sim)->now;
}

/* sim_schedule_prio: schedule fn(sim, a, b) at absolute time at_ns (>= now; scheduling in the
 * past is a bug: assert) with priority 0..255 (assert). Returns a handle valid until the event
 * runs or is cancelled. sim_schedule: the same with priority SIM_PRIO_NORMAL. */
struct sim_event *sim_schedule_prio(struct sim *sim, int64_t at_ns, int prio, sim_event_fn *fn,
                                    void *a, void *b);
struct sim_event *sim_schedule(struct sim *sim, int64_t at_ns, sim_event_fn *fn, void *a, void *b);

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

/* Events run so far. */
uint64_t sim_events(const struct sim *sim);

/* Events pending. */
size_t sim_pending(const struct sim *sim);

/* One opaque context pointer for the layer above (the model network); borrowed. */
void sim_set_ctx(struct sim *sim, void *ctx);
void *sim_ctx(const struct sim *sim);

#endif
