# Keras 3.15.1 (TensorFlow) takes step 4 from a jrnn file of make_nested_unused_train.py's model after its 3 Adam steps
# (MakeTrainFiles.java writes it), run by hand in this directory:
#   KERAS_BACKEND=tensorflow python check_jrnn_unused_train.py FILE          compares with Keras' own step 4 (loss4, step4_*)
#   KERAS_BACKEND=tensorflow python check_jrnn_unused_train.py FILE PREFIX   appends Keras' step 4 as PREFIX_loss4, PREFIX_step4_*
# The second pinned nested_unused_train_main.keras (main at 23f77b24, before u1 trained: its u1 slots hold zeros) as "main".
import sys, numpy as np, keras

def det(shape, a, ph, amp):
    n = int(np.prod(shape)); return (amp * np.sin(a * np.arange(n) + ph)).reshape(shape).astype("float32")

golden = {}
for line in open("nested_unused_train.txt"):
    f = line.split(); golden[f[1]] = np.array([float(v) for v in f[2:]])
m = keras.models.load_model(sys.argv[1])
enc = m.get_layer("enc")
got = {"loss4": [m.train_on_batch(det((6, 3), 0.9, 0.2, 1.0), det((6, 1), 0.3, 0.6, 1.0))]}
for n in ["pre", "s", "e1", "u1", "u2", "head"]:
    for j, w in enumerate(m.get_layer(n).weights if n in ["pre", "head"] else enc.get_layer(n).weights):
        got["step4_%s_%d" % (n, j)] = np.asarray(w).ravel()
if len(sys.argv) > 2:
    with open("nested_unused_train.txt", "a") as out:
        for k, v in got.items():
            out.write("nested_unused_train %s_%s %s\n" % (sys.argv[2], k, " ".join("%.9g" % x for x in np.asarray(v, "float64").ravel())))
else:
    worst = max(np.abs(np.asarray(v) - golden[k]).max() for k, v in got.items())
    print("loss4", got["loss4"][0], "Keras' own", golden["loss4"][0], "largest difference", worst)
    assert worst < 1e-5, worst
