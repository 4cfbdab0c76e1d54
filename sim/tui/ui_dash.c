/* ui_dash — the live dashboard: loop, keys, panels; see ui_dash.h. */
#include "ui_dash.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hist.h"
#include "model.h"
#include "ui.h"
#include "ui_layout.h"
#include "ui_loop.h"
#include "ui_widget.h"
#include "units.h"
#include "xmalloc.h"

#define FRAME_S      (1.0 / 15) /* 15 frames a second */
#define ENGINE_SHARE 0.6        /* of a frame, at most, for the simulation */
#define MAX_DT_S     0.5        /* wall time counted at most per frame (after ^Z, a stall) */
#define MSG_S        4.0        /* how long an action's message stays */
#define SLOW_FACTOR  4.0
#define RATE_STEP    1.1
#define HISTORY      120 /* intervals shown in the charts */

/* The component table's columns. */
enum {
    COL_NAME,
    COL_KIND,
    COL_STATE,
    COL_UTIL,
    COL_QUEUE,
    COL_RPS,
    COL_P99,
    COL_ERR,
    COL_EXTRA,
    NCOLS
};

static const struct ui_col table_cols[NCOLS] = {
    [COL_NAME] = {"component", 10, 18, 1, -1, 0}, [COL_KIND] = {"kind", 8, 0, 0, 2, 0},
    [COL_STATE] = {"state", 5, 0, 0, 8, 0},       [COL_UTIL] = {"utilization", 10, 0, 3, 7, 0},
    [COL_QUEUE] = {"queue", 6, 0, 0, 5, 1},       [COL_RPS] = {"rps", 7, 0, 0, 6, 1},
    [COL_P99] = {"p99", 7, 0, 0, 6, 1},           [COL_ERR] = {"errors", 6, 0, 0, 4, 1},
    [COL_EXTRA] = {"hit/lag", 10, 0, 0, 3, 0},
};

struct dash {
    struct ui *ui;
    struct ui_session *ss;
    const struct run_scenario *s;
    struct ui_snapshot snap;
    struct ui_dash_rects r;
    struct ui_table table;
    struct ui_chart thr, lat;
    struct ui_log log;
    struct ui_hbars hbars;
    size_t sel;
    int help, detail;
    char msg[200];
    unsigned msg_role;
    double msg_until;
    double wall;         /* now, s */
    double last_advance; /* wall time the simulation was last advanced to, s */
    int64_t *bucket_lo;  /* scratch for the detail histogram */
    uint64_t *bucket_count;
};

typedef int key_fn(struct dash *d);

/* A key, its name and help line (NULL: an alias, not listed), and its handler. */
struct key {
    int key;
    const char *name;
    const char *help;
    key_fn *fn;
};

