"""Keras 3.15.1 loads a .weights.h5 jrnn's saveWeights wrote after 2 epochs from init.keras (see WeightsFileOptimizerTest):
python check_jrnn_file.py PATH prints the iterations restored and the loss of 2 more epochs, which should be expected.json's
"resumed" (a manual check of the jrnn -> Keras direction; the test checks Keras -> jrnn and the file's state).
Last run (session 35 review, Keras 3.15.1, TensorFlow backend, on jrnn's file after 2 epochs): iterations 4, resumed
[0.196127, 0.143691] against expected.json's [0.196128, 0.143692]: 1e-6 apart, float32 rounding."""
import json, sys
import numpy as np
import keras

x, y = np.load("x.npy"), np.load("y.npy")
m = keras.saving.load_model("init.keras")
m.load_weights(sys.argv[1])
print("iterations", int(m.optimizer.iterations.numpy()))
print("resumed", m.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0).history["loss"])
print("expected", json.load(open("expected.json"))["resumed"])
