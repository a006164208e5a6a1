#!/usr/bin/python3
"""Fuzzed options (issue 12, part A.4): a fixed-seed sample of 200 cases of tools/fuzz-options.

Each case draws 1-4 options from the names bin/fhnk -help lists (fhnk's sections and the -ts_*
options fhnk relies on) with valid, boundary, non-finite, huge, negative, malformed, empty or
missing values, on top of small base options (-nx 4 -nv 32 -nw 16 -ts_max_time 0.02 -ts_dt 0.005),
in a new DIR, a DIR holding results (with or without -overwrite) or with -restart; about one in
ten runs under mpiexec -n 2. Every case must end within 20 s with exit status 0 or 1, print at most
3 lines on stderr, all fhnk's ("fhnk: error: ..." when it fails; Open MPI's mpiexec banner aside),
no traceback, HDF5 stack, PETSc error report or buffer overflow, and leave DIR exactly as it was
unless the run succeeded. Failing cases are printed with the command that reproduces them.
More cases: tools/fuzz-options N SEED.
"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from testlib import ENV, FHNK, ROOT, require_fhnk  # noqa: E402

require_fhnk()
env = dict(ENV, FHNK=FHNK)
cp = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "fuzz-options"), "200", "20260", "--quiet", "-j", "2"],
                    env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True, timeout=1200)
print(cp.stdout)
sys.exit(0 if cp.returncode == 0 else 1)
