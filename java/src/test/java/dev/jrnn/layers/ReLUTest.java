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

/** Keras' ReLU layer: Keras' docstring, torch's relu6 and a hand formula, float64 gradient checks, summary. */
class ReLUTest {
    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }

    static final float[] X = {-10, -5, -0.5f, 0, 0.25f, 1.5f, 5, 7, 10};

    /** Keras' formula: {@code x > t ? min(x, max) : slope * (x - t)}. */
    static double keras(double x, double slope, Double max, double t) {
        return x > t ? (max == null ? x : Math.min(x, max)) : slope * (x - t);
    }

    private static LayerCheck.RefFn ref(double slope, Double max, double t) {
        return v -> {
            double[] y = new double[v[0].length];
            for (int i = 0; i < y.length; i++) y[i] = keras(v[0][i], slope, max, t);
            return new double[][] {y};
        };
    }

    /** Keras' docstring: ReLU(max_value=10, negative_slope=0.5) on [-10, -5, 0, 5, 10]. */
    @Test
    void kerasDocstringExample() {
        float[] y = new ReLU().maxValue(10.0).negativeSlope(0.5).call(Tensor.of(new float[] {-10, -5, 0, 5, 10}, 1, 5)).data();
        assertArrayEquals(new float[] {-5, -2.5f, 0, 5, 10}, y);
    }

    /** torch 1.13: F.relu6(x) and torch.where(x > 1, clamp(x, max=6), 0.1 * (x - 1)) in float64. */
    @Test
    void matchesTorch() {
        Tensor x = Tensor.of(X, 1, X.length);
        assertArrayEquals(new float[] {0, 0, 0, 0, 0.25f, 1.5f, 5, 6, 6}, new ReLU().maxValue(6.0).call(x).data());
        float[] want = {-1.1f, -0.6f, -0.15f, -0.1f, -0.075f, 1.5f, 5, 6, 6};
        float[] got = new ReLU().maxValue(6.0).negativeSlope(0.1).threshold(1).call(x).data();
        for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], 1e-6, "x = " + X[i]);
        assertArrayEquals(new float[] {0, 0, 0, 0, 0.25f, 1.5f, 5, 7, 10}, new ReLU().call(x).data());
    }

    @Test
    void forwardAndGradientsAgainstFloat64() {
        SplittableRandom rng = new SplittableRandom(7);
        Object[][] cases = {{0.0, null, 0.0}, {0.0, 6.0, 0.0}, {0.2, null, 0.0}, {0.1, 1.5, 0.5}, {0.3, 2.5, 0.0}, {0.0, null, 0.7}};
        for (Object[] c : cases) {
            double slope = (double) c[0], t = (double) c[2];
            Double max = (Double) c[1];
            ReLU r = new ReLU().negativeSlope(slope).maxValue(max).threshold(t);
            LayerCheck.check(r, List.of(LayerCheck.rand(rng, 4, 2, 3, 5)), null, new boolean[] {true}, ref(slope, max, t), 3);
        }
    }

    /**
     * TensorFlow's (and torch's) derivative at the kinks: relu's is 0 at 0, leaky_relu's the slope; at max_value 1 where
     * Keras clips (tf.clip_by_value passes the gradient at the bound), 0 for relu6 (Keras' nn.relu6 path: Relu6Grad is 0 at 6).
     */
    @Test
    void derivativesAtTheKinks() {
        assertArrayEquals(new float[] {0, 1, 0}, grad(new ReLU(), 0, 1, -1));
        assertArrayEquals(new float[] {0.25f, 1, 0.25f}, grad(new ReLU().negativeSlope(0.25), 0, 1, -1));
        assertArrayEquals(new float[] {1, 1, 0}, grad(new ReLU().maxValue(2.0), 2, 1, 3));
        assertArrayEquals(new float[] {1, 1, 0}, grad(new ReLU().maxValue(6.0).threshold(0.5), 6, 1, 7));
        assertArrayEquals(new float[] {0, 1, 0}, grad(new ReLU().maxValue(6.0), 6, 1, 7));
    }

    /** The input gradient of {@code l} at {@code x} for an output gradient of ones. */
    static float[] grad(Layer l, float... x) {
        l.build(List.of(new int[] {x.length}));
        var be = l.backend();
        try (var dx = dev.jrnn.backend.DTensor.from(be, Tensor.of(x, 1, x.length));
             Trace tr = l.forward(List.of(dx), null, true);
             var ones = dev.jrnn.backend.DTensor.from(be, Tensor.of(new float[] {1, 1, 1}, 1, 3))) {
            return tr.backward(List.of(ones)).get(0).toTensor().data();
        }
    }

    @Test
    void summaryRow() {
        Sequential m = new Sequential(new Dense(4).inputShape(3), new ReLU().name("re_lu"));
        assertEquals(0, m.getLayer("re_lu").countParams());
        assertTrue(m.summaryString().contains(" re_lu (ReLU)                (None, 4)                 0"), m.summaryString());
    }
}
