#!/usr/bin/env bash
# slurm/nightly.sbatch on a real Slurm cluster started on localhost (private munge and
# Slurm daemons under the temp dir, stopped at the end): 2 ranks launched by srun --mpi=pmix
# give the cohort of a run without Slurm, stats run into the dated folder, `latest` points at
# it and the summaries count the samples; the next "night" with 3 new rows classifies only
# those into a second dated folder; scancel mid-run stops the ranks cleanly (exit 143, finished
# samples kept) and the resubmitted job completes with the uninterrupted cohort; the time-limit
# warning (--signal=B:TERM, sent here with scancel --batch) requeues the job, which resumes in
# the same dated folder to the uninterrupted cohort; LAUNCH=mpirun works too.
# Skipped (exit 0) when slurm-wlm or munge are not installed.
# Prints ok/FAIL per check; exit 1 on any FAIL.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash"
source "$(dirname "${BASH_SOURCE[0]}")/run_lib.bash"

for tool in slurmctld slurmd munged mungekey sbatch squeue scontrol scancel; do
  if ! command -v "$tool" > /dev/null; then
    skip "Slurm test: '$tool' not installed (Debian: slurm-wlm munge)"
    finish; exit 0
  fi
done

SBATCH_SCRIPT=$ROOT/slurm/nightly.sbatch
W=$TMP/slurm
HOST=$(hostname -s)
# Ports of our own, so a second instance or a system Slurm does not collide.
PORT=$((20000 + ($$ % 5000) * 2))
MUNGE_PID="" CTLD_PID="" SLURMD_PID=""

# ---------------------------------------------------------------- the cluster
stop_cluster() {
  local pid
  if [ -n "$CTLD_PID$SLURMD_PID" ]; then
    scontrol shutdown > /dev/null 2>&1
    for pid in $CTLD_PID $SLURMD_PID; do
      for _ in $(seq 100); do kill -0 "$pid" 2> /dev/null || break; sleep 0.1; done
      kill "$pid" 2> /dev/null   # still there after 10 s: by its pid only
    done
  fi
  [ -n "$MUNGE_PID" ] && kill "$MUNGE_PID" 2> /dev/null
  CTLD_PID="" SLURMD_PID="" MUNGE_PID=""
}
trap 'stop_cluster; cleanup' EXIT

