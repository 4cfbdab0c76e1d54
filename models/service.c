/* service — c workers, speed, bounded FIFO, per-class service time, downstream calls; see
 * service.h. */
#include "service.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resilience.h"
#include "units.h"
#include "workload.h"
#include "xmalloc.h"

static const char *const service_keys[] = {"kind",
                                           "workers",
                                           "speed",
                                           "queue",
                                           "service_time",
                                           "service_time_by_class",
                                           "calls",
                                           "call_mode",
                                           "hold_worker",
                                           "replicas",
                                           "description",
                                           "shed_wait",
                                           "lifo_over",
                                           "autoscale",
                                           "cost_per_hour",
                                           "wakeup",
                                           NULL};
static const char *const autoscale_keys[] = {"metric",       "target", "interval", "cooldown",
                                             "provisioning", "min",    "max",      NULL};
static const char *const metric_names[] = {"utilization", "queue_length", "rps_per_replica", NULL};
static const char *const call_keys[] = {
    "to",       "classes",         "probability", "timeout", "retries",
    "backoff",  "backoff_base",    "backoff_cap", "jitter",  "retry_budget",
    "retry_on", "circuit_breaker", NULL};
static const char *const call_modes[] = {"sequence", "parallel", NULL};

struct downcall {
    const char *to_name;
    const struct scn_node *node;
    struct comp *to;
    double prob; /* probability the call is made, (0, 1] */
    struct res_policy policy;
    struct res_edge edge;
    int resilient;           /* timeout, retries or breaker: send through res_send */
    unsigned char *class_ok; /* per class: 1 when the call applies; NULL: every class */
};

struct service {
    struct comp base;
    unsigned workers, busy;
    double speed;
    long long queue_cap; /* -1: unbounded */
    struct call *qhead, *qtail;
    size_t qlen;
    struct call *held; /* calls in service or waiting for downstream answers (next/prev) */
    struct dist st;
    struct dist *st_class; /* per class; kind ignored unless has_class[cls] */
    unsigned char *has_class;
    int any_class; /* some has_class[cls] is set (else start_service need not look) */
    size_t nclasses;
    struct downcall *calls;
    size_t ncalls;
    int parallel, hold;
    int64_t shed_wait_ns; /* load shedding: reject when the expected wait exceeds it; 0 off */
    long long lifo_over;  /* serve newest first while the queue holds at least this many */
    /* Dispatch latency of an idle worker, ns (0: none): a call that finds a worker idle holds
     * it for wakeup_ns before its service time starts; a call taken from the queue by a worker
     * that has just finished another one does not pay it. */
    int64_t wakeup_ns;
    /* No shedding, LIFO service, queue bound or autoscaling (decided when the scenario is
     * loaded): an arrival that finds every worker busy just queues, and a freed worker just
     * takes the head of the queue, without testing each of those settings. */
    int plain;
    /* Plain, with one service time for every class and no downstream calls (the M/M/c
     * station): the component's receive is service_receive_simple and its completions run
     * on_service_done_simple, versions of the general ones compiled without the tests that
     * these settings decide (the `simple` argument of the helpers below). */
    int simple;
    /* Autoscaling: instances of `per_replica` workers each; workers = active × per_replica. */
    int autoscaled;
    unsigned per_replica;
    int metric; /* 0 utilization, 1 queue length per instance, 2 requests/s per instance */
    double target;
    int64_t eval_ns, cooldown_ns, provision_ns;
    long long min_inst, max_inst, active, pending;
    long long *batch; /* instances still launching, one entry per scale-up decision */
    size_t nbatch, batch_cap;
    double mean_ns; /* mean service time over the workload's class mix (resolve) */
    int64_t last_action_ns;
    int acted;
    struct stats_tw w_busy, w_cap, w_queue; /* since the last evaluation */
    uint64_t w_arrivals;
    /* Cost: price per instance-hour; instance-seconds integrated (pending ones count: they
     * are billed from launch). */
    double price_per_hour;
    struct stats_tw inst, iinst;
    struct rng rng_svc, rng_route;
};

static struct service *svc_of(const struct comp *c) {
    return (struct service *)(uintptr_t)c;
}

/* --- parsing ------------------------------------------------------------------------------ */

