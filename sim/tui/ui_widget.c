/* ui_widget — table, line chart, histogram bars, log, text box; see ui_widget.h. */
#include "ui_widget.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

/* Block elements of 1/8 .. 7/8 of a cell, left-aligned (U+258F .. U+2589). */
static const char *const eighths[8] = {
    "",
    "\xe2\x96\x8f",
    "\xe2\x96\x8e",
    "\xe2\x96\x8d",
    "\xe2\x96\x8c",
    "\xe2\x96\x8b",
    "\xe2\x96\x8a",
    "\xe2\x96\x89",
};

void ui_title_draw(struct ui *ui, const char *title, int x, int y, int w) {
    int tw;

    if (w <= 0) return;
    ui_repeat(ui, x, y, 1, UI_DIM, ui_glyph(ui, UI_G_HLINE));
    ui_textf(ui, x + 1, y, w - 1, UI_TITLE, " %s ", title);
    tw = ui_text_cols(title) + 3;
    if (tw < w) ui_repeat(ui, x + tw, y, w - tw, UI_DIM, ui_glyph(ui, UI_G_HLINE));
}

/* A bar of width cells filled to frac, in role: block elements in eighths, or '|'. */
static void draw_bar(struct ui *ui, int x, int y, int width, double frac, unsigned role) {
    if (ui_utf8(ui)) {
        int e = ui_bar_eighths(frac, width);
        ui_repeat(ui, x, y, e / 8, role, ui_glyph(ui, UI_G_FULL));
        if (e % 8) ui_text(ui, x + e / 8, y, 1, role, eighths[e % 8]);
    } else {
        ui_repeat(ui, x, y, ui_bar_cells(frac, width), role, "|");
    }
}

/* --- table --------------------------------------------------------------------------------- */

void ui_table_init(struct ui_table *t, const struct ui_col *cols, size_t ncols) {
    memset(t, 0, sizeof *t);
    t->cols = cols;
    t->ncols = ncols;
}

void ui_table_free(struct ui_table *t) {
    if (!t) return;
    free(t->cells);
    t->cells = NULL;
    t->nrows = t->cap = 0;
}

void ui_table_rows(struct ui_table *t, size_t nrows) {
    if (nrows > t->cap) {
        t->cells = xrealloc(t->cells, nrows * t->ncols * sizeof *t->cells);
        t->cap = nrows;
    }
    for (size_t i = t->nrows; i < nrows; i++)
        for (size_t c = 0; c < t->ncols; c++) {
            struct ui_cell *cell = &t->cells[i * t->ncols + c];
            cell->text[0] = '\0';
            cell->bar = NAN;
            cell->role = UI_NORMAL;
        }
    t->nrows = nrows;
    if (t->top >= nrows) t->top = 0;
}

static void set_cell(struct ui_table *t, size_t row, size_t col, double bar, unsigned role,
                     const char *fmt, va_list ap) {
    struct ui_cell *cell = &t->cells[row * t->ncols + col];

    vsnprintf(cell->text, sizeof cell->text, fmt, ap);
    cell->bar = bar;
    cell->role = role;
}

void ui_table_set(struct ui_table *t, size_t row, size_t col, unsigned role, const char *fmt, ...) {
    va_list ap;

    va_start(ap, fmt);
    set_cell(t, row, col, NAN, role, fmt, ap);
    va_end(ap);
}

void ui_table_set_bar(struct ui_table *t, size_t row, size_t col, double frac, unsigned role,
                      const char *fmt, ...) {
    va_list ap;

    va_start(ap, fmt);
    set_cell(t, row, col, frac, role, fmt, ap);
    va_end(ap);
}

/* Draw text in a cell of width w, left- or right-aligned. */
static void draw_aligned(struct ui *ui, int x, int y, int w, int right, unsigned role,
                         const char *s) {
    int tw = ui_text_cols(s);

    if (right && tw < w)
        ui_text(ui, x + w - tw, y, tw, role, s);
    else
        ui_text(ui, x, y, w, role, s);
}

