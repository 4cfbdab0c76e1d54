/* workload — open and closed request sources and the end-to-end metrics; see workload.h. */
#include "workload.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pool.h"
#include "resilience.h"
#include "units.h"
#include "xmalloc.h"

enum arrivals { ARR_POISSON, ARR_CONSTANT, ARR_CLOSED };
static const char *const arrivals_names[] = {"poisson", "constant", "closed", NULL};

/* The resilience keys (resilience.h: res_keys) and `deadline` may stand at the workload level
 * (every class) or in a class (that class). */
static const char *const allowed_keys[] = {"arrivals",
                                           "rate",
                                           "phases",
                                           "users",
                                           "think_time",
                                           "target",
                                           "classes",
                                           "keys",
                                           "deadline",
                                           "timeout",
                                           "retries",
                                           "backoff",
                                           "backoff_base",
                                           "backoff_cap",
                                           "jitter",
                                           "retry_budget",
                                           "retry_on",
                                           "circuit_breaker",
                                           NULL};
static const char *const phase_keys[] = {"duration", "rate", "to", NULL};
static const char *const class_keys[] = {
    "name",         "weight",       "target",          "op",
    "scatter",      "deadline",     "timeout",         "retries",
    "backoff",      "backoff_base", "backoff_cap",     "jitter",
    "retry_budget", "retry_on",     "circuit_breaker", NULL};
static const char *const op_names[] = {"read", "write", NULL};

struct phase {
    int64_t start_ns, end_ns; /* end_ns = INT64_MAX for the last phase */
    double from_per_s, to_per_s;
};

struct wclass {
    char *name;
    double weight, cum; /* cum: cumulative normalised weight */
    int write;          /* op: write */
    int scatter;        /* 0 one key, -1 all shards, k > 0 k shards */
    struct res_policy policy;
    struct res_edge edge;
    int resilient;       /* the policy does something: send through res_send */
    int64_t deadline_ns; /* goodput: successes within it; 0: every success */
    char label[80];      /* "class NAME", for the event log */
    const char *target_name;
    const struct scn_node *target_node;
    struct comp *target;
};

struct user {
    struct workload *wl;
    int64_t sent_ns;   /* when it sent its request, ns */
    uint32_t zero_run; /* answers in a row that took no simulated time, with no think time */
};

/* What the workload's request pool hands out: a request and its first call (net_call_init_first;
 * unused by a class with a resilience policy, whose attempts make their own calls). */
struct req_block {
    struct req req; /* first: the block goes back to the pool as the request (req->home) */
    struct call call;
};

struct workload {
    struct net *net;
    enum arrivals arrivals;
    struct phase *phases;
    size_t nphases;
    double rate_scale;
    /* Stationary Poisson (one constant-rate phase) when > 0: the mean gap in ns,
     * 1e9 / (rate * rate_scale), kept up to date by set_mean_gap. */
    double poisson_gap_ns;
    struct sim_event *next_ev; /* the pending open-model arrival, NULL when none */
    unsigned users;
    struct user *user_slots;
    struct dist think;
    int has_think;
    struct wclass *classes;
    size_t nclasses;
    struct res_policy policy; /* workload-level defaults for every class */
    int64_t deadline_ns;
    int any_deadline; /* some class has a deadline (else every success is good) */
    struct keydist keys;
    int has_keys;
    struct rng rng_arr, rng_cls, rng_key, rng_think;
    struct pool *req_pool;
    uint64_t next_id;
    uint64_t in_flight;
    int overflowed;
    struct comp_metrics m;
};

static void set_mean_gap(struct workload *wl);

/* --- parsing ------------------------------------------------------------------------------ */

