#!/usr/bin/env bash
# The cohort file (BIOM 2.1 HDF5) written by 1, 2 and 4 MPI ranks with parallel HDF5, read by
# the tools users read it with: Debian's python3-biom-format (biom.load_table) and h5py, h5dump,
# and R's phyloseq::import_biom. Synthetic cohorts come from
# build/release/tests/cohort_mpi_driver (deterministic profiles split into rank blocks):
#   - 1, 2 and 4 ranks give identical tables (ids, counts, taxonomy lineages, /gutbrain/ QC)
#     with the expected sums; CSR (observation/matrix) equals CSC (sample/matrix);
#   - a rank without samples, a cohort without any observation, zstd on request;
#   - a bad taxid on one rank fails every rank and leaves no file, not even the temporary one;
#   - the default file, /gutbrain/ included, opens in every reader as installed (no
#     HDF5_PLUGIN_PATH): h5dump, h5py, biom validate-table, biom.load_table, R phyloseq
#     (check_biom_readers, with Debian R's exact behaviour on empty samples); a zstd file (filter
#     32015) opens through build/plugins only (values, not exit codes: without the plugin h5dump
#     prints an empty DATA block and exits 0).
# Needs bin/gutbrain and the plugin (make) and the driver (make test builds it; compiled here when
# missing).
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash"

DRIVER=${COHORT_DRIVER:-$ROOT/build/release/tests/cohort_mpi_driver}
PLUGINS=${GUTBRAIN_PLUGIN_DIR:-$ROOT/build/plugins}
PY=/usr/bin/python3   # Debian's interpreter: the one that sees python3-biom-format and h5py
export OMP_NUM_THREADS=1 GUTBRAIN_CREATION_DATE=2024-06-01T00:00:00

[ -f "$PLUGINS/libh5zstd.so" ] || die "no zstd plugin in $PLUGINS (make plugin)"
command -v mpirun > /dev/null || die "mpirun not found (make deps)"
"$PY" -c 'import biom, h5py, scipy' 2> /dev/null || die "$PY cannot import biom and h5py (make deps)"

if [ ! -x "$DRIVER" ]; then   # the Makefile knows its sources; a hand-kept list went stale twice
  make -C "$ROOT" --no-print-directory build/release/tests/cohort_mpi_driver > "$TMP/make.log" 2>&1 ||
    { cat "$TMP/make.log" >&2; die "cannot build the driver (make build/release/tests/cohort_mpi_driver)"; }
fi
echo "driver: $DRIVER"
echo "temp: $TMP"

# drive NAME RANKS ARGS... : write $TMP/NAME.biom; driver line in $TMP/NAME.out.
drive() {
  local name=$1 ranks=$2; shift 2
  mpirun --oversubscribe -n "$ranks" "$DRIVER" "$TMP/$name.biom" "$@" > "$TMP/$name.out" 2> "$TMP/$name.err"
}
# field NAME KEY : a key=value of the driver's line.
field() { tr ' ' '\n' < "$TMP/$1.out" | sed -n "s/^$2=//p"; }
# leftovers NAME : temporary files left next to NAME.biom.
leftovers() { find "$TMP" -maxdepth 1 -name "$1.biom.tmp.*" | wc -l; }

# run_ok NAME RANKS ARGS... : drive and check exit code, output file and no temporary file.
run_ok() {
  local name=$1 ranks=$2
  if ! drive "$@"; then
    fail "$name: driver on $ranks rank(s) exited non-zero"; show "$TMP/$name.err" 10; return 1
  fi
  if [ -s "$TMP/$name.biom" ] && [ "$(leftovers "$name")" -eq 0 ]; then
    ok "$name: $ranks rank(s) wrote $(wc -c < "$TMP/$name.biom") bytes in $(field "$name" write_s) s, nnz $(field "$name" nnz)"
  else
    fail "$name: no file or a temporary file left behind"; return 1
  fi
}

cat > "$TMP/check.py" <<'PY'
"""check.py SUM NNZ RANKS FILE... : every FILE holds the same cohort; exit 1 with reasons if not."""
import sys
import biom
import h5py
import numpy as np
import scipy.sparse as sp

want_sum, want_nnz = int(sys.argv[1]), int(sys.argv[2])
ranks = [int(r) for r in sys.argv[3].split(",")]
paths = sys.argv[4:]
problems = []

def lineages(t):
    md = t.metadata(axis="observation")
    return [list(m["taxonomy"]) for m in md] if md is not None else []

def gutbrain(path):
    with h5py.File(path, "r") as f:
        g = f["gutbrain"]
        return {k: g[k][:] for k in ("reads", "classified", "unclassified", "bases")}, dict(g.attrs), dict(f.attrs)

def csr_of(path):
    with h5py.File(path, "r") as f:
        m = f["observation/matrix"]
        n_obs, n_samples = (int(x) for x in f.attrs["shape"])
        csr = sp.csr_matrix((m["data"][:], m["indices"][:], m["indptr"][:]), shape=(n_obs, n_samples))
        return csr

