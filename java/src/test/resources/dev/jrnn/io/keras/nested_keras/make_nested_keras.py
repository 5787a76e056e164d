# Keras 3.15.1 (TensorFlow) fixture of KerasNestingTest: a functional model calling a nested functional model twice,
# enc = Model(x, [e2(e1(x)), u1(x)]) (its second output unused outside), in
# head(cat([p(a), enc(a)[0], enc(b)[0]])), compiled with Adam and trained two steps, saved as nested.keras; Keras keeps
# enc one operation (layers/functional/layers/... weights, its slots at its place in optimizer/vars); its save_weights
# as nested.weights.h5 (the same weights and optimizer variables, nested alike). nested.txt:
# "key values..." for a predict and the weights after one more train step.
# Run here: /tmp/tester-repros/kpy.sh make_nested_keras.py
import numpy as np, keras
from keras import layers as L

def det(shape, a, ph, amp):
    n = int(np.prod(shape)); return (amp * np.sin(a * np.arange(n) + ph)).reshape(shape).astype("float32")

x = keras.Input((3,), name="x")
enc = keras.Model(x, [L.Dense(3, name="e2")(L.Dense(4, name="e1")(x)), L.Dense(2, name="u1")(x)], name="enc")
a = keras.Input((3,), name="a"); b = keras.Input((3,), name="b")
cat = L.Concatenate(name="cat")([L.Dense(2, name="p")(a), enc(a)[0], enc(b)[0]])
m = keras.Model([a, b], L.Dense(1, name="head")(cat), name="outer")
for i, n in enumerate(["e1", "e2", "u1"]):
    l = enc.get_layer(n); l.set_weights([det(w.shape, 1.3, 0.7 * j + 0.5 * i, 0.3) for j, w in enumerate(l.get_weights())])
for i, n in enumerate(["p", "head"]):
    l = m.get_layer(n); l.set_weights([det(w.shape, 1.1, 0.4 * j + 0.3 * i, 0.4) for j, w in enumerate(l.get_weights())])
xs = [det((4, 3), 0.9, 0.2, 1.0), det((4, 3), 0.7, 0.5, 2.0)]
y = det((4, 1), 0.3, 0.6, 1.0)
m.compile(optimizer=keras.optimizers.Adam(0.05), loss="mse")
m.fit(xs, y, epochs=2, batch_size=4, shuffle=False, verbose=0)
m.save("nested.keras")
m.save_weights("nested.weights.h5")
with open("nested.txt", "w") as out:
    def put(key, v): out.write(key + " " + " ".join("%.9g" % x for x in np.asarray(v, "float64").ravel()) + "\n")
    put("predict", m.predict(xs, verbose=0))
    m.train_on_batch(xs, y)
    for n in ["p", "head"]:
        for j, w in enumerate(m.get_layer(n).get_weights()): put("step_" + n + "_" + str(j), w)
    for n in ["e1", "e2", "u1"]:
        for j, w in enumerate(enc.get_layer(n).get_weights()): put("step_" + n + "_" + str(j), w)
