/*
 * engine — runs a plan: T worker threads, each with its own epoll loop (ev.c) and its share of
 * the connections, plus the calling thread as coordinator (interval reports, stop requests).
 *
 * Open model: each worker walks its share of the send schedule (schedule.c: request i belongs to
 * thread (i div N) mod T). When request i's intended time comes it joins the worker's FIFO of
 * pending requests and is counted as an arrival; a free connection takes it at once (an idle
 * keep-alive connection first, else a new one up to the worker's share of --connections). When
 * every connection is busy at the cap the request waits in the FIFO — it is never skipped, and
 * its latency still runs from its intended time, so the wait counts (coordinated omission
 * corrected; "held back" in the report says the cap limited the rate). Closed model: each
 * connection sends, waits for the answer, optionally thinks, and sends again; request k of
 * connection c is global request k * C + c.
 *
 * A request's life: connect if needed (TCP, then TLS), one write of the whole request, read
 * and parse until the final response, keep the connection if the response allows it. A read
 * shorter than the buffer on a plain socket took all there was, so the reader waits for the
 * next readiness instead of reading again for EAGAIN. A timer per connection bounds the whole
 * of it (--timeout, from when the connection took the request): on expiry the request is a
 * timeout error with its latency and the connection is closed, because its late response could
 * not be told apart from the next one. A reused keep-alive connection that closes without a
 * single response byte is retried once on a new connection (the server timed the idle
 * connection out while the request was on its way: RFC 9112 9.3.1 lets clients retry then);
 * any other failure is counted once, never retried.
 *
 * Measurement: workers record into per-thread, per-class interval tallies under a per-thread
 * mutex (uncontended except once per interval); the coordinator wakes at each interval
 * boundary (run start + k * interval), moves every worker's tally into the interval's and
 * hands it to the interval hook. The warm-up is cut exactly, by archsim's rule applied to each
 * event's own time (docs/loadgen.md, "Warm-up"): an event before the end of warm-up goes to
 * a second, warm-up tally of its interval, which joins the interval's row but never the run
 * totals. Rejected: rounding the warm-up up to whole intervals (what this did before: a
 * fractional --warmup then left out another window than archsim's, and compare compared
 * different windows); deciding by the interval an event was collected in (that depends on
 * when the coordinator woke).
 * Workers stop when their share of the schedule is over and their requests are answered.
 *
 * Stop: *stop = 1 (first SIGINT, or the hook's request) ends the schedule: requests already
 * due are still sent, in-flight ones are awaited up to their timeout. *stop = 2 (second
 * SIGINT) ends every loop at once; unanswered requests are reported as in flight.
 *
 * Rejected: one shared event loop with worker threads for parsing (cross-thread hand-offs on
 * every request); a connection per request (measures TCP handshakes, not the service);
 * wrk2's per-connection schedules (a slow connection then delays only its own share, and the
 * rate per connection, not per run, is what is held constant).
 */
#ifndef ARCHSIM_ENGINE_H
#define ARCHSIM_ENGINE_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "plan.h"
#include "tally.h"

/* One interval's measurements, borrowed for the hook call. */
struct engine_interval {
    unsigned index;               /* 0, 1, ... */
    int64_t t_start_ns, t_end_ns; /* since the run's start */
    unsigned flags;               /* NET_ROW_WARMUP, NET_ROW_PARTIAL (model.h) */
    size_t nclasses;
    const struct tally *cls; /* [nclasses] */
    const struct tally *total;
    const uint64_t *in_flight; /* [nclasses] at the interval's end */
    uint64_t in_flight_total;
};

/* Called on the coordinator thread after each interval; return non-zero to stop the run as
 * *stop = 1 would. */
typedef int engine_interval_fn(void *user, const struct engine_interval *iv);

struct engine_hooks {
    engine_interval_fn *interval; /* may be NULL */
    void *user;
    const volatile sig_atomic_t *stop; /* may be NULL; 1: stop sending, 2: abort now */
};

/* The run's measurements since warm-up. */
struct engine_result {
    size_t nclasses;
    struct tally *cls; /* [nclasses], owned */
    struct tally total;
    uint64_t *in_flight; /* [nclasses] at the end, owned */
    uint64_t in_flight_total;
    uint64_t unsent; /* of in_flight: still waiting for a connection when aborted */
    /* The measured window in ns, which rates divide by (archsim's duration minus warm-up):
     * from the end of warm-up to the end of sending: the duration (-d); with
     * -n the last answer, or the duration if that came first; the moment a stop was requested
     * if that came first. Answers that arrive after it (the drain) are counted; the window
     * does not grow with them. 0 when the run stopped inside its warm-up. */
    int64_t measured_ns;
    int64_t end_ns;    /* the window's end, since the start (archsim's sim_time_s) */
    int64_t warmup_ns; /* the warm-up left out: --warmup (the plan's), exactly */
    int64_t run_ns;    /* from start to the last answer, warm-up and drain included */
    unsigned threads, connections;
    int stopped;                       /* 0 ran to the end; 1 stopped early (drained); 2 aborted */
    int stopped_by_hook;               /* the interval hook asked to stop */
    double wall_start;                 /* CLOCK_REALTIME s at the run's start (for interval logs) */
    char first_error[TALLY_NERR][200]; /* the first message of each error kind, or "" */
};

/* Run p to its end (or until stopped). Returns 0 and fills out (free with
 * engine_result_free), or -1 with err when the run cannot start (TLS context, thread or event
 * loop creation). Network failures during the run are measurements, not errors. Blocks every
 * signal in the worker threads, so signals reach the caller's thread. */
int engine_run(const struct plan *p, const struct engine_hooks *hooks, struct engine_result *out,
               struct err *err);

/* Free what out owns. Safe on a zero-filled result. */
void engine_result_free(struct engine_result *out);

#endif
