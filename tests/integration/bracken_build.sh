#!/usr/bin/env bash
# gutbrain bracken-build against Bracken's own steps on the same database.kraken: a small
# gutbrain DB (the tiny references, DWV isolates sharing one taxid, three H. pylori strains),
# its library classified with `gutbrain classify` into database.kraken, then the peer's
# kmer2read_distr (compiled from ../shared/peers/bracken) and generate_kmer_distribution.py;
# gutbrain's database{L}mers.kmer_distrib must hold the same lines (compared with lines and
# cells sorted, and byte for byte) for two read lengths. Plus bad input.
set -uo pipefail
source "$(dirname "$0")/lib.bash"

require_peer bracken src/kmer2read_distr.cpp
command -v python3 >/dev/null || die "python3 is needed for Bracken's generate_kmer_distribution.py"
echo "data: $DATA"
echo "temp: $TMP"

# ---- the peer's kmer2read_distr, built in the temp dir
cp -r "$PEERS/bracken/src" "$TMP/bracken-src"
make -s -C "$TMP/bracken-src" > "$TMP/bracken-make.log" 2>&1 || { show "$TMP/bracken-make.log" 20; die "building kmer2read_distr failed"; }
ok "kmer2read_distr built from $PEERS/bracken/src"

# ---- a small DB whose library is laid out as Kraken 2's (DIR/library/**, DIR/seqid2taxid.map)
prepare_tiny_refs
EXTRA=()
for f in Deformed_wing_virus_isolate_VDV-1-DWV-No-5.fna.gz Helicobacter_pylori_G27.fna.gz \
         Helicobacter_pylori_ELS37.fna.gz Helicobacter_pylori_SJM180.fna.gz Enterococcus_faecalis_T2.fna.gz \
         Enterococcus_faecalis_YI6-1.fna.gz Enterococcus_faecium_NBRC100486.fna.gz; do
  [ -s "$DATA/refs/$f" ] && EXTRA+=("$f")
done
DB=$TMP/db
mkdir -p "$DB/library/added"
for f in "${TINY_REFS[@]}"; do gzip -dcf "$f"; done > "$DB/library/tiny.fna"
for f in "${EXTRA[@]}"; do gzip -dc "$DATA/refs/$f"; done > "$DB/library/added/extra.fasta"
{ cat "$TINY_MAP"; data_map_rows "${EXTRA[@]}"; } > "$DB/seqid2taxid.map"
"$GB" build -q --taxonomy "$TINY_TAX" --seqid2taxid "$DB/seqid2taxid.map" --db "$DB" --threads "$THREADS" \
  "$DB/library/tiny.fna" "$DB/library/added/extra.fasta" 2> "$TMP/build.err" \
  || { show "$TMP/build.err" 10; die "gutbrain build failed"; }
ok "DB built from $(grep -c '^>' "$DB/library/tiny.fna" "$DB/library/added/extra.fasta" | awk -F: '{ s += $2 } END { print s }') sequences (${EXTRA[*]:-no extra genomes})"

# ---- Bracken's pipeline on gutbrain's per-read output, in library order (as bracken-build finds it)
for f in "$DB/library/added/extra.fasta" "$DB/library/tiny.fna"; do
  "$GB" classify -q --db "$DB" --threads "$THREADS" --output - "$f" || die "gutbrain classify $f failed"
done > "$TMP/database.kraken"
LENGTHS="100 150"
for L in $LENGTHS; do
  "$TMP/bracken-src/kmer2read_distr" --seqid2taxid "$DB/seqid2taxid.map" --taxonomy "$TINY_TAX" \
    --kraken "$TMP/database.kraken" --output "$TMP/database${L}mers.kraken" -k 35 -l "$L" -t 1 \
    > "$TMP/k2r.$L.log" 2>&1 || { show "$TMP/k2r.$L.log" 10; die "kmer2read_distr -l $L failed"; }
  python3 "$PEERS/bracken/src/generate_kmer_distribution.py" -i "$TMP/database${L}mers.kraken" \
    -o "$TMP/peer${L}.kmer_distrib" > "$TMP/gen.$L.log" 2>&1 || { show "$TMP/gen.$L.log" 10; die "generate_kmer_distribution.py failed"; }
done

# ---- gutbrain's, with the defaults: library and seqid2taxid.map found in DIR
start=$(date +%s.%N)
if "$GB" bracken-build --db "$DB" --read-length 100,150 --threads "$THREADS" 2> "$TMP/bb.err"; then
  ok "bracken-build --read-length 100,150 ran in $(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s"
else
  fail "bracken-build exit $?"; show "$TMP/bb.err" 10
