/* resilience — timeouts, retries, backoff, jitter, retry budget, circuit breaker; see
 * resilience.h. */
#include "resilience.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "pool.h"
#include "units.h"

const char *const res_keys[] = {"timeout",         "retries", "backoff",      "backoff_base",
                                "backoff_cap",     "jitter",  "retry_budget", "retry_on",
                                "circuit_breaker", NULL};
static const char *const backoff_names[] = {"constant", "exponential", NULL};
static const char *const jitter_names[] = {"none", "full", "equal", "decorrelated", NULL};
static const char *const status_names[] = {"ok",      "rejected",    "error",
                                           "timeout", "unavailable", NULL};
static const char *const breaker_keys[] = {"error_threshold", "window", "min_requests",
                                           "open_for",        "probes", NULL};

void res_policy_default(struct res_policy *p) {
    memset(p, 0, sizeof *p);
    p->max_attempts = 1;
    p->backoff = RES_BACKOFF_EXPONENTIAL;
    p->base_ns = 10000000;  /* 10 ms */
    p->cap_ns = 1000000000; /* 1 s */
    p->jitter = RES_JITTER_NONE;
    p->budget = -1;
    p->retry_on = 1u << CALL_TIMEOUT | 1u << CALL_UNAVAILABLE | 1u << CALL_ERROR;
}

int res_policy_parse(const struct scn_node *map, struct res_policy *p, struct err *err) {
    const struct scn_node *n;
    long long retries = p->max_attempts - 1;
    int e;

    if ((n = scn_map_get(map, "timeout")) && scn_as_positive_duration(n, &p->timeout_ns, err))
        return -1;
    if (scn_get_int(map, "retries", 0, 0, 1000, &retries, err)) return -1;
    p->max_attempts = (int)retries + 1;
    e = (int)p->backoff;
    if (scn_get_enum(map, "backoff", 0, backoff_names, &e, err)) return -1;
    p->backoff = (enum res_backoff)e;
    if ((n = scn_map_get(map, "backoff_base")) && scn_as_duration(n, &p->base_ns, err)) return -1;
    if ((n = scn_map_get(map, "backoff_cap")) && scn_as_duration(n, &p->cap_ns, err)) return -1;
    e = (int)p->jitter;
    if (scn_get_enum(map, "jitter", 0, jitter_names, &e, err)) return -1;
    p->jitter = (enum res_jitter)e;
    if ((n = scn_map_get(map, "retry_budget")) && scn_as_fraction(n, &p->budget, err)) return -1;
    if ((n = scn_map_get(map, "retry_on"))) {
        if (scn_expect(n, SCN_SEQ, err)) return -1;
        p->retry_on = 0;
        for (size_t i = 0; i < n->n; i++) {
            int st;
            if (scn_as_enum(n->items[i], status_names, &st, err)) return -1;
            p->retry_on |= 1u << st;
        }
    }
    if ((n = scn_map_get(map, "circuit_breaker"))) {
        long long k;
        if (scn_expect(n, SCN_MAP, err) || scn_check_keys(n, breaker_keys, err)) return -1;
        p->breaker = 1;
        p->error_threshold = 0.5;
        p->window_ns = 10000000000LL;
        p->open_ns = 5000000000LL;
        p->min_requests = 20;
        p->probes = 1;
        if (scn_map_get(n, "error_threshold") &&
            scn_as_fraction(scn_map_get(n, "error_threshold"), &p->error_threshold, err))
            return -1;
        if (scn_map_get(n, "window") &&
            scn_as_positive_duration(scn_map_get(n, "window"), &p->window_ns, err))
            return -1;
        if (scn_map_get(n, "open_for") &&
            scn_as_positive_duration(scn_map_get(n, "open_for"), &p->open_ns, err))
            return -1;
        k = p->min_requests;
        if (scn_get_int(n, "min_requests", 0, 1, 1000000000, &k, err)) return -1;
        p->min_requests = (int)k;
        k = p->probes;
        if (scn_get_int(n, "probes", 0, 1, 1000000, &k, err)) return -1;
        p->probes = (int)k;
    }
    if (p->cap_ns < p->base_ns) p->cap_ns = p->base_ns;
    return 0;
}

int res_policy_active(const struct res_policy *p) {
    return p->timeout_ns > 0 || p->max_attempts > 1 || p->breaker;
}

