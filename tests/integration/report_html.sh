#!/usr/bin/env bash
# The HTML report of gutbrain stats, in a real browser: headless Debian chromium renders
# OUT/report.html to a PNG (not blank: the Okabe-Ito colours of the plots are there) and to a
# DOM dump, in which every plot's marks are counted against the tables (one volcano point per
# row of the variable in associations.tsv, one point per analysed sample in each PCoA, alpha and
# top-taxon plot, one QC row per sample), and the page logs nothing on the console. Both a
# categorical and a numeric variable of interest, on a generated cohort with gutbrain's QC
# datasets and a failed.tsv next to it. Then run_report.html of `gutbrain run` on the tiny DB
# (two samples and one that fails): one QC row per sheet sample, a bar per sample and taxon.
# Chromium flags: docs/HACKING.md.
set -uo pipefail
source "$(dirname "$0")/lib.bash"
source "$(dirname "$0")/run_lib.bash"
CHROMIUM=$(command -v chromium || command -v chromium-browser) || {
  fail "no chromium (tests/deps.sh installs Debian's)"
  finish
  exit
}

/usr/bin/python3 - "$TMP/c.biom" "$TMP/m.tsv" "$TMP/failed.tsv" <<'PY' || die "could not generate a cohort"
import sys, numpy as np, biom, h5py
rng = np.random.default_rng(11)
n, m = 40, 24
counts = rng.negative_binomial(2, 0.05, size=(m, n)).astype(float)
counts[rng.random((m, n)) < 0.3] = 0
counts[:3, n // 2:] *= 4  # three genera higher in MDD
ids = ["s%02d" % i for i in range(n)]
obs = ["t%02d" % j for j in range(m)]
meta = [{"taxonomy": ["d__Bacteria", "p__P", "c__C", "o__O", "f__F", "g__Genus%d" % j, "s__"]} for j in range(m)]
biom.Table(counts, obs, ids, observation_metadata=meta).to_hdf5(h5py.File(sys.argv[1], "w"), "report test")
with h5py.File(sys.argv[1], "a") as f:
    reads = rng.integers(10000, 50000, n).astype(np.uint64)
    cls = (reads * rng.uniform(0.5, 0.95, n)).astype(np.uint64)
    for name, v in (("reads", reads), ("classified", cls), ("unclassified", reads - cls), ("bases", reads * 150)):
        f["gutbrain/" + name] = v
with open(sys.argv[2], "w") as f:
    f.write("sample\tgroup\tage\n")
    for i, s in enumerate(ids[:-1]):  # the last sample is not in the metadata: dropped
        f.write("%s\t%s\t%d\n" % (s, "MDD" if i >= n // 2 else "HC", 20 + i % 37))
with open(sys.argv[3], "w") as f:
    f.write("sample\tfile\treason\nbroken\tbroken_R1.fq\ttruncated gzip stream\n")
PY

# Render FILE.html into FILE.png and FILE.dom, console messages into FILE.log.
render() {
  local page=$1
  timeout 60 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --hide-scrollbars \
    --screenshot="${page%.html}.png" --window-size=1280,4000 "file://$page" > /dev/null 2> "${page%.html}.shot.log"
  timeout 60 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --enable-logging=stderr --v=0 \
    --virtual-time-budget=2000 --dump-dom "file://$page" > "${page%.html}.dom" 2> "${page%.html}.log"
}

# The console check must be able to fail: a page that logs an error is caught.
printf '<!DOCTYPE html><html><body><script>console.error("report-test-error")</script></body></html>\n' > "$TMP/noisy.html"
render "$TMP/noisy.html"
grep -q 'CONSOLE.*report-test-error' "$TMP/noisy.log" && ok "the console check sees a page's console error" ||
  { fail "chromium's log does not show a console error"; show "$TMP/noisy.log"; }

# Marks per plot in the DOM against the tables of OUT; the PNG's colours.
check_page() {  # NAME OUTDIR VARIABLE
  local name=$1 out=$2 var=$3
  [ -s "$out/report.html" ] && ok "$name: report.html written" || { fail "$name: no report.html"; return; }
  if grep -Eq '<script|https?://[^"]*\.(js|css|png)|<link ' "$out/report.html"; then fail "$name: the page loads something"
  else ok "$name: self-contained (no script, no external resource)"; fi
  render "$out/report.html"
  if grep -q 'CONSOLE' "$out/report.log"; then fail "$name: console messages"; show "$out/report.log"
  else ok "$name: no console message"; fi
  /usr/bin/python3 - "$out" "$var" "$TMP/c.biom" "$TMP/failed.tsv" <<'PY' && ok "$name: every plot's marks match the data" ||
import sys, re, html.parser, h5py
out, var, cohort, failed = sys.argv[1:]
def tsv(name):
    rows = [l.rstrip("\n").split("\t") for l in open("%s/%s.tsv" % (out, name))]
    return [dict(zip(rows[0], r)) for r in rows[1:]]
class Dom(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.svg, self.table, self.marks, self.rows, self.ids = None, None, {}, {}, set()
    def handle_starttag(self, tag, a):
        a = dict(a)
        if a.get("id"): self.ids.add(a["id"])
        if tag == "svg": self.svg = a.get("id")
        if tag == "table": self.table = a.get("id")
        if tag == "circle" and "mark" in a.get("class", "").split():
            self.marks[self.svg] = self.marks.get(self.svg, 0) + 1
        if tag == "tr" and "qc-row" in a.get("class", ""): self.rows[self.table] = self.rows.get(self.table, 0) + 1
    def handle_endtag(self, tag):
        if tag == "svg": self.svg = None
dom = Dom()
dom.feed(open(out + "/report.dom").read())
bad = []
def want(what, got, expected):
    if got != expected: bad.append("%s: %s marks, expected %s" % (what, got, expected))
assoc = [r for r in tsv("associations") if r["metadata"] == var and r["coef"] != "NA" and r["qval"] != "NA"]
want("volcano", dom.marks.get("volcano", 0), len(assoc))
alpha = tsv("alpha")
n = len(alpha)
for d in ("bray", "aitchison"):
    pts = [r for r in tsv("pcoa") if r["distance"] == d and r["PC1"] != "NA" and r["PC2"] != "NA"]
    want("pcoa-" + d, dom.marks.get("pcoa-" + d, 0), len(pts))
for k in ("shannon", "observed"):
    want("alpha-" + k, dom.marks.get("alpha-" + k, 0), sum(r[k] != "NA" for r in alpha))
taxa = len(dict.fromkeys(r["feature"] for r in assoc))
for i in range(1, min(6, taxa) + 1):
    want("taxon-%d" % i, dom.marks.get("taxon-%d" % i, 0), n)
if "taxon-%d" % (min(6, taxa) + 1) in dom.ids: bad.append("more than 6 taxon panels")
nfailed = sum(1 for _ in open(failed)) - 1
want("qc-table", dom.rows.get("qc-table", 0), len(h5py.File(cohort)["sample/ids"]) + nfailed)
for t in ("permanova-table", "provenance-table"):
    if t not in dom.ids: bad.append("no " + t)
if n < 10 or not assoc: bad.append("the data are too small to mean anything")
for b in bad: print(b)
sys.exit(1 if bad else 0)
PY
  fail "$name: marks do not match the data"
  /usr/bin/python3 - "$out/report.png" <<'PY' && ok "$name: the PNG shows the plots' colours" || fail "$name: the PNG looks blank"
import sys, zlib, struct
# decode the RGB(A) PNG chromium writes (8 bits a channel, no interlace)
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n"
pos, idat, w = 8, b"", 0
while pos < len(data):
    size, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + size]
    if kind == b"IHDR": w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
    if kind == b"IDAT": idat += body
    pos += 12 + size
bpp = {2: 3, 6: 4}[ctype]
raw, stride, prev, colours = zlib.decompress(idat), w * bpp, bytearray(w * bpp), set()
for y in range(h):
    f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    for i in range(stride):
        a, b = line[i - bpp] if i >= bpp else 0, prev[i]
        c = prev[i - bpp] if i >= bpp else 0
        if f == 1: line[i] = (line[i] + a) & 255
        elif f == 2: line[i] = (line[i] + b) & 255
        elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    if y % 2 == 0:
        colours.update(bytes(line[i:i + 3]) for i in range(0, stride, bpp * 2))
    prev = line
okabe = {bytes.fromhex(x) for x in ("0072B2", "E69F00", "D55E00")}
print("%dx%d, %d colours, Okabe-Ito present: %d" % (w, h, len(colours), len(okabe & colours)))
sys.exit(0 if len(colours) > 50 and len(okabe & colours) >= 2 else 1)
PY
}

"$GB" stats -q --cohort "$TMP/c.biom" --metadata "$TMP/m.tsv" --variable group --covariates age --permutations 99 \
  --out "$TMP/cat" 2> "$TMP/cat.err" || { fail "stats (group) failed"; show "$TMP/cat.err"; }
check_page group "$TMP/cat" group
"$GB" stats -q --cohort "$TMP/c.biom" --metadata "$TMP/m.tsv" --variable age --covariates group --permutations 99 \
  --out "$TMP/num" 2> "$TMP/num.err" || { fail "stats (age) failed"; show "$TMP/num.err"; }
check_page age "$TMP/num" age
grep -q 'class="legend"' "$TMP/num/report.html" && grep -q '>age</text>' "$TMP/num/report.html" &&
  ok "age: a colour scale for the numeric variable" || fail "age: no colour scale"

setup_tiny_db
mkdir -p "$TMP/rc"
echo "sample,fastq_1,fastq_2" > "$TMP/rc/sheet.csv"
add_sample "$TMP/rc" r1 paired plain abs 300 50 "${TINY_REFS[@]}"
add_sample "$TMP/rc" r2 paired plain abs 100 20 "${TINY_REFS[0]}" "${TINY_REFS[3]}"
add_sample "$TMP/rc" r3 paired plain abs 200 30 "${TINY_REFS[1]}" "${TINY_REFS[3]}"
echo "lost,$TMP/rc/missing_R1.fastq," >> "$TMP/rc/sheet.csv"
gb_run run 0 "$TMP/run" "$TMP/rc/sheet.csv"
[ "$RC" -eq 3 ] && ok "run: exit 3 (one sample failed)" || { fail "run: exit $RC, want 3"; show "$TMP/run.err"; }
if [ -s "$TMP/run/run_report.html" ]; then
  render "$TMP/run/run_report.html"
  grep -q CONSOLE "$TMP/run/run_report.log" && fail "run_report: console messages" || ok "run_report: no console message"
  /usr/bin/python3 - "$TMP/run/run_report.dom" "$TMP/run/cohort.biom" <<'PY' && ok "run_report: a QC row per sheet sample, a bar per sample and taxon" || fail "run_report: marks do not match the cohort"
import sys, re, h5py
dom = open(sys.argv[1]).read()
f = h5py.File(sys.argv[2])
n, m = len(f["sample/ids"]), len(f["observation/ids"])
bars = len(re.findall(r'<rect class="mark bar-segment"', dom))
rows = len(re.findall(r'<tr class="qc-row"', dom))
print("bars %d (want %d), QC rows %d (want %d)" % (bars, n * (min(8, m) + 1), rows, n + 1))
ok = bars == n * (min(8, m) + 1) and rows == n + 1 and "failed: " in dom and 'id="top-taxa"' in dom
sys.exit(0 if ok and n == 3 else 1)
PY
else
  fail "run: no run_report.html"
fi
# stats on run's own cohort: the report names the run's database and command (from /gutbrain)
printf 'sample\tgroup\nr1\tA\nr2\tB\nr3\tA\n' > "$TMP/rc/m.tsv"
"$GB" stats -q --cohort "$TMP/run/cohort.biom" --metadata "$TMP/rc/m.tsv" --variable group --rank none \
  --min-prevalence 0 --permutations 9 --out "$TMP/rs" 2> "$TMP/rs.err"
if grep -qF "database (of the run)</th><td style=\"text-align:left\">$DB<" "$TMP/rs/report.html" 2>/dev/null &&
   grep -q "run command line</th><td[^>]*>gutbrain run " "$TMP/rs/report.html"; then
  ok "stats on a gutbrain cohort: provenance names the run's database and command line"
else
  fail "stats report: no run database/command line in the provenance"; show "$TMP/rs.err"
fi
finish
