"""Training semantics computed by Keras 3.15.1 itself (jax backend), the oracle of KerasTrainingGoldensTest.

Run from this folder (dev/jrnn/io/keras: the GPU stage leaves these CPU-only files out) with the project's Keras venv: KERAS_BACKEND=jax /tmp/jrnn-keras3/venv/bin/python make_training_goldens.py
It writes training_goldens.json (deterministic: seeded data, weights stored in the file; Keras 3.15.1, jax 0.x on CPU).
Every case records what jrnn needs to replay it: the data, the initial weights, Keras' serialized compile_config
(loss, metrics, optimizer with its options and schedule) and what Keras gave (evaluate's dict, history, weights after fit).
"""
import json
import os
os.environ["KERAS_BACKEND"] = "jax"
import numpy as np
import keras
from keras import layers

keras.utils.set_random_seed(11)
rng = np.random.default_rng(5)
f32 = np.float32
out = {"keras": keras.__version__}


def arr(a):
    a = np.asarray(a)
    return {"shape": list(a.shape), "data": [float(v) for v in a.astype(np.float64).ravel()]}


UNSET = {"weight_decay", "clipnorm", "global_clipnorm", "clipvalue", "ema_overwrite_frequency", "loss_scale_factor",
         "gradient_accumulation_steps", "metrics", "weighted_metrics", "loss_weights"}   # None there: the option is off


def tidy(o):
    """Keras' serialized objects without what jrnn does not read (unset optimizer options, registered_name, dtype, modules but a function's)."""
    if isinstance(o, dict):
        keep = o.get("class_name") == "function"
        return {k: tidy(v) for k, v in o.items() if (v is not None or k not in UNSET) and k not in ("registered_name", "dtype", "name" if "learning_rate" in o else "")
                and (k != "module" or keep)}
    if isinstance(o, list):
        return [tidy(v) for v in o]
    return o


def compile_config(m, *keys):
    c = json.loads(json.dumps(m.get_compile_config(), default=lambda o: o.tolist() if hasattr(o, "tolist") else str(o)))
    return {k: tidy(c[k]) for k in keys if c.get(k) is not None}


def short(o):
    """Floats to 9 significant digits (float32 holds no more): a small file."""
    if isinstance(o, float):
        return float("%.9g" % o)
    if isinstance(o, dict):
        return {k: short(v) for k, v in o.items()}
    if isinstance(o, list):
        return [short(v) for v in o]
    return o


# ---------------------------------------------------------------- losses and metrics on an identity model
N, C, B = 10, 3, 4
p = rng.uniform(0.05, 0.95, (N, C)).astype(f32)
z = rng.normal(0, 2, (N, C)).astype(f32)
yb = (rng.uniform(size=(N, C)) > 0.5).astype(f32)
ys = rng.integers(0, C, N).astype(f32)
yo = np.eye(C, dtype=f32)[ys.astype(int)]
yr = rng.normal(0, 1.5, (N, C)).astype(f32)
yd = rng.uniform(0.0, 1.0, (N, C)).astype(f32); yd = (yd / yd.sum(1, keepdims=True)).astype(f32)
w = rng.uniform(0, 2, N).astype(f32)
sm = np.exp(z) / np.exp(z).sum(1, keepdims=True)
out["data"] = {k: arr(v) for k, v in dict(p=p, z=z, yb=yb, ys=ys, yo=yo, yr=yr, yd=yd, yr2=yr ** 2, w=w, sm=sm.astype(f32)).items()}


def identity():
    return keras.Sequential([keras.Input((C,)), layers.Activation("linear")])


def evaluate(m, x, y, weighted):
    r = m.evaluate(x, y, batch_size=B, sample_weight=w if weighted else None, verbose=0, return_dict=True)
    return {k: float(v) for k, v in r.items()}


L = keras.losses
loss_cases = [  # (id, loss object, pred key, target key)
    ("mse", L.MeanSquaredError(), "z", "yr"),
    ("mae", L.MeanAbsoluteError(), "z", "yr"),
    ("huber", L.Huber(), "z", "yr"),
    ("huber_delta", L.Huber(delta=0.5), "z", "yr"),
    ("log_cosh", L.LogCosh(), "z", "yr"),
    ("bce", L.BinaryCrossentropy(), "p", "yb"),
    ("bce_logits", L.BinaryCrossentropy(from_logits=True), "z", "yb"),
    ("bce_smooth", L.BinaryCrossentropy(label_smoothing=0.2), "p", "yb"),
    ("bce_logits_smooth", L.BinaryCrossentropy(from_logits=True, label_smoothing=0.1), "z", "yb"),
    ("cce", L.CategoricalCrossentropy(), "p", "yo"),
    ("cce_logits", L.CategoricalCrossentropy(from_logits=True), "z", "yo"),
    ("cce_smooth", L.CategoricalCrossentropy(label_smoothing=0.2), "p", "yo"),
    ("cce_logits_smooth", L.CategoricalCrossentropy(from_logits=True, label_smoothing=0.3), "z", "yo"),
    ("cce_soft_targets", L.CategoricalCrossentropy(), "p", "yd"),
    ("scce", L.SparseCategoricalCrossentropy(), "p", "ys"),
    ("scce_logits", L.SparseCategoricalCrossentropy(from_logits=True), "z", "ys"),
    ("scce_ignore", L.SparseCategoricalCrossentropy(from_logits=True, ignore_class=1), "z", "ys"),
    ("kld", L.KLDivergence(), "p", "yd"),
    ("poisson", L.Poisson(), "p", "yr2"),
    ("hinge", L.Hinge(), "z", "yb"),
    ("squared_hinge", L.SquaredHinge(), "z", "yb"),
    ("categorical_hinge", L.CategoricalHinge(), "z", "yo"),
    ("bfce", L.BinaryFocalCrossentropy(), "p", "yb"),
    ("bfce_logits", L.BinaryFocalCrossentropy(from_logits=True), "z", "yb"),
    ("bfce_options", L.BinaryFocalCrossentropy(apply_class_balancing=True, alpha=0.3, gamma=1.5, label_smoothing=0.1), "p", "yb"),
    ("bfce_logits_options", L.BinaryFocalCrossentropy(apply_class_balancing=True, alpha=0.6, gamma=0.5, from_logits=True), "z", "yb"),
    ("cfce", L.CategoricalFocalCrossentropy(), "p", "yo"),
    ("cfce_logits", L.CategoricalFocalCrossentropy(from_logits=True), "z", "yo"),
    ("cfce_options", L.CategoricalFocalCrossentropy(alpha=0.5, gamma=1.0, label_smoothing=0.1), "p", "yo"),
    ("mse_sum", L.MeanSquaredError(reduction="sum"), "z", "yr"),
    ("mse_mean", L.MeanSquaredError(reduction="mean"), "z", "yr"),
    ("mse_mean_with_sample_weight", L.MeanSquaredError(reduction="mean_with_sample_weight"), "z", "yr"),
    ("bce_sum", L.BinaryCrossentropy(reduction="sum"), "p", "yb"),
    ("scce_mean_with_sample_weight", L.SparseCategoricalCrossentropy(reduction="mean_with_sample_weight"), "p", "ys"),
]
D = dict(p=p, z=z, yb=yb, ys=ys, yo=yo, yr=yr, yd=yd, yr2=yr ** 2)
out["losses"] = []
for cid, loss, pk, tk in loss_cases:
    m = identity()
    m.compile(optimizer="sgd", loss=loss)
    cc = compile_config(m, "loss")
    if isinstance(loss, L.Huber):   # Keras' Huber.get_config leaves delta out (a file reloads it at 1.0): given here
        cc["loss"]["config"]["delta"] = float(loss._fn_kwargs["delta"])
    out["losses"].append({"id": cid, "pred": pk, "target": tk, "compile_config": cc,
                          "unweighted": evaluate(m, D[pk], D[tk], False)["loss"],
                          "weighted": evaluate(m, D[pk], D[tk], True)["loss"]})

