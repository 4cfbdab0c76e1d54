/*
 * ev — the load generator's event loop: one per thread, over epoll, with file readiness
 * callbacks, nanosecond timers and a cross-thread wake-up.
 *
 * Design [redis src/ae.c]: level-triggered epoll; the owner embeds a struct ev_io per file
 * descriptor and a struct ev_timer per timer in its own objects, so the loop allocates
 * nothing per event. Timers sit in a binary min-heap keyed on (time, insertion sequence), so
 * timers due at the same instant fire in the order they were started. One timerfd, armed at
 * the earliest timer with TFD_TIMER_ABSTIME on CLOCK_MONOTONIC, wakes epoll_wait with
 * nanosecond resolution: a send schedule at 10000/s needs sub-millisecond wake-ups, which
 * epoll_wait's millisecond timeout cannot give. The timerfd costs as few system calls as it
 * can: it is re-armed only when a timer earlier than its setting appears (an early expiry is
 * a spurious wake-up), and it is registered edge-triggered and never read (each expiry is a
 * new edge; timerfd_settime clears the count). An eventfd lets another thread (the
 * coordinator, a signal handler) wake the loop; its callback runs on the loop's thread.
 *
 * Rejected: epoll_wait's millisecond timeout with a busy spin for the last millisecond (burns
 * a core at every rate); epoll_pwait2's nanosecond timeout (no timerfd system calls at all,
 * but it arms a fresh kernel timer for every wait, also the waits that end with a response,
 * while the timerfd stays armed across them: measured 5-10 % more CPU per open-model request
 * on a 2-vCPU VM, and it needs Linux 5.11); a timer wheel (O(1) start, but timers here are few
 * per connection and the heap's O(log n) is cheaper than the wheel's tick processing at these
 * sizes); edge-triggered epoll for the sockets (saves epoll_ctl calls when switching write
 * interest, but every reader must drain to EAGAIN or lose a wake-up, a classic source of
 * hangs; the timerfd has no reader to get wrong).
 *
 * Not thread-safe except ev_wake. Stale readiness is possible: a callback that closes another
 * descriptor whose event is already in the current batch may see that slot reused; callbacks
 * must therefore tolerate spurious readiness (a read that returns EAGAIN).
 */
#ifndef ARCHSIM_EV_H
#define ARCHSIM_EV_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define EV_READ  1u
#define EV_WRITE 2u

struct ev;
struct ev_io;
struct ev_timer;

/* Readiness callback: events is a mask of EV_READ/EV_WRITE (errors and hang-ups are reported
 * as both, so the owner's read or write sees them). */
typedef void ev_io_fn(struct ev *ev, struct ev_io *io, unsigned events);
typedef void ev_timer_fn(struct ev *ev, struct ev_timer *t);
typedef void ev_wake_fn(struct ev *ev, void *user);

/* A watched descriptor, embedded in its owner. Fields private to ev.c except ud. */
struct ev_io {
    int fd;
    unsigned mask; /* EV_READ | EV_WRITE currently registered; 0: not in epoll */
    ev_io_fn *fn;
    void *ud; /* the owner's pointer */
};

/* A timer, embedded in its owner. Fields private to ev.c except ud. */
struct ev_timer {
    int64_t at_ns; /* CLOCK_MONOTONIC ns */
    uint64_t seq;  /* start order, breaks ties */
    size_t slot;   /* heap index + 1; 0 when not started */
    ev_timer_fn *fn;
    void *ud;
};

/* A new loop (epoll, timerfd and eventfd). NULL with err on a system error (descriptor limit).
 * Free with ev_free. */
struct ev *ev_new(struct err *err);

/* Free the loop (not the descriptors registered in it). NULL is a no-op. */
void ev_free(struct ev *ev);

/* CLOCK_MONOTONIC now, in ns. */
int64_t ev_now(void);

/* Prepare io for fd (not registered yet). */
void ev_io_init(struct ev_io *io, int fd, ev_io_fn *fn, void *ud);

/* Register, change or (mask 0) remove io's interest. Returns 0, or -1 with errno set
 * (epoll_ctl failed). Call with mask 0 before closing the descriptor. */
int ev_io_set(struct ev *ev, struct ev_io *io, unsigned mask);

/* Prepare a timer that calls fn. */
void ev_timer_init(struct ev_timer *t, ev_timer_fn *fn, void *ud);

/* Start t at absolute time at_ns (CLOCK_MONOTONIC), restarting it if it was running. A time
 * in the past fires at the next ev_run_once. */
void ev_timer_start(struct ev *ev, struct ev_timer *t, int64_t at_ns);

/* Stop t; no-op when it is not running. */
void ev_timer_stop(struct ev *ev, struct ev_timer *t);

/* 1 when t is started and has not fired. */
int ev_timer_active(const struct ev_timer *t);

/* Set the callback run on the loop's thread after ev_wake (NULL: none). */
void ev_set_wake(struct ev *ev, ev_wake_fn *fn, void *user);

/* Wake the loop from any thread (thread-safe and async-signal-safe: one write to an eventfd). */
void ev_wake(struct ev *ev);

/* Wait for readiness or the earliest timer, then run the ready callbacks and every timer due.
 * Returns 0, or -1 with err when epoll_wait fails for another reason than EINTR. */
int ev_run_once(struct ev *ev, struct err *err);

/* Timers started (for tests). */
size_t ev_timer_count(const struct ev *ev);

#endif
