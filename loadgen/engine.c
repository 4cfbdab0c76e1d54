/* engine — worker threads, connections and the request state machine; see engine.h. */
#define _GNU_SOURCE /* pthread_condattr_setclock, CLOCK_REALTIME with _POSIX_C_SOURCE */
#include "engine.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "conn.h"
#include "ev.h"
#include "http.h"
#include "model.h"
#include "rng.h"
#include "schedule.h"
#include "tls.h"
#include "xmalloc.h"

#define READ_BUF     65536
#define START_DELAY  INT64_C(20000000) /* ns from engine_run to the first send */
#define POLL_STOP_NS INT64_C(50000000) /* the coordinator checks the stop flag this often */

enum cstate { C_CLOSED, C_CONNECTING, C_HANDSHAKE, C_IDLE, C_BUSY };
enum clist { L_NONE, L_READY, L_CLOSED };

/* One request on its way. */
struct lreq {
    uint64_t index, key;
    size_t cls;
    int64_t intended_ns; /* CLOCK_MONOTONIC */
    int64_t sent_ns;     /* first byte written (the latest attempt) */
    int64_t first_ns;    /* first byte written (the first attempt); 0 before */
    unsigned char retried;
};

struct worker;

struct lconn {
    struct worker *w;
    unsigned gid; /* global connection number */
    int fd;
    enum cstate st;
    struct ev_io io;
    struct ev_timer timer; /* the request's timeout */
    struct ev_timer think; /* closed model: the next send */
    const struct conn_ops *ops;
    void *ts; /* transport state (TLS session) */
    struct http_resp *resp;
    struct lreq req;
    int has_req;
    const char *wptr;
    size_t wlen, woff;
    unsigned want_r, want_w; /* readiness the transport waits for */
    struct http_buf scratch;
    uint64_t served; /* responses on the current socket */
    uint64_t k;      /* closed model: requests started by this connection */
    int done;        /* closed model: this connection sends no more */
    struct rng rng;  /* closed model: think times */
    struct lconn *prev, *next;
    enum clist listed;
};

struct engine;

struct worker {
    struct engine *e;
    unsigned id;
    pthread_t th;
    int started;
    struct ev *ev;
    struct sched *sched;
    struct ev_timer sched_timer; /* open: next release; closed: the end of sending */
    int have_next;
    uint64_t next_i;
    int64_t next_t;
    struct lconn *conns;
    unsigned nconns;
    unsigned active; /* closed model: connections not done */
    struct lconn *ready, *closed;
    struct lreq *pend; /* FIFO ring of requests waiting for a connection */
    size_t pcap, phead, plen, held_n;
    int dispatching;
    unsigned busy;
    int sending, aborted;
    pthread_mutex_t mu; /* guards iv, ivw, inflight, first_error */
    struct tally *iv;   /* this interval's events at or after the end of warm-up */
    struct tally *ivw;  /* this interval's events before it; NULL without a warm-up */
    uint64_t *inflight;
    uint64_t unsent;
    uint64_t unsent_at_stop; /* waiting requests dropped when sending stopped */
    char first_error[TALLY_NERR][200];
    struct err err;
    int failed;
    char rbuf[READ_BUF];
};

struct engine {
    const struct plan *p;
    struct tls_ctx *tls;
    int64_t t0, end_abs;
    int64_t cut_abs; /* the end of warm-up, CLOCK_MONOTONIC ns; INT64_MIN without one */
    atomic_int stop_level;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    unsigned finished;
    struct worker *w;
    unsigned nw, nconn;
};

/* --- recording --------------------------------------------------------------------------- */

/* The tally of class cls for an event at time t (CLOCK_MONOTONIC ns): the warm-up's before the
 * end of warm-up, the run's at or after it. archsim's rule, applied to each event's own time:
 * an arrival (the intended send time) counts if it comes at or after the end of warm-up, an
 * answer or a failure if it comes at or after it, whole latency included, whenever its
 * request arrived. So the cut is exact, not rounded to intervals, and does not depend on when
 * the coordinator collects. Called with w->mu held. */
static struct tally *tally_at(struct worker *w, size_t cls, int64_t t) {
    return w->ivw && t < w->e->cut_abs ? &w->ivw[cls] : &w->iv[cls];
}

static void rec_arrival(struct worker *w, size_t cls, int64_t intended_ns) {
    pthread_mutex_lock(&w->mu);
    tally_at(w, cls, intended_ns)->arrivals++;
    w->inflight[cls]++;
    pthread_mutex_unlock(&w->mu);
}

