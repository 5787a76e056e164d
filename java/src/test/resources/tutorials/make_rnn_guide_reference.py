"""Reference values for WorkingWithRnnsGuideTest: keras.io's guide "Working with RNNs" replayed in float64 torch 1.13.

Keras 3's semantics written out by hand (LSTM gates i, f, c, o; GRU z, r, h with reset_after; SimpleRNN; Embedding;
Dense; BatchNormalization's batch moments, epsilon 1e-3 and momentum 0.99; Bidirectional's reversed backward sequence;
masked steps keeping the states; SGD; sparse categorical cross-entropy from logits, sum_over_batch_size; the epoch's
loss as the batch-size-weighted mean of the batches' losses before their updates). Weights, ids and data are not
random draws: each comes from the integer formula hashed() below, which the Java test computes too, so the archive
holds only the results. Run: /usr/bin/python3 make_rnn_guide_reference.py
"""
import os
import numpy as np
import torch

from make_reference import lstm, save

torch.set_default_dtype(torch.float64)


def hashed(seed, shape, lo, hi):
    """Values in [lo, hi] on a grid of 2001, from a multiplicative hash of the index: RnnGuideData.hashed in Java."""
    n = int(np.prod(shape))
    i = np.arange(n, dtype=np.int64)
    v = (i * 2654435761 + seed * 97531) % 4294967296
    u = ((v >> 8) % 2001) / 2000.0
    return np.asarray(lo + (hi - lo) * u, np.float32).reshape(shape)


def ids(seed, shape, vocab):
    n = int(np.prod(shape))
    i = np.arange(n, dtype=np.int64)
    v = (i * 2654435761 + seed * 97531) % 4294967296
    return ((v >> 8) % vocab).reshape(shape)


def t(a):
    return torch.tensor(np.asarray(a, np.float32).astype(np.float64))


def w(seed, shape, scale=0.3):
    return t(hashed(seed, shape, -scale, scale))


def gru(x, K, R, b, h):
    """Keras GRU, reset_after=True: bias (2, 3H) as input and recurrent biases, gates z, r, h."""
    H = R.shape[0]
    outs = []
    for s in range(x.shape[1]):
        xz = x[:, s] @ K + b[0]
        rz = h @ R + b[1]
        z = torch.sigmoid(xz[:, :H] + rz[:, :H])
        r = torch.sigmoid(xz[:, H:2 * H] + rz[:, H:2 * H])
        hh = torch.tanh(xz[:, 2 * H:] + r * rz[:, 2 * H:])
        h = z * h + (1 - z) * hh
        outs.append(h)
    return torch.stack(outs, 1), h


def simple_rnn(x, K, R, b, h):
    outs = []
    for s in range(x.shape[1]):
        h = torch.tanh(x[:, s] @ K + h @ R + b)
        outs.append(h)
    return torch.stack(outs, 1), h


def zeros(b, h):
    return torch.zeros(b, h)


def lstm_w(seed, inp, units):
    return w(seed, (inp, 4 * units)), w(seed + 1, (units, 4 * units)), w(seed + 2, (4 * units,))


def built_in():
    # Sequential: Embedding(1000, 64), LSTM(128), Dense(10)
    x = ids(1, (3, 7), 1000)
    E = w(10, (1000, 64), 0.5)
    K, R, b = lstm_w(11, 64, 128)
    D, d = w(14, (128, 10)), w(15, (10,))
    _, h, _ = lstm(E[torch.tensor(x)], K, R, b, zeros(3, 128), zeros(3, 128))
    out1 = h @ D + d
    # Sequential: Embedding(1000, 64), GRU(256, return_sequences=True), SimpleRNN(128), Dense(10)
    E2 = w(20, (1000, 64), 0.5)
    GK, GR, Gb = w(21, (64, 768)), w(22, (256, 768)), w(23, (2, 768))
    SK, SR, Sb = w(24, (256, 128)), w(25, (128, 128)), w(26, (128,))
    D2, d2 = w(27, (128, 10)), w(28, (10,))
    seq, _ = gru(E2[torch.tensor(x)], GK, GR, Gb, zeros(3, 256))
    _, h2 = simple_rnn(seq, SK, SR, Sb, zeros(3, 128))
    out2 = h2 @ D2 + d2
    return dict(ids=x, lstm_model=out1, gru_model=out2)


