"""Byte edits of k.weights.h5 (make_hostile.py) that HostileDatasetsTest makes the same way in Java, and what Keras
3.15.1 does with each (keras_says3.txt): the LSTM kernel layers/lstm/cell/vars/0, shape (3, 8), float32, contiguous,
in h5py's version-1 object header (no checksum), made
  unwritten: its layout message's data address (followed by its size, 96) set to HDF5's undefined address, all ones:
             a dataset created and never written, which h5py reads as its fill value (0 here)
  empty:     its version-1 dataspace message's first dimension (and maximum) 3 -> 0, and its layout's size 96 -> 0:
             shape (0, 8)
  scalar:    the same message's dimensionality 2 -> 0: shape ()
  unwritten_fill: unwritten, with fill value 0.05 (as h5py's create_dataset(fillvalue=0.05) sets it): its fill value
             message (version 2, HDF5's default, no value) made a NIL message, and the header's trailing NIL message
             (120 bytes) made a version-2 fill value message holding 0.05f (the rest of its 120 bytes zeros)
Run from this folder: KERAS_BACKEND=jax /tmp/jrnn-keras3/venv/bin/python make_patched.py
"""
import io
import os
import struct
import warnings

import h5py
import numpy as np

warnings.simplefilter("ignore")
import keras  # noqa: E402

os.chdir(os.path.dirname(os.path.abspath(__file__)))
raw = open("k.weights.h5", "rb").read()
x = np.load("x.npy")
with h5py.File(io.BytesIO(raw), "r") as f:
    ds = f["layers/lstm/cell/vars/0"]
    address, size = ds.id.get_offset(), ds.id.get_storage_size()
    header = h5py.h5o.get_info(ds.id).addr


def once(data, old, new):
    assert data.count(old) == 1, old
    return data.replace(old, new)


# dataspace v1: version 1, rank 2, flags, 5 reserved bytes, then the dimensions (and maxima when flags & 1)
dims = struct.pack("<QQ", 3, 8)
at = raw.index(dims) - 8
assert raw[at] == 1 and raw[at + 1] == 2, raw[at:at + 8]


def with_fill(data, value):
    """data with the kernel's fill value message moved to the trailing NIL message of its v1 object header, holding value"""
    data = bytearray(data)
    version, count, body = struct.unpack_from("<BxHxxxxI", data, header)
    at, fill, nil = header + 16, None, None
    for _ in range(count):   # each message: type, size, flags, 3 reserved, body
        kind, n = struct.unpack_from("<HH", data, at)
        fill = at if kind == 5 else fill
        nil = (at, n) if kind == 0 else nil
        at += 8 + n
    assert version == 1 and at == header + 16 + body and data[fill + 8:fill + 12] == b"\x02\x02\x02\x01", (fill, nil)
    data[fill:fill + 2] = b"\x00\x00"   # NIL
    data[fill + 4] = 0
    struct.pack_into("<HHBxxxBBBBIf", data, nil[0], 5, nil[1], 1, 2, 2, 2, 1, 4, value)
    return bytes(data)


edits = {
    "unwritten": once(raw, struct.pack("<QQ", address, size), b"\xff" * 8 + struct.pack("<Q", size)),
    "empty": once(raw, struct.pack("<QQ", address, size), struct.pack("<QQ", address, 0)).replace(
        dims, struct.pack("<QQ", 0, 8), 2 if raw[at + 2] & 1 else 1),
    "scalar": raw[:at + 1] + b"\x00" + raw[at + 2:],
}
edits["unwritten_fill"] = with_fill(edits["unwritten"], 0.05)
with open("keras_says3.txt", "w") as out:
    for name, data in edits.items():
        with open("/tmp/patched.weights.h5", "wb") as fh:
            fh.write(data)
        try:
            with h5py.File("/tmp/patched.weights.h5", "r") as f:
                print(name, "h5py reads", f["layers/lstm/cell/vars/0"][()].tolist(), file=out)
        except Exception as e:
            print(name, "h5py:", type(e).__name__ + ":", " ".join(str(e).split())[:300], file=out)
        model = keras.saving.load_model("k.keras")
        try:
            model.load_weights("/tmp/patched.weights.h5")
            y = model.predict(x, verbose=0)
            print(name, "loads, y =", y.ravel().tolist(), file=out)
        except Exception as e:
            print(name, type(e).__name__ + ":", " ".join(str(e).split())[:300], file=out)
os.remove("/tmp/patched.weights.h5")
