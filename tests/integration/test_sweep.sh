#!/bin/sh
# Replications on threads, precision, warm-up auto, sweeps, shards, merge and compare (issue 7),
# run as a user would run them. Every check compares with a value computed another way: a
# sequential run, an unsharded run, a run with the warm-up given by hand, arithmetic in awk.
#
#   sh tests/integration/test_sweep.sh BUILD_DIR
#
# Prints one line per check and ends with "N passed, M failed"; exits 1 when anything failed.
# shellcheck disable=SC2016 # awk programs are single-quoted on purpose
# shellcheck disable=SC2012 # ls -A of directories this script wrote (plain file names)
set -u
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

sim_setup archsim-sweep "${1:-build}"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)

# has_err NAME TEXT: pass when stderr holds TEXT (a fixed string).
has_err() {
    if grep -qF -- "$2" "$TMP/err"; then ok "$1"; else not_ok "$1" "expected: $2" "got: $(head -n 2 "$TMP/err")"; fi
}

MM1=$TMP/mm1.yaml
write_mm1 "$MM1" 4s 1s
TANDEM=$ROOT/scenarios/examples/tandem.yaml

echo "# replications on threads"
sim run -q "$TANDEM" -d 5s --warmup 1s -R 6 --jobs 1 --csv "$TMP/j1"
expect_rc "run -R 6 --jobs 1" 0
sim run -q "$TANDEM" -d 5s --warmup 1s -R 6 --jobs 3 --csv "$TMP/j3"
expect_rc "run -R 6 --jobs 3" 0
check_quiet "--jobs 3 timeseries.csv = --jobs 1, byte for byte" cmp "$TMP/j1/timeseries.csv" "$TMP/j3/timeseries.csv"
check_quiet "--jobs 3 events.csv = --jobs 1" cmp "$TMP/j1/events.csv" "$TMP/j3/events.csv"
check_quiet "--jobs 3 summary.csv = --jobs 1 except wall_s" same_summary "$TMP/j1/summary.csv" "$TMP/j3/summary.csv"
n=$(csv_select "$TMP/j3/summary.csv" replication '$col["component"] == "total"' | tr '\n' ' ')
if [ "$n" = "0 1 2 3 4 5 mean " ]; then ok "rows in replication order, then the mean"; else not_ok "rows in replication order" "got: $n"; fi
# Replication 4 of the threaded run is replication 4 run alone (-r 4).
sim run -q "$TANDEM" -d 5s --warmup 1s -r 4 --csv "$TMP/r4"
a=$(csv_select "$TMP/j3/summary.csv" completions '$col["replication"] == "4"' | tr '\n' ' ')
b=$(csv_select "$TMP/r4/summary.csv" completions '1' | tr '\n' ' ')
if [ -n "$a" ] && [ "$a" = "$b" ]; then ok "replication 4 on a thread = -r 4 alone ($a)"; else not_ok "replication 4 = -r 4" "$a vs $b"; fi

echo "# shards as processes, merged"
for i in 0 1 2; do
    "$BIN" run -q "$TANDEM" -d 5s --warmup 1s -R 7 --shard "$i/3" --csv "$TMP/sh$i" >/dev/null 2>&1 &
