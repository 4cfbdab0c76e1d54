/*
 * archsim tui — the live dashboard (sim/tui/ui_dash) over one run of a scenario, then the
 * same summary table `archsim run` prints; `--csv DIR` writes the same three files as a batch
 * run (summary.csv with partial = 1 when the user quit before the end, timeseries.csv,
 * events.csv). `archsim [SCENARIO]` comes here when stdin and stdout are terminals.
 *
 * A restart (key r) starts a new run from time 0: the CSV files are emptied and begun again,
 * so they always describe the run the summary describes. Rejected: appending the runs one
 * after the other (their rows would share replication 0 and seed, and no reader could tell
 * them apart).
 *
 * Exit status: 0 after q, 130 after SIGINT/SIGTERM (the summary is still printed and written,
 * marked partial), 2 for bad usage or input (including "not a terminal").
 */
#define _DEFAULT_SOURCE /* getopt_long */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "csv_out.h"
#include "ui_dash.h"
#include "units.h"
#include "xmalloc.h"

struct tui_csv {
    const struct run_scenario *s;
    FILE *sum, *ts, *ev;
    int failed; /* a restart could not empty a file */
};

static void on_interval(void *user, int64_t t0, int64_t t1, unsigned flags,
                        const struct model_row *rows, size_t nrows) {
    struct tui_csv *c = user;

    if (c->ts)
        csv_out_timeseries_rows(c->ts, c->s->name, 0, c->s->seed, t0, t1, flags, rows, nrows);
}

static void on_event(void *user, const struct net_event *ev) {
    struct tui_csv *c = user;

    if (c->ev) csv_out_event(c->ev, c->s->name, 0, c->s->seed, ev);
}

/* Empty f and write its header again. */
static int restart_file(FILE *f, void (*header)(FILE *)) {
    if (!f) return 0;
    if (fflush(f) || ftruncate(fileno(f), 0)) return -1;
    rewind(f);
    header(f);
    return 0;
}

static void on_restart(void *user) {
    struct tui_csv *c = user;

    if (restart_file(c->ts, csv_out_timeseries_header) ||
        restart_file(c->ev, csv_out_events_header))
        c->failed = errno ? errno : EIO;
}

static FILE *open_csv(const char *dir, const char *name) {
    char path[4096];
    FILE *f;

    snprintf(path, sizeof path, "%s/%s", dir, name);
    f = fopen(path, "w");
    if (!f) fprintf(stderr, "archsim: %s: %s\n", path, strerror(errno));
    return f;
}

