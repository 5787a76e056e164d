#!/usr/bin/env python3
"""Golden values for RecurrentKerasSemanticsTest: Keras 3's recurrent semantics written out in numpy float64,
independently of jrnn. Cells as keras/src/layers/rnn/{lstm,gru}.py (gates i, f, c, o; GRU z, r, h with reset_after
and its (2, 3H) bias); the loop as keras/src/backend/tensorflow/rnn.py (a masked step keeps the states and repeats
the previous output, 0 before the first real one; zero_output_for_mask outputs 0); Bidirectional as
keras/src/layers/rnn/bidirectional.py (the backward sequence flipped back, zero_output_for_mask = return_sequences);
a masked loss as keras/src/losses/loss.py apply_mask (the mean over the real steps). Gradients by float64 central
differences. Run: python3 make_recurrent_semantics_golden.py, paste the printed arrays into the test.
"""
import numpy as np


def det(n, seed):
    # the test's weights and inputs: 0.5 sin(1.3 k + seed), as float32 (what jrnn holds), widened
    return (0.5 * np.sin(1.3 * np.arange(n) + seed)).astype(np.float32).astype(np.float64)


def sig(v):
    return 1 / (1 + np.exp(-v))


class Cell:
    """kernel, recurrent_kernel, bias from det(.., seed), det(.., seed + 1), det(.., seed + 2), as the test sets them."""

    def __init__(self, kind, units, inputs, seed):
        self.kind, self.H = kind, units
        g = 4 if kind == 'lstm' else 3
        self.W = det(inputs * g * units, seed).reshape(inputs, g * units)
        self.U = det(units * g * units, seed + 1).reshape(units, g * units)
        self.b = det(2 * g * units, seed + 2).reshape(2, g * units) if kind == 'gru' else det(g * units, seed + 2)

    def zeros(self, batch):
        return [np.zeros((batch, self.H)) for _ in range(2 if self.kind == 'lstm' else 1)]

    def step(self, x, states):
        H = self.H
        if self.kind == 'lstm':
            h, c = states
            z = x @ self.W + h @ self.U + self.b
            i, f, g, o = sig(z[:, :H]), sig(z[:, H:2 * H]), np.tanh(z[:, 2 * H:3 * H]), sig(z[:, 3 * H:])
            c = f * c + i * g
            h = o * np.tanh(c)
            return h, [h, c]
        h, = states
        mx, mi = x @ self.W + self.b[0], h @ self.U + self.b[1]
        z = sig(mx[:, :H] + mi[:, :H])
        r = sig(mx[:, H:2 * H] + mi[:, H:2 * H])
        hh = np.tanh(mx[:, 2 * H:] + r * mi[:, 2 * H:])
        h = z * h + (1 - z) * hh
        return h, [h]


def rnn(cell, x, init=None, mask=None, back=False, seq=False, zero_out=False):
    """Keras' RNN call: [output] + final states; the sequence in processing order (reversed for go_backwards)."""
    B, T, _ = x.shape
    st = init if init is not None else cell.zeros(B)
    prev, outs = np.zeros((B, cell.H)), []
    for t in (range(T - 1, -1, -1) if back else range(T)):
        o, ns = cell.step(x[:, t], st)
        if mask is not None:
            m = mask[:, t][:, None]
            o = np.where(m, o, 0 if zero_out else prev)
            ns = [np.where(m, a, b) for a, b in zip(ns, st)]
        prev, st = o, ns
        outs.append(o)
    return [np.stack(outs, 1) if seq else outs[-1]] + list(st)


def padded():
    # (3, 5, 2): sample 0 post-padded (3 real steps), sample 1 pre-padded (3), sample 2 all padding
    x = det(30, 5).reshape(3, 5, 2).copy()
    x[0, 3:] = 0
    x[1, :2] = 0
    x[2] = 0
    return x, np.any(x != 0, axis=-1)


def masked_mean(per_step, mask):
    return (per_step * mask).sum() / mask.sum()


def jarr(name, a):
    vals = ', '.join('%.9gf' % v for v in np.asarray(a).ravel())
    print('    static final float[] %s = {%s};' % (name, vals))


