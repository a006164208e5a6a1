#!/bin/bash
# Bad input: one invalid value per case. Each must
#   * exit nonzero (docs/layout.md: 1),
#   * print a message on stderr naming the offending option (as a whole word),
#   * print no stack noise: no Python traceback, no PETSc traceback frames
#     ("PETSC ERROR: #n ..."), at most 4 non-empty stderr lines, no "PETSC ERROR" on stdout,
#   * leave an existing DIR/diagnostics.h5 untouched and create no file in DIR, even with
#     -overwrite (validation happens before any output is touched).
# The solver is started directly (one rank, MPI singleton) so that mpiexec's own banner
# about nonzero exit codes does not count as the solver's noise.
# Positive controls: the base options succeed in a fresh DIR; without -overwrite a DIR that
# already holds a diagnostics.h5 is refused (exit nonzero) and left untouched.
# Issue 12A (inputs): arrays with too many entries, NaN/inf/overflowing reals, malformed values
# (each message names the option), runs that would never end (steps, samples, checkpoints),
# duplicate -moments_q, missing -options_file, sizes that overflow PetscInt or exceed the memory,
# over-long -o, -ny/-N_coeffs/-moments_q/-snapshot_times out of range. A case may also give a
# pattern its message must match. Then the special cases (after the table): arrays beyond the
# old fixed sizes are used whole, -force, -help, restart refusals, -o naming a file or /proc/self,
# a read-only and a full file system (tmpfs; skipped with a message if mount is not permitted).
. "$(dirname "$0")/../lib.sh"
require_fhnk
make_tmpdir

declare -A BASE=(
  [eps]=0.1 [N_coeffs]=0,1,0,-1 [fhn_a]=0.1 [fhn_b]=0.08 [fhn_c]=0 [dim]=1 [nx]=2 [Lx]=1
  [psi_type]=gaussian [psi_J]=1 [psi_sigma]=0.3 [rho0_type]=uniform
  [nv]=8 [nw]=8 [vmin]=-2 [vmax]=2 [wmin]=-2 [wmax]=2
  [init]=gaussian [init_var_v]=0.1 [init_var_w]=0.1 [model]=kinetic
  [ts_dt]=0.01 [ts_max_time]=0.02 [diag_dt]=0.01
)
base_args() {  # base_args KEY... : base options without the given keys
    local k skipk out=()
    for k in "${!BASE[@]}"; do
        skipk=0; for d in "$@"; do [ "$k" = "$d" ] && skipk=1; done
        [ $skipk = 1 ] || out+=("-$k" "${BASE[$k]}")
    done
    printf '%s\n' "${out[@]}"
}

nfail=0
bad() { echo "  FAIL: $*"; nfail=$((nfail+1)); }

prep_dir() {  # fresh DIR with a dummy diagnostics.h5
    rm -rf "$1"; mkdir -p "$1"
    head -c 4096 /dev/urandom > "$1/diagnostics.h5"
}
dir_state() { (cd "$1" && find . -mindepth 1 -printf '%P %s %T@\n' | sort && md5sum diagnostics.h5); }

# --- positive control 1: the base options run
mapfile -t args < <(base_args)
"$FHNK" "${args[@]}" -o "$TMP/good" -strict >"$TMP/good.out" 2>"$TMP/good.err"; rc=$?
if [ $rc -ne 0 ] || [ ! -f "$TMP/good/diagnostics.h5" ]; then
    cat "$TMP/good.out" "$TMP/good.err"
    fail "base options do not run (exit $rc): the bad-input cases would be meaningless"
fi
echo "control: base options run, exit 0"

# --- positive control 2: existing results, no -overwrite
prep_dir "$TMP/exist"; before=$(dir_state "$TMP/exist")
"$FHNK" "${args[@]}" -o "$TMP/exist" -strict >"$TMP/e.out" 2>"$TMP/e.err"; rc=$?
after=$(dir_state "$TMP/exist")
echo "control: existing diagnostics.h5 without -overwrite: exit $rc; stderr: $(head -c 300 "$TMP/e.err")"
[ $rc -ne 0 ] || bad "existing results without -overwrite: exit 0"
[ "$before" = "$after" ] || bad "existing results without -overwrite: DIR modified"

