/*
 * mser — choose the warm-up truncation point of an output series by MSER-m (White 1997,
 * "An effective truncation heuristic for bias reduction in simulation output", Simulation
 * 69(6); White, Cobb & Spratt 2000, "A comparison of five steady-state truncation
 * heuristics for simulation", Proc. Winter Simulation Conference). `warmup: auto` uses it
 * with m = 5 on the total row's per-interval mean latency.
 *
 * The series x[0..n) is cut into k = floor(n / m) batches of m consecutive values (a partial
 * batch at the end is ignored) with batch means Z[1..k]. For each candidate truncation of d
 * batches within the first half of the series, d = 0 .. floor((k - 1) / 2) (so more than half
 * of the batches always remain, as White recommends: a cut further in leaves too little to
 * estimate anything and the statistic's denominator collapses), the statistic
 *
 *     MSER(d) = 1 / (k - d)^2 * sum_{j = d+1}^{k} (Z[j] - mean(Z[d+1..k]))^2
 *
 * is the squared standard error of the truncated mean (up to a constant): dropping a biased
 * start lowers the spread faster than it loses data, dropping steady-state data raises it.
 * The cut is the d minimizing MSER(d), the smallest such d on ties, in observations d * m.
 * A minimum at the last candidate (d = floor((k - 1) / 2)) means the series may not have reached
 * steady state at all: the run is too short, and the caller should say so.
 *
 * Design: one backward pass keeping a Welford accumulator of Z[d+1..k] (the sum of squared
 * deviations stays accurate when the latency is large relative to its spread), O(n) time and
 * O(1) memory beyond the input.
 * Rejected: Welch's graphical method (needs a human and several replications); the MSER
 * statistic on single observations (MSER-1 reacts to noise; batches of 5 are the variant
 * White, Cobb & Spratt found most robust); searching the whole series (near its end the
 * statistic is computed from a handful of batches and favours absurd cuts).
 */
#ifndef ARCHSIM_MSER_H
#define ARCHSIM_MSER_H

#include <stddef.h>

/* The chosen truncation. */
struct run_mser {
    size_t cut;     /* observations to drop: d * batch */
    size_t d;       /* batches dropped */
    size_t batches; /* k: whole batches in the series */
    double stat;    /* MSER(d) at the chosen d, in the unit of x squared */
    int at_limit;   /* the minimum is at the end of the search range (d = floor((k-1)/2) > 0) */
};

/* Choose the truncation of x[0..n) (finite values) by MSER-batch (batch >= 1). Returns 0 and
 * fills out; -1 when the series holds fewer than 3 whole batches (out then says cut 0, d 0,
 * with batches the whole batches it has): too short to choose. */
int run_mser(const double *x, size_t n, size_t batch, struct run_mser *out);

#endif
