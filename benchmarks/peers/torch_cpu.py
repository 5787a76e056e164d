#!/usr/bin/env python3
"""PyTorch CPU peer of jrnn's CPU train step (benchmarks/run.sh runs it beside the JMH RnnBench).

For each fixture file that jrnn's PeerFixture wrote (cell, shape, jrnn's initial Keras-layout weights, the
benchmark's input batches, jrnn's gradients and losses): builds nn.LSTM / nn.GRU / nn.RNN, loads jrnn's weights,
and checks the same work: trainable parameter count equal to jrnn's, MSE of the first train step (same weights,
same batch) within 1e-5 relative of jrnn's, the gradient of that loss within 1e-5 of jrnn's for each weight
(kernel, recurrent kernel, bias: relative L2 distance, so a gradient off by a constant factor c is |c - 1| away,
a missing one 1, at any shape), the gradient of that loss with respect to the input step by step (the steps it
reaches, a slice above a floor of 1e-20 of the largest, must be the same on both sides, which is the BPTT length: a
truncation whose dropped part has vanished below the weights' tolerance still leaves the earlier steps' input gradient
zero on one side; and each step both reach within 1e-3), and the MSE after that one Adam update within 1e-5. The gradients are the check
of BPTT: the losses alone miss a x2 / x0.5 / x10 gradient at small shapes, since Adam's first step is about
lr * sign(g) (check_sensitivity.py shows both). PyTorch
adds eps to sqrt(v / (1 - beta2^t)), Keras (and jrnn) to sqrt(v); for the checked update the peer's eps is
Keras' eps / sqrt(1 - beta2), which makes the two updates the same formula (left at 1e-7, the first update
already differs by ~1e-3 relative in the loss at B=32, T=50: many gradients are ~1e-6). Then it
times the train step (forward, MSE on the last output, BPTT, Adam lr 1e-3 eps 1e-7, loss.item()) at each
thread count (torch.set_num_threads) and writes one CSV row per count, GpuBench's columns, mode
"threads=N"; the jrnn table compares with the fastest.

It refuses to run on the reference (netlib) BLAS, which Debian's python3-torch silently uses without an
OpenBLAS package: `apt-get install python3-torch libopenblas0-openmp`, and run it with /usr/bin/python3
(Debian's torch is not in other Pythons). --allow-reference-blas runs anyway and says so in every row.

    /usr/bin/python3 benchmarks/peers/torch_cpu.py --fixtures benchmarks/target/peer-fixtures \\
        --out benchmarks/results/latest/torch_cpu.csv [--threads 1,2] [--iters 20] [--max-seconds 3] [--quick] [--check-only]

On a big machine (e.g. the GPU machine's 16 cores, PyTorch 2.11 with MKL/oneDNN): --threads 4,8,16.
"""
import argparse
import glob
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peer_common as pc  # noqa: E402

STEP1_TOL, GRAD_TOL, STEP2_TOL = 1e-5, 1e-5, 1e-5
# The input gradient step by step, relative L2 per step where both sides reach it: float32 noise stays far below
# (benchmarks/NOTES.md); a step reached on one side only fails as the BPTT length.
XGRAD_TOL = 1e-3
# A full-BPTT input gradient shrinks step by step going back; at T of ~250 and more a correct float32 one falls into
# the denormals and underflows to exactly 0, at a step that differs between two correct implementations. So a step
# counts as reached only where its slice's L2 norm is above a floor far above the denormals (float32's smallest
# normal is 1.2e-38) and relative to the largest slice: 1e-20 of it, at least 1e-30. Below that both sides are
# compared with nothing; a truncation still shows, as its dropped steps are exactly 0 on one side and, just before
# the cut, ~the size of the kept ones on the other.
XGRAD_FLOOR_REL, XGRAD_FLOOR_ABS = 1e-20, 1e-30
GRADS = ("grad_kernel", "grad_recurrent_kernel", "grad_bias")


def step_norms(g):
    """The L2 norm of each step's slice of an input gradient [B, T, I] (float64), a length-T array."""
    import numpy as np
    g = np.asarray(g, dtype=np.float64)
    return np.sqrt(np.sum(np.square(g.reshape(g.shape[0], g.shape[1], -1)), axis=(0, 2)))


def xgrad_floor(jx):
    """The slice norm at or below which a step of the input gradient counts as not reached (see XGRAD_FLOOR_REL)."""
    return max(XGRAD_FLOOR_ABS, XGRAD_FLOOR_REL * float(step_norms(jx).max(initial=0.0)))


def bptt_reach(gx, floor=0.0):
    """How many of the last steps the input gradient [B, T, I] reaches: T minus the first step whose slice's norm is
    above floor (0: the first non-zero slice)."""
    import numpy as np
    nz = np.flatnonzero(step_norms(gx) > floor)
    return gx.shape[1] - int(nz[0]) if nz.size else 0