tables = [biom.load_table(p) for p in paths]
ref = tables[0]
for path, r, t in zip(paths, ranks, tables):
    name = path.rsplit("/", 1)[-1]
    dense = t.matrix_data.toarray() if t.shape[0] else np.zeros(t.shape)
    if int(round(dense.sum())) != want_sum or t.nnz != want_nnz:
        problems.append(f"{name}: sum {dense.sum()} nnz {t.nnz}, expected {want_sum} and {want_nnz}")
    if list(t.ids()) != list(ref.ids()) or list(t.ids("observation")) != list(ref.ids("observation")):
        problems.append(f"{name}: ids differ from {paths[0]}")
    elif t.shape[0] and (t.matrix_data != ref.matrix_data).nnz:
        problems.append(f"{name}: counts differ from {paths[0]}")
    if lineages(t) != lineages(ref):
        problems.append(f"{name}: taxonomy differs from {paths[0]}")
    obs = list(t.ids("observation"))
    if obs != sorted(obs, key=int):
        problems.append(f"{name}: observation ids not ascending taxids")
    csr = csr_of(path)
    if not csr.has_sorted_indices or (t.shape[0] and (csr != sp.csr_matrix(dense)).nnz):
        problems.append(f"{name}: observation/matrix (CSR) does not match sample/matrix (CSC)")
    qc, gattrs, attrs = gutbrain(path)
    col_sums = dense.sum(axis=0).astype(np.uint64) if t.shape[1] else np.zeros(0, np.uint64)
    if not np.array_equal(qc["classified"], col_sums):
        problems.append(f"{name}: /gutbrain/classified != column sums")
    if not np.array_equal(qc["reads"], qc["classified"] + qc["unclassified"]) or \
       not np.array_equal(qc["bases"], qc["reads"] * 150):
        problems.append(f"{name}: /gutbrain/ reads, unclassified or bases inconsistent")
    ref_qc = gutbrain(paths[0])[0]
    if any(not np.array_equal(qc[k], ref_qc[k]) for k in qc):
        problems.append(f"{name}: /gutbrain/ QC differs from {paths[0]}")
    if int(gattrs["ranks"]) != r or len(gattrs["db-checksum"]) != 16 or int(gattrs["format-version"]) != 1:
        problems.append(f"{name}: provenance attributes wrong: {gattrs}")
    if attrs["creation-date"] != "2024-06-01T00:00:00" or list(attrs["format-version"]) != [2, 1]:
        problems.append(f"{name}: root attributes wrong: {attrs}")
    md = dict(zip(obs, lineages(t)))
    if "1000000" in md and md["1000000"] != ["d__Bacteria", "p__Phylum0", "c__Class0", "o__Order0",
                                             "f__Family0", "g__Genus0", "s__\u00d6kella sp. 0"]:
        problems.append(f"{name}: lineage of 1000000 is {md['1000000']}")
    if "1000007" in md and md["1000007"][5:] != ["g__", "s__Genus1 sp. 7"]:
        problems.append(f"{name}: lineage of 1000007 (no genus) is {md['1000007']}")
for p in problems:
    print(p)
print("shape %s, nnz %d, %d file(s)" % (ref.shape, ref.nnz, len(paths)))
sys.exit(1 if problems else 0)
PY

# check_same LABEL NAME... : the files hold the same cohort, with the first run's sum and nnz.
check_same() {
  local label=$1 first=$2 files=() ranks=() n; shift
  for n in "$@"; do files+=("$TMP/$n.biom"); ranks+=("$(field "$n" ranks)"); done
  if "$PY" "$TMP/check.py" "$(field "$first" sum)" "$(field "$first" nnz)" \
       "$(IFS=,; echo "${ranks[*]}")" "${files[@]}" > "$TMP/$label.check" 2>&1; then
    ok "$label: $(tail -n 1 "$TMP/$label.check")"
  else
    fail "$label"; show "$TMP/$label.check" 10
  fi
}

# ---------------------------------------------------------------- 1, 2, 4 ranks
COHORT=(37 150 5 60 11 --empty-every 9)   # samples taxa min max seed; every 9th sample empty
all_ran=1
for r in 1 2 4; do run_ok "main$r" "$r" "${COHORT[@]}" || all_ran=0; done
[ "$all_ran" = 1 ] && check_same "1, 2 and 4 ranks: identical tables" main1 main2 main4

# a rank without samples (3 samples on 4 ranks)
run_ok few1 1 3 40 1 20 5 && run_ok few4 4 3 40 1 20 5 && check_same "3 samples on 4 ranks" few1 few4

# no observation at all: still a valid BIOM file with every sample
if run_ok empty1 1 6 30 0 0 3 && run_ok empty2 2 6 30 0 0 3; then
  check_same "no observations" empty1 empty2
  shape=$("$PY" -c 'import biom, sys; print(biom.load_table(sys.argv[1]).shape)' "$TMP/empty2.biom" 2>&1)
  [ "$shape" = "(0, 6)" ] && ok "no observations: shape $shape" || fail "no observations: shape $shape"
