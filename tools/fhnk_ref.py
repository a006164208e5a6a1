#!/usr/bin/python3
"""Independent references for fhnk, written from ../shared/SPEC.md and docs/layout.md only.

Import it (tests add tools/ to sys.path) or run it:

    tools/fhnk_ref.py info  DIR            parameters and grids of a run
    tools/fhnk_ref.py limit DIR            solver V,W versus the limit system (1.9)
    tools/fhnk_ref.py exact DIR            linear N: moments and L1 error of f versus SPEC 2

Contents
  Params            model/grid parameters from the root attributes of diagnostics.h5 or a
                    checkpoint (or from keyword arguments, for synthetic data)
  x_points, cell_volume, vw_centres, rho0, psi_matrix, psi_conv, P_field, initial_means
  solve_limit       limit system (1.9), polynomial N, scipy DOP853 rtol 1e-12 atol 1e-13
  gaussian_exact    linear N: mean (V,W) (exact exponential of the linear system) and
                    covariance S(t) per point (exact, see _cov_exact)
  exact_f, l1_error exact f = rho0 * bivariate normal at the v/w cell centres; L1 error
  moments           discrete moments of a state f[npts, nw, nv]
  read_diag, read_checkpoint, latest_checkpoint
"""
import glob
import math
import os
import sys

import numpy as np

try:
    import h5py
except ImportError:  # pragma: no cover - reported by the caller
    h5py = None

__all__ = ["Params", "x_points", "cell_volume", "vw_centres", "rho0", "psi_matrix",
           "psi_conv", "P_field", "initial_means", "solve_limit", "gaussian_exact",
           "cov_exact", "exact_f", "l1_error", "moments", "read_diag", "read_checkpoint",
           "latest_checkpoint", "resolved_box", "stimuli", "I_ext", "stim_breaks"]


# --------------------------------------------------------------------------- parameters

def _scalar(v):
    if isinstance(v, bytes):
        return v.decode()
    if isinstance(v, np.ndarray):
        if v.dtype.kind in "SO":
            v = v.ravel()[0]
            return v.decode() if isinstance(v, bytes) else str(v)
        if v.size == 1:
            return v.ravel()[0].item()
        return v
    if isinstance(v, np.generic):
        return v.item()
    return v


_DEFAULTS = dict(eps=1.0, N_coeffs=(0.0, 1.0, 0.0, -1.0), fhn_a=0.1, fhn_b=0.08, fhn_c=0.0,
                 dim=1, nx=1, ny=1, Lx=1.0, Ly=1.0, rho0_type="uniform", rho0_amp=0.0,
                 psi_type="none", psi_J=0.0, psi_sigma=0.1, psi_periodic=0, psi_grade=0.5,
                 nv=64, nw=32, vmin=-2.0, vmax=2.0, wmin=-2.0, wmax=2.0,
                 init="gaussian", init_V0=0.0, init_V0_amp=0.0, init_W0=0.0, init_W0_amp=0.0,
                 init_var_v=None, init_var_w=0.5, model="kinetic")


