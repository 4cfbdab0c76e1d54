/*
 * archsim calibrate — fit a component's service time to a low-load measurement (calibrate.h):
 * `archsim calibrate --from load/summary.csv --component api [--overhead-from zero/summary.csv]`
 * prints each candidate's goodness of fit (max relative quantile error over p50, p90, p99,
 * p99.9) and the best fit as a scenario fragment: a --set line (default) or YAML. With
 * --wakeup T (an idle worker's wake-up, measured on the server: archtarget's /stats
 * wakeup_mean_ms) the fragment also sets the service's `wakeup`, and the report says what
 * compare must still add (overhead - wakeup; calibrate.h has the reasoning).
 *
 * Also here, because it is the other half of the same loop: `archsim compare --scenario FILE
 * --target URL` (cmd_compare.c hands over when it sees --scenario). For each rate it runs
 * this very binary (`archsim run FILE --set workload.rate=R -d T --warmup W --csv DIR/model`)
 * and archload (`archload --scenario FILE --set workload.rate=R -d T --warmup W --csv DIR/load
 * URL`), one after the other, reads both summary.csv files with compare.h, prints model against
 * measurement per component both have, then a latency-vs-load chart of the total row (mean and
 * p99). Both sides leave out the same warm-up W and, unless --model-duration gives the model a
 * longer run (its own noise shrinks with it; simulated time is cheap), cover the same window:
 * the scenario's own duration and warm-up would make a scenario with phases or scheduled
 * failures another system in another window. A failed run is reported with its own first
 * lines of output (its error message), then its log's path.
 * --overhead MS adds a constant to the model's latencies (the loopback or network cost the
 * model leaves out; the same constant calibrate subtracted); --overhead-target URL0 measures
 * that constant per rate instead, as the mean latency of a request that does no work (URL0)
 * driven at the same rate right before the measurement: on a small machine the overhead
 * changes with the rate (more wake-ups per second keep the CPUs awake) and with what else
 * runs, and a constant measured once at low load misses both. --wakeup T subtracts a wake-up
 * from that overhead (given or measured): a zero-work request pays one, and a model whose
 * services carry `wakeup` simulates it already. --plot draws mean and p99 of both sides
 * against the rate with gnuplot (svg or png terminal), when it is installed.
 *
 * Rejected: running the model in-process (the child process gets exactly the CLI's
 * semantics, --set parsing and warnings included, and cannot be disturbed by this one);
 * running model and load at the same time (the simulation would steal CPU from the
 * measured system on a small machine); a built-in plotter (gnuplot does it better when
 * present; the text chart is always printed).
 */
#define _DEFAULT_SOURCE /* getopt_long, mkdtemp */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "calibrate.h"
#include "cli.h"
#include "compare.h"
#include "units.h"
#include "xmalloc.h"

/* --- calibrate ------------------------------------------------------------------------------ */

static void print_meas(FILE *f, const char *label, const struct run_cal_meas *m) {
    fprintf(f, "%-9s mean %.4g ms", label, m->mean);
    for (int i = 0; i < RUN_CAL_NQ; i++)
        if (isfinite(m->q[i])) fprintf(f, ", p%g %.4g", run_cal_probs[i] * 100, m->q[i]);
    fputc('\n', f);
}

static int parse_ms(const char *flag, const char *v, double *out) {
    char *end;
    double x;

    errno = 0;
    x = strtod(v, &end);
    if (end != v && strcmp(end, "ms") == 0) end += 2;
    if (errno || end == v || *end || !(x >= 0) || !isfinite(x)) {
        fprintf(stderr, "archsim: %s: expected milliseconds >= 0 such as 0.2 or 0.2ms, got '%s'\n",
                flag, v);
        return -1;
    }
    *out = x;
    return 0;
}

/* A duration option (such as --wakeup 90us) in ms. */
static int parse_duration_ms(const char *flag, const char *v, double *out) {
    char why[128];
    int64_t ns;

    if (units_parse_duration(v, &ns, why, sizeof why)) {
        fprintf(stderr, "archsim: %s: '%s': %s\n", flag, v, why);
        return -1;
    }
    *out = (double)ns / 1e6;
    return 0;
}

/* Characters of s inside a single-quoted shell word: a quote is written '\'' (close, escaped
 * quote, open again). */
static void sh_chars(FILE *f, const char *s) {
    for (; *s; s++) {
        if (*s == '\'')
            fputs("'\\''", f);
        else
            fputc(*s, f);
    }
}

/* "--set 'components.COMP.KEY=VALUE'": the value as one shell word, whatever comp holds. */
static void sh_set(FILE *f, const char *comp, const char *key, const char *value) {
    fputs("--set 'components.", f);
    sh_chars(f, comp);
    fputc('.', f);
    sh_chars(f, key);
    fputc('=', f);
    sh_chars(f, value);
    fputc('\'', f);
}

/* s as a YAML mapping key: plain when it is made of letters, digits, '_' and '-' only (and
 * does not start with '-'), else single-quoted with a quote doubled. */
static void yaml_key(FILE *f, const char *s) {
    int plain = *s && *s != '-';

    for (const char *p = s; *p && plain; p++)
        plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                *p == '_' || *p == '-';
    if (plain) {
        fputs(s, f);
        return;
    }
    fputc('\'', f);
    for (; *s; s++) {
        if (*s == '\'') fputc('\'', f);
        fputc(*s, f);
    }
    fputc('\'', f);
}

