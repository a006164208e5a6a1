#!/usr/bin/python3
"""Checkpoint / restart (SPEC 5: "-restart FILE continues from one, on any number of ranks";
docs/layout.md: exit 75 after SIGTERM/SIGUSR1 with a checkpoint written).

1. A straight run on 2 ranks to T = 0.6 writing checkpoints every 0.2.
2. Restart from its t = 0.2 checkpoint on 1 rank, (a) into a fresh DIR and (b) in a copy of
   the original DIR, to the same T: the final state and the diagnostics at T must equal the
   straight run's to 1e-12 (the same arithmetic on each point; only Psi reduction order may
   differ), and the diagnostics time series must be the straight run's.
   On the same number of ranks, for every fused tableau (and with adaptive steps), the restart is
   bit for bit.
3. A long run on 1 rank gets SIGTERM after ~1.5 s: exit 75 and a checkpoint in DIR; then
   "-restart latest" in the same DIR finishes with exit 0 at T.
"""
import glob
import os
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from testlib import (ENV, FHNK, Checker, fmt_opts, ref, require_fhnk, run_fhnk,  # noqa: E402
                     tmpdir)

import numpy as np  # noqa: E402

require_fhnk()
c = Checker()
opts = dict(eps=1e-2, N_coeffs="0,1,0,-1", fhn_a=0.1, fhn_b=0.08, fhn_c=0.0, dim=1, nx=4,
            Lx=1.0, rho0_type="cosine", rho0_amp=0.3, psi_type="gaussian", psi_J=1.0,
            psi_sigma=0.3, nv=32, vmin=-2.0, vmax=2.0, nw=16, wmin=-1.5, wmax=1.5,
            init="gaussian", init_V0=0.5, init_V0_amp=0.3, init_W0=0.0, init_W0_amp=0.1,
            init_var_v=0.05, init_var_w=0.1, ts_dt=0.01, ts_max_time=0.6, diag_dt=0.1,
            checkpoint_dt=0.2, checkpoint_keep=10)
