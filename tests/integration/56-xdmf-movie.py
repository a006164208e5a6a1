#!/usr/bin/python3
"""DIR/diagnostics.xmf read back with meshio, and tools/movie.

(a) A 1-D kinetic run (nx 6) and a 2-D one (5 x 4), 2 ranks: meshio.xdmf.TimeSeriesReader reads
    diagnostics.xmf; the cell centres (mean of each cell's nodes) equal /x to 4 ulp, the cells are
    in natural order, every attribute of every step equals its dataset of diagnostics.h5 bit for
    bit (limit_V -> /limit/V, coupling_Q -> /coupling/Q), the attributes include V, W, D2, Svw,
    Sww, E, limit_V, limit_W, coupling_Q, and the Time values equal /time.
(b) After -restart latest with a larger -ts_max_time (1-D on 2 ranks, 2-D on 1 rank), the XDMF
    describes all samples (old and new) and (a) holds again.
(c) tools/movie: an MP4 whose frame count (ffprobe -count_frames) equals the number of samples,
    1-D and 2-D; with an ffmpeg that lacks libx264 it encodes mpeg4; with ffmpeg not on PATH it
    writes one PNG per sample and says so; missing DIR, DIR without diagnostics.h5 and an unknown
    field exit 1 with one line.
Skips (77) without meshio; without ffmpeg/ffprobe only (a) and (b) run.
"""
import glob
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from testlib import ENV, ROOT, Checker, require_fhnk, run_fhnk, skip, tmpdir  # noqa: E402

import h5py  # noqa: E402
import numpy as np  # noqa: E402

try:
    import meshio
    import meshio.xdmf  # noqa: F401
except ImportError:
    skip("meshio not installed (apt-get install python3-meshio, or tools/install-deps)")

require_fhnk()
c = Checker()
MOVIE = os.path.join(ROOT, "tools", "movie")
BASE = dict(model="kinetic", nv=32, nw=16, ts_dt=0.005, diag_dt=0.05, ts_max_time=0.2)
RUNS = {"1d": dict(BASE, nx=6), "2d": dict(BASE, dim=2, nx=5, ny=4)}
EXPECTED = {"V", "W", "D2", "Svw", "Sww", "E", "limit_V", "limit_W", "coupling_Q"}


def h5name(h, name):
    """XDMF attribute name -> dataset of diagnostics.h5 ('limit_V' -> 'limit/V')."""
    if name in h:
        return name
    if "_" in name:
        alt = name.replace("_", "/", 1)
        if alt in h:
            return alt
    return None


def check_xdmf(d, what):
    fn = os.path.join(d, "diagnostics.xmf")
    with h5py.File(os.path.join(d, "diagnostics.h5"), "r") as h:
        x = h["x"][()]
        t = h["time"][()]
        npts, dim = x.shape
        r = meshio.xdmf.TimeSeriesReader(fn)
        pts, cells = r.read_points_cells()
        c.check(len(cells) == 1 and cells[0].data.shape[0] == npts,
                "%s: one cell block of %d cells (%s)" % (what, npts, [(b.type, b.data.shape) for b in cells]))
        centres = pts[cells[0].data].mean(axis=1)[:, :dim]
        L = np.abs(x).max()
        err = np.abs(centres - x).max()
        c.check(err <= 4 * np.finfo(float).eps * L,
                "%s: cell centres == /x (natural order) to 4 ulp: max diff %.2e" % (what, err))
        if dim == 1:
            c.check(np.all(pts[:, 1:] == 0), "%s: 1-D nodes on the x axis" % what)
        c.check(r.num_steps == len(t), "%s: %d XDMF steps == %d samples of /time" % (what, r.num_steps, len(t)))
        nbad, nval, names = 0, 0, set()
        times = []
        for k in range(r.num_steps):
            tk, pdata, cdata = r.read_data(k)
            times.append(tk)
            for name, blocks in cdata.items():
                names.add(name)
                ds = h5name(h, name)
                if ds is None:
                    nbad += 1
                    print("  step %d: attribute %s has no dataset in diagnostics.h5" % (k, name))
                    continue
                ref = h[ds][k]
                got = np.asarray(blocks[0])
                nval += got.size
                if got.shape != ref.shape or not np.array_equal(got, ref):
                    nbad += 1
                    print("  step %d: %s differs from /%s (max %.3g)" % (
                        k, name, ds, np.abs(got - ref).max() if got.shape == ref.shape else np.inf))
        c.check(nbad == 0 and nval > 0,
                "%s: every attribute of every step == its dataset bit for bit (%d values, %d mismatches)"
                % (what, nval, nbad))
        c.check(EXPECTED <= names, "%s: attributes %s include %s" % (what, sorted(names), sorted(EXPECTED)))
        c.check(np.array_equal(np.asarray(times, dtype=float), t),
                "%s: Time values == /time (%s)" % (what, np.asarray(times)))
        return len(t)


def movie(args, env=None):
    cmd = [MOVIE] + args
    print("$ " + " ".join(cmd), flush=True)
    cp = subprocess.run(cmd, env=env or ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                        universal_newlines=True, timeout=600)
    print(cp.stdout + cp.stderr, flush=True)
    return cp


