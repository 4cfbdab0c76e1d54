/*
 * Tests for sim/tui without a terminal: the widgets' arithmetic (ui_layout: bars, axis tops,
 * labels, downsampling, dot grids and braille, column widths, wrapping, histogram bins, the
 * dashboard's panel rectangles) against values worked out by hand in the comments, and the
 * dashboard's engine side (ui_session: wall-clock pacing with an injected clock, the budget
 * cap, single steps, the command API and its event log, restart) against hand arithmetic and
 * against a batch run of the same scenario and seed, which a session left alone must equal.
 */
#include <CUnit/CUnit.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "run.h"
#include "sim.h"
#include "ui_layout.h"
#include "ui_session.h"

void test_ui_register(void);

/* --- layout arithmetic --------------------------------------------------------------------- */

static void test_bars(void) {
    CU_ASSERT_EQUAL(ui_bar_cells(0.7, 10), 7);
    CU_ASSERT_EQUAL(ui_bar_cells(0.75, 10), 8); /* 7.5 rounds away from zero */
    CU_ASSERT_EQUAL(ui_bar_cells(0.04, 10), 0);
    CU_ASSERT_EQUAL(ui_bar_cells(1.2, 10), 10);
    CU_ASSERT_EQUAL(ui_bar_cells(NAN, 10), 0);
    CU_ASSERT_EQUAL(ui_bar_cells(-0.5, 10), 0);
    CU_ASSERT_EQUAL(ui_bar_cells(0.5, 0), 0);
    CU_ASSERT_EQUAL(ui_bar_eighths(0.7, 10), 56);
    CU_ASSERT_EQUAL(ui_bar_eighths(0.01, 10), 1); /* 0.8 eighths */
    CU_ASSERT_EQUAL(ui_bar_eighths(1.0, 3), 24);
    CU_ASSERT_EQUAL(ui_bar_eighths(0.5, 7), 28);
    CU_ASSERT_EQUAL(ui_bar_eighths(INFINITY, 4), 32);
}

static void test_axis_top(void) {
    CU_ASSERT_EQUAL(ui_axis_top(4212), 5000);
    CU_ASSERT_EQUAL(ui_axis_top(5000), 5000);
    CU_ASSERT_EQUAL(ui_axis_top(5001), 10000);
    CU_ASSERT_EQUAL(ui_axis_top(1000), 1000);
    CU_ASSERT_EQUAL(ui_axis_top(0.73), 1);
    CU_ASSERT_EQUAL(ui_axis_top(1), 1);
    CU_ASSERT_EQUAL(ui_axis_top(10.2), 20);
    CU_ASSERT_EQUAL(ui_axis_top(2.4), 2.5);
    CU_ASSERT_DOUBLE_EQUAL(ui_axis_top(0.0042), 0.005, 1e-15);
    CU_ASSERT_EQUAL(ui_axis_top(250001), 500000);
    CU_ASSERT_EQUAL(ui_axis_top(0), 1);
    CU_ASSERT_EQUAL(ui_axis_top(-3), 1);
    CU_ASSERT_EQUAL(ui_axis_top(NAN), 1);
    CU_ASSERT_EQUAL(ui_axis_top(INFINITY), 1);
}

static void check_si(double v, const char *want) {
    char buf[16];
    CU_ASSERT_STRING_EQUAL(ui_fmt_si(v, buf, sizeof buf), want);
}

static void check_ns(double v, const char *want) {
    char buf[16];
    CU_ASSERT_STRING_EQUAL(ui_fmt_ns(v, buf, sizeof buf), want);
}

static void test_labels(void) {
    check_si(0, "0");
    check_si(0.25, "0.25");
    check_si(12.5, "12.5");
    check_si(250, "250");
    check_si(999.4, "999");
    check_si(999.6, "1k"); /* would print "1e+03" without the 999.5 switch */
    check_si(2500, "2.5k");
    check_si(4212, "4.21k");
    check_si(1.5e6, "1.5M");
    check_si(2e9, "2G");
    check_si(-1500, "-1.5k");
    check_si(NAN, "-");
    check_ns(0, "0ns");
    check_ns(850, "850ns");
    check_ns(1500, "1.5us");
    check_ns(7480000, "7.48ms");
    check_ns(12345678, "12.3ms");
    check_ns(1e6, "1ms");
    check_ns(999999, "1ms"); /* 999.999 us rounds to 1000 us: the next unit */
    check_ns(2050000000, "2.05s");
    check_ns(NAN, "-");
}

static void test_axis_row(void) {
    /* 8 rows of 4 dots: 32 levels. 10 of 10 → level 31 → row 7 - 31/4 = 0; 5 → level
     * round(15.5) = 16 → row 7 - 4 = 3; 0 → row 7. */
    CU_ASSERT_EQUAL(ui_axis_row(10, 10, 8, 4), 0);
    CU_ASSERT_EQUAL(ui_axis_row(5, 10, 8, 4), 3);
    CU_ASSERT_EQUAL(ui_axis_row(0, 10, 8, 4), 7);
    CU_ASSERT_EQUAL(ui_axis_row(NAN, 10, 8, 4), -1);
    CU_ASSERT_EQUAL(ui_axis_row(1, 0, 8, 4), -1);
    /* ASCII: 6 rows of 3 dots, 18 levels: 2.5 of 5 → round(8.5) = 9 → row 5 - 3 = 2 */
    CU_ASSERT_EQUAL(ui_axis_row(2.5, 5, 6, 3), 2);
}

