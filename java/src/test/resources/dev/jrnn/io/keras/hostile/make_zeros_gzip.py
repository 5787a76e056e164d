"""zeros_gzip.h5: a Keras 3.15.1 legacy .h5 model, Input(5000) -> Dense(5000) with zero weights, its datasets rewritten
gzip-compressed and chunked by h5py: the kernel's 100,000,000 bytes are stored in about 250 KB. Keras and h5py load it;
jrnn's bound on values a file does not hold (64 MiB per load) must not count what gzip saves (LoadWeights and
Models.load read it in Hdf5ArraysTest). Run from this folder with Keras 3 (tensorflow backend) and h5py:
  KERAS_BACKEND=tensorflow python make_zeros_gzip.py
"""
import os
import tempfile

import h5py
import keras

m = keras.Sequential([keras.Input((5000,)), keras.layers.Dense(5000, kernel_initializer="zeros", name="dense")])
plain = os.path.join(tempfile.mkdtemp(), "plain.h5")
m.save(plain)   # legacy HDF5: contiguous datasets
with h5py.File(plain, "r") as s, h5py.File("zeros_gzip.h5", "w") as d:
    for k, v in s.attrs.items():
        d.attrs[k] = v

    def copy(name, obj):
        if isinstance(obj, h5py.Group):
            g = d.require_group(name)
            for k, v in obj.attrs.items():
                g.attrs[k] = v
        else:
            ds = d.create_dataset(name, data=obj[()], compression="gzip", chunks=True)
            for k, v in obj.attrs.items():
                ds.attrs[k] = v

    s.visititems(copy)
os.remove(plain)
with h5py.File("zeros_gzip.h5", "r") as d:
    d.visititems(lambda n, o: print(n, o.shape, o.compression, o.chunks, o.id.get_storage_size(), "bytes stored")
                 if isinstance(o, h5py.Dataset) else None)
print("file", os.path.getsize("zeros_gzip.h5"), "bytes; keras", keras.__version__, "loads it:",
      keras.saving.load_model("zeros_gzip.h5").count_params(), "params")
