/* ui_layout — widget arithmetic without a terminal; see ui_layout.h. */
#include "ui_layout.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* --- bars ---------------------------------------------------------------------------------- */

static int clamp_round(double x, int hi) {
    if (!(x > 0)) return 0; /* NAN too */
    if (x >= hi) return hi;
    return (int)lround(x) > hi ? hi : (int)lround(x);
}

int ui_bar_cells(double frac, int width) {
    if (width <= 0) return 0;
    return clamp_round(frac * width, width);
}

int ui_bar_eighths(double frac, int width) {
    if (width <= 0) return 0;
    return clamp_round(frac * width * 8.0, width * 8);
}

/* --- numbers and axes ---------------------------------------------------------------------- */

double ui_axis_top(double max) {
    static const double steps[] = {1.0, 2.0, 2.5, 5.0, 10.0};
    double base;

    if (!(max > 0) || !isfinite(max)) return 1.0;
    base = pow(10.0, floor(log10(max)));
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
        /* the tolerance absorbs pow/log10 rounding: 5000 must give 5000, not 10000 */
        if (steps[i] * base >= max * (1 - 1e-12)) return steps[i] * base;
    return 10.0 * base;
}

/* v scaled by the first unit (ascending scales) under which it prints below 1000 with three
 * significant digits: the threshold is 999.5 because %.3g rounds 999.5 up to "1e+03". */
static char *fmt3(double v, const double *scale, const char *const *unit, size_t nunits, char *buf,
                  size_t n) {
    double a = fabs(v);
    size_t u = 0;

    while (u + 1 < nunits && a / scale[u] >= 999.5)
        u++;
    snprintf(buf, n, "%.3g%s", v / scale[u], unit[u]);
    return buf;
}

char *ui_fmt_si(double v, char *buf, size_t n) {
    static const double scale[] = {1, 1e3, 1e6, 1e9};
    static const char *const unit[] = {"", "k", "M", "G"};

    if (isnan(v)) {
        snprintf(buf, n, "-");
        return buf;
    }
    if (v == 0) {
        snprintf(buf, n, "0");
        return buf;
    }
    return fmt3(v, scale, unit, 4, buf, n);
}

char *ui_fmt_ns(double ns, char *buf, size_t n) {
    static const double scale[] = {1, 1e3, 1e6, 1e9};
    static const char *const unit[] = {"ns", "us", "ms", "s"};

    if (isnan(ns)) {
        snprintf(buf, n, "-");
        return buf;
    }
    return fmt3(ns, scale, unit, 4, buf, n);
}

int ui_chart_level(double v, double top, int levels) {
    double x;

    if (isnan(v) || !(top > 0) || levels <= 0) return -1;
    x = v / top * (levels - 1);
    if (!(x > 0)) return 0;
    if (x >= levels - 1) return levels - 1;
    return (int)lround(x);
}

int ui_axis_row(double v, double top, int rows, int sub_rows) {
    int level = ui_chart_level(v, top, rows * sub_rows);

    if (level < 0) return -1;
    return rows - 1 - level / sub_rows;
}

/* --- charts -------------------------------------------------------------------------------- */

size_t ui_downsample(const double *src, size_t n, double *dst, size_t m, enum ui_ds mode) {
    if (n <= m) {
        if (n) memmove(dst, src, n * sizeof *src);
        return n;
    }
    for (size_t j = 0; j < m; j++) {
        size_t a = j * n / m, b = (j + 1) * n / m; /* n > m, so b > a */
        double acc = mode == UI_DS_MAX ? -INFINITY : 0;
        size_t k = 0;
        for (size_t i = a; i < b; i++) {
            if (isnan(src[i])) continue;
            if (mode == UI_DS_MAX)
                acc = src[i] > acc ? src[i] : acc;
            else
                acc += src[i];
            k++;
        }
        dst[j] = k == 0 ? NAN : mode == UI_DS_MAX ? acc : acc / (double)k;
    }
    return m;
}

size_t ui_chart_points(const double *src, size_t n, double *dst, size_t m, size_t max_repeat,
                       enum ui_ds mode) {
    size_t k;

    if (n == 0 || m == 0) return 0;
    if (n > m) return ui_downsample(src, n, dst, m, mode);
    k = m / n < max_repeat ? m / n : max_repeat;
    if (k < 1) k = 1;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < k; j++)
            dst[i * k + j] = src[i];
    return n * k;
}

static void set_dot(unsigned char *cells, int w, int sx, int sy, int col, int row) {
    int cx = col / sx, dx = col % sx, cy = row / sy, dy = row % sy;
    cells[cy * w + cx] |= (unsigned char)(1u << (dy * sx + dx));
}

