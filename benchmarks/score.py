#!/usr/bin/python3
"""Score Kraken-format per-read output against the truth carried in each read id.

usage: score.py --taxonomy DIR OUTPUT [--compare OTHER_OUTPUT] [--label NAME] [--per-truth]

OUTPUT has Kraken 2's 5 TAB-separated columns (C/U, read id, taxid, length, hit list);
the read id holds the truth as `...|taxid|N` (a trailing /1 or /2 is ignored).
DIR holds nodes.dmp (NCBI format).

Definitions, as in the Kraken 2 paper, for each rank R in species, genus, family:
  truth_R   the truth raised to rank R; reads whose truth has no ancestor at R are left out
  TP        the call lies in truth_R's clade (truth_R itself or a descendant)
  vertical  the call is a strict ancestor of truth_R: right but above R; neither TP nor FP
  FP        any other classified call (wrong clade, or too specific in a wrong branch)
  FN        unclassified
  sensitivity = TP / reads, precision = TP / (TP + FP), F1 = their harmonic mean.

Output is a TSV: one header line (starting with '#') and one line per rank.  With --compare
it adds per-read concordance lines between OUTPUT and OTHER_OUTPUT.
"""
import argparse
import os
import re
import signal
import sys

RANKS = ("species", "genus", "family")
TRUTH_RE = re.compile(r"\|taxid\|(\d+)")
NAMED_TAXID_RE = re.compile(r"\(taxid (\d+)\)$")


class Taxonomy:
    """Parent and rank of every node in nodes.dmp, with cached lineages."""

    def __init__(self, directory):
        self.parent, self.rank = {}, {}
        with open(os.path.join(directory, "nodes.dmp")) as fh:
            for line in fh:
                cols = line.rstrip("\n").rstrip("\t|").split("\t|\t")
                taxid, parent = int(cols[0]), int(cols[1])
                self.parent[taxid] = parent
                self.rank[taxid] = cols[2].strip()
        self._lineage = {}

    def lineage(self, taxid):
        """Tuple from taxid up to the root (inclusive); empty for unknown taxids."""
        cached = self._lineage.get(taxid)
        if cached is not None:
            return cached
        path, node = [], taxid
        while node in self.parent and node not in path:
            path.append(node)
            if self.parent[node] == node:
                break
            node = self.parent[node]
        result = tuple(path)
        self._lineage[taxid] = result
        return result

    def at_rank(self, taxid, rank):
        """The ancestor-or-self of taxid with the given rank, or None."""
        for node in self.lineage(taxid):
            if self.rank[node] == rank:
                return node
        return None

    def is_ancestor(self, ancestor, node):
        """True when ancestor is node or one of its ancestors."""
        return ancestor in self.lineage(node)


def parse_taxid(field):
    """Kraken's taxid column: a number, or 'Name (taxid N)' with --use-names."""
    field = field.strip()
    if field.isdigit():
        return int(field)
    m = NAMED_TAXID_RE.search(field)
    if m:
        return int(m.group(1))
    raise ValueError("cannot read a taxid from %r" % field)


def read_id(raw):
    """Strip a trailing /1 or /2 so single-end and paired ids agree."""
    if len(raw) > 2 and raw[-2] == "/" and raw[-1] in "12":
        return raw[:-2]
    return raw


def load_calls(path):
    """Return {read id: called taxid (0 = unclassified)}, keeping file order."""
    calls = {}
    with open(path) as fh:
        for lineno, line in enumerate(fh, 1):
            cols = line.rstrip("\n").split("\t")
            if len(cols) < 3:
                sys.exit("score.py: %s:%d: expected Kraken per-read output" % (path, lineno))
            taxid = parse_taxid(cols[2]) if cols[0] == "C" else 0
            calls[read_id(cols[1])] = taxid
    return calls


def truth_of(rid):
    m = TRUTH_RE.search(rid)
    if not m:
        sys.exit("score.py: read id %r carries no |taxid|N truth label" % rid)
    return int(m.group(1))


def classify_call(tax, truth_at_rank, call):
    """One of 'TP', 'vertical', 'FP', 'FN' for a call against the truth raised to a rank."""
    if call == 0:
        return "FN"
    if tax.is_ancestor(truth_at_rank, call):
        return "TP"
    if tax.is_ancestor(call, truth_at_rank):
        return "vertical"
    return "FP"


def score(tax, calls):
    """Per rank: dict of counts and derived rates."""
    unknown_truth = set()
    table = {}
    for rank in RANKS:
        counts = {"reads": 0, "TP": 0, "vertical": 0, "FP": 0, "FN": 0}
        for rid, call in calls.items():
            truth = truth_of(rid)
            if not tax.lineage(truth):
                unknown_truth.add(truth)
                continue
            truth_at_rank = tax.at_rank(truth, rank)
            if truth_at_rank is None:
                continue
            counts["reads"] += 1
            counts[classify_call(tax, truth_at_rank, call)] += 1
        table[rank] = with_rates(counts)
    if unknown_truth:
        print("score.py: warning: truth taxids missing from nodes.dmp (reads skipped): %s"
              % " ".join(map(str, sorted(unknown_truth))), file=sys.stderr)
    return table


def with_rates(counts):
    tp, fp, n = counts["TP"], counts["FP"], counts["reads"]
    sens = tp / n if n else 0.0
    prec = tp / (tp + fp) if tp + fp else 0.0
    f1 = 2 * sens * prec / (sens + prec) if sens + prec else 0.0
    return dict(counts, sensitivity=sens, precision=prec, F1=f1)