def encoder_decoder():
    src, tgt = ids(2, (3, 6), 1000), ids(3, (3, 4), 2000)
    E1, E2 = w(30, (1000, 64), 0.5), w(31, (2000, 64), 0.5)
    eK, eR, eb = lstm_w(32, 64, 64)
    dK, dR, db = lstm_w(35, 64, 64)
    D, d = w(38, (64, 10)), w(39, (10,))
    _, h, c = lstm(E1[torch.tensor(src)], eK, eR, eb, zeros(3, 64), zeros(3, 64))
    _, hd, _ = lstm(E2[torch.tensor(tgt)], dK, dR, db, h, c)
    return dict(src=src, tgt=tgt, enc_h=h, enc_c=c, seq2seq=hd @ D + d)


def stateful():
    p = [t(hashed(40 + k, (20, 10, 50), 0, 1)) for k in range(3)]
    K, R, b = lstm_w(43, 50, 64)
    h, c = zeros(20, 64), zeros(20, 64)
    outs, states = [], []
    for k in range(3):
        _, h, c = lstm(p[k], K, R, b, h, c)
        outs.append(h)
        states.append((h, c))
    # state reuse: a new LSTM(64) (its own weights) on paragraph 3 from the states after paragraph 2
    nK, nR, nb = lstm_w(46, 50, 64)
    _, hn, _ = lstm(p[2], nK, nR, nb, *states[1])
    return dict(stateful_out=torch.stack(outs), state_h2=states[1][0], state_c2=states[1][1], reused=hn)


def batch_norm(x, gamma, beta, mm, mv, training):
    if training:
        mean, var = x.mean(0), x.var(0, unbiased=False)
        with torch.no_grad():
            mm.mul_(0.99).add_(0.01 * mean)
            mv.mul_(0.99).add_(0.01 * var)
    else:
        mean, var = mm, mv
    return gamma * (x - mean) / torch.sqrt(var + 1e-3) + beta


def mnist_like():
    """build_model: LSTM(64) or RNN(LSTMCell(64)) on (None, 28), BatchNormalization, Dense(10); SGD, sparse CE from logits."""
    x = t(hashed(50, (16, 28, 28), 0, 1))
    y = torch.tensor(ids(51, (16,), 10))
    K, R, b = lstm_w(52, 28, 64)
    params = [K, R, b, torch.ones(64), torch.zeros(64), w(55, (64, 10)), w(56, (10,))]
    for p in params:
        p.requires_grad_(True)
    stats = [torch.zeros(64), torch.ones(64)]

    def forward(xb, training):
        _, h, _ = lstm(xb, params[0], params[1], params[2], zeros(len(xb), 64), zeros(len(xb), 64))
        return batch_norm(h, params[3], params[4], stats[0], stats[1], training) @ params[5] + params[6]

    def fit_one_epoch():
        tot, hits = 0.0, 0
        for s in range(0, 16, 8):
            logits = forward(x[s:s + 8], True)
            loss = torch.nn.functional.cross_entropy(logits, y[s:s + 8])
            tot += loss.item() * 8
            hits += int((logits.argmax(1) == y[s:s + 8]).sum())
            loss.backward()
            with torch.no_grad():
                for p in params:
                    p -= 0.01 * p.grad
                    p.grad = None
        return [tot / 16, hits / 16]

    first = fit_one_epoch()          # model = build_model(allow_cudnn_kernel=True); model.fit(...)
    with torch.no_grad():
        sample_logits = forward(x[:1], False)   # cpu_model.set_weights(model.get_weights()); predict_on_batch(sample)
    second = fit_one_epoch()         # noncudnn_model.set_weights(model.get_weights()); noncudnn_model.fit(...)
    with torch.no_grad():
        after = forward(x[:1], False)
    return dict(mnist_y=y, first_fit=first, sample_logits=sample_logits, second_fit=second, noncudnn_logits=after)


