/*
 * model — what every component kind shares: the call path, the per-component metrics, the
 * kind table, and the network (struct net) that owns the components, the workload, warm-up
 * and the interval series of one simulation.
 *
 * Calls are synchronous: a caller hands a request to a callee in a struct call and gets
 * control back through the call's done continuation, with a status. That one shape carries
 * load balancing, downstream calls in sequence or in parallel (fan-out), and later timeouts,
 * retries and asynchronous queues (acknowledge now, work later).
 * Rejected: a message-passing model with mailboxes per component (needs explicit reply
 * routing and allocates a message per hop); coroutines (no portable C11 way, and they hide
 * the event order that makes runs reproducible).
 *
 * Each kind lives in one file (service.c, lb.c, ...) and fills a struct model_ops; the
 * static const table in model.c maps the scenario's `kind:` to it.
 *
 * Metrics: every component counts arrivals, completions, rejections and errors, records the
 * latency of successful replies (arrival to reply) in a histogram, and integrates its queue
 * length and busy workers over time. All of that exists twice: for the run (reset at the end
 * of warm-up) and for the current interval (reset at each interval end); the hottest counts
 * and the time-weighted integrals are kept once, with a mark for each of the two.
 *
 * Counting rule at the warm-up boundary: a request is an arrival if it arrives after
 * warm-up, and a completion if it completes after warm-up (its latency counts in full even
 * when it arrived earlier). Time-weighted averages restart from the true occupancy at the
 * boundary.
 */
#ifndef ARCHSIM_MODEL_H
#define ARCHSIM_MODEL_H

#include <assert.h>
#include <stddef.h>
#include <stdint.h>

#include "dist.h"
#include "err.h"
#include "hist.h"
#include "keydist.h"
#include "pool.h"
#include "rng.h"
#include "scn.h"
#include "sim.h"
#include "stats.h"

struct net;
struct fault_plan;
struct workload;
struct comp;
struct call;

/* How a call ended. */
enum call_status {
    CALL_OK = 0,
    CALL_REJECTED,    /* a bounded queue was full */
    CALL_ERROR,       /* the callee failed the request */
    CALL_TIMEOUT,     /* the caller gave up waiting */
    CALL_UNAVAILABLE, /* nobody to serve it: the callee is down (connection refused or reset)
                       * or has no live target */
    CALL_NSTATUS
};

/* Extra metrics some kinds report (caches, shards, queues, replica sets, resilience). One
 * fixed set of CSV columns for every kind; a kind fills the ones it has, the rest stay NAN
 * (empty in CSV). Names and units: model_extra_name(); meaning: docs/csv.md. */
enum model_extra {
    MX_LOST,     /* calls lost at this component when it crashed */
    MX_TIMEOUTS, /* calls this component made that timed out */
    MX_HITS,     /* cache */
    MX_MISSES,
    MX_HIT_RATIO,
    MX_EVICTIONS,
    MX_BACKEND_REQUESTS,
    MX_IMBALANCE,   /* shard: max/mean load over shards */
    MX_CROSS_SHARD, /* shard: scatter-gather requests */
    MX_ENQUEUED,    /* queue */
    MX_DELIVERED,
    MX_DROPPED,
    MX_DEAD_LETTERED,
    MX_BLOCKED,
    MX_QUEUE_DEPTH,   /* time-averaged messages waiting */
    MX_CONSUMER_LAG,  /* messages published and not yet consumed (at the row's time) */
    MX_OLDEST_AGE_MS, /* age of the oldest waiting message */
    MX_E2E_MEAN_MS,   /* publish to consumed */
    MX_E2E_P99_MS,
    MX_STALE_READS, /* replica set */
    MX_STALE_RATIO,
    MX_STALE_AGE_MS, /* mean age of stale reads */
    MX_REPLICATION_LAG_MS,
    MX_LOST_WRITES,
    MX_UNAVAILABLE_S,
    MX_RETRIES,          /* retries this component (or the workload) sent */
    MX_RETRIES_DENIED,   /* retries refused by a retry budget */
    MX_BREAKER_REJECTS,  /* calls failed at once by an open circuit breaker */
    MX_REPLICAS,         /* time-averaged instances (autoscaled services, functions) */
    MX_COST,             /* cost in the scenario's currency over the row's time; the total
                          * row sums every component's */
    MX_COLD_STARTS,      /* serverless functions */
    MX_ERROR_LATENCY_MS, /* mean latency of unsuccessful answers (errors, timeouts,
                          * rejections): a timeout is an error with its latency */
    MX_DIVERGENT_WRITES, /* replica set: writes acknowledged without their quorum (ap) */
    MX_READ_RPS,         /* replica set: successful reads per second */
    MX_WRITE_RPS,        /* replica set: successful writes per second */
    MX_READ_LATENCY_MS,  /* replica set: mean latency of successful reads */
    MX_WRITE_LATENCY_MS, /* replica set: mean latency of successful writes */
    MX_COUNT
};

