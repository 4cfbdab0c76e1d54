/*
 * The cache kind against results computed here, independently of models/cache.c:
 *
 * - LRU under independent Zipf requests vs Che's approximation (H. Che, Y. Tung, Z. Wang,
 *   "Hierarchical Web caching systems: modeling, design and experimental results", IEEE JSAC
 *   20(7), 2002): solve Σ_i (1 − e^{−p_i T}) = C for T by bisection, hit ratio
 *   Σ_i p_i (1 − e^{−p_i T}). FIFO vs its counterpart h_i = p_i T / (1 + p_i T) with
 *   Σ_i h_i = C (M. Garetto, E. Leonardi, V. Martina, "A unified approach to the performance
 *   analysis of caching systems", ACM TOMPECS 1(3), 2016). Both approximations are within a
 *   few tenths of a point for Zipf popularity over 10^5 keys (Fricker, Robert & Roberts 2012
 *   show Che's is asymptotically exact as C grows).
 * - Small cases solved exactly: LRU with C = N − 1 is the move-to-front chain, whose stationary
 *   order σ has π(σ) = Π_k p_{σk} / (1 − Σ_{j<k} p_{σj}) (King 1971); FIFO has the same hit
 *   ratio as random replacement (Gelenbe 1973), whose stationary sets have π(S) ∝ Π_{i∈S} p_i,
 *   so with C = N − 1 the miss ratio is N / Σ_j 1/p_j.
 * - A TTL cache whose TTL starts at the miss that fills it, with Poisson requests for one key
 *   at rate λ: each cycle is one miss then T of hits, λT of them on average (renewal reward),
 *   so the hit ratio is λT / (1 + λT).
 * - Hand counts for stampedes (coalescing), write policies, flushes and crashes.
 *
 * Sampling error: a hit ratio over n requests has a binomial standard error of at most
 * 0.5 / sqrt(n); successive requests' outcomes are correlated through the cache state only
 * weakly (the state moves slowly), so each bound below is several such errors plus the
 * approximation's own error where there is one.
 */
#include <CUnit/CUnit.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "model.h"
#include "run.h"
#include "sim.h"
#include "testutil.h"

void test_cache_register(void);

/* --- helpers -------------------------------------------------------------------------------- */

struct capture {
    int flushes, crashes;
    double hits[16], misses[16], ratio[16]; /* component "c", per 1 s interval */
};

static void on_interval(void *user, int64_t t0, int64_t t1, unsigned flags,
                        const struct model_row *rows, size_t nrows) {
    struct capture *cap = user;
    int64_t i = t0 / 1000000000;

    (void)t1;
    (void)flags;
    if (i < 0 || i >= 16) return;
    for (size_t k = 0; k < nrows; k++)
        if (strcmp(rows[k].component, "c") == 0) {
            cap->hits[i] = rows[k].extra[MX_HITS];
            cap->misses[i] = rows[k].extra[MX_MISSES];
            cap->ratio[i] = rows[k].extra[MX_HIT_RATIO];
        }
}

static void on_event(void *user, const struct net_event *ev) {
    struct capture *cap = user;
    if (strcmp(ev->what, "flush") == 0) cap->flushes++;
    if (strcmp(ev->what, "crash") == 0) cap->crashes++;
}

static int run_yaml_hooks(const char *yaml, const char *const *sets, size_t nsets,
                          struct capture *cap, struct run_rep *out) {
    struct run_hooks hooks;

    memset(&hooks, 0, sizeof hooks);
    hooks.event = on_event;
    hooks.interval = on_interval;
    hooks.user = cap;
    return tu_run(yaml, 0, sets, nsets, 0, cap ? &hooks : NULL, out);
}

static int run_yaml(const char *yaml, const char *const *sets, size_t nsets, struct run_rep *out) {
    return run_yaml_hooks(yaml, sets, nsets, NULL, out);
}

static const struct model_row *find_row(const struct run_rep *r, const char *name) {
    const struct model_row *row = tu_row(r, name);
    if (!row) CU_FAIL_FATAL("row not found");
    return row;
}