static int parse_phases(struct workload *wl, const struct scn_node *node, struct err *err) {
    int64_t t = 0;

    if (scn_expect(node, SCN_SEQ, err)) return -1;
    if (node->n == 0)
        return err_set(err, node->file, node->line, node->col, "%s: needs at least one phase",
                       node->path);
    wl->phases = xcalloc(node->n, sizeof *wl->phases);
    for (size_t i = 0; i < node->n; i++) {
        const struct scn_node *p = node->items[i];
        struct phase *ph = &wl->phases[i];
        int64_t d = 0;
        int last = i + 1 == node->n;

        if (scn_expect(p, SCN_MAP, err) || scn_check_keys(p, phase_keys, err)) return -1;
        if (scn_get_duration(p, "duration", !last, &d, err)) return -1;
        if (!last && d <= 0)
            return err_set(err, p->file, p->line, p->col, "%s.duration: must be positive", p->path);
        if (scn_get_rate(p, "rate", 1, &ph->from_per_s, err)) return -1;
        ph->to_per_s = ph->from_per_s;
        if (scn_get_rate(p, "to", 0, &ph->to_per_s, err)) return -1;
        if (last && d == 0 && ph->to_per_s != ph->from_per_s) {
            const struct scn_node *to = scn_map_get(p, "to");
            return err_set(err, to->file, to->line, to->col,
                           "%s: a ramp needs a duration (the last phase without one holds its "
                           "rate to the end)",
                           to->path);
        }
        ph->start_ns = t;
        ph->end_ns = (last && d == 0) ? INT64_MAX : t + d;
        t = ph->end_ns;
        wl->nphases++;
    }
    /* After the last bounded phase the final rate holds until the run ends. */
    if (wl->phases[wl->nphases - 1].end_ns != INT64_MAX) {
        struct phase *last = &wl->phases[wl->nphases - 1];
        wl->phases = xrealloc(wl->phases, (wl->nphases + 1) * sizeof *wl->phases);
        last = &wl->phases[wl->nphases - 1];
        wl->phases[wl->nphases] =
            (struct phase){last->end_ns, INT64_MAX, last->to_per_s, last->to_per_s};
        wl->nphases++;
    }
    return 0;
}

static int parse_classes(struct workload *wl, const struct scn_node *node,
                         const struct scn_node *default_target, struct err *err) {
    double total = 0;

    if (scn_expect(node, SCN_SEQ, err)) return -1;
    if (node->n == 0)
        return err_set(err, node->file, node->line, node->col, "%s: needs at least one class",
                       node->path);
    wl->classes = xcalloc(node->n, sizeof *wl->classes);
    for (size_t i = 0; i < node->n; i++) {
        const struct scn_node *c = node->items[i], *tn;
        struct wclass *k = &wl->classes[i];
        const char *name;

        if (scn_expect(c, SCN_MAP, err) || scn_check_keys(c, class_keys, err)) return -1;
        if (scn_get_string(c, "name", 1, &name, err)) return -1;
        for (size_t j = 0; j < i; j++)
            if (strcmp(wl->classes[j].name, name) == 0)
                return err_set(err, c->file, c->line, c->col, "%s.name: duplicate class '%s'",
                               c->path, name);
        k->name = xstrdup(name);
        wl->nclasses++;
        k->weight = 1;
        if (scn_get_double(c, "weight", 0, 1e-12, 1e12, &k->weight, err)) return -1;
        if (scn_get_enum(c, "op", 0, op_names, &k->write, err)) return -1;
        k->policy = wl->policy;
        if (res_policy_parse(c, &k->policy, err)) return -1;
        k->deadline_ns = wl->deadline_ns;
        if (scn_map_get(c, "deadline") &&
            scn_as_positive_duration(scn_map_get(c, "deadline"), &k->deadline_ns, err))
            return -1;
        if (scn_map_get(c, "scatter")) {
            const struct scn_node *sc = scn_map_get(c, "scatter");
            long long kk;
            if (sc->type == SCN_SCALAR && strcmp(sc->value, "all") == 0) {
                k->scatter = -1;
            } else {
                if (scn_as_int(sc, 1, 100000, &kk, err)) return -1;
                k->scatter = (int)kk;
            }
        }
        tn = scn_map_get(c, "target");
        if (!tn) tn = default_target;
        if (!tn)
            return err_set(err, c->file, c->line, c->col,
                           "%s: missing key 'target' (the component this class is sent to)",
                           c->path);
        if (scn_as_string(tn, &k->target_name, err)) return -1;
        k->target_node = tn;
        total += k->weight;
    }
    for (size_t i = 0; i < wl->nclasses; i++) {
        wl->classes[i].cum = (i ? wl->classes[i - 1].cum : 0) + wl->classes[i].weight / total;
    }
    wl->classes[wl->nclasses - 1].cum = 1.0;
    return 0;
}

