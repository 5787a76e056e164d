#!/usr/bin/python3
"""Writes Keras files that hold an optimizer's state mid-training, WITHOUT Keras (h5py, the zip module), in the layouts
Keras' sources write (read in the keras-team/keras mirror):

- Keras 3 .keras: model.weights.h5's optimizer/vars/0..N, optimizer.variables in build order (base_optimizer.py
  __init__: iteration, learning_rate; adam.py build: add_optimizer_variables(vars, ["momentum", "velocity"]), one
  momentum and one velocity per trainable variable in turn; sgd.py: one momentum per variable); saving_lib.py puts the
  optimizer at "optimizer".
- tf.keras 2.13 .h5: the optimizer_weights group (saving/legacy/hdf5_format.py save_optimizer_weights_to_hdf5_group:
  optimizer.variables by name), optimizers/optimizer.py: iteration:0, then adam.py build's m/<var>:0 and v/<var>:0 per
  variable in turn.

Each file's next steps are replayed here in float64 with torch autograd (a hand-written Keras LSTM cell, Keras' update
formulas from adam.py / sgd.py, from the saved moments and iteration count), independent of jrnn: *_after.npz.
Also the Keras 2.0.6 file shared/fixtures/keras/simple_lstm_model.h5 (RMSprop): one step replayed with jrnn's (Keras 3's)
RMSprop formula and with Keras 2.0.6's, written to simple_lstm_rmsprop_step.npz.

Run from this folder: /usr/bin/python3 make_optimizer_state_files.py
"""
import io
import json
import os
import zipfile

import h5py
import numpy as np
import torch

from make_keras_files import OUT, k3_layer, k3_rnn, k3_dense, rnn_cfg, dense_cfg, input_layer, write_h5, named

torch.set_default_dtype(torch.float64)
rng = np.random.default_rng(20261206)
B, T, F, H = 4, 3, 2, 3


def f32(*shape, scale=0.5):
    return (rng.normal(0.0, scale, shape)).astype(np.float32)


def lstm_forward(x, ws):
    k, r, b, dk, db = ws
    h = torch.zeros(x.shape[0], H)
    c = torch.zeros(x.shape[0], H)
    for t in range(x.shape[1]):
        z = x[:, t, :] @ k + h @ r + b
        i, f, cc, o = torch.sigmoid(z[:, :H]), torch.sigmoid(z[:, H:2 * H]), torch.tanh(z[:, 2 * H:3 * H]), torch.sigmoid(z[:, 3 * H:])
        c = f * c + i * cc
        h = o * torch.tanh(c)
    return h @ dk + db


def grads(ws, x, y, forward=lstm_forward):
    t = [torch.tensor(w.astype(np.float64), requires_grad=True) for w in ws]
    loss = torch.mean((forward(torch.tensor(x.astype(np.float64)), t) - torch.tensor(y.astype(np.float64))) ** 2)
    loss.backward()
    return [p.grad.numpy() for p in t]


def adam_steps(ws, m, v, it, lr, x, y, steps, b1=0.9, b2=0.999, eps=1e-7):
    ws, m, v = [w.astype(np.float64) for w in ws], [a.astype(np.float64) for a in m], [a.astype(np.float64) for a in v]
    for s in range(steps):
        g = grads(ws, x, y)
        t = it + s + 1
        alpha = lr * np.sqrt(1 - b2 ** t) / (1 - b1 ** t)
        for i in range(len(ws)):
            m[i] = m[i] + (g[i] - m[i]) * (1 - b1)
            v[i] = v[i] + (g[i] ** 2 - v[i]) * (1 - b2)
            ws[i] = ws[i] - alpha * m[i] / (np.sqrt(v[i]) + eps)
    return ws, m, v


def sgd_steps(ws, mom, lr, momentum, x, y, steps):
    ws, mom = [w.astype(np.float64) for w in ws], [a.astype(np.float64) for a in mom]
    for s in range(steps):
        g = grads(ws, x, y)
        for i in range(len(ws)):
            mom[i] = momentum * mom[i] - lr * g[i]
            ws[i] = ws[i] + mom[i]
    return ws, mom


