/*
 * hist — log-linear latency histogram with HdrHistogram's bucket layout.
 *
 * Values are int64 nanoseconds. The layout is the one HdrHistogram (Gil Tene,
 * https://hdrhistogram.github.io/HdrHistogram/) derives for lowest discernible value 1,
 * highest trackable value 3.6e12 (1 h) and 3 significant digits: unit magnitude 0,
 * sub_bucket_count 2048 (half count 1024), 32 buckets, (32 + 1) * 1024 = 33792 counters.
 * Bucket b >= 1 holds values [1024 * 2^b, 2048 * 2^b) in 1024 sub-buckets of width 2^b, so
 * a sub-bucket is never wider than 1/1024 of its lowest value: any value reported from the
 * bucket of x is within 0.0977 % of x. Values below 2048 are recorded exactly. Counter i
 * here is counts[i] of an HdrHistogram with those parameters, so an interval-log writer can
 * encode the counts directly.
 *
 * Design: uint64 counters in blocks of 64, each block allocated on its first record (with
 * its sum and a bitmap of its non-zero counters), so a histogram costs ~4.5 KiB plus 528
 * bytes per block it has used, not the 264 KiB of the whole range: a service with thousands
 * of replicas keeps three histograms per replica. Plus the exact count, a 128-bit exact sum
 * (exact mean even for 2^64 one-hour samples), min, max, and a bitmap of the blocks touched
 * since the last reset, so reset, merge and copy cost what was recorded, not O(33792):
 * interval histograms are reset every simulated second. Merges add counts exactly.
 *
 * Alternatives rejected: one flat calloc'd array of all 33792 counters (simplest, but glibc
 * serves such sizes from the heap once its mmap threshold has grown, and zeroes them: 410 KB
 * resident per service replica); a static-inline hist_record over a public struct (saves one call
 * per completed request, but exposes the fields; the out-of-line call costs a few ns next
 * to an event-queue pop); uint32 counters (half the memory, but hist_record_n and merges
 * could overflow); log-only buckets (ratio 2, too coarse for p99.9); a t-digest or other
 * sketch (merge is approximate and order-dependent, breaking exact --shard merges).
 */
#ifndef ARCHSIM_HIST_H
#define ARCHSIM_HIST_H

#include <stddef.h>
#include <stdint.h>

/* HdrHistogram parameters of the layout (for interval-log writers). */
#define HIST_SIGNIFICANT_DIGITS 3
#define HIST_LOWEST_NS          INT64_C(1)
#define HIST_HIGHEST_NS         INT64_C(3600000000000) /* 1 h; larger values saturate */
#define HIST_UNIT_MAGNITUDE     0
#define HIST_SUB_BUCKET_COUNT   2048
#define HIST_BUCKET_COUNT       32

/* Opaque latency histogram. One owner; not thread-safe. */
struct hist;

/* A new, empty histogram (~4.5 KiB; counter blocks are added as values arrive). Never NULL (xmalloc
 * aborts on out-of-memory). Free with hist_free. */
struct hist *hist_new(void);

/* Free h. NULL is a no-op. */
void hist_free(struct hist *h);

/* Record one value v_ns (ns, must be >= 0: assert). Values above HIST_HIGHEST_NS are
 * recorded as HIST_HIGHEST_NS and counted in hist_saturated (also in the sum and max). */
void hist_record(struct hist *h, int64_t v_ns);

/* Record v_ns n times (n = 0 is a no-op); same rules as hist_record. */
void hist_record_n(struct hist *h, int64_t v_ns, uint64_t n);

/* Empty h (its counter blocks stay allocated, zeroed). Costs O(counters recorded since the
 * last reset), not O(all counters). */
void hist_reset(struct hist *h);

/* Add src into dst: counts bucket by bucket, count, sum, saturated; min and max combine.
 * The result equals the histogram of the union of both sample sets. dst == src doubles. */
void hist_merge(struct hist *dst, const struct hist *src);

/* Make dst an exact copy of src (dst == src is a no-op). */
void hist_copy(struct hist *dst, const struct hist *src);

/* Number of recorded values (exact, including saturated ones). */
uint64_t hist_count(const struct hist *h);

/* Number of recorded values that were above HIST_HIGHEST_NS and clamped to it. */
uint64_t hist_saturated(const struct hist *h);

/* Smallest / largest recorded value in ns (exact, after clamping); 0 when empty. */
int64_t hist_min(const struct hist *h);
int64_t hist_max(const struct hist *h);

/* Arithmetic mean in ns from the exact 128-bit sum and count (only the final division and
 * conversion round, relative error ~1e-16); NAN when empty. */
double hist_mean(const struct hist *h);

/* Population standard deviation in ns, sqrt(sum c_i (m_i - mean)^2 / count), with m_i the
 * middle of bucket i (HdrHistogram's "median equivalent value") and the exact mean. Exact
 * for values below 2048 ns, otherwise within the bucket resolution. NAN when empty. */
double hist_stddev(const struct hist *h);

/* Percentile p in [0, 100] (asserted) by the nearest-rank rule: x is the smallest recorded
 * value with at least p % of the samples <= x, i.e. the sample of rank max(1, ceil(p/100 *
 * count)) (Hyndman & Fan 1996, definition 1). Returned as the highest value of x's bucket
 * (HdrHistogram's value_at_percentile choice: never understates a tail) clamped to
 * [min, max], hence within 0.1 % of x. p = 0 gives min, p = 100 gives max; 0 when empty. */
int64_t hist_percentile(const struct hist *h, double p);

/* Several percentiles in one pass: p[0..n) ascending, each as hist_percentile would give it,
 * into out[0..n). */
void hist_percentiles(const struct hist *h, const double *p, size_t n, int64_t *out);

/* Move src into dst and read src's percentiles in the same pass: out[0..n) receives what
 * hist_percentiles(src, p, n, out) would give before the move (p ascending, each in [0, 100]:
 * assert; n may be 0 and out NULL then); then dst holds the merge of both (as hist_merge) and
 * src is empty (as hist_reset). dst != src (assert). Read src's count, mean and max first if
 * they are wanted. Cost: one visit per non-zero counter of src, where merge, percentiles and
 * reset take three. */
void hist_drain(struct hist *dst, struct hist *src, const double *p, size_t n, int64_t *out);

/* Iterator over the non-empty buckets in increasing value order. Start with index = 0.
 * hist_next returns 1 and fills lo, hi (the bucket's value range in ns, inclusive) and count
 * while a bucket remains, 0 at the end. After a 1, index - 1 is the bucket's HdrHistogram
 * counts index (< hist_bucket_total()). The histogram must not change during iteration. */
struct hist_iter {
    size_t index;
    int64_t lo, hi; /* ns, inclusive */
    uint64_t count;
};
int hist_next(const struct hist *h, struct hist_iter *it);

/* Number of counters in the layout (33792), HdrHistogram's counts_len. */
size_t hist_bucket_total(void);

#endif
