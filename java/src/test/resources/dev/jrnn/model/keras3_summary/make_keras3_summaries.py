"""Keras 3.15.1's model.summary() text (not a terminal: plain, no colours), one golden per model, for
Keras3SummaryTest. Run from this folder with a Python that has keras 3.15.1 and jax (KERAS_BACKEND=jax):
    KERAS_BACKEND=jax /tmp/jrnn-keras3/venv/bin/python make_keras3_summaries.py
COLUMNS=80 is set as a console without a terminal has it (shutil's and rich's fallback), so line_length is
min(88 or 108, 80 - 4) = 76. print_fn captures the text as print_summary's non-interactive path does
(rich Console(force_terminal=False, color_system=None)). No weights are drawn into the text: deterministic.
"""
import os
os.environ["COLUMNS"] = "80"
os.environ.setdefault("KERAS_BACKEND", "jax")
import numpy as np
import keras
from keras import layers, Input

assert keras.__version__ == "3.15.1", keras.__version__


def write(name, model, **kw):
    out = []
    model.summary(print_fn=lambda s, **_: out.append(s), **kw)
    with open(f"{name}.txt", "w", encoding="utf-8") as f:
        f.write("".join(out))


def models():
    keras.backend.clear_session()
    # the brief's example: default names
    yield "rnn_stack", keras.Sequential([Input((5, 3)), layers.LSTM(4, return_sequences=True), layers.GRU(3),
                                         layers.Dense(2)]), {}

    keras.backend.clear_session()
    # Embedding + masking, thousands separators, KB / MB sizes
    yield "embedding_mask", keras.Sequential([Input((7,), dtype="int32"), layers.Embedding(20000, 128, mask_zero=True),
                                              layers.LSTM(256), layers.Dense(10, activation="softmax")],
                                             name="text_classifier"), {}

    keras.backend.clear_session()
    # Bidirectional, TimeDistributed, BatchNormalization (non-trainable moving stats), a frozen layer
    m = keras.Sequential([Input((6, 4)), layers.SimpleRNN(5, return_sequences=True, name="frozen_rnn"),
                          layers.Bidirectional(layers.LSTM(5, return_sequences=True)),
                          layers.TimeDistributed(layers.Dense(3)), layers.BatchNormalization(), layers.Dropout(0.1),
                          layers.Flatten(), layers.Dense(1)], name="tagger")
    m.layers[0].trainable = False
    yield "bidirectional_frozen", m, {}

    keras.backend.clear_session()
    # functional, two inputs, Concatenate: Connected to, cells that wrap (long names, several inputs),
    # a layer with several outputs
    a = Input((5, 3), name="input_a")
    b = Input((4, 2), name="input_b")
    x, h, c = layers.LSTM(4, return_state=True, name="encoder_lstm")(a)
    y = layers.GRU(4, name="a_rather_long_layer_name_that_wraps_in_its_cell")(b)
    z = layers.Concatenate(name="joined")([x, h, c, y])
    out = layers.Dense(1, name="score")(z)
    yield "two_inputs", keras.Model([a, b], out, name="two_inputs"), {}

    keras.backend.clear_session()
    # a rank-1 output (Keras' format_shape writes "(None)", not Python's "(None,)"); a name of no-break spaces, which
    # rich's wrap takes as spaces (Python's \s)
    i = Input((4, 3), name="feats")
    d = layers.Dense(1, name="alpha\u00a0beta\u00a0gamma\u00a0delta\u00a0epsilon\u00a0zeta")(i)
    yield "rank_one_nbsp", keras.Model(i, d[:, 0, 0], name="rank_one"), {}

    keras.backend.clear_session()
    # functional but sequential-like: three columns, the InputLayer listed; a frozen model
    i = Input((3, 2), name="series")
    m = keras.Model(i, layers.Dense(2, name="head")(layers.GRU(8, name="gru")(i)), name="forecaster")
    m.trainable = False
    yield "functional_frozen", m, {}

    keras.backend.clear_session()
    # Bidirectional's five outputs, a class name cut with an ellipsis, two heads (no mask: with mask_zero Keras 3 adds a
    # not_equal op and the mask among the inputs, which jrnn's summary does not list)
    t = Input((9,), dtype="int32", name="tokens")
    e = layers.Embedding(5000, 16, name="embed")(t)
    outs = layers.Bidirectional(layers.LSTM(8, return_sequences=True, return_state=True), name="bi_encoder")(e)
    p = layers.GlobalAveragePooling1D(name="pool")(outs[0])
    c = layers.Concatenate(name="cat")([p, outs[1], outs[3]])
    heads = [layers.Dense(3, activation="softmax", name="label")(c), layers.Dense(1, name="value")(c)]
    yield "bidirectional_states_two_heads", keras.Model(t, heads, name="two_heads"), {}

    keras.backend.clear_session()
    # a shared layer: its last call's shape, every call's inputs; the second call is node 1
    left, right = Input((5, 3), name="left"), Input((5, 3), name="right")
    enc = layers.LSTM(4, name="shared_encoder")
    d = layers.Subtract(name="diff")([enc(left), enc(right)])
    yield "shared_layer", keras.Model([left, right], layers.Dense(1, name="out")(d), name="siamese"), {}

    keras.backend.clear_session()
    # op layers of tensor arithmetic and slicing among the layers (Keras 3 records h[:, -1] as GetItem, a + b, a - b and
    # a * b as the ops Add, Subtract and Multiply, named as layers are): rows of their own, 0 params, both operands
    # under Connected to
    i = Input((6, 3), name="seq")
    h = layers.LSTM(4, return_sequences=True, name="enc")(i)
    last = h[:, -1]
    s = layers.Dense(4, name="proj")(last) + last
    g = layers.Dense(4, activation="sigmoid", name="gate")(last)
    yield "op_layers", keras.Model(i, layers.Dense(1, name="out")((s - g) * g), name="ops"), {}

    keras.backend.clear_session()
    # after a training step: Keras adds the optimizer's variables (iteration, learning_rate, Adam's two slots per
    # weight); compiled but not trained: no such line
    m = keras.Sequential([Input((5, 3)), layers.LSTM(4), layers.Dense(2)], name="trained")
    m.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
    write("compiled_not_trained", m)
    m.train_on_batch(np.zeros((2, 5, 3), "float32"), np.zeros((2, 2), "float32"))
    yield "trained_adam", m, {}

    keras.backend.clear_session()
    m = keras.Sequential([Input((5, 3)), layers.GRU(3), layers.Dense(1)], name="trained_sgd")
    m.compile(optimizer=keras.optimizers.SGD(0.1, momentum=0.9), loss="mse")
    m.train_on_batch(np.zeros((2, 5, 3), "float32"), np.zeros((2, 1), "float32"))
    yield "trained_sgd_momentum", m, {}

    keras.backend.clear_session()
    # plain SGD has no slot: Keras still counts iteration and learning_rate (only iteration under a schedule); saved
    # after the step, so jrnn's summary of the loaded file must show the same line (trained_sgd_plain.keras, .h5)
    for name, opt in (("trained_sgd_plain", keras.optimizers.SGD(0.1)),
                      ("trained_sgd_schedule", keras.optimizers.SGD(keras.optimizers.schedules.ExponentialDecay(0.1, 1, 0.5)))):
        keras.backend.clear_session()
        m = keras.Sequential([Input((5, 3)), layers.GRU(3), layers.Dense(1)], name=name)
        m.compile(optimizer=opt, loss="mse")
        m.train_on_batch(np.zeros((2, 5, 3), "float32"), np.zeros((2, 1), "float32"))
        m.save(f"{name}.keras")
        if name == "trained_sgd_plain":
            m.save(f"{name}.h5")
        yield name, m, {}

    keras.backend.clear_session()
    # compiled, never trained, saved: Keras' load_model builds the optimizer (compile_from_config), so the loaded
    # model's summary counts its variables although no step ran (loaded_not_trained.keras)
    m = keras.Sequential([Input((5, 3)), layers.LSTM(4), layers.Dense(2)], name="loaded_not_trained")
    m.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
    m.save("loaded_not_trained.keras")
    keras.backend.clear_session()
    yield "loaded_not_trained", keras.models.load_model("loaded_not_trained.keras"), {}

    keras.backend.clear_session()
    # not built: Keras 3 lists the layers with "?" and "0 (unbuilt)"
    yield "unbuilt", keras.Sequential([layers.LSTM(4), layers.Dropout(0.1), layers.Dense(2)], name="unbuilt"), {}


for name, model, kw in models():
    write(name, model, **kw)
