"""Keras 3.15.1's verbose=2 epoch line, the oracle of ProgressBarTest's Keras 3 layout.

Run from this folder with the project's Keras venv: KERAS_BACKEND=jax /tmp/jrnn-keras3/venv/bin/python make_progbar_lines.py
It writes progbar_lines.json (deterministic: Keras' Progbar on a scripted clock, driven as its ProgbarLogger drives it at
verbose 2: one finalizing update at the epoch's end with the epoch's logs, training keys sorted, then the validation ones).
"""
import contextlib
import io
import json
import os
import types
os.environ.setdefault("KERAS_BACKEND", "jax")
import keras
from keras.src.utils import progbar

cases = [  # (target, seconds the epoch took, logs in Keras 3's order)
    (5, 1.04, [("accuracy", 1.0), ("loss", 0.25), ("val_accuracy", 0.5), ("val_loss", 0.0004)]),
    (1, 4.3, [("accuracy", 1.0), ("loss", 1.6094379425048828), ("val_accuracy", 1.0), ("val_loss", 1.6065)]),
    (32, 2.5, [("loss", 0.123456), ("mae", -0.5)]),
    (120, 0.5, [("loss", 0.001), ("z_loss", 1e-7), ("val_loss", 12345.678)]),
    (7, 0.0000035, [("loss", float("nan"))]),
]
out = {"keras": keras.__version__, "cases": []}
for target, seconds, logs in cases:
    clock = [0.0]
    progbar.time = types.SimpleNamespace(time=lambda: clock[0])
    bar = progbar.Progbar(target=target, verbose=2, unit_name="step", stateless_metrics=set())
    clock[0] = seconds
    text = io.StringIO()
    with contextlib.redirect_stdout(text):
        bar.update(target, logs, finalize=True)
    out["cases"].append({"target": target, "seconds": seconds, "logs": [[k, v if v == v else "nan"] for k, v in logs], "line": text.getvalue()})
with open("progbar_lines.json", "w") as f:
    json.dump(out, f, indent=1)
for c in out["cases"]:
    print(repr(c["line"]))
