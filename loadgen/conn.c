/* conn — target resolution, non-blocking sockets, the plain transport; see conn.h. */
#define _GNU_SOURCE /* SOCK_NONBLOCK, SOCK_CLOEXEC */
#include "conn.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ev.h"

int conn_resolve(const char *host, const char *port, struct conn_addr *out, struct err *err) {
    struct addrinfo hints, *res = NULL, *ai;
    int rc;
    char ip[INET6_ADDRSTRLEN];

    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_protocol = IPPROTO_TCP;
    rc = getaddrinfo(host, port, &hints, &res);
    if (rc != 0 || !res)
        return err_set(err, NULL, 0, 0, "cannot resolve '%s': %s", host,
                       rc ? gai_strerror(rc) : "no address");
    /* Prefer IPv4: "localhost" often lists ::1 first while test servers listen on 127.0.0.1. */
    for (ai = res; ai && ai->ai_family != AF_INET; ai = ai->ai_next)
        ;
    if (!ai) ai = res;
    memset(out, 0, sizeof *out);
    memcpy(&out->sa, ai->ai_addr, ai->ai_addrlen);
    out->len = ai->ai_addrlen;
    if (ai->ai_family == AF_INET6) {
        const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ai->ai_addr;
        inet_ntop(AF_INET6, &s6->sin6_addr, ip, sizeof ip);
        snprintf(out->text, sizeof out->text, "[%s]:%s", ip, port);
    } else {
        const struct sockaddr_in *s4 = (const struct sockaddr_in *)ai->ai_addr;
        inet_ntop(AF_INET, &s4->sin_addr, ip, sizeof ip);
        snprintf(out->text, sizeof out->text, "%s:%s", ip, port);
    }
    freeaddrinfo(res);
    return 0;
}

int conn_open(const struct conn_addr *a) {
    int one = 1, saved;
    int fd = socket(a->sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);

    if (fd < 0) return -1;
    if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) < 0) goto fail;
    if (connect(fd, (const struct sockaddr *)&a->sa, a->len) < 0 && errno != EINPROGRESS) goto fail;
    return fd;
fail:
    saved = errno;
    close(fd);
    errno = saved;
    return -1;
}

enum io_status conn_connected(int fd) {
    int e = 0;
    socklen_t len = sizeof e;

    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len) < 0) return IO_ERR;
    if (e == 0) return IO_OK;
    errno = e;
    return IO_ERR;
}

static enum io_status plain_handshake(void *s, int fd, unsigned *want, enum conn_fail *fail) {
    (void)s;
    (void)fd;
    (void)want;
    (void)fail;
    return IO_OK;
}

static enum io_status plain_read(void *s, int fd, char *buf, size_t n, size_t *got, unsigned *want,
                                 enum conn_fail *fail) {
    ssize_t r;

    (void)s;
    do
        r = read(fd, buf, n);
    while (r < 0 && errno == EINTR);
    if (r >= 0) {
        *got = (size_t)r;
        return IO_OK;
    }
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
        *want = EV_READ;
        return IO_RETRY;
    }
    *fail = CONN_FAIL_RESET;
    return IO_ERR;
}

static enum io_status plain_write(void *s, int fd, const char *buf, size_t n, size_t *put,
                                  unsigned *want, enum conn_fail *fail) {
    ssize_t r;

    (void)s;
    do
        r = send(fd, buf, n, MSG_NOSIGNAL);
    while (r < 0 && errno == EINTR);
    if (r >= 0) {
        *put = (size_t)r;
        return IO_OK;
    }
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
        *want = EV_WRITE;
        return IO_RETRY;
    }
    *fail = CONN_FAIL_RESET;
    return IO_ERR;
}

static void plain_release(void *s) {
    (void)s;
}

static const struct conn_ops plain_ops = {plain_handshake, plain_read, plain_write, plain_release,
                                          1};

const struct conn_ops *conn_plain_ops(void) {
    return &plain_ops;
}
