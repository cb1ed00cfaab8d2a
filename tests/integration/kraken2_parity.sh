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
mkdir -p "$K2/taxonomy" "$K2/library/added"
cp "$TINY_TAX/nodes.dmp" "$TINY_TAX/names.dmp" "$K2/taxonomy/"
for f in "${TINY_REFS[@]}"; do gzip -dcf "$f"; echo; done | grep -v '^$' > "$K2/library/added/refs.fna"
cp "$TINY_MAP" "$K2/seqid2taxid.map"
cp "$TINY_MAP" "$K2/library/added/prelim_map.txt"
kraken2-build --build --db "$K2" --threads 1 --no-masking > "$TMP/k2build.log" 2>&1 || { show "$TMP/k2build.log" 20; die "kraken2-build failed"; }

# reads: clean simulated pairs, then the same pairs perturbed (IUPAC/N runs, lowercase, short)
sim_pairs "$TMP/clean" 150 20 "${TINY_REFS[@]}"
python3 - "$TMP/clean" "$TMP/mixed" <<'PY'
import random, sys
src, dst = sys.argv[1], sys.argv[2]
rng = random.Random(7)
def records(path):
    with open(path) as f:
        while True:
            rec = [f.readline().rstrip("\n") for _ in range(4)]
            if not rec[0]:
                return
            yield rec
with open(dst + "_R1.fastq", "w") as o1, open(dst + "_R2.fastq", "w") as o2:
    for i, (a, b) in enumerate(zip(records(src + "_R1.fastq"), records(src + "_R2.fastq"))):
        for rec in (a, b):
            s = list(rec[1])
            kind = i % 6
            if kind == 1:                       # one N
                s[rng.randrange(len(s))] = "N"
            elif kind == 2:                     # an N run and IUPAC codes
                p = rng.randrange(len(s) - 12)
                s[p:p + 12] = "N" * 12
                s[rng.randrange(len(s))] = rng.choice("RYKMSWBDHV")
            elif kind == 3:                     # lowercase
                s = [c.lower() for c in s]
            elif kind == 4:                     # shorter than k, or just at k
                s = s[: rng.choice((20, 34, 35, 36))]
            elif kind == 5:                     # low qualities for --minimum-base-quality
                q = "".join(rng.choice("#+5I") for _ in s)
                rec[3] = q
            rec[1] = "".join(s)
            if kind != 5:
                rec[3] = "I" * len(rec[1])
            o = o1 if rec is a else o2
            o.write("\n".join(rec) + "\n")
PY
interleave "$TMP/mixed_R1.fastq" "$TMP/mixed_R2.fastq" > "$TMP/mixed_il.fastq"

# compare OUT_A OUT_B LABEL: >= 99.5 % identical per-read lines
compare_reads() {
  local total same
  total=$(wc -l < "$1")
  same=$(paste -d'\n' "$1" "$2" | paste - - | awk -F'\t' '{ n = NF / 2; eq = 1
           for (i = 1; i <= n; i++) if ($i != $(i + n)) eq = 0; s += eq } END { print s + 0 }')
  if [ "$total" -gt 0 ] && [ "$(wc -l < "$2")" -eq "$total" ] && [ $((same * 1000)) -ge $((total * 995)) ]; then
    ok "$3: $same of $total per-read lines identical to kraken2"
  else
    fail "$3: only $same of $total per-read lines identical to kraken2"
    diff "$1" "$2" | head -6 | sed 's/^/      | /'
  fi
}
# kreports equal except the rank-code column (4)
compare_reports() {
  if diff <(cut -f1-3,5- "$1") <(cut -f1-3,5- "$2") > "$TMP/rep.diff"; then
    ok "$3: kreport identical to kraken2's (rank codes aside)"
  else
    fail "$3: kreport differs from kraken2's"
    show "$TMP/rep.diff" 8
  fi
}

run_both() {  # LABEL ARGS... [--k2 KRAKEN2_ARGS...]: the same arguments unless --k2 gives kraken2 its own
  local label=$1 gb_args=() k2_args=() to_k2=0 a; shift
  for a in "$@"; do
    if [ "$a" = --k2 ]; then to_k2=1; elif [ $to_k2 = 1 ]; then k2_args+=("$a"); else gb_args+=("$a"); fi
  done
  [ $to_k2 = 1 ] || k2_args=("${gb_args[@]}")
  "$GB" classify --db "$TMP/gb" --threads 2 --output "$TMP/$label.gb" --report "$TMP/$label.gb.rep" "${gb_args[@]}" 2> "$TMP/$label.gb.err" \
    || { fail "$label: gutbrain exited non-zero"; show "$TMP/$label.gb.err"; return; }
  kraken2 --db "$K2" --threads 2 --output "$TMP/$label.k2" --report "$TMP/$label.k2.rep" "${k2_args[@]}" 2> "$TMP/$label.k2.err" \
    || { fail "$label: kraken2 exited non-zero"; show "$TMP/$label.k2.err"; return; }
  compare_reads "$TMP/$label.gb" "$TMP/$label.k2" "$label"
  compare_reports "$TMP/$label.gb.rep" "$TMP/$label.k2.rep" "$label"
}

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
