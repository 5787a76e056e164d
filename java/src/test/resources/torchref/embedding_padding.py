#!/usr/bin/python3
"""Golden values for jrnn's EmbeddingPaddingIdxTest: nn.Embedding(6, 3, padding_idx=0) -> mean over the 4 steps ->
nn.Linear(3, 1), mse, trained by torch.optim in float64 from float32 weights (the padding row set nonzero, as a
loaded or hand-set row may be). torch gives row 0 no gradient; weight decay still moves it.
Run with PyTorch (tested with 1.13, CPU): /usr/bin/python3 embedding_padding.py  (writes embedding_padding.json here)
"""
import json
import os

import numpy as np
import torch
import torch.nn as nn

torch.set_default_dtype(torch.float64)
HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(20261206)
EMB = rng.uniform(-0.5, 0.5, (6, 3)).astype(np.float32)
KERNEL = rng.uniform(-0.8, 0.8, (3, 1)).astype(np.float32)   # Keras' Dense kernel, torch's fc.weight transposed
BIAS = np.array([0.1], dtype=np.float32)
IDS = [[1, 2, 0, 0], [3, 4, 5, 0]]
Y = [[1.0], [-1.0]]
STEPS = 5

# name: the torch optimizer over (emb, fc) parameter groups, and the Keras-side L2 factor that is its coupled decay
CASES = {
    "sgd": (lambda e, f: torch.optim.SGD([{"params": e}, {"params": f}], lr=0.5), 0.0),
    # decoupled decay (Keras' and torch AdamW's): row 0 shrinks by (1 - lr * wd) a step, its moments stay 0; a tiny
    # epsilon on both sides, as torch adds it outside the root and Keras scaled by sqrt(1 - beta_2^t) (small gradients here)
    "adamw": (lambda e, f: torch.optim.AdamW([{"params": e}, {"params": f}], lr=0.05, weight_decay=0.1, eps=1e-10), 0.0),
    # torch's coupled weight_decay on the table only (momentum carries it): jrnn's L2(wd / 2) regularizer on the table,
    # whose penalty Keras adds to the loss it reports
    "sgd_momentum_coupled_decay": (lambda e, f: torch.optim.SGD([{"params": e, "weight_decay": 0.2}, {"params": f}],
                                                                lr=0.2, momentum=0.9), 0.1),
}


def run(make, l2):
    emb = nn.Embedding(6, 3, padding_idx=0)
    fc = nn.Linear(3, 1)
    with torch.no_grad():
        emb.weight.copy_(torch.tensor(EMB, dtype=torch.float64))
        fc.weight.copy_(torch.tensor(KERNEL.T, dtype=torch.float64))
        fc.bias.copy_(torch.tensor(BIAS, dtype=torch.float64))
    opt = make(list(emb.parameters()), list(fc.parameters()))
    ids, y = torch.tensor(IDS), torch.tensor(Y)
    losses = []
    for _ in range(STEPS):
        opt.zero_grad()
        loss = nn.functional.mse_loss(fc(emb(ids).mean(1)), y)
        losses.append(loss.item() + l2 * emb.weight.pow(2).sum().item())   # the loss Keras reports (before the step)
        loss.backward()
        assert emb.weight.grad[0].abs().sum().item() == 0.0
        opt.step()
    return {"l2": l2, "losses": losses, "embeddings_after": emb.weight.detach().tolist(),
            "kernel_after": fc.weight.detach().T.tolist(), "bias_after": fc.bias.detach().tolist()}


out = {"torch": torch.__version__, "embeddings": EMB.tolist(), "kernel": KERNEL.tolist(), "bias": BIAS.tolist(),
       "ids": IDS, "y": Y, "steps": STEPS, "cases": {n: run(m, l2) for n, (m, l2) in CASES.items()}}
with open(os.path.join(HERE, "embedding_padding.json"), "w") as f:
    json.dump(out, f, indent=1)
for n, c in out["cases"].items():
    print(n, c["losses"], "row 0 after", c["embeddings_after"][0])
