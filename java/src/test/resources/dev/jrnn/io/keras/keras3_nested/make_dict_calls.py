"""Nested models called on a dict (NestedKerasIoTest), beside make_nested_io.py:
  dictcall: make_nested_io.py's dictcall.keras (a nested model of dict inputs {"a", "b"} called on a dict), loaded here
            and predicted on dictcall_x0 (x) and dictcall_x1 (s): dictcall_y0. The file is not rewritten.
  dictlist: a nested model of LIST inputs [seq, h] called on the dict {"seq": x, "h": s}: Keras 3 matches a dict to a
            list of inputs by the inputs' names (Functional._standardize_inputs), not by sorted key (h, seq); saved as
            .keras; inputs dictlist_x0 (x), dictlist_x1 (s), predictions dictlist_y0.
  tk2_dict_call.json / tk2_dict_inputs.json: tk2_nested_call.json (tf.keras 2.13's layout, written by hand from its
            node.py: no tf_keras here) with enc's inputs flat [x, h0, c0] and its call a dict node
            {"x": [ox...], "h0": [s1...], "c0": [s2...]} (Node.serialize maps the first argument's structure; tf.keras
            2's Functional matches a dict to flat list inputs by the Input names: _flatten_to_reference_inputs), and
            with enc's inputs the dict {"seq": x, "h": h0, "c": c0} called on {"seq": ox, "h": s1, "c": s2} (by sorted
            key). Both compute inp.keras' model: with its weights they predict inp_y0 from inp_x0..2.
Run from this folder: KERAS_BACKEND=jax python make_dict_calls.py (Keras 3.15.1 and jax, as ci/keras3/venv.sh installs).
"""
import copy
import json
import os
import zipfile
os.environ.setdefault("KERAS_BACKEND", "jax")
import numpy as np
import keras
from keras import layers as L

assert keras.__version__ == "3.15.1", keras.__version__
keras.utils.set_random_seed(11)
rng = np.random.RandomState(11)


def deflate(path):
    with zipfile.ZipFile(path) as z: members = [(i, z.read(i)) for i in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for i, data in members: z.writestr(zipfile.ZipInfo(i.filename, i.date_time), data, zipfile.ZIP_DEFLATED)


x = rng.normal(size=(4, 5, 3)).astype("float32")
s = rng.normal(size=(4, 3)).astype("float32")
m = keras.models.load_model("dictcall.keras")
np.save("dictcall_x0.npy", x); np.save("dictcall_x1.npy", s)
np.save("dictcall_y0.npy", np.asarray(m.predict([x, s], verbose=0)))

seq = keras.Input((5, 3), name="seq"); h = keras.Input((3,), name="h")
enc = keras.Model([seq, h], L.GRU(3, name="g")(seq, initial_state=[h]), name="enc")
xo = keras.Input((5, 3), name="x"); so = keras.Input((3,), name="s")
m = keras.Model([xo, so], L.Dense(2, name="d")(enc({"seq": xo, "h": so})), name="dictlist")
m.save("dictlist.keras"); deflate("dictlist.keras")
np.save("dictlist_x0.npy", x); np.save("dictlist_x1.npy", s)
np.save("dictlist_y0.npy", np.asarray(m.predict([x, s], verbose=0)))

with open("tk2_nested_call.json") as f: base = json.load(f)
for name, inputs, call in [
        ("tk2_dict_call.json", [["x", 0, 0], ["h0", 0, 0], ["c0", 0, 0]],
         {"x": ["ox", 0, 0, {}], "h0": ["s1", 0, 0, {}], "c0": ["s2", 0, 0, {}]}),
        ("tk2_dict_inputs.json", {"seq": ["x", 0, 0], "h": ["h0", 0, 0], "c": ["c0", 0, 0]},
         {"seq": ["ox", 0, 0, {}], "h": ["s1", 0, 0, {}], "c": ["s2", 0, 0, {}]})]:
    d = copy.deepcopy(base)
    enc = next(l for l in d["config"]["layers"] if l["name"] == "enc")
    enc["config"]["input_layers"] = inputs
    enc["inbound_nodes"] = [call]
    with open(name, "w") as f: json.dump(d, f)
print("keras", keras.__version__)
