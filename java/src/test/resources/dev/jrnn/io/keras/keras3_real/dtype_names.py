"""What Keras 3.15.1's model_from_json does with a layer dtype given as a string that starts with a quantization mode
(dtype_policies.get reads such a string as a quantized "<mode>_from_<dtype>" policy), and with the same name as a
DTypePolicy object (refused alike: the layer re-reads the policy by its name). KerasDtypesTest pins jrnn's answer to
each; this script's output (KERAS_BACKEND=jax; the TensorFlow backend gives the same for int8):

Dropout dtype int8 (string): refused: TypeError (the layer: "Cannot convert `policy` into a valid pair (`mode`, `source_name`) to instantiate `QuantizedDTypePolicy`")
Dense dtype int8 (string): refused: TypeError (the layer: "Cannot convert `policy` into a valid pair (`mode`, `source_name`) to instantiate `QuantizedDTypePolicy`")
Dropout dtype int8 (object): refused: TypeError (the layer: "Cannot convert `policy` into a valid pair (`mode`, `source_name`) to instantiate `QuantizedDTypePolicy`")
Dense dtype int8 (object): refused: TypeError (the layer: "Cannot convert `policy` into a valid pair (`mode`, `source_name`) to instantiate `QuantizedDTypePolicy`")
Dropout dtype float8_e4m3fn (string): refused: TypeError (the layer: "Cannot convert `policy` into a valid pair (`mode`, `source_name`) to instantiate `QuantizedDTypePolicy`")
Dense dtype float8_e4m3fn (string): refused: TypeError (the layer: "Cannot convert `policy` into a valid pair (`mode`, `source_name`) to instantiate `QuantizedDTypePolicy`")
Dropout dtype float8_e4m3fn (object): refused: TypeError (the layer: "Cannot convert `policy` into a valid pair (`mode`, `source_name`) to instantiate `QuantizedDTypePolicy`")
Dense dtype float8_e4m3fn (object): refused: TypeError (the layer: "Cannot convert `policy` into a valid pair (`mode`, `source_name`) to instantiate `QuantizedDTypePolicy`")
Dropout dtype float8_e5m2 (string): refused: TypeError (the layer: "Cannot convert `policy` into a valid pair (`mode`, `source_name`) to instantiate `QuantizedDTypePolicy`")
Dense dtype float8_e5m2 (string): refused: TypeError (the layer: "Cannot convert `policy` into a valid pair (`mode`, `source_name`) to instantiate `QuantizedDTypePolicy`")
Dropout dtype float8_e5m2 (object): refused: TypeError (the layer: "Cannot convert `policy` into a valid pair (`mode`, `source_name`) to instantiate `QuantizedDTypePolicy`")
Dense dtype float8_e5m2 (object): refused: TypeError (the layer: "Cannot convert `policy` into a valid pair (`mode`, `source_name`) to instantiate `QuantizedDTypePolicy`")
Dropout dtype int8_from_float32 (string): loads (int8_from_float32)
Dense dtype int8_from_float32 (string): loads (int8_from_float32)
Dropout dtype int8_from_float32 (object): refused: ValueError: Cannot convert 'int8_from_float32' to a mixed precision DTypePolicy. Valid policies include 'mixed_float16', '
Dense dtype int8_from_float32 (object): refused: ValueError: Cannot convert 'int8_from_float32' to a mixed precision DTypePolicy. Valid policies include 'mixed_float16', '
Dropout dtype int4_from_float32 (object): refused: ValueError: Cannot convert 'int4_from_float32' to a mixed precision DTypePolicy. Valid policies include 'mixed_float16', '
Dense dtype int4_from_float32 (object): refused: ValueError: Cannot convert 'int4_from_float32' to a mixed precision DTypePolicy. Valid policies include 'mixed_float16', '
Dropout dtype float8_from_float32 (object): refused: ValueError: Cannot convert 'float8_from_float32' to a mixed precision DTypePolicy. Valid policies include 'mixed_float16',
Dense dtype float8_from_float32 (object): refused: ValueError: Cannot convert 'float8_from_float32' to a mixed precision DTypePolicy. Valid policies include 'mixed_float16',
(the strings int4_from_float32 and float8_from_float32 load, as int8_from_float32's)
Dropout dtype int16 (string): loads (int16)
Dense dtype int16 (string): refused: ValueError: dtype argument to `uniform` must be a float dtype, got int16
Dropout dtype int16 (object): loads (int16)
Dense dtype int16 (object): refused: ValueError: dtype argument to `uniform` must be a float dtype, got int16
Dropout dtype uint8 (string): loads (uint8)
Dense dtype uint8 (string): refused: ValueError: dtype argument to `uniform` must be a float dtype, got uint8
Dropout dtype uint8 (object): loads (uint8)
Dense dtype uint8 (object): refused: ValueError: dtype argument to `uniform` must be a float dtype, got uint8
"""
import os, json, copy
os.environ.setdefault("KERAS_BACKEND", "jax")
import keras
m = keras.Sequential([keras.Input((5,)), keras.layers.Dropout(0.1), keras.layers.Dense(2)])
base = json.loads(m.to_json())
for name in ["int8", "float8_e4m3fn", "float8_e5m2", "int8_from_float32", "int4_from_float32", "float8_from_float32", "int16", "uint8"]:
    for form in ["string", "object"]:
        for idx, lname in [(1, "Dropout"), (2, "Dense")]:
            c = copy.deepcopy(base)
            c["config"]["layers"][idx]["config"]["dtype"] = name if form == "string" else {"module": "keras", "class_name": "DTypePolicy", "config": {"name": name}, "registered_name": None}
            try:
                k = keras.models.model_from_json(json.dumps(c)); r = "loads (" + k.layers[idx - 1].dtype_policy.name + ")"
            except Exception as e:
                r = "refused: " + type(e).__name__ + ": " + str(e).splitlines()[0][:110]
            print(f"{lname} dtype {name} ({form}): {r}")
