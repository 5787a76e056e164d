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
    """ops as the Java side spells them: predicates by name, concatenate / zip with range(a, b), window then flat_map(batch)."""
    for op in ops:
        name, args = op[0], op[1:]
        if name == "shuffle":
            ds = ds.shuffle(args[0], seed=args[1], reshuffle_each_iteration=args[2] if len(args) > 2 else None)
        elif name == "filter":   # ["filter", k, r]: x % k == r
            ds = ds.filter(lambda x, k=args[0], r=args[1]: x % k == r)
        elif name == "take_while":   # ["take_while", v]: x < v
            ds = ds.take_while(lambda x, v=args[0]: x < v)
        elif name == "concatenate":
            ds = ds.concatenate(tf.data.Dataset.range(args[0], args[1]))
        elif name == "zip":
            ds = tf.data.Dataset.zip((ds, tf.data.Dataset.range(args[0], args[1])))
        elif name == "window":   # size, shift, stride, drop_remainder; each window's elements as one sequence
            ds = ds.window(*args).flat_map(lambda w, n=args[0]: w.batch(n))
        elif name == "map":   # ["map", a, b]: x * a + b, of an element or (after batch) of a whole batch
            ds = ds.map(lambda x, a=args[0], b=args[1]: x * a + b)
        elif name == "flat_map":   # each element x: range(10 x, 10 x + x)
            ds = ds.flat_map(inner)
        elif name == "interleave":   # cycle_length, block_length, with flat_map's function
            ds = ds.interleave(inner, cycle_length=args[0], block_length=args[1])
        else:
            ds = getattr(ds, name)(*args)
    return ds


def elements(b):
    if isinstance(b, tuple):
        return {"x": np.asarray(b[0]).tolist(), "y": np.asarray(b[1]).tolist()}
    return np.asarray(b).tolist()


