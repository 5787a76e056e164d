"""A model whose LIST of outputs holds a dict (NestedKerasIoTest), beside make_nested_io.py's dict holding a list:
  listdict: keras.Model(i, [Dense "f1", {"k": Dense "f2", "j": Dense "f3"}]), compiled with loss="mse".
Keras 3.15.1 keeps the nested structure: predict returns [array, {"j": ..., "k": ...}], and it names the logs by the path
to each output: f1_loss, 1/j_loss, 1/k_loss (evaluate printed below). jrnn loads it flattened in Keras' flatten order
(f1, then the dict by sorted key: f3 "j", f2 "k") and warns once. Inputs listdict_x0; Keras' predictions, flattened so,
listdict_y0..2.
Run from this folder: KERAS_BACKEND=jax python make_list_dict.py (Keras 3.15.1 and jax, as ci/keras3/venv.sh installs).
"""
import os
import zipfile
os.environ.setdefault("KERAS_BACKEND", "jax")
import numpy as np
import keras
from keras import layers as L

assert keras.__version__ == "3.15.1", keras.__version__
keras.utils.set_random_seed(13)
rng = np.random.RandomState(13)


def deflate(path):
    with zipfile.ZipFile(path) as z: members = [(i, z.read(i)) for i in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for i, data in members: z.writestr(zipfile.ZipInfo(i.filename, i.date_time), data, zipfile.ZIP_DEFLATED)


i = keras.Input((4,), name="inp")
m = keras.Model(i, [L.Dense(1, name="f1")(i), {"k": L.Dense(1, name="f2")(i), "j": L.Dense(1, name="f3")(i)}], name="listdict")
m.compile("sgd", loss="mse")
x = rng.normal(size=(3, 4)).astype("float32")
p = m.predict(x, verbose=0)
assert isinstance(p, list) and isinstance(p[1], dict), p
flat = keras.tree.flatten(p)
np.save("listdict_x0.npy", x)
for k, a in enumerate(flat): np.save(f"listdict_y{k}.npy", np.asarray(a))
y = [np.ones((3, 1)), {"k": np.ones((3, 1)), "j": np.ones((3, 1))}]
print("output_names", m.output_names, "evaluate", m.evaluate(x, y, verbose=0, return_dict=True))
m.save("listdict.keras"); deflate("listdict.keras")