/* Column name of an extra metric (units in the name), e.g. "hit_ratio". */
const char *model_extra_name(enum model_extra x);

/* One end-to-end request, from the workload's arrival to its final answer. Pooled: owned by
 * the net; the workload frees it when its answer arrives. */
struct req {
    uint64_t id;
    int cls;          /* index into the scenario's request classes */
    uint64_t key;     /* drawn from the workload's key distribution, 0-based */
    int64_t birth_ns; /* arrival time at the system */
    int attempt;      /* 1 for the first attempt */
    int write;        /* 1 when the class is a write (op: write): caches, stores and replicas
                       * treat it so */
    int scatter;      /* 0: touches one key; -1: all shards; k > 0: k shards (scatter-gather) */
    void *user;       /* closed workload: the user slot that sent it */
    /* Ownership: a request is reference-counted, because a call that timed out may still be
     * at its callee after the caller has finished with the request. Its creator sets refs = 1
     * and home = the pool it came from, and lets go with net_req_release (or hands its
     * reference to the request's first call: net_call_init_first); each call holds a
     * reference while it exists. */
    int refs;
    struct pool *home;
};

/* Take / drop a reference to req; the last release returns it to req->home. Inline: every
 * call takes and drops one. */
static inline void net_req_hold(struct req *req) {
    req->refs++;
}

static inline void net_req_release(struct req *req) {
    assert(req->refs > 0);
    if (--req->refs == 0) pool_put(req->home, req);
}

/* The continuation of a call: runs once, when the callee answers or the caller's timeout
 * fires (call->status says which). The call is valid only during the continuation: the call
 * path frees it (or, after a timeout, when the callee finally answers). */
typedef void call_done_fn(struct sim *sim, struct call *call);

/* A request in flight to one component. Pooled: net_call_new hands one out with every field
 * but the four it is given zero (net_call_init sets them one by one: a new field must be added
 * there); the call path frees it. */
struct call {
    struct req *req;
    struct pool *home;       /* where the call goes when freed; NULL: it is its request's first
                              * call, allocated with it (net_call_init_first) and freed with it */
    struct comp *to;         /* the callee */
    call_done_fn *done;      /* the caller's continuation */
    void *ctx;               /* the caller's data, borrowed */
    uint32_t tag;            /* the caller's data (e.g. which target a balancer chose) */
    int64_t timeout_ns;      /* caller's timeout, 0: none; set before net_send */
    int64_t start_ns;        /* arrival at the callee */
    int status;              /* enum call_status, set by the callee (or CALL_TIMEOUT) */
    unsigned char answered;  /* the continuation has run */
    unsigned char at_callee; /* the callee holds it */
    unsigned char abandoned; /* the callee crashed with it outstanding (see net_abandon) */
    struct sim_event *timer; /* pending timeout, or NULL */
    struct comp *from;       /* the calling component, NULL for the workload (links, partitions) */
    /* Callee scratch: queue links, counters, pointers and an event it may use while it holds
     * the call. */
    struct call *next, *prev;
    uint32_t u;
    void *p;
    struct sim_event *work;
};

