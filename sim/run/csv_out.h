/*
 * csv_out — summary.csv and timeseries.csv, one schema for archsim and archload, documented
 * column by column in docs/csv.md. Units are in the column names.
 *
 * Numbers are written with a fixed format ("%.9g"), so equal runs give byte-identical files;
 * a value that does not exist (a percentile with no sample, utilization of a non-station) is
 * an empty field. Text fields go through libcsv's csv_fwrite when they need quoting.
 * The summary's wall_s column is the one column that differs between equal runs.
 *
 * A sweep's summary.csv (archsim sweep) is the same table with two leading columns, `point`
 * (the grid point's index, from 0) and `vary` (the point's values, "path=value;path=value"),
 * written by the *_pt variants.
 *
 * Mean rows are computed from the values as written: csv_out_canonical rounds a replication's
 * numbers to the text they print as before its rows are written and averaged, so
 * `archsim merge`, which can only recompute means from the files, gets the same bytes as the
 * run that wrote them in one piece.
 */
#ifndef ARCHSIM_CSV_OUT_H
#define ARCHSIM_CSV_OUT_H

#include <stdio.h>

#include "model.h"
#include "run.h"
#include "stats.h"

/* A sweep's grid point: the leading columns of its summary rows. */
struct csv_point {
    size_t index;     /* 0-based */
    const char *vary; /* "path=value;path=value", borrowed */
};

/* Write the header line of summary.csv / timeseries.csv; a sweep's summary.csv (with the
 * point and vary columns) when sweep is non-zero. */
void csv_out_summary_header(FILE *f);
void csv_out_summary_header_sweep(FILE *f);
void csv_out_timeseries_header(FILE *f);

/* One summary row per component of a replication (run-level columns on the total row,
 * warmup_s on every row). */
void csv_out_summary_rep(FILE *f, const char *scenario, const struct run_rep *rep);

/* Replication means: one row per component with replication "mean" and the 95 % CI
 * half-widths (Student t over the replications). reps[0..n) must share their component list. */
void csv_out_summary_mean(FILE *f, const char *scenario, const struct run_rep *reps, size_t n);

/* The same rows with the sweep's leading point and vary columns (pt NULL: the plain rows). */
void csv_out_summary_rep_pt(FILE *f, const struct csv_point *pt, const char *scenario,
                            const struct run_rep *rep);
void csv_out_summary_mean_pt(FILE *f, const struct csv_point *pt, const char *scenario,
                             const struct run_rep *reps, size_t n);

/* Round every number of rep that summary.csv writes with "%.9g" to the value that text reads
 * back as, in place (NAN stays NAN), so means computed from rep equal means recomputed from
 * the file. Idempotent. */
void csv_out_canonical(struct run_rep *rep);

/* One record of text fields, quoted as every writer here quotes (only a field with a comma,
 * a double quote, CR or LF), then LF: rewriting a record read from our files gives back the
 * same bytes. */
void csv_out_record(FILE *f, const char *const *fields, size_t n);

/* The offset in struct model_row of the double metric whose summary column is name
 * ("throughput_rps", "latency_p99_ms", ..., "queue_mean", or an extra such as "hit_ratio").
 * Returns 0 and sets *offset, or -1 when name is not such a column. */
int csv_out_metric_offset(const char *name, size_t *offset);

/* One interval's rows. */
void csv_out_timeseries_rows(FILE *f, const char *scenario, unsigned replication, uint64_t seed,
                             int64_t t_start_ns, int64_t t_end_ns, unsigned flags,
                             const struct model_row *rows, size_t nrows);

/* events.csv: one row per logged event. */
void csv_out_events_header(FILE *f);
void csv_out_event(FILE *f, const char *scenario, unsigned replication, uint64_t seed,
                   const struct net_event *ev);

/* Mean and 95 % CI half-width over the n replications of row index i for one metric, picked
 * by offset into struct model_row (a double field). NAN half-width when n < 2. */
void csv_out_rep_stat(const struct run_rep *reps, size_t n, size_t i, size_t offset, double *mean,
                      double *half);

#endif
