/* Unit tests for sim/core/dist: moments of every distribution against their exact values,
 * goodness of fit (Kolmogorov–Smirnov and quantiles against GSL), the lognormal mean/p99
 * constructor, CSV-loaded empirical distributions, descriptions and parameter validation.
 *
 * Tolerances: a sample mean over N draws has standard error SE = sqrt(var / N); a sample
 * variance has asymptotic SE sqrt((mu4 - var^2) / N), mu4 the 4th central moment (e.g. Kendall &
 * Stuart, "The Advanced Theory of Statistics" vol. 1, 10.5). Checks allow 5 SE, so a correct
 * sampler fails with probability < 1e-6 per check; the seeds are fixed, so results are
 * reproducible. */
#include <CUnit/CUnit.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dist.h"

void test_dist_register(void);

#define N_DRAWS 1000000

static int close_rel(double a, double b, double tol) {
    return fabs(a - b) <= tol * fmax(fabs(a), fabs(b));
}

/* Check dist_mean/dist_variance against the exact raw moments e1..e4 = E[X^k], then the sample
 * mean and variance of N_DRAWS draws within 5 SE (see the file comment). */
static void check_moments(const struct dist *d, const char *name, double e1, double e2, double e3,
                          double e4) {
    const double var = e2 - e1 * e1;
    const double mu4 = e4 - 4 * e1 * e3 + 6 * e1 * e1 * e2 - 3 * e1 * e1 * e1 * e1;
    double mean = 0, m2 = 0, se_mean, se_var, svar;
    struct rng r;

    CU_ASSERT(close_rel(dist_mean(d), e1, 1e-12));
    CU_ASSERT(close_rel(dist_variance(d), var, 1e-9));
    rng_stream(&r, 2024, "test_dist", name);
    for (long i = 0; i < N_DRAWS; i++) {
        double x = dist_sample(d, &r), delta = x - mean;
        CU_ASSERT_FATAL(x >= 0 && isfinite(x));
        mean += delta / (double)(i + 1);
        m2 += delta * (x - mean);
    }
    svar = m2 / (N_DRAWS - 1);
    se_mean = sqrt(var / N_DRAWS);
    se_var = sqrt((mu4 - var * var) / N_DRAWS);
    if (fabs(mean - e1) >= 5 * se_mean || fabs(svar - var) >= 5 * se_var)
        printf("\n  %s: mean %g (want %g, SE %g), var %g (want %g, SE %g)\n", name, mean, e1,
               se_mean, svar, var, se_var);
    CU_ASSERT(fabs(mean - e1) < 5 * se_mean);
    CU_ASSERT(fabs(svar - var) < 5 * se_var);
}

static void test_const(void) {
    struct dist d;
    struct rng r;

    CU_ASSERT_EQUAL_FATAL(dist_const(&d, 1234.5, NULL), 0);
    rng_seed(&r, 1, 1);
    for (int i = 0; i < 1000; i++)
        CU_ASSERT_EQUAL(dist_sample(&d, &r), 1234.5);
    CU_ASSERT_EQUAL(dist_mean(&d), 1234.5);
    CU_ASSERT_EQUAL(dist_variance(&d), 0);
}

/* Exponential(m): E[X^k] = k! m^k. */
static void test_exp(void) {
    const double m = 2e6;
    struct dist d;

    CU_ASSERT_EQUAL_FATAL(dist_exp(&d, m, NULL), 0);
    check_moments(&d, "exp", m, 2 * m * m, 6 * m * m * m, 24 * m * m * m * m);
}

/* Uniform[lo, hi): E[X^k] = (hi^(k+1) - lo^(k+1)) / ((k + 1)(hi - lo)). */
static void test_uniform(void) {
    const double lo = 3, hi = 11;
    double e[5];
    struct dist d;

    for (int k = 1; k <= 4; k++)
        e[k] = (pow(hi, k + 1) - pow(lo, k + 1)) / ((k + 1) * (hi - lo));
    CU_ASSERT_EQUAL_FATAL(dist_uniform(&d, lo, hi, NULL), 0);
    check_moments(&d, "uniform", e[1], e[2], e[3], e[4]);
}

