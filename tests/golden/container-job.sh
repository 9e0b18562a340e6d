#!/bin/bash
#SBATCH --job-name=train
#SBATCH --output=/project/ada/milex/slurm/%x-%j.out
#
# Rendered by milex 0.1.0 from job train of bundle sweep_20261122023840 for machine cluster.
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

# Environment (the machine's env_command)
source /project/ada/venv/bin/activate
milex_status=$?
if [ "$milex_status" -ne 0 ]; then
  echo "milex: the machine's env_command failed (exit $milex_status)" >&2
  exit "$milex_status"
fi

# Pre-commands
mkdir -p "$MILEX/results"
milex_status=$?
if [ "$milex_status" -ne 0 ]; then
  echo "milex: pre-command 1 failed (exit $milex_status)" >&2
  exit "$milex_status"
fi

# Application, in a container run by podman: image localhost/train:1 (used as it is named)
'podman' 'run' '--rm' \
  '--runtime' 'runc' '--ulimit' 'nofile=1024:1024' '--ulimit' 'nproc=1024:1024' \
  '-v' "${MILEX:?}"'/data:/data:ro' \
  '-v' "${MILEX:?}"'/results/it'\''s here:/results' \
  '-v' '/scratch/ada/shared data:/shared:ro' \
  '-v' "${SCRATCH:?}"'/cache:/cache' \
  '-v' "${HOME:?}"'/.netrc:/root/.netrc:ro' \
  '-v' "${MILEX:?}"':/milex' \
  '-e' 'MESSAGE=two words "double" it'\''s $(id) `id` a;b line
break tab	here é 日本 🚀 back\slash $HOME *' \
  '-e' 'EMPTY=' \
  '-e' 'OMP_NUM_THREADS=4' \
  '-w' '/work dir' \
  'localhost/train:1' \
  'train' \
  '--lr=0.01' \
  '--data=/data/my set.csv'
