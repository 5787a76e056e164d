"""Keras 3.15.1's LossScaleOptimizer state after training lso.keras (see make_dtype_policies.py) for KerasLossScaleTest:
the wrapper's own step_counter and dynamic_scale, which a load + train + save must carry on as Keras does. Run from this
folder (KERAS_BACKEND=jax, as lso.keras was made).

lso_state.json: the file's counter and scale as Keras loads them, then after STEPS more train_on_batch calls on
lso_x.npy / lso_y.npy (every step finite: the counter runs (3 + STEPS) mod 50 and the scale doubles at each wrap), and
the inner Adam's iterations. `python make_lso_state.py check FILE.keras` prints what Keras loads from FILE.keras (a file
jrnn saved): class, step_counter, dynamic_scale, inner iterations.
"""
import os, sys, json
os.environ.setdefault("KERAS_BACKEND", "jax")
import numpy as np, keras


def state(o):
    return {"class_name": type(o).__name__, "step_counter": int(np.asarray(o.step_counter)),
            "dynamic_scale": float(np.asarray(o.dynamic_scale)), "inner_iterations": int(np.asarray(o.inner_optimizer.iterations))}


if len(sys.argv) == 3 and sys.argv[1] == "check":
    print(json.dumps(state(keras.models.load_model(sys.argv[2]).optimizer)))
    sys.exit(0)

STEPS = 48
m = keras.models.load_model("lso.keras")
before = state(m.optimizer)
x, y = np.load("lso_x.npy"), np.load("lso_y.npy")
for _ in range(STEPS): m.train_on_batch(x, y)
after = state(m.optimizer)
with open("lso_state.json", "w") as f:
    json.dump({"steps": STEPS, "loaded": before, "trained": after}, f, indent=1)
    f.write("\n")
print(before, after)
