"""Keras 3's optimizer rules in float64 numpy, written from keras/src/optimizers/*.py and base_optimizer.py
(clip -> weight decay `v -= v * wd * lr` -> update_step, lr = schedule(iterations) with iterations from 0), for
OptimizerKerasRulesTest. Two variables (sizes 3 and 2, as the test's store), four or five steps. Prints Java arrays.
Run: /usr/bin/python3 keras_rules.py"""
import math
import numpy as np

P0 = np.array([0.5, -1.0, 2.0, 0.25, -0.75])
GRADS = [np.array(g, dtype=np.float32).astype(np.float64) for g in (
    [0.1, -0.2, 0.3, 4.0, -5.0], [-0.3, 0.2, 0.1, 1.0, 0.5], [0.5, 0.5, -0.5, -2.0, 0.01],
    [1.0, -1.0, 0.2, 0.3, -0.4], [-0.7, 0.05, 0.6, -0.1, 2.5])]
SPLIT = [slice(0, 3), slice(3, 5)]
f32 = lambda x: float(np.float32(x))   # jrnn stores its settings as float32: the reference takes the same numbers


def clip(g, o):
    g = g.copy()
    if o.get("clipnorm"):
        c = f32(o["clipnorm"])
        for s in SPLIT:
            n = math.sqrt(np.sum(g[s] ** 2))
            g[s] = g[s] * c / max(n, c)
    elif o.get("global_clipnorm"):
        c = f32(o["global_clipnorm"])
        n = math.sqrt(np.sum(g ** 2))
        g = g * (c * min(1.0 / n, 1.0 / c))
    elif o.get("clipvalue"):
        c = f32(o["clipvalue"])
        g = np.clip(g, -c, c)
    return g


def run(kind, o, steps=4, lr_at=None):
    p = P0.copy()
    n = len(p)
    st = {}
    u_product = 1.0
    lrs = []
    for it in range(steps):
        lr = lr_at(it) if lr_at else f32(o["lr"])
        lrs.append(lr)
        g = clip(GRADS[it], o)
        wd = f32(o.get("wd", 0.0))
        if wd:
            p = p - p * wd * lr
        t = it + 1
        if kind in ("adam", "adamw"):
            b1, b2, eps = f32(o.get("b1", 0.9)), f32(o.get("b2", 0.999)), f32(o.get("eps", 1e-7))
            m = st.setdefault("m", np.zeros(n)); v = st.setdefault("v", np.zeros(n))
            alpha = lr * math.sqrt(1 - b2 ** t) / (1 - b1 ** t)
            m += (g - m) * (1 - b1); v += (g * g - v) * (1 - b2)
            if o.get("amsgrad"):   # v_hat = max(v_hat, v); v = v_hat
                vh = st.setdefault("vh", np.zeros(n))
                vh[:] = np.maximum(vh, v)
                p = p - m * alpha / (np.sqrt(vh) + eps)
            else:
                p = p - m * alpha / (np.sqrt(v) + eps)
        elif kind == "sgd":
            mom = f32(o.get("momentum", 0.0))
            if mom:
                m = st.setdefault("m", np.zeros(n))
                m[:] = m * mom - g * lr
                p = p + (m * mom - g * lr if o.get("nesterov") else m)
            else:
                p = p - g * lr
        elif kind == "rmsprop":
            rho, mom, eps = f32(o.get("rho", 0.9)), f32(o.get("momentum", 0.0)), f32(o.get("eps", 1e-7))
            vel = st.setdefault("vel", np.zeros(n))
            vel[:] = rho * vel + (1 - rho) * g * g
            if o.get("centered"):
                ag = st.setdefault("ag", np.zeros(n))
                ag[:] = rho * ag + (1 - rho) * g
                den = vel - ag ** 2 + eps
            else:
                den = vel + eps
            inc = lr * g / np.sqrt(den)
            if mom > 0:
                m = st.setdefault("m", np.zeros(n))
                m[:] = mom * m + inc
                p = p - m
            else:
                p = p - inc
        elif kind == "adagrad":
            eps = f32(o.get("eps", 1e-7))
            acc = st.setdefault("acc", np.full(n, f32(o.get("init", 0.1))))
            acc += g * g
            p = p - lr * g / np.sqrt(acc + eps)
        elif kind == "adadelta":
            rho, eps = f32(o.get("rho", 0.95)), f32(o.get("eps", 1e-7))
            ag = st.setdefault("ag", np.zeros(n)); ad = st.setdefault("ad", np.zeros(n))
            ag[:] = rho * ag + (1 - rho) * g * g
            d = -(np.sqrt(ad + eps) * g) / np.sqrt(ag + eps)
            ad[:] = rho * ad + (1 - rho) * d * d
            p = p + lr * d
        elif kind == "adamax":
            b1, b2, eps = f32(o.get("b1", 0.9)), f32(o.get("b2", 0.999)), f32(o.get("eps", 1e-7))
            m = st.setdefault("m", np.zeros(n)); u = st.setdefault("u", np.zeros(n))
            m += (g - m) * (1 - b1)
            u[:] = np.maximum(b2 * u, np.abs(g))
            p = p - lr * m / ((1 - b1 ** t) * (u + eps))
        elif kind == "nadam":
            b1, b2, eps = f32(o.get("b1", 0.9)), f32(o.get("b2", 0.999)), f32(o.get("eps", 1e-7))
            u_product = u_product * b1 * (1.0 - 0.5 * 0.96 ** (it + 1))   # _backend_update_step, before update_step
            m = st.setdefault("m", np.zeros(n)); v = st.setdefault("v", np.zeros(n))
            u_t = b1 * (1.0 - 0.5 * 0.96 ** t)
            u_t_1 = b1 * (1.0 - 0.5 * 0.96 ** (t + 1))
            u_product_t_1 = u_product * u_t_1
            m += (g - m) * (1 - b1); v += (g * g - v) * (1 - b2)
            m_hat = u_t_1 * m / (1 - u_product_t_1) + (1 - u_t) * g / (1 - u_product)
            v_hat = v / (1 - b2 ** t)
            p = p - m_hat * lr / (np.sqrt(v_hat) + eps)
        elif kind == "lion":
            b1, b2 = f32(o.get("b1", 0.9)), f32(o.get("b2", 0.99))
            m = st.setdefault("m", np.zeros(n))
            p = p - lr * np.sign(m * b1 + g * (1 - b1))
            m[:] = m * b2 + g * (1 - b2)
        else:
            raise ValueError(kind)
    return p, lrs


