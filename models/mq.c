/* mq — the `queue` kind: an asynchronous broker with consumer groups, overflow policies,
 * at-least-once redelivery and a dead-letter count; see mq.h for the design. */
#include "mq.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pool.h"
#include "xmalloc.h"

static const char *const mq_keys[] = {"kind",
                                      "description",
                                      "capacity",
                                      "overflow",
                                      "enqueue_time",
                                      "consumers",
                                      "service_time",
                                      "calls",
                                      "max_attempts",
                                      "failure",
                                      "consumer_timeout",
                                      "subscribers",
                                      NULL};
static const char *const group_keys[] = {"name",         "consumers", "service_time",     "calls",
                                         "max_attempts", "failure",   "consumer_timeout", NULL};
static const char *const call_keys[] = {"to", "timeout", "probability", NULL};
static const char *const overflow_names[] = {"reject", "drop_oldest", "block", NULL};

/* A message as one group holds it: what the broker copied from the producer's request. */
struct mq_msg {
    struct mq_msg *next; /* backlog link */
    uint64_t id, key;
    int64_t publish_ns; /* the producer's call arrived at the broker */
    int cls, write, scatter;
    int attempts; /* deliveries that count towards max_attempts */
};

struct downcall {
    const char *to_name; /* borrowed from the scenario doc */
    const struct scn_node *node;
    struct comp *to;
    double prob;        /* (0, 1] */
    int64_t timeout_ns; /* 0: wait for ever */
};

struct group;
struct mq;

/* One consumer's attempt at one message. Lives until its downstream call (if any) answers,
 * even after the consumer gave up (msg == NULL then: an orphan). */
struct attempt {
    struct req *req; /* the request downstream calls carry: one reference held here */
    struct mq *q;
    struct group *g;
    struct mq_msg *msg;
    struct sim_event *work;  /* end of the service time, or NULL */
    struct sim_event *timer; /* consumer timeout, or NULL */
    size_t next_call;
    struct attempt *next, *prev; /* the group's active list */
};

struct gcount {
    uint64_t stored, delivered, failed, dead, dropped;
};

struct group {
    char *name; /* owned */
    unsigned consumers, busy;
    struct dist st;
    double slow;    /* this group's slow-down factor (1: normal) */
    double failure; /* probability an attempt fails, [0, 1] */
    struct downcall *calls;
    size_t ncalls;
    int64_t timeout_ns; /* consumer timeout, 0: none */
    long long max_attempts;
    struct mq_msg *head, *tail; /* backlog, oldest first */
    size_t nwait;
    struct attempt *active;
    int down;
    struct rng rng_svc, rng_fail, rng_route;
    struct gcount run;
};

struct mq_counts {
    uint64_t enqueued, delivered, dropped, dead, blocked;
};

struct mq {
    struct comp base;
    struct group *groups;
    size_t ngroups;
    int subscribers; /* groups came from `subscribers:` */
    long long cap;   /* waiting messages per group, -1: unbounded */
    enum mq_overflow overflow;
    struct dist enq;
    int has_enq; /* enqueue_time is not the constant 0 */
    struct rng rng_enq;
    struct pool *msgs, *attempts, *reqs;
    struct call *pending;       /* publishes being stored (next/prev); call->p: their message */
    struct call *bhead, *btail; /* blocked publishes (next); call->p: their message */
    size_t nwait, nbusy;        /* over all groups */
    struct mq_counts run, ival;
    struct hist *e2e, *ie2e; /* ns, publish to consumed: since warm-up, this interval */
};

static struct mq *mq_of(const struct comp *c) {
    return (struct mq *)(uintptr_t)c;
}

/* --- parsing ------------------------------------------------------------------------------ */

/* The group's own value of key, else the queue's top-level one (NULL when neither). */
static const struct scn_node *pick(const struct scn_node *gnode, const struct scn_node *top,
                                   const char *key) {
    const struct scn_node *n = scn_map_get(gnode, key);
    return n ? n : scn_map_get(top, key);
}