def model_parts():
    ws = [f32(F, 4 * H), f32(H, 4 * H), f32(4 * H, scale=0.1), f32(H, 1), f32(1, scale=0.1)]
    x = np.sin(np.arange(B * T * F, dtype=np.float64) * 0.7 + 0.3).reshape(B, T, F).astype(np.float32)
    y = np.array([[0.5], [-0.25], [0.75], [-1.0]], np.float32)
    return ws, x, y


def k3_config(optimizer):
    layers = [{"module": "keras.layers", "class_name": "InputLayer", "registered_name": None,
               "config": {"batch_shape": [None, T, F], "dtype": "float32", "sparse": False, "name": "input_layer"}},
              k3_layer("LSTM", "lstm", k3_rnn("LSTM", "lstm", H)), k3_layer("Dense", "dense", k3_dense(1, "linear"))]
    return {"module": "keras", "class_name": "Sequential", "registered_name": None,
            "config": {"name": "sequential", "trainable": True, "dtype": "float32", "layers": layers},
            "build_config": {"input_shape": [None, T, F]},
            "compile_config": {"optimizer": optimizer, "loss": "mean_squared_error", "loss_weights": None, "metrics": None,
                               "weighted_metrics": None, "run_eagerly": False, "steps_per_execution": 1, "jit_compile": False}}


def k3_optimizer(cls, name, lr, **kw):
    c = {"name": name, "learning_rate": lr, "weight_decay": None, "clipnorm": None, "global_clipnorm": None,
         "clipvalue": None, "use_ema": False, "ema_momentum": 0.99, "ema_overwrite_frequency": None,
         "loss_scale_factor": None, "gradient_accumulation_steps": None}
    c.update(kw)
    return {"module": "keras.optimizers", "class_name": cls, "registered_name": None, "config": c}


def write_keras3_with_optimizer(stem, config, ws, optimizer_vars, keras_version):
    wbuf = io.BytesIO()
    with h5py.File(wbuf, "w") as f:
        f.create_group("vars")
        cell = f.create_group("layers/lstm/cell/vars")
        for i, a in enumerate(ws[:3]):
            cell.create_dataset(str(i), data=a)
        dense = f.create_group("layers/dense/vars")
        for i, a in enumerate(ws[3:]):
            dense.create_dataset(str(i), data=a)
        f.create_group("layers/input_layer")
        ov = f.create_group("optimizer/vars")
        for i, a in enumerate(optimizer_vars):
            ov.create_dataset(str(i), data=a)
    meta = {"keras_version": keras_version, "date_saved": "2026-12-06@02:00:00"}
    with zipfile.ZipFile(os.path.join(OUT, stem + ".keras"), "w", zipfile.ZIP_STORED) as z:
        for name, data in (("metadata.json", json.dumps(meta).encode()), ("config.json", json.dumps(config).encode()),
                           ("model.weights.h5", wbuf.getvalue())):
            z.writestr(zipfile.ZipInfo(name, date_time=(2026, 12, 6, 2, 0, 0)), data)


def keras3_adam():
    ws, x, y = model_parts()
    m = [f32(*w.shape, scale=0.02) for w in ws]
    v = [(np.abs(f32(*w.shape, scale=1e-3)) + 1e-5).astype(np.float32) for w in ws]
    it, lr = 7, 0.01
    opt_vars = [np.int64(it), np.float32(lr)]
    for mi, vi in zip(m, v):   # add_optimizer_variables(var_list, ["momentum", "velocity"]): per variable in turn
        opt_vars += [mi, vi]
    write_keras3_with_optimizer("optstate_keras3_adam", k3_config(k3_optimizer(
        "Adam", "adam", lr, beta_1=0.9, beta_2=0.999, epsilon=1e-07, amsgrad=False)), ws, opt_vars, "3.5.0")
    w1, m1, v1 = adam_steps(ws, m, v, it, lr, x, y, 1)
    w2, _, _ = adam_steps(ws, m, v, it, lr, x, y, 2)
    np.savez(os.path.join(OUT, "optstate_keras3_adam_after.npz"), x=x, y=y, **{f"w1_{i}": a for i, a in enumerate(w1)},
             **{f"w2_{i}": a for i, a in enumerate(w2)}, **{f"m1_{i}": a for i, a in enumerate(m1)},
             **{f"v1_{i}": a for i, a in enumerate(v1)})


