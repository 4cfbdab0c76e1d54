/*
 * ui_session — the dashboard's engine side: one live run of a scenario, paced by wall time,
 * with the small command API the keys drive (pause, speed, step, crash/recover, slow/restore,
 * arrival rate, restart) and a read-only snapshot for the panels. No terminal here: the unit
 * tests drive it like the dashboard does, and a headless caller could too.
 *
 * Pacing: ui_session_advance(wall_dt, budget) moves simulated time forward by speed x wall_dt
 * (to the end of the run at speed "max"), in slices, and stops early when budget seconds of
 * wall time are spent, so a heavy scenario at 1000x slows the simulation down, never the
 * keyboard. Time not simulated within the budget is dropped, not owed (owing it would make
 * the lag grow without end); the achieved speed is reported so the status line can say so.
 * The slice adapts: halved when one slice used more than 1/8 of the budget, doubled (up to an
 * interval) when it used less than 1/64. Slicing never changes results (sim_run_until(t)
 * leaves events at t for the next slice), so a dashboard run left alone to its end has the
 * same summary as `archsim run` with the same seed.
 *
 * Lifecycle: running → paused (space) / stepping (n: up to just past the next interval end,
 * then paused) → ended (the scenario's duration reached: the last interval is closed, the
 * run waits for restart or quit). A restart builds a fresh model with the same seed.
 *
 * The last interval's rows feed the table, the end-to-end series (throughput, goodput, p99)
 * the charts; both reset at a restart. User actions that change the model are logged in the
 * run's event log (net_control logs its own; rate changes and restarts are logged here).
 *
 * Rejected: running the engine on a second thread (needs locking of every metric the panels
 * read, and the determinism of a run under user actions would depend on the scheduler);
 * catching up lost simulated time (a lagging run would race once the load eases).
 */
#ifndef ARCHSIM_UI_SESSION_H
#define ARCHSIM_UI_SESSION_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "hist.h"
#include "model.h"
#include "run.h"

struct ui_session;

enum ui_run_state {
    UI_RUNNING,
    UI_PAUSED,
    UI_STEPPING, /* advancing at full speed to the end of the current interval */
    UI_ENDED     /* the scenario's end (or an overflow): only restart and quit remain */
};

/* What the caller wants to see besides the dashboard: every interval's rows and every logged
 * event (for CSV), and the start of a new run after a restart. Any may be NULL. */
struct ui_session_hooks {
    net_interval_fn *interval;
    net_event_fn *event;
    void (*restart)(void *user); /* called before the new run's first event */
    void *user;
};

/* A wall clock in seconds (any origin), so tests can drive the budget. */
typedef double ui_clock_fn(void *user);

/* The speed ladder, slowest first; the last step is "max" (INFINITY). */
size_t ui_speed_count(void);
double ui_speed_at(size_t index);
/* The ladder step nearest to speed (INFINITY → max). */
size_t ui_speed_index(double speed);

/* Build the model of s (borrowed; must outlive the session) with s->seed and start it at time
 * 0, running at speed 1x. hooks are copied (NULL: none). stop (borrowed, may be NULL) is
 * polled by the engine: when set, advance returns at once. NULL with err when the scenario's
 * model is invalid. Free with ui_session_free. */
struct ui_session *ui_session_new(const struct run_scenario *s,
                                  const struct ui_session_hooks *hooks,
                                  const volatile sig_atomic_t *stop, struct err *err);
void ui_session_free(struct ui_session *ss); /* NULL ok */

/* Replace the wall clock (default CLOCK_MONOTONIC). */
void ui_session_set_clock(struct ui_session *ss, ui_clock_fn *fn, void *user);

/* Advance as described in the file comment: wall_dt seconds of wall time have passed since the
 * last call, budget is the wall time this call may spend. Does nothing unless running or
 * stepping. At least one slice runs even with a budget of 0. Returns 1 when the simulated
 * time or the state changed. */
int ui_session_advance(struct ui_session *ss, double wall_dt, double budget);

/* Commands. The ones that can fail return -1 with a one-line reason in err->msg. */
void ui_session_toggle_pause(struct ui_session *ss); /* no-op once ended */
void ui_session_set_speed(struct ui_session *ss, size_t index);
size_t ui_session_speed(const struct ui_session *ss); /* ladder index */
int ui_session_step(struct ui_session *ss, struct err *err);
/* Crash a running component, or recover a crashed one (logged). */
int ui_session_toggle_crash(struct ui_session *ss, size_t comp, struct err *err);
/* Slow a component's service times by factor, or restore a slowed one (logged). */
int ui_session_toggle_slow(struct ui_session *ss, size_t comp, double factor, struct err *err);
/* Multiply the arrival rate of an open workload by factor from now on (logged). */
int ui_session_scale_rate(struct ui_session *ss, double factor, struct err *err);
/* Start over: a new model with the same seed, running, speed kept (logged in the new run).
 * -1 with err when the model cannot be built again; the current run then goes on. */
int ui_session_restart(struct ui_session *ss, struct err *err);

/* A read-only view of the run for one frame; pointers are valid until the next call that
 * advances or changes the session. */
struct ui_snapshot {
    const struct run_scenario *scenario;
    int64_t now_ns, duration_ns;
    uint64_t seed;
    enum ui_run_state state;
    int overflowed;    /* ended because too many requests were in flight */
    size_t speed;      /* ladder index */
    double achieved;   /* simulated s per wall s recently (NAN before the first advance) */
    double rate_per_s; /* arrival rate of a steady open workload, NAN otherwise */
    double rate_scale; /* product of the user's rate changes */
    unsigned users;    /* closed workload: users (0 when open) */
    unsigned restarts;
    size_t ncomps;
    /* The last finished interval: ncomps component rows then the total; NULL before the
     * first interval ends. */
    const struct model_row *rows;
    int64_t rows_end_ns;
    /* End-to-end series per finished interval, oldest first. */
    size_t nseries;
    const double *t_end_s, *throughput_rps, *goodput_rps, *p99_ms;
    /* The event log, oldest first, in two runs of a ring (see net_events). */
    const struct net_event *ev_a, *ev_b;
    size_t nev_a, nev_b;
};
void ui_session_snapshot(const struct ui_session *ss, struct ui_snapshot *out);

/* A component (index < ncomps) for its name, kind, state (down, slow) and metrics. */
const struct comp *ui_session_comp(const struct ui_session *ss, size_t index);
/* Its current queue length (0 when it has no queue). */
double ui_session_queue_now(const struct ui_session *ss, size_t index);
/* Its summary since warm-up (index == ncomps: the total). */
void ui_session_summary_row(const struct ui_session *ss, size_t index, struct model_row *row);
/* Its latency histogram since warm-up (the current interval during warm-up); owned by the
 * session, valid until the next call. */
const struct hist *ui_session_latency(struct ui_session *ss, size_t index);

/* End the run now (when not ended: its last interval is closed and marked partial) and fill
 * out like run_replication does (free with run_rep_free); wall_s counts from the last
 * (re)start. After this the session is ended. */
void ui_session_result(struct ui_session *ss, struct run_rep *out);

#endif
