/* replica — a replicated database: primary + replicas, replication, staleness, failover,
 * partitions; see replica.h. */
#include "replica.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pool.h"
#include "xmalloc.h"

/* Node sets are 64-bit masks. */
#define REPLICA_MAX_NODES 64

static const char *const rs_keys[] = {"kind",        "replicas",   "workers",        "queue",
                                      "read_time",   "write_time", "replication",    "write_quorum",
                                      "read_quorum", "read_from",  "read_balance",   "lag",
                                      "detection",   "election",   "partition_mode", "description",
                                      NULL};
static const char *const repl_names[] = {"async", "sync", "quorum", NULL};
static const char *const from_names[] = {"primary", "replicas", "any", NULL};
static const char *const balance_names[] = {"round_robin", "random", NULL};
static const char *const pmode_names[] = {"cp", "ap", NULL};

enum repl_mode { REPL_ASYNC, REPL_SYNC, REPL_QUORUM };
enum read_from { FROM_PRIMARY, FROM_REPLICAS, FROM_ANY };
enum job_kind { J_WRITE, J_REPL, J_READ };
enum job_phase { PH_LAG, PH_QUEUED, PH_SERVICE };
/* Why a job ends unfinished: its node crashed; the node that issued it (the write's primary,
 * the read's coordinator) crashed or was deposed; a partition cut it from that node. */
enum loss { LOSS_NODE, LOSS_ORIGIN, LOSS_PARTITION };

struct op;

/* One piece of work at one node. */
struct job {
    struct job *next, *prev; /* the node's queue, or its transit/service list */
    struct job *lnext;       /* scratch list while failing jobs */
    struct op *op;
    struct sim_event *ev; /* end of the lag (PH_LAG) or of service (PH_SERVICE) */
    int64_t sent_ns;      /* J_REPL: when the primary applied the write */
    unsigned node;
    unsigned char kind, phase;
};

/* One client operation. Lives until it is answered and all its jobs have ended. */
struct op {
    struct op *next, *prev; /* live operations */
    struct call *call;      /* the client's call until answered, then NULL */
    uint64_t key;
    uint64_t version; /* write: assigned at the primary */
    uint64_t want;    /* read: latest committed version when it arrived */
    uint64_t best;    /* read: newest version among the answers */
    int64_t want_ns;  /* read: commit time of want */
    int64_t start_ns;
    uint64_t pending;    /* write: nodes with a replication job under way */
    uint64_t applied;    /* write: nodes that applied it */
    unsigned origin;     /* write: its primary; read: its coordinator */
    unsigned jobs;       /* jobs not yet ended */
    unsigned acks, need; /* write: replica acknowledgements; read: answers */
    unsigned char write, done_primary, acked, failed, reduced;
};

struct node {
    unsigned busy;
    struct job *qhead, *qtail;
    size_t qlen;
    struct job *active; /* in transit (lag) or in service */
    int down;
    int side;         /* partition side, 0 or 1 */
    double slow;      /* service-time multiplier */
    uint64_t lost_if; /* acknowledged writes it lacks and will not receive (lost if promoted) */
    /* When it was crashed / slowed through the part name "primary" (-1: not): recover and
     * restore of "primary" apply to the oldest such node, pairing each with its crash. */
    int64_t role_crash_ns, role_slow_ns;
};

/* Per-key versions; the node-applied versions are in a parallel array (stride nnodes).
 * assigned == 0 marks a free slot (an entry is made by a write, which assigns version 1). */
struct kent {
    uint64_t key;
    uint64_t assigned, committed;
    int64_t commit_ns;
};

struct counters {
    uint64_t reads, writes, stale, lost_writes, divergent, lag_n;
    double stale_age_ns, read_lat_ns, write_lat_ns, lag_ns, unavail_ns;
};

struct replica_set {
    struct comp base;
    unsigned nnodes, workers;
    long long queue_cap; /* per node, -1 unbounded */
    struct dist read_time, write_time;
    struct dist *lag; /* per replica slot 1..R (index i-1); node 0 uses slot 1 */
    size_t nlag;
    enum repl_mode mode;
    unsigned write_quorum, read_quorum;
    enum read_from from;
    int random_balance, ap;
    int64_t detection_ns, election_ns;
    struct node *nodes;
    int primary;           /* -1: none */
    unsigned last_primary; /* the primary before the current gap */
    int partitioned;
    int fo_phase; /* failover: 0 none, 1 detecting, 2 electing */
    struct sim_event *fo_ev;
    unsigned rr;
    struct op *ops;
    struct pool *job_pool, *op_pool;
    struct kent *tab;
    uint64_t *applied;
    size_t cap, count;
    size_t busy, queued; /* over all nodes */
    struct rng rng_svc, rng_lag, rng_route;
    struct counters run, iv;
    int unavail;
    int64_t unavail_mark, run_start, iv_start;
};

static struct replica_set *rs_of(const struct comp *c) {
    return (struct replica_set *)(uintptr_t)c;
}

static uint64_t bit(unsigned n) {
    return UINT64_C(1) << n;
}

/* --- the version table ----------------------------------------------------------------------- */

static size_t kprobe(const struct replica_set *rs, uint64_t key) {
    size_t i = (size_t)rng_mix64(key ^ UINT64_C(0x9e3779b97f4a7c15)) & (rs->cap - 1);

    while (rs->tab[i].assigned && rs->tab[i].key != key)
        i = (i + 1) & (rs->cap - 1);
    return i;
}

/* The entry of key, or NULL when it was never written; *slot gets its index. */
static struct kent *kfind(const struct replica_set *rs, uint64_t key, size_t *slot) {
    size_t i = kprobe(rs, key);

    if (!rs->tab[i].assigned) return NULL;
    if (slot) *slot = i;
    return &rs->tab[i];
}

static void kgrow(struct replica_set *rs) {
    struct kent *old = rs->tab;
    uint64_t *old_ap = rs->applied;
    size_t old_cap = rs->cap;

    rs->cap = old_cap ? old_cap * 2 : 64;
    rs->tab = xcalloc(rs->cap, sizeof *rs->tab);
    rs->applied = xcalloc(rs->cap * rs->nnodes, sizeof *rs->applied);
    for (size_t i = 0; i < old_cap; i++) {
        size_t j;
        if (!old[i].assigned) continue;
        j = kprobe(rs, old[i].key);
        rs->tab[j] = old[i];
        memcpy(&rs->applied[j * rs->nnodes], &old_ap[i * rs->nnodes],
               rs->nnodes * sizeof *rs->applied);
    }
    free(old);
    free(old_ap);
}