class Params:
    """Model and grid parameters. Attribute names are those of SPEC 5 / docs/layout.md."""

    def __init__(self, **kw):
        d = dict(_DEFAULTS)
        unknown = set(kw) - set(d) - {"T", "dt", "time", "step", "version"}
        d.update(kw)
        self.extra = {k: kw[k] for k in unknown}
        for k, v in d.items():
            v = _scalar(v)
            setattr(self, k, v)
        self.N_coeffs = np.atleast_1d(np.asarray(d["N_coeffs"], dtype=float)).copy()
        for k in ("eps", "fhn_a", "fhn_b", "fhn_c", "Lx", "Ly", "rho0_amp", "psi_J",
                  "psi_sigma", "psi_grade", "vmin", "vmax", "wmin", "wmax", "init_V0", "init_V0_amp",
                  "init_W0", "init_W0_amp", "init_var_w"):
            setattr(self, k, float(getattr(self, k)))
        for k in ("dim", "nx", "ny", "nv", "nw"):
            setattr(self, k, int(getattr(self, k)))
        pp = _scalar(d["psi_periodic"])
        self.psi_periodic = (pp.strip().lower() in ("1", "true", "yes", "on")) if isinstance(pp, str) else bool(pp)
        if self.dim == 1:
            self.ny = 1
        if self.init_var_v is None:
            self.init_var_v = self.eps
        self.init_var_v = float(self.init_var_v)

    @classmethod
    def from_attrs(cls, attrs):
        kw = {}
        for k in attrs.keys():
            kw[k] = attrs[k]
        return cls(**kw)

    @classmethod
    def from_h5(cls, path):
        with h5py.File(path, "r") as h:
            return cls.from_attrs(dict(h.attrs))

    # derived
    @property
    def npts(self):
        return self.nx * (self.ny if self.dim == 2 else 1)

    @property
    def dv(self):
        return (self.vmax - self.vmin) / self.nv

    @property
    def dw(self):
        return (self.wmax - self.wmin) / self.nw

    @property
    def alpha_beta(self):
        """(alpha, beta) of a linear N(v) = alpha v + beta; raises if N is not linear."""
        c = self.N_coeffs
        if len(c) > 2 and np.any(c[2:] != 0):
            raise ValueError("N is not linear: N_coeffs=%s" % (c,))
        beta = c[0] if len(c) > 0 else 0.0
        alpha = c[1] if len(c) > 1 else 0.0
        return float(alpha), float(beta)

    def N(self, v):
        """N(v) = sum_k c_k v^k."""
        v = np.asarray(v, dtype=float)
        r = np.zeros_like(v)
        for ck in self.N_coeffs[::-1]:
            r = r * v + ck
        return r

    def n_prim(self, v):
        """n(v) = primitive of N with n(0) = 0."""
        v = np.asarray(v, dtype=float)
        r = np.zeros_like(v)
        c = self.N_coeffs
        for k in range(len(c) - 1, -1, -1):
            r = r * v + c[k] / (k + 1)
        return r * v

    def __repr__(self):
        keys = sorted(k for k in _DEFAULTS)
        return "Params(" + ", ".join("%s=%r" % (k, getattr(self, k)) for k in keys) + ")"


# --------------------------------------------------------------------------- grids

def x_points(p):
    """Cell centres of K in natural order (x fastest), shape [npts, dim]."""
    hx = p.Lx / p.nx
    xs = (np.arange(p.nx) + 0.5) * hx
    if p.dim == 1:
        return xs.reshape(-1, 1)
    hy = p.Ly / p.ny
    ys = (np.arange(p.ny) + 0.5) * hy
    X = np.empty((p.nx * p.ny, 2))
    for iy in range(p.ny):
        X[iy * p.nx:(iy + 1) * p.nx, 0] = xs
        X[iy * p.nx:(iy + 1) * p.nx, 1] = ys[iy]
    return X


def cell_volume(p):
    return p.Lx / p.nx if p.dim == 1 else p.Lx * p.Ly / (p.nx * p.ny)


def vw_centres(p):
    v = p.vmin + (np.arange(p.nv) + 0.5) * p.dv
    w = p.wmin + (np.arange(p.nw) + 0.5) * p.dw
    return v, w


def rho0(p):
    X = x_points(p)
    if p.rho0_type == "uniform":
        r = np.ones(p.npts)
    elif p.rho0_type == "cosine":
        r = 1.0 + p.rho0_amp * np.cos(2 * np.pi * X[:, 0] / p.Lx)
        if p.dim == 2:
            r = r * (1.0 + p.rho0_amp * np.cos(2 * np.pi * X[:, 1] / p.Ly))
    else:
        raise ValueError("unknown rho0_type %r" % p.rho0_type)
    return r / (r.sum() * cell_volume(p))


