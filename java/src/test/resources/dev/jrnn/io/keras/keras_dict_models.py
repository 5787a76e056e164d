"""What the dict-model fixture generators share (dict_inputs/make_dict_inputs.py, dict_outputs/make_dict_outputs.py):
Keras 3.15.1 on jax checked, their seeded data saved as .npy, a model saved as .keras (re-zipped, keras_zip) and legacy
.h5 and read back by Keras with the same predictions, logs as floats. They run from their own folder and import it
through the parent folder, as keras_zip:
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
"""
import os
os.environ.setdefault("KERAS_BACKEND", "jax")
import numpy as np
import keras

from keras_zip import deflate

assert keras.__version__ == "3.15.1", keras.__version__


def arrays(seed, specs):
    """One float32 array per (name, kind, shape) of specs, drawn in order from RandomState(seed) and saved as name.npy:
    kind "normal" (randn), "binary" (rand > 0.5: 0/1 targets) or "weight" (rand + 0.5: sample weights)."""
    rng = np.random.RandomState(seed)
    out = {}
    for name, kind, shape in specs:
        a = {"normal": lambda: rng.randn(*shape).astype("float32"),
             "binary": lambda: (rng.rand(*shape) > 0.5).astype("float32"),
             "weight": lambda: rng.rand(*shape).astype("float32") + 0.5}[kind]()   # 0.5 added in float32, as the first scripts did
        np.save(name + ".npy", a)
        out[name] = a
    return out


def floats(d):
    """A logs dict (return_dict=True) as plain floats, for expected.json."""
    return {k: float(v) for k, v in d.items()}


def save_both(name, m):
    """m saved as name.keras (deflated) and name.h5."""
    m.save(name + ".keras")
    m.save(name + ".h5")
    deflate(name + ".keras")


def reload_both(name, x, p, check, what):
    """Keras reads name.keras and name.h5 back; check(again, q, f) asserts what it keeps (the dict) given its predictions q
    on x, which are p's (printed: the largest difference, and what(again)). Keras cannot read its legacy "mse" back, so the
    .h5 loads uncompiled."""
    for f in (name + ".keras", name + ".h5"):
        again = keras.models.load_model(f, compile=f.endswith(".keras"))
        q = again.predict(x, verbose=0)
        check(again, q, f)
        diff = max(float(np.max(np.abs(np.asarray(a) - np.asarray(b)))) for a, b in zip(keras.tree.flatten(p), keras.tree.flatten(q)))
        print(f, what(again), "reload diff", diff)
