/*
 * archsim — main: subcommand dispatch and signal handling. See `archsim --help`.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#ifndef ARCHSIM_VERSION
#define ARCHSIM_VERSION "0.1.0"
#endif

volatile sig_atomic_t cli_stop;

static void on_signal(int sig)
{
    (void)sig;
    cli_stop = 1;
}

static void usage(FILE *f)
{
    fputs("usage: archsim [SCENARIO]            run a scenario (the built-in default when none)\n"
          "       archsim run [SCENARIO] [options]\n"
          "       archsim check [SCENARIO] [--set PATH=VALUE]...\n"
          "\n"
          "commands:\n"
          "  run     simulate and print a summary table; --csv DIR writes summary.csv and\n"
          "          timeseries.csv (see docs/csv.md)\n"
          "  check   validate the scenario, print the resolved model and the analytic\n"
          "          predictions where the model has them (M/M/c, M/G/1, tandem, closed MVA)\n"
          "\n"
          "run options:\n"
          "  -s, --seed N            random seed (default: the scenario's, else 1)\n"
          "      --set PATH=VALUE    override a scenario value, e.g. --set workload.rate=950/s\n"
          "  -R, --replications N    independent replications (mean and 95% CI when N > 1)\n"
          "  -r, --replication K     run replication K alone (reproduces it exactly)\n"
          "  -d, --duration T        simulated duration, e.g. 60s (overrides the scenario)\n"
          "      --warmup T          warm-up excluded from results (overrides the scenario)\n"
          "      --csv DIR           write DIR/summary.csv and DIR/timeseries.csv\n"
          "  -q, --quiet             no summary table, no progress bar\n"
          "  -h, --help              this help\n"
          "  -V, --version           print the version\n"
          "\n"
          "exit status: 0 success, 2 usage or input error, 130 interrupted (results so far\n"
          "are still printed and written, marked partial)\n",
          f);
}

int main(int argc, char **argv)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    if (argc >= 2) {
        const char *cmd = argv[1];
        if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0) {
            usage(stdout);
            return CLI_EXIT_OK;
        }
        if (strcmp(cmd, "-V") == 0 || strcmp(cmd, "--version") == 0) {
            printf("archsim %s\n", ARCHSIM_VERSION);
            return CLI_EXIT_OK;
        }
        if (strcmp(cmd, "run") == 0) return cmd_run(argc - 1, argv + 1);
        if (strcmp(cmd, "check") == 0) return cmd_check(argc - 1, argv + 1);
        if (cmd[0] != '-' && !strchr(cmd, '.') && !strchr(cmd, '/') && access(cmd, F_OK) != 0) {
            fprintf(stderr,
                    "archsim: unknown command '%s' (commands: run, check; or give a scenario "
                    "file)\n",
                    cmd);
            return CLI_EXIT_USAGE;
        }
    }
    /* `archsim [SCENARIO] [options]` is `archsim run ...`. */
    return cmd_run(argc, argv);
}
