#!/bin/sh
# archload benchmark: archload against wrk on the same nginx on loopback, same threads and
# connections, closed model (wrk's only model), alternating runs so that drifts in the machine's
# load hit both tools alike.
#
#   sh tests/bench/bench_load.sh [BUILD_DIR]          (BUILD_DIR defaults to build)
#
# For each run: requests/s as the tool reports it, and CPU time per request = (user + system
# seconds from /usr/bin/time) / requests, split into user and system, and the voluntary
# context switches per request (how often a thread blocked for want of an answer); then the
# medians of each tool and archload's ratios to wrk. A third "tool", the client floor (a
# minimal epoll client compiled on the spot: one send and one read per request, nothing else),
# runs in the same alternation: its CPU per request is the least any client pays here, which
# shows how much of wrk's and archload's cost is the kernel's. Then one run of each tool with
# its system calls counted per request by name (perf's syscall tracepoints, or strace -c) and
# the TCP segments per request (/proc/net/snmp). nginx runs with one worker from tests/nginx/
# nginx.conf.in in a temporary directory (removed on exit) and serves a 6-byte file, so the
# numbers measure the clients' per-request cost and the loopback, not the server's disk.
# Prints tables and the exact commands; writes nothing into the repository.
#
# Then the open model: the highest rate archload sustains with < 1 % schedule lag, from a
# ladder of constant rates against the same nginx. Schedule lag is archload's own measure (the
# report's "schedule lag" line): the share of answered requests whose first byte was written
# more than 1 ms after their intended send time. A rate is sustained when that share is
# < 1 %, every request sent was answered with a 200 and none is in flight.
#
# Environment: BENCH_RUNS (runs per tool, default 5), BENCH_DURATION (default 5s),
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
RUNS=${BENCH_RUNS:-5}
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

SECS=$(awk -v d="$DUR" 'BEGIN { v = d + 0; if (d ~ /ms$/) v /= 1000; else if (d ~ /m$/) v *= 60; print v }')

# The client floor: the least any epoll client can do per request here, compiled on the spot
# and run as a third "tool" in the alternation: T threads, C keep-alive connections, one send of
# fixed bytes and reads until Content-Length is complete, no parsing beyond that, no timers,
# no statistics. Its CPU per request is what the kernel charges a client for the loopback
# round trip; no client, archload or wrk, can go below it.
CFLOOR=
if command -v cc >/dev/null 2>&1; then
    cat >"$TMP/cfloor.c" <<'EOF'
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
struct c { int fd; size_t have, need; char buf[4096]; };
static struct sockaddr_in sa;
static char req[512];
static size_t reqlen;
static int nconn;
static double secs;
static long total;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}
static void *worker(void *arg) {
    int ep = epoll_create1(0), one = 1;
    struct c *cs = calloc((size_t)nconn, sizeof *cs);
    struct epoll_event evs[256];
    long done = 0;
    double end = now() + secs;
    (void)arg;
    for (int i = 0; i < nconn; i++) {
        struct epoll_event e = {EPOLLIN, {.ptr = &cs[i]}};
        cs[i].fd = socket(AF_INET, SOCK_STREAM, 0);
        setsockopt(cs[i].fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        if (connect(cs[i].fd, (struct sockaddr *)&sa, sizeof sa)) exit(1);
        epoll_ctl(ep, EPOLL_CTL_ADD, cs[i].fd, &e);
        if (send(cs[i].fd, req, reqlen, MSG_NOSIGNAL) != (ssize_t)reqlen) exit(1);
    }
    while (now() < end) {
        int n = epoll_wait(ep, evs, 256, 100);
        for (int k = 0; k < n; k++) {
            struct c *c = evs[k].data.ptr;
            ssize_t r = read(c->fd, c->buf + c->have, sizeof c->buf - c->have);
            if (r <= 0) exit(1);
            c->have += (size_t)r;
            if (!c->need) {
                char *h = memmem(c->buf, c->have, "\r\n\r\n", 4), *l;
                if (!h) continue;
                *h = 0;
                l = strcasestr(c->buf, "\ncontent-length:");
                c->need = (size_t)(h + 4 - c->buf) + (l ? strtoul(l + 16, NULL, 10) : 0);
            }
            if (c->have < c->need) continue;
            memmove(c->buf, c->buf + c->need, c->have - c->need);
            c->have -= c->need;
            c->need = 0;
            done++;
            if (send(c->fd, req, reqlen, MSG_NOSIGNAL) != (ssize_t)reqlen) exit(1);
        }
    }
    pthread_mutex_lock(&mu);
    total += done;
    pthread_mutex_unlock(&mu);
    return NULL;
}
int main(int argc, char **argv) {
    pthread_t th[256];
    int t;
    if (argc != 7 || (t = atoi(argv[4])) < 1 || t > 256) return 2;
    sa.sin_family = AF_INET;
    sa.sin_port = htons((unsigned short)atoi(argv[2]));
    inet_pton(AF_INET, argv[1], &sa.sin_addr);
    reqlen = (size_t)snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: %s:%s\r\n\r\n", argv[3],
                              argv[1], argv[2]);
    nconn = atoi(argv[5]) / t;
    secs = atof(argv[6]);
    for (int i = 0; i < t; i++) pthread_create(&th[i], NULL, worker, NULL);
    for (int i = 0; i < t; i++) pthread_join(th[i], NULL);
    printf("%ld\n", total);
    return 0;
}
EOF
    cc -O2 -o "$TMP/cfloor" "$TMP/cfloor.c" -lpthread 2>/dev/null && CFLOOR=$TMP/cfloor
