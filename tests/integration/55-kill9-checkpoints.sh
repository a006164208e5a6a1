#!/bin/bash
# kill -9 at random moments, many of them while a checkpoint is being written.
#
# A run writes a checkpoint after EVERY step (-checkpoint_dt = -ts_dt, plus
# -checkpoint_walltime 0.05), so a good part of its time is spent writing. 20 times (10 on
# 1 rank, 10 with mpirun -n 2; a run that ends before its kill is replaced by a new one and
# does not count), the running fhnk (mpirun and every rank: the session setsid made) is
# killed with SIGKILL after a random 0.8..2.0 s. After each kill:
#   - a leftover hidden .checkpoint-*.h5.tmp means the kill landed during a checkpoint write;
#   - the newest visible checkpoint-*.h5 must load: in a COPY of DIR,
#     "fhnk -restart latest -o COPY ... -ts_max_time <3 steps later>" must exit 0;
#   - the run then continues in DIR itself with -restart latest (next kill).
# At the end the run in DIR is finished with -restart latest and its diagnostics.h5 and final
# state must equal BITWISE those of an uninterrupted run with the same options and ranks.
# Fails if any newest checkpoint is unloadable or a restart in DIR fails. About 1.5 minutes.
. "$(dirname "$0")/../lib.sh"
require_fhnk
command -v setsid >/dev/null || skip "no setsid"
make_tmpdir
# a private copy of the solver: others may rebuild bin/fhnk while this test runs
cp "$FHNK" "$TMP/fhnk" || fail "cannot copy $FHNK"; export FHNK=$TMP/fhnk
NKILL=${NKILL:-20}
DT=0.005
# a diagnostic sample after every step too (every restart sits on a sample time)
OPTS=(-strict -nx 4 -nv 64 -nw 32 -eps 1e-2 -ts_dt $DT -ts_max_time 4 -diag_dt $DT -quiet
      -checkpoint_dt $DT -checkpoint_walltime 0.05 -checkpoint_keep 2 -progress_interval 0)
RANDOM=${KILL9_SEED:-4242}
T0=$SECONDS

launch() {  # launch NP ARGS...: start fhnk in a new session (session id = $LPID)
    local np=$1; shift
    if [ "$np" = 1 ]; then setsid "$FHNK" "$@" >>"$TMP/run.log" 2>&1 &
    else setsid mpiexec --oversubscribe -n "$np" "$FHNK" "$@" >>"$TMP/run.log" 2>&1 & fi
    LPID=$!
}
newest() { ls -1 "$1"/checkpoint-[0-9]*.h5 2>/dev/null | sort | tail -n 1; }
np_of() { [ "$1" -le $((NKILL / 2)) ] && echo 1 || echo 2; }
declare -A epoch=([1]=0 [2]=0)   # a run that ended before its kill: the next one starts afresh
rundir() { echo "$TMP/run-np$1-${epoch[$1]}"; }

