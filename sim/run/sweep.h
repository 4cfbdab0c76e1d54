/*
 * sweep — the grid of `archsim sweep`: every --vary PATH=V1,V2,... is one axis, the grid is
 * their cartesian product, and each grid point is the scenario with one "PATH=V" override per
 * axis (applied after the --set ones, through scn_doc_set). Points are numbered from 0 with
 * the first --vary as the outermost loop (it changes slowest), as in reading order:
 * --vary a=1,2 --vary b=x,y gives (1,x) (1,y) (2,x) (2,y).
 *
 * Values are split at commas outside brackets, so a distribution with several parameters is
 * one value: --vary 'components.api.service_time=exp(2ms),uniform(1ms, 3ms)'. Surrounding
 * spaces are dropped.
 *
 * Rejected: range syntax (100..900/100) (one more mini-language; a shell's `seq -s,` does
 * it); zipping axes instead of a product (rarely what a capacity question needs, and
 * expressible with one axis over a compound parameter in a scenario file per variant).
 */
#ifndef ARCHSIM_SWEEP_H
#define ARCHSIM_SWEEP_H

#include <stddef.h>

#include "err.h"

/* One axis. */
struct run_axis {
    char *path;     /* owned, e.g. "workload.rate" */
    char **values;  /* owned, e.g. "900/s" */
    size_t nvalues; /* >= 1 */
};

/* The grid: a value struct the caller zero-initialises and frees with run_grid_free. */
struct run_grid {
    struct run_axis *axes; /* owned */
    size_t naxes;
    size_t npoints; /* product of nvalues; 1 with no axis */
};

/* Upper bound on the number of points (a typo like 1,2,...,1000 three times is not a plan). */
#define RUN_GRID_MAX_POINTS 1000000

/* Add an axis from "path=v1,v2,...". Returns 0, or -1 with err (file "--vary"): no '=',
 * empty path, an empty value, a path already varied, unbalanced brackets, more than
 * RUN_GRID_MAX_POINTS points. g is unchanged on error. */
int run_grid_add(struct run_grid *g, const char *spec, struct err *err);

/* Free what g owns and zero it. NULL is a no-op. */
void run_grid_free(struct run_grid *g);

/* The index into axes[a].values of point p (p < npoints). */
size_t run_grid_index(const struct run_grid *g, size_t p, size_t a);

/* "path=value" of axis a at point p, for scn_doc_set. Caller frees. */
char *run_grid_assignment(const struct run_grid *g, size_t p, size_t a);

/* "path=value;path=value" over all axes at point p (the sweep CSV's vary column); "" with
 * no axis. Caller frees. */
char *run_grid_vary(const struct run_grid *g, size_t p);

#endif