def probe(fn, entry):
    cp = subprocess.run(["ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0",
                         "-show_entries", "stream=" + entry, "-of", "csv=p=0", fn],
                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True)
    return cp.stdout.strip()


with tmpdir() as tmp:
    nsamples = {}
    # (a) fresh runs
    for key, opts in RUNS.items():
        d = os.path.join(tmp, key)
        run_fhnk(opts, d, n=2)
        n0 = check_xdmf(d, "%s fresh" % key)
        c.check(n0 == 5, "%s: 5 samples (t = 0 .. 0.2 by 0.05): %d" % (key, n0))
    # (b) restart with a larger T (1-D on 2 ranks, 2-D on 1 rank)
    for key, opts in RUNS.items():
        d = os.path.join(tmp, key)
        run_fhnk(dict(opts, ts_max_time=0.35, restart="latest"), d, n=2 if key == "1d" else 1,
                 overwrite=False)
        nsamples[key] = check_xdmf(d, "%s after restart" % key)
        c.check(nsamples[key] == 8, "%s: 8 samples after the restart to 0.35: %d" % (key, nsamples[key]))

    # (c) tools/movie
    if shutil.which("ffmpeg") is None or shutil.which("ffprobe") is None:
        print("part (c) not run: ffmpeg/ffprobe not on PATH (tools/install-deps installs ffmpeg)")
        c.done()
    for key in RUNS:
        d = os.path.join(tmp, key)
        out = os.path.join(tmp, "%s.mp4" % key)
        cp = movie([d, "-o", out, "--fps", "5"])
        c.check(cp.returncode == 0, "movie %s: exit %d" % (key, cp.returncode))
        size = os.path.getsize(out) if os.path.isfile(out) else 0
        c.check(size > 1000, "movie %s: %s is not empty (%d bytes)" % (key, out, size))
        nf = probe(out, "nb_read_frames")
        c.check(nf == str(nsamples[key]), "movie %s: ffprobe counts %s frames == %d samples" % (key, nf, nsamples[key]))
    # default name, another field
    cp = movie([os.path.join(tmp, "2d"), "--field", "limit/W"])
    fn = os.path.join(tmp, "2d", "limit-W.mp4")
    c.check(cp.returncode == 0 and os.path.isfile(fn) and probe(fn, "nb_read_frames") == "8",
            "movie --field limit/W -> DIR/limit-W.mp4 with 8 frames")
    # an ffmpeg without libx264: mpeg4
    fake = os.path.join(tmp, "fakebin")
    os.makedirs(fake)
    with open(os.path.join(fake, "ffmpeg"), "w") as f:
        f.write("#!/bin/sh\n# an ffmpeg build without libx264\n"
                "for a in \"$@\"; do [ \"$a\" = -encoders ] && { echo ' V..... mpeg4  MPEG-4 part 2'; exit 0; }; "
                "[ \"$a\" = libx264 ] && { echo 'Unknown encoder libx264' >&2; exit 1; }; done\n"
                "exec %s \"$@\"\n" % shutil.which("ffmpeg"))
    os.chmod(os.path.join(fake, "ffmpeg"), 0o755)
    env = dict(ENV, PATH=fake + os.pathsep + ENV.get("PATH", ""))
    out = os.path.join(tmp, "1d-mpeg4.mp4")
    cp = movie([os.path.join(tmp, "1d"), "-o", out], env=env)
    codec = probe(out, "codec_name") if os.path.isfile(out) else ""
    c.check(cp.returncode == 0 and codec == "mpeg4" and probe(out, "nb_read_frames") == "8",
            "movie without libx264: exit %d, codec %s (mpeg4), 8 frames" % (cp.returncode, codec))
    # ffmpeg not on PATH: PNG frames
    nopath = os.path.join(tmp, "emptybin")
    os.makedirs(nopath)
    env = dict(ENV, PATH=nopath)
    out = os.path.join(tmp, "nof.mp4")
    cp = movie([os.path.join(tmp, "2d"), "-o", out], env=env)
    frames = sorted(glob.glob(os.path.join(tmp, "nof-frames", "frame-*.png")))
    ok = len(frames) == 8 and all(open(f, "rb").read(8) == b"\x89PNG\r\n\x1a\n" for f in frames)
    c.check(cp.returncode == 0 and ok and not os.path.exists(out) and "ffmpeg" in cp.stdout,
            "no ffmpeg on PATH: exit %d, %d PNG frames in nof-frames/, no MP4, says so" % (cp.returncode, len(frames)))
    # bad input: exit 1, one line
    os.makedirs(os.path.join(tmp, "empty"))
    for args, what in (([os.path.join(tmp, "missing")], "missing DIR"),
                       ([os.path.join(tmp, "empty")], "DIR without diagnostics.h5"),
                       ([os.path.join(tmp, "1d"), "--field", "nosuch"], "unknown field")):
        cp = movie(args)
        lines = [l for l in (cp.stdout + cp.stderr).splitlines() if l.strip()]
        c.check(cp.returncode == 1 and len(lines) == 1,
                "%s: exit %d == 1, %d line(s): %s" % (what, cp.returncode, len(lines), lines[:1]))
c.done()
