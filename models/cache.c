/*
 * cache — see cache.h for the behaviour.
 *
 * Design: entries live in one array of capacity slots, addressed by 32-bit indices. A key finds
 * its slot through an open-addressing table (linear probing on the SplitMix64 hash of the key,
 * at most half full, deletion by backward shift: Knuth, TAOCP vol. 3, 6.4, Algorithm R), so
 * keys up to 2^64 cost nothing beyond the capacity. Recency (lru, fifo) is an intrusive doubly
 * linked list through the entries; lfu keeps a list of frequency buckets in increasing order,
 * each with its own entry list (Shah, Mitra & Matani 2010), so a touch moves an entry to the
 * next bucket in O(1) and the victim is the tail of the first bucket. Buckets come from a
 * preallocated array of capacity + 1 (every bucket in use is non-empty, plus one being created
 * during a touch).
 *
 * Fetches in flight (a miss or a write sent to the backend) are records in a growable array
 * with a free list, keyed by the same kind of table when coalescing is on. Waiting calls are
 * chained through call->next; hits waiting out their hit time are on a list through
 * call->next/prev with call->work their event.
 *
 * Rejected: a balanced tree or heap for lfu (O(log n) per touch for no gain); chaining hash
 * tables (a node allocation per key, or a second pool); an lru approximated by sampling as in
 * Redis (the tests compare against Che's approximation of true lru); storing a placeholder
 * entry for a key being fetched (it would occupy capacity and evict before the fill).
 */
#include "cache.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

#define NIL UINT32_MAX

static const char *const cache_keys[] = {
    "kind",  "capacity",   "policy",  "ttl",         "ttl_eviction", "hit_time",         "backend",
    "write", "coalescing", "timeout", "description", "entry_size",   "cost_per_gb_hour", NULL};
static const char *const policy_names[] = {"lru", "lfu", "fifo", "ttl", NULL};
static const char *const order_names[] = {"lru", "fifo", NULL};
static const char *const write_names[] = {"invalidate", "write_through", "write_around", NULL};

enum policy { P_LRU, P_LFU, P_FIFO, P_TTL };
enum order { O_LRU, O_FIFO, O_LFU }; /* how the victim is chosen */
enum wpol { W_INVALIDATE, W_THROUGH, W_AROUND };

struct entry {
    uint64_t key;        /* first: the tables read keys at offset 0 */
    int64_t expires_ns;  /* INT64_MAX: never */
    uint32_t prev, next; /* recency list, or the bucket's list under lfu */
    uint32_t bucket;     /* lfu */
};

struct bucket {
    uint64_t freq;       /* accesses since the entry was filled, >= 1 */
    uint32_t prev, next; /* buckets in increasing freq */
    uint32_t head, tail; /* entries, most recent at head */
};

struct fetch {
    uint64_t key;             /* first: see struct entry */
    struct call *head, *tail; /* waiting calls (call->next) */
    uint32_t next_free;
    unsigned char in_use, write, pending, dead;
};

/* Open-addressing table from a 64-bit key to a 32-bit index into an array of records whose
 * first field is the key. slot holds index + 1; 0 is empty. */
struct imap {
    uint32_t *slot;
    uint64_t mask;
    size_t count;
    const unsigned char *base; /* the records */
    size_t stride;             /* their size */
};

struct counters {
    uint64_t hits, misses, evictions, backend;
};

