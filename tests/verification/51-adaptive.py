#!/usr/bin/python3
"""Adaptive steps of the fused stepper (issue 5: "users keep the TS interface ... adaptivity where
the tableau has an embedded pair"). -ts_adapt_type basic with -ts_fhnkimex_type l2, 2e, 3 uses the
embedded pairs PETSc's TSARKIMEX has for the same tableaux (order - 1), its error norm
(TSErrorWeightedNorm of the solution minus the embedded one) and its controller.

1. Against a fixed-step reference (tableau 3, dt = 2.5e-4, error ~1e-10): the error of adaptive
   runs falls with the tolerance (1e-3 -> 1e-5: at least 5x smaller in max norm, with more
   steps), and in the controller's own weighted RMS norm (local error <= 1 per step) the global
   error after the run stays below 10.
2. Against PETSc's own adaptive TSARKIMEX with the same tableau and tolerances: the same number of
   steps, and the final f to 1e-10 relative (both take the same decisions; round-off in the error
   norms moves the step sizes in their last digits: measured 1e-13).
3. 1 vs 2 ranks (l2): the same steps and f to 1e-8.
Same model as verification/50 (cubic N, eps = 1e-2, cosine rho0, gaussian Psi).
"""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from testlib import FUSED_CASE, Checker, ref, require_fhnk, run_fhnk, tmpdir  # noqa: E402

import numpy as np  # noqa: E402

require_fhnk()
c = Checker()
opts = dict(FUSED_CASE, ts_dt=0.01, ts_max_time=0.5, diag_dt=0.25)


def run(o, out, n=1):
    cp, _ = run_fhnk(o, out, n=n)
    f, at, _ = ref.read_checkpoint(ref.latest_checkpoint(out))
    m = re.search(r"after (\d+) steps", cp.stdout)
    return f, int(m.group(1)) if m else -1


with tmpdir() as tmp:
    fref, nref = run(dict(opts, ts_type="fhnkimex", ts_fhnkimex_type="3", ts_dt=2.5e-4), os.path.join(tmp, "ref"))
    scale = np.abs(fref).max()
    err, steps = {}, {}
    for tol in (1e-3, 1e-5):
        o = dict(opts, ts_type="fhnkimex", ts_fhnkimex_type="3", ts_adapt_type="basic", ts_rtol=tol, ts_atol=tol)
        f, steps[tol] = run(o, os.path.join(tmp, "a%g" % tol))
        err[tol] = np.abs(f - fref).max() / scale
        # the norm the controller works in (TSErrorWeightedNorm, 2-norm): RMS of the error over
        # atol + rtol max(|f|, |fref|); it bounds the local error of every step by 1
        wrms = np.sqrt(np.mean(((f - fref) / (tol + tol * np.maximum(np.abs(f), np.abs(fref)))) ** 2))
        print("tol %g: %d steps, max error %.3e of max f, weighted RMS error %.3f (reference: %d fixed steps)" % (
            tol, steps[tol], err[tol], wrms, nref))
        c.le(wrms, 10.0, "tableau 3, tol %g: global error against the fixed-step reference in the controller's weighted RMS norm" % tol)
    c.check(steps[1e-5] > steps[1e-3], "tighter tolerance, more steps (%d > %d)" % (steps[1e-5], steps[1e-3]))
    c.le(err[1e-5] / err[1e-3], 0.2, "error ratio tol 1e-5 / tol 1e-3")

    for tab in ("l2", "2e", "3"):
        res = {}
        for ts in ("fhnkimex", "arkimex"):
            o = dict(opts, ts_type=ts, ts_adapt_type="basic", ts_rtol=1e-4, ts_atol=1e-4)
            o["ts_%s_type" % ts] = tab
            res[ts] = run(o, os.path.join(tmp, "%s-%s" % (tab, ts)))
        (ff, nf), (fa, na) = res["fhnkimex"], res["arkimex"]
        c.check(nf == na and nf > 0, "%s: adaptive fused and stock take the same number of steps (%d, %d)" % (tab, nf, na))
        c.le(np.abs(ff - fa).max() / np.abs(fa).max(), 1e-10, "%s: adaptive fused vs stock, final f (relative to max f)" % tab)

    o = dict(opts, ts_type="fhnkimex", ts_fhnkimex_type="l2", ts_adapt_type="basic", ts_rtol=1e-4, ts_atol=1e-4)
    f1, n1 = run(o, os.path.join(tmp, "r1"), n=1)
    f2, n2 = run(o, os.path.join(tmp, "r2"), n=2)
    c.check(n1 == n2, "l2 adaptive: 1 and 2 ranks take the same number of steps (%d, %d)" % (n1, n2))
    c.le(np.abs(f1 - f2).max() / np.abs(f1).max(), 1e-8, "l2 adaptive: 1 vs 2 ranks, final f")
sys.exit(c.done())
