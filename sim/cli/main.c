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

static void on_signal(int sig) {
    (void)sig;
    cli_stop = 1;
}

static void usage(FILE *f) {
    fputs("usage: archsim [SCENARIO]            the dashboard on a terminal, else `archsim run`\n"
          "                                     (the built-in default scenario when none)\n"
          "       archsim run [SCENARIO] [options]\n"
          "       archsim tui [SCENARIO] [--speed X] [options]\n"
          "       archsim check [SCENARIO] [--set PATH=VALUE]...\n"
          "       archsim sweep SCENARIO --vary PATH=V1,V2,... [--vary ...] [--csv DIR] [options]\n"
          "       archsim merge DIR... --csv OUT\n"
          "       archsim compare A.csv B.csv [--csv OUT.csv] [--max-rel-error X]\n"
          "       archsim compare --scenario FILE --target URL [--rates R1,R2,...] [-d T]\n"
          "       archsim calibrate --from SUMMARY.csv --component NAME [--overhead-from F]\n"
          "\n"
          "commands:\n"
          "  run     simulate and print a summary table; --csv DIR writes summary.csv and\n"
          "          timeseries.csv (see docs/csv.md)\n"
          "  tui     the live dashboard; prints the summary at quit (archsim tui --help)\n"
          "  check   validate the scenario, print the resolved model and the analytic\n"
          "          predictions where the model has them (M/M/c, M/G/1, tandem, closed MVA)\n"
          "  sweep   run the grid of --vary values (same seeds at every point); one summary\n"
          "          row per point and component, a chart of --metric (default\n"
          "          latency_p99_ms) of the total row (archsim sweep --help)\n"
          "  merge   put shard outputs (--shard I/N) back together as one run\n"
          "  compare two summary.csv or timeseries.csv files (archsim or archload) side by\n"
          "          side; exit 1 when a metric differs by more than --max-rel-error;\n"
          "          with --scenario and --target: simulate and measure (archload) per rate\n"
          "  calibrate  fit a component's service time to a low-load archload measurement\n"
          "\n"
          "run options:\n"
          "  -s, --seed N            random seed (default: the scenario's, else 1)\n"
          "      --set PATH=VALUE    override a scenario value, e.g. --set workload.rate=950/s\n"
          "  -R, --replications N    independent replications (mean and 95% CI when N > 1)\n"
          "  -r, --replication K     run replication K alone (reproduces it exactly; not\n"
          "                          with -R or --precision)\n"
          "  -d, --duration T        simulated duration, e.g. 60s (overrides the scenario)\n"
          "      --warmup T|auto     warm-up excluded from results (overrides the scenario);\n"
          "                          auto: chosen per replication by MSER-5\n"
          "  -j, --jobs J            run replications (and sweep points) on J threads\n"
          "      --precision P       add replications until every mean's 95% CI half-width is\n"
          "                          within P (e.g. 5%) of it; at most --max-replications N\n"
          "                          (default 100); exit 1 if not reached\n"
          "      --shard I/N         run the replications (sweep: runs) with index mod N = I;\n"
          "                          auto/N takes I from JOB_COMPLETION_INDEX or\n"
          "                          SLURM_ARRAY_TASK_ID (see docs/distributed.md)\n"
          "      --csv DIR           write DIR/summary.csv and DIR/timeseries.csv\n"
          "  -q, --quiet             no summary table, no progress bar\n"
          "  -h, --help              this help\n"
          "  -V, --version           print the version\n"
          "\n"
          "exit status: 0 success, 1 a target or threshold missed (--precision,\n"
          "--max-rel-error), 2 usage or input error, 130 interrupted (results so far\n"
          "are still printed and written, marked partial)\n",
          f);
}

/* 1 when an argument is an option only `archsim run` has (replications, quiet, jobs, ...). */
static int batch_only(int argc, char **argv) {
    static const char *const with_value[] = {"-s",       "-d",    "--seed",  "--set", "--duration",
                                             "--warmup", "--csv", "--speed", NULL};

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0) break;
        if (strncmp(a, "--replication", 13) == 0 || strcmp(a, "--quiet") == 0) return 1;
        if (strcmp(a, "--jobs") == 0 || strcmp(a, "--precision") == 0 ||
            strcmp(a, "--max-replications") == 0 || strcmp(a, "--shard") == 0)
            return 1;
        if (a[0] == '-' && a[1] && strchr("Rrqj", a[1])) return 1;
        /* an automatic warm-up is chosen after the run: no live view of it */
        if (strcmp(a, "--warmup=auto") == 0 ||
            (strcmp(a, "--warmup") == 0 && i + 1 < argc && strcmp(argv[i + 1], "auto") == 0))
            return 1;
        for (size_t k = 0; with_value[k]; k++)
            if (strcmp(a, with_value[k]) == 0) {
                i++; /* its value, which may look like anything */
                break;
            }
    }
    return 0;
}

int main(int argc, char **argv) {
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
        if (strcmp(cmd, "tui") == 0) return cmd_tui(argc - 1, argv + 1);
        if (strcmp(cmd, "sweep") == 0) return cmd_sweep(argc - 1, argv + 1);
        if (strcmp(cmd, "merge") == 0) return cmd_merge(argc - 1, argv + 1);
        if (strcmp(cmd, "compare") == 0) return cmd_compare(argc - 1, argv + 1);
        if (strcmp(cmd, "calibrate") == 0) return cmd_calibrate(argc - 1, argv + 1);
        if (cmd[0] != '-' && !strchr(cmd, '.') && !strchr(cmd, '/') && access(cmd, F_OK) != 0) {
            fprintf(stderr,
                    "archsim: unknown command '%s' (commands: run, tui, check, sweep, merge, "
                    "compare, calibrate; or give a scenario file)\n",
                    cmd);
            return CLI_EXIT_USAGE;
        }
    }
    /* `archsim [SCENARIO] [options]`: the dashboard when a person is at a terminal, else (and
     * with options only a batch run has) `archsim run ...`. */
    if (isatty(STDIN_FILENO) && isatty(STDOUT_FILENO) && !batch_only(argc, argv))
        return cmd_tui(argc, argv);
    return cmd_run(argc, argv);
}