/* Per-component measurements (see the file comment for the counting rules). */
struct comp_metrics {
    /* Arrivals, completions and good (successes within the deadline, workload only) are
     * counted once, from the start of the run and never reset; the run's and the interval's
     * counts are the differences from their values at the end of warm-up (_run) and at the
     * interval's start (_i). Two counters each would cost two increments per request. */
    uint64_t arrivals, completions, good;
    uint64_t arrivals_run, completions_run, good_run;
    uint64_t arrivals_i, completions_i, good_i;
    uint64_t rejected, errors;
    uint64_t lost, i_lost;         /* calls lost when the component crashed */
    uint64_t timeouts, i_timeouts; /* calls this component made that timed out */
    double elat_ns, i_elat_ns;     /* summed latency of unsuccessful answers */
    int has_deadline;              /* goodput is meaningful */
    uint64_t in_flight;            /* calls taken and not yet answered (never reset) */
    struct hist *lat;              /* ns, successful replies, since warm-up */
    /* lat, ilat and pre are another block's, borrowed (the workload's, when they would only
     * repeat its target's: share_latency in model.c); their owner records, closes, resets
     * and frees them. */
    int lat_borrowed;
    /* Queue length and busy workers over the whole run; the run's and the interval's means
     * are taken from marks at the end of warm-up (run) and at each interval start (i). */
    struct stats_tw queue, busy;
    struct stats_tw_mark queue_run, busy_run, queue_i, busy_i;
    uint64_t i_rejected, i_errors;
    struct hist *ilat;   /* ns, current interval (see model.c: recorded once, merged at the end) */
    struct hist *pre;    /* ns, the warm-up part of the interval in which warm-up ended */
    double servers;      /* capacity for utilization = busy / servers; 0 when not a station */
    int dynamic_cap;     /* servers changes (autoscaling): utilization is then
                          * time-averaged busy / time-averaged capacity */
    struct stats_tw cap; /* capacity over time, when dynamic_cap, with its marks */
    struct stats_tw_mark cap_run, cap_i;
};

/* A component. Each kind embeds this first in its own struct. */
struct comp {
    const struct model_ops *ops;
    /* ops->receive (comp_init sets it), or a version of it the kind chose for this component's
     * settings when it was created (a service's simple station). The call path calls this one:
     * one load less per call than through ops, and a test less per setting in the kind. */
    void (*receive)(struct sim *sim, struct comp *c, struct call *call);
    char *name;  /* owned; "api[2]" for the second replica of api */
    char *group; /* owned; the scenario's name ("api"), shared by all replicas */
    size_t index;
    struct net *net;
    const char *file; /* where the scenario defines it (borrowed from the scn_doc) */
    int line, col;
    int down;      /* crashed: calls to it fail at once (refuse) or vanish (blackhole) */
    int blackhole; /* while down: 1 calls vanish (callers time out), 0 refused at once */
    double slow;   /* service-time multiplier from a slow-down failure (1: normal) */
    struct comp_metrics m;
};

/* A fault or control action on a component (scenario `failures:`, the dashboard's keys). */
enum comp_action_kind {
    ACT_CRASH,     /* stop answering; in-flight work is lost */
    ACT_RECOVER,   /* serve again */
    ACT_SLOW,      /* multiply service times by factor */
    ACT_RESTORE,   /* end a slow-down */
    ACT_FLUSH,     /* empty a cache */
    ACT_PARTITION, /* cut the parts in group off from the rest of the component */
    ACT_HEAL       /* end a partition */
};

struct comp_action {
    enum comp_action_kind kind;
    const char *part;         /* NULL: the whole component; else kind-defined ("primary",
                               * "replica[2]", "shard[3]") */
    double factor;            /* ACT_SLOW */
    int blackhole;            /* ACT_CRASH: calls vanish instead of being refused */
    const char *const *group; /* ACT_PARTITION: parts on one side */
    size_t ngroup;
};

