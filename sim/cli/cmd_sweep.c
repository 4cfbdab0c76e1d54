/*
 * archsim sweep — run a scenario over a grid of parameter values (sweep.h): one summary row
 * per grid point, replication and component in DIR/summary.csv (the summary schema with two
 * leading columns, point and vary), mean rows per point when -R > 1, and a text chart of one
 * metric of the total row against the first varied parameter.
 *
 * Common random numbers: every point runs with the same seeds (replication k of every point
 * uses run_replication_seed(seed, k)), and each component draws from its own stream, so two
 * points differ by the parameter and not by luck, and differences between points are much
 * less noisy than the points themselves.
 *
 * Work units are (point, replication) pairs numbered point × R + k; --jobs runs them on
 * threads (results in unit order, run_batch_run) and --shard I/N runs the units u with
 * u mod N = I. A shard writes its rows without mean rows or chart, plus shard.txt;
 * `archsim merge` puts the shards together, means and chart included. The options shared with
 * `archsim run` are parsed by opts.c; --vary and --metric are the sweep's own.
 * SIGINT/SIGTERM: every run already started is written, finished or interrupted (partial = 1),
 * in unit order; mean rows only for the points finished before the first interrupted run.
 *
 * Only summary.csv is written: a grid of timeseries is rarely read and large; run one point
 * with `archsim run --set PATH=V --csv DIR` for its series.
 * Rejected: one process per point (the scenario would be parsed and checked N times over in
 * separate processes, and the rows would need merging even without shards); a curses plot
 * (the chart must survive a pipe into a file or a CI log).
 */
#define _DEFAULT_SOURCE /* getopt_long */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "csv_out.h"
#include "merge.h"
#include "opts.h"
#include "replicate.h"
#include "run_shard.h"
#include "sweep.h"
#include "units.h"
#include "xmalloc.h"

/* --- the chart ------------------------------------------------------------------------------ */

/* The part of a vary text after the first axis ("" with one axis), and the first axis's
 * value, into the caller's buffers. */
static void split_vary(const char *vary, char *first, size_t nfirst, const char **rest) {
    const char *eq = strchr(vary, '='), *semi = strchr(vary, ';');
    const char *v = eq ? eq + 1 : vary;
    size_t n = semi ? (size_t)(semi - v) : strlen(v);

    if (semi && eq && eq > semi) v = vary, n = (size_t)(semi - vary);
    snprintf(first, nfirst, "%.*s", (int)n, v);
    *rest = semi ? semi + 1 : "";
}

void cli_sweep_chart(FILE *f, const char *metric, const char *const *vary, const double *v,
                     const double *half, size_t n) {
    const int width = 40;
    double max = 0;
    size_t label_w = 4;
    char axis[128] = "";
    unsigned char *done = xcalloc(n ? n : 1, 1);

    if (n == 0) {
        free(done);
        return;
    }
    {
        const char *eq = strchr(vary[0], '=');
        snprintf(axis, sizeof axis, "%.*s", eq ? (int)(eq - vary[0]) : 0, vary[0]);
    }
    for (size_t i = 0; i < n; i++) {
        char first[256];
        const char *rest;
        split_vary(vary[i], first, sizeof first, &rest);
        if (strlen(first) > label_w) label_w = strlen(first);
        if (isfinite(v[i]) && v[i] > max) max = v[i];
    }
    if (label_w > 40) label_w = 40;
    fprintf(f, "\n%s of the total row vs %s%s\n", metric, axis,
            half && n && isfinite(half[0]) ? " (replication mean ± 95% CI half-width)" : "");
    /* One block per combination of the other axes, in point order. */
    for (size_t i = 0; i < n; i++) {
        const char *rest_i;
        char first[256];
        if (done[i]) continue;
        split_vary(vary[i], first, sizeof first, &rest_i);
        if (rest_i[0]) fprintf(f, "  %s\n", rest_i);
        for (size_t j = i; j < n; j++) {
            const char *rest_j;
            int fill;
            split_vary(vary[j], first, sizeof first, &rest_j);
            if (done[j] || strcmp(rest_i, rest_j) != 0) continue;
            done[j] = 1;
            fprintf(f, "  %*s%-*s |", rest_i[0] ? 2 : 0, "", (int)label_w, first);
            fill = isfinite(v[j]) && max > 0 ? (int)(v[j] / max * width + 0.5) : 0;
            for (int k = 0; k < width; k++)
                fputc(k < fill ? '#' : ' ', f);
            if (!isfinite(v[j]))
                fprintf(f, "| %12s\n", "-");
            else if (half && isfinite(half[j]))
                fprintf(f, "| %12.6g ± %.3g\n", v[j], half[j]);
            else
                fprintf(f, "| %12.6g\n", v[j]);
        }
    }
    free(done);
}

