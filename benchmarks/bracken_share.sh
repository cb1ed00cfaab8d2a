#!/usr/bin/env bash
# Bracken's share of a `gutbrain run` (issue 8: at most 2 % of the wall time): the same sample
# sheet run with and without --bracken-length, alternately (without, with, without, ...) so that
# load on a shared machine hits both alike, each into a fresh output folder; then reruns into a
# finished folder, where every sample is reused and Bracken is most of what is left. Prints the
# medians, the difference and the share, and Bracken's own rank time from the run's log
# ("Bracken: N samples in S s of rank time", summed over ranks). Given two binaries (before,
# after), both are run in the same loop and get a column each. Fails when a run fails or when
# two binaries' Bracken tables differ.
# Most of Bracken's cost in a fresh run is creating its two files a sample, and on ext4 that
# costs more while many inodes were freed in the last minutes (the folders of an earlier
# invocation, removed at the start): compare columns of one invocation, not invocations, or
# put WORK on tmpfs (/dev/shm) to see the cost without the file system.
#
# usage: benchmarks/bracken_share.sh GUTBRAIN [GUTBRAIN_B]
# environment (all optional):
#   SHEET  sample sheet (default benchmarks/work/rb/sheet.csv)
#   DB     Kraken 2 or gutbrain database holding database{LENGTH}mers.kmer_distrib
#          (default benchmarks/work/k2b)
#   WORK   work dir (default benchmarks/work/bracken_share)
#   RUNS=5 (runs per configuration)  RANKS=2  THREADS=1  LENGTH=150
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$repo/benchmarks/lib.bash"
SHEET=${SHEET:-$repo/benchmarks/work/rb/sheet.csv}
DB=${DB:-$repo/benchmarks/work/k2b}
WORK=${WORK:-$repo/benchmarks/work/bracken_share}
RUNS=${RUNS:-5}
RANKS=${RANKS:-2}
THREADS=${THREADS:-1}
LENGTH=${LENGTH:-150}

