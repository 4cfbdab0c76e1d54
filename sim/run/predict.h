/*
 * predict — analytic predictions for a built model, where queueing theory has them:
 *
 *  - traffic equations: the mean number of visits of a request of each class to each
 *    component (load balancers split by weight, downstream calls by probability), hence each
 *    station's arrival rate λ and utilization ρ = λ E[S] / c;
 *  - per station, with Poisson arrivals: M/M/c by Erlang C when every class has the same
 *    exponential service time (M/M/c/K with a bounded queue); M/G/1 by Pollaczek–Khinchine
 *    otherwise when c = 1 (the class mixture's first two moments); none for M/G/c, for
 *    non-Poisson arrivals, or for a station that holds its worker during downstream calls
 *    (its busy time includes them);
 *  - open network, end to end: Jackson (1957) — the mean response is the sum over stations of
 *    visits × mean response there; exact for Poisson arrivals, exponential stations, random
 *    (Bernoulli) splitting, sequential calls, unbounded queues and free workers while calls
 *    are outstanding; flagged approximate when a balancer splits by round robin or by state;
 *    refused for parallel fan-out, held workers and bounded queues;
 *  - closed network: exact mean value analysis (Reiser & Lavenberg 1980) for single-server
 *    exponential stations with the think time as a delay.
 *
 * Unstable stations (ρ ≥ 1 with an unbounded queue) get no prediction at all (never a
 * negative wait), and are counted so `run` and `check` can warn; with a bounded queue ρ ≥ 1
 * only means many rejections, and M/M/c/K still answers.
 */
#ifndef ARCHSIM_PREDICT_H
#define ARCHSIM_PREDICT_H

#include <stddef.h>

#include "analytic.h"
#include "model.h"

struct run_station_pred {
    const struct comp *comp;
    double lambda_per_s; /* arrival rate */
    double mean_s;       /* mean service time (after speed), s */
    unsigned servers;
    double rho;          /* utilization; may be >= 1 */
    long long queue_cap; /* -1: unbounded */
    char model[48];      /* "M/M/4", "M/G/1", "M/M/2/10", "" when none */
    int have;            /* st is filled */
    struct analytic_station st;
    double p_block; /* bounded queue: probability an arrival is rejected */
    char note[120]; /* why there is no formula, when there is none */
};

struct run_prediction {
    int open;            /* open workload with one steady rate */
    double lambda_per_s; /* offered rate (open) */
    size_t nstations;
    struct run_station_pred *stations; /* owned */
    size_t unstable;                   /* stations with rho >= 1 */
    int have_total;                    /* w_total_s is a prediction */
    int total_approx;                  /* ... an approximation (see the file comment) */
    double w_total_s;                  /* end-to-end mean response, s */
    char why_not[160];                 /* why there is no end-to-end prediction */
    int have_closed;                   /* closed: MVA results */
    unsigned users;
    double x_per_s, r_s; /* closed: throughput and response time (excl. think) */
};

/* Compute what can be computed for net. Always succeeds; free with run_prediction_free. */
void run_predict(const struct net *net, struct run_prediction *p);
void run_prediction_free(struct run_prediction *p);

#endif
