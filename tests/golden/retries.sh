#!/bin/bash
#SBATCH --job-name=train
#SBATCH --output=/project/ada/milex/slurm/%x-%j.out
#SBATCH --account=def-ada
#SBATCH --partition=gpu
#SBATCH --qos=normal
#SBATCH --time=02:00:00
#SBATCH --gres=gpu:1
#SBATCH --cpus-per-task=4
#SBATCH --requeue
#SBATCH --signal=B:USR1@90
#SBATCH --open-mode=append
#
# Rendered by milex 0.1.0 from job train of bundle sweep_20261122023840 for machine narval.
# Every word of the application call is single-quoted: it arrives exactly as it was scheduled.

export MILEX='/project/ada/milex'

export MILEX_ATTEMPT=$(( 1 + ${SLURM_RESTART_COUNT:-0} ))
# SLURM's variables as milex's (the direct runner sets SLURM_JOB_ID and SLURM_JOB_NAME too)
if [ -n "${SLURM_ARRAY_JOB_ID:-}" ]; then milex_id="${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}"; else milex_id="${SLURM_JOB_ID:-$$}"; fi
export MILEX_JOB_ID="${SLURM_ARRAY_JOB_ID:-${SLURM_JOB_ID:-$$}}"
export MILEX_TASK_ID=$(( ${SLURM_ARRAY_TASK_ID:-0} + ${MILEX_TASK_OFFSET:-0} ))
milex_name="${SLURM_JOB_NAME:-}"
export MILEX_CHECKPOINT_DIR="$MILEX"/checkpoints/'sweep_20261122023840'/'train'
# When and how the job ended, for milex status where the cluster keeps no accounting.
milex_status_file="$MILEX/slurm/${milex_name:-train}-$milex_id.status"
printf 'start %s\n' "$(date +%s)" >"$milex_status_file" 2>/dev/null
# The submission's tag, where the scheduler keeps none for ended jobs: a milex killed between the
# submission and its record finds the job here and does not submit it twice.
[ -z "${MILEX_TAG:-}" ] || printf 'tag %s\n' "$MILEX_TAG" >>"$milex_status_file" 2>/dev/null
# Kept across attempts (requeues, retries, milex resubmit): where the application saves and finds its checkpoints.
mkdir -p "$MILEX_CHECKPOINT_DIR" || echo "milex: cannot create MILEX_CHECKPOINT_DIR $MILEX_CHECKPOINT_DIR" >&2
trap 'milex_rc=$?; printf "end %s exit %s%s\n" "$(date +%s)" "$milex_rc" "${milex_signal:+ signal $milex_signal}" >>"$milex_status_file" 2>/dev/null' EXIT
trap 'milex_signal=TERM; exit 143' TERM
module load 'cuda/12.2' || { milex_status=$?; echo "milex: module load 'cuda/12.2' failed (exit $milex_status)" >&2; exit $milex_status; }

# Environment (the machine's env_command)
source /project/ada/venv/bin/activate
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

# The last of 3 retries: SLURM must not requeue this attempt when it is preempted or its node fails.
if [ "${SLURM_RESTART_COUNT:-0}" -ge 3 ]; then
  scontrol update jobid="$SLURM_JOB_ID" requeue=0 >/dev/null 2>&1 || echo "milex: could not make attempt $MILEX_ATTEMPT the last (scontrol update requeue=0 failed)" >&2
fi
# Application, in the background: the script passes on to it the USR1 that the scheduler sends
# 90 s before the time limit, and the TERM it sends when it preempts or cancels the job; then it waits for it.
milex_app=
trap 'milex_signal=USR1; [ -z "$milex_app" ] || kill -USR1 "$milex_app" 2>/dev/null' USR1
trap 'milex_signal=TERM; [ -z "$milex_app" ] || kill -TERM "$milex_app" 2>/dev/null' TERM
'train' \
  '--message=it'\''s $(id) `x`; a
b	c é' \
  '--lr=0.01' \
  '--shout' \
  '--words' \
  'a b' \
  'c' &
milex_app=$!
while :; do
  wait "$milex_app"
  milex_rc=$?
  kill -0 "$milex_app" 2>/dev/null || break
done
# A wait that a signal interrupted as the application ended: its real status.
# (bash answers 127, or -1, for a child it has already reported: then the status stands.)
if [ "$milex_rc" -gt 128 ]; then
  wait "$milex_app"
  milex_last=$?
  case "$milex_last" in 127 | -*) ;; *) milex_rc=$milex_last ;; esac
fi
# Retry on timeout: the application ended after SLURM's USR1 before the time limit. SLURM queues the
# job again under its id (its dependents keep waiting) while a retry is left (3 in all).
if [ "${milex_signal:-}" = USR1 ] && [ "${SLURM_RESTART_COUNT:-0}" -lt 3 ]; then
  milex_lock='/project/ada/milex/slurm/sweep_20261122023840.run1.lock'
  echo "milex: attempt $MILEX_ATTEMPT stopped before the time limit; queueing it again (retry $(( ${SLURM_RESTART_COUNT:-0} + 1 )) of 3)"
  if command -v flock >/dev/null 2>&1; then
    flock -w 120 "$milex_lock" scontrol requeue Incomplete "$SLURM_JOB_ID"
  else
    scontrol requeue Incomplete "$SLURM_JOB_ID"
  fi || echo "milex: SLURM did not queue the job again (cancelled meanwhile?)" >&2
fi
exit "$milex_rc"