/* The slot of key, made (with no version yet) when absent; the caller assigns at once. */
static size_t kinsert(struct replica_set *rs, uint64_t key) {
    size_t i;

    if ((rs->count + 1) * 10 > rs->cap * 7) kgrow(rs);
    i = kprobe(rs, key);
    if (!rs->tab[i].assigned) {
        rs->tab[i].key = key;
        rs->count++;
    }
    return i;
}

static uint64_t *krow(const struct replica_set *rs, size_t slot) {
    return &rs->applied[slot * rs->nnodes];
}

/* Set every node of mask to from's versions (catch-up or roll-back); they lack nothing now. */
static void resync(struct replica_set *rs, unsigned from, uint64_t mask) {
    mask &= ~bit(from);
    if (!mask) return;
    for (size_t i = 0; i < rs->cap; i++) {
        uint64_t *row;
        if (!rs->tab[i].assigned) continue;
        row = krow(rs, i);
        for (unsigned n = 0; n < rs->nnodes; n++)
            if (mask & bit(n)) row[n] = row[from];
    }
    for (unsigned n = 0; n < rs->nnodes; n++)
        if (mask & bit(n)) rs->nodes[n].lost_if = 0;
}

/* --- topology ------------------------------------------------------------------------------ */

static int reachable(const struct replica_set *rs, unsigned a, unsigned b) {
    return !rs->partitioned || rs->nodes[a].side == rs->nodes[b].side;
}

/* Nodes (up or down) on a side: a majority of all R + 1 there? */
static int side_has_majority(const struct replica_set *rs, int side) {
    unsigned n = 0;

    if (!rs->partitioned) return 1;
    for (unsigned i = 0; i < rs->nnodes; i++)
        if (rs->nodes[i].side == side) n++;
    return n >= rs->nnodes / 2 + 1;
}

/* Live nodes reachable from n (n excluded). */
static uint64_t live_peers(const struct replica_set *rs, unsigned n) {
    uint64_t m = 0;

    for (unsigned i = 0; i < rs->nnodes; i++)
        if (i != n && !rs->nodes[i].down && reachable(rs, n, i)) m |= bit(i);
    return m;
}

static unsigned popcount64(uint64_t m) {
    unsigned n = 0;

    for (; m; m &= m - 1)
        n++;
    return n;
}

/* A primary able to accept writes (under ap even when cut off from a majority). */
static int writable(const struct replica_set *rs) {
    return !rs->base.down && rs->primary >= 0 && !rs->nodes[rs->primary].down &&
           (rs->ap || side_has_majority(rs, rs->nodes[rs->primary].side));
}

static unsigned acks_needed(const struct replica_set *rs) {
    switch (rs->mode) {
        case REPL_SYNC:
            return rs->nnodes - 1;
        case REPL_QUORUM:
            return rs->write_quorum - 1;
        default:
            return 0;
    }
}

static void flush_unavail(struct replica_set *rs, int64_t now) {
    if (rs->unavail) {
        double d = (double)(now - rs->unavail_mark);
        rs->run.unavail_ns += d;
        rs->iv.unavail_ns += d;
    }
    rs->unavail_mark = now;
}

static void update_avail(struct sim *sim, struct replica_set *rs) {
    flush_unavail(rs, sim_now(sim));
    rs->unavail = !writable(rs);
}

static const char *node_name(const struct replica_set *rs, unsigned n, char *buf, size_t size) {
    (void)rs;
    if (n == 0)
        snprintf(buf, size, "node[0]");
    else
        snprintf(buf, size, "replica[%u]", n);
    return buf;
}

/* --- stations ------------------------------------------------------------------------------- */

static void on_job(struct sim *sim, void *a, void *b);

static void active_add(struct node *n, struct job *j) {
    j->prev = NULL;
    j->next = n->active;
    if (n->active) n->active->prev = j;
    n->active = j;
}

static void active_remove(struct node *n, struct job *j) {
    if (j->prev)
        j->prev->next = j->next;
    else
        n->active = j->next;
    if (j->next) j->next->prev = j->prev;
    j->next = j->prev = NULL;
}

static void queue_remove(struct sim *sim, struct replica_set *rs, struct node *n, struct job *j) {
    if (j->prev)
        j->prev->next = j->next;
    else
        n->qhead = j->next;
    if (j->next)
        j->next->prev = j->prev;
    else
        n->qtail = j->prev;
    j->next = j->prev = NULL;
    n->qlen--;
    rs->queued--;
    comp_set_queue(sim, &rs->base, (double)rs->queued);
}

static void start_service(struct sim *sim, struct replica_set *rs, struct job *j) {
    struct node *n = &rs->nodes[j->node];
    const struct dist *d = j->kind == J_READ ? &rs->read_time : &rs->write_time;
    double t = dist_sample(d, &rs->rng_svc) * n->slow * rs->base.slow;

    j->phase = PH_SERVICE;
    active_add(n, j);
    j->ev = sim_schedule(sim, sim_now(sim) + dist_ns(t), on_job, rs, j);
}

/* j arrives at its node's station: a free worker takes it, else it waits in FIFO order. */
static void node_enter(struct sim *sim, struct replica_set *rs, struct job *j) {
    struct node *n = &rs->nodes[j->node];

    if (n->busy < rs->workers) {
        n->busy++;
        rs->busy++;
        comp_set_busy(sim, &rs->base, (double)rs->busy);
        start_service(sim, rs, j);
        return;
    }
    j->phase = PH_QUEUED;
    j->next = NULL;
    j->prev = n->qtail;
    if (n->qtail)
        n->qtail->next = j;
    else
        n->qhead = j;
    n->qtail = j;
    n->qlen++;
    rs->queued++;
    comp_set_queue(sim, &rs->base, (double)rs->queued);
}

