#!/usr/bin/env python3
"""PyTorch's CPU train step (the peer's: forward, MSE on the last output, BPTT, Adam) on one thread (TORCH_THREADS), timed by
process CPU time, beside CpuTimeStep.java: a per-core comparison that a loaded machine disturbs far less than
wall time. Random weights and batches (the same work as jrnn's is checked by benchmarks/run.sh's fixtures).
    /usr/bin/python3 benchmarks/ab/torch_cputime.py lstm 32x50x128x128 100
"""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "peers"))
import peer_common as pc  # noqa: E402
import torch  # noqa: E402

cell, shape, steps = sys.argv[1], sys.argv[2], int(sys.argv[3])
blas, reference = pc.blas_report(torch)
if reference:
    sys.exit("torch_cputime.py: torch runs on the reference BLAS (" + blas + "); install libopenblas0-openmp")
b, t, i, h = pc.parse_shape(shape)
torch.set_num_threads(int(os.environ.get("TORCH_THREADS", "1")))
torch.manual_seed(0)
net = pc.make_net(torch, cell, i, h)
opt = torch.optim.Adam(net.parameters(), lr=pc.LR, betas=pc.BETAS, eps=pc.EPS)
xs = [torch.randn(b, t, i) for _ in range(4)]
ys = [torch.randn(b, h) for _ in range(4)]
step = pc.make_step(torch, net, opt, torch.nn.functional.mse_loss, xs, ys)
for k in range(max(20, steps // 2)):
    step(k)
cpu, wall = [], []
for k in range(steps):
    c0, w0 = time.process_time(), time.perf_counter()
    step(k)
    cpu.append((time.process_time() - c0) * 1e3)
    wall.append((time.perf_counter() - w0) * 1e3)
cpu.sort()
wall.sort()
print(f"torch {cell} {shape} cpu_ms={cpu[steps // 2]:.3f} cpu_p25={cpu[steps // 4]:.3f} cpu_p75={cpu[3 * steps // 4]:.3f} "
      f"wall_ms={wall[steps // 2]:.3f} n={steps} # {blas.split(';')[0]}", flush=True)
