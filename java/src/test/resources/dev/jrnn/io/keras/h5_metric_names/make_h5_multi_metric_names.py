"""The metric names Keras 3.15.1 logs after loading its own .h5 of two outputs with metrics by output name, the oracle of
KerasTrainingTest.anH5sMetricsByOutputAreNamedAsKerasLoadsThem.

Run from this folder with the project's Keras (tensorflow backend): /tmp/tester-repros/kpy.sh make_h5_multi_metric_names.py
Writes multi.h5 and h5_multi_metric_names.json (the data and the loaded model's evaluate dict). Keras' legacy loader
makes the metric strings at the load with their default names, in the order the file's dicts hold them (b's, a's, then
the weighted ones), so the numbered ones draw auc, auc_1, ... across outputs: b's "AUC" logs b_auc, a's "auc" a_auc_1,
a's weighted "AUC" a_auc_2; "bce" logs as b_binary_crossentropy, "precision" a_precision, "acc" a_acc. Full batches
(5 of 10): with a short last batch Keras on TensorFlow weighs the output losses by batch, not by sample (GUIDE: where
Keras' own backends disagree).
"""
import json
import numpy as np
import keras

N = 10
x = np.array([[(i * 7 % 5) / 5.0 - 0.3, (i * 3 % 4) / 4.0, (i * 5 % 7) / 7.0 - 0.5] for i in range(N)], "float32")
ya = (np.arange(N) % 2).reshape(-1, 1).astype("float32")
yb = ((np.arange(N) * 3) % 2).reshape(-1, 1).astype("float32")
keras.backend.clear_session()
i = keras.Input((3,))
a = keras.layers.Dense(1, activation="sigmoid", kernel_initializer="ones", name="a")(i)
b = keras.layers.Dense(1, activation="sigmoid", kernel_initializer="zeros", bias_initializer="ones", name="b")(i)
m = keras.Model(i, [a, b])
m.compile("sgd", {"a": "binary_crossentropy", "b": "binary_crossentropy"},
          metrics={"b": ["AUC", "bce"], "a": ["auc", "precision", "acc"]}, weighted_metrics={"a": ["AUC"]})
m.save("multi.h5")
keras.backend.clear_session()
r = keras.models.load_model("multi.h5").evaluate(x, [ya, yb], batch_size=5, return_dict=True, verbose=0)
out = {"keras": keras.__version__, "x": x.ravel().tolist(), "y_a": ya.ravel().tolist(), "y_b": yb.ravel().tolist(),
       "multi.h5": {k: float(np.ravel(v)[0]) for k, v in r.items()}}
with open("h5_multi_metric_names.json", "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
