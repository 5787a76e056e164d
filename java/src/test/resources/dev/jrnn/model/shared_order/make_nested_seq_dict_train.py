# Keras 3.15.1 (TensorFlow) goldens of KerasRunOrderTest's nested Sequential and nested dict-input model, trained with
# Adam: head(cat([seq(a), pb2(pb1(b))])) with seq = Sequential([s1, s2, s3]) (Keras' trainable_weights order pb1,
# seq/s1..s3, pb2, head; a flattened file orders by depth: s1, s2, pb1, s3, pb2, head), and head(cat([enc({"seq": a,
# "h": pb2(pb1(b))}), pb2(...)])) with enc a dict-input model. Writes nested_{seq,dict}_train_0.keras (before any step),
# nested_{seq,dict}_train_2.keras (after 2 Adam steps, with the optimizer's state) and nested_seq_dict_train.txt
# ("case key values...": step 3's loss and the predictions after it). Run here:
#   KERAS_BACKEND=tensorflow python make_nested_seq_dict_train.py
import numpy as np, keras
from keras import layers as L

def det(shape, a, ph, amp):   # KerasRunOrderTest.det
    n = int(np.prod(shape)); return (amp * np.sin(a * np.arange(n) + ph)).reshape(shape).astype("float32")

def setw(m):   # layer i (Keras' recursive walk), weight j: det(shape, 1.3, 0.7 j + 0.5 i, 0.3)
    for i, l in enumerate(m._flatten_layers(include_self=False, recursive=True)):
        ws = l.get_weights()
        if ws: l.set_weights([det(w.shape, 1.3, 0.7 * j + 0.5 * i, 0.3) for j, w in enumerate(ws)])

xa, xb = det((6, 3), 0.9, 0.2, 1.0), det((6, 2), 0.5, 0.1, 1.0)
y = det((6, 1), 0.3, 0.6, 1.0)

def build(kind):
    a = keras.Input((3,), name="a"); b = keras.Input((2,), name="b")
    bb = L.Dense(2, name="pb2")(L.Dense(2, name="pb1")(b))
    if kind == "seq":
        seq = keras.Sequential([keras.Input((3,)), L.Dense(4, name="s1"), L.Dense(3, name="s2"), L.Dense(2, name="s3")], name="seq")
        inner = L.Concatenate(name="cat")([seq(a), bb])
    else:
        x = keras.Input((3,), name="seq"); h = keras.Input((2,), name="h")
        enc = keras.Model({"seq": x, "h": h}, L.Dense(2, name="e2")(L.Dense(3, name="e1")(L.Concatenate(name="ecat")([x, h]))), name="enc")
        inner = L.Concatenate(name="cat")([enc({"seq": a, "h": bb}), bb])
    m = keras.Model([a, b], L.Dense(1, name="head")(inner))
    setw(m)
    return m

with open("nested_seq_dict_train.txt", "w") as out:
    for kind in ["seq", "dict"]:
        m = build(kind)
        m.compile(optimizer=keras.optimizers.Adam(0.05), loss="mse")
        m.save("nested_%s_train_0.keras" % kind)
        for _ in range(2): m.train_on_batch([xa, xb], y)
        m.save("nested_%s_train_2.keras" % kind)
        loss3 = float(m.train_on_batch([xa, xb], y))
        pred3 = m.predict([xa, xb], verbose=0).ravel()
        out.write("nested_%s_train loss3 %.9g\n" % (kind, loss3))
        out.write("nested_%s_train pred3 %s\n" % (kind, " ".join("%.9g" % v for v in pred3)))
