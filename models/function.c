/* function — serverless function with cold starts, keep-warm and per-invocation billing; see
 * function.h. */
#include "function.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "units.h"
#include "xmalloc.h"

static const char *const function_keys[] = {
    "kind",   "concurrency",    "service_time",      "cold_start",  "keep_warm", "overflow",
    "memory", "price_per_gb_s", "price_per_request", "description", NULL};
static const char *const overflow_names[] = {"reject", "queue", NULL};

enum inst_state { INST_FREE, INST_IDLE, INST_BUSY };

struct instance {
    enum inst_state state;
    struct sim_event *expiry;   /* while idle */
    struct instance *next_idle; /* idle stack */
};

struct function {
    struct comp base;
    long long concurrency;
    struct dist st, cold;
    int has_cold;
    int64_t keep_warm_ns;
    int queue_on_limit;
    double memory_gb, price_gb_s, price_req;
    struct instance *inst;
    struct instance *idle;       /* most recently used idle instance on top */
    struct instance **free_list; /* never-started or expired instances */
    size_t nfree;
    long long alive, busy;
    struct call *qhead, *qtail;
    size_t qlen;
    struct call *running; /* invocations in progress (next/prev), lost in a crash */
    struct rng rng_svc, rng_cold;
    /* counters: run and interval */
    uint64_t cold_starts, i_cold_starts;
    double cost, i_cost;
    struct stats_tw alive_tw, ialive_tw;
};

static struct function *fn_of(const struct comp *c) {
    return (struct function *)(uintptr_t)c;
}

static void function_destroy(struct comp *c) {
    struct function *f = fn_of(c);

    dist_free(&f->st);
    dist_free(&f->cold);
    free(f->inst);
    free(f->free_list);
    free(f);
}

static struct comp *function_create(struct net *net, const char *name, const struct scn_node *node,
                                    const char *dir, struct err *err) {
    struct function *f = xcalloc(1, sizeof *f);
    int ov = 0;
    const struct scn_node *n;

    f->concurrency = 1000;
    f->keep_warm_ns = 600000000000LL; /* 10 min */
    f->memory_gb = 0.125;
    if (scn_check_keys(node, function_keys, err)) goto fail;
    if (scn_get_int(node, "concurrency", 0, 1, 1000000, &f->concurrency, err)) goto fail;
    if (scn_get_dist(node, "service_time", 1, dir, &f->st, err)) goto fail;
    if (scn_map_get(node, "cold_start")) {
        if (scn_get_dist(node, "cold_start", 1, dir, &f->cold, err)) goto fail;
        f->has_cold = 1;
    }
    if (scn_get_duration(node, "keep_warm", 0, &f->keep_warm_ns, err)) goto fail;
    if (scn_get_enum(node, "overflow", 0, overflow_names, &ov, err)) goto fail;
    f->queue_on_limit = ov == 1;
    if ((n = scn_map_get(node, "memory"))) {
        uint64_t bytes;
        if (scn_as_size(n, &bytes, err)) goto fail;
        f->memory_gb = (double)bytes / 1073741824.0; /* billed GB are 2^30 bytes */
    }
    if (scn_get_double(node, "price_per_gb_s", 0, 0, 1e9, &f->price_gb_s, err)) goto fail;
    if (scn_get_double(node, "price_per_request", 0, 0, 1e9, &f->price_req, err)) goto fail;
    f->inst = xcalloc((size_t)f->concurrency, sizeof *f->inst);
    f->free_list = xcalloc((size_t)f->concurrency, sizeof *f->free_list);
    for (long long i = f->concurrency; i-- > 0;)
        f->free_list[f->nfree++] = &f->inst[i];
    comp_init(&f->base, &function_ops, net, name, node, (double)f->concurrency);
    stats_tw_init(&f->alive_tw, 0, 0);
    stats_tw_init(&f->ialive_tw, 0, 0);
    net_rng(net, &f->rng_svc, name, "service");
    net_rng(net, &f->rng_cold, name, "cold");
    return &f->base;
fail:
    function_destroy(&f->base);
    return NULL;
}

