"""Hostile and damaged Keras files for jrnn's refusal tests (HostileKerasFilesTest), each a small real Keras 3.15.1
save (Sequential: Input (4, 3), LSTM(2), Dense(1)) edited with h5py or zipfile, and what Keras 3.15.1 itself says
when it loads each one (written to keras_says.txt, the reference the tests' expectations follow).

Run from this folder: KERAS_BACKEND=jax /tmp/jrnn-keras3/venv/bin/python make_hostile.py
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
keras.utils.set_random_seed(7)
model = keras.Sequential([keras.Input((4, 3)), keras.layers.LSTM(2, name="lstm"), keras.layers.Dense(1, name="dense")])
model.save("k.keras")
model.save("k.h5")
model.save_weights("k.weights.h5")
x = np.linspace(-1, 1, 2 * 4 * 3, dtype="float32").reshape(2, 4, 3)
np.save("x.npy", x)
np.save("y.npy", model.predict(x, verbose=0))

LEGACY_KERNEL = "model_weights/lstm/sequential/lstm/lstm_cell/kernel"
V3_KERNEL = "layers/lstm/cell/vars/0"

# another HDF5 file on the machine, which an external link would read into the model
with h5py.File("secret.h5", "w") as g:
    g["k"] = np.full((3, 8), 0.25, "f4")


def edit(src, dst, fn):
    shutil.copy(src, dst)
    with h5py.File(dst, "r+") as f:
        fn(f)


def ext_link(path, target="secret.h5"):
    def fn(f):
        del f[path]
        f[path] = h5py.ExternalLink(target, "/k")
    return fn


def soft_link(path):
    def fn(f):
        f["stash/k"] = f[path][()]
        del f[path]
        f[path] = h5py.SoftLink("/stash/k")
    return fn


def external_storage(path, raw):
    def fn(f):
        data = f[path][()]
        del f[path]
        data.tofile(raw)
        f.create_dataset(path, data.shape, data.dtype, external=[(raw, 0, h5py.h5f.UNLIMITED)])
    return fn


edit("k.h5", "ext_link.h5", ext_link(LEGACY_KERNEL))
edit("k.h5", "ext_fifo.h5", ext_link(LEGACY_KERNEL, "fifo.h5"))   # the test makes fifo.h5 a FIFO beside a copy
edit("k.h5", "soft_link.h5", soft_link(LEGACY_KERNEL))
edit("k.weights.h5", "ext_link.weights.h5", ext_link(V3_KERNEL))
edit("k.weights.h5", "soft_link.weights.h5", soft_link(V3_KERNEL))
edit("k.weights.h5", "external.weights.h5", external_storage(V3_KERNEL, "external_raw.bin"))


def soft_group(f):   # the dense layer's group a soft link to a copy of it
    f.copy("layers/dense", "stash_dense")
    del f["layers/dense"]
    f["layers/dense"] = h5py.SoftLink("/stash_dense")


edit("k.weights.h5", "soft_group.weights.h5", soft_group)

zin = zipfile.ZipFile("k.keras")
members = [(i, zin.read(i.filename)) for i in zin.infolist()]


def rezip(dst, weights_edit=None, extra=(), method=zipfile.ZIP_STORED):
    with zipfile.ZipFile(dst, "w") as out:
        for info, data in members:
            if info.filename == "model.weights.h5" and weights_edit is not None:
                bio = io.BytesIO(data)
                with h5py.File(bio, "r+") as h:
                    weights_edit(h)
                data = bio.getvalue()
            zi = zipfile.ZipInfo(info.filename, date_time=(2026, 1, 1, 0, 0, 0))
            zi.compress_type = method
            out.writestr(zi, data)
        for name, data in extra:
            zi = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            zi.compress_type = method
            out.writestr(zi, data)


rezip("ext_link.keras", ext_link(V3_KERNEL))


def doubled_dense(h):
    h["layers/dense/vars/0"][...] = 2 * h["layers/dense/vars/0"][()]


# model.weights.h5 twice: the original, then one with the dense kernel doubled (Python's zipfile reads the last)
members_by_name = {i.filename: d for i, d in members}
bio = io.BytesIO(members_by_name["model.weights.h5"])
with h5py.File(bio, "r+") as h:
    doubled_dense(h)
rezip("dup_member.keras", extra=[("model.weights.h5", bio.getvalue())])

# one exponent bit of the dense kernel's [0, 0] flipped inside the stored model.weights.h5, the CRC left as it was
rezip("stored.keras")
z = zipfile.ZipFile("stored.keras")
info = z.getinfo("model.weights.h5")
with h5py.File(io.BytesIO(z.read("model.weights.h5")), "r") as h:
    off = h["layers/dense/vars/0"].id.get_offset()
b = bytearray(open("stored.keras", "rb").read())
start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
b[start + off + 3] ^= 0x40
open("crc_weights.keras", "wb").write(bytes(b))

# a deflated .keras whose config.json's recorded CRC-32 (local header and central directory) is off by one
rezip("deflated.keras", method=zipfile.ZIP_DEFLATED)
z = zipfile.ZipFile("deflated.keras")
info = z.getinfo("config.json")
b = bytearray(open("deflated.keras", "rb").read())
bad = struct.pack("<I", (info.CRC ^ 1) & 0xFFFFFFFF)
b[info.header_offset + 14:info.header_offset + 18] = bad
at = 0
while True:
    at = b.find(b"PK\x01\x02", at)
    if at < 0:
        break
    n = struct.unpack("<H", b[at + 28:at + 30])[0]
    if b[at + 46:at + 46 + n] == b"config.json":
        b[at + 16:at + 20] = bad
    at += 4
open("crc_config.keras", "wb").write(bytes(b))
os.remove("stored.keras")
os.remove("deflated.keras")

# what Keras 3.15.1 says of each
with open("keras_says.txt", "w") as out:
    for f in ["ext_link.h5", "ext_fifo.h5", "soft_link.h5", "ext_link.keras", "dup_member.keras", "crc_weights.keras",
              "crc_config.keras"]:
        if f == "ext_fifo.h5":
            out.write(f"{f}: not loaded here (the link's target would be a FIFO); same refusal as ext_link.h5\n")
            continue
        try:
            m = keras.saving.load_model(f, compile=False)
            out.write(f"{f}: loads, max |y - y.npy| = {float(np.abs(m.predict(x, verbose=0) - np.load('y.npy')).max()):.6g}\n")
        except Exception as e:
            out.write(f"{f}: {type(e).__name__}: {' '.join(str(e).split())[:220]}\n")
    for f in ["ext_link.weights.h5", "soft_link.weights.h5", "external.weights.h5", "soft_group.weights.h5"]:
        m = keras.saving.load_model("k.keras", compile=False)
        try:
            m.load_weights(f)
            out.write(f"{f}: loads\n")
        except Exception as e:
            out.write(f"{f}: {type(e).__name__}: {' '.join(str(e).split())[:220]}\n")


# datasets refused with what is wrong with them: a bool kernel (h5py stores an HDF5 enum) and one with a null dataspace
def replace_kernel(data):
    def fn(f):
        del f[V3_KERNEL]
        f[V3_KERNEL] = data
    return fn


edit("k.weights.h5", "bool.weights.h5", replace_kernel(np.ones((3, 8), bool)))
edit("k.weights.h5", "null_space.weights.h5", replace_kernel(h5py.Empty("f4")))
