#!/usr/bin/python3
"""Golden values for jrnn's TorchReferenceTest and TorchLossReferenceTest, computed by PyTorch in float64.

Keras semantics written in torch (autograd gives every gradient), cross-checked against torch.nn.LSTM / GRU / RNN
where Keras' math is torch's (LSTM gates i,f,c,o with one bias = torch's with b_hh = 0; GRU reset_after=True z,r,h =
torch's r,z,n with the [2, 3H] bias split into b_ih / b_hh; SimpleRNN tanh / relu). The loop itself follows
keras/src/backend/tensorflow/rnn.py: a masked step keeps the states and outputs the previous output (0 before the first
real step), or 0 with zero_output_for_mask (Bidirectional sets it to return_sequences); go_backwards returns outputs in
processing order. Losses follow keras/src/losses/losses.py over keras/src/backend/torch/nn.py, reduced as
sum_over_batch_size (sample weights scale per-sample losses, the sum divides by the number of per-sample losses).

Every input and weight is a float32 value (rounded, then used in float64), so jrnn sees exactly what torch saw.
Run from anywhere with PyTorch (tested with 1.13, CPU): /usr/bin/python3 make_golden.py
Writes <stem>.json (the cases and their settings) and <stem>/<case>.npz (the arrays) beside this file for the stems
layers, other_layers, losses and models; every array has a leading axis of length 1 so the Java test reads a case
as a one-sample Dataset.
"""
import contextlib
import json
import os

import numpy as np
import torch

torch.set_default_dtype(torch.float64)
HERE = os.path.dirname(os.path.abspath(__file__))
EPS = 1e-7  # Keras' backend epsilon
rng = np.random.default_rng(20261205)


@contextlib.contextmanager
def own_rng(seed):
    """Cases added later draw from their own generator, so the cases before and after them keep their data."""
    global rng
    saved, rng = rng, np.random.default_rng(seed)
    try:
        yield
    finally:
        rng = saved


def f32(a):
    return np.asarray(a, dtype=np.float32).astype(np.float64)


def uni(shape, a=1.0, lo=None):
    lo = -a if lo is None else lo
    return torch.tensor(f32(rng.uniform(lo, a, shape)), requires_grad=True)


SELU_ALPHA, SELU_SCALE = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946
ACT = {
    "softmax": lambda v: torch.softmax(v, -1),
    "elu": torch.nn.functional.elu,
    "selu": lambda v: SELU_SCALE * torch.where(v > 0, v, SELU_ALPHA * torch.expm1(v)),
    "softplus": torch.nn.functional.softplus,
    "softsign": lambda v: v / (1 + v.abs()),
    "leaky_relu": lambda v: torch.nn.functional.leaky_relu(v, 0.2),  # Keras 3's default negative_slope
    "exponential": torch.exp,
    "gelu": lambda v: torch.nn.functional.gelu(v),  # Keras' default approximate=False: the erf form
    "swish": lambda v: v * torch.sigmoid(v),
    "hard_sigmoid_keras2": lambda v: torch.clamp(0.2 * v + 0.5, 0.0, 1.0),  # Keras 2's, jrnn's "hard_sigmoid_keras2"
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
    "relu": torch.relu,
    "linear": lambda v: v,
    "hard_sigmoid": lambda v: torch.clamp(v / 6 + 0.5, 0.0, 1.0),  # Keras 3's: relu6(x + 3) / 6
}


# ------------------------------------------------------------------------------------------------ recurrent cells

def n_states(cfg):
    return 2 if cfg["cell"] == "lstm" else 1


def gates(cfg):
    return {"lstm": 4, "gru": 3, "simple_rnn": 1}[cfg["cell"]]


def make_weights(cfg, I):
    """Keras' layout and order: kernel [I, G*H], recurrent_kernel [H, G*H], bias [G*H] (GRU reset_after: [2, 3H])."""
    H, G = cfg["units"], gates(cfg)
    scale = 0.7 if cfg.get("activation") == "relu" else 1.0
    w = [uni((I, G * H), 1.5 / np.sqrt(I) * scale), uni((H, G * H), 1.5 / np.sqrt(H) * scale)]
    if cfg.get("use_bias", True):
        two = cfg["cell"] == "gru" and cfg.get("reset_after", True)
        w.append(uni((2, G * H) if two else (G * H,), 0.3))
    return w


def step(cfg, x, states, w):
    H = cfg["units"]
    a = ACT[cfg.get("activation", "tanh")]
    ra = ACT[cfg.get("recurrent_activation", "sigmoid")]
    W, U = w[0], w[1]
    b = w[2] if len(w) > 2 else None
    if cfg["cell"] == "simple_rnn":
        h = a(x @ W + states[0] @ U + (0 if b is None else b))
        return h, [h]
    if cfg["cell"] == "lstm":
        h, c = states
        z = x @ W + h @ U + (0 if b is None else b)
        i, f, g, o = z.split(H, dim=-1)
        c = ra(f) * c + ra(i) * a(g)
        h = ra(o) * a(c)
        return h, [h, c]
    h = states[0]
    if cfg.get("reset_after", True):
        xi = x @ W + (0 if b is None else b[0])
        hi = h @ U + (0 if b is None else b[1])
        xz, xr, xh = xi.split(H, dim=-1)
        hz, hr, hh = hi.split(H, dim=-1)
        z, r = ra(xz + hz), ra(xr + hr)
        cand = a(xh + r * hh)
    else:
        xz, xr, xh = (x @ W + (0 if b is None else b)).split(H, dim=-1)
        Uz, Ur, Uh = U.split(H, dim=-1)
        z, r = ra(xz + h @ Uz), ra(xr + h @ Ur)
        cand = a(xh + (r * h) @ Uh)
    h = z * h + (1 - z) * cand
    return h, [h]


def keras_rnn(cfg, x, w, mask=None, init=None):
    """One Keras recurrent layer: [output] + states when return_state."""
    B, T, _ = x.shape
    H = cfg["units"]
    states = list(init) if init else [torch.zeros(B, H) for _ in range(n_states(cfg))]
    prev = torch.zeros(B, H)
    outs = []
    order = range(T - 1, -1, -1) if cfg.get("go_backwards") else range(T)
    for t in order:
        out, new = step(cfg, x[:, t], states, w)
        if mask is not None:
            m = mask[:, t:t + 1] > 0
            out = torch.where(m, out, torch.zeros(B, H) if cfg.get("zero_output_for_mask") else prev)
            new = [torch.where(m, n, s) for n, s in zip(new, states)]
        prev, states = out, new
        outs.append(out)
    y = torch.stack(outs, 1) if cfg.get("return_sequences") else outs[-1]
    return [y] + (states if cfg.get("return_state") else [])


def torch_module(cfg, w):
    """torch.nn.LSTM / GRU / RNN holding the Keras weights, where Keras' math is torch's."""
    H, I = cfg["units"], w[0].shape[0]
    W, U = w[0].detach(), w[1].detach()
    b = w[2].detach() if len(w) > 2 else None
    cell = cfg["cell"]
    if cell == "lstm":
        m = torch.nn.LSTM(I, H, batch_first=True, bias=b is not None)
        perm = lambda v: v  # Keras i,f,c,o = torch i,f,g,o
    elif cell == "gru":
        m = torch.nn.GRU(I, H, batch_first=True, bias=b is not None)
        perm = lambda v: torch.cat([v[..., H:2 * H], v[..., :H], v[..., 2 * H:]], -1)  # z,r,h -> r,z,n
    else:
        m = torch.nn.RNN(I, H, batch_first=True, nonlinearity=cfg.get("activation", "tanh"), bias=b is not None)
        perm = lambda v: v
    with torch.no_grad():
        m.weight_ih_l0.copy_(perm(W).T)
        m.weight_hh_l0.copy_(perm(U).T)
        if b is not None:
            if cell == "gru":
                m.bias_ih_l0.copy_(perm(b[0]))
                m.bias_hh_l0.copy_(perm(b[1]))
            else:
                m.bias_ih_l0.copy_(perm(b))
                m.bias_hh_l0.zero_()
    return m


