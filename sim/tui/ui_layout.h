/*
 * ui_layout — the arithmetic of the dashboard widgets, with no terminal: bar lengths, axis
 * tops and labels, chart scaling and downsampling, dot grids for line charts (braille or
 * ASCII), column widths, word wrapping, histogram bins, and the dashboard's panel rectangles.
 *
 * Everything here is a pure function of its arguments, so tests/test_ui.c checks exact values
 * and the widgets (ui_widget.c) only turn the results into characters. The load generator's
 * live view reuses the same functions, so both programs draw numbers the same way.
 *
 * Text width: one column per Unicode code point (UTF-8 continuation bytes take none). The
 * dashboard shows ASCII names, numbers and a few one-column symbols; East Asian wide characters
 * would be measured short. Rejected: wcwidth() (depends on the locale, so the tests would too).
 *
 * Rejected: floating layouts computed inside the draw functions (untestable without a
 * terminal), and a constraint solver for the panels (a dashboard of six panels needs a few
 * lines of integer arithmetic, which the tests pin down exactly).
 */
#ifndef ARCHSIM_UI_LAYOUT_H
#define ARCHSIM_UI_LAYOUT_H

#include <stddef.h>
#include <stdint.h>

/* --- bars ---------------------------------------------------------------------------------- */

/* Whole cells of a bar width cells wide filled to frac (0..1): round(frac * width), clamped to
 * [0, width]; NAN and negative fractions give 0. */
int ui_bar_cells(double frac, int width);

/* The same in eighths of a cell (for the Unicode block elements): round(frac * width * 8),
 * clamped to [0, 8 * width]. */
int ui_bar_eighths(double frac, int width);

/* --- numbers and axes ---------------------------------------------------------------------- */

/* The smallest "nice" axis top >= max: 1, 2, 2.5 or 5 times a power of ten. 1 when max is not
 * positive or not finite. */
double ui_axis_top(double max);

/* v with three significant digits and an SI suffix (k, M, G) into buf (size n, NUL-terminated):
 * 0 → "0", 0.25 → "0.25", 12.5 → "12.5", 2500 → "2.5k", 4212 → "4.21k", 1.5e6 → "1.5M".
 * NAN → "-". Returns buf. 12 bytes suffice. */
char *ui_fmt_si(double v, char *buf, size_t n);

/* A duration in ns with three significant digits and a unit (ns, us, ms, s): 850 → "850ns",
 * 1500 → "1.5us", 12345678 → "12.3ms", 2050000000 → "2.05s". Returns buf. 16 bytes suffice. */
char *ui_fmt_ns(double ns, char *buf, size_t n);

/* Row (0 = top) of a plot of rows cells high with sub_rows dots per cell where value v of an
 * axis from 0 to top lands; -1 when v is NAN or top <= 0. Used to place axis labels on the
 * same row as the data they label. */
int ui_axis_row(double v, double top, int rows, int sub_rows);

/* --- charts -------------------------------------------------------------------------------- */

/* How ui_downsample merges the samples of one output point. */
enum ui_ds {
    UI_DS_MEAN, /* rates: the mean keeps the area */
    UI_DS_MAX   /* tail latencies: a mean would hide the spike */
};

/* Reduce src[0..n) to at most m points into dst: when n <= m a copy (returns n); else output
 * point j merges src[floor(j n / m) .. floor((j+1) n / m)) by mode, skipping NANs (all NAN →
 * NAN); returns m. */
size_t ui_downsample(const double *src, size_t n, double *dst, size_t m, enum ui_ds mode);

/* The points a chart m dot columns wide draws for n values: while they fit, each value is
 * repeated k = min(max_repeat, m / n) times (so a short series is not a sliver at the left
 * edge: one value per cell with max_repeat = the cell's dot columns); when they do not fit,
 * ui_downsample. Writes dst (m entries) and returns the number of points. */
size_t ui_chart_points(const double *src, size_t n, double *dst, size_t m, size_t max_repeat,
                       enum ui_ds mode);

/* Dot level of v on a scale of levels dots from 0 (value 0) to levels - 1 (value top):
 * round(v / top * (levels - 1)), clamped; -1 when v is NAN or top <= 0. */
int ui_chart_level(double v, double top, int levels);

/* Plot n levels (ui_chart_level; -1 = no point) left to right, one per dot column, into a grid
 * of w x h cells of sx x sy dots each. cells[cy * w + cx] gets bit (dy * sx + dx) for the dot
 * (dx, dy) of the cell, dy = 0 at the top. Points beyond w * sx columns are ignored. With
 * connect, a column is filled from the previous point's level to its own, so steep changes
 * draw as a line. cells (w * h bytes) is cleared first; sx * sy <= 8. */
