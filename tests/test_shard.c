/*
 * The shard kind and the shared hash ring, against values computed here independently: shares
 * of keys per shard from the key → shard function and the key distribution's exact pmf, the
 * fraction of keys that move when a shard is added, and M/M/1 response-time percentiles for
 * single-shard and scatter-gather requests. Every bound is justified next to its assertion.
 */
#include <CUnit/CUnit.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keydist.h"
#include "model.h"
#include "ring.h"
#include "rng.h"
#include "run.h"
#include "shard.h"
#include "testutil.h"

#define NKEYS 1000000u

static int run_yaml(const char *yaml, const char *const *sets, size_t nsets, struct run_rep *out) {
    return tu_run(yaml, 0, sets, nsets, 0, NULL, out);
}

/* Build (not run) a scenario; returns -1 with err filled when it does not validate. */
static int check_yaml(const char *yaml, const char *const *sets, size_t nsets,
                      struct run_checked *out, struct err *err) {
    struct run_scenario s;
    int rc;

    err_clear(err);
    if (run_scenario_parse(&s, yaml, "test.yaml", sets, nsets, err)) return -1;
    rc = run_check(&s, out, err);
    run_scenario_free(&s);
    return rc;
}

static const struct model_row *find_row(const struct run_rep *r, const char *name) {
    const struct model_row *row = tu_row(r, name);
    if (!row) CU_FAIL("row not found");
    return row ? row : &r->rows[0];
}

static int near_abs(double got, double want, double tol) {
    int ok = fabs(got - want) <= tol;
    if (!ok) fprintf(stderr, "\n  got %.6g, want %.6g ± %.3g\n", got, want, tol);
    return ok;
}

static int near_rel(double got, double want, double rel) {
    return near_abs(got, want, rel * fabs(want));
}

/* --- the ring ----------------------------------------------------------------------------- */

/* Positions come from names: the same names in another order own the same keys. Weights 2:1:1
 * with 200 virtual nodes give 200 × w / mean(w) = 300, 150, 150 points, so the weight-2 target
 * owns about half the circle: its share is a sum of 300 of 600 exchangeable spacings, SD ≈
 * sqrt(0.5 · 0.5 / 600) = 0.02; bound 0.07 (3.5 SD). */
static void test_ring(void) {
    const char *abc[] = {"a", "b", "c"}, *cab[] = {"c", "a", "b"};
    const double w[] = {2, 1, 1};
    struct ring *r1 = ring_new(abc, NULL, 3, 100), *r2 = ring_new(cab, NULL, 3, 100);
    struct ring *rw = ring_new(abc, w, 3, 200);
    size_t same = 0, heavy = 0;

    CU_ASSERT_EQUAL(ring_npoints(r1), 300);
    CU_ASSERT_EQUAL(ring_npoints(rw), 600); /* 300 + 150 + 150 */
    CU_ASSERT_EQUAL(ring_ntargets(rw), 3);
    for (uint64_t k = 0; k < 100000; k++) {
        uint64_t h = rng_mix64(k);
        same += strcmp(abc[ring_lookup(r1, h)], cab[ring_lookup(r2, h)]) == 0;
        heavy += ring_lookup(rw, h) == 0;
    }
    CU_ASSERT_EQUAL(same, 100000);
    CU_ASSERT_TRUE(near_abs((double)heavy / 100000.0, 0.5, 0.07));
    /* past the last point wraps to the first: the top and the bottom of the circle agree */
    CU_ASSERT_EQUAL(ring_lookup(r1, UINT64_MAX), ring_lookup(r1, 0));
    ring_free(r1);
    ring_free(r2);
    ring_free(rw);
    ring_free(NULL);
}

/* --- the key → shard function --------------------------------------------------------------- */

/* Hash mod 8 over the keys 0..10^6−1: each shard's count is binomial-like, SD = sqrt(10^6 ·
 * 1/8 · 7/8) = 331 = 0.26 % of 125,000; the ±2 % bound is 7.6 SD. */
