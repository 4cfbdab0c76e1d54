/*
 * ui — the terminal: the only file that includes curses. It starts and ends the curses
 * session, decides colour and Unicode, maps roles to attributes, reads keys, and offers the
 * few drawing primitives the widgets need (clipped text, repeated glyphs), so widgets and
 * dashboards (the simulator's and the load generator's) never touch curses and compile
 * without its headers.
 *
 * Terminal restore: ui_close restores it on every normal path (quit, an error, SIGINT and
 * SIGTERM, which the caller turns into a flag it polls between frames). For fatal signals
 * (SIGABRT from xmalloc's out-of-memory abort, SIGSEGV, SIGBUS, SIGFPE, SIGILL) ui_open
 * installs a handler that ends curses, writes one line to stderr and re-raises the signal
 * with its default action; it keeps no state, so there is no global to share with it.
 * endwin() is not async-signal-safe, but the process is dying anyway and a terminal left in
 * raw mode is the worse outcome (htop does the same).
 *
 * Colour: only when the terminal has colours and NO_COLOR is absent or empty (no-color.org);
 * otherwise roles map to bold, reverse, underline and dim. Unicode (braille charts, block
 * bars): when the character set of LC_CTYPE is UTF-8; ASCII otherwise.
 *
 * Rejected: initscr() (it exits the process when the terminal is unusable; newterm returns
 * NULL instead); a global "curses is active" flag for the signal handler (endwin() on a
 * session that ended is harmless, so the handler needs no flag).
 */
#ifndef ARCHSIM_UI_H
#define ARCHSIM_UI_H

#include "err.h"

struct ui;

/* What a piece of text is; ui.c maps it to colours or plain attributes. */
enum ui_role {
    UI_NORMAL,
    UI_TITLE,    /* panel titles */
    UI_HEADER,   /* table column headers */
    UI_STATUS,   /* the status line */
    UI_DIM,      /* axes, hints */
    UI_GOOD,     /* up, recovered */
    UI_WARN,     /* slow, warm-up, paused */
    UI_BAD,      /* down, errors */
    UI_SERIES_A, /* first chart series */
    UI_SERIES_B, /* second chart series */
    UI_ROLE_COUNT
};

/* OR into a role: draw it reversed (the selected table row). */
#define UI_REVERSE 0x100u

/* Keys beyond characters (ui_key returns characters as themselves). */
enum {
    UI_KEY_NONE = -1, /* timeout, or a signal interrupted the wait */
    UI_KEY_ESC = 27,
    UI_KEY_UP = 0x1000,
    UI_KEY_DOWN,
    UI_KEY_LEFT,
    UI_KEY_RIGHT,
    UI_KEY_PGUP,
    UI_KEY_PGDN,
    UI_KEY_HOME,
    UI_KEY_END,
    UI_KEY_RESIZE, /* the terminal changed size: recompute the layout */
    UI_KEY_OTHER   /* a function key nobody handles */
};

/* What a key handler did (OR-ed): it used the key, the screen must be redrawn, quit. */
#define UI_HANDLED 1
#define UI_REDRAW  2
#define UI_QUIT    4

/* Glyphs with a Unicode and an ASCII form. */
enum ui_glyph {
    UI_G_HLINE,  /* ─ or - */
    UI_G_VLINE,  /* │ or | */
    UI_G_AXIS,   /* ┤ or + : a tick on the y axis */
    UI_G_CORNER, /* └ or + */
    UI_G_FULL,   /* █ or # : a full bar cell */
    UI_G_TIMES,  /* × or x */
    UI_G_COUNT
};

/* Start curses on the process's terminal (stdin/stdout): raw keys with a timeout, keypad,
 * no echo, hidden cursor, colours and Unicode as above, fatal-signal handlers. Returns the
 * session, or NULL with err when stdin or stdout is not a terminal or curses cannot start
 * (unknown TERM). At most one session at a time. Free with ui_close. */
struct ui *ui_open(struct err *err);

/* End curses and restore the terminal and the signal handlers ui_open replaced. NULL ok. */
void ui_close(struct ui *ui);

/* 1 when Unicode glyphs (braille, block elements) may be drawn. */
int ui_utf8(const struct ui *ui);
/* 1 when roles are coloured. */
int ui_colored(const struct ui *ui);

/* Current size in cells (follows resizes once UI_KEY_RESIZE was read). */
void ui_size(const struct ui *ui, int *cols, int *lines);

/* Wait up to timeout_ms (0: poll) for a key; UI_KEY_NONE when none came. */
int ui_key(struct ui *ui, int timeout_ms);

/* Clear the frame being built / show it. */
void ui_erase(struct ui *ui);
void ui_flush(struct ui *ui);

/* Draw s at column x, line y in at most w columns (cut at a code point), in role (an enum
 * ui_role, optionally | UI_REVERSE). Nothing is drawn outside the screen. */
void ui_text(struct ui *ui, int x, int y, int w, unsigned role, const char *s);

/* printf-style ui_text (the formatted text is cut at 512 bytes). */
void ui_textf(struct ui *ui, int x, int y, int w, unsigned role, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

/* Draw the one-column glyph g (UTF-8, one code point) count times from (x, y). */
void ui_repeat(struct ui *ui, int x, int y, int count, unsigned role, const char *g);

/* The UTF-8 or ASCII form of a glyph, as the session allows. */
const char *ui_glyph(const struct ui *ui, enum ui_glyph g);

#endif