struct cache {
    struct comp base;
    /* cost: the provisioned size (capacity × entry size) billed per GB-hour (GB = 2^30 bytes) */
    double price_gb_hour;
    uint64_t entry_bytes;
    int64_t run_start_ns, ival_start_ns;
    /* configuration */
    long long capacity;
    enum policy policy;
    enum order order;
    enum wpol wpol;
    int64_t ttl_ns;     /* 0: no expiry */
    int64_t timeout_ns; /* backend calls, 0: none */
    int coalescing;
    struct dist hit_time; /* ns */
    const char *backend_name;
    const struct scn_node *backend_node;
    struct comp *backend;
    struct rng rng;
    /* contents */
    struct entry *entries;
    uint32_t nfresh;    /* entries never used: [nfresh, capacity) */
    uint32_t free_head; /* recycled entries through next */
    size_t used;
    struct imap map;
    uint32_t head, tail; /* lru/fifo: most recent / oldest insertion at head */
    struct bucket *buckets;
    uint32_t bfresh, bfree, bhead; /* lfu: fresh, free list, lowest frequency */
    /* fetches in flight */
    struct fetch *fetches;
    uint32_t nfetches, fetch_cap, fetch_free;
    struct imap pending; /* key → fetch, coalescing only */
    /* hits waiting out their hit time */
    struct call *held;
    struct counters run, ival;
};

static struct cache *cache_of(const struct comp *c) {
    return (struct cache *)(uintptr_t)c;
}

/* --- the key tables ------------------------------------------------------------------------- */

static uint64_t imap_key(const struct imap *m, uint32_t idx) {
    uint64_t k;
    memcpy(&k, m->base + (size_t)idx * m->stride, sizeof k);
    return k;
}

/* A table of at least 2 * n slots (a power of two), so the load stays at most 1/2. */
static void imap_init(struct imap *m, size_t n, const void *base, size_t stride) {
    uint64_t size = 16;

    while (size < 2 * (uint64_t)n)
        size <<= 1;
    m->slot = xcalloc(size, sizeof *m->slot);
    m->mask = size - 1;
    m->count = 0;
    m->base = base;
    m->stride = stride;
}

static void imap_clear(struct imap *m) {
    memset(m->slot, 0, (m->mask + 1) * sizeof *m->slot);
    m->count = 0;
}

static uint32_t imap_find(const struct imap *m, uint64_t key) {
    uint64_t i = rng_mix64(key) & m->mask;

    while (m->slot[i]) {
        if (imap_key(m, m->slot[i] - 1) == key) return m->slot[i] - 1;
        i = (i + 1) & m->mask;
    }
    return NIL;
}

/* key must be absent. */
static void imap_put(struct imap *m, uint64_t key, uint32_t idx) {
    uint64_t i = rng_mix64(key) & m->mask;

    while (m->slot[i])
        i = (i + 1) & m->mask;
    m->slot[i] = idx + 1;
    m->count++;
}

/* Remove key (must be present) and close the gap by shifting back the entries of the probe
 * run that may not sit before their home slot (Knuth's Algorithm R). */
static void imap_del(struct imap *m, uint64_t key) {
    uint64_t i = rng_mix64(key) & m->mask, j;

    while (imap_key(m, m->slot[i] - 1) != key)
        i = (i + 1) & m->mask;
    j = i;
    for (;;) {
        uint64_t home;
        j = (j + 1) & m->mask;
        if (!m->slot[j]) break;
        home = rng_mix64(imap_key(m, m->slot[j] - 1)) & m->mask;
        /* the entry at j may move to i unless its home lies cyclically in (i, j] */
        if (i <= j ? (home <= i || home > j) : (home <= i && home > j)) {
            m->slot[i] = m->slot[j];
            i = j;
        }
    }
    m->slot[i] = 0;
    m->count--;
}

/* --- entry lists ---------------------------------------------------------------------------- */

static void list_push(struct cache *k, uint32_t *head, uint32_t *tail, uint32_t e) {
    struct entry *x = &k->entries[e];

    x->prev = NIL;
    x->next = *head;
    if (*head != NIL)
        k->entries[*head].prev = e;
    else
        *tail = e;
    *head = e;
}

static void list_unlink(struct cache *k, uint32_t *head, uint32_t *tail, uint32_t e) {
    struct entry *x = &k->entries[e];

    if (x->prev != NIL)
        k->entries[x->prev].next = x->next;
    else
        *head = x->next;
    if (x->next != NIL)
        k->entries[x->next].prev = x->prev;
    else
        *tail = x->prev;
    x->prev = x->next = NIL;
}

/* --- lfu buckets ---------------------------------------------------------------------------- */

