"""Files of Keras' bfloat16 and mixed_float16 dtype policies saved by Keras 3.15.1 (KERAS_BACKEND=jax), for
KerasDtypePolicyFilesTest. Run from this folder.

bf16.keras / bf16.weights.h5 / bf16.h5: LSTM(4) -> Dense(2) under the global "bfloat16" policy (recurrent_initializer
glorot_uniform: Keras on TensorFlow cannot run its orthogonal init in bfloat16), compiled with Adam(0.01), 3 steps on
bf16_x.npy / bf16_y.npy. Keras' H5IOStore writes every bfloat16 variable (weights and Adam's moments) as a 2-byte HDF5
opaque datatype with an empty tag and the attribute dtype="bfloat16"; the legacy .h5 writes the same datatype without
the attribute (and Keras 3.15.1 cannot load that file back: the script prints its failure).
bf16_w0.npy ... bf16_w4.npy: the weights as float32 (each bfloat16 value exactly); bf16_pred.npy: a float32 Keras model with those
weights predicting bf16_x.npy (jrnn computes in float32); bf16_iterations: printed below (3).

lso.keras / lso.h5: GRU(4, mixed_float16) -> Dense(2, float32), compiled with an explicit
LossScaleOptimizer(Adam(0.01), initial_scale=1024, dynamic_growth_steps=50), 3 steps on lso_x.npy / lso_y.npy.
Keras' load_model of the .keras restores the LossScaleOptimizer and its inner Adam (iterations 3, moments; the file
keeps Adam's variables at optimizer/inner_optimizer/vars and the wrapper's flat list, its own four variables then
Adam's, at optimizer/vars). Its load of the .h5 starts the optimizer afresh (iterations 0, printed below), as for any
optimizer in a Keras 3 .h5; the .h5's optimizer_weights hold the same flat list. lso_after.npy: the
weights (flattened in get_weights order) after one more step on the same batch, replayed in float32 from the restored
inner Adam state (jrnn computes in float32; the replay is what jrnn's resumed step should match); lso_after_mixed.npy:
Keras' own mixed_float16 resume of that step, for reference (within ~3e-5 of the replay, printed below).
The .keras files are re-zipped with deflate (keras_zip.deflate), as the other files here.
"""
import os, sys, json, zipfile
os.environ.setdefault("KERAS_BACKEND", "jax")
import numpy as np, keras
from keras import layers
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from keras_zip import deflate

rng = np.random.default_rng(30)


def flat(ws):
    return np.concatenate([np.asarray(w, "float64").ravel() for w in ws])


def f32cfg(c):
    if isinstance(c, dict): return {k: ("float32" if k == "dtype" else f32cfg(v)) for k, v in c.items()}
    if isinstance(c, list): return [f32cfg(v) for v in c]
    return c


# bfloat16
keras.config.set_dtype_policy("bfloat16")
keras.utils.set_random_seed(1)
x = rng.normal(size=(4, 5, 3)).astype("float32")
y = rng.normal(size=(4, 2)).astype("float32")
m = keras.Sequential([keras.Input((5, 3)), layers.LSTM(4, recurrent_initializer="glorot_uniform"), layers.Dense(2)])
m.compile(keras.optimizers.Adam(0.01), "mse")
for _ in range(3): m.train_on_batch(x, y)
m.save("bf16.keras"); m.save("bf16.h5"); m.save_weights("bf16.weights.h5")
deflate("bf16.keras")
np.save("bf16_x.npy", x); np.save("bf16_y.npy", y)
ws = [np.asarray(w.numpy().astype("float32")) for w in m.weights]
for i, w in enumerate(ws): np.save(f"bf16_w{i}.npy", w)
keras.config.set_dtype_policy("float32")
m32 = keras.models.model_from_json(json.dumps(f32cfg(json.loads(m.to_json()))))
m32.set_weights(ws)
np.save("bf16_pred.npy", np.asarray(m32.predict(x, verbose=0), "float64"))
print("bf16 iterations", int(m.optimizer.iterations.numpy()), "variable dtypes", sorted({str(v.dtype) for v in m.optimizer.variables}))
for f in ("bf16.keras", "bf16.weights.h5", "bf16.h5"):
    try:
        if f.endswith(".weights.h5"):
            r = keras.models.load_model("bf16.keras")
            for w in r.weights: w.assign(np.zeros(w.shape, w.dtype))
            r.load_weights(f)
        else:
            r = keras.models.load_model(f)
        print(f, "Keras loads: weights equal", all(np.array_equal(np.asarray(a, "float32"), b) for a, b in zip(r.get_weights(), ws)))
    except Exception as e:
        print(f, "Keras fails:", type(e).__name__, str(e)[:120])

# mixed_float16 with an explicit LossScaleOptimizer
keras.config.set_dtype_policy("mixed_float16")
keras.utils.set_random_seed(2)
x = rng.normal(size=(4, 5, 3)).astype("float32")
y = rng.normal(size=(4, 2)).astype("float32")
m = keras.Sequential([keras.Input((5, 3)), layers.GRU(4), layers.Dense(2, dtype="float32")])
# a loss object: Keras 3.15.1's .h5 loader cannot deserialize the string "mse" ("keras.metrics.mse" is not a KerasSaveable)
m.compile(keras.optimizers.LossScaleOptimizer(keras.optimizers.Adam(0.01), initial_scale=1024, dynamic_growth_steps=50),
          keras.losses.MeanSquaredError())
for _ in range(3): m.train_on_batch(x, y)
m.save("lso.keras"); m.save("lso.h5")
np.save("lso_x.npy", x); np.save("lso_y.npy", y)
keras.config.set_dtype_policy("float32")
for f in ("lso.h5", "lso.keras"):
    k = keras.models.load_model(f)
    o = k.optimizer
    print(f, "reloaded:", type(o).__name__, "iterations", int(o.iterations.numpy()), "inner", type(o.inner_optimizer).__name__,
          int(o.inner_optimizer.iterations.numpy()), "scale", float(o.dynamic_scale.numpy()))
print("lso optimizer config", json.loads(zipfile.ZipFile("lso.keras").read("config.json"))["compile_config"]["optimizer"])
m32 = keras.models.model_from_json(json.dumps(f32cfg(json.loads(k.to_json()))))
m32.set_weights([np.asarray(w, "float32") for w in k.get_weights()])
m32.compile(keras.optimizers.Adam(0.01), "mse")
m32.optimizer.build(m32.trainable_variables)
for v, s in zip(m32.optimizer.variables, o.inner_optimizer.variables): v.assign(np.asarray(s))
w0 = flat(m32.get_weights())
m32.train_on_batch(x, y)
after = flat(m32.get_weights())
np.save("lso_after.npy", after)
k.train_on_batch(x, y)
mixed = flat(k.get_weights())
np.save("lso_after_mixed.npy", mixed)
print("lso: largest step", np.abs(after - w0).max(), "float32 replay vs Keras' mixed resume", np.abs(after - mixed).max())
deflate("lso.keras")
