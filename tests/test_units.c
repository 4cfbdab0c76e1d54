/* Tests for units: every accepted form, every rejection with its reason, formatting round trips. */
#include <CUnit/CUnit.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "units.h"

void test_units_register(void);

static int64_t dur(const char *s) {
    int64_t ns = -12345;
    char why[128] = "";
    CU_ASSERT_EQUAL_FATAL(units_parse_duration(s, &ns, why, sizeof why), 0);
    return ns;
}

/* The reason a duration is rejected (and that it is). */
static const char *dur_why(const char *s, char *why, size_t n) {
    int64_t ns = 77;
    why[0] = '\0';
    CU_ASSERT_EQUAL(units_parse_duration(s, &ns, why, n), -1);
    CU_ASSERT_EQUAL(ns, 77);
    return why;
}

static void test_duration_forms(void) {
    CU_ASSERT_EQUAL(dur("500ns"), 500);
    CU_ASSERT_EQUAL(dur("250us"), 250000);
    CU_ASSERT_EQUAL(dur("250\xc2\xb5s"), 250000); /* micro sign */
    CU_ASSERT_EQUAL(dur("250\xce\xbcs"), 250000); /* Greek mu */
    CU_ASSERT_EQUAL(dur("5ms"), 5000000);
    CU_ASSERT_EQUAL(dur("2s"), 2000000000);
    CU_ASSERT_EQUAL(dur("1.5s"), 1500000000);
    CU_ASSERT_EQUAL(dur("1.1s"), 1100000000);
    CU_ASSERT_EQUAL(dur("0.5ms"), 500000);
    CU_ASSERT_EQUAL(dur(".5ms"), 500000);
    CU_ASSERT_EQUAL(dur("1.250000ms"), 1250000);
    CU_ASSERT_EQUAL(dur("0.000000001s"), 1);
    CU_ASSERT_EQUAL(dur("1m"), INT64_C(60000000000));
    CU_ASSERT_EQUAL(dur("1min"), INT64_C(60000000000));
    CU_ASSERT_EQUAL(dur("1h"), INT64_C(3600000000000));
    CU_ASSERT_EQUAL(dur("0.5h"), INT64_C(1800000000000));
    CU_ASSERT_EQUAL(dur("1m30s"), INT64_C(90000000000));
    CU_ASSERT_EQUAL(dur("1h0m0.5s"), INT64_C(3600500000000));
    CU_ASSERT_EQUAL(dur("5 ms"), 5000000);
    CU_ASSERT_EQUAL(dur(" 5ms "), 5000000);
    CU_ASSERT_EQUAL(dur("0s"), 0);
    CU_ASSERT_EQUAL(dur("0ns"), 0);
    CU_ASSERT_EQUAL(dur("9223372036854775807ns"), INT64_MAX);
    CU_ASSERT_EQUAL(dur("9223372036s"), INT64_C(9223372036000000000));
}

