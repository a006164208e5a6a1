#!/usr/bin/python3
"""Observed order in dt for the SPEC 2 Gaussian problem on a fixed (fine) grid.

Three runs with dt0, dt0/2, dt0/4 (dt0 = the transport CFL step, 0.4) on the same grid
(6 cells per std, box mean +- 8 std, 3 points of K with a gaussian Psi). On one grid the
space error is identical in all three runs, so the successive differences
|f_dt - f_dt/2| and |f_dt/2 - f_dt/4| (L1 norm relative to rho0, and the moments) isolate
the time error of the scheme: order = log2 of their ratio. The errors against the exact
solution are printed too (dominated by the space error on this grid, by design).
eps = 1 (non-stiff: the classical order of the ARKIMEX tableau shows) must give >= 1.7
(design order 2, or more with a 3rd-order tableau). eps = 1e-4 (dt rho0/eps ~ 20..60, stiff)
is reported and must stay >= 1.0 (IMEX schemes may lose order in the stiff regime, but a
scheme that is not even first order there is wrong).
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from testlib import Checker, ref, require_fhnk, run_fhnk, tmpdir  # noqa: E402
import gausscase as g  # noqa: E402

import numpy as np  # noqa: E402

require_fhnk()
c = Checker()
T = 0.4
with tmpdir() as tmp:
    for EPS, need in ((1.0, 1.7), (1e-4, 1.0)):
        p, opts, dtc = g.design(EPS, nx=3, T=T, cells_per_std=6.0)
        dt0 = g.nice_dt(dtc, T)
        fs, ds, ex_err = [], [], []
        for m in (1, 2, 4):
            out = os.path.join(tmp, "e%g-%d" % (EPS, m))
            run_fhnk(dict(opts, ts_dt=dt0 / m, diag_dt=T), out, n=2)
            d = ref.read_diag(out)
            f, at, _ = ref.read_checkpoint(ref.latest_checkpoint(out))
            fs.append(f)
            ds.append(d)
            e = g.errors(p, d, f, float(ref._scalar(at["time"])))
            ex_err.append(e)
            print("eps=%g dt=%.5g: vs exact %s" % (EPS, dt0 / m, g.fmt(e)))
        r0 = ref.rho0(p)
        diffL1 = [np.max(ref.l1_error(p, fs[i], fs[i + 1]) / r0) for i in (0, 1)]
        o = np.log2(diffL1[0] / diffL1[1])
        print("eps=%g |f_dt - f_dt/2| = %.3e, |f_dt/2 - f_dt/4| = %.3e  -> order %.2f" % (
            EPS, diffL1[0], diffL1[1], o))
        for k in ("V", "D2", "Sww"):
            dk = [np.max(np.abs(ds[i][k][-1] - ds[i + 1][k][-1])) for i in (0, 1)]
            if dk[1] > 0 and dk[0] > 1e-13 * max(1.0, np.abs(ds[0][k][-1]).max()):
                print("eps=%g moment %s self-convergence: %.3e %.3e -> order %.2f" % (
                    EPS, k, dk[0], dk[1], np.log2(dk[0] / dk[1])))
        c.ge(o, need, "eps=%g observed time order (L1 of f, self-convergence)" % EPS)
c.done()
