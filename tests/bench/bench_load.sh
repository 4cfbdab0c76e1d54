#!/bin/sh
# archload benchmark: archload against wrk on the same nginx on loopback, same threads and
# connections, closed model (wrk's only model), alternating runs so that drifts in the machine's
# load hit both tools alike.
#
#   sh tests/bench/bench_load.sh [BUILD_DIR]          (BUILD_DIR defaults to build)
#
# For each run: requests/s as the tool reports it, and CPU time per request = (user + system
# seconds from /usr/bin/time) / requests. nginx runs with one worker from tests/nginx/
# nginx.conf.in in a temporary directory (removed on exit) and serves a 6-byte file, so the
# numbers measure the clients' per-request cost and the loopback, not the server's disk.
# Prints a table and the exact commands; writes nothing into the repository.
#
# Then the open model: the highest rate archload sustains with < 1 % schedule lag, from a
# ladder of constant rates against the same nginx. Schedule lag is archload's own measure (the
# report's "schedule lag" line): the share of answered requests whose first byte was written
# more than 1 ms after their intended send time. A rate is sustained when that share is
# < 1 %, every request sent was answered with a 200 and none is in flight.
#
# Environment: BENCH_RUNS (runs per tool, default 3), BENCH_DURATION (default 5s),
# BENCH_THREADS (default 2), BENCH_CONNECTIONS (default 50), BENCH_RATES (the ladder, requests/s,
# default "1000 2000 5000 10000 15000 20000 30000"), BENCH_OPEN_CONNECTIONS (the open model's
# connection cap, default 256).
# shellcheck disable=SC2016 # awk programs are single-quoted on purpose
set -u

B=${1:-build}
case $B in /*) ;; *) B=$(pwd)/$B ;; esac
AL=$B/archload
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
RUNS=${BENCH_RUNS:-3}
DUR=${BENCH_DURATION:-5s}
T=${BENCH_THREADS:-2}
C=${BENCH_CONNECTIONS:-50}
RATES=${BENCH_RATES:-1000 2000 5000 10000 15000 20000 30000}
OC=${BENCH_OPEN_CONNECTIONS:-256}

for tool in "$AL" /usr/bin/time; do
    [ -x "$tool" ] || { echo "bench_load.sh: $tool missing" >&2; exit 2; }
done
command -v wrk >/dev/null 2>&1 || { echo "bench_load.sh: wrk missing (apt-get install wrk)" >&2; exit 2; }
NGINX_BIN=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$NGINX_BIN" ] || { echo "bench_load.sh: nginx missing" >&2; exit 2; }

TMP=$(mktemp -d "${TMPDIR:-/tmp}/archload-bench.XXXXXX") || exit 2
NGINX_PID=
trap '[ -n "$NGINX_PID" ] && kill "$NGINX_PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM HUP PIPE
mkdir -p "$TMP/www" "$TMP/tmp"
printf 'hello\n' >"$TMP/www/hello.txt"
chmod 755 "$TMP" "$TMP/www"
chmod 644 "$TMP/www/hello.txt"
# The config's TLS server needs a certificate even though the benchmark uses plain HTTP.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$TMP/key.pem" \
    -out "$TMP/cert.pem" -days 1 -subj /CN=localhost >/dev/null 2>&1 ||
    { echo "bench_load.sh: openssl could not make a certificate" >&2; exit 2; }
PORT=$(awk -v s="$$" 'BEGIN { srand(s); print 20000 + int(rand() * 20000) }')
sed -e "s|@DIR@|$TMP|g" -e "s|@PORT@|$PORT|g" -e "s|@TLSPORT@|$((PORT + 1))|g" \
    -e 's|access_log .*;|access_log off;|' "$ROOT/tests/nginx/nginx.conf.in" >"$TMP/nginx.conf"
"$NGINX_BIN" -p "$TMP" -c "$TMP/nginx.conf" -g 'daemon off;' 2>"$TMP/nginx.err" &
NGINX_PID=$!
URL=http://127.0.0.1:$PORT/hello.txt
i=0
until "$AL" -q -n 1 -c 1 -t 1 --timeout 1s --threshold 'error_rate<=0%' "$URL" >/dev/null 2>&1; do
    i=$((i + 1))
    if [ $i -gt 50 ]; then echo "nginx did not start: $(cat "$TMP/nginx.err")" >&2; exit 1; fi
    sleep 0.1
done

echo "machine: $(uname -srm), $(nproc) cores, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)"
echo "nginx $("$NGINX_BIN" -v 2>&1 | sed 's|.*/||'), 1 worker; $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2); archload $("$AL" --version | cut -d' ' -f2)"
echo "commands:"
echo "  wrk -t$T -c$C -d$DUR $URL"
echo "  archload -t $T -c $C -d $DUR $URL"
echo
printf '%-9s %4s %12s %10s %10s %14s\n' tool run requests/s requests cpu_s cpu_us/request

