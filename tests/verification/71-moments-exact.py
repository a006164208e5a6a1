#!/usr/bin/python3
"""The transport keeps the moment equations exact, so V^eps - V_lim is O(eps) on the spiral's cell.

The explicit transport's first moments are the midpoint sums <B>_h and <A>_h only with donor-cell
fluxes; the MUSCL slopes add a term that is O(h) wherever the limiter clips, and in w it always
does (w has no diffusion: f contracts below a w-cell within a few 1/b). Before the moment-exact
correction of FhnkApplyExplicitPoint that term, not eps, decided V^eps - V_lim on the spiral's cell:
a resting sheet settled by O(dw) off (0.0098 with nw = 16, 0.0064 with nw = 64) or, with MUSCL in v,
oscillated; the spiral's plane wave ran 3% fast at eps = 1e-2 and on time at 5e-3 (nv = 96).

(a) A resting sheet: the spiral's cell and kernel (Psi*rho0 = 13.4), no stimulus, MUSCL in v
    (1.7 v-cells per sqrt(eps/rho0)). K is 8 points at the spiral's spacing (rho0 = 32, so eps
    and psi_J are scaled to keep eps/rho0 = 1e-2 and Psi*rho0). Asserted: V - V_lim at t = 30
    is the same for nw = 8 and nw = 32 (to 2e-4, the O(dw) term was 3.5e-3), settles (it moves
    by < 3e-4 over [25, 30]) and equals the moment closure's O(eps) shift of the rest state,
    V' = N(V) - V D2 - W, W' = a V - b W + c with D2 = 1/(rho0/eps + P - N'(V)) (the variance of
    the locally linearised v-equation), integrated from the kinetic run's initial moments, within
    10% (its own error is O(eps^2)).
(b) The spiral's plane wave (its S1 stimulus, cell and kernel on a 1-D cut of the sheet: the 2-D
    kernel summed over y, psi_J = 12.68), nv = 48, nw = 8, dt = 1/16 (l2), eps = 1e-2 and 5e-3,
    T = 150 (the front crosses 0.4 of the sheet). Asserted: max over x of |V^eps - V_lim| at
    t = 50, 100 and 150 halves with eps (ratio within [1.6, 2.5], an observed order within
    [0.68, 1.32]); the front lags the limit's by an amount that halves too. Measured: ratios
    2.32, 2.14, 2.05 (fronts 2.35, 2.33, 2.12). The binary before the correction fails 8 of the 9
    checks: ratios 0.77, 0.94, 0.98, and at rest V - V_lim = 0.0026 (nw 8), -0.0005 (nw 32)
    against the closure's 0.0062 (the kinetic 0.0062 and 0.0062).
About 40 s.
"""
import os
import sys

import h5py
import numpy as np
from scipy.integrate import solve_ivp

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from testlib import ROOT, Checker, require_fhnk, run_fhnk, tmpdir  # noqa: E402

require_fhnk()
c = Checker()
SPIRAL = ["-options_file", os.path.join(ROOT, "petsc-options", "spiral.opts"), "-quiet"]
A, B, C = 0.08, 0.064, 0.056


def load(d):
    with h5py.File(os.path.join(d, "diagnostics.h5"), "r") as h:
        return (h["time"][:], h["V"][:].reshape(len(h["time"]), -1), h["limit/V"][:].reshape(len(h["time"]), -1),
                h["W"][:].reshape(len(h["time"]), -1), h["coupling/Q"][:].reshape(len(h["time"]), -1))