def cross_check_with_torch_module(cfg, x, w, init):
    """The hand-written loop against torch's own module (outputs and dx), for the configurations torch has."""
    plain = dict(cfg, return_sequences=True, return_state=True, go_backwards=False)
    mine = keras_rnn(plain, x, w, None, init)
    m = torch_module(cfg, w)
    xs = x.detach().clone().requires_grad_(True)
    if init:
        h = tuple(s.detach().unsqueeze(0) for s in init)
        y, st = m(xs, h if cfg["cell"] == "lstm" else h[0])
    else:
        y, st = m(xs)
    assert torch.allclose(y, mine[0], atol=1e-12, rtol=1e-12), cfg
    st = st if isinstance(st, tuple) else (st,)
    for a, b in zip(st, mine[1:]):
        assert torch.allclose(a[0], b, atol=1e-12, rtol=1e-12), cfg
    r = torch.tensor(rng.uniform(-1, 1, y.shape))
    (gx_torch,) = torch.autograd.grad((y * r).sum(), xs)
    xm = x.detach().clone().requires_grad_(True)
    (gx_mine,) = torch.autograd.grad((keras_rnn(plain, xm, w, None, init)[0] * r).sum(), xm)
    assert torch.allclose(gx_torch, gx_mine, atol=1e-12, rtol=1e-10), cfg


def torch_matches_keras(cfg):
    if cfg["cell"] == "gru" and not cfg.get("reset_after", True):
        return False
    if cfg["cell"] == "simple_rnn":
        return cfg.get("activation", "tanh") in ("tanh", "relu")
    return cfg.get("activation", "tanh") == "tanh" and cfg.get("recurrent_activation", "sigmoid") == "sigmoid"


def keras_bidirectional(cfg, x, wf, wb, mask=None, init=None):
    """Keras' Bidirectional over cfg: backward copy with go_backwards flipped, its sequence flipped back, merged."""
    merge = cfg["merge_mode"]
    zofm = cfg.get("return_sequences", False)
    fcfg = dict(cfg, zero_output_for_mask=zofm)
    bcfg = dict(cfg, zero_output_for_mask=zofm, go_backwards=not cfg.get("go_backwards", False))
    half = None if init is None else len(init) // 2
    y = keras_rnn(fcfg, x, wf, mask, None if init is None else init[:half])
    yr = keras_rnn(bcfg, x, wb, mask, None if init is None else init[half:])
    states = y[1:] + yr[1:]
    y, yr = y[0], yr[0]
    if cfg.get("return_sequences"):
        yr = torch.flip(yr, [1])
    out = {"concat": lambda: [torch.cat([y, yr], -1)], "sum": lambda: [y + yr], "ave": lambda: [(y + yr) / 2],
           "mul": lambda: [y * yr], "none": lambda: [y, yr]}[merge]()
    return out + states


# ------------------------------------------------------------------------------------------------ layer cases

B, T, I = 3, 5, 4
MASK = f32([[1, 1, 1, 1, 0],      # post-padded
            [0, 1, 1, 0, 1],      # leading and middle masked steps
            [0, 0, 1, 1, 1]])     # pre-padded


def mask_for(cfg):
    """[B, T] mask: MASK for the small cases; random with post-, pre-padded and fully masked rows for sized ones."""
    if not cfg.get("mask"):
        return None
    Bc, Tc = cfg.get("batch", B), cfg.get("steps", T)
    if (Bc, Tc) == (B, T) and not cfg.get("fully_masked_row"):
        return torch.tensor(MASK)
    m = f32(rng.integers(0, 4, (Bc, Tc)) > 0)
    m[0, -2:] = 0
    m[1, :2] = 0
    if cfg.get("fully_masked_row"):
        m[Bc - 1] = 0
    return torch.tensor(m)


def layer_cases():
    c = []
    add = lambda name, **cfg: c.append(dict(name=name, **cfg))
    for cell in ("lstm", "gru", "simple_rnn"):
        add(f"{cell}_plain", kind="layer", cell=cell, units=3)
        add(f"{cell}_sequences_states", kind="layer", cell=cell, units=3, return_sequences=True, return_state=True,
            initial_state=True)
        add(f"{cell}_masked_sequences", kind="layer", cell=cell, units=3, return_sequences=True, mask=True,
            initial_state=True)
        add(f"{cell}_masked_last", kind="layer", cell=cell, units=3, return_state=True, mask=True)
        add(f"{cell}_backwards_masked", kind="layer", cell=cell, units=3, return_sequences=True, return_state=True,
            go_backwards=True, mask=True, initial_state=True)
        add(f"{cell}_zero_output_for_mask", kind="layer", cell=cell, units=3, return_sequences=True, mask=True,
            zero_output_for_mask=True)
        add(f"{cell}_no_bias_backwards", kind="layer", cell=cell, units=2, use_bias=False, go_backwards=True)
    add("simple_rnn_relu", kind="layer", cell="simple_rnn", units=3, activation="relu", return_sequences=True,
        initial_state=True)
    add("lstm_relu_hard_sigmoid", kind="layer", cell="lstm", units=3, activation="relu",
        recurrent_activation="hard_sigmoid", return_sequences=True, return_state=True)
    add("gru_relu_hard_sigmoid", kind="layer", cell="gru", units=3, activation="relu",
        recurrent_activation="hard_sigmoid", return_sequences=True, mask=True)
    add("gru_reset_before", kind="layer", cell="gru", units=3, reset_after=False, return_sequences=True,
        return_state=True, initial_state=True)
    add("gru_reset_before_masked", kind="layer", cell="gru", units=3, reset_after=False, mask=True, go_backwards=True)
    add("gru_reset_before_no_bias", kind="layer", cell="gru", units=3, reset_after=False, use_bias=False,
        return_sequences=True)
    for i, merge in enumerate(("concat", "sum", "mul", "ave", "none")):
        cell = ("lstm", "gru", "simple_rnn")[i % 3]
        add(f"bidirectional_{cell}_{merge}", kind="bidirectional", cell=cell, units=3, merge_mode=merge,
            return_sequences=True, mask=i % 2 == 0)
        add(f"bidirectional_{cell}_{merge}_last_states", kind="bidirectional", cell=("gru", "lstm", "gru")[i % 3],
            units=2, merge_mode=merge, return_state=True, initial_state=True, mask=i % 2 == 1)
    # sizes past the CPU backend's thresholds: the batch split over threads (2 T B G H >= 3e6 flops), odd widths
    add("lstm_large_masked", kind="layer", cell="lstm", units=32, batch=48, steps=8, inputs=2, mask=True,
        initial_state=True)
    add("gru_large_masked", kind="layer", cell="gru", units=32, batch=64, steps=8, inputs=2, return_state=True,
        mask=True, go_backwards=True)
    add("simple_rnn_large", kind="layer", cell="simple_rnn", units=40, batch=128, steps=8, inputs=3)
    for cell in ("lstm", "gru", "simple_rnn"):
        add(f"{cell}_fully_masked_row", kind="layer", cell=cell, units=3, batch=4, steps=4, return_sequences=cell != "gru",
            return_state=True, mask=True, fully_masked_row=True, initial_state=True)
    add("gru_reset_before_hard_sigmoid_masked", kind="layer", cell="gru", units=3, reset_after=False,
        recurrent_activation="hard_sigmoid", mask=True, return_sequences=True, initial_state=True)
    add("simple_rnn_sigmoid_single_step", kind="layer", cell="simple_rnn", units=3, activation="sigmoid", steps=1,
        return_sequences=True, return_state=True)
    # widths past a vector (8 or 16 floats) plus a tail, with the activations that have their own vector code
    add("lstm_wide_gelu_hard_sigmoid", kind="layer", cell="lstm", units=19, activation="gelu",
        recurrent_activation="hard_sigmoid", return_sequences=True, mask=True, initial_state=True)
    add("gru_wide_swish", kind="layer", cell="gru", units=19, activation="swish", return_sequences=True, mask=True)
    add("gru_reset_before_wide_softsign", kind="layer", cell="gru", units=19, reset_after=False, activation="softsign",
        recurrent_activation="hard_sigmoid_keras2", return_state=True, initial_state=True)
    add("simple_rnn_wide_relu_backwards", kind="layer", cell="simple_rnn", units=37, activation="relu",
        return_sequences=True, go_backwards=True, mask=True)
    add("lstm_wide_elu", kind="layer", cell="lstm", units=19, activation="elu",
        return_state=True, mask=True)
    add("bidirectional_lstm_wrapped_go_backwards", kind="bidirectional", cell="lstm", units=3, merge_mode="concat",
        go_backwards=True, return_sequences=True, mask=True, initial_state=True)
    add("bidirectional_gru_wrapped_go_backwards_last", kind="bidirectional", cell="gru", units=3, merge_mode="sum",
        go_backwards=True, return_state=True, mask=True)
    add("stacked_lstm_gru_masked", kind="stacked", mask=True,
        layers=[dict(cell="lstm", units=3, return_sequences=True), dict(cell="gru", units=2)])
    # Keras passes the input mask on unchanged after go_backwards, though the sequence it returns is reversed
    add("stacked_backwards_lstm_gru_masked", kind="stacked", mask=True,
        layers=[dict(cell="lstm", units=3, return_sequences=True, go_backwards=True),
                dict(cell="gru", units=2, return_sequences=True)])
    add("stacked_relu_rnn_backwards_lstm", kind="stacked",
        layers=[dict(cell="simple_rnn", units=3, activation="relu", return_sequences=True),
                dict(cell="lstm", units=2, return_sequences=True, go_backwards=True)])
    for cell in ("lstm", "gru", "simple_rnn"):
        add(f"stateful_{cell}", kind="stateful", cell=cell, units=3, return_sequences=cell != "gru",
            mask=cell == "lstm")
    add("stateful_bidirectional_lstm", kind="stateful", cell="lstm", units=2, return_sequences=True, merge_mode="ave",
        mask=True)
    add("stateful_bidirectional_gru", kind="stateful", cell="gru", units=3, merge_mode="concat")
    return c