static void test_map_hash_uniform(void) {
    struct shard_map *m = shard_map_new(SHARD_HASH, NULL, 8, 0, 0, NULL);
    size_t count[8] = {0};

    for (uint64_t k = 0; k < NKEYS; k++)
        count[shard_map_lookup(m, k)]++;
    for (int i = 0; i < 8; i++)
        CU_ASSERT_TRUE(near_rel((double)count[i] / NKEYS, 1.0 / 8, 0.02));
    shard_map_free(m);
}

/* Adding a 9th shard: with consistent hashing only the keys the new shard takes over move
 * (its expected share is 1/9 = 0.111; with 200 virtual nodes its arc share has a relative SD of
 * about 1/sqrt(200) = 7 %, so [0.08, 0.15] is over 4 SD each way), and every key that moves,
 * moves to the new shard. With hash mod N a key stays only when h mod 8 = h mod 9, i.e. h mod
 * 72 < 8: 1/9 stay, 8/9 = 0.889 move (binomial SD over 10^6 keys 0.0003; bound ±0.01). */
static void test_map_add_shard(void) {
    const char *names[9] = {"store[1]", "store[2]", "store[3]", "store[4]", "store[5]",
                            "store[6]", "store[7]", "store[8]", "store[9]"};
    struct shard_map *c8 = shard_map_new(SHARD_CONSISTENT_HASH, names, 8, 200, 0, NULL);
    struct shard_map *c9 = shard_map_new(SHARD_CONSISTENT_HASH, names, 9, 200, 0, NULL);
    struct shard_map *h8 = shard_map_new(SHARD_HASH, NULL, 8, 0, 0, NULL);
    struct shard_map *h9 = shard_map_new(SHARD_HASH, NULL, 9, 0, 0, NULL);
    size_t moved_c = 0, moved_h = 0, moved_elsewhere = 0;
    double fc, fh;

    for (uint64_t k = 0; k < NKEYS; k++) {
        size_t a = shard_map_lookup(c8, k), b = shard_map_lookup(c9, k);
        if (a != b) {
            moved_c++;
            if (b != 8) moved_elsewhere++;
        }
        moved_h += shard_map_lookup(h8, k) != shard_map_lookup(h9, k);
    }
    fc = (double)moved_c / NKEYS;
    fh = (double)moved_h / NKEYS;
    fprintf(stderr, "\n  keys moved by adding a 9th shard: consistent %.4f, mod N %.4f\n", fc, fh);
    CU_ASSERT_TRUE(fc >= 0.08 && fc <= 0.15);
    CU_ASSERT_EQUAL(moved_elsewhere, 0);
    CU_ASSERT_TRUE(near_abs(fh, 8.0 / 9.0, 0.01));
    shard_map_free(c8);
    shard_map_free(c9);
    shard_map_free(h8);
    shard_map_free(h9);
}

/* Range boundaries by hand: keyspace 1000 over 8 shards starts shards at 125, 250, ..., 875;
 * keyspace 10 over 3 at floor(10/3) = 3 and floor(20/3) = 6; explicit [10, 20, 30]. Keys above
 * the keyspace belong to the last (open) range. */
static void test_map_range(void) {
    const uint64_t b[] = {10, 20, 30};
    struct shard_map *m8 = shard_map_new(SHARD_RANGE, NULL, 8, 0, 1000, NULL);
    struct shard_map *m3 = shard_map_new(SHARD_RANGE, NULL, 3, 0, 10, NULL);
    struct shard_map *mb = shard_map_new(SHARD_RANGE, NULL, 4, 0, 0, b);
    struct shard_map *m1 = shard_map_new(SHARD_RANGE, NULL, 1, 0, 5, NULL);

    CU_ASSERT_EQUAL(shard_map_lookup(m8, 0), 0);
    CU_ASSERT_EQUAL(shard_map_lookup(m8, 124), 0);
    CU_ASSERT_EQUAL(shard_map_lookup(m8, 125), 1);
    CU_ASSERT_EQUAL(shard_map_lookup(m8, 500), 4);
    CU_ASSERT_EQUAL(shard_map_lookup(m8, 874), 6);
    CU_ASSERT_EQUAL(shard_map_lookup(m8, 875), 7);
    CU_ASSERT_EQUAL(shard_map_lookup(m8, 999), 7);
    CU_ASSERT_EQUAL(shard_map_lookup(m8, UINT64_MAX), 7);
    CU_ASSERT_EQUAL(shard_map_lookup(m3, 2), 0);
    CU_ASSERT_EQUAL(shard_map_lookup(m3, 3), 1);
    CU_ASSERT_EQUAL(shard_map_lookup(m3, 5), 1);
    CU_ASSERT_EQUAL(shard_map_lookup(m3, 6), 2);
    CU_ASSERT_EQUAL(shard_map_lookup(mb, 9), 0);
    CU_ASSERT_EQUAL(shard_map_lookup(mb, 10), 1);
    CU_ASSERT_EQUAL(shard_map_lookup(mb, 29), 2);
    CU_ASSERT_EQUAL(shard_map_lookup(mb, 30), 3);
    CU_ASSERT_EQUAL(shard_map_lookup(mb, 1u << 30), 3);
    CU_ASSERT_EQUAL(shard_map_lookup(m1, 3), 0);
    shard_map_free(m8);
    shard_map_free(m3);
    shard_map_free(mb);
    shard_map_free(m1);
    shard_map_free(NULL);
}

