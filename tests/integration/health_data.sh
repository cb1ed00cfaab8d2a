#!/usr/bin/env bash
# Cohort outputs are health data (docs/SECURITY.md): every file and folder `run` and `stats`
# create follows the user's umask but is never world-writable, even under umask 000; a umask of
# 077 gives private files; temporaries are private until published and a killed run's leftovers
# are removed by the next run; sample ids with shell metacharacters and non-ASCII letters are plain
# data (a file of that name under OUT/samples, no shell ever sees them), while ids that would
# leave OUT ('../x', 'a/b') or that BIOM readers cannot load (non-ASCII) are refused before any
# work; metadata values never reach the log at
# the default verbosity. Prints ok/FAIL per check; exit 1 on any FAIL.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash"
source "$(dirname "${BASH_SOURCE[0]}")/run_lib.bash"

setup_cohort
{
  printf 'sample\tgroup\n'
  i=0
  for id in "${COHORT_IDS[@]}"; do i=$((i + 1)); printf '%s\t%s\n' "$id" "$([ $((i % 2)) = 0 ] && echo a || echo b)"; done
} > "$TMP/o000_meta.tsv"

# ---------------------------------------------------------------- modes of what is created
# world_writable DIR: paths under DIR (itself included) writable by others.
world_writable() { find "$1" -perm -o+w -printf '%m %p\n'; }

# with_umask MASK CMD...: CMD in this shell (so gb_run's RC stays visible) under MASK.
with_umask() {
  local saved
  saved=$(umask)
  umask "$1"
  shift
  "$@"
  umask "$saved"
}

with_umask 000 gb_run open000 0 "$TMP/o000" "$SHEET"
with_umask 000 "$GB" stats -q --cohort "$TMP/o000/cohort.biom" --metadata "$TMP/o000_meta.tsv" --variable group \
  --rank none --permutations 9 --out "$TMP/o000/stats" > /dev/null 2>&1 < /dev/null || true
if [ "$RC" -eq 0 ]; then
  ww=$(world_writable "$TMP/o000")
  [ -z "$ww" ] && ok "umask 000: nothing run or stats wrote is world-writable ($(find "$TMP/o000" | wc -l) paths)" ||
    { fail "umask 000: world-writable outputs"; echo "$ww" | head -5 | sed 's/^/      | /'; }
else fail "umask 000: run exit $RC"; show "$TMP/open000.err" 8; fi

with_umask 077 gb_run private 0 "$TMP/o077" "$SHEET"
if [ "$RC" -eq 0 ]; then
  open=$(find "$TMP/o077" -perm /077 -printf '%m %p\n')
  [ -z "$open" ] && ok "umask 077: every output is private to the user (the umask is followed)" ||
    { fail "umask 077: outputs readable by others"; echo "$open" | head -5 | sed 's/^/      | /'; }
else fail "umask 077: run exit $RC"; show "$TMP/private.err" 8; fi

# Temporaries are written private (0600) and published with the umask's mode: under umask 000
# every file run and stats wrote is exactly 0664 (not 0600, not 0666).
other=$(find "$TMP/o000" -type f ! -perm 664 -printf '%m %p\n')
[ -z "$other" ] && ok "umask 000: every file is 0664 once published" ||
  { fail "umask 000: files with another mode"; echo "$other" | head -5 | sed 's/^/      | /'; }

# Temporaries a killed run left (here readable by others) are removed by the next run into the
# same folder, which touches nothing else.
first_id=${COHORT_IDS[0]}
printf 'half' > "$TMP/o077/cohort.biom.tmp.4242"
printf 'half' > "$TMP/o077/samples/$first_id.profile.tsv.tmp.4243"
chmod 644 "$TMP/o077/cohort.biom.tmp.4242" "$TMP/o077/samples/$first_id.profile.tsv.tmp.4243"
before=$(file_times "$TMP/o077" | grep -v '\.tmp\.')
with_umask 077 gb_run leftovers 0 "$TMP/o077" "$SHEET"
if [ "$RC" -eq 0 ] && [ -z "$(tmp_files "$TMP/o077")" ] && grep -q 'removed 2 temporary file' "$TMP/leftovers.err" &&
   [ "$before" = "$(file_times "$TMP/o077")" ]; then
  ok "leftover temporaries of a killed run removed by the next run, nothing else touched"
else
  fail "leftover temporaries: exit $RC, left: $(tmp_files "$TMP/o077")"; show "$TMP/leftovers.err" 5
