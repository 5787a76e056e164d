"""A frozen nested model two levels down whose inner layer is unfrozen again, saved by Keras 3.15.1 as deep_nested.h5 and
deep_nested.keras, and deep_nested_tf2.h5: the same file with the nested model's weight order as tf.keras 2 writes it.
Run with keras 3.15.1 and jax from this folder (the review's /tmp/review-surgeryfix/d/mk.py).
The model: inp (3) -> A (Functional: Dense 'a1' -> B -> Dense 'a2') -> Dense 'out', B a Sequential (Dense 'b1', 'b2');
B.trainable = False, then B's b2 trainable again (A and the top model trainable).
A legacy .h5 keeps A's arrays in one group in A's _legacy_weights order (trainable_weights + non_trainable_weights):
- Keras 3 orders by each variable's own flag: a1, B/b2, a2, B/b1 (printed below).
- tf.keras 2 recurses (tf_keras engine/training.py): A's trainable_weights are its children's, [] for the frozen B; its
  non_trainable_weights its children's, for the frozen B "all trainable vars, then all non-trainable vars" of B's
  layers: b2 (unfrozen) then b1. So A's group is a1, a2, B/b2, B/b1. This order is the one the tf.keras 2 engine bundled
  in TensorFlow 2.21 (tensorflow.python.keras, keras_version set to 2.15.0) prints and writes for this model
  (tfk2_nested_order.py in this folder: A's weights a1, a2, b2, b1); an earlier version of this script
  put B/b1 before B/b2, which was wrong. deep_nested_tf2.h5 is deep_nested.h5 with A's weight_names attribute
  rewritten in that order (the datasets it names are the same; tf.keras 2 itself names them without the "B/" prefix)
  and keras_version "2.15.0", from which the reader takes the writer. Its config stays Keras 3's but for the one thing
  tf.keras 2 numbers otherwise: a nested model's calls count from node 1 (node 0 is its own construction), so the
  references to A's and B's outputs become [A, 1, 0] and [B, 1, 0].
Prints Keras' predictions on deep_nested_x.npy (the model in memory and load_model of the .keras and the .h5 agree);
NestedTrainableTest holds jrnn's predictions of all three files to them.
"""
import os
import shutil
import sys
os.environ.setdefault("KERAS_BACKEND", "jax")
import h5py, json, numpy as np, keras
from keras import layers as L
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from keras_zip import deflate
keras.utils.set_random_seed(3)
x = np.random.default_rng(1).normal(size=(4, 3)).astype("float32")
B = keras.Sequential([keras.Input((3,)), L.Dense(3, name="b1"), L.Dense(3, name="b2")], name="B")
ai = keras.Input((3,), name="ai")
A = keras.Model(ai, L.Dense(3, name="a2")(B(L.Dense(3, name="a1")(ai))), name="A")
inp = keras.Input((3,), name="inp")
m = keras.Model(inp, L.Dense(1, name="out")(A(inp)), name="top")
B.trainable = False
B.get_layer("b2").trainable = True
m.save("deep_nested.h5")
m.save("deep_nested.keras")
deflate("deep_nested.keras")
np.save("deep_nested_x.npy", x)
print("predictions", [round(float(v), 6) for v in np.asarray(m.predict(x, verbose=0)).ravel()])
for f in ["deep_nested.keras", "deep_nested.h5"]:
    print(f, [round(float(v), 6) for v in np.asarray(keras.saving.load_model(f).predict(x, verbose=0)).ravel()])
names = lambda g: [n.decode() if isinstance(n, bytes) else n for n in g.attrs["weight_names"]]
with h5py.File("deep_nested.h5") as f:
    print("Keras 3's order of A", names(f["model_weights"]["A"]))
shutil.copyfile("deep_nested.h5", "deep_nested_tf2.h5")
with h5py.File("deep_nested_tf2.h5", "r+") as f:
    a = f["model_weights"]["A"]
    tf2 = ["a1/kernel", "a1/bias", "a2/kernel", "a2/bias", "B/b2/kernel", "B/b2/bias", "B/b1/kernel", "B/b1/bias"]
    assert sorted(tf2) == sorted(names(a))
    a.attrs["weight_names"] = np.array([n.encode() for n in tf2])
    f.attrs["keras_version"] = "2.15.0"
    f["model_weights"].attrs["keras_version"] = "2.15.0"
    def renumber(v):   # tf.keras 2's node index of a nested model's call
        if isinstance(v, dict):
            if v.get("keras_history", [None])[0] in ("A", "B"): v["keras_history"][1] = 1
            for w in v.values(): renumber(w)
        elif isinstance(v, list):
            for w in v: renumber(w)
    cfg = json.loads(f.attrs["model_config"])
    renumber(cfg)
    f.attrs["model_config"] = json.dumps(cfg)
    print("tf.keras 2's order of A", names(a))