# masked timesteps: Masking -> identity, the loss over the unmasked steps only
T = 4
xs = rng.normal(size=(5, T, 2)).astype(f32); xs[0, 2:] = 0; xs[1, 1:] = 0; xs[3, 3:] = 0
yseq = rng.normal(size=(5, T, 2)).astype(f32)
wseq = rng.uniform(0.5, 2, (5, T)).astype(f32)   # per-step weights: (B,) weights with a mask fail in Keras 3.15.1 (broadcast)
seq = {"x": arr(xs), "y": arr(yseq), "w": arr(wseq), "cases": []}
for cid, loss in [("mse", "mse"), ("mae", "mae"), ("huber", L.Huber()), ("mse_sum", L.MeanSquaredError(reduction="sum"))]:
    m = keras.Sequential([keras.Input((T, 2)), layers.Masking(0.0), layers.Activation("linear")])
    m.compile(optimizer="sgd", loss=loss, metrics=["mae"], weighted_metrics=["mse"])
    a = m.evaluate(xs, yseq, batch_size=2, verbose=0, return_dict=True)
    b = m.evaluate(xs, yseq, batch_size=2, sample_weight=wseq, verbose=0, return_dict=True)
    seq["cases"].append({"id": cid, "compile_config": compile_config(m, "loss", "metrics", "weighted_metrics"),
                         "unweighted": {k: float(v) for k, v in a.items()}, "weighted": {k: float(v) for k, v in b.items()}})
out["masked_losses"] = seq

M = keras.metrics
metric_groups = [  # (group, pred key, target key, loss, metrics)
    ("binary", "p", "yb", "binary_crossentropy", [
        M.BinaryAccuracy(), M.BinaryAccuracy(threshold=0.3, name="binacc_03"),
        M.Precision(), M.Precision(thresholds=0.4, name="precision_04"), M.Recall(thresholds=0.6, name="recall_06"),
        M.TruePositives(), M.FalsePositives(thresholds=0.3, name="fp_03"), M.TrueNegatives(), M.FalseNegatives(),
        M.AUC(), M.AUC(num_thresholds=20, name="auc20"), M.AUC(curve="PR", name="pr_auc"),
        M.AUC(summation_method="minoring", name="auc_min"), M.AUC(summation_method="majoring", curve="PR", name="pr_maj"),
        M.AUC(from_logits=False, multi_label=True, name="auc_multi"),
        M.PrecisionAtRecall(0.5), M.RecallAtPrecision(0.4), M.SensitivityAtSpecificity(0.5), M.SpecificityAtSensitivity(0.5),
        M.F1Score(threshold=0.5), M.F1Score(average="macro", threshold=0.5, name="f1_macro"),
        M.FBetaScore(beta=2.0, average="weighted", threshold=0.4, name="f2_weighted"),
        M.F1Score(average="micro", name="f1_micro"),
        M.BinaryCrossentropy(), M.BinaryCrossentropy(label_smoothing=0.1, name="bce_smooth"),
        M.Hinge(), M.SquaredHinge(), M.Accuracy()]),
    ("categorical", "p", "yo", "categorical_crossentropy", [
        M.CategoricalAccuracy(), M.TopKCategoricalAccuracy(k=2), M.CategoricalCrossentropy(),
        M.CategoricalCrossentropy(label_smoothing=0.2, name="cce_smooth"), M.CategoricalHinge(), M.KLDivergence(), M.Poisson()]),
    ("sparse", "p", "ys", "sparse_categorical_crossentropy", [
        M.SparseCategoricalAccuracy(), M.SparseTopKCategoricalAccuracy(k=2), M.SparseCategoricalCrossentropy()]),
    ("binary_options", "p", "yb", "binary_crossentropy", [
        M.Precision(top_k=2, name="precision_top2"), M.Precision(class_id=1, name="precision_c1"),
        M.Recall(thresholds=[0.3, 0.7], name="recall_2t"), M.Recall(top_k=1, class_id=2, name="recall_top1_c2"),
        M.AUC(multi_label=True, num_labels=3, name="auc_ml3"),   # label_weights: jrnn refuses them (documented)
        M.F1Score(average="weighted", name="f1_argmax"), M.FBetaScore(beta=0.5, average="micro", threshold=0.6, name="f05"),
        M.TruePositives(thresholds=[0.2, 0.8], name="tp_2t")]),
    ("binary_logits", "z", "yb", L.BinaryCrossentropy(from_logits=True), [
        "accuracy", M.AUC(from_logits=True, name="auc_logits"), M.BinaryAccuracy(threshold=0.0, name="binacc_0"),
        M.BinaryCrossentropy(from_logits=True, name="bce_logits")]),
    ("categorical_logits", "z", "yo", L.CategoricalCrossentropy(from_logits=True), [
        "accuracy", M.CategoricalCrossentropy(from_logits=True, name="cce_logits"), M.TopKCategoricalAccuracy(k=1, name="top1")]),
    ("sparse_logits", "z", "ys", L.SparseCategoricalCrossentropy(from_logits=True), [
        "accuracy", M.SparseCategoricalCrossentropy(from_logits=True, name="scce_logits"),
        M.SparseTopKCategoricalAccuracy(k=1, name="top1")]),
    ("regression", "z", "yr", "mse", [
        M.MeanAbsoluteError(), M.MeanSquaredError(), M.RootMeanSquaredError(), M.MeanAbsolutePercentageError(),
        M.MeanSquaredLogarithmicError(), M.LogCoshError(), M.CosineSimilarity(), M.PearsonCorrelation(),
        M.ConcordanceCorrelation(), M.R2Score(), M.R2Score(class_aggregation="variance_weighted_average", name="r2_vw"),
        M.R2Score(class_aggregation=None, name="r2_none")]),
]
out["metrics"] = []
for group, pk, tk, loss, ms in metric_groups:
    plain = identity()
    plain.compile(optimizer="sgd", loss=loss, metrics=ms)
    weighted = identity()
    weighted.compile(optimizer="sgd", loss=loss, weighted_metrics=[m if isinstance(m, str) else m.__class__.from_config(m.get_config()) for m in ms])
    a = plain.evaluate(D[pk], D[tk], batch_size=B, verbose=0, return_dict=True)
    a2 = plain.evaluate(D[pk], D[tk], batch_size=B, verbose=0, return_dict=True)   # evaluate resets the states
    assert all(np.allclose(a[k], a2[k]) for k in a)
    b = weighted.evaluate(D[pk], D[tk], batch_size=B, sample_weight=w, verbose=0, return_dict=True)
    conv = lambda r: {k: (np.asarray(v).astype(np.float64).tolist()) for k, v in r.items()}
    out["metrics"].append({"group": group, "pred": pk, "target": tk, "compile_config": compile_config(plain, "loss", "metrics"),
                           "weighted_compile_config": compile_config(weighted, "weighted_metrics"),
                           "unweighted": conv(a), "weighted": conv(b)})