def generator(n):
    return tf.data.Dataset.from_generator(lambda: iter(range(n)), output_signature=tf.TensorSpec([], tf.int64))


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
        # tf.data's sentinels: take(-1) all, skip(-1) all, repeat(-1) endless, repeat(0) empty
        (5, [["take", -1], ["batch", 2]]),
        (5, [["skip", -1], ["batch", 2]]),
        (5, [["repeat", -1], ["take", 12], ["batch", 5]]),
        (5, [["repeat", 0], ["batch", 2]]),
        (5, [["batch", 2], ["take", -1]]),
        (5, [["batch", 2], ["skip", -1]]),
        (5, [["batch", 2], ["repeat", 0]]),
        (5, [["batch", 2], ["repeat", -1], ["take", 4]]),
        (5, [["repeat", 0]]),
        (5, [["take", -1]]),
        (5, [["repeat", -1]]),
        (5, [["repeat"], ["batch", 2]]),
        (5, [["repeat", 2], ["repeat", 0], ["batch", 2]]),
        (5, [["shuffle", 1, 3, False], ["repeat", 2], ["batch", 3]]),
        # element operations
        (10, [["filter", 3, 1], ["batch", 2]]),
        (10, [["filter", 2, 0], ["repeat", 2], ["batch", 4]]),
        (10, [["repeat", 2], ["filter", 4, 1], ["batch", 3, True]]),
        (10, [["filter", 2, 0]]),
        (10, [["repeat"], ["filter", 2, 0]], 20),   # endless, but tf.data calls a filter's count unknown
        (10, [["take_while", 4], ["batch", 3]]),
        (10, [["repeat", 2], ["take_while", 100], ["batch", 7]]),
        (10, [["shard", 3, 1], ["batch", 2]]),
        (10, [["shard", 3, 0]]),
        (10, [["shard", 4, 3], ["repeat", 2], ["batch", 3]]),
        (2, [["shard", 3, 2]]),
        (10, [["repeat"], ["shard", 3, 1], ["take", 5], ["batch", 5]]),
        (3, [["concatenate", 100, 102], ["batch", 2]]),
        (3, [["concatenate", 100, 102]]),
        (3, [["concatenate", 100, 102], ["repeat", 2], ["batch", 4]]),
        (3, [["repeat", 2], ["concatenate", 100, 101], ["batch", 3, True]]),
        (3, [["repeat"], ["concatenate", 100, 101], ["take", 7], ["batch", 7]]),
        (4, [["take", 2], ["concatenate", 100, 103], ["skip", 1], ["batch", 2]]),
        (5, [["zip", 10, 13], ["batch", 2]]),
        (5, [["zip", 10, 20]]),
        (5, [["repeat"], ["zip", 10, 13], ["batch", 2]]),
        (5, [["zip", 10, 20], ["repeat", 2], ["batch", 3]]),
        (7, [["window", 3, 2, 1, True], ["batch", 2]]),
        (7, [["window", 3, 2, 1, False], ["padded_batch", 2]]),
        (7, [["window", 3, 2, 1, True]]),
        (7, [["window", 3, 2, 1, False]]),
        (10, [["window", 3, 1, 2, True], ["batch", 4]]),
        (10, [["window", 2, 4, 1, False], ["batch", 3]]),
        (10, [["window", 4, 3, 2, True]]),
        (5, [["repeat"], ["window", 2, 2, 1, True]], 20),
        (6, [["cache"], ["batch", 4]]),
        (6, [["cache"], ["repeat", 2], ["batch", 4]]),
        (6, [["take", 4], ["cache"], ["repeat", 3], ["batch", 5]]),
        (7, [["batch", 3], ["unbatch"]]),
        (7, [["batch", 3, True], ["unbatch"]]),
        (7, [["batch", 3], ["unbatch"], ["batch", 2]]),
        (7, [["batch", 3], ["repeat", 2], ["unbatch"], ["batch", 4]]),
        (7, [["batch", 3], ["skip", 1], ["unbatch"], ["take", 3]]),
        (7, [["batch", 3], ["rebatch", 2]]),
        (7, [["batch", 3], ["rebatch", 2, True]]),
        (7, [["batch", 2], ["rebatch", 3]]),
        (7, [["batch", 2], ["repeat"], ["rebatch", 3], ["take", 4]]),
    ]
    cases = []
    for n, ops, *endless in chains:
        ds = apply(tf.data.Dataset.range(n), ops)
        card = int(ds.cardinality())
        gen = apply(generator(n), ops)   # the same chain over a generator: tf.data knows less of it
        limit = 20 if card == -1 or endless else None   # an endless chain: its first 20 elements
        batches = [elements(b) for b in ds.take(limit or 500)]
        gbatches = [elements(b) for b in gen.take(limit or 500)]
        assert limit or len(batches) < 500, ops   # a chain thought finite is
        assert gbatches == batches, (ops, gbatches, batches)
        c = dict(n=n, ops=ops, cardinality=card, generator_cardinality=int(gen.cardinality()), batches=batches)
        if limit:
            c["limit"] = limit
        cases.append(c)
    # shuffle coverage: every element once per epoch, a fresh order per epoch with the same seed
    ds = tf.data.Dataset.range(20).shuffle(5, seed=3, reshuffle_each_iteration=True)
    e0 = [int(v) for v in ds]
    e1 = [int(v) for v in ds]
    cases.append(dict(n=20, ops=[["shuffle", 5, 3]], coverage=[sorted(e0) == list(range(20)), sorted(e1) == list(range(20)),
                                                              e0 != e1]))
    return cases


# ---- session 21: padded_batch's shapes and values, enumerate, flat_map, interleave, a file cache ----
PADDED_LENGTHS = [2, 4, 1, 3, 5, 2, 3]


def padded_source():
    """Sequences of (L, 2) steps (step t of sequence i: [10 i + t + 1, -(10 i + t + 1)]) and a scalar target i."""
    def gen():
        for i, L in enumerate(PADDED_LENGTHS):
            v = np.arange(1, L + 1, dtype="float32") + 10 * i
            yield np.stack([v, -v], axis=1), np.float32(i)
    return tf.data.Dataset.from_generator(gen, output_signature=(tf.TensorSpec([None, 2], tf.float32), tf.TensorSpec([], tf.float32)))


