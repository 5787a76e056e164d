#!/usr/bin/env python3
"""Golden values for recurrent corners a Keras user reaches (TimeDistributedTest, ...): Keras 3's semantics written out in
torch float64 (autograd for the gradients), independently of jrnn. Cells as keras/src/layers/rnn/{lstm,gru}.py (gates
i, f, c, o; GRU z, r, h, reset_after with its (2, 3H) bias); the loop as keras/src/backend/tensorflow/rnn.py (a masked
step keeps the states and repeats the previous output, 0 before the first real one); TimeDistributed as
keras/src/layers/rnn/time_distributed.py (step_function(i) calls the wrapped layer on inputs[:, i] with mask[:, i]);
Masking on a 4-D input masks the inner steps whose features are all 0 (any(x != 0, axis=-1)). Weights and inputs are
0.5 sin(1.3 k + seed) as float32, as the tests set them. Run: python3 make_rnn_corners_golden.py, paste the arrays.
"""
import numpy as np
import torch

torch.set_default_dtype(torch.float64)


def det(n, seed):
    return torch.tensor((0.5 * np.sin(1.3 * np.arange(n) + seed)).astype(np.float32).astype(np.float64))


class Cell:
    """kernel, recurrent_kernel, bias from det(.., seed), det(.., seed + 1), det(.., seed + 2), as the tests set them."""

    def __init__(self, kind, units, inputs, seed):
        self.kind, self.H = kind, units
        g = 4 if kind == 'lstm' else 3
        self.W = det(inputs * g * units, seed).reshape(inputs, g * units).requires_grad_()
        self.U = det(units * g * units, seed + 1).reshape(units, g * units).requires_grad_()
        b = det(2 * g * units, seed + 2).reshape(2, g * units) if kind == 'gru' else det(g * units, seed + 2)
        self.b = b.requires_grad_()

    def params(self):
        return [self.W, self.U, self.b]

    def zeros(self, batch):
        return [torch.zeros(batch, self.H) for _ in range(2 if self.kind == 'lstm' else 1)]

    def step(self, x, states):
        H = self.H
        if self.kind == 'lstm':
            h, c = states
            z = x @ self.W + h @ self.U + self.b
            i, f, g, o = torch.sigmoid(z[:, :H]), torch.sigmoid(z[:, H:2 * H]), torch.tanh(z[:, 2 * H:3 * H]), torch.sigmoid(z[:, 3 * H:])
            c = f * c + i * g
            h = o * torch.tanh(c)
            return h, [h, c]
        h, = states
        mx, mi = x @ self.W + self.b[0], h @ self.U + self.b[1]
        z = torch.sigmoid(mx[:, :H] + mi[:, :H])
        r = torch.sigmoid(mx[:, H:2 * H] + mi[:, H:2 * H])
        hh = torch.tanh(mx[:, 2 * H:] + r * mi[:, 2 * H:])
        h = z * h + (1 - z) * hh
        return h, [h]


def rnn(cell, x, mask=None):
    """Keras' RNN call with return_sequences False: [last output] + final states."""
    B, T, _ = x.shape
    st, prev = cell.zeros(B), torch.zeros(B, cell.H)
    for t in range(T):
        o, ns = cell.step(x[:, t], st)
        if mask is not None:
            m = mask[:, t][:, None]
            o = torch.where(m, o, prev)
            ns = [torch.where(m, a, b) for a, b in zip(ns, st)]
        prev, st = o, ns
    return [prev] + st


def time_distributed(cell, x, mask):
    return torch.stack([rnn(cell, x[:, i], mask[:, i])[0] for i in range(x.shape[1])], 1)


def jarr(name, a):
    vals = ', '.join('%.9gf' % v for v in np.asarray(torch.as_tensor(a).detach()).ravel())
    print('    static final float[] %s = {%s};' % (name, vals))


# TimeDistributedTest: Masking on (2, 4, 3, 2) -> TimeDistributed(LSTM(2)); some inner steps all 0, one sentence all 0
x = det(48, 400).reshape(2, 4, 3, 2).clone()
for z in [(0, 1, 2), (0, 3, 0), (0, 3, 1), (0, 3, 2), (1, 0, 0), (1, 0, 1)]:
    x[z] = 0
