#!/bin/sh
# archsim compare as a user reads it.
# 1. Cells without a value: a run that completed nothing has no latency and no error rate;
#    compared with a run that has them, its table shows `-` in A, B-A and rel (never `nan`),
#    and its --csv leaves those fields empty (docs/compare.md, docs/csv.md).
# 2. compare --scenario FILE --target URL against archtarget on 127.0.0.1 (a free port;
#    bounded by its own -d and stopped by its pid): a model run that fails shows its own
#    error message; the model runs -d (or --model-duration) after the same --warmup as
#    archload, and the "model:", "overhead:" and "measurement:" lines are the exact commands
#    compare runs; a fractional warm-up leaves
#    the same window out on both sides (the same arrivals counted). Runs of 1-3 s, about
#    15 s in all.
# Every check looks at the exact line or field a user sees.
#
#   sh tests/integration/test_compare.sh BUILD_DIR
#
# Prints one line per check and ends with "N passed, M failed"; exits 1 when anything failed.
# shellcheck disable=SC2016 # awk programs are single-quoted on purpose
set -u
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

BIN=$(abs_path "${1:-build}")/archsim
AT=$(abs_path "${1:-build}")/archtarget
require_exec "$BIN" "make build/archsim"
tmp_setup archsim-compare at_stop
OUT=$TMP/out
ERR=$TMP/err

# has_line NAME REGEX: pass when a line of stdout matches the extended regular expression.
has_line() {
    if grep -Eq -- "$2" "$TMP/out"; then ok "$1"; else not_ok "$1" "no line like: $2" "$(cat "$TMP/out")"; fi
}

MM1=$TMP/mm1.yaml
write_mm1 "$MM1" 3s 1s

echo "# cells without a value"
# 0.001/s for 3 s: no request at all, so no latency and no error rate (empty in summary.csv).
sim run -q "$MM1" --set workload.rate=0.001/s --csv "$TMP/idle"
expect_rc "a run that completes nothing" 0
sim run -q "$MM1" --csv "$TMP/busy"
# B's total mean latency as summary.csv has it (%.9g, as compare --csv writes it) and as the
# table shows it (%.6g).
bcsv=$(csv_select "$TMP/busy/summary.csv" latency_mean_ms '$col["component"] == "total"')
b=$(printf '%.6g' "$bcsv")
sim compare "$TMP/idle/summary.csv" "$TMP/busy/summary.csv" --csv "$TMP/cmp.csv"
expect_rc "compare it with a run that has latencies" 0
has_line "table: no latency in A, so '-' in A, B-A and rel ($b in B)" \
    "^total +latency_mean_ms +- +$b +- +- *\$"
has_line "table: no error rate in A, so '-' in A, B-A and rel" "^total +error_rate +- +0 +- +- *\$"
has_line "table: throughput 0 in A, B-A = B and rel inf" "^total +throughput_rps +0 +[0-9.]+ +[0-9.]+ +inf *\$"
if grep -qi 'nan' "$TMP/out"; then not_ok "the table never says nan" "$(grep -i nan "$TMP/out")"; else ok "the table never says nan"; fi
row=$(grep '^total,latency_mean_ms,' "$TMP/cmp.csv")
if [ "$row" = "total,latency_mean_ms,,,$bcsv,,,,," ]; then ok "--csv: a, abs_diff, rel_diff empty ($row)"; else not_ok "--csv empty cells" "got: $row"; fi
row=$(grep '^total,throughput_rps,' "$TMP/cmp.csv" | cut -d, -f3,8)
if [ "$row" = "0," ]; then ok "--csv: rel_diff empty when A is 0 (a = 0)"; else not_ok "--csv rel_diff for A = 0" "got: $row"; fi
if grep -qi 'nan' "$TMP/cmp.csv"; then not_ok "--csv never says nan" "$(grep -i nan "$TMP/cmp.csv")"; else ok "--csv never says nan"; fi
# The other way round: B has no value.
sim compare "$TMP/busy/summary.csv" "$TMP/idle/summary.csv"
has_line "table, B without a value: '-' in B, B-A and rel" "^total +latency_p99_ms +[0-9.]+ +- +- +- *\$"

echo "# compare --scenario --target"
# has_err NAME LINE: pass when a line of stderr is exactly LINE.
has_err() {
    if grep -qxF -- "$2" "$ERR"; then ok "$1"; else not_ok "$1" "no line: $2" "$(cat "$ERR")"; fi
}
# has_out NAME LINE: pass when a line of stdout is exactly LINE.
has_out() {
    if grep -qxF -- "$2" "$OUT"; then ok "$1"; else not_ok "$1" "no line: $2" "$(grep '^model:' "$OUT")"; fi
}
# total FILE COLUMN...: the total row's COLUMNs of FILE, each followed by a space.
total() {
    _t_file=$1
    shift
    for _t_col in "$@"; do printf '%s ' "$(csv_field "$_t_file" total "$_t_col")"; done
}
# archsim as compare names it (from /proc/self/exe: no symbolic links)
SELF=$(cd "$(dirname "$BIN")" && pwd -P)/archsim
LOAD=$(dirname "$SELF")/archload
# The scenario's own window is 30 s after 2 s: -d and --warmup must replace it on both sides.
# Constant arrivals, so the arrivals in a window are known exactly on both sides.
ONE=$TMP/one.yaml
cat >"$ONE" <<'EOF'
name: one
duration: 30s
warmup: 2s
workload:
  arrivals: constant
  rate: 100/s
  target: api
