#!/bin/bash
# Signals (issue 11, item 9): a stop is always clean.
#  a. SIGTERM during set-up (1 rank; and both ranks of a 2-rank run, as Slurm signals them):
#     exit 75, nothing written (DIR not even created).
#  b. SIGINT (Ctrl-C) to a 1-rank run: checkpoint, exit 75, -restart latest finishes the run.
#  c. SIGTERM to mpirun itself with a 41 MB checkpoint to write. Open MPI answers it with SIGCONT
#     to the ranks, SIGTERM odls_base_sigkill_timeout seconds later, SIGKILL as many seconds after
#     that (default 1 s each). With OMPI_MCA_odls_base_sigkill_timeout=10 (jobs/ set 60) the
#     ranks write their checkpoint: it is complete and loads, no temporary is left.
. "$(dirname "$0")/../lib.sh"
require_fhnk
command -v setsid >/dev/null || skip "no setsid"
make_tmpdir
cp "$FHNK" "$TMP/fhnk" || fail "cannot copy $FHNK"; export FHNK=$TMP/fhnk
nfail=0
check() { if eval "$1"; then echo "ok   $2"; else echo "FAIL $2"; nfail=$((nfail + 1)); fi; }
sid_pids() { ps -eo pid=,sid= | awk -v s="$1" '$2 == s {print $1}'; }

# a. during set-up: a large phase grid takes ~2 s to initialise
SLOW=(-nx 16 -nv 1024 -nw 1024 -wmin -4 -wmax 4 -ts_max_time 0.01 -ts_dt 0.001 -quiet -strict)
ranks_of() { ps -eo pid=,sid=,comm= | awk -v s="$1" '$2 == s && $3 == "fhnk" {print $1}'; }
setsid "$FHNK" "${SLOW[@]}" -o "$TMP/setup1" >"$TMP/a1.log" 2>&1 & p=$!
sleep 0.4; kill -TERM $p; wait $p; rc=$?
check '[ $rc = 75 ] && [ ! -e "$TMP/setup1" ]' "a. SIGTERM during set-up (1 rank): exit $rc, nothing written"
setsid mpiexec --oversubscribe -n 2 "$FHNK" "${SLOW[@]}" -nx 32 -o "$TMP/setup2" >"$TMP/a2.log" 2>&1 & p=$!
for _ in $(seq 200); do [ "$(ranks_of $p | wc -l)" = 2 ] && break; sleep 0.02; done
sleep 0.3; kill -TERM $(ranks_of $p); wait $p; rc=$?
check '[ $rc = 75 ] && [ ! -e "$TMP/setup2" ]' "a. SIGTERM to both ranks during set-up: exit $rc, nothing written"

# b. SIGINT mid-run
RUN=(-nx 4 -nv 64 -nw 32 -ts_max_time 20 -ts_dt 0.001 -diag_dt 0.01 -quiet -strict)
setsid "$FHNK" "${RUN[@]}" -o "$TMP/int" >"$TMP/b.log" 2>&1 & p=$!
sleep 1.5; kill -INT $p; wait $p; rc=$?
nck=$(ls "$TMP/int"/checkpoint-*.h5 2>/dev/null | wc -l)
check '[ $rc = 75 ] && [ $nck -ge 1 ]' "b. SIGINT: exit $rc, $nck checkpoint(s) $(grep -o 'checkpoint written at t = [0-9.e-]*' "$TMP/b.log")"
T2=$($PY -c "import h5py, glob; print(round(float(h5py.File(sorted(glob.glob('$TMP/int/checkpoint-*.h5'))[-1]).attrs['time'][0]) + 0.5, 2))")
"$FHNK" -nx 4 -nv 64 -nw 32 -ts_max_time "$T2" -ts_dt 0.001 -diag_dt 0.01 -quiet -strict -o "$TMP/int" -restart latest >"$TMP/b2.log" 2>&1; rc=$?
tl=$($PY -c "import h5py; print(h5py.File('$TMP/int/diagnostics.h5')['time'][-1])")
check '[ $rc = 0 ] && [ "$tl" = "$T2" ]' "b. -restart latest continues to T = $T2 (exit $rc, last sample t = $tl)"

# c. SIGTERM to mpirun, 41 MB checkpoint
BIG=(-nx 16 -nv 640 -nw 500 -wmin -4 -wmax 4 -ts_max_time 100 -ts_dt 0.002 -diag_dt 0.5 -quiet -strict)
OMPI_MCA_odls_base_sigkill_timeout=10 setsid mpiexec --oversubscribe -n 2 "$FHNK" "${BIG[@]}" -o "$TMP/big" >"$TMP/c.log" 2>&1 & p=$!
for _ in $(seq 100); do [ -f "$TMP/big/diagnostics.h5" ] && break; sleep 0.1; done
sleep 2; kill -TERM $p; wait $p; rc=$?
for _ in $(seq 100); do [ -z "$(sid_pids $p)" ] && break; sleep 0.1; done
ck=$(ls "$TMP/big"/checkpoint-*.h5 2>/dev/null | tail -n 1)
size=$(stat -c %s "$ck" 2>/dev/null || echo 0)
left=$(ls -A "$TMP/big" | grep -c '\.tmp$')
check '[ -n "$ck" ] && [ "$size" -gt 40000000 ] && [ "$left" = 0 ]' "c. SIGTERM to mpirun (exit $rc): the ranks wrote $(basename "$ck") ($size bytes), no temporary left"
t=$($PY -c "import h5py; print(float(h5py.File('$ck').attrs['time'][0]) + 0.004)")
mpirun_n 2 "$FHNK" "${BIG[@]:0:10}" -ts_max_time "$t" -ts_dt 0.002 -quiet -strict -o "$TMP/big" -restart latest >"$TMP/c2.log" 2>&1; rc=$?
check '[ $rc = 0 ]' "c. that checkpoint loads (restart to two steps later: exit $rc)"
[ $nfail = 0 ] || { tail -5 "$TMP"/*.log; fail "$nfail check(s) failed"; }
echo PASS
