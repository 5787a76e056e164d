"""Reference values for the Keras-tutorial ports (dev.jrnn.examples.*TutorialTest), in float64 torch 1.13.

Each tutorial is replayed as Keras 3 runs it, written out by hand: Keras' LSTM gates (i, f, c, o), masking that keeps
the states at masked steps, Bidirectional's reversed backward sequence, Keras' Adam and RMSprop update rules, the
losses' sum_over_batch_size reduction, class weights as sample weights, and the epoch's loss as the batch-size-weighted
mean of the batches' losses before their updates (Keras' loss tracker). The data are written by the same integer
formulas the Java tests use (a checksum in each archive checks they agree). Run: /usr/bin/python3 make_reference.py
"""
import os
import numpy as np
import torch

torch.set_default_dtype(torch.float64)
HERE = os.path.dirname(os.path.abspath(__file__))


def save(name, **arrays):
    # every array gets a leading axis of 1: the test reads the archive as one sample of a Dataset
    np.savez(os.path.join(HERE, name + ".npz"), **{k: np.asarray(v, np.float32)[None] for k, v in arrays.items()})


def lstm(x, K, R, b, h, c, mask=None):
    """Keras LSTM over x (B, T, I); mask (B, T) keeps h and c at masked steps and repeats the previous output."""
    H = R.shape[0]
    outs = []
    prev_out = torch.zeros_like(h)
    for t in range(x.shape[1]):
        z = x[:, t] @ K + h @ R + b
        i, f, g, o = torch.sigmoid(z[:, :H]), torch.sigmoid(z[:, H:2 * H]), torch.tanh(z[:, 2 * H:3 * H]), torch.sigmoid(z[:, 3 * H:])
        c2 = f * c + i * g
        h2 = o * torch.tanh(c2)
        if mask is not None:
            m = mask[:, t:t + 1]
            c2 = m * c2 + (1 - m) * c
            h2 = m * h2 + (1 - m) * h
            out = m * h2 + (1 - m) * prev_out
        else:
            out = h2
        h, c, prev_out = h2, c2, out
        outs.append(out)
    return torch.stack(outs, 1), h, c


class Adam:
    def __init__(self, params, lr, b1=0.9, b2=0.999, eps=1e-7):
        self.p, self.lr, self.b1, self.b2, self.eps, self.t = params, lr, b1, b2, eps, 0
        self.m = [torch.zeros_like(p) for p in params]
        self.v = [torch.zeros_like(p) for p in params]

    def step(self):
        self.t += 1
        alpha = self.lr * np.sqrt(1 - self.b2 ** self.t) / (1 - self.b1 ** self.t)
        with torch.no_grad():
            for p, m, v in zip(self.p, self.m, self.v):
                g = p.grad
                m += (g - m) * (1 - self.b1)
                v += (g * g - v) * (1 - self.b2)
                p -= m * alpha / (torch.sqrt(v) + self.eps)
                p.grad = None


class RMSprop:
    def __init__(self, params, lr=0.001, rho=0.9, eps=1e-7):
        self.p, self.lr, self.rho, self.eps = params, lr, rho, eps
        self.v = [torch.zeros_like(p) for p in params]

    def step(self):
        with torch.no_grad():
            for p, v in zip(self.p, self.v):
                g = p.grad
                v.copy_(self.rho * v + (1 - self.rho) * g * g)
                p -= self.lr * g / torch.sqrt(v + self.eps)
                p.grad = None


def glorot(rng, fan_in, fan_out, shape):
    lim = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-lim, lim, shape)


def lstm_weights(rng, inp, units):
    K = glorot(rng, inp, 4 * units, (inp, 4 * units))
    R = rng.uniform(-0.5, 0.5, (units, 4 * units)) / np.sqrt(units)
    b = np.concatenate([np.zeros(units), np.ones(units), rng.uniform(-0.1, 0.1, 2 * units)])
    return [K, R, b]


def params(arrs):
    # float32 values, as the Java side sets them, computed on in float64
    return [torch.tensor(np.asarray(a, np.float32).astype(np.float64), requires_grad=True) for a in arrs]


# ---------------------------------------------------------------------------------------------------- 1. time series
N_ROWS = 3000


