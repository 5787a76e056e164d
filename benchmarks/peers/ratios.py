#!/usr/bin/env python3
"""Joins GpuBench's and torch_lstm.py's CSVs on (cell, shape, precision) and prints a Markdown table
with the jrnn / PyTorch time ratio (< 1: jrnn is faster).

    python3 benchmarks/peers/ratios.py jrnn_gpu.csv torch_gpu.csv
"""
import csv
import sys


def load(path):
    try:
        with open(path) as f:
            return {(r["cell"], r["batch"], r["steps"], r["in"], r["units"], r["precision"]): r
                    for r in csv.DictReader(f)}
    except OSError as e:
        print(f"# cannot read {path}: {e}")
        return {}


def main():
    if len(sys.argv) != 3:
        raise SystemExit("usage: ratios.py jrnn.csv torch.csv")
    j, t = load(sys.argv[1]), load(sys.argv[2])
    dev = next((r["device"] for r in list(j.values()) + list(t.values())), "?")
    print(f"device: {dev}")
    print("| cell | B,T,I,H | precision | jrnn ms (median) | PyTorch cuDNN ms (median) | jrnn GFLOP/s"
          " | PyTorch GFLOP/s | jrnn / PyTorch time |")
    print("|---|---|---|---:|---:|---:|---:|---:|")
    for key in sorted(set(j) | set(t), key=lambda k: (k[5], k[0], int(k[1]) * int(k[4]))):
        a, b = j.get(key), t.get(key)
        ratio = f"{float(a['median_ms']) / float(b['median_ms']):.3f}" if a and b else "n/a"
        print(f"| {key[0]} | {key[1]},{key[2]},{key[3]},{key[4]} | {key[5]} | "
              f"{a['median_ms'] if a else 'n/a'} | {b['median_ms'] if b else 'n/a'} | "
              f"{a['gflops'] if a else 'n/a'} | {b['gflops'] if b else 'n/a'} | {ratio} |")


if __name__ == "__main__":
    main()
