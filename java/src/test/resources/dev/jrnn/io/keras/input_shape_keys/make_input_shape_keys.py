"""Writes input_shape_keys.json: model configs whose input is declared by different shape keys, each with the input
shape Keras builds from it (batch first, None where not fixed), "unbuilt", or "refused".

Run: /tmp/tester-repros/kpy.sh make_input_shape_keys.py (Keras 3.15.1, TensorFlow backend).

Each case records Keras 3.15.1's answer (model_from_json; a layer entry without "module" goes through Keras 3's legacy
loader, saving_utils.model_from_config, as a tf.keras 2 .h5 config does) and tf.keras 2's, computed by tf_keras2() below,
a rule hand-transcribed from tf.keras 2.x source, keras-team/keras v2.15.0 (the keras of TensorFlow 2.15):
keras/engine/base_layer.py Layer.__init__ (a key outside its allowed_kwargs raises), keras/layers/rnn/base_rnn.py
RNN.__init__ (the base of SimpleRNN, LSTM, GRU and, by keras/layers/rnn/base_cudnn_rnn.py, CuDNNLSTM and CuDNNGRU),
keras/layers/core/embedding.py Embedding.__init__ and keras/engine/sequential.py Sequential.from_config. It is not run:
no tf.keras 2 is installed here. "expected" is what jrnn must give: Keras 3's where it builds the model or refuses
a key no Keras takes; tf.keras 2's for a non-Input layer's keys Keras 3 refuses or misreads (a legacy batch_input_shape
read as a shape without its batch: one axis more), as jrnn reads a layer's keys the tf.keras 2 way, except a Keras 3
entry's (with "module") batch_input_shape and batch_size, which jrnn refuses as Keras 3 does.
"""
import json
import os
import warnings

import keras

warnings.simplefilter("ignore")

TF2_ALLOWED = {"input_dim", "input_shape", "batch_input_shape", "batch_size", "weights", "activity_regularizer",
               "autocast", "implementation"}
TF2_LAYER_ARGS = {"name", "trainable", "dtype", "dynamic", "units"}
RECURRENT = {"SimpleRNN", "LSTM", "GRU", "RNN", "CuDNNLSTM", "CuDNNGRU"}   # as KerasInputShape.RECURRENT


def tf_keras2(cls, cfg):
    """tf.keras 2's _batch_input_shape of a non-Input layer's config (a list, None when it declares none), or "refused"."""
    kwargs = {k: v for k, v in cfg.items() if k not in TF2_LAYER_ARGS}
    if cls == "Embedding":   # its input_dim is the vocabulary; it declares (input_length,) unless given input_shape
        kwargs.pop("input_dim", None)
        kwargs.pop("output_dim", None)
        length = kwargs.pop("input_length", None)
        if "input_shape" not in kwargs:
            kwargs["input_shape"] = (length,) if length else (None,)
    if cls in RECURRENT and "input_shape" not in kwargs and ("input_dim" in kwargs or "input_length" in kwargs):
        kwargs["input_shape"] = (kwargs.pop("input_length", None), kwargs.pop("input_dim", None))
    if any(k not in TF2_ALLOWED for k in kwargs):
        return "refused"
    if "input_dim" in kwargs and "input_shape" not in kwargs:
        kwargs["input_shape"] = (kwargs["input_dim"],)
    if "batch_input_shape" in kwargs:
        return list(kwargs["batch_input_shape"])
    if "input_shape" in kwargs:
        return [kwargs.get("batch_size")] + list(kwargs["input_shape"])
    return None


def entry(cls, cfg, module):
    e = {"class_name": cls, "config": cfg}
    if module:
        e["module"] = "keras.layers"
        e["registered_name"] = None
    return e


NO_BUILD = object()


def sequential(layers, module, build_input_shape=NO_BUILD):
    c = {"name": "s", "trainable": True, "layers": [entry(cls, cfg, module) for cls, cfg in layers]}
    if build_input_shape is not NO_BUILD:
        c["build_input_shape"] = build_input_shape
    return {"module": "keras", "class_name": "Sequential", "config": c, "registered_name": None}


