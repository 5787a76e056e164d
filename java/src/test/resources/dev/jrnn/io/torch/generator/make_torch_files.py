#!/usr/bin/python3
"""Writes small PyTorch state_dict files for jrnn's torch import tests (TorchWeightsTest): real torch.save files (.pt,
torch 1.13's zip of data.pkl and data/<storage>) and safetensors files as safetensors.torch.save_file writes them
(written here by hand, the safetensors package is not installed: 8-byte little-endian header length, JSON header of
dtype / shape / data_offsets padded with spaces to 8 bytes, the tensors' bytes), plus expected.json: each model's
input and torch's output on it, computed in float64 from the float32 weights; for the *_step files (torch's weights
after one SGD step) the step's input and target.

Run from this folder: /usr/bin/python3 make_torch_files.py   (needs torch, numpy). Writes into ..
Deterministic: fixed seeds; the .pt zips carry torch's fixed timestamps.
"""
import copy
import json
import os
import struct

import numpy as np
import torch
from torch import nn

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
DTYPES = {torch.float32: "F32", torch.float64: "F64", torch.float16: "F16", torch.bfloat16: "BF16", torch.int64: "I64"}
expected = {}


def save_safetensors(sd, path):
    header, blobs, off = {}, [], 0
    for k, t in sd.items():
        t = t.detach().contiguous()
        b = t.numpy().tobytes() if t.dtype != torch.bfloat16 else t.view(torch.int16).numpy().tobytes()
        header[k] = {"dtype": DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def save(name, module, forward, x, safetensors=True, sd=None):
    """Saves module's state_dict (or sd) as name.pt (and name.safetensors) and torch's float64 output on x."""
    module.eval()
    sd = module.state_dict() if sd is None else sd
    torch.save(sd, os.path.join(OUT, name + ".pt"))
    if safetensors:
        save_safetensors(sd, os.path.join(OUT, name + ".safetensors"))
    with torch.no_grad():
        y = forward(module.double(), x.double() if x.is_floating_point() else x)
    module.float()
    expected[name] = {"x": x.double().flatten().tolist(), "x_shape": list(x.shape),
                      "y": y.flatten().tolist(), "y_shape": list(y.shape)}


# a 2-layer bidirectional LSTM and a Linear on every step: jrnn Bidirectional(LSTM), Bidirectional(LSTM), Dense
torch.manual_seed(1)
bilstm = nn.ModuleDict({"lstm": nn.LSTM(3, 4, num_layers=2, bidirectional=True, batch_first=True), "fc": nn.Linear(8, 2)})
save("bilstm", bilstm, lambda m, x: m["fc"](m["lstm"](x)[0]), torch.randn(2, 5, 3))

# a GRU and a Linear on its last state: jrnn GRU(5) (reset_after), Dense(1)
torch.manual_seed(2)
gru = nn.ModuleDict({"gru": nn.GRU(3, 5, batch_first=True), "fc": nn.Linear(5, 1)})
save("gru", gru, lambda m, x: m["fc"](m["gru"](x)[1][0]), torch.randn(3, 4, 3))

# fine-tuning: one SGD step (lr 0.5, mean squared error over the whole batch) from gru.pt's weights, torch's result
# saved as gru_step.pt; jrnn's fit of one batch from gru.pt must land on the same weights
x, target = torch.randn(3, 4, 3), torch.randn(3, 1)
tuned = nn.ModuleDict({"gru": nn.GRU(3, 5, batch_first=True), "fc": nn.Linear(5, 1)})
tuned.load_state_dict(gru.state_dict())
tuned.double()
opt = torch.optim.SGD(tuned.parameters(), lr=0.5)
loss = nn.functional.mse_loss(tuned["fc"](tuned["gru"](x.double())[1][0]), target.double())
loss.backward()
opt.step()
torch.save(tuned.float().state_dict(), os.path.join(OUT, "gru_step.pt"))
expected["gru_step"] = {"x": x.double().flatten().tolist(), "x_shape": list(x.shape),
                        "y": target.double().flatten().tolist(), "y_shape": list(target.shape)}

# the same weights as non-contiguous views: transposed storage, storage offsets, two tensors in one storage
sd = {k: v.clone() for k, v in gru.state_dict().items()}
views = {}
for k, v in sd.items():
    if v.dim() == 2:
        views[k] = v.t().contiguous().t()                       # stride (1, rows)
    else:
        views[k] = v
both = torch.cat([torch.zeros(7), sd["gru.bias_ih_l0"], sd["gru.bias_hh_l0"]])
views["gru.bias_ih_l0"] = both[7:22]                              # offset 7 in a shared storage
views["gru.bias_hh_l0"] = both[22:37]                             # offset 22 in the same storage
views["fc.weight"] = torch.stack([sd["fc.weight"][0], torch.zeros(5)], 1).t()[0:1]
from collections import OrderedDict
torch.save(OrderedDict(views), os.path.join(OUT, "gru_views.pt"))
# state_dict(keep_vars=True): Parameters, pickled through torch._utils._rebuild_parameter
torch.save(gru.state_dict(keep_vars=True), os.path.join(OUT, "gru_keep_vars.pt"))
# pickle_protocol=4: FRAME, SHORT_BINUNICODE, STACK_GLOBAL and MEMOIZE in data.pkl
torch.save(gru.state_dict(), os.path.join(OUT, "gru_protocol4.pt"), pickle_protocol=4)

# a relu RNN, saved in float64 (DoubleStorage, F64): jrnn SimpleRNN(4).activation("relu")
torch.manual_seed(3)
rnn = nn.ModuleDict({"rnn": nn.RNN(3, 4, nonlinearity="relu", batch_first=True)})
rnn.double()
torch.save(rnn.state_dict(), os.path.join(OUT, "rnn_relu.pt"))
save_safetensors(rnn.state_dict(), os.path.join(OUT, "rnn_relu.safetensors"))
x = torch.randn(2, 6, 3, dtype=torch.float64)
with torch.no_grad():
    expected["rnn_relu"] = {"x": x.flatten().tolist(), "x_shape": list(x.shape),
                            "y": rnn["rnn"](x)[0].flatten().tolist(), "y_shape": [2, 6, 4]}

# Embedding, then an LSTM without biases: jrnn Embedding(10, 4), LSTM(3).useBias(false); the .pt also in float16
# (HalfStorage) and bfloat16 (BFloat16Storage), their references computed from the rounded weights
torch.manual_seed(4)
emb = nn.ModuleDict({"emb": nn.Embedding(10, 4), "lstm": nn.LSTM(4, 3, bias=False, batch_first=True)})
ids = torch.tensor([[1, 4, 9, 0], [7, 7, 2, 3]])
save("emb_lstm", emb, lambda m, x: m["lstm"](m["emb"](x))[0], ids)
for dtype, name in ((torch.float16, "emb_lstm_f16"), (torch.bfloat16, "emb_lstm_bf16")):
    emb.float()
    emb.to(dtype)
    torch.save(emb.state_dict(), os.path.join(OUT, name + ".pt"))
    emb.double()
    with torch.no_grad():
        expected[name] = {"x": ids.double().flatten().tolist(), "x_shape": [2, 4],
                          "y": emb["lstm"](emb["emb"](ids))[0].flatten().tolist(), "y_shape": [2, 4, 3]}

# Conv1d, BatchNorm1d (running statistics from three training batches) and LayerNorm on channels-last input:
# jrnn Conv1D(4, 3), BatchNormalization().epsilon(1e-5), LayerNormalization().epsilon(1e-5)
torch.manual_seed(5)
conv = nn.ModuleDict({"conv": nn.Conv1d(3, 4, kernel_size=3), "bn": nn.BatchNorm1d(4), "norm": nn.LayerNorm(4)})
with torch.no_grad():
    conv["norm"].weight.uniform_(0.5, 1.5)
    conv["norm"].bias.uniform_(-0.5, 0.5)
    conv["bn"].weight.uniform_(0.5, 1.5)
    conv["bn"].bias.uniform_(-0.5, 0.5)
    conv.train()
    for _ in range(3):
        conv["bn"](conv["conv"](torch.randn(4, 3, 7) * 2 + 1))


def conv_forward(m, x):   # x (batch, steps, channels), as jrnn's Conv1D takes it
    h = m["bn"](m["conv"](x.transpose(1, 2))).transpose(1, 2)
    return m["norm"](h)


save("conv_norm", conv, conv_forward, torch.randn(2, 6, 3))

# an LSTM with proj_size, which jrnn has no layer for (refused)
torch.manual_seed(6)
torch.save(nn.ModuleDict({"lstm": nn.LSTM(2, 3, proj_size=2)}).state_dict(), os.path.join(OUT, "lstm_proj.pt"))


def sgd_step(name, module, forward, x, target, lr):
    """One SGD(lr) step on the mean squared error of forward(module, x) against target, in float64 from module's
    weights; torch's weights after it saved as name.pt, x and target in expected.json."""
    tuned = copy.deepcopy(module).double()
    opt = torch.optim.SGD(tuned.parameters(), lr=lr)
    nn.functional.mse_loss(forward(tuned, x.double()), target.double()).backward()
    opt.step()
    torch.save(tuned.float().state_dict(), os.path.join(OUT, name + ".pt"))
    expected[name] = {"x": x.double().flatten().tolist(), "x_shape": list(x.shape),
                      "y": target.double().flatten().tolist(), "y_shape": list(target.shape)}


# fine-tuning an nn.LSTM and an nn.RNN: torch steps bias_ih and bias_hh each by the sum's gradient, so their sum (jrnn's one
# Keras bias) moves twice what one Keras weight moves; kernels step alike. One SGD step from bilstm.pt and rnn_relu.pt.
torch.manual_seed(7)
sgd_step("bilstm_step", bilstm, lambda m, x: m["fc"](m["lstm"](x)[0]), torch.randn(2, 5, 3), torch.randn(2, 5, 2), 0.5)
sgd_step("rnn_relu_step", rnn, lambda m, x: m["rnn"](x)[0], torch.randn(2, 6, 3), torch.randn(2, 6, 4), 0.5)


# nn.LSTMCell, nn.GRUCell and nn.RNNCell (keys weight_ih, no _l0 suffix) looped over the steps from zero states, as a
# user's own loop runs them: jrnn LSTM / GRU / SimpleRNN returning sequences
def cell_loop(cell, x):
    h, outs = None, []
    for t in range(x.shape[1]):
        h = cell(x[:, t], h)
        outs.append(h[0] if isinstance(h, tuple) else h)
    return torch.stack(outs, 1)


torch.manual_seed(8)
for name, cell in (("lstm_cell", nn.LSTMCell(3, 4)), ("gru_cell", nn.GRUCell(3, 4)), ("rnn_cell", nn.RNNCell(3, 4))):
    save(name, nn.ModuleDict({"cell": cell}), lambda m, x: cell_loop(m["cell"], x), torch.randn(2, 5, 3), safetensors=False)

# a training checkpoint dict (refused, naming its 'model_state_dict' entry): gru.pt's weights after one Adam step
ckpt_model = copy.deepcopy(gru)
ckpt_opt = torch.optim.Adam(ckpt_model.parameters(), lr=0.01)
ckpt_model["fc"](ckpt_model["gru"](torch.randn(3, 4, 3))[1][0]).sum().backward()
ckpt_opt.step()
torch.save({"epoch": 3, "model_state_dict": ckpt_model.state_dict(), "optimizer_state_dict": ckpt_opt.state_dict()},
           os.path.join(OUT, "gru_checkpoint.pt"))

with open(os.path.join(OUT, "expected.json"), "w") as f:
    json.dump(expected, f, indent=None, separators=(",", ":"))
    f.write("\n")
