"""Goldens for TextDirectoryTest: Keras 3.15.1's text_dataset_from_directory and numpy's RandomState shuffle.

Run with TensorFlow 2.21 + Keras 3.15.1 (text_dataset_from_directory's default format needs tf.data):
    KERAS_BACKEND=tensorflow /tmp/tfdata-venv/bin/python make_textdir.py
Writes textdir.json beside this script: the tree it built (relative paths and contents, which the Java test
rebuilds in a temporary directory) and what Keras gave for each call. Deterministic.
"""
import json
import os
import tempfile

import numpy as np
import keras
from keras.src.utils import dataset_utils

assert keras.__version__ == "3.15.1", keras.__version__

# relative path -> content; each content names its file, so a dataset's texts show which files it holds
TREE = {
    "neg/a1.txt": "neg a1: a bad film",
    "neg/b2.txt": "neg b2: dull and long",
    "neg/C3.TXT": "neg C3: upper-case extension",
    "neg/notes.md": "not a text file for Keras",
    "neg/zz/deep.txt": "neg zz/deep: a nested folder is walked",
    "neg/z.txt": "neg z: a folder's own files come before its subfolders'",
    "neg/zz-a/w.txt": "neg zz-a/w: the folder zz-a sorts after zz",
    "pos/cl\uff5a.txt": "pos cl-fullwidth-z: U+FF5A sorts before U+1F600 by code point (not by UTF-16 unit)",
    "pos/cl\U0001F600.txt": "pos cl-emoji",
    "pos/10.txt": "pos 10: numbers sort as strings",
    "pos/9.txt": "pos 9: great",
    "pos/é.txt": "pos é: ünïcödé wörds — ok",
    "pos/.hidden.txt": "pos .hidden: hidden files are read",
    "pos/long.txt": "pos long: " + "héllo " * 12,
    "unsup/u1.txt": "unsup u1: no label",
    "unsup/u2.txt": "unsup u2: no label either",
    ".ipynb_checkpoints/x.txt": "hidden folder: never a class",
    "top.txt": "top: a file in the top folder is no class's",
}


# link -> target (relative to the link's folder): a linked file, a linked subfolder in a class, a class folder that is a link
LINKS = {
    "neg/linked.txt": "../pos/9.txt",
    "pos/sublink": "../unsup",
    "zlinkclass": "neg/zz",
}
# index only (reading it fails): a link that leads nowhere is listed as a file, as os.walk lists it
BROKEN = {"pos/broken.txt": "nowhere.txt"}


