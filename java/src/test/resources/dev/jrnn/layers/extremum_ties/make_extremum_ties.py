#!/usr/bin/env python3
"""Goldens for ExtremumTest: Maximum and Minimum of 3 and 4 inputs whose values tie, their outputs and each input's
gradient of sum(w * merged) as Keras 3.15.1 on JAX computes them (the Keras layer itself under jax.grad), checked
here against PyTorch 1.13's left fold torch.maximum(torch.maximum(a, b), c) (each tie split in half; Keras on
TensorFlow gives a tie's gradient to the first input instead, which jrnn does not follow).

Every pattern of the values {0, 1, 2} over the k inputs is one column (3^k columns), w a distinct weight per column.
Run from this folder (deterministic, no randomness):
  KERAS_BACKEND=jax /tmp/jrnn-keras3/venv/bin/python make_extremum_ties.py   # writes keras.json
  /usr/bin/python3 make_extremum_ties.py --torch                              # checks keras.json against torch
"""
import itertools
import json
import sys

import numpy as np


def cases():
    for layer in ("Maximum", "Minimum"):
        for k in (3, 4):
            cols = list(itertools.product((0.0, 1.0, 2.0), repeat=k))
            xs = [np.array([[c[j] for c in cols]], np.float32) for j in range(k)]
            w = np.array([[0.5 + 0.25 * i for i in range(len(cols))]], np.float32)
            yield f"{layer.lower()}{k}", layer, xs, w


if "--torch" in sys.argv:
    import torch
    with open("keras.json") as f:
        golden = json.load(f)
    for name, layer, xs, w in cases():
        ts = [torch.tensor(x, requires_grad=True) for x in xs]
        op = torch.maximum if layer == "Maximum" else torch.minimum
        y = ts[0]
        for t in ts[1:]:
            y = op(y, t)
        (y * torch.tensor(w)).sum().backward()
        g = golden[name]
        assert np.array_equal(y.detach().numpy().ravel(), np.array(g["y"], np.float32)), name
        for j, t in enumerate(ts):
            assert np.array_equal(t.grad.numpy().ravel(), np.array(g["grads"][j], np.float32)), (name, j)
    print("torch 1.13 agrees with keras.json")
else:
    import jax
    import keras
    assert keras.__version__ == "3.15.1" and keras.backend.backend() == "jax"
    out = {"keras": keras.__version__, "backend": "jax"}
    for name, layer, xs, w in cases():
        merge = getattr(keras.layers, layer)()
        f = lambda *a: (merge(list(a)) * w).sum()
        grads = jax.grad(f, argnums=tuple(range(len(xs))))(*xs)
        out[name] = {"inputs": [x.ravel().tolist() for x in xs], "w": w.ravel().tolist(),
                     "y": np.asarray(merge(xs)).ravel().tolist(), "grads": [np.asarray(g).ravel().tolist() for g in grads]}
    with open("keras.json", "w") as f:
        json.dump(out, f, separators=(",", ":"))
        f.write("\n")
