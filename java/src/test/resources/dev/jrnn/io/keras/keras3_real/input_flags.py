"""What Keras 3.15.1 does with cfgkeys.keras (make_config_keys.py) whose InputLayer sets sparse, ragged or optional to
true (KerasConfigKeysTest.inputLayerFlagsJrnnCannotHonourWarn). Edits the file in memory, loads it with
keras.saving.load_model and predicts cfgkeys_x.npy. Run from this folder with KERAS_BACKEND=jax (keras 3.15.1, jax) and
KERAS_BACKEND=tensorflow (keras 3.15.1, TensorFlow 2.21). Printed:
  jax:        sparse loads, max |y - cfgkeys_y.npy| 0.0; ragged refused (TypeError ... `ragged=True` is not supported with
              the jax backend); optional loads, 0.0
  tensorflow: sparse loads, 5.96e-08; ragged loads, 5.96e-08; optional loads, 5.96e-08
"""
import json
import os
import tempfile
import zipfile

import keras
import numpy as np

x = np.load("cfgkeys_x.npy")
for key in ["sparse", "ragged", "optional"]:
    with zipfile.ZipFile("cfgkeys.keras") as z:
        members = {n: z.read(n) for n in z.namelist()}
    c = json.loads(members["config.json"])
    next(l for l in c["config"]["layers"] if l["class_name"] == "InputLayer")["config"][key] = True
    members["config.json"] = json.dumps(c).encode()
    f = os.path.join(tempfile.mkdtemp(), key + ".keras")
    with zipfile.ZipFile(f, "w") as z:
        for n, b in members.items():
            z.writestr(n, b)
    try:
        y = keras.saving.load_model(f).predict(x, verbose=0)
        print(keras.backend.backend(), key, "loads", float(np.abs(y - np.load("cfgkeys_y.npy")).max()))
    except Exception as e:
        print(keras.backend.backend(), key, "refused", type(e).__name__, str(e).replace("\n", " ")[-80:])
