"""Keras 3's EarlyStopping and ReduceLROnPlateau rules, transcribed from keras/src/callbacks/early_stopping.py,
reduce_lr_on_plateau.py and monitor_callback.py (_is_improvement, min_delta's sign), run on random scripted sequences of
a monitored value. Writes monitor_rules.txt, which EarlyStoppingTest and ReduceLROnPlateauTest replay:

  ES <mode> <patience> <min_delta> <baseline|None> <restore> <start_from_epoch> <values> | <epochs run> <restored epoch|None>
  RL <mode> <patience> <min_delta> <cooldown> <factor> <min_lr> <values> | <learning rate after each epoch (float32)>

Run: python3 monitor_rules.py (numpy for float32). NaN values are left out: jrnn's EarlyStopping never takes a NaN as
the best (documented), where Keras would keep a first NaN for good.
"""
import random

import numpy as np


def is_improvement(op, min_delta, current, reference):
    if reference is None:
        return True
    return op(current - min_delta, reference)


def monitor(mode, min_delta):
    # MonitorCallback: min_delta = abs(min_delta); less -> min_delta *= -1
    op = (lambda a, b: a < b) if mode == "min" else (lambda a, b: a > b)
    d = abs(min_delta)
    return op, (-d if mode == "min" else d)


def early_stopping(mode, patience, min_delta, baseline, restore, start, values):
    op, md = monitor(mode, min_delta)
    wait, best, best_weights, stop = 0, None, None, False
    epochs = 0
    for epoch, current in enumerate(values):
        epochs += 1
        if not epoch < start:
            if restore and best_weights is None:
                best_weights = epoch   # the weights of this epoch (get_weights)
            wait += 1
            if is_improvement(op, md, current, best):
                best = current
                if restore:
                    best_weights = epoch
                if baseline is None or is_improvement(op, md, current, baseline):
                    wait = 0
            elif wait >= patience and epoch > 0:
                stop = True   # model.stop_training = True: fit ends after this epoch
        if stop:
            break
    return epochs, (best_weights if restore else None)


def reduce_lr(mode, patience, min_delta, cooldown, factor, min_lr, values, lr):
    op, md = monitor(mode, min_delta)
    best, wait, cooldown_counter, out = None, 0, 0, []
    lr = float(np.float32(lr))   # the optimizer's float32 variable
    for current in values:
        if cooldown_counter > 0:
            cooldown_counter -= 1
            wait = 0
        if is_improvement(op, md, current, best):
            best = current
            wait = 0
        elif not cooldown_counter > 0:
            wait += 1
            if wait >= patience:
                if lr > np.float32(min_lr):   # _reduce_optimizer_lr
                    lr = float(np.float32(max(lr * factor, min_lr)))
                    cooldown_counter = cooldown
                    wait = 0
        out.append(lr)
    return out


def values(r):
    # ties and repeats on purpose: 0.4, 0.5 and 0.6 recur
    return [round(r.choice([r.uniform(0, 1), 0.5, 0.4, 0.6]), 2) for _ in range(r.randint(1, 12))]


def main():
    r = random.Random(7)
    lines = []
    for _ in range(120):
        v = values(r)
        mode, patience = r.choice(["min", "max"]), r.randint(0, 3)
        md, base = r.choice([0, 0, 0.05, 0.1]), r.choice([None, None, 0.5, 0.3, 0.7])
        restore, start = r.choice([True, False]), r.choice([0, 0, 1, 2])
        epochs, restored = early_stopping(mode, patience, md, base, restore, start, v)
        lines.append("ES %s %d %s %s %s %d %s | %d %s" % (mode, patience, md, base, restore, start, ",".join(map(str, v)),
                                                         epochs, restored))
    for _ in range(120):
        v = values(r)
        mode, patience, md, cooldown = r.choice(["min", "max"]), r.randint(0, 3), r.choice([0, 1e-4, 0.05]), r.randint(0, 2)
        factor, min_lr = r.choice([0.1, 0.5, 0.3]), r.choice([0, 0.01, 0.05])
        out = reduce_lr(mode, patience, md, cooldown, factor, min_lr, v, 0.2)
        lines.append("RL %s %d %s %d %s %s %s | %s" % (mode, patience, md, cooldown, factor, min_lr, ",".join(map(str, v)),
                                                     ",".join(repr(x) for x in out)))
    with open("monitor_rules.txt", "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
