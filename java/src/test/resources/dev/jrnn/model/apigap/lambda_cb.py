# Keras 3.15.1 (JAX): LambdaCallback's hooks in a fit of 2 epochs over 10 rows in batches of 4 (3 batches), with validation.
import numpy as np, keras
ev = []
cb = keras.callbacks.LambdaCallback(
    on_train_begin=lambda logs: ev.append("train_begin"),
    on_epoch_begin=lambda e, logs: ev.append(f"epoch_begin {e}"),
    on_train_batch_begin=lambda b, logs: ev.append(f"batch_begin {b}"),
    on_train_batch_end=lambda b, logs: ev.append(f"batch_end {b} {sorted(logs)}"),
    on_epoch_end=lambda e, logs: ev.append(f"epoch_end {e} {sorted(logs)}"),
    on_train_end=lambda logs: ev.append(f"train_end {sorted(logs)}"))
m = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
m.compile("sgd", "mse", metrics=["mae"])
x = np.ones((10, 2), "float32"); y = np.ones((10, 1), "float32")
m.fit(x, y, batch_size=4, epochs=2, validation_data=(x, y), callbacks=[cb], verbose=0)
print("\n".join(ev))
