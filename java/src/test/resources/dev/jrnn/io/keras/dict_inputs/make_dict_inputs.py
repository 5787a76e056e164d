"""Keras 3.15.1 functional models whose inputs are a DICT whose keys are not the Input layers' names (KerasCallsTest),
saved by Keras as .keras and legacy .h5, with Keras' own numbers in expected.json:
  cross:  keras.Model({"left": Input((3,), name="right"), "right": Input((3,), name="left")}, [zz, aa])
          keys cross the names; outputs in the order [zz, aa] (sorted order aa, zz); compiled with the loss a dict by
          output name and loss_weights a list, which Keras reads by position in output order (zz: 0.3, aa: 2.0)
  rename: keras.Model({"price": Input((3,), name="price_in"), "kind": Input((3,), name="kind_in")}, [zz, aa]) compiled
          with the loss a list and loss_weights a dict {"zz": 0.25, "aa": 4.0}, which Keras 3 flattens by sorted key and
          pairs by position: zz gets aa's 4.0, aa gets zz's 0.25
Keras feeds x={"left": xl, "right": xr} by the dict's keys (Functional._standardize_inputs: tree.flatten by sorted key,
zipped with model.inputs, also sorted by key), so the Input named "right" gets xl. Data: x_left.npy / x_right.npy (6, 3),
y_zz.npy (6, 1), y_aa.npy (6, 1) of 0/1, sw.npy and sw2.npy (6,). expected.json holds, per model: predict (both outputs,
by key), evaluate (return_dict) unweighted, with sample_weight=sw (every output) and with [sw, sw2] (one per output), and
for cross a 2-epoch SGD fit (batch 3, no shuffle) with validation_data=(x_dict, [y_zz, y_aa], [sw, sw2]): its history.
The targets go as a list where weights are given: Keras 3.15.1 refuses a dict y with any sample_weight (KeyError 0 in
compile_utils.resolve_path, on jax and tensorflow alike), so jrnn's dict-y forms with weights are checked against these.
Run from this folder: KERAS_BACKEND=jax python make_dict_inputs.py (Keras 3.15.1 and jax, as ci/keras3/venv.sh installs);
what it shares with make_dict_outputs.py (data, saving, reading back) is ../keras_dict_models.py.
"""
import json
import os
import sys
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from keras_dict_models import arrays, floats, keras, reload_both, save_both

L = keras.layers
a = arrays(5, [("x_left", "normal", (6, 3)), ("x_right", "normal", (6, 3)), ("y_zz", "normal", (6, 1)),
               ("y_aa", "binary", (6, 1)), ("sw", "weight", (6,)), ("sw2", "weight", (6,))])
xl, xr, yz, ya, sw, sw2 = (a[k] for k in ("x_left", "x_right", "y_zz", "y_aa", "sw", "sw2"))


def build(name, k1, n1, k2, n2):
    keras.utils.set_random_seed(3)
    i1 = keras.Input((3,), name=n1)
    i2 = keras.Input((3,), name=n2)
    h = L.Concatenate(name="cat")([i1, L.Dense(3, name="d")(i2)])
    zz = L.Dense(1, name="zz")(h)
    aa = L.Dense(1, activation="sigmoid", name="aa")(h)
    return keras.Model({k1: i1, k2: i2}, [zz, aa], name=name)


def record(name, m, x):
    save_both(name, m)
    p = m.predict(x, verbose=0)
    r = {"inputs": [t.name for t in m.inputs], "input_dict_keys": list(m.input), "output_names": list(m.output_names),
         "predict": [np.asarray(a)[:, 0].tolist() for a in p],
         "evaluate": floats(m.evaluate(x, {"zz": yz, "aa": ya}, verbose=0, return_dict=True)),
         "evaluate_sw": floats(m.evaluate(x, [yz, ya], sample_weight=sw, verbose=0, return_dict=True)),
         "evaluate_sw_per_output": floats(m.evaluate(x, [yz, ya], sample_weight=[sw, sw2], verbose=0, return_dict=True))}

    def check(again, q, f):   # Keras reads its files back with the same dict, in its order
        assert isinstance(again.input, dict) and list(again.input) == list(m.input), (f, again.input)
    reload_both(name, x, p, check, lambda again: "input keys " + str(list(again.input)))
    return r


out = {}
m = build("cross", "left", "right", "right", "left")
m.compile(keras.optimizers.SGD(0.1), loss={"aa": "binary_crossentropy", "zz": "mse"}, loss_weights=[0.3, 2.0])
x = {"left": xl, "right": xr}
out["cross"] = record("cross", m, x)
# which inputs the keys reach: the Input named "right" takes x["left"]
out["cross"]["predict_swapped"] = [np.asarray(a)[:, 0].tolist() for a in m.predict({"left": xr, "right": xl}, verbose=0)]
h = m.fit(x, {"zz": yz, "aa": ya}, epochs=2, batch_size=3, shuffle=False, verbose=0, validation_data=(x, [yz, ya], [sw, sw2]))
out["cross"]["fit_history"] = {k: [float(v) for v in vs] for k, vs in h.history.items()}
out["cross"]["predict_after_fit"] = [np.asarray(a)[:, 0].tolist() for a in m.predict(x, verbose=0)]

m = build("rename", "price", "price_in", "kind", "kind_in")
m.compile(keras.optimizers.SGD(0.1), loss=["mse", "binary_crossentropy"], loss_weights={"zz": 0.25, "aa": 4.0})
out["rename"] = record("rename", m, {"price": xl, "kind": xr})
e = out["rename"]["evaluate"]
print("rename: loss", e["loss"], "= 4.0 * zz_loss + 0.25 * aa_loss:", 4.0 * e["zz_loss"] + 0.25 * e["aa_loss"])
with open("expected.json", "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
