#!/usr/bin/python3
"""Writes small Keras model files for jrnn's import tests WITHOUT Keras: h5py and the zip module, following the
layouts Keras writes (tf.keras 2 / Keras 2.2 full-model HDF5; Keras 3 .keras zips of config.json, metadata.json
and model.weights.h5; a Keras 3 legacy .h5; a .keras that holds HDF5). The real Keras files are in
shared/fixtures/keras; there is no GRU and no Keras 3 file among them, hence these.

Run from this folder: /usr/bin/python3 make_keras_files.py   (needs python3-h5py, numpy). Writes into ..
Deterministic: fixed seeds, fixed zip timestamps.
"""
import io
import json
import os
import zipfile

import h5py
import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
rng = np.random.default_rng(20261204)


def w(*shape):
    return rng.normal(0.0, 0.5, shape).astype(np.float32)


# ----------------------------------------------------------------------------------------- Keras 2 configs
def rnn_cfg(cls, name, units, **kw):
    c = {"name": name, "trainable": True, "dtype": "float32", "return_sequences": False, "return_state": False,
         "go_backwards": False, "stateful": False, "unroll": False, "time_major": False, "units": units,
         "activation": "tanh", "use_bias": True, "kernel_regularizer": None, "recurrent_regularizer": None,
         "bias_regularizer": None, "activity_regularizer": None, "kernel_constraint": None,
         "recurrent_constraint": None, "bias_constraint": None, "dropout": 0.0, "recurrent_dropout": 0.0,
         "implementation": 1}
    if cls != "SimpleRNN":
        c["recurrent_activation"] = "sigmoid"
    if cls == "LSTM":
        c["unit_forget_bias"] = True
    if cls == "GRU":
        c["reset_after"] = True
    c.update(kw)
    return {"class_name": cls, "config": c}


def rnn_weights(cls, fin, units, reset_after=True):
    g = {"SimpleRNN": 1, "LSTM": 4, "GRU": 3}[cls] * units
    bias = w(2, g) if (cls == "GRU" and reset_after) else w(g)
    return [("kernel", w(fin, g)), ("recurrent_kernel", w(units, g)), ("bias", bias)]


def dense_cfg(name, units, activation="linear"):
    return {"class_name": "Dense", "config": {"name": name, "trainable": True, "dtype": "float32", "units": units,
                                              "activation": activation, "use_bias": True,
                                              "kernel_regularizer": None, "bias_regularizer": None,
                                              "activity_regularizer": None, "kernel_constraint": None,
                                              "bias_constraint": None}}


def simple_cfg(cls, name, **kw):
    c = {"name": name, "trainable": True, "dtype": "float32"}
    c.update(kw)
    return {"class_name": cls, "config": c}


def node(layer_spec, name, inbound):
    """A Keras 2 functional layer entry: inbound is a list of calls, each a list of (layer, node, tensor)."""
    d = dict(layer_spec)
    d["name"] = name
    d["inbound_nodes"] = [[[l, n, t, {}] for (l, n, t) in call] for call in inbound]
    return d


def input_layer(name, batch_shape):
    return {"name": name, "class_name": "InputLayer",
            "config": {"batch_input_shape": batch_shape, "dtype": "float32", "sparse": False, "name": name},
            "inbound_nodes": []}


def write_h5(path, model_config, layers, keras_version, training_config=None, split_layer_names=False):
    """layers: [(layer name, [(weight name as in weight_names, array)])] in model order."""
    with h5py.File(path, "w") as f:
        f.attrs["keras_version"] = keras_version.encode()
        f.attrs["backend"] = b"tensorflow"
        f.attrs["model_config"] = json.dumps(model_config).encode()
        if training_config is not None:
            f.attrs["training_config"] = json.dumps(training_config).encode()
        mw = f.create_group("model_weights")
        write_weight_groups(mw, layers, keras_version, split_layer_names)


def write_weight_groups(g, layers, keras_version, split_layer_names=False):
    names = np.array([n.encode() for n, _ in layers])
    if split_layer_names:   # what Keras does when the attribute is over 64 KB: layer_names0, layer_names1, ...
        half = (len(names) + 1) // 2
        g.attrs["layer_names0"] = names[:half]
        g.attrs["layer_names1"] = names[half:]
    else:
        g.attrs["layer_names"] = names
    g.attrs["backend"] = b"tensorflow"
    g.attrs["keras_version"] = keras_version.encode()
    for name, ws in layers:
        lg = g.create_group(name)
        if ws:
            lg.attrs["weight_names"] = np.array([wn.encode() for wn, _ in ws])
        else:
            lg.attrs["weight_names"] = np.array([], dtype=np.float64)   # h5py's encoding of Keras' empty list
        for wn, a in ws:
            if isinstance(a, tuple):   # a shape only: a dataset that claims it but stores nothing (hostile files)
                lg.create_dataset(wn, shape=a, dtype="f4")
            else:
                lg.create_dataset(wn, data=a)


def named(prefix, ws, suffix=":0"):
    return [(prefix + "/" + n + suffix, a) for n, a in ws]


# -------------------------------------------------------------- A: tf.keras 2 GRU (reset_after=True), compiled
def tfkeras_gru():
    gru1, gru2, dense = rnn_weights("GRU", 3, 5), rnn_weights("GRU", 5, 4), [("kernel", w(4, 2)), ("bias", w(2))]
    cfg = {"class_name": "Model", "config": {"name": "model", "layers": [
        input_layer("input_1", [None, None, 3]),
        node(rnn_cfg("GRU", "gru", 5, return_sequences=True), "gru", [[("input_1", 0, 0)]]),
        node(rnn_cfg("GRU", "gru_1", 4, activation="softsign", recurrent_activation="hard_sigmoid", go_backwards=True),
             "gru_1", [[("gru", 0, 0)]]),
        node(dense_cfg("dense", 2, "selu"), "dense", [[("gru_1", 0, 0)]])],
        "input_layers": [["input_1", 0, 0]], "output_layers": [["dense", 0, 0]]}}
    training = {"loss": "mse", "metrics": ["mae"], "loss_weights": None, "sample_weight_mode": None,
                "optimizer_config": {"class_name": "Adam", "config": {"name": "Adam", "learning_rate": 0.002,
                                     "decay": 0.0, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-07, "amsgrad": False}}}
    write_h5(os.path.join(OUT, "tfkeras_gru.h5"), cfg, [
        ("input_1", []), ("gru", named("gru/gru_cell", gru1)), ("gru_1", named("gru_1/gru_cell_1", gru2)),
        ("dense", named("dense", dense))], "2.4.0", training)


# ---------------------------------------------------------- B: Keras 2.2 GRU, reset_after=False (bias [3H])
def keras22_gru():
    gru, dense = rnn_weights("GRU", 2, 4, reset_after=False), [("kernel", w(4, 1)), ("bias", w(1))]
    gcfg = rnn_cfg("GRU", "gru_1", 4, recurrent_activation="hard_sigmoid", reset_after=False,
                   batch_input_shape=[None, 6, 2])
    cfg = {"class_name": "Sequential", "config": {"name": "sequential_1", "layers": [gcfg, dense_cfg("dense_1", 1)]}}
    write_h5(os.path.join(OUT, "keras22_gru_reset_before.h5"), cfg, [
        ("gru_1", named("gru_1", gru)), ("dense_1", named("dense_1", dense))], "2.2.4")


# ----------------------------- C: functional, two inputs, shared layer, several outputs, every merge mode
def functional_multi():
    shared = rnn_weights("SimpleRNN", 3, 4)
    d1, d2 = [("kernel", w(4, 2)), ("bias", w(2))], [("kernel", w(4, 3)), ("bias", w(3))]
    lstm, td = rnn_weights("LSTM", 2, 3), [("kernel", w(3, 2)), ("bias", w(2))]
    bi_mul = rnn_weights("GRU", 3, 3) + rnn_weights("GRU", 3, 3)
    bi_none = rnn_weights("SimpleRNN", 3, 2) + rnn_weights("SimpleRNN", 3, 2)
    bi_sum = rnn_weights("LSTM", 3, 2) + rnn_weights("LSTM", 3, 2)
    td2 = [("kernel", w(3, 1)), ("bias", w(1))]

    def bi(name, inner, mode):
        return {"class_name": "Bidirectional", "config": {"name": name, "trainable": True, "dtype": "float32",
                                                          "layer": inner, "merge_mode": mode}}

    td_cfg = lambda name, inner: {"class_name": "TimeDistributed",
                                  "config": {"name": name, "trainable": True, "dtype": "float32", "layer": inner}}
    layers = [
        input_layer("in_a", [None, None, 3]),
        input_layer("in_b", [None, 6, 3]),
        node(simple_cfg("Masking", "masking", mask_value=0.0), "masking", [[("in_a", 0, 0)]]),
        node(rnn_cfg("SimpleRNN", "shared_rnn", 4, activation="elu"), "shared_rnn",
             [[("masking", 0, 0)], [("in_b", 0, 0)]]),
        node(dense_cfg("out_a", 2, "softplus"), "out_a", [[("shared_rnn", 0, 0)]]),
        node(dense_cfg("out_b", 3, "softmax"), "out_b", [[("shared_rnn", 1, 0)]]),
        node(simple_cfg("Dropout", "dropout", rate=0.3, noise_shape=None, seed=None), "dropout", [[("out_a", 0, 0)]]),
        node(simple_cfg("Activation", "act", activation="tanh"), "act", [[("dropout", 0, 0)]]),
        node(simple_cfg("RepeatVector", "repeat", n=4), "repeat", [[("act", 0, 0)]]),
        node(rnn_cfg("LSTM", "lstm", 3, return_sequences=True, recurrent_activation="hard_sigmoid"), "lstm",
             [[("repeat", 0, 0)]]),
        node(td_cfg("td", dense_cfg("td_dense", 2)), "td", [[("lstm", 0, 0)]]),
        node(bi("bi_mul", rnn_cfg("GRU", "gru_m", 3, return_sequences=True), "mul"), "bi_mul", [[("masking", 0, 0)]]),
        node(td_cfg("td2", dense_cfg("td2_dense", 1, "relu")), "td2", [[("bi_mul", 0, 0)]]),
        node(bi("bi_none", rnn_cfg("SimpleRNN", "rnn_n", 2), None), "bi_none", [[("in_b", 0, 0)]]),
        node(bi("bi_sum", rnn_cfg("LSTM", "lstm_s", 2, activation="softsign"), "sum"), "bi_sum", [[("in_b", 0, 0)]]),
    ]
    cfg = {"class_name": "Model", "config": {"name": "multi", "layers": layers,
                                             "input_layers": [["in_a", 0, 0], ["in_b", 0, 0]],
                                             "output_layers": [["out_a", 0, 0], ["out_b", 0, 0], ["td", 0, 0],
                                                               ["td2", 0, 0], ["bi_none", 0, 0], ["bi_none", 0, 1],
                                                               ["bi_sum", 0, 0]]}}
    half = lambda ws: (ws[:3], ws[3:])
    f_m, b_m = half(bi_mul)
    f_n, b_n = half(bi_none)
    f_s, b_s = half(bi_sum)
    write_h5(os.path.join(OUT, "functional_multi.h5"), cfg, [
        ("in_a", []), ("in_b", []), ("masking", []), ("shared_rnn", named("shared_rnn", shared)),
        ("out_a", named("out_a", d1)), ("out_b", named("out_b", d2)), ("dropout", []), ("act", []), ("repeat", []),
        ("lstm", named("lstm", lstm)), ("td", named("td", td)),
        ("bi_mul", named("bi_mul/forward_gru_m", f_m) + named("bi_mul/backward_gru_m", b_m)),
        ("td2", named("td2", td2)),
        ("bi_none", named("bi_none/forward_rnn_n", f_n) + named("bi_none/backward_rnn_n", b_n)),
        ("bi_sum", named("bi_sum/forward_lstm_s", f_s) + named("bi_sum/backward_lstm_s", b_s))],
        "2.3.1", split_layer_names=True)


# ------------------- C2: functional with the merge layers, LayerNormalization and Flatten (tf.keras 2 layout)
def functional_merge():
    global rng
    rng = np.random.default_rng(20261205)
    ln = [("gamma", w(3)), ("beta", w(3))]
    ln_b = [("beta", w(3))]
    lstm, dense = rnn_weights("LSTM", 6, 3), [("kernel", w(30, 2)), ("bias", w(2))]
    layers = [
        input_layer("in_a", [None, 5, 3]),
        input_layer("in_b", [None, 5, 3]),
        node(simple_cfg("Masking", "masking", mask_value=0.0), "masking", [[("in_a", 0, 0)]]),
        node(simple_cfg("LayerNormalization", "ln", axis=[2], epsilon=0.001, center=True, scale=True,
                        beta_initializer={"class_name": "Zeros", "config": {}},
                        gamma_initializer={"class_name": "Ones", "config": {}}, beta_regularizer=None,
                        gamma_regularizer=None, beta_constraint=None, gamma_constraint=None),
             "ln", [[("masking", 0, 0)]]),
        node(simple_cfg("Add", "add"), "add", [[("ln", 0, 0), ("in_b", 0, 0)]]),
        node(simple_cfg("Multiply", "mul"), "mul", [[("ln", 0, 0), ("in_b", 0, 0)]]),
        node(simple_cfg("Average", "avg"), "avg", [[("add", 0, 0), ("mul", 0, 0), ("in_b", 0, 0)]]),
        node(simple_cfg("Concatenate", "cat", axis=-1), "cat", [[("avg", 0, 0), ("in_b", 0, 0)]]),
        node(rnn_cfg("LSTM", "lstm", 3), "lstm", [[("cat", 0, 0)]]),
        node(simple_cfg("Concatenate", "cat_time", axis=1), "cat_time", [[("in_b", 0, 0), ("in_b", 0, 0)]]),
        node(simple_cfg("Flatten", "flat", data_format="channels_last"), "flat", [[("cat_time", 0, 0)]]),
        node(dense_cfg("dense", 2, "tanh"), "dense", [[("flat", 0, 0)]]),
        node(simple_cfg("LayerNormalization", "ln_b", axis=-1, epsilon=0.01, center=True, scale=False),
             "ln_b", [[("in_b", 0, 0)]]),
    ]
    cfg = {"class_name": "Functional", "config": {"name": "merges", "layers": layers,
                                                  "input_layers": [["in_a", 0, 0], ["in_b", 0, 0]],
                                                  "output_layers": [["lstm", 0, 0], ["dense", 0, 0], ["ln_b", 0, 0]]}}
    write_h5(os.path.join(OUT, "functional_merge.h5"), cfg, [
        ("in_a", []), ("in_b", []), ("masking", []), ("ln", named("ln", ln)), ("add", []), ("mul", []), ("avg", []),
        ("cat", []), ("lstm", named("lstm/lstm_cell", lstm)), ("cat_time", []), ("flat", []),
        ("dense", named("dense", dense)), ("ln_b", named("ln_b", ln_b))], "2.9.0")


# ------------------------------------------------- D: Sequential with Embedding(mask_zero), Bidirectional ave
def sequential_embedding():
    emb = [("embeddings", w(9, 3))]
    lstm = rnn_weights("LSTM", 3, 4)
    bi = rnn_weights("SimpleRNN", 4, 3) + rnn_weights("SimpleRNN", 4, 3)
    dense = [("kernel", w(3, 2)), ("bias", w(2))]
    ecfg = {"class_name": "Embedding", "config": {"name": "embedding", "trainable": True,
                                                  "batch_input_shape": [None, 7], "dtype": "float32", "input_dim": 9,
                                                  "output_dim": 3, "embeddings_regularizer": None,
                                                  "activity_regularizer": None, "embeddings_constraint": None,
                                                  "mask_zero": True, "input_length": 7}}
    bcfg = {"class_name": "Bidirectional", "config": {"name": "bidirectional", "trainable": True, "dtype": "float32",
                                                      "layer": rnn_cfg("SimpleRNN", "simple_rnn", 3), "merge_mode": "ave"}}
    cfg = {"class_name": "Sequential", "config": {"name": "sequential", "layers": [
        ecfg, rnn_cfg("LSTM", "lstm", 4, return_sequences=True), bcfg, dense_cfg("dense", 2, "sigmoid")]}}
    write_h5(os.path.join(OUT, "sequential_embedding.h5"), cfg, [
        ("embedding", named("embedding", emb)), ("lstm", named("lstm", lstm)),
        ("bidirectional", named("bidirectional/forward_simple_rnn", bi[:3]) + named("bidirectional/backward_simple_rnn", bi[3:])),
        ("dense", named("dense", dense))], "2.4.0")


# --------------------------------------------------------------------------------------------- Keras 3
def k3_tensor(shape, history):
    return {"class_name": "__keras_tensor__", "config": {"shape": shape, "dtype": "float32", "keras_history": history}}


# The kwargs Keras 3's Layer.__call__ records in a node (layers/layer.py, step 6 and _resolve_and_populate_arg):
# "mask" where call() takes one (the input's mask, None if unmasked), "training" where call()'s default for it is
# not None (the recurrent layers' False). Other layers record none: Keras refuses a "mask" their call() lacks.
K3_CALL_MASK = {"LSTM", "GRU", "SimpleRNN", "RNN", "Bidirectional", "TimeDistributed", "BatchNormalization",
                "Softmax", "Attention", "AdditiveAttention"}
K3_CALL_TRAINING = {"LSTM", "GRU", "SimpleRNN", "RNN", "Dropout", "Attention", "AdditiveAttention"}


def k3_call_kwargs(cls, mask=None):
    kw = {}
    if cls in K3_CALL_TRAINING:
        kw["training"] = False
    if cls in K3_CALL_MASK:
        kw["mask"] = mask
    return kw


def k3_layer(cls, name, config, inbound=None):
    c = {"name": name, "trainable": True, "dtype": {"module": "keras", "class_name": "DTypePolicy",
                                                    "config": {"name": "float32"}, "registered_name": None}}
    c.update(config)
    d = {"module": "keras.layers", "class_name": cls, "config": c, "registered_name": None}
    if inbound is not None:
        d["name"] = name
        d["inbound_nodes"] = [{"args": [a], "kwargs": k3_call_kwargs(cls)} for a in inbound]
    return d