# --- the cases: "keys to drop from base|bad options (shell words)|option names (any may match)|
#     pattern the stderr must match (optional, grep -E)"
CASES=(
  "eps|-eps 0|eps"
  "eps|-eps -1|eps"
  "fhn_b|-fhn_b 0|fhn_b"
  "nv|-nv 3|nv"
  "nw|-nw 2|nw"
  "vmin vmax|-vmin 1 -vmax 0|vmin vmax"
  "wmin wmax|-wmin 1 -wmax 1|wmin wmax"
  "nx|-nx 0|nx"
  "dim|-dim 2 -ny 0|ny"
  "psi_sigma|-psi_sigma 0|psi_sigma"
  "psi_type|-psi_type foo|psi_type"
  "rho0_type|-rho0_type foo|rho0_type"
  "init|-init foo|init"
  "model|-model foo|model"
  "N_coeffs|-N_coeffs 0,1,0,1|N_coeffs"
  "ts_max_time|-ts_max_time 0|ts_max_time"
  "|-restart /nonexistent.h5|restart nonexistent.h5"
  "|-epss 1|epss"
  "|-ts_type foo|ts_type"
  "|-ts_adapt_type basic -ts_fhnkimex_type euler|ts_adapt_type"
  # issue 12A.1: arrays too long (were truncated silently), non-finite and overflowing reals
  "N_coeffs|-N_coeffs 0,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,-1|N_coeffs|at most 16"
  "|-moments_q 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17|moments_q|at most 16"
  "|-psi_J nan|psi_J|finite"
  "eps|-eps inf|eps|finite"
  "eps|-eps 1e400|eps|range"
  "|-v_muscl_min_cells nan|v_muscl_min_cells|finite"
  "diag_dt|-diag_dt nan|diag_dt|finite"
  "|-checkpoint_dt nan|checkpoint_dt|finite"
  "|-checkpoint_walltime nan|checkpoint_walltime|finite"
  "|-init_V0 -1e400|init_V0|range"
  "|-stim_amp 1 -stim_x 1e400|stim_x|range"
  # 12A.2: runs that would never end
  "ts_dt|-ts_dt inf|ts_dt|finite"
  "ts_max_time|-ts_max_time inf|ts_max_time|finite"
  "ts_max_time|-ts_max_time 1e400|ts_max_time|range"
  "ts_max_time diag_dt|-ts_max_time 1e300 -diag_dt 0|ts_max_time|1e\\+09"
  "ts_dt|-ts_dt 1e-300|ts_dt|time steps"
  "diag_dt|-diag_dt 1e-300|diag_dt|sample"
  "|-checkpoint_dt 1e-300|checkpoint_dt|checkpoints"
  "ts_dt diag_dt|-ts_dt 20 -diag_dt 3e-9|diag_dt"
  "|-stim_amp 1 -stim_period 1e-12 -stim_duration 1e-13 -stim_count 1e9|stim_period stim_count"
  # 12A.3: messages that name the problem
  "eps|-eps abc|eps|'abc' is not a number"
  "nx|-nx 1.5|nx|not an integer"
  "nx|-nx 99999999999|nx|out of range"
  "|-psi_periodic maybe|psi_periodic|truth value"
  "|-ts_rtol abc|ts_rtol|not a number"
  "|-network_m abc|network_m|not an integer"
  "eps|-eps|eps|needs a value"
  "model|-model ''|model|needs a value"
  "ts_dt|-ts_dt nan|ts_dt|finite number"
  "ts_max_time|-ts_max_time nan|ts_max_time|finite number"
  "|-moments_q 2,2|moments_q|twice"
  "|-moments_q 2,2.0000001|moments_q|twice"
  "|-options_file $TMP/nonexistent.opts|options_file nonexistent.opts|No such file"
  "|-options_file $TMP|options_file|directory"
  "nv|-nv 100000000|nv|GB|2147483647"
  "nw|-nw 2000000000|nw|2147483647"
  "nv nw|-nv 32768 -nw 32767|nv nw|GB"
  "|-o $TMP/long/$(printf 'a%.0s' {1..200})/$(printf 'b%.0s' {1..200})|o|characters"
  "|-o $TMP/long/$(printf 'c%.0s' {1..4000})|o|characters"
  "|-ny -7|ny"
  "N_coeffs|-N_coeffs ''|N_coeffs|needs a value"
  "N_coeffs|-N_coeffs 0|N_coeffs|constant"
  "|-moments_q inf|moments_q|finite"
  "|-snapshot_times 0.5|snapshot_times|T = 0.02"
  "|-snapshot_points 0,1,0 -snapshot_times 0.01|snapshot_points|twice"
  "|-ts_init_time 1|ts_init_time"
  "|-ts_exact_final_time stepover|ts_exact_final_time"
  "|-ts_max_steps -1|ts_max_steps"
  "|-init_V0_amp 1e3|init_V0_amp|v box"
  "fhn_a|-fhn_a 1e10|fhn_a|Courant"
  "psi_sigma|-psi_sigma 1e-300|psi_sigma|not finite"
  "|-init_W0 2147483647|init_W0|w box"
  "N_coeffs|-N_coeffs 0,1,0,-1e6|N_coeffs|Courant"
  "|-ts_adapt_dt_min -1|ts_adapt_dt_min"
  "|-ts_adapt_type cfl|ts_adapt_type|not supported"
  "|-ts_rtol -1|ts_rtol"
  "|-ts_adapt_clip 2,0.5|ts_adapt_clip"
  "|-limit_ts_adapt_dt_max 1e-12|limit_ts_adapt_dt_max|not end"
  "|-limit_ts_max_steps 1|limit_ts_max_steps"
  "|-limit_ts_init_time 5|limit_ts_init_time"
  "model fhn_c|-model network -fhn_c 2147483647|fhn_c|drift"
  "model|-model \$'kin\\netic'|model|control character"
  "model|-model limit -init_V0_amp 99999999999|init_V0|drift"
)
MEMKB=$(awk '/MemTotal/ {print $2}' /proc/meminfo)
i=0
for cs in "${CASES[@]}"; do
    IFS='|' read -r drop badopts names pattern <<<"$cs"
    i=$((i+1))
    if [[ "$badopts" == *"-nw 32767"* ]] && [ "${MEMKB:-0}" -gt 120000000 ]; then
        echo "case $badopts: skipped (this machine has more memory than the 137 GB it needs)"; continue
    fi
    d="$TMP/case$i"; prep_dir "$d"; before=$(dir_state "$d")
    # shellcheck disable=SC2086
    mapfile -t args < <(base_args $drop)
    eval "bopts=($badopts)"
    "$FHNK" "${args[@]}" -o "$d" -overwrite -strict "${bopts[@]}" >"$d.out" 2>"$d.err"; rc=$?
    after=$(dir_state "$d")
    msg=$(grep -v '^[[:space:]]*$' "$d.err")
    nl=$(printf '%s' "$msg" | grep -c .)
    echo "case ${badopts:0:120}: exit $rc, $nl stderr line(s): $(printf '%s' "$msg" | head -n 2 | tr '\n' ' ' | cut -c1-220)"
    [ $rc -eq 1 ] || bad "$badopts: exit status $rc (want 1)"
    named=0
    for n in $names; do
        grep -Eq "(^|[^A-Za-z0-9_])${n//./\\.}([^A-Za-z0-9_]|$)" "$d.err" && named=1
    done
    [ $named = 1 ] || bad "$badopts: stderr does not name the option ($names)"
    [ -z "$pattern" ] || grep -Eq -- "$pattern" "$d.err" || bad "$badopts: stderr does not say '$pattern'"
    grep -q 'Traceback' "$d.err" "$d.out" && bad "$badopts: traceback printed"
    grep -Eq 'PETSC ERROR|buffer overflow|HDF5-DIAG' "$d.err" "$d.out" && bad "$badopts: PETSc/HDF5 error report or abort printed"
    [ "$nl" -le 4 ] || bad "$badopts: $nl lines on stderr (more than one message)"
    grep -vq '^fhnk: ' <<<"$msg" && bad "$badopts: stderr lines that are not fhnk's messages"
    [ "$before" = "$after" ] || { bad "$badopts: DIR modified (diagnostics.h5 overwritten or files created)";
                                  diff <(echo "$before") <(echo "$after") | head -5; }
    [ ! -e "$TMP/long" ] || { bad "$badopts: the over-long -o was created"; rm -rf "$TMP/long"; }