static int near_abs(const char *what, double got, double want, double tol) {
    int ok = fabs(got - want) <= tol;
    fprintf(stderr, "\n  %s: got %.5f, want %.5f ± %.4f%s", what, got, want, tol,
            ok ? "" : "  <-- FAIL");
    return ok;
}

/* Zipf(s) over n keys: probabilities by rank, normalised here. Caller frees. */
static double *zipf_p(size_t n, double s) {
    double *p = malloc(n * sizeof *p), h = 0;

    for (size_t i = 0; i < n; i++)
        h += p[i] = pow((double)(i + 1), -s);
    for (size_t i = 0; i < n; i++)
        p[i] /= h;
    return p;
}

/* Che: characteristic time T (in requests) of an LRU cache of c entries under rates p. */
static double che_t(const double *p, size_t n, double c) {
    double lo = 0, hi = 1e15;

    for (int it = 0; it < 200; it++) {
        double t = 0.5 * (lo + hi), occ = 0;
        for (size_t i = 0; i < n; i++)
            occ += 1 - exp(-p[i] * t);
        if (occ < c)
            lo = t;
        else
            hi = t;
    }
    return 0.5 * (lo + hi);
}

/* Hit ratio by Che for rates p (need not sum to 1: normalised here). */
static double che_hit(const double *p, size_t n, double c) {
    double sum = 0, hit = 0, t;
    double *q = calloc(n, sizeof *q);

    for (size_t i = 0; i < n; i++)
        sum += p[i];
    for (size_t i = 0; i < n; i++)
        q[i] = p[i] / sum;
    t = che_t(q, n, c);
    for (size_t i = 0; i < n; i++)
        hit += q[i] * (1 - exp(-q[i] * t));
    free(q);
    return hit;
}

static double fifo_hit(const double *p, size_t n, double c) {
    double lo = 0, hi = 1e15, t, hit = 0;

    for (int it = 0; it < 200; it++) {
        double occ = 0;
        t = 0.5 * (lo + hi);
        for (size_t i = 0; i < n; i++)
            occ += p[i] * t / (1 + p[i] * t);
        if (occ < c)
            lo = t;
        else
            hi = t;
    }
    t = 0.5 * (lo + hi);
    for (size_t i = 0; i < n; i++)
        hit += p[i] * p[i] * t / (1 + p[i] * t);
    return hit;
}

/* --- Zipf: LRU vs Che, FIFO vs its approximation, LFU between LRU and the static optimum ---- */

/* 10^5 requests/s for 10 s, 2 s of warm-up (2·10^5 requests: 13 characteristic times of the
 * 10^4-entry LRU, 170 of the 10^3-entry one): 8·10^5 requests measured, binomial SE ≤ 0.06
 * points. The backend answers in 0 s, so no two misses overlap. */
static const char zipf_yaml[] = "name: zipf\nduration: 10s\nwarmup: 2s\nseed: 11\n"
                                "workload: {rate: 100000/s, target: c, "
                                "keys: \"zipf(s=0.8, n=100000)\"}\n"
                                "components:\n"
                                "  c: {kind: cache, capacity: 1000, policy: lru, backend: db}\n"
                                "  db: {kind: service, workers: 100, service_time: 0s}\n";

/* Bound 1.5 points: the approximation's error (a few tenths) plus ~10 SE. */
static void test_lru_che(void) {
    const size_t n = 100000;
    const int caps[] = {1000, 10000};
    double *p = zipf_p(n, 0.8);

    for (int i = 0; i < 2; i++) {
        char set[64];
        const char *sets[] = {set};
        struct run_rep r;
        const struct model_row *c;
        double want = che_hit(p, n, caps[i]);

        snprintf(set, sizeof set, "components.c.capacity=%d", caps[i]);
        CU_ASSERT_FATAL(run_yaml(zipf_yaml, sets, 1, &r) == 0);
        c = find_row(&r, "c");
        CU_ASSERT_TRUE(near_abs(caps[i] == 1000 ? "lru C=1000" : "lru C=10000",
                                c->extra[MX_HIT_RATIO], want, 0.015));
        /* every miss goes to the backend, once (no coalescing, no overlap) */
        CU_ASSERT_EQUAL(c->extra[MX_MISSES], c->extra[MX_BACKEND_REQUESTS]);
        CU_ASSERT_EQUAL(c->extra[MX_HITS] + c->extra[MX_MISSES], (double)c->arrivals);
        CU_ASSERT_EQUAL((double)find_row(&r, "db")->arrivals, c->extra[MX_BACKEND_REQUESTS]);
        /* the cache is full after warm-up: each miss evicts one */
        CU_ASSERT_EQUAL(c->extra[MX_EVICTIONS], c->extra[MX_MISSES]);
        run_rep_free(&r);
    }
    free(p);
}