struct workload *workload_new(struct net *net, const struct scn_node *node, const char *dir,
                              struct err *err) {
    struct workload *wl = xcalloc(1, sizeof *wl);
    const struct scn_node *rate, *phases, *classes, *target, *users, *keys;
    int arr = ARR_POISSON;

    wl->net = net;
    wl->rate_scale = 1.0;
    wl->req_pool = pool_new(sizeof(struct req_block));
    metrics_init_for(&wl->m, 0);
    if (scn_expect(node, SCN_MAP, err) || scn_check_keys(node, allowed_keys, err)) goto fail;
    res_policy_default(&wl->policy);
    if (res_policy_parse(node, &wl->policy, err)) goto fail;
    if (scn_map_get(node, "deadline") &&
        scn_as_positive_duration(scn_map_get(node, "deadline"), &wl->deadline_ns, err))
        goto fail;
    if (scn_get_enum(node, "arrivals", 0, arrivals_names, &arr, err)) goto fail;
    rate = scn_map_get(node, "rate");
    phases = scn_map_get(node, "phases");
    users = scn_map_get(node, "users");
    target = scn_map_get(node, "target");
    classes = scn_map_get(node, "classes");
    keys = scn_map_get(node, "keys");
    if (users && !scn_map_get(node, "arrivals")) arr = ARR_CLOSED;
    wl->arrivals = arr;
    if (arr == ARR_CLOSED) {
        long long n = 0;
        if (rate || phases) {
            const struct scn_node *bad = rate ? rate : phases;
            err_set(err, bad->file, bad->line, bad->col,
                    "%s: a closed workload (users) has no arrival rate; use think_time", bad->path);
            goto fail;
        }
        /* At most the in-flight cap: every user has a request out at the start. */
        if (scn_get_int(node, "users", 1, 1, NET_MAX_IN_FLIGHT, &n, err)) goto fail;
        wl->users = (unsigned)n;
        if (scn_map_get(node, "think_time")) {
            if (scn_get_dist(node, "think_time", 1, dir, &wl->think, err)) goto fail;
            wl->has_think = 1;
        }
    } else {
        if (users) {
            err_set(err, users->file, users->line, users->col,
                    "%s: users make a closed workload; drop 'rate'/'arrivals: %s' or 'users'",
                    users->path, arrivals_names[arr]);
            goto fail;
        }
        if (rate && phases) {
            err_set(err, phases->file, phases->line, phases->col,
                    "%s: give either 'rate' or 'phases', not both", phases->path);
            goto fail;
        }
        if (phases) {
            if (parse_phases(wl, phases, err)) goto fail;
        } else if (rate) {
            wl->phases = xcalloc(1, sizeof *wl->phases);
            if (scn_as_rate(rate, &wl->phases[0].from_per_s, err)) goto fail;
            wl->phases[0].to_per_s = wl->phases[0].from_per_s;
            wl->phases[0].end_ns = INT64_MAX;
            wl->nphases = 1;
        } else {
            err_set(err, node->file, node->line, node->col,
                    "%s: missing key 'rate' (e.g. rate: 900/s), 'phases' or 'users'", node->path);
            goto fail;
        }
        if (scn_map_get(node, "think_time")) {
            const struct scn_node *t = scn_map_get(node, "think_time");
            err_set(err, t->file, t->line, t->col,
                    "%s: think_time applies to a closed workload (users)", t->path);
            goto fail;
        }
    }
    if (classes) {
        if (parse_classes(wl, classes, target, err)) goto fail;
    } else {
        if (!target) {
            err_set(err, node->file, node->line, node->col,
                    "%s: missing key 'target' (the component requests are sent to)", node->path);
            goto fail;
        }
        wl->classes = xcalloc(1, sizeof *wl->classes);
        wl->classes[0].name = xstrdup("default");
        wl->classes[0].weight = 1;
        wl->classes[0].cum = 1;
        wl->classes[0].policy = wl->policy;
        wl->classes[0].deadline_ns = wl->deadline_ns;
        if (scn_as_string(target, &wl->classes[0].target_name, err)) goto fail;
        wl->classes[0].target_node = target;
        wl->nclasses = 1;
    }
    if (keys) {
        if (scn_as_keydist(keys, &wl->keys, err)) goto fail;
        wl->has_keys = 1;
    }
    for (size_t i = 0; i < wl->nclasses; i++) {
        struct wclass *k = &wl->classes[i];
        snprintf(k->label, sizeof k->label, "class %s", k->name);
        k->resilient = res_policy_active(&k->policy);
        res_edge_init(&k->edge, &k->policy, net, NULL, k->label);
        /* Goodput counts successes within the deadline; without one, within the timeout. */
        if (!k->deadline_ns) k->deadline_ns = k->policy.timeout_ns;
        if (k->deadline_ns) wl->any_deadline = 1;
    }
    wl->m.has_deadline = 1; /* goodput is meaningful: without a deadline every success is good */
    net_rng(net, &wl->rng_arr, "workload", "arrivals");
    net_rng(net, &wl->rng_cls, "workload", "classes");
    net_rng(net, &wl->rng_key, "workload", "keys");
    net_rng(net, &wl->rng_think, "workload", "think");
    set_mean_gap(wl);
    return wl;
fail:
    workload_free(wl);
    return NULL;
}

