#!/usr/bin/env bash
# `gutbrain stats` against R (stats 4.2, vegan 2.6) on the same input (issue 4, deliverable 4).
#  (a) synthetic cohorts from tests/integration/data/make_cohort.py (zero-inflated counts with
#      ties, a 2-level and a 3-level factor, a numeric covariate with NA, samples missing on
#      either side) at --rank none, plus one at --rank genus, one with an aliased covariate and
#      one of 6 samples (PERMANOVA and permutest p exact: all 719 permutations are enumerated,
#      by vegan and by us);
#  (b) the real MDD cohort (Kovtun 2022; $DATA/cohorts/kovtun2022_MDD) via kovtun_to_biom.py,
#      group HC/PwD with covariates sex and age at --rank genus.
# tests/integration/data/stats_check.R recomputes every table in R (lm + summary, p.adjust,
# wilcox/kruskal/cor.test with exact=FALSE, diversity/specnumber/estimateR, vegdist + adonis2
# by margin and by terms, betadisper + anova + permutest, cmdscale) and prints one ok/FAIL
# line per check. Deterministic quantities must agree to 1e-8 relative; permutation p-values
# (different random streams) within 3 Monte Carlo standard errors of their difference + 2/N.
# Needs Rscript with vegan and rhdf5, /usr/bin/python3 with biom-format and h5py. ~1 min.
set -u
. "$(dirname "$0")/lib.bash"

DDIR=$ROOT/tests/integration/data
PY=/usr/bin/python3
export LC_ALL=C LC_COLLATE=C

if ! command -v Rscript >/dev/null || ! Rscript -e 'library(vegan); library(rhdf5)' >/dev/null 2>&1; then
  skip "stats vs R: Rscript with vegan and rhdf5 not available"
  finish; exit
fi
if ! $PY -c 'import biom, h5py' 2>/dev/null; then
  skip "stats vs R: $PY with biom-format and h5py not available"
  finish; exit
fi

# gb_stats OUTDIR ARGS...: run gutbrain stats; a failure is a FAIL with its stderr.
gb_stats() {
  local out=$1 rc=0; shift
  "$GB" stats -q --out "$out" "$@" > "$out.log" 2>&1 || rc=$?
  [ "$rc" -eq 0 ] && return 0
  fail "gutbrain stats $* (exit $rc)"; show "$out.log"; return 1
}

# r_check LABEL KEY=VALUE...: run stats_check.R and turn its lines into ok/fail.
r_check() {
  local label=$1; shift
  local log=$TMP/$label.R.out line
  mkdir -p "$TMP/$label.ref"
  Rscript "$DDIR/stats_check.R" "label=$label" "refout=$TMP/$label.ref" "$@" > "$log" 2> "$log.err"
  while IFS= read -r line; do
    case $line in
      "ok "*) ok "${line#ok }" ;;
      "FAIL "*) fail "${line#FAIL }" ;;
    esac
  done < "$log"
  if ! grep -q "^summary $label:" "$log"; then
    fail "$label: stats_check.R did not finish"; show "$log.err" 20
  fi
}