def keras3_sgd():
    ws, x, y = model_parts()
    mom = [f32(*w.shape, scale=0.01) for w in ws]
    it, lr_config, lr_var, momentum = 12, 0.05, 0.02, 0.9   # the variable as a ReduceLROnPlateau left it
    opt_vars = [np.int64(it), np.float32(lr_var)] + mom
    write_keras3_with_optimizer("optstate_keras3_sgd", k3_config(k3_optimizer(
        "SGD", "SGD", lr_config, momentum=momentum, nesterov=False)), ws, opt_vars, "3.11.3")
    w2, m2 = sgd_steps(ws, mom, float(np.float32(lr_var)), float(np.float32(momentum)), x, y, 2)
    np.savez(os.path.join(OUT, "optstate_keras3_sgd_after.npz"), x=x, y=y, **{f"w2_{i}": a for i, a in enumerate(w2)},
             **{f"m2_{i}": a for i, a in enumerate(m2)})


def tfkeras_adam():
    ws, x, y = model_parts()
    m = [f32(*w.shape, scale=0.02) for w in ws]
    v = [(np.abs(f32(*w.shape, scale=1e-3)) + 1e-5).astype(np.float32) for w in ws]
    it, lr = 30, 0.005
    cfg = {"class_name": "Sequential", "config": {"name": "sequential", "layers": [
        {"class_name": "InputLayer", "config": {"batch_input_shape": [None, T, F], "dtype": "float32", "sparse": False,
                                                "ragged": False, "name": "lstm_input"}},
        rnn_cfg("LSTM", "lstm", H), dense_cfg("dense", 1)]}}
    training = {"loss": "mse", "metrics": None, "loss_weights": None, "weighted_metrics": None,
                "optimizer_config": {"class_name": "Custom>Adam", "config": {
                    "name": "Adam", "weight_decay": None, "clipnorm": None, "global_clipnorm": None, "clipvalue": None,
                    "use_ema": False, "ema_momentum": 0.99, "ema_overwrite_frequency": None, "jit_compile": True,
                    "is_legacy_optimizer": False, "learning_rate": lr, "beta_1": 0.9, "beta_2": 0.999,
                    "epsilon": 1e-07, "amsgrad": False}}}
    path = os.path.join(OUT, "optstate_tfkeras_adam.h5")
    kinds = ["kernel", "recurrent_kernel", "bias"]
    write_h5(path, cfg, [("lstm", named("lstm/lstm_cell", list(zip(kinds, ws[:3])))),
                         ("dense", named("dense", [("kernel", ws[3]), ("bias", ws[4])]))], "2.13.1", training)
    shared = ["lstm/lstm_cell/kernel", "lstm/lstm_cell/recurrent_kernel", "lstm/lstm_cell/bias", "dense/kernel", "dense/bias"]
    names, values = ["iteration:0"], [np.int64(it)]
    for s, mi, vi in zip(shared, m, v):   # optimizer.py add_variable_from_reference: f"{variable_name}/{_shared_name}"
        names += ["m/" + s + ":0", "v/" + s + ":0"]
        values += [mi, vi]
    with h5py.File(path, "a") as f:
        g = f.create_group("optimizer_weights")
        g.attrs["weight_names"] = np.array([n.encode() for n in names])
        for n, a in zip(names, values):
            g.create_dataset(n, data=a)
    w1, _, _ = adam_steps(ws, m, v, it, lr, x, y, 1)
    np.savez(os.path.join(OUT, "optstate_tfkeras_adam_after.npz"), x=x, y=y, **{f"w1_{i}": a for i, a in enumerate(w1)})


