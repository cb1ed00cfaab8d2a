#!/usr/bin/env bash
# Validity of the whole chain (issue 10): simulated cohorts go reads -> `gutbrain run` ->
# `gutbrain stats`, and the depression associations are scored against the planted truth, on
# three profiles side by side: the true read counts (truth/cohort.biom), the classified profiles
# (cohort.biom) and the Bracken re-estimates (cohort_bracken.biom).
#
# usage: benchmarks/validity.sh [--record]
#   --record   also append the table to benchmarks/RESULTS.md
# environment (all optional):
#   GUTBRAIN_DATA  data dir with refs/*.fna.gz, seqid2taxid.tsv, taxonomy/ (default ../shared/data)
#   GB             gutbrain binary (default bin/gutbrain)
#   WORK           work dir (default benchmarks/work): the database is cached there, keyed on
#                  the inputs
#   OUT            results dir (default WORK/validity; emptied first); each cohort is made in
#                  OUT/cohort and deleted once scored (1,000 samples are GBs of reads)
#   THREADS=2 SEED=20261206 READS=10000 (pairs per sample, 2 x 150 bp) FOLD=2.5
#   COHORTS="60:20:20 200:5:0 1000:2:0"   SAMPLES:PLANTED:NULL cohorts per size
#   QUICK=1        a check that the script works: COHORTS="60:3:3", READS=2000
#
# Per cohort (seed SEED + a number per cohort, so every cohort is reproducible):
#   planted: `gutbrain simulate --effect G=FOLD` for 3 genera drawn by a seeded RNG
#            (benchmarks/validity.py genera) from the genera with a genome in the refs, FOLD the
#            same for all (2.5, chosen before any result, as the issue suggests); null: --null.
#   `gutbrain run --bracken-length 150 --bracken-level G --read-output` on a database built
#   from the same refs (`gutbrain build --bracken-length 150`). Level G: the analysis is per
#   genus, and Bracken at G moves the reads called above genus onto genera directly; at S it
#   would spread the genus-level reads over species that stats then sums back.
#   `gutbrain stats --variable depression --covariates age,bmi --rank genus --taxonomy TAXDUMP
#   --permutations 99` on each of the three cohort files (PERMANOVA is not scored).
# Scores (benchmarks/validity.py):
#   discovery         a genus whose depression row in associations.tsv has qval < 0.1 (BH over
#                     every row, covariates' included, as MaAsLin2 does)
#   power             planted genera discovered / planted genera, pooled over the planted cohorts
#                     (a planted genus dropped by the prevalence filter counts as not found)
#   false discovery   a discovered genus that is not planted; FDP = false / max(discoveries, 1)
#                     per cohort; empirical FDR = mean FDP over the cohorts of a row
#   traced to misclassification (classified and Bracken profiles): a false discovery G is traced
#                     when G is not a discovery on the truth profile (q >= 0.1 or not tested) and
#                     >= 25 % of the reads called G or below in the case samples truly come from
#                     another genus (truth/reads + the per-read output). For Bracken, the reads
#                     Bracken moves onto G from higher ranks have no per-read source, so the share
#                     is that of the reads Kraken called G or below. false.tsv lists every false
#                     discovery with the share, its main source genus and whether that is planted.
#   also found on the truth: false discoveries also discovered on the truth profile (then the
#                     model, not the classification, made them)
#   FDR, BH over the depression rows alone: the same FDR when the q-values come from the
#                     depression rows' p-values only (the covariates' rows, with real age and BMI
#                     effects, no longer loosen the BH threshold for the depression rows)
# Outputs: OUT/cohorts.tsv (a row per cohort and profile; planted_found lists the planted genus
# taxids, + found, - not), OUT/false.tsv, and OUT/table.md (also on stdout): the scores per
# cohort size, kind and profile, then power per planted genus.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DATA=${GUTBRAIN_DATA:-$repo/../shared/data}
GB=${GB:-$repo/bin/gutbrain}
WORK=${WORK:-$repo/benchmarks/work}
THREADS=${THREADS:-2}
SEED=${SEED:-20261206}
FOLD=${FOLD:-2.5}
L=150
if [ "${QUICK:-0}" = 1 ]; then
  READS=${READS:-2000}
  COHORTS=${COHORTS:-60:3:3}
else
  READS=${READS:-10000}
  COHORTS=${COHORTS:-60:20:20 200:5:0 1000:2:0}
fi
RECORD=0
source "$repo/benchmarks/lib.bash"
PY=${PY:-python3}
SCORE=$repo/benchmarks/validity.py

die() { echo "validity: $*" >&2; exit 1; }
note() { echo "[validity $(date +%H:%M:%S)] $*" >&2; }