static int function_resolve(struct net *net, struct comp *c, struct err *err) {
    (void)net;
    (void)c;
    (void)err;
    return 0;
}

static void note_alive(struct sim *sim, struct function *f) {
    stats_tw_set(&f->alive_tw, sim_now(sim), (double)f->alive);
    stats_tw_set(&f->ialive_tw, sim_now(sim), (double)f->alive);
}

static int64_t sample_ns(const struct dist *d, struct rng *r, double slow) {
    double t = dist_sample(d, r) * slow;
    return dist_ns(t);
}

static void on_done(struct sim *sim, void *a, void *b);

static void on_expire(struct sim *sim, void *a, void *b) {
    struct function *f = a;
    struct instance *in = b, **pp;

    in->expiry = NULL;
    for (pp = &f->idle; *pp; pp = &(*pp)->next_idle)
        if (*pp == in) {
            *pp = in->next_idle;
            break;
        }
    in->state = INST_FREE;
    f->free_list[f->nfree++] = in;
    f->alive--;
    note_alive(sim, f);
}

/* Run call on instance in (after a cold start of cold_ns). */
static void run_on(struct sim *sim, struct function *f, struct instance *in, struct call *call,
                   int64_t cold_ns) {
    int64_t exec = sample_ns(&f->st, &f->rng_svc, f->base.slow);
    double billed_s = ceil((double)exec / 1e6) / 1e3; /* rounded up to 1 ms */
    double cost = f->price_req + billed_s * f->memory_gb * f->price_gb_s;

    in->state = INST_BUSY;
    f->busy++;
    comp_set_busy(sim, &f->base, (double)f->busy);
    f->cost += cost;
    f->i_cost += cost;
    call->p = in;
    call->prev = NULL;
    call->next = f->running;
    if (f->running) f->running->prev = call;
    f->running = call;
    call->work = sim_schedule(sim, sim_now(sim) + cold_ns + exec, on_done, f, call);
}

static void dispatch(struct sim *sim, struct function *f, struct call *call) {
    struct instance *in = f->idle;

    if (in) {
        f->idle = in->next_idle;
        if (in->expiry) sim_cancel(sim, in->expiry);
        in->expiry = NULL;
        run_on(sim, f, in, call, 0);
        return;
    }
    in = f->free_list[--f->nfree];
    f->alive++;
    note_alive(sim, f);
    f->cold_starts++;
    f->i_cold_starts++;
    run_on(sim, f, in, call, f->has_cold ? sample_ns(&f->cold, &f->rng_cold, 1.0) : 0);
}

static void function_receive(struct sim *sim, struct comp *c, struct call *call) {
    struct function *f = fn_of(c);

    if (f->idle || f->nfree > 0) {
        dispatch(sim, f, call);
    } else if (f->queue_on_limit) {
        call->next = NULL;
        if (f->qtail)
            f->qtail->next = call;
        else
            f->qhead = call;
        f->qtail = call;
        f->qlen++;
        comp_set_queue(sim, c, (double)f->qlen);
    } else {
        net_reply(sim, call, CALL_REJECTED); /* throttled */
    }
}

static void on_done(struct sim *sim, void *a, void *b) {
    struct function *f = a;
    struct call *call = b, *next;
    struct instance *in = call->p;

    call->work = NULL;
    if (call->prev)
        call->prev->next = call->next;
    else
        f->running = call->next;
    if (call->next) call->next->prev = call->prev;
    call->next = call->prev = NULL;
    f->busy--;
    comp_set_busy(sim, &f->base, (double)f->busy);
    net_reply(sim, call, CALL_OK);
    if ((next = f->qhead)) {
        f->qhead = next->next;
        if (!f->qhead) f->qtail = NULL;
        f->qlen--;
        comp_set_queue(sim, &f->base, (double)f->qlen);
        run_on(sim, f, in, next, 0);
        return;
    }
    in->state = INST_IDLE;
    in->next_idle = f->idle;
    f->idle = in;
    in->expiry = sim_schedule(sim, sim_now(sim) + f->keep_warm_ns, on_expire, f, in);
}

