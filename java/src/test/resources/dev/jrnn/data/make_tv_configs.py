"""Keras 3.15.1's TextVectorization.get_config (TensorFlow backend: `KERAS_BACKEND=tensorflow python make_tv_configs.py`),
for TextVectorizationTest: tv_config_default.json (TextVectorization(max_tokens=10)) and tv_config_int32.json
(max_tokens=10, dtype="int32", name="tv", trainable=False). get_config starts with the base layer's name, trainable and
dtype (always a DTypePolicy object); from_config of each gives the same config back (checked below)."""
import os, json
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
import keras
for f, kw in [("tv_config_default.json", {}), ("tv_config_int32.json", {"dtype": "int32", "name": "tv", "trainable": False})]:
    c = keras.layers.TextVectorization(max_tokens=10, **kw).get_config()
    assert keras.layers.TextVectorization.from_config(c).get_config() == c
    json.dump(c, open(f, "w"))
    print(f, json.dumps(c))

# tv_dtypes.json: which dtype names TextVectorization.from_config takes, as a string and as a DTypePolicy object
# (Keras 3.15.1 refuses a name that is no dtype, "int8" / "float8_e4m3fn" as a string (read as a malformed quantized
# policy) and a quantized "<mode>_from_<dtype>" name in a DTypePolicy object), for TextVectorizationTest.
NAMES = ["float32", "float16", "bfloat16", "float64", "int32", "int64", "int", "int8", "uint8", "int16", "uint16", "uint32",
         "uint64", "bool", "string", "complex64", "complex128", "float8_e4m3fn", "float8_e5m2", "mixed_float16", "mixed_bfloat16",
         "int8_from_float32", "int4_from_float32", "float8_from_float32", "int8_from_bogus", "int4", "uint4", "str", "float",
         "double", "half", "Float32", "bogus", ""]
cases = []
base = keras.layers.TextVectorization(max_tokens=10).get_config()
for n in NAMES:
    for form in ("string", "object"):
        c = dict(base, dtype=n if form == "string" else {"module": "keras", "class_name": "DTypePolicy", "config": {"name": n},
                                                          "registered_name": None})
        try:
            keras.layers.TextVectorization.from_config(c)
            cases.append({"name": n, "form": form, "keras": "loads"})
        except Exception as e:
            cases.append({"name": n, "form": form, "keras": "refused", "error": "%s: %s" % (type(e).__name__, str(e).splitlines()[0][:120])})
        print("tv dtype %-22s %-6s %s" % (repr(n), form, cases[-1]["keras"]))
json.dump({"keras_version": keras.__version__, "cases": cases}, open("tv_dtypes.json", "w"), indent=1)
