#!/usr/bin/env bash
# make fuzz: run each libFuzzer harness for SECONDS on its corpus, then replay the regression
# inputs of tests/fuzz/regress/<harness>/. Usage: run.sh SECONDS build/fuzz/fuzz_NAME...
# The corpus of a harness (build/fuzz/corpus/NAME, kept between runs) starts from the tiny
# seeds of tests/fuzz/seeds/NAME plus excerpts of ../shared/data when present (Debian's own
# example files otherwise); nothing of it is written into the repository. Crashes are kept under
# build/fuzz/artifacts/NAME/ (emptied at the start of each run) and fail the run. Summary: one
# line per harness (docs/FUZZING.md).
#
# biom runs in libFuzzer's fork mode, going on after timeouts and crashes: HDF5 1.10 itself loops
# forever, overflows buffers and crashes on some corrupt files. Each crash, leak or out-of-memory
# input is replayed alone and its stacks classified by hdf5_fault.awk; HDF5's own are counted
# and kept renamed hdf5-*, as hangs are kept as timeout-*; any other fails the harness.
# Each harness gets its own TMPDIR under build/fuzz/tmp, removed afterwards (a crash skips the
# harness's own cleanup).
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
    # two hand-made records each (a mate suffix, lower case, N, a '+' line with the id, CRLF line
    # ends), written here with their gzip and zstd copies rather than tracked
    printf '@r1/1 x\nACGTNacgt\n+\nIIIIIIIII\n@r2\nGGCC\n+r2\n!!!!\n' > "$d/reads.fq"
    printf '>s1 desc\nACGT\nacgtN\n>s2\r\nGG\r\n' > "$d/reads.fa"
    gzip -9nc "$d/reads.fq" > "$d/reads.fq.gz"
    zstd -q -c "$d/reads.fa" > "$d/reads.fa.zst"
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
  kreport) # Kraken reports of the Bracken peer beside the data (tests/integration/bracken.sh)
    for f in "$DATA"/../peers/bracken/sample_data/*.report; do
      [ -e "$f" ] && { i=$((i + 1)); head -n 40 "$f" > "$d/data$i"; }
    done ;;
  biom) cp /usr/share/doc/python3-biom-format/examples/*hdf5.biom "$d/" 2> /dev/null ;;
  esac
  return 0
}

# classify BIN INPUT: replay INPUT alone (report in INPUT.log; full allocation stacks for leaks)
# and print whose fault it is, "hdf5" or "gutbrain" (hdf5_fault.awk); a clean replay is ours
classify() {
  if ASAN_OPTIONS=fast_unwind_on_malloc=0 timeout 120 "$1" -rss_limit_mb=2048 -timeout=60 "$2" > "$2.log" 2>&1; then
    echo "gutbrain (did not fail when replayed alone)"
  else
    awk -f tests/fuzz/hdf5_fault.awk "$2.log"
  fi
}

status=0
printf '%-14s %10s %7s %7s %s\n' harness execs cov ft result
for bin in "$@"; do
  name=${bin##*/fuzz_}
  corpus=$OUT/corpus/$name art=$OUT/artifacts/$name log=$OUT/logs/$name.log
  rm -rf "$art"
  mkdir -p "$corpus" "$art" "$OUT/logs"
  extra=()
  [ "$name" = biom ] && extra=(-fork=1 -ignore_timeouts=1 -ignore_crashes=1)
  [ -d "tests/fuzz/seeds/$name" ] && cp tests/fuzz/seeds/"$name"/* "$corpus/" 2> /dev/null
  seed_data "$name" "$corpus"
  export TMPDIR=$OUT/tmp/$name
  rm -rf "$TMPDIR" && mkdir -p "$TMPDIR"
  # fork mode: no leak check at a job's exit, which cannot name an input (HDF5 keeps caches
  # until then); leaks are still checked after each input, and when an input is replayed
  ASAN_OPTIONS=${extra:+leak_check_at_exit=0} timeout $((secs * 2 + 120)) "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$art/" "${extra[@]}" "$corpus" > "$log" 2>&1
  rc=$?
  if [ ${#extra[@]} -gt 0 ]; then # fork mode: "#N: cov: C ft: F corp: ..." lines; judged by artifacts
    done_line=$(grep -E '^#[0-9]+: cov:' "$log" | tail -n 1)
    execs=$(grep -oE '^#[0-9]+' <<< "$done_line" | tr -d '#')
    [ "$rc" -eq 124 ] || rc=0
    for f in "$art"/crash-* "$art"/leak-* "$art"/oom-*; do
      [ -e "$f" ] || continue
      [ "$(classify "$bin" "$f")" = hdf5 ] && mv "$f" "$art/hdf5-${f##*/}" && mv "$f.log" "$art/hdf5-${f##*/}.log" || rc=1
    done
  else
    done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -n 1)
    execs=$(grep -oE 'stat::number_of_executed_units: [0-9]+' "$log" | grep -oE '[0-9]+$')
  fi
  cov=$(grep -oE 'cov: [0-9]+' <<< "$done_line" | grep -oE '[0-9]+')
  ft=$(grep -oE 'ft: [0-9]+' <<< "$done_line" | grep -oE '[0-9]+')
  rm -rf "$TMPDIR"
  if [ "$rc" -eq 0 ]; then
    result=ok
    hangs=$(compgen -G "$art/timeout-*" | wc -l) faults=$(compgen -G "$art/hdf5-*[^g]" | wc -l)
    [ $((hangs + faults)) -gt 0 ] && result="ok (HDF5's own: $hangs hangs, $faults crashes/leaks kept in $art)"
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
  export TMPDIR=$OUT/tmp/$name
  mkdir -p "$TMPDIR"
  if timeout 300 "$bin" "$dir"/* > "$OUT/logs/$name.regress.log" 2>&1; then
    echo "regress $name: $(ls "$dir" | wc -l) inputs ok"
  else
    echo "regress $name: FAILED, log $OUT/logs/$name.regress.log"
    status=1
  fi
  rm -rf "$TMPDIR"
done
exit $status
