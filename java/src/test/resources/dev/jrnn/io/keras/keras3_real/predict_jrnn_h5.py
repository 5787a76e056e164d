"""Keras 3.15.1's predictions on .h5 files jrnn wrote (tf.keras 2's legacy layout, by ci/keras3/SaveModels.java):
loads ../<name>.h5 with keras.models.load_model(compile=False) and writes ../<name>_keras_y.npy from ../<name>_x*.npy.
Run from this folder with the Python of ci/keras3/run.sh: KERAS_BACKEND=jax python predict_jrnn_h5.py jrnn_legacy_convs ...
"""
import glob, os, sys
os.environ.setdefault("KERAS_BACKEND", "jax")
import numpy as np, keras
assert keras.__version__ == "3.15.1", keras.__version__
for name in sys.argv[1:]:
    m = keras.models.load_model(f"../{name}.h5", compile=False)
    xs = [np.load(p) for p in sorted(glob.glob(f"../{name}_x*.npy"))]
    np.save(f"../{name}_keras_y.npy", np.asarray(m.predict(xs if len(xs) > 1 else xs[0], verbose=0)))
    print(name, "ok")