def k3_rnn(cls, name, units, **kw):
    c = dict(rnn_cfg(cls, name, units)["config"])
    for k in ("time_major", "implementation", "name", "trainable", "dtype"):
        c.pop(k, None)
    c.update({"seed": None, "zero_output_for_mask": False})
    c.update(kw)
    return c


def k3_dense(units, activation):
    c = dict(dense_cfg("x", units, activation)["config"])
    for k in ("name", "trainable", "dtype"):
        c.pop(k)
    return c


def legacy_entries(config):
    """A Keras 3 config as model.save('x.h5') writes it: under use_legacy_config every graph entry is serialized by
    legacy/saving/serialization.py, {"class_name", "config"} without "module" or "registered_name" (the options inside
    a config keep their Keras 3 form)."""
    config = json.loads(json.dumps(config))

    def strip(layers):
        for e in layers:
            e.pop("module", None)
            e.pop("registered_name", None)
            if isinstance(e.get("config"), dict) and isinstance(e["config"].get("layers"), list):
                strip(e["config"]["layers"])
    strip(config["config"]["layers"])
    return config


def write_keras3(stem, config, vars_by_group, legacy_layers, legacy_config=False):
    """.keras zip + the same model as a Keras 3 legacy .h5 (model.save('x.h5')) + the weights alone (.weights.h5).
    legacy_config: the .h5's config entries in the legacy form (legacy_entries), as Keras writes them; the older
    generators kept the .keras form there."""
    wbuf = io.BytesIO()
    with h5py.File(wbuf, "w") as f:
        f.create_group("vars")
        layers = f.create_group("layers")
        for path, arrays in vars_by_group:
            g = layers.require_group(path)
            v = g.require_group("vars")
            for i, a in enumerate(arrays):
                v.create_dataset(str(i), data=a)
    weights = wbuf.getvalue()
    meta = {"keras_version": "3.3.3", "date_saved": "2026-12-04@12:00:00"}
    with zipfile.ZipFile(os.path.join(OUT, stem + ".keras"), "w", zipfile.ZIP_STORED) as z:
        for name, data in (("metadata.json", json.dumps(meta).encode()), ("config.json", json.dumps(config).encode()),
                           ("model.weights.h5", weights)):
            z.writestr(zipfile.ZipInfo(name, date_time=(2026, 12, 4, 12, 0, 0)), data)
    with open(os.path.join(OUT, stem + ".weights.h5"), "wb") as f:
        f.write(weights)
    cfg = {"class_name": config["class_name"], "config": (legacy_entries(config) if legacy_config else config)["config"]}
    write_h5(os.path.join(OUT, stem + ".h5"), cfg, legacy_layers, "3.3.3")


def keras3_functional():
    fw, bw = rnn_weights("LSTM", 4, 3), rnn_weights("LSTM", 4, 3)
    gru = rnn_weights("GRU", 3, 3)
    dense = [("kernel", w(3, 2)), ("bias", w(2))]
    inner = {"module": "keras.layers", "class_name": "LSTM", "registered_name": None,
             "config": dict(k3_rnn("LSTM", "lstm", 3, return_sequences=True, recurrent_activation="hard_sigmoid",
                                   zero_output_for_mask=True), name="forward_lstm", trainable=True)}
    layers = [
        {"module": "keras.layers", "class_name": "InputLayer", "registered_name": None, "name": "input_layer",
         "config": {"batch_shape": [None, None, 4], "dtype": "float32", "sparse": False, "name": "input_layer"},
         "inbound_nodes": []},
        k3_layer("Masking", "pad_mask", {"mask_value": 0.0}, [k3_tensor([None, None, 4], ["input_layer", 0, 0])]),
        k3_layer("Bidirectional", "both_ways", {"merge_mode": "sum", "layer": inner},
                 [k3_tensor([None, None, 4], ["pad_mask", 0, 0])]),
        k3_layer("GRU", "encoder", k3_rnn("GRU", "encoder", 3, activation="elu", recurrent_activation="hard_sigmoid"),
                 [k3_tensor([None, None, 3], ["both_ways", 0, 0])]),
        k3_layer("Dense", "head", k3_dense(2, "softmax"), [k3_tensor([None, 3], ["encoder", 0, 0])]),
    ]
    config = {"module": "keras.src.models.functional", "class_name": "Functional", "registered_name": "Functional",
              "config": {"name": "functional", "trainable": True, "layers": layers,
                         "input_layers": [["input_layer", 0, 0]], "output_layers": [["head", 0, 0]]},
              "build_config": {"input_shape": None},
              "compile_config": {"optimizer": {"module": "keras.optimizers", "class_name": "SGD", "registered_name": None,
                                               "config": {"name": "SGD", "learning_rate": 0.05, "weight_decay": None,
                                                          "clipnorm": None, "global_clipnorm": None, "clipvalue": None,
                                                          "use_ema": False, "momentum": 0.5, "nesterov": True}},
                                 "loss": "categorical_crossentropy", "metrics": None}}
    vals = lambda ws: [a for _, a in ws]
    write_keras3("keras3_functional", config, [
        ("input_layer", []), ("masking", []),
        ("bidirectional/forward_layer/cell", vals(fw)), ("bidirectional/backward_layer/cell", vals(bw)),
        ("gru/cell", vals(gru)), ("dense", vals(dense))],
        [("input_layer", []), ("pad_mask", []),
         ("both_ways", named("both_ways/forward_lstm/lstm_cell", fw, "") + named("both_ways/backward_lstm/lstm_cell", bw, "")),
         ("encoder", named("encoder/gru_cell", gru, "")), ("head", named("head", dense, ""))])


def keras3_sequential():
    rnn, gru = rnn_weights("SimpleRNN", 2, 3), rnn_weights("GRU", 3, 2)
    td = [("kernel", w(2, 1)), ("bias", w(1))]
    inner = {"module": "keras.layers", "class_name": "Dense", "registered_name": None,
             "config": dict(k3_dense(1, "linear"), name="dense", trainable=True)}
    layers = [
        {"module": "keras.layers", "class_name": "InputLayer", "registered_name": None,
         "config": {"batch_shape": [None, 5, 2], "dtype": "float32", "sparse": False, "name": "input_layer"}},
        k3_layer("SimpleRNN", "simple_rnn", k3_rnn("SimpleRNN", "simple_rnn", 3, activation="softsign")),
        k3_layer("RepeatVector", "repeat_vector", {"n": 2}),
        k3_layer("GRU", "gru", k3_rnn("GRU", "gru", 2, return_sequences=True, activation="selu")),
        k3_layer("TimeDistributed", "time_distributed", {"layer": inner}),
    ]
    config = {"module": "keras", "class_name": "Sequential", "registered_name": None,
              "config": {"name": "sequential", "trainable": True, "layers": layers}, "build_config": {"input_shape": [None, 5, 2]}}
    vals = lambda ws: [a for _, a in ws]
    write_keras3("keras3_sequential", config, [
        ("simple_rnn/cell", vals(rnn)), ("repeat_vector", []), ("gru/cell", vals(gru)),
        ("time_distributed/layer", vals(td))],
        [("simple_rnn", named("simple_rnn/simple_rnn_cell", rnn, "")), ("repeat_vector", []),
         ("gru", named("gru/gru_cell", gru, "")), ("time_distributed", named("time_distributed/dense", td, ""))])


def h5_inside_keras():
    """Real .keras files that hold HDF5 exist (model.save('m.keras') with older tf.keras): same bytes, other name."""
    with open(os.path.join(OUT, "tfkeras_gru.h5"), "rb") as f:
        data = f.read()
    with open(os.path.join(OUT, "hdf5_named.keras"), "wb") as f:
        f.write(data)


# ------------------------- E: Keras 3 with reset_after=False GRUs (bias [3H]), one inside Bidirectional, masked
def keras3_gru_reset_before():
    global rng
    rng = np.random.default_rng(20261206)
    fw, bw = rnn_weights("GRU", 3, 2, reset_after=False), rnn_weights("GRU", 3, 2, reset_after=False)
    gru = rnn_weights("GRU", 4, 3, reset_after=False)
    dense = [("kernel", w(3, 1)), ("bias", w(1))]
    inner = {"module": "keras.layers", "class_name": "GRU", "registered_name": None,
             "config": dict(k3_rnn("GRU", "gru", 2, return_sequences=True, reset_after=False), name="forward_gru",
                            trainable=True)}
    layers = [
        {"module": "keras.layers", "class_name": "InputLayer", "registered_name": None,
         "config": {"batch_shape": [None, 6, 3], "dtype": "float32", "sparse": False, "name": "input_layer"}},
        k3_layer("Masking", "masking", {"mask_value": 0.0}),
        k3_layer("Bidirectional", "bidirectional", {"merge_mode": "concat", "layer": inner}),
        k3_layer("GRU", "gru_1", k3_rnn("GRU", "gru_1", 3, reset_after=False, go_backwards=True,
                                        recurrent_activation="hard_sigmoid")),
        k3_layer("Dense", "dense", k3_dense(1, "linear")),
    ]
    config = {"module": "keras", "class_name": "Sequential", "registered_name": None,
              "config": {"name": "sequential", "trainable": True, "layers": layers},
              "build_config": {"input_shape": [None, 6, 3]}}
    vals = lambda ws: [a for _, a in ws]
    write_keras3("keras3_gru_reset_before", config, [
        ("masking", []), ("bidirectional/forward_layer/cell", vals(fw)), ("bidirectional/backward_layer/cell", vals(bw)),
        ("gru/cell", vals(gru)), ("dense", vals(dense))],
        [("masking", []),
         ("bidirectional", named("bidirectional/forward_gru/gru_cell", fw, "") + named("bidirectional/backward_gru/gru_cell", bw, "")),
         ("gru_1", named("gru_1/gru_cell", gru, "")), ("dense", named("dense", dense, ""))])


# ------------------------------------------------------------------------------ hostile and broken files
def bad_files():
    """Each is the tfkeras_gru model (or a Keras 3 zip) with one thing wrong; written into ../bad/."""
    bad = os.path.join(OUT, "bad")
    os.makedirs(bad, exist_ok=True)
    k1, r1, b1 = w(3, 15), w(5, 15), w(2, 15)
    k2, r2, b2 = w(5, 12), w(4, 12), w(2, 12)
    dense = [("kernel", w(4, 2)), ("bias", w(2))]

    def gru_model(path, gru1_weights, layer0=None, extra_layers=None, model_config=None):
        cfg = model_config or {"class_name": "Model", "config": {"name": "model", "layers": [
            input_layer("input_1", [None, None, 3]),
            node(layer0 or rnn_cfg("GRU", "gru", 5, return_sequences=True), "gru", [[("input_1", 0, 0)]]),
            node(rnn_cfg("GRU", "gru_1", 4), "gru_1", [[("gru", 0, 0)]]),
            node(dense_cfg("dense", 2), "dense", [[("gru_1", 0, 0)]])],
            "input_layers": [["input_1", 0, 0]], "output_layers": [["dense", 0, 0]]}}
        layers = [("input_1", []), ("gru", named("gru/gru_cell", gru1_weights)),
                  ("gru_1", named("gru_1/gru_cell_1", [("kernel", k2), ("recurrent_kernel", r2), ("bias", b2)])),
                  ("dense", named("dense", dense))] + (extra_layers or [])
        write_h5(os.path.join(bad, path), cfg, layers, "2.4.0")

    good = [("kernel", k1), ("recurrent_kernel", r1), ("bias", b1)]
    gru_model("ok.h5", good)
    gru_model("huge_dims.h5", [("kernel", (200000, 300000)), ("recurrent_kernel", r1), ("bias", b1)])
    gru_model("wrong_dtype.h5", [("kernel", k1.astype(np.int32)), ("recurrent_kernel", r1), ("bias", b1)])
    gru_model("wrong_shape.h5", [("kernel", w(3, 14)), ("recurrent_kernel", r1), ("bias", b1)])
    gru_model("nan_weight.h5", [("kernel", np.full((3, 15), np.nan, np.float32)), ("recurrent_kernel", r1), ("bias", b1)])
    gru_model("stateful.h5", good, layer0=rnn_cfg("GRU", "gru", 5, return_sequences=True, stateful=True))
    gru_model("unknown_layer.h5", good, layer0={"class_name": "Conv2D", "config": {"name": "gru", "filters": 5}})
    deep = "x"
    for _ in range(300):
        deep = [deep]
    gru_model("deep_json.h5", good, model_config={"class_name": "Model", "config": {"name": "m", "layers": deep}})
    # weight_names names a dataset that is not there
    gru_model("missing_dataset.h5", good)
    with h5py.File(os.path.join(bad, "missing_dataset.h5"), "a") as f:
        del f["model_weights/gru/gru/gru_cell/kernel:0"]
    # an HDF5 file that is not Keras at all
    with h5py.File(os.path.join(bad, "plain.h5"), "w") as f:
        f.create_dataset("data", data=w(4))

    def zip_of(path, members):
        with zipfile.ZipFile(os.path.join(bad, path), "w", zipfile.ZIP_STORED) as z:
            for name, data in members:
                z.writestr(zipfile.ZipInfo(name, date_time=(2026, 12, 4, 12, 0, 0)), data)

    with zipfile.ZipFile(os.path.join(OUT, "keras3_sequential.keras")) as z:
        cfg, meta, weights = z.read("config.json"), z.read("metadata.json"), z.read("model.weights.h5")
    zip_of("missing_member.keras", [("metadata.json", meta), ("config.json", cfg)])
    zip_of("weights_not_hdf5.keras", [("metadata.json", meta), ("config.json", cfg), ("model.weights.h5", b"not hdf5 at all")])
    wbuf = io.BytesIO()
    with h5py.File(wbuf, "w") as f:
        g = f.create_group("layers/simple_rnn")
        for i in range(40):
            g = g.create_group("cell")
        v = g.create_group("vars")
        v.create_dataset("0", data=w(2, 3))
    zip_of("deep_nesting.keras", [("metadata.json", meta), ("config.json", cfg), ("model.weights.h5", wbuf.getvalue())])
    # reset_after=False in the config, but the [2, 3H] bias of reset_after=True in the weights
    gru_model("gru_reset_mismatch.h5", good, layer0=rnn_cfg("GRU", "gru", 5, return_sequences=True, reset_after=False))


# ---------------------- F: Keras 3 Conv1D stack (causal + dilation, then strides), outputs computed here in numpy
def keras3_conv1d():
    """A CNN head as Keras 3 writes it (kernel (k, C, F) in vars/0), and numpy's outputs for a fixed input: the
    reference jrnn's import must reproduce (Conv1D's padding and weight layout, independently of jrnn's layer)."""
    g = np.random.default_rng(20261205)
    k1, b1 = g.normal(0, 0.5, (3, 2, 4)).astype(np.float32), g.normal(0, 0.5, 4).astype(np.float32)
    k2, b2 = g.normal(0, 0.5, (2, 4, 3)).astype(np.float32), g.normal(0, 0.5, 3).astype(np.float32)
    kd, bd = g.normal(0, 0.5, (3, 1)).astype(np.float32), g.normal(0, 0.5, 1).astype(np.float32)
    x = g.normal(0, 1, (2, 9, 2)).astype(np.float32)

    def conv(a, k, b, left, right, stride, dil):
        a = np.pad(a.astype(np.float64), ((0, 0), (left, right), (0, 0)))
        n = (a.shape[1] - (k.shape[0] - 1) * dil - 1) // stride + 1
        return np.stack([sum(a[:, t * stride + j * dil, :] @ k[j] for j in range(k.shape[0])) for t in range(n)], 1) + b

    h = np.maximum(conv(x, k1, b1, 4, 0, 1, 2), 0)      # causal: (k-1)*d = 4 zeros on the left
    h = conv(h, k2, b2, 0, 0, 2, 1)                      # valid, strides 2: (9 - 2) // 2 + 1 = 4 steps
    y = np.tanh(h @ kd + bd)                             # Dense on every step

    def conv_cfg(filters, k, s, pad, d, act):
        return {"filters": filters, "kernel_size": [k], "strides": [s], "padding": pad, "data_format": "channels_last",
                "dilation_rate": [d], "groups": 1, "activation": act, "use_bias": True,
                "kernel_initializer": {"module": "keras.initializers", "class_name": "GlorotUniform", "config": {"seed": None},
                                       "registered_name": None},
                "bias_initializer": {"module": "keras.initializers", "class_name": "Zeros", "config": {}, "registered_name": None},
                "kernel_regularizer": None, "bias_regularizer": None, "activity_regularizer": None,
                "kernel_constraint": None, "bias_constraint": None}
    layers = [
        {"module": "keras.layers", "class_name": "InputLayer", "registered_name": None,
         "config": {"batch_shape": [None, 9, 2], "dtype": "float32", "sparse": False, "name": "input_layer"}},
        k3_layer("Conv1D", "conv1d", conv_cfg(4, 3, 1, "causal", 2, "relu")),
        k3_layer("Conv1D", "conv1d_1", conv_cfg(3, 2, 2, "valid", 1, "linear")),
        k3_layer("Dense", "dense", k3_dense(1, "tanh")),
    ]
    config = {"module": "keras", "class_name": "Sequential", "registered_name": None,
              "config": {"name": "sequential", "trainable": True, "layers": layers}, "build_config": {"input_shape": [None, 9, 2]}}
    write_keras3("keras3_conv1d", config, [("conv1d", [k1, b1]), ("conv1d_1", [k2, b2]), ("dense", [kd, bd])],
                 [("conv1d", named("conv1d", [("kernel", k1), ("bias", b1)], "")),
                  ("conv1d_1", named("conv1d_1", [("kernel", k2), ("bias", b2)], "")),
                  ("dense", named("dense", [("kernel", kd), ("bias", bd)], ""))])
    np.save(os.path.join(OUT, "keras3_conv1d_x.npy"), x)
    np.save(os.path.join(OUT, "keras3_conv1d_y.npy"), y.astype(np.float32))


