#!/usr/bin/env bash
# gutbrain bracken against Bracken's own est_abundance.py (the peer in ../shared/peers/bracken,
# run in place with python3, read-only): byte-identical 7-column tables and re-estimated
# reports on the peer's sample_data at every level it supports and several thresholds, on an
# 8-column copy of that report, and on a report written by `gutbrain classify` (a small DB of
# related genomes, simulated reads) with a synthetic but well-formed .kmer_distrib made from
# that report's taxa. Then bad input: exit 2, one error line naming the file, no output.
# Without ../shared at all, only the hand-computed case of tests/unit/test_bracken.c runs
# (and the output says so); with ../shared but no peer, the script fails.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash"

PEER=$ROOT/../shared/peers/bracken
SAMPLE=$PEER/sample_data
echo "temp: $TMP"

# ---------------------------------------------------------------- the hand-computed case
# Genus 10's 40 reads shared by species 11 and 12 (docs/BRACKEN.md has the arithmetic).
printf '  7.41\t10\t10\tU\t0\tunclassified\n 92.59\t115\t0\tR\t1\troot\n 92.59\t115\t40\tG\t10\t  Genus ten
 40.00\t50\t40\tS\t11\t    Sp eleven\n  8.00\t10\t10\t-\t111\t      Strain of eleven
 16.00\t20\t20\tS\t12\t    Sp twelve\n  4.00\t5\t5\tS\t13\t    Sp thirteen\n' > "$TMP/hand.kreport"
printf 'mapped_taxid\tgenome_taxids:kmers_mapped:total_genome_kmers
10\t11:1:2 12:1:2 13:1:1 999:1:1 \n11\t11:1:2 \n12\t12:1:4 \n111\t111:1:1 \n' > "$TMP/hand.kmer_distrib"
printf 'name\ttaxonomy_id\ttaxonomy_lvl\tkraken_assigned_reads\tadded_reads\tnew_est_reads\tfraction_total_reads
Sp eleven\t11\tS\t50\t20\t70\t0.63636\nSp twelve\t12\tS\t20\t20\t40\t0.36364\n' > "$TMP/hand.want.tsv"
printf '100.00\t110\t0\tR\t1\troot\n100.00\t110\t0\tG\t10\t  Genus ten\n63.64\t70\t70\tS\t11\t    Sp eleven
36.36\t40\t40\tS\t12\t    Sp twelve\n' > "$TMP/hand.want.kreport"
if "$GB" bracken -q -i "$TMP/hand.kreport" -k "$TMP/hand.kmer_distrib" -o "$TMP/hand.tsv" \
     --out-report "$TMP/hand.out.kreport" 2> "$TMP/hand.err" &&
   cmp -s "$TMP/hand.tsv" "$TMP/hand.want.tsv" && cmp -s "$TMP/hand.out.kreport" "$TMP/hand.want.kreport"; then
  ok "hand-computed case: table and re-estimated report as expected"
else
  fail "hand-computed case"; show "$TMP/hand.err"; diff "$TMP/hand.tsv" "$TMP/hand.want.tsv" | head -5
fi

if [ ! -d "$ROOT/../shared" ]; then
  echo "no $ROOT/../shared on this machine: Bracken's est_abundance.py is not available, so only the"
  echo "hand-computed expectations were tested (no byte-for-byte comparison with the peer)"
  finish
  exit $?
fi
if [ ! -f "$PEER/src/est_abundance.py" ] || [ ! -f "$SAMPLE/sample_test.report" ]; then
  fail "../shared exists but the peer Bracken is missing at $PEER"
  finish
  exit 1
fi
python3 -c 'import sys; sys.exit(sys.version_info < (3, 7))' || die "est_abundance.py needs python3 >= 3.7"