static void say(struct dash *d, unsigned role, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void say(struct dash *d, unsigned role, const char *fmt, ...) {
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(d->msg, sizeof d->msg, fmt, ap);
    va_end(ap);
    d->msg_role = role;
    d->msg_until = d->wall + MSG_S;
}

static const char *short_kind(const char *kind) {
    if (strcmp(kind, "load_balancer") == 0) return "balancer";
    if (strcmp(kind, "replica_set") == 0) return "replicas";
    return kind;
}

static char *fmt_speed(double speed, char *buf, size_t n) {
    if (isinf(speed))
        snprintf(buf, n, "max");
    else
        snprintf(buf, n, "%gx", speed);
    return buf;
}

/* --- update: snapshot → widgets ------------------------------------------------------------ */

static void layout(struct dash *d) {
    int cols, lines;

    ui_size(d->ui, &cols, &lines);
    ui_layout_dash(cols, lines, (int)d->snap.ncomps + 1, &d->r);
}

/* The hit ratio, a lag or the instance count, whichever the component has. */
static void extra_text(const struct model_row *row, char *buf, size_t n) {
    char v[24];

    buf[0] = '\0';
    if (!row) return;
    if (!isnan(row->extra[MX_HIT_RATIO]))
        snprintf(buf, n, "hit %.0f%%", row->extra[MX_HIT_RATIO] * 100);
    else if (!isnan(row->extra[MX_REPLICATION_LAG_MS]))
        snprintf(buf, n, "lag %s", ui_fmt_ns(row->extra[MX_REPLICATION_LAG_MS] * 1e6, v, sizeof v));
    else if (!isnan(row->extra[MX_CONSUMER_LAG]))
        snprintf(buf, n, "lag %s", ui_fmt_si(row->extra[MX_CONSUMER_LAG], v, sizeof v));
    else if (!isnan(row->extra[MX_REPLICAS]))
        snprintf(buf, n, "inst %.1f", row->extra[MX_REPLICAS]);
}

static void fill_rates(struct ui_table *t, size_t i, const struct model_row *row) {
    char v[24];

    if (!row) {
        ui_table_set(t, i, COL_RPS, UI_DIM, "-");
        ui_table_set(t, i, COL_P99, UI_DIM, "-");
        ui_table_set(t, i, COL_ERR, UI_DIM, "-");
        return;
    }
    ui_table_set(t, i, COL_RPS, UI_NORMAL, "%s", ui_fmt_si(row->throughput_rps, v, sizeof v));
    ui_table_set(t, i, COL_P99, UI_NORMAL, "%s", ui_fmt_ns(row->latency_p99_ms * 1e6, v, sizeof v));
    if (isnan(row->error_rate))
        ui_table_set(t, i, COL_ERR, UI_DIM, "-");
    else
        ui_table_set(t, i, COL_ERR, row->error_rate > 0 ? UI_BAD : UI_NORMAL, "%.1f%%",
                     row->error_rate * 100);
}

static void update_table(struct dash *d) {
    const struct ui_snapshot *sn = &d->snap;
    struct ui_table *t = &d->table;
    size_t n = sn->ncomps;
    char v[24], extra[32];

    ui_table_rows(t, n + 1);
    for (size_t i = 0; i < n; i++) {
        const struct comp *c = ui_session_comp(d->ss, i);
        const struct model_row *row = sn->rows ? &sn->rows[i] : NULL;
        ui_table_set(t, i, COL_NAME, UI_NORMAL, "%s", c->name);
        ui_table_set(t, i, COL_KIND, UI_DIM, "%s", short_kind(c->ops->kind));
        if (c->down)
            ui_table_set(t, i, COL_STATE, UI_BAD, "down");
        else if (c->slow != 1.0)
            ui_table_set(t, i, COL_STATE, UI_WARN, "slow");
        else
            ui_table_set(t, i, COL_STATE, UI_GOOD, "up");
        if (row && !isnan(row->utilization))
            ui_table_set_bar(t, i, COL_UTIL, row->utilization,
                             row->utilization >= 0.9   ? UI_BAD
                             : row->utilization >= 0.7 ? UI_WARN
                                                       : UI_GOOD,
                             "%3.0f%%", row->utilization * 100);
        else
            ui_table_set(t, i, COL_UTIL, UI_DIM, "-");
        if (row && !isnan(row->queue_mean))
            ui_table_set(t, i, COL_QUEUE, UI_NORMAL, "%s",
                         ui_fmt_si(ui_session_queue_now(d->ss, i), v, sizeof v));
        else
            ui_table_set(t, i, COL_QUEUE, UI_DIM, "-");
        fill_rates(t, i, row);
        extra_text(row, extra, sizeof extra);
        ui_table_set(t, i, COL_EXTRA, UI_NORMAL, "%s", extra);
    }
    {
        const struct model_row *row = sn->rows ? &sn->rows[n] : NULL;
        ui_table_set(t, n, COL_NAME, UI_TITLE, "total");
        ui_table_set(t, n, COL_KIND, UI_DIM, "end2end");
        ui_table_set(t, n, COL_STATE, UI_DIM, "%s", "");
        ui_table_set(t, n, COL_UTIL, UI_DIM, "%s", "");
        ui_table_set(t, n, COL_QUEUE, UI_DIM, "%s", "");
        fill_rates(t, n, row);
        if (row && !isnan(row->goodput_rps))
            ui_table_set(t, n, COL_EXTRA, UI_NORMAL, "good %s",
                         ui_fmt_si(row->goodput_rps, v, sizeof v));
        else
            ui_table_set(t, n, COL_EXTRA, UI_NORMAL, "%s", "");
    }
}

static void update_charts(struct dash *d) {
    const struct ui_snapshot *sn = &d->snap;
    size_t n = sn->nseries, first = n > HISTORY ? n - HISTORY : 0, m = n - first;
    int any_good = 0;
    char la[48], lb[48], v[24];

    for (size_t i = first; i < n; i++)
        if (!isnan(sn->goodput_rps[i])) any_good = 1;
    if (m == 0) {
        ui_chart_update(&d->thr, NULL, NULL, 0, 0, 0, NULL, NULL);
        ui_chart_update(&d->lat, NULL, NULL, 0, 0, 0, NULL, NULL);
        return;
    }
    snprintf(la, sizeof la, "thr %s", ui_fmt_si(sn->throughput_rps[n - 1], v, sizeof v));
    snprintf(lb, sizeof lb, "good %s", ui_fmt_si(sn->goodput_rps[n - 1], v, sizeof v));
    ui_chart_update(&d->thr, sn->throughput_rps + first, any_good ? sn->goodput_rps + first : NULL,
                    m, sn->t_end_s[first], sn->t_end_s[n - 1], la,
                    any_good ? lb : "goodput: no deadline");
    snprintf(la, sizeof la, "p99 %s", ui_fmt_ns(sn->p99_ms[n - 1] * 1e6, v, sizeof v));
    ui_chart_update(&d->lat, sn->p99_ms + first, NULL, m, sn->t_end_s[first], sn->t_end_s[n - 1],
                    la, NULL);
}

/* Colour of an event by what happened. */
static unsigned event_role(const struct net_event *ev) {
    static const char *const bad[] = {"crash", "cut", "partition", "drop", "detect", NULL};
    static const char *const good[] = {"recover", "heal", "link-ok", "ready", "restore", NULL};

    for (size_t i = 0; bad[i]; i++)
        if (strcmp(ev->what, bad[i]) == 0) return UI_BAD;
    for (size_t i = 0; good[i]; i++)
        if (strcmp(ev->what, good[i]) == 0) return UI_GOOD;
    if (strcmp(ev->what, "health") == 0) return strstr(ev->detail, "down") ? UI_BAD : UI_GOOD;
    if (strcmp(ev->what, "breaker") == 0) return strstr(ev->detail, "open") ? UI_BAD : UI_WARN;
    return UI_WARN;
}

static void add_events(struct ui_log *l, const struct net_event *ev, size_t n) {
    for (size_t i = 0; i < n; i++)
        ui_log_add(l, event_role(&ev[i]), "%8.3fs %-9s %-8s %s", (double)ev[i].t_ns / 1e9,
                   ev[i].component[0] ? ev[i].component : "-", ev[i].what, ev[i].detail);
}

static void update_log(struct dash *d) {
    ui_log_clear(&d->log);
    add_events(&d->log, d->snap.ev_a, d->snap.nev_a);
    add_events(&d->log, d->snap.ev_b, d->snap.nev_b);
}

static void update_detail(struct dash *d) {
    const struct hist *h = ui_session_latency(d->ss, d->sel);
    struct hist_iter it = {0};
    struct ui_bin bins[UI_HBARS_MAX];
    size_t n = 0, nb;
    char title[96];

    while (hist_next(h, &it)) {
        d->bucket_lo[n] = it.lo;
        d->bucket_count[n] = it.count;
        n++;
    }
    nb = ui_bins_125(d->bucket_lo, d->bucket_count, n, bins, UI_HBARS_MAX);
    snprintf(title, sizeof title, "latency of %s (%llu samples)",
             ui_session_comp(d->ss, d->sel)->name, (unsigned long long)hist_count(h));
    ui_hbars_update(&d->hbars, title, bins, nb);
}

static void update(struct dash *d) {
    ui_session_snapshot(d->ss, &d->snap);
    if (d->sel >= d->snap.ncomps) d->sel = d->snap.ncomps ? d->snap.ncomps - 1 : 0;
    update_table(d);
    update_charts(d);
    update_log(d);
    if (d->detail) update_detail(d);
}

/* --- draw ---------------------------------------------------------------------------------- */

static void draw_status(struct dash *d) {
    const struct ui_snapshot *sn = &d->snap;
    const struct ui_rect *r = &d->r.status;
    static const char *const states[] = {"RUNNING", "PAUSED", "STEPPING", "ENDED"};
    char line[512], sp[24], ach[48] = "", rate[48], dur[32], v[24];
    double speed = ui_speed_at(sn->speed);

    fmt_speed(speed, sp, sizeof sp);
    if (sn->state == UI_RUNNING && !isnan(sn->achieved) &&
        (isinf(speed) || sn->achieved < 0.8 * speed))
        snprintf(ach, sizeof ach, " (at %.3gx)", sn->achieved);
    if (sn->users)
        snprintf(rate, sizeof rate, "users %u", sn->users);
    else if (!isnan(sn->rate_per_s))
        snprintf(rate, sizeof rate, "rate %s/s", ui_fmt_si(sn->rate_per_s, v, sizeof v));
    else if (sn->rate_scale != 1.0)
        snprintf(rate, sizeof rate, "rate x%.3g", sn->rate_scale);
    else
        snprintf(rate, sizeof rate, "rate by phases");
    snprintf(line, sizeof line, " archsim %s  t=%.3fs/%s%s  %s  speed %s%s  seed %llu  %s",
             d->s->name, (double)sn->now_ns / 1e9,
             units_format_duration(sn->duration_ns, dur, sizeof dur),
             sn->now_ns < d->s->warmup_ns ? " (warm-up)" : "", states[sn->state], sp, ach,
             (unsigned long long)sn->seed, rate);
    ui_repeat(d->ui, r->x, r->y, r->w, UI_STATUS, " ");
    ui_text(d->ui, r->x, r->y, r->w, UI_STATUS, line);
}

static void draw_hint(struct dash *d) {
    const struct ui_rect *r = &d->r.hint;

    if (d->msg_until > d->wall)
        ui_text(d->ui, r->x, r->y, r->w, d->msg_role, d->msg);
    else if (d->snap.state == UI_ENDED)
        ui_text(d->ui, r->x, r->y, r->w, UI_WARN,
                d->snap.overflowed == NET_STOP_ZERO_TIME
                    ? "stopped: closed users sending while the clock stands still (no think "
                      "time) - r restart, q quit"
                : d->snap.overflowed
                    ? "stopped: too many requests in flight (the system cannot keep up) - "
                      "r restart, q quit"
                    : "the scenario has ended - r restart, q quit (prints the summary)");
    else
        ui_text(d->ui, r->x, r->y, r->w, UI_DIM,
                "q quit  ? help  space pause  +/- speed  n step  up/down select  k crash  "
                "s slow  [ ] rate  r restart  d detail");
}

static void draw_detail(struct dash *d) {
    const struct ui_rect *r = &d->r.detail;
    const struct comp *c = ui_session_comp(d->ss, d->sel);
    struct model_row row;
    int lw = r->w * 2 / 5 < 34 ? (r->w < 68 ? r->w / 2 : 34) : r->w * 2 / 5, y = r->y + 1;
    int bottom = r->y + r->h;
    char title[96], a[24], b[24];

    ui_session_summary_row(d->ss, d->sel, &row);
    snprintf(title, sizeof title, "%s: %s, %s (d: back)", c->name, c->ops->kind,
             c->down          ? "down"
             : c->slow != 1.0 ? "slow"
                              : "up");
    ui_title_draw(d->ui, title, r->x, r->y, lw);
#define LINE(role, ...)                                                                            \
    do {                                                                                           \
        if (y < bottom) ui_textf(d->ui, r->x + 1, y++, lw - 2, role, __VA_ARGS__);                 \
    } while (0)
    if (d->snap.now_ns < d->s->warmup_ns)
        LINE(UI_WARN, "in warm-up: counters start at %.3fs", (double)d->s->warmup_ns / 1e9);
    else
        LINE(UI_DIM, "since warm-up (%.3fs)", (double)d->s->warmup_ns / 1e9);
    LINE(UI_NORMAL, "arrivals    %12llu", (unsigned long long)row.arrivals);
    LINE(UI_NORMAL, "completions %12llu", (unsigned long long)row.completions);
    LINE(row.rejected ? UI_BAD : UI_NORMAL, "rejected    %12llu", (unsigned long long)row.rejected);
    LINE(row.errors ? UI_BAD : UI_NORMAL, "errors      %12llu", (unsigned long long)row.errors);
    LINE(row.lost ? UI_BAD : UI_NORMAL, "lost        %12llu", (unsigned long long)row.lost);
    LINE(UI_NORMAL, "in flight   %12llu", (unsigned long long)row.in_flight);
    LINE(UI_NORMAL, "throughput  %10s/s", ui_fmt_si(row.throughput_rps, a, sizeof a));
    if (!isnan(row.utilization)) LINE(UI_NORMAL, "utilization %12.3f", row.utilization);
    if (!isnan(row.queue_mean)) LINE(UI_NORMAL, "queue mean  %12.2f", row.queue_mean);
    LINE(UI_NORMAL, "mean        %12s", ui_fmt_ns(row.latency_mean_ms * 1e6, a, sizeof a));
    LINE(UI_NORMAL, "p50 / p90   %s / %s", ui_fmt_ns(row.latency_p50_ms * 1e6, a, sizeof a),
         ui_fmt_ns(row.latency_p90_ms * 1e6, b, sizeof b));
    LINE(UI_NORMAL, "p99 / p99.9 %s / %s", ui_fmt_ns(row.latency_p99_ms * 1e6, a, sizeof a),
         ui_fmt_ns(row.latency_p999_ms * 1e6, b, sizeof b));
    LINE(UI_NORMAL, "max         %12s", ui_fmt_ns(row.latency_max_ms * 1e6, a, sizeof a));
    for (int x = MX_TIMEOUTS; x < MX_COUNT; x++)
        if (!isnan(row.extra[x]))
            LINE(UI_NORMAL, "%-22s %.6g", model_extra_name((enum model_extra)x), row.extra[x]);
#undef LINE
    ui_hbars_draw(d->ui, &d->hbars, r->x + lw + 1, r->y, r->w - lw - 1, r->h);
}

/* --- keys ---------------------------------------------------------------------------------- */

static int key_pause(struct dash *d) {
    ui_session_toggle_pause(d->ss);
    return UI_HANDLED | UI_REDRAW;
}

static int speed_by(struct dash *d, int dir) {
    size_t i = ui_session_speed(d->ss);
    char sp[24];

    if (dir > 0 && i + 1 < ui_speed_count()) i++;
    if (dir < 0 && i > 0) i--;
    ui_session_set_speed(d->ss, i);
    say(d, UI_NORMAL, "speed %s", fmt_speed(ui_speed_at(i), sp, sizeof sp));
    return UI_HANDLED | UI_REDRAW;
}

static int key_faster(struct dash *d) {
    return speed_by(d, 1);
}

static int key_slower(struct dash *d) {
    return speed_by(d, -1);
}

static int key_step(struct dash *d) {
    struct err err;

    if (ui_session_step(d->ss, &err)) say(d, UI_BAD, "%s", err.msg);
    return UI_HANDLED | UI_REDRAW;
}

static int key_up(struct dash *d) {
    if (d->sel > 0) d->sel--;
    return UI_HANDLED | UI_REDRAW;
}

static int key_down(struct dash *d) {
    if (d->sel + 1 < d->snap.ncomps) d->sel++;
    return UI_HANDLED | UI_REDRAW;
}

static int key_crash(struct dash *d) {
    const struct comp *c = ui_session_comp(d->ss, d->sel);
    struct err err;

    if (ui_session_toggle_crash(d->ss, d->sel, &err))
        say(d, UI_BAD, "%s", err.msg);
    else
        say(d, c->down ? UI_BAD : UI_GOOD, "%s %s", c->name, c->down ? "crashed" : "recovered");
    return UI_HANDLED | UI_REDRAW;
}

static int key_slow(struct dash *d) {
    const struct comp *c = ui_session_comp(d->ss, d->sel);
    struct err err;

    if (ui_session_toggle_slow(d->ss, d->sel, SLOW_FACTOR, &err))
        say(d, UI_BAD, "%s", err.msg);
    else if (c->slow != 1.0)
        say(d, UI_WARN, "%s slowed: service times x%g", c->name, c->slow);
    else
        say(d, UI_GOOD, "%s restored", c->name);
    return UI_HANDLED | UI_REDRAW;
}

static int rate_by(struct dash *d, double factor) {
    struct err err;

    if (ui_session_scale_rate(d->ss, factor, &err))
        say(d, UI_BAD, "%s", err.msg);
    else
        say(d, UI_NORMAL, "arrival rate x%.3g", factor);
    return UI_HANDLED | UI_REDRAW;
}

static int key_rate_down(struct dash *d) {
    return rate_by(d, 1 / RATE_STEP);
}

static int key_rate_up(struct dash *d) {
    return rate_by(d, RATE_STEP);
}

static int key_restart(struct dash *d) {
    struct err err;

    if (ui_session_restart(d->ss, &err)) {
        say(d, UI_BAD, "restart failed: %s", err.msg); /* the current run goes on */
        return UI_HANDLED | UI_REDRAW;
    }
    say(d, UI_NORMAL, "restarted with seed %llu", (unsigned long long)d->s->seed);
    return UI_HANDLED | UI_REDRAW;
}

static int key_detail(struct dash *d) {
    d->detail = !d->detail;
    return UI_HANDLED | UI_REDRAW;
}

static int key_help(struct dash *d) {
    d->help = !d->help;
    return UI_HANDLED | UI_REDRAW;
}

static int key_quit(struct dash *d) {
    (void)d;
    return UI_HANDLED | UI_QUIT;
}

static int key_escape(struct dash *d) {
    d->detail = 0;
    d->help = 0;
    return UI_HANDLED | UI_REDRAW;
}

static int key_resize(struct dash *d) {
    layout(d);
    return UI_HANDLED | UI_REDRAW;
}

static const struct key keys[] = {
    {' ', "space", "pause / resume", key_pause},
    {'+', "+", "faster (0.1x ... 1000x, max)", key_faster},
    {'=', NULL, NULL, key_faster},
    {'-', "-", "slower", key_slower},
    {'_', NULL, NULL, key_slower},
    {'n', "n", "step one interval, then pause", key_step},
    {UI_KEY_UP, "up", "select the previous component", key_up},
    {UI_KEY_DOWN, "down", "select the next component", key_down},
    {'k', "k", "crash / recover the selected component", key_crash},
    {'s', "s", "slow the selected component x4 / restore it", key_slow},
    {'[', "[", "arrival rate -10 %", key_rate_down},
    {']', "]", "arrival rate +10 %", key_rate_up},
    {'r', "r", "restart with the same seed", key_restart},
    {'d', "d", "detail of the selected component / back", key_detail},
    {'?', "?", "this help", key_help},
    {'q', "q", "quit and print the summary", key_quit},
    {UI_KEY_ESC, NULL, NULL, key_escape},
    {UI_KEY_RESIZE, NULL, NULL, key_resize},
};
static const size_t nkeys = sizeof keys / sizeof keys[0];

/* --- help and the whole frame (after the key table, which the help lists) ----------------- */

static void draw_help(struct dash *d) {
    int cols, lines, w, h, x0, y0, row = 0;

    ui_size(d->ui, &cols, &lines);
    w = cols - 4 < 60 ? cols - 4 : 60;
    h = 0;
    for (size_t i = 0; i < nkeys; i++)
        if (keys[i].help) h++;
    h += 4;
    if (h > lines - 2) h = lines - 2;
    x0 = (cols - w) / 2;
    y0 = (lines - h) / 2;
    for (int y = 0; y < h; y++)
        ui_repeat(d->ui, x0, y0 + y, w, UI_STATUS, " ");
    ui_text(d->ui, x0 + 2, y0, w - 4, UI_STATUS, "keys");
    for (size_t i = 0; i < nkeys && row + 2 < h - 1; i++) {
        if (!keys[i].help) continue;
        ui_textf(d->ui, x0 + 2, y0 + 2 + row, w - 4, UI_STATUS, "%-7s %s", keys[i].name,
                 keys[i].help);
        row++;
    }
    ui_text(d->ui, x0 + 2, y0 + h - 1, w - 4, UI_STATUS, "any key closes this help");
}

static void draw(struct dash *d) {
    const struct ui_dash_rects *r = &d->r;
    char title[160];

    ui_erase(d->ui);
    if (r->too_small) {
        int cols, lines;
        ui_size(d->ui, &cols, &lines);
        ui_textf(d->ui, 0, lines / 2, cols, UI_WARN,
                 "terminal too small: %dx%d (need %dx%d); q quits", cols, lines, UI_MIN_COLS,
                 UI_MIN_LINES);
        ui_flush(d->ui);
        return;
    }
    draw_status(d);
    ui_table_draw(d->ui, &d->table, r->table.x, r->table.y, r->table.w, r->table.h, (long)d->sel);
    if (d->detail) {
        draw_detail(d);
    } else {
        ui_chart_draw(d->ui, &d->thr, r->chart_a.x, r->chart_a.y, r->chart_a.w - 1, r->chart_a.h);
        ui_chart_draw(d->ui, &d->lat, r->chart_b.x, r->chart_b.y, r->chart_b.w, r->chart_b.h);
        ui_log_draw(d->ui, &d->log, r->log.x, r->log.y, r->log.w - 1, r->log.h);
        snprintf(title, sizeof title, "about %s", d->s->name);
        ui_textbox_draw(d->ui, title,
                        d->s->description && d->s->description[0] ? d->s->description
                                                                  : "(no description)",
                        r->text.x, r->text.y, r->text.w, r->text.h);
    }
    draw_hint(d);
    if (d->help) draw_help(d);
    ui_flush(d->ui);
}

static int handle_key(struct dash *d, int key) {
    if (d->help && key != UI_KEY_RESIZE) {
        d->help = 0; /* any key closes the help */
        return UI_HANDLED | UI_REDRAW;
    }
    if (d->r.too_small && key != 'q' && key != UI_KEY_RESIZE) return 0;
    for (size_t i = 0; i < nkeys; i++)
        if (keys[i].key == key) return keys[i].fn(d);
    return 0;
}

/* --- the loop ------------------------------------------------------------------------------ */

static int loop_key(void *user, int key) {
    struct dash *d = user;
    d->wall = ui_wall_now();
    return handle_key(d, key);
}

static void loop_redraw(void *user) {
    struct dash *d = user;
    update(d);
    layout(d);
    draw(d);
}

/* A frame: advance the simulation by the wall time since the last (at most MAX_DT_S, within
 * ENGINE_SHARE of a frame), then draw. */
static int loop_frame(void *user, double now) {
    struct dash *d = user;
    double dt = now - d->last_advance;

    d->last_advance = now;
    ui_session_advance(d->ss, dt > MAX_DT_S ? MAX_DT_S : dt, FRAME_S * ENGINE_SHARE);
    d->wall = ui_wall_now();
    loop_redraw(d);
    return 0;
}

int ui_dash_run(const struct ui_dash_opts *o, struct run_rep *rep, struct err *err) {
    struct dash d;
    struct ui_loop loop;

    memset(&d, 0, sizeof d);
    d.s = o->scenario;
    d.ss = ui_session_new(o->scenario, &o->hooks, o->stop, err);
    if (!d.ss) return -1;
    if (o->speed > 0) ui_session_set_speed(d.ss, ui_speed_index(o->speed));
    d.ui = ui_open(err);
    if (!d.ui) {
        ui_session_free(d.ss);
        return -1;
    }
    d.bucket_lo = xmalloc(hist_bucket_total() * sizeof *d.bucket_lo);
    d.bucket_count = xmalloc(hist_bucket_total() * sizeof *d.bucket_count);
    ui_table_init(&d.table, table_cols, NCOLS);
    ui_chart_init(&d.thr, "throughput", "req/s", "s", UI_DS_MEAN);
    ui_chart_init(&d.lat, "p99 latency", "ms", "s", UI_DS_MAX);
    ui_log_init(&d.log, "events");
    d.wall = d.last_advance = ui_wall_now();
    loop_redraw(&d);
    loop = (struct ui_loop){.ui = d.ui,
                            .stop = o->stop,
                            .frame_s = FRAME_S,
                            .first_frame_now = 1,
                            .user = &d,
                            .key = loop_key,
                            .redraw = loop_redraw,
                            .frame = loop_frame};
    {
        int rc = ui_loop_run(&loop) == UI_LOOP_STOPPED;
        ui_close(d.ui);
        ui_session_result(d.ss, rep);
        ui_table_free(&d.table);
        free(d.bucket_lo);
        free(d.bucket_count);
        ui_session_free(d.ss);
        return rc;
    }
}
