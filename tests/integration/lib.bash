# Shared helpers for the integration scripts (sourced, never run: run.sh only runs *.sh).
# Every script sources it first, so a script runs the same alone as under run.sh.
# Provides: the Open MPI environment, ROOT, GB, DATA, TMP (per-run temp dir, removed on
# success), check counters, a tiny reference set + DB builder (setup_tiny_db), a
# deterministic read simulator, expect_error (one failing run: exit code, one error line,
# no output left), and check_biom_readers (biom, python and R on cohort files).

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# bin/gutbrain links Open MPI, which refuses to run as root and looks for ssh without these;
# harmless elsewhere.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_plm_rsh_agent=false
# Leak suppressions and unwinding for a sanitized bin/gutbrain (docs/SANITIZERS.md).
. "$ROOT/tests/sanitizers.bash"
GB=${GB:-$ROOT/bin/gutbrain}
case $GB in /*) ;; *) GB="$ROOT/$GB" ;; esac
THREADS=${THREADS:-2}
N_OK=0
N_FAIL=0
N_SKIP=0

die() { echo "FATAL: $*" >&2; exit 1; }

[ -x "$GB" ] || die "no gutbrain binary at $GB (run make)"
DATA=${GUTBRAIN_DATA:-}
if [ -z "$DATA" ] || [ ! -d "$DATA/refs" ]; then
  DATA=$(bash "$ROOT/tests/data.sh") || die "tests/data.sh found no test data"
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/gutbrain-$(basename "$0" .sh).XXXXXX")
# Keep the evidence when something failed; clean up otherwise.
cleanup() {
  if [ "$N_FAIL" -eq 0 ]; then rm -rf "$TMP"; else echo "(temp files kept in $TMP)"; fi
}
trap cleanup EXIT

ok() { N_OK=$((N_OK + 1)); echo "ok    $*"; }
fail() { N_FAIL=$((N_FAIL + 1)); echo "FAIL  $*"; }
skip() { N_SKIP=$((N_SKIP + 1)); echo "SKIP  $*"; }
# Indented excerpt of a file, for FAIL details.
show() { [ -s "$1" ] && head -n "${2:-5}" "$1" | cut -c1-300 | sed 's/^/      | /'; return 0; }

finish() {
  echo "$(basename "$0"): $N_OK ok, $N_FAIL failed, $N_SKIP skipped"
  [ "$N_FAIL" -eq 0 ]
}

# require_peer NAME FILE: the peer's source NAME/FILE must be in $PEERS (../shared/peers, or
# GUTBRAIN_PEERS). Without it the script ends here: a failure when ../shared/data is there (the
# oracle is expected beside it), a skip on a machine without ../shared at all.
require_peer() {
  PEERS=${GUTBRAIN_PEERS:-$ROOT/../shared/peers}
  [ -f "$PEERS/$1/$2" ] && return 0
  if [ -d "$ROOT/../shared/data" ]; then
    fail "$1's source not found at $PEERS/$1 (the shared data is there, the peers must be)"
  else
    skip "no $1 source at $PEERS/$1 (and no ../shared/data): nothing to compare with"
  fi
  finish
  exit
}

# ---------------------------------------------------------------- tiny references
# Genomes present in both ../shared/data and the Debian fallback: phage lambda, DWV, VDV-1,
# plus a 200 kb slice of E. coli 536 written with a kraken:taxid header.
TINY_FILES="Enterobacteria_phage_lambda.fna.gz Deformed_wing_virus.fna.gz Varroa_destructor_virus-1.fna.gz"
SLICE_SOURCE=Escherichia_coli_536.fna.gz
SLICE_TAXID=362663
SLICE_ID="ecoli536_slice|kraken:taxid|$SLICE_TAXID"

# Map rows (seqid TAB taxid) of the data dir for the given refs/ file names.
data_map_rows() {
  local files=" $* "
  awk -F'\t' -v files="$files" '!/^#/ { f = $5; sub(/^refs\//, "", f)
                                         if (index(files, " " f " ")) print $1 "\t" $2 }' "$DATA/seqid2taxid.tsv"
}

# Write 200 kb of the E. coli 536 chromosome (bases 1,000,001-1,200,000) as one FASTA record.
write_slice() {
  { echo ">$SLICE_ID"
    gzip -dc "$DATA/refs/$SLICE_SOURCE" | awk '!/^>/ { gsub(/\r/, ""); s = s $0; if (length(s) >= 1200000) exit }
                                                END { print substr(s, 1000001, 200000) }' | fold -w 70
  } > "$1"
}

# Build the tiny DB in $TMP/db from $TMP/refs (lambda, DWV, VDV-1 + E. coli slice).
# Sets TINY_REFS (files), TINY_MAP, TINY_TAX. Returns gutbrain's exit code.
prepare_tiny_refs() {
  local f
  mkdir -p "$TMP/refs"
  TINY_REFS=()
  for f in $TINY_FILES; do
    [ -s "$DATA/refs/$f" ] || die "missing $DATA/refs/$f"
    TINY_REFS+=("$DATA/refs/$f")
  done
  write_slice "$TMP/refs/ecoli_slice.fna"
  TINY_REFS+=("$TMP/refs/ecoli_slice.fna")
  TINY_MAP=$TMP/refs/seqid2taxid.tsv
  { data_map_rows $TINY_FILES; printf '%s\t%s\n' "$SLICE_ID" "$SLICE_TAXID"; } > "$TINY_MAP"
  [ "$(wc -l < "$TINY_MAP")" -ge 4 ] || die "seqid2taxid rows for $TINY_FILES not found in $DATA"
  # The data's own taxonomy (the full 1.1 M-node NCBI dump in the Debian fallback loads in ~1 s).
  TINY_TAX=$DATA/taxonomy
}

build_tiny_db() {
  prepare_tiny_refs
  "$GB" build --taxonomy "$TINY_TAX" --seqid2taxid "$TINY_MAP" --db "$TMP/db" --threads "$THREADS" \
    "${TINY_REFS[@]}" > "$TMP/build.out" 2> "$TMP/build.err"
}

# The usual start of a script: say where the data and the temp files are, build the tiny DB
# (DB=$TMP/db) or stop the script with a FAIL.
setup_tiny_db() {
  echo "data: $DATA"
  echo "temp: $TMP"
  if build_tiny_db; then
    ok "tiny DB built (lambda, DWV, VDV-1, 200 kb E. coli slice)"
  else
    fail "tiny DB build failed (exit $?)"; show "$TMP/build.err" 10
    finish; exit 1
  fi
  DB=$TMP/db
}

# ---------------------------------------------------------------- reads
# Deterministic paired FASTQ from the FASTA files given: fragments of 300 bp at a fixed
# stride, mate 1 forward, mate 2 reverse-complemented, 100 bp each, named s<file#>_<n>/1|2;
# then seeded random pairs named rnd<n>/1|2 (expected unclassified).
#   sim_pairs OUT_PREFIX NPAIRS_PER_FILE RANDOM_PAIRS FASTA...
sim_pairs() {
  local prefix=$1 per_file=$2 random_pairs=$3; shift 3
  python3 - "$prefix" "$per_file" "$random_pairs" "$@" <<'EOF'
import gzip, random, sys
prefix, per_file, n_random = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
comp = str.maketrans("ACGTacgtNn", "TGCAtgcaNn")
def read_fasta(path):
    op = gzip.open if path.endswith(".gz") else open
    with op(path, "rt") as f:
        return "".join(l.strip() for l in f if not l.startswith(">")).upper()
def record(out, name, seq):
    out.write("@%s\n%s\n+\n%s\n" % (name, seq, "I" * len(seq)))
rng = random.Random(20240611)  # fixed seed: same reads every run
n = 0
with open(prefix + "_R1.fastq", "w") as r1, open(prefix + "_R2.fastq", "w") as r2:
    for fi, path in enumerate(sys.argv[4:]):
        genome = read_fasta(path)
        stride = max(1, (len(genome) - 300) // per_file)
        for i in range(per_file):
            frag = genome[i * stride:i * stride + 300]
            if len(frag) < 300:
                break
            n += 1
            record(r1, "s%d_%06d/1" % (fi, n), frag[:100])
            record(r2, "s%d_%06d/2" % (fi, n), frag[-100:].translate(comp)[::-1])
    for i in range(n_random):
        n += 1
        record(r1, "rnd%06d/1" % n, "".join(rng.choice("ACGT") for _ in range(100)))
        record(r2, "rnd%06d/2" % n, "".join(rng.choice("ACGT") for _ in range(100)))
EOF
}

# Interleave two FASTQ files (4 lines per record).
interleave() { paste -d'\n' <(paste - - - - < "$1") <(paste - - - - < "$2") | tr '\t' '\n'; }

# ---------------------------------------------------------------- one failing run
# expect_error NAME CODE PATTERN OUTS -- CMD...
#   CODE     expected exit code
#   PATTERN  extended regex the single error line must match (usually the file name)
#   OUTS     space-separated output paths that must not exist afterwards
# CMD runs with stdout/stderr captured in $TMP/NAME.{out,err}.
expect_error() {
  local name=$1 code=$2 pattern=$3 outs=$4 rc nerr problems="" o; shift 5
  "$@" > "$TMP/$name.out" 2> "$TMP/$name.err"
  rc=$?
  [ "$rc" -eq "$code" ] || problems+=" exit $rc (want $code);"
  # Error lines: the logger's "[E::func] ..." lines.
  nerr=$(grep -c '^\[E::' "$TMP/$name.err")
  [ "$nerr" -eq 1 ] || problems+=" $nerr error lines (want 1);"
  grep '^\[E::' "$TMP/$name.err" | grep -Eq -- "$pattern" || problems+=" error line does not match /$pattern/;"
  for o in $outs; do
    if [ -d "$o" ]; then
      [ -z "$(ls -A "$o")" ] || problems+=" output dir $o not empty ($(ls -A "$o" | tr '\n' ' '));"
    elif [ -e "$o" ]; then
      problems+=" output $o exists;"
    fi
    # Temporary names must be cleaned up as well.
    if compgen -G "$o.tmp*" > /dev/null; then problems+=" temp file left: $(echo "$o".tmp*);"; fi
  done
  if [ -z "$problems" ]; then
    ok "$name: exit $rc, one error line: $(grep -m1 '^\[E::' "$TMP/$name.err" | cut -c1-160)"
  else
    fail "$name:$problems"
    echo "      command: $*"
    show "$TMP/$name.err" 8
  fi
}

# ---------------------------------------------------------------- BIOM readers
# check_biom_readers LABEL FILE...: the three readers users open a cohort with, as Debian installs
# them (no HDF5_PLUGIN_PATH or other variable): `biom validate-table` on each file; python
# biom.load_table against the raw datasets, no filter but deflate/shuffle, and a JSON
# conversion (tests/integration/data/biom_readers.py); R phyloseq::import_biom of every file in
# one Rscript (R starts in seconds), asserting what Debian's biomformat 1.26 does exactly
# (tests/integration/data/biom_readers.R; docs/RUN.md says what users should do).
check_biom_readers() {
  local label=$1 f dir line; shift
  dir=$(mktemp -d "$TMP/biom_readers.XXXXXX")
  for f in "$@"; do
    if env -u HDF5_PLUGIN_PATH biom validate-table -i "$f" > "$dir/validate.out" 2>&1 \
       && grep -q "is a valid BIOM-formatted file" "$dir/validate.out"; then
      ok "$label: biom validate-table $(basename "$f")"
    else
      fail "$label: biom validate-table $f"; show "$dir/validate.out"
    fi
  done
  if env -u HDF5_PLUGIN_PATH /usr/bin/python3 "$ROOT/tests/integration/data/biom_readers.py" "$dir" "$@" \
       > "$dir/py.out" 2>&1; then
    ok "$label: python biom.load_table = the raw datasets, deflate/shuffle only ($# file(s))"
  else
    fail "$label: python biom reader"; show "$dir/py.out" 10
  fi
  if ! Rscript -e 'suppressMessages(library(phyloseq))' > /dev/null 2>&1; then
    if apt-cache show r-bioc-phyloseq > /dev/null 2>&1; then
      fail "$label: R phyloseq not installed although Debian has it (make deps)"
    else
      skip "$label: r-bioc-phyloseq does not exist in this Debian"
    fi
    return
  fi
  [ -s "$dir/expect.tsv" ] || return 0   # only tables without observations: R cannot take them
  env -u HDF5_PLUGIN_PATH Rscript "$ROOT/tests/integration/data/biom_readers.R" "$dir/expect.tsv" \
    > "$dir/r.out" 2> "$dir/r.err"
  grep -q . "$dir/r.out" || { fail "$label: Rscript printed nothing"; show "$dir/r.err" 10; }
  while IFS= read -r line; do
    case $line in
      "ok "*) ok "$label: ${line#ok }" ;;
      "FAIL "*) fail "$label: ${line#FAIL }" ;;
    esac
  done < "$dir/r.out"
}

# ---------------------------------------------------------------- Kraken 2 parity helpers
# build_kraken2_db DIR [kraken2-build args...]: a Kraken 2 database of the tiny references
# (prepare_tiny_refs first) built by Debian's kraken2-build with one thread, no masking.
build_kraken2_db() {
  local dir=$1 f; shift
  mkdir -p "$dir/taxonomy" "$dir/library/added"
  cp "$TINY_TAX/nodes.dmp" "$TINY_TAX/names.dmp" "$dir/taxonomy/"
  for f in "${TINY_REFS[@]}"; do gzip -dcf "$f"; echo; done | grep -v '^$' > "$dir/library/added/refs.fna"
  cp "$TINY_MAP" "$dir/seqid2taxid.map"
  cp "$TINY_MAP" "$dir/library/added/prelim_map.txt"
  kraken2-build --build --db "$dir" --threads 1 --no-masking "$@" > "$dir.log" 2>&1 || { show "$dir.log" 20; return 1; }
}

# perturb_pairs SRC_PREFIX DST_PREFIX: the pairs of SRC_R{1,2}.fastq, one in six left clean,
# the others with one N, an N run and IUPAC codes, lowercase, cut to 20/34/35/36 bases, or
# low qualities (for --minimum-base-quality). Deterministic.
perturb_pairs() {
  python3 - "$1" "$2" <<'PY'
import random, sys
src, dst = sys.argv[1], sys.argv[2]
rng = random.Random(7)
def records(path):
    with open(path) as f:
        while True:
            rec = [f.readline().rstrip("\n") for _ in range(4)]
            if not rec[0]:
                return
            yield rec
with open(dst + "_R1.fastq", "w") as o1, open(dst + "_R2.fastq", "w") as o2:
    for i, (a, b) in enumerate(zip(records(src + "_R1.fastq"), records(src + "_R2.fastq"))):
        for rec in (a, b):
            s = list(rec[1])
            kind = i % 6
            if kind == 1:                       # one N
                s[rng.randrange(len(s))] = "N"
            elif kind == 2:                     # an N run and IUPAC codes
                p = rng.randrange(len(s) - 12)
                s[p:p + 12] = "N" * 12
                s[rng.randrange(len(s))] = rng.choice("RYKMSWBDHV")
            elif kind == 3:                     # lowercase
                s = [c.lower() for c in s]
            elif kind == 4:                     # shorter than k, or just at k
                s = s[: rng.choice((20, 34, 35, 36))]
            elif kind == 5:                     # low qualities for --minimum-base-quality
                q = "".join(rng.choice("#+5I") for _ in s)
                rec[3] = q
            rec[1] = "".join(s)
            if kind != 5:
                rec[3] = "I" * len(rec[1])
            o = o1 if rec is a else o2
            o.write("\n".join(rec) + "\n")
PY
}

# compare_reads OUT_A OUT_B LABEL: per-read lines identical, at least PARITY_PERMILLE per mille
PARITY_PERMILLE=1000
compare_reads() {
  local total same
  total=$(wc -l < "$1")
  same=$(paste -d'\n' "$1" "$2" | paste - - | awk -F'\t' '{ n = NF / 2; eq = 1
           for (i = 1; i <= n; i++) if ($i != $(i + n)) eq = 0; s += eq } END { print s + 0 }')
  if [ "$total" -gt 0 ] && [ "$(wc -l < "$2")" -eq "$total" ] && [ $((same * 1000)) -ge $((total * PARITY_PERMILLE)) ]; then
    ok "$3: $same of $total per-read lines identical to kraken2"
  else
    fail "$3: only $same of $total per-read lines identical to kraken2"
    diff "$1" "$2" | head -6 | sed 's/^/      | /'
  fi
}
# kreports equal except the rank-code column (4)
compare_reports() {
  if diff <(cut -f1-3,5- "$1") <(cut -f1-3,5- "$2") > "$TMP/rep.diff"; then
    ok "$3: kreport identical to kraken2's (rank codes aside)"
  else
    fail "$3: kreport differs from kraken2's"
    show "$TMP/rep.diff" 8
  fi
}

# run_both LABEL ARGS... [--k2 KRAKEN2_ARGS...]: gutbrain classify on GB_DB and kraken2 on K2 with the
# same arguments (unless --k2 gives kraken2 its own); compare per-read output and kreports.
run_both() {
  local label=$1 gb_args=() k2_args=() to_k2=0 a; shift
  for a in "$@"; do
    if [ "$a" = --k2 ]; then to_k2=1; elif [ $to_k2 = 1 ]; then k2_args+=("$a"); else gb_args+=("$a"); fi
  done
  [ $to_k2 = 1 ] || k2_args=("${gb_args[@]}")
  "$GB" classify --db "$GB_DB" --threads 2 --output "$TMP/$label.gb" --report "$TMP/$label.gb.rep" "${gb_args[@]}" 2> "$TMP/$label.gb.err" \
    || { fail "$label: gutbrain exited non-zero"; show "$TMP/$label.gb.err"; return; }
  "${KRAKEN2:-kraken2}" --db "$K2" --threads 2 --output "$TMP/$label.k2" --report "$TMP/$label.k2.rep" "${k2_args[@]}" 2> "$TMP/$label.k2.err" \
    || { fail "$label: kraken2 exited non-zero"; show "$TMP/$label.k2.err"; return; }
  compare_reads "$TMP/$label.gb" "$TMP/$label.k2" "$label"
  compare_reports "$TMP/$label.gb.rep" "$TMP/$label.k2.rep" "$label"
}

# make_stats_cohort BIOM META N M: a generated cohort of N samples x M taxid-like features (BIOM
# 2.1, with a genus taxonomy) and its metadata (group HC/PwD, sex, age), for `gutbrain stats`.
make_stats_cohort() {
  /usr/bin/python3 - "$@" <<'PY'
import sys, numpy as np, biom
rng = np.random.default_rng(7)
n, m = int(sys.argv[3]), int(sys.argv[4])
counts = rng.negative_binomial(2, 0.2, size=(m, n)).astype(float)
counts[rng.random((m, n)) < 0.4] = 0
ids = ["s%02d" % i for i in range(n)]
obs = ["%d" % (1000 + 7 * j) for j in range(m)]  # taxid-like: make.names renames them
meta = [{"taxonomy": ["d__Bacteria", "p__P", "c__C", "o__O", "f__F", "g__G%d" % (j % 12), "s__"]} for j in range(m)]
t = biom.Table(counts, obs, ids, observation_metadata=meta)
with biom.util.biom_open(sys.argv[1], "w") as f:
    t.to_hdf5(f, "test")
with open(sys.argv[2], "w") as f:
    f.write("sample\tgroup\tsex\tage\n")
    for i, s in enumerate(ids):
        f.write("%s\t%s\t%s\t%d\n" % (s, "PwD" if i % 2 else "HC", "male" if i % 3 else "female", 20 + i))
PY
}
