"""Goldens for jrnn's data API computed by the real implementations (TfDataGoldensTest reads them).

TensorFlow 2.21.0 (tensorflow_cpu) with Keras 3.15.1 on its tensorflow backend, numpy 2.4:
    python3.11 -m venv V && V/bin/pip install --no-index --find-links /opt/pypi/files tensorflow_cpu==2.21.0
    V/bin/python make_tfdata_goldens.py          # writes the *.json beside this file
Deterministic: every input is written out here; no randomness is recorded except shuffle's coverage facts.
"""
import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ["KERAS_BACKEND"] = "tensorflow"
import numpy as np
import tensorflow as tf
import keras

HERE = os.path.dirname(os.path.abspath(__file__))


def dump(name, obj):
    with open(os.path.join(HERE, name), "w", encoding="utf-8") as f:
        json.dump({"versions": {"tensorflow": tf.__version__, "keras": keras.__version__}, "cases": obj}, f,
                  separators=(",", ":"), ensure_ascii=False)
        f.write("\n")


def short(a):
    """float32 values as their shortest text (whole numbers as ints), to keep the files small."""
    return [int(v) if float(v).is_integer() else float(np.format_float_positional(np.float32(v), unique=True))
            for v in np.asarray(a, dtype="float32").reshape(-1)]


def err(e):
    return type(e).__name__


# ---- keras.utils.timeseries_dataset_from_array ----
def timeseries():
    cases = []
    specs = [
        dict(n=10, f=1, t=10, L=3, stride=1, rate=1, start=None, end=None, batch=4),
        dict(n=12, f=2, t=12, L=4, stride=3, rate=1, start=None, end=None, batch=2),
        dict(n=15, f=1, t=15, L=3, stride=2, rate=3, start=None, end=None, batch=5),
        dict(n=20, f=1, t=20, L=3, stride=1, rate=2, start=4, end=15, batch=3),
        dict(n=10, f=1, t=6, L=2, stride=1, rate=1, start=None, end=None, batch=4),   # targets shorter
        dict(n=10, f=1, t=None, L=5, stride=2, rate=1, start=None, end=None, batch=128),
        dict(n=10, f=1, t=10, L=3, stride=1, rate=1, start=3, end=None, batch=4),
        dict(n=10, f=1, t=10, L=3, stride=1, rate=1, start=None, end=7, batch=4),
        dict(n=10, f=1, t=8, L=2, stride=1, rate=1, start=3, end=None, batch=20),    # targets shorter, start > 0
        dict(n=9, f=3, t=9, L=9, stride=1, rate=1, start=None, end=None, batch=1),    # one window of all steps
        dict(n=10, f=1, t=10, L=3, stride=1, rate=1, start=None, end=10, batch=4),   # end_index = len(data)
        dict(n=10, f=1, t=10, L=3, stride=10, rate=1, start=None, end=None, batch=4),  # stride = len(data)
        dict(n=10, f=1, t=10, L=3, stride=1, rate=10, start=None, end=None, batch=4),  # sampling_rate = len(data)
        dict(n=10, f=1, t=10, L=3, stride=1, rate=1, start=10, end=None, batch=4),   # start_index = len(data)
        dict(n=10, f=1, t=10, L=3, stride=1, rate=1, start=6, end=5, batch=4),       # end before start
        dict(n=10, f=1, t=10, L=4, stride=1, rate=1, start=5, end=7, batch=4),       # no window fits
        dict(n=8, f=[2, 2], t=8, tk=3, L=3, stride=2, rate=1, start=1, end=None, batch=2),   # (n, 2, 2) data, (n, 3) targets
    ]
    for s in specs:
        fs = s["f"] if isinstance(s["f"], list) else [s["f"]]
        data = np.arange(s["n"] * int(np.prod(fs)), dtype="float32").reshape([s["n"]] + fs)
        tk = s.get("tk")
        targets = None if s["t"] is None else (np.arange(s["t"] * (tk or 1), dtype="float32") * 10).reshape([s["t"]] + ([tk] if tk else []))
        c = dict(s)
        try:
            ds = keras.utils.timeseries_dataset_from_array(
                data, targets, s["L"], sequence_stride=s["stride"], sampling_rate=s["rate"],
                batch_size=s["batch"], start_index=s["start"], end_index=s["end"])
            batches = []
            for b in ds:
                if targets is None:
                    batches.append({"x": b.numpy().tolist()})
                else:
                    batches.append({"x": b[0].numpy().tolist(), "y": b[1].numpy().tolist()})
            c["batches"] = batches
        except Exception as e:  # noqa: BLE001 - the refusal is the golden
            c["error"] = err(e)
        cases.append(c)
    # shuffle: the windows of an epoch, as a set, are the unshuffled ones (the order is Keras' own RNG)
    data = np.arange(30, dtype="float32").reshape(30, 1)
    ds = keras.utils.timeseries_dataset_from_array(data, data[:, 0], 4, sequence_stride=2, batch_size=3, shuffle=True, seed=7)
    starts = sorted(int(x[0, 0]) for b in ds for x in b[0].numpy())
    cases.append(dict(n=30, f=1, t=30, L=4, stride=2, rate=1, start=None, end=None, batch=3, shuffle=7, starts=starts))
    return cases