done
wait
sim run -q "$TANDEM" -d 5s --warmup 1s -R 7 --csv "$TMP/full"
reps=$(csv_select "$TMP/sh1/summary.csv" replication '$col["component"] == "total"' | tr '\n' ' ')
if [ "$reps" = "1 4 " ]; then ok "shard 1/3 of 7 ran replications 1 and 4"; else not_ok "shard 1/3 units" "got: $reps"; fi
sim merge "$TMP/sh2" "$TMP/sh0" "$TMP/sh1" --csv "$TMP/merged"
expect_rc "merge of 3 shards" 0
check_quiet "merged summary.csv = unsharded except wall_s (means and CIs recomputed)" same_summary "$TMP/full/summary.csv" "$TMP/merged/summary.csv"
check_quiet "merged timeseries.csv = unsharded" cmp "$TMP/full/timeseries.csv" "$TMP/merged/timeseries.csv"
check_quiet "merged events.csv = unsharded" cmp "$TMP/full/events.csv" "$TMP/merged/events.csv"
check_quiet "merge writes no manifest" test ! -e "$TMP/merged/shard.txt"
sim merge "$TMP/sh0" "$TMP/sh2" --csv "$TMP/bad"
expect_rc "merge with a shard missing: exit 2" 2
check_quiet "... and says which" grep -q "shard 1/3 is missing" "$TMP/err"
sim merge "$TMP/sh0" "$TMP/sh1" "$TMP/sh1" "$TMP/sh2" --csv "$TMP/bad"
expect_rc "merge with a shard given twice: exit 2" 2
has_err "... and says which" "$TMP/sh1: error: given twice (shard 1/3)"
cp -r "$TMP/sh1" "$TMP/sh1copy"
sim merge "$TMP/sh0" "$TMP/sh1" "$TMP/sh1copy" "$TMP/sh2" --csv "$TMP/bad"
expect_rc "merge with a copy of a shard: exit 2" 2
has_err "... naming both directories" "$TMP/sh1copy: error: shard 1/3, but so is $TMP/sh1: a shard given twice"

# The job-array environments choose the same shares.
JOB_COMPLETION_INDEX=1 "$BIN" run -q "$TANDEM" -d 5s --warmup 1s -R 7 --shard auto/3 --csv "$TMP/k8s1" >/dev/null 2>&1
check_quiet "JOB_COMPLETION_INDEX=1 --shard auto/3 = --shard 1/3" same_summary "$TMP/sh1/summary.csv" "$TMP/k8s1/summary.csv"
SLURM_ARRAY_TASK_ID=3 SLURM_ARRAY_TASK_MIN=1 SLURM_ARRAY_TASK_COUNT=3 "$BIN" run -q "$TANDEM" -d 5s --warmup 1s -R 7 --shard auto/3 --csv "$TMP/slurm" >/dev/null 2>&1
check_quiet "SLURM_ARRAY_TASK_ID=3 (min 1) --shard auto/3 = --shard 2/3" same_summary "$TMP/sh2/summary.csv" "$TMP/slurm/summary.csv"
sim run -q "$TANDEM" -R 7 --shard auto/3
expect_rc "--shard auto/3 without a job array: exit 2" 2
sim run -q "$TANDEM" -R 7 --shard 3/3
expect_rc "--shard 3/3: exit 2" 2

