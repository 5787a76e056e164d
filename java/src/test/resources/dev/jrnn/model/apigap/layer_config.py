# Keras 3.15.1 (JAX): layer.get_config() of six layer kinds, as JSON (keras.saving's serialization of nested objects).
import json, keras
from keras import layers
inp = keras.Input((5, 4))
x = layers.LSTM(6, return_sequences=True, dropout=0.1, name="lstm")(inp)
x = layers.BatchNormalization(momentum=0.9, name="bn")(x)
x = layers.Bidirectional(layers.GRU(3, return_sequences=True, name="gru"), merge_mode="sum", name="bidi")(x)
x = layers.Dropout(0.25, name="drop")(x)
x = layers.Conv1D(2, 3, padding="same", name="conv")(x)
x = layers.GlobalMaxPooling1D(name="gmp")(x)
out = layers.Dense(1, activation="sigmoid", kernel_regularizer=keras.regularizers.L2(0.01), name="head")(x)
m = keras.Model(inp, out)
for n in ["lstm", "bn", "bidi", "drop", "conv", "head"]:
    print(n, json.dumps(m.get_layer(n).get_config()))