static int parse_calls(struct service *s, const struct scn_node *node, struct err *err) {
    struct net *net = s->base.net;

    if (node->type == SCN_SCALAR) {
        /* `calls: db` is a list of one */
        s->calls = xcalloc(1, sizeof *s->calls);
        s->calls[0].prob = 1.0;
        s->calls[0].node = node;
        res_policy_default(&s->calls[0].policy);
        s->ncalls = 1;
        return scn_as_string(node, &s->calls[0].to_name, err);
    }
    if (scn_expect(node, SCN_SEQ, err)) return -1;
    s->calls = xcalloc(node->n ? node->n : 1, sizeof *s->calls);
    for (size_t i = 0; i < node->n; i++) {
        const struct scn_node *it = node->items[i], *cls;
        struct downcall *d = &s->calls[i];

        s->ncalls++;
        d->prob = 1.0;
        res_policy_default(&d->policy);
        if (it->type == SCN_SCALAR) {
            d->node = it;
            if (scn_as_string(it, &d->to_name, err)) return -1;
            continue;
        }
        if (scn_expect(it, SCN_MAP, err) || scn_check_keys(it, call_keys, err)) return -1;
        if (scn_get_string(it, "to", 1, &d->to_name, err)) return -1;
        d->node = scn_map_get(it, "to");
        if (res_policy_parse(it, &d->policy, err)) return -1;
        if (scn_map_get(it, "probability")) {
            const struct scn_node *p = scn_map_get(it, "probability");
            if (scn_as_fraction(p, &d->prob, err)) return -1;
            if (d->prob <= 0)
                return err_set(err, p->file, p->line, p->col, "%s: must be above 0", p->path);
        }
        cls = scn_map_get(it, "classes");
        if (cls) {
            if (scn_expect(cls, SCN_SEQ, err)) return -1;
            d->class_ok = xcalloc(s->nclasses ? s->nclasses : 1, 1);
            for (size_t k = 0; k < cls->n; k++) {
                const char *name;
                int idx;
                if (scn_as_string(cls->items[k], &name, err)) return -1;
                idx = net_class_index(net, name);
                if (idx < 0)
                    return err_set(err, cls->items[k]->file, cls->items[k]->line,
                                   cls->items[k]->col, "%s: unknown request class '%s'",
                                   cls->items[k]->path, name);
                d->class_ok[idx] = 1;
            }
        }
    }
    return 0;
}

static int parse_class_times(struct service *s, const struct scn_node *node, const char *dir,
                             struct err *err) {
    struct net *net = s->base.net;

    if (scn_expect(node, SCN_MAP, err)) return -1;
    for (size_t i = 0; i < node->n; i++) {
        int idx = net_class_index(net, node->keys[i]);
        if (idx < 0) {
            const char *names[64];
            size_t n = net_nclasses(net) < 63 ? net_nclasses(net) : 63;
            const char *sug;
            for (size_t k = 0; k < n; k++)
                names[k] = net_class_name(net, k);
            names[n] = NULL;
            sug = scn_suggest(node->keys[i], names);
            return err_set(err, node->file, node->key_line[i], node->key_col[i],
                           "%s: unknown request class '%s'%s%s%s", node->path, node->keys[i],
                           sug ? " (did you mean '" : "", sug ? sug : "", sug ? "'?)" : "");
        }
        if (scn_as_dist(node->items[i], dir, &s->st_class[idx], err)) return -1;
        s->has_class[idx] = 1;
        s->any_class = 1;
    }
    return 0;
}

static int parse_autoscale(struct service *s, const struct scn_node *node, struct err *err) {
    const struct scn_node *a = scn_map_get(node, "autoscale");
    long long initial;

    if (scn_expect(a, SCN_MAP, err) || scn_check_keys(a, autoscale_keys, err)) return -1;
    s->autoscaled = 1;
    s->per_replica = s->workers;
    s->metric = 0;
    s->target = 0.6;
    s->eval_ns = 10000000000LL;
    s->cooldown_ns = 30000000000LL;
    s->provision_ns = 0;
    s->min_inst = 1;
    s->max_inst = 100;
    if (scn_get_enum(a, "metric", 0, metric_names, &s->metric, err)) return -1;
    if (scn_get_double(a, "target", 0, 1e-9, 1e12, &s->target, err)) return -1;
    if (scn_map_get(a, "interval") &&
        scn_as_positive_duration(scn_map_get(a, "interval"), &s->eval_ns, err))
        return -1;
    if (scn_get_duration(a, "cooldown", 0, &s->cooldown_ns, err)) return -1;
    if (scn_get_duration(a, "provisioning", 0, &s->provision_ns, err)) return -1;
    if (scn_get_int(a, "min", 0, 1, 100000, &s->min_inst, err)) return -1;
    if (scn_get_int(a, "max", 0, 1, 100000, &s->max_inst, err)) return -1;
    if (s->max_inst < s->min_inst)
        return err_set(err, a->file, a->line, a->col, "%s: max (%lld) is below min (%lld)", a->path,
                       s->max_inst, s->min_inst);
    initial = s->min_inst;
    if (scn_get_int(node, "replicas", 0, 1, 100000, &initial, err)) return -1;
    if (initial < s->min_inst) initial = s->min_inst;
    if (initial > s->max_inst) initial = s->max_inst;
    s->active = initial;
    s->workers = (unsigned)(s->active * s->per_replica);
    return 0;
}

