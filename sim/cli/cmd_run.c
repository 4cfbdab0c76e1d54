/*
 * archsim run — simulate a scenario in batch: summary table on stdout, optional CSV files,
 * progress bar on stderr for runs longer than a second when stderr is a terminal.
 *
 * Replications run on --jobs threads through run_batch_run (replicate.h), which hands them
 * back in order, so the files are the same bytes whatever the thread count; --precision
 * stops at the first replication count whose confidence intervals are narrow enough;
 * --shard runs a share of the replications for `archsim merge` to put together. The options
 * it shares with `archsim sweep` are parsed by opts.c; -r, --precision and --max-replications
 * are its own, and the combinations that contradict each other (-r with -R or --precision,
 * --shard with -r or --precision) are refused naming both flags.
 * SIGINT/SIGTERM: every replication already started is delivered — finished, or interrupted
 * and written with partial = 1 — in replication order, so --jobs J writes what one thread
 * writes up to the replication it was in, plus the others that were running (exit 130).
 * Also holds the small helpers the other batch subcommands share (declared in cli.h).
 */
#define _DEFAULT_SOURCE /* getopt_long */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <malloc.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "csv_out.h"
#include "merge.h"
#include "opts.h"
#include "predict.h"
#include "replicate.h"
#include "units.h"
#include "xmalloc.h"

static double wall(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* --- helpers shared by the subcommands (declared in cli.h) -------------------------------- */

void cli_progress_init(struct cli_progress *p, int quiet, size_t total) {
    memset(p, 0, sizeof *p);
    p->on = !quiet && isatty(STDERR_FILENO);
    p->total = total;
    p->t0 = wall();
}

void cli_progress_draw(struct cli_progress *p, size_t finished, double running, const char *note) {
    double now = wall(), fraction;
    int width = 40, fill;

    if (!p->on || now - p->t0 < 1.0 || now - p->last < 0.1) return;
    p->last = now;
    p->drawn = 1;
    fprintf(stderr, "\r");
    if (p->total) {
        fraction = ((double)finished + running) / (double)p->total;
        if (fraction > 1) fraction = 1;
        fill = (int)(fraction * width);
        fputc('[', stderr);
        for (int i = 0; i < width; i++)
            fputc(i < fill ? '#' : ' ', stderr);
        fprintf(stderr, "] %3.0f%%", fraction * 100);
        if (p->total > 1) fprintf(stderr, "  %zu/%zu %s", finished, p->total, p->unit);
    } else {
        fprintf(stderr, "%zu %s done", finished, p->unit);
    }
    if (note && note[0]) fprintf(stderr, "  %s", note);
    fputs("\033[K", stderr);
    fflush(stderr);
}

void cli_progress_end(struct cli_progress *p) {
    if (p->drawn) fputs("\r\033[K", stderr);
    p->drawn = 0;
}

FILE *cli_open_csv(const char *dir, const char *name) {
    char path[4096];
    FILE *f;

    snprintf(path, sizeof path, "%s/%s", dir, name);
    f = fopen(path, "w");
    if (!f) fprintf(stderr, "archsim: %s: %s\n", path, strerror(errno));
    return f;
}

int cli_make_dir(const char *dir) {
    char buf[4096];

    snprintf(buf, sizeof buf, "%s", dir);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/') continue;
        *p = 0;
        if (mkdir(buf, 0777) && errno != EEXIST) goto fail;
        *p = '/';
    }
    if (mkdir(buf, 0777) && errno != EEXIST) goto fail;
    return 0;
fail:
    fprintf(stderr, "archsim: --csv %s: %s\n", dir, strerror(errno));
    return -1;
}

void cli_keep_heap(void) {
#ifdef __GLIBC__
    /* Each model build allocates some megabytes of histograms and frees them at the end.
     * glibc gives the top of the heap back to the kernel as soon as it is free, so the next
     * build page-faults it all in again (zeroed pages): on a virtual machine that cost three
     * times the simulation itself in a 100-point sweep of short runs. Keeping 64 MiB of
     * padding at the top makes the next build reuse the pages. */
    mallopt(M_TOP_PAD, 64 << 20);
#endif
}

