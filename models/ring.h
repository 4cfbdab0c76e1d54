/*
 * ring — the one hash ring of the simulator: consistent hashing with virtual nodes (Karger et
 * al., "Consistent hashing and random trees", STOC 1997; virtual nodes as in Dynamo, DeCandia
 * et al., SOSP 2007). Used by the load balancer's consistent_hash policy (sticky routing) and by
 * the shard kind's consistent_hash strategy.
 *
 * Design: each target gets vnodes × (its weight / the mean weight) points (rounded, at least
 * one) on a 64-bit circle. A point's position depends only on the target's name and the point's
 * number: rng_mix64(FNV-1a(name) ^ rng_mix64(k + 1)), k = 0, 1, ... So adding a target adds
 * its own points and leaves every other point where it was: a key changes owner only if it
 * moves to the new target, about 1/(N + 1) of keys for N + 1 equal targets. The points are kept
 * in one array sorted by position (ties by target index, so the order is total and
 * reproducible); a lookup is a binary search for the first point at or after the position,
 * wrapping past the top to the first point: O(log(points)), no allocation.
 *
 * Rejected: a balanced tree or skip list of points (the ring never changes during a run: a
 * sorted array is smaller and faster); jump consistent hashing (Lamping & Veach 2014: no
 * weights, and targets can only be added or removed at the end of the list, not by name);
 * rendezvous (highest random weight) hashing (O(N) per lookup); positions from the target's
 * index (renumbering on insert would move keys between old targets).
 */
#ifndef ARCHSIM_RING_H
#define ARCHSIM_RING_H

#include <stddef.h>
#include <stdint.h>

/* A built ring. Opaque; immutable after ring_new. */
struct ring;

/* A ring over n >= 1 targets named names[0..n-1] (borrowed for the call only: only their hashes
 * are kept; the names should be distinct, or two targets share positions). weights: NULL for
 * equal weights, else n values > 0; a target gets round(vnodes × weight / mean weight) points,
 * at least 1. vnodes >= 1. Never NULL (out of memory aborts, see xmalloc); free with ring_free.
 * Bad arguments (n == 0, vnodes < 1, weight <= 0) are bugs (asserted). */
struct ring *ring_new(const char *const *names, const double *weights, size_t n, long long vnodes);

/* Free r. NULL is a no-op. */
void ring_free(struct ring *r);

/* The target (index into the names given to ring_new) owning position hash: the target of the
 * first point at or after hash, wrapping to the first point. hash should be well mixed over 64
 * bits; callers hash a request key with rng_mix64(key) (a bijection, so distinct keys get
 * distinct positions). Pure; O(log points). */
size_t ring_lookup(const struct ring *r, uint64_t hash);

/* Number of points on the ring (sum over targets of their virtual nodes). */
size_t ring_npoints(const struct ring *r);

/* As ring_lookup, skipping points whose target t has skip[t] set (walking clockwise, as a
 * consistent-hash balancer does when a node is marked down: only that node's keys move).
 * Returns ring_ntargets(r) when every target is skipped. skip is borrowed. */
size_t ring_lookup_skip(const struct ring *r, uint64_t hash, const unsigned char *skip);

/* Number of targets the ring was built over. */
size_t ring_ntargets(const struct ring *r);

#endif
