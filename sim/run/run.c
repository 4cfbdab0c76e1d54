/* run — scenario loading, checking and replications; see run.h. */
#include "run.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mser.h"
#include "rng.h"
#include "sim.h"
#include "units.h"
#include "xmalloc.h"

static const char default_scenario[] =
    "name: default\n"
    "description: >\n"
    "  The built-in scenario: a round-robin load balancer in front of three replicas of a\n"
    "  service with 4 workers each and exponential service times of mean 2 ms (capacity\n"
    "  6000/s), offered 4200 requests/s of Poisson arrivals, so every worker is busy 70 % of\n"
    "  the time. Try --set workload.rate=5800/s to approach saturation, or\n"
    "  --set components.lb.policy=power_of_two.\n"
    "duration: 30s\n"
    "warmup: 2s\n"
    "seed: 1\n"
    "workload:\n"
    "  arrivals: poisson\n"
    "  rate: 4200/s\n"
    "  target: lb\n"
    "components:\n"
    "  lb:\n"
    "    kind: load_balancer\n"
    "    policy: round_robin\n"
    "    targets: [api]\n"
    "  api:\n"
    "    kind: service\n"
    "    replicas: 3\n"
    "    workers: 4\n"
    "    service_time: exp(2ms)\n";

static const char *const top_keys[] = {"name",       "description",  "duration", "warmup",
                                       "seed",       "replications", "interval", "workload",
                                       "components", "failures",     NULL};

const char *run_default_scenario(void) {
    return default_scenario;
}

static int load_doc(struct run_scenario *s, const char *const *sets, size_t nsets, struct err *err);

int run_scenario_load(struct run_scenario *s, const char *path, const char *const *sets,
                      size_t nsets, struct err *err) {
    memset(s, 0, sizeof *s);
    s->file = path ? path : "<built-in>";
    if (path)
        s->doc = scn_doc_load(path, err);
    else
        s->doc = scn_doc_parse(default_scenario, sizeof default_scenario - 1, s->file, err);
    if (!s->doc) return -1;
    return load_doc(s, sets, nsets, err);
}

int run_scenario_parse(struct run_scenario *s, const char *text, const char *name,
                       const char *const *sets, size_t nsets, struct err *err) {
    memset(s, 0, sizeof *s);
    s->file = name;
    s->doc = scn_doc_parse(text, strlen(text), name, err);
    if (!s->doc) return -1;
    return load_doc(s, sets, nsets, err);
}

static int load_doc(struct run_scenario *s, const char *const *sets, size_t nsets,
                    struct err *err) {
    const struct scn_node *root;
    long long reps = 1;

    for (size_t i = 0; i < nsets; i++)
        if (scn_doc_set(s->doc, sets[i], err)) goto fail;
    root = scn_doc_root(s->doc);
    if (scn_check_keys(root, top_keys, err)) goto fail;
    if (scn_get_string(root, "name", 1, &s->name, err)) goto fail;
    s->description = "";
    if (scn_get_string(root, "description", 0, &s->description, err)) goto fail;
    if (scn_get_duration(root, "duration", 1, &s->duration_ns, err)) goto fail;
    if (s->duration_ns <= 0) {
        const struct scn_node *n = scn_map_get(root, "duration");
        err_set(err, n->file, n->line, n->col, "duration: must be positive");
        goto fail;
    }
    {
        const struct scn_node *w = scn_map_get(root, "warmup");
        if (w && w->type == SCN_SCALAR && strcmp(w->value, "auto") == 0)
            s->warmup_auto = 1;
        else if (scn_get_duration(root, "warmup", 0, &s->warmup_ns, err))
            goto fail;
    }
    if (!s->warmup_auto && s->warmup_ns >= s->duration_ns) {
        const struct scn_node *n = scn_map_get(root, "warmup");
        char w[32], d[32];
        err_set(err, n->file, n->line, n->col, "warmup: must be shorter than duration (%s >= %s)",
                units_format_duration(s->warmup_ns, w, sizeof w),
                units_format_duration(s->duration_ns, d, sizeof d));
        goto fail;
    }
    s->interval_ns = 1000000000LL;
    if (scn_get_duration(root, "interval", 0, &s->interval_ns, err)) goto fail;
    if (s->interval_ns <= 0) {
        const struct scn_node *n = scn_map_get(root, "interval");
        err_set(err, n->file, n->line, n->col, "interval: must be positive");
        goto fail;
    }
    {
        /* Seeds are 64-bit unsigned (replication seeds use the whole range, and a printed
         * seed must be usable again), beyond scn_as_int's long long. */
        const struct scn_node *sn = scn_map_get(root, "seed");
        s->seed = 1;
        if (sn) {
            char *end;
            unsigned long long v;
            errno = 0;
            v = sn->type == SCN_SCALAR ? strtoull(sn->value, &end, 10) : 0;
            if (sn->type != SCN_SCALAR || errno || end == sn->value || *end ||
                sn->value[0] == '-' || sn->value[0] == '+') {
                err_set(err, sn->file, sn->line, sn->col,
                        "seed: expected a whole number from 0 to %llu, got '%s'",
                        (unsigned long long)UINT64_MAX,
                        sn->type == SCN_SCALAR ? sn->value : "a map or list");
                goto fail;
            }
            s->seed = v;
        }
    }
    if (scn_get_int(root, "replications", 0, 1, 100000, &reps, err)) goto fail;
    s->replications = (unsigned)reps;
    if (!scn_map_get(root, "workload")) {
        err_set(err, root->file, root->line, root->col,
                "missing key 'workload' (where requests come from)");
        goto fail;
    }
    if (!scn_map_get(root, "components")) {
        err_set(err, root->file, root->line, root->col,
                "missing key 'components' (services, load balancers, ...)");
        goto fail;
    }
    return 0;
fail:
    run_scenario_free(s);
    return -1;
}