int workload_resolve(struct workload *wl, struct err *err) {
    for (size_t i = 0; i < wl->nclasses; i++) {
        struct wclass *k = &wl->classes[i];
        const struct scn_node *tn = k->target_node;

        struct comp *grp[2];
        size_t ng = net_find_group(wl->net, k->target_name, grp, 2);
        if (ng > 1)
            return err_set(err, tn->file, tn->line, tn->col,
                           "%s: '%s' has %zu replicas; send to a load_balancer in front of them",
                           tn->path, k->target_name, ng);
        k->target = ng == 1 ? grp[0] : NULL;
        if (!k->target) {
            const char *s = scn_suggest(k->target_name, net_comp_names(wl->net));
            return err_set(err, tn->file, tn->line, tn->col, "%s: unknown component '%s'%s%s%s",
                           tn->path, k->target_name, s ? " (did you mean '" : "", s ? s : "",
                           s ? "'?)" : "");
        }
    }
    return 0;
}

void workload_free(struct workload *wl) {
    if (!wl) return;
    for (size_t i = 0; i < wl->nclasses; i++) {
        free(wl->classes[i].name);
        res_edge_free(&wl->classes[i].edge);
    }
    free(wl->classes);
    free(wl->phases);
    free(wl->user_slots);
    dist_free(&wl->think);
    if (wl->m.lat_borrowed) wl->m.lat = wl->m.ilat = wl->m.pre = NULL;
    metrics_free(&wl->m);
    pool_free(wl->req_pool);
    free(wl);
}

/* --- running ------------------------------------------------------------------------------ */

static void on_answer(struct sim *sim, struct call *call);
static void on_answer_first(struct sim *sim, struct call *call);

static inline size_t pick_class(struct workload *wl) {
    double u;
    size_t i = 0;

    if (wl->nclasses == 1) return 0;
    u = rng_uniform(&wl->rng_cls);
    while (i + 1 < wl->nclasses && u >= wl->classes[i].cum)
        i++;
    return i;
}