def functional(input_config, lstm_extra=None):
    inp = dict(entry("InputLayer", dict(input_config, name="i"), True), name="i", inbound_nodes=[])
    t = {"class_name": "__keras_tensor__", "config": {"shape": [None, 5, 3], "dtype": "float32", "keras_history": ["i", 0, 0]}}
    lstm = dict(entry("LSTM", dict({"name": "l", "units": 2}, **(lstm_extra or {})), True), name="l", inbound_nodes=[{"args": [t], "kwargs": {}}])
    c = {"name": "f", "trainable": True, "layers": [inp, lstm], "input_layers": [["i", 0, 0]], "output_layers": [["l", 0, 0]]}
    return {"module": "keras.src.models.functional", "class_name": "Functional", "config": c, "registered_name": "Functional"}


def keras3(config):
    try:
        m = keras.models.model_from_json(json.dumps(config))
    except Exception as e:
        while e.__cause__ or e.__context__:   # the innermost error: a wrapped deserialization error hides the reason
            e = e.__cause__ or e.__context__
        return "refused", "%s: %s" % (type(e).__name__, str(e).splitlines()[0][:160])
    if not m.built:
        return "unbuilt", None
    return list(m.inputs[0].shape), None


D = lambda **k: ("Dense", dict(name="d", units=2, **k))
D2 = lambda **k: ("Dense", dict(name="e", units=2, **k))   # a second Dense
L = lambda **k: ("LSTM", dict(name="l", units=2, **k))
I = lambda **k: ("InputLayer", dict(name="i", **k))