# ---------------------------------------------------------------- peer vs gutbrain
# compare NAME REPORT KMER_DISTRIB LEVEL THRESHOLD: both tools on the same files; identical
# table and report, or both refuse (Bracken exits 1 with "no reads found", gutbrain 2).
compare() {
  local name=$1 report=$2 kd=$3 level=$4 thr=$5 prc grc p=$TMP/$1.peer g=$TMP/$1.gb
  python3 "$PEER/src/est_abundance.py" -i "$report" -k "$kd" -o "$p.tsv" --out-report "$p.kreport" \
    -l "$level" -t "$thr" > "$p.out" 2> "$p.err"
  prc=$?
  "$GB" bracken -q -i "$report" -k "$kd" -o "$g.tsv" --out-report "$g.kreport" -l "$level" -t "$thr" 2> "$g.err"
  grc=$?
  if [ "$prc" -ne 0 ]; then
    if [ "$grc" -eq 2 ] && [ ! -e "$g.tsv" ] && [ ! -e "$g.kreport" ]; then
      ok "$name: level $level, threshold $thr: both refuse (Bracken: $(tail -n 1 "$p.err" | cut -c1-60))"
    else
      fail "$name: level $level, threshold $thr: Bracken failed (exit $prc), gutbrain exit $grc"; show "$g.err"
    fi
  elif [ "$grc" -ne 0 ]; then
    fail "$name: level $level, threshold $thr: gutbrain exit $grc"; show "$g.err"
  elif cmp -s "$p.tsv" "$g.tsv" && cmp -s "$p.kreport" "$g.kreport"; then
    ok "$name: level $level, threshold $thr: identical ($(($(wc -l < "$g.tsv") - 1)) taxa, $(wc -l < "$g.kreport") report lines)"
  else
    fail "$name: level $level, threshold $thr: outputs differ"
    diff "$p.tsv" "$g.tsv" | head -4 | sed 's/^/      | /'
    diff "$p.kreport" "$g.kreport" | head -4 | sed 's/^/      | /'
  fi
}

KD=$SAMPLE/sample_kmer_distr_75mers.txt
for level in S G F O C P D S1 S2 G1 F1 K; do compare "sample_$level" "$SAMPLE/sample_test.report" "$KD" "$level" 10; done
for thr in 0 1 100 5000; do
  for level in S G; do compare "sample_${level}_t$thr" "$SAMPLE/sample_test.report" "$KD" "$level" "$thr"; done
done

# The shipped expected table was written by an older Python whose dicts had another order.
if [ -s "$SAMPLE/sample_output_species_abundance.txt" ] &&
   cmp -s <(sort "$SAMPLE/sample_output_species_abundance.txt") <(sort "$TMP/sample_S.gb.tsv"); then
  ok "sample_data: the same lines as the shipped sample_output_species_abundance.txt"
else
  fail "sample_data: lines differ from sample_output_species_abundance.txt"
fi

# Kraken 2's report with --report-minimizer-data has two more columns (minimizers, distinct).
awk -F'\t' -v OFS='\t' '{ print $1, $2, $3, $2 * 3, $2 * 2, $4, $5, $6 }' "$SAMPLE/sample_test.report" \
  > "$TMP/sample8.report"
compare sample_8col "$TMP/sample8.report" "$KD" S 10
compare sample_8col "$TMP/sample8.report" "$KD" G 10

start=$(date +%s%N)
for i in 1 2 3 4 5; do
  "$GB" bracken -q -i "$SAMPLE/sample_test.report" -k "$KD" -o "$TMP/speed.tsv" --out-report "$TMP/speed.kreport"
done
echo "speed: gutbrain bracken on sample_data (1546-line report, 1000-line distribution):" \
  "$(( ($(date +%s%N) - start) / 5000000 )) ms per run, process start included"

# ---------------------------------------------------------------- a report of gutbrain classify
# Related genomes, so that reads stop at species, genus and family level: two S. aureus
# strains and S. epidermidis, two Enterococcus species, E. coli and Shigella, phage lambda.
GENOMES="Staphylococcus_aureus_N315.fna.gz Staphylococcus_aureus_COL.fna.gz
  Staphylococcus_epidermidis_NBRC100911.fna.gz Enterococcus_faecalis_ATCC19433.fna.gz
  Enterococcus_faecium_NBRC100486.fna.gz Escherichia_coli_K-12_MG1655.fna.gz
  Shigella_flexneri_2a_ATCC29903.fna.gz Enterobacteria_phage_lambda.fna.gz"
refs=() present=()
for f in $GENOMES; do
  if [ -s "$DATA/refs/$f" ]; then refs+=("$DATA/refs/$f"); present+=("$f"); fi
done
if [ "${#refs[@]}" -lt 4 ]; then
  fail "fewer than 4 of the classify genomes in $DATA/refs"
