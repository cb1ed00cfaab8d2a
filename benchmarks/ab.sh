#!/usr/bin/env bash
# A/B of two gutbrain binaries on the same inputs in the same run: for a refactor that must not
# change behaviour or speed. Runs are interleaved (A, B, A, B, ...) so that load on a shared
# machine hits both alike; the table gives medians, the B/A ratio, and callgrind instruction
# counts (which do not depend on load), and fails when an output differs between A and B.
#
# usage: benchmarks/ab.sh A_BINARY B_BINARY
# environment (all optional):
#   GUTBRAIN_DATA  data dir with refs/*.fna.gz, seqid2taxid.tsv, taxonomy/ (default ../shared/data)
#   WORK           work dir (default benchmarks/work/ab); simulated reads are cached there
#   RUNS=5 (classify runs per binary)  BUILD_RUNS=3  READS=1000 (pairs per genome)
#   CG_PAIRS=50000 (pairs classified under callgrind, one thread)  THREADS=2  SEED=20261206
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$repo/benchmarks/lib.bash"
DATA=${GUTBRAIN_DATA:-$repo/../shared/data}
WORK=${WORK:-$repo/benchmarks/work/ab}
RUNS=${RUNS:-5}
BUILD_RUNS=${BUILD_RUNS:-3}
READS=${READS:-1000}
CG_PAIRS=${CG_PAIRS:-50000}
THREADS=${THREADS:-2}
SEED=${SEED:-20261206}

die() { echo "ab: $*" >&2; exit 1; }
[ $# -eq 2 ] || die "usage: benchmarks/ab.sh A_BINARY B_BINARY"
A=$(readlink -f "$1") B=$(readlink -f "$2")
[ -x "$A" ] && [ -x "$B" ] || die "both binaries must exist and be executable"
[ -d "$DATA/refs" ] || die "no data in $DATA (set GUTBRAIN_DATA)"
command -v valgrind > /dev/null || die "valgrind not found"
mkdir -p "$WORK"

# median of the numbers on stdin
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# wall seconds of a command (its output discarded)
# calc EXPR: floating-point arithmetic with awk (no bc on a fresh machine)
calc() { awk "BEGIN { printf \"%.6f\", $1 }"; }
wall() { local t0 t1; t0=$(date +%s.%N); "$@" > /dev/null 2>&1 || die "failed: $*"; t1=$(date +%s.%N); calc "$t1 - $t0"; }

reads=$WORK/reads_${READS}_$SEED
if [ ! -s "${reads}_R2.fq" ]; then
  bash "$repo/benchmarks/simulate_reads.sh" "$reads" "$READS" paired150 "$SEED" "$DATA"/refs/*.fna.gz \
    "$DATA/seqid2taxid.tsv" >&2
fi
pairs=$(($(wc -l < "${reads}_R1.fq") / 4))
head -n $((CG_PAIRS * 4)) "${reads}_R1.fq" > "$WORK/cg_R1.fq"
head -n $((CG_PAIRS * 4)) "${reads}_R2.fq" > "$WORK/cg_R2.fq"

build() { "$1" build --taxonomy "$DATA/taxonomy" --seqid2taxid "$DATA/seqid2taxid.tsv" --db "$2" \
  --threads "$THREADS" "$DATA"/refs/*.fna.gz; }
classify() { "$1" classify --db "$2" --threads "$THREADS" --paired --output "$3.out" --report "$3.kreport" \
  "${reads}_R1.fq" "${reads}_R2.fq"; }

: > "$WORK/build.a"; : > "$WORK/build.b"
for ((i = 0; i < BUILD_RUNS; i++)); do
  wall build "$A" "$WORK/db_a" >> "$WORK/build.a"
  wall build "$B" "$WORK/db_b" >> "$WORK/build.b"
done
cmp -s "$WORK/db_a/gutbrain.db" "$WORK/db_b/gutbrain.db" || die "the databases differ"

: > "$WORK/classify.a"; : > "$WORK/classify.b"
for ((i = 0; i < RUNS; i++)); do
  wall classify "$A" "$WORK/db_a" "$WORK/a" >> "$WORK/classify.a"
  wall classify "$B" "$WORK/db_a" "$WORK/b" >> "$WORK/classify.b"
done
cmp -s "$WORK/a.out" "$WORK/b.out" && cmp -s "$WORK/a.kreport" "$WORK/b.kreport" || die "classify outputs differ"

instructions() {
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$1" classify --db "$WORK/db_a" --threads 1 --paired \
    --output /dev/null "$WORK/cg_R1.fq" "$WORK/cg_R2.fq" 2>&1 | sed -n 's/.*refs: *//p' | tr -d ,
}
ia=$(instructions "$A") ib=$(instructions "$B")

ba=$(median < "$WORK/build.a") bb=$(median < "$WORK/build.b")
ca=$(median < "$WORK/classify.a") cb=$(median < "$WORK/classify.b")
echo "# gutbrain A/B, $(date -u +%Y-%m-%d), $(nproc) cores, --threads $THREADS"
echo "A = $A ($("$A" --version))"
echo "B = $B ($("$B" --version))"
echo
echo "| measure | A | B | B/A |"
echo "|---|---|---|---|"
printf '| build, %d genomes, median of %d (s) | %.2f | %.2f | %.3f |\n' "$(ls "$DATA"/refs/*.fna.gz | wc -l)" \
  "$BUILD_RUNS" "$ba" "$bb" "$(calc "$bb / $ba")"
printf '| classify %d pairs, median of %d (pairs/s) | %.0f | %.0f | %.3f |\n' "$pairs" "$RUNS" \
  "$(calc "$pairs / $ca")" "$(calc "$pairs / $cb")" "$(calc "$ca / $cb")"
printf '| classify %d pairs, 1 thread, callgrind (instructions) | %d | %d | %.4f |\n' "$CG_PAIRS" "$ia" "$ib" \
  "$(calc "$ib / $ia")"
echo
echo "databases byte-identical; per-read output and report byte-identical"