void ui_plot(const int *levels, size_t n, int sx, int sy, int w, int h, int connect,
             unsigned char *cells) {
    int rows = h * sy, prev = -1;

    if (w <= 0 || h <= 0) return;
    memset(cells, 0, (size_t)w * (size_t)h);
    for (size_t i = 0; i < n && i < (size_t)w * (size_t)sx; i++) {
        int l = levels[i];
        if (l < 0 || l >= rows) {
            prev = -1;
            continue;
        }
        set_dot(cells, w, sx, sy, (int)i, rows - 1 - l);
        if (connect && prev >= 0 && prev != l) {
            int step = l > prev ? 1 : -1;
            for (int k = prev + step; k != l; k += step)
                set_dot(cells, w, sx, sy, (int)i, rows - 1 - k);
        }
        prev = l;
    }
}

unsigned ui_braille_bits(unsigned mask) {
    /* braille bit for the dot at index dy * 2 + dx */
    static const unsigned char dot[8] = {0x01, 0x08, 0x02, 0x10, 0x04, 0x20, 0x40, 0x80};
    unsigned bits = 0;

    for (int i = 0; i < 8; i++)
        if (mask & (1u << i)) bits |= dot[i];
    return bits;
}

size_t ui_braille_utf8(unsigned bits, char *out) {
    /* U+2800 + bits: 1110 0010, 10 1000bb, 10 bbbbbb */
    out[0] = (char)0xE2;
    out[1] = (char)(0xA0 | ((bits >> 6) & 0x3));
    out[2] = (char)(0x80 | (bits & 0x3F));
    out[3] = '\0';
    return 3;
}

char ui_ascii_cell(unsigned mask) {
    switch (mask & 7u) {
        case 0:
            return ' ';
        case 1:
            return '\'';
        case 2:
            return '-';
        case 4:
            return '.';
        case 7:
            return '|';
        default:
            return ':';
    }
}

/* --- tables -------------------------------------------------------------------------------- */

/* A visible flex column below its max. */
static int grows(const struct ui_col *c, int w) {
    return w > 0 && c->flex > 0 && (c->max == 0 || w < c->max);
}

int ui_columns(const struct ui_col *cols, size_t n, int width, int *out) {
    int total = 0, visible = 0, spare;

    for (size_t i = 0; i < n; i++) {
        out[i] = cols[i].min;
        total += cols[i].min;
        visible++;
    }
    if (visible) total += visible - 1;
    while (total > width && visible > 1) {
        size_t drop = n;
        for (size_t i = 0; i < n; i++)
            if (out[i] > 0 && cols[i].prio >= 0 && (drop == n || cols[i].prio <= cols[drop].prio))
                drop = i;
        if (drop == n) break;
        total -= out[drop] + 1;
        out[drop] = 0;
        visible--;
    }
    if (total > width) {
        /* Even the columns that never hide do not fit: narrow the last visible one. */
        for (size_t i = n; i-- > 0;)
            if (out[i] > 0) {
                int cut = total - width < out[i] - 1 ? total - width : out[i] - 1;
                out[i] -= cut;
                total -= cut;
                break;
            }
        return total;
    }
    spare = width - total;
    while (spare > 0) {
        int weights = 0, given = 0;
        for (size_t i = 0; i < n; i++)
            if (grows(&cols[i], out[i])) weights += cols[i].flex;
        if (weights == 0) break;
        for (size_t i = 0; i < n; i++) {
            int add;
            if (!grows(&cols[i], out[i])) continue;
            add = spare * cols[i].flex / weights;
            if (cols[i].max && out[i] + add > cols[i].max) add = cols[i].max - out[i];
            out[i] += add;
            given += add;
        }
        spare -= given;
        if (given > 0) continue; /* columns that reached their max leave more to the others */
        /* Every share rounded to 0: the remainder one cell at a time in column order. */
        for (size_t i = 0; i < n && spare > 0; i++)
            if (grows(&cols[i], out[i])) {
                out[i]++;
                spare--;
            }
    }
    return width - spare;
}

/* --- text ---------------------------------------------------------------------------------- */

static int is_cont(unsigned char c) {
    return (c & 0xC0) == 0x80;
}

int ui_text_cols(const char *s) {
    int cols = 0;

    for (; *s; s++)
        if (!is_cont((unsigned char)*s)) cols++;
    return cols;
}

size_t ui_clip(const char *s, int width) {
    size_t i = 0;
    int cols = 0;

    if (width <= 0) return 0;
    while (s[i]) {
        if (!is_cont((unsigned char)s[i])) {
            if (cols == width) break;
            cols++;
        }
        i++;
    }
    return i;
}

/* Bytes and columns of the word starting at p (up to a space, '\n' or the end). */
static size_t word_len(const char *p, int *cols) {
    size_t i = 0;

    *cols = 0;
    while (p[i] && p[i] != ' ' && p[i] != '\n') {
        if (!is_cont((unsigned char)p[i])) (*cols)++;
        i++;
    }
    return i;
}

