#!/usr/bin/env bash
# gutbrain on a Kraken 2 database read natively (hash.k2d, opts.k2d, taxo.k2d, built here by
# Debian's kraken2-build 2.1.2, 32-bit cells) against kraken2 itself on the same database:
# per-read output byte for byte on 100 % of the reads and the kreport (all columns but the
# rank code, where we deliberately fix the Debian binary's missing letters; docs/KRAKEN2-COMPAT.md),
# for paired, single, interleaved, --confidence, --minimum-hit-groups, --minimum-base-quality,
# --use-names, and a capped database (--max-db-size); --report-minimizer-data, where only the
# distinct-minimizer column may differ (kraken2 estimates it, we count exactly: the largest
# relative difference is printed and must stay within MDATA_MAX_REL). Then `gutbrain run` on
# it, and bad database files: exit 2 with one error line naming the file.
set -uo pipefail
source "$(dirname "$0")/lib.bash"
command -v kraken2-build >/dev/null || die "kraken2 is not installed (make deps)"

prepare_tiny_refs
K2=$TMP/k2
build_kraken2_db "$K2" || die "kraken2-build failed"
ok "Kraken 2 database built ($(stat -c %s "$K2/hash.k2d") bytes of hash.k2d)"

sim_pairs "$TMP/clean" 150 20 "${TINY_REFS[@]}"
perturb_pairs "$TMP/clean" "$TMP/mixed"
interleave "$TMP/mixed_R1.fastq" "$TMP/mixed_R2.fastq" > "$TMP/mixed_il.fastq"
PAIR=("$TMP/mixed_R1.fastq" "$TMP/mixed_R2.fastq")

GB_DB=$K2
run_both k2_paired --paired "${PAIR[@]}"
run_both k2_c01 --paired --confidence 0.1 "${PAIR[@]}"
run_both k2_c03 --paired --confidence 0.3 "${PAIR[@]}"
run_both k2_mhg0 --paired --minimum-hit-groups 0 "${PAIR[@]}"
run_both k2_mhg3 --paired --minimum-hit-groups 3 "${PAIR[@]}"
run_both k2_q20 --paired --minimum-base-quality 20 "${PAIR[@]}"
# kraken2 2.1.2 has no --interleaved: gutbrain's interleaved file must equal kraken2 --paired on the two files
run_both k2_interleaved --interleaved "$TMP/mixed_il.fastq" --k2 --paired "${PAIR[@]}"
run_both k2_single "$TMP/mixed_R1.fastq"
run_both k2_single_c03 --confidence 0.3 "$TMP/mixed_R1.fastq"
run_both k2_names --paired --use-names "${PAIR[@]}"

# --report-minimizer-data: columns 1-4 and 7- equal kraken2's, column 5 (distinct minimizers) is
# kraken2's HyperLogLog estimate against our exact count; the same report for any --threads.
MDATA_MAX_REL=0.05
compare_mdata_reports() {  # GB_REPORT K2_REPORT LABEL
  if ! diff <(cut -f1-4,7- "$1") <(cut -f1-4,7- "$2") > "$TMP/rep.diff"; then
    fail "$3: minimizer-data kreport differs from kraken2's beyond the distinct column"; show "$TMP/rep.diff" 8; return
  fi
  local worst
  worst=$(paste <(cut -f5 "$1") <(cut -f5 "$2") | awk -F'\t' '{ d = $1 > $2 ? $1 - $2 : $2 - $1
            r = $1 ? d / $1 : (d ? 1 : 0); if (r > m) m = r } END { printf "%.4f", m + 0 }')
  if awk -v w="$worst" -v max="$MDATA_MAX_REL" 'BEGIN { exit !(w <= max) }'; then
    ok "$3: minimizer columns equal kraken2's; distinct: HLL vs exact max relative difference $worst over $(wc -l < "$1") lines"
  else
    fail "$3: kraken2's distinct-minimizer estimate is $worst (relative) from our exact count (max $MDATA_MAX_REL)"
  fi
}
mdata_both() {  # LABEL ARGS...: classify -K with 1 and 2 threads against kraken2 -K
  local label=$1; shift
  for t in 1 2; do
    "$GB" classify --db "$GB_DB" --threads $t --output "$TMP/$label.gb" --report "$TMP/$label.t$t.gb.rep" \
      --report-minimizer-data "$@" 2> "$TMP/$label.gb.err" || { fail "$label: gutbrain exited non-zero"; show "$TMP/$label.gb.err"; return; }
  done
  kraken2 --db "$K2" --threads 2 --output "$TMP/$label.k2" --report "$TMP/$label.k2.rep" --report-minimizer-data "$@" \
    2> "$TMP/$label.k2.err" || { fail "$label: kraken2 exited non-zero"; show "$TMP/$label.k2.err"; return; }
  if cmp -s "$TMP/$label.t1.gb.rep" "$TMP/$label.t2.gb.rep"; then ok "$label: the same report with 1 and 2 threads"
  else fail "$label: the report depends on --threads"; fi
  compare_reads "$TMP/$label.gb" "$TMP/$label.k2" "$label"
  compare_mdata_reports "$TMP/$label.t2.gb.rep" "$TMP/$label.k2.rep" "$label"
}
mdata_both k2_mdata_paired --paired "${PAIR[@]}"
mdata_both k2_mdata_single --confidence 0.3 "$TMP/mixed_R1.fastq"
# kraken2 ignores the option in the mpa style; so do we
"$GB" classify --db "$GB_DB" --output /dev/null --report "$TMP/mpa_md.gb.rep" --use-mpa-style --report-minimizer-data \
  --paired "${PAIR[@]}" 2>/dev/null