/* What a kind provides. All callbacks are required unless marked optional. */
struct model_ops {
    const char *kind;
    /* Create the component from its scenario map (already checked to be a map). Returns NULL
     * with err located at the offending key. References to other components are only
     * recorded here, and resolved in resolve. */
    struct comp *(*create)(struct net *net, const char *name, const struct scn_node *node,
                           const char *dir, struct err *err);
    /* Resolve names of other components (net_find); -1 with a located err. */
    int (*resolve)(struct net *net, struct comp *c, struct err *err);
    /* Take a call. Must eventually answer it through net_reply. */
    void (*receive)(struct sim *sim, struct comp *c, struct call *call);
    /* Components this one may call (for cycle checks and analysis). Fills up to max, returns
     * the total number. */
    size_t (*downstream)(const struct comp *c, struct comp **out, size_t max);
    /* Describe the resolved model in one line for `archsim check` (buf NUL-terminated). */
    void (*describe)(const struct comp *c, char *buf, size_t n);
    /* Free the kind's own state (not the struct comp base, not the name). */
    void (*destroy)(struct comp *c);
    /* Optional: apply an action. With sim == NULL only check that the kind supports it (for
     * scenario validation). -1 with err->msg (no position) when unsupported. Without this
     * callback the generic handling applies: crash/recover/slow/restore of the whole
     * component through c->down / c->slow, nothing else. */
    int (*control)(struct sim *sim, struct comp *c, const struct comp_action *a, struct err *err);
    /* Optional: lose the work the component holds when it crashes (queued and in-service
     * calls, instances). The generic handling (comp_control_basic) calls it once per crash,
     * then marks the component down; without it only the mark is set. */
    void (*crash)(struct sim *sim, struct comp *c, int blackhole);
    /* Optional: fill the extra metrics the kind has into vals[MX_COUNT] (pre-set to NAN), for
     * the current interval (interval = 1) or the run since warm-up, at time now. */
    void (*extras)(const struct comp *c, int interval, int64_t now, double *vals);
    /* Optional: the scenario node that names `to` as this component's downstream (to locate
     * a call-cycle error at the reference that closes the loop); NULL when unknown. */
    const struct scn_node *(*ref)(const struct comp *c, const struct comp *to);
    /* Optional: schedule the kind's own events (autoscaler evaluations, ...) when the run
     * starts. */
    void (*start)(struct sim *sim, struct comp *c);
    /* Optional: restart the kind's own counters: the interval ones (run = 0) at each interval
     * end, the run ones (run = 1) at the end of warm-up. */
    void (*restart)(struct comp *c, int64_t now, int run);
};

/* The ops for a kind name, or NULL. */
const struct model_ops *model_find_kind(const char *kind);

/* NULL-terminated list of kind names (for did-you-mean). */
const char *const *model_kind_names(void);

/* --- the network ------------------------------------------------------------------------- */

/* One interval's or one run's figures for one component (or the end-to-end "total"). Latencies
 * in ms; NAN where there is no sample; rates per second. */
struct model_row {
    const char *component;
    const char *kind;
    uint64_t arrivals, completions, rejected, errors, in_flight;
    double throughput_rps;
    double goodput_rps; /* successes within the deadline per second (total row); NAN elsewhere */
    double error_rate;  /* (rejected + errors) / (completions + rejected + errors) */
    double latency_mean_ms, latency_p50_ms, latency_p90_ms, latency_p99_ms, latency_p999_ms,
        latency_max_ms;
    double utilization;     /* busy workers / workers, NAN for non-stations */
    double queue_mean;      /* time-averaged queue length, NAN for non-stations */
    double rho_offered;     /* not used yet: NAN */
    uint64_t lost;          /* calls lost in crashes */
    double extra[MX_COUNT]; /* kind-specific, NAN where not applicable */
};

/* Flags of an interval report. */
#define NET_ROW_WARMUP  1 /* the interval ended before warm-up did */
#define NET_ROW_PARTIAL 2 /* the interval was cut short because the run was interrupted */

/* Called at the end of each interval with one row per component and then the total row
 * (index == net_ncomps). t_start_ns/t_end_ns bound the interval; flags are NET_ROW_*. Rows
 * are borrowed for the call only. */
