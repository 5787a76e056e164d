#!/usr/bin/env python3
"""PyTorch peer of jrnn's GpuBench: nn.LSTM (cuDNN) train step on the same shapes, same timing method.

Train step = forward, MSE of the last output against a random target, backward, Adam (lr 1e-3,
eps 1e-7 as Keras), then loss.item() (jrnn reads its loss every step too). Adam runs both ways
PyTorch offers on CUDA, each a row: fused=True (one kernel, like jrnn's) and foreach (PyTorch's
default); ratios.py compares jrnn with the faster of the two. Each step is timed alone
with torch.cuda.Event after a warm-up (>= --warmup steps and 2 s); inputs cycle through 8 random
batches uniform in [-1, 1). Prints and writes the same CSV columns as dev.jrnn.bench.GpuBench.

    python3 benchmarks/peers/torch_lstm.py --out $OUT/torch_gpu.csv [--shapes 64x100x512x512,...]
        [--precisions fp32,tf32] [--cell lstm|gru|simple_rnn] [--iters 50] [--max-seconds 12]

fp32 turns TF32 off in both cuBLAS and cuDNN (cuDNN allows TF32 by default); tf32 turns both on.
nn.LSTM has two bias vectors (b_ih, b_hh): 4H more parameters than Keras' LSTM, the same FLOPs.
--bidirectional: nn.LSTM(bidirectional=True), last output [B, 2H] (cell column "bi-lstm", twice the FLOPs);
as in jrnn's Bidirectional, both directions run over the whole sequence forward and backward.
"""
import argparse
import json
import os
import statistics
import sys
import time

HEADER = ("impl,cell,batch,steps,in,units,precision,median_ms,p10_ms,p90_ms,iters,gflops,"
          "samples_per_s,timer,device,mode")
GATES = {"lstm": 4, "gru": 3, "simple_rnn": 1}


def quantile(sorted_vals, q):
    if not sorted_vals:
        return float("nan")
    pos = q * (len(sorted_vals) - 1)
    lo, hi = int(pos), min(int(pos) + 1, len(sorted_vals) - 1)
    return sorted_vals[lo] + (sorted_vals[hi] - sorted_vals[lo]) * (pos - lo)


def parse_shape(s):
    p = [int(v) for v in s.lower().split("x")]
    if len(p) == 3:
        p = [p[0], p[1], p[2], p[2]]
    if len(p) != 4 or min(p) <= 0:
        raise SystemExit(f"shape '{s}': expected BxTxIxH or BxTxH, e.g. 64x100x512x512")
    return p


def train_flops(cell, b, t, i, h):
    """Matrix products only: forward 2*T*B*G*(I+H), train step 3x forward (as jrnn's Shapes)."""
    return 3 * 2.0 * t * b * GATES[cell] * h * (i + h)


