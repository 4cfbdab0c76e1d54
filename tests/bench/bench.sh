#!/bin/sh
# archsim benchmark: events per second, instructions per event, peak RSS.
#
#   sh tests/bench/bench.sh [ARCHSIM]          (what `make bench` runs; ARCHSIM defaults to build/archsim)
#
# Prints a table for a human and writes nothing into the repository: every run writes its CSV
# into a temporary directory that is removed on exit. The figures and how to read them are in
# docs/performance.md.
#
#   1. events/s   = events / wall_s from summary.csv's total row, best of BENCH_RUNS (3) runs,
#                   for M/M/1 (900/s, exp 1 ms, 1 worker) and M/M/4 (3200/s, exp 1 ms, 4 workers)
#                   of 10^7 customers each.
#   2. Ir/event   = callgrind's total instructions / events, same two models: 10^6 customers,
#                   then 10^7 when ten times the 10^6 run stays under ~3 min (said in the
#                   output; Ir/event barely depends on the length, and both rows show it).
#   3. peak RSS   = GNU time's "Maximum resident set size" for M/M/1 runs of 10^6, 10^7 and
#                   10^8 customers (should be flat: interval rows stream, requests are pooled).
#   4. machine, compiler, build flags and the exact commands.
#   5. web-stack.yaml (every kind), 5b. peak RSS per service replica (replicas.yaml).
#
# Environment: BENCH_RUNS (default 3), BENCH_CG_CUSTOMERS (force the callgrind size, e.g.
# 1000000), BENCH_RSS_MAX (largest RSS run, default 100000000), BENCH_KEEP=DIR (copy the
# callgrind profiles there, for callgrind_annotate), BENCH_SKIP_CG=1 (no callgrind).
set -eu

BIN=${1:-build/archsim}
case $BIN in /*) ;; *) BIN=$(pwd)/$BIN ;; esac
HERE=$(cd "$(dirname "$0")" && pwd)
MM1=$HERE/mm1-bench.yaml
MM4=$HERE/mm4-bench.yaml
RUNS=${BENCH_RUNS:-3}
RSS_MAX=${BENCH_RSS_MAX:-100000000}
TIME=/usr/bin/time

die() { echo "bench: $*" >&2; exit 2; }
[ -x "$BIN" ] || die "$BIN: not found or not executable (make build/archsim)"
if [ ! -f "$MM1" ] || [ ! -f "$MM4" ]; then die "scenario files missing in $HERE"; fi
[ -x "$TIME" ] || die "$TIME missing (Debian package 'time'; make deps installs it)"
if [ "${BENCH_SKIP_CG:-0}" != 1 ]; then
    command -v valgrind >/dev/null 2>&1 || die "valgrind missing (make deps installs it)"
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/archsim-bench.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM
START=$(date +%s)

# --- helpers -------------------------------------------------------------------------------

# Simulated seconds for N customers at RATE per second (ceil(N / RATE)).
dur_for() { awk -v n="$1" -v r="$2" 'BEGIN { d = n / r; if (d > int(d)) d = int(d) + 1; printf "%d", d }'; }

# Column NAME of the total row of summary.csv FILE.
total_col() {
    awk -F, -v f="$1" '
        NR == 1 { for (i = 1; i <= NF; i++) { if ($i == f) c = i; if ($i == "component") k = i }; next }
        $k == "total" { print $c; exit }' "$2"
}

# Thousands separators for an integer.
grp() { printf '%s\n' "$1" | awk '{ s = $0; o = ""; while (length(s) > 3) { o = "," substr(s, length(s) - 2) o; s = substr(s, 1, length(s) - 3) }; print s o }'; }

# Pretty customer counts.
pow10() { case $1 in 1000000) echo '10^6' ;; 10000000) echo '10^7' ;; 100000000) echo '10^8' ;; *) echo "$1" ;; esac; }

CMDS=$TMP/commands.txt
: >"$CMDS"
note_cmd() { grep -qxF "$*" "$CMDS" 2>/dev/null || printf '%s\n' "$*" >>"$CMDS"; }

# run_sim OUTDIR SCENARIO DURATION_S: one quiet run with CSV into OUTDIR.
run_sim() {
    rm -rf "$1"
    "$BIN" run "$2" -q -d "${3}s" --csv "$1" >/dev/null
}

# --- 4. machine ----------------------------------------------------------------------------

cpu=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)
[ -n "$cpu" ] || cpu=$(uname -m)
logical=$(grep -c '^processor' /proc/cpuinfo 2>/dev/null || echo '?')
online=$(nproc 2>/dev/null || echo '?')
mhz=$(awk -F': *' '/^cpu MHz/ { printf "%.0f MHz", $2; exit }' /proc/cpuinfo 2>/dev/null || true)
cc_ver=$(${CC:-cc} --version 2>/dev/null | head -n 1 || echo unknown)
producer=$(readelf --debug-dump=info "$BIN" 2>/dev/null | sed -n '/DW_AT_producer/{s/.*DW_AT_producer *: *//;s/^(indirect string[^)]*): *//;p;q;}' || true)
vg_ver=$(valgrind --version 2>/dev/null || echo 'not installed')

