#!/bin/bash
# archload --tui, driven as a person would: archload in a detached tmux session of 100x30 on a
# private socket (never a user's server) against archtarget on 127.0.0.1 (a free port), keys
# sent with send-keys, the screen read with capture-pane, the server's own count read from its
# /stats over bash's /dev/tcp. Checks: without a terminal --tui refuses (exit 2); the status
# line names the target and the rate; the throughput chart shows a non-zero rate; the count of
# status 200 rises; space freezes the display (two captures a second apart are identical) while
# the server still receives requests; at 80x24 both charts are still drawn; q exits 0, restores
# the terminal and prints the summary, whose completed count equals the requests the server
# served; Ctrl-C in the view stops the run (exit 130), restores the terminal and marks the
# summary STOPPED early.
#
#   sh tests/integration/test_archload_tui.sh build
#
# Prints one line per check and "N passed, M failed"; exits 1 when anything failed. Bounded:
# every wait has a deadline; the whole file takes about 12 s. The tmux server is killed by its
# socket and archtarget by its pid on exit, whatever happens (trap).

# /dev/tcp is bash's; the Makefile runs every test with sh.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"

set -u
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
CHECK_PREFIX="archload-tui: "

BUILD=$(abs_path "${1:-build}")
AL=$BUILD/archload
AT=$BUILD/archtarget
AT_PID=

# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
    tmux_kill
    at_stop
}
tmp_setup archload-tui cleanup

# ---- tmux: one private server, one session per archload run ------------------------------------
tmux_setup archload-tui
# start_view SESSION RATE: archload --tui --rate RATE for 20 s (a key ends it long before) in a
# new 100x30 session; the pane's shell writes archload's exit status to $TMP/SESSION.rc.
# Returns 1 when the view did not appear within 5 s.
start_view() {
    tmux_start "$1" 100 30 "LANG=C.UTF-8 '$AL' --tui --rate $2 -d 20s '$URL'"
    tmux_wait_for "$1" "conns 256" 50
}

for b in "$AL" "$AT"; do
    [ -x "$b" ] || setup_failed "$b is not an executable (make all)"
done
command -v tmux >/dev/null 2>&1 || setup_failed "tmux is not installed (make deps)"

# ---- without a terminal: a clear refusal, exit 2 ----------------------------------------------
"$AL" --tui -d 1s http://127.0.0.1:9/ </dev/null >"$TMP/out" 2>"$TMP/err"
rc=$?
if [ "$rc" -eq 2 ] && grep -qF -- "--tui needs a terminal" "$TMP/err" && [ ! -s "$TMP/out" ]; then
    ok "stdout not a terminal: exit 2 with a reason"
else
    not_ok "stdout not a terminal: exit 2 with a reason" "exit $rc, stderr: $(head -n 1 "$TMP/err")"
fi

# ---- archtarget on a free port -----------------------------------------------------------------
at_start "$TMP/at.out" --service const:1ms ||
    setup_failed "archtarget did not start: $(cat "$TMP/at.out")"
URL=http://127.0.0.1:$AT_PORT/

# Requests archtarget has served on / (its /stats?format=text: "path / served N"); /stats itself
# is not counted.
served() {
    local line n=
    exec 3<>"/dev/tcp/127.0.0.1/$AT_PORT" || return 1
    printf 'GET /stats?format=text HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' >&3
    while IFS= read -r -t 2 line <&3; do
        case $line in
            "path / served "*) n=${line#path / served } ;;
        esac
    done
    exec 3<&-
    echo "${n%$'\r'}"
}
# The count of status 200 in the status code panel (" 200    ████ 1234  ...").
count_200() {
    tmux_screen view | sed -n 's/^ 200 [^0-9]*\([0-9][0-9]*\).*/\1/p' | head -n 1
}
# The throughput chart's legend ("rps 200", "rps 1.2k").
rps_label() {
    tmux_screen view | grep -o 'throughput (req/s) ─ rps [0-9.]*[kM]*' | head -n 1 | sed 's/.* rps //'
}

# ---- the view: open model, 200/s -------------------------------------------------------------
start_view view 200 || setup_failed "the view did not start: $(tmux_screen view | head -n 3)"
status=$(tmux_screen view | head -n 1)
if echo "$status" | grep -qF "$URL" && echo "$status" | grep -qF "rate 200/s"; then
    ok "status line: target and rate ($(echo "$status" | sed 's/^ *//; s/ *$//'))"
