"""overlap_claims.weights.h5: a Keras 3 weights file of Sequential(Input((8192,)), Dense(1)) whose kernel's chunk index
names overlapping bytes, for Hdf5ArraysTest: a load through Model.loadWeights is refused once the chunk headers it reads
add up to more than the file's bytes. Run from this folder: /usr/bin/python3 make_overlap_claims.py (h5py 3.7)

layers/dense/vars/0, the kernel (8192, 1) float32 from numpy's default_rng(0), in 2 chunks of (4096, 1) as LZ4
(filter 32004, declared optional: no plugin here) lays a chunk out (big-endian u64 decoded bytes, u32 block bytes, then
the block behind its u32 size, raw: the size is the block's), written by hand (H5Dwrite_chunk: no filter runs). Then
chunk 1's entry in the version-1 B-tree is patched to name chunk 0's address, its size running to the file's end: a
chunk header there (chunk 0's) that reads right, at bytes chunk 0 was already counted for. layers/dense/vars/1, the
bias (1,), contiguous.
"""
import os
import struct

import h5py
import numpy as np

os.chdir(os.path.dirname(os.path.abspath(__file__)))
FN = "overlap_claims.weights.h5"
ROWS, CHUNK = 8192, 4096
KERNEL = np.random.default_rng(0).random((ROWS, 1)).astype("f4")


def raw_chunk(raw):
    """raw in LZ4's HDF5 chunk format: one raw block."""
    return struct.pack(">QI", len(raw), len(raw)) + struct.pack(">I", len(raw)) + raw


with h5py.File(FN, "w") as f:
    f.create_group("vars").attrs["name"] = "sequential"
    dense = f.create_group("layers/dense/vars")
    dense.attrs["name"] = "dense"
    dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
    dcpl.set_chunk((CHUNK, 1))
    dcpl.set_filter(32004, h5py.h5z.FLAG_OPTIONAL, ())
    dcpl.set_obj_track_times(False)   # no modification time: the file is the same on every run
    ds = h5py.h5d.create(dense.id, b"0", h5py.h5t.IEEE_F32LE, h5py.h5s.create_simple((ROWS, 1)), dcpl=dcpl)
    for k in range(ROWS // CHUNK):
        ds.write_direct_chunk((k * CHUNK, 0), raw_chunk(KERNEL[k * CHUNK:(k + 1) * CHUNK].tobytes()), filter_mask=0)
    dense.create_dataset("1", data=np.array([0.5], "f4"))
    first, second = ds.get_chunk_info(0), ds.get_chunk_info(1)
size = os.path.getsize(FN)
with open(FN, "r+b") as out:   # a B-tree entry: chunk bytes (u32), filter mask (u32), 3 offsets (u64), then the address
    data = bytearray(out.read())
    entry = struct.pack("<II", second.size, 0) + struct.pack("<QQQ", CHUNK, 0, 0) + struct.pack("<Q", second.byte_offset)
    assert data.count(entry) == 1, "chunk 1's entry not found once"
    at = data.index(entry)
    data[at:at + len(entry)] = (struct.pack("<II", size - first.byte_offset, 0) + struct.pack("<QQQ", CHUNK, 0, 0)
                                + struct.pack("<Q", first.byte_offset))
    out.seek(0)
    out.write(data)
assert first.size > first.byte_offset, "chunk 0 must be larger than the bytes before it, so the two overlap past the file"
print(FN, size, "bytes; chunk 0 at", first.byte_offset, "of", first.size, "bytes; chunk 1 named at it with", size - first.byte_offset)
