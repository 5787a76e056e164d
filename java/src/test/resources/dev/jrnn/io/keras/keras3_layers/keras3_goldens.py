"""Helpers the Keras 3 golden generators of this folder share (make_keras3_layers.py, make_rnn_guides.py)."""
import gzip
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from keras_zip import deflate  # noqa: F401 (the generators call keras3_goldens.deflate)


def arr(a):
    """An array as the JSON the Java tests read (KerasGoldens.tensor): its shape and float32 values, 7 digits."""
    a = np.asarray(a, dtype="float32")
    return {"shape": list(a.shape), "data": [float(f"{v:.7g}") for v in a.reshape(-1)]}


def randomize(m, rng):
    """Seeded weights for every variable of m (biases and statistics too, so that none is a default)."""
    for v in m.weights:
        shape = tuple(v.shape)
        w = rng.normal(scale=0.5, size=shape).astype("float32")
        if "variance" in v.path:
            w = (np.abs(w) + 0.5).astype("float32")
        v.assign(w)


def write_json_gz(path, obj):
    """obj as compact JSON, gzipped reproducibly (no time stamp)."""
    with gzip.GzipFile(path, "wb", compresslevel=9, mtime=0) as f:
        f.write(json.dumps(obj, separators=(",", ":")).encode())
