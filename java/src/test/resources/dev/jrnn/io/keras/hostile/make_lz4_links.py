"""lz4_links.h5: hard links to one LZ4-chunked dataset, for Hdf5ArraysTest: a load checks each LZ4 chunk's header once,
however many links lead to its dataset (before, once per link: a 16 MB file of 1,000 links took seconds per link).
Run from this folder: /usr/bin/python3 make_lz4_links.py (h5py 3.7). With --big PATH it writes the measurement file of
benchmarks/NOTES.md (Session 33) there instead: 16 chunks of 1 MB, 1,000 links (16 MB; not committed).

LZ4 (filter 32004, declared optional: no plugin here), each chunk written as LZ4's HDF5 format lays it out (big-endian
u64 decoded bytes, u32 block bytes, then per block a u32 compressed size and the block, raw where that size is the
block's), here in blocks of 1 byte, all raw: 5 stored bytes per value byte, so a chunk's header walk reads many sizes.
  plain       256 float32 from numpy's default_rng(0) (the big file: 800,000), contiguous
  lz4         the same in chunks of 64 values (the big file: 50,000), all written
  link_NN     20 hard links to lz4 (the big file: 1,000)
  lz4_claims  claims 100,000,000 float32 in one chunk of 2^28 values (its maximum shape unlimited), whose one written
              chunk holds 4,000 zero bytes in 20,012: 400,000,000 bytes the chunk cannot decode to (1032 times 20,012 is
              20,652,384), refused before its header is read
"""
import os
import struct
import sys

import h5py
import numpy as np

os.chdir(os.path.dirname(os.path.abspath(__file__)))
big = sys.argv[1:2] == ["--big"]
FN = sys.argv[2] if big else "lz4_links.h5"
N, CHUNK, LINKS = (800_000, 50_000, 1000) if big else (256, 64, 20)
VALUES = np.random.default_rng(0).random(N).astype("f4")


def raw_blocks(raw):
    """raw in LZ4's HDF5 chunk format, in raw blocks of 1 byte."""
    return struct.pack(">QI", len(raw), 1) + b"".join(b"\0\0\0\1" + raw[i:i + 1] for i in range(len(raw)))


def lz4_dataset(f, name, n, chunk, maxshape, chunks):
    dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
    dcpl.set_chunk((chunk,))
    dcpl.set_filter(32004, h5py.h5z.FLAG_OPTIONAL, ())
    ds = h5py.h5d.create(f.id, name.encode(), h5py.h5t.IEEE_F32LE, h5py.h5s.create_simple((n,), (maxshape,)), dcpl=dcpl)
    for k, c in enumerate(chunks):
        ds.write_direct_chunk((k * chunk,), c, filter_mask=0)


raw = VALUES.tobytes()
with h5py.File(FN, "w") as f:
    f.create_dataset("plain", data=VALUES)
    lz4_dataset(f, "lz4", N, CHUNK, N, [raw_blocks(raw[k * 4 * CHUNK:(k + 1) * 4 * CHUNK]) for k in range(N // CHUNK)])
    for k in range(LINKS):
        f["link_%02d" % k] = f["lz4"]
    lz4_dataset(f, "lz4_claims", 100_000_000, 1 << 28, h5py.h5s.UNLIMITED, [raw_blocks(bytes(4000))])
print(FN, os.path.getsize(FN), "bytes")