static void release_worker(struct sim *sim, struct replica_set *rs, unsigned ni) {
    struct node *n = &rs->nodes[ni];
    struct job *j = n->qhead;

    if (j) {
        queue_remove(sim, rs, n, j);
        start_service(sim, rs, j);
        return;
    }
    n->busy--;
    rs->busy--;
    comp_set_busy(sim, &rs->base, (double)rs->busy);
}

/* Client operations are admitted only when the node's queue has room (replication always). */
static int node_full(const struct replica_set *rs, unsigned ni) {
    const struct node *n = &rs->nodes[ni];
    return rs->queue_cap >= 0 && n->busy >= rs->workers && (long long)n->qlen >= rs->queue_cap;
}

static struct job *job_new(struct replica_set *rs, struct op *op, unsigned node, int kind) {
    struct job *j = pool_get(rs->job_pool);

    memset(j, 0, sizeof *j);
    j->op = op;
    j->node = node;
    j->kind = (unsigned char)kind;
    op->jobs++;
    return j;
}

/* Take j off its node (queue, transit or service); a worker it held takes the next job. */
static void job_detach(struct sim *sim, struct replica_set *rs, struct job *j) {
    struct node *n = &rs->nodes[j->node];

    if (j->phase == PH_QUEUED) {
        queue_remove(sim, rs, n, j);
        return;
    }
    sim_cancel(sim, j->ev);
    j->ev = NULL;
    active_remove(n, j);
    if (j->phase == PH_SERVICE) release_worker(sim, rs, j->node);
}

/* --- operations ---------------------------------------------------------------------------- */

static struct op *op_new(struct replica_set *rs, struct call *call, int64_t now) {
    struct op *op = pool_get(rs->op_pool);

    memset(op, 0, sizeof *op);
    op->call = call;
    op->key = call->req->key;
    op->start_ns = now;
    op->next = rs->ops;
    if (rs->ops) rs->ops->prev = op;
    rs->ops = op;
    return op;
}

/* Free op once it is answered and none of its jobs is left. */
static void op_release(struct replica_set *rs, struct op *op) {
    if (op->call || op->jobs) return;
    if (op->prev)
        op->prev->next = op->next;
    else
        rs->ops = op->next;
    if (op->next) op->next->prev = op->prev;
    pool_put(rs->op_pool, op);
}

static void answer(struct sim *sim, struct op *op, int status) {
    struct call *call = op->call;

    /* Cleared first: the caller's continuation may call this component again. */
    op->call = NULL;
    net_reply(sim, call, status);
}

static void op_fail(struct sim *sim, struct op *op, int status) {
    op->failed = 1;
    if (op->call) answer(sim, op, status);
}

static void commit(struct sim *sim, struct replica_set *rs, struct op *op) {
    int64_t now = sim_now(sim);
    struct kent *e = kfind(rs, op->key, NULL);

    op->acked = 1;
    if (op->version > e->committed) {
        e->committed = op->version;
        e->commit_ns = now;
    }
    /* Nodes that neither have it nor will receive it would lose it if promoted. */
    for (unsigned n = 0; n < rs->nnodes; n++)
        if (n != op->origin && !((op->applied | op->pending) & bit(n))) rs->nodes[n].lost_if++;
    if (op->reduced) {
        rs->run.divergent++;
        rs->iv.divergent++;
    }
    rs->run.writes++;
    rs->iv.writes++;
    rs->run.write_lat_ns += (double)(now - op->start_ns);
    rs->iv.write_lat_ns += (double)(now - op->start_ns);
    if (op->call) answer(sim, op, CALL_OK);
}

static void write_check(struct sim *sim, struct replica_set *rs, struct op *op) {
    if (op->acked || op->failed || !op->done_primary || op->acks < op->need) return;
    commit(sim, rs, op);
}

static void read_answer(struct sim *sim, struct replica_set *rs, struct op *op) {
    int64_t now = sim_now(sim);
    double lat = (double)(now - op->start_ns);

    rs->run.reads++;
    rs->iv.reads++;
    rs->run.read_lat_ns += lat;
    rs->iv.read_lat_ns += lat;
    if (op->best < op->want) {
        double age = (double)(now - op->want_ns);
        rs->run.stale++;
        rs->iv.stale++;
        rs->run.stale_age_ns += age;
        rs->iv.stale_age_ns += age;
    }
    answer(sim, op, CALL_OK);
}

/* The primary has served a client write: version it, apply it, replicate it. */
static void write_at_primary(struct sim *sim, struct replica_set *rs, struct op *op) {
    unsigned p = op->origin, need = acks_needed(rs);
    int64_t now = sim_now(sim);
    uint64_t targets;
    struct kent *e;
    size_t slot;

    if (op->failed || !op->call) return;
    if (rs->primary != (int)p || !writable(rs)) {
        /* deposed, or (cp) cut off from a majority while the write waited */
        op_fail(sim, op, rs->primary == (int)p ? CALL_ERROR : CALL_UNAVAILABLE);
        return;
    }
    targets = live_peers(rs, p);
    if (popcount64(targets) < need) {
        if (!rs->ap) {
            op_fail(sim, op, CALL_ERROR);
            return;
        }
        need = popcount64(targets);
        op->reduced = 1;
    }
    if (!side_has_majority(rs, rs->nodes[p].side)) op->reduced = 1; /* ap only (else !writable) */
    slot = kinsert(rs, op->key);
    e = &rs->tab[slot];
    op->version = ++e->assigned;
    if (krow(rs, slot)[p] < op->version) krow(rs, slot)[p] = op->version;
    op->done_primary = 1;
    op->applied = bit(p);
    op->need = need;
    for (unsigned n = 0; n < rs->nnodes; n++) {
        struct job *j;
        const struct dist *lag;
        double t;
        if (!(targets & bit(n))) continue;
        lag = &rs->lag[rs->nlag == 1 ? 0 : (n ? n - 1 : 0)];
        t = dist_sample(lag, &rs->rng_lag);
        j = job_new(rs, op, n, J_REPL);
        j->sent_ns = now;
        j->phase = PH_LAG;
        op->pending |= bit(n);
        active_add(&rs->nodes[n], j);
        j->ev = sim_schedule(sim, now + dist_ns(t), on_job, rs, j);
    }
    write_check(sim, rs, op);
}

