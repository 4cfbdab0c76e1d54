/*
 * archtarget — main: command line, signals, the listening line. See `archtarget --help` and
 * docs/archtarget.md.
 *
 * Signals: SIGINT and SIGTERM are blocked in every thread (the mask is set before any thread
 * starts) and read from a signalfd that the server's epoll loop watches, so stopping needs no
 * global flag and no async-signal-safe tricks; the server returns and main exits 0.
 * Rejected: a handler setting a volatile flag (the epoll loop would need a timeout or a
 * self-pipe to notice it, i.e. a second mechanism for the same thing).
 */
#define _GNU_SOURCE /* getopt_long, signalfd */
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "dist.h"
#include "err.h"
#include "tgt_server.h"
#include "tgt_spec.h"
#include "units.h"
#include "xmalloc.h"

#ifndef ARCHSIM_VERSION
#define ARCHSIM_VERSION "0.1.0"
#endif

#define EXIT_USAGE  2
#define MAX_WORKERS 10000

static void usage(FILE *f) {
    fputs(
        "usage: archtarget [options]\n"
        "\n"
        "An HTTP/1.1 server that behaves like a queueing station: C workers, one FIFO with\n"
        "room for K waiting requests, a service time drawn per request (see docs/archtarget.md).\n"
        "\n"
        "options:\n"
        "      --listen HOST:PORT    address to listen on (default 127.0.0.1:8080; PORT 0 picks\n"
        "                            a free port); prints 'listening on HOST:PORT' on start\n"
        "  -c, --workers C           worker threads, i.e. servers (default 1)\n"
        "  -k, --queue K             waiting room beyond the C in service; when full, 503\n"
        "                            (default unbounded)\n"
        "  -s, --service DIST        service time of every path (default exp:1ms), e.g.\n"
        "                            const:1ms, exp:2ms, uniform:1ms,3ms,\n"
        "                            lognormal:mean=5ms,p99=40ms, gamma:k=2,mean=4ms,\n"
        "                            erlang:k=3,mean=3ms, pareto:alpha=2.5,min=1ms,\n"
        "                            hyperexp:p=0.9,mean1=1ms,mean2=10ms, normal:mean=5ms,sd=1ms,\n"
        "                            empirical:file=F.csv,column=service_time_ms; also exp(2ms)\n"
        "                            or a bare duration (constant)\n"
        "  -p, --path PATH=DIST      service time of one path (repeatable), e.g. /slow=exp:20ms\n"
        "      --strict-paths        404 for paths other than / and the --path ones\n"
        "  -e, --error-rate P        fraction of served requests answered 500 (e.g. 0.1 or 10%)\n"
        "      --stall-at T          start of a stall, T after start (default 0s)\n"
        "      --stall-for D         stall length: workers take nothing from the queue\n"
        "      --spin D              end each service on time: sleep to D before its end, then\n"
        "                            watch the clock (costs up to D of CPU per request;\n"
        "                            default 0s: sleep it all, ending ~0.1 ms late)\n"
        "      --seed N              seed of the workers' random streams (default 1)\n"
        "  -d, --duration T          stop after T (e.g. 30s)\n"
        "  -n, --max-requests N      stop after N responses (not counting /stats)\n"
        "  -h, --help                this help\n"
        "  -V, --version             print the version\n"
        "\n"
        "GET /stats (JSON) or /stats?format=text: responses per path and status, mean\n"
        "service and wait times, queue length, busy workers. Answered at once, never queued.\n"
        "\n"
        "exit status: 0 stopped (SIGINT, SIGTERM, --duration, --max-requests), 1 runtime\n"
        "failure (e.g. address in use), 2 usage error\n",
        f);
}

/* A whole number in [min, max]: digits only. */
static int parse_whole(const char *s, unsigned long long min, unsigned long long max,
                       unsigned long long *out) {
    char *end;
    unsigned long long v;

    if (!*s || *s < '0' || *s > '9') return -1;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (*end || errno || v < min || v > max) return -1;
    *out = v;
    return 0;
}

static int bad_value(const char *flag, const char *why, const char *got) {
    fprintf(stderr, "archtarget: %s: %s, got '%s'\n", flag, why, got);
    return EXIT_USAGE;
}

/* 1 when host is neither an address nor a name the resolver knows (a typo such as 999.0.0.1:
 * bad input, exit 2); a resolver that cannot answer now (EAI_AGAIN) is left to the server's
 * start, a run-time error. */
static int host_unknown(const char *host) {
    struct addrinfo hints, *res = NULL;
    int rc;

    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    rc = getaddrinfo(host, NULL, &hints, &res);
    if (res) freeaddrinfo(res);
    return rc == EAI_NONAME;
}

static int bad_spec(const char *flag, const struct err *e) {
    fprintf(stderr, "archtarget: %s: %s\n", flag, e->msg);
    return EXIT_USAGE;
}

/* Options as parsed; the dists are owned here. */
struct opts {
    struct tgt_server_config cfg;
    char host[256];
    struct dist service;
    struct tgt_server_path *paths;
    size_t npaths;
    int stall_at_given;
};

