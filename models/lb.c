/* lb — load balancer policies; see lb.h. */
#include "lb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ring.h"
#include "xmalloc.h"

static const char *const lb_keys[] = {"kind",        "policy",       "targets", "vnodes",
                                      "description", "health_check", NULL};
static const char *const health_keys[] = {"interval", "timeout", "unhealthy_after", "healthy_after",
                                          NULL};
static const char *const target_keys[] = {"to", "weight", NULL};
static const char *const policy_names[] = {
    "round_robin",  "weighted_round_robin", "random", "least_connections",
    "power_of_two", "consistent_hash",      NULL};

struct target_ref {
    const char *name;
    const struct scn_node *node;
    double weight;
};

struct lb {
    struct comp base;
    enum lb_policy policy;
    struct target_ref *refs;
    size_t nrefs;
    struct comp **targets; /* resolved, replicas expanded */
    double *weight;
    double *credit; /* weighted round robin */
    double *cum;    /* random: cumulative normalised weights */
    uint64_t *outstanding;
    size_t ntargets;
    size_t next; /* round robin */
    double total_weight;
    long long vnodes;
    struct ring *ring; /* consistent_hash */
    struct rng rng;
    /* Health checks: every interval each target is probed; unhealthy_after consecutive
     * failures mark it down (no traffic), healthy_after consecutive successes mark it up. */
    int checks;
    int64_t hc_interval_ns, hc_timeout_ns;
    long long unhealthy_after, healthy_after;
    unsigned char *down; /* per target: marked down */
    struct call *held;   /* calls forwarded and not yet answered (next/prev), lost in a crash */
    int *fails, *oks;    /* consecutive probe outcomes */
    size_t ndown;
};

static struct lb *lb_of(const struct comp *c) {
    return (struct lb *)(uintptr_t)c;
}

static void lb_destroy(struct comp *c) {
    struct lb *lb = lb_of(c);

    free(lb->refs);
    free(lb->targets);
    free(lb->weight);
    free(lb->credit);
    free(lb->cum);
    free(lb->outstanding);
    free(lb->down);
    free(lb->fails);
    free(lb->oks);
    ring_free(lb->ring);
    free(lb);
}

static struct comp *lb_create(struct net *net, const char *name, const struct scn_node *node,
                              const char *dir, struct err *err) {
    struct lb *lb = xcalloc(1, sizeof *lb);
    const struct scn_node *t;
    int policy = LB_ROUND_ROBIN;

    (void)dir;
    lb->vnodes = 100;
    if (scn_check_keys(node, lb_keys, err)) goto fail;
    if (scn_get_enum(node, "policy", 0, policy_names, &policy, err)) goto fail;
    lb->policy = (enum lb_policy)policy;
    if (scn_get_int(node, "vnodes", 0, 1, 100000, &lb->vnodes, err)) goto fail;
    if (scn_map_get(node, "health_check")) {
        const struct scn_node *h = scn_map_get(node, "health_check");
        if (scn_expect(h, SCN_MAP, err) || scn_check_keys(h, health_keys, err)) goto fail;
        lb->checks = 1;
        lb->hc_interval_ns = 1000000000LL;
        lb->hc_timeout_ns = 1000000000LL;
        lb->unhealthy_after = 3;
        lb->healthy_after = 2;
        if (scn_map_get(h, "interval") &&
            scn_as_positive_duration(scn_map_get(h, "interval"), &lb->hc_interval_ns, err))
            goto fail;
        if (scn_map_get(h, "timeout") &&
            scn_as_positive_duration(scn_map_get(h, "timeout"), &lb->hc_timeout_ns, err))
            goto fail;
        if (scn_get_int(h, "unhealthy_after", 0, 1, 1000, &lb->unhealthy_after, err)) goto fail;
        if (scn_get_int(h, "healthy_after", 0, 1, 1000, &lb->healthy_after, err)) goto fail;
    }
    t = scn_map_get(node, "targets");
    if (!t) {
        err_set(err, node->file, node->line, node->col,
                "%s: missing key 'targets' (the components it balances over)", node->path);
        goto fail;
    }
    if (t->type == SCN_SCALAR) {
        lb->refs = xcalloc(1, sizeof *lb->refs);
        lb->refs[0].node = t;
        lb->refs[0].weight = 1;
        if (scn_as_string(t, &lb->refs[0].name, err)) goto fail;
        lb->nrefs = 1;
    } else {
        if (scn_expect(t, SCN_SEQ, err)) goto fail;
        if (t->n == 0) {
            err_set(err, t->file, t->line, t->col, "%s: needs at least one target", t->path);
            goto fail;
        }
        lb->refs = xcalloc(t->n, sizeof *lb->refs);
        for (size_t i = 0; i < t->n; i++) {
            const struct scn_node *it = t->items[i];
            struct target_ref *r = &lb->refs[i];
            r->weight = 1;
            if (it->type == SCN_SCALAR) {
                r->node = it;
                if (scn_as_string(it, &r->name, err)) goto fail;
            } else {
                if (scn_expect(it, SCN_MAP, err) || scn_check_keys(it, target_keys, err)) goto fail;
                if (scn_get_string(it, "to", 1, &r->name, err)) goto fail;
                r->node = scn_map_get(it, "to");
                if (scn_get_double(it, "weight", 0, 1e-9, 1e9, &r->weight, err)) goto fail;
            }
            lb->nrefs++;
        }
    }
    comp_init(&lb->base, &lb_ops, net, name, node, 0);
    net_rng(net, &lb->rng, name, "balance");
    return &lb->base;
fail:
    lb_destroy(&lb->base);
    return NULL;
}

