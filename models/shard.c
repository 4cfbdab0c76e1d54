/* shard — a sharded store's router: key → shard by hash, range or consistent hashing, and
 * scatter-gather; see shard.h. */
#include "shard.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ring.h"
#include "xmalloc.h"

static const char *const shard_keys[] = {"kind",    "shards",      "strategy",
                                         "vnodes",  "keyspace",    "boundaries",
                                         "timeout", "description", NULL};
static const char *const strategy_names[] = {"hash", "range", "consistent_hash", NULL};
static const char *const action_names[] = {"crash", "recover",   "slow", "restore",
                                           "flush", "partition", "heal"};

/* Largest keyspace or boundary accepted (keys are 64-bit; this leaves room and reads well). */
#define SHARD_MAX_KEY 1000000000000000000LL

/* --- the key → shard function --------------------------------------------------------------- */

struct shard_map {
    enum shard_strategy strategy;
    size_t n;
    uint64_t *bounds;  /* range: bounds[i] is the first key of shard i + 1 (n - 1 values) */
    struct ring *ring; /* consistent_hash */
};

struct shard_map *shard_map_new(enum shard_strategy strategy, const char *const *names, size_t n,
                                long long vnodes, uint64_t keyspace, const uint64_t *boundaries) {
    struct shard_map *m = xcalloc(1, sizeof *m);

    assert(n >= 1);
    m->strategy = strategy;
    m->n = n;
    if (strategy == SHARD_RANGE) {
        m->bounds = xcalloc(n, sizeof *m->bounds);
        if (boundaries) {
            for (size_t i = 0; i + 1 < n; i++) {
                assert(boundaries[i] > 0 && (i == 0 || boundaries[i] > boundaries[i - 1]));
                m->bounds[i] = boundaries[i];
            }
        } else {
            /* floor(i K / n) = i q + floor(i r / n) with K = q n + r: no 128-bit product. */
            uint64_t q = keyspace / n, r = keyspace % n;
            assert(keyspace >= n && n < (UINT64_C(1) << 31));
            for (size_t i = 1; i < n; i++)
                m->bounds[i - 1] = q * i + r * i / n;
        }
    } else if (strategy == SHARD_CONSISTENT_HASH) {
        m->ring = ring_new(names, NULL, n, vnodes);
    }
    return m;
}

void shard_map_free(struct shard_map *m) {
    if (!m) return;
    free(m->bounds);
    ring_free(m->ring);
    free(m);
}

size_t shard_map_lookup(const struct shard_map *m, uint64_t key) {
    size_t lo = 0, hi;

    switch (m->strategy) {
        case SHARD_HASH:
            return (size_t)(rng_mix64(key) % m->n);
        case SHARD_RANGE:
            /* the number of shard starts at or below key: first bound above key */
            hi = m->n - 1;
            while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (m->bounds[mid] <= key)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            return lo;
        case SHARD_CONSISTENT_HASH:
            return ring_lookup(m->ring, rng_mix64(key));
    }
    return 0;
}

/* --- the component ------------------------------------------------------------------------ */

struct shard_ref {
    const char *name;
    const struct scn_node *node;
};

struct shard {
    struct comp base;
    enum shard_strategy strategy;
    long long vnodes;
    long long keyspace; /* 0: not given */
    const struct scn_node *keyspace_node, *bounds_node, *strategy_node;
    uint64_t *bounds; /* boundaries as given, or NULL */
    size_t nbounds;
    int64_t timeout_ns; /* per call to a shard; 0: wait for ever */
    struct shard_ref *refs;
    size_t nrefs;
    struct comp **backends; /* resolved, groups expanded: shard i is backends[i] */
    size_t n;
    struct shard_map *map;
    uint64_t *sent, *isent; /* calls sent to each shard: since warm-up, this interval */
    uint64_t cross, icross; /* requests that touched more than one shard */
};

static struct shard *shard_of(const struct comp *c) {
    return (struct shard *)(uintptr_t)c;
}

static void shard_destroy(struct comp *c) {
    struct shard *s = shard_of(c);

    free(s->refs);
    free(s->bounds);
    free(s->backends);
    shard_map_free(s->map);
    free(s->sent);
    free(s->isent);
    free(s);
}

