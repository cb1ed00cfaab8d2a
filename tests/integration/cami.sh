#!/usr/bin/env bash
# CAMI profiles (docs/CAMI.md): `classify --cami-out` on a tiny data set, checked by a reader
# written from the format's description (as OPAL's reader parses a profile: '@KEY:VALUE' header,
# the '@@' line naming the columns, tab-separated rows) against the sample's kreport with
# --report-zero-counts (the database's whole taxonomy): header lines in order, five columns,
# one TAXPATH/TAXPATHSN entry per rank down to the row's own, every entry the lineage's taxon at
# that rank (empty where it has none), percentages = clade / classified, and each rank summing
# to 100 minus the share called above it. Then `run` writes samples/<id>.cami with the same rows,
# reuses it on a rerun and rewrites it when it is missing. Prints ok/FAIL; exit 1 on any FAIL.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash"
source "$(dirname "${BASH_SOURCE[0]}")/run_lib.bash"

setup_tiny_db
R=$TMP/reads
mkdir -p "$R"
sim_pairs "$R/a" 150 50 "${TINY_REFS[@]}"
sim_pairs "$R/b" 80 10 "${TINY_REFS[0]}" "${TINY_REFS[3]}"

cat > "$TMP/check_cami.py" <<'EOF'
import sys
cami, kreport, want_id = sys.argv[1:4]
RANKS = "superkingdom|phylum|class|order|family|genus|species|strain".split("|")
CODE = dict(zip("DPCOFGS", RANKS))
problems = []
def bad(msg):
    problems.append(msg)

# the taxonomy and counts from the kreport (every node, parents from the indentation)
node, stack, unclassified = {}, [], 0
for line in open(kreport):
    pct, clade, direct, code, taxid, name = line.rstrip("\n").split("\t")
    if code == "U":
        unclassified = int(clade)
        continue
    depth = (len(name) - len(name.lstrip(" "))) // 2
    del stack[depth:]
    node[taxid] = dict(clade=int(clade), direct=int(direct), code=code, name=name.strip(),
                       parent=stack[-1] if stack else None, children=0)
    if stack:
        node[stack[-1]]["children"] += 1
    stack.append(taxid)
def lineage(t):
    while t is not None:
        yield t
        t = node[t]["parent"]
def cami_rank(t):
    n = node[t]
    if n["code"] in CODE:
        return CODE[n["code"]]
    below_species = any(node[a]["code"] == "S" for a in lineage(n["parent"]))
    return "strain" if below_species and n["children"] == 0 and n["code"] != "K" else None
classified = sum(n["direct"] for n in node.values())

# the profile, read the way the format describes
header, columns, rows, order = {}, None, [], []
for raw in open(cami):
    line = raw.rstrip("\n")
    if not line.strip() or line.startswith("#"):
        continue
    if line.startswith("@@"):
        columns = line[2:].split("\t")
        order.append("@@")
    elif line.startswith("@"):
        if columns is not None:
            bad("header line after the @@ line: " + line)
        key, _, value = line[1:].partition(":")
        header[key.upper()] = value
        order.append(key.upper())
    elif columns is None:
        bad("data before the @@ line: " + line)
    else:
        rows.append(line.split("\t"))
if order != ["SAMPLEID", "VERSION", "RANKS", "__PROGRAM__", "@@"]:
    bad("header lines %s" % order)
if header.get("SAMPLEID") != want_id or header.get("VERSION") != "0.9.1" or header.get("RANKS") != "|".join(RANKS):
    bad("header values %s" % header)
if columns != ["TAXID", "RANK", "TAXPATH", "TAXPATHSN", "PERCENTAGE"]:
    bad("columns %s" % columns)
seen, sums = set(), dict.fromkeys(RANKS, 0.0)
for row in rows:
    if len(row) != 5:
        bad("%d columns: %s" % (len(row), row)); continue
    taxid, rank, path, names, pct = row
    if taxid in seen or taxid not in node or rank not in RANKS:
        bad("taxid repeated, unknown or bad rank: %s" % row); continue
    seen.add(taxid)
    r = RANKS.index(rank)
    path, names = path.split("|"), names.split("|")
    if len(path) != r + 1 or len(names) != r + 1:
        bad("path length %d/%d for rank %s: %s" % (len(path), len(names), rank, row)); continue
    at = {cami_rank(a): a for a in lineage(taxid)}
    want_path = [at.get(k, "") for k in RANKS[:r + 1]]
    if path != want_path or names != [node[a]["name"] if a else "" for a in want_path] or cami_rank(taxid) != rank:
        bad("path %s / %s, want %s" % (path, names, want_path))
    if abs(float(pct) - 100.0 * node[taxid]["clade"] / classified) > 1e-6:
        bad("percentage %s of %s, want %.8f" % (pct, taxid, 100.0 * node[taxid]["clade"] / classified))
    sums[rank] += float(pct)
