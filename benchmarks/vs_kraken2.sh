#!/usr/bin/env bash
# gutbrain vs Kraken 2 on the shared genomes: build, classify speed, accuracy, concordance and
# strain exclusion, measured in one run on the same machine (see docs/HACKING.md, Benchmarks:
# re-measure the peer in the same run before claiming a ratio).
#
# usage: benchmarks/vs_kraken2.sh [--record] [--rebuild-kraken]
#   --record          also append the result table to benchmarks/RESULTS.md
#   --rebuild-kraken  re-measure the Kraken 2 builds even when cached DBs match
# environment (all optional):
#   GUTBRAIN_DATA  data dir with refs/*.fna.gz, seqid2taxid.tsv, taxonomy/ (default ../shared/data)
#   GB             gutbrain binary (default bin/gutbrain; when missing, only Kraken 2 is measured)
#   WORK           work dir (default benchmarks/work); Kraken 2 DBs and reads are cached there
#   THREADS=2 RUNS=3 (classify runs per tool) GB_BUILD_RUNS=3 K2_BUILD_RUNS=1 READS=2000 SEED=20261126
#
# Caching: the Kraken 2 DBs and the simulated reads are reused when a stamp of their inputs
# (file checksums, parameters, tool versions) matches; the gutbrain DBs are rebuilt every run
# because they are what we measure.  A cached Kraken 2 build reports the figures measured
# when it was built, marked "(cached)".
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DATA=${GUTBRAIN_DATA:-$repo/../shared/data}
GB=${GB:-$repo/bin/gutbrain}
WORK=${WORK:-$repo/benchmarks/work}
THREADS=${THREADS:-2}
RUNS=${RUNS:-3}
GB_BUILD_RUNS=${GB_BUILD_RUNS:-3}
K2_BUILD_RUNS=${K2_BUILD_RUNS:-1}
READS=${READS:-2000}
SEED=${SEED:-20261126}
SCORE=(/usr/bin/python3 "$repo/benchmarks/score.py")
SIMULATE="$repo/benchmarks/simulate_reads.sh"
source "$repo/benchmarks/lib.bash"
RECORD=0
REBUILD_KRAKEN=0

# Left out of the strain-exclusion DBs; each keeps a same-species or same-genus relative.
EXCLUDED=(
  Escherichia_coli_IAI39 Klebsiella_pneumoniae_NTUH-K2044 Helicobacter_pylori_G27
  Staphylococcus_aureus_N315 Vibrio_cholerae_H1 Enterococcus_faecalis_T2
  Eubacterium_rectale_T1-815 Shigella_flexneri_2a_ATCC29903 Streptococcus_pneumoniae_SMRU824
  Haemophilus_parainfluenzae_NCTC10665 Staphylococcus_epidermidis_NBRC100911
)

die() { echo "vs_kraken2: $*" >&2; exit 1; }
note() { echo "[vs_kraken2 $(date +%H:%M:%S)] $*" >&2; }

parse_args() {
  while [ $# -gt 0 ]; do
    case "$1" in
      --record) RECORD=1 ;;
      --rebuild-kraken) REBUILD_KRAKEN=1 ;;
      -h|--help) sed -n '2,19p' "${BASH_SOURCE[0]}"; exit 0 ;;
      *) die "unknown argument '$1'" ;;
    esac
    shift
  done
}

check_inputs() {
  if [ ! -d "$DATA/refs" ] || [ ! -f "$DATA/seqid2taxid.tsv" ] || [ ! -f "$DATA/taxonomy/nodes.dmp" ]; then
    die "no data dir with refs/, seqid2taxid.tsv, taxonomy/ at '$DATA' (set GUTBRAIN_DATA)"
  fi
  local tool
  for tool in kraken2 kraken2-build art_illumina /usr/bin/time /usr/bin/python3; do
    command -v "$tool" >/dev/null || die "'$tool' not found (run: make deps)"
  done
  HAVE_GB=1
  if [ ! -x "$GB" ]; then
    note "WARNING: no gutbrain binary at '$GB': measuring Kraken 2 only"
    HAVE_GB=0
  fi
}

