package dev.jrnn.layers;

import dev.jrnn.Jrnn;
import dev.jrnn.model.Sequential;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Keras' ELU layer: torch's elu, float64 gradient checks, TensorFlow's derivative at 0, summary. */
class ELUTest {
    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }

    /** torch 1.13, float64: F.elu(x, 1.0) and F.elu(x, 0.5) on ReLUTest.X. */
    @Test
    void matchesTorch() {
        Tensor x = Tensor.of(ReLUTest.X, 1, ReLUTest.X.length);
        double[] one = {-0.9999546, -0.993262053, -0.39346934, 0, 0.25, 1.5, 5, 7, 10};
        double[] half = {-0.4999773, -0.496631027, -0.19673467, 0, 0.25, 1.5, 5, 7, 10};
        float[] a = new ELU().call(x).data(), b = new ELU(0.5).call(x).data();
        for (int i = 0; i < one.length; i++) {
            assertEquals(one[i], a[i], 1e-6);
            assertEquals(half[i], b[i], 1e-6);
        }
        // x > 0 passes exactly, whatever alpha
        assertEquals(1.5f, new ELU(0.3).call(Tensor.of(new float[] {1.5f}, 1, 1)).data()[0]);
    }

    @Test
    void forwardAndGradientAgainstFloat64() {
        for (double alpha : new double[] {1.0, 0.5, 2.5, -0.4}) {
            LayerCheck.check(new ELU(alpha), List.of(LayerCheck.rand(new SplittableRandom(4), 3, 2, 3, 4)), null,
                    new boolean[] {true}, v -> {
                        double[] y = new double[v[0].length];
                        for (int i = 0; i < y.length; i++) y[i] = v[0][i] > 0 ? v[0][i] : alpha * Math.expm1(v[0][i]);
                        return new double[][] {y};
                    }, 6);
        }
    }

    /** TensorFlow's where(x > 0, elu, alpha * elu): alpha at 0 (elu's derivative there is 1). */
    @Test
    void derivativeAtZeroIsAlpha() {
        assertArrayEquals(new float[] {0.5f, 1, 0.5f * (float) Math.exp(-1)}, ReLUTest.grad(new ELU(0.5), 0, 1, -1), 1e-7f);
    }

    @Test
    void summaryRow() {
        Sequential m = new Sequential(new Dense(4).inputShape(3), new ELU().name("elu"));
        assertTrue(m.summaryString().contains(" elu (ELU)                   (None, 4)                 0"), m.summaryString());
    }
}
