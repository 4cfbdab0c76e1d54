#!/bin/sh
# Validation of the model against reality (issue 7): calibrate archsim from a low-load
# archload run against archtarget, predict higher loads, measure them, compare.
#
#   sh tests/validation/validate.sh BUILD_DIR [quick|full]
#
#   quick  rho = 0.5, ~1.5 min: run by `make test` (tests/integration/test_validation.sh)
#   full   rho = 0.5, 0.7 and 0.85, longer runs, 12-15 min: `make validate`
#
# Why the quick profile stops at 0.5: at 0.7 the model came out 1-11 % low on the mean (a
# 40 s calibration's sampling error, the calibration drifting with the machine's load), and
# the quick profile with 0.7 failed 1 run in 5 on a busy machine. At 0.85, in four full runs
# with the model carrying the workers' wake-up, the mean was within 10 % in 7 of 8 setups
# (-10.1 ... +4.6 %; p99 -14.2 ... +8.7 %); the wake-up itself moves the prediction by less
# than 0.1 % (it delays each busy period, about w per request, which the zero-work overhead
# added before): what decides the result is the workers' service time at the rate against
# the calibrated one (the sleep's overshoot moves with the machine's load), so `make
# validate` can still miss 0.85 on a busy machine. docs/compare.md has the numbers.
#
# 1. archtarget, C = 4 workers, service lognormal(mean=2ms, p99=10ms), plus a /zero path of
#    const:0ms. One archload run at 250/s (Poisson) sends 200/s to / (class work: utilization
#    0.1) and, interleaved, 50/s to /zero (class zero: the overhead, what a request that does
#    no work costs: loopback, both programs' I/O threads, the hand-over to a worker).
#    `archsim calibrate --row work --overhead-row zero` fits the service time to the first
#    minus the mean of the second. Both classes see the same machine at the same moments; an
#    overhead measured in a separate run missed the calibration's by up to +-0.15 ms (7 % of
#    the service time), which at rho = 0.85 is 35 % of the mean latency.
#    The wake-up of an idle worker, W, comes from archtarget's /stats after that run
#    (wakeup_mean_ms: the hand-over of the requests that found a worker idle), and
#    `calibrate --wakeup W` adds `wakeup: W` to the fragment: the model holds an idle worker
#    W before it serves. Both classes' latencies contain one W, so the service time is still
#    their difference, and what the model lacks is overhead - W (docs/compare.md, "The
#    wake-up of an idle worker"). VALIDATE_NO_WAKEUP=1 leaves W out (W = 0: the old model).
# 2. The rates are those at which the calibrated model has rho = 0.5, 0.7 (and 0.85):
#    lambda = rho C / E[S], E[S] the calibrated mean.
# 3. `archsim compare --scenario --target --overhead-target URL/zero`, one rate at a time: the
#    model (one service, 4 workers, Poisson, the calibrated service time, 2000 s simulated so
#    its own noise is ~1 %: `--model-duration 2000s`, since compare gives the model archload's
#    -d otherwise; the same 0.5 s warm-up as archload) against archload with the same
#    workload; the overhead is measured at that rate right before (2 s of /zero) and, minus
#    W (`compare --wakeup W`), added to the simulated latencies. After each rate the note
#    gives what that rate's archtarget saw (/stats): its wake-up, the share of requests that
#    found a worker idle, the measured service time against the drawn one.
#    Asserted: mean within 10 %, p99 within 20 % of the measurement (the issue's bounds).
#    Each rate is measured on a fresh archtarget with the calibration's seed: its workers
#    draw the calibration's service times again before new ones (common random numbers), so
#    the luck of the calibration's sample, which the queue amplifies near saturation, is
#    partly shared by the measurement instead of added to it.
# 4. The same behind nginx: two archtargets of 2 workers each, round robin, against the
#    model's round_robin load_balancer over two services; the overhead through nginx.
# 5. `compare --plot` (svg and png through gnuplot), in two short extra runs: the files must
#    hold both curves (measured and simulated, mean and p99), the title and the axis labels.
#
# The measured programs (archtarget, nginx, archload) run at real-time priority (chrt -f 20)
# when allowed, so that other work on the machine (builds, tests) does not delay them:
# without it, on a busy 2-CPU machine, zero-work requests had a p99 of 20-80 ms instead of
# ~1 ms, and the queue at rho = 0.85 grew behind those stalls. What priorities cannot prevent
# (the hypervisor taking a CPU away, softirq work for another program's loopback traffic)
# is watched by stallprobe.c, a thread at a higher real-time priority that wakes every ms:
# when it woke >= 10 ms late during the calibration or a rate's run, the machine stopped for
# that long and the run is measured again (the calibration up to twice, also when its
# zero-work requests had a p99 above 3 ms; a rate at most 4 times in the quick profile, twice
# in the full one with its longer runs; in all 8 times in either:
# one CI run met stalls of 13-53 ms in 3 of the quick profile's 4 runs, one with sanitizer
# runs beside it met 17-22 ms stops in 3 measurements of one rate in a row, and a full run on
# a machine busy with builds met them in 7 of its 14, the last a 61 ms stop in a run judged
# as it was, which missed by 17 %). Measurements and reasons:
# docs/compare.md, "Validation against a real server".
#
# POSIX sh; one line per check; ends with "N passed, M failed"; exit 1 when anything failed.
# Bounded: every run has a duration and a timeout; servers are stopped by their own pid.
# shellcheck disable=SC2016 # awk programs are single-quoted on purpose