def _distances(p, periodic):
    X = x_points(p)
    d = X[:, None, :] - X[None, :, :]
    if periodic:
        L = np.array([p.Lx, p.Ly][:p.dim])
        d = d - L * np.round(d / L)
    return np.sqrt(np.sum(d * d, axis=-1))


def psi_matrix(p, periodic=None):
    """Psi(x_p, x_q) between cell centres (values of the kernel, not multiplied by |dK|)."""
    if periodic is None:
        periodic = p.psi_periodic
    n = p.npts
    if p.psi_type == "none":
        return np.zeros((n, n))
    r = _distances(p, periodic)
    s = p.psi_sigma
    d = p.dim
    if p.psi_type == "gaussian":
        return p.psi_J * np.exp(-r * r / (2 * s * s)) / ((2 * np.pi) ** (d / 2.0) * s ** d)
    if p.psi_type == "tophat":
        vol = 2 * s if d == 1 else np.pi * s * s
        return np.where(r <= s * (1 + 1e-12), p.psi_J / vol, 0.0)
    if p.psi_type == "graded":
        # width s(x) = sigma (1 + g (x1/Lx - 1/2)) of the receiving point x (the row)
        sx = s * (1 + p.psi_grade * (x_points(p)[:, 0] / p.Lx - 0.5))[:, None]
        return p.psi_J * np.exp(-r * r / (2 * sx * sx)) / ((2 * np.pi) ** (d / 2.0) * sx ** d)
    raise ValueError("unknown psi_type %r" % p.psi_type)


def psi_conv(p, g, Psi=None):
    """(Psi * g)(x_p) = sum_q Psi(x_p, x_q) g_q |dK| (midpoint rule)."""
    if Psi is None:
        Psi = psi_matrix(p)
    return Psi @ (np.asarray(g, dtype=float) * cell_volume(p))


def P_field(p, Psi=None):
    """P = Psi * rho0 at every point."""
    return psi_conv(p, rho0(p), Psi)


def initial_means(p):
    """V0(x), W0(x) from the init_* parameters (x1 = first coordinate)."""
    x1 = x_points(p)[:, 0]
    s = np.sin(2 * np.pi * x1 / p.Lx)
    return p.init_V0 + p.init_V0_amp * s, p.init_W0 + p.init_W0_amp * s


# --------------------------------------------------------------------------- stimulus

def stimuli(p):
    """The pulses of I_ext (docs/layout.md) from the stim_* attributes: a list of dicts."""
    ex = p.extra
    n = int(_scalar(ex.get("stim_n", 0)) or 0)
    if n == 0:
        return []
    shapes = str(_scalar(ex["stim_shape"])).split(",")

    def arr(k):
        return np.atleast_1d(np.asarray(ex[k], dtype=float))
    out = []
    for k in range(n):
        out.append(dict(shape=shapes[k], amp=arr("stim_amp")[k], x=arr("stim_x")[k],
                        y=arr("stim_y")[k], r=arr("stim_radius")[k], ry=arr("stim_radius_y")[k],
                        onset=arr("stim_onset")[k], duration=arr("stim_duration")[k],
                        period=arr("stim_period")[k], count=int(arr("stim_count")[k])))
    return out


def stim_profile(p, s):
    """S_k at the points of K."""
    X = x_points(p)
    d2 = (X[:, 0] - s["x"]) ** 2 + ((X[:, 1] - s["y"]) ** 2 if p.dim == 2 else 0.0)
    if s["shape"] == "disk":
        return (d2 <= s["r"] ** 2).astype(float)
    if s["shape"] == "gaussian":
        return np.exp(-d2 / (2 * s["r"] ** 2))
    if s["shape"] == "rect":
        inside = np.abs(X[:, 0] - s["x"]) <= s["r"]
        if p.dim == 2:
            inside &= np.abs(X[:, 1] - s["y"]) <= s["ry"]
        return inside.astype(float)
    raise ValueError("unknown stimulus shape %r" % s["shape"])


