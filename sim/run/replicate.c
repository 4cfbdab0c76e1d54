/* replicate — replications on threads, results in list order; see replicate.h. */
#include "replicate.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "csv_out.h"
#include "xmalloc.h"

enum slot_state { SLOT_FREE, SLOT_RUNNING, SLOT_FINISHED };

/* A job in progress or finished and not yet delivered. Job j lives in slots[j % window]. */
struct slot {
    enum slot_state state;
    size_t job;
    double fraction; /* progress of a running job */
    atomic_int cancel;
    struct run_rep rep;
    int failed;
    struct err err;
    char *ts, *ev; /* buffered rows (malloc'd by open_memstream), or NULL */
    size_t ts_len, ev_len;
};

struct pool {
    const struct run_batch *b;
    pthread_mutex_t mu;
    pthread_cond_t work; /* workers wait for the window to move */
    pthread_cond_t done; /* the caller waits for a job to finish */
    size_t window;
    struct slot *slots;
    size_t next_take, next_deliver;
    int stopping; /* take no more jobs */
};

/* Where one running job's rows go. */
struct job_ctx {
    const struct run_scenario *s;
    unsigned replication;
    uint64_t seed;
    FILE *ts, *ev;
    /* progress: the pool's slot (threads), or the batch's callback (inline) */
    struct pool *pool;
    struct slot *slot;
    const struct run_batch *b;
    size_t finished;
};

static void on_interval(void *user, int64_t t0, int64_t t1, unsigned flags,
                        const struct model_row *rows, size_t nrows) {
    struct job_ctx *c = user;

    csv_out_timeseries_rows(c->ts, c->s->name, c->replication, c->seed, t0, t1, flags, rows, nrows);
}

static void on_event(void *user, const struct net_event *ev) {
    struct job_ctx *c = user;

    csv_out_event(c->ev, c->s->name, c->replication, c->seed, ev);
}

static void on_progress(void *user, unsigned replication, double fraction) {
    struct job_ctx *c = user;

    (void)replication;
    if (c->pool) {
        pthread_mutex_lock(&c->pool->mu);
        c->slot->fraction = fraction;
        pthread_mutex_unlock(&c->pool->mu);
    } else if (c->b->progress) {
        c->b->progress(c->b->user, c->finished, fraction);
    }
}

static void job_hooks(struct job_ctx *c, const struct run_batch *b, const struct run_job *job,
                      struct run_hooks *h) {
    c->s = job->s;
    c->replication = job->replication;
    c->seed = run_replication_seed(job->s->seed, job->replication);
    memset(h, 0, sizeof *h);
    h->interval = c->ts ? on_interval : NULL;
    h->event = c->ev ? on_event : NULL;
    h->user = c;
    h->progress = on_progress;
    h->stop = b->stop;
}

static int stopped(const struct run_batch *b) {
    return b->stop && *b->stop;
}

/* J = 1: in the caller's thread, rows straight to the files. */
static long run_inline(const struct run_batch *b, struct err *err) {
    size_t j;

    for (j = 0; j < b->njobs && !stopped(b); j++) {
        struct job_ctx c;
        struct run_hooks h;
        struct run_rep rep;

        memset(&c, 0, sizeof c);
        c.ts = b->timeseries;
        c.ev = b->events;
        c.b = b;
        c.finished = j;
        job_hooks(&c, b, &b->jobs[j], &h);
        if (run_replication(b->jobs[j].s, b->jobs[j].replication, &h, &rep, err)) return -1;
        csv_out_canonical(&rep);
        if (b->done(b->user, j, &rep)) return (long)j + 1;
    }
    return (long)j;
}

