"""Nested models holding Bidirectional, TimeDistributed, GRU and LSTM layers, partly frozen when saved, written by the
real tf.keras 2 (tf_keras 2.21.0, which, as Keras 2 and tf.keras 2 before it, writes no nested model's "trainable" into
the config) and by Keras 3.15.1 (which does), with the same weights; PartlyFrozenWrappersTest holds jrnn to tf_keras's
predictions (saved as <name>_pred.npy beside the files; input tf2_names_seq_x.npy, (4, 5, 3)).

The TF venv has no tf_keras and TensorFlow 2.21's bundled tensorflow.python.keras has no Bidirectional or
TimeDistributed, so tf_keras runs from its source (keras-team/tf-keras at v2.21.0) on the TF venv's TensorFlow 2.21:
  git -C <tf-keras repo> archive v2.21.0 tf_keras | tar -x -C /tmp/tfk
  for f in projector_config saved_metadata versions; do   # the protobuf modules tf_keras' build generates
    echo "from tensorflow.python.keras.protobuf.${f}_pb2 import *" > /tmp/tfk/tf_keras/protobuf/${f}_pb2.py; done
  PYTHONPATH=/tmp/tfk KERAS_BACKEND=tensorflow /tmp/tfdata-venv/bin/python make_tf2_wrappers.py   (in this folder)
It prints each file's nested group's weight_names and checks Keras 3's predictions equal tf_keras's.

  tf2_wrappers: top > A (Bidirectional(LSTM(2)) a_bi, B, TimeDistributed(Dense(3)) a_td) > B (TimeDistributed(Dense(3))
    b_td, Bidirectional(LSTM(2)) b_bi), B frozen, then b_bi unfrozen. a_bi and b_bi, a_td and b_td have the same
    shapes, so only the names tell A's group's order (a_bi, a_td, b_bi, b_td; a trainable B's is a_bi, b_td, b_bi, a_td).
  tf2_bidi_halves: top > A (Dense a1, B, Dense a2) > B (Bidirectional(GRU(2)) b_bi, Dense b2), B frozen, then b_bi
    unfrozen and its forward layer frozen again: b_bi's backward arrays come before its forward ones, whose names
    differ only by the forward_/backward_ prefix.
  tf2_rnn_deep: top > A (GRU a_gru (reset_after), B, Dense a_dense) > B (LSTM b_lstm, C, GRU b_gru (reset_after
    false)) > C (Dense c_dense, Bidirectional(LSTM(1)) c_bi), B frozen, then b_gru and c_bi unfrozen.
  tf2_top_bidi: no nested model: top (Bidirectional(GRU(2)) b_bi, Dense out), b_bi's forward layer frozen: its own
    group holds the backward arrays first (tf_keras reloads its own file with the directions swapped; Keras 3 its own
    right, from the forward layer's flag it keeps).
Each is also written by Keras 3 as k3_wrappers.h5, k3_bidi_halves.h5 ...."""
import h5py
import numpy as np
import tf_keras
import keras


def wrappers(k):
    L = k.layers
    bi = k.Input((None, 4), name="bi")
    h = L.TimeDistributed(L.Dense(3), name="b_td")(bi)
    B = k.Model(bi, L.Bidirectional(L.LSTM(2, return_sequences=True), name="b_bi")(h), name="B")
    ai = k.Input((None, 3), name="ai")
    h = L.Bidirectional(L.LSTM(2, return_sequences=True), name="a_bi")(ai)
    A = k.Model(ai, L.TimeDistributed(L.Dense(3), name="a_td")(B(h)), name="A")
    inp = k.Input((None, 3), name="inp")
    m = k.Model(inp, L.Dense(1, name="out")(A(inp)), name="top")
    set_weights(m)
    B.trainable = False
    B.get_layer("b_bi").trainable = True
    return m, "A"


def bidi_halves(k):
    L = k.layers
    bi = k.Input((None, 3), name="bi")
    h = L.Bidirectional(L.GRU(2, return_sequences=True), name="b_bi")(bi)
    B = k.Model(bi, L.Dense(3, name="b2")(h), name="B")
    ai = k.Input((None, 3), name="ai")
    A = k.Model(ai, L.Dense(3, name="a2")(B(L.Dense(3, name="a1")(ai))), name="A")
    inp = k.Input((None, 3), name="inp")
    m = k.Model(inp, L.Dense(1, name="out")(A(inp)), name="top")
    set_weights(m)
    B.trainable = False
    b_bi = B.get_layer("b_bi")
    b_bi.trainable = True
    b_bi.forward_layer.trainable = False
    return m, "A"


def rnn_deep(k):
    L = k.layers
    ci = k.Input((None, 2), name="ci")
    h = L.Dense(2, name="c_dense")(ci)
    C = k.Model(ci, L.Bidirectional(L.LSTM(1, return_sequences=True), name="c_bi")(h), name="C")
    bi = k.Input((None, 2), name="bi")
    h = C(L.LSTM(2, return_sequences=True, name="b_lstm")(bi))
    B = k.Model(bi, L.GRU(2, return_sequences=True, reset_after=False, name="b_gru")(h), name="B")
    ai = k.Input((None, 3), name="ai")
    h = B(L.GRU(2, return_sequences=True, reset_after=True, name="a_gru")(ai))
    A = k.Model(ai, L.Dense(2, name="a_dense")(h), name="A")
    inp = k.Input((None, 3), name="inp")
    m = k.Model(inp, L.Dense(1, name="out")(A(inp)), name="top")
    set_weights(m)
    B.trainable = False
    B.get_layer("b_gru").trainable = True
    C.get_layer("c_bi").trainable = True
    return m, "A"


def top_bidi(k):
    L = k.layers
    inp = k.Input((None, 3), name="inp")
    m = k.Model(inp, L.Dense(1, name="out")(L.Bidirectional(L.GRU(2, return_sequences=True), name="b_bi")(inp)), name="top")
    set_weights(m)
    m.get_layer("b_bi").forward_layer.trainable = False
    return m, "b_bi"


def leaves(model):
    for l in model.layers:
        if hasattr(l, "layers") and not hasattr(l, "forward_layer"):
            yield from leaves(l)
        else:
            yield l


def set_weights(m):
    """Each layer's arrays drawn from a stream seeded by its name (the same in both Keras), before any freezing (a
    frozen forward layer would come after the backward one in a Bidirectional's get_weights)."""
    for l in leaves(m):
        ws = l.get_weights()
        if ws:
            rng = np.random.RandomState(sum(map(ord, l.name)))
            l.set_weights([rng.uniform(-0.8, 0.8, w.shape).astype("float32") for w in ws])


def show(path, group):
    with h5py.File(path) as f:
        g = f["model_weights"][group]
        print(path, f.attrs["keras_version"], group, [n.decode() if isinstance(n, bytes) else n for n in g.attrs["weight_names"]])


x = np.load("tf2_names_seq_x.npy")
for make in (wrappers, bidi_halves, rnn_deep, top_bidi):
    name = "tf2_" + make.__name__
    m2, group = make(tf_keras)
    m2.save(name + ".h5")
    show(name + ".h5", group)
    p = m2(x).numpy()
    np.save(name + "_pred.npy", p)
    m3, _ = make(keras)
    p3 = keras.ops.convert_to_numpy(m3(x))
    print(name, "tf_keras predicts", np.round(p.ravel(), 6).tolist(), "Keras 3 differs by", float(np.abs(p - p3).max()))
    assert np.allclose(p, p3, atol=1e-6)
    m3.save("k3_" + make.__name__ + ".h5")
    show("k3_" + make.__name__ + ".h5", group)
