/*
 * Tests for loadgen's HTTP layer, event loop and engine: the response reader fed whole, byte by
 * byte and split at every byte (chunked, empty chunked, chunked over Content-Length,
 * EOF-terminated bodies, HTTP/1.0, 1xx, HEAD, 204/304, malformed and truncated responses);
 * request templates and secret redaction; the event loop's timers; the rate cap; then the engine
 * against a scripted loopback server running on a thread of this process (one table of exact
 * answers per mode: a response cut short, a server that never answers, nothing listening, a
 * malformed status line, HTTP/1.0 bodies ended by EOF, keep-alive connections closed while idle, a
 * stall under an open schedule, ...), checking counts computed by hand, and the measured window the
 * rates divide by.
 */
#define _DEFAULT_SOURCE /* usleep */
#include <CUnit/CUnit.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "csv_out.h"
#include "engine.h"
#include "ev.h"
#include "hist.h"
#include "http.h"
#include "plan.h"
#include "run.h"
#include "summary.h"
#include "tally.h"

void test_http_register(void);

/* --- the response reader ----------------------------------------------------------------- */

struct parsed {
    enum http_state st;
    int status, keep;
    uint64_t body;
    size_t used; /* bytes consumed when DONE */
};

static struct parsed finish(struct http_resp *r, enum http_state st, size_t used) {
    struct parsed p;

    p.st = st;
    p.used = used;
    p.status = st == HTTP_DONE ? http_resp_status(r) : 0;
    p.keep = st == HTTP_DONE ? http_resp_keep_alive(r) : 0;
    p.body = st == HTTP_DONE ? http_resp_body_bytes(r) : 0;
    return p;
}

/* Feed s in pieces cut at the given offsets (ascending, < len); then EOF if eof and still
 * MORE. */
static struct parsed feed_cuts(const char *s, size_t len, int head, int eof, const size_t *cuts,
                               size_t ncuts) {
    struct http_resp *r = http_resp_new();
    enum http_state st = HTTP_MORE;
    size_t off = 0, total_used = 0;
    struct parsed p;

    http_resp_start(r, head);
    for (size_t k = 0; k <= ncuts && st == HTTP_MORE; k++) {
        size_t end = k < ncuts ? cuts[k] : len, used = 0;
        if (end > off) {
            st = http_resp_feed(r, s + off, end - off, &used);
            total_used += used;
        }
        off = end;
    }
    if (st == HTTP_MORE && eof) st = http_resp_eof(r);
    p = finish(r, st, total_used);
    http_resp_free(r);
    return p;
}

static struct parsed feed_whole(const char *s, int head, int eof) {
    return feed_cuts(s, strlen(s), head, eof, NULL, 0);
}

static struct parsed feed_bytes(const char *s, int head, int eof) {
    size_t len = strlen(s);
    size_t *cuts = malloc((len ? len : 1) * sizeof *cuts);
    struct parsed p;

    for (size_t i = 0; i + 1 < len; i++)
        cuts[i] = i + 1;
    p = feed_cuts(s, len, head, eof, cuts, len ? len - 1 : 0);
    free(cuts);
    return p;
}

static void expect(struct parsed p, enum http_state st, int status, uint64_t body, int keep) {
    CU_ASSERT_EQUAL(p.st, st);
    if (st != HTTP_DONE) return;
    CU_ASSERT_EQUAL(p.status, status);
    CU_ASSERT_EQUAL(p.body, body);
    CU_ASSERT_EQUAL(p.keep, keep);
}

/* Whole, byte by byte, and split in two at every byte: all the same. */
static void expect_all_ways(const char *s, int head, int eof, enum http_state st, int status,
                            uint64_t body, int keep) {
    size_t len = strlen(s);

    expect(feed_whole(s, head, eof), st, status, body, keep);
    expect(feed_bytes(s, head, eof), st, status, body, keep);
    for (size_t at = 1; at < len; at++) {
        struct parsed p = feed_cuts(s, len, head, eof, &at, 1);
        expect(p, st, status, body, keep);
    }
}

static void test_content_length(void) {
    expect_all_ways("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", 0, 0, HTTP_DONE, 200, 5,
                    1);
    expect_all_ways("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", 0, 0, HTTP_DONE, 404, 0,
                    1);
    /* Connection: close with a length: complete without EOF, not reusable. */
    expect_all_ways("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok", 0, 0,
                    HTTP_DONE, 200, 2, 0);
}

static void test_chunked(void) {
    const char *s = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                    "5\r\nhello\r\n6\r\n world\r\n1a;ext=1\r\nabcdefghijklmnopqrstuvwxyz\r\n"
                    "0\r\nTrailer: x\r\n\r\n";
    expect_all_ways(s, 0, 0, HTTP_DONE, 200, 37, 1);
}

static void test_chunked_empty(void) {
    expect_all_ways("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 0, 0,
                    HTTP_DONE, 200, 0, 1);
}

static void test_chunked_wins(void) {
    /* Both headers: the chunked framing decides (5 bytes), not Content-Length: 3. */
    expect_all_ways("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"
                    "5\r\nhello\r\n0\r\n\r\n",
                    0, 0, HTTP_DONE, 200, 5, 0);
}

static void test_eof_body(void) {
    /* No length, Connection: close: the body runs to EOF and that is a success. */
    expect_all_ways("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nabcdef", 0, 1, HTTP_DONE, 200, 6,
                    0);
    /* HTTP/1.0 without a length: the same. */
    expect_all_ways("HTTP/1.0 200 OK\r\nServer: x\r\n\r\nxyz", 0, 1, HTTP_DONE, 200, 3, 0);
    /* Without the EOF it is not complete. */
    CU_ASSERT_EQUAL(feed_whole("HTTP/1.0 200 OK\r\n\r\nxyz", 0, 0).st, HTTP_MORE);
}

static void test_http10_keep_alive(void) {
    expect_all_ways("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nok", 0,
                    0, HTTP_DONE, 200, 2, 1);
    expect_all_ways("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok", 0, 0, HTTP_DONE, 200, 2, 0);
}

static void test_interim(void) {
    expect_all_ways("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
                    "HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok",
                    0, 0, HTTP_DONE, 201, 2, 1);
}

static void test_no_body(void) {
    /* HEAD: the Content-Length describes the GET body, none follows. */
    expect_all_ways("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n", 1, 0, HTTP_DONE, 200, 0, 1);
    expect_all_ways("HTTP/1.1 204 No Content\r\n\r\n", 0, 0, HTTP_DONE, 204, 0, 1);
    expect_all_ways("HTTP/1.1 304 Not Modified\r\nContent-Length: 50\r\n\r\n", 0, 0, HTTP_DONE, 304,
                    0, 1);
}

