"""A compiled, never-trained LossScaleOptimizer model as Keras 3.15.1 saves it, for KerasLossScaleTest: its optimizer is
not built, so optimizer/vars holds the wrapper's iteration and learning_rate then the inner Adam's two (no step_counter,
no dynamic_scale), beside optimizer/inner_optimizer/vars. Loading it, Keras' wrapper starts at step_counter 0 and its
initial_scale (printed and written to lso_unbuilt_state.json). The same model's .h5 (lso_unbuilt.h5) lists the wrapper's
iteration and learning_rate, then Adam's, in optimizer_weights. Run from this folder with KERAS_BACKEND=jax."""
import os, json, zipfile, io
os.environ.setdefault("KERAS_BACKEND", "jax")
import numpy as np, keras, h5py

keras.utils.set_random_seed(7)
m = keras.Sequential([keras.Input((3, 2)), keras.layers.LSTM(3), keras.layers.Dense(1)])
m.compile(optimizer=keras.optimizers.LossScaleOptimizer(keras.optimizers.Adam(0.01), initial_scale=4096.0), loss="mse")
m.save("lso_unbuilt.keras")
m.save("lso_unbuilt.h5")
with zipfile.ZipFile("lso_unbuilt.keras") as z:
    f = h5py.File(io.BytesIO(z.read("model.weights.h5")), "r")
    own = [float(np.asarray(f["optimizer/vars"][str(i)])) for i in range(len(f["optimizer/vars"]))]
    inner = len(f["optimizer/inner_optimizer/vars"])
with h5py.File("lso_unbuilt.h5", "r") as f:
    h5_names = [n.decode() if isinstance(n, bytes) else n for n in f["optimizer_weights"].attrs["weight_names"]]
o = keras.models.load_model("lso_unbuilt.keras").optimizer
state = {"optimizer_vars": own, "inner_vars": inner, "h5_weight_names": h5_names,
         "loaded_step_counter": int(np.asarray(o.step_counter)), "loaded_dynamic_scale": float(np.asarray(o.dynamic_scale))}
print(state)
with open("lso_unbuilt_state.json", "w") as out:
    json.dump(state, out, indent=1)
