/*
 * archload — main: command line, signals, output files and exit status. See `archload --help`
 * and docs/loadgen.md. The run itself is engine.c; this file only turns flags (and a
 * scenario's workload) into a plan, and results into text, CSV and interval logs.
 *
 * Precedence: built-in defaults, then the scenario (--scenario), then explicit flags.
 * Rejected: a configuration file format of archload's own (an archsim scenario already
 * describes a workload, and sharing it is the point); applying the scenario after the flags
 * (it would silently override what the user typed).
 * Exit status: 0 success, 1 a threshold failed, 2 usage or input error, 130 interrupted with
 * every threshold passing (results are still printed and written).
 *
 * --tui: the live view (sim/tui/ui_load) runs on this thread, because curses, SIGWINCH and the
 * terminal belong here; engine_run moves to a thread of its own with every signal blocked, so
 * SIGINT/SIGTERM still land here. The interval hook (on the engine's coordinator thread) adds
 * each interval into a struct live under a mutex; the view copies it 10 times a second. q
 * stops the run as a first SIGINT does (stop_level = 1: stop sending, drain), but exits 0.
 * Rejected: the view polling the engine's per-thread tallies (they hold histograms owned by the
 * workers; the interval hand-over already merges them once a second under the engine's lock).
 * Without --tui, when stderr is a terminal, the hook draws a one-line progress bar there.
 */
#define _DEFAULT_SOURCE /* getopt_long */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "csv_out.h"
#include "engine.h"
#include "hdrlog.h"
#include "plan.h"
#include "run.h"
#include "scn.h"
#include "summary.h"
#include "thresh.h"
#include "ui_load.h"
#include "units.h"
#include "xmalloc.h"

#ifndef ARCHSIM_VERSION
#define ARCHSIM_VERSION "0.1.0"
#endif

#define EXIT_THRESHOLD   1
#define EXIT_USAGE       2
#define EXIT_INTERRUPTED 130
#define DEFAULT_OPEN_CAP 256
#define DEFAULT_CLOSED   10

/* Set by the SIGINT/SIGTERM handler: 1 after the first signal (stop sending, drain), 2 after
 * the second (abort). The only mutable global: a signal handler can reach nothing else. */
static volatile sig_atomic_t stop_level;

static void on_signal(int sig) {
    (void)sig;
    if (stop_level < 2) stop_level++;
}

static void usage(FILE *f) {
    fputs("usage: archload [options] URL\n"
          "       archload --scenario FILE [--set PATH=VALUE]... [options] URL\n"
          "       archload --scenario FILE --target URL [options]\n"
          "\n"
          "model (open with --rate or --phase, closed otherwise):\n"
          "  -r, --rate R              open model: R requests/s in total (e.g. 2000 or 2000/s)\n"
          "      --phase D@R[..R2]     open model phase, repeatable: R for D, or a ramp R..R2\n"
          "      --arrivals KIND       constant (evenly spaced, default) or poisson\n"
          "  -c, --connections N       closed: N connections; open: the most used at once\n"
          "                            (default 10 closed, 256 open)\n"
          "      --think DIST          closed: pause after each answer (10ms, exp(10ms), ...)\n"
          "  -d, --duration T          how long to send (default 10s, or the phases' total)\n"
          "  -n, --requests N          send N requests in total, then stop\n"
          "      --warmup T            leave the first T out of the results\n"
          "      --timeout T           per-request timeout (default 10s)\n"
          "  -t, --threads N           worker threads (default: the number of cores)\n"
          "  -s, --seed N              seed of the Poisson schedule, classes and keys (default 1)\n"
          "      --segment I/N         send only share I of N of the schedule (0 <= I < N)\n"
          "\n"
          "requests:\n"
          "  -X, --method M            HTTP method (default GET)\n"
          "  -H, --header 'K: V'       add a header (repeatable); Authorization and Cookie\n"
          "                            values are never printed\n"
          "      --body TEXT           request body\n"
          "      --body-file FILE      request body from a file\n"
          "      --scenario FILE       take the workload (rate or phases or users, classes,\n"
          "                            keys, duration, warm-up, seed) from an archsim scenario\n"
          "      --set PATH=VALUE      override a scenario value\n"
          "      --target URL          the URL (base URL with --scenario), instead of the\n"
          "                            positional URL\n"
          "      --class 'NAME=METHOD PATH'  what a scenario class sends (path may use {key})\n"
          "      --keys DIST           keys for {key}: uniform(n=1000), zipf(s=1.0, n=1e6),\n"
          "                            hotspot(n=1e6, hot=1%, share=90%) (default: the index)\n"
          "  -k, --insecure            https: do not verify the certificate or host name\n"
          "      --cacert FILE         https: trust the certificates in FILE (PEM)\n"
          "\n"
          "output:\n"
          "      --csv DIR             write DIR/summary.csv and DIR/timeseries.csv\n"
          "      --interval T          time series step (default 1s)\n"
          "      --latency             print the percentile spectrum (wrk2 layout)\n"
          "      --hdr-log FILE        write an HdrHistogram interval log\n"
          "      --threshold EXPR      pass/fail check, repeatable: 'p99<250ms',\n"
          "                            'error_rate<1%', 'rps>900', 'svc_p99<5ms'\n"
          "      --abort-on-fail       stop as soon as a threshold fails\n"
          "      --tui                 live view: throughput and p99 charts, status codes,\n"
          "                            errors (q stops the run, space freezes the display)\n"
          "  -q, --quiet               no summary table\n"
          "  -h, --help                this help\n"
          "  -V, --version             print the version\n"
          "\n"
          "exit status: 0 success, 1 a threshold failed, 2 usage or input error, 130 interrupted\n"
          "(Ctrl-C once: stop sending and wait for answers; twice: stop at once; results are\n"
          "printed and written either way)\n",
          f);
}

