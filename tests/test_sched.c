/*
 * Tests for loadgen's send schedule (schedule.c) and the pieces around it that decide what is
 * sent and judged: exact constant times, Poisson gaps (mean and variance against the
 * exponential's), ramps against the integrated rate, segments and thread shares that add up
 * to exactly the unsegmented schedule, the class/key choice as a pure function of the index,
 * thresholds (thresh.c), and the HdrHistogram interval log encoding (hdrlog.c) decoded back
 * by an independent decoder written here from the format description.
 */
#include <CUnit/CUnit.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hdrlog.h"
#include "hist.h"
#include "plan.h"
#include "schedule.h"
#include "tally.h"
#include "thresh.h"

void test_sched_register(void);

struct item {
    uint64_t i;
    int64_t t;
};

/* Every item of a schedule (at most max). */
static size_t collect(const struct sched_config *c, struct item *out, size_t max) {
    struct sched *s = sched_new(c);
    size_t n = 0;
    uint64_t i;
    int64_t t;

    while (n < max && sched_next(s, &i, &t)) {
        out[n].i = i;
        out[n].t = t;
        n++;
    }
    sched_free(s);
    return n;
}

static struct sched_config base(const struct sched_phase *ph, size_t nph, int poisson) {
    struct sched_config c;

    memset(&c, 0, sizeof c);
    c.poisson = poisson;
    c.seed = 42;
    c.phases = ph;
    c.nphases = nph;
    c.seg_count = 1;
    c.share_count = 1;
    return c;
}

static void test_constant_exact(void) {
    struct sched_phase ph = {0, 2000, 2000};
    struct sched_config c = base(&ph, 1, 0);
    struct item *it = malloc(20000 * sizeof *it);
    size_t n;
    int ok = 1;

    c.end_ns = INT64_C(5000000000);
    n = collect(&c, it, 20000);
    CU_ASSERT_EQUAL(n, 10000); /* --rate 2000 -d 5s: 10,000 exactly */
    for (size_t k = 0; k < n; k++)
        ok &= it[k].i == k && it[k].t == (int64_t)k * 500000;
    CU_ASSERT_TRUE(ok);
    c.end_ns = 0;
    c.count = 7;
    CU_ASSERT_EQUAL(collect(&c, it, 20000), 7);
    free(it);
}

/* Poisson at 1000/s: 200000 gaps. Mean gap 1 ms: its standard error is 1 ms / sqrt(n) =
 * 0.22 %, so 1 % is 4.5 sigma. Variance / mean^2 = 1 for the exponential; the estimate's
 * standard error is sqrt(8 / n) = 0.63 % (fourth moment 9 mean^4), so 3 % is 4.7 sigma. */
static void test_poisson_gaps(void) {
    struct sched_phase ph = {0, 1000, 1000};
    struct sched_config c = base(&ph, 1, 1);
    size_t n = 200000;
    struct item *it = malloc(n * sizeof *it);
    double sum = 0, sum2 = 0, mean, var;
    int64_t prev = 0;

    c.count = n;
    CU_ASSERT_EQUAL_FATAL(collect(&c, it, n), n);
    for (size_t k = 0; k < n; k++) {
        double g = (double)(it[k].t - prev) / 1e6; /* ms */
        CU_ASSERT(it[k].t >= prev);
        sum += g;
        sum2 += g * g;
        prev = it[k].t;
    }
    mean = sum / (double)n;
    var = sum2 / (double)n - mean * mean;
    CU_ASSERT(fabs(mean - 1.0) < 0.01);
    CU_ASSERT(fabs(var / (mean * mean) - 1.0) < 0.03);
    free(it);
}

/* Constant schedule on a ramp 0 -> 100/s over 10 s: L(t) = 5 t^2, so request i is at
 * sqrt(i / 5) s and there are L(10 s) = 500 requests. */
static void test_ramp(void) {
    struct sched_phase ph = {INT64_C(10000000000), 0, 100};
    struct sched_config c = base(&ph, 1, 0);
    struct item it[600];
    size_t n;

    c.end_ns = INT64_C(10000000000);
    n = collect(&c, it, 600);
    CU_ASSERT_EQUAL(n, 500);
    for (size_t k = 0; k < n; k += 37)
        CU_ASSERT(llabs(it[k].t - llround(sqrt((double)k / 5) * 1e9)) <= 2);
    CU_ASSERT_DOUBLE_EQUAL(sched_expected(&c, INT64_C(10000000000)), 500, 1e-9);
}