/* Normal(m, s^2) with m = 10 s: clamping at 0 has probability 8e-24, so the moments are the
 * normal ones, E[X^k] = m, m^2 + s^2, m^3 + 3 m s^2, m^4 + 6 m^2 s^2 + 3 s^4. */
static void test_normal(void) {
    const double m = 100, s = 10;
    struct dist d;

    CU_ASSERT_EQUAL_FATAL(dist_normal(&d, m, s, NULL), 0);
    check_moments(&d, "normal", m, m * m + s * s, m * m * m + 3 * m * s * s,
                  m * m * m * m + 6 * m * m * s * s + 3 * s * s * s * s);
}

/* Normal(0, 1) clamped at 0: X = max(Z, 0), so E[X^k] = E[Z^k; Z > 0] = 1/sqrt(2 pi), 1/2,
 * 2/sqrt(2 pi), 3/2. */
static void test_normal_clamped(void) {
    const double c = 1 / sqrt(2 * 3.14159265358979323846);
    struct dist d;

    CU_ASSERT_EQUAL_FATAL(dist_normal(&d, 0, 1, NULL), 0);
    check_moments(&d, "normal0", c, 0.5, 2 * c, 1.5);
    /* Large mean/sd: the variance formula must not cancel. */
    CU_ASSERT_EQUAL_FATAL(dist_normal(&d, 1e9, 1, NULL), 0);
    CU_ASSERT(close_rel(dist_mean(&d), 1e9, 1e-15));
    CU_ASSERT(close_rel(dist_variance(&d), 1, 1e-12));
}

/* Lognormal(mu, sigma): E[X^k] = exp(k mu + k^2 sigma^2 / 2). */
static void test_lognormal(void) {
    const double mu = 1, sg = 0.5;
    double e[5];
    struct dist d;

    for (int k = 1; k <= 4; k++)
        e[k] = exp(k * mu + k * k * sg * sg / 2);
    CU_ASSERT_EQUAL_FATAL(dist_lognormal_mu_sigma(&d, mu, sg, NULL), 0);
    check_moments(&d, "lognormal", e[1], e[2], e[3], e[4]);
}

/* Gamma(k, theta = mean / k): E[X^j] = theta^j k (k + 1) ... (k + j - 1). Shapes cover the
 * k < 1 boost, the Erlang product (1, 2, 8) and Marsaglia–Tsang (2.5, 12). */
static void test_gamma(void) {
    static const double shapes[] = {0.3, 1, 2, 2.5, 8, 12};
    const double mean = 5e5;

    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        double k = shapes[i], th = mean / k, e[5], rise = 1;
        char name[32];
        struct dist d;

        for (int j = 1; j <= 4; j++) {
            rise *= k + j - 1;
            e[j] = pow(th, j) * rise;
        }
        snprintf(name, sizeof name, "gamma%g", k);
        CU_ASSERT_EQUAL_FATAL(dist_gamma(&d, k, mean, NULL), 0);
        check_moments(&d, name, e[1], e[2], e[3], e[4]);
    }
}

/* Pareto(alpha, xmin): E[X^k] = alpha xmin^k / (alpha - k) for k < alpha; alpha = 10 keeps the
 * 8th moment finite, so the variance's SE is itself well estimated. */
static void test_pareto(void) {
    const double a = 10, xm = 1000;
    double e[5];
    struct dist d;

    for (int k = 1; k <= 4; k++)
        e[k] = a * pow(xm, k) / (a - k);
    CU_ASSERT_EQUAL_FATAL(dist_pareto(&d, a, xm, NULL), 0);
    check_moments(&d, "pareto", e[1], e[2], e[3], e[4]);
    CU_ASSERT_EQUAL_FATAL(dist_pareto(&d, 1, xm, NULL), 0);
    CU_ASSERT(isinf(dist_mean(&d)) && isinf(dist_variance(&d)));
    CU_ASSERT_EQUAL_FATAL(dist_pareto(&d, 2, xm, NULL), 0);
    CU_ASSERT(close_rel(dist_mean(&d), 2 * xm, 1e-15) && isinf(dist_variance(&d)));
}

