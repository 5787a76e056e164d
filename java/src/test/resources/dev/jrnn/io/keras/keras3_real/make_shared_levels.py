"""Layers and nested models shared between the top model and a nested model (outside tester auditio, defect 1), saved by
Keras 3.15.1 itself as shared_levels.h5 and shared_levels.keras. Run with keras 3.15.1 and jax from this folder.
  s01: Dense 'shared_d' inside nested model 'inner' and called at the top;
  g08: nested model 'deep' inside nested model 'mid' and called at the top;
  t03: functional model 'fin' inside Sequential 'seq' and called at the top.
Keras' load_model of the .h5 builds each place from its own config entry: two objects per shared layer (inner's
shared_d is not the top's), each with the weights of its own group (equal, as the saving model shared them), trained
apart afterwards. The script prints that, and saves what SharedLevelsTest compares jrnn with:
  shared_levels_x.npy; shared_levels_pred.npy, the saving model's six outputs side by side (4, 2+3+1+2+2+3), which the
  loaded .h5 gives too; shared_levels_after.npy, after one SGD(0.1) step of the loaded .h5 on the sum of the outputs'
  mse against shared_levels_y.npy (side by side as the outputs): the loss, then the kernel and bias of each place of
  PLACES in that order, flat.
Keras 3.15.1 cannot load its own .keras of this model (printed: "Layer 'shared_d' expected 2 variables, but received
0"): the shared layer's weights are saved once, at its first place.
jrnn's .keras and .h5 of the loaded .h5 (Models.load(shared_levels.h5).save(...), the copies as layers shared_d_1,
deep_d_1, f_d_1 beside shared_d, deep_d, f_d), loaded by Keras 3.15.1 (jax): max abs diff to shared_levels_pred.npy 0.0
for both.
"""
import os
import sys
os.environ.setdefault("KERAS_BACKEND", "jax")
import numpy as np, keras
from keras import layers as L
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from keras_zip import deflate
keras.utils.set_random_seed(29)
r = np.random.default_rng(29)
d = L.Dense(3, name="shared_d")
i = keras.Input((3,), name="ii")
inner = keras.Model(i, L.Dense(2, name="in_d")(d(i)), name="inner")
i0 = keras.Input((3,), name="i0")
deep = keras.Model(i0, L.Dense(2, name="deep_d")(i0), name="deep")
i1 = keras.Input((3,), name="i1")
mid = keras.Model(i1, L.Dense(1, name="mid_d")(deep(i1)), name="mid")
ia = keras.Input((3,), name="ia")
fin = keras.Model(ia, L.Dense(3, name="f_d")(ia), name="fin")
seq = keras.Sequential([keras.Input((3,)), fin, L.Dense(2, name="s_d")], name="seq")
x = keras.Input((3,), name="x")
m = keras.Model(x, [inner(x), d(x), mid(x), deep(x), seq(x), fin(x)], name="top")
m.set_weights([r.normal(size=w.shape).astype("float32") for w in m.get_weights()])
xs = r.normal(size=(4, 3)).astype("float32")
pred = m.predict(xs, verbose=0)
m.save("shared_levels.h5")
m.save("shared_levels.keras"); deflate("shared_levels.keras")
np.save("shared_levels_x.npy", xs)
np.save("shared_levels_pred.npy", np.concatenate(pred, axis=1))
try:
    keras.saving.load_model("shared_levels.keras")
    print("Keras loads its .keras")
except Exception as e:
    print("Keras' load_model of its .keras:", type(e).__name__, " ".join(str(e).split())[:300])
back = keras.saving.load_model("shared_levels.h5", compile=False)
print(".h5 loaded: max diff", max(float(np.max(np.abs(a - b))) for a, b in zip(pred, back.predict(xs, verbose=0))))
def places(layer, prefix, out):
    for s in getattr(layer, "layers", []):
        p = prefix + s.name
        for v in s.weights if not hasattr(s, "layers") else []:
            out[p + "/" + v.name] = v
        places(s, p + "/", out)
    return out
before = places(back, "", {})
print("inner's shared_d is the top's:", back.get_layer("inner").get_layer("shared_d") is back.get_layer("shared_d"),
      "| equal:", np.array_equal(back.get_layer("inner").get_layer("shared_d").kernel.numpy(), back.get_layer("shared_d").kernel.numpy()))
ys = [r.normal(size=p.shape).astype("float32") for p in pred]
np.save("shared_levels_y.npy", np.concatenate(ys, axis=1))
back.compile(keras.optimizers.SGD(0.1), ["mse"] * 6)
loss = back.train_on_batch(xs, ys)
after = {k: v.numpy() for k, v in places(back, "", {}).items()}
print("loss", loss, "| after one step, inner/shared_d == shared_d:", np.array_equal(after["inner/shared_d/kernel"], after["shared_d/kernel"]))
PLACES = ["inner/shared_d", "shared_d", "mid/deep/deep_d", "deep/deep_d", "seq/fin/f_d", "fin/f_d", "inner/in_d", "mid/mid_d", "seq/s_d"]
assert sorted(after) == sorted(p + "/" + v for p in PLACES for v in ("kernel", "bias"))
flat = [np.float32([loss[0]])] + [after[p + "/" + v].ravel() for p in PLACES for v in ("kernel", "bias")]
np.save("shared_levels_after.npy", np.concatenate(flat).astype("float32"))
