/*
 * cli — the archsim command line: main.c dispatches to one file per subcommand; report.c
 * prints the human-readable summary table shared by `run` and, later, the dashboard's exit.
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

/* Print the summary table of n replications to f (n > 1 adds mean ± 95 % CI rows). */
void report_summary(FILE *f, const struct run_scenario *s, const struct run_rep *reps, size_t n);

/* Print err as "file:line:col: error: msg" to stderr, prefixed by the program name. */
void report_error(const struct err *err);

#endif
