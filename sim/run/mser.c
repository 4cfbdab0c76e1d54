/* mser — MSER-m truncation of a warm-up; see mser.h. */
#include "mser.h"

#include <assert.h>
#include <math.h>

#include "stats.h"

int run_mser(const double *x, size_t n, size_t batch, struct run_mser *out) {
    size_t k, dmax;
    struct stats_acc tail;

    assert(batch >= 1);
    k = n / batch;
    out->cut = 0;
    out->d = 0;
    out->batches = k;
    out->stat = NAN;
    out->at_limit = 0;
    if (k < 3) return -1;
    dmax = (k - 1) / 2;
    stats_acc_init(&tail);
    /* Walk d from k - 1 down to 0, adding batch d (0-based: Z[d+1] 1-based) to the tail, so
     * after adding batch d the accumulator holds batches d .. k-1: the series truncated by d
     * batches. */
    for (size_t j = k; j-- > 0;) {
        double z = 0;
        for (size_t i = 0; i < batch; i++)
            z += x[j * batch + i];
        stats_acc_add(&tail, z / (double)batch);
        if (j <= dmax) {
            double m = (double)(k - j);
            double stat = tail.m2 / (m * m);
            /* <= while d falls: the smallest d wins a tie. */
            if (!(stat > out->stat)) {
                out->stat = stat;
                out->d = j;
            }
        }
    }
    out->cut = out->d * batch;
    out->at_limit = out->d == dmax && dmax > 0;
    return 0;
}
