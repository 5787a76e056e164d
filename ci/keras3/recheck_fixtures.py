"""Re-checks the GENERATED Keras fixtures (java/src/test/resources/dev/jrnn/io/keras, written with h5py/json from a
reading of Keras' sources) in a real Keras 3 (3.15.1, jax backend): each file Keras loads predicts, in Keras, the outputs
the jrnn tests assert (the fixture's *_y.npy, or jrnn's prediction on the tests' inputs for the files checked against
the float64 KerasReference: ci/keras3/PredictFixtures.java writes those), its .weights.h5 loads into the model built
from its config, and saved optimizer state resumes as the tests expect (Keras' next step vs the *_after.npz replay).
A file Keras refuses is reported with Keras' reason; where that reason is a by-design gap of Keras 3 (tf.keras 2
configs with `time_major`, Keras 3's own legacy .h5 of a model with ops, an HDF5 file named .keras), the file is also
loaded with only that gap patched, to check its numbers. Manual (CI has no Keras): ci/keras3/recheck.sh.

Usage: KERAS_BACKEND=jax python recheck_fixtures.py RESOURCES_DIR PREDICTIONS_DIR
"""
import glob
import json
import os
import shutil
import sys
import tempfile
import warnings
import zipfile

os.environ.setdefault("KERAS_BACKEND", "jax")
import h5py  # noqa: E402
import keras  # noqa: E402
import numpy as np  # noqa: E402

R, P = sys.argv[1], sys.argv[2]
TMP = tempfile.mkdtemp(prefix="recheck_")
TOL = 2e-5   # the tests' own tolerances are 1e-5 .. 1e-4 (relative); Keras float32 vs numpy float64


def res(*names):
    return [np.load(os.path.join(R, n)) for n in names]


def jrnn(stem):
    """Inputs and jrnn's outputs written by PredictFixtures for <stem> (file name with . -> _)."""
    xs = [np.load(p) for p in sorted(glob.glob(f"{P}/{stem}_x*.npy"))]
    ys = [np.load(p) for p in sorted(glob.glob(f"{P}/{stem}_y*.npy"))]
    return xs, ys


def predict(m, xs):
    y = m.predict(xs if len(xs) > 1 else xs[0], verbose=0)
    if isinstance(y, dict):
        y = [y[k] for k in sorted(y)]
    return y if isinstance(y, (list, tuple)) else [y]


def diff(got, want):
    if len(got) != len(want):
        return f"{len(got)} outputs, want {len(want)}"
    worst = 0.0
    for g, w in zip(got, want):
        g = np.asarray(g)
        if g.shape != w.shape and g.size != w.size:
            return f"shape {g.shape}, want {w.shape}"
        worst = max(worst, float(np.max(np.abs(g.reshape(w.shape) - w) / np.maximum(1.0, np.abs(w)))))
    return worst


def verdict(d):
    if isinstance(d, str):
        return "DIFFERS: " + d
    return ("agrees" if d <= TOL else "DIFFERS") + f" (max rel diff {d:.1e})"