static int make_dir(const char *dir) {
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

/* "10", "0.5", "10x", "max" → simulated seconds per wall second in [0.1, 1000] or INFINITY. */
static int parse_speed(const char *v, double *out) {
    char *end;
    double x;

    if (strcmp(v, "max") == 0) {
        *out = INFINITY;
        return 0;
    }
    errno = 0;
    x = strtod(v, &end);
    if (*end == 'x') end++;
    if (errno || end == v || *end || !(x >= 0.1 && x <= 1000)) {
        fprintf(stderr,
                "archsim: --speed: expected 0.1 to 1000 (times real time) or max, "
                "got '%s'\n",
                v);
        return -1;
    }
    *out = x;
    return 0;
}

static void usage(FILE *f) {
    fputs("usage: archsim tui [SCENARIO] [-s SEED] [--set PATH=VALUE]... [-d T] [--warmup T]\n"
          "                   [--speed X] [--csv DIR]\n"
          "  the live dashboard (the built-in default scenario when none); keys: space pause,\n"
          "  +/- speed, n step, up/down select, k crash/recover, s slow/restore, [ ] arrival\n"
          "  rate -/+10 %, r restart, d detail, ? help, q quit (prints the summary)\n"
          "      --speed X    start at X times real time (0.1 to 1000) or max (default 1)\n"
          "  other options as for `archsim run` (see archsim --help)\n",
          f);
}

int cmd_tui(int argc, char **argv) {
    static const struct option opts[] = {
        {"seed", required_argument, NULL, 's'},     {"set", required_argument, NULL, 'S'},
        {"duration", required_argument, NULL, 'd'}, {"warmup", required_argument, NULL, 'w'},
        {"csv", required_argument, NULL, 'c'},      {"speed", required_argument, NULL, 'x'},
        {"help", no_argument, NULL, 'h'},           {NULL, 0, NULL, 0},
    };
    const char **sets = xcalloc((size_t)argc + 2, sizeof *sets);
    size_t nsets = 0;
    const char *csv_dir = NULL, *path = NULL;
    unsigned long long seed = 0;
    int64_t duration_ns = -1, warmup_ns = -1;
    int seed_set = 0, c, rc = CLI_EXIT_USAGE, got;
    double speed = 0;
    struct run_scenario s;
    struct tui_csv csv;
    struct run_rep rep;
    struct err err;

    memset(&s, 0, sizeof s);
    memset(&csv, 0, sizeof csv);
    memset(&rep, 0, sizeof rep);
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":s:d:h", opts, NULL)) != -1) {
        switch (c) {
            case 's': {
                char *end;
                errno = 0;
                seed = strtoull(optarg, &end, 10);
                if (errno || end == optarg || *end || optarg[0] == '-' || 0) {
                    fprintf(stderr,
                            "archsim: --seed: expected a whole number up to %llu, got "
                            "'%s'\n",
                            (unsigned long long)UINT64_MAX, optarg);
                    goto out;
                }
                seed_set = 1;
                break;
            }
            case 'S':
                sets[nsets++] = optarg;
                break;
            case 'd':
            case 'w': {
                char why[128];
                int64_t *dst = c == 'd' ? &duration_ns : &warmup_ns;
                if (c == 'w' && strcmp(optarg, "auto") == 0) {
                    fprintf(stderr, "archsim: --warmup auto is chosen after a run: use "
                                    "`archsim run` for it\n");
                    goto out;
                }
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
            case 'x':
                if (parse_speed(optarg, &speed)) goto out;
                break;
            case 'h':
                usage(stdout);
                rc = CLI_EXIT_OK;
                goto out;
            case ':':
                fprintf(stderr, "archsim: option '%s' needs a value\n", argv[optind - 1]);
                goto out;
            default:
                fprintf(stderr,
                        "archsim: unknown option '%s' for the dashboard (see archsim tui "
                        "--help; replications need `archsim run`)\n",
                        argv[optind - 1]);
                goto out;
        }
    }
    if (optind < argc) path = argv[optind++];
    if (optind < argc) {
        fprintf(stderr, "archsim: unexpected argument '%s' (one scenario per run)\n", argv[optind]);
        goto out;
    }
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        fprintf(stderr, "archsim: the dashboard needs a terminal on stdin and stdout (use "
                        "`archsim run` for batch output)\n");
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
        fprintf(stderr, "archsim: the warm-up (%s) must be shorter than the duration (%s)\n",
                units_format_duration(s.warmup_ns, w, sizeof w),
                units_format_duration(s.duration_ns, d, sizeof d));
        goto out;
    }
    if (seed_set) s.seed = seed;
    /* Validate the model before creating any file. */
    {
        struct run_checked chk;
        if (run_check(&s, &chk, &err)) {
            report_error(&err);
            goto out;
        }
        run_check_free(&chk);
    }
    csv.s = &s;
    if (csv_dir) {
        if (make_dir(csv_dir)) goto out;
        csv.sum = open_csv(csv_dir, "summary.csv");
        csv.ts = open_csv(csv_dir, "timeseries.csv");
        csv.ev = open_csv(csv_dir, "events.csv");
        if (!csv.sum || !csv.ts || !csv.ev) goto out;
        csv_out_summary_header(csv.sum);
        csv_out_timeseries_header(csv.ts);
        csv_out_events_header(csv.ev);
    }
    {
        struct ui_dash_opts o;
        memset(&o, 0, sizeof o);
        o.scenario = &s;
        o.speed = speed;
        o.stop = &cli_stop;
        o.hooks.interval = csv.ts ? on_interval : NULL;
        o.hooks.event = csv.ev ? on_event : NULL;
        o.hooks.restart = csv_dir ? on_restart : NULL;
        o.hooks.user = &csv;
        got = ui_dash_run(&o, &rep, &err);
    }
    if (got < 0) {
        report_error(&err);
        goto out;
    }
    report_summary(stdout, &s, &rep, 1);
    if (csv.sum) csv_out_summary_rep(csv.sum, s.name, &rep);
    if (rep.overflowed)
        fprintf(stderr, "archsim: stopped at %.3f s simulated: %s (results marked partial)\n",
                rep.sim_time_s, net_stop_text(rep.overflowed, 0));
    if (csv.failed)
        fprintf(stderr, "archsim: emptying the CSV files at a restart: %s\n", strerror(csv.failed));
    rc = got == 1 ? CLI_EXIT_INTERRUPTED : csv.failed ? CLI_EXIT_USAGE : CLI_EXIT_OK;
    run_rep_free(&rep);
out:
    if (csv.sum && fclose(csv.sum)) {
        fprintf(stderr, "archsim: writing summary.csv: %s\n", strerror(errno));
        rc = CLI_EXIT_USAGE;
    }
    if (csv.ev && fclose(csv.ev)) {
        fprintf(stderr, "archsim: writing events.csv: %s\n", strerror(errno));
        rc = CLI_EXIT_USAGE;
    }
    if (csv.ts && fclose(csv.ts)) {
        fprintf(stderr, "archsim: writing timeseries.csv: %s\n", strerror(errno));
        rc = CLI_EXIT_USAGE;
    }
    run_scenario_free(&s);
    free(sets);
    return rc;
}