start_cluster() {
  mkdir -p "$W/munge" "$W/state" "$W/spool"
  chmod 755 "$W" "$W/munge" "$TMP"   # munge checks the socket path is reachable
  mungekey -c -k "$W/munge.key" 2> "$W/mungekey.err" || { show "$W/mungekey.err"; return 1; }
  chmod 600 "$W/munge.key"
  munged -S "$W/munge/munge.socket" --key-file="$W/munge.key" --pid-file="$W/munged.pid" \
    --log-file="$W/munged.log" --seed-file="$W/munged.seed" --force 2> "$W/munged.err" ||
    { show "$W/munged.err"; return 1; }
  MUNGE_PID=$(cat "$W/munged.pid")
  cat > "$W/slurm.conf" <<EOF
ClusterName=gbtest
SlurmctldHost=$HOST(127.0.0.1)
SlurmctldPort=$PORT
SlurmdPort=$((PORT + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$W/munge/munge.socket,cred_expire=10
CredType=cred/munge
StateSaveLocation=$W/state
SlurmdSpoolDir=$W/spool
SlurmctldPidFile=$W/slurmctld.pid
SlurmdPidFile=$W/slurmd.pid
SlurmctldLogFile=$W/slurmctld.log
SlurmdLogFile=$W/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=pmix
ReturnToService=2
MailProg=/bin/true
KillWait=20
SlurmdParameters=config_overrides
DependencyParameters=kill_invalid_depend
SchedulerParameters=batch_sched_delay=0
NodeName=$HOST NodeAddr=127.0.0.1 CPUs=4 RealMemory=16384 State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP OverSubscribe=FORCE:2
EOF
  export SLURM_CONF=$W/slurm.conf
  slurmctld -i 2> "$W/slurmctld.err" || { show "$W/slurmctld.err"; return 1; }
  for _ in $(seq 50); do [ -s "$W/slurmctld.pid" ] && break; sleep 0.1; done
  CTLD_PID=$(cat "$W/slurmctld.pid" 2> /dev/null)
  slurmd 2> "$W/slurmd.err" || { show "$W/slurmd.err"; return 1; }
  for _ in $(seq 50); do [ -s "$W/slurmd.pid" ] && break; sleep 0.1; done
  SLURMD_PID=$(cat "$W/slurmd.pid" 2> /dev/null)
  for _ in $(seq 100); do
    case $(sinfo -h -o %T 2> /dev/null) in idle*) return 0 ;; esac
    sleep 0.1
  done
  echo "      node never became idle: $(sinfo -h -o '%T %E' 2>&1)"
  show "$W/slurmctld.log" 5; show "$W/slurmd.log" 5
  return 1
}

# submit NAME [sbatch args...]: submit the nightly script; JOB = its id, output $TMP/NAME.log.
submit() {
  local name=$1
  shift
  JOB=$(sbatch --parsable -o "$TMP/$name.log" -e "$TMP/$name.log" "$@" "$SBATCH_SCRIPT" 2> "$TMP/$name.sbatch.err")
  [ -n "$JOB" ] || { fail "$name: sbatch refused: $(cat "$TMP/$name.sbatch.err")"; return 1; }
}

# wait_job NAME: until the job left the queue (at most RUN_TIMEOUT s); JOB_STATE, JOB_EXIT
# ("rc:signal") from scontrol.
wait_job() {
  local info
  for _ in $(seq $((RUN_TIMEOUT * 10))); do
    info=$(scontrol -o show job "$JOB" 2> /dev/null)
    case $info in *JobState=PENDING* | *JobState=RUNNING* | *JobState=CONFIGURING* | *JobState=COMPLETING*) sleep 0.1 ;; *) break ;; esac
  done
  JOB_STATE=$(grep -o 'JobState=[A-Z_]*' <<< "$info" | cut -d= -f2)
  JOB_EXIT=$(grep -o ' ExitCode=[0-9:]*' <<< "$info" | cut -d= -f2)
}

# job_ok NAME [sbatch args...]: submit, wait, FAIL unless COMPLETED with exit 0.
job_ok() {
  local name=$1
  shift
  submit "$name" "$@" || return 1
  wait_job
  [ "$JOB_STATE" = COMPLETED ] && [ "$JOB_EXIT" = 0:0 ] && return 0
  fail "$name: job $JOB $JOB_STATE, exit $JOB_EXIT"; show "$TMP/$name.log" 12
  return 1
}

# ---------------------------------------------------------------- setup
setup_cohort
if ! start_cluster; then
  fail "Slurm cluster on localhost did not start (logs in $W)"
  finish; exit 1
fi
ok "Slurm cluster on localhost: $(sinfo -h -o '%P %D node(s) %c CPUs %T')"
gb_run_ok ref 0 "$TMP/out_ref" "$SHEET" --threads 1 && cohort_dump "$TMP/out_ref/cohort.biom" "$TMP/ref.dump" ||
  { fail "reference run without Slurm"; finish; exit 1; }