/* FIFO: bound 1.5 points as for LRU; it must also lose to LRU on the same stream. LFU (in-cache
 * counts) must beat LRU and cannot beat the static optimum Σ_{i<C} p_i under independent
 * requests (the cache's contents are independent of the next key), plus 0.3 points of
 * sampling error. */
static void test_fifo_lfu(void) {
    const size_t n = 100000;
    double *p = zipf_p(n, 0.8), topc = 0, lru, fifo, lfu;
    const char *set_fifo[] = {"components.c.policy=fifo"}, *set_lfu[] = {"components.c.policy=lfu"};
    struct run_rep r;

    for (size_t i = 0; i < 1000; i++)
        topc += p[i];
    CU_ASSERT_FATAL(run_yaml(zipf_yaml, NULL, 0, &r) == 0);
    lru = find_row(&r, "c")->extra[MX_HIT_RATIO];
    run_rep_free(&r);
    CU_ASSERT_FATAL(run_yaml(zipf_yaml, set_fifo, 1, &r) == 0);
    fifo = find_row(&r, "c")->extra[MX_HIT_RATIO];
    run_rep_free(&r);
    CU_ASSERT_FATAL(run_yaml(zipf_yaml, set_lfu, 1, &r) == 0);
    lfu = find_row(&r, "c")->extra[MX_HIT_RATIO];
    CU_ASSERT_EQUAL(find_row(&r, "c")->extra[MX_EVICTIONS], find_row(&r, "c")->extra[MX_MISSES]);
    run_rep_free(&r);
    CU_ASSERT_TRUE(near_abs("fifo C=1000", fifo, fifo_hit(p, n, 1000), 0.015));
    fprintf(stderr, "\n  lfu %.5f, lru %.5f, static optimum %.5f", lfu, lru, topc);
    CU_ASSERT_TRUE(fifo < lru);
    CU_ASSERT_TRUE(lfu > lru + 0.03);
    CU_ASSERT_TRUE(lfu <= topc + 0.003);
    free(p);
}

/* --- exact small cases: eviction order ------------------------------------------------------ */

/* Three keys with Zipf(1) popularity p = 6/11, 3/11, 2/11, two entries. 10^6 requests
 * (10^5/s for 10 s): binomial SE 0.0005; bound 0.003.
 *   LRU: miss = Σ over orders (a, b, c) of p_a · p_b/(1 − p_a) · p_c (the stack's last key is
 *        requested), computed below.
 *   FIFO: miss = 3 / Σ_j 1/p_j = 3/11 (Gelenbe's FIFO = RANDOM, see the file comment).
 *   LFU: key 0's count soon dominates; the second entry then holds whichever of keys 1 and 2
 *        was requested last (the other's miss evicts it, being the least frequent), so
 *        miss = p1 P(slot = 2) + p2 P(slot = 1) = 2 p1 p2 / (p1 + p2) = 12/55. */