static void opts_free(struct opts *o) {
    size_t i;

    dist_free(&o->service);
    for (i = 0; i < o->npaths; i++)
        dist_free(&o->paths[i].service);
    free(o->paths);
}

static int duration_arg(const char *flag, const char *arg, int positive, int64_t *ns) {
    char why[128];

    if (units_parse_duration(arg, ns, why, sizeof why) < 0) return bad_value(flag, why, arg);
    if (positive && *ns <= 0) return bad_value(flag, "must be positive", arg);
    return 0;
}

/* The option getopt_long just complained about, as written: a long option is argv[optind - 1]
 * (up to any '='); a short one is optopt (glibc sets optopt for long options too, to their
 * value, so the argument's form decides). */
static const char *written_flag(char **argv, int ind, int opt, char *buf, size_t n) {
    const char *arg = argv[ind - 1];

    if (strncmp(arg, "--", 2) == 0) {
        snprintf(buf, n, "%.*s", (int)strcspn(arg, "="), arg);
        return buf;
    }
    snprintf(buf, n, "-%c", opt ? opt : '?');
    return buf;
}

/* Returns 0, EXIT_USAGE after printing the problem, or -1 after printing help/version. */
static int parse_args(int argc, char **argv, struct opts *o) {
    static const struct option longopts[] = {
        {"listen", required_argument, NULL, 'L'},
        {"workers", required_argument, NULL, 'c'},
        {"queue", required_argument, NULL, 'k'},
        {"service", required_argument, NULL, 's'},
        {"path", required_argument, NULL, 'p'},
        {"strict-paths", no_argument, NULL, 'S'},
        {"error-rate", required_argument, NULL, 'e'},
        {"stall-at", required_argument, NULL, 'A'},
        {"stall-for", required_argument, NULL, 'F'},
        {"spin", required_argument, NULL, 'P'},
        {"seed", required_argument, NULL, 'R'},
        {"duration", required_argument, NULL, 'd'},
        {"max-requests", required_argument, NULL, 'n'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    struct err e;
    int ch, rc, longindex;

    opterr = 0;
    for (;;) {
        char flag[64], why[128];
        unsigned long long v;

        longindex = -1;
        ch = getopt_long(argc, argv, ":c:k:s:p:e:d:n:hV", longopts, &longindex);
        if (ch == -1) break;
        /* the flag as the user wrote it, for messages */
        if (longindex >= 0)
            snprintf(flag, sizeof flag, "--%s", longopts[longindex].name);
        else
            snprintf(flag, sizeof flag, "-%c", ch);
        err_clear(&e);
        switch (ch) {
            case 'L':
                if (tgt_spec_listen(optarg, o->host, sizeof o->host, &o->cfg.port, &e) < 0)
                    return bad_spec(flag, &e);
                if (host_unknown(o->host))
                    return bad_value(flag, "no such host or address", optarg);
                break;
            case 'c':
                if (parse_whole(optarg, 1, MAX_WORKERS, &v) < 0)
                    return bad_value(flag, "expected a whole number from 1 to 10000", optarg);
                o->cfg.workers = (size_t)v;
                break;
            case 'k':
                if (strcmp(optarg, "unbounded") == 0)
                    o->cfg.queue = SIZE_MAX;
                else if (parse_whole(optarg, 0, 1000000000ULL, &v) < 0)
                    return bad_value(flag, "expected a whole number from 0 to 1e9 or 'unbounded'",
                                     optarg);
                else
                    o->cfg.queue = (size_t)v;
                break;
            case 's': {
                struct dist d;
                if (tgt_spec_dist(optarg, &d, &e) < 0) return bad_spec(flag, &e);
                dist_free(&o->service);
                o->service = d;
                break;
            }
            case 'p': {
                struct tgt_server_path p;
                size_t i;
                memset(&p, 0, sizeof p);
                if (tgt_spec_path(optarg, p.path, sizeof p.path, &p.service, &e) < 0)
                    return bad_spec(flag, &e);
                for (i = 0; i < o->npaths; i++)
                    if (strcmp(o->paths[i].path, p.path) == 0) break;
                if (strcmp(p.path, "/stats") == 0) {
                    dist_free(&p.service);
                    return bad_value(flag, "/stats is answered by the server itself", optarg);
                }
                if (i < o->npaths) {
                    dist_free(&o->paths[i].service); /* the last one given wins */
                    o->paths[i] = p;
                } else {
                    o->paths = xrealloc(o->paths, (o->npaths + 1) * sizeof *o->paths);
                    o->paths[o->npaths++] = p;
                }
                break;
            }
            case 'S':
                o->cfg.strict_paths = 1;
                break;
            case 'e':
                if (units_parse_fraction(optarg, &o->cfg.error_rate, why, sizeof why) < 0)
                    return bad_value(flag, why, optarg);
                break;
            case 'A':
                if ((rc = duration_arg(flag, optarg, 0, &o->cfg.stall_at_ns)) != 0) return rc;
                o->stall_at_given = 1;
                break;
            case 'F':
                if ((rc = duration_arg(flag, optarg, 1, &o->cfg.stall_for_ns)) != 0) return rc;
                break;
            case 'P':
                if ((rc = duration_arg(flag, optarg, 0, &o->cfg.spin_ns)) != 0) return rc;
                break;
            case 'R':
                if (parse_whole(optarg, 0, UINT64_MAX, &v) < 0)
                    return bad_value(flag, "expected a whole number", optarg);
                o->cfg.seed = v;
                break;
            case 'd':
                if ((rc = duration_arg(flag, optarg, 1, &o->cfg.duration_ns)) != 0) return rc;
                break;
            case 'n':
                if (parse_whole(optarg, 1, UINT64_MAX, &v) < 0)
                    return bad_value(flag, "expected a whole number >= 1", optarg);
                o->cfg.max_requests = v;
                break;
            case 'h':
                usage(stdout);
                return -1;
            case 'V':
                printf("archtarget %s\n", ARCHSIM_VERSION);
                return -1;
            case ':':
                fprintf(stderr, "archtarget: option '%s' needs a value (see --help)\n",
                        written_flag(argv, optind, optopt, flag, sizeof flag));
                return EXIT_USAGE;
            default:
                fprintf(stderr, "archtarget: unknown option '%s' (see --help)\n",
                        written_flag(argv, optind, optopt, flag, sizeof flag));
                return EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "archtarget: unexpected argument '%s' (see --help)\n", argv[optind]);
        return EXIT_USAGE;
    }
    if (o->stall_at_given && o->cfg.stall_for_ns == 0) {
        fprintf(stderr, "archtarget: --stall-at needs --stall-for (how long the stall lasts)\n");
        return EXIT_USAGE;
    }
    return 0;
}

/* "station: c=2 K=10 service=exponential(mean=5ms) /slow=..." on stdout, after the address. */
static void print_station(const struct opts *o) {
    char buf[160];
    size_t i;

    printf("station: c=%zu K=", o->cfg.workers);
    if (o->cfg.queue == SIZE_MAX)
        printf("unbounded");
    else
        printf("%zu", o->cfg.queue);
    printf(" service=%s", dist_describe(&o->service, buf, sizeof buf));
    for (i = 0; i < o->npaths; i++)
        printf(" %s=%s", o->paths[i].path, dist_describe(&o->paths[i].service, buf, sizeof buf));
    if (o->cfg.error_rate > 0) printf(" error_rate=%g", o->cfg.error_rate);
    if (o->cfg.spin_ns > 0) {
        char a[32];
        printf(" spin=%s", units_format_duration(o->cfg.spin_ns, a, sizeof a));
    }
    if (o->cfg.stall_for_ns > 0) {
        char a[32], b[32];
        printf(" stall=%s+%s", units_format_duration(o->cfg.stall_at_ns, a, sizeof a),
               units_format_duration(o->cfg.stall_for_ns, b, sizeof b));
    }
    printf("\n");
}

int main(int argc, char **argv) {
    struct opts o;
    struct tgt_server *s = NULL;
    struct err e;
    sigset_t mask;
    int rc, sfd = -1, status = 1;

    memset(&o, 0, sizeof o);
    snprintf(o.host, sizeof o.host, "127.0.0.1");
    o.cfg.port = 8080;
    o.cfg.workers = 1;
    o.cfg.queue = SIZE_MAX;
    o.cfg.seed = 1;
    err_clear(&e);
    if (dist_exp(&o.service, 1e6, &e) < 0) return 1;
    rc = parse_args(argc, argv, &o);
    if (rc != 0) {
        opts_free(&o);
        return rc < 0 ? 0 : rc;
    }
    o.cfg.host = o.host;
    o.cfg.service = &o.service;
    o.cfg.paths = o.paths;
    o.cfg.npaths = o.npaths;

    /* A shell starts background jobs with SIGINT ignored, and an ignored signal is discarded
     * even while blocked: restore the default so `kill -INT` reaches the signalfd. Block
     * before any thread exists, so every thread inherits the mask. */
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    sigemptyset(&mask);
    sigaddset(&mask, SIGINT);
    sigaddset(&mask, SIGTERM);
    if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0 ||
        (sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC)) < 0) {
        fprintf(stderr, "archtarget: signalfd: %s\n", strerror(errno));
        goto done;
    }
    signal(SIGPIPE, SIG_IGN);
    if (!(s = tgt_server_new(&o.cfg, &e))) {
        fprintf(stderr, "archtarget: %s\n", e.msg);
        goto done;
    }
    printf("listening on %s\n", tgt_server_address(s));
    print_station(&o);
    fflush(stdout);
    if (tgt_server_run(s, sfd, &e) < 0) {
        fprintf(stderr, "archtarget: %s\n", e.msg);
        goto done;
    }
    status = 0;
done:
    tgt_server_free(s);
    if (sfd >= 0) close(sfd);
    opts_free(&o);
    return status;
}
