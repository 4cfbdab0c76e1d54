/*
 * tgt_spec — archtarget's command-line values: service-time distributions ("exp:2ms"),
 * per-path overrides ("/slow=exp:20ms") and listen addresses ("127.0.0.1:0").
 *
 * Design: a distribution is written NAME:ARGS, with ARGS comma-separated, by position or as
 * name=value, e.g. "const:1ms", "exp:2ms", "lognormal:mean=5ms,p99=40ms", "uniform:1ms,3ms".
 * The scenario form NAME(ARGS) ("exp(2ms)") and a bare duration ("5ms" = constant) are accepted
 * too, so a value can be copied from a scenario's service_time. Names, parameter names and
 * kinds, positional orders and the constructor each name calls come from distspec.h's table,
 * the one the scenario syntax (scn_as_dist) uses too, and durations are parsed by units.h, so a
 * value means exactly the same thing to archsim and to archtarget, and a new distribution is
 * one table entry for both.
 *
 * Rejected: parsing through the scenario layer (scn_as_dist needs a YAML node, and its errors
 * carry a file position and key path that mean nothing on a command line), so the text is
 * split and the parameters converted here, with this file's messages; a copy of the table (a
 * new distribution took two edits that could disagree); a different syntax per distribution.
 */
#ifndef ARCHSIM_TGT_SPEC_H
#define ARCHSIM_TGT_SPEC_H

#include <stddef.h>

#include "dist.h"
#include "err.h"

/* Parse a service-time distribution in ns from text (see the file comment; forms: const, exp,
 * uniform, normal, lognormal (mean, p99 or mu, sigma, unit), gamma, erlang, pareto, hyperexp,
 * empirical (file, column; file relative to the current directory)). On success fills *out
 * (caller frees it with dist_free) and returns 0. On failure returns -1, leaves *out untouched
 * and fills err (no position) with a phrase naming the function and parameter, e.g.
 * "exp: mean: missing unit (e.g. 5ms)" or "unknown distribution 'expo' (did you mean 'exp'?)".
 * err may be NULL. */
int tgt_spec_dist(const char *text, struct dist *out, struct err *err);

/* Parse "PATH=DIST": PATH must start with '/', contain no '?', '#', '=' or whitespace and be
 * shorter than pathlen; DIST as tgt_spec_dist. Copies PATH into path (NUL-terminated) and fills
 * *out (caller frees with dist_free). Returns 0, or -1 with err and both outputs untouched. */
int tgt_spec_path(const char *text, char *path, size_t pathlen, struct dist *out, struct err *err);

/* Parse "HOST:PORT" ("127.0.0.1:8080", "localhost:0", "[::1]:0"; PORT 0..65535, 0 meaning an
 * ephemeral port). HOST is copied without brackets into host (size hostlen) and must be
 * non-empty. Returns 0, or -1 with err and the outputs untouched. */
int tgt_spec_listen(const char *text, char *host, size_t hostlen, unsigned *port, struct err *err);

#endif
