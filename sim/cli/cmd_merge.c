/*
 * archsim merge — put shard outputs back together: `archsim merge DIR... --csv OUT` reads
 * DIR/summary.csv (and timeseries.csv, events.csv when every DIR has them) from shards of
 * `archsim run -R N --shard I/M` or `archsim sweep ... --shard I/M` and writes OUT/ as one
 * unsharded run would have (merge.h: same rows, same order, mean rows recomputed; only
 * wall_s differs). Checks the shards' manifests (shard.txt) so a lost shard is an error, not
 * a smaller sample. For a sweep it also draws the chart `archsim sweep` draws.
 *
 * Each output file is written to OUT/NAME.tmp, and all are renamed into place once every one
 * is written, so OUT may be one of the inputs and a failed merge leaves OUT as it was. OUT
 * then loses any shard.txt: the result is what one unsharded run writes, not a shard.
 * Rejected: globbing a parent directory for shard-* itself (the shell does it, and an
 * explicit list makes a forgotten directory visible in the command); merging into stdout
 * (three files come out).
 */
#define _DEFAULT_SOURCE /* getopt_long */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "csv_in.h"
#include "csv_out.h"
#include "merge.h"
#include "stats.h"
#include "xmalloc.h"

/* Merge one file kind from every input into out_dir/NAME.tmp (summary: 1 for summary.csv, 0
 * for a file of rows). Returns 0, or -1 (reported; the .tmp file removed). */
static int merge_file(const char *const *dirs, size_t n, const char *out_dir, const char *name,
                      int summary, size_t units, struct run_merge_info *info) {
    char **paths = xcalloc(n, sizeof *paths);
    char tmp[4096];
    FILE *out = NULL;
    struct err err;
    int rc = -1;

    err_clear(&err);
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(dirs[i]) + strlen(name) + 2;
        paths[i] = xmalloc(len);
        snprintf(paths[i], len, "%s/%s", dirs[i], name);
    }
    snprintf(tmp, sizeof tmp, "%s/%s.tmp", out_dir, name);
    out = fopen(tmp, "w");
    if (!out) {
        fprintf(stderr, "archsim: %s: %s\n", tmp, strerror(errno));
        goto done;
    }
    if (summary ? run_merge_summary((const char *const *)paths, n, units, out, info, &err)
                : run_merge_rows((const char *const *)paths, n, out, &err)) {
        report_error(&err);
        goto done;
    }
    if (fclose(out)) {
        out = NULL;
        fprintf(stderr, "archsim: writing %s: %s\n", tmp, strerror(errno));
        goto done;
    }
    out = NULL;
    rc = 0;
done:
    if (out) fclose(out);
    if (rc) remove(tmp);
    for (size_t i = 0; i < n; i++)
        free(paths[i]);
    free(paths);
    return rc;
}

/* Remove out_dir/NAME.tmp of the wanted ones among names[0..n) (one already gone is fine). */
static void remove_tmps(const char *out_dir, const char *const *names, const int *want, size_t n) {
    for (size_t f = 0; f < n; f++) {
        char tmp[4096];
        if (!want[f]) continue;
        snprintf(tmp, sizeof tmp, "%s/%s.tmp", out_dir, names[f]);
        remove(tmp);
    }
}

/* The seeds of the inputs' summary.csv rows are those of one run (run_merge_check_seeds);
 * checked once the summary merged, so that a gap or another scenario is reported first.
 * Returns 0, or -1 (reported). */
static int check_seeds(const char *const *dirs, size_t n) {
    char **sums = xcalloc(n, sizeof *sums);
    struct err err;
    int rc;

    err_clear(&err);
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(dirs[i]) + sizeof "/summary.csv";
        sums[i] = xmalloc(len);
        snprintf(sums[i], len, "%s/summary.csv", dirs[i]);
    }
    rc = run_merge_check_seeds((const char *const *)sums, n, &err);
    if (rc) report_error(&err);
    for (size_t i = 0; i < n; i++)
        free(sums[i]);
    free(sums);
    return rc;
}

