#!/usr/bin/env bash
# gutbrain bench: gutbrain's, Debian kraken2's and Debian centrifuge's per-read outputs of the
# same simulated pairs (one in 40 scrambled into noise) scored side by side, Centrifuge's with
# real multi-hit reads, plus a hand-edited output with every special case (calls above the rank,
# a taxid outside the taxonomy, unclassified lines, reads left out, --use-names ids); every
# figure of PREFIX.reads.tsv must equal, to the last printed digit, a short independent Python
# implementation of docs/BENCH.md's definitions written below. Then the input errors: a read not
# in the truth, a pair written as two reads, a truth taxid not in the taxonomy, exit 2 with one
# error line and no output left. Runtime: ~6 s on 2 cores (most of it the three database builds).
set -uo pipefail
source "$(dirname "$0")/lib.bash"
command -v kraken2-build >/dev/null || die "kraken2 is not installed (make deps)"
command -v centrifuge-build >/dev/null || die "centrifuge is not installed (make deps)"

setup_tiny_db
K2=$TMP/k2
build_kraken2_db "$K2" || die "kraken2-build failed"

# Reads s<file#>_<n>/1|2 from the tiny references; file i's true taxid is its first record's.
sim_pairs "$TMP/sim" 150 0 "${TINY_REFS[@]}"
# Every 40th pair becomes random bases (same ids, same truth): reads no tool can classify, which
# Centrifuge reports as `unclassified` lines with taxID 0.
for m in 1 2; do
  awk -v m=$m 'BEGIN { srand(40 + m) } NR % 4 == 1 { n++ }
    NR % 4 == 2 && n % 40 == 0 { s = ""; for (i = 0; i < length($0); i++) s = s substr("ACGT", int(rand() * 4) + 1, 1); $0 = s }
    { print }' "$TMP/sim_R$m.fastq" > "$TMP/noisy_R$m.fastq" && mv "$TMP/noisy_R$m.fastq" "$TMP/sim_R$m.fastq"
done
for i in "${!TINY_REFS[@]}"; do
  id=$(gzip -dcf "${TINY_REFS[$i]}" | awk '/^>/ { print substr($1, 2); exit }')
  printf 's%d_\t%s\n' "$i" "$(awk -F'\t' -v id="$id" '$1 == id { print $2 }' "$TINY_MAP")"
done > "$TMP/file_taxid.tsv"
awk -F'\t' 'NR == FNR { tax[$1] = $2; next } /^@/ { id = substr($1, 2); sub(/\/1$/, "", id)
             print id "\t" tax[substr(id, 1, index(id, "_"))] }' "$TMP/file_taxid.tsv" "$TMP/sim_R1.fastq" \
  > "$TMP/truth.tsv"

mkdir -p "$TMP/prof_gb" "$TMP/prof_cami" "$TMP/prof_k2"
"$GB" classify --db "$DB" --threads "$THREADS" --paired --output "$TMP/gb.out" --report "$TMP/prof_gb/s1.kreport" \
  --cami-out "$TMP/prof_cami/s1.cami" "$TMP"/sim_R{1,2}.fastq 2> /dev/null || die "gutbrain classify failed"
kraken2 --db "$K2" --threads 1 --paired --use-names --output "$TMP/k2.out" --report "$TMP/prof_k2/s1.kreport" \
  "$TMP"/sim_R{1,2}.fastq 2> /dev/null || die "kraken2 failed"

# Centrifuge's index: the same references under plain names (Centrifuge cuts a name at its
# second '|', so `gi|9626243|ref|...` would match no conversion-table row and every hit would
# get taxID 0), plus three records that make its multi-hit cases real: lambda's first 10 kb
# again as an E. coli 536 prophage (lambda reads hit both: the LCA is the root), the slice's
# first 20 kb again as E. coli the species (LCA 562), and VDV-1's first 5 kb under a name the
# conversion table lacks (a hit with taxID 0 next to the VDV-1 one). Its taxonomy: the
# lineages of those taxids only (the Debian fallback's full NCBI dump would cost seconds).
CF=$TMP/cf
mkdir -p "$CF"
python3 - "$CF" "$TINY_MAP" "$SLICE_TAXID" "${TINY_REFS[@]}" <<'PY'
import gzip, sys
out, tiny_map, slice_taxid, paths = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
taxid = dict(l.rstrip("\n").split("\t") for l in open(tiny_map))
recs = []
for path in paths:
    for block in (gzip.open if path.endswith(".gz") else open)(path, "rt").read().split(">")[1:]:
        head, _, seq = block.partition("\n")
        recs.append((head.split()[0], seq.replace("\n", "").replace("\r", "")))
