/*
 * err — the one way expected failures travel: a bad scenario, an unreadable file, a bad
 * --set. Library code fills the caller's struct err and returns -1 or NULL; only main.c
 * and the UI print it. Bugs use assert, out-of-memory uses xmalloc (abort).
 *
 * Printed form (err_format): "scenarios/shop.yaml:12:7: error: unknown key 'cahce' (did you
 * mean 'cache'?)"; without a position "file: error: msg"; without a file "error: msg".
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
 * failing function can write `return err_set(...)`. */
int err_set(struct err *e, const char *file, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Clear e to "no error". */
void err_clear(struct err *e);

/* Write the printed form of e into buf (size n, always NUL-terminated). Returns buf. */
char *err_format(const struct err *e, char *buf, size_t n);

#endif
