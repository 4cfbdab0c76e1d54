/*
 * shard — a sharded store's router: each request goes to the shard that owns its key, and a
 * scatter-gather request goes to several shards at once and answers when all have answered.
 *
 * Design: the shard component is a router over N backends, which are ordinary components
 * (usually a service with `replicas: N`, one replica per shard; or replica sets, caches, or any
 * other kind): the backends' own rows then show each shard's load, utilization, queue and p99,
 * and a shard can be made of anything the scenario can describe. The router itself takes no
 * time and holds no queue. The key → shard function (struct shard_map) is a pure function of
 * the key and the static configuration:
 *   hash             shard = rng_mix64(key) mod N (SplitMix64 finalizer: Steele et al. 2014).
 *   range            shard i owns the keys [b_i, b_{i+1}): equal ranges over [0, keyspace)
 *                    (b_i = floor(i × keyspace / N)) or explicit boundaries; the last range is
 *                    open (keys >= keyspace go to the last shard). Keys are taken in their own
 *                    order, so the popular low ranks of zipf/hotspot key distributions fall in
 *                    the first range: a hot range, as with time-ordered keys.
 *   consistent_hash  a hash ring with V virtual nodes per shard (ring.h, shared with the load
 *                    balancer): adding a shard moves about 1/(N + 1) of the keys, all to it.
 * Scatter-gather (req->scatter): -1 touches all N shards; k > 0 touches min(k, N) shards,
 * chosen deterministically from the key: the key's own shard and the k − 1 shards after it in
 * the list, wrapping (so a range strategy reads k adjacent ranges, as a range scan would; the
 * same key always touches the same shards, which makes runs and comparisons reproducible).
 * The request answers when the last shard answers (latency = the slowest); if any shard fails
 * (error, rejection, timeout, unavailable) the request fails with CALL_ERROR. A single-key
 * request (or scatter: 1) answers with its shard's own status.
 *
 * Metrics: load_imbalance (MX_IMBALANCE) = max over shards of the calls this router sent to a
 * shard, divided by their mean (1 = even, N = everything on one shard); cross_shard_requests
 * (MX_CROSS_SHARD) = requests that touched more than one shard. Both for the run (since warm-up)
 * and per interval.
 *
 * Control: whole-component crash/recover/slow/restore as for every kind (a crashed router
 * refuses new calls; calls already routed finish), and the parts shard[1]..shard[N], which
 * forward any action to that backend (`crash: db.shard[3]` is `crash: store[3]`).
 *
 * Rejected: a shard kind with built-in stations (workers, queue, service time per shard) — it
 * would duplicate the service kind and could not put replica sets or caches behind a shard;
 * choosing the k scatter shards at random (a per-request random subset makes the same key read
 * different shards each time, and needs a stream for no modelling gain); failing a
 * scatter-gather request as soon as the first shard fails (the caller's answer would then come
 * before work it started has finished, hiding the slow shard's latency from the row).
 *
 * Scenario keys: docs/scenario.md, "shard".
 */
#ifndef ARCHSIM_SHARD_H
#define ARCHSIM_SHARD_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"

extern const struct model_ops shard_ops;

enum shard_strategy { SHARD_HASH, SHARD_RANGE, SHARD_CONSISTENT_HASH };

/* --- the key → shard function, usable without a simulation ------------------------------- */

/* A key → shard mapping over n shards. Opaque; immutable after shard_map_new. */
struct shard_map;

/* Build a mapping over n >= 1 shards.
 *   SHARD_HASH: names, vnodes, keyspace and boundaries are ignored (may be NULL/0).
 *   SHARD_RANGE: boundaries NULL → n equal ranges over [0, keyspace), keyspace >= n (shard i
 *     owns [floor(i·keyspace/n), floor((i+1)·keyspace/n)), the last also every key above);
 *     else boundaries[0..n-2] strictly increasing and > 0 (shard 0 owns [0, b[0]), shard i
 *     owns [b[i-1], b[i]), shard n-1 owns [b[n-2], ∞)); keyspace is then ignored. Copied.
 *   SHARD_CONSISTENT_HASH: names[0..n-1] (distinct; borrowed for the call only) place vnodes
 *     >= 1 points per shard on the ring (ring_new with equal weights).
 * Never NULL (out of memory aborts). Argument errors are bugs (asserted): the scenario layer
 * validates them first. Free with shard_map_free. */
struct shard_map *shard_map_new(enum shard_strategy strategy, const char *const *names, size_t n,
                                long long vnodes, uint64_t keyspace, const uint64_t *boundaries);

/* Free m. NULL is a no-op. */
void shard_map_free(struct shard_map *m);

/* The shard (0-based index) owning key. Pure; O(1) for hash, O(log n) for range, O(log(n·V))
 * for consistent_hash; allocates nothing. */
size_t shard_map_lookup(const struct shard_map *m, uint64_t key);

/* --- introspection of a shard component (c must be one) ----------------------------------- */

enum shard_strategy shard_strategy_of(const struct comp *c);

/* The backends in shard order (shard i is out[i]); fills up to max, returns the total N. */
size_t shard_backends(const struct comp *c, struct comp **out, size_t max);

/* The shard (index into shard_backends) that owns key: the component's own shard_map. */
size_t shard_key_index(const struct comp *c, uint64_t key);

#endif