static int parse_calls(struct group *g, const struct scn_node *node, struct err *err) {
    if (scn_expect(node, SCN_SEQ, err)) return -1;
    g->calls = xcalloc(node->n ? node->n : 1, sizeof *g->calls);
    for (size_t i = 0; i < node->n; i++) {
        const struct scn_node *it = node->items[i], *t, *p;
        struct downcall *d = &g->calls[i];

        g->ncalls++;
        d->prob = 1.0;
        if (it->type == SCN_SCALAR) {
            d->node = it;
            if (scn_as_string(it, &d->to_name, err)) return -1;
            continue;
        }
        if (scn_expect(it, SCN_MAP, err) || scn_check_keys(it, call_keys, err)) return -1;
        if (scn_get_string(it, "to", 1, &d->to_name, err)) return -1;
        d->node = scn_map_get(it, "to");
        t = scn_map_get(it, "timeout");
        if (t && scn_as_positive_duration(t, &d->timeout_ns, err)) return -1;
        p = scn_map_get(it, "probability");
        if (p) {
            if (scn_as_fraction(p, &d->prob, err)) return -1;
            if (d->prob <= 0)
                return err_set(err, p->file, p->line, p->col, "%s: must be above 0", p->path);
        }
    }
    return 0;
}

/* Fill group g from gnode (a subscriber map, or the queue's own map) with defaults from top. */
static int parse_group(struct mq *q, struct group *g, const struct scn_node *gnode,
                       const struct scn_node *top, const char *dir, struct err *err) {
    const struct scn_node *n;
    long long v;

    g->consumers = 1;
    g->max_attempts = 3;
    g->slow = 1.0;
    n = pick(gnode, top, "consumers");
    if (n) {
        if (scn_as_int(n, 1, 1000000, &v, err)) return -1;
        g->consumers = (unsigned)v;
    }
    n = pick(gnode, top, "service_time");
    if (!n)
        return err_set(err, gnode->file, gnode->line, gnode->col,
                       "%s: missing key 'service_time'%s", gnode->path,
                       q->subscribers ? " (per subscriber, or at the queue's top level)" : "");
    if (scn_as_dist(n, dir, &g->st, err)) return -1;
    n = pick(gnode, top, "max_attempts");
    if (n && scn_as_int(n, 1, 1000000, &g->max_attempts, err)) return -1;
    n = pick(gnode, top, "failure");
    if (n && scn_as_fraction(n, &g->failure, err)) return -1;
    n = pick(gnode, top, "consumer_timeout");
    if (n && scn_as_positive_duration(n, &g->timeout_ns, err)) return -1;
    n = pick(gnode, top, "calls");
    if (n && parse_calls(g, n, err)) return -1;
    return 0;
}

static void group_streams(struct mq *q, struct group *g) {
    char purpose[300];
    const char *name = q->base.name;

    if (!q->subscribers) {
        net_rng(q->base.net, &g->rng_svc, name, "service");
        net_rng(q->base.net, &g->rng_fail, name, "failure");
        net_rng(q->base.net, &g->rng_route, name, "route");
        return;
    }
    snprintf(purpose, sizeof purpose, "service:%s", g->name);
    net_rng(q->base.net, &g->rng_svc, name, purpose);
    snprintf(purpose, sizeof purpose, "failure:%s", g->name);
    net_rng(q->base.net, &g->rng_fail, name, purpose);
    snprintf(purpose, sizeof purpose, "route:%s", g->name);
    net_rng(q->base.net, &g->rng_route, name, purpose);
}

static void mq_destroy(struct comp *c) {
    struct mq *q = mq_of(c);

    for (size_t i = 0; i < q->ngroups; i++) {
        free(q->groups[i].name);
        dist_free(&q->groups[i].st);
        free(q->groups[i].calls);
    }
    free(q->groups);
    dist_free(&q->enq);
    pool_free(q->msgs);
    pool_free(q->attempts);
    pool_free(q->reqs);
    hist_free(q->e2e);
    hist_free(q->ie2e);
    free(q);
}