static void test_malformed(void) {
    CU_ASSERT_EQUAL(feed_whole("HTTP/1.1 2x0 OK\r\n\r\n", 0, 1).st, HTTP_BAD);
    CU_ASSERT_EQUAL(feed_bytes("HTTP/1.1 2x0 OK\r\n\r\n", 0, 1).st, HTTP_BAD);
    CU_ASSERT_EQUAL(feed_whole("HTXP/1.1 200 OK\r\n\r\n", 0, 1).st, HTTP_BAD);
    CU_ASSERT_EQUAL(feed_whole("hello world\r\n", 0, 1).st, HTTP_BAD);
    CU_ASSERT_EQUAL(
        feed_whole("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 0, 1).st,
        HTTP_BAD);
}

static void test_truncated(void) {
    struct http_resp *r = http_resp_new();

    CU_ASSERT_EQUAL(feed_whole("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", 0, 1).st,
                    HTTP_BAD);
    CU_ASSERT_EQUAL(feed_whole("HTTP/1.1 200 OK\r\nContent-", 0, 1).st, HTTP_BAD);
    CU_ASSERT_EQUAL(
        feed_whole("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel", 0, 1).st,
        HTTP_BAD);
    /* Nothing at all, then EOF. */
    http_resp_start(r, 0);
    CU_ASSERT_EQUAL(http_resp_eof(r), HTTP_BAD);
    CU_ASSERT_EQUAL(http_resp_bytes(r), 0);
    http_resp_free(r);
}

static void test_extra_bytes(void) {
    const char *s = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokGARBAGE";
    struct parsed p = feed_whole(s, 0, 0);

    CU_ASSERT_EQUAL(p.st, HTTP_DONE);
    CU_ASSERT_EQUAL(p.used, strlen(s) - 7);
    CU_ASSERT_EQUAL(p.keep, 0); /* never reuse a connection that sent more than asked */
}

/* --- request templates ------------------------------------------------------------------- */

static void test_template(void) {
    const char *hdr[] = {"Authorization: Bearer s3cr3t", "X-Trace: 7", "cookie: id=99"};
    struct err e;
    struct http_buf b = {NULL, 0, 0};
    struct http_tmpl *t =
        http_tmpl_new("PUT", "/items/{key}?again={key}", "h:8080", hdr, 3, "abc", 3, &e);
    const char *want = "PUT /items/42?again=42 HTTP/1.1\r\nHost: h:8080\r\n"
                       "Authorization: Bearer s3cr3t\r\nX-Trace: 7\r\ncookie: id=99\r\n"
                       "User-Agent: archload\r\nContent-Length: 3\r\n\r\nabc";
    size_t len = 0;
    const char *got;

    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    got = http_tmpl_render(t, 42, &b, &len);
    CU_ASSERT_EQUAL(len, strlen(want));
    CU_ASSERT_NSTRING_EQUAL(got, want, strlen(want));
    CU_ASSERT_TRUE(http_tmpl_has_key(t));
    CU_ASSERT_STRING_EQUAL(http_tmpl_describe(t), "PUT /items/{key}?again={key}");
    CU_ASSERT_STRING_EQUAL(http_tmpl_header_display(t, 0), "Authorization: [redacted]");
    CU_ASSERT_STRING_EQUAL(http_tmpl_header_display(t, 1), "X-Trace: 7");
    CU_ASSERT_STRING_EQUAL(http_tmpl_header_display(t, 2), "cookie: [redacted]");
    http_tmpl_free(t);
    http_buf_free(&b);

    /* No {key}: the same bytes every time, built once. */
    t = http_tmpl_new("HEAD", "/", "h", NULL, 0, NULL, 0, &e);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    got = http_tmpl_render(t, 1, &b, &len);
    CU_ASSERT_NSTRING_EQUAL(got, "HEAD / HTTP/1.1\r\nHost: h\r\nUser-Agent: archload\r\n\r\n", len);
    CU_ASSERT_TRUE(http_tmpl_is_head(t));
    CU_ASSERT_PTR_NULL(b.buf);
    http_tmpl_free(t);

    /* Rejections, and the rejected secret is not echoed. */
    CU_ASSERT_PTR_NULL(http_tmpl_new("G T", "/", "h", NULL, 0, NULL, 0, &e));
    CU_ASSERT_PTR_NULL(http_tmpl_new("GET", "x", "h", NULL, 0, NULL, 0, &e));
    CU_ASSERT_PTR_NULL(http_tmpl_new("GET", "/a b", "h", NULL, 0, NULL, 0, &e));
    {
        const char *bad[] = {"Authorization: x\r\nInjected: 1"};
        CU_ASSERT_PTR_NULL(http_tmpl_new("GET", "/", "h", bad, 1, NULL, 0, &e));
        CU_ASSERT_PTR_NULL(strstr(e.msg, "Injected"));
    }
}

/* --- the event loop's timers ------------------------------------------------------------- */

struct fired {
    int order[8], n;
    int64_t at[8];
};

struct tctx {
    struct fired *f;
    int id;
};

static void on_test_timer(struct ev *ev, struct ev_timer *t) {
    struct tctx *c = t->ud;

    (void)ev;
    if (c->f->n < 8) {
        c->f->order[c->f->n] = c->id;
        c->f->at[c->f->n++] = ev_now();
    }
}

/* Timers fire in (time, start order), never before their time, and a stopped timer never
 * fires; a timer moved later after the timerfd was armed for it fires at its new time (the
 * early expiry is a spurious wake-up, then the timerfd is re-armed), and the timerfd, never
 * read, still wakes the loop for the next expiry. "Late" is bounded by 100 ms: a loaded 2-core
 * machine may not run the thread at once. */
static void test_ev_timers(void) {
    struct err e;
    struct ev *ev = ev_new(&e);
    struct fired f;
    struct tctx c[5];
    struct ev_timer t[5];
    const int64_t ms = 1000000;
    int64_t t0, want[5];

    CU_ASSERT_PTR_NOT_NULL_FATAL(ev);
    memset(&f, 0, sizeof f);
    for (int i = 0; i < 5; i++) {
        c[i].f = &f;
        c[i].id = i;
        ev_timer_init(&t[i], on_test_timer, &c[i]);
    }
    t0 = ev_now();
    want[0] = t0 + 30 * ms;
    want[1] = t0 + 10 * ms;
    want[2] = t0 + 20 * ms;
    want[3] = t0 + 10 * ms; /* same time as 1, started after it: fires after it */
    want[4] = t0 + 15 * ms; /* stopped before it is due */
    for (int i = 0; i < 5; i++)
        ev_timer_start(ev, &t[i], want[i]);
    ev_timer_stop(ev, &t[4]);
    CU_ASSERT_EQUAL(ev_timer_count(ev), 4);
    while (f.n < 4 && ev_now() - t0 < 2000 * ms)
        CU_ASSERT_EQUAL_FATAL(ev_run_once(ev, &e), 0);
    CU_ASSERT_EQUAL(f.n, 4);
    CU_ASSERT(f.order[0] == 1 && f.order[1] == 3 && f.order[2] == 2 && f.order[3] == 0);
    for (int k = 0; k < f.n; k++) {
        CU_ASSERT(f.at[k] >= want[f.order[k]]);
        CU_ASSERT(f.at[k] - want[f.order[k]] < 100 * ms);
    }
    CU_ASSERT_EQUAL(ev_timer_count(ev), 0);

    /* Armed for 30 ms (the wake-up makes the loop arm and return at once), then moved to 60 ms:
     * the timerfd expires at 30 ms for nothing, is re-armed, and fires the timer at 60 ms. */
    memset(&f, 0, sizeof f);
    t0 = ev_now();
    ev_timer_start(ev, &t[0], t0 + 30 * ms);
    ev_wake(ev);
    CU_ASSERT_EQUAL(ev_run_once(ev, &e), 0);
    ev_timer_start(ev, &t[0], t0 + 60 * ms);
    while (f.n < 1 && ev_now() - t0 < 2000 * ms)
        CU_ASSERT_EQUAL_FATAL(ev_run_once(ev, &e), 0);
    CU_ASSERT_EQUAL(f.n, 1);
    CU_ASSERT(f.at[0] >= t0 + 60 * ms && f.at[0] < t0 + 160 * ms);
    ev_free(ev);
}

/* --- rate limits --------------------------------------------------------------------------- */

/* PLAN_MAX_RATE holds for every rate, both ends of a ramp included (main.c applies the same
 * check to --rate and names the flag; a scenario's rates are checked with their position). */
static void test_rate_cap(void) {
    struct sched_phase ph;
    struct err e;

    CU_ASSERT_EQUAL(plan_check_rate(10000000, &e), 0);
    CU_ASSERT_EQUAL(plan_check_rate(10000001, &e), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "at most 10000000/s"));
    CU_ASSERT_EQUAL(plan_parse_phase("1s@10000000/s", &ph, &e), 0);
    CU_ASSERT_EQUAL(plan_parse_phase("1s@20000000/s", &ph, &e), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "at most 10000000/s"));
    CU_ASSERT_EQUAL(plan_parse_phase("10s@100/s..2e7/s", &ph, &e), -1); /* the ramp's end */
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "got 20000000/s"));
    CU_ASSERT_EQUAL(plan_parse_phase("10s@2e7/s..100/s", &ph, &e), -1); /* its start */
    CU_ASSERT_EQUAL(plan_parse_phase("10s@100/s..10000000/s", &ph, &e), 0);
}

