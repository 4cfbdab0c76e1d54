/* ui_load — the live view of archload --tui: loop, keys, panels; see ui_load.h. */
#include "ui_load.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui.h"
#include "ui_layout.h"
#include "ui_loop.h"
#include "ui_widget.h"
#include "xmalloc.h"

#define FRAME_S    0.1 /* 10 polls and frames a second */
#define BOTTOM_MAX 7   /* lines of the status code / error panels: title, header, 5 rows */

static const struct ui_col code_cols[] = {
    {"status", 6, 8, 0, -1, 0},
    {"count", 10, 0, 1, -1, 0},
};

static const struct ui_col kind_cols[] = {
    {"error", 8, 10, 0, -1, 0},
    {"count", 10, 0, 1, -1, 0},
};

struct rects {
    struct ui_rect status, counters, chart_a, chart_b, codes, kinds, hint;
    int too_small;
};

struct view {
    const struct ui_load_opts *o; /* borrowed: the snapshot source */
    struct ui *ui;
    struct ui_load_snap *live;  /* the latest poll */
    struct ui_load_snap *shown; /* what the widgets show: frozen while paused */
    struct rects r;
    struct ui_chart thr, lat;
    struct ui_table codes, kinds;
    int paused, help;
};

typedef int key_fn(struct view *v);

/* A key, its name and help line (NULL: not listed), and its handler. */
struct key {
    int key;
    const char *name;
    const char *help;
    key_fn *fn;
};

/* --- layout: status, counters, the two charts, codes | errors, hint ------------------------- */

static void layout(struct view *v) {
    struct rects *r = &v->r;
    int cols, lines, bottom, chart_h, half;

    ui_size(v->ui, &cols, &lines);
    memset(r, 0, sizeof *r);
    r->too_small = cols < UI_MIN_COLS || lines < UI_MIN_LINES;
    if (r->too_small) return;
    /* The charts get what the fixed lines (status, counters, hint) and the bottom panels
     * leave; the bottom panels shrink first on short terminals, down to a title, a header and
     * two rows. */
    bottom = lines >= 22 ? BOTTOM_MAX : 4;
    chart_h = lines - 3 - bottom;
    half = cols / 2;
    r->status = (struct ui_rect){0, 0, cols, 1};
    r->counters = (struct ui_rect){0, 1, cols, 1};
    r->chart_a = (struct ui_rect){0, 2, half, chart_h};
    r->chart_b = (struct ui_rect){half, 2, cols - half, chart_h};
    r->codes = (struct ui_rect){0, 2 + chart_h, half, bottom};
    r->kinds = (struct ui_rect){half, 2 + chart_h, cols - half, bottom};
    r->hint = (struct ui_rect){0, lines - 1, cols, 1};
}

/* --- update: snapshot → widgets ------------------------------------------------------------ */

static unsigned code_role(int code) {
    if (code >= 200 && code < 300) return UI_GOOD;
    if (code == 429 || code == 503) return UI_WARN;
    if (code >= 400 || code == 0) return UI_BAD;
    return UI_NORMAL;
}

static void update(struct view *v) {
    const struct ui_load_snap *s = v->shown;
    size_t n = s->n, nk = 0;
    uint64_t max = 0;
    char la[48], val[24];

    if (n == 0) {
        ui_chart_update(&v->thr, NULL, NULL, 0, 0, 0, "rps -", NULL);
        ui_chart_update(&v->lat, NULL, NULL, 0, 0, 0, "p99 -", NULL);
    } else {
        snprintf(la, sizeof la, "rps %s", ui_fmt_si(s->rps[n - 1], val, sizeof val));
        ui_chart_update(&v->thr, s->rps, NULL, n, s->t_end_s[0], s->t_end_s[n - 1], la, NULL);
        snprintf(la, sizeof la, "p99 %s", ui_fmt_ns(s->p99_ms[n - 1] * 1e6, val, sizeof val));
        ui_chart_update(&v->lat, s->p99_ms, NULL, n, s->t_end_s[0], s->t_end_s[n - 1], la, NULL);
    }

    for (size_t i = 0; i < s->ncodes; i++)
        if (s->codes[i].count > max) max = s->codes[i].count;
    ui_table_rows(&v->codes, s->ncodes ? s->ncodes : 1);
    if (!s->ncodes) {
        ui_table_set(&v->codes, 0, 0, UI_DIM, "-");
        ui_table_set(&v->codes, 0, 1, UI_DIM, "no responses yet");
    }
    for (size_t i = 0; i < s->ncodes; i++) {
        const struct ui_load_code *c = &s->codes[i];
        unsigned role = code_role(c->code);
        if (c->code)
            ui_table_set(&v->codes, i, 0, role, "%d", c->code);
        else
            ui_table_set(&v->codes, i, 0, role, "other");
        ui_table_set_bar(&v->codes, i, 1, (double)c->count / (double)max, role, "%llu",
                         (unsigned long long)c->count);
    }

    max = 0;
    for (size_t i = 0; i < s->nkinds; i++) {
        if (s->kinds[i].count > max) max = s->kinds[i].count;
        if (s->kinds[i].count) nk++;
    }
    ui_table_rows(&v->kinds, nk ? nk : 1);
    if (!nk) {
        ui_table_set(&v->kinds, 0, 0, UI_DIM, "-");
        ui_table_set(&v->kinds, 0, 1, UI_GOOD, "no errors");
    }
    nk = 0;
    for (size_t i = 0; i < s->nkinds; i++) {
        if (!s->kinds[i].count) continue;
        ui_table_set(&v->kinds, nk, 0, UI_BAD, "%s", s->kinds[i].name);
        ui_table_set_bar(&v->kinds, nk, 1, (double)s->kinds[i].count / (double)max, UI_BAD, "%llu",
                         (unsigned long long)s->kinds[i].count);
        nk++;
    }
}

