# Keras 3.15.1: SwapEMAWeights(swap_on_epoch=True) with a callback after it that stops fit at epoch 0 of 3:
# the final weights and the raw weights after the last step (the model ends on the raw weights; the average is lost).
# KERAS_BACKEND=jax; its output: swap_stop.txt (SwapEMAWeightsTest.FINAL_STOPPED).
import numpy as np, keras
from keras import layers
x = (np.arange(48, dtype="float32").reshape(16, 3) % 7 - 3) / 4
y = (x @ np.array([[0.5], [-1.0], [0.25]], "float32") + 0.1).astype("float32")
m = keras.Sequential([keras.Input((3,)), layers.Dense(2, activation="tanh"), layers.Dense(1)])
m.set_weights([np.array([[0.1, -0.2], [0.3, 0.4], [-0.5, 0.6]], "float32"), np.array([0.01, -0.02], "float32"),
               np.array([[0.7], [-0.8]], "float32"), np.array([0.05], "float32")])
m.compile(keras.optimizers.SGD(0.1, use_ema=True, ema_momentum=0.8), "mse")
raw = []
class Stop(keras.callbacks.Callback):
    def on_train_batch_end(self, batch, logs=None): raw[:] = [w.ravel().tolist() for w in self.model.get_weights()]
    def on_epoch_end(self, epoch, logs=None): self.model.stop_training = True
m.fit(x, y, epochs=3, batch_size=4, shuffle=False, callbacks=[keras.callbacks.SwapEMAWeights(swap_on_epoch=True), Stop()], verbose=0)
print("raw", raw)
print("final", [w.ravel().tolist() for w in m.get_weights()])
