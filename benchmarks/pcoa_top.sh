#!/usr/bin/env bash
# Top-k PCoA (kernels/pcoa.c pcoa_top) on Bray-Curtis Gower matrices of simulated cohorts:
# callback passes, columns, restarts, the final residual, seconds, and for n <= LAPACK_MAX the
# largest eigenvalue difference to LAPACK dsyevr relative to lambda_1 (and dsyevr's time).
# Builds benchmarks/pcoa_top.c with the project's flags from the kernel sources only.
#
# usage: benchmarks/pcoa_top.sh
# environment (all optional):
#   SIZES=2000,4000,8000 AXES=2,10,50 FEATURES=500 SEED=42 LAPACK_MAX=4000
#   OMP_NUM_THREADS / OPENBLAS_NUM_THREADS as usual (default: all cores)
#   TUNE="-DPCOA_BLOCK_MAX=8"   compile-time tuning of kernels/pcoa.c, to compare settings
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/pcoa_top.XXXXXX")
trap 'rm -rf "$work"' EXIT
command -v mpicc > /dev/null || { echo "pcoa_top: mpicc not found (make deps)" >&2; exit 1; }

# shellcheck disable=SC2086 # TUNE is a list of flags
mpicc -std=gnu11 -fopenmp -O3 -march=x86-64-v2 -D_GNU_SOURCE -Wall -Wextra -Werror ${TUNE:-} \
  -I"$repo/kernels" -o "$work/pcoa_top" "$repo/benchmarks/pcoa_top.c" "$repo/kernels/pcoa.c" \
  "$repo/kernels/gower.c" "$repo/kernels/diversity.c" "$repo/kernels/transform.c" "$repo/kernels/simrng.c" \
  -llapacke -lopenblas -lm

"$work/pcoa_top" -n "${SIZES:-2000,4000,8000}" -k "${AXES:-2,10,50}" -f "${FEATURES:-500}" -s "${SEED:-42}" \
  -l "${LAPACK_MAX:-4000}"
