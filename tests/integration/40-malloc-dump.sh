#!/bin/bash
# -malloc_dump: a tiny run frees everything it allocates (PETSc prints one line per block
# still allocated at PetscFinalize, "[ 0] <n> bytes <function>() at <file>:<line>" in 3.18,
# "Total space allocated"). First checks that this PETSc build does report leaks, with a
# 10-line program that leaks on purpose (skips if it cannot be built or reports nothing).
. "$(dirname "$0")/../lib.sh"
require_fhnk
make_tmpdir
LEAKRE='(\[ *[0-9]+\] *[0-9]+ bytes )|([0-9]+ bytes .* line [0-9]+)|(Total space allocated)|(Memory not freed)'

cat > "$TMP/leak.c" <<'CEOF'
#include <petscsys.h>
int main(int argc, char **argv) {
  void *p;
  PetscCall(PetscInitialize(&argc, &argv, NULL, NULL));
  PetscCall(PetscMalloc(1000, &p));
  PetscCall(PetscFinalize());
  return 0;
}
CEOF
if mpicc -o "$TMP/leak" "$TMP/leak.c" $(pkg-config --cflags --libs PETSc 2>/dev/null) >"$TMP/cc.log" 2>&1; then
    "$TMP/leak" -malloc_dump >"$TMP/leak.out" 2>&1
    if ! grep -Eq "$LEAKRE" "$TMP/leak.out"; then
        cat "$TMP/leak.out"; skip "this PETSc build does not report leaks with -malloc_dump"
    fi
    echo "control: a deliberate leak is reported: $(grep -E "$LEAKRE" "$TMP/leak.out" | head -1)"
else
    cat "$TMP/cc.log"; echo "warning: could not build the leak control; checking fhnk anyway"
fi

"$FHNK" -eps 0.1 -N_coeffs 0,1,0,-1 -nx 2 -nv 8 -nw 8 -vmin -2 -vmax 2 -wmin -2 -wmax 2 \
    -psi_type gaussian -psi_J 1 -psi_sigma 0.3 -init gaussian -init_var_v 0.1 -init_var_w 0.1 \
    -ts_dt 0.01 -ts_max_time 0.05 -diag_dt 0.01 -checkpoint_dt 0.02 \
    -o "$TMP/run" -strict -malloc_dump >"$TMP/run.out" 2>&1; rc=$?
cat "$TMP/run.out" | tail -n 20
[ $rc -eq 0 ] || fail "fhnk -malloc_dump exited $rc"
if grep -Eq "$LEAKRE" "$TMP/run.out"; then
    echo "leaks reported:"; grep -E "$LEAKRE" "$TMP/run.out" | head -20
    fail "-malloc_dump reports $(grep -Ec "$LEAKRE" "$TMP/run.out") unfreed block line(s)"
fi
# the same on 2 ranks
mpirun_n 2 "$FHNK" -eps 0.1 -N_coeffs 0,1,0,-1 -nx 3 -nv 8 -nw 8 -vmin -2 -vmax 2 -wmin -2 -wmax 2 \
    -psi_type gaussian -psi_J 1 -psi_sigma 0.3 -init gaussian -init_var_v 0.1 -init_var_w 0.1 \
    -ts_dt 0.01 -ts_max_time 0.05 -diag_dt 0.01 \
    -o "$TMP/run2" -strict -malloc_dump >"$TMP/run2.out" 2>&1; rc=$?
[ $rc -eq 0 ] || { tail -20 "$TMP/run2.out"; fail "fhnk -malloc_dump on 2 ranks exited $rc"; }
if grep -Eq "$LEAKRE" "$TMP/run2.out"; then
    grep -E "$LEAKRE" "$TMP/run2.out" | head -20; fail "-malloc_dump on 2 ranks reports leaks"
fi
echo "no leaks reported (1 and 2 ranks)"
