#!/usr/bin/python3
"""Replays, in numpy, what tf.keras 2 computes for a Sequential .h5 file jrnn wrote (model.save("m.h5")), reading
only the file: its model_config attribute (layer classes, activations, go_backwards, return_sequences, reset_after)
and its model_weights (layer_names, each group's weight_names and arrays), as tf.keras 2's load_model_from_hdf5
reads them. No Keras, no jrnn: an independent reference for the numbers tf.keras 2 would give.

The math is tf.keras 2.13's (keras/layers/rnn/lstm.py, gru.py, simple_rnn.py; keras/activations.py): LSTM gates
i, f, c, o; GRU gates z, r, h, reset_after with a (2, 3H) bias; hard_sigmoid is tf.keras 2's 0.2x + 1/2.

Run from this folder: /usr/bin/python3 replay_legacy_h5.py ../jrnn_legacy_rnn.h5 ../jrnn_legacy_rnn_x.npy ../jrnn_legacy_rnn_y.npy
"""
import json
import sys

import h5py
import numpy as np

ACT = {
    "linear": lambda x: x,
    "tanh": np.tanh,
    "sigmoid": lambda x: 1.0 / (1.0 + np.exp(-x)),
    "hard_sigmoid": lambda x: np.clip(0.2 * x + 0.5, 0.0, 1.0),
    "relu": lambda x: np.maximum(x, 0.0),
    "softsign": lambda x: x / (1.0 + np.abs(x)),
}


def weights(group):
    names = [n.decode("utf8") if hasattr(n, "decode") else n for n in group.attrs.get("weight_names", [])]
    return [np.asarray(group[n], dtype=np.float64) for n in names]


def rnn(cls, c, ws, x):
    act, rec = ACT[c["activation"]], ACT.get(c.get("recurrent_activation", "sigmoid"))
    units = c["units"]
    steps = range(x.shape[1])
    if c["go_backwards"]:
        steps = reversed(steps)
    h = np.zeros((x.shape[0], units))
    cell = np.zeros_like(h)
    outs = []
    kernel, recurrent = ws[0], ws[1]
    bias = ws[2] if c["use_bias"] else None
    for t in steps:
        xt = x[:, t, :]
        if cls == "SimpleRNN":
            h = act(xt @ kernel + h @ recurrent + (bias if bias is not None else 0))
        elif cls == "LSTM":
            z = xt @ kernel + h @ recurrent + (bias if bias is not None else 0)
            i, f, g, o = np.split(z, 4, axis=1)
            cell = rec(f) * cell + rec(i) * act(g)
            h = rec(o) * act(cell)
        else:  # GRU
            if c["reset_after"]:
                b_in, b_rec = (bias[0], bias[1]) if bias is not None else (0, 0)
                xz, xr, xh = np.split(xt @ kernel + b_in, 3, axis=1)
                rz, rr, rh = np.split(h @ recurrent + b_rec, 3, axis=1)
                z, r = rec(xz + rz), rec(xr + rr)
                hh = act(xh + r * rh)
            else:
                b = bias if bias is not None else np.zeros(3 * units)
                xz, xr, xh = np.split(xt @ kernel + b, 3, axis=1)
                uz, ur, uh = np.split(recurrent, 3, axis=1)
                z, r = rec(xz + h @ uz), rec(xr + h @ ur)
                hh = act(xh + (r * h) @ uh)
            h = z * h + (1 - z) * hh
        outs.append(h)
    return np.stack(outs, axis=1) if c["return_sequences"] else h


def replay(path, x):
    with h5py.File(path, "r") as f:
        cfg = json.loads(f.attrs["model_config"])
        assert cfg["class_name"] == "Sequential", cfg["class_name"]
        mw = f["model_weights"]
        y = x.astype(np.float64)
        for spec in cfg["config"]["layers"]:
            cls, c = spec["class_name"], spec["config"]
            if cls == "InputLayer":
                continue
            ws = weights(mw[c["name"]])
            if cls in ("SimpleRNN", "LSTM", "GRU"):
                y = rnn(cls, c, ws, y)
            elif cls == "Dense":
                y = ACT[c["activation"]](y @ ws[0] + (ws[1] if c["use_bias"] else 0))
            elif cls == "Dropout":
                pass  # inference
            else:
                raise ValueError("not replayed: " + cls)
        return y


if __name__ == "__main__":
    h5, xs, ys = sys.argv[1:4]
    np.save(ys, replay(h5, np.load(xs)).astype(np.float32))
