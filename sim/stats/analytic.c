/*
 * analytic — closed-form queueing results (see analytic.h for the formulas, their sources,
 * the design and the alternatives rejected).
 */
#include "analytic.h"

#include <math.h>
#include <stdlib.h>

#include "xmalloc.h"

double analytic_erlang_b(unsigned c, double a) {
    double b = 1.0;

    if (!(a >= 0.0) || !isfinite(a)) return NAN;
    /* Each step divides by k + a b >= k, so b stays in [0, 1]: no overflow for any c. */
    for (unsigned k = 1; k <= c; k++)
        b = a * b / ((double)k + a * b);
    return b;
}

double analytic_erlang_c(unsigned c, double a) {
    if (c == 0 || !(a >= 0.0) || !isfinite(a)) return NAN;
    double rho = a / (double)c;
    if (rho >= 1.0) return NAN;
    double b = analytic_erlang_b(c, a);
    return b / (1.0 - rho * (1.0 - b));
}

int analytic_mmc(double lambda_per_s, double mu_per_s, unsigned c, struct analytic_station *out) {
    if (c == 0 || !(lambda_per_s >= 0.0) || !(mu_per_s > 0.0) || !isfinite(lambda_per_s) ||
        !isfinite(mu_per_s))
        return -1;
    double a = lambda_per_s / mu_per_s;
    double rho = a / (double)c;
    if (!(rho < 1.0)) return -1;

    double pw = analytic_erlang_c(c, a);
    double wq = pw / ((double)c * mu_per_s - lambda_per_s);
    double w = wq + 1.0 / mu_per_s;
    *out = (struct analytic_station){
        .lambda_per_s = lambda_per_s,
        .mu_per_s = mu_per_s,
        .c = c,
        .rho = rho,
        .p_wait = pw,
        .wq_s = wq,
        .w_s = w,
        .lq = lambda_per_s * wq,
        .l = lambda_per_s * w,
    };
    return 0;
}

int analytic_mg1(double lambda_per_s, double mean_s, double scv, struct analytic_station *out) {
    if (!(lambda_per_s >= 0.0) || !(mean_s > 0.0) || !(scv >= 0.0) || !isfinite(lambda_per_s) ||
        !isfinite(mean_s) || !isfinite(scv))
        return -1;
    double rho = lambda_per_s * mean_s;
    if (!(rho < 1.0)) return -1;

    double es2 = mean_s * mean_s * (1.0 + scv);
    double wq = lambda_per_s * es2 / (2.0 * (1.0 - rho));
    double w = wq + mean_s;
    *out = (struct analytic_station){
        .lambda_per_s = lambda_per_s,
        .mu_per_s = 1.0 / mean_s,
        .c = 1,
        .rho = rho,
        .p_wait = rho,
        .wq_s = wq,
        .w_s = w,
        .lq = lambda_per_s * wq,
        .l = lambda_per_s * w,
    };
    return 0;
}

int analytic_mva(unsigned n, double think_s, const double *demand_s, size_t k, double *x_per_s,
                 double *r_s) {
    double dsum = 0.0, x = 0.0, r = 0.0;
    double *q;

    if (n == 0 || (k > 0 && demand_s == NULL) || !(think_s >= 0.0) || !isfinite(think_s)) return -1;
    for (size_t i = 0; i < k; i++) {
        if (!(demand_s[i] >= 0.0) || !isfinite(demand_s[i])) return -1;
        dsum += demand_s[i];
    }
    if (think_s + dsum <= 0.0) return -1;

    /* q[i] = mean queue length at station i for the previous population (0 users at m = 1). */
    q = xcalloc(k ? k : 1, sizeof *q);
    for (unsigned m = 1; m <= n; m++) {
        r = 0.0;
        for (size_t i = 0; i < k; i++) {
            q[i] = demand_s[i] * (1.0 + q[i]); /* R_i(m), stored in place of Q_i(m-1) */
            r += q[i];
        }
        x = (double)m / (think_s + r);
        for (size_t i = 0; i < k; i++)
            q[i] *= x; /* Q_i(m) = X(m) R_i(m) */
    }
    free(q);
    *x_per_s = x;
    *r_s = r;
    return 0;
}

int analytic_mmck(double lambda_per_s, double mu_per_s, unsigned c, unsigned long k,
                  struct analytic_station *out, double *p_block) {
    double a, term, sum = 0, lq = 0, busy = 0, waiting_mass = 0, pk;

    if (!(lambda_per_s >= 0) || !(mu_per_s > 0) || c == 0 || k < c || !isfinite(lambda_per_s) ||
        !isfinite(mu_per_s))
        return -1;
    a = lambda_per_s / mu_per_s;
    /* Unnormalised p_n from p_0 = 1 by the ratios a/n (n <= c) and a/c (n > c); rescale when
     * the terms grow large so nothing overflows. */
    term = 1.0;
    for (unsigned long n = 0; n <= k; n++) {
        if (n > 0) term *= n <= c ? a / (double)n : a / (double)c;
        if (term > 1e250) {
            const double f = 1e-250;
            term *= f;
            sum *= f;
            lq *= f;
            busy *= f;
            waiting_mass *= f;
        }
        sum += term;
        lq += n > c ? (double)(n - c) * term : 0.0;
        busy += (double)(n < c ? n : c) * term;
        if (n >= c && n < k) waiting_mass += term;
    }
    pk = term / sum;
    lq /= sum;
    busy /= sum;
    out->lambda_per_s = lambda_per_s * (1 - pk); /* admitted rate */
    out->mu_per_s = mu_per_s;
    out->c = c;
    out->rho = a / (double)c;
    /* An admitted arrival waits when it finds all c busy (PASTA, conditioned on admission). */
    out->p_wait = pk < 1 ? (waiting_mass / sum) / (1 - pk) : 1.0;
    out->lq = lq;
    out->l = lq + busy;
    out->wq_s = out->lambda_per_s > 0 ? lq / out->lambda_per_s : 0.0;
    out->w_s = out->lambda_per_s > 0 ? out->l / out->lambda_per_s : 1.0 / mu_per_s;
    *p_block = pk;
    return 0;
}
