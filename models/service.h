/*
 * service — a queueing station: c workers, a speed factor (vertical scaling divides every
 * service time by it), a bounded FIFO queue (full → the call is rejected and counted), a
 * service time per request class, and downstream calls made after local work, in sequence
 * (stop at the first failure) or in parallel (answer when all have answered: fan-out).
 *
 * While downstream calls are outstanding the worker is free by default (an event-driven
 * server doing asynchronous I/O), which makes a chain of services an open tandem network
 * (Jackson 1957). `hold_worker: true` keeps the worker busy until the calls answer, as in a
 * thread-per-request server.
 *
 * `wakeup` (default 0) is the dispatch latency of an idle worker: a call that finds a worker
 * idle holds it for that long before its service time starts (a sleeping thread or process
 * being woken: futex wake-up, scheduling); a call taken from the queue by a worker that has
 * just finished another does not pay it. It is added to the one service-end event, so it
 * costs no event; with 0 it adds nothing to the hot path but an add of zero.
 *
 * Scenario keys: docs/scenario.md, "service".
 */
#ifndef ARCHSIM_SERVICE_H
#define ARCHSIM_SERVICE_H

#include "model.h"

extern const struct model_ops service_ops;

/* Introspection for `archsim check` and analysis (c must be a service). */
unsigned service_workers(const struct comp *c);
double service_speed(const struct comp *c);
/* Mean and variance of the effective service time (after speed) of class cls, ns. */
double service_mean_ns(const struct comp *c, size_t cls);
double service_var_ns2(const struct comp *c, size_t cls);
/* 1 when class cls's service time is exponential. */
int service_class_is_exp(const struct comp *c, size_t cls);
/* Probability that a request of class cls calls each downstream; fills out (up to max). */
size_t service_calls(const struct comp *c, size_t cls, struct comp **to, double *prob, size_t max);
int service_hold_worker(const struct comp *c);
int service_parallel(const struct comp *c);
long long service_queue_capacity(const struct comp *c); /* -1: unbounded */
/* Load-shedding limit on the expected queue wait, ns (0: none). */
int64_t service_shed_wait_ns(const struct comp *c);
/* Wake-up of an idle worker, ns (0: none; not included in service_mean_ns). */
int64_t service_wakeup_ns(const struct comp *c);
/* 1 when an autoscaler changes the service's capacity. */
int service_autoscaled(const struct comp *c);

#endif
