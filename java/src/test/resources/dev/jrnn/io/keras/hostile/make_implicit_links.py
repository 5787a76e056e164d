"""implicit_links.h5: one honest float32 dataset of 1,000 ones, layers/dense/vars/0, in HDF5 1.10's implicit chunk
index (libver="latest", fixed maximum dimensions, no filter, early allocation) in chunks of 1 value (4,000 bytes of
chunks), and 4 hard links to it (vars/1 .. vars/4: the same object header), in a file of a few KB. jhdf 0.13 opens each
link as its own dataset and builds its own entry per chunk for it: 299 links to a 50,000-chunk dataset in a 211 KB file
exhausted a 2 GB heap. For Hdf5ArraysTest: one load's implicit-index datasets, each link counted, may imply at most the
file's bytes of chunks. Run from this folder: /usr/bin/python3 make_implicit_links.py (h5py 3.7)
"""
import os

import h5py
import numpy as np

os.chdir(os.path.dirname(os.path.abspath(__file__)))
with h5py.File("implicit_links.h5", "w", libver="latest") as f:
    g = f.create_group("layers/dense/vars")
    dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
    dcpl.set_chunk((1,))
    dcpl.set_alloc_time(h5py.h5d.ALLOC_TIME_EARLY)
    ds = h5py.h5d.create(g.id, b"0", h5py.h5t.IEEE_F32LE, h5py.h5s.create_simple((1000,), (1000,)), dcpl=dcpl)
    ds.write(h5py.h5s.ALL, h5py.h5s.ALL, np.ones(1000, "f4"))
    for i in range(1, 5):
        g[str(i)] = g["0"]   # a hard link: the same object header
print("implicit_links.h5", os.path.getsize("implicit_links.h5"), "bytes")
