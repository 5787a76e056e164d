"""Keras 3.15.1's TextVectorization.get_config (TensorFlow backend: `KERAS_BACKEND=tensorflow python make_tv_configs.py`),
for TextVectorizationTest: tv_config_default.json (TextVectorization(max_tokens=10)) and tv_config_int32.json
(max_tokens=10, dtype="int32", name="tv", trainable=False). get_config starts with the base layer's name, trainable and
dtype (always a DTypePolicy object); from_config of each gives the same config back (checked below)."""
import os, json
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
import keras
for f, kw in [("tv_config_default.json", {}), ("tv_config_int32.json", {"dtype": "int32", "name": "tv", "trainable": False})]:
    c = keras.layers.TextVectorization(max_tokens=10, **kw).get_config()
    assert keras.layers.TextVectorization.from_config(c).get_config() == c
    json.dump(c, open(f, "w"))
    print(f, json.dumps(c))
