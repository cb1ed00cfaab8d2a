#!/usr/bin/python3
"""Write a synthetic cohort (BIOM 2.1 HDF5 + metadata TSV) for gutbrain stats' agreement tests
and benchmarks. Deterministic: the same arguments give the same files, byte for byte in the
tables (the BIOM's creation date attribute aside).

Counts: per taxon a zero-inflated negative binomial with small means (many zeros and ties),
sample depths varying ~10x, a few taxa shifted by the 2-level factor and the 3-level factor,
a few rare taxa (below the default 10% prevalence) and one constant taxon (dropped by the
zero-variance filter), so every branch of the feature filter is used. No sample is all zero.

Designs (--design):
  test   metadata columns group (ctl/dep), site (levels "A", "C", "b": C-locale order A < C < b,
         unlike en_US where b < C), age (numeric, about 8% NA, written both as "NA" and as an
         empty field), region (north for sites A and C, south for b: after site in a model its
         column is aliased). The metadata rows are in a different order from the cohort's samples;
         3 cohort samples are missing from the metadata and 4 metadata rows (X...) are not in
         the cohort.
  bench  depression (no/yes), age, sex (female/male), bmi (numeric); metadata = exactly the
         cohort's samples, no missing values.

Features: ids taxon_001...; observation metadata taxonomy = the 7-cell lineage
["d__Bacteria", "p__P<k>", "c__C<k>", "o__O<k>", "f__F<k>", "g__Genus<k>", "s__Genus<k> sp<j>"]
with --genera G taxa spread over G genera (taxon j in genus j mod G), so `--rank genus`
collapses them; --dense FILE also writes samples x features as TSV (header "sample" + ids).

Run with Debian's /usr/bin/python3 (python3-biom-format, python3-h5py, python3-numpy).
"""
import argparse

import h5py
import numpy as np
from biom import Table


def simulate_counts(rng, n, m, group, site):
    """n x m float64 integer counts."""
    depth = np.exp(rng.normal(0.0, 0.8, n))                # per-sample depth factor, ~10x range
    base = np.exp(rng.normal(1.0, 1.2, m))                 # per-taxon mean at depth 1
    zero_p = rng.uniform(0.1, 0.7, m)                      # structural zeros
    size = rng.uniform(0.5, 3.0, m)                        # NB dispersion
    eff_group = np.zeros(m)
    eff_site = np.zeros((m, 3))
    shifted = rng.choice(m, size=max(1, m // 5), replace=False)
    eff_group[shifted] = rng.normal(0.0, 1.0, len(shifted))
    shifted = rng.choice(m, size=max(1, m // 8), replace=False)
    eff_site[shifted, 1:] = rng.normal(0.0, 1.0, (len(shifted), 2))
    mu = depth[:, None] * base[None, :] * np.exp(eff_group[None, :] * group[:, None] + eff_site[:, site].T)
    # negative binomial with mean mu and size r: p = r / (r + mu)
    counts = rng.negative_binomial(size[None, :], size[None, :] / (size[None, :] + mu)).astype(np.float64)
    counts[rng.uniform(size=(n, m)) < zero_p[None, :]] = 0.0
    if m >= 8:
        for j in range(1, 3):                              # rare: non-zero in <= 5% of samples
            counts[:, m - j] = 0.0
            hit = rng.choice(n, size=max(1, n // 20), replace=False)
            counts[hit, m - j] = rng.integers(1, 5, len(hit))
        counts[:, m - 3] = 4.0                             # constant: zero variance
    for i in np.where(counts.sum(axis=1) == 0)[0]:       # never an all-zero sample
        counts[i, 0] = 1.0
    return counts


def lineage(j, genera):
    g = j % genera + 1
    return ["d__Bacteria", "p__P%d" % (g % 3 + 1), "c__C%d" % (g % 3 + 1), "o__O%d" % (g % 4 + 1),
            "f__F%d" % (g % 5 + 1), "g__Genus%02d" % g, "s__Genus%02d sp%d" % (g, j + 1)]


def write_biom(path, counts, samples, genera, table_id):
    n, m = counts.shape
    ids = ["taxon_%03d" % (j + 1) for j in range(m)]
    meta = [{"taxonomy": lineage(j, genera)} for j in range(m)]
    table = Table(counts.T.copy(), ids, samples, observation_metadata=meta, type="OTU table",
                  table_id=table_id)
    with h5py.File(path, "w") as f:
        table.to_hdf5(f, "gutbrain tests/integration/data/make_cohort.py")
    return ids


def fmt(v):
    return repr(float(v)) if v == v else "NA"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out_biom")
    ap.add_argument("out_metadata")
    ap.add_argument("--samples", type=int, default=90)
    ap.add_argument("--taxa", type=int, default=40)
    ap.add_argument("--genera", type=int, default=12)
    ap.add_argument("--seed", type=int, default=20240611)
    ap.add_argument("--design", choices=("test", "bench"), default="test")
    ap.add_argument("--dense", help="also write samples x features as TSV")
    a = ap.parse_args()
    rng = np.random.default_rng(a.seed)
    n, m = a.samples, a.taxa
    names = ["S%05d" % (i + 1) for i in range(n)]
    if a.design == "test":
        group = rng.integers(0, 2, n)
        site = rng.integers(0, 3, n)
        age = np.round(rng.normal(45, 12, n), 1)
        age[rng.uniform(size=n) < 0.08] = np.nan
        counts = simulate_counts(rng, n, m, group, site)
        order = rng.permutation(n)                         # cohort order != metadata order
        samples = [names[i] for i in order]
        counts = counts[order]
        header = ["sample", "group", "site", "age", "region"]
        rows = []
        for i in range(3, n):                              # the first 3 samples have no metadata
            missing = "" if i % 2 else "NA"
            rows.append([names[i], ("ctl", "dep")[group[i]], ("A", "C", "b")[site[i]],
                         missing if age[i] != age[i] else fmt(age[i]), ("north", "north", "south")[site[i]]])
        rows += [["X%03d" % k, "ctl", "A", "50.0", "north"] for k in range(4)]
    else:
        dep = rng.integers(0, 2, n)
        sex = rng.integers(0, 2, n)
        age = np.round(rng.normal(45, 12, n), 1)
        bmi = np.round(rng.normal(25, 4, n) + 1.5 * dep, 2)
        counts = simulate_counts(rng, n, m, dep, sex)
        samples = names
        header = ["sample", "depression", "age", "sex", "bmi"]
        rows = [[names[i], ("no", "yes")[dep[i]], fmt(age[i]), ("female", "male")[sex[i]], fmt(bmi[i])]
                for i in range(n)]
    ids = write_biom(a.out_biom, counts, samples, a.genera, "synthetic-%s-%d" % (a.design, a.seed))
    with open(a.out_metadata, "w", encoding="utf-8") as f:
        f.write("\t".join(header) + "\n")
        for r in rows:
            f.write("\t".join(r) + "\n")
    if a.dense:
        with open(a.dense, "w", encoding="utf-8") as f:
            f.write("\t".join(["sample"] + ids) + "\n")
            for i, s in enumerate(samples):
                f.write("\t".join([s] + ["%d" % v for v in counts[i]]) + "\n")
    print("%s: %d features x %d samples (%s, seed %d)" % (a.out_biom, m, n, a.design, a.seed))


if __name__ == "__main__":
    main()