static void test_small_exact(void) {
    const char *yaml = "name: small\nduration: 10s\nwarmup: 0.1s\nseed: 5\n"
                       "workload: {rate: 100000/s, target: c, keys: \"zipf(s=1, n=3)\"}\n"
                       "components:\n"
                       "  c: {kind: cache, capacity: 2, policy: lru, backend: db}\n"
                       "  db: {kind: service, workers: 10, service_time: 0s}\n";
    const double p[3] = {6.0 / 11, 3.0 / 11, 2.0 / 11};
    const char *pols[] = {"lru", "fifo", "lfu"};
    double want[3] = {0, 3.0 / 11, 12.0 / 55};

    for (int a = 0; a < 3; a++)
        for (int b = 0; b < 3; b++) {
            int c = 3 - a - b;
            if (a == b) continue;
            want[0] += p[a] * p[b] / (1 - p[a]) * p[c];
        }
    for (int i = 0; i < 3; i++) {
        char set[64];
        const char *sets[] = {set};
        struct run_rep r;
        const struct model_row *c;
        snprintf(set, sizeof set, "components.c.policy=%s", pols[i]);
        CU_ASSERT_FATAL(run_yaml(yaml, sets, 1, &r) == 0);
        c = find_row(&r, "c");
        CU_ASSERT_TRUE(near_abs(pols[i], 1 - c->extra[MX_HIT_RATIO], want[i], 0.003));
        run_rep_free(&r);
    }
}

/* --- TTL ------------------------------------------------------------------------------------ */

/* One key, Poisson at λ = 1000/s, TTL T = 4 ms (λT = 4 → 0.8) and T = 1 ms (λT = 1 → 0.5);
 * 100 s give about 2·10^4 and 5·10^4 cycles. Per cycle the hits are Poisson(λT): the SE of
 * the ratio is sqrt(λT/cycles)/(1+λT)^2 ≈ 0.0006 and 0.0011; bound 0.006. */
static void test_ttl(void) {
    const char *yaml = "name: ttl\nduration: 100s\nseed: 3\n"
                       "workload: {rate: 1000/s, target: c, keys: \"uniform(n=1)\"}\n"
                       "components:\n"
                       "  c: {kind: cache, capacity: 10, policy: ttl, ttl: 4ms, backend: db}\n"
                       "  db: {kind: service, workers: 10, service_time: 0s}\n";
    const double ttl_ms[] = {4, 1};

    for (int i = 0; i < 2; i++) {
        char set[64];
        const char *sets[] = {set};
        struct run_rep r;
        double lt = 1000.0 * ttl_ms[i] / 1000.0;
        snprintf(set, sizeof set, "components.c.ttl=%gms", ttl_ms[i]);
        CU_ASSERT_FATAL(run_yaml(yaml, sets, 1, &r) == 0);
        CU_ASSERT_TRUE(
            near_abs("ttl", find_row(&r, "c")->extra[MX_HIT_RATIO], lt / (1 + lt), 0.006));
        /* an expired entry leaves when looked up: never an eviction */
        CU_ASSERT_EQUAL(find_row(&r, "c")->extra[MX_EVICTIONS], 0);
        run_rep_free(&r);
    }
}

/* --- stampede ------------------------------------------------------------------------------- */

/* One key, a request every 10 µs (constant), the backend answers in 995 µs, TTL 5 ms, warm-up
 * 3 ms, run 9.002 ms. The warm-up ends before anything else at its instant, so the arrival at
 * 3 ms counts. Hand count:
 *   coalescing on: the misses at 10 … 1000 µs share one fetch, filled at 1005 µs, so the entry
 *   expires at 6005 µs; the 100 requests at 6010 … 7000 µs miss and share one fetch, filled at
 *   7005 µs. After warm-up: hits 3000 … 6000 (301) and 7010 … 9000 (200) = 501, misses 100,
 *   backend requests 1, completions 601.
 *   coalescing off: each of the first 100 misses fetches and each fill restarts the TTL, the
 *   last at 1995 µs, so the entry expires at 6995 µs; the 100 requests at 7000 … 7990 µs miss
 *   and each sends its own request (answers at 7995 … 8985 µs). Hits 3000 … 6990 (400) and
 *   8000 … 9000 (101) = 501, misses 100, backend requests 100, completions 601. */