/* --- the sweep ------------------------------------------------------------------------------ */

struct sweep_state {
    const struct run_grid *grid;
    struct run_scenario *pts; /* per point; loaded only for points with owned units */
    char **vary;              /* per point */
    unsigned reps;
    const size_t *job_point; /* per job */
    FILE *sum;
    int sharded;
    size_t metric_off;
    /* the replications of the point being delivered */
    struct run_rep *cur;
    size_t ncur, cur_point;
    double *chart_v, *chart_h; /* per point */
    size_t delivered, partial_point;
    int partial;
    struct cli_progress prog;
};

/* Mean rows and the chart value of the point whose replications are in cur, then free them.
 * After an interruption no mean is written: a point finished later ran on other threads
 * while the interrupted one was stopped, and a run without threads would not have reached
 * it. */
static void finish_point(struct sweep_state *st) {
    if (st->ncur == 0) return;
    if (!st->sharded && !st->partial) {
        struct csv_point pt = {st->cur_point, st->vary[st->cur_point]};
        size_t total = st->cur[0].nrows - 1;
        if (st->sum && st->ncur > 1)
            csv_out_summary_mean_pt(st->sum, &pt, st->pts[st->cur_point].name, st->cur, st->ncur);
        csv_out_rep_stat(st->cur, st->ncur, total, st->metric_off, &st->chart_v[st->cur_point],
                         &st->chart_h[st->cur_point]);
    }
    for (size_t k = 0; k < st->ncur; k++)
        run_rep_free(&st->cur[k]);
    st->ncur = 0;
}

static int on_done(void *user, size_t job, struct run_rep *rep) {
    struct sweep_state *st = user;
    size_t p = st->job_point[job];
    struct csv_point pt = {p, st->vary[p]};

    if (st->ncur && p != st->cur_point) finish_point(st);
    st->cur_point = p;
    if (st->sum) csv_out_summary_rep_pt(st->sum, &pt, st->pts[p].name, rep);
    st->cur[st->ncur++] = *rep;
    st->delivered++;
    if (rep->partial) {
        /* Interrupted by the signal: the batch takes no new run and hands back every run it
         * had started (--jobs), each written; stopped by the in-flight limit: stop here. */
        if (!st->partial) st->partial_point = p;
        st->partial = 1;
        return rep->overflowed;
    }
    return 0;
}

static void on_progress(void *user, size_t finished, double running) {
    struct sweep_state *st = user;

    cli_progress_draw(&st->prog, finished, running, NULL);
}

enum { OPT_VARY = 256, OPT_METRIC };

/* The options only `archsim sweep` has; the shared ones are parsed by opts.c. */
static const struct option sweep_opts[] = {
    {"vary", required_argument, NULL, OPT_VARY},
    {"metric", required_argument, NULL, OPT_METRIC},
    {NULL, 0, NULL, 0},
};

struct sweep_args {
    struct run_grid *grid;
    const char *metric;
};

static int sweep_opt(void *user, int c, const char *arg) {
    struct sweep_args *a = user;
    struct err err;

    switch (c) {
        case OPT_VARY:
            err_clear(&err);
            if (run_grid_add(a->grid, arg, &err)) {
                fprintf(stderr, "archsim: --vary %s\n", err.msg);
                return -1;
            }
            return 0;
        case OPT_METRIC:
            a->metric = arg;
            return 0;
    }
    return -1;
}

