#!/usr/bin/python3
"""Golden values for MultiHeadAttentionTest: Keras 3's MultiHeadAttention (keras/src/layers/attention/
multi_head_attention.py: EinsumDense projections, query times 1/sqrt(key_dim), Softmax(mask) as
keras/src/layers/activations/softmax.py: masked scores set to -1e9, masked weights zeroed after) written with
torch.nn.functional in float64, independently of jrnn. Run: /usr/bin/python3 make_mha_golden.py, paste the printed arrays
into MultiHeadAttentionTest (GOLDEN_*). Inputs and weights follow the test's patterns.
"""
import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)


def pattern(shape, mul, mod, off, div):
    n = 1
    for s in shape:
        n *= s
    # float32 values, as the test feeds them, then widened
    return torch.tensor([((i * mul) % mod - off) / div for i in range(n)], dtype=torch.float32).double().reshape(shape)


def mha(q, v, k, w, heads, key_dim, value_dim, q_mask=None, v_mask=None, k_mask=None, attn_mask=None, causal=False):
    wq, bq, wk, bk, wv, bv, wo, bo = w
    d_q, d_k, d_v = q.shape[-1], k.shape[-1], v.shape[-1]
    # EinsumDense "abc,cde->abde": a linear map on the last axis to heads * size
    qp = F.linear(q, wq.reshape(d_q, -1).t(), bq.reshape(-1)).reshape(*q.shape[:2], heads, key_dim)
    kp = F.linear(k, wk.reshape(d_k, -1).t(), bk.reshape(-1)).reshape(*k.shape[:2], heads, key_dim)
    vp = F.linear(v, wv.reshape(d_v, -1).t(), bv.reshape(-1)).reshape(*v.shape[:2], heads, value_dim)
    qp = qp * (1.0 / key_dim ** 0.5)
    scores = torch.einsum("aecd,abcd->acbe", kp, qp)  # Keras' dot_product_equation: (B, N, T, S)
    b, t, s = q.shape[0], q.shape[1], v.shape[1]
    mask = None
    parts = []
    if q_mask is not None:
        parts.append(q_mask.unsqueeze(-1))
    if v_mask is not None:
        parts.append(v_mask.unsqueeze(-2))
    if k_mask is not None:
        parts.append(k_mask.unsqueeze(-2))
    if causal:
        parts.append(torch.tril(torch.ones(t, s, dtype=torch.bool)).unsqueeze(0))
    if attn_mask is not None:
        parts.append(attn_mask)
    for p in parts:
        mask = p if mask is None else mask & p
    if mask is not None:
        mask = mask.expand(b, t, s).unsqueeze(1)  # over the heads
        scores = torch.where(mask, scores, torch.full_like(scores, -1e9))
    weights = F.softmax(scores, dim=-1)
    if mask is not None:
        weights = torch.where(mask, weights, torch.zeros_like(weights))
    ctx = torch.einsum("acbe,aecd->abcd", weights, vp)  # Keras' combine_equation: (B, T, N, H)
    out = F.linear(ctx.reshape(b, t, -1), wo.reshape(-1, wo.shape[-1]).t(), bo)
    return out, weights


def weights(d_q, d_v, d_k, heads, key_dim, value_dim, d_out):
    shapes = [(d_q, heads, key_dim), (heads, key_dim), (d_k, heads, key_dim), (heads, key_dim),
              (d_v, heads, value_dim), (heads, value_dim), (heads, value_dim, d_out), (d_out,)]
    return [pattern(sh, 7 + 2 * i, 11 + i, 5, 9.0) for i, sh in enumerate(shapes)]


def show(name, outs):
    print("    private static final double[][] %s = {" % name)
    for o in outs:
        print("            {" + ", ".join("%.9g" % x for x in o.flatten().tolist()) + "},")
    print("    };")


q = pattern((2, 3, 4), 37, 19, 9, 10.0)
v = pattern((2, 4, 3), 23, 17, 8, 8.0)
k = pattern((2, 4, 5), 29, 13, 6, 7.0)
q_mask = torch.tensor([[1, 1, 0], [1, 1, 1]], dtype=torch.bool)
v_mask = torch.tensor([[1, 1, 1, 0], [1, 1, 0, 0]], dtype=torch.bool)
attn = torch.tensor([[[1, 0, 1, 1], [1, 1, 1, 1], [0, 1, 1, 1]], [[1, 1, 1, 1], [0, 1, 1, 0], [1, 0, 1, 1]]], dtype=torch.bool)

# self-attention on the query (value = key = query), 2 heads of 3, output the query's dim 4
show("GOLDEN_SELF", mha(q, q, q, weights(4, 4, 4, 2, 3, 3, 4), 2, 3, 3, q_mask=q_mask, v_mask=q_mask))
# cross attention with a key, value_dim 2, output_shape 6, value mask, attention mask and the causal mask
show("GOLDEN_CROSS", mha(q, v, k, weights(4, 3, 5, 3, 2, 2, 6), 3, 2, 2, v_mask=v_mask, attn_mask=attn, causal=True))
