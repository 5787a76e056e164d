"""A Dense(2) on 3 inputs trained on mse for three steps, Keras 3's rules in float64 numpy: the gradients of
mean((x W + b - y)^2) clipped per variable (kernel, bias) or over both, then the decay, then the update. For
OptimizerKerasRulesTest.aModelClipsPerKerasVariable and
weightDecayExcludesTheNamedWeights (Keras' exclude_from_weight_decay(var_names=...): re.search in the variable's name). Run: /usr/bin/python3 keras_model_steps.py"""
import math
import re
import numpy as np

X = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.5], [-2.0, 1.0, 0.75], [0.1, 0.2, 0.3]])
Y = np.array([[1.0, -2.0], [0.5, 3.0], [-1.0, 0.0], [2.0, 1.0]])
W0 = np.array([[0.2, -0.1], [0.4, 0.3], [-0.5, 0.6]])
B0 = np.array([0.05, -0.02])
f32 = lambda v: float(np.float32(v))


def grads(w, b):
    r = X @ w + b - Y
    d = 2 * r / r.size
    return X.T @ d, d.sum(0)


def clip(gs, o):
    if o.get("clipnorm"):
        c = f32(o["clipnorm"])
        return [g * c / max(math.sqrt(np.sum(g * g)), c) for g in gs]
    if o.get("global_clipnorm"):
        c = f32(o["global_clipnorm"])
        n = math.sqrt(sum(np.sum(g * g) for g in gs))
        return [g * (c * min(1 / n, 1 / c)) for g in gs]
    return gs


NAMES = ["kernel", "bias"]


def run(kind, o, steps=3):
    vs = [W0.copy(), B0.copy()]
    excluded = re.compile("|".join(set(o["exclude"]))) if o.get("exclude") else None   # _use_weight_decay
    m = [np.zeros_like(v) for v in vs]
    v2 = [np.zeros_like(v) for v in vs]
    lr = f32(o["lr"])
    for it in range(steps):
        gs = clip(list(grads(*vs)), o)
        wd = f32(o.get("wd", 0))
        vs = [v if excluded and excluded.search(NAMES[i]) else v - v * wd * lr for i, v in enumerate(vs)]
        t = it + 1
        for i, g in enumerate(gs):
            if kind == "sgd":
                mom = f32(o.get("momentum", 0))
                if mom:
                    m[i] = m[i] * mom - g * lr
                    vs[i] = vs[i] + m[i]
                else:
                    vs[i] = vs[i] - lr * g
            elif kind == "rmsprop":
                rho, eps = f32(0.9), f32(1e-7)
                v2[i] = rho * v2[i] + (1 - rho) * g * g
                vs[i] = vs[i] - lr * g / np.sqrt(v2[i] + eps)
            else:   # adam
                b1, b2, eps = 0.9, 0.999, 1e-7
                b1, b2, eps = f32(b1), f32(b2), f32(eps)
                alpha = lr * math.sqrt(1 - b2 ** t) / (1 - b1 ** t)
                m[i] += (g - m[i]) * (1 - b1)
                v2[i] += (g * g - v2[i]) * (1 - b2)
                vs[i] = vs[i] - m[i] * alpha / (np.sqrt(v2[i]) + eps)
    return vs


if __name__ == "__main__":
    for name, kind, o in [("sgd clipnorm", "sgd", dict(lr=0.5, clipnorm=0.3)),
                          ("sgd global_clipnorm", "sgd", dict(lr=0.5, global_clipnorm=0.3)),
                          ("adam wd clipnorm", "adam", dict(lr=0.05, wd=0.1, clipnorm=0.3)),
                          ("adamw exclude bias", "adam", dict(lr=0.05, wd=0.5, exclude=["bias"])),
                          ("sgd momentum exclude ker", "sgd", dict(lr=0.1, momentum=0.5, wd=0.5, exclude=["ker"])),
                          ("rmsprop exclude bias clipnorm", "rmsprop", dict(lr=0.05, wd=0.5, clipnorm=0.3, exclude=["bias"]))]:
        w, b = run(kind, o)
        print(name, "{" + ", ".join(repr(x) for x in w.ravel()) + "}", "{" + ", ".join(repr(x) for x in b) + "}")
    print("unclipped grad norms", [math.sqrt(np.sum(g * g)) for g in grads(W0, B0)])
