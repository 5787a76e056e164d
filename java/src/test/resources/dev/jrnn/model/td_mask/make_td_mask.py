# Keras 3.15.1 (TensorFlow) goldens of TrainStepTest's losses under a (batch, sentences, words) mask: Masking(0) on
# Input(shape=(3, 4, 5)) -> TimeDistributed(RNN) -> Dense(2), whose output (2, 3, 4, 2) carries the (2, 3, 4) word mask
# that Keras 3's loss and MeanMetricWrapper metrics (mae) apply: a mean over the valid words, sample weights multiplied in.
# Writes CASE.keras (before anything runs) and td_mask.txt ("case key values..."): evaluate (loss, mae) before, then
# train_on_batch twice (SGD(0.1), mse; train1, train2: the losses), the weights after (w0, w1, ... in get_weights order),
# evaluate after (evaluate2: loss, mae).
#   lstm_seq, gru_seq: TimeDistributed(LSTM / GRU(3, return_sequences=True)).
#   lstm_seq_sw: lstm_seq.keras with sample_weight (2,) = [1.0, 0.5]. Keras 3 cannot take these (2,) weights on the
#     (2, 3, 4) mask: apply_mask multiplies them NumPy-wise, aligning the last axes, 4 against 2, and fails (where the batch
#     equals the words it would weigh the words instead); here they are given broadcast per sample, (2, 3, 4), as jrnn
#     reads a per-sample weight: the sample's weight on each of its rows. TrainStepTest gives jrnn both the (2,) weights
#     and this very (2, 3, 4) tensor (jrnn takes one weight per loss element, as Keras).
#   bidi_seq: TimeDistributed(Bidirectional(LSTM(3, return_sequences=True))).
#   td_dense: TimeDistributed(LSTM(3, return_sequences=True)) -> TimeDistributed(Dense(2)) (TimeDistributed passes the
#     mask on).
#   lstm_last: TimeDistributed(LSTM(3)) -> Dense(2), output (2, 3, 2): Keras 3 refuses its loss (the (2, 3, 4) mask
#     meets a (2, 3) loss); jrnn masks a sentence where no word is real (tf.keras 2's TimeDistributed.compute_mask), and
#     its evaluate is pinned against that mean taken here in float64 over Keras' own predictions (predict, evaluate_ref).
# Run here: KERAS_BACKEND=tensorflow python make_td_mask.py (tensorflow-cpu 2.21).
import numpy as np, keras
from keras import layers

def det(shape, a, b, scale):
    n = int(np.prod(shape)); i = np.arange(n)
    return (np.sin(i * a + b) * scale).reshape(shape).astype("float32")

out = open("td_mask.txt", "w")
def put(case, key, v):
    out.write(case + " " + key + " " + " ".join("%.9g" % x for x in np.asarray(v, "float64").ravel()) + "\n")

B, T, I, F = 2, 3, 4, 5
x = det((B, T, I, F), 0.7, 0.3, 1.0)
x[0, 1, 2:] = 0.0   # trailing words padded
x[1, 2, :] = 0.0    # a whole sentence padded
x[1, 0, 0] = 0.0    # a leading word padded
y4 = det((B, T, I, 2), 0.3, 0.6, 1.0)
y3 = det((B, T, 2), 0.3, 0.6, 1.0)
sw = np.array([1.0, 0.5], "float32")

def build(case):
    keras.utils.set_random_seed(1)
    inp = keras.Input(shape=(T, I, F), name="x")
    h = layers.Masking(0.0, name="mk")(inp)
    if case.startswith("gru"):
        rnn = layers.GRU(3, return_sequences=True, name="rnn")
    elif case == "lstm_last":
        rnn = layers.LSTM(3, name="rnn")
    else:
        rnn = layers.LSTM(3, return_sequences=True, name="rnn")
    if case == "bidi_seq":
        rnn = layers.Bidirectional(rnn, name="bi")
    h = layers.TimeDistributed(rnn, name="td")(h)
    head = layers.Dense(2, name="head")
    o = layers.TimeDistributed(head, name="td_head")(h) if case == "td_dense" else head(h)
    m = keras.Model(inp, o)
    m.compile(keras.optimizers.SGD(0.1), "mse", metrics=["mae"])
    return m

for case in ["lstm_seq", "gru_seq", "lstm_seq_sw", "bidi_seq", "td_dense", "lstm_last"]:
    m = build("lstm_seq" if case == "lstm_seq_sw" else case)
    if case != "lstm_seq_sw":
        m.save(f"{case}.keras")
    if case == "lstm_last":
        p = m.predict(x, batch_size=B, verbose=0)
        keep = (x != 0).any(-1).any(-1).astype("float64")   # (B, T): a sentence with any real word
        se = ((p.astype("float64") - y3) ** 2).mean(-1)
        put(case, "predict", p)
        put(case, "evaluate_ref", [(se * keep).sum() / keep.sum(), (np.abs(p - y3).mean(-1) * keep).sum() / keep.sum()])
        continue
    w = None if case != "lstm_seq_sw" else np.broadcast_to(sw[:, None, None], (B, T, I)).copy()
    put(case, "evaluate", m.evaluate(x, y4, sample_weight=w, batch_size=B, verbose=0))
    if case == "lstm_seq":   # batches of one: the per-batch masked means averaged over the batches
        put(case, "evaluate_b1", m.evaluate(x, y4, batch_size=1, verbose=0))
    put(case, "train1", [m.train_on_batch(x, y4, sample_weight=w)[0]])
    put(case, "train2", [m.train_on_batch(x, y4, sample_weight=w)[0]])
    for k, v in enumerate(m.get_weights()):
        put(case, "w%d" % k, v)
    put(case, "evaluate2", m.evaluate(x, y4, sample_weight=w, batch_size=B, verbose=0))
out.close()