echo "# merge into one of its inputs"
# The result must be what the unsharded run wrote, file for file: no shard.txt left behind.
for i in 0 1 2; do cp -r "$TMP/sh$i" "$TMP/in$i"; done
sim merge "$TMP/in0" "$TMP/in1" "$TMP/in2" --csv "$TMP/in1"
expect_rc "merge with OUT = the second input" 0
check_quiet "... summary.csv = unsharded except wall_s" same_summary "$TMP/full/summary.csv" "$TMP/in1/summary.csv"
check_quiet "... timeseries.csv = unsharded" cmp "$TMP/full/timeseries.csv" "$TMP/in1/timeseries.csv"
check_quiet "... events.csv = unsharded" cmp "$TMP/full/events.csv" "$TMP/in1/events.csv"
a=$(cd "$TMP/full" && ls -A | tr '\n' ' ')
b=$(cd "$TMP/in1" && ls -A | tr '\n' ' ')
if [ "$a" = "$b" ]; then ok "... and the same files as the unsharded run ($b): no shard.txt"; else not_ok "files after merging into an input" "unsharded: $a" "merged: $b"; fi
sim merge "$TMP/in1" --csv "$TMP/again"
expect_rc "... so it merges again as a plain run" 0
# An unsharded run into a shard's old directory does not leave the manifest either.
cp -r "$TMP/sh0" "$TMP/reuse"
sim run -q "$TANDEM" -d 5s --warmup 1s -R 7 --csv "$TMP/reuse"
a=$(cd "$TMP/reuse" && ls -A | tr '\n' ' ')
if [ "$a" = "$(cd "$TMP/full" && ls -A | tr '\n' ' ')" ]; then ok "an unsharded run into a shard's directory removes its shard.txt"; else not_ok "run into a shard's directory" "files: $a"; fi
# A refused merge into an input leaves it as it was (every file is renamed into place only
# when all are written).
cp -r "$TMP/sh0" "$TMP/keep0"
"$BIN" run -q "$TANDEM" -d 5s --warmup 1s -R 7 -s 99 --shard 1/3 --csv "$TMP/seed1" >/dev/null 2>&1
sim merge "$TMP/keep0" "$TMP/seed1" "$TMP/sh2" --csv "$TMP/keep0"
expect_rc "merge of shards run with different seeds (-s): exit 2" 2
has_err "... and says so" "runs with different seeds (-s) cannot be merged"
if cmp -s "$TMP/sh0/summary.csv" "$TMP/keep0/summary.csv" && cmp -s "$TMP/sh0/shard.txt" "$TMP/keep0/shard.txt" &&
    [ "$(cd "$TMP/keep0" && ls -A | tr '\n' ' ')" = "events.csv shard.txt summary.csv timeseries.csv " ]; then
    ok "... and leaves the input it was to write into as it was"
else
    not_ok "refused merge into an input" "$(cd "$TMP/keep0" && ls -A | tr '\n' ' ')"
fi

echo "# merge refuses outputs that do not belong together"
"$BIN" run -q "$MM1" -d 5s --warmup 1s -R 7 --shard 1/3 --csv "$TMP/mm1sh1" >/dev/null 2>&1
sim merge "$TMP/sh0" "$TMP/mm1sh1" "$TMP/sh2" --csv "$TMP/bad"
expect_rc "shards of two scenarios: exit 2" 2
has_err "... naming both directories and scenarios" "$TMP/mm1sh1: error: a shard of scenario 'mm1', but $TMP/sh0 is a shard of scenario 'tandem'"
# Plain runs have no manifest: the scenario column tells. Same components, other name.
sed 's/^name: mm1$/name: mm1-copy/' "$MM1" >"$TMP/mm1copy.yaml"
"$BIN" run -q "$MM1" -r 0 --csv "$TMP/r0" >/dev/null 2>&1
"$BIN" run -q "$TMP/mm1copy.yaml" -r 1 --csv "$TMP/r1" >/dev/null 2>&1
sim merge "$TMP/r0" "$TMP/r1" --csv "$TMP/bad"
expect_rc "plain runs (-r 0, -r 1) of two scenarios: exit 2" 2
has_err "... naming both files and scenarios" "$TMP/r1/summary.csv:2:1: error: scenario 'mm1-copy', but $TMP/r0/summary.csv:2 is of scenario 'mm1'"
"$BIN" run -q "$MM1" -r 1 --csv "$TMP/r1" >/dev/null 2>&1
sim merge "$TMP/r0" "$TMP/r1" --csv "$TMP/r01"
expect_rc "... while -r 0 and -r 1 of one scenario merge" 0
"$BIN" run -q "$MM1" -R 2 --csv "$TMP/r01ref" >/dev/null 2>&1
check_quiet "... into what -R 2 writes" same_summary "$TMP/r01ref/summary.csv" "$TMP/r01/summary.csv"
"$BIN" run -q "$TANDEM" -d 5s --warmup 1s -R 7 --shard 1/2 --csv "$TMP/half1" >/dev/null 2>&1
sim merge "$TMP/sh0" "$TMP/half1" --csv "$TMP/bad"
expect_rc "shards of two splits (1/2 with 0/3): exit 2" 2
has_err "... and says so" "$TMP/half1: error: shard 1/2, but $TMP/sh0 is shard 0/3"
"$BIN" run -q "$TANDEM" -d 5s --warmup 1s -R 8 --shard 1/3 --csv "$TMP/more1" >/dev/null 2>&1
sim merge "$TMP/sh0" "$TMP/more1" "$TMP/sh2" --csv "$TMP/bad"
expect_rc "shards of -R 7 and -R 8: exit 2" 2
has_err "... and says so" "$TMP/more1: error: a shard of 8 units, but $TMP/sh0 is a shard of 7"
"$BIN" run -q "$TANDEM" -d 6s --warmup 1s -R 7 --shard 1/3 --csv "$TMP/long1" >/dev/null 2>&1
sim merge "$TMP/sh0" "$TMP/long1" "$TMP/sh2" --csv "$TMP/bad"
expect_rc "shards of -d 5s and -d 6s: exit 2" 2
has_err "... and says so" "replication 1 simulated 6 s, but replication 0 ($TMP/sh0/summary.csv:2) 5 s"

