/* ui — the curses session, roles, keys and drawing primitives; see ui.h. */
#include "ui.h"

#include <curses.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ui_layout.h"
#include "xmalloc.h"

/* Signals after which the process dies: the terminal is restored first. */
static const int fatal_signals[] = {SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL};
#define NFATAL (sizeof fatal_signals / sizeof fatal_signals[0])

struct ui {
    SCREEN *screen;
    int utf8, color;
    attr_t attr[UI_ROLE_COUNT];
    char *old_ctype; /* LC_CTYPE before ui_open, restored by ui_close */
    struct sigaction old[NFATAL];
};

/* Unicode and ASCII forms of each glyph. */
static const char *const glyphs[UI_G_COUNT][2] = {
    [UI_G_HLINE] = {"\xe2\x94\x80", "-"}, [UI_G_VLINE] = {"\xe2\x94\x82", "|"},
    [UI_G_AXIS] = {"\xe2\x94\xa4", "+"},  [UI_G_CORNER] = {"\xe2\x94\x94", "+"},
    [UI_G_FULL] = {"\xe2\x96\x88", "#"},  [UI_G_TIMES] = {"\xc3\x97", "x"},
};

/* Runs on a fatal signal: end curses, say why, die by the same signal. SA_RESETHAND has put
 * the default action back, so the re-raised signal (delivered when this returns) kills. */
static void on_fatal(int sig) {
    static const char msg[] = "\narchsim: fatal signal; terminal restored\n";

    endwin();
    if (write(STDERR_FILENO, msg, sizeof msg - 1) < 0) {
        /* nothing more can be done */
    }
    raise(sig);
}

/* Set while the dashboard owns the terminal; at_exit restores it if the process exits then
 * (xmalloc's out-of-memory exit, for one). Process-wide: one dashboard at a time. */
static volatile int curses_active;

static void at_exit(void) {
    if (curses_active) endwin();
}

/* Foreground and background per role (-1: the terminal's default); a role's colour pair has
 * the role's number. */
static const short role_colors[UI_ROLE_COUNT][2] = {
    [UI_NORMAL] = {-1, -1},
    [UI_TITLE] = {COLOR_CYAN, -1},
    [UI_HEADER] = {COLOR_BLACK, COLOR_GREEN},
    [UI_STATUS] = {COLOR_WHITE, COLOR_BLUE},
    [UI_DIM] = {-1, -1},
    [UI_GOOD] = {COLOR_GREEN, -1},
    [UI_WARN] = {COLOR_YELLOW, -1},
    [UI_BAD] = {COLOR_RED, -1},
    [UI_SERIES_A] = {COLOR_CYAN, -1},
    [UI_SERIES_B] = {COLOR_MAGENTA, -1},
};

static void setup_roles(struct ui *ui) {
    /* Without colour: plain attributes that still tell the roles apart. */
    static const attr_t plain[UI_ROLE_COUNT] = {
        [UI_NORMAL] = A_NORMAL,   [UI_TITLE] = A_BOLD, [UI_HEADER] = A_REVERSE,
        [UI_STATUS] = A_REVERSE,  [UI_DIM] = A_DIM,    [UI_GOOD] = A_NORMAL,
        [UI_WARN] = A_BOLD,       [UI_BAD] = A_BOLD,   [UI_SERIES_A] = A_BOLD,
        [UI_SERIES_B] = A_NORMAL,
    };
    const char *no_color = getenv("NO_COLOR");

    ui->color = has_colors() && !(no_color && *no_color) && start_color() == OK;
    if (ui->color) use_default_colors();
    for (int r = 0; r < UI_ROLE_COUNT; r++) {
        ui->attr[r] = plain[r];
        if (!ui->color || r == UI_NORMAL || r == UI_DIM) continue;
        init_pair((short)r, role_colors[r][0], role_colors[r][1]);
        ui->attr[r] = COLOR_PAIR(r) | (r == UI_TITLE || r == UI_BAD ? A_BOLD : A_NORMAL);
    }
}