/* H2(p, m1, m2): E[X^k] = k! (p m1^k + (1 - p) m2^k). */
static void test_hyperexp(void) {
    const double p = 0.9, m1 = 1, m2 = 10;
    static const double fact[] = {1, 1, 2, 6, 24};
    double e[5];
    struct dist d;

    for (int k = 1; k <= 4; k++)
        e[k] = fact[k] * (p * pow(m1, k) + (1 - p) * pow(m2, k));
    CU_ASSERT_EQUAL_FATAL(dist_hyperexp(&d, p, m1, m2, NULL), 0);
    check_moments(&d, "hyperexp", e[1], e[2], e[3], e[4]);
}

static void test_empirical(void) {
    const double v[] = {1, 2, 3, 10};
    double e[5] = {0};
    struct dist d;

    for (int k = 1; k <= 4; k++)
        for (int i = 0; i < 4; i++)
            e[k] += pow(v[i], k) / 4;
    CU_ASSERT_EQUAL_FATAL(dist_empirical(&d, v, 4, NULL), 0);
    CU_ASSERT(d.samples != v);
    check_moments(&d, "empirical", e[1], e[2], e[3], e[4]);
    dist_free(&d);
}

/* Kolmogorov–Smirnov: sqrt(N) D_N converges to the Kolmogorov distribution, whose 0.999
 * quantile is 1.9495 (Smirnov 1948 table; Marsaglia, Tsang & Wang, J. Stat. Softw. 8(18),
 * 2003); N = 10^5 is large enough for the asymptotic value. */
#define KS_N    100000
#define KS_CRIT 1.9495

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double *sorted_sample(const struct dist *d, const char *name, size_t n) {
    double *x = malloc(n * sizeof *x);
    struct rng r;

    rng_stream(&r, 7, "test_dist_ks", name);
    for (size_t i = 0; i < n; i++)
        x[i] = dist_sample(d, &r);
    qsort(x, n, sizeof *x, cmp_double);
    return x;
}

/* cdf(x, a, b) is a GSL cdf with its two parameters. */
static double ks_stat(const double *x, size_t n, double (*cdf)(double, double, double), double a,
                      double b) {
    double dmax = 0;

    for (size_t i = 0; i < n; i++) {
        double f = cdf(x[i], a, b);
        dmax = fmax(dmax, fmax(f - (double)i / n, (double)(i + 1) / n - f));
    }
    return dmax * sqrt((double)n);
}

static double gsl_exp_cdf(double x, double mean, double unused) {
    (void)unused;
    return gsl_cdf_exponential_P(x, mean);
}

/* Fraction of the sorted sample at or below the GSL quantile of q, within 5 binomial SEs. */
static void check_quantile(const double *x, size_t n, double q, double xq) {
    size_t below = 0;

    while (below < n && x[below] <= xq)
        below++;
    CU_ASSERT(fabs((double)below / n - q) < 5 * sqrt(q * (1 - q) / n));
}

static void test_ks_exp(void) {
    static const double qs[] = {0.01, 0.5, 0.9, 0.99, 0.999};
    const double mean = 3e6;
    struct dist d;
    double *x, k;

    CU_ASSERT_EQUAL_FATAL(dist_exp(&d, mean, NULL), 0);
    x = sorted_sample(&d, "exp", KS_N);
    k = ks_stat(x, KS_N, gsl_exp_cdf, mean, 0);
    CU_ASSERT(k < KS_CRIT);
    for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++)
        check_quantile(x, KS_N, qs[i], gsl_cdf_exponential_Pinv(qs[i], mean));
    free(x);
}