# same_tables DIR1 DIR2 WHAT: every .tsv byte-identical.
same_tables() {
  local f bad=""
  for f in "$1"/*.tsv; do cmp -s "$f" "$2/$(basename "$f")" || bad="$bad $(basename "$f")"; done
  if [ -z "$bad" ]; then ok "$3"; else fail "$3: differ:$bad"; fi
}

# close_tables A.tsv B.tsv: same lines (sorted) with numbers equal to 1e-10 relative to the
# larger of the two or, for values near 0 (e.g. the ~0 PCoA eigenvalue), to the column's largest.
close_tables() {
  $PY -c '
import sys
def num(v):
    try:
        return float(v)
    except ValueError:
        return None
rows = [sorted(l.rstrip("\n").split("\t") for l in open(p)) for p in sys.argv[1:]]
if len(rows[0]) != len(rows[1]) or any(len(r) != len(s) for r, s in zip(*rows)):
    sys.exit(1)
scale = {}
for r in rows[0] + rows[1]:
    for j, v in enumerate(r):
        x = num(v)
        if x is not None and x == x:
            scale[j] = max(scale.get(j, 0.0), abs(x))
for r, s in zip(*rows):
    for j, (a, b) in enumerate(zip(r, s)):
        x, y = num(a), num(b)
        if a != b and (x is None or y is None or abs(x - y) > 1e-10 * max(abs(x), abs(y), scale[j])):
            sys.exit(1)
' "$1" "$2"
}

# ------------------------------------------------------------------- (a) synthetic cohorts
$PY "$DDIR/make_cohort.py" "$TMP/a.biom" "$TMP/a.tsv" --samples 100 --taxa 40 --seed 20240611 > /dev/null ||
  die "make_cohort.py failed"
$PY "$DDIR/make_cohort.py" "$TMP/b.biom" "$TMP/b.tsv" --samples 120 --taxa 40 --genera 12 --seed 7 > /dev/null ||
  die "make_cohort.py failed"

# a1: 2-level variable (Wilcoxon), 3-level covariate, numeric covariate with NA; LOG.
A1=(--cohort "$TMP/a.biom" --metadata "$TMP/a.tsv" --variable group --covariates site,age --rank none --seed 7)
if gb_stats "$TMP/a1m" "${A1[@]}" --threads 2 && gb_stats "$TMP/a1t" "${A1[@]}" --by terms; then
  r_check a1 biom="$TMP/a.biom" meta="$TMP/a.tsv" variable=group covariates=site,age \
    margin="$TMP/a1m" terms="$TMP/a1t"
  gb_stats "$TMP/a1m_t1" "${A1[@]}" --threads 1 && same_tables "$TMP/a1m" "$TMP/a1m_t1" "a1: tables identical with 1 and 2 threads"
  # stats.h5 holds the same tables as the TSV files
  if $PY - "$TMP/a1m" > "$TMP/h5.out" 2>&1 <<'EOF'
import csv, glob, math, os, sys
import h5py
d = sys.argv[1]
with h5py.File(os.path.join(d, "stats.h5"), "r") as h5:
    for path in sorted(glob.glob(os.path.join(d, "*.tsv"))):
        name = os.path.basename(path)[:-4]
        if name == "dropped_samples":
            continue
        rows = list(csv.reader(open(path), delimiter="\t"))
        for j, col in enumerate(rows[0]):
            ds = h5[name][col][()]
            assert len(ds) == len(rows) - 1, (name, col)
            for i, v in enumerate(ds):
                t = rows[i + 1][j]
                if isinstance(v, bytes):
                    assert v.decode() == t, (name, col, i, v, t)
                elif t == "NA":
                    assert math.isnan(v), (name, col, i, v)
                else:
                    assert abs(v - float(t)) <= 1e-14 * abs(v), (name, col, i, v, t)
print("ok")
EOF
  then ok "a1: stats.h5 tables = TSV tables"; else fail "a1: stats.h5 differs from the TSV tables"; show "$TMP/h5.out"; fi
fi

# a2: 3-level variable (Kruskal-Wallis) with a non-default reference, CLR.
A2=(--cohort "$TMP/a.biom" --metadata "$TMP/a.tsv" --variable site --covariates group,age --reference site=C
    --transform clr --rank none --seed 11)
if gb_stats "$TMP/a2m" "${A2[@]}" && gb_stats "$TMP/a2t" "${A2[@]}" --by terms; then
  r_check a2 biom="$TMP/a.biom" meta="$TMP/a.tsv" variable=site covariates=group,age reference=site=C \
    transform=clr margin="$TMP/a2m" terms="$TMP/a2t"
fi

# a3: numeric variable (Spearman on the raw values; z-scored in the model), AST.
A3=(--cohort "$TMP/a.biom" --metadata "$TMP/a.tsv" --variable age --covariates group,site --transform ast
    --rank none --seed 13)
if gb_stats "$TMP/a3m" "${A3[@]}" && gb_stats "$TMP/a3t" "${A3[@]}" --by terms; then
  r_check a3 biom="$TMP/a.biom" meta="$TMP/a.tsv" variable=age covariates=group,site transform=ast \
    margin="$TMP/a3m" terms="$TMP/a3t"
fi

# a4: --rank genus collapse of integer counts (40 taxa in 12 genera), no transform, prevalence 0.2.
A4=(--cohort "$TMP/b.biom" --metadata "$TMP/b.tsv" --variable group --covariates age,site --rank genus
    --transform none --min-prevalence 0.2 --seed 17)
if gb_stats "$TMP/a4m" "${A4[@]}"; then
  r_check a4 biom="$TMP/b.biom" meta="$TMP/b.tsv" variable=group covariates=age,site rank=genus transform=none \
    minprev=0.2 margin="$TMP/a4m"
fi

# a5: region is a function of site, so after site its column is aliased (NA rows, df 0).
A5=(--cohort "$TMP/a.biom" --metadata "$TMP/a.tsv" --variable group --covariates site,region --rank none --seed 19)
if gb_stats "$TMP/a5m" "${A5[@]}" && gb_stats "$TMP/a5t" "${A5[@]}" --by terms; then
  r_check a5 biom="$TMP/a.biom" meta="$TMP/a.tsv" variable=group covariates=site,region \
    margin="$TMP/a5m" terms="$TMP/a5t"
fi

# a6: 6 samples: vegan and gutbrain both enumerate all 719 permutations, so p must be equal.
{ head -1 "$TMP/a.tsv"
  awk -F'\t' 'NR > 1 && $4 != "" && $4 != "NA" && $1 ~ /^S/ { if (n[$2]++ < 3) print }' "$TMP/a.tsv"
} > "$TMP/tiny.tsv"
A6=(--cohort "$TMP/a.biom" --metadata "$TMP/tiny.tsv" --variable group --covariates age --rank none --seed 23)
if gb_stats "$TMP/a6m" "${A6[@]}" && gb_stats "$TMP/a6t" "${A6[@]}" --by terms; then
  r_check a6 biom="$TMP/a.biom" meta="$TMP/tiny.tsv" variable=group covariates=age exact_p=1 \
    margin="$TMP/a6m" terms="$TMP/a6t"
fi

# ------------------------------------------------------------------- (b) real MDD cohort
KOV=$DATA/cohorts/kovtun2022_MDD
if [ ! -s "$KOV/S6a_genus_level_signatures.tsv.gz" ]; then
  skip "kovtun2022_MDD: $KOV not present"
else
  $PY "$DDIR/kovtun_to_biom.py" --data "$KOV" "$TMP/k.biom" "$TMP/k.tsv" > /dev/null &&
    $PY "$DDIR/kovtun_to_biom.py" --data "$KOV" --features genus "$TMP/kg.biom" "$TMP/kg.tsv" > /dev/null ||
    die "kovtun_to_biom.py failed"
  K=(--metadata "$TMP/k.tsv" --variable group --covariates sex,age --seed 29)
  if gb_stats "$TMP/km" --cohort "$TMP/k.biom" "${K[@]}" --rank genus &&
     gb_stats "$TMP/kt" --cohort "$TMP/k.biom" "${K[@]}" --rank genus --by terms; then
    r_check mdd biom="$TMP/k.biom" meta="$TMP/k.tsv" variable=group covariates=sex,age rank=genus \
      margin="$TMP/km" terms="$TMP/kt"
    # gutbrain's collapse = the python's genus sums (same additions in file order): the
    # per-feature tables are identical up to the ids (g__X vs X) and the order of q ties; the
    # beta tables sum over the genera in another order (ours: sorted ids), so only to 1e-10
    # (pcoa.tsv is left out: an axis' sign may flip).
    if gb_stats "$TMP/kn" --cohort "$TMP/kg.biom" "${K[@]}" --rank none; then
      bad=""
      for b in associations ranktests alpha alpha_models dropped_samples; do
        cmp -s <(sed 's/^g__//' "$TMP/km/$b.tsv" | sort) <(sort "$TMP/kn/$b.tsv") || bad="$bad $b"
      done
      for b in permanova dispersion pcoa_eigenvalues; do
        close_tables "$TMP/km/$b.tsv" "$TMP/kn/$b.tsv" || bad="$bad $b"
      done
      if [ -z "$bad" ]; then ok "mdd: --rank genus tables = --rank none on python's genus sums"
      else fail "mdd: --rank genus and pre-summed genus tables differ:$bad"; fi
    fi
  fi
fi

finish
