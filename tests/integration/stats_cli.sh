#!/usr/bin/env bash
# gutbrain stats as a command: every output written, tables bitwise identical for 1 and 2
# threads and for 2 and 3 MPI ranks holding row blocks of the distance matrices, the cohort file never modified, and clear errors (exit 1 for
# usage, 2 for unreadable input) on the real MDD cohort (Kovtun 2022) converted to BIOM.
set -uo pipefail
source "$(dirname "$0")/lib.bash"
KOV=$DATA/cohorts/kovtun2022_MDD
if [ ! -d "$KOV" ]; then
  # the Debian fallback data has no cohort tables: use a generated one instead
  KOV=""
fi
if [ -n "$KOV" ]; then
  GUTBRAIN_DATA=$DATA /usr/bin/python3 "$ROOT/tests/integration/data/kovtun_to_biom.py" "$TMP/c.biom" "$TMP/m.tsv" \
    > "$TMP/conv.log" 2>&1 || { show "$TMP/conv.log"; die "kovtun_to_biom.py failed"; }
  ARGS=(--variable group --covariates sex,age --rank genus)
else
  make_stats_cohort "$TMP/c.biom" "$TMP/m.tsv" 60 30 || die "could not generate a cohort"
  ARGS=(--variable group --covariates sex,age --rank genus)
fi
before=$(md5sum < "$TMP/c.biom")
OUTS="associations ranktests alpha alpha_models permanova dispersion pcoa pcoa_eigenvalues dropped_samples"

"$GB" stats -q --cohort "$TMP/c.biom" --metadata "$TMP/m.tsv" "${ARGS[@]}" --threads 1 --out "$TMP/t1" 2> "$TMP/t1.err"
rc=$?
[ $rc -eq 0 ] && ok "stats runs (exit 0)" || { fail "stats exit $rc"; show "$TMP/t1.err"; }
missing=""
for o in $OUTS; do [ -s "$TMP/t1/$o.tsv" ] || missing+=" $o.tsv"; done
[ -s "$TMP/t1/stats.h5" ] || missing+=" stats.h5"
[ -z "$missing" ] && ok "every output written" || fail "missing:$missing"
[ "$(md5sum < "$TMP/c.biom")" = "$before" ] && ok "the cohort file is unchanged" || fail "the cohort file changed"
/usr/bin/python3 - "$TMP/t1/stats.h5" "$TMP/t1/associations.tsv" <<'PY' && ok "stats.h5 holds the associations table" || fail "stats.h5 does not match associations.tsv"
import sys, h5py
f = h5py.File(sys.argv[1], "r")
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[2])][1:]
g = f["associations"]
feat = [x.decode() if isinstance(x, bytes) else x for x in g["feature"][:]]
assert feat == [r[0] for r in rows], "feature order"
assert len(g["qval"]) == len(rows)
PY

# --maaslin2-names: the same tables with feature ids as R's make.names writes them (R computes
# the expected column from the plain run; taxid features become X<taxid>, as in MaAsLin2)
for names in plain maaslin2; do
  flag=(); [ $names = maaslin2 ] && flag=(--maaslin2-names)
  "$GB" stats -q --cohort "$TMP/c.biom" --metadata "$TMP/m.tsv" "${ARGS[@]}" --rank none --permutations 9 \
    "${flag[@]}" --out "$TMP/n_$names" 2> "$TMP/n_$names.err" || { fail "stats ${flag[*]} exit $?"; show "$TMP/n_$names.err"; }
done
Rscript -e 'a <- read.delim(commandArgs(TRUE)[1], colClasses = "character", quote = "")
a$feature <- make.names(a$feature); write.table(a, quote = FALSE, sep = "\t", row.names = FALSE)' \
  "$TMP/n_plain/associations.tsv" > "$TMP/n_r.tsv" 2> "$TMP/n_r.err"
if [ -s "$TMP/n_r.tsv" ] && cmp -s "$TMP/n_r.tsv" "$TMP/n_maaslin2/associations.tsv" \
   && ! cmp -s "$TMP/n_plain/associations.tsv" "$TMP/n_maaslin2/associations.tsv"; then
  ok "--maaslin2-names: associations.tsv = R make.names() of the plain feature column ($(sed -n 2p "$TMP/n_maaslin2/associations.tsv" | cut -f1), ...)"
else
  fail "--maaslin2-names: feature column differs from R's make.names"; show "$TMP/n_r.err"
  diff "$TMP/n_r.tsv" "$TMP/n_maaslin2/associations.tsv" | head -4
