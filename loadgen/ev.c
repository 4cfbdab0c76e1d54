/* ev — per-thread epoll loop with a timer heap and a wake-up eventfd; see ev.h. */
#define _GNU_SOURCE /* epoll, timerfd, eventfd */
#include "ev.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "xmalloc.h"

#define EV_BATCH 256 /* events taken per epoll_wait */

struct ev {
    int epfd, tfd, wfd;
    struct ev_io tio, wio;  /* the timerfd and the eventfd */
    int64_t armed_ns;       /* time the timerfd is armed for; INT64_MAX: disarmed */
    struct ev_timer **heap; /* min-heap on (at_ns, seq) */
    size_t nheap, capheap;
    uint64_t seq;
    ev_wake_fn *wake_fn;
    void *wake_user;
    struct epoll_event events[EV_BATCH];
};

int64_t ev_now(void) {
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* The timerfd is registered edge-triggered and never read: each expiry is a new edge, and
 * timerfd_settime clears the expiry count, so a read would only cost a system call per
 * wake-up. */
static void on_timerfd(struct ev *ev, struct ev_io *io, unsigned events) {
    (void)io;
    (void)events;
    ev->armed_ns = INT64_MAX; /* a one-shot timerfd is disarmed once it expired */
}

static void on_wakefd(struct ev *ev, struct ev_io *io, unsigned events) {
    uint64_t n;

    (void)events;
    if (read(io->fd, &n, sizeof n) < 0) return;
    if (ev->wake_fn) ev->wake_fn(ev, ev->wake_user);
}

struct ev *ev_new(struct err *err) {
    struct ev *ev = xcalloc(1, sizeof *ev);
    struct epoll_event e;

    ev->epfd = ev->tfd = ev->wfd = -1;
    ev->armed_ns = INT64_MAX;
    ev->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (ev->epfd < 0) goto fail;
    ev->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (ev->tfd < 0) goto fail;
    ev->wfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (ev->wfd < 0) goto fail;
    ev_io_init(&ev->tio, ev->tfd, on_timerfd, NULL);
    ev_io_init(&ev->wio, ev->wfd, on_wakefd, NULL);
    memset(&e, 0, sizeof e);
    e.events = EPOLLIN | EPOLLET;
    e.data.ptr = &ev->tio;
    if (epoll_ctl(ev->epfd, EPOLL_CTL_ADD, ev->tfd, &e) < 0) goto fail;
    ev->tio.mask = EV_READ;
    if (ev_io_set(ev, &ev->wio, EV_READ)) goto fail;
    return ev;
fail:
    err_set(err, NULL, 0, 0, "event loop: %s", strerror(errno));
    ev_free(ev);
    return NULL;
}

void ev_free(struct ev *ev) {
    if (!ev) return;
    if (ev->epfd >= 0) close(ev->epfd);
    if (ev->tfd >= 0) close(ev->tfd);
    if (ev->wfd >= 0) close(ev->wfd);
    free(ev->heap);
    free(ev);
}

void ev_io_init(struct ev_io *io, int fd, ev_io_fn *fn, void *ud) {
    io->fd = fd;
    io->mask = 0;
    io->fn = fn;
    io->ud = ud;
}

int ev_io_set(struct ev *ev, struct ev_io *io, unsigned mask) {
    struct epoll_event e;
    int op;

    if (mask == io->mask) return 0;
    memset(&e, 0, sizeof e);
    e.events = ((mask & EV_READ) ? EPOLLIN : 0u) | ((mask & EV_WRITE) ? EPOLLOUT : 0u);
    e.data.ptr = io;
    op = io->mask == 0 ? EPOLL_CTL_ADD : mask == 0 ? EPOLL_CTL_DEL : EPOLL_CTL_MOD;
    if (epoll_ctl(ev->epfd, op, io->fd, &e) < 0) return -1;
    io->mask = mask;
    return 0;
}

/* --- timers ------------------------------------------------------------------------------ */

static int before(const struct ev_timer *a, const struct ev_timer *b) {
    return a->at_ns < b->at_ns || (a->at_ns == b->at_ns && a->seq < b->seq);
}

static void heap_put(struct ev *ev, size_t i, struct ev_timer *t) {
    ev->heap[i] = t;
    t->slot = i + 1;
}

static void sift_up(struct ev *ev, size_t i) {
    struct ev_timer *t = ev->heap[i];

    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!before(t, ev->heap[parent])) break;
        heap_put(ev, i, ev->heap[parent]);
        i = parent;
    }
    heap_put(ev, i, t);
}