# ---------------------------------------------------------------- optimizers: a Dense(2) on 3 inputs, 8 rows, batches of 4
xo = rng.normal(size=(8, 3)).astype(f32)
yo2 = rng.normal(size=(8, 2)).astype(f32)
k0 = rng.normal(0, 0.5, (3, 2)).astype(f32)
b0 = rng.normal(0, 0.1, 2).astype(f32)
out["optimizer_data"] = {"x": arr(xo), "y": arr(yo2), "kernel": arr(k0), "bias": arr(b0), "epochs": 3, "batch_size": 4}
O = keras.optimizers
S = keras.optimizers.schedules
opt_cases = [
    ("sgd", O.SGD(0.1)),
    ("sgd_momentum", O.SGD(0.1, momentum=0.9)),
    ("sgd_nesterov", O.SGD(0.1, momentum=0.8, nesterov=True)),
    ("sgd_weight_decay", O.SGD(0.1, weight_decay=0.2)),
    ("sgd_clipvalue", O.SGD(0.1, clipvalue=0.3)),
    ("sgd_clipnorm", O.SGD(0.1, clipnorm=0.5)),
    ("sgd_global_clipnorm", O.SGD(0.1, global_clipnorm=0.5)),
    ("adam", O.Adam(0.05)),
    ("adam_options", O.Adam(0.05, beta_1=0.8, beta_2=0.95, epsilon=1e-3)),
    ("adam_amsgrad", O.Adam(0.05, amsgrad=True)),
    ("adam_weight_decay", O.Adam(0.05, weight_decay=0.1)),
    ("adam_clipnorm", O.Adam(0.05, clipnorm=0.2)),
    ("adam_accumulation", O.Adam(0.05, gradient_accumulation_steps=2)),
    ("adam_accumulation_3", O.Adam(0.05, gradient_accumulation_steps=4)),
    ("adam_accumulation_schedule", O.Adam(S.ExponentialDecay(0.1, decay_steps=2, decay_rate=0.5), gradient_accumulation_steps=2)),
    ("sgd_ema_accumulation", O.SGD(0.1, momentum=0.5, use_ema=True, ema_momentum=0.6, ema_overwrite_frequency=2,
                                   gradient_accumulation_steps=2)),
    ("adam_ema", O.Adam(0.05, use_ema=True, ema_momentum=0.8)),
    ("adam_ema_overwrite", O.Adam(0.05, use_ema=True, ema_momentum=0.7, ema_overwrite_frequency=2)),
    ("adamw", O.AdamW(0.05, weight_decay=0.1)),
    ("adamw_amsgrad", O.AdamW(0.05, weight_decay=0.3, amsgrad=True, beta_1=0.7)),
    ("rmsprop", O.RMSprop(0.02)),
    ("rmsprop_options", O.RMSprop(0.02, rho=0.8, momentum=0.5, epsilon=1e-4, centered=True)),
    ("rmsprop_momentum", O.RMSprop(0.02, momentum=0.9)),
    ("adagrad", O.Adagrad(0.1, initial_accumulator_value=0.2, epsilon=1e-5)),
    ("adadelta", O.Adadelta(1.0, rho=0.9, epsilon=1e-4)),
    ("adamax", O.Adamax(0.05, beta_1=0.85, beta_2=0.99)),
    ("nadam", O.Nadam(0.05)),
    ("nadam_options", O.Nadam(0.05, beta_1=0.8, beta_2=0.9, epsilon=1e-4)),
    ("lion", O.Lion(0.01)),
    ("lion_options", O.Lion(0.01, beta_1=0.8, beta_2=0.95, weight_decay=0.5)),
    ("exponential_decay", O.SGD(S.ExponentialDecay(0.2, decay_steps=2, decay_rate=0.5))),
    ("exponential_decay_staircase", O.Adam(S.ExponentialDecay(0.1, decay_steps=2, decay_rate=0.5, staircase=True))),
    ("piecewise", O.SGD(S.PiecewiseConstantDecay([1, 3], [0.2, 0.1, 0.02]))),
    ("polynomial", O.SGD(S.PolynomialDecay(0.2, decay_steps=4, end_learning_rate=0.01, power=2.0))),
    ("polynomial_cycle", O.SGD(S.PolynomialDecay(0.2, decay_steps=2, end_learning_rate=0.01, power=1.0, cycle=True))),
    ("inverse_time", O.SGD(S.InverseTimeDecay(0.2, decay_steps=2, decay_rate=0.5))),
    ("inverse_time_staircase", O.SGD(S.InverseTimeDecay(0.2, decay_steps=2, decay_rate=0.5, staircase=True))),
    ("cosine", O.SGD(S.CosineDecay(0.2, decay_steps=4, alpha=0.1))),
    ("cosine_warmup", O.SGD(S.CosineDecay(0.0, decay_steps=3, warmup_target=0.2, warmup_steps=2))),
    ("cosine_restarts", O.SGD(S.CosineDecayRestarts(0.2, first_decay_steps=2, t_mul=2.0, m_mul=0.5, alpha=0.1))),
]
out["optimizers"] = []
for cid, opt in opt_cases:
    m = keras.Sequential([keras.Input((3,)), layers.Dense(2)])
    m.set_weights([k0, b0])
    m.compile(optimizer=opt, loss="mse")
    h = m.fit(xo, yo2, batch_size=4, epochs=3, shuffle=False, verbose=0)
    out["optimizers"].append({"id": cid, "compile_config": compile_config(m, "optimizer"), "loss": [float(v) for v in h.history["loss"]],
                              "iterations": int(m.optimizer._iterations), "weights": [arr(v) for v in m.get_weights()]})