/* After the last phase with a duration its final rate holds; an open-ended last phase holds
 * its own rate. */
static void test_phase_holds(void) {
    struct sched_phase a[1] = {{INT64_C(10000000000), 100, 100}};
    struct sched_phase b[2] = {{INT64_C(1000000000), 10, 10}, {0, 50, 50}};
    struct sched_config c = base(a, 1, 0);
    struct item *it = malloc(5000 * sizeof *it);

    c.end_ns = INT64_C(20000000000);
    CU_ASSERT_EQUAL(collect(&c, it, 5000), 2000);
    c = base(b, 2, 0);
    c.end_ns = INT64_C(3000000000);
    CU_ASSERT_EQUAL(collect(&c, it, 5000), 110); /* 10 in the first second, then 2 s at 50/s */
    free(it);
}

static int cmp_item(const void *a, const void *b) {
    const struct item *x = a, *y = b;
    return (x->i > y->i) - (x->i < y->i);
}

/* The parts (segments x shares) of a schedule, merged by index, equal the whole exactly. */
static void check_parts(struct sched_config c, unsigned nseg, unsigned nshare) {
    size_t max = 100000, n, m = 0;
    struct item *whole = malloc(max * sizeof *whole), *parts = malloc(max * sizeof *parts);
    int same = 1;

    c.seg_count = 1;
    c.share_count = 1;
    c.seg_index = c.share_index = 0;
    n = collect(&c, whole, max);
    for (unsigned s = 0; s < nseg; s++)
        for (unsigned t = 0; t < nshare; t++) {
            struct sched_config d = c;
            d.seg_index = s;
            d.seg_count = nseg;
            d.share_index = t;
            d.share_count = nshare;
            m += collect(&d, parts + m, max - m);
        }
    CU_ASSERT_EQUAL(m, n);
    qsort(parts, m, sizeof *parts, cmp_item);
    for (size_t k = 0; k < n && k < m; k++)
        same &= parts[k].i == whole[k].i && parts[k].t == whole[k].t;
    CU_ASSERT_TRUE(same);
    free(whole);
    free(parts);
}

static void test_segments(void) {
    struct sched_phase ph[2] = {{INT64_C(3000000000), 100, 1000}, {0, 700, 700}};
    struct sched_config c = base(ph, 2, 0);

    c.end_ns = INT64_C(6000000000);
    check_parts(c, 2, 1); /* --segment 0/2 + 1/2 */
    check_parts(c, 3, 2);
    c.poisson = 1;
    check_parts(c, 2, 1);
    check_parts(c, 3, 4);
    c.end_ns = 0;
    c.count = 5001;
    check_parts(c, 2, 3);
}

/* --rate 10 --threads 4 sends 10/s in total, not 40/s: the four shares of a 10 s run hold 100
 * requests, a quarter each (the constant schedule deals indices round robin). */
static void test_rate_over_threads(void) {
    struct sched_phase ph = {0, 10, 10};
    struct sched_config c = base(&ph, 1, 0);
    struct item it[200];
    size_t total = 0;

    c.end_ns = INT64_C(10000000000);
    for (unsigned t = 0; t < 4; t++) {
        size_t n;
        c.share_index = t;
        c.share_count = 4;
        n = collect(&c, it, 200);
        CU_ASSERT_EQUAL(n, 25);
        total += n;
    }
    CU_ASSERT_EQUAL(total, 100);
    c.share_index = 0;
    c.share_count = 1;
    check_parts(c, 1, 4);
}

/* Class and key of a request depend only on (seed, index). Shares over 10^5 indices: with
 * weights 1:2:7 the standard error of a share is at most sqrt(0.25 / 10^5) = 0.0016, so
 * 0.01 is over 6 sigma. */