/* A job finished its service at its node. */
static void job_finish(struct sim *sim, struct replica_set *rs, struct job *j) {
    struct op *op = j->op;
    unsigned ni = j->node;

    op->jobs--;
    switch (j->kind) {
        case J_WRITE:
            write_at_primary(sim, rs, op);
            break;
        case J_REPL: {
            size_t slot;
            double lag = (double)(sim_now(sim) - j->sent_ns);
            if (kfind(rs, op->key, &slot) && krow(rs, slot)[ni] < op->version)
                krow(rs, slot)[ni] = op->version;
            op->pending &= ~bit(ni);
            op->applied |= bit(ni);
            rs->run.lag_ns += lag;
            rs->iv.lag_ns += lag;
            rs->run.lag_n++;
            rs->iv.lag_n++;
            if (!op->acked && !op->failed) {
                op->acks++;
                write_check(sim, rs, op);
            }
            break;
        }
        default: {
            size_t slot;
            uint64_t v = kfind(rs, op->key, &slot) ? krow(rs, slot)[ni] : 0;
            if (v > op->best) op->best = v;
            op->acks++;
            if (op->call && op->acks >= op->need) read_answer(sim, rs, op);
            break;
        }
    }
    pool_put(rs->job_pool, j);
    op_release(rs, op);
}

/* A detached job ends unfinished (see enum loss). */
static void job_lost(struct sim *sim, struct replica_set *rs, struct job *j, enum loss cause) {
    struct op *op = j->op;
    int status = cause == LOSS_PARTITION ? CALL_ERROR : CALL_UNAVAILABLE;
    unsigned possible;

    op->jobs--;
    possible = op->acks + op->jobs;
    switch (j->kind) {
        case J_WRITE:
            op_fail(sim, op, CALL_UNAVAILABLE);
            break;
        case J_REPL:
            op->pending &= ~bit(j->node);
            if (op->acked) {
                rs->nodes[j->node].lost_if++;
                break;
            }
            if (op->failed) break;
            if (cause == LOSS_ORIGIN) {
                op_fail(sim, op, CALL_UNAVAILABLE);
                break;
            }
            if (possible >= op->need) break;
            if (!rs->ap) {
                op_fail(sim, op, status);
                break;
            }
            op->need = possible;
            op->reduced = 1;
            write_check(sim, rs, op);
            break;
        default:
            if (!op->call || possible >= op->need) break;
            if (cause == LOSS_ORIGIN || !rs->ap || possible == 0) {
                op_fail(sim, op, possible ? status : CALL_UNAVAILABLE);
                break;
            }
            op->need = possible;
            if (op->acks >= op->need) read_answer(sim, rs, op);
            break;
    }
    pool_put(rs->job_pool, j);
    op_release(rs, op);
}

static void on_job(struct sim *sim, void *a, void *b) {
    struct replica_set *rs = a;
    struct job *j = b;

    j->ev = NULL;
    active_remove(&rs->nodes[j->node], j);
    if (j->phase == PH_LAG) {
        node_enter(sim, rs, j);
        return;
    }
    release_worker(sim, rs, j->node);
    job_finish(sim, rs, j);
}

/* --- failing jobs ---------------------------------------------------------------------------- */

typedef int job_pred_fn(const struct replica_set *rs, const struct job *j, unsigned arg);

/* Detach every job matching pred (nodes in order, queue then transit/service), then end them
 * as lost with cause (LOSS_ORIGIN instead for jobs issued by node arg when origin_cause is
 * set). Detaching all first keeps the node lists stable while callers' continuations run. */
static void fail_jobs(struct sim *sim, struct replica_set *rs, job_pred_fn *pred, unsigned arg,
                      enum loss cause, int origin_cause) {
    struct job *dead = NULL, **tail = &dead, *j, *next;

    for (unsigned n = 0; n < rs->nnodes; n++) {
        for (j = rs->nodes[n].qhead; j; j = j->next)
            if (pred(rs, j, arg)) {
                *tail = j;
                tail = &j->lnext;
            }
        for (j = rs->nodes[n].active; j; j = j->next)
            if (pred(rs, j, arg)) {
                *tail = j;
                tail = &j->lnext;
            }
    }
    *tail = NULL;
    for (j = dead; j; j = j->lnext)
        job_detach(sim, rs, j);
    for (j = dead; j; j = next) {
        next = j->lnext;
        job_lost(sim, rs, j, origin_cause && j->op->origin == arg ? LOSS_ORIGIN : cause);
    }
}

/* Jobs at node arg, or issued by it. */
static int pred_node(const struct replica_set *rs, const struct job *j, unsigned arg) {
    (void)rs;
    return j->node == arg || j->op->origin == arg;
}

/* Jobs crossing the partition (at a node on another side than their origin). */
static int pred_cut(const struct replica_set *rs, const struct job *j, unsigned arg) {
    (void)arg;
    return !reachable(rs, j->node, j->op->origin);
}

/* Replication jobs not issued by node arg. */
static int pred_old_epoch(const struct replica_set *rs, const struct job *j, unsigned arg) {
    (void)rs;
    return j->kind == J_REPL && j->op->origin != arg;
}

/* --- failover ------------------------------------------------------------------------------ */

static void on_detect(struct sim *sim, void *a, void *b);

/* No election while the whole component is down: recover_all starts it. */
static void start_failover(struct sim *sim, struct replica_set *rs) {
    if (rs->fo_phase || rs->base.down) return;
    rs->fo_phase = 1;
    rs->fo_ev = sim_schedule(sim, sim_now(sim) + rs->detection_ns, on_detect, rs, NULL);
}

static void cancel_failover(struct sim *sim, struct replica_set *rs) {
    if (rs->fo_ev) sim_cancel(sim, rs->fo_ev);
    rs->fo_ev = NULL;
    rs->fo_phase = 0;
}

/* The live node missing the fewest acknowledged writes (cp: on a majority side); ties to the
 * previous primary, then the lowest index. -1 when none. */
static int pick_candidate(const struct replica_set *rs) {
    int best = -1;

    for (unsigned i = 0; i < rs->nnodes; i++) {
        const struct node *n = &rs->nodes[i];
        if (n->down || (!rs->ap && !side_has_majority(rs, n->side))) continue;
        if (best < 0 || n->lost_if < rs->nodes[best].lost_if ||
            (n->lost_if == rs->nodes[best].lost_if && i == rs->last_primary))
            best = (int)i;
    }
    return best;
}

