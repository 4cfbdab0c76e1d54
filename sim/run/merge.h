/*
 * merge — put the outputs of shards (`archsim run -R N --shard I/M`, `archsim sweep ...
 * --shard I/M`) back together, so that the result is byte for byte what one unsharded run
 * writes (except wall_s): same rows, same order, same means and confidence intervals.
 *
 * Design:
 * - summary.csv: every replication row of every input is read (libcsv, csv_in), keyed by
 *   (point, replication) — point is 0 outside sweeps —, sorted, and written back as read
 *   (csv_out_record quotes exactly as the writers do). Mean rows in the inputs are dropped
 *   and recomputed per point from the replication rows with the same writer the run uses
 *   (csv_out_summary_mean_pt); a run computes its means from its rows as written
 *   (csv_out_canonical), so the numbers agree to the last digit. Every replication of a
 *   point must list the same components.
 * - timeseries.csv and events.csv: a k-way merge on the same key, streaming (one record per
 *   input in memory), since a long run's series can be large; each input holds a
 *   replication's rows contiguously and in replication order.
 * - Completeness: a shard writes shard.txt (run_merge_write_manifest) saying which share of
 *   how many units it ran; merge insists on every share 0..M-1 exactly once, the same M and
 *   the same unit count everywhere, and as many distinct (point, replication) keys as units.
 *   Inputs without a manifest (plain runs) are merged when their keys do not collide and
 *   leave no gap (each point's replications 0..R-1, the same R for every point).
 *   A key found twice is an error: merging a shard with itself, or overlapping shards.
 * - Belonging together: what the rows tell is checked as well as the manifests (plain runs
 *   have none, and -r K runs of two scenarios would otherwise fit): one scenario name; every
 *   point varies the same paths; per point one vary text and one simulated time among the
 *   replications that were not interrupted (run_merge_summary); the seed of replication k of
 *   a point is run_replication_seed(S, k) for the S of its replication 0, so a shard run with
 *   another -s is caught (run_merge_check_seeds: a check of its own, since only files that
 *   archsim wrote follow that rule, not every file of the schema). Other options (--set,
 *   --warmup, other values of a --vary path when each point is in one shard) leave no trace
 *   a merge could check; distributed.md says they must agree.
 *
 * Rejected: averaging the shards' own mean rows (wrong when shards hold different numbers
 * of replications, and the CI needs every value); concatenating files (the order would
 * follow the shards, not the replications); trusting file names to find shards (a manifest
 * catches a lost shard whose indexes would not leave a gap).
 */
#ifndef ARCHSIM_MERGE_H
#define ARCHSIM_MERGE_H

#include <stddef.h>
#include <stdio.h>

#include "err.h"
#include "run_shard.h"

/* What a merge found. */
struct run_merge_info {
    int sweep;     /* the inputs are sweep outputs (point and vary columns) */
    size_t points; /* distinct points (1 outside sweeps) */
    size_t units;  /* distinct (point, replication) keys merged */
    size_t shards; /* shard count M from the manifests, 0 without manifests */
    int partial;   /* some replication was interrupted */
};

/* Write DIR/shard.txt for shard sh of a batch of units work units (of which this shard ran
 * its share) of scenario name. Returns 0, or -1 with err (I/O). */
int run_merge_write_manifest(const char *dir, const struct run_shard *sh, size_t units,
                             const char *name, struct err *err);

/* Remove DIR/shard.txt if there is one, so that DIR no longer looks like a shard (a merge
 * into one of its inputs, an unsharded run into a shard's directory). Returns 0 (also when
 * there was none), or -1 with err (I/O). */
int run_merge_remove_manifest(const char *dir, struct err *err);

/* Check the manifests of dirs[0..n): 0 and *units (0 when no input has one, see the file
 * comment), -1 with err naming both directories: some inputs have one and some not, the
 * scenario or M or units differ, a share given twice; a share missing; a malformed
 * manifest. */
int run_merge_check_manifests(const char *const *dirs, size_t n, size_t *units,
                              struct run_merge_info *info, struct err *err);

/* Merge the summary.csv files paths[0..n) into out (header, replication rows in key order,
 * mean rows per point with more than one replication). units: the expected number of keys
 * (0: unknown). Returns 0 and fills info, or -1 with err located at the offending file and
 * line: unreadable or malformed CSV, headers that differ, a missing column, rows of another
 * scenario, a duplicate key, a gap, points that vary other paths or a point whose vary text
 * differs between replications (another --vary), finished
 * replications of a point with different simulated times (another -d), a count that
 * disagrees with units, component lists that differ within a point. */
int run_merge_summary(const char *const *paths, size_t n, size_t units, FILE *out,
                      struct run_merge_info *info, struct err *err);

/* Check that the replication rows of the summary.csv files paths[0..n) carry the seeds of
 * one run: per point, replication k's seed is run_replication_seed(S, k) for the seed S of
 * the point's replication 0 (points without a replication 0, and rows that do not parse,
 * are left to run_merge_summary). Returns 0, or -1 with err located at the offending row
 * and naming replication 0's file and line (another -s), or an unreadable file. */
int run_merge_check_seeds(const char *const *paths, size_t n, struct err *err);

/* Merge timeseries.csv or events.csv files (rows keyed by point and replication, each file
 * in key order) into out, streaming. -1 with err as above (a key in two files, a file out of
 * order, headers that differ). */
int run_merge_rows(const char *const *paths, size_t n, FILE *out, struct err *err);

#endif