def build(root, links):
    for rel, text in TREE.items():
        p = os.path.join(root, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w", encoding="utf-8") as f:
            f.write(text)
    for rel, target in links.items():
        os.symlink(target, os.path.join(root, rel))


def rel(root, paths):
    return [os.path.relpath(p, root).replace(os.sep, "/") for p in paths]


def pairs_of(ds):
    xs, ys = [], []
    for x, y in ds:
        xs.append(x.numpy().decode("utf-8", errors="replace"))
        ys.append(np.asarray(y.numpy()).tolist())
    return xs, ys


def main():
    out = {"keras": keras.__version__, "tree": TREE, "links": LINKS, "broken": BROKEN, "index": [], "broken_index": [],
           "datasets": [], "errors": [], "shuffles": []}
    index_cases = [("inferred", None, False, None, False), ("inferred", None, True, 1337, False),
                   ("inferred", None, True, 0, False), ("inferred", ["unsup", "neg"], False, None, False),
                   (None, None, False, None, False), (None, None, True, 7, False),
                   ("inferred", None, False, None, True), (None, None, True, 7, True)]
    with tempfile.TemporaryDirectory() as root:
        build(root, {**LINKS, **BROKEN})
        for labels, classes, shuffle, seed, follow in index_cases:
            paths, labs, names = dataset_utils.index_directory(root, labels, formats=(".txt",), class_names=classes,
                                                               shuffle=shuffle, seed=seed, follow_links=follow, verbose=False)
            out["broken_index"].append({"labels": labels, "class_names": classes, "shuffle": shuffle, "seed": seed,
                                        "follow_links": follow, "paths": rel(root, paths)})
    with tempfile.TemporaryDirectory() as root:
        build(root, LINKS)
        for labels, classes, shuffle, seed, follow in index_cases:
            paths, labs, names = dataset_utils.index_directory(root, labels, formats=(".txt",), class_names=classes,
                                                               shuffle=shuffle, seed=seed, follow_links=follow, verbose=False)
            out["index"].append({"labels": labels, "class_names": classes, "shuffle": shuffle, "seed": seed,
                                 "follow_links": follow, "paths": rel(root, paths),
                                 "got_labels": None if labs is None else np.asarray(labs).tolist(), "got_class_names": names})
        n_files = len(dataset_utils.index_directory(root, None, formats=(".txt",), shuffle=False, verbose=False)[0])
        calls = [
            dict(labels=list(range(n_files - 1, -1, -1)), label_mode="int", shuffle=False),
            dict(label_mode="int", shuffle=False),
            dict(label_mode="categorical", shuffle=False),
            dict(label_mode="int", shuffle=False, max_length=12),
            dict(label_mode="int", shuffle=False, class_names=["pos", "neg"]),
            dict(label_mode="binary", shuffle=False, class_names=["pos", "neg"]),
            dict(label_mode=None, shuffle=False),
            dict(labels=None, label_mode="int", shuffle=False, follow_links=True),
            dict(label_mode="int", validation_split=0.2, subset="training", seed=1337),
            dict(label_mode="int", validation_split=0.2, subset="validation", seed=1337),
            dict(label_mode="int", validation_split=0.3, subset="training", shuffle=False),
            dict(label_mode="int", validation_split=0.3, subset="validation", shuffle=False),
        ]
        for kw in calls:
            ds = keras.utils.text_dataset_from_directory(root, batch_size=None, verbose=False, **kw)
            entry = {"kwargs": kw, "class_names": ds.class_names}
            if kw.get("label_mode", "int") is None or ("labels" in kw and kw["labels"] is None):
                entry["texts"] = [t.numpy().decode("utf-8", errors="replace") for t in ds]
            else:
                entry["texts"], entry["labels"] = pairs_of(ds)
            out["datasets"].append(entry)
        both = keras.utils.text_dataset_from_directory(root, batch_size=4, validation_split=0.25, subset="both",
                                                       seed=42, verbose=False)
        out["both"] = {"kwargs": dict(batch_size=4, validation_split=0.25, subset="both", seed=42),
                       "training": sorted(t.decode("utf-8") for x, _ in both[0] for t in x.numpy()),
                       "validation": [t.decode("utf-8") for x, _ in both[1] for t in x.numpy()],
                       "training_batches": [int(x.shape[0]) for x, _ in both[0]]}
        for kw in [dict(label_mode="binary"), dict(label_mode="sparse"), dict(class_names=["pos", "nope"]),
                   dict(labels=[0, 1]), dict(labels="inferred", validation_split=0.2, subset="training"),
                   dict(validation_split=1.5, subset="training", seed=1), dict(subset="training"),
                   dict(validation_split=0.05, subset="training", seed=1), dict(labels=None, class_names=["pos"])]:
            try:
                keras.utils.text_dataset_from_directory(root, verbose=False, **kw)
                out["errors"].append({"kwargs": kw, "error": None})
            except Exception as e:
                out["errors"].append({"kwargs": kw, "error": type(e).__name__ + ": " + str(e).replace(root, "<dir>")})
    for seed in [0, 1, 42, 1337, 123456, 2**32 - 1]:
        for n in [1, 2, 3, 10, 33, 100]:
            x = list(range(n))
            np.random.RandomState(seed).shuffle(x)
            out["shuffles"].append({"seed": seed, "n": n, "order": x})
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "textdir.json"), "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False, indent=1)


if __name__ == "__main__":
    main()