with open(out + "/refs.fna", "w") as fa, open(out + "/map.tsv", "w") as mp:
    for i, (name, seq) in enumerate(recs):
        fa.write(">ref%d\n%s\n" % (i, seq))
        mp.write("ref%d\t%s\n" % (i, taxid[name]))
    by_taxid = {taxid[name]: seq for name, seq in recs}
    fa.write(">prophage\n%s\n>ecoli_copy\n%s\n>unmapped\n%s\n" % (by_taxid["10710"][:10000],
             by_taxid[slice_taxid][:20000], by_taxid["232800"][:5000]))
    mp.write("prophage\t%s\necoli_copy\t562\n" % slice_taxid)
PY
awk -F'\t[|]\t' 'NR == FNR { par[$1] = $2; next } FILENAME ~ /map.tsv$/ { split($0, f, "\t"); t = f[2]
       while (!(t in keep)) { keep[t] = 1; t = par[t] } next } $1 in keep' \
  "$TINY_TAX/nodes.dmp" "$CF/map.tsv" "$TINY_TAX/nodes.dmp" > "$CF/nodes.dmp"
awk -F'\t[|]\t' 'NR == FNR { keep[$1] = 1; next } $1 in keep' "$CF/nodes.dmp" "$TINY_TAX/names.dmp" > "$CF/names.dmp"
centrifuge-build -p 1 --conversion-table "$CF/map.tsv" --taxonomy-tree "$CF/nodes.dmp" --name-table "$CF/names.dmp" \
  "$CF/refs.fna" "$CF/idx" > "$CF/build.log" 2>&1 || { show "$CF/build.log" 10; die "centrifuge-build failed"; }
centrifuge -p "$THREADS" -x "$CF/idx" -1 "$TMP/sim_R1.fastq" -2 "$TMP/sim_R2.fastq" -S "$TMP/cf.tsv" \
  --report-file "$CF/report.tsv" > "$CF/run.log" 2>&1 || { show "$CF/run.log" 10; die "centrifuge failed"; }
# The cases must be there for the comparison below to mean something.
awk -F'\t' 'NR > 1 && $8 > 1 && $3 != 0 { multi = 1 } NR > 1 && $8 > 1 && $3 == 0 { zero_hit = 1 }
     NR > 1 && $2 == "unclassified" { uncl = 1 } NR == 2 && $1 ~ /\/[12]$/ { suffix = 1 }
     END { exit !(multi && zero_hit && uncl && !suffix) }' "$TMP/cf.tsv" \
  && ok "centrifuge's output has multi-hit reads, a taxID 0 hit among others, unclassified lines, pair ids without /1" \
  || { fail "centrifuge's output lacks a case"; show "$TMP/cf.tsv"; }
# Profiles: sample s1 is the simulated reads (true read fractions from the truth); sample s2 has
# only the first two genomes, half each, scored against the same profiles (false positives).
mkdir -p "$TMP/sim/truth/reads"
cp "$TMP/truth.tsv" "$TMP/sim/truth/reads/s1.tsv"
{ printf 'sample\ttaxid\tread_fraction\tcell_fraction\n'
  awk -F'\t' '{ n[$2]++; t++ } END { for (x in n) printf "s1\t%s\t%.10f\t%.10f\n", x, n[x] / t, n[x] / t }' \
    "$TMP/truth.tsv" | sort -k2,2n
  awk -F'\t' 'NR <= 2 { printf "s2\t%s\t0.5\t0.5\n", $2 }' "$TMP/file_taxid.tsv"
} > "$TMP/sim/truth/abundance.tsv"
for d in prof_gb prof_cami prof_k2; do cp "$TMP/$d"/s1.* "$TMP/$d/$(basename "$TMP/$d"/s1.* | sed 's/^s1/s2/')"; done
# Hand-edited: every 3rd call moved to the true taxon's grandparent, every 5th to an unknown
# taxid, every 7th unclassified, every 11th read left out.
awk -F'\t' -v OFS='\t' 'NR == FNR { par[$1] = $2; next }
  FNR % 11 == 0 { next }
  { t = $3; if (FNR % 3 == 0 && t in par) t = par[par[t]]; if (FNR % 5 == 0) t = 999999999; if (FNR % 7 == 0) { $1 = "U"; t = 0 }
    $3 = t; print }' FS='\t[|]\t' "$TINY_TAX/nodes.dmp" FS='\t' "$TMP/gb.out" > "$TMP/hand.out"

