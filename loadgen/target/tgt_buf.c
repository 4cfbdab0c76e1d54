/* tgt_buf — growable byte buffer with a read offset; see tgt_buf.h. */
#include "tgt_buf.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

/* Make room for n more bytes after the live ones: first by moving the live bytes to the front,
 * then by doubling. */
static void reserve(struct tgt_buf *b, size_t n) {
    size_t need;

    if (b->cap - b->start - b->len >= n) return;
    if (b->start > 0) {
        memmove(b->data, b->data + b->start, b->len);
        b->start = 0;
        if (b->cap - b->len >= n) return;
    }
    need = b->len + n;
    if (b->cap * 2 > need) need = b->cap * 2;
    if (need < 256) need = 256;
    b->data = xrealloc(b->data, need);
    b->cap = need;
}

void tgt_buf_append(struct tgt_buf *b, const void *p, size_t n) {
    if (n == 0) return;
    reserve(b, n);
    memcpy(b->data + b->start + b->len, p, n);
    b->len += n;
}

void tgt_buf_printf(struct tgt_buf *b, const char *fmt, ...) {
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    assert(n >= 0);
    /* +1 for the NUL vsnprintf writes; it is not counted in len */
    reserve(b, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(b->data + b->start + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void tgt_buf_json_string(struct tgt_buf *b, const char *s) {
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            tgt_buf_printf(b, "\\%c", c);
        else if (c < 0x20 || c == 0x7f)
            tgt_buf_printf(b, "\\u%04x", c);
        else
            tgt_buf_append(b, s, 1);
    }
}

const char *tgt_buf_head(const struct tgt_buf *b) {
    return b->data ? b->data + b->start : "";
}

void tgt_buf_consume(struct tgt_buf *b, size_t n) {
    assert(n <= b->len);
    b->start += n;
    b->len -= n;
    if (b->len == 0) b->start = 0;
}

void tgt_buf_free(struct tgt_buf *b) {
    if (!b) return;
    free(b->data);
    memset(b, 0, sizeof *b);
}