static void rec_response(struct worker *w, const struct lreq *r, int status, uint64_t body,
                         int64_t now) {
    struct tally *t;

    pthread_mutex_lock(&w->mu);
    t = tally_at(w, r->cls, now);
    tally_response(t, status, now - r->intended_ns, now - r->sent_ns, body);
    if (w->e->p->open && r->first_ns) tally_lag(t, r->first_ns - r->intended_ns);
    w->inflight[r->cls]--;
    {
        int kind = tally_status_error(status); /* the same rule as the counts */
        if (kind >= 0 && !w->first_error[kind][0])
            snprintf(w->first_error[kind], 200, "HTTP status %d", status);
    }
    pthread_mutex_unlock(&w->mu);
}

static void rec_failure(struct worker *w, const struct lreq *r, enum tally_err kind,
                        const char *msg, int64_t now) {
    struct tally *t;

    pthread_mutex_lock(&w->mu);
    t = tally_at(w, r->cls, now);
    tally_failure(t, kind, now - r->intended_ns);
    if (w->e->p->open && r->first_ns) tally_lag(t, r->first_ns - r->intended_ns);
    w->inflight[r->cls]--;
    if (!w->first_error[kind][0]) snprintf(w->first_error[kind], 200, "%s", msg);
    pthread_mutex_unlock(&w->mu);
}

static void rec_count(struct worker *w, size_t cls, int connects, int retries, int held,
                      int64_t wait_ns, int64_t now) {
    struct tally *t;

    pthread_mutex_lock(&w->mu);
    t = tally_at(w, cls, now);
    t->connects += (uint64_t)connects;
    t->retries += (uint64_t)retries;
    t->held += (uint64_t)held;
    if (held && wait_ns > t->held_max_ns) t->held_max_ns = wait_ns;
    pthread_mutex_unlock(&w->mu);
}

/* --- connection lists (open model) ------------------------------------------------------- */

static void list_push(struct lconn **head, struct lconn *c, enum clist which) {
    c->prev = NULL;
    c->next = *head;
    if (*head) (*head)->prev = c;
    *head = c;
    c->listed = which;
}

static void list_remove(struct worker *w, struct lconn *c) {
    struct lconn **head = c->listed == L_READY ? &w->ready : &w->closed;

    if (c->listed == L_NONE) return;
    if (c->prev)
        c->prev->next = c->next;
    else
        *head = c->next;
    if (c->next) c->next->prev = c->prev;
    c->prev = c->next = NULL;
    c->listed = L_NONE;
}

static struct lconn *list_pop(struct worker *w) {
    struct lconn *c = w->ready ? w->ready : w->closed;

    if (c) list_remove(w, c);
    return c;
}

/* --- the request state machine ----------------------------------------------------------- */

static void on_io(struct ev *ev, struct ev_io *io, unsigned events);
static void next_work(struct lconn *c, int ok);
static void dispatch(struct worker *w);

static void set_interest(struct lconn *c) {
    unsigned mask = 0;

    switch (c->st) {
        case C_CONNECTING:
            mask = EV_WRITE;
            break;
        case C_HANDSHAKE:
            mask = c->want_w ? c->want_w : EV_READ;
            break;
        case C_BUSY:
            mask = (c->want_r ? c->want_r : EV_READ) | (c->woff < c->wlen ? c->want_w : 0);
            break;
        case C_IDLE:
            mask = EV_READ;
            break;
        case C_CLOSED:
            mask = 0;
            break;
    }
    if (ev_io_set(c->w->ev, &c->io, mask) < 0) {
        /* epoll_ctl fails only on resource exhaustion; the request's timeout will end it. */
    }
}

static void close_socket(struct lconn *c) {
    if (c->fd >= 0) {
        ev_io_set(c->w->ev, &c->io, 0);
        if (c->ops) c->ops->release(c->ts);
        close(c->fd);
    }
    c->ts = NULL;
    c->ops = NULL;
    c->fd = -1;
    c->st = C_CLOSED;
    c->served = 0;
    c->want_r = c->want_w = 0;
}

static void release_req(struct lconn *c) {
    ev_timer_stop(c->w->ev, &c->timer);
    c->has_req = 0;
    c->w->busy--;
}

static void fail_request(struct lconn *c, enum tally_err kind, const char *msg) {
    int64_t now = ev_now();

    rec_failure(c->w, &c->req, kind, msg, now);
    release_req(c);
    close_socket(c);
    next_work(c, 0);
}

static void finish_ok(struct lconn *c) {
    int64_t now = ev_now();
    int keep = http_resp_keep_alive(c->resp) && c->woff == c->wlen;

    rec_response(c->w, &c->req, http_resp_status(c->resp), http_resp_body_bytes(c->resp), now);
    release_req(c);
    c->served++;
    if (keep) {
        c->st = C_IDLE;
        c->want_r = c->want_w = 0;
        set_interest(c);
    } else {
        close_socket(c);
    }
    next_work(c, 1);
}