def simple_lstm_rmsprop():
    """Keras 2.0.6's LSTM(50) -> Dense(1) (recurrent_activation hard_sigmoid 0.2x + 0.5, activation tanh), one RMSprop step
    from the file's accumulators on the first 10 samples of simple_lstm_inputs_and_outputs.h5, without the LSTM's input
    dropout (0.2 in the file; the test switches it off: a replay cannot draw jrnn's masks)."""
    shared = os.path.normpath(os.path.join(OUT, "../../../../../../../../../shared/fixtures/keras"))   # worktree/../shared
    f = h5py.File(os.path.join(shared, "simple_lstm_model.h5"), "r")
    mw = f["model_weights"]
    ws = [mw["lstm_1/lstm_1/kernel:0"][()], mw["lstm_1/lstm_1/recurrent_kernel:0"][()], mw["lstm_1/lstm_1/bias:0"][()],
          mw["dense_1/dense_1/kernel:0"][()], mw["dense_1/dense_1/bias:0"][()]]
    acc = [f["optimizer_weights"][n][()] for n in ["Variable:0", "Variable_1:0", "Variable_2:0", "Variable_3:0", "Variable_4:0"]]
    io_ = h5py.File(os.path.join(shared, "simple_lstm_inputs_and_outputs.h5"), "r")
    x, y = io_["inputs/lstm_1_input"][:10], io_["outputs/dense_1"][:10]
    units = 50

    def forward(xt, t):
        k, r, b, dk, db = t
        h = torch.zeros(xt.shape[0], units)
        c = torch.zeros(xt.shape[0], units)
        hs = lambda z: torch.clamp(0.2 * z + 0.5, 0, 1)
        for s in range(xt.shape[1]):
            z = xt[:, s, :] @ k + h @ r + b
            i, fg, cc, o = hs(z[:, :units]), hs(z[:, units:2 * units]), torch.tanh(z[:, 2 * units:3 * units]), hs(z[:, 3 * units:])
            c = fg * c + i * cc
            h = o * torch.tanh(c)
        return h @ dk + db

    g = grads(ws, x, y, forward)
    lr, rho, eps = float(np.float32(0.001)), float(np.float32(0.9)), 1e-8
    out, d = {"x": x, "y": y}, 0.0
    for i in range(5):
        a = rho * acc[i].astype(np.float64) + (1 - rho) * g[i] ** 2
        k3 = ws[i] - lr * g[i] / np.sqrt(a + eps)          # Keras 3 / jrnn: epsilon inside the root
        k206 = ws[i] - lr * g[i] / (np.sqrt(a) + eps)      # Keras 2.0.6: epsilon added to the root
        out[f"k3_{i}"] = k3.astype(np.float32)             # float32: the file stays small; the test's tolerance is 1e-6
        d = max(d, np.max(np.abs(k3 - k206)))
    out["forms_differ_by"] = np.float64(d)
    np.savez(os.path.join(OUT, "simple_lstm_rmsprop_step.npz"), **out)
    print("simple_lstm: largest difference between the two RMSprop forms after one step:", d)


def dense_config(optimizer):
    layers = [{"module": "keras.layers", "class_name": "InputLayer", "registered_name": None,
               "config": {"batch_shape": [None, 3], "dtype": "float32", "sparse": False, "name": "input_layer"}},
              k3_layer("Dense", "dense", k3_dense(2, "linear"))]
    return {"module": "keras", "class_name": "Sequential", "registered_name": None,
            "config": {"name": "sequential", "trainable": True, "dtype": "float32", "layers": layers},
            "build_config": {"input_shape": [None, 3]},
            "compile_config": {"optimizer": optimizer, "loss": "mean_squared_error", "loss_weights": None, "metrics": None,
                               "weighted_metrics": None, "run_eagerly": False, "steps_per_execution": 1, "jit_compile": False}}


def write_dense(stem, optimizer, opt_vars, keras_version, folder=OUT):
    kernel, bias = np.arange(6, dtype=np.float32).reshape(3, 2) / 10, np.array([0.5, -0.5], np.float32)
    wbuf = io.BytesIO()
    with h5py.File(wbuf, "w") as f:
        f.create_group("vars")
        d = f.create_group("layers/dense/vars")
        d.create_dataset("0", data=kernel)
        d.create_dataset("1", data=bias)
        ov = f.create_group("optimizer/vars")
        for i, a in enumerate(opt_vars):
            ov.create_dataset(str(i), data=a)
    meta = {"date_saved": "2026-12-06@02:00:00"}
    if keras_version is not None:
        meta = {"keras_version": keras_version, **meta}
    with zipfile.ZipFile(os.path.join(folder, stem + ".keras"), "w", zipfile.ZIP_STORED) as z:
        for name, data in (("metadata.json", json.dumps(meta).encode()), ("config.json", json.dumps(dense_config(optimizer)).encode()),
                           ("model.weights.h5", wbuf.getvalue())):
            z.writestr(zipfile.ZipInfo(name, date_time=(2026, 12, 6, 2, 0, 0)), data)