def input_gradient_check(gx, jx):
    """(reach torch, reach jrnn, worst per-step relative L2, the steps beyond XGRAD_TOL, the steps reached on one side
    only) of torch's input gradient gx against jrnn's jx, both [B, T, I]. A step is reached where its slice's norm is
    above xgrad_floor(jx); a truncation (BPTT length) on either side shows as steps reached on one side only. The
    relative L2 is taken where both sides reach the step."""
    floor = xgrad_floor(jx)
    gn, jn = step_norms(gx), step_norms(jx)
    one_side = [s for s in range(jx.shape[1]) if (gn[s] > floor) != (jn[s] > floor)]
    per_step = {s: pc.relative_l2(gx[:, s], jx[:, s]) for s in range(jx.shape[1]) if gn[s] > floor and jn[s] > floor}
    off = [s for s, r in per_step.items() if not r <= XGRAD_TOL]
    return bptt_reach(gx, floor), bptt_reach(jx, floor), max(per_step.values(), default=float("nan")), off, one_side


def peer_for(torch, path):
    """(fixture tensors, metadata, net holding jrnn's initial weights, Adam set for the checked Keras update, xs, ys)."""
    w, meta = pc.read_safetensors(path)
    cell = meta["cell"]
    b, t, i, h = pc.parse_shape(meta["shape"])
    torch.manual_seed(0)
    net = pc.make_net(torch, cell, i, h)
    pc.load_keras_weights(torch, net, cell, w["kernel"], w["recurrent_kernel"], w["bias"])
    # Step 1 with Keras' update (see the module doc); check_and_time then sets PyTorch's own eps for the timed steps.
    opt = torch.optim.Adam([p for p in net.parameters() if p.requires_grad], lr=pc.LR, betas=pc.BETAS,
                           eps=pc.EPS / (1 - pc.BETAS[1]) ** 0.5)
    nb = int(meta.get("batches", "1"))
    xs = [torch.from_numpy(w[f"x{k}"]) for k in range(nb)]
    ys = [torch.from_numpy(w[f"y{k}"]) for k in range(nb)]
    return w, meta, net, opt, xs, ys


def equal_work(torch, w, meta, net, step, xs, ys):
    """Runs step(0) (zero grads, forward, backward, Adam; the gradients stay in p.grad) on the net holding jrnn's
    initial weights and compares with the fixture: parameter count, step-1 MSE, the gradient of each weight, the MSE
    after the update. Returns (report line, list of failed checks; empty when it is the same work)."""
    mse = torch.nn.functional.mse_loss
    cell = meta["cell"]
    params, jparams = pc.trainable(net), int(meta["params"])
    xs[0].requires_grad_(True)   # the checked step's input gradient too (the timed steps compute none)
    try:
        l1 = step(0)
        gx = None if xs[0].grad is None else xs[0].grad.detach().double().numpy()
    finally:
        xs[0].requires_grad_(False)
        xs[0].grad = None
    grads = pc.keras_grads(net, cell)
    with torch.no_grad():
        l2 = mse(net(xs[0])[0][:, -1], ys[0]).item()
    j1, j2 = float(meta["loss_step1"]), float(meta["loss_step2"])
    r1, r2 = abs(l1 - j1) / max(abs(j1), 1e-30), abs(l2 - j2) / max(abs(j2), 1e-30)
    missing = [k for k in GRADS + ("grad_x",) if k not in w]
    rg = {k: pc.relative_l2(grads[k], w[k]) for k in GRADS if k in w}
    if gx is None:
        import numpy as np
        gx = np.zeros(xs[0].shape)
    reach, jreach, worst_x, off, one_side = (input_gradient_check(gx, w["grad_x"]) if "grad_x" in w
                                             else (0, 0, float("nan"), [], []))
    line = (f"equal work {cell} {meta['shape']}: params jrnn={jparams} torch={params}; step-1 MSE jrnn={j1:.8g} "
            f"torch={l1:.8g} (rel {r1:.1e}); gradients vs jrnn's (relative L2) kernel {rg.get(GRADS[0], float('nan')):.1e}"
            f" recurrent {rg.get(GRADS[1], float('nan')):.1e} bias {rg.get(GRADS[2], float('nan')):.1e}; input gradient "
            f"reaches back jrnn={jreach} torch={reach} of {xs[0].shape[1]} steps (worst step rel {worst_x:.1e}); after one Adam "
            f"update jrnn={j2:.8g} torch={l2:.8g} (rel {r2:.1e})")
    failed = []
    if params != jparams:
        failed.append("parameter count")
    if not r1 <= STEP1_TOL:
        failed.append(f"step-1 MSE (> {STEP1_TOL:g})")
    if missing:
        failed.append("the fixture has no " + ", ".join(missing) + " (rerun dev.jrnn.bench.PeerFixture)")
    failed += [f"{k} (> {GRAD_TOL:g})" for k, r in rg.items() if not r <= GRAD_TOL]
    if reach != jreach or one_side:
        failed.append(f"BPTT length: the input gradient reaches back {jreach} steps in jrnn, {reach} in torch"
                      + (f" (jrnn's tbptt={meta['tbptt']})" if meta.get("tbptt", "0") != "0" else "")
                      + ("" if reach != jreach else f"; {len(one_side)} step(s) from step {one_side[0]} on one side only"))
    elif off:
        failed.append(f"grad_x at {len(off)} step(s) from step {off[0]} (> {XGRAD_TOL:g})")
    if not r2 <= STEP2_TOL:
        failed.append(f"MSE after one Adam update (> {STEP2_TOL:g})")
    return line, failed


