"""Model files saved by Keras 3.15.1 itself (not generated with h5py): run with a Python that has keras 3.15.1 and jax
(the wheels install offline from /opt/pypi/files on the project's machines: pip install keras==3.15.1 jax jaxlib h5py),
from this folder. Each model is trained 3 Adam steps, saved (.keras; func also as the legacy .h5), its predictions saved,
then one more step taken and the weights saved (<name>_after_<i>.npy): jrnn's next step from the file must give them.
The .h5 of seq, emb, cells, dupname and nest_seq are not kept (the GPU stage's carry limit); the script writes them too. Arguments name the
models to write (default all; `python3 make_keras3_real.py cells` writes cells only: each file records when it was saved,
so a rerun changes the bytes of every file it writes). Each .keras is re-zipped with deflate (its three members byte for
byte as Keras wrote them; Keras stores them uncompressed): 6 KB instead of 50 KB, and Keras and jrnn read either.
"""
import os
import sys
os.environ.setdefault("KERAS_BACKEND", "jax")
import numpy as np, keras
from keras import layers, ops
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from keras_zip import deflate
keras.utils.set_random_seed(3)
rng = np.random.default_rng(4)
def save(m, name, xs, y, optimizer=None):
    m.compile(optimizer=optimizer or keras.optimizers.Adam(0.01), loss="mse")
    for _ in range(3): m.train_on_batch(xs, y)
    m.save(f"{name}.keras")
    deflate(f"{name}.keras")
    m.save(f"{name}.h5")
    np.save(f"{name}_pred.npy", np.asarray(m.predict(xs, verbose=0)))
    m.train_on_batch(xs, y)
    for i, w in enumerate(m.get_weights()): np.save(f"{name}_after_{i}.npy", w)
    for i, x in enumerate(xs if isinstance(xs, list) else [xs]): np.save(f"{name}_x{i}.npy", x)
    np.save(f"{name}_y.npy", y)
only = set(sys.argv[1:])
x = rng.normal(size=(4, 6, 3)).astype("float32"); y = rng.normal(size=(4, 2)).astype("float32")
# 1 Sequential stack
if not only or "seq" in only:
  m = keras.Sequential([keras.Input((6, 3)), layers.LSTM(5, return_sequences=True), layers.GRU(4), layers.Dense(2)])
  save(m, "seq", x, y)
# 2 functional: masked, Bidirectional, slice, add
xm = x.copy(); xm[0, 4:] = 0; xm[1, 2:] = 0
if not only or "func" in only:
  i = keras.Input((6, 3)); h = layers.Masking()(i); h = layers.Bidirectional(layers.LSTM(3, return_sequences=True))(h)
  last = h[:, -1]; s = layers.Dense(6)(last) + last
  m = keras.Model(i, layers.Dense(2)(s))
  save(m, "func", xm, y)
# 3 Embedding(mask_zero) -> GRU -> Dense, sparse targets? keep mse on dense
tok = rng.integers(1, 9, size=(4, 6)).astype("int32"); tok[0, 3:] = 0
if not only or "emb" in only:
  i = keras.Input((6,), dtype="int32"); h = layers.Embedding(9, 4, mask_zero=True)(i); h = layers.GRU(3)(h)
  m = keras.Model(i, layers.Dense(2)(h))
  save(m, "emb", tok, y)
# 4 Keras' generic RNN over cells, as the generated rnn_cells.keras holds them (a real file beside it): Masking ->
# RNN(LSTMCell(4), return_sequences) -> RNN([GRUCell(3), SimpleRNNCell(2)]) (StackedRNNCells) -> Dense(2), masked
# in the middle and at the end; its own seeds
if not only or "cells" in only:
  keras.utils.set_random_seed(5)
  xc = np.random.default_rng(6).normal(size=(4, 6, 3)).astype("float32"); xc[0, 2] = 0; xc[1, 4:] = 0
  i = keras.Input((6, 3)); h = layers.Masking()(i); h = layers.RNN(layers.LSTMCell(4), return_sequences=True)(h)
  h = layers.RNN([layers.GRUCell(3), layers.SimpleRNNCell(2)])(h)
  m = keras.Model(i, layers.Dense(2)(h))
  save(m, "cells", xc, y)