def keras3_batch_normalization():
    """BatchNormalization as Keras 3 writes it (config with serialized initializers; vars/0..3 = gamma, beta,
    moving_mean, moving_variance) after a Conv1D, and a frozen one without beta after a Dense; numpy's inference
    outputs (the moving statistics) for a fixed input are the reference jrnn's import must reproduce."""
    g = np.random.default_rng(20261206)
    kc, bc = g.normal(0, 0.5, (2, 3, 4)).astype(np.float32), g.normal(0, 0.5, 4).astype(np.float32)
    bn1 = [g.uniform(0.5, 1.5, 4), g.normal(0, 0.3, 4), g.normal(0, 0.5, 4), g.uniform(0.2, 2.0, 4)]
    bn1 = [a.astype(np.float32) for a in bn1]
    kd, bd = g.normal(0, 0.5, (4, 2)).astype(np.float32), g.normal(0, 0.5, 2).astype(np.float32)
    bn2 = [a.astype(np.float32) for a in (g.uniform(0.5, 1.5, 2), g.normal(0, 0.5, 2), g.uniform(0.2, 2.0, 2))]
    x = g.normal(0, 1, (2, 6, 3)).astype(np.float32)

    d = lambda a: a.astype(np.float64)
    h = np.stack([sum(d(x)[:, t + j, :] @ d(kc)[j] for j in range(2)) for t in range(5)], 1) + d(bc)
    h = np.maximum(h, 0)
    h = (h - d(bn1[2])) / np.sqrt(d(bn1[3]) + 0.01) * d(bn1[0]) + d(bn1[1])       # epsilon 0.01
    h = h @ d(kd) + d(bd)
    y = (h - d(bn2[1])) / np.sqrt(d(bn2[2]) + 1e-3) * d(bn2[0])                     # center=False: no beta

    def init(cls, **cfg):
        return {"module": "keras.initializers", "class_name": cls, "config": cfg, "registered_name": None}

    def bn_cfg(momentum, epsilon, center, gamma_init):
        return {"axis": -1, "momentum": momentum, "epsilon": epsilon, "center": center, "scale": True,
                "beta_initializer": init("Zeros"), "gamma_initializer": gamma_init,
                "moving_mean_initializer": init("Zeros"), "moving_variance_initializer": init("Ones"),
                "beta_regularizer": None, "gamma_regularizer": None, "beta_constraint": None, "gamma_constraint": None,
                "synchronized": False}
    conv = {"filters": 4, "kernel_size": [2], "strides": [1], "padding": "valid", "data_format": "channels_last",
            "dilation_rate": [1], "groups": 1, "activation": "relu", "use_bias": True,
            "kernel_initializer": init("GlorotUniform", seed=None), "bias_initializer": init("Zeros"),
            "kernel_regularizer": None, "bias_regularizer": None, "activity_regularizer": None,
            "kernel_constraint": None, "bias_constraint": None}
    frozen = k3_layer("BatchNormalization", "batch_normalization_1", bn_cfg(0.99, 0.001, False, init("Constant", value=0.5)))
    frozen["config"]["trainable"] = False
    layers = [
        {"module": "keras.layers", "class_name": "InputLayer", "registered_name": None,
         "config": {"batch_shape": [None, 6, 3], "dtype": "float32", "sparse": False, "name": "input_layer"}},
        k3_layer("Conv1D", "conv1d", conv),
        k3_layer("BatchNormalization", "batch_normalization", bn_cfg(0.9, 0.01, True, init("Ones"))),
        k3_layer("Dense", "dense", k3_dense(2, "linear")),
        frozen,
    ]
    config = {"module": "keras", "class_name": "Sequential", "registered_name": None,
              "config": {"name": "sequential", "trainable": True, "layers": layers}, "build_config": {"input_shape": [None, 6, 3]}}
    names1 = ["gamma", "beta", "moving_mean", "moving_variance"]
    names2 = ["gamma", "moving_mean", "moving_variance"]
    write_keras3("keras3_batch_normalization", config,
                 [("conv1d", [kc, bc]), ("batch_normalization", bn1), ("dense", [kd, bd]), ("batch_normalization_1", bn2)],
                 [("conv1d", named("conv1d", [("kernel", kc), ("bias", bc)], "")),
                  ("batch_normalization", named("batch_normalization", list(zip(names1, bn1)), "")),
                  ("dense", named("dense", [("kernel", kd), ("bias", bd)], "")),
                  ("batch_normalization_1", named("batch_normalization_1", list(zip(names2, bn2)), ""))])
    np.save(os.path.join(OUT, "keras3_batch_normalization_x.npy"), x)
    np.save(os.path.join(OUT, "keras3_batch_normalization_y.npy"), y.astype(np.float32))

def keras3_attention():
    """Attention (dot with scale; concat with scale and concat_score_weight) and AdditiveAttention (with a key, causal),
    called as Keras 3 records call arguments (use_causal_mask, return_attention_scores in the node's kwargs), their
    scalars stored with shape (); and numpy's outputs of Keras' formula for fixed inputs, which jrnn's import must
    reproduce."""
    g = np.random.default_rng(20261206)
    f32 = lambda *shape: g.normal(0, 0.7, shape).astype(np.float32)
    q, v, k = f32(2, 3, 4), f32(2, 5, 4), f32(2, 5, 4)
    s_dot, s_cat, c_cat = np.float32(0.8), np.float32(0.5), np.float32(1.5)
    s_add = f32(4)

    def attend(scores, value, causal=False):
        scores = scores.copy()
        if causal:
            tq, tv = scores.shape[-2:]
            scores = np.where(np.arange(tq)[:, None] >= np.arange(tv)[None, :], scores, scores - 1e9)
        e = np.exp(scores - scores.max(-1, keepdims=True))
        w = e / e.sum(-1, keepdims=True)
        return w @ value, w

    qd, vd, kd = q.astype(np.float64), v.astype(np.float64), k.astype(np.float64)
    y0, y1 = attend(float(s_dot) * (qd @ vd.transpose(0, 2, 1)), vd)
    y2, _ = attend((s_add.astype(np.float64) * np.tanh(qd[:, :, None, :] + kd[:, None, :, :])).sum(-1), vd, causal=True)
    y3, _ = attend(float(c_cat) * np.tanh(float(s_cat) * (qd[:, :, None, :] + vd[:, None, :, :])).sum(-1), vd)

    def tensor(shape, src):
        return k3_tensor([None] + list(shape), [src, 0, 0])

    def att_layer(cls, name, config, args, **kwargs):
        d = k3_layer(cls, name, dict(config, seed=None))
        d["name"] = name
        d["inbound_nodes"] = [{"args": [args], "kwargs": dict(kwargs, mask=[None] * len(args))}]
        return d

    inputs = [("decoder_seq", (3, 4)), ("encoder_seq", (5, 4)), ("keys", (5, 4))]
    layers = [{"module": "keras.layers", "class_name": "InputLayer", "registered_name": None, "name": n,
               "config": {"batch_shape": [None] + list(s), "dtype": "float32", "sparse": False, "name": n},
               "inbound_nodes": []} for n, s in inputs]
    dec, enc, keys = tensor((3, 4), "decoder_seq"), tensor((5, 4), "encoder_seq"), tensor((5, 4), "keys")
    layers += [
        att_layer("Attention", "luong", {"use_scale": True, "score_mode": "dot", "dropout": 0.0}, [dec, enc],
                  return_attention_scores=True),
        att_layer("AdditiveAttention", "bahdanau", {"use_scale": True, "dropout": 0.1}, [dec, enc, keys],
                  use_causal_mask=True),
        att_layer("Attention", "concat", {"use_scale": True, "score_mode": "concat", "dropout": 0.0}, [dec, enc]),
    ]
    config = {"module": "keras.src.models.functional", "class_name": "Functional", "registered_name": "Functional",
              "config": {"name": "functional", "trainable": True, "layers": layers,
                         "input_layers": [["decoder_seq", 0, 0], ["encoder_seq", 0, 0], ["keys", 0, 0]],
                         "output_layers": [["luong", 0, 0], ["luong", 0, 1], ["bahdanau", 0, 0], ["concat", 0, 0]]},
              "build_config": {"input_shape": None}}
    write_keras3("keras3_attention", config,
                 [("attention", [s_dot]), ("additive_attention", [s_add]), ("attention_1", [s_cat, c_cat])],
                 [("decoder_seq", []), ("encoder_seq", []), ("keys", []), ("luong", [("luong/scale", s_dot)]),
                  ("bahdanau", [("bahdanau/scale", s_add)]),
                  ("concat", [("concat/scale", s_cat), ("concat/concat_score_weight", c_cat)])])
    for name, a in (("q", q), ("v", v), ("k", k), ("y0", y0), ("y1", y1), ("y2", y2), ("y3", y3)):
        np.save(os.path.join(OUT, "keras3_attention_" + name + ".npy"), a.astype(np.float32))

def mha_numpy(q, v, k, ws, heads, key_dim, value_dim, causal=False, attn=None):
    """Keras 3's MultiHeadAttention in numpy float64 (EinsumDense projections, query / sqrt(key_dim), Softmax(mask):
    masked scores -1e9, masked weights 0 after); ws = [Wq, bq, Wk, bk, Wv, bv, Wo, bo]. Returns (output, scores)."""
    d = [a.astype(np.float64) for a in ws]
    qp = np.einsum("abc,cde->abde", q.astype(np.float64), d[0]) + d[1]
    kp = np.einsum("abc,cde->abde", k.astype(np.float64), d[2]) + d[3]
    vp = np.einsum("abc,cde->abde", v.astype(np.float64), d[4]) + d[5]
    scores = np.einsum("aecd,abcd->acbe", kp, qp / np.sqrt(key_dim))
    t, s = q.shape[1], v.shape[1]
    mask = np.ones((q.shape[0], t, s), dtype=bool)
    if causal:
        mask &= np.arange(t)[:, None] >= np.arange(s)[None, :]
    if attn is not None:
        mask &= attn.astype(bool)
    m = mask[:, None, :, :]
    scores = np.where(m, scores, -1e9)
    e = np.exp(scores - scores.max(-1, keepdims=True))
    wts = np.where(m, e / e.sum(-1, keepdims=True), 0.0)
    ctx = np.einsum("acbe,aecd->abcd", wts, vp)
    return np.einsum("abcd,cde->abe", ctx, d[6]) + d[7], wts


def mha_weights(f32, dq, dk, dv, heads, key_dim, value_dim, out):
    return [f32(dq, heads, key_dim), f32(heads, key_dim), f32(dk, heads, key_dim), f32(heads, key_dim),
            f32(dv, heads, value_dim), f32(heads, value_dim), f32(heads, value_dim, out), f32(out)]


def mha_config(heads, key_dim, value_dim, output_shape, keras3=True):
    c = {"num_heads": heads, "key_dim": key_dim, "value_dim": value_dim, "dropout": 0.0, "use_bias": True,
         "output_shape": output_shape, "attention_axes": None,
         "kernel_initializer": {"module": "keras.initializers", "class_name": "GlorotUniform", "config": {"seed": None},
                                "registered_name": None},
         "bias_initializer": {"module": "keras.initializers", "class_name": "Zeros", "config": {}, "registered_name": None},
         "kernel_regularizer": None, "bias_regularizer": None, "activity_regularizer": None, "kernel_constraint": None,
         "bias_constraint": None}
    if keras3:
        c.update({"use_gate": False, "sliding_window": None, "seed": None})
    else:
        c["kernel_initializer"] = {"class_name": "GlorotUniform", "config": {"seed": None}}
        c["bias_initializer"] = {"class_name": "Zeros", "config": {}}
    return c


MHA_PARTS = ("query", "key", "value", "attention_output")


def keras3_mha():
    """MultiHeadAttention as Keras 3 records it: cross-attention called by keyword (query=, value=, key=) with
    use_causal_mask and return_attention_scores, self-attention called positionally with an attention_mask input; its
    weights under the EinsumDense properties' groups (key_dense, output_dense, query_dense, value_dense, sorted as Keras'
    saving walks them, and the empty _dropout_layer and _softmax); numpy's outputs of Keras' formula."""
    g = np.random.default_rng(20261207)
    f32 = lambda *shape: g.normal(0, 0.5, shape).astype(np.float32)
    q, v, k = f32(2, 3, 4), f32(2, 4, 3), f32(2, 4, 5)
    am = np.array([[[1, 0, 1], [1, 1, 0], [0, 1, 1]], [[1, 1, 1], [0, 1, 0], [1, 0, 1]]], dtype=np.float32)
    w_cross = mha_weights(f32, 4, 5, 3, 2, 3, 2, 6)
    w_self = mha_weights(f32, 4, 4, 4, 3, 2, 2, 4)
    y0, y1 = mha_numpy(q, v, k, w_cross, 2, 3, 2, causal=True)
    y2, _ = mha_numpy(q, q, q, w_self, 3, 2, 2, attn=am)

    def tensor(shape, src):
        return k3_tensor([None] + list(shape), [src, 0, 0])

    inputs = [("query_seq", (3, 4)), ("value_seq", (4, 3)), ("key_seq", (4, 5)), ("pairs", (3, 3))]
    layers = [{"module": "keras.layers", "class_name": "InputLayer", "registered_name": None, "name": n,
               "config": {"batch_shape": [None] + list(s), "dtype": "float32", "sparse": False, "name": n},
               "inbound_nodes": []} for n, s in inputs]
    qt, vt, kt, at = (tensor(s, n) for n, s in inputs)
    cross = k3_layer("MultiHeadAttention", "cross", mha_config(2, 3, 2, [6]))
    cross["name"] = "cross"
    cross["inbound_nodes"] = [{"args": [], "kwargs": {"query": qt, "value": vt, "key": kt, "use_causal_mask": True,
                                                      "return_attention_scores": True}}]
    self_att = k3_layer("MultiHeadAttention", "self", mha_config(3, 2, 2, None))
    self_att["name"] = "self"
    self_att["inbound_nodes"] = [{"args": [qt, qt], "kwargs": {"attention_mask": at}}]
    layers += [cross, self_att]
    config = {"module": "keras.src.models.functional", "class_name": "Functional", "registered_name": "Functional",
              "config": {"name": "functional", "trainable": True, "layers": layers,
                         "input_layers": [[n, 0, 0] for n, _ in inputs],
                         "output_layers": [["cross", 0, 0], ["cross", 0, 1], ["self", 0, 0]]},
              "build_config": {"input_shape": None}}
    groups = []
    for stem, ws in (("multi_head_attention", w_cross), ("multi_head_attention_1", w_self)):
        for i, sub in enumerate(("query_dense", "key_dense", "value_dense", "output_dense")):
            groups.append((stem + "/" + sub, ws[2 * i:2 * i + 2]))
        groups += [(stem + "/_dropout_layer", []), (stem + "/_softmax", [])]
    groups.sort(key=lambda p: p[0])   # Keras writes the groups in its walk's order; jrnn must not depend on it
    legacy = [(n, []) for n, _ in inputs]
    for name, ws in (("cross", w_cross), ("self", w_self)):
        legacy.append((name, [(name + "/" + part + "/" + kind, ws[2 * i + j])
                              for i, part in enumerate(MHA_PARTS) for j, kind in enumerate(("kernel", "bias"))]))
    write_keras3("keras3_mha", config, groups, legacy)
    for name, a in (("q", q), ("v", v), ("k", k), ("am", am), ("y0", y0), ("y1", y1), ("y2", y2)):
        np.save(os.path.join(OUT, "keras3_mha_" + name + ".npy"), a.astype(np.float32))


def tfkeras_mha():
    """tf.keras 2's MultiHeadAttention in a full-model HDF5: the value as a call kwarg of the query's node
    ([["q", 0, 0, {"value": ["v", 0, 0], ...}]]), value_dim and output_shape None, weights query/key/value/attention_output
    with ':0' names; numpy's output of Keras' formula."""
    g = np.random.default_rng(20261208)
    f32 = lambda *shape: g.normal(0, 0.5, shape).astype(np.float32)
    q, v = f32(2, 3, 4), f32(2, 5, 3)
    ws = mha_weights(f32, 4, 3, 3, 2, 3, 3, 4)
    y, _ = mha_numpy(q, v, v, ws, 2, 3, 3)
    spec = {"class_name": "MultiHeadAttention", "config": dict(mha_config(2, 3, None, None, keras3=False),
                                                                name="mha", trainable=True, dtype="float32")}
    mha = dict(spec, name="mha", inbound_nodes=[[["q", 0, 0, {"value": ["v", 0, 0], "return_attention_scores": False,
                                                                  "training": None, "use_causal_mask": False}]]])
    config = {"class_name": "Functional", "config": {"name": "model", "layers": [
        input_layer("q", [None, 3, 4]), input_layer("v", [None, 5, 3]), mha],
        "input_layers": [["q", 0, 0], ["v", 0, 0]], "output_layers": [["mha", 0, 0]]}}
    weights = [(f"mha/{part}/{kind}:0", ws[2 * i + j]) for i, part in enumerate(MHA_PARTS) for j, kind in enumerate(("kernel", "bias"))]
    write_h5(os.path.join(OUT, "tfkeras_mha.h5"), config, [("q", []), ("v", []), ("mha", weights)], "2.15.0")
    for name, a in (("q", q), ("v", v), ("y", y)):
        np.save(os.path.join(OUT, "tfkeras_mha_" + name + ".npy"), a.astype(np.float32))

def keras3_mha_302():
    """keras3_mha.keras as Keras 3.0.0-3.0.2 would have written it: MultiHeadAttention's weight groups under their
    attribute names (_query_dense, ...: the properties came in 3.0.3), and a config without the keys later versions added
    (use_gate, sliding_window, seed); attention_axes [1] as a built layer writes it. Same weights, same outputs."""
    with zipfile.ZipFile(os.path.join(OUT, "keras3_mha.keras")) as z:
        config = json.loads(z.read("config.json"))
        weights = z.read("model.weights.h5")
    for layer in config["config"]["layers"]:
        if layer["class_name"] == "MultiHeadAttention":
            for key in ("use_gate", "sliding_window", "seed"):
                layer["config"].pop(key, None)
            layer["config"]["attention_axes"] = [1]
    src, wbuf = h5py.File(io.BytesIO(weights), "r"), io.BytesIO()
    with h5py.File(wbuf, "w") as f:
        f.create_group("vars")
        for stem in src["layers"]:
            for sub in src["layers"][stem]:
                g = f.require_group("layers/" + stem + "/" + ("_" + sub if sub.endswith("_dense") else sub) + "/vars")
                for i, a in src["layers"][stem][sub]["vars"].items():
                    g.create_dataset(i, data=a[()])
    meta = {"keras_version": "3.0.2", "date_saved": "2026-12-05@12:00:00"}
    with zipfile.ZipFile(os.path.join(OUT, "keras3_mha_302.keras"), "w", zipfile.ZIP_STORED) as z:
        for name, data in (("metadata.json", json.dumps(meta).encode()), ("config.json", json.dumps(config).encode()),
                           ("model.weights.h5", wbuf.getvalue())):
            z.writestr(zipfile.ZipInfo(name, date_time=(2026, 12, 5, 12, 0, 0)), data)