"$GB" bench --truth "$TMP/sim" --taxonomy "$TINY_TAX" --ranks species,genus,family,phylum,superkingdom \
  --out "$TMP/b" gutbrain="$TMP/gb.out" kraken2="$TMP/k2.out" centrifuge="$TMP/cf.tsv" hand="$TMP/hand.out" \
  --profiles gutbrain="$TMP/prof_gb" --profiles gutbrain_cami="$TMP/prof_cami" --profiles kraken2="$TMP/prof_k2" \
  > "$TMP/b.stdout" 2> "$TMP/b.err"
rc=$?
[ "$rc" -eq 0 ] && ok "bench scored four outputs" || { fail "bench exit $rc"; show "$TMP/b.err"; }
cmp -s "$TMP/b.stdout" "$TMP/b.md" && ok "the Markdown table on stdout is PREFIX.md" || fail "stdout differs from b.md"
grep -q "in no output: scored as unclassified" "$TMP/b.err" && grep -q "absent from the taxonomy" "$TMP/b.err" \
  && ok "warned about left-out reads and the unknown taxid" || { fail "warnings missing"; show "$TMP/b.err"; }

# The independent implementation: docs/BENCH.md's definitions, straight from nodes.dmp.
python3 - "$TINY_TAX/nodes.dmp" "$TMP/truth.tsv" "$TMP/ref.tsv" gutbrain="$TMP/gb.out" kraken2="$TMP/k2.out" \
  centrifuge="$TMP/cf.tsv" hand="$TMP/hand.out" <<'PY'
import re, sys
parent, rank = {}, {}
for line in open(sys.argv[1]):
    f = line.split("\t|\t")
    parent[int(f[0])], rank[int(f[0])] = int(f[1]), f[2]
parent[1] = 0
def lineage(t):
    out = []
    while t:
        out.append(t)
        t = parent[t]
    return out
def at(t, r):
    return next((x for x in lineage(t) if rank[x] == r), None)
def lca(ts):
    common = set(lineage(ts[0])).intersection(*(lineage(t) for t in ts[1:]))
    return next(x for x in lineage(ts[0]) if x in common)
def centrifuge(lines):  # a read's hits: the LCA of those the taxonomy holds, else the first non-0
    hits = {}
    for l in lines[1:]:
        f = l.split("\t")
        hits.setdefault(re.sub(r"/[12]$", "", f[0]), []).append(int(f[2]))
    return {read: lca([t for t in ts if t in parent]) if any(t in parent for t in ts)
            else next((t for t in ts if t), 0) for read, ts in hits.items()}
truth = dict(l.rstrip("\n").split("\t") for l in open(sys.argv[2]))
fmt = lambda a, b: "NA" if b == 0 else "%.6f" % (a / b)
with open(sys.argv[3], "w") as out:
    out.write("name\trank\tTP\tvertical\tFP\tFN\tsensitivity\tprecision\tF1\tunclassified\texcluded\n")
    for arg in sys.argv[4:]:
        name, path = arg.split("=", 1)
        lines = open(path).read().splitlines()
        is_centrifuge = lines[0].startswith("readID\t")
        call = centrifuge(lines) if is_centrifuge else {}
        for l in [] if is_centrifuge else lines:
            f = l.split("\t")
            m = re.search(r"\(taxid (\d+)\)$", f[2])
            call[re.sub(r"/[12]$", "", f[1])] = 0 if f[0] == "U" else int(m.group(1) if m else f[2])
        for r in ["species", "genus", "family", "phylum", "superkingdom"]:
            n = dict(TP=0, V=0, FP=0, FN=0, X=0)
            for read, t in truth.items():
                t, c = int(t), call.get(read, 0)
                T = at(t, r)
                if T is None: k = "X"
                elif c == 0: k = "FN"
                elif c not in parent: k = "FP"
                elif at(c, r) is not None: k = "TP" if at(c, r) == T else "FP"
                else: k = "V" if c in lineage(t) else "FP"
                n[k] += 1
            tot = n["TP"] + n["V"] + n["FP"] + n["FN"]
            s, p = (n["TP"] / tot if tot else None), (n["TP"] / (n["TP"] + n["FP"]) if n["TP"] + n["FP"] else None)
            f1 = "NA" if s is None or p is None else "%.6f" % (2 * s * p / (s + p) if s + p else 0)
            out.write("%s\t%s\t%d\t%d\t%d\t%d\t%s\t%s\t%s\t%s\t%d\n" % (name, r, n["TP"], n["V"], n["FP"], n["FN"],
                      fmt(n["TP"], tot), fmt(n["TP"], n["TP"] + n["FP"]), f1, fmt(n["FN"], tot), n["X"]))