echo "# sweep"
sim sweep "$MM1" --vary workload.rate=300/s,600/s,850/s --vary components.api.workers=1,2 --jobs 2 --csv "$TMP/sw"
expect_rc "sweep of 3 x 2 points" 0
cp "$TMP/out" "$TMP/chart"
rows=$(awk 'END { print NR - 1 }' "$TMP/sw/summary.csv")
if [ "$rows" = 12 ]; then ok "one row per point and component (6 x 2 = 12)"; else not_ok "sweep rows" "got $rows"; fi
check_quiet "header starts with point,vary" grep -q '^point,vary,scenario,replication,' "$TMP/sw/summary.csv"
v=$(csv_select "$TMP/sw/summary.csv" vary '$col["point"] == "3" && $col["component"] == "total"')
if [ "$v" = "workload.rate=600/s;components.api.workers=2" ]; then ok "point 3 = rate 600/s, 2 workers (first --vary outermost)"; else not_ok "point 3" "got $v"; fi
seeds=$(csv_select "$TMP/sw/summary.csv" seed '1' | sort -u | tr '\n' ' ')
if [ "$seeds" = "7 " ]; then ok "common random numbers: every point runs seed 7"; else not_ok "same seed" "got $seeds"; fi
# The point equals a plain run with the same --set.
sim run -q "$MM1" --set workload.rate=600/s --set components.api.workers=2 --csv "$TMP/p3"
a=$(csv_select "$TMP/sw/summary.csv" latency_p99_ms '$col["point"] == "3" && $col["component"] == "total"')
b=$(csv_select "$TMP/p3/summary.csv" latency_p99_ms '$col["component"] == "total"')
if [ -n "$a" ] && [ "$a" = "$b" ]; then ok "point 3's p99 = archsim run --set ... ($a ms)"; else not_ok "point = run" "$a vs $b"; fi
# The chart prints each point's total p99 (as %.6g) from the CSV.
bad=0
for p in 0 1 2 3 4 5; do
    want=$(csv_select "$TMP/sw/summary.csv" latency_p99_ms '$col["point"] == "'$p'" && $col["component"] == "total"')
    want=$(printf '%.6g' "$want")
    grep -q "| *$want\$" "$TMP/chart" || bad=1
done
if [ $bad = 0 ]; then ok "the chart shows every point's total latency_p99_ms"; else not_ok "chart values" "$(cat "$TMP/chart")"; fi
check_quiet "the chart groups by the second axis" grep -q '^  components.api.workers=2$' "$TMP/chart"
sim sweep "$MM1" --vary workload.rate=300/s,850/s --metric throughput_rps -q --csv "$TMP/sq"
expect_rc "sweep --metric throughput_rps" 0
sim sweep "$MM1" --vary workload.rate=300/s,,850/s --csv "$TMP/sx"
expect_rc "sweep with an empty value: exit 2" 2
sim sweep "$MM1" --vary workload.rate=fast --csv "$TMP/sx"
expect_rc "sweep with a bad value: exit 2" 2
check_quiet "... naming the point" grep -q "point 0 (workload.rate=fast)" "$TMP/err"