fi
TOOLS="wrk archload${CFLOOR:+ floor}"

echo "machine: $(uname -srm), $(nproc) cores, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min; other work on the machine moves every figure)"
echo "nginx $("$NGINX_BIN" -v 2>&1 | sed 's|.*/||'), 1 worker; $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2); archload $("$AL" --version | cut -d' ' -f2)"
echo "commands:"
echo "  wrk -t$T -c$C -d$DUR $URL"
echo "  archload -t $T -c $C -d $DUR $URL"
[ -n "$CFLOOR" ] && echo "  floor 127.0.0.1 $PORT /hello.txt $T $C $SECS    (the client floor, source above in this script)"
echo
# One closed-model run of tool ($1) under /usr/bin/time: requests/s as the tool reports it,
# requests, user and system s, and the voluntary context switches (the thread blocked waiting).
closed_run() {
    if [ "$1" = wrk ]; then
        /usr/bin/time -f '%U %S %w' -o "$TMP/time" wrk -t"$T" -c"$C" -d"$DUR" "$URL" >"$TMP/out" 2>&1
        rps=$(awk '/^Requests\/sec:/ { print $2 }' "$TMP/out")
        req=$(awk '/requests in/ { print $1 }' "$TMP/out")
    elif [ "$1" = floor ]; then
        /usr/bin/time -f '%U %S %w' -o "$TMP/time" "$CFLOOR" 127.0.0.1 "$PORT" /hello.txt "$T" "$C" "$SECS" >"$TMP/out" 2>&1
        req=$(head -n 1 "$TMP/out")
        rps=$(awk -v n="$req" -v s="$SECS" 'BEGIN { printf "%.1f", n / s }')
    else
        /usr/bin/time -f '%U %S %w' -o "$TMP/time" "$AL" -t "$T" -c "$C" -d "$DUR" "$URL" >"$TMP/out" 2>&1
        rps=$(awk '$1 == "total" { print $8 }' "$TMP/out")
        req=$(awk '$1 == "total" { print $4 }' "$TMP/out")
    fi
}
printf '%-9s %4s %12s %10s %7s %7s %14s %8s %8s %9s\n' tool run requests/s requests user_s sys_s \
    cpu_us/request user_us sys_us vcsw/req
: >"$TMP/closed"
run=1
while [ $run -le "$RUNS" ]; do
    for tool in $TOOLS; do
        closed_run "$tool"
        # shellcheck disable=SC2046 # three numbers, split on purpose
        set -- $(cat "$TMP/time")
        awk -v t="$tool" -v r=$run -v rps="$rps" -v n="$req" -v u="$1" -v s="$2" -v w="$3" 'BEGIN {
            if (n > 0) printf "%-9s %4d %12s %10s %7s %7s %14.2f %8.2f %8.2f %9.3f\n", t, r, rps, n, u, s, (u + s) / n * 1e6, u / n * 1e6, s / n * 1e6, w / n
            else printf "%-9s %4d %12s %10s %7s %7s %14s\n", t, r, rps, n, u, s, "-" }' | tee -a "$TMP/closed"
    done
    run=$((run + 1))
