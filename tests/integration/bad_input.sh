#!/usr/bin/env bash
# Bad input must fail cleanly: the documented exit code (2 = input error, 1 = usage),
# exactly one error line on stderr naming the file, and no output under its final name
# (a pre-existing output keeps its old content). Prints ok/FAIL per check; exit 1 on any FAIL.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash"

# classify_error NAME CODE PATTERN -- classify args (without --output/--report)
# Runs the case twice: into an empty directory (nothing may appear there) and over
# existing OUT/REPORT files (they must keep their old content).
classify_error() {
  local name=$1 code=$2 pattern=$3 dir; shift 4
  dir=$TMP/out_$name
  mkdir -p "$dir"
  expect_error "$name" "$code" "$pattern" "$dir/out.txt $dir/report.txt" -- \
    "$GB" classify --db "$DB" --threads "$THREADS" --output "$dir/out.txt" --report "$dir/report.txt" "$@"
  [ -z "$(ls -A "$dir")" ] || fail "$name: files left in the output dir: $(ls -A "$dir" | tr '\n' ' ')"

  echo "old output" > "$dir/out.txt"
  echo "old report" > "$dir/report.txt"
  "$GB" classify --db "$DB" --threads "$THREADS" --output "$dir/out.txt" --report "$dir/report.txt" "$@" \
    > /dev/null 2> "$TMP/$name.keep.err"
  if [ "$(cat "$dir/out.txt")" = "old output" ] && [ "$(cat "$dir/report.txt")" = "old report" ] &&
     [ "$(ls -A "$dir" | wc -l)" -eq 2 ]; then
    ok "$name: existing output and report kept their content"
  else
    fail "$name: existing output/report changed or extra files: $(ls -A "$dir" | tr '\n' ' ')"
    show "$dir/out.txt" 3
  fi
}

# build_error NAME CODE PATTERN -- build args (without --db)
build_error() {
  local name=$1 code=$2 pattern=$3 db; shift 4
  db=$TMP/db_$name
  expect_error "$name" "$code" "$pattern" "$db" -- "$GB" build --db "$db" --threads "$THREADS" "$@"
}

