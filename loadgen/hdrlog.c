/* hdrlog — HdrHistogram interval log writer (Java format 1.3); see hdrlog.h. */
#include "hdrlog.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "xmalloc.h"

#define V2_COOKIE            0x1c849313u /* V2 encoding cookie base 0x1c849303 | 0x10 */
#define V2_COMPRESSED_COOKIE 0x1c849314u /* compressed cookie base 0x1c849304 | 0x10 */
#define STORED_MAX           65535u

struct hdrlog {
    FILE *f;
    char *path;
};

struct bytes {
    unsigned char *b;
    size_t len, cap;
};

static void put(struct bytes *o, const void *p, size_t n) {
    if (o->len + n > o->cap) {
        o->cap = o->cap ? o->cap : 256;
        while (o->cap < o->len + n)
            o->cap *= 2;
        o->b = xrealloc(o->b, o->cap);
    }
    memcpy(o->b + o->len, p, n);
    o->len += n;
}

static void put8(struct bytes *o, unsigned v) {
    unsigned char c = (unsigned char)v;
    put(o, &c, 1);
}

static void put_be32(struct bytes *o, uint32_t v) {
    unsigned char c[4] = {(unsigned char)(v >> 24), (unsigned char)(v >> 16),
                          (unsigned char)(v >> 8), (unsigned char)v};
    put(o, c, 4);
}

static void put_be64(struct bytes *o, uint64_t v) {
    put_be32(o, (uint32_t)(v >> 32));
    put_be32(o, (uint32_t)v);
}

static void set_be32(struct bytes *o, size_t at, uint32_t v) {
    o->b[at] = (unsigned char)(v >> 24);
    o->b[at + 1] = (unsigned char)(v >> 16);
    o->b[at + 2] = (unsigned char)(v >> 8);
    o->b[at + 3] = (unsigned char)v;
}

/* ZigZag then LEB128, as HdrHistogram's ZigZagEncoding.putLong (at most 9 bytes, the 9th
 * carrying 8 bits). */
static void put_zigzag(struct bytes *o, int64_t v) {
    uint64_t u = ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);

    for (int i = 0; i < 8; i++) {
        if (u < 0x80) {
            put8(o, (unsigned)u);
            return;
        }
        put8(o, (unsigned)((u & 0x7f) | 0x80));
        u >>= 7;
    }
    put8(o, (unsigned)u);
}

/* Counters of h by HdrHistogram index, walked through hist_next. */
static void encode_counts(struct bytes *o, const struct hist *h) {
    struct hist_iter it = {0, 0, 0, 0};
    size_t next = 0; /* the next counts index not yet written */

    while (hist_next(h, &it)) {
        size_t idx = it.index - 1;
        size_t zeros = idx - next;
        if (zeros == 1)
            put_zigzag(o, 0);
        else if (zeros > 1)
            put_zigzag(o, -(int64_t)zeros);
        put_zigzag(o, (int64_t)it.count);
        next = idx + 1;
    }
}

static uint32_t adler32(const unsigned char *p, size_t n) {
    uint32_t a = 1, b = 0;

    for (size_t i = 0; i < n; i++) {
        a = (a + p[i]) % 65521u;
        b = (b + a) % 65521u;
    }
    return (b << 16) | a;
}

/* A zlib stream (RFC 1950) of stored deflate blocks (RFC 1951 3.2.4) holding src. */
static void zlib_stored(struct bytes *o, const struct bytes *src) {
    size_t off = 0;

    put8(o, 0x78); /* CM 8 (deflate), CINFO 7 */
    put8(o, 0x01); /* FLEVEL 0, FCHECK: 0x7801 % 31 == 0 */
    do {
        size_t n = src->len - off > STORED_MAX ? STORED_MAX : src->len - off;
        int final = off + n == src->len;
        put8(o, final ? 1u : 0u); /* BFINAL, BTYPE 00; the rest of the byte is padding */
        put8(o, (unsigned)(n & 0xff));
        put8(o, (unsigned)(n >> 8));
        put8(o, (unsigned)(~n & 0xff));
        put8(o, (unsigned)((~n >> 8) & 0xff));
        if (n) put(o, src->b + off, n);
        off += n;
    } while (off < src->len);
    put_be32(o, adler32(src->b, src->len));
}

