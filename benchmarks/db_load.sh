#!/usr/bin/env bash
# --db-load map against --db-load read (docs/RUN.md "Loading the database"): wall time of
# (a) `gutbrain classify` of a small input (load + classify) and (b) `mpirun -n 2 gutbrain run`
# of a few small samples, with the database's files cold (evicted from the page cache) and
# warm. Runs alternate map, read, map, read ... so that load on a shared machine hits both
# alike; the table gives medians and the read/map ratio. Outputs of map and read must be
# identical (checked on every run's per-read output and kreports).
#
# Cold means that only the database's own files are evicted, with posix_fadvise(DONTNEED)
# (python3's os.posix_fadvise), which needs no root and leaves other processes' cached files
# alone; pages another process has mapped stay resident, so the script checks with fincore
# (util-linux) when it is installed and stops if the files did not leave the cache.
#
# usage: R1=reads_1.fq R2=reads_2.fq SHEET=sheet.csv benchmarks/db_load.sh DB_DIR...
# environment (all optional but R1, R2, SHEET):
#   WORK=benchmarks/work/db_load  RUNS=3 (per mode and cache state)  PAIRS=10000 (classify
#   input: the first PAIRS pairs of R1/R2)  SAMPLES=20 (the first SAMPLES rows of SHEET)
#   RANKS=2  THREADS=2 (classify threads; run uses RANKS x 1 thread)  GB=bin/gutbrain
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$repo/benchmarks/lib.bash"
WORK=${WORK:-$repo/benchmarks/work/db_load}
RUNS=${RUNS:-3}
PAIRS=${PAIRS:-10000}
SAMPLES=${SAMPLES:-20}
RANKS=${RANKS:-2}
THREADS=${THREADS:-2}
GB=${GB:-$repo/bin/gutbrain}

die() { echo "db_load: $*" >&2; exit 1; }
[ $# -ge 1 ] || die "usage: R1=... R2=... SHEET=... benchmarks/db_load.sh DB_DIR..."
[ -r "${R1:-}" ] && [ -r "${R2:-}" ] && [ -r "${SHEET:-}" ] || die "set R1, R2 and SHEET to readable files"
[ -x "$GB" ] || die "no $GB (make all)"
command -v mpirun > /dev/null || die "mpirun not found"
mkdir -p "$WORK"

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
calc() { awk "BEGIN { printf \"%.6f\", $1 }"; }
wall() { local t0 t1; t0=$(date +%s.%N); "$@" > /dev/null 2> "$WORK/last.err" || { cat "$WORK/last.err" >&2; die "failed: $*"; }
         t1=$(date +%s.%N); calc "$t1 - $t0"; }

head -n $((4 * PAIRS)) "$R1" > "$WORK/r1.fq"
head -n $((4 * PAIRS)) "$R2" > "$WORK/r2.fq"
head -n $((SAMPLES + 1)) "$SHEET" > "$WORK/sheet.csv"

classify_cmd() { # DB HOW
  "$GB" classify -q --db "$1" --db-load "$2" --threads "$THREADS" --paired --output "$WORK/classify.$2.out" \
    "$WORK/r1.fq" "$WORK/r2.fq"
}
run_cmd() { # DB HOW: a fresh output folder, so that no sample is reused
  rm -rf "$WORK/run.$2"
  OMP_NUM_THREADS=1 mpirun --oversubscribe --bind-to none -n "$RANKS" "$GB" run -q --db "$1" --db-load "$2" \
    --samples "$WORK/sheet.csv" --out "$WORK/run.$2" --threads 1
}

# measure DB CACHE CMD: RUNS alternating map/read runs; prints "map_median read_median"
measure() {
  local db=$1 cache=$2 cmd=$3 how
  : > "$WORK/t.map"; : > "$WORK/t.read"
  [ "$cache" = warm ] && "$cmd" "$db" map > /dev/null 2>&1
  for _ in $(seq "$RUNS"); do
    for how in map read; do
      [ "$cache" = cold ] && evict "$db"
      wall "$cmd" "$db" "$how" >> "$WORK/t.$how"
      echo >> "$WORK/t.$how"
    done
    if [ "$cmd" = classify_cmd ]; then
      cmp -s "$WORK/classify.map.out" "$WORK/classify.read.out" || die "classify: map and read outputs differ"
    else
      diff -r "$WORK/run.map/samples" "$WORK/run.read/samples" > /dev/null || die "run: map and read samples differ"
    fi
  done
  echo "$(median < "$WORK/t.map") $(median < "$WORK/t.read")"
}

echo "| database | size | cache | command | map s | read s | read/map |"
echo "|---|---|---|---|---|---|---|"
for db in "$@"; do
  data=$db/gutbrain.db
  [ -f "$data" ] || data=$db/hash.k2d
  [ -f "$data" ] || die "$db holds neither gutbrain.db nor hash.k2d"
  size=$(awk -v b="$(stat -L -c %s "$data")" 'BEGIN { printf "%.0f MB", b / 1e6 }')
  for cache in cold warm; do
    for cmd in classify_cmd run_cmd; do
      out=$(measure "$db" "$cache" "$cmd")
      read -r m r <<< "$out"
      label="classify $PAIRS pairs, $THREADS threads"
      [ "$cmd" = run_cmd ] && label="mpirun -n $RANKS run, $SAMPLES samples"
      printf '| %s (%s) | %s | %s | %s | %.2f | %.2f | %.2f |\n' "$(basename "$data")" "$db" "$size" "$cache" \
        "$label" "$m" "$r" "$(calc "$r / $m")"
    done
  done
done