void ui_plot(const int *levels, size_t n, int sx, int sy, int w, int h, int connect,
             unsigned char *cells);

/* A cell mask of a 2 x 4 dot grid (ui_plot with sx = 2, sy = 4) as the braille pattern's bits
 * (U+2800 + bits): dots 1-2-3-7 are the left column top to bottom, 4-5-6-8 the right. */
unsigned ui_braille_bits(unsigned mask);

/* UTF-8 of U+2800 + bits (bits < 256) into out (4 bytes, NUL-terminated); returns 3. */
size_t ui_braille_utf8(unsigned bits, char *out);

/* A cell mask of a 1 x 3 dot grid as one ASCII character: top '\'', middle '-', bottom '.',
 * several ':' ... '|' (two dots ':', three '|'); ' ' when empty. */
char ui_ascii_cell(unsigned mask);

/* --- tables -------------------------------------------------------------------------------- */

/* A table column: its title, minimum and maximum width (max 0: no limit), how it shares spare
 * width (flex weight, 0: never grows), its priority (when the table is too narrow the lowest
 * priority columns are hidden first; prio < 0 never hides), and alignment. */
struct ui_col {
    const char *title;
    int min, max;
    int flex;
    int prio;
    int right; /* right-aligned (numbers) */
};

/* Widths of n columns separated by one space in width cells into out[n] (0 = hidden).
 * Columns start at their minimum; while the total is too wide the lowest-priority visible
 * column (the rightmost on ties) is hidden; then spare width goes to flex columns in
 * proportion to their weights, rounded down and never past a column's max (a column that hits
 * its max leaves its share to a next round among the others); a remainder that rounds to 0
 * for every column goes one cell at a time in column order. Returns the width used (= width
 * when a flex column can take the spare; if even the columns that never hide do not fit,
 * the last one is narrowed to fit, down to one cell). */
int ui_columns(const struct ui_col *cols, size_t n, int width, int *out);

/* --- text ---------------------------------------------------------------------------------- */

/* Columns s takes (code points). */
int ui_text_cols(const char *s);

/* Bytes of s that fit in width columns without splitting a UTF-8 sequence. */
size_t ui_clip(const char *s, int width);

/* One wrapped line: byte offset and length in the text, and its width in columns. */
struct ui_span {
    size_t off, len;
    int cols;
};

/* Wrap text into lines of at most width columns (width >= 1): words move whole to the next
 * line, a word longer than a line is cut, runs of spaces at a break vanish, '\n' forces a
 * break (an empty line for "\n\n"; a final '\n' adds nothing). Fills up to max spans and
 * returns the number of lines the whole text needs. */
size_t ui_wrap(const char *text, int width, struct ui_span *out, size_t max);

/* --- histograms ---------------------------------------------------------------------------- */

/* A histogram bar: values in [lo, hi) ns and how many. */
struct ui_bin {
    int64_t lo, hi;
    uint64_t count;
};

/* Group n histogram buckets (their lowest values lo[] in ns, ascending, and counts) into bins
 * with 1-2-5 edges (1 ns, 2, 5, 10, 20, 50, ...) from the edge at or below the first bucket to
 * the bin holding the last; a bucket counts in the bin holding its lowest value (values below
 * 1 ns count in the first bin). When that makes more than max bins, k = ceil(bins / max)
 * consecutive bins merge into one. Fills out and returns the number of bins (0 when n or max is
 * 0). */
size_t ui_bins_125(const int64_t *lo, const uint64_t *count, size_t n, struct ui_bin *out,
                   size_t max);

/* --- the dashboard's panels ---------------------------------------------------------------- */

struct ui_rect {
    int x, y, w, h;
};

struct ui_dash_rects {
    struct ui_rect status;           /* top line: scenario, time, state, speed, seed, rate */
    struct ui_rect table;            /* column header + one line per component and the total */
    struct ui_rect chart_a, chart_b; /* throughput/goodput and p99, side by side */
    struct ui_rect log, text;        /* event log and the scenario's description */
    struct ui_rect detail;           /* the detail view: where the charts, log and text were */
    struct ui_rect hint;             /* bottom line: keys or the last message */
    int too_small;                   /* below UI_MIN_COLS x UI_MIN_LINES: show a notice */
};

#define UI_MIN_COLS  60
#define UI_MIN_LINES 16

/* Panels of a cols x lines screen for a table of table_rows lines (components + total):
 * status and hint take a line each; the table takes its rows plus a header, at most 2/5 of the
 * rest (at least 4 lines); the charts half of what remains, 5 to 10 lines (but leaving the log
 * 3), split in two halves across; the log (3/5 of the width) and the text share the bottom. */
void ui_layout_dash(int cols, int lines, int table_rows, struct ui_dash_rects *r);

#endif
