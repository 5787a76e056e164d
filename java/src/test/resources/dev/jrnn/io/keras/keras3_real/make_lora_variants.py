"""LoRA layers in the legacy .h5 layouts whose array order differs from lora.h5's, and two files Keras 3.15.1 refuses,
saved by Keras 3.15.1 (KERAS_BACKEND=jax), for LoraFilesTest. Run from this folder. lora_v_x.npy: the input of all.

lora_nested.h5: Sequential[inner = Sequential[Dense di enable_lora(2, lora_alpha=4), BatchNormalization bn, Dense d2],
  Dense top], fitted: the nested model's group holds inner/di's bias and pair, bn's gamma / beta, d2's arrays, then
  di's frozen kernel and bn's moving statistics (trainable first, then the rest).
lora_frozen.h5: Sequential[Dense nb (no bias) enable_lora(2, lora_alpha=1), Dense fr enable_lora(1, lora_alpha=3) set
  trainable=False]: a frozen layer's arrays come in Keras' order [kernel, bias, lora_kernel_a, lora_kernel_b].
lora_*_pred.npy: the saving model's predictions, which Keras' load_model of its .keras gives too (printed below; the
  .keras is not kept). Keras' load_model of the .h5 predicts otherwise: it rebuilds a Dense's LoRA with lora_alpha equal
  to the rank (GUIDE), and these set another alpha.
lora_mhaq.h5: a MultiHeadAttention whose query_dense has enable_lora(1) and a Dense named "query" with
  enable_lora(1, lora_alpha=5): the MHA group's pair is under mha/query/, the Dense's under query/. Keras refuses it.
lora_rank_edit.h5: lora_frozen.h5 with fr's lora_rank edited from 1 to 2 in model_config (arrays of rank 1): Keras
  refuses it.
Output with keras 3.15.1:

lora_nested inner ['inner/di/bias', 'inner/di/lora_kernel_a', 'inner/di/lora_kernel_b', 'inner/bn/gamma', 'inner/bn/beta', 'inner/d2/kernel', 'inner/d2/bias', 'inner/di/kernel', 'inner/bn/moving_mean', 'inner/bn/moving_variance']
lora_nested top ['sequential/top/kernel', 'sequential/top/bias']
lora_nested top_level_model_weights []
lora_nested keras load_model of .keras max diff 0.0
lora_nested keras load_model of .h5 max diff 0.18769240379333496
lora_frozen fr ['sequential_1/fr/kernel', 'sequential_1/fr/bias', 'sequential_1/fr/lora_kernel_a', 'sequential_1/fr/lora_kernel_b']
lora_frozen nb ['sequential_1/nb/lora_kernel_a', 'sequential_1/nb/lora_kernel_b', 'sequential_1/nb/kernel']
lora_frozen top_level_model_weights []
lora_frozen keras load_model of .keras max diff 1.1920928955078125e-07
lora_frozen keras load_model of .h5 max diff 1.3083233833312988
lora_mhaq keras refuses: ValueError Weight count mismatch for layer #0 (named mha in the current model, mha in the save file). Layer expects 8 weight(s). Received 10 saved weight(s)
lora_rank_edit keras refuses: ValueError Shape mismatch in layer #1 (named fr)for weight sequential_1/fr/lora_kernel_a. Weight expects shape (3, 2). Received saved weight with shape (3, 1)
"""
import os, json, shutil, tempfile
os.environ.setdefault("KERAS_BACKEND", "jax")
import numpy as np, keras, h5py
from keras import layers
keras.utils.set_random_seed(1)
rng = np.random.default_rng(0)
x = rng.normal(size=(3, 4)).astype("float32")
np.save("lora_v_x.npy", x)
def fit(m, y_shape):
    m.compile(keras.optimizers.SGD(0.5), "mse")
    y = rng.normal(size=y_shape).astype("float32")
    for _ in range(3): m.train_on_batch(x, y)
def setb(l):   # a fresh pair has b = 0: give it values so the update shows
    l.lora_kernel_b.assign(rng.normal(size=l.lora_kernel_b.shape).astype("float32"))

inner = keras.Sequential([keras.Input((4,)), layers.Dense(3, name="di"), layers.BatchNormalization(name="bn"),
                          layers.Dense(2, name="d2")], name="inner")
m = keras.Sequential([keras.Input((4,)), inner, layers.Dense(2, name="top")])
inner.get_layer("di").enable_lora(2, lora_alpha=4)
fit(m, (3, 2))
files = {"lora_nested": m}

m = keras.Sequential([keras.Input((4,)), layers.Dense(3, use_bias=False, name="nb"), layers.Dense(2, name="fr")])
m.get_layer("nb").enable_lora(2, lora_alpha=1)
m.get_layer("fr").enable_lora(1, lora_alpha=3)
fit(m, (3, 2))
setb(m.get_layer("fr"))
m.get_layer("fr").trainable = False
files["lora_frozen"] = m

for k, m in files.items():
    m.save(k + ".h5")
    np.save(k + "_pred.npy", np.asarray(m.predict(x, verbose=0)))
    with h5py.File(k + ".h5") as f:
        for g in f["model_weights"]: print(k, g, [n for n in f["model_weights"][g].attrs["weight_names"]])
    kf = os.path.join(tempfile.mkdtemp(), k + ".keras"); m.save(kf)
    for f in (kf, k + ".h5"):
        r = keras.saving.load_model(f, compile=False)
        print(k, "keras load_model of", os.path.splitext(f)[1], "max diff", float(np.abs(np.asarray(r.predict(x, verbose=0)) - np.load(k + "_pred.npy")).max()))

i = keras.Input((4,)); h = layers.Reshape((1, 4))(i)
mha = layers.MultiHeadAttention(2, 2, name="mha"); o = layers.Dense(4, name="query")(mha(h, h))
m = keras.Model(i, o)
mha.query_dense.enable_lora(1); m.get_layer("query").enable_lora(1, lora_alpha=5)
setb(mha.query_dense); setb(m.get_layer("query"))
m.save("lora_mhaq.h5")
shutil.copy("lora_frozen.h5", "lora_rank_edit.h5")
with h5py.File("lora_rank_edit.h5", "r+") as f:
    c = json.loads(f.attrs["model_config"])
    for l in c["config"]["layers"]:
        if l["config"].get("name") == "fr": l["config"]["lora_rank"] = 2
    f.attrs["model_config"] = json.dumps(c)
for k in ("lora_mhaq", "lora_rank_edit"):
    try:
        keras.saving.load_model(k + ".h5", compile=False); print(k, "keras loads")
    except Exception as e:
        print(k, "keras refuses:", type(e).__name__, str(e)[:200].replace("\n", " "))
