#!/bin/sh
# Integration tests: run the real archsim binary as a user would.
#
#   sh tests/integration/run.sh build/archsim
#
# 1. bad scenarios: every tests/scenarios/bad/NAME.err holds the exact first stderr line that
#    `archsim run NAME.yaml` and `archsim check NAME.yaml` must print (run from the file's own
#    directory, so the message names NAME.yaml), with exit status 2. NAME.yaml lives next to
#    the .err, except for the few binary inputs generated below (see gen_inputs).
# 2. the command line: help, version, bad flags, --set, -R, check, -q;
# 3. the CSV files as a user reads them: headers, rows, determinism;
# 4. SIGINT during a long run: exit 130, partial results written.
#
# POSIX sh (the Makefile runs it with `sh`). Prints one line per check and ends with
# "N passed, M failed"; exits 1 when anything failed.
# shellcheck disable=SC2016 # awk programs are single-quoted on purpose

set -u
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

if [ $# -ne 1 ]; then
    echo "usage: sh tests/integration/run.sh PATH/TO/archsim" >&2
    exit 2
fi
BIN=$(abs_path "$1")
require_exec "$BIN" "build it with: make build/archsim"

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BAD=$ROOT/tests/scenarios/bad
tmp_setup archsim-it
OUT=$TMP/stdout
ERR=$TMP/stderr

# stderr_has NAME FIXED-STRING
stderr_has() {
    if grep -qF -- "$2" "$ERR"; then
        ok "$1"
    else
        not_ok "$1" "stderr lacks: $2" "stderr: $(head -n 3 "$ERR")"
    fi
}

stdout_has() {
    if grep -qF -- "$2" "$OUT"; then
        ok "$1"
    else
        not_ok "$1" "stdout lacks: $2"
    fi
}

# sim_in DIR ARGS...: sim, run from DIR (so that messages name files as given).
sim_in() {
    _dir=$1
    shift
    (cd "$_dir" && "$BIN" "$@") >"$OUT" 2>"$ERR"
    RC=$?
}

# ---- 1. bad scenarios ------------------------------------------------------------------------

# Inputs that are awkward to keep as files (NUL bytes, invalid UTF-8) are written here.
gen_inputs() {
    mkdir -p "$TMP/gen"
    printf 'name: x\n\000\377\376junk\n' >"$TMP/gen/binary.yaml"
    printf 'name: caf\351\nduration: 10s\n' >"$TMP/gen/latin1.yaml"
}

echo "# bad scenarios (tests/scenarios/bad)"
gen_inputs
for yaml in "$BAD"/*.yaml; do
    [ -e "$yaml" ] || continue
    name=$(basename "$yaml" .yaml)
    [ -f "$BAD/$name.err" ] || not_ok "bad/$name" "no $name.err next to $name.yaml"
done
for exp in "$BAD"/*.err; do
    [ -e "$exp" ] || continue
    name=$(basename "$exp" .err)
    if [ -f "$BAD/$name.yaml" ]; then
        dir=$BAD
    elif [ -f "$TMP/gen/$name.yaml" ]; then
        dir=$TMP/gen
    else
        not_ok "bad/$name" "no $name.yaml (neither in tests/scenarios/bad nor generated)"
        continue
    fi
    want=$(cat "$exp")
    for cmd in run check; do
        sim_in "$dir" "$cmd" "$name.yaml"
        got=$(head -n 1 "$ERR")
        if [ "$RC" -eq 2 ] && [ "$got" = "$want" ]; then
            ok "bad/$name ($cmd)"
        else
            if [ "$RC" -eq 2 ]; then st="exit status 2 as expected"; else st="exit status $RC, expected 2"; fi
            not_ok "bad/$name ($cmd)" "$st" "want: $want" "got:  $got"
        fi
    done
done

# ---- 2. command line -------------------------------------------------------------------------

echo "# command line"
sim --help
expect_exit_status "--help exits 0" 0
stdout_has "--help lists 'run'" "  run "
stdout_has "--help lists 'check'" "  check "
stdout_has "--help lists --csv" "--csv DIR"
sim -h
expect_exit_status "-h exits 0" 0
sim run --help
expect_exit_status "run --help exits 0" 0

sim --version
expect_exit_status "--version exits 0" 0
check "--version prints 'archsim X.Y.Z'" grep -qE '^archsim [0-9]+\.[0-9]+' "$OUT"

sim run --bogus
expect_exit_status "run --bogus exits 2" 2
stderr_has "run --bogus names the flag" "--bogus"
sim check --bogus
expect_exit_status "check --bogus exits 2" 2

sim run --seed
expect_exit_status "run --seed (no value) exits 2" 2
stderr_has "run --seed (no value) names the flag" "--seed"
sim run --csv
expect_exit_status "run --csv (no value) exits 2" 2
stderr_has "run --csv (no value) names the flag" "--csv"
sim run -s abc
expect_exit_status "run -s abc exits 2" 2
stderr_has "run -s abc names the value" "abc"

sim bogus
expect_exit_status "unknown command exits 2" 2
stderr_has "unknown command is named" "bogus"

sim run "$TMP/no-such-dir/missing.yaml"
expect_exit_status "missing scenario file exits 2" 2
stderr_has "missing scenario file is named" "$TMP/no-such-dir/missing.yaml"

sim run -q --set components.apx.workers=2
expect_exit_status "--set unknown path exits 2" 2
stderr_has "--set unknown path names the key" "'apx'"
stderr_has "--set unknown path suggests" "did you mean 'api'?"
sim run -q --set foo
expect_exit_status "--set without '=' exits 2" 2

sim run -q -R 0
expect_exit_status "-R 0 exits 2" 2
stderr_has "-R 0 names the option" "replications"

sim run -q --duration 5
expect_exit_status "--duration 5 (no unit) exits 2" 2
stderr_has "--duration 5 names the flag --duration" "--duration"
sim run -q --warmup 40s
expect_exit_status "--warmup 40s (>= duration 30s) exits 2" 2
stderr_has "--warmup 40s names the flag --warmup" "--warmup"

sim check
expect_exit_status "check (built-in) exits 0" 0
stdout_has "check prints the analytic predictions" "analytic predictions"
stdout_has "check predicts M/M/4 for the built-in api" "M/M/4"
stdout_has "check predicts rho 0.7" "0.7000"

sim run -q --duration 5s
expect_exit_status "run -q exits 0" 0
check "run -q prints nothing on stdout" test ! -s "$OUT"
sim run --duration 5s
expect_exit_status "run (no -q) exits 0" 0
stdout_has "run prints a summary table with the total row" "total"

# --set changes the result: half the rate, about half the arrivals.
sim run -q --csv "$TMP/base"
expect_exit_status "run --csv (built-in) exits 0" 0
sim run -q --set workload.rate=2100/s --csv "$TMP/half"
expect_exit_status "run --set workload.rate=2100/s exits 0" 0
a_base=$(csv_field "$TMP/base/summary.csv" total arrivals)
a_half=$(csv_field "$TMP/half/summary.csv" total arrivals)
check "--set workload.rate=2100/s halves the arrivals ($a_base -> $a_half)" \
    awk -v a="${a_base:-0}" -v b="${a_half:-0}" 'BEGIN { exit !(a > 0 && b > 0.4 * a && b < 0.6 * a) }'
sim run -q --set components.api.workers=8 --csv "$TMP/w8"
u4=$(csv_field "$TMP/base/summary.csv" 'api[1]' utilization)
u8=$(csv_field "$TMP/w8/summary.csv" 'api[1]' utilization)
check "--set components.api.workers=8 halves utilization ($u4 -> $u8)" \
    awk -v a="${u4:-0}" -v b="${u8:-0}" 'BEGIN { exit !(a > 0.6 && a < 0.8 && b > 0.3 && b < 0.4) }'

# ---- 2b. input errors, as a user sees them ----------------------------------------------------

echo "# input errors: exact first line, exit 2"
EX=$ROOT/scenarios/examples
# first_line NAME WANT: exit 2 and WANT as the whole first line of stderr, which has one line.
first_line() {
    got=$(head -n 1 "$ERR")
    if [ "$RC" -eq 2 ] && [ "$got" = "$2" ] && [ "$(wc -l <"$ERR")" -eq 1 ]; then
        ok "$1"
    else
        not_ok "$1" "exit status $RC (want 2)" "want: $2" "got:  $(cat "$ERR")"
    fi
}
# A shard's keyspace goes up to 10^18: 1e18 itself was refused ("expected a whole number in
# [1, 1000000000000000000], got '1e18'", exponents being read through a double).
keyspace() {
    cat >"$TMP/ks.yaml" <<EOF
name: ks
duration: 1s
workload: {rate: 100/s, target: db, keys: uniform(n=1000)}
components:
  db: {kind: shard, shards: store, strategy: range, keyspace: $1}
  store: {kind: service, replicas: 4, service_time: exp(1ms)}
EOF
    sim_in "$TMP" check ks.yaml
}
keyspace 1e18
expect_exit_status "keyspace: 1e18 (the maximum, 10^18) is accepted" 0
keyspace 2e18
first_line "keyspace: 2e18 names the maximum" \
    "ks.yaml:5:63: error: components.db.keyspace: 2e18 is more than the maximum 10^18"
keyspace 1000000000000000001
first_line "keyspace: 10^18 + 1 names the maximum" \
    "ks.yaml:5:63: error: components.db.keyspace: 1000000000000000001 is more than the maximum 10^18"
keyspace 1.5
first_line "keyspace: 1.5 states the rule" \
    "ks.yaml:5:63: error: components.db.keyspace: expected a whole number in [1, 10^18], got '1.5'"
sed -e 's/keys: uniform(n=1000)/keys: "zipf(s=1, n=1e18)"/' -e 's/keyspace: 1.5/keyspace: 1e6/' \
    "$TMP/ks.yaml" >"$TMP/kz.yaml"
sim_in "$TMP" check kz.yaml
first_line "keys: zipf n=1e18 names zipf's maximum" \
    "kz.yaml:3:43: error: workload.keys: zipf(): n: 1e18 is more than the maximum 2^53"

# A block scalar where a value is expected: its line breaks are escaped, the error is one line.
printf 'name: bs\nduration: 1s\nworkload: {rate: 10/s, target: api}\ncomponents:\n  api:\n    kind: service\n    workers: |\n      four\n      five\n    service_time: exp(1ms)\n' >"$TMP/bs.yaml"
sim_in "$TMP" check bs.yaml
first_line "a block scalar in an error stays on one line" \
    "bs.yaml:7:14: error: components.api.workers: expected a whole number in [1, 1000000], got 'four\\nfive\\n'"

# --set into a list the scenario does not have (it said "unknown key 'failures'"), or past
# the end of one it has.
sim run -q "$EX/mm1.yaml" --set 'failures[0].at=1s'
first_line "--set failures[0].at=1s without a failures list" \
    "--set:1:1: error: failures[0]: the scenario has no 'failures' list, and --set cannot create one (it changes existing values and adds keys to existing maps)"
sim run -q "$EX/circuit-breaker.yaml" --set 'failures[1].at=1s'
first_line "--set failures[1].at=1s with one failure" \
    "--set:1:9: error: failures[1]: the list has 1 entry ([0]); --set cannot add entries"
sim check "$EX/circuit-breaker.yaml" --set 'failures[0].at=2s'
expect_exit_status "--set failures[0].at=2s changes the one that exists" 0

# Ragged CSV records, in an empirical service-time file and in compare's input.
printf 'service_time_ms,note\n1,a\n2,b,extra\n3,c\n' >"$TMP/ragged.csv"
cat >"$TMP/emp.yaml" <<'EOF'
name: emp
duration: 1s
workload: {rate: 10/s, target: api}
components:
  api: {kind: service, service_time: "empirical(file=ragged.csv, column=service_time_ms)"}
EOF
sim_in "$TMP" check emp.yaml
first_line "an empirical CSV with a row of 3 fields under a header of 2" \
    "ragged.csv:3:5: error: components.api.service_time: too many fields: 3, the header has 2 (field 3 starts here)"
printf 'service_time_ms,note\n1,a\n2\n' >"$TMP/ragged.csv"
sim_in "$TMP" check emp.yaml
first_line "an empirical CSV with a row of 1 field under a header of 2" \
    "ragged.csv:3:2: error: components.api.service_time: too few fields: 1, the header has 2 (the record ends here)"
sim run -q --duration 5s --csv "$TMP/cmp"
awk 'NR == 3 { $0 = $0 ",9" } { print }' "$TMP/cmp/summary.csv" >"$TMP/cmp/ragged.csv"
sim compare "$TMP/cmp/summary.csv" "$TMP/cmp/ragged.csv"
nf=$(head -n 1 "$TMP/cmp/summary.csv" | awk -F, '{ print NF }')
col=$(sed -n 3p "$TMP/cmp/summary.csv" | awk '{ print length($0) + 2 }')
first_line "compare: a ragged row is refused at its line and column" \
    "$TMP/cmp/ragged.csv:3:$col: error: too many fields: $((nf + 1)), the header has $nf (field $((nf + 1)) starts here)"

# ---- 3. CSV --------------------------------------------------------------------------------

echo "# CSV"
# Columns are looked up by name, so kind-specific columns appended to the schema do not break
# these checks. In the awk programs below v("name") is that column of the current row; the
# header row is skipped; every END block starts with `if (E) exit 3` (a missing column).
AWK_LIB='
function v(n) {
    if (!(n in C)) { print "no column " n " in " FILENAME > "/dev/stderr"; E = 1; exit 3 }
    return $(C[n])
}
NR == 1 { for (i = 1; i <= NF; i++) C[$i] = i; next }
'

# csv FILE PROGRAM: run an awk program over a CSV file with v() defined.
csv() {
    awk -F, "$AWK_LIB$2" "$1"
}

# c_header NAME: the string constant NAME of sim/run/csv_out.c, without its newline.
c_header() {
    awk -v name="$1" '
        index($0, "static const char " name "[] =") { on = 1; next }
        on { l = $0; gsub(/^[ \t]*"|";?[ \t]*$/, "", l); sub(/\\n$/, "", l); s = s l
             if ($0 ~ /;[ \t]*$/) exit }
        END { print s }' "$ROOT/sim/run/csv_out.c"
}

# header_starts NAME FILE BASE: FILE's first line is BASE, or BASE followed by more columns.
header_starts() {
    h=$(head -n 1 "$2")
    if [ -z "$3" ]; then
        not_ok "$1" "could not read the header from sim/run/csv_out.c"
        return
    fi
    case $h in
        "$3" | "$3",*) ok "$1" ;;
        *) not_ok "$1" "want: $3[,...]" "got:  $h" ;;
    esac
}

# drop_col FILE NAME: FILE without the column NAME.
drop_col() {
    n=$(head -n 1 "$1" | tr ',' '\n' | grep -nx -- "$2" | cut -d: -f1)
    if [ -z "$n" ]; then
        cat "$1"
    elif [ "$n" -eq 1 ]; then
        cut -d, -f2- "$1"
    else
        cut -d, -f"1-$((n - 1)),$((n + 1))-" "$1"
    fi
}

S=$TMP/base/summary.csv
T=$TMP/base/timeseries.csv
check "summary.csv written" test -s "$S"
check "timeseries.csv written" test -s "$T"
header_starts "summary.csv header (summary_header in csv_out.c)" "$S" "$(c_header summary_header)"
header_starts "timeseries.csv header (timeseries_header in csv_out.c)" "$T" \
    "$(c_header timeseries_header)"
check "summary.csv: column names are unique" \
    test "$(head -n 1 "$S" | tr ',' '\n' | sort | uniq -d)" = ""
check "timeseries.csv: column names are unique" \
    test "$(head -n 1 "$T" | tr ',' '\n' | sort | uniq -d)" = ""
check "summary.csv: every row has as many fields as the header" \
    awk -F, 'NR == 1 { n = NF } NF != n { exit 1 }' "$S"
check "timeseries.csv: every row has as many fields as the header" \
    awk -F, 'NR == 1 { n = NF } NF != n { exit 1 }' "$T"
comps=$(csv "$S" '{ printf "%s ", v("component") }')
check "summary.csv: one row per component, then total ($comps)" \
    test "$comps" = "lb api[1] api[2] api[3] total "
kinds=$(csv "$S" '{ printf "%s ", v("kind") }')
check "summary.csv: kinds ($kinds)" test "$kinds" = "load_balancer service service service workload "
check "summary.csv: scenario, replication and seed columns" \
    csv "$S" 'v("scenario") != "default" || v("replication") != "0" || v("seed") != "1" { exit 1 }'
check "summary.csv: total carries seed 1, events, sim_time_s 30, wall_s" \
    csv "$S" 'v("component") == "total" { found = 1
                 if (v("seed") != "1" || v("events") !~ /^[0-9]+$/ || v("events") < 1000 ||
                     v("sim_time_s") != "30" || v("wall_s") !~ /^[0-9]+(\.[0-9]+)?$/) exit 1 }
              END { if (E) exit 3; exit !found }'
check "summary.csv: component rows leave events, sim_time_s, wall_s empty" \
    csv "$S" 'v("component") != "total" && (v("events") v("sim_time_s") v("wall_s") != "") { exit 1 }'
check "summary.csv: partial is 0 on every row" csv "$S" 'v("partial") != "0" { exit 1 }'
check "summary.csv: total throughput near 4200/s" \
    csv "$S" 'v("component") == "total" { t = v("throughput_rps") }
              END { if (E) exit 3; exit !(t > 4000 && t < 4400) }'
check "summary.csv: api utilization near 0.7" \
    csv "$S" 'v("kind") == "service" && (v("utilization") < 0.65 || v("utilization") > 0.75) { exit 1 }'
nts=$(($(wc -l <"$T") - 1))
check "timeseries.csv: 30 intervals x 5 rows = 150 ($nts)" test "$nts" -eq 150
check "timeseries.csv: intervals of 1 s from 0 to 30" \
    csv "$T" '{ if (v("t_end_s") - v("t_start_s") != 1) exit 1
                if (NR == 2 && v("t_start_s") != 0) exit 1; last = v("t_end_s") }
              END { if (E) exit 3; exit !(last == 30) }'
check "timeseries.csv: each interval lists the components then total" \
    csv "$T" '{ k = (NR - 2) % 5; want = k == 0 ? "lb" : k == 4 ? "total" : "api[" k "]"
                if (v("component") != want) exit 1 }'
check "timeseries.csv: the 2 warm-up intervals are marked (10 rows)" \
    test "$(csv "$T" 'v("in_warmup") == 1' | wc -l)" -eq 10
check "timeseries.csv: warm-up rows are the first ones" \
    csv "$T" '(v("in_warmup") == 1) != (v("t_end_s") <= 2) { exit 1 }'

# Determinism: same seed, same bytes (except the summary's wall_s column).
sim run -q -s 7 --csv "$TMP/s7a"
sim run -q -s 7 --csv "$TMP/s7b"
sim run -q -s 8 --csv "$TMP/s8"
check "same seed: timeseries.csv byte-identical" \
    cmp -s "$TMP/s7a/timeseries.csv" "$TMP/s7b/timeseries.csv"
drop_col "$TMP/s7a/summary.csv" wall_s >"$TMP/s7a.nowall"
drop_col "$TMP/s7b/summary.csv" wall_s >"$TMP/s7b.nowall"
drop_col "$TMP/s8/summary.csv" wall_s >"$TMP/s8.nowall"
check "same seed: summary.csv identical but for wall_s" cmp -s "$TMP/s7a.nowall" "$TMP/s7b.nowall"
check "-s 7: the seed column says 7" csv "$TMP/s7a/summary.csv" 'v("seed") != "7" { exit 1 }'
check "different seed: timeseries.csv differs" \
    sh -c '! cmp -s "$1" "$2"' - "$TMP/s7a/timeseries.csv" "$TMP/s8/timeseries.csv"
check "different seed: summary.csv differs" \
    sh -c '! cmp -s "$1" "$2"' - "$TMP/s7a.nowall" "$TMP/s8.nowall"
sim run -q -s 1 --csv "$TMP/s1"
check "no seed given = -s 1 (the scenario's seed)" \
    cmp -s "$TMP/base/timeseries.csv" "$TMP/s1/timeseries.csv"

# Replications: -R 3 gives 3 x 5 rows plus 5 mean rows; -r 2 reproduces replication 2.
sim run -q -R 3 --duration 5s --csv "$TMP/r3"
expect_exit_status "run -R 3 exits 0" 0
check "-R 3: 15 replication rows + 5 mean rows" \
    csv "$TMP/r3/summary.csv" '{ if (v("replication") == "mean") m++; else r++ }
                               END { if (E) exit 3; exit !(r == 15 && m == 5) }'
check "-R 3: the mean total row has a throughput CI" \
    csv "$TMP/r3/summary.csv" 'v("replication") == "mean" && v("component") == "total" {
                                   ok = v("throughput_rps_ci95") != "" && v("throughput_rps_ci95") > 0 }
                               END { if (E) exit 3; exit !ok }'
check "-R 3: replications use different seeds" \
    test "$(csv "$TMP/r3/summary.csv" 'v("replication") != "mean" { print v("seed") }' |
        sort -u | wc -l)" -eq 3
sim run -q -r 2 --duration 5s --csv "$TMP/r2"
expect_exit_status "run -r 2 exits 0" 0
csv "$TMP/r3/timeseries.csv" 'v("replication") == 2' >"$TMP/r3.rep2"
awk 'NR > 1' "$TMP/r2/timeseries.csv" >"$TMP/r2.only"
check "-r 2 reproduces replication 2 of -R 3 exactly" \
    sh -c 'test -s "$1" && cmp -s "$1" "$2"' - "$TMP/r3.rep2" "$TMP/r2.only"

# ---- 4. interrupt --------------------------------------------------------------------------

echo "# interrupt"
# A non-interactive shell starts background jobs with SIGINT ignored; archsim installs its own
# handler (sigaction), which is what a user's Ctrl-C reaches too.
# 10 h simulated takes tens of seconds, so the signal lands mid-run; a watchdog kills the run
# if the signal is not honoured, so the suite cannot hang.
"$BIN" run -q --duration 10h --csv "$TMP/int" >"$OUT" 2>"$ERR" &
pid=$!
sleep 1
kill -INT "$pid" 2>/dev/null
wait_or_kill "$pid" 10
I=$TMP/int/summary.csv
expect_exit_status "SIGINT: exit status 130" 130
stderr_has "SIGINT: says it was interrupted" "interrupted"
check "SIGINT: summary.csv written" test -s "$I"
check "SIGINT: summary.csv has its 5 rows" test "$(awk 'NR > 1' "$I" | wc -l)" -eq 5
check "SIGINT: every summary row has partial=1" \
    csv "$I" '{ n++; if (v("partial") != "1") exit 1 } END { if (E) exit 3; exit !n }'
check "SIGINT: summary sim_time_s is short of 36000" \
    csv "$I" 'v("component") == "total" { t = v("sim_time_s") }
              END { if (E) exit 3; exit !(t > 0 && t < 36000) }'
check "SIGINT: timeseries.csv has rows" \
    test "$(awk 'NR > 1' "$TMP/int/timeseries.csv" 2>/dev/null | wc -l)" -gt 0
check "SIGINT: timeseries.csv rows are whole" \
    awk -F, 'NR == 1 { n = NF } NF != n { exit 1 }' "$TMP/int/timeseries.csv"

# --- large graphs (found by a new user's review) ---------------------------------------------
# A chain of 3000 services: check and run walk it without recursion (it once overflowed the
# stack at ~130 in the prediction's traffic equations).
awk 'BEGIN { n = 3000; print "name: chain\nduration: 1s\nworkload:\n  rate: 100/s\n  target: c0\ncomponents:"
             for (i = 0; i < n; i++) { printf "  c%d:\n    kind: service\n    service_time: exp(1us)\n", i
                                       if (i < n - 1) printf "    calls: [c%d]\n", i + 1 } }' >"$TMP/chain.yaml"
sim check "$TMP/chain.yaml"
expect_exit_status "chain of 3000 services: check succeeds" 0
# 100/s enter c0 and pass down the chain: the last station sees exactly 100/s.
stdout_has "chain of 3000 services: the last station gets the full 100/s" "c2999          λ = 100/s"
sim run -q "$TMP/chain.yaml" --csv "$TMP/chain"
expect_exit_status "chain of 3000 services: run succeeds" 0
# Diamonds: 40 layers of two services, each calling both of the next layer: 2^39 paths, but the
# traffic equations take one pass (the walk over paths once ran for hours). A request makes
# 2^(i-1) visits to each service of layer i >= 1: 2^38 = 2.74878e+11 at a39.
awk 'BEGIN { L = 40; print "name: diamond\nduration: 1s\nworkload:\n  rate: 1/s\n  target: a0\ncomponents:"
             for (i = 0; i < L; i++) for (x = 0; x < 2; x++) {
                 printf "  %s%d:\n    kind: service\n    service_time: exp(1us)\n", x ? "b" : "a", i
                 if (i < L - 1) printf "    calls: [a%d, b%d]\n", i + 1, i + 1 } }' >"$TMP/diamond.yaml"
timeout 20 "$BIN" check "$TMP/diamond.yaml" >"$OUT" 2>"$ERR"
RC=$?
expect_exit_status "40 layers of diamonds: check finishes at once" 0
stdout_has "40 layers of diamonds: 2^38 visits per request at a39" "a39            λ = 2.74878e+11/s"
# Closed users without think time whose requests are refused at once (found by a new user's
# review: the send-answer-send recursion overflowed the stack, exit 139, nothing written).
# The first user holds the one worker; the second is rejected at once (queue: 0), again and
# again at t = 0: after 1000000 answers in a row that took no time the run stops itself, as
# docs/scenario.md says. Hand count: 1 + 1000000 arrivals at api, 1000000 of them rejected.
cat >"$TMP/zero.yaml" <<'EOF'
name: zero
duration: 10s
workload: {users: 2, target: api}
components:
  api: {kind: service, workers: 1, queue: 0, service_time: exp(1ms)}
EOF
sim run -q "$TMP/zero.yaml" --csv "$TMP/zero"
expect_exit_status "closed users rejected at once, no think time: stops itself, exit 1" 1
stderr_has "... saying why" "archsim: stopped at 0.000 s simulated: a user of the closed workload got 1000000 answers in a row at the instant it sent them, with no think time: it would send for ever while the clock stands still (give the workload a think_time); results so far written (marked partial)"
z=$(for c in arrivals rejected partial; do printf '%s ' "$(csv_field "$TMP/zero/summary.csv" api "$c")"; done)
zt=$(for c in arrivals sim_time_s; do printf '%s ' "$(csv_field "$TMP/zero/summary.csv" total "$c")"; done)
if [ "$z$zt" = "1000001 1000000 1 1000001 0 " ]; then
    ok "... summary.csv: api 1000001 arrivals, 1000000 rejected, partial, at 0 s; total 1000001 arrivals"
else
    not_ok "... summary.csv counts" "api arrivals rejected partial: $z" "total arrivals sim_time_s: $zt"
fi

# A balancer over 10000 replicas uses every one of them (it once stopped at the 4096th).
cat >"$TMP/lb10k.yaml" <<'EOF'
name: lb10k
duration: 2s
workload: {arrivals: constant, rate: 50000/s, target: lb}
components:
  lb: {kind: load_balancer, policy: round_robin, targets: [api]}
  api: {kind: service, replicas: 10000, service_time: exp(100ms)}
EOF
sim run -q "$TMP/lb10k.yaml" --csv "$TMP/lb10k"
expect_exit_status "balancer over 10000 replicas: run succeeds" 0
# Round robin over a constant 50000/s for 2 s: exactly 10 arrivals at each replica.
check "balancer over 10000 replicas: every replica gets exactly 10 requests" \
    csv "$TMP/lb10k/summary.csv" 'v("kind") == "service" { n++; if (v("arrivals") != 10) exit 1 }
                                  END { if (E) exit 3; exit !(n == 10000) }'

# A 1 ns interval over 5 s would be 5e9 timeseries rows: refused, naming the key.
printf 'name: t\nduration: 5s\ninterval: 1ns\nworkload: {rate: 100/s, target: api}\ncomponents:\n  api: {kind: service, service_time: exp(1ms)}\n' >"$TMP/tiny-interval.yaml"
sim run -q "$TMP/tiny-interval.yaml"
expect_exit_status "interval 1ns over 5 s: exit 2" 2
stderr_has "interval 1ns over 5 s: located, with the count" "tiny-interval.yaml:3:11: error: interval: the run would have 5000000000 intervals"
# A component name with a comma or a newline is refused at its key.
printf 'name: t\nduration: 1s\nworkload: {rate: 100/s, target: "a\\nb"}\ncomponents:\n  "a\\nb": {kind: service, service_time: exp(1ms)}\n' >"$TMP/newline-name.yaml"
sim run -q "$TMP/newline-name.yaml"
expect_exit_status "component name with a newline: exit 2" 2
stderr_has "component name with a newline: located at the key" "newline-name.yaml:5:3: error: components: bad component name"

# "--csv -d 1s": the directory was forgotten; the option is not taken as its name.
sim run "$ROOT/scenarios/examples/mm1.yaml" --csv -d 1s
expect_exit_status "--csv followed by an option: exit 2" 2
stderr_has "--csv followed by an option: says so" "archsim: --csv: expected a directory, got the option '-d'"
# A refused merge writes nothing: one shard lacks timeseries.csv.
"$BIN" run -q "$ROOT/scenarios/examples/mm1.yaml" -d 20s -R 2 --shard 0/2 --csv "$TMP/mg0" >/dev/null 2>&1
"$BIN" run -q "$ROOT/scenarios/examples/mm1.yaml" -d 20s -R 2 --shard 1/2 --csv "$TMP/mg1" >/dev/null 2>&1
rm -f "$TMP/mg1/timeseries.csv"
sim merge "$TMP/mg0" "$TMP/mg1" --csv "$TMP/mgout"
expect_exit_status "merge with a file missing from one shard: exit 2" 2
check "merge with a file missing from one shard: nothing written" test ! -e "$TMP/mgout/summary.csv"

finish