def jarr(a):
    return "{" + ", ".join(repr(float(x)) for x in a) + "}"


CASES = [
    ("adam betas eps", "adam", dict(lr=0.01, b1=0.8, b2=0.99, eps=1e-3)),
    ("adam wd clipnorm", "adam", dict(lr=0.01, wd=0.1, clipnorm=1.0)),
    ("adam amsgrad", "adam", dict(lr=0.01, b1=0.8, b2=0.9, amsgrad=True)),
    ("adam amsgrad wd clipvalue", "adam", dict(lr=0.01, b2=0.9, eps=1e-3, amsgrad=True, wd=0.05, clipvalue=3.0)),
    ("adamw amsgrad", "adamw", dict(lr=0.02, wd=0.004, b2=0.9, amsgrad=True)),
    ("adamw global_clipnorm", "adamw", dict(lr=0.02, wd=0.05, b1=0.85, b2=0.995, eps=1e-4, global_clipnorm=1.5)),
    ("sgd nesterov wd clipvalue", "sgd", dict(lr=0.05, momentum=0.9, nesterov=True, wd=0.02, clipvalue=0.5)),
    ("sgd momentum", "sgd", dict(lr=0.05, momentum=0.5)),
    ("rmsprop centered momentum wd", "rmsprop", dict(lr=0.01, rho=0.8, momentum=0.5, centered=True, eps=1e-3, wd=0.01)),
    ("rmsprop rho global_clipnorm", "rmsprop", dict(lr=0.01, rho=0.95, global_clipnorm=2.0)),
    ("adagrad init eps wd clipnorm", "adagrad", dict(lr=0.1, init=0.5, eps=1e-3, wd=0.01, clipnorm=0.8)),
    ("adadelta rho eps wd", "adadelta", dict(lr=1.0, rho=0.8, eps=1e-4, wd=0.03)),
    ("adamax betas eps global_clipnorm", "adamax", dict(lr=0.02, b1=0.7, b2=0.9, eps=1e-3, global_clipnorm=1.0)),
    ("nadam betas eps wd clipvalue", "nadam", dict(lr=0.01, b1=0.8, b2=0.95, eps=1e-3, wd=0.02, clipvalue=1.0)),
    ("lion betas wd clipnorm", "lion", dict(lr=0.003, b1=0.5, b2=0.9, wd=0.1, clipnorm=0.5)),
]

if __name__ == "__main__":
    for name, kind, o in CASES:
        p, _ = run(kind, o, steps=5)
        print(f'"{name}": {jarr(p)}')
    # a schedule read at iterations 0, 1, ...: ExponentialDecay(0.05, 2, 0.5) driving Adam with weight decay
    sched = lambda it: 0.05 * 0.5 ** (it / 2)
    p, lrs = run("adam", dict(wd=0.1), steps=5, lr_at=sched)
    print("adam with ExponentialDecay(0.05, 2, 0.5):", jarr(p), "lrs", lrs)
