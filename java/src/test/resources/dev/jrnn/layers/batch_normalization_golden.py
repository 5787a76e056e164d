#!/usr/bin/python3
"""Golden values for jrnn's BatchNormalizationTest: Keras 3's BatchNormalization (keras/src/layers/normalization/
batch_normalization.py) written out in numpy float64, not taken from PyTorch: torch.nn.BatchNorm1d keeps its running
variance unbiased and weighs the new batch by its momentum, where Keras keeps the biased variance and
moving = moving * momentum + batch * (1 - momentum).

Training steps: moments over every axis but the last (with a mask: sums over the unmasked positions divided by their
count + 1e-7, Keras' backend.epsilon()), outputs (x - mean) / sqrt(var + eps) * gamma + beta, then the moving update;
after the steps one inference call with the moving statistics. Inputs and weights are float32 values used in float64.
Run: /usr/bin/python3 batch_normalization_golden.py (writes batch_normalization_golden.json beside it).
"""
import json
import os

import numpy as np

rng = np.random.default_rng(20261205)


def f32(a):
    return np.asarray(a, dtype=np.float32).astype(np.float64)


def moments(x, mask):
    f = x.shape[-1]
    xs = x.reshape(-1, f)
    if mask is None:
        return xs.mean(0), xs.var(0)
    m = mask.reshape(-1, 1)
    count = m.sum() + 1e-7
    mean = (np.where(m > 0, xs, 0)).sum(0) / count
    var = (np.where(m > 0, xs - mean, 0) ** 2).sum(0) / count
    return mean, var


def case(name, shape, momentum, eps, center, scale, masked, steps=3):
    f = shape[-1]
    gamma = f32(rng.uniform(0.5, 1.5, f)) if scale else None
    beta = f32(rng.uniform(-0.5, 0.5, f)) if center else None
    mm, mv = f32(rng.uniform(-0.2, 0.2, f)), f32(rng.uniform(0.5, 1.5, f))
    out = {"name": name, "shape": shape, "momentum": momentum, "epsilon": eps, "center": center, "scale": scale,
           "gamma": None if gamma is None else gamma.tolist(), "beta": None if beta is None else beta.tolist(),
           "moving_mean": mm.tolist(), "moving_variance": mv.tolist(), "steps": []}
    for s in range(steps):
        x = f32(rng.normal(1.5, 2.0, shape))
        mask = None
        if masked:
            mask = np.ones(shape[:2])
            for b in range(shape[0]):
                mask[b, shape[1] - b % shape[1]:] = 0     # sample b: its last b % T steps masked
        mean, var = moments(x, mask)
        y = (x - mean) / np.sqrt(var + eps)
        if scale:
            y = y * gamma
        if center:
            y = y + beta
        mm = mm * momentum + mean * (1 - momentum)
        mv = mv * momentum + var * (1 - momentum)
        out["steps"].append({"x": x.ravel().tolist(), "mask": None if mask is None else mask.ravel().tolist(),
                             "y": y.ravel().tolist(), "moving_mean": mm.tolist(), "moving_variance": mv.tolist()})
    x = f32(rng.normal(1.5, 2.0, shape))
    y = (x - mm) / np.sqrt(mv + eps)
    if scale:
        y = y * gamma
    if center:
        y = y + beta
    out["inference"] = {"x": x.ravel().tolist(), "y": y.ravel().tolist()}
    return out


cases = [
    case("dense_2d", [6, 5], 0.99, 1e-3, True, True, False),
    case("sequence_3d", [4, 3, 7], 0.9, 1e-3, True, True, False),
    case("no_center_no_scale", [5, 2, 4], 0.5, 0.01, False, False, False),
    case("masked_3d", [4, 5, 3], 0.8, 1e-3, True, True, True),
]
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "batch_normalization_golden.json"), "w") as fh:
    json.dump(cases, fh, indent=None)
    fh.write("\n")