export DB GB
OUT=$TMP/out_slurm
N=${#COHORT_IDS[@]}
# Metadata for stats: every sample of both nights, two alternating groups.
META=$TMP/meta.tsv
{ printf 'sample\tgroup\n'; i=0
  for id in "${COHORT_IDS[@]}" n01 n02 n03; do printf '%s\t%s\n' "$id" "g$((i++ % 2))"; done; } > "$META"
STATS="METADATA=$META,VARIABLE=group,STATS_ARGS=--rank none --permutations 99"

# summary_is NAME DIR WANT: DIR/summary.tsv's columns samples_total..exit (6-11) are WANT.
summary_is() {
  local got
  got=$(awk -F'\t' 'NR == 2 { print $6, $7, $8, $9, $10, $11 }' "$2/summary.tsv" 2> /dev/null)
  [ "$got" = "$3" ] && ok "$1: summary.tsv total/new/failed/run/stats/exit = $got" ||
    { fail "$1: summary.tsv says '$got', want '$3'"; show "$2/summary.tsv"; }
}

# latest_is NAME NIGHT: OUT/latest is a symbolic link to nights/NIGHT.
latest_is() {
  [ -L "$OUT/latest" ] && [ "$(readlink "$OUT/latest")" = "nights/$2" ] && ok "$1: latest -> nights/$2" ||
    fail "$1: latest is '$(readlink "$OUT/latest" 2> /dev/null)', want nights/$2"
}

# ---------------------------------------------------------------- srun --mpi=pmix, 2 ranks
if job_ok night1 "--export=ALL,SHEET=$SHEET,OUT=$OUT,NIGHT=d1,$STATS" --ntasks=2 --cpus-per-task=1 --mem=1G; then
  ok "night 1: job $JOB completed, exit 0 (2 ranks, srun --mpi=pmix)"
  if grep -q 'r1\]' "$TMP/night1.log" || grep -qE '^ +1 +[0-9]' "$TMP/night1.log"; then ok "night 1: 2 ranks took part"
  else fail "night 1: no trace of rank 1 in the job's output"; show "$TMP/night1.log" 10; fi
  cohort_dump "$OUT/run/cohort.biom" "$TMP/night1.dump" 2> "$TMP/night1.dump.err" &&
    same_file "night 1: cohort = run without Slurm" "$TMP/ref.dump" "$TMP/night1.dump"
  [ -s "$OUT/nights/d1/stats/associations.tsv" ] && [ -s "$OUT/nights/d1/stats/permanova.tsv" ] &&
    ok "night 1: stats in nights/d1/stats" || fail "night 1: no stats in nights/d1/stats"
  latest_is "night 1" d1
  summary_is "night 1" "$OUT/nights/d1" "$N $N 0 0 0 0"
fi

# Night 2: three new rows, only they are classified.
mkdir -p "$TMP/night"
: > "$TMP/night/sheet.csv"
add_sample "$TMP/night" n01 paired gz    abs 400 30 "${TINY_REFS[0]}" "${TINY_REFS[3]}"
add_sample "$TMP/night" n02 single plain abs 250 10 "${TINY_REFS[1]}"
add_sample "$TMP/night" n03 paired plain abs 90  90 "${TINY_REFS[2]}"
cat "$SHEET" "$TMP/night/sheet.csv" > "$TMP/cohort/sheet2.csv"
if job_ok night2 "--export=ALL,SHEET=$TMP/cohort/sheet2.csv,OUT=$OUT,NIGHT=d2,$STATS" --ntasks=2 --cpus-per-task=1 --mem=1G; then
  got=$(reused_count "$TMP/night2.log")
  [ "$got" = "$N" ] && ok "night 2: $N samples reused, the 3 new ones classified" ||
    fail "night 2: $got reused (want $N)"
  latest_is "night 2" d2
  summary_is "night 2" "$OUT/nights/d2" "$((N + 3)) 3 0 0 0 0"
  cohort_dump "$OUT/nights/d1/cohort.biom" "$TMP/d1.dump" 2> /dev/null &&
    same_file "night 2: nights/d1/cohort.biom is still night 1's" "$TMP/ref.dump" "$TMP/d1.dump"
  [ "$(wc -l < "$OUT/nightly.tsv")" -eq 3 ] && ok "night 2: nightly.tsv has a header and 2 rows" ||
    { fail "night 2: nightly.tsv has $(wc -l < "$OUT/nightly.tsv") lines (want 3)"; show "$OUT/nightly.tsv"; }
fi

# ---------------------------------------------------------------- scancel mid-run, resubmit
sim_pairs "$TMP/big" 25000 10000 "${TINY_REFS[@]}"
BIG=$TMP/big_sheet.csv
{ echo "sample,fastq_1,fastq_2"
  for i in $(seq -w 1 20); do echo "big$i,$TMP/big_R1.fastq,$TMP/big_R2.fastq"; done; } > "$BIG"
gb_run_ok bigref 2 "$TMP/out_bigref" "$BIG" --threads 1 && cohort_dump "$TMP/out_bigref/cohort.biom" "$TMP/bigref.dump"
OUTC=$TMP/out_cancel
if submit cancel "--export=ALL,SHEET=$BIG,OUT=$OUTC" --ntasks=2 --cpus-per-task=1 --mem=1G; then
  for _ in $(seq $((RUN_TIMEOUT * 100))); do
    compgen -G "$OUTC/run/samples/*.profile.tsv" > /dev/null && break
    squeue -h -j "$JOB" 2> /dev/null | grep -q . || break
    sleep 0.01
  done
  scancel "$JOB"
  wait_job
  n_done=$(find "$OUTC/run/samples" -name '*.profile.tsv' 2> /dev/null | wc -l)
  n_stopped=$(grep -c '^\[W::run_job r[0-9]*\] stopped by a signal' "$TMP/cancel.log")
  if [ "$JOB_STATE" != CANCELLED ]; then
    fail "scancel: job $JOB_STATE (want CANCELLED: a user's scancel must not requeue the job)"
  elif [ "$n_done" -lt 20 ] && [ "$n_stopped" -eq 2 ]; then
    ok "scancel: both ranks stopped cleanly after $n_done of 20 samples (job $JOB_STATE, exit $JOB_EXIT)"
  elif [ "$n_done" -ge 20 ]; then
    skip "scancel: the job finished all 20 samples before the cancel took effect"
  else
    fail "scancel: $n_stopped of 2 ranks report a clean stop ($n_done samples done, job $JOB_STATE, exit $JOB_EXIT)"
    show "$TMP/cancel.log" 12
  fi
  expect_no_tmp_files scancel "$OUTC"
  if job_ok resubmit "--export=ALL,SHEET=$BIG,OUT=$OUTC" --ntasks=2 --cpus-per-task=1 --mem=1G; then
    got=$(reused_count "$TMP/resubmit.log")
    [ "$got" = "$n_done" ] && ok "resubmitted: $got finished samples reused" || fail "resubmitted: $got reused (want $n_done)"
    cohort_dump "$OUTC/run/cohort.biom" "$TMP/resubmit.dump" 2> /dev/null &&
      same_file "resubmitted after scancel: cohort = uninterrupted run's" "$TMP/bigref.dump" "$TMP/resubmit.dump"
  fi
fi

# ---------------------------------------------------------------- time-limit warning: requeue
# --signal=B:TERM@secs sends SIGTERM to the batch shell alone; scancel --batch does the same.
OUTR=$TMP/out_requeue
if submit requeue "--export=ALL,SHEET=$BIG,OUT=$OUTR" --ntasks=2 --cpus-per-task=1 --mem=1G; then
  for _ in $(seq $((RUN_TIMEOUT * 100))); do
    compgen -G "$OUTR/run/samples/*.profile.tsv" > /dev/null && break
    squeue -h -j "$JOB" 2> /dev/null | grep -q . || break
    sleep 0.01
  done
  scancel --batch --signal=TERM "$JOB"
  # Until the requeued job has run to its end (Slurm holds a requeued job for the credential
  # lifetime, cred_expire: 120 s by default, 10 s on this cluster).
  for _ in $(seq $((RUN_TIMEOUT * 10))); do
    info=$(scontrol -o show job "$JOB" 2> /dev/null)
    # A requeued attempt shows its end state for a moment: done when the log has no requeue
    # or a second summary line.
    case $info in
      *JobState=COMPLETED* | *JobState=FAILED* | *JobState=CANCELLED* | *JobState=TIMEOUT*)
        grep -q 'requeued job' "$TMP/requeue.log" || break
        [ "$(grep -c '^gutbrain nightly .* job [0-9]*:' "$TMP/requeue.log")" -ge 2 ] && break ;;
    esac
    sleep 0.1
  done
  restarts=$(grep -o 'Restarts=[0-9]*' <<< "$info" | cut -d= -f2)
  nights=$(find "$OUTR/nights" -mindepth 1 -maxdepth 1 -type d | wc -l)
  rows=$(awk -F'\t' 'NR > 1 { printf "%s%s/%s", sep, $7, $11; sep = " " }' "$OUTR/nightly.tsv" 2> /dev/null)
  if grep -q 'requeued job' "$TMP/requeue.log" && [ "$restarts" = 1 ] && [[ $info == *JobState=COMPLETED* ]]; then
    ok "time-limit warning: job $JOB stopped, requeued itself and completed (new/exit per attempt: $rows)"
  elif [[ $rows != *" "* ]] && [[ $rows == */0 ]]; then
    skip "time-limit warning: the job finished all 20 samples before the signal took effect"
  else
    fail "time-limit warning: restarts $restarts, $(grep -o 'JobState=[A-Z_]*' <<< "$info"), attempts $rows"
    show "$TMP/requeue.log" 15
  fi
  [ "$nights" -eq 1 ] && ok "requeued: resumed in the same dated folder ($(ls "$OUTR/nights"))" ||
    fail "requeued: $nights dated folders (want 1): $(ls "$OUTR/nights" | tr '\n' ' ')"
  # "new" counts the night's samples across its attempts: all 20 by the last one.
  awk -F'\t' 'END { exit !($7 == 20 && $11 == 0) }' "$OUTR/nightly.tsv" &&
    ok "requeued: the night's last row says 20 new samples, exit 0" || { fail "requeued: last row of nightly.tsv"; show "$OUTR/nightly.tsv"; }
  cohort_dump "$OUTR/run/cohort.biom" "$TMP/requeue.dump" 2> /dev/null &&
    same_file "requeued: cohort = uninterrupted run's" "$TMP/bigref.dump" "$TMP/requeue.dump"
