#!/usr/bin/env bash
# Input and output forms that must work, and give the same per-read output whatever the
# encoding: short reads, lowercase, N/IUPAC, CRLF, multi-line FASTA, empty input,
# gz/zst/content-detected input, stdout, /dev/null and .zst output, paired vs interleaved,
# 1/2/4 threads. Prints ok/FAIL per check; exit 1 on any FAIL.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash"

# classify NAME ARGS... : per-read output in $TMP/NAME.out, report $TMP/NAME.rep, stderr $TMP/NAME.err.
classify() {
  local name=$1; shift
  "$GB" classify --db "$DB" --threads "$THREADS" --output "$TMP/$name.out" --report "$TMP/$name.rep" "$@" \
    > "$TMP/$name.stdout" 2> "$TMP/$name.err"
}

# run_ok NAME ARGS... : classify, FAIL (with stderr) if the exit code is not 0.
run_ok() {
  local name=$1 rc; shift
  classify "$name" "$@"
  rc=$?
  [ "$rc" -eq 0 ] && return 0
  fail "$name: exit $rc"; show "$TMP/$name.err"
  return 1
}

# same NAME A B : files A and B are byte-identical.
same() {
  if cmp -s "$2" "$3"; then
    if grep -Iq . "$2"; then ok "$1 ($(wc -l < "$2") lines)"; else ok "$1 ($(wc -c < "$2") bytes)"; fi
  else
    fail "$1: $(basename "$2") and $(basename "$3") differ"
    diff "$2" "$3" | head -n 6 | sed 's/^/      | /'
  fi
}

# ---------------------------------------------------------------- setup
setup_tiny_db
sim_pairs "$TMP/sim" 300 100 "${TINY_REFS[@]}"
R1=$TMP/sim_R1.fastq
R2=$TMP/sim_R2.fastq
N_PAIRS=$(( $(wc -l < "$R1") / 4 ))

run_ok plain "$R1" || { finish; exit 1; }
if [ "$(wc -l < "$TMP/plain.out")" -eq "$N_PAIRS" ]; then ok "plain: one output line per read ($N_PAIRS)"
else fail "plain: $(wc -l < "$TMP/plain.out") output lines for $N_PAIRS reads"; fi

# Sanity of the calls themselves: mate-1 reads of phage lambda (file 0) -> taxid 10710,
# random reads -> mostly unclassified.
lambda_hits=$(awk -F'\t' '$2 ~ /^s0_/ { n++; if ($3 == 10710) h++ } END { printf "%d/%d", h, n }' "$TMP/plain.out")
if awk -v r="$lambda_hits" 'BEGIN { split(r, a, "/"); exit !(a[2] > 0 && a[1] >= 0.9 * a[2]) }'; then
  ok "lambda reads called 10710: $lambda_hits"
else
  fail "lambda reads called 10710: only $lambda_hits"; show "$TMP/plain.out" 3
fi
random_u=$(awk -F'\t' '$2 ~ /^rnd/ { n++; if ($1 == "U") u++ } END { printf "%d/%d", u, n }' "$TMP/plain.out")
if awk -v r="$random_u" 'BEGIN { split(r, a, "/"); exit !(a[2] > 0 && a[1] >= 0.9 * a[2]) }'; then
  ok "random reads unclassified: $random_u"
else
  fail "random reads unclassified: only $random_u"
fi

# ---------------------------------------------------------------- read content
# Reads shorter than any k: U, taxid 0, hit list 0:0 (pairs: |:|).
{ for len in 1 10 20 30 34; do
    seq=$(head -c "$len" <<< "ACGTTGCAAGGCTTAACCGGTTAAGCTAGCATCGA")
    printf '@short%d\n%s\n+\n%s\n' "$len" "$seq" "$(printf '%*s' "$len" '' | tr ' ' I)"
  done; } > "$TMP/short.fastq"
if run_ok short "$TMP/short.fastq"; then
  expect=$(for len in 1 10 20 30 34; do printf 'U\tshort%d\t0\t%d\t0:0\n' "$len" "$len"; done)
  if [ "$(cat "$TMP/short.out")" = "$expect" ]; then ok "reads shorter than k: U <id> 0 <len> 0:0"
  else fail "reads shorter than k"; show "$TMP/short.out"; fi
