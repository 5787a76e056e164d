"""nonascii_names.h5: Keras 3.15.1 (JAX) saves a model whose layer names are not ASCII ("INPUT_Işık", "LSTM_ı",
"Dense_OUTPUT_İ"). Keras writes layer_names and weight_names as variable-length strings tagged ASCII (cset 0) that hold
UTF-8 bytes, and reads them back as UTF-8 (h5py decodes every string so). nonascii_names_x.npy / _pred.npy: the inputs and
Keras' predictions (Hdf5Utf8NamesTest). Run with KERAS_BACKEND=jax and the Keras 3 venv's python in this folder."""
import h5py
import keras
import numpy as np

keras.utils.set_random_seed(5)
inp = keras.Input((3, 2), name="INPUT_Işık")
h = keras.layers.LSTM(2, name="LSTM_ı")(inp)
out = keras.layers.Dense(1, name="Dense_OUTPUT_İ")(h)
m = keras.Model(inp, out, name="model_ı")
m.save("nonascii_names.h5")
x = np.random.RandomState(0).rand(2, 3, 2).astype("float32")
np.save("nonascii_names_x.npy", x)
np.save("nonascii_names_pred.npy", keras.models.load_model("nonascii_names.h5").predict(x, verbose=0))
with h5py.File("nonascii_names.h5") as f:
    a = f["model_weights"].attrs
    print("layer_names", list(a["layer_names"]), "cset", a.get_id("layer_names").get_type().get_cset())
print(np.load("nonascii_names_pred.npy").ravel())
