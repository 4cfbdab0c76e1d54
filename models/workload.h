/*
 * workload — where requests come from: an open arrival process (Poisson or constant, with
 * phases that hold or ramp the rate) or a closed population (N users who send, wait for the
 * answer, think, and send again); request classes chosen by weight, each sent to its own
 * entry component; keys drawn from a key-popularity distribution.
 *
 * The workload also keeps the end-to-end metrics (the "total" row): a request's latency runs
 * from its arrival at the system to its final answer.
 *
 * Time-varying Poisson arrivals use thinning (Lewis & Shedler 1979) with the phase's maximum
 * rate as the majorant, restarted at each phase boundary (valid because the exponential is
 * memoryless). Rejected: inverting the integrated rate function (needs a root finder per
 * arrival for ramps).
 */
#ifndef ARCHSIM_WORKLOAD_H
#define ARCHSIM_WORKLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"

struct workload;

/* Parse the scenario's `workload:` map. Targets are resolved later by workload_resolve.
 * NULL with a located err. */
struct workload *workload_new(struct net *net, const struct scn_node *node, const char *dir,
                              struct err *err);

/* Resolve the classes' targets to components; -1 with a located err (with a did-you-mean). */
int workload_resolve(struct workload *wl, struct err *err);

/* Schedule the first arrivals (or start the users). */
void workload_start(struct workload *wl);

/* NULL ok. Requests still in flight are freed with the net's pools. */
void workload_free(struct workload *wl);

/* End-to-end metrics (owned by the workload). */
struct comp_metrics *workload_metrics(struct workload *wl);

/* The component every request is sent to directly (every class targets it, none through a
 * timeout, retry or breaker policy), or NULL. After workload_resolve. */
struct comp *workload_direct_target(const struct workload *wl);

/* Fill the workload's extra metrics (retries, budget denials, breaker rejects) for the total
 * row; vals[MX_COUNT] pre-set to NAN. */
void workload_extras(const struct workload *wl, int interval, double *vals);
/* Restart the resilience counters (interval, or all at the end of warm-up: run = 1). */
void workload_restart(struct workload *wl, int run);

/* The net_stop (model.h) the workload stopped the run for, 0 when none. */
int workload_overflowed(const struct workload *wl);

/* Requests sent and not answered yet. */
uint64_t workload_in_flight(const struct workload *wl);

size_t workload_nclasses(const struct workload *wl);
const char *workload_class_name(const struct workload *wl, size_t cls);
int workload_class_index(const struct workload *wl, const char *name);
/* 1 when class cls is a write (`op: write`). */
int workload_class_is_write(const struct workload *wl, size_t cls);
/* Scatter setting of class cls: 0 one key, -1 all shards, k > 0 k shards. */
int workload_class_scatter(const struct workload *wl, size_t cls);
/* Entry component of a class (after resolve). */
struct comp *workload_class_target(const struct workload *wl, size_t cls);
/* Share of requests in class cls (weights normalised to 1). */
double workload_class_share(const struct workload *wl, size_t cls);

/* Open model with one constant-rate phase: its rate in requests/s; NAN otherwise. */
double workload_steady_rate(const struct workload *wl);
/* 1 for Poisson arrivals. */
int workload_is_poisson(const struct workload *wl);
/* Closed model: number of users (0 for an open model) and mean think time in ns. */
unsigned workload_users(const struct workload *wl);
double workload_think_mean_ns(const struct workload *wl);

/* Phases of an open workload (what archload replays): their number (0 for a closed one), and
 * phase i's start and end (ns; INT64_MAX for the last, open-ended one) and rates (requests/s,
 * from → to for a linear ramp). */
size_t workload_nphases(const struct workload *wl);
void workload_phase(const struct workload *wl, size_t i, int64_t *start_ns, int64_t *end_ns,
                    double *from_per_s, double *to_per_s);
/* The key distribution, or NULL when keys are request ids; borrowed. */
const struct keydist *workload_keys(const struct workload *wl);
/* The closed model's think time, or NULL when there is none; borrowed. */
const struct dist *workload_think(const struct workload *wl);

/* Multiply the arrival rate (open) from now on by factor > 0 (the dashboard's [ and ]), keeping
 * the scale within [WORKLOAD_SCALE_MIN, WORKLOAD_SCALE_MAX] of the scenario's rate; the
 * pending arrival is redrawn at the new rate. Returns the factor applied (1 when factor is not
 * > 0, less than asked at a bound). */
#define WORKLOAD_SCALE_MIN 1e-3
#define WORKLOAD_SCALE_MAX 1e3
double workload_scale_rate(struct workload *wl, double factor);

/* One line for `archsim check`. */
void workload_describe(const struct workload *wl, char *buf, size_t n);

#endif