static void open_conn(struct lconn *c) {
    const struct plan *p = c->w->e->p;
    int fd = conn_open(&p->addr);
    char msg[200];

    rec_count(c->w, c->req.cls, 1, 0, 0, 0, ev_now());
    if (fd < 0) {
        snprintf(msg, sizeof msg, "connect to %s: %s", p->addr.text, strerror(errno));
        fail_request(c, TALLY_E_CONNECT, msg);
        return;
    }
    c->fd = fd;
    c->st = C_CONNECTING;
    ev_io_init(&c->io, fd, on_io, c);
    set_interest(c);
}

/* A failure after which the request may be resent once: a reused keep-alive connection the
 * server closed before sending a byte of this response. */
static void retry_or_fail(struct lconn *c, enum tally_err kind, const char *msg) {
    if (http_resp_bytes(c->resp) == 0 && c->served > 0 && !c->req.retried) {
        c->req.retried = 1;
        rec_count(c->w, c->req.cls, 0, 1, 0, 0, ev_now());
        close_socket(c);
        open_conn(c);
        return;
    }
    fail_request(c, kind, msg);
}

static void transport_fail(struct lconn *c, enum conn_fail f, const char *what) {
    char msg[200];

    if (f == CONN_FAIL_TLS)
        snprintf(msg, sizeof msg, "TLS %s", tls_session_error(c->ts));
    else
        snprintf(msg, sizeof msg, "%s: %s", what, errno ? strerror(errno) : "connection closed");
    retry_or_fail(c, f == CONN_FAIL_TLS ? TALLY_E_TLS : TALLY_E_RESET, msg);
}

/* Write what remains of the request. Returns 0 when the connection is still busy with it, -1
 * when the request ended (failed). */
static int do_write(struct lconn *c) {
    while (c->woff < c->wlen) {
        size_t put = 0;
        unsigned want = 0;
        enum conn_fail f = CONN_FAIL_NONE;
        enum io_status rc =
            c->ops->write(c->ts, c->fd, c->wptr + c->woff, c->wlen - c->woff, &put, &want, &f);
        if (rc == IO_OK) {
            c->woff += put;
            continue;
        }
        if (rc == IO_RETRY) {
            c->want_w = want;
            set_interest(c);
            return 0;
        }
        transport_fail(c, f, "write");
        return -1;
    }
    c->want_w = 0;
    set_interest(c);
    return 0;
}

static void do_read(struct lconn *c) {
    struct worker *w = c->w;

    for (;;) {
        size_t got = 0, used;
        unsigned want = 0;
        enum conn_fail f = CONN_FAIL_NONE;
        enum io_status rc = c->ops->read(c->ts, c->fd, w->rbuf, sizeof w->rbuf, &got, &want, &f);
        enum http_state hs;

        if (rc == IO_RETRY) {
            c->want_r = want;
            set_interest(c);
            return;
        }
        if (rc == IO_ERR) {
            transport_fail(c, f, "read");
            return;
        }
        if (got == 0) {
            if (http_resp_eof(c->resp) == HTTP_DONE)
                finish_ok(c);
            else
                retry_or_fail(c, TALLY_E_RESET, http_resp_error(c->resp));
            return;
        }
        hs = http_resp_feed(c->resp, w->rbuf, got, &used);
        if (hs == HTTP_DONE) {
            finish_ok(c);
            return;
        }
        if (hs == HTTP_BAD) {
            char msg[200];
            snprintf(msg, sizeof msg, "malformed response: %s", http_resp_error(c->resp));
            fail_request(c, TALLY_E_PARSE, msg);
            return;
        }
        /* The rest of the response has not arrived: a short plain read took all there was,
         * so wait for readiness (level-triggered) rather than read again for EAGAIN. */
        if (got < sizeof w->rbuf && c->ops->short_read_drains) return;
    }
}

static void send_request(struct lconn *c) {
    const struct plan *p = c->w->e->p;
    const struct http_tmpl *t = p->classes[c->req.cls].tmpl;

    c->wptr = http_tmpl_render(t, c->req.key, &c->scratch, &c->wlen);
    c->woff = 0;
    c->want_r = c->want_w = 0;
    http_resp_start(c->resp, http_tmpl_is_head(t));
    c->st = C_BUSY;
    c->req.sent_ns = ev_now();
    if (!c->req.first_ns) c->req.first_ns = c->req.sent_ns;
    do_write(c);
}

static void do_handshake(struct lconn *c) {
    unsigned want = 0;
    enum conn_fail f = CONN_FAIL_NONE;
    enum io_status rc = c->ops->handshake(c->ts, c->fd, &want, &f);
    char msg[200];

    if (rc == IO_OK) {
        send_request(c);
        return;
    }
    if (rc == IO_RETRY) {
        c->want_w = want;
        set_interest(c);
        return;
    }
    snprintf(msg, sizeof msg, "TLS %s", tls_session_error(c->ts));
    fail_request(c, TALLY_E_TLS, msg);
}