[ "${1:-}" = --record ] && RECORD=1
[ -x "$GB" ] || die "no gutbrain binary at $GB (run make)"
[ -d "$DATA/refs" ] || die "no data dir at $DATA (set GUTBRAIN_DATA)"
DATA=$(cd "$DATA" && pwd -P) # one cache key however the folder is named
for tool in zstd "$PY"; do command -v "$tool" > /dev/null || die "'$tool' not found"; done
TAX=$DATA/taxonomy
MAP=$DATA/seqid2taxid.tsv
REFS=("$DATA"/refs/*.fna.gz)
t_start=$(date +%s)

# The database, cached under a key of its inputs (names, sizes, modification times) and L.
key=$({ echo "$L"; stat -c '%n %s %Y' "${REFS[@]}" "$MAP" "$TAX/nodes.dmp" "$TAX/names.dmp"; } | md5sum | cut -c1-12)
DB=$WORK/validity_db_$key
mkdir -p "$WORK"
if [ ! -f "$DB/database${L}mers.kmer_distrib" ]; then
  note "building the database of ${#REFS[@]} references with --bracken-length $L (once)"
  rm -rf "$DB.tmp"
  "$GB" build -q --taxonomy "$TAX" --seqid2taxid "$MAP" --db "$DB.tmp" --threads "$THREADS" --bracken-length "$L" \
    "${REFS[@]}" || die "gutbrain build failed"
  rm -rf "$DB" && mv "$DB.tmp" "$DB"
fi

OUT=${OUT:-$WORK/validity}
rm -rf "$OUT" && mkdir -p "$OUT/cohort"
printf 'samples\tkind\tindex\tseed\tprofile\tplanted\tfound\tdiscoveries\tfalse\ttraced\ton_truth\tplanted_found\tdiscoveries_var\tfalse_var\n' \
  > "$OUT/cohorts.tsv"
printf 'samples\tkind\tindex\tseed\tprofile\tgenus\tname\tq\tq_truth\tshare_other_cases\ttop_source\ttop_source_planted\ttraced\n' \
  > "$OUT/false.tsv"

# one_cohort N KIND I SEED: simulate, run, stats x 3, score; then drop the reads and per-read outputs
one_cohort() {
  local n=$1 kind=$2 i=$3 seed=$4 dir=$OUT/cohort effects=() g
  rm -rf "$dir" && mkdir -p "$dir/stats"
  if [ "$kind" = planted ]; then
    for g in $("$PY" "$SCORE" genera "$TAX" "$MAP" "$seed" 3); do effects+=(--effect "$g=$FOLD"); done
  else
    effects=(--null)
  fi
  "$GB" simulate -q --refs "${REFS[@]}" --seqid2taxid "$MAP" --taxonomy "$TAX" --samples "$n" \
    --reads-per-sample "$READS" --read-length "$L" --paired "${effects[@]}" --seed "$seed" --threads "$THREADS" \
    --out "$dir/sim" || die "simulate failed (cohort $n $kind $i)"
  (cd "$dir/sim" && "$GB" run -q --db "$DB" --samples samplesheet.csv --out "$dir/run" --threads "$THREADS" \
    --bracken-length "$L" --bracken-level G --read-output) || die "run failed (cohort $n $kind $i)"
  local -A biom=([truth]=$dir/sim/truth/cohort.biom [classified]=$dir/run/cohort.biom [bracken]=$dir/run/cohort_bracken.biom)
  for p in truth classified bracken; do
    "$GB" stats -q --cohort "${biom[$p]}" --metadata "$dir/sim/metadata.tsv" --variable depression \
      --covariates age,bmi --rank genus --taxonomy "$TAX" --permutations 99 --seed "$seed" --threads "$THREADS" \
      --out "$dir/stats/$p" || die "stats failed on $p (cohort $n $kind $i)"
  done
  "$PY" "$SCORE" cohort "$TAX" "$dir/sim" "$dir/run" "$dir/stats" "$OUT" "$(printf '%s\t%s\t%s\t%s' "$n" "$kind" "$i" "$seed")"
}

for spec in $COHORTS; do
  IFS=: read -r n nplanted nnull <<< "$spec"
  for kind in planted null; do
    count=$nplanted
    [ "$kind" = null ] && count=$nnull
    for ((i = 1; i <= count; i++)); do
      seed=$((SEED + n * 1000 + i))
      [ "$kind" = null ] && seed=$((seed + 500))
      note "cohort $n samples, $kind $i/$count (seed $seed)"
      one_cohort "$n" "$kind" "$i" "$seed"
    done
  done
done
rm -rf "$OUT/cohort"

wall=$(($(date +%s) - t_start))
"$PY" "$SCORE" table "$TAX" "$OUT" > "$OUT/table.md"
cat "$OUT/table.md"
echo "wall: $wall s; false discoveries: $OUT/false.tsv" >&2

if [ "$RECORD" = 1 ]; then
  {
    echo
    echo "## $(date -u '+%Y-%m-%d %H:%M UTC'): planted effects through reads -> run -> stats (benchmarks/validity.sh, issue 10)"
    echo "\`READS=$READS FOLD=$FOLD COHORTS=\"$COHORTS\" SEED=$SEED bash benchmarks/validity.sh --record\`"
    echo "on $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $THREADS threads, wall $wall s;"
    echo "$READS pairs of 2 x $L bp per sample, 30 % cases, fold $FOLD on 3 genera per planted cohort."
    echo
    cat "$OUT/table.md"
  } >> "$repo/benchmarks/RESULTS.md"
fi
