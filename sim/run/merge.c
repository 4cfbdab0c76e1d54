/* merge — shard outputs back into one run's files; see merge.h. */
#include "merge.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "csv_in.h"
#include "csv_out.h"
#include "run.h"
#include "xmalloc.h"

/* --- manifests ---------------------------------------------------------------------------- */

int run_merge_write_manifest(const char *dir, const struct run_shard *sh, size_t units,
                             const char *name, struct err *err) {
    char path[4096];
    FILE *f;

    snprintf(path, sizeof path, "%s/shard.txt", dir);
    f = fopen(path, "w");
    if (!f) return err_set(err, path, 0, 0, "cannot write: %s", strerror(errno));
    fprintf(f, "# archsim shard manifest, read by archsim merge\n");
    fprintf(f, "scenario=%s\nshard=%u/%u\nunits=%zu\n", name, sh->index, sh->count, units);
    if (fclose(f)) return err_set(err, path, 0, 0, "cannot write: %s", strerror(errno));
    return 0;
}

int run_merge_remove_manifest(const char *dir, struct err *err) {
    char path[4096];

    snprintf(path, sizeof path, "%s/shard.txt", dir);
    if (remove(path) && errno != ENOENT)
        return err_set(err, path, 0, 0, "cannot remove: %s", strerror(errno));
    return 0;
}

struct manifest {
    int present;
    char scenario[256];
    unsigned index, count;
    size_t units;
};

static int read_manifest(const char *dir, struct manifest *m, struct err *err) {
    char path[4096], line[512];
    FILE *f;
    int lineno = 0, have_shard = 0, have_units = 0;

    memset(m, 0, sizeof *m);
    snprintf(path, sizeof path, "%s/shard.txt", dir);
    f = fopen(path, "r");
    if (!f) {
        if (errno == ENOENT) return 0;
        return err_set(err, path, 0, 0, "cannot read: %s", strerror(errno));
    }
    m->present = 1;
    while (fgets(line, sizeof line, f)) {
        char *eq, *nl = strchr(line, '\n');
        lineno++;
        if (nl) *nl = 0;
        if (line[0] == '#' || line[0] == 0) continue;
        eq = strchr(line, '=');
        if (!eq) goto bad;
        *eq = 0;
        if (strcmp(line, "scenario") == 0) {
            snprintf(m->scenario, sizeof m->scenario, "%s", eq + 1);
        } else if (strcmp(line, "shard") == 0) {
            if (sscanf(eq + 1, "%u/%u", &m->index, &m->count) != 2 || m->count == 0 ||
                m->index >= m->count)
                goto bad;
            have_shard = 1;
        } else if (strcmp(line, "units") == 0) {
            char *end;
            unsigned long long u;
            errno = 0;
            u = strtoull(eq + 1, &end, 10);
            if (errno || *end || end == eq + 1) goto bad;
            m->units = (size_t)u;
            have_units = 1;
        }
    }
    fclose(f);
    if (!have_shard || !have_units)
        return err_set(err, path, 0, 0, "not a shard manifest (needs shard=I/M and units=U)");
    return 0;
bad:
    fclose(f);
    return err_set(err, path, lineno, 1, "malformed manifest line");
}