static void test_coalescing(void) {
    const char *yaml = "name: stampede\nduration: 9.002ms\nwarmup: 3ms\n"
                       "workload: {arrivals: constant, rate: 100000/s, target: c, "
                       "keys: \"uniform(n=1)\"}\n"
                       "components:\n"
                       "  c: {kind: cache, capacity: 10, policy: ttl, ttl: 5ms, backend: db, "
                       "coalescing: true}\n"
                       "  db: {kind: service, workers: 1000, service_time: 995us}\n";
    const char *off[] = {"components.c.coalescing=false"};
    struct run_rep r;
    const struct model_row *c;

    CU_ASSERT_FATAL(run_yaml(yaml, NULL, 0, &r) == 0);
    c = find_row(&r, "c");
    CU_ASSERT_EQUAL(c->extra[MX_BACKEND_REQUESTS], 1);
    CU_ASSERT_EQUAL(c->extra[MX_MISSES], 100);
    CU_ASSERT_EQUAL(c->extra[MX_HITS], 501);
    CU_ASSERT_EQUAL(c->completions, 601);
    CU_ASSERT_EQUAL(find_row(&r, "db")->arrivals, 1);
    CU_ASSERT_EQUAL(find_row(&r, "total")->completions, 601);
    run_rep_free(&r);

    CU_ASSERT_FATAL(run_yaml(yaml, off, 1, &r) == 0);
    c = find_row(&r, "c");
    CU_ASSERT_EQUAL(c->extra[MX_BACKEND_REQUESTS], 100);
    CU_ASSERT_EQUAL(c->extra[MX_MISSES], 100);
    CU_ASSERT_EQUAL(c->extra[MX_HITS], 501);
    CU_ASSERT_EQUAL(c->completions, 601);
    CU_ASSERT_EQUAL(find_row(&r, "db")->arrivals, 100);
    run_rep_free(&r);
}

/* --- writes --------------------------------------------------------------------------------- */

/* 100 keys, uniform; 80 % reads, 20 % writes; capacity 1000 (never full); the backend answers
 * at once; 1000 requests/s, so a key is touched every 100 ms on average, far apart. After
 * warm-up every key has been read once.
 *   write_through: every access leaves the key cached, so every read hits: 1 exactly.
 *   write_around, invalidate: a read hits iff the key's previous access was a read,
 *   probability 0.8 (classes are drawn independently). 1.6·10^5 reads: SE 0.001; bound 0.006.
 * Writes reach the backend in every case: backend requests = misses + writes. */
static void test_write_policies(void) {
    const char *yaml = "name: writes\nduration: 200s\nwarmup: 5s\nseed: 8\n"
                       "workload:\n  rate: 1000/s\n  target: c\n  keys: uniform(n=100)\n"
                       "  classes:\n    - {name: get, weight: 0.8}\n"
                       "    - {name: put, weight: 0.2, op: write}\n"
                       "components:\n"
                       "  c: {kind: cache, capacity: 1000, backend: db, write: write_through}\n"
                       "  db: {kind: service, workers: 10, service_time: 0s}\n";
    const char *pols[] = {"write_through", "write_around", "invalidate"};
    const double want[] = {1.0, 0.8, 0.8};

    for (int i = 0; i < 3; i++) {
        char set[64];
        const char *sets[] = {set};
        struct run_rep r;
        const struct model_row *c;
        double writes;
        snprintf(set, sizeof set, "components.c.write=%s", pols[i]);
        CU_ASSERT_FATAL(run_yaml(yaml, sets, 1, &r) == 0);
        c = find_row(&r, "c");
        CU_ASSERT_TRUE(near_abs(pols[i], c->extra[MX_HIT_RATIO], want[i], 0.006));
        writes = (double)c->arrivals - c->extra[MX_HITS] - c->extra[MX_MISSES];
        CU_ASSERT_TRUE(writes > 0.19 * (double)c->arrivals && writes < 0.21 * (double)c->arrivals);
        CU_ASSERT_EQUAL(c->extra[MX_BACKEND_REQUESTS], c->extra[MX_MISSES] + writes);
        if (i == 0) CU_ASSERT_EQUAL(c->extra[MX_MISSES], 0);
        run_rep_free(&r);
    }
}

/* --- layers --------------------------------------------------------------------------------- */

