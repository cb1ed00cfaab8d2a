#!/usr/bin/env bash
# make fuzz: run each libFuzzer harness for SECONDS on its corpus, then replay the regression
# inputs of tests/fuzz/regress/<harness>/. Usage: run.sh SECONDS build/fuzz/fuzz_NAME...
# The corpus of a harness (build/fuzz/corpus/NAME, kept between runs) starts from the tiny
# seeds of tests/fuzz/seeds/NAME plus excerpts of ../shared/data when present (Debian's own
# example files otherwise); nothing of it is written into the repository. Crashes are kept under
# build/fuzz/artifacts/NAME/ (emptied at the start of each run) and fail the run. Summary: one
# line per harness (docs/FUZZING.md).
#
# biom runs in libFuzzer's fork mode with timeouts ignored: HDF5 1.10 itself loops forever on
# some corrupt files (a global heap read under H5Aread), which is not gutbrain's code; those
# inputs are counted and kept as timeout-* files, and only crashes, leaks and out-of-memory
# fail the harness.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
secs=$1
shift
DATA=${GB_DATA:-../shared/data}
SEP=$'\n--fuzz-file--\n'
OUT=build/fuzz

# seed_data NAME DIR: excerpts of the shared test data (or Debian files) for harness NAME
seed_data() {
  local d=$2 f i=0
  case $1 in
  fastx)
    # the compressed seeds are made here from the two hand-made plain ones, not tracked
    gzip -9nc tests/fuzz/seeds/fastx/reads.fq > "$d/reads.fq.gz"
    zstd -q -c tests/fuzz/seeds/fastx/reads.fa > "$d/reads.fa.zst"
    for f in "$DATA"/reads/*/*.gz; do
      [ -e "$f" ] || continue
      i=$((i + 1))
      gzip -dc "$f" 2> /dev/null | head -n 8 > "$d/data$i.txt"
      gzip -9nc "$d/data$i.txt" > "$d/data$i.gz"
      zstd -q -c "$d/data$i.txt" > "$d/data$i.zst"
    done ;;
  taxdump)
    [ -e "$DATA/taxonomy/nodes.dmp" ] &&
      { head -n 40 "$DATA/taxonomy/nodes.dmp"; printf '%s' "$SEP"; head -n 40 "$DATA/taxonomy/names.dmp"; } > "$d/data" ;;
  seqmap) [ -e "$DATA/seqid2taxid.tsv" ] && head -n 20 "$DATA/seqid2taxid.tsv" > "$d/data" ;;
  metadata)
    for f in "$DATA"/cohorts/*/*.tsv "$DATA"/cohorts/*/*.csv; do
      [ -e "$f" ] && { i=$((i + 1)); head -n 12 "$f" | cut -c1-400 > "$d/data$i"; }
    done ;;
  config) cp configs/*.ini "$d/" 2> /dev/null ;;
  biom) cp /usr/share/doc/python3-biom-format/examples/*hdf5.biom "$d/" 2> /dev/null ;;
  esac
  return 0
}

status=0
printf '%-14s %10s %7s %7s %s\n' harness execs cov ft result
for bin in "$@"; do
  name=${bin##*/fuzz_}
  corpus=$OUT/corpus/$name art=$OUT/artifacts/$name log=$OUT/logs/$name.log
  rm -rf "$art"
  mkdir -p "$corpus" "$art" "$OUT/logs"
  extra=()
  [ "$name" = biom ] && extra=(-fork=1 -ignore_timeouts=1)
  [ -d "tests/fuzz/seeds/$name" ] && cp tests/fuzz/seeds/"$name"/* "$corpus/" 2> /dev/null
  seed_data "$name" "$corpus"
  "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$art/" "${extra[@]}" "$corpus" > "$log" 2>&1
  rc=$?
  if [ ${#extra[@]} -gt 0 ]; then # fork mode: "#N: cov: C ft: F corp: ..." lines; judged by artifacts
    done_line=$(grep -E '^#[0-9]+: cov:' "$log" | tail -n 1)
    execs=$(grep -oE '^#[0-9]+' <<< "$done_line" | tr -d '#')
    compgen -G "$art/crash-*" > /dev/null || compgen -G "$art/leak-*" > /dev/null ||
      compgen -G "$art/oom-*" > /dev/null || rc=0
  else
    done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -n 1)
    execs=$(grep -oE 'stat::number_of_executed_units: [0-9]+' "$log" | grep -oE '[0-9]+$')
  fi
  cov=$(grep -oE 'cov: [0-9]+' <<< "$done_line" | grep -oE '[0-9]+')
  ft=$(grep -oE 'ft: [0-9]+' <<< "$done_line" | grep -oE '[0-9]+')
  if [ "$rc" -eq 0 ]; then
    result=ok
    hangs=$(compgen -G "$art/timeout-*" | wc -l)
    [ "$hangs" -gt 0 ] && result="ok ($hangs HDF5 hangs kept in $art)"
  else
    result="FAILED (exit $rc): inputs in $art: $(ls "$art" | tr '\n' ' ')log $log"
    status=1
  fi
  printf '%-14s %10s %7s %7s %s\n' "$name" "${execs:--}" "${cov:--}" "${ft:--}" "$result"
done

# replay every committed reproducer (no fuzzing): each must now run cleanly
for bin in "$@"; do
  name=${bin##*/fuzz_}
  dir=tests/fuzz/regress/$name
  compgen -G "$dir/*" > /dev/null || continue
  if "$bin" "$dir"/* > "$OUT/logs/$name.regress.log" 2>&1; then
    echo "regress $name: $(ls "$dir" | wc -l) inputs ok"
  else
    echo "regress $name: FAILED, log $OUT/logs/$name.regress.log"
    status=1
  fi
done
exit $status
