#!/usr/bin/env bash
# Classification speed on a Kraken 2 database: gutbrain against Debian's kraken2 (2.1.2) and the
# current Kraken 2 source (../shared/peers/kraken2, built with its own install script), on the
# same hash.k2d, the same reads, the same thread count, interleaved in one run.
#
# usage: benchmarks/k2db_speed.sh [--record]
#   --record   also append the table to benchmarks/RESULTS.md
# environment (all optional):
#   GUTBRAIN_DATA  data dir with refs/*.fna.gz, seqid2taxid.tsv, taxonomy/ (default ../shared/data)
#   GUTBRAIN_PEERS peers dir (default ../shared/peers)
#   GB             gutbrain binary (default bin/gutbrain)
#   WORK           work dir (default benchmarks/work): the database and reads are cached there
#   THREADS=2 RUNS=5 READS=3200 (simulated pairs per genome) SEED=20261206
#
# The rate is the one each tool prints ("N sequences ... processed in S s"): classification
# only, without loading the database (Kraken 2 reads hash.k2d into memory first, gutbrain maps
# it); the wall column includes the load. Peak RSS from /usr/bin/time. Per-read outputs of the
# three tools are compared (must be identical) so that the speed is for the same work.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DATA=${GUTBRAIN_DATA:-$repo/../shared/data}
PEERS=${GUTBRAIN_PEERS:-$repo/../shared/peers}
GB=${GB:-$repo/bin/gutbrain}
WORK=${WORK:-$repo/benchmarks/work}
THREADS=${THREADS:-2}
RUNS=${RUNS:-5}
READS=${READS:-3200}
SEED=${SEED:-20261206}
RECORD=0
source "$repo/benchmarks/lib.bash"
source "$repo/tests/kraken2_peer.bash"

die() { echo "k2db_speed: $*" >&2; exit 1; }
note() { echo "[k2db_speed $(date +%H:%M:%S)] $*" >&2; }

[ "${1:-}" = --record ] && RECORD=1
[ -x "$GB" ] || die "no gutbrain binary at $GB (run make)"
[ -d "$DATA/refs" ] || die "no data dir at $DATA (set GUTBRAIN_DATA)"
[ -f "$PEERS/kraken2/install_kraken2.sh" ] || die "no Kraken 2 source at $PEERS/kraken2"
for tool in kraken2 kraken2-build /usr/bin/time; do command -v "$tool" >/dev/null || die "'$tool' not found"; done

mkdir -p "$WORK"
note "building (or reusing) the peer Kraken 2"
kraken2_peer_build "$PEERS/kraken2" "$WORK/k2peer-build.log" || die "peer build failed: $WORK/k2peer-build.log"

# The database: every shared genome, Debian's kraken2-build (32-bit cells), built once.
DB=$WORK/k2speed_db
if [ ! -f "$DB/hash.k2d" ]; then
  note "kraken2-build of $(ls "$DATA"/refs/*.fna.gz | wc -l) genomes (once, a few minutes)"
  rm -rf "$DB" && mkdir -p "$DB/taxonomy" "$DB/library"
  cp "$DATA/taxonomy/nodes.dmp" "$DATA/taxonomy/names.dmp" "$DB/taxonomy/"
  awk -F'\t' '!/^#/ { print $1 "\t" $2 }' "$DATA/seqid2taxid.tsv" >"$DB/seqid2taxid.map"
  zcat "$DATA"/refs/*.fna.gz >"$DB/library/library.fna"
  kraken2-build --build --db "$DB" --threads "$THREADS" >"$WORK/k2speed_build.log" 2>&1 ||
    die "kraken2-build failed: $WORK/k2speed_build.log"
  rm -f "$DB/library/library.fna"
fi

READS_DIR=$WORK/k2speed_reads_${READS}_$SEED
if [ ! -f "$READS_DIR/reads_R2.fq" ]; then
  note "simulating $READS pairs per genome"
  rm -rf "$READS_DIR" && mkdir -p "$READS_DIR"
  bash "$repo/benchmarks/simulate_reads.sh" "$READS_DIR/reads" "$READS" paired150 "$SEED" "$DATA"/refs/*.fna.gz \
    "$DATA/seqid2taxid.tsv" >&2
fi
R1=$READS_DIR/reads_R1.fq
R2=$READS_DIR/reads_R2.fq
PAIRS=$(($(wc -l <"$R1") / 4))

OUT=$WORK/k2speed_out
rm -rf "$OUT" && mkdir -p "$OUT"
# one TOOL RUN: classify once; "seconds wall_s rss_kb" into $OUT/TOOL.rRUN
one() {
  local tool=$1 run=$2 bin
  case $tool in
    debian) bin=kraken2 ;;
    peer) bin=$K2PEER/kraken2 ;;
    gutbrain) bin="$GB classify" ;;
  esac
  # shellcheck disable=SC2086
  /usr/bin/time -f '%e %M' -o "$OUT/$tool.$run.time" $bin --db "$DB" --threads "$THREADS" --paired "$R1" "$R2" \
    --output "$OUT/$tool.out" --report "$OUT/$tool.kreport" 2>"$OUT/$tool.$run.log" || die "$tool failed: $OUT/$tool.$run.log"
  local s
  s=$(sed -n 's/.* processed in \([0-9.]*\)s.*/\1/p' "$OUT/$tool.$run.log")
  echo "$s $(cat "$OUT/$tool.$run.time")" >"$OUT/$tool.r$run"
}