set -u

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
    echo "usage: sh tests/validation/validate.sh BUILD_DIR [quick|full]" >&2
    exit 2
fi
case $1 in
    /*) B=$1 ;;
    *) B=$(pwd)/$1 ;;
esac
PROFILE=${2:-full}
# Per profile: the calibration's length (s), then per setup the loads (rho) and the length of
# each measurement (s, the first 0.5 s left out). The lengths follow the noise: the mean of a
# run at rho = 0.85 varies ~3 % (p99 ~7 %) between 60 s runs, and that shrinks like 1/sqrt(T);
# the calibrated E[S] varies like 1/sqrt(n) (CV 1.02: 1.1 % for 8000 requests, 0.6 % for
# 30000), and each 1 % of it is ~2 % of the mean at rho = 0.7 and ~5 % at rho = 0.85.
case $PROFILE in
    quick)
        TCAL=40
        RHOS="0.5"
        DURS="10.5"
        MAXRETRIES=8
        MAXATTEMPTS=5
        ;;
    full)
        TCAL=150
        RHOS="0.5 0.7 0.85"
        DURS="15.5 30.5 120.5"
        MAXRETRIES=8
        MAXATTEMPTS=3
        ;;
    *)
        echo "validate.sh: profile '$PROFILE': quick or full" >&2
        exit 2
        ;;
esac
AL=$B/archload
AT=$B/archtarget
AS=$B/archsim
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
for x in "$AL" "$AT" "$AS"; do
    if [ ! -x "$x" ]; then
        echo "validate.sh: $x is not an executable (make all)" >&2
        exit 2
    fi
done

TMP=$(mktemp -d "${TMPDIR:-/tmp}/archsim-validate.XXXXXX") || exit 2
PIDS=
RESTART=
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
    for p in $PIDS; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
    if [ -n "${KEEP:-}" ]; then echo "kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP PIPE

# ok, not_ok, note, fcmp, finish; its own TMP and clean-up stay here (servers by pid, KEEP)
# shellcheck disable=SC2034 # read by lib.sh: "ok     NAME", details at column 9, as before
CHECK_WIDTH=7
# shellcheck source-path=SCRIPTDIR source=../integration/lib.sh
. "$HERE/../integration/lib.sh"
# csv FILE COMPONENT COLUMN: the value of COLUMN in COMPONENT's (first) row of a summary.csv.
csv() {
    awk -F, -v comp="$2" -v col="$3" '
        NR == 1 { for (i = 1; i <= NF; i++) if ($i == col) c = i; next }
        $4 == comp { print $c; exit }' "$1" 2>/dev/null
}

# stats_json PORT: archtarget's /stats body (one line of JSON) on stdout, through bash's
# /dev/tcp (bash is essential on Debian; curl is not among the Makefile's packages).
stats_json() {
    timeout 5 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
        printf "GET /stats HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n" >&3
        cat <&3' stats "$1" 2>/dev/null | sed -n '/^{/p'
}
# json_num FILE [PATH] KEY: the number after the first "KEY": in FILE (archtarget's /stats),
# inside path PATH's object when PATH is given ("/" or "/zero"); empty when absent.
json_num() {
    if [ $# -eq 3 ]; then from="\"$2\":{" key=$3; else from='{' key=$2; fi
    awk -v f="$from" -v k="\"$key\":" '{
        i = index($0, f); if (!i) exit
        s = substr($0, i); j = index(s, k); if (!j) exit
        s = substr(s, j + length(k)); sub(/[^0-9.eE+-].*/, "", s); print s; exit }' "$1" 2>/dev/null
}
# server_note FILE: what archtarget saw on path / (FILE: its /stats after one rate's run): the
# hand-over to an idle worker (the model's wakeup), the share of requests that found a worker
# idle, the measured service time against the drawn one (the sleep's overshoot), the wait.
server_note() {
    awk -v w="$(json_num "$1" / wakeup_mean_ms)" -v nw="$(json_num "$1" / wakeup_count)" \
        -v n="$(json_num "$1" / served)" -v sv="$(json_num "$1" / service_mean_ms)" \
        -v dr="$(json_num "$1" / service_drawn_mean_ms)" -v wt="$(json_num "$1" / wait_mean_ms)" \
        -v wz="$(json_num "$1" /zero wakeup_mean_ms)" 'BEGIN {
        printf "archtarget: wake-up %.4f ms (zero-work run %.4f), %.1f %% of requests found a worker idle; service %.4f ms = drawn %.4f + %.4f; wait %.4f ms",
            w, wz, (n > 0 ? nw / n * 100 : 0), sv, dr, sv - dr, wt }'
}

