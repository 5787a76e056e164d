"""The metric names Keras 3.15.1 logs after loading its own .h5 (and .keras) file, the oracle of KerasTrainingTest.

Run from this folder with the project's Keras (tensorflow backend): /tmp/tester-repros/kpy.sh make_h5_metric_names.py
Writes names.h5, names.keras (the same compiled model) and h5_metric_names.json: the data and each load's evaluate
dict (its keys are what fit's History logs). Keras' legacy .h5 loader deserializes each metric string but "accuracy",
"acc", "crossentropy" and "ce" to its class (keras.metrics.ALL_OBJECTS_DICT: class names, their snake case, bce, mse,
mae, mape, msle in both cases) with its default name ("mse" -> mean_squared_error, "AUC" -> auc, a second AUC auc_1),
made at the load (compile_args_from_training_config -> metrics_module.deserialize), not at the first evaluate:
"auc_made_after_h5_load" is the name of a keras.metrics.AUC() made right after load_model("names.h5") (auc_3), and that
load's evaluate still logs auc, auc_1, auc_2. The .keras loader keeps the strings as compile got them.
"""
import json
import numpy as np
import keras

rng = np.random.default_rng(30)
x = rng.normal(0, 1, (20, 3)).astype("float32")
y = (rng.uniform(size=(20, 1)) < 0.5).astype("float32")
w = rng.uniform(0, 2, 20).astype("float32")
METRICS = ["mse", "MSE", "mae", "mape", "msle", "AUC", "auc", "precision", "Recall", "acc", "Accuracy", "binary_accuracy",
           "BinaryAccuracy", "f1_score", "FBetaScore", "r2_score", "root_mean_squared_error", "RootMeanSquaredError",
           "binary_crossentropy", "bce", "BCE", "true_positives", "FalseNegatives", "log_cosh_error", "cosine_similarity",
           "concordance_correlation", "hinge", "poisson", "kl_divergence", keras.metrics.AUC(curve="PR", name="pr")]
WEIGHTED = ["mse", "AUC"]


def evaluate(m):
    r = m.evaluate(x, y, batch_size=8, sample_weight=w, return_dict=True, verbose=0)
    return {k: float(np.ravel(v)[0]) for k, v in r.items()}


keras.backend.clear_session()
m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1, activation="sigmoid")])
m.set_weights([np.array([[0.4], [-0.7], [0.2]], "float32"), np.array([0.1], "float32")])
m.compile("sgd", "binary_crossentropy", metrics=METRICS, weighted_metrics=WEIGHTED)
m.save("names.keras")   # first: Keras 3.15.1's .h5 writer pops "optimizer" out of the model's own compile config
m.save("names.h5")
out = {"keras": keras.__version__, "x": x.ravel().tolist(), "y": y.ravel().tolist(), "w": w.ravel().tolist()}
for f in ("names.h5", "names.keras"):
    keras.backend.clear_session()
    loaded = keras.models.load_model(f)
    if f == "names.h5":
        out["auc_made_after_h5_load"] = keras.metrics.AUC().name
    out[f] = evaluate(loaded)
with open("h5_metric_names.json", "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
