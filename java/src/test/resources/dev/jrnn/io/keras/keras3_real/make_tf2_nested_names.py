"""tf.keras 2 nested models whose legacy .h5 does not say they were frozen (no nested model's "trainable" in the config,
as Keras 2 and tf.keras 2 before about 2.12 write), saved by the tf.keras 2 engine bundled in TensorFlow 2.21
(tensorflow.python.keras, its version set to 2.15.0 so that it saves). jrnn tells each group's order from its
weight_names (NestedWeightNamesTest). Run with the TF venv's python in this folder; prints each file's weight_names
and tf.keras 2's predictions, which the test holds jrnn to.
  tf2_frozen_bn.h5 (BatchNormalization: a stand-in, see the class): top > A (LSTM a_lstm, B, Dense a2) > B (Dense b1, BatchNormalization bn, Dense b2), B frozen,
    then b2 unfrozen; bn's moving statistics set away from 0 / 1; input tf2_names_seq_x.npy (4, 5, 3).
  tf2_three_deep.h5: top > A (a1, B, a2) > B (b1, C, b2) > C (c1, c2), C frozen, then c2 unfrozen (B, of mixed
    flags below, trains); input deep_nested_x.npy.
  tf2_unfrozen_all.h5: tf2_unflagged.h5's model with B frozen, then both b1 and b2 unfrozen (their flags say true,
    B's own is not saved: A's group a1, a2, b1, b2).
  tf2_renamed.h5: tf2_unflagged.h5's model (top > A (a1, B, a2) > B (b1, b2), B frozen, b2 unfrozen) with b1 and b2
    renamed to each other's names after they were built: their variables keep the old names.
  tf2_name_parts.h5: top > A (LSTM lstm, B, Dense b1) > B (LSTM lstm_1, Dense b11), B frozen, then b11 unfrozen: layer
    names that are parts of others' (b1 of b11, lstm of lstm_1), and the LSTMs' cells named lstm_cell_1 and lstm_cell
    the other way round; input tf2_names_seq_x.npy."""
import numpy as np
import h5py
import tensorflow as tf
import tensorflow.python.keras as tk
tk.__version__ = "2.15.0"
from tensorflow.python.keras import layers as L, Input, Model
from tensorflow.python.keras.engine import sequential
from tensorflow.python.keras.layers import recurrent
from tensorflow.python.keras.engine.base_layer import Layer


class BatchNormalization(Layer):
    """The bundled engine lacks BatchNormalization: this stands in for tf.keras 2's at inference, with its variables
    (gamma, beta trainable; moving_mean, moving_variance not, made by add_weight under those names as tf.keras 2's)
    and its config, so the file holds what tf.keras 2's layer would."""

    def __init__(self, epsilon=1e-3, **kw):
        super().__init__(**kw)
        self.epsilon = epsilon

    def build(self, shape):
        n = shape[-1]
        self.gamma = self.add_weight(name="gamma", shape=(n,), initializer="ones")
        self.beta = self.add_weight(name="beta", shape=(n,), initializer="zeros")
        self.moving_mean = self.add_weight(name="moving_mean", shape=(n,), initializer="zeros", trainable=False)
        self.moving_variance = self.add_weight(name="moving_variance", shape=(n,), initializer="ones", trainable=False)

    def call(self, x):
        return (x - self.moving_mean) / tf.sqrt(self.moving_variance + self.epsilon) * self.gamma + self.beta

    def get_config(self):
        c = super().get_config()
        c.update({"axis": -1, "momentum": 0.99, "epsilon": self.epsilon, "center": True, "scale": True,
                  "beta_initializer": {"class_name": "Zeros", "config": {}},
                  "gamma_initializer": {"class_name": "Ones", "config": {}},
                  "moving_mean_initializer": {"class_name": "Zeros", "config": {}},
                  "moving_variance_initializer": {"class_name": "Ones", "config": {}},
                  "beta_regularizer": None, "gamma_regularizer": None, "beta_constraint": None,
                  "gamma_constraint": None})
        return c


def show(m, path, x):
    m.save(path)
    with h5py.File(path) as f:
        g = f["model_weights"]
        for l in g.attrs["layer_names"]:
            l = l.decode() if isinstance(l, bytes) else l
            names = [n.decode() if isinstance(n, bytes) else n for n in g[l].attrs.get("weight_names", [])]
            if names:
                print(path, l, names)
    print(path, "tf.keras 2 predicts", np.round(m(x).numpy(), 6).ravel().tolist())


tf.random.set_seed(5)
rng = np.random.RandomState(5)
xs = rng.randn(4, 5, 3).astype("float32")
np.save("tf2_names_seq_x.npy", xs)
B = sequential.Sequential([Input((3,)), L.Dense(3, name="b1"), BatchNormalization(name="bn"), L.Dense(3, name="b2")],
                          name="B")
bn = B.get_layer("bn")
bn.set_weights([rng.uniform(0.5, 1.5, 3), rng.randn(3), rng.randn(3), rng.uniform(0.5, 2.0, 3)])
ai = Input((5, 3), name="ai")
A = Model(ai, L.Dense(3, name="a2")(B(recurrent.LSTM(3, name="a_lstm")(ai))), name="A")
inp = Input((5, 3), name="inp")
m = Model(inp, L.Dense(1, name="out")(A(inp)), name="top")
B.trainable = False
B.get_layer("b2").trainable = True
show(m, "tf2_frozen_bn.h5", xs)

x = np.load("deep_nested_x.npy")
tf.random.set_seed(6)
C = sequential.Sequential([Input((3,)), L.Dense(3, name="c1"), L.Dense(3, name="c2")], name="C")
bi = Input((3,), name="bi")
B = Model(bi, L.Dense(3, name="b2")(C(L.Dense(3, name="b1")(bi))), name="B")
ai = Input((3,), name="ai")
A = Model(ai, L.Dense(3, name="a2")(B(L.Dense(3, name="a1")(ai))), name="A")
inp = Input((3,), name="inp")
m = Model(inp, L.Dense(1, name="out")(A(inp)), name="top")
C.trainable = False
C.get_layer("c2").trainable = True
show(m, "tf2_three_deep.h5", x)

tf.random.set_seed(3)
B = sequential.Sequential([Input((3,)), L.Dense(3, name="b1"), L.Dense(3, name="b2")], name="B")
ai = Input((3,), name="ai")
A = Model(ai, L.Dense(3, name="a2")(B(L.Dense(3, name="a1")(ai))), name="A")
inp = Input((3,), name="inp")
m = Model(inp, L.Dense(1, name="out")(A(inp)), name="top")
B.trainable = False
B.get_layer("b2").trainable = True
B.get_layer("b1").trainable = True
show(m, "tf2_unfrozen_all.h5", x)
B.get_layer("b1").trainable = False
first, second = B.layers
first._name, second._name = "b2", "b1"
show(m, "tf2_renamed.h5", x)

xs = np.load("tf2_names_seq_x.npy")
tf.random.set_seed(11)
bi = Input((5, 3), name="bi")
B = Model(bi, L.Dense(3, name="b11")(recurrent.LSTM(3, return_sequences=True, name="lstm_1")(bi)), name="B")
ai = Input((5, 3), name="ai")
A = Model(ai, L.Dense(3, name="b1")(B(recurrent.LSTM(3, return_sequences=True, name="lstm")(ai))), name="A")
inp = Input((5, 3), name="inp")
m = Model(inp, L.Dense(1, name="out")(A(inp)), name="top")
B.trainable = False
B.get_layer("b11").trainable = True
show(m, "tf2_name_parts.h5", xs)
