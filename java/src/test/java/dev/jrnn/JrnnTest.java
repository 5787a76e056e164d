package dev.jrnn;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.Precision;
import dev.jrnn.layers.Dense;
import dev.jrnn.model.Sequential;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
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

    @Test
    void aClosedBackendMadeByNameIsReplacedByANewOneOfThatName() {
        Jrnn.setBackend("cpu");
        Backend old = Jrnn.backend();
        try (Sequential m = new Sequential(new Dense(2).inputShape(3))) {
            m.predict(Tensor.full(1f, 1, 3));
            old.close();
        }
        Backend fresh = Jrnn.backend();
        assertNotSame(old, fresh);
        assertTrue(old.isClosed());
        assertFalse(fresh.isClosed());
        assertEquals("cpu", fresh.name());
        try (Sequential m = new Sequential(new Dense(2).inputShape(3))) {   // built and run on the new backend
            assertEquals(2, m.predict(Tensor.full(1f, 1, 3)).toArray().length);
        }
    }
}
