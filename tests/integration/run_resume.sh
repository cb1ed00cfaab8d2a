#!/usr/bin/env bash
# `gutbrain run` resumes: (a) a rerun of a finished output folder reuses every sample (files
# untouched, same cohort), also with other ranks/threads; (b) a nightly sheet with 3 new rows
# classifies only those 3; (c) after kill -9 of one rank mid-run, (d) after SIGTERM to the
# ranks (as scancel does), to mpirun, or to a run without mpirun (exit 143, no temporary files
# left), a rerun completes with a cohort identical in content to an uninterrupted run;
# (e) a touched or rewritten input redoes that sample only, a changed --confidence or database
# redoes all. Prints ok/FAIL per check; exit 1 on any FAIL.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash"
source "$(dirname "${BASH_SOURCE[0]}")/run_lib.bash"

# expect_reused NAME WANT: the run's log says WANT samples were reused.
expect_reused() {
  local got
  got=$(reused_count "$TMP/$1.err")
  if [ "$got" = "$2" ]; then ok "$1: $got samples reused"
  else fail "$1: $got samples reused, want $2"; show "$TMP/$1.err" 6; fi
}

# changed_files BEFORE AFTER: names of files whose mtime changed or that are new.
changed_files() { comm -13 "$1" "$2" | awk '{ print $1 }' | tr '\n' ' '; }

# expect_redone NAME BEFORE REUSED FILES WHAT: gutbrain run NAME of $NIGHT into $OUT at 2 ranks;
# expect_reused NAME REUSED, and ok WHAT when the files it rewrote or added since the file_times
# snapshot BEFORE are exactly FILES (each followed by a space), else FAIL. Non-zero when the run
# failed.
expect_redone() {
  local name=$1 before=$2 reused=$3 want=$4 what=$5 changed
  gb_run_ok "$name" 2 "$OUT" "$NIGHT" --threads 1 || return 1
  expect_reused "$name" "$reused"
  file_times "$OUT" > "$TMP/times.$name"
  changed=$(changed_files "$before" "$TMP/times.$name")
  if [ "$changed" = "$want" ]; then ok "$what"
  else fail "$name: new or rewritten files: $changed (want $want)"; fi
}

# dump_or_fail NAME OUT: cohort dump of OUT into $TMP/NAME.dump; FAIL when it does not load.
dump_or_fail() {
  cohort_dump "$2/cohort.biom" "$TMP/$1.dump" 2> "$TMP/$1.dump.err" && return 0
  fail "$1: cohort.biom does not load"; show "$TMP/$1.dump.err"
  return 1
}