# ---------------------------------------------------------------- setup
setup_tiny_db
DBFILE=$(ls -S "$DB"/* | head -n1)   # the (largest) database file
sim_pairs "$TMP/good" 200 20 "${TINY_REFS[@]}"
GOOD_R1=$TMP/good_R1.fastq
GOOD_R2=$TMP/good_R2.fastq
# Sanity: the good input itself must work, or every case below proves nothing.
if "$GB" classify --db "$DB" --threads "$THREADS" --paired --output "$TMP/good.out" --report "$TMP/good.rep" \
     "$GOOD_R1" "$GOOD_R2" 2> "$TMP/good.err"; then
  ok "control: good paired input classifies"
else
  fail "control: good paired input fails"; show "$TMP/good.err"
fi
BIG=$DATA/reads/virus/SRR059298_honeybee_first25k.fastq.gz
if [ ! -s "$BIG" ]; then
  # No real read file: a larger simulated one so truncation happens mid-run.
  sim_pairs "$TMP/big" 5000 1000 "${TINY_REFS[@]}"
  gzip -c "$TMP/big_R1.fastq" > "$TMP/big_R1.fastq.gz"
  BIG=$TMP/big_R1.fastq.gz
fi

# ---------------------------------------------------------------- reads
# Truncated compressed streams: cut at 70 % so the error appears after output started.
gzip -dc "$BIG" > "$TMP/big.fastq"
size=$(stat -c %s "$BIG")
head -c $((size * 7 / 10)) "$BIG" > "$TMP/truncated.fastq.gz"
classify_error truncated_gz 2 'truncated\.fastq\.gz' -- "$TMP/truncated.fastq.gz"

zstd -q -19 -c "$TMP/big.fastq" > "$TMP/full.fastq.zst"
size=$(stat -c %s "$TMP/full.fastq.zst")
head -c $((size * 7 / 10)) "$TMP/full.fastq.zst" > "$TMP/truncated.fastq.zst"
classify_error truncated_zst 2 'truncated\.fastq\.zst' -- "$TMP/truncated.fastq.zst"

# Record 3 (lines 9-12) is broken in each of these.
head -n 8 "$GOOD_R1" > "$TMP/badqual.fastq"
printf '@bad3\nACGTACGTACGTACGTACGTACGTACGTACGTACGTACGT\n+\nIIIIIIIIII\n' >> "$TMP/badqual.fastq"
tail -n +9 "$GOOD_R1" | head -n 8 >> "$TMP/badqual.fastq"
classify_error qual_length 2 'badqual\.fastq.*(record 3|line (9|1[0-2]))' -- "$TMP/badqual.fastq"

head -n 8 "$GOOD_R1" > "$TMP/noplus.fastq"
printf '@bad3\nACGTACGTACGTACGTACGTACGTACGTACGTACGTACGT\nIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIII\n' >> "$TMP/noplus.fastq"
tail -n +9 "$GOOD_R1" | head -n 8 >> "$TMP/noplus.fastq"
classify_error missing_plus 2 'noplus\.fastq.*(record 3|line (9|1[0-2]))' -- "$TMP/noplus.fastq"

# Seeded "random" bytes (reproducible), first byte forced to a non-FASTA/FASTQ/magic value.
python3 -c 'import random, sys; r = random.Random(4096)
sys.stdout.buffer.write(b"\x07" + bytes(r.randrange(256) for _ in range(4095)))' > "$TMP/garbage.bin"
classify_error binary_garbage 2 'garbage\.bin' -- "$TMP/garbage.bin"

classify_error missing_file 2 'does_not_exist\.fastq' -- "$TMP/does_not_exist.fastq"

cp "$GOOD_R1" "$TMP/unreadable.fastq"
chmod 000 "$TMP/unreadable.fastq"
if [ "$(id -u)" -eq 0 ]; then
  skip "unreadable_file: running as root, which can read a chmod 000 file"
else
  classify_error unreadable_file 2 'unreadable\.fastq' -- "$TMP/unreadable.fastq"
fi
chmod 600 "$TMP/unreadable.fastq"

# Plain FASTQ that ends after a sequence line (no '+', no qualities).
head -n 10 "$GOOD_R1" > "$TMP/cut.fastq"
classify_error truncated_fastq 2 'cut\.fastq' -- "$TMP/cut.fastq"

# Interleaved input with an odd number of records: the last read has no mate.
head -n 12 "$GOOD_R1" > "$TMP/odd_interleaved.fastq"
classify_error interleaved_odd 2 'odd_interleaved\.fastq' -- --interleaved "$TMP/odd_interleaved.fastq"

# Mate 2 one record short.
head -n $(( $(wc -l < "$GOOD_R2") - 4 )) "$GOOD_R2" > "$TMP/short_R2.fastq"
classify_error paired_count 2 'good_R1\.fastq|short_R2\.fastq' -- --paired "$GOOD_R1" "$TMP/short_R2.fastq"

# Output into a folder that does not exist: refused before any work, nothing created.
expect_error output_dir_missing 2 'no_such_dir' "$TMP/no_such_dir" -- \
  "$GB" classify --db "$DB" --threads "$THREADS" --output "$TMP/no_such_dir/out.txt" --report "$TMP/out_rep.txt" "$GOOD_R1"
[ -e "$TMP/out_rep.txt" ] && fail "output_dir_missing: report written although the output failed"

# A CAMI profile into a folder that does not exist: refused before any work, no output, report
# or profile left (the same check as --output's, for the path users add for OPAL).
expect_error cami_dir_missing 2 'no_such_dir/p\.cami' "$TMP/cami_out.txt $TMP/cami_rep.txt" -- \
  "$GB" classify --db "$DB" --threads "$THREADS" --output "$TMP/cami_out.txt" --report "$TMP/cami_rep.txt" \
  --cami-out "$TMP/no_such_dir/p.cami" "$GOOD_R1"

# An output that stops growing mid-write (a file size limit of 8 kB, as a full disk would; SIGXFSZ
# is ignored, so the write fails with EFBIG): exit 2, one error line naming the file, no
# half-written output, report or CAMI profile under their names, the previous ones kept.
LIM=$TMP/out_limit
mkdir -p "$LIM"
echo "old output" > "$LIM/out.txt"
expect_error file_size_limit 2 'out\.txt.*File too large' "$LIM/report.txt $LIM/p.cami" -- \
  bash -c 'ulimit -f 8; exec "$@"' _ "$GB" classify --db "$DB" --threads "$THREADS" --output "$LIM/out.txt" \
  --report "$LIM/report.txt" --cami-out "$LIM/p.cami" "$GOOD_R1"
[ "$(cat "$LIM/out.txt")" = "old output" ] && [ -z "$(find "$LIM" -name '*.tmp.*')" ] &&
  ok "file_size_limit: the previous output kept, no temporary left" ||
  fail "file_size_limit: previous output changed or temporaries left: $(ls -A "$LIM" | tr '\n' ' ')"

# ---------------------------------------------------------------- database
DB_SAVED=$DB

DB=$TMP/no_such_db
classify_error missing_db 2 'no_such_db' -- "$GOOD_R1"

# A byte flipped in the middle of the database file: the payload checksum must catch it.
flip_byte() {  # flip_byte FILE OFFSET: invert every bit of one byte in place
  python3 -c 'import sys
with open(sys.argv[1], "r+b") as f:
    f.seek(int(sys.argv[2])); b = f.read(1); f.seek(int(sys.argv[2])); f.write(bytes([b[0] ^ 0xFF]))' "$1" "$2"
}
cp -r "$DB_SAVED" "$TMP/db_badsum"
f=$TMP/db_badsum/$(basename "$DBFILE")
flip_byte "$f" $(( $(stat -c %s "$f") / 2 ))
DB=$TMP/db_badsum
classify_error db_bad_checksum 2 'db_badsum' -- "$GOOD_R1"

# A flipped byte inside the header (byte 60) and a database cut to half its size.
cp -r "$DB_SAVED" "$TMP/db_badhdr"
flip_byte "$TMP/db_badhdr/$(basename "$DBFILE")" 60
DB=$TMP/db_badhdr
classify_error db_bad_header 2 'db_badhdr' -- "$GOOD_R1"
cp -r "$DB_SAVED" "$TMP/db_cut"
f=$TMP/db_cut/$(basename "$DBFILE")
truncate -s $(( $(stat -c %s "$f") / 2 )) "$f"
DB=$TMP/db_cut
classify_error db_truncated 2 'db_cut' -- "$GOOD_R1"

# Another format version: write version+1 into the u32 version field, at the offset that
# docs/DB-FORMAT.md gives (a table row "| 8 | u32 | format version ..."; else byte 8, after
# an 8-byte magic).
version_offset() {
  local doc=$ROOT/docs/DB-FORMAT.md off=""
  [ -r "$doc" ] && off=$(grep -i -m1 -E '^\|[[:space:]]*[0-9]+[[:space:]]*\|[^|]*\|[^|]*version' "$doc" |
                           sed -E 's/^\|[[:space:]]*([0-9]+).*/\1/')
  echo "${off:-8}"
}
bump_u32() {  # bump_u32 FILE OFFSET: little-endian u32 += 1
  python3 -c 'import struct, sys
with open(sys.argv[1], "r+b") as f:
    o = int(sys.argv[2]); f.seek(o); v = struct.unpack("<I", f.read(4))[0]
    f.seek(o); f.write(struct.pack("<I", v + 1)); print(v, "->", v + 1)' "$1" "$2"
}
cp -r "$DB_SAVED" "$TMP/db_v2"
f=$TMP/db_v2/$(basename "$DBFILE")
off=$(version_offset)
# bumped twice: 1 -> 3, a version no reader knows (2 is a capped gutbrain.db)
echo "      (version field at byte $off of $(basename "$f"): $(bump_u32 "$f" "$off"; bump_u32 "$f" "$off"))"
DB=$TMP/db_v2
classify_error db_other_version 2 'db_v2.*[Vv]ersion' -- "$GOOD_R1"
DB=$DB_SAVED

