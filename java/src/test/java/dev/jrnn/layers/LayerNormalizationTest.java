package dev.jrnn.layers;

import dev.jrnn.Jrnn;
import dev.jrnn.model.Sequential;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** LayerNormalization: float64 forward/backward against the formula, options, Keras weights and summary. */
class LayerNormalizationTest {
    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }

    /** vars = [gamma?, beta?, x]; rows of {@code f} normalized, then scaled and shifted. */
    private static LayerCheck.RefFn ref(int f, double eps, boolean scale, boolean center) {
        return v -> {
            int k = 0;
            double[] g = scale ? v[k++] : null, b = center ? v[k++] : null, x = v[k];
            double[] y = new double[x.length];
            for (int r = 0; r < x.length / f; r++) {
                double mean = 0, var = 0;
                for (int c = 0; c < f; c++) mean += x[r * f + c] / f;
                for (int c = 0; c < f; c++) var += (x[r * f + c] - mean) * (x[r * f + c] - mean) / f;
                for (int c = 0; c < f; c++) {
                    double h = (x[r * f + c] - mean) / Math.sqrt(var + eps);
                    y[r * f + c] = h * (g == null ? 1 : g[c]) + (b == null ? 0 : b[c]);
                }
            }
            return new double[][] {y};
        };
    }

    @Test
    void normalizesScalesAndShifts() {
        SplittableRandom rng = new SplittableRandom(1);
        LayerNormalization ln = new LayerNormalization();
        Tensor x = LayerCheck.rand(rng, 2, 2, 3, 5);
        ln.build(List.of(new int[] {3, 5}));
        ln.setWeights(List.of(LayerCheck.rand(rng, 1.5, 5), LayerCheck.rand(rng, 1, 5)));   // not the ones/zeros start
        LayerCheck.check(ln, List.of(x), null, new boolean[] {true}, ref(5, 1e-3, true, true), 2);
    }

    /** As Keras (axis -1): built on vectors, the same layer normalizes every position of a sequence. */
    @Test
    void builtOnVectorsItNormalizesSequencesToo() {
        LayerNormalization ln = new LayerNormalization();
        SplittableRandom rng = new SplittableRandom(5);
        ln.call(LayerCheck.rand(rng, 1, 3, 4));
        Tensor seq = LayerCheck.rand(rng, 2, 2, 3, 4);
        Tensor y = ln.call(seq);
        assertEquals(List.of(2, 3, 4), java.util.Arrays.stream(y.shape()).boxed().toList());
        double[] want = ref(4, 1e-3, true, true).apply(new double[][] {Ref.d(ln.getWeights().get(0).toArray()),
                Ref.d(ln.getWeights().get(1).toArray()), Ref.d(seq.toArray())})[0];
        for (int i = 0; i < want.length; i++) assertEquals(want[i], y.toArray()[i], 1e-5, "element " + i);
    }

    @Test
    void withoutScaleOrCenterAndOtherEpsilon() {
        SplittableRandom rng = new SplittableRandom(3);
        Tensor x = LayerCheck.rand(rng, 1, 4, 6);
        LayerCheck.check(new LayerNormalization().scale(false), List.of(x), null, new boolean[] {true}, ref(6, 1e-3, false, true), 4);
        LayerCheck.check(new LayerNormalization().center(false).epsilon(0.5), List.of(x), null, new boolean[] {true},
                ref(6, 0.5, true, false), 5);
    }

    @Test
    void kerasWeightsAndSummary() {
        LayerNormalization ln = new LayerNormalization().name("ln");
        Sequential m = new Sequential(new SimpleRNN(8).returnSequences(true).inputShape(3, 2), ln);
        String s = m.summaryString();
        assertTrue(s.contains(" ln (LayerNormalization)     (None, 3, 8)              16        \n"), s);
        assertEquals(List.of("simple_rnn", "ln/gamma", "ln/beta").subList(1, 3), m.weightNames().subList(3, 5));
        assertEquals(1f, ln.getWeights().get(0).data()[7]);
        assertEquals(0f, ln.getWeights().get(1).data()[7]);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> ln.epsilon(1e-5));
        assertTrue(e.getMessage().contains("epsilon must be set before the layer is built"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new LayerNormalization().epsilon(0));
        m.close();
    }
}