static void test_duration_rejects(void) {
    char why[128];

    CU_ASSERT_STRING_EQUAL(dur_why("5", why, sizeof why), "missing unit (e.g. 5ms)");
    CU_ASSERT_STRING_EQUAL(dur_why("1.5", why, sizeof why), "missing unit (e.g. 5ms)");
    CU_ASSERT_STRING_EQUAL(dur_why("1m30", why, sizeof why), "missing unit (e.g. 5ms)");
    CU_ASSERT_STRING_EQUAL(dur_why("-5ms", why, sizeof why), "negative durations are not allowed");
    CU_ASSERT_STRING_EQUAL(dur_why("", why, sizeof why), "empty duration (e.g. 5ms)");
    CU_ASSERT_STRING_EQUAL(dur_why("ms", why, sizeof why),
                           "expected a number and a unit (e.g. 5ms)");
    CU_ASSERT_STRING_EQUAL(dur_why("five ms", why, sizeof why),
                           "expected a number and a unit (e.g. 5ms)");
    CU_ASSERT_STRING_EQUAL(dur_why("5mss", why, sizeof why),
                           "unknown unit 'mss' (use ns, us, ms, s, m or h)");
    CU_ASSERT_STRING_EQUAL(dur_why("5 sec", why, sizeof why),
                           "unknown unit 'sec' (use ns, us, ms, s, m or h)");
    CU_ASSERT_STRING_EQUAL(dur_why("5ms x", why, sizeof why), "unexpected 'x' after the duration");
    CU_ASSERT_STRING_EQUAL(dur_why("1.5ns", why, sizeof why),
                           "finer than 1ns (the clock's resolution)");
    CU_ASSERT_STRING_EQUAL(dur_why("9223372036854775808ns", why, sizeof why), "duration too large");
    CU_ASSERT_STRING_EQUAL(dur_why("9223372037s", why, sizeof why), "duration too large");
    CU_ASSERT_STRING_EQUAL(dur_why("5000000000000h", why, sizeof why), "duration too large");
    CU_ASSERT_STRING_EQUAL(dur_why("99999999999999999999s", why, sizeof why), "number too large");
    CU_ASSERT_STRING_EQUAL(dur_why("292y", why, sizeof why),
                           "unknown unit 'y' (use ns, us, ms, s, m or h)");
    CU_ASSERT_STRING_EQUAL(dur_why("1.0000000000000001s", why, sizeof why),
                           "too many decimal places (at most 15)");
    /* no why buffer: still rejected */
    {
        int64_t ns;
        CU_ASSERT_EQUAL(units_parse_duration("5", &ns, NULL, 0), -1);
    }
}

/* Exponents (issue: "1e3ms" was read as 1 and a unit "e3ms"): exact, in every unit-carrying
 * parser, and an 'e' that is not followed by exponent digits is still a unit. */
static void test_exponents(void) {
    char why[128];
    uint64_t b = 0;
    double r = 0;

    CU_ASSERT_EQUAL(dur("1e3ms"), INT64_C(1000000000));
    CU_ASSERT_EQUAL(dur("1E3ms"), INT64_C(1000000000));
    CU_ASSERT_EQUAL(dur("1e+3ms"), INT64_C(1000000000));
    CU_ASSERT_EQUAL(dur("1.5e-3s"), 1500000);
    CU_ASSERT_EQUAL(dur("25e-1ms"), 2500000);
    CU_ASSERT_EQUAL(dur(".5e1s"), INT64_C(5000000000));
    CU_ASSERT_EQUAL(dur("1e-9s"), 1);
    CU_ASSERT_EQUAL(dur("1e0s"), INT64_C(1000000000));
    CU_ASSERT_EQUAL(dur("1e3 ms"), INT64_C(1000000000));
    CU_ASSERT_EQUAL(dur("1e18ns"), INT64_C(1000000000000000000));
    CU_ASSERT_EQUAL(dur("1m1e3ms"), INT64_C(61000000000));
    CU_ASSERT_EQUAL(dur("1.1e1s"), INT64_C(11000000000)); /* exact: no binary rounding */

    CU_ASSERT_STRING_EQUAL(dur_why("1e3", why, sizeof why), "missing unit (e.g. 5ms)");
    CU_ASSERT_STRING_EQUAL(dur_why("1e", why, sizeof why),
                           "unknown unit 'e' (use ns, us, ms, s, m or h)");
    CU_ASSERT_STRING_EQUAL(dur_why("1e-s", why, sizeof why),
                           "unknown unit 'e-s' (use ns, us, ms, s, m or h)");
    CU_ASSERT_STRING_EQUAL(dur_why("5 e3ms", why, sizeof why),
                           "unknown unit 'e' (use ns, us, ms, s, m or h)");
    CU_ASSERT_STRING_EQUAL(dur_why("1ee3ms", why, sizeof why),
                           "unknown unit 'ee' (use ns, us, ms, s, m or h)");
    CU_ASSERT_STRING_EQUAL(dur_why("1e-10s", why, sizeof why),
                           "finer than 1ns (the clock's resolution)");
    CU_ASSERT_STRING_EQUAL(dur_why("1e19ns", why, sizeof why), "duration too large");
    CU_ASSERT_STRING_EQUAL(dur_why("1e41ns", why, sizeof why),
                           "exponent out of range (at most 40)");
    CU_ASSERT_STRING_EQUAL(dur_why("-1e3ms", why, sizeof why),
                           "negative durations are not allowed");

    CU_ASSERT_EQUAL(units_parse_size("1e3B", &b, why, sizeof why), 0);
    CU_ASSERT_EQUAL(b, 1000);
    CU_ASSERT_EQUAL(units_parse_size("1.5e3KB", &b, why, sizeof why), 0);
    CU_ASSERT_EQUAL(b, 1500000);
    CU_ASSERT_EQUAL(units_parse_size("2e0KiB", &b, why, sizeof why), 0);
    CU_ASSERT_EQUAL(b, 2048);
    b = 9;
    CU_ASSERT_EQUAL(units_parse_size("1e-1B", &b, why, sizeof why), -1);
    CU_ASSERT_STRING_EQUAL(why, "not a whole number of bytes");
    CU_ASSERT_EQUAL(units_parse_size("1e6", &b, why, sizeof why), -1);
    CU_ASSERT_STRING_EQUAL(why, "missing unit (e.g. 64KiB)");
    CU_ASSERT_EQUAL(b, 9);

    CU_ASSERT_EQUAL(units_parse_rate("2e3/s", &r, why, sizeof why), 0);
    CU_ASSERT_DOUBLE_EQUAL(r, 2000, 0);
    CU_ASSERT_EQUAL(units_parse_rate("1.2E2/min", &r, why, sizeof why), 0);
    CU_ASSERT_DOUBLE_EQUAL(r, 2, 0);
    CU_ASSERT_EQUAL(units_parse_rate("2e3", &r, why, sizeof why), -1);
    CU_ASSERT_STRING_EQUAL(why, "missing unit (e.g. 2000/s)");
    CU_ASSERT_EQUAL(units_parse_rate("2e/s", &r, why, sizeof why), -1);
    CU_ASSERT_STRING_EQUAL(why, "unknown unit 'e/s' (use /s, /min or /h)");
}

