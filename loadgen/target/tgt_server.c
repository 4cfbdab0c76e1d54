/* tgt_server — the epoll I/O thread of archtarget; see tgt_server.h for the design. */
#define _GNU_SOURCE /* accept4, epoll */
#include "tgt_server.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "tgt_buf.h"
#include "tgt_http.h"
#include "tgt_station.h"
#include "tgt_stats.h"
#include "xmalloc.h"

#define MAX_PIPELINE   256            /* unanswered requests before a connection is paused */
#define MAX_OUTPUT     (1024 * 1024)  /* unwritten bytes before a connection is paused */
#define LINGER_NS      (2000000000LL) /* draining input after the last response */
#define GRACE_NS       (500000000LL)  /* writing complete responses when stopping */
#define ACCEPT_BACKOFF (100000000LL)  /* out of descriptors: retry accept after this */
#define READ_CHUNK     16384

/* epoll data tags for the descriptors that are not connections */
#define TAG_LISTEN  ((void *)1)
#define TAG_STATION ((void *)2)
#define TAG_STOP    ((void *)3)

struct conn;

/* One request awaiting its response. The job comes first so the station's job pointer is the
 * request pointer. */
struct req {
    struct tgt_job job;
    struct req *next; /* in the connection's arrival order */
    struct conn *conn;
    int path_index; /* stats entry; -1 for /stats (not counted) */
    int status;     /* 0 until the response is known */
    int keep_alive, http10, head;
    int in_station;      /* 1 while the station holds it */
    int text;            /* /stats?format=text */
    struct tgt_buf body; /* /stats body, rendered when the request arrived */
};

struct conn {
    int fd; /* -1 once closed */
    struct tgt_http *http;
    struct req *first, *last; /* unanswered requests, arrival order */
    size_t npending;
    size_t in_station; /* requests (listed or not) the station holds */
    struct tgt_buf out;
    int no_more_input; /* Connection: close seen, parse error, peer EOF or stopping */
    int peer_eof;
    int lingering; /* all written, SHUT_WR sent, draining input until linger_until */
    int64_t linger_until;
    uint32_t events; /* current epoll interest */
    struct conn *prev, *next;
};

struct tgt_server {
    struct tgt_server_config cfg; /* its pointers are cleared; copies below */
    struct dist service;
    struct tgt_server_path *paths;
    size_t npaths;
    int listen_fd, epfd;
    int listen_on; /* listener registered with epoll */
    int64_t accept_retry_at;
    char address[128];
    int64_t start_ns;
    struct tgt_station *station;
    struct tgt_stats *stats;
    struct conn *conns; /* open and closed-but-held connections */
    struct conn *dead;  /* retired in this loop iteration, freed at its end */
    uint64_t conns_open, conns_total;
    size_t lingering;
    int stopping;
};

