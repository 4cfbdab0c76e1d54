/* sweep — the grid of a parameter sweep; see sweep.h. */
#include "sweep.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

static char *trimmed(const char *s, size_t n) {
    while (n && (*s == ' ' || *s == '\t')) {
        s++;
        n--;
    }
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    {
        char *out = xmalloc(n + 1);
        memcpy(out, s, n);
        out[n] = 0;
        return out;
    }
}

static void axis_free(struct run_axis *a) {
    free(a->path);
    for (size_t i = 0; i < a->nvalues; i++)
        free(a->values[i]);
    free(a->values);
}

int run_grid_add(struct run_grid *g, const char *spec, struct err *err) {
    const char *eq = strchr(spec, '=');
    struct run_axis a;
    const char *p, *start;
    int depth = 0;
    size_t npoints;

    memset(&a, 0, sizeof a);
    if (!eq) return err_set(err, "--vary", 0, 0, "expected PATH=V1,V2,..., got '%s'", spec);
    a.path = trimmed(spec, (size_t)(eq - spec));
    if (!a.path[0]) {
        err_set(err, "--vary", 0, 0, "'%s': empty path", spec);
        goto fail;
    }
    for (size_t i = 0; i < g->naxes; i++)
        if (strcmp(g->axes[i].path, a.path) == 0) {
            err_set(err, "--vary", 0, 0, "%s is varied twice (give all its values in one --vary)",
                    a.path);
            goto fail;
        }
    /* Split at commas outside (), [] and {}. */
    for (p = start = eq + 1;; p++) {
        if (*p == '(' || *p == '[' || *p == '{') depth++;
        if (*p == ')' || *p == ']' || *p == '}') {
            if (--depth < 0) break;
        }
        if (*p == 0 || (*p == ',' && depth == 0)) {
            char *v = trimmed(start, (size_t)(p - start));
            if (!v[0]) {
                free(v);
                err_set(err, "--vary", 0, 0, "%s: empty value in '%s'", a.path, eq + 1);
                goto fail;
            }
            a.values = xrealloc(a.values, (a.nvalues + 1) * sizeof *a.values);
            a.values[a.nvalues++] = v;
            if (*p == 0) break;
            start = p + 1;
        }
    }
    if (depth != 0) {
        err_set(err, "--vary", 0, 0, "%s: unbalanced brackets in '%s'", a.path, eq + 1);
        goto fail;
    }
    npoints = g->naxes ? g->npoints : 1;
    if (npoints > RUN_GRID_MAX_POINTS / a.nvalues) {
        err_set(err, "--vary", 0, 0, "the grid would have more than %d points",
                RUN_GRID_MAX_POINTS);
        goto fail;
    }
    g->axes = xrealloc(g->axes, (g->naxes + 1) * sizeof *g->axes);
    g->axes[g->naxes++] = a;
    g->npoints = npoints * a.nvalues;
    return 0;
fail:
    axis_free(&a);
    return -1;
}

void run_grid_free(struct run_grid *g) {
    if (!g) return;
    for (size_t i = 0; i < g->naxes; i++)
        axis_free(&g->axes[i]);
    free(g->axes);
    memset(g, 0, sizeof *g);
}

size_t run_grid_index(const struct run_grid *g, size_t p, size_t a) {
    size_t stride = 1;

    for (size_t b = a + 1; b < g->naxes; b++)
        stride *= g->axes[b].nvalues;
    return (p / stride) % g->axes[a].nvalues;
}

char *run_grid_assignment(const struct run_grid *g, size_t p, size_t a) {
    const char *path = g->axes[a].path, *v = g->axes[a].values[run_grid_index(g, p, a)];
    size_t n = strlen(path) + strlen(v) + 2;
    char *out = xmalloc(n);

    snprintf(out, n, "%s=%s", path, v);
    return out;
}

char *run_grid_vary(const struct run_grid *g, size_t p) {
    size_t n = 1, len = 0;
    char *out;

    for (size_t a = 0; a < g->naxes; a++)
        n += strlen(g->axes[a].path) + strlen(g->axes[a].values[run_grid_index(g, p, a)]) + 2;
    out = xmalloc(n);
    out[0] = 0;
    for (size_t a = 0; a < g->naxes; a++)
        len += (size_t)snprintf(out + len, n - len, "%s%s=%s", a ? ";" : "", g->axes[a].path,
                                g->axes[a].values[run_grid_index(g, p, a)]);
    return out;
}