static void test_rate(void) {
    double r = -1;
    char why[128];

    CU_ASSERT_EQUAL(units_parse_rate("2000/s", &r, why, sizeof why), 0);
    CU_ASSERT_DOUBLE_EQUAL(r, 2000, 0);
    CU_ASSERT_EQUAL(units_parse_rate("120/m", &r, why, sizeof why), 0);
    CU_ASSERT_DOUBLE_EQUAL(r, 2, 0);
    CU_ASSERT_EQUAL(units_parse_rate("120/min", &r, why, sizeof why), 0);
    CU_ASSERT_DOUBLE_EQUAL(r, 2, 0);
    CU_ASSERT_EQUAL(units_parse_rate("10/h", &r, why, sizeof why), 0);
    CU_ASSERT_DOUBLE_EQUAL(r, 10.0 / 3600, 1e-15);
    CU_ASSERT_EQUAL(units_parse_rate("0.5/sec", &r, why, sizeof why), 0);
    CU_ASSERT_DOUBLE_EQUAL(r, 0.5, 0);
    CU_ASSERT_EQUAL(units_parse_rate("1e3 / s", &r, why, sizeof why), 0);
    CU_ASSERT_DOUBLE_EQUAL(r, 1000, 0);
    CU_ASSERT_EQUAL(units_parse_rate("0/s", &r, why, sizeof why), 0);
    CU_ASSERT_DOUBLE_EQUAL(r, 0, 0);

    r = 7;
    CU_ASSERT_EQUAL(units_parse_rate("2000", &r, why, sizeof why), -1);
    CU_ASSERT_STRING_EQUAL(why, "missing unit (e.g. 2000/s)");
    CU_ASSERT_DOUBLE_EQUAL(r, 7, 0);
    CU_ASSERT_EQUAL(units_parse_rate("-5/s", &r, why, sizeof why), -1);
    CU_ASSERT_STRING_EQUAL(why, "negative rates are not allowed");
    CU_ASSERT_EQUAL(units_parse_rate("5/d", &r, why, sizeof why), -1);
    CU_ASSERT_STRING_EQUAL(why, "unknown unit '/d' (use /s, /min or /h)");
    CU_ASSERT_EQUAL(units_parse_rate("5rps", &r, why, sizeof why), -1);
    CU_ASSERT_STRING_EQUAL(why, "unknown unit 'rps' (use /s, /min or /h)");
    CU_ASSERT_EQUAL(units_parse_rate("/s", &r, why, sizeof why), -1);
    CU_ASSERT_STRING_EQUAL(why, "expected a number and a unit (e.g. 2000/s)");
    CU_ASSERT_EQUAL(units_parse_rate("", &r, why, sizeof why), -1);
    CU_ASSERT_STRING_EQUAL(why, "empty rate (e.g. 2000/s)");
    CU_ASSERT_EQUAL(units_parse_rate("inf/s", &r, why, sizeof why), -1);
    CU_ASSERT_EQUAL(units_parse_rate("1e999/s", &r, why, sizeof why), -1);
    CU_ASSERT_STRING_EQUAL(why, "rate too large");
    CU_ASSERT_DOUBLE_EQUAL(r, 7, 0);
}

