#!/usr/bin/python3
"""-model network as a program (issue 10): ranks, restarts, signals, bad input, histograms.

* A 7 x 5 sheet (stimulus, Gaussian kernel), 2 x 10^5 neurons: 1, 2 and 3 ranks give bitwise the
  same diagnostics.h5 (every series) and the same final neurons (checkpoint /network/v, /w).
* Restart: a run stopped at a checkpoint and continued (on 3 ranks, then 1 rank from a 2-rank
  checkpoint) ends bitwise equal to the uninterrupted run.
* SIGTERM: checkpoint, exit 75; -restart latest finishes; the result is bitwise the same.
* Bad input: -network_m 0 and -network_seed -1 are refused (exit 1, one line naming the option,
  nothing written); a checkpoint of another -network_m or -network_seed is refused.
* -network_hist: snapshots.h5 holds the (v,w) histograms of the snapshot columns, with the mass of
  rho0 (all neurons inside the box) and the column mean of v.
"""
import glob
import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from testlib import ENV, FHNK, Checker, require_fhnk, tmpdir  # noqa: E402

import h5py  # noqa: E402
import numpy as np  # noqa: E402

require_fhnk()
c = Checker()
O = ["-model", "network", "-dim", "2", "-nx", "7", "-ny", "5", "-network_m", "200000", "-ts_dt", "0.01",
     "-diag_dt", "0.1", "-psi_sigma", "0.2", "-stim_amp", "1", "-stim_x", "0.3", "-stim_y", "0.4",
     "-stim_radius", "0.25", "-stim_onset", "0.2", "-stim_duration", "0.3", "-quiet", "-strict"]


def run(args, n=1):
    return subprocess.run(["mpiexec", "--oversubscribe", "-n", str(n), FHNK] + args, env=ENV,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, timeout=300)


def content(d):
    out = {}
    with h5py.File(os.path.join(d, "diagnostics.h5"), "r") as h:
        h.visititems(lambda n, o: out.__setitem__(n, o[()]) if isinstance(o, h5py.Dataset) else None)
    with h5py.File(sorted(glob.glob(os.path.join(d, "checkpoint-*.h5")))[-1], "r") as h:
        out["final v"], out["final w"] = h["network/v"][()], h["network/w"][()]
    return out


def same(a, b):
    bad = [k for k in set(a) | set(b) if k not in a or k not in b or not np.array_equal(a[k], b[k])]
    return not bad, bad


