"""What Keras 3.15.1 itself writes, as goldens for WrittenConfigTest (jrnn's toJson / save / cloneModel configs).

Run: KERAS_BACKEND=jax python make_written_config.py  (keras 3.15.1 on jax; writes the files beside this script)
  io.json         input_layers / output_layers of Model(i, o), Model([i], [o]), Model([a, b], o), Model(i, [o, p])
                  in to_json and in the legacy .h5's model_config (Keras 3's own .h5 writer)
  dtypes.json     a model's to_json: Input dtype int32 -> Embedding -> LSTM dtype float64 -> LSTM mixed_float16 -> Dense
  dtypes_expect.json  each layer's dtype_policy.name and each Input's dtype, as Keras builds them from dtypes.json
  names.json      to_json of Bidirectional(LSTM(2), backward_layer=GRU(3, go_backwards=True)) and RNN(LSTMCell(4)),
                  auto-named in a fresh session (the names Keras draws: gru, lstm_cell, rnn, ...)
  names_expect.json   the backward layer's and the cell's names Keras keeps, and its weight paths
  copies.json     to_json of Bidirectional(LSTM(3, dtype="float64")) and Bidirectional(RNN(LSTMCell(3, dtype="float64"),
                  dtype="float64")), no backward layer given: Keras 3 copies the whole config into the backward layer
  copies_expect.json  each direction's name, dtype policy and cell name (and the cell's policy), as Keras builds them
  quantized.json  to_json of Input -> LSTM -> Dense after model.quantize("int8") (the Dense's QuantizedDTypePolicy;
                  Keras leaves the LSTM float32: "Layer LSTMCell does not have a `quantize` method implemented")
  quantized_expect.json  each layer's dtype_policy.name as Keras builds them from quantized.json
"""
import json, os
import h5py
import keras
from keras import layers as L

HERE = os.path.dirname(os.path.abspath(__file__))
out = lambda n: os.path.join(HERE, n)

# 1. input / output structure
keras.backend.clear_session()
i = keras.Input((5, 3), name="inp"); j = keras.Input((5, 3), name="aux")
h = L.LSTM(4, return_sequences=True, name="enc")(i)
o = L.Dense(2, name="head")(L.GlobalAveragePooling1D(name="pool")(h))
p = L.Dense(1, name="side")(o)
both = L.Dense(2, name="both")(L.Concatenate(name="cat")([L.GlobalAveragePooling1D(name="pa")(i), L.GlobalAveragePooling1D(name="pb")(j)]))
io = {}
for label, m in [("single", keras.Model(i, o)), ("list", keras.Model([i], [o])), ("two_in", keras.Model([i, j], both)),
                 ("two_out", keras.Model(i, [o, p]))]:
    c = json.loads(m.to_json())["config"]
    m.save(out("tmp.h5"))
    with h5py.File(out("tmp.h5")) as f:
        hc = json.loads(f.attrs["model_config"])["config"]
    os.remove(out("tmp.h5"))
    io[label] = {"to_json": [c["input_layers"], c["output_layers"]], "h5": [hc["input_layers"], hc["output_layers"]],
                 "input_is_list": isinstance(m.input, list), "output_is_list": isinstance(m.output, list)}
json.dump(io, open(out("io.json"), "w"), indent=1)

# 2. dtypes
keras.backend.clear_session()
ids = keras.Input((6,), dtype="int32", name="ids")
e = L.Embedding(10, 4, name="emb")(ids)
a = L.LSTM(3, return_sequences=True, dtype="float64", name="wide")(e)
b = L.LSTM(3, dtype="mixed_float16", name="half")(a)
y = L.Dense(2, name="out")(b)
m = keras.Model(ids, y, name="typed")
open(out("dtypes.json"), "w").write(m.to_json())
back = keras.models.model_from_json(m.to_json())
json.dump({"layers": {l.name: l.dtype_policy.name for l in back.layers if not isinstance(l, keras.layers.InputLayer)},
           "inputs": {t.name: t.dtype for t in back.inputs}}, open(out("dtypes_expect.json"), "w"), indent=1)

# 3. names (fresh session: Keras' own default names)
keras.backend.clear_session()
x = keras.Input((5, 3), name="x")
bi = L.Bidirectional(L.LSTM(2, return_sequences=True), backward_layer=L.GRU(3, go_backwards=True, return_sequences=True))
r = L.RNN(L.LSTMCell(4))
m = keras.Model(x, r(bi(x)), name="named")
open(out("names.json"), "w").write(m.to_json())
back = keras.models.model_from_json(m.to_json())
bl = back.get_layer(bi.name)
json.dump({"bidirectional": bi.name, "forward": bl.forward_layer.name, "backward": bl.backward_layer.name,
           "rnn": r.name, "cell": back.get_layer(r.name).cell.name,
           "paths": [w.path for w in back.weights]}, open(out("names_expect.json"), "w"), indent=1)
# 4. backward copies (fresh session): the copy keeps the layer's dtype policy and its cell's name
keras.backend.clear_session()
x = keras.Input((5, 3), name="x")
b64 = L.Bidirectional(L.LSTM(3, return_sequences=True, dtype="float64"), name="b64")
bcell = L.Bidirectional(L.RNN(L.LSTMCell(3, dtype="float64"), dtype="float64"), name="bcell")
m = keras.Model(x, bcell(b64(x)), name="copies")
open(out("copies.json"), "w").write(m.to_json())
back = keras.models.model_from_json(m.to_json())
def direction(l):
    c = getattr(l, "cell", None)
    return {"name": l.name, "dtype": l.dtype_policy.name, "cell": c.name if c is not None else None,
            "cell_dtype": c.dtype_policy.name if c is not None else None}
json.dump({b.name: {"forward": direction(back.get_layer(b.name).forward_layer),
                    "backward": direction(back.get_layer(b.name).backward_layer)} for b in (b64, bcell)},
          open(out("copies_expect.json"), "w"), indent=1)
# 5. a quantized policy (a policy jrnn does not keep)
keras.backend.clear_session()
x = keras.Input((5, 3), name="x")
m = keras.Model(x, L.Dense(2, name="head")(L.LSTM(4, name="enc")(x)), name="quant")
m.quantize("int8")
open(out("quantized.json"), "w").write(m.to_json())
back = keras.models.model_from_json(m.to_json())
json.dump({l.name: l.dtype_policy.name for l in back.layers if not isinstance(l, keras.layers.InputLayer)},
          open(out("quantized_expect.json"), "w"), indent=1)
print(open(out("io.json")).read()); print(open(out("dtypes_expect.json")).read()); print(open(out("names_expect.json")).read())
print(open(out("copies_expect.json")).read())
print(open(out("quantized_expect.json")).read())
