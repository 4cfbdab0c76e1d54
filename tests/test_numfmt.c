/* numfmt: byte-identical to the C library's "%.9g" and PRIu64 (the reference is snprintf
 * itself, an independent implementation). */
#include <CUnit/CUnit.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "numfmt.h"
#include "rng.h"

void test_numfmt_register(void);

static void check_g9(double v) {
    char want[64], got[NUMFMT_MAX];
    size_t n = numfmt_g9(got, v);

    snprintf(want, sizeof want, "%.9g", v);
    if (strcmp(want, got) != 0 || n != strlen(want))
        fprintf(stderr, "numfmt_g9(%a): got '%s' want '%s'\n", v, got, want);
    CU_ASSERT_STRING_EQUAL(got, want);
    CU_ASSERT_EQUAL(n, strlen(want));
}

static void test_g9_edges(void) {
    static const double vals[] = {
        0.0,
        -0.0,
        1.0,
        -1.0,
        0.5,
        0.1,
        0.0001,
        0.00009999,
        0.000099999999999,
        1e-4 * (1 - 1e-16),
        999999999.0,
        999999999.4,
        999999999.5,
        999999999.6,
        1e9,
        99999999.95,
        99999999.949,
        12345678.5,
        0.123456789,
        0.1234567895,
        0.12345678950000001,
        123.456,
        954.0,
        11.4055856,
        8.380415,
        0.927147646,
        1e-5,
        1e300,
        -1e-300,
        5e-324,
        1.0 / 3.0,
        2.0 / 3.0,
        1e8,
        1e8 - 0.5,
        1e-4 * 9.9999999995,
        100.0,
        INFINITY,
        -INFINITY,
        NAN,
    };
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++)
        check_g9(vals[i]);
}

/* Random doubles of every magnitude the rows hold (counts, rates, ms latencies, ratios),
 * plus values with few significant digits (ns / 1e6, counts / seconds) where ties and trailing
 * zeros are common. */
static void test_g9_random(void) {
    struct rng r;

    rng_seed(&r, 42, 54);
    for (int i = 0; i < 300000; i++) {
        double e = -6.0 + 17.0 * rng_uniform(&r);
        double v = pow(10.0, e) * (rng_uniform(&r) < 0.5 ? 1 : -1);
        check_g9(v);
        check_g9((double)rng_bounded(&r, 4000000000u) / 1e6);
        check_g9((double)rng_bounded(&r, 100000) / (double)(1 + rng_bounded(&r, 3600)));
        check_g9((double)(int64_t)rng_next_u64(&r) / 1e9);
        if (CU_get_number_of_failures() > 10) return;
    }
}

static void test_u64(void) {
    static const uint64_t vals[] = {0,   1,     9,           10,          99,
                                    100, 12345, 4294967295u, 4294967296u, UINT64_MAX};
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        char want[32], got[NUMFMT_MAX];
        size_t n = numfmt_u64(got, vals[i]);
        snprintf(want, sizeof want, "%" PRIu64, vals[i]);
        CU_ASSERT_STRING_EQUAL(got, want);
        CU_ASSERT_EQUAL(n, strlen(want));
    }
}

void test_numfmt_register(void) {
    CU_pSuite s = CU_add_suite("numfmt", NULL, NULL);
    CU_add_test(s, "%.9g edge values", test_g9_edges);
    CU_add_test(s, "%.9g random values (1.2 million, vs snprintf)", test_g9_random);
    CU_add_test(s, "PRIu64", test_u64);
}