# ---------------------------------------------------------------- measuring helpers

# measure RESULT LOG CMD...: run CMD, write "wall_seconds peak_rss_kb" to RESULT.
measure() {
  local result=$1 log=$2 t0 t1 rss
  shift 2
  t0=$(date +%s.%N)
  if ! /usr/bin/time -v -o "$result.time" "$@" >"$log" 2>&1; then
    tail -n 20 "$log" >&2
    die "command failed (log: $log): $*"
  fi
  t1=$(date +%s.%N)
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$result.time")
  awk -v a="$t0" -v b="$t1" -v r="$rss" 'BEGIN { printf "%.3f %d\n", b - a, r }' >"$result"
}

# median FILE...: median of the first field over the files (each holds one "wall rss" line).
median_field() {
  local field=$1
  shift
  cat "$@" | awk -v f="$field" '{print $f}' | sort -g |
    awk '{v[NR]=$1} END { if (NR == 0) print "nan"; else if (NR % 2) print v[(NR+1)/2]; else printf "%.3f\n", (v[NR/2]+v[NR/2+1])/2 }'
}

dir_mb() { du -sb "$1" | awk '{printf "%.1f", $1/1048576}'; }

# stamp_ok DIR KEY: true when DIR holds a completed result for exactly these inputs.
stamp_ok() { [ -f "$1/.stamp" ] && [ "$(cat "$1/.stamp")" = "$2" ]; }