static void promote(struct sim *sim, struct replica_set *rs, unsigned q) {
    uint64_t lost;
    char name[32];

    /* Replication from the old primary (cp: deposed while cut off) stops here. */
    fail_jobs(sim, rs, pred_old_epoch, q, LOSS_ORIGIN, 0);
    lost = rs->nodes[q].lost_if;
    rs->run.lost_writes += lost;
    rs->iv.lost_writes += lost;
    /* Writes the new primary lacks are gone: the committed version falls back to its own
     * (the commit time kept is the lost write's, an approximation for later stale ages).
     * Done for every key, whatever the count says, so that committed <= applied at the
     * primary holds after any sequence of failures. */
    for (size_t i = 0; i < rs->cap; i++)
        if (rs->tab[i].assigned && rs->tab[i].committed > krow(rs, i)[q])
            rs->tab[i].committed = krow(rs, i)[q];
    resync(rs, q, live_peers(rs, q));
    rs->nodes[q].lost_if = 0;
    rs->primary = (int)q;
    rs->last_primary = q;
    net_log(rs->base.net, &rs->base, "promote", "%s is the primary; %llu acknowledged write%s lost",
            node_name(rs, q, name, sizeof name), (unsigned long long)lost, lost == 1 ? "" : "s");
    update_avail(sim, rs);
}

static void on_elect(struct sim *sim, void *a, void *b) {
    struct replica_set *rs = a;
    int q = pick_candidate(rs);
    char name[32];

    (void)b;
    rs->fo_ev = NULL;
    rs->fo_phase = 0;
    if (q < 0) {
        net_log(rs->base.net, &rs->base, "elect",
                "no candidate: no primary until a node recovers or the partition heals");
        return;
    }
    net_log(rs->base.net, &rs->base, "elect", "%s elected (lacks %llu acknowledged write%s)",
            node_name(rs, (unsigned)q, name, sizeof name), (unsigned long long)rs->nodes[q].lost_if,
            rs->nodes[q].lost_if == 1 ? "" : "s");
    promote(sim, rs, (unsigned)q);
}

static void on_detect(struct sim *sim, void *a, void *b) {
    struct replica_set *rs = a;
    char name[32];

    (void)b;
    rs->fo_phase = 2;
    rs->fo_ev = sim_schedule(sim, sim_now(sim) + rs->election_ns, on_elect, rs, NULL);
    net_log(rs->base.net, &rs->base, "detect",
            "primary %s down or cut off from a majority; election starts",
            node_name(rs, rs->last_primary, name, sizeof name));
}

/* --- failures --------------------------------------------------------------------------- */

static void crash_node(struct sim *sim, struct replica_set *rs, unsigned ni) {
    struct node *n = &rs->nodes[ni];
    int was_primary = rs->primary == (int)ni;

    if (n->down) return;
    n->down = 1;
    if (was_primary) {
        rs->primary = -1;
        rs->last_primary = ni;
    }
    /* Its own jobs are lost with it; so are the jobs it issued elsewhere (a crashed primary's
     * replication, a crashed coordinator's reads). */
    fail_jobs(sim, rs, pred_node, ni, LOSS_NODE, 1);
    if (was_primary) start_failover(sim, rs);
    update_avail(sim, rs);
}

static void recover_node(struct sim *sim, struct replica_set *rs, unsigned ni) {
    char name[32];

    if (!rs->nodes[ni].down) return;
    rs->nodes[ni].down = 0;
    rs->nodes[ni].role_crash_ns = -1;
    if (rs->primary < 0 && rs->fo_phase == 1 && ni == rs->last_primary) {
        /* Back before anyone noticed: still the primary; the others catch up with it. */
        cancel_failover(sim, rs);
        rs->primary = (int)ni;
        resync(rs, ni, live_peers(rs, ni));
        net_log(rs->base.net, &rs->base, "primary", "%s back before detection: still primary",
                node_name(rs, ni, name, sizeof name));
    } else if (rs->primary >= 0 && reachable(rs, (unsigned)rs->primary, ni)) {
        resync(rs, (unsigned)rs->primary, bit(ni));
    } else if (rs->primary < 0) {
        start_failover(sim, rs);
    }
    update_avail(sim, rs);
}

/* The whole component: every call inside is lost, every job with it; versions survive (on
 * disk). */
static void crash_all(struct sim *sim, struct replica_set *rs, int blackhole) {
    struct op *op, *next;

    rs->base.down = 1;
    rs->base.blackhole = blackhole;
    cancel_failover(sim, rs);
    for (unsigned n = 0; n < rs->nnodes; n++) {
        struct node *nd = &rs->nodes[n];
        while (nd->qhead) {
            struct job *j = nd->qhead;
            if (j->kind == J_REPL && j->op->acked) nd->lost_if++;
            queue_remove(sim, rs, nd, j);
            pool_put(rs->job_pool, j);
        }
        while (nd->active) {
            struct job *j = nd->active;
            /* replication of an acknowledged write that will not arrive now */
            if (j->kind == J_REPL && j->op->acked) nd->lost_if++;
            sim_cancel(sim, j->ev);
            active_remove(nd, j);
            pool_put(rs->job_pool, j);
        }
        rs->busy -= nd->busy;
        nd->busy = 0;
    }
    comp_set_busy(sim, &rs->base, 0);
    for (op = rs->ops; op; op = next) {
        next = op->next;
        if (op->call) {
            struct call *call = op->call;
            op->call = NULL;
            net_drop(sim, call, CALL_UNAVAILABLE, blackhole);
        }
    }
    for (op = rs->ops; op; op = next) {
        next = op->next;
        pool_put(rs->op_pool, op);
    }
    rs->ops = NULL;
    update_avail(sim, rs);
}

static void recover_all(struct sim *sim, struct replica_set *rs) {
    rs->base.down = 0;
    if (rs->primary >= 0)
        resync(rs, (unsigned)rs->primary, live_peers(rs, (unsigned)rs->primary));
    else
        start_failover(sim, rs);
    update_avail(sim, rs);
}