void cli_report_warmup(FILE *out, const struct run_scenario *s, const struct run_rep *reps,
                       size_t n, int quiet) {
    double lo = INFINITY, hi = -INFINITY, sum = 0;
    size_t shorts = 0, undetermined = 0;

    if (!s->warmup_auto || n == 0) return;
    for (size_t k = 0; k < n; k++) {
        lo = reps[k].warmup_s < lo ? reps[k].warmup_s : lo;
        hi = reps[k].warmup_s > hi ? reps[k].warmup_s : hi;
        sum += reps[k].warmup_s;
        shorts += reps[k].warmup_note == RUN_WARMUP_SHORT;
        undetermined += reps[k].warmup_note == RUN_WARMUP_UNDETERMINED;
    }
    if (!quiet) {
        if (n == 1)
            fprintf(out,
                    "warm-up auto (MSER-5 on the total mean latency, batches of %d "
                    "intervals): cut at %.3f s\n",
                    RUN_MSER_BATCH, lo);
        else
            fprintf(out,
                    "warm-up auto (MSER-5 on the total mean latency, batches of %d "
                    "intervals), per replication: %.3f to %.3f s, mean %.3f s\n",
                    RUN_MSER_BATCH, lo, hi, sum / (double)n);
    }
    if (shorts)
        fprintf(stderr,
                "archsim: warning: warm-up auto: in %zu of %zu replication%s the cut is at the "
                "end of MSER's search range (half the run): the run may be too short to reach "
                "steady state; try a longer --duration\n",
                shorts, n, n == 1 ? "" : "s");
    if (undetermined)
        fprintf(stderr,
                "archsim: warning: warm-up auto: no cut chosen in %zu of %zu replication%s "
                "(MSER-5 needs at least %d intervals, and a run that was not interrupted): no "
                "warm-up excluded there\n",
                undetermined, n, n == 1 ? "" : "s", 3 * RUN_MSER_BATCH);
}

/* Warn about stations that can never keep up (a warning, not an error: watching a queue grow
 * is a lesson too). Returns -1 (reported) when the model does not build. */
int cli_check_model(const struct run_scenario *s, const char *what) {
    struct run_checked chk;
    struct run_prediction pred;
    struct err err;

    err_clear(&err);
    if (run_check(s, &chk, &err)) {
        if (what) fprintf(stderr, "archsim: %s:\n", what);
        report_error(&err);
        return -1;
    }
    run_predict(chk.net, &pred);
    for (size_t i = 0; i < pred.nstations; i++) {
        const struct run_station_pred *st = &pred.stations[i];
        if (i > 0 && strcmp(pred.stations[i - 1].comp->group, st->comp->group) == 0) continue;
        if (pred.open && st->rho >= 1 && st->queue_cap < 0)
            fprintf(stderr,
                    "%s:%d:%d: warning: components.%s: utilization ρ = %.3f ≥ 1 (λ = %.6g/s, "
                    "%u worker%s of mean %.6g ms): the queue grows without bound%s%s\n",
                    st->comp->file ? st->comp->file : s->file, st->comp->line, st->comp->col,
                    st->comp->group, st->rho, st->lambda_per_s, st->servers,
                    st->servers == 1 ? "" : "s", st->mean_s * 1e3, what ? " — " : "",
                    what ? what : "");
    }
    run_prediction_free(&pred);
    run_check_free(&chk);
    return 0;
}

/* --- archsim run ---------------------------------------------------------------------------- */

struct run_state {
    const struct run_scenario *s;
    FILE *sum;
    struct run_rep *results; /* delivered, in order */
    size_t n;
    double precision; /* relative half-width target, 0: none */
    int met;
    int interrupted; /* a delivered replication was stopped by the signal */
    struct run_precision worst;
    struct cli_progress prog;
    /* run's own options (the shared ones are in struct cli_opts) */
    unsigned long long only, max_reps; /* -r K; --max-replications N */
    int only_set, max_reps_set;
};

