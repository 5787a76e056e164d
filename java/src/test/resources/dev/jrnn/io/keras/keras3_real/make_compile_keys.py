"""What Keras 3.15.1 does with a compile_config edited one key at a time (KerasCompileKeysTest). Run from this folder
with keras 3.15.1 and jax (KERAS_BACKEND=jax python make_compile_keys.py). No new model file: each edit is applied to
cfgkeys.keras (make_config_keys.py; saved uncompiled) given the compile_config Keras 3.15.1 writes for that model
compiled with Adam(learning_rate=0.002) and "mse" (taken from a save of it), then loaded with keras.saving.load_model.
compile_keys.json holds that compile_config and, per edit, where it goes (a path of keys from the compile_config; null
value with "pop" removes the key), and what Keras did: "compiled" (the optimizer's class and learning rate) or
"refused" (the exception's type and the start of its message: Keras 3.15.1's load_model does not catch an error of
compile_from_config, so the whole load fails).
"""
import json
import os
import tempfile
import zipfile

os.environ.setdefault("KERAS_BACKEND", "jax")
import keras

EDITS = [  # name, path below compile_config, key, value ("pop": remove the key)
    ("lr_typo", ["optimizer", "config"], "learing_rate", 0.5),
    ("beta1", ["optimizer", "config"], "beta1", 0.5),
    ("lr_keras2_name", ["optimizer", "config"], "lr", 0.5),
    ("is_legacy_optimizer", ["optimizer", "config"], "is_legacy_optimizer", False),
    ("optimizer_jit_compile", ["optimizer", "config"], "jit_compile", True),
    ("compile_typo", [], "optimiser", "sgd"),
    ("loss_weight_typo", [], "loss_weight", None),
    ("lr_str", ["optimizer", "config"], "learning_rate", "abc"),
    ("lr_numeric_str", ["optimizer", "config"], "learning_rate", "0.5"),
    ("lr_bool", ["optimizer", "config"], "learning_rate", True),
    ("lr_null", ["optimizer", "config"], "learning_rate", None),
    ("lr_list", ["optimizer", "config"], "learning_rate", [0.1]),
    ("lr_int", ["optimizer", "config"], "learning_rate", 1),
    ("name_int", ["optimizer", "config"], "name", 5),
    ("name_slash", ["optimizer", "config"], "name", "a/b"),
    ("accumulation_1", ["optimizer", "config"], "gradient_accumulation_steps", 1),
    ("accumulation_str", ["optimizer", "config"], "gradient_accumulation_steps", "abc"),
    ("two_clips", ["optimizer", "config"], "clipvalue", 0.5),   # beside clipnorm, set below
    ("beta_str", ["optimizer", "config"], "beta_1", "abc"),
    ("amsgrad_int", ["optimizer", "config"], "amsgrad", 1),
    ("decay", ["optimizer", "config"], "decay", 0.1),
    ("no_name", ["optimizer", "config"], "name", "pop"),
    ("lower_class", ["optimizer"], "class_name", "adam"),
    ("compile_args", [], "run_eagerly", True),   # with steps_per_execution 2, jit_compile false, auto_scale_loss false
    ("lr_negative", ["optimizer", "config"], "learning_rate", -0.5),
]
EXTRA = {"two_clips": (["optimizer", "config"], "clipnorm", 1.0),
         "compile_args": ([], "steps_per_execution", 2)}
EXTRA2 = {"compile_args": [([], "jit_compile", False), ([], "auto_scale_loss", False)]}

tmp = tempfile.mkdtemp()
model = keras.saving.load_model("cfgkeys.keras")
model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.002), loss="mse")
model.save(os.path.join(tmp, "compiled.keras"))
with zipfile.ZipFile(os.path.join(tmp, "compiled.keras")) as z:
    base = json.loads(z.read("config.json"))["compile_config"]


def put(cc, path, key, value):
    d = cc
    for p in path:
        d = d[p]
    if value == "pop":
        d.pop(key)
    else:
        d[key] = value


out = {"compile_config": base, "edits": []}
for name, path, key, value in EDITS:
    cc = json.loads(json.dumps(base))
    sets = [(path, key, value)] + ([EXTRA[name]] if name in EXTRA else []) + EXTRA2.get(name, [])
    for p, k, v in sets:
        put(cc, p, k, v)
    f = os.path.join(tmp, name + ".keras")
    with zipfile.ZipFile("cfgkeys.keras") as zin, zipfile.ZipFile(f, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "config.json":
                c = json.loads(data)
                c["compile_config"] = cc
                data = json.dumps(c).encode()
            zout.writestr(info.filename, data)
    try:
        m = keras.saving.load_model(f)
        o = m.optimizer
        said = {"keras": "compiled", "optimizer": type(o).__name__, "learning_rate": float(o.learning_rate)} if m.compiled else {"keras": "uncompiled"}
    except Exception as e:
        said = {"keras": "refused", "error": type(e).__name__ + ": " + str(e).replace("\n", " ")[:160]}
    print(name, said)
    out["edits"].append({"name": name, "set": [{"path": p, "key": k, "value": v} for p, k, v in sets], **said})
with open("compile_keys.json", "w") as fh:   # one edit a line
    fh.write('{"compile_config": ' + json.dumps(base) + ',\n "edits": [\n  '
             + ",\n  ".join(json.dumps(e) for e in out["edits"]) + "]}\n")