int run_merge_check_manifests(const char *const *dirs, size_t n, size_t *units,
                              struct run_merge_info *info, struct err *err) {
    struct manifest *m = xcalloc(n ? n : 1, sizeof *m);
    size_t *seen = NULL; /* per shard index: 1 + the input that holds it, 0 none yet */
    size_t with = 0, first = 0;
    int rc = -1;

    *units = 0;
    for (size_t i = 0; i < n; i++) {
        if (read_manifest(dirs[i], &m[i], err)) goto out;
        if (m[i].present && with++ == 0) first = i;
    }
    if (with == 0) {
        info->shards = 0;
        rc = 0;
        goto out;
    }
    if (with != n) {
        for (size_t i = 0; i < n; i++)
            if (!m[i].present) {
                err_set(err, dirs[i], 0, 0,
                        "no shard.txt, but %s has one: mixing shard outputs with other runs",
                        dirs[first]);
                goto out;
            }
    }
    seen = xcalloc(m[first].count, sizeof *seen);
    for (size_t i = 0; i < n; i++) {
        const struct manifest *a = &m[first], *b = &m[i];
        if (strcmp(b->scenario, a->scenario) != 0) {
            err_set(err, dirs[i], 0, 0,
                    "a shard of scenario '%s', but %s is a shard of scenario '%s': shards of "
                    "different scenarios cannot be merged",
                    b->scenario, dirs[first], a->scenario);
            goto out;
        }
        if (b->count != a->count) {
            err_set(err, dirs[i], 0, 0,
                    "shard %u/%u, but %s is shard %u/%u: shards of different splits (N in "
                    "--shard I/N) cannot be merged",
                    b->index, b->count, dirs[first], a->index, a->count);
            goto out;
        }
        if (b->units != a->units) {
            err_set(err, dirs[i], 0, 0,
                    "a shard of %zu units, but %s is a shard of %zu: shards of runs with "
                    "different -R or --vary cannot be merged",
                    b->units, dirs[first], a->units);
            goto out;
        }
        if (seen[b->index] && strcmp(dirs[seen[b->index] - 1], dirs[i]) == 0) {
            err_set(err, dirs[i], 0, 0, "given twice (shard %u/%u)", b->index, b->count);
            goto out;
        }
        if (seen[b->index]) {
            err_set(err, dirs[i], 0, 0, "shard %u/%u, but so is %s: a shard given twice", b->index,
                    b->count, dirs[seen[b->index] - 1]);
            goto out;
        }
        seen[b->index] = i + 1;
    }
    for (unsigned k = 0; k < m[first].count; k++)
        if (!seen[k]) {
            err_set(err, "archsim", 0, 0, "shard %u/%u is missing (%zu of %u shards given)", k,
                    m[first].count, n, m[first].count);
            goto out;
        }
    *units = m[first].units;
    info->shards = m[first].count;
    rc = 0;
out:
    free(seen);
    free(m);
    return rc;
}

/* --- summary.csv ------------------------------------------------------------------------- */

/* How a summary column is read into a struct run_rep. */
enum col_kind {
    COL_IGNORE,
    COL_DOUBLE, /* a double of struct model_row, at off */
    COL_COUNT,  /* a uint64_t of struct model_row, at off */
    COL_SEED,
    COL_EVENTS,
    COL_SIM_TIME,
    COL_WALL,
    COL_PARTIAL,
    COL_WARMUP,
};

struct cols {
    size_t n;
    enum col_kind *kind;
    size_t *off;
    int point, vary, scenario, replication, component, kind_col;
};

/* A replication read from one file: its rows, as numbers and as text. */
struct group {
    size_t point;
    unsigned long rep;
    char *vary, *scenario;
    struct run_rep r;
    size_t rowcap;
    char *text;
    size_t len;
    FILE *mem; /* open while rows are added */
    const char *file;
    size_t line;
};

static void group_free(struct group *g) {
    free(g->vary);
    free(g->scenario);
    run_rep_free(&g->r);
    if (g->mem) fclose(g->mem);
    free(g->text);
}

static int header_ok(const struct csv_rec *h, int sweep) {
    char *want = NULL, *got = NULL;
    size_t wlen = 0, glen = 0;
    FILE *w = open_memstream(&want, &wlen), *g = open_memstream(&got, &glen);
    int same;

    if (sweep)
        csv_out_summary_header_sweep(w);
    else
        csv_out_summary_header(w);
    csv_out_record(g, h->fields, h->nfields);
    fclose(w);
    fclose(g);
    same = wlen == glen && memcmp(want, got, wlen) == 0;
    free(want);
    free(got);
    return same;
}