DENSE_ACTS = ["linear", "tanh", "sigmoid", "relu", "softmax", "elu", "selu", "softplus", "softsign", "leaky_relu",
              "exponential", "gelu", "swish", "hard_sigmoid_keras2", "hard_sigmoid"]


def other_cases():
    """Layers around the recurrent ones: Dense with every activation, LayerNormalization, merges, Embedding, ..."""
    c = []
    add = lambda name, **cfg: c.append(dict(name=name, **cfg))
    for i, a in enumerate(DENSE_ACTS):
        add(f"dense_{a}", kind="dense", units=4, activation=a, use_bias=i % 4 != 3, input_shape=[B, T, I] if i % 2 else [B, I])
    add("activation_softmax", kind="activation", activation="softmax", input_shape=[B, T, I])
    for a in DENSE_ACTS:
        add(f"activation_{a}_wide", kind="activation", activation=a, input_shape=[2, 37])
    add("dense_softmax_wide", kind="dense", units=37, activation="softmax", use_bias=True, input_shape=[B, T, I])
    add("layer_normalization_wide", kind="layer_normalization", input_shape=[B, 2, 37])
    add("layer_normalization", kind="layer_normalization", input_shape=[B, T, 6])
    add("layer_normalization_2d", kind="layer_normalization", input_shape=[B, 7])
    for m in ("add", "multiply", "average"):
        add(f"{m}_three", kind=m, input_shape=[B, T, I], inputs=3)
    add("concatenate_last", kind="concatenate", axis=-1, input_shape=[B, T, I], inputs=2)
    add("concatenate_time", kind="concatenate", axis=1, input_shape=[B, T, I], inputs=2)
    add("time_distributed_dense", kind="time_distributed_dense", units=3, activation="tanh", input_shape=[B, T, I])
    add("embedding", kind="embedding", input_dim=6, output_dim=3, input_shape=[B, T])
    add("repeat_vector", kind="repeat_vector", n=3, input_shape=[B, I])
    add("flatten", kind="flatten", input_shape=[B, T, I])
    return c


def pooling_cases():
    """GlobalAveragePooling1D (with a mask: sum(x * mask) / sum(mask)) and GlobalMaxPooling1D (every step), keepdims."""
    return [dict(name="global_average_pooling1d", kind="global_average_pooling1d", input_shape=[B, T, I]),
            dict(name="global_average_pooling1d_masked_keepdims", kind="global_average_pooling1d", masked=True, keepdims=True,
                 input_shape=[B, T, I]),
            dict(name="global_max_pooling1d", kind="global_max_pooling1d", input_shape=[B, T, I]),
            dict(name="global_max_pooling1d_keepdims", kind="global_max_pooling1d", keepdims=True, input_shape=[B, T, I])]


def run_other_case(cfg, arrays):
    name = cfg["name"]
    put = putter(name, arrays)
    kind, shape = cfg["kind"], cfg["input_shape"]
    ws = []
    if kind == "embedding":
        inputs = [torch.tensor(rng.integers(0, cfg["input_dim"], shape).astype(np.float64))]
        e = uni((cfg["input_dim"], cfg["output_dim"]), 1.0)
        ws, out = [e], e[inputs[0].long()]
    else:
        inputs = [uni(shape, 2.0) for _ in range(cfg.get("inputs", 1))]
        x = inputs[0]
        if kind in ("dense", "time_distributed_dense"):
            ws = [uni((shape[-1], cfg["units"]), 1.5 / np.sqrt(shape[-1]))]
            if cfg.get("use_bias", True):
                ws.append(uni((cfg["units"],), 0.3))
            out = ACT[cfg["activation"]](x @ ws[0] + (ws[1] if len(ws) > 1 else 0))
        elif kind == "activation":
            out = ACT[cfg["activation"]](x)
        elif kind == "layer_normalization":  # Keras: epsilon 1e-3, biased variance over the last axis
            ws = [uni((shape[-1],), 1.0, 0.5), uni((shape[-1],), 0.5)]
            mean = x.mean(-1, keepdim=True)
            var = ((x - mean) ** 2).mean(-1, keepdim=True)
            out = (x - mean) / torch.sqrt(var + 1e-3) * ws[0] + ws[1]
        elif kind == "add":
            out = sum(inputs)
        elif kind == "multiply":
            out = inputs[0] * inputs[1] * inputs[2]
        elif kind == "average":
            out = sum(inputs) / len(inputs)
        elif kind == "concatenate":
            out = torch.cat(inputs, cfg["axis"])
        elif kind == "repeat_vector":
            out = x[:, None, :].expand(shape[0], cfg["n"], shape[1])
        elif kind == "flatten":
            out = x.reshape(shape[0], -1)
        elif kind == "global_average_pooling1d":
            if cfg.get("masked"):
                m = np.zeros((shape[0], shape[1]))
                for b, n in enumerate(rng.integers(1, shape[1] + 1, shape[0])):
                    m[b, :n] = 1
                m = torch.tensor(f32(m))
                put("mask", m)
                out = (x * m[..., None]).sum(1) / m.sum(1, keepdim=True)
            else:
                out = x.mean(1)
            out = out[:, None, :] if cfg.get("keepdims") else out
        elif kind == "global_max_pooling1d":
            out = x.amax(1, keepdim=bool(cfg.get("keepdims")))
        else:
            raise ValueError(kind)
    r = torch.tensor(f32(rng.uniform(-1, 1, out.shape)))
    loss = (out * r).sum()
    diff = [v for v in inputs if v.requires_grad]
    grads = torch.autograd.grad(loss, diff + ws)
    for i, v in enumerate(inputs):
        put(f"in{i}", v)
        if v.requires_grad:
            put(f"din{i}", grads[i])
    put_weights(put, ws, grads[len(diff):])
    put("out0", out)
    put("r0", r)
    put("loss", loss.reshape(1))
    return dict(cfg, inputs=len(inputs), weights=len(ws))


