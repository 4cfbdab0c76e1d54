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
# 3. Peak RSS (GNU time's "Maximum resident set size") of large sweeps of
#    scenarios/examples/mm1.yaml at 0.05 s simulated per point, --jobs 1: 1,000, 10,000 and
#    90,000 points (rates x worker counts, 100 x 10, 100 x 100, 300 x 300). It should stay
#    flat: rows stream to summary.csv and at most the chart's two numbers per point are kept
#    (before, every point's parsed scenario was kept: 1.4 GiB at 90,000 points). About 15 s.
#
# Writes nothing into the repository: everything goes to a temporary directory removed on
# exit. Environment: BENCH_SWEEP_JOBS (the second thread count, default 2), BENCH_SWEEP_POINTS
# (the sizes of part 3, default "1000 10000 90000"; each a product listed in rss_grid below).
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

# rss_grid N: the two --vary axes of an N-point sweep (rates x workers, every point stable).
rss_grid() {
    case $1 in
        1000) a=100 b=10 ;;
        10000) a=100 b=100 ;;
        90000) a=300 b=300 ;;
        *) die "BENCH_SWEEP_POINTS: no grid for $1 points (1000, 10000 or 90000)" ;;
    esac
    rates=$(seq 500 $((500 + a - 1)) | sed 's|$|/s|' | paste -sd, -)
    workers=$(seq -s, 1 "$b")
}
MM1=$ROOT/scenarios/examples/mm1.yaml
echo "sweep memory: mm1.yaml, -d 0.05s --warmup 0s, --jobs 1, peak RSS (GNU time %M)"
for n in ${BENCH_SWEEP_POINTS:-1000 10000 90000}; do
    rss_grid "$n"
    rm -rf "$TMP/rss"
    t0=$(now)
    /usr/bin/time -f %M -o "$TMP/rss.txt" "$BIN" sweep "$MM1" -d 0.05s --warmup 0s \
        --vary "workload.rate=$rates" --vary "components.api.workers=$workers" -q --csv "$TMP/rss"
    t1=$(now)
    kb=$(tail -n 1 "$TMP/rss.txt")
    rows=$(awk 'END { print NR - 1 }' "$TMP/rss/summary.csv")
    printf '  %-28s %8s s  peak RSS %7.1f MiB  (%s rows)\n' "$n points ($a x $b)" "$(elapsed "$t0" "$t1")" \
        "$(awk -v k="$kb" 'BEGIN { print k / 1024 }')" "$rows"
done

[ "$same" = yes ] && [ "$msame" = yes ]
