# Keras 3.15.1 reads jrnn's .keras files of make_nested_keras.py's model back nested (run by hand, not by the tests):
# python check_jrnn_nested.py FILE...  (Keras' nested.keras loaded by jrnn and saved again, compiled and trained; and a
# jrnn-built model of the same layers). For each: model.layers, enc one Functional operation with u1, the predict and
# the next train step (optimizer state in Keras' order) as nested.txt.
import sys, numpy as np, keras

def det(shape, a, ph, amp):
    n = int(np.prod(shape)); return (amp * np.sin(a * np.arange(n) + ph)).reshape(shape).astype("float32")

gold = {l.split()[0]: np.array([float(v) for v in l.split()[1:]]) for l in open("nested.txt")}
xs = [det((4, 3), 0.9, 0.2, 1.0), det((4, 3), 0.7, 0.5, 2.0)]
y = det((4, 1), 0.3, 0.6, 1.0)
for f in sys.argv[1:]:
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
