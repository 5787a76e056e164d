"""The ordinary transfer-learning checkpoint: nested models frozen as a whole (base.trainable = False, nothing unfrozen
again) holding BatchNormalization, saved by Keras 3.15.1 as frozen_base.keras and the legacy frozen_base.h5; run with
keras 3.15.1 and jax from this folder (the review's /tmp/review-surgeryfix/d/mk2.py).
The model: inp (5, 3) -> enc (Functional: LSTM 'elstm' -> BatchNormalization 'ebn' -> GRU 'egru') -> head (Sequential:
Dense 'hd1' -> BatchNormalization 'hbn' -> Dense 'hd2') -> Dense 'out'. One epoch of fit before freezing moves the
BatchNormalization statistics off their initial values; then enc.trainable = False, head.trainable = False.
Prints, for the model in memory and after load_model of each file: the trainable / non-trainable parameter counts and
the losses of fit(x, y, SGD(0.1), mse, epochs=2, batch_size=4, shuffle=False) (only 'out' trains; the frozen
BatchNormalization layers run in inference mode); NestedTrainableTest holds jrnn to them.
"""
import os
import sys
os.environ.setdefault("KERAS_BACKEND", "jax")
import numpy as np, keras
from keras import layers as L
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from keras_zip import deflate
keras.utils.set_random_seed(5)
rng = np.random.default_rng(2)
x = rng.normal(size=(8, 5, 3)).astype("float32"); y = rng.normal(size=(8, 1)).astype("float32")
ei = keras.Input((5, 3))
h = L.LSTM(4, return_sequences=True, name="elstm")(ei)
h = L.BatchNormalization(name="ebn")(h)
enc = keras.Model(ei, L.GRU(3, name="egru")(h), name="enc")
head = keras.Sequential([keras.Input((3,)), L.Dense(3, name="hd1"), L.BatchNormalization(name="hbn"), L.Dense(3, name="hd2")],
                        name="head")
inp = keras.Input((5, 3))
m = keras.Model(inp, L.Dense(1, name="out")(head(enc(inp))), name="clf")
m.compile(keras.optimizers.SGD(0.1), "mse")
m.fit(x, y, epochs=1, verbose=0)   # moves the BatchNormalization statistics
enc.trainable = False
head.trainable = False
m.save("frozen_base.h5")
m.save("frozen_base.keras")
deflate("frozen_base.keras")
np.save("frozen_base_x.npy", x)
np.save("frozen_base_y.npy", y)
def counts(m):
    return (sum(int(np.prod(w.shape)) for w in m.trainable_weights), sum(int(np.prod(w.shape)) for w in m.non_trainable_weights))
def fit(m):
    m.compile(keras.optimizers.SGD(0.1), "mse")
    return [round(float(v), 6) for v in m.fit(x, y, epochs=2, batch_size=4, shuffle=False, verbose=0).history["loss"]]
for f in ["frozen_base.keras", "frozen_base.h5"]:
    m2 = keras.saving.load_model(f, compile=False)
    before = [w.copy() for w in m2.get_layer("enc").get_weights() + m2.get_layer("head").get_weights()]
    c, losses = counts(m2), fit(m2)
    after = m2.get_layer("enc").get_weights() + m2.get_layer("head").get_weights()
    print(f, c, losses, "nested weights unchanged:", all(np.array_equal(a, b) for a, b in zip(before, after)))
print("in memory", counts(m), fit(m))
