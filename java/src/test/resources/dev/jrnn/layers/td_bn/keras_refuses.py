# Keras 3.15.1 refuses a (batch, steps) mask under a 4-D TimeDistributed(BatchNormalization) input, in training and
# inference, and TimeDistributed(TimeDistributed(BatchNormalization)) likewise.
import numpy as np, keras
x = np.array([[1, 2, 0], [3, 0, 0]])
for nested in (False, True):
    for training in (True, False):
        bn = keras.layers.BatchNormalization()
        inner = keras.layers.TimeDistributed(bn) if nested else bn
        m = keras.Sequential([keras.Input((3,)), keras.layers.Embedding(10, 4, mask_zero=True),
                              keras.layers.TimeDistributed(keras.layers.Reshape((2, 2))),
                              keras.layers.TimeDistributed(inner)])
        try:
            print(nested, training, m(x, training=training).shape)
        except Exception as e:
            print(nested, training, type(e).__name__, [l for l in str(e).splitlines() if "mask" in l][:1])
# Keras 3.15.1 (JAX) prints:
# False True ValueError ['The mask provided should be one dimension less than the inputs. Received: mask.shape=(2,), inputs.shape=(2, 2, 2)']
# False False ValueError ['The mask provided should be one dimension less than the inputs. Received: mask.shape=(2,), inputs.shape=(2, 2, 2)']
# True True ValueError ['The `mask` passed to the `TimeDistributed` layer must be at least 2D (e.g., `(batch_size, timesteps)`), but it has 1 dimension(s) with shape (2,).']
# True False ValueError ['The `mask` passed to the `TimeDistributed` layer must be at least 2D (e.g., `(batch_size, timesteps)`), but it has 1 dimension(s) with shape (2,).']