static void cols_map(struct cols *c, const struct csv_rec *h) {
    static const struct {
        const char *name;
        size_t off;
    } counts[] = {
        {"arrivals", offsetof(struct model_row, arrivals)},
        {"completions", offsetof(struct model_row, completions)},
        {"rejected", offsetof(struct model_row, rejected)},
        {"errors", offsetof(struct model_row, errors)},
        {"in_flight", offsetof(struct model_row, in_flight)},
    };

    c->n = h->nfields;
    c->kind = xcalloc(c->n, sizeof *c->kind);
    c->off = xcalloc(c->n, sizeof *c->off);
    c->point = csv_in_find(h, "point");
    c->vary = csv_in_find(h, "vary");
    c->scenario = csv_in_find(h, "scenario");
    c->replication = csv_in_find(h, "replication");
    c->component = csv_in_find(h, "component");
    c->kind_col = csv_in_find(h, "kind");
    for (size_t i = 0; i < c->n; i++) {
        const char *name = h->fields[i];
        c->kind[i] = COL_IGNORE;
        if (csv_out_metric_offset(name, &c->off[i]) == 0) c->kind[i] = COL_DOUBLE;
        for (size_t k = 0; k < sizeof counts / sizeof counts[0]; k++)
            if (strcmp(name, counts[k].name) == 0) {
                c->kind[i] = COL_COUNT;
                c->off[i] = counts[k].off;
            }
        if (strcmp(name, "seed") == 0) c->kind[i] = COL_SEED;
        if (strcmp(name, "events") == 0) c->kind[i] = COL_EVENTS;
        if (strcmp(name, "sim_time_s") == 0) c->kind[i] = COL_SIM_TIME;
        if (strcmp(name, "wall_s") == 0) c->kind[i] = COL_WALL;
        if (strcmp(name, "partial") == 0) c->kind[i] = COL_PARTIAL;
        if (strcmp(name, "warmup_s") == 0) c->kind[i] = COL_WARMUP;
    }
}

static int whole_u64(const char *s, uint64_t *out) {
    char *end;
    unsigned long long v;

    if (!s[0] || s[0] == '-' || s[0] == '+') return -1;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno || *end) return -1;
    *out = v;
    return 0;
}

/* Parse one replication row into g's next row. */
static int parse_row(const struct cols *c, const struct csv_rec *rec, struct group *g,
                     const char *file, struct err *err) {
    struct model_row *row;

    if (g->r.nrows == g->rowcap) {
        g->rowcap = g->rowcap ? 2 * g->rowcap : 16;
        g->r.rows = xrealloc(g->r.rows, g->rowcap * sizeof *g->r.rows);
    }
    row = &g->r.rows[g->r.nrows++];
    memset(row, 0, sizeof *row);
    row->component = xstrdup(rec->fields[c->component]);
    row->kind = xstrdup(rec->fields[c->kind_col]);
    for (int x = 0; x < MX_COUNT; x++)
        row->extra[x] = NAN;
    for (size_t i = 0; i < c->n; i++) {
        const char *t = rec->fields[i];
        double v;
        uint64_t u;
        switch (c->kind[i]) {
            case COL_IGNORE:
                break;
            case COL_DOUBLE:
            case COL_SIM_TIME:
            case COL_WALL:
            case COL_WARMUP:
                if (csv_in_number(t, &v) < 0) goto bad;
                if (c->kind[i] == COL_DOUBLE)
                    memcpy((char *)row + c->off[i], &v, sizeof v);
                else if (isfinite(v) && c->kind[i] == COL_SIM_TIME)
                    g->r.sim_time_s = v;
                else if (isfinite(v) && c->kind[i] == COL_WALL)
                    g->r.wall_s = v;
                else if (c->kind[i] == COL_WARMUP)
                    g->r.warmup_s = v;
                break;
            case COL_COUNT:
            case COL_SEED:
            case COL_EVENTS:
            case COL_PARTIAL:
                if (!t[0] && c->kind[i] == COL_EVENTS) break; /* component rows */
                if (whole_u64(t, &u)) goto bad;
                if (c->kind[i] == COL_COUNT)
                    memcpy((char *)row + c->off[i], &u, sizeof u);
                else if (c->kind[i] == COL_SEED)
                    g->r.seed = u;
                else if (c->kind[i] == COL_EVENTS)
                    g->r.events = u;
                else
                    g->r.partial |= u != 0;
                break;
        }
        continue;
    bad:
        return err_set(err, file, (int)rec->line, (int)i + 1, "column %zu: unexpected value '%s'",
                       i + 1, t);
    }
    return 0;
}

static int group_cmp(const void *a, const void *b) {
    const struct group *x = *(struct group *const *)a, *y = *(struct group *const *)b;

    if (x->point != y->point) return x->point < y->point ? -1 : 1;
    if (x->rep != y->rep) return x->rep < y->rep ? -1 : 1;
    return 0;
}