# ---- keras.utils.pad_sequences ----
def pad():
    seqs = [[1, 2, 3, 4, 5], [6], [], [7, 8, 9]]
    cases = []
    for maxlen in (None, 3, 6):
        for padding in ("pre", "post"):
            for truncating in ("pre", "post"):
                for value in (0, -1):
                    out = keras.utils.pad_sequences(seqs, maxlen=maxlen, padding=padding, truncating=truncating, value=value)
                    cases.append(dict(seqs=seqs, maxlen=maxlen, padding=padding, truncating=truncating, value=value,
                                      dtype=str(out.dtype), out=out.tolist()))
    # a float value: Keras' default dtype int32 casts it
    out = keras.utils.pad_sequences([[1, 2]], maxlen=4, value=0.5)
    cases.append(dict(seqs=[[1, 2]], maxlen=4, padding="pre", truncating="pre", value=0.5, dtype=str(out.dtype), out=out.tolist()))
    vec = [[[1, 2], [3, 4], [5, 6]], [[7, 8]]]
    for padding, truncating in (("pre", "pre"), ("post", "post"), ("post", "pre")):
        out = keras.utils.pad_sequences(vec, maxlen=2, padding=padding, truncating=truncating, value=-1.5, dtype="float32")
        cases.append(dict(vectors=vec, maxlen=2, padding=padding, truncating=truncating, value=-1.5, dtype="float32",
                          out=out.tolist()))
    for bad in (dict(padding="middle"), dict(truncating="both"), dict(maxlen=0)):
        c = dict(seqs=[[1, 2]], maxlen=bad.get("maxlen", None), padding=bad.get("padding", "pre"),
                 truncating=bad.get("truncating", "pre"), value=0)
        try:
            c["out"] = keras.utils.pad_sequences([[1, 2]], **bad).tolist()
        except Exception as e:  # noqa: BLE001
            c["error"] = err(e)
        cases.append(c)
    return cases


def categorical():
    cases = []
    for labels, shape, n in (([0, 2, 1], [3], None), ([0, 2, 1], [3], 4), ([1, 0, 3, 2], [4, 1], None),
                             ([0, 1, 2, 1, 0, 2], [2, 3], None), ([2], [1], 3)):
        out = keras.utils.to_categorical(np.array(labels).reshape(shape), n)
        cases.append(dict(labels=labels, shape=shape, num_classes=n, out_shape=list(out.shape), out=out.reshape(-1).tolist()))
    return cases


# ---- keras.layers.TextVectorization ----
TEXTS = ["The cat sat on the mat.", "the dog, the CAT!", "École «Vite» dog", "a\tb\nc  d", "mat mat mat", "", "CAT-dog cat"]
CALL = ["the cat", "unknown words here", "dog mat the the", "", "École vite"]
# odd whitespace (no-break space, em space, vertical tab, file separator), non-ASCII case and punctuation, astral code points
TEXTS2 = ["x\u00a0y z", "x\u2003y\x0bz", "p\x1cq p", "ÀB àb ÀB", "naïve café’s", "emoji 😀 😀 x", "a-b a_b a'b", "Z z z Ż ż"]
CALL2 = ["x y", "x\u00a0y", "àb ÀB", "😀x", "Z-z ż", "naïve"]


