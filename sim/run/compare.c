/* compare — two result files side by side; see compare.h. */
#include "compare.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "csv_in.h"
#include "stats.h"
#include "xmalloc.h"

static const char *const metric_names[CMP_NMETRICS] = {
    "throughput_rps", "latency_mean_ms", "latency_p50_ms", "latency_p90_ms",
    "latency_p99_ms", "latency_p999_ms", "error_rate",
};

const char *run_cmp_metric_name(enum run_cmp_metric m) {
    return m < CMP_NMETRICS ? metric_names[m] : "?";
}

/* Per (replication, component): the values of one replication (summary), or the sums over
 * its intervals (timeseries). */
struct cell {
    char *rep;
    size_t comp;
    double v[CMP_NMETRICS]; /* summary: the row's values */
    /* timeseries */
    double dt, tput_area, completions, failures, answers;
    double wsum[CMP_NMETRICS], wn[CMP_NMETRICS];
    int have_counts;
};

struct loader {
    struct cell *cells;
    size_t ncells, cap, last;
    int any_rep_row; /* else the estimates come from mean rows */
};

static size_t comp_index(struct run_side *s, const char *name) {
    for (size_t i = 0; i < s->ncomps; i++)
        if (strcmp(s->comps[i].component, name) == 0) return i;
    s->comps = xrealloc(s->comps, (s->ncomps + 1) * sizeof *s->comps);
    memset(&s->comps[s->ncomps], 0, sizeof s->comps[s->ncomps]);
    s->comps[s->ncomps].component = xstrdup(name);
    for (int m = 0; m < CMP_NMETRICS; m++) {
        s->comps[s->ncomps].m[m].mean = NAN;
        s->comps[s->ncomps].m[m].half = NAN;
    }
    return s->ncomps++;
}

static struct cell *cell_for(struct loader *l, const char *rep, size_t comp) {
    struct cell *c;

    if (l->last < l->ncells && l->cells[l->last].comp == comp &&
        strcmp(l->cells[l->last].rep, rep) == 0)
        return &l->cells[l->last];
    for (size_t i = l->ncells; i-- > 0;)
        if (l->cells[i].comp == comp && strcmp(l->cells[i].rep, rep) == 0) {
            l->last = i;
            return &l->cells[i];
        }
    if (l->ncells == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 64;
        l->cells = xrealloc(l->cells, l->cap * sizeof *l->cells);
    }
    c = &l->cells[l->ncells];
    memset(c, 0, sizeof *c);
    c->rep = xstrdup(rep);
    c->comp = comp;
    for (int m = 0; m < CMP_NMETRICS; m++)
        c->v[m] = NAN;
    l->last = l->ncells++;
    return c;
}

/* A numeric field, or NAN when the column is absent or empty; -1 when not a number. */
static int field_num(const struct csv_rec *rec, int col, double *out) {
    *out = NAN;
    if (col < 0 || (size_t)col >= rec->nfields) return 0;
    return csv_in_number(rec->fields[col], out) < 0 ? -1 : 0;
}

