/*
 * err — the one way expected failures travel: a bad scenario, an unreadable file, a bad
 * --set. Library code fills the caller's struct err and returns -1 or NULL; only main.c
 * and the UI print it. Bugs use assert, out-of-memory uses xmalloc (abort).
 *
 * Printed form (err_format): "scenarios/shop.yaml:12:7: error: unknown key 'cahce' (did you
 * mean 'cache'?)"; without a position "file: error: msg"; without a file "error: msg".
 *
 * An error is one line. Messages quote what the user wrote (a YAML block scalar, a CSV cell, a
 * file name), which may hold line breaks or bytes that are not text, so err_set escapes both
 * the file and the message (err_escape's rules) in the one place every message passes through,
 * rather than trusting each of the few hundred call sites to do it.
 */
#ifndef ARCHSIM_ERR_H
#define ARCHSIM_ERR_H

#include <stddef.h>

/* A located error message. Value struct; line and col are 1-based, 0 when unknown. */
struct err {
    char file[256];
    int line, col;
    char msg[256];
};

/* Fill e (may be NULL: then nothing happens). file may be NULL. Always returns -1, so a
 * failing function can write `return err_set(...)`. The file and the formatted message are
 * stored escaped as by err_escape (without its "..."): a message never holds a line break. */
int err_set(struct err *e, const char *file, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Copy s into buf (size n, NUL-terminated when n > 0) as one line of text: LF, CR and tab
 * become \n, \r and \t, other ASCII control bytes and bytes that are not UTF-8 \xHH, and
 * U+0085, U+2028, U+2029 \u0085, \u2028, \u2029; other text, valid UTF-8 included, is copied
 * as it is. If the result does not fit, it is cut on a character (or escape) boundary and ends
 * in "...". Returns buf. */
char *err_escape(char *buf, size_t n, const char *s);

/* Clear e to "no error". */
void err_clear(struct err *e);

/* Write the printed form of e into buf (size n, always NUL-terminated). Returns buf. */
char *err_format(const struct err *e, char *buf, size_t n);

#endif
