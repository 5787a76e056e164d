"""Keras 3.15.1's LossScaleOptimizer state across a BackupAndRestore resume and across a reset of the inner optimizer's
update count, for KerasLossScaleTest. Run from this folder (KERAS_BACKEND=jax, as lso.keras and lso_halved.keras were made).

"backup": run 1 loads lso_halved.keras and fits lso_x.npy / lso_y.npy (batch_size 2, shuffle off: 2 steps an epoch)
for EPOCHS1 epochs with BackupAndRestore(delete_checkpoint=False), which backs up after each epoch; run 2 loads
lso.keras (the same layers, another wrapper: its own counter, scale and growth steps) and fits EPOCHS2 epochs with the
same BackupAndRestore, which restores run 1's last backup (the weights and every optimizer variable, the wrapper's
own four among them) and trains the epochs after it. Its counter and scale are the backup's advanced by those steps
under lso.keras's growth steps; not lso.keras's own.
"reset": lso_halved.keras loaded, its inner optimizer's iterations assigned 0, RESET_STEPS train_on_batch calls: the
wrapper counts its own steps (counter and scale), whatever the inner count says.
Every step is checked finite (the inner update count advanced by each).
"""
import os, sys, json, shutil, tempfile
os.environ.setdefault("KERAS_BACKEND", "jax")
import numpy as np, keras

EPOCHS1, EPOCHS2, RESET_STEPS = 2, 3, 5


def state(o):
    return {"class_name": type(o).__name__, "step_counter": int(np.asarray(o.step_counter)),
            "dynamic_scale": float(np.asarray(o.dynamic_scale)), "inner_iterations": int(np.asarray(o.inner_optimizer.iterations))}


x, y = np.load("lso_x.npy"), np.load("lso_y.npy")
steps = len(x) // 2
backup = tempfile.mkdtemp()
shutil.rmtree(backup)
run1 = keras.models.load_model("lso_halved.keras")
run1_loaded = state(run1.optimizer)
run1.fit(x, y, batch_size=2, epochs=EPOCHS1, shuffle=False, verbose=0,
         callbacks=[keras.callbacks.BackupAndRestore(backup, delete_checkpoint=False)])
run1_trained = state(run1.optimizer)
assert run1_trained["inner_iterations"] == run1_loaded["inner_iterations"] + EPOCHS1 * steps, "a run 1 step was not finite"
run2 = keras.models.load_model("lso.keras")
run2_loaded = state(run2.optimizer)
run2.fit(x, y, batch_size=2, epochs=EPOCHS2, shuffle=False, verbose=0, callbacks=[keras.callbacks.BackupAndRestore(backup)])
run2_resumed = state(run2.optimizer)
assert run2_resumed["inner_iterations"] == run1_trained["inner_iterations"] + (EPOCHS2 - EPOCHS1) * steps, "a resumed step was not finite"

k = keras.models.load_model("lso_halved.keras")
reset_loaded = state(k.optimizer)
k.optimizer.inner_optimizer.iterations.assign(0)
for _ in range(RESET_STEPS): k.train_on_batch(x, y)
reset_trained = state(k.optimizer)
assert reset_trained["inner_iterations"] == RESET_STEPS, "a step after the reset was not finite"

with open("lso_backup_state.json", "w") as f:
    json.dump({"backup": {"batch_size": 2, "epochs1": EPOCHS1, "epochs2": EPOCHS2, "run1_loaded": run1_loaded,
                          "run1_trained": run1_trained, "run2_loaded": run2_loaded, "run2_resumed": run2_resumed},
               "reset": {"steps": RESET_STEPS, "loaded": reset_loaded, "trained": reset_trained}}, f, indent=1)
    f.write("\n")
print(json.dumps(json.load(open("lso_backup_state.json"))))