static void connected(struct lconn *c) {
    const struct engine *e = c->w->e;
    char msg[200];

    if (conn_connected(c->fd) != IO_OK) {
        snprintf(msg, sizeof msg, "connect to %s: %s", e->p->addr.text, strerror(errno));
        fail_request(c, TALLY_E_CONNECT, msg);
        return;
    }
    if (!e->tls) {
        c->ops = conn_plain_ops();
        send_request(c);
        return;
    }
    c->ts = tls_session_new(e->tls, c->fd, e->p->host);
    if (!c->ts) {
        fail_request(c, TALLY_E_TLS, "TLS: cannot create a session");
        return;
    }
    c->ops = tls_ops();
    c->st = C_HANDSHAKE;
    do_handshake(c);
}

/* An idle keep-alive connection became readable. Nothing for the application (a spurious
 * wake-up, or a TLS 1.3 session ticket that the TLS layer consumed): keep it. EOF, an error,
 * or bytes nobody asked for (a 408 before closing, garbage): it is not reusable. */
static void idle_event(struct lconn *c) {
    struct worker *w = c->w;
    size_t got = 0;
    unsigned want = 0;
    enum conn_fail f = CONN_FAIL_NONE;
    enum io_status rc = c->ops->read(c->ts, c->fd, w->rbuf, sizeof w->rbuf, &got, &want, &f);
    enum clist was = c->listed;

    if (rc == IO_RETRY) {
        if (ev_io_set(w->ev, &c->io, want ? want : EV_READ) == 0) return;
    }
    list_remove(w, c);
    close_socket(c);
    if (was != L_NONE) list_push(&w->closed, c, L_CLOSED);
}

static void on_io(struct ev *ev, struct ev_io *io, unsigned events) {
    struct lconn *c = io->ud;

    (void)ev;
    if (io->fd != c->fd) return; /* stale event for a descriptor closed in this batch */
    switch (c->st) {
        case C_CONNECTING:
            if (events & EV_WRITE) connected(c);
            break;
        case C_HANDSHAKE:
            do_handshake(c);
            break;
        case C_BUSY:
            if (c->woff < c->wlen && (events & EV_WRITE) && do_write(c) < 0) return;
            if (c->st == C_BUSY && c->has_req) do_read(c);
            break;
        case C_IDLE:
            idle_event(c);
            break;
        case C_CLOSED:
            break;
    }
}

static void on_timeout(struct ev *ev, struct ev_timer *t) {
    struct lconn *c = t->ud;
    char msg[120];

    (void)ev;
    snprintf(msg, sizeof msg, "no complete response within %.3f s",
             (double)c->w->e->p->timeout_ns / 1e9);
    fail_request(c, TALLY_E_TIMEOUT, msg);
}

/* Give connection c (idle or closed, not listed) request r. */
static void start_request(struct lconn *c, const struct lreq *r) {
    struct worker *w = c->w;

    c->req = *r;
    c->has_req = 1;
    w->busy++;
    ev_timer_start(w->ev, &c->timer, ev_now() + w->e->p->timeout_ns);
    if (c->st == C_IDLE)
        send_request(c);
    else
        open_conn(c);
}

/* --- open model -------------------------------------------------------------------------- */

static void pend_push(struct worker *w, const struct lreq *r) {
    if (w->plen == w->pcap) {
        size_t ncap = w->pcap ? 2 * w->pcap : 64;
        struct lreq *n = xmalloc(ncap * sizeof *n);
        for (size_t i = 0; i < w->plen; i++)
            n[i] = w->pend[(w->phead + i) % w->pcap];
        free(w->pend);
        w->pend = n;
        w->pcap = ncap;
        w->phead = 0;
    }
    w->pend[(w->phead + w->plen) % w->pcap] = *r;
    w->plen++;
}

static void dispatch(struct worker *w) {
    if (w->dispatching) return; /* a failure inside start_request: the outer loop goes on */
    w->dispatching = 1;
    while (w->plen && !w->aborted) {
        struct lconn *c = list_pop(w);
        struct lreq r;
        int held = 0;

        if (!c) {
            w->held_n = w->plen; /* every waiting request is waiting for the cap */
            break;
        }
        r = w->pend[w->phead];
        w->phead = (w->phead + 1) % w->pcap;
        w->plen--;
        if (w->held_n) {
            w->held_n--;
            held = 1;
        }
        if (held) {
            int64_t now = ev_now();
            rec_count(w, r.cls, 0, 0, 1, now - r.intended_ns, now);
        }
        start_request(c, &r);
    }
    w->dispatching = 0;
}

