/*
 * opts — the command-line options `archsim run` and `archsim sweep` share, parsed in one
 * place: -s/--seed, --set, -R/--replications, -d/--duration, --warmup, --csv, -j/--jobs,
 * --shard, -q/--quiet, -h/--help, and the one scenario argument. Each command adds its own
 * options (run: -r, --precision, --max-replications; sweep: --vary, --metric) as getopt_long
 * entries handled by a callback, so both commands spell, check and report the shared ones the
 * same way ("archsim: --jobs: expected a whole number up to 1024, got 'x'").
 *
 * Design: one getopt_long loop over the shared table followed by the command's; a value is
 * checked where it is read, and the first bad one ends the parse (reported on stderr, exit 2
 * for the caller). Conflicts between options that only one command has (-r with -R) are the
 * command's to check after the parse, where it knows all of them.
 * Rejected: a generic declarative option table with typed destinations (more machinery than
 * two commands need, and the messages of the special cases — "auto" warm-up, shards from the
 * environment — would still need code); keeping two copies (they had drifted: sweep reported
 * a malformed --duration as "must be positive").
 */
#ifndef ARCHSIM_OPTS_H
#define ARCHSIM_OPTS_H

#include <getopt.h>
#include <stddef.h>
#include <stdint.h>

#include "run.h"
#include "run_shard.h"

/* The shared options after a parse. "Not given" leaves the scenario's own value in force. */
struct cli_opts {
    const char *path;        /* the scenario argument (borrowed from argv), NULL: none */
    const char **sets;       /* --set PATH=VALUE, in order: the array is owned (cli_opts_free), */
    size_t nsets;            /* the strings are argv's */
    const char *csv_dir;     /* --csv DIR, or NULL */
    unsigned long long seed; /* -s N, when seed_set */
    int seed_set;            /* -s was given */
    unsigned long long reps; /* -R N in [1, 100000]; 0: not given */
    int64_t duration_ns;     /* -d T, > 0; -1: not given */
    int64_t warmup_ns;       /* --warmup T, when warmup_auto == 0 */
    int warmup_auto;         /* --warmup: 1 auto, 0 a duration (warmup_ns), -1 not given */
    unsigned jobs;           /* --jobs J in [1, 1024]; 1 when not given */
    struct run_shard shard;  /* --shard I/N; count 0: not given */
    int quiet;               /* -q */
};

/* A command's own options, handled by fn(user, val, optarg) for each occurrence: val is the
 * getopt_long value of the entry (a short letter listed in shorts, or a number >= 256), arg
 * the value (NULL for no_argument). fn returns 0, or -1 after printing its error to stderr. */
typedef int cli_opt_fn(void *user, int val, const char *arg);

struct cli_cmd {
    const char *name;           /* "run", "sweep": in "(one scenario per run)" */
    const char *usage;          /* printed to stdout by -h/--help (ends with a newline) */
    const struct option *extra; /* the command's getopt_long entries, {NULL, ...}-terminated;
                                 * may be NULL */
    const char *shorts;         /* their short letters for getopt ("r:"), or "" */
    cli_opt_fn *fn;             /* required when extra is not NULL */
    void *user;
};

/* Parse argv (argv[0] is the command's name) into *o, calling cmd->fn for the command's own
 * options. Returns 0 to go on; 1 after printing the usage for -h/--help (exit 0); -1 after
 * printing a usage error to stderr (exit 2): an unknown option ("unknown option '--x' (see
 * archsim --help)"), a missing value ("option '-d' needs a value"), a bad value (named by its
 * long flag), a second positional argument ("unexpected argument 'b.yaml' (one scenario per
 * run)"), or fn's error. Uses getopt_long (resets optind). *o must be freed with
 * cli_opts_free in every case. */
int cli_opts_parse(const struct cli_cmd *cmd, int argc, char **argv, struct cli_opts *o);

/* Free what cli_opts_parse allocated (the sets array). NULL is a no-op. */
void cli_opts_free(struct cli_opts *o);

/* Apply --duration, --warmup and --seed to s (loaded with o->sets): a given duration and
 * warm-up replace the scenario's, and `auto` clears warmup_ns. -R is the command's to apply.
 * Does not check that the warm-up is shorter than the duration (the commands word that
 * error differently). */
void cli_opts_apply(const struct cli_opts *o, struct run_scenario *s);

#endif