def padded_batches():
    """padded_batch(size, padded_shapes, padding_values, drop_remainder) of padded_source, then (optionally) unbatch
    [+ batch]: the elements, their shapes, the cardinality, or the error TensorFlow raises and the batches before it."""
    specs = [
        dict(size=3, shapes=[[6, 2], []], values=[-1.0, 0.0], drop=False),
        dict(size=3, shapes=[[-1, 2], []], values=[7.5, 0.0], drop=False),
        dict(size=2, shapes=[[5, 3], []], values=[-2.0, -9.0], drop=True),
        dict(size=4, shapes=None, values=None, drop=False),
        dict(size=3, shapes=[[4, 2], []], values=None, drop=False),            # sequence 4 (5 steps) is too long
        dict(size=3, shapes=[[6, 2], []], values=[-1.0, 0.0], drop=False, unbatch=True),
        dict(size=3, shapes=[[6, 2], []], values=[-1.0, 0.0], drop=True, unbatch=True),
        dict(size=3, shapes=[[-1, 2], []], values=[-1.0, 0.0], drop=False, unbatch=True, rebatch=2),
    ]
    cases = []
    for s in specs:
        kw = {}
        if s["shapes"] is not None:
            kw["padded_shapes"] = tuple([None if d == -1 else d for d in sh] for sh in s["shapes"])
        if s["values"] is not None:
            kw["padding_values"] = tuple(np.float32(v) for v in s["values"])
        ds = padded_source().padded_batch(s["size"], drop_remainder=s["drop"], **kw)
        if s.get("unbatch"):
            ds = ds.unbatch()
            if s.get("rebatch"):
                ds = ds.batch(s["rebatch"])
        c = dict(s, lengths=PADDED_LENGTHS, cardinality=int(ds.cardinality()))
        got = []
        try:
            for b in ds:
                got.append({"x": b[0].numpy().tolist(), "y": b[1].numpy().tolist()})
        except Exception as e:  # noqa: BLE001 - the refusal is the golden
            c["error"] = err(e)
        c["elements"] = got
        cases.append(c)
    # what TensorFlow checks at the call from the element spec (a static shape longer than the padded one, a wrong rank)
    x = tf.data.Dataset.from_tensor_slices(np.zeros((3, 4), "float32"))
    for sh in ([3], [4, 1], [6]):
        try:
            x.padded_batch(2, padded_shapes=sh)
            cases.append(dict(static=[4], shapes=[sh], ok=True))
        except Exception as e:  # noqa: BLE001
            cases.append(dict(static=[4], shapes=[sh], error=err(e)))
    # the same check after interleave (session 22): files of x (4, 5, 3) and y (4, 1) or (4,), padded_shapes ([None, None], sh)
    for ys in ([4, 1], [4]):
        y = np.arange(4, dtype="float32").reshape(ys)
        files = tf.data.Dataset.range(2).interleave(lambda k: tf.data.Dataset.from_tensor_slices((tf.zeros((4, 5, 3)), y)), 2, 1)
        for sh in ([], [1]):
            c = dict(static=ys[1:], interleave=True, shapes=[[-1, -1], sh])
            try:
                first = next(iter(files.padded_batch(3, padded_shapes=([None, None], sh))))
                c["batch_y"] = list(first[1].shape)
            except Exception as e:  # noqa: BLE001
                c["error"] = err(e)
            cases.append(c)
    return cases


def inner(x):
    """flat_map / interleave's function: range(10 x, 10 x + x), x elements from element x."""
    return tf.data.Dataset.range(10 * x, 10 * x + x)


def nested_ops():
    """enumerate, flat_map and interleave chains over range(n), as dataset_ops (the same chain over a generator agrees)."""
    chains = [
        (5, [["enumerate", 3]]),
        (5, [["enumerate", 0], ["batch", 2]]),
        (3, [["take", 2], ["enumerate", 0], ["repeat", 2]]),
        (3, [["repeat", 2], ["enumerate", 0]]),
        (6, [["filter", 2, 1], ["enumerate", 10], ["batch", 4]]),
        (5, [["flat_map"]]),
        (5, [["flat_map"], ["batch", 4]]),
        (4, [["flat_map"], ["repeat", 2], ["batch", 5]]),
    ]
    for cl, bl in ((2, 1), (2, 2), (3, 1), (3, 2), (1, 3), (4, 1), (5, 3), (2, 5)):
        chains.append((5, [["interleave", cl, bl]]))
    chains += [
        (6, [["interleave", 3, 2], ["batch", 4]]),
        (6, [["skip", 1], ["interleave", 2, 3], ["take", 9], ["batch", 4]]),
        (4, [["interleave", 2, 1], ["repeat", 2], ["batch", 6]]),
        (5, [["interleave", 2, 2], ["enumerate", 0], ["batch", 3]]),
        # map after batch: of whole batches
        (7, [["batch", 3], ["map", 2, 1]]),
        (7, [["batch", 3], ["map", 10, 0], ["map", 1, 5]]),
        (7, [["batch", 3], ["map", 2, 1], ["skip", 1], ["repeat", 2]]),
        (7, [["batch", 3], ["map", 2, 1], ["unbatch"], ["batch", 2]]),
        (7, [["batch", 2, True], ["map", 3, 0], ["unbatch"]]),
    ]
    cases = []
    for n, ops in chains:
        ds = apply(tf.data.Dataset.range(n), ops)
        gen = apply(generator(n), ops)
        batches = [elements(b) for b in ds]
        assert [elements(b) for b in gen] == batches, ops
        cases.append(dict(n=n, ops=ops, cardinality=int(ds.cardinality()), generator_cardinality=int(gen.cardinality()), batches=batches))
    return cases