# 5 a Sequential whose InputLayer's name ("x") is also the name of a layer in a nested Sequential: Keras keeps both
if not only or "dupname" in only:
  keras.utils.set_random_seed(7)
  inner = keras.Sequential([keras.Input((6, 3), name="inner_in"), layers.LSTM(3, name="x")], name="inner")
  m = keras.Sequential([keras.Input((6, 3), name="x"), inner, layers.Dense(2, name="out")], name="dupname")
  save(m, "dupname", x, y)
# 6 MultiHeadAttention over masked embeddings where one sample's keys are all masked: its query rows get Keras 3's 1/Tv
# weights, and one SGD(0.1) step of mse takes gradients through them (weights after it: mha_rows_after_<i>.npy)
if not only or "mha_rows" in only:
  keras.utils.set_random_seed(8)
  r = np.random.default_rng(3)
  tq = r.integers(1, 9, size=(3, 4)).astype("int32"); tv = r.integers(1, 9, size=(3, 3)).astype("int32"); tv[1, :] = 0; tv[2, 1:] = 0
  iq = keras.Input((4,), dtype="int32", name="q"); iv = keras.Input((3,), dtype="int32", name="v")
  e1 = layers.Embedding(9, 4, mask_zero=True, name="e1"); e2 = layers.Embedding(9, 4, mask_zero=True, name="e2")
  m = keras.Model([iq, iv], layers.MultiHeadAttention(2, 3, name="mha")(e1(iq), e2(iv)))
  m.compile(keras.optimizers.SGD(0.1), "mse")
  ym = r.normal(size=(3, 4, 4)).astype("float32")
  m.save("mha_rows.keras"); deflate("mha_rows.keras")
  np.save("mha_rows_x0.npy", tq); np.save("mha_rows_x1.npy", tv); np.save("mha_rows_y.npy", ym)
  np.save("mha_rows_pred.npy", np.asarray(m.predict([tq, tv], verbose=0)))
  m.train_on_batch([tq, tv], ym)
  for i, w in enumerate(m.get_weights()): np.save(f"mha_rows_after_{i}.npy", w)
# 7 recurrent calls with initial_state on masked inputs. Keras 3's Layer.__call__ fills `mask` only for a call of one
# tensor argument, so a call with initial_state and no mask= runs unmasked (a_implicit, c_bidi, d_implicit) while its
# output still carries the mask; with mask= given (b_explicit, f_explicit: the file records the not_equal / any ops) it
# is masked. Keras' rule counts tensor arguments, so initial_state as one tensor (g_single) and states passed
# positionally (l_positional, b_none) run unmasked too. Leading, inner and trailing masked steps; the loss is masked by the concatenated output's mask. Written
# with the tensorflow backend (KERAS_BACKEND=tensorflow, a Python with tensorflow 2.21 and keras 3.15.1): at a leading
# masked step of a masked call, Keras 3's jax and numpy backends output the initial state h where tensorflow and torch
# (and tf.keras 2, and jrnn) output 0. Trained with SGD and momentum, not Adam: under tensorflow an Embedding's gradient
# is sparse and Keras 3's Adam squares it per occurrence (a token twice in a batch adds g1^2 + g2^2 to v, not
# (g1 + g2)^2); jax, as jrnn, squares the summed gradient.
if not only or "init_mask" in only:
  assert keras.backend.backend() == "tensorflow", "init_mask: run with KERAS_BACKEND=tensorflow"
  keras.utils.set_random_seed(10)
  r = np.random.default_rng(10)
  tk = r.integers(1, 9, size=(4, 6)).astype("int32"); tk[0, 4:] = 0; tk[1, :2] = 0; tk[2, 3] = 0
  xf = r.normal(size=(4, 6, 3)).astype("float32"); xf[0, :1] = 0; xf[1, 5:] = 0; xf[3, 2:4] = 0
  xf[0, 4:] = 0; xf[1, :1] = 0   # masked in both inputs: the output mask (their OR) masks these steps of the loss
  h0 = r.normal(size=(4, 3)).astype("float32"); c0 = r.normal(size=(4, 3)).astype("float32"); g0 = r.normal(size=(4, 2)).astype("float32")
  it = keras.Input((6,), dtype="int32", name="tok"); ix = keras.Input((6, 3), name="xf")
  ih = keras.Input((3,), name="h0"); ic = keras.Input((3,), name="c0"); ig = keras.Input((2,), name="g")
  emb = layers.Embedding(9, 4, mask_zero=True, name="emb"); e = emb(it)
  a = layers.LSTM(3, return_sequences=True, name="a_implicit")(e, initial_state=[ih, ic])
  b = layers.GRU(3, return_sequences=True, name="b_explicit")(e, initial_state=[ih], mask=emb.compute_mask(it))
  c = layers.Bidirectional(layers.SimpleRNN(2, return_sequences=True), name="c_bidi")(e, initial_state=[ig, ig])
  msk = layers.Masking(name="masking"); xm = msk(ix)
  d = layers.GRU(2, return_sequences=True, name="d_implicit")(xm, initial_state=[ig])
  f = layers.SimpleRNN(2, return_sequences=True, name="f_explicit")(xm, initial_state=[ig], mask=msk.compute_mask(ix))
  # the other forms of more than one tensor argument, also unmasked: initial_state as one tensor, states passed
  # positionally; a Bidirectional without merge mode, whose two sequences both carry the mask on to the loss
  g1 = layers.GRU(2, return_sequences=True, name="g_single")(e, initial_state=ig)
  l2 = layers.LSTM(2, return_sequences=True, name="l_positional")(xm, [ig, ig])
  bn = layers.Bidirectional(layers.GRU(2, return_sequences=True), merge_mode=None, name="b_none")(xm, [ig, ig])
  m = keras.Model([it, ix, ih, ic, ig], layers.Dense(2, name="out")(layers.Concatenate(name="cat")([a, b, c, d, f, g1, l2] + list(bn))))
  save(m, "init_mask", [tk, xf, h0, c0, g0], r.normal(size=(4, 6, 2)).astype("float32"), keras.optimizers.SGD(0.1, momentum=0.9))
