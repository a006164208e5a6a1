#!/bin/bash
# Self-test of the test driver tests/run-tests on a synthetic tests tree.
. "$(dirname "$0")/../lib.sh"
make_tmpdir
T=$TMP/tests
mkdir -p "$T/unit" "$T/verification" "$T/integration"
printf '#!/bin/bash\necho hello; exit 0\n' > "$T/unit/01-pass.sh"
printf '#!/usr/bin/python3\nimport sys\nprint("no solver here"); sys.exit(77)\n' > "$T/unit/02-skip.py"
printf '#!/bin/bash\nfor i in $(seq 100); do echo line$i; done; exit 3\n' > "$T/verification/01-fail.sh"
printf '#!/bin/bash\nsleep 30\n' > "$T/integration/01-slow.sh"
printf '#!/bin/bash\nexit 1\n' > "$T/integration/README.sh"          # not NN-name: ignored
printf '#!/bin/bash\nexit 1\n' > "$T/integration/02-noexec.sh"        # not executable: not run
chmod +x "$T"/unit/* "$T"/verification/* "$T"/integration/01-slow.sh "$T"/integration/README.sh

out=$(TESTS_DIR=$T TEST_LOGDIR=$TMP/logs TEST_TIMEOUT=2 "$ROOT/tests/run-tests" 2>&1); rc=$?
echo "$out"
ok=1
[ $rc -ne 0 ] || { echo "driver returned 0 despite failures"; ok=0; }
last=$(echo "$out" | tail -n 1)
[ "$last" = "1 passed, 2 failed, 1 skipped" ] || { echo "bad summary: '$last'"; ok=0; }
echo "$out" | grep -Eq '^unit/01-pass.sh +PASS' || { echo "no PASS line"; ok=0; }
echo "$out" | grep -Eq '^unit/02-skip.py +SKIP .*no solver here' || { echo "no SKIP line with reason"; ok=0; }
echo "$out" | grep -Eq '^verification/01-fail.sh +FAIL .*exit 3' || { echo "no FAIL line"; ok=0; }
echo "$out" | grep -q 'line100' && ! echo "$out" | grep -q 'line50$' || { echo "tail of log not ~40 lines"; ok=0; }
echo "$out" | grep -Eq '^integration/01-slow.sh +FAIL .*timeout' || { echo "no timeout FAIL"; ok=0; }
echo "$out" | grep -q 'README' && { echo "README.sh was run"; ok=0; }
[ -f "$TMP/logs/verification-01-fail.log" ] || { echo "no full log kept"; ok=0; }
# order: unit before verification before integration
order=$(echo "$out" | grep -Eo '^(unit|verification|integration)/' | uniq | tr -d '\n')
[ "$order" = "unit/verification/integration/" ] || { echo "tier order $order"; ok=0; }
# filter
out2=$(TESTS_DIR=$T TEST_LOGDIR=$TMP/logs "$ROOT/tests/run-tests" pass 2>&1); rc2=$?
[ $rc2 -eq 0 ] && [ "$(echo "$out2" | tail -n 1)" = "1 passed, 0 failed" ] || { echo "filter: rc=$rc2 '$out2'"; ok=0; }
[ $ok = 1 ] || fail "driver self-test"
echo "driver self-test ok"