/* How many of dirs have dir/name. */
static size_t count_having(const char *const *dirs, size_t n, const char *name) {
    size_t have = 0;

    for (size_t i = 0; i < n; i++) {
        char p[4096];
        snprintf(p, sizeof p, "%s/%s", dirs[i], name);
        have += access(p, F_OK) == 0;
    }
    return have;
}

/* The sweep chart from a merged summary.csv: per point, the mean and 95 % half-width of the
 * total row's metric over the replication rows (what `archsim sweep` computes). */
static int chart_from_file(const char *path, const char *metric, size_t points) {
    struct csv_in *in;
    struct csv_rec rec;
    struct err err;
    struct stats_acc *acc = xcalloc(points ? points : 1, sizeof *acc);
    char **vary = xcalloc(points ? points : 1, sizeof *vary);
    double *v = xcalloc(points ? points : 1, sizeof *v),
           *h = xcalloc(points ? points : 1, sizeof *h);
    int cp, cv, cr, cc, cm, got, rc = -1, many = 0;

    err_clear(&err);
    in = csv_in_open(path, &err);
    if (!in || csv_in_next(in, &rec, &err) <= 0) goto done;
    cp = csv_in_find(&rec, "point");
    cv = csv_in_find(&rec, "vary");
    cr = csv_in_find(&rec, "replication");
    cc = csv_in_find(&rec, "component");
    cm = csv_in_find(&rec, metric);
    if (cp < 0 || cv < 0 || cr < 0 || cc < 0 || cm < 0) {
        fprintf(stderr, "archsim: --metric: no column '%s' in %s\n", metric, path);
        goto done;
    }
    for (size_t p = 0; p < points; p++)
        stats_acc_init(&acc[p]);
    while ((got = csv_in_next(in, &rec, &err)) > 0) {
        size_t p = (size_t)strtoull(rec.fields[cp], NULL, 10);
        double x;
        if (p >= points || strcmp(rec.fields[cc], "total") != 0) continue;
        if (strcmp(rec.fields[cr], "mean") == 0) continue;
        if (!vary[p]) vary[p] = xstrdup(rec.fields[cv]);
        if (csv_in_number(rec.fields[cm], &x) > 0) stats_acc_add(&acc[p], x);
        if (acc[p].n > 1) many = 1;
    }
    if (got < 0) goto done;
    for (size_t p = 0; p < points; p++) {
        v[p] = acc[p].n ? stats_acc_mean(&acc[p]) : NAN;
        h[p] = acc[p].n >= 2 ? stats_ci_halfwidth(&acc[p], 0.95) : NAN;
        if (!vary[p]) vary[p] = xstrdup("");
    }
    cli_sweep_chart(stdout, metric, (const char *const *)vary, v, many ? h : NULL, points);
    rc = 0;
done:
    if (rc && err.msg[0]) report_error(&err);
    csv_in_close(in);
    for (size_t p = 0; p < points; p++)
        free(vary[p]);
    free(vary);
    free(acc);
    free(v);
    free(h);
    return rc;
}