fi

# ---------------------------------------------------------------- LAUNCH=mpirun inside the allocation
if job_ok mpirun "--export=ALL,SHEET=$SHEET,OUT=$TMP/out_mpirun,LAUNCH=mpirun" --ntasks=2 --cpus-per-task=1 --mem=1G; then
  cohort_dump "$TMP/out_mpirun/run/cohort.biom" "$TMP/mpirun.dump" 2> /dev/null &&
    same_file "LAUNCH=mpirun in the allocation: cohort = run without Slurm" "$TMP/ref.dump" "$TMP/mpirun.dump"
fi

# A failed sample makes the job fail with gutbrain's exit 3 (so afterok does not follow).
printf 'sample,fastq_1,fastq_2\nmissing,%s,\n' "$TMP/no_such.fastq" | cat - <(tail -n +2 "$SHEET") > "$TMP/cohort/bad.csv"
if submit bad "--export=ALL,SHEET=$TMP/cohort/bad.csv,OUT=$TMP/out_bad" --ntasks=2 --cpus-per-task=1 --mem=1G; then
  wait_job
  [ "$JOB_EXIT" = 3:0 ] && ok "a failed sample: job exit 3 ($JOB_STATE), failed.tsv: $(tail -n +2 "$TMP/out_bad/run/failed.tsv" | cut -f1)" ||
    { fail "a failed sample: job $JOB_STATE, exit $JOB_EXIT (want 3:0)"; show "$TMP/bad.log" 8; }
fi

stop_cluster
finish
