"""biom_readers.py OUTDIR FILE... : the python half of check_biom_readers (tests/integration/lib.bash).

For each BIOM 2.1 HDF5 FILE, with Debian's python3-biom-format and h5py as installed:
  - no HDF5 filter but deflate (1) and shuffle (2) on any dataset, /gutbrain/ included, unless
    the file says it was written with --h5-compression zstd (/gutbrain biom-compression);
  - biom.load_table gives the shape of the root attribute and the same matrix, ids and sums as
    the raw CSC datasets read with h5py (our own numbers, not biom's);
  - the JSON form R reads without rhdf5 and without miscounting empty samples (docs/RUN.md):
    gutbrain's own copy beside FILE (FILE.json, from `run --biom-json`), checked here to hold
    the same ids, matrix and taxonomy, or else OUTDIR/<n>.json written with Table.to_json;
  - appends to OUTDIR/expect.tsv what R should see: file, json, observations, samples, the true
    column sums, and the column sums R biomformat 1.26 computes from the HDF5 file (its
    generate_matrix walks indptr[i-1]:(indptr[i]-1), which in R is a decreasing pair for an
    empty column: it copies the neighbouring entries in, or stops on an NA subscript when the
    empty column is the last one; "ERROR" then).
Prints one line per problem and exits 1 if there was any."""
import os
import sys

import biom
import h5py
import numpy as np

ALLOWED_FILTERS = {1, 2}  # H5Z_FILTER_DEFLATE, H5Z_FILTER_SHUFFLE: in every HDF5 build


def r_biomformat_126_sums(indptr, indices, data, n_obs):
    """Column sums as biomformat 1.26's generate_matrix computes them, or None where it stops."""
    ip = [int(v) + 1 for v in indptr]  # R is 1-based
    sums = []
    for i in range(1, len(ip)):
        a, b = ip[i - 1], ip[i] - 1
        seq = list(range(a, b + 1)) if a <= b else list(range(a, b - 1, -1))
        seq = [k for k in seq if k != 0]  # index 0 selects nothing in R
        rows = [int(indices[k - 1]) if k <= len(indices) else None for k in seq]
        vals = [float(data[k - 1]) if k <= len(data) else None for k in seq]
        if None in rows and len(vals) > 1:
            return None  # "NAs are not allowed in subscripted assignments"
        column = np.zeros(n_obs)
        for r, v in zip(rows, vals):
            if r is not None:
                column[r] = v
        sums.append(column.sum())
    return sums


def check(path, n, outdir, expect, problems):
    name = os.path.basename(path)
    with h5py.File(path, "r") as f:
        zstd = f.get("gutbrain") is not None and f["gutbrain"].attrs.get("biom-compression") == "zstd"
        filters = set()
        f.visititems(lambda _, o: filters.update(
            o.id.get_create_plist().get_filter(i)[0] for i in range(o.id.get_create_plist().get_nfilters()))
            if isinstance(o, h5py.Dataset) else None)
        if not zstd and not filters <= ALLOWED_FILTERS:
            problems.append(f"{name}: non-standard HDF5 filters {sorted(filters - ALLOWED_FILTERS)}")
        shape = tuple(int(v) for v in f.attrs["shape"])
        m = f["sample/matrix"]
        indptr, indices, data = m["indptr"][:], m["indices"][:], m["data"][:]
        obs = [s.decode() if isinstance(s, bytes) else s for s in f["observation/ids"][:]]
        samples = [s.decode() if isinstance(s, bytes) else s for s in f["sample/ids"][:]]
    raw = np.zeros(shape)
    for j in range(shape[1]):
        for k in range(indptr[j], indptr[j + 1]):
            raw[indices[k], j] = data[k]
    t = biom.load_table(path)
    dense = t.matrix_data.toarray() if t.shape[0] else np.zeros(t.shape)
    if t.shape != shape or list(t.ids("observation")) != obs or list(t.ids()) != samples:
        problems.append(f"{name}: biom.load_table shape {t.shape} or ids differ from the file's {shape}")
    elif not np.array_equal(dense, raw):
        problems.append(f"{name}: biom.load_table matrix differs from /sample/matrix")
    true_sums = raw.sum(axis=0)
    if shape[0] == 0:
        return  # R's readers stop on a table without observations; nothing to compare
    json_path = path[:-len(".biom")] + ".json" if path.endswith(".biom") else ""
    if json_path and os.path.exists(json_path):
        # gutbrain's own JSON copy (run --biom-json): the same table as the HDF5 file, taxonomy too
        j = biom.load_table(json_path)
        jd = j.matrix_data.toarray()
        if j.shape != shape or list(j.ids("observation")) != obs or list(j.ids()) != samples:
            problems.append(f"{os.path.basename(json_path)}: shape or ids differ from {name}")
        elif not np.array_equal(jd, raw):
            problems.append(f"{os.path.basename(json_path)}: matrix differs from {name}")
        elif [j.metadata(o, "observation") for o in obs] != [t.metadata(o, "observation") for o in obs]:
            problems.append(f"{os.path.basename(json_path)}: taxonomy differs from {name}")
    else:
        json_path = os.path.join(outdir, f"{n}.json")
        with open(json_path, "w") as out:
            out.write(t.to_json("gutbrain test"))
    r_sums = r_biomformat_126_sums(indptr, indices, data, shape[0])
    fmt = lambda v: ",".join("%.17g" % x for x in v)
    expect.write("\t".join([path, json_path, str(shape[0]), str(shape[1]), fmt(true_sums),
                            "ERROR" if r_sums is None else fmt(r_sums)]) + "\n")


def main():
    outdir, paths = sys.argv[1], sys.argv[2:]
    problems = []
    with open(os.path.join(outdir, "expect.tsv"), "w") as expect:
        for n, path in enumerate(paths):
            try:
                check(path, n, outdir, expect, problems)
            except Exception as e:  # a reader that raises is a finding, reported per file
                problems.append(f"{os.path.basename(path)}: {type(e).__name__}: {e}")
    for p in problems:
        print(p)
    sys.exit(1 if problems else 0)


main()