typedef void net_interval_fn(void *user, int64_t t_start_ns, int64_t t_end_ns, unsigned flags,
                             const struct model_row *rows, size_t nrows);

/* The run parameters a net needs from the scenario. */
struct net_config {
    uint64_t seed;
    int64_t duration_ns; /* > 0 */
    int64_t warmup_ns;   /* >= 0, < duration */
    int64_t interval_ns; /* > 0 */
};

/* Build the network from the scenario's workload and components nodes (validating every
 * key, resolving references, refusing call cycles) inside sim, which must be new. Returns
 * NULL with err located in the scenario. The net registers itself as sim's ctx.
 * doc is borrowed and must outlive the net. */
struct net *net_new(struct sim *sim, const struct scn_doc *doc, const struct net_config *cfg,
                    struct err *err);

/* Free the net, its components and pools. NULL ok. */
void net_free(struct net *net);

/* Schedule the workload, the warm-up and interval events. Call once before sim_run_until. */
void net_start(struct net *net);

/* Close the last interval at the current time and report it (flagged NET_ROW_PARTIAL when
 * interrupted is set). Call once at the end, after sim_run_until returned. */
void net_finish(struct net *net, int interrupted);

/* Why the model stopped a run by itself (net_overflowed); the results so far are kept and
 * marked partial. */
enum net_stop {
    NET_STOP_NONE = 0,
    NET_STOP_IN_FLIGHT = 1, /* NET_MAX_IN_FLIGHT requests in flight: the system could not keep
                             * up, and memory would run out */
    NET_STOP_ZERO_TIME = 2  /* a closed workload's user without think time got NET_MAX_ZERO_TIME
                             * answers in a row at the instant it sent the request (refused or
                             * rejected at once, or a zero service time): it would send forever
                             * while the clock stands still */
};

/* The net_stop the run was stopped for (0: none). */
int net_overflowed(const struct net *net);
/* Why, for a message: "5000000 requests in flight - the system cannot keep up with the offered
 * load" for NET_STOP_IN_FLIGHT, and so on (static text; "" for NET_STOP_NONE). short_form: a
 * few words for a status line ("too many requests in flight"). */
const char *net_stop_text(int why, int short_form);
/* Requests in flight (end to end) at which a run stops itself rather than exhaust memory. */
#define NET_MAX_IN_FLIGHT 5000000
/* Answers in a row, to one user, that took no simulated time, with no think time between, at
 * which a run stops itself (NET_STOP_ZERO_TIME): far more than chance gives a model in which
 * time passes (a cache that answers hits in zero time, 99 % of them: 0.99^1000000 = 0). */
#define NET_MAX_ZERO_TIME 1000000

/* Receive interval rows (may be NULL to stop). */
void net_set_interval_sink(struct net *net, net_interval_fn *fn, void *user);

/* Summary rows since warm-up up to now: index 0..ncomps-1 the components, ncomps the total. */
size_t net_ncomps(const struct net *net);
void net_summary_row(const struct net *net, size_t index, struct model_row *row);

struct comp *net_comp(const struct net *net, size_t index);
/* The component indexes 0..net_ncomps-1 in an order where each comes before every component it
 * calls (the call graph is acyclic: net_new refuses cycles). Borrowed, valid while net is. */
const size_t *net_topo_order(const struct net *net);
struct comp *net_find(const struct net *net, const char *name);
/* Every component of a group (a name, or a service with replicas): fills up to max, returns the
 * total (0 when unknown). */
size_t net_find_group(const struct net *net, const char *group, struct comp **out, size_t max);
const char *const *net_comp_names(const struct net *net); /* NULL-terminated, for suggestions */
struct sim *net_sim(const struct net *net);
struct workload *net_workload(const struct net *net);
uint64_t net_seed(const struct net *net);
int64_t net_warmup_ns(const struct net *net);

/* A stream of random numbers for (component, purpose), derived from the run's seed. */
void net_rng(const struct net *net, struct rng *r, const char *component, const char *purpose);

