"""unwritten_model.h5: k.h5 (make_hostile.py's Keras 3.15.1 legacy save) edited with h5py to Input (4, 3500), LSTM(1000),
Dense(1), whose LSTM kernel (3500, 4000) and recurrent kernel (1000, 4000) float32 were created and never written:
56,000,000 and 16,000,000 bytes of fill, each under jrnn's 64 MiB per load of values the file does not hold, together
past it (the file is a few KB). Hdf5UnwrittenTest loads it through Models.load: one budget for the whole load.
Run from this folder: /usr/bin/python3 make_unwritten_model.py
"""
import shutil

import h5py

shutil.copy("k.h5", "unwritten_model.h5")
CELL = "model_weights/lstm/sequential/lstm/lstm_cell/"
with h5py.File("unwritten_model.h5", "r+") as f:
    cfg = f.attrs["model_config"]
    cfg = cfg.decode() if isinstance(cfg, bytes) else cfg
    cfg = cfg.replace('"batch_shape": [null, 4, 3]', '"batch_shape": [null, 4, 3500]').replace(
        '"build_input_shape": [null, 4, 3]', '"build_input_shape": [null, 4, 3500]').replace('"units": 2,', '"units": 1000,', 1)
    f.attrs["model_config"] = cfg
    for name, shape in (("kernel", (3500, 4000)), ("recurrent_kernel", (1000, 4000)), ("bias", (4000,))):
        del f[CELL + name]
        f.create_dataset(CELL + name, shape, "f4") if name != "bias" else f.create_dataset(CELL + name, data=[0.0] * 4000, dtype="f4")
    del f["model_weights/dense/sequential/dense/kernel"]
    f.create_dataset("model_weights/dense/sequential/dense/kernel", data=[[0.5]] * 1000, dtype="f4")
with h5py.File("unwritten_model.h5", "r") as f:
    for name in ("kernel", "recurrent_kernel", "bias"):
        print(name, f[CELL + name].shape, f[CELL + name].id.get_storage_size(), "bytes stored")