/* --- simulated shares --------------------------------------------------------------------- */

static const char sharded[] = "name: sharded\nduration: 100s\nwarmup: 1s\nseed: 11\n"
                              "workload:\n"
                              "  rate: 4000/s\n"
                              "  target: db\n"
                              "  keys: uniform(n=1000000)\n"
                              "components:\n"
                              "  db: {kind: shard, shards: store, strategy: hash, "
                              "keyspace: 1000000}\n"
                              "  store: {kind: service, replicas: 8, workers: 4, "
                              "service_time: exp(100us)}\n";

/* Measured shares of the 8 backends' rows against the shares computed from the component's
 * own key → shard function and the key distribution's pmf (summed over all 10^6 keys). Returns
 * the largest absolute difference; checks that the router's load_imbalance is max/mean of the
 * backends' arrivals (only the router calls them) and that it sent no scatter requests. */
static double check_shares(const char *const *sets, size_t nsets, const struct keydist *kd,
                           double *hottest_want, double *hottest_got, double *imb) {
    struct run_checked chk;
    struct run_rep r;
    struct err err;
    double want[8] = {0}, worst = 0, mean, max = 0;
    struct comp *db;
    uint64_t total = 0;

    if (check_yaml(sharded, sets, nsets, &chk, &err)) {
        char buf[600];
        fprintf(stderr, "\n%s\n", err_format(&err, buf, sizeof buf));
        CU_FAIL("scenario does not validate");
        return 1;
    }
    db = net_find(chk.net, "db");
    for (uint64_t k = 0; k < kd->n; k++)
        want[shard_key_index(db, k)] += keydist_pmf(kd, k);
    run_check_free(&chk);
    if (run_yaml(sharded, sets, nsets, &r)) {
        CU_FAIL("run failed");
        return 1;
    }
    for (int i = 0; i < 8; i++) {
        char name[32];
        snprintf(name, sizeof name, "store[%d]", i + 1);
        total += find_row(&r, name)->arrivals;
    }
    CU_ASSERT_EQUAL(total, find_row(&r, "db")->arrivals);
    *hottest_want = 0;
    for (int i = 0; i < 8; i++) {
        char name[32];
        double got, a;
        snprintf(name, sizeof name, "store[%d]", i + 1);
        a = (double)find_row(&r, name)->arrivals;
        got = a / (double)total;
        if (a > max) max = a;
        if (fabs(got - want[i]) > worst) worst = fabs(got - want[i]);
        if (want[i] > *hottest_want) {
            *hottest_want = want[i];
            *hottest_got = got;
        }
    }
    mean = (double)total / 8;
    *imb = find_row(&r, "db")->extra[MX_IMBALANCE];
    CU_ASSERT_TRUE(near_rel(*imb, max / mean, 1e-12));
    CU_ASSERT_EQUAL(find_row(&r, "db")->extra[MX_CROSS_SHARD], 0);
    run_rep_free(&r);
    return worst;
}