# ---------------------------------------------------------------- fit: Dense(4, tanh) -> Dense(3, softmax), 10 rows
xf = rng.normal(size=(10, 3)).astype(f32)
yf = rng.integers(0, 3, 10).astype(f32)
xv = rng.normal(size=(4, 3)).astype(f32)
yv = rng.integers(0, 3, 4).astype(f32)
wf = rng.uniform(0.2, 2, 10).astype(f32)
wv = rng.uniform(0.2, 2, 4).astype(f32)
init = [rng.normal(0, 0.7, (3, 4)), rng.normal(0, 0.1, 4), rng.normal(0, 0.7, (4, 3)), rng.normal(0, 0.1, 3)]
init = [a.astype(f32) for a in init]
out["fit_data"] = {"x": arr(xf), "y": arr(yf), "xv": arr(xv), "yv": arr(yv), "w": arr(wf), "wv": arr(wv),
                   "init": [arr(a) for a in init]}


def fit_model(lr=0.3):
    m = keras.Sequential([keras.Input((3,)), layers.Dense(4, activation="tanh"), layers.Dense(3, activation="softmax")])
    m.set_weights(init)
    m.compile(optimizer=O.SGD(lr), loss="sparse_categorical_crossentropy", metrics=["accuracy"],
              weighted_metrics=[M.SparseCategoricalCrossentropy(name="wce")])
    return m


CB = keras.callbacks
out["fits"] = []
import shutil
import tempfile


class Hooks(CB.Callback):
    """Each hook fit calls, in order, with its index and logs (epoch-level: the values; batch-level: the keys only)."""
    def __init__(self):
        super().__init__()
        self.seen = []

    def _log(self, hook, i, logs, values):
        logs = dict(logs or {})
        self.seen.append([hook, i, {k: float(v) for k, v in logs.items()} if values else list(logs)])


for hook, indexed, values in [("on_train_begin", False, True), ("on_train_end", False, True), ("on_epoch_begin", True, True),
                              ("on_epoch_end", True, True), ("on_train_batch_begin", True, False),
                              ("on_train_batch_end", True, False), ("on_test_begin", False, True), ("on_test_end", False, True),
                              ("on_test_batch_begin", True, False), ("on_test_batch_end", True, False)]:
    if indexed:
        setattr(Hooks, hook, lambda self, i, logs=None, _h=hook, _v=values: self._log(_h, i, logs, _v))
    else:
        setattr(Hooks, hook, lambda self, logs=None, _h=hook, _v=values: self._log(_h, None, logs, _v))


def fit_case(cid, lr=0.3, callbacks=(), csv=False, hooks=False, **kw):   # a callback's case keeps no evaluate / predict (file size)
    m = fit_model(lr)
    args = dict(batch_size=4, epochs=4, shuffle=False, verbose=0)
    args.update(kw)
    extra, d = [], tempfile.mkdtemp()
    if csv:
        extra.append(CB.CSVLogger(os.path.join(d, "log.csv")))
    if hooks:
        extra.append(Hooks())
    h = m.fit(xf, yf, callbacks=list(callbacks) + extra, **args)
    case = {"id": cid, "lr": lr, "args": {k: v for k, v in args.items() if k in ("batch_size", "epochs", "steps_per_epoch",
                                                                                  "validation_split", "initial_epoch", "validation_freq")},
            "history": {k: [float(x) for x in v] for k, v in h.history.items()}, "epochs_run": len(h.epoch),
            "epoch": list(h.epoch), "weights": [arr(v) for v in m.get_weights()], "iterations": int(m.optimizer._iterations)}
    if csv:
        with open(os.path.join(d, "log.csv"), newline="") as f:
            case["csv"] = f.read()
    if hooks:
        case["hooks"] = extra[-1].seen
    shutil.rmtree(d)
    if not callbacks:
        case.update({"evaluate": {k: float(v) for k, v in m.evaluate(xf, yf, batch_size=3, verbose=0, return_dict=True).items()},
            "evaluate_weighted": {k: float(v) for k, v in
                                  m.evaluate(xf, yf, batch_size=3, sample_weight=wf, verbose=0, return_dict=True).items()},
            "predict": arr(m.predict(xv, batch_size=3, verbose=0))})
    out["fits"].append(case)
    return m, case


fit_case("plain")
fit_case("batch_3", batch_size=3, epochs=2)
fit_case("validation_split", validation_split=0.3)
fit_case("validation_data", validation_data=(xv, yv))
fit_case("validation_data_weighted", validation_data=(xv, yv, wv))
fit_case("sample_weight", sample_weight=wf, validation_data=(xv, yv))
fit_case("class_weight", class_weight={0: 0.5, 1: 2.0, 2: 1.5}, validation_split=0.2)
fit_case("steps_per_epoch", steps_per_epoch=2, epochs=3)
fit_case("initial_epoch", initial_epoch=2, epochs=4)
fit_case("validation_freq", validation_data=(xv, yv), validation_freq=2, validation_batch_size=3, csv=True, hooks=True)
fit_case("validation_freq_list", validation_data=(xv, yv), validation_freq=[1, 4], epochs=5, csv=True)
fit_case("csv_no_validation", epochs=2, csv=True)   # CSVLogger's header names val_ keys even so, their values NA
fit_case("validation_split_weighted", sample_weight=wf, validation_split=0.3)   # the weights split with the samples


class Interrupt(CB.Callback):
    def on_epoch_begin(self, epoch, logs=None):
        if epoch == 2:
            raise RuntimeError("interrupted")


backup = tempfile.mkdtemp()   # a fit killed at epoch 3's start, then the same code run again: it resumes after epoch 2
try:
    fit_model().fit(xf, yf, batch_size=4, epochs=4, shuffle=False, verbose=0, callbacks=[CB.BackupAndRestore(backup), Interrupt()])
except RuntimeError:
    pass
fit_case("backup_resume", callbacks=[CB.BackupAndRestore(backup)], hooks=True, validation_data=(xv, yv))
assert not os.path.exists(backup)   # Keras removes the backups at the end
fit_case("class_weight_weighted_validation", class_weight={0: 2.0, 1: 0.5, 2: 1.0}, validation_data=(xv, yv, wv))
# callbacks: a rate high enough that the validation loss goes up and down
es = [("es_patience", dict(monitor="val_loss", patience=1)),
      ("es_min_delta", dict(monitor="val_loss", patience=2, min_delta=0.05)),
      ("es_restore", dict(monitor="val_loss", patience=2, restore_best_weights=True)),
      ("es_baseline", dict(monitor="val_loss", patience=2, baseline=0.9)),
      ("es_baseline_restore", dict(monitor="val_loss", patience=1, baseline=0.5, restore_best_weights=True)),
      ("es_start_from_epoch", dict(monitor="val_loss", patience=1, start_from_epoch=3, restore_best_weights=True)),
      ("es_accuracy", dict(monitor="val_accuracy", patience=2, mode="max")),
      ("es_loss_auto", dict(monitor="loss", patience=0, min_delta=0.2)),
      ("es_restore_no_stop", dict(monitor="val_loss", patience=20, restore_best_weights=True))]
