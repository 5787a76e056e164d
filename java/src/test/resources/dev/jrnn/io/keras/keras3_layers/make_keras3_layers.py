"""Layer goldens computed by Keras 3.15.1 itself (jax backend), for RealKerasLayersTest.

Run from this folder with the Python that has keras 3.15.1 and jax (on the project's machines:
KERAS_BACKEND=jax /tmp/jrnn-keras3/venv/bin/python make_keras3_layers.py). Deterministic (seeded).

Each case is a small functional model of several outputs (one per layer option), its weights set to seeded random
values (biases and BatchNormalization statistics included, so that none is a default), saved by model.save as
<case>.keras, then re-zipped with deflate (Keras stores its members; both Keras and jrnn read either) to keep the
fixtures a few KB. <case>.json.gz holds the inputs, Keras' predictions of every output and, for the cases that train,
the weights (BatchNormalization's moving statistics too) after one train_on_batch with SGD(0.1) and mse on every output against zeros (the file is saved
compiled with them before that step): one step checks every layer's gradient, BPTT and masks included.
"""
import os
import sys

os.environ["KERAS_BACKEND"] = "jax"
import keras
import numpy as np
from keras import layers

import keras3_goldens
from keras3_goldens import arr

keras.utils.set_random_seed(19)
rng = np.random.default_rng(19)
B, T, F = 4, 6, 3
ONLY = set(sys.argv[1:])  # case names to write; the others are built (same random draws) but not saved
if not ONLY:
    # one process per case, as a case is written alone (every case draws its weights, so the numbers are the same)
    import subprocess
    for c in ["rnn", "mask", "attn", "conv", "dense", "infer"]:
        subprocess.run([sys.executable, __file__, c], check=True)
    sys.exit(0)


def randomize(m):
    keras3_goldens.randomize(m, rng)


def padded(x, lengths):
    x = x.copy()
    for b, n in enumerate(lengths):
        x[b, n:] = 0
    return x


def save(name, m, xs, train=True):
    randomize(m)
    if ONLY and name not in ONLY:
        return
    if train:
        m.compile(optimizer=keras.optimizers.SGD(0.1), loss=["mse"] * len(m.outputs))
    m.save(name + ".keras")
    keras3_goldens.deflate(name + ".keras")
    preds = m.predict(xs, verbose=0)
    preds = preds if isinstance(preds, (list, tuple)) else [preds]
    out = {"keras": keras.__version__, "inputs": [arr(x) for x in xs],
           "outputs": [{"name": t._keras_history.operation.name, "value": arr(p)} for t, p in zip(m.outputs, preds)]}
    if train:
        m.train_on_batch(xs, [np.zeros(np.asarray(p).shape, "float32") for p in preds])
        out["after"] = [{"path": v.path, "value": arr(v.numpy())} for v in m.weights]
    keras3_goldens.write_json_gz(name + ".json.gz", out)


x = rng.normal(size=(B, T, F)).astype("float32")
xp = padded(x, [6, 4, 2, 5])
h0 = rng.normal(size=(B, 3)).astype("float32")
c0 = rng.normal(size=(B, 3)).astype("float32")

# 1 recurrent options, no mask
i = keras.Input((T, F), name="x")
ih = keras.Input((3,), name="h0")
ic = keras.Input((3,), name="c0")
outs = [layers.SimpleRNN(3, return_sequences=True, activation="relu", name="srnn_relu_seq")(i)]
o, h, c = layers.LSTM(3, return_state=True, name="lstm_state")(i)
outs += [o, h, c]
outs.append(layers.LSTM(3, go_backwards=True, return_sequences=True, use_bias=False, name="lstm_back_nobias")(i))
outs.append(layers.LSTM(2, activation="softsign", recurrent_activation="hard_sigmoid", unit_forget_bias=False,
                        name="lstm_act")(i))
outs.append(layers.GRU(3, reset_after=False, return_sequences=True, go_backwards=True, name="gru_v1_back")(i))
o, h = layers.GRU(3, return_state=True, use_bias=False, recurrent_activation="hard_sigmoid", activation="relu",
                  name="gru_state_nobias")(i)
