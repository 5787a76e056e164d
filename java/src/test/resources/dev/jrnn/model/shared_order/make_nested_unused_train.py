# Keras 3.15.1 (TensorFlow) goldens of KerasRunOrderTest's nested model whose unused branch trains: enc = Model(x,
# [e1(s(x)), u2(u1(s(x)))]) used as head(enc(pre(a))[0]). Keras runs enc whole, adds u1's activity penalty (L2 0.1 on
# its output / batch) and its kernel regularizer (L2 0.05, in model.losses as every trainable weight's) to the loss, and
# trains u1 by them: u1's weights are in model.trainable_weights at enc's place (pre, s, u1, e1, u2, head), and so are
# the optimizer's slots. u2 gets no gradient (TensorFlow drops it, JAX gives zeros: with Adam it stays either way).
# Writes nested_unused_train.keras (before any step), nested_unused_train_3.keras (after 3 Adam steps, with the
# optimizer's state) and nested_unused_train.txt ("case key values..."). Run here:
#   KERAS_BACKEND=tensorflow python make_nested_unused_train.py
# check_jrnn_unused_train.py (beside it) loads a file jrnn saved after the same 3 steps and takes step 4 in Keras.
import numpy as np, keras
from keras import layers as L

def det(shape, a, ph, amp):   # KerasRunOrderTest.det
    n = int(np.prod(shape)); return (amp * np.sin(a * np.arange(n) + ph)).reshape(shape).astype("float32")

out = open("nested_unused_train.txt", "w")
def put(key, v):
    out.write("nested_unused_train " + key + " " + " ".join("%.9g" % x for x in np.asarray(v, "float64").ravel()) + "\n")

def weights(m, names):   # layer i of names, weight j: det(shape, 1.3, 0.7 j + 0.5 i, 0.3)
    for i, n in enumerate(names):
        l = m.get_layer(n)
        l.set_weights([det(w.shape, 1.3, 0.7 * j + 0.5 * i, 0.3) for j, w in enumerate(l.get_weights())])

x = keras.Input((3,), name="x")
s = L.Dense(3, name="s")
u1 = L.Dense(3, name="u1", activity_regularizer=keras.regularizers.L2(0.1), kernel_regularizer=keras.regularizers.L2(0.05))
sx = s(x)
enc = keras.Model(x, [L.Dense(3, name="e1")(sx), L.Dense(2, name="u2")(u1(sx))], name="enc")
a = keras.Input((3,), name="a")
m = keras.Model(a, L.Dense(1, name="head")(enc(L.Dense(3, name="pre")(a))[0]))
weights(enc, ["s", "e1", "u1", "u2"]); weights(m, ["pre", "head"])
# enc's layers by depth (functional.py's map_graph), not in the order they were called: s, u1, e1, u2
assert [w.path for w in m.trainable_weights] == ["pre/kernel", "pre/bias", "s/kernel", "s/bias", "u1/kernel", "u1/bias",
        "e1/kernel", "e1/bias", "u2/kernel", "u2/bias", "head/kernel", "head/bias"], [w.path for w in m.trainable_weights]
xa = det((6, 3), 0.9, 0.2, 1.0)
y = det((6, 1), 0.3, 0.6, 1.0)
m.save("nested_unused_train.keras")
m.compile(optimizer=keras.optimizers.Adam(0.05), loss="mse")
put("evaluate_before", [m.evaluate(xa, y, batch_size=6, verbose=0)])
put("losses", [m.train_on_batch(xa, y) for _ in range(3)])
names = ["pre", "s", "e1", "u1", "u2", "head"]
for n in names:
    for j, w in enumerate(m.get_layer(n).weights if n in ["pre", "head"] else enc.get_layer(n).weights):
        put("step3_%s_%d" % (n, j), w)
m.save("nested_unused_train_3.keras")
assert [v.path for v in m.optimizer.variables][2:6] == ["adam/pre_kernel_momentum", "adam/pre_kernel_velocity",
        "adam/pre_bias_momentum", "adam/pre_bias_velocity"] and len(m.optimizer.variables) == 2 + 4 * 6
put("loss4", [m.train_on_batch(xa, y)])
for n in names:
    for j, w in enumerate(m.get_layer(n).weights if n in ["pre", "head"] else enc.get_layer(n).weights):
        put("step4_%s_%d" % (n, j), w)
out.close()
