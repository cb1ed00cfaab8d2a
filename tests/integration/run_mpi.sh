#!/usr/bin/env bash
# `gutbrain run` is deterministic and agrees with `gutbrain classify`: on a mixed cohort of ten
# samples (paired/single, plain/gz/zst, relative paths, one sample with nothing classifiable)
# the cohort's counts are identical without mpirun and under mpirun with 1, 2 and 4 ranks x 1
# and 2 threads; every per-sample kreport is byte-identical to `gutbrain classify --report` of
# that sample alone, and every cohort column equals that report's direct counts. The cohort
# loads with biom.load_table, is BIOM 2.1 with taxonomy metadata, holds the samples in sheet
# order, and a TSV sheet with extra columns in another order gives the same cohort.
# Prints ok/FAIL per check; exit 1 on any FAIL.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash"
source "$(dirname "${BASH_SOURCE[0]}")/run_lib.bash"

# ---------------------------------------------------------------- setup
setup_cohort
ok "cohort of ${#COHORT_IDS[@]} samples: ${COHORT_IDS[*]}"

# ---------------------------------------------------------------- reference: without mpirun
gb_run_ok plain 0 "$TMP/out_plain" "$SHEET" --threads 1 --biom-json || { finish; exit 1; }
REF=$TMP/out_plain
if cohort_dump "$REF/cohort.biom" "$TMP/plain.dump" 2> "$TMP/plain.dump.err"; then
  ok "cohort.biom (no mpirun) loads with biom.load_table: BIOM 2.1, taxonomy on every observation"
else
  fail "cohort.biom (no mpirun) does not load or breaks BIOM"; show "$TMP/plain.dump.err" 8
  finish; exit 1
fi
# biom, python and R as users run them; s06 has no classified read (an empty column). R reads
# gutbrain's JSON copy (--biom-json) right as it is; its HDF5 reader has the documented defects.
check_biom_readers "cohort.biom (s06 empty)" "$REF/cohort.biom"
want_ids=$(printf '%s\t' "${COHORT_IDS[@]}")
got_ids=$(sed -n '1s/^samples\t//p' "$TMP/plain.dump")
if [ "$got_ids" = "${want_ids%$'\t'}" ]; then ok "cohort samples are the sheet's, in sheet order"
else fail "cohort samples: '$got_ids', want '${want_ids%$'\t'}'"; fi
n_obs=$(sed -n '2p' "$TMP/plain.dump" | awk -F'\t' '{ print NF - 1 }')
if [ "$n_obs" -ge 4 ]; then ok "cohort has $n_obs taxa, $(($(wc -l < "$TMP/plain.dump") - 2)) non-zero counts"
else fail "cohort has only $n_obs taxa (want >= 4: lambda, DWV, VDV-1, E. coli 536)"; fi
if [ -s "$REF/failed.tsv" ] && [ "$(cat "$REF/failed.tsv")" = "$(printf 'sample\tfile\treason')" ]; then
  ok "failed.tsv: header only"
else
  fail "failed.tsv should hold just the header"; show "$REF/failed.tsv"
fi
expect_no_tmp_files "run without mpirun" "$REF"

# Where BIOM readers need it: BIOM's groups deflate-compressed (no plugin needed), the
# gutbrain extras in their own group.
if "$PY" - "$REF/cohort.biom" > "$TMP/h5.txt" 2>&1 <<'EOF'
import sys, h5py
with h5py.File(sys.argv[1], "r") as f:
    bad = [n for n in ("observation/matrix/data", "sample/matrix/data") if f[n].compression != "gzip"]
    if bad:
        sys.exit("not deflate-compressed: %s" % bad)
    if "gutbrain" not in f:
        sys.exit("no /gutbrain group")
    print("groups: " + " ".join(sorted(f.keys())))
EOF
then ok "BIOM datasets deflate-compressed, /gutbrain/ present ($(cat "$TMP/h5.txt"))"
else fail "HDF5 layout"; show "$TMP/h5.txt"; fi

# ---------------------------------------------------------------- each sample alone
for id in "${COHORT_IDS[@]}"; do
  rep=$TMP/alone_$id.kreport
  if ! classify_alone "$id" "$rep"; then
    fail "classify $id alone: exit $?"; show "$rep.err"; continue
  fi
  same_file "$id: run's kreport = classify --report (byte for byte)" "$rep" "$REF/samples/$id.kreport"
  kreport_direct "$rep" > "$TMP/alone_$id.direct"
  dump_column "$TMP/plain.dump" "$id" > "$TMP/cohort_$id.direct"
  if cmp -s "$TMP/alone_$id.direct" "$TMP/cohort_$id.direct"; then
    ok "$id: cohort column = classify's direct counts ($(wc -l < "$TMP/alone_$id.direct") taxa)"
  else
    fail "$id: cohort column differs from classify's direct counts (taxid, count)"
    diff "$TMP/alone_$id.direct" "$TMP/cohort_$id.direct" | head -n 6 | sed 's/^/      | /'
  fi
  profile_rows "$REF" "$id" > "$TMP/profile_$id.direct"
  cmp -s "$TMP/alone_$id.direct" "$TMP/profile_$id.direct" ||
    { fail "$id: profile.tsv rows differ from classify's direct counts"; show "$TMP/profile_$id.direct"; }