run=1
while [ $run -le "$RUNS" ]; do
    for tool in wrk archload; do
        if [ $tool = wrk ]; then
            /usr/bin/time -f '%U %S' -o "$TMP/time" wrk -t"$T" -c"$C" -d"$DUR" "$URL" >"$TMP/out" 2>&1
            rps=$(awk '/^Requests\/sec:/ { print $2 }' "$TMP/out")
            req=$(awk '/requests in/ { print $1 }' "$TMP/out")
        else
            /usr/bin/time -f '%U %S' -o "$TMP/time" "$AL" -t "$T" -c "$C" -d "$DUR" "$URL" >"$TMP/out" 2>&1
            rps=$(awk '$1 == "total" { print $8 }' "$TMP/out")
            req=$(awk '$1 == "total" { print $4 }' "$TMP/out")
        fi
        cpu=$(awk '{ print $1 + $2 }' "$TMP/time")
        printf '%-9s %4d %12s %10s %10s %14s\n' $tool $run "$rps" "$req" "$cpu" \
            "$(awk -v c="$cpu" -v n="$req" 'BEGIN { if (n > 0) printf "%.2f", c / n * 1e6; else print "-" }')"
    done
    run=$((run + 1))
done

# --- open model: the highest rate with < 1 % schedule lag --------------------------------------
# The machine's own floor: a bare timerfd loop (no network, no parsing) asked to wake at the same
# rate for the same time, and how often it woke more than 1 ms late. On a shared machine no
# client can do better than this; it is printed next to archload's lag (column floor_%).
FLOOR=
if command -v cc >/dev/null 2>&1; then
    cat >"$TMP/floor.c" <<'EOF'
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>
static int64_t now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}
int main(int argc, char **argv) {
    double rate = atof(argv[1]), secs = atof(argv[2]);
    int64_t n = (int64_t)(rate * secs), late = 0, t0 = now() + 1000000;
    int fd = timerfd_create(CLOCK_MONOTONIC, 0);
    for (int64_t i = 0; i < n && argc == 3; i++) {
        int64_t at = t0 + (int64_t)((double)i * 1e9 / rate);
        struct itimerspec its = {{0, 0}, {at / 1000000000, at % 1000000000}};
        uint64_t x;
        timerfd_settime(fd, TFD_TIMER_ABSTIME, &its, NULL);
        if (at > now() && read(fd, &x, sizeof x) < 0) return 1;
        if (now() - at > 1000000) late++;
    }
    printf("%.3f\n", n ? 100.0 * (double)late / (double)n : 0.0);
    return 0;
}
EOF
    cc -O2 -o "$TMP/floor" "$TMP/floor.c" 2>/dev/null && FLOOR=$TMP/floor
fi
SECS=$(awk -v d="$DUR" 'BEGIN { v = d + 0; if (d ~ /ms$/) v /= 1000; else if (d ~ /m$/) v *= 60; print v }')

echo
echo "open model ladder: archload --rate R -d $DUR -t $T -c $OC $URL"
printf '%10s %10s %10s %8s %10s %12s %10s %8s %s\n' rate sent 'done' errors late late_% max_lag_ms floor_% sustained
best=0
for R in $RATES; do
    floor=-
    [ -n "$FLOOR" ] && floor=$("$FLOOR" "$R" "$SECS")
    "$AL" --rate "$R" -d "$DUR" -t "$T" -c "$OC" "$URL" >"$TMP/out" 2>&1
    # shellcheck disable=SC2046 # seven numbers, split on purpose
    set -- $(awk '
        $1 == "total" { sent = $3; done_ = $4; err = $5 + $6; fl = $7 }
        /^schedule lag:/ { late = $3; n = $5; pct = $8; sub(/^\(/, "", pct); mx = $(NF - 1) }
        END { printf "%s %s %s %s %s %s %s\n", sent + 0, done_ + 0, err + 0, fl + 0, late + 0, pct == "" ? "-" : pct, mx == "" ? "-" : mx }' "$TMP/out")
    sent=$1 done_=$2 errs=$3 fl=$4 late=$5 pct=$6 mx=$7
    ok=no
    if [ "$pct" != - ] && [ "$sent" -gt 0 ] && [ "$done_" = "$sent" ] && [ "$errs" = 0 ] &&
        [ "$fl" = 0 ] && awk -v p="$pct" 'BEGIN { exit !(p < 1) }'; then
        ok=yes
        best=$R
    fi
    printf '%10s %10s %10s %8s %10s %12s %10s %8s %s\n' "$R" "$sent" "$done_" "$errs" "$late" "$pct" "$mx" "$floor" $ok
done
echo "highest rate sustained with < 1 % schedule lag: $best/s (of the ladder: $RATES)"