/* A new bucket of frequency freq placed after bucket `after` (NIL: first). */
static uint32_t bucket_new(struct cache *k, uint64_t freq, uint32_t after) {
    uint32_t b;
    struct bucket *x;

    if (k->bfree != NIL) {
        b = k->bfree;
        k->bfree = k->buckets[b].next;
    } else {
        assert(k->bfresh < (uint64_t)k->capacity + 1);
        b = k->bfresh++;
    }
    x = &k->buckets[b];
    x->freq = freq;
    x->head = x->tail = NIL;
    x->prev = after;
    x->next = after == NIL ? k->bhead : k->buckets[after].next;
    if (x->next != NIL) k->buckets[x->next].prev = b;
    if (after == NIL)
        k->bhead = b;
    else
        k->buckets[after].next = b;
    return b;
}

static void bucket_free_if_empty(struct cache *k, uint32_t b) {
    struct bucket *x = &k->buckets[b];

    if (x->head != NIL) return;
    if (x->prev != NIL)
        k->buckets[x->prev].next = x->next;
    else
        k->bhead = x->next;
    if (x->next != NIL) k->buckets[x->next].prev = x->prev;
    x->next = k->bfree;
    k->bfree = b;
}

static void lfu_add(struct cache *k, uint32_t e) {
    uint32_t b = k->bhead;

    if (b == NIL || k->buckets[b].freq != 1) b = bucket_new(k, 1, NIL);
    k->entries[e].bucket = b;
    list_push(k, &k->buckets[b].head, &k->buckets[b].tail, e);
}

static void lfu_remove(struct cache *k, uint32_t e) {
    uint32_t b = k->entries[e].bucket;

    list_unlink(k, &k->buckets[b].head, &k->buckets[b].tail, e);
    bucket_free_if_empty(k, b);
}

static void lfu_touch(struct cache *k, uint32_t e) {
    uint32_t b = k->entries[e].bucket, nb = k->buckets[b].next;
    uint64_t f = k->buckets[b].freq + 1;

    if (nb == NIL || k->buckets[nb].freq != f) nb = bucket_new(k, f, b);
    list_unlink(k, &k->buckets[b].head, &k->buckets[b].tail, e);
    k->entries[e].bucket = nb;
    list_push(k, &k->buckets[nb].head, &k->buckets[nb].tail, e);
    bucket_free_if_empty(k, b);
}

/* --- contents ------------------------------------------------------------------------------- */

static void entry_remove(struct cache *k, uint32_t e) {
    imap_del(&k->map, k->entries[e].key);
    if (k->order == O_LFU)
        lfu_remove(k, e);
    else
        list_unlink(k, &k->head, &k->tail, e);
    k->entries[e].next = k->free_head;
    k->free_head = e;
    k->used--;
}

/* Make room for one entry: drop the victim the policy names. A victim already expired is an
 * expiry, not an eviction. */
static void evict_one(struct cache *k, int64_t now) {
    uint32_t v = k->order == O_LFU ? k->buckets[k->bhead].tail : k->tail;

    assert(v != NIL);
    if (k->entries[v].expires_ns > now) {
        k->run.evictions++;
        k->ival.evictions++;
    }
    entry_remove(k, v);
}

/* Insert key, or refresh it when present (restart its TTL; under lru it becomes the most
 * recent; its lfu count and fifo position stay). */
static void entry_set(struct cache *k, uint64_t key, int64_t now) {
    uint32_t e = imap_find(&k->map, key);
    int64_t exp = k->ttl_ns > 0 ? now + k->ttl_ns : INT64_MAX;

    if (e != NIL) {
        k->entries[e].expires_ns = exp;
        if (k->order == O_LRU) {
            list_unlink(k, &k->head, &k->tail, e);
            list_push(k, &k->head, &k->tail, e);
        }
        return;
    }
    if (k->used == (size_t)k->capacity) evict_one(k, now);
    if (k->free_head != NIL) {
        e = k->free_head;
        k->free_head = k->entries[e].next;
    } else {
        e = k->nfresh++;
    }
    k->entries[e].key = key;
    k->entries[e].expires_ns = exp;
    imap_put(&k->map, key, e);
    if (k->order == O_LFU)
        lfu_add(k, e);
    else
        list_push(k, &k->head, &k->tail, e);
    k->used++;
}