static void test_downsample(void) {
    const double src[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    const double holes[4] = {1, NAN, NAN, NAN};
    double dst[10];

    /* 10 → 4: buckets [0,2) [2,5) [5,7) [7,10) (floor(j*10/4)) */
    CU_ASSERT_EQUAL(ui_downsample(src, 10, dst, 4, UI_DS_MEAN), 4);
    CU_ASSERT_EQUAL(dst[0], 1.5);
    CU_ASSERT_EQUAL(dst[1], 4);
    CU_ASSERT_EQUAL(dst[2], 6.5);
    CU_ASSERT_EQUAL(dst[3], 9);
    CU_ASSERT_EQUAL(ui_downsample(src, 10, dst, 4, UI_DS_MAX), 4);
    CU_ASSERT_EQUAL(dst[0], 2);
    CU_ASSERT_EQUAL(dst[1], 5);
    CU_ASSERT_EQUAL(dst[2], 7);
    CU_ASSERT_EQUAL(dst[3], 10);
    /* fewer points than columns: a copy */
    CU_ASSERT_EQUAL(ui_downsample(src, 3, dst, 8, UI_DS_MEAN), 3);
    CU_ASSERT_EQUAL(dst[2], 3);
    /* NANs are skipped; an all-NAN bucket stays NAN */
    CU_ASSERT_EQUAL(ui_downsample(holes, 4, dst, 2, UI_DS_MEAN), 2);
    CU_ASSERT_EQUAL(dst[0], 1);
    CU_ASSERT(isnan(dst[1]));
}

static void test_chart_points(void) {
    const double src[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    double dst[16];

    /* 3 values, 16 columns, 2 dots per cell: each value twice (16/3 = 5 > 2) */
    CU_ASSERT_EQUAL(ui_chart_points(src, 3, dst, 16, 2, UI_DS_MEAN), 6);
    CU_ASSERT_EQUAL(dst[0], 1);
    CU_ASSERT_EQUAL(dst[1], 1);
    CU_ASSERT_EQUAL(dst[4], 3);
    CU_ASSERT_EQUAL(dst[5], 3);
    /* 10 values in 16: 16/10 = 1, once each */
    CU_ASSERT_EQUAL(ui_chart_points(src, 10, dst, 16, 2, UI_DS_MEAN), 10);
    CU_ASSERT_EQUAL(dst[9], 10);
    /* 10 values in 4: downsampled as ui_downsample */
    CU_ASSERT_EQUAL(ui_chart_points(src, 10, dst, 4, 2, UI_DS_MAX), 4);
    CU_ASSERT_EQUAL(dst[3], 10);
    CU_ASSERT_EQUAL(ui_chart_points(src, 0, dst, 4, 2, UI_DS_MAX), 0);
}

static void test_levels(void) {
    CU_ASSERT_EQUAL(ui_chart_level(5, 10, 32), 16); /* 15.5 rounds up */
    CU_ASSERT_EQUAL(ui_chart_level(10, 10, 32), 31);
    CU_ASSERT_EQUAL(ui_chart_level(12, 10, 32), 31);
    CU_ASSERT_EQUAL(ui_chart_level(-1, 10, 32), 0);
    CU_ASSERT_EQUAL(ui_chart_level(2.5, 10, 5), 1);
    CU_ASSERT_EQUAL(ui_chart_level(NAN, 10, 32), -1);
    CU_ASSERT_EQUAL(ui_chart_level(1, 0, 32), -1);
}

static void test_plot(void) {
    const int lv[4] = {0, 3, 1, 2};
    const int tall[2] = {7, 0};
    const int gap[3] = {0, -1, 3};
    unsigned char cells[4];

    /* 2 x 1 cells of 2 x 4 dots (4 dot rows). Column 0, level 0 → dot row 3 → cell 0 bit
     * 3*2+0 = 6. Column 1, level 3 → row 0 → cell 0 bit 1, and connecting from level 0 fills
     * rows 2 and 1 of that column: bits 5 and 3. Column 2, level 1 → row 2 → cell 1 bit 4,
     * connecting from level 3 fills row 1: bit 2. Column 3, level 2 → row 1 → bit 3 (dx 1);
     * from level 1 nothing lies between. */
    ui_plot(lv, 4, 2, 4, 2, 1, 1, cells);
    CU_ASSERT_EQUAL(cells[0], 0x40 | 0x02 | 0x20 | 0x08);
    CU_ASSERT_EQUAL(cells[1], 0x10 | 0x04 | 0x08);
    /* unconnected: one dot per column */
    ui_plot(lv, 4, 2, 4, 2, 1, 0, cells);
    CU_ASSERT_EQUAL(cells[0], 0x40 | 0x02);
    CU_ASSERT_EQUAL(cells[1], 0x10 | 0x08);
    /* two cell rows: level 7 is the top dot of the upper cell, level 0 the bottom dot of the
     * lower; connecting 7 → 0 in column 1 fills dx 1 of rows 1..7 */
    ui_plot(tall, 2, 2, 4, 1, 2, 1, cells);
    CU_ASSERT_EQUAL(cells[0], 0x01 | 0x08 | 0x20 | 0x80); /* dx0 dy0; dx1 dy1..3 */
    CU_ASSERT_EQUAL(cells[1], 0xAA);                      /* dx1 dy0..3 */
    /* a missing point breaks the line; points past the grid are ignored */
    ui_plot(gap, 3, 1, 4, 2, 1, 1, cells);
    CU_ASSERT_EQUAL(cells[0], 0x08); /* column 0: level 0 → dy 3 (sx = 1: bit dy) */
    CU_ASSERT_EQUAL(cells[1], 0x00); /* column 1 empty, column 2 beyond w * sx = 2 */
}

static void test_braille(void) {
    char out[4];

    CU_ASSERT_EQUAL(ui_braille_bits(1u << 0), 0x01); /* (0,0): dot 1 */
    CU_ASSERT_EQUAL(ui_braille_bits(1u << 1), 0x08); /* (1,0): dot 4 */
    CU_ASSERT_EQUAL(ui_braille_bits(1u << 4), 0x04); /* (0,2): dot 3 */
    CU_ASSERT_EQUAL(ui_braille_bits(1u << 6), 0x40); /* (0,3): dot 7 */
    CU_ASSERT_EQUAL(ui_braille_bits(1u << 7), 0x80); /* (1,3): dot 8 */
    CU_ASSERT_EQUAL(ui_braille_bits(0xFF), 0xFF);
    CU_ASSERT_EQUAL(ui_braille_bits(0x6A), 0x78); /* (1,0) (1,1) (1,2) (0,3): dots 4 5 6 7 */
    CU_ASSERT_EQUAL(ui_braille_utf8(0x00, out), 3);
    CU_ASSERT_STRING_EQUAL(out, "\xe2\xa0\x80"); /* U+2800 */
    ui_braille_utf8(0xFF, out);
    CU_ASSERT_STRING_EQUAL(out, "\xe2\xa3\xbf"); /* U+28FF */
    ui_braille_utf8(0x78, out);
    CU_ASSERT_STRING_EQUAL(out, "\xe2\xa1\xb8"); /* U+2878 */
    CU_ASSERT_EQUAL(ui_ascii_cell(0), ' ');
    CU_ASSERT_EQUAL(ui_ascii_cell(1), '\'');
    CU_ASSERT_EQUAL(ui_ascii_cell(2), '-');
    CU_ASSERT_EQUAL(ui_ascii_cell(4), '.');
    CU_ASSERT_EQUAL(ui_ascii_cell(5), ':');
    CU_ASSERT_EQUAL(ui_ascii_cell(7), '|');
}

/* The dashboard's component table: name, kind, state, utilization, queue, rps, p99, errors,
 * hit/lag, with their minima (69 in all, + 8 gaps = 77). */
static const struct ui_col table_cols[9] = {
    {"component", 10, 16, 1, -1, 0}, {"kind", 8, 0, 0, 2, 0},  {"state", 5, 0, 0, 8, 0},
    {"util", 10, 0, 3, 7, 0},        {"queue", 6, 0, 0, 5, 1}, {"rps", 7, 0, 0, 6, 1},
    {"p99", 7, 0, 0, 6, 1},          {"err", 6, 0, 0, 4, 1},   {"extra", 10, 0, 0, 3, 0},
};

static void check_cols(int width, const int *want, int used) {
    int got[9];

    CU_ASSERT_EQUAL(ui_columns(table_cols, 9, width, got), used);
    for (int i = 0; i < 9; i++) {
        CU_ASSERT_EQUAL(got[i], want[i]);
        if (got[i] != want[i])
            fprintf(stderr, "\nwidth %d column %d: %d, want %d\n", width, i, got[i], want[i]);
    }
}

static void test_columns(void) {
    /* 100: spare 23; shares 23*1/4 = 5 (name 15), 23*3/4 = 17 (util 27); the remaining 1
     * rounds to 0 for both, so it goes to the first growing column: name 16 (its max). */
    static const int w100[9] = {16, 8, 5, 27, 6, 7, 7, 6, 10};
    /* 80: spare 3: name +0, util +2, then the last cell to name. */
    static const int w80[9] = {11, 8, 5, 12, 6, 7, 7, 6, 10};
    /* 60: 77 > 60: hide kind (prio 2): 68; hide extra (3): 57; spare 3 as for 80. */
    static const int w60[9] = {11, 0, 5, 12, 6, 7, 7, 6, 0};
    /* 30: also err (4): 50, queue (5): 43, p99 (6, rightmost of the tie): 35, rps: 27;
     * spare 3 as above. */
    static const int w30[9] = {11, 0, 5, 12, 0, 0, 0, 0, 0};
    /* 8: only the name (never hidden) remains, narrowed from 10 to 8. */
    static const int w8[9] = {8, 0, 0, 0, 0, 0, 0, 0, 0};

    check_cols(100, w100, 100);
    check_cols(80, w80, 80);
    check_cols(60, w60, 60);
    check_cols(30, w30, 30);
    check_cols(8, w8, 8);
}

static void test_text(void) {
    CU_ASSERT_EQUAL(ui_text_cols("abc"), 3);
    CU_ASSERT_EQUAL(ui_text_cols("\xcf\x81=1"), 3); /* ρ=1 */
    CU_ASSERT_EQUAL(ui_text_cols(""), 0);
    CU_ASSERT_EQUAL(ui_clip("hello", 3), 3);
    CU_ASSERT_EQUAL(ui_clip("\xcf\x81\xcf\x81\xcf\x81", 2), 4); /* never half a ρ */
    CU_ASSERT_EQUAL(ui_clip("ab", 5), 2);
    CU_ASSERT_EQUAL(ui_clip("abc", 0), 0);
}

static void check_span(const struct ui_span *s, size_t off, size_t len, int cols) {
    CU_ASSERT_EQUAL(s->off, off);
    CU_ASSERT_EQUAL(s->len, len);
    CU_ASSERT_EQUAL(s->cols, cols);
}

static void test_wrap(void) {
    struct ui_span sp[8];

    CU_ASSERT_EQUAL(ui_wrap("the quick brown fox", 10, sp, 8), 2);
    check_span(&sp[0], 0, 9, 9);  /* "the quick" */
    check_span(&sp[1], 10, 9, 9); /* "brown fox" */
    CU_ASSERT_EQUAL(ui_wrap("abcdefghijkl", 5, sp, 8), 3);
    check_span(&sp[0], 0, 5, 5);
    check_span(&sp[1], 5, 5, 5);
    check_span(&sp[2], 10, 2, 2);
    CU_ASSERT_EQUAL(ui_wrap("a\n\nb\n", 10, sp, 8), 3);
    check_span(&sp[0], 0, 1, 1);
    check_span(&sp[1], 2, 0, 0);
    check_span(&sp[2], 3, 1, 1);
    /* "ρ = 0.7 ok": ρ is two bytes and one column */
    CU_ASSERT_EQUAL(ui_wrap("\xcf\x81 = 0.7 ok", 5, sp, 8), 3);
    check_span(&sp[0], 0, 4, 3);
    check_span(&sp[1], 5, 3, 3);
    check_span(&sp[2], 9, 2, 2);
    /* spaces inside a line stay (and count); leading and trailing ones go */
    CU_ASSERT_EQUAL(ui_wrap("  lead  trail  ", 20, sp, 8), 1);
    check_span(&sp[0], 2, 11, 11);
    /* "ab  cd" in 5: "ab" + 2 spaces + "cd" = 6 > 5 */
    CU_ASSERT_EQUAL(ui_wrap("ab  cd", 5, sp, 8), 2);
    check_span(&sp[1], 4, 2, 2);
    /* the count is of all lines, even when out has room for fewer */
    CU_ASSERT_EQUAL(ui_wrap("one two three four", 5, sp, 1), 4);
    check_span(&sp[0], 0, 3, 3);
}

static void test_bins(void) {
    /* 1.5 ms x6, 1.6 ms x4, 3 ms x5, 7 ms x1 → [1,2) ms 10, [2,5) ms 5, [5,10) ms 1 */
    const int64_t lo[4] = {1500000, 1600000, 3000000, 7000000};
    const uint64_t count[4] = {6, 4, 5, 1};
    const int64_t lo0[2] = {0, 3};
    const uint64_t c0[2] = {2, 3};
    struct ui_bin b[8];

    CU_ASSERT_EQUAL(ui_bins_125(lo, count, 4, b, 8), 3);
    CU_ASSERT_EQUAL(b[0].lo, 1000000);
    CU_ASSERT_EQUAL(b[0].hi, 2000000);
    CU_ASSERT_EQUAL(b[0].count, 10);
    CU_ASSERT_EQUAL(b[1].lo, 2000000);
    CU_ASSERT_EQUAL(b[1].hi, 5000000);
    CU_ASSERT_EQUAL(b[1].count, 5);
    CU_ASSERT_EQUAL(b[2].lo, 5000000);
    CU_ASSERT_EQUAL(b[2].hi, 10000000);
    CU_ASSERT_EQUAL(b[2].count, 1);
    /* at most 2 bins: k = ceil(3/2) = 2 → [1,5) ms 15, [5,20) ms 1 */
    CU_ASSERT_EQUAL(ui_bins_125(lo, count, 4, b, 2), 2);
    CU_ASSERT_EQUAL(b[0].lo, 1000000);
    CU_ASSERT_EQUAL(b[0].hi, 5000000);
    CU_ASSERT_EQUAL(b[0].count, 15);
    CU_ASSERT_EQUAL(b[1].lo, 5000000);
    CU_ASSERT_EQUAL(b[1].hi, 20000000);
    CU_ASSERT_EQUAL(b[1].count, 1);
    /* 0 ns counts in the first bin [1, 2); 3 ns in [2, 5) */
    CU_ASSERT_EQUAL(ui_bins_125(lo0, c0, 2, b, 8), 2);
    CU_ASSERT_EQUAL(b[0].lo, 1);
    CU_ASSERT_EQUAL(b[0].count, 2);
    CU_ASSERT_EQUAL(b[1].lo, 2);
    CU_ASSERT_EQUAL(b[1].hi, 5);
    CU_ASSERT_EQUAL(b[1].count, 3);
    CU_ASSERT_EQUAL(ui_bins_125(lo, count, 0, b, 8), 0);
}

static void check_rect(struct ui_rect r, int x, int y, int w, int h) {
    CU_ASSERT_EQUAL(r.x, x);
    CU_ASSERT_EQUAL(r.y, y);
    CU_ASSERT_EQUAL(r.w, w);
    CU_ASSERT_EQUAL(r.h, h);
}

static void test_dash_layout(void) {
    struct ui_dash_rects r;

    /* 80x24, 4 components + total: 22 lines between status and hint; table 5 + header = 6
     * (at most max(22*2/5, 4) = 8); 16 left: charts 8, log and text 8; log 3/5 of 80 = 48. */
    ui_layout_dash(80, 24, 5, &r);
    CU_ASSERT_EQUAL(r.too_small, 0);
    check_rect(r.status, 0, 0, 80, 1);
    check_rect(r.table, 0, 1, 80, 6);
    check_rect(r.chart_a, 0, 7, 40, 8);
    check_rect(r.chart_b, 40, 7, 40, 8);
    check_rect(r.detail, 0, 7, 80, 16);
    check_rect(r.log, 0, 15, 48, 8);
    check_rect(r.text, 48, 15, 32, 8);
    check_rect(r.hint, 0, 23, 80, 1);
    /* 100x30: 28 lines; table 6 (max 11); 22 left: charts min(11, 10) = 10, bottom 12 */
    ui_layout_dash(100, 30, 5, &r);
    check_rect(r.table, 0, 1, 100, 6);
    check_rect(r.chart_a, 0, 7, 50, 10);
    check_rect(r.chart_b, 50, 7, 50, 10);
    check_rect(r.log, 0, 17, 60, 12);
    check_rect(r.text, 60, 17, 40, 12);
    check_rect(r.hint, 0, 29, 100, 1);
    /* 20 components at 80x24: the table stops at 8 lines (it scrolls); 14 left: 7 + 7 */
    ui_layout_dash(80, 24, 21, &r);
    check_rect(r.table, 0, 1, 80, 8);
    check_rect(r.chart_a, 0, 9, 40, 7);
    check_rect(r.log, 0, 16, 48, 7);
    /* 50x12: too small (flagged); still consistent: 10 lines, table 4, charts 3 (the log keeps
     * 3) */
    ui_layout_dash(50, 12, 5, &r);
    CU_ASSERT_EQUAL(r.too_small, 1);
    check_rect(r.table, 0, 1, 50, 4);
    check_rect(r.chart_a, 0, 5, 25, 3);
    check_rect(r.log, 0, 8, 30, 3);
    check_rect(r.hint, 0, 11, 50, 1);
}

/* --- the session --------------------------------------------------------------------------- */

/* One station, Poisson 100/s, 10 s of 1 s intervals. */
static const char small_yaml[] = "name: small\n"
                                 "duration: 10s\n"
                                 "seed: 7\n"
                                 "workload:\n"
                                 "  arrivals: poisson\n"
                                 "  rate: 100/s\n"
                                 "  target: api\n"
                                 "components:\n"
                                 "  api:\n"
                                 "    kind: service\n"
                                 "    workers: 1\n"
                                 "    service_time: exp(2ms)\n";

/* A fake wall clock: each call returns the current value, then adds step (1/64 s: exact in
 * binary, so budget comparisons have no rounding). */
struct fake_clock {
    double now, step;
    unsigned calls;
};

static double fake_time(void *user) {
    struct fake_clock *c = user;
    double t = c->now;
    c->now += c->step;
    c->calls++;
    return t;
}

struct hook_counts {
    unsigned intervals, events, restarts;
};

static void count_interval(void *user, int64_t t0, int64_t t1, unsigned flags,
                           const struct model_row *rows, size_t nrows) {
    struct hook_counts *h = user;
    (void)t0, (void)t1, (void)flags, (void)rows, (void)nrows;
    h->intervals++;
}

static void count_event(void *user, const struct net_event *ev) {
    struct hook_counts *h = user;
    (void)ev;
    h->events++;
}

static void count_restart(void *user) {
    struct hook_counts *h = user;
    h->restarts++;
}

static int load_small(struct run_scenario *s) {
    struct err err;

    err_clear(&err);
    return run_scenario_parse(s, small_yaml, "small.yaml", NULL, 0, &err);
}

static const struct net_event *last_event(const struct ui_snapshot *sn) {
    if (sn->nev_b) return &sn->ev_b[sn->nev_b - 1];
    return sn->nev_a ? &sn->ev_a[sn->nev_a - 1] : NULL;
}

static void test_speeds(void) {
    CU_ASSERT_EQUAL(ui_speed_count(), 14);
    CU_ASSERT_EQUAL(ui_speed_at(0), 0.1);
    CU_ASSERT_EQUAL(ui_speed_at(3), 1);
    CU_ASSERT_EQUAL(ui_speed_at(12), 1000);
    CU_ASSERT(isinf(ui_speed_at(13)));
    CU_ASSERT_EQUAL(ui_speed_index(1), 3);
    CU_ASSERT_EQUAL(ui_speed_index(0.1), 0);
    CU_ASSERT_EQUAL(ui_speed_index(1000), 12);
    CU_ASSERT_EQUAL(ui_speed_index(INFINITY), 13);
    CU_ASSERT_EQUAL(ui_speed_index(3), 4); /* |ln 3 - ln 2| = 0.405 < |ln 5 - ln 3| = 0.511 */
    CU_ASSERT_EQUAL(ui_speed_index(0), 3);
}

static void test_pacing(void) {
    struct run_scenario s;
    struct ui_session *ss;
    struct ui_snapshot sn;
    struct fake_clock fc = {0, 0, 0};
    struct hook_counts hc = {0, 0, 0};
    struct ui_session_hooks hooks = {count_interval, count_event, count_restart, &hc};
    struct err err;

    CU_ASSERT_EQUAL_FATAL(load_small(&s), 0);
    ss = ui_session_new(&s, &hooks, NULL, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ss);
    ui_session_set_clock(ss, fake_time, &fc);
    /* 1x: four frames of 0.25 s wall advance exactly 1 s (0.25e9 ns each, exact doubles) */
    for (int i = 0; i < 4; i++)
        CU_ASSERT_EQUAL(ui_session_advance(ss, 0.25, 1.0), 1);
    ui_session_snapshot(ss, &sn);
    CU_ASSERT_EQUAL(sn.now_ns, 1000000000);
    CU_ASSERT_EQUAL(sn.state, UI_RUNNING);
    /* the interval event at exactly 1 s has not run yet (events at the end stay pending) */
    CU_ASSERT_EQUAL(sn.nseries, 0);
    CU_ASSERT_PTR_NULL(sn.rows);
    /* 2x: 0.5 s wall → 1 s simulated */
    ui_session_set_speed(ss, ui_speed_index(2));
    ui_session_advance(ss, 0.5, 1.0);
    ui_session_snapshot(ss, &sn);
    CU_ASSERT_EQUAL(sn.now_ns, 2000000000);
    CU_ASSERT_EQUAL(sn.nseries, 1);
    CU_ASSERT_EQUAL(sn.t_end_s[0], 1.0);
    /* paused: nothing moves */
    ui_session_toggle_pause(ss);
    CU_ASSERT_EQUAL(ui_session_advance(ss, 0.5, 1.0), 0);
    ui_session_snapshot(ss, &sn);
    CU_ASSERT_EQUAL(sn.now_ns, 2000000000);
    CU_ASSERT_EQUAL(sn.state, UI_PAUSED);
    /* a step: to just past the next interval end (3 s), running the interval events at 2 s
     * and 3 s, then paused */
    CU_ASSERT_EQUAL(ui_session_step(ss, &err), 0);
    ui_session_snapshot(ss, &sn);
    CU_ASSERT_EQUAL(sn.state, UI_STEPPING);
    ui_session_advance(ss, 0.0, 1.0);
    ui_session_snapshot(ss, &sn);
    CU_ASSERT_EQUAL(sn.now_ns, 3000000001);
    CU_ASSERT_EQUAL(sn.state, UI_PAUSED);
    CU_ASSERT_EQUAL(sn.nseries, 3);
    CU_ASSERT_EQUAL(hc.intervals, 3);
    CU_ASSERT_PTR_NOT_NULL(sn.rows);
    CU_ASSERT_EQUAL(sn.rows_end_ns, 3000000000);
    /* the series carries the total row's figures of each interval */
    CU_ASSERT_EQUAL(sn.throughput_rps[2], sn.rows[sn.ncomps].throughput_rps);
    CU_ASSERT_EQUAL(sn.p99_ms[2], sn.rows[sn.ncomps].latency_p99_ms);
    /* no deadline in this scenario: every success is good (models/workload.c) */
    CU_ASSERT_EQUAL(sn.goodput_rps[2], sn.throughput_rps[2]);
    ui_session_free(ss);
    run_scenario_free(&s);
}

/* The rate keys: the scale stays within [1e-3, 1e3] of the scenario's rate however often a
 * key is pressed, and a rate restored after a deep cut brings arrivals back at once (the
 * pending arrival, drawn hours away at the low rate, is redrawn). small.yaml: Poisson 100/s
 * for 10 s. After 1 s, the rate is cut by 10^-9 (held at 10^-3: 0.1/s, the next arrival some
 * 10 s away) and at once raised by 10^3 (back to 100/s), so the nine intervals after it
 * complete about 900 requests (their throughput series summed: Poisson, sd 30, bound 5 sd =
 * 150); a raise by 10^9 stops at 10^3. */
static void test_rate_keys(void) {
    struct run_scenario s;
    struct ui_session *ss;
    struct ui_snapshot sn;
    struct err err;
    double done = 0;

    CU_ASSERT_EQUAL_FATAL(load_small(&s), 0);
    ss = ui_session_new(&s, NULL, NULL, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ss);
    ui_session_set_speed(ss, ui_speed_index(1));
    ui_session_advance(ss, 1.0, 1e9); /* 1 s at 1x: simulated 1 s */
    CU_ASSERT_EQUAL(ui_session_scale_rate(ss, 1e-9, &err), 0);
    ui_session_snapshot(ss, &sn);
    CU_ASSERT_DOUBLE_EQUAL(sn.rate_scale, 1e-3, 1e-12);
    CU_ASSERT_EQUAL(ui_session_scale_rate(ss, 1e3, &err), 0);
    ui_session_snapshot(ss, &sn);
    CU_ASSERT_DOUBLE_EQUAL(sn.rate_scale, 1.0, 1e-9);
    ui_session_set_speed(ss, ui_speed_index(INFINITY));
    ui_session_advance(ss, 1.0, 1e9);
    ui_session_snapshot(ss, &sn);
    CU_ASSERT_EQUAL(sn.now_ns, 10000000000LL);
    CU_ASSERT_EQUAL_FATAL(sn.nseries, 10);
    for (size_t i = 1; i < sn.nseries; i++)
        done += sn.throughput_rps[i]; /* 1 s intervals: requests */
    fprintf(stderr, "\n  rate cut and restored at 1 s: %.0f done in [1 s, 10 s) (900 +- 150)\n",
            done);
    CU_ASSERT_TRUE(done >= 900 - 150 && done <= 900 + 150);
    ui_session_free(ss);
    /* The upper bound: 10^9 from 1 stops at 10^3. */
    ss = ui_session_new(&s, NULL, NULL, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ss);
    CU_ASSERT_EQUAL(ui_session_scale_rate(ss, 1e9, &err), 0);
    ui_session_snapshot(ss, &sn);
    CU_ASSERT_DOUBLE_EQUAL(sn.rate_scale, 1e3, 1e-9);
    ui_session_free(ss);
    run_scenario_free(&s);
}

static void test_budget(void) {
    struct run_scenario s;
    struct ui_session *ss;
    struct ui_snapshot sn;
    struct fake_clock fc = {0, 1.0 / 64, 0};
    struct err err;

    CU_ASSERT_EQUAL_FATAL(load_small(&s), 0);
    ss = ui_session_new(&s, NULL, NULL, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ss);
    ui_session_set_clock(ss, fake_time, &fc);
    /* 1000x for 0.1 s wants 100 s (capped at the 10 s end), but every slice "takes" 1/64 s of
     * a budget of 4/64 s: four slices run. Each took more than budget/8, so the first slice
     * (interval/100 = 10 ms) halves after each: 10 + 5 + 2.5 + 1.25 = 18.75 ms. */
    ui_session_set_speed(ss, ui_speed_index(1000));
    fc.calls = 0;
    CU_ASSERT_EQUAL(ui_session_advance(ss, 0.1, 4.0 / 64), 1);
    ui_session_snapshot(ss, &sn);
    CU_ASSERT_EQUAL(sn.now_ns, 18750000);
    CU_ASSERT_EQUAL(fc.calls, 5); /* the start, then one per slice */
    CU_ASSERT_EQUAL(sn.state, UI_RUNNING);
    /* a budget of 0 still runs one slice (now 0.625 ms) */
    ui_session_advance(ss, 0.1, 0);
    ui_session_snapshot(ss, &sn);
    CU_ASSERT_EQUAL(sn.now_ns, 18750000 + 625000);
    ui_session_free(ss);
    run_scenario_free(&s);
}

static void test_commands(void) {
    struct run_scenario s;
    struct ui_session *ss;
    struct ui_snapshot sn;
    struct fake_clock fc = {0, 0, 0};
    struct hook_counts hc = {0, 0, 0};
    struct ui_session_hooks hooks = {count_interval, count_event, count_restart, &hc};
    const struct comp *api;
    const struct net_event *ev;
    struct err err;

    CU_ASSERT_EQUAL_FATAL(load_small(&s), 0);
    ss = ui_session_new(&s, &hooks, NULL, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ss);
    ui_session_set_clock(ss, fake_time, &fc);
    ui_session_advance(ss, 1.5, 1.0); /* t = 1.5 s */
    api = ui_session_comp(ss, 0);
    CU_ASSERT_STRING_EQUAL(api->name, "api");
    CU_ASSERT_PTR_NULL(ui_session_comp(ss, 1));

    CU_ASSERT_EQUAL(ui_session_toggle_crash(ss, 0, &err), 0);
    CU_ASSERT_EQUAL(api->down, 1);
    ui_session_snapshot(ss, &sn);
    ev = last_event(&sn);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ev);
    CU_ASSERT_STRING_EQUAL(ev->what, "crash");
    CU_ASSERT_STRING_EQUAL(ev->component, "api");
    CU_ASSERT_EQUAL(ev->t_ns, 1500000000);
    CU_ASSERT_EQUAL(ui_session_toggle_crash(ss, 0, &err), 0);
    CU_ASSERT_EQUAL(api->down, 0);
    ui_session_snapshot(ss, &sn);
    CU_ASSERT_STRING_EQUAL(last_event(&sn)->what, "recover");

    CU_ASSERT_EQUAL(ui_session_toggle_slow(ss, 0, 4, &err), 0);
    CU_ASSERT_EQUAL(api->slow, 4);
    ui_session_snapshot(ss, &sn);
    CU_ASSERT_STRING_EQUAL(last_event(&sn)->what, "slow");
    CU_ASSERT_EQUAL(ui_session_toggle_slow(ss, 0, 4, &err), 0);
    CU_ASSERT_EQUAL(api->slow, 1);
    ui_session_snapshot(ss, &sn);
    CU_ASSERT_STRING_EQUAL(last_event(&sn)->what, "restore");
    CU_ASSERT_EQUAL(ui_session_toggle_crash(ss, 5, &err), -1); /* no such component */

    /* ] : 100/s x 1.1, logged with the new rate; [ brings it back */
    CU_ASSERT_EQUAL(ui_session_scale_rate(ss, 1.1, &err), 0);
    ui_session_snapshot(ss, &sn);
    CU_ASSERT_DOUBLE_EQUAL(sn.rate_per_s, 110, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(sn.rate_scale, 1.1, 1e-12);
    ev = last_event(&sn);
    CU_ASSERT_STRING_EQUAL(ev->what, "rate");
    CU_ASSERT_STRING_EQUAL(ev->detail, "user: x1.1, now 110/s");
    CU_ASSERT_EQUAL(ui_session_scale_rate(ss, 1 / 1.1, &err), 0);
    ui_session_snapshot(ss, &sn);
    CU_ASSERT_DOUBLE_EQUAL(sn.rate_per_s, 100, 1e-9);
    CU_ASSERT_EQUAL(sn.nev_a + sn.nev_b, 6);
    CU_ASSERT_EQUAL(hc.events, 6); /* every logged event reached the hook (for events.csv) */

    /* restart: a new run at 0 with one event (the restart), nothing crashed, no series */
    CU_ASSERT_EQUAL(ui_session_toggle_crash(ss, 0, &err), 0);
    CU_ASSERT_EQUAL(ui_session_restart(ss, &err), 0);
    CU_ASSERT_EQUAL(hc.restarts, 1);
    ui_session_snapshot(ss, &sn);
    CU_ASSERT_EQUAL(sn.now_ns, 0);
    CU_ASSERT_EQUAL(sn.state, UI_RUNNING);
    CU_ASSERT_EQUAL(sn.restarts, 1);
    CU_ASSERT_EQUAL(sn.nseries, 0);
    CU_ASSERT_EQUAL(sn.rate_scale, 1);
    CU_ASSERT_EQUAL(sn.nev_a + sn.nev_b, 1);
    CU_ASSERT_STRING_EQUAL(last_event(&sn)->what, "restart");
    CU_ASSERT_EQUAL(ui_session_comp(ss, 0)->down, 0);
    ui_session_free(ss);
    run_scenario_free(&s);
}

static int same(double a, double b) {
    return a == b || (isnan(a) && isnan(b));
}

/* A session left alone to its end equals `archsim run` (run_replication) with the same seed,
 * row for row; a session quit early is partial at its time. */
static void test_matches_batch(void) {
    struct run_scenario s;
    struct ui_session *ss;
    struct ui_snapshot sn;
    struct run_rep live, batch;
    struct err err;

    CU_ASSERT_EQUAL_FATAL(load_small(&s), 0);
    CU_ASSERT_EQUAL_FATAL(run_replication(&s, 0, NULL, &batch, &err), 0);
    ss = ui_session_new(&s, NULL, NULL, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ss);
    ui_session_set_speed(ss, ui_speed_count() - 1); /* max */
    for (int i = 0; i < 1000; i++) {
        ui_session_advance(ss, 0.05, 10.0);
        ui_session_snapshot(ss, &sn);
        if (sn.state == UI_ENDED) break;
    }
    CU_ASSERT_EQUAL(sn.state, UI_ENDED);
    CU_ASSERT_EQUAL(sn.nseries, 10);
    CU_ASSERT_EQUAL(ui_session_step(ss, &err), -1); /* nothing left to step */
    ui_session_result(ss, &live);
    CU_ASSERT_EQUAL(live.partial, 0);
    CU_ASSERT_EQUAL(live.seed, 7);
    CU_ASSERT_EQUAL(live.events, batch.events);
    CU_ASSERT_EQUAL(live.sim_time_s, 10.0);
    CU_ASSERT_EQUAL_FATAL(live.nrows, batch.nrows);
    for (size_t i = 0; i < live.nrows; i++) {
        CU_ASSERT_STRING_EQUAL(live.rows[i].component, batch.rows[i].component);
        CU_ASSERT_EQUAL(live.rows[i].arrivals, batch.rows[i].arrivals);
        CU_ASSERT_EQUAL(live.rows[i].completions, batch.rows[i].completions);
        CU_ASSERT(same(live.rows[i].latency_p99_ms, batch.rows[i].latency_p99_ms));
        CU_ASSERT(same(live.rows[i].latency_mean_ms, batch.rows[i].latency_mean_ms));
        CU_ASSERT(same(live.rows[i].queue_mean, batch.rows[i].queue_mean));
        /* NAN (the total row has no utilization) equals NAN here */
        CU_ASSERT(same(live.rows[i].utilization, batch.rows[i].utilization));
    }
    /* about 100/s for 10 s: 1000 ± 4 sqrt(1000) (Poisson count) */
    CU_ASSERT(fabs((double)live.rows[1].arrivals - 1000) < 4 * sqrt(1000));
    run_rep_free(&live);
    run_rep_free(&batch);
    ui_session_free(ss);

    /* quit at 2.5 s: partial, summary at that time */
    ss = ui_session_new(&s, NULL, NULL, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ss);
    ui_session_advance(ss, 2.5, 10.0);
    ui_session_result(ss, &live);
    CU_ASSERT_EQUAL(live.partial, 1);
    CU_ASSERT_EQUAL(live.sim_time_s, 2.5);
    ui_session_snapshot(ss, &sn);
    CU_ASSERT_EQUAL(sn.state, UI_ENDED);
    CU_ASSERT_EQUAL(sn.nseries, 3); /* 1 s, 2 s, and the partial [2 s, 2.5 s) */
    run_rep_free(&live);
    ui_session_free(ss);
    run_scenario_free(&s);
}

static void test_closed_rate(void) {
    static const char yaml[] = "name: closed\n"
                               "duration: 5s\n"
                               "workload:\n"
                               "  users: 3\n"
                               "  think_time: exp(10ms)\n"
                               "  target: api\n"
                               "components:\n"
                               "  api:\n"
                               "    kind: service\n"
                               "    service_time: exp(1ms)\n";
    struct run_scenario s;
    struct ui_session *ss;
    struct ui_snapshot sn;
    struct err err;

    err_clear(&err);
    CU_ASSERT_EQUAL_FATAL(run_scenario_parse(&s, yaml, "closed.yaml", NULL, 0, &err), 0);
    ss = ui_session_new(&s, NULL, NULL, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ss);
    CU_ASSERT_EQUAL(ui_session_scale_rate(ss, 1.1, &err), -1);
    CU_ASSERT(strstr(err.msg, "closed") != NULL);
    ui_session_snapshot(ss, &sn);
    CU_ASSERT_EQUAL(sn.users, 3);
    CU_ASSERT(isnan(sn.rate_per_s));
    CU_ASSERT_EQUAL(sn.nev_a + sn.nev_b, 0); /* a refused action logs nothing */
    ui_session_free(ss);
    run_scenario_free(&s);
}

void test_ui_register(void) {
    CU_pSuite s = CU_add_suite("ui", NULL, NULL);

    CU_add_test(s, "rate keys: bounded, and a restored rate brings arrivals back", test_rate_keys);
    CU_add_test(s, "bar lengths", test_bars);
    CU_add_test(s, "axis tops", test_axis_top);
    CU_add_test(s, "number and duration labels", test_labels);
    CU_add_test(s, "axis label rows", test_axis_row);
    CU_add_test(s, "downsampling", test_downsample);
    CU_add_test(s, "chart points", test_chart_points);
    CU_add_test(s, "chart levels", test_levels);
    CU_add_test(s, "dot grids", test_plot);
    CU_add_test(s, "braille and ASCII cells", test_braille);
    CU_add_test(s, "column widths", test_columns);
    CU_add_test(s, "text width and clipping", test_text);
    CU_add_test(s, "word wrap", test_wrap);
    CU_add_test(s, "histogram bins", test_bins);
    CU_add_test(s, "dashboard layout", test_dash_layout);
    CU_add_test(s, "speed ladder", test_speeds);
    CU_add_test(s, "pacing, pause and step", test_pacing);
    CU_add_test(s, "frame budget", test_budget);
    CU_add_test(s, "commands and the event log", test_commands);
    CU_add_test(s, "a live run equals the batch run", test_matches_batch);
    CU_add_test(s, "closed workload has no rate", test_closed_rate);
}
