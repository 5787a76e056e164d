"""Keras 3.15.1 loading what jrnn's model.save wrote for the dict-input models (SaveDictBack.java): jrnn_<n>.keras and
jrnn_<n>.h5 must load with the dict of inputs under the same keys (to the same Input names) and predict Keras' own values
(expected.json) on x given by those keys; the .keras, compiled, must evaluate as Keras' own file. Run from this folder
after SaveDictBack.java: KERAS_BACKEND=jax python check_jrnn_saves.py (session 30: every check held, predictions equal
to 0.0, evaluate equal to the last digit).
"""
import json, os
os.environ.setdefault("KERAS_BACKEND", "jax")
import numpy as np, keras
assert keras.__version__ == "3.15.1", keras.__version__
exp = json.load(open("expected.json"))
xl, xr = np.load("x_left.npy"), np.load("x_right.npy")
y = {"zz": np.load("y_zz.npy"), "aa": np.load("y_aa.npy")}
for n, keys in [("cross", ("left", "right")), ("rename", ("price", "kind"))]:
    x = {keys[0]: xl, keys[1]: xr}
    for ext in (".keras", ".h5"):
        m = keras.models.load_model(f"jrnn_{n}{ext}", compile=ext == ".keras")   # Keras cannot read its legacy "mse" back
        assert isinstance(m.input, dict), (n, ext, m.input)
        assert sorted(m.input) == sorted(keys) and [m.input[k].name for k in sorted(keys)] == exp[n]["inputs"], (n, ext, m.input)
        diff = max(float(np.max(np.abs(np.asarray(a)[:, 0] - np.asarray(b)))) for a, b in zip(m.predict(x, verbose=0), exp[n]["predict"]))
        assert diff < 1e-6, (n, ext, diff)
        line = f"jrnn_{n}{ext}: inputs {dict((k, v.name) for k, v in m.input.items())}, predict diff {diff}"
        if ext == ".keras":
            r = m.evaluate(x, y, verbose=0, return_dict=True)
            assert all(abs(r[k] - v) < 1e-5 for k, v in exp[n]["evaluate"].items()), (n, r)
            line += f", evaluate {r}"
        print(line)
