"""A model holding a TextVectorization layer, saved by Keras 3.15.1 itself (`KERAS_BACKEND=tensorflow python
make_text_vectorization.py` on TF 2.21): jrnn refuses the model (its models take float tensors), naming the route that works, which
ModelFileBadInputTest follows: TextVectorization.fromConfig of the layer's config, loadVocabulary of the archive's
assets/layers/text_vectorization/vocabulary.txt; tv_model_ids.npy: Keras' ids for TEXTS."""
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