/* Uniform keys over 8 hash shards: 4·10^5 requests after warm-up, so a share's sampling SD is
 * sqrt(1/8 · 7/8 / 4·10^5) = 0.00052 (0.42 % of 1/8); with the hash's own unevenness over the
 * 10^6 keys (0.26 %) about 0.5 %: the ±2 % bound is 4 SD. */
static void test_sim_uniform(void) {
    struct keydist kd;
    double hw, hg, imb, worst;

    keydist_uniform(&kd, NKEYS, NULL);
    worst = check_shares(NULL, 0, &kd, &hw, &hg, &imb);
    CU_ASSERT_TRUE(near_abs(worst, 0, 0.02 / 8));
    CU_ASSERT_TRUE(imb >= 1.0 && imb < 1.04);
}

/* Zipf s = 1.1 over 10^6 keys, hash: key 0 alone has 1/H(10^6, 1.1) ≈ 12 % of requests, so
 * its shard is the hottest. Its measured share must equal the sum of its keys' probabilities
 * within 1 point (sampling SD sqrt(0.23 · 0.77 / 4·10^5) = 0.0007: the bound is 15 SD; it
 * catches a wrong key → shard function, not noise). Same for range over [0, 10^6) (the popular
 * low ranks all fall in the first range) and hotspot keys (90 % on the lowest 1 %) under range:
 * shard 1 gets 0.9 + 0.1 · 115,000/990,000 = 0.9116 (hand count: hot keys 0..9,999 all in
 * [0, 125,000)), imbalance 8 × 0.9116 = 7.29. */
static void test_sim_skewed(void) {
    const char *zipf_hash[] = {"workload.keys=zipf(s=1.1, n=1000000)"};
    const char *zipf_range[] = {"workload.keys=zipf(s=1.1, n=1000000)",
                                "components.db.strategy=range"};
    const char *hot_range[] = {"workload.keys=hotspot(n=1000000, hot=1%, share=90%)",
                               "components.db.strategy=range"};
    struct keydist kd;
    double hw, hg, imb, worst;

    keydist_zipf(&kd, NKEYS, 1.1, NULL);
    worst = check_shares(zipf_hash, 1, &kd, &hw, &hg, &imb);
    fprintf(stderr, "\n  zipf/hash: hottest shard %.4f (computed %.4f), imbalance %.3f\n", hg, hw,
            imb);
    CU_ASSERT_TRUE(near_abs(hg, hw, 0.01));
    CU_ASSERT_TRUE(near_abs(worst, 0, 0.01));
    CU_ASSERT_TRUE(near_abs(imb, 8 * hw, 8 * 0.01));
    CU_ASSERT_TRUE(hw > 0.2); /* key 0's 12 % plus an eighth of the rest */

    worst = check_shares(zipf_range, 2, &kd, &hw, &hg, &imb);
    fprintf(stderr, "  zipf/range: hottest shard %.4f (computed %.4f), imbalance %.3f\n", hg, hw,
            imb);
    CU_ASSERT_TRUE(near_abs(hg, hw, 0.01));
    CU_ASSERT_TRUE(near_abs(worst, 0, 0.01));

    keydist_hotspot(&kd, NKEYS, 0.01, 0.9, NULL);
    worst = check_shares(hot_range, 2, &kd, &hw, &hg, &imb);
    fprintf(stderr,
            "  hotspot/range: hottest shard %.4f (computed %.4f, hand 0.9116), "
            "imbalance %.3f\n",
            hg, hw, imb);
    CU_ASSERT_TRUE(near_abs(hw, 0.9 + 0.1 * 115000.0 / 990000.0, 1e-9));
    CU_ASSERT_TRUE(near_abs(hg, hw, 0.01));
    CU_ASSERT_TRUE(near_abs(worst, 0, 0.01));
    CU_ASSERT_TRUE(near_abs(imb, 8 * hw, 8 * 0.01));
}

/* --- scatter-gather ----------------------------------------------------------------------- */