/* Read one summary file's replication groups, appending to *gs. */
static int read_summary(const char *path, int *sweep, char **first_header_text, struct group ***gs,
                        size_t *ng, size_t *cap, struct err *err) {
    struct csv_in *in = csv_in_open(path, err);
    struct csv_rec rec;
    struct cols c;
    struct group *cur = NULL;
    int got, rc = -1;

    memset(&c, 0, sizeof c);
    if (!in) return -1;
    got = csv_in_next(in, &rec, err);
    if (got <= 0) {
        if (got == 0) err_set(err, path, 0, 0, "empty file (no header)");
        goto out;
    }
    {
        int is_sweep = csv_in_find(&rec, "point") == 0;
        char *text = NULL;
        size_t len = 0;
        FILE *m = open_memstream(&text, &len);
        csv_out_record(m, rec.fields, rec.nfields);
        fclose(m);
        if (!header_ok(&rec, is_sweep)) {
            err_set(err, path, 1, 1,
                    "not a summary.csv written by this archsim (its header differs from the "
                    "one this version writes)");
            free(text);
            goto out;
        }
        if (*first_header_text && strcmp(*first_header_text, text) != 0) {
            err_set(err, path, 1, 1, "a sweep's and a run's summary.csv cannot be merged");
            free(text);
            goto out;
        }
        if (!*first_header_text)
            *first_header_text = text;
        else
            free(text);
        *sweep = is_sweep;
        cols_map(&c, &rec);
    }
    while ((got = csv_in_next(in, &rec, err)) > 0) {
        size_t point = 0;
        uint64_t rep;

        if (rec.nfields != c.n) {
            err_set(err, path, (int)rec.line, 1, "%zu fields, the header has %zu", rec.nfields,
                    c.n);
            goto out;
        }
        if (strcmp(rec.fields[c.replication], "mean") == 0) {
            if (cur) {
                fclose(cur->mem);
                cur->mem = NULL;
            }
            cur = NULL;
            continue;
        }
        if (whole_u64(rec.fields[c.replication], &rep)) {
            err_set(err, path, (int)rec.line, c.replication + 1, "bad replication '%s'",
                    rec.fields[c.replication]);
            goto out;
        }
        if (c.point >= 0) {
            uint64_t p;
            if (whole_u64(rec.fields[c.point], &p)) {
                err_set(err, path, (int)rec.line, c.point + 1, "bad point '%s'",
                        rec.fields[c.point]);
                goto out;
            }
            point = (size_t)p;
        }
        if (!cur || cur->point != point || cur->rep != rep) {
            if (cur) {
                fclose(cur->mem);
                cur->mem = NULL;
            }
            if (*ng == *cap) {
                *cap = *cap ? 2 * *cap : 64;
                *gs = xrealloc(*gs, *cap * sizeof **gs);
            }
            /* Each group on its own: its memory stream points at its text and len, which
             * must not move when the array grows. */
            cur = xcalloc(1, sizeof *cur);
            (*gs)[(*ng)++] = cur;
            cur->point = point;
            cur->rep = (unsigned long)rep;
            cur->r.replication = (unsigned)rep;
            cur->vary = xstrdup(c.vary >= 0 ? rec.fields[c.vary] : "");
            cur->scenario = xstrdup(rec.fields[c.scenario]);
            cur->mem = open_memstream(&cur->text, &cur->len);
            cur->file = path;
            cur->line = rec.line;
        }
        if (parse_row(&c, &rec, cur, path, err)) goto out;
        csv_out_record(cur->mem, rec.fields, rec.nfields);
    }
    if (got < 0) goto out;
    rc = 0;
out:
    if (cur && cur->mem) {
        fclose(cur->mem);
        cur->mem = NULL;
    }
    free(c.kind);
    free(c.off);
    csv_in_close(in);
    return rc;
}

static int same_components(const struct run_rep *a, const struct run_rep *b) {
    if (a->nrows != b->nrows) return 0;
    for (size_t i = 0; i < a->nrows; i++)
        if (strcmp(a->rows[i].component, b->rows[i].component) != 0) return 0;
    return 1;
}

/* 1 when the vary texts a and b ("path=value;path=value") name the same paths in the same
 * order, whatever their values. */
static int same_axes(const char *a, const char *b) {
    for (;;) {
        size_t na = strcspn(a, "=;"), nb = strcspn(b, "=;");
        if (na != nb || memcmp(a, b, na) != 0) return 0;
        a += strcspn(a, ";");
        b += strcspn(b, ";");
        if (!*a || !*b) return !*a && !*b;
        a++;
        b++;
    }
}

/* The keys are complete (gs sorted, per_point replications per point): check that the
 * groups come from runs with the same options, as far as the rows tell (the seeds:
 * run_merge_check_seeds). Every point varies the same paths; a point's vary text and, for
 * the replications that ran to their end, simulated time are the same in every
 * replication. */