else
    not_ok "status line names the target and the rate" "$status"
fi

sleep 2.2
rps=$(rps_label)
if tmux_screen view | grep -qF "throughput (req/s)" &&
    awk -v r="$rps" 'BEGIN { exit !(r != "" && r + 0 > 0) }'; then
    ok "after 2 s the throughput chart shows rps $rps"
else
    not_ok "throughput chart with a non-zero rate" "rps label '$rps'" "$(tmux_screen view | sed -n 3p)"
fi

c1=$(count_200)
sleep 1.2
c2=$(count_200)
if [ -n "$c1" ] && [ -n "$c2" ] && [ "$c2" -gt "$c1" ]; then
    ok "status 200 count rises ($c1 -> $c2)"
else
    not_ok "status 200 count rises" "'$c1' -> '$c2'"
fi

tm send-keys -t view Space
if tmux_wait_for view "DISPLAY PAUSED" 20; then
    s1=$(tmux_screen view)
    n1=$(served)
    sleep 1
    s2=$(tmux_screen view)
    n2=$(served)
    if [ "$s1" = "$s2" ] && [ -n "$n1" ] && [ -n "$n2" ] && [ "$n2" -gt "$n1" ]; then
        ok "space freezes the display (identical a second apart) while the server got $n1 -> $n2"
    else
        not_ok "space freezes the display, the load goes on" "served '$n1' -> '$n2'" \
            "$(diff <(echo "$s1") <(echo "$s2") | head -n 4)"
    fi
else
    not_ok "space freezes the display" "no DISPLAY PAUSED: $(tmux_screen view | head -n 1)"
fi

# Resume, then 80x24: the layout is recomputed, both charts still drawn.
tm send-keys -t view Space
tm resize-window -t view -x 80 -y 24
sleep 0.5
S=$(tmux_screen view)
size=$(tm display -p -t view '#{pane_width}x#{pane_height}')
if [ "$size" = 80x24 ] && echo "$S" | grep -qF "throughput (req/s)" &&
    echo "$S" | grep -qF "p99 latency (ms)" && echo "$S" | grep -qF "status codes" &&
    ! echo "$S" | grep -qF "DISPLAY PAUSED"; then
    ok "resumed and resized to 80x24: both charts and the status codes are drawn"
else
    not_ok "resize to 80x24" "pane $size" "$(echo "$S" | head -n 4)"
fi

# q: the run stops as with Ctrl-C (drained), the terminal is restored, the summary printed.
tm send-keys -t view q
tmux_wait_exit view 100 || RC=
H=$(tmux_history view)
alt=$(tm display -p -t view '#{alternate_on}')
done_n=$(echo "$H" | sed -n 's/^sent \([0-9]*\) = \([0-9]*\) completed .*/\2/p' | tail -n 1)
total_done=$(echo "$H" | awk '$1 == "total" && $2 == "workload" { print $4 }' | tail -n 1)
n=$(served)
if [ "$RC" = 0 ] && [ "$alt" = 0 ] && echo "$H" | grep -q "^archload: $URL, open model" &&
    [ -n "$done_n" ] && [ "$done_n" = "$total_done" ] && [ "$done_n" = "$n" ] && [ "$n" -gt 0 ]; then
    ok "q: exit 0, terminal restored, summary printed; $done_n completed = archtarget's $n served"
else
    not_ok "q prints the summary with the server's count" "exit '$RC', alternate screen '$alt'" \
        "completed '$done_n', total row '$total_done', archtarget served '$n'" \
        "$(echo "$H" | grep -v '^$' | tail -n 4)"
fi

# ---- Ctrl-C in the view: SIGINT from the terminal stops the run (drained), exit 130 ---------
if start_view intr 100; then
    sleep 0.5
    tm send-keys -t intr C-c
    tmux_wait_exit intr 100 || RC=
    alt=$(tm display -p -t intr '#{alternate_on}')
    if [ "$RC" = 130 ] && [ "$alt" = 0 ] &&
        tmux_history intr | grep -q "STOPPED early (interrupted)"; then
        ok "Ctrl-C: exit 130, terminal restored, summary marked STOPPED early"
    else
        not_ok "Ctrl-C restores the terminal" "exit '$RC', alternate screen '$alt'" \
            "$(tmux_history intr | grep -v '^$' | tail -n 3)"
    fi
else
    not_ok "Ctrl-C: the view starts" "$(tmux_screen intr | head -n 3)"
fi

finish