static int64_t now_ns(void) {
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void req_free(struct req *r) {
    if (!r) return;
    tgt_buf_free(&r->body);
    free(r);
}

/* tgt_job_free_fn for the station: jobs are the first member of requests. */
static void job_free(struct tgt_job *job) {
    req_free((struct req *)job);
}

/* ---- connections ------------------------------------------------------------------------ */

static void conn_unlink(struct tgt_server *s, struct conn *c) {
    if (c->prev)
        c->prev->next = c->next;
    else
        s->conns = c->next;
    if (c->next) c->next->prev = c->prev;
}

static void conn_free(struct conn *c) {
    tgt_buf_free(&c->out);
    tgt_http_free(c->http);
    free(c);
}

/* Retire c: it is freed at the end of the loop iteration, because later events of the same
 * epoll batch may still point at it (they see fd < 0 and skip it). */
static void conn_destroy(struct tgt_server *s, struct conn *c) {
    conn_unlink(s, c);
    c->prev = NULL;
    c->next = s->dead;
    s->dead = c;
}

static void free_dead(struct tgt_server *s) {
    while (s->dead) {
        struct conn *c = s->dead;
        s->dead = c->next;
        conn_free(c);
    }
}

/* Close the descriptor and drop the requests nobody works on; the struct lives on while the
 * station holds some of its requests. */
static void conn_close(struct tgt_server *s, struct conn *c) {
    struct req *r = c->first;

    if (c->fd < 0) return;
    epoll_ctl(s->epfd, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    c->fd = -1;
    s->conns_open--;
    if (c->lingering) s->lingering--;
    c->lingering = 0;
    while (r) {
        struct req *next = r->next;
        r->next = NULL;
        if (!r->in_station) req_free(r); /* else freed when the station returns it */
        r = next;
    }
    c->first = c->last = NULL;
    c->npending = 0;
    if (c->in_station == 0) conn_destroy(s, c);
}

static void conn_update(struct tgt_server *s, struct conn *c) {
    uint32_t want = 0;
    struct epoll_event ev;

    if (c->fd < 0) return;
    if (c->lingering)
        want |= EPOLLIN;
    else if (!c->no_more_input) {
        /* paused while too much is unanswered; resumes at half */
        size_t lim_req = c->events & EPOLLIN ? MAX_PIPELINE : MAX_PIPELINE / 2;
        size_t lim_out = c->events & EPOLLIN ? MAX_OUTPUT : MAX_OUTPUT / 2;
        if (c->npending < lim_req && c->out.len < lim_out) want |= EPOLLIN;
    }
    if (c->out.len) want |= EPOLLOUT;
    if (want == c->events) return;
    memset(&ev, 0, sizeof ev);
    ev.events = want;
    ev.data.ptr = c;
    epoll_ctl(s->epfd, EPOLL_CTL_MOD, c->fd, &ev);
    c->events = want;
}

static const char *body_for(int status) {
    switch (status) {
        case 200:
            return "ok\n";
        case 404:
            return "not found\n";
        case 500:
            return "injected error\n";
        case 503:
            return "queue full\n";
        default:
            return "bad request\n";
    }
}

/* Format the response of r (complete, at the head of its connection) into the output. */
static void format_response(struct conn *c, const struct req *r) {
    struct tgt_http_response resp;
    char extra[128];

    memset(&resp, 0, sizeof resp);
    resp.status = r->status;
    resp.keep_alive = r->keep_alive;
    resp.http10 = r->http10;
    resp.head = r->head;
    if (r->path_index < 0) {
        resp.content_type = r->text ? "text/plain" : "application/json";
        resp.body = tgt_buf_head(&r->body);
        resp.body_len = r->body.len;
    } else {
        resp.body = body_for(r->status);
        resp.body_len = strlen(resp.body);
    }
    if (r->job.service) {
        /* what the station did with it, for lessons that look at single requests */
        snprintf(extra, sizeof extra, "X-Wait-Us: %lld\r\nX-Service-Us: %lld\r\n",
                 (long long)(r->job.wait_ns / 1000), (long long)(r->job.service_ns / 1000));
        resp.extra = extra;
    }
    tgt_http_format(&c->out, &resp);
}

/* Write what can be written; then, when nothing more will come, start closing. */
static void conn_flush(struct tgt_server *s, struct conn *c) {
    if (c->fd < 0) return;
    while (c->first && c->first->status) {
        struct req *r = c->first;
        c->first = r->next;
        if (!c->first) c->last = NULL;
        c->npending--;
        format_response(c, r);
        req_free(r);
    }
    while (c->out.len) {
        ssize_t n = send(c->fd, tgt_buf_head(&c->out), c->out.len, MSG_NOSIGNAL);
        if (n > 0) {
            tgt_buf_consume(&c->out, (size_t)n);
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
        conn_close(s, c); /* EPIPE, ECONNRESET: the peer is gone */
        return;
    }
    if (c->no_more_input && !c->first && !c->out.len && !c->lingering) {
        if (c->peer_eof || s->stopping) {
            conn_close(s, c);
            return;
        }
        shutdown(c->fd, SHUT_WR);
        c->lingering = 1;
        c->linger_until = now_ns() + LINGER_NS;
        s->lingering++;
    }
    conn_update(s, c);
}

/* Count a response whose status is now known. */
static void complete(struct tgt_server *s, struct req *r, int status, const struct tgt_job *job) {
    r->status = status;
    if (r->path_index < 0) return;
    tgt_stats_count(s->stats, r->path_index, status, job);
    if (s->cfg.max_requests && tgt_stats_total(s->stats) >= s->cfg.max_requests) s->stopping = 1;
}

static const struct dist *service_for(const struct tgt_server *s, const char *path) {
    size_t i;

    for (i = 0; i < s->npaths; i++)
        if (strcmp(s->paths[i].path, path) == 0) return &s->paths[i].service;
    if (!s->cfg.strict_paths || strcmp(path, "/") == 0) return &s->service;
    return NULL;
}

struct feed_ctx {
    struct tgt_server *s;
    struct conn *c;
};

static struct req *req_append(struct conn *c) {
    struct req *r = xcalloc(1, sizeof *r);

    r->conn = c;
    if (c->last)
        c->last->next = r;
    else
        c->first = r;
    c->last = r;
    c->npending++;
    return r;
}

static void render_stats(struct tgt_server *s, struct req *r) {
    struct tgt_station_snapshot snap;
    struct tgt_stats_conns conns;

    tgt_station_snapshot(s->station, &snap);
    conns.open = s->conns_open;
    conns.total = s->conns_total;
    tgt_stats_render(s->stats, &snap, &conns, snap.at_ns, r->text, &r->body);
}

/* tgt_http_request_fn: one request parsed on f->c. */
static void on_request(void *ctx, const struct tgt_http_request *hr) {
    struct feed_ctx *f = ctx;
    struct tgt_server *s = f->s;
    struct conn *c = f->c;
    struct req *r = req_append(c);
    const struct dist *d;

    r->keep_alive = hr->keep_alive;
    r->http10 = hr->http_major == 1 && hr->http_minor == 0;
    r->head = hr->head;
    if (strcmp(hr->path, "/stats") == 0) {
        /* answered here, never queued, and not counted in what it reports */
        r->path_index = -1;
        r->text = strstr(hr->query, "format=text") != NULL;
        render_stats(s, r);
        r->status = 200;
        return;
    }
    r->path_index = tgt_stats_path(s->stats, hr->path);
    d = service_for(s, hr->path);
    if (!d) {
        complete(s, r, 404, NULL);
        return;
    }
    r->job.service = d;
    if (tgt_station_submit(s->station, &r->job) < 0) {
        r->job.service = NULL;
        complete(s, r, 503, NULL);
        return;
    }
    r->in_station = 1;
    c->in_station++;
}

static void conn_read(struct tgt_server *s, struct conn *c) {
    char buf[READ_CHUNK];
    struct feed_ctx f;
    int rounds;

    f.s = s;
    f.c = c;
    /* a few reads per wake-up keeps one busy connection from starving the others */
    for (rounds = 0; rounds < 4; rounds++) {
        ssize_t n = recv(c->fd, buf, sizeof buf, 0);
        if (n > 0) {
            enum tgt_http_state st;

            if (c->lingering || c->no_more_input) continue; /* discard */
            st = tgt_http_feed(c->http, buf, (size_t)n, on_request, &f);
            if (st == TGT_HTTP_LAST) c->no_more_input = 1;
            if (st == TGT_HTTP_ERROR) {
                struct req *r = req_append(c);
                r->path_index = tgt_stats_path(s->stats, "(invalid)");
                r->keep_alive = 0;
                complete(s, r, tgt_http_error_status(c->http), NULL);
                c->no_more_input = 1;
            }
            if (c->npending >= MAX_PIPELINE || c->out.len >= MAX_OUTPUT) break;
            continue;
        }
        if (n == 0) {
            c->peer_eof = 1;
            c->no_more_input = 1;
            if (c->lingering) {
                conn_close(s, c);
                return;
            }
            break;
        }
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) break;
        conn_close(s, c);
        return;
    }
    conn_flush(s, c);
}

static void do_accept(struct tgt_server *s) {
    int i;

    for (i = 0; i < 64; i++) {
        struct epoll_event ev;
        struct conn *c;
        int fd = accept4(s->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC), one = 1;

        if (fd < 0) {
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
                /* level-triggered: stop listening for a moment rather than spin */
                epoll_ctl(s->epfd, EPOLL_CTL_DEL, s->listen_fd, NULL);
                s->listen_on = 0;
                s->accept_retry_at = now_ns() + ACCEPT_BACKOFF;
            }
            return; /* EAGAIN, or a connection that died before accept */
        }
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        c = xcalloc(1, sizeof *c);
        c->fd = fd;
        c->http = tgt_http_new();
        c->events = EPOLLIN;
        memset(&ev, 0, sizeof ev);
        ev.events = EPOLLIN;
        ev.data.ptr = c;
        if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
            close(fd);
            tgt_http_free(c->http);
            free(c);
            continue;
        }
        c->next = s->conns;
        if (s->conns) s->conns->prev = c;
        s->conns = c;
        s->conns_open++;
        s->conns_total++;
    }
}

