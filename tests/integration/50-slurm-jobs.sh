#!/bin/bash
# The job scripts in jobs/ on a real (throw-away, single-node) Slurm cluster.
#   1. run.sbatch on a tiny problem, submitted from outside the checkout WITHOUT FHNK_ROOT
#      (the script must find the repo although Slurm runs a spool copy of it);
#   2. eps-sweep.sbatch as an array of 2 tiny jobs: one directory per eps, attribute eps right;
#   3. chain.sbatch with --time=00:01:00 --signal=B:USR1@20 on a problem calibrated to need
#      ~60 s of stepping: the first job must be stopped by the time-limit warning (exit 75),
#      later jobs continue with -restart latest, and the final diagnostics.h5 and final state
#      must equal BITWISE (np.array_equal) those of an uninterrupted run on the same 1 rank;
#   4. chain.sbatch on 2 ranks whose first job is SIGKILLed (kill -9 of all its processes):
#      the successor queued at start-up continues from the newest periodic checkpoint
#      (FHNK_CHECKPOINT_WALLTIME=1); bitwise equal to an uninterrupted 2-rank run again.
# Brings Slurm up with tests/slurm/start-slurm.sh (installs slurm-wlm + munge via apt if
# missing) unless a cluster already answers; stops only the daemons it started.
# Exit 77 if Slurm cannot be brought up (with the reason). Takes about 2.5 minutes.
. "$(dirname "$0")/../lib.sh"
require_fhnk
command -v mpiexec >/dev/null || skip "no mpiexec"
T_START=$SECONDS
make_tmpdir
# a private copy of the solver: others may rebuild bin/fhnk while this test runs
cp "$FHNK" "$TMP/fhnk" || fail "cannot copy $FHNK"; export FHNK=$TMP/fhnk
W=$TMP
SLD=$W/slurm-ci
STARTED=0
cleanup() {
    local rc=$?
    if [ "$STARTED" = 1 ]; then
        # our own cluster: cancel our jobs and stop exactly the daemons we started
        SLURM_CI_DIR=$SLD "$ROOT/tests/slurm/stop-slurm.sh" 2>&1 | sed 's/^/  /'
    elif [ -n "${TAG:-}" ]; then
        local j; j=$(squeue -h -o '%A %j' 2>/dev/null | awk -v t="$TAG" 'index($2, t) == 1 {print $1}')
        [ -n "$j" ] && scancel $j 2>/dev/null
    fi
    _cleanup_tmp
    exit $rc
}
trap cleanup EXIT
trap "exit 143" TERM INT

# ---- 0. a cluster -------------------------------------------------------------------------
if command -v scontrol >/dev/null && timeout 10 scontrol ping 2>/dev/null | grep -q 'is UP' &&
   [ -n "$(timeout 10 sinfo -h -t idle,mix,alloc -o %n 2>/dev/null)" ]; then
    echo "using the Slurm cluster already running ($(sinfo -h -o '%P %D %T' | head -n1))"
else
    [ "$(id -u)" = 0 ] || skip "no Slurm cluster answers and bringing one up needs root"
    echo "starting a private Slurm (state in $SLD)"
    t0=$SECONDS
    if ! SLURM_CI_DIR=$SLD SLURM_CI_CPUS=4 "$ROOT/tests/slurm/start-slurm.sh" >"$W/start.log" 2>&1; then
        cat "$W/start.log"
        why=$(grep -m1 -E 'ERROR|must|refusing|already' "$W/start.log")
        skip "could not bring up Slurm: ${why:-see log above} (apt-get needs the Debian mirror if slurm-wlm/munge are not installed)"
    fi
    STARTED=1
    cat "$W/start.log"; echo "Slurm up in $((SECONDS - t0)) s"
fi
TAG=fhnkt$$
mkdir -p "$W/sub"; cd "$W/sub" || fail "cd"