struct opts {
    const char *url, *scenario, *csv, *hdr_log, *cacert, *method, *body, *body_file, *think, *keys;
    const char **sets, **headers, **classes, **phases, **thresholds;
    size_t nsets, nheaders, nclasses, nphases, nthresholds;
    int has_rate, has_conns, has_threads, has_duration, has_count, has_warmup, has_timeout,
        has_seed, has_segment, has_interval;
    double rate;
    unsigned long long conns, threads, count, seed, seg_i, seg_n;
    int64_t duration, warmup, timeout, interval;
    int arrivals; /* -1 unset, 0 constant, 1 poisson */
    int latency, abort_on_fail, insecure, quiet, tui;
};

static void push(const char ***list, size_t *n, const char *v) {
    *list = xrealloc((void *)*list, (*n + 1) * sizeof **list);
    (*list)[(*n)++] = v;
}

/* Print "archload: MESSAGE" to stderr; returns -1. */
static int bad(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int bad(const char *fmt, ...) {
    va_list ap;

    fprintf(stderr, "archload: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return -1;
}

static int parse_count(const char *flag, const char *v, unsigned long long min,
                       unsigned long long max, unsigned long long *out) {
    char *end;
    unsigned long long x;

    errno = 0;
    x = strtoull(v, &end, 10);
    if (errno || end == v || *end || v[0] == '-' || x < min || x > max) {
        fprintf(stderr, "archload: %s: expected a whole number from %llu to %llu, got '%s'\n", flag,
                min, max, v);
        return -1;
    }
    *out = x;
    return 0;
}

static int parse_dur(const char *flag, const char *v, int positive, int64_t *ns) {
    char why[128];

    if (units_parse_duration(v, ns, why, sizeof why)) {
        fprintf(stderr, "archload: %s '%s': %s\n", flag, v, why);
        return -1;
    }
    if (positive && *ns <= 0) {
        fprintf(stderr, "archload: %s: must be positive\n", flag);
        return -1;
    }
    return 0;
}

enum {
    O_PHASE = 256,
    O_ARRIVALS,
    O_THINK,
    O_WARMUP,
    O_TIMEOUT,
    O_SEGMENT,
    O_BODY,
    O_BODY_FILE,
    O_SCENARIO,
    O_SET,
    O_CLASS,
    O_CACERT,
    O_CSV,
    O_INTERVAL,
    O_LATENCY,
    O_HDR_LOG,
    O_THRESHOLD,
    O_ABORT,
    O_TUI,
    O_KEYS,
    O_TARGET
};

static int parse_args(int argc, char **argv, struct opts *o) {
    static const struct option longs[] = {
        {"rate", required_argument, NULL, 'r'},
        {"phase", required_argument, NULL, O_PHASE},
        {"arrivals", required_argument, NULL, O_ARRIVALS},
        {"connections", required_argument, NULL, 'c'},
        {"think", required_argument, NULL, O_THINK},
        {"duration", required_argument, NULL, 'd'},
        {"requests", required_argument, NULL, 'n'},
        {"warmup", required_argument, NULL, O_WARMUP},
        {"timeout", required_argument, NULL, O_TIMEOUT},
        {"threads", required_argument, NULL, 't'},
        {"seed", required_argument, NULL, 's'},
        {"segment", required_argument, NULL, O_SEGMENT},
        {"method", required_argument, NULL, 'X'},
        {"header", required_argument, NULL, 'H'},
        {"body", required_argument, NULL, O_BODY},
        {"body-file", required_argument, NULL, O_BODY_FILE},
        {"scenario", required_argument, NULL, O_SCENARIO},
        {"set", required_argument, NULL, O_SET},
        {"class", required_argument, NULL, O_CLASS},
        {"keys", required_argument, NULL, O_KEYS},
        {"target", required_argument, NULL, O_TARGET},
        {"insecure", no_argument, NULL, 'k'},
        {"cacert", required_argument, NULL, O_CACERT},
        {"csv", required_argument, NULL, O_CSV},
        {"interval", required_argument, NULL, O_INTERVAL},
        {"latency", no_argument, NULL, O_LATENCY},
        {"hdr-log", required_argument, NULL, O_HDR_LOG},
        {"threshold", required_argument, NULL, O_THRESHOLD},
        {"abort-on-fail", no_argument, NULL, O_ABORT},
        {"tui", no_argument, NULL, O_TUI},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    int ch;
    struct err e;

    o->arrivals = -1;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, ":r:c:d:n:t:s:X:H:kqhV", longs, NULL)) != -1) {
        switch (ch) {
            case 'r':
                if (plan_parse_rate(optarg, &o->rate, &e)) return bad("--rate: %s", e.msg);
                if (!(o->rate > 0)) return bad("--rate: must be positive");
                if (plan_check_rate(o->rate, &e)) return bad("--rate: %s", e.msg);
                o->has_rate = 1;
                break;
            case O_PHASE:
                push(&o->phases, &o->nphases, optarg);
                break;
            case O_ARRIVALS:
                if (strcmp(optarg, "constant") == 0)
                    o->arrivals = 0;
                else if (strcmp(optarg, "poisson") == 0)
                    o->arrivals = 1;
                else
                    return bad("--arrivals: expected constant or poisson, got '%s'", optarg);
                break;
            case 'c':
                if (parse_count("--connections", optarg, 1, 1000000, &o->conns)) return -1;
                o->has_conns = 1;
                break;
            case O_THINK:
                o->think = optarg;
                break;
            case 'd':
                if (parse_dur("--duration", optarg, 1, &o->duration)) return -1;
                o->has_duration = 1;
                break;
            case 'n':
                if (parse_count("--requests", optarg, 1, UINT64_MAX / 2, &o->count)) return -1;
                o->has_count = 1;
                break;
            case O_WARMUP:
                if (parse_dur("--warmup", optarg, 0, &o->warmup)) return -1;
                o->has_warmup = 1;
                break;
            case O_TIMEOUT:
                if (parse_dur("--timeout", optarg, 1, &o->timeout)) return -1;
                o->has_timeout = 1;
                break;
            case 't':
                if (parse_count("--threads", optarg, 1, 1024, &o->threads)) return -1;
                o->has_threads = 1;
                break;
            case 's':
                if (parse_count("--seed", optarg, 0, UINT64_MAX, &o->seed)) return -1;
                o->has_seed = 1;
                break;
            case O_SEGMENT: {
                char *end;
                errno = 0;
                o->seg_i = strtoull(optarg, &end, 10);
                if (*end != '/' || optarg[0] == '-' || errno)
                    return bad("--segment: expected I/N, got '%s'", optarg);
                o->seg_n = strtoull(end + 1, &end, 10);
                if (*end || errno || o->seg_n < 1 || o->seg_n > 1000000 || o->seg_i >= o->seg_n)
                    return bad("--segment: expected I/N with 0 <= I < N, got '%s'", optarg);
                o->has_segment = 1;
                break;
            }
            case 'X':
                o->method = optarg;
                break;
            case 'H':
                push(&o->headers, &o->nheaders, optarg);
                break;
            case O_BODY:
                o->body = optarg;
                break;
            case O_BODY_FILE:
                o->body_file = optarg;
                break;
            case O_SCENARIO:
                o->scenario = optarg;
                break;
            case O_SET:
                push(&o->sets, &o->nsets, optarg);
                break;
            case O_CLASS:
                push(&o->classes, &o->nclasses, optarg);
                break;
            case O_KEYS:
                o->keys = optarg;
                break;
            case O_TARGET:
                if (o->url) return bad("--target given twice");
                o->url = optarg;
                break;
            case 'k':
                o->insecure = 1;
                break;
            case O_CACERT:
                o->cacert = optarg;
                break;
            case O_CSV:
                o->csv = optarg;
                break;
            case O_INTERVAL:
                if (parse_dur("--interval", optarg, 1, &o->interval)) return -1;
                o->has_interval = 1;
                break;
            case O_LATENCY:
                o->latency = 1;
                break;
            case O_HDR_LOG:
                o->hdr_log = optarg;
                break;
            case O_THRESHOLD:
                push(&o->thresholds, &o->nthresholds, optarg);
                break;
            case O_ABORT:
                o->abort_on_fail = 1;
                break;
            case O_TUI:
                o->tui = 1;
                break;
            case 'q':
                o->quiet = 1;
                break;
            case 'h':
                usage(stdout);
                exit(0);
            case 'V':
                printf("archload %s\n", ARCHSIM_VERSION);
                exit(0);
            case ':':
                return bad("option %s needs a value", argv[optind - 1]);
            default:
                return bad("unknown option '%s' (see archload --help)", argv[optind - 1]);
        }
    }
    /* --target URL is the positional URL under a name (the form `archload --scenario FILE
     * --target BASE_URL`); giving both is ambiguous, so refused. */
    if (o->url) {
        if (optind < argc) return bad("give the URL once: --target URL or URL, not both");
        return 0;
    }
    if (optind + 1 != argc) {
        if (optind >= argc) return bad("missing URL (see archload --help)");
        return bad("one URL expected, got '%s' too", argv[optind + 1]);
    }
    o->url = argv[optind];
    return 0;
}

