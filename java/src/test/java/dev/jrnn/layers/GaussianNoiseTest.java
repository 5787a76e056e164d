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

/**
 * GaussianNoise and GaussianDropout: in training the noise has the mean and standard deviation Keras' formulas give
 * (5 standard errors), gradients pass as the noise says, inference is the identity, a seed repeats the draws.
 */
class GaussianNoiseTest {
    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }

    /** Mean and standard deviation of {@code v}. */
    private static double[] moments(double[] v) {
        double s = 0, q = 0;
        for (double a : v) s += a;
        double m = s / v.length;
        for (double a : v) q += (a - m) * (a - m);
        return new double[] {m, Math.sqrt(q / v.length)};
    }

    private static void assertMoments(double[] v, double mean, double sd, String what) {
        double[] got = moments(v);
        assertEquals(mean, got[0], 5 * sd / Math.sqrt(v.length), what + " mean");
        assertEquals(sd, got[1], 5 * sd / Math.sqrt(2.0 * v.length), what + " standard deviation");
    }

    /** Training output and input gradient for an all-ones output gradient. */
    private static float[][] trainWithGradient(Layer l, Tensor x) {
        Backend be = Jrnn.backend();
        try (DTensor d = DTensor.from(be, x); Trace tr = l.forward(List.of(d), null, true);
             DTensor dy = DTensor.from(be, Tensor.of(ones(x.data().length), x.shape()))) {
            return new float[][] {tr.outputs().get(0).toTensor().data(), tr.backward(List.of(dy)).get(0).toTensor().data()};
        }
    }

    private static float[] ones(int n) {
        float[] o = new float[n];
        java.util.Arrays.fill(o, 1f);
        return o;
    }

    @Test
    void gaussianNoiseAddsNoiseOfTheStddev() {
        Tensor x = LayerCheck.rand(new SplittableRandom(1), 1, 50, 20, 10);
        float[][] r = trainWithGradient(new GaussianNoise(0.4).seed(2), x);
        double[] noise = new double[r[0].length];
        for (int i = 0; i < noise.length; i++) noise[i] = r[0][i] - x.data()[i];
        assertMoments(noise, 0, 0.4, "additive noise");
        assertArrayEquals(ones(noise.length), r[1], "the gradient passes unchanged");
        assertArrayEquals(x.data(), new GaussianNoise(0.4).call(x).data(), "inference is the identity");
        assertArrayEquals(r[0], trainWithGradient(new GaussianNoise(0.4).seed(2), x)[0], "a seed repeats the draws");
    }

    @Test
    void gaussianDropoutMultipliesByNoiseOfMeanOne() {
        Tensor x = Tensor.of(ones(50 * 20 * 10), 50, 20, 10);
        float[][] r = trainWithGradient(new GaussianDropout(0.2).seed(4), x);
        double[] factor = new double[r[0].length];
        for (int i = 0; i < factor.length; i++) factor[i] = r[0][i];
        assertMoments(factor, 1, Math.sqrt(0.2 / 0.8), "multiplicative noise");
        assertArrayEquals(r[0], r[1], "the gradient is the noise (x is all ones)");
        assertArrayEquals(x.data(), new GaussianDropout(0.2).call(x).data(), "inference is the identity");
    }
}