jstate() { scontrol show job -o "$1" 2>/dev/null | grep -o 'JobState=[A-Z_]*' | cut -d= -f2; }
# wait_name NAME SECS: until no job named NAME is pending or running
wait_name() {
    local end=$((SECONDS + $2))
    while squeue -h -n "$1" -o %A 2>/dev/null | grep -q .; do
        [ $SECONDS -lt $end ] || { squeue; fail "jobs named $1 still queued after $2 s"; }
        sleep 1
    done
}
# diagnostics and final state bitwise equal: same_results DIR_A DIR_B
same_results() {
    $PY - "$1" "$2" <<'PY'
import glob, os, sys
import h5py, numpy as np
a, b = sys.argv[1:3]
def datasets(path):
    out = {}
    with h5py.File(path, "r") as f:
        f.visititems(lambda n, o: out.__setitem__(n, o[()]) if isinstance(o, h5py.Dataset) else None)
    return out
da, db = datasets(os.path.join(a, "diagnostics.h5")), datasets(os.path.join(b, "diagnostics.h5"))
bad = [k for k in sorted(set(da) | set(db)) if k not in da or k not in db or
       da[k].shape != db[k].shape or not np.array_equal(da[k], db[k])]
ca = sorted(glob.glob(os.path.join(a, "checkpoint-[0-9]*.h5")))[-1]
cb = sorted(glob.glob(os.path.join(b, "checkpoint-[0-9]*.h5")))[-1]
fa, fb = datasets(ca), datasets(cb)
bad += ["final " + k for k in ("f", "limit") if k in fa and not np.array_equal(fa[k], fb.get(k))]
print("  diagnostics: %d datasets, %d samples, t = %g..%g; final state %s vs %s"
      % (len(da), len(da["time"]), da["time"][0], da["time"][-1], os.path.basename(ca), os.path.basename(cb)))
if bad:
    print("  NOT bitwise equal:", bad)
    sys.exit(1)
print("  bitwise equal (np.array_equal on every dataset and on the final f)")
PY
}

TINY=(-nx 4 -nv 32 -nw 16 -eps 1e-2 -ts_dt 0.01 -ts_max_time 2 -diag_dt 0.1 -quiet)
nfail=0
check() { if [ "$1" = 0 ]; then echo "PASS $2"; else echo "FAIL $2"; nfail=$((nfail + 1)); fi; }

# ---- 1 + 2. run.sbatch and eps-sweep.sbatch (together) -------------------------------------
t0=$SECONDS
JR=$(env -u FHNK_ROOT FHNK_OUT="$W/run" sbatch --parsable --job-name=$TAG-run --ntasks=2 \
     --time=00:05:00 -o "$W/run-%j.out" "$ROOT/jobs/run.sbatch" "${TINY[@]}") || fail "sbatch run.sbatch"
JS=$(FHNK_OUT="$W/sweep" FHNK_EPS_LIST="1e-1 1e-2" sbatch --parsable --job-name=$TAG-sweep --array=0-1 \
     --ntasks=1 --time=00:05:00 -o "$W/sweep-%A_%a.out" "$ROOT/jobs/eps-sweep.sbatch" \
     -nx 4 -nv 32 -nw 16 -ts_dt 0.01 -ts_max_time 1 -diag_dt 0.1 -quiet) || fail "sbatch eps-sweep.sbatch"
wait_name $TAG-run 120; wait_name $TAG-sweep 120
echo "run.sbatch job $JR: $(jstate $JR); eps-sweep array $JS: $(jstate ${JS}_0) $(jstate ${JS}_1) ($((SECONDS - t0)) s)"
sed 's/^/  | /' "$W"/run-$JR.out | grep -v -i warning
[ "$(jstate $JR)" = COMPLETED ]; check $? "run.sbatch COMPLETED (submitted from outside the checkout, FHNK_ROOT unset)"
$PY - "$W/run" <<'PY'; check $? "run.sbatch: diagnostics to T = 2 (21 samples) and the final checkpoint"
import os, sys, h5py, numpy as np
d = sys.argv[1]
with h5py.File(os.path.join(d, "diagnostics.h5"), "r") as f:
    t = f["time"][()]
