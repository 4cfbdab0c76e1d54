/* tgt_station — c workers, one FIFO, capacity c + K; see tgt_station.h for the design. */
#define _GNU_SOURCE /* eventfd, prctl(PR_SET_TIMERSLACK) */
#include "tgt_station.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "rng.h"
#include "xmalloc.h"

/* Longest service time a worker sleeps (a heavy-tailed draw beyond it is capped): 1 h. */
#define MAX_SERVICE_NS (3600LL * 1000000000LL)

struct tgt_worker {
    struct tgt_station *st;
    pthread_t tid;
    int started;
    struct rng service_rng;
    struct rng error_rng;
    struct tgt_job *job; /* in service, or NULL (guarded by st->mu) */
    int64_t late_ns;     /* with spin_ns: how late this worker's sleeps end, a running mean */
};

struct tgt_station {
    struct tgt_station_config cfg;
    size_t capacity; /* c + K, saturating */
    pthread_mutex_t mu;
    pthread_cond_t cv; /* waits on CLOCK_MONOTONIC */
    int mu_ok, cv_ok;
    int efd;
    /* guarded by mu */
    struct tgt_job *head, *tail; /* FIFO of waiting jobs */
    size_t queued, busy;
    int64_t busy_area_ns; /* integral of busy over time up to busy_at_ns (worker-ns) */
    int64_t busy_at_ns;   /* CLOCK_MONOTONIC of the last change of busy */
    struct tgt_job *done_head, *done_tail;
    uint64_t accepted, rejected;
    int stopping;
    /* workers */
    struct tgt_worker *workers;
};

static int64_t now_ns(void) {
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static struct timespec to_timespec(int64_t ns) {
    struct timespec ts;

    ts.tv_sec = (time_t)(ns / 1000000000LL);
    ts.tv_nsec = (long)(ns % 1000000000LL);
    return ts;
}

/* Bring the busy-time integral up to now (under the lock, before busy changes). */
static void account_busy(struct tgt_station *st, int64_t now) {
    if (now > st->busy_at_ns) {
        st->busy_area_ns += (int64_t)st->busy * (now - st->busy_at_ns);
        st->busy_at_ns = now;
    }
}

static int in_stall(const struct tgt_station *st, int64_t now) {
    int64_t from = st->cfg.start_ns + st->cfg.stall_at_ns;

    return st->cfg.stall_for_ns > 0 && now >= from && now < from + st->cfg.stall_for_ns;
}

/* Spend the job's service time; runs without the lock. */
static void serve(struct tgt_worker *w, struct tgt_job *job) {
    const struct tgt_station *st = w->st;
    double drawn = dist_sample(job->service, &w->service_rng);
    int64_t d, t0, t1, lead;
    struct timespec deadline;
    int old;

    job->failed = st->cfg.error_rate > 0 && rng_uniform(&w->error_rng) < st->cfg.error_rate;
    d = drawn >= (double)MAX_SERVICE_NS ? MAX_SERVICE_NS : (int64_t)llround(drawn);
    t0 = now_ns();
    job->wait_ns = t0 - job->submit_ns;
    job->drawn_ns = d;
    /* Sleep to the deadline (less spin_ns), then, with spin_ns, watch the clock for the rest:
     * the sleep alone ends late by the kernel's wake-up latency (~0.1 ms on a small VM, more
     * when the CPUs are busy), an error that moves with the machine's load; a wake-up that
     * comes within spin_ns of the deadline ends the service on time. */
    lead = st->cfg.spin_ns > 0 ? w->late_ns + st->cfg.spin_ns : 0;
    if (lead > d) lead = d;
    deadline = to_timespec(t0 + d - lead);
    pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, &old);
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &deadline, NULL) == EINTR) {
    }
    pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &old);
    t1 = now_ns();
    if (st->cfg.spin_ns > 0) {
        /* running mean of the sleep's lateness, weight 1/16 */
        if (lead < d) w->late_ns += (t1 - (t0 + d - lead) - w->late_ns) / 16;
        while (t1 < t0 + d)
            t1 = now_ns();
    }
    job->service_ns = t1 - t0;
}

static void *worker_main(void *arg) {
    struct tgt_worker *w = arg;
    struct tgt_station *st = w->st;
    int old;

    pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &old);
    /* sleep to the deadline, not up to 50 us past it (Linux only; harmless if refused) */
    prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
    pthread_mutex_lock(&st->mu);
    while (!st->stopping) {
        int64_t now = now_ns();
        struct tgt_job *job;
        int was_empty;

        if (in_stall(st, now)) {
            struct timespec until =
                to_timespec(st->cfg.start_ns + st->cfg.stall_at_ns + st->cfg.stall_for_ns);
            pthread_cond_timedwait(&st->cv, &st->mu, &until);
            continue;
        }
        if (!st->head) {
            pthread_cond_wait(&st->cv, &st->mu);
            continue;
        }
        job = st->head;
        st->head = job->next;
        if (!st->head) st->tail = NULL;
        job->next = NULL;
        st->queued--;
        account_busy(st, now);
        st->busy++;
        /* pass the wake-up on: a submit's signal may have gone to a worker that was waiting
         * out the stall, leaving an idle worker asleep next to a waiting job */
        if (st->head) pthread_cond_signal(&st->cv);
        w->job = job;
        pthread_mutex_unlock(&st->mu);

        serve(w, job);

        pthread_mutex_lock(&st->mu);
        w->job = NULL;
        account_busy(st, now_ns());
        st->busy--;
        was_empty = st->done_head == NULL;
        if (st->done_tail)
            st->done_tail->next = job;
        else
            st->done_head = job;
        st->done_tail = job;
        if (was_empty) {
            uint64_t one = 1;
            /* cannot fail short of a counter overflow; a lost wake-up would show in tests */
            if (write(st->efd, &one, sizeof one) < 0) {
            }
        }
    }
    pthread_mutex_unlock(&st->mu);
    return NULL;
}