die() { echo "bracken_share: $*" >&2; exit 1; }
[ $# -ge 1 ] && [ $# -le 2 ] || die "usage: benchmarks/bracken_share.sh GUTBRAIN [GUTBRAIN_B]"
bins=()
for b in "$@"; do
  bins+=("$(readlink -f "$b")")
  [ -x "${bins[-1]}" ] || die "$b is not an executable"
done
[ -x /usr/bin/time ] || die "/usr/bin/time not found (Debian: apt-get install time)"
[ -f "$SHEET" ] || die "no sample sheet $SHEET (set SHEET)"
[ -f "$DB/database${LENGTH}mers.kmer_distrib" ] || die "no $DB/database${LENGTH}mers.kmer_distrib (set DB)"
mkdir -p "$WORK"

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
calc() { awk "BEGIN { printf \"%.4f\", $1 }"; }

# run B CONFIG OUT: one run of binary number B, CONFIG "plain" or "bracken", into OUT (kept);
# appends its wall seconds to $WORK/B.CONFIG.KIND, KIND "fresh" when OUT did not exist, else
# "rerun", and Bracken's rank time and the second cohort file's time from its log to $WORK/B.rank.KIND and
# $WORK/B.cohort2.KIND
run() {
  local b=$1 config=$2 out=$3 kind=fresh extra=()
  [ -d "$out" ] && kind=rerun
  [ "$config" = bracken ] && extra=(--bracken-length "$LENGTH")
  /usr/bin/time -f "%e" -o "$WORK/time" mpirun -n "$RANKS" --bind-to none "${bins[$b]}" run --db "$DB" \
    --samples "$SHEET" --out "$out" --threads "$THREADS" "${extra[@]}" 2> "$WORK/log" \
    || { tail -n 5 "$WORK/log" >&2; die "run failed: ${bins[$b]}"; }
  cat "$WORK/time" >> "$WORK/$b.$config.$kind"
  if [ "$config" = bracken ]; then
    sed -n 's/.*Bracken: [0-9]* samples in \([0-9.]*\) s of rank time.*/\1/p' "$WORK/log" >> "$WORK/$b.rank.$kind"
    sed -n 's/.*cohort_bracken.biom in \([0-9.]*\) s.*/\1/p' "$WORK/log" >> "$WORK/$b.cohort2.$kind"
  fi
}

# Every fresh run gets its own folder, all removed at the end: ext4 skips inodes freed in the
# last minute when it allocates new ones, so removing the previous run's files just before a
# run made each file it creates cost ~1 ms here (a benchmark artefact, not a user's case).
rm -rf "$WORK"/[0-9].* "$WORK"/out_*
for ((i = 0; i < RUNS; i++)); do
  for b in "${!bins[@]}"; do
    for config in plain bracken; do run "$b" "$config" "$WORK/out_${b}_${config}_$i"; done
  done
done
for ((i = 0; i < RUNS; i++)); do
  for b in "${!bins[@]}"; do
    for config in plain bracken; do run "$b" "$config" "$WORK/out_${b}_${config}_0"; done
  done
done
sum_tables() { cat "$1"/samples/*.bracken | cksum | cut -d' ' -f1; }
if [ ${#bins[@]} -eq 2 ] && [ "$(sum_tables "$WORK/out_0_bracken_0")" != "$(sum_tables "$WORK/out_1_bracken_0")" ]; then
  die "the two binaries' Bracken tables differ"
fi

# median of a measurement file; n/a when there is none (a binary that does not log Bracken's time)
m() { if grep -q . "$WORK/$1" 2> /dev/null; then grep -v '^$' "$WORK/$1" | median; else echo n/a; fi; }
samples=$(($(grep -c . "$SHEET") - 1))
echo "gutbrain run, $samples samples ($SHEET), database $DB, --bracken-length $LENGTH"
echo "mpirun -n $RANKS --bind-to none, --threads $THREADS; medians of $RUNS alternating runs; $(uptime | sed 's/.*load/load/')"
for b in "${!bins[@]}"; do echo "binary $((b + 1)): ${bins[$b]} ($("${bins[$b]}" --version 2>&1 | head -n 1))"; done
echo
header="| measure |" rule="|---|"
for b in "${!bins[@]}"; do header+=" binary $((b + 1)) |" rule+="---|"; done
echo "$header"
echo "$rule"
row() { # LABEL FUNCTION: one cell per binary
  local line="| $1 |" b
  for b in "${!bins[@]}"; do line+=" $($2 "$b") |"; done
  echo "$line"
}
for kind in fresh rerun; do
  what="run"
  [ $kind = rerun ] && what="rerun, every sample reused"
  plain() { m "$1.plain.$kind"; }
  with() { m "$1.bracken.$kind"; }
  diff_s() { calc "$(with "$1") - $(plain "$1")"; }
  share() { calc "100 * ($(with "$1") - $(plain "$1")) / $(plain "$1")"; }
  rank() { m "$1.rank.$kind"; }
  rank_share() { [ "$(rank "$1")" = n/a ] && echo n/a || calc "100 * $(rank "$1") / ($RANKS * $(with "$1"))"; }
  row "$what without Bracken (s)" plain
  row "$what with --bracken-length $LENGTH (s)" with
  row "$what: with - without (s)" diff_s
  row "$what: (with - without) / without (%)" share
  row "$what: Bracken's rank time from the log (s, all ranks)" rank
  row "$what: Bracken's rank time / (ranks x wall with) (%)" rank_share
  cohort2() { m "$1.cohort2.$kind"; }
  row "$what: cohort_bracken.biom written in (s, from the log)" cohort2
done
echo
echo "Bracken tables checksum (cksum of samples/*.bracken): $(sum_tables "$WORK/out_0_bracken_0")"
rm -rf "$WORK"/out_*
