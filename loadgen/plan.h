/*
 * plan — everything a load run needs, resolved before it starts: the target (URL, address,
 * TLS), the model (open: phases of a constant or Poisson rate; closed: connections and think
 * time), limits (duration, count, timeout, warm-up), the request classes with their
 * templates, key popularity, seed and segment. main.c fills it from the command line and,
 * with --scenario, from a scenario's workload; the engine only reads it.
 *
 * Request identity: request i (the schedule's global index, or k * C + c for the k-th request
 * of connection c in the closed model) gets its class and key from plan_pick, a pure function
 * of (seed, i): one PCG32 generator seeded from SplitMix64(seed, i) draws the class by weight,
 * then the key. So a request's class and key do not depend on threads, segments, timing or
 * which other requests were sent — the property that lets segments merge exactly.
 * Rejected: one class/key stream per thread (the mix would depend on the thread count).
 */
#ifndef ARCHSIM_PLAN_H
#define ARCHSIM_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "conn.h"
#include "dist.h"
#include "err.h"
#include "http.h"
#include "keydist.h"
#include "schedule.h"

/* The highest rate one process accepts, requests/s, from any source (--rate, --phase, a
 * scenario's rate or phases, both ends of a ramp). Far beyond what one machine sends; each
 * request waiting for a connection holds memory, so an absurd rate would exhaust it before
 * anything could refuse it. More is sent with --segment I/N over several processes. */
#define PLAN_MAX_RATE 10000000.0

/* A request class: what to send, and how often relative to the others. */
struct plan_class {
    char *name;             /* owned */
    double weight;          /* > 0 */
    double cum;             /* cumulative normalised weight (set by plan_finish) */
    int write;              /* the scenario says op: write */
    char *method, *path;    /* owned; NULL: the plan's defaults */
    struct http_tmpl *tmpl; /* owned; built by plan_finish */
};

struct plan {
    /* target */
    char *url;         /* as shown in output (no credentials) */
    int tls;           /* https */
    char *host, *port; /* owned; host without brackets */
    char *path;        /* path and query, default "/" */
    char *host_header; /* Host: value */
    struct conn_addr addr;
    int insecure; /* --insecure: no certificate or name check */
    char *cacert; /* owned, NULL: system trust store */
    /* model */
    int open;                   /* 1: a schedule of sends; 0: closed (connections) */
    int poisson;                /* open: Poisson arrivals, else constant spacing */
    struct sched_phase *phases; /* owned; open only */
    size_t nphases;
    unsigned threads;     /* >= 1 */
    unsigned connections; /* closed: the number; open: the cap */
    int64_t duration_ns;  /* 0: no limit (count set) */
    uint64_t count;       /* 0: no limit (duration set) */
    int64_t warmup_ns;    /* excluded from the results: events before it (engine.h) */
    int64_t timeout_ns;   /* per request, > 0 */
    int64_t interval_ns;  /* time series step, > 0 */
    struct dist think;    /* closed only; owned when has_think */
    int has_think;
    uint64_t seed;
    unsigned seg_index, seg_count; /* --segment I/N; 0/1 by default */
    /* requests */
    char *method;   /* default method, owned ("GET") */
    char **headers; /* owned "Name: value" lines */
    size_t nheaders;
    char *body; /* owned, body_len bytes, NULL: none */
    size_t body_len;
    struct plan_class *classes; /* owned; one "default" class without a scenario */
    size_t nclasses;
    struct keydist keys;
    int has_keys; /* else key = request index */
    /* reporting */
    char *name;      /* scenario name or "archload" */
    char *component; /* row name of the single class: the target's host:port */
};

/* An empty plan with the defaults (threads 1, timeout 10 s, interval 1 s, seed 1, segment
 * 0/1, method GET). Free with plan_free. */
void plan_init(struct plan *p);

/* Free everything p owns. Safe on an initialised plan, twice. */
void plan_free(struct plan *p);

/* Parse url ("http://host[:port][/path]" or https) into p's target fields (not resolved yet).
 * Returns 0, or -1 with err: unknown scheme, credentials in the URL (refused, never echoed),
 * empty host, bad port. */
int plan_set_url(struct plan *p, const char *url, struct err *err);

/* Parse a phase "DURATION@RATE" or "DURATION@RATE..RATE" (e.g. "30s@100/s..1000/s"; a rate
 * may omit "/s"). Returns 0, or -1 with err (including a rate at either end above
 * PLAN_MAX_RATE). */
int plan_parse_phase(const char *s, struct sched_phase *out, struct err *err);

/* Parse a rate "2000", "2000/s", "120/min". Returns 0, or -1 with err. */
int plan_parse_rate(const char *s, double *per_s, struct err *err);

/* Check a rate (requests/s) against PLAN_MAX_RATE. Returns 0, or -1 with err: "at most
 * 10000000/s from one process, got ... (use --segment ...)" (no location: the caller adds the
 * flag or the scenario position). */
int plan_check_rate(double per_s, struct err *err);

/* Append a phase (copied). */
void plan_add_phase(struct plan *p, const struct sched_phase *ph);

/* Append a class (name copied; method and path may be NULL for the defaults). */
void plan_add_class(struct plan *p, const char *name, double weight, int write, const char *method,
                    const char *path);

/* Take the workload of a scenario file (after the "path=value" overrides), which must be a
 * valid archsim scenario: arrival process and rate or phases, or users (connections) and think
 * time; classes with weights and op; keys; duration, warm-up, seed and name. Replaces those
 * fields of p; the caller applies its explicit flags afterwards. Returns 0, or -1 with err
 * located in the scenario (also for a rate above PLAN_MAX_RATE). */
int plan_load_scenario(struct plan *p, const char *path, const char *const *sets, size_t nsets,
                       struct err *err);

/* Resolve the target, default missing classes, normalise the weights and build every class's
 * request template. Returns 0, or -1 with err. */
int plan_finish(struct plan *p, struct err *err);

/* Class index and key of request i (see the file comment). */
void plan_pick(const struct plan *p, uint64_t i, size_t *cls, uint64_t *key);

#endif