int cmd_merge(int argc, char **argv) {
    static const struct option opts[] = {
        {"csv", required_argument, NULL, 'c'},
        {"metric", required_argument, NULL, 'm'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *out_dir = NULL, *metric = "latency_p99_ms";
    const char *const *dirs;
    size_t n, units = 0, offset;
    int c, quiet = 0;
    struct run_merge_info info;
    struct err err;
    enum { NFILES = 3 };
    static const char *const files[NFILES] = {"summary.csv", "timeseries.csv", "events.csv"};
    int want[NFILES] = {1, 0, 0};

    memset(&info, 0, sizeof info);
    err_clear(&err);
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":qh", opts, NULL)) != -1) {
        switch (c) {
            case 'c':
                out_dir = optarg;
                break;
            case 'm':
                metric = optarg;
                break;
            case 'q':
                quiet = 1;
                break;
            case 'h':
                printf("usage: archsim merge DIR... --csv OUT [--metric COLUMN] [-q]\n"
                       "put the outputs of shards (--shard I/N) back together as one run\n");
                return CLI_EXIT_OK;
            case ':':
                fprintf(stderr, "archsim: option '%s' needs a value\n", argv[optind - 1]);
                return CLI_EXIT_USAGE;
            default:
                fprintf(stderr, "archsim: unknown option '%s' (see archsim merge --help)\n",
                        argv[optind - 1]);
                return CLI_EXIT_USAGE;
        }
    }
    dirs = (const char *const *)argv + optind;
    n = (size_t)(argc - optind);
    if (n == 0 || !out_dir) {
        fprintf(stderr, "archsim: merge: usage: archsim merge DIR... --csv OUT\n");
        return CLI_EXIT_USAGE;
    }
    if (csv_out_metric_offset(metric, &offset)) {
        fprintf(stderr, "archsim: --metric: '%s' is not a numeric summary column\n", metric);
        return CLI_EXIT_USAGE;
    }
    if (run_merge_check_manifests(dirs, n, &units, &info, &err)) {
        report_error(&err);
        return CLI_EXIT_USAGE;
    }
    /* Every check that can fail before any file is written, so a refused merge leaves OUT as
     * it was. */
    for (size_t f = 1; f < NFILES; f++) {
        size_t have = count_having(dirs, n, files[f]);
        if (have != 0 && have != n) {
            fprintf(stderr, "archsim: %s is in %zu of the %zu inputs: all or none\n", files[f],
                    have, n);
            return CLI_EXIT_USAGE;
        }
        want[f] = have == n;
    }
    if (cli_make_dir(out_dir)) return CLI_EXIT_USAGE;
    /* Every file is written to its .tmp first and renamed only when all are, so OUT (which
     * may be an input) keeps its old files if anything fails. */
    for (size_t f = 0; f < NFILES; f++)
        if (want[f] && (merge_file(dirs, n, out_dir, files[f], f == 0, units, &info) ||
                        (f == 0 && check_seeds(dirs, n)))) {
            remove_tmps(out_dir, files, want, f + 1);
            return CLI_EXIT_USAGE;
        }
    for (size_t f = 0; f < NFILES; f++) {
        char tmp[4096], dst[4096];
        if (!want[f]) continue;
        snprintf(tmp, sizeof tmp, "%s/%s.tmp", out_dir, files[f]);
        snprintf(dst, sizeof dst, "%s/%s", out_dir, files[f]);
        if (rename(tmp, dst)) {
            fprintf(stderr, "archsim: %s: %s\n", dst, strerror(errno));
            remove_tmps(out_dir, files, want, NFILES);
            return CLI_EXIT_USAGE;
        }
    }
    /* What one unsharded run writes has no manifest: an input's (OUT among the inputs), or
     * one left by an earlier shard run into OUT, would make the result look like a shard. */
    if (run_merge_remove_manifest(out_dir, &err)) {
        report_error(&err);
        return CLI_EXIT_USAGE;
    }
    if (!quiet) {
        printf("merged %zu input%s", n, n == 1 ? "" : "s");
        if (info.shards) printf(" (all %zu shards)", info.shards);
        if (info.sweep)
            printf(": %zu points × %zu replication%s", info.points,
                   info.points ? info.units / info.points : 0,
                   info.points && info.units / info.points == 1 ? "" : "s");
        else
            printf(": %zu replication%s", info.units, info.units == 1 ? "" : "s");
        printf(" → %s/summary.csv%s%s\n", out_dir, want[1] ? ", timeseries.csv" : "",
               want[2] ? ", events.csv" : "");
        if (info.partial) printf("note: some replications were interrupted (partial = 1)\n");
        if (info.sweep) {
            char path[4096];
            snprintf(path, sizeof path, "%s/summary.csv", out_dir);
            if (chart_from_file(path, metric, info.points)) return CLI_EXIT_USAGE;
        }
    }
    return CLI_EXIT_OK;
}
