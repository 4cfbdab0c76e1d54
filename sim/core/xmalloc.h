/*
 * xmalloc — allocation that cannot fail from the caller's point of view. On out-of-memory
 * it prints the size asked for to stderr and exits with status 1 (a scenario asking for more
 * memory than the machine has is not a crash); the dashboard restores the terminal from an
 * atexit handler.
 */
#ifndef ARCHSIM_XMALLOC_H
#define ARCHSIM_XMALLOC_H

#include <stddef.h>

/* malloc(size); never returns NULL (size 0 returns a unique pointer). Caller frees. */
void *xmalloc(size_t size);
/* calloc(n, size), with overflow of n * size treated as out of memory. Caller frees. */
void *xcalloc(size_t n, size_t size);
/* realloc(p, size); never returns NULL. */
void *xrealloc(void *p, size_t size);
/* strdup(s); caller frees. */
char *xstrdup(const char *s);

#endif
