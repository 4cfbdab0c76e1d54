/* csv_out — summary.csv and timeseries.csv writers; see csv_out.h and docs/csv.md. */
#include "csv_out.h"

#include "numfmt.h"

#include <csv.h>
#include <inttypes.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

static const char summary_header[] =
    "scenario,replication,seed,component,kind,arrivals,completions,rejected,errors,in_flight,"
    "throughput_rps,goodput_rps,error_rate,latency_mean_ms,latency_p50_ms,latency_p90_ms,"
    "latency_p99_ms,latency_p999_ms,latency_max_ms,utilization,queue_mean,events,sim_time_s,"
    "wall_s,partial,"
    "throughput_rps_ci95,latency_mean_ms_ci95,latency_p99_ms_ci95,utilization_ci95,warmup_s\n";

static const char timeseries_header[] =
    "scenario,replication,seed,t_start_s,t_end_s,in_warmup,partial,component,kind,arrivals,"
    "completions,"
    "rejected,errors,in_flight,throughput_rps,goodput_rps,error_rate,latency_mean_ms,"
    "latency_p50_ms,"
    "latency_p90_ms,latency_p99_ms,latency_p999_ms,latency_max_ms,utilization,queue_mean\n";

/* The kind-specific columns (enum model_extra), appended to both files' rows. */
static void put_extra_header(FILE *f) {
    for (int x = 0; x < MX_COUNT; x++)
        fprintf(f, ",%s", model_extra_name((enum model_extra)x));
    fputc('\n', f);
}

void csv_out_summary_header(FILE *f) {
    fwrite(summary_header, 1, sizeof summary_header - 2, f); /* without the newline */
    put_extra_header(f);
}

void csv_out_summary_header_sweep(FILE *f) {
    fputs("point,vary,", f);
    csv_out_summary_header(f);
}

void csv_out_timeseries_header(FILE *f) {
    fwrite(timeseries_header, 1, sizeof timeseries_header - 2, f);
    put_extra_header(f);
}

static void put_text(FILE *f, const char *s) {
    if (strpbrk(s, ",\"\r\n"))
        csv_fwrite(f, s, strlen(s));
    else
        fputs(s, f);
}

/* ",%.9g" (just "," when v is not finite), through numfmt (see numfmt.h). */
static void put_num(FILE *f, double v) {
    char buf[NUMFMT_MAX + 1];
    size_t n = 1;

    buf[0] = ',';
    if (isfinite(v)) n += numfmt_g9(buf + 1, v);
    fwrite(buf, 1, n, f);
}

/* A row under construction: fields are formatted into b and written with one fwrite (a
 * timeseries row has some sixty fields; a stdio call each cost more than formatting them). */
struct line {
    FILE *f;
    size_t n;
    char b[2048];
};

static void line_flush(struct line *l) {
    if (l->n) fwrite(l->b, 1, l->n, l->f);
    l->n = 0;
}

/* Room for need more bytes (flushing first if short). need <= sizeof l->b. */
static char *line_room(struct line *l, size_t need) {
    if (sizeof l->b - l->n < need) line_flush(l);
    return l->b + l->n;
}

static void line_chars(struct line *l, const char *s, size_t len) {
    if (len > sizeof l->b) {
        line_flush(l);
        fwrite(s, 1, len, l->f);
        return;
    }
    memcpy(line_room(l, len), s, len);
    l->n += len;
}

/* As put_text. */
static void line_text(struct line *l, const char *s) {
    if (strpbrk(s, ",\"\r\n")) {
        line_flush(l);
        csv_fwrite(l->f, s, strlen(s));
        return;
    }
    line_chars(l, s, strlen(s));
}

/* As put_num; and ",%" PRIu64. */
static void line_num(struct line *l, double v) {
    char *p = line_room(l, NUMFMT_MAX + 1);

    p[0] = ',';
    l->n += 1 + (isfinite(v) ? numfmt_g9(p + 1, v) : 0);
}