genome_files() { # genome_files all|kept|excluded
  local f base skip
  for f in "$DATA"/refs/*.fna.gz; do
    base=$(basename "$f" .fna.gz)
    skip=0
    for e in "${EXCLUDED[@]}"; do [ "$base" = "$e" ] && skip=1; done
    case "$1" in
      all) echo "$f" ;;
      kept) [ $skip = 0 ] && echo "$f" ;;
      excluded) [ $skip = 1 ] && echo "$f" ;;
    esac
  done
  return 0
}

inputs_key() { # checksum of files' contents + any extra words
  local files=() words=()
  for a in "$@"; do if [ -f "$a" ]; then files+=("$a"); else words+=("$a"); fi; done
  { md5sum "${files[@]}" | awk '{print $1}'; printf '%s\n' "${words[@]}"; } | md5sum | awk '{print $1}'
}

# ---------------------------------------------------------------- databases

# write_map OUT GENOME...: 2-column seqid->taxid map for exactly these genomes' sequences.
write_map() {
  local out=$1
  shift
  local f
  for f in "$@"; do zcat "$f" | awk '/^>/ {print substr($1, 2)}'; done |
    awk -F'\t' 'NR == FNR { if ($0 !~ /^#/) tax[$1] = $2; next }
                { if (!($1 in tax)) { print "no taxid for " $1 > "/dev/stderr"; exit 1 } print $1 "\t" tax[$1] }' \
      "$DATA/seqid2taxid.tsv" - >"$out"
}

# build_kraken NAME RUNS GENOME...: a custom Kraken 2 DB (no masking), cached by its inputs.
build_kraken() {
  local name=$1 runs=$2
  shift 2
  local db="$WORK/k2db_$name" key run
  key=$(inputs_key "$@" "$DATA/seqid2taxid.tsv" "$DATA/taxonomy/nodes.dmp" "$DATA/taxonomy/names.dmp" \
        "$(kraken2 --version | head -1)" "threads=$THREADS")
  if [ "$REBUILD_KRAKEN" = 0 ] && stamp_ok "$db" "$key"; then
    note "Kraken 2 DB '$name' cached ($db)"
    K2_BUILD_CACHED=" (cached)"
    return 0
  fi
  rm -rf "$db"
  mkdir -p "$db/taxonomy" "$db/library" "$db/timing"
  cp "$DATA/taxonomy/nodes.dmp" "$DATA/taxonomy/names.dmp" "$db/taxonomy/"
  write_map "$db/seqid2taxid.map" "$@"
  # One library file in sorted genome order, so the insertion order (and hash.k2d) is stable.
  zcat "$@" >"$db/library/library.fna"
  for run in $(seq 1 "$runs"); do
    rm -f "$db"/*.k2d
    note "kraken2-build '$name' (run $run/$runs, $# genomes)"
    measure "$db/timing/build.$run" "$db/timing/build.$run.log" \
      kraken2-build --build --db "$db" --threads "$THREADS"
  done
  echo "$key" >"$db/.stamp"
  K2_BUILD_CACHED=""
}

# build_gutbrain NAME RUNS GENOME...: gutbrain DB, rebuilt RUNS times (we measure it).
build_gutbrain() {
  local name=$1 runs=$2
  shift 2
  local db="$WORK/gbdb_$name" run
  rm -rf "$db" "$db.timing"
  mkdir -p "$db.timing"
  write_map "$db.timing/seqid2taxid.map" "$@"
  for run in $(seq 1 "$runs"); do
    rm -rf "$db"
    note "gutbrain build '$name' (run $run/$runs, $# genomes)"
    measure "$db.timing/build.$run" "$db.timing/build.$run.log" \
      "$GB" build --taxonomy "$DATA/taxonomy" --seqid2taxid "$db.timing/seqid2taxid.map" \
      --db "$db" --threads "$THREADS" "$@"
  done
}

# ---------------------------------------------------------------- reads

# simulate NAME MODE GENOME...: cached simulated reads in $WORK/reads/NAME*.fq
simulate() {
  local name=$1 mode=$2
  shift 2
  local dir="$WORK/reads/$name" key
  key=$(inputs_key "$@" "$DATA/seqid2taxid.tsv" "$SIMULATE" "$mode" "reads=$READS" "seed=$SEED")
  if stamp_ok "$dir" "$key"; then
    note "reads '$name' cached"
    return 0
  fi
  rm -rf "$dir"
  mkdir -p "$dir"
  note "simulating '$name' ($mode, $READS per genome, $# genomes)"
  bash "$SIMULATE" "$dir/reads" "$READS" "$mode" "$SEED" "$@" "$DATA/seqid2taxid.tsv"
  echo "$key" >"$dir/.stamp"
}

read_args() { # read_args NAME: the classify arguments for a read set
  local dir="$WORK/reads/$1"
  if [ -f "$dir/reads_R1.fq" ]; then
    echo "--paired $dir/reads_R1.fq $dir/reads_R2.fq"
  else
    echo "$dir/reads.fq"
  fi
}

fragments() { # number of fragments (pairs or reads) in a read set
  local dir="$WORK/reads/$1" f
  f="$dir/reads.fq"
  [ -f "$dir/reads_R1.fq" ] && f="$dir/reads_R1.fq"
  echo $(( $(wc -l <"$f") / 4 ))
}

# ---------------------------------------------------------------- classification

# classify_once TOOL DB READSET CONF TAG RUN: one timed run; outputs in $WORK/out/TAG.TOOL.*
classify_once() {
  local tool=$1 db=$2 set=$3 conf=$4 tag=$5 run=$6
  local out="$WORK/out/$tag.$tool"
  local -a reads
  read -r -a reads <<<"$(read_args "$set")"
  if [ "$tool" = k2 ]; then
    measure "$out.run$run" "$out.run$run.log" kraken2 --db "$db" --threads "$THREADS" \
      --confidence "$conf" --output "$out.txt" --report "$out.report" "${reads[@]}"
  else
    measure "$out.run$run" "$out.run$run.log" "$GB" classify --db "$db" --threads "$THREADS" \
      --confidence "$conf" --output "$out.txt" --report "$out.report" "${reads[@]}"
  fi
  md5sum <"$out.txt" | awk '{print $1}' >"$out.run$run.md5"
}

# classify_config READSET CONF TAG RUNS: interleaved k2, gb, k2, gb, ... runs.
classify_config() {
  local set=$1 conf=$2 tag=$3 runs=$4 run tool
  for run in $(seq 1 "$runs"); do
    for tool in k2 gb; do
      if [ "$tool" = gb ] && [ "$HAVE_GB" = 0 ]; then continue; fi
      note "classify $tag with $tool (run $run/$runs)"
      if [ "$tool" = k2 ]; then
        classify_once k2 "$WORK/k2db_${tag%%_*}" "$set" "$conf" "$tag" "$run"
      else
        classify_once gb "$WORK/gbdb_${tag%%_*}" "$set" "$conf" "$tag" "$run"
      fi
    done
  done
  for tool in k2 gb; do
    [ -f "$WORK/out/$tag.$tool.run1.md5" ] || continue
    if [ "$(cat "$WORK/out/$tag.$tool".run*.md5 | sort -u | wc -l)" != 1 ]; then
      note "WARNING: $tool output of $tag differs between runs"
    fi
  done
}

rate() { # rate TAG TOOL SET: fragments per second from the median wall time
  local tag=$1 tool=$2 set=$3 wall
  wall=$(median_field 1 "$WORK/out/$tag.$tool".run?)
  awk -v n="$(fragments "$set")" -v w="$wall" 'BEGIN { printf "%.0f", n / w }'
}

rate_range() { # rate_range TAG TOOL SET: " [slowest–fastest]" over the runs, shows the noise
  local files=("$WORK/out/$1.$2".run?)
  [ "${#files[@]}" -gt 1 ] || return 0
  cat "${files[@]}" | awk -v n="$(fragments "$3")" '
    { r = n / $1; if (NR == 1 || r < lo) lo = r; if (NR == 1 || r > hi) hi = r }
    END { printf " [%.0f–%.0f]", lo, hi }'
}

# ---------------------------------------------------------------- scoring

score_one() { # score_one TAG TOOL -> $WORK/out/TAG.TOOL.score
  local out="$WORK/out/$1.$2"
  [ -f "$out.txt" ] || return 0
  "${SCORE[@]}" --taxonomy "$DATA/taxonomy" --label "$2" --per-truth "$out.txt" >"$out.score"
}

compare_one() { # compare_one TAG -> $WORK/out/TAG.compare
  local out="$WORK/out/$1"
  [ -f "$out.gb.txt" ] || return 0
  "${SCORE[@]}" --taxonomy "$DATA/taxonomy" --label gb --other-label k2 \
    "$out.gb.txt" --compare "$out.k2.txt" | awk -F'\t' '$2 != "" && $1 ~ /_vs_/' >"$out.compare"
}

acc_cell() { # acc_cell TAG TOOL RANK: "F1 (sens/prec)"
  local f="$WORK/out/$1.$2.score"
  [ -f "$f" ] || { echo "n/a"; return; }
  awk -F'\t' -v r="$3" '$2 == r && $1 !~ /^#/ && NF >= 10 { printf "%.4f (%.3f/%.3f)", $10, $8, $9; exit }' "$f"
}

concord_cell() { # concord_cell TAG METRIC: percentage of reads
  local f="$WORK/out/$1.compare"
  [ -f "$f" ] || { echo "n/a"; return; }
  awk -F'\t' -v m="$2" '$2 == m { printf "%.3f %%", 100 * $4; exit }' "$f"
}

# ---------------------------------------------------------------- report

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a+0 > 0 && b+0 > 0) printf "%.2f", a / b; else print "n/a" }'; }

build_figures() { # build_figures DIR_PREFIX: "wall rss_mb" medians over build.N files
  local files=("$1"/build.?)
  [ -f "${files[0]}" ] || { echo "n/a n/a"; return; }
  echo "$(median_field 1 "${files[@]}") $(median_field 2 "${files[@]}" | awk '{printf "%.0f", $1/1024}')"
}

classify_rss() { median_field 2 "$WORK/out/$1.$2".run? | awk '{printf "%.0f", $1/1024}'; }

gutbrain_version() {
  if [ "$HAVE_GB" = 1 ]; then
    "$GB" --version 2>/dev/null | head -1 || echo "unknown version"
  else
    echo "not built"
  fi
}

machine_info() {
  echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'); host: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(awk '/MemTotal/ {printf "%.1f GB", $2/1048576}' /proc/meminfo) RAM"
  echo "- $(kraken2 --version | head -1); gutbrain: $(gutbrain_version); ART $(art_illumina 2>&1 | sed -n 's/.*Version \([0-9.]*\).*/\1/p' | head -1); git $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo '(no commit)')$(git -C "$repo" diff --quiet 2>/dev/null || echo ' (dirty tree)')"
  echo "- threads $THREADS; classify: median of $RUNS interleaved runs (k2, gb, k2, gb, ...) [slowest–fastest], wall time incl. DB load, plain FASTQ from page cache; gutbrain build: median of $GB_BUILD_RUNS; Kraken 2 build: median of $(find "$WORK/k2db_full/timing" -name 'build.?' | wc -l)${K2_BUILD_CACHED:-}, time of \`kraken2-build --build\` only (library already decompressed), gutbrain reads .fna.gz"
  echo "- reads: ART HS25, $READS per genome, seed $SEED; $(fragments full_paired) pairs (2x150), $(fragments full_single) single 100 bp, $(fragments excl_paired) pairs from the ${#EXCLUDED[@]} excluded genomes"
}