# ------------------------------------------------------------ F: a model used as a layer of another (nested models)
# Layouts, by Keras' sources (keras-team/keras): config - Sequential.get_config (its layers, the InputLayer included) and
# Functional.get_config, whose node indices of a nested Functional count from 1 ("Functional models start with a
# pre-existing node", kept_nodes = 1; a Keras 3 Sequential is no Functional: from 0); tf.keras 2's get_network_config
# skips the first node of a Functional and of a Sequential built on an InputLayer (_should_skip_first_node).
# Keras 3 weights - saving_lib._save_state / _save_container_state (v3.3.3): a Sequential's or Functional's
# `layers` first, each group its class in snake case numbered per list, so a nested model's layers lie below
# layers/<sequential|functional>/layers/...; H5Entry makes <path>/vars for every layer, the nested model's own (empty)
# included. Legacy HDF5 (Keras 3 legacy_h5_format.save_weights_to_hdf5_group, tf.keras 2 hdf5_format likewise): one
# group per layer of the outer model; a nested model's group lists _legacy_weights(model) = trainable_weights +
# non_trainable_weights: every trainable array of its layers depth first, then every other one (moving statistics, a
# frozen layer's weights), each named by its variable's path (the inner layer's name first).
def simple_rnn_np(x, k, r, b):
    h = np.zeros((x.shape[0], r.shape[0]))
    for t in range(x.shape[1]):
        h = np.tanh(x[:, t, :] @ k + h @ r + b)
    return h


def nested_sequential():
    """encoder = Sequential([Input((5, 3)), SimpleRNN(4), Dense(3, tanh, trainable=False), BatchNormalization()]);
    Sequential([encoder, Dense(2)]) compiled with Adam / mse; as Keras 3 .keras and legacy .h5 and tf.keras 2 .h5."""
    g = np.random.default_rng(20261210)
    f32 = lambda *shape: g.normal(0, 0.5, shape).astype(np.float32)
    rnn = [f32(3, 4), f32(4, 4), f32(4)]
    enc_dense = [f32(4, 3), f32(3)]
    bn = [g.uniform(0.5, 1.5, 3).astype(np.float32), f32(3), f32(3), g.uniform(0.3, 2.0, 3).astype(np.float32)]
    head = [f32(3, 2), f32(2)]
    x = g.normal(0, 1, (2, 5, 3)).astype(np.float32)
    d = lambda a: a.astype(np.float64)
    h = simple_rnn_np(d(x), *map(d, rnn))
    h = np.tanh(h @ d(enc_dense[0]) + d(enc_dense[1]))
    h = (h - d(bn[2])) / np.sqrt(d(bn[3]) + 1e-3) * d(bn[0]) + d(bn[1])
    y = h @ d(head[0]) + d(head[1])
    np.save(os.path.join(OUT, "nested_sequential_x.npy"), x)
    np.save(os.path.join(OUT, "nested_sequential_y.npy"), y.astype(np.float32))

    # Keras 3
    def init(cls, **cfg):
        return {"module": "keras.initializers", "class_name": cls, "config": cfg, "registered_name": None}
    bn_cfg = {"axis": -1, "momentum": 0.99, "epsilon": 0.001, "center": True, "scale": True,
              "beta_initializer": init("Zeros"), "gamma_initializer": init("Ones"),
              "moving_mean_initializer": init("Zeros"), "moving_variance_initializer": init("Ones"),
              "beta_regularizer": None, "gamma_regularizer": None, "beta_constraint": None, "gamma_constraint": None,
              "synchronized": False}
    frozen = k3_layer("Dense", "enc_dense", k3_dense(3, "tanh"))
    frozen["config"]["trainable"] = False
    encoder = {"module": "keras", "class_name": "Sequential", "registered_name": None,
               "config": {"name": "encoder", "trainable": True, "dtype": "float32", "layers": [
                   {"module": "keras.layers", "class_name": "InputLayer", "registered_name": None,
                    "config": {"batch_shape": [None, 5, 3], "dtype": "float32", "sparse": False, "name": "enc_input"}},
                   k3_layer("SimpleRNN", "enc_rnn", k3_rnn("SimpleRNN", "enc_rnn", 4)),
                   frozen,
                   k3_layer("BatchNormalization", "enc_bn", bn_cfg)]},
               "build_config": {"input_shape": [None, 5, 3]}}
    config = {"module": "keras", "class_name": "Sequential", "registered_name": None,
              "config": {"name": "classifier", "trainable": True, "dtype": "float32", "layers": [
                  {"module": "keras.layers", "class_name": "InputLayer", "registered_name": None,
                   "config": {"batch_shape": [None, 5, 3], "dtype": "float32", "sparse": False, "name": "input_layer"}},
                  encoder, k3_layer("Dense", "head", k3_dense(2, "linear"))], "build_input_shape": [None, 5, 3]},
              "build_config": {"input_shape": [None, 5, 3]},
              "compile_config": {"optimizer": {"module": "keras.optimizers", "class_name": "Adam", "registered_name": None,
                                               "config": {"name": "adam", "learning_rate": 0.01, "weight_decay": None,
                                                          "clipnorm": None, "global_clipnorm": None, "clipvalue": None,
                                                          "use_ema": False, "ema_momentum": 0.99,
                                                          "ema_overwrite_frequency": None, "loss_scale_factor": None,
                                                          "gradient_accumulation_steps": None, "beta_1": 0.9,
                                                          "beta_2": 0.999, "epsilon": 1e-07, "amsgrad": False}},
                                 "loss": "mean_squared_error", "loss_weights": None, "metrics": None,
                                 "weighted_metrics": None, "run_eagerly": False, "steps_per_execution": 1,
                                 "jit_compile": False}}
    # legacy: the encoder's group holds its trainable arrays (rnn, bn gamma/beta), then the others (the frozen dense,
    # the bn moving statistics): not the layers' order
    enc_legacy = (named("enc_rnn/simple_rnn_cell", list(zip(("kernel", "recurrent_kernel", "bias"), rnn)), "")
                  + named("enc_bn", [("gamma", bn[0]), ("beta", bn[1])], "")
                  + named("enc_dense", [("kernel", enc_dense[0]), ("bias", enc_dense[1])], "")
                  + named("enc_bn", [("moving_mean", bn[2]), ("moving_variance", bn[3])], ""))
    write_keras3("nested_sequential", config, [
        ("sequential", []), ("sequential/layers/simple_rnn", []), ("sequential/layers/simple_rnn/cell", rnn),
        ("sequential/layers/dense", enc_dense), ("sequential/layers/batch_normalization", bn), ("dense", head)],
        [("encoder", enc_legacy), ("head", named("head", [("kernel", head[0]), ("bias", head[1])], ""))])

    # tf.keras 2: Sequential configs without "module", weight names with ":0"
    bn2 = simple_cfg("BatchNormalization", "enc_bn", axis=[1], momentum=0.99, epsilon=0.001, center=True, scale=True,
                     beta_initializer={"class_name": "Zeros", "config": {}},
                     gamma_initializer={"class_name": "Ones", "config": {}},
                     moving_mean_initializer={"class_name": "Zeros", "config": {}},
                     moving_variance_initializer={"class_name": "Ones", "config": {}},
                     beta_regularizer=None, gamma_regularizer=None, beta_constraint=None, gamma_constraint=None)
    dense2 = dense_cfg("enc_dense", 3, "tanh")
    dense2["config"]["trainable"] = False
    enc2 = {"class_name": "Sequential", "config": {"name": "encoder", "layers": [
        {"class_name": "InputLayer", "config": {"batch_input_shape": [None, 5, 3], "dtype": "float32", "sparse": False,
                                                "ragged": False, "name": "enc_input"}},
        rnn_cfg("SimpleRNN", "enc_rnn", 4), dense2, bn2]}}
    cfg2 = {"class_name": "Sequential", "config": {"name": "classifier", "layers": [
        {"class_name": "InputLayer", "config": {"batch_input_shape": [None, 5, 3], "dtype": "float32", "sparse": False,
                                                "ragged": False, "name": "enc_input_input"}},
        enc2, dense_cfg("head", 2)]}}
    training = {"loss": "mse", "metrics": None, "loss_weights": None, "weighted_metrics": None,
                "optimizer_config": {"class_name": "Adam", "config": {"name": "Adam", "learning_rate": 0.01,
                                     "decay": 0.0, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-07, "amsgrad": False}}}
    write_h5(os.path.join(OUT, "tfkeras_nested_sequential.h5"), cfg2, [
        ("encoder", [(n + ":0", a) for n, a in enc_legacy]), ("head", named("head", [("kernel", head[0]), ("bias", head[1])]))],
        "2.15.0", training)
    # broken: the encoder's group lacks its last array (the moving variance)
    write_h5(os.path.join(OUT, "bad", "nested_short.h5"), cfg2, [
        ("encoder", [(n + ":0", a) for n, a in enc_legacy][:-1]),
        ("head", named("head", [("kernel", head[0]), ("bias", head[1])]))], "2.15.0", training)


def nested_functional():
    """Functional: two inputs through one nested Sequential encoder (called twice: shared weights), concatenated, into a
    nested Functional head that holds a nested Sequential (a model in a model in a model); Keras 3 and tf.keras 2."""
    g = np.random.default_rng(20261211)
    f32 = lambda *shape: g.normal(0, 0.5, shape).astype(np.float32)
    rnn, enc = [f32(3, 4), f32(4, 4), f32(4)], [f32(4, 3), f32(3)]
    hidden, proj = [f32(6, 4), f32(4)], [f32(4, 2), f32(2)]
    a, b = g.normal(0, 1, (2, 5, 3)).astype(np.float32), g.normal(0, 1, (2, 5, 3)).astype(np.float32)
    d = lambda v: v.astype(np.float64)
    encode = lambda x: np.tanh(simple_rnn_np(d(x), *map(d, rnn)) @ d(enc[0]) + d(enc[1]))
    h = np.concatenate([encode(a), encode(b)], -1)
    y = np.maximum(h @ d(hidden[0]) + d(hidden[1]), 0) @ d(proj[0]) + d(proj[1])
    for n, v in (("a", a), ("b", b), ("y", y)):
        np.save(os.path.join(OUT, "nested_functional_" + n + ".npy"), v.astype(np.float32))

    # Keras 3
    def k3_input(name, shape):
        return {"module": "keras.layers", "class_name": "InputLayer", "registered_name": None, "name": name,
                "config": {"batch_shape": [None] + shape, "dtype": "float32", "sparse": False, "name": name},
                "inbound_nodes": []}

    def call(spec, name, *calls):   # a layer entry of a Functional config with its calls' keras tensors
        d = dict(spec, name=name)
        d["inbound_nodes"] = [{"args": list(c), "kwargs": {}} for c in calls]
        return d

    def seq_in(name, shape):
        return {"module": "keras.layers", "class_name": "InputLayer", "registered_name": None,
                "config": {"batch_shape": [None] + shape, "dtype": "float32", "sparse": False, "name": name}}
    encoder = {"module": "keras", "class_name": "Sequential", "registered_name": None,
               "config": {"name": "encoder", "trainable": True, "dtype": "float32", "layers": [
                   seq_in("enc_input", [5, 3]), k3_layer("SimpleRNN", "enc_rnn", k3_rnn("SimpleRNN", "enc_rnn", 4)),
                   k3_layer("Dense", "enc_dense", k3_dense(3, "tanh"))]},
               "build_config": {"input_shape": [None, 5, 3]}}
    projector = {"module": "keras", "class_name": "Sequential", "registered_name": None,
                 "config": {"name": "projector", "trainable": True, "dtype": "float32", "layers": [
                     seq_in("proj_input", [4]), k3_layer("Dense", "proj_out", k3_dense(2, "linear"))]},
                 "build_config": {"input_shape": [None, 4]}}
    head = {"module": "keras.src.models.functional", "class_name": "Functional", "registered_name": "Functional",
            "config": {"name": "head", "trainable": True, "layers": [
                k3_input("head_input", [6]),
                k3_layer("Dense", "head_hidden", k3_dense(4, "relu"), [k3_tensor([None, 6], ["head_input", 0, 0])]),
                call(projector, "projector", [k3_tensor([None, 4], ["head_hidden", 0, 0])])],
                "input_layers": [["head_input", 0, 0]], "output_layers": [["projector", 0, 0]]},
            "build_config": {"input_shape": [None, 6]}}
    layers = [
        k3_input("in_a", [5, 3]), k3_input("in_b", [5, 3]),
        call(encoder, "encoder", [k3_tensor([None, 5, 3], ["in_a", 0, 0])], [k3_tensor([None, 5, 3], ["in_b", 0, 0])]),
        k3_layer("Concatenate", "cat", {"axis": -1},
                 [[k3_tensor([None, 3], ["encoder", 0, 0]), k3_tensor([None, 3], ["encoder", 1, 0])]]),
        call(head, "head", [k3_tensor([None, 6], ["cat", 0, 0])]),
    ]
    config = {"module": "keras.src.models.functional", "class_name": "Functional", "registered_name": "Functional",
              "config": {"name": "siamese", "trainable": True, "layers": layers,
                         "input_layers": [["in_a", 0, 0], ["in_b", 0, 0]], "output_layers": [["head", 1, 0]]},
              "build_config": {"input_shape": None}}
    enc_legacy = (named("enc_rnn/simple_rnn_cell", list(zip(("kernel", "recurrent_kernel", "bias"), rnn)), "")
                  + named("enc_dense", [("kernel", enc[0]), ("bias", enc[1])], ""))
    head_legacy = (named("head_hidden", [("kernel", hidden[0]), ("bias", hidden[1])], "")
                   + named("proj_out", [("kernel", proj[0]), ("bias", proj[1])], ""))
    write_keras3("nested_functional", config, [
        ("input_layer", []), ("input_layer_1", []), ("sequential", []), ("sequential/layers/simple_rnn", []),
        ("sequential/layers/simple_rnn/cell", rnn), ("sequential/layers/dense", enc), ("concatenate", []),
        ("functional", []), ("functional/layers/input_layer", []), ("functional/layers/dense", hidden),
        ("functional/layers/sequential", []), ("functional/layers/sequential/layers/dense", proj)],
        [("in_a", []), ("in_b", []), ("encoder", enc_legacy), ("cat", []), ("head", head_legacy)])

    # tf.keras 2: a nested Sequential built on an InputLayer and a nested Functional count their calls from node 1
    enc2 = {"class_name": "Sequential", "config": {"name": "encoder", "layers": [
        {"class_name": "InputLayer", "config": {"batch_input_shape": [None, 5, 3], "dtype": "float32", "sparse": False,
                                                "ragged": False, "name": "enc_input"}},
        rnn_cfg("SimpleRNN", "enc_rnn", 4), dense_cfg("enc_dense", 3, "tanh")]}}
    proj2 = {"class_name": "Sequential", "config": {"name": "projector", "layers": [
        {"class_name": "InputLayer", "config": {"batch_input_shape": [None, 4], "dtype": "float32", "sparse": False,
                                                "ragged": False, "name": "proj_input"}},
        dense_cfg("proj_out", 2)]}}
    head2 = {"class_name": "Functional", "config": {"name": "head", "layers": [
        input_layer("head_input", [None, 6]),
        node(dense_cfg("head_hidden", 4, "relu"), "head_hidden", [[("head_input", 0, 0)]]),
        node(proj2, "projector", [[("head_hidden", 0, 0)]])],
        "input_layers": [["head_input", 0, 0]], "output_layers": [["projector", 1, 0]]}}
    cfg2 = {"class_name": "Functional", "config": {"name": "siamese", "layers": [
        input_layer("in_a", [None, 5, 3]), input_layer("in_b", [None, 5, 3]),
        node(enc2, "encoder", [[("in_a", 0, 0)], [("in_b", 0, 0)]]),
        node(simple_cfg("Concatenate", "cat", axis=-1), "cat", [[("encoder", 1, 0), ("encoder", 2, 0)]]),
        node(head2, "head", [[("cat", 0, 0)]])],
        "input_layers": [["in_a", 0, 0], ["in_b", 0, 0]], "output_layers": [["head", 1, 0]]}}
    write_h5(os.path.join(OUT, "tfkeras_nested_functional.h5"), cfg2, [
        ("in_a", []), ("in_b", []), ("encoder", [(n + ":0", v) for n, v in enc_legacy]), ("cat", []),
        ("head", [(n + ":0", v) for n, v in head_legacy])], "2.15.0")

    # Keras 2.2: Sequential.get_config lists no InputLayer (the first layer has batch_input_shape), and every nested
    # Network's calls count from node 1 (network.py get_config: issubclass(layer.__class__, Network) -> kept_nodes = 1)
    rnn22 = rnn_cfg("SimpleRNN", "enc_rnn", 4, batch_input_shape=[None, 5, 3])
    enc22 = {"class_name": "Sequential", "config": {"name": "encoder", "layers": [rnn22, dense_cfg("enc_dense", 3, "tanh")]}}
    proj22 = {"class_name": "Sequential", "config": {"name": "projector", "layers": [
        dict(dense_cfg("proj_out", 2), config=dict(dense_cfg("proj_out", 2)["config"], batch_input_shape=[None, 4]))]}}
    head22 = {"class_name": "Model", "config": dict(head2["config"], layers=[
        input_layer("head_input", [None, 6]),
        node(dense_cfg("head_hidden", 4, "relu"), "head_hidden", [[("head_input", 0, 0)]]),
        node(proj22, "projector", [[("head_hidden", 0, 0)]])])}
    cfg22 = {"class_name": "Model", "config": dict(cfg2["config"], layers=[
        input_layer("in_a", [None, 5, 3]), input_layer("in_b", [None, 5, 3]),
        node(enc22, "encoder", [[("in_a", 0, 0)], [("in_b", 0, 0)]]),
        node(simple_cfg("Concatenate", "cat", axis=-1), "cat", [[("encoder", 1, 0), ("encoder", 2, 0)]]),
        node(head22, "head", [[("cat", 0, 0)]])])}
    write_h5(os.path.join(OUT, "keras22_nested_functional.h5"), cfg22, [
        ("in_a", []), ("in_b", []),   # Keras 2.2's SimpleRNN names its weights without the cell's scope
        ("encoder", named("enc_rnn", list(zip(("kernel", "recurrent_kernel", "bias"), rnn)))
         + named("enc_dense", [("kernel", enc[0]), ("bias", enc[1])])), ("cat", []),
        ("head", [(n + ":0", v) for n, v in head_legacy])], "2.2.4")