/* client (LRU, 1000) → cdn (LRU, 10000) → origin. The client's hit ratio is Che's. The cdn sees
 * the client's misses: under Che key i misses at the client with probability e^{−p_i T1}, so
 * the cdn's request rates are p_i e^{−p_i T1}, to which Che is applied again (the "Che
 * approximation for cache networks", Fricker, Robert & Roberts 2012, ITC 24; the miss stream is
 * not exactly independent, so the bound is 2 points). Counts must chain exactly. */
static void test_layers(void) {
    const char *yaml = "name: layers\nduration: 10s\nwarmup: 2s\nseed: 12\n"
                       "workload: {rate: 100000/s, target: client, "
                       "keys: \"zipf(s=0.8, n=100000)\"}\n"
                       "components:\n"
                       "  client: {kind: cache, capacity: 1000, backend: cdn}\n"
                       "  cdn: {kind: cache, capacity: 10000, backend: origin}\n"
                       "  origin: {kind: service, workers: 100, service_time: 0s}\n";
    const size_t n = 100000;
    double *p = zipf_p(n, 0.8), *q = malloc(n * sizeof *q), t1, h1, h2;
    struct run_rep r;
    const struct model_row *cl, *cdn;

    h1 = che_hit(p, n, 1000);
    t1 = che_t(p, n, 1000);
    for (size_t i = 0; i < n; i++)
        q[i] = p[i] * exp(-p[i] * t1);
    h2 = che_hit(q, n, 10000);
    CU_ASSERT_FATAL(run_yaml(yaml, NULL, 0, &r) == 0);
    cl = find_row(&r, "client");
    cdn = find_row(&r, "cdn");
    CU_ASSERT_TRUE(near_abs("client", cl->extra[MX_HIT_RATIO], h1, 0.015));
    CU_ASSERT_TRUE(near_abs("cdn", cdn->extra[MX_HIT_RATIO], h2, 0.02));
    CU_ASSERT_EQUAL((double)cdn->arrivals, cl->extra[MX_BACKEND_REQUESTS]);
    CU_ASSERT_EQUAL((double)find_row(&r, "origin")->arrivals, cdn->extra[MX_BACKEND_REQUESTS]);
    run_rep_free(&r);
    free(p);
    free(q);
}

/* --- flush and crash ------------------------------------------------------------------------ */

/* One key, a request every ms (constant) from 1 ms to 10 s. Flush at 5.0005 s: the request at
 * 5.001 s misses. Misses 2 (the cold one and that one), hits 9998, one "flush" logged. Per 1 s
 * interval: [0, 1) has 999 requests, the first a miss; [5, 6) has 1000, one miss (ratio 0.999);
 * [3, 4) has 1000 hits. */
static void test_flush(void) {
    const char *yaml = "name: flush\nduration: 10.0005s\n"
                       "workload: {arrivals: constant, rate: 1000/s, target: c, "
                       "keys: \"uniform(n=1)\"}\n"
                       "components:\n"
                       "  c: {kind: cache, capacity: 10, backend: db}\n"
                       "  db: {kind: service, service_time: 0s}\n"
                       "failures:\n  - {at: 5.0005s, flush: c}\n";
    struct capture cap;
    struct run_rep r;
    const struct model_row *c;

    memset(&cap, 0, sizeof cap);
    CU_ASSERT_FATAL(run_yaml_hooks(yaml, NULL, 0, &cap, &r) == 0);
    c = find_row(&r, "c");
    CU_ASSERT_EQUAL(c->extra[MX_MISSES], 2);
    CU_ASSERT_EQUAL(c->extra[MX_HITS], 9998);
    CU_ASSERT_EQUAL(c->extra[MX_BACKEND_REQUESTS], 2);
    CU_ASSERT_EQUAL(cap.flushes, 1);
    CU_ASSERT_EQUAL(cap.misses[0], 1);
    CU_ASSERT_EQUAL(cap.hits[0], 998);
    CU_ASSERT_EQUAL(cap.misses[3], 0);
    CU_ASSERT_EQUAL(cap.hits[3], 1000);
    CU_ASSERT_EQUAL(cap.misses[5], 1);
    CU_ASSERT_EQUAL(cap.hits[5], 999);
    CU_ASSERT_DOUBLE_EQUAL(cap.ratio[5], 0.999, 1e-12);
    run_rep_free(&r);
}

