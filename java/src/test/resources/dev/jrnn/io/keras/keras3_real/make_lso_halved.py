"""A LossScaleOptimizer whose step counter and dynamic scale are not functions of its update count, saved by Keras 3.15.1
(KERAS_BACKEND=jax), for KerasLossScaleTest. Run from this folder.

lso_halved.keras: lso.keras's model (GRU(4, mixed_float16) -> Dense(2, float32), the same seed) compiled with
LossScaleOptimizer(Adam(0.01), initial_scale=2**40, dynamic_growth_steps=20), TRAINED steps on lso_x.npy / lso_y.npy.
Its float16 gradients overflow at the huge scale: each such step halves the scale, resets the counter and leaves Adam
unmoved, so the file's counter, scale and update count all differ (printed, and in lso_halved_state.json "loaded").
lso_halved_state.json "trained": Keras' state after MORE further train_on_batch calls on the loaded file, every one of
them finite (checked: the update count advances by MORE; they cross one wrap of the counter, doubling the scale), which
jrnn's training must reproduce.
"""
import os, sys, json
os.environ.setdefault("KERAS_BACKEND", "jax")
import numpy as np, keras
from keras import layers
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from keras_zip import deflate

TRAINED, MORE = 50, 15


def state(o):
    return {"class_name": type(o).__name__, "step_counter": int(np.asarray(o.step_counter)),
            "dynamic_scale": float(np.asarray(o.dynamic_scale)), "inner_iterations": int(np.asarray(o.inner_optimizer.iterations))}


x, y = np.load("lso_x.npy"), np.load("lso_y.npy")
keras.config.set_dtype_policy("mixed_float16")
keras.utils.set_random_seed(2)
m = keras.Sequential([keras.Input((5, 3)), layers.GRU(4), layers.Dense(2, dtype="float32")])
m.compile(keras.optimizers.LossScaleOptimizer(keras.optimizers.Adam(0.01), initial_scale=2.0**40, dynamic_growth_steps=20),
          keras.losses.MeanSquaredError())
for _ in range(TRAINED): m.train_on_batch(x, y)
print("saved:", state(m.optimizer))
m.save("lso_halved.keras")
deflate("lso_halved.keras")
keras.config.set_dtype_policy("float32")
k = keras.models.load_model("lso_halved.keras")
loaded = state(k.optimizer)
for _ in range(MORE): k.train_on_batch(x, y)
trained = state(k.optimizer)
assert trained["inner_iterations"] == loaded["inner_iterations"] + MORE, "a further step was not finite"
assert len({loaded["step_counter"], loaded["inner_iterations"]}) == 2 and loaded["dynamic_scale"] != 2.0**40
with open("lso_halved_state.json", "w") as f:
    json.dump({"steps": MORE, "loaded": loaded, "trained": trained}, f, indent=1)
    f.write("\n")
print(loaded, trained)
