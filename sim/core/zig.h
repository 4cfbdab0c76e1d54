/*
 * zig — standard exponential variates by the ziggurat method, the simulator's hottest draw
 * (every Poisson inter-arrival gap and every exponential service time).
 *
 * Method: G. Marsaglia and W. W. Tsang, "The Ziggurat Method for Generating Random Variables",
 * Journal of Statistical Software 5(8), 2000, section 3 (exponential, 256 regions of equal
 * area v = 3.949659822581572e-3, base-strip edge r = 7.697117470131487). The density e^-x is
 * covered by 255 stacked rectangles plus a base strip with the tail. A draw picks a region
 * and a point in it from one 64-bit random word; about 98.9 % of draws fall in the part of a
 * rectangle that lies wholly under the curve and cost a table lookup, a compare and a multiply.
 * The rest take the wedge test (one exp) or the tail (r + Exp(1) by inversion: the exponential
 * is memoryless).
 *
 * Bits: the region is the word's low 8 bits and the position its high 53 bits, so the two
 * never share a bit (sharing them is the flaw Doornik found in the original's 32-bit draws:
 * J. A. Doornik, "An Improved Ziggurat Method to Generate Normal Random Samples", 2005), and
 * the position has full double resolution. The tables are computed once at program start from
 * the paper's recurrence x_{i-1} = -ln(v / x_i + e^{-x_i}).
 *
 * Rejected: inversion, -ln(U) (exact and simple, but the libm log costs ~50 instructions,
 * about 8 % of an M/M/1 event); a 32-bit draw as in the paper (region and position share
 * bits, and positions are quantised to 2^-32 of the region's width).
 */
#ifndef ARCHSIM_ZIG_H
#define ARCHSIM_ZIG_H

#include <stdint.h>

#include "rng.h"

/* The tables (filled before main by a constructor in zig.c; read-only afterwards).
 * k[i]: a position j (53-bit integer) is under the curve at once when j < k[i];
 * w[i]: x = j * w[i]; f[i] = e^{-x_i}, the density at region i's right edge. */
struct zig_tables {
    uint64_t k[256];
    double w[256];
    double f[256];
};
extern struct zig_tables zig_exp_tab;

/* The wedge and tail path of zig_exp1 (out of line: ~1 % of draws). */
double zig_exp1_slow(struct rng *r, uint64_t u);

/* One standard exponential variate (mean 1, rate 1), > 0 except with probability 2^-53;
 * advances r by two 32-bit outputs per attempt (about 1.01 attempts per draw). */
static inline double zig_exp1(struct rng *r) {
    uint64_t u = rng_next_u64(r);
    unsigned i = (unsigned)(u & 255u);
    uint64_t j = u >> 11;

    if (__builtin_expect(j < zig_exp_tab.k[i], 1)) return (double)j * zig_exp_tab.w[i];
    return zig_exp1_slow(r, u);
}

#endif
