#!/usr/bin/env bash
# The inputs of benchmarks/scaling_model, measured on this machine with the real binary, and
# the 1-, 2- and 3-rank `gutbrain run` wall times the model is validated against.
#
# usage: benchmarks/scaling_measure.sh [OUT_TSV]     (default benchmarks/work/scaling/measured.tsv)
# environment (all optional):
#   GUTBRAIN_DATA  data dir (default ../shared/data)   WORK  (default benchmarks/work)
#   RUNS=3         runs per measurement (medians; the configurations alternate)
#   VAL_N=100 VAL_MEDIAN=3000 VAL_SIGMA=1.0   validation sheet: VAL_N samples whose read pairs
#                  follow a log-normal (median, sigma), rounded to powers of two (500..64000)
#   STATS_SIZES="2000:1000 3000:1000 2000:250"  samples:features of the stats cohorts (two sizes
#                  with 1,000 features, one with fewer); STATS=0 skips them
#
# Writes OUT_TSV, lines "key<TAB>x<TAB>value" (x: the size the value belongs to, or -):
#   one line per run (the model takes their median, or with --fastest their minimum):
#   db_bytes, fixed_warm_s R (a 1-sample run of 1 pair at R ranks, database in the page cache:
#   MPI start-up + database open + sheet + cohort file), fixed_cold_s 1 (the same with the
#   database evicted), sample_busy_s PAIRS (busy seconds a sample at 1 rank x 1 thread, from
#   run's summary), threads_wall_s T (the largest class at 1 rank x T threads), out_bytes_per_sample, cohort_write_s NNZ:RANKS (run's
#   debug line, offsets + numbers + labels, and benchmarks/cohort_aggregate.sh), val_pairs (one line per validation sample),
#   val_wall_s R (wall of the validation sheet at R ranks x 1 thread),
#   val_busy_sum_s R (busy seconds of all ranks: more than at 1 rank when the ranks share cores),
#   val_imbalance R (run's max/mean busy time),
#   stats_assoc_s N,M, stats_beta_s N,M,PERMS (PERMS 0 and 999 twice each; 0 only below 1,000 features).
# Reads: `gutbrain simulate` (2x150 bp pairs, zstd) from 12 of the reference genomes; one
# simulated set per size class, reused by the class runs and the validation sheet.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DATA=${GUTBRAIN_DATA:-$repo/../shared/data}
WORK=${WORK:-$repo/benchmarks/work}
GB=$repo/bin/gutbrain
S=$WORK/scaling
OUT=${1:-$S/measured.tsv}
RUNS=${RUNS:-3}
VAL_N=${VAL_N:-100} VAL_MEDIAN=${VAL_MEDIAN:-3000} VAL_SIGMA=${VAL_SIGMA:-1.0}
STATS=${STATS:-1} STATS_SIZES=${STATS_SIZES:-"2000:1000 3000:1000 2000:250"}
source "$repo/benchmarks/lib.bash"
MPIRUN=(mpirun --bind-to none --oversubscribe)
die() { echo "scaling_measure.sh: $*" >&2; exit 1; }
say() { echo "[scaling $(date +%H:%M:%S)] $*" >&2; }
median() { sort -g | awk '{ v[NR] = $1 } END { print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
put() { printf '%s\t%s\t%s\n' "$1" "$2" "$3" >> "$OUT.tmp"; }

# wall_of CMD...: seconds of the whole command; its stderr is kept in $S/last.log
wall_of() {
  local t0 t1
  t0=$(date +%s.%N)
  "$@" > /dev/null 2> "$S/last.log" || { tail -5 "$S/last.log" >&2; die "failed: $*"; }
  t1=$(date +%s.%N)
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }'
}
# run_sheet RANKS THREADS SHEET: a fresh output folder each time, so no sample is reused
run_sheet() {
  rm -rf "$S/out"
  "${MPIRUN[@]}" -n "$1" "$GB" run -v --db "$DB" --samples "$3" --out "$S/out" --threads "$2"
}
busy_of_log() { awk '$1 == "0" && NF == 9 { print $6 }' "$S/last.log"; }

[ -d "$DATA/refs" ] || die "no data dir at $DATA (set GUTBRAIN_DATA)"
say "building gutbrain"
make -C "$repo" -j2 all > /dev/null
mkdir -p "$S"
DB=$WORK/gbdb_full
say "gutbrain database of the 63 genomes: $DB (built when missing)"
gbdb_full "$GB" "$DATA" "$DB"
rm -f "$OUT.tmp"
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)

