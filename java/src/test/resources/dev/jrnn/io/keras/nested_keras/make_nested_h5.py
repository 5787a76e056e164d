# Keras 3.15.1 (TensorFlow) fixture of NestedLegacyH5Test: a functional model calling a nested functional model,
# inner = Model(ii, [bn1(d1(ii)), bn2(d2(d1(ii)))]) (d2 frozen; its second output unused outside), in
# out(bn3(inner(x)[0])) beside a top-level branch p(x) added in; trained one epoch with SGD and saved as the legacy
# nested.h5 (model_weights/inner holds all of inner's arrays in one group: trainable ones first, as Keras 3 lists a
# nested model's _legacy_weights); nested_weights_only.h5 is its model_weights group at the root, the layout of a
# tf.keras 2 save_weights(".h5") (Keras 3 only writes .weights.h5), which Keras 3's load_weights reads.
# nested_h5.txt: "key values..." for a predict and every layer's weights.
# Run here: /tmp/tester-repros/kpy.sh make_nested_h5.py
import numpy as np, keras, h5py
from keras import layers as L

def det(shape, a, ph, amp):
    n = int(np.prod(shape)); return (amp * np.sin(a * np.arange(n) + ph)).reshape(shape).astype("float32")

def built():
    ii = keras.Input((4,), name="ii")
    a = L.Dense(3, name="d1")(ii)
    d2 = L.Dense(2, name="d2")
    inner = keras.Model(ii, [L.BatchNormalization(name="bn1")(a), L.BatchNormalization(name="bn2")(d2(a))], name="inner")
    d2.trainable = False
    x = keras.Input((4,), name="x")
    h = L.BatchNormalization(name="bn3")(inner(x)[0])
    m = keras.Model(x, L.Add(name="add")([L.Dense(1, name="out")(h), L.Dense(1, name="p")(x)]), name="outer")
    return m, inner

if __name__ == "__main__":
    m, inner = built()
    for i, l in enumerate([inner.get_layer(n) for n in ["d1", "d2", "bn1", "bn2"]] + [m.get_layer(n) for n in ["bn3", "out", "p"]]):
        l.set_weights([det(w.shape, 1.3, 0.7 * j + 0.5 * i, 0.4) + (1.0 if "variance" in v.path else 0.0)
                       for j, (w, v) in enumerate(zip(l.get_weights(), l.weights))])
    x = det((8, 4), 0.9, 0.2, 2.0) + 1.0
    y = det((8, 1), 0.3, 0.6, 1.0)
    m.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    m.fit(x, y, epochs=1, batch_size=4, shuffle=False, verbose=0)
    m.save("nested.h5")
    with h5py.File("nested.h5", "r") as src, h5py.File("nested_weights_only.h5", "w") as dst:
        for k, v in src["model_weights"].attrs.items(): dst.attrs[k] = v
        for k in src["model_weights"]: src.copy(src["model_weights"][k], dst, name=k)
    np.save("nested_h5_x.npy", x)
    with open("nested_h5.txt", "w") as out:
        def put(key, v): out.write(key + " " + " ".join("%.9g" % x for x in np.asarray(v, "float64").ravel()) + "\n")
        put("predict", m.predict(x, verbose=0))
        for n in ["d1", "d2", "bn1", "bn2"]:
            for j, w in enumerate(inner.get_layer(n).get_weights()): put(n + "_" + str(j), w)
        for n in ["bn3", "out", "p"]:
            for j, w in enumerate(m.get_layer(n).get_weights()): put(n + "_" + str(j), w)
    # Keras' own load_weights of both files into the model built afresh gives the same predict
    for f in ["nested.h5", "nested_weights_only.h5"]:
        b, _ = built()
        b.load_weights(f)
        np.testing.assert_allclose(b.predict(x, verbose=0), m.predict(x, verbose=0), atol=1e-6)
        print(f, "loads in Keras")
    print([l.name for l in m.layers], list(h5py.File("nested.h5")["model_weights/inner"].attrs["weight_names"]))