static void entry_drop(struct cache *k, uint64_t key) {
    uint32_t e = imap_find(&k->map, key);
    if (e != NIL) entry_remove(k, e);
}

static void contents_clear(struct cache *k) {
    imap_clear(&k->map);
    k->used = 0;
    k->nfresh = 0;
    k->free_head = NIL;
    k->head = k->tail = NIL;
    k->bfresh = 0;
    k->bfree = k->bhead = NIL;
}

/* --- fetches -------------------------------------------------------------------------------- */

static uint32_t fetch_new(struct cache *k, uint64_t key) {
    uint32_t f;
    struct fetch *x;

    if (k->fetch_free != NIL) {
        f = k->fetch_free;
        k->fetch_free = k->fetches[f].next_free;
    } else {
        if (k->nfetches == k->fetch_cap) {
            /* Grows with the peak number of misses in flight, then never again. */
            k->fetch_cap = k->fetch_cap ? 2 * k->fetch_cap : 64;
            k->fetches = xrealloc(k->fetches, k->fetch_cap * sizeof *k->fetches);
            if (k->coalescing) {
                struct imap bigger;
                imap_init(&bigger, k->fetch_cap, k->fetches, sizeof *k->fetches);
                for (uint64_t i = 0; i <= k->pending.mask; i++)
                    if (k->pending.slot[i])
                        imap_put(&bigger, imap_key(&bigger, k->pending.slot[i] - 1),
                                 k->pending.slot[i] - 1);
                free(k->pending.slot);
                k->pending = bigger;
            }
        }
        f = k->nfetches++;
    }
    x = &k->fetches[f];
    memset(x, 0, sizeof *x);
    x->key = key;
    x->in_use = 1;
    return f;
}

static void fetch_release(struct cache *k, uint32_t f) {
    k->fetches[f].in_use = 0;
    k->fetches[f].next_free = k->fetch_free;
    k->fetch_free = f;
}

static void fetch_wait(struct cache *k, uint32_t f, struct call *call) {
    struct fetch *x = &k->fetches[f];

    call->next = NULL;
    if (x->tail)
        x->tail->next = call;
    else
        x->head = call;
    x->tail = call;
}

static void on_backend_answer(struct sim *sim, struct call *child) {
    struct cache *k = child->ctx;
    uint32_t f = child->tag;
    struct fetch *x = &k->fetches[f];
    struct call *w = x->head, *next;
    int status = child->status, dead = x->dead, write = x->write;
    uint64_t key = x->key;

    if (x->pending) imap_del(&k->pending, key);
    fetch_release(k, f);
    /* Fill (or apply the write) before answering: a caller answered now may ask again at once
     * and must see the result. */
    if (!dead && status == CALL_OK) {
        int64_t now = sim_now(sim);
        if (!write || k->wpol == W_THROUGH)
            entry_set(k, key, now);
        else if (k->wpol == W_INVALIDATE)
            entry_drop(k, key);
    }
    for (; w; w = next) {
        next = w->next;
        w->next = NULL;
        net_reply(sim, w, status);
    }
}

static void send_fetch(struct sim *sim, struct cache *k, uint32_t f) {
    struct call *child;

    child = net_call_new(k->base.net, k->fetches[f].head->req, k->backend, on_backend_answer, k);
    child->tag = f;
    child->from = &k->base;
    child->timeout_ns = k->timeout_ns;
    k->run.backend++;
    k->ival.backend++;
    net_send(sim, child);
}

/* --- receiving ------------------------------------------------------------------------------ */

static void on_hit_done(struct sim *sim, void *a, void *b) {
    struct cache *k = a;
    struct call *call = b;

    call->work = NULL;
    if (call->prev)
        call->prev->next = call->next;
    else
        k->held = call->next;
    if (call->next) call->next->prev = call->prev;
    call->next = call->prev = NULL;
    net_reply(sim, call, CALL_OK);
}

