/*
 * calibrate — fit exponential and lognormal service times to a measured latency summary;
 * the design and the statistic are in calibrate.h.
 */
#include "calibrate.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "compare.h"
#include "csv_in.h"
#include "dist.h"

const double run_cal_probs[RUN_CAL_NQ] = {0.5, 0.9, 0.99, 0.999};

const char *run_cal_kind_name(enum run_cal_kind k) {
    return k == RUN_CAL_EXP ? "exponential" : "lognormal";
}

/* Completions of component in path, summed over replication rows (mean rows skipped); 0 when
 * the file has no such column. The file was read once already, so errors here are not
 * expected and leave 0. */
static double completions(const char *path, const char *component) {
    struct csv_in *in = csv_in_open(path, NULL);
    struct csv_rec rec;
    int ic = -1, in_ = -1, ir = -1;
    double n = 0, x;

    if (!in) return 0;
    if (csv_in_next(in, &rec, NULL) == 1) {
        ic = csv_in_find(&rec, "component");
        in_ = csv_in_find(&rec, "completions");
        ir = csv_in_find(&rec, "replication");
    }
    while (ic >= 0 && in_ >= 0 && csv_in_next(in, &rec, NULL) == 1) {
        if ((size_t)ic >= rec.nfields || (size_t)in_ >= rec.nfields) continue;
        if (strcmp(rec.fields[ic], component) != 0) continue;
        if (ir >= 0 && (size_t)ir < rec.nfields && strcmp(rec.fields[ir], "mean") == 0) continue;
        if (csv_in_number(rec.fields[in_], &x) == 1) n += x;
    }
    csv_in_close(in);
    return n;
}

int run_cal_read(const char *path, const char *component, struct run_cal_meas *out,
                 struct err *err) {
    static const enum run_cmp_metric qm[RUN_CAL_NQ] = {CMP_LAT_P50, CMP_LAT_P90, CMP_LAT_P99,
                                                       CMP_LAT_P999};
    struct run_side s;
    const struct run_side_comp *c;
    int rc = -1;

    memset(&s, 0, sizeof s);
    if (run_side_load(path, &s, err)) return -1;
    c = run_side_find(&s, component);
    if (!c) {
        err_set(err, path, 0, 0, "no row for component '%s'", component);
        goto out;
    }
    out->n = completions(path, component);
    out->mean = c->m[CMP_LAT_MEAN].mean;
    for (int i = 0; i < RUN_CAL_NQ; i++)
        out->q[i] = c->m[qm[i]].mean;
    if (!(out->mean > 0)) {
        err_set(err, path, 0, 0, "component '%s' has no mean latency (no completion?)", component);
        goto out;
    }
    rc = 0;
out:
    run_side_free(&s);
    return rc;
}

/* Quantiles, relative errors and their maximum of a fitted candidate. */
static void judge(struct run_cal_fit *f, const struct run_cal_meas *m) {
    f->max_rel = 0;
    for (int i = 0; i < RUN_CAL_NQ; i++) {
        f->rel[i] = NAN;
        if (!(m->q[i] > 0)) continue;
        if (m->n > 0 && m->n * (1 - run_cal_probs[i]) < 10) continue; /* see calibrate.h */
        f->rel[i] = (f->q[i] - m->q[i]) / m->q[i];
        if (fabs(f->rel[i]) > f->max_rel) f->max_rel = fabs(f->rel[i]);
    }
}

/* Quantile i is measured and has at least 10 samples beyond it (see calibrate.h). */
static int usable(const struct run_cal_meas *s, int i) {
    return s->q[i] > 0 && !(s->n > 0 && s->n * (1 - run_cal_probs[i]) < 10);
}

/* Sum of squared log-quantile errors of lognormal(mu = lnm - sigma^2/2, sigma). */
static double log_quantile_sse(const struct run_cal_meas *s, double lnm, double sigma) {
    double sse = 0, mu = lnm - sigma * sigma / 2;

    for (int i = 0; i < RUN_CAL_NQ; i++) {
        double dev;
        if (!usable(s, i)) continue;
        dev = mu + sigma * gsl_cdf_ugaussian_Pinv(run_cal_probs[i]) - log(s->q[i]);
        sse += dev * dev;
    }
    return sse;
}

