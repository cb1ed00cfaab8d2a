# Helpers for the `gutbrain run` integration scripts (run_mpi.sh, run_resume.sh, run_faults.sh,
# run_failures.sh). Sourced after lib.bash, never run (run.sh only runs *.sh).
# Provides: one OpenMP thread per rank, gb_run (with or without mpirun, under a timeout), a
# small mixed cohort (make_cohort; setup_cohort builds the DB and the cohort), cohort dumps
# through Debian's biom-format (cohort_dump), kreport direct counts, file-time snapshots and
# the "reused" count of a run's log.

# Oversubscribed ranks run one thread each (docs/HACKING.md, MPI tests on one machine).
export OMP_NUM_THREADS=1
# Debian's python3-biom-format and python3-h5py are only visible to /usr/bin/python3.
PY=/usr/bin/python3
# A hung MPI job must fail the test, not hang CI: TERM after RUN_TIMEOUT s, KILL 10 s later.
RUN_TIMEOUT=${RUN_TIMEOUT:-120}

command -v mpirun > /dev/null || die "mpirun not found (Debian: openmpi-bin)"
"$PY" -c 'import biom, h5py' 2> /dev/null || die "$PY cannot import biom and h5py (Debian: python3-biom-format python3-h5py)"

# gb_run NAME RANKS OUT SHEET [ARGS...]: gutbrain run on $DB, RANKS 0 = without mpirun.
# stdout/stderr in $TMP/NAME.{out,err}; the exit code in RC (also returned).
gb_run() {
  local name=$1 ranks=$2 out=$3 sheet=$4
  shift 4
  local cmd=("$GB" run --db "$DB" --samples "$sheet" --out "$out" "$@")
  [ "$ranks" -gt 0 ] && cmd=(mpirun --oversubscribe -n "$ranks" "${cmd[@]}")
  timeout -k 10 "$RUN_TIMEOUT" "${cmd[@]}" > "$TMP/$name.out" 2> "$TMP/$name.err"
  RC=$?
  return $RC
}

# gb_run_ok NAME RANKS OUT SHEET [ARGS...]: gb_run, FAIL with the log unless it exits 0.
gb_run_ok() {
  gb_run "$@" && return 0
  fail "$1: gutbrain run exit $RC (want 0)"
  show "$TMP/$1.err" 12
  return 1
}

# ---------------------------------------------------------------- a mixed cohort
# make_cohort DIR: ten samples of different sizes and compositions from the tiny references
# (build_tiny_db first): paired and single-end, plain, gzip and zstd, one with no classifiable
# read, a sample id with '.', '-' and '_', two rows with paths relative to the sheet.
# Writes DIR/sheet.csv and sets COHORT_IDS (sheet order) and CLASSIFY_ARGS[id] (the input
# arguments of `gutbrain classify` for that sample alone).
declare -a COHORT_IDS=()
declare -A CLASSIFY_ARGS=()
make_cohort() {
  local dir=$1 lam=${TINY_REFS[0]} dwv=${TINY_REFS[1]} vdv=${TINY_REFS[2]} eco=${TINY_REFS[3]}
  mkdir -p "$dir"
  COHORT_IDS=()
  echo "sample,fastq_1,fastq_2" > "$dir/sheet.csv"
  #          id          layout  encoding  path   pairs/ref random refs
  add_sample "$dir" s01         paired  plain     abs    300  100  "$lam" "$dwv" "$vdv" "$eco"
  add_sample "$dir" s02         paired  gz        abs    1500  20  "$lam" "$eco"
  add_sample "$dir" s03         single  plain     rel    400   50  "$dwv" "$vdv"
  add_sample "$dir" s04         single  gz        abs    2500   0  "$eco"
  add_sample "$dir" s05         paired  zst       abs    120  300  "$dwv"
  add_sample "$dir" s06         paired  plain     abs    0    500
  add_sample "$dir" gut.S-07_x  paired  gz        abs    800  200  "$lam" "$dwv" "$vdv" "$eco"
  add_sample "$dir" s08         single  plain     abs    60    10  "$lam"
  add_sample "$dir" s09         paired  plain     rel    1000   0  "$vdv" "$eco"
  add_sample "$dir" s10         paired  gz        abs    3000 1000 "$lam" "$dwv" "$vdv" "$eco"
}