fi
if run_ok short_pair --paired "$TMP/short.fastq" "$TMP/short.fastq"; then
  expect=$(for len in 1 10 20 30 34; do printf 'U\tshort%d\t0\t%d|%d\t|:|\n' "$len" "$len" "$len"; done)
  if [ "$(cat "$TMP/short_pair.out")" = "$expect" ]; then ok "pairs shorter than k: U <id> 0 <l1|l2> |:|"
  else fail "pairs shorter than k"; show "$TMP/short_pair.out"; fi
fi

# Lowercase bases classify exactly like uppercase.
awk 'NR % 4 == 2 { $0 = tolower($0) } 1' "$R1" > "$TMP/lower.fastq"
run_ok lower "$TMP/lower.fastq" && same "lowercase = uppercase" "$TMP/plain.out" "$TMP/lower.out"

# N and IUPAC codes: accepted, counted as ambiguous k-mers (A:n tokens).
awk 'NR % 4 == 2 && NR % 8 == 2 { $0 = substr($0, 1, 40) "N" substr($0, 42, 29) "RYKM" substr($0, 75) } 1' \
  "$R1" > "$TMP/iupac.fastq"
if run_ok iupac "$TMP/iupac.fastq"; then
  n_in=$(awk 'NR % 8 == 2' "$TMP/iupac.fastq" | wc -l)
  n_a=$(awk -F'\t' 'NR % 2 == 1 && $5 ~ /(^| )A:[0-9]+/' "$TMP/iupac.out" | wc -l)
  if [ "$(wc -l < "$TMP/iupac.out")" -eq "$N_PAIRS" ] && [ "$n_a" -eq "$n_in" ]; then
    ok "N/IUPAC: all reads reported, $n_a of $n_in edited reads show A: tokens"
  else
    fail "N/IUPAC: $(wc -l < "$TMP/iupac.out") lines, $n_a of $n_in edited reads with A: tokens"
    show "$TMP/iupac.out" 2
  fi
fi

# CRLF line endings.
sed 's/$/\r/' "$R1" > "$TMP/crlf.fastq"
run_ok crlf "$TMP/crlf.fastq" && same "CRLF = LF" "$TMP/plain.out" "$TMP/crlf.out"

# Multi-line FASTA (30 bases per line) gives the FASTQ's calls.
awk 'NR % 4 == 1 { print ">" substr($0, 2) } NR % 4 == 2 { for (i = 1; i <= length($0); i += 30) print substr($0, i, 30) }' \
  "$R1" > "$TMP/multiline.fasta"
run_ok multiline "$TMP/multiline.fasta" && same "multi-line FASTA = FASTQ" "$TMP/plain.out" "$TMP/multiline.out"

