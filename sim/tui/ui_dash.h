/*
 * ui_dash — the live dashboard of `archsim tui`: panels over a ui_session, keys from a table,
 * one loop on one thread [htop ScreenManager]:
 *
 *     wait for a key until the next frame is due (timeout + getch)
 *     a key: its handler runs and returns UI_HANDLED | UI_REDRAW | UI_QUIT
 *     no key (the frame is due): advance the engine by speed x elapsed wall time within the
 *     frame's budget, update the panels from a snapshot, draw
 *
 * at 15 frames a second, the engine getting at most 60 % of a frame, so input is never kept
 * waiting by the simulation. KEY_RESIZE recomputes the layout from the terminal's size.
 *
 * Panels (ui_layout_dash): a status line (scenario, simulated time, state, speed, seed,
 * arrival rate), the component table (state, utilization bar, queue, rps, p99, errors, hit
 * ratio or lag), charts of end-to-end throughput / goodput and p99 per interval, the event
 * log, the scenario's description, and a hint line (keys, or the last action's result). `d`
 * swaps the charts, log and text for the selected component's detail (counters and latency
 * histogram); `?` lays the key table over everything.
 *
 * Every frame redraws everything from a fresh snapshot; curses sends the terminal only the
 * cells that changed. Rejected: redrawing only on change (simulated time changes every frame
 * anyway, and tracking what each panel depends on is where stale-screen bugs come from); a
 * thread for the engine (see ui_session.h); a frame rate tied to the simulation's intervals
 * (at 0.1x an interval lasts 10 s: keys would feel dead).
 *
 * This header has no curses in it: sim/cli includes it.
 */
#ifndef ARCHSIM_UI_DASH_H
#define ARCHSIM_UI_DASH_H

#include <signal.h>

#include "err.h"
#include "run.h"
#include "ui_session.h"

struct ui_dash_opts {
    const struct run_scenario *scenario; /* borrowed */
    double speed;                        /* initial speed (nearest ladder step); 0: 1x */
    const volatile sig_atomic_t *stop;   /* set by SIGINT/SIGTERM: quit at the next frame */
    struct ui_session_hooks hooks;       /* CSV writers etc., passed to the session */
};

/* Run the dashboard until q or the stop flag, then restore the terminal and fill rep with the
 * run's summary (partial unless it reached its end; free with run_rep_free). Returns 0 after
 * q, 1 when stopped by the flag, -1 with err when the terminal or the scenario's model could
 * not be set up (rep untouched) — the terminal is restored in every case. */
int ui_dash_run(const struct ui_dash_opts *o, struct run_rep *rep, struct err *err);

#endif