echo "# sweep shards with replications, merged"
sim sweep "$MM1" --vary workload.rate=300/s,600/s,850/s -R 2 -q --csv "$TMP/swfull"
for i in 0 1 2 3; do
    JOB_COMPLETION_INDEX=$i "$BIN" sweep "$MM1" --vary workload.rate=300/s,600/s,850/s -R 2 -q --shard auto/4 --csv "$TMP/sws$i" >/dev/null 2>&1 &
done
wait
sim merge "$TMP/sws0" "$TMP/sws1" "$TMP/sws2" "$TMP/sws3" --csv "$TMP/swm"
expect_rc "merge of 4 sweep shards" 0
check_quiet "merged sweep = unsharded sweep except wall_s (per-point means recomputed)" same_summary "$TMP/swfull/summary.csv" "$TMP/swm/summary.csv"
check_quiet "merge draws the sweep's chart" grep -q "latency_p99_ms of the total row vs workload.rate" "$TMP/out"
"$BIN" sweep "$MM1" --vary workload.rate=300/s,600/s,900/s -R 2 -q --shard 1/4 --csv "$TMP/swo1" >/dev/null 2>&1
sim merge "$TMP/sws0" "$TMP/swo1" "$TMP/sws2" "$TMP/sws3" --csv "$TMP/bad"
expect_rc "sweep shards with other --vary values: exit 2" 2
has_err "... and says so" "point 2 is 'workload.rate=900/s', but 'workload.rate=850/s' in $TMP/sws"

echo "# large sweeps: several chunks, memory"
RATES=$(seq 500 799 | sed 's|$|/s|' | paste -sd, -)
sim sweep "$MM1" -d 0.05s --warmup 0s --vary "workload.rate=$RATES" --vary components.api.workers=1,2 -R 2 --jobs 3 --csv "$TMP/big3"
expect_rc "sweep of 600 points x 2 replications on 3 threads" 0
sed 1,2d "$TMP/out" >"$TMP/big3.chart"
sim sweep "$MM1" -d 0.05s --warmup 0s --vary "workload.rate=$RATES" --vary components.api.workers=1,2 -R 2 --jobs 1 --csv "$TMP/big1"
check_quiet "... summary.csv = --jobs 1 except wall_s (rows and means)" same_summary "$TMP/big1/summary.csv" "$TMP/big3/summary.csv"
sed 1,2d "$TMP/out" >"$TMP/big1.chart"
check_quiet "... the same chart" cmp "$TMP/big1.chart" "$TMP/big3.chart"
n=$(grep -c '^  components.api.workers=' "$TMP/big1.chart")
if [ "$n" = 2 ]; then ok "the chart has one block per worker count"; else not_ok "chart blocks" "got $n"; fi
# Memory does not grow with the points: 10,000 points used to peak at ~167 MB (kept every
# point's parsed scenario); now ~5.5 MB. The bound leaves room for other allocators/libcs.
if [ -x /usr/bin/time ]; then
    WORKERS=$(seq -s, 1 100)
    RATES=$(seq 500 599 | sed 's|$|/s|' | paste -sd, -)
    /usr/bin/time -f %M -o "$TMP/rss" "$BIN" sweep "$MM1" -d 0.05s --warmup 0s --vary "workload.rate=$RATES" \
        --vary "components.api.workers=$WORKERS" -q --csv "$TMP/mem" >/dev/null 2>&1
    kb=$(tail -n 1 "$TMP/rss")
    rows=$(awk 'END { print NR - 1 }' "$TMP/mem/summary.csv")
    if [ "$rows" = 20000 ] && [ "$kb" -lt 40000 ]; then
        ok "10,000-point sweep: 20,000 rows, peak RSS $kb KiB (nothing kept per point)"
    else
        not_ok "10,000-point sweep memory" "rows $rows, peak RSS $kb KiB"
    fi
