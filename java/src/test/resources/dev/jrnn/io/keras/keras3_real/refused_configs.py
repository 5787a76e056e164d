"""What Keras 3.15.1 does with cfgkeys.keras (make_config_keys.py) edited as named below, each in memory
(KerasConfigKeysTest.configsKerasRefusesAreRefused). Run from this folder with KERAS_BACKEND=jax (keras 3.15.1, jax).
Printed (the end of each message):
  module: TypeError ... Could not locate class 'Dense'. Make sure custom classes and functions are decorated with
          `@keras.saving.register_keras_serializable()` ...
  dtype: ValueError ... dtype argument to `uniform` must be a float dtype, got complex64
  utf8: UnicodeDecodeError 'utf-8' codec can't decode byte 0xff in position ...: invalid start byte
"""
import os
import re
import tempfile
import zipfile

import keras

EDITS = {  # config.json's bytes: what is replaced (the first occurrence) by what
    "module": (  # the Dense's
        b'"module": "keras.layers", "class_name": "Dense"', b'"module": "evil.module", "class_name": "Dense"'),
    "dtype": (rb'"dtype": \{"module": "keras", "class_name": "DTypePolicy", "config": \{"name": "float32"\}, "registered_name": null, "shared_object_id": \d+\}',
              b'"dtype": "complex128"'),   # the LSTM's (a regular expression)
    "utf8": (b'"name": "d"', b'"name": "d\xffense"'),
}
for name, (old, new) in EDITS.items():
    with zipfile.ZipFile("cfgkeys.keras") as z:
        members = {n: z.read(n) for n in z.namelist()}
    edited = re.sub(old if name == "dtype" else re.escape(old), lambda m: new, members["config.json"], count=1)
    assert edited != members["config.json"], name
    members["config.json"] = edited
    f = os.path.join(tempfile.mkdtemp(), name + ".keras")
    with zipfile.ZipFile(f, "w") as z:
        for n, b in members.items():
            z.writestr(n, b)
    try:
        keras.saving.load_model(f)
        print(name, "loads")
    except Exception as e:
        m = str(e).replace("\n", " ")
        print(name, type(e).__name__, m[m.find("Could not locate"):][:100] if "Could not locate" in m else m[-100:])