static void test_size(void) {
    uint64_t b = 1;
    char why[128];

    CU_ASSERT_EQUAL(units_parse_size("100B", &b, why, sizeof why), 0);
    CU_ASSERT_EQUAL(b, 100);
    CU_ASSERT_EQUAL(units_parse_size("64KB", &b, why, sizeof why), 0);
    CU_ASSERT_EQUAL(b, 64000);
    CU_ASSERT_EQUAL(units_parse_size("64kB", &b, why, sizeof why), 0);
    CU_ASSERT_EQUAL(b, 64000);
    CU_ASSERT_EQUAL(units_parse_size("64KiB", &b, why, sizeof why), 0);
    CU_ASSERT_EQUAL(b, 65536);
    CU_ASSERT_EQUAL(units_parse_size("1MB", &b, why, sizeof why), 0);
    CU_ASSERT_EQUAL(b, 1000000);
    CU_ASSERT_EQUAL(units_parse_size("1MiB", &b, why, sizeof why), 0);
    CU_ASSERT_EQUAL(b, 1048576);
    CU_ASSERT_EQUAL(units_parse_size("2GB", &b, why, sizeof why), 0);
    CU_ASSERT_EQUAL(b, UINT64_C(2000000000));
    CU_ASSERT_EQUAL(units_parse_size("2GiB", &b, why, sizeof why), 0);
    CU_ASSERT_EQUAL(b, UINT64_C(2147483648));
    CU_ASSERT_EQUAL(units_parse_size("1TiB", &b, why, sizeof why), 0);
    CU_ASSERT_EQUAL(b, UINT64_C(1099511627776));
    CU_ASSERT_EQUAL(units_parse_size("1.5KB", &b, why, sizeof why), 0);
    CU_ASSERT_EQUAL(b, 1500);
    CU_ASSERT_EQUAL(units_parse_size("0.5KiB", &b, why, sizeof why), 0);
    CU_ASSERT_EQUAL(b, 512);
    CU_ASSERT_EQUAL(units_parse_size("0B", &b, why, sizeof why), 0);
    CU_ASSERT_EQUAL(b, 0);

    b = 9;
    CU_ASSERT_EQUAL(units_parse_size("64", &b, why, sizeof why), -1);
    CU_ASSERT_STRING_EQUAL(why, "missing unit (e.g. 64KiB)");
    CU_ASSERT_EQUAL(units_parse_size("-1KB", &b, why, sizeof why), -1);
    CU_ASSERT_STRING_EQUAL(why, "negative sizes are not allowed");
    CU_ASSERT_EQUAL(units_parse_size("1.5B", &b, why, sizeof why), -1);
    CU_ASSERT_STRING_EQUAL(why, "not a whole number of bytes");
    CU_ASSERT_EQUAL(units_parse_size("0.1KiB", &b, why, sizeof why), -1);
    CU_ASSERT_STRING_EQUAL(why, "not a whole number of bytes");
    CU_ASSERT_EQUAL(units_parse_size("64K", &b, why, sizeof why), -1);
    CU_ASSERT_STRING_EQUAL(why, "unknown unit 'K' (use B, KB, KiB, MB, MiB, GB, GiB, TB, TiB)");
    CU_ASSERT_EQUAL(units_parse_size("64 KB extra", &b, why, sizeof why), -1);
    CU_ASSERT_STRING_EQUAL(why, "unexpected ' extra' after the size");
    CU_ASSERT_EQUAL(units_parse_size("20000000TiB", &b, why, sizeof why), -1);
    CU_ASSERT_STRING_EQUAL(why, "size too large");
    CU_ASSERT_EQUAL(units_parse_size("KB", &b, why, sizeof why), -1);
    CU_ASSERT_STRING_EQUAL(why, "expected a number and a unit (e.g. 64KiB)");
    CU_ASSERT_EQUAL(units_parse_size("", &b, why, sizeof why), -1);
    CU_ASSERT_STRING_EQUAL(why, "empty size (e.g. 64KiB)");
    CU_ASSERT_EQUAL(b, 9);
}

