/* pool — slab allocator with an intrusive free list; see pool.h. */
#include "pool.h"

#include <stdint.h>
#include <stdlib.h>

#include "xmalloc.h"

#define POOL_SLAB_OBJS 1024

struct slab {
    struct slab *next;
    /* objects follow, aligned like max_align_t */
};

struct pool {
    struct pool_head head; /* first: pool_get / pool_put (pool.h) reach it through a cast */
    size_t obj_size;
    struct slab *slabs;
    size_t nslabs;
};

struct pool *pool_new(size_t obj_size) {
    struct pool *p = xcalloc(1, sizeof *p);
    size_t align = sizeof(void *) * 2;

    if (obj_size < sizeof(void *)) obj_size = sizeof(void *);
    p->obj_size = (obj_size + align - 1) / align * align;
#ifdef POOL_ASAN
    p->head.obj_size = p->obj_size;
#endif
    return p;
}

void pool_free(struct pool *p) {
    if (!p) return;
    while (p->slabs) {
        struct slab *s = p->slabs;
        char *base = (char *)s + (sizeof(struct slab) + 15) / 16 * 16;
        p->slabs = s->next;
        for (size_t i = 0; i < POOL_SLAB_OBJS; i++) /* back to malloc as it gave them */
            pool_poison(&p->head, base + i * p->obj_size, 0);
        free(s);
    }
    free(p);
}

void *pool_refill(struct pool *p) {
    size_t header = (sizeof(struct slab) + 15) / 16 * 16;
    struct slab *s = xmalloc(header + p->obj_size * POOL_SLAB_OBJS);
    char *base = (char *)s + header;

    s->next = p->slabs;
    p->slabs = s;
    p->nslabs++;
    /* Thread the new objects onto the free list in address order. */
    for (size_t i = POOL_SLAB_OBJS; i-- > 0;) {
        void *obj = base + i * p->obj_size;
        *(void **)obj = p->head.free_list;
        p->head.free_list = obj;
        pool_poison(&p->head, obj, 1);
    }
    return p->head.free_list;
}

size_t pool_in_use(const struct pool *p) {
    size_t n = p->nslabs * POOL_SLAB_OBJS;

    for (void *obj = p->head.free_list; obj; obj = *(void **)obj)
        n--;
    return n;
}
