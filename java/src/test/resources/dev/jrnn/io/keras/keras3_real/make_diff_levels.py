# Keras 3.15.1 (KERAS_BACKEND=jax /tmp/jrnn-keras3/venv/bin/python make_diff_levels.py): DIFFERENT layers of one name
# at several places, equal shapes and different weights, so a swap shows in the predictions (SharedLevelsTest):
# 'dense' in nested model 'inner' listed before the top model's 'dense'; the top model's 'head' listed before nested
# 'inner2's 'head'; 'proj' in sibling nested models 'enc' and 'dec' at one depth. Saved as .h5 and .keras (Keras loads
# both back: differences printed). The .keras re-zipped with deflate (keras_zip.py).
import os, sys
import numpy as np, keras
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from keras_zip import deflate
from keras import layers as L
r = np.random.default_rng(3)
D = lambda n: L.Dense(3, name=n)
def sub(name, layer):
    i = keras.Input((3,), name=name + "_in")
    return keras.Model(i, layer(i), name=name)
x = keras.Input((3,), name="x")
a = D("dense")(sub("inner", D("dense"))(x))               # nested first
h = D("head")(x); b = sub("inner2", D("head"))(h)         # top first
e = sub("enc", D("proj")); d = sub("dec", D("proj"))      # siblings at one depth
c = d(e(x))
m = keras.Model(x, L.Concatenate(name="cat")([a, b, c, e(x)]), name="top")
m.set_weights([r.normal(size=w.shape).astype("float32") for w in m.get_weights()])
xs = r.normal(size=(2, 3)).astype("float32")
np.save("diff_levels_x.npy", xs)
p = m.predict(xs, verbose=0)
np.save("diff_levels_pred.npy", p)
m.save("diff_levels.h5"); m.save("diff_levels.keras"); deflate("diff_levels.keras")
for f in ("diff_levels.h5", "diff_levels.keras"):
    print(f, float(np.max(np.abs(keras.saving.load_model(f).predict(xs, verbose=0) - p))))
print([l.name for l in m.layers])
