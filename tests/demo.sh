#!/usr/bin/env bash
# `make demo`: build a small gutbrain DB from a handful of real genomes into build/demo/,
# classify a small E. coli sample (real isolate reads when the data has them, else reads
# simulated with art_illumina, fixed seed), print the top of the report and a summary.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
GB=${GB:-$ROOT/bin/gutbrain}
OUT=$ROOT/build/demo
THREADS=${THREADS:-$(nproc)}
say() { echo "demo: $*" >&2; }

[ -x "$GB" ] || { say "no $GB; run make first"; exit 1; }
DATA=$(bash "$ROOT/tests/data.sh")
say "data: $DATA"
rm -rf "$OUT"
mkdir -p "$OUT"

# A handful of genomes with close relatives (two E. coli strains), plus unrelated taxa.
ECOLI=Escherichia_coli_K-12_MG1655.fna.gz
[ -s "$DATA/refs/$ECOLI" ] || ECOLI=Escherichia_coli_536.fna.gz
GENOMES=("$ECOLI" Escherichia_coli_DH1.fna.gz Staphylococcus_aureus_N315.fna.gz
         Helicobacter_pylori_G27.fna.gz Vibrio_cholerae_O1_ElTor_N16961.fna.gz
         Enterobacteria_phage_lambda.fna.gz Deformed_wing_virus.fna.gz)
refs=()
for g in "${GENOMES[@]}"; do
  if [ -s "$DATA/refs/$g" ]; then refs+=("$DATA/refs/$g"); else say "skipping $g (not in $DATA/refs)"; fi
done
[ ${#refs[@]} -gt 0 ] || { say "no demo genomes in $DATA/refs"; exit 1; }

# seqid -> taxid rows for exactly these files.
awk -F'\t' -v files=" ${GENOMES[*]} " '!/^#/ { f = $5; sub(/^refs\//, "", f)
  if (index(files, " " f " ")) print $1 "\t" $2 }' "$DATA/seqid2taxid.tsv" > "$OUT/seqid2taxid.tsv"

start=$(date +%s.%N)
say "building DB from ${#refs[@]} genomes -> $OUT/db"
"$GB" build --taxonomy "$DATA/taxonomy" --seqid2taxid "$OUT/seqid2taxid.tsv" --db "$OUT/db" \
  --threads "$THREADS" "${refs[@]}"
built=$(date +%s.%N)

R1=$DATA/reads/isolate/Ecoli_MG1655_SPAdes_ecoli_1K_R1.fastq.gz
R2=$DATA/reads/isolate/Ecoli_MG1655_SPAdes_ecoli_1K_R2.fastq.gz
if [ -s "$R1" ] && [ -s "$R2" ]; then
  sample="real E. coli K-12 MG1655 isolate reads (SPAdes test set)"
else
  # 2,000 simulated HiSeq 2500 pairs (150 bp, 300 bp fragments) from the E. coli genome.
  sample="art_illumina HiSeq 2500 pairs simulated from $ECOLI (seed 42)"
  gzip -dc "$DATA/refs/$ECOLI" > "$OUT/sim_ref.fna"
  art_illumina -q -na -ss HS25 -p -l 150 -m 300 -s 20 -c 2000 -rs 42 -i "$OUT/sim_ref.fna" \
    -o "$OUT/sim_" > "$OUT/art.log" 2>&1 || { cat "$OUT/art.log" >&2; exit 1; }
  R1=$OUT/sim_1.fq
  R2=$OUT/sim_2.fq
  rm -f "$OUT/sim_ref.fna"
fi
say "sample: $sample"
"$GB" classify --db "$OUT/db" --threads "$THREADS" --paired \
  --output "$OUT/reads.kraken" --report "$OUT/report.kreport" "$R1" "$R2"
done_at=$(date +%s.%N)

echo
echo "== top of $OUT/report.kreport =="
head -n 20 "$OUT/report.kreport"
echo
# One-line summary; the top species is the S line with the largest clade count
# (kreport columns: pct clade direct rank taxid name).
top=$(awk -F'\t' '$4 == "S" && $2 > best { best = $2; name = $6; sub(/^ +/, "", name); id = $5 }
  END { if (best) printf "%s (taxid %s, %d pairs)", name, id, best; else printf "none" }' "$OUT/report.kreport")
awk -F'\t' -v sample="$sample" -v top="$top" \
    -v tb="$(awk -v a="$start" -v b="$built" 'BEGIN { printf "%.1f", b - a }')" \
    -v tc="$(awk -v a="$built" -v b="$done_at" 'BEGIN { printf "%.1f", b - a }')" '
  { n++; if ($1 == "C") c++ }
  END { printf "demo: %d read pairs of %s: %d classified (%.2f%%), top species %s; DB build %ss, classify %ss\n",
               n, sample, c, n ? 100 * c / n : 0, top, tb, tc }' "$OUT/reads.kraken"

# ---- the rest of the chain: a small cohort run, then statistics on a real depression cohort
echo
SHEET=$OUT/samples.csv
{
  echo "sample,fastq_1,fastq_2"
  echo "isolate,$R1,$R2"
  for f in "$DATA"/reads/human_gut_metagenome/*.gz "$DATA"/reads/virus/*.gz; do
    [ -s "$f" ] && echo "$(basename "$f" | cut -d_ -f1-2 | tr -c 'A-Za-z0-9_\n-' _),$f,"
  done
} > "$SHEET"
say "cohort run: $(($(wc -l < "$SHEET") - 1)) samples -> $OUT/run/cohort.biom"
"$GB" run -q --db "$OUT/db" --samples "$SHEET" --out "$OUT/run" --threads "$THREADS"
rc=$?
[ $rc -eq 0 ] || { echo "demo: gutbrain run exited $rc" >&2; exit 1; }
awk -F'\t' 'FNR == 1 { next } { print }' "$OUT/run/failed.tsv" | head -3
for p in "$OUT"/run/samples/*.profile.tsv; do
  awk -F'\t' -v s="$(basename "$p" .profile.tsv)" '$1 == "# reads" { r = $2 } $1 == "# classified" { c = $2 }
    END { printf "  %-28s %8d reads, %6.2f%% classified\n", s, r, r ? 100 * c / r : 0 }' "$p"
done

KOV=$DATA/cohorts/kovtun2022_MDD
if [ -d "$KOV" ] && /usr/bin/python3 -c 'import biom' 2>/dev/null; then
  echo
  say "statistics: Kovtun 2022 MDD cohort (36 patients, 38 controls), group ~ sex + age, genus level"
  GUTBRAIN_DATA=$DATA /usr/bin/python3 "$ROOT/tests/integration/data/kovtun_to_biom.py" "$OUT/mdd.biom" "$OUT/mdd.tsv" > /dev/null
  "$GB" stats -q --cohort "$OUT/mdd.biom" --metadata "$OUT/mdd.tsv" --variable group --covariates sex,age \
    --rank genus --threads "$THREADS" --out "$OUT/stats" || { echo "demo: gutbrain stats failed" >&2; exit 1; }
  echo "== top associations ($OUT/stats/associations.tsv) =="
  head -n 6 "$OUT/stats/associations.tsv" | cut -f1-4,8,9 | column -t
  echo "== PERMANOVA ($OUT/stats/permanova.tsv) =="
  column -t "$OUT/stats/permanova.tsv" | head -n 6
else
  say "statistics step not run: $DATA has no cohorts/ (the Debian fallback data set has no cohort tables)"
fi
