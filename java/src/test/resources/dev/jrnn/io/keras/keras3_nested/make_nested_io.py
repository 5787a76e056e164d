"""Keras 3.15.1 functional models whose inputs or outputs are NESTED structures (NestedKerasIoTest), saved by Keras
itself as .keras and legacy .h5, with Keras' predictions: the inputs <name>_x<k>.npy and outputs <name>_y<k>.npy are
numbered in keras.tree.flatten order (dicts by sorted key), the order jrnn takes and gives them in.
  out:   o, *states = LSTM(3, return_state=True)(i); Model(i, [o, states])           outputs [o, [h, c]]
  cells: RNN([LSTMCell(3), GRUCell(2)], return_state=True)(i); Model(i, list(...))    outputs [o, [h1, c1], h2]
  inp:   Model([x, [h0, c0]], LSTM(3)(x, initial_state=[h0, c0]))                     inputs [x, [h0, c0]]
  dict:  Model(i, {"z_seq": o, "a_states": [h, c]})                                   outputs h, c, o once flattened
  sub:   a functional model of nested inputs and outputs called inside another one (its call's args nested too)
  dictcall: a nested model of dict inputs called on a dict (.keras only; its predictions: make_dict_calls.py)
Each .keras is re-zipped with deflate (members byte for byte as Keras wrote them), as keras3_real's. Also prints Keras'
evaluate loss of the compiled out.keras on constant targets (0.3, [-0.2, 0.5]), which NestedKerasIoTest holds.
Run from this folder: KERAS_BACKEND=jax python make_nested_io.py (Keras 3.15.1 and jax, as ci/keras3/venv.sh installs).
(From an outside tester's repro_nested/make.py.)
"""
import os
import sys
os.environ.setdefault("KERAS_BACKEND", "jax")
import numpy as np
import keras
from keras import layers as L

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from keras_zip import deflate

assert keras.__version__ == "3.15.1", keras.__version__
keras.utils.set_random_seed(7)
rng = np.random.RandomState(0)


def save(name, model, xs):
    """xs: the model's input structure of arrays; writes the model, its flat inputs and Keras' flat predictions."""
    model.save(f"{name}.keras")
    model.save(f"{name}.h5")
    deflate(f"{name}.keras")
    for k, x in enumerate(keras.tree.flatten(xs)):
        np.save(f"{name}_x{k}.npy", x)
    y = model.predict(xs, verbose=0)
    for k, a in enumerate(keras.tree.flatten(y)):
        np.save(f"{name}_y{k}.npy", np.asarray(a))
    # Keras reads its own files back with the same structure and predictions
    for f in (f"{name}.keras", f"{name}.h5"):
        again = keras.models.load_model(f, compile=f.endswith(".keras"))   # Keras cannot read its legacy "mse" back
        y2 = again.predict(xs, verbose=0)
        err = max(float(np.max(np.abs(np.asarray(a) - np.asarray(b)))) for a, b in zip(keras.tree.flatten(y), keras.tree.flatten(y2)))
        print(f, "outputs", keras.tree.map_structure(lambda t: tuple(t.shape), y2), "reload diff", err)


x = rng.randn(2, 5, 3).astype("float32")

i = keras.Input((5, 3), name="x")
o, *states = L.LSTM(3, return_state=True, name="lstm")(i)
m = keras.Model(i, [o, states], name="out")
m.compile(optimizer="adam", loss="mse")
save("out", m, x)
t = [np.full((2, 3), 0.3, "float32"), [np.full((2, 3), -0.2, "float32"), np.full((2, 3), 0.5, "float32")]]
print("out.keras evaluate loss (targets 0.3, [-0.2, 0.5]):", repr(keras.models.load_model("out.keras").evaluate(x, t, verbose=0)))

i = keras.Input((5, 3), name="x")
r = L.RNN([L.LSTMCell(3), L.GRUCell(2)], return_state=True, name="rnn")(i)
save("cells", keras.Model(i, list(r), name="cells"), x)

xi = keras.Input((5, 3), name="x")
h0 = keras.Input((3,), name="h0")
c0 = keras.Input((3,), name="c0")
m = keras.Model([xi, [h0, c0]], L.LSTM(3, name="lstm")(xi, initial_state=[h0, c0]), name="inp")
s = [rng.randn(2, 3).astype("float32"), rng.randn(2, 3).astype("float32")]
save("inp", m, [x, s])

i = keras.Input((5, 3), name="x")
o, h, c = L.LSTM(3, return_sequences=True, return_state=True, name="lstm")(i)
save("dict", keras.Model(i, {"z_seq": o, "a_states": [h, c]}, name="dict"), x)

xi = keras.Input((5, 3), name="enc_x")
h0 = keras.Input((3,), name="enc_h0")
c0 = keras.Input((3,), name="enc_c0")
o, h, c = L.LSTM(3, return_state=True, name="enc_lstm")(xi, initial_state=[h0, c0])
enc = keras.Model([xi, [h0, c0]], [o, [h, c]], name="enc")
xo = keras.Input((5, 3), name="x")
s1 = keras.Input((3,), name="s1")
s2 = keras.Input((3,), name="s2")
o2, (h2, c2) = enc([xo, [s1, s2]])
y = L.Dense(2, name="head")(L.Concatenate(name="cat")([o2, h2, c2]))
save("sub", keras.Model([xo, [s1, s2]], [y, [c2]], name="sub"), [x, s])

a = keras.Input((5, 3), name="a")
b = keras.Input((3,), name="b")
enc = keras.Model({"a": a, "b": b}, L.LSTM(3, name="l")(a, initial_state=[b, b]), name="enc")
xo = keras.Input((5, 3), name="x")
s1 = keras.Input((3,), name="s")
keras.Model([xo, s1], L.Dense(1, name="d")(enc({"a": xo, "b": s1})), name="dictcall").save("dictcall.keras")
deflate("dictcall.keras")