fi

# zstd for BIOM's groups too: same table through the plugin
run_ok zstd2 2 "${COHORT[@]}" --zstd &&
  HDF5_PLUGIN_PATH=$PLUGINS check_same "zstd (2 ranks, through the plugin) = deflate (1 rank)" main1 zstd2
if [ -s "$TMP/zstd2.biom" ]; then
  filters=$("$PY" -c '
import h5py, sys
with h5py.File(sys.argv[1], "r") as f:
    dcpl = f["sample/matrix/data"].id.get_create_plist()
    print(" ".join(str(dcpl.get_filter(i)[0]) for i in range(dcpl.get_nfilters())))' "$TMP/zstd2.biom" 2>&1)
  case $filters in *32015*) ok "zstd BIOM groups: filter 32015 on sample/matrix/data" ;;
                   *) fail "zstd BIOM groups: filters $filters" ;; esac
fi

# ---------------------------------------------------------------- failure on one rank
drive bad 2 "${COHORT[@]}" --bad-taxid
rc=$?
if [ "$rc" -ne 0 ] && [ ! -e "$TMP/bad.biom" ] && [ "$(leftovers bad)" -eq 0 ]; then
  ok "bad taxid on the last rank: exit $rc, no file, no temporary file"
else
  fail "bad taxid: exit $rc, files: $(find "$TMP" -maxdepth 1 -name 'bad.biom*' | tr '\n' ' ')"; show "$TMP/bad.err"
fi
grep -q "not in the database's taxonomy" "$TMP/bad.err" && ok "bad taxid: the error names the cause" \
  || { fail "bad taxid: no clear message"; show "$TMP/bad.err"; }

# ---------------------------------------------------------------- h5dump and h5py, no plugin
dump_values() {   # the numbers of h5dump's DATA block, one per line
  sed -n '/DATA {/,/}/p' | tr -d ' ' | tr ',' '\n' | grep -E '^[0-9]+$'
}
h5py_values() {   # FILE: /gutbrain/classified through h5py, one per line
  "$PY" -c 'import h5py, sys
print("\n".join(str(v) for v in h5py.File(sys.argv[1], "r")["gutbrain/classified"][:]))' "$1"
}
if [ -s "$TMP/main2.biom" ]; then   # the default file: every reader as installed
  env -u HDF5_PLUGIN_PATH h5dump -y -w 0 -d /gutbrain/classified "$TMP/main2.biom" 2> "$TMP/h5dump.err" \
    | dump_values > "$TMP/h5dump.values"
  (unset HDF5_PLUGIN_PATH; h5py_values "$TMP/main2.biom") > "$TMP/h5py.values" 2>&1
  if [ -s "$TMP/h5dump.values" ] && cmp -s "$TMP/h5dump.values" "$TMP/h5py.values"; then
    ok "h5dump and h5py without a plugin read /gutbrain/classified ($(wc -l < "$TMP/h5dump.values") values)"
  else
    fail "default file: h5dump/h5py without a plugin cannot read /gutbrain/"; show "$TMP/h5dump.err"; show "$TMP/h5py.values"
  fi
fi
if [ -s "$TMP/zstd2.biom" ]; then  # zstd on request: through the plugin, and only through it
  HDF5_PLUGIN_PATH=$PLUGINS h5dump -y -w 0 -d /gutbrain/classified "$TMP/zstd2.biom" 2> "$TMP/h5dumpz.err" \
    | dump_values > "$TMP/h5dumpz.values"
  HDF5_PLUGIN_PATH=$PLUGINS h5py_values "$TMP/zstd2.biom" > "$TMP/h5pyz.values" 2>&1
  if [ -s "$TMP/h5dumpz.values" ] && cmp -s "$TMP/h5dumpz.values" "$TMP/h5pyz.values" \
     && cmp -s "$TMP/h5dumpz.values" "$TMP/h5dump.values"; then
    ok "zstd file: h5dump with HDF5_PLUGIN_PATH prints /gutbrain/classified (= h5py's, = the deflate file's)"
  else
    fail "zstd file with the plugin: values differ"; show "$TMP/h5dumpz.values"; show "$TMP/h5dumpz.err"
  fi
  n=$(env -u HDF5_PLUGIN_PATH h5dump -y -w 0 -d /gutbrain/classified "$TMP/zstd2.biom" 2> /dev/null | dump_values | wc -l)
  [ "$n" -eq 0 ] && ok "zstd file: h5dump without the plugin shows no values (the dataset really is zstd)" \
    || fail "zstd file: h5dump without the plugin printed $n values: is /gutbrain/ compressed with zstd?"
fi

# ---------------------------------------------------------------- every reader, as installed
# biom validate-table, python biom and R phyloseq (tests/integration/lib.bash): empty samples
# inside the cohort (main2), a rank without samples (few4), an empty last sample (emptylast).
run_ok emptylast 2 9 40 1 30 13 --empty-every 9
check_biom_readers "cohort files" "$TMP/main2.biom" "$TMP/few4.biom" "$TMP/emptylast.biom"

finish
