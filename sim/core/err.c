/* err — located error messages; see err.h. */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "utf8.h"

#define ERR_FORMAT_MAX 4096 /* bytes of a message before escaping; longer ones are cut */

/* The escape for the character of len bytes at s ("\n", "\x01", "\u2028"), or NULL when it is
 * printed as it is. */
static const char *escape_of(const unsigned char *s, size_t len, char buf[8]) {
    if (len == 0) {
        snprintf(buf, 8, "\\x%02x", s[0]); /* not UTF-8 */
        return buf;
    }
    if (len == 1) {
        if (s[0] == '\n') return "\\n";
        if (s[0] == '\r') return "\\r";
        if (s[0] == '\t') return "\\t";
        if (s[0] < 0x20 || s[0] == 0x7F) {
            snprintf(buf, 8, "\\x%02x", s[0]);
            return buf;
        }
        return NULL;
    }
    /* NEL, LINE SEPARATOR and PARAGRAPH SEPARATOR: line breaks to some readers */
    if ((len == 2 && s[0] == 0xC2 && s[1] == 0x85) ||
        (len == 3 && s[0] == 0xE2 && s[1] == 0x80 && (s[2] == 0xA8 || s[2] == 0xA9))) {
        snprintf(buf, 8, "\\u%04x", len == 2 ? 0x85u : s[2] == 0xA8 ? 0x2028u : 0x2029u);
        return buf;
    }
    return NULL;
}

/* Copy src into dst (size n > 0, NUL-terminated) escaping as err_escape does. A character or an
 * escape that does not fit is left out whole, and so is everything after it; with ellipsis, the
 * cut text then ends in "..." (when n allows). Returns 1 when src was cut, else 0. */
static int copy_escaped(char *dst, size_t n, const char *src, int ellipsis) {
    const unsigned char *s = (const unsigned char *)src;
    size_t o = 0, keep = 0, room = n - 1;
    size_t marks[4] = {0}; /* output length before each of the last characters, for "..." */

    while (*s) {
        char buf[8];
        size_t len = utf8_char_len(s, NULL), step = len ? len : 1, w;
        const char *esc = escape_of(s, len, buf);

        w = esc ? strlen(esc) : step;
        if (w > room - o) {
            if (ellipsis && room >= 3) {
                /* drop characters until "..." fits */
                size_t k = keep;
                while (o + 3 > room && k > 0)
                    o = marks[--k % 4];
                if (o + 3 > room) o = 0;
                memcpy(dst + o, "...", 3);
                o += 3;
            }
            dst[o] = '\0';
            return 1;
        }
        marks[keep++ % 4] = o;
        if (esc)
            memcpy(dst + o, esc, w);
        else
            memcpy(dst + o, s, w);
        o += w;
        s += step;
    }
    dst[o] = '\0';
    return 0;
}

char *err_escape(char *buf, size_t n, const char *s) {
    if (n == 0) return buf;
    copy_escaped(buf, n, s, 1);
    return buf;
}

/* A message longer than room bytes loses its middle instead of its end: it starts with the
 * place (a key path, which can be a 1000-character component name or maps nested 64 deep)
 * and ends with what is wrong, and the line and column locate the place anyway. */
static void cut_middle(char *msg, size_t room) {
    size_t n = strlen(msg), head = room * 2 / 5, tail = room - head - 3;

    if (n <= room) return;
    memcpy(msg + head, "...", 3);
    memmove(msg + head + 3, msg + n - tail, tail + 1);
}

int err_set(struct err *e, const char *file, int line, int col, const char *fmt, ...) {
    char msg[ERR_FORMAT_MAX], name[sizeof e->file];
    va_list ap;

    if (!e) return -1;
    /* Both are formatted into local buffers first: a caller may pass e's own file or msg. */
    snprintf(name, sizeof name, "%s", file ? file : "");
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    cut_middle(msg, sizeof e->msg - 1);
    /* Escaped here, once for every message: a value quoted from a scenario (a block scalar, a
     * CSV cell) may hold line breaks, and an error is printed as one line. */
    copy_escaped(e->file, sizeof e->file, name, 0);
    e->line = line;
    e->col = col;
    copy_escaped(e->msg, sizeof e->msg, msg, 0);
    return -1;
}

void err_clear(struct err *e) {
    if (e) memset(e, 0, sizeof *e);
}

char *err_format(const struct err *e, char *buf, size_t n) {
    if (e->file[0] && e->line > 0)
        snprintf(buf, n, "%s:%d:%d: error: %s", e->file, e->line, e->col, e->msg);
    else if (e->file[0])
        snprintf(buf, n, "%s: error: %s", e->file, e->msg);
    else
        snprintf(buf, n, "error: %s", e->msg);
    return buf;
}