def text():
    cases = []
    global configs
    specs = [
        dict(),
        dict(max_tokens=5),
        dict(standardize="lower"),
        dict(standardize="strip_punctuation"),
        dict(standardize=None),
        dict(split="character", max_tokens=12),
        dict(output_sequence_length=3),
        dict(output_sequence_length=6),
        dict(ngrams=2),
        dict(ngrams=[1, 3]),
        dict(output_mode="multi_hot"),
        dict(output_mode="multi_hot", max_tokens=6, pad_to_max_tokens=True),
        dict(output_mode="count"),
        dict(output_mode="count", ngrams=2, max_tokens=8),
        dict(output_mode="tf_idf"),
        dict(output_mode="tf_idf", max_tokens=5, pad_to_max_tokens=True),
        dict(output_mode="one_hot", split=None),
        dict(texts=2),
        dict(texts=2, split="character", standardize="lower"),
        dict(texts=2, ngrams=3, output_sequence_length=4),
        dict(texts=2, output_mode="tf_idf", ngrams=2),
        dict(texts=2, output_mode="count", max_tokens=4, pad_to_max_tokens=True),
    ]
    for s in specs:
        which = s.pop("texts", 1)
        kw = dict(s, ngrams=tuple(s["ngrams"])) if isinstance(s.get("ngrams"), list) else s   # Keras takes a tuple
        layer = keras.layers.TextVectorization(**kw)
        texts = ["red", "green", "red", "blue"] if s.get("split", "x") is None else TEXTS if which == 1 else TEXTS2
        call = ["green", "blue", "purple"] if s.get("split", "x") is None else CALL if which == 1 else CALL2
        layer.adapt(texts)
        out = np.asarray(layer(call))
        if s.get("output_mode") in ("tf_idf", "multi_hot") or "ngrams" in s:
            cfg = {k: v for k, v in layer.get_config().items() if k not in ("name", "dtype", "trainable")}
            configs.append(dict(case=len(cases), keras_config=cfg))   # the get_config of text_vectorization.json case i
        cases.append(dict(config=s, adapt=texts, call=call, vocabulary=layer.get_vocabulary(),
                          out_shape=list(out.shape), out=short(out)))
    return cases


def text_unadapted():
    """Calls before any vocabulary: Keras refuses them (its lookup table is not initialized)."""
    cases = []
    for s, texts in ((dict(), None), (dict(output_sequence_length=3), None),
                     (dict(max_tokens=4, output_mode="count", pad_to_max_tokens=True), None), (dict(), ["", "!"])):
        layer = keras.layers.TextVectorization(**s)
        c = dict(config=s, adapt=texts)
        try:
            if texts is not None:
                layer.adapt(texts)
            c["out"] = np.asarray(layer(["a b"])).tolist()
        except Exception as e:  # noqa: BLE001
            c["error"] = err(e)
        cases.append(c)
    return cases


def text_set_vocabulary():
    """set_vocabulary's checks and the indices it gives (special tokens at the start or left out, "[UNK]" later a token)."""
    cases = []
    for kw, voc in (({}, ["", "[UNK]", "a", "b"]), ({}, ["[UNK]", "a", "b"]), ({}, ["a", "", "b"]), ({}, ["a", "b", "a"]),
                    ({"max_tokens": 3}, ["a", "b"]), ({"output_mode": "multi_hot"}, ["[UNK]", "a", "b"]),
                    ({"output_mode": "multi_hot"}, ["", "a", "b"]), ({}, ["a", "[UNK]", "b"]), ({}, [])):
        c = dict(config=kw, vocabulary=voc)
        try:
            layer = keras.layers.TextVectorization(**kw)
            layer.set_vocabulary(voc)
            c["got_vocabulary"] = [str(t) for t in layer.get_vocabulary()]
            c["out"] = np.asarray(layer(["a b z"])).reshape(-1).tolist()
        except Exception as e:  # noqa: BLE001
            c["error"] = err(e)
        cases.append(c)
    return cases


# ---- tf.data.Dataset operations on range(n) ----
def apply(ds, ops):
    for op in ops:
        name, args = op[0], op[1:]
        if name == "shuffle":
            ds = ds.shuffle(args[0], seed=args[1])
        else:
            ds = getattr(ds, name)(*args)
    return ds


