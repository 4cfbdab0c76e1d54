/*
 * ui_widget — the dashboard's widgets, a small library shared with the load generator's live
 * view: a table with bar cells, a line chart of up to two series, histogram bars, a log, and
 * a wrapped text box.
 *
 * Each widget splits update from draw [htop Panel/Meter]: the owner copies what it wants to
 * show into the widget (update, no terminal), and draw(ui, widget, x, y, w, h) renders it in
 * any rectangle, so a resize only changes the rectangles. The arithmetic (bar lengths, axis
 * tops, downsampling, dot grids, column widths, wrapping, bins) is in ui_layout.c and tested
 * without a terminal; drawing goes through ui.c, so no widget includes curses.
 *
 * Widgets own fixed-size storage where the size is small and known (chart points, bins, log
 * lines) and grow the table's cells; they hold no pointers into the caller's data after
 * update returns. Rejected: widgets that read the simulation directly (the load generator has
 * no simulation; copying a few hundred numbers per frame costs nothing).
 */
#ifndef ARCHSIM_UI_WIDGET_H
#define ARCHSIM_UI_WIDGET_H

#include <stddef.h>

#include "ui.h"
#include "ui_layout.h"

/* --- table --------------------------------------------------------------------------------- */

/* One cell: text, and for a bar cell a fraction in [0, 1] drawn as a bar left of the text. */
struct ui_cell {
    char text[48];
    double bar;    /* NAN: a text cell */
    unsigned role; /* enum ui_role */
};

struct ui_table {
    const struct ui_col *cols; /* borrowed, ncols entries */
    size_t ncols;
    struct ui_cell *cells; /* owned, nrows * ncols */
    size_t nrows, cap;
    size_t top; /* first row shown (scrolling) */
};

/* Set up an empty table over cols (borrowed; must outlive t). */
void ui_table_init(struct ui_table *t, const struct ui_col *cols, size_t ncols);
/* Free the cells (not t). NULL ok. */
void ui_table_free(struct ui_table *t);
/* Set the number of rows; new rows are empty text cells. */
void ui_table_rows(struct ui_table *t, size_t nrows);
/* Fill a text cell (printf-style; cut at the cell's size). row < nrows, col < ncols. */
void ui_table_set(struct ui_table *t, size_t row, size_t col, unsigned role, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* Fill a bar cell: frac in [0, 1] (NAN: no bar), and the text shown after the bar. */
void ui_table_set_bar(struct ui_table *t, size_t row, size_t col, double frac, unsigned role,
                      const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* Draw the header and as many rows as fit in h - 1 lines, scrolled so that row selected
 * (-1: none) is visible and drawn reversed. Column widths from ui_columns. */
void ui_table_draw(struct ui *ui, struct ui_table *t, int x, int y, int w, int h, long selected);

/* --- line chart ---------------------------------------------------------------------------- */

#define UI_CHART_POINTS 1024

/* A chart of one or two series over the same x values (intervals), drawn as braille lines
 * (2 x 4 dots per cell) or ASCII (1 x 3), with a y axis from 0 to a nice top and the first and
 * last x values under the plot. */
struct ui_chart {
    char title[64];
    char unit[16];                   /* of the y values, shown after the axis top */
    char x_unit[8];                  /* of the x values ("s") */
    char legend_a[48], legend_b[48]; /* shown in the title line, in the series' roles */
    enum ui_ds mode;                 /* how several values merge into one column */
    size_t n;
    int has_b;
    double a[UI_CHART_POINTS], b[UI_CHART_POINTS];
    double x_first, x_last;
};

/* Set up an empty chart. */
void ui_chart_init(struct ui_chart *c, const char *title, const char *unit, const char *x_unit,
                   enum ui_ds mode);
/* Copy the last (at most UI_CHART_POINTS) values of a[0..n) and b[0..n) (b may be NULL), with
 * the x values of the first and last point, and the legends (may be NULL: none). */
void ui_chart_update(struct ui_chart *c, const double *a, const double *b, size_t n, double x_first,
                     double x_last, const char *legend_a, const char *legend_b);
/* Draw: a title line, the plot (h - 2 lines) with y labels (top, middle, 0) on the left, the
 * x labels under it. One value per cell while they fit, then one per dot column, then
 * downsampled (ui_chart_points). */
void ui_chart_draw(struct ui *ui, const struct ui_chart *c, int x, int y, int w, int h);

/* --- histogram bars ------------------------------------------------------------------------ */

#define UI_HBARS_MAX 64

/* Horizontal bars, one per bin: "1ms-2ms ████████ 1234". */
struct ui_hbars {
    char title[96];
    size_t n;
    struct ui_bin bins[UI_HBARS_MAX];
};

/* Copy up to UI_HBARS_MAX bins. */
void ui_hbars_update(struct ui_hbars *hb, const char *title, const struct ui_bin *bins, size_t n);
/* Draw the title and one bar per line, scaled to the largest count; when there are more bins
 * than lines they are merged first (two by two, ...). */
void ui_hbars_draw(struct ui *ui, const struct ui_hbars *hb, int x, int y, int w, int h);

/* --- log ----------------------------------------------------------------------------------- */

#define UI_LOG_LINES 128

/* The last UI_LOG_LINES lines of a log, newest last. */
struct ui_log {
    char title[64];
    size_t n, start; /* ring */
    char lines[UI_LOG_LINES][128];
    unsigned roles[UI_LOG_LINES];
};

/* Set up an empty log with a title (copied). */
void ui_log_init(struct ui_log *l, const char *title);
/* Forget every line (the owner refills the log from its snapshot each frame). */
void ui_log_clear(struct ui_log *l);
/* Append a line (printf-style; cut at 127 bytes); the oldest goes when full. */
void ui_log_add(struct ui_log *l, unsigned role, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Draw the title and the newest h - 1 lines, oldest at the top. */
void ui_log_draw(struct ui *ui, const struct ui_log *l, int x, int y, int w, int h);

/* --- text box ------------------------------------------------------------------------------ */

/* Draw a title line and text word-wrapped (ui_wrap) into the rest; a cut-off text ends with
 * "..." on its last line. */
void ui_textbox_draw(struct ui *ui, const char *title, const char *text, int x, int y, int w,
                     int h);

/* A title line: the title in UI_TITLE, then a rule to the right edge. */
void ui_title_draw(struct ui *ui, const char *title, int x, int y, int w);

#endif