# Real-time priority for the measured system when this user may set it (root, or
# CAP_SYS_NICE); otherwise the run goes on at normal priority, noted.
RT=
if chrt -f 20 true 2>/dev/null; then
    RT="chrt -f 20"
    note "archtarget, nginx and archload run at real-time priority ($RT)"
else
    note "not allowed to use real-time priority (chrt -f): measuring at normal priority," \
        "other work on this machine may disturb the tails"
fi
# compare starts archload itself: through this wrapper, at the same priority.
ALR=$TMP/archload-rt
printf '#!/bin/sh\nexec %s "%s" "$@"\n' "$RT" "$AL" >"$ALR"
chmod 755 "$ALR"

# The stall probe (see the header), only with real-time priority (without it, it would
# measure the other programs' load rather than the machine's stalls).
PROBE=
if [ -n "$RT" ] && ${CC:-cc} -std=c11 -O2 -o "$TMP/stallprobe" "$HERE/stallprobe.c" 2>"$TMP/probe.cc"; then
    PROBE=$TMP/stallprobe
else
    [ -n "$RT" ] && note "stallprobe.c did not compile ($(head -1 "$TMP/probe.cc")): no stall checks"
fi
RETRIES=0
probe_start() {
    [ -n "$PROBE" ] || return 0
    timeout -s KILL "$LIMIT" chrt -f 30 "$PROBE" >"$TMP/probe.out" 2>&1 &
    PROBE_PID=$!
}
# probe_stop: sets STALL_MS (latest wake-up, ms) and STALLS (wake-ups >= 10 ms late).
probe_stop() {
    STALL_MS=0
    STALLS=0
    [ -n "$PROBE" ] || return 0
    kill "$PROBE_PID" 2>/dev/null
    wait "$PROBE_PID" 2>/dev/null
    STALL_MS=$(awk '{ print $6 }' "$TMP/probe.out")
    STALLS=$(awk '{ print $12 }' "$TMP/probe.out")
    [ -n "$STALLS" ] || STALLS=0
}

# Every archtarget ends its services on time (--spin: it sleeps to a little before a service's
# end and watches the clock for the rest). Sleeping it all ends each service late by the
# kernel's wake-up latency, and that lateness moves with the machine's load: with two CPU
# hogs beside it, 0.063 ms at 250/s against 0.082 ms at 1650/s, a 1 % longer service time at
# the rate than at the calibration, ~5 % of the mean at rho = 0.85. With --spin 50us: 0.006
# against 0.009 ms (docs/archtarget.md). VALIDATE_SPIN=0s turns it off.
SPIN=${VALIDATE_SPIN:-50us}

# start_target NAME ARGS...: archtarget on a free loopback port, bounded; sets PORT.
start_target() {
    name=$1
    shift
    # archtarget stops by itself after -d; chrt execs it, so $! is its pid
    # shellcheck disable=SC2086 # $RT is a command prefix or empty
    $RT "$AT" --listen 127.0.0.1:0 -d "${LIMIT}s" --spin "$SPIN" "$@" >"$TMP/$name.out" 2>&1 &
    TPID=$!
    PIDS="$PIDS $TPID"
    PORT=
    i=0
    while [ $i -lt 50 ] && [ -z "$PORT" ]; do
        sleep 0.1
        PORT=$(sed -n 's/^listening on 127\.0\.0\.1://p' "$TMP/$name.out")
        i=$((i + 1))
    done
    [ -n "$PORT" ]
}