/* Hand finished jobs back to their connections. */
static void collect(struct tgt_server *s) {
    struct tgt_job *j = tgt_station_collect(s->station);

    while (j) {
        struct tgt_job *next = j->next;
        struct req *r = (struct req *)j;
        struct conn *c = r->conn;

        j->next = NULL;
        r->in_station = 0;
        c->in_station--;
        complete(s, r, j->failed ? 500 : 200, j);
        if (c->fd < 0) {
            /* its connection closed meanwhile: counted, nobody to answer */
            req_free(r);
            if (c->in_station == 0) conn_destroy(s, c);
        } else if (c->first == r) {
            conn_flush(s, c);
        }
        j = next;
    }
}

static int listen_on(struct tgt_server *s, struct err *err) {
    struct addrinfo hints, *res = NULL, *ai;
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    char port[16], host[NI_MAXHOST], serv[NI_MAXSERV];
    int rc, fd = -1, saved = 0;

    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    snprintf(port, sizeof port, "%u", s->cfg.port);
    rc = getaddrinfo(s->cfg.host, port, &hints, &res);
    if (rc != 0) return err_set(err, NULL, 0, 0, "%s: %s", s->cfg.host, gai_strerror(rc));
    for (ai = res; ai; ai = ai->ai_next) {
        int one = 1;

        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0) {
            saved = errno;
            continue;
        }
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 1024) == 0) break;
        saved = errno;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0)
        return err_set(err, NULL, 0, 0, "%s:%u: %s", s->cfg.host, s->cfg.port, strerror(saved));
    s->listen_fd = fd;
    if (getsockname(fd, (struct sockaddr *)&ss, &sl) < 0 ||
        getnameinfo((struct sockaddr *)&ss, sl, host, sizeof host, serv, sizeof serv,
                    NI_NUMERICHOST | NI_NUMERICSERV) != 0)
        return err_set(err, NULL, 0, 0, "cannot read the bound address: %s", strerror(errno));
    snprintf(s->address, sizeof s->address, ss.ss_family == AF_INET6 ? "[%s]:%s" : "%s:%s", host,
             serv);
    return 0;
}