static int parse_refs(struct shard *s, const struct scn_node *t, struct err *err) {
    if (t->type == SCN_SCALAR) {
        s->refs = xcalloc(1, sizeof *s->refs);
        s->refs[0].node = t;
        s->nrefs = 1;
        return scn_as_string(t, &s->refs[0].name, err);
    }
    if (scn_expect(t, SCN_SEQ, err)) return -1;
    if (t->n == 0)
        return err_set(err, t->file, t->line, t->col,
                       "%s: needs at least one shard (component names, or a service with "
                       "replicas)",
                       t->path);
    s->refs = xcalloc(t->n, sizeof *s->refs);
    for (size_t i = 0; i < t->n; i++) {
        s->refs[i].node = t->items[i];
        if (scn_as_string(t->items[i], &s->refs[i].name, err)) return -1;
        s->nrefs++;
    }
    return 0;
}

static int parse_bounds(struct shard *s, const struct scn_node *b, struct err *err) {
    if (scn_expect(b, SCN_SEQ, err)) return -1;
    s->bounds = xcalloc(b->n ? b->n : 1, sizeof *s->bounds);
    for (size_t i = 0; i < b->n; i++) {
        const struct scn_node *it = b->items[i];
        long long v;
        if (scn_as_int(it, 1, SHARD_MAX_KEY, &v, err)) return -1;
        if (i > 0 && (uint64_t)v <= s->bounds[i - 1])
            return err_set(err, it->file, it->line, it->col,
                           "%s: boundaries must increase (%lld after %llu)", it->path, v,
                           (unsigned long long)s->bounds[i - 1]);
        if (s->keyspace && v >= s->keyspace)
            return err_set(err, it->file, it->line, it->col,
                           "%s: boundary %lld is not inside the keyspace [0, %lld)", it->path, v,
                           s->keyspace);
        s->bounds[i] = (uint64_t)v;
        s->nbounds++;
    }
    return 0;
}

static struct comp *shard_create(struct net *net, const char *name, const struct scn_node *node,
                                 const char *dir, struct err *err) {
    struct shard *s = xcalloc(1, sizeof *s);
    const struct scn_node *t, *b;
    int strategy = SHARD_HASH;

    (void)dir;
    s->vnodes = 100;
    if (scn_check_keys(node, shard_keys, err)) goto fail;
    if (scn_get_enum(node, "strategy", 0, strategy_names, &strategy, err)) goto fail;
    s->strategy = (enum shard_strategy)strategy;
    s->strategy_node = scn_map_get(node, "strategy");
    if (scn_get_int(node, "vnodes", 0, 1, 100000, &s->vnodes, err)) goto fail;
    if (scn_get_int(node, "keyspace", 0, 1, SHARD_MAX_KEY, &s->keyspace, err)) goto fail;
    s->keyspace_node = scn_map_get(node, "keyspace");
    t = scn_map_get(node, "timeout");
    if (t && scn_as_positive_duration(t, &s->timeout_ns, err)) goto fail;
    b = scn_map_get(node, "boundaries");
    s->bounds_node = b;
    if (b && parse_bounds(s, b, err)) goto fail;
    /* keyspace, boundaries and vnodes are ignored by the strategies that do not use them, so a
     * sweep over strategy can keep them set. */
    if (s->strategy == SHARD_RANGE && !s->keyspace && !b) {
        const struct scn_node *at = s->strategy_node ? s->strategy_node : node;
        err_set(err, at->file, at->line, at->col,
                "%s: strategy range needs 'keyspace' (equal ranges over [0, keyspace)) or "
                "'boundaries' (the first key of shards 2..N)",
                node->path);
        goto fail;
    }
    t = scn_map_get(node, "shards");
    if (!t) {
        err_set(err, node->file, node->line, node->col,
                "%s: missing key 'shards' (a service with replicas, or a list of components)",
                node->path);
        goto fail;
    }
    if (parse_refs(s, t, err)) goto fail;
    comp_init(&s->base, &shard_ops, net, name, node, 0);
    return &s->base;
fail:
    shard_destroy(&s->base);
    return NULL;
}

