#!/usr/bin/env bash
# make test: every unit-test binary, then every integration script, then one closing line
# "tests: N passed, M failed" over both tiers (suites, not single assertions). Exit 1 on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."
unit_log=$(mktemp) int_log=$(mktemp)
trap 'rm -f "$unit_log" "$int_log"' EXIT
bash tests/run_unit.sh "$@" | tee "$unit_log"
unit_rc=${PIPESTATUS[0]}
bash tests/integration/run.sh | tee "$int_log"
int_rc=${PIPESTATUS[0]}
sum() { tail -n 1 "$1" | awk -v f="$2" '{ print ($0 ~ /passed/) ? $f : 0 }'; }
passed=$(( $(sum "$unit_log" 1) + $(sum "$int_log" 1) ))
failed=$(( $(sum "$unit_log" 3) + $(sum "$int_log" 3) ))
[ "$unit_rc" -ne 0 ] || [ "$int_rc" -ne 0 ] && [ "$failed" -eq 0 ] && failed=1
echo
echo "tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
