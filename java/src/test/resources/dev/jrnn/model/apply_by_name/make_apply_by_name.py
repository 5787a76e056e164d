# Keras 3.15.1 (TensorFlow) goldens of ModelApplyByNameTest: a nested model called on a dict, enc({"seq": a, "h": b}),
# enc's inputs a dict {"seq": x, "h": h} and, beside it, a nested model of listed Inputs named "seq" and "h" called on a
# dict with an extra key (Keras takes the inputs by name: functional.py _standardize_inputs). Writes apply_by_name.txt
# ("key values..."). Run here: KERAS_BACKEND=tensorflow python make_apply_by_name.py
import numpy as np, keras
from keras import layers as L

def det(shape, a, ph, amp):   # KerasRunOrderTest.det
    n = int(np.prod(shape)); return (amp * np.sin(a * np.arange(n) + ph)).reshape(shape).astype("float32")

out = open("apply_by_name.txt", "w")
def put(key, v):
    out.write(key + " " + " ".join("%.9g" % x for x in np.asarray(v, "float64").ravel()) + "\n")

def weights(m, names):   # layer i of names, weight j: det(shape, 1.3, 0.7 j + 0.5 i, 0.3)
    for i, n in enumerate(names):
        l = m.get_layer(n)
        l.set_weights([det(w.shape, 1.3, 0.7 * j + 0.5 * i, 0.3) for j, w in enumerate(l.get_weights())])

xa, xb = det((4, 3), 0.9, 0.2, 1.0), det((4, 2), 0.5, 0.1, 1.0)
for case, dict_inputs in [("dict", True), ("listed", False)]:
    x = keras.Input((3,), name="seq"); h = keras.Input((2,), name="h")
    body = L.Dense(2, name="ed")(L.Concatenate(name="cat")([x, h]))
    enc = keras.Model({"seq": x, "h": h} if dict_inputs else [x, h], body, name="enc")
    a = keras.Input((3,), name="a"); b = keras.Input((2,), name="b")
    given = {"seq": a, "h": b} if dict_inputs else {"h": b, "seq": a, "zz": a}
    m = keras.Model([a, b], L.Dense(1, name="head")(enc(given)))
    weights(enc, ["ed"]); weights(m, ["head"])
    put(case + "_predict", m.predict([xa, xb], verbose=0))
out.close()