int cmd_calibrate(int argc, char **argv) {
    enum {
        OPT_FROM = 256,
        OPT_COMP,
        OPT_ROW,
        OPT_OVF,
        OPT_OVROW,
        OPT_OV,
        OPT_YAML,
        OPT_SET,
        OPT_FIT,
        OPT_WAKE
    };
    static const struct option opts[] = {
        {"from", required_argument, NULL, OPT_FROM},
        {"wakeup", required_argument, NULL, OPT_WAKE},
        {"component", required_argument, NULL, OPT_COMP},
        {"row", required_argument, NULL, OPT_ROW},
        {"overhead-from", required_argument, NULL, OPT_OVF},
        {"overhead-row", required_argument, NULL, OPT_OVROW},
        {"overhead", required_argument, NULL, OPT_OV},
        {"yaml", no_argument, NULL, OPT_YAML},
        {"set-lines", no_argument, NULL, OPT_SET},
        {"fit", required_argument, NULL, OPT_FIT},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *from = NULL, *comp = NULL, *row = "total", *ovf = NULL, *ovrow = "total";
    const char *fit = NULL;
    const char *wake_arg = NULL;
    double overhead = 0, wakeup = 0, shift = 0, add = 0;
    int c, yaml = 0, set_lines = 0, have_ov = 0, pick;
    struct run_cal_meas m, ov;
    struct run_cal_result r;
    struct err err;
    char text[160], wake_text[32] = "";
    FILE *rep;

    err_clear(&err);
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
            case OPT_FROM:
                from = optarg;
                break;
            case OPT_COMP:
                comp = optarg;
                break;
            case OPT_ROW:
                row = optarg;
                break;
            case OPT_OVF:
                ovf = optarg;
                break;
            case OPT_OVROW:
                ovrow = optarg;
                break;
            case OPT_OV:
                if (parse_ms("--overhead", optarg, &overhead)) return CLI_EXIT_USAGE;
                have_ov = 1;
                break;
            case OPT_YAML:
                yaml = 1;
                break;
            case OPT_SET:
                set_lines = 1;
                break;
            case OPT_WAKE:
                if (parse_duration_ms("--wakeup", optarg, &wakeup)) return CLI_EXIT_USAGE;
                wake_arg = optarg;
                break;
            case OPT_FIT:
                if (strcmp(optarg, "exponential") && strcmp(optarg, "exp") &&
                    strcmp(optarg, "lognormal")) {
                    fprintf(stderr, "archsim: --fit: exponential or lognormal, got '%s'\n", optarg);
                    return CLI_EXIT_USAGE;
                }
                fit = optarg;
                break;
            case 'h':
                printf("usage: archsim calibrate --from SUMMARY.csv --component NAME\n"
                       "         [--row ROW] [--overhead-from SUMMARY.csv [--overhead-row ROW] | "
                       "--overhead MS]\n"
                       "         [--wakeup T] [--fit exponential|lognormal] [--yaml | "
                       "--set-lines]\n"
                       "fits NAME's service time to a low-load measurement (archload's "
                       "summary.csv, row ROW, default total)\n"
                       "minus the overhead (the mean latency of a zero-work run, or of its "
                       "row ROW when the\n"
                       "zero-work requests were a class of the same run; or MS); prints each "
                       "candidate's max relative\n"
                       "quantile error (p50, p90, p99, p99.9) and the best fit as a --set line "
                       "or YAML (only the fragment\n"
                       "on stdout with --yaml or --set-lines; the report then goes to "
                       "stderr).\n"
                       "--wakeup T (e.g. 90us: archtarget's /stats wakeup_mean_ms): an idle "
                       "worker's wake-up; the\n"
                       "fragment also sets NAME's wakeup, and the report gives the overhead "
                       "compare still adds\n"
                       "(the overhead minus the wake-up it contains)\n");
                return CLI_EXIT_OK;
            case ':':
                fprintf(stderr, "archsim: option '%s' needs a value\n", argv[optind - 1]);
                return CLI_EXIT_USAGE;
            default:
                fprintf(stderr, "archsim: unknown option '%s' (see archsim calibrate --help)\n",
                        argv[optind - 1]);
                return CLI_EXIT_USAGE;
        }
    }
    if (!from || !comp || optind != argc || (yaml && set_lines) || (ovf && have_ov)) {
        fprintf(stderr, "archsim: calibrate: usage: archsim calibrate --from SUMMARY.csv "
                        "--component NAME [--overhead-from SUMMARY.csv | --overhead MS] "
                        "[--yaml | --set-lines]\n");
        return CLI_EXIT_USAGE;
    }
    if (run_cal_read(from, row, &m, &err)) {
        report_error(&err);
        return CLI_EXIT_USAGE;
    }
    if (ovf) {
        if (run_cal_read(ovf, ovrow, &ov, &err)) {
            report_error(&err);
            return CLI_EXIT_USAGE;
        }
        overhead = ov.mean;
    }
    if (run_cal_split(ovf || have_ov, overhead, wakeup, &shift, &add, &err)) {
        report_error(&err);
        return CLI_EXIT_USAGE;
    }
    if (run_cal_fit(&m, shift, &r, &err)) {
        report_error(&err);
        return CLI_EXIT_USAGE;
    }
    rep = yaml || set_lines ? stderr : stdout;
    fprintf(rep, "measured  %s (row %s)\n", from, row);
    print_meas(rep, "latency", &m);
    if (ovf)
        fprintf(rep,
                "overhead  %.4g ms: mean latency of %s (row %s), subtracted from the mean "
                "and every percentile\n",
                overhead, ovf, ovrow);
    else
        fprintf(rep, "overhead  %.4g ms%s\n", overhead,
                have_ov ? " (--overhead)" : " (none given)");
    if (wake_arg) {
        int64_t ns = (int64_t)llround(wakeup * 1e6);
        units_format_duration(ns, wake_text, sizeof wake_text);
        if (ovf || have_ov)
            fprintf(rep,
                    "wakeup    %.4g ms (--wakeup): an idle worker's wake-up, contained once in "
                    "the overhead and\n"
                    "          once in the latency (they cancel); the model carries it as "
                    "wakeup, so compare adds\n"
                    "          overhead - wakeup = %.4g ms (--overhead %.4g, or "
                    "--overhead-target URL0 --wakeup %s)\n",
                    wakeup, add, add, wake_text);
        else
            fprintf(rep,
                    "wakeup    %.4g ms (--wakeup): an idle worker's wake-up, subtracted from the "
                    "mean and every\n"
                    "          percentile; the model carries it as wakeup\n",
                    wakeup);
    }
    print_meas(rep, "service", &r.service);
    fprintf(rep, "\n%-12s %9s %9s", "candidate", "mean_ms", "p99_ms");
    for (int i = 0; i < RUN_CAL_NQ; i++) {
        char h[32];
        snprintf(h, sizeof h, "p%g err", run_cal_probs[i] * 100);
        fprintf(rep, " %9s", h);
    }
    fprintf(rep, " %9s\n", "max|err|");
    for (int k = 0; k < RUN_CAL_NKINDS; k++) {
        const struct run_cal_fit *f = &r.fits[k];
        fprintf(rep, "%-12s", run_cal_kind_name(f->kind));
        if (!f->ok) {
            fprintf(rep, " cannot fit: %s\n", f->why);
            continue;
        }
        fprintf(rep, " %9.4g %9.4g", f->mean, f->p99);
        for (int i = 0; i < RUN_CAL_NQ; i++) {
            if (isfinite(f->rel[i]))
                fprintf(rep, " %+8.2f%%", f->rel[i] * 100);
            else
                fprintf(rep, " %9s", "-");
        }
        fprintf(rep, " %8.2f%%\n", f->max_rel * 100);
    }
    fprintf(rep,
            "best fit: %s (smallest max relative quantile error; err = (model - measured) "
            "/ measured)\n",
            run_cal_kind_name(r.fits[r.best].kind));
    pick = r.best;
    if (fit) {
        pick = strcmp(fit, "lognormal") == 0 ? RUN_CAL_LOGNORMAL : RUN_CAL_EXP;
        if (!r.fits[pick].ok) {
            fprintf(stderr, "archsim: calibrate: --fit %s: %s\n", fit, r.fits[pick].why);
            return CLI_EXIT_USAGE;
        }
        fprintf(rep, "written: %s (--fit)\n", run_cal_kind_name(r.fits[pick].kind));
    }
    run_cal_dist_text(&r.fits[pick], text, sizeof text);
    if (yaml) {
        fputs("components:\n  ", stdout);
        yaml_key(stdout, comp);
        printf(":\n    service_time: %s\n", text);
        if (wake_arg) printf("    wakeup: %s\n", wake_text);
    } else if (set_lines) {
        /* one override per line, as the text of a --set argument (a script quotes it) */
        printf("components.%s.service_time=%s\n", comp, text);
        if (wake_arg) printf("components.%s.wakeup=%s\n", comp, wake_text);
    } else {
        /* a command-line fragment: each argument one shell word, whatever the name holds */
        fputc('\n', stdout);
        sh_set(stdout, comp, "service_time", text);
        if (wake_arg) {
            fputc(' ', stdout);
            sh_set(stdout, comp, "wakeup", wake_text);
        }
        fputc('\n', stdout);
    }
    return CLI_EXIT_OK;
}

