#!/usr/bin/env bash
# Edges of each parser's own source file that its harness's corpus covers (docs/FUZZING.md):
# replays build/fuzz/corpus/NAME once (-runs=0) with -print_coverage=1 and sums libFuzzer's
# per-function "edges: covered/total" over the functions of the target file: all of them, and
# those the corpus reaches at all (the file also holds writers and helpers no parser calls).
# Usage: coverage.sh [NAME...] (default: every harness built).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
target() {
  case $1 in
  config) echo pipeline/cli.c ;;
  k2db) echo pipeline/k2db.c ;;
  kmer_distrib | kreport) echo pipeline/bracken_io.c ;;
  biom) echo pipeline/biom_read.c ;;
  *) echo "pipeline/$1.c" ;;
  esac
}
names=("$@")
[ ${#names[@]} -eq 0 ] && for b in build/fuzz/fuzz_*; do [ -x "$b" ] && names+=("${b##*/fuzz_}"); done
printf '%-14s %-24s %-16s %s\n' harness file "file edges" "edges of reached functions"
for name in "${names[@]}"; do
  file=$(target "$name")
  build/fuzz/fuzz_"$name" -runs=0 -print_coverage=1 build/fuzz/corpus/"$name" 2>&1 |
    awk -v f="/$file:" '/^(UN)?COVERED_FUNC/ && index($0, f) {
        split($5, e, "/"); c += e[1]; t += e[2]; if ($1 == "COVERED_FUNC:") { rc += e[1]; rt += e[2] } }
      END { printf "%d/%d(%.0f%%) %d/%d(%.0f%%)\n", c, t, t ? 100 * c / t : 0, rc, rt, rt ? 100 * rc / rt : 0 }' |
    xargs printf '%-14s %-24s %-16s %s\n' "$name" "$file"
done