/* A replication interrupted by the signal does not end the delivery: the batch itself takes no
 * new replication once the signal came, and hands back every one it had started — finished,
 * or interrupted and partial — so with --jobs J all of them are written, as the one running is
 * without threads. A replication stopped by the in-flight limit does end it (the later ones
 * would only repeat it). After an interruption the precision rule is not applied: partial
 * replications are no sample of the run. */
static int on_done(void *user, size_t job, struct run_rep *rep) {
    struct run_state *st = user;

    (void)job;
    st->results[st->n++] = *rep;
    if (st->sum) csv_out_summary_rep(st->sum, st->s->name, rep);
    if (rep->partial && rep->overflowed) return 1;
    if (rep->partial) st->interrupted = 1;
    if (st->interrupted) return 0;
    if (st->precision > 0 && run_precision_met(st->results, st->n, st->precision, &st->worst)) {
        st->met = 1;
        return 1;
    }
    return 0;
}

static void on_batch_progress(void *user, size_t finished, double running) {
    struct run_state *st = user;
    char note[128] = "";

    if (st->precision > 0 && st->n >= 2 && st->worst.metric)
        snprintf(note, sizeof note, "least precise: %s %s ±%.1f%%", st->worst.component,
                 st->worst.metric, st->worst.worst * 100);
    cli_progress_draw(&st->prog, finished, running, note);
}

static int parse_precision(const char *v, double *out) {
    char *end;
    double x;

    errno = 0;
    x = strtod(v, &end);
    if (end != v && *end == '%' && end[1] == 0) {
        x /= 100;
        end++;
    }
    if (errno || end == v || *end || !(x > 0 && x < 1)) {
        fprintf(stderr,
                "archsim: --precision: expected a relative half-width such as 5%% or 0.05, got "
                "'%s'\n",
                v);
        return -1;
    }
    *out = x;
    return 0;
}

enum { OPT_PRECISION = 256, OPT_MAX_REPS };

/* The options only `archsim run` has; the shared ones are parsed by opts.c. */
static const struct option run_opts[] = {
    {"replication", required_argument, NULL, 'r'},
    {"precision", required_argument, NULL, OPT_PRECISION},
    {"max-replications", required_argument, NULL, OPT_MAX_REPS},
    {NULL, 0, NULL, 0},
};

static int run_opt(void *user, int c, const char *arg) {
    struct run_state *st = user;

    switch (c) {
        case 'r':
            if (cli_parse_count("--replication", arg, 99999, &st->only)) return -1;
            st->only_set = 1;
            return 0;
        case OPT_PRECISION:
            return parse_precision(arg, &st->precision);
        case OPT_MAX_REPS:
            if (cli_parse_count("--max-replications", arg, 100000, &st->max_reps)) return -1;
            if (st->max_reps < RUN_PRECISION_MIN) {
                fprintf(stderr, "archsim: --max-replications: must be at least %d\n",
                        RUN_PRECISION_MIN);
                return -1;
            }
            st->max_reps_set = 1;
            return 0;
    }
    return -1;
}

static const char run_usage[] =
    "usage: archsim run [SCENARIO] [-s SEED] [--set PATH=VALUE]... [-R N | --precision P "
    "[--max-replications N] | -r K] [--jobs J] [--shard I/N] [-d T] [--warmup T|auto] [--csv "
    "DIR] [-q]\n"
    "see `archsim --help` for each option\n";

/* Say how the run ended on stderr; returns the exit status. A run interrupted in one
 * replication words it as before threads existed; with several (--jobs), it lists them. */
