#!/usr/bin/env bash
# gutbrain stats vs R (issue 4, deliverable 5): the same synthetic cohorts (1,000 and 2,000
# samples x 500 genera, given as features: --rank none; covariates depression (no/yes), age,
# sex (female/male), bmi) through
#   - gutbrain stats (whole command, and its phases from the -v debug lines), and
#   - R: the per-feature model loop as MaAsLin2 runs it (filter, TSS, z-scores, LOG, then lm +
#     summary per feature, p.adjust BH; MaAsLin2 itself calls glm(family = gaussian), timed too),
#     and vegdist(bray) + adonis2(d ~ depression + age + sex + bmi, permutations = 999,
#     by = "margin"), single-threaded as vegan runs by default,
# in one run on this machine; prints wall times, ratios and the largest relative differences
# between the two results (coef, SE, p of every association; SumOfSqs, R2, F of PERMANOVA).
# Then gutbrain alone on 20,000 samples x 1,000 features (wall time, phases, peak RSS).
#
# usage: benchmarks/stats_vs_R.sh [--full] [--record] [--no-big]
#   --full     run adonis2 with 999 permutations at 2,000 samples too (about 13 min); without it
#              that case uses R_PERMS permutations and the time is scaled linearly to 999:
#              t999 = t x (999 + 1) / (R_PERMS + 1) (the observed F is one more evaluation)
#   --record   append the result table to benchmarks/RESULTS.md
#   --no-big   skip the 20,000-sample run
# environment (optional): GB (binary, default bin/gutbrain), WORK (default
#   benchmarks/work/stats_vs_R), THREADS=2 (gutbrain), R_PERMS=199, SIZES="1000 2000",
#   BIG_TIMEOUT=2700 (seconds allowed for the 20,000-sample run), SEED=4242
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
GB=${GB:-$repo/bin/gutbrain}
WORK=${WORK:-$repo/benchmarks/work/stats_vs_R}
THREADS=${THREADS:-2}
R_PERMS=${R_PERMS:-199}
SIZES=${SIZES:-1000 2000}
BIG_TIMEOUT=${BIG_TIMEOUT:-2700}
SEED=${SEED:-4242}
PY=/usr/bin/python3
MAKE_COHORT=$repo/tests/integration/data/make_cohort.py
source "$repo/benchmarks/lib.bash"
export LC_ALL=C LC_COLLATE=C
FULL=0 RECORD=0 BIG=1
for a in "$@"; do
  case $a in
    --full) FULL=1 ;;
    --record) RECORD=1 ;;
    --no-big) BIG=0 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option $a (see --help)" >&2; exit 1 ;;
  esac
done
[ -x "$GB" ] || { echo "no gutbrain binary at $GB (run make)" >&2; exit 1; }
mkdir -p "$WORK"
say() { echo "[$(date +%T)] $*" >&2; }

# ---------------------------------------------------------------- R side (timed in R itself)
cat > "$WORK/bench.R" <<'EOF'
# args: biom meta gutbrain_outdir permutations seed
suppressPackageStartupMessages({ library(rhdf5); library(vegan) })
a <- commandArgs(trailingOnly = TRUE)
biom <- a[1]; gbdir <- a[3]; perms <- as.integer(a[4]); seed <- as.integer(a[5])
obs <- as.character(h5read(biom, "observation/ids"))
smp <- as.character(h5read(biom, "sample/ids"))
ptr <- as.numeric(h5read(biom, "observation/matrix/indptr"))
x <- matrix(0, length(smp), length(obs), dimnames = list(smp, obs))
x[cbind(as.integer(h5read(biom, "observation/matrix/indices")) + 1, rep(seq_along(obs), diff(ptr)))] <-
  as.numeric(h5read(biom, "observation/matrix/data"))
H5close()
meta <- read.delim(a[2], colClasses = c("character", "character", "numeric", "character", "numeric"))
meta <- meta[match(smp, meta$sample), ]
meta$depression <- factor(meta$depression)
meta$sex <- factor(meta$sex)
n <- nrow(x)
el <- function(expr) unname(system.time(expr)["elapsed"])

