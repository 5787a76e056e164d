#!/usr/bin/env python3
"""Golden values for GetItemTest: NumPy's basic indexing x[key] (what Keras' GetItem op and tf.keras' __operators__.getitem
compute, keras/src/ops/numpy.py GetItem.call: x[key]) and its gradient, independently of jrnn. The gradient of
sum(x[key] * g) is g put back where x[key] read it (np.zeros_like(x); dx[key] = g: basic indexing reads each element
once); where torch's indexing takes the key (no negative step), torch autograd in float64 is checked to agree. Inputs
x and upstream gradients g are 0.5 sin(1.3 k + seed) as float32. Run: python3 get_item_golden.py (writes
get_item_golden.json beside it).
"""
import json
import os

import numpy as np
import torch

S = slice
E = Ellipsis
# (NumPy key, input shape with the batch); items written as the Java test builds them
CASES = [
    ((S(None), -1), (2, 6, 4)),
    ((S(None), -1, S(None)), (2, 6, 4)),
    ((S(None), 0), (2, 6, 4)),
    ((S(None), S(1, 4)), (2, 6, 4)),
    ((S(None), S(None, None, -1)), (2, 6, 4)),
    ((S(None), S(-3, None)), (2, 6, 4)),
    ((E, S(None, 2)), (2, 6, 4)),
    ((S(None), None), (2, 6, 4)),
    ((S(None), 2, S(1, 3)), (2, 6, 4)),
    ((S(None), S(5, 1, -2)), (2, 6, 4)),
    ((S(None), S(1, -1), S(None, None, 2)), (2, 6, 4)),
    ((E, -1), (2, 6, 4)),
    ((S(None), S(-100, 100)), (2, 6, 4)),
    ((S(None), 1, E, S(None, None, -2)), (3, 3, 4, 5)),
    ((S(None), None, -2, None, S(None)), (3, 3, 4, 5)),
]


def det(shape, seed):
    n = int(np.prod(shape))
    return (0.5 * np.sin(1.3 * np.arange(n) + seed)).astype(np.float32).reshape(shape).astype(np.float64)


def item(k):
    if k is None:
        return ["newaxis"]
    if k is Ellipsis:
        return ["ellipsis"]
    if isinstance(k, int):
        return ["index", k]
    return ["slice", k.start, k.stop, k.step]


def text(k):
    def one(i):
        if i is None:
            return "None"
        if i is Ellipsis:
            return "..."
        if isinstance(i, int):
            return str(i)
        s = ("" if i.start is None else str(i.start)) + ":" + ("" if i.stop is None else str(i.stop))
        return s + ("" if i.step is None else ":" + str(i.step))
    return "[" + ", ".join(one(i) for i in k) + "]"


out = []
for c, (key, shape) in enumerate(CASES):
    x = det(shape, c)
    y = x[key]
    g = det(y.shape, 100 + c)
    dx = np.zeros_like(x)
    dx[key] = g
    if not any(isinstance(k, slice) and k.step is not None and k.step < 0 for k in key):
        tx = torch.tensor(x, requires_grad=True)
        (tx[key] * torch.tensor(g)).sum().backward()
        assert np.array_equal(tx.grad.numpy(), dx), text(key)
        assert np.array_equal(tx[key].detach().numpy(), y), text(key)
    out.append({"key": text(key), "items": [item(k) for k in key], "shape": list(shape), "x": x.ravel().tolist(),
                "g": g.ravel().tolist(), "y_shape": list(y.shape), "y": y.ravel().tolist(), "dx": dx.ravel().tolist()})

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "get_item_golden.json"), "w") as f:
    json.dump({"cases": out}, f)