/* 8 M/M/1 shards (μ = 1000/s). Single-key requests at 3200/s through db_one (400/s per shard)
 * and scatter-all requests at 100/s through db_all (100/s at every shard): each shard's
 * arrivals are the superposition of a thinned Poisson stream and a Poisson stream, so Poisson
 * at λ = 500/s, and each shard is M/M/1 with ρ = 0.5. Its response time is exponential with
 * rate μ − λ = 500/s (FIFO), so a single-key request has p99 = ln(100)/500 s = 9.21 ms and mean
 * 2 ms. A scatter request waits for the slowest of its 8 parts; were they independent, the
 * maximum would have CDF (1 − e^{−(μ−λ)t})^8 and p99 = −ln(1 − 0.99^{1/8})/(μ−λ) = 13.36 ms.
 * They are not independent: the 8 parts arrive together, and each shard's queue then holds
 * the same earlier scatter requests, so the 8 response times are positively associated
 * (increasing functions of shared arrivals: Esary, Proschan & Walkup 1967), and for associated
 * variables P(max ≤ t) ≥ Π P(X_i ≤ t): the independent p99 is an upper bound. The maximum is
 * at least any one part, so the single p99 is a lower bound. Scatter traffic is only a fifth
 * of each shard's load, so the association is weak and the p99 should sit near the upper
 * bound: asserted in [0.9, 1.03] × 13.36 ms. Sampling: 2·10^4 scatter requests after warm-up;
 * the p99's SD is sqrt(0.01 · 0.99 / 2·10^4) / f(p99) with f = 0.0050/ms: 0.14 ms (1 %),
 * doubled for queueing autocorrelation: 2 %; the upper margin 3 % covers that and the
 * histogram's 0.1 % resolution. Single-key: 6.4·10^5 requests, p99 SD 0.3 %, ×4 for
 * autocorrelation: bound 5 %; the mean ±3 % (M/M/1 at ρ = 0.5, SE of L about 1 % here). */
static void test_scatter_mm1(void) {
    const char *yaml = "name: scatter\nduration: 200s\nwarmup: 5s\nseed: 7\n"
                       "workload:\n"
                       "  rate: 3300/s\n"
                       "  keys: uniform(n=1000000)\n"
                       "  classes:\n"
                       "    - {name: get, weight: 32, target: db_one}\n"
                       "    - {name: scan, weight: 1, target: db_all, scatter: all}\n"
                       "components:\n"
                       "  db_one: {kind: shard, shards: store}\n"
                       "  db_all: {kind: shard, shards: store}\n"
                       "  store: {kind: service, replicas: 8, service_time: exp(1ms)}\n";
    const double a = 0.5; /* μ − λ, per ms */
    double p99_one = -log(0.01) / a, p99_max = -log(1 - pow(0.99, 1.0 / 8)) / a;
    const struct model_row *one, *all;
    struct run_rep r;

    CU_ASSERT_TRUE(near_abs(p99_one, 9.2103, 1e-4));
    CU_ASSERT_TRUE(near_abs(p99_max, 13.360, 1e-3));
    CU_ASSERT_FATAL(run_yaml(yaml, NULL, 0, &r) == 0);
    one = find_row(&r, "db_one");
    all = find_row(&r, "db_all");
    fprintf(stderr,
            "\n  p99 ms: single %.3f (M/M/1 %.3f), scatter over 8 %.3f (independent "
            "max %.3f)\n",
            one->latency_p99_ms, p99_one, all->latency_p99_ms, p99_max);
    CU_ASSERT_TRUE(near_rel(one->latency_p99_ms, p99_one, 0.05));
    CU_ASSERT_TRUE(near_rel(one->latency_mean_ms, 2.0, 0.03));
    CU_ASSERT_TRUE(all->latency_p99_ms > p99_one);
    CU_ASSERT_TRUE(all->latency_p99_ms <= p99_max * 1.03);
    CU_ASSERT_TRUE(all->latency_p99_ms >= p99_max * 0.9);
    for (int i = 1; i <= 8; i++) {
        char name[32];
        snprintf(name, sizeof name, "store[%d]", i);
        /* ρ = 0.5 at each shard: 2·10^5 service times per shard, SE about 0.3 % */
        CU_ASSERT_TRUE(near_rel(find_row(&r, name)->utilization, 0.5, 0.03));
    }
    CU_ASSERT_EQUAL(all->extra[MX_CROSS_SHARD], (double)all->arrivals);
    CU_ASSERT_EQUAL(one->extra[MX_CROSS_SHARD], 0);
    CU_ASSERT_EQUAL(all->errors, 0);
    run_rep_free(&r);
}

