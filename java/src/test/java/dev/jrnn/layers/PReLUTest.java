package dev.jrnn.layers;

import dev.jrnn.Jrnn;
import dev.jrnn.model.Input;
import dev.jrnn.model.Sequential;
import dev.jrnn.optim.SGD;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Keras' PReLU layer: alpha's shape, torch's prelu, float64 gradient checks of x and alpha, training against torch. */
class PReLUTest {
    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }

    /** {@code relu(x) - alpha * relu(-x)}, alpha broadcast from {@code ashape} over the per-sample {@code shape}. */
    static LayerCheck.RefFn ref(int[] shape, int[] ashape) {
        return v -> {
            double[] a = v[0], x = v[1], y = new double[x.length];
            int per = 1;
            for (int s : shape) per *= s;
            for (int i = 0; i < x.length; i++) {
                int r = i % per, at = 0, stride = per;
                for (int d = 0; d < shape.length; d++) {
                    stride /= shape[d];
                    int pos = r / stride % shape[d];
                    at = at * ashape[d] + (ashape[d] == 1 ? 0 : pos);
                }
                y[i] = Math.max(x[i], 0) - a[at] * Math.max(-x[i], 0);
            }
            return new double[][] {y};
        };
    }

    /** Keras' build: input_shape[1:] with each shared axis 1. */
    @Test
    void alphaShapeAsKeras() {
        PReLU p = new PReLU().sharedAxes(1);
        p.build(List.of(new int[] {5, 4}));
        assertArrayEquals(new int[] {1, 4}, p.alpha().shape());
        PReLU q = new PReLU();
        q.build(List.of(new int[] {5, 4}));
        assertArrayEquals(new int[] {5, 4}, q.alpha().shape());
        assertArrayEquals(new float[20], q.getWeights().get(0).data());   // Keras' alpha_initializer "zeros"
        PReLU r = new PReLU().sharedAxes(1, 2);
        r.build(List.of(new int[] {5, 4}));
        assertArrayEquals(new int[] {1, 1}, r.alpha().shape());
    }

    @Test
    void forwardAndGradientsAgainstFloat64() {
        SplittableRandom rng = new SplittableRandom(3);
        int[][][] cases = {{{3, 4}, {}}, {{3, 4}, {1}}, {{3, 4}, {2}}, {{2, 3, 4}, {1, 3}}, {{4}, {}}};
        for (int[][] c : cases) {
            int[] shape = c[0];
            PReLU p = new PReLU().sharedAxes(c[1]);
            p.build(List.of(shape));
            p.setWeights(List.of(LayerCheck.rand(rng, 0.8, p.alpha().shape())));
            int[] batch = new int[shape.length + 1];
            batch[0] = 2;
            System.arraycopy(shape, 0, batch, 1, shape.length);
            LayerCheck.check(p, List.of(LayerCheck.rand(rng, 2, batch)), null, new boolean[] {true}, ref(shape, p.alpha().shape()), 4);
        }
    }

    /** torch 1.13: F.prelu(x.transpose(1, 2), [0.1, -0.2]).transpose(1, 2), one slope per feature (shared_axes=[1]). */
    @Test
    void matchesTorchPrelu() {
        PReLU p = new PReLU().sharedAxes(1);
        p.build(List.of(new int[] {3, 2}));
        p.setWeights(List.of(Tensor.wrap(new float[] {0.1f, -0.2f}, 1, 2)));
        float[] got = p.call(input()).data();
        double[] want = {0.0, 1.2884353399276733, 1.9708994626998901, 1.7264187335968018, 0.6699762940406799, 0.1403132915496826};
        for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], 1e-7);
    }

    /** float32(sin(arange(24) * 0.7) * 2) as (4, 3, 2). */
    private static Tensor input() {
        float[] d = new float[24];
        for (int i = 0; i < 24; i++) d[i] = (float) (Math.sin(i * 0.7) * 2);
        return Tensor.wrap(d, 4, 3, 2);
    }

    /**
     * PReLU(shared_axes=[1]) then Dense(1), three SGD(0.1) steps on mse, against torch 1.13 in float64: the same
     * composition, autograd, {@code p -= 0.1 * p.grad} (losses before each step, then alpha, kernel and bias).
     */
    @Test
    void trainsAsTorch() {
        Sequential m = new Sequential(Input.shape(3, 2), new PReLU().sharedAxes(1), new Dense(1));
        m.setWeights(List.of(Tensor.wrap(new float[] {0.1f, -0.2f}, 1, 2), Tensor.wrap(new float[] {0.5f, -0.7f}, 2, 1),
                Tensor.wrap(new float[] {0.05f}, 1)));
        m.compile(new SGD(0.1), "mse");
        float[] y = new float[12];
        for (int i = 0; i < 12; i++) y[i] = (float) Math.cos(i * 0.3);
        double[] losses = {0.802777831, 0.75804263, 0.734675553};
        for (double want : losses) assertEquals(want, m.trainOnBatch(input(), Tensor.wrap(y, 4, 3, 1)), 2e-6);
        List<Tensor> w = m.getWeights();
        double[][] want = {{0.08411852902361032, -0.2045631303894357}, {0.45734291021287693, -0.5551107141315015}, {0.10592532265194977}};
        for (int k = 0; k < 3; k++) {
            for (int i = 0; i < want[k].length; i++) assertEquals(want[k][i], w.get(k).data()[i], 2e-6, "weight " + k + "[" + i + "]");
        }
    }

    @Test
    void summaryRowCountsAlpha() {
        Sequential m = new Sequential(Input.shape(3, 4), new PReLU().sharedAxes(1).name("p_re_lu"));
        assertTrue(m.summaryString().contains(" p_re_lu (PReLU)             (None, 3, 4)              4"), m.summaryString());
        assertEquals("p_re_lu", Names.snake("PReLU"));
    }
}