/* As test_flush, but a crash at 5.0005 s for 1 s: the 1000 requests at 5.001 … 6.000 s are
 * refused (errors at the workload), the cache comes back empty, so the request at 6.001 s
 * misses: misses 2, hits 10000 − 1000 − 2 = 8998. */
static void test_crash(void) {
    const char *yaml = "name: crash\nduration: 10.0005s\n"
                       "workload: {arrivals: constant, rate: 1000/s, target: c, "
                       "keys: \"uniform(n=1)\"}\n"
                       "components:\n"
                       "  c: {kind: cache, capacity: 10, backend: db}\n"
                       "  db: {kind: service, service_time: 0s}\n"
                       "failures:\n  - {at: 5.0005s, for: 1s, crash: c}\n";
    struct capture cap;
    struct run_rep r;
    const struct model_row *c;

    memset(&cap, 0, sizeof cap);
    CU_ASSERT_FATAL(run_yaml_hooks(yaml, NULL, 0, &cap, &r) == 0);
    c = find_row(&r, "c");
    CU_ASSERT_EQUAL(c->extra[MX_MISSES], 2);
    CU_ASSERT_EQUAL(c->extra[MX_HITS], 8998);
    CU_ASSERT_EQUAL(find_row(&r, "total")->errors, 1000);
    CU_ASSERT_EQUAL(cap.crashes, 1);
    run_rep_free(&r);
}

/* A crash while hits wait out their hit time and misses wait for the backend: every held call
 * is lost (counted), nothing is answered twice or leaked (ASan checks the latter). Requests
 * every 100 µs over 1000 keys; hit time 1 ms, backend 5 ms; crash at 0.5 s for 0.1 s. */
static void test_crash_in_flight(void) {
    const char *yaml = "name: crash2\nduration: 1s\nseed: 4\n"
                       "workload: {arrivals: constant, rate: 10000/s, target: api, "
                       "keys: \"zipf(s=1, n=1000)\"}\n"
                       "components:\n"
                       "  api: {kind: service, workers: 1000, service_time: 0s, "
                       "calls: [{to: c, timeout: 20ms}]}\n"
                       "  c: {kind: cache, capacity: 100, hit_time: 1ms, backend: db, "
                       "coalescing: true}\n"
                       "  db: {kind: service, workers: 1000, service_time: 5ms}\n"
                       "failures:\n  - {at: 0.5s, for: 0.1s, crash: c}\n";
    struct run_rep r;
    const struct model_row *c, *t;

    CU_ASSERT_FATAL(run_yaml(yaml, NULL, 0, &r) == 0);
    c = find_row(&r, "c");
    t = find_row(&r, "total");
    CU_ASSERT_TRUE(c->lost > 0);
    /* every arrival at the cache is answered once: done, failed, lost, or still in flight */
    CU_ASSERT_EQUAL(c->arrivals, c->completions + c->errors + c->rejected + c->lost + c->in_flight);
    CU_ASSERT_EQUAL(t->arrivals, t->completions + t->errors + t->rejected + t->in_flight);
    run_rep_free(&r);
}

/* --- scenario errors ------------------------------------------------------------------------ */

static void expect_error(const char *components, const char *want) {
    char yaml[1024], buf[600];
    struct run_scenario s;
    struct run_checked chk;
    struct err err;

    snprintf(yaml, sizeof yaml,
             "name: e\nduration: 1s\nworkload: {rate: 10/s, target: c}\ncomponents:\n%s"
             "  db: {kind: service, service_time: 1ms}\n",
             components);
    err_clear(&err);
    CU_ASSERT_FATAL(run_scenario_parse(&s, yaml, "e.yaml", NULL, 0, &err) == 0);
    CU_ASSERT_EQUAL(run_check(&s, &chk, &err), -1);
    err_format(&err, buf, sizeof buf);
    if (!strstr(buf, want)) fprintf(stderr, "\n  message '%s' lacks '%s'\n", buf, want);
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, want));
    run_scenario_free(&s);
}