with tmpdir() as tmp:
    ref = os.path.join(tmp, "ref1")
    runs = {}
    for n in (1, 2, 3):
        d = os.path.join(tmp, "np%d" % n)
        cp = run(O + ["-ts_max_time", "1", "-checkpoint_dt", "0.5", "-o", d], n)
        c.check(cp.returncode == 0, "%d rank(s): exit %d" % (n, cp.returncode))
        runs[n] = content(d)
    for n in (2, 3):
        ok, bad = same(runs[1], runs[n])
        c.check(ok, "1 and %d ranks bitwise identical (%d datasets and the final neurons)%s" % (n, len(runs[1]), " DIFFER: %s" % bad if bad else ""))

    # restart: from the 3-rank run's checkpoint at t = 0.5 on 1 rank; from the 2-rank one on 3 ranks
    for src, n in ((3, 1), (2, 3)):
        d = os.path.join(tmp, "np%d" % src)
        cp = run(O + ["-ts_max_time", "1", "-checkpoint_dt", "0.5", "-o", d, "-restart", os.path.join(d, "checkpoint-000050.h5")], n)
        ok, bad = same(runs[1], content(d))
        c.check(cp.returncode == 0 and ok, "a %d-rank checkpoint at t = 0.5 continued on %d rank(s): bitwise equal to the uninterrupted run%s" % (src, n, " DIFFER: %s" % bad if bad else ""))

    # SIGTERM
    d = os.path.join(tmp, "sig")
    p = subprocess.Popen(["mpiexec", "--oversubscribe", "-n", "2", FHNK] + O + ["-ts_max_time", "20", "-network_m", "2000000", "-o", d],
                         env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, start_new_session=True)
    for _ in range(200):
        if os.path.exists(os.path.join(d, "diagnostics.h5")):
            break
        time.sleep(0.05)
    time.sleep(1.0)
    ranks = subprocess.run(["ps", "-eo", "pid=,sid=,comm="], stdout=subprocess.PIPE, universal_newlines=True).stdout
    for line in ranks.splitlines():
        pid, sid, comm = line.split()[:3]
        if int(sid) == p.pid and comm == "fhnk":
            os.kill(int(pid), signal.SIGTERM)
    out, err = p.communicate(timeout=120)
    ck = sorted(glob.glob(os.path.join(d, "checkpoint-*.h5")))
    c.check(p.returncode == 75 and ck, "SIGTERM: exit %d, checkpoint %s" % (p.returncode, os.path.basename(ck[-1]) if ck else None))
    with h5py.File(ck[-1], "r") as h:
        t_stop = float(h.attrs["time"][0])
    T2 = "%.2f" % (t_stop + 0.2)
    cp = run(O + ["-ts_max_time", T2, "-network_m", "2000000", "-o", d, "-restart", "latest"], 2)
    r2 = os.path.join(tmp, "sigref")
    cp2 = run(O + ["-ts_max_time", T2, "-network_m", "2000000", "-o", r2], 2)
    ok, bad = same(content(r2), content(d))
    c.check(cp.returncode == 0 and cp2.returncode == 0 and ok, "-restart latest after SIGTERM (t = %g) to T = %s: bitwise equal to the uninterrupted run%s" % (t_stop, T2, " DIFFER: %s" % bad if bad else ""))

    # bad input
    for args, opt in ((["-network_m", "0"], "-network_m"), (["-network_seed", "-1"], "-network_seed"),
                      (["-network_m", "abc"], "-network_m")):
        o = os.path.join(tmp, "bad")
        cp = run(O + ["-ts_max_time", "0.1", "-o", o] + args)
        lines = [x for x in cp.stderr.splitlines() if x.startswith("fhnk:")]
        c.check(cp.returncode == 1 and any(opt in x for x in lines) and not os.path.exists(o),
                "%s: exit %d, names %s, nothing written" % (" ".join(args), cp.returncode, opt))
    d = os.path.join(tmp, "np1")
    for args, what in ((["-network_m", "300000"], "network_m"), (["-network_seed", "5"], "network_seed")):
        cp = run(O + ["-ts_max_time", "2", "-o", d, "-restart", "latest"] + args)
        lines = [x for x in cp.stderr.splitlines() if x.startswith("fhnk:")]
        c.check(cp.returncode == 1 and any(what in x for x in cp.stderr.splitlines()), "restart with another %s: refused: %s" % (what, lines[:1]))

    # histograms
    d = os.path.join(tmp, "hist")
    cp = run(O + ["-ts_max_time", "0.5", "-network_hist", "-snapshot_times", "0,0.5", "-snapshot_points", "0,17",
                  "-nv", "64", "-nw", "32", "-vmin", "-3", "-vmax", "3", "-wmin", "-4", "-wmax", "4", "-o", d])
    with h5py.File(os.path.join(d, "snapshots.h5"), "r") as s, h5py.File(os.path.join(d, "diagnostics.h5"), "r") as g:
        f = s["snapshot_0001/f"][()]
        dv, dw = 6.0 / 64, 8.0 / 32
        v = -3 + (np.arange(64) + 0.5) * dv
        mass = f.sum(axis=(1, 2)) * dv * dw
        rho = g["rho0"][()][[0, 17]]
        Vh = (f.sum(axis=1) * v[None, :]).sum(axis=1) * dv * dw / mass
        Vd = g["V"][-1][[0, 17]]
    c.check(cp.returncode == 0 and np.allclose(mass, rho, rtol=1e-12) and np.all(np.abs(Vh - Vd) < dv),
            "-network_hist: histograms with the mass of rho0 (%s vs %s), means within a v-cell of V (%s vs %s)" % (mass, rho, Vh, Vd))
c.done()