x, mask = padded()

# 1. Masking -> Bidirectional(LSTM(3, return_sequences)) -> LSTM(2, return_state): the merged sequence keeps the mask
f = rnn(Cell('lstm', 3, 2, 40), x, mask=mask, seq=True, zero_out=True)[0]
b = rnn(Cell('lstm', 3, 2, 50), x, mask=mask, back=True, seq=True, zero_out=True)[0][:, ::-1]
y, h, c = rnn(Cell('lstm', 2, 6, 140), np.concatenate([f, b], -1), mask=mask)
jarr('BI_THEN_LSTM_Y', y)
jarr('BI_THEN_LSTM_H', h)
jarr('BI_THEN_LSTM_C', c)

# 2. masked sequence loss and metric: Masking -> LSTM(3, seq) -> Dense(1), mse, metric mae, sample weights 1, 2, 3
l = rnn(Cell('lstm', 3, 2, 30), x, mask=mask, seq=True)[0]
p = l @ det(3, 150).reshape(3, 1) + det(1, 151)
t = det(15, 151).reshape(3, 5, 1)
se, ae = ((p - t) ** 2).mean(-1), np.abs(p - t).mean(-1)
w = np.array([1.0, 2.0, 3.0])[:, None]
jarr('MASKED_LOSS_MAE_WEIGHTEDLOSS', [masked_mean(se, mask), masked_mean(ae, mask), masked_mean(se * w, mask)])

# 3. gradients of two models, by central differences
xd = det(18, 401).reshape(3, 3, 2)
y1 = det(18, 402).reshape(3, 3, 2)


def mse(a, b):
    return ((a - b) ** 2).mean()


def seq2seq():
    # encoder LSTM(3, return_state) on the masked x; decoder LSTM(3, seq) from its [h, c]; Dense(2);
    # outputs [dense, encoder c], both mse
    enc, dec = Cell('lstm', 3, 2, 300), Cell('lstm', 3, 2, 310)
    K, kb = det(6, 320).reshape(3, 2), det(2, 321)
    y2 = det(9, 400).reshape(3, 3)

    def loss():
        e = rnn(enc, x, mask=mask)
        d = rnn(dec, xd, init=e[1:], seq=True)[0]
        return mse(d @ K + kb, y1) + mse(e[2], y2)
    return loss, [enc.W, enc.U, enc.b, dec.W, dec.U, dec.b, K, kb]


def bidirectional():
    # Bidirectional(GRU(3, seq, state), merge sum) on the masked x; GRU(3, seq, go_backwards) from the backward h;
    # Dense(2); outputs [dense, the merged sequence] (its loss masked), both mse
    fw, bw, dec = Cell('gru', 3, 2, 300), Cell('gru', 3, 2, 310), Cell('gru', 3, 2, 320)
    K, kb = det(6, 330).reshape(3, 2), det(2, 331)
    y2 = det(45, 400).reshape(3, 5, 3)

    def loss():
        fo = rnn(fw, x, mask=mask, seq=True, zero_out=True)
        bo = rnn(bw, x, mask=mask, back=True, seq=True, zero_out=True)
        merged = fo[0] + bo[0][:, ::-1]
        d = rnn(dec, xd, init=bo[1:], back=True, seq=True)[0]
        return mse(d @ K + kb, y1) + masked_mean(((merged - y2) ** 2).mean(-1), mask)
    return loss, [fw.W, fw.U, fw.b, bw.W, bw.U, bw.b, dec.W, dec.U, dec.b, K, kb]


for name, make in [('SEQ2SEQ', seq2seq), ('BIDIRECTIONAL', bidirectional)]:
    loss, params = make()
    jarr(name + '_LOSS', [loss()])
    for i, prm in enumerate(params):
        g = np.zeros_like(prm)
        flat, gflat = prm.reshape(-1), g.reshape(-1)
        for k in range(flat.size):
            v = flat[k]
            flat[k] = v + 1e-6
            up = loss()
            flat[k] = v - 1e-6
            down = loss()
            flat[k] = v
            gflat[k] = (up - down) / 2e-6
        jarr('%s_GRAD_%d' % (name, i), g)
