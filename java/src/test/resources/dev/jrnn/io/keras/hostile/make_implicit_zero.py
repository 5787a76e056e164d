"""implicit_zero.h5: a float32 dataset of 1,000 values in HDF5 1.10's implicit chunk index (layout message v4, index
type 2: libver="latest", fixed maximum dimensions, no filter, early allocation) in chunks of 10, its layout message's
chunk dimension then patched 10 -> 0 (and the object header's lookup3 checksum recomputed): a chunk of no values, which
no writer makes. For Hdf5ArraysTest: refused as damaged from the object header. The checksum code is
hdf5_checksum.py's.
Run from this folder: /usr/bin/python3 make_implicit_zero.py (h5py 3.7)
"""
import os

import h5py

from hdf5_checksum import rechecksum
import numpy as np

os.chdir(os.path.dirname(os.path.abspath(__file__)))
FN = "implicit_zero.h5"


with h5py.File(FN, "w", libver="latest") as f:
    dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
    dcpl.set_chunk((10,))
    dcpl.set_alloc_time(h5py.h5d.ALLOC_TIME_EARLY)
    ds = h5py.h5d.create(f.id, b"implicit_zero", h5py.h5t.IEEE_F32LE, h5py.h5s.create_simple((1000,), (1000,)), dcpl=dcpl)
    ds.write(h5py.h5s.ALL, h5py.h5s.ALL, np.arange(1000, dtype="f4"))
b = bytearray(open(FN, "rb").read())
# the layout message: version 4, chunked, flags, rank + 1 = 2, 1 byte per dimension, dimensions (10, 4 bytes), index
# type 2 (implicit)
layout = bytes([4, 2, 0, 2, 1, 10, 4, 2])
assert b.count(layout) == 1, b.count(layout)
at = b.index(layout)
b[at + 5] = 0
rechecksum(b, at)
open(FN, "wb").write(bytes(b))
print(FN, len(b), "bytes")