during_write=0 loads=0 unloadable=0 restart_fail=0 finished_early=0
k=1 attempts=0
while [ "$k" -le "$NKILL" ]; do
    attempts=$((attempts + 1))
    [ "$attempts" -le $((3 * NKILL)) ] || fail "runs keep ending before the kill ($attempts attempts)"
    np=$(np_of "$k")
    D=$(rundir "$np")
    if [ -f "$D/diagnostics.h5" ] && [ -n "$(newest "$D")" ]; then how=(-restart latest)
    else how=(-overwrite); fi
    launch "$np" "${OPTS[@]}" "${how[@]}" -o "$D"
    delay=$(awk -v r=$RANDOM 'BEGIN { printf "%.3f", 0.8 + 1.2 * r / 32767 }')
    sleep "$delay"
    if ! kill -0 "$LPID" 2>/dev/null; then
        wait "$LPID"; rc=$?
        echo "(the run in $(basename "$D") had already ended (status $rc) after $delay s: a new one starts)"
        [ "$rc" = 0 ] || { tail -n 20 "$TMP/run.log"; fail "run ($np rank) in $D failed with status $rc (${how[*]})"; }
        finished_early=$((finished_early + 1)); epoch[$np]=$((epoch[$np] + 1)); continue
    fi
    # every process of the session setsid made (Open MPI puts each rank in its own process
    # group, so "kill -- -PGID" would leave the ranks running), all at once
    pids=$(ps -eo pid=,sid= | awk -v s="$LPID" '$2 == s {print $1}')
    kill -9 $pids 2>/dev/null
    wait "$LPID" 2>/dev/null
    for _ in $(seq 100); do [ -z "$(ps -eo pid=,sid= | awk -v s="$LPID" '$2 == s')" ] && break; sleep 0.02; done
    [ -z "$(ps -eo pid=,sid= | awk -v s="$LPID" '$2 == s')" ] || fail "processes of session $LPID survived kill -9"
    tmpf=$(ls -A "$D" 2>/dev/null | grep -E '^\.checkpoint-[0-9]+\.h5\.tmp$' | tr '\n' ' ')
    [ -n "$tmpf" ] && during_write=$((during_write + 1))
    ck=$(newest "$D")
    if [ -z "$ck" ]; then
        echo "kill $k ($np rank, ${how[*]}, after $delay s): no checkpoint yet"; rm -f "$D"/.checkpoint-*.tmp; k=$((k + 1)); continue
    fi
    step=$(basename "$ck" .h5); step=$((10#${step#checkpoint-}))
    tv=$(awk -v s=$step -v dt=$DT 'BEGIN { printf "%.10g", (s + 3) * dt }')
    V=$TMP/verify; rm -rf "$V"; cp -a "$D" "$V"
    if "$FHNK" "${OPTS[@]}" -restart latest -o "$V" -ts_max_time "$tv" >"$TMP/verify.log" 2>&1; then
        loads=$((loads + 1)); res="loads (restart to t = $tv: exit 0)"
    else
        rc=$?; unloadable=$((unloadable + 1)); res="UNLOADABLE: exit $rc: $(grep -m1 -i error "$TMP/verify.log")"
        cp -a "$D" "$TMP/unloadable-$k"
    fi
    printf 'kill %2d (%d rank, after %s s): newest %s, %s%s\n' "$k" "$np" "$delay" "$(basename "$ck")" \
        "${tmpf:+during a write (left $tmpf), }" "$res"
    # stale temp files of killed writes are garbage: remove them as a cleanup job would
    rm -f "$D"/.checkpoint-*.tmp
    k=$((k + 1))
done
echo "kills: $NKILL; landed during a checkpoint write: $during_write; newest checkpoint loaded: $loads;" \
     "unloadable: $unloadable; runs that ended before their kill (not counted): $finished_early  ($((SECONDS - T0)) s)"

# finish both runs and compare with uninterrupted ones, bitwise
bitwise=0
for np in 1 2; do
    D=$(rundir "$np")
    [ -d "$D" ] || continue
    if [ -n "$(newest "$D")" ]; then how=(-restart latest); else how=(-overwrite); fi
    if [ "$np" = 1 ]; then "$FHNK" "${OPTS[@]}" "${how[@]}" -o "$D" >"$TMP/fin.log" 2>&1
    else mpirun_n 2 "$FHNK" "${OPTS[@]}" "${how[@]}" -o "$D" >"$TMP/fin.log" 2>&1; fi
    rc=$?
    [ "$rc" = 0 ] || { tail -n 20 "$TMP/fin.log"; restart_fail=$((restart_fail + 1)); echo "finishing $D: status $rc"; continue; }
    R=$TMP/ref-np$np
    if [ "$np" = 1 ]; then "$FHNK" "${OPTS[@]}" -o "$R" >"$TMP/ref.log" 2>&1
    else mpirun_n 2 "$FHNK" "${OPTS[@]}" -o "$R" >"$TMP/ref.log" 2>&1; fi || { tail "$TMP/ref.log"; fail "reference run ($np ranks)"; }
    if $PY - "$R" "$D" <<'PY'
import glob, os, sys
import h5py, numpy as np
def datasets(path):
    out = {}
    with h5py.File(path, "r") as f:
        f.visititems(lambda n, o: out.__setitem__(n, o[()]) if isinstance(o, h5py.Dataset) else None)
    return out
a, b = sys.argv[1:3]
da, db = datasets(a + "/diagnostics.h5"), datasets(b + "/diagnostics.h5")
bad = [k for k in sorted(set(da) | set(db)) if k not in da or k not in db or da[k].shape != db[k].shape
       or not np.array_equal(da[k], db[k])]
fa = datasets(sorted(glob.glob(a + "/checkpoint-[0-9]*.h5"))[-1])
fb = datasets(sorted(glob.glob(b + "/checkpoint-[0-9]*.h5"))[-1])
if not np.array_equal(fa["f"], fb["f"]): bad.append("final f")
print("  %s: %d samples to t = %g; %s" % (os.path.basename(b), len(db["time"]), db["time"][-1],
      "bitwise equal to the uninterrupted run" if not bad else "DIFFERS: %s" % bad))
sys.exit(1 if bad else 0)
PY
    then bitwise=$((bitwise + 1)); fi
done
echo "restarted runs finished: bitwise equal to uninterrupted runs: $bitwise of 2; total $((SECONDS - T0)) s"

[ "$unloadable" = 0 ] || fail "$unloadable newest checkpoint(s) could not be loaded (copies kept in $TMP/unloadable-*; KEEP_TMP=1 keeps them)"
[ "$restart_fail" = 0 ] || fail "$restart_fail run(s) could not be finished with -restart latest"
[ "$bitwise" = 2 ] || fail "a run interrupted by kill -9 differs from the uninterrupted one"
[ "$during_write" -ge 1 ] || echo "note: no kill landed during a write this time (seed $RANDOM)"
echo "PASS"