static inline __attribute__((always_inline)) void send_request(struct sim *sim, struct workload *wl,
                                                               void *user) {
    struct req_block *block;
    struct req *req;
    size_t cls;
    struct call *call;

    if (wl->in_flight >= NET_MAX_IN_FLIGHT) {
        /* The system cannot keep up and each waiting request holds memory: stop the run here
         * (results so far are kept and marked partial) rather than exhaust the machine. */
        wl->overflowed = NET_STOP_IN_FLIGHT;
        sim_stop(sim);
        return;
    }
    block = pool_get(wl->req_pool);
    req = &block->req;
    cls = pick_class(wl);
    req->id = wl->next_id++;
    req->cls = (int)cls;
    req->key = wl->has_keys ? keydist_sample(&wl->keys, &wl->rng_key) : req->id;
    req->birth_ns = sim_now(sim);
    req->attempt = 1;
    req->refs = 1;
    req->home = wl->req_pool;
    req->write = wl->classes[cls].write;
    req->scatter = wl->classes[cls].scatter;
    req->user = user;
    if (user) ((struct user *)user)->sent_ns = req->birth_ns; /* (open: compiled out) */
    wl->in_flight++;
    wl->m.arrivals++;
    if (wl->classes[cls].resilient) {
        res_send(sim, &wl->classes[cls].edge, req, NULL, wl->classes[cls].target, on_answer, wl, 0);
        return;
    }
    /* The request goes with its first call: the call holds the workload's reference, and the
     * call path frees both once on_answer_first has run. */
    call = net_call_init_first(&block->call, req, wl->classes[cls].target, on_answer_first, wl);
    net_send(sim, call);
}

static void on_user_think_done(struct sim *sim, void *a, void *b) {
    (void)b;
    struct user *u = a;
    send_request(sim, u->wl, u);
}

/* A closed workload's user got its answer: think, then send again. Out of line: inlined, its
 * registers would be saved on every answer of an open workload too (and so would a latency
 * passed in: the user keeps its send time instead). */
static __attribute__((noinline)) void user_answered(struct sim *sim, struct workload *wl,
                                                    struct user *u) {
    int64_t think = 0, lat_ns = sim_now(sim) - u->sent_ns;

    if (wl->has_think) think = dist_ns(dist_sample(&wl->think, &wl->rng_think));
    if (think > 0) {
        u->zero_run = 0;
        sim_schedule(sim, sim_now(sim) + think, on_user_think_done, u, NULL);
    } else if (lat_ns > 0) {
        u->zero_run = 0;
        send_request(sim, wl, u);
    } else if (++u->zero_run < NET_MAX_ZERO_TIME) {
        /* No time passed since the send (a refusal, a rejection or a zero service time at
         * once): sending from here could recurse without end (send, answer, send...), so the
         * next send is an event at this instant. */
        sim_schedule(sim, sim_now(sim), on_user_think_done, u, NULL);
    } else {
        /* The clock would stand still for ever: stop the run, keeping what it measured. */
        wl->overflowed = NET_STOP_ZERO_TIME;
        sim_stop(sim);
    }
}

/* The end of a request: its answer, through its first call (first: that call holds the
 * workload's reference to the request) or through a resilience policy's attempts (the
 * workload holds its own, released here). */
static inline __attribute__((always_inline)) void answer(struct sim *sim, struct call *call,
                                                         int first) {
    struct workload *wl = call->ctx;
    struct req *req = call->req;
    struct comp_metrics *m = &wl->m;
    void *user = req->user;
    int ok = call->status == CALL_OK;
    int64_t lat = sim_now(sim) - req->birth_ns;

    if (ok) {
        m->completions++;
        if (!wl->any_deadline) {
            m->good++;
        } else {
            int64_t dl = wl->classes[req->cls].deadline_ns;
            if (!dl || lat <= dl) m->good++;
        }
    } else {
        if (call->status == CALL_REJECTED) {
            m->rejected++;
            m->i_rejected++;
        } else {
            m->errors++;
            m->i_errors++;
        }
        if (call->status == CALL_TIMEOUT) {
            m->timeouts++;
            m->i_timeouts++;
        }
        m->elat_ns += (double)lat;
        m->i_elat_ns += (double)lat;
    }
    wl->in_flight--;
    if (!first) net_req_release(req);
    /* The latency is recorded last (a histogram does not depend on the order of its records),
     * so that an open workload's answer ends in a tail call. A borrowed histogram is the
     * target's, which recorded this very latency as it replied. */
    ok = ok && !m->lat_borrowed; /* from here: record the latency */
    if (user) {
        if (ok) hist_record(m->ilat, lat);
        user_answered(sim, wl, user);
        return;
    }
    if (ok) hist_record(m->ilat, lat);
}

