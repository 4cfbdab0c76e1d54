/*
 * tgt_station — the queueing station inside archtarget: c worker threads serving one FIFO of
 * accepted requests with room for at most c + K of them (c in service, K waiting), a service
 * time drawn per request, injected errors and a stall window. The I/O thread submits jobs and
 * collects finished ones; it never blocks on a worker.
 *
 * Design: one mutex and one condition variable (on CLOCK_MONOTONIC) guard the FIFO, the busy
 * count and the list of finished jobs. A worker takes the oldest job, draws its service time
 * from the job's distribution with its own PCG32 stream (rng_stream(seed, "workerN",
 * "service"); errors come from a second stream, "errors", so the error rate never changes
 * the service times), and sleeps with clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME) until
 * start + service time: the worker is occupied exactly like a server of the modelled station,
 * and an oversleep is never accumulated into the next job. The timer slack of worker threads
 * is set to 1 ns (Linux prctl) so a 1 ms service time is not stretched by the default 50 us.
 * A finished job goes on a list and an eventfd wakes the I/O thread; the eventfd is written
 * only when the list goes from empty to non-empty.
 * Utilization is kept as the time integral of the busy count (worker-ns), brought up to date
 * under the lock whenever the count changes and when a snapshot is taken, so it includes the
 * jobs in service (a sum of finished service times reads 0 during a long first request and
 * lags behind under load).
 * A job that finds a worker idle at submit (fewer than c jobs waiting or in service, no stall)
 * is marked: its wait is then the hand-over itself, from the signal to the sleeping worker to
 * the worker starting the job (futex wake-up and scheduling, ~0.1 ms on a small VM), during
 * which that worker serves nobody. /stats reports its mean (tgt_stats.h), the `wakeup` of the
 * simulator's service. Measured here rather than from the client: a client sees only latency,
 * where the hand-over hides among loopback and I/O-thread costs that do not hold a worker.
 * Admission counts the jobs in the system (waiting plus in service) against c + K, which is
 * the modelled rule "rejected when all workers are busy and the queue is full" without a race
 * between a submit and an idle worker waking up. During a stall workers take nothing, so the
 * jobs that idle workers would have taken wait too: up to c + K jobs may be waiting.
 * Shutdown sets a flag, wakes everyone and cancels the workers; cancellation is enabled only
 * around the service-time sleep (where no lock is held), so a long service time does not delay
 * exit and a worker is never cancelled holding the mutex.
 *
 * Rejected: a lock-free ring (contention is negligible next to millisecond service times, and
 * a condition variable gives timed waits for the stall for free); a pipe instead of an eventfd
 * (two descriptors, a counter is all we need); busy-spinning the whole service time (burns a
 * core per worker, and 2-core CI machines would then serialise the "parallel" workers);
 * sleeping with a relative nanosleep (wake-up latency would add to every service time unseen).
 * Optional (spin_ns, archtarget --spin): sleep to spin_ns before the deadline and spin the
 * rest, so that the service ends on time whenever the worker wakes within spin_ns; the cost is
 * up to spin_ns of CPU per request.
 */
#ifndef ARCHSIM_TGT_STATION_H
#define ARCHSIM_TGT_STATION_H

#include <stddef.h>
#include <stdint.h>

#include "dist.h"
#include "err.h"

/* One request as the station sees it. The submitter allocates it (usually embedded first in
 * its own request struct) and sets service; the station fills the results. */
struct tgt_job {
    const struct dist *service; /* service time in ns; borrowed, must outlive the job */
    /* results, filled by the station before the job is collected */
    int failed;         /* 1: injected error (answer 500) */
    int64_t wait_ns;    /* submit to the moment a worker took it */
    int64_t drawn_ns;   /* service time drawn (capped at 1 h) */
    int64_t service_ns; /* measured: taken to finished (drawn plus the sleep's overshoot) */
    int64_t submit_ns;  /* CLOCK_MONOTONIC at submit (station's bookkeeping) */
    /* 1 when, at submit, a worker was idle for it (waiting plus in service < c, outside a
     * stall): its wait_ns is then the hand-over to a sleeping worker, the worker's wake-up */
    int found_idle;
    struct tgt_job *next; /* list link, owned by whoever holds the job */
};

/* Frees a job the station still holds when it is freed (queued, in service, or finished but
 * not collected). */
typedef void tgt_job_free_fn(struct tgt_job *job);

/* Station parameters. Value struct. */
struct tgt_station_config {
    size_t workers;            /* c >= 1 */
    size_t queue;              /* K: waiting room beyond the c in service; SIZE_MAX = unbounded */
    double error_rate;         /* fraction of jobs that fail, in [0, 1] */
    uint64_t seed;             /* seeds the workers' streams */
    int64_t start_ns;          /* CLOCK_MONOTONIC origin of the stall window */
    int64_t stall_at_ns;       /* the stall starts at start_ns + stall_at_ns */
    int64_t stall_for_ns;      /* and lasts this long (0: no stall) */
    int64_t spin_ns;           /* a worker sleeps to this long before a service's end and
                                * spins the rest on the clock (0: sleeps it all); see serve()
                                * in tgt_station.c */
    tgt_job_free_fn *free_job; /* required */
};

/* Counters read under the lock. Value struct. */
struct tgt_station_snapshot {
    size_t queued;     /* waiting, not yet taken by a worker */
    size_t busy;       /* workers serving a job */
    int64_t busy_ns;   /* busy workers integrated over time since the station started, up to
                        * at_ns: worker-ns (jobs still in service counted up to at_ns) */
    int64_t at_ns;     /* CLOCK_MONOTONIC time of the snapshot */
    int stalled;       /* 1 while inside the stall window */
    uint64_t accepted; /* submits that returned 0 */
    uint64_t rejected; /* submits that returned -1 (queue full) */
};

struct tgt_station;

/* Start cfg->workers threads. Returns the station (free with tgt_station_free), or NULL with
 * err filled when a thread, the eventfd or the condition variable cannot be created (nothing
 * is left running). cfg is copied. */
struct tgt_station *tgt_station_new(const struct tgt_station_config *cfg, struct err *err);

/* The eventfd that becomes readable when finished jobs wait to be collected (owned by st; the
 * caller only polls it). */
int tgt_station_fd(const struct tgt_station *st);

/* Offer job (job->service set). Returns 0 when accepted (the station holds the job until
 * tgt_station_collect returns it), or -1 when c + K jobs are already in the system (the caller
 * keeps the job and answers 503). Thread-safe, never blocks on a worker. */
int tgt_station_submit(struct tgt_station *st, struct tgt_job *job);

/* Take every finished job: a list linked by next, in finish order, or NULL. The caller owns
 * the returned jobs. Also clears the eventfd (call it when the fd is readable). */
struct tgt_job *tgt_station_collect(struct tgt_station *st);

/* Fill snap with the current counts (taken at snap->at_ns). */
void tgt_station_snapshot(struct tgt_station *st, struct tgt_station_snapshot *snap);

/* Stop the workers (a service in progress is abandoned), pass every job still held to
 * cfg->free_job, and free st. NULL is a no-op. */
void tgt_station_free(struct tgt_station *st);

#endif