def series_rows():
    """Integer milli-units of three features (pressure, temperature, humidity): triangle waves plus LCG noise."""
    rows = np.zeros((N_ROWS, 3), np.int64)
    state = 12345
    amp, period, base = [3, 8, 5], [500, 144, 72], [990000, 10000, 60000]
    for t in range(N_ROWS):
        for j in range(3):
            state = (state * 6364136223846793005 + 1442695040888963407) % (1 << 64)
            noise = (state >> 33) % 2001 - 1000
            tri = abs((t % period[j]) * 2 - period[j])
            rows[t, j] = base[j] + amp[j] * 1000 * tri // period[j] * 4 + noise
    return rows


def timeseries():
    rows = series_rows()
    features = rows / 1000.0                                    # what the CSV's "%d.%03d" text parses to
    split_fraction, step, past, future = 0.715, 3, 36, 6
    train_split = int(split_fraction * N_ROWS)
    mean = features[:train_split].mean(axis=0)
    std = features[:train_split].std(axis=0)
    data = ((features - mean) / std).astype(np.float32)
    train, val = data[:train_split], data[train_split:]
    seq_len = past // step
    start = past + future
    x_train, y_train = train[:len(train) - past - future], data[start:start + train_split, 1:2]
    x_val, y_val = val[:len(val) - past - future], data[train_split + past + future:, 1:2]

    def windows(x, y):
        n = min(len(x) - (seq_len - 1) * step, len(y))
        xs = np.stack([x[i:i + seq_len * step:step] for i in range(n)])
        return xs, y[:n]

    xtr, ytr = windows(x_train, y_train)
    xva, yva = windows(x_val, y_val)
    rng = np.random.default_rng(1)
    init = lstm_weights(rng, 3, 8) + [glorot(rng, 8, 1, (8, 1)), np.zeros(1)]
    p = params(init)
    opt = Adam(p, lr=0.01)
    X, Y, XV, YV = (torch.tensor(a.astype(np.float64)) for a in (xtr, ytr, xva, yva))

    def forward(x):
        _, h, _ = lstm(x, p[0], p[1], p[2], torch.zeros(x.shape[0], 8), torch.zeros(x.shape[0], 8))
        return h @ p[3] + p[4]

    losses, val_losses, batch = [], [], 64
    for epoch in range(3):
        tot = 0.0
        for s in range(0, len(X), batch):
            loss = ((forward(X[s:s + batch]) - Y[s:s + batch]) ** 2).mean()
            tot += loss.item() * len(X[s:s + batch])
            loss.backward()
            opt.step()
        losses.append(tot / len(X))
        with torch.no_grad():
            val_losses.append(((forward(XV) - YV) ** 2).mean().item())
        if epoch == 1:
            after2 = [q.detach().numpy().copy() for q in p]
    with torch.no_grad():
        pred = forward(XV).numpy()
    save("timeseries", checksum=[rows.sum() % 65536], mean=mean, std=std, x_train0=xtr[0], x_train_last=xtr[-1],
         y_train0=ytr[0], y_train_last=ytr[-1], windows=[len(xtr), len(xva)],
         kernel=init[0], recurrent=init[1], bias=init[2], dense_kernel=init[3], dense_bias=init[4],
         loss=losses, val_loss=val_losses, pred=pred,
         kernel2=after2[0], recurrent2=after2[1], bias2=after2[2], dense_kernel2=after2[3], dense_bias2=after2[4],
         kernel3=p[0].detach().numpy(), dense_kernel3=p[3].detach().numpy())


# --------------------------------------------------------------------------------------------------- 2. text classes
POS, NEG = ["good", "great", "fine", "superb"], ["bad", "awful", "poor", "dull"]
FILLER = ["the", "movie", "was", "a", "plot", "and", "acting", "film", "really", "very", "story", "it"]


def corpus():
    """(label, text) pairs: filler words around one or two sentiment words; lengths 3..14 words, some punctuation."""
    state, docs = 777, []

    def nxt(n):
        nonlocal state
        state = (state * 6364136223846793005 + 1442695040888963407) % (1 << 64)
        return (state >> 33) % n

    for d in range(160):
        label = nxt(3) == 0                                  # about a third positive: class weights matter
        n = 3 + nxt(12)
        words = [FILLER[nxt(len(FILLER))] for _ in range(n)]
        for _ in range(1 + nxt(2)):
            words[nxt(n)] = (POS if label else NEG)[nxt(4)]
        text = " ".join(words)
        if nxt(4) == 0:
            text = text[0].upper() + text[1:] + "!"
        docs.append((int(label), text))
    return docs


