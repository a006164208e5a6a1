#!/usr/bin/python3
"""Rates in eps of the paper's theorems, through tools/eps-sweep (small 1-D case, 2 ranks).

Scenario petsc-options/eps-sweep-1d.opts (N = v - v^3, nx = 4, cosine rho0, Gaussian Psi,
well-prepared concentrated data), eps = 0.02, 0.01, 0.005, 0.0025, T = 1; per eps the tool
puts >= 4 v-cells per sqrt(eps/rho0) in a v-box of +-8 std around the trajectory of (1.9).
Checks (the bounds are the theorems' rates, not tuned to the solver):
  * least-squares log-log slope of max_{t,x} |(V,W)^eps - (V,W)_lim| in [0.8, 1.2]  (Thm 2.4(1))
  * slope of max_t H (Hopf-Cole, /hopfcole/H) in [0.8, 1.2]                      (Thm 1.5)
  * D2 rho0/eps after the initial layer within 10% of 1 at eps = 0.0025 (worst t, x) (Thm 2.4(3))
  * ill-prepared data (gaussian, var_v 0.05; dt = eps/20, diag_dt = eps/10, T = 5 eps): decay
    rate of D2 - eps/rho0 in the layer within 20% of 2 rho0/eps at every eps and point
  * the solver's limit companion agrees with tools/fhnk_ref.py (1e-8), mass stays 1, f >= 0 (-1e-14)
"""
import csv
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from testlib import ENV, ROOT, Checker, require_fhnk, tmpdir  # noqa: E402

require_fhnk()
c = Checker()
tool = os.path.join(ROOT, "tools", "eps-sweep")
with tmpdir() as tmp:
    out = os.path.join(tmp, "sweep")
    cmd = [tool, "--opts", os.path.join(ROOT, "petsc-options", "eps-sweep-1d.opts"),
           "--eps", "0.02,0.01,0.005,0.0025", "--T", "1", "--np", "2", "--out", out]
    print("$ " + " ".join(cmd), flush=True)
    cp = subprocess.run(cmd, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                        universal_newlines=True)
    print(cp.stdout, flush=True)
    c.check(cp.returncode in (0, 1), "tools/eps-sweep ran (exit %d; 1 = a rate check failed)" % cp.returncode)
    if cp.returncode not in (0, 1):
        c.done()
    rows = list(csv.DictReader(open(os.path.join(out, "eps-sweep.csv"))))
    checks = list(csv.DictReader(open(os.path.join(out, "slopes.csv"))))
    for k in ("eps-sweep.md", "eps-sweep.png"):
        fn = os.path.join(out, k)
        c.check(os.path.isfile(fn) and os.path.getsize(fn) > 0, "%s written" % k)
    byname = {r["quantity"]: float(r["measured"]) for r in checks}
    sa = [v for k, v in byname.items() if k.startswith("(a) slope")][0]
    sb = [v for k, v in byname.items() if k.startswith("(b) slope")][0]
    c.check(0.8 <= sa <= 1.2, "slope of max|(V,W)^eps - (V,W)_lim| = %.3f in [0.8, 1.2]" % sa)
    c.check(0.8 <= sb <= 1.2, "slope of max H = %.3f in [0.8, 1.2]" % sb)
    small = min(rows, key=lambda r: float(r["eps"]))
    d2 = float(small["D2ratio_worst"])
    c.check(abs(d2 - 1) <= 0.1, "D2 rho0/eps after the layer at eps=%s = %.4f within 10%% of 1" % (small["eps"], d2))
    c.check(len([r for r in rows if r["layer_rate_ratio_worst"]]) == 4, "4 layer runs analysed")
    for r in rows:
        q = float(r["layer_rate_ratio_worst"])
        c.check(abs(q - 1) <= 0.2, "eps=%s layer decay rate / (2 rho0/eps) = %.3f within 20%% of 1" % (r["eps"], q))
        c.le(float(r["limit_vs_ref"]), 1e-8, "eps=%s limit companion vs fhnk_ref" % r["eps"])
        c.le(float(r["mass_dev"]), 1e-10, "eps=%s |mass - 1|" % r["eps"])
        c.ge(float(r["fmin"]), -1e-14, "eps=%s fmin" % r["eps"])
        c.ge(float(r["cells_per_width"]), 3.5, "eps=%s v-cells per sqrt(eps/rho0)" % r["eps"])
c.done()