static void line_u64(struct line *l, uint64_t v) {
    char *p = line_room(l, NUMFMT_MAX + 1);

    p[0] = ',';
    l->n += 1 + numfmt_u64(p + 1, v);
}

/* The extras and the newline. */
static void line_extras(struct line *l, const struct model_row *r) {
    for (int x = 0; x < MX_COUNT; x++)
        line_num(l, r->extra[x]);
    line_chars(l, "\n", 1);
}

static void line_row_metrics(struct line *l, const struct model_row *r) {
    line_chars(l, ",", 1);
    line_text(l, r->component);
    line_chars(l, ",", 1);
    line_text(l, r->kind);
    line_u64(l, r->arrivals);
    line_u64(l, r->completions);
    line_u64(l, r->rejected);
    line_u64(l, r->errors);
    line_u64(l, r->in_flight);
    line_num(l, r->throughput_rps);
    line_num(l, r->goodput_rps);
    line_num(l, r->error_rate);
    line_num(l, r->latency_mean_ms);
    line_num(l, r->latency_p50_ms);
    line_num(l, r->latency_p90_ms);
    line_num(l, r->latency_p99_ms);
    line_num(l, r->latency_p999_ms);
    line_num(l, r->latency_max_ms);
    line_num(l, r->utilization);
    line_num(l, r->queue_mean);
}

static void put_row_metrics(FILE *f, const struct model_row *r) {
    struct line l = {.f = f, .n = 0};

    line_row_metrics(&l, r);
    line_flush(&l);
}

/* The extras and the newline in one write: most are empty. */
static void put_extras(FILE *f, const struct model_row *r) {
    struct line l = {.f = f, .n = 0};

    line_extras(&l, r);
    line_flush(&l);
}

/* The sweep's leading columns, each followed by its comma. */
static void put_point(FILE *f, const struct csv_point *pt) {
    if (!pt) return;
    fprintf(f, "%zu,", pt->index);
    put_text(f, pt->vary);
    fputc(',', f);
}

void csv_out_summary_rep(FILE *f, const char *scenario, const struct run_rep *rep) {
    csv_out_summary_rep_pt(f, NULL, scenario, rep);
}

void csv_out_summary_rep_pt(FILE *f, const struct csv_point *pt, const char *scenario,
                            const struct run_rep *rep) {
    for (size_t i = 0; i < rep->nrows; i++) {
        const struct model_row *r = &rep->rows[i];
        int total = i + 1 == rep->nrows;

        put_point(f, pt);
        put_text(f, scenario);
        fprintf(f, ",%u,%" PRIu64, rep->replication, rep->seed);
        put_row_metrics(f, r);
        if (total) {
            fprintf(f, ",%" PRIu64, rep->events);
            put_num(f, rep->sim_time_s);
            fprintf(f, ",%.3f", rep->wall_s);
        } else {
            fputs(",,,", f);
        }
        fprintf(f, ",%d,,,,", rep->partial);
        put_num(f, rep->warmup_s);
        put_extras(f, r);
    }
}

void csv_out_rep_stat(const struct run_rep *reps, size_t n, size_t i, size_t offset, double *mean,
                      double *half) {
    struct stats_acc acc;

    stats_acc_init(&acc);
    for (size_t k = 0; k < n; k++) {
        double v;
        memcpy(&v, (const char *)&reps[k].rows[i] + offset, sizeof v);
        if (isfinite(v)) stats_acc_add(&acc, v);
    }
    *mean = acc.n ? stats_acc_mean(&acc) : NAN;
    *half = acc.n >= 2 ? stats_ci_halfwidth(&acc, 0.95) : NAN;
}

void csv_out_summary_mean(FILE *f, const char *scenario, const struct run_rep *reps, size_t n) {
    csv_out_summary_mean_pt(f, NULL, scenario, reps, n);
}