static int parse_subscribers(struct mq *q, const struct scn_node *subs, const struct scn_node *top,
                             const char *dir, struct err *err) {
    if (scn_expect(subs, SCN_SEQ, err)) return -1;
    if (subs->n == 0)
        return err_set(err, subs->file, subs->line, subs->col,
                       "%s: needs at least one subscriber group", subs->path);
    q->groups = xcalloc(subs->n, sizeof *q->groups);
    for (size_t i = 0; i < subs->n; i++) {
        const struct scn_node *it = subs->items[i], *nn;
        struct group *g = &q->groups[i];
        const char *name;

        if (scn_expect(it, SCN_MAP, err) || scn_check_keys(it, group_keys, err)) return -1;
        if (scn_get_string(it, "name", 1, &name, err)) return -1;
        nn = scn_map_get(it, "name");
        for (size_t k = 0; k < i; k++)
            if (strcmp(q->groups[k].name, name) == 0)
                return err_set(err, nn->file, nn->line, nn->col,
                               "%s: subscriber group '%s' is already defined", nn->path, name);
        g->name = xstrdup(name);
        q->ngroups++;
        if (parse_group(q, g, it, top, dir, err)) return -1;
    }
    return 0;
}

static struct comp *mq_create(struct net *net, const char *name, const struct scn_node *node,
                              const char *dir, struct err *err) {
    struct mq *q = xcalloc(1, sizeof *q);
    const struct scn_node *n, *subs;
    int ov = MQ_REJECT;
    unsigned servers = 0;

    q->base.net = net;
    q->cap = -1;
    q->msgs = pool_new(sizeof(struct mq_msg));
    q->attempts = pool_new(sizeof(struct attempt));
    q->reqs = pool_new(sizeof(struct req));
    q->e2e = hist_new();
    q->ie2e = hist_new();
    dist_const(&q->enq, 0, NULL);
    if (scn_check_keys(node, mq_keys, err)) goto fail;
    n = scn_map_get(node, "capacity");
    if (n && !(n->type == SCN_SCALAR && strcmp(n->value, "unbounded") == 0)) {
        if (scn_as_int(n, 0, 1000000000LL, &q->cap, err)) goto fail;
    }
    if (scn_get_enum(node, "overflow", 0, overflow_names, &ov, err)) goto fail;
    q->overflow = (enum mq_overflow)ov;
    if (q->overflow == MQ_DROP_OLDEST && q->cap == 0) {
        n = scn_map_get(node, "capacity");
        err_set(err, n->file, n->line, n->col,
                "%s: overflow drop_oldest needs a capacity of at least 1 (nothing waits to be "
                "dropped)",
                n->path);
        goto fail;
    }
    if (scn_get_dist(node, "enqueue_time", 0, dir, &q->enq, err)) goto fail;
    q->has_enq = !(q->enq.kind == DIST_CONST && q->enq.p[0] == 0);
    subs = scn_map_get(node, "subscribers");
    if (subs) {
        q->subscribers = 1;
        if (parse_subscribers(q, subs, node, dir, err)) goto fail;
    } else {
        q->groups = xcalloc(1, sizeof *q->groups);
        q->groups[0].name = xstrdup("default");
        q->ngroups = 1;
        if (parse_group(q, &q->groups[0], node, node, dir, err)) goto fail;
    }
    for (size_t i = 0; i < q->ngroups; i++)
        servers += q->groups[i].consumers;
    comp_init(&q->base, &mq_ops, net, name, node, (double)servers);
    net_rng(net, &q->rng_enq, name, "enqueue");
    for (size_t i = 0; i < q->ngroups; i++)
        group_streams(q, &q->groups[i]);
    return &q->base;
fail:
    mq_destroy(&q->base);
    return NULL;
}

static int mq_resolve(struct net *net, struct comp *c, struct err *err) {
    struct mq *q = mq_of(c);

    for (size_t i = 0; i < q->ngroups; i++) {
        for (size_t k = 0; k < q->groups[i].ncalls; k++) {
            struct downcall *d = &q->groups[i].calls[k];
            struct comp *grp[2];
            size_t ng = net_find_group(net, d->to_name, grp, 2);
            if (ng > 1)
                return err_set(err, d->node->file, d->node->line, d->node->col,
                               "%s: '%s' has %zu replicas; put a load_balancer in front of them "
                               "and call it",
                               d->node->path, d->to_name, ng);
            if (ng == 0) {
                const char *sug = scn_suggest(d->to_name, net_comp_names(net));
                return err_set(err, d->node->file, d->node->line, d->node->col,
                               "%s: unknown component '%s'%s%s%s", d->node->path, d->to_name,
                               sug ? " (did you mean '" : "", sug ? sug : "", sug ? "'?)" : "");
            }
            d->to = grp[0];
            if (d->to == c)
                return err_set(err, d->node->file, d->node->line, d->node->col,
                               "%s: call cycle: '%s' calls itself", d->node->path, c->name);
        }
    }
    return 0;
}

