#!/usr/bin/python3
"""Golden values for MultiHeadAttentionModelTest.aTransformerBlockTrainStepMatchesTorch: one SGD step (learning rate 1,
mse) of a Keras 3 Transformer block for time series, written in torch float64 from Keras' sources, independently of jrnn:
Masking(0) (keras/src/layers/core/masking.py: keep a step with any nonzero feature, zero the others) -> Dense(4) (the
mask passes) -> MultiHeadAttention(2, 3, use_causal_mask=True)(h, h) (multi_head_attention.py: _compute_attention_mask
joins the query mask [B, T, 1], the value mask [B, 1, S] and the causal mask; Softmax(mask) sets masked scores to -1e9
and zeroes masked weights) -> Add (the masks ORed) -> LayerNormalization (epsilon 1e-3) -> Dense(4, relu) -> Add ->
LayerNormalization(epsilon 1e-5) -> GlobalAveragePooling1D (masked mean) -> Dense(1).
Run: /usr/bin/python3 make_transformer_step_golden.py, paste the printed arrays into the test.
"""
import torch

from step_golden import print_sgd_step

torch.set_default_dtype(torch.float64)


def pattern(shape, mul, mod, off, div):
    n = 1
    for s in shape:
        n *= s
    # float32 values, as the test feeds them, then widened
    return torch.tensor([((i * mul) % mod - off) / div for i in range(n)], dtype=torch.float32).double().reshape(shape)


SHAPES = [(3, 4), (4,), (4, 2, 3), (2, 3), (4, 2, 3), (2, 3), (4, 2, 3), (2, 3), (2, 3, 4), (4,), (4,), (4,), (4, 4), (4,),
          (4,), (4,), (4, 1), (1,)]
W = [pattern(s, 7 + 2 * i, 11 + i, 5, 9).requires_grad_() for i, s in enumerate(SHAPES)]
x = pattern((3, 5, 3), 37, 19, 9, 10)
x[0, 3:] = 0   # padding: sample 0's last two steps, sample 1's last, sample 2's first
x[1, 4] = 0
x[2, 0] = 0
y = pattern((3, 1), 23, 17, 8, 8)


def layer_norm(h, g, b, eps):
    m = h.mean(-1, keepdim=True)
    v = ((h - m) ** 2).mean(-1, keepdim=True)
    return (h - m) / torch.sqrt(v + eps) * g + b


def model(w):
    mask = (x != 0).any(-1)                                      # Masking(0)
    h = (x * mask.unsqueeze(-1)) @ w[0] + w[1]
    qp = torch.einsum("abc,cde->abde", h, w[2]) + w[3]
    kp = torch.einsum("abc,cde->abde", h, w[4]) + w[5]
    vp = torch.einsum("abc,cde->abde", h, w[6]) + w[7]
    t = h.shape[1]
    causal = torch.tensor([[j <= i for j in range(t)] for i in range(t)]).unsqueeze(0)
    am = mask.unsqueeze(-1) & mask.unsqueeze(-2) & causal        # (B, T, S)
    scores = torch.einsum("aecd,abcd->acbe", kp, qp * (1 / 3 ** 0.5))
    m4 = am.unsqueeze(1)
    weights = torch.where(m4, torch.softmax(torch.where(m4, scores, torch.tensor(-1e9)), -1), torch.tensor(0.0))
    ctx = torch.einsum("acbe,aecd->abcd", weights, vp)
    att = torch.einsum("abcd,cde->abe", ctx, w[8]) + w[9]
    r1 = layer_norm(h + att, w[10], w[11], 1e-3)
    r2 = layer_norm(r1 + torch.relu(r1 @ w[12] + w[13]), w[14], w[15], 1e-5)
    mk = mask.unsqueeze(-1).double()
    pooled = (r2 * mk).sum(1) / mk.sum(1)
    return pooled @ w[16] + w[17]


print_sgd_step(model, W, y)
