"""big_chunks.h5: float32 datasets of 10 values in one chunk of 2^28 values (1 GiB uncompressed; the dataset's maximum
shape unlimited, as HDF5 needs for a chunk larger than the dataset), whose few stored bytes claim about 10^9 decoded
bytes: within a chunk's uncompressed size, but far more than one decompressing stage can make of them (1032 times, see
JhdfChunks.DEFLATE_MAX_RATIO). For Hdf5ArraysTest; jhdf 0.13 allocates the claim before it decodes the chunk.
  lz4_bigchunk  LZ4 (filter 32004, declared optional: no plugin here), its one chunk written as LZ4's HDF5 format lays
                it out (big-endian u64 decoded bytes, u32 block bytes, then per block a u32 compressed size and the
                block): 1,000,000,000 bytes decoded in one block of 4 bytes
  lzf_bigchunk  LZF (filter 32000, optional), its parameters (version, LZF version, chunk bytes) giving 2^30 bytes per
                chunk (h5py's LZF filter sets the chunk's size there itself; jhdf allocates it for each chunk), one
                chunk of 8 bytes
Run from this folder: /usr/bin/python3 make_big_chunks.py (h5py 3.7)
"""
import os
import struct

import h5py

os.chdir(os.path.dirname(os.path.abspath(__file__)))


def dataset(f, name, filter_id, params, chunk):
    dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
    dcpl.set_chunk((1 << 28,))
    dcpl.set_filter(filter_id, h5py.h5z.FLAG_OPTIONAL, params)
    space = h5py.h5s.create_simple((10,), (h5py.h5s.UNLIMITED,))
    ds = h5py.h5d.create(f.id, name.encode(), h5py.h5t.IEEE_F32LE, space, dcpl=dcpl)
    ds.write_direct_chunk((0,), chunk, filter_mask=0)


with h5py.File("big_chunks.h5", "w") as f:
    dataset(f, "lz4_bigchunk", 32004, (), struct.pack(">QI", 1_000_000_000, 1_000_000_000) + struct.pack(">I", 4) + b"\0" * 4)
    dataset(f, "lzf_bigchunk", 32000, (4, 4, 1_000_000_000), b"\0" * 8)