/* Request classes declared by the workload. */
size_t net_nclasses(const struct net *net);
const char *net_class_name(const struct net *net, size_t cls); /* NULL when out of range */
int net_class_index(const struct net *net, const char *name);  /* -1 when unknown */
int net_class_is_write(const struct net *net, size_t cls);

/* --- the call path -------------------------------------------------------------------------- */

/* The public prefix of struct net: the two fields the inline call path below reads (every
 * request crosses it once per hop, and an out-of-line call per step cost more than the step).
 * Read-only outside model.c. */
struct net_hot {
    struct pool *call_pool;    /* where calls come from */
    struct fault_plan *faults; /* the scenario's failures, NULL when it has none */
};

static inline const struct net_hot *net_hot_of(const struct net *net) {
    return (const struct net_hot *)(const void *)net;
}

/* Fill a call of req to `to` from home (NULL: see net_call_init_first), answered through
 * done(ctx), every other field zero. Takes no reference to req. */
static inline void net_call_init(struct call *call, struct pool *home, struct req *req,
                                 struct comp *to, call_done_fn *done, void *ctx) {
    /* Field by field, padding left alone: a compound literal zeroes the whole struct with a
     * rep stos (one instruction per word, plus its setup), where these are one store each. */
    call->req = req;
    call->home = home;
    call->to = to;
    call->done = done;
    call->ctx = ctx;
    call->tag = 0;
    call->timeout_ns = 0;
    call->start_ns = 0;
    call->status = CALL_OK;
    call->answered = call->at_callee = call->abandoned = 0;
    call->timer = NULL;
    call->from = NULL;
    call->next = call->prev = NULL;
    call->u = 0;
    call->p = NULL;
    call->work = NULL;
}

/* A call of req to `to`, answered through done(ctx). Never NULL (pooled; freed by the call
 * path, never by the caller). It holds a reference to req while it exists. */
static inline struct call *net_call_new(struct net *net, struct req *req, struct comp *to,
                                        call_done_fn *done, void *ctx) {
    struct pool *home = net_hot_of(net)->call_pool;
    struct call *call = pool_get(home);

    net_req_hold(req);
    net_call_init(call, home, req, to, done, ctx);
    return call;
}

/* The first call of a request, in memory its creator allocated with the request (one pool
 * object for both: a pool get and put less per request). The call takes over the creator's
 * reference instead of holding its own: from here the creator must not release req (the call
 * path's release of it, once the continuation has run, frees request and call together, or
 * whichever of the request's calls lets go last does). Otherwise as net_call_new. */
static inline struct call *net_call_init_first(struct call *call, struct req *req, struct comp *to,
                                               call_done_fn *done, void *ctx) {
    net_call_init(call, NULL, req, to, done, ctx);
    return call;
}

/* Deliver call to its callee now: counts the arrival, starts the caller's timeout if
 * call->timeout_ns > 0, and hands the call to the kind's receive. net_send is the inline
 * common case (no timeout, no failures in the scenario, callee up); net_send_general does
 * everything and is what net_send calls otherwise. */
void net_send_general(struct sim *sim, struct call *call);
static inline void net_send(struct sim *sim, struct call *call) {
    struct comp *c = call->to;

    if (call->timeout_ns > 0 || net_hot_of(c->net)->faults || c->down) {
        net_send_general(sim, call);
        return;
    }
    call->start_ns = sim_now(sim);
    call->at_callee = 1;
    c->m.arrivals++;
    c->m.in_flight++;
    c->receive(sim, c, call);
}

/* Every call leaves through here (req is call->req): it drops its hold on the request, and
 * goes back to its pool unless it is the request's first call, which the request's memory
 * holds (read home before the release: that may free the request and the call with it). */
static inline void net_call_free(struct call *call, struct req *req) {
    struct pool *home = call->home;

    net_req_release(req);
    if (home) pool_put(home, call);
}

/* The callee answers with status: counts its completion (recording the latency of a success),
 * rejection or error — even when the caller has already timed out, because the work was done
 * all the same — then runs the caller's continuation unless it already ran (timeout), and
 * frees the call. net_reply is the inline common case (a success of a call still waited for,
 * with no timer); net_reply_general does everything. */
