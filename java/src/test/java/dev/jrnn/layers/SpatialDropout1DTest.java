package dev.jrnn.layers;

import dev.jrnn.Jrnn;
import dev.jrnn.backend.Backend;
import dev.jrnn.backend.DTensor;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** SpatialDropout1D: whole channels dropped per sample in training, scaled by 1 / (1 - rate), gradients through the same mask. */
class SpatialDropout1DTest {
    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }

    @Test
    void dropsWholeChannelsInTrainingOnly() {
        int b = 40, t = 7, f = 25;
        float rate = 0.3f;
        Tensor x = LayerCheck.rand(new SplittableRandom(1), 1, b, t, f);
        Backend be = Jrnn.backend();
        SpatialDropout1D l = new SpatialDropout1D(rate).seed(3);
        try (DTensor dx = DTensor.from(be, x); DTensor m = DTensor.from(be, Tensor.zeros(b, t));
             Trace tr = l.forward(List.of(dx), m, true); DTensor dy = DTensor.from(be, Tensor.zeros(b, t, f))) {
            assertSame(m, tr.outputMask());
            float[] y = tr.outputs().get(0).toTensor().data(), xd = x.data();
            float[] g = new float[b * t * f];
            java.util.Arrays.fill(g, 1f);
            be.upload(g, 0, dy.buf(), 0, g.length);
            float[] grad = tr.backward(List.of(dy)).get(0).toTensor().data();
            int dropped = 0;
            for (int s = 0; s < b; s++) for (int c = 0; c < f; c++) {
                boolean drop = y[(s * t) * f + c] == 0f;
                if (drop) dropped++;
                for (int k = 0; k < t; k++) {
                    int i = (s * t + k) * f + c;
                    float keep = drop ? 0f : 1f / (1f - rate);
                    assertEquals(xd[i] * keep, y[i], 1e-6f, "value at " + i);
                    assertEquals(keep, grad[i], 1e-6f, "gradient at " + i);
                }
            }
            double n = b * f, sd = Math.sqrt(n * rate * (1 - rate));
            assertTrue(Math.abs(dropped - n * rate) < 5 * sd, dropped + " of " + n + " channels dropped");
        }
        assertArrayEquals(x.data(), l.call(x).data());   // inference: the identity
    }

    @Test
    void theSameSeedDrawsTheSameChannels() {
        Tensor x = LayerCheck.rand(new SplittableRandom(2), 1, 4, 5, 6);
        assertArrayEquals(train(new SpatialDropout1D(0.5).seed(9), x), train(new SpatialDropout1D(0.5).seed(9), x));
    }

    static float[] train(Layer l, Tensor x) {
        Backend be = Jrnn.backend();
        try (DTensor d = DTensor.from(be, x); Trace tr = l.forward(List.of(d), null, true)) {
            return tr.outputs().get(0).toTensor().data();
        }
    }
}
