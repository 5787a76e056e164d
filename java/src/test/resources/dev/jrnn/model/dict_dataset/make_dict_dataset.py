# Keras 3.15.1 (tensorflow backend) reference for DictDatasetTest: a two-input, two-output functional model trained on a
# tf.data set of dicts, from_tensor_slices(({"title": x1, "body": x2}, {"priority": y1, "dept": y2}, {"priority": w1,
# "dept": w2})), with a loss dict and a loss_weights dict. The two inputs have one width, and so have the two outputs, and the
# extra key "unused" holds an array of title's shape of its own: a part read under the wrong key changes the numbers instead
# of failing on a shape. Batches of 5 (10 samples): no partial last batch, whose per-output logs Keras' tensorflow backend
# averages otherwise than its jax backend and jrnn (GUIDE, "Where Keras' own backends disagree"). Writes beside itself:
#   dict_model.keras   the compiled model before training
#   dict_data.npz      the arrays, under member names other than the model's (x_title, ...), for fromNpz's name map
#   dict_history.txt   per epoch: loss dept_loss priority_loss (Keras' logs), then the predictions after training
# Run: /tmp/tester-repros/kpy.sh make_dict_dataset.py
import os
import numpy as np, tensorflow as tf, keras

here = os.path.dirname(os.path.abspath(__file__))
keras.utils.set_random_seed(1)
t = keras.Input((3,), name="title"); b = keras.Input((3,), name="body")
h = keras.layers.Dense(4, activation="tanh", name="hidden")(keras.layers.Concatenate(name="cat")([t, b]))
p = keras.layers.Dense(2, name="priority")(h); d = keras.layers.Dense(2, name="dept")(h)
m = keras.Model([t, b], {"priority": p, "dept": d}, name="m")
m.compile(keras.optimizers.SGD(0.1), loss={"priority": "mse", "dept": "mse"}, loss_weights={"priority": 1.0, "dept": 0.5})
m.save(os.path.join(here, "dict_model.keras"))

rng = np.random.default_rng(0)
x1 = rng.standard_normal((10, 3)).astype("f4"); x2 = rng.standard_normal((10, 3)).astype("f4")
y1 = rng.standard_normal((10, 2)).astype("f4"); y2 = rng.standard_normal((10, 2)).astype("f4")
w1 = rng.uniform(0.5, 2, 10).astype("f4"); w2 = rng.uniform(0.5, 2, 10).astype("f4")
xu = rng.standard_normal((10, 3)).astype("f4")
np.savez(os.path.join(here, "dict_data.npz"), x_title=x1, x_body=x2, x_unused=xu, y_prio=y1, y_dept=y2, w_prio=w1, w_dept=w2)

ds = tf.data.Dataset.from_tensor_slices(({"body": x2, "title": x1, "unused": xu},
                                         {"priority": y1, "dept": y2}, {"priority": w1, "dept": w2})).batch(5)
hist = m.fit(ds, epochs=3, verbose=0).history
pred = m.predict(tf.data.Dataset.from_tensor_slices(({"title": x1, "body": x2}, (None, None))).batch(5), verbose=0)
with open(os.path.join(here, "dict_history.txt"), "w") as f:
    f.write("# Keras %s, epochs of fit on the dict data set, batch 5: loss dept_loss priority_loss\n" % keras.__version__)
    for e in range(3):
        f.write("%r %r %r\n" % (hist["loss"][e], hist["dept_loss"][e], hist["priority_loss"][e]))
    f.write("# predict after training: dept (10 x 2) then priority (10 x 2), row-major\n")
    f.write(" ".join(repr(float(v)) for v in pred["dept"].ravel()) + "\n")
    f.write(" ".join(repr(float(v)) for v in pred["priority"].ravel()) + "\n")
print(hist)