else
  data_map_rows "${present[@]}" > "$TMP/seqid2taxid.tsv"
  if ! "$GB" build -q --taxonomy "$DATA/taxonomy" --seqid2taxid "$TMP/seqid2taxid.tsv" --db "$TMP/db" \
       --threads "$THREADS" "${refs[@]}" 2> "$TMP/build.err"; then
    fail "gutbrain build"; show "$TMP/build.err"
  else
    sim_pairs "$TMP/reads" 400 50 "${refs[@]}"
    if "$GB" classify -q --db "$TMP/db" --threads "$THREADS" --paired --output "$TMP/reads.kraken" \
         --report "$TMP/classify.kreport" "$TMP/reads_R1.fastq" "$TMP/reads_R2.fastq" 2> "$TMP/classify.err"; then
      ok "classify report: $(wc -l < "$TMP/classify.kreport") lines"
    else
      fail "gutbrain classify"; show "$TMP/classify.err"
    fi
    # A synthetic distribution over the report's taxa: every taxon at species level or below
    # is a genome; each taxon lists the genomes of its subtree with deterministic k-mer
    # counts, plus a genome and a mapped taxid that are in no report (ignored by Bracken).
    python3 - "$TMP/classify.kreport" > "$TMP/classify.kmer_distrib" <<'EOF'
import sys
rows, stack = [], []
for line in open(sys.argv[1]):
    f = line.rstrip("\n").split("\t")
    if len(f) < 6 or f[3] == "U":
        continue
    name = f[-1]
    depth = (len(name) - len(name.lstrip(" "))) // 2
    taxid, rank = int(f[-2]), f[-3]
    del stack[depth:]
    rows.append((taxid, rank, list(stack)))
    stack.append(taxid)
genomes = [t for t, r, _ in rows if r.startswith("S")]
subtree = {t: [] for t, _, _ in rows}
for t, r, anc in rows:
    if r.startswith("S"):
        for a in anc + [t]:
            subtree[a].append(t)
print("mapped_taxid\tgenome_taxids:kmers_mapped:total_genome_kmers")
for t in sorted(subtree):
    gs = subtree[t] + ([999999999] if t % 3 == 0 else [])
    if gs:
        print("%d\t%s " % (t, " ".join("%d:%d:%d" % (g, 1 + (g * 7919 + t * 104729) % 5000, 20000 + g % 7919)
                                         for g in gs)))
print("888888888\t%d:5:100 " % (genomes[0] if genomes else 1))
EOF
    for level in S G F S1; do
      for thr in 0 10 335 400; do compare "classify_${level}_t$thr" "$TMP/classify.kreport" "$TMP/classify.kmer_distrib" \
                                       "$level" "$thr"; done
    done
  fi
fi

# ---------------------------------------------------------------- bad input
# expect_bad NAME PATTERN CMD...: exit 2, one error line matching PATTERN, no output left.
expect_bad() {
  local name=$1 pattern=$2 rc nerr; shift 2
  rm -f "$TMP/bad.tsv" "$TMP/bad.kreport"
  "$@" -o "$TMP/bad.tsv" --out-report "$TMP/bad.kreport" > /dev/null 2> "$TMP/$name.err"
  rc=$?
  nerr=$(grep -c '^\[E::' "$TMP/$name.err")
  if [ "$rc" -eq 2 ] && [ "$nerr" -eq 1 ] && grep '^\[E::' "$TMP/$name.err" | grep -Eq -- "$pattern" &&
     ! compgen -G "$TMP/bad.*" > /dev/null; then
    ok "bad input: $name -> exit 2, one line naming the file"
  else
    fail "bad input: $name: exit $rc, $nerr error lines, outputs: $(ls "$TMP"/bad.* 2> /dev/null)"
    show "$TMP/$name.err"
  fi
}
{ head -n 5 "$KD"; printf '562\t562:100\n'; tail -n 3 "$KD"; } > "$TMP/malformed.kmer_distrib"
{ head -n 3 "$KD"; printf '562\t562:100:0 \n'; } > "$TMP/zero.kmer_distrib"
printf 'C\tread1\t562\t150\t562:116\n' > "$TMP/perread.kraken"
R=$SAMPLE/sample_test.report
expect_bad malformed_line 'malformed\.kmer_distrib:6:' "$GB" bracken -i "$R" -k "$TMP/malformed.kmer_distrib"
expect_bad zero_total 'zero\.kmer_distrib:4:' "$GB" bracken -i "$R" -k "$TMP/zero.kmer_distrib"
expect_bad missing_distrib 'nonexistent\.kmer_distrib' "$GB" bracken -i "$R" -k "$TMP/nonexistent.kmer_distrib"
expect_bad missing_report 'nonexistent\.kreport' "$GB" bracken -i "$TMP/nonexistent.kreport" -k "$KD"
expect_bad per_read_output 'perread\.kraken' "$GB" bracken -i "$TMP/perread.kraken" -k "$KD"
expect_bad no_reads_at_level 'sample_test\.report' "$GB" bracken -i "$R" -k "$KD" -l K

finish
