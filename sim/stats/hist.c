/*
 * hist — log-linear latency histogram with HdrHistogram's bucket layout (see hist.h for the
 * layout, the design and the alternatives rejected).
 *
 * Index arithmetic (written from the layout described in HdrHistogram's documentation and
 * its C port's design notes, Tene 2012-2015): with sub_bucket_count = 2^11 and unit
 * magnitude 0, a value v lies in bucket b = (64 - clz(v | 2047)) - 11 at sub-bucket
 * s = v >> b (1024 <= s < 2048 for b >= 1, 0 <= s < 2048 for b = 0), and its counter is
 * (b + 1) * 1024 + (s - 1024). Bucket 0 thus uses counters 0..2047 for values 0..2047, and
 * each further bucket adds the 1024 upper-half sub-buckets of width 2^b.
 */
#include "hist.h"

#include <assert.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

#define SUB_HALF_MAG 10 /* log2(sub_bucket_count / 2) */
#define SUB_HALF     (HIST_SUB_BUCKET_COUNT / 2)
#define SUB_MASK     ((uint64_t)HIST_SUB_BUCKET_COUNT - 1)
#define COUNTS_LEN   ((size_t)(HIST_BUCKET_COUNT + 1) * SUB_HALF)
/* Counters are grouped in blocks of 64; a bitmap marks the blocks touched since the last
 * reset, so reset, copy and merge cost what was recorded, not the whole range (an interval
 * histogram at a few hundred samples per second touches a few dozen blocks). */
#define BLOCK_SHIFT 6
#define BLOCK_LEN   ((size_t)1 << BLOCK_SHIFT)
#define TOUCH_WORDS ((COUNTS_LEN / BLOCK_LEN + 63) / 64)

#define NBLOCKS (COUNTS_LEN / BLOCK_LEN)

/* 64 counters with their sum and non-zero bitmap, allocated on the block's first record: a
 * histogram costs what it recorded, not the 264 KiB of the whole range (a service with
 * thousands of replicas has three histograms per replica, most of them nearly empty). */
struct block {
    uint64_t nz;    /* bit j: counts[j] is non-zero, so merge and reset visit only those */
    uint64_t total; /* sum of counts[]: percentile walks skip whole blocks */
    uint64_t counts[BLOCK_LEN];
};

struct hist {
    uint64_t count;                /* recorded values */
    uint64_t saturated;            /* of which clamped to HIST_HIGHEST_NS */
    uint64_t sum_lo;               /* exact sum of values in ns, low 64 bits ... */
    uint64_t sum_hi;               /* ... and high 64 bits */
    int64_t min, max;              /* ns; INT64_MAX / 0 when empty */
    uint64_t touched[TOUCH_WORDS]; /* bit b of word w: block w*64+b has a non-zero counter */
    struct block *blk[NBLOCKS];    /* NULL until first written; kept (zeroed) across resets */
};

/* Counter index of v, 0 <= v <= HIST_HIGHEST_NS. The "| SUB_MASK" makes every value below
 * 2048 land in bucket 0 and keeps the clz argument non-zero, so there is no branch. The
 * index (bucket + 1) * SUB_HALF + (sub - SUB_HALF) is written as bucket * SUB_HALF + sub, and
 * 63 - clz as 63 ^ clz (a bare bsr): five instructions fewer on every record. */
static inline size_t index_of(uint64_t v) {
    unsigned bucket = (unsigned)(63 ^ __builtin_clzll(v | SUB_MASK)) - SUB_HALF_MAG;
    return ((size_t)bucket << SUB_HALF_MAG) + (size_t)(v >> bucket);
}

/* Inclusive value range [*lo, *hi] in ns of counter i (inverse of index_of). */
static void range_of(size_t i, int64_t *lo, int64_t *hi) {
    int bucket = (int)(i >> SUB_HALF_MAG) - 1;
    int64_t sub = (int64_t)(i & (SUB_HALF - 1)) + SUB_HALF;
    if (bucket < 0) {
        sub -= SUB_HALF;
        bucket = 0;
    }
    *lo = sub << bucket;
    *hi = *lo + (INT64_C(1) << bucket) - 1;
}

/* 64 x 64 -> 128-bit unsigned product by 32-bit halves (schoolbook). */
static void mul_u128(uint64_t a, uint64_t b, uint64_t *hi, uint64_t *lo) {
    const uint64_t m = 0xffffffffu;
    uint64_t ll = (a & m) * (b & m), lh = (a & m) * (b >> 32);
    uint64_t hl = (a >> 32) * (b & m), hh = (a >> 32) * (b >> 32);
    uint64_t mid = (ll >> 32) + (lh & m) + (hl & m);
    *lo = (mid << 32) | (ll & m);
    *hi = hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
}

