/*
 * conn — TCP connections for the load generator: resolve the target once, open non-blocking
 * sockets with TCP_NODELAY, and move bytes through one ops table that plain sockets and TLS
 * (tls.c) both implement [wrk src/net.h].
 *
 * Design: the name is resolved once with getaddrinfo before the run (a resolver call per
 * connection would put DNS latency into the measurements and hammer the resolver); every
 * connection then connects to that address. Sockets are non-blocking from the start
 * (SOCK_NONBLOCK), so connect returns EINPROGRESS and completion is read from SO_ERROR when
 * the socket turns writable. TCP_NODELAY because a request is one write and its response is
 * awaited: Nagle's algorithm would only add delay. Operations return IO_OK, IO_RETRY (would
 * block: wait for the readiness in *want) or IO_ERR (with an error kind), so the engine's state
 * machine is the same for plain and TLS sockets.
 *
 * Rejected: blocking sockets on many threads (a thread per connection does not scale to
 * thousands of connections, and thread scheduling delays would enter the latencies); SO_LINGER
 * 0 resets on close (saves TIME_WAIT on the client but hides orderly shutdown from servers).
 */
#ifndef ARCHSIM_CONN_H
#define ARCHSIM_CONN_H

#include <stddef.h>
#include <sys/socket.h>

#include "err.h"

enum io_status { IO_OK, IO_RETRY, IO_ERR };

/* What failed, for the error counts. */
enum conn_fail {
    CONN_FAIL_NONE,
    CONN_FAIL_CONNECT, /* connect refused, unreachable, ... */
    CONN_FAIL_RESET,   /* reset, broken pipe, closed early */
    CONN_FAIL_TLS      /* handshake, certificate, protocol */
};

/* A resolved target address (value struct). */
struct conn_addr {
    struct sockaddr_storage sa;
    socklen_t len;
    char text[80]; /* "127.0.0.1:8080" or "[::1]:8080" */
};

/* Resolve host and port (numeric string) with getaddrinfo, taking the first IPv4 address, else
 * the first address.
 * Returns 0, or -1 with err ("cannot resolve 'x': ..."). */
int conn_resolve(const char *host, const char *port, struct conn_addr *out, struct err *err);

/* Open a non-blocking TCP socket to a with TCP_NODELAY and start connecting. Returns the
 * descriptor (connected or in progress), or -1 with errno set (EMFILE, ECONNREFUSED, ...). The
 * caller owns and closes it. */
int conn_open(const struct conn_addr *a);

/* After the socket became writable: IO_OK when connected, IO_ERR (errno set) when not. */
enum io_status conn_connected(int fd);

/* Byte transport over a connected socket: plain or TLS. s is the transport's per-connection
 * state (NULL for plain). On IO_RETRY, *want is EV_READ or EV_WRITE (ev.h); on IO_ERR, *fail
 * tells the kind. read: IO_OK with *got == 0 means the peer closed (EOF). */
struct conn_ops {
    /* Finish the transport's own handshake (plain: nothing). */
    enum io_status (*handshake)(void *s, int fd, unsigned *want, enum conn_fail *fail);
    enum io_status (*read)(void *s, int fd, char *buf, size_t n, size_t *got, unsigned *want,
                           enum conn_fail *fail);
    enum io_status (*write)(void *s, int fd, const char *buf, size_t n, size_t *put, unsigned *want,
                            enum conn_fail *fail);
    /* Release s (not the descriptor). NULL ok. */
    void (*release)(void *s);
    /* 1 when a read that returned fewer bytes than asked took everything there was (a plain
     * socket): the reader may wait for readiness instead of reading again only to get
     * IO_RETRY. 0 when the transport may hold bytes back (TLS buffers whole records), so the
     * reader must read until IO_RETRY. */
    int short_read_drains;
};

/* The plain TCP transport. */
const struct conn_ops *conn_plain_ops(void);

#endif
