/*
 * model — the kind table, the network of components, the call path and the metrics shared by
 * every kind. See model.h for the design and the counting rules.
 */
#include "model.h"

#include <assert.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "fault.h"
#include "function.h"
#include "lb.h"
#include "mq.h"
#include "pool.h"
#include "replica.h"
#include "service.h"
#include "shard.h"
#include "workload.h"
#include "xmalloc.h"

/* kind name → ops [tmux layout-set.c] */
static const struct model_ops *const model_kinds[] = {
    &service_ops, &lb_ops, &shard_ops, &cache_ops, &mq_ops, &replica_set_ops, &function_ops,
};

static const char *const model_kind_list[] = {"service", "load_balancer", "shard",    "cache",
                                              "queue",   "replica_set",   "function", NULL};

static const char *const extra_names[MX_COUNT] = {
    [MX_LOST] = "lost",
    [MX_TIMEOUTS] = "timeouts",
    [MX_HITS] = "hits",
    [MX_MISSES] = "misses",
    [MX_HIT_RATIO] = "hit_ratio",
    [MX_EVICTIONS] = "evictions",
    [MX_BACKEND_REQUESTS] = "backend_requests",
    [MX_IMBALANCE] = "load_imbalance",
    [MX_CROSS_SHARD] = "cross_shard_requests",
    [MX_ENQUEUED] = "enqueued",
    [MX_DELIVERED] = "delivered",
    [MX_DROPPED] = "dropped",
    [MX_DEAD_LETTERED] = "dead_lettered",
    [MX_BLOCKED] = "blocked",
    [MX_QUEUE_DEPTH] = "queue_depth_mean",
    [MX_CONSUMER_LAG] = "consumer_lag",
    [MX_OLDEST_AGE_MS] = "oldest_age_ms",
    [MX_E2E_MEAN_MS] = "end_to_end_mean_ms",
    [MX_E2E_P99_MS] = "end_to_end_p99_ms",
    [MX_STALE_READS] = "stale_reads",
    [MX_STALE_RATIO] = "stale_ratio",
    [MX_STALE_AGE_MS] = "stale_age_mean_ms",
    [MX_REPLICATION_LAG_MS] = "replication_lag_mean_ms",
    [MX_LOST_WRITES] = "lost_writes",
    [MX_UNAVAILABLE_S] = "unavailable_s",
    [MX_RETRIES] = "retries",
    [MX_RETRIES_DENIED] = "retries_denied",
    [MX_BREAKER_REJECTS] = "breaker_rejects",
    [MX_REPLICAS] = "replicas_mean",
    [MX_COST] = "cost",
    [MX_COLD_STARTS] = "cold_starts",
    [MX_ERROR_LATENCY_MS] = "error_latency_mean_ms",
    [MX_DIVERGENT_WRITES] = "divergent_writes",
    [MX_READ_RPS] = "read_throughput_rps",
    [MX_WRITE_RPS] = "write_throughput_rps",
    [MX_READ_LATENCY_MS] = "read_latency_mean_ms",
    [MX_WRITE_LATENCY_MS] = "write_latency_mean_ms",
};

const char *model_extra_name(enum model_extra x) {
    return (unsigned)x < MX_COUNT ? extra_names[x] : "?";
}

const struct model_ops *model_find_kind(const char *kind) {
    for (size_t i = 0; i < sizeof model_kinds / sizeof model_kinds[0]; i++)
        if (strcmp(model_kinds[i]->kind, kind) == 0) return model_kinds[i];
    return NULL;
}

const char *const *model_kind_names(void) {
    return model_kind_list;
}

struct net {
    struct net_hot hot; /* first: the inline call path in model.h reads it through a cast */
    struct sim *sim;
    struct net_config cfg;
    struct comp **comps;
    size_t ncomps;
    const char **names; /* NULL-terminated, borrowed from comps */
    struct workload *wl;
    int64_t interval_start_ns;
    int warm; /* warm-up is over */
    net_interval_fn *sink;
    void *sink_user;
    struct model_row *rows;                  /* ncomps + 1, scratch for interval reports */
    struct hist *scratch;                    /* for run rows taken mid-interval */
    struct net_event events[NET_EVENT_KEEP]; /* ring */
    size_t nevents;                          /* logged in all */
    net_event_fn *event_sink;
    void *event_user;
    size_t *topo;          /* component indexes, each before those it calls (find_cycles) */
    struct comp *lat_twin; /* whose latency histograms the workload borrows, or NULL */
};

/* --- metrics ------------------------------------------------------------------------------ */

static void metrics_init(struct comp_metrics *m, double servers) {
    memset(m, 0, sizeof *m);
    m->lat = hist_new();
    m->ilat = hist_new();
    m->pre = hist_new();
    m->servers = servers;
    stats_tw_init(&m->queue, 0, 0);
    stats_tw_init(&m->busy, 0, 0);
}

