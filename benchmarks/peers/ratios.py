#!/usr/bin/env python3
"""Joins GpuBench's and torch_lstm.py's CSVs on (cell, shape, precision) and prints a Markdown table
with the jrnn / PyTorch time ratio (< 1: jrnn is faster): one line per jrnn mode, against the
fastest PyTorch row of that configuration (its mode, e.g. the Adam implementation, is named).

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


def main():
    if len(sys.argv) != 3:
        raise SystemExit("usage: ratios.py jrnn.csv torch.csv")
    j, t = load(sys.argv[1]), load(sys.argv[2])
    dev = next((rs[0]["device"] for rs in list(j.values()) + list(t.values())), "?")
    print(f"device: {dev}")
    print("| cell | B,T,I,H | precision | jrnn mode | jrnn ms (median) | PyTorch mode | PyTorch cuDNN ms (median)"
          " | jrnn GFLOP/s | PyTorch GFLOP/s | jrnn / PyTorch time |")
    print("|---|---|---|---|---:|---|---:|---:|---:|---:|")
    for k in sorted(set(j) | set(t), key=lambda k: (k[5], k[0], int(k[1]) * int(k[4]))):
        b = min(t.get(k) or [None], key=lambda r: float(r["median_ms"]) if r else 0.0)
        for a in [r for r in j.get(k, []) if not r.get("mode", "").startswith("gemm")] or [None]:
            ratio = f"{float(a['median_ms']) / float(b['median_ms']):.3f}" if a and b else "n/a"
            print(f"| {k[0]} | {k[1]},{k[2]},{k[3]},{k[4]} | {k[5]} | {a.get('mode', 'sync') if a else 'n/a'} | "
                  f"{a['median_ms'] if a else 'n/a'} | {b.get('mode', 'eager') if b else 'n/a'} | "
                  f"{b['median_ms'] if b else 'n/a'} | "
                  f"{a['gflops'] if a else 'n/a'} | {b['gflops'] if b else 'n/a'} | {ratio} |")
    gemm_share(j)


def gemm_share(j):
    """jrnn's step GFLOP/s as a share of the GEMM-alone GFLOP/s GpuBench measured at the same shape."""
    lines = []
    for k in sorted(j, key=lambda k: (k[5], k[0], int(k[1]) * int(k[4]))):
        gemm = [r for r in j[k] if r.get("mode", "").startswith("gemm")]
        if not gemm:
            continue
        g = gemm[0]
        for r in j[k]:
            if r is g or r.get("mode", "").startswith("gemm"):
                continue
            lines.append(f"| {k[0]} | {k[1]},{k[2]},{k[3]},{k[4]} | {k[5]} | {r.get('mode')} | {r['gflops']} | "
                         f"{g['mode'][5:]} | {g['gflops']} | {float(r['gflops']) / float(g['gflops']):.2f} |")
    if lines:
        print()
        print("| cell | B,T,I,H | precision | jrnn mode | step GFLOP/s | GEMM alone MxNxK | GEMM GFLOP/s | step / GEMM |")
        print("|---|---|---|---|---:|---|---:|---:|")
        print("\n".join(lines))


if __name__ == "__main__":
    main()
