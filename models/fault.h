/*
 * fault — the scenario's `failures:` list: scheduled crashes, recoveries, slow-downs, cache
 * flushes, partitions inside a component (replica sets), cut links and lossy links between
 * components, and random crash/repair cycles (MTBF/MTTR distributions).
 *
 * Each entry becomes events at its time; an entry with `for: D` undoes itself D later. Actions
 * on components go through net_control (so they are validated against the kind when the
 * scenario loads, and logged when they happen); link faults are checked on every call by
 * net_send while any is active.
 *
 * Targets: a component name, a group (a service with replicas: every replica), or
 * "component.part" where the kind has parts ("db.primary", "db.replica[2]").
 *
 * Scenario keys: docs/scenario.md, "failures".
 */
#ifndef ARCHSIM_FAULT_H
#define ARCHSIM_FAULT_H

#include "model.h"

struct fault_plan;

/* Parse and validate the `failures:` list (targets resolved, actions checked against each
 * kind). NULL with a located err. */
struct fault_plan *fault_plan_new(struct net *net, const struct scn_node *list, const char *dir,
                                  struct err *err);

/* Schedule the plan's events (call once, from net_start). */
void fault_plan_start(struct fault_plan *p);

/* NULL ok. */
void fault_plan_free(struct fault_plan *p);

/* 1 when a call from `from` (NULL: the workload) to `to` is lost on a cut or lossy link now. */
int fault_link_blocks(struct fault_plan *p, struct sim *sim, const struct comp *from,
                      const struct comp *to);

#endif
