"""LoRA Dense inside TimeDistributed, at the top and in a nested Sequential (legacy .h5, Keras 3.15.1 on JAX).

The arrays lie in the wrapper's group under scope <wrapper>/<dense> (sequential/td/d, inner/tdi/d); Keras' own
reload predicts as the saving model (printed). Writes lora_td.h5, lora_nested_td.h5, their *_pred.npy and lora_td_x.npy.
Run: KERAS_BACKEND=jax /tmp/jrnn-keras3/venv/bin/python make_lora_wrapped.py
"""
import os
os.environ.setdefault("KERAS_BACKEND", "jax")
import numpy as np, keras
from keras import layers

keras.utils.set_random_seed(1)
rng = np.random.default_rng(0)
x = rng.normal(size=(2, 3, 4)).astype("float32")
top = keras.Sequential([keras.Input((3, 4)),
                        layers.TimeDistributed(layers.Dense(2, name="d", lora_rank=2, lora_alpha=6), name="td")])
inner = keras.Sequential([keras.Input((3, 4)),
                          layers.TimeDistributed(layers.Dense(2, name="d", lora_rank=2, lora_alpha=6), name="tdi")], name="inner")
nested = keras.Sequential([keras.Input((3, 4)), inner])
np.save("lora_td_x.npy", x)
for name, m in [("lora_td", top), ("lora_nested_td", nested)]:
    for w in m.weights:   # lora_kernel_b starts at zero: give the update something to add
        if "lora_kernel_b" in w.path:
            w.assign(rng.normal(size=w.shape).astype("float32"))
    p = np.asarray(m.predict(x, verbose=0))
    m.save(name + ".h5")
    np.save(name + "_pred.npy", p)
    r = keras.saving.load_model(name + ".h5", compile=False)
    print(name, "Keras' reload differs by", float(np.abs(np.asarray(r.predict(x, verbose=0)) - p).max()))