def text_classification():
    docs = corpus()
    with open(os.path.join(HERE, "reviews.tsv"), "w") as f:
        for label, text in docs:
            f.write(f"{label}\t{text}\n")
    import re, string
    std = [re.sub("[%s]" % re.escape(string.punctuation), "", t.lower()) for _, t in docs]
    toks = [s.split() for s in std]
    n_train = int(len(docs) * 0.75)              # Keras' validation_split: the last 25% validate (the vocabulary adapts on all)
    counts = {}
    for ws in toks:
        for w in ws:
            counts[w] = counts.get(w, 0) + 1
    keys = list(counts)
    order = np.lexsort((np.array(keys), np.array([counts[k] for k in keys])))[::-1]
    max_tokens, seq_len = 20, 12
    vocab = ["", "[UNK]"] + [keys[i] for i in order][:max_tokens - 2]
    index = {w: i for i, w in enumerate(vocab)}
    x = np.zeros((len(docs), seq_len))
    for r, ws in enumerate(toks):
        for t, w in enumerate(ws[:seq_len]):
            x[r, t] = index.get(w, 1)
    y = np.array([[l] for l, _ in docs], np.float64)
    rng = np.random.default_rng(2)
    E, U1, U2 = 6, 5, 4
    init = [rng.uniform(-0.05, 0.05, (max_tokens, E))] + lstm_weights(rng, E, U1) + lstm_weights(rng, E, U1) \
        + lstm_weights(rng, 2 * U1, U2) + lstm_weights(rng, 2 * U1, U2) + [glorot(rng, 2 * U2, 1, (2 * U2, 1)), np.zeros(1)]
    p = params(init)
    opt = Adam(p, lr=0.02)
    X = torch.tensor(x, dtype=torch.long)
    Y = torch.tensor(y)
    class_weight = {0: 1.0, 1: 2.0}

    def forward(xb):
        mask = (xb != 0).double()
        e = p[0][xb]
        B = xb.shape[0]
        z = lambda u: torch.zeros(B, u)
        fw, _, _ = lstm(e, p[1], p[2], p[3], z(U1), z(U1), mask)
        bw, _, _ = lstm(e.flip(1), p[4], p[5], p[6], z(U1), z(U1), mask.flip(1))
        seq = torch.cat([fw, bw.flip(1)], 2) * mask[:, :, None]      # zero_output_for_mask: Bidirectional's default
        _, hf, _ = lstm(seq, p[7], p[8], p[9], z(U2), z(U2), mask)
        _, hb, _ = lstm(seq.flip(1), p[10], p[11], p[12], z(U2), z(U2), mask.flip(1))
        return torch.sigmoid(torch.cat([hf, hb], 1) @ p[13] + p[14])

    def bce(prob, yb):
        pr = prob.clamp(1e-7, 1 - 1e-7)
        return -(yb * torch.log(pr) + (1 - yb) * torch.log(1 - pr))

    losses, accs, val_losses, val_accs, val_weighted, batch = [], [], [], [], [], 16
    Xt, Yt, Xv, Yv = X[:n_train], Y[:n_train], X[n_train:], Y[n_train:]
    for epoch in range(2):
        tot, hits = 0.0, 0.0
        for s in range(0, n_train, batch):
            xb, yb = Xt[s:s + batch], Yt[s:s + batch]
            prob = forward(xb)
            w = torch.tensor([[class_weight[int(v)]] for v in yb[:, 0]])
            loss = (bce(prob, yb) * w).sum() / len(xb)
            tot += loss.item() * len(xb)
            hits += ((prob > 0.5).double() == yb).double().sum().item()
            loss.backward()
            opt.step()
        losses.append(tot / n_train)
        accs.append(hits / n_train)
        with torch.no_grad():
            prob = forward(Xv)
            val_losses.append(bce(prob, Yv).mean().item())
            wv = torch.tensor([[class_weight[int(v)]] for v in Yv[:, 0]])
            val_weighted.append((bce(prob, Yv) * wv).mean().item())   # sample_weight's slice weighs validation too
            val_accs.append(((prob > 0.5).double() == Yv).double().mean().item())
    with torch.no_grad():
        pred = forward(X[:8]).numpy()
    save("text", x=x, init_embeddings=init[0], loss=losses, accuracy=accs, val_loss=val_losses, val_accuracy=val_accs,
         val_loss_weighted=val_weighted, pred=pred, embeddings=p[0].detach().numpy(), **{f"w{i}": a for i, a in enumerate(init)})
    with open(os.path.join(HERE, "reviews_vocabulary.txt"), "w") as f:
        f.write("\n".join(vocab) + "\n")


