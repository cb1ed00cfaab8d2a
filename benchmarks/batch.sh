#!/usr/bin/env bash
# A cohort batch: `gutbrain run` (one process per rank, database mapped once per node) against
# what Kraken 2 users do today, a shell loop of one `kraken2` call per sample (database loaded
# every call), with and without --memory-mapping; all at 2 cores.
#
# usage: benchmarks/batch.sh [--record]
#   --record   also append the report to benchmarks/RESULTS.md under a new heading
# environment (all optional):
#   GUTBRAIN_DATA  data dir with refs/*.fna.gz, seqid2taxid.tsv, taxonomy/ (default ../shared/data)
#   GB             gutbrain binary (default bin/gutbrain)
#   WORK           work dir (default benchmarks/work): reuses $WORK/k2db_full and $WORK/gbdb_full
#                  (built when missing); simulated reads cached in $WORK/batch/reads
#   N_SMALL=200 SMALL_PAIRS=5000 N_LARGE=8 LARGE_PAIRS=200000 SEED=20261127
#   RUNS=3 (gutbrain runs per configuration, median)  K2_RUNS=1 (kraken2 loops per variant)
#
# Measured (wall time, inputs and databases in the page cache, reads 2x150 bp gzip):
#   gutbrain run at 1 rank x 1 thread, 1 rank x 2 threads, 2 ranks x 1 thread, and a rerun that
#   reuses every sample; kraken2 --threads 2 per sample, plain and --memory-mapping;
#   per-sample overhead = (run over the N small samples - `gutbrain classify` over the same
#   reads concatenated, both 2 threads) / N; peak RSS per rank (VmHWM through /usr/bin/time
#   around each rank) and PSS per rank (gutbrain's summary: mapped database pages shared by
#   the node's ranks count once in the sum); database bytes read from storage on a cold start
#   at 2 ranks (the file evicted from the page cache first).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DATA=${GUTBRAIN_DATA:-$repo/../shared/data}
GB=${GB:-$repo/bin/gutbrain}
WORK=${WORK:-$repo/benchmarks/work}
BATCH=$WORK/batch
N_SMALL=${N_SMALL:-200}
SMALL_PAIRS=${SMALL_PAIRS:-5000}
N_LARGE=${N_LARGE:-8}
LARGE_PAIRS=${LARGE_PAIRS:-200000}
SEED=${SEED:-20261127}
RUNS=${RUNS:-3}
K2_RUNS=${K2_RUNS:-1}
SIMULATE=$repo/benchmarks/simulate_reads.sh
GBDB=$WORK/gbdb_full
K2DB=$WORK/k2db_full
source "$repo/benchmarks/lib.bash"
# Ranks unbound, so 1 rank x 2 threads may use both cores (Open MPI binds each rank to one
# core by default when ranks <= 2).
MPIRUN=(mpirun --bind-to none --oversubscribe)
RECORD=0

# Communities: small samples are cut from four 5-genome pools, large ones from two 4-genome
# pools (the simulator shuffles reads, so consecutive chunks are random draws of the pool).
SMALL_POOLS=(
  "Escherichia_coli_K-12_MG1655 Akkermansia_muciniphila_ATCC_BAA-835 Eubacterium_rectale_DSM17629 Enterococcus_faecalis_T2 Lactobacillus_gasseri_ATCC33323"
  "Klebsiella_pneumoniae_HS11286 Eubacterium_siraeum_DSM15702 Agathobacter_rectalis_2789STDY5608860 Streptococcus_mitis_NCTC12261 Enterococcus_faecium_NBRC100486"
  "Escherichia_coli_O157H7_Sakai Salmonella_enterica_Typhimurium_LT2 Shigella_flexneri_2a_ATCC29903 Haemophilus_parainfluenzae_NCTC10665 Enterobacteria_phage_lambda"
  "Helicobacter_pylori_G27 Vibrio_cholerae_O1_ElTor_N16961 Staphylococcus_aureus_COL Enterococcus_casseliflavus_EC20 Klebsiella_pneumoniae_1084"
)
LARGE_POOLS=(
  "Escherichia_coli_536 Akkermansia_muciniphila_ATCC_BAA-835 Klebsiella_pneumoniae_MGH78578 Eubacterium_rectale_T1-815"
  "Pseudomonas_aeruginosa_PA7 Staphylococcus_epidermidis_NBRC100911 Enterococcus_faecalis_ATCC19433 Vibrio_cholerae_H1"
)

