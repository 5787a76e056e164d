"""What the PyTorch peers (torch_lstm.py on the GPU, torch_cpu.py on the CPU) share: the CSV columns of
jrnn's GpuBench, shapes and the FLOP model, the train step, its timing loop, jrnn's Keras-layout weights
mapped into torch's recurrent modules, the reader of jrnn's fixture files, and which BLAS torch runs on.
"""
import json
import os
import struct
import time

HEADER = ("impl,cell,batch,steps,in,units,precision,median_ms,p10_ms,p90_ms,iters,gflops,"
          "samples_per_s,timer,device,mode")
GATES = {"lstm": 4, "gru": 3, "simple_rnn": 1}
# Keras' Adam defaults, as jrnn's JrnnTrainer.
LR, BETAS, EPS = 1e-3, (0.9, 0.999), 1e-7


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


def parse_list(s, allowed, what):
    vals = [x.strip().lower() for x in s.split(",") if x.strip()]
    for v in vals:
        if v not in allowed:
            raise SystemExit(f"{what} '{v}': expected one of {', '.join(sorted(allowed))}")
    return vals


def train_flops(cell, b, t, i, h, input_grad=False):
    """Matrix products only, as jrnn's Shapes.trainFlops: forward 2*T*B*G*(I+H), the train step 3x forward less the
    input's gradient 2*T*B*G*I (the input has no requires_grad) unless input_grad (cuDNN's RNN backward computes dx
    whatever requires_grad says)."""
    return 3 * 2.0 * t * b * GATES[cell] * h * (i + h) - (0 if input_grad else 2.0 * t * b * GATES[cell] * h * i)


def make_net(torch, cell, i, h, bi=False):
    cls = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "simple_rnn": torch.nn.RNN}[cell]
    return cls(i, h, batch_first=True, bidirectional=bi)


def trainable(net):
    return sum(p.numel() for p in net.parameters() if p.requires_grad)


def keras_blocks(cell):
    """torch's gate blocks as indices of Keras' blocks: LSTM i,f,c,o = i,f,g,o; GRU Keras z,r,h -> torch r,z,n."""
    return {"lstm": [0, 1, 2, 3], "gru": [1, 0, 2], "simple_rnn": [0]}[cell]


def load_keras_weights(torch, net, cell, kernel, recurrent_kernel, bias):
    """Sets a one-layer torch RNN to Keras-layout weights (numpy: kernel [I, G], recurrent_kernel [H, G],
    bias [G], GRU [2, G]). LSTM and SimpleRNN have one Keras bias: torch's second one (bias_hh) is set to
    zero and frozen, so both train the same parameters (4H(I+H+1), H(I+H+1)); GRU (reset_after) has both."""
    import numpy as np
    h = recurrent_kernel.shape[0]
    perm = np.concatenate([np.arange(k * h, (k + 1) * h) for k in keras_blocks(cell)])
    bias = bias.reshape(-1, kernel.shape[1])
    with torch.no_grad():
        net.weight_ih_l0.copy_(torch.from_numpy(np.ascontiguousarray(kernel[:, perm].T)))
        net.weight_hh_l0.copy_(torch.from_numpy(np.ascontiguousarray(recurrent_kernel[:, perm].T)))
        net.bias_ih_l0.copy_(torch.from_numpy(np.ascontiguousarray(bias[0, perm])))
        if bias.shape[0] == 2:
            net.bias_hh_l0.copy_(torch.from_numpy(np.ascontiguousarray(bias[1, perm])))
        else:
            net.bias_hh_l0.zero_()
            net.bias_hh_l0.requires_grad_(False)


def keras_grads(net, cell):
    """The gradients torch holds (p.grad after backward) in jrnn's Keras layout, the inverse of load_keras_weights:
    {"grad_kernel": [I, G], "grad_recurrent_kernel": [H, G], "grad_bias": [G] (GRU [2, G])}, float64 numpy."""
    import numpy as np

    def g(p):
        return np.zeros(tuple(p.shape)) if p.grad is None else p.grad.detach().double().numpy()
    h = net.weight_hh_l0.shape[1]
    perm = np.concatenate([np.arange(k * h, (k + 1) * h) for k in keras_blocks(cell)])
    gih, ghh = g(net.weight_ih_l0), g(net.weight_hh_l0)
    kernel = np.empty((gih.shape[1], gih.shape[0]))
    kernel[:, perm] = gih.T
    recurrent = np.empty((ghh.shape[1], ghh.shape[0]))
    recurrent[:, perm] = ghh.T
    biases = [g(net.bias_ih_l0)] + ([g(net.bias_hh_l0)] if cell == "gru" else [])
    bias = np.empty((len(biases), kernel.shape[1]))
    for r, b in enumerate(biases):
        bias[r, perm] = b
    return {"grad_kernel": kernel, "grad_recurrent_kernel": recurrent,
            "grad_bias": bias if cell == "gru" else bias[0]}


def relative_l2(a, ref):
    """|a - ref| / |ref| (L2 over all elements): a constant factor c on a gradient gives |c - 1|, a missing one 1."""
    import numpy as np
    a, ref = np.asarray(a, dtype=np.float64).ravel(), np.asarray(ref, dtype=np.float64).ravel()
    n = np.linalg.norm(ref)
    return float(np.linalg.norm(a - ref) / n) if n > 0 else (0.0 if not np.any(a) else float("inf"))


