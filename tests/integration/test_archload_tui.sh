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

BUILD=${1:-build}
case $BUILD in
    /*) ;;
    *) BUILD=$(pwd)/$BUILD ;;
esac
AL=$BUILD/archload
AT=$BUILD/archtarget
SOCK=archload-tui-$$
TMP=$(mktemp -d "${TMPDIR:-/tmp}/archload-tui.XXXXXX") || exit 2
AT_PID=

# shellcheck disable=SC2317 # run by the trap
cleanup() {
    tmux -L "$SOCK" kill-server >/dev/null 2>&1
    if [ -n "$AT_PID" ]; then
        kill "$AT_PID" 2>/dev/null
        wait "$AT_PID" 2>/dev/null
    fi
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

PASS=0
FAIL=0
ok() {
    PASS=$((PASS + 1))
    echo "ok    archload-tui: $1"
}
not_ok() {
    FAIL=$((FAIL + 1))
    echo "FAIL  archload-tui: $1"
    shift
    for line in "$@"; do
        echo "        $line"
    done
}
finish() {
    echo "$PASS passed, $FAIL failed"
    [ "$FAIL" -eq 0 ]
    exit $?
}
# setup_failed REASON: nothing else can run.
setup_failed() {
    not_ok "setup" "$1"
    finish
}

# ---- tmux: one private server, one session per archload run ------------------------------------
printf 'set -g remain-on-exit on\nset -g status off\n' >"$TMP/tmux.conf"
tm() {
    tmux -L "$SOCK" -f "$TMP/tmux.conf" "$@"
}
# screen_of SESSION: the visible screen; history_of SESSION: everything, scroll-back included.
screen_of() {
    tm capture-pane -p -J -t "$1" 2>/dev/null
}
history_of() {
    tm capture-pane -p -J -S - -t "$1" 2>/dev/null
}
# wait_for SESSION FIXED-STRING TENTHS: until the screen shows the string, at most TENTHS/10 s.
wait_for() {
    local i=0
    while [ "$i" -lt "$3" ]; do
        screen_of "$1" | grep -qF -- "$2" && return 0
        sleep 0.1
        i=$((i + 1))
    done
    return 1
}
# start_view SESSION RATE: archload --tui --rate RATE for 20 s (a key ends it long before) in a
# new 100x30 session; the pane's shell writes archload's exit status to $TMP/SESSION.rc.
# Returns 1 when the view did not appear within 5 s.
start_view() {
    tm new-session -d -s "$1" -x 100 -y 30 \
        "LANG=C.UTF-8 '$AL' --tui --rate $2 -d 20s '$URL'; echo \$? >'$TMP/$1.rc'"
    wait_for "$1" "conns 256" 50
}
# exit_of SESSION: archload's exit status once it has ended (waits at most 10 s; "" if not).
exit_of() {
    local i=0
    while [ "$i" -lt 100 ] && [ ! -s "$TMP/$1.rc" ]; do
        sleep 0.1
        i=$((i + 1))
    done
    cat "$TMP/$1.rc" 2>/dev/null
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
"$AT" --listen 127.0.0.1:0 --service const:1ms >"$TMP/at.out" 2>&1 &
AT_PID=$!
PORT=
i=0
while [ $i -lt 50 ] && [ -z "$PORT" ]; do
    PORT=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$TMP/at.out")
    [ -n "$PORT" ] || sleep 0.1
    i=$((i + 1))
done
[ -n "$PORT" ] || setup_failed "archtarget did not start: $(cat "$TMP/at.out")"
URL=http://127.0.0.1:$PORT/

# Requests archtarget has served on / (its /stats?format=text: "path / served N"); /stats itself
# is not counted.
served() {
    local line n=
    exec 3<>"/dev/tcp/127.0.0.1/$PORT" || return 1
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
    screen_of view | sed -n 's/^ 200 [^0-9]*\([0-9][0-9]*\).*/\1/p' | head -n 1
}
# The throughput chart's legend ("rps 200", "rps 1.2k").
rps_label() {
    screen_of view | grep -o 'throughput (req/s) ─ rps [0-9.]*[kM]*' | head -n 1 | sed 's/.* rps //'
}

# ---- the view: open model, 200/s -------------------------------------------------------------
start_view view 200 || setup_failed "the view did not start: $(screen_of view | head -n 3)"
status=$(screen_of view | head -n 1)
if echo "$status" | grep -qF "$URL" && echo "$status" | grep -qF "rate 200/s"; then
    ok "status line: target and rate ($(echo "$status" | sed 's/^ *//; s/ *$//'))"
else
    not_ok "status line names the target and the rate" "$status"
fi

sleep 2.2
rps=$(rps_label)
if screen_of view | grep -qF "throughput (req/s)" &&
    awk -v r="$rps" 'BEGIN { exit !(r != "" && r + 0 > 0) }'; then
    ok "after 2 s the throughput chart shows rps $rps"
else
    not_ok "throughput chart with a non-zero rate" "rps label '$rps'" "$(screen_of view | sed -n 3p)"
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
if wait_for view "DISPLAY PAUSED" 20; then
    s1=$(screen_of view)
    n1=$(served)
    sleep 1
    s2=$(screen_of view)
    n2=$(served)
    if [ "$s1" = "$s2" ] && [ -n "$n1" ] && [ -n "$n2" ] && [ "$n2" -gt "$n1" ]; then
        ok "space freezes the display (identical a second apart) while the server got $n1 -> $n2"
    else
        not_ok "space freezes the display, the load goes on" "served '$n1' -> '$n2'" \
            "$(diff <(echo "$s1") <(echo "$s2") | head -n 4)"
    fi
else
    not_ok "space freezes the display" "no DISPLAY PAUSED: $(screen_of view | head -n 1)"
fi

# Resume, then 80x24: the layout is recomputed, both charts still drawn.
tm send-keys -t view Space
tm resize-window -t view -x 80 -y 24
sleep 0.5
S=$(screen_of view)
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
RC=$(exit_of view)
H=$(history_of view)
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
    RC=$(exit_of intr)
    alt=$(tm display -p -t intr '#{alternate_on}')
    if [ "$RC" = 130 ] && [ "$alt" = 0 ] &&
        history_of intr | grep -q "STOPPED early (interrupted)"; then
        ok "Ctrl-C: exit 130, terminal restored, summary marked STOPPED early"
    else
        not_ok "Ctrl-C restores the terminal" "exit '$RC', alternate screen '$alt'" \
            "$(history_of intr | grep -v '^$' | tail -n 3)"
    fi
else
    not_ok "Ctrl-C: the view starts" "$(screen_of intr | head -n 3)"
fi

finish
