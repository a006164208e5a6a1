"""The linear-drift Gaussian test case of SPEC 2, shared by tests/verification/1*-gaussian-*.

N(v) = -v (N_coeffs 0,-1), a = 0.5, b = 0.25, c = 0: the fixed point of (1.9) is (0,0).
Initial data are scaled with s = sqrt(eps): V0(x) = 2 s sin(2 pi x/Lx), W0(x) = s sin(..),
var_v = var_w = eps (one point of K: V0 = 2 s, W0 = s). Linear dynamics keep the mean within O(s) of the origin and the
covariance O(eps), so in the variables (v/s, w/s) every eps is the same problem except for
the stiffness of the relaxation rho0/eps: a grid with a fixed number of cells per standard
deviation and one dt (the transport CFL number, B/dv ~ (mean + 8 std)/(std/4), does not
depend on eps either) test the asymptotic-preserving property directly.
"""
import math

import numpy as np

from testlib import ref


def base_params(eps, nx=3, T=0.5):
    s = math.sqrt(eps)
    kw = dict(eps=eps, N_coeffs=[0.0, -1.0], fhn_a=0.5, fhn_b=0.25, fhn_c=0.0, dim=1, nx=nx,
              Lx=1.0, rho0_type="cosine" if nx > 1 else "uniform", rho0_amp=0.3 if nx > 1 else 0.0,
              psi_type="gaussian" if nx > 1 else "none", psi_J=1.0, psi_sigma=0.3,
              init="gaussian", init_V0=0.0 if nx > 1 else 2 * s, init_V0_amp=2 * s,
              init_W0=0.0 if nx > 1 else s, init_W0_amp=s,
              init_var_v=eps, init_var_w=eps)
    return kw, T


def design(eps, nx=3, T=0.5, nsig=8.0, cells_per_std=4.0, refine=1):
    """Returns (Params, opts dict without -ts_dt, dt_cfl). refine multiplies nv and nw
    (same box)."""
    kw, T = base_params(eps, nx, T)
    p0 = ref.Params(**kw)
    tt = np.linspace(0.0, T, 201)
    ex = ref.gaussian_exact(p0, tt)
    box = ref.resolved_box(ex, nsig=nsig, cells_per_std=cells_per_std)
    box["nv"] *= refine
    box["nw"] *= refine
    kw.update(box)
    p = ref.Params(**kw)
    dt = cfl_dt(p, ex)
    opts = dict(kw)
    opts["ts_max_time"] = T
    opts["N_coeffs"] = "0,-1"
    return p, opts, dt


def cfl_dt(p, ex, cfl=0.4):
    """Largest dt with dt (max|B|/dv + max|A|/dw) <= cfl over the box corners and all times
    (B, A are linear in v and w, so corners bound them)."""
    alpha, beta = p.alpha_beta
    P = ref.P_field(p)
    Psi = ref.psi_matrix(p)
    rv = ref.rho0(p) * ref.cell_volume(p)
    maxB = 0.0
    for Vt in ex["V"]:
        Q = Psi @ (rv * Vt)
        for v in (p.vmin, p.vmax):
            for w in (p.wmin, p.wmax):
                maxB = max(maxB, np.abs((alpha - P) * v + beta - w + Q).max())
    maxA = max(abs(p.fhn_a * v - p.fhn_b * w + p.fhn_c) for v in (p.vmin, p.vmax)
               for w in (p.wmin, p.wmax))
    return cfl / (maxB / p.dv + maxA / p.dw)


def nice_dt(dt, T):
    """Largest dt' <= dt with T/dt' an integer."""
    n = int(math.ceil(T / dt - 1e-9))
    return T / n


def errors(p, d, f, tf):
    """Errors at the final sample of diagnostics d and the final state f at time tf:
    dict with relative moment errors (V, W over their std, D2/Svv/Sww relative) and the L1
    error of f relative to rho0 (max over points)."""
    ex = ref.gaussian_exact(p, [tf])
    e = {k: ex[k][0] for k in ("V", "W", "Svv", "Svw", "Sww")}
    sv, sw = np.sqrt(e["Svv"]), np.sqrt(e["Sww"])
    out = {}
    i = -1
    out["V"] = np.max(np.abs(d["V"][i] - e["V"]) / sv)
    out["W"] = np.max(np.abs(d["W"][i] - e["W"]) / sw)
    out["D2"] = np.max(np.abs(d["D2"][i] - e["Svv"]) / e["Svv"])
    out["Svw"] = np.max(np.abs(d["Svw"][i] - e["Svw"]) / (sv * sw))
    out["Sww"] = np.max(np.abs(d["Sww"][i] - e["Sww"]) / e["Sww"])
    fex = ref.exact_f(p, e["V"], e["W"], e["Svv"], e["Svw"], e["Sww"])
    out["L1"] = np.max(ref.l1_error(p, f, fex) / ref.rho0(p))
    return out


def fmt(e):
    return " ".join("%s=%.3e" % (k, e[k]) for k in ("L1", "V", "W", "D2", "Svw", "Sww"))