die() { echo "batch.sh: $*" >&2; exit 1; }
note() { echo "[batch $(date +%H:%M:%S)] $*" >&2; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.3f\n", b - a }'; }
range() { sort -g | awk 'NR == 1 { lo = $1 } { hi = $1 } END { if (NR > 1) printf " [%s-%s]", lo, hi }'; }
median() { sort -g | awk '{ v[NR] = $1 } END { if (!NR) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0 && a == a + 0) printf "%.2f", a / b; else print "n/a" }'; }

parse_args() {
  while [ $# -gt 0 ]; do
    case $1 in
      --record) RECORD=1 ;;
      -h | --help) sed -n '2,25p' "${BASH_SOURCE[0]}"; exit 0 ;;
      *) die "unknown argument '$1'" ;;
    esac
    shift
  done
}

check_inputs() {
  [ -d "$DATA/refs" ] && [ -f "$DATA/seqid2taxid.tsv" ] && [ -f "$DATA/taxonomy/nodes.dmp" ] ||
    die "no data dir with refs/, seqid2taxid.tsv, taxonomy/ at '$DATA' (set GUTBRAIN_DATA)"
  [ -x "$GB" ] || die "no gutbrain binary at '$GB' (run make)"
  local tool pool g
  for tool in kraken2 kraken2-build art_illumina mpirun /usr/bin/time /usr/bin/python3 fincore; do
    command -v "$tool" > /dev/null || die "'$tool' not found (run: make deps)"
  done
  for pool in "${SMALL_POOLS[@]}" "${LARGE_POOLS[@]}"; do
    for g in $pool; do [ -f "$DATA/refs/$g.fna.gz" ] || die "missing genome $DATA/refs/$g.fna.gz"; done
  done
}

# ---------------------------------------------------------------- reads

# simulate_pool NAME PAIRS_PER_GENOME GENOME...: ART pairs in $BATCH/reads/pool_NAME_R{1,2}.fq
simulate_pool() {
  local name=$1 per=$2 g files=()
  shift 2
  for g in "$@"; do files+=("$DATA/refs/$g.fna.gz"); done
  note "simulating pool $name: $per pairs x $# genomes"
  bash "$SIMULATE" "$BATCH/reads/pool_$name" "$per" paired150 "$SEED" "${files[@]}" "$DATA/seqid2taxid.tsv" 2> /dev/null
}

# cut_pool NAME PAIRS NSAMPLES FIRST PREFIX: samples PREFIX_<FIRST..>_R{1,2}.fq.gz of PAIRS
# pairs each, consecutive chunks of the pool, gzip (default level, as sequencers deliver).
cut_pool() {
  local name=$1 pairs=$2 n=$3 first=$4 prefix=$5 mate i chunk
  for mate in 1 2; do
    (cd "$BATCH/reads" &&
      split -l $((4 * pairs)) -d -a 4 --filter='gzip -n > $FILE.gz' "pool_${name}_R$mate.fq" "chunk_${name}_R${mate}_") &
  done
  wait
  for ((i = 0; i < n; i++)); do
    chunk=$(printf '%04d' "$i")
    for mate in 1 2; do
      [ -f "$BATCH/reads/chunk_${name}_R${mate}_$chunk.gz" ] || die "pool $name gave fewer than $n samples of $pairs pairs"
      mv "$BATCH/reads/chunk_${name}_R${mate}_$chunk.gz" "$(printf '%s_%03d_R%d.fq.gz' "$prefix" $((first + i)) "$mate")"
    done
  done
  rm -f "$BATCH/reads/chunk_${name}_"* "$BATCH/reads/pool_${name}_R"?.fq
}

