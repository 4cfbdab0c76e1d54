/* opts — the options archsim run and sweep share; see opts.h. Also the value parsers of the
 * batch options (cli_parse_count, cli_parse_jobs, cli_parse_shard, cli_warmup_arg; cli.h). */
#define _DEFAULT_SOURCE /* getopt_long */
#include "opts.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "units.h"
#include "xmalloc.h"

/* --- option values -------------------------------------------------------------------------- */

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

/* --- the shared parser ---------------------------------------------------------------------- */

/* getopt_long values of the shared long-only options (the commands' own start at 256 too, so
 * these sit above any value a command uses). */
enum { OPT_SET = 1000, OPT_WARMUP, OPT_CSV, OPT_SHARD };

static const struct option shared[] = {
    {"seed", required_argument, NULL, 's'},
    {"set", required_argument, NULL, OPT_SET},
    {"replications", required_argument, NULL, 'R'},
    {"duration", required_argument, NULL, 'd'},
    {"warmup", required_argument, NULL, OPT_WARMUP},
    {"csv", required_argument, NULL, OPT_CSV},
    {"jobs", required_argument, NULL, 'j'},
    {"shard", required_argument, NULL, OPT_SHARD},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
};
#define NSHARED (sizeof shared / sizeof shared[0])

/* One shared option; 0, or -1 (reported). */
static int shared_opt(struct cli_opts *o, int c, const char *arg) {
    char why[128];

    switch (c) {
        case 's':
            if (cli_parse_count("--seed", arg, UINT64_MAX, &o->seed)) return -1;
            o->seed_set = 1;
            return 0;
        case OPT_SET:
            o->sets[o->nsets++] = arg;
            return 0;
        case 'R':
            if (cli_parse_count("--replications", arg, 100000, &o->reps)) return -1;
            if (o->reps == 0) {
                fprintf(stderr, "archsim: --replications: must be at least 1\n");
                return -1;
            }
            return 0;
        case 'd':
            if (units_parse_duration(arg, &o->duration_ns, why, sizeof why)) {
                fprintf(stderr, "archsim: --duration: %s, got '%s'\n", why, arg);
                return -1;
            }
            if (o->duration_ns <= 0) {
                fprintf(stderr, "archsim: --duration: must be positive, got '%s'\n", arg);
                return -1;
            }
            return 0;
        case OPT_WARMUP:
            return cli_warmup_arg(arg, &o->warmup_ns, &o->warmup_auto);
        case OPT_CSV:
            if (arg[0] == '-' && arg[1]) {
                /* "--csv -d 1s": the directory was forgotten, not named "-d". */
                fprintf(stderr, "archsim: --csv: expected a directory, got the option '%s'\n", arg);
                return -1;
            }
            o->csv_dir = arg;
            return 0;
        case 'j':
            return cli_parse_jobs(arg, &o->jobs);
        case OPT_SHARD:
            return cli_parse_shard(arg, &o->shard);
        case 'q':
            o->quiet = 1;
            return 0;
        default:
            return 1; /* not a shared option */
    }
}

int cli_opts_parse(const struct cli_cmd *cmd, int argc, char **argv, struct cli_opts *o) {
    size_t nextra = 0;
    struct option *all;
    char shorts[64];
    int c, rc = 0;

    memset(o, 0, sizeof *o);
    o->duration_ns = -1;
    o->warmup_ns = -1;
    o->warmup_auto = -1;
    o->jobs = 1;
    o->sets = xcalloc((size_t)argc + 1, sizeof *o->sets);
    while (cmd->extra && cmd->extra[nextra].name)
        nextra++;
    all = xcalloc(NSHARED + nextra + 1, sizeof *all);
    memcpy(all, shared, sizeof shared);
    if (nextra) memcpy(all + NSHARED, cmd->extra, nextra * sizeof *all);
    snprintf(shorts, sizeof shorts, ":s:R:d:j:qh%s", cmd->shorts ? cmd->shorts : "");

    opterr = 0;
    optind = 1;
    while (rc == 0 && (c = getopt_long(argc, argv, shorts, all, NULL)) != -1) {
        int r;

        if (c == 'h') {
            fputs(cmd->usage, stdout);
            rc = 1;
            break;
        }
        if (c == ':') {
            fprintf(stderr, "archsim: option '%s' needs a value\n", argv[optind - 1]);
            rc = -1;
            break;
        }
        if (c == '?') {
            fprintf(stderr, "archsim: unknown option '%s' (see archsim --help)\n",
                    argv[optind - 1]);
            rc = -1;
            break;
        }
        r = shared_opt(o, c, optarg);
        if (r > 0) r = cmd->fn ? cmd->fn(cmd->user, c, optarg) : -1;
        if (r < 0) rc = -1;
    }
    if (rc == 0 && optind < argc) o->path = argv[optind++];
    if (rc == 0 && optind < argc) {
        fprintf(stderr, "archsim: unexpected argument '%s' (one scenario per %s)\n", argv[optind],
                cmd->name);
        rc = -1;
    }
    free(all);
    return rc;
}

void cli_opts_free(struct cli_opts *o) {
    if (!o) return;
    free(o->sets);
    o->sets = NULL;
    o->nsets = 0;
}

void cli_opts_apply(const struct cli_opts *o, struct run_scenario *s) {
    if (o->duration_ns >= 0) s->duration_ns = o->duration_ns;
    if (o->warmup_auto >= 0) s->warmup_auto = o->warmup_auto;
    if (o->warmup_auto == 0) s->warmup_ns = o->warmup_ns;
    if (s->warmup_auto) s->warmup_ns = 0;
    if (o->seed_set) s->seed = o->seed;
}
