#!/bin/sh
# Input handling of archsim run and sweep, run as a user would: numbers with exponents before
# their unit, over-long keys, --set adding keys, CSV error positions, conflicting flags, the
# options run and sweep share, and SIGINT during replications on threads. Every check compares
# with a value computed another way (the same run written without the exponent, an
# uninterrupted run, a hand-made file with a known bad byte).
#
#   sh tests/integration/test_cli_input.sh BUILD_DIR
#
# Prints one line per check and ends with "N passed, M failed"; exits 1 when anything failed.
# shellcheck disable=SC2016 # awk programs are single-quoted on purpose
set -u
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

sim_setup archsim-input "${1:-build}"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)

# sigint_when_written FILE PID: SIGINT to PID once FILE is past its first 4 KiB (a few
# replications delivered), or after 30 s.
sigint_when_written() {
    i=0
    while [ $i -lt 300 ]; do
        [ -f "$1" ] && [ "$(wc -c <"$1")" -gt 4096 ] && break
        sleep 0.1
        i=$((i + 1))
    done
    kill -INT "$2" 2>/dev/null
}

MM1=$TMP/mm1.yaml
write_mm1 "$MM1" 3s

echo "# exponents before the unit"
sim run -q "$MM1" -d 2s --csv "$TMP/d2s"
sim run -q "$MM1" -d 2e3ms --csv "$TMP/d2e3"
expect_rc "run -d 2e3ms" 0
check_quiet "-d 2e3ms = -d 2s (summary.csv except wall_s)" same_summary "$TMP/d2s/summary.csv" "$TMP/d2e3/summary.csv"
check_quiet "-d 2e3ms = -d 2s (timeseries.csv)" cmp "$TMP/d2s/timeseries.csv" "$TMP/d2e3/timeseries.csv"
t=$(csv_select "$TMP/d2e3/summary.csv" sim_time_s '$col["component"] == "total"')
if [ "$t" = 2 ]; then ok "1e3ms is one second: sim_time_s = 2"; else not_ok "sim_time_s" "got $t"; fi
sim run -q "$MM1" --set duration=0.2e1s --set workload.rate=8e2/s \
    --set 'components.api.service_time=exp(1e-3s)' --warmup 5e2ms --csv "$TMP/exp"
sim run -q "$MM1" --set duration=2s --warmup 500ms --csv "$TMP/plain"
expect_rc "--set duration=0.2e1s, rate 8e2/s, exp(1e-3s), --warmup 5e2ms" 0
check_quiet "... = the same run written without exponents" same_summary "$TMP/plain/summary.csv" "$TMP/exp/summary.csv"
SL=$ROOT/scenarios/examples/serverless.yaml
sim run -q "$SL" -d 5s --set 'components.fn.memory=1GiB' --csv "$TMP/mem1"
sim run -q "$SL" -d 5s --set 'components.fn.memory=1.073741824e9B' --csv "$TMP/mem2"
expect_rc "a size with an exponent (memory: 1.073741824e9B)" 0
check_quiet "... = 1GiB (cost columns included)" same_summary "$TMP/mem1/summary.csv" "$TMP/mem2/summary.csv"
sim run -q "$MM1" -d 1e
expect_rc "-d 1e: exit 2" 2
first_err "... unknown unit 'e'" "archsim: --duration: unknown unit 'e' (use ns, us, ms, s, m or h), got '1e'"
sim run -q "$MM1" --set 'duration=5 e3ms'
expect_rc "duration: '5 e3ms': exit 2" 2
first_err "... located in the --set" "--set:1:10: error: duration: invalid duration '5 e3ms': unknown unit 'e' (use ns, us, ms, s, m or h)"
sim run -q "$MM1" --set duration=1e3
expect_rc "duration: 1e3 (no unit): exit 2" 2
first_err "... missing unit" "--set:1:10: error: duration: expected a duration with a unit (e.g. 5ms), got '1e3'"
sim run -q "$MM1" --set workload.rate=2e3
expect_rc "rate: 2e3 (no unit): exit 2" 2
first_err "... missing unit" "--set:1:15: error: workload.rate: expected a rate with a unit (e.g. 2000/s), got '2e3'"

