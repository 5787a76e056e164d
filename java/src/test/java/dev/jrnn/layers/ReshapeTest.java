package dev.jrnn.layers;

import dev.jrnn.Jrnn;
import dev.jrnn.model.Input;
import dev.jrnn.model.Model;
import dev.jrnn.model.Sequential;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reshape: Keras' docstring shapes, -1 inferred, values in row-major order, gradients reshaped back, no mask. */
class ReshapeTest {
    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }

    /** Keras' docstring: (None, 12) to (3, 4), and (-1, 2, 2) inferred as (3, 2, 2). */
    @Test
    void shapesAsKerasDocstring() {
        Input x = Input.shape(12);
        assertArrayEquals(new int[] {3, 4}, new Reshape(3, 4).apply(x).shape());
        assertArrayEquals(new int[] {3, 2, 2}, new Reshape(-1, 2, 2).apply(x).shape());
        // an unknown input dimension leaves the -1 unknown, as Keras' None
        assertArrayEquals(new int[] {-1, 2}, new Reshape(-1, 2).apply(Input.shape(-1, 4)).shape());
    }

    @Test
    void keepsRowMajorOrderWithGradients() {
        Tensor x = LayerCheck.rand(new SplittableRandom(1), 1, 2, 3, 4);
        LayerCheck.check(new Reshape(-1, 3), List.of(x), null, new boolean[] {true}, v -> new double[][] {v[0].clone()}, 2);
        assertArrayEquals(new int[] {2, 4, 3}, new Reshape(-1, 3).call(x).shape());
        assertArrayEquals(x.data(), new Reshape(2, 6).call(x).data());
    }

    /** A Masking mask does not pass Reshape (Keras 3: no compute_mask), even when the time axis stays. */
    @Test
    void dropsTheMask() {
        Tensor x = LayerCheck.rand(new SplittableRandom(3), 1, 2, 3, 4);
        try (Trace t = new Reshape(3, 4).forward(List.of(dev.jrnn.backend.DTensor.from(Jrnn.backend(), x)),
                dev.jrnn.backend.DTensor.from(Jrnn.backend(), Tensor.of(new float[] {1, 1, 0, 1, 0, 0}, 2, 3)), false)) {
            assertNull(t.outputMask());
        }
        LayerCheck.assertMaskEndsAt(() -> new Reshape(4, 2), 4, 2);
    }

    @Test
    void summaryAsKeras() {
        Sequential m = new Sequential(Input.shape(12), new Reshape(-1, 2).name("rs"), new LSTM(2));
        String s = m.summaryString();
        assertTrue(s.contains(" rs (Reshape)                (None, 6, 2)              0         \n"), s);
        m.close();
    }

    @Test
    void trainsInAFunctionalModel() {
        Input in = Input.shape(8);
        Node y = new Dense(1).apply(new GRU(3).apply(new Reshape(4, 2).apply(in)));
        Model m = new Model(in, y);
        m.compile("adam", "mse");
        SplittableRandom rng = new SplittableRandom(4);
        Tensor x = LayerCheck.rand(rng, 1, 6, 8), t = LayerCheck.rand(rng, 1, 6, 1);
        double before = m.evaluate(x, t);
        for (int i = 0; i < 30; i++) m.trainOnBatch(x, t);
        assertTrue(m.evaluate(x, t) < before, "loss did not fall");
        m.close();
    }
}
