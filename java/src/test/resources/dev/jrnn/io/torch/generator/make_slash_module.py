#!/usr/bin/python3
"""Writes slash_module.pt and slash_module.json for TorchWeightsTest.aModuleNameWithASlashLoads: a real torch.save
(torch 1.13) of nn.ModuleDict({'enc/lstm': nn.LSTM(3, 4), 'enc/fc': nn.Linear(4, 2)}), whose keys carry the '/'
of the module names ('enc/lstm.weight_ih_l0'), with torch's float64 output of fc on the LSTM's last step for x.

Run from this folder: /usr/bin/python3 make_slash_module.py   (needs torch). Writes into ..   Deterministic (seed 11).
"""
import json
import os

import torch
from torch import nn

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
torch.manual_seed(11)
m = nn.ModuleDict({"enc/lstm": nn.LSTM(3, 4, batch_first=True), "enc/fc": nn.Linear(4, 2)})
torch.save(m.state_dict(), os.path.join(OUT, "slash_module.pt"))
x = torch.randn(2, 5, 3, dtype=torch.float64)
with torch.no_grad():
    d = m.double()
    y = d["enc/fc"](d["enc/lstm"](x)[0][:, -1])
with open(os.path.join(OUT, "slash_module.json"), "w") as f:
    json.dump({"keys": list(m.state_dict().keys()), "x": x.flatten().tolist(), "x_shape": list(x.shape),
               "y": y.flatten().tolist(), "y_shape": list(y.shape)}, f, indent=1)
    f.write("\n")
