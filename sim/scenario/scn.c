/* scn — scenario YAML as a located node tree; see scn.h for the design. */
#include "scn.h"

#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdalign.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "distspec.h"
#include "units.h"
#include "xmalloc.h"

#define SCN_MAX_DEPTH   64      /* deeper nesting is refused (and would only be a mistake) */
#define SCN_ARENA_BLOCK 16384   /* bytes per arena block, unless one allocation needs more */
#define SCN_SET_FILE    "--set" /* the file of nodes created by scn_doc_set */
#define SCN_MAX_ARGS    8       /* parameters in a distribution spec */
/* Longest key (component names are keys), in characters: libyaml refuses an implicit key that
 * ends more than 1024 characters after it starts (YAML 1.1 §9.1.1 "simple keys"), so this is
 * the limit every scenario already has; it is checked for explicit keys ("? key") too. */
#define SCN_MAX_KEY  1024
#define SCN_LONG_KEY "archsim-long-key" /* placeholder for a too-long key (long_key_path) */

/* ---- arena ----------------------------------------------------------------------------------- */

struct arena_block {
    struct arena_block *next;
    size_t cap, used; /* bytes */
    max_align_t data[];
};

struct scn_doc {
    struct arena_block *blocks; /* every node, string and array of this doc */
    const char *name;           /* file name used in nodes and errors */
    const char *dir;            /* directory of the file, "." for memory docs */
    struct scn_node *root;
};

/* Zeroed, max_align_t-aligned memory owned by doc. */
static void *arena_alloc(struct scn_doc *doc, size_t size) {
    struct arena_block *b = doc->blocks;
    size_t align = alignof(max_align_t);
    void *p;

    size = (size + align - 1) / align * align;
    if (!b || b->cap - b->used < size) {
        size_t cap = size > SCN_ARENA_BLOCK ? size : SCN_ARENA_BLOCK;
        b = xmalloc(sizeof *b + cap);
        b->cap = cap;
        b->used = 0;
        b->next = doc->blocks;
        doc->blocks = b;
    }
    p = (char *)b->data + b->used;
    b->used += size;
    memset(p, 0, size);
    return p;
}