components:
  api: {kind: service, workers: 2, service_time: exp(1ms)}
EOF
if [ ! -x "$AT" ]; then
    not_ok "compare --scenario --target" "$AT does not exist: build archtarget first"
elif ! at_start "$TMP/at.out" --workers 2 --service exp:1ms -d 120s; then
    not_ok "archtarget starts on 127.0.0.1" "$(cat "$TMP/at.out")"
else
    URL=http://127.0.0.1:$AT_PORT/
    # A --set that makes the model invalid: compare stops at the model run, says which run
    # failed, shows that run's own error message, then where its whole output is; archload
    # never ran.
    sim compare --scenario "$ONE" --target "$URL" -d 1s --warmup 0.2s \
        --set components.api.workers=0 --csv "$TMP/bad"
    expect_rc "a model that fails (--set components.api.workers=0): exit 2" 2
    has_err "... stderr names the run that failed" "archsim: the model run failed (status 2):"
    has_err "... then shows the model run's own message" \
        "  --set:1:24: error: components.api.workers: expected a whole number in [1, 1000000], got '0'"
    has_err "... then where its whole output is" "archsim: its output is in $TMP/bad/rate-0/model.log"
    if [ ! -e "$TMP/bad/rate-0/load" ]; then ok "... and archload did not run"; else not_ok "... and archload did not run" "$TMP/bad/rate-0/load exists"; fi

    # A target that refuses every connection: a failed measurement, not a table of dashes
    # (port 1 on loopback: nothing listens there).
    sim compare --scenario "$ONE" --target http://127.0.0.1:1/ -d 0.5s --warmup 0.1s --csv "$TMP/down"
    expect_rc "a target that refuses every request: exit 2" 2
    has_err "... saying so, and where the results are" \
        "archsim: archload got no successful response from http://127.0.0.1:1/ (error rate 1): is the target up? Its results are in $TMP/down/rate-0/load"

    # -d and --warmup: the model runs the measured window, and says so exactly.
    sim compare --scenario "$ONE" --target "$URL" -d 1.5s --warmup 0.5s --csv "$TMP/cmp"
    expect_rc "compare -d 1.5s --warmup 0.5s" 0
    has_out "... model: the exact command, with -d 1.5s --warmup 0.5s" \
        "model:       $SELF run $ONE -q -d 1.5s --warmup 0.5s --csv $TMP/cmp/rate-0/model"
    has_out "... measurement: the exact archload command, with -d 1.5s --warmup 0.5s" \
        "measurement: $LOAD --scenario $ONE -d 1.5s --warmup 0.5s -q --csv $TMP/cmp/rate-0/load $URL"
    m=$(total "$TMP/cmp/rate-0/model/summary.csv" sim_time_s warmup_s)
    l=$(total "$TMP/cmp/rate-0/load/summary.csv" sim_time_s warmup_s)
    if [ "$m" = "1.5 0.5 " ] && [ "$l" = "$m" ]; then ok "... model and archload: sim_time_s 1.5, warmup_s 0.5"; else not_ok "... the same window" "model: $m" "load: $l"; fi
    if grep -qi 'nan' "$OUT"; then not_ok "... its table never says nan" "$(grep -i nan "$OUT")"; else ok "... its table never says nan"; fi

    # One length per rate: each rate's model gets its own, after the same warm-up.
    sim compare --scenario "$ONE" --target "$URL" --rates 50,100 -d 1.2s,1s --warmup 0.4s \
        --csv "$TMP/cmp2"
    expect_rc "compare --rates 50,100 -d 1.2s,1s --warmup 0.4s" 0
    has_out "... model at 50/s: the exact command, with -d 1.2s" \
        "model:       $SELF run $ONE -q --set workload.rate=50/s -d 1.2s --warmup 0.4s --csv $TMP/cmp2/rate-50/model"
    has_out "... model at 100/s: the exact command, with -d 1s" \
        "model:       $SELF run $ONE -q --set workload.rate=100/s -d 1s --warmup 0.4s --csv $TMP/cmp2/rate-100/model"
    has_out "... measurement at 50/s: the exact archload command, with -d 1.2s" \
        "measurement: $LOAD --scenario $ONE --set workload.rate=50/s -d 1.2s --warmup 0.4s -q --csv $TMP/cmp2/rate-50/load $URL"
    has_out "... measurement at 100/s: the exact archload command, with -d 1s" \
        "measurement: $LOAD --scenario $ONE --set workload.rate=100/s -d 1s --warmup 0.4s -q --csv $TMP/cmp2/rate-100/load $URL"
    # the commands in the order they run: model, then measurement, rate by rate
    o=$(grep -E '^(model|measurement):' "$OUT" | cut -c1-5 | tr '\n' ' ')
    if [ "$o" = "model measu model measu " ]; then ok "... printed in the order they run (model, measurement; per rate)"; else not_ok "... the order of the commands" "got: $o"; fi
    a=$(total "$TMP/cmp2/rate-50/model/summary.csv" sim_time_s warmup_s)
    b=$(total "$TMP/cmp2/rate-100/model/summary.csv" sim_time_s warmup_s)
    if [ "$a$b" = "1.2 0.4 1 0.4 " ]; then ok "... the models simulated 1.2 s at 50/s and 1 s at 100/s, warm-up 0.4 s"; else not_ok "... per-rate model windows" "50/s: $a" "100/s: $b"; fi

    # --model-duration: a longer model run after the same warm-up; archload keeps -d.
    sim compare --scenario "$ONE" --target "$URL" -d 1s --warmup 0.5s --model-duration 20s \
        -R 2 --csv "$TMP/cmp3"
    expect_rc "compare -d 1s --warmup 0.5s --model-duration 20s -R 2" 0
    has_out "... model: the exact command, with -R 2 -d 20s --warmup 0.5s" \
        "model:       $SELF run $ONE -q -R 2 -d 20s --warmup 0.5s --csv $TMP/cmp3/rate-0/model"
    # constant 100/s over [0.5 s, 20 s): 1950 arrivals in each replication
    m=$(total "$TMP/cmp3/rate-0/model/summary.csv" sim_time_s warmup_s arrivals)
    l=$(total "$TMP/cmp3/rate-0/load/summary.csv" sim_time_s warmup_s)
    if [ "$m" = "20 0.5 1950 " ] && [ "$l" = "1 0.5 " ]; then ok "... the model simulated 20 s (1950 arrivals), archload measured 1 s, both after 0.5 s"; else not_ok "... --model-duration" "model: $m" "load: $l"; fi
    sim compare --scenario "$ONE" --target "$URL" -d 1s --warmup 0.5s --model-duration 0.5s
    expect_rc "--model-duration 0.5s with --warmup 0.5s: exit 2" 2
    first_err "... saying why" "archsim: --model-duration: '0.5s': must be longer than --warmup"

    # --overhead-target: the overhead run's exact command, before the measurement, with
    # --overhead-duration and its own CSV directory; its mean latency is what gets added.
    # The --set goes to all three runs (a quoted word stays one word).
    sim compare --scenario "$ONE" --target "$URL" --overhead-target "${URL}zero" \
        --overhead-duration 1s -d 1s --warmup 0.5s --set 'components.api.service_time=exp(1ms)' --csv "$TMP/cmp5"
    expect_rc "compare --overhead-target URL0 --overhead-duration 1s" 0
    has_out "... model: the exact command, the --set quoted" \
        "model:       $SELF run $ONE -q --set 'components.api.service_time=exp(1ms)' -d 1s --warmup 0.5s --csv $TMP/cmp5/rate-0/model"
    has_out "... overhead: the exact archload command on URL0, with -d 1s" \
        "overhead:    $LOAD --scenario $ONE --set 'components.api.service_time=exp(1ms)' -d 1s --warmup 0.5s -q --csv $TMP/cmp5/rate-0/overhead ${URL}zero"
    has_out "... measurement: the exact archload command" \
        "measurement: $LOAD --scenario $ONE --set 'components.api.service_time=exp(1ms)' -d 1s --warmup 0.5s -q --csv $TMP/cmp5/rate-0/load $URL"
    ov=$(printf '%.4g' "$(csv_field "$TMP/cmp5/rate-0/overhead/summary.csv" total latency_mean_ms)")
    if grep -qF "overhead $ov ms (mean latency of ${URL}zero at this rate), added to B's latencies" "$OUT"; then
        ok "... the overhead run's mean latency ($ov ms) is what is added"
    else
        not_ok "... the overhead added" "overhead run's mean: $ov" "$(grep '^overhead' "$OUT")"
    fi

    # A fractional warm-up (1.5 s, 1 s intervals) leaves the same window out on both sides:
    # constant 100/s, so [1.5 s, 2.5 s) holds exactly 100 arrivals, the first at exactly 1.5 s
    # (archload's request 150; the model's 150th arrival). archload rounding its warm-up up to
    # 2 s counted about 50 (49 or 50: the request at exactly 2 s fell in either interval).
    sim compare --scenario "$ONE" --target "$URL" -d 2.5s --warmup 1.5s --csv "$TMP/cmp4"
    expect_rc "compare -d 2.5s --warmup 1.5s" 0
    m=$(total "$TMP/cmp4/rate-0/model/summary.csv" warmup_s arrivals)
    l=$(total "$TMP/cmp4/rate-0/load/summary.csv" warmup_s arrivals)
    if [ "$m" = "1.5 100 " ] && [ "$l" = "$m" ]; then ok "... model and archload: warmup_s 1.5, 100 arrivals each"; else not_ok "... the same window" "model: $m" "load: $l"; fi
fi
at_stop

finish
