#!/usr/bin/env python3
"""Scoring half of benchmarks/validity.sh (the definitions are in that script's header).

  validity.py genera TAXDIR SEQID2TAXID SEED K   K genus taxids drawn (seeded) from the genera
                                                 that have a genome in SEQID2TAXID, one a line
  validity.py cohort TAXDIR SIMDIR RUNDIR STATSDIR OUT LABEL
                                                 one cohort (STATSDIR/{truth,classified,bracken}):
                                                 appends to OUT/cohorts.tsv and OUT/false.tsv
                                                 (LABEL = the rows' first columns, tab-separated)
  validity.py table TAXDIR OUT                   the Markdown tables of OUT/cohorts.tsv

Plain Python 3 (no packages), so the script runs wherever gutbrain's tests run."""
import collections
import os
import random
import subprocess
import sys

Q = 0.1       # a discovery: the depression row's q-value (BH over all rows, as MaAsLin2) below Q
TRACE = 0.25  # traced: >= 25 % of the genus's reads in cases truly come from another genus
PROFILES = ("truth", "classified", "bracken")


def load_taxonomy(taxdir):
    parent, rank, name = {}, {}, {}
    with open(os.path.join(taxdir, "nodes.dmp")) as f:
        for line in f:
            p = [x.strip() for x in line.split("|")]
            parent[p[0]], rank[p[0]] = p[1], p[2]
    with open(os.path.join(taxdir, "names.dmp")) as f:
        for line in f:
            p = [x.strip() for x in line.split("|")]
            if p[3] == "scientific name":
                name[p[0]] = p[1]
    return parent, rank, name


def genus_of(tax, taxid, memo):
    """The taxid's ancestor of rank genus (itself included), "" when none (or taxid 0)."""
    if taxid in memo:
        return memo[taxid]
    parent, rank, _ = tax
    t, g = taxid, ""
    for _ in range(256):
        if t not in rank:
            break
        if rank[t] == "genus":
            g = t
            break
        if parent[t] == t:
            break
        t = parent[t]
    memo[taxid] = g
    return g


def read_tsv(path):
    with open(path) as f:
        head = f.readline().rstrip("\n").split("\t")
        return [dict(zip(head, line.rstrip("\n").split("\t"))) for line in f]


def cmd_genera(taxdir, seqmap, seed, k):
    tax, memo = load_taxonomy(taxdir), {}
    genera = set()
    with open(seqmap) as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            g = genus_of(tax, line.split("\t")[1].strip(), memo)
            if g:
                genera.add(g)
    for g in random.Random(int(seed)).sample(sorted(genera, key=int), int(k)):
        print(g)


def bh_within(p):
    """{genus: p} -> the genera with a Benjamini-Hochberg q < Q among these rows alone."""
    order = sorted(p, key=lambda g: p[g])
    k = max((i + 1 for i, g in enumerate(order) if p[g] <= Q * (i + 1) / len(order)), default=0)
    return set(order[:k])


def discoveries(statsdir):
    """{genus taxid: q} of the depression rows, the set with q < Q, and the set with q < Q when
    BH runs over the depression rows alone (not over the covariates' rows too, as MaAsLin2)."""
    q, p = {}, {}
    for r in read_tsv(os.path.join(statsdir, "associations.tsv")):
        if r["metadata"] == "depression" and r["qval"] not in ("NA", "nan", ""):
            q[r["feature"]] = float(r["qval"])
            p[r["feature"]] = float(r["pval"])
    return q, {g for g, v in q.items() if v < Q}, bh_within(p)


def trace(tax, memo, simdir, rundir, cases, genus):
    """Reads called `genus` (at or below it) in the case samples, by their true genus."""
    src = collections.Counter()
    for s in cases:
        truth = {}
        with open(os.path.join(simdir, "truth", "reads", s + ".tsv")) as f:
            next(f)
            for line in f:
                rid, t = line.rstrip("\n").split("\t")
                truth[rid] = t
        out = subprocess.run(["zstd", "-qdc", os.path.join(rundir, "samples", s + ".kraken.zst")],
                             check=True, stdout=subprocess.PIPE, text=True).stdout
        for line in out.splitlines():
            p = line.split("\t", 3)
            if p[0] == "C" and genus_of(tax, p[2], memo) == genus:
                src[genus_of(tax, truth[p[1]], memo) or "none"] += 1
    return src