void metrics_free(struct comp_metrics *m) {
    hist_free(m->lat);
    hist_free(m->ilat);
    hist_free(m->pre);
}

void metrics_init_for(struct comp_metrics *m, double servers) {
    metrics_init(m, servers);
}

/* End of warm-up: forget everything measured so far, keep the occupancy. */
static void metrics_restart_run(struct comp_metrics *m, int64_t now) {
    m->rejected = m->errors = m->lost = m->timeouts = 0;
    m->arrivals_run = m->arrivals;
    m->completions_run = m->completions;
    m->good_run = m->good;
    m->elat_ns = 0;
    if (m->dynamic_cap) stats_tw_mark_now(&m->cap, now, &m->cap_run);
    if (!m->lat_borrowed) {
        hist_reset(m->lat);
        /* What the current interval recorded so far happened in warm-up: set it aside so the
         * interval row still shows it but the run never does. */
        hist_merge(m->pre, m->ilat);
        hist_reset(m->ilat);
    }
    stats_tw_mark_now(&m->queue, now, &m->queue_run);
    stats_tw_mark_now(&m->busy, now, &m->busy_run);
}

static void metrics_restart_interval(struct comp_metrics *m, int64_t now) {
    m->i_rejected = m->i_errors = m->i_lost = 0;
    m->i_timeouts = 0;
    m->arrivals_i = m->arrivals;
    m->completions_i = m->completions;
    m->good_i = m->good;
    m->i_elat_ns = 0;
    if (!m->lat_borrowed) {
        hist_reset(m->ilat);
        hist_reset(m->pre);
    }
    if (m->dynamic_cap) stats_tw_mark_now(&m->cap, now, &m->cap_i);
    stats_tw_mark_now(&m->queue, now, &m->queue_i);
    stats_tw_mark_now(&m->busy, now, &m->busy_i);
}

static double ns_to_ms(double ns) {
    return ns / 1e6;
}

static void fill_latency(struct model_row *row, const struct hist *h) {
    static const double ps[] = {50.0, 90.0, 99.0, 99.9};
    int64_t v[4];

    if (hist_count(h) == 0) {
        row->latency_mean_ms = row->latency_p50_ms = row->latency_p90_ms = NAN;
        row->latency_p99_ms = row->latency_p999_ms = row->latency_max_ms = NAN;
        return;
    }
    hist_percentiles(h, ps, 4, v);
    row->latency_mean_ms = ns_to_ms(hist_mean(h));
    row->latency_p50_ms = ns_to_ms((double)v[0]);
    row->latency_p90_ms = ns_to_ms((double)v[1]);
    row->latency_p99_ms = ns_to_ms((double)v[2]);
    row->latency_p999_ms = ns_to_ms((double)v[3]);
    row->latency_max_ms = ns_to_ms((double)hist_max(h));
}

/* Latencies are recorded once, in the interval histogram (ilat). At each interval end ilat is
 * merged into the run histogram (lat), which is reset when warm-up ends (so a run interrupted
 * during warm-up reports [0, stop), latencies included, like its counts); the part of an
 * interval that fell in warm-up waits in pre and joins only the interval row. So a run row
 * mid-interval is lat plus the current ilat. */
static void close_interval_hist(struct comp_metrics *m) {
    hist_merge(m->lat, m->ilat);
    if (hist_count(m->pre)) hist_merge(m->ilat, m->pre);
}

/* The interval's end for m's latencies, with its row's latency columns when row is not NULL
 * (fill_row leaves them to this): ilat joins lat and, when no warm-up part waits in pre (every
 * interval but the one where warm-up ended), its percentiles are read in the same pass. */
static void close_interval(struct comp_metrics *m, struct model_row *row) {
    static const double ps[] = {50.0, 90.0, 99.0, 99.9};
    int64_t v[4];
    double mean;
    int64_t max;

    if (hist_count(m->pre) || hist_count(m->ilat) == 0) {
        close_interval_hist(m);
        if (row) fill_latency(row, m->ilat);
        return;
    }
    mean = hist_mean(m->ilat);
    max = hist_max(m->ilat);
    if (!row) {
        hist_drain(m->lat, m->ilat, NULL, 0, NULL);
        return;
    }
    hist_drain(m->lat, m->ilat, ps, 4, v);
    row->latency_mean_ms = ns_to_ms(mean);
    row->latency_p50_ms = ns_to_ms((double)v[0]);
    row->latency_p90_ms = ns_to_ms((double)v[1]);
    row->latency_p99_ms = ns_to_ms((double)v[2]);
    row->latency_p999_ms = ns_to_ms((double)v[3]);
    row->latency_max_ms = ns_to_ms((double)max);
}

/* The latency columns of row from, into row (for borrowed histograms: net_new). */
static void copy_latency(struct model_row *row, const struct model_row *from) {
    row->latency_mean_ms = from->latency_mean_ms;
    row->latency_p50_ms = from->latency_p50_ms;
    row->latency_p90_ms = from->latency_p90_ms;
    row->latency_p99_ms = from->latency_p99_ms;
    row->latency_p999_ms = from->latency_p999_ms;
    row->latency_max_ms = from->latency_max_ms;
}