# ------------------------------------------------------------------------------------------------------ 3. seq2seq
def pairs():
    """(source, target) pairs as fra.txt lines: a word of 2..6 letters of 'abcdef' and its reverse in upper case."""
    state, out = 4242, []

    def nxt(n):
        nonlocal state
        state = (state * 6364136223846793005 + 1442695040888963407) % (1 << 64)
        return (state >> 33) % n

    for _ in range(120):
        w = "".join("abcdef"[nxt(6)] for _ in range(2 + nxt(5)))
        out.append((w, w[::-1].upper()))
    return out


def seq2seq():
    ps = pairs()
    with open(os.path.join(HERE, "pairs.txt"), "w") as f:
        for a, b in ps:
            f.write(f"{a}\t{b}\tCC-BY 2.0 (France) synthetic\n")
    inputs = [a for a, _ in ps]
    targets = ["\t" + b + "\n" for _, b in ps]
    in_chars = sorted(set("".join(inputs)) | {" "})
    out_chars = sorted(set("".join(targets)) | {" "})
    Te, Td = max(map(len, inputs)), max(map(len, targets))
    ie, id_ = {c: i for i, c in enumerate(in_chars)}, {c: i for i, c in enumerate(out_chars)}
    n = len(ps)
    enc = np.zeros((n, Te, len(in_chars)))
    dec = np.zeros((n, Td, len(out_chars)))
    tgt = np.zeros((n, Td, len(out_chars)))
    for i, (a, b) in enumerate(zip(inputs, targets)):
        for t, ch in enumerate(a):
            enc[i, t, ie[ch]] = 1
        enc[i, len(a):, ie[" "]] = 1
        for t, ch in enumerate(b):
            dec[i, t, id_[ch]] = 1
            if t > 0:
                tgt[i, t - 1, id_[ch]] = 1
        dec[i, len(b):, id_[" "]] = 1
        tgt[i, len(b) - 1:, id_[" "]] = 1
    L = 16
    rng = np.random.default_rng(3)
    init = lstm_weights(rng, len(in_chars), L) + lstm_weights(rng, len(out_chars), L) \
        + [glorot(rng, L, len(out_chars), (L, len(out_chars))), np.zeros(len(out_chars))]
    p = params(init)
    opt = RMSprop(p, lr=0.01)
    E, D, Tg = (torch.tensor(a) for a in (enc, dec, tgt))

    def forward(e, d):
        B = e.shape[0]
        _, h, c = lstm(e, p[0], p[1], p[2], torch.zeros(B, L), torch.zeros(B, L))
        seq, _, _ = lstm(d, p[3], p[4], p[5], h, c)
        return torch.softmax(seq @ p[6] + p[7], -1)

    def cce(prob, yb):
        pr = (prob / prob.sum(-1, keepdim=True)).clamp(1e-7, 1 - 1e-7)
        return -(yb * torch.log(pr)).sum(-1)

    n_train = n - int(n * 0.2)                    # Keras' validation_split=0.2 on the last samples
    losses, accs, val_losses, val_accs, batch = [], [], [], [], 16
    for epoch in range(3):
        tot, hits = 0.0, 0.0
        for s in range(0, n_train, batch):
            sl = slice(s, min(s + batch, n_train))
            prob = forward(E[sl], D[sl])
            loss = cce(prob, Tg[sl]).mean()
            tot += loss.item() * prob.shape[0]
            hits += (prob.argmax(-1) == Tg[sl].argmax(-1)).double().mean().item() * prob.shape[0]
            loss.backward()
            opt.step()
        losses.append(tot / n_train)
        accs.append(hits / n_train)
        with torch.no_grad():
            prob = forward(E[n_train:], D[n_train:])
            val_losses.append(cce(prob, Tg[n_train:]).mean().item())
            val_accs.append((prob.argmax(-1) == Tg[n_train:].argmax(-1)).double().mean().item())
    with torch.no_grad():
        teacher = forward(E[:4], D[:4]).numpy()
    save("seq2seq", loss=losses, accuracy=accs, val_loss=val_losses, val_accuracy=val_accs, teacher=teacher,
         **{f"w{i}": a for i, a in enumerate(init)}, **{f"final{i}": q.detach().numpy() for i, q in enumerate(p)})