static void on_sched(struct ev *ev, struct ev_timer *t) {
    struct worker *w = t->ud;
    const struct engine *e = w->e;
    int64_t now = ev_now();

    while (w->have_next && e->t0 + w->next_t <= now) {
        struct lreq r;
        memset(&r, 0, sizeof r);
        r.index = w->next_i;
        r.intended_ns = e->t0 + w->next_t;
        plan_pick(e->p, r.index, &r.cls, &r.key);
        rec_arrival(w, r.cls, r.intended_ns);
        pend_push(w, &r);
        w->have_next = sched_next(w->sched, &w->next_i, &w->next_t);
    }
    if (w->have_next)
        ev_timer_start(ev, &w->sched_timer, e->t0 + w->next_t);
    else
        w->sending = 0;
    dispatch(w);
}

/* --- closed model ------------------------------------------------------------------------ */

static void conn_done(struct lconn *c) {
    struct worker *w = c->w;

    if (c->done) return;
    c->done = 1;
    ev_timer_stop(w->ev, &c->think);
    if (--w->active == 0) w->sending = 0;
}

static void closed_send(struct lconn *c, int64_t intended) {
    struct worker *w = c->w;
    const struct engine *e = w->e;
    const struct plan *p = e->p;
    struct lreq r;

    memset(&r, 0, sizeof r);
    r.index = c->k * e->nconn + c->gid;
    if ((p->count && r.index >= p->count) || intended >= e->end_abs || !w->sending) {
        conn_done(c);
        return;
    }
    c->k++;
    r.intended_ns = intended;
    plan_pick(p, r.index, &r.cls, &r.key);
    rec_arrival(w, r.cls, r.intended_ns);
    start_request(c, &r);
}

static void on_think(struct ev *ev, struct ev_timer *t) {
    (void)ev;
    closed_send(t->ud, t->at_ns);
}

static void on_end(struct ev *ev, struct ev_timer *t) {
    struct worker *w = t->ud;

    (void)ev;
    w->sending = 0;
    for (unsigned i = 0; i < w->nconns; i++)
        if (!w->conns[i].has_req) conn_done(&w->conns[i]);
}

/* --- after each answer ------------------------------------------------------------------- */

static void next_work(struct lconn *c, int ok) {
    struct worker *w = c->w;
    const struct plan *p = w->e->p;

    if (p->open) {
        list_push(c->st == C_IDLE ? &w->ready : &w->closed, c,
                  c->st == C_IDLE ? L_READY : L_CLOSED);
        dispatch(w);
        return;
    }
    if (!w->sending || c->done) {
        conn_done(c);
        return;
    }
    if (p->has_think) {
        double d = dist_sample(&p->think, &c->rng);
        ev_timer_start(w->ev, &c->think, ev_now() + dist_ns(d));
    } else if (!ok) {
        /* Through the loop, not recursively: a refused connect fails at once. */
        ev_timer_start(w->ev, &c->think, ev_now());
    } else {
        closed_send(c, ev_now());
    }
}

/* --- worker thread ----------------------------------------------------------------------- */

static void stop_sending(struct worker *w) {
    if (!w->sending) return;
    w->sending = 0;
    ev_timer_stop(w->ev, &w->sched_timer);
    /* Requests still waiting for a free connection are not sent after a stop: they are
     * reported as never sent. (Sending them would keep loading an overloaded server long
     * after Ctrl-C, and a `timeout` around the run could not bound it.) */
    w->unsent_at_stop += w->plen;
    w->plen = 0;
    w->phead = 0;
    if (!w->e->p->open)
        for (unsigned i = 0; i < w->nconns; i++)
            if (!w->conns[i].has_req) conn_done(&w->conns[i]);
}

static void on_wake(struct ev *ev, void *user) {
    struct worker *w = user;
    int level = atomic_load(&w->e->stop_level);

    (void)ev;
    if (level >= 2) w->aborted = 1;
    if (level >= 1) stop_sending(w);
}

