# Keras 3.15.1 fixture: keras.io's "pre-trained word embeddings" recipe in small, an Embedding started from
# Constant(matrix) and frozen, under an LSTM and a Dense head. Keras 3 writes the matrix into the config as
# {"class_name": "__numpy__", ...}; jrnn must load the model (the file's weights replace any initializer) and predict
# as Keras. Run from this folder: KERAS_BACKEND=jax python make_pretrained_embedding.py
import json, zipfile
import numpy as np
import keras
from keras import layers

rng = np.random.default_rng(34)
matrix = rng.normal(size=(15, 5)).astype("float32")
x = rng.integers(1, 15, size=(4, 6)).astype("int32")
keras.utils.set_random_seed(34)
inp = keras.Input((6,), dtype="int32")
h = layers.Embedding(15, 5, embeddings_initializer=keras.initializers.Constant(matrix), trainable=False, name="pretrained")(inp)
out = layers.Dense(2, name="head")(layers.LSTM(3, name="lstm")(h))
model = keras.Model(inp, out)
model.save("pretrained_embedding.keras")
model.save("pretrained_embedding.h5")
np.save("pretrained_embedding_x.npy", x)
np.save("pretrained_embedding_y.npy", model.predict(x, verbose=0))
init = json.loads(zipfile.ZipFile("pretrained_embedding.keras").read("config.json"))["config"]["layers"][1]["config"]["embeddings_initializer"]
assert init["config"]["value"]["class_name"] == "__numpy__", init