def putter(name, arrays):
    """Stores the arrays of case `name` as <name>__<key>, each with a leading axis of 1."""
    return lambda k, v: arrays.__setitem__(f"{name}__{k}", np.asarray(v.detach() if torch.is_tensor(v) else v)[None])


def put_weights(put, ws, grads):
    """Weights w<i> and the loss' gradients dw<i>."""
    for i, w in enumerate(ws):
        put(f"w{i}", w)
        put(f"dw{i}", grads[i])


def flat_loss(outs, rs):
    return sum((o * r).sum() for o, r in zip(outs, rs))


def run_layer_case(cfg, arrays):
    """Inputs, weights, outputs, R, L = sum <R_k, out_k> and every gradient of L, under '<name>__'."""
    name = cfg["name"]
    put = putter(name, arrays)
    mask = mask_for(cfg)
    if mask is not None:
        put("mask", mask)
    meta = dict(cfg)
    Bc, Tc, Ic = cfg.get("batch", B), cfg.get("steps", T), cfg.get("inputs", I)
    if cfg["kind"] == "stacked":
        x = uni((Bc, Tc, Ic))
        ws, cur, m = [], x, mask
        for lc in cfg["layers"]:
            w = make_weights(lc, cur.shape[-1])
            ws += w
            lc_run = dict(lc, return_state=False)
            cur = keras_rnn(lc_run, cur, w, m)[0]
            m = m if lc.get("return_sequences") else None  # Keras' RNN.compute_mask
        outs, variables, inputs = [cur], ws, [x]
    elif cfg["kind"] == "stateful":
        return run_stateful_case(cfg, put)
    else:
        x = uni((Bc, Tc, Ic))
        H = cfg["units"]
        dirs = 2 if cfg["kind"] == "bidirectional" else 1
        w = [make_weights(cfg, Ic) for _ in range(dirs)]
        init = [uni((Bc, H), 0.8) for _ in range(dirs * n_states(cfg))] if cfg.get("initial_state") else None
        if cfg["kind"] == "bidirectional":
            outs = keras_bidirectional(cfg, x, w[0], w[1], mask, init)
        else:
            if torch_matches_keras(cfg):
                cross_check_with_torch_module(cfg, x, w[0], init)
                meta["cross_checked_with"] = "torch.nn." + {"lstm": "LSTM", "gru": "GRU", "simple_rnn": "RNN"}[cfg["cell"]]
            outs = keras_rnn(cfg, x, w[0], mask, init)
        variables = [p for d in w for p in d]
        inputs = [x] + (init or [])
    rs = [torch.tensor(f32(rng.uniform(-1, 1, o.shape))) for o in outs]
    loss = flat_loss(outs, rs)
    grads = torch.autograd.grad(loss, inputs + variables)
    for i, v in enumerate(inputs):
        put(f"in{i}", v)
        put(f"din{i}", grads[i])
    put_weights(put, variables, grads[len(inputs):])
    for i, (o, r) in enumerate(zip(outs, rs)):
        put(f"out{i}", o)
        put(f"r{i}", r)
    put("loss", loss.reshape(1))
    meta.update(inputs=len(inputs), weights=len(variables), outputs=len(outs))
    return meta


def run_stateful_case(cfg, put):
    """Two batches through a stateful layer: batch 2 starts from batch 1's last states, detached (Keras)."""
    H = cfg["units"]
    bidi = "merge_mode" in cfg
    w = make_weights(cfg, I) + (make_weights(cfg, I) if bidi else [])
    half = len(w) // 2 if bidi else len(w)
    mask = mask_for(cfg)
    run = dict(cfg, return_state=True)
    states = None
    for k in range(2):
        x = uni((B, T, I))
        if bidi:  # each direction carries its own last states (the backward one's are those after step 0)
            res = keras_bidirectional(run, x, w[:half], w[half:], mask, states)
        else:
            res = keras_rnn(run, x, w, mask, states)
        out = res[0]
        states = [s.detach() for s in res[1:]]
        r = torch.tensor(f32(rng.uniform(-1, 1, out.shape)))
        loss = (out * r).sum()
        g = torch.autograd.grad(loss, [x] + w)
        put(f"b{k}_in0", x)
        put(f"b{k}_din0", g[0])
        put(f"b{k}_out0", out)
        put(f"b{k}_r0", r)
        put(f"b{k}_loss", loss.reshape(1))
        for i, v in enumerate(w):
            put(f"b{k}_dw{i}", g[1 + i])
    for i, v in enumerate(w):
        put(f"w{i}", v)
    return dict(cfg, batches=2, weights=len(w), units=H)


# ------------------------------------------------------------------------------------------------ losses

def keras_loss(kind, y, p):
    """Per-sample losses as keras/src/losses/losses.py over the torch backend: one value per row."""
    tnn = torch.nn.functional
    if kind == "MSE":
        return ((p - y) ** 2).mean(-1)
    if kind == "MAE":
        return (p - y).abs().mean(-1)
    if kind == "BINARY_CROSSENTROPY":
        q = torch.clamp(p, EPS, 1 - EPS)
        return tnn.binary_cross_entropy(q, y, reduction="none").mean(-1)
    if kind == "BINARY_CROSSENTROPY_LOGITS":
        return tnn.binary_cross_entropy_with_logits(p, y, reduction="none").mean(-1)
    if kind == "CATEGORICAL_CROSSENTROPY":
        q = torch.clamp(p / p.sum(-1, keepdim=True), EPS, 1 - EPS)
        return -(y * torch.log(q)).sum(-1)
    if kind == "CATEGORICAL_CROSSENTROPY_LOGITS":
        return -(y * torch.log_softmax(p, -1)).sum(-1)
    if kind == "SPARSE_CATEGORICAL_CROSSENTROPY":
        q = torch.clamp(p / p.sum(-1, keepdim=True), EPS, 1 - EPS)
        return -(tnn.one_hot(y.long(), p.shape[-1]) * torch.log(q)).sum(-1)
    if kind == "SPARSE_CATEGORICAL_CROSSENTROPY_LOGITS":
        return -(tnn.one_hot(y.long(), p.shape[-1]) * torch.log_softmax(p, -1)).sum(-1)
    if kind == "HUBER":
        e = p - y
        a = e.abs()
        return torch.where(a <= 1.0, 0.5 * e ** 2, a - 0.5).mean(-1)
    if kind == "LOG_COSH":
        e = p - y
        return (e + tnn.softplus(-2 * e) - np.log(2.0)).mean(-1)
    if kind == "KL_DIVERGENCE":
        yc, pc = torch.clamp(y, EPS, 1), torch.clamp(p, EPS, 1)
        return (yc * torch.log(yc / pc)).sum(-1)
    if kind == "POISSON":
        return (p - y * torch.log(p + EPS)).mean(-1)
    if kind in ("HINGE", "SQUARED_HINGE"):  # convert_binary_labels_to_hinge: a batch of 0/1 targets becomes -1/1
        t = 2 * y - 1 if bool(((y == 0) | (y == 1)).all()) else y
        h = torch.clamp(1 - t * p, min=0)
        return (h if kind == "HINGE" else h ** 2).mean(-1)
    if kind == "CATEGORICAL_HINGE":  # amax: tied maxima share the gradient, as TensorFlow's reduce_max
        return torch.clamp(((1 - y) * p).amax(-1) - (y * p).sum(-1) + 1, min=0)
    raise ValueError(kind)


