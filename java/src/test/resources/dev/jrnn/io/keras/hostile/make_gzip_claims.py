"""gzip_claims.h5: two gzip-compressed chunked datasets of zeros, one chunk each (h5py 3, libver "earliest" as Keras
writes: layout v3, B-tree v1 chunk index). Hdf5ArraysTest reads them. Run from this folder:
/usr/bin/python3 make_gzip_claims.py

  small        (12000,) float32, chunks (12000,): 48,000 bytes of zeros stored in 69; honest, read as zeros
  claims_huge  written as (12345,) float32, chunks (12345,), then its dataspace and chunk dimensions patched to
               400,000,000: 1.6 GB claimed by one chunk of 71 bytes, which deflate cannot expand past 1032 times
               that. jhdf allocated the 1.6 GB before inflating the chunk; h5py 3.7 (HDF5 1.10.8) reads the first values
               and crashes reading the last (a segmentation fault on [-3:], printed below)
"""
import struct
import subprocess
import sys

import numpy as np
import h5py

HUGE = 400_000_000
with h5py.File("gzip_claims.h5", "w", libver="earliest") as f:
    f.create_dataset("small", data=np.zeros(12000, "f4"), chunks=(12000,), compression="gzip")
    f.create_dataset("claims_huge", data=np.zeros(12345, "f4"), chunks=(12345,), compression="gzip")
b = bytearray(open("gzip_claims.h5", "rb").read())
space = struct.pack("<QQ", 12345, 12345)   # dataspace v1: the dimension, then its maximum
layout = struct.pack("<II", 12345, 4)        # layout v3: the chunk's dimension, then the element size
assert b.count(space) == 1 and b.count(layout) == 1, (b.count(space), b.count(layout))
b[b.index(space):b.index(space) + 16] = struct.pack("<QQ", HUGE, HUGE)
b[b.index(layout):b.index(layout) + 4] = struct.pack("<I", HUGE)
open("gzip_claims.h5", "wb").write(bytes(b))
with h5py.File("gzip_claims.h5", "r") as f:
    for name in f:
        d = f[name]
        print(name, d.shape, d.chunks, d.id.get_storage_size(), "bytes stored")
    print("small reads", f["small"][:3], f["small"].shape)
    print("claims_huge [:3] reads", f["claims_huge"][:3])
tail = subprocess.run([sys.executable, "-c", "import h5py; print(h5py.File('gzip_claims.h5', 'r')['claims_huge'][-3:])"])
print("claims_huge [-3:]: exit status", tail.returncode, "(-11: a segmentation fault)")