echo "archsim benchmark — $(date -u '+%Y-%m-%d %H:%M UTC')"
echo
printf '  %-10s %s\n' machine "$cpu${mhz:+ ($mhz)}, $online cores online ($logical logical)"
printf '  %-10s %s\n' kernel "$(uname -sr) $(uname -m)"
printf '  %-10s %s\n' compiler "$cc_ver"
printf '  %-10s %s\n' flags "${producer:-unknown (no debug info)}"
printf '  %-10s %s\n' binary "$BIN ($("$BIN" --version 2>/dev/null | head -n 1))"
printf '  %-10s %s\n' valgrind "$vg_ver"
printf '  %-10s %s\n' load "$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?') (1/5/15 min; other work on the machine slows wall-clock figures)"
echo

# --- 1. events per second ------------------------------------------------------------------

N=10000000
D1=$(dur_for $N 900)
D4=$(dur_for $N 3200)

echo "1. events per second — $(pow10 $N) customers, best of $RUNS runs (events / wall_s, summary.csv total row)"
echo
printf '  %-8s %10s %12s %12s %-26s %14s\n' model sim_time events best_wall 'all walls (s)' 'events/s'
printf '  %-8s %10s %12s %12s %-26s %14s\n' -------- ---------- ------------ ------------ -------------------------- --------------
for m in mm1 mm4; do
    if [ $m = mm1 ]; then f=$MM1 d=$D1; else f=$MM4 d=$D4; fi
    note_cmd "$BIN run $f -q -d ${d}s --csv \$TMP/out        # $RUNS times; events, wall_s from \$TMP/out/summary.csv (total row)"
    best='' walls='' ev=''
    i=0
    while [ $i -lt "$RUNS" ]; do
        i=$((i + 1))
        run_sim "$TMP/eps" "$f" "$d"
        ev=$(total_col events "$TMP/eps/summary.csv")
        w=$(total_col wall_s "$TMP/eps/summary.csv")
        walls="$walls${walls:+ }$w"
        best=$(awk -v a="${best:-}" -v b="$w" 'BEGIN { print (a == "" || b + 0 < a + 0) ? b : a }')
    done
    eps=$(awk -v e="$ev" -v w="$best" 'BEGIN { printf "%.0f", (w > 0) ? e / w : 0 }')
    eval "EV_$m=\$ev BEST_$m=\$best EPS_$m=\$eps"
    printf '  %-8s %9ss %12s %11ss %-26s %14s\n' "$m" "$d" "$(grp "$ev")" "$best" "$walls" "$(grp "$eps")"
done
echo "  goal: >= 10,000,000 events/s on one core"
echo

# --- 2. instructions per event -------------------------------------------------------------

