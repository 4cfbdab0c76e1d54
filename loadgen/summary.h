/*
 * summary — archload's human-readable output: the table (the same columns as archsim's
 * report), the raw service time, status codes, errors by kind with the first message of each,
 * connection use, the accounting line (sent = completed + rejected + errors + in flight), and
 * the --latency percentile spectrum in wrk2's layout (HdrHistogram's percentile iteration with
 * 5 ticks per half distance). Also the rows (struct model_row) that the CSV writers take.
 *
 * Rows: one per request class — named after the class, or, without a scenario, after the
 * target (host:port, kind "http"/"https") — then "total" (kind "workload", as archsim's
 * end-to-end row). Library code: prints only to the FILE it is given.
 *
 * Rejected: printing from the engine as the run goes (the report needs the whole run, and the
 * engine stays free of stdio); wrk's free-form layout (the columns are archsim's, so the two
 * tools' tables compare line by line).
 */
#ifndef ARCHSIM_SUMMARY_H
#define ARCHSIM_SUMMARY_H

#include <stdio.h>

#include "engine.h"
#include "hist.h"
#include "model.h"
#include "plan.h"
#include "tally.h"

/* Fill rows[0 .. p->nclasses] (nclasses + 1 entries) from per-class tallies and the total,
 * rates over seconds. Names are borrowed from p. */
void summary_rows(const struct plan *p, const struct tally *cls, const struct tally *total,
                  const uint64_t *in_flight, uint64_t in_flight_total, double seconds,
                  struct model_row *rows);

/* Print the run's report to f (rows from summary_rows over the measured time). */
void summary_print(FILE *f, const struct plan *p, const struct engine_result *r,
                   const struct model_row *rows);

/* Print h (ns) as wrk2's "Latency Distribution" and "Detailed Percentile spectrum" (values in
 * ms) under title. Prints "no samples" for an empty histogram. */
void summary_spectrum(FILE *f, const char *title, const struct hist *h);

/* One line describing the plan (URL, model, rate or connections, limits). */
void summary_plan(FILE *f, const struct plan *p);

#endif
