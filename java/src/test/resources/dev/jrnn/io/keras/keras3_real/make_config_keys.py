"""Config keys of a real Keras 3.15.1 file edited one at a time (KerasConfigKeysTest). Run from this folder with keras
3.15.1 and jax (KERAS_BACKEND=jax python make_config_keys.py). cfgkeys.keras is saved by Keras (an Input((3, 2), name
"i") -> LSTM(2) -> Dense(1), functional); each cfgkeys_<edit>.keras is that file with config.json / metadata.json edited
as named below, every other member byte for byte. The script loads each edit with Keras 3.15.1 and prints what it does:
loaded (its predictions on cfgkeys_x.npy saved as cfgkeys_<edit>_y.npy) or refused (the message printed here).

- shape: the InputLayer's batch_shape [null, 3, 2] replaced by Keras 3's constructor argument "shape": [3, 2] (loads)
- batch_size: the same with "batch_size": 4 beside it (loads; the batch fixed at 4)
- extra: an unknown key at every level Keras ignores: the file's top level, the model config, a layer entry beside
  class_name, the InputLayer's config (Keras 3's InputLayer drops unknown keywords), metadata.json (loads)
- both_shapes: "shape": [3, 2] beside the batch_shape (refused: 'You cannot pass both `shape` and `batch_shape`')
- init_name: the Dense's kernel_initializer class_name GlorotUniform misspelt GlorotUnifrom (refused: 'Could not
  interpret initializer identifier')

Also cfgkeys_tf2_custom_init.h5, saved by the tf.keras 2 engine bundled in TensorFlow 2.21 (run with that Python:
python make_config_keys.py tf2): an Input((3, 2), name "i") -> Dense(1) whose kernel_initializer is a user's function, which tf.keras 2 writes as its
bare name ("kernel_initializer": "my_init"); it loads in tf.keras 2 with custom_objects={"my_init": my_init}.
"""
import json
import os
import sys
import zipfile

import numpy as np

if sys.argv[1:] == ["tf2"]:
    import tensorflow.python.keras as tk
    tk.__version__ = "2.21.0"   # the bundled engine's to_json/save read it; TensorFlow 2.21 no longer sets it
    from tensorflow.python.keras import layers, models
    import tensorflow as tf

    def my_init(shape, dtype=None):
        return tf.ones(shape, dtype) * 0.25

    i = layers.Input((3, 2), name="i")
    m = models.Model(i, layers.Dense(1, kernel_initializer=my_init, name="d")(i))
    m.save("cfgkeys_tf2_custom_init.h5")
    back = models.load_model("cfgkeys_tf2_custom_init.h5", custom_objects={"my_init": my_init})
    print("tf2_custom_init:", json.loads(m.to_json())["config"]["layers"][1]["config"]["kernel_initializer"], "loads with custom_objects:",
          back.layers[1].kernel_initializer.__name__)
    sys.exit(0)

os.environ.setdefault("KERAS_BACKEND", "jax")
import keras
from keras import layers

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from keras_zip import deflate

keras.utils.set_random_seed(7)
x = np.random.default_rng(8).normal(size=(4, 3, 2)).astype("float32")
i = keras.Input((3, 2), name="i")
m = keras.Model(i, layers.Dense(1, name="d")(layers.LSTM(2, name="l")(i)))
m.save("cfgkeys.keras")
deflate("cfgkeys.keras")
np.save("cfgkeys_x.npy", x)
np.save("cfgkeys_y.npy", np.asarray(m.predict(x, verbose=0)))


def input_config(c):
    return next(l for l in c["config"]["layers"] if l["class_name"] == "InputLayer")["config"]


def shape(c, meta):
    ic = input_config(c)
    ic["shape"] = ic.pop("batch_shape")[1:]


def batch_size(c, meta):
    shape(c, meta)
    input_config(c)["batch_size"] = 4


def extra(c, meta):
    c["saved_with"] = "hand"
    c["config"]["notes"] = "a model-level key"
    next(l for l in c["config"]["layers"] if l["class_name"] == "Dense")["comment"] = "a layer-entry key"
    input_config(c)["sparce"] = True
    meta["comment"] = "a metadata key"


def both_shapes(c, meta):
    input_config(c)["shape"] = [3, 2]


def init_name(c, meta):
    next(l for l in c["config"]["layers"] if l["class_name"] == "Dense")["config"]["kernel_initializer"]["class_name"] = "GlorotUnifrom"


for edit in [shape, batch_size, extra, both_shapes, init_name]:
    name = f"cfgkeys_{edit.__name__}.keras"
    with zipfile.ZipFile("cfgkeys.keras") as zin, zipfile.ZipFile(name, "w", zipfile.ZIP_DEFLATED) as zout:
        c = json.loads(zin.read("config.json"))
        meta = json.loads(zin.read("metadata.json"))
        edit(c, meta)
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "config.json":
                data = json.dumps(c).encode()
            elif info.filename == "metadata.json":
                data = json.dumps(meta).encode()
            zout.writestr(info.filename, data)
    try:
        back = keras.saving.load_model(name)
        y = np.asarray(back.predict(x, verbose=0))
        np.save(f"cfgkeys_{edit.__name__}_y.npy", y)
        print(edit.__name__, "loads; input", back.inputs[0].shape, "same predictions:", np.array_equal(y, np.load("cfgkeys_y.npy")))
    except Exception as e:
        msg = str(e).replace("\n", " ")
        print(edit.__name__, "refused:", msg[msg.rfind("Exception encountered"):][:200] if "Exception encountered" in msg else msg[:300])