/* --- a scripted loopback server ---------------------------------------------------------- */

enum srv_mode {
    SRV_OK,          /* 200, Content-Length 2, keep-alive */
    SRV_CLOSE_MID,   /* headers promise 100 bytes, 3 are sent, then close */
    SRV_SILENT,      /* read the request, never answer */
    SRV_BAD_STATUS,  /* "HTTP/1.1 2x0 OK", then close */
    SRV_HTTP10,      /* HTTP/1.0 body ended by EOF */
    SRV_EMPTY,       /* 200, Content-Length 0, keep-alive */
    SRV_500,         /* 500, Content-Length 0, keep-alive */
    SRV_IDLE_CLOSE,  /* answer the first request of a connection, close at the second */
    SRV_STALL,       /* SRV_OK, but request number stall_at waits stall_ms first */
    SRV_CLOSE_AFTER, /* SRV_OK, but the close_after-th response of a connection is its last:
                      * with "Connection: close" when close_hdr, else the server just closes
                      * after writing it */
    SRV_BIG,         /* one 200 with Content-Length 52428800, written 64 KiB at a time */
    SRV_SOME_SILENT, /* SRV_OK, except that request n with n % 3 == 2 is never answered */
    SRV_NMODES
};

#define RESP_OK       "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
#define RESP_OK_CLOSE "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok"

/* What a request gets: the bytes written (NULL: nothing) and whether the server then closes
 * the connection. A fixed answer per mode for the modes listed before SRV_IDLE_CLOSE;
 * srv_answer decides for the others. */
struct srv_answer {
    const char *bytes;
    int close;
};

static const struct srv_answer fixed_answer[SRV_NMODES] = {
    [SRV_OK] = {RESP_OK, 0},
    [SRV_CLOSE_MID] = {"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc", 1},
    [SRV_SILENT] = {NULL, 0},
    [SRV_BAD_STATUS] = {"HTTP/1.1 2x0 OK\r\nContent-Length: 0\r\n\r\n", 1},
    [SRV_HTTP10] = {"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nhello from 1.0", 1},
    [SRV_EMPTY] = {"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 0},
    [SRV_500] = {"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n", 0},
};

/* The server's script: a mode and its parameters. Value struct, copied by srv_start before the
 * server thread starts. */
struct srv_script {
    enum srv_mode mode;
    unsigned stall_at, stall_ms; /* SRV_STALL */
    unsigned close_after;        /* SRV_CLOSE_AFTER */
    int close_hdr;               /* SRV_CLOSE_AFTER */
};

#define BIG_BODY  52428800u /* 50 MiB */
#define BIG_CHUNK 65536u

#define SRV_MAX 64

struct srv {
    int lfd, port, wake[2];
    pthread_t th;
    struct srv_script sc;
    unsigned requests, accepted, reads; /* read after join */
    int fds[SRV_MAX];
    unsigned served[SRV_MAX];
    char buf[SRV_MAX][4096];
    size_t len[SRV_MAX];
};

static void srv_write_n(int fd, const char *s, size_t n) {
    size_t off = 0;
    while (off < n) {
        ssize_t w = write(fd, s + off, n - off);
        if (w <= 0) return;
        off += (size_t)w;
    }
}

static void srv_close(struct srv *s, int i) {
    close(s->fds[i]);
    s->fds[i] = -1;
}

/* The answer to request number n, the served-th on its connection. */
static struct srv_answer srv_answer(const struct srv_script *sc, unsigned n, unsigned served) {
    struct srv_answer a = {RESP_OK, 0};

    switch (sc->mode) {
        case SRV_IDLE_CLOSE:
            if (served > 0) {
                a.bytes = NULL;
                a.close = 1;
            }
            return a;
        case SRV_STALL:
            if (n == sc->stall_at) usleep(sc->stall_ms * 1000u);
            return a;
        case SRV_CLOSE_AFTER:
            a.close = served + 1 >= sc->close_after;
            if (a.close && sc->close_hdr) a.bytes = RESP_OK_CLOSE;
            return a;
        case SRV_BIG:
            a.bytes = "HTTP/1.1 200 OK\r\nContent-Length: 52428800\r\n\r\n";
            return a;
        case SRV_SOME_SILENT:
            if (n % 3 == 2) a.bytes = NULL;
            return a;
        default:
            return fixed_answer[sc->mode];
    }
}

/* A full request head arrived on slot i: answer it per the script. */
static void srv_request(struct srv *s, int i) {
    static const char chunk[BIG_CHUNK];
    struct srv_answer a = srv_answer(&s->sc, s->requests++, s->served[i]);
    int fd = s->fds[i];

    if (a.bytes) srv_write_n(fd, a.bytes, strlen(a.bytes));
    if (s->sc.mode == SRV_BIG)
        for (unsigned k = 0; k < BIG_BODY / BIG_CHUNK; k++)
            srv_write_n(fd, chunk, sizeof chunk);
    if (a.close)
        srv_close(s, i);
    else
        s->served[i]++;
}

static void *srv_main(void *arg) {
    struct srv *s = arg;

    for (;;) {
        struct pollfd pf[SRV_MAX + 2];
        int map[SRV_MAX + 2], n = 0;

        pf[n].fd = s->wake[0];
        pf[n++].events = POLLIN;
        pf[n].fd = s->lfd;
        pf[n++].events = POLLIN;
        for (int i = 0; i < SRV_MAX; i++)
            if (s->fds[i] >= 0) {
                map[n] = i;
                pf[n].fd = s->fds[i];
                pf[n++].events = POLLIN;
            }
        if (poll(pf, (nfds_t)n, -1) < 0) continue;
        if (pf[0].revents) break;
        if (pf[1].revents & POLLIN) {
            int fd = accept(s->lfd, NULL, NULL);
            for (int i = 0; fd >= 0 && i < SRV_MAX; i++)
                if (s->fds[i] < 0) {
                    s->fds[i] = fd;
                    s->len[i] = 0;
                    s->served[i] = 0;
                    s->accepted++;
                    fd = -1;
                }
            if (fd >= 0) close(fd);
        }
        for (int k = 2; k < n; k++) {
            int i = map[k];
            ssize_t r;
            char *end;
            if (!pf[k].revents || s->fds[i] < 0) continue;
            r = read(s->fds[i], s->buf[i] + s->len[i], sizeof s->buf[i] - 1 - s->len[i]);
            if (r <= 0) {
                srv_close(s, i);
                continue;
            }
            s->reads++;
            s->len[i] += (size_t)r;
            s->buf[i][s->len[i]] = 0;
            while (s->fds[i] >= 0 && (end = strstr(s->buf[i], "\r\n\r\n")) != NULL) {
                size_t used = (size_t)(end + 4 - s->buf[i]);
                memmove(s->buf[i], s->buf[i] + used, s->len[i] - used + 1);
                s->len[i] -= used;
                srv_request(s, i);
            }
        }
    }
    for (int i = 0; i < SRV_MAX; i++)
        if (s->fds[i] >= 0) srv_close(s, i);
    return NULL;
}

/* Start a server on a free loopback port running script sc (copied). */
static struct srv *srv_start_script(const struct srv_script *sc) {
    struct srv *s = calloc(1, sizeof *s);
    struct sockaddr_in a;
    socklen_t len = sizeof a;

    s->sc = *sc;
    for (int i = 0; i < SRV_MAX; i++)
        s->fds[i] = -1;
    s->lfd = socket(AF_INET, SOCK_STREAM, 0);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(s->lfd, (struct sockaddr *)&a, sizeof a) || listen(s->lfd, 128) ||
        getsockname(s->lfd, (struct sockaddr *)&a, &len) || pipe(s->wake)) {
        perror("srv_start");
        abort();
    }
    s->port = ntohs(a.sin_port);
    pthread_create(&s->th, NULL, srv_main, s);
    return s;
}