# setup_cohort: setup_tiny_db, then the mixed cohort in $TMP/cohort with its sheet in SHEET.
setup_cohort() {
  setup_tiny_db
  make_cohort "$TMP/cohort"
  SHEET=$TMP/cohort/sheet.csv
}

# add_sample DIR ID paired|single plain|gz|zst abs|rel PAIRS_PER_REF RANDOM_PAIRS REFS...
add_sample() {
  local dir=$1 id=$2 layout=$3 enc=$4 where=$5 per=$6 rnd=$7
  shift 7
  local prefix=$dir/reads/$id f r1 r2=""
  mkdir -p "$dir/reads"
  sim_pairs "$prefix" "$per" "$rnd" "$@"
  [ "$layout" = single ] && rm -f "${prefix}_R2.fastq"
  for f in "${prefix}"_R[12].fastq; do
    case $enc in
      gz) gzip -f -n "$f" ;;
      zst) zstd -q --rm -f "$f" ;;
    esac
  done
  case $enc in gz) r1=${prefix}_R1.fastq.gz ;; zst) r1=${prefix}_R1.fastq.zst ;; *) r1=${prefix}_R1.fastq ;; esac
  [ "$layout" = paired ] && r2=${r1/_R1./_R2.}
  COHORT_IDS+=("$id")
  if [ -n "$r2" ]; then CLASSIFY_ARGS[$id]="--paired $r1 $r2"; else CLASSIFY_ARGS[$id]="$r1"; fi
  if [ "$where" = rel ]; then
    r1=${r1#"$dir"/}
    [ -n "$r2" ] && r2=${r2#"$dir"/}
  fi
  echo "$id,$r1,$r2" >> "$dir/sheet.csv"
}

# classify_alone ID REPORT: `gutbrain classify` of one cohort sample, kreport to REPORT.
classify_alone() {
  local id=$1 report=$2 args
  read -r -a args <<< "${CLASSIFY_ARGS[$id]}"
  "$GB" classify --db "$DB" --threads 1 --output /dev/null --report "$report" "${args[@]}" 2> "$report.err"
}

# ---------------------------------------------------------------- reading results
# cohort_dump BIOM OUT: the table's content as text, via biom.load_table: "samples" and
# "observations" lines (ids in file order), then "taxid<TAB>sample<TAB>count" for every
# non-zero entry. Creation dates and other attributes are left out on purpose: two runs
# agree when their dumps are byte-identical. Also checks BIOM's own invariants (format
# version 2.1, taxonomy lineage metadata on every observation); returns non-zero with a
# message on stderr when the file does not load or breaks one of them.
cohort_dump() {
  "$PY" - "$1" > "$2" <<'EOF'
import sys, biom, h5py
path = sys.argv[1]
t = biom.load_table(path)
with h5py.File(path, "r") as f:
    version = tuple(int(v) for v in f.attrs["format-version"])
    if version != (2, 1):
        sys.exit("format-version is %s, want 2.1" % (version,))
obs, samples = list(t.ids("observation")), list(t.ids())
md = t.metadata(axis="observation")
if obs and (md is None or any("taxonomy" not in m or not list(m["taxonomy"]) for m in md)):
    sys.exit("observations without taxonomy metadata")
print("samples\t" + "\t".join(samples))
print("observations\t" + "\t".join(obs))
for o in obs:
    for s, v in zip(samples, t.data(o, "observation", dense=True)):
        if v != 0:
            print("%s\t%s\t%s" % (o, s, int(v) if v == int(v) else repr(float(v))))
EOF
}

# kreport_direct KREPORT: "taxid<TAB>count" of every taxon with a non-zero direct count
# (kreport columns 3 and 5), unclassified (taxid 0) left out, sorted by taxid.
kreport_direct() {
  awk -F'\t' '$3 > 0 && $5 != 0 { gsub(/ /, "", $5); print $5 "\t" $3 }' "$1" | sort -k1,1n
}

# dump_column DUMP SAMPLE: "taxid<TAB>count" of one sample in a cohort dump, sorted by taxid.
dump_column() {
  awk -F'\t' -v s="$2" 'NR > 2 && $2 == s { print $1 "\t" $3 }' "$1" | sort -k1,1n
}

# profile_rows OUT ID: "taxid<TAB>count" rows of OUT/samples/ID.profile.tsv.
profile_rows() {
  awk -F'\t' '!/^#/ && $1 != "taxid"' "$1/samples/$2.profile.tsv" | sort -k1,1n
}

# file_times OUT: "name mtime" of every file under OUT/samples (nanosecond mtimes).
file_times() { find "$1/samples" -type f -printf '%f %T@\n' | sort; }

# reused_count ERRFILE: samples a run reused, from rank 0's last progress line
# ("D/N samples (R reused), F failed, ..."); "?" when there is none.
reused_count() {
  grep -Eo '[0-9]+/[0-9]+ samples \([0-9]+ reused\)' "$1" | tail -n 1 | sed -E 's/.*\(([0-9]+) reused\)/\1/' |
    grep . || echo "?"
}

# tmp_files OUT: temporary files left under OUT (names with .tmp.).
tmp_files() { find "$1" -name '*.tmp.*' -printf '%P ' 2> /dev/null; }

# expect_no_tmp_files WHAT OUT: ok when no temporary file is left under OUT, else FAIL naming them.
expect_no_tmp_files() {
  local left
  left=$(tmp_files "$2")
  if [ -z "$left" ]; then ok "$1: no temporary files left"; else fail "$1: temporary files left: $left"; fi
}

# same_file NAME A B: ok when A and B are byte-identical, else FAIL with a diff excerpt.
same_file() {
  if cmp -s "$2" "$3"; then
    ok "$1"
  else
    fail "$1: $2 and $3 differ"
    diff "$2" "$3" 2>&1 | head -n 6 | sed 's/^/      | /'
  fi
}

# ---------------------------------------------------------------- interrupted runs
# start_bg NAME RANKS OUT SHEET: a run of SHEET (--threads 1) in the background, RANKS 0 = no
# mpirun, under a timeout; sets BG (the timeout wrapper's pid: `wait "$BG"` gives the exit
# code) and LEAD (mpirun's pid, or gutbrain's without mpirun).
start_bg() {
  local name=$1 ranks=$2 out=$3 sheet=$4
  local cmd=("$GB" run --db "$DB" --samples "$sheet" --out "$out" --threads 1)
  [ "$ranks" -gt 0 ] && cmd=(mpirun --oversubscribe -n "$ranks" "${cmd[@]}")
  timeout -k 10 "$RUN_TIMEOUT" "${cmd[@]}" > "$TMP/$name.out" 2> "$TMP/$name.err" &
  BG=$!
  LEAD=""
  while [ -z "$LEAD" ] && kill -0 "$BG" 2> /dev/null; do LEAD=$(pgrep -P "$BG"); sleep 0.01; done
}

# wait_first_profile OUT: wait until a sample's profile exists; non-zero if the job ended first.
wait_first_profile() {
  until compgen -G "$1/samples/*.profile.tsv" > /dev/null; do
    kill -0 "$BG" 2> /dev/null || return 1
    sleep 0.01
  done
}

# ranks_of OUT: pids of the gutbrain processes (not mpirun) of the run writing OUT.
ranks_of() { pgrep -f "^$GB run .*--out $1( |\$)"; }

# only_complete_files WHAT OUT REF: ok when every file under its final name in OUT/samples
# (temporaries *.tmp.* aside) is byte-identical to REF/samples' file of that name, i.e. an
# interrupted or failed run left nothing half-written; else FAIL naming the others.
only_complete_files() {
  local what=$1 out=$2 ref=$3 f bad="" n=0
  for f in "$out"/samples/*; do
    [ -f "$f" ] || continue
    case $f in *.tmp.*) continue ;; esac
    n=$((n + 1))
    cmp -s "$f" "$ref/samples/${f##*/}" || bad+=" ${f##*/}"
  done
  if [ -z "$bad" ]; then ok "$what: the $n files under final names in samples/ are complete (= clean run's)"
  else fail "$what: files under final names that differ from a clean run's:$bad"; fi
}