static void fill_row(struct model_row *row, const char *name, const char *kind,
                     const struct comp_metrics *m, int interval, int64_t now, int64_t since,
                     uint64_t in_flight, struct hist *scratch) {
    double secs = (double)(now - since) / 1e9;
    uint64_t done, bad;

    memset(row, 0, sizeof *row);
    for (int x = 0; x < MX_COUNT; x++)
        row->extra[x] = NAN;
    row->lost = interval ? m->i_lost : m->lost;
    row->extra[MX_LOST] = (double)row->lost;
    row->extra[MX_TIMEOUTS] = (double)(interval ? m->i_timeouts : m->timeouts);
    {
        uint64_t bad_n = interval ? m->i_rejected + m->i_errors : m->rejected + m->errors;
        if (bad_n)
            row->extra[MX_ERROR_LATENCY_MS] =
                (interval ? m->i_elat_ns : m->elat_ns) / (double)bad_n / 1e6;
    }
    row->component = name;
    row->kind = kind;
    row->in_flight = in_flight;
    if (interval) {
        row->arrivals = m->arrivals - m->arrivals_i;
        row->completions = m->completions - m->completions_i;
        row->rejected = m->i_rejected;
        row->errors = m->i_errors; /* latency columns: close_interval */
    } else {
        row->arrivals = m->arrivals - m->arrivals_run;
        row->completions = m->completions - m->completions_run;
        row->rejected = m->rejected;
        row->errors = m->errors;
        if (scratch && hist_count(m->ilat)) {
            hist_copy(scratch, m->lat);
            hist_merge(scratch, m->ilat);
            fill_latency(row, scratch);
        } else {
            fill_latency(row, m->lat);
        }
    }
    row->throughput_rps = secs > 0 ? (double)row->completions / secs : NAN;
    row->goodput_rps = m->has_deadline && secs > 0
                           ? (double)(m->good - (interval ? m->good_i : m->good_run)) / secs
                           : NAN;
    bad = row->rejected + row->errors;
    done = row->completions + bad;
    row->error_rate = done ? (double)bad / (double)done : NAN;
    if (m->servers > 0 || m->dynamic_cap) {
        double cap = m->dynamic_cap
                         ? stats_tw_mean_since(&m->cap, interval ? &m->cap_i : &m->cap_run, now)
                         : m->servers;
        row->utilization =
            cap > 0 ? stats_tw_mean_since(&m->busy, interval ? &m->busy_i : &m->busy_run, now) / cap
                    : NAN;
        row->queue_mean =
            stats_tw_mean_since(&m->queue, interval ? &m->queue_i : &m->queue_run, now);
    } else {
        row->utilization = NAN;
        row->queue_mean = NAN;
    }
    row->rho_offered = NAN;
}

void comp_init(struct comp *c, const struct model_ops *ops, struct net *net, const char *name,
               const struct scn_node *node, double servers) {
    c->ops = ops;
    c->receive = ops->receive;
    c->slow = 1.0;
    c->name = xstrdup(name);
    c->net = net;
    c->file = node ? node->file : NULL;
    c->line = node ? node->line : 0;
    c->col = node ? node->col : 0;
    metrics_init(&c->m, servers);
}

void comp_set_capacity(struct sim *sim, struct comp *c, double servers) {
    int64_t now = sim_now(sim);

    if (!c->m.dynamic_cap) {
        c->m.dynamic_cap = 1;
        /* Capacity was m.servers from the start: the same integral and marks as busy's. */
        stats_tw_init(&c->m.cap, c->m.busy.start_ns, c->m.servers);
        c->m.cap_run = (struct stats_tw_mark){
            c->m.busy_run.at_ns, c->m.servers * (double)(c->m.busy_run.at_ns - c->m.busy.start_ns)};
        c->m.cap_i = (struct stats_tw_mark){
            c->m.busy_i.at_ns, c->m.servers * (double)(c->m.busy_i.at_ns - c->m.busy.start_ns)};
    }
    c->m.servers = servers;
    stats_tw_set(&c->m.cap, now, servers);
}

/* --- call path ------------------------------------------------------------------------------ */

static void on_call_timeout(struct sim *sim, void *a, void *b) {
    struct call *call = a;

    (void)b;
    call->timer = NULL;
    call->answered = 1;
    call->status = CALL_TIMEOUT;
    call->done(sim, call);
    if (call->from) {
        call->from->m.timeouts++;
        call->from->m.i_timeouts++;
    }
    /* If the callee still holds the call, it is freed when the callee answers or drops it. */
    if (!call->at_callee) net_call_free(call, call->req);
}