/* --- running ------------------------------------------------------------------------------ */

static void on_service_done(struct sim *sim, void *a, void *b);
static void on_consumer_timeout(struct sim *sim, void *a, void *b);
static void settle(struct sim *sim, struct mq *q);

/* A publish can be stored in g without exceeding its capacity: a consumer is idle (then the
 * backlog is empty and the message goes straight to it) or the backlog has room. */
static int has_room(const struct mq *q, const struct group *g) {
    if (q->cap < 0 || (long long)g->nwait < q->cap) return 1;
    return !g->down && !q->base.down && g->busy < g->consumers;
}

static int all_room(const struct mq *q) {
    for (size_t i = 0; i < q->ngroups; i++)
        if (!has_room(q, &q->groups[i])) return 0;
    return 1;
}

static void push_back(struct mq *q, struct group *g, struct mq_msg *m) {
    m->next = NULL;
    if (g->tail)
        g->tail->next = m;
    else
        g->head = m;
    g->tail = m;
    g->nwait++;
    q->nwait++;
}

static void push_front(struct mq *q, struct group *g, struct mq_msg *m) {
    m->next = g->head;
    g->head = m;
    if (!g->tail) g->tail = m;
    g->nwait++;
    q->nwait++;
}

static struct mq_msg *pop_front(struct mq *q, struct group *g) {
    struct mq_msg *m = g->head;

    if (!m) return NULL;
    g->head = m->next;
    if (!g->head) g->tail = NULL;
    g->nwait--;
    q->nwait--;
    return m;
}

/* The time-weighted metrics follow the totals: queue = waiting messages, busy = consumers
 * holding one. */
static void touch(struct sim *sim, struct mq *q) {
    comp_set_queue(sim, &q->base, (double)q->nwait);
    comp_set_busy(sim, &q->base, (double)q->nbusy);
}

static void start_attempt(struct sim *sim, struct mq *q, struct group *g, struct mq_msg *m) {
    struct attempt *a = pool_get(q->attempts);
    struct req *r = pool_get(q->reqs);
    int64_t now = sim_now(sim);
    double t;

    memset(a, 0, sizeof *a);
    memset(r, 0, sizeof *r);
    m->attempts++;
    r->id = m->id;
    r->cls = m->cls;
    r->key = m->key;
    r->birth_ns = now;
    r->attempt = m->attempts;
    r->write = m->write;
    r->scatter = m->scatter;
    r->refs = 1;
    r->home = q->reqs;
    a->req = r;
    a->q = q;
    a->g = g;
    a->msg = m;
    a->next = g->active;
    if (g->active) g->active->prev = a;
    g->active = a;
    g->busy++;
    q->nbusy++;
    t = dist_sample(&g->st, &g->rng_svc) * q->base.slow * g->slow;
    a->work = sim_schedule(sim, now + dist_ns(t), on_service_done, a, NULL);
    if (g->timeout_ns > 0)
        a->timer = sim_schedule(sim, now + g->timeout_ns, on_consumer_timeout, a, NULL);
}

/* Idle consumers take waiting messages, oldest first. */
static void dispatch(struct sim *sim, struct mq *q, struct group *g) {
    while (!q->base.down && !g->down && g->busy < g->consumers && g->head)
        start_attempt(sim, q, g, pop_front(q, g));
}

/* Store the publish whose copied message is tmpl in every group (the caller then answers the
 * producer). Under drop_oldest a full group first drops its oldest waiting message. */
