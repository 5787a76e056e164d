"""Nested models frozen as a whole, then one inner layer unfrozen again (the fine-tuning recipe), saved by Keras 3.15.1
itself as nest_unfrozen.keras and the legacy nest_unfrozen.h5; run with keras 3.15.1 and jax from this folder.
The model: inp (5, 3) -> enc (Functional: LSTM 'elstm' -> GRU 'egru') -> head (Sequential: Dense 'hd1' -> Dense 'hd2').
enc.trainable = False, then enc's egru trainable again; head.trainable = False, then hd2 trainable again. The configs
hold enc / head "trainable": false and each layer's own flag. Keras 3 trains egru and hd2 (the top model's flag and each
variable's own decide: Layer.trainable_weights; functional_from_config gives the nested Functional its flag before its
layers are tracked and Sequential.from_config does not read it, so the layers keep their saved flags).
Prints, for the model in memory and after load_model of each file: the trainable / non-trainable parameter counts and
the losses of fit(x, y, SGD(0.1), mse, epochs=2, batch_size=4, shuffle=False); NestedTrainableTest holds jrnn to them.
Keras 3.15.1 refuses its own nest_unfrozen.h5 ("Shape mismatch in layer #1 (named head) for weight head/hd2/kernel"):
its legacy writer lists a nested model's weights in layer order while the model is frozen, and its loader expects
trainable_weights + non_trainable_weights of the loaded head, which Sequential.from_config left trainable (hd2 first).
The file names every weight (weight_names), so jrnn reads it; its numbers are the .keras file's (the same weights).
nest_unfrozen_tf2.h5: nest_unfrozen.h5 as tf.keras 2 orders it. tf.keras 2 (tf_keras engine/training.py) lists a frozen
model's non_trainable_weights as all its children's trainable weights, then all their non-trainable ones, so the
unfrozen layer comes first: enc egru, elstm; head hd2, hd1. That order, and the node index 1 of a nested model's call
(in the call arguments and output_layers), are what the tf.keras 2 engine bundled in TensorFlow 2.21
(tensorflow.python.keras) prints for this model (tfk2_nested_order.py in this folder).
No tf.keras 2 file writer for Keras 3's configs is at hand, so the file is nest_unfrozen.h5 with those groups'
weight_names rewritten in that order (the same datasets), keras_version "2.15.0" and those node indexes.
"""
import os
import shutil
import sys
os.environ.setdefault("KERAS_BACKEND", "jax")
import h5py, json, numpy as np, keras
from keras import layers as L
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from keras_zip import deflate
keras.utils.set_random_seed(11)
rng = np.random.default_rng(12)
x = rng.normal(size=(8, 5, 3)).astype("float32"); y = rng.normal(size=(8, 1)).astype("float32")
ei = keras.Input((5, 3), name="ein")
enc = keras.Model(ei, L.GRU(3, name="egru")(L.LSTM(4, return_sequences=True, name="elstm")(ei)), name="enc")
head = keras.Sequential([keras.Input((3,)), L.Dense(2, activation="tanh", name="hd1"), L.Dense(1, name="hd2")], name="head")
inp = keras.Input((5, 3), name="inp")
m = keras.Model(inp, head(enc(inp)), name="clf")
enc.trainable = False
enc.get_layer("egru").trainable = True
head.trainable = False
head.get_layer("hd2").trainable = True
m.save("nest_unfrozen.keras")
deflate("nest_unfrozen.keras")
m.save("nest_unfrozen.h5")
np.save("nest_unfrozen_x.npy", x)
names = lambda g: [n.decode() if isinstance(n, bytes) else n for n in g.attrs["weight_names"]]
shutil.copyfile("nest_unfrozen.h5", "nest_unfrozen_tf2.h5")
with h5py.File("nest_unfrozen_tf2.h5", "r+") as f:
    tf2 = {"enc": ["egru/gru_cell/kernel", "egru/gru_cell/recurrent_kernel", "egru/gru_cell/bias",
                   "elstm/lstm_cell/kernel", "elstm/lstm_cell/recurrent_kernel", "elstm/lstm_cell/bias"],
           "head": ["head/hd2/kernel", "head/hd2/bias", "head/hd1/kernel", "head/hd1/bias"]}
    for g, order in tf2.items():
        assert sorted(order) == sorted(names(f["model_weights"][g]))
        f["model_weights"][g].attrs["weight_names"] = np.array([n.encode() for n in order])
    f.attrs["keras_version"] = "2.15.0"
    f["model_weights"].attrs["keras_version"] = "2.15.0"
    def renumber(v):   # tf.keras 2's node index of a nested model's call
        if isinstance(v, dict):
            if v.get("keras_history", [None])[0] in ("enc", "head"): v["keras_history"][1] = 1
            for w in v.values(): renumber(w)
        elif isinstance(v, list):
            for w in v: renumber(w)
    cfg = json.loads(f.attrs["model_config"])
    renumber(cfg)
    out = cfg["config"]["output_layers"]   # Keras 3 writes one output as ["head", 0, 0], tf.keras 2 [["head", 1, 0]]
    cfg["config"]["output_layers"] = [[n, 1 if n in ("enc", "head") else i, t] for n, i, t in (out if isinstance(out[0], list) else [out])]
    f.attrs["model_config"] = json.dumps(cfg)
    print("tf.keras 2's order", {g: names(f["model_weights"][g]) for g in tf2})
np.save("nest_unfrozen_y.npy", y)
def counts(m):
    return (sum(int(np.prod(w.shape)) for w in m.trainable_weights), sum(int(np.prod(w.shape)) for w in m.non_trainable_weights))
def fit(m):
    m.compile(keras.optimizers.SGD(0.1), "mse")
    return [round(float(v), 6) for v in m.fit(x, y, epochs=2, batch_size=4, shuffle=False, verbose=0).history["loss"]]
print("in memory", counts(m), "flags", [(l.name, l.trainable) for l in enc.layers + head.layers])
for f in ["nest_unfrozen.keras", "nest_unfrozen.h5"]:
    try:
        m2 = keras.saving.load_model(f)
        print(f, counts(m2), fit(m2))
    except ValueError as e:   # the .h5: Keras 3.15.1 refuses its own file (see the docstring)
        print(f, "refused:", str(e)[:160])
print("in memory", fit(m))