fi
[ -z "$(ls -A "$DB" | grep -v -E '^(gutbrain\.db|library|seqid2taxid\.map|database(100|150)mers\.kmer_distrib)$')" ] \
  && ok "no temporary file left in the DB folder" || fail "left in $DB: $(ls -A "$DB" | tr '\n' ' ')"

# Lines with their cells sorted, then the lines sorted: the content without Bracken's order.
canonical() {
  python3 - "$1" <<'PY'
import sys
lines = open(sys.argv[1]).read().split("\n")
rows = [l.split("\t")[0] + "\t" + " ".join(sorted(l.split("\t")[1].split())) for l in lines[1:] if l]
print(lines[0]); print("\n".join(sorted(rows)))
PY
}
for L in $LENGTHS; do
  ours=$DB/database${L}mers.kmer_distrib peer=$TMP/peer${L}.kmer_distrib
  rows=$(($(wc -l < "$peer") - 1))
  if [ "$rows" -gt 3 ] && diff <(canonical "$peer") <(canonical "$ours") > "$TMP/diff.$L"; then
    ok "L=$L: the same $rows taxa and cells as Bracken's kmer2read_distr + generate_kmer_distribution.py"
  else
    fail "L=$L: differs from Bracken's ($rows rows)"; show "$TMP/diff.$L" 8
  fi
  cmp -s "$peer" "$ours" && ok "L=$L: byte-identical, in Bracken's order too" || fail "L=$L: same content, other order"
done

# --kraken: the same tables from the per-read output made above, without classifying
mkdir -p "$TMP/db2"
ln -s "$DB/gutbrain.db" "$TMP/db2/gutbrain.db"
if "$GB" bracken-build -q --db "$TMP/db2" --read-length 150 --kraken "$TMP/database.kraken" \
     --seqid2taxid "$DB/seqid2taxid.map" 2> "$TMP/bb2.err" \
   && cmp -s "$TMP/db2/database150mers.kmer_distrib" "$DB/database150mers.kmer_distrib"; then
  ok "--kraken database.kraken gives the same file"
else
  fail "--kraken database.kraken differs or failed"; show "$TMP/bb2.err" 5
fi

# --library in another order, plus a sequence the map lacks (left out with a warning): same content
printf '>not_in_the_map\n%s\n' "$(head -c 3000 /dev/zero | tr '\0' 'A')ACGTTGCA" > "$TMP/unmapped.fa"
mkdir -p "$TMP/db4"
ln -s "$DB/gutbrain.db" "$TMP/db4/gutbrain.db"
if "$GB" bracken-build --db "$TMP/db4" --read-length 100 --seqid2taxid "$DB/seqid2taxid.map" --threads "$THREADS" \
     "$DB/library/tiny.fna" --library "$TMP/unmapped.fa" --library "$DB/library/added/extra.fasta" 2> "$TMP/bb4.err" \
   && diff <(canonical "$TMP/peer100.kmer_distrib") <(canonical "$TMP/db4/database100mers.kmer_distrib") > /dev/null \
   && grep -q "not_in_the_map" "$TMP/bb4.err"; then
  ok "library files given in another order, one unmapped sequence warned and left out: the same lines"
else
  fail "library given explicitly: differs, failed, or no warning"; show "$TMP/bb4.err" 5
fi

# ---- a Kraken 2 database (Debian's kraken2-build): bracken-build finds DIR/library and
# DIR/seqid2taxid.map as Bracken does, and must write exactly what Bracken's bracken-build
# writes there, whose step 1 is kraken2 itself on the library
if command -v kraken2-build > /dev/null; then
  K2=$TMP/k2
  if build_kraken2_db "$K2"; then
    kraken2 --db "$K2" --threads 1 "$K2/library/added/refs.fna" > "$TMP/k2_database.kraken" 2> "$TMP/k2.err"
    "$TMP/bracken-src/kmer2read_distr" --seqid2taxid "$K2/seqid2taxid.map" --taxonomy "$K2/taxonomy" \
      --kraken "$TMP/k2_database.kraken" --output "$TMP/k2_database100mers.kraken" -k 35 -l 100 -t 1 > /dev/null 2>&1
    python3 "$PEERS/bracken/src/generate_kmer_distribution.py" -i "$TMP/k2_database100mers.kraken" \
      -o "$TMP/k2_peer100.kmer_distrib" > /dev/null 2>&1
    if "$GB" bracken-build -q --db "$K2" --read-length 100 --threads "$THREADS" 2> "$TMP/k2bb.err" \
       && [ -s "$TMP/k2_peer100.kmer_distrib" ] && cmp -s "$TMP/k2_peer100.kmer_distrib" "$K2/database100mers.kmer_distrib"; then
      ok "Kraken 2 database: bracken-build byte-identical to kraken2 + kmer2read_distr + generate_kmer_distribution.py"
    else
      fail "Kraken 2 database: bracken-build differs from Bracken's pipeline"; show "$TMP/k2bb.err" 5
    fi
  else
    fail "kraken2-build failed"
  fi
