"""Goldens of keras.io's two RNN guides, computed by Keras 3.15.1 itself (jax backend), for KerasRnnGuidesTest.

Run from this folder with the Python that has keras 3.15.1 and jax (on the project's machines:
KERAS_BACKEND=jax /tmp/jrnn-keras3/venv/bin/python make_rnn_guides.py). Deterministic (seeded).

Each snippet of "Working with RNNs" (keras-io guides/working_with_rnns.py) and "Understanding masking & padding"
(guides/understanding_masking_and_padding.py) that built-in layers express is built here at tiny sizes, its weights set
to seeded values and recorded per layer (Keras' get_weights order), with its inputs and what Keras computes: predictions,
states, masks, pad_sequences' arrays, one optimizer step or a short fit, and the Keras 3 summary tables of the guide's
own models at the guide's sizes (COLUMNS=80 as a console without a terminal: 76 columns, as make_keras3_summaries.py).
The guides' custom Python layers and cells (NestedCell, MyLayer, TemporalSplit, CustomEmbedding, MyActivation,
TemporalSoftmax) are replaced by the built-in layers that do the same where there is one. Writes rnn_guides.json.gz.
"""
import os
import sys

os.environ["COLUMNS"] = "80"
os.environ["KERAS_BACKEND"] = "jax"
import keras
import numpy as np
from keras import layers

import keras3_goldens
from keras3_goldens import arr

assert keras.__version__ == "3.15.1", keras.__version__
keras.utils.set_random_seed(20)
rng = np.random.default_rng(20)
out = {"keras": keras.__version__}


def weights(*ls):
    """Each layer's seeded weights by name, in Keras' get_weights order."""
    return {l.name: [arr(w) for w in l.get_weights()] for l in ls}


def seeded(m):
    keras3_goldens.randomize(m, rng)
    return m


def summary(m):
    text = []
    m.summary(print_fn=lambda s, **_: text.append(s))
    return "".join(text)


def ids(vocab, *shape, low=0):
    return rng.integers(low, vocab, size=shape).astype("int32")


# ------------------------------------------------------------------------------------------ Working with RNNs
# the guide's models as it writes them (its sizes, default names counting in its order): the summaries it prints
keras.backend.clear_session()
g = {}
model = keras.Sequential()
model.add(layers.Embedding(input_dim=1000, output_dim=64))
model.add(layers.LSTM(128))
model.add(layers.Dense(10))
g["builtin"] = summary(model)
model = keras.Sequential()
model.add(layers.Embedding(input_dim=1000, output_dim=64))
model.add(layers.GRU(256, return_sequences=True))
model.add(layers.SimpleRNN(128))
model.add(layers.Dense(10))
g["outputs"] = summary(model)
encoder_input = layers.Input(shape=(None,))
encoder_embedded = layers.Embedding(input_dim=1000, output_dim=64)(encoder_input)
output, state_h, state_c = layers.LSTM(64, return_state=True, name="encoder")(encoder_embedded)
decoder_input = layers.Input(shape=(None,))
decoder_embedded = layers.Embedding(input_dim=2000, output_dim=64)(decoder_input)
decoder_output = layers.LSTM(64, name="decoder")(decoder_embedded, initial_state=[state_h, state_c])
model = keras.Model([encoder_input, decoder_input], layers.Dense(10)(decoder_output))
g["encoder_decoder"] = summary(model)
for _ in range(3):   # the cross-batch statefulness sections make three LSTM layers
    layers.LSTM(64, stateful=True)
model = keras.Sequential()
model.add(layers.Bidirectional(layers.LSTM(64, return_sequences=True), input_shape=(5, 10)))
model.add(layers.Bidirectional(layers.LSTM(32)))
model.add(layers.Dense(10))
g["bidirectional"] = summary(model)
for cudnn in [True, False]:   # build_model(allow_cudnn_kernel)
    lstm = layers.LSTM(64, input_shape=(None, 28)) if cudnn else layers.RNN(layers.LSTMCell(64), input_shape=(None, 28))
    g["build_model_" + str(cudnn).lower()] = summary(keras.Sequential([lstm, layers.BatchNormalization(), layers.Dense(10)]))
out["summaries"] = g