# (name, config, keys a refusal must name, how the first layer's keys are read: "keras3" or "tf.keras 2")
CASES = [
    ("dense input_shape", sequential([D(input_shape=[3])], True), [], "keras3"),
    ("dense input_dim", sequential([D(input_dim=3)], True), [], "keras3"),
    ("lstm input_shape", sequential([L(input_shape=[5, 3])], True), [], "keras3"),
    ("legacy lstm input_shape", sequential([L(input_shape=[5, 3])], False), [], "keras3"),
    ("dense input_shape with batch_size", sequential([D(input_shape=[3], batch_size=4)], True), ["batch_size 4"], "keras3"),
    ("lstm batch_input_shape", sequential([L(batch_input_shape=[None, 5, 3])], True), ["batch_input_shape"], "keras3"),
    ("lstm null batch_size", sequential([L(input_shape=[5, 3], batch_size=None)], True), ["batch_size null"], "keras3"),
    ("second dense batch_input_shape", sequential([D(input_shape=[3]), D2(batch_input_shape=[None, 2])], True),
     ["layer 'e'", "batch_input_shape"], "keras3"),
    ("InputLayer then lstm batch_size", sequential([I(batch_shape=[None, 5, 3]), L(batch_size=4)], True), ["batch_size 4"], "keras3"),
    ("functional lstm batch_input_shape", functional(dict(batch_shape=[None, 5, 3]), dict(batch_input_shape=[None, 5, 3])),
     ["layer 'l'", "batch_input_shape"], "keras3"),
    ("lstm input_length", sequential([L(input_shape=[5, 3], input_length=5)], True), ["input_length"], "keras3"),
    ("legacy second dense batch_size", sequential([D(batch_input_shape=[None, 3]), D2(batch_size=4)], False), [], "tf.keras 2"),
    ("dense input_dim beside input_shape", sequential([D(input_dim=3, input_shape=[4])], True), [], "tf.keras 2"),
    ("legacy lstm batch_input_shape", sequential([L(batch_input_shape=[None, 5, 3])], False), [], "tf.keras 2"),
    ("legacy dense batch_input_shape with a batch", sequential([D(batch_input_shape=[4, 3])], False), [], "tf.keras 2"),
    ("legacy lstm batch_input_shape over input_shape", sequential([L(batch_input_shape=[2, 5, 3], input_shape=[7, 3])], False), [],
     "tf.keras 2"),
    ("lstm input_dim", sequential([L(input_dim=3)], True), [], "tf.keras 2"),
    ("dense batch_shape", sequential([D(batch_shape=[None, 3])], True), ["batch_shape"], "keras3"),
    ("legacy dense batch_shape", sequential([D(batch_shape=[None, 3])], False), ["batch_shape"], "keras3"),
    ("build_input_shape", sequential([D()], True, [None, 3]), [], "keras3"),
    ("input_shape over build_input_shape", sequential([D(input_shape=[3])], True, [None, 4]), [], "keras3"),
    ("empty build_input_shape", sequential([D()], True, []), [], "keras3"),
    ("build_input_shape an object", sequential([D()], True, {}), [], "keras3"),
    ("build_input_shape a number", sequential([D()], True, 3), [], "keras3"),
    ("embedding input_dim", sequential([("Embedding", dict(name="m", input_dim=10, output_dim=4))], True), [], "keras3"),
    ("legacy embedding input_dim with build_input_shape",
     sequential([("Embedding", dict(name="m", input_dim=10, output_dim=4))], False, [None, 7]), [], "keras3"),
    ("legacy cudnnlstm input_dim", sequential([("CuDNNLSTM", dict(name="c", units=2, input_dim=3))], False), [], "tf.keras 2"),
    ("second dense input_shape empty", sequential([D(input_shape=[3]), D2(input_shape=[])], True), [], "keras3"),
    ("second dense input_dim 0", sequential([D(input_shape=[3]), D2(input_dim=0)], True), [], "keras3"),
    ("legacy second dense batch_input_shape without steps",
     sequential([D(batch_input_shape=[None, 3]), D2(batch_input_shape=[None])], False), [], "tf.keras 2"),
    ("InputLayer then dense input_dim 0", sequential([I(batch_shape=[None, 3]), D(input_dim=0)], True), [], "keras3"),
    ("InputLayer over the first layer's input_shape", sequential([I(batch_shape=[None, 3]), D(input_shape=[4])], True), [], "keras3"),
    ("InputLayer input_shape over shape", sequential([I(input_shape=[3], shape=[4]), D()], True), [], "keras3"),
    ("InputLayer batch_input_shape over batch_shape", sequential([I(batch_input_shape=[None, 3], batch_shape=[None, 4]), D()], True), [],
     "keras3"),
    ("InputLayer shape with batch_size", sequential([I(shape=[3], batch_size=4), D()], True), [], "keras3"),
    ("InputLayer input_shape with null batch_size", sequential([I(input_shape=[3], batch_size=None), D()], True), [], "keras3"),
    ("InputLayer null input_shape over shape", sequential([I(input_shape=None, shape=[3]), D()], True),
     ["InputLayer 'i'", "input_shape null"], "keras3"),
    ("InputLayer null batch_input_shape over batch_shape", sequential([I(batch_input_shape=None, batch_shape=[None, 3]), D()], True),
     ["InputLayer 'i'", "batch_input_shape null"], "keras3"),
    ("InputLayer null shape beside batch_shape", sequential([I(shape=None, batch_shape=[None, 3]), D()], True), [], "keras3"),
    ("InputLayer shape beside batch_input_shape", sequential([I(shape=[3], batch_input_shape=[None, 3]), D()], True),
     ["shape", "batch_input_shape"], "keras3"),
    ("InputLayer batch_size beside batch_input_shape", sequential([I(batch_input_shape=[None, 3], batch_size=4), D()], True),
     ["batch_size", "batch_input_shape"], "keras3"),
    ("legacy shapeless InputLayer before batch_input_shape", sequential([I(), D(batch_input_shape=[None, 3])], False),
     ["InputLayer 'i'", "no shape"], "keras3"),
    ("functional InputLayer input_shape with batch_size", functional(dict(input_shape=[5, 3], batch_size=2)), [], "keras3"),
    ("functional shapeless InputLayer", functional({}), ["InputLayer 'i'", "no shape"], "keras3"),
]

out = []
for name, config, names, reads in CASES:
    k3, why = keras3(config)
    first = config["config"]["layers"][0]
    tf2 = None
    if config["class_name"] == "Sequential" and first["class_name"] != "InputLayer":
        tf2 = tf_keras2(first["class_name"], first["config"])
        if tf2 is None:   # tf.keras 2's Sequential.from_config then builds on build_input_shape, if any
            b = config["config"].get("build_input_shape")
            tf2 = list(b) if b and isinstance(b, (list, tuple)) else "unbuilt"
    expected = tf2 if reads == "tf.keras 2" else k3
    if reads == "tf.keras 2" and k3 == tf2:
        raise SystemExit(name + ": Keras 3 and tf.keras 2 agree; read it as Keras 3")
    case = {"name": name, "config": json.dumps(config), "expected": expected, "keras3": k3, "reads": reads, "names": names}
    if why:
        case["keras3_error"] = why
    if tf2 is not None:
        case["tf_keras2"] = tf2
    out.append(case)
    print("%-52s keras3=%-22s tf2=%-16s -> %s" % (name, k3, tf2, expected))

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "input_shape_keys.json"), "w") as f:
    json.dump({"keras_version": keras.__version__, "cases": out}, f, indent=1)
    f.write("\n")
