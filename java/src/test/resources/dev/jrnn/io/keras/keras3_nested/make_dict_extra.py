"""A nested model of DICT inputs {"b", "c"} called on a dict with a key more (NestedKerasIoTest), beside make_dict_calls.py.
Keras 3.15.1 does not match such a call by key: Functional._standardize_inputs leaves a dict given to dict inputs as it is
(a warning: "The structure of `inputs` doesn't match the expected structure"), and _run_through_graph flattens it in
sorted-key order and pairs it with the inputs (sorted keys too) by position, the extra values past the end dropped.
  dictextra:     enc({"a": xa, "b": xb, "c": xc}): Keras pairs a->b and b->c: it computes Dense(xa - xb), not Dense(xb - xc).
                 Inputs dictextra_x0..2 (xa, xb, xc); Keras' predictions dictextra_y0 (jrnn refuses the file).
  dictextralast: enc({"b": xb, "c": xc, "z": xa}): the extra key sorts last, so position and key agree: Dense(xb - xc).
                 Same inputs; predictions dictextralast_y0.
Run from this folder: KERAS_BACKEND=jax python make_dict_extra.py (Keras 3.15.1 and jax, as ci/keras3/venv.sh installs).
"""
import os
import zipfile
os.environ.setdefault("KERAS_BACKEND", "jax")
import numpy as np
import keras
from keras import layers as L

assert keras.__version__ == "3.15.1", keras.__version__
keras.utils.set_random_seed(12)
rng = np.random.RandomState(12)


def deflate(path):
    with zipfile.ZipFile(path) as z: members = [(i, z.read(i)) for i in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for i, data in members: z.writestr(zipfile.ZipInfo(i.filename, i.date_time), data, zipfile.ZIP_DEFLATED)


xs = [rng.normal(size=(4, 3)).astype("float32") for _ in range(3)]
for name, keys in [("dictextra", ("a", "b", "c")), ("dictextralast", ("z", "b", "c"))]:
    b = keras.Input((3,), name="b"); c = keras.Input((3,), name="c")
    enc = keras.Model({"b": b, "c": c}, L.Dense(2, name="d")(L.Subtract(name="sub")([b, c])), name="enc")
    ins = [keras.Input((3,), name=n) for n in ("xa", "xb", "xc")]
    m = keras.Model(ins, enc(dict(zip(keys, ins))), name=name)
    m.save(name + ".keras"); deflate(name + ".keras")
    y = np.asarray(m.predict(xs, verbose=0))
    w, bias = enc.get_layer("d").get_weights()
    by_position = (xs[0] - xs[1]) @ w + bias if name == "dictextra" else (xs[1] - xs[2]) @ w + bias
    assert np.allclose(y, by_position, atol=1e-5), name   # what the docstring says Keras computes
    for i, x in enumerate(xs): np.save(f"{name}_x{i}.npy", x)
    np.save(name + "_y0.npy", y)
print("keras", keras.__version__)