PY
python3 - "$TINY_TAX/nodes.dmp" "$TMP/sim/truth/abundance.tsv" "$TMP/ref_prof.tsv" gutbrain="$TMP/prof_gb" \
  gutbrain_cami="$TMP/prof_cami" kraken2="$TMP/prof_k2" <<'PY'
import glob, sys
parent, rank = {}, {}
for line in open(sys.argv[1]):
    f = line.split("\t|\t")
    parent[int(f[0])], rank[int(f[0])] = int(f[1]), f[2]
parent[1] = 0
def at(t, r):
    while t and rank[t] != r:
        t = parent[t]
    return t
truth = {}
for l in list(open(sys.argv[2]))[1:]:
    s, t, rf, cf = l.split("\t")
    truth.setdefault(s, []).append((int(t), float(rf), None))
def profile(path):
    rows = []
    for l in open(path):
        f = l.rstrip("\n").split("\t")
        if path.endswith(".cami"):
            if l[0] not in "@\n": rows.append((int(f[0]), float(f[4]), f[1]))
        elif f[4] != "0" and int(f[2]) > 0: rows.append((int(f[4]), float(f[2]), None))
    return rows
def at_rank(rows, r):
    v = {}
    for t, x, cami_rank in rows:
        if t not in parent or not at(t, r) or (cami_rank and (cami_rank != r or at(t, r) != t)): continue
        v[at(t, r)] = v.get(at(t, r), 0) + x
    tot = sum(v.values())
    return {k: x / tot for k, x in v.items()} if tot else v
fmt = lambda x: "NA" if x is None else "%.6f" % x
def masses(rows):  # every read once: a CAMI line's own share is its value minus its listed children's
    m = {}
    for t, x, cami_rank in rows:
        if t in parent: m[t] = m.get(t, 0) + x
    for t, x, cami_rank in rows:
        u = parent.get(t, 0)
        while cami_rank and u and u not in m: u = parent[u]
        if cami_rank and u: m[u] -= x
    m = {k: max(x, 0) for k, x in m.items()}
    tot = sum(m.values())
    return {k: x / tot for k, x in m.items()} if tot else m
MAIN = ["superkingdom", "phylum", "class", "order", "family", "genus", "species"]
def species_of(y):
    while y and rank[y] != "species": y = parent[y]
    return y
def level(y):  # OPAL's levels: the main ranks 0-6, 7 anything below a species, else -1 (contracted)
    return 7 if species_of(parent[y]) else MAIN.index(rank[y]) if rank[y] in MAIN else -1
def up(y):  # the node an edge joins: a strain's species, else the nearest ancestor with a level
    y = parent[y] if level(y) < 7 else species_of(parent[y])
    while y > 1 and level(y) < 0: y = parent[y]
    return y
def unifrac(t, p):
    diff = {}
    for m, sign in ((masses(t), 1), (masses(p), -1)):
        for x, v in m.items():
            while x > 1 and level(x) < 0: x = parent[x]
            diff[x] = diff.get(x, 0) + sign * v
    nodes, z = set(diff), 0
    for x in list(nodes):
        while x > 1: nodes.add(x); x = up(x)
    for x in sorted(nodes - {1}, key=level, reverse=True):  # leaves first: each subtree's difference
        u = up(x)
        z += (level(x) - (level(u) if u > 1 else -1)) * abs(diff.get(x, 0))
        diff[u] = diff.get(u, 0) + diff.get(x, 0)
    return z