static void partition(struct sim *sim, struct replica_set *rs, const int *side) {
    struct op *op, *next;

    for (unsigned n = 0; n < rs->nnodes; n++)
        rs->nodes[n].side = side[n];
    rs->partitioned = 1;
    fail_jobs(sim, rs, pred_cut, 0, LOSS_PARTITION, 0);
    if (!rs->ap && rs->primary >= 0 && !side_has_majority(rs, rs->nodes[rs->primary].side)) {
        /* cp: the primary cannot reach a majority: pending writes fail, the majority side
         * (if any) elects a new primary after detection + election. */
        for (op = rs->ops; op; op = next) {
            next = op->next;
            if (op->write && op->call && !op->acked && !op->failed) op_fail(sim, op, CALL_ERROR);
            op_release(rs, op);
        }
        rs->last_primary = (unsigned)rs->primary;
        start_failover(sim, rs);
    }
    update_avail(sim, rs);
}

static void heal(struct sim *sim, struct replica_set *rs) {
    uint64_t cut = 0;

    if (!rs->partitioned) return;
    if (rs->primary >= 0)
        for (unsigned n = 0; n < rs->nnodes; n++)
            if (!reachable(rs, (unsigned)rs->primary, n) && !rs->nodes[n].down) cut |= bit(n);
    for (unsigned n = 0; n < rs->nnodes; n++)
        rs->nodes[n].side = 0;
    rs->partitioned = 0;
    if (rs->primary >= 0 && !rs->nodes[rs->primary].down) {
        /* A failover started by the partition (not yet detected) is called off. */
        if (rs->fo_phase == 1) cancel_failover(sim, rs);
        resync(rs, (unsigned)rs->primary, cut);
    } else if (rs->primary < 0) {
        start_failover(sim, rs);
    }
    update_avail(sim, rs);
}

/* Node of a part name; -1 when there is no such part. role_node: what "primary" means. */
static int part_node(const struct replica_set *rs, const char *part, int role_node) {
    unsigned k;
    int used = 0;

    if (strcmp(part, "primary") == 0) return role_node;
    if (sscanf(part, "replica[%u]%n", &k, &used) == 1 && used == (int)strlen(part) && k >= 1 &&
        k < rs->nnodes)
        return (int)k;
    used = 0;
    if (sscanf(part, "node[%u]%n", &k, &used) == 1 && used == (int)strlen(part) && k < rs->nnodes)
        return (int)k;
    return -1;
}

static int bad_part(const struct replica_set *rs, const char *part, struct err *err) {
    if (rs->nnodes == 1)
        return err_set(err, NULL, 0, 0,
                       "replica set '%s' has no part '%s' (parts: primary, node[0])", rs->base.name,
                       part);
    return err_set(err, NULL, 0, 0,
                   "replica set '%s' has no part '%s' (parts: primary, replica[1] .. "
                   "replica[%u], node[0] .. node[%u])",
                   rs->base.name, part, rs->nnodes - 1, rs->nnodes - 1);
}

static int rs_control(struct sim *sim, struct comp *c, const struct comp_action *a,
                      struct err *err) {
    struct replica_set *rs = rs_of(c);
    int cur = rs->primary >= 0 ? rs->primary : (int)rs->last_primary;
    int node = -1;

    if (a->kind == ACT_PARTITION) {
        int side[REPLICA_MAX_NODES] = {0};
        for (size_t i = 0; i < a->ngroup; i++) {
            int n = part_node(rs, a->group[i], cur);
            if (n < 0) return bad_part(rs, a->group[i], err);
            side[n] = 1;
        }
        if (sim) partition(sim, rs, side);
        return 0;
    }
    if (a->kind == ACT_HEAL) {
        if (sim) heal(sim, rs);
        return 0;
    }
    if (a->kind == ACT_FLUSH)
        return err_set(err, NULL, 0, 0,
                       "a replica_set cannot flush (it can crash, recover, slow, be "
                       "partitioned)");
    if (a->part) {
        int role = cur;
        int64_t oldest = INT64_MAX;
        for (unsigned i = 0; i < rs->nnodes && (a->kind == ACT_RECOVER || a->kind == ACT_RESTORE);
             i++) {
            int64_t t =
                a->kind == ACT_RECOVER ? rs->nodes[i].role_crash_ns : rs->nodes[i].role_slow_ns;
            if (t >= 0 && t < oldest) {
                oldest = t;
                role = (int)i;
            }
        }
        node = part_node(rs, a->part, role);
        if (node < 0) return bad_part(rs, a->part, err);
    }
    if (!sim) return 0;
    switch (a->kind) {
        case ACT_CRASH:
            if (node >= 0) {
                if (!rs->nodes[node].down && strcmp(a->part, "primary") == 0)
                    rs->nodes[node].role_crash_ns = sim_now(sim);
                crash_node(sim, rs, (unsigned)node);
            } else if (!c->down)
                crash_all(sim, rs, a->blackhole);
            break;
        case ACT_RECOVER:
            if (node >= 0)
                recover_node(sim, rs, (unsigned)node);
            else if (c->down)
                recover_all(sim, rs);
            break;
        case ACT_SLOW:
            if (node >= 0) {
                rs->nodes[node].slow = a->factor;
                if (strcmp(a->part, "primary") == 0) rs->nodes[node].role_slow_ns = sim_now(sim);
            } else {
                c->slow = a->factor;
            }
            break;
        case ACT_RESTORE:
            if (node >= 0) {
                rs->nodes[node].slow = 1.0;
                rs->nodes[node].role_slow_ns = -1;
            } else {
                c->slow = 1.0;
            }
            break;
        default:
            break;
    }
    return 0;
}

/* --- receiving ------------------------------------------------------------------------------- */

static void receive_write(struct sim *sim, struct replica_set *rs, struct call *call) {
    struct op *op;
    int p = rs->primary;

    if (p < 0) {
        net_reply(sim, call, CALL_UNAVAILABLE); /* failover under way */
        return;
    }
    if (!writable(rs) || (!rs->ap && popcount64(live_peers(rs, (unsigned)p)) < acks_needed(rs))) {
        net_reply(sim, call, CALL_ERROR); /* cp: no majority or no write quorum */
        return;
    }
    if (node_full(rs, (unsigned)p)) {
        net_reply(sim, call, CALL_REJECTED);
        return;
    }
    op = op_new(rs, call, sim_now(sim));
    op->write = 1;
    op->origin = (unsigned)p;
    node_enter(sim, rs, job_new(rs, op, (unsigned)p, J_WRITE));
}

