/* ui_loop — a view's key and frame loop; see ui_loop.h. */
#include "ui_loop.h"

#include <time.h>

double ui_wall_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int stopped(const struct ui_loop *l) {
    return l->stop && *l->stop;
}

enum ui_loop_end ui_loop_run(const struct ui_loop *l) {
    double next_frame = ui_wall_now() + (l->first_frame_now ? 0 : l->frame_s);

    for (;;) {
        double now = ui_wall_now();
        int key = ui_key(l->ui, next_frame > now ? (int)((next_frame - now) * 1000 + 0.5) : 0);

        if (stopped(l)) return UI_LOOP_STOPPED;
        if (key != UI_KEY_NONE) {
            int flags = l->key(l->user, key);
            if (flags & UI_QUIT) return UI_LOOP_QUIT;
            if (flags & UI_REDRAW) l->redraw(l->user);
        }
        now = ui_wall_now();
        if (now < next_frame) continue;
        if (l->frame(l->user, now)) return UI_LOOP_ENDED;
        if (stopped(l)) return UI_LOOP_STOPPED;
        now = ui_wall_now();
        next_frame += l->frame_s;
        if (next_frame < now) next_frame = now + l->frame_s;
    }
}
