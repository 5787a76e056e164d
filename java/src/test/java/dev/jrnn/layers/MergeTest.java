package dev.jrnn.layers;

import dev.jrnn.Jrnn;
import dev.jrnn.backend.Backend;
import dev.jrnn.backend.DTensor;
import dev.jrnn.model.Input;
import dev.jrnn.model.Model;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Add, Multiply, Average: float64 gradient checks, masks ORed as Keras 3.4 and later, functional summaries, errors. */
class MergeTest {
    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }

    private static final boolean[] ALL3 = {true, true, true};

    private static List<Tensor> three(long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        return List.of(LayerCheck.rand(rng, 1, 2, 3, 4), LayerCheck.rand(rng, 1, 2, 3, 4), LayerCheck.rand(rng, 1, 2, 3, 4));
    }

    /** Elementwise reference over three inputs. */
    private interface Op {
        double of(double a, double b, double c);
    }

    private static LayerCheck.RefFn elementwise(Op op) {
        return v -> {
            double[] y = new double[v[0].length];
            for (int i = 0; i < y.length; i++) y[i] = op.of(v[0][i], v[1][i], v[2][i]);
            return new double[][] {y};
        };
    }

    @Test
    void addSums() {
        LayerCheck.check(new Add(), three(1), null, ALL3, elementwise((a, b, c) -> a + b + c), 2);
    }

    @Test
    void multiplyMultiplies() {
        LayerCheck.check(new Multiply(), three(3), null, ALL3, elementwise((a, b, c) -> a * b * c), 4);
    }

    /**
     * Multiply's masked path against a float64 reference (Keras 3.4 and later): a masked step counts as 1 in the product,
     * and with every input masked the steps none keeps are 0; no gradient reaches a masked step's value.
     */
    @Test
    void multiplysMaskedPathMatchesItsReference() {
        SplittableRandom rng = new SplittableRandom(11);
        List<Tensor> xs = List.of(LayerCheck.rand(rng, 1, 2, 3, 4), LayerCheck.rand(rng, 1, 2, 3, 4));
        float[] m1 = {1, 0, 1, 0, 0, 1}, m2 = {1, 1, 0, 0, 1, 1};
        Tensor t1 = Tensor.of(m1.clone(), 2, 3), t2 = Tensor.of(m2.clone(), 2, 3);
        boolean[] both = {true, true};
        LayerCheck.checkMasks(new Multiply(), xs, Arrays.asList(t1, null), both, maskedProduct(m1, null), 12);
        LayerCheck.checkMasks(new Multiply(), xs, List.of(t1, t2), both, maskedProduct(m1, m2), 13);
    }

    /**
     * A NaN or Inf at a masked step takes no part, in the values and the gradients, as Keras' where: Multiply replaced a
     * masked step by (x - 1) * 0 + 1, NaN for a NaN. Maximum and Minimum too (they already did).
     */
    @ParameterizedTest
    @ValueSource(strings = {"Multiply", "Maximum", "Minimum"})
    void aNonFiniteValueAtAMaskedStepStaysOut(String cls) {
        SplittableRandom rng = new SplittableRandom(14);
        Tensor a = LayerCheck.rand(rng, 1, 2, 3, 4), b = LayerCheck.rand(rng, 1, 2, 3, 4);
        // every step kept by some input: at a step none keeps, Maximum and Minimum give the first input's value, as Keras
        float[] m1 = {1, 0, 1, 0, 0, 1}, m2 = {1, 1, 0, 1, 1, 1};
        for (float bad : new float[] {Float.NaN, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY}) {
            float[] poisoned = a.data().clone(), zeroed = a.data().clone();
            for (int i = 0; i < poisoned.length; i++) {
                if (m1[i / 4] == 0) {
                    poisoned[i] = bad;
                    zeroed[i] = 0;
                }
            }
            float[][] got = mergeAndBack(cls, Tensor.wrap(poisoned, 2, 3, 4), b, m1, m2);
            float[][] want = mergeAndBack(cls, Tensor.wrap(zeroed, 2, 3, 4), b, m1, m2);
            for (int o = 0; o < got.length; o++) assertArrayEquals(want[o], got[o], 0f, cls + " with " + bad + ", result " + o);
        }
    }

    /**
     * A small unmasked value keeps its precision under a mask: Keras' where(m, x, 1) is exact, where (x - 1) * m + 1 gave
     * 0 for 1e-8 in float32 (and a relative error of 1e-5 for 1e-3).
     */
    @Test
    void multiplyKeepsASmallUnmaskedValueExact() {
        float[] a = new float[2 * 3 * 4], b = new float[2 * 3 * 4];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) (1e-8 * (1 + i));
            b[i] = 3f;
        }
        float[] m1 = {1, 0, 1, 0, 0, 1}, m2 = {1, 1, 0, 1, 1, 1};
        float[][] got = mergeAndBack("Multiply", Tensor.wrap(a, 2, 3, 4), Tensor.wrap(b, 2, 3, 4), m1, m2);
        for (int i = 0; i < a.length; i++) {
            boolean ka = m1[i / 4] != 0, kb = m2[i / 4] != 0;   // every step kept by some input
            float fa = ka ? a[i] : 1f, fb = kb ? 3f : 1f;
            assertEquals(fa * fb, got[0][i], "y[" + i + "]");
            assertEquals(ka ? fb : 0f, got[1][i], "da[" + i + "]");
            assertEquals(kb ? fa : 0f, got[2][i], "db[" + i + "]");
        }
    }

    /** The merge of a and b under masks m1, m2 (both [2, 3]), and the input gradients for dy = 1: {y, da, db}. */
    private static float[][] mergeAndBack(String cls, Tensor a, Tensor b, float[] m1, float[] m2) {
        Merge l = switch (cls) {
            case "Multiply" -> new Multiply();
            case "Maximum" -> new Maximum();
            default -> new Minimum();
        };
        l.build(List.of(new int[] {3, 4}, new int[] {3, 4}));
        Backend be = l.backend();
        try (DTensor da = DTensor.from(be, a); DTensor db = DTensor.from(be, b);
             DTensor t1 = DTensor.from(be, Tensor.of(m1.clone(), 2, 3)); DTensor t2 = DTensor.from(be, Tensor.of(m2.clone(), 2, 3));
             Trace t = l.forwardMasked(List.of(da, db), List.of(t1, t2), true);
             DTensor dy = DTensor.from(be, Tensor.full(1f, 2, 3, 4))) {
            List<DTensor> dx = t.backward(List.of(dy));
            return new float[][] {t.outputs().get(0).toTensor().data(), dx.get(0).toTensor().data(), dx.get(1).toTensor().data()};
        }
    }

    /** (m1 ? a : 1) * (m2 ? b : 1), times (m1 OR m2) when both masks are given; inputs [2, 3, 4], masks [2, 3]. */
    private static LayerCheck.RefFn maskedProduct(float[] m1, float[] m2) {
        return v -> {
            double[] y = new double[v[0].length];
            for (int i = 0; i < y.length; i++) {
                int step = i / 4;
                double a = m1[step] != 0 ? v[0][i] : 1, b = m2 == null || m2[step] != 0 ? v[1][i] : 1;
                y[i] = a * b * (m2 == null || m1[step] != 0 || m2[step] != 0 ? 1 : 0);
            }
            return new double[][] {y};
        };
    }

    @Test
    void averageAverages() {
        LayerCheck.check(new Average(), three(5), null, ALL3, elementwise((a, b, c) -> (a + b + c) / 3), 6);
    }

    /** Keras 3.4 and later: the OR of the masks (a step kept by any input), none when an input has none. */
    @Test
    void masksAreOredAndAnInputWithoutOneGivesNone() {
        Backend be = Jrnn.backend();
        Add add = new Add();
        List<Tensor> xs = three(7);
        try (DTensor a = DTensor.from(be, xs.get(0)); DTensor b = DTensor.from(be, xs.get(1));
             DTensor ma = DTensor.from(be, Tensor.of(new float[] {1, 1, 0, 1, 0, 1}, 2, 3));
             DTensor mb = DTensor.from(be, Tensor.of(new float[] {1, 0, 0, 1, 1, 1}, 2, 3))) {
            try (Trace t = add.forwardMasked(List.of(a, b), Arrays.asList(null, null), false)) {
                assertNull(t.outputMask());
            }
            try (Trace t = add.forwardMasked(List.of(a, b), Arrays.asList(null, mb), false)) {
                assertNull(t.outputMask());
            }
            try (Trace t = add.forwardMasked(List.of(a, b), List.of(ma, mb), false)) {
                assertArrayEquals(new float[] {1, 1, 0, 1, 1, 1}, t.outputMask().toTensor().data());
            }
        }
    }

    /**
     * Both inputs' masks reach the LSTM, ORed: sample 0 has its last step masked in both inputs (skipped), sample 1
     * only in the second (kept).
     */
    @Test
    void modelPassesEveryInputsMask() {
        Input a = Input.shape(4, 2), b = Input.shape(4, 2);
        LSTM lstm = new LSTM(3).seed(9);
        Node out = lstm.apply(new Add().apply(new Masking().apply(a), new Masking().apply(b)));
        Model m = new Model(List.of(a, b), List.of(out));
        SplittableRandom rng = new SplittableRandom(10);
        Tensor xa = LayerCheck.rand(rng, 1, 2, 4, 2), xb = LayerCheck.rand(rng, 1, 2, 4, 2);
        float[] ad = xa.data(), bd = xb.data();
        for (int f = 0; f < 2; f++) ad[3 * 2 + f] = 0;   // sample 0's last step masked in a
        for (int s = 0; s < 2; s++) for (int f = 0; f < 2; f++) bd[(s * 4 + 3) * 2 + f] = 0;   // every last step masked in b
        Tensor got = m.predictAll(List.of(xa, xb), 32, null).get(0);
        float[] sum = new float[2 * 4 * 2], first3 = new float[2 * 3 * 2];
        for (int i = 0; i < sum.length; i++) sum[i] = ad[i] + bd[i];
        for (int s = 0; s < 2; s++) System.arraycopy(sum, s * 8, first3, s * 6, 6);
        float[] all = lstm.call(Tensor.wrap(sum, 2, 4, 2)).data(), three = lstm.call(Tensor.wrap(first3, 2, 3, 2)).data();
        LayerCheck.assertClose(Arrays.copyOfRange(three, 0, 3), Arrays.copyOfRange(got.data(), 0, 3), 1e-5, "sample 0 on its 3 kept steps");
        LayerCheck.assertClose(Arrays.copyOfRange(all, 3, 6), Arrays.copyOfRange(got.data(), 3, 6), 1e-5, "sample 1 on all 4 steps");
        m.close();
    }

    @Test
    void summaryListsEveryInput() {
        Input a = Input.shape(4).name("a"), b = Input.shape(4).name("b");
        Node y = new Multiply().name("mul").apply(List.of(a, b));
        Model m = new Model(List.of(a, b), List.of(y));
        String s = m.summaryString();
        assertTrue(s.contains(" mul (Multiply)                 (None, 4)            0           ['a[0][0]',"), s);
        assertTrue(s.contains("\n" + " ".repeat(66) + "'b[0][0]']"), s);
        m.close();
    }

    @Test
    void refusesShapesThatDiffer() {
        Input a = Input.shape(4), b = Input.shape(5);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Average().name("avg").apply(a, b));
        assertTrue(e.getMessage().contains("avg: Average expects inputs of one shape, got (None, 4) and (None, 5)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Add().build(List.of()));
        assertTrue(e.getMessage().contains("at least 1 input"), e.getMessage());
    }
}