def cmd_cohort(taxdir, simdir, rundir, statsdir, work, label):
    tax, memo = load_taxonomy(taxdir), {}
    planted = {r["genus_taxid"] for r in read_tsv(os.path.join(simdir, "truth", "effects.tsv"))}
    cases = [r["sample"] for r in read_tsv(os.path.join(simdir, "metadata.tsv")) if r["depression"] == "case"]
    q, disc, disc_var = {}, {}, {}
    for p in PROFILES:
        q[p], disc[p], disc_var[p] = discoveries(os.path.join(statsdir, p))
    with open(os.path.join(work, "cohorts.tsv"), "a") as fc, open(os.path.join(work, "false.tsv"), "a") as ff:
        for p in PROFILES:
            false = sorted(disc[p] - planted, key=int)
            traced = on_truth = 0
            for g in false:
                tq = q["truth"].get(g)
                if p != "truth" and tq is not None and tq < Q:
                    on_truth += 1
                if p == "truth":
                    ff.write("\t".join([label, p, g, tax[2].get(g, "?"), "%.3g" % q[p][g], "", "", "", "", "no"]) + "\n")
                    continue
                src = trace(tax, memo, simdir, rundir, cases, g)
                total = sum(src.values())
                other = total - src.get(g, 0)
                share = other / total if total else 0.0
                top = max((s for s in src if s != g), key=lambda s: src[s], default="")
                is_traced = (tq is None or tq >= Q) and share >= TRACE
                traced += is_traced
                ff.write("\t".join([label, p, g, tax[2].get(g, "?"), "%.3g" % q[p][g],
                                    "NA" if tq is None else "%.3g" % tq, "%.3f" % share,
                                    tax[2].get(top, top), "yes" if top in planted else "no",
                                    "yes" if is_traced else "no"]) + "\n")
            found = ",".join(g + ("+" if g in disc[p] else "-") for g in sorted(planted, key=int))
            fc.write("\t".join([label, p, str(len(planted)), str(len(disc[p] & planted)), str(len(disc[p])),
                                str(len(false)), str(traced), str(on_truth), found or "-",
                                str(len(disc_var[p])), str(len(disc_var[p] - planted))]) + "\n")


def cmd_table(taxdir, work):
    names = load_taxonomy(taxdir)[2]
    rows = collections.defaultdict(list)
    per_genus = collections.defaultdict(collections.Counter)  # (samples, genus) -> profile -> found; "n" planted
    for r in read_tsv(os.path.join(work, "cohorts.tsv")):
        rows[(int(r["samples"]), r["kind"], r["profile"])].append(r)
        for cell in r["planted_found"].split(","):
            if cell != "-":
                c = per_genus[(int(r["samples"]), cell[:-1])]
                c[r["profile"]] += cell[-1] == "+"
                c["n"] += r["profile"] == "truth"
    print("| samples | cohorts | kind | profile | power (q < 0.1) | empirical FDR (mean FDP) "
          "| cohorts with a false discovery | false discoveries | of which traced to misclassification "
          "| of which also found on the truth | FDR, BH over the depression rows alone |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    order = {p: i for i, p in enumerate(PROFILES)}
    for key in sorted(rows, key=lambda k: (k[0], k[1] != "planted", order[k[2]])):
        n, kind, prof = key
        rs = rows[key]
        planted = sum(int(r["planted"]) for r in rs)
        found = sum(int(r["found"]) for r in rs)
        fdp = [int(r["false"]) / max(int(r["discoveries"]), 1) for r in rs]
        anyf = sum(int(r["false"]) > 0 for r in rs)
        nfalse = sum(int(r["false"]) for r in rs)
        power = "%.2f (%d/%d)" % (found / planted, found, planted) if planted else "–"
        traced = "–" if prof == "truth" else str(sum(int(r["traced"]) for r in rs))
        on_truth = "–" if prof == "truth" else str(sum(int(r["on_truth"]) for r in rs))
        fdp_var = [int(r["false_var"]) / max(int(r["discoveries_var"]), 1) for r in rs if "false_var" in r]
        fdr_var = "%.3f" % (sum(fdp_var) / len(fdp_var)) if len(fdp_var) == len(rs) else "–"
        print("| %d | %d | %s | %s | %s | %.3f | %d/%d | %d | %s | %s | %s |"
              % (n, len(rs), kind, prof, power, sum(fdp) / len(fdp), anyf, len(rs), nfalse, traced, on_truth, fdr_var))
    print()
    print("Power per planted genus (found / cohorts it was planted in):")
    print()
    print("| samples | genus | planted in | found on truth | classified | bracken |")
    print("|---|---|---|---|---|---|")
    for (n, g), c in sorted(per_genus.items(), key=lambda kv: (kv[0][0], names.get(kv[0][1], kv[0][1]))):
        print("| %d | %s | %d | %d | %d | %d |" % (n, names.get(g, g), c["n"], c["truth"], c["classified"], c["bracken"]))


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    {"genera": cmd_genera, "cohort": cmd_cohort, "table": cmd_table}[cmd](*args)