static int report_end(const struct run_state *st, size_t njobs) {
    const struct run_rep *over = NULL;
    size_t npart = 0, off = 0;
    double lo = INFINITY, hi = -INFINITY, t1 = 0;
    char which[160] = "";

    for (size_t k = 0; k < st->n; k++) {
        const struct run_rep *r = &st->results[k];
        if (r->partial && r->overflowed) over = r;
        if (!r->partial || r->overflowed) continue;
        npart++;
        t1 = r->sim_time_s;
        lo = r->sim_time_s < lo ? r->sim_time_s : lo;
        hi = r->sim_time_s > hi ? r->sim_time_s : hi;
        if (off < sizeof which - 16)
            off += (size_t)snprintf(which + off, sizeof which - off, "%s%u", npart > 1 ? ", " : "",
                                    r->replication);
        else if (off < sizeof which)
            off += (size_t)snprintf(which + off, sizeof which - off, ", ...");
    }
    if (over) {
        fprintf(stderr,
                "archsim: stopped at %.3f s simulated: %s; results so far written (marked "
                "partial)\n",
                over->sim_time_s, net_stop_text(over->overflowed, 0));
        return 1;
    }
    if (npart == 1) {
        fprintf(stderr,
                "archsim: interrupted at %.3f s simulated; results so far written "
                "(marked partial)\n",
                t1);
        return CLI_EXIT_INTERRUPTED;
    }
    if (npart > 1) {
        fprintf(stderr,
                "archsim: interrupted: replications %s stopped at %.3f to %.3f s simulated; "
                "results so far written (marked partial)\n",
                which, lo, hi);
        return CLI_EXIT_INTERRUPTED;
    }
    if (cli_stop && st->n < njobs && !st->met) {
        /* the signal came between replications: none is partial, the rest never ran */
        fprintf(stderr, "archsim: interrupted after %zu of %zu replications; results written\n",
                st->n, njobs);
        return CLI_EXIT_INTERRUPTED;
    }
    return CLI_EXIT_OK;
}

