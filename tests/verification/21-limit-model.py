#!/usr/bin/python3
"""-model limit integrates (1.9) alone: compare with the independent DOP853 reference.

The limit system depends on the grid of K, rho0 and the kernel only through P = Psi*rho0 and
Q = Psi*(rho0 V), so this checks the solver's kernels and midpoint rule independently of
phase space: gaussian / tophat / none, with and without periodic images, 1-D and 2-D, cosine
rho0, cubic N (oscillator), x-dependent V0 and W0, T = 2.
Each case runs with -ts_dt 0.02 and 0.01. The contract does not say how the limit system is
integrated, so either outcome is accepted:
  * an accurate (adaptive/sub-stepped) integrator: error <= 1e-8 at both dt (the
    reference is good to ~1e-12); this is what fhnk 0.2 does (errors ~1e-11, dt-independent);
  * a fixed-step 2nd-order (or higher) scheme at dt: observed order log2(e(0.02)/e(0.01))
    >= 1.7 and e(0.01) <= 2e-5 (global error ~ C dt^2 T with C ~ |J|^3/6 ~ 1..5 for the
    Jacobian |J| <= 3 of (1.9) on these data: a few 1e-6 at dt = 0.01, margin ~5).
A wrong kernel normalisation (2s vs s, (2 pi)^(d/2), missing |dK|) changes V by >= 1e-3 here.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from testlib import Checker, ref, require_fhnk, run_fhnk, tmpdir  # noqa: E402

import numpy as np  # noqa: E402

require_fhnk()
c = Checker()
base = dict(model="limit", eps=1e-2, N_coeffs="0,1,0,-1", fhn_a=0.1, fhn_b=0.08, fhn_c=0.05,
            Lx=1.0, rho0_type="cosine", rho0_amp=0.4, psi_J=2.0, nv=8, nw=8, vmin=-2.0,
            vmax=2.0, wmin=-2.0, wmax=2.0, init="gaussian", init_V0=0.3, init_V0_amp=0.8,
            init_W0=0.1, init_W0_amp=0.3, init_var_v=0.1, init_var_w=0.1, ts_max_time=2.0,
            diag_dt=0.5)
cases = {
    "1-D gaussian": dict(dim=1, nx=8, psi_type="gaussian", psi_sigma=0.2),
    "1-D tophat periodic": dict(dim=1, nx=10, psi_type="tophat", psi_sigma=0.25,
                                psi_periodic=True),
    "1-D none": dict(dim=1, nx=3, psi_type="none", psi_sigma=0.2),
    "2-D gaussian periodic": dict(dim=2, nx=4, ny=3, Ly=0.75, psi_type="gaussian",
                                  psi_sigma=0.3, psi_periodic=True),
    "2-D tophat": dict(dim=2, nx=5, ny=4, Ly=0.8, psi_type="tophat", psi_sigma=0.3),
}
with tmpdir() as tmp:
    for name, extra in cases.items():
        opts = dict(base, **extra)
        errs = []
        for dt in (0.02, 0.01):
            out = os.path.join(tmp, name.replace(" ", "_") + "-%g" % dt)
            run_fhnk(dict(opts, ts_dt=dt), out, n=2 if opts["nx"] > 3 else 1, quiet=True)
            d = ref.read_diag(out)
            p = d["params"]
            V, W = ref.solve_limit(p, d["time"])
            e = max(np.abs(d["V"] - V).max(), np.abs(d["W"] - W).max())
            errs.append(e)
        P = ref.P_field(p)
        coupling = np.abs(V - V.mean(axis=1, keepdims=True)).max()
        print("%-22s P in [%.3f, %.3f], spread of V %.3f, errors dt=0.02: %.3e dt=0.01: %.3e"
              % (name, P.min(), P.max(), coupling, errs[0], errs[1]))
        if max(errs) <= 1e-8:
            c.le(max(errs), 1e-8, "%s: max |(V,W) - (1.9) reference| (accurate integrator)" % name)
        else:
            c.le(errs[1], 2e-5, "%s: max |(V,W) - (1.9) reference| at dt=0.01" % name)
            c.ge(np.log2(errs[0] / errs[1]), 1.7, "%s: observed order in dt" % name)
c.done()
