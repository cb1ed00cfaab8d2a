#!/usr/bin/env bash
# One bad sample never costs the rest: among ten good samples, a missing R1, a truncated .gz,
# a malformed R2 (quality length differs from sequence length) and mates of different counts
# fail alone: exit 3, OUT/failed.tsv lists exactly them (sheet order, the file at fault, a
# reason), every other sample completes and the cohort holds exactly those (same content as a
# run of the good samples alone); reruns retry only the failed ones, a fixed sample joins the
# cohort and a sample whose input vanished leaves it. All samples bad: exit 2. Errors before
# any work: duplicate sample ids, a missing/unreadable/malformed/empty sheet, a missing or
# corrupt database, bad options: exit 1 (usage) or 2 (database), one error line, nothing
# written under OUT/samples. Prints ok/FAIL per check; exit 1 on any FAIL.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash"
source "$(dirname "${BASH_SOURCE[0]}")/run_lib.bash"

# expect_exit NAME WANT: the last gb_run exited WANT.
expect_exit() {
  if [ "$RC" -eq "$2" ]; then ok "$1: exit $RC"; return 0; fi
  fail "$1: exit $RC (want $2)"; show "$TMP/$1.err" 10
  return 1
}

# failed_ids OUT: sample ids of OUT/failed.tsv, space-separated, header checked.
failed_ids() {
  [ "$(head -n 1 "$1/failed.tsv" 2> /dev/null)" = "$(printf 'sample\tfile\treason')" ] || { echo "(bad header)"; return; }
  awk -F'\t' 'NR > 1 { printf "%s ", $1 }' "$1/failed.tsv"
}

# cohort_ids DUMP: sample ids of a cohort dump, space-separated.
cohort_ids() { sed -n '1s/^samples\t//p' "$1" | tr '\t' ' ' | sed 's/$/ /'; }

# error_lines FILE: number of logger error lines ("[E::...").
error_lines() { grep -c '^\[E::' "$1"; }

# usage_error NAME WANT PATTERN RANKS OUT SHEET [ARGS...]: a run that must stop before any work:
# exit WANT, one error line matching PATTERN, no file under OUT/samples.
usage_error() {
  local name=$1 want=$2 pattern=$3 ranks=$4 out=$5 problems=""
  shift 3
  gb_run "$name" "$@"
  [ "$RC" -eq "$want" ] || problems+=" exit $RC (want $want);"
  local nerr
  nerr=$(error_lines "$TMP/$name.err")
  [ "$nerr" -eq 1 ] || problems+=" $nerr error lines (want 1, from rank 0 only);"
  grep '^\[E::' "$TMP/$name.err" | grep -Eq -- "$pattern" || problems+=" no error line matches /$pattern/;"
  [ -z "$(find "$out/samples" -type f 2> /dev/null)" ] || problems+=" files written under $out/samples;"
  if [ -z "$problems" ]; then ok "$name: exit $RC, $(grep -m1 '^\[E::' "$TMP/$name.err" | cut -c1-150)"
  else fail "$name:$problems"; show "$TMP/$name.err" 8; fi
}

# ---------------------------------------------------------------- setup
setup_cohort
GOOD=$SHEET
GOOD_IDS="${COHORT_IDS[*]} "

# Bad inputs, next to the good ones.
B=$TMP/cohort/bad
mkdir -p "$B"
sim_pairs "$B/src" 150 20 "${TINY_REFS[@]}"
gzip -c -n "$B/src_R1.fastq" > "$B/full.fastq.gz"
head -c $(($(stat -c %s "$B/full.fastq.gz") / 2)) "$B/full.fastq.gz" > "$B/trunc.fastq.gz"
awk 'NR == 42 { $0 = $0 "II" } 1' "$B/src_R2.fastq" > "$B/badqual_R2.fastq"
head -n 400 "$B/src_R2.fastq" > "$B/short_R2.fastq"
declare -A BAD_FILE=(
  [bad_missing]=$B/missing_R1.fastq.gz
  [bad_trunc]=$B/trunc.fastq.gz
  [bad_qual]=$B/badqual_R2.fastq
  [bad_mates]=$B/short_R2.fastq
)
declare -A BAD_REASON=(
  [bad_missing]='No such file|cannot open|not found'
  [bad_trunc]='truncat|unexpected end|premature'
  [bad_qual]='quality'
  [bad_mates]='mate|read counts|different'
)
BAD_IDS="bad_missing bad_trunc bad_qual bad_mates "