# ---------------------------------------------------------------- reads
REFS=()
for g in Escherichia_coli_K-12_MG1655 Akkermansia_muciniphila_ATCC_BAA-835 Eubacterium_rectale_DSM17629 \
  Enterococcus_faecalis_T2 Lactobacillus_gasseri_ATCC33323 Klebsiella_pneumoniae_HS11286 \
  Eubacterium_siraeum_DSM15702 Streptococcus_mitis_NCTC12261 Salmonella_enterica_Typhimurium_LT2 \
  Haemophilus_parainfluenzae_NCTC10665 Staphylococcus_aureus_COL Helicobacter_pylori_G27; do
  REFS+=("$DATA/refs/$g.fna.gz")
done
# class sizes of the validation sheet: "PAIRS COUNT" lines (seeded, so the same every time)
python3 - "$VAL_N" "$VAL_MEDIAN" "$VAL_SIGMA" > "$S/classes.txt" <<'EOF'
import math, random, sys
n, med, sigma = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
rng = random.Random(20261206)
counts = {}
for _ in range(n):
    p = min(max(med * math.exp(rng.gauss(0, sigma)), 500), 64000)
    c = 500 * 2 ** round(math.log2(p / 500))
    counts[c] = counts.get(c, 0) + 1
for c in sorted(counts):
    print(c, counts[c])
EOF
simulate() { # PAIRS COUNT: $S/reads/p<PAIRS>, cached
  local dir=$S/reads/p$1
  [ -s "$dir/samplesheet.csv" ] && [ "$(($(wc -l < "$dir/samplesheet.csv") - 1))" -ge "$2" ] && return
  rm -rf "$dir"
  mkdir -p "$S/reads"
  "$GB" simulate -q --refs "${REFS[@]}" --seqid2taxid "$DATA/seqid2taxid.tsv" --taxonomy "$DATA/taxonomy" \
    --samples "$2" --reads-per-sample "$1" --paired --species-pool 0 --seed "$1" --out "$dir" --threads 2
}
sheet_of() { # PAIRS COUNT SHEET: the first COUNT samples of class PAIRS, absolute paths, appended
  awk -F, -v d="$S/reads/p$1" -v c="$1" -v n="$2" 'NR > 1 && NR <= n + 1 { print "p" c "_" $1 "," d "/" $2 "," d "/" $3 }' \
    "$S/reads/p$1/samplesheet.csv" >> "$3"
}
say "simulating reads: validation classes $(tr '\n' ' ' < "$S/classes.txt")+ 300 samples of 1 pair"
while read -r pairs count; do simulate "$pairs" "$((count > 8 ? count : 8))"; done < "$S/classes.txt"
simulate 1 300
echo "sample,fastq_1,fastq_2" > "$S/val.csv"
while read -r pairs count; do
  sheet_of "$pairs" "$count" "$S/val.csv"
  for ((i = 0; i < count; i++)); do put val_pairs - "$pairs"; done
done < "$S/classes.txt"
small=$(head -1 "$S/classes.txt" | cut -d' ' -f1) large=$(tail -1 "$S/classes.txt" | cut -d' ' -f1)
mid=$(sort -k2,2n "$S/classes.txt" | tail -1 | cut -d' ' -f1) # the most common class
CLASSES=(1 "$small" "$mid" "$large")
for c in "${CLASSES[@]}"; do
  echo "sample,fastq_1,fastq_2" > "$S/class$c.csv"
  sheet_of "$c" "$([ "$c" = 1 ] && echo 300 || echo 8)" "$S/class$c.csv"
done
echo "sample,fastq_1,fastq_2" > "$S/one.csv"
sheet_of 1 1 "$S/one.csv"

# ---------------------------------------------------------------- fixed costs, database load
put db_bytes - "$(stat -c %s "$DB/gutbrain.db")"
# The machine is shared: every round measures the fixed costs, the per-sample costs and the
# validation runs one after the other, so that the model's inputs and the runs it predicts see
# the same load. Every run is one line; the model takes the median (or the fastest) of them.
say "$RUNS rounds: fixed costs (1 sample of 1 pair; warm at 1/2/3 ranks, cold at 1), classes of" \
  "${CLASSES[*]} pairs at 1 rank x 1 thread, the $VAL_N-sample sheet at 1, 2, 3 ranks x 1 thread"