# ------------------------------------------- G: Keras 3's preprocessing Normalization, adapted, then inverted at the end
def keras3_normalization():
    """Normalization as Keras 3 writes it (normalization.py get_config: axis as the tuple [-1], invert, mean and
    variance None when adapted; vars/0..2 = mean, variance, count, count an int64 scalar that adapt leaves 0), before a
    Dense on each step, and an inverting one after it; numpy's outputs (x - mean) / max(sqrt(var), 1e-7) and
    mean + x * max(sqrt(var), 1e-7) for a fixed input are the reference."""
    g = np.random.default_rng(20261207)
    m1, v1 = g.normal(3, 2, 3).astype(np.float32), g.uniform(0.5, 4.0, 3).astype(np.float32)
    kd, bd = g.normal(0, 0.5, (3, 2)).astype(np.float32), g.normal(0, 0.5, 2).astype(np.float32)
    m2, v2 = g.normal(-1, 1, 2).astype(np.float32), g.uniform(0.5, 4.0, 2).astype(np.float32)
    x = g.normal(3, 2, (2, 6, 3)).astype(np.float32)
    d = lambda a: a.astype(np.float64)
    h = (d(x) - d(m1)) / np.maximum(np.sqrt(d(v1)), 1e-7)
    h = h @ d(kd) + d(bd)
    y = d(m2) + h * np.maximum(np.sqrt(d(v2)), 1e-7)
    count = np.int64(0)

    def norm(name, invert):
        return k3_layer("Normalization", name, {"axis": [-1], "invert": invert, "mean": None, "variance": None})
    layers = [
        {"module": "keras.layers", "class_name": "InputLayer", "registered_name": None,
         "config": {"batch_shape": [None, 6, 3], "dtype": "float32", "sparse": False, "name": "input_layer"}},
        norm("normalization", False),
        k3_layer("Dense", "dense", k3_dense(2, "linear")),
        norm("normalization_1", True),
    ]
    config = {"module": "keras", "class_name": "Sequential", "registered_name": None,
              "config": {"name": "sequential", "trainable": True, "layers": layers}, "build_config": {"input_shape": [None, 6, 3]}}
    stats = ["mean", "variance", "count"]
    write_keras3("keras3_normalization", config,
                 [("normalization", [m1, v1, count]), ("dense", [kd, bd]), ("normalization_1", [m2, v2, count])],
                 [("normalization", named("normalization", list(zip(stats, [m1, v1, count])), "")),
                  ("dense", named("dense", [("kernel", kd), ("bias", bd)], "")),
                  ("normalization_1", named("normalization_1", list(zip(stats, [m2, v2, count])), ""))])
    np.save(os.path.join(OUT, "keras3_normalization_x.npy"), x)
    np.save(os.path.join(OUT, "keras3_normalization_y.npy"), y.astype(np.float32))


# ------------------------------- H: Keras' generic RNN over built-in cells: RNN(LSTMCell), RNN(StackedRNNCells([...]))
# Layouts, by Keras' sources: rnn.py get_config (the RNN's options and "cell": the serialized cell; tf.keras 2 writes
# time_major too), stacked_rnn_cells.py get_config ({"cells": [...]}), the cells' get_config (a layer's options less
# the RNN's). Keras 3 weights: saving_lib walks the RNN's attribute `cell` (rnn/cell/vars), and a StackedRNNCells'
# list `cells` as a container whose entries are named by class in snake case, numbered (rnn_1/cell/cells/gru_cell,
# .../simple_rnn_cell). Legacy HDF5: the RNN's one group lists its cells' arrays, cell after cell.
def sig(v):
    return 1.0 / (1.0 + np.exp(-v))


def lstm_step(x, s, k, r, b):
    h, c = s
    z = x @ k + h @ r + b
    u = h.shape[1]
    i, f, g, o = sig(z[:, :u]), sig(z[:, u:2 * u]), np.tanh(z[:, 2 * u:3 * u]), sig(z[:, 3 * u:])
    c = f * c + i * g
    return [o * np.tanh(c), c]


def gru_step(x, s, k, r, b):   # reset_after=True: bias (2, 3u), input and recurrent
    h = s[0]
    u = h.shape[1]
    xz, hz = x @ k + b[0], h @ r + b[1]
    z, rr = sig(xz[:, :u] + hz[:, :u]), sig(xz[:, u:2 * u] + hz[:, u:2 * u])
    hh = np.tanh(xz[:, 2 * u:] + rr * hz[:, 2 * u:])
    return [z * h + (1 - z) * hh]


def simple_step(x, s, k, r, b):
    return [np.tanh(x @ k + s[0] @ r + b)]


def run_cells(x, mask, cells):
    """Keras' loop over steps for stacked cells [(step, weights, state sizes)]: at a masked step every state and the
    output stay as they were (zero_output_for_mask=False). Returns the outputs per step and the final states."""
    n = x.shape[0]
    states = [[np.zeros((n, u)) for u in sizes] for _, _, sizes in cells]
    out = np.zeros((n, cells[-1][2][0]))
    outs = []
    for t in range(x.shape[1]):
        v = x[:, t, :]
        new = []
        for (step, ws, _), s in zip(cells, states):
            s2 = step(v, s, *ws)
            new.append(s2)
            v = s2[0]
        m = mask[:, t:t + 1]
        states = [[np.where(m, a, b) for a, b in zip(s2, s)] for s2, s in zip(new, states)]
        out = np.where(m, v, out)
        outs.append(out)
    return np.stack(outs, 1), states


def rnn_cells():
    """A: Keras 3 functional: Masking -> RNN(LSTMCell(4), return_sequences) -> RNN([GRUCell(3), SimpleRNNCell(2)],
    return_state) -> Dense(1) on its output; outputs the Dense and both cells' states. B: Sequential: RNN(StackedRNNCells(
    [LSTMCell(4), LSTMCell(3)]), return_sequences) -> Bidirectional(RNN(GRUCell(2))) -> Dense(1), as Keras 3 .keras and
    tf.keras 2 .h5. Expected outputs from numpy in float64 (run_cells), not from the layers jrnn builds."""
    g = np.random.default_rng(20261216)
    f32 = lambda *shape: g.normal(0, 0.5, shape).astype(np.float32)
    d = lambda a: a.astype(np.float64)
    lstm, gru, srnn = [f32(3, 16), f32(4, 16), f32(16)], [f32(4, 9), f32(3, 9), f32(2, 9)], [f32(3, 2), f32(2, 2), f32(2)]
    head = [f32(2, 1), f32(1)]
    x = g.normal(0, 1, (2, 6, 3)).astype(np.float32)
    x[0, 2, :] = 0.0   # masked in the middle
    x[1, 4:, :] = 0.0   # padding at the end
    mask = np.any(x != 0.0, -1)
    seq, _ = run_cells(d(x), mask, [(lstm_step, list(map(d, lstm)), (4, 4))])
    top, st = run_cells(seq, mask, [(gru_step, list(map(d, gru)), (3,)), (simple_step, list(map(d, srnn)), (2,))])
    y = top[:, -1, :] @ d(head[0]) + d(head[1])
    for n, v in (("x", x), ("y", y), ("h_gru", st[0][0]), ("h_simple", st[1][0])):
        np.save(os.path.join(OUT, "rnn_cells_" + n + ".npy"), v.astype(np.float32))

    def cell(cls, name, units, input_dim, **kw):   # input_dim: the features the cell takes (its build_config)
        c = k3_rnn(cls, name, units)
        for k in ("return_sequences", "return_state", "go_backwards", "stateful", "unroll", "zero_output_for_mask",
                  "activity_regularizer"):
            c.pop(k, None)
        c.update(kw)
        c.update({"name": name, "trainable": True, "dtype": "float32"})
        return {"module": "keras.layers", "class_name": cls + "Cell", "config": c, "registered_name": None,
                "build_config": {"input_shape": [None, input_dim]}}

    def rnn(name, cell_spec, inbound, **kw):
        c = {"return_sequences": False, "return_state": False, "go_backwards": False, "stateful": False, "unroll": False,
             "zero_output_for_mask": False, "cell": cell_spec}
        c.update(kw)
        return k3_layer("RNN", name, c, inbound)

    stack = {"module": "keras.layers", "class_name": "StackedRNNCells", "registered_name": None,
             "config": {"name": "stacked_rnn_cells", "trainable": True, "dtype": "float32",
                        "cells": [cell("GRU", "gru_cell", 3, 4), cell("SimpleRNN", "simple_rnn_cell", 2, 3)]}}
    layers = [
        {"module": "keras.layers", "class_name": "InputLayer", "registered_name": None, "name": "input_layer",
         "config": {"batch_shape": [None, 6, 3], "dtype": "float32", "sparse": False, "name": "input_layer"},
         "inbound_nodes": []},
        k3_layer("Masking", "pad_mask", {"mask_value": 0.0}, [k3_tensor([None, 6, 3], ["input_layer", 0, 0])]),
        rnn("rnn", cell("LSTM", "lstm_cell", 4, 3), [k3_tensor([None, 6, 3], ["pad_mask", 0, 0])], return_sequences=True),
        rnn("rnn_1", stack, [k3_tensor([None, 6, 4], ["rnn", 0, 0])], return_state=True),
        k3_layer("Dense", "head", k3_dense(1, "linear"), [k3_tensor([None, 2], ["rnn_1", 0, 0])]),
    ]
    config = {"module": "keras.src.models.functional", "class_name": "Functional", "registered_name": "Functional",
              "config": {"name": "cells", "trainable": True, "layers": layers, "input_layers": [["input_layer", 0, 0]],
                         "output_layers": [["head", 0, 0], ["rnn_1", 0, 1], ["rnn_1", 0, 2]]},
              "build_config": {"input_shape": None}}
    write_keras3("rnn_cells", config, [
        ("input_layer", []), ("masking", []), ("rnn/cell", lstm), ("rnn_1/cell/cells/gru_cell", gru),
        ("rnn_1/cell/cells/simple_rnn_cell", srnn), ("dense", head)],
        [("input_layer", []), ("pad_mask", []),
         ("rnn", named("rnn/lstm_cell", list(zip(("kernel", "recurrent_kernel", "bias"), lstm)), "")),
         ("rnn_1", named("rnn_1/stacked_rnn_cells/gru_cell", list(zip(("kernel", "recurrent_kernel", "bias"), gru)), "")
          + named("rnn_1/stacked_rnn_cells/simple_rnn_cell", list(zip(("kernel", "recurrent_kernel", "bias"), srnn)), "")),
         ("head", named("head", [("kernel", head[0]), ("bias", head[1])], ""))])

    # B: a Sequential of a stack returning sequences and a Bidirectional RNN over a GRUCell, unmasked
    l1, l2 = [f32(2, 16), f32(4, 16), f32(16)], [f32(4, 12), f32(3, 12), f32(12)]
    fw, bw = [f32(3, 6), f32(2, 6), f32(2, 6)], [f32(3, 6), f32(2, 6), f32(2, 6)]
    out = [f32(4, 1), f32(1)]
    xb = g.normal(0, 1, (3, 5, 2)).astype(np.float32)
    ones = np.ones((3, 5), bool)
    seq, _ = run_cells(d(xb), ones, [(lstm_step, list(map(d, l1)), (4, 4)), (lstm_step, list(map(d, l2)), (3, 3))])
    _, sf = run_cells(seq, ones, [(gru_step, list(map(d, fw)), (2,))])
    _, sb = run_cells(seq[:, ::-1, :], ones, [(gru_step, list(map(d, bw)), (2,))])
    yb = np.concatenate([sf[0][0], sb[0][0]], -1) @ d(out[0]) + d(out[1])
    np.save(os.path.join(OUT, "rnn_stack_x.npy"), xb)
    np.save(os.path.join(OUT, "rnn_stack_y.npy"), yb.astype(np.float32))
    stack_b = {"module": "keras.layers", "class_name": "StackedRNNCells", "registered_name": None,
               "config": {"name": "stacked_rnn_cells_1", "trainable": True, "dtype": "float32",
                          "cells": [cell("LSTM", "lstm_cell_1", 4, 2), cell("LSTM", "lstm_cell_2", 3, 4)]}}
    inner = {"module": "keras.layers", "class_name": "RNN", "registered_name": None,
             "config": {"name": "forward_rnn", "trainable": True, "dtype": "float32", "return_sequences": False,
                        "return_state": False, "go_backwards": False, "stateful": False, "unroll": False,
                        "zero_output_for_mask": False, "cell": cell("GRU", "gru_cell_1", 2, 3)}}
    seq_layers = [
        {"module": "keras.layers", "class_name": "InputLayer", "registered_name": None,
         "config": {"batch_shape": [None, 5, 2], "dtype": "float32", "sparse": False, "name": "input_layer"}},
        rnn("encoder", stack_b, None, return_sequences=True),
        k3_layer("Bidirectional", "both_ways", {"merge_mode": "concat", "layer": inner}),
        k3_layer("Dense", "out", k3_dense(1, "linear")),
    ]
    config = {"module": "keras", "class_name": "Sequential", "registered_name": None,
              "config": {"name": "stack", "trainable": True, "layers": seq_layers}, "build_config": {"input_shape": [None, 5, 2]}}
    write_keras3("rnn_stack", config, [
        ("rnn/cell/cells/lstm_cell", l1), ("rnn/cell/cells/lstm_cell_1", l2),
        ("bidirectional/forward_layer/cell", fw), ("bidirectional/backward_layer/cell", bw), ("dense", out)],
        [("encoder", named("encoder/stacked_rnn_cells_1/lstm_cell_1", list(zip(("kernel", "recurrent_kernel", "bias"), l1)), "")
          + named("encoder/stacked_rnn_cells_1/lstm_cell_2", list(zip(("kernel", "recurrent_kernel", "bias"), l2)), "")),
         ("both_ways", named("both_ways/forward_rnn/gru_cell_1", list(zip(("kernel", "recurrent_kernel", "bias"), fw)), "")
          + named("both_ways/backward_rnn/gru_cell_1", list(zip(("kernel", "recurrent_kernel", "bias"), bw)), "")),
         ("out", named("out", [("kernel", out[0]), ("bias", out[1])], ""))])

    # tf.keras 2.15: configs without "module", cells {"class_name", "config"}, time_major, implementation; ":0" names
    def cell2(cls, name, units):
        c = dict(rnn_cfg(cls, name, units)["config"])
        for k in ("return_sequences", "return_state", "go_backwards", "stateful", "unroll", "time_major",
                  "activity_regularizer"):
            c.pop(k)
        return {"class_name": cls + "Cell", "config": c}

    def rnn2(name, cell_spec, **kw):
        c = {"name": name, "trainable": True, "dtype": "float32", "return_sequences": False, "return_state": False,
             "go_backwards": False, "stateful": False, "unroll": False, "time_major": False, "cell": cell_spec}
        c.update(kw)
        return {"class_name": "RNN", "config": c}
    cfg2 = {"class_name": "Sequential", "config": {"name": "stack", "layers": [
        {"class_name": "InputLayer", "config": {"batch_input_shape": [None, 5, 2], "dtype": "float32", "sparse": False,
                                                "ragged": False, "name": "encoder_input"}},
        rnn2("encoder", {"class_name": "StackedRNNCells", "config": {"name": "stacked_rnn_cells_1", "trainable": True,
             "dtype": "float32", "cells": [cell2("LSTM", "lstm_cell_1", 4), cell2("LSTM", "lstm_cell_2", 3)]}},
             return_sequences=True),
        {"class_name": "Bidirectional", "config": {"name": "both_ways", "trainable": True, "dtype": "float32",
                                                   "merge_mode": "concat",
                                                   "layer": rnn2("forward_rnn", cell2("GRU", "gru_cell_1", 2))}},
        dense_cfg("out", 1)]}}
    kw3 = ("kernel", "recurrent_kernel", "bias")
    write_h5(os.path.join(OUT, "tfkeras_rnn_stack.h5"), cfg2, [
        ("encoder", named("encoder/stacked_rnn_cells_1/lstm_cell_1", list(zip(kw3, l1)))
         + named("encoder/stacked_rnn_cells_1/lstm_cell_2", list(zip(kw3, l2)))),
        ("both_ways", named("both_ways/forward_rnn/gru_cell_1", list(zip(kw3, fw)))
         + named("both_ways/backward_rnn/gru_cell_1", list(zip(kw3, bw)))),
        ("out", named("out", [("kernel", out[0]), ("bias", out[1])]))], "2.15.0")


def activation_layers_np(x, kd, bd, alpha3, alpha2):
    """numpy float64: Dense(5), ReLU(max 6, slope 0.1, threshold 0.5), LeakyReLU(0.2), ELU(1: Keras 3 saves no alpha),
    PReLU(shared_axes=[1]), Softmax(axis=1), Identity; and tf.keras 2's Dense(5), LeakyReLU(alpha 0.25), ELU(0.5),
    ReLU(max 2.5), PReLU(no shared axes), Softmax(-1)."""
    d = lambda a: a.astype(np.float64)
    h = d(x) @ d(kd) + d(bd)
    h = np.where(h > 0.5, np.minimum(h, 6.0), 0.1 * (h - 0.5))
    h = np.where(h > 0, h, 0.2 * h)
    h = np.where(h > 0, h, np.expm1(h))
    h = np.maximum(h, 0) - d(alpha3) * np.maximum(-h, 0)
    e = np.exp(h - h.max(axis=1, keepdims=True))
    y3 = e / e.sum(axis=1, keepdims=True)
    h = d(x) @ d(kd) + d(bd)
    h = np.where(h > 0, h, 0.25 * h)
    h = np.where(h > 0, h, 0.5 * np.expm1(h))
    h = np.minimum(np.maximum(h, 0), 2.5)
    h = np.maximum(h, 0) - d(alpha2) * np.maximum(-h, 0)
    e = np.exp(h - h.max(axis=-1, keepdims=True))
    return y3, e / e.sum(axis=-1, keepdims=True)