static void test_pick(void) {
    struct plan p;
    struct err e;
    size_t counts[3] = {0, 0, 0}, c1, c2;
    uint64_t k1, k2;

    plan_init(&p);
    plan_add_class(&p, "a", 1, 0, NULL, NULL);
    plan_add_class(&p, "b", 2, 0, NULL, NULL);
    plan_add_class(&p, "c", 7, 0, NULL, NULL);
    CU_ASSERT_EQUAL_FATAL(keydist_uniform(&p.keys, 10, &e), 0);
    p.has_keys = 1;
    CU_ASSERT_EQUAL(plan_set_url(&p, "http://127.0.0.1:9/x/{key}", &e), 0);
    CU_ASSERT_EQUAL_FATAL(plan_finish(&p, &e), 0);
    for (uint64_t i = 0; i < 100000; i++) {
        size_t c;
        uint64_t key;
        plan_pick(&p, i, &c, &key);
        counts[c]++;
        CU_ASSERT(key < 10);
    }
    CU_ASSERT(fabs((double)counts[0] / 1e5 - 0.1) < 0.01);
    CU_ASSERT(fabs((double)counts[1] / 1e5 - 0.2) < 0.01);
    CU_ASSERT(fabs((double)counts[2] / 1e5 - 0.7) < 0.01);
    /* Keys from a Zipf(1) over 1000 keys: key 0 has probability 1 / H(1000) = 0.13360, key 1
     * half that; over 10^5 draws the standard errors are 0.0011 and 0.0008: 0.005 is > 4.5
     * sigma. */
    CU_ASSERT_EQUAL_FATAL(keydist_zipf(&p.keys, 1000, 1.0, &e), 0);
    {
        uint64_t k0 = 0, k1n = 0;
        for (uint64_t i = 0; i < 100000; i++) {
            size_t c;
            uint64_t key;
            plan_pick(&p, i, &c, &key);
            k0 += key == 0;
            k1n += key == 1;
        }
        CU_ASSERT(fabs((double)k0 / 1e5 - keydist_pmf(&p.keys, 0)) < 0.005);
        CU_ASSERT(fabs((double)k1n / 1e5 - keydist_pmf(&p.keys, 1)) < 0.005);
        if (fabs((double)k0 / 1e5 - keydist_pmf(&p.keys, 0)) >= 0.005)
            fprintf(stderr, "\nzipf key 0: %.4f vs %.4f\n", (double)k0 / 1e5,
                    keydist_pmf(&p.keys, 0));
    }
    plan_pick(&p, 12345, &c1, &k1);
    plan_pick(&p, 12345, &c2, &k2);
    CU_ASSERT(c1 == c2 && k1 == k2);
    plan_free(&p);
}

/* --- thresholds -------------------------------------------------------------------------- */

static void test_thresh_parse(void) {
    struct thresh t;
    struct err e;

    CU_ASSERT_EQUAL(thresh_parse("p99<250ms", &t, &e), 0);
    CU_ASSERT(t.metric == TH_LATENCY && t.stat == TH_PCT && t.pct == 99 && t.op == TH_LT);
    CU_ASSERT_DOUBLE_EQUAL(t.value, 250, 1e-12);
    CU_ASSERT_EQUAL(thresh_parse(" p999 <= 1.5s ", &t, &e), 0);
    CU_ASSERT(t.op == TH_LE);
    CU_ASSERT_DOUBLE_EQUAL(t.pct, 99.9, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(t.value, 1500, 1e-9);
    CU_ASSERT_EQUAL(thresh_parse("p99.99<1ms", &t, &e), 0);
    CU_ASSERT_DOUBLE_EQUAL(t.pct, 99.99, 1e-12);
    CU_ASSERT_EQUAL(thresh_parse("error_rate<1%", &t, &e), 0);
    CU_ASSERT(t.metric == TH_ERROR_RATE);
    CU_ASSERT_DOUBLE_EQUAL(t.value, 0.01, 1e-15);
    CU_ASSERT_EQUAL(thresh_parse("rps>900", &t, &e), 0);
    CU_ASSERT(t.metric == TH_RPS && t.op == TH_GT && t.value == 900);
    CU_ASSERT_EQUAL(thresh_parse("rps>=1800/min", &t, &e), 0);
    CU_ASSERT_DOUBLE_EQUAL(t.value, 30, 1e-12);
    CU_ASSERT_EQUAL(thresh_parse("svc_max<5ms", &t, &e), 0);
    CU_ASSERT(t.metric == TH_SVC && t.stat == TH_MAX);
    CU_ASSERT_EQUAL(thresh_parse("p99<250", &t, &e), -1); /* missing unit */
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "unit"));
    CU_ASSERT_EQUAL(thresh_parse("latency<1ms", &t, &e), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "unknown metric"));
    CU_ASSERT_EQUAL(thresh_parse("p99", &t, &e), -1);
    CU_ASSERT_EQUAL(thresh_parse("p101<1ms", &t, &e), -1);
    CU_ASSERT_EQUAL(thresh_parse("error_rate<150%", &t, &e), -1);
}