print_table() {
  local k2_wall k2_rss gb_wall gb_rss k2db gbdb
  read -r k2_wall k2_rss <<<"$(build_figures "$WORK/k2db_full/timing")"
  read -r gb_wall gb_rss <<<"$(build_figures "$WORK/gbdb_full.timing")"
  k2db=$(du -cb "$WORK"/k2db_full/*.k2d | tail -1 | awk '{printf "%.1f", $1/1048576}')
  gbdb=n/a
  [ -d "$WORK/gbdb_full" ] && gbdb=$(dir_mb "$WORK/gbdb_full")
  echo "| metric | Kraken 2 | gutbrain | ratio |"
  echo "|---|---|---|---|"
  echo "| build wall s ($(genome_files all | wc -l) genomes) | $k2_wall${K2_BUILD_CACHED:-} | $gb_wall | speed-up $(ratio "$k2_wall" "$gb_wall")× |"
  echo "| build peak RSS MB | $k2_rss | $gb_rss | $(ratio "$gb_rss" "$k2_rss")× Kraken's |"
  echo "| DB size MB | $k2db | $gbdb | $(ratio "$gbdb" "$k2db")× Kraken's |"
  local tag t set label
  for tag in full_c0:full_paired:"paired, conf 0" full_c01:full_paired:"paired, conf 0.1" full_single:full_single:"single 100 bp, conf 0"; do
    IFS=: read -r t set label <<<"$tag"
    local rk rg
    rk=$(rate "$t" k2 "$set")
    rg=n/a
    [ -f "$WORK/out/$t.gb.run1" ] && rg=$(rate "$t" gb "$set")
    echo "| classify $label: fragments/s | $rk$(rate_range "$t" k2 "$set") | $rg$( [ "$rg" = n/a ] || rate_range "$t" gb "$set") | speed-up $(ratio "$rg" "$rk")× |"
    if [ "$t" = full_c0 ]; then
      local gr=n/a kr
      kr=$(classify_rss "$t" k2)
      [ "$rg" != n/a ] && gr=$(classify_rss "$t" gb)
      echo "| classify $label: peak RSS MB | $kr | $gr | $(ratio "$gr" "$kr")× Kraken's |"
    fi
  done
  local rank
  for tag in full_c0:"paired, conf 0" full_c01:"paired, conf 0.1" full_single:"single, conf 0" excl_c0:"strain exclusion, paired, conf 0"; do
    IFS=: read -r t label <<<"$tag"
    for rank in species genus family; do
      echo "| $label: $rank F1 (sens/prec) | $(acc_cell "$t" k2 "$rank") | $(acc_cell "$t" gb "$rank") | |"
    done
  done
  for tag in full_c0:"paired, conf 0" full_c01:"paired, conf 0.1" full_single:"single, conf 0" excl_c0:"strain exclusion"; do
    IFS=: read -r t label <<<"$tag"
    echo "| concordance $label: same taxid / same genus | $(concord_cell "$t" same_taxid) / $(concord_cell "$t" same_genus_level) | | |"
  done
}

print_differences() {
  local t
  for t in full_c0 full_c01 full_single excl_c0; do
    [ -f "$WORK/out/$t.compare" ] || continue
    echo "- $t: $(awk -F'\t' '$2 ~ /^differ_/ && $3 > 0 { printf "%s%s %d", sep, substr($2, 8), $3; sep = ", " }
                          END { if (sep == "") printf "none" }' "$WORK/out/$t.compare")"
  done
}

print_weakest() { # the 3 genomes with the lowest species sensitivity, per tool
  local tool f
  for tool in k2 gb; do
    f="$WORK/out/full_c0.$tool.score"
    [ -f "$f" ] || continue
    echo "- $tool: $(awk -F'\t' 'NF == 7 && $1 !~ /^#/ && n < 3 { printf "%s%s %.3f", sep, $7, $6; sep = ", "; n++ }' "$f")"
  done
}

record() {
  local results="$repo/benchmarks/RESULTS.md"
  [ -f "$results" ] || printf '# Benchmark results: gutbrain vs Kraken 2\n\nAppended by `benchmarks/vs_kraken2.sh --record`.\n' >"$results"
  { echo; echo "## $(date -u '+%Y-%m-%d %H:%M UTC')"; echo; cat "$WORK/report.md"; } >>"$results"
  note "appended to $results"
}

# ---------------------------------------------------------------- main

main() {
  parse_args "$@"
  check_inputs
  mkdir -p "$WORK/out" "$WORK/reads"
  local all kept excl
  mapfile -t all < <(genome_files all)
  mapfile -t kept < <(genome_files kept)
  mapfile -t excl < <(genome_files excluded)
  [ "${#excl[@]}" = "${#EXCLUDED[@]}" ] || die "expected ${#EXCLUDED[@]} excluded genomes in $DATA/refs, found ${#excl[@]}"

  simulate full_paired paired150 "${all[@]}"
  simulate full_single single100 "${all[@]}"
  simulate excl_paired paired150 "${excl[@]}"
  build_kraken excl 1 "${kept[@]}"
  build_kraken full "$K2_BUILD_RUNS" "${all[@]}"   # last, so K2_BUILD_CACHED describes the full DB
  if [ "$HAVE_GB" = 1 ]; then
    build_gutbrain full "$GB_BUILD_RUNS" "${all[@]}"
    build_gutbrain excl 1 "${kept[@]}"
  fi
  rm -f "$WORK"/out/*
  classify_config full_paired 0 full_c0 "$RUNS"
  classify_config full_paired 0.1 full_c01 "$RUNS"
  classify_config full_single 0 full_single "$RUNS"
  classify_config excl_paired 0 excl_c0 1
  local t
  for t in full_c0 full_c01 full_single excl_c0; do
    score_one "$t" k2
    score_one "$t" gb
    compare_one "$t"
  done
  {
    machine_info
    echo
    print_table
    echo
    echo "Differences gutbrain vs Kraken 2 (reads):"
    print_differences
    echo
    echo "Lowest species sensitivity (paired, conf 0):"
    print_weakest
  } >"$WORK/report.md"
  cat "$WORK/report.md"
  if [ "$RECORD" = 1 ]; then record; fi
}

main "$@"