/* scatter: 3 with one key: the key's shard and the two after it (wrapping) get every request,
 * the other five nothing; the same under each strategy (the home shard differs). */
static void test_scatter_k(void) {
    const char *yaml = "name: k\nduration: 10s\nseed: 1\n"
                       "workload:\n"
                       "  rate: 100/s\n"
                       "  keys: uniform(n=1)\n"
                       "  classes: [{name: q, target: db, scatter: 3}]\n"
                       "components:\n"
                       "  db: {kind: shard, shards: [s1, s2, s3, s4, s5, s6, s7, s8], "
                       "keyspace: 1000, vnodes: 50}\n"
                       "  s1: {kind: service, service_time: 100us}\n"
                       "  s2: {kind: service, service_time: 100us}\n"
                       "  s3: {kind: service, service_time: 100us}\n"
                       "  s4: {kind: service, service_time: 100us}\n"
                       "  s5: {kind: service, service_time: 100us}\n"
                       "  s6: {kind: service, service_time: 100us}\n"
                       "  s7: {kind: service, service_time: 100us}\n"
                       "  s8: {kind: service, service_time: 100us}\n";
    const char *strategies[] = {"components.db.strategy=hash", "components.db.strategy=range",
                                "components.db.strategy=consistent_hash"};

    for (int s = 0; s < 3; s++) {
        struct run_checked chk;
        struct run_rep r;
        struct err err;
        size_t home;
        uint64_t n;

        CU_ASSERT_FATAL(check_yaml(yaml, &strategies[s], 1, &chk, &err) == 0);
        home = shard_key_index(net_find(chk.net, "db"), 0);
        run_check_free(&chk);
        CU_ASSERT_FATAL(run_yaml(yaml, &strategies[s], 1, &r) == 0);
        n = find_row(&r, "db")->arrivals;
        CU_ASSERT_TRUE(n > 900);
        for (size_t i = 0; i < 8; i++) {
            char name[32];
            size_t d = (i + 8 - home) % 8; /* distance after the home shard */
            snprintf(name, sizeof name, "s%zu", i + 1);
            CU_ASSERT_EQUAL(find_row(&r, name)->arrivals, d < 3 ? n : 0);
        }
        CU_ASSERT_EQUAL(find_row(&r, "db")->extra[MX_CROSS_SHARD], (double)n);
        /* three of eight shards get everything: max/mean = 1/(3/8) */
        CU_ASSERT_TRUE(near_abs(find_row(&r, "db")->extra[MX_IMBALANCE], 8.0 / 3.0, 1e-12));
        if (s == 1) CU_ASSERT_EQUAL(home, 0); /* range: key 0 is in the first range */
        run_rep_free(&r);
    }
}

/* --- failures ----------------------------------------------------------------------------- */

/* Shard 3 crashed for the whole run (`crash: db.shard[3]` forwards to store[3]): every
 * scatter-all request fails, and a single-key request fails exactly when its key lives on
 * shard 3 — computed here from the key → shard function: a fraction p3 of the 10^6 keys (about
 * 1/8); with ~2.8·10^4 single requests the failed fraction's SD is sqrt(p3(1 − p3)/n) = 0.002:
 * bound 0.01. With mode blackhole and a 20 ms timeout the same requests fail through the
 * router's timeouts instead. */
