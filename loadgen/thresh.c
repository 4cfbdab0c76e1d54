/* thresh — pass/fail criteria; see thresh.h. */
#include "thresh.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hist.h"
#include "units.h"

/* "99.9", "999" (= 99.9), "50" → percentile; -1 when malformed. */
static double parse_pct(const char *s) {
    char buf[32], *end;
    size_t n = strlen(s);
    double v;

    if (n == 0 || n >= sizeof buf - 1) return -1;
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]) && s[i] != '.') return -1;
    if (!strchr(s, '.') && n > 2 && strncmp(s, "99", 2) == 0) {
        /* p999 = p99.9, p9999 = p99.99 (the CSV spells p99.9 as p999) */
        memcpy(buf, s, 2);
        buf[2] = '.';
        memcpy(buf + 3, s + 2, n - 1);
    } else {
        memcpy(buf, s, n + 1);
    }
    errno = 0;
    v = strtod(buf, &end);
    if (errno || *end || !(v > 0) || v > 100) return -1;
    return v;
}

int thresh_parse(const char *s, struct thresh *t, struct err *err) {
    const char *p = s, *opp;
    char name[32], val[96], why[128];
    size_t n;
    const char *m;

    memset(t, 0, sizeof *t);
    snprintf(t->text, sizeof t->text, "%s", s);
    while (isspace((unsigned char)*p))
        p++;
    opp = p + strcspn(p, "<>");
    if (!*opp)
        return err_set(err, NULL, 0, 0, "threshold '%s': expected METRIC<VALUE or METRIC>VALUE", s);
    n = (size_t)(opp - p);
    while (n && isspace((unsigned char)p[n - 1]))
        n--;
    if (n == 0 || n >= sizeof name)
        return err_set(err, NULL, 0, 0, "threshold '%s': missing metric", s);
    memcpy(name, p, n);
    name[n] = 0;
    snprintf(t->metric_name, sizeof t->metric_name, "%s", name);
    if (opp[0] == '<')
        t->op = opp[1] == '=' ? TH_LE : TH_LT;
    else
        t->op = opp[1] == '=' ? TH_GE : TH_GT;
    p = opp + 1 + (opp[1] == '=');
    while (isspace((unsigned char)*p))
        p++;
    snprintf(val, sizeof val, "%s", p);
    n = strlen(val);
    while (n && isspace((unsigned char)val[n - 1]))
        val[--n] = 0;
    if (!val[0]) return err_set(err, NULL, 0, 0, "threshold '%s': missing value", s);

    if (strcmp(name, "error_rate") == 0) {
        t->metric = TH_ERROR_RATE;
        if (units_parse_fraction(val, &t->value, why, sizeof why))
            return err_set(err, NULL, 0, 0, "threshold '%s': %s", s, why);
        return 0;
    }
    if (strcmp(name, "rps") == 0) {
        char *end;
        t->metric = TH_RPS;
        if (strchr(val, '/')) {
            if (units_parse_rate(val, &t->value, why, sizeof why))
                return err_set(err, NULL, 0, 0, "threshold '%s': %s", s, why);
            return 0;
        }
        errno = 0;
        t->value = strtod(val, &end);
        if (errno || *end || !isfinite(t->value) || t->value < 0)
            return err_set(err, NULL, 0, 0, "threshold '%s': expected requests per second", s);
        return 0;
    }
    m = name;
    t->metric = TH_LATENCY;
    if (strncmp(m, "svc_", 4) == 0) {
        t->metric = TH_SVC;
        m += 4;
    }
    if (strcmp(m, "mean") == 0) {
        t->stat = TH_MEAN;
    } else if (strcmp(m, "max") == 0) {
        t->stat = TH_MAX;
    } else if (m[0] == 'p' && parse_pct(m + 1) > 0) {
        t->stat = TH_PCT;
        t->pct = parse_pct(m + 1);
    } else {
        return err_set(err, NULL, 0, 0,
                       "threshold '%s': unknown metric '%s' (expected pN, mean, max, svc_pN, "
                       "svc_mean, svc_max, error_rate or rps)",
                       s, name);
    }
    {
        int64_t ns;
        if (units_parse_duration(val, &ns, why, sizeof why))
            return err_set(err, NULL, 0, 0, "threshold '%s': %s", s, why);
        t->value = (double)ns / 1e6;
    }
    return 0;
}

double thresh_measure(const struct thresh *th, const struct tally *t, double seconds) {
    const struct hist *h;
    uint64_t answered = t->completions + t->rejected + t->errors;

    switch (th->metric) {
        case TH_ERROR_RATE:
            return answered ? (double)(t->rejected + t->errors) / (double)answered : NAN;
        case TH_RPS:
            return seconds > 0 ? (double)t->completions / seconds : NAN;
        case TH_LATENCY:
        case TH_SVC:
            break;
    }
    h = th->metric == TH_SVC ? t->svc : t->lat;
    if (hist_count(h) == 0) return NAN;
    switch (th->stat) {
        case TH_MEAN:
            return hist_mean(h) / 1e6;
        case TH_MAX:
            return (double)hist_max(h) / 1e6;
        case TH_PCT:
            break;
    }
    return (double)hist_percentile(h, th->pct) / 1e6;
}

int thresh_pass(const struct thresh *th, double v) {
    if (isnan(v)) return 0;
    switch (th->op) {
        case TH_LT:
            return v < th->value;
        case TH_LE:
            return v <= th->value;
        case TH_GT:
            return v > th->value;
        case TH_GE:
            return v >= th->value;
    }
    return 0;
}

int thresh_final_only(const struct thresh *th) {
    return th->metric == TH_RPS;
}

char *thresh_format(const struct thresh *th, double v, char *buf, size_t n) {
    if (isnan(v))
        snprintf(buf, n, "%s = no samples", th->metric_name);
    else if (th->metric == TH_ERROR_RATE)
        snprintf(buf, n, "%s = %.3f %%", th->metric_name, v * 100);
    else if (th->metric == TH_RPS)
        snprintf(buf, n, "%s = %.1f/s", th->metric_name, v);
    else
        snprintf(buf, n, "%s = %.3f ms", th->metric_name, v);
    return buf;
}