# 8 Keras 3's legacy .h5 of a MultiHeadAttention model (its weights at mha/query/kernel, ... in the query, key, value,
# attention_output order) trained 3 steps with RMSprop(momentum, centered): optimizer_weights holds iteration,
# learning_rate, then every weight's velocity, every momentum, every average_gradient (three separate builds' groups).
# Only the .h5 is kept (~36 KB: h5py's group headers; Keras writes it so).
if not only or "mha_rms" in only:
  keras.utils.set_random_seed(12)
  r = np.random.default_rng(12)
  xq = r.normal(size=(3, 4, 3)).astype("float32"); xv = r.normal(size=(3, 2, 3)).astype("float32")
  iq = keras.Input((4, 3), name="q"); iv = keras.Input((2, 3), name="v")
  h = layers.MultiHeadAttention(2, 2, name="mha")(iq, iv)
  m = keras.Model([iq, iv], layers.Dense(2, name="out")(h))
  m.compile(keras.optimizers.RMSprop(0.01, momentum=0.5, centered=True), "mse")
  ym = r.normal(size=(3, 4, 2)).astype("float32")
  for _ in range(3): m.train_on_batch([xq, xv], ym)
  m.save("mha_rms.h5")
  np.save("mha_rms_x0.npy", xq); np.save("mha_rms_x1.npy", xv); np.save("mha_rms_y.npy", ym)
  np.save("mha_rms_pred.npy", np.asarray(m.predict([xq, xv], verbose=0)))
  m.train_on_batch([xq, xv], ym)
  for i, w in enumerate(m.get_weights()): np.save(f"mha_rms_after_{i}.npy", w)
# 9 nested models (Keras orders a nested model's variables, and so the optimizer's slots, at its place among the outer
# model's layers, depth first; jrnn flattens it): a functional model whose side branch comes first in its config, then a
# nested functional model holding a nested Sequential, a frozen Dense on its output; the tester's plain
# Sequential([Sequential([LSTM]), Dense]) as nest_seq
if not only or "nest_fn" in only:
  keras.utils.set_random_seed(13)
  r = np.random.default_rng(13)
  xn = r.normal(size=(4, 6, 3)).astype("float32"); yn = r.normal(size=(4, 2)).astype("float32")
  inner_seq = keras.Sequential([keras.Input((6, 3)), layers.LSTM(4, return_sequences=True, name="enc_lstm")], name="inner_seq")
  ii = keras.Input((6, 3), name="ii")
  inner_fn = keras.Model(ii, layers.Dense(3, name="enc_out")(layers.GRU(3, name="enc_gru")(inner_seq(ii))), name="inner_fn")
  i = keras.Input((6, 3), name="i")
  side = layers.Dense(3, name="side")(layers.GlobalAveragePooling1D(name="gap")(i))
  e = inner_fn(i)
  frozen = layers.Dense(3, name="frozen", trainable=False)
  m = keras.Model(i, layers.Dense(2, name="head")(layers.Concatenate(name="cat")([side, frozen(e), e])), name="outer")
  save(m, "nest_fn", xn, yn)