static void *worker(void *arg) {
    struct pool *p = arg;
    const struct run_batch *b = p->b;

    pthread_mutex_lock(&p->mu);
    for (;;) {
        struct slot *sl;
        struct job_ctx c;
        struct run_hooks h;
        FILE *ts = NULL, *ev = NULL;
        size_t j;

        while (!p->stopping && !stopped(b) && p->next_take < b->njobs &&
               p->next_take >= p->next_deliver + p->window)
            pthread_cond_wait(&p->work, &p->mu);
        if (p->stopping || stopped(b) || p->next_take >= b->njobs) break;
        j = p->next_take++;
        sl = &p->slots[j % p->window];
        sl->state = SLOT_RUNNING;
        sl->job = j;
        sl->fraction = 0;
        sl->failed = 0;
        atomic_store(&sl->cancel, 0);
        pthread_mutex_unlock(&p->mu);

        memset(&c, 0, sizeof c);
        c.pool = p;
        c.slot = sl;
        c.b = b;
        err_clear(&sl->err);
        sl->ts = sl->ev = NULL;
        sl->ts_len = sl->ev_len = 0;
        if (b->timeseries) ts = open_memstream(&sl->ts, &sl->ts_len);
        if (b->events) ev = open_memstream(&sl->ev, &sl->ev_len);
        if ((b->timeseries && !ts) || (b->events && !ev)) {
            err_set(&sl->err, "archsim", 0, 0, "cannot buffer rows in memory: %s", strerror(errno));
            sl->failed = 1;
        } else {
            c.ts = ts;
            c.ev = ev;
            job_hooks(&c, b, &b->jobs[j], &h);
            if (run_replication_cancellable(b->jobs[j].s, b->jobs[j].replication, &h, &sl->cancel,
                                            &sl->rep, &sl->err))
                sl->failed = 1;
            else
                csv_out_canonical(&sl->rep);
        }
        if (ts) fclose(ts);
        if (ev) fclose(ev);

        pthread_mutex_lock(&p->mu);
        sl->state = SLOT_FINISHED;
        pthread_cond_broadcast(&p->done);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

static void slot_clear(struct slot *sl) {
    /* A delivered rep was zeroed, a failed one was never filled or already freed: both are
     * safe to free. */
    if (sl->state == SLOT_FINISHED) run_rep_free(&sl->rep);
    free(sl->ts);
    free(sl->ev);
    sl->ts = sl->ev = NULL;
    sl->state = SLOT_FREE;
}

static void draw_progress(struct pool *p) {
    size_t finished = p->next_deliver;
    double running = 0;

    for (size_t i = 0; i < p->window; i++) {
        if (p->slots[i].state == SLOT_FINISHED) finished++;
        if (p->slots[i].state == SLOT_RUNNING) running += p->slots[i].fraction;
    }
    pthread_mutex_unlock(&p->mu);
    p->b->progress(p->b->user, finished, running);
    pthread_mutex_lock(&p->mu);
}

static long run_threads(const struct run_batch *b, struct err *err) {
    struct pool p;
    pthread_t *tids;
    unsigned started = 0;
    long delivered = 0;
    int failed = 0, rc = 0;

    memset(&p, 0, sizeof p);
    p.b = b;
    p.window = 2 * (size_t)b->threads;
    p.slots = xcalloc(p.window, sizeof *p.slots);
    pthread_mutex_init(&p.mu, NULL);
    pthread_cond_init(&p.work, NULL);
    pthread_cond_init(&p.done, NULL);
    tids = xcalloc(b->threads, sizeof *tids);
    for (unsigned t = 0; t < b->threads; t++) {
        rc = pthread_create(&tids[t], NULL, worker, &p);
        if (rc != 0) break;
        started++;
    }
    /* Fewer threads than asked for still do the work; none at all is an error. */
    if (!started) {
        err_set(err, "archsim", 0, 0, "cannot start a thread: %s", strerror(rc));
        failed = 1;
    }

    pthread_mutex_lock(&p.mu);
    while (!failed && p.next_deliver < b->njobs) {
        struct slot *sl = &p.slots[p.next_deliver % p.window];
        int stop;

        if (sl->state != SLOT_FINISHED || sl->job != p.next_deliver) {
            struct timespec until;
            /* Interrupted: nothing after the jobs already started will come. */
            if (stopped(b) && p.next_deliver >= p.next_take) break;
            clock_gettime(CLOCK_REALTIME, &until);
            until.tv_nsec += 100000000L;
            if (until.tv_nsec >= 1000000000L) {
                until.tv_sec++;
                until.tv_nsec -= 1000000000L;
            }
            pthread_cond_timedwait(&p.done, &p.mu, &until);
            if (b->progress) draw_progress(&p);
            continue;
        }
        pthread_mutex_unlock(&p.mu);
        if (sl->failed) {
            *err = sl->err;
            failed = 1;
            pthread_mutex_lock(&p.mu);
            break;
        }
        if (sl->ts && b->timeseries) fwrite(sl->ts, 1, sl->ts_len, b->timeseries);
        if (sl->ev && b->events) fwrite(sl->ev, 1, sl->ev_len, b->events);
        stop = b->done(b->user, p.next_deliver, &sl->rep);
        memset(&sl->rep, 0, sizeof sl->rep); /* now the caller's */
        delivered++;
        pthread_mutex_lock(&p.mu);
        slot_clear(sl);
        p.next_deliver++;
        pthread_cond_broadcast(&p.work);
        if (stop) break;
    }
    /* Stop the workers: no more jobs, and cancel the ones running (their results are not
     * wanted any more). */
    p.stopping = 1;
    for (size_t i = 0; i < p.window; i++)
        if (p.slots[i].state == SLOT_RUNNING) atomic_store(&p.slots[i].cancel, 1);
    pthread_cond_broadcast(&p.work);
    pthread_mutex_unlock(&p.mu);
    for (unsigned t = 0; t < started; t++)
        pthread_join(tids[t], NULL);
    for (size_t i = 0; i < p.window; i++)
        slot_clear(&p.slots[i]);
    free(tids);
    free(p.slots);
    pthread_cond_destroy(&p.done);
    pthread_cond_destroy(&p.work);
    pthread_mutex_destroy(&p.mu);
    return failed ? -1 : delivered;
}

long run_batch_run(const struct run_batch *b, struct err *err) {
    if (b->threads <= 1 || b->njobs <= 1) return run_inline(b, err);
    return run_threads(b, err);
}

int run_precision_met(const struct run_rep *reps, size_t n, double rel,
                      struct run_precision *worst) {
    static const struct {
        const char *name;
        size_t offset;
    } metrics[] = {
        {"throughput_rps", offsetof(struct model_row, throughput_rps)},
        {"latency_mean_ms", offsetof(struct model_row, latency_mean_ms)},
        {"latency_p99_ms", offsetof(struct model_row, latency_p99_ms)},
        {"utilization", offsetof(struct model_row, utilization)},
    };

    worst->worst = 0;
    worst->component = NULL;
    worst->metric = NULL;
    if (n < 2) return 0;
    for (size_t i = 0; i < reps[0].nrows; i++) {
        for (size_t m = 0; m < sizeof metrics / sizeof metrics[0]; m++) {
            double mean, half, ratio;
            csv_out_rep_stat(reps, n, i, metrics[m].offset, &mean, &half);
            if (!isfinite(mean)) continue; /* no replication has this metric */
            if (!isfinite(half))
                ratio = INFINITY; /* a single value: no interval yet */
            else if (half == 0)
                ratio = 0;
            else
                ratio = mean != 0 ? half / fabs(mean) : INFINITY;
            if (!worst->metric || ratio > worst->worst) {
                worst->worst = ratio;
                worst->component = reps[0].rows[i].component;
                worst->metric = metrics[m].name;
            }
        }
    }
    return n >= RUN_PRECISION_MIN && worst->worst <= rel;
}

int run_reps_partial(const struct run_rep *reps, size_t n) {
    for (size_t k = 0; k < n; k++)
        if (reps[k].partial) return 1;
    return 0;
}