for run in $(seq 1 "$RUNS"); do
  for tool in debian peer gutbrain; do
    note "run $run/$RUNS: $tool"
    one "$tool" "$run"
  done
done
for tool in debian peer; do
  cmp -s "$OUT/$tool.out" "$OUT/gutbrain.out" || die "per-read output of gutbrain differs from $tool's"
done

median() { sort -g | awk '{v[NR]=$1} END { print (NR % 2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2 }'; }
col() { cat "$OUT/$1".r[0-9]* | awk -v c="$2" '{print $c}' | median; }
declare -A SECS WALL RSS
for tool in debian peer gutbrain; do
  SECS[$tool]=$(col "$tool" 1)
  WALL[$tool]=$(col "$tool" 2)
  RSS[$tool]=$(col "$tool" 3)
done
# paired() TOOL: median over the rounds of TOOL's time / gutbrain's time in the same round (the
# load of a shared machine changes between rounds more than within one)
paired() {
  local r
  for r in $(seq 1 "$RUNS"); do
    awk 'NR == FNR { t = $1; next } { print t / $1 }' "$OUT/$1.r$r" "$OUT/gutbrain.r$r"
  done | median
}
range() { cat "$OUT/$1".r[0-9]* | awk -v n="$PAIRS" '{r = n / $1; if (NR == 1 || r < lo) lo = r; if (NR == 1 || r > hi) hi = r}
  END {printf "%.0f–%.0f", lo, hi}'; }

table() {
  echo "| tool | pairs/s (median) | [slowest–fastest] | gutbrain × (medians) | gutbrain × (per round) | wall incl. load (s) | peak RSS (MB) |"
  echo "|---|---|---|---|---|---|---|"
  local tool name
  for tool in debian peer gutbrain; do
    case $tool in
      debian) name="Debian \`kraken2\` $(kraken2 --version | head -1 | awk '{print $3}')" ;;
      peer) name="peer \`kraken2\` $(cat "$PEERS/kraken2/VERSION" 2>/dev/null || echo '(source)')" ;;
      gutbrain) name="\`gutbrain classify\`" ;;
    esac
    awk -v name="$name" -v n="$PAIRS" -v s="${SECS[$tool]}" -v g="${SECS[gutbrain]}" -v w="${WALL[$tool]}" \
      -v r="${RSS[$tool]}" -v rg="$(range "$tool")" -v p="$(paired "$tool")" \
      'BEGIN { printf "| %s | %.0f | %s | %.2f | %.2f | %.2f | %.0f |\n", name, n / s, rg, s / g, p, w, r / 1024 }'
  done
  echo
  echo "- $PAIRS simulated 2x150 pairs ($READS per genome, seed $SEED), plain FASTQ from the page cache;"
  echo "  database: Debian \`kraken2-build\` over $(ls "$DATA"/refs/*.fna.gz | wc -l) shared genomes," \
    "$(du -m "$DB/hash.k2d" | cut -f1) MB hash.k2d; --threads $THREADS; median of $RUNS interleaved runs."
  echo "- per-read output identical across the three tools on every read. \"per round\": the median over"
  echo "  the rounds of the tool's time / gutbrain's in the same round (robust to load changing between rounds)."
  echo "- machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo), shared;" \
    "$(date -u '+%Y-%m-%d %H:%M UTC'); git $(git -C "$repo" rev-parse --short HEAD)$(git -C "$repo" diff --quiet || echo ' (dirty)')"
}

table | tee "$OUT/table.md"
if [ "$RECORD" = 1 ]; then
  { echo; echo "## $(date -u '+%Y-%m-%d %H:%M UTC'): classify on a Kraken 2 database (benchmarks/k2db_speed.sh)"; cat "$OUT/table.md"; } \
    >>"$repo/benchmarks/RESULTS.md"
fi