# Built-in RNN layers: Embedding, LSTM, Dense on token ids; Adam fit of two epochs on sparse labels (logits)
keras.backend.clear_session()
x = ids(30, 6, 7)
y = ids(3, 6)
model = seeded(keras.Sequential([keras.Input((7,)), layers.Embedding(30, 4, name="emb"), layers.LSTM(5, name="lstm"),
                                 layers.Dense(3, name="dense")]))
case = {"x": arr(x), "y": arr(y), "weights": weights(*model.layers), "pred": arr(model.predict(x, verbose=0))}
model.compile(keras.optimizers.Adam(0.01), keras.losses.SparseCategoricalCrossentropy(from_logits=True),
              metrics=["accuracy"])
h = model.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0)
case["loss"] = arr(h.history["loss"])
case["accuracy"] = arr(h.history["accuracy"])
case["after"] = weights(*model.layers)
out["builtin"] = case

# Outputs and states: GRU(return_sequences) into SimpleRNN; return_state shapes and values
model = seeded(keras.Sequential([keras.Input((7,)), layers.Embedding(30, 4, name="emb"),
                                 layers.GRU(6, return_sequences=True, name="gru"), layers.SimpleRNN(5, name="srnn"),
                                 layers.Dense(3, name="dense")]))
xs = rng.normal(size=(3, 7, 4)).astype("float32")
lstm_s = layers.LSTM(5, return_state=True, name="lstm_state")
gru_s = layers.GRU(5, return_sequences=True, return_state=True, name="gru_state")
lo = lstm_s(xs)
go = gru_s(xs)
out["outputs"] = {"x": arr(x), "weights": weights(*model.layers), "pred": arr(model.predict(x, verbose=0)),
                  "xs": arr(xs), "state_weights": weights(lstm_s, gru_s),
                  "lstm_state": [arr(t) for t in lo], "gru_state": [arr(t) for t in go]}

# the encoder-decoder: the encoder's states as the decoder's initial_state; one SGD step on mse
src, tgt = ids(30, 3, 6), ids(40, 3, 5)
ei = keras.Input((None,), name="src")
ee = layers.Embedding(30, 4, name="enc_emb")(ei)
o, sh, sc = layers.LSTM(5, return_state=True, name="encoder")(ee)
di = keras.Input((None,), name="tgt")
de = layers.Embedding(40, 4, name="dec_emb")(di)
do = layers.LSTM(5, name="decoder")(de, initial_state=[sh, sc])
model = seeded(keras.Model([ei, di], layers.Dense(3, name="dense")(do)))
enc = keras.Model(ei, [sh, sc])
case = {"src": arr(src), "tgt": arr(tgt), "weights": weights(*model.layers[2:]),
        "pred": arr(model.predict([src, tgt], verbose=0)), "states": [arr(t) for t in enc.predict(src, verbose=0)]}
model.compile(keras.optimizers.SGD(0.1), "mse")
case["loss"] = float(model.train_on_batch([src, tgt], np.ones((3, 3), "float32")))
case["after"] = weights(*model.layers[2:])
out["encoder_decoder"] = case

# RNN layers and RNN cells: RNN(cell) is the layer of that cell; RNN over stacked cells runs them in one loop
xc = rng.normal(size=(3, 5, 4)).astype("float32")
case = {"x": arr(xc)}
for n, cell in [("lstm", layers.LSTMCell(5)), ("gru", layers.GRUCell(5)), ("simple", layers.SimpleRNNCell(5))]:
    r = layers.RNN(cell, return_sequences=True, name="rnn_" + n)
    r.build((None, 5, 4))
    seeded(r)
    case[n] = {"weights": weights(r)["rnn_" + n], "y": arr(r(xc))}
stack = layers.RNN([layers.LSTMCell(4), layers.GRUCell(3)], return_sequences=True, return_state=True, name="stacked")
stack.build((None, 5, 4))
seeded(stack)
w = [arr(t) for t in stack.get_weights()]
case["stacked"] = {"lstm": w[:3], "gru": w[3:], "outputs": [arr(t) for t in keras.tree.flatten(stack(xc))]}
out["cells"] = case

