package dev.jrnn.layers;

import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every public layer returns its own type from the setters it inherits (docs/ARCHITECTURE.md says why they
 * are one-line overrides rather than a self-typed base), so Keras-style chains keep their type:
 * {@code new LSTM(4).returnSequences(true).name("x")} is an LSTM.
 */
class LayerSettersTest {
    static final List<Class<? extends Layer>> LAYERS = List.of(Dense.class, Dropout.class, Embedding.class, Masking.class,
            Bidirectional.class, TimeDistributed.class, SimpleRNN.class, LSTM.class, GRU.class, Activation.class, RepeatVector.class,
            Conv1D.class, AveragePooling1D.class, MaxPooling1D.class, GlobalAveragePooling1D.class, GlobalMaxPooling1D.class,
            Attention.class, AdditiveAttention.class, MultiHeadAttention.class,
            Reshape.class, Permute.class, GetItem.class, ZeroPadding1D.class, Cropping1D.class, UpSampling1D.class,
            SpatialDropout1D.class, GaussianNoise.class, GaussianDropout.class,
            BatchNormalization.class, ReLU.class, LeakyReLU.class, ELU.class, PReLU.class, Softmax.class, Identity.class);

    @Test
    void everyInheritedSetterReturnsTheLayersOwnType() {
        List<String> missing = new ArrayList<>();
        for (Class<? extends Layer> c : LAYERS) {
            for (Method m : c.getMethods()) {
                Class<?> from = m.getDeclaringClass();
                // a setter of a supertype: public, not static, returns its declaring layer class
                if (Modifier.isStatic(m.getModifiers()) || m.isBridge() || !Layer.class.isAssignableFrom(from)) continue;
                if (m.getReturnType() != from || from == c) continue;
                missing.add(c.getSimpleName() + "." + m.getName() + " returns " + from.getSimpleName());
            }
        }
        assertEquals(List.of(), missing);
    }

    @Test
    void theCheckSeesTheSetters() {
        // it would pass on nothing if getMethods found none: LSTM's name and returnSequences are its own
        List<String> own = new ArrayList<>();
        for (Method m : LSTM.class.getMethods()) {
            if (!m.isBridge() && m.getReturnType() == LSTM.class) own.add(m.getName());
        }
        assertTrue(own.containsAll(List.of("name", "seed", "inputShape", "trainable", "returnSequences", "useBias")), own.toString());
    }

    @Test
    void chainsKeepTheirTypeAndSetWhatTheySay() {
        LSTM l = new LSTM(4).returnSequences(true).name("x").goBackwards(true).trainable(false);
        assertEquals("x", l.name());
        assertTrue(l.returnSequences);
        assertTrue(l.goBackwards);
        Dense d = new Dense(2).name("head").inputShape(3);
        assertEquals("head", d.name());
        Layer asLayer = d;
        assertSame(d, asLayer.name("head2"));
        assertEquals("head2", d.name());
    }
}
