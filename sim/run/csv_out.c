/* csv_out — summary.csv and timeseries.csv writers; see csv_out.h and docs/csv.md. */
#include "csv_out.h"

#include <csv.h>
#include <inttypes.h>
#include <math.h>
#include <stddef.h>
#include <string.h>

static const char summary_header[] =
    "scenario,replication,seed,component,kind,arrivals,completions,rejected,errors,in_flight,"
    "throughput_rps,goodput_rps,error_rate,latency_mean_ms,latency_p50_ms,latency_p90_ms,"
    "latency_p99_ms,latency_p999_ms,latency_max_ms,utilization,queue_mean,events,sim_time_s,"
    "wall_s,partial,"
    "throughput_rps_ci95,latency_mean_ms_ci95,latency_p99_ms_ci95,utilization_ci95\n";

static const char timeseries_header[] =
    "scenario,replication,seed,t_start_s,t_end_s,in_warmup,partial,component,kind,arrivals,"
    "completions,"
    "rejected,errors,in_flight,throughput_rps,goodput_rps,error_rate,latency_mean_ms,"
    "latency_p50_ms,"
    "latency_p90_ms,latency_p99_ms,latency_p999_ms,latency_max_ms,utilization,queue_mean\n";

/* The kind-specific columns (enum model_extra), appended to both files' rows. */
static void put_extra_header(FILE *f)
{
    for (int x = 0; x < MX_COUNT; x++)
        fprintf(f, ",%s", model_extra_name((enum model_extra)x));
    fputc('\n', f);
}

static void put_extras(FILE *f, const struct model_row *r)
{
    for (int x = 0; x < MX_COUNT; x++) {
        fputc(',', f);
        if (isfinite(r->extra[x])) fprintf(f, "%.9g", r->extra[x]);
    }
    fputc('\n', f);
}

void csv_out_summary_header(FILE *f)
{
    fwrite(summary_header, 1, sizeof summary_header - 2, f); /* without the newline */
    put_extra_header(f);
}

void csv_out_timeseries_header(FILE *f)
{
    fwrite(timeseries_header, 1, sizeof timeseries_header - 2, f);
    put_extra_header(f);
}

static void put_text(FILE *f, const char *s)
{
    if (strpbrk(s, ",\"\r\n"))
        csv_fwrite(f, s, strlen(s));
    else
        fputs(s, f);
}

static void put_num(FILE *f, double v)
{
    fputc(',', f);
    if (isfinite(v)) fprintf(f, "%.9g", v);
}

static void put_u64(FILE *f, uint64_t v)
{
    fprintf(f, ",%" PRIu64, v);
}

static void put_row_metrics(FILE *f, const struct model_row *r)
{
    fputc(',', f);
    put_text(f, r->component);
    fputc(',', f);
    put_text(f, r->kind);
    put_u64(f, r->arrivals);
    put_u64(f, r->completions);
    put_u64(f, r->rejected);
    put_u64(f, r->errors);
    put_u64(f, r->in_flight);
    put_num(f, r->throughput_rps);
    put_num(f, r->goodput_rps);
    put_num(f, r->error_rate);
    put_num(f, r->latency_mean_ms);
    put_num(f, r->latency_p50_ms);
    put_num(f, r->latency_p90_ms);
    put_num(f, r->latency_p99_ms);
    put_num(f, r->latency_p999_ms);
    put_num(f, r->latency_max_ms);
    put_num(f, r->utilization);
    put_num(f, r->queue_mean);
}

void csv_out_summary_rep(FILE *f, const char *scenario, const struct run_rep *rep)
{
    for (size_t i = 0; i < rep->nrows; i++) {
        const struct model_row *r = &rep->rows[i];
        int total = i + 1 == rep->nrows;

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
        put_extras(f, r);
    }
}

void csv_out_rep_stat(const struct run_rep *reps, size_t n, size_t i, size_t offset, double *mean,
                      double *half)
{
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

void csv_out_summary_mean(FILE *f, const char *scenario, const struct run_rep *reps, size_t n)
{
    static const size_t fields[] = {
        offsetof(struct model_row, throughput_rps),  offsetof(struct model_row, goodput_rps),
        offsetof(struct model_row, error_rate),
        offsetof(struct model_row, latency_mean_ms), offsetof(struct model_row, latency_p50_ms),
        offsetof(struct model_row, latency_p90_ms),  offsetof(struct model_row, latency_p99_ms),
        offsetof(struct model_row, latency_p999_ms), offsetof(struct model_row, latency_max_ms),
        offsetof(struct model_row, utilization),     offsetof(struct model_row, queue_mean),
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
        double sim_s = 0, wall_s = 0;
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
            partial |= reps[k].partial;
        }
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
        {
            /* Extras: the mean over replications. */
            struct model_row m = reps[0].rows[i];
            for (int x = 0; x < MX_COUNT; x++)
                csv_out_rep_stat(reps, n, i, offsetof(struct model_row, extra) + (size_t)x * sizeof(double),
                                 &m.extra[x], &half);
            put_extras(f, &m);
        }
    }
}

void csv_out_timeseries_rows(FILE *f, const char *scenario, unsigned replication, uint64_t seed,
                             int64_t t_start_ns, int64_t t_end_ns, unsigned flags,
                             const struct model_row *rows, size_t nrows)
{
    for (size_t i = 0; i < nrows; i++) {
        put_text(f, scenario);
        fprintf(f, ",%u,%" PRIu64, replication, seed);
        put_num(f, (double)t_start_ns / 1e9);
        put_num(f, (double)t_end_ns / 1e9);
        fprintf(f, ",%d,%d", (flags & NET_ROW_WARMUP) != 0, (flags & NET_ROW_PARTIAL) != 0);
        put_row_metrics(f, &rows[i]);
        put_extras(f, &rows[i]);
    }
}

void csv_out_events_header(FILE *f)
{
    fputs("scenario,replication,seed,t_s,component,event,detail\n", f);
}

void csv_out_event(FILE *f, const char *scenario, unsigned replication, uint64_t seed,
                   const struct net_event *ev)
{
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
