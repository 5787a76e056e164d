"""Golden values for TimeDistributedBatchNormTest: Keras 3.15.1's TimeDistributed(BatchNormalization) in training.

Keras 3's TimeDistributed (keras/src/layers/rnn/time_distributed.py, step_function) calls the wrapped layer once per
step, so BatchNormalization normalises step i with the moments of x[:, i] over the batch (weighted by mask[:, i] under
a (batch, steps) mask), and its moving statistics are updated once per step, in step order.

Writes, beside this script:
  td_bn.keras          Input(3, 2) -> TimeDistributed(BatchNormalization(momentum=0.5)), weights perturbed
  td_bn_masked.keras   Input(4, 2) -> Masking(0.0) -> TimeDistributed(BatchNormalization(momentum=0.5)); in the
                       first fixture batch the last step is masked in every sample
  td_bn_fit.keras      Input(3, 2) -> Dense(2) -> TimeDistributed(BN(momentum=0.5)) -> LSTM(3) -> Dense(1)
  td_bn_fit_masked.keras  the same over Input(4, 2) -> Masking(0.0) -> ...
  td_bn_golden.json    per file: x (and y), the training-mode output of one call and the weights after it
                       (model(x, training=True)), and for the fit models the losses of fit (SGD 0.1, mse, 2 epochs,
                       batch 4, shuffle off), the weights after it and predict after it.
Run: KERAS_BACKEND=jax python make_td_bn.py (Keras 3.15.1). KERAS_BACKEND=tensorflow (TF 2.21) gives the same values
to ~1e-6 (checked when the fixtures were made; the JAX values are the ones written).
"""
import json
import os

import numpy as np
import keras
from keras import layers as L

D = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(29)


def perturb(m):
    # every weight drawn here (not Keras' initialisers, whose draws differ between backends)
    for layer in m.layers:
        ws = layer.get_weights()
        if not ws:
            continue
        out = [rng.uniform(-0.6, 0.6, w.shape).astype("float32") for w in ws]
        if isinstance(layer, L.TimeDistributed):   # gamma about 1, beta, moving_mean, moving_variance > 0
            out[0] += 1
            out[3] = np.abs(out[3]) + 0.5
        layer.set_weights(out)


def data(b, t, masked):
    # each step with its own mean and scale, so per-step and pooled moments differ
    x = (rng.normal(size=(b, t, 2)) * rng.uniform(0.5, 3, (1, t, 1)) + rng.uniform(-2, 2, (1, t, 1))).astype("float32")
    if masked:
        x[0, 2:] = 0    # sample 0: 2 steps
        x[1, 3:] = 0    # sample 1: 3 steps
        x[2, 3:] = 0
        x[3, 1:] = 0
        if b > 5:
            x[5, 2:] = 0
    return x


def weights(m):
    return [w.tolist() for w in m.get_weights()]


def one_call(name, t, masked):
    i = keras.Input((t, 2))
    h = L.Masking(0.0)(i) if masked else i
    m = keras.Model(i, L.TimeDistributed(L.BatchNormalization(momentum=0.5), name="td")(h))
    perturb(m)
    m.save(os.path.join(D, name + ".keras"))
    x = data(4, t, masked)
    y = np.asarray(m(x, training=True))
    return {"x": x.ravel().tolist(), "shape": list(x.shape), "training_output": y.ravel().tolist(),
            "weights_after": weights(m)}


def fitted(name, t, masked):
    i = keras.Input((t, 2))
    h = L.Masking(0.0)(i) if masked else i
    h = L.TimeDistributed(L.BatchNormalization(momentum=0.5), name="td")(L.Dense(2, name="d")(h))
    m = keras.Model(i, L.Dense(1, name="out")(L.LSTM(3, name="lstm")(h)))
    perturb(m)
    m.save(os.path.join(D, name + ".keras"))
    x, y = data(8, t, masked), rng.normal(size=(8, 1)).astype("float32")
    out = {"x": x.ravel().tolist(), "shape": list(x.shape), "y": y.ravel().tolist(),
           "training_output": np.asarray(m(x, training=True)).ravel().tolist(), "weights_after_call": weights(m)}
    m = keras.saving.load_model(os.path.join(D, name + ".keras"))
    m.compile(keras.optimizers.SGD(0.1), "mse")
    out["losses"] = m.fit(x, y, epochs=2, batch_size=4, shuffle=False, verbose=0).history["loss"]
    out["weights_after_fit"] = weights(m)
    out["predict_after_fit"] = m.predict(x, verbose=0).ravel().tolist()
    return out


golden = {
    "td_bn": one_call("td_bn", 3, False),
    "td_bn_masked": one_call("td_bn_masked", 4, True),
    "td_bn_fit": fitted("td_bn_fit", 3, False),
    "td_bn_fit_masked": fitted("td_bn_fit_masked", 4, True),
}
with open(os.path.join(D, "td_bn_golden.json" if keras.backend.backend() == "jax" else "td_bn_golden_"
                       + keras.backend.backend() + ".json"), "w") as fh:
    json.dump(golden, fh)
    fh.write("\n")