echo "# over-long keys"
# long_name N: a scenario whose one component has a name of N characters 'c'.
long_name() {
    k=$(head -c "$1" /dev/zero | tr '\0' c)
    printf 'name: long\nduration: 3s\nworkload:\n  arrivals: poisson\n  rate: 100/s\n'
    printf '  target: %s\ncomponents:\n  %s:\n    kind: service\n' "$k" "$k"
    printf '    workers: 1\n    service_time: exp(1ms)\n'
}
long_name 100000 >"$TMP/long.yaml"
c32=cccccccccccccccccccccccccccccccc
for cmd in run check; do
    sim "$cmd" "$TMP/long.yaml"
    expect_rc "$cmd: a 100,000-character component name: exit 2" 2
    first_err "... named and located, not a YAML syntax error" \
        "$TMP/long.yaml:8:3: error: components: key '$c32...' is 100000 characters long (keys, component names included, are limited to 1024)"
done
long_name 1024 >"$TMP/k1024.yaml"
sim check "$TMP/k1024.yaml"
expect_rc "a 1024-character component name is accepted" 0
# (models/model.c keeps 255 bytes of a component's name: a 200-character one is whole)
long_name 200 >"$TMP/k200.yaml"
sim run -q "$TMP/k200.yaml" --csv "$TMP/k200"
n=$(csv_select "$TMP/k200/summary.csv" component '$col["kind"] == "service"' | awk '{ print length($0) }')
if [ "$n" = 200 ]; then ok "a 200-character name runs and is whole in summary.csv"; else not_ok "200-character name" "length $n"; fi
long_name 1025 >"$TMP/k1025.yaml"
sim check "$TMP/k1025.yaml"
expect_rc "1025 characters: exit 2" 2
first_err "... at the key" \
    "$TMP/k1025.yaml:8:3: error: components: key '$c32...' is 1025 characters long (keys, component names included, are limited to 1024)"

echo "# --set adds keys to existing maps"
sim check "$MM1" --set components.api.queue=7
expect_rc "check --set components.api.queue=7 (not in the file)" 0
check_quiet "... the service has a queue of 7" grep -q "queue 7," "$TMP/out"
check_quiet "... and the prediction is M/M/1/8" grep -q "M/M/1/8:" "$TMP/out"
sim run -q "$MM1" --set warmup=1s --csv "$TMP/w1"
expect_rc "run --set warmup=1s (no warmup in the file)" 0
w=$(csv_select "$TMP/w1/summary.csv" warmup_s '$col["component"] == "total"')
if [ "$w" = 1 ]; then ok "... summary.csv warmup_s = 1"; else not_ok "warmup_s" "got $w"; fi
sim run -q "$MM1" --set workload.timeout=1s --set components.api.queue=4
expect_rc "two new keys at two levels" 0
sim run -q "$MM1" --set components.api.queu=7
expect_rc "a misspelt new key: exit 2" 2
first_err "... did you mean" "--set:1:16: error: components.api: unknown key 'queu' (did you mean 'queue'?)"
sim run -q "$MM1" --set warmpu=1s
expect_rc "a misspelt new top-level key: exit 2" 2
first_err "... did you mean" "--set:1:1: error: unknown key 'warmpu' (did you mean 'warmup'?)"
sim run -q "$MM1" --set components.api.autoscale.max=4
expect_rc "a key under a map that is not there: exit 2" 2
first_err "... names the missing map" "--set:1:16: error: components.api: no 'autoscale' map in the scenario, and --set cannot create one (it changes existing values and adds keys to existing maps); add 'autoscale:' to the file"

echo "# CSV errors at their line and column"
sim run -q "$MM1" --csv "$TMP/good"
cp "$TMP/good/summary.csv" "$TMP/bad.csv"
# the 3rd line's component field (field 4, "total") gets a stray quote after 2 characters
awk -F, 'BEGIN { OFS = "," } NR == 3 { $4 = substr($4, 1, 2) "\"" substr($4, 3) } { print }' \
    "$TMP/good/summary.csv" >"$TMP/bad.csv"
col=$(awk -F, 'NR == 3 { n = 0; for (i = 1; i < 4; i++) n += length($i) + 1; print n + 3 }' "$TMP/good/summary.csv")
sim compare "$TMP/good/summary.csv" "$TMP/bad.csv"
expect_rc "compare with a stray quote: exit 2" 2
first_err "... at line 3, the quote's column, field 4" \
    "$TMP/bad.csv:3:$col: error: malformed CSV in field 4: a quote inside an unquoted field (quote the whole field and double the quote: \"a \"\"b\"\"\")"