static int epoll_add(struct tgt_server *s, int fd, void *tag, struct err *err) {
    struct epoll_event ev;

    memset(&ev, 0, sizeof ev);
    ev.events = EPOLLIN;
    ev.data.ptr = tag;
    if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
        return err_set(err, NULL, 0, 0, "epoll_ctl: %s", strerror(errno));
    return 0;
}

struct tgt_server *tgt_server_new(const struct tgt_server_config *cfg, struct err *err) {
    struct tgt_server *s = xcalloc(1, sizeof *s);
    struct tgt_station_config sc;
    struct tgt_stats_info si;
    size_t i;

    s->cfg = *cfg;
    /* the borrowed pointers are not kept (host is used by listen_on below only) */
    s->cfg.service = NULL;
    s->cfg.paths = NULL;
    s->listen_fd = s->epfd = -1;
    dist_copy(&s->service, cfg->service);
    s->npaths = cfg->npaths;
    s->paths = xcalloc(cfg->npaths ? cfg->npaths : 1, sizeof *s->paths);
    for (i = 0; i < cfg->npaths; i++) {
        memcpy(s->paths[i].path, cfg->paths[i].path, sizeof s->paths[i].path);
        dist_copy(&s->paths[i].service, &cfg->paths[i].service);
    }
    if (listen_on(s, err) < 0) goto fail;
    s->cfg.host = NULL;
    s->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (s->epfd < 0) {
        err_set(err, NULL, 0, 0, "epoll_create1: %s", strerror(errno));
        goto fail;
    }
    s->start_ns = now_ns();
    memset(&sc, 0, sizeof sc);
    sc.workers = cfg->workers;
    sc.queue = cfg->queue;
    sc.error_rate = cfg->error_rate;
    sc.seed = cfg->seed;
    sc.start_ns = s->start_ns;
    sc.stall_at_ns = cfg->stall_at_ns;
    sc.stall_for_ns = cfg->stall_for_ns;
    sc.spin_ns = cfg->spin_ns;
    sc.free_job = job_free;
    if (!(s->station = tgt_station_new(&sc, err))) goto fail;
    si.workers = cfg->workers;
    si.queue = cfg->queue;
    si.start_ns = s->start_ns;
    s->stats = tgt_stats_new(&si);
    if (epoll_add(s, s->listen_fd, TAG_LISTEN, err) < 0 ||
        epoll_add(s, tgt_station_fd(s->station), TAG_STATION, err) < 0)
        goto fail;
    s->listen_on = 1;
    return s;
fail:
    tgt_server_free(s);
    return NULL;
}

const char *tgt_server_address(const struct tgt_server *s) {
    return s->address;
}

