#!/usr/bin/python3
"""External stimulus I_ext(t, x) (issue 9) against independent references.

1. One point of K, no coupling, three periodic rectangular pulses: -model limit against the ODE
   V' = N(V) - W + I(t), W' = a V - b W + c integrated by scipy's DOP853 piecewise between the
   jumps of I (tools/fhnk_ref.py, written from docs/layout.md): |error| <= 1e-10 (the limit
   system is integrated to 1e-11 per step; a step that straddles a jump, or reuses a stage from
   before it, errs by ~1e-9 here).
2. A 2-D sheet with a Gaussian kernel and three pulses of the three shapes (disk, rect,
   gaussian), one of them repeating: the same reference with the dense Psi, 1 and 2 ranks.
3. The kinetic model sees the same stimulus: V^eps - V_lim (the limit companion of the same run)
   stays O(eps) through the pulses (<= 30 eps here), while the stimulus moves V by > 0.3 (a
   kinetic drift without I_ext would miss the limit by that much).
4. Bad -stim_* values are refused with one line naming the option, exit 1, nothing written.
"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from testlib import ENV, FHNK, Checker, ref, require_fhnk, run_fhnk, tmpdir  # noqa: E402

import numpy as np  # noqa: E402

require_fhnk()
c = Checker()
with tmpdir() as tmp:
    # 1. one point, pulses at t in [0.5, 0.8), [2.0, 2.3), [3.5, 3.8)
    opts = dict(model="limit", dim=1, nx=1, psi_type="none", N_coeffs="0,1,0,-0.3333333333333333",
                fhn_a=0.08, fhn_b=0.064, fhn_c=0.056, init="gaussian", init_V0=-1.199, init_V0_amp=0,
                init_W0=-0.624, init_W0_amp=0, stim_amp=1.5, stim_x=0.5, stim_radius=0.5,
                stim_onset=0.5, stim_duration=0.3, stim_period=1.5, stim_count=3,
                ts_max_time=6.0, diag_dt=0.1, quiet=True)
    out = os.path.join(tmp, "one")
    run_fhnk(opts, out)
    d = ref.read_diag(out)
    p = d["params"]
    V, W = ref.solve_limit(p, d["time"])
    e = max(np.abs(d["V"] - V).max(), np.abs(d["W"] - W).max())
    c.le(e, 1e-10, "one point, 3 pulses: max |(V,W) - ODE reference|")
    Vfree, _ = ref.solve_limit(ref.Params(**{k: v for k, v in d["attrs"].items() if not k.startswith("stim")}), d["time"])
    c.ge(np.abs(V - Vfree).max(), 0.5, "the pulses move V (reference with and without stimulus)")

    # 2. a 2-D sheet, three shapes
    opts = dict(model="limit", dim=2, nx=16, ny=12, Lx=1.0, Ly=0.75, psi_type="gaussian", psi_J=2.0,
                psi_sigma=0.15, rho0_type="cosine", rho0_amp=0.3, N_coeffs="0,1,0,-1", fhn_a=0.1,
                fhn_b=0.08, fhn_c=0.0, init="gaussian", init_V0=-0.2, init_V0_amp=0.2,
                stim_shape="disk,rect,gaussian", stim_amp="1.0,-0.8,2.0", stim_x="0.3,0.7,0.5",
                stim_y="0.3,0.4,0.6", stim_radius="0.2,0.15,0.1", stim_radius_y="0.2,0.3,0.1",
                stim_onset="0.2,0.5,0.1", stim_duration="0.5,0.4,0.2", stim_period="0,0,0.6",
                stim_count="1,1,3", ts_max_time=2.0, diag_dt=0.25, quiet=True)
    for n in (1, 2):
        out = os.path.join(tmp, "sheet%d" % n)
        run_fhnk(opts, out, n=n)
        d = ref.read_diag(out)
        p = d["params"]
        c.check(len(ref.stimuli(p)) == 3, "2-D: the stim_* attributes describe 3 pulses")
        V, W = ref.solve_limit(p, d["time"])
        e = max(np.abs(d["V"] - V).max(), np.abs(d["W"] - W).max())
        c.le(e, 1e-10, "2-D sheet, disk + rect + repeating gaussian, %d rank(s): max |(V,W) - reference|" % n)

    # 3. kinetic: the same stimulus as its limit companion
    kin = dict(model="kinetic", dim=1, nx=4, psi_type="gaussian", psi_J=1.0, psi_sigma=0.3,
               N_coeffs="0,1,0,-1", eps=1e-3, nv=160, vmin=-1.6, vmax=1.6, nw=24, wmin=-2.5,
               wmax=2.5, init="concentrated", init_V0=-0.3, init_V0_amp=0.2, init_var_w=0.25,
               stim_amp=1.5, stim_x=0.375, stim_radius=0.2, stim_onset=0.1, stim_duration=0.3,
               ts_dt=0.005, ts_max_time=0.8, diag_dt=0.1, quiet=True)
    out = os.path.join(tmp, "kin")
    run_fhnk(kin, out, n=2)
    d = ref.read_diag(out)
    gap = np.abs(d["V"] - d["limit/V"]).max()
    moved = np.abs(d["V"][:, :2] - d["V"][:, 2:]).max()
    c.le(gap, 30 * 1e-3, "kinetic eps=1e-3 with a pulse: max |V^eps - V_lim|")
    c.ge(moved, 0.3, "the stimulated points (x=0.125, 0.375) move away from the others")
    p = d["params"]
    Vr, _ = ref.solve_limit(p, d["time"])
    c.le(np.abs(d["limit/V"] - Vr).max(), 1e-8, "kinetic run's limit companion vs the reference with stimulus")

    # 4. bad values
    bad = [(["-stim_amp", "1", "-stim_radius", "0"], "-stim_radius"),
           (["-stim_amp", "1,2", "-stim_x", "0.1,0.2,0.3"], "-stim_x"),
           (["-stim_amp", "1", "-stim_shape", "star"], "-stim_shape"),
           (["-stim_amp", "1", "-stim_count", "3", "-stim_period", "0.1", "-stim_duration", "0.5"], "-stim_period"),
           (["-stim_amp", "nan"], "-stim_amp"),
           (["-stim_x", "0.3"], "-stim_amp"),
           (["-stim_amp", "1", "-stim_count", "2.5"], "-stim_count")]
    for args, opt in bad:
        o = os.path.join(tmp, "bad")
        cp = subprocess.run(["mpiexec", "-n", "1", FHNK, "-model", "limit", "-o", o] + args, env=ENV,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
        lines = [x for x in cp.stderr.splitlines() if x.startswith("fhnk:")]
        c.check(cp.returncode == 1 and any(opt in x for x in lines) and not os.path.exists(o),
                "%s: exit %d, message names %s, nothing written" % (" ".join(args), cp.returncode, opt))
c.done()
