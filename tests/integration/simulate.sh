#!/usr/bin/env bash
# gutbrain simulate (docs/SIMULATE.md) on the tiny references: the same seed gives identical
# files for 1 and 2 threads and another seed different ones; the truth agrees with itself (per-read
# truth = the FASTQ ids, read counts per taxon = truth/abundance.tsv = truth/cohort.biom, a valid
# BIOM file that `gutbrain stats --rank genus` reads); --null plants nothing; a
# planted 8-fold genus is visibly higher in cases; bad input exits with the house codes and one
# error line; and the cohort goes through `gutbrain run` on a DB built from the same refs.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash"
source "$(dirname "${BASH_SOURCE[0]}")/run_lib.bash"

setup_tiny_db
sim() { "$GB" simulate -q --refs "${TINY_REFS[@]}" --seqid2taxid "$TINY_MAP" --taxonomy "$TINY_TAX" "$@"; }
ARGS=(--samples 12 --reads-per-sample 400 --read-length 100 --paired --cases 0.5 --effect Escherichia=8)

sim "${ARGS[@]}" --seed 11 --threads 1 --out "$TMP/a" || fail "simulate exit $?"
sim "${ARGS[@]}" --seed 11 --threads 2 --out "$TMP/b" || fail "simulate exit $?"
sim "${ARGS[@]}" --seed 12 --threads 2 --out "$TMP/c" || fail "simulate exit $?"
# truth/cohort.biom as "sample<TAB>taxid<TAB>count" lines (CSC view), sorted
biom_counts() {
  "$PY" - "$1" <<'EOF' | sort
import h5py, sys
f = h5py.File(sys.argv[1], "r")
obs = [x.decode() for x in f["observation/ids"][:]]
ptr, idx, val = (f["sample/matrix/" + k][:] for k in ("indptr", "indices", "data"))
for j, s in enumerate(x.decode() for x in f["sample/ids"][:]):
    for k in range(ptr[j], ptr[j + 1]):
        print("%s\t%s\t%d" % (s, obs[idx[k]], val[k]))
EOF
}
# the cohort file's provenance (command line, times) differs by design; its counts must not
biom_counts "$TMP/a/truth/cohort.biom" > "$TMP/biom_a"
biom_counts "$TMP/b/truth/cohort.biom" > "$TMP/biom_b"
if diff -r -x cohort.biom "$TMP/a" "$TMP/b" > /dev/null && [ -s "$TMP/biom_a" ] && cmp -s "$TMP/biom_a" "$TMP/biom_b"; then
  ok "same seed, 1 vs 2 threads: identical files (truth/cohort.biom: identical counts)"
else fail "same seed differs between 1 and 2 threads"; fi
if ! diff -r "$TMP/a" "$TMP/c" > /dev/null; then ok "another seed: other files"
else fail "seeds 11 and 12 gave identical cohorts"; fi

# truth consistency
bad=0
while IFS=, read -r s f1 f2; do
  [ "$s" = sample ] && continue
  zstd -qdc "$TMP/a/$f1" | awk 'NR % 4 == 1 { print substr($1, 2) }' > "$TMP/ids1"
  zstd -qdc "$TMP/a/$f2" | awk 'NR % 4 == 1 { print substr($1, 2) }' > "$TMP/ids2"
  tail -n +2 "$TMP/a/truth/reads/$s.tsv" | cut -f1 > "$TMP/idst"
  { cmp -s "$TMP/ids1" "$TMP/ids2" && cmp -s "$TMP/ids1" "$TMP/idst" && [ "$(wc -l < "$TMP/idst")" -eq 400 ]; } || bad=$((bad + 1))
  # reads per taxon from truth/reads = the reads column of truth/abundance.tsv
  tail -n +2 "$TMP/a/truth/reads/$s.tsv" | cut -f2 | sort | uniq -c | awk '{ print $2 "\t" $1 }' | sort > "$TMP/t1"
  awk -F'\t' -v s="$s" '$1 == s { print $2 "\t" $5 }' "$TMP/a/truth/abundance.tsv" | sort > "$TMP/t2"
  cmp -s "$TMP/t1" "$TMP/t2" || bad=$((bad + 1))
  [ -s "$TMP/a/truth/$s.cami" ] || bad=$((bad + 1))
done < "$TMP/a/samplesheet.csv"
if [ "$bad" -eq 0 ]; then ok "truth: FASTQ ids = truth/reads ids (both mates), per-taxon counts = truth/abundance.tsv, a CAMI file per sample"
else fail "truth inconsistent in $bad checks"; fi
awk -F'\t' 'NR > 1 { print $1 "\t" $2 "\t" $5 }' "$TMP/a/truth/abundance.tsv" | sort > "$TMP/abund_counts"
if [ -s "$TMP/abund_counts" ] && cmp -s "$TMP/abund_counts" "$TMP/biom_a"; then
  ok "truth/cohort.biom: the counts of truth/abundance.tsv ($(wc -l < "$TMP/biom_a") sample-taxon cells)"
else fail "truth/cohort.biom differs from truth/abundance.tsv"; diff "$TMP/abund_counts" "$TMP/biom_a" | head -5 >&2; fi
env -u HDF5_PLUGIN_PATH biom validate-table -i "$TMP/a/truth/cohort.biom" 2>&1 | grep -q "is a valid BIOM-formatted file" \
  && ok "truth/cohort.biom: biom validate-table" || fail "truth/cohort.biom is not valid BIOM"
