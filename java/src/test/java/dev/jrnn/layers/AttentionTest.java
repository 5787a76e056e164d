package dev.jrnn.layers;

import dev.jrnn.Jrnn;
import dev.jrnn.backend.Backend;
import dev.jrnn.backend.DTensor;
import dev.jrnn.model.Input;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Attention and AdditiveAttention against Keras 3's formula in float64 (forward and central-difference gradients of
 * every option: scores, scale, masks, causal mask, key, the attention-scores output, dropout) and against PyTorch
 * float64 golden values of the same formula ({@code make_attention_golden.py} beside this test's resources).
 */
class AttentionTest {
    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }

    /** The shapes of one case: batch, query steps, value steps, query/key dim, value dim. */
    record Dims(int b, int tq, int tv, int d, int dv) {}

    /**
     * Keras' Attention / AdditiveAttention in float64: mode "dot", "concat" or "additive"; scale null (none), one value
     * (Attention) or d values (AdditiveAttention); keep the dropout factors (B, Tq, Tv) or null. Returns {out, weights}.
     */
    static double[][] ref(String mode, double[] scale, double concatWeight, Dims n, double[] q, double[] v, double[] k,
                          float[] qMask, float[] vMask, boolean causal, double[] keep) {
        if (k == null) k = v;
        double[] out = new double[n.b * n.tq * n.dv], w = new double[n.b * n.tq * n.tv];
        for (int b = 0; b < n.b; b++) {
            for (int i = 0; i < n.tq; i++) {
                double[] s = new double[n.tv];
                for (int j = 0; j < n.tv; j++) {
                    double acc = 0;
                    for (int c = 0; c < n.d; c++) {
                        double qv = q[(b * n.tq + i) * n.d + c], kv = k[(b * n.tv + j) * n.d + c];
                        acc += switch (mode) {
                            case "dot" -> qv * kv;
                            case "concat" -> Math.tanh((scale == null ? 1 : scale[0]) * (qv + kv));
                            default -> (scale == null ? 1 : scale[c]) * Math.tanh(qv + kv);
                        };
                    }
                    if (mode.equals("dot") && scale != null) acc *= scale[0];
                    if (mode.equals("concat")) acc *= concatWeight;
                    boolean kept = (vMask == null || vMask[b * n.tv + j] != 0) && (!causal || j <= i);
                    s[j] = kept ? acc : acc - 1e9;
                }
                double max = Double.NEGATIVE_INFINITY, sum = 0;
                for (double x : s) max = Math.max(max, x);
                for (int j = 0; j < n.tv; j++) sum += Math.exp(s[j] - max);
                for (int j = 0; j < n.tv; j++) {
                    int at = (b * n.tq + i) * n.tv + j;
                    w[at] = Math.exp(s[j] - max) / sum * (keep == null ? 1 : keep[at]);
                }
                boolean zero = qMask != null && qMask[b * n.tq + i] == 0;
                for (int c = 0; c < n.dv; c++) {
                    double acc = 0;
                    for (int j = 0; j < n.tv; j++) acc += w[(b * n.tq + i) * n.tv + j] * v[(b * n.tv + j) * n.dv + c];
                    out[(b * n.tq + i) * n.dv + c] = zero ? 0 : acc;
                }
            }
        }
        return new double[][] {out, w};
    }

    /** A layer's case: its weights set to {@code weights}, random inputs, masks as given, checked by LayerCheck. */
    private static void check(BaseDenseAttention layer, String mode, Dims n, boolean withKey, float[] qMask, float[] vMask,
                              List<Tensor> weights, double[] keep, long seed) {
        if (!withKey) n = new Dims(n.b, n.tq, n.tv, n.d, n.d);   // the value is the key: the query's dim
        SplittableRandom rng = new SplittableRandom(seed);
        List<Tensor> in = new ArrayList<>(List.of(LayerCheck.rand(rng, 1, n.b, n.tq, n.d), LayerCheck.rand(rng, 1, n.b, n.tv, n.dv)));
        if (withKey) in.add(LayerCheck.rand(rng, 1, n.b, n.tv, n.d));
        List<int[]> shapes = new ArrayList<>();
        for (Tensor t : in) shapes.add(new int[] {t.shape()[1], t.shape()[2]});
        layer.build(shapes);
        layer.setWeights(weights);
        int nw = weights.size();
        boolean scaled = !weights.isEmpty() && !(mode.equals("concat") && nw == 1);
        boolean causal = layer.useCausalMask(), scores = layer.returnAttentionScores();
        Dims dims = n;
        LayerCheck.RefFn fn = vars -> {
            double[] scale = scaled ? vars[0] : null;
            double cw = mode.equals("concat") ? vars[nw - 1][0] : 1;
            double[][] r = ref(mode, scale, cw, dims, vars[nw], vars[nw + 1], withKey ? vars[nw + 2] : null, qMask, vMask, causal, keep);
            return scores ? r : new double[][] {r[0]};
        };
        List<Tensor> masks = new ArrayList<>();
        masks.add(qMask == null ? null : Tensor.wrap(qMask.clone(), n.b, n.tq));
        masks.add(vMask == null ? null : Tensor.wrap(vMask.clone(), n.b, n.tv));
        if (withKey) masks.add(null);
        boolean[] diff = new boolean[in.size()];
        java.util.Arrays.fill(diff, true);
        LayerCheck.checkMasks(layer, in, masks, diff, fn, seed + 1);
    }

    private static final Dims N = new Dims(2, 3, 4, 3, 2);
    private static final float[] Q_MASK = {1, 1, 0, 1, 1, 1}, V_MASK = {1, 1, 1, 0, 1, 1, 0, 0};

    private static Tensor scalar(double v) { return Tensor.wrap(new float[] {(float) v}, 1); }

    @Test
    void dotScoresPlainScaledMaskedAndWithAKey() {
        check(new Attention(), "dot", N, false, null, null, List.of(), null, 1);
        check(new Attention().useScale(true), "dot", N, false, Q_MASK, V_MASK, List.of(scalar(0.7)), null, 2);
        check(new Attention().useScale(true).returnAttentionScores(true), "dot", N, true, null, V_MASK, List.of(scalar(-1.3)),
                null, 3);
    }

    @Test
    void concatScoresWithAndWithoutScale() {
        check(new Attention().scoreMode("concat"), "concat", N, false, Q_MASK, null, List.of(scalar(1.4)), null, 4);
        check(new Attention().scoreMode("concat").useScale(true).returnAttentionScores(true), "concat", N, true, null, V_MASK,
                List.of(scalar(0.6), scalar(-0.8)), null, 5);
    }

    @Test
    void causalMaskAloneAndWithTheValueMask() {
        Dims square = new Dims(2, 4, 4, 3, 3);
        check(new Attention().useCausalMask(true).returnAttentionScores(true), "dot", square, false, null, null, List.of(), null, 6);
        float[] vm = {1, 1, 0, 1, 1, 0, 1, 1};   // step 0 kept in each sample: no query row is left without a key
        check(new AdditiveAttention().useCausalMask(true).returnAttentionScores(true), "additive", square, false, null, vm,
                List.of(Tensor.wrap(new float[] {0.5f, -0.4f, 0.9f}, 3)), null, 7);
    }

    @Test
    void additiveScoresWithAndWithoutScale() {
        check(new AdditiveAttention(), "additive", N, false, Q_MASK, V_MASK, List.of(Tensor.wrap(new float[] {0.3f, -1.1f, 0.8f}, 3)),
                null, 8);
        check(new AdditiveAttention().useScale(false).returnAttentionScores(true), "additive", N, true, null, null, List.of(), null, 9);
    }

    /**
     * Dropout in training: the weights output is the softmax times factors that are 0 or 1 / (1 - rate); with those
     * factors (the same stream drawn again after releaseBuffers) forward and gradients match the formula.
     */
    @Test
    void dropoutDropsAttentionWeightsInTrainingOnly() {
        Dims M = new Dims(2, 3, 4, 3, 3);
        for (String mode : new String[] {"dot", "additive"}) {
            BaseDenseAttention layer = mode.equals("dot") ? new Attention().dropout(0.4).returnAttentionScores(true)
                    : new AdditiveAttention().useScale(false).dropout(0.4).returnAttentionScores(true);
            SplittableRandom rng = new SplittableRandom(10);
            Tensor q = LayerCheck.rand(rng, 1, M.b, M.tq, M.d), v = LayerCheck.rand(rng, 1, M.b, M.tv, M.dv);
            layer.build(List.of(new int[] {M.tq, M.d}, new int[] {M.tv, M.dv}));
            double[] plain = ref(mode.equals("dot") ? "dot" : "additive", null, 1, M, Ref.d(q.data()), Ref.d(v.data()), null, null,
                    null, false, null)[1];
            Backend be = layer.backend();
            double[] keep = new double[plain.length];
            int dropped = 0;
            try (DTensor dq = DTensor.from(be, q); DTensor dv = DTensor.from(be, v)) {
                try (Trace t = layer.forward(List.of(dq, dv), null, true)) {
                    float[] w = t.outputs().get(1).toTensor().data();
                    for (int i = 0; i < w.length; i++) {
                        keep[i] = w[i] / plain[i];
                        assertTrue(Math.abs(keep[i]) < 1e-6 || Math.abs(keep[i] - 1 / 0.6) < 1e-4, mode + ": factor " + keep[i]);
                        keep[i] = Math.abs(keep[i]) < 1e-6 ? 0 : 1 / (double) (1f - 0.4f);
                        if (keep[i] == 0) dropped++;
                    }
                }
                try (Trace t = layer.forward(List.of(dq, dv), null, false)) {   // inference: no dropout
                    float[] w = t.outputs().get(1).toTensor().data();
                    for (int i = 0; i < w.length; i++) assertEquals(plain[i], w[i], 1e-6, mode + " inference weight " + i);
                }
            }
            assertTrue(dropped > 2 && dropped < plain.length - 2, mode + ": dropped " + dropped + " of " + plain.length);
            layer.releaseBuffers();   // the next training call draws the same mask again
            check(layer, mode, M, false, null, null, List.of(), keep, 10);
        }
    }

    /** Keras' compute_mask: the query mask goes on with the output; the scores output has none. */
    @Test
    void passesTheQueryMaskOnAndShapesAsKeras() {
        Attention a = new Attention().returnAttentionScores(true);
        Node q = Input.shape(-1, 8), v = Input.shape(6, 5);
        Node kk = Input.shape(6, 8);
        Node out = a.apply(q, v, kk);
        assertArrayEquals(new int[] {-1, 5}, out.shape());
        assertArrayEquals(new int[] {-1, 6}, out.get(1).shape());
        assertEquals(0, a.params().size());
        AdditiveAttention add = new AdditiveAttention();
        add.build(List.of(new int[] {3, 8}, new int[] {6, 8}));
        assertEquals("scale", add.params().get(0).name());
        assertArrayEquals(new int[] {8}, add.params().get(0).shape());
        double limit = Math.sqrt(6.0 / 16), max = 0;
        for (float x : add.getWeights().get(0).data()) max = Math.max(max, Math.abs(x));
        assertTrue(max <= limit && max > 0.3 * limit, "glorot_uniform with fans (8, 8): max " + max);
        Attention both = new Attention().useScale(true).scoreMode("concat");
        both.build(List.of(new int[] {3, 4}, new int[] {5, 4}));
        assertEquals(List.of("scale", "concat_score_weight"), both.params().stream().map(Param::name).toList());
        assertEquals(1f, both.getWeights().get(0).data()[0]);
        assertEquals(1f, both.getWeights().get(1).data()[0]);

        SplittableRandom rng = new SplittableRandom(12);
        Attention m = new Attention();
        m.build(List.of(new int[] {3, 2}, new int[] {4, 2}));
        Backend be = m.backend();
        try (DTensor dq = DTensor.from(be, LayerCheck.rand(rng, 1, 2, 3, 2)); DTensor dv = DTensor.from(be, LayerCheck.rand(rng, 1, 2, 4, 2));
             DTensor qm = DTensor.from(be, Tensor.wrap(Q_MASK.clone(), 2, 3)); DTensor vm = DTensor.from(be, Tensor.wrap(V_MASK.clone(), 2, 4));
             Trace t = m.forwardMasked(List.of(dq, dv), java.util.Arrays.asList(qm, vm), false);
             Trace none = m.forwardMasked(List.of(dq, dv), java.util.Arrays.asList(null, vm), false)) {
            assertSame(qm, t.outputMask());
            assertNull(none.outputMask());
        }
    }

    /** A built layer takes later calls its weights fit: Attention any dims (scalar weights), AdditiveAttention the same query dim. */
    @Test
    void laterCallsWithOtherShapesAsKerasAllows() {
        Attention a = new Attention().useScale(true);
        a.callAll(List.of(Tensor.zeros(1, 3, 4), Tensor.zeros(1, 5, 4)));
        List<Tensor> out = a.callAll(List.of(Tensor.zeros(2, 2, 6), Tensor.zeros(2, 7, 3), Tensor.zeros(2, 7, 6)));
        assertArrayEquals(new int[] {2, 2, 3}, out.get(0).shape());
        AdditiveAttention add = new AdditiveAttention();
        add.callAll(List.of(Tensor.zeros(1, 3, 4), Tensor.zeros(1, 5, 4)));
        assertArrayEquals(new int[] {2, 6, 2}, add.callAll(List.of(Tensor.zeros(2, 6, 4), Tensor.zeros(2, 3, 2),
                Tensor.zeros(2, 3, 4))).get(0).shape());
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> add.callAll(List.of(Tensor.zeros(1, 3, 5), Tensor.zeros(1, 5, 5))));
        assertTrue(e.getMessage().contains("(the shape it was built for)"), e.getMessage());
    }

    /**
     * PyTorch float64 computing Keras' formula ({@code make_attention_golden.py}): inputs {@code ((i * 37) % 19 - 9) / 10}
     * for query, {@code ((i * 23) % 17 - 8) / 8} for value, {@code ((i * 29) % 13 - 6) / 7} for key; B = 2, Tq = 3, Tv = 4,
     * D = 3, value dim 2; the value mask {@link #V_MASK} and query mask {@link #Q_MASK} where a case says so.
     */
    @Test
    void matchesPyTorchGoldenValues() {
        assertGolden(new Attention().useScale(true), List.of(scalar(0.7)), true, true, true, GOLDEN_DOT);
        assertGolden(new Attention().useScale(true).scoreMode("concat").useCausalMask(true),
                List.of(scalar(0.6), scalar(1.3)), true, false, false, GOLDEN_CONCAT_CAUSAL);
        assertGolden(new AdditiveAttention(), List.of(Tensor.wrap(new float[] {0.5f, -0.4f, 0.9f}, 3)), true, true, false,
                GOLDEN_ADDITIVE);
    }

    private static float[] pattern(int n, int mul, int mod, int off, double div) {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) f[i] = (float) (((i * mul) % mod - off) / div);
        return f;
    }

    private static void assertGolden(BaseDenseAttention layer, List<Tensor> weights, boolean withKey, boolean vMask, boolean qMask,
                                     double[][] golden) {
        List<Tensor> in = new ArrayList<>(List.of(Tensor.wrap(pattern(18, 37, 19, 9, 10), 2, 3, 3),
                Tensor.wrap(pattern(16, 23, 17, 8, 8), 2, 4, 2)));
        if (withKey) in.add(Tensor.wrap(pattern(24, 29, 13, 6, 7), 2, 4, 3));
        layer.returnAttentionScores(true);
        List<int[]> shapes = new ArrayList<>();
        for (Tensor t : in) shapes.add(new int[] {t.shape()[1], t.shape()[2]});
        layer.build(shapes);
        layer.setWeights(weights);
        Backend be = layer.backend();
        List<DTensor> dins = new ArrayList<>(), dmasks = new ArrayList<>();
        try {
            for (Tensor t : in) dins.add(DTensor.from(be, t));
            dmasks.add(qMask ? DTensor.from(be, Tensor.wrap(Q_MASK.clone(), 2, 3)) : null);
            dmasks.add(vMask ? DTensor.from(be, Tensor.wrap(V_MASK.clone(), 2, 4)) : null);
            if (withKey) dmasks.add(null);
            try (Trace t = layer.forwardMasked(dins, dmasks, false)) {
                for (int o = 0; o < 2; o++) {
                    float[] got = t.outputs().get(o).toTensor().data();
                    assertEquals(golden[o].length, got.length);
                    for (int i = 0; i < got.length; i++) assertEquals(golden[o][i], got[i], 2e-6, layer.name() + " output " + o + "[" + i + "]");
                }
            }
        } finally {
            for (DTensor d : dins) d.close();
            for (DTensor d : dmasks) if (d != null) d.close();
        }
    }

    // ---- pasted from make_attention_golden.py's output
    private static final double[][] GOLDEN_DOT = {
            {-0.255876412, 0.014608588, 0.001889585, -0.167436077, 0.0, 0.0, 0.457783942, 0.07631854, 0.521334746, -0.076203389, 0.578199686, -0.212679246},
            {0.310754555, 0.225654118, 0.463591328, 0.0, 0.16400036, 0.432623841, 0.403375799, 0.0, 0.232473517, 0.402935429, 0.364591054, 0.0, 0.532454307, 0.467545693, 0.0, 0.0, 0.634135593, 0.365864407, 0.0, 0.0, 0.725119497, 0.274880503, 0.0, 0.0}};
    private static final double[][] GOLDEN_CONCAT_CAUSAL = {
            {-1.0, -0.25, 0.162233277, -0.734263865, 0.039932509, -0.072702883, 0.75, -0.625, 0.249980946, 0.575045729, 0.121747897, 0.483222226},
            {1.0, 0.0, 0.0, 0.0, 0.225177815, 0.774822185, 0.0, 0.0, 0.10146718, 0.405946067, 0.492586753, 0.0, 1.0, 0.0, 0.0, 0.0, 0.199969514, 0.800030486, 0.0, 0.0, 0.18283561, 0.629125415, 0.188038975, 0.0}};
    private static final double[][] GOLDEN_ADDITIVE = {
            {-0.275983375, -0.051372704, -0.247257555, 0.023256159, -0.247119372, 0.058054256, 0.386609945, 0.247136131, 0.384696161, 0.251729213, 0.389124972, 0.241100068},
            {0.349153884, 0.247242037, 0.403604079, 0.0, 0.300894781, 0.225640605, 0.473464614, 0.0, 0.289086466, 0.209330057, 0.501583477, 0.0, 0.418575913, 0.581424087, 0.0, 0.0, 0.415513858, 0.584486142, 0.0, 0.0, 0.422599954, 0.577400046, 0.0, 0.0}};
}