# check_rates DIR RATES...: mean within 10 %, p99 within 20 % at each rate, model + the
# overhead measured at that rate minus the wake-up the model simulates (WK ms; compare
# --wakeup did the same) against the measurement.
check_rates() {
    dir=$1
    shift
    for r in "$@"; do
        m=$dir/rate-$r/load/summary.csv
        s=$dir/rate-$r/model/summary.csv
        ov=$(csv "$dir/rate-$r/overhead/summary.csv" total latency_mean_ms)
        [ -n "$ov" ] && ov=$(awk -v o="$ov" -v w="$WK" 'BEGIN { printf "%.6f", o - w }')
        mm=$(csv "$m" total latency_mean_ms)
        sm=$(csv "$s" total latency_mean_ms)
        mp=$(csv "$m" total latency_p99_ms)
        sp=$(csv "$s" total latency_p99_ms)
        if [ -z "$ov" ] || [ -z "$mm" ] || [ -z "$sm" ] || [ -z "$mp" ] || [ -z "$sp" ]; then
            not_ok "$LABEL rate $r/s: results" "missing: overhead '$ov' measured '$mm' '$mp'" \
                "simulated '$sm' '$sp' (in $dir/rate-$r)"
            continue
        fi
        line=$(awk -v ov="$ov" -v mm="$mm" -v sm="$sm" -v mp="$mp" -v sp="$sp" -v r="$r" 'BEGIN {
            printf "rate %s/s: overhead - wakeup %.3f ms; measured mean %.3f p99 %.2f; simulated + overhead mean %.3f (%+.1f %%) p99 %.2f (%+.1f %%)",
                r, ov, mm, mp, sm + ov, (sm + ov - mm) / mm * 100, sp + ov, (sp + ov - mp) / mp * 100 }')
        note "$line"
        [ -s "$dir/stats-$r.json" ] && note "$(server_note "$dir/stats-$r.json")"
        echo "RESULT $LABEL $r mean $(awk -v a="$sm" -v o="$ov" -v m="$mm" 'BEGIN { printf "%+.1f", (a + o - m) / m * 100 }') p99 $(awk -v a="$sp" -v o="$ov" -v m="$mp" 'BEGIN { printf "%+.1f", (a + o - m) / m * 100 }')" >>"$TMP/results"
        stall=$(cat "$dir/stall-$r" 2>/dev/null)
        if fcmp "($sm + $ov - $mm) / $mm <= 0.10 && ($sm + $ov - $mm) / $mm >= -0.10"; then
            ok "$LABEL rate $r/s: mean within 10 %"
        else
            not_ok "$LABEL rate $r/s: mean within 10 %" "$line" ${stall:+"$stall"}
        fi
        if fcmp "($sp + $ov - $mp) / $mp <= 0.20 && ($sp + $ov - $mp) / $mp >= -0.20"; then
            ok "$LABEL rate $r/s: p99 within 20 %"
        else
            not_ok "$LABEL rate $r/s: p99 within 20 %" "$line" ${stall:+"$stall"}
        fi
    done
}

# check_plot FILE KIND: gnuplot wrote FILE (svg: with the title, the axis labels and the four
# series; png: a PNG image of some size).
check_plot() {
    f=$1
    if ! command -v gnuplot >/dev/null 2>&1; then
        not_ok "--plot $(basename "$f")" "gnuplot is not installed (make deps installs gnuplot-nox)"
        return
    fi
    if [ ! -s "$f" ]; then
        not_ok "--plot $(basename "$f") written" "$(grep -i plot "$TMP"/*.cmp)"
        return
    fi
    case $2 in
        svg)
            missing=
            for want in '<svg' 'latency vs load: measured (archload) and simulated' \
                'offered rate (requests/s)' 'latency (ms)' '<title>mean, measured</title>' \
                '<title>mean, simulated</title>' '<title>p99, measured</title>' \
                '<title>p99, simulated</title>'; do
                grep -qF "$want" "$f" || missing="$missing [$want]"
            done
            # each series is a polyline through one point per rate: "M x,y L x,y ..."
            paths=$(grep -c "<path stroke='rgb(" "$f")
            if [ -z "$missing" ] && [ "$paths" -ge 4 ]; then
                ok "--plot $(basename "$f"): svg with title, axis labels and the four series"
            else
                not_ok "--plot $(basename "$f"): svg content" "missing:$missing; coloured paths: $paths"
            fi
            ;;
        png)
            magic=$(od -An -c -N4 "$f" | tr -d ' ')
            size=$(wc -c <"$f")
            if [ "$magic" = '211PNG' ] && [ "$size" -gt 5000 ]; then
                ok "--plot $(basename "$f"): a PNG image ($size bytes)"
            else
                not_ok "--plot $(basename "$f"): a PNG image" "magic '$magic', $size bytes"
            fi
            ;;
    esac
}

