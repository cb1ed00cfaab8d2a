#!/usr/bin/env bash
# `gutbrain run` under faults, at 2 MPI ranks, every run under a timeout (docs/RUN.md, "Faults"):
# (1) the disk fills up mid-run, (1b) while cohort.biom is written; (2a) OUT read-only from the
# start, (2b) OUT turned read-only mid-run; (3) an input deleted and another truncated while the
# run goes. Each ends with the documented exit code and an error naming the file and the reason,
# leaves nothing half-written under a final name and no temporary file, and a rerun after the
# fault is fixed gives the cohort of a clean run. Full disk and read-only folder are simulated
# with a tmpfs (a filler file leaves a set number of free pages) and a read-only bind mount: this
# needs root; without it (1) and (2b) are skipped with a SKIP line and (2a) uses chmod 555.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash"
source "$(dirname "${BASH_SOURCE[0]}")/run_lib.bash"

RUN_TIMEOUT=60
# Every mount of this script is undone on every exit path, before lib.bash's cleanup.
MOUNTS=()
unmount_all() {
  local i
  for ((i = ${#MOUNTS[@]} - 1; i >= 0; i--)); do umount -l "${MOUNTS[i]}" 2> /dev/null; done
  MOUNTS=()
}
trap 'unmount_all; cleanup' EXIT

# small_disk DIR FREE_PAGES: a 2 MB tmpfs on DIR with only FREE_PAGES 4 kB pages left free (a
# filler file takes the rest). Non-zero when mount is impossible.
small_disk() {
  mkdir -p "$1"
  mount -t tmpfs -o size=2m tmpfs "$1" 2> /dev/null || return 1
  MOUNTS+=("$1")
  dd if=/dev/zero of="$1/filler" bs=4096 2> /dev/null
  truncate -s "-$(($2 * 4096))" "$1/filler"
}

# pages DIR: 4 kB pages the files under DIR take on a tmpfs.
pages() { find "$1" -type f -printf '%s\n' | awk '{ n += int(($1 + 4095) / 4096) } END { print n + 0 }'; }

# expect_rc WHAT NAME CODE PATTERN: run NAME exited CODE and one of its error lines matches PATTERN.
expect_rc() {
  local what=$1 name=$2 code=$3 pattern=$4
  if [ "$RC" -eq "$code" ] && grep '^\[E::' "$TMP/$name.err" | grep -Eq -- "$pattern"; then
    ok "$what: exit $RC, $(grep '^\[E::' "$TMP/$name.err" | grep -Em1 -- "$pattern" | cut -c1-150)"
  else
    fail "$what: exit $RC (want $code), error line /$pattern/ $(grep -Eq -- "$pattern" "$TMP/$name.err" || echo missing)"
    show "$TMP/$name.err" 8
  fi
}

# rerun_equals WHAT OUT SHEET: a rerun into OUT completes and its cohort equals the clean run's.
rerun_equals() {
  gb_run_ok "$1" 2 "$2" "$3" --threads 1 || return 1
  cohort_dump "$2/cohort.biom" "$TMP/$1.dump" 2> "$TMP/$1.dump.err" || { fail "$1: cohort does not load"; return 1; }
  same_file "$1: rerun's cohort = a clean run's" "$TMP/ref.dump" "$TMP/$1.dump"
  expect_no_tmp_files "$1" "$2"
}

# ---------------------------------------------------------------- cohort and clean run
# Eight samples sharing one pair of ~110,000 pairs, then two smaller ones with their own files
# (plain and gzip): the scheduler takes the largest first, so v1 and v2 come last.
setup_tiny_db
sim_pairs "$TMP/big" 25000 10000 "${TINY_REFS[@]}"
head -n 200000 "$TMP/big_R1.fastq" > "$TMP/v1_R1.fastq"
head -n 200000 "$TMP/big_R2.fastq" > "$TMP/v1_R2.fastq"
gzip -n -c "$TMP/v1_R1.fastq" > "$TMP/v2_R1.fastq.gz"
gzip -n -c "$TMP/v1_R2.fastq" > "$TMP/v2_R2.fastq.gz"
mkdir -p "$TMP/keep" && cp -p "$TMP"/v1_R1.fastq "$TMP"/v2_R1.fastq.gz "$TMP/keep/"
SHEET=$TMP/sheet.csv
{ echo "sample,fastq_1,fastq_2"
  for i in $(seq -w 1 8); do echo "big$i,$TMP/big_R1.fastq,$TMP/big_R2.fastq"; done
  echo "v1,$TMP/v1_R1.fastq,$TMP/v1_R2.fastq"
  echo "v2,$TMP/v2_R1.fastq.gz,$TMP/v2_R2.fastq.gz"; } > "$SHEET"
REF=$TMP/out_ref
gb_run_ok ref 2 "$REF" "$SHEET" --threads 1 || { finish; exit 1; }
cohort_dump "$REF/cohort.biom" "$TMP/ref.dump" || { fail "clean run's cohort does not load"; finish; exit 1; }
SAMPLE_PAGES=$(pages "$REF/samples")
COHORT_PAGES=$(pages "$REF/cohort.biom")
echo "      (clean run: samples/ takes $SAMPLE_PAGES pages, cohort.biom $COHORT_PAGES)"
# The cohort's blocks are reserved before the parallel write (cohort_h5.c): what was not used
# is given back, so the file occupies no more than its size rounded up to 4 kB pages.
size_pages=$(( ($(stat -c %s "$REF/cohort.biom") + 4095) / 4096 ))
used_pages=$(( $(stat -c '%b * %B' "$REF/cohort.biom") / 4096 ))
[ "$used_pages" -le "$size_pages" ] && ok "cohort.biom keeps no reserved blocks ($used_pages pages for $size_pages of data)" ||
  fail "cohort.biom occupies $used_pages pages for $size_pages pages of data (reserve not given back)"

# ---------------------------------------------------------------- (1) disk full
if small_disk "$TMP/full1" 10; then
  OUT=$TMP/full1/out
  gb_run full1 2 "$OUT" "$SHEET" --threads 1
  expect_rc "disk full mid-run (tmpfs, 10 pages free)" full1 2 "samples/.*No space left on device"
  grep -q 'rerun the same command' "$TMP/full1.err" && ok "disk full mid-run: says how to resume" ||
    fail "disk full mid-run: no resume hint"
  [ ! -e "$OUT/cohort.biom" ] && ok "disk full mid-run: no cohort.biom" || fail "disk full mid-run: cohort.biom written"
  only_complete_files "disk full mid-run" "$OUT" "$REF"
  expect_no_tmp_files "disk full mid-run" "$OUT"
  rm -f "$TMP/full1/filler"
  rerun_equals full1_rerun "$OUT" "$SHEET"

  # room for every sample's files and failed.tsv, but only half of cohort.biom
  small_disk "$TMP/full2" $((SAMPLE_PAGES + 1 + COHORT_PAGES / 2))
  OUT=$TMP/full2/out
  gb_run full2 2 "$OUT" "$SHEET" --threads 1
  expect_rc "disk full in cohort.biom (2 ranks, parallel HDF5)" full2 2 "cohort\.biom.*(No space left on device|write)"
  [ ! -e "$OUT/cohort.biom" ] && ok "disk full in cohort.biom: no cohort.biom under its final name" ||
    fail "disk full in cohort.biom: cohort.biom exists"
  only_complete_files "disk full in cohort.biom" "$OUT" "$REF"
  expect_no_tmp_files "disk full in cohort.biom" "$OUT"
  rm -f "$TMP/full2/filler"
  rerun_equals full2_rerun "$OUT" "$SHEET"
else
  skip "disk full: cannot mount a tmpfs here (needs root; docs/RUN.md, Faults)"
fi

# ---------------------------------------------------------------- (2) output folder unwritable
# read_only DIR: make DIR read-only (a read-only bind mount as root, who ignores modes; chmod
# 555 otherwise). A remount waits until no file on it is open for writing (EBUSY meanwhile).
read_only() {
  if [ "$(id -u)" -ne 0 ]; then chmod 555 "$1"; return; fi
  mount --bind "$1" "$1" && MOUNTS+=("$1") || return 1
  for _ in $(seq 500); do mount -o remount,bind,ro "$1" 2> /dev/null && return 0; sleep 0.01; done
  return 1
}
writable() {
  if [ "$(id -u)" -ne 0 ]; then chmod 755 "$1"; else umount "$1" && unset 'MOUNTS[-1]'; fi
}

mkdir -p "$TMP/ro_start"
if read_only "$TMP/ro_start"; then
  expect_error ro_start 2 "ro_start.*(Read-only file system|Permission denied)" "$TMP/ro_start" -- \
    timeout -k 10 "$RUN_TIMEOUT" "$GB" run --db "$DB" --samples "$SHEET" --out "$TMP/ro_start" --threads 1
  writable "$TMP/ro_start"
else
  fail "cannot make $TMP/ro_start read-only"
fi

if [ "$(id -u)" -eq 0 ]; then
  OUT=$TMP/ro_mid
  mkdir -p "$OUT"
  start_bg ro_mid 2 "$OUT" "$SHEET"
  if wait_first_profile "$OUT" && read_only "$OUT"; then
    wait "$BG"
    RC=$?
    expect_rc "OUT read-only mid-run" ro_mid 2 "ro_mid/.*Read-only file system"
    only_complete_files "OUT read-only mid-run" "$OUT" "$REF"
    writable "$OUT"
    expect_no_tmp_files "OUT read-only mid-run" "$OUT"
    rerun_equals ro_mid_rerun "$OUT" "$SHEET"
  else
    wait "$BG"; fail "OUT read-only mid-run: the run ended (exit $?) before OUT could be made read-only"
  fi
else
  skip "OUT read-only mid-run: needs root for a read-only bind mount (chmod does not stop open writers)"
fi

# ---------------------------------------------------------------- (3) inputs changed mid-run
OUT=$TMP/inputs
start_bg inputs 2 "$OUT" "$SHEET"
if wait_first_profile "$OUT"; then
  rm -f "$TMP/v1_R1.fastq"
  size=$(stat -c %s "$TMP/v2_R1.fastq.gz")
  truncate -s $((size / 2)) "$TMP/v2_R1.fastq.gz"
  wait "$BG"
  RC=$?
  expect_rc "inputs changed mid-run" inputs 3 "v1|v2"
  got=$(awk -F'\t' 'NR > 1 { print $1 " " $2 " " ($3 != "") }' "$OUT/failed.tsv" | tr '\n' ';')
  want="v1 $TMP/v1_R1.fastq 1;v2 $TMP/v2_R1.fastq.gz 1;"
  [ "$got" = "$want" ] && ok "inputs changed mid-run: failed.tsv lists v1 and v2, the file at fault and a reason" ||
    { fail "inputs changed mid-run: failed.tsv is '$got', want '$want'"; show "$OUT/failed.tsv"; }
  if cohort_dump "$OUT/cohort.biom" "$TMP/inputs.dump" 2> /dev/null; then
    awk -F'\t' 'NR == 1 { sub(/\tv1\tv2$/, "") } NR == 2 || $2 != "v1" && $2 != "v2"' "$TMP/ref.dump" > "$TMP/ref_others.dump"
    same_file "inputs changed mid-run: the cohort holds exactly the other 8, as in the clean run" \
      "$TMP/ref_others.dump" "$TMP/inputs.dump"
  else
    fail "inputs changed mid-run: no loadable cohort.biom"
  fi
  cp -p "$TMP/keep/v1_R1.fastq" "$TMP/keep/v2_R1.fastq.gz" "$TMP/"
  if rerun_equals inputs_rerun "$OUT" "$SHEET"; then
    got=$(reused_count "$TMP/inputs_rerun.err")
    [ "$got" = 8 ] && ok "inputs restored: only v1 and v2 redone (8 reused)" || fail "inputs restored: $got reused, want 8"
  fi
else
  wait "$BG"; fail "inputs changed mid-run: the run ended (exit $?) before any profile appeared"
fi

finish