def activation_layers():
    """Keras' activation layers as Keras 3 (.keras, its legacy .h5, .weights.h5) and tf.keras 2 (.h5, alpha for
    LeakyReLU's slope) write them, a PReLU's alpha at layers/p_re_lu/vars/0 and as p_re_lu/alpha:0; numpy's outputs."""
    g = np.random.default_rng(20261205)
    kd, bd = g.normal(0, 0.8, (3, 5)).astype(np.float32), g.normal(0, 0.5, 5).astype(np.float32)
    alpha3 = g.normal(0, 0.5, (1, 5)).astype(np.float32)
    alpha2 = g.normal(0, 0.5, (4, 5)).astype(np.float32)
    x = g.normal(0, 1, (2, 4, 3)).astype(np.float32)
    y3, y2 = activation_layers_np(x, kd, bd, alpha3, alpha2)

    def init(cls, **cfg):
        return {"module": "keras.initializers", "class_name": cls, "config": cfg, "registered_name": None}
    dense = dict(k3_dense(5, "linear"), kernel_initializer=init("GlorotUniform", seed=None), bias_initializer=init("Zeros"))
    layers = [
        {"module": "keras.layers", "class_name": "InputLayer", "registered_name": None,
         "config": {"batch_shape": [None, 4, 3], "dtype": "float32", "sparse": False, "name": "input_layer"}},
        k3_layer("Dense", "dense", dense),
        k3_layer("ReLU", "re_lu", {"max_value": 6.0, "negative_slope": 0.1, "threshold": 0.5}),
        k3_layer("LeakyReLU", "leaky_re_lu", {"negative_slope": 0.2}),
        k3_layer("ELU", "elu", {}),   # Keras 3's ELU has no get_config of its own: its alpha is not saved
        k3_layer("PReLU", "p_re_lu", {"alpha_initializer": init("Zeros"), "alpha_regularizer": None,
                                      "alpha_constraint": None, "shared_axes": [1]}),
        k3_layer("Softmax", "softmax", {"axis": 1}),
        k3_layer("Identity", "identity", {}),
    ]
    config = {"module": "keras", "class_name": "Sequential", "registered_name": None,
              "config": {"name": "sequential", "trainable": True, "layers": layers}, "build_config": {"input_shape": [None, 4, 3]}}
    write_keras3("keras3_activation_layers", config,
                 [("dense", [kd, bd]), ("re_lu", []), ("leaky_re_lu", []), ("elu", []), ("p_re_lu", [alpha3]),
                  ("softmax", []), ("identity", [])],
                 [("dense", named("dense", [("kernel", kd), ("bias", bd)], "")), ("re_lu", []), ("leaky_re_lu", []),
                  ("elu", []), ("p_re_lu", named("p_re_lu", [("alpha", alpha3)], "")), ("softmax", []), ("identity", [])])
    k2 = lambda cls, name, **kw: simple_cfg(cls, name, **kw)
    cfg2 = {"class_name": "Sequential", "config": {"name": "sequential", "layers": [
        {"class_name": "InputLayer", "config": {"batch_input_shape": [None, 4, 3], "dtype": "float32", "sparse": False,
                                                 "ragged": False, "name": "input_1"}},
        dense_cfg("dense", 5),
        k2("LeakyReLU", "leaky_re_lu", alpha=0.25),
        k2("ELU", "elu", alpha=0.5),
        k2("ReLU", "re_lu", max_value=2.5, negative_slope=0.0, threshold=0.0),
        k2("PReLU", "p_re_lu", alpha_initializer={"class_name": "Zeros", "config": {}}, alpha_regularizer=None,
           alpha_constraint=None, shared_axes=None),
        k2("Softmax", "softmax", axis=-1)]}}
    write_h5(os.path.join(OUT, "tfkeras_activation_layers.h5"), cfg2, [
        ("dense", named("dense", [("kernel", kd), ("bias", bd)])), ("leaky_re_lu", []), ("elu", []), ("re_lu", []),
        ("p_re_lu", named("p_re_lu", [("alpha", alpha2)])), ("softmax", [])], "2.15.0")
    np.save(os.path.join(OUT, "activation_layers_x.npy"), x)
    np.save(os.path.join(OUT, "keras3_activation_layers_y.npy"), y3.astype(np.float32))
    np.save(os.path.join(OUT, "tfkeras_activation_layers_y.npy"), y2.astype(np.float32))


# Keras 3 functional entries of mask computations (keras3_mask_ops, keras3_concat_masks)
def k3m_tensor(shape, history, dtype="float32"):
    t = k3_tensor(shape, history)
    t["config"]["dtype"] = dtype
    return t

def k3m_op(cls, name, config, args, kwargs=None):
    return {"module": "keras.src.ops.numpy", "class_name": cls, "config": dict(config, name=name),
            "registered_name": cls, "name": name, "inbound_nodes": [{"args": args, "kwargs": kwargs or {}}]}

def k3m_called(spec, mask):   # the node's kwargs as Layer.__call__ fills them: the input's mask, training
    spec["inbound_nodes"][0]["kwargs"] = k3_call_kwargs(spec["class_name"], mask)
    return spec

def k3m_input(name, shape, dtype):
    return {"module": "keras.layers", "class_name": "InputLayer", "registered_name": None, "name": name,
            "config": {"batch_shape": shape, "dtype": dtype, "sparse": False, "name": name}, "inbound_nodes": []}


def keras3_mask_ops():
    """Keras 3 functional model with implicit masks as Keras 3 records them: Layer.__call__ passes the input's mask to
    call(mask=...), so the node's kwargs name it, and the ops that computed it in compute_mask (Embedding: not_equal;
    Masking: any(not_equal(x, v), axis=-1)) are operations of the graph, listed among the layers (module
    keras.src.ops.numpy). tokens -> Embedding(mask_zero) -> LSTM(4); features -> Masking -> GRU(3); Concatenate; Dense(1).
    Expected output from numpy in float64 (run_cells), not from the layers jrnn builds."""
    g = np.random.default_rng(20261217)
    f32 = lambda *shape: g.normal(0, 0.5, shape).astype(np.float32)
    d = lambda a: a.astype(np.float64)
    emb, lstm, gru, head = f32(10, 3), [f32(3, 16), f32(4, 16), f32(16)], [f32(2, 9), f32(3, 9), f32(2, 9)], [f32(7, 1), f32(1)]
    tokens = np.array([[3, 0, 5, 9, 2, 0], [7, 1, 4, 0, 0, 0]], np.int32)
    feats = g.normal(0, 1, (2, 6, 2)).astype(np.float32)
    feats[0, 4, :] = 0.0
    feats[1, 2:, :] = 0.0
    seq1, _ = run_cells(d(emb)[tokens], tokens != 0, [(lstm_step, list(map(d, lstm)), (4, 4))])
    seq2, _ = run_cells(d(feats), np.any(feats != 0.0, -1), [(gru_step, list(map(d, gru)), (3,))])
    y = np.concatenate([seq1[:, -1], seq2[:, -1]], -1) @ d(head[0]) + d(head[1])
    for n, v in (("tokens", tokens), ("features", feats), ("y", y.astype(np.float32))):
        np.save(os.path.join(OUT, "keras3_mask_ops_" + n + ".npy"), v)

    embedding = k3_layer("Embedding", "embedding", {"input_dim": 10, "output_dim": 3, "embeddings_initializer": {
        "module": "keras.initializers", "class_name": "RandomUniform", "config": {"minval": -0.05, "maxval": 0.05,
        "seed": None}, "registered_name": None}, "embeddings_regularizer": None, "activity_regularizer": None,
        "embeddings_constraint": None, "mask_zero": True}, [k3m_tensor([None, 6], ["tokens", 0, 0], "int32")])
    embedding["inbound_nodes"][0]["kwargs"] = {}   # Embedding.call takes no mask
    layers = [
        k3m_input("tokens", [None, 6], "int32"), k3m_input("features", [None, 6, 2], "float32"),
        embedding,
        k3m_op("NotEqual", "not_equal", {}, [k3m_tensor([None, 6], ["tokens", 0, 0], "int32"), 0]),
        k3_layer("Masking", "masking", {"mask_value": 0.0}, [k3m_tensor([None, 6, 2], ["features", 0, 0])]),
        k3m_op("NotEqual", "not_equal_1", {}, [k3m_tensor([None, 6, 2], ["features", 0, 0]), 0.0]),
        k3m_op("Any", "any", {"axis": -1, "keepdims": False}, [k3m_tensor([None, 6, 2], ["not_equal_1", 0, 0], "bool")]),
        k3m_called(k3_layer("LSTM", "lstm", k3_rnn("LSTM", "lstm", 4), [k3m_tensor([None, 6, 3], ["embedding", 0, 0])]),
               k3m_tensor([None, 6], ["not_equal", 0, 0], "bool")),
        k3m_called(k3_layer("GRU", "gru", k3_rnn("GRU", "gru", 3), [k3m_tensor([None, 6, 2], ["masking", 0, 0])]),
               k3m_tensor([None, 6], ["any", 0, 0], "bool")),
        k3m_called(k3_layer("Concatenate", "concatenate", {"axis": -1},
                        [[k3m_tensor([None, 4], ["lstm", 0, 0]), k3m_tensor([None, 3], ["gru", 0, 0])]]), [None, None]),
        k3_layer("Dense", "dense", k3_dense(1, "linear"), [k3m_tensor([None, 7], ["concatenate", 0, 0])]),
    ]
    config = {"module": "keras.src.models.functional", "class_name": "Functional", "registered_name": "Functional",
              "config": {"name": "masked", "trainable": True, "layers": layers,
                         "input_layers": [["tokens", 0, 0], ["features", 0, 0]], "output_layers": [["dense", 0, 0]]},
              "build_config": {"input_shape": None}}
    kw3 = ("kernel", "recurrent_kernel", "bias")
    write_keras3("keras3_mask_ops", config, [
        ("embedding", [emb]), ("masking", []), ("lstm/cell", lstm), ("gru/cell", gru), ("concatenate", []),
        ("dense", head)],
        [("tokens", []), ("features", []), ("embedding", named("embedding", [("embeddings", emb)], "")),
         ("masking", []), ("lstm", named("lstm/lstm_cell", list(zip(kw3, lstm)), "")),
         ("gru", named("gru/gru_cell", list(zip(kw3, gru)), "")), ("concatenate", []),
         ("dense", named("dense", [("kernel", head[0]), ("bias", head[1])], ""))], legacy_config=True)


# tf.keras 2.12-2.14's .keras entries: serialization_lib's form (module, registered_name, build_config) with
# get_network_config's node lists (tfkeras213_keras, tfkeras214_keras)
def tf2_keras_entry(cls, name, config, inbound, shape):
    e = {"module": "keras.layers", "class_name": cls, "config": dict(config, name=name), "registered_name": None}
    if shape is not None:
        e["build_config"] = {"input_shape": shape}
    e["name"] = name
    e["inbound_nodes"] = [[[inbound, 0, 0, {}]]] if inbound else []
    return e


def write_tf2_keras(stem, config, groups, version, when):
    """A tf.keras 2.12-2.14 .keras zip: groups (path below _layer_checkpoint_dependencies, arrays) as that saving_lib walk
    writes them, beside the model's own empty vars; returns the weights file's bytes."""
    wbuf = io.BytesIO()
    with h5py.File(wbuf, "w") as f:
        f.create_group("vars")   # the model's own (none)
        deps = f.create_group("_layer_checkpoint_dependencies")
        for path, arrays in groups:
            v = deps.require_group(path).require_group("vars")
            for i, a in enumerate(arrays):
                v.create_dataset(str(i), data=a)
    meta = {"keras_version": version, "date_saved": "%04d-%02d-%02d@%02d:%02d:%02d" % when}
    with zipfile.ZipFile(os.path.join(OUT, stem + ".keras"), "w", zipfile.ZIP_STORED) as z:
        for name, data in (("metadata.json", json.dumps(meta).encode()), ("config.json", json.dumps(config).encode()),
                           ("model.weights.h5", wbuf.getvalue())):
            z.writestr(zipfile.ZipInfo(name, date_time=when), data)
    return wbuf.getvalue()


def tfkeras213_keras():
    """A .keras written by tf.keras 2.12-2.14 (keras/saving/saving_lib.py at v2.13.1): the weights walk visits the model's
    attributes in dir() order, and `_layer_checkpoint_dependencies` (functional.py: an OrderedDict holding each layer with
    weights twice, "layer_with_weights-k" then "layer-i", each weightless layer once) comes first. Its groups are the
    classes in snake case, numbered over those entries: the second entry of a layer takes a number and is skipped as
    visited, so the second LSTM sits in lstm_2. 2.15 skips that attribute and walks `layers` (lstm, lstm_1), as Keras 3.
    Configs as serialization_lib.serialize_keras_object writes them in 2.13 (module, registered_name, build_config) with
    the node lists of get_network_config. Input(5, 3) -> LSTM(4, return_sequences) -> Dropout -> LSTM(3) -> Dense(2);
    expected output from numpy in float64 (run_cells)."""
    g = np.random.default_rng(20261206)
    f32 = lambda *shape: g.normal(0, 0.5, shape).astype(np.float32)
    d = lambda a: a.astype(np.float64)
    l1, l2, head = [f32(3, 16), f32(4, 16), f32(16)], [f32(4, 12), f32(3, 12), f32(12)], [f32(3, 2), f32(2)]
    x = g.normal(0, 1, (2, 5, 3)).astype(np.float32)
    seq, _ = run_cells(d(x), np.ones((2, 5), bool), [(lstm_step, list(map(d, l1)), (4, 4)), (lstm_step, list(map(d, l2)), (3, 3))])
    y = seq[:, -1] @ d(head[0]) + d(head[1])
    np.save(os.path.join(OUT, "tfkeras213_x.npy"), x)
    np.save(os.path.join(OUT, "tfkeras213_y.npy"), y.astype(np.float32))

    def init(cls, **config):
        return {"module": "keras.initializers", "class_name": cls, "config": dict(config, seed=None) if cls != "Zeros" else {},
                "registered_name": None}

    def lstm(name, units, seqs):
        c = dict(rnn_cfg("LSTM", name, units)["config"])
        c["return_sequences"] = seqs
        for k in ("kernel_initializer", "recurrent_initializer", "bias_initializer"):
            c[k] = init({"kernel_initializer": "GlorotUniform", "recurrent_initializer": "Orthogonal", "bias_initializer": "Zeros"}[k],
                        **({"gain": 1.0} if k == "recurrent_initializer" else {}))
        return c

    dense = dict(dense_cfg("dense", 2)["config"])
    dense["kernel_initializer"], dense["bias_initializer"] = init("GlorotUniform"), init("Zeros")
    layers = [
        tf2_keras_entry("InputLayer", "input_1", {"batch_input_shape": [None, 5, 3], "dtype": "float32", "sparse": False, "ragged": False}, None, None),
        tf2_keras_entry("LSTM", "lstm", lstm("lstm", 4, True), "input_1", [None, 5, 3]),
        tf2_keras_entry("Dropout", "dropout", {"trainable": True, "dtype": "float32", "rate": 0.25, "noise_shape": None, "seed": None}, "lstm", [None, 5, 4]),
        tf2_keras_entry("LSTM", "lstm_1", lstm("lstm_1", 3, False), "dropout", [None, 5, 4]),
        tf2_keras_entry("Dense", "dense", dense, "lstm_1", [None, 3]),
    ]
    config = {"module": "keras.engine.functional", "class_name": "Functional", "registered_name": "Functional",
              "config": {"name": "model", "trainable": True, "layers": layers, "input_layers": [["input_1", 0, 0]],
                         "output_layers": [["dense", 0, 0]]}, "build_config": {"input_shape": [None, 5, 3]}}
    write_tf2_keras("tfkeras213", config, (("input_layer", []), ("lstm", []), ("lstm/cell", l1), ("dropout", []), ("lstm_2", []),
                                          ("lstm_2/cell", l2), ("dense", head)), "2.13.1", (2026, 12, 6, 2, 0, 0))


