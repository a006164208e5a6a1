#!/bin/bash
# workstation.sh - run fhnk with mpirun outside any batch system, with the same knobs and the
# same continue-after-75 logic as the Slurm scripts.
#
#   jobs/workstation.sh -options_file petsc-options/concentration.opts      (./out/ws, 2 ranks)
#   FHNK_NP=8 FHNK_OUT=out/big jobs/workstation.sh -eps 1e-3
#
# All arguments go to fhnk. Ctrl-C / kill -TERM / kill -USR1 of this script: fhnk finishes the
# step, writes a checkpoint, the script exits 75; run the SAME command again to continue
# (-restart latest is added automatically when FHNK_OUT holds a checkpoint).
# If fhnk exits 75 without this script having been signalled (someone signalled the solver
# itself, e.g. a shutdown script), the script restarts it with -restart latest, up to
# FHNK_CHAIN_MAX (default 100) times.
#
# ---- what a site edits (or sets in the environment) ---------------------------------------
FHNK_NP=${FHNK_NP:-2}                       # MPI ranks
# FHNK_LAUNCH="mpirun -n $FHNK_NP --bind-to core"   # launcher (default mpirun -n $FHNK_NP)
# export PETSC_DIR=/opt/petsc PETSC_ARCH=arch-linux-opt
# export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1   # containers run as root
# -------------------------------------------------------------------------------------------
set -u
_self_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "${FHNK_ROOT:-$_self_dir/..}/jobs/lib.sh" || exit 1
fhnk_find_root "$_self_dir"
FHNK_OUT=${FHNK_OUT:-out/ws}
fhnk_setup
FHNK_CHAIN_N=0
while :; do
    fhnk_run "$@"
    if [ "$FHNK_RC" = "$FHNK_EXIT_SIGNAL" ] && [ -z "$FHNK_GOT_SIGNAL" ] && [ "$FHNK_CHAIN_N" -lt "${FHNK_CHAIN_MAX:-100}" ]; then
        FHNK_CHAIN_N=$((FHNK_CHAIN_N + 1))
        fhnk_log "fhnk stopped after a checkpoint (75): continuing (restart $FHNK_CHAIN_N) with -restart latest"
        continue
    fi
    break
done
case $FHNK_RC in
    0) fhnk_log "run finished: $FHNK_OUT/diagnostics.h5" ;;
    "$FHNK_EXIT_SIGNAL") fhnk_log "stopped after a checkpoint; run the same command again to continue: FHNK_OUT=$FHNK_OUT $0 $*" ;;
    *) fhnk_log "FAILED with status $FHNK_RC" ;;
esac
exit "$FHNK_RC"