ok = len(t) == 21 and abs(t[-1] - 2) < 1e-12 and os.path.exists(os.path.join(d, "checkpoint-000200.h5"))
print("  run: %d samples, last t = %g" % (len(t), t[-1])); sys.exit(0 if ok else 1)
PY
[ "$(jstate ${JS}_0) $(jstate ${JS}_1)" = "COMPLETED COMPLETED" ]; check $? "eps-sweep: both array tasks COMPLETED"
$PY - "$W/sweep" <<'PY'; check $? "eps-sweep: out/eps-1e-1 and out/eps-1e-2, each with its eps and T = 1"
import os, sys, h5py
ok = True
for e in ("1e-1", "1e-2"):
    p = os.path.join(sys.argv[1], "eps-" + e, "diagnostics.h5")
    if not os.path.exists(p): print("  missing", p); ok = False; continue
    with h5py.File(p, "r") as f:
        eps, t = float(f.attrs["eps"]), f["time"][()]
    print("  eps-%s: attribute eps = %g, %d samples to t = %g" % (e, eps, len(t), t[-1]))
    ok &= abs(eps - float(e)) < 1e-15 and abs(t[-1] - 1) < 1e-12
sys.exit(0 if ok else 1)
PY

# ---- 3. chain.sbatch stopped by the time-limit warning ------------------------------------
# 1 rank, so that the uninterrupted reference run (also 1 rank, outside Slurm) can run at the
# same time on the other core; the stepping must outlast the warning, which comes 10..40 s
# after the start with --time=1 --signal=B:USR1@20 (slurmctld checks limits every 30 s and
# sends the warning up to 30 s before lead): calibrate for ~60 s of stepping.
# -diag_dt = -ts_dt: a diagnostic sample after every step, so that every stop/restart sits
# on a sample time and the continuity of every series is checked at every step.
DT=0.002
BASE=(-nx 4 -nv 128 -nw 64 -eps 1e-2 -ts_dt $DT -diag_dt $DT -quiet)
calibrate() {  # calibrate NP SECONDS: print T for about SECONDS of stepping on NP ranks
    mpirun_n "$1" "$FHNK" -strict "${BASE[@]}" -ts_max_time 1 -overwrite -o "$W/calib" >"$W/calib.log" 2>&1 ||
        { cat "$W/calib.log" >&2; fail "calibration run failed"; }
    local per; per=$(sed -n 's/.* after \([0-9]*\) steps in \([0-9.]*\) s.*/\2 \1/p' "$W/calib.log" | awk '{print $1 / $2}')
    [ -n "$per" ] || { cat "$W/calib.log" >&2; fail "no timing line in the calibration run"; }
    awk -v p="$per" -v dt=$DT -v s="$2" -v np="$1" 'BEGIN { n = s / (p > 1e-4 ? p : 1e-4); t = int(n * dt * 10 + 0.5) / 10
        if (t < 1) t = 1; printf "calibration: %.4f s per step on %d rank(s) -> T = %g for ~%d s\n", p, np, t, s > "/dev/stderr"; print t }'
}
T=$(calibrate 1 60) || exit 1
OPTS=("${BASE[@]}" -ts_max_time "$T")

t0=$SECONDS
mpirun_n 1 "$FHNK" -strict -checkpoint_walltime 1800 "${OPTS[@]}" -o "$W/ref" >"$W/ref.log" 2>&1 &
REFPID=$!
J0=$(FHNK_OUT="$W/chain" SBATCH_SIGNAL=B:USR1@20 sbatch --parsable --job-name=$TAG-chain --ntasks=1 \
     --time=00:01:00 "$ROOT/jobs/chain.sbatch" "${OPTS[@]}") || fail "sbatch chain.sbatch"