def seq2seq_masked():
    """The token-level variant: Embedding(mask_zero) on both sides, sparse categorical cross-entropy and accuracy over
    the decoder's valid steps only (Keras 3's apply_mask: sum(loss * mask) / sum(mask) per batch), the epoch's values the
    loss tracker's batch-size-weighted mean and the accuracy's mean over every valid step of the epoch."""
    state = 99

    def nxt(n):
        nonlocal state
        state = (state * 6364136223846793005 + 1442695040888963407) % (1 << 64)
        return (state >> 33) % n

    n, Ts, Td, V = 40, 6, 7, 8                       # tokens 3..7; 1 = start, 2 = end, 0 = padding
    src, tin, tout = np.zeros((n, Ts)), np.zeros((n, Td)), np.zeros((n, Td))
    for i in range(n):
        L = 1 + nxt(Ts)
        w = [3 + nxt(5) for _ in range(L)]
        src[i, :L] = w
        t = [1] + w[::-1] + [2]
        tin[i, :L + 1] = t[:-1]
        tout[i, :L + 1] = t[1:]
    E, H = 4, 6
    rng = np.random.default_rng(4)
    init = [rng.uniform(-0.3, 0.3, (V, E))] + lstm_weights(rng, E, H) + [rng.uniform(-0.3, 0.3, (V, E))] \
        + lstm_weights(rng, E, H) + [glorot(rng, H, V, (H, V)), np.zeros(V)]
    p = params(init)
    opt = Adam(p, lr=0.05)
    S, TI, TO = (torch.tensor(a, dtype=torch.long) for a in (src, tin, tout))

    def forward(s, ti):
        B = s.shape[0]
        _, h, c = lstm(p[0][s], p[1], p[2], p[3], torch.zeros(B, H), torch.zeros(B, H), (s != 0).double())
        seq, _, _ = lstm(p[4][ti], p[5], p[6], p[7], h, c, (ti != 0).double())
        return torch.softmax(seq @ p[8] + p[9], -1)

    def masked(prob, to, ti):
        mask = (ti != 0).double()
        pr = prob.clamp(1e-7, 1 - 1e-7)
        ce = -torch.log(pr.gather(-1, to[..., None])[..., 0])
        hits = (prob.argmax(-1) == to).double()
        return (ce * mask).sum() / mask.sum(), (hits * mask).sum().item(), mask.sum().item()

    n_train, batch = 32, 8
    losses, accs, val_losses, val_accs = [], [], [], []
    for epoch in range(3):
        tot, hits, valid = 0.0, 0.0, 0.0
        for s in range(0, n_train, batch):
            sl = slice(s, s + batch)
            loss, h_, v_ = masked(forward(S[sl], TI[sl]), TO[sl], TI[sl])
            tot += loss.item() * batch
            hits += h_
            valid += v_
            loss.backward()
            opt.step()
        losses.append(tot / n_train)
        accs.append(hits / valid)
        with torch.no_grad():
            sl = slice(n_train, n)
            loss, h_, v_ = masked(forward(S[sl], TI[sl]), TO[sl], TI[sl])
            val_losses.append(loss.item())
            val_accs.append(h_ / v_)
    with torch.no_grad():                          # evaluate(batch_size=7): per-batch masked means weighted by batch sizes
        tot, hits, valid = 0.0, 0.0, 0.0
        for s in range(0, n, 7):
            sl = slice(s, s + 7)
            loss, h_, v_ = masked(forward(S[sl], TI[sl]), TO[sl], TI[sl])
            tot += loss.item() * len(S[sl])
            hits += h_
            valid += v_
        evaluate7 = [tot / n, hits / valid]
    save("seq2seq_masked", src=src, tin=tin, tout=tout, loss=losses, accuracy=accs, val_loss=val_losses,
         val_accuracy=val_accs, evaluate7=evaluate7, **{f"w{i}": a for i, a in enumerate(init)})


if __name__ == "__main__":
    timeseries()
    text_classification()
    seq2seq()
    seq2seq_masked()
