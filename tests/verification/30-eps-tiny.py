#!/usr/bin/python3
"""Asymptotic-preserving robustness: eps = 1e-8 with dt = 0.01 (dt rho0/eps = 1e6).

N(v) = v - v^3, a = 0.1, b = 0.08, concentrated (paper) initial data, 2 points of K with a
gaussian Psi and V0(x) = 0.61 +- 0.1 so the coupling is active, T = 2. The v-grid (dv = 0.04,
v in [0.37, 1.13]; the solver reports a v Courant number of 0.51 for dt = 0.01) is far coarser than the concentration width sqrt(eps) = 1e-4: the density
lives in one or two cells, which the exponentially fitted fluxes must handle without
oscillation (solver may warn that the grid is under-resolved).
Checks: exit 0, no NaN/Inf anywhere, fmin >= -1e-14, mass == 1 to 1e-12, and V, W follow
the limit system (1.9) started from the discrete initial means (row 0 of the diagnostics:
the concentrated data put V(0) on the nearest cell centre, which the V0 chosen here are)
within a tolerance set by the grid: at infinite cell Peclet number the v-flux is upwind,
which shifts the drift by at most half a cell, |B(v +- dv/2) - B(v)| <= L dv/2 with
L = max|dB/dv| over the visited range ([0.45, 1.05]: L = max|1 - 3 v^2| = 2.3); over T
with the contracting right branch (dB/dv < 0 there) this gives |V - V_lim| <= L dv/2 T
= 0.092 (2.3 cells). W is driven by V: |W - W_lim| <= a T (V tolerance) = 0.018.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from testlib import Checker, ref, require_fhnk, run_fhnk, tmpdir  # noqa: E402

import numpy as np  # noqa: E402

require_fhnk()
c = Checker()
EPS, T, DT = 1e-8, 2.0, 0.01
opts = dict(eps=EPS, N_coeffs="0,1,0,-1", fhn_a=0.1, fhn_b=0.08, fhn_c=0.0, dim=1, nx=2,
            Lx=1.0, rho0_type="uniform", psi_type="gaussian", psi_J=0.5, psi_sigma=0.3,
            nv=19, vmin=0.37, vmax=1.13, nw=28, wmin=-0.6, wmax=0.8, init="concentrated",
            init_V0=0.61, init_V0_amp=0.1, init_W0=0.0, init_W0_amp=0.0, init_var_w=0.01,
            ts_dt=DT, ts_max_time=T, diag_dt=0.1)
with tmpdir() as tmp:
    out = os.path.join(tmp, "run")
    cp, secs = run_fhnk(opts, out, n=2)
    print(cp.stdout[-2000:])
    print(cp.stderr[-2000:])
    d = ref.read_diag(out)
    f, at, _ = ref.read_checkpoint(ref.latest_checkpoint(out))
p = d["params"]
t = d["time"]
c.le(abs(t[-1] - T), 1e-9, "reached T")
bad = [k for k, v in d.items() if isinstance(v, np.ndarray) and v.dtype.kind == "f"
       and not np.all(np.isfinite(v))]
c.check(not bad, "no NaN/Inf in diagnostics datasets %s" % bad)
c.check(bool(np.all(np.isfinite(f))), "no NaN/Inf in the final state")
c.ge(min(d["fmin"].min(), f.min()), -1e-14, "fmin")
c.le(np.abs(d["mass"] - 1).max(), 1e-12, "mass == 1")
V0 = d["V"][0]
W0 = d["W"][0]
print("discrete initial V:", V0, " W:", W0)
Vl, Wl = ref.solve_limit(p, t, V0=V0, W0=W0)
L = 2.3
tolV = L * p.dv / 2 * T
tolW = p.fhn_a * T * tolV
eV = np.abs(d["V"] - Vl).max()
eW = np.abs(d["W"] - Wl).max()
for i in range(0, len(t), 4):
    print("  t=%4.2f V=%s V_lim=%s" % (t[i], np.array2string(d["V"][i], precision=5),
                                      np.array2string(Vl[i], precision=5)))
print("max|V-Vlim| = %.3e (%.2f dv), max|W-Wlim| = %.3e" % (eV, eV / p.dv, eW))
c.le(eV, tolV, "max|V - V_lim| (<= L dv T/2)")
c.le(eW, tolW, "max|W - W_lim| (<= a T tolV)")
c.le(np.max(d["D2"]), (p.dv) ** 2, "voltage spread D2 stays within one cell (<= dv^2)")
c.done()