/* Milliseconds epoll may sleep: until the next deadline the loop must notice. */
static int wait_ms(const struct tgt_server *s, int64_t now, int64_t grace_end) {
    int64_t until = INT64_MAX;

    if (s->stopping) until = grace_end;
    if (s->cfg.duration_ns > 0 && s->start_ns + s->cfg.duration_ns < until)
        until = s->start_ns + s->cfg.duration_ns;
    if (!s->listen_on && s->accept_retry_at < until) until = s->accept_retry_at;
    if (s->lingering && now + 100000000LL < until) until = now + 100000000LL; /* sweep 10/s */
    if (until == INT64_MAX) return -1;
    if (until <= now) return 0;
    return (int)((until - now + 999999) / 1000000);
}

static void sweep_lingering(struct tgt_server *s, int64_t now) {
    struct conn *c = s->conns;

    while (c && s->lingering) {
        struct conn *next = c->next;
        if (c->lingering && now >= c->linger_until) conn_close(s, c);
        c = next;
    }
}

/* Enter the stopping state: no accepting, no reading; responses already complete still go. */
static void begin_stop(struct tgt_server *s) {
    struct conn *c = s->conns, *next;

    if (s->listen_on) epoll_ctl(s->epfd, EPOLL_CTL_DEL, s->listen_fd, NULL);
    s->listen_on = 0;
    s->accept_retry_at = INT64_MAX;
    for (; c; c = next) {
        next = c->next;
        c->no_more_input = 1;
        if (c->lingering)
            conn_close(s, c);
        else
            conn_update(s, c);
    }
}

static int all_written(const struct tgt_server *s) {
    const struct conn *c;

    for (c = s->conns; c; c = c->next)
        if (c->fd >= 0 && c->out.len) return 0;
    return 1;
}

int tgt_server_run(struct tgt_server *s, int stop_fd, struct err *err) {
    struct epoll_event evs[64];
    int64_t grace_end = 0;
    int stopped = 0;

    if (stop_fd >= 0 && epoll_add(s, stop_fd, TAG_STOP, err) < 0) return -1;
    for (;;) {
        int64_t now = now_ns();
        int n, i;

        if (s->stopping && !stopped) {
            stopped = 1;
            grace_end = now + GRACE_NS;
            begin_stop(s);
        }
        if (stopped && (all_written(s) || now >= grace_end)) break;
        n = epoll_wait(s->epfd, evs, 64, wait_ms(s, now, grace_end));
        if (n < 0) {
            if (errno == EINTR) continue;
            return err_set(err, NULL, 0, 0, "epoll_wait: %s", strerror(errno));
        }
        for (i = 0; i < n; i++) {
            void *tag = evs[i].data.ptr;
            struct conn *c;

            if (tag == TAG_LISTEN) {
                if (!s->stopping) do_accept(s);
                continue;
            }
            if (tag == TAG_STATION) {
                collect(s);
                continue;
            }
            if (tag == TAG_STOP) {
                s->stopping = 1;
                continue;
            }
            c = tag;
            if (c->fd < 0) continue; /* closed earlier in this batch */
            if (evs[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
                conn_read(s, c);
                if (c->fd < 0) continue;
            }
            if (evs[i].events & EPOLLOUT) conn_flush(s, c);
        }
        free_dead(s);
        now = now_ns();
        if (s->cfg.duration_ns > 0 && now >= s->start_ns + s->cfg.duration_ns) s->stopping = 1;
        if (s->lingering) sweep_lingering(s, now);
        if (!s->listen_on && !s->stopping && now >= s->accept_retry_at) {
            struct err ignored;
            if (epoll_add(s, s->listen_fd, TAG_LISTEN, &ignored) == 0) s->listen_on = 1;
        }
    }
    return 0;
}

void tgt_server_free(struct tgt_server *s) {
    struct conn *c, *next;
    size_t i;

    if (!s) return;
    /* requests the station holds are freed by the station, the rest here */
    for (c = s->conns; c; c = c->next) {
        struct req *r = c->first;
        while (r) {
            struct req *rn = r->next;
            if (!r->in_station) req_free(r);
            r = rn;
        }
        c->first = c->last = NULL;
    }
    tgt_station_free(s->station);
    for (c = s->conns; c; c = next) {
        next = c->next;
        if (c->fd >= 0) close(c->fd);
        conn_free(c);
    }
    free_dead(s);
    tgt_stats_free(s->stats);
    if (s->listen_fd >= 0) close(s->listen_fd);
    if (s->epfd >= 0) close(s->epfd);
    dist_free(&s->service);
    for (i = 0; i < s->npaths; i++)
        dist_free(&s->paths[i].service);
    free(s->paths);
    free(s);
}