else
  fail "kraken2-build not installed (make deps)"
fi

# ---- build --bracken-length: the same distribution as bracken-build, in the same command
if "$GB" build -q --taxonomy "$TINY_TAX" --seqid2taxid "$DB/seqid2taxid.map" --db "$TMP/dbb" --threads "$THREADS" \
     --bracken-length 100 "$DB/library/tiny.fna" "$DB/library/added/extra.fasta" 2> "$TMP/buildb.err" \
   && cmp -s "$TMP/dbb/gutbrain.db" "$DB/gutbrain.db" \
   && diff <(canonical "$TMP/dbb/database100mers.kmer_distrib") <(canonical "$DB/database100mers.kmer_distrib") \
     > /dev/null; then
  # cells follow the library order: here the command line's, there the library folder's
  ok "build --bracken-length 100: the same database, and the same distribution as bracken-build"
else
  fail "build --bracken-length 100 differs or failed"; show "$TMP/buildb.err" 5
fi

# ---- classify --bracken-length: Bracken's outputs built in, the same as est_abundance.py on the
# report gutbrain wrote and the distribution bracken-build wrote
# reads: 150-base windows every 97 bases of every library sequence (deterministic)
awk '/^>/ { if (seq != "") emit(); name = substr($1, 2); seq = ""; next } { seq = seq $0 }
     function emit(   i) { for (i = 1; i + 149 <= length(seq); i += 97) printf ">%s_%d\n%s\n", name, i, substr(seq, i, 150) }
     END { if (seq != "") emit() }' "$DB/library/tiny.fna" "$DB/library/added/extra.fasta" > "$TMP/reads.fa"
for level in S G; do
  if "$GB" classify -q --db "$DB" --threads "$THREADS" --output /dev/null --report "$TMP/r$level.kreport" \
       --bracken-length 100 --bracken-level "$level" --bracken-threshold 5 "$TMP/reads.fa" 2> "$TMP/cb.err" \
     && python3 "$PEERS/bracken/src/est_abundance.py" -i "$TMP/r$level.kreport" -k "$DB/database100mers.kmer_distrib" \
       -l "$level" -t 5 -o "$TMP/peer$level.bracken" --out-report "$TMP/peer$level.kreport" > "$TMP/est.log" 2>&1 \
     && cmp -s "$TMP/r$level.kreport.bracken" "$TMP/peer$level.bracken" \
     && cmp -s "$(ls "$TMP"/r${level}_bracken_*.kreport)" "$TMP/peer$level.kreport"; then
    ok "classify --bracken-length 100 --bracken-level $level: table and report identical to est_abundance.py" \
       "($(($(wc -l < "$TMP/peer$level.bracken") - 1)) taxa)"
  else
    fail "classify --bracken-length --bracken-level $level differs from est_abundance.py or failed"
    show "$TMP/cb.err" 5; show "$TMP/est.log" 5
  fi
done
"$GB" classify -q --db "$DB" --output /dev/null --report "$TMP/x.kreport" --bracken-length 77 "$TMP/reads.fa" \
  2> "$TMP/nolen.err"
rc=$?
[ "$rc" -eq 2 ] && grep -q 'database77mers.kmer_distrib' "$TMP/nolen.err" && [ ! -e "$TMP/x.kreport" ] \
  && ok "--bracken-length with no distribution file: exit 2 naming it, before classifying" \
  || { fail "--bracken-length 77: exit $rc"; show "$TMP/nolen.err" 3; }
mkdir -p "$TMP/db5"
ln -s "$DB/gutbrain.db" "$TMP/db5/gutbrain.db"
sed '2s/^[0-9]*\t/999999999\t/' "$DB/database100mers.kmer_distrib" > "$TMP/db5/database100mers.kmer_distrib"
"$GB" classify -q --db "$TMP/db5" --output /dev/null --report "$TMP/y.kreport" --bracken-length 100 \
  "$TMP/reads.fa" 2> "$TMP/badtax.err"
rc=$?
[ "$rc" -eq 2 ] && grep -q '999999999' "$TMP/badtax.err" && [ ! -e "$TMP/y.kreport" ] \
  && ok "a distribution with a taxid not in the database: exit 2 naming the file and taxid" \
  || { fail "bad taxid in the distribution: exit $rc"; show "$TMP/badtax.err" 3; }