fi
# An unsharded sweep into a shard's old directory leaves no shard.txt (merge would take the
# directory for a shard).
sim sweep "$MM1" -d 0.05s --warmup 0s --vary workload.rate=500/s,600/s --shard 0/2 -q --csv "$TMP/reuse"
check_quiet "... a shard writes shard.txt" test -f "$TMP/reuse/shard.txt"
sim sweep "$MM1" -d 0.05s --warmup 0s --vary workload.rate=500/s,600/s -q --csv "$TMP/reuse"
check_quiet "an unsharded sweep into that directory removes it" test ! -e "$TMP/reuse/shard.txt"

echo "# warm-up auto"
TR=$TMP/transient.yaml
cat >"$TR" <<'EOF'
name: transient
duration: 60s
warmup: auto
seed: 3
workload:
  arrivals: constant
  phases:
    - {duration: 10s, rate: 1400/s}
    - {rate: 500/s}
  target: api
components:
  api:
    kind: service
    workers: 1
    service_time: const(1ms)
EOF
# 1400/s into a 1 ms worker for 10 s leaves 4000 queued; at 500/s they drain by t = 18 s and
# every later request takes exactly 1 ms. MSER-5 (batches of 5 intervals) cuts at 20 s.
sim run "$TR" --csv "$TMP/wa"
expect_rc "warmup: auto" 0
check_quiet "the summary names the cut (20 s)" grep -q "cut at 20.000 s" "$TMP/out"
w=$(csv_select "$TMP/wa/summary.csv" warmup_s '$col["component"] == "total"')
if [ "$w" = 20 ]; then ok "summary.csv warmup_s = 20"; else not_ok "warmup_s" "got $w"; fi
sim run "$TR" --warmup 20s --csv "$TMP/w20"
check_quiet "= a run with --warmup 20s: summary.csv except wall_s" same_summary "$TMP/wa/summary.csv" "$TMP/w20/summary.csv"
check_quiet "= a run with --warmup 20s: timeseries.csv" cmp "$TMP/wa/timeseries.csv" "$TMP/w20/timeseries.csv"
m=$(csv_select "$TMP/wa/summary.csv" latency_max_ms '$col["component"] == "total"')
if [ "$m" = 1 ]; then ok "nothing of the transient left: max latency 1 ms"; else not_ok "max latency" "got $m"; fi
sim run -q "$TR" --set warmup=5s --warmup auto -R 2 --jobs 2 --csv "$TMP/wa2"
w=$(csv_select "$TMP/wa2/summary.csv" warmup_s '$col["component"] == "total"' | tr '\n' ' ')
if [ "$w" = "20 20 20 " ]; then ok "--warmup auto overrides the scenario, per replication (and their mean)"; else not_ok "--warmup auto -R 2" "got $w"; fi

echo "# precision"
sim run "$MM1" --precision 15% --max-replications 40 --jobs 2 --csv "$TMP/pr"
expect_rc "--precision 15%" 0
n=$(sed -n 's/.*reached after \([0-9]*\) replications.*/\1/p' "$TMP/out")
rows=$(csv_select "$TMP/pr/summary.csv" replication '$col["component"] == "total" && $col["replication"] != "mean"' | wc -l)
if [ -n "$n" ] && [ "$n" -ge 3 ] && [ "$n" -eq "$rows" ]; then ok "stopped after $n replications, $rows written"; else not_ok "replications run" "said '$n', wrote $rows"; fi
# Every reported mean's half-width within 15 % of it (the four _ci95 columns of the mean rows).
worst=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
    $col["replication"] == "mean" {
        split("throughput_rps latency_mean_ms latency_p99_ms utilization", m, " ")
        for (k in m) { v = $col[m[k]]; h = $col[m[k] "_ci95"]; if (v != "" && h != "" && h / v > w) w = h / v }
    } END { printf "%.4f", w }' "$TMP/pr/summary.csv")
