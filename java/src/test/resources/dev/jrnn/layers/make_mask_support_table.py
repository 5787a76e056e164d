# Keras 3.15.1 (JAX): which built-in layers pass a mask on, which end it with the UserWarning, which end it quietly:
# MaskSupportTest's table. Each layer is called on Masking(0.0)'s output of (4, 4) inputs (two for merges and attention).
# Run: KERAS_BACKEND=jax /tmp/jrnn-keras3/venv/bin/python make_mask_support_table.py
import warnings, keras
from keras import layers as L

T, F = 4, 4
one = {"Dense": lambda: L.Dense(3), "Activation": lambda: L.Activation("tanh"), "ReLU": L.ReLU, "ELU": L.ELU,
       "LeakyReLU": L.LeakyReLU, "PReLU": L.PReLU, "Softmax": L.Softmax, "Dropout": lambda: L.Dropout(0.5),
       "SpatialDropout1D": lambda: L.SpatialDropout1D(0.5), "GaussianNoise": lambda: L.GaussianNoise(0.5),
       "GaussianDropout": lambda: L.GaussianDropout(0.5), "LayerNormalization": L.LayerNormalization,
       "BatchNormalization": L.BatchNormalization, "Normalization": lambda: L.Normalization(mean=0.0, variance=1.0),
       "Identity": L.Identity, "Masking": lambda: L.Masking(0.0), "TimeDistributed": lambda: L.TimeDistributed(L.Dense(2)),
       "LSTM": lambda: L.LSTM(2, return_sequences=True), "GRU": lambda: L.GRU(2, return_sequences=True),
       "SimpleRNN": lambda: L.SimpleRNN(2, return_sequences=True),
       "Bidirectional": lambda: L.Bidirectional(L.LSTM(2, return_sequences=True)),
       "LSTM without return_sequences": lambda: L.LSTM(2),
       "Conv1D": lambda: L.Conv1D(3, 2, padding="same"), "MaxPooling1D": lambda: L.MaxPooling1D(2),
       "AveragePooling1D": lambda: L.AveragePooling1D(2), "GlobalMaxPooling1D": L.GlobalMaxPooling1D,
       "GlobalAveragePooling1D": L.GlobalAveragePooling1D, "Flatten": L.Flatten, "Reshape": lambda: L.Reshape((T, 2, 2)),
       "Permute": lambda: L.Permute((2, 1)), "Cropping1D": lambda: L.Cropping1D(1), "ZeroPadding1D": lambda: L.ZeroPadding1D(1),
       "UpSampling1D": lambda: L.UpSampling1D(2), "Embedding": lambda: L.Embedding(5, 3)}
two = {"Add": L.Add, "Subtract": L.Subtract, "Multiply": L.Multiply, "Average": L.Average, "Maximum": L.Maximum,
       "Minimum": L.Minimum, "Concatenate": L.Concatenate, "Dot": lambda: L.Dot(2), "Attention": L.Attention,
       "AdditiveAttention": L.AdditiveAttention, "MultiHeadAttention": lambda: L.MultiHeadAttention(2, 2)}

def row(name, call):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        y = call()
        mask = getattr(y, "_keras_mask", None) is not None
        warned = any("destroy the mask" in str(v.message) for v in w)
    print(f"{name:32s}", "mask" if mask else "ends with the warning" if warned else "ends quietly")

for k, f in one.items():
    row(k, lambda: f()(L.Masking(0.0)(keras.Input((T, F)))))
for k, f in two.items():
    def call():
        a, b = L.Masking(0.0)(keras.Input((T, F))), L.Masking(0.0)(keras.Input((T, F)))
        return f()(a, b) if k == "MultiHeadAttention" else f()([a, b])
    row(k, call)
row("RepeatVector", lambda: L.RepeatVector(2)(L.Dense(3)(L.Masking(0.0)(keras.Input((F,))))))
row("Embedding(mask_zero=True)", lambda: L.Embedding(5, 3, mask_zero=True)(keras.Input((T,))))
row("GetItem (h[:, -1], an op)", lambda: L.Masking(0.0)(keras.Input((T, F)))[:, -1])
