# Keras 3.15.1 (TensorFlow) goldens of KerasRunOrderTest: a layer called more than once whose calls share state (a
# BatchNormalization's moving statistics in training, a stateful LSTM's states) runs them in Keras' order (by depth,
# keras/src/ops/function.py _run_through_graph over map_graph's nodes_by_depth), not in call order. Writes CASE.keras
# (the model before any fit, every weight det) and shared_order.txt ("case key values...").
# Run here: KERAS_BACKEND=tensorflow python make_shared_order.py (tensorflow-cpu 2.21). Not JAX: its predict does not
# carry a stateful layer's states on to the next predict (predict2 would equal predict1), TensorFlow's does, as jrnn.
import numpy as np, keras
from keras import layers as L

def det(shape, a, ph, amp):   # KerasRunOrderTest.det
    n = int(np.prod(shape)); return (amp * np.sin(a * np.arange(n) + ph)).reshape(shape).astype("float32")

out = open("shared_order.txt", "w")
def put(case, key, v):
    out.write(case + " " + key + " " + " ".join("%.9g" % x for x in np.asarray(v, "float64").ravel()) + "\n")

def weights(m, names):   # layer i of names, weight j: det(shape, 1.3, 0.7 j + 0.5 i, 0.3); BatchNormalization keeps its own
    for i, n in enumerate(names):
        l = m.get_layer(n)
        l.set_weights([det(w.shape, 1.3, 0.7 * j + 0.5 * i, 0.3) for j, w in enumerate(l.get_weights())])

def order(case, m, layer):   # which call (node index) of `layer` Keras runs when, for the record
    calls = []
    def walk(f, wrap):
        for d in sorted(f._nodes_by_depth, reverse=True):
            for n in f._nodes_by_depth[d]:
                if n.operation is layer: calls.append(wrap + [layer._inbound_nodes.index(n)])
                elif isinstance(n.operation, keras.Model): walk(n.operation, wrap + [f"{n.operation.name}[{n.operation._inbound_nodes.index(n)}]"])
    walk(m, [])
    out.write(f"# {case}: Keras runs {layer.name}'s calls in the order {calls}\n")

def bn_stats(case, tag, bn):
    put(case, tag + "_moving_mean", bn.moving_mean); put(case, tag + "_moving_var", bn.moving_variance)

# shared_bn_lstm: a, b -> shared LSTM(4, return_sequences) -> shared BatchNormalization(momentum=0.5) -> GAP -> Concatenate -> Dense
# Keras runs lstm(b), lstm(a), then bn(b), bn(a).
a = keras.Input((5, 3), name="a"); b = keras.Input((5, 3), name="b")
r = L.LSTM(4, return_sequences=True, name="sh_lstm"); bn = L.BatchNormalization(momentum=0.5, name="sh_bn")
ha = L.GlobalAveragePooling1D(name="gap_a")(bn(r(a))); hb = L.GlobalAveragePooling1D(name="gap_b")(bn(r(b)))
m = keras.Model([a, b], L.Dense(1, name="head")(L.Concatenate(name="cat")([ha, hb])))
weights(m, ["sh_lstm", "head"])
xa = det((6, 5, 3), 0.9, 0.1, 1.0); xb = det((6, 5, 3), 0.7, 0.4, 2.0) + 1; y = det((6, 1), 0.5, 0.2, 1.0)
m.save("shared_bn_lstm.keras"); order("shared_bn_lstm", m, bn)
m.compile(optimizer=keras.optimizers.SGD(0.0), loss="mse")
m.fit([xa, xb], y, epochs=1, batch_size=6, shuffle=False, verbose=0)
bn_stats("shared_bn_lstm", "batch", bn)
m.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
m.fit([xa, xb], y, epochs=2, batch_size=3, shuffle=False, verbose=0)
bn_stats("shared_bn_lstm", "fit", bn)
put("shared_bn_lstm", "fit_predict", m.predict([xa, xb], batch_size=6, verbose=0))

# shared_stateful: LSTM(3, stateful) shared by a and b, each call behind its own Dense; Keras runs l(b) first
a = keras.Input(batch_shape=(2, 4, 3), name="a"); b = keras.Input(batch_shape=(2, 4, 3), name="b")
l = L.LSTM(3, stateful=True, name="sh_lstm")
m = keras.Model([a, b], L.Concatenate(name="cat")([L.Dense(2, name="da")(l(a)), L.Dense(2, name="db")(l(b))]))
weights(m, ["sh_lstm", "da", "db"])
xa = det((2, 4, 3), 0.8, 0.3, 1.0); xb = det((2, 4, 3), 0.6, 1.1, 1.5)
m.save("shared_stateful.keras"); order("shared_stateful", m, l)
put("shared_stateful", "predict1", m.predict([xa, xb], batch_size=2, verbose=0))
put("shared_stateful", "predict2", m.predict([xa, xb], batch_size=2, verbose=0))