static int pick_coordinator(struct replica_set *rs) {
    unsigned cand[REPLICA_MAX_NODES], n = 0;

    if (rs->from == FROM_PRIMARY) return rs->primary;
    for (unsigned i = 0; i < rs->nnodes; i++)
        if (!rs->nodes[i].down && (rs->from == FROM_ANY || (int)i != rs->primary)) cand[n++] = i;
    if (n == 0) return rs->primary; /* no replica up: the primary serves the read */
    if (rs->random_balance) return (int)cand[rng_bounded(&rs->rng_route, n)];
    return (int)cand[rs->rr++ % n];
}

static void receive_read(struct sim *sim, struct replica_set *rs, struct call *call) {
    unsigned set[REPLICA_MAX_NODES], n = 0;
    int coord = pick_coordinator(rs);
    struct kent *e;
    struct op *op;

    if (coord < 0) {
        net_reply(sim, call, CALL_UNAVAILABLE);
        return;
    }
    if (!rs->ap && !side_has_majority(rs, rs->nodes[coord].side)) {
        net_reply(sim, call, CALL_ERROR); /* cp: this node may be behind a partition */
        return;
    }
    set[n++] = (unsigned)coord;
    for (unsigned k = 1; k < rs->nnodes && n < rs->read_quorum; k++) {
        unsigned m = ((unsigned)coord + k) % rs->nnodes;
        if (!rs->nodes[m].down && reachable(rs, (unsigned)coord, m)) set[n++] = m;
    }
    if (n < rs->read_quorum && !rs->ap) {
        net_reply(sim, call, CALL_ERROR); /* cp: the read quorum is out of reach */
        return;
    }
    for (unsigned i = 0; i < n; i++)
        if (node_full(rs, set[i])) {
            net_reply(sim, call, CALL_REJECTED);
            return;
        }
    op = op_new(rs, call, sim_now(sim));
    op->origin = (unsigned)coord;
    op->need = n;
    e = kfind(rs, op->key, NULL);
    if (e) {
        op->want = e->committed;
        op->want_ns = e->commit_ns;
    }
    for (unsigned i = 0; i < n; i++)
        node_enter(sim, rs, job_new(rs, op, set[i], J_READ));
}

static void rs_receive(struct sim *sim, struct comp *c, struct call *call) {
    if (call->req->write)
        receive_write(sim, rs_of(c), call);
    else
        receive_read(sim, rs_of(c), call);
}

/* --- metrics ------------------------------------------------------------------------------- */

static void rs_extras(const struct comp *c, int interval, int64_t now, double *v) {
    const struct replica_set *rs = rs_of(c);
    const struct counters *k = interval ? &rs->iv : &rs->run;
    double secs = (double)(now - (interval ? rs->iv_start : rs->run_start)) / 1e9;
    double open = rs->unavail ? (double)(now - rs->unavail_mark) : 0;

    v[MX_STALE_READS] = (double)k->stale;
    v[MX_STALE_RATIO] = k->reads ? (double)k->stale / (double)k->reads : NAN;
    v[MX_STALE_AGE_MS] = k->stale ? k->stale_age_ns / (double)k->stale / 1e6 : NAN;
    v[MX_REPLICATION_LAG_MS] = k->lag_n ? k->lag_ns / (double)k->lag_n / 1e6 : NAN;
    v[MX_LOST_WRITES] = (double)k->lost_writes;
    v[MX_UNAVAILABLE_S] = (k->unavail_ns + open) / 1e9;
    v[MX_DIVERGENT_WRITES] = (double)k->divergent;
    v[MX_READ_RPS] = secs > 0 ? (double)k->reads / secs : NAN;
    v[MX_WRITE_RPS] = secs > 0 ? (double)k->writes / secs : NAN;
    v[MX_READ_LATENCY_MS] = k->reads ? k->read_lat_ns / (double)k->reads / 1e6 : NAN;
    v[MX_WRITE_LATENCY_MS] = k->writes ? k->write_lat_ns / (double)k->writes / 1e6 : NAN;
}

static void rs_restart(struct comp *c, int64_t now, int run) {
    struct replica_set *rs = rs_of(c);

    flush_unavail(rs, now);
    if (run) {
        memset(&rs->run, 0, sizeof rs->run);
        rs->run_start = now;
    } else {
        memset(&rs->iv, 0, sizeof rs->iv);
        rs->iv_start = now;
    }
}

/* --- building ------------------------------------------------------------------------------- */

static void rs_destroy(struct comp *c) {
    struct replica_set *rs = rs_of(c);

    dist_free(&rs->read_time);
    dist_free(&rs->write_time);
    for (size_t i = 0; i < rs->nlag; i++)
        dist_free(&rs->lag[i]);
    free(rs->lag);
    free(rs->nodes);
    free(rs->tab);
    free(rs->applied);
    pool_free(rs->job_pool);
    pool_free(rs->op_pool);
    free(rs);
}

static int parse_lag(struct replica_set *rs, const struct scn_node *n, const char *dir,
                     struct err *err) {
    unsigned r = rs->nnodes - 1;

    if (!n) {
        rs->lag = xcalloc(1, sizeof *rs->lag);
        rs->nlag = 1;
        return dist_const(&rs->lag[0], 0, err);
    }
    if (n->type != SCN_SEQ) {
        rs->lag = xcalloc(1, sizeof *rs->lag);
        rs->nlag = 1;
        return scn_as_dist(n, dir, &rs->lag[0], err);
    }
    if (n->n != r)
        return err_set(err, n->file, n->line, n->col,
                       "%s: one lag per replica: %u given for %u replica%s (or give one "
                       "distribution for all)",
                       n->path, (unsigned)n->n, r, r == 1 ? "" : "s");
    rs->lag = xcalloc(r ? r : 1, sizeof *rs->lag);
    for (size_t i = 0; i < n->n; i++) {
        if (scn_as_dist(n->items[i], dir, &rs->lag[i], err)) return -1;
        rs->nlag++;
    }
    if (r == 0) {
        rs->nlag = 1;
        return dist_const(&rs->lag[0], 0, err);
    }
    return 0;
}

