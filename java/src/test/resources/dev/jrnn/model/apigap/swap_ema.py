# Keras 3.15.1: fit with SGD(use_ema=True) and SwapEMAWeights: val_loss per epoch (on the EMA weights) and the final weights.
import numpy as np, keras
from keras import layers
x = (np.arange(48, dtype="float32").reshape(16, 3) % 7 - 3) / 4
y = (x @ np.array([[0.5], [-1.0], [0.25]], "float32") + 0.1).astype("float32")
xv, yv = x[::3] * 0.5, y[::3] * 0.5 + 0.05
def run(cb, tag):
    m = keras.Sequential([keras.Input((3,)), layers.Dense(2, activation="tanh"), layers.Dense(1)])
    m.set_weights([np.array([[0.1, -0.2], [0.3, 0.4], [-0.5, 0.6]], "float32"), np.array([0.01, -0.02], "float32"),
                   np.array([[0.7], [-0.8]], "float32"), np.array([0.05], "float32")])
    m.compile(keras.optimizers.SGD(0.1, use_ema=True, ema_momentum=0.8), "mse")
    h = m.fit(x, y, epochs=3, batch_size=4, shuffle=False, validation_data=(xv, yv), callbacks=cb, verbose=0)
    print(tag, "val_loss", [float(v) for v in h.history["val_loss"]])
    print(tag, "loss", [float(v) for v in h.history["loss"]])
    print(tag, "weights", [w.ravel().tolist() for w in m.get_weights()])
run([], "none")
run([keras.callbacks.SwapEMAWeights()], "swap")
run([keras.callbacks.SwapEMAWeights(swap_on_epoch=True)], "swap_on_epoch")
