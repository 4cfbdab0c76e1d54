/*
 * compare — read two result files of the shared CSV schema (from archsim or archload; a
 * summary.csv or a timeseries.csv) and set them side by side, component by component and
 * metric by metric, for `archsim compare`.
 *
 * One side's estimate of a metric for a component:
 * - summary.csv with replication rows: the mean over replications and, with two or more,
 *   the 95 % confidence half-width (Student t), for every compared metric — the same numbers
 *   as the file's mean rows, computed for all seven metrics instead of the four the mean rows
 *   carry a CI for. A file holding only mean rows gives their values and _ci95 columns.
 * - timeseries.csv: per replication and component, over the intervals after warm-up
 *   (`in_warmup` 0; every interval when the column is absent): throughput = completions /
 *   time (exact), error rate = failures / answers (exact), mean latency = the
 *   completion-weighted mean of the interval means (exact), percentiles = the
 *   completion-weighted mean of the interval percentiles (an approximation: the pooled
 *   percentile would need the histograms). Then mean and CI over replications as above.
 * Files are read by column name with libcsv (csv_in), so a side may lack columns (a metric
 * it does not have is not compared) or carry more. A sweep's file must hold one point.
 *
 * Differences are B relative to A: abs = B - A, rel = (B - A) / |A|. A is the reference
 * (typically the measurement, or the model being checked against).
 *
 * Rejected: comparing percentiles of pooled samples (neither file has the samples);
 * matching components by position (archload's rows are not archsim's); a statistical test
 * per metric (with one side a single run there is no variance to test against; "inside the
 * other's 95 % interval" is what can honestly be said).
 */
#ifndef ARCHSIM_COMPARE_H
#define ARCHSIM_COMPARE_H

#include <stddef.h>

#include "err.h"

/* The compared metrics, in table order. */
enum run_cmp_metric {
    CMP_THROUGHPUT,
    CMP_LAT_MEAN,
    CMP_LAT_P50,
    CMP_LAT_P90,
    CMP_LAT_P99,
    CMP_LAT_P999,
    CMP_ERROR_RATE,
    CMP_NMETRICS
};

/* Column name of a compared metric ("throughput_rps", ...). */
const char *run_cmp_metric_name(enum run_cmp_metric m);

/* One estimate: mean (NAN: the side has no value), half-width (NAN: no interval), n values. */
struct run_est {
    double mean, half;
    size_t n;
};

struct run_side_comp {
    char *component; /* owned */
    struct run_est m[CMP_NMETRICS];
};

/* One file's estimates. */
struct run_side {
    char *path;     /* owned */
    int timeseries; /* a timeseries.csv */
    int mean_rows;  /* estimates taken from mean rows (no replication rows in the file) */
    size_t replications;
    size_t intervals; /* timeseries: intervals used (after warm-up), over all replications */
    struct run_side_comp *comps; /* owned, in file order */
    size_t ncomps;
};

/* Read path. Returns 0 and fills out (free with run_side_free), or -1 with err located in
 * the file: unreadable, malformed CSV, no `component` column, a field that should be a
 * number and is not, several sweep points, no rows. */
int run_side_load(const char *path, struct run_side *out, struct err *err);
void run_side_free(struct run_side *s);

/* The component named name, or NULL. */
const struct run_side_comp *run_side_find(const struct run_side *s, const char *name);

/* One compared pair. */
struct run_cmp {
    double abs, rel; /* B - A; (B - A) / |A| (0 when both are 0, INFINITY when only A is 0;
                      * NAN when a side has no value) */
    int b_in_a;      /* 1/0: B's mean inside A's 95 % interval; -1: A has no interval */
    int a_in_b;
};

/* Compare two estimates. */
void run_cmp_pair(const struct run_est *a, const struct run_est *b, struct run_cmp *out);

#endif