# Cross-batch statefulness: three paragraphs into one stateful LSTM, states reused by a new layer, reset_states
paragraphs = [rng.random((4, 3, 6)).astype("float32") for _ in range(3)]
lstm_layer = layers.LSTM(5, stateful=True, name="stateful")
lstm_layer.build((4, 3, 6))
seeded(lstm_layer)
case = {"paragraphs": [arr(p) for p in paragraphs], "weights": weights(lstm_layer)["stateful"], "outputs": []}
for k, p in enumerate(paragraphs):
    case["outputs"].append(arr(lstm_layer(p)))
    if k == 1:
        existing_state = [s.numpy() for s in lstm_layer.states]
        case["states"] = [arr(s) for s in existing_state]
        new_lstm_layer = layers.LSTM(5, name="reuse")
        new_lstm_layer.build((None, 3, 6))
        seeded(new_lstm_layer)
        case["reuse_weights"] = weights(new_lstm_layer)["reuse"]
        case["reused"] = arr(new_lstm_layer(paragraphs[2], initial_state=existing_state))
lstm_layer.reset_states()
case["reset_states"] = [arr(s.numpy()) for s in lstm_layer.states]
case["after_reset"] = arr(lstm_layer(paragraphs[0]))
# a stateful Sequential: each batch starts from the states the one before left, until reset_states. Keras 3.15.1's
# predict on the jax backend does not carry them (its jitted step drops the states' updates: every batch starts from
# zeros), on the tensorflow backend it does, as tf.keras 2 and jrnn; the model's eager calls carry them on jax too
model = seeded(keras.Sequential([keras.Input(batch_shape=(2, 3, 6)), layers.LSTM(5, stateful=True, name="lstm"),
                                 layers.Dense(2, name="dense")]))
xm = np.concatenate(paragraphs[:2])[:4]


def batches():
    return np.concatenate([np.asarray(model(xm[i:i + 2])) for i in (0, 2)])


case["model_weights"] = weights(*model.layers)
case["model_x"] = arr(xm)
case["model_pred"] = [arr(batches()) for _ in range(2)]
model.get_layer("lstm").reset_states()   # Keras 3 models have no reset_states
case["model_pred_reset"] = arr(batches())
out["stateful"] = case

# Bidirectional RNNs: the guide's stack, one Adam step
xb = rng.normal(size=(3, 5, 3)).astype("float32")
model = seeded(keras.Sequential([keras.Input((5, 3)), layers.Bidirectional(layers.LSTM(4, return_sequences=True), name="bi1"),
                                 layers.Bidirectional(layers.LSTM(3), name="bi2"), layers.Dense(2, name="dense")]))
case = {"x": arr(xb), "weights": weights(*model.layers), "pred": arr(model.predict(xb, verbose=0))}
model.compile(keras.optimizers.Adam(0.01), "mse")
case["loss"] = float(model.train_on_batch(xb, np.ones((3, 2), "float32")))
case["after"] = weights(*model.layers)
out["bidirectional"] = case

# build_model: LSTM or RNN(LSTMCell), BatchNormalization, Dense; one SGD epoch each (logits, sparse labels, accuracy)
images = rng.random((8, 5, 5)).astype("float32")
labels = ids(4, 8)


def build_model(allow_cudnn_kernel=True):
    if allow_cudnn_kernel:
        lstm = layers.LSTM(6, name="lstm")
    else:
        lstm = layers.RNN(layers.LSTMCell(6), name="rnn")
    return keras.Sequential([keras.Input((None, 5)), lstm, layers.BatchNormalization(name="bn"), layers.Dense(4, name="dense")])


def compiled(m):
    m.compile(loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), optimizer="sgd", metrics=["accuracy"])
    return m


model = compiled(seeded(build_model(True)))
case = {"x": arr(images), "y": arr(labels), "weights": [arr(w) for w in model.get_weights()]}
h = model.fit(images, labels, batch_size=4, epochs=1, shuffle=False, verbose=0)
case["fit"] = [h.history["loss"][0], h.history["accuracy"][0]]
case["sample_logits"] = arr(model.predict_on_batch(images[:1]))
noncudnn = compiled(build_model(False))
noncudnn.set_weights(model.get_weights())
h = noncudnn.fit(images, labels, batch_size=4, epochs=1, shuffle=False, verbose=0)
case["fit_noncudnn"] = [h.history["loss"][0], h.history["accuracy"][0]]
case["noncudnn_logits"] = arr(noncudnn.predict_on_batch(images[:1]))
out["build_model"] = case