static void test_fraction(void) {
    double f = -1;
    char why[128];

    CU_ASSERT_EQUAL(units_parse_fraction("10%", &f, why, sizeof why), 0);
    CU_ASSERT_DOUBLE_EQUAL(f, 0.1, 1e-15);
    CU_ASSERT_EQUAL(units_parse_fraction("0.5%", &f, why, sizeof why), 0);
    CU_ASSERT_DOUBLE_EQUAL(f, 0.005, 1e-15);
    CU_ASSERT_EQUAL(units_parse_fraction("100%", &f, why, sizeof why), 0);
    CU_ASSERT_DOUBLE_EQUAL(f, 1, 0);
    CU_ASSERT_EQUAL(units_parse_fraction("0.25", &f, why, sizeof why), 0);
    CU_ASSERT_DOUBLE_EQUAL(f, 0.25, 0);
    CU_ASSERT_EQUAL(units_parse_fraction("0", &f, why, sizeof why), 0);
    CU_ASSERT_DOUBLE_EQUAL(f, 0, 0);
    CU_ASSERT_EQUAL(units_parse_fraction("1", &f, why, sizeof why), 0);
    CU_ASSERT_DOUBLE_EQUAL(f, 1, 0);

    f = 3;
    CU_ASSERT_EQUAL(units_parse_fraction("150%", &f, why, sizeof why), -1);
    CU_ASSERT_STRING_EQUAL(why, "must be between 0% and 100%");
    CU_ASSERT_EQUAL(units_parse_fraction("-1%", &f, why, sizeof why), -1);
    CU_ASSERT_STRING_EQUAL(why, "must be between 0% and 100%");
    CU_ASSERT_EQUAL(units_parse_fraction("1.5", &f, why, sizeof why), -1);
    CU_ASSERT_STRING_EQUAL(why, "must be in [0, 1] (or a percentage such as 10%)");
    CU_ASSERT_EQUAL(units_parse_fraction("-0.1", &f, why, sizeof why), -1);
    CU_ASSERT_STRING_EQUAL(why, "must be in [0, 1] (or a percentage such as 10%)");
    CU_ASSERT_EQUAL(units_parse_fraction("half", &f, why, sizeof why), -1);
    CU_ASSERT_STRING_EQUAL(why, "expected a fraction (e.g. 10% or 0.1)");
    CU_ASSERT_EQUAL(units_parse_fraction("10%x", &f, why, sizeof why), -1);
    CU_ASSERT_STRING_EQUAL(why, "unexpected 'x' after the percentage");
    CU_ASSERT_EQUAL(units_parse_fraction("0.1 apples", &f, why, sizeof why), -1);
    CU_ASSERT_STRING_EQUAL(why, "expected a fraction (e.g. 10% or 0.1)");
    CU_ASSERT_EQUAL(units_parse_fraction("", &f, why, sizeof why), -1);
    CU_ASSERT_STRING_EQUAL(why, "empty fraction (e.g. 10% or 0.1)");
    CU_ASSERT_DOUBLE_EQUAL(f, 3, 0);
}