static void free_list(struct tgt_station *st, struct tgt_job *j) {
    while (j) {
        struct tgt_job *next = j->next;
        st->cfg.free_job(j);
        j = next;
    }
}

void tgt_station_free(struct tgt_station *st) {
    size_t i;

    if (!st) return;
    if (st->workers) {
        pthread_mutex_lock(&st->mu);
        st->stopping = 1;
        pthread_cond_broadcast(&st->cv);
        pthread_mutex_unlock(&st->mu);
        for (i = 0; i < st->cfg.workers; i++)
            if (st->workers[i].started) pthread_cancel(st->workers[i].tid);
        for (i = 0; i < st->cfg.workers; i++)
            if (st->workers[i].started) pthread_join(st->workers[i].tid, NULL);
        for (i = 0; i < st->cfg.workers; i++)
            if (st->workers[i].job) st->cfg.free_job(st->workers[i].job);
        free(st->workers);
    }
    free_list(st, st->head);
    free_list(st, st->done_head);
    if (st->efd >= 0) close(st->efd);
    if (st->cv_ok) pthread_cond_destroy(&st->cv);
    if (st->mu_ok) pthread_mutex_destroy(&st->mu);
    free(st);
}

struct tgt_station *tgt_station_new(const struct tgt_station_config *cfg, struct err *err) {
    struct tgt_station *st = xcalloc(1, sizeof *st);
    pthread_condattr_t ca;
    size_t i;
    int rc;

    if (cfg->workers < 1 || !cfg->free_job || !(cfg->error_rate >= 0 && cfg->error_rate <= 1)) {
        err_set(err, NULL, 0, 0, "invalid station configuration");
        free(st);
        return NULL;
    }
    st->cfg = *cfg;
    st->efd = -1;
    st->busy_at_ns = now_ns();
    st->capacity = cfg->queue > SIZE_MAX - cfg->workers ? SIZE_MAX : cfg->workers + cfg->queue;
    if ((rc = pthread_mutex_init(&st->mu, NULL)) != 0) {
        err_set(err, NULL, 0, 0, "mutex: %s", strerror(rc));
        goto fail;
    }
    st->mu_ok = 1;
    pthread_condattr_init(&ca);
    rc = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    if (rc == 0) rc = pthread_cond_init(&st->cv, &ca);
    pthread_condattr_destroy(&ca);
    if (rc != 0) {
        err_set(err, NULL, 0, 0, "condition variable: %s", strerror(rc));
        goto fail;
    }
    st->cv_ok = 1;
    st->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (st->efd < 0) {
        err_set(err, NULL, 0, 0, "eventfd: %s", strerror(errno));
        goto fail;
    }
    st->workers = xcalloc(cfg->workers, sizeof *st->workers);
    for (i = 0; i < cfg->workers; i++) {
        struct tgt_worker *w = &st->workers[i];
        char name[32];

        w->st = st;
        snprintf(name, sizeof name, "worker%zu", i);
        rng_stream(&w->service_rng, cfg->seed, name, "service");
        rng_stream(&w->error_rng, cfg->seed, name, "errors");
        if ((rc = pthread_create(&w->tid, NULL, worker_main, w)) != 0) {
            err_set(err, NULL, 0, 0, "cannot start worker %zu of %zu: %s", i + 1, cfg->workers,
                    strerror(rc));
            goto fail;
        }
        w->started = 1;
    }
    return st;
fail:
    tgt_station_free(st);
    return NULL;
}

int tgt_station_fd(const struct tgt_station *st) {
    return st->efd;
}

int tgt_station_submit(struct tgt_station *st, struct tgt_job *job) {
    pthread_mutex_lock(&st->mu);
    if (st->queued + st->busy >= st->capacity) {
        st->rejected++;
        pthread_mutex_unlock(&st->mu);
        return -1;
    }
    job->next = NULL;
    job->submit_ns = now_ns();
    /* a worker is idle for it: the waiting jobs each have one already, one is left over */
    job->found_idle = st->queued + st->busy < st->cfg.workers && !in_stall(st, job->submit_ns);
    if (st->tail)
        st->tail->next = job;
    else
        st->head = job;
    st->tail = job;
    st->queued++;
    st->accepted++;
    pthread_cond_signal(&st->cv);
    pthread_mutex_unlock(&st->mu);
    return 0;
}

struct tgt_job *tgt_station_collect(struct tgt_station *st) {
    struct tgt_job *list;
    uint64_t n;

    /* clear the counter before taking the list: a job finished after this read writes the
     * eventfd again, so no wake-up is lost */
    if (read(st->efd, &n, sizeof n) < 0) {
    }
    pthread_mutex_lock(&st->mu);
    list = st->done_head;
    st->done_head = st->done_tail = NULL;
    pthread_mutex_unlock(&st->mu);
    return list;
}

void tgt_station_snapshot(struct tgt_station *st, struct tgt_station_snapshot *snap) {
    int64_t now;

    pthread_mutex_lock(&st->mu);
    now = now_ns();
    snap->at_ns = now;
    snap->queued = st->queued;
    snap->busy = st->busy;
    account_busy(st, now);
    snap->busy_ns = st->busy_area_ns;
    snap->stalled = in_stall(st, now);
    snap->accepted = st->accepted;
    snap->rejected = st->rejected;
    pthread_mutex_unlock(&st->mu);
}