static void store(struct sim *sim, struct mq *q, struct mq_msg *tmpl) {
    for (size_t i = 0; i < q->ngroups; i++) {
        struct group *g = &q->groups[i];
        struct mq_msg *m = tmpl;

        if (i + 1 < q->ngroups) {
            m = pool_get(q->msgs);
            *m = *tmpl;
        }
        while (!has_room(q, g) && g->head) {
            pool_put(q->msgs, pop_front(q, g));
            g->run.dropped++;
            q->run.dropped++;
            q->ival.dropped++;
        }
        push_back(q, g, m);
        g->run.stored++;
        /* Before the producer is answered: its continuation may publish again and must see
         * the idle consumers already busy. */
        dispatch(sim, q, g);
    }
    q->run.enqueued++;
    q->ival.enqueued++;
}

/* A publish whose storage time is over: store it, reject it, or block the producer. */
static void admit(struct sim *sim, struct mq *q, struct call *call) {
    struct mq_msg *m = call->p;

    if (q->overflow == MQ_BLOCK && (q->bhead || !all_room(q))) {
        call->next = NULL;
        if (q->btail)
            q->btail->next = call;
        else
            q->bhead = call;
        q->btail = call;
        q->run.blocked++;
        q->ival.blocked++;
        return;
    }
    if (q->overflow == MQ_REJECT && !all_room(q)) {
        pool_put(q->msgs, m);
        call->p = NULL;
        net_reply(sim, call, CALL_REJECTED);
        return;
    }
    call->p = NULL;
    store(sim, q, m);
    net_reply(sim, call, CALL_OK);
}

/* Blocked producers go in as room appears, first come first served. */
static void unblock(struct sim *sim, struct mq *q) {
    while (q->bhead && !q->base.down && all_room(q)) {
        struct call *call = q->bhead;
        struct mq_msg *m = call->p;

        q->bhead = call->next;
        if (!q->bhead) q->btail = NULL;
        call->next = NULL;
        call->p = NULL;
        store(sim, q, m);
        net_reply(sim, call, CALL_OK); /* may publish again: the loop re-reads the state */
    }
}

/* After any change: idle consumers take work, blocked producers get in, metrics follow. */
static void settle(struct sim *sim, struct mq *q) {
    for (size_t i = 0; i < q->ngroups; i++)
        dispatch(sim, q, &q->groups[i]);
    unblock(sim, q);
    touch(sim, q);
}

static void pending_remove(struct mq *q, struct call *call) {
    if (call->prev)
        call->prev->next = call->next;
    else
        q->pending = call->next;
    if (call->next) call->next->prev = call->prev;
    call->next = call->prev = NULL;
}

static void on_stored(struct sim *sim, void *a, void *b) {
    struct mq *q = a;
    struct call *call = b;

    call->work = NULL;
    pending_remove(q, call);
    admit(sim, q, call);
    settle(sim, q);
}

static void mq_receive(struct sim *sim, struct comp *c, struct call *call) {
    struct mq *q = mq_of(c);
    struct mq_msg *m = pool_get(q->msgs);
    const struct req *r = call->req;

    /* Copy now: the producer's request may be gone by the time the message is stored (the
     * producer timed out and the workload freed it). */
    m->next = NULL;
    m->id = r->id;
    m->key = r->key;
    m->cls = r->cls;
    m->write = r->write;
    m->scatter = r->scatter;
    m->publish_ns = sim_now(sim);
    m->attempts = 0;
    call->p = m;
    if (q->has_enq) {
        double t = dist_sample(&q->enq, &q->rng_enq);
        call->prev = NULL;
        call->next = q->pending;
        if (q->pending) q->pending->prev = call;
        q->pending = call;
        call->work = sim_schedule(sim, sim_now(sim) + dist_ns(t), on_stored, q, call);
        return;
    }
    admit(sim, q, call);
    settle(sim, q);
}

/* The attempt record goes, with its hold on the request (calls may still hold theirs). */
static void free_attempt(struct mq *q, struct attempt *a) {
    net_req_release(a->req);
    pool_put(q->attempts, a);
}

/* Take attempt a off its consumer: the consumer is free. Returns the message (now the
 * caller's). The attempt record itself stays (the caller frees it or leaves it orphaned). */
static struct mq_msg *detach(struct sim *sim, struct attempt *a) {
    struct group *g = a->g;
    struct mq *q = a->q;
    struct mq_msg *m = a->msg;