static void service_destroy(struct comp *c) {
    struct service *s = svc_of(c);

    dist_free(&s->st);
    for (size_t i = 0; i < s->nclasses; i++)
        dist_free(&s->st_class[i]);
    free(s->st_class);
    free(s->has_class);
    for (size_t i = 0; i < s->ncalls; i++) {
        free(s->calls[i].class_ok);
        res_edge_free(&s->calls[i].edge);
    }
    free(s->calls);
    free(s->batch);
    free(s);
}

static void service_receive_simple(struct sim *sim, struct comp *c, struct call *call);

static struct comp *service_create(struct net *net, const char *name, const struct scn_node *node,
                                   const char *dir, struct err *err) {
    struct service *s = xcalloc(1, sizeof *s);
    long long workers = 1;
    const struct scn_node *q, *n;
    int mode = 0;

    s->base.net = net;
    s->speed = 1.0;
    s->queue_cap = -1;
    s->nclasses = net_nclasses(net);
    s->st_class = xcalloc(s->nclasses ? s->nclasses : 1, sizeof *s->st_class);
    s->has_class = xcalloc(s->nclasses ? s->nclasses : 1, 1);
    if (scn_check_keys(node, service_keys, err)) goto fail;
    if (scn_get_int(node, "workers", 0, 1, 1000000, &workers, err)) goto fail;
    s->workers = (unsigned)workers;
    if (scn_get_double(node, "speed", 0, 1e-6, 1e6, &s->speed, err)) goto fail;
    q = scn_map_get(node, "queue");
    if (q && !(q->type == SCN_SCALAR && strcmp(q->value, "unbounded") == 0)) {
        if (scn_as_int(q, 0, 1000000000LL, &s->queue_cap, err)) goto fail;
    }
    if (scn_get_dist(node, "service_time", 1, dir, &s->st, err)) goto fail;
    n = scn_map_get(node, "service_time_by_class");
    if (n && parse_class_times(s, n, dir, err)) goto fail;
    n = scn_map_get(node, "calls");
    if (n && parse_calls(s, n, err)) goto fail;
    if (scn_get_enum(node, "call_mode", 0, call_modes, &mode, err)) goto fail;
    s->parallel = mode == 1;
    if (scn_get_bool(node, "hold_worker", 0, &s->hold, err)) goto fail;
    if (scn_map_get(node, "shed_wait") &&
        scn_as_positive_duration(scn_map_get(node, "shed_wait"), &s->shed_wait_ns, err))
        goto fail;
    if (scn_get_int(node, "lifo_over", 0, 1, 1000000000LL, &s->lifo_over, err)) goto fail;
    if (scn_get_duration(node, "wakeup", 0, &s->wakeup_ns, err)) goto fail;
    if (scn_map_get(node, "cost_per_hour") &&
        scn_get_double(node, "cost_per_hour", 0, 0, 1e12, &s->price_per_hour, err))
        goto fail;
    if (scn_map_get(node, "autoscale") && parse_autoscale(s, node, err)) goto fail;
    s->plain = s->shed_wait_ns == 0 && s->lifo_over == 0 && s->queue_cap < 0 && !s->autoscaled;
    s->simple = s->plain && !s->any_class && s->ncalls == 0;
    comp_init(&s->base, &service_ops, net, name, node, (double)s->workers);
    if (s->simple) s->base.receive = service_receive_simple;
    stats_tw_init(&s->inst, 0, (double)(s->autoscaled ? s->active : 1));
    stats_tw_init(&s->iinst, 0, (double)(s->autoscaled ? s->active : 1));
    if (s->autoscaled) {
        comp_set_capacity(net_sim(net), &s->base, (double)s->workers);
        stats_tw_init(&s->w_busy, 0, 0);
        stats_tw_init(&s->w_cap, 0, (double)s->workers);
        stats_tw_init(&s->w_queue, 0, 0);
    }
    net_rng(net, &s->rng_svc, name, "service");
    net_rng(net, &s->rng_route, name, "route");
    return &s->base;
fail:
    service_destroy(&s->base);
    return NULL;
}