# ---------------------------------------------------------------- setup
setup_cohort
N=${#COHORT_IDS[@]}

# ---------------------------------------------------------------- (a) rerun of a finished run
OUT=$TMP/out
gb_run_ok first 2 "$OUT" "$SHEET" --threads 1 || { finish; exit 1; }
dump_or_fail first "$OUT" || { finish; exit 1; }
check_biom_readers "cohort.biom (2 ranks)" "$OUT/cohort.biom"
file_times "$OUT" > "$TMP/times.first"
sleep 0.05   # so a rewritten file would show a new mtime even on coarse clocks
for variant in "2 --threads 1" "0 --threads 2" "4 --threads 1"; do
  read -r ranks threads_flag threads <<< "$variant"
  name=rerun_r${ranks}t${threads}
  gb_run_ok "$name" "$ranks" "$OUT" "$SHEET" "$threads_flag" "$threads" || continue
  expect_reused "$name" "$N"
  file_times "$OUT" > "$TMP/times.$name"
  if cmp -s "$TMP/times.first" "$TMP/times.$name"; then ok "$name: no sample file rewritten"
  else fail "$name: rewritten: $(changed_files "$TMP/times.first" "$TMP/times.$name")"; fi
  dump_or_fail "$name" "$OUT" && same_file "$name: cohort content unchanged" "$TMP/first.dump" "$TMP/$name.dump"
done

# ---------------------------------------------------------------- (b) nightly: 3 new rows
NIGHT=$TMP/cohort/sheet_night.csv
mkdir -p "$TMP/night"
: > "$TMP/night/sheet.csv"
add_sample "$TMP/night" n01 paired gz    abs 700 30 "${TINY_REFS[0]}" "${TINY_REFS[3]}"
add_sample "$TMP/night" n02 single plain abs 250 10 "${TINY_REFS[1]}"
add_sample "$TMP/night" n03 paired plain abs 90  90 "${TINY_REFS[2]}" "${TINY_REFS[3]}"
cat "$SHEET" "$TMP/night/sheet.csv" > "$NIGHT"
if expect_redone nightly "$TMP/times.first" "$N" \
     "n01.cami n01.kreport n01.profile.tsv n02.cami n02.kreport n02.profile.tsv n03.cami n03.kreport n03.profile.tsv " \
     "nightly: only n01 n02 n03 classified (6 new files, none rewritten)"; then
  gb_run_ok night_fresh 2 "$TMP/out_night_fresh" "$NIGHT" --threads 1 &&
    dump_or_fail nightly "$OUT" && dump_or_fail night_fresh "$TMP/out_night_fresh" &&
    same_file "nightly: cohort = a fresh run of the 13-row sheet" "$TMP/night_fresh.dump" "$TMP/nightly.dump"
fi

# ---------------------------------------------------------------- (e) changed inputs, parameters, DB
N2=$((N + 3))
file_times "$OUT" > "$TMP/times.before_e"
s04=$(awk -F, '$1 == "s04" { print $2 }' "$SHEET")
touch -d '2020-01-01 00:00:00' "$s04"
if expect_redone touched "$TMP/times.before_e" $((N2 - 1)) "s04.cami s04.kreport s04.profile.tsv " \
     "touched input: s04 redone, nothing else"; then
  dump_or_fail touched "$OUT" && same_file "touched input: same content, same cohort" "$TMP/night_fresh.dump" "$TMP/touched.dump"
fi

# New content for s08 (single-end, plain): 200 lambda + 200 E. coli reads instead of 60 lambda.
s08=$(awk -F, '$1 == "s08" { print $2 }' "$SHEET")
sim_pairs "$TMP/s08new" 200 5 "${TINY_REFS[0]}" "${TINY_REFS[3]}"
cp "$TMP/s08new_R1.fastq" "$s08"
CLASSIFY_ARGS[s08]=$s08
file_times "$OUT" > "$TMP/times.before_rw"
if expect_redone rewritten "$TMP/times.before_rw" $((N2 - 1)) "s08.cami s08.kreport s08.profile.tsv " \
     "rewritten input: s08 redone, nothing else"; then
  if dump_or_fail rewritten "$OUT" && classify_alone s08 "$TMP/s08_alone.kreport"; then
    kreport_direct "$TMP/s08_alone.kreport" > "$TMP/s08_alone.direct"
    dump_column "$TMP/rewritten.dump" s08 > "$TMP/s08_cohort.direct"
    same_file "rewritten input: s08's cohort column = classify of the new file" \
      "$TMP/s08_alone.direct" "$TMP/s08_cohort.direct"
  fi
fi

# A damaged profile (half written by hand, as a full disk might leave it outside the atomic
# rename) or one copied from another sample is not trusted: that sample is redone.
head -c 60 "$OUT/samples/s02.profile.tsv" > "$TMP/half" && cp "$TMP/half" "$OUT/samples/s02.profile.tsv"
cp "$OUT/samples/s01.profile.tsv" "$OUT/samples/s03.profile.tsv"
file_times "$OUT" > "$TMP/times.before_dmg"
sleep 0.05
if expect_redone damaged "$TMP/times.before_dmg" $((N2 - 2)) \
     "s02.cami s02.kreport s02.profile.tsv s03.cami s03.kreport s03.profile.tsv " \
     "damaged/foreign profiles: s02 and s03 redone, nothing else"; then
  dump_or_fail damaged "$OUT" && same_file "damaged/foreign profiles: cohort unchanged" "$TMP/rewritten.dump" "$TMP/damaged.dump"
fi

if gb_run_ok conf01 2 "$OUT" "$NIGHT" --threads 1 --confidence 0.1; then
  expect_reused conf01 0
  gb_run_ok conf01_again 0 "$OUT" "$NIGHT" --threads 2 --confidence 0.1 && expect_reused conf01_again "$N2"
fi

# Another database (no E. coli slice): a different checksum, so every sample is redone.
if "$GB" build --taxonomy "$TINY_TAX" --seqid2taxid "$TINY_MAP" --db "$TMP/db2" --threads "$THREADS" \
     "${TINY_REFS[@]:0:3}" > /dev/null 2> "$TMP/db2.err"; then
  DB=$TMP/db2 gb_run_ok db2 2 "$OUT" "$NIGHT" --threads 1 --confidence 0.1 && expect_reused db2 0
else
  fail "second DB build failed"; show "$TMP/db2.err"
fi

# ---------------------------------------------------------------- big cohort for interruptions
# 20 samples sharing one pair of files of ~80,000 pairs: ~2 s at 2 ranks, long enough to
# interrupt after the first sample and before the last.
sim_pairs "$TMP/big" 25000 10000 "${TINY_REFS[@]}"
BIG=$TMP/big_sheet.csv
{ echo "sample,fastq_1,fastq_2"
  for i in $(seq -w 1 20); do echo "big$i,$TMP/big_R1.fastq,$TMP/big_R2.fastq"; done; } > "$BIG"
gb_run_ok bigref 2 "$TMP/out_bigref" "$BIG" --threads 1 && dump_or_fail bigref "$TMP/out_bigref" || { finish; exit 1; }

# interrupted NAME OUT: after the interruption, count finished samples and check the rerun.
resume_and_compare() {
  local name=$1 out=$2 done_before left
  done_before=$(find "$out/samples" -name '*.profile.tsv' | wc -l)
  left=$(tmp_files "$out")
  if [ "$done_before" -ge 20 ]; then
    skip "$name: all 20 samples finished before the interruption took effect (machine too fast?)"
  else
    echo "      ($name: $done_before of 20 samples finished before the interruption)"
  fi
  [ -z "$left" ] || echo "      ($name: temporary files left by the interrupted run: $left)"
  if gb_run_ok "${name}_rerun" 2 "$out" "$BIG" --threads 1; then
    expect_reused "${name}_rerun" "$done_before"
    dump_or_fail "${name}_rerun" "$out" &&
      same_file "$name: rerun's cohort = uninterrupted run's" "$TMP/bigref.dump" "$TMP/${name}_rerun.dump"
    expect_no_tmp_files "$name, after the rerun" "$out"
  fi
}

# ---------------------------------------------------------------- (c) kill -9 of one rank
OUTK=$TMP/out_kill9
start_bg kill9 2 "$OUTK" "$BIG"
if wait_first_profile "$OUTK"; then
  victim=$(ranks_of "$OUTK" | head -n 1)
  if [ -n "$victim" ]; then
    kill -9 "$victim"
    wait "$BG"
    rc=$?
    [ "$rc" -ne 0 ] && ok "kill -9 of rank process $victim: mpirun exit $rc (non-zero)" ||
      fail "kill -9 of one rank: mpirun exit 0"
    only_complete_files "kill -9" "$OUTK" "$TMP/out_bigref"
    resume_and_compare kill9 "$OUTK"
  else
    fail "kill -9: no gutbrain rank process found"; wait "$BG"
  fi
else
  wait "$BG"; fail "kill -9: the run ended (exit $?) before any profile appeared"; show "$TMP/kill9.err"
fi

# ---------------------------------------------------------------- (d) SIGTERM
# sigterm_run NAME RANKS OUT WHAT ranks|lead: start_bg, and once the first profile exists send
# SIGTERM to every rank or to the lead process (mpirun, or gutbrain without it); the run's
# exit code in RC. Returns 1, with a FAIL naming WHAT, when the run ended before any profile.
sigterm_run() {
  local name=$1 ranks=$2 out=$3 what=$4 target=$5
  start_bg "$name" "$ranks" "$out" "$BIG"
  if ! wait_first_profile "$out"; then
    wait "$BG"; fail "$what: the run ended (exit $?) before any profile appeared"
    return 1
  fi
  # shellcheck disable=SC2046  # one pid per word
  if [ "$target" = ranks ]; then kill -TERM $(ranks_of "$out"); else kill -TERM "$LEAD"; fi
  wait "$BG"
  RC=$?
}

# expect_143 WHAT NAME: the interrupted run NAME exited 143.
expect_143() {
  if [ "$RC" -eq 143 ]; then ok "$1: exit 143"; else fail "$1: exit $RC (want 143)"; show "$TMP/$2.err"; fi
}

# d1: to every rank, as Slurm's scancel does: each rank finishes cleanly with 143 and mpirun
# passes that on.
OUTT=$TMP/out_term_ranks
if sigterm_run term_ranks 2 "$OUTT" "SIGTERM to the ranks" ranks; then
  expect_143 "SIGTERM to the ranks" term_ranks
  expect_no_tmp_files "SIGTERM to the ranks" "$OUTT"
  [ ! -e "$OUTT/cohort.biom" ] && ok "SIGTERM to the ranks: no cohort.biom for an unfinished run" ||
    fail "SIGTERM to the ranks: cohort.biom written by a stopped run"
  resume_and_compare term_ranks "$OUTT"
fi

# d2: to mpirun. Open MPI's mpirun forwards SIGTERM to the ranks but exits with its own code
# (1 with Open MPI 4.1), not the ranks' 143: checked is that both ranks stopped cleanly.
OUTM=$TMP/out_term_mpirun
if sigterm_run term_mpirun 2 "$OUTM" "SIGTERM to mpirun" lead; then
  n_stopped=$(grep -c 'stopped by a signal' "$TMP/term_mpirun.err")
  if [ "$n_stopped" -eq 2 ]; then
    ok "SIGTERM to mpirun: both ranks stopped cleanly (mpirun exit $RC)"
  else
    fail "SIGTERM to mpirun: $n_stopped of 2 ranks report a clean stop (mpirun exit $RC)"; show "$TMP/term_mpirun.err"
  fi
  [ "$RC" -eq 143 ] ||
    echo "      (mpirun's own exit code after SIGTERM is $RC, not 143: Open MPI's, not gutbrain's)"
  expect_no_tmp_files "SIGTERM to mpirun" "$OUTM"
  resume_and_compare term_mpirun "$OUTM"
fi

# d3: without mpirun: exactly 143.
OUTP=$TMP/out_term_plain
if sigterm_run term_plain 0 "$OUTP" "SIGTERM without mpirun" lead; then
  expect_143 "SIGTERM without mpirun" term_plain
  grep -q 'rerun' "$TMP/term_plain.err" && ok "SIGTERM without mpirun: says how to resume" ||
    fail "SIGTERM without mpirun: no resume hint on stderr"
  expect_no_tmp_files "SIGTERM without mpirun" "$OUTP"
  resume_and_compare term_plain "$OUTP"
fi

finish
