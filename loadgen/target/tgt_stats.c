/* tgt_stats — served counts and timings per path for /stats; see tgt_stats.h. */
#include "tgt_stats.h"

#include <stdlib.h>
#include <string.h>

#include "tgt_json.h"
#include "xmalloc.h"

/* The statuses archtarget can answer, in rendering order; anything else counts as "other". */
static const int statuses[] = {200, 400, 404, 414, 431, 500, 503};
#define NSTATUS (sizeof statuses / sizeof statuses[0])

struct path_stats {
    char *path;
    uint64_t requests; /* responses, any status */
    uint64_t by_status[NSTATUS + 1];
    uint64_t served;        /* finished by a worker (200 or injected 500) */
    int64_t service_ns_sum; /* measured */
    int64_t drawn_ns_sum;
    int64_t wait_ns_sum;
    int64_t service_ns_max;
    uint64_t wakeups;      /* served requests that found a worker idle */
    int64_t wakeup_ns_sum; /* their waits: the hand-over to a sleeping worker */
};

struct tgt_stats {
    struct tgt_stats_info info;
    struct path_stats *paths; /* TGT_STATS_MAX_PATHS + 1: the last is "(other)" */
    size_t npaths;            /* in use, not counting "(other)" */
    uint64_t total;
    uint64_t by_status[NSTATUS + 1];
    uint64_t wakeups; /* over all paths */
    int64_t wakeup_ns_sum;
};

static size_t status_slot(int status) {
    size_t i;

    for (i = 0; i < NSTATUS; i++)
        if (statuses[i] == status) return i;
    return NSTATUS;
}

struct tgt_stats *tgt_stats_new(const struct tgt_stats_info *info) {
    struct tgt_stats *s = xcalloc(1, sizeof *s);

    s->info = *info;
    s->paths = xcalloc(TGT_STATS_MAX_PATHS + 1, sizeof *s->paths);
    s->paths[TGT_STATS_MAX_PATHS].path = xstrdup("(other)");
    return s;
}

void tgt_stats_free(struct tgt_stats *s) {
    size_t i;

    if (!s) return;
    for (i = 0; i <= TGT_STATS_MAX_PATHS; i++)
        free(s->paths[i].path);
    free(s->paths);
    free(s);
}

int tgt_stats_path(struct tgt_stats *s, const char *path) {
    size_t i;

    for (i = 0; i < s->npaths; i++)
        if (strcmp(s->paths[i].path, path) == 0) return (int)i;
    if (s->npaths == TGT_STATS_MAX_PATHS) return TGT_STATS_MAX_PATHS;
    s->paths[s->npaths].path = xstrdup(path);
    return (int)s->npaths++;
}

void tgt_stats_count(struct tgt_stats *s, int index, int status, const struct tgt_job *job) {
    struct path_stats *p = &s->paths[index];
    size_t slot = status_slot(status);

    p->requests++;
    p->by_status[slot]++;
    s->total++;
    s->by_status[slot]++;
    if (!job) return;
    p->served++;
    p->service_ns_sum += job->service_ns;
    p->drawn_ns_sum += job->drawn_ns;
    p->wait_ns_sum += job->wait_ns;
    if (job->service_ns > p->service_ns_max) p->service_ns_max = job->service_ns;
    if (job->found_idle) {
        p->wakeups++;
        p->wakeup_ns_sum += job->wait_ns;
        s->wakeups++;
        s->wakeup_ns_sum += job->wait_ns;
    }
}

uint64_t tgt_stats_total(const struct tgt_stats *s) {
    return s->total;
}

static double mean_ms(int64_t sum_ns, uint64_t n) {
    return n ? (double)sum_ns / (double)n / 1e6 : 0.0;
}

/* A path as one word of a text line: the parser lets tabs and other control bytes through
 * in a request target, so bytes up to space and DEL are written %XX (a literal "%09" in a
 * path reads the same; JSON keeps every path exactly). */
static void text_path(struct tgt_buf *out, const char *path) {
    for (const unsigned char *c = (const unsigned char *)path; *c; c++) {
        if (*c <= ' ' || *c == 0x7f)
            tgt_buf_printf(out, "%%%02X", *c);
        else
            tgt_buf_append(out, (const char *)c, 1);
    }
}

/* Status counts as JSON members ("200":5,"503":1) or text lines (PREFIX status 200 5). */
static void render_statuses(const uint64_t *by_status, const char *prefix, int text,
                            struct tgt_buf *out) {
    int first = 1;
    size_t i;

    for (i = 0; i <= NSTATUS; i++) {
        if (!by_status[i]) continue;
        if (text && i < NSTATUS)
            tgt_buf_printf(out, "%sstatus %d %llu\n", prefix, statuses[i],
                           (unsigned long long)by_status[i]);
        else if (text)
            tgt_buf_printf(out, "%sstatus other %llu\n", prefix, (unsigned long long)by_status[i]);
        else if (i < NSTATUS)
            tgt_buf_printf(out, "%s\"%d\":%llu", first ? "" : ",", statuses[i],
                           (unsigned long long)by_status[i]);
        else
            tgt_buf_printf(out, "%s\"other\":%llu", first ? "" : ",",
                           (unsigned long long)by_status[i]);
        first = 0;
    }
}

