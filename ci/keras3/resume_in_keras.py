"""Loads jrnn's trained .keras files in Keras 3, takes one step, and compares with jrnn's own next step."""
import os, glob, warnings
os.environ["KERAS_BACKEND"] = "jax"
import sys
import numpy as np, keras
d = sys.argv[1]
x, y = np.load(f"{d}/x.npy"), np.load(f"{d}/y.npy")
for o in ["adam", "sgdm", "rmsprop", "nadam", "adamw", "adagrad"]:
    with warnings.catch_warnings(record=True) as ws:
        warnings.simplefilter("always")
        m = keras.models.load_model(f"{d}/{o}.keras")
        it = int(np.asarray(m.optimizer.iterations))
        m.train_on_batch(x, y)
        after = [np.load(f"{d}/{o}_after_{i}.npy") for i in range(len(m.get_weights()))]
        err = max(float(np.max(np.abs(a - b))) for a, b in zip(m.get_weights(), after))
        msgs = sorted({str(w.message)[:100] for w in ws if "copy keyword" not in str(w.message)})
        print(f"{o}: iterations {it}, one Keras step vs jrnn's 4th step max|diff| {err:.2e} warn={msgs}")
