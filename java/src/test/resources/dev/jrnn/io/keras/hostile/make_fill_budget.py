"""fill_budget.h5: datasets whose values the file does not hold, which together (not one by one) pass jrnn's bound of
64 MiB of such values per load; Hdf5ArraysTest reads them. Run from this folder: /usr/bin/python3 make_fill_budget.py
(h5py 3; libver "v108" as make_unwritten.py, for jhdf 0.13). h5py (so Keras) reads each of them: the fill value where
nothing was written.

  a, b          (3000, 3000) float32 never written, 36,000,000 bytes of fill each: one loads, both pass 64 MiB
  a_again       a hard link to a: the same dataset, counted once
  partly_gzip   (5000, 5000) float32, gzip, chunks (1000, 1000), one chunk written (ones): 100,000,000 bytes of which
                the file holds a few hundred; jrnn's size checks skipped it (filtered, and written), jhdf filled the rest
"""
import numpy as np
import h5py

with h5py.File("fill_budget.h5", "w", libver="v108") as f:
    f.create_dataset("a", (3000, 3000), "f4")
    f.create_dataset("b", (3000, 3000), "f4")
    f["a_again"] = f["a"]
    d = f.create_dataset("partly_gzip", (5000, 5000), "f4", chunks=(1000, 1000), compression="gzip")
    d[0:1000, 0:1000] = np.ones((1000, 1000), "f4")
with h5py.File("fill_budget.h5", "r") as f:
    for name in f:
        print(name, f[name].shape, f[name].id.get_storage_size(), "bytes stored", f[name][0, 0], f[name][-1, -1])
