#!/bin/bash
#SBATCH --job-name=train
#SBATCH --output=/home/ada/milex/slurm/%x-%j.out
#
# Rendered by milex 0.1.0 from job train of bundle demo_20261122023840 for machine local.
# Every word of the application call is single-quoted: it arrives exactly as it was scheduled.

export MILEX='/home/ada/milex'

# Application
'milex-train' \
  'my data.csv' \
  '--learning-rate=0.1' \
  '-n3' \
  '--layers' \
  '128' \
  '64' \
  '--no-cache'
