/*
 * tgt_buf — a growable byte buffer with a read offset, for archtarget's per-connection output
 * (responses appended at the end, written from the front) and for rendering /stats.
 *
 * Design: one heap block plus (start, len); consuming from the front only moves start, and the
 * live bytes are moved down only when an append would otherwise have to grow the block, so a
 * stream of small writes costs amortised O(1) per byte. Growth goes through xrealloc (out of
 * memory aborts), so appends cannot fail.
 *
 * Rejected: a chain of fixed-size chunks (writev-friendly, but responses are a few hundred bytes
 * and one contiguous block keeps write() and the tests simple); memmove on every consume
 * (quadratic when a client reads slowly and many pipelined responses pile up).
 */
#ifndef ARCHSIM_TGT_BUF_H
#define ARCHSIM_TGT_BUF_H

#include <stddef.h>

/* A byte buffer. Value struct; zero-initialise ({0}) for an empty buffer. Live bytes are
 * data[start .. start + len). Owns data (freed by tgt_buf_free). */
struct tgt_buf {
    char *data;
    size_t start; /* offset of the first live byte */
    size_t len;   /* live bytes */
    size_t cap;   /* allocated bytes */
};

/* Append n bytes from p (may be NULL when n == 0). Cannot fail (out of memory aborts). */
void tgt_buf_append(struct tgt_buf *b, const void *p, size_t n);

/* Append printf-formatted text (no NUL is stored). Cannot fail. */
void tgt_buf_printf(struct tgt_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Append s as the inside of a JSON string (quotes not included): escapes '"', '\' and control
 * bytes; other bytes are copied as they are. */
void tgt_buf_json_string(struct tgt_buf *b, const char *s);

/* Pointer to the first live byte (valid until the next append or tgt_buf_free). */
const char *tgt_buf_head(const struct tgt_buf *b);

/* Drop the first n live bytes (n <= len, asserted). */
void tgt_buf_consume(struct tgt_buf *b, size_t n);

/* Free the storage and leave b empty (reusable). NULL is a no-op. */
void tgt_buf_free(struct tgt_buf *b);

#endif
