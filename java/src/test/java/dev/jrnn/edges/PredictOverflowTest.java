package dev.jrnn.edges;

import dev.jrnn.Jrnn;
import dev.jrnn.backend.cpu.CpuBackend;
import dev.jrnn.layers.Dense;
import dev.jrnn.model.Sequential;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A predict whose output would exceed one Java array is an IllegalArgumentException with the shape, not an ArithmeticException. */
class PredictOverflowTest {
    @Test
    void anOutputOverTwoToThe31ElementsIsRefusedWithItsShape() {
        CpuBackend be = CpuBackend.create();
        Jrnn.setBackend(be);
        try (Sequential m = new Sequential(new Dense(65536).inputShape(1))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.predict(Tensor.zeros(32768, 1)));
            assertTrue(e.getMessage().contains(".predict: output 0: shape (32768, 65536) holds 2147483648 elements"), e.getMessage());
            assertEquals(2, m.predict(Tensor.zeros(2, 1)).dim(0));   // the model still works
        }
        assertEquals(0, be.liveBuffers());
    }
}
