/*
 * cache — a key-value cache in front of one backend component: a hit is answered after the
 * hit time; a miss is forwarded to the backend and, when the backend answers successfully,
 * the answer fills the cache. The backend may be any kind, including another cache, so
 * layers (client → CDN → server cache) each report their own hit ratio.
 *
 * Capacity is a number of entries. Eviction policies: lru (least recently used), lfu (least
 * frequently used while cached, ties to the least recent: O(1) frequency buckets after Shah,
 * Mitra & Matani, "An O(1) algorithm for implementing the LFU cache eviction scheme", 2010),
 * fifo (oldest insertion), ttl (entries expire `ttl` after they were filled; when full, the
 * victim is chosen by `ttl_eviction`: lru or fifo). `ttl` may also be given with lru, lfu and
 * fifo. Expiry is lazy (as in Redis' passive expiry): an expired entry keeps its slot until it
 * is looked up (then it is a miss) or chosen as a victim (then it is not counted as an
 * eviction). A hit never extends the TTL; a fill or a write-through update restarts it.
 *
 * Writes (class `op: write`) always go to the backend; they are neither hits nor misses:
 *   write_through — on the backend's success the entry is set (inserted if absent: write
 *                   allocate), its TTL restarted;
 *   write_around  — the entry is dropped when the write is sent, and nothing is filled;
 *   invalidate    — (default, cache-aside) the entry is dropped when the backend answers the
 *                   write successfully; reads in between may still hit the old value.
 *
 * Stampede: with coalescing off, every miss sends its own backend request; with coalescing
 * on, a miss for a key that already has a fetch in flight waits for it and is answered with
 * that fetch's status when it returns (one backend request per key at a time).
 *
 * Failures: a crash drops the calls the cache holds (lost), and empties the cache (an
 * in-memory cache restarts cold); fetches in flight are ignored when they return. `flush`
 * empties it without stopping it. Slow-down multiplies hit times.
 *
 * Memory: everything is sized at create from the capacity (about 48 bytes per entry, plus 24
 * per entry for lfu), so a lookup, a fill and an eviction allocate nothing. Only the table of
 * fetches in flight grows, by doubling, up to the peak number of concurrent misses.
 *
 * Scenario keys and columns: docs/scenario.md, "cache", and docs/csv.md.
 */
#ifndef ARCHSIM_CACHE_H
#define ARCHSIM_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"

extern const struct model_ops cache_ops;

/* Largest capacity accepted, in entries (memory is allocated for all of them at start). */
#define CACHE_MAX_CAPACITY 100000000LL

/* Introspection (c must be a cache). */

/* Entries currently held, expired ones included (they leave lazily). */
size_t cache_entries(const struct comp *c);

/* 1 when key is held and not expired at time now_ns, else 0. Does not touch the entry. */
int cache_contains(const struct comp *c, uint64_t key, int64_t now_ns);

/* Capacity in entries. */
size_t cache_capacity(const struct comp *c);

/* The backend component (after resolve), or NULL before. */
struct comp *cache_backend(const struct comp *c);

#endif
