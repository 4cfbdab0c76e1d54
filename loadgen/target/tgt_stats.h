/*
 * tgt_stats — what archtarget has served, for its /stats endpoint: responses per path and
 * status, and for requests a worker served, the mean measured service time, the mean drawn
 * service time and the mean wait in the queue; plus the station's live state (queue length,
 * busy workers and their time-averaged utilization, stall) passed in at render time. Rendered
 * as JSON or as plain "key value" lines (documented in docs/archtarget.md).
 *
 * Design: owned and touched by the I/O thread only (workers hand their timings back inside the
 * finished job), so there is no locking here. Paths are kept in a small table searched
 * linearly (a station has a handful of paths); at most TGT_STATS_MAX_PATHS distinct paths are
 * kept, later ones are counted under "(other)", so a client walking random URLs cannot grow the
 * server's memory. Sums are kept in integer nanoseconds (exact; an int64 holds 292 years).
 * The hand-over (wake-up) of requests that found a worker idle (tgt_job.found_idle) is kept
 * apart, overall and per path: `wakeup_count` such requests and `wakeup_mean_ms`, the mean of
 * their wait, i.e. how long an idle worker took to start a request handed to it. It is the
 * `wakeup` of an archsim service (docs/compare.md: the zero-work overhead contains it once).
 *
 * Rejected: per-path latency histograms (the load generator measures latency from the
 * client's side, which is the number that matters; the server reports what it controls:
 * service and wait times); atomics updated by the workers (extra contention and torn reads of
 * related counters for no gain, since the I/O thread sees every job anyway).
 */
#ifndef ARCHSIM_TGT_STATS_H
#define ARCHSIM_TGT_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "tgt_buf.h"
#include "tgt_station.h"

/* Distinct paths kept before the rest are lumped under "(other)". */
#define TGT_STATS_MAX_PATHS 256

/* Fixed facts about the server, echoed in every rendering. Value struct. */
struct tgt_stats_info {
    size_t workers;   /* c */
    size_t queue;     /* K; SIZE_MAX = unbounded */
    int64_t start_ns; /* CLOCK_MONOTONIC at start */
};

/* Connection counts at render time (the server keeps them). Value struct. */
struct tgt_stats_conns {
    uint64_t open;
    uint64_t total;
};

struct tgt_stats;

/* Empty statistics. Never NULL (out of memory aborts). Free with tgt_stats_free. */
struct tgt_stats *tgt_stats_new(const struct tgt_stats_info *info);

/* Free s. NULL is a no-op. */
void tgt_stats_free(struct tgt_stats *s);

/* Index of path's entry (path is copied), creating it if needed; once TGT_STATS_MAX_PATHS
 * paths exist, new ones map to the "(other)" entry. Always >= 0. */
int tgt_stats_path(struct tgt_stats *s, const char *path);

/* Count one response with status on entry index. job is the finished job when a worker
 * served the request (its wait, drawn and measured service times are added), else NULL. */
void tgt_stats_count(struct tgt_stats *s, int index, int status, const struct tgt_job *job);

/* Responses counted so far (all paths, all statuses). */
uint64_t tgt_stats_total(const struct tgt_stats *s);

/* Append the statistics to out: JSON when text is 0, else "key value" lines. snap is the
 * station's state, conns the connection counts, now_ns the CLOCK_MONOTONIC time of the
 * rendering (for uptime; pass snap->at_ns so that uptime and the busy time in snap end at the
 * same instant). utilization = snap->busy_ns / (c x uptime): the time-averaged busy workers over
 * c, requests still in service included. */
void tgt_stats_render(const struct tgt_stats *s, const struct tgt_station_snapshot *snap,
                      const struct tgt_stats_conns *conns, int64_t now_ns, int text,
                      struct tgt_buf *out);

#endif
