/*
 * stats — time-weighted averages and replication statistics (see stats.h for the design and
 * the alternatives rejected).
 */
#include "stats.h"

#include <assert.h>
#include <math.h>

#include <gsl/gsl_cdf.h>

void stats_tw_init(struct stats_tw *t, int64_t now_ns, double value) {
    t->start_ns = t->last_ns = now_ns;
    t->value = value;
    t->area = 0.0;
}

void stats_tw_add(struct stats_tw *t, int64_t now_ns, double delta) {
    stats_tw_set(t, now_ns, t->value + delta);
}

void stats_tw_restart(struct stats_tw *t, int64_t now_ns) {
    assert(now_ns >= t->last_ns);
    stats_tw_init(t, now_ns, t->value);
}

void stats_tw_mark_now(const struct stats_tw *t, int64_t now_ns, struct stats_tw_mark *m) {
    assert(now_ns >= t->last_ns);
    m->at_ns = now_ns;
    m->area = t->area + t->value * (double)(now_ns - t->last_ns);
}

double stats_tw_mean_since(const struct stats_tw *t, const struct stats_tw_mark *m,
                           int64_t now_ns) {
    assert(now_ns >= t->last_ns && now_ns >= m->at_ns);
    if (now_ns == m->at_ns) return t->value;
    return (t->area + t->value * (double)(now_ns - t->last_ns) - m->area) /
           (double)(now_ns - m->at_ns);
}

double stats_tw_mean(const struct stats_tw *t, int64_t now_ns) {
    assert(now_ns >= t->last_ns);
    if (now_ns == t->start_ns) return t->value;
    double area = t->area + t->value * (double)(now_ns - t->last_ns);
    return area / (double)(now_ns - t->start_ns);
}

void stats_acc_init(struct stats_acc *a) {
    a->n = 0;
    a->mean = 0.0;
    a->m2 = 0.0;
}

void stats_acc_add(struct stats_acc *a, double x) {
    double d = x - a->mean;
    a->n++;
    a->mean += d / (double)a->n;
    a->m2 += d * (x - a->mean);
}

double stats_acc_mean(const struct stats_acc *a) {
    return a->n ? a->mean : NAN;
}

double stats_acc_var(const struct stats_acc *a) {
    return a->n < 2 ? NAN : a->m2 / (double)(a->n - 1);
}

double stats_t_quantile(double p, double dof) {
    if (!(p > 0.0 && p < 1.0) || !(dof > 0.0)) return NAN;
    return gsl_cdf_tdist_Pinv(p, dof);
}

double stats_ci_halfwidth(const struct stats_acc *a, double level) {
    if (a->n < 2 || !(level > 0.0 && level < 1.0)) return NAN;
    double t = stats_t_quantile((1.0 + level) / 2.0, (double)(a->n - 1));
    return t * sqrt(stats_acc_var(a) / (double)a->n);
}
