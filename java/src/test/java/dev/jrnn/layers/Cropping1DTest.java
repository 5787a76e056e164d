package dev.jrnn.layers;

import dev.jrnn.Jrnn;
import dev.jrnn.model.Input;
import dev.jrnn.model.Sequential;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Cropping1D: Keras' docstring example, uneven cropping with float64 gradients, the mask dropped, summary. */
class Cropping1DTest {
    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }

    /** Keras' docstring: cropping=1 on arange(12).reshape(2, 3, 2) gives [[[2, 3]], [[8, 9]]]. */
    @Test
    void kerasDocstringExample() {
        Tensor y = new Cropping1D(1).call(ZeroPadding1DTest.arange(2, 3, 2));
        assertArrayEquals(new int[] {2, 1, 2}, y.shape());
        assertArrayEquals(new float[] {2, 3, 8, 9}, y.data());
    }

    @Test
    void unevenCroppingWithGradients() {
        Tensor x = LayerCheck.rand(new SplittableRandom(1), 1, 2, 6, 3);
        LayerCheck.check(new Cropping1D(2, 1), List.of(x), null, new boolean[] {true}, v -> {
            double[] y = new double[2 * 3 * 3];
            for (int b = 0; b < 2; b++) System.arraycopy(v[0], b * 18 + 6, y, b * 9, 9);
            return new double[][] {y};
        }, 2);
    }

    @Test
    void summaryAsKerasAndTheMaskIsDropped() {
        Sequential m = new Sequential(Input.shape(5, 3), new Cropping1D().name("crop"), new LSTM(2));
        assertTrue(m.summaryString().contains(" crop (Cropping1D)           (None, 3, 3)              0         \n"), m.summaryString());
        m.close();
        LayerCheck.assertMaskEndsAt(() -> new Cropping1D(0), 4, 2);
    }
}