static struct srv *srv_start(enum srv_mode mode) {
    struct srv_script sc = {mode, 0, 0, 0, 0};
    return srv_start_script(&sc);
}

/* Stop the server; its counts, read after the join, go to *accepted, *requests and *reads
 * (each may be NULL). */
static void srv_stop_counts(struct srv *s, unsigned *accepted, unsigned *requests,
                            unsigned *reads) {
    if (write(s->wake[1], "x", 1) != 1) abort();
    pthread_join(s->th, NULL);
    if (accepted) *accepted = s->accepted;
    if (requests) *requests = s->requests;
    if (reads) *reads = s->reads;
    close(s->lfd);
    close(s->wake[0]);
    close(s->wake[1]);
    free(s);
}

static void srv_stop(struct srv *s) {
    srv_stop_counts(s, NULL, NULL, NULL);
}

/* A port with nothing listening: bound, then closed. */
static int dead_port(void) {
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&a, sizeof a) || getsockname(fd, (struct sockaddr *)&a, &len))
        abort();
    close(fd);
    return ntohs(a.sin_port);
}

/* --- plans and runs against it ----------------------------------------------------------- */

static void plan_to(struct plan *p, int port, const char *path) {
    char url[64];
    struct err e;

    plan_init(p);
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s", port, path);
    CU_ASSERT_EQUAL(plan_set_url(p, url, &e), 0);
}

/* A closed-model plan: n requests over c connections to 127.0.0.1:port. */
static void closed_plan(struct plan *p, int port, unsigned c, uint64_t n) {
    plan_to(p, port, "/x");
    p->open = 0;
    p->connections = c;
    p->threads = c < 2 ? c : 2;
    p->count = n;
    p->timeout_ns = INT64_C(2000000000);
}

/* An open-model plan: a constant per_s requests/s for ms milliseconds to 127.0.0.1:port, up to
 * c connections on t threads. */
static void open_plan(struct plan *p, int port, double per_s, unsigned ms, unsigned c, unsigned t) {
    struct sched_phase ph = {0, per_s, per_s};

    plan_to(p, port, "/");
    p->open = 1;
    plan_add_phase(p, &ph);
    p->duration_ns = (int64_t)ms * 1000000;
    p->connections = c;
    p->threads = t;
}

struct stopper {
    volatile sig_atomic_t *flag;
    int level;
    unsigned ms;
};

static void *stop_later(void *arg) {
    struct stopper *st = arg;
    usleep(st->ms * 1000u);
    *st->flag = st->level;
    return NULL;
}

/* Finish p and run it; with level > 0, the stop flag is set to level ms milliseconds after the
 * call (1: a first Ctrl-C, 2: a second). Returns engine_run's value. */
static int run_stopped(struct plan *p, int level, unsigned ms, struct engine_result *r) {
    volatile sig_atomic_t flag = 0;
    struct stopper st = {&flag, level, ms};
    struct engine_hooks h;
    struct err e;
    pthread_t th;
    int rc;

    CU_ASSERT_EQUAL_FATAL(plan_finish(p, &e), 0);
    memset(&h, 0, sizeof h);
    h.stop = &flag;
    if (level) pthread_create(&th, NULL, stop_later, &st);
    rc = engine_run(p, &h, r, &e);
    CU_ASSERT_EQUAL(rc, 0);
    if (level) pthread_join(th, NULL);
    return rc;
}

static int run(struct plan *p, struct engine_result *r) {
    return run_stopped(p, 0, 0, r);
}

/* sent = completed + rejected + errors + in flight, in every run. */
static void check_identity(const struct engine_result *r) {
    const struct tally *t = &r->total;
    CU_ASSERT_EQUAL(t->arrivals, t->completions + t->rejected + t->errors + r->in_flight_total);
}

static void test_engine_ok_keepalive(void) {
    struct srv *s = srv_start(SRV_OK);
    struct plan p;
    struct engine_result r;
    unsigned accepted, requests;

    closed_plan(&p, s->port, 2, 50);
    if (run(&p, &r) == 0) {
        CU_ASSERT_EQUAL(r.total.arrivals, 50);
        CU_ASSERT_EQUAL(r.total.completions, 50);
        CU_ASSERT_EQUAL(r.total.status[200], 50);
        CU_ASSERT_EQUAL(r.total.errors, 0);
        CU_ASSERT_EQUAL(r.total.connects, 2); /* keep-alive: one per connection slot */
        CU_ASSERT_EQUAL(r.total.body_bytes, 100);
        CU_ASSERT_EQUAL(hist_count(r.total.lat), 50);
        CU_ASSERT_EQUAL(r.measured_ns, r.run_ns); /* -n alone: sending ends with the last answer */
        check_identity(&r);
        engine_result_free(&r);
    }
    plan_free(&p);
    srv_stop_counts(s, &accepted, &requests, NULL);
    CU_ASSERT_EQUAL(accepted, 2); /* the server saw the two connections, 50 requests */
    CU_ASSERT_EQUAL(requests, 50);
}

static void test_engine_close_mid(void) {
    struct srv *s = srv_start(SRV_CLOSE_MID);
    struct plan p;
    struct engine_result r;

    closed_plan(&p, s->port, 1, 3);
    if (run(&p, &r) == 0) {
        CU_ASSERT_EQUAL(r.total.errors, 3);
        CU_ASSERT_EQUAL(r.total.err[TALLY_E_RESET], 3);
        CU_ASSERT_EQUAL(r.total.completions, 0);
        CU_ASSERT_EQUAL(r.total.retries, 0); /* bytes arrived: never resent */
        CU_ASSERT_PTR_NOT_NULL(strstr(r.first_error[TALLY_E_RESET], "before the end"));
        check_identity(&r);
        engine_result_free(&r);
    }
    plan_free(&p);
    srv_stop(s);
}

static void test_engine_timeout(void) {
    struct srv *s = srv_start(SRV_SILENT);
    struct plan p;
    struct engine_result r;
    int64_t t0 = ev_now();

    closed_plan(&p, s->port, 1, 1);
    p.timeout_ns = INT64_C(200000000);
    if (run(&p, &r) == 0) {
        CU_ASSERT_EQUAL(r.total.errors, 1); /* counted once */
        CU_ASSERT_EQUAL(r.total.err[TALLY_E_TIMEOUT], 1);
        CU_ASSERT_EQUAL(hist_count(r.total.fail), 1);
        CU_ASSERT(hist_min(r.total.fail) >= INT64_C(200000000)); /* latency >= the timeout */
        CU_ASSERT(ev_now() - t0 < INT64_C(1000000000));
        check_identity(&r);
        engine_result_free(&r);
    }
    plan_free(&p);
    srv_stop(s);
}

static void test_engine_refused(void) {
    struct plan p;
    struct engine_result r;

    closed_plan(&p, dead_port(), 2, 5);
    if (run(&p, &r) == 0) {
        CU_ASSERT_EQUAL(r.total.errors, 5);
        CU_ASSERT_EQUAL(r.total.err[TALLY_E_CONNECT], 5);
        CU_ASSERT_EQUAL(hist_count(r.total.lat), 0);
        check_identity(&r);
        engine_result_free(&r);
    }
    plan_free(&p);
}

static void test_engine_bad_status(void) {
    struct srv *s = srv_start(SRV_BAD_STATUS);
    struct plan p;
    struct engine_result r;

    closed_plan(&p, s->port, 1, 4);
    if (run(&p, &r) == 0) {
        CU_ASSERT_EQUAL(r.total.err[TALLY_E_PARSE], 4);
        CU_ASSERT_EQUAL(r.total.errors, 4);
        check_identity(&r);
        engine_result_free(&r);
    }
    plan_free(&p);
    srv_stop(s);
}