int run_cal_fit(const struct run_cal_meas *meas, double overhead_ms, struct run_cal_result *out,
                struct err *err) {
    struct run_cal_meas *s = &out->service;
    struct run_cal_fit *e = &out->fits[RUN_CAL_EXP], *l = &out->fits[RUN_CAL_LOGNORMAL];
    struct dist d;

    memset(out, 0, sizeof *out);
    if (!(overhead_ms >= 0) || !isfinite(overhead_ms))
        return err_set(err, NULL, 0, 0, "overhead must be a finite value >= 0 ms");
    s->n = meas->n;
    s->mean = meas->mean - overhead_ms;
    for (int i = 0; i < RUN_CAL_NQ; i++)
        s->q[i] = meas->q[i] - overhead_ms; /* NAN stays NAN */
    if (!(s->mean > 0))
        return err_set(err, NULL, 0, 0,
                       "mean latency %.6g ms minus overhead %.6g ms is not positive: the "
                       "measurement shows no service time",
                       meas->mean, overhead_ms);

    e->kind = RUN_CAL_EXP;
    e->ok = 1;
    e->mean = s->mean;
    e->p99 = s->mean * log(100.0);
    for (int i = 0; i < RUN_CAL_NQ; i++)
        e->q[i] = -s->mean * log1p(-run_cal_probs[i]);
    judge(e, s);

    l->kind = RUN_CAL_LOGNORMAL;
    if (!(s->q[2] > 0)) {
        snprintf(l->why, sizeof l->why, "no p99 measured");
    } else if (dist_lognormal_mean_p99(&d, s->mean, s->q[2], NULL)) {
        snprintf(l->why, sizeof l->why, "p99/mean = %.3g is outside (1, 14.97]: no lognormal",
                 s->q[2] / s->mean);
    } else {
        /* The mean fixes mu = ln(mean) - sigma^2/2; sigma is chosen by least squares on the
         * log quantiles that have enough samples beyond them (p50, p90, p99, p99.9): a
         * single quantile (the p99 alone) rests on 1 % of the samples and is the noisiest
         * figure of a short run. A grid over (0, 3], then golden-section refinement. */
        double best_sigma = d.p[1], lnm = log(s->mean);
        int used = 0;
        for (int i = 0; i < RUN_CAL_NQ; i++)
            if (usable(s, i)) used++;
        if (used >= 2) {
            double best_sse = INFINITY, lo, hi;
            for (int k = 1; k <= 3000; k++) {
                double sse = log_quantile_sse(s, lnm, 0.001 * k);
                if (sse < best_sse) {
                    best_sse = sse;
                    best_sigma = 0.001 * k;
                }
            }
            /* refine by golden-section search around the best grid point */
            lo = best_sigma - 0.001 > 1e-6 ? best_sigma - 0.001 : 1e-6;
            hi = best_sigma + 0.001;
            for (int k = 0; k < 80; k++) {
                double a = hi - 0.6180339887498949 * (hi - lo);
                double b = lo + 0.6180339887498949 * (hi - lo);
                if (log_quantile_sse(s, lnm, a) < log_quantile_sse(s, lnm, b))
                    hi = b;
                else
                    lo = a;
            }
            best_sigma = (lo + hi) / 2;
        }
        l->ok = 1;
        l->mean = s->mean;
        d.p[1] = best_sigma;
        d.p[0] = lnm - best_sigma * best_sigma / 2;
        l->p99 = exp(d.p[0] + d.p[1] * gsl_cdf_ugaussian_Pinv(0.99));
        for (int i = 0; i < RUN_CAL_NQ; i++)
            l->q[i] = exp(d.p[0] + d.p[1] * gsl_cdf_ugaussian_Pinv(run_cal_probs[i]));
        judge(l, s);
    }
    out->best = RUN_CAL_EXP;
    if (l->ok && l->max_rel < e->max_rel) out->best = RUN_CAL_LOGNORMAL;
    return 0;
}

int run_cal_split(int have_overhead, double overhead_ms, double wakeup_ms, double *shift_ms,
                  double *add_ms, struct err *err) {
    if (!(wakeup_ms >= 0) || !isfinite(wakeup_ms))
        return err_set(err, NULL, 0, 0, "wake-up must be a finite value >= 0 ms");
    if (!have_overhead) {
        *shift_ms = wakeup_ms;
        *add_ms = 0;
        return 0;
    }
    if (!(overhead_ms >= wakeup_ms))
        return err_set(err, NULL, 0, 0,
                       "overhead %.6g ms is below the wake-up %.6g ms it contains (a zero-work "
                       "request waits for an idle worker too)",
                       overhead_ms, wakeup_ms);
    *shift_ms = overhead_ms;
    *add_ms = overhead_ms - wakeup_ms;
    return 0;
}

char *run_cal_dist_text(const struct run_cal_fit *fit, char *buf, size_t n) {
    if (fit->kind == RUN_CAL_EXP)
        snprintf(buf, n, "exp(%.4gms)", fit->mean);
    else
        snprintf(buf, n, "lognormal(mean=%.4gms, p99=%.4gms)", fit->mean, fit->p99);
    return buf;
}