static void *worker_main(void *arg) {
    struct worker *w = arg;
    struct engine *e = w->e;
    const struct plan *p = e->p;

    if (p->open) {
        w->have_next = sched_next(w->sched, &w->next_i, &w->next_t);
        if (w->have_next)
            ev_timer_start(w->ev, &w->sched_timer, e->t0 + w->next_t);
        else
            w->sending = 0;
    } else {
        for (unsigned i = 0; i < w->nconns; i++)
            ev_timer_start(w->ev, &w->conns[i].think, e->t0);
        if (e->end_abs != INT64_MAX) {
            ev_timer_init(&w->sched_timer, on_end, w);
            ev_timer_start(w->ev, &w->sched_timer, e->end_abs);
        }
        if (w->active == 0) w->sending = 0;
    }
    on_wake(w->ev, w); /* a stop requested before the thread started */
    while (!w->aborted && (w->sending || w->plen || w->busy)) {
        if (ev_run_once(w->ev, &w->err)) {
            w->failed = 1;
            break;
        }
    }
    pthread_mutex_lock(&w->mu);
    w->unsent = w->plen + w->unsent_at_stop;
    pthread_mutex_unlock(&w->mu);
    for (unsigned i = 0; i < w->nconns; i++)
        close_socket(&w->conns[i]);
    pthread_mutex_lock(&e->mu);
    e->finished++;
    pthread_cond_broadcast(&e->cv);
    pthread_mutex_unlock(&e->mu);
    return NULL;
}

/* --- setup and coordination -------------------------------------------------------------- */

static void worker_free(struct worker *w, size_t ncls) {
    for (unsigned i = 0; i < w->nconns; i++) {
        struct lconn *c = &w->conns[i];
        close_socket(c);
        http_resp_free(c->resp);
        http_buf_free(&c->scratch);
    }
    free(w->conns);
    for (size_t c = 0; c < ncls; c++) {
        if (w->iv) tally_free(&w->iv[c]);
        if (w->ivw) tally_free(&w->ivw[c]);
    }
    free(w->iv);
    free(w->ivw);
    free(w->inflight);
    free(w->pend);
    sched_free(w->sched);
    ev_free(w->ev);
    pthread_mutex_destroy(&w->mu);
}

static int worker_init(struct engine *e, struct worker *w, unsigned id, unsigned nconns,
                       unsigned gid0, struct err *err) {
    const struct plan *p = e->p;

    w->e = e;
    w->id = id;
    pthread_mutex_init(&w->mu, NULL);
    w->iv = xcalloc(p->nclasses, sizeof *w->iv);
    for (size_t c = 0; c < p->nclasses; c++)
        tally_init(&w->iv[c]);
    if (p->warmup_ns > 0) {
        w->ivw = xcalloc(p->nclasses, sizeof *w->ivw);
        for (size_t c = 0; c < p->nclasses; c++)
            tally_init(&w->ivw[c]);
    }
    w->inflight = xcalloc(p->nclasses, sizeof *w->inflight);
    w->ev = ev_new(err);
    if (!w->ev) return -1;
    ev_set_wake(w->ev, on_wake, w);
    ev_timer_init(&w->sched_timer, on_sched, w);
    w->sending = 1;
    w->nconns = nconns;
    w->conns = xcalloc(nconns ? nconns : 1, sizeof *w->conns);
    for (unsigned i = 0; i < nconns; i++) {
        struct lconn *c = &w->conns[i];
        c->w = w;
        c->gid = gid0 + i;
        c->fd = -1;
        c->resp = http_resp_new();
        ev_timer_init(&c->timer, on_timeout, c);
        ev_timer_init(&c->think, on_think, c);
        rng_seed(&c->rng, rng_mix64(p->seed ^ rng_mix64(UINT64_C(0x7468696e6b) + c->gid)), c->gid);
        if (p->open) list_push(&w->closed, c, L_CLOSED);
    }
    /* Keep the list order so the first connection is tried first. */
    if (p->open) {
        w->closed = NULL;
        for (unsigned i = nconns; i-- > 0;)
            list_push(&w->closed, &w->conns[i], L_CLOSED);
    }
    if (p->open) {
        struct sched_config sc;
        memset(&sc, 0, sizeof sc);
        sc.poisson = p->poisson;
        sc.seed = p->seed;
        sc.phases = p->phases;
        sc.nphases = p->nphases;
        sc.end_ns = p->duration_ns;
        sc.count = p->count;
        sc.seg_index = p->seg_index;
        sc.seg_count = p->seg_count;
        sc.share_index = id;
        sc.share_count = e->nw;
        w->sched = sched_new(&sc);
    } else {
        w->active = nconns;
    }
    return 0;
}

static void add_ns(struct timespec *ts, int64_t ns) {
    ts->tv_sec = (time_t)(ns / 1000000000);
    ts->tv_nsec = (long)(ns % 1000000000);
}

/* Move every worker's interval tallies into iv (reset first; warm-up and run parts together,
 * as archsim's interval rows count an interval that spans the end of warm-up whole) and the
 * in-flight counts; add the run parts (events at or after the end of warm-up) to run[] and
 * run_total too. */
