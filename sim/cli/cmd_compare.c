/*
 * archsim compare — two result files side by side: `archsim compare A.csv B.csv` prints, per
 * component both have and per metric (throughput, mean, p50, p90, p99, p99.9 latency, error
 * rate), A, B, B − A and (B − A) / |A|, and where a side has replications, whether the other
 * side's value lies inside its 95 % confidence interval. Either side may be a summary.csv or
 * a timeseries.csv of archsim or archload (compare.h says how each is read). --csv OUT
 * writes the same table as CSV; --max-rel-error X exits 1 when any compared metric differs
 * by more than X (relative to A). A cell without a value (a side with no completion has no
 * latency) is `-` in the table and empty in the CSV, as csv.md has it for every file.
 *
 * `compare --scenario FILE --target URL` (run the model and drive the real system with
 * archload in one go, rate by rate) lives in cmd_calibrate.c; this file hands over to it.
 * Rejected: a symmetric relative difference (|B - A| / mean(A, B)): one side is the
 * reference in every use we have (measurement vs model, baseline vs change), and "B is 12 %
 * above A" is what people read; a threshold per metric (one --max-rel-error is what a CI
 * check needs; finer control is a job for --csv and a script).
 */
#define _DEFAULT_SOURCE /* getopt_long */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "compare.h"
#include "csv_out.h"

static int parse_fraction(const char *flag, const char *v, double *out) {
    char *end;
    double x;

    errno = 0;
    x = strtod(v, &end);
    if (end != v && *end == '%' && end[1] == 0) {
        x /= 100;
        end++;
    }
    if (errno || end == v || *end || !(x >= 0) || !isfinite(x)) {
        fprintf(stderr, "archsim: %s: expected a relative error such as 10%% or 0.1, got '%s'\n",
                flag, v);
        return -1;
    }
    *out = x;
    return 0;
}

static void describe(FILE *f, const char *label, const struct run_side *s) {
    fprintf(f, "%s  %s: %s", label, s->path, s->timeseries ? "timeseries" : "summary");
    if (s->mean_rows)
        fprintf(f, ", mean rows (95%% CI where the file has one)");
    else if (s->replications > 1)
        fprintf(f, ", %zu replications (mean ± 95%% CI, Student t)", s->replications);
    else
        fprintf(f, ", 1 replication");
    if (s->timeseries) fprintf(f, ", %zu component-intervals after warm-up", s->intervals);
    fputc('\n', f);
}

static void est_text(char *buf, size_t n, const struct run_est *e) {
    if (!isfinite(e->mean))
        snprintf(buf, n, "-");
    else if (isfinite(e->half))
        snprintf(buf, n, "%.6g ± %.3g", e->mean, e->half);
    else
        snprintf(buf, n, "%.6g", e->mean);
}

/* A CSV field: "%.9g", empty when there is no (finite) value. buf holds 32 bytes. */
static void num_text(char *buf, double v) {
    buf[0] = 0;
    if (isfinite(v)) snprintf(buf, 32, "%.9g", v);
}

/* 1/0, empty when unknown (-1). */
static void flag_text(char *buf, int v) {
    buf[0] = 0;
    if (v >= 0) snprintf(buf, 32, "%d", v);
}