# measure DIR SCENARIO ARGS...: per rate (RATES, lengths DURS), compare --scenario SCENARIO
# --target URL --overhead-target URL0 ARGS... --csv DIR with the probe watching; a run during
# which the machine stalled for 10 ms or more is measured again (see the header). URL and
# URL0 are "http://127.0.0.1:$MPORT/" and ".../zero". With RESTART (archtarget's arguments),
# a fresh archtarget on a new MPORT serves each run. Sets CMP_OK (1: every compare ran).
measure() {
    mdir=$1
    mscn=$2
    shift 2
    CMP_OK=1
    k=0
    for r in $RATES; do
        k=$((k + 1))
        d=$(echo "$DURS" | awk -v k=$k '{ print $k }')
        attempt=1
        while :; do
            if [ -n "$RESTART" ]; then
                kill "$TPID" 2>/dev/null
                wait "$TPID" 2>/dev/null
                PIDS=$(echo " $PIDS " | sed "s/ $TPID / /")
                # shellcheck disable=SC2086 # RESTART is a list of arguments
                if ! start_target restart $RESTART; then
                    not_ok "$LABEL rate $r/s: archtarget starts again" "$(cat "$TMP/restart.out")"
                    CMP_OK=0
                    break
                fi
                MPORT=$PORT
            fi
            probe_start
            timeout -s KILL "$(awk -v d="$d" 'BEGIN { print int(d) + 60 }')" "$AS" compare \
                --scenario "$mscn" --target "http://127.0.0.1:$MPORT/" --rates "$r" \
                -d "${d}s" --warmup 0.5s --model-duration 2000s \
                --overhead-target "http://127.0.0.1:$MPORT/zero" \
                --overhead-duration 2s --wakeup "${WK}ms" --archload "$ALR" --csv "$mdir" "$@" \
                >"$mdir.rate-$r.cmp" 2>&1
            rc=$?
            probe_stop
            # a fresh archtarget served only this rate: keep what it saw (server_note)
            [ -n "$RESTART" ] && stats_json "$MPORT" >"$mdir/stats-$r.json"
            if [ $rc -ne 0 ]; then
                not_ok "$LABEL rate $r/s: compare ran" "$(tail -5 "$mdir.rate-$r.cmp")"
                CMP_OK=0
                break
            fi
            if [ "$STALLS" -eq 0 ]; then
                rm -f "$mdir/stall-$r"
                break
            fi
            echo "(the machine stalled $STALL_MS ms during this run: $STALLS wake-ups >= 10 ms late)" >"$mdir/stall-$r"
            if [ $attempt -ge "$MAXATTEMPTS" ] || [ $RETRIES -ge "$MAXRETRIES" ]; then
                note "$LABEL rate $r/s: the machine stalled $STALL_MS ms during the run; no more repeats, judged as it is"
                break
            fi
            note "$LABEL rate $r/s: the machine stalled $STALL_MS ms during the run; measuring again"
            attempt=$((attempt + 1))
            RETRIES=$((RETRIES + 1))
        done
    done
}

# rates_for C: the rates at which the calibrated model with C workers has the profile's rhos.
rates_for() {
    for rho in $RHOS; do
        awk -v rho="$rho" -v c="$1" -v m="$FMEAN" 'BEGIN { printf "%.0f ", rho * c / m * 1000 }'
    done
}

# The servers' time limit (s): calibration, both setups, the most repeats, and room.
DSUM=$(echo "$DURS" | awk '{ s = 0; for (i = 1; i <= NF; i++) s += $i; print int(s + 1) }')
LIMIT=$((TCAL + 6 * DSUM + 300))

# --- 0. options that compare refuses, before anything runs --------------------------------