# ---------------------------------------------------------------- taxonomy and build
# Lambda's real lineage is replaced by a tiny hand-written tree.
write_taxonomy() {  # write_taxonomy DIR "child parent rank" ...
  local dir=$1 line child parent rank; shift
  mkdir -p "$dir"
  : > "$dir/nodes.dmp"; : > "$dir/names.dmp"
  for line in "$@"; do
    read -r child parent rank <<< "$line"
    printf '%s\t|\t%s\t|\t%s\t|\t\t|\t0\t|\t0\t|\t11\t|\t0\t|\t0\t|\t0\t|\t0\t|\t0\t|\t\t|\n' \
      "$child" "$parent" "$rank" >> "$dir/nodes.dmp"
    printf '%s\t|\tnode %s\t|\t\t|\tscientific name\t|\n' "$child" "$child" >> "$dir/names.dmp"
  done
}
LAMBDA=$DATA/refs/Enterobacteria_phage_lambda.fna.gz
LAMBDA_ID=$(gzip -dc "$LAMBDA" | head -n1 | cut -c2- | cut -d' ' -f1)
printf '%s\t10710\n' "$LAMBDA_ID" > "$TMP/lambda.map"
# 10710 -> 10699 -> 99999, and 99999 is not in the file.
write_taxonomy "$TMP/tax_noparent" "1 1 no rank" "10699 99999 family" "10710 10699 species"
build_error tax_missing_parent 2 'nodes\.dmp' -- --taxonomy "$TMP/tax_noparent" --seqid2taxid "$TMP/lambda.map" "$LAMBDA"
# 10710 -> 10699 -> 10744 -> 10699: a cycle that never reaches the root.
write_taxonomy "$TMP/tax_cycle" "1 1 no rank" "10744 10699 order" "10699 10744 family" "10710 10699 species"
build_error tax_cycle 2 'nodes\.dmp' -- --taxonomy "$TMP/tax_cycle" --seqid2taxid "$TMP/lambda.map" "$LAMBDA"

