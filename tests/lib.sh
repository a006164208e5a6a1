# Helpers for bash tests; source it:  . "$(dirname "$0")/../lib.sh"
# Provides: ROOT, FHNK, mpirun_n N args..., make_tmpdir (sets TMP, removed on exit
# unless KEEP_TMP=1), skip MSG (exit 77), fail MSG (exit 1), require_fhnk.
set -u
ROOT=${FHNK_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
FHNK=${FHNK:-$ROOT/bin/fhnk}
PY=/usr/bin/python3
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1

mpirun_n() {
    local n=$1; shift
    mpiexec --oversubscribe -n "$n" "$@"
}

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }

require_fhnk() {
    [ -x "$FHNK" ] || fail "solver binary $FHNK not found (run make)"
}

_tmpdirs=()
_cleanup_tmp() {
    if [ "${KEEP_TMP:-0}" = 1 ]; then echo "kept: ${_tmpdirs[*]:-}"; return; fi
    local d; for d in "${_tmpdirs[@]:-}"; do [ -n "$d" ] && rm -rf -- "$d"; done
}
trap _cleanup_tmp EXIT
make_tmpdir() {
    TMP=$(mktemp -d "${TMPDIR:-/tmp}/fhnk-test.XXXXXX") || fail "mktemp"
    _tmpdirs+=("$TMP")
}
