/*
 * schedule — the open model's send schedule: the intended send time of request i, for a
 * constant or Poisson arrival process whose rate holds or ramps linearly through phases.
 *
 * Design: let L(t) be the integrated rate (expected arrivals in [0, t)); piecewise quadratic
 * over the phases. Request i is intended at t_i = L^-1(u_i), with u_i = i for a constant
 * schedule (evenly spaced in expected arrivals: exactly i / R at a fixed rate R, first at 0)
 * and u_i = E_1 + ... + E_(i+1), E_k unit exponentials from the PCG32 stream ("archload",
 * "arrivals") of the seed, for Poisson (the time change theorem: a unit-rate Poisson process
 * mapped through L^-1 is the non-homogeneous Poisson process of rate r(t)). The schedule is
 * therefore a pure function of (seed, index): the same seed gives the same times whatever the
 * number of threads, segments or machines.
 *
 * Sharing: request i belongs to segment i mod N (`--segment I/N`) and, within the segment, to
 * share (i div N) mod T (thread T of the process). The union of the N segments (or the T
 * shares) is exactly the whole schedule, and each part keeps its exact intended times, so
 * `--rate 10 --threads 4` sends 10/s in total, and segments run on different machines merge
 * into the unsegmented run. A constant schedule jumps straight to its next index; a Poisson
 * schedule walks every index (one exponential draw each) and keeps its own.
 *
 * Inversion in a phase of duration D from rate a to rate b at offset x into the phase:
 * L = a x + (b - a) x^2 / (2 D); x = 2 u / (a + sqrt(a^2 + 2 (b - a) u / D)), the form of the
 * quadratic root that does not cancel when b is close to a (and handles a = 0).
 *
 * Rejected: a per-thread rate R/T (wrk2's choice: the total depends on how many threads run,
 * and threads' Poisson streams overlap arbitrarily); Poisson by thinning (Lewis-Shedler,
 * archsim's choice: fine sequentially, but the number of uniform draws per arrival varies, so
 * the index-to-time map depends on the majorant); precomputed arrays of times (memory grows
 * with the run).
 */
#ifndef ARCHSIM_SCHED_H
#define ARCHSIM_SCHED_H

#include <stddef.h>
#include <stdint.h>

/* One phase: the rate goes linearly from from_per_s to to_per_s over duration_ns. The last
 * phase may have duration 0: it then lasts for ever at from_per_s. */
struct sched_phase {
    int64_t duration_ns;         /* > 0, or 0 in the last phase */
    double from_per_s, to_per_s; /* >= 0, finite */
};

struct sched_config {
    int poisson; /* 0: constant spacing, 1: Poisson */
    uint64_t seed;
    const struct sched_phase *phases; /* borrowed, must outlive the schedule; nphases >= 1.
                                       * After a last phase with a duration, its final rate
                                       * (to_per_s) holds for ever. */
    size_t nphases;
    int64_t end_ns; /* only times < end_ns (relative to the start); 0: no time limit */
    uint64_t count; /* only indices < count; 0: no limit (end_ns or count must be set) */
    unsigned seg_index, seg_count;     /* segment I of N, N >= 1 */
    unsigned share_index, share_count; /* thread share T of S, S >= 1 */
};

struct sched;

/* A schedule positioned before its first request. The config (not the phases) is copied.
 * Never NULL. Free with sched_free. */
struct sched *sched_new(const struct sched_config *cfg);

/* Free s. NULL is a no-op. */
void sched_free(struct sched *s);

/* The next request of this segment and share: fills its global index and its intended time in
 * ns since the start, and returns 1; returns 0 when the schedule is over (end or count
 * reached, or the rate is 0 for ever). Times never decrease. */
int sched_next(struct sched *s, uint64_t *index, int64_t *t_ns);

/* Requests in the whole (unsegmented, unshared) schedule with intended time < t_ns, when that
 * is a pure function of t: the expected count L(t) for Poisson, ceil(L(t)) for constant
 * (capped by count). For reports ("scheduled so far"). */
double sched_expected(const struct sched_config *cfg, int64_t t_ns);

#endif