void tgt_stats_render(const struct tgt_stats *s, const struct tgt_station_snapshot *snap,
                      const struct tgt_stats_conns *conns, int64_t now_ns, int text,
                      struct tgt_buf *out) {
    double uptime = (double)(now_ns - s->info.start_ns) / 1e9;
    /* time-averaged busy workers / c: jobs in service count for the time they have served */
    double util = uptime > 0 ? (double)snap->busy_ns / 1e9 / uptime / (double)s->info.workers : 0.0;
    int first = 1;
    size_t i;

    if (text) {
        tgt_buf_printf(out, "uptime_s %.3f\nworkers %zu\n", uptime, s->info.workers);
        if (s->info.queue == SIZE_MAX)
            tgt_buf_printf(out, "queue_capacity unbounded\n");
        else
            tgt_buf_printf(out, "queue_capacity %zu\n", s->info.queue);
        tgt_buf_printf(out,
                       "busy %zu\nqueued %zu\nstalled %d\naccepted %llu\nrejected %llu\n"
                       "connections_open %llu\nconnections_total %llu\nrequests %llu\n",
                       snap->busy, snap->queued, snap->stalled, (unsigned long long)snap->accepted,
                       (unsigned long long)snap->rejected, (unsigned long long)conns->open,
                       (unsigned long long)conns->total, (unsigned long long)s->total);
        render_statuses(s->by_status, "", 1, out);
        tgt_buf_printf(out, "utilization %.4f\nwakeup_count %llu\nwakeup_mean_ms %.4f\n", util,
                       (unsigned long long)s->wakeups, mean_ms(s->wakeup_ns_sum, s->wakeups));
    } else {
        tgt_buf_printf(out, "{\"uptime_s\":%.3f,\"workers\":%zu,", uptime, s->info.workers);
        if (s->info.queue == SIZE_MAX)
            tgt_buf_printf(out, "\"queue_capacity\":null,");
        else
            tgt_buf_printf(out, "\"queue_capacity\":%zu,", s->info.queue);
        tgt_buf_printf(out,
                       "\"busy\":%zu,\"queued\":%zu,\"stalled\":%s,\"accepted\":%llu,"
                       "\"rejected\":%llu,\"connections_open\":%llu,\"connections_total\":%llu,"
                       "\"requests\":%llu,\"status\":{",
                       snap->busy, snap->queued, snap->stalled ? "true" : "false",
                       (unsigned long long)snap->accepted, (unsigned long long)snap->rejected,
                       (unsigned long long)conns->open, (unsigned long long)conns->total,
                       (unsigned long long)s->total);
        render_statuses(s->by_status, "", 0, out);
        tgt_buf_printf(out,
                       "},\"utilization\":%.4f,\"wakeup_count\":%llu,\"wakeup_mean_ms\":%.4f,"
                       "\"paths\":{",
                       util, (unsigned long long)s->wakeups, mean_ms(s->wakeup_ns_sum, s->wakeups));
    }
    for (i = 0; i <= TGT_STATS_MAX_PATHS; i++) {
        const struct path_stats *p = &s->paths[i];

        if (i >= s->npaths && i < TGT_STATS_MAX_PATHS) continue;
        if (!p->requests) continue;
        if (text) {
            struct tgt_buf pre = {0};
            const char *prefix;

            tgt_buf_append(&pre, "path ", 5);
            text_path(&pre, p->path);
            tgt_buf_append(&pre, " ", 2); /* with its terminating NUL */
            prefix = tgt_buf_head(&pre);
            tgt_buf_printf(out, "%srequests %llu\n", prefix, (unsigned long long)p->requests);
            render_statuses(p->by_status, prefix, 1, out);
            tgt_buf_printf(
                out,
                "%sserved %llu\n%sservice_mean_ms %.4f\n%sservice_drawn_mean_ms %.4f\n"
                "%sservice_max_ms %.4f\n%swait_mean_ms %.4f\n%swakeup_count %llu\n"
                "%swakeup_mean_ms %.4f\n",
                prefix, (unsigned long long)p->served, prefix,
                mean_ms(p->service_ns_sum, p->served), prefix, mean_ms(p->drawn_ns_sum, p->served),
                prefix, (double)p->service_ns_max / 1e6, prefix, mean_ms(p->wait_ns_sum, p->served),
                prefix, (unsigned long long)p->wakeups, prefix,
                mean_ms(p->wakeup_ns_sum, p->wakeups));
            tgt_buf_free(&pre);
        } else {
            tgt_buf_append(out, first ? "\"" : ",\"", first ? 1 : 2);
            first = 0;
            tgt_json_string(out, p->path);
            tgt_buf_printf(out, "\":{\"requests\":%llu,\"status\":{",
                           (unsigned long long)p->requests);
            render_statuses(p->by_status, "", 0, out);
            tgt_buf_printf(out,
                           "},\"served\":%llu,\"service_mean_ms\":%.4f,"
                           "\"service_drawn_mean_ms\":%.4f,\"service_max_ms\":%.4f,"
                           "\"wait_mean_ms\":%.4f,\"wakeup_count\":%llu,\"wakeup_mean_ms\":%.4f}",
                           (unsigned long long)p->served, mean_ms(p->service_ns_sum, p->served),
                           mean_ms(p->drawn_ns_sum, p->served), (double)p->service_ns_max / 1e6,
                           mean_ms(p->wait_ns_sum, p->served), (unsigned long long)p->wakeups,
                           mean_ms(p->wakeup_ns_sum, p->wakeups));
        }
    }
    if (!text) tgt_buf_append(out, "}}\n", 3);
}
