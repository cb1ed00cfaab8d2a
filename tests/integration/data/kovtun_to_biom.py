#!/usr/bin/python3
"""Turn the Kovtun 2022 MDD cohort tables into a BIOM 2.1 HDF5 file and a metadata TSV.

Input ($GUTBRAIN_DATA/cohorts/kovtun2022_MDD, read-only, see ../shared/data/README.md):
  S6a_genus_level_signatures.tsv.gz   features x samples; a feature is "enzyme,genus" (split on
                                      the LAST comma: enzyme names contain commas); values are
                                      relative abundances as published; columns wilcoxon_p and
                                      fdr are the paper's statistics and are left out
  samples_metadata_PRJNA762199.tsv    75 BioSamples: table_sample_id, group, sex, age_years

Output:
  OUT.biom       BIOM 2.1 HDF5 written by python biom-format (Table.to_hdf5, what `biom convert`
                 uses), samples in the S6a column order;
                 --features pairs (default): one observation per "enzyme,genus" row, ids as
                   given, observation metadata taxonomy = ["d__", "p__", "c__", "o__", "f__",
                   "g__<genus>", "s__"] (gutbrain's 7-level layout), so collapsing to genus sums
                   the enzymes of a genus;
                 --features genus: the enzymes of each genus already summed (plain left-to-right
                   addition in file order, which is what gutbrain's collapse does, so the two
                   agree bit for bit), ids = genus names, genera in order of first appearance.
  OUT.tsv        metadata: sample, group (HC/PwD), sex, age; every BioSample of the metadata
                 file, in its order (PwD_1 has no column in S6a: it tests the "not in cohort"
                 path).
  --dense FILE   also the abundance table as TSV, samples x features (header "sample" + feature
                 ids), values with repr() (shortest round-trip form) for R's agreement tests.

Run with Debian's /usr/bin/python3 (python3-biom-format, python3-h5py). Writes nothing into
the data directory; the outputs are test-time files, not committed data.
"""
import argparse
import gzip
import os
import sys

import h5py
import numpy as np
from biom import Table

RANKS = ["d__", "p__", "c__", "o__", "f__", "g__", "s__"]


def data_dir(arg):
    if arg:
        return arg
    env = os.environ.get("GUTBRAIN_DATA")
    if env:
        return os.path.join(env, "cohorts", "kovtun2022_MDD")
    here = os.path.dirname(os.path.abspath(__file__))
    return os.path.join(here, "..", "..", "..", "..", "shared", "data", "cohorts", "kovtun2022_MDD")


def read_features(path):
    """(sample ids, [(feature, genus, [values])]) in file order."""
    with gzip.open(path, "rt", encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        keep = [i for i, name in enumerate(header) if i > 0 and name not in ("wilcoxon_p", "fdr")]
        samples = [header[i] for i in keep]
        rows = []
        for line_no, line in enumerate(f, start=2):
            fields = line.rstrip("\n").split("\t")
            if len(fields) != len(header):
                sys.exit(f"{path}:{line_no}: {len(fields)} fields, header has {len(header)}")
            feature = fields[0]
            if "," not in feature:
                sys.exit(f"{path}:{line_no}: feature {feature!r} is not 'enzyme,genus'")
            genus = feature.rsplit(",", 1)[1].strip()
            rows.append((feature, genus, [float(fields[i]) for i in keep]))
    return samples, rows


def by_genus(rows, nsamples):
    """Sum the enzymes of each genus, left to right in file order."""
    order, sums = [], {}
    for _, genus, values in rows:
        if genus not in sums:
            order.append(genus)
            sums[genus] = [0.0] * nsamples
        acc = sums[genus]
        for j in range(nsamples):
            acc[j] = acc[j] + values[j]
    return [(g, g, sums[g]) for g in order]


def write_biom(path, samples, rows):
    ids = [r[0] for r in rows]
    if len(set(ids)) != len(ids):
        sys.exit("duplicate feature ids in the input")
    matrix = np.array([r[2] for r in rows], dtype=np.float64)
    taxonomy = [{"taxonomy": [p + (r[1] if p == "g__" else "") for p in RANKS]} for r in rows]
    table = Table(matrix, ids, samples, observation_metadata=taxonomy, type="Taxon table",
                  table_id="kovtun2022_MDD")
    with h5py.File(path, "w") as f:
        table.to_hdf5(f, "gutbrain tests/integration/data/kovtun_to_biom.py")


def write_metadata(src, path):
    with open(src, encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        col = {name: i for i, name in enumerate(header)}
        out = ["sample\tgroup\tsex\tage"]
        for line in f:
            v = line.rstrip("\n").split("\t")
            out.append("\t".join([v[col["table_sample_id"]], v[col["group"]], v[col["sex"]], v[col["age_years"]]]))
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")


def write_dense(path, samples, rows):
    with open(path, "w", encoding="utf-8") as f:
        f.write("\t".join(["sample"] + [r[0] for r in rows]) + "\n")
        for j, s in enumerate(samples):
            f.write("\t".join([s] + [repr(r[2][j]) for r in rows]) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out_biom")
    ap.add_argument("out_metadata")
    ap.add_argument("--data", help="the kovtun2022_MDD directory (default: $GUTBRAIN_DATA/cohorts/...)")
    ap.add_argument("--features", choices=("pairs", "genus"), default="pairs")
    ap.add_argument("--dense", help="also write samples x features as TSV")
    a = ap.parse_args()
    d = data_dir(a.data)
    samples, rows = read_features(os.path.join(d, "S6a_genus_level_signatures.tsv.gz"))
    if a.features == "genus":
        rows = by_genus(rows, len(samples))
    write_biom(a.out_biom, samples, rows)
    write_metadata(os.path.join(d, "samples_metadata_PRJNA762199.tsv"), a.out_metadata)
    if a.dense:
        write_dense(a.dense, samples, rows)
    print(f"{a.out_biom}: {len(rows)} features x {len(samples)} samples ({a.features})")


if __name__ == "__main__":
    main()
