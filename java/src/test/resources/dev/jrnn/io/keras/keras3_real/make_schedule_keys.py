"""What Keras 3.15.1 does with a learning-rate schedule inside a compile_config, edited one key at a time
(KerasCompileKeysTest.eachScheduleEditLoadsAsKeras3151CompilesIt). Run from this folder with keras 3.15.1 and jax
(KERAS_BACKEND=jax python make_schedule_keys.py). No new model file: compile_keys.json's compile_config (Adam, "mse")
gets its learning_rate replaced by each schedule config below (as Keras 3.15.1 serializes it), put into cfgkeys.keras,
and loaded with keras.saving.load_model. schedule_keys.json holds, per edit, the schedule and what Keras did:
"compiled" (the learning rate at steps 0 and 57), "fails_at_use" (it compiles, but the schedule raises when called,
so fit cannot run) or "refused" (the load fails: from_config calls cls(**config), and a missing or unknown key, or a
wrong-typed step count, raises there; Keras 3.15.1's load_model lets it through).
"""
import json
import os
import re
import tempfile
import zipfile

os.environ.setdefault("KERAS_BACKEND", "jax")
import keras

BASES = {
    "ExponentialDecay": {"initial_learning_rate": 0.01, "decay_steps": 100, "decay_rate": 0.9, "staircase": False, "name": "ExponentialDecay"},
    "PiecewiseConstantDecay": {"boundaries": [10, 20], "values": [0.1, 0.01, 0.001], "name": "PiecewiseConstant"},
    "PolynomialDecay": {"initial_learning_rate": 0.01, "decay_steps": 100, "end_learning_rate": 0.0001, "power": 1.0, "cycle": False, "name": "PolynomialDecay"},
    "InverseTimeDecay": {"initial_learning_rate": 0.01, "decay_steps": 100, "decay_rate": 0.5, "staircase": True, "name": "InverseTimeDecay"},
    "CosineDecay": {"initial_learning_rate": 0.01, "decay_steps": 100, "alpha": 0.1, "name": "CosineDecay", "warmup_target": 0.02, "warmup_steps": 10},
    "CosineDecayRestarts": {"initial_learning_rate": 0.01, "first_decay_steps": 30, "t_mul": 2.0, "m_mul": 0.5, "alpha": 0.0, "name": "SGDRDecay"},
}
EDITS = [  # class, key, value ("pop": remove the key); None key: the config as Keras writes it
    ("ExponentialDecay", None, None), ("ExponentialDecay", "decay_step", 100), ("ExponentialDecay", "decay_steps", "abc"),
    ("ExponentialDecay", "decay_rate", "pop"), ("ExponentialDecay", "initial_learning_rate", "abc"),
    ("ExponentialDecay", "name", None),
    ("PiecewiseConstantDecay", None, None), ("PiecewiseConstantDecay", "boundary", [5]), ("PiecewiseConstantDecay", "values", "pop"),
    ("PolynomialDecay", None, None), ("PolynomialDecay", "end_lr", 0.001), ("PolynomialDecay", "power", "abc"),
    ("InverseTimeDecay", None, None), ("InverseTimeDecay", "staircase_", True), ("InverseTimeDecay", "decay_steps", None),
    ("CosineDecay", None, None), ("CosineDecay", "warmup_step", 10), ("CosineDecay", "alpha", "abc"),
    ("CosineDecayRestarts", None, None), ("CosineDecayRestarts", "decay_steps", 30), ("CosineDecayRestarts", "t_mul", "abc"),
]

tmp = tempfile.mkdtemp()
with open("compile_keys.json") as fh:
    base = json.load(fh)["compile_config"]
out = []
for cls, key, value in EDITS:
    cfg = dict(BASES[cls])
    if key is not None:
        if value == "pop":
            cfg.pop(key)
        else:
            cfg[key] = value
    schedule = {"module": "keras.optimizers.schedules", "class_name": cls, "config": cfg, "registered_name": None}
    cc = json.loads(json.dumps(base))
    cc["optimizer"]["config"]["learning_rate"] = schedule
    f = os.path.join(tmp, "e.keras")
    with zipfile.ZipFile("cfgkeys.keras") as zin, zipfile.ZipFile(f, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "config.json":
                c = json.loads(data)
                c["compile_config"] = cc
                data = json.dumps(c).encode()
            zout.writestr(info.filename, data)
    said = {}
    try:
        m = keras.saving.load_model(f)
        try:
            said = {"keras": "compiled", "lr0": float(m.optimizer.learning_rate), "lr57": float(m.optimizer._learning_rate(57))}
        except Exception as e:
            said = {"keras": "fails_at_use", "error": type(e).__name__ + ": " + re.sub("\x1b\\[[0-9;]*m", "", str(e)).replace("\n", " ")[:120]}
    except Exception as e:
        said = {"keras": "refused", "error": str(e).replace("\n", " ").split("Exception encountered: ")[-1][:160]}
    print(cls, key, value, said)
    out.append({"name": cls + ("" if key is None else "/" + key + "=" + json.dumps(value)), "key": key, "schedule": schedule, **said})
with open("schedule_keys.json", "w") as fh:   # one edit a line
    fh.write("[\n " + ",\n ".join(json.dumps(e) for e in out) + "]\n")