# MaAsLin2's LM path: prevalence + variance filter, TSS, z-scores, LOG, one model per feature.
maaslin_loop <- function(fitter) {
  nz <- colSums(x > 0)
  keep <- nz > 0.1 * n
  keep[keep] <- apply(x[, keep], 2, var) > 0
  rel <- x[, keep] / rowSums(x[, keep])
  md <- meta
  md$age <- as.vector(scale(md$age))
  md$bmi <- as.vector(scale(md$bmi))
  y <- apply(rel, 2, function(v) { v[v == 0] <- min(v[v > 0]) / 2; log2(v) })
  rows <- lapply(seq_len(ncol(y)), function(j) {
    md$expr <- y[, j]
    s <- summary(fitter(expr ~ depression + age + sex + bmi, md))$coefficients
    data.frame(feature = colnames(y)[j], coef_name = rownames(s)[-1], coef = s[-1, 1], stderr = s[-1, 2],
               pval = s[-1, 4])
  })
  r <- do.call(rbind, rows)
  r$qval <- p.adjust(r$pval, "BH")
  r
}
t_lm <- el(r_lm <- maaslin_loop(function(f, d) lm(f, data = d)))
t_glm <- el(r_glm <- maaslin_loop(function(f, d) glm(f, data = d, family = gaussian())))
t_dist <- el(d <- vegdist(x / rowSums(x), "bray"))
df <- data.frame(depression = meta$depression, age = as.vector(scale(meta$age)), sex = meta$sex,
                 bmi = as.vector(scale(meta$bmi)))
set.seed(seed)
t_ad <- el(ad <- adonis2(d ~ depression + age + sex + bmi, data = df, permutations = perms, by = "margin"))
cat(sprintf("TIME lm %.3f\nTIME glm %.3f\nTIME vegdist %.3f\nTIME adonis2 %.3f\n", t_lm, t_glm, t_dist, t_ad))

# Largest relative differences against gutbrain's tables.
rel_diff <- function(g, r, floor = 0) {
  floor <- rep_len(floor, length(g))
  if (any(is.na(g) != is.na(r))) return(Inf)
  ok <- !is.na(g)
  max(ifelse(g[ok] == r[ok], 0, abs(g[ok] - r[ok]) / pmax(abs(g[ok]), abs(r[ok]), floor[ok])))
}
ga <- read.delim(file.path(gbdir, "associations.tsv"), colClasses = c(feature = "character", value = "character"))
r_lm$value <- sub("^(depression|sex)", "", r_lm$coef_name)
g <- ga[match(paste(r_lm$feature, r_lm$value), paste(ga$feature, ga$value)), ]
cat(sprintf("ROWS associations %d %d\n", nrow(ga), nrow(r_lm)))
cat(sprintf("DIFF coef %.3g\nDIFF stderr %.3g\nDIFF pval %.3g\nDIFF qval %.3g\n",
            rel_diff(g$coef, r_lm$coef, 1e-8 * r_lm$stderr), rel_diff(g$stderr, r_lm$stderr),
            rel_diff(g$pval, r_lm$pval), rel_diff(g$qval, r_lm$qval)))
cat(sprintf("DIFF glm_vs_lm_coef %.3g\n", rel_diff(r_glm$coef, r_lm$coef, 1e-8 * r_lm$stderr)))
gp <- read.delim(file.path(gbdir, "permanova.tsv"))
gp <- gp[gp$distance == "bray", ]
gp <- gp[match(rownames(ad), gp$term), ]
cat(sprintf("DIFF SumOfSqs %.3g\nDIFF R2 %.3g\nDIFF F %.3g\n", rel_diff(gp$SumOfSqs, ad$SumOfSqs),
            rel_diff(gp$R2, ad$R2), rel_diff(gp$F, ad$F)))
cat(sprintf("P %s %s %s\n", rownames(ad)[1:4], format(gp$pval[1:4]), format(ad[["Pr(>F)"]][1:4])), sep = "")
EOF