static void sum_add(struct hist *h, uint64_t hi, uint64_t lo) {
    h->sum_lo += lo;
    h->sum_hi += hi + (h->sum_lo < lo);
}

static void set_empty(struct hist *h) {
    h->count = h->saturated = h->sum_lo = h->sum_hi = 0;
    h->min = INT64_MAX;
    h->max = 0;
    memset(h->touched, 0, sizeof h->touched);
}

/* Run body for every touched block of h in order, with b its block number. */
#define FOR_EACH_BLOCK(h, b, body)                                                                 \
    for (size_t w_ = 0; w_ < TOUCH_WORDS; w_++) {                                                  \
        uint64_t bits_ = (h)->touched[w_];                                                         \
        while (bits_) {                                                                            \
            size_t b = w_ * 64 + (size_t)__builtin_ctzll(bits_);                                   \
            bits_ &= bits_ - 1;                                                                    \
            body                                                                                   \
        }                                                                                          \
    }

/* Counter i (0 when its block was never written). */
static inline uint64_t count_at(const struct hist *h, size_t i) {
    const struct block *blk = h->blk[i >> BLOCK_SHIFT];
    return blk ? blk->counts[i & (BLOCK_LEN - 1)] : 0;
}

/* Block b, allocated zeroed on first use (out of line: once per block per histogram). */
static __attribute__((noinline)) struct block *block_new(struct hist *h, size_t b) {
    h->blk[b] = xcalloc(1, sizeof *h->blk[b]);
    return h->blk[b];
}

struct hist *hist_new(void) {
    struct hist *h = xcalloc(1, sizeof *h);
    set_empty(h);
    return h;
}

void hist_free(struct hist *h) {
    if (!h) return;
    for (size_t b = 0; b < NBLOCKS; b++)
        free(h->blk[b]);
    free(h);
}

/* Clamp v and fold the bookkeeping shared by hist_record and hist_record_n; returns the
 * counter index. The value's block must exist (ensure_block): keeping the allocation out of
 * here keeps the common path free of calls and their register saves. */
static inline size_t note_value(struct hist *h, int64_t *v, uint64_t n) {
    size_t i, b;
    struct block *blk;

    assert(*v >= 0);
    if (__builtin_expect(*v > HIST_HIGHEST_NS, 0)) {
        *v = HIST_HIGHEST_NS;
        h->saturated += n;
    }
    i = index_of((uint64_t)*v);
    b = i >> BLOCK_SHIFT;
    blk = h->blk[b];
    blk->counts[i & (BLOCK_LEN - 1)] += n;
    blk->total += n;
    h->count += n;
    if (*v < h->min) h->min = *v;
    if (*v > h->max) h->max = *v;
    /* A block's touched bit changes only on its first write since a reset (nz still 0). */
    if (!blk->nz) h->touched[b >> 6] |= UINT64_C(1) << (b & 63);
    blk->nz |= UINT64_C(1) << (i & (BLOCK_LEN - 1));
    return i;
}

/* The range of counters that may be non-zero, from the touched blocks: [*lo, *hi], with
 * *lo > *hi when nothing was recorded. */
static void bounds(const struct hist *h, size_t *lo, size_t *hi) {
    *lo = COUNTS_LEN;
    *hi = 0;
    for (size_t w = 0; w < TOUCH_WORDS; w++) {
        if (!h->touched[w]) continue;
        if (*lo == COUNTS_LEN)
            *lo = (w * 64 + (size_t)__builtin_ctzll(h->touched[w])) << BLOCK_SHIFT;
        *hi =
            ((w * 64 + 63 - (size_t)__builtin_clzll(h->touched[w])) << BLOCK_SHIFT) + BLOCK_LEN - 1;
    }
    if (*hi >= COUNTS_LEN) *hi = COUNTS_LEN - 1;
}

/* hist_record's rare cases, out of line so its common path makes no call (and saves no
 * registers): a value above the range, or the first value of a block. */
static __attribute__((noinline)) void record_slow(struct hist *h, int64_t v_ns) {
    hist_record_n(h, v_ns, 1);
}

void hist_record(struct hist *h, int64_t v_ns) {
    size_t i;

    assert(v_ns >= 0);
    if (__builtin_expect(v_ns > HIST_HIGHEST_NS, 0)) {
        record_slow(h, v_ns);
        return;
    }
    i = index_of((uint64_t)v_ns);
    if (__builtin_expect(!h->blk[i >> BLOCK_SHIFT], 0)) {
        record_slow(h, v_ns);
        return;
    }
    note_value(h, &v_ns, 1);
    sum_add(h, 0, (uint64_t)v_ns);
}

