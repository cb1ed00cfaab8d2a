#!/usr/bin/env bash
# Run each unit-test binary given as an argument, print PASS/FAIL per binary (with the
# binary's own output only when it fails), and end with exactly "N passed, M failed".
# Exit 1 if any failed, or if no binary was given (an empty glob must not look green).
set -uo pipefail
# Leak suppressions and unwinding for a sanitized build (docs/SANITIZERS.md).
. "$(dirname "$0")/sanitizers.bash"

passed=0 failed=0
log=$(mktemp "${TMPDIR:-/tmp}/gutbrain-unit.XXXXXX")
trap 'rm -f "$log"' EXIT

for test_bin in "$@"; do
  name=$(basename "$test_bin")
  start=$(date +%s.%N)
  if [ ! -x "$test_bin" ]; then
    echo "missing or not executable: $test_bin" > "$log"
    rc=127
  else
    "$test_bin" > "$log" 2>&1
    rc=$?
  fi
  secs=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
  if [ "$rc" -eq 0 ]; then
    passed=$((passed + 1))
    printf 'PASS  %-32s %6ss\n' "$name" "$secs"
  else
    failed=$((failed + 1))
    printf 'FAIL  %-32s %6ss  (exit %d)\n' "$name" "$secs" "$rc"
    sed 's/^/    | /' "$log"
  fi
done

[ $# -eq 0 ] && echo "run_unit.sh: no unit-test binaries given" >&2
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ $# -gt 0 ]