/* Crash: running and queued invocations are lost, every instance is gone (the next calls
 * after recovery start cold). */
static void function_crash(struct sim *sim, struct comp *comp, int blackhole) {
    struct function *f = fn_of(comp);
    struct call *c, *next;

    f->base.down = 1;
    f->base.blackhole = blackhole;
    for (c = f->qhead; c; c = next) {
        next = c->next;
        net_drop(sim, c, CALL_UNAVAILABLE, blackhole);
    }
    f->qhead = f->qtail = NULL;
    f->qlen = 0;
    comp_set_queue(sim, &f->base, 0);
    for (long long i = 0; i < f->concurrency; i++) {
        struct instance *in = &f->inst[i];
        if (in->state == INST_IDLE && in->expiry) {
            sim_cancel(sim, in->expiry);
            in->expiry = NULL;
        }
        in->state = INST_FREE;
    }
    f->idle = NULL;
    for (struct call **pp = &f->running; *pp;) {
        struct call *r = *pp;
        *pp = r->next;
        sim_cancel(sim, r->work);
        r->work = NULL;
        net_drop(sim, r, CALL_UNAVAILABLE, blackhole);
    }
    f->nfree = 0;
    for (long long i = f->concurrency; i-- > 0;)
        f->free_list[f->nfree++] = &f->inst[i];
    f->alive = 0;
    f->busy = 0;
    note_alive(sim, f);
    comp_set_busy(sim, &f->base, 0);
}

static size_t function_downstream(const struct comp *c, struct comp **out, size_t max) {
    (void)c;
    (void)out;
    (void)max;
    return 0;
}

static void function_describe(const struct comp *c, char *buf, size_t n) {
    const struct function *f = fn_of(c);
    char d[96], cold[96], kw[32];

    dist_describe(&f->st, d, sizeof d);
    if (f->has_cold)
        dist_describe(&f->cold, cold, sizeof cold);
    else
        snprintf(cold, sizeof cold, "0");
    snprintf(buf, n,
             "function: concurrency %lld (%s at the limit), duration %s, cold start %s, "
             "keep warm %s",
             f->concurrency, f->queue_on_limit ? "queue" : "throttle", d, cold,
             units_format_duration(f->keep_warm_ns, kw, sizeof kw));
}

static void function_extras(const struct comp *c, int interval, int64_t now, double *vals) {
    const struct function *f = fn_of(c);

    vals[MX_COLD_STARTS] = (double)(interval ? f->i_cold_starts : f->cold_starts);
    vals[MX_REPLICAS] = stats_tw_mean(interval ? &f->ialive_tw : &f->alive_tw, now);
    if (f->price_req > 0 || f->price_gb_s > 0) vals[MX_COST] = interval ? f->i_cost : f->cost;
}

static void function_restart(struct comp *c, int64_t now, int run) {
    struct function *f = fn_of(c);

    f->i_cold_starts = 0;
    f->i_cost = 0;
    stats_tw_restart(&f->ialive_tw, now);
    if (run) {
        f->cold_starts = 0;
        f->cost = 0;
        stats_tw_restart(&f->alive_tw, now);
    }
}

const struct model_ops function_ops = {
    .kind = "function",
    .create = function_create,
    .resolve = function_resolve,
    .receive = function_receive,
    .downstream = function_downstream,
    .describe = function_describe,
    .destroy = function_destroy,
    .extras = function_extras,
    .restart = function_restart,
    .crash = function_crash,
};