# prepare_reads: the samples and sheets, cached while the parameters and inputs are the same.
prepare_reads() {
  local key p n first=1 genomes per art
  art=$(art_illumina 2>&1 || true)   # the banner names the version; no arguments exits non-zero
  key=$( { printf '%s\n' "$N_SMALL" "$SMALL_PAIRS" "$N_LARGE" "$LARGE_PAIRS" "$SEED" "${SMALL_POOLS[@]}" "${LARGE_POOLS[@]}"
           md5sum < "$SIMULATE"; grep -m1 Version <<< "$art"; } | md5sum | cut -d' ' -f1)
  if [ -f "$BATCH/reads/.stamp" ] && [ "$(cat "$BATCH/reads/.stamp")" = "$key" ]; then
    note "simulated reads cached in $BATCH/reads"
  else
    rm -rf "$BATCH/reads"
    mkdir -p "$BATCH/reads"
    local np=${#SMALL_POOLS[@]}
    for ((p = 0; p < np; p++)); do
      n=$((N_SMALL / np + (p < N_SMALL % np ? 1 : 0)))
      read -r -a genomes <<< "${SMALL_POOLS[$p]}"
      per=$(((n * SMALL_PAIRS + ${#genomes[@]} - 1) / ${#genomes[@]} * 103 / 100 + 1))   # 3% spare
      simulate_pool "small$p" "$per" "${genomes[@]}"
      cut_pool "small$p" "$SMALL_PAIRS" "$n" "$first" "$BATCH/reads/small"
      first=$((first + n))
    done
    first=1
    np=${#LARGE_POOLS[@]}
    for ((p = 0; p < np; p++)); do
      n=$((N_LARGE / np + (p < N_LARGE % np ? 1 : 0)))
      read -r -a genomes <<< "${LARGE_POOLS[$p]}"
      per=$(((n * LARGE_PAIRS + ${#genomes[@]} - 1) / ${#genomes[@]} * 103 / 100 + 1))
      simulate_pool "large$p" "$per" "${genomes[@]}"
      cut_pool "large$p" "$LARGE_PAIRS" "$n" "$first" "$BATCH/reads/large"
      first=$((first + n))
    done
    # The small samples' reads in one pair of files (multi-member gzip), for the overhead.
    cat "$BATCH"/reads/small_*_R1.fq.gz > "$BATCH/reads/concat_small_R1.fq.gz"
    cat "$BATCH"/reads/small_*_R2.fq.gz > "$BATCH/reads/concat_small_R2.fq.gz"
    echo "$key" > "$BATCH/reads/.stamp"
  fi
  local set
  for set in small large; do
    { echo "sample,fastq_1,fastq_2"
      for r1 in "$BATCH"/reads/${set}_*_R1.fq.gz; do
        echo "$(basename "$r1" _R1.fq.gz),$r1,${r1%_R1.fq.gz}_R2.fq.gz"
      done; } > "$BATCH/$set.csv"
  done
  [ "$(($(wc -l < "$BATCH/small.csv") - 1))" = "$N_SMALL" ] || die "expected $N_SMALL small samples"
  [ "$(($(wc -l < "$BATCH/large.csv") - 1))" = "$N_LARGE" ] || die "expected $N_LARGE large samples"
}

# ---------------------------------------------------------------- databases

# 2-column seqid -> taxid map of every reference sequence.
write_map() { awk -F'\t' '!/^#/ && NF >= 2 { print $1 "\t" $2 }' "$DATA/seqid2taxid.tsv" > "$1"; }

prepare_dbs() {
  note "gutbrain DB of all genomes: $GBDB (built when missing)"
  gbdb_full "$GB" "$DATA" "$GBDB"
  if [ -s "$K2DB/hash.k2d" ] && [ -s "$K2DB/taxo.k2d" ] && [ -s "$K2DB/opts.k2d" ]; then
    note "Kraken 2 DB: $K2DB (reused)"
  else
    note "building the Kraken 2 DB of all genomes into $K2DB (no masking)"
    rm -rf "$K2DB"
    mkdir -p "$K2DB/taxonomy" "$K2DB/library"
    cp "$DATA/taxonomy/nodes.dmp" "$DATA/taxonomy/names.dmp" "$K2DB/taxonomy/"
    write_map "$K2DB/seqid2taxid.map"
    zcat "$DATA"/refs/*.fna.gz > "$K2DB/library/library.fna"
    kraken2-build --build --db "$K2DB" --threads 2 > "$BATCH/k2db_build.log" 2>&1 ||
      { tail "$BATCH/k2db_build.log" >&2; die "kraken2-build failed"; }
  fi
}

# ---------------------------------------------------------------- measuring

# gb_once SET RANKS THREADS DIR [--keep]: one `gutbrain run` of SET's sheet into DIR/out (fresh
# unless --keep); wall seconds to stdout; each rank's peak RSS (kB) in DIR/rss.<rank>; output in
# DIR/log (DIR/log.keep with --keep).
gb_once() {
  local set=$1 ranks=$2 threads=$3 dir=$4 keep=${5:-} t0 log=$4/log
  mkdir -p "$dir"
  [ "$keep" = --keep ] && log=$dir/log.keep
  [ "$keep" = --keep ] || rm -rf "$dir/out"
  rm -f "$dir"/rss.*
  t0=$(now)
  "${MPIRUN[@]}" -n "$ranks" bash -c 'exec /usr/bin/time -f %M -o "$0.$OMPI_COMM_WORLD_RANK" "$@"' "$dir/rss" \
    "$GB" run --db "$GBDB" --samples "$BATCH/$set.csv" --out "$dir/out" --threads "$threads" > "$log" 2>&1 ||
    { tail -n 20 "$log" >&2; die "gutbrain run failed ($set, $ranks x $threads; log $log)"; }
  elapsed "$t0"
}

# summary_rows LOG: rank rows of gutbrain's summary table: rank samples reused failed reads busy dbMB pssMB
summary_rows() { awk '/^rank +samples/ { t = 1; next } t && $1 ~ /^[0-9]+$/ && NF == 8' "$1"; }

# gb_config NAME SET RANKS THREADS: RUNS runs; sets R_WALL[NAME] (median), R_RSS[NAME] (max peak RSS
# of a rank, MB), R_PSS[NAME] (max PSS of a rank, MB), R_IMB[NAME] (imbalance of the last run).
declare -A R_WALL R_RANGE R_RSS R_PSS R_IMB R_DBREAD
gb_config() {
  local name=$1 set=$2 ranks=$3 threads=$4 run dir=$BATCH/runs/$1
  rm -rf "$dir"
  for ((run = 1; run <= RUNS; run++)); do
    note "gutbrain run $set, $ranks rank(s) x $threads thread(s) (run $run/$RUNS)"
    gb_once "$set" "$ranks" "$threads" "$dir" >> "$dir.walls"
    cat "$dir"/rss.* | sort -n | tail -n 1 >> "$dir.rss"
  done
  R_WALL[$name]=$(median < "$dir.walls")
  R_RANGE[$name]=$(range < "$dir.walls")
  R_RSS[$name]=$(sort -n "$dir.rss" | tail -n 1 | awk '{ printf "%.0f", $1 / 1024 }')
  R_PSS[$name]=$(summary_rows "$dir/log" | awk '$8 > m { m = $8 } END { printf "%.0f", m }')
  R_IMB[$name]=$(grep -o 'imbalance (max/mean busy) [0-9.]*' "$dir/log" | awk '{ print $NF }')
  rm -f "$dir.walls" "$dir.rss"
}

# k2_loop NAME SET [--memory-mapping]: K2_RUNS timed loops of one kraken2 call per sample;
# R_WALL[NAME] (median), R_RSS[NAME] (max peak RSS of a call, MB).
k2_loop() {
  local name=$1 set=$2 mm=${3:-} run dir=$BATCH/runs/$1 t0 id r1 r2 walls=()
  rm -rf "$dir"
  mkdir -p "$dir"
  for ((run = 1; run <= K2_RUNS; run++)); do
    note "kraken2 loop $set ${mm:-(loads the DB)} (run $run/$K2_RUNS)"
    t0=$(now)
    while IFS=, read -r id r1 r2; do
      /usr/bin/time -f %M -o "$dir/rss.$id" kraken2 --db "$K2DB" --threads 2 $mm --paired --gzip-compressed \
        --output /dev/null --report "$dir/$id.kreport" "$r1" "$r2" 2>> "$dir/log" ||
        { tail "$dir/log" >&2; die "kraken2 failed on $id"; }
    done < <(tail -n +2 "$BATCH/$set.csv")
    walls+=("$(elapsed "$t0")")
  done
  R_WALL[$name]=$(printf '%s\n' "${walls[@]}" | median)
  R_RSS[$name]=$(cat "$dir"/rss.* | sort -n | tail -n 1 | awk '{ printf "%.0f", $1 / 1024 }')
}

# classify_concat: `gutbrain classify` of all small samples' reads at once (2 threads), median wall.
classify_concat() {
  local run t0 walls=()
  for ((run = 1; run <= RUNS; run++)); do
    note "gutbrain classify of the concatenated small samples (run $run/$RUNS)"
    t0=$(now)
    "$GB" classify --db "$GBDB" --threads 2 --output /dev/null --report "$BATCH/runs/concat.kreport" \
      --paired "$BATCH/reads/concat_small_R1.fq.gz" "$BATCH/reads/concat_small_R2.fq.gz" 2> "$BATCH/runs/concat.log" ||
      die "gutbrain classify of the concatenated reads failed"
    walls+=("$(elapsed "$t0")")
  done
  R_WALL[concat]=$(printf '%s\n' "${walls[@]}" | median)
}

# cold_start: evict the database file from the page cache, run the large set at 2 ranks once;
# R_DBREAD[cold] = MB the ranks read from storage (sum), R_DBREAD[cached] = MB still cached before.
cold_start() {
  local db=$GBDB/gutbrain.db dir=$BATCH/runs/cold
  dd if="$db" iflag=nocache count=0 status=none 2> /dev/null || true
  R_DBREAD[cached]=$(fincore -b -n -o RES "$db" 2> /dev/null | awk '{ printf "%.1f", $1 / 1e6 }')
  note "cold start: $(fincore -n -o RES "$db" 2> /dev/null) of the DB cached after eviction"
  R_WALL[cold]=$(gb_once large 2 1 "$dir")
  R_DBREAD[cold]=$(summary_rows "$dir/log" | awk '{ s += $7 } END { printf "%.1f", s }')
  R_DBREAD[size]=$(stat -c %s "$db" | awk '{ printf "%.1f", $1 / 1e6 }')
}

warm_cache() { cat "$BATCH"/reads/*.gz "$GBDB"/* "$K2DB"/*.k2d > /dev/null; }

# ---------------------------------------------------------------- report

machine_info() {
  echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'); host: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(awk '/MemTotal/ { printf "%.1f GB", $2 / 1048576 }' /proc/meminfo) RAM, $(uname -sr)"
  echo "- $("$GB" --version); $(kraken2 --version | head -n 1); $(mpirun --version | head -n 1); git $(git -C "$repo" rev-parse --short HEAD 2> /dev/null || echo '(no commit)')$(git -C "$repo" diff --quiet 2> /dev/null || echo ' (dirty tree)')"
  echo "- samples: $N_SMALL small ($SMALL_PAIRS pairs) and $N_LARGE large ($LARGE_PAIRS pairs), ART HS25 2x150 bp, gzip, seed $SEED; databases of all $(ls "$DATA"/refs/*.fna.gz | wc -l) genomes: gutbrain $(du -m "$GBDB/gutbrain.db" | cut -f1) MB, Kraken 2 $(du -cm "$K2DB"/*.k2d | tail -n 1 | cut -f1) MB"
  echo "- load average at the start: $LOAD_START, at the end: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine skews wall times)"
  echo "- wall times: gutbrain median of $RUNS, kraken2 loops median of $K2_RUNS; inputs and databases in the page cache; \`mpirun --bind-to none\`; kraken2 \`--threads 2 --paired --gzip-compressed\`, one call per sample, report per sample, per-read output to /dev/null"
}

print_report() {
  local s l
  local small_pairs=$((N_SMALL * SMALL_PAIRS)) large_pairs=$((N_LARGE * LARGE_PAIRS))
  cell() { # cell NAME PAIRS: "wall s [min-max] (k pairs/s)"
    awk -v w="${R_WALL[$1]:-nan}" -v r="${R_RANGE[$1]:-}" -v p="$2" \
      'BEGIN { if (w == w + 0 && w > 0) printf "%.2f s%s (%.0f k pairs/s)", w, r, p / w / 1000; else print "n/a" }'
  }
  echo "| wall time (throughput) | $N_SMALL small samples | $N_LARGE large samples |"
  echo "|---|---|---|"
  echo "| gutbrain run, 1 rank x 1 thread | $(cell gb_s11 $small_pairs) | $(cell gb_l11 $large_pairs) |"
  echo "| gutbrain run, 1 rank x 2 threads | $(cell gb_s12 $small_pairs) | $(cell gb_l12 $large_pairs) |"
  echo "| gutbrain run, 2 ranks x 1 thread | $(cell gb_s21 $small_pairs) | $(cell gb_l21 $large_pairs) |"
  echo "| gutbrain rerun, every sample reused (2 x 1) | ${R_WALL[gb_sreuse]} s | ${R_WALL[gb_lreuse]} s |"
  echo "| kraken2 loop (--threads 2) | $(cell k2_s $small_pairs) | $(cell k2_l $large_pairs) |"
  echo "| kraken2 --memory-mapping loop (--threads 2) | $(cell k2mm_s $small_pairs) | $(cell k2mm_l $large_pairs) |"
  s=$(printf '%s\n' "${R_WALL[gb_s12]}" "${R_WALL[gb_s21]}" | sort -g | head -n 1)
  l=$(printf '%s\n' "${R_WALL[gb_l12]}" "${R_WALL[gb_l21]}" | sort -g | head -n 1)
  echo "| speed-up of gutbrain (best at 2 cores) vs kraken2 loop | $(ratio "${R_WALL[k2_s]}" "$s")x | $(ratio "${R_WALL[k2_l]}" "$l")x |"
  echo "| speed-up vs kraken2 --memory-mapping loop | $(ratio "${R_WALL[k2mm_s]}" "$s")x | $(ratio "${R_WALL[k2mm_l]}" "$l")x |"
  echo "| peak RSS per rank, MB (1x1 / 1x2 / 2x1) | ${R_RSS[gb_s11]} / ${R_RSS[gb_s12]} / ${R_RSS[gb_s21]} | ${R_RSS[gb_l11]} / ${R_RSS[gb_l12]} / ${R_RSS[gb_l21]} |"
  echo "| PSS per rank, MB (1x1 / 1x2 / 2x1) | ${R_PSS[gb_s11]} / ${R_PSS[gb_s12]} / ${R_PSS[gb_s21]} | ${R_PSS[gb_l11]} / ${R_PSS[gb_l12]} / ${R_PSS[gb_l21]} |"
  echo "| kraken2 peak RSS per call, MB (plain / --memory-mapping) | ${R_RSS[k2_s]} / ${R_RSS[k2mm_s]} | ${R_RSS[k2_l]} / ${R_RSS[k2mm_l]} |"
  echo "| imbalance at 2 ranks (max/mean busy) | ${R_IMB[gb_s21]} | ${R_IMB[gb_l21]} |"
  echo
  local overhead overhead21 reuse_ms scale
  overhead=$(awk -v r="${R_WALL[gb_s12]}" -v c="${R_WALL[concat]}" -v n="$N_SMALL" 'BEGIN { printf "%.2f", (r - c) / n * 1000 }')
  overhead21=$(awk -v r="${R_WALL[gb_s21]}" -v c="${R_WALL[concat]}" -v n="$N_SMALL" 'BEGIN { printf "%.2f", (r - c) / n * 1000 }')
  reuse_ms=$(awk -v r="${R_WALL[gb_sreuse]}" -v n="$N_SMALL" 'BEGIN { printf "%.2f", r / n * 1000 }')
  scale=$(ratio "${R_WALL[gb_l11]}" "${R_WALL[gb_l21]}")
  echo "- per-sample overhead: ${overhead} ms = (run over the $N_SMALL small samples, 1 rank x 2 threads: ${R_WALL[gb_s12]} s - \`gutbrain classify\` of the same reads concatenated, 2 threads: ${R_WALL[concat]} s) / $N_SMALL (target <= 5 ms); with 2 ranks x 1 thread (${R_WALL[gb_s21]} s) instead: ${overhead21} ms; both include the run's fixed start-up (MPI, database check, cohort file): a rerun that reuses every sample takes ${R_WALL[gb_sreuse]} s in all, ${reuse_ms} ms per sample"
  echo "- 200-sample batch vs the kraken2 loop at 2 cores: $(ratio "${R_WALL[k2_s]}" "$s")x (target >= 5x); vs --memory-mapping: $(ratio "${R_WALL[k2mm_s]}" "$s")x"
  echo "- large samples, 2 ranks x 1 thread vs 1 rank x 1 thread: ${scale}x the throughput (target >= 1.8x); 1 rank x 2 threads: $(ratio "${R_WALL[gb_l11]}" "${R_WALL[gb_l12]}")x"
  echo "- cold start, 2 ranks, large set: database read from storage ${R_DBREAD[cold]} MB by all ranks together for a ${R_DBREAD[size]} MB file (${R_DBREAD[cached]} MB of it still cached after eviction); wall ${R_WALL[cold]} s"
}

record() {
  local results=$repo/benchmarks/RESULTS.md
  { echo; echo "## $(date -u '+%Y-%m-%d %H:%M UTC'): batch, \`gutbrain run\` vs a kraken2 loop (benchmarks/batch.sh)"; echo
    cat "$BATCH/report.md"; } >> "$results"
  note "appended to $results"
}

main() {
  parse_args "$@"
  LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
  check_inputs
  mkdir -p "$BATCH/runs"
  prepare_reads
  prepare_dbs
  warm_cache
  local set tag
  for set in small large; do
    tag=${set:0:1}
    gb_config "gb_${tag}11" "$set" 1 1
    gb_config "gb_${tag}12" "$set" 1 2
    gb_config "gb_${tag}21" "$set" 2 1
    note "gutbrain rerun of $set, every sample reused"
    R_WALL[gb_${tag}reuse]=$(gb_once "$set" 2 1 "$BATCH/runs/gb_${tag}21" --keep)
    grep -q "($([ "$set" = small ] && echo "$N_SMALL" || echo "$N_LARGE") reused)" "$BATCH/runs/gb_${tag}21/log.keep" ||
      note "WARNING: the rerun of $set did not reuse every sample (see $BATCH/runs/gb_${tag}21/log.keep)"
  done
  classify_concat
  for set in small large; do
    tag=${set:0:1}
    k2_loop "k2_$tag" "$set"
    k2_loop "k2mm_$tag" "$set" --memory-mapping
  done
  cold_start
  { machine_info; echo; print_report; } > "$BATCH/report.md"
  cat "$BATCH/report.md"
  if [ "$RECORD" = 1 ]; then record; fi
}

main "$@"
