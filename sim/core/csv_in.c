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
    /* Where libcsv is, for errors: libcsv says only that parsing failed (and, from csv_parse's
     * return value, at which byte), so the bytes it accepted are also run through the same
     * state machine here (track) to know the field number and where the field began. */
    int tstate;         /* TK_* */
    size_t col;         /* characters of the current physical line seen so far */
    size_t fnum;        /* 1-based number of the current field in its record */
    size_t fline, fcol; /* where the current field's first character is */
    /* Every record must have as many fields as the first (the header). track also notes where
     * the record being read gets one field too many, and where the last record ended, so a
     * ragged record is reported at that place; csv_in_next compares the counts. */
    size_t nheader;     /* fields of the first record; 0 until it has been handed out */
    size_t nout;        /* records handed out */
    size_t xline, xcol; /* where field nheader + 1 of the current record starts */
    size_t eline, ecol; /* just after the last character of the last record that ended */
};

/* The states of libcsv's strict parser (libcsv.c csv_parse), named for what was last seen. */
enum {
    TK_START,  /* before a field: leading spaces are skipped (ROW/FIELD_NOT_BEGUN) */
    TK_PLAIN,  /* in an unquoted field */
    TK_QUOTED, /* in a quoted field */
    TK_QEND    /* a quote in a quoted field: its end, or the first of a doubled quote */
};

/* track saw the ',' that starts the next field of the record (r->col is the comma's column). */
static void next_field(struct csv_in *r) {
    r->fnum++;
    if (r->nheader && r->fnum == r->nheader + 1) {
        r->xline = r->line;
        r->xcol = r->col + 1;
    }
}

/* track saw the line break that ends a record (r->col is its column: just after the record). */
static void end_record(struct csv_in *r) {
    r->eline = r->line;
    r->ecol = r->col;
}

/* Follow n bytes that libcsv accepted (see struct csv_in). */
static void track(struct csv_in *r, const char *s, size_t n) {
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        int newline = c == '\n' || c == '\r';

        if (((unsigned char)c & 0xC0) != 0x80) r->col++; /* a character starts here */
        switch (r->tstate) {
            case TK_START:
                if (c == ',') {
                    next_field(r);
                } else if (newline) {
                    /* after a ',' (an empty last field) this ends a record; at the start of a
                     * line it is an empty line, or the LF of a CRLF, and ends nothing */
                    if (r->fnum > 1) end_record(r);
                    r->fnum = 1;
                } else if (c != ' ' && c != '\t') {
                    r->tstate = c == '"' ? TK_QUOTED : TK_PLAIN;
                    r->fline = r->line;
                    r->fcol = r->col;
                }
                break;
            case TK_PLAIN:
            case TK_QEND:
                if (c == ',') {
                    next_field(r);
                    r->tstate = TK_START;
                } else if (newline) {
                    end_record(r);
                    r->fnum = 1;
                    r->tstate = TK_START;
                } else if (c == '"') {
                    r->tstate = TK_QUOTED; /* a doubled quote (TK_PLAIN never sees one) */
                }
                break;
            case TK_QUOTED:
                if (c == '"') r->tstate = TK_QEND;
                break;
        }
        if (c == '\n') r->col = 0;
    }
}

/* The error for byte s[at], which libcsv refused in strict mode, after track saw s[0, at). */
static int parse_err(struct csv_in *r, const char *s, size_t at, struct err *err) {
    unsigned char c = (unsigned char)s[at];
    int col = (int)r->col + 1;
    char what[16];

    if (csv_error(&r->p) != CSV_EPARSE)
        return err_set(err, r->name, (int)r->line, col, "malformed CSV in field %zu: %s", r->fnum,
                       csv_strerror(csv_error(&r->p)));
    if (r->tstate == TK_PLAIN)
        return err_set(err, r->name, (int)r->line, col,
                       "malformed CSV in field %zu: a quote inside an unquoted field (quote the "
                       "whole field and double the quote: \"a \"\"b\"\"\")",
                       r->fnum);
    if (c == '"')
        return err_set(err, r->name, (int)r->line, col,
                       "malformed CSV in field %zu: a quote after the closing quote of the quoted "
                       "field that starts at %zu:%zu",
                       r->fnum, r->fline, r->fcol);
    {
        /* the character itself, also a UTF-8 one; else the byte's value */
        size_t n = c >= 0x20 && c < 0x7f   ? 1
                   : c >= 0xC2 && c < 0xE0 ? 2
                   : c >= 0xE0 && c < 0xF0 ? 3
                   : c >= 0xF0 && c < 0xF5 ? 4
                                           : 0;
        for (size_t k = 1; k < n; k++)
            if (((unsigned char)s[at + k] & 0xC0) != 0x80) n = 0;
        if (n)
            snprintf(what, sizeof what, "'%.*s'", (int)n, s + at);
        else
            snprintf(what, sizeof what, "byte 0x%02x", c);
    }
    return err_set(err, r->name, (int)r->line, col,
                   "malformed CSV in field %zu: %s after the closing quote of the quoted field "
                   "that starts at %zu:%zu (expected ',' or the end of the line)",
                   r->fnum, what, r->fline, r->fcol);
}

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
    r->fnum = 1;
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
                err_set(err, r->name, 0, 0, "read error after line %zu: %s", r->line,
                        strerror(errno));
                return -1;
            }
            r->eof = 1;
            /* a last record without a line break ends here */
            r->eline = r->line;
            r->ecol = r->col + 1;
            if (csv_fini(&r->p, on_field, on_record, r) != 0) {
                /* strict fini fails only on a quoted field still open at the end */
                err_set(err, r->name, (int)r->fline, (int)r->fcol,
                        "malformed CSV in field %zu: the quoted field that starts here is not "
                        "closed at the end of the file (a quote is missing)",
                        r->fnum);
                return -1;
            }
            continue;
        }
        r->line++;
        {
            size_t done = csv_parse(&r->p, r->linebuf, (size_t)got, on_field, on_record, r);
            track(r, r->linebuf, done);
            if (done != (size_t)got) return parse_err(r, r->linebuf, done, err);
        }
    }
    {
        size_t from = r->head ? r->rec_end[r->head - 1] : 0, to = r->rec_end[r->head];
        size_t n = to - from;
        /* A record is handed out right after the line that ends it was tracked, so xline/xcol
         * and eline/ecol are this record's. */
        if (r->nout && n > r->nheader)
            return err_set(err, r->name, (int)r->xline, (int)r->xcol,
                           "too many fields: %zu, the header has %zu (field %zu starts here)", n,
                           r->nheader, r->nheader + 1);
        if (r->nout && n < r->nheader)
            return err_set(err, r->name, (int)r->eline, (int)r->ecol,
                           "too few fields: %zu, the header has %zu (the record ends here)", n,
                           r->nheader);
        if (!r->nout) r->nheader = n;
        r->nout++;
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
