#!/usr/bin/env bash
# gutbrain stats under faults (docs/STATS.md, "Stopping and faults"): SIGTERM mid-permutation
# (a) without mpirun, (b) to both ranks as scancel does, (c) to ONE rank only, (d) to mpirun;
# OUT on a read-only mount (1 and 2 ranks); OUT on a tiny tmpfs that fills while the outputs are
# written (1 and 2 ranks). Each: the documented exit code, a clear message, no hang (everything
# runs under timeout), no temporaries left, the earlier complete outputs in OUT byte-identical,
# the temporary stats.h5 private (0600) while running, and a rerun equal to a clean run.
set -uo pipefail
source "$(dirname "$0")/lib.bash"
source "$(dirname "$0")/run_lib.bash"
[ "$(id -u)" -eq 0 ] || { echo "SKIP  stats_faults: needs root for its tmpfs mounts"; exit 0; }

make_stats_cohort "$TMP/c.biom" "$TMP/m.tsv" 60 30 || die "could not generate a cohort"
ARGS=(--cohort "$TMP/c.biom" --metadata "$TMP/m.tsv" --variable group --covariates sex,age --threads 1)
MNT=$TMP/mnt
mkdir -p "$MNT"
unmount() { mountpoint -q "$MNT" && umount "$MNT"; return 0; }
trap 'unmount; cleanup' EXIT

# stats_cmd RANKS OUT [ARGS...]: the stats command line, under mpirun when RANKS > 0.
stats_cmd() {
  local ranks=$1 out=$2; shift 2
  CMD=("$GB" stats "${ARGS[@]}" --out "$out" "$@")
  [ "$ranks" -gt 0 ] && CMD=(mpirun --oversubscribe -n "$ranks" "${CMD[@]}")
  return 0
}
# snapshot OUT: name, mode and checksum of every file in OUT.
snapshot() { (cd "$1" && find . -type f -printf '%p %m ' -exec md5sum {} \; | sort); }

stats_cmd 0 "$TMP/clean" --permutations 99
timeout 60 "${CMD[@]}" -q 2> "$TMP/clean.err" || { show "$TMP/clean.err"; die "the clean run failed"; }

# ---------------------------------------------------------------- SIGTERM
# sigterm_case NAME RANKS TARGET(plain|ranks|one|mpirun): OUT holds a complete earlier run; a
# long run (many permutations) is signalled once its private stats.h5.tmp exists and it is
# permuting; then the checks above and a rerun.
sigterm_case() {
  local name=$1 ranks=$2 target=$3 out=$TMP/$1 tmp="" mode pids rc
  cp -r "$TMP/clean" "$out"
  snapshot "$out" > "$TMP/$name.before"
  stats_cmd "$ranks" "$out" --permutations 5000000 -v
  timeout -k 5 60 "${CMD[@]}" > "$TMP/$name.out" 2> "$TMP/$name.err" &
  local bg=$!
  for _ in $(seq 300); do # 30 s at most
    tmp=$(compgen -G "$out/stats.h5.tmp.*" | head -n 1)
    [ -n "$tmp" ] && grep -q 'random permutations in rounds' "$TMP/$name.err" && break
    kill -0 "$bg" 2> /dev/null || break
    sleep 0.1
  done
  if [ -z "$tmp" ]; then
    wait "$bg"; fail "$name: never saw the temporary stats.h5 (exit $?)"; show "$TMP/$name.err"; return
  fi
  mode=$(stat -c %a "$tmp" 2> /dev/null)
  [ "$mode" = 600 ] && ok "$name: the temporary $(basename "$tmp") is private (0600)" ||
    fail "$name: the temporary stats.h5 has mode $mode (want 600)"
  pids=$(pgrep -f "^$GB stats .*--out $out ")
  case $target in
    plain | mpirun) kill -TERM "$(pgrep -P "$bg")" ;;
    ranks) kill -TERM $pids ;;                         # as scancel does
    one) kill -TERM "$(echo "$pids" | tail -n 1)" ;;   # the last rank only
  esac
  wait "$bg"
  rc=$?
  local stopped
  stopped=$(grep -c 'stopped by a signal' "$TMP/$name.err")
  if [ "$target" = mpirun ]; then
    [ "$stopped" -eq 2 ] && [ "$rc" -ne 124 ] && ok "$name: both ranks stopped cleanly (mpirun's own exit $rc)" ||
      { fail "$name: $stopped of 2 ranks report a clean stop, exit $rc"; show "$TMP/$name.err" 8; }
  else
    local want=$((ranks > 0 ? ranks : 1))
    [ "$rc" -eq 143 ] && [ "$stopped" -eq "$want" ] && ok "$name: exit 143, $stopped process(es) stopped cleanly" ||
      { fail "$name: exit $rc (want 143), $stopped of $want report a clean stop"; show "$TMP/$name.err" 8; }
  fi
  # the permutations had started (the wait above) and not finished (no "PERMANOVA <s> s" line)
  grep -Eq 'PERMANOVA [0-9.]+ s' "$TMP/$name.err" && fail "$name: the signal came after PERMANOVA finished" ||
    ok "$name: the signal came mid-permutation"
  expect_no_tmp_files "$name" "$out"
  snapshot "$out" > "$TMP/$name.after"
  same_file "$name: OUT's earlier outputs unchanged" "$TMP/$name.before" "$TMP/$name.after"
  rerun_equals_clean "$name" 0 "$out"
}

