#!/bin/sh
# archsim sweep and merge benchmark (issue 7).
#
#   sh tests/bench/bench_sweep.sh [ARCHSIM]      (ARCHSIM defaults to build/archsim)
#
# 1. A 100-point sweep (10 arrival rates x 10 cache capacities) of
#    scenarios/examples/web-stack.yaml with --set duration=5s (and warmup=1s: the scenario's
#    own 5 s warm-up would leave nothing), on 1 and on 2 threads (--jobs): wall time, runs per
#    second, and the speed-up. The two summary.csv files must be equal except wall_s.
# 2. The same sweep as 100 shards (--shard I/100, one point each, run one after the other),
#    then the wall time of `archsim merge` over the 100 shard directories; the merged file
#    must equal the unsharded one except wall_s.
#
# Writes nothing into the repository: everything goes to a temporary directory removed on
# exit. Environment: BENCH_SWEEP_JOBS (the second thread count, default 2).
set -eu

BIN=${1:-build/archsim}
case $BIN in /*) ;; *) BIN=$(pwd)/$BIN ;; esac
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SCN=$ROOT/scenarios/examples/web-stack.yaml
JOBS=${BENCH_SWEEP_JOBS:-2}

die() { echo "bench_sweep: $*" >&2; exit 2; }
[ -x "$BIN" ] || die "$BIN: not found or not executable (make build/archsim)"
[ -f "$SCN" ] || die "$SCN missing"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/archsim-bench-sweep.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
drop_wall() {
    awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "wall_s") w = i }
             { out = ""; for (i = 1; i <= NF; i++) if (i != w) out = out (i == 1 ? "" : ",") $i; print out }' "$1"
}

RATES=1500/s,1700/s,1900/s,2100/s,2300/s,2500/s,2700/s,2900/s,3100/s,3300/s
CAPS=10000,20000,30000,40000,50000,60000,70000,80000,90000,100000
sweep() {
    "$BIN" sweep "$SCN" --set duration=5s --set warmup=1s --vary "workload.rate=$RATES" \
        --vary "components.cache.capacity=$CAPS" -q "$@"
}

echo "archsim sweep/merge benchmark: $(uname -srm), $(getconf _NPROCESSORS_ONLN 2>/dev/null || echo '?') CPUs"
echo "sweep: web-stack.yaml, 100 points (10 rates x 10 cache capacities), 5 s simulated each"

t0=$(now)
sweep --jobs 1 --csv "$TMP/j1"
t1=$(now)
sweep --jobs "$JOBS" --csv "$TMP/jn"
t2=$(now)
w1=$(elapsed "$t0" "$t1")
wn=$(elapsed "$t1" "$t2")
drop_wall "$TMP/j1/summary.csv" >"$TMP/a"
drop_wall "$TMP/jn/summary.csv" >"$TMP/b"
cmp -s "$TMP/a" "$TMP/b" && same=yes || same=NO
printf '  %-28s %8s s  %7.1f runs/s\n' "--jobs 1" "$w1" "$(awk -v w="$w1" 'BEGIN { print 100 / w }')"
printf '  %-28s %8s s  %7.1f runs/s  (speed-up %.2f; same rows: %s)\n' "--jobs $JOBS" "$wn" \
    "$(awk -v w="$wn" 'BEGIN { print 100 / w }')" "$(awk -v a="$w1" -v b="$wn" 'BEGIN { print a / b }')" "$same"

t0=$(now)
i=0
while [ $i -lt 100 ]; do
    sweep --shard "$i/100" --csv "$TMP/shard/$i"
    i=$((i + 1))
done
t1=$(now)
dirs=""
i=0
while [ $i -lt 100 ]; do
    dirs="$dirs $TMP/shard/$i"
    i=$((i + 1))
done
t2=$(now)
# shellcheck disable=SC2086 # the directory list is meant to split
"$BIN" merge $dirs --csv "$TMP/merged" -q
t3=$(now)
drop_wall "$TMP/merged/summary.csv" >"$TMP/m"
cmp -s "$TMP/a" "$TMP/m" && msame=yes || msame=NO
printf '  %-28s %8s s  (100 processes, one after the other)\n' "100 shards (--shard I/100)" "$(elapsed "$t0" "$t1")"
printf '  %-28s %8s s  (equal to the unsharded sweep: %s)\n' "merge of 100 shard outputs" "$(elapsed "$t2" "$t3")" "$msame"
[ "$same" = yes ] && [ "$msame" = yes ]