    if (a->timer) {
        sim_cancel(sim, a->timer);
        a->timer = NULL;
    }
    if (a->prev)
        a->prev->next = a->next;
    else
        g->active = a->next;
    if (a->next) a->next->prev = a->prev;
    a->next = a->prev = NULL;
    a->msg = NULL;
    g->busy--;
    q->nbusy--;
    return m;
}

/* The end of a consumer's attempt at m: consumed, or failed (redelivered first in line, or
 * dead-lettered after max_attempts). */
static void finish(struct sim *sim, struct mq *q, struct group *g, struct mq_msg *m, int ok) {
    if (ok) {
        int64_t e2e = sim_now(sim) - m->publish_ns;
        hist_record(q->e2e, e2e);
        hist_record(q->ie2e, e2e);
        g->run.delivered++;
        q->run.delivered++;
        q->ival.delivered++;
        pool_put(q->msgs, m);
        return;
    }
    g->run.failed++;
    if (m->attempts >= g->max_attempts) {
        g->run.dead++;
        q->run.dead++;
        q->ival.dead++;
        pool_put(q->msgs, m);
        return;
    }
    push_front(q, g, m);
}

static void end_attempt(struct sim *sim, struct attempt *a, int ok) {
    struct mq *q = a->q;
    struct group *g = a->g;
    struct mq_msg *m = detach(sim, a);

    free_attempt(q, a);
    finish(sim, q, g, m, ok);
}

static void on_child(struct sim *sim, struct call *child);

static void issue_next(struct sim *sim, struct attempt *a) {
    struct group *g = a->g;
    struct mq *q = a->q;

    while (a->next_call < g->ncalls) {
        const struct downcall *d = &g->calls[a->next_call++];
        struct call *child;

        if (d->prob < 1.0 && rng_uniform(&g->rng_route) >= d->prob) continue;
        child = net_call_new(q->base.net, a->req, d->to, on_child, a);
        child->from = &q->base;
        child->timeout_ns = d->timeout_ns;
        net_send(sim, child); /* may answer at once and end (free) the attempt */
        return;
    }
    end_attempt(sim, a, 1);
}

static void on_child(struct sim *sim, struct call *child) {
    struct attempt *a = child->ctx;
    struct mq *q = a->q;

    if (!a->msg) {
        /* The consumer gave up on this attempt (timeout or crash): only the record was left. */
        free_attempt(q, a);
        return;
    }
    if (child->status != CALL_OK)
        end_attempt(sim, a, 0);
    else
        issue_next(sim, a);
    settle(sim, q);
}

static void on_service_done(struct sim *sim, void *arg, void *unused) {
    struct attempt *a = arg;
    struct group *g = a->g;
    struct mq *q = a->q;

    (void)unused;
    a->work = NULL;
    if (g->failure > 0 && rng_uniform(&g->rng_fail) < g->failure) {
        end_attempt(sim, a, 0);
    } else {
        a->next_call = 0;
        issue_next(sim, a);
    }
    settle(sim, q);
}

static void on_consumer_timeout(struct sim *sim, void *arg, void *unused) {
    struct attempt *a = arg;
    struct mq *q = a->q;
    struct group *g = a->g;
    struct mq_msg *m;

    (void)unused;
    a->timer = NULL;
    q->base.m.timeouts++;
    q->base.m.i_timeouts++;
    if (a->work) {
        sim_cancel(sim, a->work);
        a->work = NULL;
        end_attempt(sim, a, 0);
    } else {
        /* A downstream call is outstanding: the record waits for its answer (orphan). */
        m = detach(sim, a);
        finish(sim, q, g, m, 0);
    }
    settle(sim, q);
}

/* Every attempt in progress in g is lost; its message goes back to the backlog (in publish
 * order at the front: the active list runs newest first) and the lost delivery does not count
 * towards max_attempts. */
static void lose_attempts(struct sim *sim, struct mq *q, struct group *g) {
    while (g->active) {
        struct attempt *a = g->active;
        int calling = a->work == NULL;
        struct mq_msg *m;

        if (a->work) {
            sim_cancel(sim, a->work);
            a->work = NULL;
        }
        m = detach(sim, a);
        if (!calling) free_attempt(q, a);
        m->attempts--;
        push_front(q, g, m);
    }
}

