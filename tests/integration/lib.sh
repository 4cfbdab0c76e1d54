# shellcheck shell=sh
# Shared helpers of the integration scripts: reporting (ok / not_ok / "N passed, M failed"),
# checks, running a binary into files, reading CSV, a scratch directory cleaned on exit,
# archtarget on a loopback port, and a private tmux server for the dashboards. POSIX sh; also
# sourced from bash. A script sources it near its top:
#
#   . "$(dirname "$0")/lib.sh"                     (tests/integration/*.sh)
#   . "$(dirname "$0")/../integration/lib.sh"      (tests/validation/*.sh)
#
# Nothing has to be set before sourcing. Sourcing sets PASS=0 and FAIL=0 and defines functions;
# it runs nothing else. Functions read the variables below when they are called, so a script
# sets them before the first call, before or after sourcing. Every helper works with and
# without `set -u`. Internal variables start with `_` and a tag of their function, so they do
# not clobber a script's own. Where the scripts' messages differed, both forms are here under
# their own names (check / check_quiet, expect_rc / expect_exit_status) and a script keeps its
# output as it was; its own single-use helpers stay in it.
#
# Variables a script may set:
#   CHECK_WIDTH   column where a check's name starts (default 6: "ok    NAME", "FAIL  NAME",
#                 details at column 8; 7 gives "ok     NAME", "FAIL   NAME", details at 9)
#   CHECK_PREFIX  put before every check's name (default none; e.g. "tui: ")
#   TMP           scratch directory (tmp_setup sets it); used by same_summary and tmux_*
#   OUT, ERR      files for a run's stdout and stderr; used by sim, expect_rc,
#                 expect_exit_status, first_err
#   BIN           the archsim binary, for sim
#   AT            the archtarget binary, for at_start
# Variables the helpers set: PASS, FAIL; RC (sim, wait_or_kill, tmux_wait_exit); TMP
# (tmp_setup); BIN, OUT, ERR (sim_setup); AT_PID, AT_PORT (at_start); SOCK (tmux_setup).
#
# ---- reporting: one line per check, "N passed, M failed" at the end -------------------------
#   ok NAME                   count a pass (PASS), print "ok    NAME"
#   not_ok NAME [DETAIL...]   count a failure (FAIL), print "FAIL  NAME" and each DETAIL on a
#                             line of its own, indented two columns past the names
#   note TEXT...              print TEXT at the details' indentation (counts nothing)
#   finish                    print "$PASS passed, $FAIL failed"; exit 1 if FAIL > 0, else 0
#   setup_failed REASON       not_ok "setup" REASON, then finish (nothing else can run)
#
# ---- checks ---------------------------------------------------------------------------------
#   check NAME CMD...         ok when CMD succeeds, else not_ok with "failed: CMD..."; CMD's
#                             own output goes where the script's goes
#   check_quiet NAME CMD...   the same, with CMD's stdout and stderr thrown away
#   check_status NAME STATUS DETAIL
#                             ok when STATUS (usually $? of a condition just run) is 0, else
#                             not_ok with DETAIL
#   expect_rc NAME WANT       ok when $RC is WANT; else the details "exit RC, expected WANT" and
#                             the first 2 lines of $ERR
#   expect_exit_status NAME WANT
#                             the same with the details "exit status RC, expected WANT" and
#                             "stderr: " + the first 3 lines of $ERR
#   first_err NAME WANT       ok when the first line of $ERR is exactly WANT, else details
#                             "want: WANT" and "got:  LINE"
#   fcmp EXPR                 true when the awk expression holds: fcmp "$x >= 0.9 && $x <= 1"
#
# ---- running programs -----------------------------------------------------------------------
#   sim ARGS...               run "$BIN" ARGS, stdout to $OUT, stderr to $ERR; sets RC
#   wait_or_kill PID SECONDS  wait for PID (a child of this shell), sending it SIGKILL if it is
#                             still running after SECONDS; sets RC to its exit status (137
#                             when it was killed)
#   poll_out TRIES CMD...     run CMD up to TRIES times, 0.1 s apart, until it prints
#                             something; print that (nothing if never); returns 0 when there
#                             was something: PORT=$(poll_out 50 head -n 1 "$TMP/port")
#
# ---- CSV (comma-separated, a header line, no quoted commas) -----------------------------------
#   csv_field FILE COMPONENT COLUMN
#                             print COLUMN of the first row whose "component" is COMPONENT;
#                             nothing when either column is missing
#   csv_select FILE COLUMN CONDITION
#                             print COLUMN of every row where the awk CONDITION holds;
#                             CONDITION sees the columns by name as $col["name"]
#   drop_wall FILE            print FILE without its wall_s column (the one column that
#                             differs between equal runs)
#   same_summary A B          true when A and B are equal but for wall_s; writes $TMP/s1 and
#                             $TMP/s2
#
# ---- setup ----------------------------------------------------------------------------------
#   abs_path PATH             print PATH made absolute (against the current directory)
#   require_exec FILE HINT    unless FILE is executable: print "SCRIPT: FILE is not an
#                             executable (HINT)" on stderr and exit 2
#   sim_setup PREFIX BUILD_DIR
#                             the usual start of an archsim script: BIN=BUILD_DIR/archsim
#                             (absolute), require_exec it, tmp_setup PREFIX, OUT=$TMP/out,
#                             ERR=$TMP/err
#   tmp_setup PREFIX [HOOK]   make TMP=$(mktemp -d ${TMPDIR:-/tmp}/PREFIX.XXXXXX) (exit 2 if
#                             that fails); on exit run HOOK (a command: e.g. a function that
#                             stops the script's servers), then remove TMP; INT, TERM and HUP
#                             exit 130 (a script wanting more signals adds its own trap)
#   write_mm1 FILE DURATION [WARMUP]
#                             write a small M/M/1 scenario to FILE: name mm1, seed 7, Poisson
#                             arrivals at 800/s to one service "api" with 1 worker and
#                             exp(1ms) service times (rho = 0.8, W = 5 ms), lasting DURATION,
#                             with `warmup: WARMUP` on line 3 when given (without it the
#                             workload starts on line 4: error positions count on that)
#
# ---- archtarget on loopback -------------------------------------------------------------------
#   at_start OUTFILE ARGS...  start "$AT" --listen 127.0.0.1:0 ARGS in the background, stdout
#                             and stderr to OUTFILE; sets AT_PID at once and AT_PORT once it
#                             printed "listening on 127.0.0.1:PORT" (within 5 s); returns 0
#                             when it did
#   at_stop                   kill AT_PID (if set), wait for it, clear AT_PID
#
# ---- tmux: one private server per script (its own socket, never a user's) ---------------------
#   tmux_setup NAME           SOCK=NAME-$$ (the server's socket name); writes $TMP/tmux.conf
#                             (no user configuration, dead panes kept, no status line)
#   tm ARGS...                tmux on that socket with that configuration
#   tmux_kill                 kill that server (and what runs in it), if SOCK is set; quiet
#   tmux_start SESSION COLS LINES COMMAND
#                             a detached session of COLS x LINES running the shell COMMAND;
#                             the pane's shell then writes COMMAND's exit status to
#                             $TMP/SESSION.rc (tmux's pane_dead_status is not always filled in
#                             in tmux 3.3a when capture-pane ran meanwhile)
#   tmux_screen SESSION       print the visible screen (-J: lines the terminal wrapped joined)
#   tmux_history SESSION      the same with the lines scrolled off it
#   tmux_wait_for SESSION FIXED-STRING TENTHS
#                             poll the screen until it shows the string, at most TENTHS/10 s;
#                             returns 0 when it did
#   tmux_wait_exit SESSION TENTHS
#                             wait at most TENTHS/10 s for $TMP/SESSION.rc; sets RC to the
#                             exit status, or to "running" (and returns 1) when it is not there