void hist_record_n(struct hist *h, int64_t v_ns, uint64_t n) {
    uint64_t hi, lo;

    if (n == 0) return;
    if (v_ns >= 0) {
        size_t b =
            index_of((uint64_t)(v_ns > HIST_HIGHEST_NS ? HIST_HIGHEST_NS : v_ns)) >> BLOCK_SHIFT;
        if (!h->blk[b]) block_new(h, b);
    }
    note_value(h, &v_ns, n);
    mul_u128((uint64_t)v_ns, n, &hi, &lo);
    sum_add(h, hi, lo);
}

void hist_reset(struct hist *h) {
    FOR_EACH_BLOCK(h, b, {
        struct block *blk = h->blk[b];
        uint64_t m = blk->nz;
        while (m) {
            blk->counts[__builtin_ctzll(m)] = 0;
            m &= m - 1;
        }
        blk->nz = 0;
        blk->total = 0;
    })
    set_empty(h);
}

void hist_merge(struct hist *dst, const struct hist *src) {
    /* Snapshot src's scalars first: dst may alias src. */
    uint64_t count = src->count, saturated = src->saturated;
    uint64_t sum_hi = src->sum_hi, sum_lo = src->sum_lo;
    int64_t min = src->min, max = src->max;

    if (count == 0) return;
    if (dst != src) {
        FOR_EACH_BLOCK(src, b, {
            const struct block *s = src->blk[b];
            struct block *d = dst->blk[b] ? dst->blk[b] : block_new(dst, b);
            uint64_t m = s->nz;
            d->nz |= m;
            while (m) {
                unsigned j = (unsigned)__builtin_ctzll(m);
                d->counts[j] += s->counts[j];
                m &= m - 1;
            }
            d->total += s->total;
        })
        for (size_t w = 0; w < TOUCH_WORDS; w++)
            dst->touched[w] |= src->touched[w];
    } else {
        FOR_EACH_BLOCK(dst, b, {
            struct block *d = dst->blk[b];
            for (size_t j = 0; j < BLOCK_LEN; j++)
                d->counts[j] += d->counts[j];
            d->total *= 2;
        })
    }
    dst->count += count;
    dst->saturated += saturated;
    sum_add(dst, sum_hi, sum_lo);
    dst->min = min < dst->min ? min : dst->min;
    dst->max = max > dst->max ? max : dst->max;
}

/* Nearest rank of percentile p (0 < p < 100) among count values: ceil(p/100 * count). p *
 * count / 100 carries a few ulps of rounding error (99.9 is not a binary fraction); shaving 4
 * ulps keeps an exact integer rank from being bumped to the next sample. */
static uint64_t rank_of(double p, uint64_t count) {
    double r = ceil(p * (double)count / 100.0 * (1.0 - 4.0 * DBL_EPSILON));
    return r < 1.0 ? 1 : r >= (double)count ? count : (uint64_t)r;
}

/* The value a percentile reports for counter i: its bucket's highest value, capped by max
 * (min never needs to cap it: min's bucket is the first non-empty one, and its highest value
 * is >= min). */
static int64_t reported(const struct hist *h, size_t i) {
    int64_t lo, hi;
    range_of(i, &lo, &hi);
    return hi > h->max ? h->max : hi;
}

void hist_drain(struct hist *dst, struct hist *src, const double *p, size_t n, int64_t *out) {
    uint64_t rank[8], cum = 0;
    size_t k = 0, kend = n, nr = 0;

    assert(dst != src);
    /* The ends and an empty src need no walk; the ranks between are met in order. */
    for (size_t j = 0; j < n; j++) {
        assert(p[j] >= 0.0 && p[j] <= 100.0);
        assert(j == 0 || p[j] >= p[j - 1]);
        if (src->count == 0)
            out[j] = 0;
        else if (p[j] <= 0.0)
            out[j] = src->min;
        else if (p[j] >= 100.0)
            out[j] = src->max;
        else
            continue;
        if (k == j) k++;
    }
    while (kend > k && (src->count == 0 || p[kend - 1] >= 100.0))
        kend--;
    if (kend - k > sizeof rank / sizeof rank[0]) {
        /* More interior percentiles than the walk tracks: read them first, then move. */
        hist_percentiles(src, p, n, out);
        kend = k;
    }
    for (size_t j = k; j < kend; j++)
        rank[nr++] = rank_of(p[j], src->count);
    nr = 0;
    if (src->count == 0) return;
    FOR_EACH_BLOCK(src, b, {
        struct block *s = src->blk[b];
        struct block *d = dst->blk[b] ? dst->blk[b] : block_new(dst, b);
        uint64_t m = s->nz;
        d->nz |= m;
        d->total += s->total;
        if (k < kend && cum + s->total >= rank[nr]) {
            /* A rank falls in this block: follow the cumulative count counter by counter. */
            while (m) {
                unsigned j = (unsigned)__builtin_ctzll(m);
                uint64_t c = s->counts[j];
                d->counts[j] += c;
                s->counts[j] = 0;
                cum += c;
                while (k < kend && cum >= rank[nr]) {
                    out[k++] = reported(src, (b << BLOCK_SHIFT) + j);
                    nr++;
                }
                m &= m - 1;
            }
        } else {
            cum += s->total;
            while (m) {
                unsigned j = (unsigned)__builtin_ctzll(m);
                d->counts[j] += s->counts[j];
                s->counts[j] = 0;
                m &= m - 1;
            }
        }
        s->nz = 0;
        s->total = 0;
    })
    for (size_t w = 0; w < TOUCH_WORDS; w++)
        dst->touched[w] |= src->touched[w];
    dst->count += src->count;
    dst->saturated += src->saturated;
    sum_add(dst, src->sum_hi, src->sum_lo);
    dst->min = src->min < dst->min ? src->min : dst->min;
    dst->max = src->max > dst->max ? src->max : dst->max;
    set_empty(src);
}