printf 'component,latency_mean_ms\napi,1\n"total,2\n' >"$TMP/open.csv"
sim compare "$TMP/good/summary.csv" "$TMP/open.csv"
expect_rc "compare with a quote never closed: exit 2" 2
first_err "... at the opening quote" \
    "$TMP/open.csv:3:1: error: malformed CSV in field 1: the quoted field that starts here is not closed at the end of the file (a quote is missing)"

echo "# conflicting flags"
for args in "-r 2 -R 5" "-R 5 -r 2" "--replications=3 --replication=1"; do
    # shellcheck disable=SC2086 # the flags split on purpose
    sim run -q "$MM1" $args
    expect_rc "run $args: exit 2" 2
    first_err "... names -r and -R" "archsim: -r/--replication K runs replication K alone, -R/--replications N runs N replications: give one of them, not both"
done
sim run -q "$MM1" -r 2 --precision 5%
expect_rc "-r with --precision: exit 2" 2
check_quiet "... names both" grep -q -- "--precision chooses the number of replications: not with -r" "$TMP/err"
sim run -q "$MM1" -R 3 --csv "$TMP/r3"
sim run -q "$MM1" -r 2 --csv "$TMP/only2"
expect_rc "-r 2 alone still runs" 0
a=$(csv_select "$TMP/r3/summary.csv" completions '$col["replication"] == "2"' | tr '\n' ' ')
b=$(csv_select "$TMP/only2/summary.csv" completions '1' | tr '\n' ' ')
if [ -n "$a" ] && [ "$a" = "$b" ]; then ok "... and is replication 2 of -R 3 ($a)"; else not_ok "-r 2 = rep 2" "$a vs $b"; fi

echo "# run and sweep share their options"
for args in "--jobs 0" "-j x" "-d 5" "-d 0s" "--warmup 5" "--shard 3/3" "-R 0" "--seed -1" "--bogus" "-d"; do
    # shellcheck disable=SC2086
    "$BIN" run -q "$MM1" $args >/dev/null 2>"$TMP/e_run"
    r1=$?
    # shellcheck disable=SC2086
    "$BIN" sweep -q "$MM1" --vary workload.rate=100/s $args >/dev/null 2>"$TMP/e_sweep"
    r2=$?
    if [ $r1 = 2 ] && [ $r2 = 2 ] && cmp -s "$TMP/e_run" "$TMP/e_sweep"; then
        ok "'$args': exit 2 and the same message from run and sweep ($(head -n 1 "$TMP/e_run"))"
    else
        not_ok "'$args' in run and sweep" "run $r1: $(head -n 1 "$TMP/e_run")" "sweep $r2: $(head -n 1 "$TMP/e_sweep")"
    fi
done
sim sweep "$MM1" --vary workload.rate=100/s a.yaml
expect_rc "sweep with two scenarios: exit 2" 2
first_err "... says one per sweep" "archsim: unexpected argument 'a.yaml' (one scenario per sweep)"
sim sweep -q "$MM1" --vary workload.rate=300/s,600/s -d 2e3ms -s 9 --set warmup=5e2ms -R 2 --jobs 2 --csv "$TMP/sw"
expect_rc "sweep with -d, -s, --set, -R, --jobs, --csv" 0
sim run -q "$MM1" --set workload.rate=600/s -d 2s -s 9 --warmup 500ms -R 2 --csv "$TMP/sw1"
a=$(csv_select "$TMP/sw/summary.csv" latency_p99_ms '$col["point"] == "1" && $col["component"] == "total"' | tr '\n' ' ')
b=$(csv_select "$TMP/sw1/summary.csv" latency_p99_ms '$col["component"] == "total"' | tr '\n' ' ')
if [ -n "$a" ] && [ "$a" = "$b" ]; then ok "... point 1 = run with the same options ($a)"; else not_ok "sweep point = run" "$a vs $b"; fi

