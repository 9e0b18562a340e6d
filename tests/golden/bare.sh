#!/bin/bash
#SBATCH --job-name=A
#SBATCH --output=/home/ada/milex/slurm/%x-%A_%a.out
#SBATCH --array=0-3
#
# Rendered by milex 0.1.0 from job A of bundle demo_20261122023840 for machine local.
# Every word of the application call is single-quoted: it arrives exactly as it was scheduled.

export MILEX='/home/ada/milex'

# Application
'milex-example'