static int service_resolve(struct net *net, struct comp *c, struct err *err) {
    struct service *s = svc_of(c);

    for (size_t i = 0; i < s->ncalls; i++) {
        struct downcall *d = &s->calls[i];
        struct comp *grp[2];
        size_t ng = net_find_group(net, d->to_name, grp, 2);
        if (ng > 1)
            return err_set(err, d->node->file, d->node->line, d->node->col,
                           "%s: '%s' has %zu replicas; put a load_balancer in front of them and "
                           "call it",
                           d->node->path, d->to_name, ng);
        d->to = ng == 1 ? grp[0] : NULL;
        if (!d->to) {
            const char *sug = scn_suggest(d->to_name, net_comp_names(net));
            return err_set(err, d->node->file, d->node->line, d->node->col,
                           "%s: unknown component '%s'%s%s%s", d->node->path, d->to_name,
                           sug ? " (did you mean '" : "", sug ? sug : "", sug ? "'?)" : "");
        }
        if (d->to == c)
            return err_set(err, d->node->file, d->node->line, d->node->col,
                           "%s: call cycle: '%s' calls itself", d->node->path, c->name);
        d->resilient = res_policy_active(&d->policy);
        res_edge_init(&d->edge, &d->policy, net, c, d->to_name);
    }
    /* Mean service time over the class mix, for shedding and autoscaling estimates. */
    s->mean_ns = 0;
    for (size_t k = 0; k < s->nclasses; k++)
        s->mean_ns += workload_class_share(net_workload(net), k) *
                      dist_mean(s->has_class[k] ? &s->st_class[k] : &s->st);
    if (!(s->mean_ns > 0)) s->mean_ns = dist_mean(&s->st);
    return 0;
}

/* --- running ------------------------------------------------------------------------------ */

static void on_service_done(struct sim *sim, void *a, void *b);
static void on_service_done_simple(struct sim *sim, void *a, void *b);
static void issue_next(struct sim *sim, struct service *s, struct call *call);

/* Busy workers / queue length changed: the component's metrics, and the autoscaler's
 * evaluation window. A plain service is never autoscaled; saying so lets the compiler drop the
 * autoscaled test on the paths that have just tested plain (and on the simple paths: simple,
 * a constant at each call site, says s->simple). The length goes through a signed conversion
 * (one instruction; it is far below 2^63). */
static inline __attribute__((always_inline)) void note_busy(struct sim *sim, struct service *s,
                                                            int simple) {
    comp_set_busy(sim, &s->base, (double)s->busy);
    if (!simple && !s->plain && s->autoscaled)
        stats_tw_set(&s->w_busy, sim_now(sim), (double)s->busy);
}

static inline __attribute__((always_inline)) void note_queue(struct sim *sim, struct service *s,
                                                             int simple) {
    double len = (double)(long long)s->qlen;

    comp_set_queue(sim, &s->base, len);
    if (!simple && !s->plain && s->autoscaled) stats_tw_set(&s->w_queue, sim_now(sim), len);
}

static inline __attribute__((always_inline)) void held_add(struct service *s, struct call *call) {
    call->prev = NULL;
    call->next = s->held;
    if (s->held) s->held->prev = call;
    s->held = call;
}

/* Take call out of the held list, leaving its links stale: for a call answered next, which
 * no list holds again. */
static inline __attribute__((always_inline)) void held_unlink(struct service *s,
                                                              struct call *call) {
    if (call->prev)
        call->prev->next = call->next;
    else
        s->held = call->next;
    if (call->next) call->next->prev = call->prev;
}

static inline __attribute__((always_inline)) void held_remove(struct service *s,
                                                              struct call *call) {
    held_unlink(s, call);
    call->next = call->prev = NULL;
}

/* Start call's service on a worker; woken (a constant at each call site): the worker was
 * idle, so it first wakes up, wakeup_ns before the service time. simple: s->simple (its
 * completion runs the simple handler). One event at the end of both:
 * a wake-up costs no extra event. The wake-up is neither divided by speed nor stretched by a
 * slow-down: it is the operating system's dispatch latency, not the request's work. It is read
 * after the draw so that no register holds it across dist_sample (measured: 3 instructions
 * per arrival less than passing the value in). */
static inline __attribute__((always_inline)) void
start_service(struct sim *sim, struct service *s, struct call *call, int woken, int simple) {
    const struct dist *d = &s->st;
    double t;
    int64_t ns;

    if (!simple && s->any_class && s->has_class[call->req->cls]) d = &s->st_class[call->req->cls];
    t = dist_sample(d, &s->rng_svc) * s->base.slow / s->speed;
    ns = dist_ns(t);

    if (woken) ns += s->wakeup_ns;
    held_add(s, call);
    call->work = sim_schedule(sim, sim_now(sim) + ns,
                              simple ? on_service_done_simple : on_service_done, s, call);
}