# Mixed sheet: the good rows with the bad ones in between (after rows 2, 4, 6 and 8).
MIXED=$TMP/cohort/mixed.csv
awk -F, -v b="$B" 'NR == 1 { print; next } { print }
  NR == 3 { print "bad_missing," b "/missing_R1.fastq.gz," b "/src_R2.fastq" }
  NR == 5 { print "bad_trunc," b "/trunc.fastq.gz," }
  NR == 7 { print "bad_qual," b "/src_R1.fastq," b "/badqual_R2.fastq" }
  NR == 9 { print "bad_mates," b "/src_R1.fastq," b "/short_R2.fastq" }' "$GOOD" > "$MIXED"
SHEET_ORDER_BAD=$(awk -F, 'NR > 1 && $1 ~ /^bad_/ { printf "%s ", $1 }' "$MIXED")

# The good samples alone: the cohort the mixed runs must reproduce.
gb_run_ok good 2 "$TMP/out_good" "$GOOD" --threads 1 &&
  cohort_dump "$TMP/out_good/cohort.biom" "$TMP/good.dump" 2> "$TMP/good.dump.err" ||
  { fail "cohort of the good samples"; show "$TMP/good.dump.err"; finish; exit 1; }

# ---------------------------------------------------------------- mixed: some fail
# check_mixed NAME OUT: the checks of a run over the mixed sheet.
check_mixed() {
  local name=$1 out=$2 id row problems
  expect_exit "$name" 3
  [ "$(failed_ids "$out")" = "$SHEET_ORDER_BAD" ] && ok "$name: failed.tsv lists exactly $SHEET_ORDER_BAD(sheet order)" ||
    { fail "$name: failed.tsv lists '$(failed_ids "$out")', want '$SHEET_ORDER_BAD'"; show "$out/failed.tsv" 8; }
  for id in $BAD_IDS; do
    row=$(awk -F'\t' -v id="$id" '$1 == id' "$out/failed.tsv")
    problems=""
    [ "$(cut -f2 <<< "$row")" = "${BAD_FILE[$id]}" ] || problems+=" file '$(cut -f2 <<< "$row")' (want ${BAD_FILE[$id]});"
    cut -f3 <<< "$row" | grep -Eiq -- "${BAD_REASON[$id]}" || problems+=" reason does not match /${BAD_REASON[$id]}/;"
    [ "$(awk -F'\t' '{ print NF }' <<< "$row")" = 3 ] || problems+=" not 3 columns;"
    [ ! -e "$out/samples/$id.profile.tsv" ] && [ ! -e "$out/samples/$id.kreport" ] || problems+=" result files exist;"
    if [ -z "$problems" ]; then ok "$name: $id failed alone: $(cut -f3 <<< "$row" | cut -c1-110)"
    else fail "$name: $id:$problems"; echo "      | $row"; fi
  done
  local nmissing=0
  for id in $GOOD_IDS; do
    [ -s "$out/samples/$id.profile.tsv" ] && [ -s "$out/samples/$id.kreport" ] || nmissing=$((nmissing + 1))
  done
  [ "$nmissing" -eq 0 ] && ok "$name: all ${#COHORT_IDS[@]} good samples have a profile and a kreport" ||
    fail "$name: $nmissing good samples lack a profile or kreport"
  if cohort_dump "$out/cohort.biom" "$TMP/$name.dump" 2> "$TMP/$name.dump.err"; then
    [ "$(cohort_ids "$TMP/$name.dump")" = "$GOOD_IDS" ] && ok "$name: cohort holds exactly the good samples" ||
      fail "$name: cohort samples '$(cohort_ids "$TMP/$name.dump")'"
    same_file "$name: cohort content = run of the good samples alone" "$TMP/good.dump" "$TMP/$name.dump"
  else
    fail "$name: cohort.biom does not load"; show "$TMP/$name.dump.err"
  fi
  local nerr
  nerr=$(grep -c '^\[E::run_sample' "$TMP/$name.err")
  [ "$nerr" -eq 4 ] && ok "$name: one 'sample ... failed' error line per failed sample" ||
    fail "$name: $nerr '[E::run_sample' lines (want 4)"
  [ -z "$(tmp_files "$out")" ] || fail "$name: temporary files left: $(tmp_files "$out")"
}

