#!/usr/bin/env bash
# Aggregating per-sample profiles into the cohort file (issue 3 target: 10,000 samples x 2,000
# taxa in <= 10 s): time of cohort_write() (slowest rank, from a barrier to its return) at 1
# and 2 MPI ranks, on synthetic profiles from tests/unit/cohort_mpi_driver.c:
#   sparse  every sample holds 300-800 distinct taxa of 2,000 (seeded), the realistic case
#   dense   every sample holds all 2,000 taxa (the worst case)
#   zstd    the sparse cohort with BIOM's groups zstd-compressed (--h5-compression zstd)
# Prints one row per case and rank count: best and median wall time over RUNS, CPU time and
# peak RSS of the largest rank, file size, nnz, and a checksum of the table's content (ids and
# CSC arrays; the same for 1 and 2 ranks, or the row says DIFFERS).
#
# usage: benchmarks/cohort_aggregate.sh
# environment (all optional): SAMPLES=10000 TAXA=2000 MIN_NNZ=300 MAX_NNZ=800 SEED=42 RUNS=3
#   RANKS="1 2"  CASES="sparse dense zstd"  WORK (default benchmarks/work/cohort; the cohort
#   files are removed at the end unless KEEP=1)
#   DRIVER (default: build/release/tests/cohort_mpi_driver, built here with make)
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SAMPLES=${SAMPLES:-10000}
TAXA=${TAXA:-2000}
MIN_NNZ=${MIN_NNZ:-300}
MAX_NNZ=${MAX_NNZ:-800}
SEED=${SEED:-42}
RUNS=${RUNS:-3}
RANKS=${RANKS:-1 2}
CASES=${CASES:-sparse dense zstd}
WORK=${WORK:-$repo/benchmarks/work/cohort}
TARGET_S=10
source "$repo/benchmarks/lib.bash"
export OMP_NUM_THREADS=1
export GUTBRAIN_CREATION_DATE=2024-01-01T00:00:00Z HDF5_PLUGIN_PATH=$repo/build/plugins

die() { echo "cohort_aggregate: $*" >&2; exit 1; }
command -v mpirun > /dev/null || die "mpirun not found (make deps)"
[ -x /usr/bin/time ] || die "/usr/bin/time not found (make deps)"
mkdir -p "$WORK"
[ "${KEEP:-0}" = 1 ] || trap 'rm -f "$WORK"/*.biom "$WORK"/*.biom.tmp.* "$WORK"/time.*' EXIT

# The driver, built by the Makefile with the project's release flags.
build_driver() {
  make -C "$repo" --no-print-directory build/release/tests/cohort_mpi_driver >&2 || die "cannot build the driver"
  echo "$repo/build/release/tests/cohort_mpi_driver"
}
DRIVER=${DRIVER:-$(build_driver)}
[ -x "$DRIVER" ] || die "no driver at $DRIVER"

# Content checksum: sha256 of the ids and the CSC arrays, first 16 hex digits.
checksum() {
  /usr/bin/python3 - "$1" <<'PY' 2> /dev/null || echo "unreadable"
import hashlib, sys
import h5py
h = hashlib.sha256()
with h5py.File(sys.argv[1], "r") as f:
    for name in ("observation/ids", "sample/ids"):
        h.update(b"\0".join(f[name][:]) if f[name].shape[0] else b"")
    for name in ("sample/matrix/indptr", "sample/matrix/indices", "sample/matrix/data"):
        h.update(f[name][:].astype(f[name].dtype.newbyteorder("<")).tobytes())
print(h.hexdigest()[:16])
PY
}

case_args() {
  case $1 in
    sparse) echo "$MIN_NNZ $MAX_NNZ $SEED" ;;
    dense) echo "0 0 $SEED --dense" ;;
    zstd) echo "$MIN_NNZ $MAX_NNZ $SEED --zstd" ;;
    *) die "unknown case $1" ;;
  esac
}

# one_run CASE RANKS OUT : "write_s nnz bytes cpu_s rss_mb" of one driver run. Each rank runs
# under its own /usr/bin/time writing to time.<rank> (their stderr lines would interleave).
one_run() {
  local args line rss cpu
  read -r -a args <<< "$(case_args "$1")"
  rm -f "$3" "$WORK"/time.*
  # shellcheck disable=SC2016
  line=$(mpirun --oversubscribe -n "$2" bash -c 'exec /usr/bin/time -o "$0.$OMPI_COMM_WORLD_RANK" -f "%M %U %S" "$@"' \
         "$WORK/time" "$DRIVER" "$3" "$SAMPLES" "$TAXA" "${args[@]}" 2> "$WORK/run.err") \
    || { cat "$WORK/run.err" >&2; die "driver failed"; }
  rss=$(cat "$WORK"/time.* | awk '$1 > m { m = $1 } END { printf "%.0f", m / 1024 }')
  cpu=$(cat "$WORK"/time.* | awk '{ s += $2 + $3 } END { print s }')
  echo "$line" | awk -v rss="$rss" -v cpu="$cpu" '{
    for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
    printf "%s %s %s %s %s\n", v["write_s"], v["nnz"], v["bytes"], cpu, rss }'
}

echo "# cohort_aggregate: cohort_write() of $SAMPLES samples x $TAXA taxa"
echo "# version $(git -C "$repo" describe --always --dirty 2> /dev/null || echo unknown), $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "# command: $0 $*  (RUNS=$RUNS SEED=$SEED, ranks x threads = R x 1, $(nproc --all) cores)"
printf '%-7s %5s %11s %9s %9s %9s %8s %9s %10s  %s\n' case ranks nnz best_s median_s cpu_s rss_MB file_MB target checksum
status=0
for c in $CASES; do
  first_sum=""
  for r in $RANKS; do
    times=()
    for ((i = 0; i < RUNS; i++)); do
      read -r t nnz bytes cpu rss <<< "$(one_run "$c" "$r" "$WORK/$c.$r.biom")"
      times+=("$t")
    done
    sorted=$(printf '%s\n' "${times[@]}" | sort -g)
    best=$(head -n 1 <<< "$sorted")
    median=$(sed -n "$(( (RUNS + 1) / 2 ))p" <<< "$sorted")
    sum=$(checksum "$WORK/$c.$r.biom")
    [ -z "$first_sum" ] && first_sum=$sum
    [ "$sum" != "$first_sum" ] && { sum="$sum DIFFERS"; status=1; }
    verdict=$(awk -v t="$median" -v lim="$TARGET_S" 'BEGIN { print (t <= lim) ? "ok" : "SLOW" }')
    [ "$c" = sparse ] && [ "$verdict" = SLOW ] && status=1
    printf '%-7s %5s %11s %9.3f %9.3f %9.2f %8s %9.1f %10s  %s\n' "$c" "$r" "$nnz" "$best" "$median" "$cpu" "$rss" \
      "$(awk -v b="$bytes" 'BEGIN { print b / 1e6 }')" "<=${TARGET_S}s:$verdict" "$sum"
  done
done
echo "# best_s/median_s: cohort_write() wall time, slowest rank; cpu_s: user+sys of all ranks for the"
echo "# whole driver (generation included); rss_MB: peak RSS of the largest rank; file_MB: 10^6 bytes."
exit $status