def run(torch, cell, b, t, i, h, precision, device, warmup, iters, max_seconds, adam, bi=False):
    tf32 = precision == "tf32"
    torch.backends.cuda.matmul.allow_tf32 = tf32
    torch.backends.cudnn.allow_tf32 = tf32
    torch.manual_seed(42)
    cls = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "simple_rnn": torch.nn.RNN}[cell]
    net = cls(i, h, batch_first=True, bidirectional=bi).to(device)
    kw = {"fused": True} if adam == "fused" and device.startswith("cuda") else {"foreach": adam == "foreach"}
    opt = torch.optim.Adam(net.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-7, **kw)
    g = torch.Generator(device="cpu").manual_seed(7)
    xs = [(torch.rand(b, t, i, generator=g) * 2 - 1).to(device) for _ in range(8)]
    ys = [(torch.rand(b, h, generator=g) * 2 - 1).to(device) for _ in range(8)]
    if bi:
        ys = [torch.cat([y, y], dim=1) for y in ys]
    mse = torch.nn.functional.mse_loss

    def step(k):
        opt.zero_grad(set_to_none=False)
        out, _ = net(xs[k % 8])
        loss = mse(out[:, -1], ys[k % 8])
        loss.backward()
        opt.step()
        return loss.item()

    cuda = device.startswith("cuda")
    k = 0
    start = time.perf_counter()
    loss = float("nan")
    while k < warmup or (time.perf_counter() - start < 2.0 and k < 30 * max(warmup, 10)):
        loss = step(k)
        k += 1
    if loss != loss:
        raise RuntimeError(f"loss is NaN after warm-up")
    times = []
    m_start = time.perf_counter()
    while len(times) < iters and (len(times) < 5 or time.perf_counter() - m_start < max_seconds):
        if cuda:
            e0, e1 = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            torch.cuda.synchronize()
            e0.record()
            step(k)
            e1.record()
            e1.synchronize()
            times.append(e0.elapsed_time(e1))
        else:
            t0 = time.perf_counter()
            step(k)
            times.append((time.perf_counter() - t0) * 1e3)
        k += 1
    times.sort()
    med = quantile(times, 0.5)
    params = sum(p.numel() for p in net.parameters())
    return med, quantile(times, 0.1), quantile(times, 0.9), len(times), params


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shapes", default="64x100x512x512,4x100x256x256,256x50x1024x1024")
    ap.add_argument("--precisions", default="fp32,tf32")
    ap.add_argument("--cell", default="lstm", choices=sorted(GATES))
    ap.add_argument("--warmup", type=int, default=10)
    ap.add_argument("--iters", type=int, default=50)
    ap.add_argument("--max-seconds", type=float, default=12.0)
    ap.add_argument("--device", default="cuda")
    ap.add_argument("--adam", default="fused,foreach",
                    help="comma-separated PyTorch Adam implementations: fused (CUDA only), foreach, loop")
    ap.add_argument("--bidirectional", action="store_true", help="nn.LSTM(bidirectional=True); cell column bi-<cell>")
    ap.add_argument("--out", default=None, help="CSV path; a .json with the same rows is written beside it")
    a = ap.parse_args()

    import torch
    if a.device.startswith("cuda") and not torch.cuda.is_available():
        raise SystemExit("torch_lstm.py: CUDA is not available to PyTorch (use --device cpu to try it on a CPU)")
    dev_name = torch.cuda.get_device_name(0) if a.device.startswith("cuda") else "cpu"
    print(f"torch {torch.__version__}, cuDNN {torch.backends.cudnn.version()}, device {dev_name}, cell {a.cell}, "
          f"Adam {a.adam}, warm-up >= {a.warmup} steps and 2 s, then up to {a.iters} steps or {a.max_seconds} s",
          flush=True)
    print(HEADER.replace(",", "\t"), flush=True)
    rows = []
    adams = [x.strip().lower() for x in a.adam.split(",") if x.strip()]
    for x in adams:
        if x not in ("fused", "foreach", "loop"):
            raise SystemExit(f"torch_lstm.py: --adam '{x}': expected fused, foreach or loop")
    if not a.device.startswith("cuda") and "fused" in adams:
        adams = [x for x in adams if x != "fused"] or ["foreach"]
    precs = [p.strip().lower() for p in a.precisions.split(",")]
    for prec in precs:
        if prec not in ("fp32", "tf32"):
            raise SystemExit(f"torch_lstm.py: precision '{prec}': expected fp32 or tf32")
    combos = [(prec, s, adam) for prec in precs for s in a.shapes.split(",") for adam in adams]
    for prec, s, adam in combos:
        b, t, i, h = parse_shape(s)
        try:
            med, p10, p90, n, params = run(torch, a.cell, b, t, i, h, prec, a.device,
                                           a.warmup, a.iters, a.max_seconds, adam, a.bidirectional)
        except Exception as e:  # one failing configuration must not lose the others
            print(f"# {s} {prec} adam={adam} failed: {e!r}", flush=True)
            continue
        gflops = (2 if a.bidirectional else 1) * train_flops(a.cell, b, t, i, h) / (med * 1e6)
        label = ("bi-" if a.bidirectional else "") + a.cell
        row = (f"torch,{label},{b},{t},{i},{h},{prec},{med:.4f},{p10:.4f},{p90:.4f},{n},{gflops:.1f},"
               f"{b / (med / 1e3):.1f},{'cuda-events' if a.device.startswith('cuda') else 'host'},"
               f"{dev_name.replace(',', ' ')},eager-adam-{adam}")
        rows.append(row)
        print(row.replace(",", "\t") + f"\t# params {params}", flush=True)
    if a.out:
        os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
        with open(a.out, "w") as f:
            f.write(HEADER + "\n" + "".join(r + "\n" for r in rows))
        cols = HEADER.split(",")
        recs = []
        for r in rows:
            v = r.split(",")
            recs.append({c: (int(x) if 2 <= k <= 5 or k == 10 else float(x) if 7 <= k <= 12 else x)
                         for k, (c, x) in enumerate(zip(cols, v))})
        with open(os.path.splitext(a.out)[0] + ".json", "w") as f:
            json.dump(recs, f, indent=1)
        print(f"written: {a.out}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
