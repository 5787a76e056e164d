package dev.jrnn.model;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class EarlyStoppingTest {
    @Test
    void oddValuesAreRefusedNamingTheSetting() {
        assertEquals("EarlyStopping: baseline must be a number, got NaN",
                assertThrows(IllegalArgumentException.class, () -> new EarlyStopping().baseline(Double.NaN)).getMessage());
        assertEquals("EarlyStopping: minDelta must be >= 0 and finite, got Infinity",
                assertThrows(IllegalArgumentException.class, () -> new EarlyStopping().minDelta(Double.POSITIVE_INFINITY)).getMessage());
        assertEquals("EarlyStopping: verbose must be >= 0, got -1",
                assertThrows(IllegalArgumentException.class, () -> new EarlyStopping().verbose(-1)).getMessage());
        new EarlyStopping().baseline(Double.POSITIVE_INFINITY).minDelta(0.5);   // an infinite baseline is "none to beat"
    }
}