def keras_metric(name, y, p):
    """Per-sample values of Keras' MeanMetricWrapper metrics (keras/src/metrics, v3.15), one per row."""
    if name in ("mae", "mse"):
        return keras_loss(name.upper(), y, p)
    if name == "mape":
        return 100 * ((p - y).abs() / torch.clamp(y.abs(), min=EPS)).mean(-1)
    if name == "msle":
        return ((torch.log(torch.clamp(p, min=EPS) + 1) - torch.log(torch.clamp(y, min=EPS) + 1)) ** 2).mean(-1)
    if name == "log_cosh_error":
        return keras_loss("LOG_COSH", y, p)
    if name == "cosine_similarity":  # ops.normalize: x * min(rsqrt(sum x^2), 1 / eps)
        unit = lambda v: v * torch.clamp(torch.rsqrt((v * v).sum(-1, keepdim=True)), max=1 / EPS)
        return (unit(y) * unit(p)).sum(-1)
    if name == "binary_accuracy":
        return (y == (p > 0.5).double()).double().mean(-1)
    if name == "categorical_accuracy":
        return (p.argmax(-1) == y.argmax(-1)).double()
    if name == "sparse_categorical_accuracy":
        return (p.argmax(-1) == y).double()
    if name in ("top_k_categorical_accuracy", "sparse_top_k_categorical_accuracy"):  # in_top_k, k = 5
        cls = y.argmax(-1) if name.startswith("top") else y.long()
        target = p.gather(-1, cls.unsqueeze(-1))
        return ((p > target).sum(-1) < 5).double()
    raise ValueError(name)


def keras_epoch_metric(name, y, p):
    """The metrics Keras keeps as epoch totals that never look at a mask (only MeanMetricWrapper reads y_pred's):
    RootMeanSquaredError (the root of the mean squared error over every element, masked steps too) and Precision /
    Recall (threshold 0.5, over every element)."""
    if name == "root_mean_squared_error":
        return float(torch.sqrt(((p - y) ** 2).mean()))
    pos, true = p > 0.5, y != 0
    tp = float((pos & true).sum())
    return tp / float(pos.sum() if name == "precision" else true.sum())


def loss_data(kind, rows, cols):
    sparse = kind.startswith("SPARSE")
    if kind in ("MSE", "MAE", "HUBER", "LOG_COSH"):
        p, y = uni((rows, cols), 2.0), f32(rng.uniform(-2, 2, (rows, cols)))
    elif kind == "BINARY_CROSSENTROPY":
        p = uni((rows, cols), 0.95, 0.05)
        y = f32(rng.integers(0, 2, (rows, cols)))
        y[0] = f32(rng.uniform(0, 1, cols))  # soft labels in one row
    elif kind == "BINARY_CROSSENTROPY_LOGITS":
        p = uni((rows, cols), 4.0)
        y = f32(rng.integers(0, 2, (rows, cols)))
        y[0] = f32(rng.uniform(0, 1, cols))
    elif kind in ("CATEGORICAL_CROSSENTROPY", "SPARSE_CATEGORICAL_CROSSENTROPY", "KL_DIVERGENCE"):
        p = uni((rows, cols), 1.0, 0.05)  # rows that do not sum to 1: Keras normalises (cross-entropy) or not (KL)
        if kind == "KL_DIVERGENCE":
            d = rng.uniform(0.05, 1, (rows, cols))
            y = f32(d / d.sum(-1, keepdims=True))
        else:
            y = None
    elif kind == "CATEGORICAL_CROSSENTROPY_LOGITS" or kind == "SPARSE_CATEGORICAL_CROSSENTROPY_LOGITS":
        p, y = uni((rows, cols), 3.0), None
    elif kind == "POISSON":
        p, y = uni((rows, cols), 3.0, 0.1), f32(rng.integers(0, 5, (rows, cols)))
    elif kind == "HINGE":  # 0/1 targets, taken as -1/1
        p, y = uni((rows, cols), 2.0), f32(rng.integers(0, 2, (rows, cols)))
    elif kind == "SQUARED_HINGE":  # -1/0/1 targets, kept
        p, y = uni((rows, cols), 2.0), f32(rng.integers(-1, 2, (rows, cols)))
    elif kind == "CATEGORICAL_HINGE":
        p, y = uni((rows, cols), 2.0), None
    else:
        raise ValueError(kind)
    if y is None:
        cls = rng.integers(0, cols, rows)
        if sparse:
            y = f32(cls)
        else:
            y = f32(np.eye(cols)[cls])
            y[1] = f32(rng.dirichlet(np.ones(cols)))  # a soft target row
    return p, torch.tensor(y)


LOSSES = ["MSE", "MAE", "BINARY_CROSSENTROPY", "BINARY_CROSSENTROPY_LOGITS", "CATEGORICAL_CROSSENTROPY",
          "CATEGORICAL_CROSSENTROPY_LOGITS", "SPARSE_CATEGORICAL_CROSSENTROPY", "SPARSE_CATEGORICAL_CROSSENTROPY_LOGITS",
          "HUBER", "LOG_COSH", "KL_DIVERGENCE", "POISSON"]


def run_loss_case(kind, weighted, masked, arrays):
    """Keras' reduction: sum(per-sample loss * weight) / number of per-sample losses; a sequence mask becomes
    weights mask * total / valid (keras/src/losses/loss.py apply_mask), i.e. the mean over the valid steps."""
    name = kind.lower() + ("_weighted" if weighted else "") + ("_masked_sequence" if masked else "")
    put = putter(name, arrays)
    if masked:
        Bs, Ts, C = 2, 3, 4
        p, y = loss_data(kind, Bs * Ts, C)
        p = p.detach().reshape(Bs, Ts, C).requires_grad_(True)
        y = y.reshape((Bs, Ts) if kind.startswith("SPARSE") else (Bs, Ts, C))
        m = torch.tensor(f32([[1, 1, 0], [0, 1, 1]]))
        per = keras_loss(kind, y, p)
        w = m * m.numel() / m.sum()
        loss = (per * w).sum() / per.numel()
        put("mask", m)
    else:
        p, y = loss_data(kind, 6, 4)
        per = keras_loss(kind, y, p)
        if weighted:
            w = torch.tensor(f32(rng.uniform(0, 2, 6)))
            w[2] = 0.0
            put("sample_weight", w)
            loss = (per * w).sum() / per.numel()
        else:
            loss = per.mean()
    (g,) = torch.autograd.grad(loss, p)
    put("pred", p)
    put("target", y)
    put("loss", loss.reshape(1))
    put("grad", g)
    return dict(name=name, loss=kind, weighted=weighted, masked=masked)


# ------------------------------------------------------------------------------------------------ whole models

