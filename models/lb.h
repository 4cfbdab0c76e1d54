/*
 * lb — a load balancer: forwards each call to one of its targets and answers with the
 * target's answer. Policies: round_robin, weighted_round_robin (smooth weighted round robin:
 * each pick adds every weight to its target's credit, takes the target with the most credit
 * and charges it the total, so picks interleave instead of bunching), random,
 * least_connections (fewest calls this balancer has outstanding at the target; ties to the
 * first), power_of_two (two distinct targets at random, the one with fewer outstanding
 * calls: Mitzenmacher 2001), consistent_hash (sticky by request key on a hash ring with
 * virtual nodes: Karger et al. 1997).
 *
 * Targets are a list of component names; a name that is a service with `replicas: N` stands
 * for all N replicas. A target's weight counts for weighted_round_robin, random (picked with
 * probability proportional to weight) and consistent_hash (virtual nodes in proportion).
 *
 * Scenario keys: docs/scenario.md, "load_balancer".
 */
#ifndef ARCHSIM_LB_H
#define ARCHSIM_LB_H

#include "model.h"

extern const struct model_ops lb_ops;

enum lb_policy {
    LB_ROUND_ROBIN,
    LB_WEIGHTED_ROUND_ROBIN,
    LB_RANDOM,
    LB_LEAST_CONNECTIONS,
    LB_POWER_OF_TWO,
    LB_CONSISTENT_HASH
};

/* Introspection (c must be a load balancer). */
enum lb_policy lb_policy(const struct comp *c);
/* Targets and their long-run share of calls under the policy (weights count for
 * weighted_round_robin, random and consistent_hash; the others share equally). Fills up to
 * max, returns the total. */
size_t lb_targets(const struct comp *c, struct comp **out, double *share, size_t max);

#endif
