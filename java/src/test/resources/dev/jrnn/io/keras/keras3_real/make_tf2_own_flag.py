"""tf2_own_flag.h5: saved by the tf.keras 2 engine bundled in TensorFlow 2.21 (tensorflow.python.keras, its version set
to 2.15.0 so that it saves), which writes no nested model's "trainable": top > A (a1, B, a2, C) > B (Dense b1, b2),
C (Dense c1, Activation c2). B frozen, then b2 unfrozen, and b1 and b2 renamed to each other's names after the build
(their variables keep the old names: A's weight_names agree with no order, as tf2_renamed.h5). C trains with c1 frozen
(its flags mixed: doubtful too), but its one weighted layer is frozen, so C's arrays sit in the same place of A's group
whether C was frozen or not: only B's own flag changes the order, and jrnn's warning names A > B alone
(NestedWeightNamesTest; it named A > C too). Run with the TF venv's python in this folder; prints A's weight_names."""
import h5py
import tensorflow as tf
import tensorflow.python.keras as tk
tk.__version__ = "2.15.0"
from tensorflow.python.keras import layers as L, Input, Model
from tensorflow.python.keras.engine import sequential

tf.random.set_seed(7)
B = sequential.Sequential([Input((3,)), L.Dense(3, name="b1"), L.Dense(3, name="b2")], name="B")
C = sequential.Sequential([Input((3,)), L.Dense(3, name="c1"), L.Activation("relu", name="c2")], name="C")
ai = Input((3,), name="ai")
A = Model(ai, C(L.Dense(3, name="a2")(B(L.Dense(3, name="a1")(ai)))), name="A")
inp = Input((3,), name="inp")
m = Model(inp, L.Dense(1, name="out")(A(inp)), name="top")
B.trainable = False
B.get_layer("b2").trainable = True
C.get_layer("c1").trainable = False
first, second = B.layers
first._name, second._name = "b2", "b1"
m.save("tf2_own_flag.h5")
with h5py.File("tf2_own_flag.h5") as f:
    print("A's weight_names", [n.decode() if isinstance(n, bytes) else n for n in f["model_weights"]["A"].attrs["weight_names"]])
