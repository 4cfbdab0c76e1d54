/* numfmt — "%.9g" and "%" PRIu64 without printf; see numfmt.h for the method. */
#include "numfmt.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>

/* "00", "01", ... "99": the two digits of 0..99. */
static const char digit_pairs[] = "00010203040506070809101112131415161718192021222324252627282930"
                                  "31323334353637383940414243444546474849505152535455565758596061"
                                  "62636465666768697071727374757677787980818283848586878889909192"
                                  "93949596979899";

/* 10^0 .. 10^12: every one exactly representable in a double. */
static const double pow10_exact[] = {1e0, 1e1, 1e2, 1e3,  1e4,  1e5, 1e6,
                                     1e7, 1e8, 1e9, 1e10, 1e11, 1e12};

size_t numfmt_u64(char *out, uint64_t v) {
    char tmp[20];
    size_t n = 0, len;

    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    len = n;
    for (size_t i = 0; i < len; i++)
        out[i] = tmp[len - 1 - i];
    out[len] = '\0';
    return len;
}

static size_t slow(char *out, double v) {
    return (size_t)snprintf(out, NUMFMT_MAX, "%.9g", v);
}

size_t numfmt_g9(char *out, double v) {
    double a = fabs(v), scaled, frac;
    int x; /* decimal exponent of a: 10^x <= a < 10^(x+1) (first guess, corrected below) */
    uint64_t r;
    char digits[9];
    size_t n = 0;

    if (v == 0) { /* frequent (no errors, an empty queue): "0", or "-0" for negative zero */
        if (signbit(v)) out[n++] = '-';
        out[n++] = '0';
        out[n] = '\0';
        return n;
    }
    /* "%.9g" prints without an exponent when the rounded value's exponent X is in [-4, 9). */
    if (!(a >= 1e-4 && a < 1e9)) return slow(out, v);
    if (a >= 1.0) {
        x = 0;
        while (x < 8 && a >= pow10_exact[x + 1])
            x++;
    } else {
        x = -1;
        while (x > -4 && a * pow10_exact[-x] < 1.0)
            x--;
    }
    /* 9 significant digits: the integer nearest a * 10^(8 - x), 8 - x in [0, 12]. */
    scaled = a * pow10_exact[8 - x];
    r = (uint64_t)scaled;
    frac = scaled - (double)r;
    if (fabs(frac - 0.5) < 1e-6) return slow(out, v); /* too close to call */
    if (frac > 0.5) r++;
    /* Rounding up to 10^9 (or a first guess one decade off) moves the exponent: printf's
     * business. */
    if (r < 100000000u || r > 999999999u) return slow(out, v);
    {
        /* Two digits per division (five divisions, not nine), in 32 bits (r < 10^9). */
        uint32_t q = (uint32_t)r;
        digits[8] = (char)('0' + q % 10);
        q /= 10;
        for (int i = 7; i > 0; i -= 2) {
            uint32_t t = q % 100;
            q /= 100;
            digits[i] = digit_pairs[2 * t + 1];
            digits[i - 1] = digit_pairs[2 * t];
        }
    }
    if (v < 0) out[n++] = '-';
    {
        int last = 8;      /* last significant digit: trailing zeros of the fraction go */
        int point = x + 1; /* digits before the decimal point (<= 0: "0." and zeros first) */
        while (last >= point && last > 0 && digits[last] == '0')
            last--;
        if (point <= 0) {
            out[n++] = '0';
            out[n++] = '.';
            for (int i = 0; i < -point; i++)
                out[n++] = '0';
            for (int i = 0; i <= last; i++)
                out[n++] = digits[i];
        } else {
            for (int i = 0; i < point; i++)
                out[n++] = digits[i];
            if (last >= point) {
                out[n++] = '.';
                for (int i = point; i <= last; i++)
                    out[n++] = digits[i];
            }
        }
    }
    out[n] = '\0';
    return n;
}