for cid, kw in es:
    e = CB.EarlyStopping(**kw)
    _, case = fit_case(cid, lr=2.0, callbacks=[e], epochs=6 if cid == "es_restore_no_stop" else 10, validation_data=(xv, yv))
    case["callback"] = {k: (v if not isinstance(v, (np.floating,)) else float(v)) for k, v in kw.items()}
    case["stopped_epoch"] = int(e.stopped_epoch)
    case["best_epoch"] = int(e.best_epoch)
rl = [("rlrop", dict(monitor="val_loss", factor=0.5, patience=1)),
      ("rlrop_cooldown", dict(monitor="val_loss", factor=0.5, patience=1, cooldown=2, min_lr=0.3)),
      ("rlrop_min_delta", dict(monitor="loss", factor=0.2, patience=0, min_delta=0.1, min_lr=0.05))]
for cid, kw in rl:
    _, case = fit_case(cid, lr=2.0, callbacks=[CB.ReduceLROnPlateau(**kw)], epochs=8, validation_data=(xv, yv), hooks=cid == "rlrop")
    case["callback"] = kw
_, case = fit_case("lr_scheduler", lr=0.5, epochs=5,
                   callbacks=[CB.LearningRateScheduler(lambda epoch, lr: lr if epoch < 2 else lr * 0.5)])
mc = [("ckpt_best", dict(monitor="val_loss", save_best_only=True)),
      ("ckpt_best_max", dict(monitor="val_accuracy", save_best_only=True, mode="max")),
      ("ckpt_threshold", dict(monitor="val_loss", save_best_only=True, initial_value_threshold=0.9))]
for cid, kw in mc:
    with tempfile.TemporaryDirectory() as d:
        cb = CB.ModelCheckpoint(os.path.join(d, "e{epoch}.weights.h5"), save_weights_only=True, **kw)
        _, case = fit_case(cid, lr=2.0, callbacks=[cb], epochs=8, validation_data=(xv, yv))
        case["callback"] = kw
        case["saved_epochs"] = sorted(int(f[1:].split(".")[0]) for f in os.listdir(d))
# validation_freq under the callbacks that monitor a val_ value: the epochs without it (Keras warns and skips; the checkpoint saves)
for cid, cb, kw in [("es_validation_freq", CB.EarlyStopping(monitor="val_loss", patience=1), dict(monitor="val_loss", patience=1)),
                    ("rlrop_validation_freq", CB.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=1),
                     dict(monitor="val_loss", factor=0.5, patience=1))]:
    _, case = fit_case(cid, lr=2.0, callbacks=[cb], epochs=8, validation_data=(xv, yv), validation_freq=2)
    case["callback"] = kw
    if cid.startswith("es_"):
        case["stopped_epoch"] = int(cb.stopped_epoch)
        case["best_epoch"] = int(cb.best_epoch)
with tempfile.TemporaryDirectory() as d:
    cb = CB.ModelCheckpoint(os.path.join(d, "e{epoch}.weights.h5"), save_weights_only=True, monitor="val_loss", save_best_only=True)
    _, case = fit_case("ckpt_best_validation_freq", lr=2.0, callbacks=[cb], epochs=6, validation_data=(xv, yv), validation_freq=3)
    case["callback"] = dict(monitor="val_loss", save_best_only=True)
    case["saved_epochs"] = sorted(int(f[1:].split(".")[0]) for f in os.listdir(d))
# the guides' file name patterns: Python format specs over the epoch, the batch (save_freq in batches) and logged values
for cid, name, kw in [("ckpt_names", "{epoch:02d}-{val_loss:.2f}.keras", {}),
                      ("ckpt_batches", "w-{epoch}-{batch:02d}-{loss:.3f}.weights.h5", dict(save_weights_only=True, save_freq=2))]:
    with tempfile.TemporaryDirectory() as d:
        cb = CB.ModelCheckpoint(os.path.join(d, name), **kw)
        _, case = fit_case(cid, lr=2.0, callbacks=[cb], epochs=3, validation_data=(xv, yv))
        case["callback"] = dict(kw, filepath=name)
        case["saved_files"] = sorted(os.listdir(d))

# ---------------------------------------------------------------- two outputs: losses and metrics by output name, loss_weights
def two_outputs():
    i = keras.Input((3,), name="x")
    h = layers.Dense(4, activation="tanh", name="h")(i)
    m = keras.Model(i, [layers.Dense(2, name="a")(h), layers.Dense(3, activation="softmax", name="b")(h)])
    m.set_weights(init[:2] + init2 + init[2:])   # h, a, b: the fits' Dense(4) and Dense(3) with a Dense(2) between
    return m


rng2 = np.random.default_rng(8)
init2 = [rng2.normal(0, 0.5, (4, 2)).astype(f32), rng2.normal(0, 0.1, 2).astype(f32)]
ya = rng2.normal(size=(10, 2)).astype(f32)
out["two_outputs"] = {"init_a": [arr(a) for a in init2], "ya": arr(ya), "cases": []}
for cid, kw, fkw in [
        ("dict", dict(loss={"a": "mse", "b": "sparse_categorical_crossentropy"}, loss_weights={"a": 0.5, "b": 2.0},
                      metrics={"a": ["mae"], "b": ["accuracy"]}), dict(validation_split=0.2)),
        ("list_weighted", dict(loss=["mae", "sparse_categorical_crossentropy"], loss_weights=[1.5, 0.25],
                               metrics=[["mse"], ["accuracy", "sparse_categorical_crossentropy"]],
                               weighted_metrics=[["mae"], ["accuracy"]]), dict(sample_weight=wf, validation_data=(xv, (ya[:4], yv)))),
        # training_with_built_in_methods: losses, metrics and loss_weights by output name, targets as a dict
        ("guide_dict", dict(loss={"a": L.MeanSquaredError(), "b": L.SparseCategoricalCrossentropy()},
                            metrics={"a": [M.MeanAbsolutePercentageError(), M.MeanAbsoluteError()], "b": [M.SparseCategoricalAccuracy()]},
                            loss_weights={"a": 2.0, "b": 1.0}), dict(validation_data=(xv, {"a": ya[:4], "b": yv}))),
        # an output trained by no loss: loss=[None, ...] and a dict that leaves it out
        ("none_loss_list", dict(loss=[None, "sparse_categorical_crossentropy"], metrics=[["mae"], ["accuracy"]]), {}),
        # (Keras 3.15.1 refuses a dict without "a": "Expected keys ['a', 'b'] in loss dict, but found loss.keys()=['b']")
        ("none_loss_dict", dict(loss={"a": None, "b": "sparse_categorical_crossentropy"}, metrics={"a": ["mse"], "b": ["accuracy"]}),
         dict(validation_split=0.2))]:
    m = two_outputs()
    m.compile(optimizer=O.SGD(0.2), **kw)
    ys = {"a": ya, "b": yf} if cid == "guide_dict" else (ya, yf)
    h = m.fit(xf, ys, batch_size=4, epochs=3, shuffle=False, verbose=0, **fkw)
    ev = m.evaluate(xf, ys, batch_size=3, verbose=0, return_dict=True)
    out["two_outputs"]["cases"].append({"id": cid, "history": {k: [float(x) for x in v] for k, v in h.history.items()},
                                        "evaluate": {k: float(v) for k, v in ev.items()},
                                        "weights": [arr(v) for v in m.get_weights()]})