static int read_file(const char *path, char **data, size_t *len) {
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t n = 0, cap = 0;

    if (!f) {
        fprintf(stderr, "archload: --body-file %s: %s\n", path, strerror(errno));
        return -1;
    }
    for (;;) {
        size_t got;
        if (n == cap) {
            cap = cap ? cap * 2 : 65536;
            buf = xrealloc(buf, cap);
        }
        got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) break;
    }
    if (ferror(f)) {
        fprintf(stderr, "archload: --body-file %s: read error\n", path);
        fclose(f);
        free(buf);
        return -1;
    }
    fclose(f);
    *data = buf;
    *len = n;
    return 0;
}

static void report_err(const struct err *e) {
    char buf[800];
    fprintf(stderr, "archload: %s\n", err_format(e, buf, sizeof buf));
}

/* Apply --class 'NAME=METHOD PATH' to the scenario's classes. */
static int apply_class(struct plan *p, const char *spec) {
    const char *eq = strchr(spec, '='), *sp;
    const char **names;
    size_t n;

    if (!eq || !(sp = strchr(eq + 1, ' ')))
        return bad("--class: expected 'NAME=METHOD PATH', got '%s'", spec);
    n = (size_t)(eq - spec);
    for (size_t i = 0; i < p->nclasses; i++) {
        struct plan_class *c = &p->classes[i];
        if (strlen(c->name) != n || strncmp(c->name, spec, n) != 0) continue;
        free(c->method);
        free(c->path);
        c->method = xmalloc((size_t)(sp - eq));
        memcpy(c->method, eq + 1, (size_t)(sp - eq - 1));
        c->method[sp - eq - 1] = 0;
        while (*sp == ' ')
            sp++;
        c->path = xstrdup(sp);
        return 0;
    }
    names = xcalloc(p->nclasses + 1, sizeof *names);
    for (size_t i = 0; i < p->nclasses; i++)
        names[i] = p->classes[i].name;
    {
        char name[128];
        const char *s;
        snprintf(name, sizeof name, "%.*s", (int)(n < 127 ? n : 127), spec);
        s = scn_suggest(name, names);
        fprintf(stderr, "archload: --class: no class '%s' in the scenario%s%s%s\n", name,
                s ? " (did you mean '" : "", s ? s : "", s ? "'?)" : "");
    }
    free(names);
    return -1;
}

