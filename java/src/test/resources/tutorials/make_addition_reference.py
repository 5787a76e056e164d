"""Reference values for AdditionRnnExampleTest: keras.io's "Sequence to sequence learning for performing number addition"
(keras-io examples/nlp/addition_rnn.py) replayed in float64 torch 1.13 with Keras 3's rules: LSTM(128) encoder,
RepeatVector(4), LSTM(128, return_sequences=True), Dense(12, softmax) on each step; Adam (Keras' epsilon 1e-7),
categorical cross-entropy from probabilities (normalized, clipped to [1e-7, 1 - 1e-7]) averaged over samples and steps,
categorical accuracy over every step, the epoch's loss as the batch-size-weighted mean of the batches' losses before their
updates, validation after the epoch. The questions come from a 64-bit LCG both sides run (the example draws them with
np.random), 100 of them instead of 50,000; weights from make_rnn_guide_reference.hashed. Run: /usr/bin/python3 make_addition_reference.py
"""
import numpy as np
import torch

from make_reference import Adam, lstm, save
from make_rnn_guide_reference import hashed, t

torch.set_default_dtype(torch.float64)

TRAINING_SIZE, DIGITS, MAXLEN = 100, 3, 7
CHARS = sorted(set("0123456789+ "))


class Lcg:
    def __init__(self, seed):
        self.state = seed

    def below(self, n):
        self.state = (self.state * 6364136223846793005 + 1442695040888963407) % 2 ** 64
        return (self.state >> 33) % n


def questions():
    rng = Lcg(2015)
    qs, ans, seen = [], [], set()
    while len(qs) < TRAINING_SIZE:
        f = lambda: int("".join(str(rng.below(10)) for _ in range(rng.below(DIGITS) + 1)))
        a, b = f(), f()
        key = tuple(sorted((a, b)))
        if key in seen:
            continue
        seen.add(key)
        q = "{}+{}".format(a, b)
        qs.append((q + " " * (MAXLEN - len(q)))[::-1])
        ans.append(str(a + b) + " " * (DIGITS + 1 - len(str(a + b))))
    idx = list(range(len(qs)))
    for i in range(len(idx) - 1, 0, -1):   # Fisher-Yates with the same LCG (the example: np.random.shuffle)
        j = rng.below(i + 1)
        idx[i], idx[j] = idx[j], idx[i]
    return [qs[i] for i in idx], [ans[i] for i in idx]


def one_hot(strings, rows):
    x = np.zeros((len(strings), rows, len(CHARS)))
    for n, s in enumerate(strings):
        for i, c in enumerate(s):
            x[n, i, CHARS.index(c)] = 1
    return x


def main():
    qs, ans = questions()
    x, y = t(one_hot(qs, MAXLEN)), t(one_hot(ans, DIGITS + 1))
    split_at = len(x) - len(x) // 10
    x_train, x_val, y_train, y_val = x[:split_at], x[split_at:], y[:split_at], y[split_at:]
    P = [t(hashed(100 + k, shape, -0.15, 0.15)) for k, shape in enumerate(
        [(12, 512), (128, 512), (512,), (128, 512), (128, 512), (512,), (128, 12), (12,)])]
    for p in P:
        p.requires_grad_(True)
    opt = Adam(P, 0.001)

    def forward(xb):
        z = torch.zeros(len(xb), 128)
        _, h, _ = lstm(xb, P[0], P[1], P[2], z, z)
        seq, _, _ = lstm(h[:, None, :].expand(-1, DIGITS + 1, -1), P[3], P[4], P[5], z, z)
        return torch.softmax(seq @ P[6] + P[7], -1)

    def loss_acc(prob, yb):
        p = torch.clamp(prob / prob.sum(-1, keepdim=True), 1e-7, 1 - 1e-7)
        loss = -(yb * torch.log(p)).sum(-1).mean()
        hits = int((prob.argmax(-1) == yb.argmax(-1)).sum())
        return loss, hits

    history = []
    guesses = []
    for epoch in range(2):
        tot, hits = 0.0, 0
        for s in range(0, len(x_train), 32):
            loss, h = loss_acc(forward(x_train[s:s + 32]), y_train[s:s + 32])
            tot += loss.item() * len(x_train[s:s + 32])
            hits += h
            loss.backward()
            opt.step()
        with torch.no_grad():
            vloss, vhits = loss_acc(forward(x_val), y_val)
            history.append([tot / len(x_train), hits / (len(x_train) * (DIGITS + 1)), vloss.item(), vhits / (len(x_val) * (DIGITS + 1))])
            guesses.append(forward(x_val).numpy())
    save("addition", x_ids=one_hot(qs, MAXLEN).argmax(-1), y_ids=one_hot(ans, DIGITS + 1).argmax(-1),
         history=history, val_probs=guesses)


if __name__ == "__main__":
    main()