static void on_answer(struct sim *sim, struct call *call) {
    answer(sim, call, 0);
}

static void on_answer_first(struct sim *sim, struct call *call) {
    answer(sim, call, 1);
}

static const struct phase *phase_at(const struct workload *wl, int64_t t) {
    for (size_t i = 0; i < wl->nphases; i++)
        if (t < wl->phases[i].end_ns) return &wl->phases[i];
    return &wl->phases[wl->nphases - 1];
}

/* Rate in requests/s at time t (ns) inside phase ph. */
static double phase_rate(const struct phase *ph, double scale, int64_t t) {
    double f;

    if (ph->end_ns == INT64_MAX || ph->from_per_s == ph->to_per_s) return ph->from_per_s * scale;
    f = (double)(t - ph->start_ns) / (double)(ph->end_ns - ph->start_ns);
    return (ph->from_per_s + f * (ph->to_per_s - ph->from_per_s)) * scale;
}

/* The stationary Poisson case's mean gap (0: not that case), after any change of rate. */
static void set_mean_gap(struct workload *wl) {
    wl->poisson_gap_ns = 0;
    if (wl->arrivals == ARR_POISSON && wl->nphases == 1 &&
        wl->phases[0].from_per_s == wl->phases[0].to_per_s && wl->phases[0].end_ns == INT64_MAX &&
        wl->phases[0].from_per_s * wl->rate_scale > 0)
        wl->poisson_gap_ns = 1e9 / (wl->phases[0].from_per_s * wl->rate_scale);
}

/* Time of the next arrival after t, or INT64_MAX. */
static int64_t next_arrival_phased(struct workload *wl, int64_t t) {
    for (;;) {
        const struct phase *ph = phase_at(wl, t);
        double max_rate = fmax(ph->from_per_s, ph->to_per_s) * wl->rate_scale;
        double gap_ns;
        int64_t cand;

        if (max_rate <= 0) {
            if (ph->end_ns == INT64_MAX) return INT64_MAX;
            t = ph->end_ns;
            continue;
        }
        if (wl->arrivals == ARR_CONSTANT) {
            gap_ns = 1e9 / phase_rate(ph, wl->rate_scale, t);
        } else {
            gap_ns = zig_exp1(&wl->rng_arr) * 1e9 / max_rate;
        }
        if (gap_ns < 1) gap_ns = 1;
        if ((double)t + gap_ns >= (double)INT64_MAX / 2) return INT64_MAX;
        cand = t + (int64_t)(gap_ns + 0.5);
        if (cand >= ph->end_ns) {
            /* Memoryless: restart at the boundary with the next phase's majorant. */
            t = ph->end_ns;
            continue;
        }
        if (wl->arrivals == ARR_POISSON && ph->from_per_s != ph->to_per_s) {
            /* Thinning: accept with probability rate(cand) / majorant. */
            if (rng_uniform(&wl->rng_arr) * max_rate > phase_rate(ph, wl->rate_scale, cand)) {
                t = cand;
                continue;
            }
        }
        return cand;
    }
}

static void on_arrival(struct sim *sim, void *a, void *b);

/* Schedule the open model's next arrival after t as wl->next_ev (NULL when there is none).
 * The stationary Poisson case (the common one) is next_arrival_phased's loop without the
 * phase lookup, fmax and thinning, and decides "none" on its own branch (no second test of
 * the time against INT64_MAX). */