static const char sweep_usage[] =
    "usage: archsim sweep SCENARIO --vary PATH=V1,V2,... [--vary ...] [--set PATH=VALUE]... [-s "
    "SEED] [-R N] [-d T] [--warmup T|auto] [--jobs J] [--shard I/N] [--metric COLUMN] --csv DIR "
    "[-q]\n"
    "see `archsim --help` for each option\n";

int cmd_sweep(int argc, char **argv) {
    struct run_grid grid;
    struct sweep_args args = {&grid, "latency_p99_ms"};
    struct cli_cmd cmd = {"sweep", sweep_usage, sweep_opts, "", sweep_opt, &args};
    struct cli_opts o;
    size_t npoints = 0, njobs = 0, units = 0;
    const char *path, *metric;
    char *base_name = NULL;
    int rc = CLI_EXIT_USAGE, c;
    struct sweep_state st;
    struct run_job *joblist = NULL;
    size_t *job_point = NULL;
    struct err err;

    memset(&grid, 0, sizeof grid);
    memset(&st, 0, sizeof st);
    err_clear(&err);
    c = cli_opts_parse(&cmd, argc, argv, &o);
    if (c) {
        rc = c > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
        goto out;
    }
    path = o.path;
    metric = args.metric;
    if (!path) {
        fprintf(stderr, "archsim: sweep: which scenario? (archsim sweep FILE --vary ...)\n");
        goto out;
    }
    if (grid.naxes == 0) {
        fprintf(stderr, "archsim: sweep: nothing to vary (--vary PATH=V1,V2,...)\n");
        goto out;
    }
    if (csv_out_metric_offset(metric, &st.metric_off)) {
        fprintf(stderr,
                "archsim: --metric: '%s' is not a numeric summary column (e.g. throughput_rps, "
                "latency_mean_ms, latency_p99_ms, error_rate)\n",
                metric);
        goto out;
    }
    cli_keep_heap(); /* a model is built per point to check it, and per run */
    npoints = grid.npoints;
    st.grid = &grid;
    st.pts = xcalloc(npoints, sizeof *st.pts);
    st.vary = xcalloc(npoints, sizeof *st.vary);
    st.chart_v = xcalloc(npoints, sizeof *st.chart_v);
    st.chart_h = xcalloc(npoints, sizeof *st.chart_h);
    st.sharded = o.shard.count > 0;
    /* Replications per point: -R, else the scenario's own; its name for the manifest. */
    {
        struct run_scenario base;
        if (run_scenario_load(&base, path, o.sets, o.nsets, &err)) {
            report_error(&err);
            goto out;
        }
        st.reps = o.reps ? (unsigned)o.reps : base.replications;
        base_name = xstrdup(base.name);
        run_scenario_free(&base);
    }
    units = npoints * st.reps;
    joblist = xcalloc(units, sizeof *joblist);
    job_point = xcalloc(units, sizeof *job_point);
    for (size_t p = 0; p < npoints; p++) {
        int owned = 0;
        st.vary[p] = run_grid_vary(&grid, p);
        st.chart_v[p] = st.chart_h[p] = NAN;
        for (unsigned k = 0; k < st.reps; k++)
            owned |= run_shard_owns(&o.shard, p * st.reps + k);
        if (!owned) continue;
        {
            const char **all = xcalloc(o.nsets + grid.naxes + 1, sizeof *all);
            char **assign = xcalloc(grid.naxes + 1, sizeof *assign);
            struct run_scenario *s = &st.pts[p];
            char what[512];
            int bad;
            memcpy(all, o.sets, o.nsets * sizeof *all);
            for (size_t a = 0; a < grid.naxes; a++)
                all[o.nsets + a] = assign[a] = run_grid_assignment(&grid, p, a);
            bad = run_scenario_load(s, path, all, o.nsets + grid.naxes, &err);
            for (size_t a = 0; a < grid.naxes; a++)
                free(assign[a]);
            free(assign);
            free(all);
            snprintf(what, sizeof what, "point %zu (%s)", p, st.vary[p]);
            if (bad) {
                fprintf(stderr, "archsim: %s:\n", what);
                report_error(&err);
                goto out;
            }
            cli_opts_apply(&o, s);
            if (!s->warmup_auto && s->warmup_ns >= s->duration_ns) {
                fprintf(stderr, "archsim: %s: the warm-up must be shorter than the duration\n",
                        what);
                goto out;
            }
            if (cli_check_model(s, what)) goto out;
        }
        for (unsigned k = 0; k < st.reps; k++) {
            size_t u = p * st.reps + k;
            if (!run_shard_owns(&o.shard, u)) continue;
            joblist[njobs].s = &st.pts[p];
            joblist[njobs].replication = k;
            job_point[njobs] = p;
            njobs++;
        }
    }
    st.job_point = job_point;
    st.cur = xcalloc(st.reps, sizeof *st.cur);
    if (o.csv_dir) {
        if (cli_make_dir(o.csv_dir)) goto out;
        st.sum = cli_open_csv(o.csv_dir, "summary.csv");
        if (!st.sum) goto out;
        csv_out_summary_header_sweep(st.sum);
        /* Even a shard with no unit writes its manifest, so merge knows it ran. */
        if (o.shard.count &&
            run_merge_write_manifest(o.csv_dir, &o.shard, units, base_name, &err)) {
            report_error(&err);
            goto out;
        }
    }
    cli_progress_init(&st.prog, o.quiet, njobs);
    st.prog.unit = "runs";
    {
        struct run_batch b;
        long got;

        memset(&b, 0, sizeof b);
        b.jobs = joblist;
        b.njobs = njobs;
        b.threads = o.jobs;
        b.stop = &cli_stop;
        b.done = on_done;
        b.progress = on_progress;
        b.user = &st;
        got = run_batch_run(&b, &err);
        cli_progress_end(&st.prog);
        if (got < 0) {
            report_error(&err);
            goto out;
        }
        if (!st.partial) finish_point(&st);
    }
    if (!o.quiet) {
        printf("%s: sweep of %zu point%s × %u replication%s (%s)", path, npoints,
               npoints == 1 ? "" : "s", st.reps, st.reps == 1 ? "" : "s",
               "common random numbers: the same seeds at every point");
        if (o.shard.count)
            printf("; shard %u/%u ran %zu of %zu runs", o.shard.index, o.shard.count, njobs, units);
        printf("\n");
        if (o.csv_dir) printf("rows in %s/summary.csv\n", o.csv_dir);
        if (!o.shard.count && !st.partial) {
            cli_sweep_chart(stdout, metric, (const char *const *)st.vary, st.chart_v,
                            st.reps > 1 ? st.chart_h : NULL, npoints);
        } else if (o.shard.count) {
            printf("(a shard draws no chart: `archsim merge` of all shards does)\n");
        }
    }
    rc = CLI_EXIT_OK;
    if (st.partial) {
        fprintf(stderr,
                "archsim: interrupted at point %zu; results so far written (marked "
                "partial)\n",
                st.partial_point);
        rc = CLI_EXIT_INTERRUPTED;
    }
out:
    if (st.sum && fclose(st.sum)) {
        fprintf(stderr, "archsim: writing summary.csv: %s\n", strerror(errno));
        rc = CLI_EXIT_USAGE;
    }
    for (size_t k = 0; k < st.ncur; k++)
        run_rep_free(&st.cur[k]);
    free(st.cur);
    for (size_t p = 0; p < npoints; p++) {
        run_scenario_free(&st.pts[p]);
        free(st.vary[p]);
    }
    free(st.pts);
    free(st.vary);
    free(st.chart_v);
    free(st.chart_h);
    free(joblist);
    free(job_point);
    run_grid_free(&grid);
    free(base_name);
    cli_opts_free(&o);
    return rc;
}
