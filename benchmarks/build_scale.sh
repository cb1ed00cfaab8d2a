#!/usr/bin/env bash
# Build at scale (issue 11): gutbrain build vs kraken2-build on a synthetic reference set of
# ~2 Gbp, at 1/8, 1/4, 1/2 and all of it, in one run: wall time, peak RSS and database size per
# step, least-squares lines against Gbp with R², and their extrapolation to 100 Gbp and 1 Tbp.
#
# The reference set: benchmarks/scale_refs.c (compiled here) writes COPIES mutated copies of
# each shared genome (refs/*.fna.gz, 63 genomes, 212 Mbp): events at rate DIV per base
# (90 % substitutions, 5 % 1-3 bp insertions, 5 % 1-3 bp deletions), each copy mutated
# independently from the original. Copy c of genome g is a new taxon, taxid 2000000 + 100 g + c,
# rank "no rank" (as strain nodes are in the shared dump), placed under the species of the
# genome's taxon (under the taxon itself when it has no species ancestor): copies of one
# species therefore share minimizers and their LCA is the species, as strains do. The taxonomy
# extension is the shared nodes.dmp/names.dmp plus these nodes, in WORK/taxonomy.
# The steps are nested: copies are taken copy-major (copy 0 of every genome, then copy 1, ...)
# and a step is the shortest prefix holding its share of the bases, so every step spans all
# 63 genomes and a larger step contains the smaller ones.
#
# Both tools read the same plain FASTA files (kraken2-build only reads uncompressed
# library/*.fna; its library holds symlinks to them) and the same seqid2taxid map. Only
# `kraken2-build --build` is timed: it first runs estimate_capacity over all of the library
# (a sampled count of distinct minimizers, + 8192, / load factor 0.7 -> hash table capacity),
# then build_db reads the library a second time; both are in its wall time, as reading twice
# is part of its method. One run per step and tool (a 2 Gbp build takes minutes), tools
# alternating (k2, gb at odd steps, gb, k2 at even ones), files in the page cache (generated
# just before; the machine's RAM holds them). The databases are deleted after their size is
# taken, unless KEEP=1.
#
# usage: benchmarks/build_scale.sh [--record] [--capped]
#   --record  also append the report to benchmarks/RESULTS.md
#   --capped  instead, capped databases (issue 11 deliverable 2), on the 63 original genomes:
#             kraken2-build --max-db-size at 1/4 and 1/16 of its full hash.k2d, gutbrain build
#             --max-db-size at 1/4 and 1/16 of its full gutbrain.db (when the option exists), each
#             DB classifying the same ART pairs (benchmarks/simulate_reads.sh, READS per genome),
#             scored by `gutbrain bench` (docs/BENCH.md) at species and genus; WORK/capped
# environment (all optional):
#   GUTBRAIN_DATA  data dir with refs/*.fna.gz, seqid2taxid.tsv, taxonomy/ (default ../shared/data)
#   GB             gutbrain binary (default bin/gutbrain)
#   WORK           work dir (default benchmarks/work/build_scale; git-ignored; ~2.2 GB of FASTA
#                  plus the largest pair of databases)
#   THREADS=2 COPIES=10 DIV=0.03 SEED=20261126 STEPS="8 4 2 1" (denominators) KEEP=0
#   TOOLS="k2 gb"  which builders to report; --capped: READS=500 CAPS="4 16"
#   ONLY=TOOLS     which builders to run now, RESUME=1: keep the steps measured by an earlier run
#                  (a full run takes hours on a loaded 2-core machine: finish it piecewise)
#   MEM_LIMIT_MB   skip a step whose peak RSS, scaled from the tool's previous step, would exceed
#                  it (default: half of MemAvailable when the step starts)
#   QUICK=1        one copy and 1/6 of its bases as "all" (~33 Mbp, 1/64 of the full set): checks
#                  the script in about a minute
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DATA=${GUTBRAIN_DATA:-$repo/../shared/data}
GB=${GB:-$repo/bin/gutbrain}
WORK=${WORK:-$repo/benchmarks/work/build_scale}
THREADS=${THREADS:-2}
COPIES=${COPIES:-10}
DIV=${DIV:-0.03}
SEED=${SEED:-20261126}
STEPS=${STEPS:-8 4 2 1}
KEEP=${KEEP:-0}
TOOLS=${TOOLS:-k2 gb}
ONLY=${ONLY:-$TOOLS}
RESUME=${RESUME:-0}
QUICK=${QUICK:-0}
FRACTION=1 # share of the generated bases that is "all of it"
if [ "$QUICK" = 1 ]; then
  COPIES=1
  FRACTION=0.16