static void test_ks_gamma(void) {
    static const double shapes[] = {0.3, 1, 2, 2.5, 12};
    static const double qs[] = {0.01, 0.5, 0.99};
    const double mean = 1e6;

    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        double k = shapes[i], *x, stat;
        char name[32];
        struct dist d;

        snprintf(name, sizeof name, "gamma%g", k);
        CU_ASSERT_EQUAL_FATAL(dist_gamma(&d, k, mean, NULL), 0);
        x = sorted_sample(&d, name, KS_N);
        stat = ks_stat(x, KS_N, gsl_cdf_gamma_P, k, mean / k);
        if (stat >= KS_CRIT) printf("\n  %s: KS sqrt(N) D = %g\n", name, stat);
        CU_ASSERT(stat < KS_CRIT);
        for (size_t j = 0; j < sizeof qs / sizeof qs[0]; j++)
            check_quantile(x, KS_N, qs[j], gsl_cdf_gamma_Pinv(qs[j], k, mean / k));
        free(x);
    }
}

/* Lognormal from mean and p99: the analytic mean and p99 are the ones asked for; in a sample of
 * 10^6 the fraction <= p99 is within 5 binomial SEs of 0.99, and the empirical 0.99 quantile is
 * within 5 SE of p99, SE = sqrt(p (1 - p) / N) / f(p99) (asymptotic SE of a sample quantile,
 * f the density). */
static void test_lognormal_p99(void) {
    const double mean = 1e6, p99 = 5e6, z = gsl_cdf_ugaussian_Pinv(0.99);
    double *x, se;
    struct dist d;

    CU_ASSERT_EQUAL_FATAL(dist_lognormal_mean_p99(&d, mean, p99, NULL), 0);
    CU_ASSERT(close_rel(dist_mean(&d), mean, 1e-12));
    CU_ASSERT(close_rel(exp(d.p[0] + z * d.p[1]), p99, 1e-12));
    CU_ASSERT(close_rel(gsl_cdf_lognormal_Pinv(0.99, d.p[0], d.p[1]), p99, 1e-9));
    x = sorted_sample(&d, "lognormal_p99", N_DRAWS);
    check_quantile(x, N_DRAWS, 0.99, p99);
    se = sqrt(0.99 * 0.01 / N_DRAWS) / gsl_ran_lognormal_pdf(p99, d.p[0], d.p[1]);
    CU_ASSERT(fabs(x[(size_t)(0.99 * N_DRAWS)] - p99) < 5 * se);
    free(x);

    /* p99 == mean is the degenerate sigma = 0; a ratio near the maximum 14.97 is fine. */
    CU_ASSERT_EQUAL(dist_lognormal_mean_p99(&d, 1e6, 1e6, NULL), 0);
    CU_ASSERT_EQUAL(d.p[1], 0);
    CU_ASSERT_EQUAL(dist_lognormal_mean_p99(&d, 1e6, 14.9e6, NULL), 0);
    CU_ASSERT(close_rel(exp(d.p[0] + z * d.p[1]), 14.9e6, 1e-9));
}

static void test_lognormal_p99_invalid(void) {
    struct dist d = {.kind = DIST_CONST, .p = {42}};
    struct err e;

    CU_ASSERT_EQUAL(dist_lognormal_mean_p99(&d, 1e6, 20e6, &e), -1);
    CU_ASSERT(strstr(e.msg, "p99/mean") != NULL);
    CU_ASSERT_EQUAL(dist_lognormal_mean_p99(&d, 1e6, 0.5e6, &e), -1);
    CU_ASSERT_EQUAL(dist_lognormal_mean_p99(&d, 0, 1, &e), -1);
    CU_ASSERT_EQUAL(dist_lognormal_mean_p99(&d, 1, NAN, &e), -1);
    CU_ASSERT(d.kind == DIST_CONST && d.p[0] == 42); /* untouched on error */
}

static void test_same_seed_same_draws(void) {
    struct dist d;
    struct rng a, b;

    CU_ASSERT_EQUAL_FATAL(dist_gamma(&d, 2.5, 1e6, NULL), 0);
    rng_stream(&a, 9, "x", "y");
    rng_stream(&b, 9, "x", "y");
    for (int i = 0; i < 1000; i++)
        CU_ASSERT_EQUAL(dist_sample(&d, &a), dist_sample(&d, &b));
}

