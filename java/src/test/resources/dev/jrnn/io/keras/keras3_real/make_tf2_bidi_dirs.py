"""Bidirectional layers whose directions were saved with other trainable flags than the loading model's, and a tf.keras 2
nested group at the edge of the flag choices jrnn tries; PartlyFrozenWrappersTest holds jrnn to these files. Run as
make_tf2_wrappers.py (tf_keras 2.21.0 from its source on the TF venv's TensorFlow 2.21, Keras 3.15.1 beside it), in
this folder, after it (it reads tf2_top_bidi.h5):
  PYTHONPATH=/tmp/tfk KERAS_BACKEND=tensorflow /tmp/tfdata-venv/bin/python make_tf2_bidi_dirs.py

  tf2_top_bidi_trainable.h5, k3_top_bidi_trainable.h5: make_tf2_wrappers.py's top_bidi (Bidirectional(GRU(2)) b_bi,
    Dense out; the same weights) saved with both directions trainable (forward arrays first); they predict
    tf2_top_bidi_pred.npy. Keras' load_weights (both) swaps the directions of these files into a model with the forward
    layer frozen, and of tf2_top_bidi.h5 / k3_top_bidi.h5 into one with both trainable (checked below).
  tf2_top_bidi_renamed.h5: a copy of tf2_top_bidi.h5 (forward layer frozen: backward arrays first) whose direction
    scopes are renamed (b_bi/backward_gru_1/... -> b_bi/bw_gru_1/..., forward_gru_1 -> fw_gru_1, groups moved with
    them), so that no weight name says its direction; tf_keras reads it, as it reads tf2_top_bidi.h5, by position
    into a model with both directions trainable (directions swapped): tf2_top_bidi_swapped_pred.npy.
  tf2_bidi_cap5.h5, tf2_bidi_cap6.h5: top > A (Bidirectional(GRU(1)) bi1 .. biN, return_sequences) > Dense out, bi2's
    forward layer frozen; tf_keras saves no direction's flag, so A's group order depends on 2N unknown flags (10 and
    12: jrnn tries at most 10; A, the top nested model, does not count: its flag does not change its own group's
    order). Predictions tf2_bidi_cap<N>_pred.npy.
"""
import shutil

import h5py
import numpy as np
import tf_keras
import keras

x = np.load("tf2_names_seq_x.npy")


def set_weights(layers):
    for l in layers:
        ws = l.get_weights()
        if ws:
            rng = np.random.RandomState(sum(map(ord, l.name)))
            l.set_weights([rng.uniform(-0.8, 0.8, w.shape).astype("float32") for w in ws])


def top_bidi(k):
    L = k.layers
    inp = k.Input((None, 3), name="inp")
    m = k.Model(inp, L.Dense(1, name="out")(L.Bidirectional(L.GRU(2, return_sequences=True), name="b_bi")(inp)), name="top")
    set_weights(m.layers)
    return m


def names(path, group):
    with h5py.File(path) as f:
        g = f["model_weights"][group] if "model_weights" in f else f[group]
        return [n.decode() if isinstance(n, bytes) else n for n in g.attrs["weight_names"]]


want = np.load("tf2_top_bidi_pred.npy")
m2 = top_bidi(tf_keras)
assert np.allclose(m2(x).numpy(), want, atol=1e-6)
m2.save("tf2_top_bidi_trainable.h5")
m3 = top_bidi(keras)
assert np.allclose(keras.ops.convert_to_numpy(m3(x)), want, atol=1e-6)
m3.save("k3_top_bidi_trainable.h5")
for k, trains, other in ((tf_keras, "tf2_top_bidi_trainable.h5", "tf2_top_bidi.h5"), (keras, "k3_top_bidi_trainable.h5", "k3_top_bidi.h5")):
    for saved, frozen in ((trains, True), (other, False)):   # Keras' load_weights swaps both (the loader's flags)
        into = top_bidi(k)
        into.get_layer("b_bi").forward_layer.trainable = not frozen
        into.load_weights(saved)
        assert np.abs(keras.ops.convert_to_numpy(into(x)) - want).max() > 0.01, saved
print("trainable", names("tf2_top_bidi_trainable.h5", "b_bi"), names("k3_top_bidi_trainable.h5", "b_bi"))

shutil.copy("tf2_top_bidi.h5", "tf2_top_bidi_renamed.h5")
with h5py.File("tf2_top_bidi_renamed.h5", "r+") as f:
    g = f["model_weights/b_bi"]
    g.move("b_bi/backward_gru_1", "b_bi/bw_gru_1")
    g.move("b_bi/forward_gru_1", "b_bi/fw_gru_1")
    renamed = [n.replace("backward_gru_1", "bw_gru_1").replace("forward_gru_1", "fw_gru_1") for n in names("tf2_top_bidi.h5", "b_bi")]
    g.attrs["weight_names"] = [n.encode() for n in renamed]
print("renamed", names("tf2_top_bidi_renamed.h5", "b_bi"))
swapped = tf_keras.models.load_model("tf2_top_bidi.h5")(x).numpy()
assert np.allclose(tf_keras.models.load_model("tf2_top_bidi_renamed.h5")(x).numpy(), swapped, atol=1e-7)
assert np.abs(swapped - want).max() > 0.01   # tf_keras swaps the directions of its own file
np.save("tf2_top_bidi_swapped_pred.npy", swapped)

for n in (5, 6):
    L = tf_keras.layers
    ai = tf_keras.Input((None, 3), name="ai")
    h = ai
    for i in range(1, n + 1):
        h = L.Bidirectional(L.GRU(1, return_sequences=True), name="bi%d" % i)(h)
    A = tf_keras.Model(ai, h, name="A")
    inp = tf_keras.Input((None, 3), name="inp")
    m = tf_keras.Model(inp, L.Dense(1, name="out")(A(inp)), name="top")
    set_weights(list(A.layers) + [m.get_layer("out")])
    A.get_layer("bi2").forward_layer.trainable = False
    p = m(x).numpy()
    m.save("tf2_bidi_cap%d.h5" % n)
    np.save("tf2_bidi_cap%d_pred.npy" % n, p)
    print("cap", n, names("tf2_bidi_cap%d.h5" % n, "A"))