def model_cases():
    """Sequential models whose mask reaches the loss (or not): x, y, weights, loss, metrics, d loss / d weights."""
    return [
        dict(name="masking_lstm_dense_mse", loss="MSE", metrics=["mae", "mse"], x="float", classes=2,
             layers=[dict(type="masking"), dict(type="rnn", cell="lstm", units=3, return_sequences=True),
                     dict(type="dense", units=2)]),
        dict(name="embedding_gru_dense_sparse_logits", loss="SPARSE_CATEGORICAL_CROSSENTROPY_LOGITS",
             metrics=["accuracy"], x="ids", vocab=7, classes=5,
             layers=[dict(type="embedding", input_dim=7, output_dim=3),
                     dict(type="rnn", cell="gru", units=4, return_sequences=True), dict(type="dense", units=5)]),
        dict(name="masking_bidirectional_lstm_dense_bce_logits", loss="BINARY_CROSSENTROPY_LOGITS",
             metrics=["accuracy"], x="float", classes=1,
             layers=[dict(type="masking"), dict(type="bidirectional", cell="lstm", units=3, merge_mode="concat"),
                     dict(type="dense", units=1)]),
        dict(name="embedding_lstm_last_dense_softmax_cce", loss="CATEGORICAL_CROSSENTROPY", metrics=["accuracy"],
             x="ids", vocab=9, classes=4,
             layers=[dict(type="embedding", input_dim=9, output_dim=3), dict(type="rnn", cell="lstm", units=4),
                     dict(type="dense", units=4, activation="softmax")]),
        # jrnn's lengths (post-padded batches): the same as Keras' Masking over zero padding
        dict(name="lengths_gru_bidirectional_dense_mse", loss="MSE", metrics=["mae"], x="float", classes=2,
             lengths=[5, 3, 1],
             layers=[dict(type="masking"), dict(type="rnn", cell="gru", units=3, return_sequences=True),
                     dict(type="bidirectional", cell="lstm", units=2, merge_mode="sum", return_sequences=True),
                     dict(type="dense", units=2)]),
        dict(name="metrics_regression_masked", loss="MSE", x="float", classes=3,
             metrics=["mae", "mse", "mape", "msle", "log_cosh_error", "cosine_similarity", "root_mean_squared_error"],
             layers=[dict(type="masking"), dict(type="rnn", cell="lstm", units=4, return_sequences=True),
                     dict(type="dense", units=3)]),
        dict(name="metrics_regression_last", loss="MSE", x="float", classes=3,
             metrics=["root_mean_squared_error", "mape", "msle", "cosine_similarity"],
             layers=[dict(type="rnn", cell="gru", units=4), dict(type="dense", units=3)]),
        dict(name="metrics_categorical_last", loss="CATEGORICAL_CROSSENTROPY", x="ids", vocab=9, classes=7,
             metrics=["categorical_accuracy", "top_k_categorical_accuracy", "accuracy"],
             layers=[dict(type="embedding", input_dim=9, output_dim=3), dict(type="rnn", cell="gru", units=4),
                     dict(type="dense", units=7, activation="softmax")]),
        dict(name="metrics_sparse_masked", loss="SPARSE_CATEGORICAL_CROSSENTROPY_LOGITS", x="ids", vocab=9, classes=7,
             metrics=["sparse_categorical_accuracy", "sparse_top_k_categorical_accuracy"],
             layers=[dict(type="embedding", input_dim=9, output_dim=3),
                     dict(type="rnn", cell="lstm", units=4, return_sequences=True), dict(type="dense", units=7)]),
        dict(name="metrics_binary_masked_sequence", loss="BINARY_CROSSENTROPY", x="float", classes=2,
             metrics=["binary_accuracy", "precision", "recall"],
             layers=[dict(type="masking"), dict(type="rnn", cell="lstm", units=4, return_sequences=True),
                     dict(type="dense", units=2, activation="sigmoid")]),
        dict(name="metrics_binary_last", loss="BINARY_CROSSENTROPY", x="float", classes=4,
             metrics=["binary_accuracy", "precision", "recall"],
             layers=[dict(type="masking"), dict(type="rnn", cell="lstm", units=4),
                     dict(type="dense", units=4, activation="sigmoid")]),
        dict(name="masking_stacked_gru_lstm_huber", loss="HUBER", metrics=["mae"], x="float", classes=3,
             layers=[dict(type="masking"), dict(type="rnn", cell="gru", units=3, return_sequences=True),
                     dict(type="rnn", cell="lstm", units=4, return_sequences=True, go_backwards=True),
                     dict(type="dense", units=3)]),
    ]


def run_model_case(cfg, arrays):
    name = cfg["name"]
    put = putter(name, arrays)
    valid = torch.tensor(MASK) > 0
    if "lengths" in cfg:
        valid = torch.arange(T)[None, :] < torch.tensor(cfg["lengths"])[:, None]
    if cfg["x"] == "ids":
        ids = torch.tensor(rng.integers(1, cfg["vocab"], (B, T)).astype(np.float64)) * valid
        x, cur, mask = ids, None, valid
    else:
        x = torch.tensor(f32(rng.uniform(-1, 1, (B, T, I)))) * valid[..., None]
        cur, mask = x, None
    ws = []
    for lc in cfg["layers"]:
        if lc["type"] == "masking":  # Keras Masking(0.0): a step is masked when every feature equals 0
            mask = (cur != 0).any(-1)
            cur = cur * mask[..., None]
        elif lc["type"] == "embedding":  # mask_zero
            e = uni((lc["input_dim"], lc["output_dim"]), 1.0)
            ws.append(e)
            cur = e[x.long()]
        elif lc["type"] == "dense":
            k, b = uni((cur.shape[-1], lc["units"]), 1.5 / np.sqrt(cur.shape[-1])), uni((lc["units"],), 0.3)
            ws += [k, b]
            cur = ACT[lc.get("activation", "linear")](cur @ k + b)  # Dense keeps the mask
        else:
            w = [make_weights(lc, cur.shape[-1]) for _ in range(2 if lc["type"] == "bidirectional" else 1)]
            ws += [p for d in w for p in d]
            m = mask.double() if mask is not None else None
            if lc["type"] == "bidirectional":
                cur = keras_bidirectional(lc, cur, w[0], w[1], m)[0]
            else:
                cur = keras_rnn(lc, cur, w[0], m)[0]
            if not lc.get("return_sequences"):
                mask = None
    sparse = cfg["loss"].startswith("SPARSE")
    if sparse:
        y = torch.tensor(rng.integers(0, cfg["classes"], cur.shape[:-1]).astype(np.float64))
    elif cfg["loss"].startswith("BINARY"):
        y = torch.tensor(rng.integers(0, 2, cur.shape).astype(np.float64))
    elif cfg["loss"].startswith("CATEGORICAL"):
        y = torch.tensor(np.eye(cfg["classes"])[rng.integers(0, cfg["classes"], cur.shape[:-1])])
    else:
        y = torch.tensor(f32(rng.uniform(-1, 1, cur.shape)))
    per = keras_loss(cfg["loss"], y, cur)
    if mask is not None:  # keras/src/losses/loss.py apply_mask: weights total / valid, then sum / total
        loss = (per * mask * (mask.numel() / mask.sum())).sum() / per.numel()
    else:
        loss = per.mean()
    grads = torch.autograd.grad(loss, ws)
    # evaluate in batches of 2: Keras' loss tracker is a Mean of the batch losses weighted by the batch sizes
    batch_losses = []
    for lo, hi in ((0, 2), (2, B)):
        pb = per[lo:hi]
        mb = mask[lo:hi].double() if mask is not None else torch.ones(pb.shape)
        batch_losses.append((hi - lo) * float((pb * mb).sum() / mb.sum()) if mb.sum() > 0 else 0.0)
    put("loss_batches_of_2", np.array([sum(batch_losses) / B]))
    metrics = {}
    mw = mask.double() if mask is not None else torch.ones(per.shape)
    for k in cfg["metrics"]:
        if k in ("root_mean_squared_error", "precision", "recall"):
            metrics[k] = keras_epoch_metric(k, y, cur)
            continue
        # MeanMetricWrapper: the mask as sample weight, a mean over the valid samples
        if k == "accuracy":
            if sparse:
                v = (cur.argmax(-1) == y).double()
            elif cfg["classes"] > 1:
                v = (cur.argmax(-1) == y.argmax(-1)).double()
            else:  # one column: binary accuracy at 0.5 in Keras; jrnn thresholds logits at 0 (Metric's doc)
                v = ((cur > 0).double() == y).double().mean(-1)
        else:
            v = keras_metric(k, y, cur)
        metrics[k] = float((v * mw).sum() / mw.sum())
    put("x", x)
    put("y", y)
    put_weights(put, ws, grads)
    put("loss", loss.reshape(1))
    for k, v in metrics.items():
        put("metric_" + k, np.array([v]))
    return dict(cfg, weights=len(ws))


