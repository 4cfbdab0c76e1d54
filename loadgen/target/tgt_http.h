/*
 * tgt_http — archtarget's HTTP/1.x side: requests in (one parser per connection, fed whatever
 * bytes arrive) and responses out (formatted into a tgt_buf).
 *
 * Design: libhttp-parser in HTTP_REQUEST mode does the parsing, including bodies sent with
 * Content-Length or chunked encoding, which it consumes without our help (the body is ignored:
 * the station's work is the service time, not the payload). The wrapper keeps only the URL
 * (which the parser may hand over in pieces across reads) and reports each complete request
 * through a callback, so pipelined requests in one read and requests split across reads look
 * the same to the server. Keep-alive is the parser's verdict (HTTP/1.1 unless "Connection:
 * close", HTTP/1.0 only with "Connection: keep-alive"); after a request that ends the
 * connection the parser is paused and the rest of the input is ignored, as RFC 9112 9.6 asks.
 *
 * Rejected: a hand-written request parser (chunked bodies, obs-fold and header limits are easy
 * to get subtly wrong, and the load generator already trusts libhttp-parser); keeping header
 * values (nothing in the station depends on them).
 */
#ifndef ARCHSIM_TGT_HTTP_H
#define ARCHSIM_TGT_HTTP_H

#include <stddef.h>

#include "tgt_buf.h"

/* Longest request target kept (bytes); a longer one is answered 414. */
#define TGT_HTTP_MAX_URL 8192

/* One parsed request, valid only during the callback. */
struct tgt_http_request {
    const char *method; /* "GET", "HEAD", ... (static string) */
    const char *path;   /* the target's path, e.g. "/slow" ("*" for OPTIONS *); no query */
    const char *query;  /* the text after '?', "" when none */
    int http_major, http_minor;
    int keep_alive; /* 0: this is the last request on the connection */
    int head;       /* method HEAD: the response carries no body */
};

/* Called once per complete request, in arrival order. */
typedef void tgt_http_request_fn(void *ctx, const struct tgt_http_request *req);

/* What tgt_http_feed found. */
enum tgt_http_state {
    TGT_HTTP_MORE, /* every byte used; more requests may follow */
    TGT_HTTP_LAST, /* a request ended the connection (or asked for an upgrade); later bytes
                      are ignored */
    TGT_HTTP_ERROR /* malformed input: answer tgt_http_error_status() and close */
};

/* A request parser for one connection (opaque). */
struct tgt_http;

/* A parser in its initial state. Never NULL (out of memory aborts). Free with tgt_http_free. */
struct tgt_http *tgt_http_new(void);

/* Free h. NULL is a no-op. */
void tgt_http_free(struct tgt_http *h);

/* Parse len bytes at data (borrowed), calling fn(ctx, req) for every request they complete.
 * Bytes of an incomplete request are remembered, so data may end anywhere. Once LAST or ERROR
 * has been returned, later calls return the same without parsing. */
enum tgt_http_state tgt_http_feed(struct tgt_http *h, const char *data, size_t len,
                                  tgt_http_request_fn *fn, void *ctx);

/* After TGT_HTTP_ERROR: the status to answer (400, 414 URL too long, 431 headers too large)
 * and a short description (static string). */
int tgt_http_error_status(const struct tgt_http *h);
const char *tgt_http_error_text(const struct tgt_http *h);

/* A response to format. */
struct tgt_http_response {
    int status;               /* e.g. 200; the reason phrase comes from tgt_http_reason */
    int keep_alive;           /* 0: adds "Connection: close" */
    int http10;               /* HTTP/1.0 request kept alive: adds "Connection: keep-alive" */
    int head;                 /* no body (Content-Length still gives the body's length) */
    const char *content_type; /* NULL: "text/plain" */
    const char *body;         /* body_len bytes (borrowed), may be NULL when body_len is 0 */
    size_t body_len;
    const char *extra; /* extra header lines, each ending in "\r\n", or NULL */
};

/* Append the response r (status line, Server, Content-Type, Content-Length, Connection when
 * needed, extra headers, blank line, body) to out. Always "HTTP/1.1" (RFC 9110 2.5: a server
 * sends its own version, which an HTTP/1.0 client understands). */
void tgt_http_format(struct tgt_buf *out, const struct tgt_http_response *r);

/* Reason phrase of status ("OK", "Service Unavailable", ...; "Unknown" for others). */
const char *tgt_http_reason(int status);

#endif