static void test_crashed_shard(void) {
    const char *yaml = "name: crash\nduration: 10s\nseed: 3\n"
                       "workload:\n"
                       "  rate: 3000/s\n"
                       "  keys: uniform(n=1000000)\n"
                       "  classes:\n"
                       "    - {name: get, weight: 9, target: db_one}\n"
                       "    - {name: scan, weight: 1, target: db_all, scatter: all}\n"
                       "components:\n"
                       "  db_one: {kind: shard, shards: store, strategy: consistent_hash, "
                       "timeout: 20ms}\n"
                       "  db_all: {kind: shard, shards: store, strategy: consistent_hash, "
                       "timeout: 20ms}\n"
                       "  store: {kind: service, replicas: 8, service_time: exp(100us)}\n"
                       "failures:\n"
                       "  - {at: 0s, crash: \"db_one.shard[3]\"}\n";
    const char *blackhole[] = {"failures[0].mode=blackhole"};
    struct run_checked chk;
    struct err err;
    double p3 = 0;
    struct comp *db;

    CU_ASSERT_FATAL(check_yaml(yaml, NULL, 0, &chk, &err) == 0);
    db = net_find(chk.net, "db_one");
    for (uint64_t k = 0; k < NKEYS; k++)
        p3 += shard_key_index(db, k) == 2;
    p3 /= NKEYS;
    run_check_free(&chk);
    for (int mode = 0; mode < 2; mode++) {
        struct run_rep r;
        const struct model_row *one, *all;
        CU_ASSERT_FATAL(run_yaml(yaml, blackhole, (size_t)mode, &r) == 0);
        one = find_row(&r, "db_one");
        all = find_row(&r, "db_all");
        CU_ASSERT_EQUAL(all->completions, 0);
        /* blackhole: the last 20 ms of scatter requests are still waiting at the end */
        CU_ASSERT_TRUE(all->errors + all->in_flight == all->arrivals);
        CU_ASSERT_TRUE(
            near_abs((double)(one->errors + one->in_flight) / (double)one->arrivals, p3, 0.01));
        CU_ASSERT_EQUAL(find_row(&r, "store[3]")->completions, 0);
        if (mode == 1) {
            CU_ASSERT_TRUE(one->extra[MX_TIMEOUTS] > 0);
            CU_ASSERT_EQUAL(one->extra[MX_TIMEOUTS], (double)one->errors);
        }
        run_rep_free(&r);
    }
}

/* --- scenario errors ---------------------------------------------------------------------- */

static void expect_error(const char *yaml, const char *set, int line, const char *needle) {
    struct run_checked chk;
    struct err err;
    const char *sets[] = {set};

    if (check_yaml(yaml, sets, set ? 1 : 0, &chk, &err) == 0) {
        run_check_free(&chk);
        CU_FAIL("scenario should not validate");
        return;
    }
    if (!strstr(err.msg, needle) || (line && err.line != line))
        fprintf(stderr, "\n  error %s:%d:%d: %s (want line %d, '%s')\n", err.file, err.line,
                err.col, err.msg, line, needle);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, needle));
    if (line) CU_ASSERT_EQUAL(err.line, line);
}

static void test_errors(void) {
    const char *base = "name: e\nduration: 1s\n"
                       "workload: {rate: 10/s, target: db}\n"
                       "components:\n"
                       "  db:\n"
                       "    kind: shard\n"
                       "    shards: store\n"
                       "    strategy: hash\n"
                       "  store: {kind: service, replicas: 4, service_time: 1ms}\n";
    const char *bounds = "name: e\nduration: 1s\n"
                         "workload: {rate: 10/s, target: db}\n"
                         "components:\n"
                         "  db:\n"
                         "    kind: shard\n"
                         "    shards: store\n"
                         "    strategy: range\n"
                         "    boundaries: [10, 20]\n"
                         "  store: {kind: service, replicas: 4, service_time: 1ms}\n";
    const char *typo = "name: e\nduration: 1s\n"
                       "workload: {rate: 10/s, target: db}\n"
                       "components:\n"
                       "  db: {kind: shard, shards: [store, x]}\n"
                       "  x: {kind: shard, shards: [store, stor]}\n"
                       "  store: {kind: service, service_time: 1ms}\n";
    const char *fail = "name: e\nduration: 1s\n"
                       "workload: {rate: 10/s, target: db}\n"
                       "components:\n"
                       "  db: {kind: shard, shards: store}\n"
                       "  store: {kind: service, replicas: 4, service_time: 1ms}\n"
                       "failures:\n"
                       "  - {at: 1s, crash: \"db.shard[5]\"}\n";

    /* errors at a node --set replaced are located at "--set": line not checked there */
    expect_error(typo, NULL, 6, "unknown component 'stor' (did you mean 'store'?)");
    expect_error(base, "components.db.strategy=range", 0, "needs 'keyspace'");
    expect_error(base, "components.db.strategy=rnage", 0, "did you mean 'range'");
    expect_error(base, "components.db.shards=db", 0, "call cycle");
    expect_error(base, "components.db.vnode=5", 0, "unknown key 'vnode'");
    expect_error(base, "components.db.timeout=0s", 0, "positive");
    expect_error(bounds, NULL, 9, "4 shards need 3 boundaries");
    expect_error(bounds, "components.db.boundaries[1]=10", 0, "must increase");
    expect_error(fail, NULL, 8, "no part 'shard[5]'");
    expect_error(fail, "failures[0].crash=db.primary", 0, "no part 'primary'");
}

