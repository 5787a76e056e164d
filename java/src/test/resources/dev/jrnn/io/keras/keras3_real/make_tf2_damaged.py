"""tf2_damaged_bias.h5: a copy of tf2_unflagged.h5 (tf.keras 2's own save, make_tf2_unflagged.py) with A's a2/bias:0
resized from (3,) to (4,) (a fourth value, 0.5, appended), weight_names and config unchanged: a damaged array. No
candidate order of A's group (B read as frozen or trainable) then has the file's shapes, so jrnn takes the order the
weight names alone agree with, and the shape check names a2, the array's own layer (NestedWeightNamesTest; it named
b2 before). tf2_renamed_damaged.h5: tf2_renamed.h5 (b1 and b2 renamed, the names agree with no order) with the same
a2/bias:0 resized: jrnn reads B as trainable, warns it "may have been frozen", and the shape check fails; the error
must carry that doubt (NestedWeightNamesTest). Run from this folder with any python that has h5py and numpy
(/usr/bin/python3 here)."""
import shutil
import h5py
import numpy as np

for src, dst in (("tf2_unflagged.h5", "tf2_damaged_bias.h5"), ("tf2_renamed.h5", "tf2_renamed_damaged.h5")):
    shutil.copyfile(src, dst)
    with h5py.File(dst, "r+") as f:
        g = f["model_weights/A/a2"]
        old = g["bias:0"][()]
        del g["bias:0"]
        g.create_dataset("bias:0", data=np.append(old, np.float32(0.5)).astype(np.float32))
        print(dst, "a2/bias:0", old.tolist(), "->", g["bias:0"][()].tolist())
        print("A's weight_names", [n.decode() if isinstance(n, bytes) else n for n in f["model_weights/A"].attrs["weight_names"]])