gb_run mixed2 2 "$TMP/out_mixed2" "$MIXED" --threads 1
check_mixed mixed2 "$TMP/out_mixed2"
gb_run mixed0 0 "$TMP/out_mixed0" "$MIXED" --threads 2
check_mixed mixed0 "$TMP/out_mixed0"
same_file "failed.tsv: same without mpirun and at 2 ranks" "$TMP/out_mixed2/failed.tsv" "$TMP/out_mixed0/failed.tsv"

# Rerun: the good samples are reused, the failed ones tried again (and fail again).
OUT=$TMP/out_mixed2
gb_run mixed_rerun 2 "$OUT" "$MIXED" --threads 1
expect_exit mixed_rerun 3
got=$(reused_count "$TMP/mixed_rerun.err")
[ "$got" = "${#COHORT_IDS[@]}" ] && ok "mixed rerun: the ${#COHORT_IDS[@]} good samples reused, the 4 failed retried" ||
  fail "mixed rerun: $got reused (want ${#COHORT_IDS[@]})"
[ "$(failed_ids "$OUT")" = "$SHEET_ORDER_BAD" ] || fail "mixed rerun: failed.tsv lists '$(failed_ids "$OUT")'"

# Fixing an input: the missing file appears -> that sample now completes and joins the cohort.
cp "$B/src_R1.fastq" "$B/missing_R1.fastq.gz"   # content-detected: a plain FASTQ under a .gz name
gb_run fixed 2 "$OUT" "$MIXED" --threads 1
expect_exit fixed 3
[ "$(failed_ids "$OUT")" = "bad_trunc bad_qual bad_mates " ] && ok "fixed input: bad_missing leaves failed.tsv" ||
  fail "fixed input: failed.tsv lists '$(failed_ids "$OUT")'"
if cohort_dump "$OUT/cohort.biom" "$TMP/fixed.dump" 2> /dev/null &&
   [ "$(cohort_ids "$TMP/fixed.dump")" = "s01 s02 bad_missing $(cut -d' ' -f3- <<< "$GOOD_IDS")" ]; then
  ok "fixed input: bad_missing joins the cohort in sheet order"
else
  fail "fixed input: cohort samples '$(cohort_ids "$TMP/fixed.dump" 2> /dev/null)'"
fi
rm -f "$B/missing_R1.fastq.gz"

# A good sample whose input vanished: it fails, its old profile no longer stands in for it.
s08=$(awk -F, '$1 == "s08" { print $2 }' "$MIXED")
mv "$s08" "$s08.away"
gb_run vanished 2 "$OUT" "$MIXED" --threads 1
expect_exit vanished 3
grep -q "^s08	" "$OUT/failed.tsv" && ok "vanished input: s08 listed in failed.tsv" || fail "vanished input: s08 not in failed.tsv"
[ ! -e "$OUT/samples/s08.profile.tsv" ] && ok "vanished input: s08's old profile removed" ||
  fail "vanished input: s08's old profile still there"
[ -e "$OUT/samples/s08.kreport" ] && echo "      (vanished input: s08's kreport of the earlier run is still there)"
if cohort_dump "$OUT/cohort.biom" "$TMP/vanished.dump" 2> /dev/null && ! grep -qw s08 <<< "$(cohort_ids "$TMP/vanished.dump")"; then
  ok "vanished input: s08 left the cohort"
else
  fail "vanished input: s08 still in the cohort (or cohort unreadable)"
fi
mv "$s08.away" "$s08"

# ---------------------------------------------------------------- all fail
ALLBAD=$TMP/cohort/allbad.csv
{ echo "sample,fastq_1,fastq_2"; grep '^bad_' "$MIXED"; } > "$ALLBAD"
for ranks in 0 2; do
  gb_run "allbad$ranks" "$ranks" "$TMP/out_allbad$ranks" "$ALLBAD" --threads 1
  expect_exit "allbad$ranks" 2
  [ "$(failed_ids "$TMP/out_allbad$ranks")" = "$SHEET_ORDER_BAD" ] && ok "allbad$ranks: failed.tsv lists all 4" ||
    fail "allbad$ranks: failed.tsv lists '$(failed_ids "$TMP/out_allbad$ranks")'"
  [ -z "$(find "$TMP/out_allbad$ranks/samples" -name '*.profile.tsv')" ] || fail "allbad$ranks: profiles written"
  [ -e "$TMP/out_allbad$ranks/cohort.biom" ] && echo "      (allbad$ranks: an empty cohort.biom is written)"
