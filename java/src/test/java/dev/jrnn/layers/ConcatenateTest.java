package dev.jrnn.layers;

import dev.jrnn.Jrnn;
import dev.jrnn.backend.Backend;
import dev.jrnn.backend.DTensor;
import dev.jrnn.model.Input;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Concatenate along features and time: float64 gradient checks, shapes, masks as Keras' compute_mask. */
class ConcatenateTest {
    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }

    /** Reference concatenation of [B, T, F_i] arrays along axis 1 (time) or 2 (features). */
    private static double[] concat(int axis, int b, int[] t, int[] f, double[]... xs) {
        int tt = axis == 1 ? Arrays.stream(t).sum() : t[0], ff = axis == 2 ? Arrays.stream(f).sum() : f[0];
        double[] y = new double[b * tt * ff];
        int toff = 0, foff = 0;
        for (int i = 0; i < xs.length; i++) {
            for (int s = 0; s < b; s++) {
                for (int k = 0; k < t[i]; k++) {
                    for (int c = 0; c < f[i]; c++) y[(s * tt + toff + k) * ff + foff + c] = xs[i][(s * t[i] + k) * f[i] + c];
                }
            }
            if (axis == 1) toff += t[i];
            else foff += f[i];
        }
        return y;
    }

    @Test
    void featuresAxis() {
        SplittableRandom rng = new SplittableRandom(1);
        List<Tensor> xs = List.of(LayerCheck.rand(rng, 1, 2, 3, 4), LayerCheck.rand(rng, 1, 2, 3, 1), LayerCheck.rand(rng, 1, 2, 3, 2));
        LayerCheck.check(new Concatenate(), xs, null, new boolean[] {true, true, true},
                v -> new double[][] {concat(2, 2, new int[] {3, 3, 3}, new int[] {4, 1, 2}, v)}, 2);
    }

    @Test
    void timeAxis() {
        SplittableRandom rng = new SplittableRandom(3);
        List<Tensor> xs = List.of(LayerCheck.rand(rng, 1, 2, 3, 2), LayerCheck.rand(rng, 1, 2, 1, 2));
        LayerCheck.check(new Concatenate(1), xs, null, new boolean[] {true, true},
                v -> new double[][] {concat(1, 2, new int[] {3, 1}, new int[] {2, 2}, v)}, 4);
    }

    @Test
    void shapesAsKeras() {
        Input a = Input.shape(5, 3), b = Input.shape(5, 2), c = Input.shape(-1, 3);
        assertEquals("(None, 5, 5)", new Concatenate().apply(a, b).shapeString());
        assertEquals("(None, 10, 3)", new Concatenate(1).apply(a, a).shapeString());
        assertEquals("(None, None, 3)", new Concatenate(-2).apply(a, c).shapeString());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Concatenate(1).name("cat").apply(a, b));
        assertTrue(e.getMessage().contains("cat: Concatenate needs inputs with matching shapes except for the concat axis 1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Concatenate(0));
        e = assertThrows(IllegalArgumentException.class, () -> new Concatenate(3).apply(a, a));
        assertTrue(e.getMessage().contains("axis 3 is out of range"), e.getMessage());
    }

    @Test
    void masks() {
        Backend be = Jrnn.backend();
        SplittableRandom rng = new SplittableRandom(5);
        try (DTensor a = DTensor.from(be, LayerCheck.rand(rng, 1, 2, 3, 2)); DTensor b = DTensor.from(be, LayerCheck.rand(rng, 1, 2, 2, 2));
             DTensor b3 = DTensor.from(be, LayerCheck.rand(rng, 1, 2, 3, 1));
             DTensor ma = DTensor.from(be, Tensor.of(new float[] {1, 1, 0, 1, 0, 0}, 2, 3));
             DTensor mb = DTensor.from(be, Tensor.of(new float[] {0, 1, 1, 1}, 2, 2));
             DTensor mb3 = DTensor.from(be, Tensor.of(new float[] {1, 0, 1, 1, 1, 0}, 2, 3))) {
            // time axis: side by side, ones for the input without a mask
            try (Trace t = new Concatenate(1).forwardMasked(List.of(a, b), Arrays.asList(ma, null), false)) {
                assertArrayEquals(new float[] {1, 1, 0, 1, 1, 1, 0, 0, 1, 1}, t.outputMask().toTensor().data());
            }
            try (Trace t = new Concatenate(1).forwardMasked(List.of(a, b), List.of(ma, mb), false)) {
                assertArrayEquals(new float[] {1, 1, 0, 0, 1, 1, 0, 0, 1, 1}, t.outputMask().toTensor().data());
            }
            // features axis (Keras 3.4 and later): OR; an input without a mask counts as all ones, so every step is kept
            try (Trace t = new Concatenate().forwardMasked(List.of(a, b3), List.of(ma, mb3), false)) {
                assertArrayEquals(new float[] {1, 1, 1, 1, 1, 0}, t.outputMask().toTensor().data());
            }
            try (Trace t = new Concatenate().forwardMasked(List.of(a, b3), Arrays.asList(ma, null), false)) {
                assertNull(t.outputMask());
            }
        }
    }
}
