"""Keras 3.15.1 loads a LossScaleOptimizer whose dynamic_growth_steps is not a whole number >= 1 (its __init__ checks
neither it nor initial_scale), for KerasLossScaleTest: lso.keras with its config's dynamic_growth_steps set to each of
GROWTHS, loaded, trained STEPS train_on_batch steps (more than lso.keras's own 50) on lso_x.npy / lso_y.npy, saved and
its config read back. The wrapper doubles when step_counter equals dynamic_growth_steps - 1, which an int counter never
does for 0 or 2.5: the counter only counts and the scale stays. Run from this folder (KERAS_BACKEND=jax, as lso.keras
was made); writes lso_growth_state.json.
"""
import os, json, shutil, tempfile, zipfile
os.environ.setdefault("KERAS_BACKEND", "jax")
import numpy as np, keras

GROWTHS, STEPS = [0, 2.5], 60
x, y = np.load("lso_x.npy"), np.load("lso_y.npy")
out, tmp = {"steps": STEPS}, tempfile.mkdtemp()
for g in GROWTHS:
    path = os.path.join(tmp, f"g{g}.keras")
    with zipfile.ZipFile("lso.keras") as zin, zipfile.ZipFile(path, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "config.json":
                c = json.loads(data)
                c["compile_config"]["optimizer"]["config"]["dynamic_growth_steps"] = g
                data = json.dumps(c).encode()
            zout.writestr(item, data)
    m = keras.models.load_model(path)
    o = m.optimizer
    loaded = {"class_name": type(o).__name__, "step_counter": int(np.asarray(o.step_counter)), "dynamic_scale": float(np.asarray(o.dynamic_scale))}
    for _ in range(STEPS): m.train_on_batch(x, y)
    trained = {"step_counter": int(np.asarray(o.step_counter)), "dynamic_scale": float(np.asarray(o.dynamic_scale)),
               "inner_iterations": int(np.asarray(o.inner_optimizer.iterations))}
    saved = os.path.join(tmp, f"g{g}_saved.keras")
    m.save(saved)
    with zipfile.ZipFile(saved) as z:
        written = json.loads(z.read("config.json"))["compile_config"]["optimizer"]["config"]["dynamic_growth_steps"]
    out[str(g)] = {"loaded": loaded, "trained": trained, "written_growth": written}
shutil.rmtree(tmp)
with open("lso_growth_state.json", "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
print(json.dumps(out))
