#!/bin/sh
# archsim compare as a user reads it: cells without a value. A run that completed nothing has
# no latency and no error rate; compared with a run that has them, its table shows `-` in
# A, B-A and rel (never `nan`), and its --csv leaves those fields empty (docs/compare.md,
# docs/csv.md). Every check looks at the exact line or field a user sees.
#
#   sh tests/integration/test_compare.sh BUILD_DIR
#
# Prints one line per check and ends with "N passed, M failed"; exits 1 when anything failed.
# shellcheck disable=SC2016 # awk programs are single-quoted on purpose
set -u
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

sim_setup archsim-compare "${1:-build}"

# has_line NAME REGEX: pass when a line of stdout matches the extended regular expression.
has_line() {
    if grep -Eq -- "$2" "$TMP/out"; then ok "$1"; else not_ok "$1" "no line like: $2" "$(cat "$TMP/out")"; fi
}

MM1=$TMP/mm1.yaml
cat >"$MM1" <<'EOF'
name: mm1
duration: 3s
warmup: 1s
seed: 7
workload:
  arrivals: poisson
  rate: 800/s
  target: api
components:
  api:
    kind: service
    workers: 1
    service_time: exp(1ms)
EOF

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

finish
