# Keras 3.15.1 (TensorFlow) goldens of KerasRunOrderTest's nested calls with an output the outer model does not use:
# Keras runs a nested model's call whole (keras/src/models/functional.py call -> _run_through_graph over all of the
# nested model's nodes), so a layer whose calls share state (BatchNormalization's moving statistics in training, a stateful
# LSTM's states) is called on the branch that feeds only the unused output too. Writes CASE.keras (the model before any
# fit, every weight det) and nested_unused.txt ("case key values...").
# Run here: KERAS_BACKEND=tensorflow python make_nested_unused.py (tensorflow-cpu 2.21; TensorFlow for the stateful
# case, whose predict carries the states on, see make_shared_order.py).
import numpy as np, keras
from keras import layers as L

def det(shape, a, ph, amp):   # KerasRunOrderTest.det
    n = int(np.prod(shape)); return (amp * np.sin(a * np.arange(n) + ph)).reshape(shape).astype("float32")

out = open("nested_unused.txt", "w")
def put(case, key, v):
    out.write(case + " " + key + " " + " ".join("%.9g" % x for x in np.asarray(v, "float64").ravel()) + "\n")

def weights(m, names):   # layer i of names, weight j: det(shape, 1.3, 0.7 j + 0.5 i, 0.3); BatchNormalization keeps its own
    for i, n in enumerate(names):
        l = m.get_layer(n)
        l.set_weights([det(w.shape, 1.3, 0.7 * j + 0.5 * i, 0.3) for j, w in enumerate(l.get_weights())])

def saved(case, m):   # CASE.keras, before any fit; then compiled as every case fits (SGD(0.1), mse)
    m.save(case + ".keras")
    m.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")

def fit_bn(case, m, bn, xs, y):   # saved, fit 2 epochs in batches of 3: sh_bn's moving statistics and the predict after
    saved(case, m)
    m.fit(xs, y, epochs=2, batch_size=3, shuffle=False, verbose=0)
    put(case, "fit_moving_mean", bn.moving_mean); put(case, "fit_moving_var", bn.moving_variance)
    put(case, "fit_predict", m.predict(xs, batch_size=6, verbose=0))

def predict_twice(case, m, xa):   # a stateful model saved, then two predicts (the second goes on from the first's states)
    m.save(case + ".keras")
    put(case, "predict1", m.predict(xa, batch_size=2, verbose=0))
    put(case, "predict2", m.predict(xa, batch_size=2, verbose=0))

XS = [det((6, 3), 0.9, 0.2, 1.0), det((6, 3), 0.7, 0.5, 2.0) + 1]
Y = det((6, 1), 0.3, 0.6, 1.0)

# nested_unused_bn: enc = Model(x, [e1(sh_bn(x)), sh_bn(u1(x))]); the outer model uses enc's first output only:
# cat([enc(a)[0], db(enc(b)[0])]) -> head. Keras calls sh_bn four times per step, the unused branch's calls included.
x = keras.Input((3,), name="x")
bn = L.BatchNormalization(momentum=0.5, name="sh_bn")
enc = keras.Model(x, [L.Dense(3, name="e1")(bn(x)), bn(L.Dense(3, name="u1")(x))], name="enc")
a = keras.Input((3,), name="a"); b = keras.Input((3,), name="b")
m = keras.Model([a, b], L.Dense(1, name="head")(L.Concatenate(name="cat")([enc(a)[0], L.Dense(2, name="db")(enc(b)[0])])))
weights(enc, ["e1", "u1"]); weights(m, ["db", "head"])
fit_bn("nested_unused_bn", m, bn, XS, Y)

# nested_unused_stateful: enc = Model(x, [sh_lstm(x), sh_lstm(u1(x))]) with a stateful LSTM, the outer model uses
# enc's first output only: the carried states go through both calls in each predict.
x = keras.Input(batch_shape=(2, 4, 3), name="x")
l = L.LSTM(3, stateful=True, name="sh_lstm")
enc = keras.Model(x, [l(x), l(L.Dense(3, name="u1")(x))], name="enc")
a = keras.Input(batch_shape=(2, 4, 3), name="a")
m = keras.Model(a, L.Dense(2, name="head")(enc(a)[0]))
weights(enc, ["sh_lstm", "u1"]); weights(m, ["head"])
predict_twice("nested_unused_stateful", m, det((2, 4, 3), 0.8, 0.3, 1.0))
# nested_unused_deep: the same inner model one level further down, mid = Model(y, [dm(inner(y)[0]), inner(y)[1]]), the
# outer model using mid's first output only: mid's call runs whole, and inner's inside it.
x = keras.Input((3,), name="x")
bn = L.BatchNormalization(momentum=0.5, name="sh_bn")
inner = keras.Model(x, [L.Dense(3, name="e1")(bn(x)), bn(L.Dense(3, name="u1")(x))], name="inner")
yy = keras.Input((3,), name="y")
io = inner(yy)
mid = keras.Model(yy, [L.Dense(3, name="dm")(io[0]), io[1]], name="mid")
a = keras.Input((3,), name="a"); b = keras.Input((3,), name="b")
m = keras.Model([a, b], L.Dense(1, name="head")(L.Concatenate(name="cat")([mid(a)[0], L.Dense(2, name="db")(mid(b)[0])])))
weights(inner, ["e1", "u1"]); weights(mid, ["dm"]); weights(m, ["db", "head"])
fit_bn("nested_unused_deep", m, bn, XS, Y)
# nested_unused_input: an outer model input (c) that only enc's calls take, for the branch of their unused output; Keras
# runs that branch too (enc's inputs are the model's), so sh_bn moves on c's branch as well.
x = keras.Input((3,), name="x"); z = keras.Input((3,), name="z")
bn = L.BatchNormalization(momentum=0.5, name="sh_bn")
enc = keras.Model([x, z], [L.Dense(3, name="e1")(bn(x)), bn(L.Dense(3, name="u1")(z))], name="enc")
a = keras.Input((3,), name="a"); b = keras.Input((3,), name="b"); c = keras.Input((3,), name="c")
m = keras.Model([a, b, c], L.Dense(1, name="head")(L.Concatenate(name="cat")([enc([a, c])[0], L.Dense(2, name="db")(enc([b, c])[0])])))
weights(enc, ["e1", "u1"]); weights(m, ["db", "head"])
fit_bn("nested_unused_input", m, bn, XS + [det((6, 3), 0.4, 0.9, 3.0) - 2], Y)
try:   # the same call with an input from outside the outer model: Keras refuses to build it
    keras.Model(a, L.Dense(1)(enc([a, keras.Input((3,))])[0]))
    raise SystemExit("Keras built a model whose nested call takes an input from outside it")