void res_policy_describe(const struct res_policy *p, char *buf, size_t n) {
    char t[32], b[32], c[32];
    int off = 0;

    buf[0] = 0;
    if (p->timeout_ns > 0)
        off += snprintf(buf + off, n - (size_t)off, "timeout %s",
                        units_format_duration(p->timeout_ns, t, sizeof t));
    if (p->max_attempts > 1 && (size_t)off < n)
        off += snprintf(buf + off, n - (size_t)off, "%s%d retries, %s backoff %s..%s, jitter %s",
                        off ? ", " : "", p->max_attempts - 1, backoff_names[p->backoff],
                        units_format_duration(p->base_ns, b, sizeof b),
                        units_format_duration(p->cap_ns, c, sizeof c), jitter_names[p->jitter]);
    if (p->max_attempts > 1 && p->budget >= 0 && (size_t)off < n)
        off += snprintf(buf + off, n - (size_t)off, ", retry budget %.3g%%", p->budget * 100);
    if (p->breaker && (size_t)off < n)
        snprintf(buf + off, n - (size_t)off,
                 "%scircuit breaker (%.3g%% errors over %s, open %s, %d probe%s)", off ? ", " : "",
                 p->error_threshold * 100, units_format_duration(p->window_ns, b, sizeof b),
                 units_format_duration(p->open_ns, c, sizeof c), p->probes,
                 p->probes == 1 ? "" : "s");
}

/* --- run time ----------------------------------------------------------------------------- */

struct attempt {
    struct res_edge *e;
    struct req *req;
    struct comp *from, *to;
    call_done_fn *done;
    void *ctx;
    uint32_t tag;
    int n;              /* attempts made */
    int64_t prev_sleep; /* ns, decorrelated jitter */
    int probe;          /* this attempt is a half-open probe */
};

void res_edge_init(struct res_edge *e, const struct res_policy *p, struct net *net,
                   const struct comp *owner, const char *label) {
    memset(e, 0, sizeof *e);
    e->p = *p;
    e->net = net;
    e->owner = owner;
    e->label = label;
    e->attempts = pool_new(sizeof(struct attempt));
    e->tokens = 10;
    net_rng(net, &e->rng, owner ? owner->name : "workload", label);
}

void res_edge_free(struct res_edge *e) {
    if (!e) return;
    pool_free(e->attempts);
    e->attempts = NULL;
}

void res_edge_restart(struct res_edge *e, int run) {
    e->i_retries = e->i_denied = e->i_fast_fails = 0;
    if (run) e->retries = e->denied = e->fast_fails = 0;
}

static void breaker_set(struct res_edge *e, enum res_breaker_state s, int64_t now) {
    static const char *const names[] = {"closed", "open", "half-open"};

    if (e->state == s) return;
    e->state = s;
    if (s == RES_OPEN) e->open_until_ns = now + e->p.open_ns;
    if (s == RES_HALF_OPEN) e->probes_out = e->probes_ok = 0;
    if (s == RES_CLOSED) {
        memset(e->win_req, 0, sizeof e->win_req);
        memset(e->win_err, 0, sizeof e->win_err);
    }
    net_log(e->net, e->owner, "breaker", "%s: %s", e->label, names[s]);
}

/* Advance the sliding window to now, clearing the buckets that fell out of it. */
static void window_advance(struct res_edge *e, int64_t now) {
    int64_t width = e->p.window_ns / RES_WINDOW_BUCKETS, b = width > 0 ? now / width : 0;

    if (b - e->win_bucket >= RES_WINDOW_BUCKETS) {
        memset(e->win_req, 0, sizeof e->win_req);
        memset(e->win_err, 0, sizeof e->win_err);
    } else {
        for (int64_t k = e->win_bucket + 1; k <= b; k++) {
            e->win_req[k % RES_WINDOW_BUCKETS] = 0;
            e->win_err[k % RES_WINDOW_BUCKETS] = 0;
        }
    }
    e->win_bucket = b;
}

static void breaker_record(struct res_edge *e, int64_t now, int failed, int probe) {
    uint64_t req = 0, bad = 0;

    if (!e->p.breaker) return;
    if (e->state == RES_HALF_OPEN && probe) {
        e->probes_out--;
        if (failed) {
            breaker_set(e, RES_OPEN, now);
        } else if (++e->probes_ok >= e->p.probes) {
            breaker_set(e, RES_CLOSED, now);
        }
        return;
    }
    if (e->state != RES_CLOSED) return;
    window_advance(e, now);
    e->win_req[e->win_bucket % RES_WINDOW_BUCKETS]++;
    if (failed) e->win_err[e->win_bucket % RES_WINDOW_BUCKETS]++;
    for (int i = 0; i < RES_WINDOW_BUCKETS; i++) {
        req += e->win_req[i];
        bad += e->win_err[i];
    }
    if (req >= (uint64_t)e->p.min_requests && (double)bad >= e->p.error_threshold * (double)req)
        breaker_set(e, RES_OPEN, now);
}