done
echo "${#CASES[@]} table cases, $nfail problem(s)"

# --- special cases
mapfile -t args < <(base_args)
one_error() {  # one_error LABEL RC_FILE_PREFIX PATTERN: exit 1, one 'fhnk: error' line matching PATTERN
    local label=$1 f=$2 pat=$3 rc
    rc=$(cat "$f.rc")
    local msg; msg=$(grep -v '^[[:space:]]*$' "$f.err")
    echo "$label: exit $rc: $(printf '%s' "$msg" | head -n 3 | tr '\n' ' ' | cut -c1-250)"
    [ "$rc" = 1 ] || bad "$label: exit status $rc (want 1)"
    [ "$(printf '%s' "$msg" | grep -c .)" -ge 1 ] && [ "$(printf '%s' "$msg" | grep -vc '^fhnk: ')" = 0 ] \
        || bad "$label: stderr is not fhnk's one-line messages"
    [ "$(printf '%s' "$msg" | grep -c .)" -le 2 ] || bad "$label: more than 2 lines on stderr"
    grep -Eq -- "$pat" "$f.err" || bad "$label: stderr does not say '$pat'"
    grep -Eq 'PETSC ERROR|Traceback|buffer overflow|HDF5-DIAG' "$f.err" "$f.out" && bad "$label: error report printed"
}
runf() {  # runf PREFIX ARGS...: run the solver, PREFIX.out/.err/.rc
    local f=$1; shift
    "$FHNK" "$@" >"$f.out" 2>"$f.err"; echo $? >"$f.rc"
}

