# Keras 3.15.1 (tensorflow backend) reference for DictDatasetTest's null target: dict_model.keras (make_dict_dataset.py)
# compiled again with loss={"priority": "mse", "dept": None} and trained on a tf.data set of dicts whose "dept" target is
# None, from_tensor_slices(({"title": x1, "body": x2}, {"priority": y1, "dept": None}, {"priority": w1, "dept": None})),
# batches of 5, from dict_data.npz. Keras trains "priority" only; with a "dept" loss it refuses the None ("None values not
# supported"). Writes beside itself:
#   dict_null_target.txt   per epoch: loss; then evaluate's loss on the same data set; then the predictions after training
# Run: /tmp/tester-repros/kpy.sh make_dict_null_target.py
import os
import numpy as np, tensorflow as tf, keras

here = os.path.dirname(os.path.abspath(__file__))
m = keras.saving.load_model(os.path.join(here, "dict_model.keras"))
m.compile(keras.optimizers.SGD(0.1), loss={"priority": "mse", "dept": None})
a = np.load(os.path.join(here, "dict_data.npz"))
x = {"title": a["x_title"], "body": a["x_body"]}
ds = tf.data.Dataset.from_tensor_slices((x, {"priority": a["y_prio"], "dept": None}, {"priority": a["w_prio"], "dept": None})).batch(5)
hist = m.fit(ds, epochs=3, verbose=0).history
ev = m.evaluate(ds, verbose=0)
pred = m.predict(ds, verbose=0)   # predict reads the inputs only
with open(os.path.join(here, "dict_null_target.txt"), "w") as f:
    f.write("# Keras %s, fit on the dict data set with a None dept target, batch 5: loss per epoch\n" % keras.__version__)
    f.write(" ".join(repr(v) for v in hist["loss"]) + "\n")
    f.write("# evaluate's loss after training\n%r\n" % ev)
    f.write("# predict after training: dept (10 x 2) then priority (10 x 2), row-major\n")
    f.write(" ".join(repr(float(v)) for v in pred["dept"].ravel()) + "\n")
    f.write(" ".join(repr(float(v)) for v in pred["priority"].ravel()) + "\n")
print(hist, ev)
