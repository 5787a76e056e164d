"""Keras 3.15.1's metric "accuracy" on an output compiled without a loss, the oracle of CompileMetricsTest.

Run from this folder with the project's Keras (tensorflow backend): /tmp/tester-repros/kpy.sh make_loss_less_accuracy.py
(the jax backend gives the same numbers). Writes loss_less_accuracy.json and loss_less.keras (the model saved by Keras).
Keras' compile_utils.get_metric resolves "accuracy" / "acc" from the shapes of the targets and the output, with or
without a loss: one output column -> binary accuracy; targets of lower rank, or a last axis of 1 against more columns ->
sparse categorical accuracy; else categorical accuracy. Also a fit on class indices (N,) validated on (N, 1), weighted
"accuracy" with sample weights, and a sequence output (N, 4, 3) read with class indices (N, 4).
"""
import json
import numpy as np
import keras

rng = np.random.default_rng(30)
N = 23
x = rng.normal(0, 1, (N, 3)).astype("float32")
yb = (rng.uniform(size=(N, 1)) < 0.5).astype("float32")
yi = rng.integers(0, 3, N).astype("float32")
kernel_a = np.array([[0.3], [-0.5], [0.8]], "float32"); bias_a = np.array([0.1], "float32")
kernel_b = np.array([[0.3, -0.5, 0.8], [0.1, 0.7, -0.4], [-0.6, 0.2, 0.5]], "float32"); bias_b = np.array([0.1, -0.2, 0.05], "float32")


def model():
    keras.backend.clear_session()
    i = keras.Input((3,))
    a = keras.layers.Dense(1, activation="sigmoid", name="a")(i)
    b = keras.layers.Dense(3, activation="softmax", name="b")(i)
    m = keras.Model(i, [a, b])
    m.set_weights([kernel_a, bias_a, kernel_b, bias_b])
    return m


def arr(a):
    return {"shape": list(a.shape), "data": [float(v) for v in a.ravel()]}


cases = {}
# targets of b: class indices (N,), class indices (N, 1), one-hot (N, 3)
for tag, yt in (("indices", yi), ("column", yi.reshape(-1, 1)), ("onehot", np.eye(3, dtype="float32")[yi.astype(int)])):
    for name in ("accuracy", "acc"):
        m = model()
        m.compile("sgd", ["binary_crossentropy", None], metrics=[[name], [name]])
        r = m.evaluate(x, [yb, yt], batch_size=5, return_dict=True, verbose=0)
        cases[tag + "_" + name] = {"y_b": tag, "metric": name, "keras": {k: float(v) for k, v in r.items()}}
m = model()
m.compile("sgd", ["binary_crossentropy", None], metrics=[["accuracy"], ["accuracy"]])
m.save("loss_less.keras")
r = keras.models.load_model("loss_less.keras").evaluate(x, [yb, yi], batch_size=5, return_dict=True, verbose=0)
cases["loaded_keras_file"] = {"y_b": "indices", "metric": "accuracy", "keras": {k: float(v) for k, v in r.items()}}
# fit on class indices (N,) validated on class indices (N, 1): each call reads its own targets' shape
m = model()
m.compile("sgd", ["binary_crossentropy", None], metrics=[["accuracy"], ["accuracy"]])
h = m.fit(x, [yb, yi], batch_size=5, epochs=2, shuffle=False, verbose=0, validation_data=(x, [yb, yi.reshape(-1, 1)]))
fit_validation = {k: [float(v) for v in vs] for k, vs in h.history.items()}
# weighted: sample weights on both outputs, "accuracy" as a metric and a weighted metric of the loss-less output
sw = rng.uniform(0, 2, N).astype("float32"); sw[[2, 7]] = 0
m = model()
m.compile("sgd", ["binary_crossentropy", None], metrics=[[], ["accuracy"]], weighted_metrics=[[], ["accuracy"]])
r = m.evaluate(x, [yb, yi], batch_size=5, sample_weight=[sw, sw], return_dict=True, verbose=0)
weighted = {k: float(v) for k, v in r.items()}
# a sequence output (N, 4, 3) without a loss, class indices (N, 4); a sequence output (N, 4, 1) with mse beside it
xs = rng.normal(0, 1, (N, 4, 3)).astype("float32")
ys = rng.integers(0, 3, (N, 4)).astype("float32")
yv = rng.normal(0, 1, (N, 4, 1)).astype("float32")
keras.backend.clear_session()
i = keras.Input((4, 3))
sm = keras.Model(i, [keras.layers.Dense(3, activation="softmax", name="s")(i), keras.layers.Dense(1, name="v")(i)])
sm.set_weights([kernel_b, bias_b, kernel_a, bias_a])
sm.compile("sgd", [None, "mse"], metrics=[["accuracy"], []])
r = sm.evaluate(xs, [ys, yv], batch_size=5, return_dict=True, verbose=0)
sequence = {k: float(v) for k, v in r.items()}
out = {"keras": keras.__version__, "x": arr(x), "y_a": arr(yb), "y_b": arr(yi),
       "weights": [arr(kernel_a), arr(bias_a), arr(kernel_b), arr(bias_b)], "cases": cases,
       "fit_validation": fit_validation, "sample_weight": arr(sw), "weighted": weighted,
       "x_seq": arr(xs), "y_seq": arr(ys), "y_v": arr(yv), "sequence": sequence}
with open("loss_less_accuracy.json", "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