def stim_on(s, t):
    """H_k(t): 1 on [t0 + j T, t0 + j T + d), j = 0..n-1."""
    for j in range(s["count"] if s["period"] > 0 else 1):
        a = s["onset"] + j * s["period"]
        if a <= t < a + s["duration"]:
            return 1.0
    return 0.0


def stim_breaks(p, T):
    """Times in (0, T) where I_ext jumps."""
    b = set()
    for s in stimuli(p):
        for j in range(s["count"] if s["period"] > 0 else 1):
            a = s["onset"] + j * s["period"]
            for t in (a, a + s["duration"]):
                if 0 < t < T:
                    b.add(float(t))
    return sorted(b)


def I_ext(p, t):
    """I_ext(t, x) at the points of K."""
    out = np.zeros(p.npts)
    for s in stimuli(p):
        out += s["amp"] * stim_profile(p, s) * stim_on(s, t)
    return out


# --------------------------------------------------------------------------- limit system

def solve_limit(p, times, V0=None, W0=None, rtol=1e-12, atol=1e-13, extra_drift=None):
    """Integrate (1.9) for polynomial N; returns V, W of shape [len(times), npts].

    extra_drift(V) (optional) is added to dV/dt (e.g. a moment-closure correction)."""
    from scipy.integrate import solve_ivp
    times = np.atleast_1d(np.asarray(times, dtype=float))
    if V0 is None or W0 is None:
        a0, b0 = initial_means(p)
        V0 = a0 if V0 is None else V0
        W0 = b0 if W0 is None else W0
    n = p.npts
    Psi = psi_matrix(p)
    rv = rho0(p) * cell_volume(p)
    P = Psi @ rv
    a, b, c = p.fhn_a, p.fhn_b, p.fhn_c

    def rhs(t, y, Iext):
        V, W = y[:n], y[n:]
        dV = p.N(V) - W - V * P + Psi @ (rv * V) + Iext
        if extra_drift is not None:
            dV = dV + extra_drift(V)
        return np.concatenate([dV, a * V - b * W + c])

    y0 = np.concatenate([np.broadcast_to(V0, (n,)), np.broadcast_to(W0, (n,))]).astype(float)
    out = np.empty((len(times), 2 * n))
    out[times <= 0] = y0
    # integrate piecewise between the jumps of the stimulus (constant on each piece)
    T = times.max() if len(times) else 0.0
    edges = [0.0] + stim_breaks(p, T) + [T]
    y = y0
    for t0, t1 in zip(edges[:-1], edges[1:]):
        if t1 <= t0:
            continue
        Iext = I_ext(p, 0.5 * (t0 + t1))
        sel = (times > t0) & (times <= t1)
        sol = solve_ivp(rhs, (t0, t1), y, method="DOP853", rtol=rtol, atol=atol, args=(Iext,),
                        dense_output=True)
        if not sol.success:
            raise RuntimeError("solve_ivp failed: " + sol.message)
        if np.any(sel):
            out[sel] = sol.sol(times[sel]).T
        y = sol.y[:, -1]
    return out[:, :n], out[:, n:]


# --------------------------------------------------------------------------- exact Gaussian

def _mean_linear_exact(p, times, V0, W0):
    """Linear N: (1.9) is linear with constant coefficients; exact via the exponential of
    the augmented matrix (dimension 2 npts + 1)."""
    from scipy.linalg import expm
    alpha, beta = p.alpha_beta
    n = p.npts
    Psi = psi_matrix(p)
    rv = rho0(p) * cell_volume(p)
    P = Psi @ rv
    A = np.zeros((2 * n + 1, 2 * n + 1))
    A[:n, :n] = np.diag(alpha - P) + Psi * rv[None, :]
    A[:n, n:2 * n] = -np.eye(n)
    A[:n, 2 * n] = beta
    A[n:2 * n, :n] = p.fhn_a * np.eye(n)
    A[n:2 * n, n:2 * n] = -p.fhn_b * np.eye(n)
    A[n:2 * n, 2 * n] = p.fhn_c
    y0 = np.concatenate([np.broadcast_to(V0, (n,)), np.broadcast_to(W0, (n,)), [1.0]])
    V = np.empty((len(times), n))
    W = np.empty((len(times), n))
    for i, t in enumerate(times):
        y = expm(A * t) @ y0
        V[i], W[i] = y[:n], y[n:2 * n]
    return V, W


