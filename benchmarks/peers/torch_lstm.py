#!/usr/bin/env python3
"""PyTorch peer of jrnn's GpuBench: nn.LSTM / nn.GRU / nn.RNN (cuDNN) train step on the same shapes, same timing.

Train step = forward, MSE of the last output against a random target, backward, Adam (lr 1e-3, eps 1e-7 as
Keras). Two ways to issue it, each a row (column mode):
- eager-adam-<fused|foreach>: the plain loop, loss.item() every step (jrnn's "sync" reads its loss too);
  Adam both ways PyTorch offers on CUDA; ratios.py compares jrnn with the fastest PyTorch row.
- graph-adam-<fused|foreach>: the whole step captured once in a CUDA graph (torch.cuda.graph) over static
  input/target tensors, Adam(capturable=True), warmed up on a side stream first as PyTorch's CUDA-graph docs
  require; each timed step copies its batch into the static inputs and replays the graph; the loss stays
  on the device (as jrnn's "graph" mode). What a PyTorch user who cares about small-batch speed does.
Each step is timed alone with torch.cuda.Event after a warm-up (>= --warmup steps and 2 s); inputs cycle
through 8 random batches uniform in [-1, 1). Prints and writes GpuBench's CSV columns.

--gemm adds one row per (shape, precision): torch.mm at the input projection X[T*B, I] W[I, G] (cuBLAS),
mode gemm-MxNxK, the GEMM throughput that "the step at >= 60% of cuBLAS' GEMM throughput" is measured
against (ratios.py prints the share).

    python3 benchmarks/peers/torch_lstm.py --out $OUT/torch_gpu.csv [--shapes 64x100x512x512,...]
        [--precisions fp32,tf32] [--cells lstm,gru,simple_rnn] [--modes eager,graph] [--adam fused,foreach]
        [--iters 50] [--max-seconds 12] [--gemm] [--bidirectional]
    python3 benchmarks/peers/torch_lstm.py --device cpu --dry-run   # the same code on tiny shapes, no CUDA

fp32 turns TF32 off in both cuBLAS and cuDNN (torch.backends.cuda.matmul.allow_tf32 and cudnn.allow_tf32;
cuDNN allows TF32 by default); tf32 turns both on. nn.LSTM has two bias vectors (b_ih, b_hh): 4H more
parameters than Keras' LSTM, the same FLOPs. --bidirectional: bidirectional=True, last output [B, 2H]
(cell column "bi-<cell>", twice the FLOPs). --dry-run: tiny shapes, every mode; without CUDA the "graph"
mode runs its static-tensor step without capture (capturable Adam needs CUDA tensors) and checks that it
gives the eager step's losses from the same initial weights.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peer_common as pc  # noqa: E402


def build(torch, cell, b, t, i, h, precision, device, adam, bi, capturable):
    """(net, optimizer, 8 input batches, 8 targets) from fixed seeds."""
    tf32 = precision == "tf32"
    torch.backends.cuda.matmul.allow_tf32 = tf32
    torch.backends.cudnn.allow_tf32 = tf32
    torch.manual_seed(42)
    net = pc.make_net(torch, cell, i, h, bi).to(device)
    kw = {"fused": True} if adam == "fused" else {"foreach": adam == "foreach"}
    if capturable:
        kw["capturable"] = True
    opt = torch.optim.Adam(net.parameters(), lr=pc.LR, betas=pc.BETAS, eps=pc.EPS, **kw)
    g = torch.Generator(device="cpu").manual_seed(7)
    xs = [(torch.rand(b, t, i, generator=g) * 2 - 1).to(device) for _ in range(8)]
    ys = [(torch.rand(b, h, generator=g) * 2 - 1).to(device) for _ in range(8)]
    if bi:
        ys = [torch.cat([y, y], dim=1) for y in ys]
    return net, opt, xs, ys


def graphed_step(torch, net, opt, xs, ys, cuda, warm_steps=3):
    """The train step over static tensors, captured in a CUDA graph when cuda (PyTorch's whole-network
    capture recipe: warm-up iterations on a side stream, then capture with grads set to None). Returns
    step(k) -> loss tensor: copies batch k into the static tensors and replays (or, without CUDA, runs the
    same static-tensor step eagerly)."""
    static_x, static_y = xs[0].clone(), ys[0].clone()
    mse = torch.nn.functional.mse_loss

    def body():
        out, _ = net(static_x)
        loss = mse(out[:, -1], static_y)
        loss.backward()
        opt.step()
        return loss

    if not cuda:
        def step(k):
            static_x.copy_(xs[k % len(xs)])
            static_y.copy_(ys[k % len(ys)])
            opt.zero_grad(set_to_none=True)
            return body()
        return step

    s = torch.cuda.Stream()
    s.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(s):
        for _ in range(warm_steps):
            opt.zero_grad(set_to_none=True)
            body()
    torch.cuda.current_stream().wait_stream(s)
    graph = torch.cuda.CUDAGraph()
    opt.zero_grad(set_to_none=True)
    with torch.cuda.graph(graph):
        static_loss = body()

    def step(k):
        static_x.copy_(xs[k % len(xs)])
        static_y.copy_(ys[k % len(ys)])
        graph.replay()
        return static_loss
    return step


def cuda_timer(torch):
    def timer(fn):
        e0, e1 = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        torch.cuda.synchronize()
        e0.record()
        fn()
        e1.record()
        e1.synchronize()
        return e0.elapsed_time(e1)
    return timer


def run(torch, cell, b, t, i, h, precision, device, warmup, iters, max_seconds, adam, mode, bi=False):
    """Sorted step times (ms) of one configuration, and its last loss."""
    cuda = device.startswith("cuda")
    graph = mode == "graph"
    net, opt, xs, ys = build(torch, cell, b, t, i, h, precision, device, adam, bi, capturable=graph and cuda)
    if graph:
        step = graphed_step(torch, net, opt, xs, ys, cuda)
    else:
        step = pc.make_step(torch, net, opt, torch.nn.functional.mse_loss, xs, ys)
    times, k = pc.time_steps(step, warmup, iters, max_seconds, cuda_timer(torch) if cuda else pc.host_timer,
                             min_warm_s=2.0 if cuda else 0.0)
    loss = step(k)
    loss = loss.item() if hasattr(loss, "item") else loss
    if loss != loss:
        raise RuntimeError("loss is NaN")
    return times, loss


def gemm_times(torch, cell, b, t, i, h, precision, device, iters):
    """torch.mm at the input projection X[T*B, I] W[I, G]: sorted ms, and (M, N, K)."""
    torch.backends.cuda.matmul.allow_tf32 = precision == "tf32"
    m, n, k = t * b, pc.GATES[cell] * h, i
    g = torch.Generator(device="cpu").manual_seed(3)
    a = (torch.rand(m, k, generator=g) * 2 - 1).to(device)
    w = (torch.rand(k, n, generator=g) * 2 - 1).to(device)
    c = torch.empty(m, n, device=device)
    for _ in range(10):
        torch.mm(a, w, out=c)
    cuda = device.startswith("cuda")
    timer = cuda_timer(torch) if cuda else pc.host_timer
    times = sorted(timer(lambda: torch.mm(a, w, out=c)) for _ in range(iters))
    return times, (m, n, k)


def dry_run_check(torch, device):
    """Eager and (uncaptured) graph-mode steps from the same initial weights give the same losses."""
    cell, b, t, i, h = "lstm", 3, 5, 4, 6
    losses = {}
    for mode in ("eager", "graph"):
        net, opt, xs, ys = build(torch, cell, b, t, i, h, "fp32", device, "foreach", False,
                                 capturable=mode == "graph" and device.startswith("cuda"))
        step = (graphed_step(torch, net, opt, xs, ys, device.startswith("cuda"), warm_steps=0) if mode == "graph"
                else pc.make_step(torch, net, opt, torch.nn.functional.mse_loss, xs, ys))
        losses[mode] = [float(step(k)) for k in range(6)]
    diff = max(abs(a - c) for a, c in zip(losses["eager"], losses["graph"]))
    ok = diff <= 1e-6 and losses["eager"][-1] < losses["eager"][0] * 1.5
    print(f"# dry-run check: eager losses {['%.6f' % v for v in losses['eager']]}, graph-mode step max diff {diff:.1e}"
          f" -> {'OK' if ok else 'MISMATCH'}", flush=True)
    return ok


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shapes", default="64x100x512x512,4x100x256x256,256x50x1024x1024")
    ap.add_argument("--precisions", default="fp32,tf32")
    ap.add_argument("--cells", "--cell", default="lstm", help="comma-separated: lstm, gru, simple_rnn")
    ap.add_argument("--modes", default="eager,graph", help="comma-separated: eager, graph")
    ap.add_argument("--warmup", type=int, default=10)
    ap.add_argument("--iters", type=int, default=50)
    ap.add_argument("--max-seconds", type=float, default=12.0)
    ap.add_argument("--device", default="cuda")
    ap.add_argument("--adam", default="fused,foreach",
                    help="comma-separated PyTorch Adam implementations: fused (CUDA only), foreach, loop")
    ap.add_argument("--gemm", action="store_true", help="also torch.mm at each shape's input projection")
    ap.add_argument("--bidirectional", action="store_true", help="bidirectional=True; cell column bi-<cell>")
    ap.add_argument("--dry-run", action="store_true",
                    help="tiny shapes, few steps, every mode: checks the code path (with --device cpu: no CUDA)")
    ap.add_argument("--out", default=None, help="CSV path; a .json with the same rows is written beside it")
    a = ap.parse_args()

    cells = pc.parse_list(a.cells, set(pc.GATES), "cell")
    modes = pc.parse_list(a.modes, {"eager", "graph"}, "mode")
    adams = pc.parse_list(a.adam, {"fused", "foreach", "loop"}, "adam")
    precs = pc.parse_list(a.precisions, {"fp32", "tf32"}, "precision")
    cuda = a.device.startswith("cuda")
    if not cuda and "fused" in adams:   # torch 1.13's fused Adam is CUDA only
        adams = [x for x in adams if x != "fused"] or ["foreach"]
    if a.dry_run:
        a.shapes, a.warmup, a.iters, a.max_seconds = "3x5x4x6,2x4x6", 2, 3, 0.5

    import torch
    if cuda and not torch.cuda.is_available():
        raise SystemExit("torch_lstm.py: CUDA is not available to PyTorch (use --device cpu [--dry-run] to try it on a CPU)")
    dev_name = torch.cuda.get_device_name(0) if cuda else pc.cpu_model()
    print(f"torch {torch.__version__}, cuDNN {torch.backends.cudnn.version()}, device {dev_name}, cells {cells}, "
          f"modes {modes}, Adam {adams}, warm-up >= {a.warmup} steps{' and 2 s' if cuda else ''}, then up to "
          f"{a.iters} steps or {a.max_seconds} s", flush=True)
    if not cuda:
        print(pc.blas_report(torch)[0], flush=True)
    ok = dry_run_check(torch, a.device) if a.dry_run else True
    print(pc.HEADER.replace(",", "\t"), flush=True)
    rows = []
    timer = "cuda-events" if cuda else "host"
    label = "bi-" if a.bidirectional else ""
    factor = 2 if a.bidirectional else 1
    for prec in precs:
        for cell in cells:
            for s in a.shapes.split(","):
                b, t, i, h = pc.parse_shape(s)
                for mode in modes:
                    for adam in adams:
                        try:
                            times, _ = run(torch, cell, b, t, i, h, prec, a.device, a.warmup, a.iters, a.max_seconds,
                                           adam, mode, a.bidirectional)
                        except Exception as e:  # one failing configuration must not lose the others
                            print(f"# {cell} {s} {prec} {mode} adam={adam} failed: {e!r}", flush=True)
                            ok = ok and not a.dry_run
                            continue
                        # cuDNN's RNN backward computes dx whatever requires_grad says; PyTorch's CPU path skips it
                        rows.append(pc.csv_row(label + cell, b, t, i, h, prec, times, factor, timer, dev_name,
                                               f"{mode}-adam-{adam}", input_grad=a.device.startswith("cuda")))
                        print(rows[-1].replace(",", "\t"), flush=True)
                if a.gemm:
                    try:
                        times, (m, n, k) = gemm_times(torch, cell, b, t, i, h, prec, a.device, max(a.iters, 5))
                    except Exception as e:
                        print(f"# {cell} {s} {prec} gemm failed: {e!r}", flush=True)
                        continue
                    med = pc.quantile(times, 0.5)
                    rows.append(f"torch,{label + cell},{b},{t},{i},{h},{prec},{med:.4f},{pc.quantile(times, 0.1):.4f},"
                                f"{pc.quantile(times, 0.9):.4f},{len(times)},{2.0 * m * n * k / (med * 1e6):.1f},0.0,"
                                f"{timer},{dev_name.replace(',', ' ')},gemm-{m}x{n}x{k}")
                    print(rows[-1].replace(",", "\t"), flush=True)
    if a.out:
        pc.write_csv(a.out, rows)
    if a.dry_run:
        print(f"dry run: {'OK' if ok else 'FAILED'} ({len(rows)} rows)", flush=True)
        return 0 if ok else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