int run_side_load(const char *path, struct run_side *out, struct err *err) {
    struct csv_in *in;
    struct csv_rec rec;
    struct loader l;
    int col_comp, col_rep, col_point, col_t0, col_t1, col_warm, col_compl, col_rej, col_err;
    int col_m[CMP_NMETRICS], col_ci[CMP_NMETRICS];
    char *point = NULL;
    int got, rc = -1;

    memset(out, 0, sizeof *out);
    memset(&l, 0, sizeof l);
    out->path = xstrdup(path);
    in = csv_in_open(path, err);
    if (!in) goto out;
    got = csv_in_next(in, &rec, err);
    if (got <= 0) {
        if (got == 0) err_set(err, path, 0, 0, "empty file (no header)");
        goto out;
    }
    col_comp = csv_in_find(&rec, "component");
    col_rep = csv_in_find(&rec, "replication");
    col_point = csv_in_find(&rec, "point");
    col_t0 = csv_in_find(&rec, "t_start_s");
    col_t1 = csv_in_find(&rec, "t_end_s");
    col_warm = csv_in_find(&rec, "in_warmup");
    col_compl = csv_in_find(&rec, "completions");
    col_rej = csv_in_find(&rec, "rejected");
    col_err = csv_in_find(&rec, "errors");
    for (int m = 0; m < CMP_NMETRICS; m++) {
        char ci[64];
        col_m[m] = csv_in_find(&rec, metric_names[m]);
        snprintf(ci, sizeof ci, "%s_ci95", metric_names[m]);
        col_ci[m] = csv_in_find(&rec, ci);
    }
    if (col_comp < 0) {
        err_set(err, path, 1, 1, "no 'component' column: not an archsim or archload CSV file");
        goto out;
    }
    out->timeseries = col_t0 >= 0 && col_t1 >= 0;
    while ((got = csv_in_next(in, &rec, err)) > 0) {
        const char *rep = col_rep >= 0 && (size_t)col_rep < rec.nfields ? rec.fields[col_rep] : "0";
        size_t comp;
        double v[CMP_NMETRICS];

        if ((size_t)col_comp >= rec.nfields) {
            err_set(err, path, (int)rec.line, 1, "too few fields");
            goto out;
        }
        if (col_point >= 0 && (size_t)col_point < rec.nfields) {
            if (!point) {
                point = xstrdup(rec.fields[col_point]);
            } else if (strcmp(point, rec.fields[col_point]) != 0) {
                err_set(err, path, (int)rec.line, col_point + 1,
                        "a sweep with several points (%s, %s, ...): compare one point's rows",
                        point, rec.fields[col_point]);
                goto out;
            }
        }
        for (int m = 0; m < CMP_NMETRICS; m++)
            if (field_num(&rec, col_m[m], &v[m])) {
                err_set(err, path, (int)rec.line, col_m[m] + 1, "%s: not a number: '%s'",
                        metric_names[m], rec.fields[col_m[m]]);
                goto out;
            }
        comp = comp_index(out, rec.fields[col_comp]);
        if (strcmp(rep, "mean") == 0) {
            if (out->timeseries) continue;
            for (int m = 0; m < CMP_NMETRICS; m++) {
                double h;
                if (field_num(&rec, col_ci[m], &h)) h = NAN;
                out->comps[comp].m[m].mean = v[m];
                out->comps[comp].m[m].half = h;
            }
            continue;
        }
        l.any_rep_row = 1;
        if (!out->timeseries) {
            struct cell *c = cell_for(&l, rep, comp);
            memcpy(c->v, v, sizeof v);
        } else {
            double t0, t1, warm, compl, rej, er, dt;
            struct cell *c;
            if (field_num(&rec, col_t0, &t0) || field_num(&rec, col_t1, &t1) ||
                field_num(&rec, col_warm, &warm) || field_num(&rec, col_compl, &compl ) ||
                field_num(&rec, col_rej, &rej) || field_num(&rec, col_err, &er) || !isfinite(t0) ||
                !isfinite(t1)) {
                err_set(err, path, (int)rec.line, 1, "bad interval fields");
                goto out;
            }
            if (isfinite(warm) && warm != 0) continue;
            c = cell_for(&l, rep, comp);
            dt = t1 - t0;
            if (dt <= 0) continue;
            out->intervals++;
            c->dt += dt;
            if (isfinite(v[CMP_THROUGHPUT])) c->tput_area += v[CMP_THROUGHPUT] * dt;
            if (isfinite(compl ) && isfinite(rej) && isfinite(er)) {
                c->have_counts = 1;
                c->completions += compl ;
                c->failures += rej + er;
                c->answers += compl +rej + er;
            }
            for (int m = CMP_LAT_MEAN; m <= CMP_LAT_P999; m++) {
                double w = isfinite(compl ) ? compl : 1;
                if (!isfinite(v[m]) || w <= 0) continue;
                c->wsum[m] += w * v[m];
                c->wn[m] += w;
            }
            if (isfinite(v[CMP_ERROR_RATE])) {
                c->wsum[CMP_ERROR_RATE] += dt * v[CMP_ERROR_RATE];
                c->wn[CMP_ERROR_RATE] += dt;
            }
        }
    }
    if (got < 0) goto out;
    if (out->ncomps == 0) {
        err_set(err, path, 0, 0, "no rows");
        goto out;
    }
    if (out->timeseries && !l.any_rep_row) {
        err_set(err, path, 0, 0, "no interval after the warm-up");
        goto out;
    }
    if (l.any_rep_row) {
        /* Per component: the mean and CI over replications, in the order replications
         * appear. */
        for (size_t comp = 0; comp < out->ncomps; comp++) {
            struct stats_acc acc[CMP_NMETRICS];
            for (int m = 0; m < CMP_NMETRICS; m++)
                stats_acc_init(&acc[m]);
            for (size_t i = 0; i < l.ncells; i++) {
                struct cell *c = &l.cells[i];
                if (c->comp != comp) continue;
                if (out->timeseries) {
                    c->v[CMP_THROUGHPUT] =
                        c->dt > 0 ? (c->have_counts ? c->completions : c->tput_area) / c->dt : NAN;
                    for (int m = CMP_LAT_MEAN; m <= CMP_LAT_P999; m++)
                        c->v[m] = c->wn[m] > 0 ? c->wsum[m] / c->wn[m] : NAN;
                    if (c->have_counts)
                        c->v[CMP_ERROR_RATE] = c->answers > 0 ? c->failures / c->answers : NAN;
                    else
                        c->v[CMP_ERROR_RATE] = c->wn[CMP_ERROR_RATE] > 0
                                                   ? c->wsum[CMP_ERROR_RATE] / c->wn[CMP_ERROR_RATE]
                                                   : NAN;
                }
                for (int m = 0; m < CMP_NMETRICS; m++)
                    if (isfinite(c->v[m])) stats_acc_add(&acc[m], c->v[m]);
            }
            for (int m = 0; m < CMP_NMETRICS; m++) {
                struct run_est *e = &out->comps[comp].m[m];
                e->n = acc[m].n;
                e->mean = acc[m].n ? stats_acc_mean(&acc[m]) : NAN;
                e->half = acc[m].n >= 2 ? stats_ci_halfwidth(&acc[m], 0.95) : NAN;
            }
        }
        /* Distinct replications. */
        for (size_t i = 0; i < l.ncells; i++) {
            int seen = 0;
            for (size_t j = 0; j < i && !seen; j++)
                seen = strcmp(l.cells[j].rep, l.cells[i].rep) == 0;
            out->replications += !seen;
        }
    } else {
        out->mean_rows = 1;
    }
    rc = 0;
out:
    for (size_t i = 0; i < l.ncells; i++)
        free(l.cells[i].rep);
    free(l.cells);
    free(point);
    csv_in_close(in);
    if (rc) run_side_free(out);
    return rc;
}

void run_side_free(struct run_side *s) {
    if (!s) return;
    for (size_t i = 0; i < s->ncomps; i++)
        free(s->comps[i].component);
    free(s->comps);
    free(s->path);
    memset(s, 0, sizeof *s);
}

const struct run_side_comp *run_side_find(const struct run_side *s, const char *name) {
    for (size_t i = 0; i < s->ncomps; i++)
        if (strcmp(s->comps[i].component, name) == 0) return &s->comps[i];
    return NULL;
}

static int inside(const struct run_est *ref, double v) {
    if (!isfinite(ref->mean) || !isfinite(ref->half) || !isfinite(v)) return -1;
    return fabs(v - ref->mean) <= ref->half;
}

void run_cmp_pair(const struct run_est *a, const struct run_est *b, struct run_cmp *out) {
    out->abs = b->mean - a->mean;
    if (!isfinite(a->mean) || !isfinite(b->mean))
        out->rel = NAN;
    else if (a->mean == 0)
        out->rel = b->mean == 0 ? 0 : INFINITY;
    else
        out->rel = (b->mean - a->mean) / fabs(a->mean);
    out->b_in_a = inside(a, b->mean);
    out->a_in_b = inside(b, a->mean);
}
