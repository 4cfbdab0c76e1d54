/*
 * testutil — what the model tests share: run a scenario (YAML text or a file) to the end with
 * overrides and hooks, and find a component's row. Header-only (static inline) so each test
 * file stays one CUnit suite with no extra object to register.
 */
#ifndef ARCHSIM_TESTUTIL_H
#define ARCHSIM_TESTUTIL_H

#include <stdio.h>
#include <string.h>

#include "model.h"
#include "run.h"

/* Run replication rep of the scenario in src — YAML text, or the path of a file when
 * from_file (tests run from the project root) — with the "path=value" overrides and hooks
 * (may be NULL). Returns 0 and fills out (free with run_rep_free), or -1 after printing the
 * located error. */
static inline int tu_run(const char *src, int from_file, const char *const *sets, size_t nsets,
                         unsigned rep, const struct run_hooks *hooks, struct run_rep *out) {
    struct run_scenario s;
    struct err err;
    char buf[600];
    int rc;

    err_clear(&err);
    rc = from_file ? run_scenario_load(&s, src, sets, nsets, &err)
                   : run_scenario_parse(&s, src, "test.yaml", sets, nsets, &err);
    if (rc) {
        fprintf(stderr, "\n%s\n", err_format(&err, buf, sizeof buf));
        return -1;
    }
    rc = run_replication(&s, rep, hooks, out, &err);
    if (rc) fprintf(stderr, "\n%s\n", err_format(&err, buf, sizeof buf));
    run_scenario_free(&s);
    return rc;
}

/* The row of component name (or "total"), or NULL. */
static inline const struct model_row *tu_row(const struct run_rep *r, const char *name) {
    for (size_t i = 0; i < r->nrows; i++)
        if (strcmp(r->rows[i].component, name) == 0) return &r->rows[i];
    return NULL;
}

#endif
