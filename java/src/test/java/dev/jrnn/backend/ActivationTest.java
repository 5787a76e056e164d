package dev.jrnn.backend;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Activation}: Keras' spellings, distinct kernel codes, values at known points, and every
 * derivative-from-output against a central difference of the function (the backward passes rely on it).
 */
class ActivationTest {
    @Test
    void kerasSpellingsRoundTripAndCodesAreDistinct() {
        Set<Integer> codes = new HashSet<>();
        for (Activation a : Activation.values()) {
            assertEquals(a, Activation.of(a.kerasName()));
            assertEquals(a, Activation.of(a.kerasName().toUpperCase(java.util.Locale.ROOT)));
            assertTrue(codes.add(a.code()), "code " + a.code() + " of " + a + " is taken");
        }
        assertEquals(Activation.LINEAR, Activation.of(null));
        assertEquals(Activation.LINEAR, Activation.of(""));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Activation.of("swishy"));
        assertTrue(e.getMessage().contains("'swishy'") && e.getMessage().contains("tanh"), e.getMessage());
    }

    @Test
    void valuesAtKnownPoints() {
        assertEquals(0.5, Activation.SIGMOID.apply(0), 0);
        assertEquals(1 / (1 + Math.exp(-2)), Activation.SIGMOID.apply(2), 1e-15);
        assertEquals(Math.tanh(-0.7), Activation.TANH.apply(-0.7), 0);
        assertEquals(0, Activation.RELU.apply(-3), 0);
        assertEquals(2.5, Activation.RELU.apply(2.5), 0);
        assertEquals(-4.25, Activation.LINEAR.apply(-4.25), 0);
        assertEquals(0.5, Activation.HARD_SIGMOID.apply(0), 0);
        assertEquals(0, Activation.HARD_SIGMOID.apply(-10), 0);
        assertEquals(1, Activation.HARD_SIGMOID.apply(10), 0);
        assertThrows(UnsupportedOperationException.class, () -> Activation.SOFTMAX.apply(1));
    }

    @Test
    void derivativeFromOutputIsTheSlope() {
        double h = 1e-6;
        for (Activation a : Activation.values()) {
            if (a == Activation.SOFTMAX) continue;
            // points away from every kink (0 for relu-like, +-2.5 or +-3 for hard sigmoid)
            for (double x : new double[] {-4.1, -2.2, -0.9, -0.3, 0.4, 1.1, 2.7, 3.6}) {
                double slope = (a.apply(x + h) - a.apply(x - h)) / (2 * h);
                assertEquals(slope, a.derivFromOutput(a.apply(x)), 1e-6, a + " at " + x);
            }
        }
    }
}