void net_send_general(struct sim *sim, struct call *call) {
    struct comp *c = call->to;

    call->start_ns = sim_now(sim);
    if (call->timeout_ns > 0)
        call->timer =
            sim_schedule(sim, call->start_ns + call->timeout_ns, on_call_timeout, call, NULL);
    if (c->net->hot.faults && fault_link_blocks(c->net->hot.faults, sim, call->from, c)) {
        /* Lost on the way: the callee never sees it; only the caller's timeout answers it
         * (without one the caller waits for ever). */
        if (!call->timer) net_call_free(call, call->req);
        return;
    }
    call->at_callee = 1;
    c->m.arrivals++;
    c->m.in_flight++;
    if (c->down) {
        /* A crashed component: refused at once, or (blackhole) never answered. */
        net_drop(sim, call, CALL_UNAVAILABLE, c->blackhole);
        return;
    }
    c->receive(sim, c, call);
}

void net_abandon(struct sim *sim, struct call *call, int status, int blackhole) {
    struct comp_metrics *m = &call->to->m;

    assert(call->at_callee && !call->abandoned);
    call->abandoned = 1;
    m->in_flight--;
    m->lost++;
    m->i_lost++;
    if (call->answered || blackhole) return;
    if (call->timer) {
        sim_cancel(sim, call->timer);
        call->timer = NULL;
    }
    call->answered = 1;
    call->status = status;
    call->done(sim, call);
}

void net_fail_unsent(struct sim *sim, struct call *call, int status) {
    call->answered = 1;
    call->status = status;
    call->done(sim, call);
    net_call_free(call, call->req);
}

void net_drop(struct sim *sim, struct call *call, int status, int blackhole) {
    struct comp_metrics *m = &call->to->m;

    assert(call->at_callee);
    call->at_callee = 0;
    m->in_flight--;
    m->lost++;
    m->i_lost++;
    if (call->answered) {
        net_call_free(call, call->req);
        return;
    }
    if (blackhole) return; /* only the caller's timeout, if any, will answer (and free) it */
    /* Refused or reset: the caller learns at once, timeout or not. */
    if (call->timer) {
        sim_cancel(sim, call->timer);
        call->timer = NULL;
    }
    call->answered = 1;
    call->status = status;
    call->done(sim, call);
    net_call_free(call, call->req);
}

void net_reply_general(struct sim *sim, struct call *call, int status) {
    struct comp_metrics *m = &call->to->m;

    assert(call->at_callee);
    call->at_callee = 0;
    if (call->abandoned) {
        /* Counted and answered when the callee crashed; only the struct was left. */
        if (!call->timer) net_call_free(call, call->req);
        return;
    }
    m->in_flight--;
    if (status == CALL_OK) {
        m->completions++;
        hist_record(m->ilat, sim_now(sim) - call->start_ns);
    } else {
        double lat = (double)(sim_now(sim) - call->start_ns);
        if (status == CALL_REJECTED) {
            m->rejected++;
            m->i_rejected++;
        } else {
            m->errors++;
            m->i_errors++;
        }
        m->elat_ns += lat;
        m->i_elat_ns += lat;
    }
    if (!call->answered) {
        if (call->timer) {
            sim_cancel(sim, call->timer);
            call->timer = NULL;
        }
        call->answered = 1;
        call->status = status;
        call->done(sim, call);
    }
    net_call_free(call, call->req);
}

/* --- event log and control ----------------------------------------------------------------- */

void net_log(struct net *net, const struct comp *c, const char *what, const char *fmt, ...) {
    struct net_event *ev = &net->events[net->nevents % NET_EVENT_KEEP];
    va_list ap;

    ev->t_ns = sim_now(net->sim);
    ev->component = c ? c->name : "";
    ev->what = what;
    va_start(ap, fmt);
    vsnprintf(ev->detail, sizeof ev->detail, fmt, ap);
    va_end(ap);
    net->nevents++;
    if (net->event_sink) net->event_sink(net->event_user, ev);
}

void net_set_event_sink(struct net *net, net_event_fn *fn, void *user) {
    net->event_sink = fn;
    net->event_user = user;
}

size_t net_events(const struct net *net, const struct net_event **first_half, size_t *n_first,
                  const struct net_event **second_half, size_t *n_second) {
    size_t kept = net->nevents < NET_EVENT_KEEP ? net->nevents : NET_EVENT_KEEP;
    size_t start = net->nevents < NET_EVENT_KEEP ? 0 : net->nevents % NET_EVENT_KEEP;

    /* Oldest first: [start, KEEP) then [0, start). */
    *first_half = &net->events[start];
    if (net->nevents < NET_EVENT_KEEP) {
        *n_first = kept;
        *second_half = net->events;
        *n_second = 0;
    } else {
        *n_first = NET_EVENT_KEEP - start;
        *second_half = net->events;
        *n_second = start;
    }
    return kept;
}

static const char *const action_names[] = {"crash", "recover",   "slow", "restore",
                                           "flush", "partition", "heal"};