static void test_invalid(void) {
    const double neg[] = {1, -1};
    const double bad[] = {1, NAN};
    struct dist d = {.kind = DIST_CONST, .p = {42}};
    struct err e;

    e.msg[0] = '\0';
    CU_ASSERT_EQUAL(dist_const(&d, -1, &e), -1);
    CU_ASSERT(e.msg[0] != '\0');
    CU_ASSERT_EQUAL(dist_const(&d, INFINITY, &e), -1);
    CU_ASSERT_EQUAL(dist_exp(&d, 0, &e), -1);
    CU_ASSERT_EQUAL(dist_exp(&d, -1, &e), -1);
    CU_ASSERT_EQUAL(dist_exp(&d, NAN, &e), -1);
    CU_ASSERT(strstr(e.msg, "exponential") != NULL);
    CU_ASSERT_EQUAL(dist_uniform(&d, 2, 1, &e), -1);
    CU_ASSERT_EQUAL(dist_uniform(&d, -1, 1, &e), -1);
    CU_ASSERT_EQUAL(dist_normal(&d, 1, -1, &e), -1);
    CU_ASSERT_EQUAL(dist_normal(&d, -1, 1, &e), -1);
    CU_ASSERT_EQUAL(dist_lognormal_mu_sigma(&d, 0, -0.1, &e), -1);
    CU_ASSERT_EQUAL(dist_lognormal_mu_sigma(&d, INFINITY, 1, &e), -1);
    CU_ASSERT_EQUAL(dist_gamma(&d, 0, 1, &e), -1);
    CU_ASSERT_EQUAL(dist_gamma(&d, 1, 0, &e), -1);
    CU_ASSERT_EQUAL(dist_gamma(&d, -2, 1, &e), -1);
    CU_ASSERT_EQUAL(dist_pareto(&d, 0, 1, &e), -1);
    CU_ASSERT_EQUAL(dist_pareto(&d, 1, 0, &e), -1);
    CU_ASSERT_EQUAL(dist_hyperexp(&d, 1.5, 1, 1, &e), -1);
    CU_ASSERT_EQUAL(dist_hyperexp(&d, NAN, 1, 1, &e), -1);
    CU_ASSERT_EQUAL(dist_hyperexp(&d, 0.5, 0, 1, &e), -1);
    CU_ASSERT_EQUAL(dist_hyperexp(&d, 0.5, 1, -1, &e), -1);
    CU_ASSERT_EQUAL(dist_empirical(&d, neg, 0, &e), -1);
    CU_ASSERT_EQUAL(dist_empirical(&d, neg, 2, &e), -1);
    CU_ASSERT_EQUAL(dist_empirical(&d, bad, 2, &e), -1);
    CU_ASSERT(d.kind == DIST_CONST && d.p[0] == 42);
    /* err may be NULL. */
    CU_ASSERT_EQUAL(dist_exp(&d, -1, NULL), -1);
}