wait $REFPID || { cat "$W/ref.log"; fail "uninterrupted reference run failed"; }
echo "uninterrupted reference run (1 rank, alongside the chain): $((SECONDS - t0)) s ($(grep -o 'after .* rank.*' "$W/ref.log"))"
wait_name $TAG-chain 300
CHT=$((SECONDS - t0))
links=$(ls fhnk-chain-*.out 2>/dev/null | sort -t- -k3 -n)
echo "chain (first job $J0, 1 rank) took $CHT s:"
for f in $links; do
    j=${f#fhnk-chain-}; j=${j%.out}
    echo "  job $j: $(jstate $j) $(scontrol show job -o $j | grep -o 'RunTime=[^ ]*')"
    grep -E 'SIG|exit status|continues|finished|restarting|cancelled successor' "$f" | sed 's/^/    /'
done
first=$(ls fhnk-chain-$J0.out 2>/dev/null)
grep -q 'SIGUSR1' "$first" && grep -q 'exit status 75' "$first"
check $? "chain: the first job got the time-limit warning (SIGUSR1) and fhnk exited 75"
nlinks=$(grep -l 'chain link' $links | wc -l)
nrest=$(grep -l 'fhnk: restarting from' $links | wc -l)
[ "$nlinks" -ge 2 ] && [ "$nrest" = $((nlinks - 1)) ]
check $? "chain: $nlinks jobs, $nrest continued with -restart latest"
[ -f "$W/chain/.fhnk-chain-done" ] && grep -q 'run finished' $links
check $? "chain: the last job finished the run (exit 0) and ended the chain"
bad=0; for f in $links; do j=${f#fhnk-chain-}; j=${j%.out}; [ "$(jstate $j)" = COMPLETED ] || bad=1; done
check $bad "chain: every job of the chain COMPLETED"
same_results "$W/ref" "$W/chain"; check $? "chain: results == uninterrupted run on 1 rank, bitwise"

# ---- 4. chain.sbatch whose first job is SIGKILLed ------------------------------------------
# 2 ranks; reference first (2 + 2 ranks at once would oversubscribe the cores)
T4=$(calibrate 2 15) || exit 1
OPTS4=("${BASE[@]}" -ts_max_time "$T4")
mpirun_n 2 "$FHNK" -strict -checkpoint_walltime 1 "${OPTS4[@]}" -o "$W/ref4" >"$W/ref4.log" 2>&1 ||
    { cat "$W/ref4.log"; fail "reference run 4 failed"; }
t0=$SECONDS
K0=$(FHNK_OUT="$W/kchain" FHNK_CHECKPOINT_WALLTIME=1 SBATCH_OUTPUT="$W/sub/kchain-%j.out" sbatch --parsable --job-name=$TAG-kchain --ntasks=2 \
     --time=00:10:00 "$ROOT/jobs/chain.sbatch" "${OPTS4[@]}") || fail "sbatch chain.sbatch (4)"
end=$((SECONDS + 60))
until compgen -G "$W/kchain/checkpoint-[0-9]*.h5" >/dev/null; do
    [ $SECONDS -lt $end ] || fail "no periodic checkpoint from job $K0 within 60 s"; sleep 0.5
done
sleep 1.3
# kill -9 every process of the job (batch shell, mpirun, ranks) at once: no trap, no handler
pids=$(scontrol listpids "$K0" 2>/dev/null | awk 'NR > 1 && $1 ~ /^[0-9]+$/ {print $1}' | sort -u | tr '\n' ' ')
[ -n "$pids" ] || fail "scontrol listpids $K0 found no processes"
echo "kill -9 of job $K0's processes ($pids) with newest checkpoint $(basename "$(ls "$W"/kchain/checkpoint-*.h5 | tail -n1)")"
kill -9 $pids 2>/dev/null
wait_name $TAG-kchain 180
echo "hard-killed chain took $((SECONDS - t0)) s:"
for f in $(ls kchain-*.out | sort -t- -k2 -n); do
    j=${f#kchain-}; j=${j%.out}
    echo "  job $j: $(jstate $j)"; grep -E 'exit status|restarting|finished|Killed' "$f" | sed 's/^/    /'
done
[ "$(jstate $K0)" != COMPLETED ] && grep -q 'restarting from' kchain-*.out && [ -f "$W/kchain/.fhnk-chain-done" ]
check $? "killed chain: job $K0 died ($(jstate $K0)), its queued successor restarted and finished"
same_results "$W/ref4" "$W/kchain"; check $? "killed chain: results == uninterrupted run, bitwise"

echo "total $((SECONDS - T_START)) s"
[ $nfail = 0 ] || fail "$nfail check(s) failed"
echo "all checks passed"