void ui_table_draw(struct ui *ui, struct ui_table *t, int x, int y, int w, int h, long selected) {
    int widths[32], cx;
    size_t ncols = t->ncols < 32 ? t->ncols : 32, visible;

    if (w <= 0 || h <= 0) return;
    ui_columns(t->cols, ncols, w, widths);
    ui_repeat(ui, x, y, w, UI_HEADER, " ");
    cx = x;
    for (size_t c = 0; c < ncols; c++) {
        if (!widths[c]) continue;
        draw_aligned(ui, cx, y, widths[c], t->cols[c].right, UI_HEADER, t->cols[c].title);
        cx += widths[c] + 1;
    }
    visible = (size_t)(h - 1);
    if (selected >= 0 && visible > 0) {
        size_t sel = (size_t)selected;
        if (sel < t->top) t->top = sel;
        if (sel >= t->top + visible) t->top = sel - visible + 1;
    }
    if (t->top + visible > t->nrows) t->top = t->nrows > visible ? t->nrows - visible : 0;
    for (size_t i = 0; i < visible && t->top + i < t->nrows; i++) {
        size_t r = t->top + i;
        unsigned rev = (long)r == selected ? UI_REVERSE : 0;
        int ly = y + 1 + (int)i;
        if (rev) ui_repeat(ui, x, ly, w, UI_NORMAL | UI_REVERSE, " ");
        cx = x;
        for (size_t c = 0; c < ncols; c++) {
            const struct ui_cell *cell = &t->cells[r * t->ncols + c];
            int cw = widths[c];
            if (!cw) continue;
            if (!isnan(cell->bar)) {
                int tw = ui_text_cols(cell->text), bw = cw - tw - 1;
                if (bw >= 2) {
                    draw_bar(ui, cx, ly, bw, cell->bar, cell->role | rev);
                    draw_aligned(ui, cx + bw + 1, ly, tw, 1, cell->role | rev, cell->text);
                } else {
                    draw_aligned(ui, cx, ly, cw, 1, cell->role | rev, cell->text);
                }
            } else {
                draw_aligned(ui, cx, ly, cw, t->cols[c].right, cell->role | rev, cell->text);
            }
            cx += cw + 1;
        }
    }
}

/* --- line chart ---------------------------------------------------------------------------- */

void ui_chart_init(struct ui_chart *c, const char *title, const char *unit, const char *x_unit,
                   enum ui_ds mode) {
    memset(c, 0, sizeof *c);
    snprintf(c->title, sizeof c->title, "%s", title);
    snprintf(c->unit, sizeof c->unit, "%s", unit);
    snprintf(c->x_unit, sizeof c->x_unit, "%s", x_unit);
    c->mode = mode;
}

void ui_chart_update(struct ui_chart *c, const double *a, const double *b, size_t n, double x_first,
                     double x_last, const char *legend_a, const char *legend_b) {
    size_t skip = n > UI_CHART_POINTS ? n - UI_CHART_POINTS : 0;

    c->n = n - skip;
    if (c->n) memcpy(c->a, a + skip, c->n * sizeof *a);
    c->has_b = b != NULL;
    if (b && c->n) memcpy(c->b, b + skip, c->n * sizeof *b);
    c->x_first = x_first;
    c->x_last = x_last;
    snprintf(c->legend_a, sizeof c->legend_a, "%s", legend_a ? legend_a : "");
    snprintf(c->legend_b, sizeof c->legend_b, "%s", legend_b ? legend_b : "");
}

#define LABEL_W 6 /* y labels (5 columns) and the axis */

