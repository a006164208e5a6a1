#!/usr/bin/python3
"""The Psi convolution: FFT, matrix and replicated paths against each other and against a dense
direct sum written independently (tools/fhnk_ref.py, from SPEC 3).

SPEC 3's midpoint sum is the definition; the FFT (zero-padded for non-periodic K, circular with
-psi_periodic) must equal it to round-off, not approximate it. For every kernel, periodic and
not, 1-D and 2-D, odd and even sizes, on 1, 2 and 3 ranks (3 oversubscribed: uneven splits of
K), the static field /coupling/P = Psi*rho0 and the series /coupling/Q = Psi*(rho0 V) of a short
-model limit run are compared:
  * between methods and rank counts: max |a - b| <= 1e-13 max |b|;
  * with the dense direct sum evaluated on the run's own V: the same bound.
A kernel that is not translation invariant (graded) runs on the matrix path only; asking for the
FFT is refused with a message naming -psi_method.
Round-off of an FFT convolution is ~1e-16 log2(M) of the largest value: 1e-13 leaves a margin of
~50 for these sizes, while a wrong offset, a missing image or padding that wraps changes P by
>= 1e-3 of its size.
"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from testlib import ENV, FHNK, Checker, ref, require_fhnk, run_fhnk, tmpdir  # noqa: E402

import numpy as np  # noqa: E402

require_fhnk()
c = Checker()
base = dict(model="limit", eps=1e-2, N_coeffs="0,1,0,-1", fhn_a=0.1, fhn_b=0.08, fhn_c=0.05,
            Lx=1.0, rho0_type="cosine", rho0_amp=0.4, psi_J=2.0, init="gaussian", init_V0=0.3,
            init_V0_amp=0.8, init_W0=0.1, init_W0_amp=0.3, ts_max_time=0.2, diag_dt=0.1,
            quiet=True)
cases = {
    "1-D gaussian nx=37": dict(dim=1, nx=37, psi_type="gaussian", psi_sigma=0.07),
    "1-D gaussian periodic nx=48": dict(dim=1, nx=48, psi_type="gaussian", psi_sigma=0.3,
                                        psi_periodic=True),
    "1-D tophat periodic nx=31 (prime)": dict(dim=1, nx=31, psi_type="tophat", psi_sigma=0.2,
                                              psi_periodic=True),
    "1-D tophat nx=40": dict(dim=1, nx=40, psi_type="tophat", psi_sigma=0.1),
    "2-D gaussian 23x18": dict(dim=2, nx=23, ny=18, Ly=0.8, psi_type="gaussian", psi_sigma=0.15),
    "2-D gaussian periodic 16x21": dict(dim=2, nx=16, ny=21, Ly=1.3, psi_type="gaussian",
                                        psi_sigma=0.3, psi_periodic=True),
    "2-D tophat 20x20": dict(dim=2, nx=20, ny=20, psi_type="tophat", psi_sigma=0.15),
    "2-D tophat periodic 15x12": dict(dim=2, nx=15, ny=12, Lx=1.5, Ly=1.2, psi_type="tophat",
                                      psi_sigma=0.3, psi_periodic=True),
}


def rel(a, b):
    return np.abs(a - b).max() / max(np.abs(b).max(), 1e-300)


with tmpdir() as tmp:
    for name, extra in cases.items():
        opts = dict(base, **extra)
        runs = {}
        for method in ("matrix", "fft", "replicated"):
            for n in (1, 2, 3):
                out = os.path.join(tmp, "%s-%s-%d" % (name.split()[0], method, n))
                run_fhnk(dict(opts, psi_method=method), out, n=n, quiet=True)
                runs[method, n] = ref.read_diag(out)
        r0 = runs["matrix", 1]
        p = r0["params"]
        worst = 0.0
        for key, d in runs.items():
            worst = max(worst, rel(d["coupling/P"], r0["coupling/P"]), rel(d["coupling/Q"], r0["coupling/Q"]))
        # the dense direct sum, on each run's own V (Q depends on V, which differs by round-off)
        Psi = ref.psi_matrix(p)
        rho = ref.rho0(p)
        eref = 0.0
        for key, d in runs.items():
            eref = max(eref, rel(d["coupling/P"], ref.psi_conv(p, rho, Psi)))
            for i in range(len(d["time"])):
                eref = max(eref, rel(d["coupling/Q"][i], ref.psi_conv(p, rho * d["V"][i], Psi)))
        c.le(worst, 1e-13, "%s: fft / matrix / replicated on 1, 2, 3 ranks agree (relative)" % name)
        c.le(eref, 1e-13, "%s: every run equals the dense direct sum (relative)" % name)
        c.check(all(ref._scalar(d["attrs"]["psi_method"]) == key[0] for key, d in runs.items()),
                "%s: the psi_method attribute records the method of each run" % name)

    # a kernel of (x, x'), not of x - x': matrix path, against the dense reference
    opts = dict(base, dim=2, nx=14, ny=11, psi_type="graded", psi_sigma=0.12, psi_grade=0.8)
    for n in (1, 2, 3):
        out = os.path.join(tmp, "graded-%d" % n)
        run_fhnk(opts, out, n=n, quiet=True)
        d = ref.read_diag(out)
        p = d["params"]
        c.le(rel(d["coupling/P"], ref.P_field(p)), 1e-13, "graded kernel (matrix, %d ranks) equals the dense direct sum" % n)
        c.check(d["attrs"]["psi_method"] in (b"matrix", "matrix"), "graded kernel: auto chose the matrix")
    cp = subprocess.run(["mpiexec", "-n", "1", FHNK, "-model", "limit", "-psi_type", "graded",
                         "-psi_method", "fft", "-o", os.path.join(tmp, "refused")], env=ENV,
                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
    c.check(cp.returncode == 1 and "-psi_method" in cp.stderr and "translation invariant" in cp.stderr
            and not os.path.exists(os.path.join(tmp, "refused")),
            "graded kernel with -psi_method fft: refused, message names -psi_method, nothing written")
c.done()