static void answer_hit(struct sim *sim, struct cache *k, struct call *call) {
    double t = dist_sample(&k->hit_time, &k->rng) * k->base.slow;
    int64_t ns = dist_ns(t);

    /* Always through an event, even after 0 ns: answering inside receive would let a closed
     * user with no think time recurse without bound. */
    call->prev = NULL;
    call->next = k->held;
    if (k->held) k->held->prev = call;
    k->held = call;
    call->work = sim_schedule(sim, sim_now(sim) + ns, on_hit_done, k, call);
}

static void cache_receive(struct sim *sim, struct comp *c, struct call *call) {
    struct cache *k = cache_of(c);
    uint64_t key = call->req->key;
    int64_t now = sim_now(sim);
    uint32_t e, f;

    if (call->req->write) {
        if (k->wpol == W_AROUND) entry_drop(k, key);
        f = fetch_new(k, key);
        k->fetches[f].write = 1;
        fetch_wait(k, f, call);
        send_fetch(sim, k, f);
        return;
    }
    e = imap_find(&k->map, key);
    if (e != NIL && k->entries[e].expires_ns <= now) {
        entry_remove(k, e); /* expired: leaves now, and this is a miss */
        e = NIL;
    }
    if (e != NIL) {
        k->run.hits++;
        k->ival.hits++;
        if (k->order == O_LRU) {
            list_unlink(k, &k->head, &k->tail, e);
            list_push(k, &k->head, &k->tail, e);
        } else if (k->order == O_LFU) {
            lfu_touch(k, e);
        }
        answer_hit(sim, k, call);
        return;
    }
    k->run.misses++;
    k->ival.misses++;
    if (k->coalescing) {
        f = imap_find(&k->pending, key);
        if (f != NIL) {
            fetch_wait(k, f, call);
            return;
        }
    }
    f = fetch_new(k, key);
    fetch_wait(k, f, call);
    if (k->coalescing) {
        imap_put(&k->pending, key, f);
        k->fetches[f].pending = 1;
    }
    send_fetch(sim, k, f);
}

/* --- failures ------------------------------------------------------------------------------- */

/* Every call held is lost: hits waiting out their hit time are dropped; calls waiting for a
 * fetch are abandoned (the fetch still comes back, frees them and fills nothing). The contents
 * go too. */
static void cache_crash(struct sim *sim, struct comp *c, int blackhole) {
    struct cache *k = cache_of(c);
    struct call *call, *next;

    k->base.down = 1;
    k->base.blackhole = blackhole;
    for (call = k->held; call; call = next) {
        next = call->next;
        call->next = call->prev = NULL;
        sim_cancel(sim, call->work);
        call->work = NULL;
        net_drop(sim, call, CALL_UNAVAILABLE, blackhole);
    }
    k->held = NULL;
    for (uint32_t f = 0; f < k->nfetches; f++) {
        struct fetch *x = &k->fetches[f];
        if (!x->in_use || x->dead) continue;
        x->dead = 1;
        if (x->pending) {
            imap_del(&k->pending, x->key);
            x->pending = 0;
        }
        for (call = x->head; call; call = call->next)
            net_abandon(sim, call, CALL_UNAVAILABLE, blackhole);
    }
    contents_clear(k);
}

static int cache_control(struct sim *sim, struct comp *c, const struct comp_action *a,
                         struct err *err) {
    struct cache *k = cache_of(c);

    if (a->part) return err_set(err, NULL, 0, 0, "a cache has no part '%s'", a->part);
    switch (a->kind) {
        case ACT_FLUSH:
            /* Fetches in flight still fill when they return: they carry fresh values. */
            if (sim) contents_clear(k);
            return 0;
        default:
            return comp_control_basic(sim, c, a, err);
    }
}

/* --- metrics -------------------------------------------------------------------------------- */

