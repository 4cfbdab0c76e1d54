#!/bin/sh
# The live dashboard, driven as a person would: the real binary in a detached tmux session of
# 100x30 on a private socket (never a user's server), keys sent with send-keys, the screen read
# with capture-pane. Checks: every component of the scenario is listed; simulated time advances
# at the 1x pace; space pauses it; k on the selected component turns it down and logs it; ]
# raises the shown arrival rate by 10 %; at 80x24 the table is still whole; q restores the
# terminal, prints the summary and exits; --csv wrote the run (partial, with the user's
# actions); SIGTERM and SIGABRT also restore the terminal; at its end a run pauses and says
# so, and a run left alone writes the same CSV as `archsim run`; bare `archsim` on a terminal
# opens the dashboard on the built-in scenario; without a terminal `archsim tui` refuses.
#
#   sh tests/integration/test_tui.sh build
#
# Prints one line per check and "N passed, M failed"; exits 1 when anything failed. Bounded:
# every wait has a deadline, the whole file takes about 10 s. The tmux server is killed by its
# socket on exit, whatever happens (trap), which also ends any archsim still running in it.

set -u
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
CHECK_PREFIX="tui: "

BIN=$(abs_path "${1:-build}")/archsim
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SCN=$ROOT/scenarios/examples/failover.yaml
tmp_setup archsim-tui tmux_kill

[ -x "$BIN" ] || setup_failed "$BIN is not an executable (make build/archsim)"
command -v tmux >/dev/null 2>&1 || setup_failed "tmux is not installed (make deps)"

tmux_setup archsim-test
# The simulated time on the status line ("t=12.345s/30s").
sim_time() {
    tmux_screen "$1" | sed -n 's/.* t=\([0-9.]*\)s\/.*/\1/p' | head -n 1
}
# start SESSION COLS LINES ARGS...: the dashboard in a new detached session. A small script
# writes its pid and execs archsim (so PID is archsim's own); the pane's shell then records
# the exit status in $TMP/SESSION.rc (tmux_start). Arguments must not contain single quotes.
start() {
    name=$1 cols=$2 lines=$3
    shift 3
    {
        echo "cd '$ROOT' || exit 2"
        echo 'ulimit -c 0' # the SIGABRT check must not leave a core file
        # shellcheck disable=SC2016 # expanded by the script's own sh
        echo 'echo $$ >"$1"'
        printf 'LANG=C.UTF-8 exec'
        for a in "$BIN" "$@"; do printf " '%s'" "$a"; done
        echo
    } >"$TMP/$name.sh"
    tmux_start "$name" "$cols" "$lines" "sh '$TMP/$name.sh' '$TMP/$name.pid'"
    PID=
    i=0
    while [ "$i" -lt 30 ] && [ ! -s "$TMP/$name.pid" ]; do
        sleep 0.1
        i=$((i + 1))
    done
    PID=$(cat "$TMP/$name.pid" 2>/dev/null)
}

# ---- without a terminal -----------------------------------------------------------------------
"$BIN" tui "$SCN" </dev/null >"$TMP/out" 2>"$TMP/err"
rc=$?
if [ "$rc" -eq 2 ] && grep -qF "needs a terminal" "$TMP/err"; then
    ok "no terminal: exit 2 with a reason"
else
    not_ok "no terminal: exit 2 with a reason" "exit $rc, stderr: $(head -n 1 "$TMP/err")"
fi

# ---- the main session: failover at 1x, 100x30 -----------------------------------------------
start dash 100 30 tui "$SCN" --csv "$TMP/csv"
if ! tmux_wait_for dash "api[3]" 50; then
    not_ok "dashboard starts" "screen:" "$(tmux_screen dash | head -n 5)"
    finish
fi
S=$(tmux_screen dash)
missing=""
for comp in lb 'api\[1\]' 'api\[2\]' 'api\[3\]' total; do
    echo "$S" | grep -q "^$comp " || missing="$missing $comp"
done
if [ -z "$missing" ] && echo "$S" | grep -q "^component "; then
    ok "every component of the scenario is listed (lb, api[1..3], total)"
else
    not_ok "every component is listed" "missing:$missing" "$(echo "$S" | head -n 8)"
fi

