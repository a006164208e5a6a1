"""Helpers for Python tests (import after adding tests/ to sys.path):

    import os, sys; sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
    from testlib import *

run_fhnk(opts, n=1, outdir=None) runs bin/fhnk under mpiexec with -strict and -o outdir;
Checker collects numbered checks and exits 1 if any failed; skip() exits 77.
"""
import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.environ.get("FHNK_ROOT") or os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
FHNK = os.environ.get("FHNK") or os.path.join(ROOT, "bin", "fhnk")
sys.path.insert(0, os.path.join(ROOT, "tools"))

import numpy as np  # noqa: E402
import fhnk_ref as ref  # noqa: E402,F401

ENV = dict(os.environ)
ENV.update(OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
           OMPI_MCA_rmaps_base_oversubscribe="1")


def skip(msg):
    print("SKIP: " + msg, flush=True)
    sys.exit(77)


def require_fhnk():
    if not (os.path.isfile(FHNK) and os.access(FHNK, os.X_OK)):
        print("FAIL: solver binary %s not found (run make)" % FHNK, flush=True)
        sys.exit(1)


def fmt_opts(opts):
    """opts: dict name -> value (list/tuple joined by commas; True = flag) or list of str."""
    if isinstance(opts, (list, tuple)):
        return [str(o) for o in opts]
    out = []
    for k, v in opts.items():
        if v is None or v is False:
            continue
        out.append("-" + k)
        if v is True:
            continue
        if isinstance(v, (list, tuple, np.ndarray)):
            out.append(",".join(repr(float(x)) if not isinstance(x, str) else x for x in v))
        elif isinstance(v, float):
            out.append(repr(v))
        else:
            out.append(str(v))
    return out


# The model of the fused-stepper tests (verification/50 and 51): cubic N, eps = 1e-2 (dt rho0/eps
# about 1: the stiff part matters), cosine rho0, gaussian Psi; nw = 29 = 3 x 8 + 4 + 1 lines and
# odd nv, so every path of the blocked line solves runs.
FUSED_CASE = dict(eps=1e-2, N_coeffs="0,1,0,-1", fhn_a=0.1, fhn_b=0.08, fhn_c=0.0, dim=1, nx=4,
                  Lx=1.0, rho0_type="cosine", rho0_amp=0.3, psi_type="gaussian", psi_J=1.0,
                  psi_sigma=0.3, nv=63, vmin=-1.6, vmax=1.6, nw=29, wmin=-3.0, wmax=3.0,
                  init="concentrated", init_V0=0.5, init_V0_amp=0.3, init_W0=0.0,
                  init_W0_amp=0.1, init_var_w=0.5)


class RunError(RuntimeError):
    pass


def run_fhnk(opts, outdir, n=1, strict=True, overwrite=True, timeout=None, check=True,
             quiet=False):
    """Run bin/fhnk on n ranks writing into outdir. Returns (CompletedProcess, seconds)."""
    args = fmt_opts(opts)
    cmd = ["mpiexec", "--oversubscribe", "-n", str(n), FHNK] + args + ["-o", outdir]
    if strict:
        cmd.append("-strict")
    if overwrite:
        cmd.append("-overwrite")
    if not quiet:
        print("$ " + " ".join(cmd), flush=True)
    t0 = time.time()
    cp = subprocess.run(cmd, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                        universal_newlines=True, timeout=timeout)
    dt = time.time() - t0
    if check and cp.returncode != 0:
        sys.stdout.write(cp.stdout[-4000:])
        sys.stdout.write(cp.stderr[-4000:])
        raise RunError("fhnk exited with %d after %.1fs" % (cp.returncode, dt))
    if not quiet:
        print("  (%.1fs, exit %d)" % (dt, cp.returncode), flush=True)
    return cp, dt


@contextlib.contextmanager
def tmpdir(prefix="fhnk-test."):
    d = tempfile.mkdtemp(prefix=prefix)
    try:
        yield d
    finally:
        if os.environ.get("KEEP_TMP") == "1":
            print("kept " + d)
        else:
            shutil.rmtree(d, ignore_errors=True)


class Checker:
    """c = Checker(); c.check(cond, "what", value=..); ...; c.done()"""

    def __init__(self):
        self.nfail = 0
        self.n = 0

    def check(self, cond, what):
        self.n += 1
        tag = "ok  " if cond else "FAIL"
        print("%s %s" % (tag, what), flush=True)
        if not cond:
            self.nfail += 1
        return cond

    def le(self, val, bound, what):
        return self.check(bool(val <= bound), "%s = %.3e <= %.3e" % (what, val, bound))

    def ge(self, val, bound, what):
        return self.check(bool(val >= bound), "%s = %.3e >= %.3e" % (what, val, bound))

    def done(self):
        print("%d checks, %d failed" % (self.n, self.nfail), flush=True)
        sys.exit(1 if self.nfail else 0)


def observed_orders(errs, ratio=2.0):
    errs = np.asarray(errs, dtype=float)
    return np.log(errs[:-1] / errs[1:]) / np.log(ratio)