def keras22_cudnn():
    """Keras 2.2.4's CuDNNLSTM and CuDNNGRU (keras/layers/cudnn_recurrent.py; tf.keras 2 keeps them as
    tf.compat.v1.keras.layers): Input(6, 3) -> CuDNNLSTM(4, return_sequences) -> Bidirectional(CuDNNGRU(3)) -> Dense(2).
    Their kernels reach cuDNN through canonical_to_params without a transpose: cuDNN reads each gate's (I, H) block, flat
    in row order, as its (H, I) matrix. The expected output emulates cuDNN on those params (numpy, float64): gates
    i, f, c, o with both biases; GRU r, z, n with the recurrent bias inside the reset (Keras keeps z, r, h)."""
    g = np.random.default_rng(20261207)
    f32 = lambda *shape: g.normal(0, 0.5, shape).astype(np.float32)
    lstm = [f32(3, 16), f32(4, 16), f32(32)]
    fw, bw = [f32(4, 9), f32(3, 9), f32(18)], [f32(4, 9), f32(3, 9), f32(18)]
    head = [f32(6, 2), f32(2)]
    x = g.normal(0, 1, (2, 6, 3)).astype(np.float32)
    sig = lambda v: 1 / (1 + np.exp(-v))

    def blocks(k, n, units):   # cuDNN's view of a gate block: the (rows, units) slice, flat in row order, as (units, rows)
        return [k[:, j * units:(j + 1) * units].astype(np.float64).flatten().reshape(units, k.shape[0]) for j in range(n)]

    def cudnn_lstm(xs, k, r, b, units):
        W, R = blocks(k, 4, units), blocks(r, 4, units)
        bb = b.astype(np.float64).reshape(2, 4, units).sum(0)
        h, c, out = np.zeros(units), np.zeros(units), []
        for t in range(xs.shape[0]):
            p = [W[j] @ xs[t] + R[j] @ h + bb[j] for j in range(4)]
            c = sig(p[1]) * c + sig(p[0]) * np.tanh(p[2])
            h = sig(p[3]) * np.tanh(c)
            out.append(h)
        return np.array(out)

    def cudnn_gru(xs, k, r, b, units):   # Keras' storage z, r, h
        W, R = blocks(k, 3, units), blocks(r, 3, units)
        bi, br = b.astype(np.float64).reshape(2, 3, units)
        h = np.zeros(units)
        for t in range(xs.shape[0]):
            z = sig(W[0] @ xs[t] + bi[0] + R[0] @ h + br[0])
            rr = sig(W[1] @ xs[t] + bi[1] + R[1] @ h + br[1])
            n = np.tanh(W[2] @ xs[t] + bi[2] + rr * (R[2] @ h + br[2]))
            h = (1 - z) * n + z * h
        return h

    ys = []
    for s in x.astype(np.float64):
        seq = cudnn_lstm(s, *lstm, 4)
        both = np.concatenate([cudnn_gru(seq, *fw, 3), cudnn_gru(seq[::-1], *bw, 3)])
        ys.append(both @ head[0].astype(np.float64) + head[1])
    np.save(os.path.join(OUT, "keras22_cudnn_x.npy"), x)
    np.save(os.path.join(OUT, "keras22_cudnn_y.npy"), np.array(ys, np.float32))

    inits = {"kernel_initializer": {"class_name": "VarianceScaling", "config": {"scale": 1.0, "mode": "fan_avg",
                                                                                 "distribution": "uniform", "seed": None}},
             "recurrent_initializer": {"class_name": "Orthogonal", "config": {"gain": 1.0, "seed": None}},
             "bias_initializer": {"class_name": "Zeros", "config": {}}}
    none = {k: None for k in ("kernel_regularizer", "recurrent_regularizer", "bias_regularizer", "activity_regularizer",
                              "kernel_constraint", "recurrent_constraint", "bias_constraint")}

    def cudnn_cfg(cls, name, units, **kw):
        c = {"name": name, "trainable": True, "units": units, **inits, **none, "return_sequences": False,
             "return_state": False, "stateful": False, "go_backwards": False}
        if cls == "CuDNNLSTM":
            c["unit_forget_bias"] = True
        c.update(kw)
        return {"class_name": cls, "config": c}

    bi = {"class_name": "Bidirectional", "config": {"name": "bidirectional_1", "trainable": True,
                                                      "layer": cudnn_cfg("CuDNNGRU", "cu_dnngru_1", 3), "merge_mode": "concat"}}
    cfg = {"class_name": "Model", "config": {"name": "model_1", "layers": [
        input_layer("input_1", [None, 6, 3]),
        node(cudnn_cfg("CuDNNLSTM", "cu_dnnlstm_1", 4, return_sequences=True), "cu_dnnlstm_1", [[("input_1", 0, 0)]]),
        node(bi, "bidirectional_1", [[("cu_dnnlstm_1", 0, 0)]]),
        node(dense_cfg("dense_1", 2), "dense_1", [[("bidirectional_1", 0, 0)]])],
        "input_layers": [["input_1", 0, 0]], "output_layers": [["dense_1", 0, 0]]}}
    kw = ("kernel", "recurrent_kernel", "bias")
    write_h5(os.path.join(OUT, "keras22_cudnn.h5"), cfg, [
        ("input_1", []), ("cu_dnnlstm_1", named("cu_dnnlstm_1", list(zip(kw, lstm)))),
        ("bidirectional_1", named("bidirectional_1/forward_cu_dnngru_1", list(zip(kw, fw)))
         + named("bidirectional_1/backward_cu_dnngru_1", list(zip(kw, bw)))),
        ("dense_1", named("dense_1", [("kernel", head[0]), ("bias", head[1])]))], "2.2.4")


def keras1_files():
    """Keras 1.2.2 files (keras/models.py save_model, layers' get_config at tag 1.2.2): Keras 1's option names
    (output_dim, init, inner_activation, dropout_W, consume_less, p, bias) and weight lists (an LSTM of consume_less
    'cpu' keeps 12 arrays W_i, U_i, b_i, W_c, U_c, b_c, W_f, U_f, b_f, W_o, U_o, b_o; a GRU 9, z, r, h; 'gpu' the 3 of
    Keras 2); a Sequential's config is a list, a node reference [layer, node, tensor] without kwargs.
    keras1_functional: Input(5, 3) -> LSTM(4, return_sequences, hard_sigmoid, cpu) -> TimeDistributed(Dense(3, relu))
    -> Bidirectional(GRU(2, cpu), concat) -> Dense(2). keras1_sequential: Embedding(10, 3, mask_zero) -> LSTM(5, gpu)
    -> Dropout(0.5) -> Dense(1, sigmoid). Expected outputs from numpy float64 over the per-gate arrays."""
    g = np.random.default_rng(20261208)
    f32 = lambda *shape: g.normal(0, 0.5, shape).astype(np.float32)
    d = lambda a: a.astype(np.float64)
    sig = lambda v: 1 / (1 + np.exp(-v))
    hsig = lambda v: np.clip(0.2 * v + 0.5, 0, 1)

    def lstm_run(xs, w, units, act, mask=None):   # w: dict of per-gate arrays
        h, c, out = np.zeros(units), np.zeros(units), []
        for t in range(xs.shape[0]):
            if mask is not None and not mask[t]:
                out.append(h)
                continue
            gate = lambda k: xs[t] @ d(w["W_" + k]) + h @ d(w["U_" + k]) + d(w["b_" + k])
            i, f, o = act(gate("i")), act(gate("f")), act(gate("o"))
            c = f * c + i * np.tanh(gate("c"))
            h = o * np.tanh(c)
            out.append(h)
        return np.array(out)

    def gru_run(xs, w, units):
        h = np.zeros(units)
        for t in range(xs.shape[0]):
            z = hsig(xs[t] @ d(w["W_z"]) + h @ d(w["U_z"]) + d(w["b_z"]))
            r = hsig(xs[t] @ d(w["W_r"]) + h @ d(w["U_r"]) + d(w["b_r"]))
            hh = np.tanh(xs[t] @ d(w["W_h"]) + (r * h) @ d(w["U_h"]) + d(w["b_h"]))
            h = z * h + (1 - z) * hh
        return h

    def per_gate(gates, fin, units):
        w = {}
        for k in gates:
            w["W_" + k], w["U_" + k], w["b_" + k] = f32(fin, units), f32(units, units), f32(units)
        return w

    def rnn1(cls, name, units, **kw):
        c = {"name": name, "trainable": True, "output_dim": units, "init": "glorot_uniform", "inner_init": "orthogonal",
             "activation": "tanh", "W_regularizer": None, "U_regularizer": None, "b_regularizer": None, "dropout_W": 0.0,
             "dropout_U": 0.0, "return_sequences": False, "go_backwards": False, "stateful": False, "unroll": False,
             "consume_less": "cpu", "input_dim": None, "input_length": None}
        if cls != "SimpleRNN":
            c["inner_activation"] = "hard_sigmoid"
        if cls == "LSTM":
            c["forget_bias_init"] = "one"
        c.update(kw)
        return {"class_name": cls, "config": c}

    def dense1(name, units, activation="linear", fin=None):
        return {"class_name": "Dense", "config": {"name": name, "trainable": True, "output_dim": units, "init": "glorot_uniform",
                "activation": activation, "W_regularizer": None, "b_regularizer": None, "activity_regularizer": None,
                "W_constraint": None, "b_constraint": None, "bias": True, "input_dim": fin}}

    def node1(spec, name, inbound):
        e = dict(spec)
        e["name"] = name
        e["inbound_nodes"] = [[[inbound, 0, 0]]]
        return e

    # functional
    lstm = per_gate("icfo", 3, 4)
    td = [f32(4, 3), f32(3)]
    fw, bw = per_gate("zrh", 3, 2), per_gate("zrh", 3, 2)
    head = [f32(4, 2), f32(2)]
    x = g.normal(0, 1, (2, 5, 3)).astype(np.float32)
    ys = []
    for s in d(x):
        seq = lstm_run(s, lstm, 4, hsig)
        seq = np.maximum(seq @ d(td[0]) + d(td[1]), 0)
        both = np.concatenate([gru_run(seq, fw, 2), gru_run(seq[::-1], bw, 2)])
        ys.append(both @ d(head[0]) + d(head[1]))
    np.save(os.path.join(OUT, "keras1_functional_x.npy"), x)
    np.save(os.path.join(OUT, "keras1_functional_y.npy"), np.array(ys, np.float32))
    layers = [
        {"name": "input_1", "class_name": "InputLayer", "config": {"batch_input_shape": [None, 5, 3], "input_dtype": "float32",
                                                                    "sparse": False, "name": "input_1"}, "inbound_nodes": []},
        node1(rnn1("LSTM", "lstm_1", 4, return_sequences=True, input_dim=3), "lstm_1", "input_1"),
        node1({"class_name": "TimeDistributed", "config": {"name": "timedistributed_1", "trainable": True,
                                                            "layer": dense1("dense_1", 3, "relu", 4)}}, "timedistributed_1", "lstm_1"),
        node1({"class_name": "Bidirectional", "config": {"name": "bidirectional_1", "trainable": True, "merge_mode": "concat",
                                                          "layer": rnn1("GRU", "gru_1", 2, input_dim=3)}}, "bidirectional_1", "timedistributed_1"),
        node1(dense1("dense_2", 2, "linear", 4), "dense_2", "bidirectional_1")]
    cfg = {"class_name": "Model", "config": {"name": "model_1", "layers": layers, "input_layers": [["input_1", 0, 0]],
                                             "output_layers": [["dense_2", 0, 0]]}}
    flat = lambda prefix, w, order: [(prefix + "_" + k + ":0", w[k]) for k in order]
    lstm_order = ["W_i", "U_i", "b_i", "W_c", "U_c", "b_c", "W_f", "U_f", "b_f", "W_o", "U_o", "b_o"]
    gru_order = ["W_z", "U_z", "b_z", "W_r", "U_r", "b_r", "W_h", "U_h", "b_h"]
    write_h5(os.path.join(OUT, "keras1_functional.h5"), cfg, [
        ("input_1", []), ("lstm_1", flat("lstm_1", lstm, lstm_order)),
        ("timedistributed_1", [("dense_1_W:0", td[0]), ("dense_1_b:0", td[1])]),
        ("bidirectional_1", flat("forward_gru_1", fw, gru_order) + flat("backward_gru_1", bw, gru_order)),
        ("dense_2", [("dense_2_W:0", head[0]), ("dense_2_b:0", head[1])])], "1.2.2")

    # sequential, masked, consume_less gpu: W (3, 4*5) in gate order i, f, c, o
    emb = f32(10, 3)
    W, U, b = f32(3, 20), f32(5, 20), f32(20)
    out = [f32(5, 1), f32(1)]
    tokens = np.array([[3, 1, 0, 0, 0, 0], [7, 2, 9, 4, 5, 6]], np.int32)
    gpu = {}
    for j, k in enumerate("ifco"):
        gpu["W_" + k], gpu["U_" + k], gpu["b_" + k] = W[:, j * 5:(j + 1) * 5], U[:, j * 5:(j + 1) * 5], b[j * 5:(j + 1) * 5]
    ys = [sig(lstm_run(d(emb)[t], gpu, 5, hsig, t != 0)[-1] @ d(out[0]) + d(out[1])) for t in tokens]
    np.save(os.path.join(OUT, "keras1_sequential_x.npy"), tokens)
    np.save(os.path.join(OUT, "keras1_sequential_y.npy"), np.array(ys, np.float32))
    cfg = {"class_name": "Sequential", "config": [
        {"class_name": "Embedding", "config": {"name": "embedding_1", "trainable": True, "batch_input_shape": [None, 6],
                                               "input_dtype": "int32", "input_dim": 10, "output_dim": 3, "init": "uniform",
                                               "input_length": 6, "mask_zero": True, "activity_regularizer": None,
                                               "W_regularizer": None, "W_constraint": None, "dropout": 0.0}},
        rnn1("LSTM", "lstm_1", 5, consume_less="gpu", input_dim=3),
        {"class_name": "Dropout", "config": {"name": "dropout_1", "trainable": True, "p": 0.5}},
        dense1("dense_1", 1, "sigmoid", 5)]}
    write_h5(os.path.join(OUT, "keras1_sequential.h5"), cfg, [
        ("embedding_1", [("embedding_1_W:0", emb)]), ("lstm_1", [("lstm_1_W:0", W), ("lstm_1_U:0", U), ("lstm_1_b:0", b)]),
        ("dropout_1", []), ("dense_1", [("dense_1_W:0", out[0]), ("dense_1_b:0", out[1])])], "1.2.2")


def tfkeras214_keras():
    """tf.keras 2.14's .keras: the same walk as 2.13 (tfkeras213_keras), but _save_container_state skips a visited layer
    before naming it (saving_lib.py at v2.14.0), so three LSTMs sit in lstm, lstm_1, lstm_2. Input(5, 3) -> LSTM(4,
    return_sequences) -> LSTM(4, return_sequences) -> LSTM(3) -> Dense(2), as .keras and as save_weights' .weights.h5
    (saving_lib.save_weights_only: the same HDF5). Expected output from numpy in float64 (run_cells)."""
    g = np.random.default_rng(20261209)
    f32 = lambda *shape: g.normal(0, 0.5, shape).astype(np.float32)
    d = lambda a: a.astype(np.float64)
    l1, l2, l3 = [f32(3, 16), f32(4, 16), f32(16)], [f32(4, 16), f32(4, 16), f32(16)], [f32(4, 12), f32(3, 12), f32(12)]
    head = [f32(3, 2), f32(2)]
    x = g.normal(0, 1, (2, 5, 3)).astype(np.float32)
    seq, _ = run_cells(d(x), np.ones((2, 5), bool), [(lstm_step, list(map(d, l1)), (4, 4)), (lstm_step, list(map(d, l2)), (4, 4)),
                                                     (lstm_step, list(map(d, l3)), (3, 3))])
    np.save(os.path.join(OUT, "tfkeras214_x.npy"), x)
    np.save(os.path.join(OUT, "tfkeras214_y.npy"), (seq[:, -1] @ d(head[0]) + d(head[1])).astype(np.float32))

    def lstm(name, units, seqs):
        c = dict(rnn_cfg("LSTM", name, units)["config"])
        c["return_sequences"] = seqs
        return c

    layers = [
        tf2_keras_entry("InputLayer", "input_1", {"batch_input_shape": [None, 5, 3], "dtype": "float32", "sparse": False, "ragged": False}, None, None),
        tf2_keras_entry("LSTM", "lstm", lstm("lstm", 4, True), "input_1", [None, 5, 3]),
        tf2_keras_entry("LSTM", "lstm_1", lstm("lstm_1", 4, True), "lstm", [None, 5, 4]),
        tf2_keras_entry("LSTM", "lstm_2", lstm("lstm_2", 3, False), "lstm_1", [None, 5, 4]),
        tf2_keras_entry("Dense", "dense", dict(dense_cfg("dense", 2)["config"]), "lstm_2", [None, 3]),
    ]
    config = {"module": "keras.engine.functional", "class_name": "Functional", "registered_name": "Functional",
              "config": {"name": "model", "trainable": True, "layers": layers, "input_layers": [["input_1", 0, 0]],
                         "output_layers": [["dense", 0, 0]]}, "build_config": {"input_shape": [None, 5, 3]}}
    weights = write_tf2_keras("tfkeras214", config, (("input_layer", []), ("lstm", []), ("lstm/cell", l1), ("lstm_1", []),
                                                    ("lstm_1/cell", l2), ("lstm_2", []), ("lstm_2/cell", l3), ("dense", head)),
                              "2.14.0", (2026, 12, 6, 3, 0, 0))
    with open(os.path.join(OUT, "tfkeras214.weights.h5"), "wb") as f:
        f.write(weights)


def keras1_weights_only():
    """Keras 1.2.2's save_weights (Container.save_weights_to_hdf5_group, engine/topology.py at 1.2.2): root attrs
    layer_names only (no keras_version, which Keras 2.0's loader reads as Keras 1), the arrays of keras1_functional.h5."""
    with h5py.File(os.path.join(OUT, "keras1_functional.h5"), "r") as src, \
            h5py.File(os.path.join(OUT, "keras1_functional.weights.h5"), "w") as f:
        mw = src["model_weights"]
        f.attrs["layer_names"] = mw.attrs["layer_names"]
        for name in mw.attrs["layer_names"]:
            name = name.decode()
            lg = f.create_group(name)
            lg.attrs["weight_names"] = mw[name].attrs["weight_names"]
            for wn in mw[name].attrs["weight_names"]:
                wn = wn.decode() if isinstance(wn, bytes) else wn
                lg.create_dataset(wn, data=mw[name][wn][()])
