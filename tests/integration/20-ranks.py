#!/usr/bin/python3
"""1 and 2 MPI ranks give the same results (1-D and 2-D K).

Each point's phase-space problem is computed identically whatever rank owns it; only the
Psi reductions (sums over K) may be added in a different order, which changes results by a
few ulps (~1e-16 relative) per step. We require every diagnostics dataset, and the final
state f, to agree to 1e-12 (relative to the dataset's max magnitude, floor 1).
Also checks the diagnostics layout (shapes, x, rho0 against docs/layout.md).
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from testlib import Checker, ref, require_fhnk, run_fhnk, tmpdir  # noqa: E402

import numpy as np  # noqa: E402

require_fhnk()
c = Checker()
base = dict(eps=1e-2, N_coeffs="0,1,0,-1", fhn_a=0.1, fhn_b=0.08, fhn_c=0.0, Lx=1.0,
            rho0_type="cosine", rho0_amp=0.3, psi_type="gaussian", psi_J=1.0, psi_sigma=0.3,
            nv=24, vmin=-2.0, vmax=2.0, nw=16, wmin=-1.5, wmax=1.5, init="gaussian",
            init_V0=0.5, init_V0_amp=0.3, init_W0=0.0, init_W0_amp=0.1, init_var_v=0.05,
            init_var_w=0.1, ts_dt=0.01, ts_max_time=0.5, diag_dt=0.1)
cases = {"1-D": dict(base, dim=1, nx=6),
         "2-D": dict(base, dim=2, nx=4, ny=3, Ly=1.0)}
with tmpdir() as tmp:
    for name, opts in cases.items():
        res = {}
        for n in (1, 2):
            out = os.path.join(tmp, "%s-%d" % (name, n))
            run_fhnk(opts, out, n=n)
            d = ref.read_diag(out)
            f, at, p = ref.read_checkpoint(ref.latest_checkpoint(out))
            res[n] = (d, f)
        d1, f1 = res[1]
        d2, f2 = res[2]
        p = d1["params"]
        nt = len(d1["time"])
        c.check(d1["x"].shape == (p.npts, p.dim) and np.allclose(d1["x"], ref.x_points(p),
                rtol=0, atol=1e-14), "%s /x matches layout.md (natural order)" % name)
        c.le(np.abs(d1["rho0"] - ref.rho0(p)).max(), 1e-14, "%s /rho0 matches layout.md" % name)
        for k in ("V", "W", "D2", "Svw", "Sww", "E", "limit/V", "limit/W"):
            c.check(k in d1 and d1[k].shape == (nt, p.npts), "%s /%s shape [nt x npts]" % (name, k))
        keys = sorted(k for k in d1 if isinstance(d1[k], np.ndarray))
        missing = [k for k in keys if k not in d2]
        c.check(not missing, "%s same datasets on 2 ranks (missing %s)" % (name, missing))
        worst = (0.0, "")
        for k in keys:
            if k not in d2:
                continue
            a, b = np.asarray(d1[k], float), np.asarray(d2[k], float)
            if a.shape != b.shape:
                c.check(False, "%s /%s shape %s vs %s" % (name, k, a.shape, b.shape))
                continue
            scale = max(1.0, np.abs(a).max()) if a.size else 1.0
            e = np.abs(a - b).max() / scale if a.size else 0.0
            worst = max(worst, (e, k))
            c.le(e, 1e-12, "%s /%s 1 vs 2 ranks" % (name, k))
        c.le(np.abs(f1 - f2).max() / np.abs(f1).max(), 1e-12, "%s final f 1 vs 2 ranks" % name)
        print("%s worst dataset difference: %.3e (%s)" % (name, worst[0], worst[1]))
c.done()
