/*
 * ui_loop — the event loop of a full-screen view (the simulation dashboard, archload --tui):
 * wait for a key until the next frame is due, hand keys to the view, and call the view's
 * frame at a fixed rate. The views differ only in their callbacks.
 */
#ifndef ARCHSIM_UI_LOOP_H
#define ARCHSIM_UI_LOOP_H

#include <signal.h>

#include "ui.h"

/* Monotonic wall-clock time in s (CLOCK_MONOTONIC): what frames are timed by. */
double ui_wall_now(void);

/* How ui_loop_run ended. */
enum ui_loop_end {
    UI_LOOP_QUIT,    /* a key handler returned UI_QUIT */
    UI_LOOP_STOPPED, /* *stop became non-zero (SIGINT) */
    UI_LOOP_ENDED    /* the frame callback ended it */
};

/* A view for ui_loop_run. Callbacks get `user` back; all are required. Borrowed pointers. */
struct ui_loop {
    struct ui *ui;
    const volatile sig_atomic_t *stop; /* NULL, or the loop ends when *stop != 0 */
    double frame_s;                    /* s between frames (> 0) */
    int first_frame_now;               /* 1: the first frame is due at once; 0: after frame_s */
    void *user;
    /* A key (ui_key's codes) was pressed: returns UI_HANDLED | UI_REDRAW | UI_QUIT, or 0 when
     * the view does not use it. */
    int (*key)(void *user, int key);
    /* Redraw after a key returned UI_REDRAW (no frame is due yet). */
    void (*redraw)(void *user);
    /* A frame is due, now_s = ui_wall_now(): advance and draw. Returns 0 to go on, 1 to end
     * the loop (UI_LOOP_ENDED). */
    int (*frame)(void *user, double now_s);
};

/* Run the loop until a key quits, *stop is set (checked after every wait and every frame),
 * or frame ends it. Frames keep to multiples of frame_s from the start; after a stall (^Z,
 * a slow frame) the next is frame_s after the late one, so missed frames are not caught up.
 * Returns how it ended. */
enum ui_loop_end ui_loop_run(const struct ui_loop *l);

#endif
