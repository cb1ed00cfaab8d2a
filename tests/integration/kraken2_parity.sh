#!/usr/bin/env bash
# gutbrain against the real Kraken 2 (Debian kraken2 2.1.2) on the same tiny references and
# the same reads: per-read output (calls and hit lists, byte for byte) and the kreport (all
# columns but the rank code, where we deliberately fix the Debian binary's missing letters).
# Reads include N runs, IUPAC codes, lowercase and reads shorter than k; paired, interleaved
# and single-end; confidence 0 and 0.3; minimum hit groups 0 and 2; quality masking; and the
# --classified-out / --unclassified-out files.
# Kraken 2's own build inserts an extra minimizer at each 16 kb block border (docs/KRAKEN2-COMPAT.md),
# so a read that hits exactly such a minimizer may differ: we require >= 99.5 % identical lines.
set -uo pipefail
source "$(dirname "$0")/lib.bash"
command -v kraken2-build >/dev/null || die "kraken2 is not installed (make deps)"

prepare_tiny_refs
"$GB" build -q --taxonomy "$TINY_TAX" --seqid2taxid "$TINY_MAP" --db "$TMP/gb" --threads 2 "${TINY_REFS[@]}" \
  || die "gutbrain build failed"
K2=$TMP/k2
build_kraken2_db "$K2" || die "kraken2-build failed"

# reads: clean simulated pairs, then the same pairs perturbed
sim_pairs "$TMP/clean" 150 20 "${TINY_REFS[@]}"
perturb_pairs "$TMP/clean" "$TMP/mixed"
interleave "$TMP/mixed_R1.fastq" "$TMP/mixed_R2.fastq" > "$TMP/mixed_il.fastq"

GB_DB=$TMP/gb
PARITY_PERMILLE=995
run_both paired_c0 --paired "$TMP/mixed_R1.fastq" "$TMP/mixed_R2.fastq"
run_both paired_c03 --paired --confidence 0.3 "$TMP/mixed_R1.fastq" "$TMP/mixed_R2.fastq"
run_both paired_mhg0 --paired --minimum-hit-groups 0 "$TMP/mixed_R1.fastq" "$TMP/mixed_R2.fastq"
run_both paired_q20 --paired --minimum-base-quality 20 "$TMP/mixed_R1.fastq" "$TMP/mixed_R2.fastq"
# kraken2 2.1.2 has no --interleaved: gutbrain's interleaved file must equal kraken2 --paired on the two files
run_both interleaved --interleaved "$TMP/mixed_il.fastq" --k2 --paired "$TMP/mixed_R1.fastq" "$TMP/mixed_R2.fastq"
run_both single --confidence 0.1 "$TMP/mixed_R1.fastq"
run_both names --paired --use-names "$TMP/mixed_R1.fastq" "$TMP/mixed_R2.fastq"

# sequence outputs: same reads, same headers, in the same order
(cd "$TMP" && "$GB" classify -q --db gb --paired --minimum-base-quality 20 --output /dev/null \
   --classified-out 'gbc#.fq' --unclassified-out 'gbu#.fq' mixed_R1.fastq mixed_R2.fastq &&
 kraken2 --db k2 --paired --minimum-base-quality 20 --output /dev/null \
   --classified-out 'k2c#.fq' --unclassified-out 'k2u#.fq' mixed_R1.fastq mixed_R2.fastq 2>/dev/null)
for f in c_1 c_2 u_1 u_2; do
  a=$(wc -l < "$TMP/gb$f.fq" 2>/dev/null || echo 0); b=$(wc -l < "$TMP/k2$f.fq" 2>/dev/null || echo 0)
  same=$(comm -12 <(sort "$TMP/gb$f.fq" 2>/dev/null) <(sort "$TMP/k2$f.fq" 2>/dev/null) | wc -l)
  if [ "$a" -gt 0 ] && [ $((same * 1000)) -ge $((b * 995)) ] && [ $((same * 1000)) -ge $((a * 995)) ]; then
    ok "sequence output ${f} ${f#*_}: $a lines, $same shared with kraken2's"
  else
    fail "sequence output ${f}: gutbrain $a lines, kraken2 $b, $same shared"
  fi
done
finish
