"""bitshuffle_claims.h5: bitshuffle-LZ4 (filter 32008) float32 datasets whose chunk headers claim more than a chunk or
than its bytes can decode to, beside an honest one, for Hdf5ArraysTest. jhdf 0.13 allocates the decoded bytes and the
block bytes a chunk's header gives, and each block's compressed size, as they come (up to 2^31 bytes each).
Run from this folder: /usr/bin/python3 make_bitshuffle_claims.py (h5py 3.7)

No bitshuffle plugin here: the filter is declared optional with the parameters its plugin would set (bitshuffle 0.3,
element size 4, block 0: the default, compression 2: LZ4) and each chunk written by hand (H5Dwrite_chunk: no filter
runs) as bitshuffle lays it out: big-endian u64 decoded bytes, u32 block bytes, then per block a u32 compressed size and
the block's elements bit-transposed (bit i of element j at bit j of row i, least significant first) as one LZ4 block
(a single literal-only sequence, which LZ4's block format allows).
  plain            3,000 float32 from numpy's default_rng(0), contiguous: the values the honest one holds
  bshuf            the same in 3 chunks of 1,024: chunk 0 one block of 4,096 bytes, chunk 1 two blocks of 2,048,
                   chunk 2 bitshuffle's default block (8,192 bytes: more than the chunk, so one block); each block a
                   multiple of 8 elements, as bitshuffle makes them (jhdf transposes those alone)
  bshuf_total      one chunk of 1,000 whose header says 2,000,000,000 bytes decoded
  bshuf_block      one chunk of 1,000 whose header gives blocks of 2,000,000,000 bytes (jhdf allocates one)
  bshuf_compressed one chunk of 1,000 whose one block claims 2,000,000,000 compressed bytes
  bshuf_bigchunk   10 values in one chunk of 2^28 (1 GiB uncompressed; its maximum shape unlimited) whose header says
                   1,000,000,000 bytes decoded: within the chunk, past what its 50 bytes can decode to
The next are laid out as bitshuffle's bshuf_blocked_wrap_fun writes a chunk of n elements in blocks of B (real_chunk):
n // B full blocks, then one partial block of n % B elements rounded down to a multiple of 8 (if any), then the last
n % 8 elements raw, without a size. jhdf 0.13 reads floor(decoded / block bytes) blocks (1 where the block is larger)
and copies the rest raw, so it reads some of these wrong, without an error.
  bshuf_partial    3,000 values in one chunk, bitshuffle's default block (2,048 elements): one full block, a partial
                   one of 952 (jhdf reads one block, then the partial block's size and bytes as values)
  bshuf_tiny       5 values in one chunk: no block, 20 raw bytes (jhdf reads the first 4 as a block's size)
  bshuf_leftover   the first 1,027 values in one chunk: a partial block of 1,024, then 3 values raw (jhdf reads it right)
  bshuf_short      bshuf_leftover's chunk less its last 4 bytes (jhdf would read the last value as 0)
  shared_a         the first 1,024 values in one chunk of 1,024 (4,096 bytes decoded)
  shared_b         1,024 values in chunks of 512 whose index (a version-1 B-tree, patched after writing) names
                   shared_a's chunk as its first: its header gives more than shared_b's 2,048-byte chunk
"""
import os
import struct

import h5py
import numpy as np
from lz4_literals import VALUES, literals

os.chdir(os.path.dirname(os.path.abspath(__file__)))
FN = "bitshuffle_claims.h5"


def bitshuffle(elements):
    """elements' bytes bit-transposed as bitshuffle stores a block (a multiple of 8 elements)."""
    bits = np.unpackbits(elements.view(np.uint8).reshape(len(elements), 4), axis=1, bitorder="little")
    return np.packbits(bits.T.reshape(-1), bitorder="little").tobytes()