static void test_engine_http10(void) {
    struct srv *s = srv_start(SRV_HTTP10);
    struct plan p;
    struct engine_result r;

    closed_plan(&p, s->port, 1, 5);
    if (run(&p, &r) == 0) {
        CU_ASSERT_EQUAL(r.total.completions, 5);
        CU_ASSERT_EQUAL(r.total.body_bytes, 5 * strlen("hello from 1.0"));
        CU_ASSERT_EQUAL(r.total.connects, 5); /* no keep-alive in HTTP/1.0 without the header */
        CU_ASSERT_EQUAL(r.total.errors, 0);
        engine_result_free(&r);
    }
    plan_free(&p);
    srv_stop(s);
}

static void test_engine_idle_close_retry(void) {
    struct srv *s = srv_start(SRV_IDLE_CLOSE);
    struct plan p;
    struct engine_result r;

    /* One connection, 6 requests: request 1 on connection A; request 2 finds A closed by the
     * server without a byte, is resent on B and answered; and so on: 6 successes, 5 resends,
     * 6 connections. */
    closed_plan(&p, s->port, 1, 6);
    if (run(&p, &r) == 0) {
        CU_ASSERT_EQUAL(r.total.completions, 6);
        CU_ASSERT_EQUAL(r.total.errors, 0);
        CU_ASSERT_EQUAL(r.total.retries, 5);
        CU_ASSERT_EQUAL(r.total.connects, 6);
        engine_result_free(&r);
    }
    plan_free(&p);
    srv_stop(s);
}

/* Open model, constant 200/s for 2 s over ONE connection; the server stalls 500 ms at request
 * 100 (intended at 0.5 s). Requests j = 1..100 intended during the stall at 0.5 + j/200 s are
 * answered at about 1.0 + j * s (s ~ 0.1 ms per request on loopback), so their corrected
 * latency is 0.5 - j (5 ms - s): between ~0.0 and ~0.5 s, nearly uniform. p99 of the 400
 * requests is the 4th largest: 0.5 - 4 * 4.9 ms ~= 0.48 s; the bounds [0.40, 0.55] s leave
 * room for scheduling noise. The raw service time is 0.5 s for the one request in flight
 * during the stall only (1/400 < 1 %), so its p99 stays at the loopback time (< 50 ms even on
 * a loaded machine). */
static void test_engine_stall_coordinated_omission(void) {
    struct srv_script sc = {SRV_STALL, 100, 500, 0, 0};
    struct srv *s = srv_start_script(&sc);
    struct plan p;
    struct engine_result r;

    open_plan(&p, s->port, 200, 2000, 1, 1);
    if (run(&p, &r) == 0) {
        double p99 = (double)hist_percentile(r.total.lat, 99) / 1e9;
        double svc99 = (double)hist_percentile(r.total.svc, 99) / 1e9;
        CU_ASSERT_EQUAL(r.total.arrivals, 400);
        CU_ASSERT_EQUAL(r.total.completions, 400);
        CU_ASSERT(p99 >= 0.40 && p99 <= 0.55);
        CU_ASSERT(svc99 < 0.05);
        CU_ASSERT((double)hist_max(r.total.svc) / 1e9 >= 0.5);
        CU_ASSERT(r.total.held >= 90); /* the ~100 requests due during the stall waited */
        /* and were written late: schedule lag > 1 ms for at least those 90, the first by
         * nearly the whole stall */
        CU_ASSERT_EQUAL(r.total.lag_n, 400);
        CU_ASSERT(r.total.late >= 90 && r.total.late <= 200);
        CU_ASSERT((double)r.total.lag_max_ns / 1e9 >= 0.45);
        if (!(p99 >= 0.40 && p99 <= 0.55) || !(svc99 < 0.05))
            fprintf(stderr, "\nstall: p99 %.3f s, service p99 %.3f s\n", p99, svc99);
        engine_result_free(&r);
    }
    plan_free(&p);
    srv_stop(s);
}

/* Open model over 4 threads: a constant 500/s for 1 s is exactly requests 0..499. */
static void test_engine_rate_threads(void) {
    struct srv *s = srv_start(SRV_OK);
    struct plan p;
    struct engine_result r;

    open_plan(&p, s->port, 500, 1000, 8, 4);
    if (run(&p, &r) == 0) {
        CU_ASSERT_EQUAL(r.total.arrivals, 500);
        CU_ASSERT_EQUAL(r.total.completions, 500);
        CU_ASSERT_EQUAL(r.threads, 4);
        engine_result_free(&r);
    }
    plan_free(&p);
    srv_stop(s);
}

/* A second interrupt against a server that never answers: the run ends at once, nothing is
 * lost from the accounting: the unanswered requests are in flight, and the ones that never got
 * a connection (cap 4) are part of them. */
static void test_engine_abort(void) {
    struct srv *s = srv_start(SRV_SILENT);
    struct plan p;
    struct engine_result r;
    int64_t t0 = ev_now();

    open_plan(&p, s->port, 50, 10000, 4, 2);
    if (run_stopped(&p, 2, 300, &r) == 0) {
        CU_ASSERT_EQUAL(r.stopped, 2);
        CU_ASSERT(ev_now() - t0 < INT64_C(1500000000));
        CU_ASSERT(r.total.arrivals >= 10); /* 50/s for ~0.3 s */
        CU_ASSERT_EQUAL(r.total.completions, 0);
        CU_ASSERT_EQUAL(r.in_flight_total, r.total.arrivals);
        CU_ASSERT_EQUAL(r.unsent, r.total.arrivals - 4);
        check_identity(&r);
        engine_result_free(&r);
    }
    plan_free(&p);
    srv_stop(s);
}

/* A first interrupt: sending stops, answers are awaited, nothing stays in flight. The measured
 * window ends when sending stopped (~0.3 s after the call, the run's start 20 ms later, the
 * coordinator notices within 50 ms), not at the 10 s duration. */
static void test_engine_graceful_stop(void) {
    struct srv *s = srv_start(SRV_OK);
    struct plan p;
    struct engine_result r;

    open_plan(&p, s->port, 100, 10000, 4, 2);
    if (run_stopped(&p, 1, 300, &r) == 0) {
        double secs = (double)r.measured_ns / 1e9;
        CU_ASSERT_EQUAL(r.stopped, 1);
        CU_ASSERT(r.total.arrivals >= 20 && r.total.arrivals <= 50); /* ~0.3 s to 0.35 s */
        CU_ASSERT_EQUAL(r.total.completions, r.total.arrivals);
        CU_ASSERT_EQUAL(r.in_flight_total, 0);
        CU_ASSERT(secs >= 0.25 && secs <= 0.45);
        CU_ASSERT(r.measured_ns <= r.run_ns);
        engine_result_free(&r);
    }
    plan_free(&p);
    srv_stop(s);
}

/* A server that ends every keep-alive connection after its 10th response: 100 requests over one
 * closed-model connection are 100 successes and no errors on 100 / 10 = 10 connections, both
 * when the 10th response says "Connection: close" and when the server just closes after
 * writing it. In the second case requests 11, 21, ..., 91 are each written on the connection
 * the server has closed, find it closed without a byte of their response, and are resent once
 * on a new connection: 9 resends, and the server sees exactly 100 requests (none twice, none
 * lost: it read none of the 9 on the closed connections). */
