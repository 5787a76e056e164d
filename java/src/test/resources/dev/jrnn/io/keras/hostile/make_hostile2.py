"""More hostile and damaged Keras files (corruptfix review round), edited from make_hostile.py's k.keras /
k.weights.h5 / k.h5, and what Keras 3.15.1 says of each (appended to keras_says2.txt).

Run from this folder after make_hostile.py: KERAS_BACKEND=jax /tmp/jrnn-keras3/venv/bin/python make_hostile2.py
"""
import io
import os
import shutil
import struct
import warnings
import zipfile
import zlib

import h5py
import numpy as np

warnings.simplefilter("ignore")
import keras  # noqa: E402

os.chdir(os.path.dirname(os.path.abspath(__file__)))
x = np.load("x.npy")


def deep(dst, depth):
    """k.weights.h5 plus an unused chain /junk/a/a/... whose deepest group is `depth` levels below the root."""
    shutil.copy("k.weights.h5", dst)
    with h5py.File(dst, "r+") as f:
        g = f.create_group("junk")
        for _ in range(depth - 1):
            g = g.create_group("a")


deep("deep64.weights.h5", 64)
deep("deep65.weights.h5", 65)

# a virtual dataset in place of the LSTM kernel, its data from secret.h5:/k
shutil.copy("k.weights.h5", "vds.weights.h5")
with h5py.File("vds.weights.h5", "r+") as f:
    p = "layers/lstm/cell/vars/0"
    shape = f[p].shape
    del f[p]
    lay = h5py.VirtualLayout(shape=shape, dtype="f4")
    lay[:] = h5py.VirtualSource("secret.h5", "k", shape=(3, 8))
    f.create_virtual_dataset(p, lay, fillvalue=0)

zin = zipfile.ZipFile("k.keras")
members = [(i.filename, zin.read(i.filename)) for i in zin.infolist()]
bio = io.BytesIO(dict(members)["model.weights.h5"])
with h5py.File(bio, "r+") as h:
    h["layers/dense/vars/0"][...] = 2 * h["layers/dense/vars/0"][()]
doubled = bio.getvalue()
when = (2026, 1, 1, 0, 0, 0)

# a second model.weights.h5 named "model.weights.h5\0x": Python's zipfile cuts the name at the NUL
out = io.BytesIO()
with zipfile.ZipFile(out, "w") as z:
    for n, d in members:
        z.writestr(zipfile.ZipInfo(n, when), d)
    z.writestr(zipfile.ZipInfo("model.weights.h5Zx", when), doubled)
open("nul_dup.keras", "wb").write(out.getvalue().replace(b"model.weights.h5Zx", b"model.weights.h5\x00x"))

# a second model.weights.h5 whose Info-ZIP Unicode Path extra field (0x7075) names it "zz" (commons-compress reads that)
with zipfile.ZipFile("upath_dup.keras", "w") as z:
    for n, d in members:
        z.writestr(zipfile.ZipInfo(n, when), d)
    zi = zipfile.ZipInfo("model.weights.h5", when)
    body = struct.pack("<BI", 1, zlib.crc32(b"model.weights.h5")) + b"zz"
    zi.extra = struct.pack("<HH", 0x7075, len(body)) + body
    z.writestr(zi, doubled)

# model.weights.h5 deflated, one byte of its weights changed after its CRC-32 was computed
with zipfile.ZipFile("crc_deflated.keras", "w") as z:
    for n, d in members:
        zi = zipfile.ZipInfo(n, when)
        zi.compress_type = zipfile.ZIP_DEFLATED
        if n == "model.weights.h5":
            d = bytearray(d)
            at = d.index(np.asarray(h5py.File(io.BytesIO(d))["layers/dense/vars/0"][()]).tobytes())
            crc = zlib.crc32(bytes(d))
            d[at] ^= 0x40
            z.writestr(zi, bytes(d))
            bad = crc
        else:
            z.writestr(zi, d)
raw = bytearray(open("crc_deflated.keras", "rb").read())
info = zipfile.ZipFile("crc_deflated.keras").getinfo("model.weights.h5")
good = struct.pack("<I", info.CRC)
raw = raw.replace(good, struct.pack("<I", bad))   # local header and central directory: the CRC of the unflipped bytes
open("crc_deflated.keras", "wb").write(bytes(raw))

# k.h5 whose model_config (a variable-length string in a global heap) points to a collection claiming 0x7FFFFFF0 bytes
b = bytearray(open("k.h5", "rb").read())
at = b.index(b"GCOL")
b[at + 8:at + 16] = struct.pack("<Q", 0x7FFFFFF0)
open("heap_huge.h5", "wb").write(bytes(b))
# the same, its model_config attribute's type turned from a variable-length string into a variable-length sequence of
# uint8 (the class bits of the vlen type, 17 bytes past the start of the attribute's name): a reader must not fetch that sequence's
# heap collection either
at = b.index(b"model_config\0") + 17
assert b[at] == 1
b[at] = 0
open("heap_seq.h5", "wb").write(bytes(b))

with open("keras_says2.txt", "w") as out:
    for f in ["nul_dup.keras", "upath_dup.keras", "crc_deflated.keras", "heap_huge.h5", "heap_seq.h5"]:
        try:
            m = keras.saving.load_model(f, compile=False)
            out.write(f"{f}: loads, max |y - y.npy| = {float(np.abs(m.predict(x, verbose=0) - np.load('y.npy')).max()):.6g}\n")
        except Exception as e:
            out.write(f"{f}: {type(e).__name__}: {' '.join(str(e).split())[:220]}\n")
    for f in ["deep64.weights.h5", "deep65.weights.h5", "vds.weights.h5"]:
        m = keras.saving.load_model("k.keras", compile=False)
        try:
            m.load_weights(f)
            out.write(f"{f}: loads, max |y - y.npy| = {float(np.abs(m.predict(x, verbose=0) - np.load('y.npy')).max()):.6g}\n")
        except Exception as e:
            out.write(f"{f}: {type(e).__name__}: {' '.join(str(e).split())[:220]}\n")
