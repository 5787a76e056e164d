"""Keras 3.15.1 on a weighted layer (Dense(4) on 256 features) whose dtype is a GPTQ or AWQ policy object, for
KerasDtypesTest. Run from this folder (KERAS_BACKEND=jax). Keras builds the layer from the config with the quantizer's
packed variables, which only model.quantize("gptq" / "awq") fills; until then it cannot call the layer or save the model.
quantized_layers.json: [{"policy": the object in the config, "built": the variables Keras makes (path and shape),
"call": the error of predict, "save": the error of model.save}]. int8 (which Keras calls) is there for contrast.
"""
import os, json
os.environ.setdefault("KERAS_BACKEND", "jax")
import re, tempfile
import numpy as np, keras


def error(f):
    try:
        f()
        return None
    except Exception as e:
        c = e
        while c.__cause__ is not None: c = c.__cause__
        lines = [l.strip() for l in re.sub(r"\x1b\[[0-9;]*m", "", str(c)).split("\n") if l.strip()]
        return f"{type(c).__name__}: " + " | ".join(lines[:2])


rows = []
for name in ["gptq/4/128_from_float32", "awq/4/128_from_float32", "int8_from_float32"]:
    policy = keras.dtype_policies.serialize(keras.dtype_policies.get(name))
    config = {"module": "keras", "class_name": "Sequential", "config": {"name": "s", "layers": [
        {"module": "keras.layers", "class_name": "InputLayer", "config": {"batch_shape": [None, 256], "dtype": "float32", "name": "input_layer"}},
        {"module": "keras.layers", "class_name": "Dense", "config": {"name": "d", "units": 4, "dtype": policy}}]}}
    m = keras.saving.deserialize_keras_object(config)
    built = [f"{v.path}{tuple(v.shape)}" for v in m.layers[0].weights]
    call = error(lambda: m.predict(np.ones((2, 256), "float32"), verbose=0))
    save = error(lambda: m.save(os.path.join(tempfile.mkdtemp(), "q.keras")))
    rows.append({"policy": policy, "built": built, "call": call, "save": save})
with open("quantized_layers.json", "w") as f:
    json.dump(rows, f, indent=1)
    f.write("\n")
for r in rows: print(r)