static void test_describe(void) {
    char buf[128];
    struct dist d;

    dist_exp(&d, 1e6, NULL);
    CU_ASSERT_STRING_EQUAL(dist_describe(&d, buf, sizeof buf), "exponential(mean=1ms)");
    dist_const(&d, 250, NULL);
    CU_ASSERT_STRING_EQUAL(dist_describe(&d, buf, sizeof buf), "constant(250ns)");
    dist_uniform(&d, 1500, 2e9, NULL);
    CU_ASSERT_STRING_EQUAL(dist_describe(&d, buf, sizeof buf), "uniform(lo=1.5us, hi=2s)");
    dist_lognormal_mean_p99(&d, 1e6, 5e6, NULL);
    CU_ASSERT_STRING_EQUAL(dist_describe(&d, buf, sizeof buf), "lognormal(mean=1ms, p99=5ms)");
    dist_gamma(&d, 2, 1e6, NULL);
    CU_ASSERT_STRING_EQUAL(dist_describe(&d, buf, sizeof buf), "erlang(k=2, mean=1ms)");
    dist_gamma(&d, 0.5, 3e3, NULL);
    CU_ASSERT_STRING_EQUAL(dist_describe(&d, buf, sizeof buf), "gamma(k=0.5, mean=3us)");
    dist_hyperexp(&d, 0.9, 1e6, 1e7, NULL);
    CU_ASSERT_STRING_EQUAL(dist_describe(&d, buf, sizeof buf),
                           "hyperexp(p1=0.9, mean1=1ms, mean2=10ms)");
    dist_pareto(&d, 1.5, 1e6, NULL);
    CU_ASSERT_STRING_EQUAL(dist_describe(&d, buf, sizeof buf), "pareto(alpha=1.5, xmin=1ms)");
    dist_normal(&d, 1e6, 1e5, NULL);
    CU_ASSERT_STRING_EQUAL(dist_describe(&d, buf, sizeof buf), "normal(mean=1ms, sd=100us)");
    /* Truncated, still terminated. */
    dist_exp(&d, 1e6, NULL);
    CU_ASSERT_EQUAL(strlen(dist_describe(&d, buf, 8)), 7);
}

static void test_copy_free(void) {
    const double v[] = {5, 6, 7};
    struct dist a, b, z = {0};
    struct rng r;

    CU_ASSERT_EQUAL_FATAL(dist_empirical(&a, v, 3, NULL), 0);
    CU_ASSERT_EQUAL(dist_copy(&b, &a), 0);
    CU_ASSERT(b.samples != a.samples);
    dist_free(&a);
    dist_free(&a);
    CU_ASSERT(a.samples == NULL);
    rng_seed(&r, 1, 2);
    for (int i = 0; i < 100; i++) {
        double x = dist_sample(&b, &r);
        CU_ASSERT(x == 5 || x == 6 || x == 7);
    }
    dist_free(&b);
    dist_free(&z);
    dist_free(NULL);
    dist_exp(&a, 1, NULL);
    CU_ASSERT_EQUAL(dist_copy(&b, &a), 0);
    CU_ASSERT_EQUAL(b.p[0], 1);
    dist_free(&b);
}

/* ---- CSV ---------------------------------------------------------------------------------- */

/* A private directory for the test's CSV files; removed with its files by csv_cleanup. */
struct csv_dir {
    char path[64];
    char files[24][128];
    int nfiles;
};

static const char *csv_write(struct csv_dir *t, const char *name, const char *content) {
    char path[128], *p;
    FILE *f;

    CU_ASSERT_FATAL(t->nfiles < (int)(sizeof t->files / sizeof t->files[0]));
    p = t->files[t->nfiles++];
    snprintf(path, sizeof path, "%s/%s", t->path, name);
    memcpy(p, path, sizeof path);
    f = fopen(p, "wb");
    CU_ASSERT_FATAL(f != NULL);
    fputs(content, f);
    fclose(f);
    return p;
}

static void csv_cleanup(struct csv_dir *t) {
    for (int i = 0; i < t->nfiles; i++)
        unlink(t->files[i]);
    rmdir(t->path);
}

/* Expect -1 with err at (path, line, col) and msg containing want; *d untouched. */
static void expect_csv_error(const char *path, const char *column, int line, int col,
                             const char *want) {
    struct dist d = {.kind = DIST_CONST, .p = {42}};
    struct err e;

    memset(&e, 0, sizeof e);
    CU_ASSERT_EQUAL(dist_empirical_csv(&d, path, column, &e), -1);
    CU_ASSERT_STRING_EQUAL(e.file, path);
    CU_ASSERT_EQUAL(e.line, line);
    if (col >= 0) CU_ASSERT_EQUAL(e.col, col);
    if (!strstr(e.msg, want)) printf("\n  message '%s' lacks '%s'\n", e.msg, want);
    CU_ASSERT(strstr(e.msg, want) != NULL);
    CU_ASSERT(d.kind == DIST_CONST && d.p[0] == 42 && d.samples == NULL);
}

