/*
 * mq — the `queue` kind: an asynchronous message broker. Producers (the callers) publish; the
 * broker answers each publish when the message is stored (after `enqueue_time`: the
 * producer-visible latency, the component's normal latency histogram), and consumers take the
 * messages later, each with its own service time and optional downstream calls.
 *
 * Design.
 *   - Consumer groups. A topic delivers each message to every subscriber group (pub/sub); each
 *     group has its own consumers, backlog (FIFO of waiting messages), capacity, lag and
 *     retry state. Without `subscribers:` the queue is one group (a work queue: each message
 *     goes to one consumer). Each group holds its own copy of a message, so groups never wait
 *     for each other.
 *   - Capacity bounds each group's *waiting* messages (not those a consumer holds), so a group
 *     with c consumers and capacity w is a station of capacity K = c + w (M/M/c/K with
 *     exponential times). Overflow policy when a publish finds a group full: `reject` (the
 *     producer gets CALL_REJECTED, nothing is stored in any group: a publish is atomic),
 *     `drop_oldest` (each full group drops its oldest waiting message, counted, and stores the
 *     new one), `block` (the producer's call is held, unanswered, in a FIFO until every group
 *     has room; counted once as blocked).
 *   - At-least-once delivery. A consumer attempt is: the service time, then a failure draw
 *     (probability `failure` per attempt: the handler threw), then the downstream calls in
 *     sequence (a failed call fails the attempt). An attempt that fails, or that outlives
 *     `consumer_timeout`, is redelivered: the message goes back to the front of its group's
 *     backlog (it is the oldest) and the freed consumer normally takes it again at once. After
 *     `max_attempts` deliveries the message is dead-lettered (counted, removed).
 *     A consumer that times out gives up its attempt and is free at once; downstream calls it
 *     had sent keep running (the work downstream is done all the same) and their answers are
 *     ignored.
 *   - Copies, not pointers. The producer's request is answered at the ack and freed by the
 *     workload, so the broker copies what it needs (key, class, write flag, scatter, publish
 *     time) into its own pooled message, and each consumer attempt creates its own struct req
 *     (from the queue's request pool, refs = 1, released when the attempt ends) for its
 *     downstream calls, which hold their own references (net_req_hold), so a callee still
 *     working after the consumer gave up reads a live request. The attempt record itself lives
 *     until its outstanding downstream call answers, even after a timeout or crash (an
 *     orphan: its answer is then ignored).
 *   - Durable broker. A crash (the whole component) refuses new publishes (CALL_UNAVAILABLE,
 *     or they vanish with mode blackhole), loses the publishes being stored or blocked (the
 *     producers see a reset, counted as lost), and loses every consumer's attempt in
 *     progress; the stored messages survive (a durable log) and are redelivered after
 *     recovery, the lost attempts not counting towards max_attempts (the consumer did not
 *     fail; the broker did). A crash of one part (`failures: - crash: orders.billing`) stops
 *     only that group's consumers; its backlog keeps filling. `slow` multiplies consumers'
 *     service times (all groups, or one group as a part).
 *   - Pools. Messages and attempts come from per-component pools, the publish/attempt lists
 *     are intrusive, so the steady state allocates nothing.
 *
 * Alternatives rejected: one shared message with a per-group reference count (saves copies,
 * but a group's drop/dead-letter then needs per-group state on the shared message anyway);
 * redelivering at the back of the backlog (a failing message would be overtaken by every
 * newer one, and the oldest-age and end-to-end figures would mix retry policy into FIFO
 * order); a visibility timeout that leaves the timed-out consumer busy while another takes
 * the message (models duplicates in flight, but needs several live attempts per message;
 * a later extension); capacity counting messages in consumers' hands (then capacity 0 would
 * not be the M/M/c/c loss system).
 *
 * Metrics (model_extra): MX_ENQUEUED (publishes stored and acknowledged), MX_DELIVERED
 * (successful consumptions, one per group per message), MX_DROPPED, MX_DEAD_LETTERED,
 * MX_BLOCKED, MX_QUEUE_DEPTH (time-averaged waiting messages, all groups; equals queue_mean),
 * MX_CONSUMER_LAG (published and not yet consumed, waiting + in a consumer's hands, all
 * groups, at the row's time), MX_OLDEST_AGE_MS (age of the oldest waiting message at the
 * row's time, 0 when none waits), MX_E2E_MEAN_MS and MX_E2E_P99_MS (publish, i.e. the
 * producer's call arriving at the broker, to the successful end of the consuming attempt).
 * MX_TIMEOUTS counts consumer timeouts as well as downstream calls that timed out.
 * Utilization: servers = consumers of all groups, busy = consumers holding a message.
 *
 * Scenario keys: docs/scenario.md, "queue".
 */
#ifndef ARCHSIM_MQ_H
#define ARCHSIM_MQ_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"

/* The `queue` kind. */
extern const struct model_ops mq_ops;

/* Overflow policies (the scenario's `overflow:`). */
enum mq_overflow { MQ_REJECT, MQ_DROP_OLDEST, MQ_BLOCK };

/* One consumer group's state and counters (for tests, the dashboard and `archsim check`).
 * Counters run since the end of warm-up; name is borrowed from the component. */
struct mq_group_info {
    const char *name;
    unsigned consumers, busy; /* busy: consumers holding a message */
    size_t waiting;           /* messages in the backlog */
    uint64_t stored;          /* messages stored for this group */
    uint64_t delivered;       /* consumed successfully */
    uint64_t failed_attempts; /* failures, failed calls and consumer timeouts */
    uint64_t dead_lettered, dropped;
    int64_t oldest_age_ns; /* age of the oldest waiting message now, 0 when none */
    int down;              /* its consumers are crashed */
};

/* Number of consumer groups of queue c (1 without `subscribers:`). c must be a queue. */
size_t mq_ngroups(const struct comp *c);

/* Fill *out for group i (< mq_ngroups) at time now_ns. Returns 0, -1 when i is out of range. */
int mq_group_info(const struct comp *c, size_t i, int64_t now_ns, struct mq_group_info *out);

/* Capacity of each group's backlog in messages, -1 when unbounded; the overflow policy. */
long long mq_capacity(const struct comp *c);
enum mq_overflow mq_overflow_policy(const struct comp *c);

#endif