static int shard_resolve(struct net *net, struct comp *c, struct err *err) {
    struct shard *s = shard_of(c);
    const char **names;

    for (size_t i = 0; i < s->nrefs; i++) {
        const struct shard_ref *r = &s->refs[i];
        size_t k = net_find_group(net, r->name, NULL, 0);
        if (k == 0) {
            const char *sug = scn_suggest(r->name, net_comp_names(net));
            return err_set(err, r->node->file, r->node->line, r->node->col,
                           "%s: unknown component '%s'%s%s%s", r->node->path, r->name,
                           sug ? " (did you mean '" : "", sug ? sug : "", sug ? "'?)" : "");
        }
        s->backends = xrealloc(s->backends, (s->n + k) * sizeof *s->backends);
        net_find_group(net, r->name, s->backends + s->n, k);
        for (size_t j = s->n; j < s->n + k; j++) {
            if (s->backends[j] == c)
                return err_set(err, r->node->file, r->node->line, r->node->col,
                               "%s: call cycle: '%s' shards over itself", r->node->path, c->name);
            for (size_t m = 0; m < j; m++)
                if (s->backends[m] == s->backends[j])
                    return err_set(err, r->node->file, r->node->line, r->node->col,
                                   "%s: '%s' is already a shard of '%s'", r->node->path,
                                   s->backends[j]->name, c->name);
        }
        s->n += k;
    }
    if (s->strategy == SHARD_RANGE) {
        if (s->bounds_node && s->nbounds + 1 != s->n)
            return err_set(err, s->bounds_node->file, s->bounds_node->line, s->bounds_node->col,
                           "%s: %zu shards need %zu boundaries (the first key of shards 2..%zu), "
                           "got %zu",
                           s->bounds_node->path, s->n, s->n - 1, s->n, s->nbounds);
        if (!s->bounds_node && (uint64_t)s->keyspace < s->n)
            return err_set(err, s->keyspace_node->file, s->keyspace_node->line,
                           s->keyspace_node->col,
                           "%s: a keyspace of %lld keys cannot be split over %zu shards",
                           s->keyspace_node->path, s->keyspace, s->n);
    }
    names = xcalloc(s->n, sizeof *names);
    for (size_t i = 0; i < s->n; i++)
        names[i] = s->backends[i]->name;
    s->map = shard_map_new(s->strategy, names, s->n, s->vnodes, (uint64_t)s->keyspace,
                           s->bounds_node ? s->bounds : NULL);
    free(names);
    s->sent = xcalloc(s->n, sizeof *s->sent);
    s->isent = xcalloc(s->n, sizeof *s->isent);
    return 0;
}

/* --- running ------------------------------------------------------------------------------ */

/* A shard's answer to a single-key request is the request's answer; a shard that timed out
 * (this router's own timeout) is an error to our caller, not the caller's timeout. */
static void on_single(struct sim *sim, struct call *child) {
    int status = child->status == CALL_TIMEOUT ? CALL_ERROR : child->status;

    net_reply(sim, child->ctx, status);
}

/* One part of a scatter-gather request answered: the parent answers with the last part. */
static void on_part(struct sim *sim, struct call *child) {
    struct call *parent = child->ctx;

    if (child->status != CALL_OK) parent->status = CALL_ERROR;
    if (--parent->u == 0) net_reply(sim, parent, parent->status);
}

static void send_part(struct sim *sim, struct shard *s, struct call *parent, size_t i,
                      call_done_fn *done) {
    struct call *child = net_call_new(s->base.net, parent->req, s->backends[i], done, parent);

    child->from = &s->base;
    child->tag = (uint32_t)i;
    child->timeout_ns = s->timeout_ns;
    s->sent[i]++;
    s->isent[i]++;
    net_send(sim, child);
}

static void shard_receive(struct sim *sim, struct comp *c, struct call *call) {
    struct shard *s = shard_of(c);
    int scatter = call->req->scatter;
    size_t home = shard_map_lookup(s->map, call->req->key);
    size_t k = scatter < 0 || (size_t)scatter >= s->n ? s->n : (size_t)scatter;

    if (scatter == 0 || k == 1) {
        send_part(sim, s, call, home, on_single);
        return;
    }
    s->cross++;
    s->icross++;
    /* One extra count while sending, so a part answering at once cannot finish the request
     * before every part is sent. */
    call->u = 1;
    call->status = CALL_OK;
    for (size_t i = 0; i < k; i++) {
        call->u++;
        send_part(sim, s, call, (home + i) % s->n, on_part);
    }
    if (--call->u == 0) net_reply(sim, call, call->status);
}

static size_t shard_downstream(const struct comp *c, struct comp **out, size_t max) {
    const struct shard *s = shard_of(c);

    for (size_t i = 0; i < s->n && i < max; i++)
        out[i] = s->backends[i];
    return s->n;
}

