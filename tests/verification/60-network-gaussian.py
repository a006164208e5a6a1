#!/usr/bin/python3
"""-model network against the exact Gaussian solution (SPEC 2) for linear N, at m = 10^5, for
eps = 1e-1 and 1e-4 with the same dt (issue 10).

The yardstick is the standard error the finite network really has:
* column means (V, W): for linear N the column means follow the linear SDE
      dVbar = (alpha Vbar + beta - Wbar - Vbar P + Psi*(rho0 Vbar)) dt + sqrt(2/n_k) dBbar,
      dWbar = (a Vbar - b Wbar + c) dt
  (the relaxation to the column mean does not move it), whose mean is the exact (1.9) solution
  and whose covariance C solves the Lyapunov ODE C' = A C + C A^T + diag(2/n_k on V),
  C(0) = diag(var_v/n_k, var_w/n_k) (the initial sample means). SE = sqrt(diag C).
* centred second moments (D2, Svw, Sww): the standard errors of sample (co)variances of n_k
  Gaussian deviations, S_vv sqrt(2/n), sqrt((S_vv S_ww + S_vw^2)/n), S_ww sqrt(2/n).
Every moment at every sample (t = 0.25 .. 1) and column is within 4 standard errors. A network
with a wrong relaxation rate, noise amplitude (sqrt(2) vs 1), or coupling misses by tens.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from testlib import Checker, ref, require_fhnk, run_fhnk, tmpdir  # noqa: E402

import numpy as np  # noqa: E402
from scipy.linalg import expm  # noqa: E402

require_fhnk()
c = Checker()


def mean_cov(p, n_k, times):
    """covariance of the column means (Lyapunov ODE), exactly through the Kronecker form"""
    alpha, _ = p.alpha_beta
    n = p.npts
    Psi = ref.psi_matrix(p)
    rv = ref.rho0(p) * ref.cell_volume(p)
    P = Psi @ rv
    A = np.zeros((2 * n, 2 * n))
    A[:n, :n] = np.diag(alpha - P) + Psi * rv[None, :]
    A[:n, n:] = -np.eye(n)
    A[n:, :n] = p.fhn_a * np.eye(n)
    A[n:, n:] = -p.fhn_b * np.eye(n)
    D = np.zeros((2 * n, 2 * n))
    D[:n, :n] = np.diag(2.0 / n_k)
    C0 = np.diag(np.concatenate([p.init_var_v / n_k, p.init_var_w / n_k]))
    m = 2 * n
    L = np.kron(np.eye(m), A) + np.kron(A, np.eye(m))  # vec(A C + C A^T)
    big = np.zeros((m * m + 1, m * m + 1))
    big[:m * m, :m * m] = L
    big[:m * m, m * m] = D.reshape(-1, order="F")
    out = []
    for t in times:
        y = expm(big * t) @ np.append(C0.reshape(-1, order="F"), 1.0)
        out.append(y[:m * m].reshape(m, m, order="F"))
    return out


base = dict(model="network", dim=1, nx=4, Lx=1.0, rho0_type="uniform", psi_type="gaussian",
            psi_J=1.5, psi_sigma=0.3, N_coeffs="0.2,-1", fhn_a=0.5, fhn_b=0.3, fhn_c=0.1,
            init="gaussian", init_V0=0.4, init_V0_amp=0.6, init_W0=-0.2, init_W0_amp=0.3,
            init_var_v=0.1, init_var_w=0.2, network_m=100000, network_seed=7, ts_dt=0.01,
            ts_max_time=1.0, diag_dt=0.25, quiet=True)
with tmpdir() as tmp:
    for eps in (1e-1, 1e-4):
        out = os.path.join(tmp, "eps%g" % eps)
        run_fhnk(dict(base, eps=eps), out, n=2)
        d = ref.read_diag(out)
        p = d["params"]
        t = d["time"]
        n_k = d["network/n"]
        ex = ref.gaussian_exact(p, t)
        C = mean_cov(p, n_k, t)
        worst = {}
        for i in range(1, len(t)):
            se_V = np.sqrt(np.diag(C[i])[:p.npts])
            se_W = np.sqrt(np.diag(C[i])[p.npts:])
            Svv, Svw, Sww = ex["Svv"][i], ex["Svw"][i], ex["Sww"][i]
            ratios = dict(V=np.abs(d["V"][i] - ex["V"][i]) / se_V,
                          W=np.abs(d["W"][i] - ex["W"][i]) / se_W,
                          D2=np.abs(d["D2"][i] - Svv) / (Svv * np.sqrt(2 / n_k)),
                          Svw=np.abs(d["Svw"][i] - Svw) / np.sqrt((Svv * Sww + Svw ** 2) / n_k),
                          Sww=np.abs(d["Sww"][i] - Sww) / (Sww * np.sqrt(2 / n_k)))
            for k, r in ratios.items():
                worst[k] = max(worst.get(k, 0), float(r.max()))
        print("eps = %g: D2 at T = %s (exact %s); worst |error| / standard error: %s" % (
            eps, np.array2string(d["D2"][-1], precision=4), np.array2string(ex["Svv"][-1], precision=4),
            ", ".join("%s %.2f" % kv for kv in worst.items())))
        for k, r in worst.items():
            c.le(r, 4.0, "eps = %g: max over samples and columns of |%s - exact| / SE" % (eps, k))
c.done()