/* Parse a flag's value with the scenario syntax, through a one-line document: a distribution
 * into d, or (d NULL) a key popularity into k. */
static int flag_value(const char *flag, const char *v, struct dist *d, struct keydist *k,
                      struct err *e) {
    struct scn_doc *doc;
    char text[512];
    int rc;

    if (strpbrk(v, "\"\\\n") || strlen(v) > 400)
        return err_set(e, NULL, 0, 0, "%s: unexpected characters in '%s'", flag, v);
    snprintf(text, sizeof text, "v: \"%s\"\n", v);
    doc = scn_doc_parse(text, strlen(text), flag, e);
    if (!doc) return -1;
    rc = d ? scn_get_dist(scn_doc_root(doc), "v", 1, ".", d, e)
           : scn_as_keydist(scn_map_get(scn_doc_root(doc), "v"), k, e);
    scn_doc_free(doc);
    if (rc) {
        /* The one-line document's position means nothing to the user. */
        const char *m = strncmp(e->msg, "v: ", 3) == 0 ? e->msg + 3 : e->msg;
        char msg[256];
        snprintf(msg, sizeof msg, "%s", m);
        err_set(e, NULL, 0, 0, "%s: %s", flag, msg);
    }
    return rc;
}

/* defaults, then the scenario, then the flags */
static int build_plan(const struct opts *o, struct plan *p) {
    struct err e;
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    int scenario_closed = 0;

    memset(&e, 0, sizeof e);
    plan_init(p);
    if (o->scenario) {
        if (plan_load_scenario(p, o->scenario, o->sets, o->nsets, &e)) goto fail;
        scenario_closed = !p->open;
    } else if (o->nsets) {
        return bad("--set needs --scenario");
    }
    if (o->nclasses && !o->scenario) return bad("--class needs --scenario");
    if (o->has_rate && o->nphases) return bad("give --rate or --phase, not both");
    if (o->has_rate || o->nphases) {
        free(p->phases);
        p->phases = NULL;
        p->nphases = 0;
        p->open = 1;
        if (o->has_rate) {
            struct sched_phase ph = {0, o->rate, o->rate};
            plan_add_phase(p, &ph);
        }
        for (size_t i = 0; i < o->nphases; i++) {
            struct sched_phase ph;
            if (plan_parse_phase(o->phases[i], &ph, &e)) return bad("--phase: %s", e.msg);
            plan_add_phase(p, &ph);
        }
    } else if (!o->scenario) {
        p->open = 0;
    }
    if (o->arrivals >= 0) {
        if (!p->open) return bad("--arrivals applies to the open model (--rate or --phase)");
        p->poisson = o->arrivals;
    }
    if (o->has_conns)
        p->connections = (unsigned)o->conns;
    else if (p->open)
        p->connections = DEFAULT_OPEN_CAP;
    else if (!scenario_closed)
        p->connections = DEFAULT_CLOSED;
    if (o->think) {
        if (p->open) return bad("--think applies to the closed model (no --rate)");
        if (p->has_think) dist_free(&p->think);
        p->has_think = 0;
        if (flag_value("--think", o->think, &p->think, NULL, &e)) goto fail;
        p->has_think = 1;
    }
    if (o->keys) {
        if (flag_value("--keys", o->keys, NULL, &p->keys, &e)) goto fail;
        p->has_keys = 1;
    }
    if (o->has_duration) p->duration_ns = o->duration;
    if (o->has_count) {
        p->count = o->count;
        if (!o->has_duration) p->duration_ns = 0;
    }
    if (!p->duration_ns && !p->count) {
        int64_t sum = 0;
        int bounded = p->open && p->nphases && p->phases[p->nphases - 1].duration_ns > 0;
        for (size_t i = 0; bounded && i < p->nphases; i++)
            sum += p->phases[i].duration_ns;
        p->duration_ns = bounded && !o->has_rate ? sum : INT64_C(10000000000);
    }
    if (o->has_warmup) p->warmup_ns = o->warmup;
    if (p->duration_ns > 0 && p->warmup_ns >= p->duration_ns) {
        /* Nothing would be measured (a scenario's warm-up with a shorter -d, say). */
        char w[32], d[32];
        return bad("the warm-up (%s%s) must be shorter than the run (%s): give a shorter "
                   "--warmup or a longer -d",
                   units_format_duration(p->warmup_ns, w, sizeof w),
                   o->has_warmup ? ", --warmup" : ", from the scenario",
                   units_format_duration(p->duration_ns, d, sizeof d));
    }
    if (o->has_timeout) p->timeout_ns = o->timeout;
    if (o->has_interval) p->interval_ns = o->interval;
    if (o->has_seed) p->seed = o->seed;
    if (o->has_segment) {
        if (!p->open)
            return bad("--segment applies to the open model (--rate or --phase); give each "
                       "machine its own --connections instead");
        p->seg_index = (unsigned)o->seg_i;
        p->seg_count = (unsigned)o->seg_n;
    }
    p->threads = o->has_threads ? (unsigned)o->threads : ncpu > 0 ? (unsigned)ncpu : 1;
    if (o->method) {
        free(p->method);
        p->method = xstrdup(o->method);
    }
    for (size_t i = 0; i < o->nheaders; i++) {
        p->headers = xrealloc(p->headers, (p->nheaders + 1) * sizeof *p->headers);
        p->headers[p->nheaders++] = xstrdup(o->headers[i]);
    }
    if (o->body && o->body_file) return bad("give --body or --body-file, not both");
    if (o->body) {
        p->body_len = strlen(o->body);
        p->body = xmalloc(p->body_len + 1);
        memcpy(p->body, o->body, p->body_len + 1);
    } else if (o->body_file) {
        if (read_file(o->body_file, &p->body, &p->body_len)) return -1;
    }
    p->insecure = o->insecure;
    if (o->cacert) p->cacert = xstrdup(o->cacert);
    if (plan_set_url(p, o->url, &e)) goto fail;
    for (size_t i = 0; i < o->nclasses; i++)
        if (apply_class(p, o->classes[i])) return -1;
    if (plan_finish(p, &e)) goto fail;
    return 0;
fail:
    report_err(&e);
    return -1;
}