kraken2 --db "$K2" --output /dev/null --report "$TMP/mpa_md.k2.rep" --use-mpa-style --report-minimizer-data \
  --paired "${PAIR[@]}" 2>/dev/null
if cmp -s "$TMP/mpa_md.gb.rep" "$TMP/mpa_md.k2.rep"; then ok "--use-mpa-style with --report-minimizer-data equals kraken2's"
else fail "--use-mpa-style with --report-minimizer-data differs from kraken2's"; show "$TMP/mpa_md.gb.rep"; fi

# Older opts.k2d sizes: 56 bytes (no db_type) reads the same; 48 bytes (before Kraken 2.0.8)
# has no revcom_version, so both tools fall back to the legacy canonical form (a table built
# with the current one then finds fewer minimizers, but both must agree read by read).
for size in 56 48; do
  K2=$TMP/k2_opts$size
  mkdir -p "$K2" && cp "$TMP/k2"/*.k2d "$K2/" && truncate -s $size "$K2/opts.k2d"
  GB_DB=$K2
  run_both opts${size}_paired --paired "${PAIR[@]}"
done

# A capped database: half the table, so minimizers with a hash below min_hash are misses.
K2=$TMP/k2cap
build_kraken2_db "$K2" --max-db-size $(($(stat -c %s "$TMP/k2/hash.k2d") / 2)) || die "kraken2-build --max-db-size failed"
min_hash=$(od -An -tx8 -j40 -N8 "$K2/opts.k2d" | tr -d ' ')
if [ "$min_hash" != 0000000000000000 ]; then ok "capped database: min_hash $min_hash"; else fail "capped database has no min_hash"; fi
GB_DB=$K2
run_both cap_paired --paired "${PAIR[@]}"
run_both cap_c01_mhg0 --paired --confidence 0.1 --minimum-hit-groups 0 "${PAIR[@]}"
run_both cap_single "$TMP/mixed_R1.fastq"

# gutbrain run: the same kreport per sample as classify on the same reads.
K2=$TMP/k2
printf 'sample,fastq_1,fastq_2\npe,%s,%s\nse,%s,\n' "${PAIR[@]}" "$TMP/mixed_R1.fastq" > "$TMP/sheet.csv"
if "$GB" run -q --db "$K2" --samples "$TMP/sheet.csv" --out "$TMP/run" --threads 2 > "$TMP/run.log" 2>&1; then
  if cmp -s "$TMP/run/samples/pe.kreport" "$TMP/k2_paired.gb.rep" && cmp -s "$TMP/run/samples/se.kreport" "$TMP/k2_single.gb.rep" \
     && [ -s "$TMP/run/cohort.biom" ]; then
    ok "run on the Kraken 2 database: kreports equal classify's, cohort.biom written"
  else
    fail "run on the Kraken 2 database: per-sample kreports differ from classify's"
  fi
else
  fail "run on the Kraken 2 database exited non-zero"; show "$TMP/run.log" 8
fi

# run --report-minimizer-data: per-sample kreports equal classify's with the option; the
# option is part of the fingerprint, so the earlier run's results are not reused for it.
if "$GB" run -q --db "$K2" --samples "$TMP/sheet.csv" --out "$TMP/run" --threads 2 --report-minimizer-data \
     > "$TMP/run_md.log" 2>&1 && cmp -s "$TMP/run/samples/pe.kreport" "$TMP/k2_mdata_paired.t2.gb.rep"; then
  ok "run --report-minimizer-data: the per-sample kreport equals classify's"
else
  fail "run --report-minimizer-data: per-sample kreport differs from classify's"; show "$TMP/run_md.log" 8
fi
# The cohort keeps each matrix entry's minimizer columns under /gutbrain/ (aligned with
# /sample/matrix/data); BIOM readers still load it; 2 MPI ranks write the same values.
mpirun --oversubscribe -n 2 "$GB" run -q --db "$K2" --samples "$TMP/sheet.csv" --out "$TMP/run_md2" --threads 1 \
  --report-minimizer-data > "$TMP/run_md2.log" 2>&1 || { fail "run -K under mpirun -n 2 exited non-zero"; show "$TMP/run_md2.log"; }
if env -u HDF5_PLUGIN_PATH /usr/bin/python3 - "$TMP/run" "$TMP/run_md2" > "$TMP/md_cohort.out" 2>&1 <<'PY'
import sys, biom, h5py
def profile_columns(out, ids):
    got = []
    for sid in ids:
        rows = open(f"{out}/samples/{sid}.profile.tsv").read().splitlines()
        assert rows[7] == "taxid\treads\tminimizers\tdistinct_minimizers", rows[7]
        got += [tuple(int(x) for x in r.split("\t")[2:]) for r in rows[8:]]
    return got
cols = []
for out in sys.argv[1:]:
    t = biom.load_table(f"{out}/cohort.biom")
    with h5py.File(f"{out}/cohort.biom") as f:
        pairs = list(zip(f["gutbrain/minimizers"][:].tolist(), f["gutbrain/distinct_minimizers"][:].tolist()))
    assert len(pairs) == t.nnz, (len(pairs), t.nnz)
    assert pairs == profile_columns(out, [str(i) for i in t.ids()]), out
    cols.append(pairs)
assert cols[0] == cols[1]
print(len(cols[0]))
PY
then
  ok "cohort.biom: biom.load_table loads it; /gutbrain/minimizers and distinct_minimizers match the profiles ($(cat "$TMP/md_cohort.out") entries, 1 and 2 ranks)"
else
  fail "cohort.biom minimizer columns"; show "$TMP/md_cohort.out" 8
fi
check_biom_readers "cohort.biom with minimizer columns" "$TMP/run_md2/cohort.biom"

# Bad database files: exit 2, one error line naming the file, no output.
bad_db() {  # NAME FILE-PATTERN: copy the database into $TMP/NAME (the caller then spoils it)
  rm -rf "${TMP:?}/$1" && mkdir -p "$TMP/$1" && cp "$K2"/*.k2d "$TMP/$1/"
}
expect_bad() {  # NAME FILE: classify on $TMP/NAME must fail naming FILE
  expect_error "$1" 2 "$2" "$TMP/$1.kout" -- "$GB" classify --db "$TMP/$1" --output "$TMP/$1.kout" "$TMP/mixed_R1.fastq"
}
bad_db no_taxo && rm "$TMP/no_taxo/taxo.k2d" && expect_bad no_taxo 'taxo\.k2d'
bad_db no_hash && rm "$TMP/no_hash/hash.k2d" && expect_bad no_hash 'hash\.k2d'
bad_db short_hash && truncate -s -5 "$TMP/short_hash/hash.k2d" && expect_bad short_hash 'hash\.k2d'
bad_db tiny_hash && truncate -s 20 "$TMP/tiny_hash/hash.k2d" && expect_bad tiny_hash 'hash\.k2d'
bad_db opts_size && truncate -s 60 "$TMP/opts_size/opts.k2d" && expect_bad opts_size 'opts\.k2d'
bad_db taxo_magic && printf 'K2TAXDAX' | dd of="$TMP/taxo_magic/taxo.k2d" conv=notrunc status=none && expect_bad taxo_magic 'taxo\.k2d'
bad_db taxo_short && truncate -s -1 "$TMP/taxo_short/taxo.k2d" && expect_bad taxo_short 'taxo\.k2d'
# dna_db = 0 (byte 32 of opts.k2d): a protein database
bad_db protein && printf '\0' | dd of="$TMP/protein/opts.k2d" bs=1 seek=32 conv=notrunc status=none && expect_bad protein 'opts\.k2d.*protein'
finish