def read_safetensors(path):
    """(tensors as float32 numpy arrays, metadata) of a safetensors file (the format's spec: 8-byte
    little-endian header length, JSON header, data); F32 only, which is what jrnn writes."""
    import numpy as np
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n].decode("utf-8"))
    meta = header.pop("__metadata__", {})
    base = 8 + n
    out = {}
    for name, d in header.items():
        if d["dtype"] != "F32":
            raise ValueError(f"{path}: {name} has dtype {d['dtype']}, expected F32")
        b, e = d["data_offsets"]
        out[name] = np.frombuffer(raw[base + b:base + e], dtype="<f4").reshape(d["shape"]).astype(np.float32)
    return out, meta


def make_step(torch, net, opt, loss_fn, xs, ys, read_loss=True):
    """The train step on batch k: zero grads, forward, MSE of the last output, BPTT, Adam; returns the loss
    (a float when read_loss, else the device tensor)."""
    def step(k):
        opt.zero_grad(set_to_none=True)
        out, _ = net(xs[k % len(xs)])
        loss = loss_fn(out[:, -1], ys[k % len(ys)])
        loss.backward()
        opt.step()
        return loss.item() if read_loss else loss
    return step


def time_steps(step, warmup, iters, max_seconds, timer, min_warm_s=2.0, k0=0):
    """Warm-up (>= warmup steps and min_warm_s), then up to iters steps, each timed alone by
    timer(fn) -> ms, for at least 5 steps and at most max_seconds; returns (sorted ms, next k)."""
    k = k0
    start = time.perf_counter()
    while k - k0 < warmup or (time.perf_counter() - start < min_warm_s and k - k0 < 30 * max(warmup, 10)):
        step(k)
        k += 1
    times = []
    m_start = time.perf_counter()
    while len(times) < iters and (len(times) < 5 or time.perf_counter() - m_start < max_seconds):
        kk = k
        times.append(timer(lambda: step(kk)))
        k += 1
    times.sort()
    return times, k


def host_timer(fn):
    t0 = time.perf_counter()
    fn()
    return (time.perf_counter() - t0) * 1e3


def csv_row(cell, b, t, i, h, prec, times, gflop_factor, timer, device, mode, input_grad=False):
    med = quantile(times, 0.5)
    gflops = gflop_factor * train_flops(cell.replace("bi-", ""), b, t, i, h, input_grad) / (med * 1e6)
    return (f"torch,{cell},{b},{t},{i},{h},{prec},{med:.4f},{quantile(times, 0.1):.4f},{quantile(times, 0.9):.4f},"
            f"{len(times)},{gflops:.1f},{b / (med / 1e3):.1f},{timer},{device.replace(',', ' ')},{mode}")


def write_csv(path, rows):
    """The rows as CSV (HEADER first) and as JSON beside it."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w") as f:
        f.write(HEADER + "\n" + "".join(r + "\n" for r in rows))
    cols = HEADER.split(",")
    recs = []
    for r in rows:
        v = r.split(",")
        recs.append({c: (int(x) if 2 <= k <= 5 or k == 10 else float(x) if 7 <= k <= 12 else x)
                     for k, (c, x) in enumerate(zip(cols, v))})
    with open(os.path.splitext(path)[0] + ".json", "w") as f:
        json.dump(recs, f, indent=1)
    print(f"written: {path}", flush=True)


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "cpu"


def blas_report(torch):
    """(one line naming the BLAS torch's CPU matrix products run on, True if it is the reference BLAS).
    Debian's torch calls whatever libblas.so.3 the alternatives system points at: OpenBLAS when
    libopenblas0-* is installed, else netlib's reference BLAS (about 15x slower). PyTorch's own wheels
    link MKL in (no separate library in the process map)."""
    a = torch.rand(64, 64)
    (a @ a).sum().item()   # make sure the BLAS is loaded and used
    libs = set()
    try:
        with open("/proc/self/maps") as f:
            for line in f:
                p = line.split()[-1] if len(line.split()) >= 6 else ""
                base = os.path.basename(p)
                if any(k in base for k in ("blas", "mkl", "dnnl", "lapack", "blis")):
                    libs.add(os.path.realpath(p))
    except OSError:
        pass
    cfg = torch.__config__.show()
    blas_info = next((x.split("=", 1)[1] for x in cfg.replace(",", "\n").split("\n") if "BLAS_INFO" in x), "?").strip()
    mkl = torch.backends.mkl.is_available()
    mkldnn = torch.backends.mkldnn.is_available()
    names = sorted(libs)
    openblas = [p for p in names if "openblas" in p]
    reference = [p for p in names if os.path.basename(p).startswith("libblas.so") and "openblas" not in p
                 and "mkl" not in p and "blis" not in p]
    if openblas:
        which = "OpenBLAS (" + ", ".join(sorted({os.path.basename(p) for p in openblas})) + ")"
    elif mkl or any("mkl" in p for p in names):
        which = "MKL"
    elif reference:
        which = "REFERENCE BLAS (netlib)"
    else:
        which = "unknown"
    line = (f"BLAS: {which}; torch BLAS_INFO={blas_info}, MKL available={mkl}, oneDNN (mkldnn) available={mkldnn}; "
            f"loaded: {', '.join(names) or 'none seen in /proc/self/maps'}")
    return line, bool(reference) and not openblas and not mkl
