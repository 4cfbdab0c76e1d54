/*
 * ui_load — the live view of `archload --tui`: a status line (target, rate or connections,
 * connection cap, elapsed time, state), the run's counters, charts of throughput and p99 per
 * interval, status code counts and errors by kind, and a hint line; q quits, space freezes the
 * display (the load keeps running), ? shows the keys. The same widgets (ui_widget) and the
 * same loop shape as the simulator's dashboard (ui_dash): timeout + getch, a key table whose
 * handlers return UI_HANDLED | UI_REDRAW | UI_QUIT, KEY_RESIZE recomputes the panels.
 *
 * Data: the view knows nothing of the load generator. It pulls a value snapshot
 * (struct ui_load_snap) through a callback 10 times a second; the caller fills it under its
 * own lock from what the engine hands over once per interval, so the engine's threads never
 * wait for the terminal. While the display is frozen the polls go on (so the view still sees
 * the run end) but the widgets keep the snapshot they had.
 *
 * Rejected: the view reading the engine's tallies directly (they belong to the engine's
 * threads and hold histograms; a few hundred numbers per frame copied under a lock cost
 * nothing and keep curses out of loadgen/); drawing from the engine's interval hook (the
 * screen would only move once a second and keys would wait for the interval).
 *
 * This header has no curses in it: loadgen/main.c includes it.
 */
#ifndef ARCHSIM_UI_LOAD_H
#define ARCHSIM_UI_LOAD_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define UI_LOAD_HISTORY 1024 /* intervals kept for the charts */
#define UI_LOAD_CODES   16   /* status codes listed (the lowest codes seen) */
#define UI_LOAD_KINDS   8    /* error kinds */

/* Where the run is. */
enum ui_load_state {
    UI_LOAD_RUNNING,
    UI_LOAD_STOPPING, /* stop requested: no new requests, in-flight ones are awaited */
    UI_LOAD_ENDED
};

struct ui_load_code {
    int code; /* HTTP status; 0 for codes outside 0..599 */
    uint64_t count;
};

struct ui_load_kind {
    char name[16]; /* "connect", "timeout", ... */
    uint64_t count;
};

/* Everything the view shows, as values (no pointers): copied whole at each poll. */
struct ui_load_snap {
    char target[256];     /* the URL */
    char load[64];        /* "rate 200/s", "3 phases", "closed" */
    unsigned connections; /* open: the cap; closed: the connections */
    double duration_s;    /* how long the run sends; 0 when only -n bounds it */
    double elapsed_s;     /* wall time since the run started */
    enum ui_load_state state;
    uint64_t sent, completed, rejected, errors, in_flight; /* since the start, warm-up included */
    size_t ncodes;
    struct ui_load_code codes[UI_LOAD_CODES]; /* ascending by code */
    size_t nkinds;
    struct ui_load_kind kinds[UI_LOAD_KINDS]; /* every kind, in the engine's order */
    size_t n;                                 /* intervals in the arrays below, oldest first */
    double t_end_s[UI_LOAD_HISTORY];          /* end of each interval since the start, s */
    double rps[UI_LOAD_HISTORY];              /* completions per second in the interval */
    double p99_ms[UI_LOAD_HISTORY];           /* p99 latency of its completions; NAN: none */
};

/* Fill *out with the current state; called on the view's thread, 10 times a second. */
typedef void ui_load_snapshot_fn(void *user, struct ui_load_snap *out);

struct ui_load_opts {
    ui_load_snapshot_fn *snapshot;
    void *user;
    const volatile sig_atomic_t *stop; /* set by SIGINT/SIGTERM: leave at the next frame */
};

/* How ui_load_run ended. */
enum { UI_LOAD_QUIT = 0, UI_LOAD_END = 1, UI_LOAD_STOPPED = 2 };

/* Show the view until q (UI_LOAD_QUIT), the snapshot's state is UI_LOAD_ENDED (UI_LOAD_END)
 * or *stop is set (UI_LOAD_STOPPED); the terminal is restored before it returns. Returns -1
 * with err when the terminal cannot be used (stdin or stdout not a terminal, unknown TERM). */
int ui_load_run(const struct ui_load_opts *o, struct err *err);

#endif
