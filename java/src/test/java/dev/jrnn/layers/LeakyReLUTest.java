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

/** Keras' LeakyReLU layer: Keras' docstring, torch's leaky_relu, a float64 gradient check, summary. */
class LeakyReLUTest {
    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }

    /** Keras' docstring: LeakyReLU(negative_slope=0.5) on [-10, -5, 0, 5, 10]. */
    @Test
    void kerasDocstringExample() {
        float[] y = new LeakyReLU(0.5).call(Tensor.of(new float[] {-10, -5, 0, 5, 10}, 1, 5)).data();
        assertArrayEquals(new float[] {-5, -2.5f, 0, 5, 10}, y);
    }

    /** torch 1.13: F.leaky_relu(x, 0.3) (Keras' default slope) on ReLUTest.X. */
    @Test
    void defaultSlopeMatchesTorch() {
        float[] want = {-3, -1.5f, -0.15f, 0, 0.25f, 1.5f, 5, 7, 10};
        float[] got = new LeakyReLU().call(Tensor.of(ReLUTest.X, 1, ReLUTest.X.length)).data();
        for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], 1e-7);
        assertEquals(0.3, new LeakyReLU().negativeSlope());
    }

    @Test
    void forwardAndGradientAgainstFloat64() {
        for (double slope : new double[] {0.3, 0.01, 1.7}) {
            LayerCheck.check(new LeakyReLU(slope), List.of(LayerCheck.rand(new SplittableRandom(2), 3, 2, 4, 3)), null,
                    new boolean[] {true}, v -> {
                        double[] y = new double[v[0].length];
                        for (int i = 0; i < y.length; i++) y[i] = v[0][i] > 0 ? v[0][i] : slope * v[0][i];
                        return new double[][] {y};
                    }, 5);
        }
    }

    /** torch's and TensorFlow's leaky_relu derivative at 0 is the slope. */
    @Test
    void derivativeAtZeroIsTheSlope() {
        assertArrayEquals(new float[] {0.3f, 1, 0.3f}, ReLUTest.grad(new LeakyReLU(), 0, 2, -2));
    }

    @Test
    void summaryRow() {
        Sequential m = new Sequential(new Dense(4).inputShape(3), new LeakyReLU().name("leaky_re_lu"));
        assertTrue(m.summaryString().contains(" leaky_re_lu (LeakyReLU)     (None, 4)                 0"), m.summaryString());
    }
}