except ValueError as e:
    assert "is not connected to `inputs`" in str(e), e

# nested_unused_activity: nested_unused_bn with an activity regularizer on u1, whose call feeds only the unused output:
# Keras adds its penalty to the loss (enc runs whole) and so trains u1 by it; evaluate's loss has it too.
x = keras.Input((3,), name="x")
bn = L.BatchNormalization(momentum=0.5, name="sh_bn")
u1 = L.Dense(3, name="u1", activity_regularizer=keras.regularizers.L2(0.1))
enc = keras.Model(x, [L.Dense(3, name="e1")(bn(x)), bn(u1(x))], name="enc")
a = keras.Input((3,), name="a"); b = keras.Input((3,), name="b")
m = keras.Model([a, b], L.Dense(1, name="head")(L.Concatenate(name="cat")([enc(a)[0], L.Dense(2, name="db")(enc(b)[0])])))
weights(enc, ["e1", "u1"]); weights(m, ["db", "head"])
saved("nested_unused_activity", m)
put("nested_unused_activity", "evaluate_before", [m.evaluate(XS, Y, batch_size=6, verbose=0)])
# fit_*: Keras' two-epoch fit, which trains u1 by its penalty (KerasRunOrderTest reads them since session 35, when u1
# began to train in jrnn too). make_nested_unused_train.py beside this file: an unused branch trained by Adam, resumed.
h = m.fit(XS, Y, epochs=2, batch_size=3, shuffle=False, verbose=0)
put("nested_unused_activity", "fit_loss", h.history["loss"])
put("nested_unused_activity", "fit_u1_kernel", u1.kernel); put("nested_unused_activity", "fit_u1_bias", u1.bias)
put("nested_unused_activity", "fit_moving_mean", bn.moving_mean); put("nested_unused_activity", "fit_moving_var", bn.moving_variance)
put("nested_unused_activity", "fit_predict", m.predict(XS, batch_size=6, verbose=0))
put("nested_unused_activity", "fit_evaluate", [m.evaluate(XS, Y, batch_size=6, verbose=0)])
m = keras.models.load_model("nested_unused_activity.keras")   # as saved before the fit: one training batch's loss
m.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
put("nested_unused_activity", "train_on_batch", [m.train_on_batch(XS, Y)])

# nested_unused_td: the stateful LSTM of nested_unused_stateful inside a TimeDistributed (its states go on from one outer
# step to the next, as Keras' step_function calls it), shared by both of enc's calls; the outer model uses the first.
x = keras.Input(batch_shape=(2, 2, 4, 3), name="x")
td = L.TimeDistributed(L.LSTM(3, stateful=True, name="sh_lstm"), name="td")
enc = keras.Model(x, [td(x), td(L.Dense(3, name="u1")(x))], name="enc")
a = keras.Input(batch_shape=(2, 2, 4, 3), name="a")
m = keras.Model(a, L.Dense(2, name="head")(enc(a)[0]))
weights(enc, ["td", "u1"]); weights(m, ["head"])
predict_twice("nested_unused_td", m, det((2, 2, 4, 3), 0.8, 0.3, 1.0))
# nested_unused_plain: a plain unused branch, enc = Model(x, [e1(s(x)), u1(s(x))]), u1 with an activity regularizer and
# no layer with state after it; the outer model uses enc's first output only. Keras runs u1 (enc runs whole) and adds its
# penalty: in evaluate's loss, in a training batch's, and through s (shared by both branches) in s's gradient.
x = keras.Input((3,), name="x")
s = L.Dense(3, name="s")
u1 = L.Dense(3, name="u1", activity_regularizer=keras.regularizers.L2(0.1))
enc = keras.Model(x, [L.Dense(3, name="e1")(s(x)), u1(s(x))], name="enc")
a = keras.Input((3,), name="a")
m = keras.Model(a, L.Dense(1, name="head")(enc(a)[0]))
weights(enc, ["s", "e1", "u1"]); weights(m, ["head"])
xa, y = XS[0], Y
saved("nested_unused_plain", m)
put("nested_unused_plain", "evaluate_before", [m.evaluate(xa, y, batch_size=6, verbose=0)])
put("nested_unused_plain", "train_on_batch", [m.train_on_batch(xa, y)])
put("nested_unused_plain", "step_s_kernel", s.kernel); put("nested_unused_plain", "step_s_bias", s.bias)
put("nested_unused_plain", "step_u1_kernel", u1.kernel)
out.close()
