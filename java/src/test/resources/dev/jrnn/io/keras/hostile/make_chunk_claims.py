"""chunk_claims.h5: chunked float32 datasets whose chunk bytes or chunk index claim more than the file holds, beside
honest ones of the same values, for Hdf5ArraysTest. Run from this folder: /usr/bin/python3 make_chunk_claims.py

LZ4 (filter 32004): h5py writes it only with hdf5plugin, which is not here, so the filter is declared optional and each
chunk written as LZ4's HDF5 format lays it out (H5Dwrite_chunk: no filter runs): big-endian u64 decoded bytes, u32 block
bytes, then per block a u32 compressed size and the block (an LZ4 block, or the raw bytes where the size equals the
block's). The LZ4 blocks are literal-only sequences, which LZ4's block format allows.
  plain        3,000 float32 from numpy's default_rng(0), contiguous: the values every honest dataset holds
  lz4          the same in 3 chunks of 1,000: chunk 0 one LZ4 block, chunk 1 two blocks of 2,000 bytes (raw, LZ4),
               chunk 2 one raw block
  lz4_total    one chunk of 1,000 whose header says 2,000,000,000 bytes decoded (jhdf 0.13 allocates that per chunk)
  lz4_block    one chunk of 1,000 whose one block claims 2,000,000,000 compressed bytes (jhdf allocates that too)
  lz4_shuffled LZ4 then shuffle in the pipeline: jhdf unshuffles first, so a chunk's first bytes are not LZ4's header

Implicit chunk index (layout message v4, index type 2: h5py/HDF5 1.10 with libver="latest", fixed maximum dimensions,
no filter, early allocation): the chunks lie one after another from the index's address, none listed in the file.
  implicit        the 1,000 first values of plain in chunks of 10
  implicit_claims the same written, then its dataspace patched to claim 100,000,000 (and the object header's
                  lookup3 checksum recomputed): 10,000,000 chunks of 40 bytes (400 MB) from an address in a file of a
                  few KB; jhdf 0.13 builds a map entry per chunk before any read (OutOfMemoryError)
"""
import struct

import h5py

from hdf5_checksum import rechecksum
from lz4_literals import VALUES, literals

FN = "chunk_claims.h5"


def lz4_chunk(raw, block, blocks):
    """raw in LZ4's HDF5 chunk format: the header, then each block ('lz4' or 'raw') with its size."""
    out = struct.pack(">QI", len(raw), block)
    for k, how in enumerate(blocks):
        piece = raw[k * block:(k + 1) * block]
        body = literals(piece) if how == "lz4" else piece
        out += struct.pack(">I", len(body)) + body
    return out


def lz4_dataset(f, name, n, chunks, extra_filter=None):
    dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
    dcpl.set_chunk((1000,))
    dcpl.set_filter(32004, h5py.h5z.FLAG_OPTIONAL, ())
    if extra_filter == "shuffle":
        dcpl.set_shuffle()
    ds = h5py.h5d.create(f.id, name.encode(), h5py.h5t.IEEE_F32LE, h5py.h5s.create_simple((n,)), dcpl=dcpl)
    for k, chunk in enumerate(chunks):
        ds.write_direct_chunk((k * 1000,), chunk, filter_mask=0)


raw = VALUES.tobytes()
with h5py.File(FN, "w", libver="latest") as f:
    f.create_dataset("plain", data=VALUES)
    lz4_dataset(f, "lz4", 3000, [lz4_chunk(raw[0:4000], 4000, ["lz4"]),
                                  lz4_chunk(raw[4000:8000], 2000, ["raw", "lz4"]),
                                  lz4_chunk(raw[8000:12000], 4000, ["raw"])])
    honest = lz4_chunk(raw[0:4000], 4000, ["lz4"])
    lz4_dataset(f, "lz4_total", 1000, [struct.pack(">Q", 2_000_000_000) + honest[8:]])
    lz4_dataset(f, "lz4_block", 1000, [honest[:12] + struct.pack(">I", 2_000_000_000) + honest[16:]])
    lz4_dataset(f, "lz4_shuffled", 1000, [honest], extra_filter="shuffle")
    for name, n in (("implicit", 1000), ("implicit_claims", 1001)):   # distinct sizes: each dataspace patched alone
        dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
        dcpl.set_chunk((10,))
        dcpl.set_alloc_time(h5py.h5d.ALLOC_TIME_EARLY)
        ds = h5py.h5d.create(f.id, name.encode(), h5py.h5t.IEEE_F32LE, h5py.h5s.create_simple((n,), (n,)), dcpl=dcpl)
        ds.write(h5py.h5s.ALL, h5py.h5s.ALL, VALUES[:n].copy())
        assert ds.get_create_plist().get_layout() == h5py.h5d.CHUNKED
b = bytearray(open(FN, "rb").read())
space = struct.pack("<QQ", 1001, 1001)
assert b.count(space) == 1, b.count(space)
at = b.index(space)
b[at:at + 16] = struct.pack("<QQ", 100_000_000, 100_000_000)
rechecksum(b, at)
open(FN, "wb").write(bytes(b))
print(FN, len(b), "bytes")
with h5py.File(FN, "r") as f:
    print("implicit", f["implicit"].shape, f["implicit"][:3], "implicit_claims", f["implicit_claims"].shape)
