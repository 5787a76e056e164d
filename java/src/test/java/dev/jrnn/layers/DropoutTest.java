package dev.jrnn.layers;

import dev.jrnn.Jrnn;
import dev.jrnn.backend.DTensor;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** {@link Dropout}: identity at inference, inverted dropout at training, seeded and fresh masks. */
class DropoutTest {
    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
        Jrnn.setSeed(13);
    }

    @Test
    void dropoutIsIdentityAtInferenceAndScalesAtTraining() {
        Jrnn.clearSession();
        Dropout dr = new Dropout(0.25);
        assertEquals("dropout", dr.name());
        Tensor x = Tensor.full(1f, 4, 50, 10);
        assertArrayEquals(x.data(), dr.call(x).data());
        dr.build(List.of(new int[] {50, 10}));
        try (DTensor d = DTensor.from(dr.backend(), x);
             DTensor m = DTensor.from(dr.backend(), Tensor.full(1f, 4, 50));
             Trace t = dr.forward(List.of(d), m, true)) {
            assertSame(m, t.outputMask());
            float[] y = t.outputs().get(0).toTensor().data();
            int dropped = 0;
            for (float v : y) {
                if (v == 0) dropped++;
                else assertEquals(1 / 0.75f, v, 1e-6);
            }
            assertEquals(0.25, dropped / 2000.0, 0.04);
            try (DTensor dy = DTensor.from(dr.backend(), Tensor.full(3f, 4, 50, 10))) {
                float[] dx = t.backward(List.of(dy)).get(0).toTensor().data();
                for (int i = 0; i < y.length; i++) assertEquals(3 * y[i], dx[i], 1e-6);
            }
        }
        // seeded layers draw the same masks; successive batches draw new ones
        float[] a1 = trainOnce(new Dropout(0.5).seed(9), x), b1 = trainOnce(new Dropout(0.5).seed(9), x);
        assertArrayEquals(a1, b1);
        Dropout d2 = new Dropout(0.5).seed(9);
        trainOnce(d2, x);
        assertNotEquals(java.util.Arrays.toString(a1), java.util.Arrays.toString(trainOnce(d2, x)));
        assertThrows(IllegalArgumentException.class, () -> new Dropout(1.0));
        assertThrows(IllegalArgumentException.class, () -> new Dropout(-0.1));
    }

    private static float[] trainOnce(Dropout d, Tensor x) {
        d.build(List.of(new int[] {50, 10}));
        try (DTensor dx = DTensor.from(d.backend(), x); Trace t = d.forward(List.of(dx), null, true)) {
            return t.outputs().get(0).toTensor().data();
        }
    }
}
