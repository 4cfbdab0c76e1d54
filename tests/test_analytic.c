/*
 * Tests for sim/stats/analytic against values computed independently: textbook M/M/1
 * closed forms, the factorial form of Erlang C for small c, hand-worked MVA, and the
 * asymptotic bounds of closed networks.
 */
#include <CUnit/CUnit.h>
#include <math.h>

#include "analytic.h"

void test_analytic_register(void);

/* Erlang C by the direct power-sum form (fine for small c): with rho = a / c,
 * C = [a^c / (c! (1 - rho))] / [sum_{k<c} a^k / k! + a^c / (c! (1 - rho))]. */
static double direct_erlang_c(unsigned c, double a) {
    double term = 1.0, sum = 0.0;
    for (unsigned k = 0; k < c; k++) {
        sum += term;
        term *= a / (k + 1);
    }
    double top = term / (1.0 - a / c);
    return top / (sum + top);
}

static void test_erlang(void) {
    CU_ASSERT_DOUBLE_EQUAL(analytic_erlang_b(0, 3.0), 1.0, 0);
    CU_ASSERT_DOUBLE_EQUAL(analytic_erlang_b(1, 1.0), 0.5, 1e-15);
    /* B(2, 1) = (1/2) / (1 + 1 + 1/2) = 0.2 */
    CU_ASSERT_DOUBLE_EQUAL(analytic_erlang_b(2, 1.0), 0.2, 1e-15);
    CU_ASSERT(isnan(analytic_erlang_b(3, -1.0)));
    /* One server: P[wait] = rho. */
    CU_ASSERT_DOUBLE_EQUAL(analytic_erlang_c(1, 0.3), 0.3, 1e-15);
    for (unsigned c = 1; c <= 20; c++)
        CU_ASSERT_DOUBLE_EQUAL(analytic_erlang_c(c, 0.8 * c), direct_erlang_c(c, 0.8 * c), 1e-12);
    /* Large c: the factorial form overflows (500! ~ 1e1134), the recurrence does not. */
    double c500 = analytic_erlang_c(500, 450.0);
    CU_ASSERT(isfinite(c500) && c500 > 0.0 && c500 < 1.0);
    double b500 = analytic_erlang_b(500, 450.0);
    CU_ASSERT(isfinite(b500) && b500 > 0.0 && b500 < 1.0);
    CU_ASSERT(isfinite(analytic_erlang_c(10000, 9990.0)));
    /* Unstable or invalid. */
    CU_ASSERT(isnan(analytic_erlang_c(4, 4.0)));
    CU_ASSERT(isnan(analytic_erlang_c(4, 5.0)));
    CU_ASSERT(isnan(analytic_erlang_c(0, 0.5)));
}