# ---------------------------------------------------------------- helpers
# gutbrain stats with /usr/bin/time -v; sets GB_WALL, GB_RSS_MB, GB_PHASES ("name=s;...").
run_gutbrain() {
  local out=$1 log=$1.log; shift
  rm -rf "$out"
  local rc=0
  # GB_TIMEOUT (seconds, optional): stop the run there (timeout exits 124)
  /usr/bin/time -v ${GB_TIMEOUT:+timeout "$GB_TIMEOUT"} "$GB" stats -v --threads "$THREADS" --out "$out" "$@" \
    > "$log" 2>&1 || rc=$?
  GB_WALL=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0
                          for (i = 1; i <= n; i++) s = s * 60 + t[i]; print s }' "$log")
  GB_RSS_MB=$(awk '/Maximum resident set size/ { printf "%.0f", $NF / 1024 }' "$log")
  # debug lines "[D::fn] <phase>: <cumulative s> s" -> per-phase seconds
  GB_PHASES=$(sed -n 's/^\[D::[a-z_]*\] \(.*\): \([0-9.]*\) s$/\1\t\2/p' "$log" |
              awk -F'\t' '{ printf "%s%s=%.3f", (NR > 1 ? ";" : ""), $1, $2 - prev; prev = $2 }')
  if [ "$rc" -ne 0 ]; then
    echo "gutbrain stats exited with $rc:" >&2; grep -v '^[[:space:]]' "$log" | tail -3 >&2
  fi
  return "$rc"
}
phase() { # phase NAME: seconds of the phase whose name starts with NAME
  echo "$GB_PHASES" | tr ';' '\n' | awk -F= -v p="$1" 'index($1, p) == 1 { print $2; exit }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f", a / b; else print "n/a" }'; }
host_line() {
  local cpu
  cpu=$(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -1)
  echo "$(nproc) cores, ${cpu:-unknown CPU}, $(awk '/MemTotal/ { printf "%.1f GB RAM", $2 / 1048576 }' /proc/meminfo)"
}

R_VER=$(Rscript -e 'cat(R.version.string, "; vegan", as.character(packageVersion("vegan")))' 2>/dev/null)
GB_VER=$("$GB" --version 2>/dev/null | head -1 || echo "gutbrain ?")
ROWS=()
NOTES=()

# ---------------------------------------------------------------- 1,000 and 2,000 samples
for n in $SIZES; do
  cohort=$WORK/c$n
  if [ ! -s "$cohort.biom" ]; then
    say "cohort $n x 500"
    $PY "$MAKE_COHORT" "$cohort.biom" "$cohort.tsv" --design bench --samples "$n" --taxa 500 --genera 500 \
      --seed $((SEED + n)) > /dev/null
  fi
  perms=999
  if [ "$n" -ge 2000 ] && [ "$FULL" -eq 0 ]; then perms=$R_PERMS; fi
  say "gutbrain stats, $n samples"
  run_gutbrain "$WORK/gb$n" --cohort "$cohort.biom" --metadata "$cohort.tsv" --variable depression \
    --covariates age,sex,bmi --rank none --permutations 999 --seed 42
  say "R (lm/glm loops, vegdist, adonis2 with $perms permutations), $n samples"
  Rscript "$WORK/bench.R" "$cohort.biom" "$cohort.tsv" "$WORK/gb$n" "$perms" 42 > "$WORK/r$n.out" 2> "$WORK/r$n.err" || {
    echo "R failed:" >&2; tail -5 "$WORK/r$n.err" >&2; exit 1; }
  rv() { awk -v k="$1" -v w="$2" '$1 == k && $2 == w { print $3 }' "$WORK/r$n.out"; }
  t_lm=$(rv TIME lm); t_glm=$(rv TIME glm); t_dist=$(rv TIME vegdist); t_ad=$(rv TIME adonis2)
  t_ad999=$(awk -v t="$t_ad" -v p="$perms" 'BEGIN { printf "%.1f", t * 1000 / (p + 1) }')
  est=""; [ "$perms" -ne 999 ] && est=" (est. from $perms perms)"
  t_assoc=$(phase associations); t_beta=$(phase beta)
  t_rperm=$(awk -v a="$t_dist" -v b="$t_ad999" 'BEGIN { printf "%.1f", a + b }')
  kept=$(sed -n 's/.*features: [0-9]* at the rank, \([0-9]*\) kept.*/\1/p' "$WORK/gb$n.log")
  ROWS+=("| $n | per-feature models ($kept features x 4 coefficients) | R lm loop $t_lm s; glm loop $t_glm s | associations phase $t_assoc s | $(ratio "$t_lm" "$t_assoc")× (glm: $(ratio "$t_glm" "$t_assoc")×) |")
  ROWS+=("| $n | PERMANOVA bray, by margin, 999 perms | vegdist $t_dist s + adonis2 $t_ad999 s$est | beta phase $t_beta s (bray + aitchison: 2 PERMANOVAs, betadisper, PCoA) | $(ratio "$t_rperm" "$t_beta")× |")
  ROWS+=("| $n | whole | R total $(awk -v a="$t_lm" -v b="$t_rperm" 'BEGIN { printf "%.1f", a + b }') s | gutbrain stats $GB_WALL s, peak RSS $GB_RSS_MB MB | $(ratio "$(awk -v a="$t_lm" -v b="$t_rperm" 'BEGIN { print a + b }')" "$GB_WALL")× |")
  NOTES+=("- $n samples: $(awk '$1 == "ROWS" { printf "%s rows gutbrain / %s R; ", $3, $4 }' "$WORK/r$n.out")largest rel. difference vs R: coef $(rv DIFF coef), SE $(rv DIFF stderr), p $(rv DIFF pval), q $(rv DIFF qval); PERMANOVA (bray) SumOfSqs $(rv DIFF SumOfSqs), R2 $(rv DIFF R2), F $(rv DIFF F); p gutbrain/R: $(awk '$1 == "P" { printf "%s %s/%s  ", $2, $3, $4 }' "$WORK/r$n.out"); gutbrain phases: $GB_PHASES")
  say "done $n: gutbrain ${GB_WALL}s, R lm ${t_lm}s, adonis2 ${t_ad}s ($perms perms)"