static char *arena_strndup(struct scn_doc *doc, const char *s, size_t n) {
    char *p = arena_alloc(doc, n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

static char *arena_strdup(struct scn_doc *doc, const char *s) {
    return arena_strndup(doc, s, strlen(s));
}

static char *arena_printf(struct scn_doc *doc, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static char *arena_printf(struct scn_doc *doc, const char *fmt, ...) {
    va_list ap;
    int n;
    char *p;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    p = arena_alloc(doc, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

/* "a.b" + "c" → "a.b.c"; "" + "c" → "c". */
static const char *path_key(struct scn_doc *doc, const char *parent, const char *key) {
    return *parent ? arena_printf(doc, "%s.%s", parent, key) : arena_strdup(doc, key);
}

/* ---- errors ---------------------------------------------------------------------------------- */

/* Error at (file, line, col) with message "<path>: <fmt...>" (no prefix for the root's ""). */
static int path_err(struct err *err, const char *file, int line, int col, const char *path,
                    const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static int path_err(struct err *err, const char *file, int line, int col, const char *path,
                    const char *fmt, ...) {
    char msg[256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return err_set(err, file, line, col, "%s%s%s", path, *path ? ": " : "", msg);
}

static int node_err(const struct scn_node *n, struct err *err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int node_err(const struct scn_node *n, struct err *err, const char *fmt, ...) {
    char msg[256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return path_err(err, n->file, n->line, n->col, n->path, "%s", msg);
}

/* "a map", "a list", "nothing" or "'text'" for messages ending in "got %s". */
static const char *describe(const struct scn_node *n, char *buf, size_t len) {
    if (n->type == SCN_MAP) return "a map";
    if (n->type == SCN_SEQ) return "a list";
    if (!n->value[0]) return "nothing";
    {
        /* at most 60 bytes shown, on one line (a block scalar's line breaks as \n) */
        char text[61];
        snprintf(buf, len, "'%s'", err_escape(text, sizeof text, n->value));
    }
    return buf;
}

/* The scalar text of n, or NULL after "<path>: expected <what>, got a map". */
static const char *scalar_or_err(const struct scn_node *n, const char *what, struct err *err) {
    char buf[80];

    if (n->type == SCN_SCALAR) return n->value;
    node_err(n, err, "expected %s, got %s", what, describe(n, buf, sizeof buf));
    return NULL;
}

/* ---- loading --------------------------------------------------------------------------------- */

struct loader {
    yaml_parser_t yp;
    struct scn_doc *doc;
    const char *text; /* the input, for locating tabs and long keys */
    size_t len;
    struct err *err;
    /* Finding the map a too-long key is in (long_key_path): the input is parsed again with the
     * key replaced by SCN_LONG_KEY; that parse (nested) records the path of the map where it
     * meets the key. */
    struct loader *parent; /* the loader that started this nested parse, or NULL */
    const char *found;     /* path of the map holding SCN_LONG_KEY (in doc's arena), or NULL */
};

/* A pair of a map being built; chained in the arena, turned into arrays at the map's end. */
struct pair {
    struct pair *next;
    const char *key;
    int line, col;
    struct scn_node *value;
};

static int mark_err(struct loader *ld, yaml_mark_t m, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int mark_err(struct loader *ld, yaml_mark_t m, const char *path, const char *fmt, ...) {
    char msg[256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return path_err(ld->err, ld->doc->name, (int)m.line + 1, (int)m.column + 1, path, "%s", msg);
}

/* Line and character column (1-based) of byte offset off in text. */
static void locate(const char *text, size_t off, int *line, int *col) {
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < off; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c == '\n') {
            ++*line;
            *col = 1;
        } else if ((c & 0xC0) != 0x80) {
            ++*col; /* count characters, not UTF-8 continuation bytes */
        }
    }
}

/* Refuse input libyaml would reject byte by byte with a less helpful message: invalid UTF-8 and
 * control characters (what a binary file is full of). Allowed: tab, LF, CR and the printable
 * set of YAML 1.1 (which excludes DEL, C1 controls, U+FFFE/U+FFFF). */
static int check_text(struct loader *ld) {
    const unsigned char *s = (const unsigned char *)ld->text;
    size_t i = 0, len = ld->len;
    int line, col;

    while (i < len) {
        unsigned c = s[i], cp, need, k;
        if (c < 0x80) {
            if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F) {
                locate(ld->text, i, &line, &col);
                return err_set(ld->err, ld->doc->name, line, col,
                               "not a text file: control byte 0x%02x (is this a binary file?)", c);
            }
            i++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF)
            need = 1, cp = c & 0x1F;
        else if (c >= 0xE0 && c <= 0xEF)
            need = 2, cp = c & 0x0F;
        else if (c >= 0xF0 && c <= 0xF4)
            need = 3, cp = c & 0x07;
        else
            goto bad;
        if (len - i <= need) goto bad;
        for (k = 1; k <= need; k++) {
            if ((s[i + k] & 0xC0) != 0x80) goto bad;
            cp = cp << 6 | (s[i + k] & 0x3F);
        }
        /* overlong forms, surrogates, beyond U+10FFFF, and what YAML calls non-printable */
        if ((need == 2 && cp < 0x800) || (need == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF) || (cp >= 0x80 && cp <= 0x9F && cp != 0x85) ||
            cp == 0xFFFE || cp == 0xFFFF)
            goto bad;
        i += need + 1;
    }
    return 0;
bad:
    locate(ld->text, i, &line, &col);
    return err_set(ld->err, ld->doc->name, line, col,
                   "not a text file: invalid UTF-8 byte 0x%02x (scenario files must be UTF-8 text)",
                   s[i]);
}

/* Characters (not bytes) in text[from, to). */
static size_t count_chars(const char *text, size_t from, size_t to) {
    size_t n = 0;

    for (size_t i = from; i < to; i++)
        n += ((unsigned char)text[i] & 0xC0) != 0x80;
    return n;
}

/* Byte offset in the input of a libyaml mark (its line and character column). */
static size_t mark_offset(const struct loader *ld, yaml_mark_t m) {
    size_t i = 0, line = 0, col = 0;

    while (i < ld->len && line < m.line)
        if (ld->text[i++] == '\n') line++;
    while (i < ld->len && ld->text[i] != '\n' && col < m.column) {
        i++;
        while (i < ld->len && ((unsigned char)ld->text[i] & 0xC0) == 0x80)
            i++;
        col++;
    }
    return i;
}

/* The error for a key of klen characters starting at byte off (its first character shown). */
static int long_key_err(struct loader *ld, const char *path, size_t off, size_t klen) {
    int line, col;
    size_t show = 0, shown = 0;

    locate(ld->text, off, &line, &col);
    /* the first 32 characters, cut on a character boundary */
    while (off + show < ld->len && shown < 32) {
        show++;
        while (off + show < ld->len && ((unsigned char)ld->text[off + show] & 0xC0) == 0x80)
            show++;
        shown++;
    }
    return path_err(ld->err, ld->doc->name, line, col, path,
                    "key '%.*s...' is %zu characters long (keys, component names included, are "
                    "limited to %d)",
                    (int)show, ld->text + off, klen, SCN_MAX_KEY);
}

/* libyaml's error for an implicit key longer than it allows is "could not find expected ':'",
 * "mapping values are not allowed in this context" or "did not find expected ',' or '}'", at
 * the ':' after the key. Recognise it: the problem is at a ':' and the key before it on the
 * line (from the indentation, a "- " or "? " indicator, or the last '{', '[' or ',' of a flow
 * collection) is longer than SCN_MAX_KEY characters. Returns 1 with the key's start and length
 * in characters, else 0. */
static int find_long_key(const struct loader *ld, yaml_mark_t m, size_t *start, size_t *kend,
                         size_t *klen) {
    size_t i = mark_offset(ld, m), line_start = i, end, s;
    const char *t = ld->text;

    while (line_start > 0 && t[line_start - 1] != '\n')
        line_start--;
    if (i >= ld->len || t[i] != ':') return 0;
    end = i;
    while (end > line_start && (t[end - 1] == ' ' || t[end - 1] == '\t'))
        end--;
    s = end;
    while (s > line_start && t[s - 1] != '{' && t[s - 1] != '[' && t[s - 1] != ',')
        s--;
    for (;;) {
        while (s < end && (t[s] == ' ' || t[s] == '\t'))
            s++;
        if (s + 1 < end && (t[s] == '-' || t[s] == '?') && (t[s + 1] == ' ' || t[s + 1] == '\t'))
            s += 2;
        else
            break;
    }
    if (s < end && (t[s] == '"' || t[s] == '\'') && t[end - 1] == t[s] && end - s >= 2) {
        s++;
        end--;
    }
    *start = s;
    *kend = end;
    *klen = count_chars(t, s, end);
    return *klen > SCN_MAX_KEY;
}

static struct scn_doc *parse_doc(const char *text, size_t len, const char *name, const char *dir,
                                 struct loader *parent, struct err *err);

/* The key path of the map holding the key at text[start, end), or "" when it cannot be told:
 * libyaml stops at the key, and how far it had got in its events depends on its lookahead, so
 * the input is parsed again with the key replaced by a short placeholder, and that parse says
 * where it met it. Only on this error path; never nested. The path is owned by ld's doc. */
static const char *long_key_path(struct loader *ld, size_t start, size_t end) {
    size_t ml = strlen(SCN_LONG_KEY), n = ld->len - (end - start) + ml;
    char *t;
    struct err e;
    struct scn_doc *d;
    const char *path;

    if (ld->parent) return "";
    t = xmalloc(n);
    memcpy(t, ld->text, start);
    memcpy(t + start, SCN_LONG_KEY, ml);
    memcpy(t + start + ml, ld->text + end, ld->len - end);
    ld->found = NULL;
    d = parse_doc(t, n, ld->doc->name, ".", ld, &e);
    path = ld->found ? ld->found : "";
    scn_doc_free(d);
    free(t);
    return path;
}

/* Turn a libyaml failure into an error. A tab in the indentation of the line libyaml stopped
 * on gets its own message: libyaml's ("found character that cannot start any token") does not
 * say what is wrong; so does a key longer than libyaml allows (find_long_key). */
static int yaml_err(struct loader *ld) {
    yaml_parser_t *yp = &ld->yp;
    size_t line = yp->problem_mark.line, i = 0, cur = 0, kstart, kend, klen;
    int col = 1;

    if (yp->error == YAML_MEMORY_ERROR) {
        fprintf(stderr, "archsim: out of memory in the YAML parser\n");
        abort();
    }
    if (find_long_key(ld, yp->problem_mark, &kstart, &kend, &klen))
        return long_key_err(ld, long_key_path(ld, kstart, kend), kstart, klen);
    if (yp->error == YAML_READER_ERROR) {
        int l, c;
        locate(ld->text, yp->problem_offset < ld->len ? yp->problem_offset : ld->len, &l, &c);
        return err_set(ld->err, ld->doc->name, l, c, "not a text file: %s", yp->problem);
    }
    while (i < ld->len && cur < line)
        if (ld->text[i++] == '\n') cur++;
    for (; i < ld->len && (ld->text[i] == ' ' || ld->text[i] == '\t'); i++, col++)
        if (ld->text[i] == '\t')
            return err_set(ld->err, ld->doc->name, (int)line + 1, col,
                           "tab character in indentation (YAML indents with spaces only)");
    if (yp->context)
        return err_set(ld->err, ld->doc->name, (int)line + 1, (int)yp->problem_mark.column + 1,
                       "YAML syntax error: %s (%s started at line %zu)", yp->problem, yp->context,
                       yp->context_mark.line + 1);
    return err_set(ld->err, ld->doc->name, (int)line + 1, (int)yp->problem_mark.column + 1,
                   "YAML syntax error: %s", yp->problem ? yp->problem : "unknown problem");
}

static int next_event(struct loader *ld, yaml_event_t *ev) {
    if (!yaml_parser_parse(&ld->yp, ev)) return yaml_err(ld);
    return 0;
}

/* "!!str" for libyaml's resolved "tag:yaml.org,2002:str"; other tags as written. */
static const char *tag_text(const yaml_char_t *tag, char *buf, size_t n) {
    static const char prefix[] = "tag:yaml.org,2002:";
    const char *t = (const char *)tag;

    if (strncmp(t, prefix, sizeof prefix - 1) == 0)
        snprintf(buf, n, "!!%s", t + sizeof prefix - 1);
    else
        snprintf(buf, n, "%s", t);
    return buf;
}

/* Refuse anchors, aliases and tags on the event that starts a node. */
static int check_plain_event(struct loader *ld, const yaml_event_t *ev, const char *path) {
    const yaml_char_t *anchor = NULL, *tag = NULL;

    switch (ev->type) {
        case YAML_ALIAS_EVENT:
            return mark_err(ld, ev->start_mark, path,
                            "aliases (*%s) are not supported; write the value out",
                            (const char *)ev->data.alias.anchor);
        case YAML_SCALAR_EVENT:
            anchor = ev->data.scalar.anchor;
            tag = ev->data.scalar.tag;
            break;
        case YAML_SEQUENCE_START_EVENT:
            anchor = ev->data.sequence_start.anchor;
            tag = ev->data.sequence_start.tag;
            break;
        case YAML_MAPPING_START_EVENT:
            anchor = ev->data.mapping_start.anchor;
            tag = ev->data.mapping_start.tag;
            break;
        default:
            break;
    }
    if (anchor)
        return mark_err(ld, ev->start_mark, path,
                        "anchors (&%s) are not supported; write the value out",
                        (const char *)anchor);
    if (tag) {
        char buf[64];
        return mark_err(ld, ev->start_mark, path, "tags (%s) are not supported",
                        tag_text(tag, buf, sizeof buf));
    }
    return 0;
}

static struct scn_node *new_node(struct loader *ld, enum scn_type type, yaml_mark_t m,
                                 const char *path) {
    struct scn_node *n = arena_alloc(ld->doc, sizeof *n);
    n->type = type;
    n->file = ld->doc->name;
    n->line = (int)m.line + 1;
    n->col = (int)m.column + 1;
    n->path = path;
    return n;
}

static struct scn_node *load_node(struct loader *ld, yaml_event_t *ev, const char *path, int depth);

/* The pairs of a map whose MAPPING_START was ev (already consumed). */
static int load_map(struct loader *ld, struct scn_node *map, int depth) {
    struct pair *head = NULL, **tail = &head;
    size_t n = 0, i;

    for (;;) {
        yaml_event_t kev, vev;
        struct pair *pr;
        const char *key;

        if (next_event(ld, &kev) < 0) return -1;
        if (kev.type == YAML_MAPPING_END_EVENT) {
            yaml_event_delete(&kev);
            break;
        }
        if (check_plain_event(ld, &kev, map->path) < 0) goto fail_key;
        if (kev.type != YAML_SCALAR_EVENT) {
            mark_err(ld, kev.start_mark, map->path, "keys must be plain names, not a %s",
                     kev.type == YAML_MAPPING_START_EVENT ? "map" : "list");
            goto fail_key;
        }
        key = (const char *)kev.data.scalar.value;
        if (ld->parent && !ld->parent->found && strcmp(key, SCN_LONG_KEY) == 0)
            ld->parent->found = arena_strdup(ld->parent->doc, map->path);
        if (count_chars(key, 0, strlen(key)) > SCN_MAX_KEY) {
            /* an explicit key ("? key"): libyaml has no limit there, we keep the same one */
            long_key_err(ld, map->path, mark_offset(ld, kev.start_mark),
                         count_chars(key, 0, strlen(key)));
            goto fail_key;
        }
        for (pr = head; pr; pr = pr->next)
            if (strcmp(pr->key, key) == 0) {
                mark_err(ld, kev.start_mark, map->path, "duplicate key '%s' (first at line %d)",
                         key, pr->line);
                goto fail_key;
            }
        pr = arena_alloc(ld->doc, sizeof *pr);
        pr->key = arena_strdup(ld->doc, key);
        pr->line = (int)kev.start_mark.line + 1;
        pr->col = (int)kev.start_mark.column + 1;
        yaml_event_delete(&kev);
        if (next_event(ld, &vev) < 0) return -1;
        pr->value = load_node(ld, &vev, path_key(ld->doc, map->path, pr->key), depth + 1);
        if (!pr->value) return -1;
        *tail = pr;
        tail = &pr->next;
        n++;
        continue;
    fail_key:
        yaml_event_delete(&kev);
        return -1;
    }
    map->n = n;
    map->keys = arena_alloc(ld->doc, n * sizeof *map->keys);
    map->key_line = arena_alloc(ld->doc, n * sizeof *map->key_line);
    map->key_col = arena_alloc(ld->doc, n * sizeof *map->key_col);
    map->key_file = arena_alloc(ld->doc, n * sizeof *map->key_file);
    map->items = arena_alloc(ld->doc, n * sizeof *map->items);
    for (i = 0; head; head = head->next, i++) {
        map->keys[i] = head->key;
        map->key_line[i] = head->line;
        map->key_col[i] = head->col;
        map->key_file[i] = ld->doc->name;
        map->items[i] = head->value;
    }
    return 0;
}

/* The items of a list whose SEQUENCE_START was already consumed. */
static int load_seq(struct loader *ld, struct scn_node *seq, int depth) {
    struct pair *head = NULL, **tail = &head;
    size_t n = 0, i;

    for (;;) {
        yaml_event_t ev;
        struct pair *pr;

        if (next_event(ld, &ev) < 0) return -1;
        if (ev.type == YAML_SEQUENCE_END_EVENT) {
            yaml_event_delete(&ev);
            break;
        }
        pr = arena_alloc(ld->doc, sizeof *pr);
        pr->value = load_node(ld, &ev, arena_printf(ld->doc, "%s[%zu]", seq->path, n), depth + 1);
        if (!pr->value) return -1;
        *tail = pr;
        tail = &pr->next;
        n++;
    }
    seq->n = n;
    seq->items = arena_alloc(ld->doc, n * sizeof *seq->items);
    for (i = 0; head; head = head->next, i++)
        seq->items[i] = head->value;
    return 0;
}

/* Build the node that starts with *ev (this function deletes ev). NULL on error. */
static struct scn_node *load_node(struct loader *ld, yaml_event_t *ev, const char *path,
                                  int depth) {
    struct scn_node *n = NULL;

    if (check_plain_event(ld, ev, path) < 0) goto out;
    if (depth > SCN_MAX_DEPTH) {
        mark_err(ld, ev->start_mark, path, "nested deeper than %d levels", SCN_MAX_DEPTH);
        goto out;
    }
    switch (ev->type) {
        case YAML_SCALAR_EVENT:
            n = new_node(ld, SCN_SCALAR, ev->start_mark, path);
            n->value = arena_strndup(ld->doc, (const char *)ev->data.scalar.value,
                                     strlen((const char *)ev->data.scalar.value));
            n->quoted = ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
            break;
        case YAML_MAPPING_START_EVENT:
            n = new_node(ld, SCN_MAP, ev->start_mark, path);
            if (load_map(ld, n, depth) < 0) n = NULL;
            break;
        case YAML_SEQUENCE_START_EVENT:
            n = new_node(ld, SCN_SEQ, ev->start_mark, path);
            if (load_seq(ld, n, depth) < 0) n = NULL;
            break;
        default:
            mark_err(ld, ev->start_mark, path, "unexpected YAML event");
            break;
    }
out:
    yaml_event_delete(ev);
    return n;
}

/* Drive the event stream: one document whose top level is a map. */
static int load_stream(struct loader *ld) {
    yaml_event_t ev;
    struct scn_node *root;

    if (next_event(ld, &ev) < 0) return -1; /* STREAM_START */
    yaml_event_delete(&ev);
    if (next_event(ld, &ev) < 0) return -1;
    if (ev.type == YAML_STREAM_END_EVENT) {
        yaml_event_delete(&ev);
        return err_set(ld->err, ld->doc->name, 1, 1,
                       "empty scenario file (expected name, duration, workload, components)");
    }
    yaml_event_delete(&ev); /* DOCUMENT_START */
    if (next_event(ld, &ev) < 0) return -1;
    root = load_node(ld, &ev, "", 0);
    if (!root) return -1;
    if (root->type == SCN_SCALAR && !root->quoted && !root->value[0])
        return err_set(ld->err, ld->doc->name, 1, 1,
                       "empty scenario file (expected name, duration, workload, components)");
    if (root->type != SCN_MAP)
        return err_set(ld->err, root->file, root->line, root->col,
                       "the top level must be a map of keys (such as 'workload:'), got %s",
                       root->type == SCN_SEQ ? "a list" : "a single value");
    if (next_event(ld, &ev) < 0) return -1; /* DOCUMENT_END */
    yaml_event_delete(&ev);
    if (next_event(ld, &ev) < 0) return -1;
    if (ev.type != YAML_STREAM_END_EVENT) {
        mark_err(ld, ev.start_mark, "",
                 "a second YAML document starts here; one scenario file "
                 "holds one document");
        yaml_event_delete(&ev);
        return -1;
    }
    yaml_event_delete(&ev);
    ld->doc->root = root;
    return 0;
}

/* Parse text into a new doc; parent is the loader of a long_key_path parse, else NULL. */
static struct scn_doc *parse_doc(const char *text, size_t len, const char *name, const char *dir,
                                 struct loader *parent, struct err *err) {
    struct scn_doc *doc = xcalloc(1, sizeof *doc);
    struct loader ld;
    int rc;

    doc->name = arena_strdup(doc, name);
    doc->dir = arena_strdup(doc, dir);
    memset(&ld, 0, sizeof ld);
    ld.doc = doc;
    ld.text = text;
    ld.len = len;
    ld.err = err;
    ld.parent = parent;
    if (check_text(&ld) < 0) goto fail;
    if (!yaml_parser_initialize(&ld.yp)) {
        fprintf(stderr, "archsim: out of memory in the YAML parser\n");
        abort();
    }
    yaml_parser_set_input_string(&ld.yp, (const unsigned char *)text, len);
    rc = load_stream(&ld);
    yaml_parser_delete(&ld.yp);
    if (rc < 0) goto fail;
    return doc;
fail:
    scn_doc_free(doc);
    return NULL;
}

struct scn_doc *scn_doc_parse(const char *text, size_t len, const char *name, struct err *err) {
    return parse_doc(text, len, name, ".", NULL, err);
}

struct scn_doc *scn_doc_load(const char *path, struct err *err) {
    FILE *f = fopen(path, "rb");
    char *buf = NULL, dir[4096];
    size_t len = 0, cap = 0, got;
    const char *slash;
    struct scn_doc *doc;

    if (!f) return err_set(err, path, 0, 0, "cannot read scenario: %s", strerror(errno)), NULL;
    do {
        if (cap - len < 4096) {
            cap = cap ? cap * 2 : 8192;
            buf = xrealloc(buf, cap);
        }
        got = fread(buf + len, 1, cap - len, f);
        len += got;
    } while (got > 0);
    if (ferror(f)) {
        int e = errno;
        fclose(f);
        free(buf);
        return err_set(err, path, 0, 0, "cannot read scenario: %s", strerror(e)), NULL;
    }
    fclose(f);
    slash = strrchr(path, '/');
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else if (slash == path)
        snprintf(dir, sizeof dir, "/");
    else
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    doc = parse_doc(buf, len, path, dir, NULL, err);
    free(buf);
    return doc;
}

void scn_doc_free(struct scn_doc *doc) {
    if (!doc) return;
    while (doc->blocks) {
        struct arena_block *b = doc->blocks;
        doc->blocks = b->next;
        free(b);
    }
    free(doc);
}

struct scn_node *scn_doc_root(const struct scn_doc *doc) {
    return doc->root;
}

const char *scn_doc_dir(const struct scn_doc *doc) {
    return doc->dir;
}

/* ---- suggestions ----------------------------------------------------------------------------- */

#define SCN_SUGGEST_MAX 64 /* longer words get no edit-distance suggestion */

static int tolower_ascii(int c) {
    return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* Optimal string alignment distance (Damerau–Levenshtein without repeated edits of one
 * substring), case-insensitive; SCN_SUGGEST_MAX when either word is too long. */
static int osa_distance(const char *a, const char *b) {
    int rows[3][SCN_SUGGEST_MAX + 1];
    size_t la = strlen(a), lb = strlen(b), i, j;
    int *prev2 = rows[0], *prev = rows[1], *cur = rows[2];

    if (la >= SCN_SUGGEST_MAX || lb >= SCN_SUGGEST_MAX) return SCN_SUGGEST_MAX;
    for (j = 0; j <= lb; j++)
        prev[j] = (int)j;
    for (i = 1; i <= la; i++) {
        cur[0] = (int)i;
        for (j = 1; j <= lb; j++) {
            int ca = tolower_ascii(a[i - 1]), cb = tolower_ascii(b[j - 1]);
            int cost = ca != cb, v = prev[j] + 1;
            if (cur[j - 1] + 1 < v) v = cur[j - 1] + 1;
            if (prev[j - 1] + cost < v) v = prev[j - 1] + cost;
            if (i > 1 && j > 1 && ca == tolower_ascii(b[j - 2]) && tolower_ascii(a[i - 2]) == cb &&
                prev2[j - 2] + 1 < v)
                v = prev2[j - 2] + 1;
            cur[j] = v;
        }
        {
            int *t = prev2;
            prev2 = prev;
            prev = cur;
            cur = t;
        }
    }
    return prev[lb];
}

/* scn_suggest over n candidates (n == SIZE_MAX: up to the NULL terminator). */
static const char *suggest_n(const char *word, const char *const *cands, size_t n) {
    size_t wl = strlen(word), i;
    const char *best = NULL;
    int bestd = 3;

    for (i = 0; i < n && cands[i]; i++) {
        int d = osa_distance(word, cands[i]);
        if (d <= 2 && (size_t)d < wl && d < bestd) {
            best = cands[i];
            bestd = d;
        }
    }
    if (best || wl < 3) return best;
    for (i = 0; i < n && cands[i]; i++) {
        size_t cl = strlen(cands[i]);
        if (cl > wl && strncasecmp(cands[i], word, wl) == 0) return cands[i];
        if (cl >= 3 && cl < wl && strncasecmp(word, cands[i], cl) == 0) return cands[i];
    }
    return NULL;
}

const char *scn_suggest(const char *word, const char *const *candidates) {
    return suggest_n(word, candidates, SIZE_MAX);
}

/* " (did you mean 'x'?)" or "". */
static const char *did_you_mean(const char *s, char *buf, size_t n) {
    if (!s) return "";
    snprintf(buf, n, " (did you mean '%s'?)", s);
    return buf;
}

/* ---- --set ----------------------------------------------------------------------------------- */

static const char *type_name(enum scn_type t) {
    return t == SCN_MAP ? "a map" : t == SCN_SEQ ? "a list" : "a single value";
}

/* Why --set creates no map, list or list entry: the value alone would not make a valid one (a
 * failure needs its action, target and time; a list entry all of its keys), so a created node
 * could only fail later, further from the mistake, and indexes past the end would need rules
 * of their own (what fills failures[0] when failures[3] is set?). Changing what the file has,
 * and adding one key to a map the file has, covers what the flag is for: trying variants. */
#define SCN_SET_NO_CREATE "it changes existing values and adds keys to existing maps"

/* "failures[0]: the scenario has no 'failures' list, and --set cannot create one (...)": the key
 * (absent from path's map) is followed by the index at rest. */
static int missing_list_err(struct scn_doc *doc, struct err *err, int col, const char *path,
                            const char *key, const char *rest) {
    const char *full = path_key(doc, path, key);
    size_t n = strspn(rest + 1, "0123456789");

    if (rest[1 + n] == ']') full = arena_printf(doc, "%s%.*s", full, (int)n + 2, rest);
    return path_err(err, SCN_SET_FILE, 1, col, full,
                    "the scenario has no '%s' list, and --set cannot create one (%s)", key,
                    SCN_SET_NO_CREATE);
}

/* "<path>[5]: the list has 2 entries ([0] to [1]); --set cannot add entries". */
static int missing_item_err(struct scn_doc *doc, struct err *err, int col, const char *path,
                            size_t idx, size_t n) {
    const char *full = arena_printf(doc, "%s[%zu]", path, idx);

    if (n == 0)
        return path_err(err, SCN_SET_FILE, 1, col, full,
                        "the list is empty; --set cannot add entries");
    if (n == 1)
        return path_err(err, SCN_SET_FILE, 1, col, full,
                        "the list has 1 entry ([0]); --set cannot add entries");
    return path_err(err, SCN_SET_FILE, 1, col, full,
                    "the list has %zu entries ([0] to [%zu]); --set cannot add entries", n, n - 1);
}

int scn_doc_set(struct scn_doc *doc, const char *a, struct err *err) {
    const char *eq = strchr(a, '='), *p = a;
    struct scn_node *cur = doc->root;
    const char *path = ""; /* built in the arena (a failed --set leaves only that memory) */
    char hint[96];
    int valcol;

    if (!eq || eq == a)
        return err_set(err, SCN_SET_FILE, 1, 1,
                       "expected PATH=VALUE (e.g. components.api.workers=4), got '%s'", a);
    valcol = (int)(eq - a) + 2;
    for (;;) {
        int col = (int)(p - a) + 1, last, is_index = 0;
        char key[SCN_MAX_KEY * 4 + 1]; /* UTF-8: at most 4 bytes a character */
        size_t idx = 0;
        struct scn_node *child = NULL;

        if (*p == '[') {
            const char *q = p + 1;
            if (!(*q >= '0' && *q <= '9'))
                return err_set(err, SCN_SET_FILE, 1, col, "expected a list index such as [0]");
            for (; *q >= '0' && *q <= '9'; q++) {
                if (idx > 100000000) return err_set(err, SCN_SET_FILE, 1, col, "index too large");
                idx = idx * 10 + (size_t)(*q - '0');
            }
            if (*q != ']')
                return err_set(err, SCN_SET_FILE, 1, col, "expected a list index such as [0]");
            p = q + 1;
            is_index = 1;
        } else {
            const char *q = p;
            while (q < eq && *q != '.' && *q != '[')
                q++;
            if (q == p)
                return err_set(err, SCN_SET_FILE, 1, col, "empty key in path '%.*s'", (int)(eq - a),
                               a);
            if ((size_t)(q - p) >= sizeof key || count_chars(p, 0, (size_t)(q - p)) > SCN_MAX_KEY)
                return err_set(err, SCN_SET_FILE, 1, col,
                               "key '%.32s...' is longer than %d characters (the limit for keys)",
                               p, SCN_MAX_KEY);
            memcpy(key, p, (size_t)(q - p));
            key[q - p] = '\0';
            p = q;
        }
        if (p != eq && *p != '.' && *p != '[')
            return err_set(err, SCN_SET_FILE, 1, (int)(p - a) + 1,
                           "expected '.', '[' or '=' after the index");
        last = p == eq;
        if (*p == '.') p++;

        if (is_index) {
            if (cur->type != SCN_SEQ)
                return path_err(err, SCN_SET_FILE, 1, col, path,
                                "is %s, not a list; cannot take [%zu]", type_name(cur->type), idx);
            if (idx >= cur->n) return missing_item_err(doc, err, col, path, idx, cur->n);
            child = cur->items[idx];
            path = arena_printf(doc, "%s[%zu]", path, idx);
        } else {
            if (cur->type != SCN_MAP)
                return path_err(err, SCN_SET_FILE, 1, col, path,
                                "is %s, not a map; cannot look up '%s'", type_name(cur->type), key);
            child = scn_map_get(cur, key);
            if (!child && !last) {
                const char *sug = suggest_n(key, cur->keys, cur->n);
                /* an index after it: a list the scenario lacks ("failures[0]"), unless the key
                 * is a near miss of one that is there (a typo) */
                if (*p == '[' && !sug) return missing_list_err(doc, err, col, path, key, p);
                if (sug)
                    return path_err(err, SCN_SET_FILE, 1, col, path, "unknown key '%s'%s", key,
                                    did_you_mean(sug, hint, sizeof hint));
                /* a map the scenario lacks ("autoscale.max"): whether the key is valid there is
                 * the component's to say, once the map exists */
                return path_err(err, SCN_SET_FILE, 1, col, path,
                                "no '%s' map in the scenario, and --set cannot create one (it "
                                "changes existing values and adds keys to existing maps); add "
                                "'%s:' to the file",
                                key, key);
            }
            path = path_key(doc, path, key);
        }
        if (!last) {
            cur = child;
            continue;
        }
        if (child && child->type != SCN_SCALAR)
            return path_err(err, SCN_SET_FILE, 1, col, path,
                            "is %s; --set replaces single values only", type_name(child->type));
        if (!child) {
            /* add the key to cur: arrays live in the arena, so grow by copying */
            size_t n = cur->n;
            const char **keys = arena_alloc(doc, (n + 1) * sizeof *keys);
            const char **kfile = arena_alloc(doc, (n + 1) * sizeof *kfile);
            int *kline = arena_alloc(doc, (n + 1) * sizeof *kline);
            int *kcol = arena_alloc(doc, (n + 1) * sizeof *kcol);
            struct scn_node **items = arena_alloc(doc, (n + 1) * sizeof *items);

            if (n) {
                memcpy(keys, cur->keys, n * sizeof *keys);
                memcpy(kfile, cur->key_file, n * sizeof *kfile);
                memcpy(kline, cur->key_line, n * sizeof *kline);
                memcpy(kcol, cur->key_col, n * sizeof *kcol);
                memcpy(items, cur->items, n * sizeof *items);
            }
            keys[n] = arena_strdup(doc, key);
            kfile[n] = SCN_SET_FILE;
            kline[n] = 1;
            kcol[n] = col;
            child = items[n] = arena_alloc(doc, sizeof *child);
            child->type = SCN_SCALAR;
            child->path = path;
            cur->keys = keys;
            cur->key_file = kfile;
            cur->key_line = kline;
            cur->key_col = kcol;
            cur->items = items;
            cur->n = n + 1;
        }
        child->value = arena_strdup(doc, eq + 1);
        child->quoted = 0;
        child->file = SCN_SET_FILE;
        child->line = 1;
        child->col = valcol;
        return 0;
    }
}

/* ---- maps and types -------------------------------------------------------------------------- */

struct scn_node *scn_map_get(const struct scn_node *map, const char *key) {
    if (!map || map->type != SCN_MAP) return NULL;
    for (size_t i = 0; i < map->n; i++)
        if (strcmp(map->keys[i], key) == 0) return map->items[i];
    return NULL;
}

int scn_expect(const struct scn_node *n, enum scn_type type, struct err *err) {
    char buf[80];

    if (n->type == type) return 0;
    return node_err(n, err, "expected %s, got %s",
                    type == SCN_MAP   ? "a map"
                    : type == SCN_SEQ ? "a list"
                                      : "a single value",
                    describe(n, buf, sizeof buf));
}

int scn_check_keys(const struct scn_node *map, const char *const *allowed, struct err *err) {
    char hint[96];

    if (scn_expect(map, SCN_MAP, err) < 0) return -1;
    for (size_t i = 0; i < map->n; i++) {
        size_t j;
        for (j = 0; allowed[j]; j++)
            if (strcmp(map->keys[i], allowed[j]) == 0) break;
        if (allowed[j]) continue;
        return path_err(err, map->key_file[i], map->key_line[i], map->key_col[i], map->path,
                        "unknown key '%s'%s", map->keys[i],
                        did_you_mean(scn_suggest(map->keys[i], allowed), hint, sizeof hint));
    }
    return 0;
}

/* Copy s into buf (size n) dropping '_' between two digits ("1_000"); -1 if it does not fit. */
static int strip_underscores(const char *s, char *buf, size_t n) {
    size_t j = 0;

    for (size_t i = 0; s[i]; i++) {
        if (s[i] == '_' && i > 0 && s[i - 1] >= '0' && s[i - 1] <= '9' && s[i + 1] >= '0' &&
            s[i + 1] <= '9')
            continue;
        if (j + 1 >= n) return -1;
        buf[j++] = s[i];
    }
    buf[j] = '\0';
    return 0;
}

/* The whole of s as a decimal number: -?(d+[.d*]|.d+)([eE][+-]?d+)?. */
static int strict_double(const char *s, double *out) {
    const char *p = s;
    int digits = 0;
    char buf[64];

    if (strip_underscores(s, buf, sizeof buf) < 0) return -1;
    p = buf;
    if (*p == '-') p++;
    while (*p >= '0' && *p <= '9')
        p++, digits++;
    if (*p == '.') {
        p++;
        while (*p >= '0' && *p <= '9')
            p++, digits++;
    }
    if (!digits) return -1;
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-') p++;
        if (!(*p >= '0' && *p <= '9')) return -1;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    if (*p) return -1;
    *out = strtod(buf, NULL);
    return isfinite(*out) ? 0 : -1;
}

/* How a text reads as a whole number (strict_whole). */
enum whole {
    WHOLE_OK,       /* a whole number that fits a long long: *out is set */
    WHOLE_NAN,      /* not a number */
    WHOLE_FRACTION, /* a number that is not whole ("1.5", "1e-3") */
    WHOLE_BIG,      /* a whole number above LLONG_MAX */
    WHOLE_SMALL     /* a whole number below LLONG_MIN */
};

#define SCN_MAX_EXP 100000 /* exponents beyond this are clamped (the result is the same) */

/* The whole of s as a whole number: "42", "-7", "1_000", "1e6", "2.0", "1.5e3", "1e18". Read
 * exactly: the exponent moves the decimal point in the digits, so "1e18" is 10^18 and
 * "1000000000000000001" stays itself (reading through a double would round above 2^53). */
static enum whole strict_whole(const char *s, long long *out) {
    char buf[64], digits[64];
    const char *p;
    size_t nd = 0, seen = 0; /* significant digits kept in digits; digits read */
    long point = 0, exp = 0; /* the value is 0.<digits> x 10^(point + exp) */
    int neg = 0, eneg = 0;
    uint64_t v = 0;

    if (strip_underscores(s, buf, sizeof buf) < 0) return WHOLE_NAN;
    p = buf;
    if (*p == '-') neg = 1, p++;
    for (; *p >= '0' && *p <= '9'; p++, seen++) {
        if (nd == 0 && *p == '0') continue; /* leading zeros */
        digits[nd++] = *p;
        point++;
    }
    if (*p == '.')
        for (p++; *p >= '0' && *p <= '9'; p++, seen++) {
            if (nd == 0 && *p == '0') {
                point--; /* 0.00x */
                continue;
            }
            digits[nd++] = *p;
        }
    if (!seen) return WHOLE_NAN;
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-') eneg = *p++ == '-';
        if (!(*p >= '0' && *p <= '9')) return WHOLE_NAN;
        for (; *p >= '0' && *p <= '9'; p++)
            if (exp < SCN_MAX_EXP) exp = exp * 10 + (*p - '0');
        if (eneg) exp = -exp;
    }
    if (*p) return WHOLE_NAN;
    while (nd > 0 && digits[nd - 1] == '0')
        nd--;
    if (nd == 0) return *out = 0, WHOLE_OK;
    point += exp;
    if ((long)nd > point) return WHOLE_FRACTION;
    if (point > 19) return neg ? WHOLE_SMALL : WHOLE_BIG;
    /* at most 19 digits: below 10^19 < 2^64, no overflow */
    for (long i = 0; i < point; i++)
        v = v * 10 + (uint64_t)(i < (long)nd ? digits[i] - '0' : 0);
    if (!neg && v > (uint64_t)LLONG_MAX) return WHOLE_BIG;
    if (neg && v > (uint64_t)LLONG_MAX + 1) return WHOLE_SMALL;
    *out = neg ? (v == (uint64_t)LLONG_MAX + 1 ? LLONG_MIN : -(long long)v) : (long long)v;
    return WHOLE_OK;
}

/* v as a message shows a limit: a large power of ten or two as "10^18", "2^53", one below a
 * power of two as "2^63 - 1", else in digits. Returns buf. */
static const char *limit_text(long long v, char *buf, size_t n) {
    unsigned long long u = (unsigned long long)v;
    int k = 0;

    if (v >= 10000000000LL) {
        unsigned long long t = u;
        while (t % 10 == 0)
            t /= 10, k++;
        if (t == 1) return snprintf(buf, n, "10^%d", k), buf;
    }
    k = 0;
    if (v >= 4294967296LL && (u & (u - 1)) == 0) {
        while ((u >> k) != 1)
            k++;
        return snprintf(buf, n, "2^%d", k), buf;
    }
    if (v >= 4294967295LL && ((u + 1) & u) == 0) {
        while ((u >> k) != 0)
            k++;
        return snprintf(buf, n, "2^%d - 1", k), buf;
    }
    snprintf(buf, n, "%lld", v);
    return buf;
}

static const char *int_range(long long min, long long max, char *buf, size_t n) {
    char lo[32], hi[32];

    if (min == LLONG_MIN && max == LLONG_MAX)
        buf[0] = '\0';
    else if (max == LLONG_MAX)
        snprintf(buf, n, " >= %s", limit_text(min, lo, sizeof lo));
    else if (min == LLONG_MIN)
        snprintf(buf, n, " <= %s", limit_text(max, hi, sizeof hi));
    else
        snprintf(buf, n, " in [%s, %s]", limit_text(min, lo, sizeof lo),
                 limit_text(max, hi, sizeof hi));
    return buf;
}

static const char *double_range(double min, double max, char *buf, size_t n) {
    if (isinf(min) && isinf(max))
        buf[0] = '\0';
    else if (isinf(max))
        snprintf(buf, n, " >= %g", min);
    else if (isinf(min))
        snprintf(buf, n, " <= %g", max);
    else
        snprintf(buf, n, " in [%g, %g]", min, max);
    return buf;
}

int scn_as_string(const struct scn_node *n, const char **out, struct err *err) {
    const char *s = scalar_or_err(n, "a string", err);

    if (!s) return -1;
    if (!s[0] && !n->quoted) return node_err(n, err, "expected a string, got nothing");
    *out = s;
    return 0;
}

int scn_as_int(const struct scn_node *n, long long min, long long max, long long *out,
               struct err *err) {
    char what[96], range[72], got[80];
    const char *s;
    long long v;
    enum whole w;

    snprintf(what, sizeof what, "a whole number%s", int_range(min, max, range, sizeof range));
    if (!(s = scalar_or_err(n, what, err))) return -1;
    w = strict_whole(s, &v);
    if (w == WHOLE_OK && v >= min && v <= max) return *out = v, 0;
    /* Above the maximum, say so: the range alone reads badly with big limits ("1e19" against
     * [1, 10^18]), and a number that is simply too large is not "not a whole number". */
    if ((w == WHOLE_OK && v > max) || w == WHOLE_BIG) {
        char lim[32];
        return node_err(n, err, "%s is more than the maximum %s", s,
                        limit_text(max, lim, sizeof lim));
    }
    return node_err(n, err, "expected %s, got %s", what, describe(n, got, sizeof got));
}

int scn_as_double(const struct scn_node *n, double min, double max, double *out, struct err *err) {
    char what[96], range[72], got[80];
    const char *s;
    double v;

    snprintf(what, sizeof what, "a number%s", double_range(min, max, range, sizeof range));
    if (!(s = scalar_or_err(n, what, err))) return -1;
    if (strict_double(s, &v) < 0 || v < min || v > max)
        return node_err(n, err, "expected %s, got %s", what, describe(n, got, sizeof got));
    *out = v;
    return 0;
}

int scn_as_bool(const struct scn_node *n, int *out, struct err *err) {
    static const char *const yes[] = {"true", "yes", "on"}, *const no[] = {"false", "no", "off"};
    const char *what = "true or false (or yes/no, on/off)", *s;
    char got[80];

    if (!(s = scalar_or_err(n, what, err))) return -1;
    for (size_t i = 0; i < 3; i++) {
        if (strcasecmp(s, yes[i]) == 0) return *out = 1, 0;
        if (strcasecmp(s, no[i]) == 0) return *out = 0, 0;
    }
    return node_err(n, err, "expected %s, got %s", what, describe(n, got, sizeof got));
}

/* Error for a units_parse_* failure: a bare number says what was expected, anything else
 * "invalid <noun> '<text>': <why>". */
static int unit_err(const struct scn_node *n, const char *what, const char *noun, const char *why,
                    struct err *err) {
    char got[80];

    if (strncmp(why, "missing unit", 12) == 0)
        return node_err(n, err, "expected %s, got %s", what, describe(n, got, sizeof got));
    return node_err(n, err, "invalid %s %s: %s", noun, describe(n, got, sizeof got), why);
}

#define SCN_WHAT_DURATION "a duration with a unit (e.g. 5ms)"
#define SCN_WHAT_RATE     "a rate with a unit (e.g. 2000/s)"
#define SCN_WHAT_SIZE     "a size with a unit (e.g. 64KiB)"
#define SCN_WHAT_FRACTION "a fraction (e.g. 10% or 0.1)"

int scn_as_duration(const struct scn_node *n, int64_t *ns, struct err *err) {
    char why[128];
    const char *s;

    if (!(s = scalar_or_err(n, SCN_WHAT_DURATION, err))) return -1;
    if (units_parse_duration(s, ns, why, sizeof why) < 0)
        return unit_err(n, SCN_WHAT_DURATION, "duration", why, err);
    return 0;
}

int scn_as_positive_duration(const struct scn_node *n, int64_t *ns, struct err *err) {
    int64_t v;

    if (scn_as_duration(n, &v, err) < 0) return -1;
    if (v <= 0) {
        char got[80];
        return node_err(n, err, "duration must be positive, got %s", describe(n, got, sizeof got));
    }
    *ns = v;
    return 0;
}

int scn_as_rate(const struct scn_node *n, double *per_s, struct err *err) {
    char why[128];
    const char *s;
    double v;

    if (!(s = scalar_or_err(n, SCN_WHAT_RATE, err))) return -1;
    if (units_parse_rate(s, &v, why, sizeof why) < 0)
        return unit_err(n, SCN_WHAT_RATE, "rate", why, err);
    if (!(v > 0)) {
        char got[80];
        return node_err(n, err, "rate must be positive, got %s", describe(n, got, sizeof got));
    }
    *per_s = v;
    return 0;
}

int scn_as_size(const struct scn_node *n, uint64_t *bytes, struct err *err) {
    char why[128];
    const char *s;

    if (!(s = scalar_or_err(n, SCN_WHAT_SIZE, err))) return -1;
    if (units_parse_size(s, bytes, why, sizeof why) < 0)
        return unit_err(n, SCN_WHAT_SIZE, "size", why, err);
    return 0;
}

int scn_as_fraction(const struct scn_node *n, double *f, struct err *err) {
    char why[128];
    const char *s;

    if (!(s = scalar_or_err(n, SCN_WHAT_FRACTION, err))) return -1;
    if (units_parse_fraction(s, f, why, sizeof why) < 0)
        return unit_err(n, SCN_WHAT_FRACTION, "fraction", why, err);
    return 0;
}

/* "a, b, c" into buf (truncated with "..." when it does not fit). */
static const char *join_list(const char *const *values, char *buf, size_t n) {
    size_t off = 0;

    buf[0] = '\0';
    for (size_t i = 0; values[i]; i++) {
        int k = snprintf(buf + off, n - off, "%s%s", i ? ", " : "", values[i]);
        if (k < 0 || (size_t)k >= n - off) {
            if (n > 4) snprintf(buf + n - 4, 4, "...");
            break;
        }
        off += (size_t)k;
    }
    return buf;
}

int scn_as_enum(const struct scn_node *n, const char *const *values, int *index, struct err *err) {
    char list[160], what[180], hint[96];
    const char *s;

    snprintf(what, sizeof what, "one of: %s", join_list(values, list, sizeof list));
    if (!(s = scalar_or_err(n, what, err))) return -1;
    for (int i = 0; values[i]; i++)
        if (strcmp(s, values[i]) == 0) return *index = i, 0;
    {
        const char *sug = scn_suggest(s, values);
        if (sug) snprintf(hint, sizeof hint, "; did you mean '%s'?", sug);
        return node_err(n, err, "unknown value '%s' (expected %s%s)", s, what, sug ? hint : "");
    }
}

/* ---- distribution specs ---------------------------------------------------------------------- */

/* A parsed "name(a, k=v, ...)". */
struct call {
    const struct scn_node *n; /* the scalar, for errors */
    char name[32];
    int nargs;
    struct {
        char key[32]; /* "" when positional */
        char val[160];
    } arg[SCN_MAX_ARGS];
};

/* A key distribution function: its parameter names, the first npos of which may be given by
 * position. (Distributions of times are distspec.h's table, shared with archtarget.) */
struct fn {
    const char *name;
    int id;
    int npos;
    const char *const params[DISTSPEC_MAX_PARAMS + 1];
};

static int call_err(const struct call *c, struct err *err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int call_err(const struct call *c, struct err *err, const char *fmt, ...) {
    char msg[224];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return node_err(c->n, err, "%s(): %s", c->name, msg);
}

static int is_ident(int ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '_';
}

/* Copy s[0..len) trimmed of spaces (and of one pair of matching quotes) into buf; -1 if long. */
static int copy_trimmed(const char *s, size_t len, char *buf, size_t n) {
    while (len && (*s == ' ' || *s == '\t'))
        s++, len--;
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    if (len >= 2 && (s[0] == '\'' || s[0] == '"') && s[len - 1] == s[0]) s++, len -= 2;
    if (len >= n) return -1;
    memcpy(buf, s, len);
    buf[len] = '\0';
    return 0;
}

/* Parse the scalar n as a call. Returns 1 when it has no '(' (not a call), 0 when parsed, -1
 * with err on a malformed call. example completes "such as ...". */
static int parse_call(const struct scn_node *n, struct call *c, const char *example,
                      struct err *err) {
    const char *s = n->value, *p = s, *open, *close, *a;
    size_t len;

    memset(c, 0, sizeof *c);
    c->n = n;
    if (!strchr(s, '(')) return 1;
    while (*p == ' ')
        p++;
    for (len = 0; is_ident((unsigned char)p[len]); len++)
        ;
    open = p + len;
    while (*open == ' ')
        open++;
    if (!len || *open != '(')
        return node_err(n, err, "expected name(parameters) such as %s, got '%s'", example, s);
    if (len >= sizeof c->name) len = sizeof c->name - 1;
    memcpy(c->name, p, len);
    close = strrchr(s, ')');
    if (!close || close < open) return node_err(n, err, "missing ')' in '%s'", s);
    for (a = close + 1; *a == ' '; a++)
        ;
    if (*a) return node_err(n, err, "unexpected '%s' after ')'", close + 1);
    a = open + 1;
    while (*a == ' ')
        a++;
    if (a == close) return 0;
    for (a = open + 1;;) {
        const char *end = a, *eqs;
        while (end < close && *end != ',')
            end++;
        if (c->nargs == SCN_MAX_ARGS)
            return call_err(c, err, "too many parameters (at most %d)", SCN_MAX_ARGS);
        eqs = memchr(a, '=', (size_t)(end - a));
        if (eqs) {
            if (copy_trimmed(a, (size_t)(eqs - a), c->arg[c->nargs].key, sizeof c->arg[0].key) <
                    0 ||
                copy_trimmed(eqs + 1, (size_t)(end - eqs - 1), c->arg[c->nargs].val,
                             sizeof c->arg[0].val) < 0)
                return call_err(c, err, "parameter too long");
            if (!c->arg[c->nargs].key[0])
                return call_err(c, err, "parameter name missing before '='");
        } else if (copy_trimmed(a, (size_t)(end - a), c->arg[c->nargs].val, sizeof c->arg[0].val) <
                   0) {
            return call_err(c, err, "parameter too long");
        }
        if (!c->arg[c->nargs].val[0]) return call_err(c, err, "empty parameter %d", c->nargs + 1);
        c->nargs++;
        if (end == close) break;
        a = end + 1;
    }
    return 0;
}

/* The error for an unknown function name: a did-you-mean among names, or the list of them. */
static int unknown_fn(const struct call *c, const char *const *names, const char *kind,
                      struct err *err) {
    char hint[240], list[220];
    const char *sug = scn_suggest(c->name, names);

    if (sug)
        snprintf(hint, sizeof hint, " (did you mean '%s'?)", sug);
    else
        snprintf(hint, sizeof hint, " (known: %s)", join_list(names, list, sizeof list));
    return node_err(c->n, err, "unknown %s '%s'%s", kind, c->name, hint);
}

/* Find c->name in fns (n entries) or fail with a did-you-mean among names. */
static const struct fn *find_fn(const struct call *c, const struct fn *fns, size_t nfns,
                                const char *const *names, const char *kind, struct err *err) {
    for (size_t i = 0; i < nfns; i++)
        if (strcmp(fns[i].name, c->name) == 0) return &fns[i];
    unknown_fn(c, names, kind, err);
    return NULL;
}

/* Match the call's arguments to the parameters (NULL-terminated; the first npos may be given
 * by position): vals[i] is the text for params[i] or NULL. */
static int bind_args(const struct call *c, int npos, const char *const *params,
                     const char *vals[DISTSPEC_MAX_PARAMS], struct err *err) {
    int named = 0, np = 0;
    char list[120], hint[96];

    while (np < DISTSPEC_MAX_PARAMS && params[np])
        np++;
    for (int i = 0; i < DISTSPEC_MAX_PARAMS; i++)
        vals[i] = NULL;
    for (int i = 0; i < c->nargs; i++) {
        int k;
        if (!c->arg[i].key[0]) {
            if (named)
                return call_err(c, err, "parameter %d has no name but follows named ones", i + 1);
            if (i >= npos)
                return call_err(c, err,
                                "takes %d parameter%s by position, got %d (name them, "
                                "e.g. %s=...)",
                                npos, npos == 1 ? "" : "s", c->nargs, params[i < np ? i : 0]);
            vals[i] = c->arg[i].val;
            continue;
        }
        named = 1;
        for (k = 0; k < np; k++)
            if (strcmp(c->arg[i].key, params[k]) == 0) break;
        if (k == np) {
            const char *sug = suggest_n(c->arg[i].key, params, (size_t)np);
            if (sug)
                snprintf(hint, sizeof hint, "did you mean '%s'?", sug);
            else
                snprintf(hint, sizeof hint, "it takes: %s", join_list(params, list, sizeof list));
            return call_err(c, err, "unknown parameter '%s' (%s)", c->arg[i].key, hint);
        }
        if (vals[k]) return call_err(c, err, "parameter '%s' given twice", params[k]);
        vals[k] = c->arg[i].val;
    }
    return 0;
}

static int need(const struct call *c, const char *const vals[DISTSPEC_MAX_PARAMS],
                const char *const *params, int i, struct err *err) {
    if (vals[i]) return 0;
    return call_err(c, err, "missing parameter '%s'", params[i]);
}

static int arg_duration(const struct call *c, const char *pname, const char *v, double *out,
                        struct err *err) {
    char why[128];
    int64_t ns;

    if (units_parse_duration(v, &ns, why, sizeof why) == 0) return *out = (double)ns, 0;
    if (strncmp(why, "missing unit", 12) == 0)
        return call_err(c, err, "%s: expected a duration with a unit (e.g. 5ms), got '%s'", pname,
                        v);
    return call_err(c, err, "%s: invalid duration '%s': %s", pname, v, why);
}

static int arg_number(const struct call *c, const char *pname, const char *v, double *out,
                      struct err *err) {
    if (strict_double(v, out) == 0) return 0;
    return call_err(c, err, "%s: expected a number, got '%s'", pname, v);
}

/* A whole number in [min, max]; above max the message names the maximum (as scn_as_int). */
static int arg_whole(const struct call *c, const char *pname, const char *v, long long min,
                     long long max, long long *out, struct err *err) {
    char lim[32];
    enum whole w = strict_whole(v, out);

    if (w == WHOLE_OK && *out >= min && *out <= max) return 0;
    if ((w == WHOLE_OK && *out > max) || w == WHOLE_BIG)
        return call_err(c, err, "%s: %s is more than the maximum %s", pname, v,
                        limit_text(max, lim, sizeof lim));
    return call_err(c, err, "%s: expected a whole number >= %lld, got '%s'", pname, min, v);
}

static int arg_fraction(const struct call *c, const char *pname, const char *v, double *out,
                        struct err *err) {
    char why[128];

    if (units_parse_fraction(v, out, why, sizeof why) == 0) return 0;
    return call_err(c, err, "%s: invalid fraction '%s': %s", pname, v, why);
}

/* A constructor's error (no position) re-located at the node with the key path; an error that
 * already has a line (inside an empirical CSV) keeps its own position, one naming a file without
 * a line (cannot open) names it in the message. */
static int ctor_err(const struct call *c, const struct err *e, struct err *err) {
    if (e->line > 0) return path_err(err, e->file, e->line, e->col, c->n->path, "%s", e->msg);
    if (e->file[0]) return node_err(c->n, err, "%s: %s", e->file, e->msg);
    return node_err(c->n, err, "%s", e->msg);
}

enum { FN_KEY_UNIFORM, FN_KEY_ZIPF, FN_KEY_HOTSPOT };

static const struct fn keydist_fns[] = {
    {"uniform", FN_KEY_UNIFORM, 1, {"n", NULL}},
    {"zipf", FN_KEY_ZIPF, 2, {"s", "n", NULL}},
    {"hotspot", FN_KEY_HOTSPOT, 3, {"n", "hot", "share", NULL}},
};

static const char *const keydist_names[] = {"uniform", "zipf", "hotspot", NULL};

/* Convert parameter i of f (text v) by its kind into a. A FILE is written into path (pathlen
 * bytes, the caller's, alive until the build), joined to dir when relative. */
static int convert_param(const struct call *c, const struct distspec_fn *f, int i, const char *v,
                         const char *dir, char *path, size_t pathlen, struct distspec_args *a,
                         struct err *err) {
    const char *pname = f->params[i];
    long long k;

    switch (f->kinds[i]) {
        case DISTSPEC_DURATION:
            return arg_duration(c, pname, v, &a->num[i], err);
        case DISTSPEC_NUMBER:
            return arg_number(c, pname, v, &a->num[i], err);
        case DISTSPEC_WHOLE:
            if (arg_whole(c, pname, v, 1, LLONG_MAX, &k, err) < 0) return -1;
            a->num[i] = (double)k;
            return 0;
        case DISTSPEC_FRACTION:
            return arg_fraction(c, pname, v, &a->num[i], err);
        case DISTSPEC_UNIT:
            if (distspec_unit_ns(v, &a->num[i]) == 0) return 0;
            return call_err(c, err, "%s: unknown unit '%s' (use ns, us, ms, s, m or h)", pname, v);
        case DISTSPEC_FILE:
            if (v[0] == '/' || !dir || !dir[0] || strcmp(dir, ".") == 0)
                snprintf(path, pathlen, "%s", v);
            else
                snprintf(path, pathlen, "%s/%s", dir, v);
            a->text[i] = path;
            return 0;
        case DISTSPEC_TEXT:
            a->text[i] = v;
            return 0;
    }
    assert(!"distspec kind without a conversion");
    return -1;
}

/* Build *d from a parsed call through distspec's table; -1 with err. */
static int build_dist(const struct call *c, const char *dir, struct dist *d, struct err *err) {
    const struct distspec_fn *f = distspec_find(c->name);
    const char *v[DISTSPEC_MAX_PARAMS];
    struct distspec_args a;
    char path[4096];
    struct err e;
    int from, to, i;

    if (!f) {
        const char *names[DISTSPEC_MAX_FNS + 1];
        distspec_names(names, sizeof names / sizeof names[0], 1);
        return unknown_fn(c, names, "distribution", err);
    }
    if (bind_args(c, f->npos, f->params, v, err) < 0) return -1;
    memset(&a, 0, sizeof a);
    for (i = 0; i < DISTSPEC_MAX_PARAMS; i++)
        if (v[i]) a.given |= 1u << i;
    if (distspec_params(f, a.given, &from, &to) < 0) {
        char either[160];
        return call_err(c, err, "%s", distspec_either(f, either, sizeof either));
    }
    /* every missing parameter is reported before any value is looked at */
    for (i = from; i < to; i++)
        if (need(c, v, f->params, i, err) < 0) return -1;
    for (i = from; i < to; i++)
        if (convert_param(c, f, i, v[i], dir, path, sizeof path, &a, err) < 0) return -1;
    err_clear(&e);
    return f->build(d, &a, &e) < 0 ? ctor_err(c, &e, err) : 0;
}

int scn_as_dist(const struct scn_node *n, const char *dir, struct dist *out, struct err *err) {
    const char *what = "a distribution such as exp(5ms) or a duration such as 5ms", *s;
    char why[128], got[80];
    struct call c;
    struct dist d;
    int64_t ns;
    int rc;

    if (!(s = scalar_or_err(n, what, err))) return -1;
    rc = parse_call(n, &c, "exp(5ms)", err);
    if (rc < 0) return -1;
    if (rc == 0) {
        if (build_dist(&c, dir, &d, err) < 0) return -1;
        *out = d;
        return 0;
    }
    /* no parentheses: a constant duration */
    if (units_parse_duration(s, &ns, why, sizeof why) < 0) {
        if (strncmp(why, "missing unit", 12) == 0)
            return node_err(n, err,
                            "expected a duration with a unit (e.g. 5ms) or a distribution "
                            "such as exp(5ms), got %s",
                            describe(n, got, sizeof got));
        if (!(s[0] >= '0' && s[0] <= '9') && s[0] != '.' && s[0] != '-')
            return node_err(n, err, "expected %s, got %s", what, describe(n, got, sizeof got));
        return node_err(n, err, "invalid duration %s: %s", describe(n, got, sizeof got), why);
    }
    {
        struct err e;
        err_clear(&e);
        if (dist_const(&d, (double)ns, &e) < 0) return node_err(n, err, "%s", e.msg);
    }
    *out = d;
    return 0;
}

int scn_as_keydist(const struct scn_node *n, struct keydist *out, struct err *err) {
    const char *what = "a key distribution such as uniform(n=1000) or zipf(s=1.0, n=1000000)";
    const struct fn *f;
    const char *v[DISTSPEC_MAX_PARAMS], *s;
    char got[80];
    struct call c;
    struct keydist kd;
    struct err e;
    long long nkeys;
    double a, b;
    int rc;

    if (!(s = scalar_or_err(n, what, err))) return -1;
    rc = parse_call(n, &c, "zipf(s=1.0, n=1000000)", err);
    if (rc < 0) return -1;
    if (rc > 0) return node_err(n, err, "expected %s, got %s", what, describe(n, got, sizeof got));
    f = find_fn(&c, keydist_fns, sizeof keydist_fns / sizeof keydist_fns[0], keydist_names,
                "key distribution", err);
    if (!f || bind_args(&c, f->npos, f->params, v, err) < 0) return -1;
    err_clear(&e);
    memset(&kd, 0, sizeof kd);
    switch (f->id) {
        case FN_KEY_UNIFORM:
            if (need(&c, v, f->params, 0, err) < 0 ||
                arg_whole(&c, "n", v[0], 1, LLONG_MAX, &nkeys, err) < 0)
                return -1;
            rc = keydist_uniform(&kd, (uint64_t)nkeys, &e);
            break;
        case FN_KEY_ZIPF:
            if (need(&c, v, f->params, 0, err) < 0 || need(&c, v, f->params, 1, err) < 0 ||
                arg_number(&c, "s", v[0], &a, err) < 0 ||
                arg_whole(&c, "n", v[1], 1, (long long)KEYDIST_ZIPF_MAX_N, &nkeys, err) < 0)
                return -1;
            rc = keydist_zipf(&kd, (uint64_t)nkeys, a, &e);
            break;
        case FN_KEY_HOTSPOT:
            if (need(&c, v, f->params, 0, err) < 0 || need(&c, v, f->params, 1, err) < 0 ||
                need(&c, v, f->params, 2, err) < 0 ||
                arg_whole(&c, "n", v[0], 1, LLONG_MAX, &nkeys, err) < 0 ||
                arg_fraction(&c, "hot", v[1], &a, err) < 0 ||
                arg_fraction(&c, "share", v[2], &b, err) < 0)
                return -1;
            rc = keydist_hotspot(&kd, (uint64_t)nkeys, a, b, &e);
            break;
        default:
            assert(!"keydist function without a builder");
    }
    if (rc < 0) return ctor_err(&c, &e, err);
    *out = kd;
    return 0;
}

/* ---- map entries ----------------------------------------------------------------------------- */

/* 1 and *v when key is present, 0 when absent and optional, -1 with err otherwise. */
static int get_entry(const struct scn_node *map, const char *key, int required,
                     const struct scn_node **v, struct err *err) {
    assert(map);
    if (scn_expect(map, SCN_MAP, err) < 0) return -1;
    *v = scn_map_get(map, key);
    if (*v) return 1;
    if (required) return node_err(map, err, "missing key '%s'", key);
    return 0;
}

int scn_get_duration(const struct scn_node *map, const char *key, int required, int64_t *ns,
                     struct err *err) {
    const struct scn_node *v;
    int r = get_entry(map, key, required, &v, err);
    return r <= 0 ? r : scn_as_duration(v, ns, err);
}

int scn_get_rate(const struct scn_node *map, const char *key, int required, double *per_s,
                 struct err *err) {
    const struct scn_node *v;
    int r = get_entry(map, key, required, &v, err);
    return r <= 0 ? r : scn_as_rate(v, per_s, err);
}

int scn_get_int(const struct scn_node *map, const char *key, int required, long long min,
                long long max, long long *out, struct err *err) {
    const struct scn_node *v;
    int r = get_entry(map, key, required, &v, err);
    return r <= 0 ? r : scn_as_int(v, min, max, out, err);
}

int scn_get_double(const struct scn_node *map, const char *key, int required, double min,
                   double max, double *out, struct err *err) {
    const struct scn_node *v;
    int r = get_entry(map, key, required, &v, err);
    return r <= 0 ? r : scn_as_double(v, min, max, out, err);
}

int scn_get_string(const struct scn_node *map, const char *key, int required, const char **out,
                   struct err *err) {
    const struct scn_node *v;
    int r = get_entry(map, key, required, &v, err);
    return r <= 0 ? r : scn_as_string(v, out, err);
}

int scn_get_bool(const struct scn_node *map, const char *key, int required, int *out,
                 struct err *err) {
    const struct scn_node *v;
    int r = get_entry(map, key, required, &v, err);
    return r <= 0 ? r : scn_as_bool(v, out, err);
}

int scn_get_enum(const struct scn_node *map, const char *key, int required,
                 const char *const *values, int *index, struct err *err) {
    const struct scn_node *v;
    int r = get_entry(map, key, required, &v, err);
    return r <= 0 ? r : scn_as_enum(v, values, index, err);
}

int scn_get_dist(const struct scn_node *map, const char *key, int required, const char *dir,
                 struct dist *out, struct err *err) {
    const struct scn_node *v;
    int r = get_entry(map, key, required, &v, err);
    return r <= 0 ? r : scn_as_dist(v, dir, out, err);
}