static void cache_extras(const struct comp *c, int interval, int64_t now, double *vals) {
    const struct cache *k = cache_of(c);
    const struct counters *n = interval ? &k->ival : &k->run;
    uint64_t lookups = n->hits + n->misses;

    if (k->price_gb_hour > 0) {
        double gb = (double)k->capacity * (double)k->entry_bytes / 1073741824.0;
        double hours = (double)(now - (interval ? k->ival_start_ns : k->run_start_ns)) / 3.6e12;
        vals[MX_COST] = gb * hours * k->price_gb_hour;
    }
    vals[MX_HITS] = (double)n->hits;
    vals[MX_MISSES] = (double)n->misses;
    vals[MX_HIT_RATIO] = lookups ? (double)n->hits / (double)lookups : NAN;
    vals[MX_EVICTIONS] = (double)n->evictions;
    vals[MX_BACKEND_REQUESTS] = (double)n->backend;
}

static void cache_restart(struct comp *c, int64_t now, int run) {
    struct cache *k = cache_of(c);

    memset(run ? &k->run : &k->ival, 0, sizeof k->run);
    if (run)
        k->run_start_ns = now;
    else
        k->ival_start_ns = now;
}

/* --- building ------------------------------------------------------------------------------- */

static void cache_destroy(struct comp *c) {
    struct cache *k = cache_of(c);

    dist_free(&k->hit_time);
    free(k->entries);
    free(k->map.slot);
    free(k->buckets);
    free(k->fetches);
    free(k->pending.slot);
    free(k);
}

static struct comp *cache_create(struct net *net, const char *name, const struct scn_node *node,
                                 const char *dir, struct err *err) {
    struct cache *k = xcalloc(1, sizeof *k);
    const struct scn_node *n;
    int policy = P_LRU, order = O_LRU, wpol = W_INVALIDATE;

    k->free_head = k->fetch_free = NIL;
    k->head = k->tail = NIL;
    k->bfree = k->bhead = NIL;
    if (dist_const(&k->hit_time, 0, err)) goto fail;
    if (scn_check_keys(node, cache_keys, err)) goto fail;
    if (scn_get_int(node, "capacity", 1, 1, CACHE_MAX_CAPACITY, &k->capacity, err)) goto fail;
    k->entry_bytes = 1024;
    if (scn_map_get(node, "entry_size") &&
        scn_as_size(scn_map_get(node, "entry_size"), &k->entry_bytes, err))
        goto fail;
    if (scn_get_double(node, "cost_per_gb_hour", 0, 0, 1e12, &k->price_gb_hour, err)) goto fail;
    if (scn_get_enum(node, "policy", 0, policy_names, &policy, err)) goto fail;
    k->policy = (enum policy)policy;
    if (scn_get_duration(node, "ttl", 0, &k->ttl_ns, err)) goto fail;
    n = scn_map_get(node, "ttl");
    if (n && k->ttl_ns <= 0) {
        err_set(err, n->file, n->line, n->col, "%s: a ttl must be above 0", n->path);
        goto fail;
    }
    if (k->policy == P_TTL && !n) {
        err_set(err, node->file, node->line, node->col,
                "%s: missing key 'ttl' (policy ttl: how long an entry lives, e.g. 30s)",
                node->path);
        goto fail;
    }
    n = scn_map_get(node, "ttl_eviction");
    if (n && k->policy != P_TTL) {
        err_set(err, n->file, n->line, n->col,
                "%s: only policy ttl takes ttl_eviction (policy %s evicts by itself)", n->path,
                policy_names[k->policy]);
        goto fail;
    }
    if (scn_get_enum(node, "ttl_eviction", 0, order_names, &order, err)) goto fail;
    k->order = k->policy == P_LFU    ? O_LFU
               : k->policy == P_FIFO ? O_FIFO
               : k->policy == P_TTL  ? (enum order)order
                                     : O_LRU;
    n = scn_map_get(node, "hit_time");
    if (n) {
        dist_free(&k->hit_time);
        if (scn_as_dist(n, dir, &k->hit_time, err)) goto fail;
    }
    if (scn_get_string(node, "backend", 1, &k->backend_name, err)) goto fail;
    k->backend_node = scn_map_get(node, "backend");
    if (scn_get_enum(node, "write", 0, write_names, &wpol, err)) goto fail;
    k->wpol = (enum wpol)wpol;
    if (scn_get_bool(node, "coalescing", 0, &k->coalescing, err)) goto fail;
    n = scn_map_get(node, "timeout");
    if (n && scn_as_positive_duration(n, &k->timeout_ns, err)) goto fail;

    k->entries = xcalloc((size_t)k->capacity, sizeof *k->entries);
    imap_init(&k->map, (size_t)k->capacity, k->entries, sizeof *k->entries);
    if (k->order == O_LFU) k->buckets = xcalloc((size_t)k->capacity + 1, sizeof *k->buckets);
    if (k->coalescing) imap_init(&k->pending, 0, NULL, sizeof(struct fetch));
    comp_init(&k->base, &cache_ops, net, name, node, 0);
    net_rng(net, &k->rng, name, "hit_time");
    return &k->base;
fail:
    cache_destroy(&k->base);
    return NULL;
}

