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
Session 33 adds, per model, Keras' keyed calls (keyed_calls): predict_on_batch and predict over a dataset of dicts in batches of
4 (both dicts), test_on_batch with a dict y (and a dict sample_weight), evaluate with sample_weight {first key: sw, second:
None} (evaluate_sw_none: None leaves that output unweighted), the refusal of a sample_weight dict that leaves an output out
by evaluate, test_on_batch, train_on_batch, fit and fit's validation_data (sw_missing_refused), and on the model read back
from its .keras a weighted train_on_batch, an unweighted one after it, and predict after both; renamed's input_dict_keys
(Keras keeps the dict's order, q before p).
The dicts here come from jax, which sorts their keys; predict_keys_tf.py records TensorFlow's order (the model's), which
jrnn follows.
Run from this folder: KERAS_BACKEND=jax python make_dict_outputs.py (Keras 3.15.1 and jax, as ci/keras3/venv.sh installs);
what it shares with make_dict_inputs.py (data, saving, reading back) is ../keras_dict_models.py.
"""
import json
import os
import sys
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from keras_dict_models import arrays, floats, keras, reload_both, save_both

L = keras.layers
a = arrays(7, [("x", "normal", (6, 4)), ("x2", "normal", (6, 3)), ("y_price", "normal", (6, 2)), ("y_kind", "binary", (6, 1)),
               ("sw", "weight", (6,)), ("sw2", "weight", (6,))])
x, x2, yp, yk, sw, sw2 = (a[k] for k in ("x", "x2", "y_price", "y_kind", "sw", "sw2"))


def refusal(f):
    """Keras' refusal of f(): its exception's class and the first line of its message."""
    try:
        f()
    except Exception as e:
        return type(e).__name__ + ": " + str(e).splitlines()[0]
    raise AssertionError("Keras took it")


class Batches(keras.utils.PyDataset):
    """xs (a dict or one array) in batches of 4, as a dataset of dicts: Keras' predict(ds)."""
    def __init__(self, xs):
        super().__init__()
        self.xs = xs

    def __len__(self):
        return 2

    def __getitem__(self, i):
        return keras.tree.map_structure(lambda v: v[4 * i:4 * i + 4], self.xs)


def record(name, m, xs, keys):
    """keys: the output keys, the 2-wide one first (it takes y_price and sw)."""
    y = {keys[0]: yp, keys[1]: yk}
    save_both(name, m)
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
    keyed_calls(name, m, xs, y, keys, r)

    def check(again, q, f):   # Keras reads its files back with the same dict and predictions
        assert isinstance(q, dict) and sorted(q) == sorted(p), (f, q)
    reload_both(name, xs, p, check, lambda again: "output keys " + str(sorted(again.output)))
    return r


def keyed_calls(name, m, xs, y, keys, r):
    """Session 33: the keyed forms a Keras user calls, on m (untrained) and on a copy read back from its .keras (trained)."""
    w = {keys[0]: sw, keys[1]: sw2}
    pob = m.predict_on_batch(xs)
    assert isinstance(pob, dict), type(pob)
    r["predict_on_batch"] = {k: np.asarray(v).ravel().tolist() for k, v in pob.items()}
    pds = m.predict(Batches(xs), verbose=0)   # a dataset of dicts, in batches of 4 and 2
    assert isinstance(pds, dict), type(pds)
    r["predict_dataset_b4"] = {k: np.asarray(v).ravel().tolist() for k, v in pds.items()}
    r["test_on_batch"] = floats(m.test_on_batch(xs, y, return_dict=True))
    r["test_on_batch_sw"] = floats(m.test_on_batch(xs, y, sample_weight=w, return_dict=True))
    # None for an output: that output unweighted
    r["evaluate_sw_none"] = floats(m.evaluate(xs, y, sample_weight={keys[0]: sw, keys[1]: None}, verbose=0, return_dict=True))
    # a sample_weight dict that leaves an output out: refused by each call
    r["sw_missing_refused"] = {
        "evaluate": refusal(lambda: m.evaluate(xs, y, sample_weight={keys[0]: sw}, verbose=0)),
        "test_on_batch": refusal(lambda: m.test_on_batch(xs, y, sample_weight={keys[0]: sw})),
        "train_on_batch": refusal(lambda: m.train_on_batch(xs, y, sample_weight={keys[1]: sw2})),
        "fit": refusal(lambda: m.fit(xs, y, sample_weight={keys[0]: sw}, verbose=0)),
        "fit_validation": refusal(lambda: m.fit(xs, y, validation_data=(xs, y, {keys[1]: sw2}), verbose=0))}
    c = keras.models.load_model(name + ".keras")
    r["train_on_batch_sw"] = floats(c.train_on_batch(xs, y, sample_weight=w, return_dict=True))
    r["train_on_batch_then"] = floats(c.train_on_batch(xs, y, return_dict=True))
    r["predict_after_train_on_batch"] = {k: np.asarray(v).ravel().tolist() for k, v in c.predict(xs, verbose=0).items()}


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
out["renamed"]["input_dict_keys"] = list(m.input)   # Keras keeps the dict's own order: q, p
with open("expected.json", "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
