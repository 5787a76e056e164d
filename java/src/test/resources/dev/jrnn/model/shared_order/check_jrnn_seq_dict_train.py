# Keras 3.15.1 resumes the files jrnn saved (flattened) after 2 Adam steps from make_nested_seq_dict_train.py's
# nested_{seq,dict}_train_0.keras (KerasRunOrderTest.aNestedSequentialAndADictModelTrainAndResumeAsKeras saves them
# and compares its save's optimizer variables with these): Keras' 3rd step from them must be its own
# (nested_seq_dict_train.txt). Run here:
#   KERAS_BACKEND=tensorflow python check_jrnn_seq_dict_train.py
import numpy as np, keras

def det(shape, a, ph, amp):   # KerasRunOrderTest.det
    n = int(np.prod(shape)); return (amp * np.sin(a * np.arange(n) + ph)).reshape(shape).astype("float32")

xa, xb = det((6, 3), 0.9, 0.2, 1.0), det((6, 2), 0.5, 0.1, 1.0)
y = det((6, 1), 0.3, 0.6, 1.0)
golden = {}
for line in open("nested_seq_dict_train.txt"):
    f = line.split()
    golden[f[0] + " " + f[1]] = np.array([float(v) for v in f[2:]])
for kind in ["seq", "dict"]:
    c = "nested_%s_train" % kind
    m = keras.models.load_model("jrnn_%s_2.keras" % c)
    assert int(m.optimizer.iterations) == 2, int(m.optimizer.iterations)
    loss = float(m.train_on_batch([xa, xb], y))
    pred = m.predict([xa, xb], verbose=0).ravel()
    assert abs(loss - golden[c + " loss3"][0]) < 2e-5, (kind, loss, golden[c + " loss3"])
    assert np.abs(pred - golden[c + " pred3"]).max() < 2e-5, (kind, pred, golden[c + " pred3"])
    print(kind, "Keras' step 3 from jrnn's file:", loss, "its own:", golden[c + " loss3"][0])
