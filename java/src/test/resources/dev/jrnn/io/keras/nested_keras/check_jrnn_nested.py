# Keras 3.15.1 reads jrnn's .keras files of make_nested_keras.py's model back nested (run by hand, not by the tests):
# python check_jrnn_nested.py FILE...  (Keras' nested.keras loaded by jrnn and saved again, compiled and trained; and a
# jrnn-built model of the same layers). For each: model.layers, enc one Functional operation with u1, the predict and
# the next train step (optimizer state in Keras' order) as nested.txt. A FILE ending .weights.h5 (jrnn's saveWeights) is
# read by Keras' load_weights into make_nested_keras.py's model built afresh: the same predict, enc's u1 as Keras' own.
import sys, numpy as np, keras
from keras import layers as L

def det(shape, a, ph, amp):
    n = int(np.prod(shape)); return (amp * np.sin(a * np.arange(n) + ph)).reshape(shape).astype("float32")

gold = {l.split()[0]: np.array([float(v) for v in l.split()[1:]]) for l in open("nested.txt")}
xs = [det((4, 3), 0.9, 0.2, 1.0), det((4, 3), 0.7, 0.5, 2.0)]
y = det((4, 1), 0.3, 0.6, 1.0)
def built():
    x = keras.Input((3,), name="x")
    enc = keras.Model(x, [L.Dense(3, name="e2")(L.Dense(4, name="e1")(x)), L.Dense(2, name="u1")(x)], name="enc")
    a = keras.Input((3,), name="a"); b = keras.Input((3,), name="b")
    cat = L.Concatenate(name="cat")([L.Dense(2, name="p")(a), enc(a)[0], enc(b)[0]])
    return keras.Model([a, b], L.Dense(1, name="head")(cat), name="outer")

for f in sys.argv[1:]:
    if f.endswith(".weights.h5"):
        m = built()
        m.load_weights(f)
        np.testing.assert_allclose(m.predict(xs, verbose=0).ravel(), gold["predict"], atol=2e-6)
        for j, w in enumerate(m.get_layer("enc").get_layer("u1").get_weights()): np.testing.assert_allclose(w.ravel(), gold["step_u1_%d" % j], atol=2e-6)
        print(f, "ok")
        continue
    m = keras.saving.load_model(f)
    names = [(l.name, type(l).__name__) for l in m.layers]
    assert names == [("a", "InputLayer"), ("b", "InputLayer"), ("p", "Dense"), ("enc", "Functional"), ("cat", "Concatenate"), ("head", "Dense")], names
    enc = m.get_layer("enc")
    assert [l.name for l in enc.layers] == ["x", "e1", "e2", "u1"], enc.layers
    np.testing.assert_allclose(m.predict(xs, verbose=0).ravel(), gold["predict"], atol=2e-6)
    if getattr(m, "optimizer", None) is not None and "compile" in f:
        m.train_on_batch(xs, y)
        for n in ["p", "head"]:
            for j, w in enumerate(m.get_layer(n).get_weights()): np.testing.assert_allclose(w.ravel(), gold["step_%s_%d" % (n, j)], atol=2e-6, err_msg=n)
        for n in ["e1", "e2", "u1"]:
            for j, w in enumerate(enc.get_layer(n).get_weights()): np.testing.assert_allclose(w.ravel(), gold["step_%s_%d" % (n, j)], atol=2e-6, err_msg=n)
    print(f, "ok")
