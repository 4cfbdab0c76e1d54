/*
 * stats — time-weighted averages of piecewise-constant quantities and replication
 * statistics (mean, sample variance, Student t confidence interval).
 *
 * Design: both accumulators are small public value structs the owner embeds (a component's
 * queue length, a run's per-metric replication accumulator); no allocation, no globals.
 * stats_tw integrates value dt exactly in int64 ns steps; stats_acc is Welford's one-pass
 * update (Welford 1962, Technometrics 4(3); Knuth TAOCP vol. 2, 3rd ed., §4.2.2), which
 * stays accurate when the mean is large relative to the spread. t quantiles come from GSL.
 *
 * Alternatives rejected: storing samples and computing the variance at the end (memory
 * grows with replications); the textbook sum / sum-of-squares form (catastrophic
 * cancellation); resetting a time-weighted window to value 0 at warm-up or interval end
 * (biases occupancy low; a restart keeps the true current value instead); a normal (z)
 * quantile for the CI (too narrow for the 5-30 replications typical here).
 */
#ifndef ARCHSIM_STATS_H
#define ARCHSIM_STATS_H

#include <assert.h>
#include <stdint.h>

/* Time-weighted average of a piecewise-constant quantity (queue length, busy workers).
 * Value struct: the window started at start_ns, value has held since last_ns, area is the
 * integral of value over [start_ns, last_ns] in value * ns. */
struct stats_tw {
    int64_t start_ns, last_ns; /* ns */
    double value;              /* current value */
    double area;               /* value * ns */
};

/* Start a window at now_ns with the quantity currently equal to value. */
void stats_tw_init(struct stats_tw *t, int64_t now_ns, double value);

/* The quantity changes to value at now_ns (now_ns >= last_ns: assert). Inline: stations call
 * it on every arrival and departure, and the struct is public anyway. */
static inline void stats_tw_set(struct stats_tw *t, int64_t now_ns, double value) {
    assert(now_ns >= t->last_ns);
    t->area += t->value * (double)(now_ns - t->last_ns);
    t->last_ns = now_ns;
    t->value = value;
}

/* The quantity changes by delta at now_ns (now_ns >= last_ns: assert). */
void stats_tw_add(struct stats_tw *t, int64_t now_ns, double delta);

/* Start a new observation window at now_ns (warm-up end, interval end) keeping the current
 * value: the new window starts from the true occupancy at the boundary, never from 0.
 * now_ns >= last_ns (assert). */
void stats_tw_restart(struct stats_tw *t, int64_t now_ns);

/* Mean over [start_ns, now_ns]: (area + value (now - last)) / (now - start); the current
 * value when now == start. t is not modified. now_ns >= last_ns (assert). */
double stats_tw_mean(const struct stats_tw *t, int64_t now_ns);

/* A mark on a time-weighted quantity: its integral up to at_ns. One cumulative stats_tw then
 * serves several windows at once (the run since warm-up, the current interval): the mean over
 * [mark, now] is a difference of two integrals, so a change costs one update, not one per
 * window. Value struct. */
struct stats_tw_mark {
    int64_t at_ns; /* ns */
    double area;   /* value * ns, the integral over [t->start_ns, at_ns] */
};

/* Set *m to t's integral up to now_ns (now_ns >= t->last_ns: assert). */
void stats_tw_mark_now(const struct stats_tw *t, int64_t now_ns, struct stats_tw_mark *m);

/* Mean over [m->at_ns, now_ns]: (integral to now - m->area) / (now - m->at_ns); the current
 * value when now == m->at_ns. now_ns >= t->last_ns (assert). */
double stats_tw_mean_since(const struct stats_tw *t, const struct stats_tw_mark *m, int64_t now_ns);

/* Welford accumulator of independent observations (e.g. one mean per replication). */
struct stats_acc {
    uint64_t n;  /* observations */
    double mean; /* running mean */
    double m2;   /* sum of squared deviations from the running mean */
};

/* Empty accumulator. */
void stats_acc_init(struct stats_acc *a);

/* Add observation x (Welford 1962: d = x - mean; mean += d / n; m2 += d (x - mean)). */
void stats_acc_add(struct stats_acc *a, double x);

/* Sample mean; NAN when n == 0. */
double stats_acc_mean(const struct stats_acc *a);

/* Sample variance m2 / (n - 1) (unbiased); NAN when n < 2. */
double stats_acc_var(const struct stats_acc *a);

/* Student t quantile: the x with P[T_dof <= x] = p (GSL gsl_cdf_tdist_Pinv). NAN when p is
 * outside (0, 1) or dof <= 0 (checked here, so GSL's error handler never runs). */
double stats_t_quantile(double p, double dof);

/* Half-width of the two-sided confidence interval for the mean at confidence level in
 * (0, 1) (e.g. 0.95): t_{(1+level)/2, n-1} s / sqrt(n), s^2 the sample variance (Law 2015,
 * Simulation Modeling and Analysis, 5th ed., eq. 4.12). NAN when n < 2 or level is outside
 * (0, 1). */
double stats_ci_halfwidth(const struct stats_acc *a, double level);

#endif
