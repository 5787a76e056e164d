package dev.jrnn.layers;

import dev.jrnn.Jrnn;
import dev.jrnn.model.Input;
import dev.jrnn.model.Model;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Dot: Keras' docstring example (numpy's values), every axis pairing of 2-D and 3-D inputs against float64 loops, normalize. */
class DotTest {
    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }

    /** Keras' docstring: Dot(axes=(1, 2)) on arange(10).reshape(1, 5, 2) and arange(10, 20).reshape(1, 2, 5); numpy's values. */
    @Test
    void kerasDocstringExample() {
        float[] x = new float[10], y = new float[10];
        for (int i = 0; i < 10; i++) {
            x[i] = i;
            y[i] = 10 + i;
        }
        Tensor a = Tensor.wrap(x, 1, 5, 2), b = Tensor.wrap(y, 1, 2, 5);
        assertArrayEquals(new float[] {260, 360, 320, 445}, new Dot(1, 2).callAll(List.of(a, b)).get(0).data());
        assertArrayEquals(new float[] {0.87845859f, 0.86154979f, 0.92203324f, 0.90821055f},
                new Dot(1, 2).normalize(true).callAll(List.of(a, b)).get(0).data(), 1e-6f);
    }

    /**
     * batch_dot as float64 loops: x per sample [xs...] and y [ys...] (rank 1 or 2), contracting x's axis ax and y's ay
     * (0-based per sample), each L2-normalized along it first if {@code norm} (Keras' eps 1e-7 clamp).
     */
    private static LayerCheck.RefFn batchDot(int batch, int[] xs, int ax, int[] ys, int ay, boolean norm) {
        return v -> {
            double[] x = norm ? normalize(v[0], batch, xs, ax) : v[0], y = norm ? normalize(v[1], batch, ys, ay) : v[1];
            int d = xs[ax], p = size(xs) / d, q = size(ys) / d;
            double[] out = new double[batch * p * q];
            for (int b = 0; b < batch; b++) for (int i = 0; i < p; i++) for (int j = 0; j < q; j++) {
                double s = 0;
                for (int k = 0; k < d; k++) s += x[b * size(xs) + at(xs, ax, i, k)] * y[b * size(ys) + at(ys, ay, j, k)];
                out[(b * p + i) * q + j] = s;
            }
            return new double[][] {out};
        };
    }

    private static int size(int[] s) {
        int n = 1;
        for (int d : s) n *= d;
        return n;
    }

    /** The flat index in a per-sample shape s of the element at "other" position o and dot position k. */
    private static int at(int[] s, int axis, int o, int k) {
        if (s.length == 1) return k;
        return axis == 0 ? k * s[1] + o : o * s[1] + k;
    }

    private static double[] normalize(double[] v, int batch, int[] s, int axis) {
        double[] r = v.clone();
        int d = s[axis], others = size(s) / d;
        for (int b = 0; b < batch; b++) for (int o = 0; o < others; o++) {
            double q = 0;
            for (int k = 0; k < d; k++) q += v[b * size(s) + at(s, axis, o, k)] * v[b * size(s) + at(s, axis, o, k)];
            double inv = 1 / Math.sqrt(Math.max(q, 1e-14));
            for (int k = 0; k < d; k++) r[b * size(s) + at(s, axis, o, k)] *= inv;
        }
        return r;
    }

    private static int[] shape(String s) {
        return java.util.Arrays.stream(s.split("x")).mapToInt(Integer::parseInt).toArray();
    }

    @ParameterizedTest(name = "{0} . {1} axes ({2}, {3}) normalize {4}")
    @CsvSource({"3,3,1,1,false", "3,3,-1,-1,true", "5x3,4x3,2,2,false", "5x3,4x3,2,2,true", "3x5,3x4,1,1,false",
            "3x5,4x3,1,2,true", "3,3x4,1,1,false", "3,4x3,1,2,true", "4x3,3,2,1,false", "3x4,3,1,-1,true"})
    void matchesFloat64BatchDot(String xShape, String yShape, int a0, int a1, boolean norm) {
        int[] xs = shape(xShape), ys = shape(yShape);
        SplittableRandom rng = new SplittableRandom(xs.length * 7L + ys.length + a0 + 3L * a1);
        int[] xb = new int[xs.length + 1], yb = new int[ys.length + 1];
        xb[0] = yb[0] = 2;
        System.arraycopy(xs, 0, xb, 1, xs.length);
        System.arraycopy(ys, 0, yb, 1, ys.length);
        List<Tensor> in = List.of(LayerCheck.rand(rng, 1, xb), LayerCheck.rand(rng, 1, yb));
        int ax = (a0 < 0 ? a0 + xs.length + 1 : a0) - 1, ay = (a1 < 0 ? a1 + ys.length + 1 : a1) - 1;
        Dot dot = (a0 == a1 ? new Dot(a0) : new Dot(a0, a1)).normalize(norm);
        LayerCheck.check(dot, in, null, new boolean[] {true, true}, batchDot(2, xs, ax, ys, ay, norm), 9);
    }

    /** A zero vector under normalize: Keras' clamp keeps it finite (0 out, gradient s * g). */
    @Test
    void normalizedZeroVectorStaysFinite() {
        Tensor z = Tensor.zeros(1, 3), y = Tensor.of(new float[] {1, 2, 2}, 1, 3);
        assertArrayEquals(new float[] {0}, new Dot(1).normalize(true).callAll(List.of(z, y)).get(0).data());
    }

    @Test
    void summaryAsKerasAndNoMask() {
        Input q = Input.shape(5, 8).name("q"), k = Input.shape(7, 8).name("k");
        Node s = new Dot(2).name("scores").apply(q, k);
        assertArrayEquals(new int[] {5, 7}, s.shape());
        Model m = new Model(List.of(q, k), List.of(s));
        assertTrue(m.summaryString().contains(" scores (Dot)                   (None, 5, 7)         0           ['q[0][0]',"), m.summaryString());
        m.close();
        assertArrayEquals(new int[] {1}, new Dot(1).apply(Input.shape(8), Input.shape(8)).shape());
        try (Trace t = new Dot(2).forwardMasked(List.of(dev.jrnn.backend.DTensor.from(Jrnn.backend(), Tensor.zeros(2, 3, 4)),
                dev.jrnn.backend.DTensor.from(Jrnn.backend(), Tensor.zeros(2, 3, 4))), List.of(
                dev.jrnn.backend.DTensor.from(Jrnn.backend(), Tensor.zeros(2, 3)), dev.jrnn.backend.DTensor.from(Jrnn.backend(), Tensor.zeros(2, 3))), false)) {
            assertNull(t.outputMask());
        }
    }
}