def file_cache():
    """cache(filename) facts of TensorFlow 2.21: the files it writes, how often the source runs over whole and partial
    passes, what a later data set naming an existing cache reads, a second writer while one is open."""
    import shutil
    import tempfile
    d = tempfile.mkdtemp()
    calls = [0]

    def count(x):
        calls[0] += 1
        return x

    def src(a, b):
        return tf.data.Dataset.range(a, b).map(lambda x: tf.py_function(count, [x], tf.int64))
    out = {}
    try:
        ds = src(0, 5).cache(os.path.join(d, "a"))
        out["cardinality"] = int(ds.cardinality())
        out["pass1"], out["calls1"] = [int(v) for v in ds], calls[0]
        out["pass2"], out["calls2"] = [int(v) for v in ds], calls[0]
        out["files"] = sorted(os.listdir(d))
        out["other_source_reads"] = [int(v) for v in src(100, 103).cache(os.path.join(d, "a"))]   # the cache, not 100..102
        calls[0] = 0
        part = src(0, 5).cache(os.path.join(d, "b"))
        out["partial_then_whole"] = [[int(v) for v in part.take(2)], [int(v) for v in part], [int(v) for v in part]]
        out["partial_files"] = sorted(f for f in os.listdir(d) if f.startswith("b"))
        c = src(0, 5).cache(os.path.join(d, "c"))
        it = iter(c)
        next(it)
        try:
            list(c)
            out["concurrent"] = "ok"
        except Exception as e:  # noqa: BLE001
            out["concurrent"] = err(e)
        del it
        rep = src(0, 3).cache(os.path.join(d, "d")).repeat(2)
        calls[0] = 0
        out["repeat"], out["repeat_calls"] = [int(v) for v in rep], calls[0]
    finally:
        shutil.rmtree(d)
    return out