# At 1x one wall second is one simulated second; frames (1/15 s), the capture and the sleep
# itself add jitter of a few tenths, so 0.5 .. 2 s is a safe window that still fails on a
# wrong pace (10x, or a stopped clock).
t1=$(sim_time dash)
sleep 1
t2=$(sim_time dash)
if awk -v a="$t1" -v b="$t2" 'BEGIN { d = b - a; exit !(a != "" && d >= 0.5 && d <= 2) }'; then
    ok "simulated time advances at 1x ($t1 s -> $t2 s in 1 s)"
else
    not_ok "simulated time advances at 1x" "t $t1 -> $t2 after 1 s"
fi

tm send-keys -t dash Space
if tmux_wait_for dash "PAUSED" 20; then
    t3=$(sim_time dash)
    sleep 1
    t4=$(sim_time dash)
    if [ -n "$t3" ] && [ "$t3" = "$t4" ]; then
        ok "space pauses: time stays at $t3 s for a second"
    else
        not_ok "space pauses" "t $t3 -> $t4 while paused"
    fi
else
    not_ok "space pauses" "no PAUSED on the status line"
fi

# Down selects api[1] (the second row); k crashes it: its state turns down and the log says so.
tm send-keys -t dash Down k
if tmux_wait_for dash "crashed" 20; then
    S=$(tmux_screen dash)
    if echo "$S" | grep -Eq '^api\[1\] +service +down ' &&
        echo "$S" | grep -Eq '[0-9]s api\[1\] +crash +calls refused'; then
        ok "k on the selected api[1]: state down, crash in the event log"
    else
        not_ok "k crashes the selected component" "$(echo "$S" | grep -F 'api[1]')"
    fi
else
    not_ok "k crashes the selected component" "no message" "$(tmux_screen dash | tail -n 3)"
fi

# ]: 300/s x 1.1 = 330/s on the status line and in the log.
if tmux_screen dash | grep -qF "rate 300/s"; then
    tm send-keys -t dash ']'
    if tmux_wait_for dash "rate 330/s" 20 && tmux_screen dash | grep -qF "user: x1.1, now 330/s"; then
        ok "] raises the arrival rate 300/s -> 330/s (status line and log)"
    else
        not_ok "] raises the arrival rate" "$(tmux_screen dash | head -n 1)"
    fi
else
    not_ok "] raises the arrival rate" "no 'rate 300/s' before: $(tmux_screen dash | head -n 1)"
fi

# 80x24: the layout is recomputed; the table keeps its header and every row.
tm resize-window -t dash -x 80 -y 24
sleep 0.4
S=$(tmux_screen dash)
width=$(tm display -p -t dash '#{pane_width}x#{pane_height}')
rows=0
for comp in lb 'api\[1\]' 'api\[2\]' 'api\[3\]' total; do
    echo "$S" | grep -q "^$comp " && rows=$((rows + 1))
done
if [ "$width" = 80x24 ] && [ "$rows" -eq 5 ] && echo "$S" | grep -q "^component .* errors "; then
    ok "resized to 80x24: the table is whole (5 rows and the header)"
else
    not_ok "resize to 80x24" "pane $width, $rows rows" "$(echo "$S" | head -n 8)"
fi

# q: the dashboard ends, the terminal is back (no alternate screen), the summary is printed.
tm send-keys -t dash q
if tmux_wait_exit dash 50; then
    S=$(tmux_history dash)
    alt=$(tm display -p -t dash '#{alternate_on}')
    if [ "$alt" = 0 ] && [ "$RC" = 0 ] && ! kill -0 "$PID" 2>/dev/null &&
        echo "$S" | grep -q "^failover: seed 1, .* PARTIAL" &&
        echo "$S" | grep -q "^component  *kind  *arrivals" &&
        echo "$S" | grep -q "^api\[1\]  *service " && echo "$S" | grep -q "^total  *workload "; then
        ok "q: process exited 0, terminal restored, summary printed (partial)"
    else
        not_ok "q restores the shell" "alternate screen $alt, exit $RC" \
            "$(echo "$S" | grep -v '^$' | head -n 4)"
    fi
else
    not_ok "q quits" "the process is still running"
fi

# --csv: summary.csv marked partial, the user's actions in events.csv, intervals written.
partial=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "partial") p = i; next }
                   $4 == "total" { print $p }' "$TMP/csv/summary.csv" 2>/dev/null)
if [ "$partial" = 1 ] && grep -q '^failover,0,1,[0-9.]*,api\[1\],crash,' "$TMP/csv/events.csv" &&
    grep -q ',rate,"user: x1.1, now 330/s"' "$TMP/csv/events.csv" &&
    [ "$(grep -c ',total,' "$TMP/csv/timeseries.csv")" -ge 1 ]; then
    ok "--csv: summary partial=1, crash and rate change in events.csv, timeseries rows"
