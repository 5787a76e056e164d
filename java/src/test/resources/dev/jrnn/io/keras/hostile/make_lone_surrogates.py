"""lone_surrogate_*.keras / .h5: a small Keras model whose config holds a name with a lone surrogate, written as the
JSON escape \\ud800 (valid UTF-8 text, which Python's json.loads reads into a str holding U+D800). Made and loaded by
Keras 3.15.1; what Keras does with each is written to keras_says_surrogates_<backend>.txt. Run from this folder:
  /tmp/tester-repros/kpy.sh make_lone_surrogates.py                                        (tensorflow: writes the files)
  KERAS_BACKEND=jax /tmp/jrnn-keras3/venv/bin/python make_lone_surrogates.py --check       (jax: loads them only)
KerasFileTest checks jrnn's refusal, whose message says what Keras does.
"""
import json, os, shutil, sys, zipfile
import numpy as np
import h5py
import keras

backend = keras.backend.backend()
CASES = [("input", "x", "x\ud800"), ("layer", "dense", "d\ud800"), ("model", "model", "m\ud800")]


def renamed(o, old, new):
    if isinstance(o, dict): return {k: renamed(v, old, new) for k, v in o.items()}
    if isinstance(o, list): return [renamed(v, old, new) for v in o]
    return new if o == old else o


if "--check" not in sys.argv:
    keras.utils.set_random_seed(1)
    inp = keras.Input((3, 2), name="x")
    m = keras.Model(inp, keras.layers.Dense(1, name="dense")(keras.layers.LSTM(2, name="lstm")(inp)), name="model")
    m.save("/tmp/lone_base.keras")
    m.save("/tmp/lone_base.h5")
    for tag, old, new in CASES:
        with zipfile.ZipFile("/tmp/lone_base.keras") as z, zipfile.ZipFile(f"lone_surrogate_{tag}.keras", "w") as o:
            for it in z.infolist():
                d = z.read(it.filename)
                if it.filename == "config.json":
                    d = json.dumps(renamed(json.loads(d), old, new)).encode()   # ensure_ascii: the escape \ud800
                    assert b"\\ud800" in d
                o.writestr(it, d)
    shutil.copy("/tmp/lone_base.h5", "lone_surrogate_layer.h5")
    with h5py.File("lone_surrogate_layer.h5", "a") as f:
        mc = f.attrs["model_config"]
        mc = mc.decode() if isinstance(mc, bytes) else mc
        f.attrs["model_config"] = json.dumps(renamed(json.loads(mc), "dense", "d\ud800"))

with open(f"keras_says_surrogates_{backend}.txt", "w") as out:
    out.write(f"Keras {keras.__version__}, {backend} backend: keras.saving.load_model, then predict\n")
    for name in sorted(n for n in os.listdir(".") if n.startswith("lone_surrogate_")):
        try:
            mm = keras.saving.load_model(name)
            said = "loads (names " + str([l.name for l in mm.layers] + [mm.name]).encode("unicode_escape").decode() + ")"
            try:
                mm.predict(np.ones((1, 3, 2), "float32"), verbose=0)
                said += ", predicts"
            except Exception as e:
                said += ", predict fails: " + type(e).__name__ + ": " + str(e).encode("unicode_escape").decode()[:120]
        except Exception as e:
            said = "refused: " + type(e).__name__ + ": " + str(e).encode("unicode_escape").decode()[:160]
        out.write(f"{name}: {said}\n")
