#!/bin/bash
#$ -S /bin/bash
#$ -cwd
#$ -V
#$ -N train
#$ -o /home/ada/milex-sge/slurm/$JOB_NAME-$JOB_ID_$TASK_ID.out
#$ -q all.q
#$ -l h_rt=7200
#$ -l h_vmem=2048M
#$ -t 1-10
#$ -tc 2
#$ -pe smp 4
#$ -l gpu=1
#$ -j y
#
# Rendered by milex 0.1.0 from job train of bundle sweep_20261122023840 for machine local-sge.
# Every word of the application call is single-quoted: it arrives exactly as it was scheduled.

export MILEX='/home/ada/milex-sge'

export MILEX_ATTEMPT=$(( 2 + ${RESTARTED:-0} ))
# Grid Engine's variables as milex's: its array tasks count from 1, milex's from 0
if [ "${SGE_TASK_ID:-undefined}" != undefined ]; then
  # An array of listed tasks runs over their whole range: the others end here, leaving nothing.
  if [ -n "${MILEX_TASKS:-}" ] && [[ ":$MILEX_TASKS:" != *":$(( SGE_TASK_ID - 1 )):"* ]]; then
    rm -f "${SGE_STDOUT_PATH:-}" "${SGE_STDERR_PATH:-}"
    exit 0
  fi
  milex_id="${JOB_ID}_$(( SGE_TASK_ID - 1 ))"
  export MILEX_TASK_ID=$(( SGE_TASK_ID - 1 + ${MILEX_TASK_OFFSET:-0} ))
else
  milex_id="${JOB_ID:-$$}"
  export MILEX_TASK_ID=0
fi
export MILEX_JOB_ID="${JOB_ID:-$$}"
milex_name="${JOB_NAME:-}"
# The submitting shell's PATH, as SLURM passes it (the job's shell may have read a profile since)
if [ -n "${SGE_O_PATH:-}" ]; then export PATH="$SGE_O_PATH"; fi
export MILEX_CHECKPOINT_DIR="$MILEX"/checkpoints/'sweep_20261122023840'/'train'/"$MILEX_TASK_ID"
# When and how the job ended, for milex status where the cluster keeps no accounting.
milex_status_file="$MILEX/slurm/${milex_name:-train}-$milex_id.status"
# Dependencies (qsub -hold_jid waits for their end, whatever their exit status): each must
# have ended well, as its exit-status file says, or this job ends as never-run.
for milex_dep in ${MILEX_AFTER//:/ }; do
  milex_ok=0
  for milex_file in "$MILEX"/slurm/*-"$milex_dep".status "$MILEX"/slurm/*-"$milex_dep"_*.status; do
    [ -e "$milex_file" ] || continue
    if grep -qx "end [0-9]* exit 0" "$milex_file"; then milex_ok=1; else milex_ok=0; break; fi
  done
  if [ "$milex_ok" != 1 ]; then
    printf 'never-ran %s\n' "$milex_dep" >"$milex_status_file"
    [ -z "${MILEX_TAG:-}" ] || printf 'tag %s\n' "$MILEX_TAG" >>"$milex_status_file"
    echo "milex: dependency $milex_dep did not complete: this job does not run" >&2
    exit 0
  fi
done
printf 'start %s\n' "$(date +%s)" >"$milex_status_file" 2>/dev/null
# The submission's tag, where the scheduler keeps none for ended jobs: a milex killed between the
# submission and its record finds the job here and does not submit it twice.
[ -z "${MILEX_TAG:-}" ] || printf 'tag %s\n' "$MILEX_TAG" >>"$milex_status_file" 2>/dev/null
# Kept across attempts (requeues, retries, milex resubmit): where the application saves and finds its checkpoints.
mkdir -p "$MILEX_CHECKPOINT_DIR" || echo "milex: cannot create MILEX_CHECKPOINT_DIR $MILEX_CHECKPOINT_DIR" >&2
trap 'milex_rc=$?; printf "end %s exit %s%s\n" "$(date +%s)" "$milex_rc" "${milex_signal:+ signal $milex_signal}" >>"$milex_status_file" 2>/dev/null' EXIT
trap 'milex_signal=TERM; exit 143' TERM

# Environment (the machine's env_command)
source /home/ada/venv/bin/activate
milex_status=$?
if [ "$milex_status" -ne 0 ]; then
  echo "milex: the machine's env_command failed (exit $milex_status)" >&2
  exit "$milex_status"
fi

# Pre-commands
cd $MILEX/data
milex_status=$?
if [ "$milex_status" -ne 0 ]; then
  echo "milex: pre-command 1 failed (exit $milex_status)" >&2
  exit "$milex_status"
fi

echo "ready"
milex_status=$?
if [ "$milex_status" -ne 0 ]; then
  echo "milex: pre-command 2 failed (exit $milex_status)" >&2
  exit "$milex_status"
fi

# Application
'train' \
  '--message=it'\''s $(id) `x`; a
b	c é' \
  '--lr=0.01' \
  '--shout' \
  '--words' \
  'a b' \
  'c'