def _expm2(M, t):
    """exp(M t) for a real 2x2 M, through its eigenvalues (accurate when they are far apart,
    which is the stiff case); falls back to scipy's expm when they nearly coincide."""
    tr = M[0, 0] + M[1, 1]
    det = M[0, 0] * M[1, 1] - M[0, 1] * M[1, 0]
    disc = tr * tr / 4.0 - det
    sq = np.sqrt(complex(disc))
    # stable roots: l1 the one of largest modulus
    l1 = tr / 2.0 + (sq if tr.real >= 0 else -sq)
    if l1 == 0:
        from scipy.linalg import expm
        return expm(M * t)
    l2 = det / l1
    if abs(l1 - l2) <= 1e-3 * max(abs(l1), abs(l2), 1e-300) or abs(l1 - l2) * t < 1e-3:
        from scipy.linalg import expm
        return expm(M * t)
    I = np.eye(2)
    E = (np.exp(l1 * t) * (M - l2 * I) - np.exp(l2 * t) * (M - l1 * I)) / (l1 - l2)
    return np.real(E)


def cov_exact(k, a, b, S0, times):
    """Exact solution of the SPEC 2 covariance ODEs at one point:
        S_vv' = 2 k S_vv - 2 S_vw + 2,  S_vw' = (k-b) S_vw - S_ww + a S_vv,
        S_ww' = 2 a S_vw - 2 b S_ww,
    i.e. S' = M S + S M^T + D with M = [[k,-1],[a,-b]], D = diag(2,0). With S_inf the steady
    state (M S + S M^T + D = 0, a 3x3 linear system), S(t) = S_inf + E (S0 - S_inf) E^T,
    E = exp(M t). Returns array [len(times), 3] of (S_vv, S_vw, S_ww)."""
    M = np.array([[k, -1.0], [a, -b]])
    L = np.array([[2 * k, -2.0, 0.0],
                  [a, k - b, -1.0],
                  [0.0, 2 * a, -2 * b]])
    g = np.array([2.0, 0.0, 0.0])
    s0 = np.array([S0[0][0], S0[0][1], S0[1][1]], dtype=float)
    out = np.empty((len(times), 3))
    try:
        sinf = np.linalg.solve(L, -g)
        if not np.all(np.isfinite(sinf)):
            raise np.linalg.LinAlgError
        Sinf = np.array([[sinf[0], sinf[1]], [sinf[1], sinf[2]]])
        D0 = np.array([[s0[0], s0[1]], [s0[1], s0[2]]]) - Sinf
        for i, t in enumerate(times):
            E = _expm2(M, t)
            S = Sinf + E @ D0 @ E.T
            out[i] = (S[0, 0], 0.5 * (S[0, 1] + S[1, 0]), S[1, 1])
    except np.linalg.LinAlgError:
        from scipy.linalg import expm
        A = np.zeros((4, 4))
        A[:3, :3] = L
        A[:3, 3] = g
        for i, t in enumerate(times):
            out[i] = (expm(A * t) @ np.append(s0, 1.0))[:3]
    return out


