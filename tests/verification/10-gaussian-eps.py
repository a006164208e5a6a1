#!/usr/bin/python3
"""SPEC 2 exact Gaussian solution, eps in {1, 1e-2, 1e-4, 1e-6}, one and the same dt.

Linear N = -v, gaussian Psi, cosine rho0, x-dependent initial means (tests/gausscase.py).
Each eps runs on its own resolved grid: box = mean +- 8 std over the whole exact trajectory,
>= 4 cells per smallest std in v and w (the grid scales with sqrt(eps)). One dt for all eps:
the smallest transport-CFL step (0.4) of the four grids (0.002); dt rho0/eps reaches 2.3e3
at eps=1e-6.

Checks (final time T = 0.5):
  * asymptotic preservation: every error at eps = 1e-6 <= 10 x the same error at eps = 1
    (L1 error of f relative to rho0, V and W errors in units of their std, relative errors
    of D2, Sww, and Svw relative to sqrt(Svv Sww)): the design card requires that neither
    the time step nor the accuracy depend on eps.
  * absolute accuracy: a 2nd-order finite-volume discretisation with h = std/4 has a
    relative error C (h/std)^2 = C/16 with C = O(1) for a Gaussian (its second derivative
    is O(1/std^2)): we require L1/rho0 <= 0.1 and every moment error <= 0.05.
  * mass per point = rho0 and fmin >= -1e-14.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from testlib import Checker, ref, require_fhnk, run_fhnk, tmpdir  # noqa: E402
import gausscase as g  # noqa: E402

import numpy as np  # noqa: E402

require_fhnk()
c = Checker()
T = 0.5
EPS = (1.0, 1e-2, 1e-4, 1e-6)
designs = {eps: g.design(eps, nx=3, T=T) for eps in EPS}
dt = g.nice_dt(min(d[2] for d in designs.values()), T)
print("common dt = %.6g (%d steps)" % (dt, round(T / dt)))
errs = {}
with tmpdir() as tmp:
    for eps in EPS:
        p, opts, _ = designs[eps]
        out = os.path.join(tmp, "eps%g" % eps)
        opts = dict(opts, ts_dt=dt, diag_dt=T / 5)
        print("eps=%g grid nv=%d nw=%d box v[%.4g,%.4g] w[%.4g,%.4g]  dt*rho0/eps=%.3g" % (
            eps, p.nv, p.nw, p.vmin, p.vmax, p.wmin, p.wmax, dt * ref.rho0(p).max() / eps))
        run_fhnk(opts, out, n=2)
        d = ref.read_diag(out)
        f, at, pc = ref.read_checkpoint(ref.latest_checkpoint(out))
        tf = float(ref._scalar(at["time"]))
        c.le(abs(tf - T), 1e-9, "eps=%g final checkpoint time %.12g == T" % (eps, tf))
        c.le(abs(d["time"][-1] - T), 1e-9, "eps=%g last diagnostics time == T" % eps)
        e = g.errors(p, d, f, tf)
        errs[eps] = e
        print("eps=%g errors: %s" % (eps, g.fmt(e)))
        mo = ref.moments(p, f)
        c.le(np.max(np.abs(mo["mass"] - ref.rho0(p)) / ref.rho0(p)), 1e-10,
             "eps=%g checkpoint mass per point == rho0 (rel)" % eps)
        c.le(np.max(np.abs(mo["V"] - d["V"][-1])) / np.sqrt(eps), 1e-8,
             "eps=%g checkpoint moments consistent with diagnostics V (units of std)" % eps)
        c.ge(np.min(d["fmin"]), -1e-14, "eps=%g fmin" % eps)
        c.le(e["L1"], 0.1, "eps=%g L1/rho0" % eps)
        for k in ("V", "W", "D2", "Svw", "Sww"):
            c.le(e[k], 0.05, "eps=%g %s error (scaled)" % (eps, k))

print("\nsummary (dt=%.4g):" % dt)
for eps in EPS:
    print("  eps=%-6g %s" % (eps, g.fmt(errs[eps])))
for k in ("L1", "V", "W", "D2", "Svw", "Sww"):
    floor = 1e-6  # errors below this are round-off/tails: do not compare ratios of noise
    c.le(errs[1e-6][k], 10 * max(errs[1.0][k], floor),
         "AP: %s error at eps=1e-6 vs 10 x eps=1 (ratio %.2f)" % (
             k, errs[1e-6][k] / max(errs[1.0][k], 1e-300)))
c.done()