# cg_run MODEL CUSTOMERS: one callgrind run; prints a table row and sets IR, CGEV, CGWALL.
cg_run() {
    if [ "$1" = mm1 ]; then f=$MM1 r=900; else f=$MM4 r=3200; fi
    d=$(dur_for "$2" $r)
    out=$TMP/callgrind.$1.$2.out
    note_cmd "valgrind --tool=callgrind --callgrind-out-file=\$TMP/callgrind.$1.$2.out $BIN run $f -q -d ${d}s --csv \$TMP/cg"
    rm -rf "$TMP/cg"
    valgrind --tool=callgrind --callgrind-out-file="$out" \
        "$BIN" run "$f" -q -d "${d}s" --csv "$TMP/cg" >/dev/null 2>"$TMP/vg.log" ||
        { cat "$TMP/vg.log" >&2; die "callgrind run of $1 failed"; }
    IR=$(sed -n 's/.*Collected : *\([0-9]*\).*/\1/p' "$TMP/vg.log" | tail -n 1)
    CGEV=$(total_col events "$TMP/cg/summary.csv")
    CGWALL=$(total_col wall_s "$TMP/cg/summary.csv")
    ipe=$(awk -v i="$IR" -v e="$CGEV" 'BEGIN { printf "%.0f", i / e }')
    printf '  %-8s %-10s %10s %12s %16s %10s %9ss\n' "$1" "$(pow10 "$2")" "${d}s" "$(grp "$CGEV")" "$(grp "$IR")" "$ipe" "$CGWALL"
    if [ -n "${BENCH_KEEP:-}" ]; then
        mkdir -p "$BENCH_KEEP" && cp "$out" "$BENCH_KEEP/"
    fi
}

if [ "${BENCH_SKIP_CG:-0}" = 1 ]; then
    echo "2. instructions per event — skipped (BENCH_SKIP_CG=1)"
    echo
else
    echo "2. instructions per event — valgrind --tool=callgrind, total Ir / events"
    echo "   (10^6 customers first; 10^7 too when 10 x that run's time stays under 3 min;"
    echo "    BENCH_CG_CUSTOMERS=N forces one size)"
    echo
    printf '  %-8s %-10s %10s %12s %16s %10s %10s\n' model customers sim_time events 'Ir (total)' Ir/event cg_wall
    printf '  %-8s %-10s %10s %12s %16s %10s %10s\n' -------- ---------- ---------- ------------ ---------------- ---------- ----------
    skipped=''
    for m in mm1 mm4; do
        if [ -n "${BENCH_CG_CUSTOMERS:-}" ]; then
            cg_run $m "$BENCH_CG_CUSTOMERS"
            n=$BENCH_CG_CUSTOMERS
        else
            cg_run $m 1000000
            n=1000000
            if awk -v w="$CGWALL" 'BEGIN { exit !(w * 10 <= 180) }'; then
                cg_run $m $N
                n=$N
            else
                skipped="$skipped $m"
            fi
        fi
        eval "CGN_$m=\$n EVCG_$m=\$CGEV"
    done
    [ -z "$skipped" ] ||
        echo "  10^7 skipped for$skipped: over ~3 min under callgrind here; Ir/event barely depends on length"
    echo "  goal: <= 300 instructions per event (Ir includes start-up: YAML parsing, libc; ~2 M Ir, i.e. ~1 Ir/event at 10^6)"
    echo
    if command -v callgrind_annotate >/dev/null 2>&1; then
        for m in mm1 mm4; do
            eval "ev=\$EVCG_$m n=\$CGN_$m"
            note_cmd "callgrind_annotate --inclusive=no \$TMP/callgrind.MODEL.CUSTOMERS.out     # top functions (self Ir)"
            echo "  top functions, $m, $(pow10 "$n") customers (self Ir per event; callgrind_annotate --inclusive=no):"
            callgrind_annotate --inclusive=no "$TMP/callgrind.$m.$n.out" 2>/dev/null |
                sed -n 's/^ *\([0-9,][0-9,]*\) *([ 0-9.]*%) *\(.*\)$/\1 \2/p' |
                grep -v 'PROGRAM TOTALS' | head -n 12 |
                awk -v e="$ev" '{
                    ir = $1; gsub(/,/, "", ir); fn = $2
                    sub(/^.*\//, "", fn)                 # drop the directory of file:function
                    printf "    %8.1f  %s\n", ir / e, fn }'
            echo
        done
    fi
fi

# --- 3. peak RSS ---------------------------------------------------------------------------

