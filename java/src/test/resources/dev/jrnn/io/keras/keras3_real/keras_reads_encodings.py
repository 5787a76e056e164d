"""What Keras 3.15.1 (KERAS_BACKEND=jax) does with the edits of cfgkeys.keras that KerasZipVariantsTest makes in Java:
config.json (or metadata.json) re-encoded, NaN / Infinity literals in config.json, bytes before the zip. Run from this
folder; it writes only into a temporary folder and prints, per edit, Keras' load and the largest difference of its
predictions on cfgkeys_x.npy from cfgkeys_y.npy (Keras' own on the unedited file), or Keras' refusal.
Python's json.loads of bytes detects the encoding (json.detect_encoding: BOMs, then zero bytes) and takes NaN and
Infinity; its zipfile reads a zip with bytes before it. Output with keras 3.15.1:

bom                 loads, max diff 0.0
utf16               loads, max diff 0.0
utf16le_no_bom      loads, max diff 0.0
utf16be_no_bom      loads, max diff 0.0
utf32               loads, max diff 0.0
metadata_bom        loads, max diff 0.0
nan_top_level       loads, max diff 0.0
nan_dropout         loads, max diff 0.0
utf16le_truncated   refused: UnicodeDecodeError: 'utf-16-le' codec can't decode byte 0x20 in position 6192: truncated data
utf32le_bad         refused: UnicodeDecodeError: 'utf-32-le' codec can't decode bytes in position 8144-8147: code point not in range(0x110000)
prefix              loads, max diff 0.0
prefix_stored       loads, max diff 0.0

nan_dropout loads because Keras' LSTM clamps its rate, min(1, max(0, nan)) being 0 (a rate of 1.5 loads as 1 too);
jrnn refuses a rate outside [0, 1) naming the layer and the value, this one included (GUIDE).
"""
import os, json, tempfile, zipfile, warnings
os.environ.setdefault("KERAS_BACKEND", "jax")
import numpy as np, keras
warnings.simplefilter("ignore")
src = "cfgkeys.keras"
x, y = np.load("cfgkeys_x.npy"), np.load("cfgkeys_y.npy")
members = {}
with zipfile.ZipFile(src) as z:
    for n in z.namelist(): members[n] = z.read(n)
cfg = members["config.json"].decode()
def top(extra):   # an unknown top-level key, which Keras ignores
    return cfg[:-1] + ", " + extra + "}"
def lstm_dropout(v):
    c = json.loads(cfg)
    for l in c["config"]["layers"]:
        if l["class_name"] == "LSTM": l["config"]["dropout"] = v
    return json.dumps(c)
edits = {
    "bom": {"config.json": b"\xef\xbb\xbf" + cfg.encode()},
    "utf16": {"config.json": cfg.encode("utf-16")},
    "utf16le_no_bom": {"config.json": cfg.encode("utf-16-le")},
    "utf16be_no_bom": {"config.json": cfg.encode("utf-16-be")},
    "utf32": {"config.json": cfg.encode("utf-32")},
    "metadata_bom": {"metadata.json": b"\xef\xbb\xbf" + members["metadata.json"]},
    "nan_top_level": {"config.json": top('"a": NaN, "b": Infinity, "c": -Infinity').encode()},
    "nan_dropout": {"config.json": lstm_dropout(float("nan")).encode()},
    # a byte that is not of the detected encoding: UTF-16-LE (no mark, zero bytes) with an odd last byte
    "utf16le_truncated": {"config.json": cfg.encode("utf-16-le") + b" "},
    # UTF-32-LE with the Dense's name "d" made the code point 0x110000, past Unicode
    "utf32le_bad": {"config.json": cfg.encode("utf-32-le").replace('"d"'.encode("utf-32-le"),
                                                                   '"'.encode("utf-32-le") + b"\0\0\x11\0" + '"'.encode("utf-32-le"), 1)},
}
d = tempfile.mkdtemp()
def check(name, path):
    try:
        m = keras.saving.load_model(path)
        print(f"{name:20}loads, max diff {float(np.abs(np.asarray(m.predict(x, verbose=0)) - y).max())}")
    except Exception as e:
        print(f"{name:20}refused: {type(e).__name__}: {str(e)[:160]}")
for name, repl in edits.items():
    p = os.path.join(d, name + ".keras")
    with zipfile.ZipFile(p, "w") as z:
        for n, b in members.items(): z.writestr(n, repl.get(n, b))
    check(name, p)
p = os.path.join(d, "prefix.keras")
with open(p, "wb") as f: f.write(b"#!/bin/sh\nexit 0\n" + open(src, "rb").read())
check("prefix", p)
p = os.path.join(d, "prefix_stored.keras")   # the members STORED (cfgkeys.keras is deflated), 70,000 bytes before
with zipfile.ZipFile(p + ".zip", "w", zipfile.ZIP_STORED) as z:
    for n, b in members.items(): z.writestr(n, b)
with open(p, "wb") as f: f.write(b"#" * 70000 + open(p + ".zip", "rb").read())
check("prefix_stored", p)