# ------------------------------------------------------------------------------- Understanding masking & padding
raw_inputs = [[711, 632, 71], [73, 8, 3215, 55, 927], [83, 91, 1, 645, 1253, 927]]
pad = keras.utils.pad_sequences
padded_inputs = pad(raw_inputs, padding="post")
out["pad_sequences"] = {"post": arr(padded_inputs), "default": arr(pad(raw_inputs)),
                        "maxlen4_post_truncating": arr(pad(raw_inputs, maxlen=4, truncating="post")),
                        "maxlen4_value": arr(pad(raw_inputs, maxlen=4, padding="post", value=-1))}

# mask generators: Embedding(mask_zero) and Masking on the tiled ids (masked_output._keras_mask, compute_mask)
embedding = layers.Embedding(input_dim=5000, output_dim=4, mask_zero=True, name="embedding")
masked_output = embedding(padded_inputs)
masking_layer = layers.Masking()
unmasked_embedding = np.tile(padded_inputs[..., None], [1, 1, 3]).astype("float32")
masked_embedding = masking_layer(unmasked_embedding)
case = {"embedding_mask": arr(masked_output._keras_mask), "compute_mask": arr(embedding.compute_mask(padded_inputs)),
        "masking_mask": arr(masked_embedding._keras_mask), "masking_output": arr(masked_embedding)}
# mask propagation, Sequential and functional: Embedding(mask_zero) into LSTM; a mask-passing activation between
tok = ids(10, 4, 6, low=1)
for b, n in enumerate([6, 4, 2, 1]):
    tok[b, n:] = 0
seq = seeded(keras.Sequential([keras.Input((6,)), layers.Embedding(10, 4, mask_zero=True, name="emb"),
                               layers.LSTM(3, name="lstm")]))
inputs = keras.Input(shape=(None,), dtype="int32")
e = layers.Embedding(10, 4, mask_zero=True, name="emb")
l = layers.LSTM(3, name="lstm")
func = keras.Model(inputs, l(layers.Activation("relu", name="relu")(e(inputs))))
e.set_weights(seq.get_layer("emb").get_weights())
l.set_weights(seq.get_layer("lstm").get_weights())
case.update({"tokens": arr(tok), "weights": weights(*seq.layers), "sequential": arr(seq.predict(tok, verbose=0)),
             "functional_relu": arr(func.predict(tok, verbose=0))})
# pre-padded (pad_sequences' default): the masked steps lead
pre = keras.utils.pad_sequences([r[r > 0] for r in tok])
case["pre_tokens"] = arr(pre)
case["sequential_pre"] = arr(seq.predict(pre, verbose=0))
# the masked Sequential trains: one Adam step on mse (gradients through the skipped steps)
seq.compile(keras.optimizers.Adam(0.01), "mse")
case["train_loss"] = float(seq.train_on_batch(tok, np.ones((4, 3), "float32")))
case["after"] = weights(*seq.layers)
# passing mask tensors directly: lstm(x, mask=embedding.compute_mask(inputs)) on random ids, as the guide's MyLayer
xr = (rng.random((3, 6)) * 10).astype("int32")
mask = e.compute_mask(xr)
case["explicit_x"] = arr(xr)
case["explicit_mask"] = arr(mask)
case["explicit"] = arr(l(e(xr), mask=mask))
# eager calls carry the mask on the tensor (_keras_mask): lstm(embedding(x)) skips the padding without mask=; a layer
# that passes masks (Activation) passes it on, an LSTM without return_sequences gives none; a plain array has none
ex = e(xr)
relu = layers.Activation("relu")(ex)
chained = l(relu)
case["eager_relu_mask"] = arr(relu._keras_mask)
case["eager_chain"] = arr(chained)
case["eager_chain_has_mask"] = getattr(chained, "_keras_mask", None) is not None
case["unmasked"] = arr(l(np.asarray(ex)))
# with initial_state Keras 3's eager call takes no mask from the tensor (more than one tensor argument), an explicit one
h0 = rng.normal(size=(3, 3)).astype("float32")
c0 = rng.normal(size=(3, 3)).astype("float32")
case["h0"], case["c0"] = arr(h0), arr(c0)
case["initial_attached"] = arr(l(ex, initial_state=[h0, c0]))
case["initial_explicit"] = arr(l(ex, initial_state=[h0, c0], mask=mask))
# a hand-made mask, as the guide allows (any boolean (batch, timesteps) tensor)
hand = np.array([[True, False, True, True, False, True]] * 3)
case["hand_mask"] = arr(hand)
case["hand"] = arr(l(e(xr), mask=hand))
# layers of several inputs take each input's mask: Add keeps a step either keeps, Attention leaves padded keys out
ta, tb, tv = ids(10, 2, 5, low=1), ids(10, 2, 5, low=1), ids(10, 2, 4, low=1)
ta[0, 3:] = 0
tb[0, 4:] = 0
tb[1, 2:] = 0
tv[0, 2:] = 0
tv[1, 1:] = 0
added = layers.Add()([e(ta), e(tb)])
attended = layers.Attention()([e(ta), e(tv)])
case.update({"ta": arr(ta), "tb": arr(tb), "tv": arr(tv), "add": arr(added), "add_mask": arr(added._keras_mask),
             "attention": arr(attended), "attention_mask": arr(attended._keras_mask)})