static int check_same_run(struct group *const *gs, size_t ng, size_t per_point, struct err *err) {
    const struct group *first = NULL, *done = NULL; /* this point's replication 0; first one
                                                     * that ran to its end */

    for (size_t i = 0; i < ng; i++) {
        const struct group *g = gs[i];
        if (i % per_point == 0) {
            first = g;
            done = NULL;
            if (!same_axes(g->vary, gs[0]->vary)) {
                err_set(err, g->file, (int)g->line, 1,
                        "point %zu is '%s', but point 0 is '%s' (%s:%zu): sweeps with different "
                        "--vary cannot be merged",
                        g->point, g->vary, gs[0]->vary, gs[0]->file, gs[0]->line);
                return -1;
            }
        }
        if (strcmp(g->vary, first->vary) != 0) {
            err_set(err, g->file, (int)g->line, 1,
                    "point %zu is '%s', but '%s' in %s:%zu: sweeps with different --vary "
                    "cannot be merged",
                    g->point, g->vary, first->vary, first->file, first->line);
            return -1;
        }
        if (g->r.partial) continue;
        if (!done) {
            done = g;
        } else if (g->r.sim_time_s != done->r.sim_time_s) {
            err_set(err, g->file, (int)g->line, 1,
                    "replication %lu simulated %.9g s, but replication %lu (%s:%zu) %.9g s: runs "
                    "with different durations (-d) cannot be merged",
                    g->rep, g->r.sim_time_s, done->rep, done->file, done->line, done->r.sim_time_s);
            return -1;
        }
    }
    return 0;
}

int run_merge_summary(const char *const *paths, size_t n, size_t units, FILE *out,
                      struct run_merge_info *info, struct err *err) {
    struct group **gs = NULL;
    size_t ng = 0, cap = 0, per_point = 0;
    char *header = NULL;
    int sweep = 0, rc = -1;
    struct run_rep *reps = NULL;

    info->sweep = 0;
    info->points = 0;
    info->units = 0;
    info->partial = 0;
    if (n == 0) return err_set(err, "archsim", 0, 0, "nothing to merge");
    for (size_t i = 0; i < n; i++)
        if (read_summary(paths[i], &sweep, &header, &gs, &ng, &cap, err)) goto out;
    /* Before the keys: shards of two scenarios may well collide or leave gaps, and the
     * scenario is the reason to give. gs[0] is the first input's first row here. */
    for (size_t i = 1; i < ng; i++)
        if (strcmp(gs[i]->scenario, gs[0]->scenario) != 0) {
            err_set(err, gs[i]->file, (int)gs[i]->line, 1,
                    "scenario '%s', but %s:%zu is of scenario '%s': outputs of different "
                    "scenarios cannot be merged",
                    gs[i]->scenario, gs[0]->file, gs[0]->line, gs[0]->scenario);
            goto out;
        }
    qsort(gs, ng, sizeof *gs, group_cmp);
    /* Keys: unique, points 0..P-1, each with replications 0..R-1, R the same everywhere. */
    for (size_t i = 0; i < ng; i++) {
        const struct group *g = gs[i];
        if (i && group_cmp(&gs[i - 1], &gs[i]) == 0) {
            err_set(err, g->file, (int)g->line, 1,
                    "point %zu replication %lu also in %s:%zu (a shard given twice, or shards "
                    "that overlap)",
                    g->point, g->rep, gs[i - 1]->file, gs[i - 1]->line);
            goto out;
        }
        info->partial |= g->r.partial;
    }
    for (size_t i = 0; i < ng;) {
        size_t start = i, point = gs[i]->point;
        if (point != info->points) {
            err_set(err, "archsim", 0, 0, "point %zu is missing (a shard lost?)", info->points);
            goto out;
        }
        for (; i < ng && gs[i]->point == point; i++)
            if (gs[i]->rep != i - start) {
                if (sweep)
                    err_set(err, "archsim", 0, 0,
                            "point %zu replication %zu is missing (a shard lost, or a run "
                            "interrupted?)",
                            point, i - start);
                else
                    err_set(err, "archsim", 0, 0,
                            "replication %zu is missing (a shard lost, or a run interrupted?)",
                            i - start);
                goto out;
            }
        if (info->points == 0) {
            per_point = i - start;
        } else if (i - start != per_point) {
            err_set(err, "archsim", 0, 0,
                    "point %zu has %zu replications, point 0 has %zu (a shard lost?)", point,
                    i - start, per_point);
            goto out;
        }
        info->points++;
    }
    if (check_same_run(gs, ng, per_point, err)) goto out;
    if (units && ng != units) {
        err_set(err, "archsim", 0, 0,
                "the shards' manifests promise %zu replication%s, the files hold %zu", units,
                units == 1 ? "" : "s", ng);
        goto out;
    }
    info->sweep = sweep;
    info->units = ng;
    fputs(header, out);
    reps = xcalloc(per_point ? per_point : 1, sizeof *reps);
    for (size_t p = 0; p < info->points; p++) {
        struct group **g = &gs[p * per_point];
        struct csv_point pt = {p, g[0]->vary};
        for (size_t k = 0; k < per_point; k++) {
            fwrite(g[k]->text, 1, g[k]->len, out);
            reps[k] = g[k]->r;
            if (!same_components(&g[0]->r, &g[k]->r)) {
                err_set(err, g[k]->file, (int)g[k]->line, 1,
                        "replication %lu lists other components than replication 0 (%s:%zu)",
                        g[k]->rep, g[0]->file, g[0]->line);
                goto out;
            }
        }
        if (per_point > 1)
            csv_out_summary_mean_pt(out, sweep ? &pt : NULL, g[0]->scenario, reps, per_point);
    }
    rc = 0;
out:
    free(reps);
    for (size_t i = 0; i < ng; i++) {
        group_free(gs[i]);
        free(gs[i]);
    }
    free(gs);
    free(header);
    return rc;
}