with torch.no_grad():
    jarr('TD_LSTM_MASKED', time_distributed(Cell('lstm', 2, 2, 410), x, (x != 0).any(-1)))

# Embedding(6, 2, mask_zero) on ids (2, 4, 3) -> TimeDistributed(GRU(2)) -> Flatten -> Dense(1), mse; one SGD(1) step
ids = torch.tensor([1, 2, 0, 3, 0, 0, 0, 0, 0, 4, 5, 1, 0, 2, 3, 1, 1, 1, 5, 0, 4, 0, 0, 2]).reshape(2, 4, 3)
emb = det(12, 420).reshape(6, 2).requires_grad_()
gru = Cell('gru', 2, 2, 430)
K, kb = det(8, 440).reshape(8, 1).requires_grad_(), det(1, 441).requires_grad_()
y = time_distributed(gru, emb[ids], ids != 0).reshape(2, 8) @ K + kb
loss = ((y - det(2, 441).reshape(2, 1)) ** 2).mean()
loss.backward()
jarr('TD_GRU_LOSS', [loss.item()])
for i, p in enumerate([emb] + gru.params() + [K, kb]):
    jarr('TD_GRU_GRAD_%d' % i, p.grad)

# A hierarchical model: Embedding(6, 2, mask_zero) on ids (2, 4, 3) -> TimeDistributed(GRU(2)) (sentence vectors) -> GRU(2)
# over the sentences, mse; one SGD(1) step. Keras 3 passes the (2, 4, 3) word mask on from TimeDistributed, which the
# sentence GRU cannot take; tf.keras 2's TimeDistributed.compute_mask keeps a sentence where any word is real
ids = torch.tensor([1, 2, 0, 3, 0, 0, 0, 0, 0, 4, 5, 1, 0, 0, 0, 2, 3, 1, 1, 1, 5, 0, 4, 0]).reshape(2, 4, 3)
emb = det(12, 420).reshape(6, 2).requires_grad_()
words, sents = Cell('gru', 2, 2, 430), Cell('gru', 2, 2, 450)
y = rnn(sents, time_distributed(words, emb[ids], ids != 0), (ids != 0).any(-1))[0]
loss = ((y - det(4, 460).reshape(2, 2)) ** 2).mean()
loss.backward()
jarr('HAN_LOSS', [loss.item()])
for i, p in enumerate([emb] + words.params() + sents.params()):
    jarr('HAN_GRAD_%d' % i, p.grad)


def rnn_seq(cell, x, mask, back=False, zero_out=False):
    """Keras' RNN call with return_sequences: the outputs in processing order (reversed for go_backwards)."""
    B, T, _ = x.shape
    st, prev, outs = cell.zeros(B), torch.zeros(B, cell.H), []
    for t in (range(T - 1, -1, -1) if back else range(T)):
        o, ns = cell.step(x[:, t], st)
        m = mask[:, t][:, None]
        o = torch.where(m, o, torch.zeros_like(o) if zero_out else prev)
        st = [torch.where(m, a, b) for a, b in zip(ns, st)]
        prev = o
        outs.append(o)
    return torch.stack(outs, 1)


# BidirectionalTest: Bidirectional(LSTM(3, return_sequences), backward_layer=GRU(3, return_sequences, go_backwards)) on
# a masked (3, 5, 2) batch (sample 0 post-padded, 1 pre-padded, 2 all padding), concat; as keras/src/layers/rnn/
# bidirectional.py: zero_output_for_mask on both, the backward sequence flipped back; masked mse, one SGD(1) step
x = det(30, 5).reshape(3, 5, 2).clone()
x[0, 3:] = 0
x[1, :2] = 0
x[2] = 0
mask = (x != 0).any(-1)
fw, bw = Cell('lstm', 3, 2, 1000), Cell('gru', 3, 2, 1010)
y = torch.cat([rnn_seq(fw, x, mask, zero_out=True), rnn_seq(bw, x, mask, back=True, zero_out=True).flip(1)], -1)
loss = ((((y - det(90, 1020).reshape(3, 5, 6)) ** 2).mean(-1) * mask).sum() / mask.sum())
loss.backward()
jarr('LSTM_GRU_LOSS', [loss.item()])
for i, p in enumerate(fw.params() + bw.params()):
    jarr('LSTM_GRU_GRAD_%d' % i, p.grad)


