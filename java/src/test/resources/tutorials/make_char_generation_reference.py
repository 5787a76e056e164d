"""Reference values for CharTextGenerationExampleTest: keras.io's "Character-level text generation with LSTM"
(keras-io examples/generative/lstm_character_level_text_generation.py) replayed in float64 torch 1.13 with Keras 3's
rules: the lower-cased text cut in sequences of 40 characters every 3, one-hot; LSTM(128), Dense(chars, softmax);
RMSprop(learning_rate=0.01) (rho 0.9, epsilon 1e-7 inside the square root); categorical cross-entropy from
probabilities; two epochs of batch_size=128 (batches of 128 and 2, unshuffled); then sample() at the four diversities from a seed
sentence, the multinomial draw made from an LCG's uniform both sides run (the example uses np.random). The corpus is
char_text.txt (the example downloads nietzsche.txt); weights from make_rnn_guide_reference.hashed.
Run: /usr/bin/python3 make_char_generation_reference.py
"""
import os
import numpy as np
import torch

from make_reference import RMSprop, lstm, save
from make_rnn_guide_reference import hashed, t

torch.set_default_dtype(torch.float64)
HERE = os.path.dirname(os.path.abspath(__file__))
MAXLEN, STEP, GENERATE = 40, 3, 20


class Lcg:
    def __init__(self, seed):
        self.state = seed

    def uniform(self):
        self.state = (self.state * 6364136223846793005 + 1442695040888963407) % 2 ** 64
        return (self.state >> 11) / 2.0 ** 53


def main():
    with open(os.path.join(HERE, "char_text.txt"), encoding="utf-8") as f:
        text = f.read().lower()
    chars = sorted(set(text))
    idx = {c: i for i, c in enumerate(chars)}
    sentences = [text[i:i + MAXLEN] for i in range(0, len(text) - MAXLEN, STEP)]
    next_chars = [text[i + MAXLEN] for i in range(0, len(text) - MAXLEN, STEP)]
    x = np.zeros((len(sentences), MAXLEN, len(chars)))
    y = np.zeros((len(sentences), len(chars)))
    for i, s in enumerate(sentences):
        for j, c in enumerate(s):
            x[i, j, idx[c]] = 1
        y[i, idx[next_chars[i]]] = 1
    x, y = t(x), t(y)
    V = len(chars)
    P = [t(hashed(200 + k, shape, -0.15, 0.15)) for k, shape in enumerate([(V, 512), (128, 512), (512,), (128, V), (V,)])]
    for p in P:
        p.requires_grad_(True)
    opt = RMSprop(P, 0.01)

    def forward(xb):
        z = torch.zeros(len(xb), 128)
        _, h, _ = lstm(xb, P[0], P[1], P[2], z, z)
        return torch.softmax(h @ P[3] + P[4], -1)

    losses = []
    for epoch in range(2):
        tot = 0.0
        for s in range(0, len(x), 128):   # 130 sequences: batches of 128 and 2, in order (the test fits with shuffle off)
            prob = forward(x[s:s + 128])
            p = torch.clamp(prob / prob.sum(-1, keepdim=True), 1e-7, 1 - 1e-7)
            loss = -(y[s:s + 128] * torch.log(p)).sum(-1).mean()
            tot += loss.item() * len(prob)
            loss.backward()
            opt.step()
        losses.append(tot / len(x))

    rng = Lcg(1507)
    start_index = 17
    generated, margins = [], []
    with torch.no_grad():
        for diversity in [0.2, 0.5, 1.0, 1.2]:
            sentence = text[start_index:start_index + MAXLEN]
            out = ""
            for _ in range(GENERATE):
                x_pred = np.zeros((1, MAXLEN, V))
                for j, c in enumerate(sentence):
                    x_pred[0, j, idx[c]] = 1
                preds = forward(t(x_pred))[0].numpy()
                # sample(): log / temperature, exp, normalize, one multinomial draw
                e = np.exp(np.log(preds) / diversity)
                q = e / e.sum()
                u = rng.uniform()
                cum = np.cumsum(q)
                k = int(np.searchsorted(cum, u, side="right"))
                margins.append(np.abs(cum - u).min())
                out += chars[k]
                sentence = sentence[1:] + chars[k]
            generated.append([idx[c] for c in out])
    assert min(margins) > 1e-4, min(margins)   # float32 against float64 cannot move a draw across a boundary
    save("char_generation", loss=losses, generated=generated, n_sentences=[len(sentences)], n_chars=[V])


if __name__ == "__main__":
    main()