/* --- compare --scenario --target -------------------------------------------------------------- */

/* Run argv[0] with stdout and stderr to log; wait. Returns its exit status, -1 when it could not
 * run or was killed (reported). */
static int run_child(char *const *args, const char *log) {
    pid_t pid;
    int st;

    fflush(NULL);
    pid = fork();
    if (pid < 0) {
        fprintf(stderr, "archsim: fork: %s\n", strerror(errno));
        return -1;
    }
    if (pid == 0) {
        int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd >= 0) {
            dup2(fd, STDOUT_FILENO);
            dup2(fd, STDERR_FILENO);
            close(fd);
        }
        execv(args[0], args);
        fprintf(stderr, "archsim: cannot run %s: %s\n", args[0], strerror(errno));
        _exit(127);
    }
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR) return -1;
    if (WIFEXITED(st)) return WEXITSTATUS(st);
    fprintf(stderr, "archsim: %s ended by signal %d (output in %s)\n", args[0], WTERMSIG(st), log);
    return -1;
}

/* Say that the child `what` failed with status st (-1: it could not run or was killed, which
 * run_child reported): its own first non-empty lines of output in log (its error message: the
 * children run with -q, so what they print is mostly stderr), then where the rest is. */
static void report_child_failure(const char *what, int st, const char *log) {
    FILE *f = fopen(log, "r");
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int shown = 0;

    if (st > 0)
        fprintf(stderr, "archsim: %s failed (status %d)%s\n", what, st, f ? ":" : "");
    else
        fprintf(stderr, "archsim: %s failed%s\n", what, f ? ":" : "");
    while (f && shown < 5 && (len = getline(&line, &cap, f)) > 0) {
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = 0;
        if (len == 0) continue;
        fprintf(stderr, "  %s\n", line);
        shown++;
    }
    free(line);
    if (f) fclose(f);
    fprintf(stderr, "archsim: its output is in %s\n", log);
}

/* The directory of this executable, into buf. */
static int self_dir(char *buf, size_t n) {
    ssize_t len = readlink("/proc/self/exe", buf, n - 1);
    char *slash;

    if (len <= 0) return -1;
    buf[len] = 0;
    slash = strrchr(buf, '/');
    if (!slash) return -1;
    *slash = 0;
    return 0;
}

/* An executable named name on PATH (for gnuplot), into buf. */
static int on_path(const char *name, char *buf, size_t n) {
    const char *p = getenv("PATH");

    while (p && *p) {
        const char *colon = strchr(p, ':');
        size_t len = colon ? (size_t)(colon - p) : strlen(p);
        snprintf(buf, n, "%.*s/%s", (int)len, p, name);
        if (len && access(buf, X_OK) == 0) return 0;
        p = colon ? colon + 1 : NULL;
    }
    return -1;
}

