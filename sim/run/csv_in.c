/* csv_in — a record-at-a-time CSV reader over libcsv; see csv_in.h. */
#include "csv_in.h"

#include <csv.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "xmalloc.h"

struct csv_in {
    FILE *f;
    int owned;        /* f was opened by csv_in_open */
    const char *name; /* for errors */
    char *path;       /* owned copy when opened by path */
    struct csv_parser p;
    int eof;     /* csv_fini has run */
    size_t line; /* physical lines read so far */
    char *linebuf;
    size_t linecap;
    /* Parsed but not yet handed out: field texts back to back in buf (each NUL-terminated),
     * field i starting at off[i]; completed records end at field indexes rec_end[0..nrec). */
    char *buf;
    size_t len, cap;
    size_t *off, nf, offcap;
    size_t *rec_end, *rec_line, nrec, reccap, head;
    size_t field_line; /* line of the first field of the record being built, 0: none yet */
    const char **ptrs;
    size_t ptrcap;
};

static void on_field(void *s, size_t len, void *data) {
    struct csv_in *r = data;

    if (r->nf == r->offcap) {
        r->offcap = r->offcap ? 2 * r->offcap : 64;
        r->off = xrealloc(r->off, r->offcap * sizeof *r->off);
    }
    if (r->len + len + 1 > r->cap) {
        while (r->len + len + 1 > r->cap)
            r->cap = r->cap ? 2 * r->cap : 4096;
        r->buf = xrealloc(r->buf, r->cap);
    }
    r->off[r->nf++] = r->len;
    if (len) memcpy(r->buf + r->len, s, len);
    r->len += len;
    r->buf[r->len++] = 0;
    if (!r->field_line) r->field_line = r->line;
}

static void on_record(int c, void *data) {
    struct csv_in *r = data;

    (void)c;
    if (r->nrec == r->reccap) {
        r->reccap = r->reccap ? 2 * r->reccap : 8;
        r->rec_end = xrealloc(r->rec_end, r->reccap * sizeof *r->rec_end);
        r->rec_line = xrealloc(r->rec_line, r->reccap * sizeof *r->rec_line);
    }
    r->rec_end[r->nrec] = r->nf;
    r->rec_line[r->nrec] = r->field_line ? r->field_line : r->line;
    r->nrec++;
    r->field_line = 0;
}

static struct csv_in *reader_new(FILE *f, const char *name, int owned) {
    struct csv_in *r = xcalloc(1, sizeof *r);

    r->f = f;
    r->owned = owned;
    r->name = name;
    /* Strict: a quote inside an unquoted field or an unterminated quoted field at the end is
     * an error, not silently accepted. */
    if (csv_init(&r->p, CSV_STRICT | CSV_STRICT_FINI) != 0) abort();
    /* libcsv's buffers then abort on out-of-memory like every other allocation. */
    csv_set_realloc_func(&r->p, xrealloc);
    csv_set_free_func(&r->p, free);
    return r;
}

struct csv_in *csv_in_open(const char *path, struct err *err) {
    FILE *f = fopen(path, "rb");
    struct csv_in *r;

    if (!f) {
        err_set(err, path, 0, 0, "cannot open: %s", strerror(errno));
        return NULL;
    }
    r = reader_new(f, NULL, 1);
    r->path = xstrdup(path);
    r->name = r->path;
    return r;
}

struct csv_in *csv_in_from_file(FILE *f, const char *name) {
    return reader_new(f, name, 0);
}

void csv_in_close(struct csv_in *r) {
    if (!r) return;
    csv_free(&r->p);
    if (r->owned) fclose(r->f);
    free(r->path);
    free(r->linebuf);
    free(r->buf);
    free(r->off);
    free(r->rec_end);
    free(r->rec_line);
    free(r->ptrs);
    free(r);
}

/* Drop the records already handed out, keeping the fields of a record still being built. */
static void compact(struct csv_in *r) {
    size_t first, base;

    if (r->nrec == 0) return;
    first = r->rec_end[r->nrec - 1]; /* first field not in a completed record */
    base = first < r->nf ? r->off[first] : r->len;
    memmove(r->buf, r->buf + base, r->len - base);
    r->len -= base;
    for (size_t i = first; i < r->nf; i++)
        r->off[i - first] = r->off[i] - base;
    r->nf -= first;
    r->nrec = 0;
    r->head = 0;
}

int csv_in_next(struct csv_in *r, struct csv_rec *rec, struct err *err) {
    while (r->head == r->nrec) {
        ssize_t got;

        compact(r);
        if (r->eof) return 0;
        errno = 0;
        got = getline(&r->linebuf, &r->linecap, r->f);
        if (got < 0) {
            if (ferror(r->f)) {
                err_set(err, r->name, (int)r->line, 0, "read error: %s", strerror(errno));
                return -1;
            }
            r->eof = 1;
            if (csv_fini(&r->p, on_field, on_record, r) != 0) {
                err_set(err, r->name, (int)(r->field_line ? r->field_line : r->line), 0,
                        "malformed CSV: %s", csv_strerror(csv_error(&r->p)));
                return -1;
            }
            continue;
        }
        r->line++;
        if (csv_parse(&r->p, r->linebuf, (size_t)got, on_field, on_record, r) != (size_t)got) {
            err_set(err, r->name, (int)r->line, 0, "malformed CSV: %s",
                    csv_strerror(csv_error(&r->p)));
            return -1;
        }
    }
    {
        size_t from = r->head ? r->rec_end[r->head - 1] : 0, to = r->rec_end[r->head];
        size_t n = to - from;
        if (n > r->ptrcap) {
            r->ptrcap = n;
            r->ptrs = xrealloc(r->ptrs, n * sizeof *r->ptrs);
        }
        for (size_t i = 0; i < n; i++)
            r->ptrs[i] = r->buf + r->off[from + i];
        rec->nfields = n;
        rec->fields = r->ptrs;
        rec->line = r->rec_line[r->head];
        r->head++;
    }
    return 1;
}

int csv_in_find(const struct csv_rec *rec, const char *name) {
    for (size_t i = 0; i < rec->nfields; i++)
        if (strcmp(rec->fields[i], name) == 0) return (int)i;
    return -1;
}

int csv_in_number(const char *text, double *out) {
    char *end;
    double v;

    *out = NAN;
    if (!text[0]) return 0;
    errno = 0;
    v = strtod(text, &end);
    if (end == text || *end || !isfinite(v)) return -1;
    *out = v;
    return 1;
}