done
# Sample QC under /gutbrain/ (deflate: read by h5py as installed, no plugin path) against
# classify's reports: reads = unclassified + root's clade count, classified = root's.
for id in "${COHORT_IDS[@]}"; do
  awk -F'\t' -v id="$id" '$5 == 0 { u = $2 } $5 == 1 { c = $2 } END { print id "\t" u + c "\t" c + 0 "\t" u + 0 }' \
    "$TMP/alone_$id.kreport"
done > "$TMP/qc.want"
if env -u HDF5_PLUGIN_PATH "$PY" - "$REF/cohort.biom" > "$TMP/qc.got" 2> "$TMP/qc.err" <<'EOF'
import sys, h5py
with h5py.File(sys.argv[1], "r") as f:
    ids = [i.decode() if isinstance(i, bytes) else i for i in f["sample/ids"][:]]
    g = f["gutbrain"]
    for i, s in enumerate(ids):
        print("%s\t%d\t%d\t%d" % (s, g["reads"][i], g["classified"][i], g["unclassified"][i]))
EOF
then same_file "/gutbrain/ QC (reads, classified, unclassified) = classify's reports" "$TMP/qc.want" "$TMP/qc.got"
else fail "cannot read /gutbrain/ QC without a plugin"; show "$TMP/qc.err" 6; fi

# The all-random sample classifies nothing: an all-zero column, still a sample of the cohort.
if [ ! -s "$TMP/cohort_s06.direct" ]; then ok "s06 (random reads only): all-zero column kept"
else fail "s06 (random reads only) has counts: $(head -n 3 "$TMP/cohort_s06.direct" | tr '\n' ' ')"; fi

# ---------------------------------------------------------------- ranks x threads
for ranks in 1 2 4; do
  for threads in 1 2; do
    name=r${ranks}t${threads}
    gb_run_ok "$name" "$ranks" "$TMP/out_$name" "$SHEET" --threads "$threads" || continue
    if ! cohort_dump "$TMP/out_$name/cohort.biom" "$TMP/$name.dump" 2> "$TMP/$name.dump.err"; then
      fail "$name: cohort.biom does not load"; show "$TMP/$name.dump.err"; continue
    fi
    same_file "$ranks rank(s) x $threads thread(s): cohort content = no-mpirun run" "$TMP/plain.dump" "$TMP/$name.dump"
    # Per-sample files too (they hold no times, so they must match byte for byte).
    if diff -r "$REF/samples" "$TMP/out_$name/samples" > "$TMP/$name.diff"; then
      ok "$ranks rank(s) x $threads thread(s): samples/ byte-identical"
    else
      fail "$ranks rank(s) x $threads thread(s): samples/ differs"; show "$TMP/$name.diff"
    fi
    # Every rank classifies: with 2+ ranks and 10 samples no rank may sit idle.
    if [ "$ranks" -gt 1 ]; then
      idle=$(awk '/^rank +samples/ { t = 1; next } t && /^ *[0-9]+ / { if ($2 == 0) n++ } END { print n + 0 }' "$TMP/$name.err")
      if grep -q '^rank  *samples' "$TMP/$name.err"; then
        [ "$idle" -eq 0 ] && ok "$name: every rank classified samples" || fail "$name: $idle rank(s) took no sample"
      else
        fail "$name: no summary table on stderr"; show "$TMP/$name.err"
      fi
    fi
  done
done

# ---------------------------------------------------------------- sheet variants
# TSV, columns in another order, extra nf-core columns, CRLF: same samples, same cohort.
awk -F, 'NR == 1 { print "run_accession\tfastq_2\tsample\tinstrument_platform\tfastq_1"; next }
         { printf "run%d\t%s\t%s\tILLUMINA\t%s\r\n", NR, $3, $1, $2 }' "$SHEET" > "$TMP/cohort/sheet.tsv"
if gb_run_ok tsv 2 "$TMP/out_tsv" "$TMP/cohort/sheet.tsv" --threads 1 &&
   cohort_dump "$TMP/out_tsv/cohort.biom" "$TMP/tsv.dump" 2> "$TMP/tsv.dump.err"; then
  same_file "TSV sheet, other column order, extra columns, CRLF: same cohort" "$TMP/plain.dump" "$TMP/tsv.dump"
fi

finish