# three_branch_bn: a -> pa -> bn -> cat; b -> pb -> bn -> db -> cat; c -> pc -> bn -> dc -> cat.
# Keras runs bn(a), bn(c), bn(b): neither call order nor its reverse.
a = keras.Input((4,), name="a"); b = keras.Input((5,), name="b"); c = keras.Input((6,), name="c")
bn = L.BatchNormalization(momentum=0.5, name="sh_bn")
ya = bn(L.Dense(3, name="pa")(a)); yb = L.Dense(2, name="db")(bn(L.Dense(3, name="pb")(b)))
yc = L.Dense(2, name="dc")(bn(L.Dense(3, name="pc")(c)))
m = keras.Model([a, b, c], L.Concatenate(name="cat")([ya, yb, yc]))
weights(m, ["pa", "pb", "pc", "db", "dc"])
xs = [det((6, 4), 0.9, 0.2, 1.0), det((6, 5), 0.7, 0.5, 2.0) + 1, det((6, 6), 0.4, 0.9, 3.0) - 2]
y = det((6, 7), 0.3, 0.6, 1.0)
m.save("three_branch_bn.keras"); order("three_branch_bn", m, bn)
m.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
m.fit(xs, y, epochs=2, batch_size=3, shuffle=False, verbose=0)
bn_stats("three_branch_bn", "fit", bn)
put("three_branch_bn", "fit_predict", m.predict(xs, batch_size=6, verbose=0))

# nested_bn: enc = Model(x -> sh_bn -> e1 -> e2) called on a, b, c; enc(a) -> cat, enc(b) -> db -> cat,
# enc(c) -> dc -> cat. Keras runs enc as one node: enc(a), enc(c), enc(b) (flattened by depth it would be c, b, a).
x = keras.Input((3,), name="x")
bn = L.BatchNormalization(momentum=0.5, name="sh_bn")
enc = keras.Model(x, L.Dense(3, name="e2")(L.Dense(3, name="e1")(bn(x))), name="enc")
a = keras.Input((3,), name="a"); b = keras.Input((3,), name="b"); c = keras.Input((3,), name="c")
m = keras.Model([a, b, c], L.Concatenate(name="cat")([enc(a), L.Dense(2, name="db")(enc(b)), L.Dense(2, name="dc")(enc(c))]))
weights(enc, ["e1", "e2"]); weights(m, ["db", "dc"])
xs = [det((6, 3), 0.9, 0.2, 1.0), det((6, 3), 0.7, 0.5, 2.0) + 1, det((6, 3), 0.4, 0.9, 3.0) - 2]
y = det((6, 7), 0.3, 0.6, 1.0)
m.save("nested_bn.keras"); order("nested_bn", m, bn)
m.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
m.fit(xs, y, epochs=2, batch_size=3, shuffle=False, verbose=0)
bn_stats("nested_bn", "fit", bn)
put("nested_bn", "fit_predict", m.predict(xs, batch_size=6, verbose=0))

# controls, where Keras runs call order: a shared BN and a shared stateful LSTM right below the merge
a = keras.Input((2,), name="a"); b = keras.Input((2,), name="b")
bn = L.BatchNormalization(momentum=0.5, name="sh_bn")
m = keras.Model([a, b], L.Dense(1, name="head")(L.Concatenate(name="cat")([bn(a), bn(b)])))
weights(m, ["head"])
xs = [det((3, 2), 0.9, 0.2, 1.0), det((3, 2), 0.7, 0.5, 20.0) + 10]
m.save("control_bn.keras"); order("control_bn", m, bn)
m.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
m.fit(xs, det((3, 1), 0.5, 0.2, 1.0), epochs=1, batch_size=3, shuffle=False, verbose=0)
bn_stats("control_bn", "fit", bn)

a = keras.Input(batch_shape=(2, 4, 3), name="a"); b = keras.Input(batch_shape=(2, 4, 3), name="b")
l = L.LSTM(3, stateful=True, name="sh_lstm")
m = keras.Model([a, b], L.Concatenate(name="cat")([l(a), l(b)]))
weights(m, ["sh_lstm"])
xa = det((2, 4, 3), 0.8, 0.3, 1.0); xb = det((2, 4, 3), 0.6, 1.1, 1.5)
m.save("control_stateful.keras"); order("control_stateful", m, l)
put("control_stateful", "predict1", m.predict([xa, xb], batch_size=2, verbose=0))
put("control_stateful", "predict2", m.predict([xa, xb], batch_size=2, verbose=0))
out.close()
