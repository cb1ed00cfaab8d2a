#!/usr/bin/env bash
# gutbrain build under faults and caps: --max-db-size too small (exit 1), a capped build
# (format version 2, table within the cap, classify skips the minimizers below the stored
# threshold), a temporary folder that fills up (a 4 MB tmpfs when mount works, else a file
# size limit with `ulimit -f`: exit 2, one error line), and SIGTERM mid-build (exit 143). In
# every failure: no gutbrain.db under the final name and no temporary file left behind.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash"

setup_tiny_db
# three ~5 Mbp genomes that ../shared/data and the Debian fallback (tests/data.sh) both have
BIG=("$DATA/refs/Escherichia_coli_536.fna.gz" "$DATA/refs/Escherichia_coli_DH1.fna.gz"
     "$DATA/refs/Staphylococcus_aureus_N315.fna.gz")
MAP=$DATA/seqid2taxid.tsv

# no_leftovers NAME DIR: nothing but the folder itself (no DB, no temporary file)
no_leftovers() {
  if [ -z "$(ls -A "$2" 2>/dev/null)" ]; then ok "$1: nothing left in $2"
  else fail "$1: left in $2: $(ls -A "$2" | tr '\n' ' ')"; fi
}

# ---------------------------------------------------------------- caps
expect_error cap_too_small 1 "max-db-size 63 holds no minimizer" "$TMP/db_small" -- \
  "$GB" build --db "$TMP/db_small" --max-db-size 63 --taxonomy "$TINY_TAX" --seqid2taxid "$TINY_MAP" "${TINY_REFS[@]}"

full_cells=$(( $(stat -c %s "$DB/gutbrain.db") ))
cap=$(( full_cells / 4 ))
if "$GB" build --db "$TMP/db_cap" --max-db-size "$cap" --threads "$THREADS" --taxonomy "$TINY_TAX" \
     --seqid2taxid "$TINY_MAP" "${TINY_REFS[@]}" > /dev/null 2> "$TMP/cap.err"; then
  version=$(od -An -tu4 -j8 -N4 "$TMP/db_cap/gutbrain.db" | tr -d ' ')
  buckets=$(od -An -tu8 -j48 -N8 "$TMP/db_cap/gutbrain.db" | tr -d ' ')
  [ "$version" = 2 ] && ok "capped DB is format version 2" || fail "capped DB version $version (want 2)"
  [ $((buckets * 64)) -le "$cap" ] && ok "capped table $((buckets * 64)) B <= --max-db-size $cap" ||
    fail "capped table $((buckets * 64)) B > $cap"
  [ "$(od -An -tu4 -j8 -N4 "$DB/gutbrain.db" | tr -d ' ')" = 1 ] && ok "uncapped DB stays format version 1" ||
    fail "uncapped DB is not version 1"
  sim_pairs "$TMP/r" 100 0 "${TINY_REFS[@]}"
  for d in db db_cap; do
    "$GB" classify --db "$TMP/$d" --threads "$THREADS" --output "$TMP/$d.out" --paired "$TMP/r_R1.fastq" "$TMP/r_R2.fastq" \
      > /dev/null 2> "$TMP/$d.cls.err" || { fail "classify on $d: exit $?"; show "$TMP/$d.cls.err"; }
  done
  full=$(cut -f5 "$TMP/db.out" | grep -o '[1-9][0-9]*:[0-9]*' | awk -F: '{ s += $2 } END { print s + 0 }')
  capped=$(cut -f5 "$TMP/db_cap.out" | grep -o '[1-9][0-9]*:[0-9]*' | awk -F: '{ s += $2 } END { print s + 0 }')
  if [ "$capped" -gt 0 ] && [ "$capped" -lt $((full / 2)) ]; then
    ok "capped DB: $capped k-mer hits against $full uncapped (about a quarter kept)"
  else fail "capped DB: $capped k-mer hits against $full uncapped (want 0 < capped < full/2)"; fi
else
  fail "capped build: exit $?"; show "$TMP/cap.err"
fi

# ---------------------------------------------------------------- disk full
mkdir -p "$TMP/small" "$TMP/db_full"
if mount -t tmpfs -o size=4m tmpfs "$TMP/small" 2>/dev/null; then
  how="4 MB tmpfs"
  expect_error disk_full 2 "No space left on device" "$TMP/db_full" -- \
    "$GB" build --db "$TMP/db_full" --tmp-dir "$TMP/small" --threads "$THREADS" --taxonomy "$DATA/taxonomy" \
    --seqid2taxid "$MAP" "${BIG[@]}"
  no_leftovers "disk full ($how)" "$TMP/small"
  umount "$TMP/small"
else
  how="ulimit -f 4096"
  expect_error disk_full 2 "File too large" "$TMP/db_full" -- \
    bash -c 'ulimit -f 4096; exec "$@"' _ "$GB" build --db "$TMP/db_full" --threads "$THREADS" \
    --taxonomy "$DATA/taxonomy" --seqid2taxid "$MAP" "${BIG[@]}"
fi
no_leftovers "disk full ($how)" "$TMP/db_full"

# ---------------------------------------------------------------- SIGTERM
mkdir -p "$TMP/db_term"
"$GB" build --db "$TMP/db_term" --threads "$THREADS" --taxonomy "$DATA/taxonomy" --seqid2taxid "$MAP" \
  "${BIG[@]}" "${BIG[@]}" "${BIG[@]}" "${BIG[@]}" "${BIG[@]}" "${BIG[@]}" > /dev/null 2> "$TMP/term.err" &
pid=$!
# signal once the scan has begun (its info line), not after a fixed time: the taxonomy load
# before it takes from 0.2 s to seconds depending on the taxdump and the machine's load
for _ in $(seq 600); do grep -q 'scanning with' "$TMP/term.err" && break; sleep 0.05; done
kill -TERM "$pid"
wait "$pid"
rc=$?
nerr=$(grep -c '^\[E::' "$TMP/term.err")
if [ "$rc" -eq 143 ] && [ "$nerr" -eq 1 ] && grep -q 'stopped by a signal' "$TMP/term.err"; then
  ok "SIGTERM mid-build: exit 143, one error line: $(grep '^\[E::' "$TMP/term.err")"
else fail "SIGTERM mid-build: exit $rc, $nerr error lines"; show "$TMP/term.err"; fi
no_leftovers SIGTERM "$TMP/db_term"

finish