static void test_csv(void) {
    struct csv_dir t = {.path = "/tmp/archsim_test_dist_XXXXXX"};
    struct dist d;
    struct err e;
    const char *p;

    CU_ASSERT_FATAL(mkdtemp(t.path) != NULL);

    p = csv_write(&t, "ok.csv", "id,service_time_ms,note\n1,1.5,a\n2,2,b\n3, 0.5 ,\"c,d\"\n");
    CU_ASSERT_EQUAL_FATAL(dist_empirical_csv(&d, p, "service_time_ms", &e), 0);
    CU_ASSERT_EQUAL(d.kind, DIST_EMPIRICAL);
    CU_ASSERT_EQUAL_FATAL(d.nsamples, 3);
    CU_ASSERT_EQUAL(d.samples[0], 1.5e6);
    CU_ASSERT_EQUAL(d.samples[1], 2e6);
    CU_ASSERT_EQUAL(d.samples[2], 0.5e6);
    CU_ASSERT(close_rel(dist_mean(&d), 4e6 / 3, 1e-15));
    dist_free(&d);

    /* Every unit suffix; a quoted header; CRLF, a byte order mark and no final newline. */
    p = csv_write(&t, "units.csv",
                  "\xEF\xBB\xBF"
                  "a_ns,b_us,\"c_s\",d_ms\r\n1,2,3,4\r\n5,6,7,8");
    CU_ASSERT_EQUAL_FATAL(dist_empirical_csv(&d, p, "a_ns", &e), 0);
    CU_ASSERT(d.nsamples == 2 && d.samples[0] == 1 && d.samples[1] == 5);
    dist_free(&d);
    CU_ASSERT_EQUAL_FATAL(dist_empirical_csv(&d, p, "b_us", &e), 0);
    CU_ASSERT(d.nsamples == 2 && d.samples[0] == 2e3 && d.samples[1] == 6e3);
    dist_free(&d);
    CU_ASSERT_EQUAL_FATAL(dist_empirical_csv(&d, p, "c_s", &e), 0);
    CU_ASSERT(d.nsamples == 2 && d.samples[0] == 3e9 && d.samples[1] == 7e9);
    dist_free(&d);
    CU_ASSERT_EQUAL_FATAL(dist_empirical_csv(&d, p, "d_ms", &e), 0);
    CU_ASSERT(d.nsamples == 2 && d.samples[0] == 4e6 && d.samples[1] == 8e6);
    dist_free(&d);

    /* The unit-suffix rule. */
    p = csv_write(&t, "nosuffix.csv", "latency,x\n1,2\n");
    expect_csv_error(p, "latency", 1, 1, "latency");
    expect_csv_error(p, "latency", 1, 1, "unit suffix");
    expect_csv_error(p, "x", 1, 2, "'x'");
    p = csv_write(&t, "hint.csv", "latency_ms\n1\n");
    expect_csv_error(p, "latency", 1, 1, "did you mean 'latency_ms'");

    /* Missing file and column. */
    expect_csv_error("/nonexistent/archsim.csv", "a_ms", 0, 0, "cannot open");
    p = csv_write(&t, "cols.csv", "a_ms,b_ms\n1,2\n");
    expect_csv_error(p, "c_ms", 1, 1, "column 'c_ms' not found");

    /* Bad cells, with the record number (header = 1) and field number. */
    p = csv_write(&t, "text.csv", "x_ms\n1\nabc\n");
    expect_csv_error(p, "x_ms", 3, 1, "'abc'");
    p = csv_write(&t, "neg.csv", "y,x_ms\n0,1\n0,2\n0,-2\n");
    expect_csv_error(p, "x_ms", 4, 2, "negative");
    p = csv_write(&t, "empty_cell.csv", "x_ms,y\n1,2\n,3\n");
    expect_csv_error(p, "x_ms", 3, 1, "empty");
    p = csv_write(&t, "inf.csv", "x_ms\n1\ninf\n");
    expect_csv_error(p, "x_ms", 3, 1, "not a number");
    p = csv_write(&t, "trailing.csv", "x_ms\n1\n2ms\n");
    expect_csv_error(p, "x_ms", 3, 1, "'2ms'");
    /* Ragged records, refused whether or not they reach the column (they were once read as
     * long as the column's field was there): at the first extra field, or just after the
     * record's last character. */
    p = csv_write(&t, "short.csv", "y,x_ms\n1,2\n3\n");
    expect_csv_error(p, "x_ms", 3, 2, "too few fields: 1, the header has 2 (the record ends here)");
    p = csv_write(&t, "short_has_col.csv", "x_ms,y\n1,2\n3\n");
    expect_csv_error(p, "x_ms", 3, 2, "too few fields: 1, the header has 2 (the record ends here)");
    p = csv_write(&t, "long.csv", "x_ms,y\n1,2\n3,4,5\n6,7\n");
    expect_csv_error(p, "x_ms", 3, 5, "too many fields: 3, the header has 2 (field 3 starts here)");
    p = csv_write(&t, "long_crlf.csv", "x_ms,y\r\n1,2\r\n3,4,\r\n");
    expect_csv_error(p, "x_ms", 3, 5, "too many fields: 3, the header has 2 (field 3 starts here)");
    p = csv_write(&t, "short_no_lf.csv", "x_ms,y,z\n1,2,3\n4,\"a\nb\"");
    expect_csv_error(p, "x_ms", 4, 3, "too few fields: 2, the header has 3 (the record ends here)");
    p = csv_write(&t, "header_only.csv", "x_ms\n");
    expect_csv_error(p, "x_ms", 0, 0, "no data");
    p = csv_write(&t, "empty.csv", "");
    expect_csv_error(p, "x_ms", 0, 0, "empty");
    p = csv_write(&t, "quote.csv", "x_ms\n\"1\n");
    expect_csv_error(p, "x_ms", 2, 1, "not closed");
    /* Malformed CSV at its line and character column: a quote in an unquoted field on line 3,
     * column 5 (the quote in ab"c, field 2). */
    p = csv_write(&t, "inner_quote.csv", "x_ms,y\n1,ok\n2,ab\"c\n");
    expect_csv_error(p, "x_ms", 3, 5, "quote inside an unquoted field");
    /* Lines, not records: a quoted field spanning two lines and a blank line come before the
     * bad value, which is on physical line 5 (record 3). */
    p = csv_write(&t, "lines.csv", "x_ms,note\n1,\"two\nlines\"\n\nbad,z\n");
    expect_csv_error(p, "x_ms", 5, 1, "'bad'");

    csv_cleanup(&t);
}

