/* units — values with units; see units.h for the design. */
#include "units.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Significant fraction digits accepted ("0.000000001s" needs 9); 10^15 fits uint64_t easily. */
#define UNITS_FRAC_DIGITS 15

struct unit {
    const char *name;
    uint64_t mult; /* ns per unit (durations) or bytes per unit (sizes) */
};

static const struct unit duration_units[] = {
    {"ns", 1ULL},
    {"us", 1000ULL},
    {"\xc2\xb5s", 1000ULL}, /* U+00B5 MICRO SIGN */
    {"\xce\xbcs", 1000ULL}, /* U+03BC GREEK SMALL LETTER MU */
    {"ms", 1000000ULL},
    {"s", 1000000000ULL},
    {"m", 60000000000ULL},
    {"min", 60000000000ULL},
    {"h", 3600000000000ULL},
    {NULL, 0},
};

static const struct unit size_units[] = {
    {"B", 1ULL},
    {"KB", 1000ULL},
    {"kB", 1000ULL},
    {"KiB", 1024ULL},
    {"MB", 1000000ULL},
    {"MiB", 1048576ULL},
    {"GB", 1000000000ULL},
    {"GiB", 1073741824ULL},
    {"TB", 1000000000000ULL},
    {"TiB", 1099511627776ULL},
    {NULL, 0},
};

/* Seconds per rate unit, so that value / secs is events per second. */
static const struct {
    const char *name;
    double secs;
} rate_units[] = {
    {"s", 1.0}, {"sec", 1.0}, {"m", 60.0}, {"min", 60.0}, {"h", 3600.0}, {"hr", 3600.0}, {NULL, 0},
};