static int cache_resolve(struct net *net, struct comp *c, struct err *err) {
    struct cache *k = cache_of(c);
    const struct scn_node *n = k->backend_node;
    struct comp *grp[2];
    size_t ng = net_find_group(net, k->backend_name, grp, 2);

    if (ng == 0) {
        const char *sug = scn_suggest(k->backend_name, net_comp_names(net));
        return err_set(err, n->file, n->line, n->col, "%s: unknown component '%s'%s%s%s", n->path,
                       k->backend_name, sug ? " (did you mean '" : "", sug ? sug : "",
                       sug ? "'?)" : "");
    }
    if (ng > 1)
        return err_set(err, n->file, n->line, n->col,
                       "%s: '%s' has %zu replicas; put a load_balancer in front of them and use "
                       "it as the backend",
                       n->path, k->backend_name, ng);
    if (grp[0] == c)
        return err_set(err, n->file, n->line, n->col, "%s: call cycle: '%s' is its own backend",
                       n->path, c->name);
    k->backend = grp[0];
    return 0;
}

static size_t cache_downstream(const struct comp *c, struct comp **out, size_t max) {
    const struct cache *k = cache_of(c);

    if (!k->backend) return 0;
    if (max) out[0] = k->backend;
    return 1;
}

static void cache_describe(const struct comp *c, char *buf, size_t n) {
    const struct cache *k = cache_of(c);
    char d[96], ttl[48] = "";

    dist_describe(&k->hit_time, d, sizeof d);
    if (k->ttl_ns > 0)
        snprintf(ttl, sizeof ttl, ", ttl %gs%s%s", (double)k->ttl_ns / 1e9,
                 k->policy == P_TTL ? " evicting " : "",
                 k->policy == P_TTL ? order_names[k->order] : "");
    snprintf(buf, n, "cache: %s, %lld entries%s, hit time %s, backend %s, writes %s, coalescing %s",
             policy_names[k->policy], k->capacity, ttl, d, k->backend_name, write_names[k->wpol],
             k->coalescing ? "on" : "off");
}

const struct model_ops cache_ops = {
    .kind = "cache",
    .create = cache_create,
    .resolve = cache_resolve,
    .receive = cache_receive,
    .downstream = cache_downstream,
    .describe = cache_describe,
    .destroy = cache_destroy,
    .control = cache_control,
    .crash = cache_crash,
    .extras = cache_extras,
    .restart = cache_restart,
};

/* --- introspection -------------------------------------------------------------------------- */

size_t cache_entries(const struct comp *c) {
    return cache_of(c)->used;
}

int cache_contains(const struct comp *c, uint64_t key, int64_t now_ns) {
    const struct cache *k = cache_of(c);
    uint32_t e = imap_find(&k->map, key);

    return e != NIL && k->entries[e].expires_ns > now_ns;
}

size_t cache_capacity(const struct comp *c) {
    return (size_t)cache_of(c)->capacity;
}

struct comp *cache_backend(const struct comp *c) {
    return cache_of(c)->backend;
}
