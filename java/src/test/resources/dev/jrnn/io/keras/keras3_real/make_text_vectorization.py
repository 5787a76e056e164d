"""A model holding a TextVectorization layer, saved by Keras 3.15.1 itself (`KERAS_BACKEND=tensorflow python
make_text_vectorization.py` on TF 2.21): jrnn refuses the model (its models take float tensors), naming the route that works, which
ModelFileBadInputTest follows: TextVectorization.fromConfig of the layer's config, loadVocabulary of the archive's
assets/layers/text_vectorization/vocabulary.txt; tv_model_ids.npy: Keras' ids for TEXTS. tv_nested.keras: the same layer in a
Sequential nested in a functional Model, whose vocabulary Keras writes at assets/layers/sequential/layers/text_vectorization/
(its ids are those of tv_model_ids.npy: the same adapt of the same texts, checked below)."""
import os
import sys
os.environ.setdefault("KERAS_BACKEND", "tensorflow")   # TextVectorization needs TensorFlow
import numpy as np, keras
from keras import layers as L
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from keras_zip import deflate
keras.utils.set_random_seed(7)
TEXTS = ["the cat sat on the mat", "a dog ran far, far away!", "The Cat and the Dog", "zebra"]
tv = L.TextVectorization(max_tokens=12, output_sequence_length=6, name="text_vectorization")
tv.adapt(TEXTS[:3])
m = keras.Sequential([keras.Input((), dtype="string"), tv, L.Embedding(12, 2), L.GlobalAveragePooling1D(), L.Dense(1)])
m.save("tv_model.keras")
deflate("tv_model.keras")
np.save("tv_model_ids.npy", np.asarray(tv(np.array(TEXTS))).astype("float32"))
import tensorflow as tf
print(np.load("tv_model_ids.npy"), keras.saving.load_model("tv_model.keras")(tf.constant(TEXTS)).shape)   # Keras reloads it

tv2 = L.TextVectorization(max_tokens=12, output_sequence_length=6, name="text_vectorization")
tv2.adapt(TEXTS[:3])
inp = keras.Input((), dtype="string")
nested = keras.Model(inp, keras.Sequential([tv2, L.Embedding(12, 2), L.GlobalAveragePooling1D(), L.Dense(1)], name="sequential")(inp))
nested.save("tv_nested.keras")
deflate("tv_nested.keras")
import zipfile
print([n for n in zipfile.ZipFile("tv_nested.keras").namelist() if n.startswith("assets/")])
assert np.array_equal(np.asarray(tv2(np.array(TEXTS))).astype("float32"), np.load("tv_model_ids.npy"))
print(keras.saving.load_model("tv_nested.keras")(tf.constant(TEXTS)).shape)   # Keras reloads it
