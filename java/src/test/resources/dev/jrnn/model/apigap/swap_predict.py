# Keras 3.15.1: a standalone predict given SwapEMAWeights after a fit with use_ema: are the weights swapped back?
# Run on TensorFlow (KERAS_BACKEND=tensorflow; its output: swap_predict.txt): on JAX it fails in a step after the
# swap ('Attempt to donate the same buffer twice').
import numpy as np, keras
x = np.arange(8, dtype="float32").reshape(4, 2) / 8; y = x.sum(1, keepdims=True)
m = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
m.compile(keras.optimizers.SGD(0.1, use_ema=True, ema_momentum=0.5, ema_overwrite_frequency=None), "mse")
m.fit(x, y, epochs=1, batch_size=2, verbose=0)
m.train_on_batch(x, y)   # the weights now differ from their average
before = [w.copy() for w in m.get_weights()]
cb = keras.callbacks.SwapEMAWeights()
m.predict(x, callbacks=[cb], verbose=0)
print("after predict equal to before:", all(np.array_equal(a, b) for a, b in zip(before, m.get_weights())), "in_model flag:", cb._ema_weights_in_model)
m.evaluate(x, y, callbacks=[cb], verbose=0)
print("after evaluate equal to before:", all(np.array_equal(a, b) for a, b in zip(before, m.get_weights())))
m2 = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)]); m2.compile("sgd", "mse")
try:
    m2.fit(x, y, epochs=1, validation_data=(x, y), callbacks=[keras.callbacks.SwapEMAWeights()], verbose=0)
except Exception as e:
    print(type(e).__name__, e)
