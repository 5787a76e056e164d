package dev.jrnn.tensor;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Float32Test {
    @Test
    void theRoundedValueIsCheckedAndTheMessageSaysWhatItBecame() {
        assertEquals(0.999f, Float32.check("beta2", 0.999, b -> b >= 0 && b < 1, "in [0, 1)"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Float32.check("Adam: beta2", 0.999999999, b -> b >= 0 && b < 1, "in [0, 1)"));
        assertEquals("Adam: beta2 must be in [0, 1), got 0.999999999 (float32, which jrnn computes with, rounds it to 1.0)",
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Float32.check("eps", 1e-50, v -> v > 0, "positive"));
        assertTrue(e.getMessage().endsWith("rounds it to 0.0)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Float32.check("m", 1e39, Double::isFinite, "finite"));
        assertTrue(e.getMessage().endsWith("rounds it to Infinity)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Float32.check("m", Double.NaN, Double::isFinite, "finite"));
        assertEquals("m must be finite, got NaN", e.getMessage());
    }
}
