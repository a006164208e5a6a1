#!/usr/bin/python3
"""tools/plot writes non-empty PNGs: 1-D run (checkpoint source, and a snapshots.h5 built from
the checkpoint in the layout of the snapshots contract), 2-D run (maps of V), bad dir -> exit 1."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from testlib import ENV, ROOT, Checker, ref, require_fhnk, run_fhnk, tmpdir  # noqa: E402

import numpy as np  # noqa: E402

require_fhnk()
c = Checker()
PLOT = os.path.join(ROOT, "tools", "plot")
SMALL = dict(eps=0.02, N_coeffs="0,1,0,-1", nv=48, nw=12, vmin=-0.5, vmax=1.8, ts_dt=0.005,
             ts_max_time=0.1, diag_dt=0.02, init_V0=0.7, init_V0_amp=0.2)


def plot(args, expect):
    cmd = [PLOT] + args
    print("$ " + " ".join(cmd), flush=True)
    cp = subprocess.run(cmd, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                        universal_newlines=True)
    print(cp.stdout, flush=True)
    c.check(cp.returncode == 0, "tools/plot %s exit %d" % (" ".join(args[:1]), cp.returncode))
    for name in expect:
        fn = os.path.join(args[args.index("--out") + 1], name)
        ok = os.path.isfile(fn) and os.path.getsize(fn) > 1000
        if ok:
            with open(fn, "rb") as fh:
                ok = fh.read(8) == b"\x89PNG\r\n\x1a\n"
        c.check(ok, "%s is a non-empty PNG" % fn)


with tmpdir() as tmp:
    d1 = os.path.join(tmp, "run1d")
    run_fhnk(dict(SMALL, nx=4), d1, n=2)
    plot([d1, "--out", os.path.join(tmp, "p1")],
         ["density.png", "marginal.png", "spacetime.png", "limit.png"])
    plot([d1, "--out", os.path.join(tmp, "p1b"), "--point", "3", "--points", "0,3",
          "--which", "marginal,limit"], ["marginal.png", "limit.png"])
    # snapshots.h5 as in the contract: /snapshot_NNNN/f [nsel, nw, nv], attrs time, points
    f, at, p = ref.read_checkpoint(ref.latest_checkpoint(d1))
    with ref.h5py.File(os.path.join(d1, "snapshots.h5"), "w") as h:
        for k, (t, pts) in enumerate(((0.05, [1, 2]), (0.1, [2, 3]))):
            g = h.create_group("snapshot_%04d" % k)
            g.create_dataset("f", data=f[pts])
            g.attrs["time"] = t
            g.attrs["points"] = np.array(pts)
    plot([d1, "--out", os.path.join(tmp, "p1s"), "--point", "1", "--time", "0.1",
          "--which", "density,marginal"], ["density.png", "marginal.png"])
    d2 = os.path.join(tmp, "run2d")
    run_fhnk(dict(SMALL, dim=2, nx=3, ny=2), d2, n=2)
    plot([d2, "--out", os.path.join(tmp, "p2"), "--times", "0,0.1"],
         ["density.png", "marginal.png", "spacetime.png", "limit.png"])
    cp = subprocess.run([PLOT, os.path.join(tmp, "nonexistent"), "--out", os.path.join(tmp, "p3")],
                        env=ENV, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True)
    c.check(cp.returncode == 1, "missing run dir: exit %d == 1 (%s)" % (cp.returncode, cp.stdout.strip()[-100:]))
c.done()