# arrays beyond the old fixed sizes (64) are used whole: 65 snapshot times, 65 snapshot points
T65=$(awk 'BEGIN{for(k=0;k<65;k++) printf "%s%g", (k?",":""), k*0.0003}')
runf "$TMP/snap65" "${args[@]}" -nx 70 -snapshot_times "$T65" -snapshot_points 0-65 -o "$TMP/snap65" -strict
if [ "$(cat "$TMP/snap65.rc")" != 0 ]; then bad "65 snapshot times and points: exit $(cat "$TMP/snap65.rc")"; cat "$TMP/snap65.err"
else
    got=$($PY -c "import h5py,sys; f=h5py.File(sys.argv[1],'r'); g=[k for k in f if k.startswith('snapshot_')]; print(len(g), len(f[g[-1]].attrs['points']), f[g[-1]]['f'].shape[0])" "$TMP/snap65/snapshots.h5")
    echo "65 snapshot times and points: snapshots.h5 holds (groups, points, f rows) = $got"
    [ "$got" = "65 65 65" ] || bad "65 snapshot times/points: got (groups, points, rows) = $got, want 65 65 65"
fi

# -force lifts the bound on the number of steps (and -ts_max_steps ends such a run)
runf "$TMP/force" "${args[@]}" -ts_max_time 1e300 -diag_dt 0 -ts_max_steps 2 -force -o "$TMP/force" -strict
echo "-force with T = 1e300, -ts_max_steps 2: exit $(cat "$TMP/force.rc")"
[ "$(cat "$TMP/force.rc")" = 0 ] && grep -q "stopped at -ts_max_steps 2" "$TMP/force.out" || { bad "-force -ts_max_steps 2: not a clean stop"; tail -3 "$TMP/force.out" "$TMP/force.err"; }

# -help: the arrays' real defaults and the time steppers fhnk supports (PETSc >= 3.19 prints
# "-name: <now ...>", 3.18 "-name <now ...>")
"$FHNK" -help -o "$TMP/help" >"$TMP/help.out" 2>&1
grep -E -q -- '-N_coeffs:? <now 0,1,0,-1 : formerly 0,1,0,-1>' "$TMP/help.out" || bad "-help does not show the default of -N_coeffs"
grep -E -q -- '^  -ts_type:? .*fhnkimex.*arkimex.*euler, rk, ssp.*refused' "$TMP/help.out" || bad "-help does not say which -ts_type are supported"
[ ! -e "$TMP/help" ] || bad "-help created its -o"

