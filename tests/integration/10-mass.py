#!/usr/bin/python3
"""Mass conservation over 1e4 steps and positivity (small grid).

Cubic N (oscillator, a = 0.1, b = 0.08), eps = 1e-2, 2 points of K, cosine rho0, gaussian Psi,
nv x nw = 16 x 12, dt = 1e-3, T = 10 (10000 steps). Finite volumes in flux form with
zero-flux walls conserve the mass of every point exactly up to round-off; with ~1e4 steps of
O(1e-16) relative round-off each, a random-walk accumulation gives ~1e-14: we require
|mass(t) - mass(0)| <= 1e-12 relative, |mass - 1| <= 1e-12, fmin >= -1e-14 (SPEC 4:
exponential fitting and a limited upwind w-flux under CFL keep f >= 0).
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from testlib import Checker, ref, require_fhnk, run_fhnk, tmpdir  # noqa: E402

import numpy as np  # noqa: E402

require_fhnk()
c = Checker()
opts = dict(eps=1e-2, N_coeffs="0,1,0,-1", fhn_a=0.1, fhn_b=0.08, fhn_c=0.0, dim=1, nx=2,
            Lx=1.0, rho0_type="cosine", rho0_amp=0.3, psi_type="gaussian", psi_J=1.0,
            psi_sigma=0.3, nv=16, vmin=-2.0, vmax=2.0, nw=12, wmin=-1.5, wmax=1.5,
            init="gaussian", init_V0=0.5, init_V0_amp=0.2, init_W0=0.0, init_W0_amp=0.0,
            init_var_v=0.05, init_var_w=0.1, ts_dt=1e-3, ts_max_time=10.0, diag_dt=0.5)
with tmpdir() as tmp:
    out = os.path.join(tmp, "run")
    _, secs = run_fhnk(opts, out, n=1)
    d = ref.read_diag(out)
    f, at, p = ref.read_checkpoint(ref.latest_checkpoint(out))
step = int(ref._scalar(at["step"]))
print("steps=%d, %.1fs (%.1f us/step)" % (step, secs, 1e6 * secs / max(step, 1)))
m = d["mass"]
print("mass - 1:", np.array2string(m - 1, precision=3))
print("fmin    :", np.array2string(d["fmin"], precision=3))
c.check(step == 10000, "10000 steps taken (step attribute %d)" % step)
c.le(np.abs(m - m[0]).max() / m[0], 1e-12, "relative mass drift over 1e4 steps")
c.le(np.abs(m - 1).max(), 1e-12, "|mass - 1|")
mo = ref.moments(p, f)
c.le(np.abs(mo["mass"] - ref.rho0(p)).max() / ref.rho0(p).max(), 1e-12,
     "final checkpoint: mass per point == rho0")
c.ge(d["fmin"].min(), -1e-14, "min over samples of fmin")
c.ge(f.min(), -1e-14, "min of the final f")
c.done()