static void check_fmt_duration(int64_t ns, const char *want) {
    char buf[32];
    int64_t back = -1;

    CU_ASSERT_STRING_EQUAL(units_format_duration(ns, buf, sizeof buf), want);
    if (ns >= 0) {
        CU_ASSERT_EQUAL(units_parse_duration(buf, &back, NULL, 0), 0);
        CU_ASSERT_EQUAL(back, ns);
    }
}

static void test_format_duration(void) {
    char small[4];

    check_fmt_duration(0, "0s");
    check_fmt_duration(1, "1ns");
    check_fmt_duration(999, "999ns");
    check_fmt_duration(1000, "1us");
    check_fmt_duration(250000, "250us");
    check_fmt_duration(1500, "1.5us");
    check_fmt_duration(1500000, "1.5ms");
    check_fmt_duration(1234567, "1.234567ms");
    check_fmt_duration(2000000000, "2s");
    check_fmt_duration(INT64_C(1000000001), "1.000000001s");
    check_fmt_duration(INT64_C(90000000000), "1m30s");
    check_fmt_duration(INT64_C(60000000000), "1m");
    check_fmt_duration(INT64_C(3600000000000), "1h");
    check_fmt_duration(INT64_C(5400000000000), "1h30m");
    check_fmt_duration(INT64_C(3600500000000), "1h0m0.5s");
    check_fmt_duration(INT64_MAX, "2562047h47m16.854775807s");
    check_fmt_duration(-5000000, "-5ms");
    check_fmt_duration(INT64_MIN, "-2562047h47m16.854775808s");
    /* truncation keeps the buffer terminated */
    CU_ASSERT_STRING_EQUAL(units_format_duration(1500000, small, sizeof small), "1.5");
}

static void test_format_rate(void) {
    char buf[40];
    double back;

    CU_ASSERT_STRING_EQUAL(units_format_rate(2000, buf, sizeof buf), "2000/s");
    CU_ASSERT_STRING_EQUAL(units_format_rate(0, buf, sizeof buf), "0/s");
    CU_ASSERT_STRING_EQUAL(units_format_rate(1000000, buf, sizeof buf), "1000000/s");
    CU_ASSERT_STRING_EQUAL(units_format_rate(0.5, buf, sizeof buf), "30/min");
    CU_ASSERT_STRING_EQUAL(units_format_rate(10.0 / 3600, buf, sizeof buf), "10/h");
    CU_ASSERT_STRING_EQUAL(units_format_rate(1.0 / 3, buf, sizeof buf), "20/min");
    CU_ASSERT_STRING_EQUAL(units_format_rate(0.1234, buf, sizeof buf), "0.1234/s");
    CU_ASSERT_EQUAL(units_parse_rate(units_format_rate(0.1234, buf, sizeof buf), &back, NULL, 0),
                    0);
    CU_ASSERT_DOUBLE_EQUAL(back, 0.1234, 0);
    CU_ASSERT_EQUAL(
        units_parse_rate(units_format_rate(10.0 / 3600, buf, sizeof buf), &back, NULL, 0), 0);
    CU_ASSERT_DOUBLE_EQUAL(back, 10.0 / 3600, 0);
}

void test_units_register(void) {
    CU_pSuite s = CU_add_suite("units", NULL, NULL);

    CU_add_test(s, "duration forms", test_duration_forms);
    CU_add_test(s, "duration rejections", test_duration_rejects);
    CU_add_test(s, "exponents in durations, sizes and rates", test_exponents);
    CU_add_test(s, "rates", test_rate);
    CU_add_test(s, "sizes", test_size);
    CU_add_test(s, "fractions", test_fraction);
    CU_add_test(s, "format duration", test_format_duration);
    CU_add_test(s, "format rate", test_format_rate);
}
