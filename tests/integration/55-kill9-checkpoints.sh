#!/bin/bash
# kill -9 at random moments (20 of them; tools/soak-kill9 200 runs the long version outside CI):
# diagnostics.h5 always opens with consistent series, the newest checkpoint always loads, and the
# interrupted runs (1 and 2 ranks) end bitwise equal to uninterrupted ones. About 1.5 minutes.
. "$(dirname "$0")/../lib.sh"
require_fhnk
command -v setsid >/dev/null || skip "no setsid"
exec "$ROOT/tools/soak-kill9" "${NKILL:-20}"
