"""One Attention / MultiHeadAttention layer called twice with different call arguments, saved by Keras 3.15.1 itself
(`KERAS_BACKEND=jax python make_shared_calls.py`): Keras saves, loads and predicts each; jrnn keeps call arguments per
layer and refuses them, naming the layer and the arguments that differ (AttentionBadInputTest,
MultiHeadAttentionBadInputTest). Each .keras re-zipped with deflate (members unchanged)."""
import os
import sys
os.environ.setdefault("KERAS_BACKEND", "jax")
import numpy as np, keras
from keras import layers as L
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from keras_zip import deflate
keras.utils.set_random_seed(5)
q = L.Input((4, 3)); v = L.Input((4, 3)); am = L.Input((4, 4))
att = L.Attention(name="my_att")
mha = L.MultiHeadAttention(2, 2, name="my_mha")
models = {
    # causal on the first call only (the outside tester's shared_flags.py)
    "shared_att_flags": keras.Model([q, v], [att([q, v], use_causal_mask=True), att([q, v])]),
    "shared_mha_flags": keras.Model([q, v], [mha(q, v, use_causal_mask=True), mha(q, v)]),
}
att2 = L.Attention(name="my_att2")
mha2 = L.MultiHeadAttention(2, 2, name="my_mha2")
o, s = att2([q, v], return_attention_scores=True)
models["shared_att_scores"] = keras.Model([q, v], [o, s, att2([v, q])])
models["shared_mha_mask"] = keras.Model([q, v, am], [mha2(q, v, attention_mask=am), mha2(v, q, use_causal_mask=True)])
for name, m in models.items():
    m.save(f"{name}.keras")
    deflate(f"{name}.keras")
    back = keras.saving.load_model(f"{name}.keras")
    print(name, "Keras loads and predicts:", [tuple(o.shape) for o in back.predict([np.ones((1, 4, 3))] * 2
          + ([np.ones((1, 4, 4))] if name == "shared_mha_mask" else []), verbose=0)])
