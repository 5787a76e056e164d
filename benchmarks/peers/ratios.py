#!/usr/bin/env python3
"""Joins GpuBench's and the PyTorch peer's CSVs on (cell, shape, precision) and prints a Markdown table
with jrnn / PyTorch time ratios (< 1: jrnn is faster): one line per jrnn mode, against the fastest PyTorch
eager row and the fastest PyTorch CUDA-graph row of that configuration (their modes, e.g. the Adam
implementation, are named). Rows whose mode starts with "gemm-" are the GEMM alone (jrnn's cuBLAS call
and torch.mm at the input projection): a second table gives each train step's GFLOP/s as a share of them.
Works for CPU CSVs too (torch_cpu.py's "threads=N" rows count as eager).

    python3 benchmarks/peers/ratios.py jrnn_gpu.csv torch_gpu.csv
"""
import csv
import sys


def key(r):
    return (r["cell"], r["batch"], r["steps"], r["in"], r["units"], r["precision"])


def load(path):
    """Rows of a CSV grouped by (cell, shape, precision); several per key when there are modes."""
    out = {}
    try:
        with open(path) as f:
            for r in csv.DictReader(f):
                out.setdefault(key(r), []).append(r)
    except OSError as e:
        print(f"# cannot read {path}: {e}")
    return out


def is_gemm(r):
    return r.get("mode", "").startswith("gemm")


def fastest(rows, graph):
    rs = [r for r in rows or [] if not is_gemm(r) and r.get("mode", "eager").startswith("graph") == graph]
    return min(rs, key=lambda r: float(r["median_ms"])) if rs else None


def ms(r):
    return f"{r['median_ms']} ({r.get('mode', 'eager')})" if r else "n/a"


def ratio(a, b):
    return f"{float(a['median_ms']) / float(b['median_ms']):.3f}" if a and b else "n/a"


def order(k):
    return (k[5], k[0], int(k[1]) * int(k[4]), k[1])


def main():
    if len(sys.argv) != 3:
        raise SystemExit("usage: ratios.py jrnn.csv torch.csv")
    j, t = load(sys.argv[1]), load(sys.argv[2])
    dev = next((rs[0]["device"] for rs in list(j.values()) + list(t.values())), "?")
    print(f"device: {dev}")
    print("| cell | B,T,I,H | precision | jrnn mode | jrnn ms (median) | PyTorch eager ms | PyTorch graph ms"
          " | jrnn GFLOP/s | jrnn / PyTorch eager | jrnn / PyTorch graph |")
    print("|---|---|---|---|---:|---:|---:|---:|---:|---:|")
    for k in sorted(set(j) | set(t), key=order):
        e, g = fastest(t.get(k), False), fastest(t.get(k), True)
        for a in [r for r in j.get(k, []) if not is_gemm(r)] or [None]:
            print(f"| {k[0]} | {k[1]},{k[2]},{k[3]},{k[4]} | {k[5]} | {a.get('mode', 'sync') if a else 'n/a'} | "
                  f"{a['median_ms'] if a else 'n/a'} | {ms(e)} | {ms(g)} | {a['gflops'] if a else 'n/a'} | "
                  f"{ratio(a, e)} | {ratio(a, g)} |")
    gemm_share(j, t)


def gemm_share(j, t):
    """Each train step's GFLOP/s as a share of the GEMM alone at the same shape (jrnn's and torch's)."""
    lines = []
    for k in sorted(set(j) | set(t), key=order):
        for impl, rows in (("jrnn", j.get(k, [])), ("torch", t.get(k, []))):
            gemms = {r["impl"] if "impl" in r else impl: r for r in (j.get(k, []) + t.get(k, [])) if is_gemm(r)}
            for r in rows:
                if is_gemm(r) or not gemms:
                    continue
                shares = "; ".join(f"{n} {g['mode'][5:]} {g['gflops']} GFLOP/s: {float(r['gflops']) / float(g['gflops']):.2f}"
                                   for n, g in sorted(gemms.items()))
                lines.append(f"| {k[0]} | {k[1]},{k[2]},{k[3]},{k[4]} | {k[5]} | {impl} {r.get('mode', '')} | "
                             f"{r['gflops']} | {shares} |")
    if lines:
        print()
        print("| cell | B,T,I,H | precision | train step | step GFLOP/s | step / GEMM alone (whose GEMM, MxNxK) |")
        print("|---|---|---|---|---:|---|")
        print("\n".join(lines))


if __name__ == "__main__":
    main()
