/*
 * analytic — closed-form queueing results used by `archsim check` (predictions printed next
 * to the resolved model) and by the tests that validate the simulator against theory.
 *
 * Design: plain functions of rates and counts; results in SI units (per second, seconds,
 * customers). Stations are described by a public value struct. Erlang B uses the stable
 * recurrence and Erlang C is derived from it, so c in the hundreds or thousands neither
 * overflows nor loses precision. MVA is the exact recursion over the population.
 *
 * Alternatives rejected: the factorial/power-sum forms of Erlang B and C (overflow for
 * c > ~170 and cancellation before that); log-gamma forms (accurate but slower and no
 * simpler); approximate MVA (Schweitzer/Bard) (the populations here are small enough for
 * the exact O(n k) recursion).
 */
#ifndef ARCHSIM_ANALYTIC_H
#define ARCHSIM_ANALYTIC_H

#include <stddef.h>

/* Erlang B blocking probability of an M/M/c/c loss system offered a = lambda/mu Erlangs
 * (Kleinrock 1975, Queueing Systems vol. 1, §3.7, Erlang's loss formula), by the recurrence
 * B(0) = 1, B(k) = a B(k-1) / (k + a B(k-1)) (Jagerman 1974, Bell Syst. Tech. J. 53(3)):
 * O(c), no factorials, finite for any c. NAN when a < 0 or a is not finite. */
double analytic_erlang_b(unsigned c, double a);

/* Erlang C: probability that an arrival waits in M/M/c offered a = lambda/mu Erlangs
 * (Kleinrock 1975, vol. 1, §3.5, eq. 3.40, Erlang's C formula), computed from Erlang B as
 * C = B / (1 - rho (1 - B)), rho = a / c (write both formulas over the power sum
 * sum_{k<c} a^k/k! and eliminate it; see Cooper 1981, Introduction to Queueing Theory,
 * 2nd ed., ch. 3). In [0, 1). NAN when c == 0, a < 0 or not finite, or rho >= 1. */
double analytic_erlang_c(unsigned c, double a);

/* Steady-state measures of one station. Value struct; rates per second, times in seconds,
 * lengths in customers. */
struct analytic_station {
    double lambda_per_s; /* arrival rate */
    double mu_per_s;     /* service rate of one server */
    unsigned c;          /* servers */
    double rho;          /* utilisation lambda / (c mu) */
    double p_wait;       /* probability an arrival waits */
    double wq_s;         /* mean wait in queue */
    double w_s;          /* mean response time, wq + 1/mu */
    double lq;           /* mean number waiting, lambda wq (Little) */
    double l;            /* mean number in system, lambda w (Little) */
};

/* M/M/c: p_wait = Erlang C, Wq = C / (c mu - lambda) (Kleinrock 1975, vol. 1, §3.5),
 * W = Wq + 1/mu, Lq = lambda Wq, L = lambda W. Returns 0 and fills *out; -1 (out untouched)
 * when lambda < 0, mu <= 0, c == 0, a parameter is not finite, or rho >= 1 (unstable), so a
 * negative or infinite wait is never reported. */
int analytic_mmc(double lambda_per_s, double mu_per_s, unsigned c, struct analytic_station *out);

/* M/G/1 by the Pollaczek-Khinchine mean-value formula (Kleinrock 1975, vol. 1, ch. 5):
 * Wq = lambda E[S^2] / (2 (1 - rho)) with E[S^2] = mean_s^2 (1 + scv), rho = lambda mean_s;
 * scv = Var[S] / E[S]^2 (1 exponential = M/M/1, 0 deterministic = M/D/1). Fills *out with
 * c = 1, mu = 1/mean_s, p_wait = rho (PASTA). Returns 0; -1 (out untouched) when
 * lambda < 0, mean_s <= 0, scv < 0, a parameter is not finite, or rho >= 1. */
int analytic_mg1(double lambda_per_s, double mean_s, double scv, struct analytic_station *out);

/* M/M/c/K: c servers, room for K >= c requests in the station (K - c waiting); arrivals that
 * find it full are lost. Birth-death steady state (Kleinrock 1975, vol. 1, §3.6; Gross &
 * Harris, Fundamentals of Queueing Theory, §2.5): p_n = p_0 a^n / n! for n <= c and
 * p_0 a^c/c! (a/c)^(n-c) for c < n <= K, a = lambda/mu, computed by the ratio recurrence
 * (no factorials, rescaled to stay finite). Fills *out (rho is the offered a/c; p_wait the
 * probability an admitted request waits; wq, w, lq, l over admitted requests, Little's law
 * with the admitted rate) and *p_block = p_K, the probability an arrival is rejected. Stable
 * for any rho. Returns 0; -1 (nothing written) when lambda < 0, mu <= 0, c == 0, K < c, or a
 * parameter is not finite. */
int analytic_mmck(double lambda_per_s, double mu_per_s, unsigned c, unsigned long k,
                  struct analytic_station *out, double *p_block);

/* Exact mean value analysis (Reiser & Lavenberg 1980, J. ACM 27(2)) of a closed network:
 * n users cycling through a delay station (mean think time think_s) and k single-server FCFS
 * exponential stations with service demands demand_s[0..k-1] (seconds per visit-weighted
 * cycle). Recursion for m = 1..n: R_i(m) = D_i (1 + Q_i(m-1)), X(m) = m / (Z + sum R_i(m)),
 * Q_i(m) = X(m) R_i(m). Writes the throughput *x_per_s and the response time *r_s
 * (sum R_i, think excluded) at population n. demand_s is borrowed. Returns 0; -1 when
 * n == 0, demand_s is NULL with k > 0, think_s or a demand is negative or not finite, or
 * think and all demands are 0. Allocates O(k) temporary memory (xmalloc). */
int analytic_mva(unsigned n, double think_s, const double *demand_s, size_t k, double *x_per_s,
                 double *r_s);

#endif
