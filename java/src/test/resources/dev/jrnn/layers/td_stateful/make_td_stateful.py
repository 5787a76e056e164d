# Keras 3.15.1 (TensorFlow) goldens of TimeDistributedTest's TimeDistributed(LSTM(3, stateful=True)): Keras' step_function
# runs the inner layer once per outer step, its states going on from the step before, and across predict calls.
# Input(batch_shape=(2, 3, 4, 5)) -> [Masking(0)] -> TimeDistributed(LSTM(3, stateful, return_sequences=seq)) -> Dense(2).
# Writes td_CASE.keras (before anything runs) and td_stateful.txt ("case key values..."): predict twice (p1, p2); after
# the LSTM's states are reset, train_on_batch twice (loss, loss2; SGD(0.1), mse) and predict (p3); "masked_seq"'s loss
# applies the (B,T,I) output mask, a mean over the valid inner steps. "masked" keeps predict only: Keras refuses its fit
# (a (B,T,I) mask meets a (B,T) loss).
# Run here: KERAS_BACKEND=tensorflow python make_td_stateful.py (tensorflow-cpu 2.21).
import numpy as np, keras
from keras import layers

def det(shape, a, b, scale):
    n = int(np.prod(shape)); i = np.arange(n)
    return (np.sin(i * a + b) * scale).reshape(shape).astype("float32")

out = open("td_stateful.txt", "w")
def put(case, key, v):
    out.write(case + " " + key + " " + " ".join("%.9g" % x for x in np.asarray(v, "float64").ravel()) + "\n")

B, T, I, F = 2, 3, 4, 5
x = det((B, T, I, F), 0.7, 0.3, 1.0)
xm = x.copy()
xm[0, 1, 2:] = 0.0   # trailing inner steps padded
xm[1, 2, :] = 0.0    # a whole outer step padded
xm[1, 0, 0] = 0.0    # a leading inner step padded
y_seq = det((B, T, 2), 0.3, 0.6, 1.0)
y4 = det((B, T, I, 2), 0.3, 0.6, 1.0)
for case in ["plain", "masked", "seq", "masked_seq"]:
    keras.utils.set_random_seed(1)
    masked = case.startswith("masked"); seq = case.endswith("seq")
    inp = keras.Input(batch_shape=(B, T, I, F), name="x")
    h = layers.Masking(0.0, name="mk")(inp) if masked else inp
    h = layers.TimeDistributed(layers.LSTM(3, stateful=True, return_sequences=seq, name="lstm"), name="td")(h)
    m = keras.Model(inp, layers.Dense(2, name="head")(h))
    m.compile(keras.optimizers.SGD(0.1), "mse")
    m.save(f"td_{case}.keras")
    xx = xm if masked else x
    put(case, "p1", m.predict(xx, batch_size=B, verbose=0))
    put(case, "p2", m.predict(xx, batch_size=B, verbose=0))
    if case == "masked":
        continue
    m.get_layer("td").layer.reset_states()
    yy = y4 if seq else y_seq
    put(case, "loss", [m.train_on_batch(xx, yy)])
    put(case, "loss2", [m.train_on_batch(xx, yy)])
    put(case, "p3", m.predict(xx, batch_size=B, verbose=0))
out.close()
