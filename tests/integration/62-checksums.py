#!/usr/bin/python3
"""Checkpoints carry checksums, and a damaged one is never used silently (issue 11, item 5).

* 1000 random single-bit flips in the data of a checkpoint (the stored chunks of /f, /centre and
  /limit, located with HDF5's chunk index): every one is detected by reading the file with HDF5
  (the Fletcher32 filter fhnk writes on every dataset) - the same check fhnk's restart makes.
* 300 random single-bit flips anywhere in the file: either detected (metadata checksums of the
  1.10 format, or the data checksum), or the file still holds exactly the same data and
  attributes (a flip in unused bytes). None changes what a restart would read.
* Through fhnk, a bit of /f flipped (a value doubled, as 0.845 -> 1.690): -restart FILE is
  refused (exit 1, "damaged"); -restart latest is refused and names the newest intact checkpoint
  and -restart latest_valid; -restart latest_valid continues from it, renames the damaged newer
  one to *.superseded, and the run ends bitwise equal to an uninterrupted one.
"""
import glob
import os
import random
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from testlib import ENV, FHNK, Checker, require_fhnk, tmpdir  # noqa: E402

import h5py  # noqa: E402
import numpy as np  # noqa: E402

require_fhnk()
c = Checker()
rng = random.Random(20261129)
B = ["-nx", "4", "-nv", "32", "-nw", "16", "-ts_dt", "0.005", "-quiet", "-strict", "-checkpoint_dt", "0.01", "-diag_dt", "0.005"]


def run(args, n=2):
    return subprocess.run(["mpiexec", "--oversubscribe", "-n", str(n), FHNK] + args, env=ENV,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, timeout=120)


def content(path):
    """every dataset and attribute of a file (raises on any read error)"""
    out = {}
    with h5py.File(path, "r") as h:
        for k, v in h.attrs.items():
            out["@" + k] = np.asarray(v).tobytes()
        h.visititems(lambda n, o: out.__setitem__(n, o[()].tobytes()) if isinstance(o, h5py.Dataset) else None)
    return out


def data_ranges(path):
    """byte ranges of the stored chunks of every dataset"""
    ranges = []
    with h5py.File(path, "r") as h:
        for name in ("f", "centre", "limit"):
            d = h[name]
            for i in range(d.id.get_num_chunks()):
                info = d.id.get_chunk_info(i)
                ranges.append((info.byte_offset, info.size))
    return ranges


def flipped(raw, bit):
    b = bytearray(raw)
    b[bit // 8] ^= 1 << (bit % 8)
    return bytes(b)


with tmpdir() as tmp:
    d = os.path.join(tmp, "run")
    cp = run(B + ["-ts_max_time", "0.03", "-o", d])
    cks = sorted(glob.glob(os.path.join(d, "checkpoint-*.h5")))
    c.check(cp.returncode == 0 and len(cks) == 2, "a run with 2 checkpoints")
    ck = cks[-1]
    with open(ck, "rb") as f:
        raw = f.read()
    ref = content(ck)
    ranges = data_ranges(ck)
    total = sum(s for _, s in ranges)
    print("checkpoint %s: %d bytes, %d chunks holding %d bytes of data" % (os.path.basename(ck), len(raw), len(ranges), total))
    probe = os.path.join(tmp, "probe.h5")

    def detected(data):
        with open(probe, "wb") as f:
            f.write(data)
        try:
            got = content(probe)
        except Exception:
            return True, None
        return False, got

    # data flips
    caught = 0
    for _ in range(1000):
        off, size = ranges[rng.randrange(len(ranges))] if rng.random() < 0.5 else rng.choices(ranges, weights=[s for _, s in ranges])[0]
        bit = 8 * (off + rng.randrange(size)) + rng.randrange(8)
        det, _ = detected(flipped(raw, bit))
        caught += det
    c.check(caught == 1000, "1000 single-bit flips in the checkpoint's data: %d detected" % caught)

    # flips anywhere
    det_n = harmless = harmful = 0
    for _ in range(300):
        det, got = detected(flipped(raw, rng.randrange(8 * len(raw))))
        if det:
            det_n += 1
        elif got == ref:
            harmless += 1
        else:
            harmful += 1
    c.check(harmful == 0, "300 flips anywhere in the file: %d detected, %d in unused bytes (same data and attributes), %d undetected changes" % (det_n, harmless, harmful))

    # through fhnk: a value of /f doubled in the newest checkpoint
    work = os.path.join(tmp, "work")
    shutil.copytree(d, work)
    bad = os.path.join(work, os.path.basename(ck))
    with h5py.File(bad, "r") as h:
        fv = h["f"][()]
        i = int(np.argmax(fv.reshape(-1) > 0.5))
        off = h["f"].id.get_chunk_info(0).byte_offset
    # the exponent's lowest bit (bit 52 of the double) doubles the value
    b = bytearray(raw)
    pos = off + 8 * i + 6
    b[pos] ^= 0x10
    with open(bad, "wb") as f:
        f.write(bytes(b))
    cp = run(B + ["-ts_max_time", "0.05", "-o", work, "-restart", bad])
    err = [x for x in cp.stderr.splitlines() if x.startswith("fhnk:")]
    c.check(cp.returncode == 1 and any("damaged" in x for x in err), "-restart FILE with a doubled value in /f: refused: %s" % err[:1])
    cp = run(B + ["-ts_max_time", "0.05", "-o", work, "-restart", "latest"])
    err = [x for x in cp.stderr.splitlines() if x.startswith("fhnk:")]
    c.check(cp.returncode == 1 and any("latest_valid" in x and os.path.basename(cks[0]) in x for x in err),
            "-restart latest: refused, names %s and -restart latest_valid: %s" % (os.path.basename(cks[0]), err[:1]))
    cp = run(B + ["-ts_max_time", "0.05", "-o", work, "-restart", "latest_valid"])
    c.check(cp.returncode == 0 and os.path.exists(bad + ".superseded"), "-restart latest_valid: exit %d, continued from the intact one, damaged one renamed *.superseded" % cp.returncode)
    refd = os.path.join(tmp, "ref")
    run(B + ["-ts_max_time", "0.05", "-o", refd])
    a, bb = content(os.path.join(refd, "diagnostics.h5")), content(os.path.join(work, "diagnostics.h5"))
    same = all(a[k] == bb[k] for k in a if not k.startswith("@") and not k.startswith("xdmf")) and set(a) == set(bb)
    fa = content(sorted(glob.glob(os.path.join(refd, "checkpoint-*.h5")))[-1])["f"]
    fb = content(sorted(glob.glob(os.path.join(work, "checkpoint-*.h5")))[-1])["f"]
    c.check(same and fa == fb, "the continued run equals an uninterrupted one bitwise (series and final f)")
c.done()