# every taxon with reads at a rank is listed; a rank sums to 100 minus the share above it
listed = {t for t in node if node[t]["clade"] and cami_rank(t)}
if listed != seen:
    bad("taxa missing or extra: %s" % sorted(listed ^ seen))
for rank in RANKS:
    above = sum(n["direct"] for t, n in node.items() if all(cami_rank(a) != rank for a in lineage(t)))
    if abs(sums[rank] + 100.0 * above / classified - 100.0) > 0.01:
        bad("%s sums to %.6f with %.6f %% above it" % (rank, sums[rank], 100.0 * above / classified))
print("%d rows, %d classified, sums %s" % (len(rows), classified, " ".join("%.4f" % sums[k] for k in RANKS)))
for p in problems[:10]:
    print("problem: " + p)
sys.exit(1 if problems else 0)
EOF

# classify --cami-out: the default sample id, and a given one
for s in a b; do
  if "$GB" classify --db "$DB" --threads 1 --paired --output /dev/null --report "$TMP/$s.kreport" \
       --report-zero-counts --cami-out "$TMP/$s.cami" "$R/${s}_R1.fastq" "$R/${s}_R2.fastq" 2> "$TMP/$s.err"; then
    if "$PY" "$TMP/check_cami.py" "$TMP/$s.cami" "$TMP/$s.kreport" "${s}_R1" > "$TMP/$s.check"; then
      ok "classify --cami-out ($s): $(cat "$TMP/$s.check")"
    else fail "classify --cami-out ($s) does not follow the format"; show "$TMP/$s.check" 12; fi
  else fail "classify --cami-out ($s) exit $?"; show "$TMP/$s.err"; fi
done
grep -q $'^[0-9]*\tstrain\t' "$TMP/a.cami" && ok "the E. coli 536 genome (a leaf below its species) is a strain" \
  || fail "no strain row in $TMP/a.cami"
"$GB" classify --db "$DB" --threads 1 --paired --output /dev/null --cami-out "$TMP/named.cami" \
  --cami-sample-id CAMI_LOW_S001 "$R/a_R1.fastq" "$R/a_R2.fastq" 2> "$TMP/named.err"
if [ "$(head -1 "$TMP/named.cami")" = "@SampleID:CAMI_LOW_S001" ] && cmp -s <(tail -n +2 "$TMP/a.cami") <(tail -n +2 "$TMP/named.cami")
then ok "--cami-sample-id sets @SampleID only"; else fail "--cami-sample-id"; show "$TMP/named.cami"; fi

# run: samples/<id>.cami, the same rows as classify's; reused on a rerun; rewritten when missing
printf 'sample,fastq_1,fastq_2\nsa,%s,%s\nsb,%s,%s\n' "$R/a_R1.fastq" "$R/a_R2.fastq" "$R/b_R1.fastq" \
  "$R/b_R2.fastq" > "$TMP/sheet.csv"
OUT=$TMP/out
if gb_run_ok first 0 "$OUT" "$TMP/sheet.csv" --threads 1; then
  for s in a b; do
    if [ "$(head -1 "$OUT/samples/s$s.cami")" = "@SampleID:s$s" ] &&
       cmp -s <(tail -n +2 "$TMP/$s.cami") <(tail -n +2 "$OUT/samples/s$s.cami"); then
      ok "run: samples/s$s.cami has classify's rows"
    else fail "run: samples/s$s.cami differs from classify --cami-out"; show "$OUT/samples/s$s.cami"; fi
  done
  ls "$OUT/samples" | grep -q '\.tmp\.' && fail "temporary files left in $OUT/samples"
  file_times "$OUT" > "$TMP/times.1"
  gb_run_ok again 0 "$OUT" "$TMP/sheet.csv" --threads 1 && [ "$(reused_count "$TMP/again.err")" = 2 ] &&
    cmp -s <(grep '\.cami' "$TMP/times.1") <(file_times "$OUT" | grep '\.cami') &&
    ok "rerun: both samples reused, .cami files untouched" || fail "rerun did not reuse the .cami files"
  cp "$OUT/samples/sb.cami" "$TMP/sb.before"
  rm "$OUT/samples/sb.cami"
  gb_run_ok missing 0 "$OUT" "$TMP/sheet.csv" --threads 1 && [ "$(reused_count "$TMP/missing.err")" = 1 ] &&
    cmp -s "$TMP/sb.before" "$OUT/samples/sb.cami" && ok "a missing .cami redoes that sample alone, same bytes" ||
    fail "a missing .cami was not rewritten (or more was redone)"
fi
finish
