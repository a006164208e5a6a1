#!/usr/bin/python3
"""Self-test of tools/fhnk_ref.py (the independent references) on synthetic data:
closed forms, steady states, independent integrators, grid/kernel identities, file I/O."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from testlib import Checker, ref, tmpdir  # noqa: E402

import numpy as np  # noqa: E402
from scipy.integrate import solve_ivp  # noqa: E402
from scipy.linalg import expm  # noqa: E402

c = Checker()
P = ref.Params

# ---- 1. covariance, no coupling to w (a = 0), S_vw = S_ww = 0: closed form
#      S_vv = -1/k + (S0 + 1/k) exp(2kt); steady state -1/k = eps/rho0 when alpha = P = 0.
for eps in (1.0, 1e-2, 1e-4, 1e-6, 1e-8):
    rho = 1.3
    for alpha in (0.0, -1.0):
        k = alpha - rho / eps
        t = np.array([0.0, 1e-9, 1e-6, 1e-3, 0.1, 1.0, 5.0])
        S = ref.cov_exact(k, 0.0, 0.25, [[2.0, 0.0], [0.0, 0.0]], t)
        exact = -1 / k + (2.0 + 1 / k) * np.exp(2 * k * t)
        err = np.max(np.abs(S[:, 0] - exact) / np.abs(exact))
        c.le(err, 1e-12, "cov a=0 closed form S_vv, eps=%g alpha=%g, rel err" % (eps, alpha))
        c.le(np.max(np.abs(S[:, 1:])), 0.0, "cov a=0: S_vw = S_ww = 0 (eps=%g)" % eps)
    Sinf = ref.cov_exact(-rho / eps, 0.0, 0.25, [[2.0, 0.0], [0.0, 0.0]], [200.0])[0, 0]
    c.le(abs(Sinf - eps / rho) / (eps / rho), 1e-12, "steady state S_vv = eps/rho0, eps=%g" % eps)

# ---- 1b. a = 0, S_ww(0) = s: S_ww = s exp(-2bt), S_vw = s/(b+k) (exp(-2bt) - exp((k-b)t))
for eps in (1.0, 1e-3, 1e-6):
    k, b, s = -1.0 - 1.0 / eps, 0.25, 0.3
    t = np.array([0.0, 0.01, 0.5, 2.0])
    S = ref.cov_exact(k, 0.0, b, [[0.1, 0.0], [0.0, s]], t)
    Sww = s * np.exp(-2 * b * t)
    Svw = s / (b + k) * (np.exp(-2 * b * t) - np.exp((k - b) * t))
    c.le(np.max(np.abs(S[:, 2] - Sww) / Sww), 1e-12, "cov a=0 S_ww closed form eps=%g" % eps)
    c.le(np.max(np.abs(S[:, 1] - Svw)) / abs(s / (b + k)), 1e-12,
         "cov a=0 S_vw closed form eps=%g (rel to scale)" % eps)

# ---- 2. coupled covariance versus an independent stiff integrator (Radau, tight tol)
def cov_rhs(k, a, b):
    def f(t, s):
        return [2 * k * s[0] - 2 * s[1] + 2, (k - b) * s[1] - s[2] + a * s[0],
                2 * a * s[1] - 2 * b * s[2]]
    return f


for (k, a, b) in ((-2.5, 0.5, 0.25), (-101.0, 0.7, 0.08), (-0.3, 2.0, 0.1), (-1e4, 0.5, 1.0)):
    s0 = [0.4, 0.05, 0.2]
    t = np.linspace(0, 3, 7)
    sol = solve_ivp(cov_rhs(k, a, b), (0, 3), s0, method="Radau", t_eval=t, rtol=1e-13,
                    atol=1e-15)
    S = ref.cov_exact(k, a, b, [[s0[0], s0[1]], [s0[1], s0[2]]], t)
    err = np.max(np.abs(S - sol.y.T) / (np.abs(sol.y.T) + 1e-8))
    c.le(err, 1e-8, "cov coupled k=%g a=%g b=%g vs Radau, rel err" % (k, a, b))
    # residual of the ODE at a few times, by a centred difference of the exact solution
    h = 1e-5
    Sp = ref.cov_exact(k, a, b, [[s0[0], s0[1]], [s0[1], s0[2]]], t[1:] + h)
    Sm = ref.cov_exact(k, a, b, [[s0[0], s0[1]], [s0[1], s0[2]]], t[1:] - h)
    dS = (Sp - Sm) / (2 * h)
    rhs = np.array([cov_rhs(k, a, b)(0, s) for s in S[1:]])
    scale = np.max(np.abs(rhs)) + 1.0
    c.le(np.max(np.abs(dS - rhs)) / scale, 1e-6 * max(1.0, (k * h) ** 2 * 1e6),
         "cov ODE residual by centred difference k=%g" % k)

# ---- 3. limit system, uncoupled linear case versus the matrix exponential
p = P(N_coeffs=[0.3, -1.0], fhn_a=0.5, fhn_b=0.25, fhn_c=0.1, nx=3, psi_type="none",
      init_V0=0.2, init_V0_amp=0.5, init_W0=-0.1, init_W0_amp=0.3)
t = np.array([0.0, 0.3, 1.0, 4.0])
V, W = ref.solve_limit(p, t)
V0, W0 = ref.initial_means(p)
A = np.array([[-1.0, -1.0, 0.3], [0.5, -0.25, 0.1], [0, 0, 0]])
errmax = 0.0
for q in range(p.npts):
    for i, ti in enumerate(t):
        y = expm(A * ti) @ np.array([V0[q], W0[q], 1.0])
        errmax = max(errmax, abs(y[0] - V[i, q]), abs(y[1] - W[i, q]))
c.le(errmax, 1e-11, "limit (1.9) uncoupled linear vs expm, max abs err")

# ---- 4. linear N with a gaussian kernel and cosine rho0: exact mean (expm of the full
#         linear system) versus DOP853 on (1.9)
p = P(N_coeffs=[0.1, -1.0], fhn_a=0.5, fhn_b=0.25, fhn_c=0.0, nx=8, psi_type="gaussian",
      psi_J=2.0, psi_sigma=0.2, psi_periodic=1, rho0_type="cosine", rho0_amp=0.4,
      init_V0=0.1, init_V0_amp=0.5, init_W0=0.0, init_W0_amp=0.2, eps=1e-2,
      init_var_v=1e-2, init_var_w=0.05)
t = np.linspace(0, 2, 5)
ex = ref.gaussian_exact(p, t)
V, W = ref.solve_limit(p, t)
c.le(max(np.abs(ex["V"] - V).max(), np.abs(ex["W"] - W).max()), 1e-11,
     "coupled linear: exact mean vs DOP853")
c.check(np.ptp(ex["Svv"][-1]) > 1e-4, "covariance depends on x through rho0 and P (ptp %.2e)"
        % np.ptp(ex["Svv"][-1]))

# ---- 5. x-independent data: the coupling cancels, every point follows the plain FHN ODE
p = P(N_coeffs=[0, 1, 0, -1], fhn_a=0.1, fhn_b=0.08, fhn_c=0.0, nx=5, psi_type="gaussian",
      psi_J=3.0, psi_sigma=0.3, rho0_type="cosine", rho0_amp=0.5, init_V0=0.5, init_W0=0.1)
t = np.linspace(0, 10, 6)
V, W = ref.solve_limit(p, t)
sol = solve_ivp(lambda t, y: [y[0] - y[0] ** 3 - y[1], 0.1 * y[0] - 0.08 * y[1]], (0, 10),
                [0.5, 0.1], method="DOP853", t_eval=t, rtol=1e-12, atol=1e-13)
c.le(np.abs(V - sol.y[0][:, None]).max(), 1e-10, "x-independent (1.9) == plain FHN ODE")

# ---- 6. kernels and rho0
p = P(nx=16, Lx=1.0, psi_type="tophat", psi_J=1.5, psi_sigma=0.2, psi_periodic=1)
rs = ref.psi_matrix(p).sum(1) * ref.cell_volume(p)
h = 1.0 / 16
m = int(np.floor(0.2 / h))
c.le(np.ptp(rs), 1e-15, "tophat periodic 1-D: equal row sums")
c.le(abs(rs[0] - 1.5 * (2 * m + 1) * h / 0.4), 1e-14, "tophat periodic 1-D: row sum value")
p.psi_periodic = False
rs2 = ref.psi_matrix(p).sum(1) * ref.cell_volume(p)
c.check(rs2[0] < rs2[8] and abs(rs2[8] - rs[8]) < 1e-15, "tophat non-periodic: edges lose mass")
p = P(dim=2, nx=12, ny=10, Lx=1.2, Ly=1.0, psi_type="tophat", psi_J=1.0, psi_sigma=0.25,
      psi_periodic=1)
M = ref.psi_matrix(p)
rs = M.sum(1) * ref.cell_volume(p)
cnt = (M > 0).sum(1)
c.check(np.ptp(cnt) == 0 and np.ptp(rs) < 1e-14, "tophat periodic 2-D: equal row sums (%d pts)"
        % cnt[0])
c.le(abs(rs[0] - cnt[0] * ref.cell_volume(p) / (np.pi * 0.25 ** 2)), 1e-14,
     "tophat 2-D row sum = count |dK| / (pi s^2)")
p = P(nx=64, psi_type="gaussian", psi_J=0.7, psi_sigma=2.5 / 64, psi_periodic=1)
rs = ref.psi_matrix(p).sum(1) * ref.cell_volume(p)
c.le(np.abs(rs - 0.7).max(), 1e-12, "gaussian periodic 1-D: row sums = J")
p = P(dim=2, nx=32, ny=32, psi_type="gaussian", psi_J=0.7, psi_sigma=2.0 / 32, psi_periodic=1)
rs = ref.psi_matrix(p).sum(1) * ref.cell_volume(p)
c.le(np.abs(rs - 0.7).max(), 1e-12, "gaussian periodic 2-D: row sums = J")
p = P(dim=2, nx=3, ny=2, Lx=3.0, Ly=2.0, rho0_type="cosine", rho0_amp=0.5)
X = ref.x_points(p)
c.check(np.allclose(X[4], [1.5, 1.5]) and np.allclose(X[2], [2.5, 0.5]),
        "2-D natural order p = ix + nx*iy")
c.le(abs(ref.rho0(p).sum() * ref.cell_volume(p) - 1), 1e-14, "rho0 cosine 2-D normalised")
p = P(nx=7, Lx=2.0, rho0_type="uniform")
c.le(np.abs(ref.rho0(p) - 0.5).max(), 1e-15, "rho0 uniform = 1/|K|")
p = P(N_coeffs=[0.2, 1, -0.5, -1])
vv = np.linspace(-2, 2, 9)
hh = 1e-6
c.le(np.abs((p.n_prim(vv + hh) - p.n_prim(vv - hh)) / (2 * hh) - p.N(vv)).max(), 1e-8,
     "n' = N")
c.le(abs(p.n_prim(0.0)), 0.0, "n(0) = 0")

# ---- 7. exact f sampled on a resolved grid reproduces its moments; L1 error of itself = 0
p = P(nx=2, nv=120, nw=120, vmin=-1.0, vmax=2.0, wmin=-3.0, wmax=2.5, rho0_type="cosine",
      rho0_amp=0.3)
Vq, Wq = np.array([0.5, 0.6]), np.array([-0.3, -0.2])
Svv, Svw, Sww = np.array([0.01, 0.02]), np.array([0.004, -0.005]), np.array([0.05, 0.06])
f = ref.exact_f(p, Vq, Wq, Svv, Svw, Sww)
mo = ref.moments(p, f)
c.le(np.abs(mo["mass"] - ref.rho0(p)).max(), 1e-12, "exact f mass = rho0")
for k, e in (("V", Vq), ("W", Wq), ("D2", Svv), ("Svw", Svw), ("Sww", Sww)):
    c.le(np.abs(mo[k] - e).max(), 1e-12, "exact f discrete moment %s" % k)
c.le(ref.l1_error(p, f, f).max(), 0.0, "L1 error of exact vs itself")
c.le(abs(ref.l1_error(p, 1.01 * f, f)[1] - 0.01 * ref.rho0(p)[1]), 1e-12, "L1 error scaling")

# ---- 8. resolved_box
ex = dict(V=np.array([[0.0, 1.0]]), W=np.array([[0.0, 0.0]]), Svv=np.array([[0.01, 0.04]]),
          Sww=np.array([[1.0, 1.0]]))
bx = ref.resolved_box(ex)
c.check(abs(bx["vmin"] + 0.8) < 1e-12 and abs(bx["vmax"] - 2.6) < 1e-12 and bx["nv"] == 136,
        "resolved_box %s" % bx)

# ---- 9. files: a synthetic diagnostics.h5 and checkpoint written per docs/layout.md
import h5py  # noqa: E402
with tmpdir() as d:
    attrs = dict(eps=1e-3, N_coeffs=np.array([0.0, -1.0]), fhn_a=0.5, fhn_b=0.25, fhn_c=0.0,
                 psi_type=np.bytes_(b"gaussian"), psi_J=1.0, psi_sigma=0.2, dim=np.int32(1),
                 nx=np.int32(4), ny=np.int32(1), Lx=1.0, Ly=1.0, nv=np.int32(10),
                 nw=np.int32(6), vmin=-1.0, vmax=1.0, wmin=-0.5, wmax=0.5,
                 rho0_type="cosine", rho0_amp=0.2, init="gaussian", model="kinetic",
                 version="test", dt=0.01, T=1.0, init_V0=0.1, init_V0_amp=0.0, init_W0=0.0,
                 init_W0_amp=0.0)
    pp = P(**{k: v for k, v in attrs.items()})
    with h5py.File(os.path.join(d, "diagnostics.h5"), "w") as h:
        for k, v in attrs.items():
            h.attrs[k] = v
        h["x"] = ref.x_points(pp)
        h["rho0"] = ref.rho0(pp)
        h["time"] = np.array([0.0, 0.5, 1.0])
        for k in ("V", "W", "D2", "Svw", "Sww", "E"):
            h[k] = np.random.rand(3, 4)
        h["limit/V"] = np.zeros((3, 4))
        h["mass"] = np.ones(3)
    fstate = np.random.rand(4, 6, 10)
    for step in (5, 100):
        with h5py.File(os.path.join(d, "checkpoint-%06d.h5" % step), "w") as h:
            for k, v in attrs.items():
                h.attrs[k] = v
            h.attrs["time"] = 0.01 * step
            h.attrs["step"] = step
            h["f"] = fstate.ravel() * step
    dd = ref.read_diag(d)
    c.check(dd["params"].psi_type == "gaussian" and dd["params"].nx == 4 and
            dd["params"].rho0_type == "cosine" and dd["params"].alpha_beta == (-1.0, 0.0),
            "read_diag: attributes -> Params")
    c.check(np.allclose(dd["x"], ref.x_points(dd["params"])) and "limit/V" in dd,
            "read_diag: datasets, x rebuilt from attributes")
    ck = ref.latest_checkpoint(d)
    c.check(ck.endswith("checkpoint-000100.h5"), "latest_checkpoint picks the highest step")
    fr, at, pc = ref.read_checkpoint(ck)
    c.check(fr.shape == (4, 6, 10) and np.array_equal(fr, fstate * 100), "read_checkpoint f[p][j][i]")

c.done()