fi

"$GB" stats -q --cohort "$TMP/c.biom" --metadata "$TMP/m.tsv" "${ARGS[@]}" --threads 2 --out "$TMP/t2" 2> "$TMP/t2.err"
mpirun --oversubscribe -n 2 -x OMP_NUM_THREADS=1 "$GB" stats -q --cohort "$TMP/c.biom" --metadata "$TMP/m.tsv" "${ARGS[@]}" \
  --threads 1 --out "$TMP/r2" > "$TMP/r2.err" 2>&1
for run in t2 r2; do
  diffs=""
  for o in $OUTS; do cmp -s "$TMP/t1/$o.tsv" "$TMP/$run/$o.tsv" || diffs+=" $o"; done
  [ -z "$diffs" ] && ok "$run: every table bitwise identical to 1 thread" || fail "$run differs in:$diffs"
done
# Gower matrices split by rows over the ranks (stats_gower.h): with 74 samples the second rank
# above holds no rows, so a 400-sample cohort checks real splits, 2 and 3 ranks (and 2 threads
# each) against one process
/usr/bin/python3 "$ROOT/tests/integration/data/make_cohort.py" "$TMP/big.biom" "$TMP/big.tsv" --samples 400 --taxa 80 \
  --seed 5 --design bench > /dev/null || die "make_cohort.py failed"
BIG=(--cohort "$TMP/big.biom" --metadata "$TMP/big.tsv" --variable depression --covariates age,sex,bmi --rank none
  --permutations 199)
"$GB" stats -q "${BIG[@]}" --threads 1 --out "$TMP/b1" 2> "$TMP/b1.err" || { fail "400 samples: exit $?"; show "$TMP/b1.err"; }
for split in "2 1" "3 1" "2 2"; do
  set -- $split
  mpirun --oversubscribe -n "$1" -x OMP_NUM_THREADS="$2" "$GB" stats -q "${BIG[@]}" --threads "$2" --out "$TMP/b_$1_$2" \
    > "$TMP/b_$1_$2.err" 2>&1
  diffs=""
  for o in $OUTS; do cmp -s "$TMP/b1/$o.tsv" "$TMP/b_$1_$2/$o.tsv" || diffs+=" $o"; done
  [ -z "$diffs" ] && ok "400 samples, $1 ranks x $2 threads: every table bitwise identical to one process" ||
    { fail "400 samples, $1 ranks x $2 threads differ in:$diffs"; show "$TMP/b_$1_$2.err"; }
done

# the seed changes permutation p-values only; another seed keeps SS and F
"$GB" stats -q --cohort "$TMP/c.biom" --metadata "$TMP/m.tsv" "${ARGS[@]}" --seed 7 --out "$TMP/s7" 2>/dev/null
if diff <(cut -f1-5,7 "$TMP/t1/permanova.tsv") <(cut -f1-5,7 "$TMP/s7/permanova.tsv") > /dev/null; then
  ok "another seed: same SS, R2 and F"
else fail "another seed changed SS/R2/F"; fi

expect() {  # NAME WANT_EXIT PATTERN ARGS...
  local name=$1 want=$2 pat=$3; shift 3
  "$GB" stats "$@" > "$TMP/$name.out" 2> "$TMP/$name.err"
  local rc=$? n
  n=$(grep -c '^\[E::' "$TMP/$name.err")
  if [ $rc -eq "$want" ] && [ "$n" -eq 1 ] && grep -q -- "$pat" "$TMP/$name.err"; then ok "$name: exit $rc, one error line"
  else fail "$name: exit $rc (want $want), $n error lines"; show "$TMP/$name.err"; fi
}
expect unknown_variable 1 "nosuch" --cohort "$TMP/c.biom" --metadata "$TMP/m.tsv" --variable nosuch --out "$TMP/e1"
expect missing_cohort 2 "missing.biom" --cohort "$TMP/missing.biom" --metadata "$TMP/m.tsv" --variable group --out "$TMP/e2"
printf 'not hdf5\n' > "$TMP/bad.biom"
expect not_biom 2 "bad.biom" --cohort "$TMP/bad.biom" --metadata "$TMP/m.tsv" --variable group --out "$TMP/e3"
expect bad_transform 1 "transform" --cohort "$TMP/c.biom" --metadata "$TMP/m.tsv" --variable group --transform sqrt --out "$TMP/e4"
finish
