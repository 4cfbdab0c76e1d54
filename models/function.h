/*
 * function — a serverless function: up to `concurrency` instances, each serving one call at
 * a time. A call takes the most recently used warm idle instance; when none is idle and the
 * limit allows, a new instance starts and the call waits a cold start first; at the limit the
 * call is throttled (rejected) or queued. An idle instance stays warm for `keep_warm`, then
 * goes away. Billing per invocation: price_per_request, plus the execution time (rounded up
 * to 1 ms, cold start not billed) × memory × price_per_gb_s.
 *
 * Rejected: a pool of always-warm instances (no cold starts, so nothing to learn), and
 * reusing the least recently used idle instance (providers reuse the most recent one, which
 * lets the others expire).
 *
 * Scenario keys: docs/scenario.md, "function".
 */
#ifndef ARCHSIM_FUNCTION_H
#define ARCHSIM_FUNCTION_H

#include "model.h"

extern const struct model_ops function_ops;

#endif