/* Remove the files of dir and dir itself (one level: the outputs this command made). */
static void remove_tree(const char *dir) {
    DIR *d = opendir(dir);
    struct dirent *e;
    char path[PATH_MAX];

    if (!d) return;
    while ((e = readdir(d))) {
        struct stat sb;
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (lstat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
            remove_tree(path);
        else
            unlink(path);
    }
    closedir(d);
    rmdir(dir);
}

static void shift_latency(struct run_side *s, double ms) {
    for (size_t i = 0; i < s->ncomps; i++)
        for (int m = CMP_LAT_MEAN; m <= CMP_LAT_P999; m++)
            s->comps[i].m[m].mean += ms; /* NAN stays NAN */
}

struct point {
    double rate;     /* offered, 1/s; 0: the scenario's own */
    double x;        /* where the chart and the plot put it: rate, or the measured throughput */
    double overhead; /* ms added to the model's latencies at this rate */
    char dur[32];    /* -d at this rate: archload's, and the model's without --model-duration */
    double v[2][2];  /* [measured, model][mean, p99] of total, ms */
};

static void chart(FILE *f, const struct point *pts, size_t n) {
    static const char *const what[2] = {"latency_mean_ms", "latency_p99_ms"};
    const int width = 40;

    for (int k = 0; k < 2; k++) {
        double max = 0;
        for (size_t i = 0; i < n; i++)
            for (int s = 0; s < 2; s++)
                if (isfinite(pts[i].v[s][k]) && pts[i].v[s][k] > max) max = pts[i].v[s][k];
        fprintf(f, "\n%s of the total row vs rate (M measured, S simulated)\n", what[k]);
        for (size_t i = 0; i < n; i++)
            for (int s = 0; s < 2; s++) {
                double v = pts[i].v[s][k];
                int fill = isfinite(v) && max > 0 ? (int)(v / max * width + 0.5) : 0;
                if (s == 0)
                    fprintf(f, "  %8.6g/s M |", pts[i].x);
                else
                    fprintf(f, "  %10s S |", "");
                for (int j = 0; j < width; j++)
                    fputc(j < fill ? (s ? '=' : '#') : ' ', f);
                if (isfinite(v))
                    fprintf(f, " %.4g\n", v);
                else
                    fprintf(f, " -\n");
            }
    }
}

/* The plot's terminal for out's extension: "svg", "png", or NULL when neither. */
static const char *plot_kind(const char *out) {
    const char *ext = strrchr(out, '.');

    if (!ext || strchr(ext, '/')) return NULL;
    if (strcasecmp(ext, ".svg") == 0) return "svg";
    if (strcasecmp(ext, ".png") == 0) return "png";
    return NULL;
}

/* s as a gnuplot single-quoted string (a quote is doubled inside one). */
static void gp_string(FILE *f, const char *s) {
    fputc('\'', f);
    for (; *s; s++) {
        if (*s == '\'') fputc('\'', f);
        fputc(*s, f);
    }
    fputc('\'', f);
}

/* A data value, "-" (declared missing) when there is none. */
static void gp_value(FILE *f, double v) {
    if (isfinite(v))
        fprintf(f, " %.9g", v);
    else
        fputs(" -", f);
}

/* Mean and p99 of measurement and model against the rate, through gnuplot, into out (.svg or
 * .png). Returns 0 when written or when gnuplot is not installed (noted on stdout), -1 when
 * gnuplot failed (its output is in dir/gnuplot.log). */
static int plot(const char *out, const char *dir, const char *scn, const struct point *pts,
                size_t n) {
    char gp[PATH_MAX], data[PATH_MAX + 32], script[PATH_MAX + 32], log[PATH_MAX + 32];
    const char *kind = plot_kind(out);
    struct stat sb;
    FILE *f;

    if (on_path("gnuplot", gp, sizeof gp)) {
        printf("note: gnuplot is not installed; --plot %s skipped\n", out);
        return 0;
    }
    snprintf(data, sizeof data, "%s/plot.dat", dir);
    snprintf(script, sizeof script, "%s/plot.gp", dir);
    snprintf(log, sizeof log, "%s/gnuplot.log", dir);
    f = fopen(data, "w");
    if (!f) {
        fprintf(stderr, "archsim: %s: %s\n", data, strerror(errno));
        return -1;
    }
    fprintf(f, "# rate_per_s mean_measured_ms mean_simulated_ms p99_measured_ms "
               "p99_simulated_ms\n");
    for (size_t i = 0; i < n; i++) {
        gp_value(f, pts[i].x);
        gp_value(f, pts[i].v[0][0]);
        gp_value(f, pts[i].v[1][0]);
        gp_value(f, pts[i].v[0][1]);
        gp_value(f, pts[i].v[1][1]);
        fputc('\n', f);
    }
    if (fclose(f)) {
        fprintf(stderr, "archsim: writing %s: %s\n", data, strerror(errno));
        return -1;
    }
    f = fopen(script, "w");
    if (!f) {
        fprintf(stderr, "archsim: %s: %s\n", script, strerror(errno));
        return -1;
    }
    /* The title names the scenario file, noenhanced so that a '_' in it stays a '_' (the
     * series names stay enhanced: the svg terminal then also writes them as <title>s); the
     * offsets keep the end points' markers inside the frame; measured solid, simulated
     * dashed, one colour per statistic. */
    fprintf(f, "set terminal %s size 800,500\nset output ",
            strcmp(kind, "png") == 0 ? "pngcairo" : "svg");
    gp_string(f, out);
    fputs("\nset title ", f);
    {
        char title[PATH_MAX + 96];
        const char *base = strrchr(scn, '/');
        snprintf(title, sizeof title, "latency vs load: measured (archload) and simulated (%s)",
                 base ? base + 1 : scn);
        gp_string(f, title);
    }
    fputs(" noenhanced\nset xlabel 'offered rate (requests/s)'\nset ylabel 'latency (ms)'\n"
          "set datafile missing '-'\nset key top left box\nset grid\n"
          "set yrange [0:*]\nset offsets graph 0.05, graph 0.05, graph 0.1, 0\nplot ",
          f);
    gp_string(f, data);
    fputs(" u 1:2 w lp lw 2 pt 7 lc rgb '#1f77b4' t 'mean, measured', \\\n"
          "  '' u 1:3 w lp lw 2 pt 6 dt 2 lc rgb '#1f77b4' t 'mean, simulated', \\\n"
          "  '' u 1:4 w lp lw 2 pt 5 lc rgb '#d62728' t 'p99, measured', \\\n"
          "  '' u 1:5 w lp lw 2 pt 4 dt 2 lc rgb '#d62728' t 'p99, simulated'\n",
          f);
    if (fclose(f)) {
        fprintf(stderr, "archsim: writing %s: %s\n", script, strerror(errno));
        return -1;
    }
    {
        char *args[] = {gp, script, NULL};
        /* gnuplot exits 0 after some errors (a bad output path is only a warning): the file
         * must exist and not be empty */
        unlink(out);
        if (run_child(args, log) != 0 || stat(out, &sb) || sb.st_size == 0) {
            fprintf(stderr, "archsim: gnuplot did not write %s (see %s and %s)\n", out, script,
                    log);
            return -1;
        }
    }
    printf("plot written to %s\n", out);
    return 0;
}

/* "--set rate_set" (when not NULL) and "--set S" for each of sets, into args from na on;
 * returns the next free index. Shared by the model's and archload's command lines. */
static size_t put_sets(const char **args, size_t na, const char *rate_set, const char *const *sets,
                       size_t nsets) {
    if (rate_set) {
        args[na++] = "--set";
        args[na++] = rate_set;
    }
    for (size_t i = 0; i < nsets; i++) {
        args[na++] = "--set";
        args[na++] = sets[i];
    }
    return na;
}

/* archload's arguments for one run into args (room for 2 nsets + 24): the scenario's workload
 * with rate_set (NULL: its own rate) and sets, for dur, the first warm left out, CSV to csv. */
static void load_args(const char **args, const char *archload, const char *scn,
                      const char *rate_set, const char *const *sets, size_t nsets, const char *dur,
                      const char *warm, const char *csv, const char *url) {
    size_t na = 0;

    args[na++] = archload;
    args[na++] = "--scenario";
    args[na++] = scn;
    na = put_sets(args, na, rate_set, sets, nsets);
    args[na++] = "-d";
    args[na++] = dur;
    args[na++] = "--warmup";
    args[na++] = warm;
    args[na++] = "-q";
    args[na++] = "--csv";
    args[na++] = csv;
    args[na++] = url;
    args[na] = NULL;
}

/* The model run's arguments into args (room for 2 nsets + 24): this binary's `run` of the
 * scenario with rate_set (NULL: its own rate) and sets, -R reps when reps is not NULL, for dur
 * with the first warm left out (the measurement's warm-up), CSV to csv. */
static void model_args(const char **args, const char *archsim, const char *scn,
                       const char *rate_set, const char *const *sets, size_t nsets,
                       const char *reps, const char *dur, const char *warm, const char *csv) {
    size_t na = 0;

    args[na++] = archsim;
    args[na++] = "run";
    args[na++] = scn;
    args[na++] = "-q";
    na = put_sets(args, na, rate_set, sets, nsets);
    if (reps) {
        args[na++] = "-R";
        args[na++] = reps;
    }
    args[na++] = "-d";
    args[na++] = dur;
    args[na++] = "--warmup";
    args[na++] = warm;
    args[na++] = "--csv";
    args[na++] = csv;
    args[na] = NULL;
}

/* Where one rate's runs go under dir, and its --set of the rate. */
struct rate_paths {
    char sub[PATH_MAX + 32];                                              /* dir/rate-R */
    char model[PATH_MAX + 64], load[PATH_MAX + 64], ovdir[PATH_MAX + 64]; /* sub/... */
    char rate_set[96];                                                    /* workload.rate=R/s */
};

/* Fill p for rate (1/s; 0: the scenario's own rate). Returns p->rate_set, or NULL for rate 0
 * (no --set: the scenario's rate). */
static const char *rate_paths(struct rate_paths *p, const char *dir, double rate) {
    snprintf(p->sub, sizeof p->sub, "%s/rate-%.9g", dir, rate);
    snprintf(p->model, sizeof p->model, "%s/model", p->sub);
    snprintf(p->load, sizeof p->load, "%s/load", p->sub);
    snprintf(p->ovdir, sizeof p->ovdir, "%s/overhead", p->sub);
    snprintf(p->rate_set, sizeof p->rate_set, "workload.rate=%.9g/s", rate);
    return rate > 0 ? p->rate_set : NULL;
}

/* args (NULL-terminated) as one line of shell words: a word with characters the shell would
 * read otherwise is single-quoted, so the line can be pasted to run the same command. */
static void print_cmd(FILE *f, const char *const *args) {
    for (size_t i = 0; args[i]; i++) {
        const char *a = args[i];
        int plain = *a != 0;
        for (const char *p = a; *p && plain; p++)
            plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                    (*p >= '0' && *p <= '9') || strchr("_-+./:=,@%", *p);
        if (i) fputc(' ', f);
        if (plain) {
            fputs(a, f);
        } else {
            fputc('\'', f);
            sh_chars(f, a);
            fputc('\'', f);
        }
    }
    fputc('\n', f);
}

/* The mean latency (ms) of the total row of path's summary.csv; NAN (reported) when there is
 * none. */
static double total_mean(const char *path) {
    struct run_side s;
    const struct run_side_comp *c;
    struct err err;
    double v = NAN;

    memset(&s, 0, sizeof s);
    err_clear(&err);
    if (run_side_load(path, &s, &err)) {
        report_error(&err);
        return NAN;
    }
    c = run_side_find(&s, "total");
    if (c) v = c->m[CMP_LAT_MEAN].mean;
    if (!isfinite(v)) fprintf(stderr, "archsim: %s: no mean latency in a total row\n", path);
    run_side_free(&s);
    return v;
}

int cli_compare_target(int argc, char **argv) {
    enum {
        OPT_SCN = 256,
        OPT_TARGET,
        OPT_RATES,
        OPT_AL,
        OPT_OV,
        OPT_OVT,
        OPT_OVD,
        OPT_PLOT,
        OPT_SET,
        OPT_WARM,
        OPT_MAXREL,
        OPT_CSV,
        OPT_REPS,
        OPT_WAKE,
        OPT_MDUR
    };
    static const struct option opts[] = {
        {"scenario", required_argument, NULL, OPT_SCN},
        {"target", required_argument, NULL, OPT_TARGET},
        {"rates", required_argument, NULL, OPT_RATES},
        {"duration", required_argument, NULL, 'd'},
        {"warmup", required_argument, NULL, OPT_WARM},
        {"archload", required_argument, NULL, OPT_AL},
        {"overhead", required_argument, NULL, OPT_OV},
        {"overhead-target", required_argument, NULL, OPT_OVT},
        {"overhead-duration", required_argument, NULL, OPT_OVD},
        {"plot", required_argument, NULL, OPT_PLOT},
        {"set", required_argument, NULL, OPT_SET},
        {"max-rel-error", required_argument, NULL, OPT_MAXREL},
        {"csv", required_argument, NULL, OPT_CSV},
        {"replications", required_argument, NULL, OPT_REPS},
        {"wakeup", required_argument, NULL, OPT_WAKE},
        {"model-duration", required_argument, NULL, OPT_MDUR},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *scn = NULL, *url = NULL, *rates = NULL, *dur = "5s", *warm = "1s", *plot_out = NULL;
    const char *keep = NULL, *reps = NULL, *ov_url = NULL, *ov_dur = "3s", *wake_arg = NULL;
    const char *mdur = NULL; /* --model-duration: the model's -d at every rate, else archload's */
    char archload[PATH_MAX + 16] = "", archsim[PATH_MAX + 16], dir[PATH_MAX] = "",
                             tmpl[PATH_MAX] = "";
    const char **sets = xcalloc((size_t)argc + 1, sizeof *sets);
    const char **args = xcalloc(2 * (size_t)argc + 24, sizeof *args);
    size_t nsets = 0, npts = 0, over = 0;
    double overhead = 0, max_rel = -1, wakeup = 0;
    struct point *pts = NULL;
    int c, rc = CLI_EXIT_USAGE, have_ov = 0;
    char why[128];
    int64_t ns, warm_ns, ov_ns, mdur_ns = 0;

    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":d:R:h", opts, NULL)) != -1) {
        switch (c) {
            case OPT_SCN:
                scn = optarg;
                break;
            case OPT_TARGET:
                url = optarg;
                break;
            case OPT_RATES:
                rates = optarg;
                break;
            case 'd':
                dur = optarg;
                break;
            case OPT_MDUR:
                mdur = optarg;
                break;
            case OPT_WARM:
                warm = optarg;
                break;
            case OPT_AL:
                snprintf(archload, sizeof archload, "%s", optarg);
                break;
            case OPT_OV:
                if (parse_ms("--overhead", optarg, &overhead)) goto out;
                have_ov = 1;
                break;
            case OPT_OVT:
                ov_url = optarg;
                break;
            case OPT_WAKE:
                if (parse_duration_ms("--wakeup", optarg, &wakeup)) goto out;
                wake_arg = optarg;
                break;
            case OPT_OVD:
                ov_dur = optarg;
                break;
            case OPT_PLOT:
                if (!plot_kind(optarg)) {
                    fprintf(stderr,
                            "archsim: --plot: '%s': the file name must end in .svg or "
                            ".png\n",
                            optarg);
                    goto out;
                }
                plot_out = optarg;
                break;
            case OPT_SET:
                sets[nsets++] = optarg;
                break;
            case OPT_MAXREL:
                if (units_parse_fraction(optarg, &max_rel, why, sizeof why)) {
                    fprintf(stderr, "archsim: --max-rel-error: %s\n", why);
                    goto out;
                }
                break;
            case OPT_CSV:
                keep = optarg;
                break;
            case 'R':
            case OPT_REPS:
                reps = optarg;
                break;
            case 'h':
                printf("usage: archsim compare --scenario FILE --target URL [--rates R1,R2,...]\n"
                       "         [-d T | -d T1,T2,...] [--warmup T] [--model-duration T] "
                       "[--archload PATH]\n"
                       "         [--overhead MS | --overhead-target URL0 [--overhead-duration T]] "
                       "[--wakeup T]\n"
                       "         [--set PATH=VALUE]... [-R N] [--csv DIR] [--max-rel-error X]\n"
                       "         [--plot FILE.svg|FILE.png]\n"
                       "per rate: simulate FILE with workload.rate=R, measure URL with archload "
                       "(same workload, for T,\n"
                       "default 5s, or T1 at R1, T2 at R2...; the first --warmup T left out, "
                       "default 1s), and print\n"
                       "measured (A) against simulated (B). The model runs the same -d and "
                       "--warmup (the \"model:\" lines\n"
                       "show its commands); --model-duration T simulates T at every rate "
                       "instead, after the same\n"
                       "warm-up (simulated time is cheap: a longer run lowers the model's own "
                       "noise).\n"
                       "--overhead MS is added to the simulated latencies; "
                       "--overhead-target URL0\n"
                       "measures it at each rate instead: the mean latency of URL0 (a request "
                       "that does no work)\n"
                       "driven at the same rate for T (default 3s) right before the "
                       "measurement.\n"
                       "--wakeup T: the model's services carry an idle worker's wake-up "
                       "(wakeup: T), which a zero-work\n"
                       "request paid too: it is subtracted from the overhead before that is "
                       "added\n");
                rc = CLI_EXIT_OK;
                goto out;
            case ':':
                fprintf(stderr, "archsim: option '%s' needs a value\n", argv[optind - 1]);
                goto out;
            default:
                fprintf(stderr, "archsim: unknown option '%s' (see archsim compare --help)\n",
                        argv[optind - 1]);
                goto out;
        }
    }
    if (!scn || !url || optind != argc) {
        fprintf(stderr, "archsim: compare: usage: archsim compare --scenario FILE --target URL "
                        "[--rates R1,R2,...] [-d T]\n");
        goto out;
    }
    if (have_ov && ov_url) {
        fprintf(stderr, "archsim: compare: --overhead and --overhead-target exclude each other\n");
        goto out;
    }
    if (wake_arg && !have_ov && !ov_url) {
        fprintf(stderr, "archsim: compare: --wakeup is subtracted from the overhead: give "
                        "--overhead or --overhead-target too\n");
        goto out;
    }
    if (have_ov && overhead < wakeup) {
        fprintf(stderr,
                "archsim: compare: --overhead %.4g ms is below --wakeup %.4g ms (the overhead "
                "is a zero-work request's latency, which contains one wake-up)\n",
                overhead, wakeup);
        goto out;
    }
    if (units_parse_duration(warm, &warm_ns, why, sizeof why)) {
        fprintf(stderr, "archsim: --warmup: %s\n", why);
        goto out;
    }
    if (ov_url && units_parse_duration(ov_dur, &ov_ns, why, sizeof why)) {
        fprintf(stderr, "archsim: --overhead-duration: %s\n", why);
        goto out;
    }
    if (ov_url && ov_ns <= warm_ns) {
        fprintf(stderr, "archsim: --overhead-duration: must be longer than --warmup\n");
        goto out;
    }
    if (mdur && units_parse_duration(mdur, &mdur_ns, why, sizeof why)) {
        fprintf(stderr, "archsim: --model-duration: '%s': %s\n", mdur, why);
        goto out;
    }
    if (mdur && mdur_ns <= warm_ns) {
        fprintf(stderr, "archsim: --model-duration: '%s': must be longer than --warmup\n", mdur);
        goto out;
    }
    if (self_dir(archsim, PATH_MAX)) {
        fprintf(stderr, "archsim: cannot find this executable (/proc/self/exe)\n");
        goto out;
    }
    if (!archload[0]) snprintf(archload, sizeof archload, "%.*s/archload", PATH_MAX, archsim);
    strncat(archsim, "/archsim", sizeof archsim - strlen(archsim) - 1);
    if (access(archload, X_OK)) {
        fprintf(stderr, "archsim: %s: not an executable (give --archload PATH)\n", archload);
        goto out;
    }
    if (keep) {
        if (cli_make_dir(keep)) goto out;
        snprintf(dir, sizeof dir, "%s", keep);
    } else {
        const char *t = getenv("TMPDIR");
        snprintf(tmpl, sizeof tmpl, "%s/archsim-compare.XXXXXX", t && *t ? t : "/tmp");
        if (!mkdtemp(tmpl)) {
            fprintf(stderr, "archsim: mkdtemp %s: %s\n", tmpl, strerror(errno));
            goto out;
        }
        snprintf(dir, sizeof dir, "%s", tmpl);
    }
    /* The rates: the scenario's own when --rates is not given (rate 0: left as it is). */
    {
        const char *p = rates ? rates : "";
        char item[64];
        do {
            size_t len = strcspn(p, ",");
            double r = 0;
            /* a bare number is per second, as archload's --rate takes it */
            snprintf(item, sizeof item, "%.*s%s", (int)len, p, memchr(p, '/', len) ? "" : "/s");
            if (rates && (units_parse_rate(item, &r, why, sizeof why) || !(r > 0))) {
                fprintf(stderr, "archsim: --rates: '%s': %s\n", item,
                        r > 0 ? why : "expected a rate > 0 such as 1000 or 1000/s");
                goto out;
            }
            pts = xrealloc(pts, (npts + 1) * sizeof *pts);
            memset(&pts[npts], 0, sizeof *pts);
            pts[npts].rate = pts[npts].x = r;
            pts[npts++].overhead = overhead - wakeup;
            p += len + (p[len] == ',');
        } while (*p);
    }
    /* The durations: one for every rate, or one per rate (near saturation a run needs to be
     * longer for the same precision: the noise of a mean grows like 1 / (1 - rho)^2). */
    {
        const char *p = dur;
        size_t n = 0;
        do {
            size_t len = strcspn(p, ",");
            char item[sizeof pts->dur];
            snprintf(item, sizeof item, "%.*s", (int)len, p);
            if (units_parse_duration(item, &ns, why, sizeof why)) {
                fprintf(stderr, "archsim: --duration: '%s': %s\n", item, why);
                goto out;
            }
            if (ns <= warm_ns) {
                fprintf(stderr, "archsim: --duration: '%s': must be longer than --warmup\n", item);
                goto out;
            }
            /* the first fills every rate; the next ones overwrite from their own on */
            for (size_t k = n; k < npts; k++)
                memcpy(pts[k].dur, item, sizeof item);
            n++;
            p += len + (p[len] == ',');
        } while (*p);
        if (n != 1 && n != npts) {
            fprintf(stderr,
                    "archsim: --duration: %zu durations for %zu rates (give one, or one "
                    "per rate)\n",
                    n, npts);
            goto out;
        }
    }

    /* The exact commands at each rate: the model runs the measurement's window (-d, or
     * --model-duration, after the same --warmup), so both sides leave out the same start and a
     * scenario whose load or failures change with time is the same system on both; the
     * overhead run (with --overhead-target) goes right before the measurement. */
    for (size_t k = 0; k < npts; k++) {
        struct rate_paths rp;
        const char *rs = rate_paths(&rp, dir, pts[k].rate);

        model_args(args, archsim, scn, rs, sets, nsets, reps, mdur ? mdur : pts[k].dur, warm,
                   rp.model);
        printf("model:       ");
        print_cmd(stdout, args);
        if (ov_url) {
            load_args(args, archload, scn, rs, sets, nsets, ov_dur, warm, rp.ovdir, ov_url);
            printf("overhead:    ");
            print_cmd(stdout, args);
        }
        load_args(args, archload, scn, rs, sets, nsets, pts[k].dur, warm, rp.load, url);
        printf("measurement: ");
        print_cmd(stdout, args);
    }
    if (ov_url)
        printf("overhead:    per rate, the mean latency of the overhead run%s%s%s, added to the "
               "simulated latencies\n",
               wake_arg ? " minus the wake-up " : "", wake_arg ? wake_arg : "",
               wake_arg ? " the model simulates" : "");
    else if (wake_arg)
        printf("overhead:    %.4g ms minus the wake-up %s the model simulates: %.4g ms added to "
               "the simulated latencies\n",
               overhead, wake_arg, overhead - wakeup);
    else if (overhead > 0)
        printf("overhead:    %.4g ms added to the simulated latencies\n", overhead);
    for (size_t k = 0; k < npts && !cli_stop; k++) {
        char log[PATH_MAX + 64], msum[PATH_MAX + 96], lsum[PATH_MAX + 96];
        struct rate_paths rp;
        const char *rs = rate_paths(&rp, dir, pts[k].rate);
        const char *sub = rp.sub, *model = rp.model, *load = rp.load, *ovdir = rp.ovdir;
        struct run_side a, b;
        struct err err;
        int st;

        memset(&a, 0, sizeof a);
        memset(&b, 0, sizeof b);
        err_clear(&err);
        if (cli_make_dir(sub)) goto out;

        model_args(args, archsim, scn, rs, sets, nsets, reps, mdur ? mdur : pts[k].dur, warm,
                   model);
        snprintf(log, sizeof log, "%s/model.log", sub);
        if ((st = run_child((char *const *)args, log)) != 0) {
            report_child_failure("the model run", st, log);
            keep = dir; /* keep the evidence */
            goto out;
        }

        /* the overhead right before the measurement, so both see the same machine */
        if (ov_url) {
            load_args(args, archload, scn, rs, sets, nsets, ov_dur, warm, ovdir, ov_url);
            snprintf(log, sizeof log, "%s/overhead.log", sub);
            if ((st = run_child((char *const *)args, log)) != 0) {
                char what[PATH_MAX + 32];
                snprintf(what, sizeof what, "archload on %s", ov_url);
                report_child_failure(what, st, log);
                keep = dir;
                goto out;
            }
            snprintf(lsum, sizeof lsum, "%s/summary.csv", ovdir);
            pts[k].overhead = total_mean(lsum);
            if (!isfinite(pts[k].overhead)) {
                keep = dir;
                goto out;
            }
            pts[k].overhead -= wakeup;
        }

        load_args(args, archload, scn, rs, sets, nsets, pts[k].dur, warm, load, url);
        snprintf(log, sizeof log, "%s/load.log", sub);
        if ((st = run_child((char *const *)args, log)) != 0) {
            report_child_failure("archload", st, log);
            keep = dir;
            goto out;
        }

        snprintf(lsum, sizeof lsum, "%s/summary.csv", load);
        snprintf(msum, sizeof msum, "%s/summary.csv", model);
        if (run_side_load(lsum, &a, &err) || run_side_load(msum, &b, &err)) {
            report_error(&err);
            run_side_free(&a);
            run_side_free(&b);
            keep = dir;
            goto out;
        }
        {
            /* A measurement without one success (the target down, refusing, or answering
             * errors only) has no latency to hold the model against: a failed run, not a
             * table of dashes. */
            const struct run_side_comp *t = run_side_find(&a, "total");
            if (t && t->m[CMP_ERROR_RATE].mean >= 1) {
                fprintf(stderr,
                        "archsim: archload got no successful response from %s (error rate 1): "
                        "is the target up? Its results are in %s\n",
                        url, load);
                run_side_free(&a);
                run_side_free(&b);
                keep = dir;
                goto out;
            }
        }
        shift_latency(&b, pts[k].overhead);
        if (pts[k].rate > 0)
            printf("\n== rate %.6g/s: A measured (archload), B simulated (archsim) ==\n",
                   pts[k].rate);
        else
            printf("\n== the scenario's rate: A measured (archload), B simulated (archsim) ==\n");
        if (ov_url && wake_arg)
            printf("overhead %.4g ms (mean latency of %s at this rate) minus the wake-up %.4g ms "
                   "the model simulates: %.4g ms added to B's latencies\n",
                   pts[k].overhead + wakeup, ov_url, wakeup, pts[k].overhead);
        else if (ov_url)
            printf("overhead %.4g ms (mean latency of %s at this rate), added to B's latencies\n",
                   pts[k].overhead, ov_url);
        printf("%-14s %-16s %22s %22s %12s %9s\n", "component", "metric", "A", "B", "B-A", "rel");
        for (int s = 0; s < 2; s++)
            pts[k].v[s][0] = pts[k].v[s][1] = NAN;
        for (size_t i = 0; i < a.ncomps; i++) {
            const struct run_side_comp *ca = &a.comps[i], *cb = run_side_find(&b, ca->component);
            if (!cb) continue;
            if (strcmp(ca->component, "total") == 0) {
                pts[k].v[0][0] = ca->m[CMP_LAT_MEAN].mean;
                pts[k].v[1][0] = cb->m[CMP_LAT_MEAN].mean;
                pts[k].v[0][1] = ca->m[CMP_LAT_P99].mean;
                pts[k].v[1][1] = cb->m[CMP_LAT_P99].mean;
                /* the scenario's own rate: place the point at the measured throughput */
                if (!(pts[k].rate > 0)) pts[k].x = ca->m[CMP_THROUGHPUT].mean;
            }
            for (int m = 0; m < CMP_NMETRICS; m++) {
                struct run_cmp r;
                char ta[64] = "-", tb[64] = "-", diff[32] = "-", rel[32] = "-";
                if (!isfinite(ca->m[m].mean) && !isfinite(cb->m[m].mean)) continue;
                run_cmp_pair(&ca->m[m], &cb->m[m], &r);
                if (isfinite(ca->m[m].mean)) snprintf(ta, sizeof ta, "%.6g", ca->m[m].mean);
                if (isfinite(cb->m[m].mean)) {
                    if (isfinite(cb->m[m].half))
                        snprintf(tb, sizeof tb, "%.6g ± %.3g", cb->m[m].mean, cb->m[m].half);
                    else
                        snprintf(tb, sizeof tb, "%.6g", cb->m[m].mean);
                }
                if (!isnan(r.abs)) snprintf(diff, sizeof diff, "%.6g", r.abs);
                if (isinf(r.rel))
                    snprintf(rel, sizeof rel, "inf");
                else if (!isnan(r.rel))
                    snprintf(rel, sizeof rel, "%+.2f%%", r.rel * 100);
                printf("%-14s %-16s %22s %22s %12s %9s\n", ca->component,
                       run_cmp_metric_name((enum run_cmp_metric)m), ta, tb, diff, rel);
                if (max_rel >= 0 && !isnan(r.rel) && !(fabs(r.rel) <= max_rel)) {
                    over++;
                    fprintf(stderr,
                            "archsim: rate %.6g/s: %s %s differs by %+.3g%%, more than "
                            "%.3g%%\n",
                            pts[k].rate, ca->component, run_cmp_metric_name((enum run_cmp_metric)m),
                            r.rel * 100, max_rel * 100);
                }
            }
        }
        run_side_free(&a);
        run_side_free(&b);
    }
    chart(stdout, pts, npts);
    rc = cli_stop ? CLI_EXIT_INTERRUPTED : over ? 1 : CLI_EXIT_OK;
    if (plot_out && !cli_stop && plot(plot_out, dir, scn, pts, npts)) rc = CLI_EXIT_USAGE;
    if (keep) printf("\noutputs in %s/rate-*/{model,load}\n", dir);
out:
    if (!keep && dir[0] && strncmp(dir, tmpl, sizeof dir) == 0) remove_tree(dir);
    free(pts);
    free(args);
    free(sets);
    return rc;
}
