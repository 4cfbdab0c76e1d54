/*
 * run — the batch runner: load a scenario (file or the built-in default) with --set
 * overrides, run one or more replications to the end (or until interrupted), and hand back
 * summary rows; per-interval rows stream to a callback while the run goes, so memory stays
 * flat however long it runs.
 *
 * Replication k of a run with seed S uses the seed run_replication_seed(S, k): replication 0
 * is the plain seed, so `-R 1` equals a plain run, and rerunning replication k alone (`-r k`)
 * reproduces it exactly. Every component's random streams derive from that seed and the
 * component's name (rng_stream), so replications are independent and adding a component does
 * not disturb the others.
 *
 * The run is advanced in slices (at most 1/200 of its length) so a progress callback and the
 * stop flag are served; slicing does not change the result because sim_run_until(t) leaves
 * events at t pending for the next slice.
 *
 * Warm-up `auto` (scenario `warmup: auto`, `--warmup auto`): each replication runs twice with
 * its own seed. The first pass runs without warm-up and only collects the total row's mean
 * latency per interval; MSER-5 (mser.h) chooses the cut, a whole number of intervals; the
 * second pass reruns the same seed with that warm-up and is the one reported. A run is a pure
 * function of its seed and the warm-up only resets counters, so both passes follow the same
 * sample path and the second excludes exactly what precedes the cut. Each replication
 * chooses its own cut (run_rep.warmup_s), so a replication stays a function of (scenario, k)
 * alone and shards need no coordination.
 * Rejected: keeping per-interval histograms and recomputing the summary from the intervals
 * after the cut (one run instead of two, but every component kind's time-weighted and extra
 * metrics would need an interval-mergeable form); one cut for all replications from their
 * averaged series (Welch's way; it couples replications, which shards and threads run apart).
 */
#ifndef ARCHSIM_RUN_H
#define ARCHSIM_RUN_H

#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "model.h"
#include "scn.h"

/* The scenario's top-level settings plus its document. */
struct run_scenario {
    struct scn_doc *doc; /* owned */
    const char *file;    /* as given, or "<built-in>" */
    const char *name;    /* borrowed from doc */
    const char *description;
    int64_t duration_ns, warmup_ns, interval_ns;
    int warmup_auto; /* warmup: auto — chosen per replication by MSER-5; warmup_ns is unused */
    uint64_t seed;
    unsigned replications;
};

/* The batch size of the MSER truncation `warmup: auto` uses, in intervals. */
#define RUN_MSER_BATCH 5

/* The built-in default scenario (a load balancer in front of three services), YAML text. */
const char *run_default_scenario(void);

/* Load path (NULL: the built-in default), apply the "path=value" overrides in order, and read
 * the top-level keys (`warmup` is a duration or `auto`). -1 with a located err. Components and
 * workload are validated later, by net_new (run_check does it without running). */
int run_scenario_load(struct run_scenario *s, const char *path, const char *const *sets,
                      size_t nsets, struct err *err);
/* The same from YAML text in memory (tests, embedded scenarios); name is the file name used in
 * errors and must outlive s. */
int run_scenario_parse(struct run_scenario *s, const char *text, const char *name,
                       const char *const *sets, size_t nsets, struct err *err);
void run_scenario_free(struct run_scenario *s);

/* Build the model without running it: every error the scenario has, located. With out non-NULL
 * the net is returned for inspection (free with run_check_free). */
struct run_checked {
    struct sim *sim;
    struct net *net;
};
int run_check(const struct run_scenario *s, struct run_checked *out, struct err *err);

/* Most intervals a run may have (duration / interval): each is one timeseries row per
 * component. More is refused (run_check and run_replication fail with a located error). */
#define RUN_MAX_INTERVALS 10000000
void run_check_free(struct run_checked *c);

/* The seed of replication k (see the file comment). */
uint64_t run_replication_seed(uint64_t seed, unsigned k);

/* One finished (or interrupted) replication. */
struct run_rep {
    unsigned replication;
    uint64_t seed;
    size_t nrows;           /* components + 1; the last row is "total" */
    struct model_row *rows; /* owned; names owned too */
    uint64_t events;
    double sim_time_s, wall_s;
    int partial;     /* interrupted before its end */
    int overflowed;  /* ... because NET_MAX_IN_FLIGHT requests were waiting */
    double warmup_s; /* s; the warm-up excluded: the scenario's, or the cut warm-up auto chose */
    int warmup_note; /* RUN_WARMUP_*: how warm-up auto went (0 otherwise) */
};

/* run_rep.warmup_note */
#define RUN_WARMUP_SHORT                                                                           \
    1 /* MSER's minimum is at the end of its search range: the run                                 \
       * may be too short to reach steady state */
#define RUN_WARMUP_UNDETERMINED                                                                    \
    2 /* fewer than 3 batches of intervals, or interrupted in the                                  \
       * first pass: no cut chosen, warm-up 0 */
void run_rep_free(struct run_rep *r);

/* Hooks a caller may set (any may be NULL). */
struct run_hooks {
    net_interval_fn *interval; /* each interval row set, with user */
    void *user;
    /* progress in [0,1] of the current replication, called at each slice */
    void (*progress)(void *user, unsigned replication, double fraction);
    const volatile sig_atomic_t *stop; /* set by a signal handler: stop, keep results */
    net_event_fn *event;               /* each logged event (failures, recoveries, ...) */
};

/* Run replication k of s to its end. Returns 0 and fills out (free with run_rep_free), or -1
 * with err (a scenario error). Interrupted runs return 0 with out->partial set. With
 * s->warmup_auto the replication runs twice (see the file comment): progress goes 0 → 0.5
 * during the first pass, interval and event hooks see only the second. Thread-safe: s is only
 * read, every replication builds its own sim and net. */
int run_replication(const struct run_scenario *s, unsigned k, const struct run_hooks *hooks,
                    struct run_rep *out, struct err *err);

/* run_replication that also stops at the next slice once *cancel (set by another thread) is
 * non-zero: the result is then marked partial and meant to be discarded (a replication
 * nobody needs any more). cancel may be NULL. */
int run_replication_cancellable(const struct run_scenario *s, unsigned k,
                                const struct run_hooks *hooks, const atomic_int *cancel,
                                struct run_rep *out, struct err *err);

#endif
