# Keras 3.15.1's gradient of the mean categorical_hinge on keras_nonfinite_losses.py's 2 x 3 batch (logits L, one-hot
# targets O) with one NaN, +Inf or -Inf at row 1, column 0 or 1: the golden values of
# dev.jrnn.backend.NonFiniteLossTest.categoricalHingeGradientIsNaNOnlyWhereKerasIs (JAX and TensorFlow 2.21 agree on
# every line this prints for those cases). Each line: <backend> <pred|target> <value> <column> <loss> <grad row 1> <grad row 0>
#   KERAS_BACKEND=jax /tmp/jrnn-keras3/venv/bin/python keras_nonfinite_grads.py
#   KERAS_BACKEND=tensorflow /tmp/tfdata-venv/bin/python keras_nonfinite_grads.py
import numpy as np
import keras

be = keras.backend.backend()
L = [[0.5, -1.2, 2.0], [-0.3, 0.8, 0.1]]
O = [[0, 1, 0], [1, 0, 0]]


def grad(f, t, p):
    if be == "jax":
        import jax
        return np.asarray(jax.grad(lambda x: keras.ops.mean(f(t, x)))(p)), float(keras.ops.mean(f(t, p)))
    import tensorflow as tf
    x = tf.Variable(p)
    with tf.GradientTape() as g:
        l = tf.reduce_mean(f(t, x))
    return g.gradient(l, x).numpy(), float(l)


for where in ("pred", "target"):
    for s in (np.nan, np.inf, -np.inf):
        for c in (0, 1):
            pv, tv = np.array(L, np.float32), np.array(O, np.float32)
            (pv if where == "pred" else tv)[1, c] = s
            g, l = grad(keras.losses.categorical_hinge, tv, pv)
            print(be, where, s, c, l, g[1].tolist(), g[0].tolist())