static void collect(struct engine *e, struct tally *iv, struct tally *total, uint64_t *inflight,
                    uint64_t *inflight_total, struct tally *run, struct tally *run_total) {
    size_t n = e->p->nclasses;

    tally_reset(total);
    *inflight_total = 0;
    for (size_t c = 0; c < n; c++) {
        tally_reset(&iv[c]);
        inflight[c] = 0;
    }
    for (unsigned i = 0; i < e->nw; i++) {
        struct worker *w = &e->w[i];
        pthread_mutex_lock(&w->mu);
        for (size_t c = 0; c < n; c++) {
            tally_merge(&iv[c], &w->iv[c]);
            tally_merge(&run[c], &w->iv[c]);
            tally_merge(run_total, &w->iv[c]);
            tally_reset(&w->iv[c]);
            if (w->ivw) {
                tally_merge(&iv[c], &w->ivw[c]);
                tally_reset(&w->ivw[c]);
            }
            inflight[c] += w->inflight[c];
        }
        pthread_mutex_unlock(&w->mu);
    }
    for (size_t c = 0; c < n; c++) {
        tally_merge(total, &iv[c]);
        *inflight_total += inflight[c];
    }
}

void engine_result_free(struct engine_result *out) {
    if (out->cls)
        for (size_t c = 0; c < out->nclasses; c++)
            tally_free(&out->cls[c]);
    free(out->cls);
    tally_free(&out->total);
    free(out->in_flight);
    memset(out, 0, sizeof *out);
}

static void wake_all(struct engine *e, int level) {
    atomic_store(&e->stop_level, level);
    for (unsigned i = 0; i < e->nw; i++)
        ev_wake(e->w[i].ev);
}

/* The end of the measured window, ns since the start (see engine_result.measured_ns): the end
 * of sending, not the last answer, so that a slow drain does not dilute the rates and the
 * window is archsim's (duration minus warm-up). run_end: the last answer; stop: when a stop
 * was requested (INT64_MAX: never). */
static int64_t window_end(const struct plan *p, int64_t run_end, int64_t stop) {
    int64_t end;

    if (p->count == 0)
        end = p->duration_ns; /* -d: the schedule or the connections sent until then */
    else if (p->duration_ns && p->duration_ns < run_end)
        end = p->duration_ns; /* -n and -d, the duration came first */
    else
        end = run_end; /* -n: sending ends with the count; the last answer closes it */
    if (stop < end) end = stop;
    return end < 0 ? 0 : end;
}