def run_encoder_decoder_case(arrays):
    """Functional: Masking -> LSTM(return_state) whose h, c start a decoder LSTM(return_sequences) -> Dense; mse.
    The encoder's mask stays with the encoder (the decoder's input has none); the loss reaches the encoder through
    the states only."""
    name = "encoder_decoder_states"
    put = putter(name, arrays)
    valid = torch.tensor(MASK) > 0
    x = torch.tensor(f32(rng.uniform(-1, 1, (B, T, I)))) * valid[..., None]
    xd = torch.tensor(f32(rng.uniform(-1, 1, (B, 4, 2))))
    enc = dict(cell="lstm", units=3, return_state=True)
    dec = dict(cell="lstm", units=3, return_sequences=True)
    we, wd = make_weights(enc, I), make_weights(dec, 2)
    k, b = uni((3, 2), 0.8), uni((2,), 0.3)
    mask = (x != 0).any(-1).double()
    _, h, c = keras_rnn(enc, x, we, mask)
    out = keras_rnn(dec, xd, wd, None, [h, c])[0] @ k + b
    y = torch.tensor(f32(rng.uniform(-1, 1, out.shape)))
    loss = ((out - y) ** 2).mean()
    ws = we + wd + [k, b]
    grads = torch.autograd.grad(loss, ws)
    put("x", x)
    put("x_decoder", xd)
    put("y", y)
    put_weights(put, ws, grads)
    put("loss", loss.reshape(1))
    return dict(name=name, kind="encoder_decoder", loss="MSE", weights=len(ws))


MASK2 = f32([[1, 0, 1, 1, 1],
             [1, 1, 1, 0, 0],
             [0, 1, 0, 1, 1]])


def merge_model_cases():
    """Two masked (or unmasked) inputs merged, then LSTM(return_sequences) -> Dense, mse over the merged mask."""
    return [dict(name=f"merge_{m}_{'_'.join(ins)}", kind="merge", merge=m, inputs=ins)
            for m, ins in (("add", ["ids", "ids"]), ("average", ["masking", "masking"]), ("add", ["masking", "plain"]),
                           ("concatenate", ["ids", "masking"]), ("concatenate", ["masking", "plain"]),
                           ("multiply", ["masking", "ids"]), ("multiply", ["masking", "plain"]))]


def run_merge_model_case(cfg, arrays):
    """Keras 3.4 and later (keras/src/layers/merging): the output mask is the OR of the input masks, none when an
    input has none (Add, Average, Multiply); Concatenate on the features ORs them with all ones for an input without
    one; Multiply also takes a masked step of an input as 1, and zeroes the steps the OR masks."""
    name = cfg["name"]
    put = putter(name, arrays)
    F = 3
    xs, branch, masks, ws = [], [], [], []
    for i, kind in enumerate(cfg["inputs"]):
        valid = torch.tensor((MASK, MASK2)[i]) > 0
        if kind == "ids":
            ids = torch.tensor(rng.integers(1, 6, (B, T)).astype(np.float64)) * valid
            e = uni((6, F), 1.0)
            ws.append(e)
            xs.append(ids)
            branch.append(e[ids.long()])
            masks.append(valid)
        else:
            x = torch.tensor(f32(rng.uniform(-1, 1, (B, T, F))))
            if kind == "masking":
                x = x * valid[..., None]
            xs.append(x)
            branch.append(x)
            masks.append((x != 0).any(-1) if kind == "masking" else None)
    all_masked = all(m is not None for m in masks)
    if cfg["merge"] == "concatenate":
        cur = torch.cat(branch, -1)
        mask = None if all(m is None for m in masks) else torch.stack(
            [m if m is not None else torch.ones(B, T, dtype=torch.bool) for m in masks]).any(0)
    else:
        mask = torch.stack(masks).any(0) if all_masked else None
        if cfg["merge"] == "add":
            cur = branch[0] + branch[1]
        elif cfg["merge"] == "average":
            cur = (branch[0] + branch[1]) / 2
        else:
            cur = None
            for x, m in zip(branch, masks):
                x = x if m is None else torch.where(m[..., None], x, torch.ones_like(x))
                cur = x if cur is None else cur * x
            if all_masked:
                cur = torch.where(mask[..., None], cur, torch.zeros_like(cur))
    lc = dict(cell="lstm", units=3, return_sequences=True)
    w = make_weights(lc, cur.shape[-1])
    k, b = uni((3, 2), 0.8), uni((2,), 0.3)
    ws += w + [k, b]
    md = mask.double() if mask is not None else None
    out = keras_rnn(lc, cur, w, md)[0] @ k + b
    y = torch.tensor(f32(rng.uniform(-1, 1, out.shape)))
    per = ((out - y) ** 2).mean(-1)
    loss = (per * md).sum() / md.sum() if md is not None else per.mean()
    grads = torch.autograd.grad(loss, ws)
    for i, x in enumerate(xs):
        put(f"x{i}", x)
    put("y", y)
    put_weights(put, ws, grads)
    put("loss", loss.reshape(1))
    return dict(cfg, weights=len(ws))


# ------------------------------------------------------------------------------------------------ optimizers

OPTIMIZERS = [
    dict(name="sgd", optimizer="SGD", learning_rate=0.1),
    dict(name="sgd_momentum", optimizer="SGD", learning_rate=0.1, momentum=0.9),
    dict(name="sgd_nesterov_weight_decay", optimizer="SGD", learning_rate=0.1, momentum=0.8, nesterov=True,
         weight_decay=0.05),
    dict(name="adam", optimizer="Adam", learning_rate=0.01),
    dict(name="adam_weight_decay_betas", optimizer="Adam", learning_rate=0.02, beta_1=0.8, beta_2=0.95, epsilon=1e-4,
         weight_decay=0.1),
    dict(name="adamw", optimizer="AdamW", learning_rate=0.01, weight_decay=0.004),
    dict(name="nadam", optimizer="Nadam", learning_rate=0.01),
    dict(name="rmsprop", optimizer="RMSprop", learning_rate=0.01),
    dict(name="rmsprop_centered_momentum", optimizer="RMSprop", learning_rate=0.01, rho=0.8, momentum=0.5,
         centered=True),
    dict(name="adagrad", optimizer="Adagrad", learning_rate=0.05),
]