/* A worker becomes free: give it the next queued call, or count it idle. simple: s->simple. */
static inline __attribute__((always_inline)) void release_worker(struct sim *sim, struct service *s,
                                                                 int simple) {
    struct call *next = s->qhead;

    if (!simple && !s->plain && s->busy > s->workers) {
        /* Scaled down while busy: this worker's instance is gone. */
        s->busy--;
        note_busy(sim, s, 0);
        return;
    }
    if (!simple && !s->plain && next && s->lifo_over > 0 && (long long)s->qlen >= s->lifo_over) {
        /* Overloaded: serve the newest first (its client is the likeliest still waiting). */
        next = s->qtail;
        s->qtail = next->prev;
        if (s->qtail)
            s->qtail->next = NULL;
        else
            s->qhead = NULL;
        s->qlen--;
        note_queue(sim, s, 0);
        start_service(sim, s, next, 0, 0);
        return;
    }
    if (next) {
        s->qhead = next->next;
        if (s->qhead)
            s->qhead->prev = NULL;
        else
            s->qtail = NULL;
        s->qlen--;
        note_queue(sim, s, simple);
        start_service(sim, s, next, 0, simple);
        return;
    }
    s->busy--;
    note_busy(sim, s, simple);
}

/* Expected queueing time of a call arriving now behind qlen others: (qlen + 1) mean service
 * times shared by the workers (the M/M/c wait given the queue, with the current slow-down). */
static double expected_wait_ns(const struct service *s) {
    return (double)(s->qlen + 1) * s->mean_ns * s->base.slow / s->speed / (double)s->workers;
}

/* The kind's receive, for s->simple (simple = 1: service_receive_simple) or any service. The
 * autoscaler's arrival count is not kept for a simple service (never autoscaled). */
static inline __attribute__((always_inline)) void receive(struct sim *sim, struct service *s,
                                                          struct call *call, int simple) {
    if (!simple) s->w_arrivals++;
    if (s->busy < s->workers) {
        /* an idle worker: it wakes up first (wakeup_ns, 0 unless configured) */
        s->busy++;
        note_busy(sim, s, simple);
        start_service(sim, s, call, 1, simple);
    } else if (!simple && !s->plain && s->shed_wait_ns > 0 &&
               expected_wait_ns(s) > (double)s->shed_wait_ns) {
        /* Load shedding: the wait this call would see exceeds the limit: reject it now (counted
         * as rejected). */
        net_reply(sim, call, CALL_REJECTED);
    } else if (simple || s->plain || s->queue_cap < 0 || (long long)s->qlen < s->queue_cap) {
        call->next = NULL;
        call->prev = s->qtail;
        if (s->qtail)
            s->qtail->next = call;
        else
            s->qhead = call;
        s->qtail = call;
        s->qlen++;
        note_queue(sim, s, simple);
    } else {
        net_reply(sim, call, CALL_REJECTED);
    }
}

static void service_receive(struct sim *sim, struct comp *c, struct call *call) {
    receive(sim, svc_of(c), call, 0);
}

static void service_receive_simple(struct sim *sim, struct comp *c, struct call *call) {
    receive(sim, svc_of(c), call, 1);
}

static void complete(struct sim *sim, struct service *s, struct call *call, int status) {
    if (!call->abandoned) {
        held_remove(s, call);
        if (s->hold) release_worker(sim, s, 0);
    }
    net_reply(sim, call, status);
}

static int call_applies(struct service *s, const struct downcall *d, int cls) {
    if (d->class_ok && !d->class_ok[cls]) return 0;
    if (d->prob < 1.0 && rng_uniform(&s->rng_route) >= d->prob) return 0;
    return 1;
}

static void on_child_seq(struct sim *sim, struct call *child) {
    struct call *parent = child->ctx;
    struct service *s = svc_of(parent->to);
    int status = child->status;

    if (parent->abandoned) {
        complete(sim, s, parent, CALL_UNAVAILABLE);
        return;
    }
    if (status != CALL_OK) {
        /* A failed downstream call fails the request: the caller sees an error. */
        complete(sim, s, parent, CALL_ERROR);
        return;
    }
    issue_next(sim, s, parent);
}

static void issue_next(struct sim *sim, struct service *s, struct call *call) {
    while (call->u < s->ncalls) {
        struct downcall *d = &s->calls[call->u++];
        if (call_applies(s, d, call->req->cls)) {
            struct call *child;
            if (d->resilient) {
                res_send(sim, &d->edge, call->req, &s->base, d->to, on_child_seq, call, 0);
                return;
            }
            child = net_call_new(s->base.net, call->req, d->to, on_child_seq, call);
            child->from = &s->base;
            net_send(sim, child);
            return;
        }
    }
    complete(sim, s, call, CALL_OK);
}

static void on_child_par(struct sim *sim, struct call *child) {
    struct call *parent = child->ctx;
    struct service *s = svc_of(parent->to);

    if (child->status != CALL_OK) parent->status = CALL_ERROR;
    if (--parent->u == 0) complete(sim, s, parent, parent->status);
}