/* Drop the publishes of list (linked by next) as a crash does. */
static void drop_publishes(struct sim *sim, struct mq *q, struct call *list, int blackhole) {
    while (list) {
        struct call *call = list;

        list = call->next;
        call->next = call->prev = NULL;
        if (call->work) {
            sim_cancel(sim, call->work);
            call->work = NULL;
        }
        pool_put(q->msgs, call->p);
        call->p = NULL;
        net_drop(sim, call, CALL_UNAVAILABLE, blackhole);
    }
}

static void crash(struct sim *sim, struct mq *q, int blackhole) {
    struct call *pending = q->pending, *blocked = q->bhead;

    q->base.down = 1;
    q->base.blackhole = blackhole;
    q->pending = q->bhead = q->btail = NULL;
    for (size_t i = 0; i < q->ngroups; i++)
        lose_attempts(sim, q, &q->groups[i]);
    touch(sim, q);
    /* Last: the producers' continuations may publish again (refused: the broker is down). */
    drop_publishes(sim, q, pending, blackhole);
    drop_publishes(sim, q, blocked, blackhole);
}

static struct group *find_group(struct mq *q, const char *name) {
    for (size_t i = 0; i < q->ngroups; i++)
        if (strcmp(q->groups[i].name, name) == 0) return &q->groups[i];
    return NULL;
}

static int mq_control(struct sim *sim, struct comp *c, const struct comp_action *a,
                      struct err *err) {
    struct mq *q = mq_of(c);
    struct group *g = NULL;

    if (a->part) {
        g = find_group(q, a->part);
        if (!g) {
            const char *names[65];
            size_t n = q->ngroups < 64 ? q->ngroups : 64;
            const char *sug;
            for (size_t i = 0; i < n; i++)
                names[i] = q->groups[i].name;
            names[n] = NULL;
            sug = scn_suggest(a->part, names);
            return err_set(err, NULL, 0, 0, "queue '%s' has no subscriber group '%s'%s%s%s",
                           c->name, a->part, sug ? " (did you mean '" : "", sug ? sug : "",
                           sug ? "'?)" : "");
        }
    }
    switch (a->kind) {
        case ACT_CRASH:
            if (!sim) return 0;
            if (g && !g->down) {
                g->down = 1;
                lose_attempts(sim, q, g);
                settle(sim, q);
            } else if (!g && !c->down) {
                crash(sim, q, a->blackhole);
            }
            return 0;
        case ACT_RECOVER:
            if (!sim) return 0;
            if (g)
                g->down = 0;
            else
                c->down = 0;
            settle(sim, q);
            return 0;
        case ACT_SLOW:
            if (!sim) return 0;
            if (g)
                g->slow = a->factor;
            else
                c->slow = a->factor;
            return 0;
        case ACT_RESTORE:
            if (!sim) return 0;
            if (g)
                g->slow = 1.0;
            else
                c->slow = 1.0;
            return 0;
        default:
            return err_set(err, NULL, 0, 0, "a queue cannot %s (it can crash, recover, slow)",
                           a->kind == ACT_FLUSH ? "flush" : "be partitioned");
    }
}

/* --- metrics ------------------------------------------------------------------------------ */

static void mq_extras(const struct comp *c, int interval, int64_t now, double *vals) {
    const struct mq *q = mq_of(c);
    const struct mq_counts *k = interval ? &q->ival : &q->run;
    const struct hist *h = interval ? q->ie2e : q->e2e;
    int64_t oldest = 0;

    vals[MX_ENQUEUED] = (double)k->enqueued;
    vals[MX_DELIVERED] = (double)k->delivered;
    vals[MX_DROPPED] = (double)k->dropped;
    vals[MX_DEAD_LETTERED] = (double)k->dead;
    vals[MX_BLOCKED] = (double)k->blocked;
    vals[MX_QUEUE_DEPTH] =
        stats_tw_mean_since(&c->m.queue, interval ? &c->m.queue_i : &c->m.queue_run, now);
    vals[MX_CONSUMER_LAG] = (double)(q->nwait + q->nbusy);
    for (size_t i = 0; i < q->ngroups; i++) {
        const struct mq_msg *m = q->groups[i].head;
        if (m && now - m->publish_ns > oldest) oldest = now - m->publish_ns;
    }
    vals[MX_OLDEST_AGE_MS] = (double)oldest / 1e6;
    if (hist_count(h)) {
        vals[MX_E2E_MEAN_MS] = hist_mean(h) / 1e6;
        vals[MX_E2E_P99_MS] = (double)hist_percentile(h, 99.0) / 1e6;
    }
}