# bad_usage WHAT ARGS...: compare --scenario --target with ARGS exits 2 naming the problem.
bad_usage() {
    what=$1
    shift
    out=$("$AS" compare --scenario "$TMP/none.yaml" --target http://127.0.0.1:9/ "$@" 2>&1)
    rc=$?
    if [ $rc -eq 2 ] && echo "$out" | grep -q -- "$what"; then
        ok "compare $* refused: $what"
    else
        not_ok "compare $* refused: $what" "exit $rc: $out"
    fi
}
bad_usage 'must end in .svg or .png' --plot "$TMP/out.pdf"
bad_usage '3 durations for 2 rates' --rates 100,200 -d 2s,3s,4s
bad_usage 'exclude each other' --overhead 0.2 --overhead-target http://127.0.0.1:9/zero
bad_usage 'longer than --warmup' --rates 100,200 -d 3s,1s --warmup 1s
bad_usage 'longer than --warmup' --overhead-target http://127.0.0.1:9/zero --overhead-duration 1s
bad_usage 'model-duration' --model-duration 1s --warmup 1s
bad_usage 'give --overhead or --overhead-target too' --wakeup 90us
bad_usage 'is below --wakeup' --overhead 0.05 --wakeup 90us

# calibrate's --set fragment is shell words whatever the component's name holds: a name with a
# quote and a space, read back through the shell, gives the two arguments unchanged.
cat >"$TMP/q.yaml" <<'YAML'
name: quoting
duration: 2s
seed: 1
workload: {rate: 200/s, target: s}
components:
  s: {kind: service, workers: 4, service_time: exp(2ms)}
YAML
"$AS" run "$TMP/q.yaml" -q --csv "$TMP/q" >/dev/null 2>&1
QLINE=$("$AS" calibrate --from "$TMP/q/summary.csv" --component "x'y z" --wakeup 90us 2>&1 | tail -1)
eval "set -- $QLINE" 2>/dev/null || set --
case "$#|${1:-}|${2:-}|${3:-}|${4:-}" in
    "4|--set|components.x'y z.service_time="*"|--set|components.x'y z.wakeup=90us")
        ok "calibrate --component \"x'y z\": the --set line is two shell-quoted arguments" ;;
    *) not_ok "calibrate --component \"x'y z\": the --set line is two shell-quoted arguments" \
        "printed: $QLINE" "read back as $# words: $*" ;;
esac

# --- 1. calibrate at low load --------------------------------------------------------------

SINGLE="--workers 4 --service lognormal:mean=2ms,p99=10ms --path /zero=const:0ms --seed 7"
# shellcheck disable=SC2086 # SINGLE is a list of arguments
if ! start_target single $SINGLE; then
    not_ok "archtarget starts" "$(cat "$TMP/single.out")"
    finish
fi
T1=$PORT
cat >"$TMP/cal.yaml" <<'YAML'
name: calibrate
duration: 40s
seed: 1
workload:
  arrivals: poisson
  rate: 250/s
  target: api
  classes:
    - {name: work, weight: 4}
    - {name: zero, weight: 1}
components:
  api:
    kind: service
    workers: 4
    service_time: exp(2ms)
YAML
# The calibration too is repeated when the machine stalled during it (the probe), or when its
# zero-work requests had a p99 above ZP99_MAX ms: their path is the loopback and archtarget's
# hand-over with no service, 1.1-2.0 ms in undisturbed runs here, and one CI calibration with
# two 12 ms stops and many shorter ones had 4.7 ms and a fitted service p99 20 % above the
# drawn one (its model's p99 then +15 % and +24 % at rho = 0.5). Up to 3 measurements; when
# none is clean, the one whose zero-work p99 is lowest is used. Both criteria are independent
# of the work requests the fit uses.
ZP99_MAX=3
attempt=1
best=
best_zp99=
while :; do
    probe_start
    timeout -s KILL $((TCAL + 30)) "$ALR" --scenario "$TMP/cal.yaml" -d "${TCAL}s" --warmup 0.5s \
        --class 'work=GET /' --class 'zero=GET /zero' --csv "$TMP/low-$attempt" -q \
        "http://127.0.0.1:$T1/" >"$TMP/low-$attempt.out" 2>&1
    probe_stop
    zp99=$(csv "$TMP/low-$attempt/summary.csv" zero latency_p99_ms)
    if [ -z "$best" ] || fcmp "${zp99:-1e9} < $best_zp99"; then
        best=$attempt
        best_zp99=${zp99:-1e9}
    fi
    why=
    [ "$STALLS" -eq 0 ] || why="the machine stalled $STALL_MS ms during it"
    fcmp "${zp99:-1e9} <= $ZP99_MAX" || why="${why:+$why; }its zero-work p99 was ${zp99:-?} ms (> $ZP99_MAX)"
    [ -z "$why" ] && best=$attempt && break
    if [ $attempt -ge 3 ]; then
        note "calibration: $why; no more repeats, using measurement $best of 3 (zero-work p99 $best_zp99 ms)"
        break
    fi
    note "calibration: $why; measuring again"
    attempt=$((attempt + 1))
    RETRIES=$((RETRIES + 1))
done
mv "$TMP/low-$best" "$TMP/low"
mv "$TMP/low-$best.out" "$TMP/low.out"
OV=$(csv "$TMP/low/summary.csv" zero latency_mean_ms)
note "calibration: $TCAL s at 200/s, overhead (zero-work requests, same run): mean ${OV:-?} ms," \
    "p99 $(csv "$TMP/low/summary.csv" zero latency_p99_ms) ms"
