/* tls — OpenSSL client context and sessions behind conn_ops; see tls.h. */
#include "tls.h"

#include <arpa/inet.h>
#include <errno.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ev.h"
#include "xmalloc.h"

struct tls_ctx {
    SSL_CTX *ctx;
    int verify;
};

struct tls_sess {
    SSL *ssl;
    char why[160];
};

static void last_error(char *buf, size_t n, const char *what) {
    unsigned long e = ERR_peek_last_error();
    char s[120];

    if (e) {
        ERR_error_string_n(e, s, sizeof s);
        snprintf(buf, n, "%s: %s", what, s);
    } else {
        snprintf(buf, n, "%s", what);
    }
}

struct tls_ctx *tls_ctx_new(int verify, const char *cafile, struct err *err) {
    struct tls_ctx *c = xcalloc(1, sizeof *c);
    char why[200];

    c->verify = verify;
    c->ctx = SSL_CTX_new(TLS_client_method());
    if (!c->ctx) {
        last_error(why, sizeof why, "SSL_CTX_new");
        err_set(err, NULL, 0, 0, "TLS: %s", why);
        goto fail;
    }
    SSL_CTX_set_min_proto_version(c->ctx, TLS1_2_VERSION);
    SSL_CTX_set_options(c->ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
    SSL_CTX_set_mode(c->ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    if (verify) {
        SSL_CTX_set_verify(c->ctx, SSL_VERIFY_PEER, NULL);
        if (cafile) {
            if (SSL_CTX_load_verify_locations(c->ctx, cafile, NULL) != 1) {
                last_error(why, sizeof why, "cannot load");
                err_set(err, cafile, 0, 0, "--cacert: %s", why);
                goto fail;
            }
        } else if (SSL_CTX_set_default_verify_paths(c->ctx) != 1) {
            last_error(why, sizeof why, "cannot load the system's trusted certificates");
            err_set(err, NULL, 0, 0, "TLS: %s", why);
            goto fail;
        }
    } else {
        SSL_CTX_set_verify(c->ctx, SSL_VERIFY_NONE, NULL);
    }
    return c;
fail:
    tls_ctx_free(c);
    return NULL;
}

void tls_ctx_free(struct tls_ctx *c) {
    if (!c) return;
    SSL_CTX_free(c->ctx);
    free(c);
}

static int is_ip(const char *host) {
    unsigned char buf[16];
    return inet_pton(AF_INET, host, buf) == 1 || inet_pton(AF_INET6, host, buf) == 1;
}

void *tls_session_new(struct tls_ctx *c, int fd, const char *host) {
    struct tls_sess *s = xcalloc(1, sizeof *s);

    s->ssl = SSL_new(c->ctx);
    if (!s->ssl || SSL_set_fd(s->ssl, fd) != 1) goto fail;
    if (!is_ip(host)) {
        if (SSL_set_tlsext_host_name(s->ssl, host) != 1) goto fail;
        if (c->verify && SSL_set1_host(s->ssl, host) != 1) goto fail;
    } else if (c->verify) {
        X509_VERIFY_PARAM *p = SSL_get0_param(s->ssl);
        if (X509_VERIFY_PARAM_set1_ip_asc(p, host) != 1) goto fail;
    }
    SSL_set_connect_state(s->ssl);
    return s;
fail:
    if (s->ssl) SSL_free(s->ssl);
    free(s);
    return NULL;
}

/* Map SSL_get_error to an io_status. */
static enum io_status status_of(struct tls_sess *s, int rc, const char *what, unsigned *want,
                                enum conn_fail *fail) {
    int e = SSL_get_error(s->ssl, rc);

    switch (e) {
        case SSL_ERROR_WANT_READ:
            *want = EV_READ;
            return IO_RETRY;
        case SSL_ERROR_WANT_WRITE:
            *want = EV_WRITE;
            return IO_RETRY;
        case SSL_ERROR_SYSCALL:
            snprintf(s->why, sizeof s->why, "%s: %s", what, errno ? strerror(errno) : "EOF");
            *fail = CONN_FAIL_RESET;
            return IO_ERR;
        default:
            if (SSL_get_verify_result(s->ssl) != X509_V_OK)
                snprintf(s->why, sizeof s->why, "%s: certificate verify failed: %s", what,
                         X509_verify_cert_error_string(SSL_get_verify_result(s->ssl)));
            else
                last_error(s->why, sizeof s->why, what);
            *fail = CONN_FAIL_TLS;
            return IO_ERR;
    }
}

static enum io_status tls_handshake(void *v, int fd, unsigned *want, enum conn_fail *fail) {
    struct tls_sess *s = v;
    int rc;

    (void)fd;
    ERR_clear_error();
    rc = SSL_do_handshake(s->ssl);
    if (rc == 1) return IO_OK;
    return status_of(s, rc, "handshake", want, fail);
}

static enum io_status tls_read(void *v, int fd, char *buf, size_t n, size_t *got, unsigned *want,
                               enum conn_fail *fail) {
    struct tls_sess *s = v;
    size_t r = 0;

    (void)fd;
    ERR_clear_error();
    if (SSL_read_ex(s->ssl, buf, n, &r) == 1) {
        *got = r;
        return IO_OK;
    }
    if (SSL_get_error(s->ssl, 0) == SSL_ERROR_ZERO_RETURN) {
        *got = 0;
        return IO_OK;
    }
    return status_of(s, 0, "read", want, fail);
}

static enum io_status tls_write(void *v, int fd, const char *buf, size_t n, size_t *put,
                                unsigned *want, enum conn_fail *fail) {
    struct tls_sess *s = v;
    size_t w = 0;

    (void)fd;
    ERR_clear_error();
    if (SSL_write_ex(s->ssl, buf, n, &w) == 1) {
        *put = w;
        return IO_OK;
    }
    return status_of(s, 0, "write", want, fail);
}

static void tls_release(void *v) {
    struct tls_sess *s = v;

    if (!s) return;
    SSL_free(s->ssl);
    free(s);
}

static const struct conn_ops ops = {tls_handshake, tls_read, tls_write, tls_release, 0};

const struct conn_ops *tls_ops(void) {
    return &ops;
}

const char *tls_session_error(const void *v) {
    const struct tls_sess *s = v;
    return s ? s->why : "";
}
