#!/bin/sh
# Golden outputs: fixed-seed headless runs must reproduce tests/golden/ byte for byte
# (summary.csv without its wall_s column, the one column that differs between equal runs).
# A change that moves any number shows up here; when the change is intended, regenerate with
#   sh tests/integration/test_golden.sh build --update
# and say why in the commit message.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
BUILD=${1:-build}
BIN=$BUILD/archsim
GOLD=tests/golden
UPDATE=0
[ "${2:-}" = --update ] && UPDATE=1
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT INT TERM

# name scenario duration
CASES="mm1 scenarios/examples/mm1.yaml 60s
lb-policies scenarios/examples/lb-policies.yaml 30s
web-stack scenarios/examples/web-stack.yaml 10s
retry-storm scenarios/examples/retry-storm.yaml 40s"

while read -r name file dur; do
    out=$TMP/$name
    if ! "$BIN" run "$file" -q -d "$dur" --csv "$out" >/dev/null 2>"$TMP/err"; then
        not_ok "golden/$name: archsim failed: $(head -n 1 "$TMP/err")"
        continue
    fi
    drop_wall "$out/summary.csv" >"$out/summary.nowall.csv"
    for f in summary.nowall.csv timeseries.csv events.csv; do
        want=$GOLD/$name.$f
        if [ $UPDATE = 1 ]; then
            cp "$out/$f" "$want"
        fi
        if cmp -s "$out/$f" "$want"; then
            ok "golden/$name $f"
        else
            not_ok "golden/$name $f differs from $want:"
            diff "$want" "$out/$f" 2>&1 | head -n 6 | sed 's/^/        /'
        fi
    done
done <<EOF
$CASES
EOF
finish