def interleave_fit():
    """Keras 3 fit on range(3).interleave(file k, 2, 2).padded_batch(3, ([4], [1]), (-1, 0)): file k holds x (4, k + 1) and
    y (4, 1); Dense(1) from kernel 0.1, SGD(0.1), mse, 3 epochs. Java writes the files as .npy and fits the same pipeline."""
    files = []
    for k in range(3):
        j = np.arange(4, dtype="float32")[:, None]
        t = np.arange(k + 1, dtype="float32")[None, :]
        x = (np.float32(0.1) * (k + 1) + np.float32(0.05) * j + np.float32(0.01) * t).astype("float32")
        y = (x.sum(axis=1, keepdims=True) * np.float32(0.5) + np.float32(0.2)).astype("float32")
        files.append((x, y))
    xs = tf.ragged.constant([f[0].tolist() for f in files], ragged_rank=2, dtype=tf.float32)
    ys = tf.constant(np.stack([f[1] for f in files]))

    def file(k):
        return tf.data.Dataset.from_tensor_slices((xs[k].to_tensor(), ys[k]))
    ds = tf.data.Dataset.range(3).interleave(file, cycle_length=2, block_length=2)
    ds = ds.padded_batch(3, padded_shapes=([4], [1]), padding_values=(np.float32(-1), np.float32(0)))
    seen = []

    class LastBatch(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.last = None

        def on_train_batch_end(self, batch, logs=None):
            self.last = float(logs["loss"])

        def on_epoch_end(self, epoch, logs=None):
            seen.append(self.last)
    keras.utils.set_random_seed(0)
    m = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    m.set_weights([np.full((4, 1), 0.1, "float32"), np.zeros(1, "float32")])
    m.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    h = m.fit(ds, epochs=3, verbose=0, shuffle=False, callbacks=[LastBatch()])
    return dict(files=[{"x": f[0].tolist(), "y": f[1].tolist()} for f in files],
                batches=[{"x": b[0].numpy().tolist(), "y": b[1].numpy().tolist()} for b in ds],
                loss=[float(v) for v in h.history["loss"]], last_batch_loss=seen, steps=h.params.get("steps"),
                kernel=short(m.get_weights()[0]), bias=short(m.get_weights()[1]))


def unbatch_rows():
    """unbatch of unbatched elements: every component's rows (first axis) as elements, then batched."""
    cases = []
    x = np.arange(4 * 3 * 2, dtype="float32").reshape(4, 3, 2)
    y = np.arange(12, dtype="float32").reshape(4, 3) * 10
    for batch in (5, 4):
        ds = tf.data.Dataset.from_tensor_slices((x, y)).unbatch()
        card = int(ds.cardinality())
        ds = ds.batch(batch)
        cases.append(dict(x_shape=list(x.shape), batch=batch, cardinality=card, batched_cardinality=int(ds.cardinality()),
                          batches=[{"x": b[0].numpy().tolist(), "y": b[1].numpy().tolist()} for b in ds]))
    return cases


def iterations():
    """Facts of orders across iterations (tf.data's RNG is its own, so orders are compared, not copied): for each chain
    over range(n), whether iteration 2 repeats iteration 1, whether each iteration holds every element once per pass, and
    for a cache how many times the function before it ran."""
    cases = []
    chains = [
        (12, [["shuffle", 12, 5, False]]),
        (12, [["shuffle", 12, 5, True]]),
        (12, [["shuffle", 4, 5, False], ["repeat", 2]]),
        (12, [["batch", 2], ["shuffle", 6, 5, False]]),
        (12, [["batch", 2], ["shuffle", 6, 5, True]]),
        (12, [["shuffle", 12, 5, True], ["cache"]]),
        (12, [["cache"], ["shuffle", 12, 5, True]]),
        (12, [["shuffle", 12, 5, True], ["cache"], ["repeat", 2]]),
    ]
    for n, ops in chains:
        calls = [0]

        def count(x):
            calls[0] += 1
            return x
        ds = tf.data.Dataset.range(n).map(lambda x: tf.py_function(count, [x], tf.int64))
        ds = apply(ds, ops)
        e0 = [np.asarray(b).reshape(-1).tolist() for b in ds]
        e1 = [np.asarray(b).reshape(-1).tolist() for b in ds]
        flat0 = sorted(v for b in e0 for v in b)
        passes = len(flat0) // n
        cases.append(dict(n=n, ops=ops, same=e0 == e1, every_once=flat0 == sorted(list(range(n)) * passes),
                          repeats_within=(passes == 2 and [v for b in e0 for v in b][:n] == [v for b in e0 for v in b][n:]),
                          calls=calls[0]))
    return cases


def fits():
    """Keras 3 fit on tf.data pipelines of the new operations: Dense(1) from fixed weights, SGD(0.1), mse, no shuffle; the
    epoch losses and History's params (steps None where the cardinality is unknown)."""
    cases = []
    x = np.arange(12, dtype="float32").reshape(12, 1) / 10
    y = 2 * x + 1
    pipes = {
        "filter": lambda ds: ds.filter(lambda a, b: tf.reduce_sum(a) < 0.75).batch(4),
        "concatenate": lambda ds: ds.take(5).concatenate(ds.skip(8)).batch(3),
        "shard": lambda ds: ds.shard(2, 1).batch(4),
        "cache_rebatch": lambda ds: ds.cache().batch(4).rebatch(3),
        "unbatch": lambda ds: ds.batch(5).unbatch().batch(2, drop_remainder=True),
        "take_while": lambda ds: ds.take_while(lambda a, b: tf.reduce_sum(a) < 0.55).batch(4),
    }
    class LastBatch(keras.callbacks.Callback):   # the running mean at an epoch's last batch
        def on_epoch_begin(self, epoch, logs=None):
            self.last = None

        def on_train_batch_end(self, batch, logs=None):
            self.last = float(logs["loss"])

        def on_epoch_end(self, epoch, logs=None):
            seen.append(self.last)

    for name, pipe in pipes.items():
        seen = []
        keras.utils.set_random_seed(0)
        m = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
        m.set_weights([np.full((1, 1), 0.5, "float32"), np.zeros(1, "float32")])
        m.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
        ds = pipe(tf.data.Dataset.from_tensor_slices((x, y)))
        h = m.fit(ds, epochs=3, verbose=0, shuffle=False, callbacks=[LastBatch()])
        # where a batch of unknown count has a static size (drop_remainder), Keras' epoch log counts one more, empty step
        # after "Your input ran out of data": its epoch loss is last_batch_loss * steps / (steps + 1)
        cases.append(dict(pipe=name, loss=[float(v) for v in h.history["loss"]], last_batch_loss=seen, steps=h.params.get("steps"),
                          cardinality=int(ds.cardinality()), kernel=short(m.get_weights()[0]), bias=short(m.get_weights()[1])))
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
    dump("dataset_iterations.json", iterations())
    dump("dataset_unbatch_rows.json", unbatch_rows())
    dump("dataset_fits.json", fits())
    dump("buckets.json", buckets())
    dump("padded_batch.json", padded_batches())
    dump("dataset_nested.json", nested_ops())
    dump("dataset_file_cache.json", file_cache())
    dump("dataset_interleave_fit.json", interleave_fit())
    dump("splits.json", splits())
