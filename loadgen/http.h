/*
 * http — HTTP/1.1 for the load generator: request templates rendered to bytes, and a response
 * reader over libhttp-parser.
 *
 * Requests: a template holds the method, a path that may contain {key}, the Host header, the
 * user's headers and a body. Without {key} the whole request is built once and every send
 * writes the same bytes (no copy); with it, each send renders the request into a per-connection
 * buffer. Either way the request goes out in one write. Secrets never reach output: the values
 * of Authorization, Proxy-Authorization, Cookie and X-Api-Key are shown as "[redacted]" by
 * http_header_display, the only way headers are printed.
 *
 * Responses: http_resp wraps an http_parser (nodejs/http-parser 2.9) and reports DONE at the
 * end of the final response. It handles Content-Length, chunked bodies (chunked wins when both
 * are present, RFC 9112 6.3: allow_chunked_length), bodies ended by EOF (no length,
 * Connection: close or HTTP/1.0), interim 1xx responses (skipped; the final one follows), HEAD
 * (headers only, whatever Content-Length says), and 204/304 (no body). The parser pauses at
 * the end of the final response, so bytes after it are reported (a pipelining or garbage
 * server): the caller must not reuse such a connection.
 *
 * Rejected: a hand-written response parser (the chunked state machine and header folding are
 * exactly where hand-written parsers go wrong, and libhttp-parser is fuzzed); picohttpparser
 * (not packaged in Debian); keeping the response headers (only status, keep-alive and body
 * size are needed: storing headers would cost a copy per response).
 */
#ifndef ARCHSIM_HTTP_H
#define ARCHSIM_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* --- requests ------------------------------------------------------------------------------ */

struct http_tmpl;

/* A growable byte buffer (value struct; free buf with http_buf_free). */
struct http_buf {
    char *buf;
    size_t len, cap;
};
void http_buf_free(struct http_buf *b);

/* Build a request template. method: a token ("GET"); path: starts with '/', may contain {key}
 * (every occurrence is replaced); host_header: the Host value (e.g. "127.0.0.1:8080");
 * headers: "Name: value" lines (borrowed, copied); body: body_len bytes (copied; NULL with 0:
 * no body). A Content-Length is added when there is a body or the method is POST, PUT or
 * PATCH; a User-Agent unless the user gave one; the user's Host replaces ours. Returns NULL
 * with err for an invalid method, path or header line (no colon, CR/LF inside). */
struct http_tmpl *http_tmpl_new(const char *method, const char *path, const char *host_header,
                                const char *const *headers, size_t nheaders, const char *body,
                                size_t body_len, struct err *err);

/* Free t. NULL is a no-op. */
void http_tmpl_free(struct http_tmpl *t);

/* The bytes of the request for key: either the template's own (when the path has no {key}) or
 * rendered into scratch (grown as needed). *len gets the length. The pointer is valid until
 * the template is freed or scratch is reused. */
const char *http_tmpl_render(const struct http_tmpl *t, uint64_t key, struct http_buf *scratch,
                             size_t *len);

/* 1 when the method is HEAD (the response has no body). */
int http_tmpl_is_head(const struct http_tmpl *t);

/* 1 when the path contains {key}. */
int http_tmpl_has_key(const struct http_tmpl *t);

/* "METHOD path" for reports, e.g. "GET /items/{key}". Owned by t. */
const char *http_tmpl_describe(const struct http_tmpl *t);

/* Number of user headers and the display form of header i ("Authorization: [redacted]"),
 * owned by t. */
size_t http_tmpl_nheaders(const struct http_tmpl *t);
const char *http_tmpl_header_display(const struct http_tmpl *t, size_t i);

/* 1 when a header of this name (case-insensitive, without the colon) carries a secret. */
int http_header_is_secret(const char *name, size_t len);

/* Write the display form of a "Name: value" line into out (size n, NUL-terminated): secret
 * values become "[redacted]". Returns out. */
char *http_header_display(const char *line, char *out, size_t n);

/* --- responses ----------------------------------------------------------------------------- */

enum http_state { HTTP_MORE, HTTP_DONE, HTTP_BAD };

struct http_resp;

/* A response reader. Never NULL. Free with http_resp_free. */
struct http_resp *http_resp_new(void);
void http_resp_free(struct http_resp *r);

/* Expect a new response to a request (head: the request was HEAD). */
void http_resp_start(struct http_resp *r, int head);

/* Feed len bytes. Returns HTTP_MORE (need more), HTTP_DONE (the final response is complete;
 * *used bytes were consumed, len - *used are extra bytes after it), or HTTP_BAD (malformed;
 * http_resp_error says why). Do not feed after DONE or BAD without http_resp_start. */
enum http_state http_resp_feed(struct http_resp *r, const char *buf, size_t len, size_t *used);

/* The peer closed the connection: HTTP_DONE when that ends the body (a response without
 * length), else HTTP_BAD (truncated, or nothing received). */
enum http_state http_resp_eof(struct http_resp *r);

/* Bytes fed since http_resp_start (0: the server sent nothing). */
uint64_t http_resp_bytes(const struct http_resp *r);

/* After DONE: the final status code, body bytes, and whether the connection may be reused
 * (HTTP/1.1 without Connection: close, or HTTP/1.0 with keep-alive, no extra bytes). The status
 * is the number the server sent, 0 to 999 (libhttp-parser's range; only 100-199 but 101 are
 * taken as interim): one outside 100-599 is passed on as it is, and tally_response counts it
 * as a "bad_status" error. */
int http_resp_status(const struct http_resp *r);
uint64_t http_resp_body_bytes(const struct http_resp *r);
int http_resp_keep_alive(const struct http_resp *r);

/* After BAD: a short reason ("invalid HTTP status code", "connection closed before the end of
 * the response"). Static string. */
const char *http_resp_error(const struct http_resp *r);

#endif