# rerun_equals_clean NAME RANKS OUT: the clean run's command into OUT gives the clean run's
# tables byte for byte, and the same stats.h5 content (h5dump, OUT's path aside).
rerun_equals_clean() {
  local name=$1 out=$3 t diffs=""
  stats_cmd "$2" "$out" --permutations 99
  if ! timeout -k 5 60 "${CMD[@]}" -q > "$TMP/$name.rerun.err" 2>&1; then
    fail "$name: rerun exit $?"; show "$TMP/$name.rerun.err"; return
  fi
  for t in "$TMP"/clean/*.tsv; do cmp -s "$t" "$out/$(basename "$t")" || diffs+=" $(basename "$t")"; done
  cmp -s <(h5dump "$TMP/clean/stats.h5" | sed "s#$TMP/clean#OUT#g") <(h5dump "$out/stats.h5" | sed "s#$out#OUT#g") ||
    diffs+=" stats.h5"
  [ -z "$diffs" ] && ok "$name: a rerun equals the clean run (tables and stats.h5)" ||
    fail "$name: rerun differs from the clean run:$diffs"
}

sigterm_case term_plain 0 plain
sigterm_case term_ranks 2 ranks
sigterm_case term_one 2 one
sigterm_case term_mpirun 2 mpirun

# ---------------------------------------------------------------- leftovers of a killed run
cp -r "$TMP/clean" "$TMP/left"
touch "$TMP/left/stats.h5.tmp.999999" "$TMP/left/pcoa.tsv.tmp.12"
stats_cmd 0 "$TMP/left" --permutations 99
timeout 60 "${CMD[@]}" -q 2> "$TMP/left.err" || fail "leftovers: stats exit $?"
expect_no_tmp_files "leftovers of a killed run are removed at start" "$TMP/left"

# ---------------------------------------------------------------- OUT read-only
mount -t tmpfs -o size=4m tmpfs "$MNT" && cp -r "$TMP/clean" "$MNT/out" && mount -o remount,ro "$MNT" ||
  die "cannot mount a tmpfs on $MNT"
snapshot "$MNT/out" > "$TMP/ro.before"
for ranks in 0 2; do
  stats_cmd "$ranks" "$MNT/out" --permutations 99
  expect_error "read-only OUT, $ranks ranks" 2 "$MNT/out.*Read-only file system" "" -- timeout -k 5 60 "${CMD[@]}"
done
snapshot "$MNT/out" > "$TMP/ro.after"
same_file "read-only OUT: its outputs unchanged" "$TMP/ro.before" "$TMP/ro.after"
unmount

# ---------------------------------------------------------------- disk full
# 48 KiB hold the inputs' first tables but not every output: the error names the file.
for ranks in 0 2; do
  name="full disk, $ranks ranks"
  mount -t tmpfs -o size=48k tmpfs "$MNT" || die "cannot mount a tmpfs on $MNT"
  stats_cmd "$ranks" "$MNT/out" --permutations 99
  expect_error "$name" 2 "$MNT/out/[a-z_0-9]+\.(tsv|h5).*No space left on device" "$MNT/out/stats.h5" -- \
    timeout -k 5 60 "${CMD[@]}"
  [ -z "$(ls -A "$MNT/out" 2> /dev/null)" ] && ok "$name: nothing left in OUT" ||
    fail "$name: left in OUT: $(ls -A "$MNT/out" | tr '\n' ' ')"
  mount -o remount,size=4m "$MNT" # space freed
  rerun_equals_clean "$name" "$ranks" "$MNT/out"
  unmount
done

finish
