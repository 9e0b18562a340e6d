#!/bin/bash
#SBATCH --job-name=train
#SBATCH --output=/home/ada/milex/slurm/%x-%j.out
#
# Rendered by milex 0.1.0 from job train of bundle demo_20261122023840 for machine local.
# Every word of the application call is single-quoted: it arrives exactly as it was scheduled.

export MILEX='/home/ada/milex'

export MILEX_ATTEMPT=$(( 1 + ${SLURM_RESTART_COUNT:-0} ))
# SLURM's variables as milex's (the direct runner sets SLURM_JOB_ID and SLURM_JOB_NAME too)
if [ -n "${SLURM_ARRAY_JOB_ID:-}" ]; then milex_id="${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}"; else milex_id="${SLURM_JOB_ID:-$$}"; fi
export MILEX_JOB_ID="${SLURM_ARRAY_JOB_ID:-${SLURM_JOB_ID:-$$}}"
export MILEX_TASK_ID=$(( ${SLURM_ARRAY_TASK_ID:-0} + ${MILEX_TASK_OFFSET:-0} ))
milex_name="${SLURM_JOB_NAME:-}"
export MILEX_CHECKPOINT_DIR="$MILEX"/checkpoints/'demo_20261122023840'/'train'
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

# Application
'milex-train' \
  '--layers' \
  '128' \
  '64' \
  '--learning-rate=0.1' \
  '-n3' \
  '--no-cache' \
  'my data.csv'