int comp_control_basic(struct sim *sim, struct comp *c, const struct comp_action *a,
                       struct err *err) {
    if (a->part)
        return err_set(err, NULL, 0, 0, "%s '%s' has no part '%s'", c->ops->kind, c->name, a->part);
    switch (a->kind) {
        case ACT_CRASH:
        case ACT_RECOVER:
        case ACT_SLOW:
        case ACT_RESTORE:
            break;
        default:
            return err_set(err, NULL, 0, 0, "a %s cannot %s (it can crash, recover, slow)",
                           c->ops->kind, action_names[a->kind]);
    }
    if (!sim) return 0;
    if (a->kind == ACT_CRASH) {
        if (c->down) return 0;
        if (c->ops->crash) c->ops->crash(sim, c, a->blackhole);
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

int net_control(struct sim *sim, struct comp *c, const struct comp_action *a, struct err *err) {
    int rc = c->ops->control ? c->ops->control(sim, c, a, err) : comp_control_basic(sim, c, a, err);

    if (rc || !sim) return rc;
    if (a->kind == ACT_SLOW)
        net_log(c->net, c, "slow", "%s%sservice times x%g", a->part ? a->part : "",
                a->part ? ": " : "", a->factor);
    else if (a->kind == ACT_CRASH)
        net_log(c->net, c, "crash", "%s%s%s", a->part ? a->part : "", a->part ? ": " : "",
                a->blackhole ? "calls vanish" : "calls refused");
    else
        net_log(c->net, c, action_names[a->kind], "%s", a->part ? a->part : "");
    return 0;
}

/* --- building ----------------------------------------------------------------------------- */

/* "service, load_balancer, ..." for error messages (a static const string: the list is
 * fixed at compile time). */
static const char *kind_list_text(void) {
    return "service, load_balancer, cache, shard, queue, replica_set, function";
}

/* Create one component (or, for `replicas: N`, N of them named name[1]..name[N]). */
static int build_one(struct net *net, const char *name, const struct scn_node *node,
                     const struct model_ops *ops, const char *dir, struct err *err) {
    long long replicas = 1;
    const struct scn_node *rn = scn_map_get(node, "replicas");

    if (rn && scn_map_get(node, "autoscale")) {
        /* An autoscaled service is one station whose instance count changes: `replicas` is
         * its initial count, read by the service itself. */
        rn = NULL;
    }
    if (rn && ops == &replica_set_ops) rn = NULL; /* its replicas are nodes inside it */
    if (rn) {
        if (ops != &service_ops)
            return err_set(err, rn->file, rn->line, rn->col, "%s: only a service has replicas",
                           rn->path);
        if (scn_as_int(rn, 1, 10000, &replicas, err)) return -1;
    }
    for (long long r = 1; r <= replicas; r++) {
        /* Names are up to the scenario's key limit (1024 characters) plus "[N]": sized to
         * fit, never cut (two long names differing late must stay distinct). */
        size_t len = strlen(name) + 24;
        char *full = xmalloc(len);
        struct comp *c;

        if (replicas > 1)
            snprintf(full, len, "%s[%lld]", name, r);
        else
            snprintf(full, len, "%s", name);
        c = ops->create(net, full, node, dir, err);
        free(full);
        if (!c) return -1;
        c->group = xstrdup(name);
        c->index = net->ncomps;
        net->comps = xrealloc(net->comps, (net->ncomps + 1) * sizeof *net->comps);
        net->comps[net->ncomps++] = c;
    }
    return 0;
}

/* 1 when s has a control character (it would break the one-line table and error lines). */
static int has_control(const char *s) {
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f) return 1;
    return 0;
}

static int build_components(struct net *net, const struct scn_node *comps, const char *dir,
                            struct err *err) {
    if (scn_expect(comps, SCN_MAP, err)) return -1;
    if (comps->n == 0)
        return err_set(err, comps->file, comps->line, comps->col,
                       "%s: at least one component is needed", comps->path);
    for (size_t i = 0; i < comps->n; i++) {
        const struct scn_node *node = comps->items[i];
        const char *name = comps->keys[i], *kind;
        const struct scn_node *kn;
        const struct model_ops *ops;

        if (strcmp(name, "total") == 0 || strpbrk(name, ".[]=, \"\t\r\n") || !name[0] ||
            has_control(name))
            return err_set(err, comps->file, comps->key_line[i], comps->key_col[i],
                           "%s: bad component name '%s' ('total' is reserved; no '.', '[', "
                           "']', '=', ',', '\"', spaces or control characters)",
                           comps->path, name);
        if (scn_expect(node, SCN_MAP, err)) return -1;
        kn = scn_map_get(node, "kind");
        if (!kn)
            return err_set(err, node->file, node->line, node->col,
                           "%s: missing key 'kind' (one of: %s)", node->path, kind_list_text());
        if (scn_as_string(kn, &kind, err)) return -1;
        ops = model_find_kind(kind);
        if (!ops) {
            const char *s = scn_suggest(kind, model_kind_names());
            return err_set(
                err, kn->file, kn->line, kn->col, "%s: unknown kind '%s'%s%s%s", kn->path, kind,
                s ? " (did you mean '" : " (one of: ", s ? s : kind_list_text(), s ? "'?)" : ")");
        }
        if (build_one(net, name, node, ops, dir, err)) return -1;
    }
    net->names = xcalloc(net->ncomps + 1, sizeof *net->names);
    for (size_t i = 0; i < net->ncomps; i++)
        net->names[i] = net->comps[i]->group;
    return 0;
}

/* Every component c calls, in a new array (free it); *n its length. */
static struct comp **downstream_all(const struct comp *c, size_t *n) {
    struct comp *none[1];
    struct comp **out;

    *n = c->ops->downstream(c, none, 0);
    out = xcalloc(*n ? *n : 1, sizeof *out);
    if (*n) c->ops->downstream(c, out, *n);
    return out;
}

/* Depth-first search for a call cycle over the whole graph, iterative (a chain of thousands
 * of services must not overflow the stack); colour 0 white, 1 on the path, 2 done. Also
 * fills net->topo with every component before the ones it calls (reverse post-order). */
static int find_cycles(struct net *net, struct err *err) {
    struct frame {
        size_t node, k, n;
        struct comp **down;
    } *st = xcalloc(net->ncomps ? net->ncomps : 1, sizeof *st);
    unsigned char *colour = xcalloc(net->ncomps ? net->ncomps : 1, 1);
    size_t depth = 0, done = net->ncomps;
    int rc = 0;

    net->topo = xcalloc(net->ncomps ? net->ncomps : 1, sizeof *net->topo);
    for (size_t start = 0; start < net->ncomps && !rc; start++) {
        if (colour[start]) continue;
        colour[start] = 1;
        st[depth++] = (struct frame){start, 0, 0, NULL};
        st[depth - 1].down = downstream_all(net->comps[start], &st[depth - 1].n);
        while (depth > 0 && !rc) {
            struct frame *f = &st[depth - 1];
            if (f->k < f->n) {
                struct comp *to = f->down[f->k++];
                size_t j = to->index;
                if (colour[j] == 1) {
                    struct comp *c = net->comps[f->node];
                    const struct scn_node *at = c->ops->ref ? c->ops->ref(c, to) : NULL;
                    if (at)
                        err_set(err, at->file, at->line, at->col,
                                "%s: call cycle: '%s' calls '%s', which leads back to it", at->path,
                                c->group, to->group);
                    else
                        err_set(err, c->file, c->line, c->col,
                                "components.%s: call cycle: '%s' calls '%s', which leads back "
                                "to it",
                                c->group, c->group, to->group);
                    rc = -1;
                } else if (colour[j] == 0) {
                    colour[j] = 1;
                    st[depth++] = (struct frame){j, 0, 0, NULL};
                    st[depth - 1].down = downstream_all(to, &st[depth - 1].n);
                }
            } else {
                colour[f->node] = 2;
                net->topo[--done] = f->node;
                free(f->down);
                depth--;
            }
        }
    }
    while (depth > 0)
        free(st[--depth].down);
    free(st);
    free(colour);
    return rc;
}

const size_t *net_topo_order(const struct net *net) {
    return net->topo;
}

/* The workload's latency histograms would repeat its target's when every request goes
 * straight to that target and no component calls it: the target then records each success as
 * it replies, at the instant the workload gets the answer, with the same latency (a request is
 * sent at its birth), and both reset at the same boundaries. The workload borrows the target's
 * histograms instead of recording every latency twice (one record per request less, and one
 * interval histogram less to close); its row copies the target's latency columns. */
static void share_latency(struct net *net) {
    struct comp *t = workload_direct_target(net->wl);
    struct comp_metrics *wm = workload_metrics(net->wl);

    if (!t) return;
    for (size_t i = 0; i < net->ncomps; i++) {
        size_t n;
        struct comp **down = downstream_all(net->comps[i], &n);
        int calls_t = 0;
        for (size_t k = 0; k < n; k++)
            calls_t |= down[k] == t;
        free(down);
        if (calls_t) return;
    }
    hist_free(wm->lat);
    hist_free(wm->ilat);
    hist_free(wm->pre);
    wm->lat = t->m.lat;
    wm->ilat = t->m.ilat;
    wm->pre = t->m.pre;
    wm->lat_borrowed = 1;
    net->lat_twin = t;
}

struct net *net_new(struct sim *sim, const struct scn_doc *doc, const struct net_config *cfg,
                    struct err *err) {
    struct net *net = xcalloc(1, sizeof *net);
    const struct scn_node *root = scn_doc_root(doc), *comps, *wl;
    const char *dir = scn_doc_dir(doc);

    net->sim = sim;
    net->cfg = *cfg;
    net->hot.call_pool = pool_new(sizeof(struct call));
    /* The workload first: components refer to its request classes by name. */
    wl = scn_map_get(root, "workload");
    if (!wl) {
        err_set(err, root->file, root->line, root->col, "missing key 'workload'");
        goto fail;
    }
    net->wl = workload_new(net, wl, dir, err);
    if (!net->wl) goto fail;
    comps = scn_map_get(root, "components");
    if (!comps) {
        err_set(err, root->file, root->line, root->col, "missing key 'components'");
        goto fail;
    }
    if (build_components(net, comps, dir, err)) goto fail;
    for (size_t i = 0; i < net->ncomps; i++)
        if (net->comps[i]->ops->resolve(net, net->comps[i], err)) goto fail;
    if (workload_resolve(net->wl, err)) goto fail;
    if (find_cycles(net, err)) goto fail;
    share_latency(net);
    if (scn_map_get(root, "failures")) {
        net->hot.faults = fault_plan_new(net, scn_map_get(root, "failures"), dir, err);
        if (!net->hot.faults) goto fail;
    }
    net->rows = xcalloc(net->ncomps + 1, sizeof *net->rows);
    net->scratch = hist_new();
    sim_set_ctx(sim, net);
    return net;
fail:
    net_free(net);
    return NULL;
}

void net_free(struct net *net) {
    if (!net) return;
    fault_plan_free(net->hot.faults);
    workload_free(net->wl);
    for (size_t i = 0; i < net->ncomps; i++) {
        struct comp *c = net->comps[i];
        metrics_free(&c->m);
        free(c->name);
        free(c->group);
        c->ops->destroy(c);
    }
    free(net->comps);
    free(net->names);
    free(net->topo);
    free(net->rows);
    hist_free(net->scratch);
    pool_free(net->hot.call_pool);
    free(net);
}

/* --- running ------------------------------------------------------------------------------ */

static void report_interval(struct net *net, int64_t now, unsigned flags) {
    size_t n = net->ncomps;
    struct comp_metrics *wm = workload_metrics(net->wl);

    if (now <= net->interval_start_ns) return;
    if (!net->sink) {
        for (size_t i = 0; i < n; i++)
            close_interval(&net->comps[i]->m, NULL);
        if (!net->lat_twin) close_interval(wm, NULL);
    } else {
        for (size_t i = 0; i < n; i++) {
            struct comp *c = net->comps[i];
            fill_row(&net->rows[i], c->name, c->ops->kind, &c->m, 1, now, net->interval_start_ns,
                     c->m.in_flight, NULL);
            close_interval(&c->m, &net->rows[i]);
            if (c->ops->extras) c->ops->extras(c, 1, now, net->rows[i].extra);
        }
        fill_row(&net->rows[n], "total", "workload", wm, 1, now, net->interval_start_ns,
                 workload_in_flight(net->wl), NULL);
        if (net->lat_twin)
            copy_latency(&net->rows[n], &net->rows[net->lat_twin->index]);
        else
            close_interval(wm, &net->rows[n]);
        workload_extras(net->wl, 1, net->rows[n].extra);
        {
            double cost = 0;
            int any = 0;
            for (size_t i = 0; i < n; i++)
                if (!isnan(net->rows[i].extra[MX_COST])) {
                    cost += net->rows[i].extra[MX_COST];
                    any = 1;
                }
            if (any) net->rows[n].extra[MX_COST] = cost;
        }
        net->sink(net->sink_user, net->interval_start_ns, now,
                  flags | (!net->warm ? NET_ROW_WARMUP : 0u), net->rows, n + 1);
    }
    for (size_t i = 0; i < n; i++) {
        struct comp *c = net->comps[i];
        metrics_restart_interval(&c->m, now);
        if (c->ops->restart) c->ops->restart(c, now, 0);
    }
    metrics_restart_interval(wm, now);
    workload_restart(net->wl, 0);
    net->interval_start_ns = now;
}

static void on_interval(struct sim *sim, void *a, void *b) {
    struct net *net = a;
    int64_t now = sim_now(sim);

    (void)b;
    /* At the same instant as the warm-up end the interval closes first (it ended in warm-up). */
    report_interval(net, now, 0);
    sim_schedule_prio(sim, now + net->cfg.interval_ns, SIM_PRIO_FIRST, on_interval, net, NULL);
}

static void on_warmup_end(struct sim *sim, void *a, void *b) {
    struct net *net = a;
    int64_t now = sim_now(sim);

    (void)b;
    for (size_t i = 0; i < net->ncomps; i++) {
        struct comp *c = net->comps[i];
        metrics_restart_run(&c->m, now);
        if (c->ops->restart) c->ops->restart(c, now, 1);
    }
    metrics_restart_run(workload_metrics(net->wl), now);
    workload_restart(net->wl, 1);
    net->warm = 1;
}

void net_start(struct net *net) {
    struct sim *sim = net->sim;

    net->interval_start_ns = sim_now(sim);
    /* Interval boundaries and the warm-up end run before anything else at their instant, so
     * intervals are [start, end) like the run itself. */
    sim_schedule_prio(sim, net->interval_start_ns + net->cfg.interval_ns, SIM_PRIO_FIRST,
                      on_interval, net, NULL);
    if (net->cfg.warmup_ns > 0)
        sim_schedule_prio(sim, net->cfg.warmup_ns, SIM_PRIO_FIRST + 1, on_warmup_end, net, NULL);
    else
        net->warm = 1;
    if (net->hot.faults) fault_plan_start(net->hot.faults);
    for (size_t i = 0; i < net->ncomps; i++)
        if (net->comps[i]->ops->start) net->comps[i]->ops->start(sim, net->comps[i]);
    workload_start(net->wl);
}

void net_finish(struct net *net, int interrupted) {
    report_interval(net, sim_now(net->sim), interrupted ? NET_ROW_PARTIAL : 0u);
}

int net_overflowed(const struct net *net) {
    return workload_overflowed(net->wl);
}

#define NET_STR_(x) #x
#define NET_STR(x)  NET_STR_(x)

const char *net_stop_text(int why, int short_form) {
    switch (why) {
        case NET_STOP_IN_FLIGHT:
            return short_form
                       ? "too many requests in flight"
                       : NET_STR(NET_MAX_IN_FLIGHT) " requests in flight — the system cannot "
                                                    "keep up with the offered load";
        case NET_STOP_ZERO_TIME:
            return short_form
                       ? "closed users sending while the clock stands still"
                       : "a user of the closed workload got " NET_STR(
                             NET_MAX_ZERO_TIME) " answers in a row at the instant it sent "
                                                "them, with no think time: it would send for "
                                                "ever while the clock stands still (give the "
                                                "workload a think_time)";
        default:
            return "";
    }
}

void net_set_interval_sink(struct net *net, net_interval_fn *fn, void *user) {
    net->sink = fn;
    net->sink_user = user;
}

size_t net_ncomps(const struct net *net) {
    return net->ncomps;
}

void net_summary_row(const struct net *net, size_t index, struct model_row *row) {
    int64_t now = sim_now(net->sim);
    int64_t since = net->warm ? (net->cfg.warmup_ns < now ? net->cfg.warmup_ns : now) : 0;

    if (index < net->ncomps) {
        struct comp *c = net->comps[index];
        fill_row(row, c->name, c->ops->kind, &c->m, 0, now, since, c->m.in_flight,
                 net->warm ? net->scratch : NULL);
        if (c->ops->extras) c->ops->extras(c, 0, now, row->extra);
    } else {
        fill_row(row, "total", "workload", workload_metrics(net->wl), 0, now, since,
                 workload_in_flight(net->wl), net->warm ? net->scratch : NULL);
        workload_extras(net->wl, 0, row->extra);
        {
            double cost = 0, vals[MX_COUNT];
            int any = 0;
            for (size_t i = 0; i < net->ncomps; i++) {
                struct comp *c = net->comps[i];
                if (!c->ops->extras) continue;
                for (int x = 0; x < MX_COUNT; x++)
                    vals[x] = NAN;
                c->ops->extras(c, 0, now, vals);
                if (!isnan(vals[MX_COST])) {
                    cost += vals[MX_COST];
                    any = 1;
                }
            }
            if (any) row->extra[MX_COST] = cost;
        }
    }
}

struct comp *net_comp(const struct net *net, size_t index) {
    return index < net->ncomps ? net->comps[index] : NULL;
}

struct comp *net_find(const struct net *net, const char *name) {
    for (size_t i = 0; i < net->ncomps; i++)
        if (strcmp(net->comps[i]->name, name) == 0) return net->comps[i];
    return NULL;
}

size_t net_find_group(const struct net *net, const char *group, struct comp **out, size_t max) {
    size_t n = 0;

    for (size_t i = 0; i < net->ncomps; i++) {
        if (strcmp(net->comps[i]->group, group) == 0 || strcmp(net->comps[i]->name, group) == 0) {
            if (n < max) out[n] = net->comps[i];
            n++;
        }
    }
    return n;
}

const char *const *net_comp_names(const struct net *net) {
    return net->names;
}

struct sim *net_sim(const struct net *net) {
    return net->sim;
}

struct workload *net_workload(const struct net *net) {
    return net->wl;
}

uint64_t net_seed(const struct net *net) {
    return net->cfg.seed;
}

int64_t net_warmup_ns(const struct net *net) {
    return net->cfg.warmup_ns;
}

void net_rng(const struct net *net, struct rng *r, const char *component, const char *purpose) {
    rng_stream(r, net->cfg.seed, component, purpose);
}

size_t net_nclasses(const struct net *net) {
    return workload_nclasses(net->wl);
}

const char *net_class_name(const struct net *net, size_t cls) {
    return workload_class_name(net->wl, cls);
}

int net_class_index(const struct net *net, const char *name) {
    return workload_class_index(net->wl, name);
}

int net_class_is_write(const struct net *net, size_t cls) {
    return workload_class_is_write(net->wl, cls);
}
