"""unwritten.h5: datasets created and never written (h5py's create_dataset without data), which h5py (so Keras'
load_weights, which reads each weight with [()]) reads as their fill values; Hdf5UnwrittenTest reads them as h5py does.
Run from this folder: /tmp/jrnn-keras3/venv/bin/python make_unwritten.py (h5py 3). libver "v108" keeps it small
(HDF5 2's "latest" writes layout messages of version 5, which jhdf 0.13 cannot read), and so does writing no data, which
would add HDF5's 2 KB raw-data block: a partly written chunked dataset, whose missing chunks h5py reads as the fill value
and jrnn (jhdf) as 0, is left out (GUIDE, "Bringing a Keras model": a difference kept).
What h5py reads (this script's output):

chunked_fill (4, 3) chunked, no chunk written, fill 0.75: [0.75, 0.75, 0.75, 0.75, 0.75, 0.75, 0.75, 0.75, 0.75, 0.75, 0.75, 0.75]
chunked_gzip_fill (4, 3) chunked, gzip, no chunk written, fill 0.3: [0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3]
scalar_fill () contiguous, fill 2.5: 2.5
int_scalar_fill () int64 contiguous, fill 7: 7
big_fill (4000, 3) contiguous, fill 0.3, no storage (48000 bytes, more than the file): [0.3, 0.3, 0.3, 0.3] ...
huge_fill (5000, 5000) contiguous, fill 0.3, no storage (100,000,000 bytes; h5py reads it, jrnn refuses it above 64 MiB): [0.3, 0.3, 0.3, 0.3] ...
fill_time_never (2, 3) contiguous, fill 0.5 with fill time NEVER (HDF5 leaves h5py's zeroed buffer): [0.0, 0.0, 0.0, 0.0, 0.0, 0.0]
"""
import numpy as np
import h5py

with h5py.File("unwritten.h5", "w", libver="v108") as f:
    f.create_dataset("chunked_fill", (4, 3), "f4", chunks=(2, 3), fillvalue=0.75)
    f.create_dataset("chunked_gzip_fill", (4, 3), "f4", chunks=(2, 3), fillvalue=0.3, compression="gzip")
    f.create_dataset("scalar_fill", (), "f4", fillvalue=2.5)
    f.create_dataset("int_scalar_fill", (), "i8", fillvalue=7)
    f.create_dataset("big_fill", (4000, 3), "f4", fillvalue=0.3)
    f.create_dataset("huge_fill", (5000, 5000), "f4", fillvalue=0.3)   # 100 MB of fill: past jrnn's 64 MiB bound
    dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
    dcpl.set_fill_time(h5py.h5d.FILL_TIME_NEVER)
    dcpl.set_fill_value(np.array(0.5, "f4"))
    h5py.h5d.create(f.id, b"fill_time_never", h5py.h5t.IEEE_F32LE, h5py.h5s.create_simple((2, 3)), dcpl=dcpl)
with h5py.File("unwritten.h5", "r") as f:
    for name in f:
        v = f[name][()]
        print(name, v.shape, v.ravel().tolist()[:12] if v.ndim else v.item(), f[name].fillvalue)