def lstm_last(cell, x, init=None, mask=None, back=False):
    """Keras' RNN call without return_sequences: [last output] + final states (init: the initial states)."""
    B, T, _ = x.shape
    st, prev = (list(init) if init is not None else cell.zeros(B)), torch.zeros(B, cell.H)
    for t in (range(T - 1, -1, -1) if back else range(T)):
        o, ns = cell.step(x[:, t], st)
        if mask is not None:
            m = mask[:, t][:, None]
            o = torch.where(m, o, prev)
            ns = [torch.where(m, a, b) for a, b in zip(ns, st)]
        prev, st = o, ns
    return [prev] + st


# RecurrentStatesTest: Sequential(LSTM(3, stateful, batch 2), Dense(1)), SGD(1), mse; fit 2 epochs on 4 samples, batch 2,
# no shuffle, validation_data of 2 samples: Keras resets no states, so the validation batch continues the training
# states and the second epoch starts from the validation's (trainer.py calls no reset_states)
lstm = Cell('lstm', 3, 2, 310)
K, kb = det(3, 320).reshape(3, 1).requires_grad_(), det(1, 321).requires_grad_()
params = lstm.params() + [K, kb]
xs, ys = det(24, 300).reshape(4, 3, 2), det(4, 304).reshape(4, 1)
xv, yv = det(12, 305).reshape(2, 3, 2), det(2, 306).reshape(2, 1)
st, hist = lstm.zeros(2), []
for epoch in range(2):
    batch_losses = []
    for b in range(2):
        o = lstm_last(lstm, xs[2 * b:2 * b + 2], init=st)
        loss = ((o[0] @ K + kb - ys[2 * b:2 * b + 2]) ** 2).mean()
        for p in params:
            p.grad = None
        loss.backward()
        batch_losses.append(loss.item())
        st = [s.detach() for s in o[1:]]
        with torch.no_grad():
            for p in params:
                p -= p.grad
    with torch.no_grad():
        o = lstm_last(lstm, xv, init=st)
        st = o[1:]
        hist.append((sum(batch_losses) / 2, ((o[0] @ K + kb - yv) ** 2).mean().item()))
jarr('STATEFUL_LOSS_VAL_LOSS', [v for h in hist for v in h])
jarr('STATEFUL_H', st[0])
jarr('STATEFUL_C', st[1])

# RecurrentLayerTest: Keras' activity_regularizer penalizes every output of the layer call, the states too, each / batch:
# Masking -> LSTM(3, return_state, activity l1(0.3)) on the masked batch, only the sequence output in the model, mse; and
# Masking -> Bidirectional(LSTM(2, return_state), activity l2(0.1)) (its merged output and its four states); one SGD(1) step
x = det(30, 5).reshape(3, 5, 2).clone()
x[0, 3:] = 0
x[1, :2] = 0
x[2] = 0
mask = (x != 0).any(-1)
lstm = Cell('lstm', 3, 2, 380)
o = lstm_last(lstm, x, mask=mask)
loss = ((o[0] - det(9, 215).reshape(3, 3)) ** 2).mean() + 0.3 * sum(t.abs().sum() for t in o) / 3
loss.backward()
jarr('ACTIVITY_LSTM_LOSS', [loss.item()])
for i, p in enumerate(lstm.params()):
    jarr('ACTIVITY_LSTM_GRAD_%d' % i, p.grad)
fw, bw = Cell('lstm', 2, 2, 600), Cell('lstm', 2, 2, 610)
f, b = lstm_last(fw, x, mask=mask), lstm_last(bw, x, mask=mask, back=True)
y = torch.cat([f[0], b[0]], -1)
loss = ((y - det(12, 620).reshape(3, 4)) ** 2).mean() + 0.1 * ((y ** 2).sum() + sum((s ** 2).sum() for s in f[1:] + b[1:])) / 3
loss.backward()
jarr('ACTIVITY_BI_LOSS', [loss.item()])
for i, p in enumerate(fw.params() + bw.params()):
    jarr('ACTIVITY_BI_GRAD_%d' % i, p.grad)