# the other refusals of issue 12 (restart, -o, file systems): exit 1, one line, nothing changed
good=$TMP/good   # results of control 1: a checkpoint at t = 0.02
runf "$TMP/rdir" "${args[@]}" -restart "$good" -o "$TMP/rdir" -strict
one_error "-restart DIR (a directory)" "$TMP/rdir" "is a directory"
[ ! -e "$TMP/rdir" ] || bad "-restart DIR: created its -o"
before=$(cd "$good" && find . -type f -printf '%P %s\n' | sort && md5sum ./*)
runf "$TMP/rshort" "${args[@]}" -ts_max_time 0.01 -restart latest -o "$good" -strict
one_error "restart with -ts_max_time below the checkpoint's time" "$TMP/rshort" "ts_max_time"
[ "$before" = "$(cd "$good" && find . -type f -printf '%P %s\n' | sort && md5sum ./*)" ] || bad "restart below the checkpoint's time: DIR modified"
mkdir -p "$TMP/damaged"; cp "$good"/checkpoint-*.h5 "$TMP/damaged/"
ck=$(ls "$TMP/damaged"/checkpoint-*.h5 | tail -n 1)
for grp in limit centre; do
    cp "$(ls "$good"/checkpoint-*.h5 | tail -n 1)" "$ck"
    if $PY -c "import h5py,sys; f=h5py.File(sys.argv[1],'r+'); sys.exit(0 if sys.argv[2] in f else 3)" "$ck" "$grp" 2>/dev/null; then
        $PY -c "import h5py,sys; f=h5py.File(sys.argv[1],'r+'); del f[sys.argv[2]]; f.close()" "$ck" "$grp"
        runf "$TMP/dmg-$grp" "${args[@]}" -ts_max_time 0.04 -restart "$ck" -o "$TMP/dmg-$grp" -strict
        one_error "checkpoint without /$grp" "$TMP/dmg-$grp" "damaged"
        [ ! -e "$TMP/dmg-$grp" ] || bad "checkpoint without /$grp: created its -o"
    else echo "checkpoint without /$grp: skipped (the checkpoint has no /$grp)"; fi
done
: >"$TMP/afile"
runf "$TMP/ofile" "${args[@]}" -o "$TMP/afile" -strict
one_error "-o naming a file" "$TMP/ofile" "not a directory"
[ ! -s "$TMP/afile" ] || bad "-o naming a file: the file was written"
runf "$TMP/oproc" "${args[@]}" -o /proc/self -strict
one_error "-o /proc/self" "$TMP/oproc" "-o /proc/self"

MNT=$TMP/mnt; mkdir -p "$MNT"
if mount -t tmpfs -o size=2m tmpfs "$MNT" 2>"$TMP/mount.err"; then
    # a full file system: the run's output does not fit in 2 MB
    runf "$TMP/full" "${args[@]}" -nx 256 -nv 32 -nw 32 -ts_max_time 0.02 -diag_dt 0.01 -o "$MNT/full" -strict
    one_error "full file system (tmpfs of 2 MB)" "$TMP/full" "no space left"
    rm -rf "${MNT:?}"/*
    # a read-only file system: a DIR holding results on it, -overwrite
    mkdir -p "$MNT/ro"; head -c 4096 /dev/urandom >"$MNT/ro/diagnostics.h5"
    before=$(dir_state "$MNT/ro")
    if mount -o remount,ro "$MNT" 2>>"$TMP/mount.err"; then
        runf "$TMP/ro" "${args[@]}" -o "$MNT/ro" -overwrite -strict
        one_error "read-only file system" "$TMP/ro" "-o"
        [ "$before" = "$(dir_state "$MNT/ro")" ] || bad "read-only file system: DIR modified"
        runf "$TMP/ro2" "${args[@]}" -o "$MNT/new" -strict
        one_error "read-only file system, new DIR" "$TMP/ro2" "-o"
    else echo "read-only file system: skipped (remount,ro not permitted: $(head -c 200 "$TMP/mount.err"))"; fi
    umount "$MNT" || umount -l "$MNT"
else
    echo "full and read-only file systems: skipped (mount -t tmpfs not permitted: $(head -c 200 "$TMP/mount.err"))"
fi

echo "$nfail problem(s) in all"
[ $nfail -eq 0 ] || exit 1