# The wake-up: archtarget's mean hand-over to an idle worker over the calibration (both
# classes; at 0.1 utilization nearly every request finds a worker idle). It must be above 0
# (a futex wake-up and a context switch) and far below a millisecond.
stats_json "$T1" >"$TMP/low-stats.json"
WK=$(json_num "$TMP/low-stats.json" wakeup_mean_ms)
if [ -n "$WK" ] && fcmp "$WK > 0 && $WK < 1"; then
    ok "archtarget /stats: wake-up of an idle worker $WK ms in (0, 1) over the calibration"
    note "archtarget: wake-up on / $(json_num "$TMP/low-stats.json" / wakeup_mean_ms) ms," \
        "on /zero $(json_num "$TMP/low-stats.json" /zero wakeup_mean_ms) ms;" \
        "service on / $(json_num "$TMP/low-stats.json" / service_mean_ms) ms" \
        "(drawn $(json_num "$TMP/low-stats.json" / service_drawn_mean_ms)), on /zero" \
        "$(json_num "$TMP/low-stats.json" /zero service_mean_ms) ms;" \
        "work latency - overhead $(awk -v l="$(csv "$TMP/low/summary.csv" work latency_mean_ms)" -v o="$OV" 'BEGIN { printf "%.4f", l - o }') ms"
else
    not_ok "archtarget /stats: wake-up of an idle worker in (0, 1) ms" "got '$WK'" \
        "$(head -c 400 "$TMP/low-stats.json")"
    WK=0
fi
# VALIDATE_NO_WAKEUP=1: the model without the wake-up (as before it existed), for comparison.
[ -n "${VALIDATE_NO_WAKEUP:-}" ] && WK=0 && note "VALIDATE_NO_WAKEUP: the model leaves the wake-up out"
"$AS" calibrate --from "$TMP/low/summary.csv" --row work --component api \
    --overhead-from "$TMP/low/summary.csv" --overhead-row zero --wakeup "${WK}ms" --set-lines \
    >"$TMP/fit.txt" 2>"$TMP/fit.err"
RC=$?
sed 's/^/         /' "$TMP/fit.err" "$TMP/fit.txt"
FIT=$(sed -n '/\.service_time=/p' "$TMP/fit.txt")
FITW=$(sed -n '/\.wakeup=/p' "$TMP/fit.txt")
# The calibrated mean: the drawn 2 ms (+-1.2 % for 8000 requests, 2 standard errors), plus
# what the service's end is late by (0.05-0.15 ms on a 2-CPU VM without --spin, ~0.01 ms with
# it), so [1.9, 2.3] ms.
FMEAN=$(echo "$FIT" | sed -n 's/.*mean=\([0-9.e+-]*\)ms.*/\1/p; s/.*=exp(\([0-9.e+-]*\)ms).*/\1/p')
if [ $RC -eq 0 ] && [ -n "$FMEAN" ] && [ -n "$FITW" ] && fcmp "$FMEAN >= 1.9 && $FMEAN <= 2.3"; then
    ok "calibrate: fitted mean $FMEAN ms in [1.9, 2.3]"
else
    not_ok "calibrate: fitted mean in [1.9, 2.3]" "$FIT" "$(cat "$TMP/fit.err" "$TMP/low.out")"
    finish
fi

# --- 2. predict and measure ----------------------------------------------------------------

RATES=$(rates_for 4)
note "rates for rho = $(echo "$RHOS" | tr ' ' ','): $RATES(1/s)"
cat >"$TMP/single.yaml" <<'YAML'
name: validate
duration: 2000s
warmup: 2s
seed: 1
workload:
  arrivals: poisson
  rate: 1000/s
  target: api
components:
  api:
    kind: service
    workers: 4
    service_time: exp(2ms)
YAML
LABEL=single
# A fresh archtarget (the same seed) for each run: its workers draw the same service times as
# in the calibration first (common random numbers), so a run's draws differ from the
# calibration's only by those beyond the calibration's 8000 (see the header).
RESTART=$SINGLE
measure "$TMP/single" "$TMP/single.yaml" --set "$FIT" --set "$FITW"
RESTART=
T1=$MPORT
[ $CMP_OK -eq 1 ] && ok "compare --scenario --target ran ($(echo "$RATES" | wc -w) rates)"
# shellcheck disable=SC2086 # RATES is a list
check_rates "$TMP/single" $RATES

# --- 3. behind nginx, round robin ----------------------------------------------------------

NGINX_BIN=$(command -v nginx || { [ -x /usr/sbin/nginx ] && echo /usr/sbin/nginx; })
if [ -z "$NGINX_BIN" ]; then
    not_ok "nginx available" "nginx not installed (make deps installs nginx-light)"
