# jobs/lib.sh - shared by run.sbatch, chain.sbatch, eps-sweep.sbatch and workstation.sh.
# Sourced, not run. Everything a site may want to change is an environment variable (or a
# #SBATCH line in the job script); nothing here needs editing.
#
#   FHNK_ROOT     the fhnk checkout (found from $SLURM_SUBMIT_DIR or the script's path if unset)
#   FHNK          the solver binary                         (default $FHNK_ROOT/bin/fhnk)
#   FHNK_OUT      output directory -o DIR (relative paths are relative to the submit directory)
#   FHNK_LAUNCH   MPI launcher command; the solver and its arguments are appended
#                 (default: "mpirun -n $SLURM_NTASKS" in a job, "mpirun -n $FHNK_NP" outside;
#                 "srun" also works where Slurm was built with PMIx, e.g. srun --mpi=pmix)
#   FHNK_NP       ranks outside Slurm (workstation.sh)      (default 2)
#   FHNK_CHECKPOINT_WALLTIME   wall seconds between safety checkpoints (default 1800;
#                 0 = only at the end / on a signal). Checkpoints never change the results.
#
# Rule used by every script: if FHNK_OUT already holds diagnostics.h5 and a checkpoint-*.h5,
# the run is CONTINUED with "-restart latest" (so submitting the same command again resumes),
# unless the extra arguments contain -restart or -overwrite.

FHNK_EXIT_SIGNAL=75

# Open MPI refuses to start as root unless told so (containers, CI machines): say so for it.
if [ "$(id -u)" = 0 ]; then
    export OMPI_ALLOW_RUN_AS_ROOT=${OMPI_ALLOW_RUN_AS_ROOT:-1} OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=${OMPI_ALLOW_RUN_AS_ROOT_CONFIRM:-1}
fi

# When mpirun itself gets SIGTERM or SIGINT, Open MPI sends the ranks SIGCONT, then SIGTERM
# odls_base_sigkill_timeout seconds later, then SIGKILL as many seconds after that (default 1 s
# each): too little for a step plus a large checkpoint. The scripts therefore never let mpirun
# see such a signal: they trap it and forward SIGUSR1, which mpirun passes on to the ranks at once
# (the ranks checkpoint and exit 75); on a terminal the solver runs in a session of its own, so
# that Ctrl-C reaches this script only. (Raising odls_base_sigkill_timeout instead would also make
# mpirun wait twice that long after every non-zero exit, 75 included.)
fhnk_log() { echo "[fhnk-job $(date '+%F %T')] $*"; }
fhnk_die() { fhnk_log "ERROR: $*" >&2; exit 1; }

# fhnk_find_root JOBS_DIR: set FHNK_ROOT. Slurm runs a *copy* of the batch script from its
# spool directory, so the script's own path is useless there: try $FHNK_ROOT, then the parent
# of JOBS_DIR (where the job script found lib.sh), then the submit directory and its parents.
fhnk_find_root() {
    local d
    if [ -n "${FHNK_ROOT:-}" ]; then
        [ -f "$FHNK_ROOT/jobs/lib.sh" ] || fhnk_die "FHNK_ROOT=$FHNK_ROOT is not an fhnk checkout"
        FHNK_ROOT=$(cd "$FHNK_ROOT" && pwd); export FHNK_ROOT; return 0
    fi
    for d in "${1:+$1/..}" "${SLURM_SUBMIT_DIR:-}" "$PWD"; do
        [ -n "$d" ] && [ -d "$d" ] || continue
        d=$(cd "$d" && pwd)
        while [ "$d" != / ]; do
            if [ -f "$d/jobs/lib.sh" ] && [ -d "$d/src" ]; then FHNK_ROOT=$d; export FHNK_ROOT; return 0; fi
            d=$(dirname "$d")
        done
    done
    fhnk_die "cannot find the fhnk checkout: set FHNK_ROOT (e.g. sbatch --export=ALL,FHNK_ROOT=/path/to/fhnk ...)"
}