echo "# SIGINT during replications on threads"
# 60 replications of 300 s simulated on 2 threads take several seconds. The signal is sent
# once a few replications were delivered (summary.csv past its first 4 KiB), so some are
# finished, two are interrupted mid-run and the rest never start. A watchdog kills the run if
# the signal is not honoured. Without -q, so that the summary table is printed too.
"$BIN" run --duration 300s -R 60 --jobs 2 --csv "$TMP/int" >"$TMP/out" 2>"$TMP/err" &
pid=$!
sigint_when_written "$TMP/int/summary.csv" "$pid"
wait_or_kill "$pid" 30
expect_rc "SIGINT with --jobs 2: exit 130" 130
check_quiet "... says it was interrupted" grep -q "interrupted" "$TMP/err"
S=$TMP/int/summary.csv
reps=$(csv_select "$S" replication '$col["component"] == "total" && $col["replication"] != "mean"' | tr '\n' ' ')
nrep=$(echo "$reps" | wc -w)
want=$(awk -v n="$nrep" 'BEGIN { for (i = 0; i < n; i++) printf "%d ", i }')
if [ "$nrep" -ge 2 ] && [ "$reps" = "$want" ]; then ok "replications 0 to $((nrep - 1)) written, in order"; else not_ok "replications written" "got: $reps"; fi
full=$(csv_select "$S" replication '$col["component"] == "total" && $col["partial"] == "0" && $col["replication"] != "mean"' | tr '\n' ' ')
part=$(csv_select "$S" replication '$col["component"] == "total" && $col["partial"] == "1" && $col["replication"] != "mean"' | tr '\n' ' ')
np=$(echo "$part" | wc -w)
nf=$(echo "$full" | wc -w)
if [ "$np" -ge 1 ] && [ "$np" -le 4 ]; then ok "$np interrupted replication(s) written, marked partial ($part)"; else not_ok "partial replications" "partial: '$part' finished: '$full'"; fi
if [ "$nf" -ge 1 ]; then ok "$nf finished replication(s) written ($full)"; else not_ok "finished replications" "none: the signal came too early"; fi
bad=$(csv_select "$S" sim_time_s '$col["partial"] == "1" && $col["component"] == "total" && $col["replication"] != "mean"' |
    awk '!($1 > 0 && $1 < 300)' | wc -l)
if [ "$bad" -eq 0 ]; then ok "every partial replication stopped inside (0, 300) s"; else not_ok "partial sim_time_s" "$bad rows"; fi
m=$(csv_select "$S" partial '$col["replication"] == "mean" && $col["component"] == "total"')
if [ "$m" = 1 ]; then ok "the mean row is marked partial"; else not_ok "mean row" "partial=$m"; fi
# The run as a whole is partial when any replication is, wherever it is in the list (with
# threads an interrupted replication may be followed by finished ones).
last=$(csv_select "$S" partial '$col["component"] == "total" && $col["replication"] != "mean"' | tail -n 1)
if head -n 1 "$TMP/out" | grep -q "^[a-z0-9-]*: $nrep replications from seed .* — PARTIAL (interrupted)\$"; then
    ok "the table says PARTIAL (interrupted) ($np of $nrep replications partial, the last one: partial=$last)"
else
    not_ok "table marker" "$(head -n 1 "$TMP/out")"
fi
# The same replications without a signal: finished ones equal byte for byte (but wall_s),
# interrupted ones agree on every interval they completed.
sim run --duration 300s -R "$nrep" --jobs 2 --csv "$TMP/ref"
if head -n 1 "$TMP/out" | grep -q "^[a-z0-9-]*: $nrep replications from seed [0-9]*, 300.000 s simulated each (warm-up [0-9.]* s excluded)\$"; then
    ok "uninterrupted, the table is not marked PARTIAL"
else
    not_ok "table of the uninterrupted run" "$(head -n 1 "$TMP/out")"
fi
for r in $full; do
    awk -F, -v r="$r" 'NR == 1 || $2 == r' "$S" >"$TMP/a.csv"
    awk -F, -v r="$r" 'NR == 1 || $2 == r' "$TMP/ref/summary.csv" >"$TMP/b.csv"
    if same_summary "$TMP/a.csv" "$TMP/b.csv"; then ok "finished replication $r = uninterrupted run's (summary.csv)"; else not_ok "replication $r summary"; fi
    awk -F, -v r="$r" '$2 == r' "$TMP/int/timeseries.csv" >"$TMP/a.ts"
    awk -F, -v r="$r" '$2 == r' "$TMP/ref/timeseries.csv" >"$TMP/b.ts"
    if [ -s "$TMP/a.ts" ] && cmp -s "$TMP/a.ts" "$TMP/b.ts"; then ok "... and timeseries.csv"; else not_ok "replication $r timeseries"; fi