int cmd_compare(int argc, char **argv) {
    enum { OPT_MAX_REL = 256 };
    static const struct option opts[] = {
        {"csv", required_argument, NULL, 'c'},
        {"max-rel-error", required_argument, NULL, OPT_MAX_REL},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *csv_path = NULL;
    double max_rel = -1;
    int c, quiet = 0, rc = CLI_EXIT_USAGE;
    struct run_side a, b;
    FILE *out = NULL;
    size_t common = 0, compared = 0, over = 0;
    struct err err;

    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--scenario") == 0 || strncmp(argv[i], "--scenario=", 11) == 0 ||
            strcmp(argv[i], "--target") == 0 || strncmp(argv[i], "--target=", 9) == 0)
            return cli_compare_target(argc, argv);
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    err_clear(&err);
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":qh", opts, NULL)) != -1) {
        switch (c) {
            case 'c':
                csv_path = optarg;
                break;
            case OPT_MAX_REL:
                if (parse_fraction("--max-rel-error", optarg, &max_rel)) return CLI_EXIT_USAGE;
                break;
            case 'q':
                quiet = 1;
                break;
            case 'h':
                printf("usage: archsim compare A.csv B.csv [--csv OUT.csv] [--max-rel-error X] "
                       "[-q]\n"
                       "A and B: summary.csv or timeseries.csv from archsim or archload; "
                       "differences are B relative to A\n"
                       "(model against a real server: archsim compare --scenario FILE --target "
                       "URL --help)\n");
                return CLI_EXIT_OK;
            case ':':
                fprintf(stderr, "archsim: option '%s' needs a value\n", argv[optind - 1]);
                return CLI_EXIT_USAGE;
            default:
                fprintf(stderr, "archsim: unknown option '%s' (see archsim compare --help)\n",
                        argv[optind - 1]);
                return CLI_EXIT_USAGE;
        }
    }
    if (argc - optind != 2) {
        fprintf(stderr, "archsim: compare: usage: archsim compare A.csv B.csv [--csv OUT.csv] "
                        "[--max-rel-error X]\n");
        return CLI_EXIT_USAGE;
    }
    if (run_side_load(argv[optind], &a, &err) || run_side_load(argv[optind + 1], &b, &err)) {
        report_error(&err);
        goto out;
    }
    for (size_t i = 0; i < a.ncomps; i++)
        common += run_side_find(&b, a.comps[i].component) != NULL;
    if (common == 0) {
        fprintf(stderr, "archsim: compare: %s and %s have no component in common\n", a.path,
                b.path);
        goto out;
    }
    if (csv_path) {
        out = fopen(csv_path, "w");
        if (!out) {
            fprintf(stderr, "archsim: %s: %s\n", csv_path, strerror(errno));
            goto out;
        }
        fputs("component,metric,a,a_ci95,b,b_ci95,abs_diff,rel_diff,b_in_a_ci95,a_in_b_ci95\n",
              out);
    }
    if (!quiet) {
        describe(stdout, "A", &a);
        describe(stdout, "B", &b);
        printf("\n%-14s %-16s %22s %22s %12s %9s  %s\n", "component", "metric", "A", "B", "B-A",
               "rel", "95% CI");
    }
    for (size_t i = 0; i < a.ncomps; i++) {
        const struct run_side_comp *ca = &a.comps[i], *cb = run_side_find(&b, ca->component);
        if (!cb) continue;
        for (int m = 0; m < CMP_NMETRICS; m++) {
            struct run_cmp r;
            char ta[64], tb[64], diff[32] = "-", rel[32], ci[64] = "";
            if (!isfinite(ca->m[m].mean) && !isfinite(cb->m[m].mean)) continue;
            run_cmp_pair(&ca->m[m], &cb->m[m], &r);
            if (!isnan(r.rel)) {
                compared++;
                if (max_rel >= 0 && !(fabs(r.rel) <= max_rel)) {
                    over++;
                    fprintf(stderr,
                            "archsim: %s %s differs by %s%.3g%% (A %.6g, B %.6g), more than "
                            "%.3g%%\n",
                            ca->component, run_cmp_metric_name((enum run_cmp_metric)m),
                            r.rel > 0 ? "+" : "", r.rel * 100, ca->m[m].mean, cb->m[m].mean,
                            max_rel * 100);
                }
            }
            if (out) {
                char f[8][32];
                const char *fields[10];
                num_text(f[0], ca->m[m].mean);
                num_text(f[1], ca->m[m].half);
                num_text(f[2], cb->m[m].mean);
                num_text(f[3], cb->m[m].half);
                num_text(f[4], r.abs);
                num_text(f[5], r.rel);
                flag_text(f[6], r.b_in_a);
                flag_text(f[7], r.a_in_b);
                fields[0] = ca->component;
                fields[1] = run_cmp_metric_name((enum run_cmp_metric)m);
                for (int k = 0; k < 8; k++)
                    fields[2 + k] = f[k];
                csv_out_record(out, fields, 10);
            }
            if (quiet) continue;
            est_text(ta, sizeof ta, &ca->m[m]);
            est_text(tb, sizeof tb, &cb->m[m]);
            if (!isnan(r.abs)) snprintf(diff, sizeof diff, "%.6g", r.abs);
            if (isnan(r.rel))
                snprintf(rel, sizeof rel, "-");
            else if (isinf(r.rel))
                snprintf(rel, sizeof rel, "inf");
            else
                snprintf(rel, sizeof rel, "%+.2f%%", r.rel * 100);
            if (r.b_in_a >= 0) snprintf(ci, sizeof ci, "B %s A's", r.b_in_a ? "inside" : "OUTSIDE");
            if (r.a_in_b >= 0)
                snprintf(ci + strlen(ci), sizeof ci - strlen(ci), "%sA %s B's", ci[0] ? ", " : "",
                         r.a_in_b ? "inside" : "OUTSIDE");
            printf("%-14s %-16s %22s %22s %12s %9s  %s\n", ca->component,
                   run_cmp_metric_name((enum run_cmp_metric)m), ta, tb, diff, rel, ci);
        }
    }
    if (!quiet) {
        for (size_t i = 0; i < a.ncomps; i++)
            if (!run_side_find(&b, a.comps[i].component))
                printf("%-14s only in A\n", a.comps[i].component);
        for (size_t i = 0; i < b.ncomps; i++)
            if (!run_side_find(&a, b.comps[i].component))
                printf("%-14s only in B\n", b.comps[i].component);
    }
    rc = CLI_EXIT_OK;
    if (max_rel >= 0) {
        if (over) {
            fprintf(stderr,
                    "archsim: compare: %zu of %zu compared metrics differ by more than "
                    "%.3g%%\n",
                    over, compared, max_rel * 100);
            rc = 1;
        } else if (!quiet) {
            printf("all %zu compared metrics within %.3g%%\n", compared, max_rel * 100);
        }
    }
out:
    if (out && fclose(out)) {
        fprintf(stderr, "archsim: writing %s: %s\n", csv_path, strerror(errno));
        rc = CLI_EXIT_USAGE;
    }
    run_side_free(&a);
    run_side_free(&b);
    return rc;
}