static void test_thresh_measure(void) {
    struct tally t;
    struct thresh th;
    struct err e;

    tally_init(&t);
    /* 100 successes of 1..100 ms, 1 error: nearest-rank p99 = 99 ms (within the histogram's
     * 0.1 %), error rate 1/101. */
    for (int v = 1; v <= 100; v++)
        tally_response(&t, 200, (int64_t)v * 1000000, 1000, 0);
    tally_failure(&t, TALLY_E_TIMEOUT, INT64_C(2000000000));
    CU_ASSERT_EQUAL(t.completions, 100);
    thresh_parse("p99<100ms", &th, &e);
    CU_ASSERT(fabs(thresh_measure(&th, &t, 1) - 99) < 0.1);
    CU_ASSERT_TRUE(thresh_pass(&th, thresh_measure(&th, &t, 1)));
    thresh_parse("p99<99ms", &th, &e);
    CU_ASSERT_FALSE(thresh_pass(&th, thresh_measure(&th, &t, 1)));
    thresh_parse("error_rate<1%", &th, &e);
    CU_ASSERT_DOUBLE_EQUAL(thresh_measure(&th, &t, 1), 1.0 / 101, 1e-15);
    CU_ASSERT_TRUE(thresh_pass(&th, thresh_measure(&th, &t, 1)));
    thresh_parse("rps>49", &th, &e);
    CU_ASSERT_DOUBLE_EQUAL(thresh_measure(&th, &t, 2), 50, 1e-12);
    CU_ASSERT_TRUE(thresh_pass(&th, 50));
    CU_ASSERT_TRUE(thresh_final_only(&th));
    /* No samples never passes. */
    tally_reset(&t);
    thresh_parse("p50>0ms", &th, &e);
    CU_ASSERT_TRUE(isnan(thresh_measure(&th, &t, 1)));
    CU_ASSERT_FALSE(thresh_pass(&th, thresh_measure(&th, &t, 1)));
    /* 503 and 429 are rejections; 404 and 500 are errors of their class. */
    tally_response(&t, 503, 1, 1, 0);
    tally_response(&t, 429, 1, 1, 0);
    tally_response(&t, 404, 1, 1, 0);
    tally_response(&t, 500, 1, 1, 0);
    CU_ASSERT(t.rejected == 2 && t.errors == 2 && t.err[TALLY_E_4XX] == 1 &&
              t.err[TALLY_E_5XX] == 1 && t.completions == 0);
    tally_free(&t);
}

/* --- the interval log's histogram encoding ----------------------------------------------- */

