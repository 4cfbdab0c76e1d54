/*
 * pool — fixed-size object pool. Objects are carved from slabs that are never returned to
 * malloc until pool_free, and recycled through an intrusive free list, so a simulation in
 * steady state allocates nothing per event or per request.
 *
 * Rejected: malloc per object (the allocator dominates an event's cost and its timing
 * varies); one huge preallocated array (needs the peak population in advance).
 */
#ifndef ARCHSIM_POOL_H
#define ARCHSIM_POOL_H

#include <stddef.h>

struct pool;

/* A pool handing out objects of obj_size bytes (rounded up to pointer alignment).
 * Never NULL (xmalloc). Free with pool_free. */
struct pool *pool_new(size_t obj_size);

/* Free every slab, so every object handed out. NULL is a no-op. */
void pool_free(struct pool *p);

/* An object of the pool's size, uninitialised. Never NULL. Return it with pool_put. */
void *pool_get(struct pool *p);

/* Give obj (from pool_get of this pool) back for reuse. */
void pool_put(struct pool *p, void *obj);

/* Objects currently handed out (gets minus puts). */
size_t pool_in_use(const struct pool *p);

#endif
