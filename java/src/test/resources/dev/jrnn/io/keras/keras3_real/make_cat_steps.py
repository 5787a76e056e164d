"""Two masked token inputs joined along the steps (Embedding(mask_zero) -> Concatenate(axis=1) -> GRU), saved by Keras
3.15.1 itself as cat_steps.keras (outside tester auditlayers, defect 2). Run with keras 3.15.1 and jax from this folder.
Keras records the GRU's mask as Concatenate.compute_mask's ops with axis 1: expand_dims / zeros_like / logical_or per
input, concatenate(axis=1) (named "concatenate_1": the layer took "concatenate"), any(axis=-1). jrnn read such a mask as
one it could not write and left every mask to Keras to rebuild, so Keras' load_model of jrnn's file failed ("The name
"concatenate" is used 2 times in the model"); KerasMaskExportTest saves this file again and checks that the GRU's mask
is written as these ops. The weights are drawn again (Keras' Embedding init is +-0.05, too small to tell masks apart).
Writes cat_steps.keras (re-zipped with deflate), cat_steps_x0.npy, cat_steps_x1.npy, cat_steps_pred.npy.

Keras loading the file jrnn writes from it (Models.load(cat_steps.keras).save(FILE), as
KerasMaskExportTest.aMaskConcatenatedAlongTheStepsIsWrittenAsKerasOps does), `python make_cat_steps.py check FILE`:
  KERAS_BACKEND=jax, Keras 3.15.1:      max abs diff to cat_steps_pred.npy: 0.0
  KERAS_BACKEND=tensorflow (TF 2.21):  max abs diff to cat_steps_pred.npy: 1.1920928955078125e-07
(before the fix: ValueError: The name "concatenate" is used 2 times in the model). ci/keras3/run.sh's catsteps is the
same model built in jrnn (Keras: diff 6.0e-08).
"""
import os
import sys
os.environ.setdefault("KERAS_BACKEND", "jax")
import numpy as np, keras
from keras import layers as L
if len(sys.argv) == 3 and sys.argv[1] == "check":   # Keras reading a file jrnn wrote from cat_steps.keras
    m = keras.saving.load_model(sys.argv[2])
    y = m.predict([np.load("cat_steps_x0.npy"), np.load("cat_steps_x1.npy")], verbose=0)
    print("Keras loads", sys.argv[2], "max abs diff to cat_steps_pred.npy:", float(np.max(np.abs(y - np.load("cat_steps_pred.npy")))))
    sys.exit(0)
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from keras_zip import deflate
keras.utils.set_random_seed(29)
r = np.random.default_rng(29)
a = keras.Input((5,), dtype="int32", name="t1"); b = keras.Input((5,), dtype="int32", name="t2")
c = L.Concatenate(axis=1)([L.Embedding(10, 3, mask_zero=True, name="e1")(a), L.Embedding(10, 3, mask_zero=True, name="e2")(b)])
m = keras.Model([a, b], L.GRU(2, name="gru")(c))
m.set_weights([r.normal(size=w.shape).astype("float32") for w in m.get_weights()])
x0 = np.array([[5, 3, 3, 6, 7], [1, 4, 5, 0, 0], [0, 0, 2, 9, 1]], "int32")   # trailing and leading masked steps
x1 = np.array([[5, 0, 3, 6, 0], [1, 4, 5, 2, 0], [0, 0, 0, 0, 0]], "int32")   # inner, trailing, all masked
m.save("cat_steps.keras"); deflate("cat_steps.keras")
np.save("cat_steps_x0.npy", x0); np.save("cat_steps_x1.npy", x1)
np.save("cat_steps_pred.npy", m.predict([x0, x1], verbose=0))
print(np.load("cat_steps_pred.npy"))
