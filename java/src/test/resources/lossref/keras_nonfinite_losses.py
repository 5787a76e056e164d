# Keras 3.15.1's mean loss of every built-in jrnn loss (default options) on a 2 x 3 batch with one NaN, +Inf or -Inf
# in row 1 (column 0 or 1) of the predictions or of the targets: the golden values of dev.jrnn.backend.NonFiniteLossTest
# (the cases of dev.jrnn.backend.NonFiniteLossCases, the same base rows). Each line:
#   <jrnn Loss.Kind> <pred|target> <nan|inf|-inf> <column> <mean loss as Python prints the float32>
# keras_nonfinite_losses.txt keeps the lines on which Keras on JAX and on TensorFlow 2.21 agree (equal, or within 1e-5):
# 202 of 216. They differ on 14 Inf cases (binary_crossentropy from logits of +Inf: inf on JAX, nan on TF; the sparse
# cross-entropies of an Inf: nan on JAX's one-hot form, finite on TF's gather; binary focal from logits of +-Inf), where
# the CUDA kernel is held to the CPU backend only (CudaKernelsSimTest, CudaNonFiniteLossGpuTest).
#   KERAS_BACKEND=jax /tmp/jrnn-keras3/venv/bin/python keras_nonfinite_losses.py > /tmp/jax.txt
#   KERAS_BACKEND=tensorflow /tmp/tfdata-venv/bin/python keras_nonfinite_losses.py > /tmp/tf.txt
#   (head -1 /tmp/jax.txt; paste -d' ' <(tail -n +2 /tmp/jax.txt) <(tail -n +2 /tmp/tf.txt | cut -d' ' -f5) | awk '{a = $5; b = $6;
#     if (a == b || (a !~ /nan|inf/ && b !~ /nan|inf/ && (a - b)^2 < 1e-10)) print $1, $2, $3, $4, $5}') > keras_nonfinite_losses.txt
import numpy as np
import keras

P = [[0.2, 0.5, 0.3], [0.6, 0.1, 0.3]]          # probabilities
L = [[0.5, -1.2, 2.0], [-0.3, 0.8, 0.1]]        # logits and real values
R = [[0.4, -0.7, 1.5], [1.0, 0.2, -0.4]]        # regression targets
B = [[1, 0, 1], [0, 1, 0]]                      # 0/1 targets
O = [[0, 1, 0], [1, 0, 0]]                      # one-hot targets
S = [1, 0]                                      # class indices
K = [[0.1, 0.6, 0.3], [0.5, 0.25, 0.25]]        # distributions
C = [[1, 0, 2], [3, 1, 0]]                      # counts
ks = keras.losses
CASES = [
    ("MSE", ks.mean_squared_error, L, R),
    ("MAE", ks.mean_absolute_error, L, R),
    ("BINARY_CROSSENTROPY", ks.binary_crossentropy, P, B),
    ("BINARY_CROSSENTROPY_LOGITS", lambda t, p: ks.binary_crossentropy(t, p, from_logits=True), L, B),
    ("CATEGORICAL_CROSSENTROPY", ks.categorical_crossentropy, P, O),
    ("CATEGORICAL_CROSSENTROPY_LOGITS", lambda t, p: ks.categorical_crossentropy(t, p, from_logits=True), L, O),
    ("SPARSE_CATEGORICAL_CROSSENTROPY", ks.sparse_categorical_crossentropy, P, S),
    ("SPARSE_CATEGORICAL_CROSSENTROPY_LOGITS", lambda t, p: ks.sparse_categorical_crossentropy(t, p, from_logits=True), L, S),
    ("HUBER", ks.huber, L, R),
    ("LOG_COSH", ks.log_cosh, L, R),
    ("KL_DIVERGENCE", ks.kl_divergence, P, K),
    ("POISSON", ks.poisson, P, C),
    ("HINGE", ks.hinge, L, B),
    ("SQUARED_HINGE", ks.squared_hinge, L, B),
    ("CATEGORICAL_HINGE", ks.categorical_hinge, L, O),
    ("BINARY_FOCAL_CROSSENTROPY", ks.binary_focal_crossentropy, P, B),
    ("BINARY_FOCAL_CROSSENTROPY_LOGITS", lambda t, p: ks.binary_focal_crossentropy(t, p, from_logits=True), L, B),
    ("CATEGORICAL_FOCAL_CROSSENTROPY", ks.categorical_focal_crossentropy, P, O),
    ("CATEGORICAL_FOCAL_CROSSENTROPY_LOGITS", lambda t, p: ks.categorical_focal_crossentropy(t, p, from_logits=True), L, O),
]
print("# keras", keras.__version__, "on JAX and TensorFlow, the cases where they agree")
for kind, f, p, t in CASES:
    for where in ("pred", "target"):
        if where == "target" and kind.startswith("SPARSE"):
            continue   # a class index that is not one is refused (BackendContractTest)
        for s in (np.nan, np.inf, -np.inf):
            for c in (0, 1):
                pv, tv = np.array(p, np.float32), np.array(t, np.float32)
                (pv if where == "pred" else tv)[1, c] = s
                v = float(keras.ops.mean(f(tv, pv)))
                print(kind, where, str(float(s)), c, repr(float(np.float32(v))))
