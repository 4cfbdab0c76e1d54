/* report — the human-readable summary table and error lines of the archsim CLI. Whether the
 * table says PARTIAL is a property of the whole run (run_reps_partial), not of the replication
 * that happens to be delivered last. */
#include <inttypes.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "csv_out.h"
#include "replicate.h"

void report_error(const struct err *err) {
    char buf[800];
    fprintf(stderr, "%s\n", err_format(err, buf, sizeof buf));
}

static void num(FILE *f, int width, double v, int prec) {
    if (isfinite(v))
        fprintf(f, " %*.*f", width, prec, v);
    else
        fprintf(f, " %*s", width, "-");
}

static void header(FILE *f, int ci) {
    fprintf(f, "%-14s %-13s %9s %9s %7s %7s %9s %8s %8s %8s %8s %8s %8s %5s %7s\n", "component",
            "kind", "arrivals", "done", "reject", "errors", "rps", "mean_ms", "p50_ms", "p90_ms",
            "p99_ms", "p99.9_ms", "max_ms", "util", "queue");
    (void)ci;
}

static void row(FILE *f, const struct model_row *r) {
    fprintf(f, "%-14s %-13s %9" PRIu64 " %9" PRIu64 " %7" PRIu64 " %7" PRIu64, r->component,
            r->kind, r->arrivals, r->completions, r->rejected, r->errors);
    num(f, 9, r->throughput_rps, 1);
    num(f, 8, r->latency_mean_ms, 3);
    num(f, 8, r->latency_p50_ms, 3);
    num(f, 8, r->latency_p90_ms, 3);
    num(f, 8, r->latency_p99_ms, 3);
    num(f, 8, r->latency_p999_ms, 3);
    num(f, 8, r->latency_max_ms, 3);
    num(f, 5, r->utilization, 2);
    num(f, 7, r->queue_mean, 2);
    fputc('\n', f);
}

void report_summary(FILE *f, const struct run_scenario *s, const struct run_rep *reps, size_t n) {
    const struct run_rep *last;
    int partial;

    if (n == 0) return;
    last = &reps[n - 1];
    partial = run_reps_partial(reps, n);
    if (n == 1) {
        /* Stopped before warm-up ended: the figures cover [0, stop), warm-up included. */
        int in_warmup = last->partial && last->sim_time_s < last->warmup_s;
        char warm[64], tail[128];
        if (in_warmup)
            snprintf(warm, sizeof warm, "stopped in warm-up: included");
        else
            snprintf(warm, sizeof warm, "warm-up %.3f s excluded", last->warmup_s);
        if (partial && last->overflowed)
            snprintf(tail, sizeof tail, " — PARTIAL (stopped: %s)",
                     net_stop_text(last->overflowed, 1));
        else
            snprintf(tail, sizeof tail, "%s", partial ? " — PARTIAL (interrupted)" : "");
        fprintf(f, "%s: seed %" PRIu64 ", %.3f s simulated (%s), %" PRIu64 " events in %.2f s%s\n",
                s->name, last->seed, last->sim_time_s, warm, last->events, last->wall_s, tail);
        header(f, 0);
        for (size_t i = 0; i < last->nrows; i++)
            row(f, &last->rows[i]);
        if (last->rows[last->nrows - 1].in_flight)
            fprintf(f, "%" PRIu64 " request(s) still in flight at the end (not counted as done)\n",
                    last->rows[last->nrows - 1].in_flight);
        return;
    }
    fprintf(f,
            "%s: %zu replications from seed %" PRIu64 ", %.3f s simulated each (warm-up %.3f s "
            "excluded)%s\n",
            s->name, n, reps[0].seed, reps[0].sim_time_s, (double)s->warmup_ns / 1e9,
            partial ? " — PARTIAL (interrupted)" : "");
    fprintf(f, "mean over replications ± 95%% confidence half-width (Student t, %zu d.f.)\n",
            n - 1);
    fprintf(f, "%-14s %-13s %18s %18s %18s %18s %12s\n", "component", "kind", "rps", "mean_ms",
            "p50_ms", "p99_ms", "util");
    for (size_t i = 0; i < reps[0].nrows; i++) {
        static const size_t fields[] = {
            offsetof(struct model_row, throughput_rps), offsetof(struct model_row, latency_mean_ms),
            offsetof(struct model_row, latency_p50_ms), offsetof(struct model_row, latency_p99_ms),
            offsetof(struct model_row, utilization)};
        fprintf(f, "%-14s %-13s", reps[0].rows[i].component, reps[0].rows[i].kind);
        for (size_t k = 0; k < 5; k++) {
            double mean, half;
            char buf[64];
            csv_out_rep_stat(reps, n, i, fields[k], &mean, &half);
            if (!isfinite(mean))
                snprintf(buf, sizeof buf, "-");
            else if (k == 4)
                snprintf(buf, sizeof buf, "%.3f±%.3f", mean, half);
            else
                snprintf(buf, sizeof buf, "%.3f±%.3f", mean, half);
            fprintf(f, " %*s", k == 4 ? 12 : 18, buf);
        }
        fputc('\n', f);
    }
}
