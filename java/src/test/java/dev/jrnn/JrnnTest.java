package dev.jrnn;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.Precision;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class JrnnTest {
    @Test
    void nullSettingsAreRefusedAndChangeNothing() {
        Jrnn.setBackend("cpu");
        Backend before = Jrnn.backend();
        assertEquals("Jrnn.setBackend: backend is null",
                assertThrows(IllegalArgumentException.class, () -> Jrnn.setBackend((Backend) null)).getMessage());
        assertEquals("Jrnn.setBackend: name is null, expected auto, cpu or cuda",
                assertThrows(IllegalArgumentException.class, () -> Jrnn.setBackend((String) null)).getMessage());
        assertEquals("Jrnn.setPrecision: precision is null, expected FP32, TF32 or BF16",
                assertThrows(IllegalArgumentException.class, () -> Jrnn.setPrecision(null)).getMessage());
        assertEquals(before, Jrnn.backend());
        assertEquals(Precision.FP32, Jrnn.precision());
    }
}