def gaussian_exact(p, times, V0=None, W0=None, var_v=None, var_w=None, S0=None):
    """SPEC 2 exact solution for linear N = alpha v + beta (N_coeffs = beta, alpha) and
    Gaussian initial data. Returns dict of arrays [len(times), npts]: V, W, Svv, Svw, Sww.
    Initial data default to the init_* parameters (f0 = rho0 Gaussian((V0,W0),
    diag(var_v, var_w)))."""
    times = np.atleast_1d(np.asarray(times, dtype=float))
    alpha, _ = p.alpha_beta
    a0, b0 = initial_means(p)
    V0 = a0 if V0 is None else np.broadcast_to(V0, (p.npts,))
    W0 = b0 if W0 is None else np.broadcast_to(W0, (p.npts,))
    var_v = p.init_var_v if var_v is None else var_v
    var_w = p.init_var_w if var_w is None else var_w
    V, W = _mean_linear_exact(p, times, V0, W0)
    P = P_field(p)
    r0 = rho0(p)
    n = p.npts
    S = np.empty((len(times), n, 3))
    for q in range(n):
        k = alpha - P[q] - r0[q] / p.eps
        S0q = S0[q] if S0 is not None else [[var_v, 0.0], [0.0, var_w]]
        S[:, q, :] = cov_exact(k, p.fhn_a, p.fhn_b, S0q, times)
    return dict(time=times, V=V, W=W, Svv=S[:, :, 0], Svw=S[:, :, 1], Sww=S[:, :, 2])


def exact_f(p, V, W, Svv, Svw, Sww):
    """rho0 times the bivariate normal density at the v/w cell centres, [npts, nw, nv];
    V.. are arrays [npts] at one time."""
    v, w = vw_centres(p)
    r0 = rho0(p)
    f = np.empty((p.npts, p.nw, p.nv))
    for q in range(p.npts):
        a, bb, c = Svv[q], Svw[q], Sww[q]
        det = a * c - bb * bb
        dv = v[None, :] - V[q]
        dw = w[:, None] - W[q]
        quad = (c * dv * dv - 2 * bb * dv * dw + a * dw * dw) / det
        f[q] = r0[q] * np.exp(-0.5 * quad) / (2 * np.pi * np.sqrt(det))
    return f


def l1_error(p, f, fex):
    """Per point sum |f - f_exact| dv dw."""
    f = np.asarray(f).reshape(p.npts, p.nw, p.nv)
    return np.sum(np.abs(f - fex), axis=(1, 2)) * p.dv * p.dw


def moments(p, f):
    """Discrete moments of f[npts, nw, nv]: dict mass, V, W, D2, Svw, Sww (per point)."""
    f = np.asarray(f).reshape(p.npts, p.nw, p.nv)
    v, w = vw_centres(p)
    da = p.dv * p.dw
    m = f.sum(axis=(1, 2)) * da
    fv = f.sum(axis=1) * da  # [npts, nv]
    fw = f.sum(axis=2) * da  # [npts, nw]
    V = (fv * v).sum(1) / m
    W = (fw * w).sum(1) / m
    dvv = v[None, :] - V[:, None]
    dww = w[None, :] - W[:, None]
    D2 = (fv * dvv ** 2).sum(1) / m
    Sww = (fw * dww ** 2).sum(1) / m
    Svw = np.einsum("pji,pi,pj->p", f, dvv, dww) * da / m
    return dict(mass=m, V=V, W=W, D2=D2, Svw=Svw, Sww=Sww)


def resolved_box(ex, nsig=8.0, cells_per_std=4.0, margin=0.0):
    """From an exact solution dict (gaussian_exact on a fine time grid): a (v,w) box covering
    mean +- nsig std over all times and points, and nv, nw giving >= cells_per_std cells per
    smallest std. Returns dict vmin vmax wmin wmax nv nw."""
    sv = np.sqrt(ex["Svv"])
    sw = np.sqrt(ex["Sww"])
    vmin = float(np.min(ex["V"] - nsig * sv)) - margin
    vmax = float(np.max(ex["V"] + nsig * sv)) + margin
    wmin = float(np.min(ex["W"] - nsig * sw)) - margin
    wmax = float(np.max(ex["W"] + nsig * sw)) + margin
    nv = int(math.ceil((vmax - vmin) / (sv.min() / cells_per_std)))
    nw = int(math.ceil((wmax - wmin) / (sw.min() / cells_per_std)))
    return dict(vmin=vmin, vmax=vmax, wmin=wmin, wmax=wmax, nv=nv, nw=nw)


