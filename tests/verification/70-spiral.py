#!/usr/bin/python3
"""Spiral smoke test: the spiral scenario (petsc-options/spiral.opts) on a reduced sheet, limit model.

Same cell, same kernel in cells and the same coupling felt (Psi*rho0 = 12) as spiral.opts, on a
quarter of its sheet: K = [0, 0.5]^2 with 128 x 128 points (dx = 1/256 and sigma = 1/600 as in
spiral.opts; rho0 = 4, so psi_J 3). S1 is the same strip along the left edge; the S2 block
(x <= 0.1, y <= 0.3125) puts the tip circle of spiral.opts' size (radius 48 cells) near the
middle of this sheet, and fires at t = 53, 21 after the S1 front passed x = 0.1 (close to
the left edge the S1 tail recovers sooner than at x = 0.3: 24.5 later, as in spiral.opts,
the S2 wave would follow S1 and no spiral would form).
Measured: tip circle centre (0.242, 0.267), radius 0.184 [0.166, 0.192], 0.97 turns in
[75, 600], period 539.3 from the tip, clockwise, never closer than 0.043 to the edge; the wave
itself is cut by the walls, the tip survives (the arms of a second turn would be, too).
Asserted: a tip in every sample from t = 80 on, at least 0.8 turns by t = 600, period
552 +- 10% (spiral.opts, limit model: 551.7), radius 0.19 +- 0.03 (spiral.opts: 0.189), never
closer than 0.02 (5 cells) to the edge, clockwise. About 10 s on 2 ranks.
"""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from testlib import ENV, ROOT, Checker, require_fhnk, run_fhnk, tmpdir  # noqa: E402

require_fhnk()
c = Checker()
OPTS = ["-options_file", os.path.join(ROOT, "petsc-options", "spiral.opts"), "-model", "limit",
        "-nx", "128", "-ny", "128", "-Lx", "0.5", "-Ly", "0.5", "-psi_J", "3",
        "-stim_x", "0,0.05", "-stim_y", "0.25,0.15625", "-stim_radius", "0.02,0.05",
        "-stim_radius_y", "0.25,0.15625", "-stim_onset", "0,53", "-ts_max_time", "600",
        "-diag_dt", "5", "-quiet"]

with tmpdir() as tmp:
    d = os.path.join(tmp, "spiral")
    _, secs = run_fhnk(OPTS, d, n=2)
    c.le(secs, 60.0, "wall seconds of the reduced spiral run")
    js = os.path.join(tmp, "spiral.json")
    cmd = [os.path.join(ROOT, "tools", "spiral"), d, "--out", os.path.join(tmp, "an"), "--json", js]
    print("$ " + " ".join(cmd), flush=True)
    cp = subprocess.run(cmd, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                        universal_newlines=True)
    print(cp.stdout, flush=True)
    c.check(cp.returncode == 0, "tools/spiral exit %d" % cp.returncode)
    r = json.load(open(js))
    tip = r["fields"]["V"]["tip"]
    per_sample = r["fields"]["V"]["tip_per_sample"]
    after = [s for s in per_sample if s[0] >= 80]
    c.check(all(s[1] is not None for s in after),
            "a tip in every sample from t = 80 on (%d of %d)" % (sum(s[1] is not None for s in after), len(after)))
    c.ge(abs(tip.get("turns", 0.0)), 0.8, "tip turns by t = 600")
    c.check("period" in tip and abs(tip["period"] - 552.0) <= 0.1 * 552.0,
            "period from the tip %s within 552 +- 10%%" % tip.get("period"))
    c.check(abs(tip.get("radius_mean", 0) - 0.19) <= 0.03,
            "tip circle radius %.3f within 0.19 +- 0.03" % tip.get("radius_mean", float("nan")))
    c.ge(tip.get("edge_distance_min", -1.0), 0.02, "smallest distance of the tip to the edge of K")
    c.check(tip.get("sense") == "clockwise", "the spiral turns clockwise (%s)" % tip.get("sense"))
c.done()