static int make_dir(const char *dir) {
    char buf[4096];

    snprintf(buf, sizeof buf, "%s", dir);
    for (char *q = buf + 1; *q; q++) {
        if (*q != '/') continue;
        *q = 0;
        if (mkdir(buf, 0777) && errno != EEXIST) goto fail;
        *q = '/';
    }
    if (mkdir(buf, 0777) && errno != EEXIST) goto fail;
    return 0;
fail:
    fprintf(stderr, "archload: --csv %s: %s\n", dir, strerror(errno));
    return -1;
}

static FILE *open_csv(const char *dir, const char *name) {
    char path[4096];
    FILE *f;

    snprintf(path, sizeof path, "%s/%s", dir, name);
    f = fopen(path, "w");
    if (!f) fprintf(stderr, "archload: %s: %s\n", path, strerror(errno));
    return f;
}

/* What the live view shows, built by the interval hook on the engine's coordinator thread
 * and copied by the view's poll on the main thread, both under mu. */
struct live {
    pthread_mutex_t mu;
    struct ui_load_snap snap;
    uint64_t status[TALLY_NSTATUS]; /* since the start */
    uint64_t err[TALLY_NERR];
    double t0;    /* CLOCK_MONOTONIC s when the run was started */
    double end_s; /* elapsed s when engine_run returned; < 0 while it runs */
    const volatile sig_atomic_t *stop;
};

