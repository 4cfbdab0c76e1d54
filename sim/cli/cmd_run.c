/*
 * archsim run — simulate a scenario in batch: summary table on stdout, optional CSV files,
 * progress bar on stderr for runs longer than a second when stderr is a terminal.
 */
#define _DEFAULT_SOURCE /* getopt_long */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "csv_out.h"
#include "predict.h"
#include "units.h"
#include "xmalloc.h"

struct run_ctx {
    const struct run_scenario *s;
    FILE *ts;       /* timeseries.csv or NULL */
    FILE *ev;       /* events.csv or NULL */
    unsigned replication;
    uint64_t seed;
    int progress;   /* draw a progress bar */
    double t0, last_draw;
    unsigned nreps;
};

static double wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void on_interval(void *user, int64_t t0, int64_t t1, unsigned flags,
                        const struct model_row *rows, size_t nrows)
{
    struct run_ctx *ctx = user;

    if (ctx->ts)
        csv_out_timeseries_rows(ctx->ts, ctx->s->name, ctx->replication, ctx->seed, t0, t1,
                                flags, rows, nrows);
}

static void on_event(void *user, const struct net_event *ev)
{
    struct run_ctx *ctx = user;

    if (ctx->ev) csv_out_event(ctx->ev, ctx->s->name, ctx->replication, ctx->seed, ev);
}

static void on_progress(void *user, unsigned rep, double fraction)
{
    struct run_ctx *ctx = user;
    double now = wall();
    int width = 40, fill;

    if (!ctx->progress || now - ctx->t0 < 1.0 || now - ctx->last_draw < 0.1) return;
    ctx->last_draw = now;
    fill = (int)(fraction * width);
    fprintf(stderr, "\r[");
    for (int i = 0; i < width; i++)
        fputc(i < fill ? '#' : ' ', stderr);
    fprintf(stderr, "] %3.0f%%", fraction * 100);
    if (ctx->nreps > 1) fprintf(stderr, "  replication %u/%u", rep + 1, ctx->nreps);
    fflush(stderr);
}