static void close_after_10(int close_hdr) {
    struct srv_script sc = {SRV_CLOSE_AFTER, 0, 0, 10, close_hdr};
    struct srv *s = srv_start_script(&sc);
    struct plan p;
    struct engine_result r;
    unsigned accepted, requests;

    closed_plan(&p, s->port, 1, 100);
    if (run(&p, &r) == 0) {
        CU_ASSERT_EQUAL(r.total.arrivals, 100);
        CU_ASSERT_EQUAL(r.total.completions, 100);
        CU_ASSERT_EQUAL(r.total.status[200], 100);
        CU_ASSERT_EQUAL(r.total.errors, 0);
        CU_ASSERT_EQUAL(r.total.connects, 10);
        CU_ASSERT_EQUAL(r.total.retries, close_hdr ? 0 : 9);
        CU_ASSERT_EQUAL(r.total.body_bytes, 200);
        CU_ASSERT_EQUAL(hist_count(r.total.lat), 100);
        check_identity(&r);
        if (r.total.completions != 100 || r.total.errors || r.total.connects != 10)
            fprintf(stderr, "\nclose after 10 (header %d): %llu done, %llu errors, %llu conns\n",
                    close_hdr, (unsigned long long)r.total.completions,
                    (unsigned long long)r.total.errors, (unsigned long long)r.total.connects);
        engine_result_free(&r);
    }
    plan_free(&p);
    srv_stop_counts(s, &accepted, &requests, NULL);
    CU_ASSERT_EQUAL(accepted, 10);
    CU_ASSERT_EQUAL(requests, 100);
}

static void test_engine_close_after_10_header(void) {
    close_after_10(1);
}

static void test_engine_close_after_10_silent(void) {
    close_after_10(0);
}

/* One keep-alive connection, Content-Length: 0 answers, 2000 requests back to back: on
 * loopback a round trip is tens of microseconds, so p50 < 1 ms and mean < 2 ms leave room for
 * a busy 2-core machine; anything like Nagle's 40 ms delayed-ACK stall or a request split over
 * two writes would break them. Each request arrives at the server in one read (one write, sent
 * at once). */
static void test_engine_loopback_latency(void) {
    struct srv *s = srv_start(SRV_EMPTY);
    struct plan p;
    struct engine_result r;
    unsigned accepted, requests, reads;

    closed_plan(&p, s->port, 1, 2000);
    if (run(&p, &r) == 0) {
        double p50 = (double)hist_percentile(r.total.lat, 50) / 1e6;
        double mean = hist_mean(r.total.lat) / 1e6;
        CU_ASSERT_EQUAL(r.total.completions, 2000);
        CU_ASSERT_EQUAL(r.total.connects, 1);
        CU_ASSERT(p50 < 1.0);
        CU_ASSERT(mean < 2.0);
        if (getenv("ARCHLOAD_TEST_VERBOSE") || !(p50 < 1.0) || !(mean < 2.0))
            fprintf(stderr, "\nloopback: p50 %.3f ms, mean %.3f ms, max %.3f ms\n", p50, mean,
                    (double)hist_max(r.total.lat) / 1e6);
        engine_result_free(&r);
    }
    plan_free(&p);
    srv_stop_counts(s, &accepted, &requests, &reads);
    CU_ASSERT_EQUAL(requests, 2000);
    CU_ASSERT_EQUAL(reads, 2000); /* one read per request: each went out in one write */
}

/* A 50 MiB body in 64 KiB writes: counted to the byte, one success. */
static void test_engine_big_body(void) {
    struct srv *s = srv_start(SRV_BIG);
    struct plan p;
    struct engine_result r;

    closed_plan(&p, s->port, 1, 1);
    p.timeout_ns = INT64_C(30000000000);
    if (run(&p, &r) == 0) {
        CU_ASSERT_EQUAL(r.total.completions, 1);
        CU_ASSERT_EQUAL(r.total.errors, 0);
        CU_ASSERT_EQUAL(r.total.body_bytes, 52428800);
        engine_result_free(&r);
    }
    plan_free(&p);
    srv_stop(s);
}

/* The report of r as text and as summary.csv (header and rows), into *text and *csv (free
 * both). */
static void report(const struct plan *p, const struct engine_result *r, char **text, char **csv) {
    struct model_row rows[2];
    struct run_rep rep;
    size_t n;
    FILE *f;
    double secs = (double)r->measured_ns / 1e9;

    CU_ASSERT_EQUAL_FATAL(p->nclasses, 1);
    summary_rows(p, r->cls, &r->total, r->in_flight, r->in_flight_total, secs, rows);
    f = open_memstream(text, &n);
    summary_print(f, p, r, rows);
    fclose(f);
    memset(&rep, 0, sizeof rep);
    rep.seed = p->seed;
    rep.nrows = 2;
    rep.rows = rows;
    rep.events = r->total.arrivals;
    rep.sim_time_s = (double)r->end_ns / 1e9;
    rep.warmup_s = (double)r->warmup_ns / 1e9;
    rep.wall_s = (double)r->run_ns / 1e9;
    rep.partial = r->stopped != 0;
    f = open_memstream(csv, &n);
    csv_out_summary_header(f);
    csv_out_summary_rep(f, p->name, &rep);
    fclose(f);
}

/* The value of column col in the csv row whose 4th field (component) is comp; "" if absent. */
static void csv_field(const char *csv, const char *comp, const char *col, char *out, size_t n) {
    char line[4096], head[4096];
    const char *nl = strchr(csv, '\n');
    int want = -1, k = 0;

    out[0] = 0;
    if (!nl) return;
    snprintf(head, sizeof head, "%.*s", (int)(nl - csv), csv);
    for (char *save, *t = strtok_r(head, ",", &save); t; t = strtok_r(NULL, ",", &save), k++)
        if (strcmp(t, col) == 0) want = k;
    for (const char *q = nl + 1; *q && want >= 0; q = strchr(q, '\n') + 1) {
        const char *e = strchr(q, '\n');
        const char *f[128];
        int nf = 0;
        char *c;
        snprintf(line, sizeof line, "%.*s", (int)(e ? e - q : (long)strlen(q)), q);
        f[nf++] = line;
        for (c = line; *c && nf < 128; c++)
            if (*c == ',') {
                *c = 0;
                f[nf++] = c + 1;
            }
        if (nf > want && nf > 3 && strcmp(f[3], comp) == 0) {
            snprintf(out, n, "%s", f[want]);
            return;
        }
        if (!e) break;
    }
}

static void expect_csv(const char *csv, const char *comp, const char *col, const char *want) {
    char got[64];

    csv_field(csv, comp, col, got, sizeof got);
    CU_ASSERT_STRING_EQUAL(got, want);
    if (strcmp(got, want) != 0)
        fprintf(stderr, "\nsummary.csv %s %s: got '%s', want '%s'\n", comp, col, got, want);
}

/* Every request answered 500: 20 errors (5xx), no latency sample. The report says "no
 * samples" and prints "-" for the latency columns; summary.csv leaves them empty; no duration
 * is negative. */
static void test_engine_all_500(void) {
    struct srv *s = srv_start(SRV_500);
    struct plan p;
    struct engine_result r;
    char *text = NULL, *csv = NULL;

    closed_plan(&p, s->port, 2, 20);
    if (run(&p, &r) == 0) {
        CU_ASSERT_EQUAL(r.total.completions, 0);
        CU_ASSERT_EQUAL(r.total.errors, 20);
        CU_ASSERT_EQUAL(r.total.err[TALLY_E_5XX], 20);
        CU_ASSERT_EQUAL(hist_count(r.total.lat), 0);
        CU_ASSERT_EQUAL(r.total.lag_n, 0); /* no schedule in the closed model */
        CU_ASSERT(r.measured_ns >= 0 && r.run_ns >= 0);
        CU_ASSERT(hist_count(r.total.fail) == 0 || hist_min(r.total.fail) >= 0);
        check_identity(&r);
        report(&p, &r, &text, &csv);
        CU_ASSERT_PTR_NOT_NULL(strstr(text, "latency: no samples"));
        CU_ASSERT_PTR_NULL(strstr(text, "nan"));
        CU_ASSERT_PTR_NULL(strstr(text, "-0."));
        CU_ASSERT_PTR_NOT_NULL(strstr(text, "sent 20 = 0 completed + 0 rejected + 20 errors + 0 "
                                            "in flight"));
        expect_csv(csv, "total", "completions", "0");
        expect_csv(csv, "total", "errors", "20");
        expect_csv(csv, "total", "latency_p50_ms", "");
        expect_csv(csv, "total", "latency_mean_ms", "");
        expect_csv(csv, "total", "latency_max_ms", "");
        free(text);
        free(csv);
        engine_result_free(&r);
    }
    plan_free(&p);
    srv_stop(s);
}