done
# Medians over the runs, and archload's CPU per request against wrk's (each run of one tool is
# next to a run of the other, so a drift of the machine's load hits both).
awk '
    { rps[$1] = rps[$1] " " $3; cpu[$1] = cpu[$1] " " $7; u[$1] = u[$1] " " $8; s[$1] = s[$1] " " $9 }
    function med(list,   a, n, i, j, t) {
        n = split(list, a, " ")
        for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
        return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    END {
        for (t in rps) printf "median    %-9s requests/s %10.0f  cpu_us/request %6.2f (user %.2f, sys %.2f)\n", t, med(rps[t]), med(cpu[t]), med(u[t]), med(s[t])
        if (("wrk" in cpu) && ("archload" in cpu))
            printf "archload / wrk: requests/s %.2f, cpu per request %.2f (goal: >= 1 and <= 0.8)\n", med(rps["archload"]) / med(rps["wrk"]), med(cpu["archload"]) / med(cpu["wrk"])
        if (("wrk" in cpu) && ("floor" in cpu))
            printf "floor / wrk: cpu per request %.2f (no client can do better here); archload / floor %.2f\n", med(cpu["floor"]) / med(cpu["wrk"]), med(cpu["archload"]) / med(cpu["floor"])
    }' "$TMP/closed"

# Per request, one run of each tool: system calls by name (perf's syscall tracepoints when perf
# may use them, else strace -c, which slows the tools and so changes how many requests share a
# wake-up), and TCP segments on the loopback (both directions; /proc/net/snmp counts the whole
# machine, so other traffic adds a little).
segs() { awk '/^Tcp:/ && ++n == 2 { print $12 }' /proc/net/snmp; }
SC=
if command -v perf >/dev/null 2>&1 && perf stat -e 'syscalls:sys_enter_read' -o /dev/null true >/dev/null 2>&1; then
    SC=perf
elif command -v strace >/dev/null 2>&1; then
    SC=strace
fi
echo
echo "per request (one $DUR run each, ${SC:-no syscall counter: install perf or strace}):"
for tool in $TOOLS; do
    case $tool in
        wrk) set -- wrk -t"$T" -c"$C" -d"$DUR" "$URL" ;;
        floor) set -- "$CFLOOR" 127.0.0.1 "$PORT" /hello.txt "$T" "$C" "$SECS" ;;
        *) set -- "$AL" -t "$T" -c "$C" -d "$DUR" "$URL" ;;
    esac
    s0=$(segs)
    case $SC in
        perf)
            perf stat -x, -o "$TMP/sc" -e 'syscalls:sys_enter_read,syscalls:sys_enter_recvfrom,syscalls:sys_enter_write,syscalls:sys_enter_sendto,syscalls:sys_enter_epoll_wait,syscalls:sys_enter_epoll_pwait2,syscalls:sys_enter_epoll_ctl,syscalls:sys_enter_timerfd_settime,raw_syscalls:sys_enter' "$@" >"$TMP/out" 2>&1 ;;
        strace) strace -f -c -o "$TMP/sc" "$@" >"$TMP/out" 2>&1 ;;
        *) "$@" >"$TMP/out" 2>&1 ;;
    esac
    s1=$(segs)
    case $tool in
        wrk) n=$(awk '/requests in/ { print $1 }' "$TMP/out") ;;
        floor) n=$(head -n 1 "$TMP/out") ;;
        *) n=$(awk '$1 == "total" { print $4 }' "$TMP/out") ;;
    esac
    case $SC in
        perf) calls=$(awk -F, -v n="$n" '$1 + 0 > 0 { name = $3; sub(/.*sys_enter_?/, "", name); if (name == "") name = "all"; printf "%s %.2f  ", name, $1 / n }' "$TMP/sc") ;;
        strace) calls=$(awk -v n="$n" '$NF != "total" && $4 ~ /^[0-9]+$/ && $4 / n >= 0.01 { printf "%s %.2f  ", $NF, $4 / n } $NF == "total" { printf "all %.2f", $3 / n }' "$TMP/sc") ;;
        *) calls= ;;
    esac
    awk -v t="$tool" -v n="$n" -v a="$s0" -v b="$s1" -v c="$calls" 'BEGIN { printf "  %-9s %8s requests; tcp segments %.2f; syscalls %s\n", t, n, (n > 0 ? (b - a) / n : 0), c }'
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
