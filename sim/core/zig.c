/* zig — ziggurat exponential; see zig.h for the method and its source. */
#include "zig.h"

#include <assert.h>
#include <math.h>

#define ZIG_R 7.697117470131487    /* right edge of the base strip (Marsaglia & Tsang 2000) */
#define ZIG_V 3.949659822581572e-3 /* area of each of the 256 regions */
#define TWO53 9007199254740992.0   /* 2^53: positions are 53-bit integers */

struct zig_tables zig_exp_tab;
static int zig_ready;

/* Marsaglia & Tsang 2000, section 3 (their zigset for the exponential), with 53-bit
 * positions. Region 0 is the base strip, treated as a rectangle of width q = v / e^-r whose
 * part beyond r is the tail; region 255 is the rectangle of width r above it; the widths
 * shrink upward to region 1 at the top. */
__attribute__((constructor)) static void zig_init(void) {
    double de = ZIG_R, te = ZIG_R, q = ZIG_V / exp(-ZIG_R);

    zig_exp_tab.k[0] = (uint64_t)((de / q) * TWO53);
    zig_exp_tab.k[1] = 0;
    zig_exp_tab.w[0] = q / TWO53;
    zig_exp_tab.w[255] = de / TWO53;
    zig_exp_tab.f[0] = 1.0;
    zig_exp_tab.f[255] = exp(-de);
    for (int i = 254; i >= 1; i--) {
        de = -log(ZIG_V / de + exp(-de));
        zig_exp_tab.k[i + 1] = (uint64_t)((de / te) * TWO53);
        te = de;
        zig_exp_tab.f[i] = exp(-de);
        zig_exp_tab.w[i] = de / TWO53;
    }
    zig_ready = 1;
}

double zig_exp1_slow(struct rng *r, uint64_t u) {
    assert(zig_ready && "zig tables not initialised");
    for (;;) {
        unsigned i = (unsigned)(u & 255u);
        uint64_t j = u >> 11;
        double x;

        if (j < zig_exp_tab.k[i]) return (double)j * zig_exp_tab.w[i];
        if (i == 0) return ZIG_R - log(rng_uniform_pos(r)); /* the tail: r + Exp(1) */
        x = (double)j * zig_exp_tab.w[i];
        /* The wedge: accept when a uniform height in region i lies under the curve. */
        if (zig_exp_tab.f[i] + rng_uniform(r) * (zig_exp_tab.f[i - 1] - zig_exp_tab.f[i]) < exp(-x))
            return x;
        u = rng_next_u64(r);
    }
}