# stats on the truth, collapsed to genus through the taxdump as for a run's cohort
if "$GB" stats -q --cohort "$TMP/a/truth/cohort.biom" --metadata "$TMP/a/metadata.tsv" --variable depression \
     --rank genus --taxonomy "$TINY_TAX" --permutations 9 --min-prevalence 0 --out "$TMP/truthstats" 2> "$TMP/truthstats.err" \
   && grep -q "^561[[:space:]]" "$TMP/truthstats/associations.tsv"; then
  ok "gutbrain stats --rank genus --taxonomy on truth/cohort.biom: Escherichia (561) is a feature"
else fail "stats on truth/cohort.biom"; show "$TMP/truthstats.err"; fi
awk -F'\t' 'NR > 1 { r[$1] += $3; c[$1] += $4 } END { for (s in r) if (r[s] < 0.999999 || r[s] > 1.000001 || c[s] < 0.999999 || c[s] > 1.000001) bad++; exit bad > 0 }' \
  "$TMP/a/truth/abundance.tsv" && ok "read and cell fractions sum to 1 per sample" || fail "fractions do not sum to 1"
[ "$(tail -n +2 "$TMP/a/truth/effects.tsv")" = "$(printf '561\tEscherichia\t8')" ] && ok "effects.tsv names the planted genus" \
  || { fail "effects.tsv"; show "$TMP/a/truth/effects.tsv"; }

# the planted fold is visible. The same seed with --null and with --effect Escherichia=8 draws the
# same compositions except 8 x the cells of Escherichia genomes in cases, so the controls' truth is
# identical and, in cases holding an Escherichia and another genome, log(Escherichia / other reads)
# rises by about log 8 = 2.08. All the references: under the calibrated model most samples of the
# four tiny genomes hold one genome only (docs/SIMULATE.md "Calibration").
simf() {
  "$GB" simulate -q --refs "$DATA"/refs/*.fna.gz --seqid2taxid "$DATA/seqid2taxid.tsv" --taxonomy "$DATA/taxonomy" \
    --samples 120 --reads-per-sample 300 --read-length 50 --cases 0.5 --seed 5 "$@"
}
simf --null --out "$TMP/f0" || fail "simulate --null exit $?"
simf --effect Escherichia=8 --out "$TMP/f8" || fail "simulate --effect exit $?"
# genomes of genus 561 (Escherichia): walk each reference taxid up nodes.dmp
awk -F'\t' '!/^#/ { print $2 }' "$DATA/seqid2taxid.tsv" | sort -u > "$TMP/ref_taxids"
awk -F'\t[|]\t' 'NR == FNR { up[$1] = $2; next } { t = $1; while (t != 561 && up[t] != t && t in up) t = up[t]; if (t == 561) print $1 }' \
  "$DATA/taxonomy/nodes.dmp" "$TMP/ref_taxids" > "$TMP/escherichia"
fold=$(awk -F'\t' 'FILENAME ~ /escherichia$/ { esc[$1] = 1; next } FNR == 1 { f++; next }
                    f == 1 { st[$1] = $2; next }
                    { k = f "\t" $1; if ($2 in esc) e[k] += $5; else o[k] += $5; row[k] = row[k] "|" $2 ":" $5 }
                    END { for (s in st) {
                            a = "2\t" s; b = "3\t" s
                            if (st[s] == "control" && row[a] != row[b]) bad++
                            if (st[s] == "case" && e[a] > 0 && o[a] > 0) { n++; d += log(e[b] / o[b]) - log(e[a] / o[a]) } }
                          printf "%d %d %.2f", bad, n, n ? d / n : 0 }' \
         "$TMP/escherichia" "$TMP/f0/metadata.tsv" "$TMP/f0/truth/abundance.tsv" "$TMP/f8/truth/abundance.tsv")
read -r bad n d <<< "$fold"
if [ "$bad" -eq 0 ] && [ "$n" -ge 3 ] && awk -v d="$d" 'BEGIN { exit !(d > 1.0 && d < 3.5) }'; then
  ok "planted 8-fold Escherichia: controls unchanged, log-ratio in $n mixed cases up by $d (log 8 = 2.08)"
else fail "planted effect: $bad controls changed, $n mixed cases, log-ratio up by $d (want > 1, log 8 = 2.08)"; fi

# --null: no planted truth
sim "${ARGS[@]}" --null --seed 11 --out "$TMP/null" || fail "simulate --null exit $?"
[ "$(cat "$TMP/null/truth/effects.tsv")" = "$(printf 'genus_taxid\tname\tfold')" ] && ok "--null: effects.tsv has its header only" \
  || fail "--null planted something"
awk -F'\t' 'NR > 1 && ($3 == "NA" || ($2 == "case") != ($3 >= 0)) { } NR > 1 { n++ } END { exit n != 12 }' "$TMP/null/metadata.tsv" \
  && ok "metadata.tsv: one row per sample" || fail "metadata.tsv rows"

# bad input
expect_error unknown_genus 1 "Bacteroides" "$TMP/bad1" -- sim "${ARGS[@]}" --effect Bacteroides=2 --seed 1 --out "$TMP/bad1"
expect_error missing_ref 2 "nope.fna" "$TMP/bad2" -- sim "${ARGS[@]}" --refs "$TMP/nope.fna" --seed 1 --out "$TMP/bad2"
expect_error no_seed 1 "seed" "$TMP/bad3" -- sim "${ARGS[@]}" --out "$TMP/bad3"

# smoke chain: the simulated sheet through gutbrain run on the DB of the same references
if gb_run_ok run 0 "$TMP/run" "$TMP/a/samplesheet.csv" --threads 2; then
  n=$(ls "$TMP/run/samples/"*.cami 2> /dev/null | wc -l)
  [ "$n" -eq 12 ] && ok "gutbrain run on the simulated sheet: 12 samples profiled" || fail "run profiled $n samples, want 12"
fi
finish
