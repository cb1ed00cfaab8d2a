#!/usr/bin/env bash
# `make demo`: the whole chain on a small simulated depression cohort, into build/demo/:
#   1. a gutbrain database of every genome of the test data (tests/data.sh: ../shared/data, or on
#      a bare machine a set assembled from Debian packages with microbegps's NCBI taxdump);
#   2. 24 samples (12 depressed, 12 controls) simulated with tests/demo_cohort.py (fixed seed)
#      from a few of those genomes, with a planted fold change of some genera in the depressed;
#      metadata.tsv with depression, age and sex;
#   3. `mpirun -n 2 gutbrain run` -> cohort.biom;  4. `gutbrain stats` -> associations etc.;
#   5. where the report is (stats/report.html when stats writes one, else the tables).
# Measured on 2 cores (docs/RUN.md, "make demo"): well under the 5 minutes it must stay within.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
GB=${GB:-$ROOT/bin/gutbrain}
OUT=${DEMO_OUT:-$ROOT/build/demo}
say() { echo "demo: $*"; }
die() { echo "demo: $*" >&2; exit 1; }
secs() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f s", b - a }'; }

[ -x "$GB" ] || die "no $GB; run make first"
start=$(date +%s.%N)
DATA=$(bash "$ROOT/tests/data.sh")
say "data: $DATA"
rm -rf "$OUT"
mkdir -p "$OUT"

# The cohort's genomes (FILE=FOLD in the depressed): gut genera when the full test data is
# there, else the genera of the Debian-package set (tests/fallback_genomes.tsv).
GUT=(Escherichia_coli_K-12_MG1655=1 Klebsiella_pneumoniae_HS11286=4 Enterococcus_faecalis_ATCC19433=4
     Akkermansia_muciniphila_ATCC_BAA-835=0.25 Lactobacillus_gasseri_ATCC33323=1
     Streptococcus_mitis_NCTC12261=1)
DEB=(Escherichia_coli_536=1 Staphylococcus_aureus_N315=4 Helicobacter_pylori_G27=4
     Vibrio_cholerae_O1_ElTor_N16961=0.25 Enterobacteria_phage_lambda=1)
specs=()
for s in "${GUT[@]}"; do [ -s "$DATA/refs/${s%=*}.fna.gz" ] || { specs=(); break; }; specs+=("$s"); done
[ ${#specs[@]} -gt 0 ] || specs=("${DEB[@]}")
args=()
for s in "${specs[@]}"; do
  [ -s "$DATA/refs/${s%=*}.fna.gz" ] || die "missing $DATA/refs/${s%=*}.fna.gz"
  args+=("$DATA/refs/${s%=*}.fna.gz=${s#*=}")
done

T=$(date +%s.%N)
refs=("$DATA"/refs/*.fna.gz)
"$GB" build -q --taxonomy "$DATA/taxonomy" --seqid2taxid "$DATA/seqid2taxid.tsv" --db "$OUT/db" \
  --threads "$(nproc)" "${refs[@]}"
say "1. database of ${#refs[@]} genomes -> $OUT/db ($(secs "$T"))"

T=$(date +%s.%N)
python3 "$ROOT/tests/demo_cohort.py" "$OUT/cohort" 24 10000 42 "${args[@]}"
say "2. 24 samples x ~10,000 simulated 150 bp pairs (seed 42) -> $OUT/cohort ($(secs "$T"))"
say "   from ${#specs[@]} genomes; planted in the depressed samples:"
for s in "${specs[@]}"; do
  case ${s#*=} in 1) ;; *) say "     ${s%%_*} x${s#*=}" ;; esac
done

T=$(date +%s.%N)
# Root may run the demo (containers); Open MPI refuses root unless told.
[ "$(id -u)" -ne 0 ] || export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
rc=0
mpirun -n 2 --bind-to none "$GB" run -q --db "$OUT/db" --samples "$OUT/cohort/samples.csv" \
  --out "$OUT/run" --threads 1 || rc=$?
[ $rc -eq 0 ] || die "gutbrain run exited $rc"
say "3. mpirun -n 2 gutbrain run -> $OUT/run/cohort.biom ($(secs "$T"))"
awk -F'\t' '$1 == "# reads" { r += $2 } $1 == "# classified" { c += $2 }
  END { printf "demo:    %d pairs, %.1f%% classified (3%% are random sequence)\n", r, 100 * c / r }' \
  "$OUT"/run/samples/*.profile.tsv

T=$(date +%s.%N)
"$GB" stats -q --cohort "$OUT/run/cohort.biom" --metadata "$OUT/cohort/metadata.tsv" \
  --variable depression --covariates age,sex --rank genus --taxonomy "$DATA/taxonomy" \
  --threads "$(nproc)" --out "$OUT/stats"
say "4. gutbrain stats, genus ~ depression + age + sex -> $OUT/stats ($(secs "$T"))"

# Top associations with depression, taxids named from the taxdump (names.dmp: id | name | | class).
echo
echo "Genera associated with depression (coef: log2 fold, depressed vs control; q: BH; unplanted"
echo "genera can move too: relative abundances share one total):"
awk -F'\t' 'NR == FNR { if ($7 == "scientific name") name[$1] = $3; next }
  FNR > 1 && $2 == "depression" && n++ < 5 {
    printf "  %-16s coef %+6.2f  q %.2g\n", ($1 in name ? name[$1] : $1), $4, $9 }' \
  "$DATA/taxonomy/names.dmp" "$OUT/stats/associations.tsv"
awk -F'\t' '$1 == "depression" { printf "PERMANOVA (%s): R2 %.3f, p %s\n", $7, $4, $6 }' "$OUT/stats/permanova.tsv"
echo
if [ -s "$OUT/stats/report.html" ]; then
  echo "demo: done in $(secs "$start"); report: $OUT/stats/report.html"
else
  echo "demo: done in $(secs "$start"); results: $OUT/stats/ (associations.tsv, permanova.tsv, alpha.tsv, pcoa.tsv)"
fi