/* Connection refused for every request: 6 connect errors, "no samples", latencies >= 0. */
static void test_engine_refused_report(void) {
    struct plan p;
    struct engine_result r;
    char *text = NULL, *csv = NULL;

    closed_plan(&p, dead_port(), 2, 6);
    if (run(&p, &r) == 0) {
        CU_ASSERT_EQUAL(r.total.err[TALLY_E_CONNECT], 6);
        CU_ASSERT(hist_count(r.total.fail) == 0 || hist_min(r.total.fail) >= 0);
        report(&p, &r, &text, &csv);
        CU_ASSERT_PTR_NOT_NULL(strstr(text, "latency: no samples"));
        CU_ASSERT_PTR_NULL(strstr(text, "nan"));
        expect_csv(csv, "total", "latency_p99_ms", "");
        expect_csv(csv, "total", "errors", "6");
        free(text);
        free(csv);
        engine_result_free(&r);
    }
    plan_free(&p);
}

/* Rates divide by the measured window, the end of sending, not the last answer (as archsim
 * divides by its duration minus warm-up). Open model, 100/s for 1 s (requests 0..99); the
 * server holds the last one 500 ms, so the last answer comes at ~1.49 s: the window is still
 * exactly 1 s and throughput_rps exactly 100 (dividing by the time to the last answer gave
 * ~67). */
static void test_engine_rate_window_open(void) {
    struct srv_script sc = {SRV_STALL, 99, 500, 0, 0};
    struct srv *s = srv_start_script(&sc);
    struct plan p;
    struct engine_result r;
    char *text = NULL, *csv = NULL;

    open_plan(&p, s->port, 100, 1000, 4, 1);
    if (run(&p, &r) == 0) {
        CU_ASSERT_EQUAL(r.total.completions, 100);
        CU_ASSERT_EQUAL(r.measured_ns, INT64_C(1000000000));
        CU_ASSERT(r.run_ns >= INT64_C(1400000000));
        report(&p, &r, &text, &csv);
        expect_csv(csv, "total", "throughput_rps", "100");
        expect_csv(csv, "total", "sim_time_s", "1");
        CU_ASSERT_PTR_NOT_NULL(strstr(text, "1.000 s measured"));
        free(text);
        free(csv);
        engine_result_free(&r);
    }
    plan_free(&p);
    srv_stop(s);
}

/* With a warm-up: 100/s for 2 s, warm-up 1 s (one interval), the last request held 500 ms: the
 * window is [1 s, 2 s), exactly 1 s, and throughput_rps = completions after the warm-up / 1 s
 * (about 100: a request answered at the boundary may fall on either side). As in archsim,
 * sim_time_s is the end (2 s) and warmup_s the warm-up (1 s). */
static void test_engine_rate_window_warmup(void) {
    struct srv_script sc = {SRV_STALL, 199, 500, 0, 0};
    struct srv *s = srv_start_script(&sc);
    struct plan p;
    struct engine_result r;
    char *text = NULL, *csv = NULL, want[32];

    open_plan(&p, s->port, 100, 2000, 4, 1);
    p.warmup_ns = INT64_C(1000000000);
    if (run(&p, &r) == 0) {
        CU_ASSERT_EQUAL(r.measured_ns, INT64_C(1000000000));
        CU_ASSERT_EQUAL(r.end_ns, INT64_C(2000000000));
        CU_ASSERT_EQUAL(r.warmup_ns, INT64_C(1000000000));
        CU_ASSERT(r.total.completions >= 98 && r.total.completions <= 102);
        report(&p, &r, &text, &csv);
        snprintf(want, sizeof want, "%llu", (unsigned long long)r.total.completions);
        expect_csv(csv, "total", "throughput_rps", want); /* completions / 1 s */
        expect_csv(csv, "total", "sim_time_s", "2");      /* archsim's: the end, warm-up included */
        expect_csv(csv, "total", "warmup_s", "1");
        free(text);
        free(csv);
        engine_result_free(&r);
    }
    plan_free(&p);
    srv_stop(s);
}

/* The intervals an engine run handed to its hook: flags and arrivals, by index. */
struct iv_log {
    unsigned n;
    unsigned flags[8];
    uint64_t arrivals[8];
    int64_t t_end_ns[8];
};

static int log_interval(void *user, const struct engine_interval *iv) {
    struct iv_log *l = user;

    if (l->n < 8) {
        l->flags[l->n] = iv->flags;
        l->arrivals[l->n] = iv->total->arrivals;
        l->t_end_ns[l->n] = iv->t_end_ns;
        l->n++;
    }
    return 0;
}

/* A fractional warm-up is cut exactly where archsim cuts it, not rounded up to whole
 * intervals. Constant 100/s for 2 s (request i intended at exactly i * 10 ms, i = 0..199), 1 s
 * intervals, warm-up 1.5 s, up to 64 connections (none waits); the server holds request 130
 * (intended at 1.30 s) 300 ms, and as it answers in order, 131..149 behind it: all 20 are answered
 * after 1.6 s. Counted by hand with archsim's rule (an arrival at or after the end of warm-up, an
 * answer at or after it): arrivals 150..199 = 50 (request 150, intended at exactly 1.5 s, is in);
 * completions 130..199 = 70 (130..149 were sent in warm-up and answered after it: completions with
 * their whole latency, not arrivals), assuming 0..129 were answered before 1.5 s (200 ms to spare).
 * The window is 0.5 s (warmup_s 1.5, throughput 140/s). Rounding up to whole intervals gave a 2 s
 * warm-up: nothing measured. The time series counts every interval whole: [0, 1) in warm-up,
 * [1, 2) (spans the end of warm-up) not, 200 arrivals in all. */
static void test_engine_warmup_fractional(void) {
    struct srv_script sc = {SRV_STALL, 130, 300, 0, 0};
    struct srv *s = srv_start_script(&sc);
    struct plan p;
    struct engine_result r;
    struct engine_hooks h;
    struct iv_log log;
    struct err e;
    char *text = NULL, *csv = NULL;
    uint64_t all = 0;

    open_plan(&p, s->port, 100, 2000, 64, 1);
    p.warmup_ns = INT64_C(1500000000);
    CU_ASSERT_EQUAL_FATAL(plan_finish(&p, &e), 0);
    memset(&h, 0, sizeof h);
    memset(&log, 0, sizeof log);
    h.interval = log_interval;
    h.user = &log;
    if (engine_run(&p, &h, &r, &e) == 0) {
        CU_ASSERT_EQUAL(r.warmup_ns, INT64_C(1500000000));
        CU_ASSERT_EQUAL(r.measured_ns, INT64_C(500000000));
        CU_ASSERT_EQUAL(r.total.arrivals, 50);
        CU_ASSERT_EQUAL(r.total.completions, 70);
        CU_ASSERT_EQUAL(hist_count(r.total.lat), 70);
        CU_ASSERT(hist_max(r.total.lat) >= INT64_C(300000000)); /* request 130, whole */
        report(&p, &r, &text, &csv);
        expect_csv(csv, "total", "warmup_s", "1.5");
        expect_csv(csv, "total", "arrivals", "50");
        expect_csv(csv, "total", "completions", "70");
        expect_csv(csv, "total", "throughput_rps", "140");
        /* [0, 1), [1, 2), and [2, end) when the last answer came after 2 s */
        CU_ASSERT(log.n == 2 || log.n == 3);
        CU_ASSERT_EQUAL(log.t_end_ns[0], INT64_C(1000000000));
        CU_ASSERT(log.flags[0] & NET_ROW_WARMUP);
        for (unsigned i = 0; i < log.n; i++) {
            if (i > 0) CU_ASSERT_FALSE(log.flags[i] & NET_ROW_WARMUP);
            all += log.arrivals[i];
        }
        CU_ASSERT_EQUAL(all, 200);
        free(text);
        free(csv);
        engine_result_free(&r);
    } else {
        CU_FAIL("engine_run");
    }
    plan_free(&p);
    srv_stop(s);
}

