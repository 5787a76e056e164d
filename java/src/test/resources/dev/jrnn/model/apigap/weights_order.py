# Keras 3.15.1 (JAX): model.weights / trainable_weights / non_trainable_weights order and partition.
import keras
from keras import layers
inner = keras.Sequential([keras.Input((6,)), layers.Dense(3, name="inner_dense"), layers.BatchNormalization(name="inner_bn")], name="inner")
inp = keras.Input((5, 4))
x = layers.LSTM(6, return_sequences=True, name="lstm")(inp)
x = layers.BatchNormalization(name="bn")(x)
x = layers.GlobalAveragePooling1D(name="gap")(x)
x = inner(x)
frozen = layers.Dense(2, name="frozen")
x = frozen(x)
out = layers.Dense(1, name="head")(x)
m = keras.Model(inp, out, name="m")
frozen.trainable = False
inner.trainable = False
def show(tag):
    for k in ("weights", "trainable_weights", "non_trainable_weights"):
        print(tag, k, [(w.path, tuple(w.shape)) for w in getattr(m, k)])
show("A")
m.trainable = False
show("B")
m.trainable = True   # Keras sets every layer's flag back: frozen and inner train again
show("C")
