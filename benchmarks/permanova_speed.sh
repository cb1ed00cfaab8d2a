#!/usr/bin/env bash
# PERMANOVA speed (issue 4 target: >= 50x faster than vegan::adonis2 at 1,000 and 2,000
# samples, 4 terms, 999 permutations, by = "margin"; 20,000 samples x 1,000 genera on one
# 24 GiB node). Builds benchmarks/permanova_speed.c with the project's flags from the kernel
# sources only (the rest of the tree need not build) and prints its table: wall seconds of
# Bray-Curtis, Gower centring, design QR, the permutations, betadisper + permutest and PCoA,
# peak RSS, the Gower matrix size and a checksum (equal for any thread count).
#
# usage: benchmarks/permanova_speed.sh
# environment (all optional):
#   SIZES=1000,2000 FEATURES=500 PERMS=999 THREADS=2 SEED=42 BY=margin AXES=10
#   R=1          also time adonis2 (vegan, by = "margin") on the same data for R_SIZES
#                (default 1000; 2000 takes ~13 min) and print the speed ratio and the
#                largest relative difference of SumOfSqs and F
#   BIG=1        also run 20,000 samples x 1,000 features (PCoA skipped; ~3.5 GB RSS)
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SIZES=${SIZES:-1000,2000}
FEATURES=${FEATURES:-500}
PERMS=${PERMS:-999}
THREADS=${THREADS:-2}
SEED=${SEED:-42}
BY=${BY:-margin}
AXES=${AXES:-10}
R_SIZES=${R_SIZES:-1000}
work=$(mktemp -d "${TMPDIR:-/tmp}/permanova_speed.XXXXXX")
trap 'rm -rf "$work"' EXIT

die() { echo "permanova_speed: $*" >&2; exit 1; }
command -v mpicc > /dev/null || die "mpicc not found (make deps)"

mpicc -std=gnu11 -fopenmp -O3 -march=x86-64-v2 -D_GNU_SOURCE -Wall -Wextra -Werror \
  -I"$repo/kernels" -I"$repo/pipeline" $(pkg-config --cflags libRmath) \
  -o "$work/permanova_speed" "$repo/benchmarks/permanova_speed.c" "$repo/kernels/permanova.c" \
  "$repo/kernels/perm.c" "$repo/kernels/gower.c" "$repo/kernels/betadisper.c" \
  "$repo/kernels/pcoa.c" "$repo/kernels/lm.c" "$repo/kernels/diversity.c" \
  "$repo/kernels/transform.c" "$repo/kernels/simrng.c" -lRmath -llapacke -lopenblas -lm

dump=()
[ "${R:-0}" = 1 ] && dump=(--dump "$work")
"$work/permanova_speed" -n "$SIZES" -f "$FEATURES" -p "$PERMS" -t "$THREADS" -s "$SEED" \
  -b "$BY" -k "$AXES" "${dump[@]}" | tee "$work/ours.txt"

if [ "${BIG:-0}" = 1 ]; then
  "$work/permanova_speed" -n 20000 -f 1000 -p "$PERMS" -t "$THREADS" -s "$SEED" -b "$BY" -k 0 \
    | grep -v '^# gutbrain\|^# threads\|^# total_s\|^# permutest'
fi

[ "${R:-0}" = 1 ] || exit 0
command -v Rscript > /dev/null || die "Rscript not found (make deps)"
echo "# vegan::adonis2(vegdist(rel, 'bray') ~ depression + age + sex + bmi, by = '$BY', permutations = $PERMS)"
echo "# max_rel_diff: SumOfSqs and F; p: largest |p_R - p_ours| and whether all are within"
echo "# Monte Carlo error (docs/STATS.md S2 (c)); R's permutations come from its own RNG"
printf '%7s %10s %10s %8s %12s %8s %6s\n' samples adonis2_s ours_s ratio max_rel_diff max_dp within
for n in ${R_SIZES//,/ }; do
  [ -f "$work/abund_$n.tsv" ] || die "size $n was not in SIZES"
  Rscript --vanilla - "$work" "$n" "$PERMS" "$BY" > "$work/r_$n.txt" <<'EOF'
suppressMessages(library(vegan))
a <- commandArgs(TRUE); dir <- a[1]; n <- a[2]
x <- as.matrix(read.table(file.path(dir, paste0("abund_", n, ".tsv"))))
meta <- read.table(file.path(dir, paste0("meta_", n, ".tsv")), header = TRUE)
set.seed(1)
t <- system.time({
  D <- vegdist(x / rowSums(x), "bray")
  r <- adonis2(D ~ depression + age + sex + bmi, data = meta, permutations = as.integer(a[3]), by = a[4])
})[["elapsed"]]
ours <- as.matrix(read.table(file.path(dir, paste0("f_", n, ".txt"))))
rel <- abs(c(r$SumOfSqs[1:4], r$F[1:4]) - c(ours[, 1], ours[, 2])) / abs(c(r$SumOfSqs[1:4], r$F[1:4]))
N <- as.integer(a[3]); pr <- r[["Pr(>F)"]][1:4]; pbar <- (pr + ours[, 3]) / 2
within <- all(abs(pr - ours[, 3]) <= 4 * sqrt(2 * pbar * (1 - pbar) / (N + 1)) + 1 / (N + 1))
cat(t, max(rel), max(abs(pr - ours[, 3])), if (within) "yes" else "NO", "\n")
EOF
  read -r r_secs r_diff r_dp r_ok < "$work/r_$n.txt"
  ours=$(awk -v n="$n" '$1 == n { print $10 }' "$work/ours.txt")
  awk -v n="$n" -v r="$r_secs" -v o="$ours" -v d="$r_diff" -v dp="$r_dp" -v ok="$r_ok" \
    'BEGIN { printf "%7d %10.1f %10.2f %7.0fx %12.3g %8.3f %6s\n", n, r, o, r / o, d, dp, ok }'
done