done

# ---------------------------------------------------------------- errors before any work
printf 'sample,fastq_1,fastq_2\ns01,%s,\ns02,%s,\ns01,%s,\n' "$B/src_R1.fastq" "$B/src_R1.fastq" "$B/src_R2.fastq" > "$TMP/dup.csv"
for ranks in 0 2; do
  usage_error "dup$ranks" 1 's01' "$ranks" "$TMP/out_dup$ranks" "$TMP/dup.csv"
  [ ! -e "$TMP/out_dup$ranks" ] && ok "dup$ranks: output folder not even created" ||
    echo "      (dup$ranks: output folder created, empty)"
done
grep '^\[E::' "$TMP/dup0.err" | grep -Eq '(line )?2.*4|4.*2' && ok "duplicate id: the error names both lines (2 and 4)" ||
  fail "duplicate id: the error does not name lines 2 and 4: $(grep -m1 '^\[E::' "$TMP/dup0.err")"

usage_error nosheet 1 'nosuch\.csv' 0 "$TMP/out_nosheet" "$TMP/nosuch.csv"
usage_error nosheet2 1 'nosuch\.csv' 2 "$TMP/out_nosheet2" "$TMP/nosuch.csv"
mkdir -p "$TMP/dir_sheet.csv"
usage_error dirsheet 1 'dir_sheet\.csv' 0 "$TMP/out_dirsheet" "$TMP/dir_sheet.csv"
printf 'sample,reads\ns01,%s\n' "$B/src_R1.fastq" > "$TMP/nocol.csv"
usage_error nocolumn 1 'fastq_1' 0 "$TMP/out_nocol" "$TMP/nocol.csv"
printf 'sample,fastq_1,fastq_2\n' > "$TMP/empty.csv"
usage_error emptysheet 1 'empty\.csv' 0 "$TMP/out_empty" "$TMP/empty.csv"
printf 'sample,fastq_1,fastq_2\nbad/id,%s,\n' "$B/src_R1.fastq" > "$TMP/badid.csv"
usage_error badid 1 'bad/id|line 2|:2' 0 "$TMP/out_badid" "$TMP/badid.csv"

usage_error noconf 1 'confidence' 0 "$TMP/out_conf" "$GOOD" --confidence 2
usage_error unknownopt 1 'no-such-option' 0 "$TMP/out_opt" "$GOOD" --no-such-option
# --db left out entirely
gb_run_nodb() { "$GB" run --samples "$GOOD" --out "$TMP/out_nodb" > "$TMP/nodb.out" 2> "$TMP/nodb.err"; RC=$?; }
gb_run_nodb
if [ "$RC" -eq 1 ] && [ "$(error_lines "$TMP/nodb.err")" -eq 1 ] && [ ! -e "$TMP/out_nodb" ]; then
  ok "no --db: exit 1, $(grep -m1 '^\[E::' "$TMP/nodb.err" | cut -c1-120)"
else
  fail "no --db: exit $RC, $(error_lines "$TMP/nodb.err") error lines, out dir $( [ -e "$TMP/out_nodb" ] && echo created || echo absent)"
  show "$TMP/nodb.err"
fi
DB=$TMP/no_such_db usage_error nodbdir 2 'no_such_db' 0 "$TMP/out_nodbdir" "$GOOD"
DB=$TMP/no_such_db usage_error nodbdir2 2 'no_such_db' 2 "$TMP/out_nodbdir2" "$GOOD"

# A database whose payload was altered: the checksum says so, nothing is classified.
cp -r "$DB" "$TMP/db_corrupt"
size=$(stat -c %s "$TMP/db_corrupt/gutbrain.db")
off=$((size * 2 / 3))
orig=$(od -An -tu1 -j "$off" -N1 "$TMP/db_corrupt/gutbrain.db" | tr -d ' ')
printf '%b' "\\0$(printf '%03o' $(((orig + 1) % 256)))" | dd of="$TMP/db_corrupt/gutbrain.db" bs=1 seek="$off" conv=notrunc status=none
DB=$TMP/db_corrupt usage_error corruptdb 2 'checksum|corrupt' 0 "$TMP/out_corrupt" "$GOOD"
DB=$TMP/db_corrupt usage_error corruptdb2 2 'checksum|corrupt' 2 "$TMP/out_corrupt2" "$GOOD"

finish
