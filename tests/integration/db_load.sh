#!/usr/bin/env bash
# --db-load read (docs/RUN.md, "Loading the database") against the default map, on the tiny
# gutbrain database and on a Kraken 2 database of the same references (Debian's kraken2-build):
# classify's per-read output and kreport are identical; `run` under mpirun -n 2 gives
# byte-identical samples/ and the same cohort content; its summary shows one copy per node:
# each rank read a part of the file and the parts add up to the file's size (not twice it).
# A bad --db-load value is a usage error; a truncated hash.k2d or gutbrain.db still exits 2
# with one error line naming the file, for classify and for run under mpirun.
# Prints ok/FAIL per check; exit 1 on any FAIL.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash"
source "$(dirname "${BASH_SOURCE[0]}")/run_lib.bash"
command -v kraken2-build > /dev/null || die "kraken2 is not installed (make deps)"

setup_cohort # DB=$TMP/db, SHEET
K2=$TMP/k2
build_kraken2_db "$K2" || die "kraken2-build failed"
ok "Kraken 2 database built ($(stat -c %s "$K2/hash.k2d") bytes of hash.k2d)"
sim_pairs "$TMP/reads" 200 50 "${TINY_REFS[@]}"
PAIR=("$TMP/reads_R1.fastq" "$TMP/reads_R2.fastq")

# check_db KIND DIR FILE: classify and run with map and read on the database DIR (FILE its large file)
check_db() {
  local kind=$1 dir=$2 file=$3 how
  DB=$dir
  for how in map read; do
    "$GB" classify --db "$dir" --db-load "$how" --threads 2 --paired --output "$TMP/$kind.$how.kout" \
      --report "$TMP/$kind.$how.rep" "${PAIR[@]}" 2> "$TMP/$kind.$how.cerr" ||
      { fail "$kind: classify --db-load $how exited non-zero"; show "$TMP/$kind.$how.cerr"; return; }
  done
  same_file "$kind: classify --db-load read: per-read output = map ($(wc -l < "$TMP/$kind.map.kout") reads)" \
    "$TMP/$kind.map.kout" "$TMP/$kind.read.kout"
  same_file "$kind: classify --db-load read: kreport = map" "$TMP/$kind.map.rep" "$TMP/$kind.read.rep"

  for how in map read; do
    gb_run_ok "$kind.run_$how" 2 "$TMP/$kind.run_$how" "$SHEET" --threads 1 --db-load "$how" || return
    cohort_dump "$TMP/$kind.run_$how/cohort.biom" "$TMP/$kind.run_$how.dump" 2> "$TMP/$kind.run_$how.dump.err" ||
      { fail "$kind: run --db-load $how: cohort.biom does not load"; show "$TMP/$kind.run_$how.dump.err"; return; }
  done
  if diff -r "$TMP/$kind.run_map/samples" "$TMP/$kind.run_read/samples" > "$TMP/$kind.run.diff"; then
    ok "$kind: mpirun -n 2 run --db-load read: samples/ byte-identical to map"
  else
    fail "$kind: mpirun -n 2 run --db-load read: samples/ differ from map"; show "$TMP/$kind.run.diff"
  fi
  same_file "$kind: mpirun -n 2 run --db-load read: cohort content = map" \
    "$TMP/$kind.run_map.dump" "$TMP/$kind.run_read.dump"

  # One copy per node: the ranks' "DB load MB" shares are each below the file's size, and the
  # bytes read add up to exactly one file.
  local size total shares
  size=$(stat -L -c %s "$dir/$file")
  total=$(sed -n 's/^database loaded by read: \([0-9]*\) bytes read by 2 ranks into 1 shared copy .*/\1/p' \
    "$TMP/$kind.run_read.err")
  shares=$(awk -v size="$size" '/^rank +samples/ { t = 1; next } t && !/^ *[0-9]+ / { t = 0 }
             t && NF == 9 { n++; if ($8 > 0 && $8 * 1e6 < size) good++ } END { print good + 0 "/" n + 0 }' \
    "$TMP/$kind.run_read.err")
  if [ "$total" = "$size" ] && [ "$shares" = 2/2 ]; then
    ok "$kind: run --db-load read: 2 ranks read $total bytes in all = $file's size (one copy per node)"
  else
    fail "$kind: run --db-load read: ranks read '$total' bytes ($shares ranks with a partial share), want $size in 2 shares"
    show "$TMP/$kind.run_read.err" 12
  fi
  grep -q '^database loaded by map: ' "$TMP/$kind.run_map.err" && ok "$kind: run --db-load map says so in the summary" ||
    { fail "$kind: run --db-load map: no 'database loaded by map' line"; show "$TMP/$kind.run_map.err"; }
}

check_db gutbrain "$TMP/db" gutbrain.db
check_db kraken2 "$K2" hash.k2d

expect_error bad_value 1 'db-load.*mmap' "$TMP/bad_value.kout" -- \
  "$GB" classify --db "$K2" --db-load mmap --output "$TMP/bad_value.kout" "${PAIR[0]}"

# A truncated large file: the same one error line, exit 2, with read as with map.
mkdir -p "$TMP/short_k2" && cp "$K2"/*.k2d "$TMP/short_k2/" && truncate -s -5 "$TMP/short_k2/hash.k2d"
mkdir -p "$TMP/short_gb" && cp "$TMP/db/gutbrain.db" "$TMP/short_gb/" && truncate -s -4096 "$TMP/short_gb/gutbrain.db"
for bad in short_k2:hash.k2d short_gb:gutbrain.db; do
  name=${bad%%:*} file=${bad#*:}
  expect_error "$name.classify" 2 "${file//./\\.}" "$TMP/$name.kout" -- \
    "$GB" classify --db "$TMP/$name" --db-load read --output "$TMP/$name.kout" "${PAIR[0]}"
  expect_error "$name.run" 2 "${file//./\\.}" "$TMP/$name.run/cohort.biom" -- \
    timeout -k 10 "$RUN_TIMEOUT" mpirun --oversubscribe -n 2 "$GB" run --db "$TMP/$name" --db-load read \
    --samples "$SHEET" --out "$TMP/$name.run" --threads 1
done

finish
