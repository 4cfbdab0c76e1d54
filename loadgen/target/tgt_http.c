/* tgt_http — request parsing with libhttp-parser and response formatting; see tgt_http.h. */
#include "tgt_http.h"

#include <stdlib.h>
#include <string.h>

#include <http_parser.h>

#include "xmalloc.h"

struct tgt_http {
    http_parser parser;
    enum tgt_http_state state;
    int error_status;
    const char *error_text;
    char url[TGT_HTTP_MAX_URL + 1];
    size_t url_len;
    int url_overflow;
    /* valid during tgt_http_feed only */
    tgt_http_request_fn *fn;
    void *ctx;
};

static int on_message_begin(http_parser *p) {
    struct tgt_http *h = p->data;

    h->url_len = 0;
    h->url_overflow = 0;
    return 0;
}

static int on_url(http_parser *p, const char *at, size_t len) {
    struct tgt_http *h = p->data;

    if (len > TGT_HTTP_MAX_URL - h->url_len) {
        h->url_overflow = 1;
        return 1; /* stops the parser with HPE_CB_url */
    }
    memcpy(h->url + h->url_len, at, len);
    h->url_len += len;
    return 0;
}

/* Split the request target into path and query, in place. Origin form ("/a?b") is the common
 * case; absolute form ("http://host/a?b") goes through the URL parser. */
static void split_target(struct tgt_http *h, const char **path, const char **query) {
    char *u = h->url, *q;

    u[h->url_len] = '\0';
    if (u[0] != '/' && strcmp(u, "*") != 0) {
        struct http_parser_url pu;

        http_parser_url_init(&pu);
        if (http_parser_parse_url(u, h->url_len, 0, &pu) == 0) {
            if (pu.field_set & (1 << UF_PATH))
                u += pu.field_data[UF_PATH].off;
            else
                strcpy(u, "/"); /* "http://host" asks for the root */
        }
    }
    q = strpbrk(u, "?#");
    if (q && *q == '?') {
        char *frag;
        *q++ = '\0';
        if ((frag = strchr(q, '#'))) *frag = '\0';
        *query = q;
    } else {
        if (q) *q = '\0';
        *query = "";
    }
    *path = u;
}

static int on_message_complete(http_parser *p) {
    struct tgt_http *h = p->data;
    struct tgt_http_request req;

    memset(&req, 0, sizeof req);
    split_target(h, &req.path, &req.query);
    req.method = http_method_str((enum http_method)p->method);
    req.http_major = p->http_major;
    req.http_minor = p->http_minor;
    req.keep_alive = http_should_keep_alive(p) && !p->upgrade;
    req.head = p->method == HTTP_HEAD;
    h->fn(h->ctx, &req);
    if (!req.keep_alive) {
        h->state = TGT_HTTP_LAST;
        http_parser_pause(p, 1);
    }
    return 0;
}

static const http_parser_settings settings = {
    .on_message_begin = on_message_begin,
    .on_url = on_url,
    .on_message_complete = on_message_complete,
};

struct tgt_http *tgt_http_new(void) {
    struct tgt_http *h = xcalloc(1, sizeof *h);

    http_parser_init(&h->parser, HTTP_REQUEST);
    h->parser.data = h;
    h->state = TGT_HTTP_MORE;
    return h;
}

void tgt_http_free(struct tgt_http *h) {
    free(h);
}

enum tgt_http_state tgt_http_feed(struct tgt_http *h, const char *data, size_t len,
                                  tgt_http_request_fn *fn, void *ctx) {
    enum http_errno e;

    if (h->state != TGT_HTTP_MORE || len == 0) return h->state;
    h->fn = fn;
    h->ctx = ctx;
    http_parser_execute(&h->parser, &settings, data, len);
    h->fn = NULL;
    h->ctx = NULL;
    e = HTTP_PARSER_ERRNO(&h->parser);
    if (h->state == TGT_HTTP_LAST) return h->state; /* paused after the last request */
    if (e != HPE_OK) {
        h->state = TGT_HTTP_ERROR;
        if (e == HPE_CB_url && h->url_overflow) {
            h->error_status = 414;
            h->error_text = "request target too long";
        } else if (e == HPE_HEADER_OVERFLOW) {
            h->error_status = 431;
            h->error_text = "request header too large";
        } else {
            h->error_status = 400;
            h->error_text = http_errno_description(e);
        }
        return h->state;
    }
    /* an upgrade request ends HTTP on the connection; it was answered as a normal request */
    if (h->parser.upgrade) h->state = TGT_HTTP_LAST;
    return h->state;
}

int tgt_http_error_status(const struct tgt_http *h) {
    return h->error_status;
}

const char *tgt_http_error_text(const struct tgt_http *h) {
    return h->error_text ? h->error_text : "";
}

const char *tgt_http_reason(int status) {
    switch (status) {
        case 200:
            return "OK";
        case 400:
            return "Bad Request";
        case 404:
            return "Not Found";
        case 414:
            return "URI Too Long";
        case 431:
            return "Request Header Fields Too Large";
        case 500:
            return "Internal Server Error";
        case 503:
            return "Service Unavailable";
        default:
            return "Unknown";
    }
}

void tgt_http_format(struct tgt_buf *out, const struct tgt_http_response *r) {
    tgt_buf_printf(out,
                   "HTTP/1.1 %d %s\r\nServer: archtarget\r\nContent-Type: %s\r\n"
                   "Content-Length: %zu\r\n",
                   r->status, tgt_http_reason(r->status),
                   r->content_type ? r->content_type : "text/plain", r->body_len);
    if (!r->keep_alive)
        tgt_buf_append(out, "Connection: close\r\n", 19);
    else if (r->http10)
        tgt_buf_append(out, "Connection: keep-alive\r\n", 24);
    if (r->extra) tgt_buf_append(out, r->extra, strlen(r->extra));
    tgt_buf_append(out, "\r\n", 2);
    if (!r->head) tgt_buf_append(out, r->body, r->body_len);
}
