"""Fixture of NestedLegacyH5Test: Keras 3.15.1's legacy .h5 of a model calling a nested Sequential ('base': Embedding,
LSTM), whose group Keras writes with path weight names (base/lstm/lstm_cell/kernel).
Run: /tmp/tester-repros/kpy.sh make_nested_seq_h5.py (writes nested_seq.h5 here)."""
import os
import keras

keras.utils.set_random_seed(7)
base = keras.Sequential([keras.Input((5,), dtype="int32"), keras.layers.Embedding(10, 3, name="emb"),
                         keras.layers.LSTM(4, name="lstm")], name="base")
x = keras.Input((5,), dtype="int32", name="x")
m = keras.Model(x, keras.layers.Dense(1, name="head")(base(x)))
m.save(os.path.join(os.path.dirname(os.path.abspath(__file__)), "nested_seq.h5"))
