#!/usr/bin/python3
"""Results are never lost, mixed or silently corrupted (issue 11, items 1-4, 6-8, 10).

Each case failed on fhnk 0.2 (git 34d7584) and must pass now; 2 ranks unless said otherwise.
 1. kill -9 (and an error abort) before the first checkpoint: diagnostics.h5 opens and holds
    the samples written so far; a new run is refused with a message saying what to do;
    -restart latest says there is no checkpoint of the run.
 2. Restart of run Y's checkpoint into run X's DIR: refused, X's files unchanged (bytes).
 3. Checkpoints of an earlier run in a DIR without diagnostics.h5: a new run is refused; with
    -overwrite they are removed, the new run's checkpoints are kept and -restart latest resumes
    the new run (no zero rows).
 4. A refused restart (-moments_q not in the run) changes no file.
 6. A second run into a DIR a running job is writing (with -overwrite): refused ("in use");
    the running job finishes with a consistent series. Two runs started together into an empty
    DIR: one runs, the other is refused; every checkpoint and the series carry the winner's id.
    A lock left by a kill -9'ed run does not block the next run.
 7. -overwrite replaces every output: snapshots.h5 holds only the new run's groups and carries
    its run identity and parameters.
 8. Checkpoints of 1-D runs with nx > 2048 on 2 and 3 ranks, and of a 7 x 5 sheet on 3 ranks,
    load again (restart to one step later, exit 0; f equal to the uninterrupted run).
10. -ts_max_steps N ends the run: exit 0 within a few seconds, one line saying so, a checkpoint
    at step N; -restart latest with a larger N continues to T.
"""
import glob
import hashlib
import os
import shutil
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
B = ["-nx", "4", "-nv", "32", "-nw", "16", "-ts_max_time", "0.02", "-ts_dt", "0.005", "-quiet", "-strict"]


def cmd(args, n=2):
    return ["mpiexec", "--oversubscribe", "-n", str(n), FHNK] + args


def run(args, n=2, timeout=120):
    cp = subprocess.run(cmd(args, n), env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                        universal_newlines=True, timeout=timeout)
    return cp


def errlines(cp):
    return [x for x in cp.stderr.splitlines() if x.startswith("fhnk:")]


def digest(d):
    """name -> sha1 of every file of a directory (hidden ones too)"""
    out = {}
    for p in sorted(glob.glob(os.path.join(d, "*")) + glob.glob(os.path.join(d, ".*"))):
        if os.path.isfile(p):
            with open(p, "rb") as f:
                out[os.path.basename(p)] = hashlib.sha1(f.read()).hexdigest()
    return out


def series_ok(path):
    """diagnostics.h5 opens; every series has the same number of rows; time increases"""
    with h5py.File(path, "r") as h:
        nt = h["time"].shape[0]
        t = h["time"][()]
        lens = {k: h[k].shape[0] for k in ("V", "W", "limit/V", "limit/W") if k in h}
        return nt, bool(np.all(np.diff(t) > 0)) and all(v == nt for v in lens.values()), str(h.attrs["run_id"])


def run_id(path):
    with h5py.File(path, "r") as h:
        return str(h.attrs["run_id"].decode() if isinstance(h.attrs["run_id"], bytes) else h.attrs["run_id"])


def start(args, n=2):
    return subprocess.Popen(cmd(args, n), env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            universal_newlines=True, start_new_session=True)


def session(p):
    """every process of the session started for p (Open MPI puts each rank in its own process
    group, so killing the group of mpiexec would leave the ranks running)"""
    out = subprocess.run(["ps", "-eo", "pid=,sid="], stdout=subprocess.PIPE, universal_newlines=True).stdout
    return [int(a) for a, b in (line.split() for line in out.splitlines()) if int(b) == p.pid]


def kill9(p):
    for pid in session(p):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    p.wait()
    for _ in range(100):
        if not session(p):
            break
        time.sleep(0.05)