fi
source "$repo/benchmarks/lib.bash"
RECORD=0
TAXID_BASE=2000000
RES=$WORK/res # measurements of this run (--capped: WORK/capped/res)

die() { echo "build_scale: $*" >&2; exit 1; }
note() { echo "[build_scale $(date +%H:%M:%S)] $*" >&2; }

CAPPED=0
for arg in "$@"; do
  case "$arg" in
    --record) RECORD=1 ;;
    --capped) CAPPED=1 ;;
    -h|--help) sed -n '2,47p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) die "unknown argument '$arg'" ;;
  esac
done

check_inputs() {
  [ -d "$DATA/refs" ] && [ -f "$DATA/seqid2taxid.tsv" ] && [ -f "$DATA/taxonomy/nodes.dmp" ] ||
    die "no data dir with refs/, seqid2taxid.tsv, taxonomy/ at '$DATA' (set GUTBRAIN_DATA)"
  local tool
  for tool in cc kraken2-build /usr/bin/time; do
    command -v "$tool" >/dev/null || die "'$tool' not found (run: make deps)"
  done
  case " $TOOLS " in *" gb "*) [ -x "$GB" ] || die "no gutbrain binary at '$GB' (make all, or TOOLS=k2)" ;; esac
  [[ "$COPIES" =~ ^[0-9]+$ ]] && [ "$COPIES" -ge 1 ] && [ "$COPIES" -le 99 ] || die "COPIES must be 1-99"
}

# ---------------------------------------------------------------- the reference set

