/*
 * pool — fixed-size object pool. Objects are carved from slabs that are never returned to
 * malloc until pool_free, and recycled through an intrusive free list, so a simulation in
 * steady state allocates nothing per event or per request.
 *
 * Rejected: malloc per object (the allocator dominates an event's cost and its timing
 * varies); one huge preallocated array (needs the peak population in advance).
 *
 * pool_get and pool_put run several times per event, so they are static inline over a small
 * public prefix of struct pool (struct pool_head: the free list); the rest of struct pool
 * stays in pool.c. Rejected: out-of-line calls (the call costs as much as the work), making
 * struct pool public, and an in-use counter kept by pool_get and pool_put (an instruction on
 * each, for a figure only tests read: pool_in_use counts the free list instead).
 */
#ifndef ARCHSIM_POOL_H
#define ARCHSIM_POOL_H

#include <stddef.h>

/* Under AddressSanitizer a free object is poisoned but for its first word (the free-list
 * link), so a use after pool_put is reported as malloc'd memory's would be: the pool would
 * otherwise hide it (the memory stays allocated). */
#if defined(__SANITIZE_ADDRESS__)
#define POOL_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define POOL_ASAN 1
#endif
#endif
#ifdef POOL_ASAN
#include <sanitizer/asan_interface.h>
#endif

struct pool;

/* The public prefix of struct pool: touch it only through pool_get / pool_put. */
struct pool_head {
    void *free_list; /* first word of a free object links to the next */
#ifdef POOL_ASAN
    size_t obj_size; /* bytes, for poisoning */
#endif
};

/* Poison (poison = 1) or unpoison the bytes of a pool object after its link word; nothing
 * without AddressSanitizer. */
static inline void pool_poison(const struct pool_head *h, void *obj, int poison) {
#ifdef POOL_ASAN
    char *rest = (char *)obj + sizeof(void *);
    if (poison)
        ASAN_POISON_MEMORY_REGION(rest, h->obj_size - sizeof(void *));
    else
        ASAN_UNPOISON_MEMORY_REGION(rest, h->obj_size - sizeof(void *));
#else
    (void)h;
    (void)obj;
    (void)poison;
#endif
}

/* A pool handing out objects of obj_size bytes (rounded up to pointer alignment).
 * Never NULL (xmalloc). Free with pool_free. */
struct pool *pool_new(size_t obj_size);

/* Free every slab, so every object handed out. NULL is a no-op. */
void pool_free(struct pool *p);

/* For pool_get only: add a slab of objects to the free list; returns the new first free
 * object. Never NULL (xmalloc). */
void *pool_refill(struct pool *p);

/* An object of the pool's size, uninitialised. Never NULL. Return it with pool_put. */
static inline void *pool_get(struct pool *p) {
    struct pool_head *h = (struct pool_head *)(void *)p;
    void *obj = h->free_list;

    if (!obj) obj = pool_refill(p);
    h->free_list = *(void **)obj;
    pool_poison(h, obj, 0);
    return obj;
}

/* Give obj (from pool_get of this pool) back for reuse. */
static inline void pool_put(struct pool *p, void *obj) {
    struct pool_head *h = (struct pool_head *)(void *)p;

    *(void **)obj = h->free_list;
    h->free_list = obj;
    pool_poison(h, obj, 1);
}

/* Objects currently handed out (gets minus puts). O(objects free): for tests and checks. */
size_t pool_in_use(const struct pool *p);

#endif