PASS=0
FAIL=0

# ---- reporting ------------------------------------------------------------------------------

# _lib_pad N: CHECK_WIDTH - N spaces (the labels "ok" and "FAIL" plus their padding, or the
# indentation of details for N = -2). echo, not printf '%s', prints the lines below: the
# scripts always used echo, and dash's echo interprets backslashes.
_lib_pad() {
    printf "%$((${CHECK_WIDTH:-6} - $1))s" ""
}

ok() {
    PASS=$((PASS + 1))
    echo "ok$(_lib_pad 2)${CHECK_PREFIX:-}$1"
}

not_ok() {
    FAIL=$((FAIL + 1))
    echo "FAIL$(_lib_pad 4)${CHECK_PREFIX:-}$1"
    shift
    _no_ind=$(_lib_pad -2)
    for _no_line in "$@"; do
        echo "$_no_ind$_no_line"
    done
}

note() {
    echo "$(_lib_pad -2)$*"
}

finish() {
    echo "$PASS passed, $FAIL failed"
    [ "$FAIL" -eq 0 ] && exit 0
    exit 1
}

setup_failed() {
    not_ok "setup" "$1"
    finish
}

# ---- checks ---------------------------------------------------------------------------------

check() {
    _ck_name=$1
    shift
    if "$@"; then ok "$_ck_name"; else not_ok "$_ck_name" "failed: $*"; fi
}

