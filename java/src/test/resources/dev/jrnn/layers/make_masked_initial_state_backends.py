#!/usr/bin/env python3
"""Real Keras 3.15.1 on each backend: the output at masked steps when an initial state is given (MaskedInitialStateTest).
Run it twice and paste both prints:
  KERAS_BACKEND=tensorflow python make_masked_initial_state_backends.py   (TF 2.21)
  KERAS_BACKEND=jax python make_masked_initial_state_backends.py
TF outputs 0 at masked steps before a sample's first real step (a fully masked sample's last output is 0); JAX outputs
the initial state there. The returned states are the initial states on both. Weights and inputs are
0.5 sin(1.3 k + seed) as float32, so nothing comes from jrnn. (From an outside tester's backend_fullmask.py.)
"""
import numpy as np
import keras


def det(n, seed):
    return (0.5 * np.sin(1.3 * np.arange(n) + seed)).astype(np.float32)


def setdet(layer, seed):
    layer.set_weights([det(int(np.prod(w.shape)), seed + k).reshape(w.shape) for k, w in enumerate(layer.get_weights())])


x = det(2 * 4 * 3, 5).reshape(2, 4, 3)
x[1] = 0                              # sample 1: every step masked
x[0, :2] = 0                          # sample 0: two masked steps, then two real ones
mask = np.any(x != 0, axis=-1)
s = np.full((2, 3), 0.7, "float32")
c = np.full((2, 3), -0.4, "float32")    # an LSTM's initial carry, apart from h: JAX's masked output is h
fmt = lambda a: ", ".join("%.8ef" % v for v in np.asarray(a, np.float64).ravel())
print("backend", keras.backend.backend())
for name, cls, seed in [("GRU", keras.layers.GRU, 10), ("SIMPLE_RNN", keras.layers.SimpleRNN, 20), ("LSTM", keras.layers.LSTM, 30)]:
    layer = cls(3, return_sequences=True, return_state=True)
    st = [s, c] if cls is keras.layers.LSTM else [s]
    layer(x, initial_state=st, mask=mask)  # builds
    setdet(layer, seed)
    out = layer(x, initial_state=st, mask=mask)
    print(f"static final float[] {name}_SEQ = {{{fmt(out[0])}}};")
    print(f"static final float[] {name}_H = {{{fmt(out[1])}}};")
    if cls is keras.layers.LSTM:
        print(f"static final float[] {name}_C = {{{fmt(out[2])}}};")