for ((k = 0; k < RUNS; k++)); do
  for r in 1 2 3; do put fixed_warm_s "$r" "$(wall_of run_sheet "$r" 1 "$S/one.csv")"; done
  evict "$DB"
  put fixed_cold_s 1 "$(wall_of run_sheet 1 1 "$S/one.csv")"
  for c in "${CLASSES[@]}"; do
    wall_of run_sheet 1 1 "$S/class$c.csv" > /dev/null
    put sample_busy_s "$c" "$(busy_of_log | awk -v n="$(($(wc -l < "$S/class$c.csv") - 1))" '{ printf "%.5f", $1 / n }')"
    sed -n 's/.*x \([0-9]*\), nnz \([0-9]*\): offsets \([0-9.]*\) s, numbers \([0-9.]*\) s, labels \([0-9.]*\) s.*/\2 \3 \4 \5/p' \
      "$S/last.log" | head -1 | awk '{ printf "cohort_write_s\t%s:1\t%.4f\n", $1, $2 + $3 + $4 }' >> "$OUT.tmp"
  done
  for r in 1 2 3; do
    put val_wall_s "$r" "$(wall_of run_sheet "$r" 1 "$S/val.csv")"
    put val_busy_sum_s "$r" "$(awk 'NF == 9 && $1 ~ /^[0-9]+$/ { s += $6 } END { print s }' "$S/last.log")"
    put val_imbalance "$r" "$(sed -n 's/.*imbalance (max\/mean busy) \([0-9.]*\).*/\1/p' "$S/last.log")"
  done
  say "round $((k + 1)) done, load average $(cut -d' ' -f1-3 /proc/loadavg)"
done
put out_bytes_per_sample - "$(du -cb "$S"/out/samples/* | tail -1 | awk -v n="$VAL_N" '{ printf "%.0f", $1 / n }')"

say "1 and 2 threads on the $large-pair class"
for ((k = 0; k < RUNS; k++)); do
  for t in 1 2; do put threads_wall_s "$t" "$(wall_of run_sheet 1 "$t" "$S/class$large.csv")"; done
done

say "cohort_write() at 2,000 and 10,000 samples x 2,000 taxa, 1 and 2 ranks (benchmarks/cohort_aggregate.sh)"
for n in 2000 10000; do
  (SAMPLES=$n CASES=sparse RANKS="1 2" RUNS=$RUNS WORK=$S/cohort bash "$repo/benchmarks/cohort_aggregate.sh" || true) |
    awk '$1 == "sparse" { printf "cohort_write_s\t%s:%s\t%s\n", $3, $2, $5 }' >> "$OUT.tmp"
done

# ---------------------------------------------------------------- stats rates
# beta diversity = distances (n^2 m) + PCoA (today n^3) + permutations (n^2 P): 0 and 999
# permutations separate the last; 250 against 1,000 features at the same n the first.
if [ "$STATS" = 1 ]; then
  for size in $STATS_SIZES; do
    n=${size%:*} m=${size#*:} c=$S/cohort${size/:/x}
    [ -s "$c.biom" ] || /usr/bin/python3 "$repo/tests/integration/data/make_cohort.py" "$c.biom" "$c.tsv" \
      --design bench --samples "$n" --taxa "$m" --genera "$m" --seed "$n" > /dev/null
    for p in 0 999 0 999; do
      [ "$m" = 1000 ] || [ "$p" = 0 ] || continue
      say "gutbrain stats, $n samples x $m features, $p permutations, 1 thread"
      rm -rf "$S/stats"
      wall_of "$GB" stats -v --threads 1 --cohort "$c.biom" --metadata "$c.tsv" --variable depression \
        --covariates age,sex,bmi --rank none --permutations "$p" --seed 42 --out "$S/stats" > /dev/null
      # debug lines "[D::fn] <phase>: <cumulative s> s"
      sed -n 's/^\[D::[a-z_]*\] \(.*\): \([0-9.]*\) s$/\1\t\2/p' "$S/last.log" |
        awk -F'\t' -v x="$n,$m" -v p="$p" '{ d = $2 - prev; prev = $2 }
          $1 == "associations" { a = d } $1 ~ /^rank tests/ { a += d }
          $1 == "beta diversity" { printf "stats_beta_s\t%s,%s\t%.3f\n", x, p, d }
          END { printf "stats_assoc_s\t%s\t%.3f\n", x, a }' >> "$OUT.tmp"
    done
  done
fi
{ echo "# scaling_measure.sh $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, git $(git -C "$repo" rev-parse --short HEAD)," \
    "load average at the start $LOAD0, at the end $(cut -d' ' -f1-3 /proc/loadavg)"
  cat "$OUT.tmp"; } > "$OUT"
rm -f "$OUT.tmp"
say "wrote $OUT"