static inline __attribute__((always_inline)) void schedule_arrival(struct sim *sim,
                                                                   struct workload *wl, int64_t t) {
    int64_t next;

    if (wl->poisson_gap_ns > 0) {
        double gap_ns = zig_exp1(&wl->rng_arr) * wl->poisson_gap_ns;
        if (gap_ns < 1) gap_ns = 1;
        if ((double)t + gap_ns >= (double)INT64_MAX / 2) {
            wl->next_ev = NULL;
            return;
        }
        next = t + (int64_t)(gap_ns + 0.5);
    } else {
        next = next_arrival_phased(wl, t);
        if (next == INT64_MAX) {
            wl->next_ev = NULL;
            return;
        }
    }
    wl->next_ev = sim_schedule(sim, next, on_arrival, wl, NULL);
}

static void on_arrival(struct sim *sim, void *a, void *b) {
    struct workload *wl = a;

    (void)b;
    send_request(sim, wl, NULL);
    schedule_arrival(sim, wl, sim_now(sim));
}

void workload_start(struct workload *wl) {
    struct sim *sim = net_sim(wl->net);
    int64_t now = sim_now(sim);

    if (wl->arrivals == ARR_CLOSED) {
        wl->user_slots = xcalloc(wl->users, sizeof *wl->user_slots);
        for (unsigned i = 0; i < wl->users; i++) {
            wl->user_slots[i].wl = wl;
            sim_schedule(sim, now, on_user_think_done, &wl->user_slots[i], NULL);
        }
        return;
    }
    schedule_arrival(sim, wl, now);
}

/* --- queries ------------------------------------------------------------------------------ */

struct comp_metrics *workload_metrics(struct workload *wl) {
    return &wl->m;
}

struct comp *workload_direct_target(const struct workload *wl) {
    for (size_t i = 0; i < wl->nclasses; i++)
        if (wl->classes[i].resilient || wl->classes[i].target != wl->classes[0].target) return NULL;
    return wl->classes[0].target;
}

void workload_extras(const struct workload *wl, int interval, double *vals) {
    uint64_t r = 0, d = 0, f = 0;
    int any = 0;

    for (size_t i = 0; i < wl->nclasses; i++) {
        const struct res_edge *e = &wl->classes[i].edge;
        any |= wl->classes[i].resilient;
        r += interval ? e->i_retries : e->retries;
        d += interval ? e->i_denied : e->denied;
        f += interval ? e->i_fast_fails : e->fast_fails;
    }
    if (!any) return;
    vals[MX_RETRIES] = (double)r;
    vals[MX_RETRIES_DENIED] = (double)d;
    vals[MX_BREAKER_REJECTS] = (double)f;
}

void workload_restart(struct workload *wl, int run) {
    for (size_t i = 0; i < wl->nclasses; i++)
        res_edge_restart(&wl->classes[i].edge, run);
}

int workload_overflowed(const struct workload *wl) {
    return wl->overflowed;
}

uint64_t workload_in_flight(const struct workload *wl) {
    return wl->in_flight;
}

size_t workload_nclasses(const struct workload *wl) {
    return wl->nclasses;
}

const char *workload_class_name(const struct workload *wl, size_t cls) {
    return cls < wl->nclasses ? wl->classes[cls].name : NULL;
}

int workload_class_index(const struct workload *wl, const char *name) {
    for (size_t i = 0; i < wl->nclasses; i++)
        if (strcmp(wl->classes[i].name, name) == 0) return (int)i;
    return -1;
}

int workload_class_is_write(const struct workload *wl, size_t cls) {
    return cls < wl->nclasses ? wl->classes[cls].write : 0;
}

int workload_class_scatter(const struct workload *wl, size_t cls) {
    return cls < wl->nclasses ? wl->classes[cls].scatter : 0;
}

struct comp *workload_class_target(const struct workload *wl, size_t cls) {
    return cls < wl->nclasses ? wl->classes[cls].target : NULL;
}

double workload_class_share(const struct workload *wl, size_t cls) {
    if (cls >= wl->nclasses) return 0;
    return wl->classes[cls].cum - (cls ? wl->classes[cls - 1].cum : 0);
}

