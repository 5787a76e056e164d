"""Keras 3.15.1's metrics over a row that weighs 0 (a sample weight of 0, or a masked step) and holds NaN, the oracle of
MetricTest.aRowWeighingZeroAddsItsNaNAsKeras (the only test that reads zero_weight_nan.json).

Run from this folder with the project's Keras (tensorflow backend): /tmp/tester-repros/kpy.sh make_zero_weight_nan.py
(KERAS_BACKEND=jax gives the same values, but for the masked
pearson_correlation: finite under jit, where XLA drops the masked rows' NaN, NaN run eagerly). Writes zero_weight_nan.json. Keras' Mean and MeanMetricWrapper multiply each
row's value by its weight, so 0 * NaN = NaN reaches the sum; the metrics that compare (accuracies, confusion counts)
see NaN fail the comparison and stay finite.
"""
import json
import numpy as np
import keras
from keras import metrics as M, ops


def max_abs_error(y, p):   # a function metric (MeanMetric in jrnn)
    return ops.max(ops.abs(y - p), axis=-1)


def arr(a):
    return {"shape": list(a.shape), "data": [None if np.isnan(v) else float(v) for v in np.ravel(a)]}


def value(v):
    v = float(np.ravel(v)[0])
    return "NaN" if np.isnan(v) else v


def metrics():
    return ["mse", "mae", "root_mean_squared_error", "pearson_correlation", "concordance_correlation", "mape", "msle",
            "log_cosh_error", "cosine_similarity", "binary_accuracy", "categorical_accuracy", "top_k_categorical_accuracy",
            "precision", "recall", M.BinaryAccuracy(threshold=0.7, name="binary_accuracy_07"), max_abs_error]


def target_metrics():   # for a NaN target: the F-scores multiply it by the row's weight too; AUC and precision compare
    return ["mse", M.F1Score(average="macro", threshold=0.5, name="f1_macro"), M.F1Score(average="micro", name="f1_micro"),
            "auc", "precision"]


def evaluate(p, y, mask, w, ms=metrics):
    keras.backend.clear_session()
    i = keras.Input(p.shape[1:])
    h = keras.layers.Masking(0.0)(i) if mask else i
    m = keras.Model(i, keras.layers.Identity()(h))
    m.compile("sgd", "mse", weighted_metrics=ms())
    r = m.evaluate(p, y, batch_size=2, sample_weight=w, return_dict=True, verbose=0)
    return {k: value(v) for k, v in r.items()}


rng = np.random.default_rng(30)
p = rng.uniform(0.05, 0.95, (4, 3)).astype("float32")
y = (p > 0.5).astype("float32")   # right but for two elements
y[0, 0] = 1 - y[0, 0]
y[3, 2] = 1 - y[3, 2]
p[2, 1] = np.nan
w = np.array([1.0, 0.5, 0.0, 2.0], "float32")
# a sequence: sample 1's last two steps are zero rows, which Masking masks (a constant row: Pearson NaN there)
ps = rng.uniform(0.05, 0.95, (2, 4, 3)).astype("float32")
ps[1, 2:] = 0
ys = rng.uniform(0, 1, (2, 4, 3)).astype("float32")
out = {"keras": keras.__version__, "p": arr(p), "y": arr(y), "w": arr(w), "p_seq": arr(ps), "y_seq": arr(ys),
       "weighted": evaluate(p, y, False, w), "masked": evaluate(ps, ys, True, None)}
# the NaN in the target of the row weighing 0 instead
pt, yt = np.nan_to_num(p, nan=0.3), y.copy()
yt[2, 1] = np.nan
out.update({"p_t": arr(pt), "y_t": arr(yt), "nan_target": evaluate(pt, yt, False, w, target_metrics)})
with open("zero_weight_nan.json", "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
