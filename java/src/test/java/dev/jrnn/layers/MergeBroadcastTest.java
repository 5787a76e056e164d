package dev.jrnn.layers;

import dev.jrnn.Jrnn;
import dev.jrnn.model.FitOptions;
import dev.jrnn.model.Input;
import dev.jrnn.model.Model;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.DoubleBinaryOperator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The elementwise merges broadcast as Keras' do (a dimension of 1 repeats, a lower-rank input is expanded at axis 1):
 * {@code Multiply()([seq (None, T, F), weights (None, T, 1)])} was refused ("expects inputs of one shape").
 */
class MergeBroadcastTest {
    @BeforeAll
    static void cpu() { Jrnn.setBackend("cpu"); }

    private static Merge layer(String cls) {
        return switch (cls) {
            case "Add" -> new Add();
            case "Subtract" -> new Subtract();
            case "Multiply" -> new Multiply();
            case "Average" -> new Average();
            case "Maximum" -> new Maximum();
            default -> new Minimum();
        };
    }

    private static DoubleBinaryOperator op(String cls) {
        return switch (cls) {
            case "Add" -> Double::sum;
            case "Subtract" -> (a, b) -> a - b;
            case "Multiply" -> (a, b) -> a * b;
            case "Average" -> (a, b) -> (a + b) / 2;
            case "Maximum" -> Math::max;
            default -> Math::min;
        };
    }

    private static int[] parse(String s) {
        return Arrays.stream(s.trim().split(" ")).mapToInt(Integer::parseInt).toArray();
    }

    /** The flat index into {@code in} (aligned on the right, 1s repeat) of each element of {@code out} (batch shapes). */
    private static int[] sources(int[] in, int[] out) {
        int n = (int) Tensor.size(out);
        int[] src = new int[n], pos = new int[out.length];
        for (int e = 0; e < n; e++) {
            int s = pos[0];   // the batch, never broadcast
            for (int d = 1; d < out.length; d++) {
                int k = d - (out.length - in.length);
                if (k >= 1) s = s * in[k] + (in[k] == 1 ? 0 : pos[d]);
            }
            src[e] = s;
            for (int d = out.length - 1; d >= 0 && ++pos[d] == out[d]; d--) pos[d] = 0;
        }
        return src;
    }

    /** Forward and both inputs' gradients against the double reference with numpy's (and Keras') broadcasting. */
    @ParameterizedTest(name = "{0} {1} with {2}")
    @CsvSource({
            "Add, 2 3 4, 2 1 4", "Subtract, 2 3 4, 2 3 1", "Multiply, 2 3 4, 2 3 1", "Average, 2 3 4, 2 4",
            "Maximum, 2 1 4, 2 3 1", "Minimum, 2 3 4, 2 1 1", "Multiply, 2 3 1, 2 3 4", "Subtract, 2 4, 2 3 4",
            "Add, 1 2 3 2, 1 3 1", "Maximum, 3 2 2, 3 2 2"})
    void broadcastsWithKerasShapesValuesAndGradients(String cls, String a, String b) {
        int[] sa = parse(a), sb = parse(b);
        Merge m = layer(cls);
        int[] out = m.computeOutputShapes(List.of(Arrays.copyOfRange(sa, 1, sa.length), Arrays.copyOfRange(sb, 1, sb.length))).get(0);
        int[] outB = new int[out.length + 1];
        outB[0] = sa[0];
        System.arraycopy(out, 0, outB, 1, out.length);
        int[] ia = sources(sa, outB), ib = sources(sb, outB);
        DoubleBinaryOperator f = op(cls);
        SplittableRandom rng = new SplittableRandom(7);
        LayerCheck.check(m, List.of(LayerCheck.rand(rng, 1, sa), LayerCheck.rand(rng, 1, sb)), null, new boolean[] {true, true}, v -> {
            double[] y = new double[ia.length];
            for (int e = 0; e < y.length; e++) y[e] = f.applyAsDouble(v[0][ia[e]], v[1][ib[e]]);
            return new double[][] {y};
        }, 3);
    }

    /**
     * PyTorch's broadcasting (float64), its values and gradients for dy = arange(12) / 7 - 0.8:
     * <pre>
     * x = (torch.arange(12.) / 5 - 1.1).reshape(2, 3, 2).requires_grad_(True)
     * w = torch.tensor([[[0.5], [-1.0], [2.0]], [[1.5], [0.25], [-0.75]]], requires_grad=True)
     * ((x * w) * dy).sum().backward()                     # x * w, w.grad
     * b = torch.tensor([[0.3, -0.2], [1.0, 2.0]], requires_grad=True)
     * z = torch.maximum(x, b.unsqueeze(1)); (z * dy).sum().backward()   # z, b.grad, x.grad
     * </pre>
     */
    @Test
    void matchesPyTorchBroadcasting() {
        float[] xs = new float[12], dys = new float[12];
        for (int i = 0; i < 12; i++) {
            xs[i] = (float) (i / 5.0 - 1.1);
            dys[i] = (float) (i / 7.0 - 0.8);
        }
        Tensor x = Tensor.of(xs, 2, 3, 2), dy = Tensor.of(dys, 2, 3, 2);
        Tensor w = Tensor.of(new float[] {0.5f, -1f, 2f, 1.5f, 0.25f, -0.75f}, 2, 3, 1);
        List<Tensor> g = run(new Multiply(), x, w, dy, new float[] {-0.55f, -0.45f, 0.7f, 0.5f, -0.6f, -0.2f, 0.15f, 0.45f, 0.125f,
                0.175f, -0.675f, -0.825f});
        LayerCheck.assertClose(new float[] {1.471429f, 0.545714f, 0.077143f, 0.065714f, 0.511429f, 1.414286f}, g.get(1).data(), 1e-5, "dw");
        Tensor b = Tensor.of(new float[] {0.3f, -0.2f, 1f, 2f}, 2, 2);
        g = run(new Maximum(), x, b, dy, new float[] {0.3f, -0.2f, 0.3f, -0.2f, 0.3f, -0.1f, 1f, 2f, 1f, 2f, 1f, 2f});
        LayerCheck.assertClose(new float[] {-1.542857f, -1.028571f, 1.028571f, 1.457143f}, g.get(1).data(), 1e-5, "db");
        LayerCheck.assertClose(new float[] {0, 0, 0, 0, 0, -0.085714f, 0, 0, 0, 0, 0, 0}, g.get(0).data(), 1e-5, "dx");
    }

