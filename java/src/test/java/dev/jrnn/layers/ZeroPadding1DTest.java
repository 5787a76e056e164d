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

/** ZeroPadding1D: Keras' docstring example, uneven padding with float64 gradients, the mask dropped, summary. */
class ZeroPadding1DTest {
    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }

    static Tensor arange(int... shape) {
        float[] d = new float[(int) Tensor.size(shape)];
        for (int i = 0; i < d.length; i++) d[i] = i;
        return Tensor.wrap(d, shape);
    }

    /** Keras' docstring: padding=2 on arange(12).reshape(2, 2, 3). */
    @Test
    void kerasDocstringExample() {
        Tensor y = new ZeroPadding1D(2).call(arange(2, 2, 3));
        assertArrayEquals(new int[] {2, 6, 3}, y.shape());
        float[] z = new float[6];
        float[] want = new float[36];
        System.arraycopy(new float[] {0, 1, 2, 3, 4, 5}, 0, want, 6, 6);
        System.arraycopy(new float[] {6, 7, 8, 9, 10, 11}, 0, want, 24, 6);
        assertArrayEquals(want, y.data());
        assertArrayEquals(z, java.util.Arrays.copyOfRange(y.data(), 30, 36));
    }

    @Test
    void unevenPaddingWithGradients() {
        Tensor x = LayerCheck.rand(new SplittableRandom(1), 1, 2, 3, 4);
        LayerCheck.check(new ZeroPadding1D(1, 2), List.of(x), null, new boolean[] {true}, v -> {
            double[] y = new double[2 * 6 * 4];
            for (int b = 0; b < 2; b++) System.arraycopy(v[0], b * 12, y, b * 24 + 4, 12);
            return new double[][] {y};
        }, 2);
    }

    @Test
    void summaryAsKerasAndTheMaskIsDropped() {
        Sequential m = new Sequential(Input.shape(5, 3), new ZeroPadding1D(1, 2).name("pad"), new LSTM(2));
        assertTrue(m.summaryString().contains(" pad (ZeroPadding1D)         (None, 8, 3)              0         \n"), m.summaryString());
        m.close();
        LayerCheck.assertMaskEndsAt(() -> new ZeroPadding1D(0), 4, 2);
    }
}