/* Each target gets vnodes × (its weight / the mean weight) points (at least one): ring.h. */
static void build_ring(struct lb *lb) {
    const char **names = xcalloc(lb->ntargets, sizeof *names);

    for (size_t t = 0; t < lb->ntargets; t++)
        names[t] = lb->targets[t]->name;
    lb->ring = ring_new(names, lb->weight, lb->ntargets, lb->vnodes);
    free(names);
}

static int lb_resolve(struct net *net, struct comp *c, struct err *err) {
    struct lb *lb = lb_of(c);
    size_t cap = 0;

    for (size_t i = 0; i < lb->nrefs; i++) {
        struct target_ref *r = &lb->refs[i];
        size_t n = net_find_group(net, r->name, NULL, 0);
        struct comp **grp;
        if (n == 0) {
            const char *sug = scn_suggest(r->name, net_comp_names(net));
            return err_set(err, r->node->file, r->node->line, r->node->col,
                           "%s: unknown component '%s'%s%s%s", r->node->path, r->name,
                           sug ? " (did you mean '" : "", sug ? sug : "", sug ? "'?)" : "");
        }
        grp = xcalloc(n, sizeof *grp);
        net_find_group(net, r->name, grp, n);
        lb->targets = xrealloc(lb->targets, (cap + n) * sizeof *lb->targets);
        lb->weight = xrealloc(lb->weight, (cap + n) * sizeof *lb->weight);
        for (size_t k = 0; k < n; k++) {
            if (grp[k] == c) {
                free(grp);
                return err_set(err, r->node->file, r->node->line, r->node->col,
                               "%s: call cycle: '%s' balances over itself", r->node->path, c->name);
            }
            lb->targets[cap + k] = grp[k];
            lb->weight[cap + k] = r->weight;
            lb->total_weight += r->weight;
        }
        free(grp);
        cap += n;
    }
    lb->ntargets = cap;
    lb->credit = xcalloc(cap, sizeof *lb->credit);
    lb->outstanding = xcalloc(cap, sizeof *lb->outstanding);
    lb->down = xcalloc(cap, 1);
    lb->fails = xcalloc(cap, sizeof *lb->fails);
    lb->oks = xcalloc(cap, sizeof *lb->oks);
    lb->cum = xcalloc(cap, sizeof *lb->cum);
    for (size_t i = 0; i < cap; i++)
        lb->cum[i] = (i ? lb->cum[i - 1] : 0) + lb->weight[i] / lb->total_weight;
    lb->cum[cap - 1] = 1.0;
    if (lb->policy == LB_CONSISTENT_HASH) build_ring(lb);
    return 0;
}

/* Pick among the targets not marked down (only when health checks marked some down; the
 * common case above stays branch-free of it). Returns ntargets when none is up. */
