"""tf2_unflagged.h5: a model saved by the tf.keras 2 engine bundled in TensorFlow 2.21 (tensorflow.python.keras,
its version set to 2.15.0 so that it saves): top > A (a1, B, a2) > B (b1, b2), B frozen, then b2 unfrozen again. That
engine writes no nested model's "trainable" into the config (as Keras 2 and tf.keras 2 before about 2.12), so the file
does not say B was frozen, and A's group lists a1, a2, b2, b1 (B's trainable arrays first; a1, b2, a2, b1 would be a
trainable B's order): jrnn takes the order A's weight_names agree with (NestedWeightNamesTest; it read B as trainable
and warned before). Run with the TF venv's python."""
import numpy as np
import tensorflow as tf
import tensorflow.python.keras as tk
tk.__version__ = "2.15.0"
from tensorflow.python.keras import layers as L, Input, Model
from tensorflow.python.keras.engine import sequential

tf.random.set_seed(3)
B = sequential.Sequential([Input((3,)), L.Dense(3, name="b1"), L.Dense(3, name="b2")], name="B")
ai = Input((3,), name="ai")
A = Model(ai, L.Dense(3, name="a2")(B(L.Dense(3, name="a1")(ai))), name="A")
inp = Input((3,), name="inp")
m = Model(inp, L.Dense(1, name="out")(A(inp)), name="top")
B.trainable = False
B.get_layer("b2").trainable = True
m.save("tf2_unflagged.h5")
import h5py
with h5py.File("tf2_unflagged.h5") as f:
    print("keras_version", f.attrs["keras_version"])
    print("A's weight_names", [n.decode() if isinstance(n, bytes) else n for n in f["model_weights"]["A"].attrs["weight_names"]])
x = np.load("deep_nested_x.npy")
print("tf.keras 2 predicts", m(x).numpy().ravel().tolist())
