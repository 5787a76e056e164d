"""Keras 3.15.1's verdict on each dtype policy name a layer config may hold, for KerasDtypeNamesTest (and TextVectorization's
dtype). Run from this folder (any backend). A layer takes its dtype through keras.dtype_policies.get (Layer.__init__); a
name starting with a quantization mode is read as '<mode>_from_<source>' (int4/<block>, gptq/<bits>/<group>,
awq/<bits>/<group> by their classes, whose numbers Python's int() parses), any other as DTypePolicy(name).

dtype_policy_names.json: [{"name": ..., "accepted": true | false, "error": Keras' message or null, "class_name": the class
keras.dtype_policies.serialize names for an accepted one (what get_config writes), else null}].

dtype_policy_objects.json: the same for quantized policy objects, each class with modes its own constructor checks
(QuantizedDTypePolicy and QuantizedFloat8DTypePolicy: a mode of QUANTIZATION_MODES as it is; Int4DTypePolicy,
GPTQDTypePolicy, AWQDTypePolicy: their format and numbers): [{"class_name", "mode", "source_name", "accepted", "error",
"written": the config's mode keras.dtype_policies.serialize writes back for an accepted one (its numbers parsed), else null,
"written_policy": the whole object it writes back (its class the object's own, QuantizedFloat8DTypePolicy's
amax_history_length), else null}]; the QuantizedFloat8DTypePolicy rows of AMAX give an amax_history_length (in the row too).
"""
import json
import keras

NAMES = [
    # dtypes and mixed policies
    "float32", "float64", "float16", "bfloat16", "int32", "int64", "uint8", "bool", "string", "complex64", "int",
    "mixed_float16", "mixed_bfloat16", "bogus", "Float32", "float", "", "mixed_int8",
    # names that start with a quantization mode
    "int8", "int4", "float8", "gptq", "awq", "float8_e4m3fn", "float8_e5m2", "int8x", "int16_from_float32",
    # quantized names
    "int8_from_float32", "int8_from_mixed_float16", "int8_from_float16", "int8_from_mixed_bfloat16", "int8_from_bfloat16",
    "int8_from_float64", "int8_from_int32", "int8_from_bogus", "int8x_from_float32", "int8_from_float32_from_float32",
    "int8_from_", "_from_float32", "int8/4_from_float32",
    "int4_from_float32", "int4_from_float16", "int4_from_mixed_float16", "int4/128_from_float32", "int4/-1_from_float32",
    "int4/0_from_float32", "int4/-2_from_float32", "int4/x_from_float32", "int4/1/2_from_float32", "int4/+8_from_float32",
    "int4/08_from_float32", "int4/ 8_from_float32", "int4/1_0_from_float32", "int4/_from_float32", "int4/128_from_mixed_float16",
    "float8_from_float32", "float8_from_mixed_float16", "float8_from_float16", "float8_e4m3fn_from_float32", "float8/1_from_float32",
    "gptq/4/128_from_float32", "gptq/4/-1_from_float32", "gptq/5/128_from_float32", "gptq/2/1_from_float32",
    "gptq/3/8_from_float32", "gptq/8/64_from_float16", "gptq/4_from_float32", "gptq_from_float32", "gptq/4/0_from_float32",
    "gptq/4/128/1_from_float32", "gptqx/4/128_from_float32", "gptq/4/128_from_bogus",
    "awq/4/128_from_float32", "awq/8/128_from_float32", "awq/4/-1_from_float32", "awq_from_float32", "awq/4/-3_from_float32",
]

rows = []
for name in NAMES:
    try:
        policy = keras.dtype_policies.get(name)
        rows.append({"name": name, "accepted": True, "error": None,
                     "class_name": keras.dtype_policies.serialize(policy)["class_name"]})
    except Exception as e:
        rows.append({"name": name, "accepted": False, "error": f"{type(e).__name__}: {e}", "class_name": None})
with open("dtype_policy_names.json", "w") as f:
    json.dump(rows, f, indent=1)
    f.write("\n")
for r in rows: print(r["accepted"], r["name"], (r["error"] or "")[:90])

OBJECTS = [
    ("QuantizedDTypePolicy", "int8"), ("QuantizedDTypePolicy", "int4"), ("QuantizedDTypePolicy", "float8"),
    ("QuantizedDTypePolicy", "gptq"), ("QuantizedDTypePolicy", "awq"), ("QuantizedDTypePolicy", "int4/128"),
    ("QuantizedDTypePolicy", "gptq/4/128"), ("QuantizedDTypePolicy", "int8x"), ("QuantizedFloat8DTypePolicy", "float8"),
    ("QuantizedFloat8DTypePolicy", "int8"), ("QuantizedFloat8DTypePolicy", "float8_e4m3fn"),
    ("Int4DTypePolicy", "int4/128"), ("Int4DTypePolicy", "int4/0128"), ("Int4DTypePolicy", "int4"), ("Int4DTypePolicy", "int4/0"),
    ("Int4DTypePolicy", "int8/128"), ("GPTQDTypePolicy", "gptq/4/128"), ("GPTQDTypePolicy", "gptq/04/128"),
    ("GPTQDTypePolicy", "int8"), ("GPTQDTypePolicy", "gptq"), ("GPTQDTypePolicy", "gptq/5/128"), ("AWQDTypePolicy", "awq/4/-1"),
    ("AWQDTypePolicy", "awq/8/128"), ("AWQDTypePolicy", "awq"),
]
SOURCES = ["float32", "mixed_float16", "bogus"]
AMAX = [("QuantizedFloat8DTypePolicy", "float8", 16), ("QuantizedFloat8DTypePolicy", "int8", 16)]

objects = []
cases = [(cls, mode, source, None) for cls, mode in OBJECTS
         for source in (SOURCES if (cls, mode) in (("QuantizedDTypePolicy", "int8"), ("GPTQDTypePolicy", "gptq/4/128")) else SOURCES[:1])]
for cls, mode, source, amax in cases + [(cls, mode, "float32", amax) for cls, mode, amax in AMAX]:
    config = {"mode": mode, "source_name": source}
    if amax is not None: config["amax_history_length"] = amax
    identifier = {"module": "keras.dtype_policies", "class_name": cls, "config": config, "registered_name": None}
    row = {"class_name": cls, "mode": mode, "source_name": source}
    if amax is not None: row["amax_history_length"] = amax
    try:
        policy = keras.dtype_policies.get(identifier)
        written = keras.dtype_policies.serialize(policy)
        row.update({"accepted": True, "error": None, "written": written["config"]["mode"], "written_policy": written})
    except Exception as e:
        row.update({"accepted": False, "error": f"{type(e).__name__}: {e}", "written": None, "written_policy": None})
    objects.append(row)
with open("dtype_policy_objects.json", "w") as f:
    json.dump(objects, f, indent=1)
    f.write("\n")
for r in objects: print(r["accepted"], r["class_name"], r["mode"], r["source_name"], r["written"], (r["error"] or "")[:90])