void run_scenario_free(struct run_scenario *s) {
    if (!s) return;
    scn_doc_free(s->doc);
    s->doc = NULL;
}

uint64_t run_replication_seed(uint64_t seed, unsigned k) {
    if (k == 0) return seed;
    return rng_mix64(seed ^ rng_mix64(0x9e3779b97f4a7c15ULL * k));
}

static struct net *build(const struct run_scenario *s, uint64_t seed, struct sim **simp,
                         struct err *err) {
    struct net_config cfg = {seed, s->duration_ns, s->warmup_ns, s->interval_ns};
    struct sim *sim;
    struct net *net;

    if (s->duration_ns / s->interval_ns > RUN_MAX_INTERVALS) {
        /* Each interval is a row per component in timeseries.csv: 1ns over 5 s would be
         * 5e9 rows. Checked here, after -d and --set, where the length is final. */
        const struct scn_node *root = scn_doc_root(s->doc), *n = scn_map_get(root, "interval");
        if (!n) n = root;
        err_set(err, n->file, n->line, n->col,
                "interval: the run would have %lld intervals (at most %d, one row per component "
                "each): use a longer interval or a shorter duration",
                (long long)(s->duration_ns / s->interval_ns), RUN_MAX_INTERVALS);
        return NULL;
    }
    sim = sim_new();
    net = net_new(sim, s->doc, &cfg, err);

    if (!net) {
        sim_free(sim);
        return NULL;
    }
    *simp = sim;
    return net;
}

int run_check(const struct run_scenario *s, struct run_checked *out, struct err *err) {
    struct sim *sim = NULL;
    struct net *net = build(s, s->seed, &sim, err);

    if (!net) return -1;
    if (out) {
        out->sim = sim;
        out->net = net;
    } else {
        net_free(net);
        sim_free(sim);
    }
    return 0;
}

void run_check_free(struct run_checked *c) {
    if (!c) return;
    net_free(c->net);
    sim_free(c->sim);
    c->net = NULL;
    c->sim = NULL;
}

static double wall_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* What one pass of a replication needs besides the scenario. */
struct pass {
    uint64_t seed;
    unsigned k;
    int64_t warmup_ns;
    const struct run_hooks *hooks; /* may be NULL */
    const atomic_int *cancel;      /* may be NULL */
    net_interval_fn *interval;     /* this pass's interval sink and its user */
    void *interval_user;
    net_event_fn *event;
    double progress_from, progress_scale; /* progress reported as from + scale * fraction */
};

/* Run one pass to its end (or until stopped or cancelled); fills out like run_replication. */
static int run_pass(const struct run_scenario *s, const struct pass *p, struct run_rep *out,
                    struct err *err) {
    struct net_config cfg = {p->seed, s->duration_ns, p->warmup_ns, s->interval_ns};
    struct sim *sim = sim_new();
    struct net *net = net_new(sim, s->doc, &cfg, err);
    const struct run_hooks *h = p->hooks;
    int64_t end = s->duration_ns, slice;
    int partial = 0;

    if (!net) {
        sim_free(sim);
        return -1;
    }
    net_set_interval_sink(net, p->interval, p->interval_user);
    if (h) {
        net_set_event_sink(net, p->event, h->user);
        sim_set_stop_flag(sim, h->stop);
    }
    net_start(net);
    slice = end / 200 > 0 ? end / 200 : end;
    for (int64_t t = 0; t < end;) {
        int64_t next = end - t > slice ? t + slice : end;
        if (sim_run_until(sim, next) == SIM_STOP_INTERRUPTED) {
            partial = 1;
            break;
        }
        t = next;
        if (h && h->progress)
            h->progress(h->user, p->k,
                        p->progress_from + p->progress_scale * (double)t / (double)end);
        if ((h && h->stop && *h->stop) || (p->cancel && atomic_load(p->cancel))) {
            partial = t < end;
            break;
        }
    }
    net_finish(net, partial);
    memset(out, 0, sizeof *out);
    out->replication = p->k;
    out->seed = p->seed;
    out->nrows = net_ncomps(net) + 1;
    out->rows = xcalloc(out->nrows, sizeof *out->rows);
    for (size_t i = 0; i < out->nrows; i++) {
        net_summary_row(net, i, &out->rows[i]);
        out->rows[i].component = xstrdup(out->rows[i].component);
        out->rows[i].kind = xstrdup(out->rows[i].kind);
    }
    out->events = sim_events(sim);
    out->sim_time_s = (double)sim_now(sim) / 1e9;
    out->partial = partial;
    out->overflowed = net_overflowed(net);
    out->warmup_s = (double)p->warmup_ns / 1e9;
    net_free(net);
    sim_free(sim);
    return 0;
}

