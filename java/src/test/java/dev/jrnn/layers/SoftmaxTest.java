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
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Keras' Softmax layer: Keras' docstring, torch's softmax over other axes and with a mask, float64 gradient checks. */
class SoftmaxTest {
    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }

    /** float32(sin(arange(24) * 1.3) * 2) as (2, 3, 4), the torch references' input. */
    static Tensor x() {
        float[] d = new float[24];
        for (int i = 0; i < 24; i++) d[i] = (float) (Math.sin(i * 1.3) * 2);
        return Tensor.wrap(d, 2, 3, 4);
    }

    static void close(double[] want, float[] got) {
        assertEquals(want.length, got.length);
        for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], 2e-7, "[" + i + "]");
    }

    /** Keras' docstring: Softmax()([1, 2, 1]). */
    @Test
    void kerasDocstringExample() {
        close(new double[] {0.21194157, 0.5761169, 0.21194157}, new Softmax().call(Tensor.of(new float[] {1, 2, 1}, 1, 3)).data());
    }

    /** torch 1.13, float64: softmax(x, 1) and softmax over axes (1, 2) (x.reshape(2, 12)). */
    @Test
    void otherAxesMatchTorch() {
        close(new double[] {0.734307351, 0.796470379, 0.224515247, 0.0270507048, 0.125463931, 0.178272543, 0.589943933, 0.202642236,
                0.140228719, 0.0252570771, 0.185540821, 0.770307059, 0.101310483, 0.0251852795, 0.309251828, 0.855289293, 0.523361815,
                0.12996101, 0.144025522, 0.11012744, 0.375327702, 0.84485371, 0.54672265, 0.0345832674}, new Softmax(1).call(x()).data());
        double[] joint = {0.031429292, 0.215908934, 0.0881238387, 0.00794234089, 0.0053700164, 0.0483265113, 0.231557209, 0.0594976628,
                0.00600196817, 0.00684674377, 0.0728260981, 0.226169384, 0.0531804482, 0.00668546334, 0.0127881359, 0.143920812, 0.274725921,
                0.0344983095, 0.00595572211, 0.0185313094, 0.197019052, 0.224267454, 0.0226079943, 0.00581937827};
        close(joint, new Softmax(new int[] {1, 2}).call(x()).data());
        close(joint, new Softmax(new int[] {-1, 1}).call(x()).data());
        assertArrayEquals(new Softmax(1).call(x()).data(), new Softmax(-2).call(x()).data());
    }

    /** A softmax over {@code [lo, hi)} of axes of a row-major shape, the others kept; masked steps (axis 1) -1e9, then 0. */
    static LayerCheck.RefFn ref(int[] shape, int lo, int hi, double[] mask) {
        return v -> {
            double[] x = v[0], y = new double[x.length];
            int pre = 1, mid = 1, post = 1;
            for (int i = 0; i < shape.length; i++) {
                if (i < lo) pre *= shape[i];
                else if (i < hi) mid *= shape[i];
                else post *= shape[i];
            }
            int steps = shape[1], per = x.length / (shape[0] * steps);
            java.util.function.IntPredicate masked = i -> mask != null && mask[i / per] == 0;
            for (int p = 0; p < pre; p++) {
                for (int q = 0; q < post; q++) {
                    double max = Double.NEGATIVE_INFINITY, sum = 0;
                    for (int m = 0; m < mid; m++) {
                        int i = (p * mid + m) * post + q;
                        max = Math.max(max, masked.test(i) ? -1e9 : x[i]);
                    }
                    for (int m = 0; m < mid; m++) {
                        int i = (p * mid + m) * post + q;
                        sum += Math.exp((masked.test(i) ? -1e9 : x[i]) - max);
                    }
                    for (int m = 0; m < mid; m++) {
                        int i = (p * mid + m) * post + q;
                        y[i] = masked.test(i) ? 0 : Math.exp(x[i] - max) / sum;
                    }
                }
            }
            return new double[][] {y};
        };
    }

    @Test
    void forwardAndGradientsAgainstFloat64() {
        SplittableRandom rng = new SplittableRandom(9);
        int[] shape = {2, 3, 4, 5};
        Tensor x = LayerCheck.rand(rng, 2, shape);
        LayerCheck.check(new Softmax(), List.of(x), null, new boolean[] {true}, ref(shape, 3, 4, null), 1);
        LayerCheck.check(new Softmax(1), List.of(x), null, new boolean[] {true}, ref(shape, 1, 2, null), 2);
        LayerCheck.check(new Softmax(-2), List.of(x), null, new boolean[] {true}, ref(shape, 2, 3, null), 3);
        LayerCheck.check(new Softmax(new int[] {1, 2}), List.of(x), null, new boolean[] {true}, ref(shape, 1, 3, null), 4);
        LayerCheck.check(new Softmax(new int[] {2, 3}), List.of(x), null, new boolean[] {true}, ref(shape, 2, 4, null), 5);
    }

    /** A (batch, steps) mask: where(mask, x, -1e9) before the softmax, where(mask, y, 0) after; sample 1's steps all masked on axis -1. */
    @Test
    void maskedStepsAsKeras() {
        SplittableRandom rng = new SplittableRandom(11);
        int[] shape = {2, 3, 4};
        Tensor x = LayerCheck.rand(rng, 2, shape);
        double[] mask = {1, 0, 1, 0, 1, 1};
        Tensor m = Tensor.wrap(new float[] {1, 0, 1, 0, 1, 1}, 2, 3);
        LayerCheck.check(new Softmax(1), List.of(x), m, new boolean[] {true}, ref(shape, 1, 2, mask), 6);
        LayerCheck.check(new Softmax(), List.of(x), m, new boolean[] {true}, ref(shape, 2, 3, mask), 7);
        double[] none = {0, 0, 0, 0, 0, 0};
        LayerCheck.check(new Softmax(1), List.of(x), Tensor.wrap(new float[6], 2, 3), new boolean[] {true}, ref(shape, 1, 2, none), 8);
    }

    /** torch 1.13: Masking(0) then Softmax(axis=1), steps (0, 2) and (1, 0) masked, against where(m, softmax(where(m, x, -1e9), 1), 0). */
    @Test
    void maskFromMaskingMatchesTorch() {
        float[] d = x().data().clone();
        for (int i : new int[] {2, 3}) java.util.Arrays.fill(d, i * 4, i * 4 + 4, 0f);
        Sequential model = new Sequential(Input.shape(3, 4), new Masking(0), new Softmax(1));
        float[] got = model.predict(Tensor.wrap(d, 2, 3, 4)).data();
        close(new double[] {0.854072899, 0.817108143, 0.275661755, 0.117768987, 0.145927101, 0.182891857, 0.724338245, 0.882231013,
                0, 0, 0, 0, 0, 0, 0, 0, 0.5823611, 0.133318678, 0.208506555, 0.761017909, 0.4176389, 0.866681322, 0.791493445,
                0.238982091}, got);
    }

    @Test
    void summaryRow() {
        Sequential m = new Sequential(Input.shape(3, 4), new Softmax(1).name("softmax"));
        assertTrue(m.summaryString().contains(" softmax (Softmax)           (None, 3, 4)              0"), m.summaryString());
    }
}