    /** The merge of x and y checked against {@code want}; returns both inputs' gradients for {@code dy}. */
    private static List<Tensor> run(Merge m, Tensor x, Tensor y, Tensor dy, float[] want) {
        var be = Jrnn.backend();
        try (var dx = dev.jrnn.backend.DTensor.from(be, x); var dyy = dev.jrnn.backend.DTensor.from(be, y);
             var g = dev.jrnn.backend.DTensor.from(be, dy); Trace t = m.forwardMasked(List.of(dx, dyy), Arrays.asList(null, null), true)) {
            assertArrayEquals(x.shape(), t.outputs().get(0).shape());
            LayerCheck.assertClose(want, t.outputs().get(0).toTensor().data(), 1e-6, m.kerasClass());
            List<dev.jrnn.backend.DTensor> gs = t.backward(List.of(g));
            assertArrayEquals(y.shape(), gs.get(1).shape());
            return List.of(gs.get(0).toTensor(), gs.get(1).toTensor());
        }
    }

    /** In a model: summary shapes as Keras', a mask on the full-shape input goes on, and a fit step trains through it. */
    @Test
    void aKerasStyleWeightingTrainsInAModel() {
        Input seq = Input.shape(5, 3);
        Node masked = new Masking(0).apply(seq);
        Node weights = new Dense(1).activation("sigmoid").apply(masked);   // (None, 5, 1)
        Node weighted = new Multiply().name("weighted").apply(masked, weights);
        Node out = new GlobalAveragePooling1D().apply(weighted);
        try (Model m = new Model(seq, out)) {
            assertTrue(m.summaryString().contains("(None, 5, 3)"), m.summaryString());
            m.compile("sgd", "mse");
            Tensor x = LayerCheck.rand(new SplittableRandom(2), 1, 4, 5, 3);
            List<Tensor> before = m.getWeights();
            m.fit(x, Tensor.zeros(4, 3), new FitOptions().epochs(1).verbose(0));
            assertTrue(!Arrays.equals(before.get(0).data(), m.getWeights().get(0).data()), "the Dense kernel trains through the broadcast");
        }
    }

    @Test
    void shapesThatDoNotBroadcastAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Add().name("a").computeOutputShapes(List.of(new int[] {3, 4}, new int[] {2, 4})));
        assertEquals("a: Add expects inputs of one shape, got (None, 3, 4) and (None, 2, 4) (input 1); as in Keras, a dimension of 1"
                + " (or one missing on the left) broadcasts", e.getMessage());
        assertArrayEquals(new int[] {-1, 4}, new Add().computeOutputShapes(List.of(new int[] {-1, 1}, new int[] {1, 4})).get(0));
        assertArrayEquals(new int[] {5, 4}, new Add().computeOutputShapes(List.of(new int[] {-1, 4}, new int[] {5, 1})).get(0));
    }

    /**
     * A one-step input's mask repeats over the steps with it, as Keras broadcasts the masks (logical_or, where): Add ORs
     * them, Maximum takes the kept input's value at each step (was: "input masks differ in shape: (1, 4) and (1, 1)").
     */
    @Test
    void aOneStepInputsMaskBroadcastsWithIt() {
        var be = Jrnn.backend();
        Tensor x = Tensor.of(new float[] {1, 1, 0, 0, 2, 2, 3, 3}, 1, 4, 2);
        Tensor xMask = Tensor.of(new float[] {1, 0, 1, 1}, 1, 4);
        Object[][] cases = {
                {new Add(), new float[] {0, 0}, 0f, new float[] {1, 1, 0, 0, 2, 2, 3, 3}, new float[] {1, 0, 1, 1}},
                {new Maximum(), new float[] {5, -1}, 1f, new float[] {5, 1, 5, -1, 5, 2, 5, 3}, new float[] {1, 1, 1, 1}}};
        for (Object[] c : cases) {
            Merge m = (Merge) c[0];
            try (var dx = dev.jrnn.backend.DTensor.from(be, x); var dy = dev.jrnn.backend.DTensor.from(be, Tensor.of((float[]) c[1], 1, 1, 2));
                 var mx = dev.jrnn.backend.DTensor.from(be, xMask); var my = dev.jrnn.backend.DTensor.from(be, Tensor.of(new float[] {(float) c[2]}, 1, 1));
                 Trace t = m.forwardMasked(List.of(dx, dy), List.of(mx, my), false)) {
                assertArrayEquals((float[]) c[3], t.outputs().get(0).toTensor().data(), m.kerasClass());
                assertArrayEquals((float[]) c[4], t.outputMask().toTensor().data(), m.kerasClass() + " mask");
            }
        }
    }
}