# Empty input: exit 0, a warning, zero reads.
: > "$TMP/empty.fastq"
gzip -c < /dev/null > "$TMP/empty.fastq.gz"
for f in empty.fastq empty.fastq.gz; do
  name=${f//./_}
  classify "$name" "$TMP/$f"
  rc=$?
  if [ "$rc" -eq 0 ] && [ -e "$TMP/$name.out" ] && [ ! -s "$TMP/$name.out" ] && grep -q '^\[W::' "$TMP/$name.err"; then
    ok "empty input $f: exit 0, warning, 0 reads ($(grep -m1 '^\[W::' "$TMP/$name.err" | cut -c1-100))"
  else
    fail "empty input $f: exit $rc, output $( [ -e "$TMP/$name.out" ] && wc -l < "$TMP/$name.out" || echo missing), warning $(grep -c '^\[W::' "$TMP/$name.err")"
    show "$TMP/$name.err"
  fi
done

# ---------------------------------------------------------------- compressed input
gzip -c "$R1" > "$TMP/sim.fastq.gz"
zstd -q -c "$R1" > "$TMP/sim.fastq.zst"
cp "$TMP/sim.fastq.gz" "$TMP/gz_named.txt"
run_ok gz "$TMP/sim.fastq.gz" && same ".gz input = plain" "$TMP/plain.out" "$TMP/gz.out"
run_ok zst "$TMP/sim.fastq.zst" && same ".zst input = plain" "$TMP/plain.out" "$TMP/zst.out"
run_ok gztxt "$TMP/gz_named.txt" && same "gzip named .txt detected by content" "$TMP/plain.out" "$TMP/gztxt.out"
# Multi-member gzip (concatenated .gz files, as bgzip/pigz write) must read to the end.
head -n 400 "$R1" | gzip -c > "$TMP/multi.fastq.gz"
tail -n +401 "$R1" | gzip -c >> "$TMP/multi.fastq.gz"
run_ok multigz "$TMP/multi.fastq.gz" && same "multi-member gzip = plain" "$TMP/plain.out" "$TMP/multigz.out"
same "reports equal (plain, gz)" "$TMP/plain.rep" "$TMP/gz.rep"

# ---------------------------------------------------------------- outputs
if "$GB" classify --db "$DB" --threads "$THREADS" --output - --report "$TMP/stdout.rep" "$R1" \
     > "$TMP/stdout.out" 2> "$TMP/stdout.err"; then
  same "--output - writes to stdout" "$TMP/plain.out" "$TMP/stdout.out"
else
  fail "--output -: exit $?"; show "$TMP/stdout.err"
fi

"$GB" classify --db "$DB" --threads "$THREADS" --output /dev/null --report "$TMP/devnull.rep" "$R1" 2> "$TMP/devnull.err"
rc=$?
if [ -c /dev/null ]; then
  if [ "$rc" -eq 0 ]; then ok "--output /dev/null: exit 0, /dev/null still a character device"
  else fail "--output /dev/null: exit $rc"; show "$TMP/devnull.err"; fi
else
  fail "--output /dev/null replaced /dev/null by a regular file"
  # Repair the machine (root only) so later tests are not poisoned.
  [ "$(id -u)" -eq 0 ] && rm -f /dev/null && mknod -m 666 /dev/null c 1 3 && echo "      (restored /dev/null)"
fi
if ls /dev/null.tmp* > /dev/null 2>&1; then fail "temp file left in /dev: $(ls /dev/null.tmp*)"; fi

if "$GB" classify --db "$DB" --threads "$THREADS" --output "$TMP/out.txt.zst" --report "$TMP/zstout.rep" "$R1" \
     2> "$TMP/zstout.err"; then
  zstd -dcq "$TMP/out.txt.zst" > "$TMP/zstout.txt" 2> "$TMP/zstd.err" || fail ".zst output is not valid zstd"
  same ".zst output decompresses to the plain output" "$TMP/plain.out" "$TMP/zstout.txt"
else
  fail ".zst output: exit $?"; show "$TMP/zstout.err"
fi

# Reads from stdin ("-").
run_ok stdin - < "$R1" && same "input from stdin (-) = file" "$TMP/plain.out" "$TMP/stdin.out"

# A FIFO as output is written in place (no temporary file next to it).
mkfifo "$TMP/fifo.out"
cat "$TMP/fifo.out" > "$TMP/fifo.txt" &
reader=$!
if "$GB" classify --db "$DB" --threads "$THREADS" --output "$TMP/fifo.out" --report "$TMP/fifo.rep" "$R1" \
     2> "$TMP/fifo.err"; then
  wait "$reader"
  if [ -p "$TMP/fifo.out" ]; then same "--output FIFO written in place, still a FIFO" "$TMP/plain.out" "$TMP/fifo.txt"
  else fail "--output FIFO: the FIFO was replaced"; fi
else
  fail "--output FIFO: exit $?"; show "$TMP/fifo.err"; kill "$reader" 2> /dev/null
fi

# --use-names: "Name (taxid N)" in column 3, numeric hit list unchanged.
if run_ok names --use-names "$R1"; then
  if cmp -s <(cut -f1,2,4,5 "$TMP/plain.out") <(cut -f1,2,4,5 "$TMP/names.out") &&
     awk -F'\t' '$3 !~ /^.+ \(taxid [0-9]+\)$/ { bad++ } END { exit bad > 0 }' "$TMP/names.out"; then
    ok "--use-names: 'Name (taxid N)', other columns unchanged ($(awk -F'\t' '$1 == "C" { print $3; exit }' "$TMP/names.out"))"
  else
    fail "--use-names"; show "$TMP/names.out" 3
  fi
fi

# ---------------------------------------------------------------- pairs and threads
interleave "$R1" "$R2" > "$TMP/interleaved.fastq"
run_ok paired --paired "$R1" "$R2" &&
  run_ok interleaved --interleaved "$TMP/interleaved.fastq" &&
  same "paired files = --interleaved" "$TMP/paired.out" "$TMP/interleaved.out"
if awk -F'\t' -v n="$N_PAIRS" '$4 != "100|100" { bad = 1 } END { exit bad || NR != n }' "$TMP/paired.out"; then
  ok "paired: one line per pair, length 100|100"
else
  fail "paired output shape"; show "$TMP/paired.out" 2
fi

# Thread counts must not change a byte: paired sim reads, and the real honey-bee reads
# (25,000 reads, several input batches) when the data dir has them.
BEE=$DATA/reads/virus/SRR059298_honeybee_first25k.fastq.gz
for t in 1 2 4; do
  THREADS=$t run_ok "pair_t$t" --paired "$R1" "$R2"
  [ -s "$BEE" ] && THREADS=$t run_ok "bee_t$t" "$BEE"
done
same "paired output, 1 vs 2 threads" "$TMP/pair_t1.out" "$TMP/pair_t2.out"
same "paired output, 1 vs 4 threads" "$TMP/pair_t1.out" "$TMP/pair_t4.out"
if [ -s "$BEE" ]; then
  same "honey-bee reads output, 1 vs 2 threads" "$TMP/bee_t1.out" "$TMP/bee_t2.out"
  same "honey-bee reads output, 1 vs 4 threads" "$TMP/bee_t1.out" "$TMP/bee_t4.out"
  same "honey-bee reads report, 1 vs 4 threads" "$TMP/bee_t1.rep" "$TMP/bee_t4.rep"
  n_dwv=$(awk -F'\t' '$3 == 198112 || $3 == 232800' "$TMP/bee_t1.out" | wc -l)
  echo "      (honey-bee reads: $(wc -l < "$TMP/bee_t1.out") output lines, $n_dwv called DWV or VDV-1)"
else
  skip "honey-bee reads not in $DATA"
fi

# ---------------------------------------------------------------- build determinism
# The DB file carries no timestamp: the same references must give the same bytes whatever
# the thread count or the references' encoding (gzip, zstd, plain with CRLF and lowercase).
mkdir -p "$TMP/refs_alt"
alt=()
for r in "${TINY_REFS[@]}"; do
  b=$(basename "$r" .gz)
  case $b in
    *lambda*) gzip -dc -f "$r" | zstd -q -c > "$TMP/refs_alt/$b.zst" && alt+=("$TMP/refs_alt/$b.zst") ;;
    *) gzip -dc -f "$r" | awk '/^>/ { print; next } { print tolower($0) }' | sed 's/$/\r/' > "$TMP/refs_alt/$b.crlf"
       alt+=("$TMP/refs_alt/$b.crlf") ;;
  esac
