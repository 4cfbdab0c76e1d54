/*
 * archsim run — simulate a scenario in batch: summary table on stdout, optional CSV files,
 * progress bar on stderr for runs longer than a second when stderr is a terminal.
 *
 * Replications run on --jobs threads through run_batch_run (replicate.h), which hands them
 * back in order, so the files are the same bytes whatever the thread count; --precision
 * stops at the first replication count whose confidence intervals are narrow enough;
 * --shard runs a share of the replications for `archsim merge` to put together.
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

int cli_parse_count(const char *flag, const char *v, unsigned long long max,
                    unsigned long long *out) {
    char *end;
    unsigned long long x;

    errno = 0;
    x = strtoull(v, &end, 10);
    if (errno || end == v || *end || v[0] == '-' || x > max) {
        fprintf(stderr, "archsim: %s: expected a whole number up to %llu, got '%s'\n", flag, max,
                v);
        return -1;
    }
    *out = x;
    return 0;
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

static const char *env_lookup(const char *name) {
    return getenv(name);
}

int cli_parse_shard(const char *spec, struct run_shard *out) {
    struct err err;

    err_clear(&err);
    if (run_shard_parse(spec, env_lookup, out, &err) == 0) return 0;
    fprintf(stderr, "archsim: --shard %s\n", err.msg);
    return -1;
}

int cli_parse_jobs(const char *v, unsigned *out) {
    unsigned long long j;

    if (cli_parse_count("--jobs", v, 1024, &j)) return -1;
    if (j == 0) {
        fprintf(stderr, "archsim: --jobs: must be at least 1\n");
        return -1;
    }
    *out = (unsigned)j;
    return 0;
}

int cli_warmup_arg(const char *v, int64_t *ns, int *is_auto) {
    char why[128];

    if (strcmp(v, "auto") == 0) {
        *is_auto = 1;
        return 0;
    }
    if (units_parse_duration(v, ns, why, sizeof why)) {
        fprintf(stderr, "archsim: --warmup: %s (or 'auto'), got '%s'\n", why, v);
        return -1;
    }
    *is_auto = 0;
    return 0;
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
    struct run_precision worst;
    struct cli_progress prog;
};

static int on_done(void *user, size_t job, struct run_rep *rep) {
    struct run_state *st = user;

    (void)job;
    st->results[st->n++] = *rep;
    if (st->sum) csv_out_summary_rep(st->sum, st->s->name, rep);
    if (rep->partial) return 1;
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

int cmd_run(int argc, char **argv) {
    enum { OPT_PRECISION = 256, OPT_MAX_REPS, OPT_SHARD };
    static const struct option opts[] = {
        {"seed", required_argument, NULL, 's'},
        {"set", required_argument, NULL, 'S'},
        {"replications", required_argument, NULL, 'R'},
        {"replication", required_argument, NULL, 'r'},
        {"duration", required_argument, NULL, 'd'},
        {"warmup", required_argument, NULL, 'w'},
        {"csv", required_argument, NULL, 'c'},
        {"jobs", required_argument, NULL, 'j'},
        {"precision", required_argument, NULL, OPT_PRECISION},
        {"max-replications", required_argument, NULL, OPT_MAX_REPS},
        {"shard", required_argument, NULL, OPT_SHARD},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char **sets = xcalloc((size_t)argc + 2, sizeof *sets);
    size_t nsets = 0;
    const char *csv_dir = NULL, *path = NULL;
    unsigned long long seed = 0, reps = 0, only = 0, max_reps = 100;
    int64_t duration_ns = -1, warmup_ns = -1;
    int seed_set = 0, only_set = 0, quiet = 0, c, rc = CLI_EXIT_USAGE;
    int warmup_auto = -1, max_reps_set = 0;
    unsigned jobs = 1;
    struct run_shard shard = {0, 0};
    struct run_scenario s;
    struct run_state st;
    struct run_job *joblist = NULL;
    size_t njobs = 0, units;
    FILE *sum = NULL, *ts = NULL, *ev = NULL;
    struct err err;

    memset(&s, 0, sizeof s);
    memset(&st, 0, sizeof st);
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":s:R:r:d:j:qh", opts, NULL)) != -1) {
        switch (c) {
            case 's':
                if (cli_parse_count("--seed", optarg, UINT64_MAX, &seed)) goto out;
                seed_set = 1;
                break;
            case 'S':
                sets[nsets++] = optarg;
                break;
            case 'R':
                if (cli_parse_count("--replications", optarg, 100000, &reps)) goto out;
                if (reps == 0) {
                    fprintf(stderr, "archsim: --replications: must be at least 1\n");
                    goto out;
                }
                break;
            case 'r':
                if (cli_parse_count("--replication", optarg, 99999, &only)) goto out;
                only_set = 1;
                break;
            case 'd': {
                char why[128];
                if (units_parse_duration(optarg, &duration_ns, why, sizeof why)) {
                    fprintf(stderr, "archsim: --duration: %s, got '%s'\n", why, optarg);
                    goto out;
                }
                if (duration_ns <= 0) {
                    fprintf(stderr, "archsim: --duration: must be positive, got '%s'\n", optarg);
                    goto out;
                }
                break;
            }
            case 'w':
                if (cli_warmup_arg(optarg, &warmup_ns, &warmup_auto)) goto out;
                break;
            case 'c':
                csv_dir = optarg;
                break;
            case 'j':
                if (cli_parse_jobs(optarg, &jobs)) goto out;
                break;
            case OPT_PRECISION:
                if (parse_precision(optarg, &st.precision)) goto out;
                break;
            case OPT_MAX_REPS:
                if (cli_parse_count("--max-replications", optarg, 100000, &max_reps)) goto out;
                if (max_reps < RUN_PRECISION_MIN) {
                    fprintf(stderr, "archsim: --max-replications: must be at least %d\n",
                            RUN_PRECISION_MIN);
                    goto out;
                }
                max_reps_set = 1;
                break;
            case OPT_SHARD:
                if (cli_parse_shard(optarg, &shard)) goto out;
                break;
            case 'q':
                quiet = 1;
                break;
            case 'h':
                printf("usage: archsim run [SCENARIO] [-s SEED] [--set PATH=VALUE]... [-R N | "
                       "--precision P [--max-replications N] | -r K] [--jobs J] [--shard I/N] "
                       "[-d T] [--warmup T|auto] [--csv DIR] [-q]\n"
                       "see `archsim --help` for each option\n");
                rc = CLI_EXIT_OK;
                goto out;
            case ':':
                fprintf(stderr, "archsim: option '%s' needs a value\n", argv[optind - 1]);
                goto out;
            default:
                fprintf(stderr, "archsim: unknown option '%s' (see archsim --help)\n",
                        argv[optind - 1]);
                goto out;
        }
    }
    if (optind < argc) path = argv[optind++];
    if (optind < argc) {
        fprintf(stderr, "archsim: unexpected argument '%s' (one scenario per run)\n", argv[optind]);
        goto out;
    }
    if (st.precision > 0 && (reps || only_set)) {
        fprintf(stderr, "archsim: --precision chooses the number of replications: not with %s\n",
                reps ? "-R" : "-r");
        goto out;
    }
    if (max_reps_set && st.precision <= 0) {
        fprintf(stderr, "archsim: --max-replications goes with --precision\n");
        goto out;
    }
    if (shard.count && (only_set || st.precision > 0)) {
        fprintf(stderr, "archsim: --shard splits -R N replications: not with %s\n",
                only_set ? "-r" : "--precision (a sequential procedure)");
        goto out;
    }
    err_clear(&err);
    if (run_scenario_load(&s, path, sets, nsets, &err)) {
        report_error(&err);
        goto out;
    }
    if (duration_ns >= 0) s.duration_ns = duration_ns;
    if (warmup_auto >= 0) s.warmup_auto = warmup_auto;
    if (warmup_auto == 0) s.warmup_ns = warmup_ns;
    if (s.warmup_auto) s.warmup_ns = 0;
    if (!s.warmup_auto && s.warmup_ns >= s.duration_ns) {
        char w[32], d[32];
        units_format_duration(s.warmup_ns, w, sizeof w);
        units_format_duration(s.duration_ns, d, sizeof d);
        fprintf(stderr, "archsim: the warm-up (%s%s) must be shorter than the duration (%s%s)\n", w,
                warmup_auto == 0 ? ", --warmup" : ", from the scenario", d,
                duration_ns >= 0 ? ", --duration" : ", from the scenario");
        goto out;
    }
    if (seed_set) s.seed = seed;
    if (reps) s.replications = (unsigned)reps;
    /* Validate the whole model before writing anything. */
    if (cli_check_model(&s, NULL)) goto out;

    /* The replications this process runs. */
    units = st.precision > 0 ? (size_t)max_reps : only_set ? 1 : s.replications;
    joblist = xcalloc(units, sizeof *joblist);
    for (size_t k = 0; k < units; k++) {
        if (!run_shard_owns(&shard, k)) continue;
        joblist[njobs].s = &s;
        joblist[njobs].replication = only_set ? (unsigned)only : (unsigned)k;
        njobs++;
    }
    if (csv_dir) {
        if (cli_make_dir(csv_dir)) goto out;
        sum = cli_open_csv(csv_dir, "summary.csv");
        ts = cli_open_csv(csv_dir, "timeseries.csv");
        ev = cli_open_csv(csv_dir, "events.csv");
        if (!sum || !ts || !ev) goto out;
        csv_out_summary_header(sum);
        csv_out_timeseries_header(ts);
        csv_out_events_header(ev);
        if (shard.count && run_merge_write_manifest(csv_dir, &shard, units, s.name, &err)) {
            report_error(&err);
            goto out;
        }
    }
    if (njobs > 1) cli_keep_heap();
    st.s = &s;
    st.sum = sum;
    st.results = xcalloc(njobs ? njobs : 1, sizeof *st.results);
    cli_progress_init(&st.prog, quiet, st.precision > 0 ? 0 : njobs);
    st.prog.unit = "replications";
    {
        struct run_batch b;
        long got;

        memset(&b, 0, sizeof b);
        b.jobs = joblist;
        b.njobs = njobs;
        b.threads = jobs;
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
    if (sum && st.n > 1 && !shard.count) csv_out_summary_mean(sum, s.name, st.results, st.n);
    if (!quiet) {
        /* The table's first line states the warm-up: the one chosen, with warm-up auto. */
        struct run_scenario shown = s;
        if (s.warmup_auto && st.n) {
            double w = 0;
            for (size_t k = 0; k < st.n; k++)
                w += st.results[k].warmup_s;
            shown.warmup_ns = (int64_t)(w / (double)st.n * 1e9 + 0.5);
        }
        if (shard.count)
            printf("shard %u/%u: %zu of %zu replications (those with index mod %u = %u)\n",
                   shard.index, shard.count, njobs, units, shard.count, shard.index);
        report_summary(stdout, &shown, st.results, st.n);
    }
    cli_report_warmup(stdout, &s, st.results, st.n, quiet);
    rc = (st.n && st.results[st.n - 1].partial) ? CLI_EXIT_INTERRUPTED : CLI_EXIT_OK;
    if (rc == CLI_EXIT_INTERRUPTED && st.results[st.n - 1].overflowed) {
        fprintf(stderr,
                "archsim: stopped at %.3f s simulated: %d requests in flight — the system "
                "cannot keep up with the offered load; results so far written (marked "
                "partial)\n",
                st.results[st.n - 1].sim_time_s, NET_MAX_IN_FLIGHT);
        rc = 1;
    } else if (rc == CLI_EXIT_INTERRUPTED) {
        fprintf(stderr,
                "archsim: interrupted at %.3f s simulated; results so far written "
                "(marked partial)\n",
                st.results[st.n - 1].sim_time_s);
    } else if (st.precision > 0) {
        const char *verb = st.met ? "reached" : "NOT reached";
        FILE *f = st.met ? stdout : stderr;
        if (!quiet || !st.met)
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
    free(sets);
    return rc;
}
