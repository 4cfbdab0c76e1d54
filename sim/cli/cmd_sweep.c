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
 * in unit order; mean rows only for the points finished before the first interrupted run. A
 * signal between two runs ends the sweep there (exit status 130, no chart).
 *
 * Memory does not grow with the number of points beyond the chart's two numbers per point
 * (16 bytes; none with -q or --shard): every point is loaded and checked once up front and
 * freed at once (a bad value stops the sweep before anything is written); then the points are
 * loaded again a chunk at a time (whole points, at most SWEEP_CHUNK_RUNS × J runs, or one
 * point's R runs when more), each chunk run as one batch, its rows written as they are
 * delivered in unit order (the batch's reorder window is 2J runs), and freed. The chart's vary
 * texts are rebuilt from the grid when it is drawn (17 bytes per point while it is). Before, a
 * 90,000-point sweep held every parsed scenario to the end: 16 KiB each, 1.4 GiB. The price of
 * chunks: at a chunk's end the threads wait for its slowest run, about half a run each, 1/128
 * of the time.
 * Rejected: keeping the points loaded between the check and the runs (that was the 16 KiB per
 * point); one batch whose jobs are loaded as its window moves (its job list is read-only while
 * it runs).
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
#include <stdint.h>
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

/* The vary text of point i, for the chart to free. */
typedef char *chart_vary_fn(const void *ctx, size_t i);

/* A point's block key: the FNV-1a hash of the text after the first axis. */
struct chart_key {
    uint64_t hash;
    size_t point;
};

static uint64_t hash_text(const char *s) {
    uint64_t h = 14695981039346656037ULL;

    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static int key_cmp(const void *a, const void *b) {
    const struct chart_key *x = a, *y = b;

    if (x->hash != y->hash) return x->hash < y->hash ? -1 : 1;
    return x->point < y->point ? -1 : x->point > y->point;
}

/* One block per combination of the other axes, in the order of their first point, each with
 * its points in point order. Points are grouped through a sort on (hash of the other axes'
 * text, point) rather than by comparing every point with every other, so a grid with a short
 * first axis (n / 2 blocks) stays O(n log n); texts are compared too, so a hash collision
 * cannot merge two blocks. The vary texts are fetched one at a time: a sweep builds them
 * from its grid and keeps none. */
static void chart_draw(FILE *f, const char *metric, chart_vary_fn *vary_of, const void *ctx,
                       const double *v, const double *half, size_t n) {
    const int width = 40;
    double max = 0;
    size_t label_w = 4;
    char axis[128] = "";
    struct chart_key *keys;
    unsigned char *done;

    if (n == 0) return;
    keys = xcalloc(n, sizeof *keys);
    done = xcalloc(n, 1);
    for (size_t i = 0; i < n; i++) {
        char first[256], *vary = vary_of(ctx, i);
        const char *rest;
        if (i == 0) {
            const char *eq = strchr(vary, '=');
            snprintf(axis, sizeof axis, "%.*s", eq ? (int)(eq - vary) : 0, vary);
        }
        split_vary(vary, first, sizeof first, &rest);
        if (strlen(first) > label_w) label_w = strlen(first);
        if (isfinite(v[i]) && v[i] > max) max = v[i];
        keys[i].hash = hash_text(rest);
        keys[i].point = i;
        free(vary);
    }
    qsort(keys, n, sizeof *keys, key_cmp);
    if (label_w > 40) label_w = 40;
    fprintf(f, "\n%s of the total row vs %s%s\n", metric, axis,
            half && n && isfinite(half[0]) ? " (replication mean ± 95% CI half-width)" : "");
    for (size_t i = 0; i < n; i++) {
        struct chart_key want, *k;
        const char *rest_i;
        char first[256], *vary_i;
        if (done[i]) continue;
        vary_i = vary_of(ctx, i);
        split_vary(vary_i, first, sizeof first, &rest_i);
        if (rest_i[0]) fprintf(f, "  %s\n", rest_i);
        want.hash = hash_text(rest_i);
        want.point = i;
        k = bsearch(&want, keys, n, sizeof *keys, key_cmp);
        for (; k < keys + n && k->hash == want.hash; k++) {
            size_t j = k->point;
            const char *rest_j;
            char *vary_j;
            int fill;
            if (done[j]) continue;
            vary_j = j == i ? vary_i : vary_of(ctx, j);
            split_vary(vary_j, first, sizeof first, &rest_j);
            if (strcmp(rest_i, rest_j) != 0) {
                free(vary_j);
                continue;
            }
            done[j] = 1;
            fprintf(f, "  %*s%-*s |", rest_i[0] ? 2 : 0, "", (int)label_w, first);
            fill = isfinite(v[j]) && max > 0 ? (int)(v[j] / max * width + 0.5) : 0;
            for (int c = 0; c < width; c++)
                fputc(c < fill ? '#' : ' ', f);
            if (!isfinite(v[j]))
                fprintf(f, "| %12s\n", "-");
            else if (half && isfinite(half[j]))
                fprintf(f, "| %12.6g ± %.3g\n", v[j], half[j]);
            else
                fprintf(f, "| %12.6g\n", v[j]);
            if (j != i) free(vary_j);
        }
        free(vary_i);
    }
    free(done);
    free(keys);
}

static char *vary_of_array(const void *ctx, size_t i) {
    return xstrdup(((const char *const *)ctx)[i]);
}

void cli_sweep_chart(FILE *f, const char *metric, const char *const *vary, const double *v,
                     const double *half, size_t n) {
    chart_draw(f, metric, vary_of_array, vary, v, half, n);
}

static char *vary_of_grid(const void *ctx, size_t i) {
    return run_grid_vary(ctx, i);
}

/* --- the sweep ------------------------------------------------------------------------------ */

/* Runs per thread in one chunk (see cmd_sweep). At the end of a chunk the threads wait for
 * its slowest run, about half a run each: 1/128 of the time lost to that wait. */
#define SWEEP_CHUNK_RUNS 64

/* The points of one chunk being run: scenarios loaded for it, freed after it. */
struct sweep_chunk {
    struct run_scenario *pts; /* per point of the chunk that has owned units */
    char **vary;              /* per such point */
    size_t *point;            /* per such point: its number in the grid */
    size_t npts;
    struct run_job *jobs; /* its units owned by this shard, in unit order */
    size_t *job_slot;     /* per job: index into pts */
    size_t njobs;
};

struct sweep_state {
    unsigned reps;
    FILE *sum;
    int sharded;
    size_t metric_off;
    struct sweep_chunk ch; /* the chunk being run */
    size_t base;           /* units delivered in the chunks before it */
    /* the replications of the point being delivered (a point never spans two chunks) */
    struct run_rep *cur;
    size_t ncur, cur_slot;
    double *chart_v, *chart_h; /* per point; NULL when no chart is drawn */
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
    /* A point cut short by a signal between two of its runs gets no mean either. */
    if (!st->sharded && !st->partial && st->ncur == st->reps) {
        size_t p = st->ch.point[st->cur_slot];
        struct csv_point pt = {p, st->ch.vary[st->cur_slot]};
        size_t total = st->cur[0].nrows - 1;
        if (st->sum && st->ncur > 1)
            csv_out_summary_mean_pt(st->sum, &pt, st->ch.pts[st->cur_slot].name, st->cur, st->ncur);
        if (st->chart_v)
            csv_out_rep_stat(st->cur, st->ncur, total, st->metric_off, &st->chart_v[p],
                             &st->chart_h[p]);
    }
    for (size_t k = 0; k < st->ncur; k++)
        run_rep_free(&st->cur[k]);
    st->ncur = 0;
}

static int on_done(void *user, size_t job, struct run_rep *rep) {
    struct sweep_state *st = user;
    size_t slot = st->ch.job_slot[job], p = st->ch.point[slot];
    struct csv_point pt = {p, st->ch.vary[slot]};

    if (st->ncur && slot != st->cur_slot) finish_point(st);
    st->cur_slot = slot;
    if (st->sum) csv_out_summary_rep_pt(st->sum, &pt, st->ch.pts[slot].name, rep);
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

    cli_progress_draw(&st->prog, st->base + finished, running, NULL);
}

/* Load point p of the grid: the scenario with the --set overrides, then the point's own, then
 * the command line's duration, warm-up and seed. With check, also refuse a warm-up not
 * shorter than the duration and build the model once (warning about unstable stations).
 * Returns 0, or -1 (reported, naming the point; s freed). */
static int load_point(const struct cli_opts *o, const struct run_grid *g, size_t p,
                      const char *vary, int check, struct run_scenario *s) {
    const char **all = xcalloc(o->nsets + g->naxes + 1, sizeof *all);
    char **assign = xcalloc(g->naxes + 1, sizeof *assign);
    char what[512];
    struct err err;
    int bad;

    err_clear(&err);
    memcpy(all, o->sets, o->nsets * sizeof *all);
    for (size_t a = 0; a < g->naxes; a++)
        all[o->nsets + a] = assign[a] = run_grid_assignment(g, p, a);
    bad = run_scenario_load(s, o->path, all, o->nsets + g->naxes, &err);
    for (size_t a = 0; a < g->naxes; a++)
        free(assign[a]);
    free(assign);
    free(all);
    snprintf(what, sizeof what, "point %zu (%s)", p, vary);
    if (bad) {
        fprintf(stderr, "archsim: %s:\n", what);
        report_error(&err);
        goto fail;
    }
    cli_opts_apply(o, s);
    if (!check) return 0;
    if (!s->warmup_auto && s->warmup_ns >= s->duration_ns) {
        fprintf(stderr, "archsim: %s: the warm-up must be shorter than the duration\n", what);
        goto fail;
    }
    if (cli_check_model(s, what)) goto fail;
    return 0;
fail:
    run_scenario_free(s);
    return -1;
}

/* The number of units of point p this shard runs. */
static unsigned owned_units(const struct run_shard *sh, size_t p, unsigned reps) {
    unsigned n = 0;

    for (unsigned k = 0; k < reps; k++)
        n += run_shard_owns(sh, p * reps + k) != 0;
    return n;
}

static void chunk_clear(struct sweep_chunk *ch) {
    for (size_t i = 0; i < ch->npts; i++) {
        run_scenario_free(&ch->pts[i]);
        free(ch->vary[i]);
    }
    ch->npts = ch->njobs = 0;
}

/* Load the points from *next on into ch while their owned units fit in cap (at least one
 * point), and list those units; *next moves past them. Returns 0, or -1 (reported). */
static int chunk_fill(struct sweep_chunk *ch, const struct cli_opts *o, const struct run_grid *g,
                      unsigned reps, size_t cap, size_t *next) {
    for (; *next < g->npoints; ++*next) {
        size_t p = *next;
        unsigned owned = owned_units(&o->shard, p, reps);
        if (!owned) continue;
        if (ch->njobs && ch->njobs + owned > cap) break;
        ch->vary[ch->npts] = run_grid_vary(g, p);
        if (load_point(o, g, p, ch->vary[ch->npts], 0, &ch->pts[ch->npts])) {
            free(ch->vary[ch->npts]);
            return -1;
        }
        ch->point[ch->npts] = p;
        for (unsigned k = 0; k < reps; k++) {
            if (!run_shard_owns(&o->shard, p * reps + k)) continue;
            ch->jobs[ch->njobs].s = &ch->pts[ch->npts];
            ch->jobs[ch->njobs].replication = k;
            ch->job_slot[ch->njobs] = ch->npts;
            ch->njobs++;
        }
        ch->npts++;
    }
    return 0;
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
    size_t npoints = 0, njobs = 0, units = 0, cap = 0;
    const char *path, *metric;
    char *base_name = NULL;
    int rc = CLI_EXIT_USAGE, c, between;
    struct sweep_state st;
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
    for (size_t p = 0; p < npoints; p++)
        njobs += owned_units(&o.shard, p, st.reps);
    /* Every point this shard runs is checked before anything runs or is written, so a bad
     * value stops the sweep at once; each is freed straight after its check. A signal ends
     * the checks too (then nothing runs). */
    for (size_t p = 0; p < npoints && !cli_stop; p++) {
        struct run_scenario s;
        char *vary;
        int bad;
        if (!owned_units(&o.shard, p, st.reps)) continue;
        vary = run_grid_vary(&grid, p);
        bad = load_point(&o, &grid, p, vary, 1, &s);
        free(vary);
        if (bad) goto out;
        run_scenario_free(&s);
    }
    /* Then the runs, a chunk of points at a time (loaded again, without the check), so memory
     * does not grow with the number of points; only the chart's two numbers per point are
     * kept. */
    cap = (size_t)SWEEP_CHUNK_RUNS * (o.jobs > 1 ? o.jobs : 1);
    if (cap < st.reps) cap = st.reps;
    st.ch.pts = xcalloc(cap, sizeof *st.ch.pts);
    st.ch.vary = xcalloc(cap, sizeof *st.ch.vary);
    st.ch.point = xcalloc(cap, sizeof *st.ch.point);
    st.ch.jobs = xcalloc(cap, sizeof *st.ch.jobs);
    st.ch.job_slot = xcalloc(cap, sizeof *st.ch.job_slot);
    st.cur = xcalloc(st.reps, sizeof *st.cur);
    if (!st.sharded && !o.quiet) {
        st.chart_v = xcalloc(npoints, sizeof *st.chart_v);
        st.chart_h = xcalloc(npoints, sizeof *st.chart_h);
        for (size_t p = 0; p < npoints; p++)
            st.chart_v[p] = st.chart_h[p] = NAN;
    }
    if (o.csv_dir) {
        if (cli_make_dir(o.csv_dir)) goto out;
        st.sum = cli_open_csv(o.csv_dir, "summary.csv");
        if (!st.sum) goto out;
        csv_out_summary_header_sweep(st.sum);
        /* Even a shard with no unit writes its manifest, so merge knows it ran; an unsharded
         * sweep into a shard's old directory removes it, or merge would take it for a shard. */
        if (o.shard.count ? run_merge_write_manifest(o.csv_dir, &o.shard, units, base_name, &err)
                          : run_merge_remove_manifest(o.csv_dir, &err)) {
            report_error(&err);
            goto out;
        }
    }
    cli_progress_init(&st.prog, o.quiet, njobs);
    st.prog.unit = "runs";
    {
        struct run_batch b;
        size_t next = 0;
        long got = 0;

        memset(&b, 0, sizeof b);
        b.threads = o.jobs;
        b.stop = &cli_stop;
        b.done = on_done;
        b.progress = on_progress;
        b.user = &st;
        /* A chunk ends at a point's end, so that point's mean rows are written before its
         * scenario is freed with the chunk; the batch stops at a partial run, a failed build
         * or the signal, and then so does the sweep. */
        while (next < npoints && !cli_stop) {
            if (chunk_fill(&st.ch, &o, &grid, st.reps, cap, &next)) {
                cli_progress_end(&st.prog);
                goto out;
            }
            if (st.ch.njobs == 0) break;
            b.jobs = st.ch.jobs;
            b.njobs = st.ch.njobs;
            got = run_batch_run(&b, &err);
            if (got < 0) break;
            if (!st.partial) finish_point(&st);
            st.base += st.ch.njobs;
            if ((size_t)got < st.ch.njobs || st.partial) break;
            chunk_clear(&st.ch);
        }
        cli_progress_end(&st.prog);
        if (got < 0) {
            report_error(&err);
            goto out;
        }
    }
    /* A signal between two runs leaves none partial: the rest never ran. */
    between = cli_stop && !st.partial && st.delivered < njobs;
    if (!o.quiet) {
        printf("%s: sweep of %zu point%s × %u replication%s (%s)", path, npoints,
               npoints == 1 ? "" : "s", st.reps, st.reps == 1 ? "" : "s",
               "common random numbers: the same seeds at every point");
        if (o.shard.count)
            printf("; shard %u/%u ran %zu of %zu runs", o.shard.index, o.shard.count, njobs, units);
        printf("\n");
        if (o.csv_dir) printf("rows in %s/summary.csv\n", o.csv_dir);
        if (!o.shard.count && !st.partial && !between) {
            chart_draw(stdout, metric, vary_of_grid, &grid, st.chart_v,
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
    } else if (between) {
        fprintf(stderr, "archsim: interrupted after %zu of %zu runs; results written\n",
                st.delivered, njobs);
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
    chunk_clear(&st.ch);
    free(st.ch.pts);
    free(st.ch.vary);
    free(st.ch.point);
    free(st.ch.jobs);
    free(st.ch.job_slot);
    free(st.chart_v);
    free(st.chart_h);
    run_grid_free(&grid);
    free(base_name);
    cli_opts_free(&o);
    return rc;
}