def bidirectional():
    x = t(hashed(60, (3, 5, 10), -1, 1))
    f1, b1 = lstm_w(61, 10, 64), lstm_w(64, 10, 64)
    f2, b2 = lstm_w(67, 128, 32), lstm_w(70, 128, 32)
    D, d = w(73, (64, 10)), w(74, (10,))
    z64 = zeros(3, 64)
    fs, _, _ = lstm(x, *f1, z64, z64)
    bs, _, _ = lstm(x.flip(1), *b1, z64, z64)
    seq = torch.cat([fs, bs.flip(1)], 2)
    z32 = zeros(3, 32)
    _, fh, _ = lstm(seq, *f2, z32, z32)
    _, bh, _ = lstm(seq.flip(1), *b2, z32, z32)
    out = torch.cat([fh, bh], 1) @ D + d
    # Keras' docstring: Bidirectional(LSTM(10, return_sequences=True), backward_layer=LSTM(10, activation="relu",
    # return_sequences=True, go_backwards=True)), Dense(5, activation="softmax")
    fw, bw = lstm_w(75, 10, 10), lstm_w(78, 10, 10)
    D2, d2 = w(81, (20, 5)), w(82, (5,))
    z10 = zeros(3, 10)
    fs2, _, _ = lstm(x, *fw, z10, z10)
    bs2, _, _ = lstm_relu(x.flip(1), *bw, z10, z10)
    seq2 = torch.cat([fs2, bs2.flip(1)], 2)
    out2 = torch.softmax(seq2 @ D2 + d2, -1)
    return dict(bi_x=x, bi_stack=out, bi_backward_layer=out2)


def lstm_relu(x, K, R, b, h, c):
    H = R.shape[0]
    outs = []
    for s in range(x.shape[1]):
        z = x[:, s] @ K + h @ R + b
        i, f, g, o = torch.sigmoid(z[:, :H]), torch.sigmoid(z[:, H:2 * H]), torch.relu(z[:, 2 * H:3 * H]), torch.sigmoid(z[:, 3 * H:])
        c = f * c + i * g
        h = o * torch.relu(c)
        outs.append(h)
    return torch.stack(outs, 1), h, c


def off_cudnn_path():
    """The options the guide says leave the CuDNN path: each one's numbers, as Keras computes them off that path."""
    x = t(hashed(90, (3, 5, 4), -1, 1))
    K, R = w(91, (4, 32)), w(92, (8, 32))
    # LSTM(8, activation="relu", recurrent_activation="hard_sigmoid", use_bias=False, unroll=True)
    H, h, c = 8, zeros(3, 8), zeros(3, 8)
    hsig = lambda v: torch.clamp(v + 3, 0, 6) / 6   # Keras 3's hard_sigmoid: relu6(x + 3) / 6
    for s in range(5):
        z = x[:, s] @ K + h @ R
        i, f, g, o = hsig(z[:, :H]), hsig(z[:, H:2 * H]), torch.relu(z[:, 2 * H:3 * H]), hsig(z[:, 3 * H:])
        c = f * c + i * g
        h = o * torch.relu(c)
    options = h
    # Masking(0.0) then LSTM(8): samples padded on the left (not strictly right padded), 2 and 1 zero steps
    xm = x.clone()
    xm[0, :2] = 0
    xm[1, :1] = 0
    mask = (xm != 0).any(2).double()
    b = w(93, (32,))
    _, hm, _ = lstm(xm, K, R, b, zeros(3, 8), zeros(3, 8), mask)
    # recurrent_dropout=0.2: none at inference, so predict is the plain LSTM's
    _, hp, _ = lstm(x, K, R, b, zeros(3, 8), zeros(3, 8))
    return dict(off_x=x, off_options=options, off_left_padded=hm, off_recurrent_dropout=hp)


if __name__ == "__main__":
    out = {}
    for part in (built_in, encoder_decoder, stateful, mnist_like, bidirectional, off_cudnn_path):
        out.update({k: (v.detach().numpy() if torch.is_tensor(v) else v) for k, v in part().items()})
    save("rnn_guide", **out)