static struct comp *rs_create(struct net *net, const char *name, const struct scn_node *node,
                              const char *dir, struct err *err) {
    struct replica_set *rs = xcalloc(1, sizeof *rs);
    long long replicas = 2, workers = 1, wq = 0, rq = 1;
    int mode = REPL_ASYNC, from = FROM_PRIMARY, bal = 0, pm = 0;
    const struct scn_node *q, *n;

    rs->base.net = net;
    rs->queue_cap = -1;
    rs->detection_ns = 1000000000LL;
    rs->election_ns = 500000000LL;
    rs->job_pool = pool_new(sizeof(struct job));
    rs->op_pool = pool_new(sizeof(struct op));
    if (scn_check_keys(node, rs_keys, err)) goto fail;
    if (scn_get_int(node, "replicas", 0, 0, REPLICA_MAX_NODES - 1, &replicas, err)) goto fail;
    rs->nnodes = (unsigned)replicas + 1;
    rs->nodes = xcalloc(rs->nnodes, sizeof *rs->nodes);
    for (unsigned i = 0; i < rs->nnodes; i++) {
        rs->nodes[i].slow = 1.0;
        rs->nodes[i].role_crash_ns = rs->nodes[i].role_slow_ns = -1;
    }
    if (scn_get_int(node, "workers", 0, 1, 1000000, &workers, err)) goto fail;
    rs->workers = (unsigned)workers;
    q = scn_map_get(node, "queue");
    if (q && !(q->type == SCN_SCALAR && strcmp(q->value, "unbounded") == 0))
        if (scn_as_int(q, 0, 1000000000LL, &rs->queue_cap, err)) goto fail;
    if (scn_get_dist(node, "read_time", 1, dir, &rs->read_time, err)) goto fail;
    if (scn_get_dist(node, "write_time", 1, dir, &rs->write_time, err)) goto fail;
    if (scn_get_enum(node, "replication", 0, repl_names, &mode, err)) goto fail;
    rs->mode = (enum repl_mode)mode;
    n = scn_map_get(node, "write_quorum");
    if (n && mode != REPL_QUORUM) {
        err_set(err, n->file, n->line, n->col,
                "%s: write_quorum applies to 'replication: quorum' (this set is %s)", n->path,
                repl_names[mode]);
        goto fail;
    }
    wq = rs->nnodes / 2 + 1;
    if (scn_get_int(node, "write_quorum", 0, 1, rs->nnodes, &wq, err)) goto fail;
    rs->write_quorum = (unsigned)wq;
    if (scn_get_int(node, "read_quorum", 0, 1, rs->nnodes, &rq, err)) goto fail;
    rs->read_quorum = (unsigned)rq;
    if (scn_get_enum(node, "read_from", 0, from_names, &from, err)) goto fail;
    rs->from = (enum read_from)from;
    if (from == FROM_REPLICAS && replicas == 0) {
        n = scn_map_get(node, "read_from");
        err_set(err, n->file, n->line, n->col,
                "%s: reads from replicas need 'replicas' >= 1 (this set has none)", n->path);
        goto fail;
    }
    if (scn_get_enum(node, "read_balance", 0, balance_names, &bal, err)) goto fail;
    rs->random_balance = bal == 1;
    if (parse_lag(rs, scn_map_get(node, "lag"), dir, err)) goto fail;
    if (scn_get_duration(node, "detection", 0, &rs->detection_ns, err)) goto fail;
    if (scn_get_duration(node, "election", 0, &rs->election_ns, err)) goto fail;
    if (scn_get_enum(node, "partition_mode", 0, pmode_names, &pm, err)) goto fail;
    rs->ap = pm == 1;
    comp_init(&rs->base, &replica_set_ops, net, name, node, (double)(rs->workers * rs->nnodes));
    net_rng(net, &rs->rng_svc, name, "service");
    net_rng(net, &rs->rng_lag, name, "lag");
    net_rng(net, &rs->rng_route, name, "route");
    kgrow(rs);
    return &rs->base;
fail:
    rs_destroy(&rs->base);
    return NULL;
}

static int rs_resolve(struct net *net, struct comp *c, struct err *err) {
    (void)net;
    (void)c;
    (void)err;
    return 0;
}

static size_t rs_downstream(const struct comp *c, struct comp **out, size_t max) {
    (void)c;
    (void)out;
    (void)max;
    return 0;
}

static void rs_describe(const struct comp *c, char *buf, size_t n) {
    const struct replica_set *rs = rs_of(c);
    char rd[64], wr[64], lag[64], q[64];

    dist_describe(&rs->read_time, rd, sizeof rd);
    dist_describe(&rs->write_time, wr, sizeof wr);
    dist_describe(&rs->lag[0], lag, sizeof lag);
    if (rs->mode == REPL_QUORUM)
        snprintf(q, sizeof q, "quorum W=%u of %u", rs->write_quorum, rs->nnodes);
    else
        snprintf(q, sizeof q, "%s", repl_names[rs->mode]);
    snprintf(buf, n,
             "replica_set: primary + %u replica%s, %u worker%s each, read %s, write %s; %s "
             "replication, lag %s%s; reads from %s (%s), R=%u; failover %.3gs + %.3gs; %s",
             rs->nnodes - 1, rs->nnodes == 2 ? "" : "s", rs->workers, rs->workers == 1 ? "" : "s",
             rd, wr, q, lag, rs->nlag > 1 ? " (per replica)" : "", from_names[rs->from],
             balance_names[rs->random_balance], rs->read_quorum, (double)rs->detection_ns / 1e9,
             (double)rs->election_ns / 1e9, pmode_names[rs->ap]);
}

const struct model_ops replica_set_ops = {
    .kind = "replica_set",
    .create = rs_create,
    .resolve = rs_resolve,
    .receive = rs_receive,
    .downstream = rs_downstream,
    .describe = rs_describe,
    .destroy = rs_destroy,
    .control = rs_control,
    .extras = rs_extras,
    .restart = rs_restart,
};

int replica_primary(const struct comp *c) {
    return rs_of(c)->primary;
}

unsigned replica_nodes(const struct comp *c) {
    return rs_of(c)->nnodes;
}

size_t replica_keys(const struct comp *c) {
    return rs_of(c)->count;
}