else
    start_target b1 --workers 2 --service lognormal:mean=2ms,p99=10ms --path /zero=const:0ms --seed 1 || not_ok "archtarget b1 starts"
    P1=$PORT
    start_target b2 --workers 2 --service lognormal:mean=2ms,p99=10ms --path /zero=const:0ms --seed 2 || not_ok "archtarget b2 starts"
    P2=$PORT
    NGX=$TMP/nginx
    mkdir -p "$NGX/tmp"
    chmod 755 "$TMP" "$NGX"
    NGINX_OK=0
    base=$(awk -v s="$$" 'BEGIN { srand(s); print 20000 + int(rand() * 20000) }')
    for attempt in 1 2 3 4 5; do
        NP=$((base + attempt * 7))
        sed -e "s|@DIR@|$NGX|g" -e "s|@PORT@|$NP|g" -e "s|@B1@|$P1|g" -e "s|@B2@|$P2|g" \
            "$ROOT/tests/nginx/lb.conf.in" >"$NGX/lb.conf"
        # shellcheck disable=SC2086
        timeout -s KILL "$LIMIT" $RT "$NGINX_BIN" -p "$NGX" -c "$NGX/lb.conf" -g 'daemon off;' 2>"$NGX/start.err" &
        NPID=$!
        i=0
        while [ $i -lt 50 ]; do
            if "$AL" -q -n 1 -c 1 -t 1 --timeout 1s --threshold 'error_rate<=0%' \
                "http://127.0.0.1:$NP/zero" >/dev/null 2>&1; then
                NGINX_OK=1
                break
            fi
            kill -0 "$NPID" 2>/dev/null || break
            sleep 0.1
            i=$((i + 1))
        done
        [ $NGINX_OK -eq 1 ] && break
        kill "$NPID" 2>/dev/null
        wait "$NPID" 2>/dev/null
    done
    if [ $NGINX_OK -eq 1 ]; then
        PIDS="$NPID $PIDS"
        ok "nginx round robin on 127.0.0.1:$NP"
        cat >"$TMP/lb.yaml" <<'YAML'
name: validate-lb
duration: 2000s
warmup: 2s
seed: 1
workload:
  arrivals: poisson
  rate: 1000/s
  target: lb
components:
  lb:
    kind: load_balancer
    policy: round_robin
    targets:
      - to: a
      - to: b
  a:
    kind: service
    workers: 2
    service_time: exp(2ms)
  b:
    kind: service
    workers: 2
    service_time: exp(2ms)
YAML
        FITB=$(echo "$FIT" | sed 's/^components\.api\./components.b./')
        FITA=$(echo "$FIT" | sed 's/^components\.api\./components.a./')
        FITWB=$(echo "$FITW" | sed 's/^components\.api\./components.b./')
        FITWA=$(echo "$FITW" | sed 's/^components\.api\./components.a./')
        LABEL=nginx-rr
        MPORT=$NP
        measure "$TMP/lb" "$TMP/lb.yaml" --set "$FITA" --set "$FITB" --set "$FITWA" --set "$FITWB"
        [ $CMP_OK -eq 1 ] && ok "compare through nginx ran ($(echo "$RATES" | wc -w) rates)"
        # shellcheck disable=SC2086
        check_rates "$TMP/lb" $RATES
    else
        not_ok "nginx starts" "$(cat "$NGX/start.err" "$NGX/error.log" 2>/dev/null)"
    fi
fi

# --- 4. the plots ---------------------------------------------------------------------------

# Two short runs of the single setup (rho = 0.3 and 0.5, 1 s measured each; the model 60 s):
# their results are not judged, only the files gnuplot draws from them.
PLOT_RATES=$(RHOS="0.3 0.5" rates_for 4 | tr ' ' ',' | sed 's/,$//')
for kind in svg png; do
    timeout -s KILL 60 "$AS" compare --scenario "$TMP/single.yaml" --target "http://127.0.0.1:$T1/" \
        --rates "$PLOT_RATES" -d 1.5s --warmup 0.5s --model-duration 60s --set "$FIT" --set "$FITW" \
        --archload "$ALR" --plot "$TMP/plot.$kind" >"$TMP/plot-$kind.cmp" 2>&1 ||
        note "compare --plot plot.$kind: exit $? ($(tail -1 "$TMP/plot-$kind.cmp"))"
    check_plot "$TMP/plot.$kind" $kind
done

[ $RETRIES -gt 0 ] && note "$RETRIES runs measured again because the machine stalled"
[ -n "${VALIDATE_RESULTS:-}" ] && cat "$TMP/results" >>"$VALIDATE_RESULTS"
finish
