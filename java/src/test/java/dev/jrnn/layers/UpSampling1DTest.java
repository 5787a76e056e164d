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

/** UpSampling1D: Keras' docstring example, size 3 with float64 gradients (repeats summed back), the mask dropped, summary. */
class UpSampling1DTest {
    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }

    /** Keras' docstring: size=2 on arange(12).reshape(2, 2, 3). */
    @Test
    void kerasDocstringExample() {
        Tensor y = new UpSampling1D(2).call(ZeroPadding1DTest.arange(2, 2, 3));
        assertArrayEquals(new int[] {2, 4, 3}, y.shape());
        assertArrayEquals(new float[] {0, 1, 2, 0, 1, 2, 3, 4, 5, 3, 4, 5, 6, 7, 8, 6, 7, 8, 9, 10, 11, 9, 10, 11}, y.data());
    }

    @Test
    void sizeThreeWithGradients() {
        Tensor x = LayerCheck.rand(new SplittableRandom(1), 1, 2, 3, 4);
        LayerCheck.check(new UpSampling1D(3), List.of(x), null, new boolean[] {true}, v -> {
            double[] y = new double[2 * 9 * 4];
            for (int r = 0; r < 6; r++) for (int k = 0; k < 3; k++) System.arraycopy(v[0], r * 4, y, (r * 3 + k) * 4, 4);
            return new double[][] {y};
        }, 2);
    }

    @Test
    void summaryAsKerasAndTheMaskIsDropped() {
        Sequential m = new Sequential(Input.shape(5, 3), new UpSampling1D().name("up"), new LSTM(2));
        assertTrue(m.summaryString().contains(" up (UpSampling1D)           (None, 10, 3)             0         \n"), m.summaryString());
        m.close();
        LayerCheck.assertMaskEndsAt(() -> new UpSampling1D(1), 4, 2);
    }
}