/* What the interval hook needs. */
struct ctx {
    const struct plan *p;
    FILE *ts;
    struct hdrlog *hl;
    struct thresh *th;
    size_t nth;
    int abort_on_fail;
    struct tally cum; /* non-warm-up intervals so far, for --abort-on-fail */
    double cum_s;
    const char *failed; /* the threshold that stopped the run */
    struct model_row *rows;
    struct live *live; /* --tui, else NULL */
    int progress;      /* draw the progress bar on stderr */
    uint64_t prog_sent, prog_errors;
};

static double mono_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void live_interval(struct live *lv, const struct engine_interval *iv, double secs) {
    struct ui_load_snap *s = &lv->snap;
    const struct tally *t = iv->total;

    pthread_mutex_lock(&lv->mu);
    if (s->n == UI_LOAD_HISTORY) {
        size_t keep = UI_LOAD_HISTORY - 1;
        memmove(s->t_end_s, s->t_end_s + 1, keep * sizeof *s->t_end_s);
        memmove(s->rps, s->rps + 1, keep * sizeof *s->rps);
        memmove(s->p99_ms, s->p99_ms + 1, keep * sizeof *s->p99_ms);
        s->n = keep;
    }
    s->t_end_s[s->n] = (double)iv->t_end_ns / 1e9;
    s->rps[s->n] = secs > 0 ? (double)t->completions / secs : NAN;
    s->p99_ms[s->n] = hist_count(t->lat) ? (double)hist_percentile(t->lat, 99) / 1e6 : NAN;
    s->n++;
    s->sent += t->arrivals;
    s->completed += t->completions;
    s->rejected += t->rejected;
    s->errors += t->errors;
    s->in_flight = iv->in_flight_total;
    s->ncodes = 0;
    for (int code = 0; code < TALLY_NSTATUS; code++) {
        lv->status[code] += t->status[code];
        if (lv->status[code] && s->ncodes < UI_LOAD_CODES) {
            s->codes[s->ncodes].code = code;
            s->codes[s->ncodes].count = lv->status[code];
            s->ncodes++;
        }
    }
    s->nkinds = TALLY_NERR < UI_LOAD_KINDS ? TALLY_NERR : UI_LOAD_KINDS;
    for (size_t k = 0; k < s->nkinds; k++) {
        lv->err[k] += t->err[k];
        snprintf(s->kinds[k].name, sizeof s->kinds[k].name, "%s",
                 tally_err_name((enum tally_err)k));
        s->kinds[k].count = lv->err[k];
    }
    pthread_mutex_unlock(&lv->mu);
}

/* ui_load_snapshot_fn: the view's poll. */
static void live_snapshot(void *user, struct ui_load_snap *out) {
    struct live *lv = user;

    pthread_mutex_lock(&lv->mu);
    memcpy(out, &lv->snap, sizeof *out);
    if (lv->end_s >= 0) {
        out->elapsed_s = lv->end_s;
        out->state = UI_LOAD_ENDED;
    } else {
        out->elapsed_s = mono_s() - lv->t0;
        out->state = *lv->stop ? UI_LOAD_STOPPING : UI_LOAD_RUNNING;
    }
    pthread_mutex_unlock(&lv->mu);
}

/* One line on stderr, redrawn in place each interval: a bar of the run's progress (by time, or
 * by requests with -n alone), the elapsed time, requests sent, the last interval's rate. */
static void progress_interval(struct ctx *c, const struct engine_interval *iv, double secs) {
    const struct plan *p = c->p;
    double t = (double)iv->t_end_ns / 1e9, frac;
    char bar[21], rate[24];
    int fill;

    c->prog_sent += iv->total->arrivals;
    c->prog_errors += iv->total->errors + iv->total->rejected;
    if (p->duration_ns)
        frac = (double)iv->t_end_ns / (double)p->duration_ns;
    else
        frac = p->count ? (double)c->prog_sent / (double)p->count : 0;
    if (frac > 1) frac = 1;
    fill = (int)(frac * 20 + 0.5);
    for (int i = 0; i < 20; i++)
        bar[i] = i < fill ? '#' : '.';
    bar[20] = 0;
    snprintf(rate, sizeof rate, "%.1f", secs > 0 ? (double)iv->total->completions / secs : 0.0);
    fprintf(stderr, "\r[%s] %3.0f%%  %.0fs", bar, frac * 100, t);
    if (p->duration_ns) fprintf(stderr, "/%.0fs", (double)p->duration_ns / 1e9);
    fprintf(stderr, "  sent %" PRIu64 "  %s rps  errors %" PRIu64 "\033[K", c->prog_sent, rate,
            c->prog_errors);
    fflush(stderr);
}

