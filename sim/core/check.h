/*
 * check — invariant checks on the event path, on in checked builds only.
 *
 * CHECK(x) is assert(x) when ARCHSIM_CHECKS is defined and nothing otherwise. It is for
 * invariants tested on every event (an event not scheduled in the past, a call answered by
 * the component holding it), where a plain assert costs 2-4 % of a release run's
 * instructions (callgrind, docs/performance.md). The ASan/UBSan build (`make asan`, run by
 * `make test` on every unit test) defines ARCHSIM_CHECKS, so each check still runs there.
 * A check whose failure would corrupt memory in a release build stays a plain assert.
 */
#ifndef ARCHSIM_CHECK_H
#define ARCHSIM_CHECK_H

#include <assert.h>

#ifdef ARCHSIM_CHECKS
#define CHECK(x) assert(x)
#else
#define CHECK(x) ((void)0)
#endif

#endif
