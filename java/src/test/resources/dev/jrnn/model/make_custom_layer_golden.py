# Keras 3.15.1 (JAX) goldens of CustomLayerTest: the GUIDE's "Writing a custom layer" Scale (y = x * w + b over the
# last axis, w ones and b zeros at first), as a registered Keras layer.
# Run: KERAS_BACKEND=jax /tmp/jrnn-keras3/venv/bin/python make_custom_layer_golden.py
import warnings
import numpy as np, keras

@keras.saving.register_keras_serializable(package="my")
class Scale(keras.layers.Layer):
    def build(self, s):
        self.w = self.add_weight(shape=(s[-1],), initializer="ones", name="w")
        self.b = self.add_weight(shape=(s[-1],), initializer="zeros", name="b")
    def call(self, x): return x * self.w + self.b

class MaskedScale(Scale):
    def __init__(self, **kw): super().__init__(**kw); self.supports_masking = True

def det(shape, a, ph, amp):   # CustomLayerTest.det
    n = int(np.prod(shape)); return (amp * np.sin(a * np.arange(n) + ph)).reshape(shape).astype("float32")

N, T, F = 3, 5, 2
x = np.array([[[0.0 if t >= T - 2 * i else np.cos(0.5 * i + 0.3 * t + 1.1 * f) for f in range(F)] for t in range(T)]
              for i in range(N)], dtype="float32")
for cls in [Scale, MaskedScale]:
    m = keras.Sequential([keras.Input((T, F)), keras.layers.Masking(0.0), cls(name="scale"), keras.layers.LSTM(4),
                          keras.layers.Dense(1)])
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        m(x[:1])
    m.set_weights([det(v.shape, 1.3, 0.7 * j, 0.3) for j, v in enumerate(m.get_weights())])
    print(cls.__name__, "masked predict", [f"{v:.8f}" for v in m.predict(x, verbose=0).ravel()])
    print("  warnings", sorted({str(v.message) for v in w}))

# training: Input(4, 3) -> Scale -> LSTM(5) -> Dense(2), SGD(0.1), mse, 3 epochs of batches of 4 in order
xs = np.cos(0.3 * np.arange(8 * 4 * 3)).reshape(8, 4, 3).astype("float32")
ys = np.sin(0.7 * np.arange(8 * 2)).reshape(8, 2).astype("float32")
m = keras.Sequential([keras.Input((4, 3)), Scale(name="scale"), keras.layers.LSTM(5), keras.layers.Dense(2)])
m.set_weights([det(v.shape, 1.3, 0.7 * j, 0.3) if j >= 2 else v for j, v in enumerate(m.get_weights())])
m.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
h = m.fit(xs, ys, epochs=3, batch_size=4, shuffle=False, verbose=0)
print("loss", [f"{v:.8f}" for v in h.history["loss"]])
print("w", [f"{v:.8f}" for v in m.layers[0].w.numpy()], "b", [f"{v:.8f}" for v in m.layers[0].b.numpy()])
print("predict", [f"{v:.8f}" for v in m.predict(xs[:2], verbose=0).ravel()])

# rules on weights of any name (Keras' add_weight(regularizer=, constraint=)): LSTM(5) -> Scale, its w under L2(0.05)
# and its b under NonNeg, L1(0.01) on its outputs -> Dense(2); every weight det, SGD(0.1), mse, 3 epochs in order
class RuledScale(Scale):
    def build(self, s):
        self.w = self.add_weight(shape=(s[-1],), initializer="ones", name="w", regularizer=keras.regularizers.L2(0.05))
        self.b = self.add_weight(shape=(s[-1],), initializer="zeros", name="b", constraint=keras.constraints.NonNeg())
m = keras.Sequential([keras.Input((4, 3)), keras.layers.LSTM(5),
                      RuledScale(name="scale", activity_regularizer=keras.regularizers.L1(0.01)), keras.layers.Dense(2)])
m.set_weights([det(v.shape, 1.3, 0.7 * j, 0.3) for j, v in enumerate(m.get_weights())])
m.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
h = m.fit(xs, ys, epochs=3, batch_size=4, shuffle=False, verbose=0)
print("rules loss", [f"{v:.8f}" for v in h.history["loss"]])
print("rules w", [f"{v:.8f}" for v in m.layers[1].w.numpy()], "b", [f"{v:.8f}" for v in m.layers[1].b.numpy()])

# a nested mask through TimeDistributed(Scale): Embedding(5, 2, mask_zero) over (batch, sentences, words) ->
# TimeDistributed(Scale) -> TimeDistributed(LSTM(3)); TimeDistributed passes the (batch, sentences, words) mask on
# whatever the wrapped layer's supports_masking, so the inner LSTM skips each sentence's padded words; every weight det
ids = np.array([1, 2, 0, 0, 3, 1, 2, 4, 2, 0, 0, 0, 4, 4, 1, 0, 0, 0, 0, 0, 1, 2, 3, 0], dtype="int32").reshape(2, 3, 4)
m = keras.Sequential([keras.Input((3, 4), dtype="int32"), keras.layers.Embedding(5, 2, mask_zero=True),
                      keras.layers.TimeDistributed(Scale()), keras.layers.TimeDistributed(keras.layers.LSTM(3))])
m.predict(ids, verbose=0)   # builds the wrapped LSTM, whose weights the Input alone does not make
m.set_weights([det(v.shape, 1.3, 0.7 * j, 0.3) for j, v in enumerate(m.get_weights())])
print("td predict", [f"{v:.8f}" for v in m.predict(ids, verbose=0).ravel()])

# a subclass of Dense is Dense: use_bias=False with a bias_regularizer (and an L2 kernel_regularizer) is taken, the
# bias rule unused: Input(3) -> MyDense(2), kernel det, evaluate mse on xs2 (cos) against ys2 (sin)
class MyDense(keras.layers.Dense):
    pass
m = keras.Sequential([keras.Input((3,)), MyDense(2, use_bias=False, bias_regularizer=keras.regularizers.L2(0.1),
                                                  kernel_regularizer=keras.regularizers.L2(0.1))])
m.set_weights([det(v.shape, 1.3, 0.7 * j, 0.3) for j, v in enumerate(m.get_weights())])
m.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
xs2 = np.cos(0.3 * np.arange(4 * 3)).reshape(4, 3).astype("float32")
ys2 = np.sin(0.7 * np.arange(4 * 2)).reshape(4, 2).astype("float32")
print("mydense evaluate", f"{m.evaluate(xs2, ys2, verbose=0):.8f}")

# compute_mask is a query: no layer warns there (Conv1D's and Flatten's return previous_mask, unused by __call__)
with warnings.catch_warnings(record=True) as w:
    warnings.simplefilter("always")
    for l in [keras.layers.Conv1D(2, 1), keras.layers.Flatten()]:
        l.compute_mask(np.zeros((2, 3, 2), "float32"), np.array([[1, 1, 0], [1, 0, 0]], bool))
print("compute_mask warnings", [str(v.message) for v in w])