done
for r in $part; do
    awk -F, -v r="$r" '$2 == r && $7 == 0' "$TMP/int/timeseries.csv" >"$TMP/a.ts"
    n=$(wc -l <"$TMP/a.ts")
    awk -F, -v r="$r" '$2 == r' "$TMP/ref/timeseries.csv" | head -n "$n" >"$TMP/b.ts"
    if cmp -s "$TMP/a.ts" "$TMP/b.ts"; then ok "interrupted replication $r: its $n whole interval rows = uninterrupted run's"; else not_ok "replication $r intervals"; fi
done
# Without threads the same signal leaves exactly one partial replication, the last.
"$BIN" run --duration 300s -R 60 --jobs 1 --csv "$TMP/seq" >"$TMP/out" 2>"$TMP/err" &
pid=$!
sigint_when_written "$TMP/seq/summary.csv" "$pid"
wait "$pid"
RC=$?
expect_rc "SIGINT with --jobs 1: exit 130" 130
p=$(csv_select "$TMP/seq/summary.csv" partial '$col["component"] == "total" && $col["replication"] != "mean"' | tr '\n' ' ')
case $p in *"0 1 " | "1 ") ok "--jobs 1: one partial replication, the last ($p)" ;; *) not_ok "--jobs 1 partial flags" "$p" ;; esac
check_quiet "--jobs 1: the message names the stop time" grep -q "interrupted at [0-9.]* s simulated" "$TMP/err"
check_quiet "--jobs 1: the table says PARTIAL (interrupted)" grep -q "^[a-z0-9-]*: [0-9]* replications from seed .* — PARTIAL (interrupted)\$" "$TMP/out"

# A sweep on threads does the same with its runs: every run started is written, and mean
# rows only for the points finished before the first interrupted run.
rates=$(awk 'BEGIN { for (i = 1; i <= 40; i++) printf "%s%d/s", (i > 1 ? "," : ""), 20 * i }')
"$BIN" sweep -q "$MM1" -d 900s --vary "workload.rate=$rates" -R 2 --jobs 2 --csv "$TMP/swi" >/dev/null 2>"$TMP/err" &
pid=$!
sigint_when_written "$TMP/swi/summary.csv" "$pid"
wait "$pid"
RC=$?
expect_rc "SIGINT during sweep --jobs 2: exit 130" 130
runs=$(csv_select "$TMP/swi/summary.csv" point '$col["component"] == "total" && $col["replication"] != "mean"' | wc -l)
units=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
    $c["component"] == "total" && $c["replication"] != "mean" { printf "%d ", $c["point"] * 2 + $c["replication"] }' "$TMP/swi/summary.csv")
want=$(awk -v n="$runs" 'BEGIN { for (i = 0; i < n; i++) printf "%d ", i }')
if [ "$runs" -ge 2 ] && [ "$units" = "$want" ]; then ok "sweep: runs 0 to $((runs - 1)) written in order"; else not_ok "sweep runs" "got $units"; fi
np=$(csv_select "$TMP/swi/summary.csv" partial '$col["component"] == "total" && $col["replication"] != "mean" && $col["partial"] == "1"' | wc -l)
if [ "$np" -ge 1 ]; then ok "sweep: $np interrupted run(s) written, marked partial"; else not_ok "sweep partial runs" "none"; fi
badmean=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
    $c["component"] != "total" { next }
    $c["replication"] != "mean" && $c["partial"] == "1" && first == "" { first = $c["point"] + 0 }
    $c["replication"] == "mean" { if (first != "" || $c["partial"] != "0") bad++; else means++ }
    END { print bad + 0 }' "$TMP/swi/summary.csv")
if [ "$badmean" = 0 ]; then ok "sweep: mean rows only before the first interrupted run"; else not_ok "sweep mean rows" "$badmean after it"; fi

finish