def chunk(elements, block_bytes):
    """elements in bitshuffle-LZ4's chunk format, in blocks of block_bytes."""
    out = struct.pack(">QI", elements.nbytes, block_bytes)
    per = max(1, min(len(elements), block_bytes // 4))
    for k in range(0, len(elements), per):
        body = literals(bitshuffle(elements[k:k + per]))
        out += struct.pack(">I", len(body)) + body
    return out


def real_chunk(elements, block_elements):
    """elements as bitshuffle writes a chunk, in blocks of block_elements (a multiple of 8)."""
    n = len(elements)
    out = struct.pack(">QI", elements.nbytes, block_elements * 4)
    full, rest = n // block_elements, n % block_elements
    partial = rest - rest % 8
    k = 0
    for size in [block_elements] * full + ([partial] if partial else []):
        body = literals(bitshuffle(elements[k:k + size]))
        out += struct.pack(">I", len(body)) + body
        k += size
    return out + elements[k:].tobytes()


def dataset(f, name, n, chunk_len, maxshape, chunks):
    dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
    dcpl.set_chunk((chunk_len,))
    dcpl.set_filter(32008, h5py.h5z.FLAG_OPTIONAL, (0, 3, 4, 0, 2))
    ds = h5py.h5d.create(f.id, name.encode(), h5py.h5t.IEEE_F32LE, h5py.h5s.create_simple((n,), (maxshape,)), dcpl=dcpl)
    for k, c in enumerate(chunks):
        ds.write_direct_chunk((k * chunk_len,), c, filter_mask=0)


with h5py.File(FN, "w") as f:
    f.create_dataset("plain", data=VALUES)
    last = np.concatenate([VALUES[2048:], np.zeros(3072 - 3000, "f4")])   # HDF5 stores an edge chunk whole
    dataset(f, "bshuf", 3000, 1024, 3000, [chunk(VALUES[0:1024], 4096), chunk(VALUES[1024:2048], 2048), chunk(last, 8192)])
    honest = chunk(VALUES[0:1000], 4000)
    dataset(f, "bshuf_total", 1000, 1000, 1000, [struct.pack(">Q", 2_000_000_000) + honest[8:]])
    dataset(f, "bshuf_block", 1000, 1000, 1000, [honest[:8] + struct.pack(">I", 2_000_000_000) + honest[12:]])
    dataset(f, "bshuf_compressed", 1000, 1000, 1000, [honest[:12] + struct.pack(">I", 2_000_000_000) + honest[16:]])
    small = chunk(VALUES[0:8], 32)
    dataset(f, "bshuf_bigchunk", 10, 1 << 28, h5py.h5s.UNLIMITED, [struct.pack(">Q", 1_000_000_000) + small[8:]])
    dataset(f, "bshuf_partial", 3000, 3000, 3000, [real_chunk(VALUES, 2048)])
    dataset(f, "bshuf_tiny", 5, 5, 5, [real_chunk(VALUES[0:5], 2048)])
    leftover = real_chunk(VALUES[0:1027], 2048)
    dataset(f, "bshuf_leftover", 1027, 1027, 1027, [leftover])
    dataset(f, "bshuf_short", 1027, 1027, 1027, [leftover[:-4]])
    dataset(f, "shared_a", 1024, 1024, 1024, [real_chunk(VALUES[0:1024], 2048)])
    dataset(f, "shared_b", 1024, 512, 1024, [real_chunk(VALUES[0:512], 2048), real_chunk(VALUES[512:1024], 2048)])
    a, b = f["shared_a"].id.get_chunk_info(0), f["shared_b"].id.get_chunk_info(0)
with open(FN, "r+b") as out:   # a B-tree entry: chunk bytes (u32), filter mask (u32), 2 offsets (u64), then the address
    data = bytearray(out.read())
    entry = struct.pack("<II", b.size, 0) + struct.pack("<QQ", 0, 0) + struct.pack("<Q", b.byte_offset)
    assert data.count(entry) == 1, "shared_b's first chunk entry not found once"
    at = data.index(entry)
    data[at:at + len(entry)] = struct.pack("<II", a.size, 0) + struct.pack("<QQ", 0, 0) + struct.pack("<Q", a.byte_offset)
    out.seek(0)
    out.write(data)
print(FN, os.path.getsize(FN), "bytes")
