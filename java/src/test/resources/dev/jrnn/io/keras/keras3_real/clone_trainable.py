"""Keras 3.15.1's clone_model of a frozen model (no files written; run with keras 3.15.1 and jax from this folder): load
seq.keras (Sequential) and func.keras (functional), set model.trainable = False, clone, unfreeze the clone's last layer,
give it the original's weights and fit it 2 epochs of SGD(0.1) on mse, batch 2, unshuffled. Keras' _clone_sequential_model
passes trainable=model.trainable to the new Sequential (its layers keep their cloned flags), _clone_functional_model makes
a new Functional with the default flag: the Sequential clone trains nothing, the functional one its last layer.
CloneTrainableTest holds jrnn's cloneModel to the printout:
seq.keras clone.trainable False last dense counts (0, 322) losses [1.341974, 1.341974]
func.keras clone.trainable True last dense_2 counts (14, 210) losses [1.642316, 1.445202]
"""
import os
os.environ.setdefault("KERAS_BACKEND", "jax")
import numpy as np, keras
def counts(m):
    return (sum(int(np.prod(w.shape)) for w in m.trainable_weights), sum(int(np.prod(w.shape)) for w in m.non_trainable_weights))
for f in ["seq.keras", "func.keras"]:
    n = f.split(".")[0]
    x, y = np.load(f"{n}_x0.npy"), np.load(f"{n}_y.npy")
    s = keras.saving.load_model(f)
    s.trainable = False
    c = keras.models.clone_model(s)
    c.layers[-1].trainable = True
    c.set_weights(s.get_weights())
    c.compile(keras.optimizers.SGD(0.1), "mse")
    loss = c.fit(x, y, epochs=2, batch_size=2, shuffle=False, verbose=0).history["loss"]
    print(f, "clone.trainable", c.trainable, "last", c.layers[-1].name, "counts", counts(c), "losses", [round(float(v), 6) for v in loss])
