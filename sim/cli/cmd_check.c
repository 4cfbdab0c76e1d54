/*
 * archsim check — validate a scenario, print the resolved model and the analytic
 * predictions where the model has them (see sim/run/predict.h).
 */
#define _DEFAULT_SOURCE /* getopt_long */
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "predict.h"
#include "units.h"
#include "workload.h"
#include "xmalloc.h"

static void print_predictions(const struct run_prediction *p) {
    printf("\nanalytic predictions:\n");
    if (p->open) {
        printf("  offered load λ = %.6g requests/s\n", p->lambda_per_s);
        for (size_t i = 0; i < p->nstations; i++) {
            const struct run_station_pred *s = &p->stations[i];
            if (s->lambda_per_s <= 0) continue;
            printf("  %-14s λ = %.6g/s  E[S] = %.6g ms  c = %u  ρ = %.4f", s->comp->name,
                   s->lambda_per_s, s->mean_s * 1e3, s->servers, s->rho);
            if (s->rho >= 1 && s->queue_cap < 0 && !s->note[0]) {
                printf("  UNSTABLE (ρ ≥ 1): the queue grows without bound; no prediction\n");
                continue;
            }
            if (!s->have) {
                printf("  (%s)\n", s->note[0] ? s->note : "no closed form");
                continue;
            }
            if (s->queue_cap >= 0) {
                printf("\n  %-14s %s: P(reject) = %.4f  admitted %.6g/s  Wq = %.6g ms  "
                       "W = %.6g ms  Lq = %.4f  L = %.4f\n",
                       "", s->model, s->p_block, s->st.lambda_per_s, s->st.wq_s * 1e3,
                       s->st.w_s * 1e3, s->st.lq, s->st.l);
                continue;
            }
            printf("\n  %-14s %s: P(wait) = %.4f  Wq = %.6g ms  W = %.6g ms  Lq = %.4f  "
                   "L = %.4f\n",
                   "", s->model, s->st.p_wait, s->st.wq_s * 1e3, s->st.w_s * 1e3, s->st.lq,
                   s->st.l);
        }
        if (p->have_total)
            printf("  end to end (Jackson network: sum over stations of visits × W)%s: mean "
                   "response %.6g ms; Little's law L = λW = %.4f requests in the system\n",
                   p->total_approx ? ", approximate" : "", p->w_total_s * 1e3,
                   p->lambda_per_s * p->w_total_s);
        if (p->total_approx || !p->have_total)
            printf("  note: %s\n", p->why_not[0] ? p->why_not : "no end-to-end formula");
    } else if (p->users) {
        if (p->have_closed) {
            printf("  closed network, %u users (exact mean value analysis): throughput %.6g/s, "
                   "response %.6g ms (excluding think time)\n",
                   p->users, p->x_per_s, p->r_s * 1e3);
            for (size_t i = 0; i < p->nstations; i++)
                printf("  %-14s ρ = %.4f\n", p->stations[i].comp->name, p->stations[i].rho);
        } else {
            printf("  closed network: %s\n", p->why_not[0] ? p->why_not : "no formula");
        }
    } else {
        printf("  none: the arrival rate changes over time (phases)\n");
    }
}

int cmd_check(int argc, char **argv) {
    static const struct option opts[] = {
        {"set", required_argument, NULL, 'S'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char **sets = xcalloc((size_t)argc + 1, sizeof *sets);
    size_t nsets = 0;
    const char *path = NULL;
    struct run_scenario s;
    struct run_checked chk = {NULL, NULL};
    struct run_prediction pred;
    struct err err;
    int c, rc = CLI_EXIT_USAGE;
    char buf[1024], dur[32], warm[32], iv[32];

    memset(&s, 0, sizeof s);
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
            case 'S':
                sets[nsets++] = optarg;
                break;
            case 'h':
                printf("usage: archsim check [SCENARIO] [--set PATH=VALUE]...\n");
                rc = CLI_EXIT_OK;
                goto out;
            case ':':
                fprintf(stderr, "archsim: option '%s' needs a value\n", argv[optind - 1]);
                goto out;
            default:
                fprintf(stderr, "archsim: unknown option '%s' (see archsim --help)\n",
                        argv[optind - 1]);
                goto out;
        }
    }
    if (optind < argc) path = argv[optind++];
    if (optind < argc) {
        fprintf(stderr, "archsim: unexpected argument '%s'\n", argv[optind]);
        goto out;
    }
    err_clear(&err);
    if (run_scenario_load(&s, path, sets, nsets, &err) || run_check(&s, &chk, &err)) {
        report_error(&err);
        goto out;
    }
    printf("%s: ok\n", s.file);
    printf("scenario %s: duration %s, warm-up %s, interval %s, seed %" PRIu64
           ", %u replication%s\n",
           s.name, units_format_duration(s.duration_ns, dur, sizeof dur),
           s.warmup_auto ? "auto (MSER-5)" : units_format_duration(s.warmup_ns, warm, sizeof warm),
           units_format_duration(s.interval_ns, iv, sizeof iv), s.seed, s.replications,
           s.replications == 1 ? "" : "s");
    workload_describe(net_workload(chk.net), buf, sizeof buf);
    printf("workload: %s\n", buf);
    printf("components:\n");
    for (size_t i = 0; i < net_ncomps(chk.net); i++) {
        struct comp *comp = net_comp(chk.net, i);
        comp->ops->describe(comp, buf, sizeof buf);
        printf("  %-14s %s\n", comp->name, buf);
    }
    run_predict(chk.net, &pred);
    print_predictions(&pred);
    run_prediction_free(&pred);
    rc = CLI_EXIT_OK;
out:
    run_check_free(&chk);
    run_scenario_free(&s);
    free(sets);
    return rc;
}