struct ui *ui_open(struct err *err) {
    struct ui *ui;
    const char *ctype;

    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        err_set(err, NULL, 0, 0,
                "the dashboard needs a terminal on stdin and stdout "
                "(use `archsim run` for batch output)");
        return NULL;
    }
    ui = xcalloc(1, sizeof *ui);
    ctype = setlocale(LC_CTYPE, NULL);
    ui->old_ctype = xstrdup(ctype ? ctype : "C");
    setlocale(LC_CTYPE, "");
    ui->utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
    ui->screen = newterm(NULL, stdout, stdin);
    if (!ui->screen) {
        const char *term = getenv("TERM");
        err_set(err, NULL, 0, 0, "cannot start the dashboard on terminal type '%s'",
                term ? term : "(TERM unset)");
        goto fail;
    }
    set_term(ui->screen);
    {
        static int registered;
        if (!registered) registered = atexit(at_exit) == 0;
        curses_active = 1;
    }
    for (size_t i = 0; i < NFATAL; i++) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_fatal;
        sa.sa_flags = SA_RESETHAND;
        sigemptyset(&sa.sa_mask);
        sigaction(fatal_signals[i], &sa, &ui->old[i]);
    }
    cbreak(); /* keys at once; Ctrl-C still sends SIGINT, which the caller handles */
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    set_escdelay(25);
    curs_set(0);
    setup_roles(ui);
    return ui;
fail:
    setlocale(LC_CTYPE, ui->old_ctype);
    free(ui->old_ctype);
    free(ui);
    return NULL;
}

void ui_close(struct ui *ui) {
    if (!ui) return;
    curs_set(1);
    endwin();
    curses_active = 0;
    delscreen(ui->screen);
    for (size_t i = 0; i < NFATAL; i++)
        sigaction(fatal_signals[i], &ui->old[i], NULL);
    setlocale(LC_CTYPE, ui->old_ctype);
    free(ui->old_ctype);
    free(ui);
}

int ui_utf8(const struct ui *ui) {
    return ui->utf8;
}

int ui_colored(const struct ui *ui) {
    return ui->color;
}

void ui_size(const struct ui *ui, int *cols, int *lines) {
    int y, x;

    (void)ui;
    getmaxyx(stdscr, y, x);
    *cols = x;
    *lines = y;
}

int ui_key(struct ui *ui, int timeout_ms) {
    int c;

    (void)ui;
    timeout(timeout_ms);
    c = getch();
    switch (c) {
        case ERR:
            return UI_KEY_NONE;
        case KEY_UP:
            return UI_KEY_UP;
        case KEY_DOWN:
            return UI_KEY_DOWN;
        case KEY_LEFT:
            return UI_KEY_LEFT;
        case KEY_RIGHT:
            return UI_KEY_RIGHT;
        case KEY_PPAGE:
            return UI_KEY_PGUP;
        case KEY_NPAGE:
            return UI_KEY_PGDN;
        case KEY_HOME:
            return UI_KEY_HOME;
        case KEY_END:
            return UI_KEY_END;
        case KEY_RESIZE:
            return UI_KEY_RESIZE;
        default:
            return c >= 0 && c < 256 ? c : UI_KEY_OTHER;
    }
}

void ui_erase(struct ui *ui) {
    (void)ui;
    erase();
}

void ui_flush(struct ui *ui) {
    (void)ui;
    refresh();
}

static attr_t role_attr(const struct ui *ui, unsigned role) {
    unsigned r = role & 0xffu;
    attr_t a = r < UI_ROLE_COUNT ? ui->attr[r] : A_NORMAL;

    return (role & UI_REVERSE) ? a | A_REVERSE : a;
}

void ui_text(struct ui *ui, int x, int y, int w, unsigned role, const char *s) {
    char buf[1024];
    size_t len;
    int cols, lines;

    ui_size(ui, &cols, &lines);
    if (y < 0 || y >= lines || x < 0 || x >= cols || w <= 0) return;
    if (w > cols - x) w = cols - x;
    if (!ui->utf8) {
        /* Non-ASCII text would print as multi-column escapes: one '?' per code point. */
        size_t o = 0;
        for (const unsigned char *p = (const unsigned char *)s; *p && o + 1 < sizeof buf; p++)
            if (*p < 0x80)
                buf[o++] = (char)*p;
            else if ((*p & 0xC0) != 0x80)
                buf[o++] = '?';
        buf[o] = '\0';
        s = buf;
    }
    len = ui_clip(s, w);
    attrset(role_attr(ui, role));
    mvaddnstr(y, x, s, (int)len);
    attrset(A_NORMAL);
}

void ui_textf(struct ui *ui, int x, int y, int w, unsigned role, const char *fmt, ...) {
    char buf[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    ui_text(ui, x, y, w, role, buf);
}

void ui_repeat(struct ui *ui, int x, int y, int count, unsigned role, const char *g) {
    int cols, lines;

    ui_size(ui, &cols, &lines);
    if (y < 0 || y >= lines || x < 0) return;
    if (count > cols - x) count = cols - x;
    attrset(role_attr(ui, role));
    for (int i = 0; i < count; i++)
        mvaddstr(y, x + i, g);
    attrset(A_NORMAL);
}

const char *ui_glyph(const struct ui *ui, enum ui_glyph g) {
    return glyphs[g][ui->utf8 ? 0 : 1];
}