outs += [o, h]
outs.append(layers.SimpleRNN(2, go_backwards=True, name="srnn_back")(i))
outs.append(layers.LSTM(3, name="lstm_init")(i, initial_state=[ih, ic]))
outs.append(layers.GRU(3, return_sequences=True, name="gru_init")(i, initial_state=[ih]))
outs.append(layers.GRU(3, reset_after=False, name="gru_v1_init")(i, initial_state=[ih]))
outs.append(layers.SimpleRNN(3, name="srnn_init")(i, initial_state=[ih]))
s = layers.LSTM(4, return_sequences=True, name="stack1")(i)
s = layers.GRU(3, return_sequences=True, name="stack2")(s)
outs.append(layers.SimpleRNN(2, name="stack3")(s))
outs.append(layers.TimeDistributed(layers.Dense(2, activation="tanh"), name="td_dense")(i))
save("rnn", keras.Model([i, ih, ic], outs), [x, h0, c0])

# 2 masks: Masking into recurrent layers, Bidirectional (every merge mode), mask consumers
i = keras.Input((T, F), name="x")
m = layers.Masking(name="masking")(i)
outs = [layers.LSTM(3, return_sequences=True, name="m_lstm_seq")(m)]
outs.append(layers.GRU(3, go_backwards=True, name="m_gru_back")(m))
outs.append(layers.GRU(3, reset_after=False, return_sequences=True, name="m_gru_v1_seq")(m))
o, h = layers.SimpleRNN(2, return_sequences=True, return_state=True, name="m_srnn_state")(m)
outs += [o, h]
outs.append(layers.Bidirectional(layers.LSTM(2, return_sequences=True), merge_mode="concat", name="bi_concat")(m))
outs.append(layers.Bidirectional(layers.GRU(2), merge_mode="sum", name="bi_sum")(m))
outs.append(layers.Bidirectional(layers.SimpleRNN(2, return_sequences=True), merge_mode="mul", name="bi_mul")(m))
outs.append(layers.Bidirectional(layers.LSTM(2), merge_mode="ave", name="bi_ave")(m))
outs += layers.Bidirectional(layers.GRU(2, return_sequences=True), merge_mode=None, name="bi_none")(m)
o = layers.Bidirectional(layers.LSTM(2, return_sequences=True), name="bi_stack1")(m)
outs.append(layers.Bidirectional(layers.GRU(2), name="bi_stack2")(o))
outs += list(layers.Bidirectional(layers.LSTM(2, return_state=True), name="bi_state")(m))
s = layers.LSTM(3, return_sequences=True, name="m_stack1")(m)
outs.append(layers.GRU(2, name="m_stack2")(s))
outs.append(layers.GlobalAveragePooling1D(name="m_gap")(layers.TimeDistributed(layers.Dense(3), name="m_td")(m)))
outs.append(layers.GlobalMaxPooling1D(name="m_gmp")(s))
outs.append(layers.BatchNormalization(name="m_bn")(m))  # its SGD step takes masked batch moments
outs.append(layers.LSTM(2, name="m_cat_lstm")(layers.Concatenate(name="m_cat")([m, layers.Dense(2, name="m_dense")(m)])))
outs.append(layers.GRU(2, name="m_conv_gru")(layers.Conv1D(2, 2, padding="causal", name="m_conv")(m)))
# masks that are not post-padding: leading, inner and trailing masked steps. Not with initial states: Keras 3 passes
# no mask to a recurrent layer called with initial_state (Layer.__call__ fills `mask` only for a call of one tensor
# argument), so it runs unmasked while its output still carries the mask; jrnn masks it (not yet matched)
xh = x.copy()
xh[0, :2] = 0
xh[1, 2:4] = 0
xh[2, [0, 3, 5]] = 0
xh[3, 1:] = 0
ih = keras.Input((T, F), name="holes")
mh = layers.Masking(name="masking_h")(ih)
outs.append(layers.LSTM(3, return_sequences=True, name="h_lstm_seq")(mh))
outs += list(layers.GRU(3, go_backwards=True, return_sequences=True, return_state=True, name="h_gru_back")(mh))
outs.append(layers.Bidirectional(layers.LSTM(2, return_sequences=True), name="h_bi")(mh))
outs.append(layers.GRU(2, name="h_add_gru")(layers.Add(name="h_add")([m, mh])))
outs.append(layers.GlobalAveragePooling1D(name="h_gap")(mh))
save("mask", keras.Model([i, ih], outs), [xp, xh])