void csv_out_summary_mean_pt(FILE *f, const struct csv_point *pt, const char *scenario,
                             const struct run_rep *reps, size_t n) {
    static const size_t fields[] = {
        offsetof(struct model_row, throughput_rps), offsetof(struct model_row, goodput_rps),
        offsetof(struct model_row, error_rate),     offsetof(struct model_row, latency_mean_ms),
        offsetof(struct model_row, latency_p50_ms), offsetof(struct model_row, latency_p90_ms),
        offsetof(struct model_row, latency_p99_ms), offsetof(struct model_row, latency_p999_ms),
        offsetof(struct model_row, latency_max_ms), offsetof(struct model_row, utilization),
        offsetof(struct model_row, queue_mean),
    };
    static const size_t ci_fields[] = {
        offsetof(struct model_row, throughput_rps),
        offsetof(struct model_row, latency_mean_ms),
        offsetof(struct model_row, latency_p99_ms),
        offsetof(struct model_row, utilization),
    };

    if (n == 0) return;
    for (size_t i = 0; i < reps[0].nrows; i++) {
        uint64_t sums[5] = {0, 0, 0, 0, 0};
        double mean, half;
        uint64_t events = 0;
        double sim_s = 0, wall_s = 0, warm_s = 0;
        int partial = 0;

        for (size_t k = 0; k < n; k++) {
            const struct model_row *r = &reps[k].rows[i];
            sums[0] += r->arrivals;
            sums[1] += r->completions;
            sums[2] += r->rejected;
            sums[3] += r->errors;
            sums[4] += r->in_flight;
            events += reps[k].events;
            sim_s += reps[k].sim_time_s;
            wall_s += reps[k].wall_s;
            warm_s += reps[k].warmup_s;
            partial |= reps[k].partial;
        }
        put_point(f, pt);
        put_text(f, scenario);
        fputs(",mean,", f);
        fputc(',', f);
        put_text(f, reps[0].rows[i].component);
        fputc(',', f);
        put_text(f, reps[0].rows[i].kind);
        /* Counts: mean per replication, as a number. */
        for (int c = 0; c < 5; c++)
            put_num(f, (double)sums[c] / (double)n);
        for (size_t c = 0; c < sizeof fields / sizeof fields[0]; c++) {
            csv_out_rep_stat(reps, n, i, fields[c], &mean, &half);
            put_num(f, mean);
        }
        if (i + 1 == reps[0].nrows) {
            put_num(f, (double)events / (double)n);
            put_num(f, sim_s / (double)n);
            fprintf(f, ",%.3f", wall_s / (double)n);
        } else {
            fputs(",,,", f);
        }
        fprintf(f, ",%d", partial);
        for (size_t c = 0; c < sizeof ci_fields / sizeof ci_fields[0]; c++) {
            csv_out_rep_stat(reps, n, i, ci_fields[c], &mean, &half);
            put_num(f, half);
        }
        put_num(f, warm_s / (double)n);
        {
            /* Extras: the mean over replications. */
            struct model_row m = reps[0].rows[i];
            for (int x = 0; x < MX_COUNT; x++)
                csv_out_rep_stat(reps, n, i,
                                 offsetof(struct model_row, extra) + (size_t)x * sizeof(double),
                                 &m.extra[x], &half);
            put_extras(f, &m);
        }
    }
}

void csv_out_timeseries_rows(FILE *f, const char *scenario, unsigned replication, uint64_t seed,
                             int64_t t_start_ns, int64_t t_end_ns, unsigned flags,
                             const struct model_row *rows, size_t nrows) {
    struct line l = {.f = f, .n = 0};

    for (size_t i = 0; i < nrows; i++) {
        line_text(&l, scenario);
        line_u64(&l, replication);
        line_u64(&l, seed);
        line_num(&l, (double)t_start_ns / 1e9);
        line_num(&l, (double)t_end_ns / 1e9);
        line_chars(&l, flags & NET_ROW_WARMUP ? ",1" : ",0", 2);
        line_chars(&l, flags & NET_ROW_PARTIAL ? ",1" : ",0", 2);
        line_row_metrics(&l, &rows[i]);
        line_extras(&l, &rows[i]);
    }
    line_flush(&l);
}

