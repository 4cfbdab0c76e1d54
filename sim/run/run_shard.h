/*
 * run_shard — which share of a batch of work units (replications, or a sweep's grid points
 * times replications) this process runs: `--shard I/N` takes the units u with u mod N == I.
 * `--shard auto/N` reads I from the environment of the job array that started the process:
 * JOB_COMPLETION_INDEX (a Kubernetes Indexed Job), else SLURM_ARRAY_TASK_ID minus
 * SLURM_ARRAY_TASK_MIN (a Slurm job array, whose IDs need not start at 0).
 *
 * Design: round-robin by unit index, so every shard gets a fair mix of cheap and dear
 * points when a sweep's cost grows along a parameter, and a shard's units follow from
 * (I, N) alone — no coordination, no shared file system, and `archsim merge` can tell from
 * the indexes in the rows whether anything is missing. N always comes from the flag: the
 * split must be the same in every process, so it is never guessed; a Slurm array whose
 * SLURM_ARRAY_TASK_COUNT disagrees with it is an error (the shards would overlap or miss
 * units).
 * Rejected: contiguous blocks (the last block of a sweep over load gets all the slow
 * saturated points); taking N from SLURM_ARRAY_TASK_COUNT alone (Kubernetes has no such
 * variable, and one explicit rule is easier to check); a work queue (needs a server).
 */
#ifndef ARCHSIM_RUN_SHARD_H
#define ARCHSIM_RUN_SHARD_H

#include <stddef.h>

#include "err.h"

/* This process's share: units u with u % count == index. count == 0: not sharded. */
struct run_shard {
    unsigned index, count;
};

/* Looks an environment variable up (getenv, or a fake in tests); NULL when unset. */
typedef const char *run_getenv_fn(const char *name);

/* Parse "I/N" (0 <= I < N <= 100000) or "auto/N" (I from the environment through env, see
 * the file comment). Returns 0 and fills out, or -1 with err (file "--shard"): malformed,
 * I out of range, auto without N, no job-array variable set, a variable that is not a
 * whole number, SLURM_ARRAY_TASK_COUNT != N. */
int run_shard_parse(const char *spec, run_getenv_fn *env, struct run_shard *out, struct err *err);

/* 1 when unit belongs to this shard (always, when not sharded). */
int run_shard_owns(const struct run_shard *sh, size_t unit);

#endif
