/* http — request templates and the response reader over libhttp-parser; see http.h. */
#include "http.h"

#include <http_parser.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "xmalloc.h"

#define KEY_MARK     "{key}"
#define KEY_MARK_LEN 5

void http_buf_free(struct http_buf *b) {
    free(b->buf);
    b->buf = NULL;
    b->len = b->cap = 0;
}

static void buf_reserve(struct http_buf *b, size_t extra) {
    if (b->len + extra <= b->cap) return;
    b->cap = b->cap ? b->cap : 256;
    while (b->cap < b->len + extra)
        b->cap *= 2;
    b->buf = xrealloc(b->buf, b->cap);
}

static void buf_add(struct http_buf *b, const char *s, size_t n) {
    buf_reserve(b, n + 1);
    memcpy(b->buf + b->len, s, n);
    b->len += n;
    b->buf[b->len] = 0;
}

static void buf_adds(struct http_buf *b, const char *s) {
    buf_add(b, s, strlen(s));
}

/* --- requests ------------------------------------------------------------------------------ */

struct http_tmpl {
    char *prefix; /* "GET " */
    char **segs;  /* path pieces between the {key} marks; nsegs = marks + 1 */
    size_t nsegs;
    struct http_buf suffix; /* " HTTP/1.1\r\n" headers, blank line, body */
    struct http_buf whole;  /* the full request when nsegs == 1 */
    int head;
    char *describe;
    char **display;
    size_t nheaders;
};

static const char *const secret_headers[] = {"authorization", "proxy-authorization", "cookie",
                                             "x-api-key", NULL};

int http_header_is_secret(const char *name, size_t len) {
    for (size_t i = 0; secret_headers[i]; i++)
        if (strlen(secret_headers[i]) == len && strncasecmp(secret_headers[i], name, len) == 0)
            return 1;
    return 0;
}

char *http_header_display(const char *line, char *out, size_t n) {
    const char *colon = strchr(line, ':');

    if (colon && http_header_is_secret(line, (size_t)(colon - line)))
        snprintf(out, n, "%.*s: [redacted]", (int)(colon - line), line);
    else
        snprintf(out, n, "%s", line);
    return out;
}

static int is_token_char(int c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c && strchr("!#$%&'*+-.^_`|~", c));
}

static int header_named(const char *line, const char *name) {
    size_t n = strlen(name);
    return strncasecmp(line, name, n) == 0 && line[n] == ':';
}

void http_tmpl_free(struct http_tmpl *t) {
    if (!t) return;
    free(t->prefix);
    for (size_t i = 0; i < t->nsegs; i++)
        free(t->segs[i]);
    free(t->segs);
    http_buf_free(&t->suffix);
    http_buf_free(&t->whole);
    free(t->describe);
    for (size_t i = 0; i < t->nheaders; i++)
        free(t->display[i]);
    free(t->display);
    free(t);
}