else
    not_ok "--csv files" "partial='$partial'" "$(cat "$TMP/csv/events.csv" 2>/dev/null)"
fi

# ---- SIGTERM: the terminal is restored, the summary still printed, exit 130 ----------------
start term 100 30 tui "$SCN"
if tmux_wait_for term "api[3]" 50; then
    kill -TERM "$PID"
    if tmux_wait_exit term 50; then
        alt=$(tm display -p -t term '#{alternate_on}')
        if [ "$alt" = 0 ] && [ "$RC" = 130 ] &&
            tmux_history term | grep -q "^failover: seed 1, .* PARTIAL"; then
            ok "SIGTERM: terminal restored, summary printed, exit 130"
        else
            not_ok "SIGTERM restores the terminal" "alternate screen $alt, exit $RC" \
                "$(tmux_history term | grep -v '^$' | head -n 3)"
        fi
    else
        not_ok "SIGTERM ends the dashboard" "still running"
    fi
else
    not_ok "SIGTERM ends the dashboard" "dashboard did not start"
fi

# ---- SIGABRT (what xmalloc does when memory runs out): the terminal is restored ------------
start abrt 100 30 tui "$SCN"
if tmux_wait_for abrt "api[3]" 50; then
    kill -ABRT "$PID"
    if tmux_wait_exit abrt 50; then
        alt=$(tm display -p -t abrt '#{alternate_on}')
        # 134 = 128 + SIGABRT (6): the process died by the signal after restoring the terminal
        if [ "$alt" = 0 ] && [ "$RC" = 134 ] &&
            tmux_history abrt | grep -qF "fatal signal; terminal restored"; then
            ok "SIGABRT: terminal restored before dying (exit 134)"
        else
            not_ok "SIGABRT restores the terminal" "alternate screen $alt, exit $RC"
        fi
    else
        not_ok "SIGABRT ends the dashboard" "still running"
    fi
else
    not_ok "SIGABRT ends the dashboard" "dashboard did not start"
fi

# ---- the end: at speed max the run reaches 30 s, pauses and says so; left alone, its CSV
# equals the batch run's byte for byte (only summary.csv's wall_s differs) ------------------
"$BIN" run "$SCN" -q --csv "$TMP/batch" >/dev/null 2>&1
start end 100 30 tui "$SCN" --speed max --csv "$TMP/end"
if tmux_wait_for end "the scenario has ended" 100 && tmux_screen end | grep -qF "t=30.000s/30s  ENDED"; then
    ok "at the end: paused at t=30.000s, ENDED, says so"
else
    not_ok "the end pauses" "$(tmux_screen end | head -n 1)" "$(tmux_screen end | tail -n 1)"
fi
tm send-keys -t end q
blank_wall() {
    awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "wall_s") w = i }
             { $w = ""; print }' "$1"
}
if tmux_wait_exit end 50 && [ "$RC" = 0 ] && cmp -s "$TMP/batch/timeseries.csv" "$TMP/end/timeseries.csv" &&
    cmp -s "$TMP/batch/events.csv" "$TMP/end/events.csv" &&
    [ "$(blank_wall "$TMP/batch/summary.csv")" = "$(blank_wall "$TMP/end/summary.csv")" ]; then
    ok "a full run's CSV equals archsim run's (same seed): timeseries, events, summary"
else
    not_ok "full run equals batch" "exit $RC" \
        "$(diff "$TMP/batch/timeseries.csv" "$TMP/end/timeseries.csv" 2>&1 | head -n 3)"
fi

# ---- bare `archsim` on a terminal: the dashboard on the built-in scenario, 80x24 -------------
start bare 80 24
if tmux_wait_for bare "archsim default" 50 && tmux_wait_for bare "api[3]" 20; then
    tm send-keys -t bare q
    if tmux_wait_exit bare 50 && [ "$RC" = 0 ] && tmux_history bare | grep -q "^default: seed 1, "; then
        ok "bare archsim on a terminal opens the dashboard (built-in default scenario)"
    else
        not_ok "bare archsim opens the dashboard" "no summary after q"
    fi
else
    not_ok "bare archsim opens the dashboard" "$(tmux_screen bare | head -n 3)"
fi

finish
