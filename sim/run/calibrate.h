/*
 * calibrate — fit a component's service-time distribution to a low-load measurement, for
 * `archsim calibrate`: from the mean and percentiles of a summary.csv row (archload's or
 * archsim's schema), minus the network overhead measured by a near-zero-work request.
 *
 * Design: archload writes no per-request samples (its summary has mean, p50, p90, p99 and
 * p99.9; --hdr-log holds compressed histograms), so the fit is by moments and quantiles:
 * - exponential by the mean;
 * - lognormal with the measured mean and the sigma that fits the log quantiles best (least
 *   squares over p50, p90, p99, p99.9 where enough samples lie beyond them), reported as
 *   lognormal(mean, p99) of the fitted distribution; it needs 1 < p99/mean < 14.97.
 * Each candidate is judged by its maximum relative quantile error: max over the measured
 * p50, p90, p99, p99.9 of |q_model(p) - q_measured(p)| / q_measured(p). The smaller wins.
 * (Both match the mean by construction; the exponential has no second parameter to fit the
 * quantiles with.) A quantile p is used (in the fit and the judgement) only
 * when at least 10 samples lie beyond it, n (1 - p) >= 10: a p99.9 from 2000 requests is
 * the second-largest sample, noise rather than shape.
 * The overhead (loopback, client and server I/O: what a request that does no work costs) is
 * taken as a constant and subtracted from the mean and every percentile. That is exact for
 * the mean; for percentiles it assumes the overhead varies little next to the service time
 * (quantiles of a sum are not sums of quantiles), which holds at low load on loopback
 * (overhead ~0.1-0.3 ms, spread mostly below that, against service times of milliseconds).
 * The run being at low load means queueing is negligible (with c workers at utilization
 * 0.1, an M/M/c arrival waits with probability well below 1 %), so latency - overhead is
 * the service time.
 *
 * The wake-up (run_cal_split): a request that finds a worker idle waits for that worker to
 * wake before its service starts, and the worker serves nobody meanwhile, so the model carries
 * it as the service's `wakeup` (capacity), not as a constant delay. At low load every request
 * finds a worker idle, the zero-work ones too: the overhead contains one wake-up, the work
 * requests' latency one. So the service time is latency - overhead as before (the wake-ups
 * cancel), the model's wakeup is the measured one, and the constant the model still lacks is
 * overhead - wakeup (compare's --wakeup subtracts it). Without an overhead the wake-up is the
 * only known part of the latency that is not service: service = latency - wakeup.
 *
 * Rejected: a Kolmogorov-Smirnov statistic (needs the samples, which archload does not
 * write; KS against five quantiles would just be the quantile error in probability units);
 * maximum likelihood on binned percentiles (five points do not justify it); subtracting
 * the overhead's quantile from each quantile (not a property of sums, and it over-corrects
 * the tail).
 */
#ifndef ARCHSIM_CALIBRATE_H
#define ARCHSIM_CALIBRATE_H

#include <stddef.h>

#include "err.h"

/* Quantiles of the calibration's percentiles, in this order. */
#define RUN_CAL_NQ 4
extern const double run_cal_probs[RUN_CAL_NQ]; /* 0.5, 0.9, 0.99, 0.999 */

/* A measured latency summary, ms. NAN: not measured (then it is not used). */
struct run_cal_meas {
    double n; /* completions behind the figures; 0: unknown (every quantile is used) */
    double mean;
    double q[RUN_CAL_NQ]; /* p50, p90, p99, p99.9 */
};

enum run_cal_kind { RUN_CAL_EXP, RUN_CAL_LOGNORMAL, RUN_CAL_NKINDS };

/* One candidate's fit. */
struct run_cal_fit {
    enum run_cal_kind kind;
    int ok; /* 0: this candidate cannot fit (reason in why) */
    char why[128];
    double mean, p99;       /* ms: fitted parameters (exponential: p99 = mean ln 100) */
    double q[RUN_CAL_NQ];   /* ms: the model's quantiles at run_cal_probs */
    double rel[RUN_CAL_NQ]; /* (model - measured) / measured; NAN where not measured */
    double max_rel;         /* max |rel|: the goodness-of-fit statistic, lower is better */
};

struct run_cal_result {
    struct run_cal_meas service; /* measured minus overhead, ms */
    struct run_cal_fit fits[RUN_CAL_NKINDS];
    int best; /* index into fits */
};

/* "exponential", "lognormal". */
const char *run_cal_kind_name(enum run_cal_kind k);

/* Read component's row (typically "total") of a summary.csv into out. With several
 * replications, the means over them (n: the completions summed over them). Returns 0, or -1 with
 * err: unreadable or malformed file (see compare.h), no such component, no mean latency. */
int run_cal_read(const char *path, const char *component, struct run_cal_meas *out,
                 struct err *err);

/* Fit exponential and lognormal to meas minus overhead_ms (>= 0, a constant shift of the
 * mean and of every percentile). Returns 0 and fills out, or -1 with err when the shifted
 * mean is not positive (the overhead is as large as the latency). The exponential always
 * fits; fits[RUN_CAL_LOGNORMAL].ok says whether the lognormal did. */
int run_cal_fit(const struct run_cal_meas *meas, double overhead_ms, struct run_cal_result *out,
                struct err *err);

/* Split a low-load latency when the server's idle workers take wakeup_ms (>= 0) to start a
 * request (see the file comment). have_overhead: overhead_ms (>= 0) is a zero-work request's
 * mean latency, which contains one wake-up. Sets *shift_ms, what run_cal_fit subtracts from the
 * latency to leave the service time (overhead_ms, or wakeup_ms without an overhead), and
 * *add_ms, the constant to add to the simulated latencies of a model that carries the wake-up
 * (overhead_ms - wakeup_ms, or 0). Returns 0, or -1 with err when the overhead is below the
 * wake-up it contains. */
int run_cal_split(int have_overhead, double overhead_ms, double wakeup_ms, double *shift_ms,
                  double *add_ms, struct err *err);

/* The scenario value of fit, e.g. "lognormal(mean=1.93ms, p99=9.71ms)" or "exp(2ms)", into
 * buf (size n, NUL-terminated). Returns buf. */
char *run_cal_dist_text(const struct run_cal_fit *fit, char *buf, size_t n);

#endif