static void mq_restart(struct comp *c, int64_t now, int run) {
    struct mq *q = mq_of(c);

    (void)now;
    if (!run) {
        memset(&q->ival, 0, sizeof q->ival);
        hist_reset(q->ie2e);
        return;
    }
    memset(&q->run, 0, sizeof q->run);
    hist_reset(q->e2e);
    for (size_t i = 0; i < q->ngroups; i++)
        memset(&q->groups[i].run, 0, sizeof q->groups[i].run);
}

/* --- description --------------------------------------------------------------------------- */

static size_t mq_downstream(const struct comp *c, struct comp **out, size_t max) {
    const struct mq *q = mq_of(c);
    size_t n = 0;

    for (size_t i = 0; i < q->ngroups; i++)
        for (size_t k = 0; k < q->groups[i].ncalls; k++, n++)
            if (n < max) out[n] = q->groups[i].calls[k].to;
    return n;
}

static void mq_describe(const struct comp *c, char *buf, size_t n) {
    const struct mq *q = mq_of(c);
    char d[96], cap[32];
    int off;

    if (q->cap < 0)
        snprintf(cap, sizeof cap, "unbounded");
    else
        snprintf(cap, sizeof cap, "%lld (%s)", q->cap, overflow_names[q->overflow]);
    dist_describe(&q->enq, d, sizeof d);
    off = snprintf(buf, n, "queue: capacity %s per group, enqueue time %s", cap, d);
    for (size_t i = 0; i < q->ngroups && off > 0 && (size_t)off < n; i++) {
        const struct group *g = &q->groups[i];
        dist_describe(&g->st, d, sizeof d);
        off += snprintf(buf + off, n - (size_t)off, "; %s%s%u consumer%s, %s, max %lld attempts",
                        q->subscribers ? g->name : "", q->subscribers ? ": " : "", g->consumers,
                        g->consumers == 1 ? "" : "s", d, g->max_attempts);
        if (g->failure > 0 && off > 0 && (size_t)off < n)
            off += snprintf(buf + off, n - (size_t)off, ", failure %g%%", g->failure * 100);
        for (size_t k = 0; k < g->ncalls && off > 0 && (size_t)off < n; k++)
            off += snprintf(buf + off, n - (size_t)off, "%s%s", k ? " " : ", calls ",
                            g->calls[k].to_name);
    }
}

const struct model_ops mq_ops = {
    .kind = "queue",
    .create = mq_create,
    .resolve = mq_resolve,
    .receive = mq_receive,
    .downstream = mq_downstream,
    .describe = mq_describe,
    .destroy = mq_destroy,
    .control = mq_control,
    .extras = mq_extras,
    .restart = mq_restart,
};

/* --- introspection ------------------------------------------------------------------------ */

size_t mq_ngroups(const struct comp *c) {
    return mq_of(c)->ngroups;
}

int mq_group_info(const struct comp *c, size_t i, int64_t now_ns, struct mq_group_info *out) {
    const struct mq *q = mq_of(c);
    const struct group *g;

    if (i >= q->ngroups) return -1;
    g = &q->groups[i];
    out->name = g->name;
    out->consumers = g->consumers;
    out->busy = g->busy;
    out->waiting = g->nwait;
    out->stored = g->run.stored;
    out->delivered = g->run.delivered;
    out->failed_attempts = g->run.failed;
    out->dead_lettered = g->run.dead;
    out->dropped = g->run.dropped;
    out->oldest_age_ns = g->head ? now_ns - g->head->publish_ns : 0;
    out->down = g->down;
    return 0;
}

long long mq_capacity(const struct comp *c) {
    return mq_of(c)->cap;
}

enum mq_overflow mq_overflow_policy(const struct comp *c) {
    return mq_of(c)->overflow;
}
