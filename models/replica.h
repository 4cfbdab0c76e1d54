/*
 * replica — a replicated database (`kind: replica_set`): one primary and R replicas, each a
 * queueing station inside the component (its own workers and FIFO queue; read_time and
 * write_time service distributions), with asynchronous, synchronous or quorum replication,
 * reads from the primary, the replicas or any node (optionally quorum reads), staleness
 * measured per key, failover after a crash (detection + election, lost writes counted) and
 * CP or AP behaviour under a partition between nodes.
 *
 * Design.
 * - Nodes are stations of one component, not components of their own: replication,
 *   quorums, failover and partitions are internal protocol, and the caller sees one database
 *   (as a client driver does). Node 0 starts as the primary; "replica[i]" is node i.
 * - Work is a job at a node (pooled): a client write at the primary, a replication apply at a
 *   replica (after a transit lag drawn per replica, then the node's queue and write_time), or
 *   a read at a node. An operation (pooled) ties a client call to its jobs and answers it
 *   when its quorum of jobs has finished.
 * - Versions: every write gets the key's next version when the primary applies it; a node
 *   applies a replicated write only if it is newer than what it has (a late, older write
 *   changes nothing: last writer wins by version). A write is committed when acknowledged.
 *   A read returns the newest version among its answers; it is stale when that is older than
 *   the latest version committed before the read arrived. Stale age: the read's answer time
 *   minus the commit time of that latest committed version.
 * - Per-key state lives in an open-addressing hash table holding only keys that were written:
 *   per key the last assigned and committed versions, the commit time (32 bytes) and one
 *   applied version per node (8 bytes each): 32 + 8 (R + 1) bytes per distinct key written,
 *   times 1.4 to 2.9 for the table's load factor (doubled at 70 %). Reads never insert.
 * - Failover: when the primary crashes (or, under cp, is cut off from a majority), writes
 *   fail; after `detection` the failure is noticed and after `election` more the live node
 *   missing the fewest acknowledged writes is promoted. Replication still in transit or in a
 *   replica's queue when the primary crashes is lost with it; acknowledged writes the new
 *   primary never applied are counted as lost, and every live node on its side is resynced
 *   to it (rolled back or caught up: instantly, an idealisation). A node that recovers, or
 *   rejoins when a partition heals, is resynced to the primary the same way.
 * - Partitions cut nodes from each other, never clients from nodes. Under cp a node that
 *   cannot reach a majority of the R + 1 nodes refuses reads and writes (errors), and a write
 *   or read that cannot gather its quorum fails; under ap they are served with what is
 *   reachable (a write acknowledged with fewer acknowledgements than required, or by a
 *   primary cut off from a majority, is counted as divergent).
 *
 * Rejected: one component per node with the database logic in a coordinator kind (every
 * protocol step would become a call with its own metrics row, and partitions inside a
 * component could not be expressed); a version table indexed by key (O(keyspace) memory for
 * Zipf keyspaces of 10^9 keys); logs of every write per node for catch-up (memory grows with
 * the downtime; an instant resync gives the same end state).
 *
 * Parts (failures): "primary" (the current primary; for recover and restore, the node that
 * was primary when it crashed or was slowed), "replica[i]" (node i, 1 ≤ i ≤ R), "node[k]"
 * (node k, 0 ≤ k ≤ R; node[0] is the first primary). Whole component: crash, recover, slow.
 *
 * Scenario keys, metrics and semantics: docs/scenario.md, "replica_set", and docs/csv.md.
 */
#ifndef ARCHSIM_REPLICA_H
#define ARCHSIM_REPLICA_H

#include "model.h"

/* The kind's ops: create, resolve, receive, downstream, describe, destroy, control, extras,
 * restart (model.h). */
extern const struct model_ops replica_set_ops;

/* Introspection for `archsim check`, tests and the dashboard (c must be a replica_set). */

/* Index of the current primary node (0 = the first primary, i = replica[i]), or -1 while
 * there is none (between a crash and the promotion). */
int replica_primary(const struct comp *c);

/* Number of nodes, R + 1. */
unsigned replica_nodes(const struct comp *c);

/* Distinct keys written so far (entries of the version table). */
size_t replica_keys(const struct comp *c);

#endif
