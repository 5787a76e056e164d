"""Keras 3's gradient accumulation and EMA (keras/src/optimizers/base_optimizer.py: apply, _backend_apply_gradients,
_update_model_variables_moving_average, finalize_variable_values; adam.py and sgd.py update_step) in float64 numpy,
written from Keras' source, independently of jrnn: fit of a Dense(2) on 3 inputs (linear, mse), batches of 4 over 14
rows without shuffling (4 batches an epoch), 4 epochs = 16 calls, with an ExponentialDecay(0.05, 4, 0.5) schedule and
clipnorm 0.5. Prints the weights after fit (EMA: after finalize) and the accumulator left by the last call.
Run: python3 keras_accumulation_ema.py"""
import numpy as np

N, B, EPOCHS = 14, 4, 4
X = np.array([[np.float32(((i * 7 + j * 3) % 11 - 5) / 5.0) for j in range(3)] for i in range(N)], dtype=np.float64)
Y = np.array([[np.float32(((i * 5 + k * 2) % 7 - 3) / 3.0) for k in range(2)] for i in range(N)], dtype=np.float64)
W0 = np.array([[np.float32(0.1 * (j - k) + 0.05) for k in range(2)] for j in range(3)], dtype=np.float64)
B0 = np.array([np.float32(0.1), np.float32(-0.2)], dtype=np.float64)


def schedule(it):  # ExponentialDecay(0.05, decay_steps=4, decay_rate=0.5), staircase False, at the raw _iterations
    return 0.05 * 0.5 ** (it / 4)


def clip_by_norm(g, c):  # BaseOptimizer._clip_by_norm
    n = np.sqrt(np.sum(g * g))
    return g * c / max(n, c) if n > 0 else g


def run(kind, steps, ema, ema_momentum=0.99, freq=None, clipnorm=0.5, momentum=0.9):
    var = [W0.copy(), B0.copy()]
    acc = [np.zeros_like(v) for v in var]
    avg = [np.zeros_like(v) for v in var]
    m = [np.zeros_like(v) for v in var]
    v2 = [np.zeros_like(v) for v in var]
    it = 0  # _iterations: every call

    def iterations():  # the property: floor-divided with accumulation
        return it // steps if steps else it

    def update(grads):
        grads = [clip_by_norm(g, clipnorm) for g in grads]
        lr = schedule(it)
        for i, g in enumerate(grads):
            if kind == "adam":
                t = iterations() + 1
                b1, b2, eps = 0.9, 0.999, 1e-7
                alpha = lr * np.sqrt(1 - b2 ** t) / (1 - b1 ** t)
                m[i] += (g - m[i]) * (1 - b1)
                v2[i] += (g * g - v2[i]) * (1 - b2)
                var[i] -= alpha * m[i] / (np.sqrt(v2[i]) + eps)
            else:
                m[i] = momentum * m[i] - lr * g
                var[i] += m[i]

    for _ in range(EPOCHS):
        for s in range(0, N, B):
            xb, yb = X[s:s + B], Y[s:s + B]
            d = 2 * (xb @ var[0] + var[1] - yb) / yb.size
            grads = [xb.T @ d, d.sum(0)]
            if steps:
                if (it + 1) % steps == 0:
                    update([(g + a) / steps for g, a in zip(grads, acc)])
                    acc = [np.zeros_like(a) for a in acc]
                else:
                    acc = [a + g for a, g in zip(acc, grads)]
            else:
                update(grads)
            if ema:
                mom = 0.0 if iterations() == 0 else ema_momentum
                avg = [mom * a + (1 - mom) * v for a, v in zip(avg, var)]
                if freq and (iterations() + 1) % freq == 0:
                    var = [a.copy() for a in avg]
            it += 1
    if ema:
        var = [a.copy() for a in avg]  # fit's finalize_variable_values
    return np.concatenate([v.ravel() for v in var]), np.concatenate([a.ravel() for a in acc])


def show(name, r):
    w, a = r
    print(name, "weights", ", ".join(repr(float(x)) for x in w))
    print(name, "accumulator", ", ".join(repr(float(x)) for x in a))


show("adam steps 3 ema 0.9", run("adam", 3, True, 0.9))
show("sgd steps 3 ema 0.8 freq 2", run("sgd", 3, True, 0.8, freq=2))
show("adam steps 1 ema 0.9", run("adam", None, True, 0.9))
show("adam steps 3", run("adam", 3, False))
show("sgd steps 3", run("sgd", 3, False))
