# Shared helpers for the integration scripts (sourced, never run: run.sh only runs *.sh).
# Every script sources it first, so a script runs the same alone as under run.sh.
# Provides: the Open MPI environment, ROOT, GB, DATA, TMP (per-run temp dir, removed on
# success), check counters, a tiny reference set + DB builder (setup_tiny_db), and a
# deterministic read simulator.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# bin/gutbrain links Open MPI, which refuses to run as root and looks for ssh without these;
# harmless elsewhere.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_plm_rsh_agent=false
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
