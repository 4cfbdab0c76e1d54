/* zig: the ziggurat exponential against the exponential law it must follow.
 *
 * Every check compares an observed frequency with its exact probability under Exp(1) and
 * allows 5 binomial standard deviations, sqrt(n p (1 - p)) (a false alarm about once in
 * 1.7 million checks); the seed is fixed, so the run is reproducible. */
#include <CUnit/CUnit.h>
#include <math.h>
#include <stdio.h>

#include "rng.h"
#include "zig.h"

void test_zig_register(void);

#define N 4000000

/* P(X > t) at points inside the fast rectangles, across region edges, at the base strip's
 * edge r = 7.697 where the tail starts, and deep in the tail. */
static void test_survival(void) {
    static const double t[] = {0.001, 0.01, 0.1, 0.5, 1.0, 2.0, 3.0, 5.0, 7.0, 7.697117470131487,
                               8.5,   10.0};
    enum { NT = sizeof t / sizeof t[0] };
    uint64_t above[NT] = {0};
    double sum = 0, sumsq = 0, min = INFINITY;
    struct rng r;

    rng_seed(&r, 7, 11);
    for (int i = 0; i < N; i++) {
        double x = zig_exp1(&r);
        sum += x;
        sumsq += x * x;
        if (x < min) min = x;
        for (int k = 0; k < NT; k++)
            above[k] += x > t[k];
    }
    for (int k = 0; k < NT; k++) {
        double p = exp(-t[k]), sd = sqrt(N * p * (1 - p));
        double got = (double)above[k];
        if (fabs(got - N * p) > 5 * sd + 1)
            fprintf(stderr, "P(X > %g): %g of %d, expected %.1f +- %.1f\n", t[k], got, N, N * p,
                    5 * sd);
        CU_ASSERT_TRUE(fabs(got - N * p) <= 5 * sd + 1);
    }
    /* Mean 1 (sd of the mean 1/sqrt(N) = 0.0005) and E[X^2] = 2 (sd sqrt(20/N) = 0.0022). */
    CU_ASSERT_DOUBLE_EQUAL(sum / N, 1.0, 5 * 0.0005);
    CU_ASSERT_DOUBLE_EQUAL(sumsq / N, 2.0, 5 * 0.0023);
    CU_ASSERT_TRUE(min >= 0);
}

/* A chi-square test over 64 equiprobable cells [q_k, q_{k+1}), q_k = -ln(1 - k/64): 63 degrees
 * of freedom, mean 63, sd sqrt(126) = 11.2; 63 + 5 sd = 119. Catches a wrong table entry (a
 * region's rectangle or wedge off) that the survival points might straddle. */
static void test_chisq(void) {
    enum { CELLS = 64 };
    uint64_t count[CELLS] = {0};
    double chi = 0, e = (double)N / CELLS;
    struct rng r;

    rng_seed(&r, 99, 3);
    for (int i = 0; i < N; i++) {
        double x = zig_exp1(&r);
        int c = (int)floor(CELLS * (1 - exp(-x)));
        count[c < CELLS ? c : CELLS - 1]++;
    }
    for (int c = 0; c < CELLS; c++)
        chi += ((double)count[c] - e) * ((double)count[c] - e) / e;
    fprintf(stderr, "\n  ziggurat chi-square over %d cells: %.1f (63 dof, bound 119)\n", CELLS,
            chi);
    CU_ASSERT_TRUE(chi < 119);
}

/* The tables follow the paper's recurrence: every region has area v (x_i (f_{i-1} - f_i) for
 * the rectangles), widths grow from the top region down to r, and the base strip is r f(r)
 * plus the tail e^-r, also v. */
static void test_tables(void) {
    const double v = 3.949659822581572e-3, r = 7.697117470131487, two53 = 9007199254740992.0;

    CU_ASSERT_DOUBLE_EQUAL(r * exp(-r) + exp(-r), v, 1e-12);
    for (int i = 1; i < 256; i++) {
        double x = zig_exp_tab.w[i] * two53;
        CU_ASSERT_DOUBLE_EQUAL(x * (zig_exp_tab.f[i - 1] - zig_exp_tab.f[i]), v, 1e-9);
        if (i > 1) CU_ASSERT_TRUE(zig_exp_tab.w[i] > zig_exp_tab.w[i - 1]);
    }
    CU_ASSERT_DOUBLE_EQUAL(zig_exp_tab.w[255] * two53, r, 1e-12);
}

void test_zig_register(void) {
    CU_pSuite s = CU_add_suite("zig", NULL, NULL);
    CU_add_test(s, "exponential survival function and moments", test_survival);
    CU_add_test(s, "exponential chi-square over 64 cells", test_chisq);
    CU_add_test(s, "tables: equal-area regions", test_tables);
}