void hist_copy(struct hist *dst, const struct hist *src) {
    if (dst == src) return;
    hist_reset(dst);
    FOR_EACH_BLOCK(src, b, {
        struct block *d = dst->blk[b] ? dst->blk[b] : block_new(dst, b);
        *d = *src->blk[b];
    })
    memcpy(dst->touched, src->touched, sizeof dst->touched);
    dst->count = src->count;
    dst->saturated = src->saturated;
    dst->sum_lo = src->sum_lo;
    dst->sum_hi = src->sum_hi;
    dst->min = src->min;
    dst->max = src->max;
}

uint64_t hist_count(const struct hist *h) {
    return h->count;
}

uint64_t hist_saturated(const struct hist *h) {
    return h->saturated;
}

int64_t hist_min(const struct hist *h) {
    return h->count ? h->min : 0;
}

int64_t hist_max(const struct hist *h) {
    return h->count ? h->max : 0;
}

double hist_mean(const struct hist *h) {
    if (h->count == 0) return NAN;
    return ((double)h->sum_hi * 18446744073709551616.0 + (double)h->sum_lo) / (double)h->count;
}

double hist_stddev(const struct hist *h) {
    double mean, acc = 0;
    int64_t lo, hi;

    size_t first, last;

    if (h->count == 0) return NAN;
    mean = hist_mean(h);
    bounds(h, &first, &last);
    for (size_t i = first; i <= last; i++) {
        uint64_t c = count_at(h, i);
        if (c == 0) continue;
        range_of(i, &lo, &hi);
        double d = (double)(lo + ((hi - lo + 1) >> 1)) - mean;
        acc += (double)c * d * d;
    }
    return sqrt(acc / (double)h->count);
}

int64_t hist_percentile(const struct hist *h, double p) {
    int64_t v;

    assert(p >= 0.0 && p <= 100.0);
    hist_percentiles(h, &p, 1, &v);
    return v;
}

void hist_percentiles(const struct hist *h, const double *p, size_t n, int64_t *out) {
    uint64_t cum = 0;
    size_t i, last;

    bounds(h, &i, &last);
    for (size_t k = 0; k < n; k++) {
        uint64_t rank;

        assert(p[k] >= 0.0 && p[k] <= 100.0);
        assert(k == 0 || p[k] >= p[k - 1]);
        if (h->count == 0) {
            out[k] = 0;
            continue;
        }
        if (p[k] <= 0.0) {
            out[k] = h->min;
            continue;
        }
        if (p[k] >= 100.0) {
            out[k] = h->max;
            continue;
        }
        rank = rank_of(p[k], h->count);
        /* Resume the cumulative walk where the previous percentile stopped, a whole block at
         * a time while the block ends below the rank (it cannot be the last block: rank is at
         * most the count). */
        while (i < last) {
            const struct block *blk = h->blk[i >> BLOCK_SHIFT];
            uint64_t c;
            if ((i & (BLOCK_LEN - 1)) == 0 && (!blk || cum + blk->total < rank)) {
                if (blk) cum += blk->total;
                i += BLOCK_LEN;
                continue;
            }
            c = blk ? blk->counts[i & (BLOCK_LEN - 1)] : 0;
            if (cum + c >= rank) break;
            cum += c;
            i++;
        }
        out[k] = reported(h, i);
    }
}

int hist_next(const struct hist *h, struct hist_iter *it) {
    size_t first, last, i;

    bounds(h, &first, &last);
    i = it->index > first ? it->index : first;
    for (; i <= last; i++) {
        uint64_t c = count_at(h, i);
        if (c == 0) continue;
        range_of(i, &it->lo, &it->hi);
        it->count = c;
        it->index = i + 1;
        return 1;
    }
    it->index = COUNTS_LEN;
    return 0;
}

size_t hist_bucket_total(void) {
    return COUNTS_LEN;
}
