#!/bin/sh
# Validation of the model against reality (issue 7): calibrate archsim from a low-load
# archload run against archtarget, predict higher loads, measure them, compare.
#
#   sh tests/validation/validate.sh BUILD_DIR   (make validate)
#
# 1. archtarget, C = 4 workers, service lognormal(mean=2ms, p99=10ms), plus a /zero path of
#    const:0ms. archload at 200/s (Poisson, utilization 0.1) measures the latency; 200/s on
#    /zero measures the overhead (loopback, both programs' I/O threads, the hand-over to a
#    worker): what a request that does no work costs. `archsim calibrate` fits the service
#    time to the first minus the mean of the second.
# 2. `archsim compare --scenario --target` at rho = 0.5, 0.7, 0.85 (lambda = rho C / E[S] =
#    1000, 1400, 1700/s): the model (one service, 4 workers, Poisson, the calibrated service
#    time) against archload with the same workload. The overhead is ADDED to the simulated
#    latencies (--overhead), as a constant: the mean overhead. Asserted: mean within 10 %,
#    p99 within 20 % of the measurement.
# 3. The same behind nginx: two archtargets of 2 workers each, round robin, against the model's
#    round_robin load_balancer over two services; the overhead is measured through nginx.
#
# Not run by `make test`: on this project's 2-core machines archload, archtarget's threads
# and nginx share the two CPUs, and at rho = 0.85 the measured mean and p99 move by 20-40 %
# between runs (service threads wake late under load: see docs/compare.md). Run it with
# `make validate` on a machine with spare cores.
# Noise and margins: see the comment before the assertions. POSIX sh; one line per check;
# ends with "N passed, M failed"; exit 1 when anything failed. Bounded: every run has a
# duration and a timeout; servers are stopped by their own pid.
# shellcheck disable=SC2016 # awk programs are single-quoted on purpose

set -u