static void test_errors(void) {
    expect_error("  c: {kind: cache, capacity: 10, backend: bd}\n",
                 "e.yaml:5:43: error: components.c.backend: unknown component 'bd' (did you mean "
                 "'db'?)");
    expect_error("  c: {kind: cache, capacity: 0, backend: db}\n",
                 "components.c.capacity: expected a whole number in [1, 100000000]");
    expect_error("  c: {kind: cache, capacity: 10, policy: ttl, backend: db}\n",
                 "components.c: missing key 'ttl'");
    expect_error("  c: {kind: cache, capacity: 10, policy: lru, ttl_eviction: fifo, backend: db}\n",
                 "only policy ttl takes ttl_eviction");
    expect_error(
        "  c: {kind: cache, capacity: 10, policy: lfru, backend: db}\n",
        "unknown value 'lfru' (expected one of: lru, lfu, fifo, ttl; did you mean 'lru'?)");
    expect_error("  c: {kind: cache, capacity: 10, backend: c}\n", "is its own backend");
    expect_error("  c: {kind: cache, capacity: 10, backend: d}\n"
                 "  d: {kind: cache, capacity: 10, backend: c}\n",
                 "call cycle");
    expect_error("  c: {kind: cache, capacity: 10, backend: db, hit_time: 5}\n",
                 "components.c.hit_time: expected a duration with a unit");
    expect_error("  c: {kind: cache, capacity: 10, backend: db, wirte: invalidate}\n",
                 "unknown key 'wirte' (did you mean 'write'?)");
}

/* The introspection functions and a partitioned cache refused at validation. */
static void test_introspection(void) {
    const char *yaml = "name: i\nduration: 1s\nworkload: {rate: 10/s, target: c}\n"
                       "components:\n  c: {kind: cache, capacity: 7, backend: db}\n"
                       "  db: {kind: service, service_time: 1ms}\n";
    struct run_scenario s;
    struct run_checked chk;
    struct err err;
    struct comp *c;
    struct comp_action a = {.kind = ACT_PARTITION};

    CU_ASSERT_FATAL(run_scenario_parse(&s, yaml, "i.yaml", NULL, 0, &err) == 0);
    CU_ASSERT_FATAL(run_check(&s, &chk, &err) == 0);
    c = net_find(chk.net, "c");
    CU_ASSERT_EQUAL(cache_capacity(c), 7);
    CU_ASSERT_EQUAL(cache_entries(c), 0);
    CU_ASSERT_PTR_EQUAL(cache_backend(c), net_find(chk.net, "db"));
    CU_ASSERT_FALSE(cache_contains(c, 3, 0));
    CU_ASSERT_EQUAL(net_control(NULL, c, &a, &err), -1);
    a.kind = ACT_FLUSH;
    CU_ASSERT_EQUAL(net_control(NULL, c, &a, &err), 0);
    run_check_free(&chk);
    run_scenario_free(&s);
}

void test_cache_register(void) {
    CU_pSuite s = CU_add_suite("cache", NULL, NULL);
    CU_add_test(s, "LRU under Zipf vs Che's approximation", test_lru_che);
    CU_add_test(s, "FIFO vs its approximation; LFU between LRU and the optimum", test_fifo_lfu);
    CU_add_test(s, "exact small cases: LRU, FIFO, LFU", test_small_exact);
    CU_add_test(s, "TTL: hit ratio lambda T / (1 + lambda T)", test_ttl);
    CU_add_test(s, "stampede: coalescing 1 vs 100 backend requests", test_coalescing);
    CU_add_test(s, "write policies", test_write_policies);
    CU_add_test(s, "two caches in series", test_layers);
    CU_add_test(s, "flush via failures", test_flush);
    CU_add_test(s, "crash empties the cache", test_crash);
    CU_add_test(s, "crash with calls in flight", test_crash_in_flight);
    CU_add_test(s, "scenario errors", test_errors);
    CU_add_test(s, "introspection and control checks", test_introspection);
}
