"""cudnn_damaged.h5: ../keras22_cudnn.h5 (Keras 2.2.4's layout, generator/make_keras_files.py) with the data address of
its CuDNNLSTM's bias (cu_dnnlstm_1/bias:0, 32 float32, contiguous: the only dataset of 128 bytes) moved from byte 10,640
to 2^40, far past the file's end: reading its values fails (jhdf), which the cuDNN conversion meets while reading the
arrays it joins. For KerasCuDnnTest: a damaged dataset, not a file that does not fit the model.
The layout message (version 3, contiguous) holds the address and then the size as little-endian u64s; h5py's version-1
object headers carry no checksum, so no other byte changes.
Run from this folder: python3 make_cudnn_damaged.py (no h5py needed)
"""
import os
import struct

os.chdir(os.path.dirname(os.path.abspath(__file__)))
raw = bytearray(open("../keras22_cudnn.h5", "rb").read())
old = struct.pack("<QQ", 10640, 128)   # the bias's address and size
assert raw.count(old) == 1, "keras22_cudnn.h5 changed: find the bias's layout message again"
at = raw.index(old)
raw[at:at + 8] = struct.pack("<Q", 1 << 40)
open("cudnn_damaged.h5", "wb").write(raw)
