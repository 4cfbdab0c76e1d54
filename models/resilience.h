/*
 * resilience — the calling side of any call: timeout, retries with backoff and jitter, a
 * retry budget, and a circuit breaker. One path for every caller (workload classes, a
 * service's downstream calls), so the same keys mean the same thing everywhere.
 *
 * A caller owns a struct res_edge (its policy and run-time state) and sends through
 * res_send instead of net_send. Each attempt is an ordinary call with the policy's timeout;
 * a failed attempt whose status is retryable is sent again after a backoff, while the
 * attempt budget and the retry budget allow; the caller's continuation runs once, with the
 * last attempt's call (its ctx and tag restored to the caller's).
 *
 * Backoff (Brooker 2015, "Exponential Backoff And Jitter", AWS Architecture Blog): constant
 * b = base, or exponential b = min(cap, base · 2^(n−1)) before retry n; jitter none (sleep b),
 * full (uniform in [0, b]), equal (b/2 + uniform in [0, b/2]) or decorrelated
 * (min(cap, uniform in [base, 3 · previous sleep]).
 *
 * Retry budget: a token bucket that earns `retry_budget` tokens per first attempt (capped at
 * 10 + 100 × retry_budget tokens) and spends one per retry, so retries stay under that
 * fraction of requests in the long run (the scheme of Finagle's RetryBudget, written here).
 *
 * Circuit breaker: closed → open when, over the last `window`, at least `min_requests` calls
 * were made and the error fraction reached `error_threshold`; open → half-open after
 * `open_for`; half-open lets `probes` calls through: all succeed → closed, any fails → open.
 * While open, calls fail at once with CALL_UNAVAILABLE and are not sent. State changes are
 * logged. The window is counted in 10 buckets of window/10 (a sliding window of that
 * resolution).
 *
 * Scenario keys: docs/scenario.md, "resilience".
 */
#ifndef ARCHSIM_RESILIENCE_H
#define ARCHSIM_RESILIENCE_H

#include <stdint.h>

#include "model.h"

enum res_backoff { RES_BACKOFF_CONSTANT, RES_BACKOFF_EXPONENTIAL };
enum res_jitter { RES_JITTER_NONE, RES_JITTER_FULL, RES_JITTER_EQUAL, RES_JITTER_DECORRELATED };
enum res_breaker_state { RES_CLOSED, RES_OPEN, RES_HALF_OPEN };

#define RES_WINDOW_BUCKETS 10

/* A caller's policy, from scenario keys. Value struct. */
struct res_policy {
    int64_t timeout_ns; /* 0: none */
    int max_attempts;   /* 1 + retries */
    enum res_backoff backoff;
    int64_t base_ns, cap_ns; /* backoff base and cap */
    enum res_jitter jitter;
    double budget;          /* retry budget as a fraction of requests; < 0: none */
    unsigned retry_on;      /* bit (1 << status) for each retryable enum call_status */
    int breaker;            /* a circuit breaker is configured */
    double error_threshold; /* fraction */
    int64_t window_ns, open_ns;
    int min_requests, probes;
};

/* Keys res_policy_parse understands (NULL-terminated), for the caller's scn_check_keys. */
extern const char *const res_keys[];

/* Defaults: no timeout, 1 attempt, exponential backoff 10 ms .. 1 s, no jitter, no budget,
 * retry on timeout/unavailable/error, no breaker. */
void res_policy_default(struct res_policy *p);

/* Read the resilience keys present in map (others are ignored) into p (which holds the
 * defaults, or a parent's policy to inherit from). -1 with a located err. */
int res_policy_parse(const struct scn_node *map, struct res_policy *p, struct err *err);

/* 1 when the policy does anything (timeout, retries or breaker). */
int res_policy_active(const struct res_policy *p);

/* Run-time state of one caller edge. */
struct res_edge {
    struct res_policy p;
    struct net *net;
    const struct comp *owner; /* for the event log; NULL for the workload */
    const char *label;        /* e.g. "db" or "class read": names the edge in the log */
    struct rng rng;
    struct pool *attempts;
    double tokens;
    enum res_breaker_state state;
    int64_t open_until_ns;
    int probes_out, probes_ok;
    uint64_t win_req[RES_WINDOW_BUCKETS], win_err[RES_WINDOW_BUCKETS];
    int64_t win_bucket; /* index of the current bucket (time / bucket width) */
    /* counters since warm-up and in the current interval */
    uint64_t retries, i_retries;
    uint64_t denied, i_denied;         /* retries refused by the budget */
    uint64_t fast_fails, i_fast_fails; /* calls refused by an open breaker */
};

/* Set up e (copies p). owner may be NULL; label is borrowed (must outlive e). */
void res_edge_init(struct res_edge *e, const struct res_policy *p, struct net *net,
                   const struct comp *owner, const char *label);
void res_edge_free(struct res_edge *e);
/* Restart the counters: the interval ones (run = 0) or all (run = 1, end of warm-up). */
void res_edge_restart(struct res_edge *e, int run);

/* Send req from `from` (NULL: the workload) to `to` under the edge's policy; done(ctx) runs
 * once with the final attempt's call (call->ctx == ctx, call->tag == tag). */
void res_send(struct sim *sim, struct res_edge *e, struct req *req, struct comp *from,
              struct comp *to, call_done_fn *done, void *ctx, uint32_t tag);

/* Human-readable summary of the policy for `archsim check`. */
void res_policy_describe(const struct res_policy *p, char *buf, size_t n);

#endif