/* May a call go out now? Sets *probe when it goes as a half-open probe. */
static int breaker_allows(struct res_edge *e, int64_t now, int *probe) {
    *probe = 0;
    if (!e->p.breaker || e->state == RES_CLOSED) return 1;
    if (e->state == RES_OPEN) {
        if (now < e->open_until_ns) return 0;
        breaker_set(e, RES_HALF_OPEN, now);
    }
    if (e->probes_out + e->probes_ok >= e->p.probes) return 0;
    e->probes_out++;
    *probe = 1;
    return 1;
}

static void deliver(struct sim *sim, struct attempt *a, struct call *call) {
    struct res_edge *e = a->e;

    call->ctx = a->ctx;
    call->tag = a->tag;
    a->done(sim, call);
    net_req_release(a->req);
    pool_put(e->attempts, a);
}

static void send_attempt(struct sim *sim, struct attempt *a);

static void on_backoff(struct sim *sim, void *x, void *y) {
    (void)y;
    send_attempt(sim, x);
}

static int64_t backoff_ns(struct res_edge *e, struct attempt *a) {
    const struct res_policy *p = &e->p;
    double b = (double)p->base_ns, sleep;
    int retry = a->n; /* retry number: 1 for the first retry */

    if (p->backoff == RES_BACKOFF_EXPONENTIAL) b = ldexp(b, retry - 1 < 62 ? retry - 1 : 62);
    if (b > (double)p->cap_ns) b = (double)p->cap_ns;
    switch (p->jitter) {
        case RES_JITTER_FULL:
            sleep = rng_uniform(&e->rng) * b;
            break;
        case RES_JITTER_EQUAL:
            sleep = b / 2 + rng_uniform(&e->rng) * b / 2;
            break;
        case RES_JITTER_DECORRELATED: {
            double prev = a->prev_sleep > 0 ? (double)a->prev_sleep : (double)p->base_ns;
            double lo = (double)p->base_ns, hi = 3 * prev;
            sleep = lo + rng_uniform(&e->rng) * (hi > lo ? hi - lo : 0);
            if (sleep > (double)p->cap_ns) sleep = (double)p->cap_ns;
            break;
        }
        default:
            sleep = b;
    }
    a->prev_sleep = (int64_t)(sleep + 0.5);
    return a->prev_sleep;
}

static void on_attempt_done(struct sim *sim, struct call *call) {
    struct attempt *a = call->ctx;
    struct res_edge *e = a->e;
    int status = call->status, now_failed = status != CALL_OK;
    int64_t now = sim_now(sim);

    breaker_record(e, now, now_failed, a->probe);
    if (!now_failed || !(e->p.retry_on & (1u << status)) || a->n >= e->p.max_attempts) {
        deliver(sim, a, call);
        return;
    }
    if (e->p.budget >= 0) {
        if (e->tokens < 1) {
            e->denied++;
            e->i_denied++;
            deliver(sim, a, call);
            return;
        }
        e->tokens -= 1;
    }
    e->retries++;
    e->i_retries++;
    a->req->attempt = a->n + 1;
    sim_schedule(sim, now + backoff_ns(e, a), on_backoff, a, NULL);
}

static void send_attempt(struct sim *sim, struct attempt *a) {
    struct res_edge *e = a->e;
    struct call *call;
    int probe;

    if (!breaker_allows(e, sim_now(sim), &probe)) {
        /* Open breaker: fail at once without sending. */
        e->fast_fails++;
        e->i_fast_fails++;
        call = net_call_new(e->net, a->req, a->to, a->done, a->ctx);
        call->tag = a->tag;
        call->from = a->from;
        net_fail_unsent(sim, call, CALL_UNAVAILABLE);
        net_req_release(a->req);
        pool_put(e->attempts, a);
        return;
    }
    a->probe = probe;
    a->n++;
    call = net_call_new(e->net, a->req, a->to, on_attempt_done, a);
    call->from = a->from;
    call->timeout_ns = e->p.timeout_ns;
    net_send(sim, call);
}

void res_send(struct sim *sim, struct res_edge *e, struct req *req, struct comp *from,
              struct comp *to, call_done_fn *done, void *ctx, uint32_t tag) {
    struct attempt *a = pool_get(e->attempts);

    a->e = e;
    a->req = req;
    net_req_hold(req);
    a->from = from;
    a->to = to;
    a->done = done;
    a->ctx = ctx;
    a->tag = tag;
    a->n = 0;
    a->prev_sleep = 0;
    a->probe = 0;
    if (e->p.budget >= 0) {
        double cap = 10 + 100 * e->p.budget;
        e->tokens += e->p.budget;
        if (e->tokens > cap) e->tokens = cap;
    }
    send_attempt(sim, a);
}