void csv_out_events_header(FILE *f) {
    fputs("scenario,replication,seed,t_s,component,event,detail\n", f);
}

void csv_out_event(FILE *f, const char *scenario, unsigned replication, uint64_t seed,
                   const struct net_event *ev) {
    put_text(f, scenario);
    fprintf(f, ",%u,%" PRIu64, replication, seed);
    put_num(f, (double)ev->t_ns / 1e9);
    fputc(',', f);
    put_text(f, ev->component);
    fputc(',', f);
    put_text(f, ev->what);
    fputc(',', f);
    put_text(f, ev->detail);
    fputc('\n', f);
}

/* The number "%.9g" writes, read back. */
static double round9(double v) {
    char buf[40];

    if (!isfinite(v)) return v;
    snprintf(buf, sizeof buf, "%.9g", v);
    return strtod(buf, NULL);
}

void csv_out_canonical(struct run_rep *rep) {
    static const size_t fields[] = {
        offsetof(struct model_row, throughput_rps), offsetof(struct model_row, goodput_rps),
        offsetof(struct model_row, error_rate),     offsetof(struct model_row, latency_mean_ms),
        offsetof(struct model_row, latency_p50_ms), offsetof(struct model_row, latency_p90_ms),
        offsetof(struct model_row, latency_p99_ms), offsetof(struct model_row, latency_p999_ms),
        offsetof(struct model_row, latency_max_ms), offsetof(struct model_row, utilization),
        offsetof(struct model_row, queue_mean),
    };

    for (size_t i = 0; i < rep->nrows; i++) {
        struct model_row *r = &rep->rows[i];
        for (size_t c = 0; c < sizeof fields / sizeof fields[0]; c++) {
            double v;
            memcpy(&v, (char *)r + fields[c], sizeof v);
            v = round9(v);
            memcpy((char *)r + fields[c], &v, sizeof v);
        }
        for (int x = 0; x < MX_COUNT; x++)
            r->extra[x] = round9(r->extra[x]);
    }
    rep->sim_time_s = round9(rep->sim_time_s);
    rep->warmup_s = round9(rep->warmup_s);
    /* wall_s is written with 3 decimals. */
    if (isfinite(rep->wall_s)) {
        char buf[40];
        snprintf(buf, sizeof buf, "%.3f", rep->wall_s);
        rep->wall_s = strtod(buf, NULL);
    }
}

int csv_out_metric_offset(const char *name, size_t *offset) {
    static const struct {
        const char *name;
        size_t offset;
    } cols[] = {
        {"throughput_rps", offsetof(struct model_row, throughput_rps)},
        {"goodput_rps", offsetof(struct model_row, goodput_rps)},
        {"error_rate", offsetof(struct model_row, error_rate)},
        {"latency_mean_ms", offsetof(struct model_row, latency_mean_ms)},
        {"latency_p50_ms", offsetof(struct model_row, latency_p50_ms)},
        {"latency_p90_ms", offsetof(struct model_row, latency_p90_ms)},
        {"latency_p99_ms", offsetof(struct model_row, latency_p99_ms)},
        {"latency_p999_ms", offsetof(struct model_row, latency_p999_ms)},
        {"latency_max_ms", offsetof(struct model_row, latency_max_ms)},
        {"utilization", offsetof(struct model_row, utilization)},
        {"queue_mean", offsetof(struct model_row, queue_mean)},
    };

    for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++)
        if (strcmp(cols[i].name, name) == 0) {
            *offset = cols[i].offset;
            return 0;
        }
    for (int x = 0; x < MX_COUNT; x++)
        if (strcmp(model_extra_name((enum model_extra)x), name) == 0) {
            *offset = offsetof(struct model_row, extra) + (size_t)x * sizeof(double);
            return 0;
        }
    return -1;
}

void csv_out_record(FILE *f, const char *const *fields, size_t n) {
    for (size_t i = 0; i < n; i++) {
        if (i) fputc(',', f);
        put_text(f, fields[i]);
    }
    fputc('\n', f);
}