/* The first pass of warm-up auto: the total row's mean latency per interval. */
struct series {
    double *v;
    size_t n, cap;
};

static void collect_total(void *user, int64_t t_start_ns, int64_t t_end_ns, unsigned flags,
                          const struct model_row *rows, size_t nrows) {
    struct series *sr = user;

    (void)t_start_ns;
    (void)t_end_ns;
    (void)flags;
    if (sr->n == sr->cap) {
        sr->cap = sr->cap ? 2 * sr->cap : 256;
        sr->v = xrealloc(sr->v, sr->cap * sizeof *sr->v);
    }
    sr->v[sr->n++] = rows[nrows - 1].latency_mean_ms;
}

/* An interval without a completion has no mean latency: it takes the previous interval's
 * value (the first finite one for a leading run of such intervals), so the series keeps one
 * value per interval and the cut stays aligned with time. Returns 0 when no value is finite. */
static int fill_gaps(double *v, size_t n) {
    size_t first = 0;

    while (first < n && !isfinite(v[first]))
        first++;
    if (first == n) return 0;
    for (size_t i = 0; i < first; i++)
        v[i] = v[first];
    for (size_t i = first + 1; i < n; i++)
        if (!isfinite(v[i])) v[i] = v[i - 1];
    return 1;
}

int run_replication(const struct run_scenario *s, unsigned k, const struct run_hooks *hooks,
                    struct run_rep *out, struct err *err) {
    return run_replication_cancellable(s, k, hooks, NULL, out, err);
}

int run_replication_cancellable(const struct run_scenario *s, unsigned k,
                                const struct run_hooks *hooks, const atomic_int *cancel,
                                struct run_rep *out, struct err *err) {
    struct pass p;
    double t0 = wall_now();
    int note = 0;

    memset(&p, 0, sizeof p);
    p.seed = run_replication_seed(s->seed, k);
    p.k = k;
    p.hooks = hooks;
    p.cancel = cancel;
    p.warmup_ns = s->warmup_ns;
    p.progress_scale = 1;
    if (s->warmup_auto) {
        struct series sr = {NULL, 0, 0};
        struct run_mser m;
        struct pass first = p;

        first.warmup_ns = 0;
        first.interval = collect_total;
        first.interval_user = &sr;
        first.progress_scale = 0.5;
        if (run_pass(s, &first, out, err)) {
            free(sr.v);
            return -1;
        }
        if (out->partial) {
            /* Stopped before the series was complete: report what the first pass measured,
             * without a warm-up. */
            free(sr.v);
            out->warmup_note = RUN_WARMUP_UNDETERMINED;
            out->wall_s = wall_now() - t0;
            return 0;
        }
        run_rep_free(out);
        if (!fill_gaps(sr.v, sr.n) || run_mser(sr.v, sr.n, RUN_MSER_BATCH, &m)) {
            note = RUN_WARMUP_UNDETERMINED;
            m.cut = 0;
        } else if (m.at_limit) {
            note = RUN_WARMUP_SHORT;
        }
        free(sr.v);
        p.warmup_ns = (int64_t)m.cut * s->interval_ns;
        /* Intervals are [j i, (j+1) i) from 0, and the cut keeps more than half of them, so
         * the warm-up ends before the run does. */
        if (p.warmup_ns >= s->duration_ns) p.warmup_ns = 0;
        p.progress_from = 0.5;
        p.progress_scale = 0.5;
    }
    if (hooks) {
        p.interval = hooks->interval;
        p.interval_user = hooks->user;
        p.event = hooks->event;
    }
    if (run_pass(s, &p, out, err)) return -1;
    out->warmup_note = note;
    out->wall_s = wall_now() - t0;
    return 0;
}

void run_rep_free(struct run_rep *r) {
    if (!r) return;
    for (size_t i = 0; i < r->nrows; i++) {
        free((char *)(uintptr_t)r->rows[i].component);
        free((char *)(uintptr_t)r->rows[i].kind);
    }
    free(r->rows);
    r->rows = NULL;
    r->nrows = 0;
}