struct http_tmpl *http_tmpl_new(const char *method, const char *path, const char *host_header,
                                const char *const *headers, size_t nheaders, const char *body,
                                size_t body_len, struct err *err) {
    struct http_tmpl *t = xcalloc(1, sizeof *t);
    int has_host = 0, has_ua = 0, has_length = 0, needs_length;
    const char *p;
    char num[32];

    if (!method[0]) {
        err_set(err, NULL, 0, 0, "empty method");
        goto fail;
    }
    for (p = method; *p; p++)
        if (!is_token_char((unsigned char)*p)) {
            err_set(err, NULL, 0, 0, "invalid method '%s'", method);
            goto fail;
        }
    if (path[0] != '/' && strcmp(path, "*") != 0) {
        err_set(err, NULL, 0, 0, "path '%s' must start with '/'", path);
        goto fail;
    }
    for (p = path; *p; p++)
        if ((unsigned char)*p <= ' ' || *p == 0x7f) {
            err_set(err, NULL, 0, 0, "path '%s' contains a space or control character", path);
            goto fail;
        }
    t->head = strcmp(method, "HEAD") == 0;
    t->prefix = xmalloc(strlen(method) + 2);
    sprintf(t->prefix, "%s ", method);
    t->describe = xmalloc(strlen(method) + strlen(path) + 2);
    sprintf(t->describe, "%s %s", method, path);
    /* Split the path at each {key}. */
    for (p = path;;) {
        const char *m = strstr(p, KEY_MARK);
        size_t n = m ? (size_t)(m - p) : strlen(p);
        t->segs = xrealloc(t->segs, (t->nsegs + 1) * sizeof *t->segs);
        t->segs[t->nsegs] = xmalloc(n + 1);
        memcpy(t->segs[t->nsegs], p, n);
        t->segs[t->nsegs++][n] = 0;
        if (!m) break;
        p = m + KEY_MARK_LEN;
    }
    t->display = xcalloc(nheaders ? nheaders : 1, sizeof *t->display);
    for (size_t i = 0; i < nheaders; i++) {
        const char *h = headers[i], *colon = strchr(h, ':');
        char shown[512];
        if (!colon || colon == h) {
            err_set(err, NULL, 0, 0, "header '%s': expected 'Name: value'",
                    http_header_display(h, shown, sizeof shown));
            goto fail;
        }
        for (p = h; p < colon; p++)
            if (!is_token_char((unsigned char)*p)) {
                err_set(err, NULL, 0, 0, "header '%s': invalid character in the name",
                        http_header_display(h, shown, sizeof shown));
                goto fail;
            }
        if (strpbrk(h, "\r\n")) {
            err_set(err, NULL, 0, 0, "header '%s': contains a line break",
                    http_header_display(h, shown, sizeof shown));
            goto fail;
        }
        t->display[i] = xstrdup(http_header_display(h, shown, sizeof shown));
        t->nheaders++;
        has_host |= header_named(h, "host");
        has_ua |= header_named(h, "user-agent");
        has_length |= header_named(h, "content-length");
    }
    buf_adds(&t->suffix, " HTTP/1.1\r\n");
    if (!has_host) {
        buf_adds(&t->suffix, "Host: ");
        buf_adds(&t->suffix, host_header);
        buf_adds(&t->suffix, "\r\n");
    }
    for (size_t i = 0; i < nheaders; i++) {
        buf_adds(&t->suffix, headers[i]);
        buf_adds(&t->suffix, "\r\n");
    }
    if (!has_ua) buf_adds(&t->suffix, "User-Agent: archload\r\n");
    needs_length = body_len > 0 || strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0 ||
                   strcmp(method, "PATCH") == 0;
    if (needs_length && !has_length) {
        snprintf(num, sizeof num, "%zu", body_len);
        buf_adds(&t->suffix, "Content-Length: ");
        buf_adds(&t->suffix, num);
        buf_adds(&t->suffix, "\r\n");
    }
    buf_adds(&t->suffix, "\r\n");
    if (body_len) buf_add(&t->suffix, body, body_len);
    if (t->nsegs == 1) {
        buf_adds(&t->whole, t->prefix);
        buf_adds(&t->whole, t->segs[0]);
        buf_add(&t->whole, t->suffix.buf, t->suffix.len);
    }
    return t;
fail:
    http_tmpl_free(t);
    return NULL;
}

const char *http_tmpl_render(const struct http_tmpl *t, uint64_t key, struct http_buf *scratch,
                             size_t *len) {
    char num[24];
    size_t nlen;

    if (t->nsegs == 1) {
        *len = t->whole.len;
        return t->whole.buf;
    }
    nlen = (size_t)snprintf(num, sizeof num, "%" PRIu64, key);
    scratch->len = 0;
    buf_adds(scratch, t->prefix);
    for (size_t i = 0; i < t->nsegs; i++) {
        if (i) buf_add(scratch, num, nlen);
        buf_adds(scratch, t->segs[i]);
    }
    buf_add(scratch, t->suffix.buf, t->suffix.len);
    *len = scratch->len;
    return scratch->buf;
}

int http_tmpl_is_head(const struct http_tmpl *t) {
    return t->head;
}

int http_tmpl_has_key(const struct http_tmpl *t) {
    return t->nsegs > 1;
}

const char *http_tmpl_describe(const struct http_tmpl *t) {
    return t->describe;
}

size_t http_tmpl_nheaders(const struct http_tmpl *t) {
    return t->nheaders;
}

const char *http_tmpl_header_display(const struct http_tmpl *t, size_t i) {
    return i < t->nheaders ? t->display[i] : NULL;
}

/* --- responses ----------------------------------------------------------------------------- */

