/*
 * tls — HTTPS for the load generator: an OpenSSL client context shared by all threads, one
 * session per connection, driven through the same conn_ops table as plain sockets [wrk
 * src/ssl.c].
 *
 * Design: verification is on by default (the system's trust store, or --cacert FILE), with the
 * host name (or IP address) checked against the certificate by OpenSSL itself
 * (SSL_set1_host / X509_VERIFY_PARAM_set1_ip_asc); --insecure turns both off. SNI carries the
 * URL's host name (never an IP literal, RFC 6066 section 3). Unexpected EOF without
 * close_notify is treated as an orderly close (SSL_OP_IGNORE_UNEXPECTED_EOF), because many
 * servers end Connection: close responses that way and the HTTP layer knows whether the
 * response was complete. The OpenSSL error queue is cleared before every call so SSL_get_error
 * reports this call's failure and not an old one (a classic multi-connection bug).
 *
 * Rejected: session resumption (keep-alive makes handshakes rare, and a resumed handshake
 * would measure something else than a fresh client does); memory BIOs with our own socket I/O
 * (one more copy per byte; the socket BIO is enough for non-blocking sockets).
 */
#ifndef ARCHSIM_TLS_H
#define ARCHSIM_TLS_H

#include "conn.h"
#include "err.h"

struct tls_ctx;

/* A client context. verify: check the peer's certificate chain and name; cafile: PEM file of
 * trusted certificates (NULL: the system's default paths). Returns NULL with err when OpenSSL
 * cannot create the context or read cafile. Thread-safe to use from many threads once built.
 * Free with tls_ctx_free. */
struct tls_ctx *tls_ctx_new(int verify, const char *cafile, struct err *err);

/* Free ctx. NULL is a no-op. Free every session first. */
void tls_ctx_free(struct tls_ctx *ctx);

/* A session over the connected socket fd for host (the URL's host: SNI and name check).
 * Returns the transport state to pass to tls_ops() functions (released by its release), or
 * NULL when OpenSSL cannot allocate one. */
void *tls_session_new(struct tls_ctx *ctx, int fd, const char *host);

/* The TLS transport (handshake = TLS handshake). */
const struct conn_ops *tls_ops(void);

/* The last failure's description for session s ("certificate verify failed ..."), or "". */
const char *tls_session_error(const void *s);

#endif