static size_t pick_healthy(struct lb *lb, const struct req *req) {
    size_t n = lb->ntargets, best = n;

    switch (lb->policy) {
        case LB_ROUND_ROBIN:
            for (size_t k = 0; k < n; k++) {
                size_t t = (lb->next + k) % n;
                if (!lb->down[t]) {
                    lb->next = (t + 1) % n;
                    return t;
                }
            }
            return n;
        case LB_WEIGHTED_ROUND_ROBIN: {
            double total = 0;
            for (size_t i = 0; i < n; i++) {
                if (lb->down[i]) continue;
                total += lb->weight[i];
                lb->credit[i] += lb->weight[i];
                if (best == n || lb->credit[i] > lb->credit[best]) best = i;
            }
            if (best < n) lb->credit[best] -= total;
            return best;
        }
        case LB_RANDOM: {
            double total = 0, u, acc = 0;
            for (size_t i = 0; i < n; i++)
                if (!lb->down[i]) total += lb->weight[i];
            if (total <= 0) return n;
            u = rng_uniform(&lb->rng) * total;
            for (size_t i = 0; i < n; i++) {
                if (lb->down[i]) continue;
                acc += lb->weight[i];
                best = i;
                if (u < acc) break;
            }
            return best;
        }
        case LB_LEAST_CONNECTIONS:
            for (size_t i = 0; i < n; i++)
                if (!lb->down[i] && (best == n || lb->outstanding[i] < lb->outstanding[best]))
                    best = i;
            return best;
        case LB_POWER_OF_TWO: {
            size_t up = n - lb->ndown, a, b, ia = 0, ib = 0;
            if (up == 0) return n;
            if (up == 1) {
                for (size_t i = 0; i < n; i++)
                    if (!lb->down[i]) return i;
            }
            a = rng_bounded(&lb->rng, (uint32_t)up);
            b = rng_bounded(&lb->rng, (uint32_t)(up - 1));
            if (b >= a) b++;
            /* map the a-th and b-th live targets to indices */
            for (size_t i = 0, k = 0; i < n; i++) {
                if (lb->down[i]) continue;
                if (k == a) ia = i;
                if (k == b) ib = i;
                k++;
            }
            return lb->outstanding[ib] < lb->outstanding[ia] ? ib : ia;
        }
        case LB_CONSISTENT_HASH:
            return ring_lookup_skip(lb->ring, rng_mix64(req->key), lb->down);
    }
    return n;
}

static size_t pick(struct lb *lb, const struct req *req) {
    size_t n = lb->ntargets, best = 0;

    if (lb->ndown) return pick_healthy(lb, req);
    switch (lb->policy) {
        case LB_ROUND_ROBIN:
            best = lb->next;
            lb->next = (lb->next + 1) % n;
            return best;
        case LB_WEIGHTED_ROUND_ROBIN:
            for (size_t i = 0; i < n; i++) {
                lb->credit[i] += lb->weight[i];
                if (lb->credit[i] > lb->credit[best]) best = i;
            }
            lb->credit[best] -= lb->total_weight;
            return best;
        case LB_RANDOM: {
            /* by weight: the first target whose cumulative share exceeds u */
            double u = rng_uniform(&lb->rng);
            while (best + 1 < n && u >= lb->cum[best])
                best++;
            return best;
        }
        case LB_LEAST_CONNECTIONS:
            for (size_t i = 1; i < n; i++)
                if (lb->outstanding[i] < lb->outstanding[best]) best = i;
            return best;
        case LB_POWER_OF_TWO: {
            size_t a, b;
            if (n == 1) return 0;
            a = rng_bounded(&lb->rng, (uint32_t)n);
            b = rng_bounded(&lb->rng, (uint32_t)(n - 1));
            if (b >= a) b++;
            return lb->outstanding[b] < lb->outstanding[a] ? b : a;
        }
        case LB_CONSISTENT_HASH:
            return ring_lookup(lb->ring, rng_mix64(req->key));
    }
    return 0;
}

/* --- health checks ------------------------------------------------------------------------ */

static void probe_result(struct lb *lb, size_t t, int ok) {
    if (ok) {
        lb->fails[t] = 0;
        if (lb->down[t] && ++lb->oks[t] >= lb->healthy_after) {
            lb->down[t] = 0;
            lb->ndown--;
            net_log(lb->base.net, &lb->base, "health", "%s up", lb->targets[t]->name);
        }
    } else {
        lb->oks[t] = 0;
        if (!lb->down[t] && ++lb->fails[t] >= lb->unhealthy_after) {
            lb->down[t] = 1;
            lb->ndown++;
            net_log(lb->base.net, &lb->base, "health", "%s down", lb->targets[t]->name);
        }
    }
}

static void on_probe_timeout(struct sim *sim, void *a, void *b) {
    (void)sim;
    probe_result(a, (size_t)(uintptr_t)b, 0);
}

/* Probe every target: a live one answers at once (probes are cheap and not counted as
 * load); a crashed one refuses at once, or (blackhole) fails when the probe times out. */
static void on_probe(struct sim *sim, void *a, void *b) {
    struct lb *lb = a;
    int64_t now = sim_now(sim);

    (void)b;
    for (size_t t = 0; t < lb->ntargets; t++) {
        const struct comp *c = lb->targets[t];
        if (c->down && c->blackhole)
            sim_schedule(sim, now + lb->hc_timeout_ns, on_probe_timeout, lb, (void *)(uintptr_t)t);
        else
            probe_result(lb, t, !c->down);
    }
    sim_schedule(sim, now + lb->hc_interval_ns, on_probe, lb, NULL);
}

static void lb_start(struct sim *sim, struct comp *c) {
    struct lb *lb = lb_of(c);

    if (lb->checks) sim_schedule(sim, sim_now(sim) + lb->hc_interval_ns, on_probe, lb, NULL);
}