static int on_interval(void *user, const struct engine_interval *iv) {
    struct ctx *c = user;
    double secs = (double)(iv->t_end_ns - iv->t_start_ns) / 1e9;

    if (c->ts) {
        summary_rows(c->p, iv->cls, iv->total, iv->in_flight, iv->in_flight_total, secs, c->rows);
        csv_out_timeseries_rows(c->ts, c->p->name, 0, c->p->seed, iv->t_start_ns, iv->t_end_ns,
                                iv->flags, c->rows, iv->nclasses + 1);
        fflush(c->ts);
    }
    if (c->hl) hdrlog_interval(c->hl, (double)iv->t_start_ns / 1e9, secs, iv->total->lat);
    if (c->live) live_interval(c->live, iv, secs);
    if (c->progress) progress_interval(c, iv, secs);
    if (!c->abort_on_fail || (iv->flags & NET_ROW_WARMUP) || c->failed) return 0;
    tally_merge(&c->cum, iv->total);
    c->cum_s += secs;
    for (size_t i = 0; i < c->nth; i++) {
        if (thresh_final_only(&c->th[i])) continue;
        if (!thresh_pass(&c->th[i], thresh_measure(&c->th[i], &c->cum, c->cum_s))) {
            c->failed = c->th[i].text;
            return 1;
        }
    }
    return 0;
}

struct engine_job {
    const struct plan *p;
    const struct engine_hooks *hooks;
    struct engine_result *r;
    struct err *e;
    struct live *lv;
    int rc;
};

static void *engine_thread(void *arg) {
    struct engine_job *j = arg;

    j->rc = engine_run(j->p, j->hooks, j->r, j->e);
    pthread_mutex_lock(&j->lv->mu);
    j->lv->end_s = mono_s() - j->lv->t0;
    pthread_mutex_unlock(&j->lv->mu);
    return NULL;
}

/* engine_run under the live view: the engine on a thread of its own, the view on this one.
 * Returns engine_run's result (-1 with e also when the terminal could not be used: the run is
 * then aborted). Sets *by_key when q stopped the run. */
static int run_live(const struct plan *p, const struct engine_hooks *hooks, struct ctx *c,
                    struct engine_result *r, struct err *e, int *by_key) {
    struct live *lv = xcalloc(1, sizeof *lv);
    struct engine_job job = {p, hooks, r, e, lv, -1};
    struct ui_load_opts uo;
    struct err ue;
    sigset_t all, old;
    pthread_t th;
    int v, ended;
    char a[40];

    pthread_mutex_init(&lv->mu, NULL);
    lv->stop = &stop_level;
    lv->end_s = -1;
    snprintf(lv->snap.target, sizeof lv->snap.target, "%s", p->url);
    if (!p->open)
        snprintf(lv->snap.load, sizeof lv->snap.load, "closed");
    else if (p->nphases == 1 && p->phases[0].duration_ns == 0)
        snprintf(lv->snap.load, sizeof lv->snap.load, "rate %s",
                 units_format_rate(p->phases[0].from_per_s, a, sizeof a));
    else
        snprintf(lv->snap.load, sizeof lv->snap.load, "%zu phases", p->nphases);
    lv->snap.connections = p->connections;
    lv->snap.duration_s = (double)p->duration_ns / 1e9;
    c->live = lv;
    lv->t0 = mono_s();
    /* Every signal blocked in the engine's thread (and so in its workers): SIGINT, SIGTERM and
     * SIGWINCH reach this thread, where the view and the handler live. */
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    v = pthread_create(&th, NULL, engine_thread, &job);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (v) {
        err_set(e, NULL, 0, 0, "cannot start a thread: %s", strerror(v));
        c->live = NULL;
        pthread_mutex_destroy(&lv->mu);
        free(lv);
        return -1;
    }
    memset(&uo, 0, sizeof uo);
    memset(&ue, 0, sizeof ue);
    uo.snapshot = live_snapshot;
    uo.user = lv;
    uo.stop = &stop_level;
    v = ui_load_run(&uo, &ue);
    if (v < 0) {
        stop_level = 2;
    } else if (v == UI_LOAD_QUIT && !stop_level) {
        stop_level = 1; /* q: as a first Ctrl-C */
        *by_key = 1;
    }
    pthread_mutex_lock(&lv->mu);
    ended = lv->end_s >= 0;
    pthread_mutex_unlock(&lv->mu);
    if (!ended && v >= 0)
        fprintf(stderr, "archload: stopping: waiting for the answers in flight (Ctrl-C again "
                        "to stop at once)\n");
    pthread_join(th, NULL);
    c->live = NULL;
    pthread_mutex_destroy(&lv->mu);
    free(lv);
    if (v < 0) {
        if (job.rc == 0) engine_result_free(r);
        *e = ue;
        return -1;
    }
    return job.rc;
}

