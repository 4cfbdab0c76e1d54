/*
 * thresh — pass/fail criteria on a run's results: "p99<250ms", "error_rate<1%", "rps>900".
 *
 * Grammar: METRIC OP VALUE, spaces allowed around OP. METRIC is a latency (mean, max, pN:
 * p50, p90, p99, p99.9 — also written p999 as in the CSV columns, p9999 = p99.99 — measured
 * from the intended send time), svc_pN / svc_mean / svc_max (the raw service time), error_rate
 * ((rejected + errors) / answered), or rps (completions per second over the measured time).
 * OP is <, <=, > or >=. VALUE is a duration with its unit for latencies ("250ms"), a fraction
 * for error_rate ("1%" or "0.01"), requests per second for rps ("900" or "900/s").
 * A latency with no samples (nothing succeeded) fails, whatever the operator: "no samples"
 * cannot show that a latency bound holds.
 *
 * Design: parse once into a value struct, evaluate against a tally (tally.h) as often as
 * needed (each interval for --abort-on-fail, once at the end). Rejected: k6-style expression
 * language with aggregation functions (a parser and evaluator for little gain over one metric
 * per threshold; several --threshold flags combine with "and").
 */
#ifndef ARCHSIM_THRESH_H
#define ARCHSIM_THRESH_H

#include "err.h"
#include "tally.h"

enum thresh_metric { TH_LATENCY, TH_SVC, TH_ERROR_RATE, TH_RPS };
enum thresh_stat { TH_PCT, TH_MEAN, TH_MAX };
enum thresh_op { TH_LT, TH_LE, TH_GT, TH_GE };

/* One parsed threshold (value struct). */
struct thresh {
    char text[128];       /* as given */
    char metric_name[32]; /* "p99", "error_rate", ... */
    enum thresh_metric metric;
    enum thresh_stat stat; /* latencies */
    double pct;            /* TH_PCT: percentile in (0, 100] */
    enum thresh_op op;
    double value; /* latencies in ms, error_rate as a fraction, rps per second */
};

/* Parse s. Returns 0, or -1 with err naming the problem ("unknown metric 'p99x' (expected
 * pN, mean, max, svc_pN, error_rate or rps)", "missing unit", ...). */
int thresh_parse(const char *s, struct thresh *t, struct err *err);

/* The metric's value on t measured over seconds (for rps): ms for latencies, a fraction,
 * or per second. NAN when it does not exist (no samples, nothing answered). */
double thresh_measure(const struct thresh *th, const struct tally *t, double seconds);

/* 1 when measured satisfies th (NAN never does), else 0. */
int thresh_pass(const struct thresh *th, double measured);

/* 1 when the metric can only be judged at the end of the run (rps), so --abort-on-fail must
 * not act on it midway. */
int thresh_final_only(const struct thresh *th);

/* "p99 = 12.345 ms", "error_rate = 0.52 %", "rps = 998.1/s" or "p99 = no samples" into buf
 * (size n). Returns buf. */
char *thresh_format(const struct thresh *th, double measured, char *buf, size_t n);

#endif