static void sift_down(struct ev *ev, size_t i) {
    struct ev_timer *t = ev->heap[i];

    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= ev->nheap) break;
        if (c + 1 < ev->nheap && before(ev->heap[c + 1], ev->heap[c])) c++;
        if (!before(ev->heap[c], t)) break;
        heap_put(ev, i, ev->heap[c]);
        i = c;
    }
    heap_put(ev, i, t);
}

void ev_timer_init(struct ev_timer *t, ev_timer_fn *fn, void *ud) {
    memset(t, 0, sizeof *t);
    t->fn = fn;
    t->ud = ud;
}

int ev_timer_active(const struct ev_timer *t) {
    return t->slot != 0;
}

void ev_timer_stop(struct ev *ev, struct ev_timer *t) {
    size_t i;
    struct ev_timer *last;

    if (!t->slot) return;
    i = t->slot - 1;
    t->slot = 0;
    last = ev->heap[--ev->nheap];
    if (i == ev->nheap) return;
    heap_put(ev, i, last);
    sift_up(ev, i);
    sift_down(ev, last->slot - 1);
}

void ev_timer_start(struct ev *ev, struct ev_timer *t, int64_t at_ns) {
    ev_timer_stop(ev, t);
    if (ev->nheap == ev->capheap) {
        ev->capheap = ev->capheap ? 2 * ev->capheap : 64;
        ev->heap = xrealloc(ev->heap, ev->capheap * sizeof *ev->heap);
    }
    t->at_ns = at_ns;
    t->seq = ev->seq++;
    heap_put(ev, ev->nheap++, t);
    sift_up(ev, ev->nheap - 1);
}

size_t ev_timer_count(const struct ev *ev) {
    return ev->nheap;
}

void ev_set_wake(struct ev *ev, ev_wake_fn *fn, void *user) {
    ev->wake_fn = fn;
    ev->wake_user = user;
}

void ev_wake(struct ev *ev) {
    uint64_t one = 1;

    /* EAGAIN means the counter is already non-zero: the loop will wake anyway. */
    if (write(ev->wfd, &one, sizeof one) < 0) return;
}

/* Arm the timerfd for the earliest timer unless it is armed for that time or earlier already:
 * an early expiry is only a spurious wake-up, after which it is re-armed, while re-arming each
 * time the earliest timer moves later (a request's timeout restarted on every request, with
 * -n alone) would cost a system call per request. Returns the epoll_wait timeout: 0 when a
 * timer is already due, else -1 (the timerfd will wake us). */
static int arm(struct ev *ev) {
    struct itimerspec its;
    int64_t at;

    if (ev->nheap == 0) return -1; /* a stale armed timerfd only causes a spurious wake-up */
    at = ev->heap[0]->at_ns;
    if (at <= ev_now()) return 0;
    if (at >= ev->armed_ns) return -1;
    memset(&its, 0, sizeof its);
    its.it_value.tv_sec = at / 1000000000;
    its.it_value.tv_nsec = at % 1000000000;
    if (timerfd_settime(ev->tfd, TFD_TIMER_ABSTIME, &its, NULL) < 0) return 1; /* poll at 1 ms */
    ev->armed_ns = at;
    return -1;
}

int ev_run_once(struct ev *ev, struct err *err) {
    int n = epoll_wait(ev->epfd, ev->events, EV_BATCH, arm(ev));
    int64_t now;

    if (n < 0) {
        if (errno == EINTR) return 0;
        return err_set(err, NULL, 0, 0, "epoll_wait: %s", strerror(errno));
    }
    for (int i = 0; i < n; i++) {
        struct ev_io *io = ev->events[i].data.ptr;
        uint32_t e = ev->events[i].events;
        unsigned mask = 0;

        if (e & (EPOLLERR | EPOLLHUP)) mask = EV_READ | EV_WRITE;
        if (e & EPOLLIN) mask |= EV_READ;
        if (e & EPOLLOUT) mask |= EV_WRITE;
        mask &= io->mask ? io->mask : 0;
        if (mask) io->fn(ev, io, mask);
    }
    now = ev_now();
    while (ev->nheap && ev->heap[0]->at_ns <= now) {
        struct ev_timer *t = ev->heap[0];
        ev_timer_stop(ev, t);
        t->fn(ev, t);
    }
    return 0;
}