void net_reply_general(struct sim *sim, struct call *call, int status);
static inline void net_reply(struct sim *sim, struct call *call, int status) {
    struct comp *c = call->to;
    struct req *req = call->req;

    if (status != CALL_OK || call->abandoned || call->answered || call->timer) {
        net_reply_general(sim, call, status);
        return;
    }
    assert(call->at_callee);
    call->at_callee = 0;
    c->m.in_flight--;
    c->m.completions++;
    hist_record(c->m.ilat, sim_now(sim) - call->start_ns);
    call->answered = 1;
    call->status = CALL_OK;
    call->done(sim, call);
    net_call_free(call, req);
}

/* Answer a call that was never sent (a local failure, e.g. an open circuit breaker): runs the
 * continuation with status and frees the call; no component counts it. */
void net_fail_unsent(struct sim *sim, struct call *call, int status);

/* The callee gives up a call it holds (it crashed): counted as lost. Unless blackhole, the
 * caller is answered now with status (CALL_UNAVAILABLE: connection refused or reset), a
 * pending timeout cancelled. With blackhole only the caller's timeout answers it, and without
 * one the caller waits for ever, as a real client without a timeout would. */
void net_drop(struct sim *sim, struct call *call, int status, int blackhole);

/* As net_drop for a call the callee cannot free yet (it still waits for its own downstream
 * calls): counted as lost and the caller answered as net_drop would, but the call stays with
 * the callee, whose later net_reply only frees it. */
void net_abandon(struct sim *sim, struct call *call, int status, int blackhole);

/* --- event log ---------------------------------------------------------------------------- */

/* One entry of the run's event log: failures, recoveries, state changes, scaling. */
struct net_event {
    int64_t t_ns;
    const char *component; /* borrowed from the component */
    const char *what;      /* "crash", "recover", "slow", "restore", "flush", "partition", ... */
    char detail[96];
};

typedef void net_event_fn(void *user, const struct net_event *ev);

/* Record an event (printf-style detail) and pass it to the sink. */
void net_log(struct net *net, const struct comp *c, const char *what, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void net_set_event_sink(struct net *net, net_event_fn *fn, void *user);
/* Events logged so far (the last NET_EVENT_KEEP are kept; older are only passed to the sink). */
#define NET_EVENT_KEEP 256
size_t net_events(const struct net *net, const struct net_event **first_half, size_t *n_first,
                  const struct net_event **second_half, size_t *n_second);

/* The handling every kind shares: crash (through ops->crash), recover, slow and restore of
 * the whole component; anything else (parts, flush, partitions) is refused naming the kind.
 * A kind's control hook handles what is its own and passes the rest here. sim == NULL: check
 * only. */
int comp_control_basic(struct sim *sim, struct comp *c, const struct comp_action *a,
                       struct err *err);

/* Apply an action now (the dashboard's keys; the failure schedule). -1 with err when the kind
 * does not support it. Logged. */
int net_control(struct sim *sim, struct comp *c, const struct comp_action *a, struct err *err);

/* Change a station's capacity (workers) from now on (autoscaling); switches utilization to
 * time-averaged busy over time-averaged capacity. */
void comp_set_capacity(struct sim *sim, struct comp *c, double servers);

/* Queue length / busy workers changes for the time-weighted metrics (one accumulator each;
 * the run and interval windows are marks on it). Inline: a station calls one of them on
 * every arrival and departure. */
static inline void comp_set_queue(struct sim *sim, struct comp *c, double len) {
    stats_tw_set(&c->m.queue, sim_now(sim), len);
}

static inline void comp_set_busy(struct sim *sim, struct comp *c, double busy) {
    stats_tw_set(&c->m.busy, sim_now(sim), busy);
}

/* Set up / release a metrics block that is not a component's (the workload's total). */
void metrics_init_for(struct comp_metrics *m, double servers);
void metrics_free(struct comp_metrics *m);

/* For kinds: initialise the common part (name copied). */
void comp_init(struct comp *c, const struct model_ops *ops, struct net *net, const char *name,
               const struct scn_node *node, double servers);

#endif