# (session 22) clone_model of a compiled model: Keras 3.15.1 compiles the clone from the original's get_compile_config
# (cloning.py: compile_from_config): a new optimizer of the original's config as it stands (its rate set after a fit
# included), fresh state, the same losses, loss_weights and metrics; the clone starts from `init` and fits 2 epochs
m = two_outputs()
m.compile(optimizer=O.Adam(0.05, beta_1=0.8, amsgrad=True), loss={"a": "mse", "b": "sparse_categorical_crossentropy"},
          loss_weights={"a": 0.5, "b": 2.0}, metrics={"a": ["mae"], "b": ["accuracy"]})
m.fit(xf, (ya, yf), batch_size=4, epochs=1, shuffle=False, verbose=0)
m.optimizer.learning_rate.assign(0.02)
c = keras.models.clone_model(m)
out["two_outputs"]["clone"] = {"compiled": bool(c.compiled), "iterations": int(c.optimizer.iterations),
                               "learning_rate": float(c.optimizer.learning_rate)}
c.set_weights(init[:2] + init2 + init[2:])
h = c.fit(xf, (ya, yf), batch_size=4, epochs=2, shuffle=False, verbose=0)
out["two_outputs"]["clone"].update(history={k: [float(x) for x in v] for k, v in h.history.items()},
                                   weights=[arr(v) for v in c.get_weights()])

# ---------------------------------------------------------------- evaluate / predict with callbacks: hooks, logs, params
class Standalone(CB.Callback):
    """Every test / predict hook with its index and logs, batch hooks too (values; predict: the batch's outputs), and set_params."""
    def __init__(self):
        super().__init__()
        self.seen = []

    def set_params(self, params):
        super().set_params(params)
        self.seen.append(["set_params", None, dict(params)])

    def _log(self, hook, i, logs):
        if logs is None:
            self.seen.append([hook, i, None])
        elif "outputs" in logs:
            o = logs["outputs"]
            self.seen.append([hook, i, {"outputs": [arr(v) for v in o] if isinstance(o, (list, tuple)) else arr(o)}])
        else:
            self.seen.append([hook, i, {k: float(v) for k, v in dict(logs).items()}])


for hook, indexed in [("on_test_begin", False), ("on_test_end", False), ("on_test_batch_begin", True), ("on_test_batch_end", True),
                      ("on_predict_begin", False), ("on_predict_end", False), ("on_predict_batch_begin", True),
                      ("on_predict_batch_end", True)]:
    if indexed:
        setattr(Standalone, hook, lambda self, i, logs=None, _h=hook: self._log(_h, i, logs))
    else:
        setattr(Standalone, hook, lambda self, logs=None, _h=hook: self._log(_h, None, logs))

out["standalone"] = []
for cid, call in [("evaluate_b4", lambda m, cb: m.evaluate(xf, yf, batch_size=4, verbose=0, return_dict=True, callbacks=cb)),   # 4 4 2
                  ("evaluate_weighted_b3", lambda m, cb: m.evaluate(xf, yf, batch_size=3, sample_weight=wf, verbose=0, return_dict=True,
                                                                    callbacks=cb)),   # 3 3 3 1
                  ("predict_b4", lambda m, cb: m.predict(xf, batch_size=4, verbose=0, callbacks=cb)),   # 4 4 2
                  ("predict_b3", lambda m, cb: m.predict(xv, batch_size=3, verbose=0, callbacks=cb))]:   # 3 1
    m = fit_model()
    cb = Standalone()
    r = call(m, [cb])
    out["standalone"].append({"id": cid, "hooks": cb.seen,
                              "result": {k: float(v) for k, v in r.items()} if isinstance(r, dict) else arr(r)})
m = two_outputs()   # two outputs: on_predict_batch_end's outputs is the list of both
m.compile(optimizer=O.SGD(0.2), loss=["mse", "sparse_categorical_crossentropy"], metrics=[["mae"], ["accuracy"]])
cb = Standalone()
m.predict(xv, batch_size=3, verbose=0, callbacks=[cb])
ev = Standalone()
m.evaluate(xf, (ya, yf), batch_size=4, verbose=0, callbacks=[ev])
out["standalone"].append({"id": "two_outputs_predict_b3", "hooks": cb.seen})
out["standalone"].append({"id": "two_outputs_evaluate_b4", "hooks": ev.seen})

# ---------------------------------------------------------------- evaluate's list form, stop_evaluating / stop_predicting, steps, params
# (session 21) evaluate(return_dict=False): Keras' _flatten_metrics_in_order (names in model.metrics order, then the rest sorted)
import contextlib
import io
api = {"lists": [], "stops": [], "steps": [], "params": []}
out["evaluate_api"] = api
yo_f = np.eye(3, dtype=f32)[yf.astype(int)]
api["y_onehot"] = arr(yo_f)


def flat(r):
    if isinstance(r, (list, tuple)):
        return [[float(x) for x in np.ravel(v)] if np.ndim(v) > 0 else float(v) for v in r]
    return float(r)


def list_keys(m, d, values):
    """The log key of each position of Keras' list: its own _flatten_metrics_in_order (what evaluate(return_dict=False)
    and test_on_batch return) run on {key: key}, so equal values cannot hide a swapped order; checked against the list."""
    k = m._flatten_metrics_in_order({n: n for n in d})
    k = k if isinstance(k, list) else [k]
    assert flat([d[n] for n in k]) == (values if isinstance(values, list) else flat([values])), (k, d, values)
    return k


def plain_model(**kw):
    m = keras.Sequential([keras.Input((3,)), layers.Dense(4, activation="tanh"), layers.Dense(3, activation="softmax")])
    m.set_weights(init)
    m.compile(optimizer=O.SGD(0.3), **kw)
    return m