void test_dist_register(void) {
    CU_pSuite s = CU_add_suite("dist", NULL, NULL);

    CU_add_test(s, "constant", test_const);
    CU_add_test(s, "exponential moments", test_exp);
    CU_add_test(s, "uniform moments", test_uniform);
    CU_add_test(s, "normal moments", test_normal);
    CU_add_test(s, "normal clamped at 0", test_normal_clamped);
    CU_add_test(s, "lognormal moments", test_lognormal);
    CU_add_test(s, "gamma/erlang moments", test_gamma);
    CU_add_test(s, "pareto moments", test_pareto);
    CU_add_test(s, "hyperexponential moments", test_hyperexp);
    CU_add_test(s, "empirical moments", test_empirical);
    CU_add_test(s, "exponential KS and quantiles", test_ks_exp);
    CU_add_test(s, "gamma KS and quantiles", test_ks_gamma);
    CU_add_test(s, "lognormal mean/p99", test_lognormal_p99);
    CU_add_test(s, "lognormal mean/p99 invalid", test_lognormal_p99_invalid);
    CU_add_test(s, "same stream, same draws", test_same_seed_same_draws);
    CU_add_test(s, "invalid parameters rejected", test_invalid);
    CU_add_test(s, "describe", test_describe);
    CU_add_test(s, "copy and free", test_copy_free);
    CU_add_test(s, "empirical from CSV", test_csv);
}