# 3 Embedding(mask_zero) and attention with masks
tok = rng.integers(1, 9, size=(B, T)).astype("int32")
for b, n in enumerate([6, 3, 5, 2]):
    tok[b, n:] = 0
tok2 = rng.integers(1, 9, size=(B, 4)).astype("int32")
for b, n in enumerate([4, 2, 1, 3]):
    tok2[b, n:] = 0
iq = keras.Input((T,), dtype="int32", name="q")
iv = keras.Input((4,), dtype="int32", name="v")
emb = layers.Embedding(9, 4, mask_zero=True, name="emb")
q, v = emb(iq), emb(iv)
outs = [q]
outs.append(layers.Attention(name="att")([q, v]))
outs.append(layers.Attention(use_scale=True, score_mode="concat", name="att_concat")([q, v, v]))
outs.append(layers.Attention(name="att_causal")([q, q], use_causal_mask=True))
outs.append(layers.AdditiveAttention(name="add_att")([q, v]))
outs.append(layers.AdditiveAttention(use_scale=False, name="add_att_noscale")([q, v, v]))
# Keras' MultiHeadAttention reads its inputs' masks when it runs and then deletes them from those tensors (so that a
# layer that runs after it on the same tensors sees none): each one gets an Embedding of its own
def own(n, *ids):
    e = layers.Embedding(9, 4, mask_zero=True, name=n)
    return [e(t) for t in ids]
outs.append(layers.MultiHeadAttention(2, 3, name="mha")(*own("emb1", iq, iv)))
q2, v2 = own("emb2", iq, iv)
outs.append(layers.MultiHeadAttention(2, 2, name="mha_kv")(q2, v2, key=v2))
q3, = own("emb3", iq)
outs.append(layers.MultiHeadAttention(1, 4, use_bias=False, output_shape=5, name="mha_causal")(q3, q3, use_causal_mask=True))
outs.append(layers.GlobalAveragePooling1D(name="emb_gap")(q))
outs.append(layers.LSTM(2, name="emb_lstm")(q))
outs.append(layers.Bidirectional(layers.GRU(2, return_sequences=True), name="emb_bi")(v))
save("attn", keras.Model([iq, iv], outs), [tok, tok2])

# 4 convolutions, pooling, reshaping, merges (two samples)
x2 = x[:2]
i = keras.Input((T, F), name="x")
outs = [layers.Conv1D(2, 3, padding="valid", name="conv_valid")(i)]
outs.append(layers.Conv1D(2, 3, padding="same", activation="relu", name="conv_same")(i))
outs.append(layers.Conv1D(2, 2, padding="causal", dilation_rate=2, name="conv_causal_dil")(i))
outs.append(layers.Conv1D(2, 3, strides=2, padding="same", use_bias=False, name="conv_stride_same")(i))
outs.append(layers.Conv1D(2, 2, strides=2, padding="valid", name="conv_stride_valid")(i))
outs.append(layers.Conv1D(2, 3, padding="same", dilation_rate=2, name="conv_same_dil")(i))
outs.append(layers.MaxPooling1D(2, name="maxpool")(i))
outs.append(layers.MaxPooling1D(3, strides=2, padding="same", name="maxpool_same")(i))
outs.append(layers.AveragePooling1D(2, strides=1, name="avgpool")(i))
outs.append(layers.AveragePooling1D(4, strides=3, padding="same", name="avgpool_same")(i))
outs.append(layers.GlobalAveragePooling1D(keepdims=True, name="gap_keep")(i))
outs.append(layers.GlobalMaxPooling1D(name="gmp")(i))
outs.append(layers.Flatten(name="flatten")(i))
outs.append(layers.Reshape((2, 9), name="reshape")(i))
outs.append(layers.Permute((2, 1), name="permute")(i))
outs.append(layers.RepeatVector(2, name="repeat")(layers.Flatten(name="flat2")(i)))
outs.append(layers.ZeroPadding1D((1, 2), name="zpad")(i))
outs.append(layers.Cropping1D((2, 1), name="crop")(i))
outs.append(layers.UpSampling1D(2, name="upsample")(i))
a = layers.Dense(3, name="da")(i)
outs.append(layers.Concatenate(axis=1, name="concat_t")([i, a]))
outs.append(layers.Concatenate(name="concat")([i, a]))
outs.append(layers.Add(name="add")([i, a]))
outs.append(layers.Subtract(name="sub")([i, a]))
outs.append(layers.Multiply(name="mul")([i, a]))
outs.append(layers.Average(name="avg")([i, a]))
outs.append(layers.Maximum(name="max")([i, a]))
outs.append(layers.Minimum(name="min")([i, a]))
outs.append(layers.Dot(axes=(2, 2), name="dot")([i, a]))
outs.append(layers.Dot(axes=1, normalize=True, name="dot_norm")([i, a]))
save("conv", keras.Model(i, outs), [x2])