def keras_step(cfg, state, it, w, g):
    """One update of one variable by Keras 3's rule (keras/src/optimizers, v3.15), iteration `it` (0-based); `state`
    holds the slots; weight decay first (base_optimizer._apply_weight_decay)."""
    lr, kind = cfg["learning_rate"], cfg["optimizer"]
    wd = cfg.get("weight_decay", 0.0)
    if wd:
        w = w - w * wd * lr
    if kind == "SGD":
        mom = cfg.get("momentum", 0.0)
        if not mom:
            return w - g * lr
        m = state.get("m", np.zeros_like(w)) * mom - g * lr
        state["m"] = m
        return w + (m * mom - g * lr if cfg.get("nesterov") else m)
    if kind in ("Adam", "AdamW"):
        b1, b2, eps = cfg.get("beta_1", 0.9), cfg.get("beta_2", 0.999), cfg.get("epsilon", 1e-7)
        t = it + 1
        alpha = lr * np.sqrt(1 - b2 ** t) / (1 - b1 ** t)
        m = state.get("m", np.zeros_like(w))
        v = state.get("v", np.zeros_like(w))
        m = m + (g - m) * (1 - b1)
        v = v + (g * g - v) * (1 - b2)
        state["m"], state["v"] = m, v
        return w - m * alpha / (np.sqrt(v) + eps)
    if kind == "Nadam":
        b1, b2, eps = 0.9, 0.999, 1e-7
        t = it + 1
        u_t = b1 * (1 - 0.5 * 0.96 ** t)
        u_t1 = b1 * (1 - 0.5 * 0.96 ** (t + 1))
        u_prod = state["u_product"]  # already times u_t (Nadam._backend_update_step)
        m = state.get("m", np.zeros_like(w))
        v = state.get("v", np.zeros_like(w))
        m = m + (g - m) * (1 - b1)
        v = v + (g * g - v) * (1 - b2)
        state["m"], state["v"] = m, v
        m_hat = u_t1 * m / (1 - u_prod * u_t1) + (1 - u_t) * g / (1 - u_prod)
        v_hat = v / (1 - b2 ** t)
        return w - m_hat * lr / (np.sqrt(v_hat) + eps)
    if kind == "RMSprop":
        rho, eps, mom = cfg.get("rho", 0.9), cfg.get("epsilon", 1e-7), cfg.get("momentum", 0.0)
        vel = rho * state.get("vel", np.zeros_like(w)) + (1 - rho) * g * g
        state["vel"] = vel
        if cfg.get("centered"):
            avg = rho * state.get("avg", np.zeros_like(w)) + (1 - rho) * g
            state["avg"] = avg
            den = vel - avg * avg + eps
        else:
            den = vel + eps
        inc = lr * g / np.sqrt(den)
        if mom:
            state["m"] = mom * state.get("m", np.zeros_like(w)) + inc
            return w - state["m"]
        return w - inc
    if kind == "Adagrad":
        acc = state.get("acc", np.full_like(w, 0.1)) + g * g  # initial_accumulator_value 0.1
        state["acc"] = acc
        return w - lr * g / np.sqrt(acc + 1e-7)
    raise ValueError(kind)


def run_optimizer_case(cfg, arrays, steps=4):
    """Dense(3) on x [8, 4], mse, `steps` train steps: the loss before each and the weights after all."""
    put = putter(cfg["name"], arrays)
    x = f32(rng.uniform(-1, 1, (8, 4)))
    y = f32(rng.uniform(-1, 1, (8, 3)))
    ws = [f32(rng.uniform(-0.7, 0.7, (4, 3))), f32(rng.uniform(-0.3, 0.3, (3,)))]
    put("x", x)
    put("y", y)
    for i, w in enumerate(ws):
        put(f"w{i}", w)
    states = [dict() for _ in ws]
    losses = []
    u_product = 1.0
    for it in range(steps):
        tw = [torch.tensor(w, requires_grad=True) for w in ws]
        loss = ((torch.tensor(x) @ tw[0] + tw[1] - torch.tensor(y)) ** 2).mean()
        grads = torch.autograd.grad(loss, tw)
        losses.append(float(loss))
        u_product *= 0.9 * (1 - 0.5 * 0.96 ** (it + 1))
        for k in range(len(ws)):
            states[k]["u_product"] = u_product
            ws[k] = keras_step(cfg, states[k], it, ws[k], grads[k].numpy())
    put("losses", np.array(losses))
    for i, w in enumerate(ws):
        put(f"w{i}_after", w)
    return dict(cfg, steps=steps, weights=len(ws))


def run_two_output_case(arrays):
    """Masking -> Bidirectional(GRU, merge_mode=None, return_sequences) whose two sequences each feed a Dense with its
    own mse: Keras gives both the mask ([mask, mask]) and sums the two losses."""
    name = "bidirectional_none_two_outputs"
    put = putter(name, arrays)
    valid = torch.tensor(MASK) > 0
    x = torch.tensor(f32(rng.uniform(-1, 1, (B, T, I)))) * valid[..., None]
    cfg = dict(cell="gru", units=3, return_sequences=True, merge_mode="none")
    wf, wb = make_weights(cfg, I), make_weights(cfg, I)
    k1, b1, k2, b2 = uni((3, 2), 0.8), uni((2,), 0.3), uni((3, 2), 0.8), uni((2,), 0.3)
    mask = (x != 0).any(-1).double()
    y_fw, y_bw = keras_bidirectional(cfg, x, wf, wb, mask)
    outs = [y_fw @ k1 + b1, y_bw @ k2 + b2]
    ys = [torch.tensor(f32(rng.uniform(-1, 1, o.shape))) for o in outs]
    loss = sum((((o - y) ** 2).mean(-1) * mask).sum() / mask.sum() for o, y in zip(outs, ys))
    ws = wf + wb + [k1, b1, k2, b2]
    grads = torch.autograd.grad(loss, ws)
    put("x", x)
    for i, y in enumerate(ys):
        put(f"y{i}", y)
    put_weights(put, ws, grads)
    put("loss", loss.reshape(1))
    return dict(name=name, kind="two_outputs", loss="MSE", weights=len(ws))


def save(stem, arrays, meta):
    """<stem>.json lists the cases; <stem>/<case>.npz holds each case's arrays (one small archive per case, so a
    reader maps only its own few members)."""
    folder = os.path.join(HERE, stem)
    os.makedirs(folder, exist_ok=True)
    for old in os.listdir(folder):
        if old.endswith(".npz"):
            os.remove(os.path.join(folder, old))
    for case in meta:
        prefix = case["name"] + "__"
        np.savez(os.path.join(folder, case["name"] + ".npz"),
                 **{k[len(prefix):]: v.astype(np.float32) for k, v in arrays.items() if k.startswith(prefix)})
    with open(os.path.join(HERE, stem + ".json"), "w") as f:
        json.dump(meta, f, indent=1)
        f.write("\n")


def main():
    torch.manual_seed(0)
    arrays, meta = {}, []
    for cfg in layer_cases():
        meta.append(run_layer_case(cfg, arrays))
    save("layers", arrays, meta)
    arrays, meta = {}, []
    for cfg in other_cases():
        meta.append(run_other_case(cfg, arrays))
    with own_rng(2026120511):
        for cfg in pooling_cases():
            meta.append(run_other_case(cfg, arrays))
    save("other_layers", arrays, meta)
    arrays, meta = {}, []
    for kind in LOSSES:
        meta.append(run_loss_case(kind, False, False, arrays))
        meta.append(run_loss_case(kind, True, False, arrays))
    for kind in ("MSE", "SPARSE_CATEGORICAL_CROSSENTROPY_LOGITS", "BINARY_CROSSENTROPY"):
        meta.append(run_loss_case(kind, False, True, arrays))
    with own_rng(2026120512):
        for kind in ("HINGE", "SQUARED_HINGE", "CATEGORICAL_HINGE"):
            meta.append(run_loss_case(kind, False, False, arrays))
            meta.append(run_loss_case(kind, True, False, arrays))
            meta.append(run_loss_case(kind, False, True, arrays))
    save("losses", arrays, meta)
    arrays, meta = {}, []
    for cfg in model_cases():
        meta.append(run_model_case(cfg, arrays))
    meta.append(run_encoder_decoder_case(arrays))
    for cfg in merge_model_cases():
        meta.append(run_merge_model_case(cfg, arrays))
    meta.append(run_two_output_case(arrays))
    save("models", arrays, meta)
    arrays, meta = {}, []
    for cfg in OPTIMIZERS:
        meta.append(run_optimizer_case(cfg, arrays))
    save("optimizers", arrays, meta)


if __name__ == "__main__":
    main()
