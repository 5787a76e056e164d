"""The lookup3 checksum of an HDF5 v2 object header, for the generators here that patch one (make_chunk_claims.py,
make_implicit_zero.py): a patched header must carry its checksum again for h5py and jhdf to read it."""
import struct


def rot(x, k):
    return ((x << k) | (x >> (32 - k))) & 0xFFFFFFFF


def lookup3(data, init=0):
    """Bob Jenkins' hashlittle (lookup3), as HDF5's H5_checksum_lookup3 computes an object header's checksum."""
    a = b = c = (0xDEADBEEF + len(data) + init) & 0xFFFFFFFF
    n, i = len(data), 0

    def word(j):
        return int.from_bytes(data[j:j + 4], "little")
    while n > 12:
        a, b, c = (a + word(i)) & 0xFFFFFFFF, (b + word(i + 4)) & 0xFFFFFFFF, (c + word(i + 8)) & 0xFFFFFFFF
        a = (a - c) & 0xFFFFFFFF; a ^= rot(c, 4); c = (c + b) & 0xFFFFFFFF
        b = (b - a) & 0xFFFFFFFF; b ^= rot(a, 6); a = (a + c) & 0xFFFFFFFF
        c = (c - b) & 0xFFFFFFFF; c ^= rot(b, 8); b = (b + a) & 0xFFFFFFFF
        a = (a - c) & 0xFFFFFFFF; a ^= rot(c, 16); c = (c + b) & 0xFFFFFFFF
        b = (b - a) & 0xFFFFFFFF; b ^= rot(a, 19); a = (a + c) & 0xFFFFFFFF
        c = (c - b) & 0xFFFFFFFF; c ^= rot(b, 4); b = (b + a) & 0xFFFFFFFF
        n -= 12
        i += 12
    if n == 0:
        return c
    tail = data[i:i + n].ljust(12, b"\0")   # hashlittle's final switch adds the bytes present, zeros past them
    a = (a + int.from_bytes(tail[0:4], "little")) & 0xFFFFFFFF
    b = (b + int.from_bytes(tail[4:8], "little")) & 0xFFFFFFFF
    c = (c + int.from_bytes(tail[8:12], "little")) & 0xFFFFFFFF
    c ^= b; c = (c - rot(b, 14)) & 0xFFFFFFFF
    a ^= c; a = (a - rot(c, 11)) & 0xFFFFFFFF
    b ^= a; b = (b - rot(a, 25)) & 0xFFFFFFFF
    c ^= b; c = (c - rot(b, 16)) & 0xFFFFFFFF
    a ^= c; a = (a - rot(c, 4)) & 0xFFFFFFFF
    b ^= a; b = (b - rot(a, 14)) & 0xFFFFFFFF
    c ^= b; c = (c - rot(b, 24)) & 0xFFFFFFFF
    return c


def rechecksum(b, inside):
    """Recomputes the checksum of the v2 object header (OHDR) whose chunk 0 holds byte `inside`."""
    start = b.rindex(b"OHDR", 0, inside)
    flags = b[start + 5]
    at = start + 6 + (16 if flags & 0x20 else 0) + (4 if flags & 0x10 else 0)
    width = 1 << (flags & 3)
    size = int.from_bytes(b[at:at + width], "little")
    end = at + width + size
    assert start < inside < end, (start, inside, end)
    b[end:end + 4] = struct.pack("<I", lookup3(bytes(b[start:end])))
