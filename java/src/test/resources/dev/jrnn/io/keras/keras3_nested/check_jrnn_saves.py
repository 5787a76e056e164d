"""Keras 3.15.1 loading what jrnn's model.save wrote for the nested models (SaveNestedBack.java): jrnn_<n>.keras and
jrnn_<n>.h5, each given <n>_x*.npy; Keras' flat predictions go to keras_on_jrnn_<n>_<keras|h5>_y<k>.npy and are compared
with Keras' own on the original file (<n>_y*.npy). jrnn writes the flattened structure (a flat list of inputs and of
outputs; since session 26 one bare ref where the file had one, as Keras 3 writes Model(x, ...)), which Keras loads as
such. Run from this folder: KERAS_BACKEND=jax python check_jrnn_saves.py
"""
import glob, os
os.environ.setdefault("KERAS_BACKEND", "jax")
import numpy as np, keras
assert keras.__version__ == "3.15.1", keras.__version__
for n in ["out", "cells", "inp", "dict", "sub"]:
    xs = [np.load(f"{n}_x{k}.npy") for k in range(len(glob.glob(f"{n}_x*.npy")))]
    want = [np.load(f"{n}_y{k}.npy") for k in range(len(glob.glob(f"{n}_y*.npy")))]
    for ext in ["keras", "h5"]:
        keras.backend.clear_session()
        f = f"jrnn_{n}.{ext}"
        try:
            m = keras.models.load_model(f, compile=False)
        except Exception as e:   # tf.keras 2's initial-state call form, which Keras 3's legacy loader does not take
            print(f, "refused by Keras:", type(e).__name__, str(e).splitlines()[0][:160])
            if os.path.exists(f): os.remove(f)
            continue
        y = m.predict(xs if len(xs) > 1 else xs[0], verbose=0)
        print(f, "inputs", [t.name for t in m.inputs], "outputs", keras.tree.map_structure(lambda a: a.shape, y))
        flat = keras.tree.flatten(y)
        assert len(flat) == len(want)
        for k, a in enumerate(flat): np.save(f"keras_on_jrnn_{n}_{ext}_y{k}.npy", np.asarray(a))
        print("   max |Keras on jrnn's file - Keras on its own| =", max(float(np.max(np.abs(a - b))) for a, b in zip(flat, want)))
