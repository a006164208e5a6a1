#!/usr/bin/python3
"""The FFT coupling on a 2-D sheet: 1 and 2 ranks agree, and a restart moves between them (issue 9).

A kinetic 2-D sheet (28 x 21 points, cosine rho0, Gaussian kernel, -psi_method fft, the
distributed FFTW-MPI transform: zero-padded 56 x 42 on 2 ranks, one rank's slab each):
* 1 and 2 ranks: every series of diagnostics.h5 and the final f agree to 1e-12 (relative to the
  dataset's largest value);
* a 2-rank run stopped at t = 0.2 (checkpoint) and continued on 1 rank to t = 0.4 agrees with the
  uninterrupted 2-rank run to 1e-12, and a 1-rank checkpoint continued on 2 ranks likewise.
The two rank counts add the convolution's terms in different orders (FFT butterflies, the
transposes): round-off of 1e-16 per apply, which the dynamics carry a little further.
"""
import glob
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from testlib import Checker, ref, require_fhnk, run_fhnk, tmpdir  # noqa: E402

import numpy as np  # noqa: E402

require_fhnk()
c = Checker()
opts = dict(dim=2, nx=28, ny=21, Ly=0.75, eps=2e-2, rho0_type="cosine", rho0_amp=0.3, psi_type="gaussian",
            psi_J=1.5, psi_sigma=0.15, psi_method="fft", nv=32, vmin=-2.0, vmax=2.0, nw=12, wmin=-1.5, wmax=1.5,
            init="gaussian", init_V0=0.4, init_V0_amp=0.4, init_var_v=0.05, init_var_w=0.1, ts_dt=0.01,
            ts_max_time=0.4, diag_dt=0.1, checkpoint_dt=0.2, checkpoint_keep=3, quiet=True)


def rel(a, b):
    return float(np.abs(a - b).max() / max(np.abs(b).max(), 1.0))


def compare(da, db, fa, fb):
    worst = max(rel(da[k], db[k]) for k in da if isinstance(da[k], np.ndarray) and k in db and not k.startswith("xdmf"))
    return max(worst, rel(fa, fb))


with tmpdir() as tmp:
    res = {}
    for n in (1, 2):
        out = os.path.join(tmp, "np%d" % n)
        run_fhnk(opts, out, n=n)
        f, _, _ = ref.read_checkpoint(ref.latest_checkpoint(out))
        res[n] = (ref.read_diag(out), f)
    d1, f1 = res[1]
    d2, f2 = res[2]
    c.check(d2["attrs"]["psi_method"] in (b"fft", "fft"), "the FFT path ran")
    c.le(compare(d1, d2, f1, f2), 1e-12, "1 vs 2 ranks, every series and the final f (relative)")
    for src, n in ((2, 1), (1, 2)):
        out = os.path.join(tmp, "re%d%d" % (src, n))
        os.makedirs(out)
        ck = sorted(glob.glob(os.path.join(tmp, "np%d" % src, "checkpoint-*.h5")))[0]
        run_fhnk(dict(opts, restart=ck), out, n=n, overwrite=False)
        f, at, _ = ref.read_checkpoint(ref.latest_checkpoint(out))
        d = ref.read_diag(out)
        dr, fr = res[src]
        c.check(abs(float(ref._scalar(ref.read_checkpoint(ck)[1]["time"])) - 0.2) < 1e-12, "restart from t = 0.2")
        c.le(compare(d, dr, f, fr), 1e-12, "a %d-rank checkpoint continued on %d rank(s) vs the uninterrupted %d-rank run (relative)" % (src, n, src))
c.done()