static int fail(char *why, size_t whylen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(char *why, size_t whylen, const char *fmt, ...) {
    va_list ap;

    if (why && whylen) {
        va_start(ap, fmt);
        vsnprintf(why, whylen, fmt, ap);
        va_end(ap);
    }
    return -1;
}

static int is_digit(char c) {
    return c >= '0' && c <= '9';
}

static const char *skip_spaces(const char *p) {
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

static uint64_t pow10u(int e) {
    uint64_t r = 1;
    while (e-- > 0)
        r *= 10;
    return r;
}

/* An exact decimal "123.4500": integer part, fraction digits without trailing zeros. */
struct decimal {
    uint64_t ip;   /* integer part */
    uint64_t frac; /* fraction as an integer, trailing zeros removed */
    int fd;        /* number of fraction digits in frac */
};

/* Read an unsigned decimal at *pp (digits, optional '.', digits; at least one digit). Returns 0
 * and advances *pp, 1 when there is no number at *pp, or -1 (with why) on overflow or more than
 * maxfd significant fraction digits. */
static int scan_decimal(const char **pp, int maxfd, struct decimal *d, char *why, size_t whylen) {
    const char *p = *pp;
    int ndigits = 0, fd = 0, zeros = 0;

    d->ip = 0;
    d->frac = 0;
    for (; is_digit(*p); p++, ndigits++) {
        unsigned v = (unsigned)(*p - '0');
        if (d->ip > (UINT64_MAX - v) / 10) return fail(why, whylen, "number too large");
        d->ip = d->ip * 10 + v;
    }
    if (*p == '.' && (ndigits || is_digit(p[1]))) {
        p++;
        /* Zeros are held back until a non-zero digit follows, so trailing zeros cost nothing. */
        for (; is_digit(*p); p++, ndigits++) {
            if (*p == '0') {
                zeros++;
                continue;
            }
            if (fd + zeros + 1 > maxfd)
                return fail(why, whylen, "too many decimal places (at most %d)", maxfd);
            d->frac = d->frac * pow10u(zeros + 1) + (uint64_t)(*p - '0');
            fd += zeros + 1;
            zeros = 0;
        }
    }
    if (!ndigits) return 1;
    d->fd = fd;
    *pp = p;
    return 0;
}

/* At p, an exponent: 'e' or 'E', an optional sign, then a digit. Only then is the 'e' part of
 * the number; otherwise it starts a unit (no unit of ours starts with 'e', so "1e" is an
 * unknown unit and "5 e3ms" an unknown unit 'e'). */
static int at_exponent(const char *p) {
    return (p[0] == 'e' || p[0] == 'E') &&
           (is_digit(p[1]) || ((p[1] == '+' || p[1] == '-') && is_digit(p[2])));
}

/* scan_decimal, also accepting an exponent right after the digits ("1e3", "1.5e-3", "2E+2").
 * The exponent moves the decimal point in the text, so the value stays exact: "1.5e3" is read
 * as "1500" and "25e-1" as "2.5". A mantissa longer than UNITS_MAX_MANT characters or an
 * exponent beyond +-UNITS_MAX_EXP is refused (a duration, rate or size needs neither). */
#define UNITS_MAX_MANT 64
#define UNITS_MAX_EXP  40
static int scan_number(const char **pp, int maxfd, struct decimal *d, char *why, size_t whylen) {
    const char *p = *pp, *q = p, *dot = NULL;
    char digits[UNITS_MAX_MANT + 1], text[UNITS_MAX_MANT + 2 * UNITS_MAX_EXP + 4];
    size_t nd = 0, ip_digits, k = 0;
    long e = 0;
    int neg = 0, r;

    while (is_digit(*q) || (*q == '.' && !dot)) {
        if (*q == '.')
            dot = q;
        else if (nd++ < UNITS_MAX_MANT)
            digits[nd - 1] = *q;
        q++;
    }
    if (!nd || !at_exponent(q)) return scan_decimal(pp, maxfd, d, why, whylen);
    if (nd > UNITS_MAX_MANT)
        return fail(why, whylen, "too many digits before the exponent (at most %d)",
                    UNITS_MAX_MANT);
    ip_digits = dot ? (size_t)(dot - p) : nd;
    q++;
    if (*q == '+' || *q == '-') neg = *q++ == '-';
    for (; is_digit(*q); q++) {
        e = e * 10 + (*q - '0');
        if (e > UNITS_MAX_EXP)
            return fail(why, whylen, "exponent out of range (at most %d)", UNITS_MAX_EXP);
    }
    /* The point goes after ip_digits + e digits: pad with zeros on either side. */
    {
        long point = (long)ip_digits + (neg ? -e : e);
        if (point <= 0) {
            text[k++] = '0';
            text[k++] = '.';
            for (long z = point; z < 0; z++)
                text[k++] = '0';
            for (size_t i = 0; i < nd; i++)
                text[k++] = digits[i];
        } else {
            for (long i = 0; i < point; i++)
                text[k++] = (size_t)i < nd ? digits[i] : '0';
            if ((size_t)point < nd) {
                text[k++] = '.';
                for (size_t i = (size_t)point; i < nd; i++)
                    text[k++] = digits[i];
            }
        }
        text[k] = '\0';
    }
    {
        const char *t = text;
        r = scan_decimal(&t, maxfd, d, why, whylen);
    }
    if (r == 0) *pp = q;
    return r;
}

/* Read a unit token: everything up to a digit, a space, '.', or the end. */
static size_t unit_token(const char *p) {
    size_t n = 0;
    while (p[n] && !is_digit(p[n]) && p[n] != ' ' && p[n] != '\t' && p[n] != '.')
        n++;
    return n;
}

static const struct unit *find_unit(const struct unit *tab, const char *tok, size_t n) {
    for (; tab->name; tab++)
        if (strlen(tab->name) == n && memcmp(tab->name, tok, n) == 0) return tab;
    return NULL;
}

static uint64_t gcd_u64(uint64_t a, uint64_t b) {
    while (b) {
        uint64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

/* d * mult exactly into *out, or -1 when the result is not whole (*whole = 0) or exceeds limit
 * (*whole = 1). */
static int decimal_times(const struct decimal *d, uint64_t mult, uint64_t limit, uint64_t *out,
                         int *whole) {
    /* frac * mult / 10^fd is whole iff 10^fd / g divides frac (g = gcd); reducing first keeps
     * every intermediate below mult, so nothing overflows. */
    uint64_t den = pow10u(d->fd), g = gcd_u64(mult, den), fpart;

    *whole = 1;
    if (d->frac % (den / g)) {
        *whole = 0;
        return -1;
    }
    fpart = d->frac / (den / g) * (mult / g);
    if (d->ip && d->ip > (limit - fpart) / mult) return -1;
    *out = d->ip * mult + fpart;
    return 0;
}

int units_parse_duration(const char *s, int64_t *ns, char *why, size_t whylen) {
    const char *p = skip_spaces(s);
    uint64_t total = 0;
    int terms = 0;

    if (!*p) return fail(why, whylen, "empty duration (e.g. 5ms)");
    if (*p == '-') return fail(why, whylen, "negative durations are not allowed");
    while (*p) {
        struct decimal d;
        const struct unit *u;
        uint64_t v;
        size_t n;
        int r, whole;

        r = scan_number(&p, UNITS_FRAC_DIGITS, &d, why, whylen);
        if (r < 0) return -1;
        if (r > 0 && terms) return fail(why, whylen, "unexpected '%s' after the duration", p);
        if (r > 0) return fail(why, whylen, "expected a number and a unit (e.g. 5ms)");
        p = skip_spaces(p);
        n = unit_token(p);
        if (!n) return fail(why, whylen, "missing unit (e.g. 5ms)");
        u = find_unit(duration_units, p, n);
        if (!u)
            return fail(why, whylen, "unknown unit '%.*s' (use ns, us, ms, s, m or h)", (int)n, p);
        if (decimal_times(&d, u->mult, (uint64_t)INT64_MAX, &v, &whole) < 0)
            return fail(why, whylen,
                        whole ? "duration too large" : "finer than 1ns (the clock's resolution)");
        if (v > (uint64_t)INT64_MAX - total) return fail(why, whylen, "duration too large");
        total += v;
        terms++;
        p = skip_spaces(p + n);
    }
    *ns = (int64_t)total;
    return 0;
}

/* Scan a plain floating-point number (digits, '.', exponent) and convert it; returns the end,
 * or NULL when there is no number at p. Rejects what strtod would also take: "inf", "nan",
 * hex, leading '+'. */
static const char *scan_double(const char *p, double *out) {
    const char *q = p;
    int digits = 0;
    char buf[64];

    while (is_digit(*q))
        q++, digits++;
    if (*q == '.') {
        q++;
        while (is_digit(*q))
            q++, digits++;
    }
    if (!digits) return NULL;
    if ((*q == 'e' || *q == 'E') &&
        (is_digit(q[1]) || ((q[1] == '+' || q[1] == '-') && is_digit(q[2])))) {
        q += 2;
        while (is_digit(*q))
            q++;
    }
    if ((size_t)(q - p) >= sizeof buf) return NULL;
    memcpy(buf, p, (size_t)(q - p));
    buf[q - p] = '\0';
    *out = strtod(buf, NULL);
    return q;
}

int units_parse_rate(const char *s, double *per_s, char *why, size_t whylen) {
    const char *p = skip_spaces(s), *q;
    double v;
    size_t n;
    int i;

    if (!*p) return fail(why, whylen, "empty rate (e.g. 2000/s)");
    if (*p == '-') return fail(why, whylen, "negative rates are not allowed");
    q = scan_double(p, &v);
    if (!q) return fail(why, whylen, "expected a number and a unit (e.g. 2000/s)");
    p = skip_spaces(q);
    if (!*p) return fail(why, whylen, "missing unit (e.g. 2000/s)");
    if (*p != '/') {
        n = strlen(p);
        while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
            n--;
        return fail(why, whylen, "unknown unit '%.*s' (use /s, /min or /h)", (int)n, p);
    }
    p = skip_spaces(p + 1);
    n = strlen(p);
    while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
        n--;
    for (i = 0; rate_units[i].name; i++)
        if (strlen(rate_units[i].name) == n && memcmp(rate_units[i].name, p, n) == 0) break;
    if (!rate_units[i].name)
        return fail(why, whylen, "unknown unit '/%.*s' (use /s, /min or /h)", (int)n, p);
    v /= rate_units[i].secs;
    if (!isfinite(v)) return fail(why, whylen, "rate too large");
    *per_s = v;
    return 0;
}

int units_parse_size(const char *s, uint64_t *bytes, char *why, size_t whylen) {
    const char *p = skip_spaces(s);
    struct decimal d;
    const struct unit *u;
    size_t n;
    int r, whole;

    if (!*p) return fail(why, whylen, "empty size (e.g. 64KiB)");
    if (*p == '-') return fail(why, whylen, "negative sizes are not allowed");
    r = scan_number(&p, UNITS_FRAC_DIGITS, &d, why, whylen);
    if (r < 0) return -1;
    if (r > 0) return fail(why, whylen, "expected a number and a unit (e.g. 64KiB)");
    p = skip_spaces(p);
    n = unit_token(p);
    if (!n) {
        if (*p) return fail(why, whylen, "unexpected '%s' after the number", p);
        return fail(why, whylen, "missing unit (e.g. 64KiB)");
    }
    u = find_unit(size_units, p, n);
    if (!u)
        return fail(why, whylen, "unknown unit '%.*s' (use B, KB, KiB, MB, MiB, GB, GiB, TB, TiB)",
                    (int)n, p);
    if (*skip_spaces(p + n)) return fail(why, whylen, "unexpected '%s' after the size", p + n);
    if (decimal_times(&d, u->mult, UINT64_MAX, bytes, &whole) < 0)
        return fail(why, whylen, whole ? "size too large" : "not a whole number of bytes");
    return 0;
}

int units_parse_fraction(const char *s, double *f, char *why, size_t whylen) {
    const char *p = skip_spaces(s), *q;
    double v;

    if (!*p) return fail(why, whylen, "empty fraction (e.g. 10%% or 0.1)");
    q = scan_double(*p == '-' ? p + 1 : p, &v);
    if (!q) return fail(why, whylen, "expected a fraction (e.g. 10%% or 0.1)");
    if (*p == '-') v = -v;
    q = skip_spaces(q);
    if (*q == '%') {
        if (*skip_spaces(q + 1))
            return fail(why, whylen, "unexpected '%s' after the percentage", q + 1);
        if (!(v >= 0 && v <= 100)) return fail(why, whylen, "must be between 0%% and 100%%");
        *f = v / 100.0;
        return 0;
    }
    if (*q) return fail(why, whylen, "expected a fraction (e.g. 10%% or 0.1)");
    if (!(v >= 0 && v <= 1))
        return fail(why, whylen, "must be in [0, 1] (or a percentage such as 10%%)");
    *f = v;
    return 0;
}

/* Append "<whole>[.<frac>]<unit>" for v = whole * den + frac (frac < den = 10^digits), with
 * trailing zeros of the fraction removed. Returns the number of characters written. */
static int put_scaled(char *buf, size_t n, uint64_t v, uint64_t den, int digits, const char *unit) {
    uint64_t whole = v / den, frac = v % den;

    if (!frac) return snprintf(buf, n, "%llu%s", (unsigned long long)whole, unit);
    while (frac % 10 == 0) {
        frac /= 10;
        digits--;
    }
    return snprintf(buf, n, "%llu.%0*llu%s", (unsigned long long)whole, digits,
                    (unsigned long long)frac, unit);
}

char *units_format_duration(int64_t ns, char *buf, size_t n) {
    const uint64_t sec = 1000000000ULL, min = 60 * sec, hour = 60 * min;
    uint64_t v;
    size_t off = 0;

    if (!n) return buf;
    buf[0] = '\0';
    if (ns == 0) {
        snprintf(buf, n, "0s");
        return buf;
    }
    if (ns < 0) {
        snprintf(buf, n, "-");
        off = 1;
        v = (uint64_t)(-(ns + 1)) + 1; /* magnitude, also for INT64_MIN */
    } else {
        v = (uint64_t)ns;
    }
#define UNITS_ADV(k) (off += (size_t)(k), off = off < n ? off : n - 1)
    if (v >= min) {
        uint64_t h = v / hour, m = v % hour / min, rest = v % min;
        if (h) UNITS_ADV(snprintf(buf + off, n - off, "%lluh", (unsigned long long)h));
        if (m || (h && rest))
            UNITS_ADV(snprintf(buf + off, n - off, "%llum", (unsigned long long)m));
        if (rest) UNITS_ADV(put_scaled(buf + off, n - off, rest, sec, 9, "s"));
    } else if (v >= sec) {
        UNITS_ADV(put_scaled(buf + off, n - off, v, sec, 9, "s"));
    } else if (v >= 1000000) {
        UNITS_ADV(put_scaled(buf + off, n - off, v, 1000000, 6, "ms"));
    } else if (v >= 1000) {
        UNITS_ADV(put_scaled(buf + off, n - off, v, 1000, 3, "us"));
    } else {
        UNITS_ADV(snprintf(buf + off, n - off, "%lluns", (unsigned long long)v));
    }
#undef UNITS_ADV
    return buf;
}

/* Shortest %g form of v that reads back as exactly v. */
static void shortest_double(double v, char *buf, size_t n) {
    if (v == floor(v) && fabs(v) < 1e15) {
        snprintf(buf, n, "%.0f", v);
        return;
    }
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, n, "%.*g", prec, v);
        if (strtod(buf, NULL) == v) return;
    }
}

char *units_format_rate(double per_s, char *buf, size_t n) {
    char num[32];

    if (!n) return buf;
    if (isfinite(per_s) && per_s != floor(per_s)) {
        /* 120/m parses to 2/s (whole); 10/h to 10/3600: recognise the latter and say it back. */
        static const struct {
            double secs;
            const char *unit;
        } alt[] = {{60.0, "min"}, {3600.0, "h"}};
        for (size_t i = 0; i < sizeof alt / sizeof alt[0]; i++) {
            double k = per_s * alt[i].secs, r = round(k);
            if (fabs(r) < 1e15 && r / alt[i].secs == per_s) {
                snprintf(buf, n, "%.0f/%s", r, alt[i].unit);
                return buf;
            }
        }
    }
    shortest_double(per_s, num, sizeof num);
    snprintf(buf, n, "%s/s", num);
    return buf;
}
