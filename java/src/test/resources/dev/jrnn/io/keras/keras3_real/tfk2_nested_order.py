"""The legacy .h5 weight order of frozen nested models as tf.keras 2 writes it, from the tf.keras 2 engine bundled in
TensorFlow 2.21 (tensorflow.python.keras); run with KERAS_BACKEND=tensorflow and that TensorFlow's python. It prints
_legacy_weights (trainable_weights + non_trainable_weights, hdf5_format's group order) of the nested models of
make_deep_nested.py and make_nested_trainable.py, and the node indexes of nested calls in get_config. Printed:
  A    a1/kernel a1/bias a2/kernel a2/bias b2/kernel b2/bias b1/kernel b1/bias
  enc  egru/gru_cell/{kernel,recurrent_kernel,bias} elstm/lstm_cell/{kernel,recurrent_kernel,bias}
  head hd2/kernel hd2/bias hd1/kernel hd1/bias
  inbound [enc, 1, 0] of head, output_layers [[head, 1, 0]]
The generators write deep_nested_tf2.h5 and nest_unfrozen_tf2.h5 in these orders.
"""
from tensorflow.python.keras import layers as L, Input, Model
from tensorflow.python.keras.engine import sequential
from tensorflow.python.keras.layers import recurrent as R
from tensorflow.python.keras.saving import hdf5_format

def show(*models):
    for g in models:
        print(g.name, [w.name for w in hdf5_format._legacy_weights(g)])

B = sequential.Sequential([Input((3,)), L.Dense(3, name="b1"), L.Dense(3, name="b2")], name="B")
ai = Input((3,), name="ai")
A = Model(ai, L.Dense(3, name="a2")(B(L.Dense(3, name="a1")(ai))), name="A")
inp = Input((3,), name="inp")
top = Model(inp, L.Dense(1, name="out")(A(inp)), name="top")
B.trainable = False
B.get_layer("b2").trainable = True
show(A)

ei = Input((5, 3), name="ein")
enc = Model(ei, R.GRU(3, name="egru")(R.LSTM(4, return_sequences=True, name="elstm")(ei)), name="enc")
head = sequential.Sequential([Input((3,)), L.Dense(2, activation="tanh", name="hd1"), L.Dense(1, name="hd2")], name="head")
inp = Input((5, 3), name="inp")
m = Model(inp, head(enc(inp)), name="clf")
enc.trainable = False
enc.get_layer("egru").trainable = True
head.trainable = False
head.get_layer("hd2").trainable = True
show(enc, head)
cfg = m.get_config()
print("inbound", [l.get("inbound_nodes") for l in cfg["layers"]], "output_layers", cfg["output_layers"])
