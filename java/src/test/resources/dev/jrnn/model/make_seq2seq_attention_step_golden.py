#!/usr/bin/python3
"""Golden values for AttentionModelTest.aSeq2SeqAttentionTrainStepMatchesTorch: one SGD step (learning rate 1, mse) of a
Keras 3 seq2seq model with Luong and Bahdanau attention over an LSTM encoder's outputs, in torch float64 from Keras'
sources, independently of jrnn: encoder Masking(0) -> LSTM(4, return_sequences) (keras/src/layers/rnn/lstm.py: gates i,
f, c, o; a masked step keeps the states and repeats the last output, zeros before the first); decoder LSTM(4,
return_sequences); Attention(use_scale=True)([dec, enc]) and AdditiveAttention()([dec, enc]) (attention.py: the value mask
from the encoder, scores - 1e9 where it is False, in float32 as Keras computes them); Concatenate([luong, bahdanau, dec])
-> Dense(1) per step. Run: /usr/bin/python3 make_seq2seq_attention_step_golden.py, paste the arrays into the test.
"""
import torch

from step_golden import print_sgd_step

torch.set_default_dtype(torch.float64)


def pattern(shape, mul, mod, off, div):
    n = 1
    for s in shape:
        n *= s
    return torch.tensor([((i * mul) % mod - off) / div for i in range(n)], dtype=torch.float32).double().reshape(shape)


NAMES = ["enc_lstm/kernel", "enc_lstm/recurrent_kernel", "enc_lstm/bias", "dec_lstm/kernel", "dec_lstm/recurrent_kernel",
         "dec_lstm/bias", "luong/scale", "bahdanau/scale", "out/kernel", "out/bias"]
SHAPES = [(3, 16), (4, 16), (16,), (2, 16), (4, 16), (16,), (1,), (4,), (12, 1), (1,)]
W = [pattern(s, 7 + 2 * i, 11 + i, 5, 9).requires_grad_() for i, s in enumerate(SHAPES)]
enc = pattern((3, 4, 3), 37, 19, 9, 10)
enc[0, 3] = 0   # sample 0's last step, sample 1's last two and sample 2's first are padding
enc[1, 2:] = 0
enc[2, 0] = 0
dec = pattern((3, 3, 2), 29, 13, 6, 7)
y = pattern((3, 3, 1), 23, 17, 8, 8)


def lstm(x, mask, k, r, b):
    n, t, _ = x.shape
    u = r.shape[0]
    h = c = out = torch.zeros(n, u)
    outs = []
    for s in range(t):
        z = x[:, s] @ k + h @ r + b
        i, f, g, o = torch.sigmoid(z[:, :u]), torch.sigmoid(z[:, u:2 * u]), torch.tanh(z[:, 2 * u:3 * u]), torch.sigmoid(z[:, 3 * u:])
        c2 = f * c + i * g
        h2 = o * torch.tanh(c2)
        m = mask[:, s:s + 1] if mask is not None else torch.ones(n, 1, dtype=torch.bool)
        c, h, out = torch.where(m, c2, c), torch.where(m, h2, h), torch.where(m, h2, out)
        outs.append(out)
    return torch.stack(outs, 1)


def masked_softmax(scores, v_mask):
    # Keras: where(~mask, scores - 1e9, scores) in float32 (the subtraction rounds), softmax
    shifted = scores - 1e9
    shifted = shifted + ((scores.float() - 1e9).double() - shifted).detach()
    return torch.softmax(torch.where(v_mask.unsqueeze(-2), scores, shifted), -1)


def model(w):
    mask = (enc != 0).any(-1)
    e = lstm(enc * mask.unsqueeze(-1), mask, w[0], w[1], w[2])
    d = lstm(dec, None, w[3], w[4], w[5])
    luong = masked_softmax((d @ e.transpose(1, 2)) * w[6].reshape(()), mask) @ e
    bahdanau = masked_softmax((w[7] * torch.tanh(d.unsqueeze(-2) + e.unsqueeze(-3))).sum(-1), mask) @ e
    return torch.cat([luong, bahdanau, d], -1) @ w[8] + w[9]


print_sgd_step(model, W, y)