void ui_chart_draw(struct ui *ui, const struct ui_chart *c, int x, int y, int w, int h) {
    int utf8 = ui_utf8(ui), sx = utf8 ? 2 : 1, sy = utf8 ? 4 : 3;
    int ph = h - 2, pw = w - LABEL_W, tw;
    size_t m, na, nb = 0;
    double *da = NULL, *db = NULL, max = 0, top;
    int *la = NULL, *lb = NULL;
    unsigned char *ca = NULL, *cb = NULL;
    char title[160], lab[16];

    if (w <= 0 || h <= 0) return;
    snprintf(title, sizeof title, "%s (%s)", c->title, c->unit);
    ui_title_draw(ui, title, x, y, w);
    /* legends after the title, each with a space either side to cut the rule */
    tw = ui_text_cols(title) + 4;
    if (c->legend_a[0] && tw + ui_text_cols(c->legend_a) + 2 < w) {
        ui_textf(ui, x + tw, y, w - tw, UI_SERIES_A, " %s ", c->legend_a);
        tw += ui_text_cols(c->legend_a) + 3;
    }
    if (c->has_b && c->legend_b[0] && tw + ui_text_cols(c->legend_b) + 2 < w)
        ui_textf(ui, x + tw, y, w - tw, UI_SERIES_B, " %s ", c->legend_b);
    else if (!c->has_b && c->legend_b[0] && tw + ui_text_cols(c->legend_b) + 2 < w)
        ui_textf(ui, x + tw, y, w - tw, UI_DIM, " %s ", c->legend_b);
    if (ph < 1 || pw < 2) return;

    m = (size_t)pw * (size_t)sx;
    da = xmalloc(m * sizeof *da);
    db = xmalloc(m * sizeof *db);
    la = xmalloc(m * sizeof *la);
    lb = xmalloc(m * sizeof *lb);
    ca = xmalloc((size_t)pw * (size_t)ph);
    cb = xmalloc((size_t)pw * (size_t)ph);
    na = ui_chart_points(c->a, c->n, da, m, (size_t)sx, c->mode);
    if (c->has_b) nb = ui_chart_points(c->b, c->n, db, m, (size_t)sx, c->mode);
    for (size_t i = 0; i < na; i++)
        if (da[i] > max) max = da[i];
    for (size_t i = 0; i < nb; i++)
        if (db[i] > max) max = db[i];
    top = ui_axis_top(max);
    for (size_t i = 0; i < na; i++)
        la[i] = ui_chart_level(da[i], top, ph * sy);
    for (size_t i = 0; i < nb; i++)
        lb[i] = ui_chart_level(db[i], top, ph * sy);
    ui_plot(la, na, sx, sy, pw, ph, 1, ca);
    ui_plot(lb, nb, sx, sy, pw, ph, 1, cb);

    /* y axis: a rule, and labels at the rows of top, top / 2 and 0 */
    for (int r = 0; r < ph; r++)
        ui_text(ui, x + LABEL_W - 1, y + 1 + r, 1, UI_DIM, ui_glyph(ui, UI_G_VLINE));
    {
        const double marks[3] = {top, top / 2, 0};
        int last_row = -1;
        for (int k = 0; k < 3; k++) {
            int r = ui_axis_row(marks[k], top, ph, sy);
            if (r < 0 || r == last_row) continue;
            last_row = r;
            ui_fmt_si(marks[k], lab, sizeof lab);
            draw_aligned(ui, x, y + 1 + r, LABEL_W - 1, 1, UI_DIM, lab);
            ui_text(ui, x + LABEL_W - 1, y + 1 + r, 1, UI_DIM, ui_glyph(ui, UI_G_AXIS));
        }
    }
    for (int cy = 0; cy < ph; cy++)
        for (int cx = 0; cx < pw; cx++) {
            unsigned a = ca[cy * pw + cx], b = cb[cy * pw + cx], mask = a | b;
            unsigned role = a ? UI_SERIES_A : UI_SERIES_B;
            char g[4];
            if (!mask) continue;
            if (utf8) {
                ui_braille_utf8(ui_braille_bits(mask), g);
            } else {
                g[0] = ui_ascii_cell(a ? a : b);
                g[1] = '\0';
            }
            ui_text(ui, x + LABEL_W + cx, y + 1 + cy, 1, role, g);
        }

    /* x axis: the first and the last shown x value */
    ui_text(ui, x + LABEL_W - 1, y + h - 1, 1, UI_DIM, ui_glyph(ui, UI_G_CORNER));
    if (na) {
        char first[24], last[24];
        int lw, last_col = (int)((na - 1) / (size_t)sx);
        snprintf(first, sizeof first, "%.0f%s", c->x_first, c->x_unit);
        snprintf(last, sizeof last, "%.0f%s", c->x_last, c->x_unit);
        ui_text(ui, x + LABEL_W, y + h - 1, pw, UI_DIM, first);
        lw = ui_text_cols(last);
        if (last_col + 1 - lw > ui_text_cols(first) + 1)
            ui_text(ui, x + LABEL_W + last_col + 1 - lw, y + h - 1, lw, UI_DIM, last);
    } else {
        ui_text(ui, x + LABEL_W, y + h - 1, pw, UI_DIM, "no interval yet");
    }
    free(da);
    free(db);
    free(la);
    free(lb);
    free(ca);
    free(cb);
}

/* --- histogram bars ------------------------------------------------------------------------ */

void ui_hbars_update(struct ui_hbars *hb, const char *title, const struct ui_bin *bins, size_t n) {
    snprintf(hb->title, sizeof hb->title, "%s", title);
    hb->n = n < UI_HBARS_MAX ? n : UI_HBARS_MAX;
    if (hb->n) memcpy(hb->bins, bins, hb->n * sizeof *bins);
}