check_quiet() {
    _ck_name=$1
    shift
    if "$@" >/dev/null 2>&1; then ok "$_ck_name"; else not_ok "$_ck_name" "failed: $*"; fi
}

check_status() {
    if [ "$2" -eq 0 ]; then ok "$1"; else not_ok "$1" "$3"; fi
}

expect_rc() {
    if [ "$RC" -eq "$2" ]; then ok "$1"; else not_ok "$1" "exit $RC, expected $2" "$(head -n 2 "$ERR")"; fi
}

expect_exit_status() {
    if [ "$RC" -eq "$2" ]; then
        ok "$1"
    else
        not_ok "$1" "exit status $RC, expected $2" "stderr: $(head -n 3 "$ERR")"
    fi
}

first_err() {
    _fe_got=$(head -n 1 "$ERR")
    if [ "$_fe_got" = "$2" ]; then ok "$1"; else not_ok "$1" "want: $2" "got:  $_fe_got"; fi
}

fcmp() {
    awk "BEGIN { exit !($1) }"
}

# ---- running programs -----------------------------------------------------------------------

sim() {
    "$BIN" "$@" >"$OUT" 2>"$ERR"
    RC=$?
}

# The watchdog is a subshell: killing it leaves its sleep to run out on its own, with no copy
# of the script's stdout or stderr, so nobody waits for it.
wait_or_kill() {
    (sleep "$2" && kill -KILL "$1" 2>/dev/null) >/dev/null 2>&1 &
    _wk_dog=$!
    wait "$1"
    RC=$?
    kill "$_wk_dog" 2>/dev/null
}

poll_out() {
    _po_tries=$1
    shift
    _po_i=0
    _po_got=
    while [ "$_po_i" -lt "$_po_tries" ] && [ -z "$_po_got" ]; do
        _po_got=$("$@")
        [ -n "$_po_got" ] || sleep 0.1
        _po_i=$((_po_i + 1))
    done
    printf '%s\n' "$_po_got"
    [ -n "$_po_got" ]
}

# ---- CSV ------------------------------------------------------------------------------------

# shellcheck disable=SC2016 # awk programs are single-quoted on purpose
csv_field() {
    awk -F, -v comp="$2" -v col="$3" '
        NR == 1 { for (i = 1; i <= NF; i++) { if ($i == col) c = i; if ($i == "component") k = i }
                  next }
        c && k && $k == comp { print $c; exit }' "$1"
}

csv_select() {
    awk -F, -v want="$2" 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
                          '"$3"' { print $col[want] }' "$1"
}