static void test_mm1(void) {
    struct analytic_station s;

    /* M/M/1, mu = 1: W = 1 / (mu - lambda), L = rho / (1 - rho), Lq = rho^2 / (1 - rho). */
    CU_ASSERT_EQUAL_FATAL(analytic_mmc(0.5, 1.0, 1, &s), 0);
    CU_ASSERT_DOUBLE_EQUAL(s.rho, 0.5, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(s.p_wait, 0.5, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(s.w_s, 2.0, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(s.wq_s, 1.0, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(s.l, 1.0, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(s.lq, 0.5, 1e-12);
    CU_ASSERT_EQUAL_FATAL(analytic_mmc(0.9, 1.0, 1, &s), 0);
    CU_ASSERT_DOUBLE_EQUAL(s.w_s, 10.0, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(s.l, 9.0, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(s.lq, 8.1, 1e-9);
    /* Rates in other units: lambda 900/s, mu 1000/s -> W = 10 ms. */
    CU_ASSERT_EQUAL_FATAL(analytic_mmc(900.0, 1000.0, 1, &s), 0);
    CU_ASSERT_DOUBLE_EQUAL(s.w_s, 0.01, 1e-12);
}

static void test_mm4(void) {
    struct analytic_station s;

    /* M/M/4, mu = 1, lambda = 2.8: a = 2.8, rho = 0.7. By hand:
     *   sum_{k<4} a^k/k! = 1 + 2.8 + 3.92 + 3.658667 = 11.378667
     *   a^4 / (4! (1 - rho)) = 61.4656 / 24 / 0.3 = 8.536889
     *   C = 8.536889 / (11.378667 + 8.536889) = 0.428654
     *   Lq = C rho / (1 - rho) = 0.428654 * 0.7 / 0.3 = 1.000193
     *   L = Lq + a = 3.800193, Wq = Lq / lambda = 0.357212, W = Wq + 1 = 1.357212. */
    CU_ASSERT_EQUAL_FATAL(analytic_mmc(2.8, 1.0, 4, &s), 0);
    CU_ASSERT_EQUAL(s.c, 4);
    CU_ASSERT_DOUBLE_EQUAL(s.rho, 0.7, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(s.p_wait, 0.428654, 1e-6);
    CU_ASSERT_DOUBLE_EQUAL(s.lq, 1.000, 5e-4); /* to 3 decimals */
    CU_ASSERT_DOUBLE_EQUAL(s.l, 3.800, 5e-4);
    CU_ASSERT_DOUBLE_EQUAL(s.lq, 1.000193, 1e-6);
    CU_ASSERT_DOUBLE_EQUAL(s.lq, direct_erlang_c(4, 2.8) * 0.7 / 0.3, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(s.wq_s, 0.357212, 1e-6);
    CU_ASSERT_DOUBLE_EQUAL(s.w_s, 1.357212, 1e-6);
}

static void test_refused(void) {
    struct analytic_station s = {.w_s = -7.0};

    CU_ASSERT_EQUAL(analytic_mmc(1.0, 1.0, 1, &s), -1); /* rho = 1 */
    CU_ASSERT_EQUAL(analytic_mmc(5.0, 1.0, 4, &s), -1); /* rho > 1 */
    CU_ASSERT_EQUAL(analytic_mmc(1.0, 0.0, 4, &s), -1);
    CU_ASSERT_EQUAL(analytic_mmc(1.0, 2.0, 0, &s), -1);
    CU_ASSERT_EQUAL(analytic_mmc(-1.0, 2.0, 1, &s), -1);
    CU_ASSERT_EQUAL(analytic_mmc(NAN, 2.0, 1, &s), -1);
    CU_ASSERT_EQUAL(analytic_mg1(2.0, 0.5, 0.0, &s), -1); /* rho = 1 */
    CU_ASSERT_EQUAL(analytic_mg1(1.0, 0.5, -1.0, &s), -1);
    CU_ASSERT_EQUAL(analytic_mg1(1.0, 0.0, 1.0, &s), -1);
    CU_ASSERT_DOUBLE_EQUAL(s.w_s, -7.0, 0); /* untouched on failure */
}

static void test_mg1(void) {
    struct analytic_station s, m;

    /* M/D/1: Wq = rho / (2 mu (1 - rho)). mu = 1, rho = 0.5: 0.5 / (2 * 0.5) = 0.5. */
    CU_ASSERT_EQUAL_FATAL(analytic_mg1(0.5, 1.0, 0.0, &s), 0);
    CU_ASSERT_DOUBLE_EQUAL(s.wq_s, 0.5, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(s.w_s, 1.5, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(s.p_wait, 0.5, 1e-12);
    /* mu = 100/s, lambda = 80/s: Wq = 0.8 / (2 * 100 * 0.2) = 0.02 s; Lq = 1.6. */
    CU_ASSERT_EQUAL_FATAL(analytic_mg1(80.0, 0.01, 0.0, &s), 0);
    CU_ASSERT_DOUBLE_EQUAL(s.wq_s, 0.02, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(s.lq, 1.6, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(s.mu_per_s, 100.0, 1e-9);
    /* scv = 1 is M/M/1. */
    CU_ASSERT_EQUAL_FATAL(analytic_mg1(0.9, 1.0, 1.0, &s), 0);
    CU_ASSERT_EQUAL_FATAL(analytic_mmc(0.9, 1.0, 1, &m), 0);
    CU_ASSERT_DOUBLE_EQUAL(s.wq_s, m.wq_s, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(s.l, m.l, 1e-9);
}

static void test_mva(void) {
    const double d[] = {0.2, 0.1};
    const double d3[] = {0.2, 0.1, 0.05};
    double x, r, prev_x = 0.0;

    /* One user never queues: R = sum D, X = 1 / (Z + sum D). */
    CU_ASSERT_EQUAL_FATAL(analytic_mva(1, 1.0, d, 2, &x, &r), 0);
    CU_ASSERT_DOUBLE_EQUAL(r, 0.3, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(x, 1.0 / 1.3, 1e-12);
    /* Two users, Z = 1, by hand: Q1(1) = 0.2 / 1.3, Q2(1) = 0.1 / 1.3;
     * R1(2) = 0.2 (1 + 0.2/1.3) = 0.3/1.3, R2(2) = 0.1 (1 + 0.1/1.3) = 0.14/1.3,
     * R(2) = 0.44/1.3 = 0.338462, X(2) = 2 / (1 + 0.44/1.3) = 2.6/1.74 = 1.494253. */
    CU_ASSERT_EQUAL_FATAL(analytic_mva(2, 1.0, d, 2, &x, &r), 0);
    CU_ASSERT_DOUBLE_EQUAL(r, 0.44 / 1.3, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(x, 2.6 / 1.74, 1e-12);
    /* Asymptotic bounds (Lazowska et al. 1984, ch. 5): X(n) <= min(n / (D + Z), 1 / Dmax),
     * R(n) >= max(D, n Dmax - Z); X is nondecreasing and tends to 1 / Dmax = 5. */
    for (unsigned n = 1; n <= 200; n++) {
        CU_ASSERT_EQUAL_FATAL(analytic_mva(n, 1.0, d3, 3, &x, &r), 0);
        CU_ASSERT(x <= fmin(n / 1.35, 5.0) + 1e-12);
        CU_ASSERT(r >= fmax(0.35, n * 0.2 - 1.0) - 1e-12);
        CU_ASSERT(x >= prev_x - 1e-12); /* rounding once X is within 1 ulp of 5 */
        prev_x = x;
    }
    CU_ASSERT_DOUBLE_EQUAL(x, 5.0, 1e-6);
    CU_ASSERT_DOUBLE_EQUAL(r, 200 / x - 1.0, 1e-9); /* Little on the whole cycle */
    /* No stations: a pure delay, X = n / Z. */
    CU_ASSERT_EQUAL_FATAL(analytic_mva(3, 2.0, NULL, 0, &x, &r), 0);
    CU_ASSERT_DOUBLE_EQUAL(x, 1.5, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(r, 0.0, 0);
    /* Invalid. */
    const double bad[] = {0.1, -0.1};
    CU_ASSERT_EQUAL(analytic_mva(0, 1.0, d, 2, &x, &r), -1);
    CU_ASSERT_EQUAL(analytic_mva(2, 1.0, bad, 2, &x, &r), -1);
    CU_ASSERT_EQUAL(analytic_mva(2, 1.0, NULL, 2, &x, &r), -1);
    CU_ASSERT_EQUAL(analytic_mva(2, -1.0, d, 2, &x, &r), -1);
    CU_ASSERT_EQUAL(analytic_mva(2, 0.0, NULL, 0, &x, &r), -1);
}

void test_analytic_register(void) {
    CU_pSuite s = CU_add_suite("analytic", NULL, NULL);
    if (!s) return;
    CU_add_test(s, "Erlang B and C", test_erlang);
    CU_add_test(s, "M/M/1", test_mm1);
    CU_add_test(s, "M/M/4 rho 0.7", test_mm4);
    CU_add_test(s, "unstable refused", test_refused);
    CU_add_test(s, "M/G/1 and M/D/1", test_mg1);
    CU_add_test(s, "MVA", test_mva);
}
