/*
 * csv_out — summary.csv and timeseries.csv, one schema for archsim and archload, documented
 * column by column in docs/csv.md. Units are in the column names.
 *
 * Numbers are written with a fixed format ("%.9g"), so equal runs give byte-identical files;
 * a value that does not exist (a percentile with no sample, utilization of a non-station) is
 * an empty field. Text fields go through libcsv's csv_fwrite when they need quoting.
 * The summary's wall_s column is the one column that differs between equal runs.
 */
#ifndef ARCHSIM_CSV_OUT_H
#define ARCHSIM_CSV_OUT_H

#include <stdio.h>

#include "model.h"
#include "run.h"
#include "stats.h"

/* Write the header line of summary.csv / timeseries.csv. */
void csv_out_summary_header(FILE *f);
void csv_out_timeseries_header(FILE *f);

/* One summary row per component of a replication (run-level columns on every row). */
void csv_out_summary_rep(FILE *f, const char *scenario, const struct run_rep *rep);

/* Replication means: one row per component with replication "mean" and the 95 % CI
 * half-widths (Student t over the replications). reps[0..n) must share their component list. */
void csv_out_summary_mean(FILE *f, const char *scenario, const struct run_rep *reps, size_t n);

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