with tmpdir() as tmp:
    A = os.path.join(tmp, "A")
    run_fhnk(opts, A, n=2)
    cks = sorted(glob.glob(os.path.join(A, "checkpoint-*.h5")))
    print("checkpoints:", [os.path.basename(x) for x in cks])
    c1 = os.path.join(A, "checkpoint-000020.h5")
    c.check(os.path.exists(c1), "checkpoint at step 20 (t = 0.2) written")
    dA = ref.read_diag(A)
    fA, atA, p = ref.read_checkpoint(ref.latest_checkpoint(A))
    if os.path.exists(c1):
        # 2a. into a fresh DIR (SPEC 5: -restart FILE continues from one)
        B = os.path.join(tmp, "B")
        cp, _ = run_fhnk(dict(opts, restart=c1), B, n=1, check=False)
        if cp.returncode:
            print(cp.stdout[-1500:] + cp.stderr[-3000:])
        c.check(cp.returncode == 0, "restart from FILE into a fresh -o DIR: exit %d" % cp.returncode)
        # 2b. in a copy of the original DIR (the job-script usage)
        B2 = os.path.join(tmp, "B2")
        shutil.copytree(A, B2)
        cp2, _ = run_fhnk(dict(opts, restart=os.path.join(B2, "checkpoint-000020.h5")), B2,
                          n=1, check=False)
        c.check(cp2.returncode == 0, "restart from FILE in (a copy of) its own DIR: exit %d"
                % cp2.returncode)
        for tag, D, ok in (("fresh DIR", B, cp.returncode == 0),
                           ("same DIR", B2, cp2.returncode == 0)):
            if not ok:
                print(cp.stdout[-1000:] if D == B else cp2.stdout[-1000:])
                continue
            dB = ref.read_diag(D)
            fB, atB, _ = ref.read_checkpoint(ref.latest_checkpoint(D))
            c.le(abs(float(ref._scalar(atB["time"])) - 0.6), 1e-9, "%s: restarted run reaches T" % tag)
            c.le(np.abs(fA - fB).max() / np.abs(fA).max(), 1e-12,
                 "%s: final f, restart on 1 rank == straight run on 2 ranks" % tag)
            c.check(dB["time"].shape == dA["time"].shape and
                    np.allclose(dB["time"], dA["time"], rtol=0, atol=1e-12),
                    "%s: diagnostics times after restart %s == straight run's %s" % (
                        tag, dB["time"], dA["time"]))
            iA = int(np.argmin(np.abs(dA["time"] - 0.6)))
            iB = int(np.argmin(np.abs(dB["time"] - 0.6)))
            for k in ("V", "W", "D2", "Sww", "limit/V"):
                if k in dB:
                    c.le(np.abs(dA[k][iA] - dB[k][iB]).max(), 1e-12, "%s: diagnostics %s at T"
                         % (tag, k))

    # 2c. on the same number of ranks a restart continues bit for bit, for every fused tableau:
    # the stepper keeps the w-line sums of u from step to step (the stage centres need them) and
    # makes them afresh after a restart, in the same order of summation
    # (adaptive steps too: the checkpoint carries the step the controller chose next)
    for tab in ("l2", "2e", "3", "euler", "3 adaptive"):
        o = dict(opts, ts_type="fhnkimex", ts_fhnkimex_type=tab.split()[0])
        if "adaptive" in tab:
            o.update(ts_adapt_type="basic", ts_rtol=1e-4, ts_atol=1e-4)
        S = os.path.join(tmp, "S-" + tab.replace(" ", "-"))
        run_fhnk(o, S, n=1)
        R = os.path.join(tmp, "R-" + tab.replace(" ", "-"))
        ck = sorted(glob.glob(os.path.join(S, "checkpoint-*.h5")))[0]  # the t = 0.2 one
        cp3, _ = run_fhnk(dict(o, restart=ck), R, n=1, check=False)
        c.check(cp3.returncode == 0, "%s: restart on 1 rank: exit %d" % (tab, cp3.returncode))
        if cp3.returncode == 0:
            fS, _, _ = ref.read_checkpoint(ref.latest_checkpoint(S))
            fR, _, _ = ref.read_checkpoint(ref.latest_checkpoint(R))
            c.check(np.array_equal(fS, fR), "%s: restart on the same ranks == straight run, bit for bit (max diff %.3g)"
                    % (tab, np.abs(fS - fR).max()))

    # 3. SIGTERM -> exit 75 with a checkpoint, then -restart latest
    C = os.path.join(tmp, "C")
    long = dict(opts, nv=256, nw=128, nx=4, ts_dt=1e-3, ts_max_time=50.0, diag_dt=1.0,
                checkpoint_dt=0, checkpoint_keep=2, progress_interval=0)
    cmd = [FHNK] + fmt_opts(long) + ["-o", C, "-strict", "-overwrite"]
    print("$ " + " ".join(cmd))
    pr = subprocess.Popen(cmd, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True)
    time.sleep(1.5)
    pr.send_signal(signal.SIGTERM)
    t_sig = time.time()
    try:
        out, _ = pr.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        pr.kill()
        out, _ = pr.communicate()
    t_exit = time.time() - t_sig
    nsig = out.count("signal received")
    print(out[:1500])
    print("...")
    print(out[-800:])
    c.check(pr.returncode == 75, "SIGTERM: exit status 75 (got %s)" % pr.returncode)
    # one step of this problem takes ~10 ms: stopping must not wait for the next diagnostic
    # sample or the end of the run (a batch system kills the job soon after its signal)
    c.le(t_exit, 3.0, "SIGTERM: seconds from signal to exit")
    c.check(nsig == 1, "SIGTERM: one checkpoint-and-stop message (got %d)" % nsig)
    cks = sorted(glob.glob(os.path.join(C, "checkpoint-*.h5")))
    c.check(len(cks) > 0, "SIGTERM: a checkpoint was written")
    if pr.returncode == 75 and cks:
        f, at, _ = ref.read_checkpoint(cks[-1])
        t_stop = float(ref._scalar(at["time"]))
        print("stopped at t = %g (step %s)" % (t_stop, ref._scalar(at["step"])))
        short = dict(long, ts_max_time=round(t_stop + 0.05, 6), restart="latest")
        run_fhnk(short, C, n=2, overwrite=False)
        f2, at2, _ = ref.read_checkpoint(ref.latest_checkpoint(C))
        c.le(abs(float(ref._scalar(at2["time"])) - short["ts_max_time"]), 1e-9,
             "-restart latest continues to the new T")
        c.le(abs(ref.moments(p.__class__.from_attrs(at2), f2)["mass"].sum() *
                 ref.cell_volume(ref.Params.from_attrs(at2)) - 1), 1e-12,
             "mass after stop + restart")
c.done()
