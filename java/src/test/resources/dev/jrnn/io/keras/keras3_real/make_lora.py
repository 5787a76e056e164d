"""LoRA-enabled layers saved by Keras 3.15.1 (KERAS_BACKEND=jax), for LoraFilesTest. Run from this folder.

lora.h5 / lora.keras: Embedding(7, 4) with enable_lora(2) (lora_alpha left to its default, the rank) -> Conv1D(3, 2)
with enable_lora(1, lora_alpha=3) -> Dense(2) with enable_lora(2, lora_alpha=4), fitted 3 SGD steps so the low-rank
pairs are not zero. The legacy .h5 stores each layer's kernel and its pair unmerged (save_weights_to_hdf5_group writes
_legacy_weights: trainable bias, lora_*_a, lora_*_b, then the frozen kernel); the .keras stores the merged kernel
(save_own_variables -> _get_kernel_with_merged_lora). lora_pred.npy: the saving model's predictions on lora_x.npy,
which Keras' load_model of the .keras gives too. The script prints what Keras' load_model of the .h5 gives: Dense's and
Embedding's build call enable_lora(rank) without the configured lora_alpha (3.15.1 dense.py / embedding.py build), so
a reloaded Dense with lora_alpha 4 != rank 2 scales its update by 1 instead of 2 and predicts otherwise (Conv's build
passes lora_alpha on and keeps it); jrnn reads the file's lora_alpha, as the saving model and the .keras compute.
The .keras is re-zipped with deflate (keras_zip.deflate), as the other files here.
"""
import os, sys
os.environ.setdefault("KERAS_BACKEND", "jax")
import numpy as np, keras, h5py
from keras import layers
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from keras_zip import deflate
keras.utils.set_random_seed(5)
rng = np.random.default_rng(6)
x = rng.integers(0, 7, size=(3, 5)).astype("int32")
y = rng.normal(size=(3, 4, 2)).astype("float32")
m = keras.Sequential([keras.Input((5,), dtype="int32"), layers.Embedding(7, 4, name="emb"),
                      layers.Conv1D(3, 2, name="conv"), layers.Dense(2, name="dense")])
m.get_layer("emb").enable_lora(2)
m.get_layer("conv").enable_lora(1, lora_alpha=3)
m.get_layer("dense").enable_lora(2, lora_alpha=4)
m.compile(keras.optimizers.SGD(0.5), "mse")
for _ in range(3): m.train_on_batch(x, y)
pred = np.asarray(m.predict(x, verbose=0))
m.save("lora.keras"); deflate("lora.keras"); m.save("lora.h5")
np.save("lora_x.npy", x); np.save("lora_pred.npy", pred)
with h5py.File("lora.h5") as f:
    for k in ("emb", "conv", "dense"): print(k, list(f["model_weights"][k].attrs["weight_names"]))
print("pred", pred.ravel().tolist())
for f in ("lora.keras", "lora.h5"):
    r = keras.saving.load_model(f, compile=False)
    print(f, "max |load_model - saving model|", float(np.abs(np.asarray(r.predict(x, verbose=0)) - pred).max()),
          "dense lora_alpha after load", r.get_layer("dense").lora_alpha)
print("weights", [(w.path, tuple(w.shape), w.trainable) for w in m.weights])
m.summary()
