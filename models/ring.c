/* ring — consistent hashing with virtual nodes; see ring.h. */
#include "ring.h"

#include <assert.h>
#include <stdlib.h>

#include "rng.h"
#include "xmalloc.h"

struct ring_point {
    uint64_t hash;
    size_t target;
};

struct ring {
    struct ring_point *points; /* sorted by (hash, target) */
    size_t npoints;
    size_t ntargets;
};

static int point_cmp(const void *a, const void *b) {
    const struct ring_point *x = a, *y = b;

    if (x->hash != y->hash) return x->hash < y->hash ? -1 : 1;
    return x->target < y->target ? -1 : x->target > y->target;
}

/* Points for target t: vnodes × weight / mean weight, rounded, at least one. */
static size_t points_for(const double *weights, size_t t, double mean_w, long long vnodes) {
    double w = weights ? weights[t] : 1.0;
    size_t v = (size_t)((double)vnodes * w / mean_w + 0.5);

    return v ? v : 1;
}

struct ring *ring_new(const char *const *names, const double *weights, size_t n, long long vnodes) {
    struct ring *r = xcalloc(1, sizeof *r);
    double total_w = 0, mean_w;
    size_t k = 0;

    assert(n >= 1 && vnodes >= 1);
    for (size_t t = 0; t < n; t++) {
        assert(!weights || weights[t] > 0);
        total_w += weights ? weights[t] : 1.0;
    }
    mean_w = total_w / (double)n;
    for (size_t t = 0; t < n; t++)
        r->npoints += points_for(weights, t, mean_w, vnodes);
    r->points = xcalloc(r->npoints, sizeof *r->points);
    r->ntargets = n;
    for (size_t t = 0; t < n; t++) {
        uint64_t h = rng_hash_str(0, names[t]);
        size_t v = points_for(weights, t, mean_w, vnodes);
        for (size_t i = 0; i < v; i++) {
            r->points[k].hash = rng_mix64(h ^ rng_mix64(i + 1));
            r->points[k].target = t;
            k++;
        }
    }
    qsort(r->points, r->npoints, sizeof *r->points, point_cmp);
    return r;
}

void ring_free(struct ring *r) {
    if (!r) return;
    free(r->points);
    free(r);
}

size_t ring_lookup(const struct ring *r, uint64_t hash) {
    size_t lo = 0, hi = r->npoints;

    /* first point with position >= hash; past the top wraps to the first point */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (r->points[mid].hash < hash)
            lo = mid + 1;
        else
            hi = mid;
    }
    return r->points[lo == r->npoints ? 0 : lo].target;
}

size_t ring_lookup_skip(const struct ring *r, uint64_t hash, const unsigned char *skip) {
    size_t lo = 0, hi = r->npoints;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (r->points[mid].hash < hash)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t k = 0; k < r->npoints; k++) {
        size_t t = r->points[(lo + k) % r->npoints].target;
        if (!skip[t]) return t;
    }
    return r->ntargets;
}

size_t ring_npoints(const struct ring *r) {
    return r->npoints;
}

size_t ring_ntargets(const struct ring *r) {
    return r->ntargets;
}