static int parse_count(const char *flag, const char *v, unsigned long long max,
                       unsigned long long *out)
{
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

static FILE *open_csv(const char *dir, const char *name)
{
    char path[4096];
    FILE *f;

    snprintf(path, sizeof path, "%s/%s", dir, name);
    f = fopen(path, "w");
    if (!f) fprintf(stderr, "archsim: %s: %s\n", path, strerror(errno));
    return f;
}

static int make_dir(const char *dir)
{
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

int cmd_run(int argc, char **argv)
{
    static const struct option opts[] = {
        {"seed", required_argument, NULL, 's'},
        {"set", required_argument, NULL, 'S'},
        {"replications", required_argument, NULL, 'R'},
        {"replication", required_argument, NULL, 'r'},
        {"duration", required_argument, NULL, 'd'},
        {"warmup", required_argument, NULL, 'w'},
        {"csv", required_argument, NULL, 'c'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char **sets = xcalloc((size_t)argc + 2, sizeof *sets);
    size_t nsets = 0;
    const char *csv_dir = NULL, *path = NULL;
    unsigned long long seed = 0, reps = 0, only = 0;
    int64_t duration_ns = -1, warmup_ns = -1;
    int seed_set = 0, only_set = 0, quiet = 0, c, rc = CLI_EXIT_USAGE;
    struct run_scenario s;
    struct run_rep *results = NULL;
    struct run_ctx ctx;
    FILE *sum = NULL;
    struct err err;
    unsigned first, count;

    memset(&s, 0, sizeof s);
    memset(&ctx, 0, sizeof ctx);
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":s:R:r:d:qh", opts, NULL)) != -1) {
        switch (c) {
            case 's':
                if (parse_count("--seed", optarg, UINT64_MAX >> 1, &seed)) goto out;
                seed_set = 1;
                break;
            case 'S':
                sets[nsets++] = optarg;
                break;
            case 'R':
                if (parse_count("--replications", optarg, 100000, &reps)) goto out;
                if (reps == 0) {
                    fprintf(stderr, "archsim: --replications: must be at least 1\n");
                    goto out;
                }
                break;
            case 'r':
                if (parse_count("--replication", optarg, 99999, &only)) goto out;
                only_set = 1;
                break;
            case 'd':
            case 'w': {
                char why[128];
                int64_t *dst = c == 'd' ? &duration_ns : &warmup_ns;
                if (units_parse_duration(optarg, dst, why, sizeof why)) {
                    fprintf(stderr, "archsim: %s: %s, got '%s'\n",
                            c == 'd' ? "--duration" : "--warmup", why, optarg);
                    goto out;
                }
                if (c == 'd' && *dst <= 0) {
                    fprintf(stderr, "archsim: --duration: must be positive, got '%s'\n", optarg);
                    goto out;
                }
                break;
            }
            case 'c':
                csv_dir = optarg;
                break;
            case 'q':
                quiet = 1;
                break;
            case 'h':
                printf("usage: archsim run [SCENARIO] [-s SEED] [--set PATH=VALUE]... [-R N] "
                       "[-r K] [-d T] [--warmup T] [--csv DIR] [-q]\n"
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
        fprintf(stderr, "archsim: unexpected argument '%s' (one scenario per run)\n",
                argv[optind]);
        goto out;
    }
    err_clear(&err);
    if (run_scenario_load(&s, path, sets, nsets, &err)) {
        report_error(&err);
        goto out;
    }
    if (duration_ns >= 0) s.duration_ns = duration_ns;
    if (warmup_ns >= 0) s.warmup_ns = warmup_ns;
    if (s.warmup_ns >= s.duration_ns) {
        char w[32], d[32];
        units_format_duration(s.warmup_ns, w, sizeof w);
        units_format_duration(s.duration_ns, d, sizeof d);
        fprintf(stderr,
                "archsim: the warm-up (%s%s) must be shorter than the duration (%s%s)\n", w,
                warmup_ns >= 0 ? ", --warmup" : ", from the scenario", d,
                duration_ns >= 0 ? ", --duration" : ", from the scenario");
        goto out;
    }
    if (seed_set) s.seed = seed;
    if (reps) s.replications = (unsigned)reps;
    first = only_set ? (unsigned)only : 0;
    count = only_set ? 1 : s.replications;
    /* Validate the whole model before writing anything, and warn about stations that can
     * never keep up (a warning, not an error: watching a queue grow is a lesson too). */
    {
        struct run_checked chk;
        struct run_prediction pred;
        if (run_check(&s, &chk, &err)) {
            report_error(&err);
            goto out;
        }
        run_predict(chk.net, &pred);
        for (size_t i = 0; i < pred.nstations; i++) {
            const struct run_station_pred *st = &pred.stations[i];
            if (i > 0 && strcmp(pred.stations[i - 1].comp->group, st->comp->group) == 0) continue;
            if (pred.open && st->rho >= 1 && st->queue_cap < 0)
                fprintf(stderr,
                        "%s:%d:%d: warning: components.%s: utilization ρ = %.3f ≥ 1 (λ = %.6g/s, "
                        "%u worker%s of mean %.6g ms): the queue grows without bound\n",
                        st->comp->file ? st->comp->file : s.file, st->comp->line, st->comp->col,
                        st->comp->group, st->rho, st->lambda_per_s, st->servers,
                        st->servers == 1 ? "" : "s", st->mean_s * 1e3);
        }
        run_prediction_free(&pred);
        run_check_free(&chk);
    }
    if (csv_dir) {
        if (make_dir(csv_dir)) goto out;
        sum = open_csv(csv_dir, "summary.csv");
        ctx.ts = open_csv(csv_dir, "timeseries.csv");
        ctx.ev = open_csv(csv_dir, "events.csv");
        if (!sum || !ctx.ts || !ctx.ev) goto out;
        csv_out_summary_header(sum);
        csv_out_timeseries_header(ctx.ts);
        csv_out_events_header(ctx.ev);
    }
    ctx.s = &s;
    ctx.progress = !quiet && isatty(STDERR_FILENO);
    ctx.nreps = count;
    ctx.t0 = wall();
    results = xcalloc(count, sizeof *results);
    {
        struct run_hooks hooks = {ctx.ts ? on_interval : NULL, &ctx, on_progress, &cli_stop,
                                  ctx.ev ? on_event : NULL};
        unsigned done = 0;
        for (unsigned k = first; k < first + count; k++) {
            ctx.replication = k;
            ctx.seed = run_replication_seed(s.seed, k);
            if (run_replication(&s, k, &hooks, &results[done], &err)) {
                report_error(&err);
                goto out;
            }
            done++;
            if (sum) csv_out_summary_rep(sum, s.name, &results[done - 1]);
            if (results[done - 1].partial) break;
        }
        if (ctx.progress && wall() - ctx.t0 >= 1.0) fputs("\r\033[K", stderr);
        if (sum && done > 1) csv_out_summary_mean(sum, s.name, results, done);
        if (!quiet) report_summary(stdout, &s, results, done);
        rc = (done && results[done - 1].partial) ? CLI_EXIT_INTERRUPTED : CLI_EXIT_OK;
        if (rc == CLI_EXIT_INTERRUPTED && results[done - 1].overflowed) {
            fprintf(stderr,
                    "archsim: stopped at %.3f s simulated: %d requests in flight — the system "
                    "cannot keep up with the offered load; results so far written (marked "
                    "partial)\n",
                    results[done - 1].sim_time_s, NET_MAX_IN_FLIGHT);
            rc = 1;
        } else if (rc == CLI_EXIT_INTERRUPTED) {
            fprintf(stderr, "archsim: interrupted at %.3f s simulated; results so far written "
                            "(marked partial)\n",
                    results[done - 1].sim_time_s);
        }
        for (unsigned k = 0; k < done; k++)
            run_rep_free(&results[k]);
    }
out:
    if (sum && fclose(sum)) {
        fprintf(stderr, "archsim: writing summary.csv: %s\n", strerror(errno));
        rc = CLI_EXIT_USAGE;
    }
    if (ctx.ev && fclose(ctx.ev)) {
        fprintf(stderr, "archsim: writing events.csv: %s\n", strerror(errno));
        rc = CLI_EXIT_USAGE;
    }
    if (ctx.ts && fclose(ctx.ts)) {
        fprintf(stderr, "archsim: writing timeseries.csv: %s\n", strerror(errno));
        rc = CLI_EXIT_USAGE;
    }
    free(results);
    run_scenario_free(&s);
    free(sets);
    return rc;
}
