/* ui_session — a live, wall-clock-paced run with a command API; see ui_session.h. */
#include "ui_session.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim.h"
#include "workload.h"
#include "xmalloc.h"

/* The speed ladder: simulated seconds per wall second. */
static const double speeds[] = {0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, INFINITY};
#define NSPEEDS    (sizeof speeds / sizeof speeds[0])
#define SPEED_1X   3
#define SERIES_CAP 1024 /* intervals kept for the charts; the oldest half goes when full */

struct ui_session {
    const struct run_scenario *s;
    struct ui_session_hooks hooks;
    const volatile sig_atomic_t *stop;
    ui_clock_fn *clock;
    void *clock_user;

    struct sim *sim;
    struct net *net;
    enum ui_run_state state;
    int finished; /* net_finish was called */
    size_t speed;
    int64_t slice_ns;
    int64_t step_to_ns;
    double achieved;
    double rate_scale;
    unsigned restarts;
    double wall_start;

    struct model_row *rows; /* last interval: ncomps + 1, names borrowed from the net */
    size_t nrows;
    int have_rows;
    int64_t rows_end_ns;
    size_t nseries;
    double *t_end_s, *thr, *good, *p99; /* SERIES_CAP each */
    struct hist *scratch;
};

size_t ui_speed_count(void) {
    return NSPEEDS;
}

double ui_speed_at(size_t index) {
    return speeds[index < NSPEEDS ? index : NSPEEDS - 1];
}

size_t ui_speed_index(double speed) {
    size_t best = SPEED_1X;
    double best_d = INFINITY;

    if (isinf(speed) && speed > 0) return NSPEEDS - 1;
    if (!(speed > 0)) return SPEED_1X;
    for (size_t i = 0; i + 1 < NSPEEDS; i++) {
        double d = fabs(log(speeds[i]) - log(speed));
        if (d < best_d) {
            best_d = d;
            best = i;
        }
    }
    return best;
}