if not only or "nest_seq" in only:
  keras.utils.set_random_seed(16)
  r = np.random.default_rng(16)
  xs = r.normal(size=(5, 5, 3)).astype("float32"); ys = r.normal(size=(5, 2)).astype("float32")
  base = keras.Sequential([keras.Input((5, 3)), layers.LSTM(4, name="bl")], name="base")
  save(keras.Sequential([base, layers.Dense(2, name="head")], name="nest_seq"), "nest_seq", xs, ys)
# 9b nested order (review of 9): a nested functional model d1 -> d2 -> d3 beside a side branch s1 -> s2 -> s3, all
# Dense(4) so that every slot has one shape: Keras orders the optimizer's slots by the config's layers, depth first
# (s1, s2, d1, d2, d3, s3 here), not as the same model built flat, so a slot put at the wrong weight changes the next step
if not only or "nest_order" in only:
  keras.utils.set_random_seed(18)
  r = np.random.default_rng(18)
  xo = r.normal(size=(5, 4)).astype("float32"); yo = r.normal(size=(5, 4)).astype("float32")
  i = keras.Input((4,), name="i")
  s = layers.Dense(4, name="s1")(i); s = layers.Dense(4, name="s2")(s)
  si = keras.Input((4,), name="si")
  inner = keras.Model(si, layers.Dense(4, name="d3")(layers.Dense(4, name="d2")(layers.Dense(4, name="d1")(si))), name="inner")
  m = keras.Model(i, layers.Add(name="add")([inner(i), layers.Dense(4, name="s3")(s)]), name="nest_order")
  save(m, "nest_order", xo, yo)
  # the weights' names in get_weights order (s1, s2, d1, d2, d3, s3): jrnn's flattened model lists them in its own layer
  # order (d1, s1, d2, s2, ...), so the test matches them by name
  import json
  with open("nest_order_names.json", "w") as f: json.dump([v.path for v in m.weights], f)
# 11 compiled with Adam and saved before any step: Keras builds the slots at the first step, so optimizer/vars holds
# iteration and learning_rate alone, which its load restores into the fresh optimizer; one step after it (fresh_after_<i>)
if not only or "fresh" in only:
  keras.utils.set_random_seed(17)
  r = np.random.default_rng(17)
  xf = r.normal(size=(4, 3)).astype("float32"); yf = r.normal(size=(4, 2)).astype("float32")
  m = keras.Sequential([keras.Input((3,)), layers.Dense(2, name="d")], name="fresh")
  m.compile(keras.optimizers.Adam(0.05), "mse")
  m.save("fresh.keras"); deflate("fresh.keras")
  m.train_on_batch(xf, yf)
  for i, w in enumerate(m.get_weights()): np.save(f"fresh_after_{i}.npy", w)
  np.save("fresh_x0.npy", xf); np.save("fresh_y.npy", yf)
# 10 an unbuilt Sequential (no input shape): to_json lists its layers without an InputLayer, model_from_json gives a model
# built by its first data (weight shapes after predicting a (2, 7, 4) batch), clone_model clones it unbuilt
if not only or "unbuilt" in only:
  import json
  s = keras.Sequential([layers.LSTM(3, name="l"), layers.Dense(1, name="d")], name="unbuilt")
  r = keras.models.model_from_json(s.to_json())
  c = keras.models.clone_model(s)
  out = {"to_json": s.to_json(), "built": r.built, "clone_built": c.built,
         "predict_shape": list(r.predict(np.zeros((2, 7, 4), "float32"), verbose=0).shape),
         "weight_shapes": [list(w.shape) for w in r.get_weights()]}
  with open("unbuilt.json", "w") as f: json.dump(out, f, indent=1)