# --------------------------------------------------------------------------- files

def read_diag(path):
    """Read DIR/diagnostics.h5 (or the file itself). Returns dict: datasets by name
    ('limit/V' etc.), 'attrs' (dict) and 'params' (Params)."""
    if os.path.isdir(path):
        path = os.path.join(path, "diagnostics.h5")
    out = {}
    with h5py.File(path, "r") as h:
        def visit(name, obj):
            if isinstance(obj, h5py.Dataset):
                out[name] = np.asarray(obj[()])
        h.visititems(visit)
        attrs = {k: h.attrs[k] for k in h.attrs.keys()}
    out["attrs"] = attrs
    out["params"] = Params.from_attrs(attrs)
    return out


def read_checkpoint(path):
    """Read a checkpoint: returns (f [npts, nw, nv], attrs dict, Params)."""
    with h5py.File(path, "r") as h:
        attrs = {k: h.attrs[k] for k in h.attrs.keys()}
        p = Params.from_attrs(attrs)
        f = np.asarray(h["f"][()]).reshape(p.npts, p.nw, p.nv)
    return f, attrs, p


def latest_checkpoint(d):
    files = sorted(glob.glob(os.path.join(d, "checkpoint-*.h5")))
    if not files:
        raise FileNotFoundError("no checkpoint-*.h5 in %s" % d)
    return files[-1]


# --------------------------------------------------------------------------- CLI

def _cli(argv):
    import argparse
    ap = argparse.ArgumentParser(prog="fhnk_ref.py", description=__doc__.split("\n\n")[0])
    ap.add_argument("cmd", choices=["info", "limit", "exact"])
    ap.add_argument("dir")
    args = ap.parse_args(argv)
    d = read_diag(args.dir)
    p = d["params"]
    t = d["time"]
    if args.cmd == "info":
        print(p)
        print("npts=%d dv=%g dw=%g |dK|=%g" % (p.npts, p.dv, p.dw, cell_volume(p)))
        print("rho0 =", rho0(p))
        print("P = Psi*rho0 =", P_field(p))
        print("times: %d samples, %g .. %g" % (len(t), t[0], t[-1]))
        return 0
    if args.cmd == "limit":
        V, W = solve_limit(p, t)
        eV = np.abs(d["V"] - V).max(axis=1)
        eW = np.abs(d["W"] - W).max(axis=1)
        for i in range(len(t)):
            print("t=%-10.5g max|V-Vlim|=%.3e max|W-Wlim|=%.3e" % (t[i], eV[i], eW[i]))
        return 0
    if args.cmd == "exact":
        ex = gaussian_exact(p, t)
        for key, dk in (("V", "V"), ("W", "W"), ("Svv", "D2"), ("Svw", "Svw"), ("Sww", "Sww")):
            e = np.abs(d[dk] - ex[key]).max()
            print("max |%s - exact| = %.3e" % (dk, e))
        ck = latest_checkpoint(os.path.dirname(os.path.abspath(
            args.dir if not os.path.isdir(args.dir) else os.path.join(args.dir, "x"))))
        f, at, pc = read_checkpoint(ck)
        tf = float(_scalar(at["time"]))
        exf = gaussian_exact(p, [tf])
        fex = exact_f(p, *(exf[k][0] for k in ("V", "W", "Svv", "Svw", "Sww")))
        print("checkpoint %s t=%g  L1 error per point: %s" % (
            os.path.basename(ck), tf, np.array2string(l1_error(p, f, fex), precision=3)))
        return 0


if __name__ == "__main__":
    sys.exit(_cli(sys.argv[1:]))