/* --- seeds ------------------------------------------------------------------------------- */

/* One replication row's key and seed, and where it is. */
struct seed_row {
    uint64_t point, rep, seed;
    const char *file;
    size_t line;
};

static int seed_row_cmp(const void *a, const void *b) {
    const struct seed_row *x = a, *y = b;

    if (x->point != y->point) return x->point < y->point ? -1 : 1;
    if (x->rep != y->rep) return x->rep < y->rep ? -1 : 1;
    return 0;
}

int run_merge_check_seeds(const char *const *paths, size_t n, struct err *err) {
    struct seed_row *rows = NULL;
    size_t nrows = 0, cap = 0;
    int rc = -1;

    for (size_t i = 0; i < n; i++) {
        struct csv_in *in = csv_in_open(paths[i], err);
        struct csv_rec rec;
        int cp, cr, cs, got;

        if (!in) goto out;
        got = csv_in_next(in, &rec, err);
        if (got <= 0) {
            csv_in_close(in);
            if (got < 0) goto out;
            continue; /* an empty file: run_merge_summary says so */
        }
        cp = csv_in_find(&rec, "point");
        cr = csv_in_find(&rec, "replication");
        cs = csv_in_find(&rec, "seed");
        while (cr >= 0 && cs >= 0 && (got = csv_in_next(in, &rec, err)) > 0) {
            struct seed_row r = {0, 0, 0, paths[i], rec.line};
            /* Rows that do not parse are run_merge_summary's to report, at their line. */
            if ((size_t)cr >= rec.nfields || (size_t)cs >= rec.nfields ||
                (cp >= 0 && (size_t)cp >= rec.nfields) || whole_u64(rec.fields[cr], &r.rep) ||
                whole_u64(rec.fields[cs], &r.seed) ||
                (cp >= 0 && whole_u64(rec.fields[cp], &r.point)))
                continue;
            if (nrows == cap) {
                cap = cap ? 2 * cap : 64;
                rows = xrealloc(rows, cap * sizeof *rows);
            }
            rows[nrows++] = r;
        }
        csv_in_close(in);
        if (got < 0) goto out;
    }
    qsort(rows, nrows, sizeof *rows, seed_row_cmp);
    for (size_t i = 0, first = 0; i < nrows; i++) {
        const struct seed_row *r = &rows[i], *z;
        if (i == 0 || r->point != rows[i - 1].point) first = i;
        z = &rows[first];
        if (z->rep != 0) continue; /* no replication 0: a gap, reported by the merge */
        if (r->seed != run_replication_seed(z->seed, (unsigned)r->rep)) {
            err_set(err, r->file, (int)r->line, 1,
                    "replication %" PRIu64 ": seed %" PRIu64 " does not follow from seed %" PRIu64
                    " of replication 0 (%s:%zu): runs with different seeds (-s) cannot be merged",
                    r->rep, r->seed, z->seed, z->file, z->line);
            goto out;
        }
    }
    rc = 0;
out:
    free(rows);
    return rc;
}

