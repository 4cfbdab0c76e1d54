/*
 * numfmt — the CSV writers' number formatting: exactly the text of printf's "%.9g" and
 * "%" PRIu64, without printf's cost.
 *
 * Why: an interval row is about thirty numbers, written once per simulated interval and
 * component; through fprintf each costs ~1,100 instructions (format parsing, locking, and
 * glibc's exact multi-precision float conversion), which made CSV formatting ~6 % of a
 * benchmark run (docs/performance.md). numfmt_g9 converts zero and the common case (|v| in
 * [1e-4, 1e9), which "%.9g" prints without an exponent) with one exact power-of-ten multiply
 * and one integer rounding, and hands everything else to snprintf: infinities and NaN,
 * exponent notation, and any value whose scaled fraction lies within 1e-6 of one half, where
 * the rounding of the product could differ from the rounding of the exact binary value.
 * The product v * 10^k (10^k exact for k <= 22) is within half an ulp of the exact scaled
 * value, i.e. within 2^-24 < 1e-6 for a 9-digit integer part, so outside that window both
 * round to the same integer and the output is byte-identical to snprintf's (checked in
 * tests/test_numfmt.c over millions of values against the C library).
 * Rejected: a general shortest-round-trip algorithm (Ryu, Grisu): a different output than
 * "%.9g" (files would change) and far more code than this one case needs.
 */
#ifndef ARCHSIM_NUMFMT_H
#define ARCHSIM_NUMFMT_H

#include <stddef.h>
#include <stdint.h>

/* Longest text either function writes, with its NUL: "%.9g" of a double is at most 16
 * characters ("-1.23456789e-308"), a uint64 at most 20 digits. */
#define NUMFMT_MAX 32

/* Write v as snprintf(out, NUMFMT_MAX, "%.9g", v) would; returns the length (without the
 * NUL). out must hold NUMFMT_MAX bytes. Any double, including NaN and infinities. */
size_t numfmt_g9(char *out, double v);

/* Write v in decimal (as "%" PRIu64); returns the length. out must hold NUMFMT_MAX bytes. */
size_t numfmt_u64(char *out, uint64_t v);

#endif