static void emit(struct ui_span *out, size_t max, size_t *count, size_t off, size_t len, int cols) {
    if (*count < max) {
        out[*count].off = off;
        out[*count].len = len;
        out[*count].cols = cols;
    }
    (*count)++;
}

size_t ui_wrap(const char *text, int width, struct ui_span *out, size_t max) {
    const char *p = text;
    size_t count = 0;

    if (width < 1) width = 1;
    while (*p) {
        /* One hard line: up to '\n' or the end. */
        size_t start = 0, end = 0, before = count;
        int cols = 0, open = 0; /* open: a line holds words and may take more */
        int gap = 0;            /* spaces since the line's last word */
        while (*p && *p != '\n') {
            int wc;
            size_t wl;
            if (*p == ' ') {
                p++;
                gap++;
                continue;
            }
            wl = word_len(p, &wc);
            if (open && cols + gap + wc <= width) {
                /* the spaces between words stay as written */
                cols += gap + wc;
                gap = 0;
                p += wl;
                end = (size_t)(p - text);
                continue;
            }
            gap = 0;
            if (open) emit(out, max, &count, start, end - start, cols);
            open = 0;
            while (wc > width) {
                /* A word longer than a line: cut it at width columns. */
                size_t cut = ui_clip(p, width);
                emit(out, max, &count, (size_t)(p - text), cut, width);
                p += cut;
                wl -= cut;
                wc -= width;
            }
            if (wc == 0) continue;
            start = (size_t)(p - text);
            cols = wc;
            open = 1;
            p += wl;
            end = (size_t)(p - text);
        }
        if (open)
            emit(out, max, &count, start, end - start, cols);
        else if (*p == '\n' && count == before)
            emit(out, max, &count, (size_t)(p - text), 0, 0);
        if (*p == '\n') p++;
    }
    return count;
}

/* --- histograms ---------------------------------------------------------------------------- */

/* The k-th 1-2-5 edge: 1, 2, 5, 10, 20, 50, ... ns. */
static int64_t edge_125(int k) {
    static const int64_t m[3] = {1, 2, 5};
    int64_t p = 1;

    for (int i = 0; i < k / 3; i++)
        p *= 10;
    return m[k % 3] * p;
}

/* Index of the largest 1-2-5 edge <= v (v < 1 counts as 1). */
static int edge_index(int64_t v) {
    int k = 0;

    while (edge_125(k + 1) <= v && k < 56)
        k++;
    return k;
}

size_t ui_bins_125(const int64_t *lo, const uint64_t *count, size_t n, struct ui_bin *out,
                   size_t max) {
    int first, last;
    size_t nbins, k, nout;

    if (n == 0 || max == 0) return 0;
    first = edge_index(lo[0]);
    last = edge_index(lo[n - 1]);
    nbins = (size_t)(last - first + 1);
    k = (nbins + max - 1) / max;
    nout = (nbins + k - 1) / k;
    for (size_t j = 0; j < nout; j++) {
        out[j].lo = edge_125(first + (int)(j * k));
        out[j].hi = edge_125(first + (int)((j + 1) * k));
        out[j].count = 0;
    }
    for (size_t i = 0; i < n; i++)
        out[(size_t)(edge_index(lo[i]) - first) / k].count += count[i];
    return nout;
}

/* --- the dashboard's panels ---------------------------------------------------------------- */

static struct ui_rect rect(int x, int y, int w, int h) {
    struct ui_rect r = {x, y, w < 0 ? 0 : w, h < 0 ? 0 : h};
    return r;
}

void ui_layout_dash(int cols, int lines, int table_rows, struct ui_dash_rects *r) {
    int avail, tmax, th, rest, ch, bh, y, lw;

    memset(r, 0, sizeof *r);
    r->too_small = cols < UI_MIN_COLS || lines < UI_MIN_LINES;
    r->status = rect(0, 0, cols, 1);
    r->hint = rect(0, lines - 1, cols, 1);
    avail = lines - 2;
    if (avail < 0) avail = 0;
    tmax = avail * 2 / 5 > 4 ? avail * 2 / 5 : 4;
    th = table_rows + 1 < tmax ? table_rows + 1 : tmax;
    if (th > avail) th = avail;
    rest = avail - th;
    ch = rest / 2 < 5 ? 5 : rest / 2 > 10 ? 10 : rest / 2;
    if (rest - ch < 3) ch = rest - 3;
    if (ch < 0) ch = 0;
    bh = rest - ch;
    y = 1;
    r->table = rect(0, y, cols, th);
    y += th;
    r->chart_a = rect(0, y, cols / 2, ch);
    r->chart_b = rect(cols / 2, y, cols - cols / 2, ch);
    r->detail = rect(0, y, cols, ch + bh);
    y += ch;
    lw = cols * 3 / 5;
    r->log = rect(0, y, lw, bh);
    r->text = rect(lw, y, cols - lw, bh);
}
