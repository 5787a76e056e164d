"""filter_claims.h5: chunked datasets of zeros whose headers were patched to claim 400,000,000 float32 (1.6 GB), each
with one chunk (h5py 3, libver "earliest" as Keras writes: layout v3, B-tree v1 chunk index). jhdf allocates a dataset's
whole declared size before it decodes any chunk, whatever the filter; Hdf5ArraysTest checks each is refused first.
Run from this folder: /usr/bin/python3 make_filter_claims.py

  lzf           compression="lzf" (h5py's LZF filter 32000): its parameters still say the chunk decodes to 12345 * 4
                bytes; the dataset claims 1.6 GB of one small chunk
  lzf_param     compression="lzf", (12345,): the LZF parameter giving a chunk's decoded bytes patched to 2,000,000,000
                (jhdf allocates that for the chunk), the chunk itself 49,380 bytes
  deflate2      two deflate filters stacked (level 9 then 9): the claim 1.6 GB; 1032 squared times the chunk would allow it
  deflate4      four deflate filters stacked (level 1): the same claim
  index_claims  gzip, the B-tree key of its one chunk patched to claim 2,000,000 bytes (the chunk holds ~70), past the end
                of the file; its dataspace claims 20,000,000 float32 (80 MB), under 1032 times the file's bytes,
                beside 25,000 random floats (100 KB) of padding
"""
import struct

import numpy as np
import h5py

HUGE = 400_000_000
FN = "filter_claims.h5"


def stacked(f, name, levels):
    dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
    dcpl.set_chunk((12345,))
    for level in levels:
        dcpl.set_filter(1, 0, (level,))
    sid = h5py.h5s.create_simple((12345,))
    ds = h5py.h5d.create(f.id, name.encode(), h5py.h5t.IEEE_F32LE, sid, dcpl=dcpl)
    ds.write(h5py.h5s.ALL, h5py.h5s.ALL, np.zeros(12345, "f4"))


def patch(b, old, new, start=0):
    i = b.index(old, start)
    assert b.find(old, i + 1) < 0 or start, old
    b[i:i + len(new)] = new
    return i


with h5py.File(FN, "w", libver="earliest") as f:
    f.create_dataset("padding", data=np.random.default_rng(0).random(25_000).astype("f4"))
    # distinct dimensions so each header is patched alone
    f.create_dataset("lzf", data=np.zeros(12345, "f4"), chunks=(12345,), compression="lzf")
    f.create_dataset("lzf_param", data=np.zeros(12346, "f4"), chunks=(12346,), compression="lzf")
    stacked(f, "deflate2", (9, 9))
    stacked(f, "deflate4", (1, 1, 1, 1))
    d = f.create_dataset("index_claims", data=np.zeros(12347, "f4"), chunks=(12347,), compression="gzip")
    index_stored = d.id.get_storage_size()
b = bytearray(open(FN, "rb").read())
# lzf, deflate2, deflate4 share dims 12345: patch every dataspace (dim, max) and layout (chunk dim, element size)
space, layout = struct.pack("<QQ", 12345, 12345), struct.pack("<II", 12345, 4)
assert b.count(space) == 3 and b.count(layout) == 3, (b.count(space), b.count(layout))
b = bytearray(bytes(b).replace(space, struct.pack("<QQ", HUGE, HUGE)).replace(layout, struct.pack("<II", HUGE, 4)))
# lzf_param: h5py's LZF parameters (version, LZF version, chunk bytes) as the filter pipeline message holds them
lzf_cd = struct.pack("<III", 4, 261, 12346 * 4)
assert b.count(lzf_cd) == 1, b.count(lzf_cd)
patch(b, lzf_cd, struct.pack("<III", 4, 261, 2_000_000_000))
# index_claims
patch(b, struct.pack("<QQ", 12347, 12347), struct.pack("<QQ", 20_000_000, 20_000_000))
patch(b, struct.pack("<II", 12347, 4), struct.pack("<II", 20_000_000, 4))
key = struct.pack("<II", index_stored, 0) + struct.pack("<QQ", 0, 0)   # B-tree v1 key: size, filter mask, offsets
assert b.count(key) == 1, b.count(key)
patch(b, key, struct.pack("<I", 2_000_000))
open(FN, "wb").write(bytes(b))
print(FN, len(b), "bytes")
with h5py.File(FN, "r") as f:
    for name in f:
        d = f[name]
        print(name, d.shape, d.chunks, [(k, d.id.get_create_plist().get_filter(k)[:3]) for k in range(d.id.get_create_plist().get_nfilters())],
              d.id.get_storage_size(), "bytes stored")