for cid, kw in [("loss_only", dict(loss="sparse_categorical_crossentropy")),
                ("metrics", dict(loss="sparse_categorical_crossentropy", metrics=["accuracy", "sparse_categorical_crossentropy"])),
                # a weighted metric whose name a metric took: "weighted_accuracy"; Keras reads "accuracy" for both
                ("weighted_repeat", dict(loss="sparse_categorical_crossentropy", metrics=["sparse_categorical_crossentropy", "accuracy"],
                                         weighted_metrics=["accuracy", "sparse_categorical_accuracy"])),
                ("repeat", dict(loss="sparse_categorical_crossentropy", metrics=["accuracy", "accuracy"])),
                ("f1", dict(loss="categorical_crossentropy", metrics=["accuracy", M.F1Score()]))]:
    m = plain_model(**kw)
    yy = yo_f if cid == "f1" else yf
    case = {"id": cid, "list": flat(m.evaluate(xf, yy, batch_size=4, verbose=0)),
            "dict": {k: flat([v])[0] for k, v in m.evaluate(xf, yy, batch_size=4, verbose=0, return_dict=True).items()},
            "metrics_names": m.metrics_names}
    case["keys"] = list_keys(m, case["dict"], case["list"])
    if cid == "metrics":
        case["test_on_batch"] = flat(m.test_on_batch(xf[:4], yf[:4]))
        case["test_on_batch_keys"] = list_keys(m, {k: flat([v])[0] for k, v in m.test_on_batch(xf[:4], yf[:4], return_dict=True).items()},
                                               case["test_on_batch"])
    api["lists"].append(case)
for cid, kw in [("two_losses", dict(loss=["mse", "sparse_categorical_crossentropy"])),
                ("two_metrics", dict(loss=["mse", "sparse_categorical_crossentropy"], metrics=[["mae"], ["accuracy"]])),
                ("two_dict", dict(loss={"b": "sparse_categorical_crossentropy", "a": "mse"}, metrics={"b": ["accuracy"], "a": ["mae", "mse"]})),
                ("two_none_loss", dict(loss=[None, "sparse_categorical_crossentropy"], metrics=[["mae"], ["accuracy"]])),
                ("two_weighted", dict(loss=["mse", "sparse_categorical_crossentropy"], metrics=[["mae"], ["accuracy"]],
                                      weighted_metrics=[["mse"], ["accuracy"]]))]:
    m = two_outputs()
    m.compile(optimizer=O.SGD(0.2), **kw)
    case = {"id": cid, "list": flat(m.evaluate(xf, (ya, yf), batch_size=4, verbose=0)),
            "dict": {k: float(v) for k, v in m.evaluate(xf, (ya, yf), batch_size=4, verbose=0, return_dict=True).items()},
            "metrics_names": m.metrics_names}
    case["keys"] = list_keys(m, case["dict"], case["list"])
    api["lists"].append(case)


class Stopper(Standalone):
    """Sets model.stop_evaluating / stop_predicting in one hook (at one batch), recording every hook."""
    def __init__(self, hook, at):
        super().__init__()
        self.hook, self.at = hook, at

    def _log(self, hook, i, logs):
        super()._log(hook, i, logs)
        if hook.endswith(self.hook) and (i is None or i == self.at):
            if "test" in hook:
                self.model.stop_evaluating = True
            else:
                self.model.stop_predicting = True


for hook, at in [("test_begin", None), ("test_batch_begin", 1), ("test_batch_end", 1)]:
    m = fit_model()
    cb = Stopper(hook, at)
    r = m.evaluate(xf, yf, batch_size=4, verbose=0, callbacks=[cb], return_dict=True)
    api["stops"].append({"id": "evaluate_" + hook, "at": at, "hooks": [h[:2] for h in cb.seen],
                         "result": {k: float(v) for k, v in r.items()}, "flag_after": bool(m.stop_evaluating)})
for hook, at in [("predict_begin", None), ("predict_batch_end", 1)]:
    m = fit_model()
    cb = Stopper(hook, at)
    r = m.predict(xf, batch_size=4, verbose=0, callbacks=[cb])
    api["stops"].append({"id": "predict_" + hook, "at": at, "hooks": [h[:2] for h in cb.seen], "result": arr(r),
                         "flag_after": bool(m.stop_predicting)})
m = fit_model()   # fit's validation is an evaluate: stop_evaluating at its first batch's end leaves val_ values of that batch
cb = Stopper("test_batch_end", 0)
h = m.fit(xf, yf, batch_size=4, epochs=2, shuffle=False, verbose=0, validation_data=(xf, yf), callbacks=[cb])
api["stops"].append({"id": "fit_validation", "history": {k: [float(x) for x in v] for k, v in h.history.items()}})

# steps: over arrays here (no tf.data in this venv), the same batches as jrnn's Dataset.fromTensors(x, y).batch(4);
# a repeated data set's steps read on into the next pass: 4 4 2 | 4 4 is the mean over x then x[:8]
for cid, call in [("evaluate_2", lambda m, cb: m.evaluate(xf, yf, batch_size=4, steps=2, verbose=0, callbacks=cb, return_dict=True)),
                  ("evaluate_5_of_3", lambda m, cb: m.evaluate(xf, yf, batch_size=4, steps=5, verbose=0, callbacks=cb, return_dict=True)),
                  ("evaluate_repeat_5", lambda m, cb: m.evaluate(np.concatenate([xf, xf[:8]]), np.concatenate([yf, yf[:8]]), batch_size=4,
                                                                  verbose=0, callbacks=cb, return_dict=True)),
                  ("predict_2", lambda m, cb: m.predict(xf, batch_size=4, steps=2, verbose=0, callbacks=cb)),
                  ("predict_repeat_4", lambda m, cb: m.predict(np.concatenate([xf, xf[:4]]), batch_size=4, verbose=0, callbacks=cb))]:
    m = fit_model()
    cb = Standalone()
    r = call(m, [cb])
    api["steps"].append({"id": cid, "params": cb.seen[0][2],
                         "result": {k: float(v) for k, v in r.items()} if isinstance(r, dict) else arr(r)})
# what Keras' callbacks get as params["verbose"]: the argument as given, "auto" by default
for verbose in ["auto", 0, 1, 2]:
    seen = {}
    for call in ["fit", "evaluate", "predict"]:
        m = fit_model()
        cb = Standalone()
        kw = {} if verbose == "auto" else {"verbose": verbose}
        if call == "fit":
            with contextlib.redirect_stdout(io.StringIO()):
                hist = m.fit(xf, yf, batch_size=4, epochs=1, callbacks=[cb], **kw)
            seen["history"] = dict(hist.params)
        elif call == "evaluate":
            with contextlib.redirect_stdout(io.StringIO()):
                m.evaluate(xf, yf, batch_size=4, callbacks=[cb], **kw)
        else:
            with contextlib.redirect_stdout(io.StringIO()):
                m.predict(xf, batch_size=4, callbacks=[cb], **kw)
        seen[call] = cb.seen[0][2]
    api["params"].append({"verbose": verbose, "seen": seen})

# ---------------------------------------------------------------- metric objects' default names (last: it clears the session)
# Keras 3 numbers the default names of the metric classes without one of their own (AUC, Precision, ...) process-wide,
# from the counter layers use (naming.auto_name), until clear_session(); a name given to compile ("auc") draws one when
# the compiled metrics are built (the first fit / evaluate / train_on_batch / test_on_batch), not at compile.
from keras import metrics as M
names = {}
xn = rng.normal(size=(8, 3, 2)).astype(f32)
yn = (np.arange(16).reshape(8, 2) % 2).astype(f32)


