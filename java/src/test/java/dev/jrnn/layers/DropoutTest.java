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
        assertThrows(IllegalArgumentException.class, () -> new Dropout(1.5));
        assertThrows(IllegalArgumentException.class, () -> new Dropout(-0.1));
    }

    /**
     * Rate 1, which Keras 3.15.1 takes (Dropout and SpatialDropout1D; jrnn refused it): identity at inference, zeros in
     * training and a zero gradient, NaN and Inf included, and no mask drawn (Keras 3.15.1's backend dropout, JAX,
     * TensorFlow and torch alike, returns zeros_like before it draws a seed: a Dropout(1.0, seed=3)'s seed_generator
     * state stays [3, 0] after a training call, where rate 0.5 moves it to [3, 1]). Keras' values, on JAX and
     * TensorFlow 2.21 alike (TF's gradient is None, a disconnected input):
     * <pre>
     * x = np.array([[[1.5, -2.0, np.nan], [np.inf, 0.25, -1.0]]], "float32"); w = [[[1, 2, 3], [4, 5, np.nan]]]
     * for L in [layers.Dropout(1.0), layers.SpatialDropout1D(1.0)]:
     *     L(x, training=False)   # [[[1.5, -2.0, nan], [inf, 0.25, -1.0]]]
     *     L(x, training=True)    # [[[0, 0, 0], [0, 0, 0]]]
     *     jax.grad(lambda v: (L(v, training=True) * w).sum())(x)   # [[[0, 0, 0], [0, 0, 0]]]
     * </pre>
     */
    @Test
    void rateOneZeroesTrainingAsKerasDoes() {
        float nan = Float.NaN, inf = Float.POSITIVE_INFINITY;
        Tensor x = Tensor.of(new float[] {1.5f, -2f, nan, inf, 0.25f, -1f}, 1, 2, 3);
        Tensor dyw = Tensor.of(new float[] {1, 2, 3, 4, 5, nan}, 1, 2, 3);
        for (Dropout d : List.of(new Dropout(1.0).seed(4), new SpatialDropout1D(1).seed(4), new Dropout(0.99999999))) {
            assertEquals(1.0f, (float) d.rate());
            assertArrayEquals(x.data(), d.call(x).data(), d.name() + " at inference");
            d.build(List.of(new int[] {2, 3}));
            try (DTensor dx = DTensor.from(d.backend(), x); Trace t = d.forward(List.of(dx), null, true);
                 DTensor dy = DTensor.from(d.backend(), dyw)) {
                assertArrayEquals(new float[6], t.outputs().get(0).toTensor().data(), d.name() + " in training");
                assertArrayEquals(new float[6], t.backward(List.of(dy)).get(0).toTensor().data(), d.name() + "'s gradient");
            }
            assertEquals(0, d.maskStream()[1], d.name() + ": Keras draws no mask at rate 1");
        }
    }

    private static float[] trainOnce(Dropout d, Tensor x) {
        d.build(List.of(new int[] {50, 10}));
        try (DTensor dx = DTensor.from(d.backend(), x); Trace t = d.forward(List.of(dx), null, true)) {
            return t.outputs().get(0).toTensor().data();
        }
    }
}
