"""The rule TimeDistributedBatchNormTest.nestedTimeDistributedRunsPerInnerStep relies on: Keras 3.15.1 runs
TimeDistributed(TimeDistributed(BatchNormalization)) over (batch, T, S, f) as TimeDistributed(BatchNormalization) over the
same values as (batch, T * S, f) (one step per (t, s), t-major): outputs and moving statistics equal. Prints "0.0 0.0 0.0".
Run: KERAS_BACKEND=jax python nested_check.py
"""
import numpy as np, keras
from keras import layers as L
rng = np.random.default_rng(1)
x = (rng.normal(size=(3, 2, 3, 2)) + np.arange(6).reshape(1, 2, 3, 1)).astype("float32")
i = keras.Input((2, 3, 2)); bn = L.BatchNormalization(momentum=0.6)
m = keras.Model(i, L.TimeDistributed(L.TimeDistributed(bn))(i))
y = np.asarray(m(x, training=True))
j = keras.Input((6, 2)); bn2 = L.BatchNormalization(momentum=0.6)
m2 = keras.Model(j, L.TimeDistributed(bn2)(j))
y2 = np.asarray(m2(x.reshape(3, 6, 2), training=True))
print(np.abs(y.reshape(3, 6, 2) - y2).max(), np.abs(bn.moving_mean.numpy() - bn2.moving_mean.numpy()).max(), np.abs(bn.moving_variance.numpy() - bn2.moving_variance.numpy()).max())
