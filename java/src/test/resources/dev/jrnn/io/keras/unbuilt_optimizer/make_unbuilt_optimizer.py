"""Keras 3.15.1's files of a compiled, never-trained model (LSTM(3) -> Dense(1) over (3, 2), Adam(0.01), mse) and what
two train steps from each give; read by ModelFilesTest (jrnn's unbuilt optimizer files).

unbuilt.keras: saved before any step, the optimizer not built: optimizer/vars holds iteration and learning_rate only.
zero_moments.keras: the same model, its optimizer built first (zero moments at step 0 written).
x.npy, y.npy: the batch; trained_<i>.npy: model.get_weights() after two train_on_batch steps from unbuilt.keras
(load_model, as a user resumes it). Run: /tmp/tester-repros/kpy.sh make_unbuilt_optimizer.py (tensorflow backend).
"""
import os
import numpy as np
import keras

here = os.path.dirname(os.path.abspath(__file__))
keras.utils.set_random_seed(7)
m = keras.Sequential([keras.Input((3, 2)), keras.layers.LSTM(3), keras.layers.Dense(1)])
m.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
m.save(os.path.join(here, "unbuilt.keras"))
m.optimizer.build(m.trainable_variables)
m.save(os.path.join(here, "zero_moments.keras"))
rng = np.random.default_rng(3)
x = rng.standard_normal((4, 3, 2)).astype("float32")
y = rng.standard_normal((4, 1)).astype("float32")
np.save(os.path.join(here, "x.npy"), x)
np.save(os.path.join(here, "y.npy"), y)
r = keras.models.load_model(os.path.join(here, "unbuilt.keras"))
for _ in range(2):
    r.train_on_batch(x, y)
for i, w in enumerate(r.get_weights()):
    np.save(os.path.join(here, "trained_%d.npy" % i), w)
print("iterations", int(r.optimizer.iterations), [w.shape for w in r.get_weights()])
