"""Keras 3.15.1's save_weights / load_weights of a compiled model's optimizer variables (WeightsOptimizerTest).

Run with the TensorFlow backend from this folder: python make_weights_optimizer.py. Writes
  x.npy, y.npy             the data (16 samples of 5 steps x 3, 2 targets)
  init.keras               LSTM(4) -> Dense(2), Adam(0.01), mse, never trained (Keras builds its optimizer at the load)
  trained.weights.h5       save_weights after 2 epochs (batch 8, no shuffle): layers and optimizer/vars/0..11
  plain.weights.h5         save_weights of the same model loaded uncompiled: no optimizer group
  unbuilt.weights.h5       save_weights of it compiled with Adam(0.005), never trained: optimizer/vars 0..1 only
  reshaped.weights.h5      trained.weights.h5 with optimizer/vars/2 (a (3, 16) moment) stored as (16, 3): Keras'
                           load_weights raises there (a count that fits, a shape that does not)
  expected.json            Keras' own numbers: the loss of 2 more epochs after load_weights(trained) into init.keras
                           (the uninterrupted run's too), the iterations restored, Keras' warnings for the mismatches (a fresh
                           compile loading plain.weights.h5, the most common case, and an unbuilt Adam with a schedule
                           loading unbuilt.weights.h5 among them)
"""
import json, warnings
import numpy as np
import keras

keras.utils.set_random_seed(7)
rng = np.random.RandomState(3)
x = rng.rand(16, 5, 3).astype("float32")
y = rng.rand(16, 2).astype("float32")
np.save("x.npy", x)
np.save("y.npy", y)

m = keras.Sequential([keras.Input((5, 3)), keras.layers.LSTM(4), keras.layers.Dense(2)])
m.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
m.save("init.keras")

fit = dict(batch_size=8, shuffle=False, verbose=0)
a = keras.saving.load_model("init.keras")
a.fit(x, y, epochs=2, **fit)
a.save_weights("trained.weights.h5")
uninterrupted = a.fit(x, y, epochs=2, **fit).history["loss"]

b = keras.saving.load_model("init.keras")
b.load_weights("trained.weights.h5")
iterations = int(b.optimizer.iterations.numpy())
resumed = b.fit(x, y, epochs=2, **fit).history["loss"]

plain = keras.saving.load_model("init.keras", compile=False)
plain.save_weights("plain.weights.h5")
plain.compile(optimizer=keras.optimizers.Adam(0.005), loss="mse")
plain.save_weights("unbuilt.weights.h5")


def warned(model, path):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        model.load_weights(path)
    return [str(i.message) for i in w if "Skipping variable loading" in str(i.message)]


built = keras.saving.load_model("init.keras")   # built: 12 variables
no_optimizer = warned(built, "plain.weights.h5")
fresh = keras.saving.load_model("init.keras", compile=False)
fresh.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")   # not built: iteration and learning_rate
fresh_no_optimizer = warned(fresh, "plain.weights.h5")   # the common case: pretrained weights into a fresh compile
unbuilt = warned(fresh, "trained.weights.h5")
unbuilt_rate = warned(fresh, "unbuilt.weights.h5")
rate = float(fresh.optimizer.learning_rate.numpy())
sgd = keras.saving.load_model("init.keras", compile=False)
sgd.compile(optimizer=keras.optimizers.SGD(0.01, momentum=0.9), loss="mse")
sgd.fit(x, y, epochs=1, **fit)   # built: iteration, learning_rate and a momentum per weight (7 variables)
other_kind = warned(sgd, "trained.weights.h5")
sched = keras.saving.load_model("init.keras", compile=False)
sched.compile(optimizer=keras.optimizers.Adam(keras.optimizers.schedules.ExponentialDecay(0.01, 10, 0.9)), loss="mse")
schedule_unbuilt = warned(sched, "unbuilt.weights.h5")   # not built, a schedule: iteration only (1) against the file's 2

json.dump({"keras_version": keras.__version__, "uninterrupted": uninterrupted, "resumed": resumed,
           "iterations": iterations, "warn_no_optimizer": no_optimizer, "warn_unbuilt": unbuilt,
           "warn_unbuilt_rate": unbuilt_rate, "unbuilt_rate_after": rate, "warn_other_kind": other_kind,
           "warn_fresh_no_optimizer": fresh_no_optimizer, "warn_schedule_unbuilt": schedule_unbuilt},
          open("expected.json", "w"), indent=1)
print(open("expected.json").read())

import shutil, h5py
shutil.copy("trained.weights.h5", "reshaped.weights.h5")
with h5py.File("reshaped.weights.h5", "r+") as f:
    v = f["optimizer/vars/2"][()]
    del f["optimizer/vars/2"]
    f["optimizer/vars/2"] = v.reshape(16, 3)
try:
    keras.saving.load_model("init.keras").load_weights("reshaped.weights.h5")
    print("reshaped: loaded")
except ValueError as e:
    print("reshaped: Keras raises", str(e).splitlines()[0])