static double mono_clock(void *user) {
    struct timespec ts;

    (void)user;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* --- sinks --------------------------------------------------------------------------------- */

static void on_interval(void *user, int64_t t0, int64_t t1, unsigned flags,
                        const struct model_row *rows, size_t nrows) {
    struct ui_session *ss = user;
    const struct model_row *total = &rows[nrows - 1];

    if (nrows == ss->nrows) {
        memcpy(ss->rows, rows, nrows * sizeof *rows);
        ss->have_rows = 1;
        ss->rows_end_ns = t1;
    }
    if (ss->nseries == SERIES_CAP) {
        size_t keep = SERIES_CAP / 2;
        memmove(ss->t_end_s, ss->t_end_s + SERIES_CAP - keep, keep * sizeof(double));
        memmove(ss->thr, ss->thr + SERIES_CAP - keep, keep * sizeof(double));
        memmove(ss->good, ss->good + SERIES_CAP - keep, keep * sizeof(double));
        memmove(ss->p99, ss->p99 + SERIES_CAP - keep, keep * sizeof(double));
        ss->nseries = keep;
    }
    ss->t_end_s[ss->nseries] = (double)t1 / 1e9;
    ss->thr[ss->nseries] = total->throughput_rps;
    ss->good[ss->nseries] = total->goodput_rps;
    ss->p99[ss->nseries] = total->latency_p99_ms;
    ss->nseries++;
    if (ss->hooks.interval) ss->hooks.interval(ss->hooks.user, t0, t1, flags, rows, nrows);
}

static void on_event(void *user, const struct net_event *ev) {
    struct ui_session *ss = user;

    if (ss->hooks.event) ss->hooks.event(ss->hooks.user, ev);
}

/* --- building ------------------------------------------------------------------------------ */

static void end_run(struct ui_session *ss) {
    net_free(ss->net);
    sim_free(ss->sim);
    ss->net = NULL;
    ss->sim = NULL;
}

/* A fresh model at time 0, running, in place of the current one (kept when the new one cannot
 * be built). A restart tells the hooks before the new run's first event. */
static int start_run(struct ui_session *ss, int restart, struct err *err) {
    struct run_checked chk;

    if (run_check(ss->s, &chk, err)) return -1;
    end_run(ss);
    if (restart && ss->hooks.restart) ss->hooks.restart(ss->hooks.user);
    ss->sim = chk.sim;
    ss->net = chk.net;
    ss->nrows = net_ncomps(ss->net) + 1;
    free(ss->rows);
    ss->rows = xcalloc(ss->nrows, sizeof *ss->rows);
    ss->have_rows = 0;
    ss->rows_end_ns = 0;
    ss->nseries = 0;
    ss->finished = 0;
    ss->state = UI_RUNNING;
    ss->rate_scale = 1.0;
    ss->achieved = NAN;
    ss->slice_ns = ss->s->interval_ns / 100 > 0 ? ss->s->interval_ns / 100 : 1;
    net_set_interval_sink(ss->net, on_interval, ss);
    net_set_event_sink(ss->net, on_event, ss);
    sim_set_stop_flag(ss->sim, ss->stop);
    net_start(ss->net);
    ss->wall_start = ss->clock(ss->clock_user);
    return 0;
}

struct ui_session *ui_session_new(const struct run_scenario *s,
                                  const struct ui_session_hooks *hooks,
                                  const volatile sig_atomic_t *stop, struct err *err) {
    struct ui_session *ss = xcalloc(1, sizeof *ss);

    ss->s = s;
    if (hooks) ss->hooks = *hooks;
    ss->stop = stop;
    ss->clock = mono_clock;
    ss->speed = SPEED_1X;
    ss->t_end_s = xcalloc(SERIES_CAP, sizeof(double));
    ss->thr = xcalloc(SERIES_CAP, sizeof(double));
    ss->good = xcalloc(SERIES_CAP, sizeof(double));
    ss->p99 = xcalloc(SERIES_CAP, sizeof(double));
    ss->scratch = hist_new();
    if (start_run(ss, 0, err)) goto fail;
    return ss;
fail:
    ui_session_free(ss);
    return NULL;
}

void ui_session_free(struct ui_session *ss) {
    if (!ss) return;
    end_run(ss);
    free(ss->rows);
    free(ss->t_end_s);
    free(ss->thr);
    free(ss->good);
    free(ss->p99);
    hist_free(ss->scratch);
    free(ss);
}

void ui_session_set_clock(struct ui_session *ss, ui_clock_fn *fn, void *user) {
    ss->clock = fn;
    ss->clock_user = user;
    ss->wall_start = fn(user);
}

/* --- running ------------------------------------------------------------------------------- */

/* Close the run: the last interval is reported (partial when cut short). */
static void finish(struct ui_session *ss, int partial) {
    if (ss->finished) return;
    net_finish(ss->net, partial);
    ss->finished = 1;
    ss->state = UI_ENDED;
}

int ui_session_advance(struct ui_session *ss, double wall_dt, double budget) {
    int64_t now = sim_now(ss->sim), end = ss->s->duration_ns, goal;
    double speed = speeds[ss->speed], t0, last;
    int changed = 0;

    if (ss->state != UI_RUNNING && ss->state != UI_STEPPING) return 0;
    if (ss->stop && *ss->stop) return 0;
    if (ss->state == UI_STEPPING) {
        goal = ss->step_to_ns;
    } else if (isinf(speed)) {
        goal = end;
    } else {
        double want = (double)now + speed * wall_dt * 1e9;
        goal = want >= (double)end ? end : (int64_t)want;
    }
    if (goal > end) goal = end;
    t0 = last = ss->clock(ss->clock_user);
    while (sim_now(ss->sim) < goal) {
        int64_t t = sim_now(ss->sim);
        int64_t next = goal - t > ss->slice_ns ? t + ss->slice_ns : goal;
        double tnow, used;
        if (sim_run_until(ss->sim, next) == SIM_STOP_INTERRUPTED) {
            changed = 1;
            if (net_overflowed(ss->net)) finish(ss, 1);
            break;
        }
        tnow = ss->clock(ss->clock_user);
        used = tnow - last;
        last = tnow;
        if (used > budget / 8 && ss->slice_ns > 1)
            ss->slice_ns /= 2;
        else if (used < budget / 64 && ss->slice_ns < ss->s->interval_ns)
            ss->slice_ns *= 2;
        if (tnow - t0 >= budget) break;
    }
    if (sim_now(ss->sim) != now) changed = 1;
    if (ss->state == UI_RUNNING && wall_dt > 0) {
        double a = (double)(sim_now(ss->sim) - now) / 1e9 / wall_dt;
        ss->achieved = isnan(ss->achieved) ? a : 0.7 * ss->achieved + 0.3 * a;
    }
    if (ss->state != UI_ENDED && sim_now(ss->sim) >= end) {
        finish(ss, 0);
        changed = 1;
    } else if (ss->state == UI_STEPPING && sim_now(ss->sim) >= ss->step_to_ns) {
        ss->state = UI_PAUSED;
        changed = 1;
    }
    return changed;
}

/* --- commands ------------------------------------------------------------------------------ */

static int refuse_ended(const struct ui_session *ss, struct err *err) {
    if (ss->state != UI_ENDED) return 0;
    return err_set(err, NULL, 0, 0, "the run has ended: r restarts it, q quits");
}

void ui_session_toggle_pause(struct ui_session *ss) {
    if (ss->state == UI_ENDED) return;
    ss->state = ss->state == UI_PAUSED ? UI_RUNNING : UI_PAUSED;
    ss->achieved = NAN;
}

void ui_session_set_speed(struct ui_session *ss, size_t index) {
    ss->speed = index < NSPEEDS ? index : NSPEEDS - 1;
    ss->achieved = NAN;
}

size_t ui_session_speed(const struct ui_session *ss) {
    return ss->speed;
}

int ui_session_step(struct ui_session *ss, struct err *err) {
    int64_t now = sim_now(ss->sim), iv = ss->s->interval_ns, next;

    if (refuse_ended(ss, err)) return -1;
    next = (now / iv + 1) * iv;
    /* Just past the boundary: the interval event at exactly `next` must run for its row to
     * arrive (sim_run_until(t) leaves events at t pending). */
    ss->step_to_ns = next >= ss->s->duration_ns ? ss->s->duration_ns : next + 1;
    ss->state = UI_STEPPING;
    return 0;
}

static struct comp *comp_at(const struct ui_session *ss, size_t index, struct err *err) {
    if (index >= net_ncomps(ss->net)) {
        err_set(err, NULL, 0, 0, "no component selected");
        return NULL;
    }
    return net_comp(ss->net, index);
}

int ui_session_toggle_crash(struct ui_session *ss, size_t index, struct err *err) {
    struct comp_action a = {0};
    struct comp *c;

    if (refuse_ended(ss, err)) return -1;
    if (!(c = comp_at(ss, index, err))) return -1;
    a.kind = c->down ? ACT_RECOVER : ACT_CRASH;
    return net_control(ss->sim, c, &a, err);
}

int ui_session_toggle_slow(struct ui_session *ss, size_t index, double factor, struct err *err) {
    struct comp_action a = {0};
    struct comp *c;

    if (refuse_ended(ss, err)) return -1;
    if (!(c = comp_at(ss, index, err))) return -1;
    a.kind = c->slow != 1.0 ? ACT_RESTORE : ACT_SLOW;
    a.factor = factor;
    return net_control(ss->sim, c, &a, err);
}

int ui_session_scale_rate(struct ui_session *ss, double factor, struct err *err) {
    struct workload *wl = net_workload(ss->net);
    double rate;

    if (refuse_ended(ss, err)) return -1;
    if (workload_users(wl) > 0)
        return err_set(err, NULL, 0, 0,
                       "a closed workload has no arrival rate (its users set the pace)");
    factor = workload_scale_rate(wl, factor);
    ss->rate_scale *= factor;
    rate = workload_steady_rate(wl);
    if (isnan(rate))
        net_log(ss->net, NULL, "rate", "user: x%.3g, now x%.3g of the scenario's", factor,
                ss->rate_scale);
    else
        net_log(ss->net, NULL, "rate", "user: x%.3g, now %.6g/s", factor, rate);
    return 0;
}

int ui_session_restart(struct ui_session *ss, struct err *err) {
    if (start_run(ss, 1, err)) return -1;
    ss->restarts++;
    net_log(ss->net, NULL, "restart", "user: new run, seed %llu", (unsigned long long)ss->s->seed);
    return 0;
}

/* --- views --------------------------------------------------------------------------------- */

void ui_session_snapshot(const struct ui_session *ss, struct ui_snapshot *out) {
    struct workload *wl = net_workload(ss->net);

    memset(out, 0, sizeof *out);
    out->scenario = ss->s;
    out->now_ns = sim_now(ss->sim);
    out->duration_ns = ss->s->duration_ns;
    out->seed = ss->s->seed;
    out->state = ss->state;
    out->overflowed = net_overflowed(ss->net);
    out->speed = ss->speed;
    out->achieved = ss->achieved;
    out->rate_per_s = workload_steady_rate(wl);
    out->rate_scale = ss->rate_scale;
    out->users = workload_users(wl);
    out->restarts = ss->restarts;
    out->ncomps = net_ncomps(ss->net);
    out->rows = ss->have_rows ? ss->rows : NULL;
    out->rows_end_ns = ss->rows_end_ns;
    out->nseries = ss->nseries;
    out->t_end_s = ss->t_end_s;
    out->throughput_rps = ss->thr;
    out->goodput_rps = ss->good;
    out->p99_ms = ss->p99;
    net_events(ss->net, &out->ev_a, &out->nev_a, &out->ev_b, &out->nev_b);
}

const struct comp *ui_session_comp(const struct ui_session *ss, size_t index) {
    return index < net_ncomps(ss->net) ? net_comp(ss->net, index) : NULL;
}

double ui_session_queue_now(const struct ui_session *ss, size_t index) {
    const struct comp *c = ui_session_comp(ss, index);

    return c ? c->m.queue.value : 0;
}

void ui_session_summary_row(const struct ui_session *ss, size_t index, struct model_row *row) {
    net_summary_row(ss->net, index, row);
}

const struct hist *ui_session_latency(struct ui_session *ss, size_t index) {
    const struct comp *c = ui_session_comp(ss, index);
    const struct comp_metrics *m = c ? &c->m : workload_metrics(net_workload(ss->net));

    /* lat holds the finished intervals since warm-up, ilat the current one (see model.c). */
    hist_copy(ss->scratch, m->lat);
    hist_merge(ss->scratch, m->ilat);
    return ss->scratch;
}

void ui_session_result(struct ui_session *ss, struct run_rep *out) {
    int partial = ss->finished ? net_overflowed(ss->net) : 1;

    finish(ss, 1);
    memset(out, 0, sizeof *out);
    out->replication = 0;
    out->seed = ss->s->seed;
    out->nrows = net_ncomps(ss->net) + 1;
    out->rows = xcalloc(out->nrows, sizeof *out->rows);
    for (size_t i = 0; i < out->nrows; i++) {
        net_summary_row(ss->net, i, &out->rows[i]);
        out->rows[i].component = xstrdup(out->rows[i].component);
        out->rows[i].kind = xstrdup(out->rows[i].kind);
    }
    out->events = sim_events(ss->sim);
    out->sim_time_s = (double)sim_now(ss->sim) / 1e9;
    out->wall_s = ss->clock(ss->clock_user) - ss->wall_start;
    out->partial = partial;
    out->overflowed = net_overflowed(ss->net);
}
