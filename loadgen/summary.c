/* summary — archload's printed report and CSV rows; see summary.h. */
#include "summary.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "units.h"

void summary_rows(const struct plan *p, const struct tally *cls, const struct tally *total,
                  const uint64_t *in_flight, uint64_t in_flight_total, double seconds,
                  struct model_row *rows) {
    int named = !(p->nclasses == 1 && strcmp(p->classes[0].name, p->component) == 0);

    for (size_t c = 0; c < p->nclasses; c++)
        tally_row(&cls[c], p->classes[c].name,
                  named    ? "class"
                  : p->tls ? "https"
                           : "http",
                  seconds, in_flight[c], &rows[c]);
    tally_row(total, "total", "workload", seconds, in_flight_total, &rows[p->nclasses]);
}

static void num(FILE *f, int width, double v, int prec) {
    if (isfinite(v))
        fprintf(f, " %*.*f", width, prec, v);
    else
        fprintf(f, " %*s", width, "-");
}

void summary_plan(FILE *f, const struct plan *p) {
    char a[80], b[40];

    fprintf(f, "%s: %s, ", p->name, p->url);
    if (p->open) {
        const struct sched_phase *ph = &p->phases[0];
        fprintf(f, "open model, %s ", p->poisson ? "poisson" : "constant");
        if (p->nphases == 1 && ph->duration_ns == 0)
            fprintf(f, "%s", units_format_rate(ph->from_per_s, a, sizeof a));
        else
            fprintf(f, "%zu phases", p->nphases);
        fprintf(f, ", connections up to %u", p->connections);
    } else {
        fprintf(f, "closed model, connections %u", p->connections);
        if (p->has_think) fprintf(f, ", think %s", dist_describe(&p->think, a, sizeof a));
    }
    fprintf(f, ", threads %u", p->threads < p->connections ? p->threads : p->connections);
    if (p->duration_ns) fprintf(f, ", %s", units_format_duration(p->duration_ns, a, sizeof a));
    if (p->count) fprintf(f, ", %" PRIu64 " requests", p->count);
    if (p->warmup_ns)
        fprintf(f, " (warm-up %s excluded)", units_format_duration(p->warmup_ns, a, sizeof a));
    fprintf(f, ", timeout %s, seed %" PRIu64, units_format_duration(p->timeout_ns, b, sizeof b),
            p->seed);
    if (p->seg_count > 1) fprintf(f, ", segment %u/%u", p->seg_index, p->seg_count);
    fputc('\n', f);
    if (p->has_keys) fprintf(f, "  keys: %s\n", keydist_describe(&p->keys, a, sizeof a));
    for (size_t c = 0; c < p->nclasses; c++) {
        const struct http_tmpl *t = p->classes[c].tmpl;
        if (p->nclasses > 1)
            fprintf(f, "  %s (weight %.3g): %s", p->classes[c].name, p->classes[c].weight,
                    http_tmpl_describe(t));
        else
            fprintf(f, "  request: %s", http_tmpl_describe(t));
        for (size_t h = 0; h < http_tmpl_nheaders(t); h++)
            fprintf(f, "%s%s", h ? ", " : "  [", http_tmpl_header_display(t, h));
        if (http_tmpl_nheaders(t)) fputc(']', f);
        if (p->body_len) fprintf(f, "  body %zu bytes", p->body_len);
        fputc('\n', f);
    }
}

