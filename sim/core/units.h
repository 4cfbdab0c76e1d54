/*
 * units — values with units, as scenario files and command lines write them.
 *
 * A number that means a time, a rate or a size must carry its unit: "5ms", "2000/s", "64KiB".
 * A bare "5" is rejected with "missing unit (e.g. 5ms)", because the unit a reader assumes is
 * the most common source of silently wrong simulations (5 what? seconds? milliseconds?).
 *
 * Design: each parser reads the whole string (no trailing junk), works in exact integer
 * arithmetic where the result is an integer (durations in ns, sizes in bytes) so "1.5s" is
 * exactly 1500000000 ns, and explains a rejection in a caller-supplied buffer `why` (a short
 * phrase without position; the scenario layer adds file:line:col and the key path).
 * Durations may be compound ("1m30s", "1h15m") so that every formatted duration parses back.
 *
 * Rejected: going through strtod for durations and sizes (1.1s would not be exact); accepting
 * a default unit for bare numbers (ambiguous); SI-vs-binary guessing for "K"/"M" alone.
 */
#ifndef ARCHSIM_UNITS_H
#define ARCHSIM_UNITS_H

#include <stddef.h>
#include <stdint.h>

/* Parse a duration into nanoseconds. Units: ns, us (also "µs"), ms, s, m (also "min"), h; a
 * number may have a fraction ("1.5s") and a decimal exponent written right after its digits
 * ("1e3ms" = 1s, "2.5e-1s" = 250ms; the value stays exact, the exponent is at most 40 in
 * magnitude), and terms may be chained ("1m30s"); spaces between number and unit are allowed.
 * "0s" is valid (callers reject zero where needed).
 * Returns 0, or -1 with a phrase in why (size whylen, may be NULL/0): bare number (also "1e3")
 * → "missing unit (e.g. 5ms)"; negative, unknown unit (also "1e", "5 e3ms": an 'e' not followed
 * by exponent digits starts a unit), a fraction of a nanosecond, overflow of int64 ns. */
int units_parse_duration(const char *s, int64_t *ns, char *why, size_t whylen);

/* Parse an event rate into events per second: "2000/s", "120/m" or "120/min", "10/h" ("/sec",
 * "/hr" too); the number may have an exponent ("2e3/s"). Zero is accepted here (callers that need >
 * 0 say so). Returns 0, or -1 with why: bare number → "missing unit (e.g. 2000/s)"; negative,
 * unknown unit, not finite. */
int units_parse_rate(const char *s, double *per_s, char *why, size_t whylen);

/* Parse a size into bytes: B, KB/kB (1000), KiB (1024), MB, MiB, GB, GiB, TB, TiB. A fraction
 * and an exponent are allowed when the result is whole bytes ("1.5KB" = 1500, "1e3B", exact as
 * for durations). Returns 0, or -1 with why: bare
 * number → "missing unit (e.g. 64KiB)"; negative, unknown unit, not whole bytes, overflow. */
int units_parse_size(const char *s, uint64_t *bytes, char *why, size_t whylen);

/* Parse a fraction: "10%" → 0.1, or a plain number in [0, 1] ("0.25"). Returns 0, or -1 with
 * why when malformed or outside [0, 1] (0% to 100%). */
int units_parse_fraction(const char *s, double *f, char *why, size_t whylen);

/* Write the shortest exact readable form of ns into buf (size n, always NUL-terminated, n >= 1):
 * "0s", "250us", "1.5ms", "2s", "1m30s", "1h0m0.5s", "-5ms". The result parses back to ns
 * (except for negative values, which units_parse_duration rejects). 32 bytes always suffice.
 * Returns buf. */
char *units_format_duration(int64_t ns, char *buf, size_t n);

/* Write a rate into buf (size n, NUL-terminated): "2000/s", "0.5/s"; a rate that is a whole
 * number per minute or per hour but not per second is written "/min" or "/h" ("10/h").
 * Uses the shortest digits that parse back to the same double. 40 bytes suffice. Returns buf. */
char *units_format_rate(double per_s, char *buf, size_t n);

#endif
