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

# --- the cases: "keys to drop from base|bad options|option names (any may match)"
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
)
i=0
for cs in "${CASES[@]}"; do
    IFS='|' read -r drop badopts names <<<"$cs"
    i=$((i+1))
    d="$TMP/case$i"; prep_dir "$d"; before=$(dir_state "$d")
    # shellcheck disable=SC2086
    mapfile -t args < <(base_args $drop)
    # shellcheck disable=SC2086
    "$FHNK" "${args[@]}" $badopts -o "$d" -overwrite -strict >"$d.out" 2>"$d.err"; rc=$?
    after=$(dir_state "$d")
    msg=$(grep -v '^[[:space:]]*$' "$d.err")
    nl=$(printf '%s' "$msg" | grep -c .)
    echo "case $badopts: exit $rc, $nl stderr line(s): $(printf '%s' "$msg" | head -n 2 | tr '\n' ' ' | cut -c1-200)"
    [ $rc -ne 0 ] || bad "$badopts: exit status 0"
    named=0
    for n in $names; do
        grep -Eq "(^|[^A-Za-z0-9_])${n//./\\.}([^A-Za-z0-9_]|$)" "$d.err" && named=1
    done
    [ $named = 1 ] || bad "$badopts: stderr does not name the option ($names)"
    grep -q 'Traceback' "$d.err" "$d.out" && bad "$badopts: traceback printed"
    grep -Eq 'PETSC ERROR: #[0-9]' "$d.err" "$d.out" && bad "$badopts: PETSc traceback frames printed"
    [ "$nl" -le 4 ] || bad "$badopts: $nl lines on stderr (more than one message)"
    grep -q 'PETSC ERROR' "$d.out" && bad "$badopts: PETSC ERROR on stdout"
    [ "$before" = "$after" ] || { bad "$badopts: DIR modified (diagnostics.h5 overwritten or files created)";
                                  diff <(echo "$before") <(echo "$after") | head -5; }
done
echo "${#CASES[@]} cases, $nfail problem(s)"
[ $nfail -eq 0 ] || exit 1