/* The router's interval rows carry its imbalance and cross-shard count (one value per
 * interval, reset at each interval end). */
struct iv {
    int rows;
    double cross_sum, imb_max;
};

static void on_interval(void *user, int64_t t0, int64_t t1, unsigned flags,
                        const struct model_row *rows, size_t nrows) {
    struct iv *iv = user;

    (void)t0;
    (void)t1;
    (void)flags;
    for (size_t i = 0; i < nrows; i++) {
        if (strcmp(rows[i].component, "db") != 0) continue;
        iv->rows++;
        iv->cross_sum += rows[i].extra[MX_CROSS_SHARD];
        if (rows[i].extra[MX_IMBALANCE] > iv->imb_max) iv->imb_max = rows[i].extra[MX_IMBALANCE];
    }
}

static void test_intervals(void) {
    const char *yaml = "name: iv\nduration: 5s\ninterval: 1s\nseed: 2\n"
                       "workload:\n"
                       "  rate: 1000/s\n"
                       "  classes:\n"
                       "    - {name: get, weight: 3, target: db}\n"
                       "    - {name: scan, weight: 1, target: db, scatter: 2}\n"
                       "components:\n"
                       "  db: {kind: shard, shards: store}\n"
                       "  store: {kind: service, replicas: 4, service_time: exp(100us)}\n";
    struct run_scenario s;
    struct run_rep r;
    struct err err;
    struct iv iv = {0, 0, 0};
    struct run_hooks hooks;

    memset(&hooks, 0, sizeof hooks);
    hooks.interval = on_interval;
    hooks.user = &iv;
    CU_ASSERT_FATAL(run_scenario_parse(&s, yaml, "iv.yaml", NULL, 0, &err) == 0);
    CU_ASSERT_FATAL(run_replication(&s, 0, &hooks, &r, &err) == 0);
    CU_ASSERT_EQUAL(iv.rows, 5);
    /* the intervals partition the run (no warm-up): their counts add up to the run's */
    CU_ASSERT_EQUAL(iv.cross_sum, find_row(&r, "db")->extra[MX_CROSS_SHARD]);
    CU_ASSERT_TRUE(iv.cross_sum > 1000);
    CU_ASSERT_TRUE(iv.imb_max >= 1.0 && iv.imb_max < 1.2);
    run_rep_free(&r);
    run_scenario_free(&s);
}

void test_shard_register(void);
void test_shard_register(void) {
    CU_pSuite s = CU_add_suite("shard", NULL, NULL);
    CU_add_test(s, "hash ring: names, weights, wrap", test_ring);
    CU_add_test(s, "hash mod 8 over 10^6 keys: 1/8 each", test_map_hash_uniform);
    CU_add_test(s, "adding a 9th shard: consistent vs mod N", test_map_add_shard);
    CU_add_test(s, "range boundaries", test_map_range);
    CU_add_test(s, "uniform keys over 8 hash shards (simulated)", test_sim_uniform);
    CU_add_test(s, "zipf and hotspot: hottest shard vs pmf", test_sim_skewed);
    CU_add_test(s, "scatter-gather over 8 M/M/1 shards: p99 of the max", test_scatter_mm1);
    CU_add_test(s, "scatter k: home shard and the next k-1", test_scatter_k);
    CU_add_test(s, "a crashed shard: errors and timeouts", test_crashed_shard);
    CU_add_test(s, "scenario errors", test_errors);
    CU_add_test(s, "interval rows: imbalance and cross-shard", test_intervals);
}