def dataset_ops():
    chains = [
        (5, [["batch", 3], ["repeat", 2]]),
        (5, [["repeat", 2], ["batch", 3]]),
        (7, [["batch", 3, True]]),
        (7, [["batch", 3, True], ["repeat", 2]]),
        (7, [["repeat", 2], ["batch", 3, True]]),
        (10, [["skip", 2], ["take", 5], ["batch", 2]]),
        (10, [["batch", 2], ["skip", 1], ["take", 2]]),
        (10, [["take", 100], ["batch", 4]]),
        (10, [["skip", 100], ["batch", 4]]),
        (5, [["repeat", 2], ["skip", 3], ["batch", 4]]),
        (5, [["repeat", 3], ["take", 7], ["batch", 3]]),
        (5, [["batch", 4], ["repeat", 2], ["take", 3]]),
        (5, [["batch", 2], ["repeat", 3], ["skip", 4]]),
        (5, [["repeat"], ["take", 12], ["batch", 5]]),
        (5, [["batch", 2], ["repeat"], ["take", 5]]),
        (6, [["take", 4], ["repeat", 2], ["batch", 3]]),
        (6, [["skip", 4], ["repeat", 3], ["batch", 4]]),
        (6, [["batch", 4], ["take", 1], ["repeat", 3]]),
        (6, [["batch", 10]]),
        (6, [["batch", 10, True]]),
        (6, [["shuffle", 1, 3], ["batch", 4]]),
        (6, [["batch", 2], ["shuffle", 1, 3]]),
        (4, [["batch", 3], ["repeat"], ["skip", 1], ["take", 3]]),
    ]
    cases = []
    for n, ops in chains:
        ds = apply(tf.data.Dataset.range(n), ops)
        card = int(ds.cardinality())
        batches = [np.asarray(b).tolist() for b in ds]
        cases.append(dict(n=n, ops=ops, cardinality=card, batches=batches))
    # shuffle coverage: every element once per epoch, a fresh order per epoch with the same seed
    ds = tf.data.Dataset.range(20).shuffle(5, seed=3, reshuffle_each_iteration=True)
    e0 = [int(v) for v in ds]
    e1 = [int(v) for v in ds]
    cases.append(dict(n=20, ops=[["shuffle", 5, 3]], coverage=[sorted(e0) == list(range(20)), sorted(e1) == list(range(20)),
                                                              e0 != e1]))
    return cases


# ---- Dataset.bucket_by_sequence_length over ragged sequences ----
def buckets():
    lengths = [3, 1, 5, 2, 4, 6, 1, 2, 7, 3, 5]
    cases = []
    for boundaries, size, drop in (([3], 2, False), ([2, 4, 6], 2, False), ([3, 5], 3, True), ([4], 3, False)):
        def gen():
            for i, L in enumerate(lengths):
                yield np.arange(1, L + 1, dtype="float32") + 10 * i, np.float32(i)
        ds = tf.data.Dataset.from_generator(gen, output_signature=(tf.TensorSpec([None], tf.float32), tf.TensorSpec([], tf.float32)))
        ds = ds.bucket_by_sequence_length(lambda x, y: tf.shape(x)[0], boundaries, [size] * (len(boundaries) + 1),
                                          drop_remainder=drop)
        batches = [{"x": b[0].numpy().tolist(), "y": b[1].numpy().tolist()} for b in ds]
        cases.append(dict(lengths=lengths, boundaries=boundaries, size=size, drop=drop, batches=batches))
    # padded_batch: a ragged set's plain batches pad to each batch's longest
    for size, drop in ((4, False), (3, True)):
        def gen():
            for i, L in enumerate(lengths):
                yield np.arange(1, L + 1, dtype="float32") + 10 * i, np.float32(i)
        ds = tf.data.Dataset.from_generator(gen, output_signature=(tf.TensorSpec([None], tf.float32), tf.TensorSpec([], tf.float32)))
        batches = [{"x": b[0].numpy().tolist(), "y": b[1].numpy().tolist()} for b in ds.padded_batch(size, drop_remainder=drop)]
        cases.append(dict(lengths=lengths, boundaries=None, size=size, drop=drop, batches=batches))
    return cases


def splits():
    """Keras' validation_split of n samples: where training ends (train_validation_split)."""
    from keras.src.trainers.data_adapters.array_slicing import train_validation_split
    cases = []
    for n in (7, 10, 100, 1000, 49):
        for f in (0.1, 0.2, 0.3, 0.7, 1 / 3, 0.15):
            try:
                (train,), (val,) = train_validation_split((np.arange(n),), validation_split=f)
                cases.append(dict(n=n, fraction=f, training=len(train)))
            except Exception as e:  # noqa: BLE001
                cases.append(dict(n=n, fraction=f, error=err(e)))
    return cases


if __name__ == "__main__":
    dump("timeseries.json", timeseries())
    dump("sequences.json", {"pad": pad(), "categorical": categorical()})
    configs = []
    dump("text_vectorization.json", text())
    dump("text_config.json", configs)
    dump("text_unadapted.json", text_unadapted())
    dump("text_set_vocabulary.json", text_set_vocabulary())
    dump("dataset_ops.json", dataset_ops())
    dump("buckets.json", buckets())
    dump("splits.json", splits())