# generate: WORK/refs/*.fna + manifest.tsv, WORK/taxonomy/, WORK/taxid_of_copy.tsv; cached by
# a stamp of the generator's source, inputs and parameters.
generate() {
  local key
  key=$({ md5sum "$repo/benchmarks/scale_refs.c" "$DATA"/refs/*.fna.gz "$DATA/seqid2taxid.tsv" \
            "$DATA/taxonomy/nodes.dmp" "$DATA/taxonomy/names.dmp" | awk '{print $1}'
          echo "$COPIES $DIV $SEED"; } | md5sum | awk '{print $1}')
  if [ -f "$WORK/refs/.stamp" ] && [ "$(cat "$WORK/refs/.stamp")" = "$key" ]; then
    note "reference set cached ($WORK/refs)"
    return 0
  fi
  rm -rf "$WORK/refs" "$WORK/taxonomy"
  mkdir -p "$WORK/refs" "$WORK/taxonomy" "$WORK/bin"
  cc -std=gnu11 -O2 -fopenmp -Wall -Wextra -Werror -Wshadow -o "$WORK/bin/scale_refs" \
    "$repo/benchmarks/scale_refs.c" -lz -lm
  local t0
  t0=$(date +%s.%N)
  note "generating $COPIES copies of each genome at divergence $DIV (seed $SEED)"
  OMP_NUM_THREADS=$THREADS "$WORK/bin/scale_refs" -o "$WORK/refs" -n "$COPIES" -d "$DIV" -s "$SEED" \
    "$DATA"/refs/*.fna.gz
  GEN_SECONDS=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.0f", b - a }')
  echo "$GEN_SECONDS" >"$WORK/refs/.seconds"
  # taxid of every copy: the genome's taxid (seqid2taxid.tsv, by file), its species ancestor.
  awk -F'\t' -v base="$TAXID_BASE" '
    FILENAME ~ /nodes.dmp$/ { split($0, f, "\t[|]\t"); parent[f[1]] = f[2]; rank[f[1]] = f[3]; next }
    FILENAME ~ /seqid2taxid.tsv$/ { if ($0 !~ /^#/) { n = split($5, p, "/"); tax[p[n]] = $2 } next }
    FNR == 1 { next }
    { n = split($6, p, "/"); t = tax[p[n]]
      if (t == "") { print "no taxid for " $6 > "/dev/stderr"; exit 1 }
      s = t; while (s != 1 && rank[s] != "species" && s in parent) s = parent[s]
      if (rank[s] != "species") s = t
      print $1 "\t" base + 100 * $2 + $3 "\t" s "\t" $4 "\t" $5 }' \
    "$DATA/taxonomy/nodes.dmp" "$DATA/seqid2taxid.tsv" "$WORK/refs/manifest.tsv" >"$WORK/taxid_of_copy.tsv"
  # file, taxid, parent, bases, sequences
  cp "$DATA/taxonomy/nodes.dmp" "$DATA/taxonomy/names.dmp" "$WORK/taxonomy/"
  awk -F'\t' '{ printf "%s\t|\t%s\t|\tno rank\t|\t\t|\t0\t|\t1\t|\t11\t|\t1\t|\t0\t|\t1\t|\t1\t|\t0\t|\t\t|\n", $2, $3 }' \
    "$WORK/taxid_of_copy.tsv" >>"$WORK/taxonomy/nodes.dmp"
  awk -F'\t' '{ f = $1; sub(/\.fna$/, "", f)
                printf "%s\t|\tsynthetic copy %s\t|\t\t|\tscientific name\t|\n", $2, f }' \
    "$WORK/taxid_of_copy.tsv" >>"$WORK/taxonomy/names.dmp"
  echo "$key" >"$WORK/refs/.stamp"
}

# step_files DEN: the copies of step 1/DEN (copy-major order, shortest prefix with enough bases)
step_files() {
  sort -t$'\t' -k1.7,1.8n -k1.2,1.4n "$WORK/taxid_of_copy.tsv" |
    awk -F'\t' -v den="$1" -v frac="$FRACTION" -v total="$TOTAL_BASES" '
      { if (sum >= frac * total / den) exit; sum += $4; print $1 }'
}

# write_map OUT FILE...: seqid -> taxid for these copies (ids as scale_refs.c names them)
write_map() {
  local out=$1
  shift
  printf '%s\n' "$@" | awk -F'\t' 'NR == FNR { tax[$1] = $2; nseq[$1] = $5; next }
    { for (s = 0; s < nseq[$1]; s++) printf "%sc%ss%04d\t%s\n", substr($1, 1, 4), substr($1, 7, 2), s, tax[$1] }' \
    "$WORK/taxid_of_copy.tsv" - >"$out"
}

# ---------------------------------------------------------------- measuring

# measure RESULT LOG CMD...: run CMD; RESULT gets "wall_s peak_rss_kb peak_extra_disk_kb".
# Extra disk: the largest growth of the used space of WORK's file system while CMD ran (df,
# every 0.5 s): the database plus any temporary files; other processes writing to the same
# disk make it an upper bound.
measure() {
  local result=$1 log=$2 t0 t1 rss used0 sampler
  shift 2
  used0=$(df -k --output=used "$WORK" | tail -1)
  (while :; do df -k --output=used "$WORK" | tail -1; sleep 0.5; done) >"$result.df" &
  sampler=$!
  t0=$(date +%s.%N)
  if ! /usr/bin/time -v -o "$result.time" "$@" >"$log" 2>&1; then
    kill "$sampler"
    tail -n 20 "$log" >&2
    die "command failed (log: $log): $*"
  fi
  t1=$(date +%s.%N)
  kill "$sampler"
  wait "$sampler" 2>/dev/null || true
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$result.time")
  awk -v a="$t0" -v b="$t1" -v r="$rss" -v u0="$used0" '
    { if ($1 - u0 > d) d = $1 - u0 } END { printf "%.3f %d %d\n", b - a, r, d }' "$result.df" >"$result"
}

# too_big TOOL DEN: true (and a note in res/TOOL_DEN.skip) when the step's peak RSS, scaled
# linearly from this tool's previous step, would exceed MEM_LIMIT_MB (default: half of the
# memory available now): on a shared machine an out-of-memory kill may hit someone else's job.
too_big() {
  local tool=$1 den=$2 prev="" d limit need
  for d in $STEPS; do
    [ "$d" = "$den" ] && break
    [ -f "$RES/${tool}_$d" ] && prev=$d
  done
  [ -n "$prev" ] || return 1
  limit=${MEM_LIMIT_MB:-$(awk '/MemAvailable/ {printf "%d", $2 / 2048}' /proc/meminfo)}
  need=$(awk -v r="$(awk '{print $2}' "$RES/${tool}_$prev")" -v a="$(cat "$RES/step_$prev.gbp")" \
           -v b="$(cat "$RES/step_$den.gbp")" 'BEGIN { printf "%d", r / 1024 * b / a }')
  [ "$need" -gt "$limit" ] || return 1
  echo "$tool step 1/$den skipped: predicted peak RSS $need MB > limit $limit MB" >"$RES/${tool}_$den.skip"
  note "$tool step 1/$den skipped: predicted peak RSS $need MB > limit $limit MB (MEM_LIMIT_MB)"
}

build_k2() { # build_k2 DEN FILE...
  local den=$1 db="$WORK/k2_$1" f
  shift
  too_big k2 "$den" && return 0
  rm -rf "$db"
  mkdir -p "$db/taxonomy" "$db/library"
  ln -s "$WORK/taxonomy/nodes.dmp" "$WORK/taxonomy/names.dmp" "$db/taxonomy/"
  write_map "$db/seqid2taxid.map" "$@"
  for f in "$@"; do ln -s "$WORK/refs/$f" "$db/library/$f"; done
  note "kraken2-build --build, step 1/$den ($# copies)"
  measure "$RES/k2_$den" "$RES/k2_$den.log" kraken2-build --build --db "$db" --threads "$THREADS"
  du -cb "$db"/*.k2d | tail -1 | awk '{print $1}' >"$RES/k2_$den.size"
  [ "$KEEP" = 1 ] || rm -rf "$db"
}

build_gb() { # build_gb DEN FILE...
  local den=$1 db="$WORK/gb_$1"
  shift
  too_big gb "$den" && return 0
  rm -rf "$db"
  write_map "$RES/gb_$den.map" "$@"
  note "gutbrain build, step 1/$den ($# copies)"
  measure "$RES/gb_$den" "$RES/gb_$den.log" "$GB" build --taxonomy "$WORK/taxonomy" \
    --seqid2taxid "$RES/gb_$den.map" --db "$db" --threads "$THREADS" "${@/#/$WORK/refs/}"
  du -sb "$db" | awk '{print $1}' >"$RES/gb_$den.size"
  [ "$KEEP" = 1 ] || rm -rf "$db"
}

# ---------------------------------------------------------------- report

# fit TOOL FIELD: "slope intercept r2" of FIELD (1 wall s, 2 RSS MB, 4 DB MB) against Gbp
fit() {
  local den
  for den in $STEPS; do
    [ -f "$RES/$1_$den" ] || continue
    echo "$(cat "$RES/step_$den.gbp") $(cat "$RES/$1_$den") $(cat "$RES/$1_$den.size")"
  done | awk -v f="$2" '
    { x = $1; y = (f == 1) ? $2 : (f == 2) ? $3 / 1024 : $5 / 1048576
      n++; sx += x; sy += y; sxx += x * x; sxy += x * y; syy += y * y }
    END { if (n < 2) { print "nan nan nan"; exit }
          b = (n * sxy - sx * sy) / (n * sxx - sx * sx); a = (sy - b * sx) / n
          sst = syy - sy * sy / n; ssr = 0
          r2 = (sst > 0) ? 1 - (syy - 2 * a * sy - 2 * b * sxy + n * a * a + 2 * a * b * sx + b * b * sxx) / sst : 1
          if (n < 3) printf "%.6g %.6g n/a(2-points)\n", b, a; else printf "%.6g %.6g %.5f\n", b, a, r2 }'
}

cell() { # cell TOOL DEN FIELD: wall s, RSS MB, extra disk MB or DB MB
  local r="$RES/$1_$2"
  [ -f "$r.skip" ] && { echo "skipped"; return; }
  [ -f "$r" ] || { echo "n/a"; return; }
  case $3 in
    wall) awk '{printf "%.1f", $1}' "$r" ;;
    rss) awk '{printf "%.0f", $2 / 1024}' "$r" ;;
    disk) awk '{printf "%.0f", $3 / 1024}' "$r" ;;
    db) awk '{printf "%.1f", $1 / 1048576}' "$r.size" ;;
  esac
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a+0 > 0 && b+0 > 0) printf "%.2f", a / b; else print "n/a" }'; }

print_table() {
  local den
  echo "| step | copies | Gbp | k2 wall s | gb wall s | gb/k2 wall | k2 RSS MB | gb RSS MB | gb/k2 RSS | k2 DB MB | gb DB MB | k2 disk+ MB | gb disk+ MB |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
  for den in $STEPS; do
    local kw gw kr gr
    kw=$(cell k2 "$den" wall) gw=$(cell gb "$den" wall) kr=$(cell k2 "$den" rss) gr=$(cell gb "$den" rss)
    echo "| 1/$den | $(cat "$RES/step_$den.n") | $(cat "$RES/step_$den.gbp") | $kw | $gw | $(ratio "$gw" "$kw") | $kr | $gr | $(ratio "$gr" "$kr") | $(cell k2 "$den" db) | $(cell gb "$den" db) | $(cell k2 "$den" disk) | $(cell gb "$den" disk) |"
  done
}

print_fits() {
  local tool what field slope icpt r2 label unit
  echo "| tool | quantity | per Gbp | intercept | R² | at 100 Gbp | at 1 Tbp |"
  echo "|---|---|---|---|---|---|---|"
  for tool in $TOOLS; do
    for what in "1:wall s" "2:peak RSS MB" "4:DB MB"; do
      field=${what%%:*} label=${what#*:}
      read -r slope icpt r2 <<<"$(fit "$tool" "$field")"
      unit=${label##* }
      awk -v t="$tool" -v l="$label" -v b="$slope" -v a="$icpt" -v r="$r2" -v u="$unit" '
        function h(v) { if (u == "s") return (v >= 3600) ? sprintf("%.1f h", v / 3600) : sprintf("%.0f s", v)
                        return (v >= 1024) ? sprintf("%.1f GB", v / 1024) : sprintf("%.0f MB", v) }
        BEGIN { printf "| %s | %s | %.1f | %.1f | %s | %s | %s |\n", t, l, b, a, r, h(a + 100 * b), h(a + 1000 * b) }'
    done
  done
}

verdict() { # verdict VALUE OP LIMIT: met / NOT met / not measured
  awk -v v="$1" -v op="$2" -v l="$3" 'BEGIN { if (v !~ /^[0-9.]+$/ || v + 0 == 0) { print "not measured"; exit }
    ok = (op == "le") ? v + 0 <= l + 0 : v + 0 >= l + 0; print ok ? "met" : "NOT met" }'
}

print_targets() { # worst ratios over the steps where both tools ran
  local den worst_rss=0 worst_wall=0 r
  for den in $STEPS; do
    r=$(ratio "$(cell gb "$den" rss)" "$(cell k2 "$den" rss)")
    worst_rss=$(awk -v a="$worst_rss" -v b="$r" 'BEGIN { print (b + 0 > a + 0) ? b : a }')
    r=$(ratio "$(cell gb "$den" wall)" "$(cell k2 "$den" wall)")
    worst_wall=$(awk -v a="$worst_wall" -v b="$r" 'BEGIN { print (b + 0 > a + 0) ? b : a }')
  done
  local r2w r2r
  r2w=$(fit gb 1 | awk '{print $3}') r2r=$(fit gb 2 | awk '{print $3}')
  echo "- gutbrain peak RSS ≤ 1.0× kraken2-build's at every step: worst $worst_rss× — $(verdict "$worst_rss" le 1.0)"
  echo "- gutbrain wall ≤ 1/3 of kraken2-build's: worst $worst_wall× — $(verdict "$worst_wall" le 0.3333)"
  echo "- linear in reference size (R² ≥ 0.99): gutbrain wall R² $r2w — $(verdict "$r2w" ge 0.99); RSS R² $r2r — $(verdict "$r2r" ge 0.99)"
}

host_info() {
  local gbv=n/a
  [ -x "$GB" ] && gbv=$("$GB" --version 2>/dev/null | head -1)
  echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'); host: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(awk '/MemTotal/ {printf "%.1f GB", $2/1048576}' /proc/meminfo) RAM"
  echo "- $(kraken2 --version | head -1); gutbrain: $gbv; git $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo '(no commit)')$(git -C "$repo" diff --quiet 2>/dev/null || echo ' (dirty tree)')"
}

machine_info() {
  host_info
  echo "- reference set: benchmarks/scale_refs.c, $COPIES copies of each of the $(ls "$DATA"/refs/*.fna.gz | wc -l) shared genomes at divergence $DIV, seed $SEED: $(awk '{s += $4} END {printf "%.3f", s / 1e9}' "$WORK/taxid_of_copy.tsv") Gbp generated in $(cat "$WORK/refs/.seconds") s (threads $THREADS)$( [ "$QUICK" = 1 ] && echo "; QUICK: all = $FRACTION of it")"
  echo "- threads $THREADS; one run per step and tool, alternating; plain FASTA from the page cache; kraken2-build: \`--build\` only (estimate_capacity + build_db); gutbrain: \`build\`. disk+ = largest growth of used space on WORK's file system during the build (df every 0.5 s; DB + temporary files; an upper bound on a shared disk)"
}

print_assumptions() {
  echo "Extrapolation assumptions: the fitted lines hold beyond 2 Gbp (time and memory linear in"
  echo "the bases, i.e. the synthetic set's ~$(fit k2 4 | awk '{printf "%.0f", $1}') MB of Kraken 2 table per Gbp of new"
  echo "minimizers: real collections such as RefSeq complete genomes are more redundant (many strains"
  echo "of a few species), so their tables and build memory per Gbp are smaller and these figures are"
  echo "upper bounds for them); same 2-core machine and 2 threads (both tools use more threads, so wall"
  echo "times on a real node are shorter); the machine has the RAM of the peak RSS (a 1 Tbp build as"
  echo "extrapolated needs a node with at least that much memory, and free disk for the library, the"
  echo "database and, for gutbrain, the temporary files its build writes: see disk+ above); page cache"
  echo "effects ignored (a 100 Gbp library is read from disk, kraken2-build reads it twice)."
}

record() { # record TITLE REPORT
  local results="$repo/benchmarks/RESULTS.md"
  { echo; echo "## $1 (benchmarks/build_scale.sh), $(date -u '+%Y-%m-%d %H:%M UTC')"; echo
    cat "$2"; } >>"$results"
  note "appended to $results"
}

# ---------------------------------------------------------------- main

main() {
  check_inputs
  mkdir -p "$RES"
  [ "$RESUME" = 1 ] || rm -f "$RES"/*
  generate
  TOTAL_BASES=$(awk '{s += $4} END {print s}' "$WORK/taxid_of_copy.tsv")
  local den i=0 tool order
  for den in $STEPS; do
    local files
    mapfile -t files < <(step_files "$den")
    [ "${#files[@]}" -gt 0 ] || die "step 1/$den is empty"
    echo "${#files[@]}" >"$RES/step_$den.n"
    printf '%s\n' "${files[@]}" | awk -F'\t' 'NR == FNR { b[$1] = $4; next } { s += b[$1] } END { printf "%.3f\n", s / 1e9 }' \
      "$WORK/taxid_of_copy.tsv" - >"$RES/step_$den.gbp"
    order=$TOOLS
    [ $((i % 2)) = 1 ] && order=$(echo "$TOOLS" | awk '{for (j = NF; j >= 1; j--) printf "%s%s", $j, (j > 1) ? " " : ""}')
    for tool in $order; do
      case " $ONLY " in *" $tool "*) ;; *) continue ;; esac
      if [ -f "$RES/${tool}_$den" ] || [ -f "$RES/${tool}_$den.skip" ]; then
        note "$tool step 1/$den measured earlier (RESUME=1)"
        continue
      fi
      "build_$tool" "$den" "${files[@]}"
    done
    i=$((i + 1))
  done
  {
    machine_info
    echo
    print_table
    cat "$RES"/*.skip 2>/dev/null | sed 's/^/- /' | sort -u || true
    echo
    echo "Least-squares lines against Gbp over the steps, and extrapolation:"
    echo
    print_fits
    echo
    print_targets
    echo
    print_assumptions
  } >"$WORK/report.md"
  cat "$WORK/report.md"
  if [ "$RECORD" = 1 ]; then record "build at scale" "$WORK/report.md"; fi
}

# ---------------------------------------------------------------- capped databases

# capped_db TOOL CAP: build TOOL's database of the original genomes, full (CAP 1) or capped at
# 1/CAP of the full one's size, into $CW/TOOL_CAP (timed like the scale steps).
capped_db() {
  local tool=$1 cap=$2 db="$CW/$1_$2" max=() full
  rm -rf "$db"
  if [ "$cap" != 1 ]; then
    full=$(cat "$RES/${tool}_1.size")
    max=(--max-db-size $((full / cap)))
  fi
  if [ "$tool" = k2 ]; then
    mkdir -p "$db/taxonomy" "$db/library"
    ln -s "$DATA/taxonomy/nodes.dmp" "$DATA/taxonomy/names.dmp" "$db/taxonomy/"
    ln -s "$CW/library.fna" "$db/library/library.fna"
    cp "$CW/seqid2taxid.map" "$db/"
    note "kraken2-build --build ${max[*]}"
    measure "$RES/k2_$cap" "$RES/k2_$cap.log" kraken2-build --build --db "$db" --threads "$THREADS" "${max[@]}"
    du -cb "$db"/hash.k2d | tail -1 | awk '{print $1}' >"$RES/k2_$cap.size"
  else
    if [ "$cap" != 1 ] && ! "$GB" build --help 2>&1 | grep -q -- --max-db-size; then
      echo "gb 1/$cap: not run, this gutbrain build has no --max-db-size yet" >"$RES/gb_$cap.skip"
      return 0
    fi
    note "gutbrain build ${max[*]}"
    measure "$RES/gb_$cap" "$RES/gb_$cap.log" "$GB" build --taxonomy "$DATA/taxonomy" \
      --seqid2taxid "$CW/seqid2taxid.map" --db "$db" --threads "$THREADS" "${max[@]}" "$DATA"/refs/*.fna.gz
    du -cb "$db"/gutbrain.db | tail -1 | awk '{print $1}' >"$RES/gb_$cap.size"
  fi
  local r=("$CW/reads/reads_R1.fq" "$CW/reads/reads_R2.fq")
  if [ "$tool" = k2 ]; then
    kraken2 --db "$db" --threads "$THREADS" --paired --output "$CW/out/k2_$cap.kraken" "${r[@]}" 2>"$CW/out/k2_$cap.log"
  else
    "$GB" classify --db "$db" --threads "$THREADS" --paired --output "$CW/out/gb_$cap.kraken" "${r[@]}" \
      2>"$CW/out/gb_$cap.log"
  fi
}

capped_main() {
  check_inputs
  CW=$WORK/capped
  RES=$CW/res
  READS=${READS:-500}
  CAPS=${CAPS:-4 16}
  mkdir -p "$RES" "$CW/out" "$CW/reads"
  rm -f "$RES"/* "$CW"/out/*
  local genomes=("$DATA"/refs/*.fna.gz) key
  key=$({ md5sum "${genomes[@]}" "$repo/benchmarks/simulate_reads.sh" | awk '{print $1}'; echo "$READS $SEED"; } | md5sum)
  if ! [ -f "$CW/reads/.stamp" ] || [ "$(cat "$CW/reads/.stamp")" != "$key" ]; then
    note "simulating $READS ART pairs per genome"
    bash "$repo/benchmarks/simulate_reads.sh" "$CW/reads/reads" "$READS" paired150 "$SEED" "${genomes[@]}" \
      "$DATA/seqid2taxid.tsv"
    echo "$key" >"$CW/reads/.stamp"
  fi
  # truth: ids are r<7 digits>|taxid|<taxid>/1 (simulate_reads.sh)
  awk 'NR % 4 == 1 { id = substr($1, 2); sub(/\/1$/, "", id); n = split(id, p, "|"); print id "\t" p[n] }' \
    "$CW/reads/reads_R1.fq" >"$CW/truth.tsv"
  zcat "${genomes[@]}" >"$CW/library.fna"
  awk -F'\t' '$0 !~ /^#/ { print $1 "\t" $2 }' "$DATA/seqid2taxid.tsv" >"$CW/seqid2taxid.map"
  local tool cap outs=()
  for tool in $TOOLS; do
    for cap in 1 $CAPS; do
      capped_db "$tool" "$cap"
      [ -f "$CW/out/${tool}_$cap.kraken" ] && outs+=("${tool}_1/$cap=$CW/out/${tool}_$cap.kraken")
    done
  done
  rm -f "$CW/library.fna"
  [ "$KEEP" = 1 ] || rm -rf "$CW"/k2_* "$CW"/gb_*
  {
    host_info
    echo "- the ${#genomes[@]} shared genomes; capped = \`--max-db-size\` of 1/N of the tool's full table (Kraken 2: hash.k2d;"
    echo "  gutbrain: gutbrain.db); $(( $(wc -l <"$CW/truth.tsv") )) ART HS25 2x150 pairs ($READS per genome, seed $SEED); confidence 0"
    echo
    echo "| DB | table MB | build wall s | build RSS MB |"
    echo "|---|---|---|---|"
    for tool in $TOOLS; do
      for cap in 1 $CAPS; do
        [ -f "$RES/${tool}_$cap" ] || continue
        echo "| ${tool} 1/$cap | $(cell "$tool" "$cap" db) | $(cell "$tool" "$cap" wall) | $(cell "$tool" "$cap" rss) |"
      done
    done
    cat "$RES"/*.skip 2>/dev/null | sed 's/^/- /' || true
    echo
    "$GB" bench --truth "$CW/truth.tsv" --taxonomy "$DATA/taxonomy" --ranks species,genus \
      --out "$CW/bench" "${outs[@]}" >/dev/null
    cat "$CW/bench.md"
  } >"$CW/report.md"
  cat "$CW/report.md"
  if [ "$RECORD" = 1 ]; then record "capped databases" "$CW/report.md"; fi
}

if [ "$CAPPED" = 1 ]; then capped_main; else main "$@"; fi
