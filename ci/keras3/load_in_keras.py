"""Loads every jrnn .keras file of a folder (or those whose name matches argv[2]) in Keras 3 (and its .weights.h5), comparing
predictions with jrnn's."""
import os, sys, glob, warnings
os.environ.setdefault("KERAS_BACKEND", "jax")
import numpy as np, keras
d = sys.argv[1]
for p in sorted(glob.glob(d + "/" + (sys.argv[2] if len(sys.argv) > 2 else "*") + ".keras")):
    n = os.path.basename(p)[:-6]
    xs = [np.load(q) for q in sorted(glob.glob(f"{d}/{n}_x*.npy"))]
    ys = [np.load(q) for q in sorted(glob.glob(f"{d}/{n}_y*.npy"))]
    with warnings.catch_warnings(record=True) as ws:
        warnings.simplefilter("always")
        try:
            keras.backend.clear_session()   # each file as in a fresh process: Keras names ops process-wide
            m = keras.models.load_model(p)
            y = m.predict(xs if len(xs) > 1 else xs[0], verbose=0)
            y = y if isinstance(y, list) else [y]
            err = max(float(np.max(np.abs(a - b))) for a, b in zip(y, ys))
            opt = getattr(m, "optimizer", None)
            it = int(opt.iterations.numpy()) if opt is not None and hasattr(opt, "iterations") else None
            w = os.path.join(d, n + "_w.weights.h5")
            werr = None
            if os.path.exists(w):
                m2 = keras.models.load_model(p)
                for v in m2.weights: v.assign(np.zeros(v.shape, v.dtype) + 0.01)
                m2.load_weights(w)
                y2 = m2.predict(xs if len(xs) > 1 else xs[0], verbose=0); y2 = y2 if isinstance(y2, list) else [y2]
                werr = max(float(np.max(np.abs(a - b))) for a, b in zip(y2, ys))
            herr = hwerr = None
            h = os.path.join(d, n + ".h5")
            if os.path.exists(h):   # tf.keras 2's legacy layout
              try:
                m3 = keras.models.load_model(h, compile=False)
                y3 = m3.predict(xs if len(xs) > 1 else xs[0], verbose=0); y3 = y3 if isinstance(y3, list) else [y3]
                herr = max(float(np.max(np.abs(a - b))) for a, b in zip(y3, ys))
                for v in m3.weights: v.assign(np.zeros(v.shape, v.dtype) + 0.01)
                m3.load_weights(os.path.join(d, n + "_w.h5"))
                y4 = m3.predict(xs if len(xs) > 1 else xs[0], verbose=0); y4 = y4 if isinstance(y4, list) else [y4]
                hwerr = max(float(np.max(np.abs(a - b))) for a, b in zip(y4, ys))
              except Exception as e:   # Keras 3 reading tf.keras 2's .h5: not every layout (initial states) loads
                herr = f"FAIL {type(e).__name__}: {str(e)[:80]}"
            msgs = sorted({str(x.message)[:120] for x in ws if "decay" not in str(x.message)})
            print(f"{n}: ok diff={err:.1e} weights={werr if werr is None else f'{werr:.1e}'} h5={herr if herr is None or isinstance(herr, str) else f'{herr:.1e}'} h5w={hwerr if hwerr is None else f'{hwerr:.1e}'} opt={type(opt).__name__ if opt else None} it={it} warn={msgs}")
        except Exception as e:
            print(f"{n}: FAIL {type(e).__name__}: {str(e)[:400]}")