# fhnk_setup: binary, output directory (absolute), launcher. Call after fhnk_find_root.
fhnk_setup() {
    FHNK=${FHNK:-$FHNK_ROOT/bin/fhnk}
    [ -x "$FHNK" ] || fhnk_die "solver $FHNK not found or not executable (run make in $FHNK_ROOT)"
    case $FHNK_OUT in /*) ;; *) FHNK_OUT=$PWD/$FHNK_OUT ;; esac
    export FHNK_OUT
    mkdir -p "$FHNK_OUT" || fhnk_die "cannot create $FHNK_OUT"
    if [ -z "${FHNK_LAUNCH:-}" ]; then
        if [ -n "${SLURM_JOB_ID:-}" ]; then FHNK_LAUNCH="mpirun -n ${SLURM_NTASKS:-1}"
        else FHNK_LAUNCH="mpirun -n ${FHNK_NP:-2}"; fi
    fi
    FHNK_CHECKPOINT_WALLTIME=${FHNK_CHECKPOINT_WALLTIME:-1800}
}

# fhnk_has_checkpoint DIR
fhnk_has_checkpoint() { compgen -G "$1/checkpoint-[0-9]*.h5" >/dev/null; }
fhnk_newest_checkpoint() { ls -1 "$1"/checkpoint-[0-9]*.h5 2>/dev/null | sort | tail -n 1; }

# fhnk_resume_args ARGS...: print (NUL-separated) the options that decide new run vs.
# continuation, following the rule at the top of this file.
fhnk_resume_args() {
    local a
    for a in "$@"; do case $a in -restart|-overwrite) return 0 ;; esac; done
    if [ -f "$FHNK_OUT/diagnostics.h5" ] && fhnk_has_checkpoint "$FHNK_OUT"; then
        printf '%s\0' -restart latest
    elif [ -f "$FHNK_OUT/diagnostics.h5" ] && [ "${FHNK_CHAIN_N:-0}" -gt 0 ]; then
        # a later link of our own chain whose first job died before any checkpoint:
        # nothing to continue from, start the run again
        printf '%s\0' -overwrite
    fi
}

# Signals to this shell: SIGUSR1 (Slurm's --signal=B:USR1@lead), SIGTERM (time limit,
# scancel), SIGINT (Ctrl-C). They are trapped from the moment lib.sh is sourced, so that a
# warning arriving before or after the solver runs does not kill the script (bash's default
# action for USR1/TERM): it is recorded in FHNK_GOT_SIGNAL and, while fhnk runs, forwarded to
# the launcher as SIGUSR1 (Open MPI's mpirun forwards USR1 to every rank; a TERM would make
# mpirun itself abort the ranks and report 1).
FHNK_GOT_SIGNAL=
_fhnk_pid=
_fhnk_on_signal() {
    FHNK_GOT_SIGNAL=$1
    if [ -n "$_fhnk_pid" ]; then
        fhnk_log "SIG$1: asking fhnk to checkpoint and stop"
        kill -USR1 "$_fhnk_pid" 2>/dev/null
    else
        fhnk_log "SIG$1 received (fhnk not running)"
    fi
}
trap '_fhnk_on_signal USR1' USR1
trap '_fhnk_on_signal TERM' TERM
trap '_fhnk_on_signal INT' INT

# fhnk_run ARGS...: launch "$FHNK_LAUNCH $FHNK -strict -o $FHNK_OUT ARGS" in the background
# and wait for it (a bash trap runs while "wait" waits, i.e. at once; it would not while a
# foreground command runs, hence "cmd & wait $!"). Sets FHNK_RC, the solver's exit status.
# If a signal came before the launch, fhnk is not started and FHNK_RC=75 (nothing changed).
fhnk_run() {
    local extra=() rc a
    while IFS= read -r -d '' a; do extra+=("$a"); done < <(fhnk_resume_args "$@")
    local cmd=($FHNK_LAUNCH "$FHNK" -strict -o "$FHNK_OUT")
    [ "$FHNK_CHECKPOINT_WALLTIME" != 0 ] && cmd+=(-checkpoint_walltime "$FHNK_CHECKPOINT_WALLTIME")
    cmd+=("${extra[@]}" "$@")
    if [ -n "$FHNK_GOT_SIGNAL" ]; then
        fhnk_log "SIG$FHNK_GOT_SIGNAL before the start: not starting fhnk"
        FHNK_RC=$FHNK_EXIT_SIGNAL; return
    fi
    fhnk_log "run: ${cmd[*]}"
    if [ -t 0 ] && command -v setsid >/dev/null; then setsid "${cmd[@]}" & else "${cmd[@]}" & fi
    _fhnk_pid=$!
    while :; do
        wait "$_fhnk_pid"; rc=$?
        # > 128 with the child still alive: wait was interrupted by a trapped signal
        if [ "$rc" -gt 128 ] && kill -0 "$_fhnk_pid" 2>/dev/null; then continue; fi
        break
    done
    # the child may have exited just as the trap ran: bash kept its real status
    wait "$_fhnk_pid" 2>/dev/null; a=$?
    [ "$a" != 127 ] && rc=$a
    _fhnk_pid=
    FHNK_RC=$rc
    fhnk_log "fhnk exit status $rc${FHNK_GOT_SIGNAL:+ (after SIG$FHNK_GOT_SIGNAL)}"
}

# fhnk_resubmit SCRIPT [SBATCH-OPTIONS...]: submit SCRIPT again with the solver arguments in
# the array FHNK_ARGS (same job name, tasks, nodes, time limit, partition, account, array
# index) and FHNK_ROOT, FHNK_OUT, FHNK_CHAIN_N+1 exported; more sbatch options from
# SBATCH-OPTIONS and $FHNK_SBATCH_ARGS. --signal, --output etc. come from the script's #SBATCH lines
# or SBATCH_* environment variables (exported to the job, so they carry over). Prints job id.
fhnk_resubmit() {
    local script=$1; shift
    local opts=(--parsable --job-name="$SLURM_JOB_NAME" --ntasks="${SLURM_NTASKS:-1}"
                --nodes="${SLURM_JOB_NUM_NODES:-1}")
    local tl; tl=$(squeue -h -j "$SLURM_JOB_ID" -o %l 2>/dev/null | head -n 1)
    case $tl in ''|UNLIMITED|NOT_SET|INVALID) ;; *) opts+=(--time="$tl") ;; esac
    [ -n "${SLURM_JOB_PARTITION:-}" ] && opts+=(--partition="$SLURM_JOB_PARTITION")
    [ -n "${SLURM_JOB_ACCOUNT:-}" ] && opts+=(--account="$SLURM_JOB_ACCOUNT")
    [ -n "${SLURM_ARRAY_TASK_ID:-}" ] && opts+=(--array="$SLURM_ARRAY_TASK_ID")
    opts+=(--export="ALL,FHNK_ROOT=$FHNK_ROOT,FHNK_OUT=$FHNK_OUT,FHNK_CHAIN_N=$((${FHNK_CHAIN_N:-0} + 1))")
    # shellcheck disable=SC2086
    sbatch "${opts[@]}" ${FHNK_SBATCH_ARGS:-} "$@" "$script" "${FHNK_ARGS[@]}"
}