# ids with an inner axis (batch, sentences, words): the word mask reaches TimeDistributed(LSTM) (an empty sentence: 0)
t3 = ids(10, 2, 3, 4, low=1)
t3[0, 0, 2:] = 0
t3[1, 1, 1:] = 0
t3[1, 2, :] = 0
td = layers.TimeDistributed(layers.LSTM(2))
ytd = td(e(t3))
case.update({"td_ids": arr(t3), "td_weights": [arr(w) for w in td.get_weights()], "td": arr(ytd)})
# TemporalSoftmax over Dense(1) scores: Keras' own Softmax(axis=1) refuses a (batch, steps) mask on (batch, steps, 1)
# (the mask has a dimension more than 1 where the scores have 1); the guide's result is that Softmax given the mask as
# (batch, steps, 1)
inputs = keras.Input(shape=(None,), dtype="int32")
d = layers.Dense(1, name="score")
sm = keras.Model(inputs, layers.Softmax(axis=1)(d(layers.Embedding(10, 4, mask_zero=True)(inputs))))
try:
    sm.predict(tok, verbose=0)
    case["softmax_refused"] = ""
except ValueError as err:
    case["softmax_refused"] = str(err).split("\n")[2].replace("\x1b[1m", "").replace("\x1b[0m", "")
seeded(d)
case["score_weights"] = weights(d)["score"]
case["temporal_softmax"] = arr(layers.Softmax(axis=1)(d(e(tok)), mask=e.compute_mask(tok)[..., None]))
out["masking"] = case

# compute_mask(x, previous_mask) of the built-in layers: the mask each passes on
xk = rng.normal(size=(2, 4, 3)).astype("float32")
mk = np.array([[1, 1, 0, 0], [1, 0, 1, 1]], bool)
case = {"x": arr(xk), "mask": arr(mk)}
for n, layer in [("dense", layers.Dense(2)), ("gap", layers.GlobalAveragePooling1D()),
                 ("lstm_seq", layers.LSTM(2, return_sequences=True)), ("lstm", layers.LSTM(2)),
                 ("lstm_state", layers.LSTM(2, return_sequences=True, return_state=True)),
                 ("bi_seq", layers.Bidirectional(layers.GRU(2, return_sequences=True))),
                 ("bi", layers.Bidirectional(layers.GRU(2))), ("masking", layers.Masking()),
                 ("td", layers.TimeDistributed(layers.Dense(2))), ("dropout", layers.Dropout(0.5)),
                 ("stateful_seq", layers.LSTM(2, stateful=True, return_sequences=True)),
                 ("conv", layers.Conv1D(2, 2, padding="same"))]:
    layer(xk)
    m = layer.compute_mask(xk, mk)
    m = m[0] if isinstance(m, list) else m   # a layer returning states: the first output's mask
    case[n] = None if m is None else arr(m)
# Conv1D's compute_mask returns the mask (Keras' base Layer.compute_mask) while its call drops it (no supports_masking):
# what its output carries (the input's mask from a Masking layer over the masked steps zeroed)
masked = layers.Masking()(xk * mk[..., None])
case["conv_output_mask"] = getattr(layers.Conv1D(2, 2, padding="same")(masked), "_keras_mask", None) is not None
out["compute_mask"] = case

keras3_goldens.write_json_gz("rnn_guides.json.gz", out)
print("keras", keras.__version__, file=sys.stderr)
