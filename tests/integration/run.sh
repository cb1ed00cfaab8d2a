#!/usr/bin/env bash
# Run every tests/integration/*.sh except this one (each exits 0 = pass, non-zero = fail),
# print PASS/FAIL with wall time per script (and the script's output when it fails), then
# the final line "N passed, M failed". Exit 1 if any failed.
#   bash tests/integration/run.sh            all scripts
#   bash tests/integration/run.sh io bad_input   only these (names with or without .sh)
#   VERBOSE=1 ...                             show every script's output
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
cd "$ROOT" || exit 1

export GB=${GB:-$ROOT/bin/gutbrain}
# (Each script sources lib.bash, which exports the Open MPI environment.)

# Resolve the data directory once, so every script uses the same one.
if ! GUTBRAIN_DATA=$(bash "$ROOT/tests/data.sh"); then
  echo "run.sh: tests/data.sh could not provide test data" >&2
  echo "0 passed, 1 failed"
  exit 1
fi
export GUTBRAIN_DATA
echo "data: $GUTBRAIN_DATA"
echo "gutbrain: $GB"

scripts=()
if [ $# -gt 0 ]; then
  for name in "$@"; do scripts+=("$HERE/${name%.sh}.sh"); done
else
  for s in "$HERE"/*.sh; do [ "$(basename "$s")" = run.sh ] || scripts+=("$s"); done
fi

passed=0 failed=0
log=$(mktemp "${TMPDIR:-/tmp}/gutbrain-integration.XXXXXX")
trap 'rm -f "$log"' EXIT
for s in "${scripts[@]}"; do
  name=$(basename "$s" .sh)
  start=$(date +%s.%N)
  if [ -r "$s" ]; then bash "$s" > "$log" 2>&1; rc=$?; else echo "no such script: $s" > "$log"; rc=127; fi
  secs=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
  if [ "$rc" -eq 0 ]; then
    passed=$((passed + 1))
    printf 'PASS  %-24s %7ss\n' "$name" "$secs"
    [ "${VERBOSE:-0}" = 1 ] && sed 's/^/    | /' "$log"
  else
    failed=$((failed + 1))
    printf 'FAIL  %-24s %7ss  (exit %d)\n' "$name" "$secs" "$rc"
    sed 's/^/    | /' "$log"
  fi
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