fi

# ---------------------------------------------------------------- sample ids as data
odd="a;b\$(touch\${IFS}PWNED)&'q|x\"<>*?\\\`"
src=$(sed -n 2p "$SHEET")
first_r1=$(echo "$src" | cut -d, -f2)
first_r2=$(echo "$src" | cut -d, -f3)
printf 'sample,fastq_1,fastq_2\n%s,%s,%s\n' "$odd" "$first_r1" "$first_r2" > "$TMP/odd.csv"
outside() { (cd "$TMP" && find . -path ./odd_out -prune -o -path ./odd.out -prune -o -path ./odd.err -prune -o -print | sort); }
before=$(outside)
pushd "$TMP" > /dev/null && gb_run odd 0 "$TMP/odd_out" "$TMP/odd.csv"
popd > /dev/null
after=$(outside)
if [ "$RC" -eq 0 ] && [ -n "$(find "$TMP/odd_out/samples" -name "$(printf '%s' "$odd" | sed 's/[][*?\\]/\\&/g')*" -print -quit)" ]; then
  ok "id with shell metacharacters ($odd): run exit 0, its files under OUT/samples"
else fail "odd id: exit $RC or files missing"; show "$TMP/odd.err" 8; ls "$TMP/odd_out/samples" 2>&1 | head -5; fi
[ "$before" = "$after" ] && [ ! -e "$TMP/PWNED" ] && ok "odd id: nothing created outside OUT, no shell ran" ||
  { fail "odd id: something appeared outside OUT"; diff <(echo "$before") <(echo "$after") | head -5; }
$PY - "$TMP/odd_out/cohort.biom" "$odd" <<'PY' && ok "odd id: kept byte for byte in cohort.biom (biom.load_table)" || fail "odd id changed in cohort.biom"
import sys, biom
t = biom.load_table(sys.argv[1])
assert list(t.ids()) == sys.argv[2:], t.ids()
PY

# ids that would leave OUT, and non-ASCII ids (Debian's biom-format decodes ids as ASCII and
# could not load the cohort: refused up front, like a bad path)
for bad in "../x" "a/b" ".." "données-ü"; do
  printf 'sample,fastq_1,fastq_2\n%s,%s,%s\n' "$bad" "$first_r1" "$first_r2" > "$TMP/bad_id.csv"
  mkdir -p "$TMP/esc/out"
  gb_run bad_id 0 "$TMP/esc/out" "$TMP/bad_id.csv"
  stray=$(find "$TMP/esc" -mindepth 1 -not -path "$TMP/esc/out" -not -path "$TMP/esc/out/*" | head -3)
  if [ "$RC" -eq 1 ] && [ "$(grep -c '^\[E::' "$TMP/bad_id.err")" -eq 1 ] && [ -z "$stray" ] &&
     [ -z "$(find "$TMP/esc/out" -type f | head -1)" ]; then
    ok "sample id '$bad': exit 1, $(grep -m1 '^\[E::' "$TMP/bad_id.err" | cut -c1-110)"
  else fail "sample id '$bad': exit $RC, stray: $stray"; show "$TMP/bad_id.err" 5; fi
  rm -rf "$TMP/esc"
done

# ---------------------------------------------------------------- metadata values stay out of the log
token=SENSITIVE7q3x
{
  printf 'sample\tgroup\tnote\tage\n'
  i=0
  for id in "${COHORT_IDS[@]}"; do
    i=$((i + 1))
    printf '%s\t%s\t%s_%s\t%d\n' "$id" "$([ $((i % 2)) = 0 ] && echo "${token}case" || echo "${token}control")" "$token" "$i" $((30 + i))
  done
} > "$TMP/meta.tsv"
"$GB" stats --cohort "$TMP/o077/cohort.biom" --metadata "$TMP/meta.tsv" --variable group --covariates age \
  --rank none --permutations 9 --out "$TMP/stats" > "$TMP/stats.out" 2> "$TMP/stats.err"
rc=$?
if [ $rc -eq 0 ] && ! grep -q "$token" "$TMP/stats.err" "$TMP/stats.out"; then
  ok "stats at the default verbosity: exit 0, no metadata value in the log ($(wc -l < "$TMP/stats.err") lines)"
else fail "stats: exit $rc or a metadata value in the log"; grep -m3 "$token" "$TMP/stats.err" | sed 's/^/      | /'; fi
finish
