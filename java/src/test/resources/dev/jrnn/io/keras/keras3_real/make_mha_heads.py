"""A MultiHeadAttention(2, 3) model's weights saved by Keras 3.15.1 itself (`KERAS_BACKEND=jax python make_mha_heads.py`):
MultiHeadAttentionBadInputTest loads them into the same model with 3 heads, which is refused naming each projection (Keras'
sublayer names query, key, value, attention_output) with the shapes this script prints from the file."""
import os
os.environ.setdefault("KERAS_BACKEND", "jax")
import h5py, keras
from keras import layers as L
keras.utils.set_random_seed(6)
inp = L.Input((6,))
e = L.Embedding(9, 4, mask_zero=True)(inp)
a = L.MultiHeadAttention(2, 3)(e, e)
keras.Model(inp, L.Dense(1)(L.GlobalAveragePooling1D()(a))).save_weights("mha_heads2.weights.h5")
with h5py.File("mha_heads2.weights.h5") as f:
    f.visititems(lambda n, o: print(n, o.shape) if isinstance(o, h5py.Dataset) else None)