# 5 Dense activations, normalization (two samples of two steps)
x3 = (x[:2, :2] * 2).astype("float32")
acts = ["gelu", "selu", "swish", "hard_sigmoid", "softplus", "softsign", "elu", "exponential", "relu6", "mish",
        "hard_silu", "celu", "log_sigmoid", "hard_tanh", "tanh_shrink", "soft_shrink", "hard_shrink", "squareplus",
        "sparse_plus", "sparse_sigmoid", "leaky_relu", "log_softmax", "softmax", "silu"]
i = keras.Input((2, F), name="x")
d = layers.Dense(3, name="dense_pre")(i)
outs = [layers.Activation(a, name="act_" + a)(d) for a in acts]
outs += [layers.Dense(3, activation=a, name="dense_" + a)(i) for a in ["gelu", "selu", "hard_sigmoid", "swish"]]
outs.append(layers.Dense(3, activation=keras.activations.gelu, name="dense_gelu_exact")(i))
outs.append(layers.Dense(3, use_bias=False, name="dense_nobias")(i))
outs.append(layers.LayerNormalization(name="ln")(i))
outs.append(layers.LayerNormalization(center=False, epsilon=0.1, name="ln_nocenter")(i))
outs.append(layers.LayerNormalization(scale=False, name="ln_noscale")(i))
outs.append(layers.ReLU(max_value=0.5, negative_slope=0.1, threshold=0.2, name="relu_opts")(i))
outs.append(layers.LeakyReLU(negative_slope=0.2, name="leaky")(i))
outs.append(layers.ELU(name="elu")(i))
outs.append(layers.PReLU(name="prelu")(i))
outs.append(layers.PReLU(shared_axes=[1], name="prelu_shared")(i))
outs.append(layers.Softmax(axis=1, name="softmax_t")(i))
outs.append(layers.Dense(2, activation="sigmoid", name="dense_sig")(i))
save("dense", keras.Model(i, outs), [x3])

# 6 inference only: BatchNormalization (moving statistics), dropouts, noise
i = keras.Input((T, F), name="x")
outs = [layers.BatchNormalization(name="bn")(i)]
outs.append(layers.BatchNormalization(center=False, epsilon=0.01, name="bn_nocenter")(i))
outs.append(layers.BatchNormalization(scale=False, name="bn_noscale")(i))
outs.append(layers.Dropout(0.5, name="dropout")(i))
outs.append(layers.SpatialDropout1D(0.5, name="sdropout")(i))
outs.append(layers.GaussianNoise(0.5, name="gnoise")(i))
outs.append(layers.GaussianDropout(0.5, name="gdropout")(i))
outs.append(layers.LSTM(2, dropout=0.5, recurrent_dropout=0.5, name="lstm_dropout")(i))
outs.append(layers.GRU(2, dropout=0.5, recurrent_dropout=0.5, name="gru_dropout")(i))
nm = layers.Normalization(mean=[0.5, -1.0, 2.0], variance=[2.0, 0.5, 1.5], name="norm")
outs.append(nm(i))
outs.append(layers.Normalization(mean=[0.5, -1.0, 2.0], variance=[2.0, 0.5, 1.5], invert=True, name="denorm")(i))
it = keras.Input((T,), dtype="int32", name="tok")
e, = own("emb_drop", it)
outs.append(layers.MultiHeadAttention(2, 2, dropout=0.5, name="mha_dropout")(e, e))
# returned scores (here, not in attn: Keras 3.15.1 cannot train them, it applies the query mask to their loss)
e2, = own("emb_scores", it)
outs += list(layers.MultiHeadAttention(2, 2, name="mha_scores")(e2, e2, return_attention_scores=True))
outs += list(layers.Attention(name="att_scores")([e, e], return_attention_scores=True))
save("infer", keras.Model([i, it], outs), [x, tok], train=False)
print("keras", keras.__version__)
