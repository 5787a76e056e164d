"""The key order of Keras 3.15.1's predict dicts on the TensorFlow backend, for the models make_dict_outputs.py saved
(same.keras, renamed.keras): TF returns every predict form (predict, predict_on_batch, predict of a PyDataset of dicts)
in the model's own dict order (price, kind; b_out, a_out), where jax returns them sorted (expected.json's dicts were
recorded on jax). jrnn follows TensorFlow (GUIDE "Where Keras' own backends disagree"); KerasCallsTest compares keys with
predict_keys_tf.json and values with expected.json.
Run from this folder: KERAS_BACKEND=tensorflow python predict_keys_tf.py (Keras 3.15.1, tensorflow-cpu).
"""
import json
import os
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
import numpy as np
import keras

assert keras.__version__ == "3.15.1" and keras.backend.backend() == "tensorflow", (keras.__version__, keras.backend.backend())


class Batches(keras.utils.PyDataset):
    """xs in batches of 4, as a dataset of dicts (make_dict_outputs.py's)."""
    def __init__(self, xs):
        super().__init__()
        self.xs = xs

    def __len__(self):
        return 2

    def __getitem__(self, i):
        return keras.tree.map_structure(lambda v: v[4 * i:4 * i + 4], self.xs)


x, x2 = np.load("x.npy"), np.load("x2.npy")
out = {}
for name, xs in (("same", x), ("renamed", {"q": x, "p": x2})):
    m = keras.models.load_model(name + ".keras")
    r = {"model_output": list(m.output),
         "predict": list(m.predict(xs, verbose=0)),
         "predict_on_batch": list(m.predict_on_batch(xs)),
         "predict_dataset": list(m.predict(Batches(xs), verbose=0))}
    assert len({tuple(v) for v in r.values()}) == 1, r   # every form in the model's order
    out[name] = r
with open("predict_keys_tf.json", "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
print(out)