int main(int argc, char **argv) {
    struct opts o;
    struct plan p;
    struct ctx c;
    struct engine_result r;
    struct engine_hooks hooks;
    struct err e;
    struct sigaction sa;
    FILE *sum = NULL;
    int rc = EXIT_USAGE, failed = 0, by_key = 0;

    memset(&o, 0, sizeof o);
    memset(&c, 0, sizeof c);
    memset(&r, 0, sizeof r);
    memset(&e, 0, sizeof e);
    memset(&p, 0, sizeof p);
    if (parse_args(argc, argv, &o)) goto out;
    c.th = xcalloc(o.nthresholds ? o.nthresholds : 1, sizeof *c.th);
    for (size_t i = 0; i < o.nthresholds; i++) {
        if (thresh_parse(o.thresholds[i], &c.th[i], &e)) {
            report_err(&e);
            goto out;
        }
        c.nth++;
    }
    if (build_plan(&o, &p)) goto out;
    if (o.tui && (!isatty(STDOUT_FILENO) || !isatty(STDIN_FILENO))) {
        bad("--tui needs a terminal: standard %s is not one (run without --tui for the plain "
            "report)",
            isatty(STDOUT_FILENO) ? "input" : "output");
        goto out;
    }
    c.p = &p;
    c.abort_on_fail = o.abort_on_fail;
    c.rows = xcalloc(p.nclasses + 1, sizeof *c.rows);
    c.progress = !o.tui && !o.quiet && isatty(STDERR_FILENO);
    tally_init(&c.cum);
    if (o.csv) {
        if (make_dir(o.csv)) goto out;
        c.ts = open_csv(o.csv, "timeseries.csv");
        sum = open_csv(o.csv, "summary.csv");
        if (!c.ts || !sum) goto out;
        csv_out_timeseries_header(c.ts);
    }
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    hooks.interval = on_interval;
    hooks.user = &c;
    hooks.stop = &stop_level;
    if (o.hdr_log) {
        /* The log's start time is known only when the run starts; the engine starts 20 ms
         * after this call, close enough for a log header (intervals are relative). */
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        c.hl = hdrlog_open(o.hdr_log, (double)ts.tv_sec + (double)ts.tv_nsec / 1e9, &e);
        if (!c.hl) {
            report_err(&e);
            goto out;
        }
    }
    if (o.tui ? run_live(&p, &hooks, &c, &r, &e, &by_key) : engine_run(&p, &hooks, &r, &e)) {
        if (c.progress) fputs("\r\033[K", stderr);
        report_err(&e);
        goto out;
    }
    if (c.progress) fputs("\r\033[K", stderr);
    {
        double secs = (double)r.measured_ns / 1e9;
        summary_rows(&p, r.cls, &r.total, r.in_flight, r.in_flight_total, secs, c.rows);
        if (!o.quiet) summary_print(stdout, &p, &r, c.rows);
        if (o.latency) {
            summary_spectrum(stdout, "Recorded Latency, from the intended send time", r.total.lat);
            summary_spectrum(stdout, "Uncorrected Latency, service time from the actual send",
                             r.total.svc);
        }
        if (sum) {
            struct run_rep rep;
            memset(&rep, 0, sizeof rep);
            rep.seed = p.seed;
            rep.nrows = p.nclasses + 1;
            rep.rows = c.rows;
            rep.events = r.total.arrivals;
            rep.sim_time_s = (double)r.end_ns / 1e9; /* archsim's: the end, warm-up included */
            rep.warmup_s = (double)r.warmup_ns / 1e9;
            rep.wall_s = (double)r.run_ns / 1e9;
            rep.partial = r.stopped != 0;
            csv_out_summary_header(sum);
            csv_out_summary_rep(sum, p.name, &rep);
        }
        if (c.failed) printf("aborted: threshold %s failed (--abort-on-fail)\n", c.failed);
        for (size_t i = 0; i < c.nth; i++) {
            double v = thresh_measure(&c.th[i], &r.total, secs);
            int pass = thresh_pass(&c.th[i], v);
            char buf[96];
            printf("threshold %-24s %s  (%s)\n", c.th[i].text, pass ? "pass" : "FAIL",
                   thresh_format(&c.th[i], v, buf, sizeof buf));
            if (!pass) failed = 1;
        }
        if (c.failed) failed = 1;
        /* q in the live view stops the run as a first Ctrl-C does, but is no interruption */
        rc = failed ? EXIT_THRESHOLD : stop_level > (by_key ? 1 : 0) ? EXIT_INTERRUPTED : 0;
    }
out:
    if (sum && fclose(sum)) {
        fprintf(stderr, "archload: summary.csv: write error\n");
        rc = EXIT_USAGE;
    }
    if (c.ts && fclose(c.ts)) {
        fprintf(stderr, "archload: timeseries.csv: write error\n");
        rc = EXIT_USAGE;
    }
    if (hdrlog_close(c.hl, &e)) {
        report_err(&e);
        rc = EXIT_USAGE;
    }
    engine_result_free(&r);
    tally_free(&c.cum);
    free(c.rows);
    free(c.th);
    if (p.method) plan_free(&p);
    free(o.sets);
    free(o.headers);
    free(o.classes);
    free(o.phases);
    free(o.thresholds);
    return rc;
}