int cmd_run(int argc, char **argv) {
    struct run_state st;
    struct cli_cmd cmd = {"run", run_usage, run_opts, "r:", run_opt, &st};
    struct cli_opts o;
    int rc = CLI_EXIT_USAGE, c;
    struct run_scenario s;
    struct run_job *joblist = NULL;
    size_t njobs = 0, units;
    FILE *sum = NULL, *ts = NULL, *ev = NULL;
    struct err err;

    memset(&s, 0, sizeof s);
    memset(&st, 0, sizeof st);
    st.max_reps = 100;
    c = cli_opts_parse(&cmd, argc, argv, &o);
    if (c) {
        rc = c > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
        goto out;
    }
    if (st.only_set && o.reps) {
        fprintf(stderr, "archsim: -r/--replication K runs replication K alone, -R/--replications N "
                        "runs N replications: give one of them, not both\n");
        goto out;
    }
    if (st.precision > 0 && (o.reps || st.only_set)) {
        fprintf(stderr, "archsim: --precision chooses the number of replications: not with %s\n",
                o.reps ? "-R" : "-r");
        goto out;
    }
    if (st.max_reps_set && st.precision <= 0) {
        fprintf(stderr, "archsim: --max-replications goes with --precision\n");
        goto out;
    }
    if (o.shard.count && (st.only_set || st.precision > 0)) {
        fprintf(stderr, "archsim: --shard splits -R N replications: not with %s\n",
                st.only_set ? "-r" : "--precision (a sequential procedure)");
        goto out;
    }
    err_clear(&err);
    if (run_scenario_load(&s, o.path, o.sets, o.nsets, &err)) {
        report_error(&err);
        goto out;
    }
    cli_opts_apply(&o, &s);
    if (!s.warmup_auto && s.warmup_ns >= s.duration_ns) {
        char w[32], d[32];
        units_format_duration(s.warmup_ns, w, sizeof w);
        units_format_duration(s.duration_ns, d, sizeof d);
        fprintf(stderr, "archsim: the warm-up (%s%s) must be shorter than the duration (%s%s)\n", w,
                o.warmup_auto == 0 ? ", --warmup" : ", from the scenario", d,
                o.duration_ns >= 0 ? ", --duration" : ", from the scenario");
        goto out;
    }
    if (o.reps) s.replications = (unsigned)o.reps;
    /* Validate the whole model before writing anything. */
    if (cli_check_model(&s, NULL)) goto out;

    /* The replications this process runs. */
    units = st.precision > 0 ? (size_t)st.max_reps : st.only_set ? 1 : s.replications;
    joblist = xcalloc(units, sizeof *joblist);
    for (size_t k = 0; k < units; k++) {
        if (!run_shard_owns(&o.shard, k)) continue;
        joblist[njobs].s = &s;
        joblist[njobs].replication = st.only_set ? (unsigned)st.only : (unsigned)k;
        njobs++;
    }
    if (o.csv_dir) {
        if (cli_make_dir(o.csv_dir)) goto out;
        sum = cli_open_csv(o.csv_dir, "summary.csv");
        ts = cli_open_csv(o.csv_dir, "timeseries.csv");
        ev = cli_open_csv(o.csv_dir, "events.csv");
        if (!sum || !ts || !ev) goto out;
        csv_out_summary_header(sum);
        csv_out_timeseries_header(ts);
        csv_out_events_header(ev);
        /* A shard says so in its manifest; an unsharded run into a shard's old directory
         * removes it, or merge would take the directory for a shard. */
        if (o.shard.count ? run_merge_write_manifest(o.csv_dir, &o.shard, units, s.name, &err)
                          : run_merge_remove_manifest(o.csv_dir, &err)) {
            report_error(&err);
            goto out;
        }
    }
    if (njobs > 1) cli_keep_heap();
    st.s = &s;
    st.sum = sum;
    st.results = xcalloc(njobs ? njobs : 1, sizeof *st.results);
    cli_progress_init(&st.prog, o.quiet, st.precision > 0 ? 0 : njobs);
    st.prog.unit = "replications";
    {
        struct run_batch b;
        long got;

        memset(&b, 0, sizeof b);
        b.jobs = joblist;
        b.njobs = njobs;
        b.threads = o.jobs;
        b.timeseries = ts;
        b.events = ev;
        b.stop = &cli_stop;
        b.done = on_done;
        b.progress = on_batch_progress;
        b.user = &st;
        got = run_batch_run(&b, &err);
        cli_progress_end(&st.prog);
        if (got < 0) {
            report_error(&err);
            goto out;
        }
    }
    if (sum && st.n > 1 && !o.shard.count) csv_out_summary_mean(sum, s.name, st.results, st.n);
    if (!o.quiet) {
        /* The table's first line states the warm-up: the one chosen, with warm-up auto. */
        struct run_scenario shown = s;
        if (s.warmup_auto && st.n) {
            double w = 0;
            for (size_t k = 0; k < st.n; k++)
                w += st.results[k].warmup_s;
            shown.warmup_ns = (int64_t)(w / (double)st.n * 1e9 + 0.5);
        }
        if (o.shard.count)
            printf("shard %u/%u: %zu of %zu replications (those with index mod %u = %u)\n",
                   o.shard.index, o.shard.count, njobs, units, o.shard.count, o.shard.index);
        report_summary(stdout, &shown, st.results, st.n);
    }
    cli_report_warmup(stdout, &s, st.results, st.n, o.quiet);
    rc = report_end(&st, njobs);
    if (rc == CLI_EXIT_OK && st.precision > 0) {
        const char *verb = st.met ? "reached" : "NOT reached";
        FILE *f = st.met ? stdout : stderr;
        if (!o.quiet || !st.met)
            fprintf(f,
                    "%sprecision ±%.4g%% %s after %zu replications (sequential procedure, Law "
                    "2015 §9.4.1); least precise: %s %s ±%.3g%%\n",
                    st.met ? "" : "archsim: ", st.precision * 100, verb, st.n,
                    st.worst.component ? st.worst.component : "-",
                    st.worst.metric ? st.worst.metric : "-", st.worst.worst * 100);
        if (!st.met) rc = 1;
    }
out:
    if (sum && fclose(sum)) {
        fprintf(stderr, "archsim: writing summary.csv: %s\n", strerror(errno));
        rc = CLI_EXIT_USAGE;
    }
    if (ev && fclose(ev)) {
        fprintf(stderr, "archsim: writing events.csv: %s\n", strerror(errno));
        rc = CLI_EXIT_USAGE;
    }
    if (ts && fclose(ts)) {
        fprintf(stderr, "archsim: writing timeseries.csv: %s\n", strerror(errno));
        rc = CLI_EXIT_USAGE;
    }
    for (size_t k = 0; k < st.n; k++)
        run_rep_free(&st.results[k]);
    free(st.results);
    free(joblist);
    run_scenario_free(&s);
    cli_opts_free(&o);
    return rc;
}