/* --- timeseries.csv, events.csv ------------------------------------------------------------ */

struct stream {
    const char *path;
    struct csv_in *in;
    struct csv_rec rec;
    int live; /* rec holds an unconsumed record */
    int point, replication;
    uint64_t kp, kr; /* the current record's key */
    uint64_t last_kp, last_kr;
    int started;
};

static int stream_next(struct stream *s, struct err *err) {
    int got = csv_in_next(s->in, &s->rec, err);

    s->live = 0;
    if (got <= 0) return got;
    if (s->replication >= (int)s->rec.nfields || (s->point >= 0 && s->point >= (int)s->rec.nfields))
        return err_set(err, s->path, (int)s->rec.line, 1, "too few fields");
    s->kp = 0;
    if ((s->point >= 0 && whole_u64(s->rec.fields[s->point], &s->kp)) ||
        whole_u64(s->rec.fields[s->replication], &s->kr))
        return err_set(err, s->path, (int)s->rec.line, 1, "bad point or replication");
    if (s->started && (s->kp < s->last_kp || (s->kp == s->last_kp && s->kr < s->last_kr)))
        return err_set(err, s->path, (int)s->rec.line, 1,
                       "rows are not in replication order (not written by archsim?)");
    s->started = 1;
    s->last_kp = s->kp;
    s->last_kr = s->kr;
    s->live = 1;
    return 1;
}

int run_merge_rows(const char *const *paths, size_t n, FILE *out, struct err *err) {
    struct stream *st = xcalloc(n ? n : 1, sizeof *st);
    char *header = NULL;
    int rc = -1;
    uint64_t prev_p = 0, prev_r = 0;
    size_t prev_from = SIZE_MAX;

    for (size_t i = 0; i < n; i++) {
        char *text = NULL;
        size_t len = 0;
        FILE *m;
        int got;

        st[i].path = paths[i];
        st[i].in = csv_in_open(paths[i], err);
        if (!st[i].in) goto out;
        got = csv_in_next(st[i].in, &st[i].rec, err);
        if (got <= 0) {
            if (got == 0) err_set(err, paths[i], 0, 0, "empty file (no header)");
            goto out;
        }
        st[i].point = csv_in_find(&st[i].rec, "point");
        st[i].replication = csv_in_find(&st[i].rec, "replication");
        if (st[i].replication < 0) {
            err_set(err, paths[i], 1, 1, "no 'replication' column");
            goto out;
        }
        m = open_memstream(&text, &len);
        csv_out_record(m, st[i].rec.fields, st[i].rec.nfields);
        fclose(m);
        if (header && strcmp(header, text) != 0) {
            err_set(err, paths[i], 1, 1, "its header differs from %s's", paths[0]);
            free(text);
            goto out;
        }
        if (!header)
            header = text;
        else
            free(text);
        if (stream_next(&st[i], err) < 0) goto out;
    }
    if (header) fputs(header, out);
    for (;;) {
        size_t best = SIZE_MAX;
        for (size_t i = 0; i < n; i++) {
            if (!st[i].live) continue;
            if (best == SIZE_MAX || st[i].kp < st[best].kp ||
                (st[i].kp == st[best].kp && st[i].kr < st[best].kr))
                best = i;
        }
        if (best == SIZE_MAX) break;
        if (prev_from != SIZE_MAX && prev_from != best && st[best].kp == prev_p &&
            st[best].kr == prev_r) {
            err_set(err, st[best].path, (int)st[best].rec.line, 1,
                    "replication %" PRIu64 " is also in %s (a shard given twice?)", prev_r,
                    st[prev_from].path);
            goto out;
        }
        prev_from = best;
        prev_p = st[best].kp;
        prev_r = st[best].kr;
        /* All of this key's rows from this input. */
        while (st[best].live && st[best].kp == prev_p && st[best].kr == prev_r) {
            csv_out_record(out, st[best].rec.fields, st[best].rec.nfields);
            if (stream_next(&st[best], err) < 0) goto out;
        }
    }
    rc = 0;
out:
    for (size_t i = 0; i < n; i++)
        csv_in_close(st[i].in);
    free(st);
    free(header);
    return rc;
}