/* A crashed balancer loses the calls it was forwarding (their targets' answers are
 * ignored when they come); it refuses new ones until it recovers. */
static int lb_control(struct sim *sim, struct comp *c, const struct comp_action *a,
                      struct err *err) {
    struct lb *lb = lb_of(c);

    if (a->part) return err_set(err, NULL, 0, 0, "a load_balancer has no part '%s'", a->part);
    switch (a->kind) {
        case ACT_CRASH:
            if (!sim || c->down) return 0;
            c->down = 1;
            c->blackhole = a->blackhole;
            while (lb->held) {
                struct call *p = lb->held;
                lb->held = p->next;
                p->next = p->prev = NULL;
                net_abandon(sim, p, CALL_UNAVAILABLE, a->blackhole);
            }
            return 0;
        case ACT_RECOVER:
            if (sim) c->down = 0;
            return 0;
        case ACT_SLOW:
        case ACT_RESTORE:
            return err_set(err, NULL, 0, 0,
                           "a load_balancer adds no service time to slow down (slow its "
                           "targets)");
        default:
            return err_set(err, NULL, 0, 0, "a load_balancer can crash and recover");
    }
}

static const struct scn_node *lb_ref(const struct comp *c, const struct comp *to) {
    const struct lb *lb = lb_of(c);

    for (size_t i = 0; i < lb->nrefs; i++)
        if (strcmp(lb->refs[i].name, to->group) == 0 || strcmp(lb->refs[i].name, to->name) == 0)
            return lb->refs[i].node;
    return NULL;
}

static void on_target_answer(struct sim *sim, struct call *child) {
    struct call *parent = child->ctx;
    struct lb *lb = lb_of(parent->to);
    int status = child->status;

    lb->outstanding[child->tag]--;
    if (!parent->abandoned) {
        if (parent->prev)
            parent->prev->next = parent->next;
        else
            lb->held = parent->next;
        if (parent->next) parent->next->prev = parent->prev;
    }
    net_reply(sim, parent, status);
}

static void lb_receive(struct sim *sim, struct comp *c, struct call *call) {
    struct lb *lb = lb_of(c);
    size_t t = pick(lb, call->req);
    struct call *child;

    if (t >= lb->ntargets) {
        /* every target marked down */
        net_reply(sim, call, CALL_UNAVAILABLE);
        return;
    }
    child = net_call_new(c->net, call->req, lb->targets[t], on_target_answer, call);
    child->tag = (uint32_t)t;
    child->from = c;
    call->prev = NULL;
    call->next = lb->held;
    if (lb->held) lb->held->prev = call;
    lb->held = call;
    lb->outstanding[t]++;
    net_send(sim, child);
}

static size_t lb_downstream(const struct comp *c, struct comp **out, size_t max) {
    const struct lb *lb = lb_of(c);

    for (size_t i = 0; i < lb->ntargets && i < max; i++)
        out[i] = lb->targets[i];
    return lb->ntargets;
}

static void lb_describe(const struct comp *c, char *buf, size_t n) {
    const struct lb *lb = lb_of(c);
    int off = snprintf(buf, n, "load_balancer: %s over", policy_names[lb->policy]);

    for (size_t i = 0; i < lb->ntargets && off > 0 && (size_t)off < n; i++)
        off += snprintf(buf + off, n - (size_t)off, " %s", lb->targets[i]->name);
    if (lb->policy == LB_CONSISTENT_HASH && off > 0 && (size_t)off < n)
        snprintf(buf + off, n - (size_t)off, " (%lld virtual nodes each)", lb->vnodes);
}

const struct model_ops lb_ops = {
    .kind = "load_balancer",
    .create = lb_create,
    .resolve = lb_resolve,
    .receive = lb_receive,
    .downstream = lb_downstream,
    .describe = lb_describe,
    .destroy = lb_destroy,
    .start = lb_start,
    .ref = lb_ref,
    .control = lb_control,
};

enum lb_policy lb_policy(const struct comp *c) {
    return lb_of(c)->policy;
}

size_t lb_targets(const struct comp *c, struct comp **out, double *weight, size_t max) {
    const struct lb *lb = lb_of(c);

    /* round robin, least connections and power of two ignore weights: equal shares in the
     * long run (the latter two only approximately: they follow the state). */
    int weighted = lb->policy == LB_WEIGHTED_ROUND_ROBIN || lb->policy == LB_RANDOM ||
                   lb->policy == LB_CONSISTENT_HASH;

    for (size_t i = 0; i < lb->ntargets && i < max; i++) {
        out[i] = lb->targets[i];
        if (weight)
            weight[i] = weighted ? lb->weight[i] / lb->total_weight : 1.0 / (double)lb->ntargets;
    }
    return lb->ntargets;
}
