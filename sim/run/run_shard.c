/* run_shard — the share of units this process runs (--shard); see run_shard.h. */
#include "run_shard.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SHARDS 100000

/* A whole number in [0, max] written alone: 0 and *out, else -1. */
static int whole(const char *s, unsigned long max, unsigned long *out) {
    char *end;
    unsigned long v;

    if (!s || !*s || *s == '-' || *s == '+' || *s == ' ') return -1;
    errno = 0;
    v = strtoul(s, &end, 10);
    if (errno || *end || v > max) return -1;
    *out = v;
    return 0;
}

static int env_whole(run_getenv_fn *env, const char *name, unsigned long *out, int *set,
                     struct err *err) {
    const char *v = env(name);

    *set = v != NULL && *v;
    if (!*set) return 0;
    if (whole(v, 1UL << 31, out))
        return err_set(err, "--shard", 0, 0, "%s=%s: expected a whole number", name, v);
    return 0;
}

int run_shard_parse(const char *spec, run_getenv_fn *env, struct run_shard *out, struct err *err) {
    const char *slash = strchr(spec, '/');
    unsigned long n, i;
    char head[32];

    if (!slash || (size_t)(slash - spec) >= sizeof head)
        return err_set(err, "--shard", 0, 0, "expected I/N or auto/N, got '%s'", spec);
    memcpy(head, spec, (size_t)(slash - spec));
    head[slash - spec] = 0;
    if (whole(slash + 1, MAX_SHARDS, &n) || n == 0)
        return err_set(err, "--shard", 0, 0, "%s: N must be a whole number in [1, %d]", spec,
                       MAX_SHARDS);
    if (strcmp(head, "auto") == 0) {
        unsigned long k8s, id, min = 0, count;
        int k8s_set, id_set, min_set, count_set;

        if (env_whole(env, "JOB_COMPLETION_INDEX", &k8s, &k8s_set, err)) return -1;
        if (k8s_set) {
            i = k8s;
        } else {
            if (env_whole(env, "SLURM_ARRAY_TASK_ID", &id, &id_set, err) ||
                env_whole(env, "SLURM_ARRAY_TASK_MIN", &min, &min_set, err) ||
                env_whole(env, "SLURM_ARRAY_TASK_COUNT", &count, &count_set, err))
                return -1;
            if (!id_set)
                return err_set(err, "--shard", 0, 0,
                               "%s: neither JOB_COMPLETION_INDEX (Kubernetes Indexed Job) nor "
                               "SLURM_ARRAY_TASK_ID (Slurm array) is set; use --shard I/N",
                               spec);
            if (count_set && count != n)
                return err_set(err, "--shard", 0, 0,
                               "%s: SLURM_ARRAY_TASK_COUNT is %lu: the array and N must agree",
                               spec, count);
            if (id < min)
                return err_set(err, "--shard", 0, 0,
                               "%s: SLURM_ARRAY_TASK_ID %lu is below SLURM_ARRAY_TASK_MIN %lu",
                               spec, id, min);
            i = id - min;
        }
        if (i >= n)
            return err_set(err, "--shard", 0, 0,
                           "%s: this task's index is %lu, outside 0..%lu (is N the number of "
                           "tasks?)",
                           spec, i, n - 1);
    } else if (whole(head, MAX_SHARDS, &i) || i >= n) {
        return err_set(err, "--shard", 0, 0, "%s: I must be a whole number in [0, N)", spec);
    }
    out->index = (unsigned)i;
    out->count = (unsigned)n;
    return 0;
}

int run_shard_owns(const struct run_shard *sh, size_t unit) {
    return sh->count == 0 || unit % sh->count == sh->index;
}
