/*
 * cli — the archsim command line: main.c dispatches to one file per subcommand; report.c
 * prints the human-readable summary table shared by `run` and the dashboard's exit.
 * Exit codes: 0 success, 1 a threshold failed, 2 usage or input error, 130 interrupted
 * (results so far are still written).
 */
#ifndef ARCHSIM_CLI_H
#define ARCHSIM_CLI_H

#include <signal.h>
#include <stdio.h>

#include "run.h"

#define CLI_EXIT_OK          0
#define CLI_EXIT_USAGE       2
#define CLI_EXIT_INTERRUPTED 130

/* Set by the SIGINT/SIGTERM handler in main.c; the only mutable global, because a signal
 * handler can reach nothing else. */
extern volatile sig_atomic_t cli_stop;

int cmd_run(int argc, char **argv);
int cmd_check(int argc, char **argv);
/* The live dashboard (cmd_tui.c): needs a terminal on stdin and stdout; prints the summary at
 * quit. Exit 0 after q, 130 after SIGINT/SIGTERM, 2 on bad usage or input. */
int cmd_tui(int argc, char **argv);
/* Batch subcommands of issue 7: grid sweeps (cmd_sweep.c), putting shard outputs together
 * (cmd_merge.c), two result files side by side (cmd_compare.c). */
int cmd_sweep(int argc, char **argv);
int cmd_merge(int argc, char **argv);
int cmd_compare(int argc, char **argv);
/* Issue 7, model against reality (cmd_calibrate.c): fit a service time to a low-load
 * measurement; and `compare --scenario FILE --target URL`, to which cmd_compare hands over
 * (argv as cmd_compare got it). */
int cmd_calibrate(int argc, char **argv);
int cli_compare_target(int argc, char **argv);

/* Helpers the batch subcommands share: the progress bar, files and model checks in cmd_run.c,
 * the option values in opts.c (whose cli_opts_parse, opts.h, parses the options run and sweep
 * share). Each prints its own error ("archsim: --jobs: ...") and returns -1 on bad input. */
struct run_shard;
struct cli_progress {
    int on, drawn;    /* drawing at all (stderr is a terminal, not -q); something is shown */
    size_t total;     /* units of work, 0: unknown (a count is shown instead of a bar) */
    const char *unit; /* "replications", "runs" */
    double t0, last;  /* s, monotonic: start, last draw */
};
void cli_progress_init(struct cli_progress *p, int quiet, size_t total);
/* Draw at most every 0.1 s, after the first second: finished units plus the summed fractions
 * of the running ones, and an optional note. Only the main thread calls it. */
void cli_progress_draw(struct cli_progress *p, size_t finished, double running, const char *note);
void cli_progress_end(struct cli_progress *p); /* erase the line */
int cli_parse_count(const char *flag, const char *v, unsigned long long max,
                    unsigned long long *out);
int cli_parse_jobs(const char *v, unsigned *out);             /* 1..1024 */
int cli_parse_shard(const char *spec, struct run_shard *out); /* I/N, auto/N (environment) */
/* "auto" sets *is_auto = 1; a duration sets *ns and *is_auto = 0. */
int cli_warmup_arg(const char *v, int64_t *ns, int *is_auto);
/* Batch runs build and free many models: ask the C library (glibc) to keep freed memory
 * for the next one instead of returning it to the kernel. No-op elsewhere. */
void cli_keep_heap(void);
/* Create dir and its parents (mkdir -p). */
int cli_make_dir(const char *dir);
/* Open dir/name for writing; NULL (reported) on failure. */
FILE *cli_open_csv(const char *dir, const char *name);
/* Build the model once (errors reported, prefixed by what when not NULL) and warn about
 * unstable stations. */
int cli_check_model(const struct run_scenario *s, const char *what);
/* The text chart of a sweep (cmd_sweep.c): value v[i] (± half[i] when half is not NULL) of
 * metric at the points whose vary texts ("path=value;path=value") are vary[0..n), as bars
 * against the first axis, one block per combination of the other axes. */
void cli_sweep_chart(FILE *f, const char *metric, const char *const *vary, const double *v,
                     const double *half, size_t n);
/* With warm-up auto: the chosen cuts (to out unless quiet) and warnings (to stderr). */
void cli_report_warmup(FILE *out, const struct run_scenario *s, const struct run_rep *reps,
                       size_t n, int quiet);

/* Print the summary table of n replications to f (n > 1 adds mean ± 95 % CI rows). */
void report_summary(FILE *f, const struct run_scenario *s, const struct run_rep *reps, size_t n);

/* Print err as "file:line:col: error: msg" to stderr, prefixed by the program name. */
void report_error(const struct err *err);

#endif