static void issue_parallel(struct sim *sim, struct service *s, struct call *call) {
    /* One extra count while sending, so a child answering at once cannot finish the parent
     * before every child is sent. */
    call->u = 1;
    call->status = CALL_OK;
    for (size_t i = 0; i < s->ncalls; i++) {
        struct downcall *d = &s->calls[i];
        if (call_applies(s, d, call->req->cls)) {
            struct call *child;
            call->u++;
            if (d->resilient) {
                res_send(sim, &d->edge, call->req, &s->base, d->to, on_child_par, call, 0);
                continue;
            }
            child = net_call_new(s->base.net, call->req, d->to, on_child_par, call);
            child->from = &s->base;
            net_send(sim, child);
        }
    }
    if (--call->u == 0) complete(sim, s, call, call->status);
}

/* The work is done and downstream calls follow. Out of line: inlined into on_service_done,
 * the fan-out loop's registers were saved on every service completion. */
static __attribute__((noinline)) void start_downstream(struct sim *sim, struct service *s,
                                                       struct call *call) {
    if (!s->hold) release_worker(sim, s, 0);
    call->u = 0;
    if (s->parallel)
        issue_parallel(sim, s, call);
    else
        issue_next(sim, s, call);
}

static void on_service_done(struct sim *sim, void *a, void *b) {
    struct service *s = a;
    struct call *call = b;

    call->work = NULL;
    if (s->ncalls == 0) {
        held_remove(s, call);
        release_worker(sim, s, 0);
        net_reply(sim, call, CALL_OK);
        return;
    }
    start_downstream(sim, s, call);
}

/* on_service_done for a simple service (no downstream calls). */
static void on_service_done_simple(struct sim *sim, void *a, void *b) {
    struct service *s = a;
    struct call *call = b;

    call->work = NULL;
    held_unlink(s, call); /* answered next */
    release_worker(sim, s, 1);
    net_reply(sim, call, CALL_OK);
}

static void service_extras(const struct comp *c, int interval, int64_t now, double *vals) {
    const struct service *s = svc_of(c);
    uint64_t r = 0, d = 0, f = 0;
    int any = 0;

    (void)now;
    for (size_t i = 0; i < s->ncalls; i++) {
        const struct res_edge *e = &s->calls[i].edge;
        any |= s->calls[i].resilient;
        r += interval ? e->i_retries : e->retries;
        d += interval ? e->i_denied : e->denied;
        f += interval ? e->i_fast_fails : e->fast_fails;
    }
    if (s->autoscaled) vals[MX_REPLICAS] = stats_tw_mean(interval ? &s->iinst : &s->inst, now);
    if (s->price_per_hour > 0) {
        const struct stats_tw *t = interval ? &s->iinst : &s->inst;
        double inst_s = stats_tw_mean(t, now) * (double)(now - t->start_ns) / 1e9;
        vals[MX_COST] = inst_s / 3600.0 * s->price_per_hour;
    }
    if (!any) return;
    vals[MX_RETRIES] = (double)r;
    vals[MX_RETRIES_DENIED] = (double)d;
    vals[MX_BREAKER_REJECTS] = (double)f;
}

static void service_restart(struct comp *c, int64_t now, int run) {
    struct service *s = svc_of(c);

    stats_tw_restart(&s->iinst, now);
    if (run) stats_tw_restart(&s->inst, now);
    for (size_t i = 0; i < s->ncalls; i++)
        res_edge_restart(&s->calls[i].edge, run);
}

/* --- autoscaling and cost ----------------------------------------------------------------- */

static void note_instances(struct sim *sim, struct service *s) {
    double n = (double)(s->active + s->pending);
    stats_tw_set(&s->inst, sim_now(sim), n);
    stats_tw_set(&s->iinst, sim_now(sim), n);
}

static void set_workers(struct sim *sim, struct service *s) {
    s->workers = (unsigned)(s->active * s->per_replica);
    comp_set_capacity(sim, &s->base, (double)s->workers);
    stats_tw_set(&s->w_cap, sim_now(sim), (double)s->workers);
    /* New workers take queued calls at once. */
    while (s->busy < s->workers && s->qhead && !s->base.down) {
        s->busy++;
        note_busy(sim, s, 0);
        release_worker(sim, s, 0);
    }
}

/* A launch decided provision_ns ago is ready: its instances (those a later scale-in did not
 * cancel) start serving. */
static void on_provisioned(struct sim *sim, void *a, void *b) {
    struct service *s = a;
    size_t k = (size_t)(uintptr_t)b;
    long long n = s->batch[k];

    s->batch[k] = 0;
    if (n <= 0) return;
    s->pending -= n;
    s->active += n;
    set_workers(sim, s);
    net_log(s->base.net, &s->base, "ready", "%lld instance%s serving", s->active,
            s->active == 1 ? "" : "s");
}