double workload_steady_rate(const struct workload *wl) {
    if (wl->arrivals == ARR_CLOSED || wl->nphases != 1) return NAN;
    return wl->phases[0].from_per_s * wl->rate_scale;
}

int workload_is_poisson(const struct workload *wl) {
    return wl->arrivals == ARR_POISSON;
}

unsigned workload_users(const struct workload *wl) {
    return wl->arrivals == ARR_CLOSED ? wl->users : 0;
}

double workload_think_mean_ns(const struct workload *wl) {
    return wl->has_think ? dist_mean(&wl->think) : 0.0;
}

size_t workload_nphases(const struct workload *wl) {
    return wl->arrivals == ARR_CLOSED ? 0 : wl->nphases;
}

void workload_phase(const struct workload *wl, size_t i, int64_t *start_ns, int64_t *end_ns,
                    double *from_per_s, double *to_per_s) {
    const struct phase *ph = &wl->phases[i < wl->nphases ? i : wl->nphases - 1];

    *start_ns = ph->start_ns;
    *end_ns = ph->end_ns;
    *from_per_s = ph->from_per_s;
    *to_per_s = ph->to_per_s;
}

const struct keydist *workload_keys(const struct workload *wl) {
    return wl->has_keys ? &wl->keys : NULL;
}

const struct dist *workload_think(const struct workload *wl) {
    return wl->has_think ? &wl->think : NULL;
}

double workload_scale_rate(struct workload *wl, double factor) {
    double scale = wl->rate_scale * factor;
    struct sim *sim = net_sim(wl->net);

    if (!(factor > 0)) return 1.0;
    if (scale < WORKLOAD_SCALE_MIN) scale = WORKLOAD_SCALE_MIN;
    if (scale > WORKLOAD_SCALE_MAX) scale = WORKLOAD_SCALE_MAX;
    factor = scale / wl->rate_scale;
    wl->rate_scale = scale;
    set_mean_gap(wl);
    if (wl->next_ev) {
        /* The pending arrival was drawn at the old rate (at a tiny rate, hours away): draw the
         * next one afresh from now (memoryless for Poisson; a constant stream restarts its
         * spacing here). */
        sim_cancel(sim, wl->next_ev);
        schedule_arrival(sim, wl, sim_now(sim));
    }
    return factor;
}

void workload_describe(const struct workload *wl, char *buf, size_t n) {
    char a[64], b[64];
    int off;

    if (wl->arrivals == ARR_CLOSED) {
        if (wl->has_think)
            dist_describe(&wl->think, a, sizeof a);
        else
            snprintf(a, sizeof a, "0");
        off = snprintf(buf, n, "closed: %u users, think time %s", wl->users, a);
    } else if (wl->nphases == 1) {
        units_format_rate(wl->phases[0].from_per_s * wl->rate_scale, a, sizeof a);
        off = snprintf(buf, n, "open %s arrivals at %s", arrivals_names[wl->arrivals], a);
    } else {
        off = snprintf(buf, n, "open %s arrivals in %zu phases:", arrivals_names[wl->arrivals],
                       wl->nphases);
        for (size_t i = 0; i < wl->nphases && off > 0 && (size_t)off < n; i++) {
            const struct phase *ph = &wl->phases[i];
            units_format_rate(ph->from_per_s, a, sizeof a);
            units_format_rate(ph->to_per_s, b, sizeof b);
            off += snprintf(buf + off, n - (size_t)off, " %s%s%s", a,
                            ph->from_per_s != ph->to_per_s ? ".." : "",
                            ph->from_per_s != ph->to_per_s ? b : "");
        }
    }
    if (off > 0 && (size_t)off < n) {
        off += snprintf(buf + off, n - (size_t)off, "; classes:");
        for (size_t i = 0; i < wl->nclasses && off > 0 && (size_t)off < n; i++)
            off += snprintf(buf + off, n - (size_t)off, " %s(%.0f%% -> %s)", wl->classes[i].name,
                            100.0 * workload_class_share(wl, i), wl->classes[i].target_name);
    }
}
