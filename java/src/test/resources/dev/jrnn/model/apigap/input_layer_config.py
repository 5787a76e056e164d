# Keras 3.15.1 (JAX): get_config() of the InputLayer a functional model's layers start with, as JSON; its output:
# input_layer_config.txt, one "name json" line per input (LayerConfigTest.inputLayersConfigIsKeras).
import json, keras
from keras import layers
inp = keras.Input((5, 4), name="seq")
m = keras.Model(inp, layers.Dense(1, name="head")(inp))
ids = keras.Input((7,), batch_size=3, dtype="int32", name="ids")
m2 = keras.Model(ids, layers.Embedding(10, 2, name="emb")(ids))
for model in (m, m2):
    first = model.layers[0]
    print(first.name, json.dumps(first.get_config()))