if [ $# -ne 1 ]; then
    echo "usage: sh tests/validation/validate.sh BUILD_DIR   (make validate)" >&2
    exit 2
fi
case $1 in
    /*) B=$1 ;;
    *) B=$(pwd)/$1 ;;
esac
AL=$B/archload
AT=$B/archtarget
AS=$B/archsim
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
for x in "$AL" "$AT" "$AS"; do
    if [ ! -x "$x" ]; then
        echo "test_validate.sh: $x is not an executable (make all)" >&2
        exit 2
    fi
done

TMP=$(mktemp -d "${TMPDIR:-/tmp}/archsim-validate.XXXXXX") || exit 2
PIDS=
cleanup() {
    for p in $PIDS; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
    [ -n "${KEEP:-}" ] && echo "kept $TMP" || rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP PIPE

PASS=0
FAIL=0
ok() {
    PASS=$((PASS + 1))
    echo "ok     $1"
}
not_ok() {
    FAIL=$((FAIL + 1))
    echo "FAIL   $1"
    shift
    for d in "$@"; do echo "         $d"; done
}
fcmp() {
    awk "BEGIN { exit !($1) }"
}
# csv FILE COMPONENT COLUMN: the value of COLUMN in COMPONENT's (first) row of a summary.csv.
csv() {
    awk -F, -v comp="$2" -v col="$3" '
        NR == 1 { for (i = 1; i <= NF; i++) if ($i == col) c = i; next }
        $4 == comp { print $c; exit }' "$1"
}

# start_target NAME ARGS...: archtarget on a free loopback port, bounded to 300 s; sets PORT.
start_target() {
    name=$1
    shift
    timeout -s KILL 310 "$AT" --listen 127.0.0.1:0 -d 300s "$@" >"$TMP/$name.out" 2>&1 &
    PIDS="$PIDS $!"
    PORT=
    i=0
    while [ $i -lt 50 ] && [ -z "$PORT" ]; do
        sleep 0.1
        PORT=$(sed -n 's/^listening on 127\.0\.0\.1://p' "$TMP/$name.out")
        i=$((i + 1))
    done
    [ -n "$PORT" ]
}

# al ARGS...: archload bounded in time.
al() {
    timeout -s KILL 90 "$AL" "$@" >"$TMP/al.out" 2>&1
}

# check_rates DIR OVERHEAD RATES...: mean within 10 %, p99 within 20 % at each rate, model
# (+ overhead) against measurement.
check_rates() {
    dir=$1
    ov=$2
    shift 2
    for r in "$@"; do
        m=$dir/rate-$r/load/summary.csv
        s=$dir/rate-$r/model/summary.csv
        mm=$(csv "$m" total latency_mean_ms)
        sm=$(csv "$s" total latency_mean_ms)
        mp=$(csv "$m" total latency_p99_ms)
        sp=$(csv "$s" total latency_p99_ms)
        line="rate $r/s: measured mean $mm p99 $mp; simulated+overhead mean $(awk -v a="$sm" -v o="$ov" 'BEGIN { print a + o }') p99 $(awk -v a="$sp" -v o="$ov" 'BEGIN { print a + o }')"
        echo "         $line"
        if [ -n "$mm" ] && [ -n "$sm" ] && fcmp "($sm + $ov - $mm) / $mm <= 0.10 && ($sm + $ov - $mm) / $mm >= -0.10"; then
            ok "$LABEL rate $r/s: mean within 10 %"
        else
            not_ok "$LABEL rate $r/s: mean within 10 %" "$line"
        fi
        if [ -n "$mp" ] && [ -n "$sp" ] && fcmp "($sp + $ov - $mp) / $mp <= 0.20 && ($sp + $ov - $mp) / $mp >= -0.20"; then
            ok "$LABEL rate $r/s: p99 within 20 %"
        else
            not_ok "$LABEL rate $r/s: p99 within 20 %" "$line"
        fi
    done
}

# --- 1. calibrate at low load --------------------------------------------------------------

if ! start_target single --workers 4 --service lognormal:mean=2ms,p99=10ms --path /zero=const:0ms --seed 7; then
    not_ok "archtarget starts" "$(cat "$TMP/single.out")"
    echo "$PASS passed, $FAIL failed"
    exit 1
fi
T1=$PORT
al --rate 200 --arrivals poisson -d 40s --csv "$TMP/low" -q "http://127.0.0.1:$T1/"
al --rate 200 --arrivals poisson -d 4s --csv "$TMP/zero" -q "http://127.0.0.1:$T1/zero"
OV=$(csv "$TMP/zero/summary.csv" total latency_mean_ms)
echo "         overhead (zero-work requests): mean $OV ms, p50 $(csv "$TMP/zero/summary.csv" total latency_p50_ms), p99 $(csv "$TMP/zero/summary.csv" total latency_p99_ms)"
"$AS" calibrate --from "$TMP/low/summary.csv" --component api \
    --overhead-from "$TMP/zero/summary.csv" --set-lines >"$TMP/fit.txt" 2>"$TMP/fit.err"
RC=$?
sed 's/^/         /' "$TMP/fit.err" "$TMP/fit.txt"
FIT=$(cat "$TMP/fit.txt")
# The calibrated mean: 2 ms drawn, plus the worker's wake-up latency (0.1 ms idle, up to
# ~1.5 ms on a busy 2-CPU VM: docs/archtarget.md), minus nothing else. 8000 samples of a
# lognormal with CV 1.02 give the mean to +-2.3 % (2 standard errors). So [1.8, 3.0] ms.
# Why 40 s: at rho = 0.85 the p99 moves ~13 % per 1 % error in the mean service time (the
# wait scales like 1/(1 - rho)), so the calibration needs ~10^4 samples; its shape (sigma)
# comes from a least-squares fit to p50, p90, p99 and p99.9, not from the p99 alone.
FMEAN=$(echo "$FIT" | sed -n 's/.*mean=\([0-9.e+-]*\)ms.*/\1/p; s/.*=exp(\([0-9.e+-]*\)ms).*/\1/p')
if [ $RC -eq 0 ] && [ -n "$FMEAN" ] && fcmp "$FMEAN >= 1.8 && $FMEAN <= 3.0"; then
    ok "calibrate: fitted mean $FMEAN ms in [1.8, 3.0]"
else
    not_ok "calibrate: fitted mean in [1.8, 3.0]" "$FIT" "$(cat "$TMP/fit.err")"
fi

# --- 2. predict and measure ----------------------------------------------------------------

cat >"$TMP/single.yaml" <<'YAML'
name: validate
duration: 200s
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
timeout -s KILL 120 "$AS" compare --scenario "$TMP/single.yaml" --target "http://127.0.0.1:$T1/" \
    --rates 1000,1400,1700 -d 8s --warmup 1s --set "$FIT" --overhead "$OV" --csv "$TMP/single" \
    >"$TMP/single.cmp" 2>&1
RC=$?
if [ $RC -eq 0 ]; then ok "compare --scenario --target ran (3 rates)"; else
    not_ok "compare --scenario --target ran" "$(tail -5 "$TMP/single.cmp")"; fi
# Margins. Measurement noise of a 5 s window at rho 0.85: ~8500 samples, the p99 from ~85
# beyond it: a binomial standard error of ~11 % of the tail count, ~5 % in the p99's value;
# the mean to ~3 %. The model (38 s) adds ~1/3 of that. The overhead is added as its mean,
# but on this machine its distribution has a long tail (measured above: p50 ~0.25 ms,
# p99 ~3 ms), which the constant shift leaves out of the simulated p99 (a few % of a 15-25 ms
# p99), and it grows with the rate (more client and server I/O per second on 2 CPUs).
# The issue's 10 % (mean) and 20 % (p99) hold that with room; they are not widened here.
LABEL=single
check_rates "$TMP/single" "$OV" 1000 1400 1700

# --- 3. behind nginx, round robin ----------------------------------------------------------

NGINX_BIN=$(command -v nginx || { [ -x /usr/sbin/nginx ] && echo /usr/sbin/nginx; })
if [ -z "$NGINX_BIN" ]; then
    not_ok "nginx available" "nginx not installed (apt-get install nginx-light)"
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
        timeout -s KILL 160 "$NGINX_BIN" -p "$NGX" -c "$NGX/lb.conf" -g 'daemon off;' 2>"$NGX/start.err" &
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
        al --rate 200 --arrivals poisson -d 4s --csv "$TMP/lbzero" -q "http://127.0.0.1:$NP/zero"
        LOV=$(csv "$TMP/lbzero/summary.csv" total latency_mean_ms)
        echo "         overhead through nginx: mean $LOV ms, p99 $(csv "$TMP/lbzero/summary.csv" total latency_p99_ms)"
        cat >"$TMP/lb.yaml" <<'YAML'
name: validate-lb
duration: 200s
warmup: 2s
seed: 1
workload:
  arrivals: poisson
  rate: 1400/s
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
        timeout -s KILL 90 "$AS" compare --scenario "$TMP/lb.yaml" --target "http://127.0.0.1:$NP/" \
            --rates 1000,1400 -d 8s --warmup 1s --set "$FITA" --set "$FITB" --overhead "$LOV" \
            --csv "$TMP/lb" >"$TMP/lb.cmp" 2>&1
        RC=$?
        if [ $RC -eq 0 ]; then ok "compare through nginx ran (2 rates)"; else
            not_ok "compare through nginx ran" "$(tail -5 "$TMP/lb.cmp")"; fi
        LABEL=nginx-rr
        check_rates "$TMP/lb" "$LOV" 1000 1400
    else
        not_ok "nginx starts" "$(cat "$NGX/start.err" "$NGX/error.log" 2>/dev/null)"
    fi
fi

echo "$PASS passed, $FAIL failed"
[ $FAIL -eq 0 ]
