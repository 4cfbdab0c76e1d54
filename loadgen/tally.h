/*
 * tally — what the load generator measures for one request class over one interval or run:
 * counts (arrivals, completions, rejections, errors by kind, status codes) and three latency
 * histograms, convertible to the model_row that archsim's CSV writers take, so both tools
 * write the same columns with the same meaning.
 *
 * Outcome of a request (docs/loadgen.md, "Counting"):
 *   completion  a final response with status 1xx-3xx (101 included);
 *   rejected    429 Too Many Requests or 503 Service Unavailable (the server shed load, as a
 *               full bounded queue does in archsim);
 *   error       any other 4xx or 5xx; a status outside 100-599 (RFC 9110 15: a status is a
 *               three-digit code whose first digit is 1 to 5; libhttp-parser takes any number
 *               up to 999, so 999 or 42 arrive here and are the server's fault, neither a
 *               success nor a 5xx: kind "bad_status"); or a transport failure: connect,
 *               timeout, reset (closed or reset before the response ended), parse (malformed
 *               response), TLS.
 * Latencies, in ns: lat = response complete - intended send time (coordinated omission
 * corrected: time spent waiting for a connection or behind a stalled server counts); svc =
 * response complete - first byte written (the raw service time a naive client reports); fail
 * = the same as lat, for rejections and errors (a timeout's latency is >= the timeout). Only
 * completions enter lat and svc, as only successful replies do in archsim.
 *
 * Design: a value struct with public fields (a snapshot, in STYLE terms), merged by adding
 * (hist_merge is exact), so per-thread tallies combine into per-interval and per-run tallies
 * without loss. Rejected: atomic counters shared by all threads (cache-line traffic on every
 * request; merging per-thread tallies once per interval is cheaper and exact).
 */
#ifndef ARCHSIM_TALLY_H
#define ARCHSIM_TALLY_H

#include <stddef.h>
#include <stdint.h>

#include "hist.h"
#include "model.h"

/* Error kinds. */
enum tally_err {
    TALLY_E_CONNECT,
    TALLY_E_TIMEOUT,
    TALLY_E_RESET,
    TALLY_E_PARSE,
    TALLY_E_TLS,
    TALLY_E_4XX,
    TALLY_E_5XX,
    TALLY_E_STATUS, /* a status outside 100-599 */
    TALLY_NERR
};

#define TALLY_LATE_NS INT64_C(1000000) /* a send this far behind its schedule is late */
#define TALLY_NSTATUS 600 /* status[code] for codes 0..599; other codes count in status[0] */

struct tally {
    uint64_t arrivals;    /* requests whose intended send time came */
    uint64_t completions; /* see the file comment for the outcome rules */
    uint64_t rejected;
    uint64_t errors;
    uint64_t err[TALLY_NERR];
    uint64_t status[TALLY_NSTATUS];
    uint64_t body_bytes; /* response body bytes of completions */
    uint64_t held;       /* requests that waited because every connection was busy at the cap */
    int64_t held_max_ns; /* the longest such wait, ns */
    uint64_t retries;    /* requests resent once after a reused keep-alive connection closed
                          * before answering */
    uint64_t connects;   /* connections opened */
    /* Schedule lag (open model): of the answered requests that were written (lag_n), those
     * whose first byte was first written more than TALLY_LATE_NS after their intended time. */
    uint64_t lag_n, late;
    int64_t lag_max_ns; /* the largest such delay, ns */
    struct hist *lat;   /* ns, completions, from the intended send time */
    struct hist *svc;   /* ns, completions, from the actual send */
    struct hist *fail;  /* ns, rejections and errors, from the intended send time */
};

/* Initialise t empty (allocates the histograms). free with tally_free. */
void tally_init(struct tally *t);

/* Release t's histograms. Safe on a zero-filled or freed tally. */
void tally_free(struct tally *t);

/* Empty t (keeps the histograms' memory). */
void tally_reset(struct tally *t);

/* Add src into dst (counts, histograms; held_max_ns takes the maximum). */
void tally_merge(struct tally *dst, const struct tally *src);

/* Count a final response with status code for a request intended at lat_ns before now and
 * sent svc_ns before now, with body_bytes of body: a completion, rejection or error as the
 * file comment says. */
void tally_response(struct tally *t, int status, int64_t lat_ns, int64_t svc_ns,
                    uint64_t body_bytes);

/* Count one request of the open model first written lag_ns after its intended time. */
void tally_lag(struct tally *t, int64_t lag_ns);

/* Count a transport failure of kind (TALLY_E_CONNECT .. TALLY_E_TLS) after lat_ns. */
void tally_failure(struct tally *t, enum tally_err kind, int64_t lat_ns);

/* The outcome of a final response with this status: -1 for a completion or a rejection (see
 * the file comment), else the error kind (TALLY_E_4XX, TALLY_E_5XX or TALLY_E_STATUS). */
int tally_status_error(int status);

/* Column-style name of an error kind: "connect", "timeout", "reset", "parse", "tls", "4xx",
 * "5xx", "bad_status". */
const char *tally_err_name(enum tally_err kind);

/* Fill row from t measured over seconds (> 0; rates are per second of it): counts, rates,
 * error rate, latency mean and percentiles in ms (NAN without completions), in_flight as given;
 * utilization, queue and rho NAN; goodput = throughput (every completion is good); extras NAN.
 * component and kind are borrowed into the row. */
void tally_row(const struct tally *t, const char *component, const char *kind, double seconds,
               uint64_t in_flight, struct model_row *row);

#endif
