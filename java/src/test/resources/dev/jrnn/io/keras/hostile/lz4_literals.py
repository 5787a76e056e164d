"""What make_chunk_claims.py and make_bitshuffle_claims.py both write: the values their honest datasets hold, and a
block as LZ4 lays out one literal-only sequence (which LZ4's block format allows), so that no LZ4 library is needed."""
import numpy as np

VALUES = np.random.default_rng(0).random(3000).astype("f4")


def literals(raw):
    """raw as one LZ4 block of a single literal-only sequence."""
    n = len(raw)
    if n < 15:
        return bytes([n << 4]) + raw
    rest, ext = n - 15, bytearray()
    while rest >= 255:
        ext.append(255)
        rest -= 255
    ext.append(rest)
    return bytes([0xF0]) + bytes(ext) + raw