/* --- draw ---------------------------------------------------------------------------------- */

static void draw_status(struct view *v) {
    const struct ui_load_snap *s = v->shown;
    const struct ui_rect *r = &v->r.status;
    static const char *const states[] = {"RUNNING", "STOPPING", "ENDED"};
    const char *state = v->paused ? "DISPLAY PAUSED" : states[s->state];
    char head[64], tail[400], dur[32] = "";
    int x;

    /* time and state first, the URL last: on a narrow terminal the URL is what gets cut */
    if (s->duration_s > 0) snprintf(dur, sizeof dur, "/%gs", s->duration_s);
    snprintf(head, sizeof head, " archload  t=%.1fs%s  ", s->elapsed_s, dur);
    snprintf(tail, sizeof tail, "  %s  conns %u  %s", s->load, s->connections, s->target);
    ui_repeat(v->ui, r->x, r->y, r->w, UI_STATUS, " ");
    ui_text(v->ui, r->x, r->y, r->w, UI_STATUS, head);
    x = ui_text_cols(head);
    if (x >= r->w) return;
    ui_text(v->ui, r->x + x, r->y, r->w - x,
            v->paused || s->state != UI_LOAD_RUNNING ? UI_WARN | UI_REVERSE : UI_STATUS, state);
    x += ui_text_cols(state);
    if (x < r->w) ui_text(v->ui, r->x + x, r->y, r->w - x, UI_STATUS, tail);
}

static void draw_counters(struct view *v) {
    const struct ui_load_snap *s = v->shown;
    const struct ui_rect *r = &v->r.counters;

    ui_textf(v->ui, r->x, r->y, r->w, UI_NORMAL,
             " sent %llu  done %llu  rejected %llu  errors %llu  in flight %llu  (since start)",
             (unsigned long long)s->sent, (unsigned long long)s->completed,
             (unsigned long long)s->rejected, (unsigned long long)s->errors,
             (unsigned long long)s->in_flight);
}

static void draw_hint(struct view *v) {
    const struct ui_rect *r = &v->r.hint;

    if (v->paused)
        ui_text(v->ui, r->x, r->y, r->w, UI_WARN,
                "display frozen; requests are still being sent - space resumes, q stops the run");
    else if (v->shown->state == UI_LOAD_STOPPING)
        ui_text(v->ui, r->x, r->y, r->w, UI_WARN,
                "stopping: waiting for the answers in flight - q leaves and prints the summary");
    else
        ui_text(v->ui, r->x, r->y, r->w, UI_DIM,
                "q stop the run and print the summary  space freeze the display  ? help");
}

static void draw_panel(struct view *v, const char *title, struct ui_table *t,
                       const struct ui_rect *r, int w) {
    ui_title_draw(v->ui, title, r->x, r->y, w);
    ui_table_draw(v->ui, t, r->x + 1, r->y + 1, w - 1, r->h - 1, -1);
}

/* --- keys ---------------------------------------------------------------------------------- */

static int key_pause(struct view *v) {
    v->paused = !v->paused;
    if (!v->paused) {
        memcpy(v->shown, v->live, sizeof *v->shown);
        update(v);
    }
    return UI_HANDLED | UI_REDRAW;
}

static int key_help(struct view *v) {
    v->help = !v->help;
    return UI_HANDLED | UI_REDRAW;
}

static int key_quit(struct view *v) {
    (void)v;
    return UI_HANDLED | UI_QUIT;
}

static int key_escape(struct view *v) {
    v->help = 0;
    return UI_HANDLED | UI_REDRAW;
}

static int key_resize(struct view *v) {
    layout(v);
    return UI_HANDLED | UI_REDRAW;
}

static const struct key keys[] = {
    {' ', "space", "freeze / resume the display (the load keeps running)", key_pause},
    {'?', "?", "this help", key_help},
    {'q', "q", "stop the run (like Ctrl-C), print the summary", key_quit},
    {UI_KEY_ESC, NULL, NULL, key_escape},
    {UI_KEY_RESIZE, NULL, NULL, key_resize},
};
static const size_t nkeys = sizeof keys / sizeof keys[0];