with open(sys.argv[3], "w") as out:
    out.write("name\tsample\trank\tL1\tbray_curtis\tcompleteness\tpurity\tF1\tTP\tFP\tFN\tweighted_unifrac\n")
    for arg in sys.argv[4:]:
        name, d = arg.split("=")
        for s in truth:
            pred_rows = profile(glob.glob("%s/%s.*" % (d, s))[0])
            wu = unifrac(truth[s], pred_rows)
            for r in ["species", "genus", "family", "phylum", "superkingdom"]:
                t, p = at_rank(truth[s], r), at_rank(pred_rows, r)
                keys = sorted(set(t) | set(p))
                l1 = sum(abs(t.get(k, 0) - p.get(k, 0)) for k in keys)
                tot = sum(t.get(k, 0) + p.get(k, 0) for k in keys)
                tp = sum(1 for k in keys if t.get(k, 0) > 0 and p.get(k, 0) > 0)
                fp = sum(1 for k in keys if t.get(k, 0) <= 0 and p.get(k, 0) > 0)
                fn = sum(1 for k in keys if t.get(k, 0) > 0 and p.get(k, 0) <= 0)
                c = tp / (tp + fn) if tp + fn else None
                pu = tp / (tp + fp) if tp + fp else None
                f1 = None if c is None or pu is None else (2 * c * pu / (c + pu) if c + pu else 0)
                out.write("%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%d\t%d\t%s\n" % (name, s, r, fmt(l1),
                          fmt(l1 / tot if tot else 0), fmt(c), fmt(pu), fmt(f1), tp, fp, fn, fmt(wu)))
PY
if cmp -s "$TMP/ref_prof.tsv" "$TMP/b.profiles.tsv"; then
  ok "profiles.tsv equals the independent implementation ($(($(wc -l < "$TMP/ref_prof.tsv") - 1)) rows)"
else
  fail "profiles.tsv differs from the independent implementation"; diff "$TMP/ref_prof.tsv" "$TMP/b.profiles.tsv" | head -20
fi
if cmp -s "$TMP/ref.tsv" "$TMP/b.reads.tsv"; then
  ok "reads.tsv equals the independent implementation ($(($(wc -l < "$TMP/ref.tsv") - 1)) rows)"
else
  fail "reads.tsv differs from the independent implementation"; diff "$TMP/ref.tsv" "$TMP/b.reads.tsv" | head -20
fi
awk -F'\t' '$1 == "hand" && $4 > 0 { v = 1 } $1 == "hand" && $11 > 0 { x = 1 } END { exit !(v && x) }' "$TMP/b.reads.tsv" \
  && ok "the hand-edited case has vertical calls and excluded reads (the viruses have no phylum)" \
  || fail "the hand-edited case lacks vertical calls or excluded reads"
echo "      side by side:"; sed 's/^/      /' "$TMP/b.md"

# Profiles alone: no reads.tsv, the same profiles.tsv.
if "$GB" bench -q --truth "$TMP/sim" --taxonomy "$TINY_TAX" --ranks species,genus,family,phylum,superkingdom \
  --out "$TMP/p" --profiles gutbrain="$TMP/prof_gb" --profiles gutbrain_cami="$TMP/prof_cami" \
  --profiles kraken2="$TMP/prof_k2" > /dev/null 2> "$TMP/p.err" && [ ! -e "$TMP/p.reads.tsv" ] \
  && cmp -s "$TMP/p.profiles.tsv" "$TMP/b.profiles.tsv"; then
  ok "--profiles alone writes the same profiles.tsv and no reads.tsv"
else
  fail "--profiles alone"; show "$TMP/p.err"
fi
# Input errors: exit 2, one error line naming the file, no output left.
printf 'C\tnot_a_read\t562\t100\t0:1\n' > "$TMP/in_stranger.txt"
expect_error stranger 2 'in_stranger.txt:1' "$TMP/e1.reads.tsv $TMP/e1.md" -- \
  "$GB" bench --truth "$TMP/truth.tsv" --taxonomy "$TINY_TAX" --out "$TMP/e1" x="$TMP/in_stranger.txt"
printf 'C\ts0_000001/1\t10710\t100\t0:1\nC\ts0_000001/2\t10710\t100\t0:1\n' > "$TMP/twice.out"
expect_error pair_twice 2 'twice.out:[0-9]+: read .* twice' "$TMP/e2.reads.tsv $TMP/e2.md" -- \
  "$GB" bench --truth "$TMP/truth.tsv" --taxonomy "$TINY_TAX" --out "$TMP/e2" x="$TMP/twice.out"
printf 'r1\t999999999\n' > "$TMP/badtruth.tsv"
printf 'C\tr1\t562\t100\t0:1\n' > "$TMP/r1.txt"
expect_error truth_taxid 2 'badtruth.tsv' "$TMP/e3.reads.tsv $TMP/e3.md" -- \
  "$GB" bench --truth "$TMP/badtruth.tsv" --taxonomy "$TINY_TAX" --out "$TMP/e3" x="$TMP/r1.txt"
finish