# 12 the mask ops Keras 3 records (outside tester att6): a call of one tensor to a layer whose call takes `mask` (GAP, LSTM,
# GRU, Bidirectional, TimeDistributed, BatchNormalization) keeps its mask in the node, and the ops that computed it are
# listed among the layers: Embedding's not_equal, Masking's not_equal + any, Add's logical_or, a Concatenate's
# expand_dims / zeros_like / ones_like (an input without a mask) / concatenate / any, Attention's convert_to_tensor. The
# Concatenate layers are named "cat" and "cat_one": a layer named "concatenate" here would clash with the op itself (Keras
# names ops "concatenate", "concatenate_1", ... process-wide, and refuses a model with two operations of one name). jrnn reads the file (mask_ops_pred.npy) and, saving it again, names each mask as this file does (KerasMaskExportTest).
# No training: the file, its inputs and predictions.
if not only or "mask_ops" in only:
  keras.utils.set_random_seed(13)
  r = np.random.default_rng(13)
  tk = r.integers(1, 9, size=(3, 5)).astype("int32"); tk[0, 3:] = 0; tk[1, :1] = 0; tk[2, 2] = 0
  xf = r.normal(size=(3, 5, 2)).astype("float32"); xf[0, 4:] = 0; xf[2, :2] = 0
  it = keras.Input((5,), dtype="int32", name="tok"); ix = keras.Input((5, 2), name="xf")
  e = layers.Embedding(9, 4, mask_zero=True, name="emb")(it); u = layers.Embedding(9, 2, name="plain")(it)
  d1 = layers.Dense(3, name="d1")(e); d2 = layers.Dense(2, name="d2")(e)
  c = layers.Concatenate(name="cat")([d1, d2])
  c1 = layers.Concatenate(name="cat_one")([d2, u])
  s = layers.Add(name="add")([d1, layers.Dense(3, name="d3")(e)])
  at = layers.Attention(name="attention")([d1, s])
  xm = layers.Masking(name="masking")(ix)
  b = layers.Bidirectional(layers.GRU(2, return_sequences=True), name="bidi")(layers.TimeDistributed(layers.Dense(3), name="td")(xm))
  n = layers.BatchNormalization(name="bn")(c)
  outs = [layers.GlobalAveragePooling1D(name="gap_cat")(n), layers.LSTM(2, name="lstm_one")(c1), layers.GlobalAveragePooling1D(name="gap_att")(at),
          layers.LSTM(2, name="lstm_bidi")(b), layers.GlobalAveragePooling1D(name="gap_add")(s)]
  m = keras.Model([it, ix], layers.Dense(2, name="out")(layers.Concatenate(name="all")(outs)))
  m.save("mask_ops.keras"); deflate("mask_ops.keras")
  np.save("mask_ops_x0.npy", tk); np.save("mask_ops_x1.npy", xf); np.save("mask_ops_pred.npy", np.asarray(m.predict([tk, xf], verbose=0)))