/* Closed model bounded by -d 0.5 s; the server holds the first request 800 ms, so the one
 * connection sends one request and no more (none starts after 0.5 s). The window is the 0.5 s
 * of sending: 1 completion / 0.5 s = 2/s (the time to the last answer gave 1.25/s). */
static void test_engine_rate_window_closed(void) {
    struct srv_script sc = {SRV_STALL, 0, 800, 0, 0};
    struct srv *s = srv_start_script(&sc);
    struct plan p;
    struct engine_result r;
    char *text = NULL, *csv = NULL;

    closed_plan(&p, s->port, 1, 0);
    p.duration_ns = INT64_C(500000000);
    if (run(&p, &r) == 0) {
        CU_ASSERT_EQUAL(r.total.arrivals, 1);
        CU_ASSERT_EQUAL(r.total.completions, 1);
        CU_ASSERT_EQUAL(r.measured_ns, INT64_C(500000000));
        CU_ASSERT(r.run_ns >= INT64_C(800000000));
        report(&p, &r, &text, &csv);
        expect_csv(csv, "total", "throughput_rps", "2");
        free(text);
        free(csv);
        engine_result_free(&r);
    }
    plan_free(&p);
    srv_stop(s);
}

/* Open model, constant 100/s for 1 s (requests 0..99) against a server that never answers the
 * requests it receives as number n with n % 3 == 2: 2, 5, ..., 98, i.e. 33 of the 100; 67 are
 * answered. Up to 64 connections, so none waits for one.
 * (a) --timeout 300 ms: the 33 time out during the run or its drain: 67 completed + 33 errors
 *     (timeout) + 0 in flight.
 * (b) --timeout 10 s, and a second interrupt at 1.5 s, while the run waits for the answers
 *     after its 1 s: the 33 are reported in flight: 67 + 0 + 33. */
static void some_silent(int abort_at_1500ms) {
    struct srv *s = srv_start(SRV_SOME_SILENT);
    struct plan p;
    struct engine_result r;
    char *text = NULL, *csv = NULL;

    open_plan(&p, s->port, 100, 1000, 64, 1);
    p.timeout_ns = abort_at_1500ms ? INT64_C(10000000000) : INT64_C(300000000);
    if (run_stopped(&p, abort_at_1500ms ? 2 : 0, 1500, &r) == 0) {
        const char *line = abort_at_1500ms
                               ? "sent 100 = 67 completed + 0 rejected + 0 errors + 33 in flight"
                               : "sent 100 = 67 completed + 0 rejected + 33 errors + 0 in flight";
        CU_ASSERT_EQUAL(r.total.arrivals, 100);
        CU_ASSERT_EQUAL(r.total.completions, 67);
        CU_ASSERT_EQUAL(r.total.errors, abort_at_1500ms ? 0 : 33);
        CU_ASSERT_EQUAL(r.total.err[TALLY_E_TIMEOUT], abort_at_1500ms ? 0 : 33);
        CU_ASSERT_EQUAL(r.in_flight_total, abort_at_1500ms ? 33 : 0);
        CU_ASSERT_EQUAL(r.unsent, 0);
        CU_ASSERT_EQUAL(r.stopped, abort_at_1500ms ? 2 : 0);
        CU_ASSERT(hist_min(r.total.lat) >= 0 && hist_min(r.total.svc) >= 0);
        CU_ASSERT(hist_count(r.total.fail) == 0 || hist_min(r.total.fail) >= 0);
        check_identity(&r);
        report(&p, &r, &text, &csv);
        CU_ASSERT_PTR_NOT_NULL(strstr(text, line));
        if (!strstr(text, line)) fprintf(stderr, "\n%s\n", text);
        expect_csv(csv, "total", "arrivals", "100");
        expect_csv(csv, "total", "completions", "67");
        expect_csv(csv, "total", "errors", abort_at_1500ms ? "0" : "33");
        expect_csv(csv, "total", "in_flight", abort_at_1500ms ? "33" : "0");
        expect_csv(csv, "total", "partial", abort_at_1500ms ? "1" : "0");
        free(text);
        free(csv);
        engine_result_free(&r);
    }
    plan_free(&p);
    srv_stop(s);
}

static void test_engine_some_silent_timeout(void) {
    some_silent(0);
}

static void test_engine_some_silent_in_flight(void) {
    some_silent(1);
}

void test_http_register(void) {
    CU_pSuite s = CU_add_suite("http", NULL, NULL);

    signal(SIGPIPE, SIG_IGN); /* the scripted server writes to sockets the client closed */
    CU_add_test(s, "Content-Length bodies, whole/bytewise/split", test_content_length);
    CU_add_test(s, "chunked split at every byte", test_chunked);
    CU_add_test(s, "empty chunked body is complete", test_chunked_empty);
    CU_add_test(s, "chunked wins over Content-Length", test_chunked_wins);
    CU_add_test(s, "EOF-terminated bodies are successes", test_eof_body);
    CU_add_test(s, "HTTP/1.0 keep-alive rules", test_http10_keep_alive);
    CU_add_test(s, "1xx interim responses are skipped", test_interim);
    CU_add_test(s, "HEAD, 204 and 304 have no body", test_no_body);
    CU_add_test(s, "malformed responses", test_malformed);
    CU_add_test(s, "truncated responses", test_truncated);
    CU_add_test(s, "bytes after the response", test_extra_bytes);
    CU_add_test(s, "request templates and redaction", test_template);
    CU_add_test(s, "rate cap for --rate, phases and ramps", test_rate_cap);
    CU_add_test(s, "ev: timers in order, on time, timerfd re-armed lazily", test_ev_timers);
    CU_add_test(s, "engine: fixed count, keep-alive", test_engine_ok_keepalive);
    CU_add_test(s, "engine: connection closed mid-response", test_engine_close_mid);
    CU_add_test(s, "engine: server never answers", test_engine_timeout);
    CU_add_test(s, "engine: nothing listening", test_engine_refused);
    CU_add_test(s, "engine: malformed status line", test_engine_bad_status);
    CU_add_test(s, "engine: HTTP/1.0 bodies ended by EOF", test_engine_http10);
    CU_add_test(s, "engine: idle keep-alive closed, resent once", test_engine_idle_close_retry);
    CU_add_test(s, "engine: stall, coordinated omission corrected",
                test_engine_stall_coordinated_omission);
    CU_add_test(s, "engine: constant rate over 4 threads", test_engine_rate_threads);
    CU_add_test(s, "engine: second interrupt aborts, in flight counted", test_engine_abort);
    CU_add_test(s, "engine: first interrupt drains", test_engine_graceful_stop);
    CU_add_test(s, "engine: close after 10, Connection: close", test_engine_close_after_10_header);
    CU_add_test(s, "engine: close after 10, no header", test_engine_close_after_10_silent);
    CU_add_test(s, "engine: loopback latency under 1 ms", test_engine_loopback_latency);
    CU_add_test(s, "engine: 50 MiB body counted", test_engine_big_body);
    CU_add_test(s, "engine: all 500, no samples", test_engine_all_500);
    CU_add_test(s, "engine: refused, no samples", test_engine_refused_report);
    CU_add_test(s, "engine: unanswered requests time out", test_engine_some_silent_timeout);
    CU_add_test(s, "engine: unanswered requests in flight", test_engine_some_silent_in_flight);
    CU_add_test(s, "engine: rps over the sending window, open", test_engine_rate_window_open);
    CU_add_test(s, "engine: rps over the sending window, warm-up", test_engine_rate_window_warmup);
    CU_add_test(s, "engine: a fractional warm-up is cut exactly", test_engine_warmup_fractional);
    CU_add_test(s, "engine: rps over the sending window, closed", test_engine_rate_window_closed);
}