static char *base64(const unsigned char *p, size_t n) {
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char *out = xmalloc((n + 2) / 3 * 4 + 1), *q = out;

    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16;
        if (i + 1 < n) v |= (uint32_t)p[i + 1] << 8;
        if (i + 2 < n) v |= p[i + 2];
        *q++ = tab[(v >> 18) & 63];
        *q++ = tab[(v >> 12) & 63];
        *q++ = i + 1 < n ? tab[(v >> 6) & 63] : '=';
        *q++ = i + 2 < n ? tab[v & 63] : '=';
    }
    *q = 0;
    return out;
}

char *hdrlog_encode(const struct hist *h) {
    struct bytes raw = {NULL, 0, 0}, z = {NULL, 0, 0}, out = {NULL, 0, 0};
    double ratio = 1.0;
    uint64_t ratio_bits;
    char *s;

    put_be32(&raw, V2_COOKIE);
    put_be32(&raw, 0); /* payload length, set below */
    put_be32(&raw, 0); /* normalizing index offset */
    put_be32(&raw, HIST_SIGNIFICANT_DIGITS);
    put_be64(&raw, (uint64_t)HIST_LOWEST_NS);
    put_be64(&raw, (uint64_t)HIST_HIGHEST_NS);
    memcpy(&ratio_bits, &ratio, sizeof ratio_bits);
    put_be64(&raw, ratio_bits);
    if (hist_count(h))
        encode_counts(&raw, h);
    else
        put_zigzag(&raw, 0); /* as Java: counts up to index(max = 0), one zero */
    set_be32(&raw, 4, (uint32_t)(raw.len - 40));
    zlib_stored(&z, &raw);
    put_be32(&out, V2_COMPRESSED_COOKIE);
    put_be32(&out, (uint32_t)z.len);
    put(&out, z.b, z.len);
    s = base64(out.b, out.len);
    free(raw.b);
    free(z.b);
    free(out.b);
    return s;
}

struct hdrlog *hdrlog_open(const char *path, double start_epoch_s, struct err *err) {
    struct hdrlog *l;
    FILE *f = fopen(path, "w");
    time_t secs = (time_t)start_epoch_s;
    struct tm tm;
    char date[64];

    if (!f) {
        err_set(err, path, 0, 0, "--hdr-log: %s", strerror(errno));
        return NULL;
    }
    l = xcalloc(1, sizeof *l);
    l->f = f;
    l->path = xstrdup(path);
    gmtime_r(&secs, &tm);
    strftime(date, sizeof date, "%a %b %d %H:%M:%S UTC %Y", &tm);
    fprintf(f, "#[Histogram log format version 1.3]\n");
    fprintf(f, "#[StartTime: %.3f (seconds since epoch), %s]\n", start_epoch_s, date);
    fprintf(f, "#[BaseTime: %.3f (seconds since epoch)]\n", start_epoch_s);
    fprintf(f, "\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\","
               "\"Interval_Compressed_Histogram\"\n");
    return l;
}

void hdrlog_interval(struct hdrlog *l, double start_s, double length_s, const struct hist *h) {
    char *b = hdrlog_encode(h);

    fprintf(l->f, "%.3f,%.3f,%.3f,%s\n", start_s, length_s, (double)hist_max(h) / 1e6, b);
    free(b);
}

int hdrlog_close(struct hdrlog *l, struct err *err) {
    int rc = 0;

    if (!l) return 0;
    if (ferror(l->f) | fclose(l->f)) rc = err_set(err, l->path, 0, 0, "--hdr-log: write error");
    free(l->path);
    free(l);
    return rc;
}
