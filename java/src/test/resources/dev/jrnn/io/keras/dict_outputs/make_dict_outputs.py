"""Keras 3.15.1 functional models whose OUTPUTS are a dict (KerasCallsTest), saved by Keras as .keras and legacy .h5,
compiled with a loss dict, with Keras' own numbers in expected.json:
  same:    keras.Model(Input(name="inp"), {"price": Dense(2, name="price"), "kind": Dense(1, sigmoid, name="kind")}),
           keys equal to the layers' names (the outside tester's D5); loss and metrics dicts
  renamed: keras.Model({"q": Input(name="q_in"), "p": Input(name="p_in")}, {"b_out": Dense(2, name="alpha"),
           "a_out": Dense(1, sigmoid, name="zeta")}): keys not the layers' names, their sorted order (a_out, b_out) not the
           layers' (alpha, zeta); loss, loss_weights and metrics dicts by key. Keras 3 flattens the outputs by sorted key
           (model.outputs: zeta, alpha), reads y, losses and sample weights by key and names the logs by key (a_out_loss),
           though model.output_names are the layers' names [zeta, alpha]
Keras' file keeps output_layers a dict {key: ref} and its compile config the dicts; Keras predicts a dict, and evaluates
a dict y with a dict sample_weight (a list-output model refuses that: KeyError 0). Data: x.npy (6, 4), x2.npy (6, 3),
y_price.npy (6, 2), y_kind.npy (6, 1) of 0/1, sw.npy and sw2.npy (6,). expected.json, per model: inputs, outputs (the
layers' names of model.outputs), output_names, predict (a dict by key, flattened rows), evaluate (return_dict) with a
dict y, and with a dict y and dict sample_weight {first key: sw, second key: sw2} (evaluate_sw; evaluate_sw_b4 in
batches of 4); fit_val_sw_b4: the val_* logs of fit(x, y, sample_weight=0 for each key, validation_data=(x, y dict,
sample_weight dict), batch_size=4), on the model read back from its .keras (session 32: the numbers before it unchanged).
Run from this folder: KERAS_BACKEND=jax python make_dict_outputs.py (Keras 3.15.1 and jax, as ci/keras3/venv.sh installs).
"""
import json
import os
import sys
os.environ.setdefault("KERAS_BACKEND", "jax")
import numpy as np
import keras
from keras import layers as L

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from keras_zip import deflate

assert keras.__version__ == "3.15.1", keras.__version__
rng = np.random.RandomState(7)
x = rng.randn(6, 4).astype("float32")
x2 = rng.randn(6, 3).astype("float32")
yp = rng.randn(6, 2).astype("float32")
yk = (rng.rand(6, 1) > 0.5).astype("float32")
sw = rng.rand(6).astype("float32") + 0.5
sw2 = rng.rand(6).astype("float32") + 0.5
for n, a in [("x", x), ("x2", x2), ("y_price", yp), ("y_kind", yk), ("sw", sw), ("sw2", sw2)]:
    np.save(n + ".npy", a)


def floats(d):
    return {k: float(v) for k, v in d.items()}


def record(name, m, xs, keys):
    """keys: the output keys, the 2-wide one first (it takes y_price and sw)."""
    y = {keys[0]: yp, keys[1]: yk}
    m.save(name + ".keras")
    m.save(name + ".h5")
    deflate(name + ".keras")
    p = m.predict(xs, verbose=0)
    assert isinstance(p, dict), type(p)
    r = {"inputs": [t.name for t in m.inputs], "outputs": [t._keras_history[0].name for t in m.outputs],
         "output_names": list(m.output_names),
         "predict": {k: np.asarray(v).ravel().tolist() for k, v in p.items()},
         "evaluate": floats(m.evaluate(xs, y, verbose=0, return_dict=True)),
         "evaluate_sw": floats(m.evaluate(xs, y, sample_weight={keys[0]: sw, keys[1]: sw2}, verbose=0, return_dict=True)),
         "evaluate_sw_b4": floats(m.evaluate(xs, y, sample_weight={keys[0]: sw, keys[1]: sw2}, batch_size=4, verbose=0,
                                             return_dict=True))}
    # fit's validation_data=(x, y dict, sample_weight dict), in batches of 4, on the model read back from its .keras (so
    # the saved one stays untrained); training weighted by 0 leaves the weights as they are (SGD), so val_* is
    # evaluate_sw_b4's
    c = keras.models.load_model(name + ".keras")
    zero = {k: np.zeros(len(x), "float32") for k in keys}
    h = c.fit(xs, y, sample_weight=zero, validation_data=(xs, y, {keys[0]: sw, keys[1]: sw2}), batch_size=4, epochs=1,
              shuffle=False, verbose=0)
    r["fit_val_sw_b4"] = {k: float(v[-1]) for k, v in h.history.items() if k.startswith("val_")}
    assert max(abs(r["fit_val_sw_b4"]["val_" + k] - v) for k, v in r["evaluate_sw_b4"].items()) < 1e-5, r
    for f in (name + ".keras", name + ".h5"):   # Keras reads its files back with the same dict and predictions
        again = keras.models.load_model(f, compile=f.endswith(".keras"))   # Keras cannot read its legacy "mse" back
        q = again.predict(xs, verbose=0)
        assert isinstance(q, dict) and sorted(q) == sorted(p), (f, q)
        print(f, "output keys", sorted(q), "reload diff", max(float(np.max(np.abs(p[k] - q[k]))) for k in p))
    return r


out = {}
keras.utils.set_random_seed(3)
i = keras.Input((4,), name="inp")
m = keras.Model(i, {"price": L.Dense(2, name="price")(i), "kind": L.Dense(1, activation="sigmoid", name="kind")(i)}, name="same")
m.compile(keras.optimizers.SGD(0.1), loss={"price": "mse", "kind": "binary_crossentropy"},
          metrics={"kind": ["accuracy"], "price": ["mae"]})
out["same"] = record("same", m, x, ("price", "kind"))

keras.utils.set_random_seed(3)
q, p_ = keras.Input((4,), name="q_in"), keras.Input((3,), name="p_in")
h = L.Concatenate(name="cat")([q, L.Dense(2, name="d")(p_)])
m = keras.Model({"q": q, "p": p_}, {"b_out": L.Dense(2, name="alpha")(h), "a_out": L.Dense(1, activation="sigmoid", name="zeta")(h)},
                name="renamed")
m.compile(keras.optimizers.SGD(0.1), loss={"b_out": "mse", "a_out": "binary_crossentropy"},
          loss_weights={"b_out": 0.5, "a_out": 2.0}, metrics={"a_out": ["accuracy"], "b_out": ["mae"]})
out["renamed"] = record("renamed", m, {"q": x, "p": x2}, ("b_out", "a_out"))
with open("expected.json", "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
