"""What Keras 3.15.1 does with each learning-rate schedule whose required argument is None (a null in a file's config):
from_config, then a call at step 5 (KerasCompileKeysTest.aNullScheduleKeyIsNamedWhereKerasFailsOnIt). Run with keras 3.15.1
and jax: KERAS_BACKEND=jax python make_schedule_nulls.py. Its output (a step count, boundaries or values: refused when
building the schedule; a rate: built, and the first call raises):

ExponentialDecay initial_learning_rate call: ValueError None is not a valid value for jnp.array
ExponentialDecay decay_steps init: TypeError '<=' not supported between instances of 'NoneType' and 'int'
ExponentialDecay decay_rate call: ValueError None is not a valid value for jnp.array
PiecewiseConstantDecay boundaries init: TypeError object of type 'NoneType' has no len()
PiecewiseConstantDecay values init: TypeError object of type 'NoneType' has no len()
PolynomialDecay initial_learning_rate call: ValueError None is not a valid value for jnp.array
PolynomialDecay decay_steps init: TypeError '<=' not supported between instances of 'NoneType' and 'int'
InverseTimeDecay initial_learning_rate call: ValueError None is not a valid value for jnp.array
InverseTimeDecay decay_steps init: TypeError '<=' not supported between instances of 'NoneType' and 'int'
InverseTimeDecay decay_rate call: ValueError None is not a valid value for jnp.array
CosineDecay initial_learning_rate call: ValueError None is not a valid value for jnp.array
CosineDecay decay_steps init: TypeError '<=' not supported between instances of 'NoneType' and 'int'
CosineDecayRestarts initial_learning_rate call: ValueError None is not a valid value for jnp.array
CosineDecayRestarts first_decay_steps init: TypeError '<=' not supported between instances of 'NoneType' and 'int'
"""
import os

os.environ.setdefault("KERAS_BACKEND", "jax")
import keras

S = keras.optimizers.schedules
BASES = {
    "ExponentialDecay": {"initial_learning_rate": 0.01, "decay_steps": 100, "decay_rate": 0.9},
    "PiecewiseConstantDecay": {"boundaries": [10, 20], "values": [0.1, 0.01, 0.001]},
    "PolynomialDecay": {"initial_learning_rate": 0.01, "decay_steps": 100},
    "InverseTimeDecay": {"initial_learning_rate": 0.01, "decay_steps": 100, "decay_rate": 0.5},
    "CosineDecay": {"initial_learning_rate": 0.01, "decay_steps": 100},
    "CosineDecayRestarts": {"initial_learning_rate": 0.01, "first_decay_steps": 30},
}
for cls, cfg in BASES.items():
    for k in cfg:
        c = dict(cfg); c[k] = None
        try:
            s = getattr(S, cls).from_config(c)
        except Exception as e:
            print(cls, k, "init:", type(e).__name__, str(e)[:80]); continue
        try:
            print(cls, k, "call ok", float(s(5)))
        except Exception as e:
            print(cls, k, "call:", type(e).__name__, str(e)[:80])