def slot(value, shape):
    return np.full(shape, value, np.float32)


def layouts():
    """The orders Keras 3.10 changed, each variable a constant the test finds in jrnn's state: Adam with use_ema and
    gradient_accumulation_steps (base_optimizer.py build: average and gradient_accumulator per variable in turn before
    3.10, all averages then all accumulators since), Nadam (u_product before its slots before 3.10, after since)."""
    shapes = [(3, 2), (2,)]
    adam = k3_optimizer("Adam", "adam", 0.01, beta_1=0.9, beta_2=0.999, epsilon=1e-07, amsgrad=False)
    adam["config"].update(use_ema=True, gradient_accumulation_steps=2)
    head = [np.int64(6), np.float32(0.01)]
    avg, acc = [slot(10 + i, s) for i, s in enumerate(shapes)], [slot(20 + i, s) for i, s in enumerate(shapes)]
    mv = [a for i, s in enumerate(shapes) for a in (slot(30 + i, s), slot(40 + i, s))]
    write_dense("optstate_ema_accum_3_9", adam, head + [avg[0], acc[0], avg[1], acc[1]] + mv, "3.9.2")
    write_dense("optstate_ema_accum_3_10", adam, head + avg + acc + mv, "3.10.0")
    nadam = k3_optimizer("Nadam", "nadam", 0.01, beta_1=0.9, beta_2=0.999, epsilon=1e-07)
    u = np.float32(0.5)
    write_dense("optstate_nadam_3_9", nadam, head + [u] + mv, "3.9.2")
    write_dense("optstate_nadam_no_version", nadam, head + mv + [u], None)
    # refused: one variable short; a velocity of the wrong shape
    plain = k3_optimizer("Adam", "adam", 0.01, beta_1=0.9, beta_2=0.999, epsilon=1e-07, amsgrad=False)
    write_dense("optstate_short", plain, head + mv[:-1], "3.11.3")
    write_dense("optstate_wrong_shape", plain, head + mv[:1] + [slot(40, (2, 3))] + mv[2:], "3.11.3")


def nested_model():
    """nested_sequential.keras (a Sequential nested in a Sequential, compiled with Adam) with Adam's state at
    optimizer/vars as Keras 3 writes it: Keras takes the nested model's variables at its place among the outer layers,
    which jrnn's flattened order need not follow, so jrnn maps them by the file's layer order (refused before session
    22; RealKeras3FilesTest checks that order against Keras' own files)."""
    src = os.path.join(OUT, "nested_sequential.keras")
    with zipfile.ZipFile(src) as z:
        members = {n: z.read(n) for n in z.namelist()}
    buf = io.BytesIO(members["model.weights.h5"])
    with h5py.File(buf, "a") as f:
        shapes = []
        # model.trainable_variables, Adam's slots' order: enc_rnn, enc_bn, head (enc_dense is frozen: Keras keeps no
        # slots for it; Keras 3.15.1 skipped the state when they were written for it, 20 variables for its 16)
        for path in ("layers/sequential/layers/simple_rnn/cell/vars", "layers/sequential/layers/batch_normalization/vars",
                     "layers/dense/vars"):
            n = 2 if "batch_normalization" in path else len(f[path])   # gamma, beta train; the moving statistics do not
            shapes += [f[path][str(i)].shape for i in range(n)]
        v = f.create_group("optimizer").create_group("vars")
        v.create_dataset("0", data=np.int64(4))
        v.create_dataset("1", data=np.float32(0.001))
        for i, shape in enumerate(shapes):
            v.create_dataset(str(2 + 2 * i), data=np.full(shape, 0.01, np.float32))
            v.create_dataset(str(3 + 2 * i), data=np.full(shape, 0.001, np.float32))
    members["model.weights.h5"] = buf.getvalue()
    with zipfile.ZipFile(os.path.join(OUT, "optstate_nested.keras"), "w", zipfile.ZIP_STORED) as z:
        for name, data in members.items():
            z.writestr(zipfile.ZipInfo(name, date_time=(2026, 12, 6, 3, 0, 0)), data)


if __name__ == "__main__":
    layouts()
    keras3_adam()
    keras3_sgd()
    tfkeras_adam()
    simple_lstm_rmsprop()
    nested_model()