struct http_resp {
    http_parser p;
    int head;
    int done;
    int status;
    int keep;
    int both_lengths; /* chunked and Content-Length together */
    uint64_t body, bytes;
    const char *error;
};

static int on_headers_complete(http_parser *p) {
    struct http_resp *r = p->data;

    /* Both Transfer-Encoding: chunked and Content-Length: the chunked framing is used, but
     * the connection is not trusted afterwards (RFC 9112 6.1, 6.3: possible smuggling). */
    if ((p->flags & F_CHUNKED) && (p->flags & F_CONTENTLENGTH)) r->both_lengths = 1;
    /* 1: no body, whatever Content-Length says: a response to HEAD, an interim 1xx, 204 and
     * 304 (RFC 9110 6.4.1). A status below 100 is no HTTP status at all (a bad_status error):
     * its body is framed as the headers say, so the connection stays in step. */
    return r->head || (p->status_code >= 100 && p->status_code < 200) || p->status_code == 204 ||
           p->status_code == 304;
}

static int on_body(http_parser *p, const char *at, size_t len) {
    struct http_resp *r = p->data;

    (void)at;
    r->body += len;
    return 0;
}

static int on_message_complete(http_parser *p) {
    struct http_resp *r = p->data;

    if (p->status_code >= 100 && p->status_code < 200 && p->status_code != 101) {
        /* Interim response (100 Continue, 103 Early Hints): the final one follows on the same
         * connection; the parser starts the next message by itself. */
        r->body = 0;
        return 0;
    }
    r->done = 1;
    r->status = (int)p->status_code;
    r->keep = p->status_code != 101 && !r->both_lengths && http_should_keep_alive(p);
    http_parser_pause(p, 1);
    return 0;
}

static const http_parser_settings settings = {
    .on_headers_complete = on_headers_complete,
    .on_body = on_body,
    .on_message_complete = on_message_complete,
};

struct http_resp *http_resp_new(void) {
    struct http_resp *r = xcalloc(1, sizeof *r);

    http_resp_start(r, 0);
    return r;
}

void http_resp_free(struct http_resp *r) {
    free(r);
}

void http_resp_start(struct http_resp *r, int head) {
    memset(r, 0, sizeof *r);
    http_parser_init(&r->p, HTTP_RESPONSE);
    r->p.allow_chunked_length = 1;
    r->p.data = r;
    r->head = head;
}

enum http_state http_resp_feed(struct http_resp *r, const char *buf, size_t len, size_t *used) {
    static const char magic[] = "HTTP/";
    size_t n;
    enum http_errno e;

    /* libhttp-parser's non-strict build accepts "HTXP/1.1"; a response must start "HTTP/". */
    for (size_t i = 0; r->bytes + i < sizeof magic - 1 && i < len; i++)
        if (buf[i] != magic[r->bytes + i]) {
            *used = 0;
            r->error = "malformed status line";
            return HTTP_BAD;
        }
    n = http_parser_execute(&r->p, &settings, buf, len);
    e = HTTP_PARSER_ERRNO(&r->p);

    r->bytes += n;
    *used = n;
    if (r->done) {
        if (n < len) r->keep = 0; /* bytes after the response: do not trust the connection */
        return HTTP_DONE;
    }
    if (e != HPE_OK) {
        r->error = http_errno_description(e);
        return HTTP_BAD;
    }
    if (r->p.upgrade) {
        r->error = "unexpected protocol upgrade";
        return HTTP_BAD;
    }
    return HTTP_MORE;
}

enum http_state http_resp_eof(struct http_resp *r) {
    if (r->done) return HTTP_DONE;
    if (r->bytes == 0) {
        r->error = "connection closed before any response";
        return HTTP_BAD;
    }
    http_parser_execute(&r->p, &settings, NULL, 0);
    if (r->done) {
        r->keep = 0;
        return HTTP_DONE;
    }
    r->error = "connection closed before the end of the response";
    return HTTP_BAD;
}

uint64_t http_resp_bytes(const struct http_resp *r) {
    return r->bytes;
}

int http_resp_status(const struct http_resp *r) {
    return r->status;
}

uint64_t http_resp_body_bytes(const struct http_resp *r) {
    return r->body;
}

int http_resp_keep_alive(const struct http_resp *r) {
    return r->keep;
}

const char *http_resp_error(const struct http_resp *r) {
    return r->error ? r->error : "no error";
}