done
for variant in t1 t4 alt; do
  case $variant in
    t1) args=(--threads 1 "${TINY_REFS[@]}") ;;
    t4) args=(--threads 4 "${TINY_REFS[@]}") ;;
    alt) args=(--threads "$THREADS" "${alt[@]}") ;;
  esac
  "$GB" build --taxonomy "$TINY_TAX" --seqid2taxid "$TINY_MAP" --db "$TMP/db_$variant" "${args[@]}" \
    > /dev/null 2> "$TMP/db_$variant.err" || { fail "build ($variant): exit $?"; show "$TMP/db_$variant.err"; }
done
same "DB bytes, build --threads 1 vs 4" "$TMP/db_t1/gutbrain.db" "$TMP/db_t4/gutbrain.db"
same "DB bytes, references gz vs zstd/CRLF/lowercase" "$TMP/db_t1/gutbrain.db" "$TMP/db_alt/gutbrain.db"

# ---------------------------------------------------------------- kraken:taxid headers
# A reference whose header carries ">id|kraken:taxid|N" needs no seqid2taxid map.
if "$GB" build --taxonomy "$TINY_TAX" --db "$TMP/db_kraken" --threads "$THREADS" "$TMP/refs/ecoli_slice.fna" \
     > /dev/null 2> "$TMP/db_kraken.err"; then
  DB=$TMP/db_kraken run_ok kraken_hdr "$R1"
  n_slice=$(awk -F'\t' '$2 ~ /^s3_/ && $3 == '"$SLICE_TAXID"'' "$TMP/kraken_hdr.out" | wc -l)
  if [ "$n_slice" -gt 0 ]; then ok "build from kraken:taxid header without a map ($n_slice slice reads -> $SLICE_TAXID)"
  else fail "build from kraken:taxid header: no read called $SLICE_TAXID"; fi
else
  fail "build from kraken:taxid header without a map: exit $?"; show "$TMP/db_kraken.err"
fi

finish