def cs():
    keras.backend.clear_session()


def named_model():
    return keras.Sequential([keras.Input((3, 2)), layers.LSTM(2), layers.Dense(2, activation="sigmoid")])


def fitted(metrics, val=False, **kw):
    m = named_model()
    m.compile("adam", "binary_crossentropy", metrics=metrics, **kw)
    h = m.fit(xn, yn, epochs=1, verbose=0, **({"validation_split": 0.25} if val else {}))
    return m, sorted(h.history)


rates = {"PrecisionAtRecall": M.PrecisionAtRecall, "RecallAtPrecision": M.RecallAtPrecision,
         "SensitivityAtSpecificity": M.SensitivityAtSpecificity, "SpecificityAtSensitivity": M.SpecificityAtSensitivity}
plain = {"AUC": M.AUC, "Precision": M.Precision, "Recall": M.Recall, "TruePositives": M.TruePositives,
         "FalsePositives": M.FalsePositives, "TrueNegatives": M.TrueNegatives, "FalseNegatives": M.FalseNegatives,
         "Accuracy": M.Accuracy, "BinaryAccuracy": M.BinaryAccuracy, "F1Score": M.F1Score, "FBetaScore": M.FBetaScore,
         "R2Score": M.R2Score, "TopKCategoricalAccuracy": M.TopKCategoricalAccuracy,
         "SparseTopKCategoricalAccuracy": M.SparseTopKCategoricalAccuracy, "BinaryCrossentropy": M.BinaryCrossentropy}
cs()
names["classes"] = {c: [f().name, f().name] for c, f in plain.items()}
names["classes"].update({c: [f(0.5).name, f(0.5).name] for c, f in rates.items()})
cs(); names["three_aucs"] = [M.AUC().name for _ in range(3)]
cs(); M.AUC(); cs(); names["after_clear_session"] = M.AUC().name
cs(); M.AUC(name="pr"); names["named_takes_none"] = M.AUC().name
cs()
try:
    M.PrecisionAtRecall(2.0)
except ValueError:
    pass
names["refused_takes_none"] = M.PrecisionAtRecall(0.5).name
cs(); named_model().compile("adam", "binary_crossentropy", metrics=["auc"]); names["string_at_compile"] = M.AUC().name
cs(); _, k = fitted(["auc"]); names["string_at_fit"] = {"keys": k, "next": M.AUC().name}
for cid, call in [("evaluate", lambda m: m.evaluate(xn, yn, verbose=0)), ("train_on_batch", lambda m: m.train_on_batch(xn, yn)),
                  ("test_on_batch", lambda m: m.test_on_batch(xn, yn)), ("predict", lambda m: m.predict(xn, verbose=0)),
                  ("fit_twice_evaluate", lambda m: (m.fit(xn, yn, verbose=0), m.fit(xn, yn, verbose=0), m.evaluate(xn, yn, verbose=0))),
                  ("recompile", lambda m: (m.fit(xn, yn, verbose=0), m.compile("adam", "binary_crossentropy", metrics=["auc"]),
                                           m.fit(xn, yn, verbose=0)))]:
    cs()
    m = named_model()
    m.compile("adam", "binary_crossentropy", metrics=["auc"])
    call(m)
    names["string_" + cid] = M.AUC().name
for cid, ms in [("twice_string", lambda: ["auc", "auc"]), ("twice_object", lambda: [M.AUC(), M.AUC()]),
                ("string_and_object", lambda: ["auc", M.AUC()]), ("named_auc_1_and_object", lambda: [M.AUC(name="auc_1"), M.AUC()])]:
    cs()
    _, k = fitted(ms(), val=True)
    names[cid] = {"keys": k, "next": M.AUC().name}
cs(); M.AUC(); b = M.AUC(); _, k = fitted(["auc", b]); names["string_and_drawn_object"] = {"keys": k, "next": M.AUC().name}
cs()
strings = ["auc", "precision", "recall", "true_positives", "AUC", "TruePositives", "false_negatives", "true_negatives", "false_positives"]
_, k = fitted(strings)
names["strings"] = {"keys": k, "next": [M.AUC().name, M.Precision().name, M.Recall().name, M.TruePositives().name,
                                        M.FalseNegatives().name, M.TrueNegatives().name, M.FalsePositives().name]}
cs(); _, k = fitted(["auc"], weighted_metrics=["auc"]); names["weighted"] = {"keys": k, "next": M.AUC().name}
cs()
i = keras.Input((3, 2)); h0 = layers.LSTM(2)(i)
m = keras.Model(i, {"a": layers.Dense(2, activation="sigmoid", name="a")(h0), "b": layers.Dense(2, activation="sigmoid", name="b")(h0)})
m.compile("adam", {"a": "binary_crossentropy", "b": "binary_crossentropy"}, metrics={"a": ["auc"], "b": ["auc", M.AUC()]})
names["two_outputs"] = {"keys": sorted(m.fit(xn, {"a": yn, "b": yn}, verbose=0).history), "next": M.AUC().name}
with tempfile.TemporaryDirectory() as d:
    cs()
    fitted([M.AUC(), M.Precision(), M.TruePositives()])
    m, k = fitted([M.AUC(), M.Precision(), M.TruePositives()], val=True)
    m.save(os.path.join(d, "second.keras"))
    second = {"keys": k, "config": compile_config(m, "metrics")["metrics"]}
    second["before_load"] = M.AUC().name
    loaded = keras.models.load_model(os.path.join(d, "second.keras"))
    second["after_load"] = M.AUC().name
    second["loaded_keys"] = sorted(loaded.fit(xn, yn, verbose=0).history)
    second["after_loaded_fit"] = M.AUC().name
    names["second_model"] = second
    cs(); m, _ = fitted(["auc"]); m.save(os.path.join(d, "string.keras"))
    loads = {"config": compile_config(m, "metrics")["metrics"]}
    for cid, call in [("load", lambda l: None), ("load_fit", lambda l: l.fit(xn, yn, verbose=0)),
                      ("load_evaluate", lambda l: l.evaluate(xn, yn, verbose=0))]:
        cs()
        call(keras.models.load_model(os.path.join(d, "string.keras")))
        loads[cid] = M.AUC().name
    names["string_file"] = loads
cs(); names["deserialize_unnamed"] = [M.AUC().name, M.deserialize({"class_name": "AUC", "config": {}}).name, M.AUC().name]
out["metric_names"] = names

with open("training_goldens.json", "w") as f:
    json.dump(short(out), f, separators=(",", ":"))
print("keras", keras.__version__, "cases", len(out["losses"]), len(out["metrics"]), len(out["optimizers"]), len(out["fits"]), len(out["standalone"]),
      len(api["lists"]), len(api["stops"]), len(api["steps"]))