int engine_run(const struct plan *p, const struct engine_hooks *hooks, struct engine_result *out,
               struct err *err) {
    struct engine e;
    struct tally *iv = NULL, ivtotal;
    uint64_t *ivflight = NULL, ivflight_total = 0;
    pthread_condattr_t ca;
    sigset_t all, old;
    unsigned gid = 0, k = 0;
    int level_sent = 0, rc = -1, hook_stop = 0;
    int64_t now, end_rel = 0, stop_rel = INT64_MAX;
    struct timespec rt;

    memset(&e, 0, sizeof e);
    memset(out, 0, sizeof *out);
    memset(&ivtotal, 0, sizeof ivtotal);
    e.p = p;
    atomic_init(&e.stop_level, 0);
    pthread_mutex_init(&e.mu, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&e.cv, &ca);
    pthread_condattr_destroy(&ca);
    e.nconn = p->connections ? p->connections : 1;
    e.nw = p->threads < e.nconn ? p->threads : e.nconn;
    if (e.nw == 0) e.nw = 1;
    if (p->tls) {
        e.tls = tls_ctx_new(!p->insecure, p->cacert, err);
        if (!e.tls) goto done;
    }
    e.w = xcalloc(e.nw, sizeof *e.w);
    for (unsigned i = 0; i < e.nw; i++) {
        unsigned n = e.nconn / e.nw + (i < e.nconn % e.nw);
        if (worker_init(&e, &e.w[i], i, n, gid, err)) goto done;
        gid += n;
    }
    out->nclasses = p->nclasses;
    out->cls = xcalloc(p->nclasses, sizeof *out->cls);
    out->in_flight = xcalloc(p->nclasses, sizeof *out->in_flight);
    iv = xcalloc(p->nclasses, sizeof *iv);
    ivflight = xcalloc(p->nclasses, sizeof *ivflight);
    for (size_t c = 0; c < p->nclasses; c++) {
        tally_init(&out->cls[c]);
        tally_init(&iv[c]);
    }
    tally_init(&out->total);
    tally_init(&ivtotal);
    out->threads = e.nw;
    out->connections = e.nconn;

    e.t0 = ev_now() + START_DELAY;
    e.end_abs = p->duration_ns ? e.t0 + p->duration_ns : INT64_MAX;
    e.cut_abs = p->warmup_ns > 0 ? e.t0 + p->warmup_ns : INT64_MIN;
    clock_gettime(CLOCK_REALTIME, &rt);
    out->wall_start = (double)rt.tv_sec + (double)rt.tv_nsec / 1e9 + (double)START_DELAY / 1e9;

    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    for (unsigned i = 0; i < e.nw; i++) {
        if (pthread_create(&e.w[i].th, NULL, worker_main, &e.w[i]) != 0) {
            err_set(err, NULL, 0, 0, "cannot start a thread: %s", strerror(errno));
            pthread_sigmask(SIG_SETMASK, &old, NULL);
            wake_all(&e, 2);
            goto join;
        }
        e.w[i].started = 1;
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);

    for (;;) {
        int64_t boundary = e.t0 + (int64_t)(k + 1) * p->interval_ns;
        int fin, level;
        struct engine_interval info;

        pthread_mutex_lock(&e.mu);
        now = ev_now();
        while (e.finished < e.nw && now < boundary) {
            struct timespec ts;
            int64_t until = boundary < now + POLL_STOP_NS ? boundary : now + POLL_STOP_NS;
            add_ns(&ts, until);
            pthread_cond_timedwait(&e.cv, &e.mu, &ts);
            now = ev_now();
            if (hooks && hooks->stop && *hooks->stop > level_sent) break;
        }
        fin = e.finished == e.nw;
        pthread_mutex_unlock(&e.mu);

        level = hooks && hooks->stop ? (int)*hooks->stop : 0;
        if (hook_stop && level < 1) level = 1;
        if (level > level_sent) {
            wake_all(&e, level);
            if (level_sent == 0) stop_rel = now - e.t0;
            level_sent = level;
        }
        if (!fin && now < boundary) continue;
        end_rel = fin ? now - e.t0 : (int64_t)(k + 1) * p->interval_ns;
        if (end_rel < 0) end_rel = 0;
        collect(&e, iv, &ivtotal, ivflight, &ivflight_total, out->cls, &out->total);
        info.index = k;
        info.t_start_ns = (int64_t)k * p->interval_ns;
        info.t_end_ns = end_rel;
        /* in_warmup as archsim has it: the interval ended before the warm-up or with it */
        info.flags = (p->warmup_ns > 0 && end_rel <= p->warmup_ns ? NET_ROW_WARMUP : 0u) |
                     (fin && level_sent ? NET_ROW_PARTIAL : 0u);
        info.nclasses = p->nclasses;
        info.cls = iv;
        info.total = &ivtotal;
        info.in_flight = ivflight;
        info.in_flight_total = ivflight_total;
        if (info.t_end_ns > info.t_start_ns || ivtotal.arrivals || ivtotal.completions ||
            ivtotal.errors || ivtotal.rejected) {
            if (hooks && hooks->interval && hooks->interval(hooks->user, &info) && !hook_stop) {
                hook_stop = 1;
                out->stopped_by_hook = 1;
                if (level_sent < 1) {
                    wake_all(&e, 1);
                    stop_rel = ev_now() - e.t0;
                    level_sent = 1;
                }
            }
        }
        if (fin) break;
        k++;
    }
    rc = 0;
join:
    for (unsigned i = 0; i < e.nw; i++)
        if (e.w[i].started) pthread_join(e.w[i].th, NULL);
    if (rc == 0) {
        for (unsigned i = 0; i < e.nw; i++) {
            struct worker *w = &e.w[i];
            for (size_t c = 0; c < p->nclasses; c++)
                out->in_flight[c] += w->inflight[c];
            out->unsent += w->unsent;
            for (int kind = 0; kind < TALLY_NERR; kind++)
                if (!out->first_error[kind][0] && w->first_error[kind][0])
                    memcpy(out->first_error[kind], w->first_error[kind],
                           sizeof out->first_error[kind]);
            if (w->failed && rc == 0) {
                *err = w->err;
                rc = -1;
            }
        }
        for (size_t c = 0; c < p->nclasses; c++)
            out->in_flight_total += out->in_flight[c];
        out->run_ns = end_rel;
        out->end_ns = window_end(p, end_rel, stop_rel);
        out->warmup_ns = p->warmup_ns;
        out->measured_ns = out->end_ns - out->warmup_ns;
        if (out->measured_ns < 0) out->measured_ns = 0;
        out->stopped = level_sent >= 2 ? 2 : level_sent ? 1 : 0;
    }
done:
    if (e.w)
        for (unsigned i = 0; i < e.nw; i++)
            worker_free(&e.w[i], p->nclasses);
    free(e.w);
    if (iv)
        for (size_t c = 0; c < p->nclasses; c++)
            tally_free(&iv[c]);
    free(iv);
    free(ivflight);
    tally_free(&ivtotal);
    tls_ctx_free(e.tls);
    pthread_cond_destroy(&e.cv);
    pthread_mutex_destroy(&e.mu);
    if (rc) engine_result_free(out);
    return rc;
}