done

# ---------------------------------------------------------------- 20,000 samples, gutbrain alone
BIG_LINE=""
if [ "$BIG" -eq 1 ]; then
  cohort=$WORK/c20000
  if [ ! -s "$cohort.biom" ]; then
    say "cohort 20000 x 1000"
    $PY "$MAKE_COHORT" "$cohort.biom" "$cohort.tsv" --design bench --samples 20000 --taxa 1000 --genera 1000 \
      --seed $((SEED + 20000)) > /dev/null
  fi
  say "gutbrain stats, 20000 samples (timeout ${BIG_TIMEOUT}s)"
  rc=0
  GB_TIMEOUT=$BIG_TIMEOUT run_gutbrain "$WORK/gb20000" --cohort "$cohort.biom" --metadata "$cohort.tsv" \
    --variable depression --covariates age,sex,bmi --rank none --permutations 999 --seed 42 || rc=$?
  if [ "$rc" -eq 0 ]; then
    BIG_LINE="- 20,000 samples x 1,000 features, gutbrain alone (999 permutations, --threads $THREADS): $GB_WALL s wall, peak RSS $GB_RSS_MB MB; phases: $GB_PHASES"
  elif [ "$rc" -eq 124 ]; then
    BIG_LINE="- 20,000 samples x 1,000 features, gutbrain alone: stopped by the ${BIG_TIMEOUT} s timeout (peak RSS so far $GB_RSS_MB MB); phases finished: ${GB_PHASES:-none}"
  else
    BIG_LINE="- 20,000 samples x 1,000 features, gutbrain alone: failed with exit $rc after $GB_WALL s (peak RSS $GB_RSS_MB MB); see $WORK/gb20000.log"
  fi
  say "${BIG_LINE#- }"
fi

# ---------------------------------------------------------------- report
{
  echo "## $(date -u '+%Y-%m-%d %H:%M UTC'): gutbrain stats vs R (benchmarks/stats_vs_R.sh)"
  echo
  echo "- host: $(host_line); $R_VER; $GB_VER; git $(git -C "$repo" rev-parse --short HEAD 2>/dev/null)$(git -C "$repo" diff --quiet 2>/dev/null || echo ' (dirty tree)')"
  echo "- gutbrain --threads $THREADS (wall time of the whole command, from /usr/bin/time); R single-threaded, times from system.time inside R (input reading excluded)"
  echo
  echo "| samples | task | R | gutbrain | speed-up |"
  echo "|---|---|---|---|---|"
  printf '%s\n' "${ROWS[@]}"
  echo
  printf '%s\n' "${NOTES[@]}"
  [ -n "$BIG_LINE" ] && echo "$BIG_LINE"
} > "$WORK/report.md"
cat "$WORK/report.md"
if [ "$RECORD" -eq 1 ]; then
  { echo; cat "$WORK/report.md"; } >> "$repo/benchmarks/RESULTS.md"
  say "appended to benchmarks/RESULTS.md"
fi