with tmpdir() as tmp:
    # ---- 1. early abort
    d = os.path.join(tmp, "early")
    p = start(B[:-6] + ["-ts_max_time", "100", "-ts_dt", "0.005", "-diag_dt", "0.005", "-quiet", "-strict",
                        "-nv", "64", "-nw", "48", "-o", d])
    t0 = time.time()
    while time.time() - t0 < 20:
        time.sleep(0.2)
        if os.path.exists(os.path.join(d, "diagnostics.h5")) and time.time() - t0 > 1.5:
            break
    kill9(p)
    try:
        nt, consistent, rid = series_ok(os.path.join(d, "diagnostics.h5"))
        c.check(nt >= 1 and consistent, "1. kill -9 before the first checkpoint: diagnostics.h5 opens, %d consistent samples" % nt)
    except Exception as e:
        c.check(False, "1. kill -9 before the first checkpoint: diagnostics.h5 unreadable (%s)" % e)
    cp = run(B + ["-o", d])
    c.check(cp.returncode == 1 and any("-overwrite" in x for x in errlines(cp)), "1. a new run in that DIR is refused and told about -overwrite: %s" % errlines(cp)[:1])
    cp = run(B + ["-o", d, "-restart", "latest"])
    c.check(cp.returncode == 1 and any("no checkpoint" in x for x in errlines(cp)), "1. -restart latest says there is no checkpoint of the run: %s" % errlines(cp)[:1])
    cp = run(B + ["-o", d, "-overwrite"])
    c.check(cp.returncode == 0, "1. -overwrite starts afresh there")
    d = os.path.join(tmp, "nan")
    cp = run(["-nx", "4", "-nv", "32", "-nw", "16", "-eps", "1e-3", "-ts_type", "euler", "-ts_dt", "0.01",
              "-ts_max_time", "1", "-diag_dt", "0.01", "-quiet", "-strict", "-o", d])
    try:
        nt, consistent, rid = series_ok(os.path.join(d, "diagnostics.h5"))
        c.check(cp.returncode != 0 and nt >= 1 and consistent, "1. error abort (NaN, exit %d): diagnostics.h5 opens, %d consistent samples" % (cp.returncode, nt))
    except Exception as e:
        c.check(False, "1. error abort: diagnostics.h5 unreadable (%s)" % e)
    # a finite blow-up (explicit transport at Courant ~ 70: f of either sign, 1e3-1e5 times its
    # start) is stopped at the sample that sees it, not written as numbers
    d = os.path.join(tmp, "blowup")
    spiral = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "petsc-options", "spiral.opts")
    cp = run(["-options_file", spiral, "-dim", "1", "-nx", "32", "-ts_max_time", "40", "-quiet", "-o", d], n=1)
    try:
        with h5py.File(os.path.join(d, "diagnostics.h5"), "r") as h:
            nt = h["time"].shape[0]
            fmin = np.array(h["fmin"][:nt])
        told = any("blown up" in x and "-ts_dt" in x for x in errlines(cp))
        c.check(cp.returncode == 1 and told and nt >= 1 and np.all(fmin > -1e-3),
                "1. a finite blow-up stops the run (exit %d, told: %s) before it is written (%d samples, fmin >= %.3g)" % (cp.returncode, told, nt, fmin.min()))
    except Exception as e:
        c.check(False, "1. blow-up: diagnostics.h5 unreadable (%s)" % e)

    # ---- 2. restart into another run's DIR
    X, Y = os.path.join(tmp, "mixX"), os.path.join(tmp, "mixY")
    run(B + ["-eps", "0.02", "-o", X])
    run(B + ["-eps", "0.01", "-o", Y])
    before = digest(X)
    ck = sorted(glob.glob(os.path.join(Y, "checkpoint-*.h5")))[-1]
    cp = run(B + ["-eps", "0.01", "-ts_max_time", "0.04", "-restart", ck, "-o", X])
    c.check(cp.returncode == 1 and any("another run" in x for x in errlines(cp)), "2. restart of Y's checkpoint into X's DIR refused: %s" % errlines(cp)[:1])
    c.check(digest(X) == before, "2. X's files unchanged (bytes)")

    # ---- 3. checkpoints of an earlier run, no diagnostics.h5
    Z, D3 = os.path.join(tmp, "z"), os.path.join(tmp, "rot")
    run(B + ["-ts_max_time", "0.1", "-checkpoint_dt", "0.02", "-o", Z])
    os.makedirs(D3)
    for f in sorted(glob.glob(os.path.join(Z, "checkpoint-*.h5")))[-2:]:
        shutil.copy(f, os.path.join(D3, os.path.basename(f).replace("checkpoint-0000", "checkpoint-0006")))
    cp = run(B + ["-checkpoint_dt", "0.005", "-o", D3])
    c.check(cp.returncode == 1 and any("checkpoint" in x and "-overwrite" in x for x in errlines(cp)), "3. a new run in a DIR with checkpoints of another run is refused: %s" % errlines(cp)[:1])
    cp = run(B + ["-checkpoint_dt", "0.005", "-o", D3, "-overwrite"])
    cks = sorted(glob.glob(os.path.join(D3, "checkpoint-*.h5")))
    mine = run_id(os.path.join(D3, "diagnostics.h5"))
    c.check(cp.returncode == 0 and len(cks) == 2 and all(run_id(f) == mine for f in cks), "3. with -overwrite: the new run's 2 newest checkpoints kept (%s)" % [os.path.basename(f) for f in cks])
    cp = run(B + ["-checkpoint_dt", "0.005", "-ts_max_time", "0.04", "-o", D3, "-restart", "latest"])
    with h5py.File(os.path.join(D3, "diagnostics.h5"), "r") as h:
        V = h["V"][()]
        t = h["time"][()]
    c.check(cp.returncode == 0 and "checkpoint-000004" in cp.stdout and np.all(np.abs(V).sum(axis=1) > 0) and abs(t[-1] - 0.04) < 1e-12,
            "3. -restart latest resumes the new run (step 4, no zero rows, t up to %g)" % t[-1])

    # ---- 4. a refused restart changes nothing
    M = os.path.join(tmp, "ckM")
    run(B + ["-o", M, "-diag_dt", "0.005", "-checkpoint_dt", "0.01"])
    before = digest(M)
    ck = sorted(glob.glob(os.path.join(M, "checkpoint-*.h5")))[0]
    cp = run(B + ["-o", M, "-restart", ck, "-moments_q", "3"])
    c.check(cp.returncode == 1 and any("-moments_q" in x for x in errlines(cp)), "4. restart with -moments_q of no series refused: %s" % errlines(cp)[:1])
    c.check(digest(M) == before, "4. no file of DIR changed (bytes)")

    # ---- 6. concurrent writers
    D6 = os.path.join(tmp, "busy")
    small = ["-nx", "4", "-nv", "48", "-nw", "24", "-ts_dt", "0.005", "-diag_dt", "0.05", "-quiet", "-strict"]
    long_args = ["-nx", "8", "-nv", "256", "-nw", "128", "-ts_max_time", "6", "-ts_dt", "0.005", "-diag_dt", "0.05", "-quiet", "-strict"]
    pA = start(long_args + ["-o", D6])
    time.sleep(1.5)
    cp = run(long_args + ["-o", D6, "-overwrite", "-eps", "0.02"])
    c.check(cp.returncode == 1 and any("in use" in x for x in errlines(cp)), "6. -overwrite into a DIR a running job writes: refused: %s" % errlines(cp)[:1])
    outA, errA = pA.communicate(timeout=300)
    nt, consistent, rid = series_ok(os.path.join(D6, "diagnostics.h5"))
    with h5py.File(os.path.join(D6, "diagnostics.h5"), "r") as h:
        eps = float(h.attrs["eps"][0])
    c.check(pA.returncode == 0 and consistent and nt == 121 and eps == 1e-2, "6. the running job finished: %d samples, time increasing, eps %g" % (nt, eps))
    for trial in range(3):
        D = os.path.join(tmp, "race%d" % trial)
        ps = [start(small + ["-ts_max_time", "0.3", "-checkpoint_dt", "0.05", "-o", D]) for _ in range(2)]
        rc = [q.wait(timeout=300) for q in ps]
        errs = [q.stderr.read() for q in ps]
        ids = {run_id(f) for f in glob.glob(os.path.join(D, "checkpoint-*.h5"))}
        left = [f for f in os.listdir(D) if f.endswith(".tmp")]
        c.check(sorted(rc) == [0, 1] and ids == {run_id(os.path.join(D, "diagnostics.h5"))} and not left,
                "6. two runs started together (trial %d): exits %s, checkpoints of one run only, no .tmp left %s" % (trial, rc, [e.strip()[:90] for e in errs if e.strip()]))
    D = os.path.join(tmp, "stale")
    p = start(long_args + ["-checkpoint_dt", "0.05", "-o", D])
    time.sleep(2.5)
    kill9(p)
    cp = run(long_args[:6] + ["-ts_max_time", "6"] + long_args[8:] + ["-o", D, "-restart", "latest"])
    c.check(cp.returncode == 0, "6. the lock of a kill -9'ed run does not block the next one (exit %d %s)" % (cp.returncode, errlines(cp)[:1]))

    # ---- 7. -overwrite replaces snapshots
    D7 = os.path.join(tmp, "snap")
    run(B + ["-o", D7, "-snapshot_times", "0,0.01"])
    cp = run(B + ["-o", D7, "-overwrite", "-snapshot_times", "0.005"])
    with h5py.File(os.path.join(D7, "snapshots.h5"), "r") as h:
        groups = sorted(h.keys())
        sid = h.attrs.get("run_id")
        sid = sid.decode() if isinstance(sid, bytes) else sid
        has_eps = "eps" in h.attrs and "nv" in h.attrs
    c.check(cp.returncode == 0 and groups == ["snapshot_0000"] and sid == run_id(os.path.join(D7, "diagnostics.h5")) and has_eps,
            "7. after -overwrite snapshots.h5 holds %s, run id of the new run, parameters" % groups)

    # ---- 8. checkpoints of every size that runs
    for n, args in ((2, ["-nx", "4096"]), (3, ["-nx", "3000"]), (3, ["-dim", "2", "-nx", "7", "-ny", "5"])):
        d = os.path.join(tmp, "big%d-%s" % (n, args[-1]))
        base = args + ["-nv", "8", "-nw", "8", "-psi_type", "none", "-ts_dt", "0.005", "-quiet", "-strict", "-diag_dt", "0"]
        cp = run(base + ["-ts_max_time", "0.01", "-o", d], n=n)
        ok = cp.returncode == 0 and len(glob.glob(os.path.join(d, "checkpoint-*.h5"))) == 1
        cp2 = run(base + ["-ts_max_time", "0.015", "-o", d, "-restart", "latest"], n=n)
        ref = d + "-ref"
        cp3 = run(base + ["-ts_max_time", "0.015", "-o", ref], n=n)
        with h5py.File(sorted(glob.glob(os.path.join(d, "checkpoint-*.h5")))[-1], "r") as a, \
                h5py.File(sorted(glob.glob(os.path.join(ref, "checkpoint-*.h5")))[-1], "r") as b:
            same = np.array_equal(a["f"][()], b["f"][()])
        c.check(ok and cp2.returncode == 0 and cp3.returncode == 0 and same,
                "8. %s on %d ranks: checkpoint written, restart one step later equals the uninterrupted run bitwise" % (" ".join(args), n))

    # ---- 10. -ts_max_steps
    D10 = os.path.join(tmp, "maxsteps")
    t0 = time.time()
    try:
        cp = run(B + ["-ts_max_time", "1", "-ts_max_steps", "5", "-o", D10], timeout=60)
        dt = time.time() - t0
        cks = sorted(glob.glob(os.path.join(D10, "checkpoint-*.h5")))
        c.check(cp.returncode == 0 and "-ts_max_steps" in cp.stdout and cks and cks[-1].endswith("checkpoint-000005.h5") and dt < 30,
                "10. -ts_max_steps 5: exit %d after %.1f s, says so, checkpoint %s" % (cp.returncode, dt, os.path.basename(cks[-1]) if cks else None))
    except subprocess.TimeoutExpired:
        subprocess.run(["pkill", "-9", "-f", D10])
        c.check(False, "10. -ts_max_steps 5 still running after 60 s")
    cp = run(B + ["-ts_max_time", "0.1", "-ts_max_steps", "100", "-o", D10, "-restart", "latest"])
    with h5py.File(os.path.join(D10, "diagnostics.h5"), "r") as h:
        tl = h["time"][-1]
    c.check(cp.returncode == 0 and abs(tl - 0.1) < 1e-12, "10. -restart latest with a larger -ts_max_steps continues to T (t = %g)" % tl)
    # a job killed between its final checkpoint and its exit is resubmitted: -restart latest of a
    # finished run (its newest checkpoint at T) does nothing, says so, exits 0, changes no byte
    before = digest(D10)
    cp = run(B + ["-ts_max_time", "0.1", "-ts_max_steps", "100", "-o", D10, "-restart", "latest"])
    after = digest(D10)
    c.check(cp.returncode == 0 and "already reached" in cp.stdout and before == after,
            "10. -restart latest of a finished run: exit %d, says it is finished: %s, no byte changed: %s" % (cp.returncode, "already reached" in cp.stdout, before == after))
c.done()
