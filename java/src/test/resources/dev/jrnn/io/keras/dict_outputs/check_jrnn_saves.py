"""Keras 3.15.1 loading what jrnn's model.save wrote for the dict-output models (SaveDictBack.java): jrnn_<n>.keras and
jrnn_<n>.h5 must load with the dict of outputs under the same keys (to the same layers), predict a dict of Keras' own
values (expected.json), and, compiled, evaluate a dict y, unweighted and with a dict sample_weight, as Keras' own file
(the outside tester's D5: jrnn wrote a list, so Keras predicted a list and the dict sample_weight gave KeyError 0). The
.h5 is compiled too; Keras logs its "mae" metric as "mean_absolute_error", as it does for its own .h5.
Run from this folder after SaveDictBack.java: KERAS_BACKEND=jax python check_jrnn_saves.py (or the tensorflow backend).
Session 31: every check held on jax (predictions equal to 0.0) and tensorflow (to 6e-8), evaluate to 1e-5; on main's
saves the first check failed (jrnn_same.keras: m.output a list). Then jrnn_built.keras / .h5, a model built in jrnn (new
Model(List, Map)), are checked against jrnn's own predictions and evaluations (jrnn_built.json): held on jax and tensorflow
(predictions to 6e-8, evaluate to 1e-5).
Session 32: the dict's order: jrnn_renamed's output dict in Keras' own file's order (b_out, a_out, which is not sorted)
and jrnn_built's in its LinkedHashMap's (b_out, a_out), with output_names as Keras' (sorted-key order: zeta, alpha);
jrnn_built's evaluate_sw from evaluateAll's sample weights by key, its predict from predictDict. Held on jax and tensorflow.
"""
import json, os
os.environ.setdefault("KERAS_BACKEND", "jax")
import numpy as np, keras
assert keras.__version__ == "3.15.1", keras.__version__
exp = json.load(open("expected.json"))
x, x2 = np.load("x.npy"), np.load("x2.npy")
yp, yk, sw, sw2 = (np.load(n + ".npy") for n in ("y_price", "y_kind", "sw", "sw2"))
for n, keys, xs in [("same", ("price", "kind"), x), ("renamed", ("b_out", "a_out"), {"q": x, "p": x2})]:
    y = {keys[0]: yp, keys[1]: yk}
    keras_file = keras.models.load_model(f"{n}.keras")
    layers = {k: t._keras_history[0].name for k, t in keras_file.output.items()}
    for ext in (".keras", ".h5"):
        m = keras.models.load_model(f"jrnn_{n}{ext}")
        assert isinstance(m.output, dict), (n, ext, m.output)
        assert {k: t._keras_history[0].name for k, t in m.output.items()} == layers, (n, ext, m.output)
        # the dict's own order kept (renamed's b_out before a_out; jrnn wrote it sorted before session 32)
        assert list(m.output) == list(keras_file.output), (n, ext, list(m.output), list(keras_file.output))
        assert m.output_names == keras_file.output_names, (n, ext, m.output_names)
        p = m.predict(xs, verbose=0)
        assert isinstance(p, dict) and sorted(p) == sorted(keys), (n, ext, type(p))
        diff = max(float(np.max(np.abs(np.asarray(p[k]).ravel() - np.asarray(exp[n]["predict"][k])))) for k in keys)
        assert diff < 1e-6, (n, ext, diff)
        r = m.evaluate(xs, y, verbose=0, return_dict=True)
        rw = m.evaluate(xs, y, sample_weight={keys[0]: sw, keys[1]: sw2}, verbose=0, return_dict=True)
        for got, want in ((r, exp[n]["evaluate"]), (rw, exp[n]["evaluate_sw"])):
            if ext == ".h5":   # Keras names a legacy .h5's "mae" by its full name as it loads it (its own .h5 alike)
                want = {k.replace("_mae", "_mean_absolute_error"): v for k, v in want.items()}
            assert sorted(got) == sorted(want) and all(abs(got[k] - v) < 1e-5 for k, v in want.items()), (n, ext, got, want)
        print(f"jrnn_{n}{ext}: outputs {layers}, predict a dict, diff {diff}, evaluate {r}, with dict sample_weight {rw}")
# a model built in jrnn (new Model(List, Map), SaveDictBack.java): Keras predicts and evaluates jrnn's own numbers
built = json.load(open("jrnn_built.json"))
y, swd = {"b_out": yp, "a_out": yk}, {"b_out": sw, "a_out": sw2}
for ext in (".keras", ".h5"):
    m = keras.models.load_model(f"jrnn_built{ext}")
    assert isinstance(m.output, dict), (ext, m.output)
    outs = {k: t._keras_history[0].name for k, t in m.output.items()}
    assert outs == {"b_out": "alpha", "a_out": "zeta"} and list(outs) == ["b_out", "a_out"], (ext, outs)   # its order kept
    p = m.predict(x, verbose=0)
    assert isinstance(p, dict) and sorted(p) == ["a_out", "b_out"], (ext, type(p))
    diff = max(float(np.max(np.abs(np.asarray(p[k]).ravel() - np.asarray(built["predict"][k])))) for k in p)
    assert diff < 1e-6, (ext, diff)
    r = m.evaluate(x, y, verbose=0, return_dict=True)
    rw = m.evaluate(x, y, sample_weight=swd, verbose=0, return_dict=True)
    for got, want in ((r, built["evaluate"]), (rw, built["evaluate_sw"])):
        if ext == ".h5":
            want = {k.replace("_mae", "_mean_absolute_error"): v for k, v in want.items()}
        assert sorted(got) == sorted(want) and all(abs(got[k] - v) < 1e-5 for k, v in want.items()), (ext, got, want)
    print(f"jrnn_built{ext}: outputs {outs}, predict a dict, diff {diff}, evaluate {r}, with dict sample_weight {rw}")