void summary_print(FILE *f, const struct plan *p, const struct engine_result *r,
                   const struct model_row *rows) {
    const struct tally *t = &r->total;
    uint64_t sent = t->arrivals;
    int any = 0;

    summary_plan(f, p);
    fprintf(f, "%.3f s measured", (double)r->measured_ns / 1e9);
    if (r->stopped == 1)
        fprintf(f, " — STOPPED early (%s); in-flight requests were awaited",
                r->stopped_by_hook ? "a threshold failed" : "interrupted");
    if (r->stopped == 2)
        fprintf(f, " — ABORTED (second interrupt): in-flight requests not awaited");
    fputc('\n', f);
    fprintf(f, "%-21s %-8s %9s %9s %7s %7s %9s %10s %8s %8s %8s %8s %8s %8s\n", "component", "kind",
            "sent", "done", "reject", "errors", "in_flight", "rps", "mean_ms", "p50_ms", "p90_ms",
            "p99_ms", "p99.9_ms", "max_ms");
    for (size_t i = 0; i <= p->nclasses; i++) {
        const struct model_row *m = &rows[i];
        fprintf(f, "%-21s %-8s %9" PRIu64 " %9" PRIu64 " %7" PRIu64 " %7" PRIu64 " %9" PRIu64,
                m->component, m->kind, m->arrivals, m->completions, m->rejected, m->errors,
                m->in_flight);
        num(f, 10, m->throughput_rps, 1);
        num(f, 8, m->latency_mean_ms, 3);
        num(f, 8, m->latency_p50_ms, 3);
        num(f, 8, m->latency_p90_ms, 3);
        num(f, 8, m->latency_p99_ms, 3);
        num(f, 8, m->latency_p999_ms, 3);
        num(f, 8, m->latency_max_ms, 3);
        fputc('\n', f);
    }
    if (hist_count(t->lat) == 0) {
        fprintf(f, "latency: no samples (no request succeeded)\n");
    } else {
        static const double pc[] = {50, 90, 99, 99.9};
        int64_t v[4];
        hist_percentiles(t->svc, pc, 4, v);
        fprintf(f,
                "service time (send to response, not corrected for coordinated omission): "
                "mean %.3f ms, p50 %.3f, p90 %.3f, p99 %.3f, p99.9 %.3f, max %.3f\n",
                hist_mean(t->svc) / 1e6, (double)v[0] / 1e6, (double)v[1] / 1e6, (double)v[2] / 1e6,
                (double)v[3] / 1e6, (double)hist_max(t->svc) / 1e6);
    }
    fprintf(f, "status codes:");
    for (int s = 1; s < TALLY_NSTATUS; s++)
        if (t->status[s]) {
            fprintf(f, " %d x%" PRIu64, s, t->status[s]);
            any = 1;
        }
    if (t->status[0]) {
        fprintf(f, " other x%" PRIu64, t->status[0]);
        any = 1;
    }
    fprintf(f, "%s\n", any ? "" : " none");
    if (t->errors || t->rejected) {
        fprintf(f, "errors:");
        for (int k = 0; k < TALLY_NERR; k++)
            if (t->err[k]) fprintf(f, " %s %" PRIu64, tally_err_name((enum tally_err)k), t->err[k]);
        if (t->rejected) fprintf(f, " rejected(429/503) %" PRIu64, t->rejected);
        fputc('\n', f);
        for (int k = 0; k < TALLY_NERR; k++)
            if (t->err[k] && r->first_error[k][0])
                fprintf(f, "  first %s error: %s\n", tally_err_name((enum tally_err)k),
                        r->first_error[k]);
        if (hist_count(t->fail))
            fprintf(f, "  failed requests' latency: mean %.3f ms, max %.3f ms\n",
                    hist_mean(t->fail) / 1e6, (double)hist_max(t->fail) / 1e6);
    }
    fprintf(f, "connections: %" PRIu64 " opened (cap %u); response bodies %" PRIu64 " bytes",
            t->connects, r->connections, t->body_bytes);
    if (t->retries)
        fprintf(f, "; %" PRIu64 " request(s) resent after an idle keep-alive connection closed",
                t->retries);
    fputc('\n', f);
    if (p->open && t->lag_n)
        fprintf(f,
                "schedule lag: %" PRIu64 " of %" PRIu64 " answered requests (%.3f %%) first "
                "written more than 1 ms after their intended time (longest %.3f ms)\n",
                t->late, t->lag_n, 100.0 * (double)t->late / (double)t->lag_n,
                (double)t->lag_max_ns / 1e6);
    if (t->held)
        fprintf(f,
                "held back: %" PRIu64 " request(s) waited for a free connection (longest %.3f ms): "
                "the --connections cap (%u) held the rate back; the wait is in their latency\n",
                t->held, (double)t->held_max_ns / 1e6, r->connections);
    fprintf(f,
            "sent %" PRIu64 " = %" PRIu64 " completed + %" PRIu64 " rejected + %" PRIu64
            " errors + %" PRIu64 " in flight",
            sent, t->completions, t->rejected, t->errors, r->in_flight_total);
    if (r->unsent) fprintf(f, " (%" PRIu64 " of them never sent: no free connection)", r->unsent);
    if (p->warmup_ns) fprintf(f, " (after warm-up; in flight counts the whole run)");
    fputc('\n', f);
}

void summary_spectrum(FILE *f, const char *title, const struct hist *h) {
    static const double levels[] = {50, 75, 90, 99, 99.9, 99.99, 99.999, 100};
    int64_t v[8];
    struct hist_iter it = {0, 0, 0, 0};
    uint64_t total = hist_count(h), cum = 0;
    double to = 0;
    const int ticks = 5; /* per half distance, as wrk2 and HdrHistogram's default output */

    fprintf(f, "  Latency Distribution (HdrHistogram - %s)\n", title);
    if (total == 0) {
        fprintf(f, "  no samples\n");
        return;
    }
    hist_percentiles(h, levels, 8, v);
    for (int i = 0; i < 8; i++)
        fprintf(f, "%7.3f%% %10.3fms\n", levels[i], (double)v[i] / 1e6);
    fprintf(f, "\n  Detailed Percentile spectrum:\n");
    fprintf(f, "       Value   Percentile   TotalCount 1/(1-Percentile)\n\n");
    /* HdrHistogram's percentile iterator: report each level `to` at the first bucket whose
     * cumulative share reaches it, then move `to` forward by 100 / (ticks * 2^(floor(log2(100 /
     * (100 - to))) + 1)); the last bucket reports once, then 100 %. */
    while (hist_next(h, &it)) {
        cum += it.count;
        for (;;) {
            double cur = 100.0 * (double)cum / (double)total;
            double inv;
            int64_t half;
            if (to > cur) break;
            inv = to < 100 ? 1.0 / (1.0 - to / 100.0) : INFINITY;
            if (isinf(inv))
                fprintf(f, "%12.3f %12.6f %12" PRIu64 "\n", (double)it.hi / 1e6, to / 100, cum);
            else
                fprintf(f, "%12.3f %12.6f %12" PRIu64 " %12.2f\n", (double)it.hi / 1e6, to / 100,
                        cum, inv);
            if (to >= 100 || cum == total) break; /* the last bucket reports once */
            half = (int64_t)pow(2, (double)((int64_t)(log(100 / (100.0 - to)) / log(2)) + 1));
            to += 100.0 / (double)(ticks * half);
        }
    }
    fprintf(f, "%12.3f %12.6f %12" PRIu64 "\n", (double)hist_max(h) / 1e6, 1.0, total);
    fprintf(f, "#[Mean    = %12.3f, StdDeviation   = %12.3f]\n", hist_mean(h) / 1e6,
            hist_stddev(h) / 1e6);
    fprintf(f, "#[Max     = %12.3f, Total count    = %12" PRIu64 "]\n", (double)hist_max(h) / 1e6,
            total);
    fprintf(f, "#[Buckets = %12d, SubBuckets     = %12d]\n", HIST_BUCKET_COUNT,
            HIST_SUB_BUCKET_COUNT);
}