def get_item():
    """Keras' slicing of a sequence, h[:, -1] (and h[:, 1, 1:3] as a second output): x -> Masking -> LSTM(4,
    return_sequences) -> [:, -1] -> Dense(2). Keras 3 (.keras and legacy .h5) records each slice as the op GetItem
    (keras.src.ops.numpy; the op's config is Operation.get_config's {"name"}) whose node args are the tensor and the key,
    serialized by serialization_lib (a tuple as a list, slice as __slice__); its mask ops (not_equal, any) as in
    keras3_mask_ops. tf.keras 2.13 records a SlicingOpLambda of __operators__.getitem whose node is [layer, node, tensor,
    {"slice_spec": key}] with slices as {start, stop, step} dicts (tf_op_layer._slice_to_dict, node.serialize). The LSTM
    repeats its last output at masked steps (zero_output_for_mask False), so h[:, -1] of a padded sample is its last real
    step's output. Expected outputs from numpy in float64 (run_cells), not from the layers jrnn builds."""
    g = np.random.default_rng(20261218)
    f32 = lambda *shape: g.normal(0, 0.5, shape).astype(np.float32)
    d = lambda a: a.astype(np.float64)
    lstm, head = [f32(3, 16), f32(4, 16), f32(16)], [f32(4, 2), f32(2)]
    x = g.normal(0, 1, (3, 5, 3)).astype(np.float32)
    x[0, 3:, :] = 0.0   # padded at the end: [:, -1] reads its step 2 output
    x[1, 1, :] = 0.0   # masked in the middle
    seq, _ = run_cells(d(x), np.any(x != 0.0, -1), [(lstm_step, list(map(d, lstm)), (4, 4))])
    y = seq[:, -1] @ d(head[0]) + d(head[1])
    y2 = seq[:, 1, 1:3]
    for n, v in (("x", x), ("y", y), ("y2", y2)):
        np.save(os.path.join(OUT, "get_item_" + n + ".npy"), v.astype(np.float32))

    def kt(shape, history, dtype="float32"):
        t = k3_tensor(shape, history)
        t["config"]["dtype"] = dtype
        return t

    def op(cls, name, config, args, module="keras.src.ops.numpy"):
        return {"module": module, "class_name": cls, "config": dict(config, name=name), "registered_name": cls,
                "name": name, "inbound_nodes": [{"args": args, "kwargs": {}}]}

    def sl(start=None, stop=None, step=None):
        return {"class_name": "__slice__", "config": {"start": start, "stop": stop, "step": step}}

    lstm_layer = k3_layer("LSTM", "lstm", k3_rnn("LSTM", "lstm", 4, return_sequences=True), [kt([None, 5, 3], ["masking", 0, 0])])
    lstm_layer["inbound_nodes"][0]["kwargs"] = {"training": False, "mask": kt([None, 5], ["any", 0, 0], "bool")}
    layers = [
        {"module": "keras.layers", "class_name": "InputLayer", "registered_name": None, "name": "x",
         "config": {"batch_shape": [None, 5, 3], "dtype": "float32", "sparse": False, "name": "x"}, "inbound_nodes": []},
        k3_layer("Masking", "masking", {"mask_value": 0.0}, [kt([None, 5, 3], ["x", 0, 0])]),
        op("NotEqual", "not_equal", {}, [kt([None, 5, 3], ["x", 0, 0]), 0.0]),
        op("Any", "any", {"axis": -1, "keepdims": False}, [kt([None, 5, 3], ["not_equal", 0, 0], "bool")]),
        lstm_layer,
        op("GetItem", "get_item", {}, [kt([None, 5, 4], ["lstm", 0, 0]), [sl(), -1]]),
        k3_layer("Dense", "dense", k3_dense(2, "linear"), [kt([None, 4], ["get_item", 0, 0])]),
        op("GetItem", "get_item_1", {}, [kt([None, 5, 4], ["lstm", 0, 0]), [sl(), 1, sl(1, 3)]]),
    ]
    config = {"module": "keras.src.models.functional", "class_name": "Functional", "registered_name": "Functional",
              "config": {"name": "last_step", "trainable": True, "layers": layers, "input_layers": [["x", 0, 0]],
                         "output_layers": [["dense", 0, 0], ["get_item_1", 0, 0]]},
              "build_config": {"input_shape": None}}
    kw3 = ("kernel", "recurrent_kernel", "bias")
    # Keras' weights walk model.layers, which holds no ops: no group for get_item in either file
    write_keras3("keras3_get_item", config, [("masking", []), ("lstm/cell", lstm), ("dense", head)],
                 [("x", []), ("masking", []), ("lstm", named("lstm/lstm_cell", list(zip(kw3, lstm)), "")),
                  ("dense", named("dense", [("kernel", head[0]), ("bias", head[1])], ""))], legacy_config=True)

    def slicing(name, inbound, spec):
        return {"class_name": "SlicingOpLambda", "name": name, "inbound_nodes": [[inbound, 0, 0, {"slice_spec": spec}]],
                "config": {"name": name, "trainable": True, "dtype": "float32", "function": "__operators__.getitem"}}

    all_ = {"start": None, "stop": None, "step": None}
    cfg2 = {"class_name": "Functional", "config": {"name": "model", "layers": [
        input_layer("x", [None, 5, 3]),
        node(simple_cfg("Masking", "masking", mask_value=0.0), "masking", [[("x", 0, 0)]]),
        node(rnn_cfg("LSTM", "lstm", 4, return_sequences=True), "lstm", [[("masking", 0, 0)]]),
        slicing("tf.__operators__.getitem", "lstm", [all_, -1]),
        node(dense_cfg("dense", 2), "dense", [[("tf.__operators__.getitem", 0, 0)]]),
        slicing("tf.__operators__.getitem_1", "lstm", [all_, 1, {"start": 1, "stop": 3, "step": None}])],
        "input_layers": [["x", 0, 0]], "output_layers": [["dense", 0, 0], ["tf.__operators__.getitem_1", 0, 0]]}}
    write_h5(os.path.join(OUT, "tfkeras_get_item.h5"), cfg2, [
        ("x", []), ("masking", []), ("lstm", named("lstm/lstm_cell", list(zip(kw3, lstm)))),
        ("tf.__operators__.getitem", []), ("dense", named("dense", [("kernel", head[0]), ("bias", head[1])])),
        ("tf.__operators__.getitem_1", [])], "2.13.1")


def arithmetic_ops():
    """Keras 3's arithmetic on tensors as ops (KerasTensor.__add__ -> ops.Add().symbolic_call(x1, x2), likewise Subtract
    and Multiply; keras.src.ops.numpy, config {"name"}, args [x1, x2]): x -> LSTM(4, return_sequences) -> a = h[:, -1],
    b = h[:, 0]; ((a + b) * a - b) -> Dense(2), and ops.concatenate([a, b], axis=-1) (the op Concatenate, config
    {"name", "axis"}, args [[a, b]]) as a second output, as .keras and legacy .h5. No mask anywhere (jrnn reads these ops as its
    merge layers only then). Expected output from numpy in float64 (run_cells), not from the layers jrnn builds."""
    g = np.random.default_rng(20261219)
    f32 = lambda *shape: g.normal(0, 0.5, shape).astype(np.float32)
    d = lambda a: a.astype(np.float64)
    lstm, head = [f32(3, 16), f32(4, 16), f32(16)], [f32(4, 2), f32(2)]
    x = g.normal(0, 1, (3, 5, 3)).astype(np.float32)
    seq, _ = run_cells(d(x), np.ones((3, 5), bool), [(lstm_step, list(map(d, lstm)), (4, 4))])
    a, b = seq[:, -1], seq[:, 0]
    y = ((a + b) * a - b) @ d(head[0]) + d(head[1])
    for n, v in (("x", x), ("y", y), ("y2", np.concatenate([a, b], -1))):
        np.save(os.path.join(OUT, "arithmetic_ops_" + n + ".npy"), v.astype(np.float32))

    def kt(shape, history):
        return k3_tensor(shape, history)

    def op(cls, name, args, **config):
        return {"module": "keras.src.ops.numpy", "class_name": cls, "config": dict(config, name=name), "registered_name": cls,
                "name": name, "inbound_nodes": [{"args": args, "kwargs": {}}]}

    sl = {"class_name": "__slice__", "config": {"start": None, "stop": None, "step": None}}
    layers = [
        {"module": "keras.layers", "class_name": "InputLayer", "registered_name": None, "name": "x",
         "config": {"batch_shape": [None, 5, 3], "dtype": "float32", "sparse": False, "name": "x"}, "inbound_nodes": []},
        k3_layer("LSTM", "lstm", k3_rnn("LSTM", "lstm", 4, return_sequences=True), [kt([None, 5, 3], ["x", 0, 0])]),
        op("GetItem", "get_item", [kt([None, 5, 4], ["lstm", 0, 0]), [sl, -1]]),
        op("GetItem", "get_item_1", [kt([None, 5, 4], ["lstm", 0, 0]), [sl, 0]]),
        op("Add", "add", [kt([None, 4], ["get_item", 0, 0]), kt([None, 4], ["get_item_1", 0, 0])]),
        op("Multiply", "multiply", [kt([None, 4], ["add", 0, 0]), kt([None, 4], ["get_item", 0, 0])]),
        op("Subtract", "subtract", [kt([None, 4], ["multiply", 0, 0]), kt([None, 4], ["get_item_1", 0, 0])]),
        k3_layer("Dense", "dense", k3_dense(2, "linear"), [kt([None, 4], ["subtract", 0, 0])]),
        op("Concatenate", "concatenate", [[kt([None, 4], ["get_item", 0, 0]), kt([None, 4], ["get_item_1", 0, 0])]], axis=-1),
    ]
    config = {"module": "keras.src.models.functional", "class_name": "Functional", "registered_name": "Functional",
              "config": {"name": "arithmetic", "trainable": True, "layers": layers, "input_layers": [["x", 0, 0]],
                         "output_layers": [["dense", 0, 0], ["concatenate", 0, 0]]}, "build_config": {"input_shape": None}}
    kw3 = ("kernel", "recurrent_kernel", "bias")
    write_keras3("keras3_arithmetic_ops", config, [("lstm/cell", lstm), ("dense", head)],
                 [("x", []), ("lstm", named("lstm/lstm_cell", list(zip(kw3, lstm)), "")),
                  ("dense", named("dense", [("kernel", head[0]), ("bias", head[1])], ""))], legacy_config=True)

    # tf.keras 2.13: a + b, a * b, a - b as TFOpLambda layers of tf.__operators__.add, tf.math.multiply, tf.math.subtract
    # (tf_op_layer.TFOpLambda.get_config: {"function": symbol}); node.serialize writes [x layer, node, tensor, kwargs]
    # with the second argument among the kwargs by its name (y) and name=None; the slices as in tfkeras_get_item.h5
    def tf_layer(cls, name, function, inbound, kwargs):
        return {"class_name": cls, "name": name, "inbound_nodes": [[inbound, 0, 0, kwargs]],
                "config": {"name": name, "trainable": True, "dtype": "float32", "function": function}}

    all_ = {"start": None, "stop": None, "step": None}
    cfg2 = {"class_name": "Functional", "config": {"name": "model", "layers": [
        input_layer("x", [None, 5, 3]),
        node(rnn_cfg("LSTM", "lstm", 4, return_sequences=True), "lstm", [[("x", 0, 0)]]),
        tf_layer("SlicingOpLambda", "tf.__operators__.getitem", "__operators__.getitem", "lstm", {"slice_spec": [all_, -1]}),
        tf_layer("SlicingOpLambda", "tf.__operators__.getitem_1", "__operators__.getitem", "lstm", {"slice_spec": [all_, 0]}),
        tf_layer("TFOpLambda", "tf.__operators__.add", "__operators__.add", "tf.__operators__.getitem",
                 {"y": ["tf.__operators__.getitem_1", 0, 0], "name": None}),
        tf_layer("TFOpLambda", "tf.math.multiply", "math.multiply", "tf.__operators__.add",
                 {"y": ["tf.__operators__.getitem", 0, 0], "name": None}),
        tf_layer("TFOpLambda", "tf.math.subtract", "math.subtract", "tf.math.multiply",
                 {"y": ["tf.__operators__.getitem_1", 0, 0], "name": None}),
        node(dense_cfg("dense", 2), "dense", [[("tf.math.subtract", 0, 0)]])],
        "input_layers": [["x", 0, 0]], "output_layers": [["dense", 0, 0]]}}
    write_h5(os.path.join(OUT, "tfkeras_arithmetic_ops.h5"), cfg2, [
        ("x", []), ("lstm", named("lstm/lstm_cell", list(zip(kw3, lstm)))), ("tf.__operators__.getitem", []),
        ("tf.__operators__.getitem_1", []), ("tf.__operators__.add", []), ("tf.math.multiply", []), ("tf.math.subtract", []),
        ("dense", named("dense", [("kernel", head[0]), ("bias", head[1])]))], "2.13.1")


def keras3_concat_masks():
    """Keras 3's Concatenate over two masked sequences: its compute_mask (layers/merging/concatenate.py) records, per
    input, expand_dims(mask, -1) or'ed with zeros_like(input), then ops.concatenate and any(axis=-1), among the layers.
    A legacy .h5 writes that Concatenate op without a module, its config without "trainable" (a layer's has one).
    tokens -> Embedding(mask_zero) -> LSTM(4, return_sequences) and GRU(3, return_sequences) -> Concatenate -> LSTM(2)
    -> Dense(1). Expected output from numpy in float64 (run_cells over the valid steps)."""
    g = np.random.default_rng(20261210)
    f32 = lambda *shape: g.normal(0, 0.5, shape).astype(np.float32)
    d = lambda a: a.astype(np.float64)
    emb, lstm, gru, top, head = f32(9, 3), [f32(3, 16), f32(4, 16), f32(16)], [f32(3, 9), f32(3, 9), f32(2, 9)], \
        [f32(7, 8), f32(2, 8), f32(8)], [f32(2, 1), f32(1)]
    tokens = np.array([[3, 5, 0, 0, 0], [7, 1, 4, 2, 0]], np.int32)
    m = tokens != 0
    e = d(emb)[tokens]
    s1, _ = run_cells(e, m, [(lstm_step, list(map(d, lstm)), (4, 4))])
    s2, _ = run_cells(e, m, [(gru_step, list(map(d, gru)), (3,))])
    s3, _ = run_cells(np.concatenate([s1, s2], -1), m, [(lstm_step, list(map(d, top)), (2, 2))])
    y = s3[:, -1] @ d(head[0]) + d(head[1])
    for n, v in (("tokens", tokens), ("y", y.astype(np.float32))):
        np.save(os.path.join(OUT, "keras3_concat_masks_" + n + ".npy"), v)
    t, op, called = k3m_tensor, k3m_op, k3m_called
    embedding = k3_layer("Embedding", "embedding", {"input_dim": 9, "output_dim": 3, "embeddings_initializer": {
        "module": "keras.initializers", "class_name": "RandomUniform", "config": {"minval": -0.05, "maxval": 0.05,
        "seed": None}, "registered_name": None}, "embeddings_regularizer": None, "activity_regularizer": None,
        "embeddings_constraint": None, "mask_zero": True}, [t([None, 5], ["tokens", 0, 0], "int32")])
    embedding["inbound_nodes"][0]["kwargs"] = {}
    mask = t([None, 5], ["not_equal", 0, 0], "bool")
    layers = [
        k3m_input("tokens", [None, 5], "int32"), embedding,
        op("NotEqual", "not_equal", {}, [t([None, 5], ["tokens", 0, 0], "int32"), 0]),
        called(k3_layer("LSTM", "lstm", k3_rnn("LSTM", "lstm", 4, return_sequences=True), [t([None, 5, 3], ["embedding", 0, 0])]), mask),
        called(k3_layer("GRU", "gru", k3_rnn("GRU", "gru", 3, return_sequences=True), [t([None, 5, 3], ["embedding", 0, 0])]), mask),
        op("ExpandDims", "expand_dims", {"axis": -1}, [mask]),
        op("ZerosLike", "zeros_like", {"dtype": "bool"}, [t([None, 5, 4], ["lstm", 0, 0])]),
        op("LogicalOr", "logical_or", {}, [t([None, 5, 1], ["expand_dims", 0, 0], "bool"), t([None, 5, 4], ["zeros_like", 0, 0], "bool")]),
        op("ExpandDims", "expand_dims_1", {"axis": -1}, [mask]),
        op("ZerosLike", "zeros_like_1", {"dtype": "bool"}, [t([None, 5, 3], ["gru", 0, 0])]),
        op("LogicalOr", "logical_or_1", {}, [t([None, 5, 1], ["expand_dims_1", 0, 0], "bool"),
                                              t([None, 5, 3], ["zeros_like_1", 0, 0], "bool")]),
        called(k3_layer("Concatenate", "concatenate", {"axis": -1}, [[t([None, 5, 4], ["lstm", 0, 0]), t([None, 5, 3], ["gru", 0, 0])]]),
               [mask, mask]),
        op("Concatenate", "concatenate_1", {"axis": -1}, [[t([None, 5, 4], ["logical_or", 0, 0], "bool"),
                                                           t([None, 5, 3], ["logical_or_1", 0, 0], "bool")]]),
        op("Any", "any", {"axis": -1, "keepdims": False}, [t([None, 5, 7], ["concatenate_1", 0, 0], "bool")]),
        called(k3_layer("LSTM", "lstm_1", k3_rnn("LSTM", "lstm_1", 2), [t([None, 5, 7], ["concatenate", 0, 0])]),
               t([None, 5], ["any", 0, 0], "bool")),
        k3_layer("Dense", "dense", k3_dense(1, "linear"), [t([None, 2], ["lstm_1", 0, 0])]),
    ]
    config = {"module": "keras.src.models.functional", "class_name": "Functional", "registered_name": "Functional",
              "config": {"name": "concat_masks", "trainable": True, "layers": layers,
                         "input_layers": [["tokens", 0, 0]], "output_layers": [["dense", 0, 0]]},
              "build_config": {"input_shape": None}}
    kw3 = ("kernel", "recurrent_kernel", "bias")
    write_keras3("keras3_concat_masks", config, [
        ("embedding", [emb]), ("lstm/cell", lstm), ("gru/cell", gru), ("concatenate", []), ("lstm_1/cell", top), ("dense", head)],
        [("tokens", []), ("embedding", named("embedding", [("embeddings", emb)], "")),
         ("lstm", named("lstm/lstm_cell", list(zip(kw3, lstm)), "")), ("gru", named("gru/gru_cell", list(zip(kw3, gru)), "")),
         ("concatenate", []), ("lstm_1", named("lstm_1/lstm_cell", list(zip(kw3, top)), "")),
         ("dense", named("dense", [("kernel", head[0]), ("bias", head[1])], ""))], legacy_config=True)


if __name__ == "__main__":
    tfkeras_gru()
    keras22_gru()
    functional_multi()
    sequential_embedding()
    keras3_functional()
    keras3_sequential()
    h5_inside_keras()
    bad_files()
    functional_merge()   # last, with its own generator: adding it left the other files as they were
    keras3_gru_reset_before()   # likewise
    keras3_conv1d()   # likewise, with its own generator
    keras3_attention()   # likewise
    keras3_batch_normalization()   # likewise
    keras3_mha()   # likewise
    tfkeras_mha()   # likewise
    keras3_mha_302()   # from keras3_mha.keras
    nested_sequential()   # likewise, own generators
    nested_functional()
    keras3_normalization()   # own generator
    rnn_cells()   # own generator
    activation_layers()   # own generator
    keras3_mask_ops()   # own generator
    tfkeras213_keras()   # own generator
    keras22_cudnn()   # own generator
    keras1_files()   # own generator
    tfkeras214_keras()   # own generator
    keras1_weights_only()   # from keras1_functional.h5
    get_item()   # own generator
    arithmetic_ops()   # own generator
    keras3_concat_masks()   # own generator