if awk -v w="$worst" 'BEGIN { exit !(w <= 0.15) }'; then ok "every mean row's CI within 15 % (worst $worst)"; else not_ok "CI widths" "worst $worst"; fi
sim run -q "$MM1" --precision 15% --max-replications 40 --jobs 1 --csv "$TMP/pr1"
check_quiet "the stopping point does not depend on --jobs" same_summary "$TMP/pr/summary.csv" "$TMP/pr1/summary.csv"
sim run -q "$MM1" --precision 0.5% --max-replications 4 --csv "$TMP/pr4"
expect_rc "--precision not reached: exit 1" 1
rows=$(csv_select "$TMP/pr4/summary.csv" replication '$col["component"] == "total"' | tr '\n' ' ')
if [ "$rows" = "0 1 2 3 mean " ]; then ok "... after --max-replications 4, all written"; else not_ok "max replications" "got $rows"; fi
sim run -q "$MM1" --precision 5% -R 3
expect_rc "--precision with -R: exit 2" 2

echo "# compare"
sim run -q "$TANDEM" -d 6s --warmup 1s -R 3 --csv "$TMP/c1"
sim compare "$TMP/c1/summary.csv" "$TMP/c1/timeseries.csv" --csv "$TMP/cmp.csv"
expect_rc "compare a summary with its own timeseries" 0
# Throughput and mean latency from the intervals after warm-up are the summary's, exactly.
r=$(awk -F, '$1 == "total" && ($2 == "throughput_rps" || $2 == "latency_mean_ms") { x = $8 < 0 ? -$8 : $8; if (x > m) m = x } END { printf "%.3g", m + 0 }' "$TMP/cmp.csv")
if awk -v r="$r" 'BEGIN { exit !(r < 1e-8) }'; then ok "timeseries throughput and mean latency = summary's (rel diff $r)"; else not_ok "timeseries vs summary" "rel $r"; fi
n=$(awk -F, 'NR > 1' "$TMP/cmp.csv" | wc -l)
if [ "$n" -eq 21 ]; then ok "3 components x 7 metrics compared"; else not_ok "compared rows" "got $n"; fi
check_quiet "the table reports CI membership" grep -q "B inside A's" "$TMP/out"
sim run -q "$TANDEM" -d 6s --warmup 1s -s 99 --csv "$TMP/c2"
sim compare "$TMP/c1/summary.csv" "$TMP/c2/summary.csv" --max-rel-error 0.001%
expect_rc "another seed differs by more than 0.001 %: exit 1" 1
sim compare "$TMP/c1/summary.csv" "$TMP/c2/summary.csv" --max-rel-error 1000%
expect_rc "... but not by 1000 %: exit 0" 0
# The relative difference of the total mean latency, by hand.
a=$(csv_select "$TMP/c1/summary.csv" latency_mean_ms '$col["replication"] == "mean" && $col["component"] == "total"')
b=$(csv_select "$TMP/c2/summary.csv" latency_mean_ms '$col["component"] == "total"')
sim compare "$TMP/c1/summary.csv" "$TMP/c2/summary.csv" --csv "$TMP/cmp2.csv"
got=$(awk -F, '$1 == "total" && $2 == "latency_mean_ms" { print $8 }' "$TMP/cmp2.csv")
if awk -v a="$a" -v b="$b" -v g="$got" 'BEGIN { w = (b - a) / a; d = g - w; exit !(d < 1e-7 && d > -1e-7) }'; then
    ok "rel_diff = (B - A) / A by hand ($got)"
else
    not_ok "rel_diff" "a $a b $b got $got"
fi
sim compare "$TMP/c1/summary.csv" "$TMP/nope.csv"
expect_rc "compare a missing file: exit 2" 2

finish