/* Cancel up to n launching instances, newest launches first; returns how many. */
static long long cancel_launches(struct service *s, long long n) {
    long long done = 0;

    for (size_t k = s->nbatch; k-- > 0 && done < n;) {
        long long take = s->batch[k] < n - done ? s->batch[k] : n - done;
        s->batch[k] -= take;
        done += take;
    }
    s->pending -= done;
    return done;
}

static void on_evaluate(struct sim *sim, void *a, void *b) {
    static const char *const what[] = {"utilization", "queue length per instance",
                                       "requests/s per instance"};
    struct service *s = a;
    int64_t now = sim_now(sim);
    double window = (double)(now - s->w_busy.start_ns) / 1e9, value, want;
    long long desired, have = s->active + s->pending;

    (void)b;
    if (s->metric == 0) {
        /* Offered utilization: the work that arrived (arrivals × mean service time at the
         * current speed) over the serving capacity. A busy-time measurement saturates at 1
         * and would hide how far demand exceeds capacity, so scaling could then grow only by
         * 1/target per step. */
        double work_s = (double)s->w_arrivals * s->mean_ns * s->base.slow / s->speed / 1e9;
        double offered = window > 0 ? work_s / window : 0; /* erlangs */
        double cap = stats_tw_mean(&s->w_cap, now);
        value = cap > 0 ? offered / cap : 0;
        /* instances needed so that offered / (instances × workers) = target */
        want = offered / ((double)s->per_replica * s->target);
    } else if (s->metric == 1) {
        value = stats_tw_mean(&s->w_queue, now) / (double)s->active;
        want = (double)s->active * value / s->target;
    } else {
        value = window > 0 ? (double)s->w_arrivals / window / (double)s->active : 0;
        want = value * (double)s->active / s->target;
    }
    /* ceil, forgiving rounding noise just above a whole number */
    desired = (long long)ceil(want - 1e-9);
    if (desired < s->min_inst) desired = s->min_inst;
    if (desired > s->max_inst) desired = s->max_inst;
    if (desired != have && (!s->acted || now - s->last_action_ns >= s->cooldown_ns)) {
        s->acted = 1;
        s->last_action_ns = now;
        net_log(s->base.net, &s->base, "scale", "%lld -> %lld instances (%s %.3g, target %.3g)",
                have, desired, what[s->metric], value, s->target);
        if (desired > have) {
            long long add = desired - have;
            size_t k;
            if (s->nbatch == s->batch_cap) {
                s->batch_cap = s->batch_cap ? 2 * s->batch_cap : 16;
                s->batch = xrealloc(s->batch, s->batch_cap * sizeof *s->batch);
            }
            k = s->nbatch++;
            s->batch[k] = add;
            s->pending += add;
            if (s->provision_ns > 0)
                sim_schedule(sim, now + s->provision_ns, on_provisioned, s, (void *)(uintptr_t)k);
            else
                on_provisioned(sim, s, (void *)(uintptr_t)k);
        } else {
            /* Scale in: cancel launches still in progress first (newest first), then stop
             * serving instances. */
            long long drop = have - desired;
            drop -= cancel_launches(s, drop);
            s->active -= drop;
            set_workers(sim, s);
        }
        note_instances(sim, s);
    }
    stats_tw_restart(&s->w_busy, now);
    stats_tw_restart(&s->w_cap, now);
    stats_tw_restart(&s->w_queue, now);
    s->w_arrivals = 0;
    sim_schedule(sim, now + s->eval_ns, on_evaluate, s, NULL);
}

static void service_start(struct sim *sim, struct comp *c) {
    struct service *s = svc_of(c);

    if (s->autoscaled) sim_schedule(sim, sim_now(sim) + s->eval_ns, on_evaluate, s, NULL);
}

static const struct scn_node *service_ref(const struct comp *c, const struct comp *to) {
    const struct service *s = svc_of(c);

    for (size_t i = 0; i < s->ncalls; i++)
        if (s->calls[i].to == to) return s->calls[i].node;
    return NULL;
}

/* Crash: every call here is lost — queued ones and those in service are dropped, those
 * waiting for downstream answers are abandoned (their children still come back, and are
 * ignored). Workers and queue are empty until recovery. */
