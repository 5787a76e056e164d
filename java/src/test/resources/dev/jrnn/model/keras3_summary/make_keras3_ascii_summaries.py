"""Keras 3.15.1's model.summary() printed to a stdout whose encoding cannot hold the box characters (PYTHONIOENCODING=ascii,
as a container without LANG gives Java): rich falls back to its ASCII box (+--+, | ||, |-+|). For Keras3SummaryTest's
summary-to-an-ASCII-stream test. Run from this folder with KERAS_BACKEND=jax /tmp/jrnn-keras3/venv/bin/python; it runs
itself again as the child that prints (COLUMNS=80, no terminal: line_length 76, as make_keras3_summaries.py)."""
import os
import subprocess
import sys

if len(sys.argv) == 1:
    env = dict(os.environ, PYTHONIOENCODING="ascii", COLUMNS="80", KERAS_BACKEND="jax")
    for name in ["ascii_sequential", "ascii_functional"]:
        out = subprocess.run([sys.executable, __file__, name], env=env, capture_output=True, check=True).stdout
        with open(f"{name}.txt", "wb") as f:
            f.write(out)
    sys.exit()

import keras
from keras import layers, Input

assert keras.__version__ == "3.15.1", keras.__version__
assert sys.stdout.encoding == "ascii", sys.stdout.encoding
if sys.argv[1] == "ascii_sequential":
    keras.Sequential([Input((4, 2)), layers.LSTM(3), layers.Dense(1)]).summary()
else:
    a, b = Input((5, 3), name="a"), Input((5, 2), name="b")
    h = layers.Concatenate(name="cat")([layers.GRU(4, name="g")(a), layers.SimpleRNN(2, name="s")(b)])
    keras.Model([a, b], layers.Dense(1, name="out")(h), name="two_in").summary()
