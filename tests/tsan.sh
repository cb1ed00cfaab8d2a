#!/usr/bin/env bash
# make tsan: ThreadSanitizer over the OpenMP code (docs/SANITIZERS.md).
#   bash tests/tsan.sh GUTBRAIN UNIT_TEST...   (binaries built with make tsan=1)
# Runs each unit test, then, with that gutbrain, builds the tiny DB (parallel scan and spill
# sort), classifies a simulated paired sample and runs a two-sample cohort, all on 2 OpenMP
# threads. A step fails on a non-zero exit or any ThreadSanitizer report; ends with
# "tsan: N passed, M failed" and exits 1 on any failure.
set -uo pipefail
[ $# -ge 1 ] || { echo "usage: tests/tsan.sh GUTBRAIN [UNIT_TEST...]" >&2; exit 2; }
GB=$(cd "$(dirname "$1")" && pwd)/$(basename "$1"); shift
export GB
# lib.bash: the data, TMP, the tiny DB and read simulator, ok/fail/finish
. "$(dirname "$0")/integration/lib.bash"

# Archer, LLVM's OpenMP tool for TSan: it tells TSan how libomp orders threads (fork, join,
# barriers, reductions, critical sections), which TSan cannot see in an uninstrumented libomp.
ARCHER=${ARCHER:-$(ls /usr/lib/llvm-*/lib/libarcher.so 2> /dev/null | sort -V | tail -n 1)}
[ -n "$ARCHER" ] || die "libarcher.so not found (Debian: libomp-dev, of the same version as clang)"
export OMP_TOOL_LIBRARIES=$ARCHER OMP_NUM_THREADS=2
export TSAN_OPTIONS="suppressions=$ROOT/tests/tsan.supp:halt_on_error=0:exitcode=66${TSAN_OPTIONS:+:$TSAN_OPTIONS}"

# step NAME CMD...: run CMD with its output in $TMP/NAME.log; ok unless it fails or TSan reports.
step() {
  local name=$1 rc races start secs; shift
  start=$(date +%s.%N)
  "$@" > "$TMP/$name.log" 2>&1
  rc=$?
  secs=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
  races=$(grep -c '^WARNING: ThreadSanitizer' "$TMP/$name.log")
  if [ "$rc" -eq 0 ] && [ "$races" -eq 0 ]; then
    ok "$name (${secs} s)"
  else
    fail "$name: exit $rc, $races ThreadSanitizer report(s)"
    grep -A 12 '^WARNING: ThreadSanitizer' "$TMP/$name.log" | head -n 40 | sed 's/^/      | /'
  fi
}

for t in "$@"; do step "$(basename "$t")" "$t"; done

echo "temp: $TMP"
prepare_tiny_refs
step build "$GB" build --taxonomy "$TINY_TAX" --seqid2taxid "$TINY_MAP" --db "$TMP/db" --threads 2 "${TINY_REFS[@]}"
sim_pairs "$TMP/a" 200 50 "${TINY_REFS[@]}"
sim_pairs "$TMP/b" 100 20 "${TINY_REFS[0]}" "${TINY_REFS[3]}"
step classify "$GB" classify --db "$TMP/db" --threads 2 --paired --output "$TMP/a.out" --report "$TMP/a.rep" \
  "$TMP/a_R1.fastq" "$TMP/a_R2.fastq"
printf 'sample,fastq_1,fastq_2\na,%s,%s\nb,%s,%s\n' "$TMP/a_R1.fastq" "$TMP/a_R2.fastq" "$TMP/b_R1.fastq" \
  "$TMP/b_R2.fastq" > "$TMP/sheet.csv"
step run "$GB" run --db "$TMP/db" --samples "$TMP/sheet.csv" --out "$TMP/run" --threads 2
N_PASS=$N_OK
finish > /dev/null
rc=$?
echo "tsan: $N_PASS passed, $N_FAIL failed"
exit $rc