drop_wall() {
    awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "wall_s") w = i }
             { out = ""; for (i = 1; i <= NF; i++) if (i != w) out = out (i == 1 || (i == 2 && w == 1) ? "" : ",") $i; print out }' "$1"
}

same_summary() {
    drop_wall "$1" >"$TMP/s1"
    drop_wall "$2" >"$TMP/s2"
    cmp -s "$TMP/s1" "$TMP/s2"
}

# ---- setup ----------------------------------------------------------------------------------

abs_path() {
    case $1 in
        /*) printf '%s\n' "$1" ;;
        *) printf '%s\n' "$(pwd)/$1" ;;
    esac
}

require_exec() {
    if [ ! -x "$1" ]; then
        echo "${0##*/}: $1 is not an executable ($2)" >&2
        exit 2
    fi
}

tmp_setup() {
    TMP=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX") || exit 2
    _tmp_hook=${2:-}
    trap _tmp_cleanup EXIT
    trap 'exit 130' INT TERM HUP
}

# shellcheck disable=SC2317 # run by the EXIT trap
_tmp_cleanup() {
    [ -z "$_tmp_hook" ] || $_tmp_hook
    rm -rf "$TMP"
}

# shellcheck disable=SC2034 # OUT and ERR are for the caller
sim_setup() {
    BIN=$(abs_path "$2")/archsim
    require_exec "$BIN" "make build/archsim"
    tmp_setup "$1"
    OUT=$TMP/out
    ERR=$TMP/err
}

write_mm1() {
    {
        printf 'name: mm1\nduration: %s\n' "$2"
        [ -z "${3:-}" ] || printf 'warmup: %s\n' "$3"
        printf '%s\n' 'seed: 7' 'workload:' '  arrivals: poisson' '  rate: 800/s' \
            '  target: api' 'components:' '  api:' '    kind: service' '    workers: 1' \
            '    service_time: exp(1ms)'
    } >"$1"
}

# ---- archtarget on loopback -------------------------------------------------------------------

# shellcheck disable=SC2034 # AT_PORT is for the caller
at_start() {
    _at_out=$1
    shift
    "$AT" --listen 127.0.0.1:0 "$@" >"$_at_out" 2>&1 &
    AT_PID=$!
    AT_PORT=$(poll_out 50 sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$_at_out")
}

at_stop() {
    if [ -n "${AT_PID:-}" ]; then
        kill "$AT_PID" 2>/dev/null
        wait "$AT_PID" 2>/dev/null
    fi
    AT_PID=
}

# ---- tmux -----------------------------------------------------------------------------------

tmux_setup() {
    SOCK=$1-$$
    printf 'set -g remain-on-exit on\nset -g status off\n' >"$TMP/tmux.conf"
}

tm() {
    tmux -L "$SOCK" -f "$TMP/tmux.conf" "$@"
}

tmux_kill() {
    [ -z "${SOCK:-}" ] || tmux -L "$SOCK" kill-server >/dev/null 2>&1
}

tmux_start() {
    tm new-session -d -s "$1" -x "$2" -y "$3" "$4; echo \$? >'$TMP/$1.rc'"
}

tmux_screen() {
    tm capture-pane -p -J -t "$1" 2>/dev/null
}

tmux_history() {
    tm capture-pane -p -J -S - -t "$1" 2>/dev/null
}

tmux_wait_for() {
    _tw_i=0
    while [ "$_tw_i" -lt "$3" ]; do
        tmux_screen "$1" | grep -qF -- "$2" && return 0
        sleep 0.1
        _tw_i=$((_tw_i + 1))
    done
    return 1
}

tmux_wait_exit() {
    _te_i=0
    while [ "$_te_i" -lt "$2" ] && [ ! -s "$TMP/$1.rc" ]; do
        sleep 0.1
        _te_i=$((_te_i + 1))
    done
    if [ -s "$TMP/$1.rc" ]; then
        RC=$(cat "$TMP/$1.rc")
        return 0
    fi
    RC=running
    return 1
}