# 13 MultiHeadAttention clears its inputs' masks at run time (outside testers att1, att2, att5, att7): its call runs
# backend.set_keras_mask(query / value / key, None) on the tensors the model passes on to its other layers, so a layer
# that runs after it in Function._run_through_graph's order (by depth, deepest first) and reads the mask off such a
# tensor sees none: the residual Add, a second MultiHeadAttention on the same tensors (whichever runs second), the loss
# of an output after them; a layer whose node keeps its mask (GlobalAveragePooling1D, LSTM: one tensor, call takes mask)
# still gets it. mha_clear: outputs [Dense(MHA(Add(e, MHA(e, e)))), two MHAs on (e, e), GAP(Add(...))]; mha_clear_loss:
# Dense(V)(Add(e, MHA(e, e))) under sparse CE from logits, whose loss Keras takes over every step (evaluate, then one
# SGD step's weights). The tensorflow backend clears the same masks (a probe layer reading its input's mask; the loss
# unmasked): its weights differ from jax's by their seeds, so the files are jax's.
if not only or "mha_clear" in only:
  keras.utils.set_random_seed(14)
  r = np.random.default_rng(14)
  tk = r.integers(1, 9, size=(4, 6)).astype("int32"); tk[0, 3:] = 0; tk[1, 5:] = 0; tk[3, 1:] = 0
  it = keras.Input((6,), dtype="int32", name="tok"); e = layers.Embedding(9, 4, mask_zero=True, name="emb")(it)
  a = layers.MultiHeadAttention(2, 2, name="mha1")(e, e); x = layers.Add(name="res")([e, a])
  o1 = layers.Dense(3, name="o1")(layers.MultiHeadAttention(2, 2, name="mha2")(x, x))
  o2 = layers.MultiHeadAttention(2, 2, name="mha3")(e, e); o3 = layers.MultiHeadAttention(1, 3, name="mha4")(e, e)
  o4 = layers.GlobalAveragePooling1D(name="gap")(x)
  m = keras.Model(it, [o1, o2, o3, o4])
  m.save("mha_clear.keras"); deflate("mha_clear.keras")
  np.save("mha_clear_x0.npy", tk)
  for j, o in enumerate(m.predict(tk, verbose=0)): np.save(f"mha_clear_pred{j}.npy", o)
  keras.utils.set_random_seed(15)
  ys = r.integers(0, 9, size=(4, 6)).astype("int32")
  it = keras.Input((6,), dtype="int32", name="tok"); e = layers.Embedding(9, 4, mask_zero=True, name="emb")(it)
  m = keras.Model(it, layers.Dense(9, name="logits")(layers.Add(name="res")([e, layers.MultiHeadAttention(2, 2, name="mha")(e, e)])))
  m.compile(keras.optimizers.SGD(0.5), keras.losses.SparseCategoricalCrossentropy(from_logits=True))
  m.save("mha_clear_loss.keras"); deflate("mha_clear_loss.keras")
  np.save("mha_clear_loss_y.npy", ys); np.save("mha_clear_loss_pred.npy", m.predict(tk, verbose=0))
  np.save("mha_clear_loss_eval.npy", np.array(m.evaluate(tk, ys, verbose=0, batch_size=4), "float32"))
  m.train_on_batch(tk, ys)
  for i, w in enumerate(m.get_weights()): np.save(f"mha_clear_loss_after_{i}.npy", w)
  # mha_alias: Dropout at inference returns its input itself, so MultiHeadAttention(d, d) on d = Dropout(e) clears e's
  # mask too (one object): the residual Add([e, ...]) and the MHA after it run unmasked (predictions at inference)
  keras.utils.set_random_seed(16)
  it = keras.Input((6,), dtype="int32", name="tok"); e = layers.Embedding(9, 4, mask_zero=True, name="emb")(it)
  d = layers.Dropout(0.3, name="drop")(e); x = layers.Add(name="res")([e, layers.MultiHeadAttention(2, 2, name="mha1")(d, d)])
  m = keras.Model(it, layers.Dense(3, name="out")(layers.MultiHeadAttention(2, 2, name="mha2")(x, x)))
  m.save("mha_alias.keras"); deflate("mha_alias.keras")
  np.save("mha_alias_pred.npy", m.predict(tk, verbose=0))
# 13 Dropout and SpatialDropout1D of rate 1, which Keras 3 takes (jrnn refused them): in training each returns
# zeros_like (no draw; a zero gradient), at inference its input. The Dense before the Dropout gets no gradient, the GRU's
# kernel rows for the dropped features none either; Adam leaves them as they were (drop1.h5 too)
if not only or "drop1" in only:
  keras.utils.set_random_seed(19)
  r = np.random.default_rng(19)
  xd = r.normal(size=(4, 6, 3)).astype("float32"); yd = r.normal(size=(4, 2)).astype("float32")
  i = keras.Input((6, 3), name="i"); h = layers.LSTM(4, return_sequences=True, name="lstm")(i)
  d1 = layers.SpatialDropout1D(1.0, name="sdrop")(h); d2 = layers.Dropout(1.0, name="drop")(layers.Dense(3, name="pre")(i))
  c = layers.Concatenate(name="cat")([h, d1, d2])
  m = keras.Model(i, layers.Dense(2, name="out")(layers.GRU(3, name="gru")(c)), name="drop1")
  save(m, "drop1", xd, yd)
print("keras", keras.__version__)