echo "3. peak RSS — M/M/1, GNU time's \"Maximum resident set size\" (should stay flat with length)"
echo
printf '  %-10s %10s %14s %10s %14s %12s\n' customers sim_time events wall 'events/s' 'max RSS'
printf '  %-10s %10s %14s %10s %14s %12s\n' ---------- ---------- -------------- ---------- -------------- ------------
rss_first=''
rss_last=''
for n in 1000000 10000000 "$RSS_MAX"; do
    [ "$n" -le "$RSS_MAX" ] || continue
    case " ${seen:-} " in *" $n "*) continue ;; esac
    seen="${seen:-} $n"
    d=$(dur_for "$n" 900)
    note_cmd "$TIME -f %M -o \$TMP/rss.txt $BIN run $MM1 -q -d ${d}s --csv \$TMP/rss"
    rm -rf "$TMP/rss"
    "$TIME" -f '%M' -o "$TMP/rss.txt" "$BIN" run "$MM1" -q -d "${d}s" --csv "$TMP/rss" >/dev/null
    kb=$(tail -n 1 "$TMP/rss.txt")
    ev=$(total_col events "$TMP/rss/summary.csv")
    w=$(total_col wall_s "$TMP/rss/summary.csv")
    eps=$(awk -v e="$ev" -v w="$w" 'BEGIN { printf "%.0f", (w > 0) ? e / w : 0 }')
    printf '  %-10s %9ss %14s %9ss %14s %9s KB\n' "$(pow10 "$n")" "$d" "$(grp "$ev")" "$w" "$(grp "$eps")" "$(grp "$kb")"
    [ -n "$rss_first" ] || rss_first=$kb
    rss_last=$kb
done
verdict=$(awk -v a="$rss_first" -v b="$rss_last" 'BEGIN {
    r = b / a; printf "%.2fx", r
    if (b <= a * 1.10 + 1024) printf " — flat"; else printf " — GROWS with run length" }')
echo "  largest / smallest: $verdict"
echo

# --- 5. composition -------------------------------------------------------------------------

WS=$HERE/../../scenarios/examples/web-stack.yaml
echo "5. web-stack.yaml (every component kind in one scenario), 300 s simulated, best of $RUNS"
echo
note_cmd "$BIN run $WS -q -d 300s --csv \$TMP/ws        # $RUNS times"
best='' ev=''
i=0
while [ $i -lt "$RUNS" ]; do
    i=$((i + 1))
    run_sim "$TMP/ws" "$WS" 300
    ev=$(total_col events "$TMP/ws/summary.csv")
    w=$(total_col wall_s "$TMP/ws/summary.csv")
    best=$(awk -v a="${best:-}" -v b="$w" 'BEGIN { print (a == "" || b + 0 < a + 0) ? b : a }')
done
printf '  %s events in %ss: %s events/s\n' "$(grp "$ev")" "$best" \
    "$(grp "$(awk -v e="$ev" -v w="$best" 'BEGIN { printf "%.0f", (w > 0) ? e / w : 0 }')")"
echo

# --- 5b. memory per replica ----------------------------------------------------------------

RB=$HERE/replicas.yaml
echo "5b. memory per component: peak RSS of replicas.yaml (a balancer over N service replicas, 2 s)"
echo
printf '  %9s %12s %14s\n' replicas "max RSS" "per replica"
for n in 10 1000 10000; do
    note_cmd "/usr/bin/time -f %M -o \$TMP/rss.txt $BIN run $RB -q --set components.api.replicas=$n"
    if /usr/bin/time -f %M -o "$TMP/rss.txt" "$BIN" run "$RB" -q --set components.api.replicas=$n \
        >/dev/null 2>&1; then
        kb=$(tail -n 1 "$TMP/rss.txt")
        printf '  %9s %9s KB %11s KB\n' "$n" "$(grp "$kb")" "$(awk -v k="$kb" -v n="$n" 'BEGIN { printf "%.1f", k / n }')"
    else
        printf '  %9s  (run failed)\n' "$n"
    fi
done
echo

# --- 6. sweeps and merging ------------------------------------------------------------------

if [ -f "$HERE/bench_sweep.sh" ]; then
    sh "$HERE/bench_sweep.sh" "$BIN" || echo "  (sweep bench failed)"
    echo
fi

# --- 7. load generator ---------------------------------------------------------------------

if [ -x "$HERE/bench_load.sh" ] || [ -f "$HERE/bench_load.sh" ]; then
    sh "$HERE/bench_load.sh" "$(dirname "$BIN")" || echo "  (load generator bench failed)"
    echo
fi

# --- 4. commands ---------------------------------------------------------------------------

echo "4. commands (\$TMP is a temporary directory, removed on exit)"
echo
sed 's/^/  /' "$CMDS"
echo
echo "bench took $(($(date +%s) - START)) s"