build_error build_missing_ref 2 'no_such_ref\.fna' -- --taxonomy "$TINY_TAX" --seqid2taxid "$TINY_MAP" "$TMP/no_such_ref.fna"
build_error build_garbage_ref 2 'garbage\.bin' -- --taxonomy "$TINY_TAX" --seqid2taxid "$TINY_MAP" "$TMP/garbage.bin"
build_error build_missing_taxonomy 2 'no_such_taxonomy' -- --taxonomy "$TMP/no_such_taxonomy" --seqid2taxid "$TINY_MAP" "${TINY_REFS[@]}"

# Unmapped sequence ids: drop the two virus rows other than lambda from the map (2 unmapped).
grep -v -e 'NC_004830' -e 'NC_006494' "$TINY_MAP" > "$TMP/partial.map"
n_unmapped=$(( $(wc -l < "$TINY_MAP") - $(wc -l < "$TMP/partial.map") ))
build_error unmapped_ids 2 "(^|[^0-9])$n_unmapped([^0-9]|$)" -- --taxonomy "$TINY_TAX" --seqid2taxid "$TMP/partial.map" "${TINY_REFS[@]}"
if "$GB" build --taxonomy "$TINY_TAX" --seqid2taxid "$TMP/partial.map" --skip-unmapped --db "$TMP/db_skip" \
     --threads "$THREADS" "${TINY_REFS[@]}" > /dev/null 2> "$TMP/skip.err" && [ -n "$(ls -A "$TMP/db_skip")" ]; then
  ok "unmapped_ids --skip-unmapped: exit 0, DB written ($n_unmapped unmapped skipped)"
else
  fail "unmapped_ids --skip-unmapped: exit $? or no DB"; show "$TMP/skip.err"
fi

# A failed rebuild must leave the existing database as it was.
cp -r "$DB_SAVED" "$TMP/db_keep"
md5_before=$(md5sum < "$TMP/db_keep/$(basename "$DBFILE")")
"$GB" build --taxonomy "$TINY_TAX" --seqid2taxid "$TINY_MAP" --db "$TMP/db_keep" --threads "$THREADS" \
  "${TINY_REFS[@]}" "$TMP/garbage.bin" > /dev/null 2> "$TMP/db_keep.err"
rc=$?
if [ "$rc" -eq 2 ] && [ "$(md5sum < "$TMP/db_keep/$(basename "$DBFILE")")" = "$md5_before" ] &&
   [ "$(ls -A "$TMP/db_keep" | wc -l)" -eq "$(ls -A "$DB_SAVED" | wc -l)" ]; then
  ok "failed rebuild (bad reference): exit 2, existing DB unchanged, no temp files"
else
  fail "failed rebuild: exit $rc, DB dir now: $(ls -A "$TMP/db_keep" | tr '\n' ' ')"; show "$TMP/db_keep.err"
fi

# ---------------------------------------------------------------- usage
# Usage errors: exit 1, something on stderr (may include the usage text), no output.
expect_usage() {  # expect_usage NAME PATTERN -- CMD...
  local name=$1 pattern=$2 rc; shift 3
  "$@" > /dev/null 2> "$TMP/$name.err"
  rc=$?
  if [ "$rc" -eq 1 ] && grep -Eq -- "$pattern" "$TMP/$name.err" && [ ! -e "$TMP/out_$name.txt" ]; then
    ok "$name: exit 1: $(grep -m1 -E -- "$pattern" "$TMP/$name.err" | cut -c1-160)"
  else
    fail "$name: exit $rc (want 1), stderr matching /$pattern/, no output"; show "$TMP/$name.err"
  fi
}
expect_usage usage_no_args '.' -- "$GB" classify
expect_usage usage_unknown_option 'no-such-option' -- \
  "$GB" classify --no-such-option --db "$DB" --output "$TMP/out_usage_unknown_option.txt" "$GOOD_R1"
expect_usage usage_bad_confidence 'confidence' -- \
  "$GB" classify --db "$DB" --confidence 1.5 --output "$TMP/out_usage_bad_confidence.txt" --report "$TMP/rep.txt" "$GOOD_R1"
expect_usage usage_unknown_command 'frobnicate' -- "$GB" frobnicate

finish
