# Keras 3.15.1 (KERAS_BACKEND=jax /tmp/jrnn-keras3/venv/bin/python make_lora_shared.py): Dense 'shared' with
# enable_lora(2) shared between the top model and nested model 'inner' (whose 'shared' jrnn names shared_1), and a
# DIFFERENT Dense also named 'lo' with LoRA in each: 'lo' of rank 1 in 'inner' and of rank 2, alpha 6 at the top, so
# a rank or alpha taken from the other layer of that name changes the predictions. The legacy .h5 keeps each LoRA
# pair unmerged; Keras loads it back (difference printed). lora_shared_pred.npy: the outputs side by side.
import numpy as np, keras
from keras import layers as L
r = np.random.default_rng(5)
s = L.Dense(3, name="shared")
i = keras.Input((3,), name="ii")
lo_in = L.Dense(2, name="lo")
inner = keras.Model(i, lo_in(s(i)), name="inner")
x = keras.Input((3,), name="x")
lo_top = L.Dense(2, name="lo")
m = keras.Model(x, L.Concatenate(name="cat")([inner(x), lo_top(s(x))]), name="top")
s.enable_lora(2); lo_in.enable_lora(2); lo_top.enable_lora(2, lora_alpha=6.0)
m.set_weights([r.normal(size=w.shape).astype("float32") for w in m.get_weights()])
xs = r.normal(size=(2, 3)).astype("float32")
np.save("lora_shared_x.npy", xs)
p = m.predict(xs, verbose=0)
np.save("lora_shared_pred.npy", p)
m.save("lora_shared.h5")
d = np.abs(keras.saving.load_model("lora_shared.h5").predict(xs, verbose=0) - p)
print("keras reload diff: inner", float(d[:, :2].max()), "top lo", float(d[:, 2:].max()))
