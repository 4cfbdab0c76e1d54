/*
 * replicate — run a list of replications (of one scenario, or of a sweep's grid points) on J
 * POSIX threads and hand the results back in list order, as if they had run one after the
 * other: same rows, same bytes, whatever J is.
 *
 * Design: a pool of J workers takes jobs in list order from a shared index; each job builds
 * its own sim and net (run_replication), so the only thing threads share is this module's
 * bookkeeping under one mutex. A worker writes its replication's timeseries and events rows
 * into private memory streams (open_memstream) with the same csv_out writers a sequential
 * run uses; the calling thread waits, and whenever the next job in list order is finished it
 * copies that job's rows to the real files and passes its result to the caller's done
 * callback, which writes summary rows. So output order is list order, and every byte is the
 * byte a one-thread run writes. A worker may run at most 2J jobs ahead of the one being
 * delivered, which bounds the memory held by finished, undelivered jobs.
 * The caller's thread also draws progress (only it writes to the terminal), about ten times
 * a second, from the fractions the workers post.
 * With J = 1 no thread is started: jobs run in the caller's thread and rows stream straight
 * to the files, so a long single run keeps its flat memory.
 * Stopping: the done callback may ask to stop (a precision target met, an interrupted
 * replication); jobs not yet started are then skipped and running ones are cancelled at
 * their next slice (run_replication_cancellable) and discarded, so nothing after the stop
 * point is written. The signal flag (hooks.stop) interrupts every running replication: no job
 * starts after it, and every job started before it is still delivered in order — finished, or
 * interrupted and marked partial — unless the done callback asks to stop, so with J threads
 * the caller gets all of them, as it gets the one running with J = 1.
 *
 * Thread safety of what the jobs call: sim/, models/ and sim/stats keep all state in the
 * sim and net (no mutable globals, no static locals, checked with grep); the scenario
 * document is only read; libyaml is not called (the documents are parsed before); GSL's
 * t quantile is only used by the caller's thread; glibc's stdio locks each FILE.
 *
 * Rejected: one process per replication (fork: the CSV rows would need a merge step and the
 * progress a pipe); writing rows from the workers under a lock (the order of rows would
 * depend on timing); buffering in temporary files (memory streams are simpler, and the 2J
 * bound keeps them small enough).
 */
#ifndef ARCHSIM_REPLICATE_H
#define ARCHSIM_REPLICATE_H

#include <signal.h>
#include <stddef.h>
#include <stdio.h>

#include "err.h"
#include "run.h"

/* One replication to run. */
struct run_job {
    const struct run_scenario *s; /* borrowed; read-only while the batch runs */
    unsigned replication;         /* k: seed run_replication_seed(s->seed, k) */
};

/* Called in the caller's thread, in job order, once per finished job with its result; rep
 * is the caller's to keep (free with run_rep_free) — copy it out, it is reused after the
 * call. Return 0 to go on, 1 to stop: no later job is delivered. */
typedef int run_done_fn(void *user, size_t job, struct run_rep *rep);

/* Progress, in the caller's thread: finished jobs, and the summed fractions in [0, 1] of the
 * jobs still running. */
typedef void run_progress_fn(void *user, size_t finished, double running);

struct run_batch {
    const struct run_job *jobs; /* borrowed */
    size_t njobs;
    unsigned threads;                  /* >= 1 */
    FILE *timeseries, *events;         /* where rows go (either may be NULL) */
    const volatile sig_atomic_t *stop; /* signal flag: interrupt every running job, or NULL */
    run_done_fn *done;                 /* required */
    run_progress_fn *progress;         /* or NULL */
    void *user;
};

/* Run the batch. Returns the number of jobs delivered (done called), or -1 with err when a
 * job failed to build its model (the jobs before it were delivered). */
long run_batch_run(const struct run_batch *b, struct err *err);

/* 1 when the run whose delivered replications are reps[0..n) is partial: any of them was
 * stopped before its end (by the signal, or by too many requests in flight), wherever it is
 * in the list — with J threads an interrupted replication may come before finished ones.
 * The one rule for every report of a run as a whole. */
int run_reps_partial(const struct run_rep *reps, size_t n);

/* --- the precision target of `archsim run --precision` ---------------------------------------
 *
 * The sequential procedure of Law (2015, Simulation Modeling and Analysis, 5th ed., §9.4.1):
 * run n0 = 3 replications, then one more at a time, and stop at the first n at which every
 * estimate has a 95 % confidence half-width h (Student t, n - 1 degrees of freedom) within
 * the relative target: h <= rel * |mean|. The estimates are the reported means: throughput,
 * mean latency, p99 latency and utilization of every row (components and total) that has
 * them. Replications are delivered in order whatever the thread count, so the n at which
 * the rule fires, and the result, do not depend on --jobs. */

/* The least precise estimate. */
struct run_precision {
    double worst;          /* largest h / |mean| (INFINITY: a mean of 0 with h > 0, or a
                            * metric with a single value); 0 when nothing varies */
    const char *component; /* borrowed from reps[0], NULL when nothing was checked */
    const char *metric;    /* column name, static */
};

/* 1 when n >= 3 and every estimate is within rel (e.g. 0.05) of its mean, else 0; fills
 * *worst either way (when n >= 2). reps[0..n) must share their component list. */
int run_precision_met(const struct run_rep *reps, size_t n, double rel,
                      struct run_precision *worst);

/* The minimum number of replications before the rule may stop. */
#define RUN_PRECISION_MIN 3

#endif