def load(path, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return keras.models.load_model(path, **kw)


def reason(e):
    text = " ".join(str(e).split())
    if "could not be loaded" in text and "variable.shape" in text:   # the variable that did not fit, not its address
        text = "a variable could not be loaded: " + text[text.index("variable.shape"):][:70]
    return f"{type(e).__name__}: {text[:160]}"


# ------------------------------------------------------------------- patches of Keras 3's by-design refusals
def patch_h5_config(src, edit, suffix=".h5"):
    dst = os.path.join(TMP, os.path.basename(src).replace(".keras", "") + ".patched" + suffix)
    shutil.copy(src, dst)
    with h5py.File(dst, "a") as f:
        cfg = json.loads(f.attrs["model_config"])
        edit(cfg)
        f.attrs["model_config"] = json.dumps(cfg).encode()
    return dst


def drop_tf2_only_options(cfg):
    """tf.keras 2 wrote `time_major` in every RNN's config and `implementation` in SimpleRNN's; Keras 3 takes neither."""
    if isinstance(cfg, dict):
        c = cfg.get("config")
        if cfg.get("class_name") in ("LSTM", "GRU", "SimpleRNN", "RNN") and isinstance(c, dict):
            c.pop("time_major", None)
            if cfg["class_name"] == "SimpleRNN":
                c.pop("implementation", None)
        for v in cfg.values():
            drop_tf2_only_options(v)
    elif isinstance(cfg, list):
        for v in cfg:
            drop_tf2_only_options(v)


OPS = {"NotEqual": "keras.src.ops.numpy", "Any": "keras.src.ops.numpy", "GetItem": "keras.src.ops.numpy",
       "Add": "keras.src.ops.numpy", "Multiply": "keras.src.ops.numpy", "Subtract": "keras.src.ops.numpy",
       "Concatenate": "keras.src.ops.numpy", "ExpandDims": "keras.src.ops.numpy", "OnesLike": "keras.src.ops.numpy",
       "ZerosLike": "keras.src.ops.numpy", "LogicalOr": "keras.src.ops.numpy", "LogicalAnd": "keras.src.ops.numpy",
       "All": "keras.src.ops.numpy", "Cast": "keras.src.ops.core"}


def ops_as_keras3_entries(src):
    """Keras 3's legacy .h5 writes every entry without its module, and its loader finds layers by class name but not
    ops (Unknown layer: 'NotEqual'; a real Keras 3.15.1 file fails the same way: keras3_real/func.h5). Give each entry
    its module back (an op's config has no `trainable`, a layer's always has: Concatenate the op vs the layer) and
    build the model as from a .keras config; the weights then as Keras' legacy loader reads them."""
    with h5py.File(src) as f:
        cfg = json.loads(f.attrs["model_config"])
    for e in cfg["config"]["layers"]:
        if e["class_name"] in OPS and "trainable" not in e["config"]:
            e["module"], e["registered_name"] = OPS[e["class_name"]], e["class_name"]
        else:
            e["module"], e["registered_name"] = "keras.layers", None
    cfg.update(module="keras.src.models.functional", registered_name="Functional")
    m = keras.saving.deserialize_keras_object(cfg)
    from keras.src.legacy.saving import legacy_h5_format
    with h5py.File(src) as f:
        legacy_h5_format.load_weights_from_hdf5_group(f["model_weights"], m)
    return m


def keras2_hard_sigmoid(x):
    """Keras 2's hard_sigmoid, which Keras 3 reads a Keras 2 file's "hard_sigmoid" as its own x/6 + 1/2 in place of."""
    return keras.ops.clip(0.2 * x + 0.5, 0.0, 1.0)


def keras2_semantics(cfg):
    """A Keras 1/2 file's meaning in Keras 3: its `hard_sigmoid` is Keras 2's; `batch_input_shape` on a Sequential's
    first layer (Keras 2.2, no InputLayer) is the batch shape, which Keras 3's legacy loader passes on as the input
    shape, batch axis included (legacy/saving/saving_utils.py model_from_config), so give it the shape without it."""
    if isinstance(cfg, dict):
        for k, v in list(cfg.items()):
            if k in ("activation", "recurrent_activation") and v == "hard_sigmoid":
                cfg[k] = "keras2_hard_sigmoid"
        c = cfg.get("config")
        if isinstance(c, dict) and cfg.get("class_name") != "InputLayer" and "batch_input_shape" in c:
            c["input_shape"] = c.pop("batch_input_shape")[1:]
        for v in cfg.values():
            keras2_semantics(v)
    elif isinstance(cfg, list):
        for v in cfg:
            keras2_semantics(v)


def nested_layers_with_module(cfg, inside=False):
    """A wrapper's or RNN's inner layer (Bidirectional's `layer`, an RNN's `cell`, StackedRNNCells' `cells`) in the
    legacy form {"class_name", "config"}: Keras 3 deserializes it with serialization_lib, which finds a built-in class
    only by its "module" (Could not locate class 'SimpleRNN'); name the module."""
    if isinstance(cfg, dict):
        if inside and "class_name" in cfg and "config" in cfg and "module" not in cfg:
            cfg["module"], cfg["registered_name"] = "keras.layers", None
        for k, v in cfg.items():
            nested_layers_with_module(v, inside or k in ("layer", "backward_layer", "cell", "cells"))
    elif isinstance(cfg, list):
        for v in cfg:
            nested_layers_with_module(v, inside)


def tf2(src):
    def edit(cfg):
        drop_tf2_only_options(cfg)
        keras2_semantics(cfg)
        nested_layers_with_module(cfg)
    return load(patch_h5_config(src, edit), compile=False, custom_objects={"keras2_hard_sigmoid": keras2_hard_sigmoid})


def sequential_node_indices(cfg):
    """tf.keras 2 counts a nested Sequential's own node (from its InputLayer) as node 0, so calls of it are nodes 1, 2,
    ...; Keras 3's Sequential has no such node (its loader subtracts one for a nested Functional only, and only in
    output_layers): number them from 0."""
    if isinstance(cfg, dict):
        c = cfg.get("config")
        if cfg.get("class_name") in ("Functional", "Model") and isinstance(c, dict) and "layers" in c:
            seqs = {e["name"] for e in c["layers"] if e.get("class_name") == "Sequential"}

            def fix(ref):
                if isinstance(ref, list) and len(ref) >= 3 and isinstance(ref[0], str) and isinstance(ref[1], int):
                    if ref[0] in seqs:
                        ref[1] -= 1
                elif isinstance(ref, list):
                    for r in ref:
                        fix(r)
            for e in c["layers"]:
                fix(e.get("inbound_nodes", []))
            fix(c["output_layers"])
        for v in cfg.values():
            sequential_node_indices(v)
    elif isinstance(cfg, list):
        for v in cfg:
            sequential_node_indices(v)


def tf2_by_name(src):
    """tf2, the weights then matched by layer name: Keras 3 rebuilds a functional model's layers in its own
    topological order and matches a legacy file's weights by position in it."""
    def edit(cfg):
        drop_tf2_only_options(cfg)
        keras2_semantics(cfg)
        nested_layers_with_module(cfg)
        sequential_node_indices(cfg)
    path = patch_h5_config(src, edit)
    from keras.src.legacy.saving import legacy_h5_format, saving_utils
    with h5py.File(path) as f:
        with keras.saving.custom_object_scope({"keras2_hard_sigmoid": keras2_hard_sigmoid}):
            m = saving_utils.model_from_config(json.loads(f.attrs["model_config"]))
        legacy_h5_format.load_weights_from_hdf5_group_by_name(f["model_weights"], m)
    return m


def hdf5_named_keras(src):
    return tf2(src)


# ------------------------------------------------------------------------------------------------ the cases
# (file, inputs, expected outputs, patch applied when Keras refuses the file as it is, or None)
def cases():
    act_x = res("activation_layers_x.npy")
    ari = res("arithmetic_ops_x.npy"), res("arithmetic_ops_y.npy", "arithmetic_ops_y2.npy")
    gi = res("get_item_x.npy"), res("get_item_y.npy", "get_item_y2.npy")
    att = res("keras3_attention_q.npy", "keras3_attention_v.npy", "keras3_attention_k.npy"), \
        res(*[f"keras3_attention_y{i}.npy" for i in range(4)])
    mha = res("keras3_mha_q.npy", "keras3_mha_v.npy", "keras3_mha_k.npy", "keras3_mha_am.npy"), \
        res(*[f"keras3_mha_y{i}.npy" for i in range(3)])
    bn = res("keras3_batch_normalization_x.npy"), res("keras3_batch_normalization_y.npy")
    conv = res("keras3_conv1d_x.npy"), res("keras3_conv1d_y.npy")
    norm = res("keras3_normalization_x.npy"), res("keras3_normalization_y.npy")
    mops = res("keras3_mask_ops_tokens.npy", "keras3_mask_ops_features.npy"), res("keras3_mask_ops_y.npy")
    cm = res("keras3_concat_masks_tokens.npy"), res("keras3_concat_masks_y.npy")
    nf = res("nested_functional_a.npy", "nested_functional_b.npy"), res("nested_functional_y.npy")
    ns = res("nested_sequential_x.npy"), res("nested_sequential_y.npy")
    cells = res("rnn_cells_x.npy"), res("rnn_cells_y.npy", "rnn_cells_h_gru.npy", "rnn_cells_h_simple.npy")
    stack = res("rnn_stack_x.npy"), res("rnn_stack_y.npy")
    k3f, k3s, k3g = jrnn("keras3_functional_h5"), jrnn("keras3_sequential_h5"), jrnn("keras3_gru_reset_before_h5")
    return [
        ("keras3_activation_layers.keras", act_x, res("keras3_activation_layers_y.npy"), None),
        ("keras3_activation_layers.h5", act_x, res("keras3_activation_layers_y.npy"), None),
        ("tfkeras_activation_layers.h5", act_x, res("tfkeras_activation_layers_y.npy"), tf2),
        ("keras3_arithmetic_ops.keras", *ari, None),
        ("keras3_arithmetic_ops.h5", *ari, ops_as_keras3_entries),
        ("tfkeras_arithmetic_ops.h5", ari[0], ari[1][:1], tf2),
        ("keras3_get_item.keras", *gi, None),
        ("keras3_get_item.h5", *gi, ops_as_keras3_entries),
        ("tfkeras_get_item.h5", *gi, tf2),
        ("keras3_attention.keras", *att, None),
        ("keras3_attention.h5", *att, None),
        ("keras3_mha.keras", *mha, None),
        ("keras3_mha.h5", *mha, None),
        ("keras3_mha_302.keras", *mha, None),
        ("tfkeras_mha.h5", res("tfkeras_mha_q.npy", "tfkeras_mha_v.npy"), res("tfkeras_mha_y.npy"), tf2),
        ("keras3_batch_normalization.keras", *bn, None),
        ("keras3_batch_normalization.h5", *bn, None),
        ("keras3_conv1d.keras", *conv, None),
        ("keras3_conv1d.h5", *conv, None),
        ("keras3_normalization.keras", *norm, None),
        ("keras3_normalization.h5", *norm, None),
        ("keras3_mask_ops.keras", *mops, None),
        ("keras3_mask_ops.h5", *mops, ops_as_keras3_entries),
        ("keras3_concat_masks.keras", *cm, None),
        ("keras3_concat_masks.h5", *cm, ops_as_keras3_entries),
        ("nested_functional.keras", *nf, None),
        ("nested_functional.h5", *nf, None),
        ("tfkeras_nested_functional.h5", *nf, tf2_by_name),
        ("keras22_nested_functional.h5", *nf, tf2_by_name),
        ("nested_sequential.keras", *ns, None),
        ("nested_sequential.h5", *ns, None),
        ("tfkeras_nested_sequential.h5", *ns, tf2),
        ("rnn_cells.keras", *cells, None),
        ("rnn_cells.h5", *cells, None),
        ("rnn_stack.keras", *stack, None),
        ("rnn_stack.h5", *stack, None),
        ("tfkeras_rnn_stack.h5", *stack, tf2),
        ("keras3_functional.keras", *k3f, None),
        ("keras3_functional.h5", *k3f, None),
        ("keras3_sequential.keras", *k3s, None),
        ("keras3_sequential.h5", *k3s, None),
        ("keras3_gru_reset_before.keras", *k3g, None),
        ("keras3_gru_reset_before.h5", *k3g, None),
        ("tfkeras_gru.h5", *jrnn("tfkeras_gru_h5"), tf2),
        ("hdf5_named.keras", *jrnn("hdf5_named_keras"), hdf5_named_keras),
        ("functional_multi.h5", *jrnn("functional_multi_h5"), tf2_by_name),
        ("functional_merge.h5", *jrnn("functional_merge_h5"), tf2),
        ("sequential_embedding.h5", *jrnn("sequential_embedding_h5"), tf2),
        ("keras22_gru_reset_before.h5", *jrnn("keras22_gru_reset_before_h5"), tf2),
        ("jrnn_legacy_rnn.h5", res("jrnn_legacy_rnn_x.npy"), res("jrnn_legacy_rnn_y.npy"), tf2),
        ("tfkeras213.keras", res("tfkeras213_x.npy"), res("tfkeras213_y.npy"), None),
        ("tfkeras214.keras", res("tfkeras214_x.npy"), res("tfkeras214_y.npy"), None),
        ("keras22_cudnn.h5", res("keras22_cudnn_x.npy"), res("keras22_cudnn_y.npy"), None),
        ("keras1_sequential.h5", res("keras1_sequential_x.npy"), res("keras1_sequential_y.npy"), None),
        ("keras1_functional.h5", res("keras1_functional_x.npy"), res("keras1_functional_y.npy"), None),
        ("jrnn_hard_sigmoids_7f03041.keras", [], [], None),
        ("jrnn_adam_0298ca0.keras", [], [], None),
    ]


def check_model(name, xs, ys, patch):
    path = os.path.join(R, name)
    try:
        m = load(path)
        how = "loads"
        if not ys:
            return f"{how} (no outputs to compare)"
        result = f"{how}: {verdict(diff(predict(m, xs), ys))}"
        if patch is None or result.startswith("loads: agrees"):
            return result
    except Exception as e:
        if patch is None:
            return f"REFUSED {reason(e)}"
        result = f"REFUSED {reason(e)}"
    how = f"{result}; with {patch.__name__} patched"
    try:
        m = patch(path)
    except Exception as e2:
        return f"{how}: still REFUSED {reason(e2)}"
    try:
        return f"{how}: {verdict(diff(predict(m, xs), ys))}"
    except Exception as e:
        return f"{how}: predict FAILED {reason(e)}"


def check_weights(name, xs, ys):
    """<stem>.weights.h5 into the model built from <stem>.keras's config (its weights zeroed first)."""
    stem = name[:-len(".weights.h5")]
    with zipfile.ZipFile(os.path.join(R, stem + ".keras")) as z:
        cfg = z.read("config.json").decode()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            m = keras.models.model_from_json(cfg)
            for v in m.weights:
                v.assign(np.zeros(v.shape, v.dtype))
            m.load_weights(os.path.join(R, name))
        return f"loads into the model of {stem}.keras's config: {verdict(diff(predict(m, xs), ys))}"
    except Exception as e:
        return f"REFUSED {reason(e)}"


def check_resume(name, npz, steps, key):
    """Keras' next steps from the file's optimizer state vs the generator's float64 replay (*_after.npz)."""
    z = np.load(os.path.join(R, npz))
    try:
        m = load(os.path.join(R, name))
    except Exception as e:
        return f"REFUSED {reason(e)}"
    it0 = int(np.asarray(m.optimizer.iterations))
    for _ in range(steps):
        m.train_on_batch(z["x"], z["y"])
    got, want = m.get_weights(), [z[f"{key}_{i}"] for i in range(len(m.get_weights()))]
    d = max(float(np.max(np.abs(g - w))) for g, w in zip(got, want))
    return f"loads at iteration {it0}; {steps} Keras step(s) vs the replay: {'agrees' if d <= 1e-6 else 'DIFFERS'} " \
           f"(max abs diff {d:.1e})"


class KerasLog(list):
    """What Keras logs through absl while it loads (it reports a skipped optimizer state there, not by raising)."""
    def __enter__(self):
        import logging
        self.handler = logging.Handler()
        self.handler.emit = lambda r: self.append(r.getMessage().splitlines()[0][:120])
        logging.getLogger("absl").addHandler(self.handler)
        return self

    def __exit__(self, *a):
        import logging
        logging.getLogger("absl").removeHandler(self.handler)


def check_tf2_optimizer_state(name):
    """A tf.keras 2.11-2.15 .h5's optimizer_weights: Keras 3's legacy loader hands them to set_weights."""
    def edit(cfg):
        drop_tf2_only_options(cfg)
    path = patch_h5_config(os.path.join(R, name), edit)
    with h5py.File(path, "a") as f:   # Keras 3.15.1 cannot deserialize the loss "mse" of a legacy training_config
        t = json.loads(f.attrs["training_config"])
        t["loss"] = {"mse": "mean_squared_error"}.get(t["loss"], t["loss"])
        f.attrs["training_config"] = json.dumps(t).encode()
    with KerasLog() as log:
        try:
            load(path)
        except Exception as e:
            return f"REFUSED {reason(e)}"
    said = [m for m in log if "optimizer" in m]
    return "with time_major dropped: loads, " + ("optimizer state: " + "; ".join(said) if said else "optimizer state restored")


def check_slots(name, expect):
    """Each optimizer variable Keras restored, by its name, against the constant the generator wrote for it."""
    try:
        m = load(os.path.join(R, name))
    except Exception as e:
        return f"REFUSED {reason(e)}"
    bad = []
    for v in m.optimizer.variables:
        n = v.path.split("/")[-1]
        for suffix, base in expect.items():
            if n.endswith(suffix):
                idx = 0 if "kernel" in n else 1
                if not np.all(np.asarray(v) == base + idx):
                    bad.append(f"{n}={np.asarray(v).ravel()[:1]}")
    return "loads; every slot holds the value written for it: agrees" if not bad else "loads; DIFFERS: " + ", ".join(bad)


def main():
    rows = []
    for name, xs, ys, patch in cases():
        rows.append((name, check_model(name, xs, ys, patch)))
    for name in sorted(os.path.basename(p) for p in glob.glob(f"{R}/*.weights.h5")):
        stem = name[:-len(".weights.h5")]
        match = {c[0]: c for c in cases()}.get(stem + ".keras")
        if match is None or not os.path.exists(os.path.join(R, stem + ".keras")):
            rows.append((name, "no Keras 3 config beside it (not a Keras 3 file)"))
            continue
        rows.append((name, check_weights(name, match[1], match[2])))
    rows.append(("optstate_keras3_adam.keras", check_resume("optstate_keras3_adam.keras", "optstate_keras3_adam_after.npz", 1, "w1")))
    rows.append(("optstate_keras3_adam.keras (2 steps)", check_resume("optstate_keras3_adam.keras", "optstate_keras3_adam_after.npz", 2, "w2")))
    rows.append(("optstate_keras3_sgd.keras", check_resume("optstate_keras3_sgd.keras", "optstate_keras3_sgd_after.npz", 2, "w2")))
    rows.append(("optstate_tfkeras_adam.h5", check_tf2_optimizer_state("optstate_tfkeras_adam.h5")))
    slots = {"_average": 10, "_gradient_accumulator": 20, "_momentum": 30, "_velocity": 40}
    rows.append(("optstate_ema_accum_3_10.keras", check_slots("optstate_ema_accum_3_10.keras", slots)))
    rows.append(("optstate_ema_accum_3_9.keras", check_slots("optstate_ema_accum_3_9.keras", slots)))
    rows.append(("optstate_nadam_3_9.keras", check_slots("optstate_nadam_3_9.keras", slots)))
    rows.append(("optstate_nadam_no_version.keras", check_slots("optstate_nadam_no_version.keras", slots)))
    for n in ("optstate_short.keras", "optstate_wrong_shape.keras", "optstate_nested.keras"):
        with warnings.catch_warnings(record=True) as ws:
            warnings.simplefilter("always")
            try:
                keras.models.load_model(os.path.join(R, n))
                r = "loads"
            except Exception as e:
                r = f"REFUSED {reason(e)}"
        said = sorted({str(w.message).splitlines()[0][:140] for w in ws if "optimizer" in str(w.message)})
        rows.append((n, r + (f"; Keras warns: {said}" if said else "")))
    # the nested model's slots: every momentum 0.01, every velocity 0.001 (make_optimizer_state_files.py nested_model)
    m = load(os.path.join(R, "optstate_nested.keras"))
    ok = all(np.allclose(np.asarray(v), 0.01 if v.path.endswith("_momentum") else 0.001)
             for v in m.optimizer.variables if v.path.endswith(("_momentum", "_velocity")))
    rows.append(("optstate_nested.keras (slots)", f"{len(m.optimizer.variables)} optimizer variables, iteration "
                 f"{int(np.asarray(m.optimizer.iterations))}, slots as written: {'agrees' if ok else 'DIFFERS'}"))
    for name, r in rows:
        print(f"{name}: {r}")


if __name__ == "__main__":
    main()