static int b64val(char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

static size_t b64decode(const char *s, unsigned char *out) {
    size_t n = 0, len = strlen(s);

    for (size_t i = 0; i + 3 < len; i += 4) {
        int v[4];
        for (int k = 0; k < 4; k++)
            v[k] = s[i + k] == '=' ? 0 : b64val(s[i + k]);
        out[n++] = (unsigned char)(v[0] << 2 | v[1] >> 4);
        if (s[i + 2] != '=') out[n++] = (unsigned char)((v[1] & 15) << 4 | v[2] >> 2);
        if (s[i + 3] != '=') out[n++] = (unsigned char)((v[2] & 3) << 6 | v[3]);
    }
    return n;
}

static uint32_t be32(const unsigned char *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t be64(const unsigned char *p) {
    return (uint64_t)be32(p) << 32 | be32(p + 4);
}

/* Decode an encoded histogram into counts[] (by HdrHistogram index); returns the number of
 * counters decoded, or 0 when anything is off. */
static size_t decode(const char *b64, uint64_t *counts, size_t ncounts) {
    size_t cap = strlen(b64), n, off, rawlen = 0, idx = 0;
    unsigned char *bin = malloc(cap), *raw = malloc(cap);
    uint32_t a = 1, b = 0;
    int ok = 1;

    n = b64decode(b64, bin);
    ok &= n > 10 && be32(bin) == 0x1c849314u && be32(bin + 4) == n - 8;
    off = 8;
    ok &= bin[off] == 0x78 && ((bin[off] << 8) | bin[off + 1]) % 31 == 0;
    off += 2;
    for (int final = 0; ok && !final;) { /* stored blocks only */
        size_t len;
        final = bin[off] & 1;
        ok &= (bin[off] & 6) == 0;
        len = (size_t)bin[off + 1] | (size_t)bin[off + 2] << 8;
        ok &= (len ^ ((size_t)bin[off + 3] | (size_t)bin[off + 4] << 8)) == 0xffff;
        memcpy(raw + rawlen, bin + off + 5, len);
        rawlen += len;
        off += 5 + len;
    }
    for (size_t i = 0; i < rawlen; i++) {
        a = (a + raw[i]) % 65521;
        b = (b + a) % 65521;
    }
    ok &= off + 4 == n && be32(bin + off) == (b << 16 | a);
    ok &= rawlen >= 40 && be32(raw) == 0x1c849313u && be32(raw + 4) == rawlen - 40;
    ok &= be32(raw + 8) == 0 && be32(raw + 12) == 3 && be64(raw + 16) == 1 &&
          be64(raw + 24) == UINT64_C(3600000000000) &&
          be64(raw + 32) == UINT64_C(0x3ff0000000000000);
    memset(counts, 0, ncounts * sizeof *counts);
    for (size_t p = 40; ok && p < rawlen;) {
        uint64_t u = 0;
        int64_t v;
        for (int shift = 0; p < rawlen; shift += 7) {
            unsigned char c = raw[p++];
            u |= (uint64_t)(c & 0x7f) << shift;
            if (!(c & 0x80)) break;
        }
        v = (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
        if (v < 0)
            idx += (size_t)-v;
        else if (idx < ncounts)
            counts[idx++] = (uint64_t)v;
        else
            ok = 0;
    }
    free(bin);
    free(raw);
    return ok ? idx : 0;
}

static void test_hdrlog_encoding(void) {
    struct hist *h = hist_new();
    size_t total = hist_bucket_total();
    uint64_t *counts = malloc(total * sizeof *counts), seen = 0;
    struct hist_iter it = {0, 0, 0, 0};
    char *s;
    size_t n;
    int same = 1;

    for (int64_t v = 1; v < INT64_C(5000000000); v = v * 3 + 7)
        hist_record_n(h, v, (uint64_t)(v % 5 + 1));
    hist_record_n(h, 1500000, 100000); /* a count needing a 3-byte varint */
    s = hdrlog_encode(h);
    CU_ASSERT_EQUAL(strncmp(s, "HISTF", 5), 0); /* the cookie 0x1c849314 in base64 */
    n = decode(s, counts, total);
    CU_ASSERT(n > 0);
    while (hist_next(h, &it)) {
        same &= counts[it.index - 1] == it.count;
        seen += it.count;
    }
    for (size_t i = 0; i < n; i++)
        seen -= counts[i];
    CU_ASSERT_TRUE(same);
    CU_ASSERT_EQUAL(seen, 0); /* nothing decoded that the histogram does not hold */
    free(s);
    hist_reset(h);
    s = hdrlog_encode(h);
    CU_ASSERT_EQUAL(decode(s, counts, total), 1); /* empty: one zero counter, as Java writes */
    free(s);
    free(counts);
    hist_free(h);
}

void test_sched_register(void) {
    CU_pSuite s = CU_add_suite("sched", NULL, NULL);

    CU_add_test(s, "constant schedule: exact times", test_constant_exact);
    CU_add_test(s, "poisson schedule: exponential gaps", test_poisson_gaps);
    CU_add_test(s, "ramp follows the integrated rate", test_ramp);
    CU_add_test(s, "rates hold after the phases", test_phase_holds);
    CU_add_test(s, "segments and shares add up to the whole", test_segments);
    CU_add_test(s, "--rate 10 --threads 4 totals 10/s", test_rate_over_threads);
    CU_add_test(s, "class and key are a function of the index", test_pick);
    CU_add_test(s, "thresholds: parsing", test_thresh_parse);
    CU_add_test(s, "thresholds: measuring", test_thresh_measure);
    CU_add_test(s, "hdr log: V2 compressed encoding decodes back", test_hdrlog_encoding);
}