with tmpdir() as tmp:
    # (a) the resting sheet
    rest = SPIRAL + ["-dim", "1", "-nx", "8", "-Lx", "0.03125", "-eps", "0.32", "-psi_J", "0.39625",
                     "-stim_amp", "0", "-stim_x", "0", "-stim_y", "0.5", "-stim_radius", "0.02",
                     "-stim_radius_y", "0.5", "-stim_onset", "0", "-nv", "96", "-ts_dt", "0.0078125",
                     "-ts_fhnkimex_type", "l2", "-ts_max_time", "30", "-diag_dt", "1"]
    dv = {}
    for nw in (8, 32):
        d = os.path.join(tmp, "rest-nw%d" % nw)
        run_fhnk(rest + ["-nw", str(nw)], d, n=1, strict=False)
        t, V, L, W, Q = load(d)
        dv[nw] = (t, V[:, 4] - L[:, 4], V[0, 4], W[0, 4], Q[0, 4] / V[0, 4])
    t, e8 = dv[8][0], dv[8][1]
    e32 = dv[32][1]
    print("V - V_lim at t = 0, 5, ..., 30: nw = 8 ", np.round(e8[::5], 5))
    print("                               nw = 32", np.round(e32[::5], 5))
    c.le(abs(e8[-1] - e32[-1]), 2e-4, "|(V - V_lim)(nw 8) - (V - V_lim)(nw 32)| at t = 30")
    late = t >= 25
    c.le(e8[late].max() - e8[late].min(), 3e-4, "V - V_lim moves over t in [25, 30] (settled, no oscillation)")
    # moment closure from the kinetic initial moments; P = Psi*rho0 from Q/V (uniform sheet)
    k, P = 32 / 0.32, dv[8][4]

    def closure(_, y):
        v, w = y
        d2 = 1.0 / (k + P - (1 - v * v))
        return [v - v ** 3 / 3 - v * d2 - w, A * v - B * w + C]

    def limit(_, y):
        v, w = y
        return [v - v ** 3 / 3 - w, A * v - B * w + C]

    sc = solve_ivp(closure, (0, 30), [dv[8][2], dv[8][3]], rtol=1e-11, atol=1e-12, dense_output=True)
    sl = solve_ivp(limit, (0, 30), [-1.199, -0.624], rtol=1e-11, atol=1e-12, dense_output=True)
    pred = sc.sol(30.0)[0] - sl.sol(30.0)[0]
    print("P = Psi*rho0 = %.4f; closure V - V_lim at t = 30: %.5f, kinetic %.5f (nw 8), %.5f (nw 32)"
          % (P, pred, e8[-1], e32[-1]))
    c.le(abs(e8[-1] - pred), 0.1 * abs(pred), "|kinetic - moment closure| of V - V_lim at t = 30 (10% of it)")

    # (b) the spiral's plane wave, two eps
    cut = SPIRAL + ["-dim", "1", "-psi_J", "12.68", "-stim_amp", "1", "-stim_x", "0", "-stim_y", "0.5",
                    "-stim_radius", "0.02", "-stim_radius_y", "0.5", "-stim_onset", "0", "-nv", "48",
                    "-nw", "8", "-ts_dt", "0.0625", "-ts_fhnkimex_type", "l2", "-ts_max_time", "150",
                    "-diag_dt", "10"]
    res = {}
    for eps in ("1e-2", "5e-3"):
        d = os.path.join(tmp, "cut-" + eps)
        run_fhnk(cut + ["-eps", eps], d, n=2, strict=False)
        t, V, L, _, _ = load(d)

        def front(u):  # the right-most crossing of V = 0, in cells
            i = np.where(u > 0)[0].max()
            return i + u[i] / (u[i] - u[i + 1])
        res[eps] = {tt: (np.abs(V[k_] - L[k_]).max(), front(V[k_]) - front(L[k_]))
                    for k_, tt in enumerate(t) if tt in (50.0, 100.0, 150.0)}
    for tt in (50.0, 100.0, 150.0):
        (e1, f1), (e2, f2) = res["1e-2"][tt], res["5e-3"][tt]
        print("t = %3.0f: max|V - V_lim| %.4f (eps 1e-2) %.4f (5e-3) ratio %.2f; front offset %+.3f %+.3f cells"
              % (tt, e1, e2, e1 / e2, f1, f2))
        c.check(1.6 <= e1 / e2 <= 2.5, "t = %.0f: max|V - V_lim| ratio %.2f for eps ratio 2 in [1.6, 2.5]" % (tt, e1 / e2))
        c.check(f1 < 0 and f2 < 0 and 1.6 <= f1 / f2 <= 2.5,
                "t = %.0f: front offset ratio %.2f in [1.6, 2.5] (kinetic behind the limit)" % (tt, f1 / f2))
c.done()
