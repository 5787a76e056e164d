"""Keras 3's learning-rate schedules (keras/src/optimizers/schedules/learning_rate_schedule.py __call__), in float64,
at iterations 0..N, for OptimizerKerasRulesTest. Prints Java arrays. Run: /usr/bin/python3 keras_schedules.py"""
import math


def exponential(init, steps, rate, staircase):
    def f(step):
        p = step / steps
        if staircase:
            p = math.floor(p)
        return init * rate ** p
    return f


def piecewise(boundaries, values):
    def f(step):
        r = (step <= boundaries[0]) * values[0] + (step > boundaries[-1]) * values[-1]
        for low, high, v in zip(boundaries[:-1], boundaries[1:], values[1:-1]):
            r += ((step > low) and (step <= high)) * v
        return float(r)
    return f


def polynomial(init, steps, end, power, cycle):
    def f(step):
        d = steps
        s = step
        if cycle:
            d = steps * (1.0 if step == 0 else math.ceil(step / steps))
        else:
            s = min(step, d)
        return (init - end) * (1 - s / d) ** power + end
    return f


def inverse_time(init, steps, rate, staircase):
    def f(step):
        p = step / steps
        if staircase:
            p = math.floor(p)
        return init / (1 + rate * p)
    return f


def cosine(init, steps, alpha, warmup_target=None, warmup_steps=0):
    def decay(s, frm):
        c = 0.5 * (1.0 + math.cos(math.pi * (s / steps)))
        return frm * ((1 - alpha) * c + alpha)

    def f(step):
        if warmup_target is None:
            return decay(min(step, steps), init)
        s = min(step, steps + warmup_steps)
        if s < warmup_steps:
            return (warmup_target - init) * (s / warmup_steps) + init
        return decay(s - warmup_steps, warmup_target)
    return f


def restarts(init, first, t_mul, m_mul, alpha):
    def f(step):
        frac = step / first
        if t_mul == 1.0:
            i = math.floor(frac)
            frac -= i
        else:
            i = math.floor(math.log(1.0 - frac * (1.0 - t_mul)) / math.log(t_mul))
            sum_r = (1.0 - t_mul ** i) / (1.0 - t_mul)
            frac = (frac - sum_r) / t_mul ** i
        c = 0.5 * m_mul ** i * (1.0 + math.cos(math.pi * frac))
        return init * ((1 - alpha) * c + alpha)
    return f


CASES = [
    ("ExponentialDecay(0.1, 3, 0.7)", exponential(0.1, 3, 0.7, False)),
    ("ExponentialDecay(0.1, 3, 0.7).staircase(true)", exponential(0.1, 3, 0.7, True)),
    ("PiecewiseConstantDecay([3, 7], [0.1, 0.05, 0.01])", piecewise([3, 7], [0.1, 0.05, 0.01])),
    ("PolynomialDecay(0.1, 4).endLearningRate(0.01).power(0.5).cycle(true)", polynomial(0.1, 4, 0.01, 0.5, True)),
    ("PolynomialDecay(0.1, 4).endLearningRate(0.01).power(3)", polynomial(0.1, 4, 0.01, 3, False)),
    ("InverseTimeDecay(0.1, 3, 0.5)", inverse_time(0.1, 3, 0.5, False)),
    ("InverseTimeDecay(0.1, 3, 0.5).staircase(true)", inverse_time(0.1, 3, 0.5, True)),
    ("CosineDecay(0.02, 5).alpha(0.2).warmup(0.1, 3)", cosine(0.02, 5, 0.2, 0.1, 3)),
    ("CosineDecay(0.1, 6).alpha(0.3)", cosine(0.1, 6, 0.3)),
    ("CosineDecayRestarts(0.1, 3).tMul(1.5).mMul(0.7).alpha(0.05)", restarts(0.1, 3, 1.5, 0.7, 0.05)),
    ("CosineDecayRestarts(0.1, 2).tMul(1).mMul(0.5)", restarts(0.1, 2, 1.0, 0.5, 0.0)),
]

if __name__ == "__main__":
    for name, f in CASES:
        print(name, "{" + ", ".join(repr(f(s)) for s in range(16)) + "}")