static void draw_help(struct view *v) {
    int cols, lines, w, h = 4, x0, y0, row = 0;

    ui_size(v->ui, &cols, &lines);
    w = cols - 4 < 64 ? cols - 4 : 64;
    for (size_t i = 0; i < nkeys; i++)
        if (keys[i].help) h++;
    if (h > lines - 2) h = lines - 2;
    x0 = (cols - w) / 2;
    y0 = (lines - h) / 2;
    for (int y = 0; y < h; y++)
        ui_repeat(v->ui, x0, y0 + y, w, UI_STATUS, " ");
    ui_text(v->ui, x0 + 2, y0, w - 4, UI_STATUS, "keys");
    for (size_t i = 0; i < nkeys && row + 2 < h - 1; i++) {
        if (!keys[i].help) continue;
        ui_textf(v->ui, x0 + 2, y0 + 2 + row, w - 4, UI_STATUS, "%-7s %s", keys[i].name,
                 keys[i].help);
        row++;
    }
    ui_text(v->ui, x0 + 2, y0 + h - 1, w - 4, UI_STATUS, "any key closes this help");
}

static void draw(struct view *v) {
    const struct rects *r = &v->r;

    ui_erase(v->ui);
    if (r->too_small) {
        int cols, lines;
        ui_size(v->ui, &cols, &lines);
        ui_textf(v->ui, 0, lines / 2, cols, UI_WARN,
                 "terminal too small: %dx%d (need %dx%d); q stops the run", cols, lines,
                 UI_MIN_COLS, UI_MIN_LINES);
        ui_flush(v->ui);
        return;
    }
    draw_status(v);
    draw_counters(v);
    ui_chart_draw(v->ui, &v->thr, r->chart_a.x, r->chart_a.y, r->chart_a.w - 1, r->chart_a.h);
    ui_chart_draw(v->ui, &v->lat, r->chart_b.x, r->chart_b.y, r->chart_b.w, r->chart_b.h);
    draw_panel(v, "status codes", &v->codes, &r->codes, r->codes.w - 1);
    draw_panel(v, "errors by kind", &v->kinds, &r->kinds, r->kinds.w);
    draw_hint(v);
    if (v->help) draw_help(v);
    ui_flush(v->ui);
}

static int handle_key(struct view *v, int key) {
    if (v->help && key != UI_KEY_RESIZE) {
        v->help = 0; /* any key closes the help */
        return UI_HANDLED | UI_REDRAW;
    }
    if (v->r.too_small && key != 'q' && key != UI_KEY_RESIZE) return 0;
    for (size_t i = 0; i < nkeys; i++)
        if (keys[i].key == key) return keys[i].fn(v);
    return 0;
}

/* --- the loop ------------------------------------------------------------------------------ */

static int loop_key(void *user, int key) {
    return handle_key(user, key);
}

static void loop_redraw(void *user) {
    draw(user);
}

/* A frame: poll the run; show the poll unless paused (the poll still tells when it ended). */
static int loop_frame(void *user, double now) {
    struct view *v = user;

    (void)now;
    v->o->snapshot(v->o->user, v->live);
    if (v->live->state == UI_LOAD_ENDED) return 1;
    if (!v->paused) {
        memcpy(v->shown, v->live, sizeof *v->shown);
        update(v);
    }
    draw(v);
    return 0;
}

int ui_load_run(const struct ui_load_opts *o, struct err *err) {
    struct view v;
    struct ui_loop loop;
    int rc;

    memset(&v, 0, sizeof v);
    v.o = o;
    v.ui = ui_open(err);
    if (!v.ui) return -1;
    /* Two snapshots: the latest poll, and the one on screen (they differ while paused, so a
     * frozen display still learns when the run ends). */
    v.live = xcalloc(1, sizeof *v.live);
    v.shown = xcalloc(1, sizeof *v.shown);
    ui_chart_init(&v.thr, "throughput", "req/s", "s", UI_DS_MEAN);
    ui_chart_init(&v.lat, "p99 latency", "ms", "s", UI_DS_MAX);
    ui_table_init(&v.codes, code_cols, sizeof code_cols / sizeof code_cols[0]);
    ui_table_init(&v.kinds, kind_cols, sizeof kind_cols / sizeof kind_cols[0]);
    o->snapshot(o->user, v.live);
    memcpy(v.shown, v.live, sizeof *v.shown);
    update(&v);
    layout(&v);
    draw(&v);
    loop = (struct ui_loop){.ui = v.ui,
                            .stop = o->stop,
                            .frame_s = FRAME_S,
                            .first_frame_now = 0,
                            .user = &v,
                            .key = loop_key,
                            .redraw = loop_redraw,
                            .frame = loop_frame};
    switch (ui_loop_run(&loop)) {
        case UI_LOOP_STOPPED:
            rc = UI_LOAD_STOPPED;
            break;
        case UI_LOOP_ENDED:
            rc = UI_LOAD_END;
            break;
        default:
            rc = UI_LOAD_QUIT;
    }
    ui_close(v.ui);
    ui_table_free(&v.codes);
    ui_table_free(&v.kinds);
    free(v.live);
    free(v.shown);
    return rc;
}
