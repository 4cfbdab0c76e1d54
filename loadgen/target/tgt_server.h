/*
 * tgt_server — archtarget's HTTP side: one I/O thread with epoll that accepts connections,
 * parses requests, answers /stats, 404s and 503s itself, hands everything else to the queueing
 * station (tgt_station) and writes the finished responses back in request order.
 *
 * Design: non-blocking sockets (accept4, TCP_NODELAY), level-triggered epoll, one loop. Each
 * connection keeps its requests in arrival order; a request's response is formatted when it
 * reaches the head of that list and is complete, so pipelined requests served by different
 * workers still get their responses in order (RFC 9112 9.3.2). The station's eventfd wakes the
 * loop when workers finish. A connection that reads no more requests (Connection: close, a
 * parse error, the peer's EOF) is closed once its responses are written: after a half-close
 * (shutdown SHUT_WR) its input is drained for up to 2 s, so unread request bytes cannot turn
 * the close into a reset that destroys the last response ("lingering close"). A connection
 * closed while workers hold its requests stays allocated, without a descriptor, until they
 * come back. Back-pressure: a connection with 256 unanswered requests or 1 MiB of unwritten
 * output is not read until it drains by half.
 * Stopping (stop descriptor readable, --duration elapsed, --max-requests reached): no more
 * accepting or reading, up to 0.5 s to write the responses already complete, then return;
 * requests still in the station are abandoned.
 *
 * Rejected: a thread per connection (the point is c workers independent of the number of
 * connections, as in the model); edge-triggered epoll (every handler would have to drain to
 * EAGAIN, which fights the back-pressure); writing responses from the workers (two writers per
 * socket would need per-connection locks and break response order).
 */
#ifndef ARCHSIM_TGT_SERVER_H
#define ARCHSIM_TGT_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "dist.h"
#include "err.h"

/* Longest path in a --path override (bytes, NUL excluded). */
#define TGT_SERVER_MAX_PATH 255

/* A per-path service time. Value struct. */
struct tgt_server_path {
    char path[TGT_SERVER_MAX_PATH + 1]; /* exact match on the request path, e.g. "/slow" */
    struct dist service;                /* ns */
};

/* Server parameters. Value struct; everything pointed to is borrowed during tgt_server_new
 * only (the server keeps copies). */
struct tgt_server_config {
    const char *host;                    /* listen address, e.g. "127.0.0.1" */
    unsigned port;                       /* 0: ephemeral */
    size_t workers;                      /* c >= 1 */
    size_t queue;                        /* K; SIZE_MAX = unbounded */
    const struct dist *service;          /* default service time (ns) */
    const struct tgt_server_path *paths; /* npaths overrides */
    size_t npaths;
    int strict_paths;      /* 1: paths other than "/" and the overrides get 404 */
    double error_rate;     /* fraction answered 500, in [0, 1] */
    uint64_t seed;         /* workers' random streams */
    int64_t stall_at_ns;   /* stall window: starts this long after start ... */
    int64_t stall_for_ns;  /* ... and lasts this long (0: none) */
    int64_t spin_ns;       /* the last this-long of each service is spun, not slept (0: none) */
    int64_t duration_ns;   /* stop after this long (0: never) */
    uint64_t max_requests; /* stop after this many responses (0: no limit) */
};

struct tgt_server;

/* Bind and listen on cfg->host:cfg->port and start the workers; the clock of the stall window
 * and of --duration starts here. Returns the server (free with tgt_server_free), or NULL with
 * err filled: address not resolvable, bind/listen failure (e.g. "127.0.0.1:80: Permission
 * denied"), a worker thread or epoll that cannot be created. */
struct tgt_server *tgt_server_new(const struct tgt_server_config *cfg, struct err *err);

/* The bound address as "HOST:PORT" ("[ADDR]:PORT" for IPv6), with the real port when 0 was
 * asked for. Owned by s. */
const char *tgt_server_address(const struct tgt_server *s);

/* Serve until stop_fd (a descriptor the caller owns, e.g. a signalfd; -1 for none) becomes
 * readable, the duration elapses or max_requests responses have been counted. Returns 0, or
 * -1 with err when epoll itself fails. Call once. */
int tgt_server_run(struct tgt_server *s, int stop_fd, struct err *err);

/* Stop the workers, close every connection and free s. NULL is a no-op. */
void tgt_server_free(struct tgt_server *s);

#endif
