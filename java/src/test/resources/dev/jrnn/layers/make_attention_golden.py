#!/usr/bin/python3
"""Golden values for AttentionTest: Keras 3's Attention / AdditiveAttention formula (keras/src/layers/attention/) in
PyTorch float64, independently of jrnn. Run: /usr/bin/python3 make_attention_golden.py, paste the printed arrays into
AttentionTest (GOLDEN_*). Inputs follow the test's patterns; every case (all with the key) returns [output, attention weights].
"""
import torch

torch.set_default_dtype(torch.float64)


def pattern(n, mul, mod, off, div, shape):
    # float32 values, as the test feeds them, then widened
    return torch.tensor([((i * mul) % mod - off) / div for i in range(n)], dtype=torch.float32).double().reshape(shape)


q = pattern(18, 37, 19, 9, 10.0, (2, 3, 3))
v = pattern(16, 23, 17, 8, 8.0, (2, 4, 2))
k = pattern(24, 29, 13, 6, 7.0, (2, 4, 3))
q_mask = torch.tensor([[1, 1, 0], [1, 1, 1]], dtype=torch.bool)
v_mask = torch.tensor([[1, 1, 1, 0], [1, 1, 0, 0]], dtype=torch.bool)
f32 = lambda x: float(torch.tensor(x, dtype=torch.float32))


def apply_scores(scores, value, scores_mask, query_mask):
    # Attention._apply_scores and call: where(padding, scores - 1e9, scores), softmax, matmul, query mask
    if scores_mask is not None:
        scores = torch.where(scores_mask, scores, scores - 1.0e9)
    w = torch.softmax(scores, dim=-1)
    out = w @ value
    if query_mask is not None:
        out = torch.where(query_mask.unsqueeze(-1), out, torch.zeros_like(out))
    return out, w


def score_mask(v_mask, causal, tq, tv):
    # Attention._calculate_score_mask
    m = None
    if causal:
        rows = torch.arange(tq).unsqueeze(1) + 1
        cols = torch.arange(tv).unsqueeze(0) + 1
        m = (rows >= cols).unsqueeze(0)
    if v_mask is not None:
        vm = v_mask.unsqueeze(-2)
        m = vm if m is None else (vm & m)
    return m


def dot(query, key, scale):
    return (query @ key.transpose(-2, -1)) * scale


def concat(query, key, scale, concat_w):
    return concat_w * torch.tanh(scale * (query.unsqueeze(-2) + key.unsqueeze(-3))).sum(-1)


def additive(query, key, scale):
    return (scale * torch.tanh(query.unsqueeze(-2) + key.unsqueeze(-3))).sum(-1)


def show(name, out, w):
    fmt = lambda t: ", ".join(repr(round(float(x), 9)) for x in t.flatten())
    print(f"    private static final double[][] {name} = {{\n            {{{fmt(out)}}},\n            {{{fmt(w)}}}}};")


o, w = apply_scores(dot(q, k, f32(0.7)), v, score_mask(v_mask, False, 3, 4), q_mask)
show("GOLDEN_DOT", o, w)
o, w = apply_scores(concat(q, k, f32(0.6), f32(1.3)), v, score_mask(None, True, 3, 4), None)
show("GOLDEN_CONCAT_CAUSAL", o, w)
scale = torch.tensor([0.5, -0.4, 0.9], dtype=torch.float32).double()
o, w = apply_scores(additive(q, k, scale), v, score_mask(v_mask, False, 3, 4), None)
show("GOLDEN_ADDITIVE", o, w)
