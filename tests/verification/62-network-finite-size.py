#!/usr/bin/python3
"""-model network meets the kinetic model as m grows (issue 10), with tools/finite-size.

N = v - v^3 (cubic), 4 columns, eps = 0.05, T = 2: 10 networks (seeds) at each of
m = 1e3, 1e4, 3e4, 1e5 against one kinetic run on the same options (nv = 256, nw = 64).
* The exponent in m of the rms error of the column means and of the column variances is
  -0.5 +- 0.1 (the central limit theorem: the network is the kinetic model plus O(1/sqrt(n_k))).
* The average of the 10 networks at m = 1e5 is within 4 standard errors of the kinetic V (the
  spread across networks / sqrt(10)) plus the kinetic discretization error (bounded by a run on a
  grid twice as coarse).
"""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from testlib import ENV, FHNK, ROOT, Checker, require_fhnk, tmpdir  # noqa: E402

require_fhnk()
c = Checker()
with tmpdir() as tmp:
    cmd = [os.path.join(ROOT, "tools", "finite-size"), "--seeds", "10", "--m", "1000,10000,30000,100000",
           "--out", tmp, "--fhnk", FHNK, "--", "-nx", "4", "-eps", "0.05", "-psi_type", "gaussian",
           "-psi_sigma", "0.3", "-init", "gaussian", "-init_V0", "0.5", "-init_V0_amp", "0.4",
           "-init_var_v", "0.05", "-init_var_w", "0.1", "-nv", "256", "-nw", "64", "-vmin", "-2",
           "-vmax", "2", "-wmin", "-2", "-wmax", "2", "-ts_dt", "0.005", "-ts_max_time", "2",
           "-diag_dt", "0.5", "-strict"]
    cp = subprocess.run(cmd, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True)
    print(cp.stdout)
    c.check(cp.returncode == 0, "tools/finite-size ran")
    s = json.load(open(os.path.join(tmp, "finite-size.json")))
    c.check(abs(s["exponent_V"] + 0.5) <= 0.1, "exponent in m of rms |Vbar - V| = %.3f (-0.5 +- 0.1)" % s["exponent_V"])
    c.check(abs(s["exponent_D2"] + 0.5) <= 0.1, "exponent in m of rms |var - D2| = %.3f (-0.5 +- 0.1)" % s["exponent_D2"])
    c.le(s["average_vs_kinetic_ratio"], 1.0, "average of 10 networks at m = 1e5 vs kinetic, in units of 4 SE + kinetic error")
    c.check(os.path.getsize(os.path.join(tmp, "finite-size.png")) > 1000, "the PNG is written")
c.done()