def print_score(table, label, calls):
    classified = sum(1 for c in calls.values() if c)
    total = len(calls)
    print("#label\trank\treads\tTP\tvertical\tFP\tunclassified\tsensitivity\tprecision\tF1")
    for rank in RANKS:
        r = table[rank]
        print("%s\t%s\t%d\t%d\t%d\t%d\t%d\t%.4f\t%.4f\t%.4f" % (
            label, rank, r["reads"], r["TP"], r["vertical"], r["FP"], r["FN"],
            r["sensitivity"], r["precision"], r["F1"]))
    print("%s\tclassified\t%d\t%d\t\t\t%d\t%.4f\t\t" % (
        label, total, classified, total - classified, classified / total if total else 0.0))


def load_names(directory):
    """Scientific names from names.dmp, or {} when the file is absent."""
    names = {}
    path = os.path.join(directory, "names.dmp")
    if not os.path.exists(path):
        return names
    with open(path) as fh:
        for line in fh:
            if "scientific name" in line:
                cols = line.split("\t|\t")
                names[int(cols[0])] = cols[1]
    return names


def print_per_truth(tax, calls, label, names):
    """Species-level sensitivity per truth taxid: finds the genomes a tool struggles with."""
    per = {}
    for rid, call in calls.items():
        truth = truth_of(rid)
        species = tax.at_rank(truth, "species")
        if species is None:
            continue
        row = per.setdefault(truth, [0, 0, 0])
        row[0] += 1
        outcome = classify_call(tax, species, call)
        row[1] += outcome == "TP"
        row[2] += outcome == "FP"
    print("#label\ttruth_taxid\treads\tspecies_TP\tspecies_FP\tspecies_sensitivity\tname")
    for truth in sorted(per, key=lambda t: (per[t][1] / per[t][0], t)):
        n, tp, fp = per[truth]
        print("%s\t%d\t%d\t%d\t%d\t%.4f\t%s" % (label, truth, n, tp, fp, tp / n, names.get(truth, "")))


def genus_level(tax, taxid):
    """A call raised to genus, or the call itself when it sits above genus (0 stays 0)."""
    if taxid == 0:
        return 0
    genus = tax.at_rank(taxid, "genus")
    return genus if genus is not None else taxid


def compare(tax, calls_a, calls_b):
    """Per-read concordance counts between two outputs on the reads they share."""
    shared = [rid for rid in calls_a if rid in calls_b]
    c = dict(shared=len(shared), only_a=len(calls_a) - len(shared),
             only_b=len(calls_b) - len(shared), same_taxid=0, same_genus=0,
             a_unclassified=0, b_unclassified=0, a_above_b=0, b_above_a=0,
             other_same_genus=0, other=0)
    for rid in shared:
        a, b = calls_a[rid], calls_b[rid]
        if genus_level(tax, a) == genus_level(tax, b):
            c["same_genus"] += 1
        if a == b:
            c["same_taxid"] += 1
        elif a == 0:
            c["a_unclassified"] += 1
        elif b == 0:
            c["b_unclassified"] += 1
        elif tax.is_ancestor(a, b):
            c["a_above_b"] += 1
        elif tax.is_ancestor(b, a):
            c["b_above_a"] += 1
        elif genus_level(tax, a) == genus_level(tax, b):
            c["other_same_genus"] += 1
        else:
            c["other"] += 1
    return c


def print_compare(c, label, other_label):
    n = c["shared"] or 1
    print("#label\tmetric\tcount\tfraction")
    rows = [
        ("reads_compared", c["shared"]),
        ("same_taxid", c["same_taxid"]),
        ("same_genus_level", c["same_genus"]),
        ("differ_%s_unclassified" % label, c["a_unclassified"]),
        ("differ_%s_unclassified" % other_label, c["b_unclassified"]),
        ("differ_%s_ancestor_of_%s" % (label, other_label), c["a_above_b"]),
        ("differ_%s_ancestor_of_%s" % (other_label, label), c["b_above_a"]),
        ("differ_other_same_genus", c["other_same_genus"]),
        ("differ_other", c["other"]),
    ]
    for name, count in rows:
        print("%s_vs_%s\t%s\t%d\t%.5f" % (label, other_label, name, count, count / n))
    if c["only_a"] or c["only_b"]:
        print("score.py: warning: %d reads only in %s, %d only in %s" %
              (c["only_a"], label, c["only_b"], other_label), file=sys.stderr)


def main():
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # quiet when piped into head
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--taxonomy", required=True, help="directory with nodes.dmp")
    ap.add_argument("--compare", metavar="OTHER_OUTPUT", help="second per-read output to compare with")
    ap.add_argument("--label", default="A", help="name of OUTPUT in the table (default A)")
    ap.add_argument("--other-label", default="B", help="name of OTHER_OUTPUT (default B)")
    ap.add_argument("--per-truth", action="store_true", help="also print species sensitivity per truth taxid")
    ap.add_argument("output", help="Kraken-format per-read output")
    args = ap.parse_args()

    tax = Taxonomy(args.taxonomy)
    calls = load_calls(args.output)
    if not calls:
        sys.exit("score.py: %s holds no reads" % args.output)
    print_score(score(tax, calls), args.label, calls)
    if args.per_truth:
        print_per_truth(tax, calls, args.label, load_names(args.taxonomy))
    if args.compare:
        print_compare(compare(tax, calls, load_calls(args.compare)), args.label, args.other_label)


if __name__ == "__main__":
    main()