static void shard_describe(const struct comp *c, char *buf, size_t n) {
    const struct shard *s = shard_of(c);
    int off = snprintf(buf, n, "shard: %s", strategy_names[s->strategy]);

#define ADD(...)                                                                                   \
    do {                                                                                           \
        if (off > 0 && (size_t)off < n) off += snprintf(buf + off, n - (size_t)off, __VA_ARGS__);  \
    } while (0)
    if (s->strategy == SHARD_CONSISTENT_HASH) ADD(" (%lld virtual nodes each)", s->vnodes);
    if (s->strategy == SHARD_RANGE && s->bounds_node) ADD(" (explicit boundaries)");
    if (s->strategy == SHARD_RANGE && !s->bounds_node)
        ADD(" (equal ranges over [0, %lld))", s->keyspace);
    ADD(" over %zu shards:", s->n);
    for (size_t i = 0; i < s->n; i++)
        ADD(" %s", s->backends[i]->name);
    if (s->timeout_ns > 0) ADD("; timeout %g ms", (double)s->timeout_ns / 1e6);
#undef ADD
}

/* "shard[i]" with 1 <= i <= n → 0-based index; -1 otherwise. */
static int parse_part(const char *part, size_t n, size_t *out) {
    const char *p = part + strlen("shard[");
    char *end;
    unsigned long long v;

    if (strncmp(part, "shard[", strlen("shard[")) != 0 || *p < '0' || *p > '9') return -1;
    v = strtoull(p, &end, 10);
    if (strcmp(end, "]") != 0 || v < 1 || v > n) return -1;
    *out = (size_t)(v - 1);
    return 0;
}

static int shard_control(struct sim *sim, struct comp *c, const struct comp_action *a,
                         struct err *err) {
    struct shard *s = shard_of(c);

    if (a->part) {
        struct comp_action fwd = *a;
        size_t i;
        if (parse_part(a->part, s->n, &i))
            return err_set(err, NULL, 0, 0,
                           "shard '%s' has no part '%s' (parts: shard[1] .. "
                           "shard[%zu])",
                           c->name, a->part, s->n);
        fwd.part = NULL;
        return net_control(sim, s->backends[i], &fwd, err);
    }
    switch (a->kind) {
        case ACT_CRASH:
        case ACT_RECOVER:
        case ACT_SLOW:
        case ACT_RESTORE:
            break;
        default:
            return err_set(err, NULL, 0, 0,
                           "a shard cannot %s (name a part to act on one "
                           "shard, e.g. %s.shard[1])",
                           action_names[a->kind], c->name);
    }
    if (!sim) return 0;
    /* As for every kind: a crashed router refuses new calls (or they vanish); a slow-down has
     * nothing to slow, the router takes no time. */
    if (a->kind == ACT_CRASH) {
        c->down = 1;
        c->blackhole = a->blackhole;
    } else if (a->kind == ACT_RECOVER) {
        c->down = 0;
    } else if (a->kind == ACT_SLOW) {
        c->slow = a->factor;
    } else {
        c->slow = 1.0;
    }
    return 0;
}

/* max / mean of the per-shard counts; NAN when nothing was sent. */
static double imbalance(const uint64_t *sent, size_t n) {
    uint64_t max = 0, sum = 0;

    for (size_t i = 0; i < n; i++) {
        sum += sent[i];
        if (sent[i] > max) max = sent[i];
    }
    return sum ? (double)max * (double)n / (double)sum : NAN;
}

static void shard_extras(const struct comp *c, int interval, int64_t now, double *vals) {
    const struct shard *s = shard_of(c);

    (void)now;
    vals[MX_IMBALANCE] = imbalance(interval ? s->isent : s->sent, s->n);
    vals[MX_CROSS_SHARD] = (double)(interval ? s->icross : s->cross);
}

static void shard_restart(struct comp *c, int64_t now, int run) {
    struct shard *s = shard_of(c);

    (void)now;
    if (run) {
        memset(s->sent, 0, s->n * sizeof *s->sent);
        s->cross = 0;
    } else {
        memset(s->isent, 0, s->n * sizeof *s->isent);
        s->icross = 0;
    }
}

const struct model_ops shard_ops = {
    .kind = "shard",
    .create = shard_create,
    .resolve = shard_resolve,
    .receive = shard_receive,
    .downstream = shard_downstream,
    .describe = shard_describe,
    .destroy = shard_destroy,
    .control = shard_control,
    .extras = shard_extras,
    .restart = shard_restart,
};

enum shard_strategy shard_strategy_of(const struct comp *c) {
    return shard_of(c)->strategy;
}

size_t shard_backends(const struct comp *c, struct comp **out, size_t max) {
    return shard_downstream(c, out, max);
}

size_t shard_key_index(const struct comp *c, uint64_t key) {
    return shard_map_lookup(shard_of(c)->map, key);
}