void ui_hbars_draw(struct ui *ui, const struct ui_hbars *hb, int x, int y, int w, int h) {
    struct ui_bin bins[UI_HBARS_MAX];
    size_t rows = h > 1 ? (size_t)(h - 1) : 0, n = 0, k;
    uint64_t max = 0;
    int lw = 0;
    char lo[16], hi[16], label[40], cnt[16];

    if (w <= 0 || h <= 0) return;
    ui_title_draw(ui, hb->title, x, y, w);
    if (rows == 0 || hb->n == 0) {
        if (rows) ui_text(ui, x + 1, y + 1, w - 1, UI_DIM, "no samples yet");
        return;
    }
    k = (hb->n + rows - 1) / rows;
    for (size_t i = 0; i < hb->n; i++) {
        if (i % k == 0) {
            bins[n] = hb->bins[i];
            n++;
        } else {
            bins[n - 1].hi = hb->bins[i].hi;
            bins[n - 1].count += hb->bins[i].count;
        }
    }
    for (size_t i = 0; i < n; i++) {
        int cols;
        if (bins[i].count > max) max = bins[i].count;
        snprintf(label, sizeof label, "%s-%s", ui_fmt_ns((double)bins[i].lo, lo, sizeof lo),
                 ui_fmt_ns((double)bins[i].hi, hi, sizeof hi));
        cols = ui_text_cols(label);
        if (cols > lw) lw = cols;
    }
    for (size_t i = 0; i < n; i++) {
        int bw = w - lw - 9, ly = y + 1 + (int)i;
        snprintf(label, sizeof label, "%s-%s", ui_fmt_ns((double)bins[i].lo, lo, sizeof lo),
                 ui_fmt_ns((double)bins[i].hi, hi, sizeof hi));
        draw_aligned(ui, x, ly, lw, 1, UI_DIM, label);
        snprintf(cnt, sizeof cnt, "%llu", (unsigned long long)bins[i].count);
        if (bw >= 2) {
            draw_bar(ui, x + lw + 1, ly, bw, max ? (double)bins[i].count / (double)max : 0,
                     UI_SERIES_A);
            draw_aligned(ui, x + lw + 1 + bw + 1, ly, 7, 1, UI_NORMAL, cnt);
        } else {
            ui_text(ui, x + lw + 1, ly, w - lw - 1, UI_NORMAL, cnt);
        }
    }
}

/* --- log ----------------------------------------------------------------------------------- */

void ui_log_init(struct ui_log *l, const char *title) {
    memset(l, 0, sizeof *l);
    snprintf(l->title, sizeof l->title, "%s", title);
}

void ui_log_clear(struct ui_log *l) {
    l->n = 0;
    l->start = 0;
}

void ui_log_add(struct ui_log *l, unsigned role, const char *fmt, ...) {
    size_t slot;
    va_list ap;

    if (l->n == UI_LOG_LINES) {
        slot = l->start;
        l->start = (l->start + 1) % UI_LOG_LINES;
    } else {
        slot = (l->start + l->n) % UI_LOG_LINES;
        l->n++;
    }
    va_start(ap, fmt);
    vsnprintf(l->lines[slot], sizeof l->lines[slot], fmt, ap);
    va_end(ap);
    l->roles[slot] = role;
}

void ui_log_draw(struct ui *ui, const struct ui_log *l, int x, int y, int w, int h) {
    size_t rows = h > 1 ? (size_t)(h - 1) : 0, first;

    if (w <= 0 || h <= 0) return;
    ui_title_draw(ui, l->title, x, y, w);
    if (l->n == 0 && rows) ui_text(ui, x + 1, y + 1, w - 1, UI_DIM, "nothing yet");
    first = l->n > rows ? l->n - rows : 0;
    for (size_t i = first; i < l->n; i++) {
        size_t slot = (l->start + i) % UI_LOG_LINES;
        ui_text(ui, x + 1, y + 1 + (int)(i - first), w - 1, l->roles[slot], l->lines[slot]);
    }
}

/* --- text box ------------------------------------------------------------------------------ */

void ui_textbox_draw(struct ui *ui, const char *title, const char *text, int x, int y, int w,
                     int h) {
    struct ui_span spans[128];
    size_t rows = h > 1 ? (size_t)(h - 1) : 0, n, shown;
    int tw = w - 2;

    if (w <= 0 || h <= 0) return;
    ui_title_draw(ui, title, x, y, w);
    if (tw < 1 || rows == 0) return;
    if (rows > 128) rows = 128;
    n = ui_wrap(text, tw, spans, rows);
    shown = n < rows ? n : rows;
    for (size_t i = 0; i < shown; i++) {
        char buf[512];
        size_t len = spans[i].len < sizeof buf - 4 ? spans[i].len : sizeof buf - 4;
        memcpy(buf, text + spans[i].off, len);
        buf[len] = '\0';
        if (i + 1 == shown && n > shown) {
            /* cut off: make room for "..." on the last line shown */
            size_t keep = ui_clip(buf, tw - 3 > 0 ? tw - 3 : 0);
            memcpy(buf + keep, "...", 4);
        }
        ui_text(ui, x + 1, y + 1 + (int)i, tw, UI_NORMAL, buf);
    }
}