static void service_crash(struct sim *sim, struct comp *comp, int blackhole) {
    struct service *s = svc_of(comp);
    struct call *c, *next;

    s->base.down = 1;
    s->base.blackhole = blackhole;
    for (c = s->qhead; c; c = next) {
        next = c->next;
        net_drop(sim, c, CALL_UNAVAILABLE, blackhole);
    }
    s->qhead = s->qtail = NULL;
    s->qlen = 0;
    for (c = s->held; c; c = next) {
        next = c->next;
        c->next = c->prev = NULL;
        if (c->work) {
            sim_cancel(sim, c->work);
            c->work = NULL;
            net_drop(sim, c, CALL_UNAVAILABLE, blackhole);
        } else {
            net_abandon(sim, c, CALL_UNAVAILABLE, blackhole);
        }
    }
    s->held = NULL;
    s->busy = 0;
    note_queue(sim, s, 0);
    note_busy(sim, s, 0);
}

static size_t service_downstream(const struct comp *c, struct comp **out, size_t max) {
    const struct service *s = svc_of(c);

    for (size_t i = 0; i < s->ncalls && i < max; i++)
        out[i] = s->calls[i].to;
    return s->ncalls;
}

static void service_describe(const struct comp *c, char *buf, size_t n) {
    const struct service *s = svc_of(c);
    char d[96], q[32];
    int off;

    dist_describe(&s->st, d, sizeof d);
    if (s->queue_cap < 0)
        snprintf(q, sizeof q, "unbounded");
    else
        snprintf(q, sizeof q, "%lld", s->queue_cap);
    off = snprintf(buf, n, "service: %u worker%s, speed %g, queue %s, service time %s", s->workers,
                   s->workers == 1 ? "" : "s", s->speed, q, d);
    if (s->wakeup_ns > 0 && off > 0 && (size_t)off < n) {
        char w[32];
        off += snprintf(buf + off, n - (size_t)off, ", idle-worker wakeup %s",
                        units_format_duration(s->wakeup_ns, w, sizeof w));
    }
    if (s->ncalls && off > 0 && (size_t)off < n) {
        off += snprintf(buf + off, n - (size_t)off,
                        "; calls (%s%s):", s->parallel ? "parallel" : "sequence",
                        s->hold ? ", holding the worker" : "");
        for (size_t i = 0; i < s->ncalls && off > 0 && (size_t)off < n; i++)
            off += snprintf(buf + off, n - (size_t)off, " %s", s->calls[i].to_name);
    }
}

const struct model_ops service_ops = {
    .kind = "service",
    .create = service_create,
    .resolve = service_resolve,
    .receive = service_receive,
    .downstream = service_downstream,
    .describe = service_describe,
    .destroy = service_destroy,
    .crash = service_crash,
    .ref = service_ref,
    .extras = service_extras,
    .restart = service_restart,
    .start = service_start,
};

/* --- introspection ------------------------------------------------------------------------ */

unsigned service_workers(const struct comp *c) {
    return svc_of(c)->workers;
}

double service_speed(const struct comp *c) {
    return svc_of(c)->speed;
}

double service_mean_ns(const struct comp *c, size_t cls) {
    const struct service *s = svc_of(c);
    const struct dist *d = cls < s->nclasses && s->has_class[cls] ? &s->st_class[cls] : &s->st;
    return dist_mean(d) / s->speed;
}

double service_var_ns2(const struct comp *c, size_t cls) {
    const struct service *s = svc_of(c);
    const struct dist *d = cls < s->nclasses && s->has_class[cls] ? &s->st_class[cls] : &s->st;
    return dist_variance(d) / (s->speed * s->speed);
}

int service_class_is_exp(const struct comp *c, size_t cls) {
    const struct service *s = svc_of(c);
    const struct dist *d = cls < s->nclasses && s->has_class[cls] ? &s->st_class[cls] : &s->st;
    return d->kind == DIST_EXP;
}

size_t service_calls(const struct comp *c, size_t cls, struct comp **to, double *prob, size_t max) {
    const struct service *s = svc_of(c);
    size_t n = 0;

    for (size_t i = 0; i < s->ncalls; i++) {
        const struct downcall *d = &s->calls[i];
        if (d->class_ok && !d->class_ok[cls]) continue;
        if (n < max) {
            if (to) to[n] = d->to;
            if (prob) prob[n] = d->prob;
        }
        n++;
    }
    return n;
}

int service_hold_worker(const struct comp *c) {
    return svc_of(c)->hold;
}

int service_parallel(const struct comp *c) {
    return svc_of(c)->parallel;
}

int service_autoscaled(const struct comp *c) {
    return svc_of(c)->autoscaled;
}

int64_t service_shed_wait_ns(const struct comp *c) {
    return svc_of(c)->shed_wait_ns;
}

int64_t service_wakeup_ns(const struct comp *c) {
    return svc_of(c)->wakeup_ns;
}

long long service_queue_capacity(const struct comp *c) {
    return svc_of(c)->queue_cap;
}
