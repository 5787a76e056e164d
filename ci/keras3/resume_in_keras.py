"""Loads jrnn's trained .keras and .h5 files in Keras 3, takes one step, and compares with jrnn's own next step.
An .h5 keeps the optimizer's variables in Keras 3's optimizer_weights layout below jrnn_state/, where Keras' loader does
not look (Keras 3.15.1's legacy loader builds the optimizer over model._trainable_variables, none, and its next step
fails, on the .h5 Keras saved too): this script assigns them as that loader would over model.trainable_variables, so
Keras' own set_weights checks the order and the shapes."""
import os, glob, warnings
os.environ["KERAS_BACKEND"] = "jax"
import sys
import numpy as np, keras
d = sys.argv[1]
x, y = np.load(f"{d}/x.npy"), np.load(f"{d}/y.npy")
runs = [(o + ext.replace(".keras", "").replace(".", "_"), o + ext, x, y, o) for ext in [".keras", ".h5"] for o in ["adam", "sgdm", "rmsprop", "nadam", "adamw", "adagrad"]
        if not (ext == ".h5" and o == "adamw")]
if os.path.exists(f"{d}/mha.h5"):   # MultiHeadAttention with RMSprop(momentum, centered), as .h5
    runs.append(("mha_h5", "mha.h5", [np.load(f"{d}/mha_x0.npy"), np.load(f"{d}/mha_x1.npy")], np.load(f"{d}/mha_y.npy"), "mha"))
if os.path.exists(f"{d}/nest.keras"):   # Keras' file of nested models, resumed in jrnn one step and saved flat
    runs.append(("nest_keras", "nest.keras", np.load(f"{d}/nest_x.npy"), np.load(f"{d}/nest_y.npy"), "nest"))
for label, fname, xs, ys, o in runs:
    with warnings.catch_warnings(record=True) as ws:
        warnings.simplefilter("always")
        m = keras.models.load_model(f"{d}/{fname}")
        if fname.endswith(".h5"):
            import h5py
            from keras.src.legacy.saving import legacy_h5_format
            with h5py.File(f"{d}/{fname}") as f:
                assert "optimizer_weights" not in f, "jrnn's .h5 keeps its optimizer variables below jrnn_state/"
                m.optimizer.build(m.trainable_variables)
                m.optimizer.set_weights(legacy_h5_format.load_optimizer_weights_from_hdf5_group(f["jrnn_state"]))
        it = int(np.asarray(m.optimizer.iterations))
        m.train_on_batch(xs, ys)
        after = [np.load(f"{d}/{o}_after_{i}.npy") for i in range(len(m.get_weights()))]
        err = max(float(np.max(np.abs(a - b))) for a, b in zip(m.get_weights(), after))
        msgs = sorted({str(w.message)[:100] for w in ws if "copy keyword" not in str(w.message)})
        print(f"{label}: iterations {it}, one Keras step vs jrnn's 4th step max|diff| {err:.2e} warn={msgs}")