# ---- run --bracken-length: per-sample Bracken outputs (as est_abundance.py on each sample's
# kreport) and cohort_bracken.biom holding their re-estimated counts
awk 'NR % 6 == 1 || NR % 6 == 2 { print > (FILENAME ".a") } NR % 6 == 3 || NR % 6 == 4 { print > (FILENAME ".b") }
     NR % 6 == 5 || NR % 6 == 0 { print > (FILENAME ".c") }' "$TMP/reads.fa"
printf 'sample,fastq_1,fastq_2\nA,%s,\nB,%s,\nC,%s,\n' "$TMP/reads.fa.a" "$TMP/reads.fa.b" "$TMP/reads.fa.c" > "$TMP/sheet.csv"
if "$GB" run -q --db "$DB" --samples "$TMP/sheet.csv" --out "$TMP/run" --threads "$THREADS" --bracken-length 100 \
     --bracken-threshold 5 2> "$TMP/run.err"; then
  same=0
  for id in A B C; do
    python3 "$PEERS/bracken/src/est_abundance.py" -i "$TMP/run/samples/$id.kreport" \
      -k "$DB/database100mers.kmer_distrib" -l S -t 5 -o "$TMP/peer_$id.bracken" \
      --out-report "$TMP/peer_$id.kreport" > /dev/null 2>&1 \
      && cmp -s "$TMP/run/samples/$id.bracken" "$TMP/peer_$id.bracken" \
      && cmp -s "$TMP/run/samples/${id}_bracken_species.kreport" "$TMP/peer_$id.kreport" && same=$((same + 1))
  done
  [ "$same" -eq 3 ] && ok "run --bracken-length: every sample's table and report identical to est_abundance.py" \
    || fail "run --bracken-length: $same of 3 samples identical to est_abundance.py"
  /usr/bin/python3 - "$TMP/run/cohort_bracken.biom" "$TMP/run/samples" > "$TMP/biom.out" 2>&1 <<'PY' \
    && ok "cohort_bracken.biom: $(cat "$TMP/biom.out")" || { fail "cohort_bracken.biom does not match the tables"; show "$TMP/biom.out" 5; }
import sys, csv, biom
t = biom.load_table(sys.argv[1])
for sid in t.ids(axis="sample"):
    want = {}
    with open(f"{sys.argv[2]}/{sid}.bracken") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            if int(row["new_est_reads"]) > 0:
                want[row["taxonomy_id"]] = int(row["new_est_reads"])
    col = t.data(sid, axis="sample", dense=True)
    got = {o: int(v) for o, v in zip(t.ids(axis="observation"), col) if v > 0}
    assert got == want, (sid, got, want)
print(f"{t.shape[1]} samples x {t.shape[0]} taxa, counts = the samples' new_est_reads")
PY
  check_biom_readers "run --bracken-length" "$TMP/run/cohort.biom" "$TMP/run/cohort_bracken.biom"
else
  fail "run --bracken-length failed"; show "$TMP/run.err" 5
fi

# ---- bad input: usage errors exit 1, bad files exit 2, nothing left under the final name
expect_exit() { # CODE LABEL ARGS...
  local want=$1 label=$2; shift 2
  "$GB" bracken-build -q "$@" > /dev/null 2> "$TMP/bad.err"
  local got=$?
  [ "$got" -eq "$want" ] && ok "$label: exit $want ($(head -c 100 "$TMP/bad.err" | head -n 1))" \
    || { fail "$label: exit $got, wanted $want"; show "$TMP/bad.err" 3; }
}
mkdir -p "$TMP/db3"
ln -s "$DB/gutbrain.db" "$TMP/db3/gutbrain.db"
expect_exit 1 "read length below k" --db "$TMP/db3" --read-length 30 --kraken "$TMP/database.kraken"
expect_exit 1 "no --read-length" --db "$TMP/db3" --kraken "$TMP/database.kraken"
expect_exit 1 "no library in a gutbrain DB folder" --db "$TMP/db3" --read-length 100
sed '2s/\t[0-9]*:/\t999999999:/' "$TMP/database.kraken" > "$TMP/bad.kraken"
expect_exit 2 "taxid not in the DB" --db "$TMP/db3" --read-length 100 --kraken "$TMP/bad.kraken" \
  --seqid2taxid "$DB/seqid2taxid.map"
printf 'C\tx\n' > "$TMP/bad2.kraken"
expect_exit 2 "truncated per-read line" --db "$TMP/db3" --read-length 100 --kraken "$TMP/bad2.kraken"
[ -z "$(ls "$TMP/db3" | grep -v '^gutbrain.db$')" ] && ok "nothing written after the errors" \
  || fail "left in db3: $(ls "$TMP/db3" | tr '\n' ' ')"
finish
