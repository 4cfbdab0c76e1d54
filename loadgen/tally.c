/* tally — per-class request counts and latency histograms; see tally.h. */
#include "tally.h"

#include <math.h>
#include <string.h>

static const char *const err_names[TALLY_NERR] = {"connect", "timeout", "reset", "parse",
                                                  "tls",     "4xx",     "5xx",   "bad_status"};

void tally_init(struct tally *t) {
    memset(t, 0, sizeof *t);
    t->lat = hist_new();
    t->svc = hist_new();
    t->fail = hist_new();
}

void tally_free(struct tally *t) {
    hist_free(t->lat);
    hist_free(t->svc);
    hist_free(t->fail);
    t->lat = t->svc = t->fail = NULL;
}

void tally_reset(struct tally *t) {
    struct hist *lat = t->lat, *svc = t->svc, *fail = t->fail;

    memset(t, 0, sizeof *t);
    t->lat = lat;
    t->svc = svc;
    t->fail = fail;
    hist_reset(lat);
    hist_reset(svc);
    hist_reset(fail);
}

void tally_merge(struct tally *dst, const struct tally *src) {
    dst->arrivals += src->arrivals;
    dst->completions += src->completions;
    dst->rejected += src->rejected;
    dst->errors += src->errors;
    for (int k = 0; k < TALLY_NERR; k++)
        dst->err[k] += src->err[k];
    for (int s = 0; s < TALLY_NSTATUS; s++)
        dst->status[s] += src->status[s];
    dst->body_bytes += src->body_bytes;
    dst->held += src->held;
    if (src->held_max_ns > dst->held_max_ns) dst->held_max_ns = src->held_max_ns;
    dst->retries += src->retries;
    dst->connects += src->connects;
    dst->lag_n += src->lag_n;
    dst->late += src->late;
    if (src->lag_max_ns > dst->lag_max_ns) dst->lag_max_ns = src->lag_max_ns;
    hist_merge(dst->lat, src->lat);
    hist_merge(dst->svc, src->svc);
    hist_merge(dst->fail, src->fail);
}

static int64_t nonneg(int64_t v) {
    return v < 0 ? 0 : v;
}

void tally_lag(struct tally *t, int64_t lag_ns) {
    lag_ns = nonneg(lag_ns);
    t->lag_n++;
    if (lag_ns > TALLY_LATE_NS) t->late++;
    if (lag_ns > t->lag_max_ns) t->lag_max_ns = lag_ns;
}

int tally_status_error(int status) {
    if (status < 100 || status > 599) return TALLY_E_STATUS;
    if (status == 429 || status == 503 || status < 400) return -1;
    return status >= 500 ? TALLY_E_5XX : TALLY_E_4XX;
}

void tally_response(struct tally *t, int status, int64_t lat_ns, int64_t svc_ns,
                    uint64_t body_bytes) {
    int kind = tally_status_error(status);

    t->status[status >= 0 && status < TALLY_NSTATUS ? status : 0]++;
    if (kind >= 0) {
        t->errors++;
        t->err[kind]++;
        hist_record(t->fail, nonneg(lat_ns));
    } else if (status == 429 || status == 503) {
        t->rejected++;
        hist_record(t->fail, nonneg(lat_ns));
    } else {
        t->completions++;
        t->body_bytes += body_bytes;
        hist_record(t->lat, nonneg(lat_ns));
        hist_record(t->svc, nonneg(svc_ns));
    }
}

void tally_failure(struct tally *t, enum tally_err kind, int64_t lat_ns) {
    t->errors++;
    t->err[kind]++;
    hist_record(t->fail, nonneg(lat_ns));
}

const char *tally_err_name(enum tally_err kind) {
    return kind < TALLY_NERR ? err_names[kind] : "?";
}

void tally_row(const struct tally *t, const char *component, const char *kind, double seconds,
               uint64_t in_flight, struct model_row *row) {
    static const double pcts[] = {50, 90, 99, 99.9};
    int64_t v[4];
    uint64_t answered = t->completions + t->rejected + t->errors;

    memset(row, 0, sizeof *row);
    row->component = component;
    row->kind = kind;
    row->arrivals = t->arrivals;
    row->completions = t->completions;
    row->rejected = t->rejected;
    row->errors = t->errors;
    row->in_flight = in_flight;
    row->throughput_rps = seconds > 0 ? (double)t->completions / seconds : NAN;
    row->goodput_rps = row->throughput_rps;
    row->error_rate = answered ? (double)(t->rejected + t->errors) / (double)answered : NAN;
    if (hist_count(t->lat)) {
        hist_percentiles(t->lat, pcts, 4, v);
        row->latency_mean_ms = hist_mean(t->lat) / 1e6;
        row->latency_p50_ms = (double)v[0] / 1e6;
        row->latency_p90_ms = (double)v[1] / 1e6;
        row->latency_p99_ms = (double)v[2] / 1e6;
        row->latency_p999_ms = (double)v[3] / 1e6;
        row->latency_max_ms = (double)hist_max(t->lat) / 1e6;
    } else {
        row->latency_mean_ms = row->latency_p50_ms = row->latency_p90_ms = NAN;
        row->latency_p99_ms = row->latency_p999_ms = row->latency_max_ms = NAN;
    }
    row->utilization = row->queue_mean = row->rho_offered = NAN;
    for (int x = 0; x < MX_COUNT; x++)
        row->extra[x] = NAN;
}