def check_and_time(torch, path, threads, warmup, iters, max_seconds, device_name, blas_note):
    """Equal-work check of one fixture, then one timed row per thread count. Raises on a mismatch."""
    w, meta, net, opt, xs, ys = peer_for(torch, path)
    cell = meta["cell"]
    b, t, i, h = pc.parse_shape(meta["shape"])
    step = pc.make_step(torch, net, opt, torch.nn.functional.mse_loss, xs, ys)
    line, failed = equal_work(torch, w, meta, net, step, xs, ys)
    print("# " + line, flush=True)
    if failed:
        raise RuntimeError(f"not the same work ({'; '.join(failed)}): {line}")
    for g in opt.param_groups:
        g["eps"] = pc.EPS

    rows = []
    k = 1
    for n in threads:
        torch.set_num_threads(n)
        times, k = pc.time_steps(step, warmup, iters, max_seconds, pc.host_timer, min_warm_s=1.0, k0=k)
        mode = f"threads={n}" + blas_note
        rows.append(pc.csv_row(cell, b, t, i, h, "fp32", times, 1, "host", device_name, mode))
        print(rows[-1].replace(",", "\t"), flush=True)
    return rows, line


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fixtures", required=True, help="directory of PeerFixture's *.safetensors files")
    ap.add_argument("--cells", default="lstm,gru,simple_rnn")
    ap.add_argument("--threads", default="1,2", help="comma-separated thread counts; 'all' = this machine's cores")
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--iters", type=int, default=20)
    ap.add_argument("--max-seconds", type=float, default=3.0)
    ap.add_argument("--quick", action="store_true", help="warm-up 1 step, 5 timed steps: a smoke run")
    ap.add_argument("--allow-reference-blas", action="store_true")
    ap.add_argument("--check-only", action="store_true", help="the equal-work checks alone: no timing, no CSV")
    ap.add_argument("--out", default=None, help="CSV path; a .json with the same rows is written beside it")
    a = ap.parse_args()
    cells = pc.parse_list(a.cells, set(pc.GATES), "cell")
    cores = os.cpu_count() or 1
    threads = sorted({cores if x.strip() == "all" else int(x) for x in a.threads.split(",") if x.strip()})
    if not threads or min(threads) < 1:
        raise SystemExit(f"torch_cpu.py: --threads '{a.threads}': expected positive counts or 'all'")
    if a.quick:
        a.warmup, a.iters, a.max_seconds = 1, 5, 0.5

    import torch
    blas, reference = pc.blas_report(torch)
    print(f"torch {torch.__version__} (CPU), {pc.cpu_model()}, {cores} cores; threads {threads}", flush=True)
    print(blas, flush=True)
    if reference:
        msg = ("!!! torch runs on the REFERENCE BLAS (netlib), ~15x slower than OpenBLAS: "
               "apt-get install libopenblas0-openmp (or run with --allow-reference-blas)")
        print(msg, file=sys.stderr, flush=True)
        if not a.allow_reference_blas:
            return 3
    files = sorted(glob.glob(os.path.join(a.fixtures, "*.safetensors")))
    files = [f for f in files if os.path.basename(f).split("-")[0] in cells]
    if not files:
        raise SystemExit(f"torch_cpu.py: no fixtures for {cells} in {a.fixtures} (run dev.jrnn.bench.PeerFixture)")
    print(pc.HEADER.replace(",", "\t"), flush=True)
    rows, failed = [], []
    for f in files:
        try:
            r, _ = check_and_time(torch, f, [] if a.check_only else threads, a.warmup, a.iters, a.max_seconds, pc.cpu_model(),
                                  "+reference-blas" if reference else "")
            rows += r
        except Exception as e:  # one failing configuration must not lose the others
            print(f"# {os.path.basename(f)} FAILED: {e}", flush=True)
            failed.append(os.path.basename(f))
    if a.out and not a.check_only:
        pc.write_csv(a.out, rows)
    if failed:
        print(f"torch_cpu.py: {len(failed)} configuration(s) failed: {', '.join(failed)}", file=sys.stderr)
        return 4
    return 0


if __name__ == "__main__":
    sys.exit(main())
