# Keras 3.15.1 reads jrnn's legacy .h5 files of make_nested_h5.py's model (written by MakeNestedH5.java) with the nested
# model kept nested, and saves one again for jrnn (run by hand, not by the tests; the files it writes are fixtures):
# python check_jrnn_nested_h5.py DIR  (DIR holds jrnn_nested.h5, jrnn_nested_weights.h5 and nested_h5.txt / nested_h5_x.npy)
# jrnn_nested.h5: load_model keeps 'inner' one Functional layer with d1, d2, bn1, bn2, predicts as nested_h5.txt, and its
# load_weights of the same file and of jrnn's weights-only file into the model built afresh give that predict too; then
# it is trained one epoch and saved as keras_from_jrnn.h5 with its predict in keras_from_jrnn.txt.
import sys, numpy as np, keras
from make_nested_h5 import built, det

d = sys.argv[1]
gold = {l.split()[0]: np.array([float(v) for v in l.split()[1:]]) for l in open(d + "/nested_h5.txt")}
x = np.load(d + "/nested_h5_x.npy")
m = keras.saving.load_model(d + "/jrnn_nested.h5")
names = [(l.name, type(l).__name__) for l in m.layers]
assert names == [("x", "InputLayer"), ("inner", "Functional"), ("bn3", "BatchNormalization"), ("out", "Dense"), ("p", "Dense"),
                 ("add", "Add")], names
inner = m.get_layer("inner")
assert [l.name for l in inner.layers] == ["ii", "d1", "d2", "bn1", "bn2"], inner.layers
assert not inner.get_layer("d2").trainable
np.testing.assert_allclose(m.predict(x, verbose=0).ravel(), gold["predict"], atol=2e-6)
for n in ["d1", "d2", "bn1", "bn2"]:
    for j, w in enumerate(inner.get_layer(n).get_weights()): np.testing.assert_allclose(w.ravel(), gold["%s_%d" % (n, j)], atol=1e-7)
for f in ["jrnn_nested.h5", "jrnn_nested_weights.h5"]:
    b, _ = built()
    b.load_weights(d + "/" + f)
    np.testing.assert_allclose(b.predict(x, verbose=0).ravel(), gold["predict"], atol=2e-6)
y = det((8, 1), 0.3, 0.6, 1.0)
m.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
m.fit(x, y, epochs=1, batch_size=4, shuffle=False, verbose=0)
m.save(d + "/keras_from_jrnn.h5")
with open(d + "/keras_from_jrnn.txt", "w") as out:
    out.write("predict " + " ".join("%.9g" % v for v in m.predict(x, verbose=0).astype("float64").ravel()) + "\n")
print("ok")
