#!/usr/bin/env python3
"""Writes the tiny NumPy reference files the dev.jrnn.data tests read (run from this directory).

Every array's values are a[i] = i * 0.5 - 3 (flat index i), cast to its dtype, so the Java tests
can recompute them; integer arrays use a[i] = i - 3 (signed) or i (unsigned).
"""
import numpy as np

def ramp(shape, dtype):
    n = int(np.prod(shape))
    if np.dtype(dtype).kind == 'u':
        return np.arange(n).astype(dtype).reshape(shape)
    if np.dtype(dtype).kind == 'i':
        return (np.arange(n) - 3).astype(dtype).reshape(shape)
    return (np.arange(n) * 0.5 - 3).astype(dtype).reshape(shape)

np.save('f4_le.npy', ramp((4, 3, 2), '<f4'))
np.save('f4_be.npy', ramp((4, 3, 2), '>f4'))
np.save('f8_le.npy', ramp((4, 3), '<f8'))
np.save('f2_le.npy', ramp((4, 3), '<f2'))
np.save('i4_le.npy', ramp((5,), '<i4'))
np.save('i8_be.npy', ramp((5, 2), '>i8'))
np.save('u1.npy', ramp((6,), 'u1'))
np.save('b1.npy', np.array([True, False, True]))
np.save('fortran.npy', np.asfortranarray(ramp((3, 2), '<f4')))
np.save('complex.npy', np.zeros(3, dtype=np.complex64))
# header versions 2 and 3 (NumPy picks them only when needed, so force them)
with open('v2.npy', 'wb') as f:
    a = ramp((4, 3, 2), '<f4')
    np.lib.format.write_array(f, a, version=(2, 0))
with open('v3.npy', 'wb') as f:
    a = ramp((4, 3, 2), '<f4')
    np.lib.format.write_array(f, a, version=(3, 0))
np.savez('stored.npz', x=ramp((4, 3, 2), '<f4'), y=ramp((4, 1), '<f4'))
np.savez_compressed('compressed.npz', x=ramp((4, 3, 2), '<f4'))
np.save('empty.npy', np.zeros((0, 3), np.float32))
np.save('fortran3_be.npy', np.asfortranarray(ramp((4, 3, 2), '>f8')))
np.savez_compressed('compressed_xy.npz', x=ramp((4, 3, 2), '<f4'), y=ramp((4,), '>i8'))
