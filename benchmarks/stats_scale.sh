#!/usr/bin/env bash
# gutbrain stats at cohort scale (issue 12): the whole command on synthetic cohorts
# (tests/integration/data/make_cohort.py --design bench: zero-inflated counts, depression + age +
# sex + bmi), both distances, 999 permutations unless stated, 2 threads. Prints one row per case:
# wall seconds, peak RSS (per rank under mpirun), the packed Gower matrix per rank, and the
# per-phase seconds from the -v log. Cases:
#   20000 x 1000, 999 perms, 1 process        (target: <= 180 s, <= 4 GB)
#   10000 x 500,  999 perms, 1 process        (target: <= 45 s)
#   50000 x 500,   99 perms, 4 ranks x 1 thread (target: completes; RSS per rank <= packed/4 + O(n))
#   10000 x 500,  999 perms, 3 ranks x 1 thread: every table compared with the 1-process run (cmp)
# usage: benchmarks/stats_scale.sh [--record] [--only 20000|10000|50000|ranks]
# environment: GB (binary, default bin/gutbrain), WORK (default benchmarks/work/stats_scale),
#   THREADS=2
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
GB=${GB:-$repo/bin/gutbrain}
WORK=${WORK:-$repo/benchmarks/work/stats_scale}
THREADS=${THREADS:-2}
RECORD=0 ONLY=""
while [ $# -gt 0 ]; do
  case $1 in
    --record) RECORD=1 ;;
    --only) ONLY=$2; shift ;;
    *) echo "usage: $0 [--record] [--only 20000|10000|50000|ranks]" >&2; exit 1 ;;
  esac
  shift
done
mkdir -p "$WORK"
export OMPI_MCA_rmaps_base_oversubscribe=1
[ "$(id -u)" = 0 ] && export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

cohort() { # N M -> $WORK/cN_M.{biom,tsv}
  local f=$WORK/c$1_$2
  [ -s "$f.biom" ] || /usr/bin/python3 "$repo/tests/integration/data/make_cohort.py" "$f.biom" "$f.tsv" \
    --samples "$1" --taxa "$2" --genera "$2" --seed $((4242 + $1)) --design bench > /dev/null
  echo "$f"
}

ROWS=()
# run NAME N M PERMS RANKS THREADS
run() {
  local name=$1 n=$2 m=$3 perms=$4 ranks=$5 threads=$6 f out log
  f=$(cohort "$n" "$m")
  out=$WORK/out_$name
  log=$WORK/$name.log
  rm -rf "$out"
  local args=(stats -v --cohort "$f.biom" --metadata "$f.tsv" --variable depression --covariates age,sex,bmi
    --rank none --permutations "$perms" --threads "$threads" --out "$out")
  local t0 t1
  t0=$(date +%s.%N)
  if [ "$ranks" -gt 1 ]; then
    mpirun -n "$ranks" -x OMP_NUM_THREADS="$threads" /usr/bin/time -f "RSS_KB %M" "$GB" "${args[@]}" > "$log" 2>&1
  else
    /usr/bin/time -f "RSS_KB %M" "$GB" "${args[@]}" > "$log" 2>&1
  fi
  t1=$(date +%s.%N)
  local rss packed phases
  rss=$(awk '/^RSS_KB/ {if ($2 > m) m = $2} END {printf "%.0f", m / 1024}' "$log")
  packed=$(awk -v n="$n" -v r="$ranks" 'BEGIN {printf "%.0f", n * (n + 1) / 2 * 8 / r / 1048576}')
  phases=$(grep -v '^\[D::[a-z_]* r[1-9]' "$log" | # rank 0's lines only
    grep -o '\(bray\|aitchison\): distances.*\|associations: [0-9.]* s\|rank tests, alpha: [0-9.]* s' |
    sed 's/ s,/,/g; s/ s$//; s/distances + Gower/dist/; s/PERMANOVA/perm/; s/dispersion/disp/' | paste -sd ';' -)
  ROWS+=("| $n x $m | $perms | $ranks x $threads | $(printf '%.1f' "$(echo "$t1 - $t0" | bc)") | $rss | $packed | $phases |")
  echo "${ROWS[-1]}"
}

echo "| cohort | perms | ranks x threads | wall s | peak RSS MB (max rank) | packed G MB per rank | phases (s) |"
echo "|---|---|---|---|---|---|---|"
[ -z "$ONLY" ] || [ "$ONLY" = 20000 ] && run big 20000 1000 999 1 "$THREADS"
[ -z "$ONLY" ] || [ "$ONLY" = 10000 ] && run mid 10000 500 999 1 "$THREADS"
if [ -z "$ONLY" ] || [ "$ONLY" = ranks ]; then
  [ -d "$WORK/out_mid" ] || run mid 10000 500 999 1 "$THREADS"
  run mid3 10000 500 999 3 1
  diffs=""
  for t in permanova dispersion pcoa pcoa_eigenvalues alpha associations; do
    cmp -s "$WORK/out_mid/$t.tsv" "$WORK/out_mid3/$t.tsv" || diffs+=" $t"
  done
  echo "10000 x 500, 3 ranks vs 1 process: ${diffs:-every table bitwise identical}"
  ROWS+=("| 10000 x 500: 3 ranks vs 1 process | | | | | | ${diffs:-every table bitwise identical} |")
fi
[ -z "$ONLY" ] || [ "$ONLY" = 50000 ] && run huge 50000 500 99 4 1

if [ "$RECORD" = 1 ]; then
  {
    echo
    echo "## $(date -u '+%Y-%m-%d %H:%M') UTC: gutbrain stats at scale (benchmarks/stats_scale.sh)"
    echo "host: $(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GB", $2 / 1048576}' /proc/meminfo), load $(cut -d' ' -f1-3 /proc/loadavg); git $(git -C "$repo" rev-parse --short HEAD)"
    echo
    echo "| cohort | perms | ranks x threads | wall s | peak RSS MB (max rank) | packed G MB per rank | phases (s) |"
    echo "|---|---|---|---|---|---|---|"
    printf '%s\n' "${ROWS[@]}"
  } >> "$repo/benchmarks/RESULTS.md"
fi
