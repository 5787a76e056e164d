package dev.jrnn.layers;

import dev.jrnn.Jrnn;
import dev.jrnn.backend.Backend;
import dev.jrnn.backend.DTensor;
import dev.jrnn.model.Input;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * MultiHeadAttention against Keras 3's formula in float64 (forward and central-difference gradients of every weight and
 * input: self- and cross-attention, a key, the Keras masks, the causal mask, an attention mask, no biases, value_dim and
 * output_shape, the scores output, dropout) and against float64 golden values of torch.nn.functional
 * ({@code make_mha_golden.py} beside this test's resources).
 */
class MultiHeadAttentionTest {
    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }

    /** Batch, query steps, value steps, query/value/key dims, heads, key dim, value dim, output dim. */
    record Dims(int b, int t, int s, int dq, int dv, int dk, int n, int h, int hv, int o) {}

    /** One case's masks (each may be null) and whether the causal mask is on. */
    record Masks(float[] q, float[] v, float[] k, float[] pairs, boolean causal) {}

    static final Masks NONE = new Masks(null, null, null, null, false);

    /**
     * Keras' MultiHeadAttention in float64: w = [Wq, bq, Wk, bk, Wv, bv, Wo, bo] (biases null without use_bias); drop the
     * dropout factors (B, N, T, S) or null. Returns {output (B, T, O), weights (B, N, T, S) before dropout}.
     */
    static double[][] ref(Dims d, double[][] w, double[] q, double[] v, double[] k, Masks m, double[] drop) {
        double[] qp = proj(q, d.b * d.t, d.dq, w[0], w[1], d.n * d.h), kp = proj(k, d.b * d.s, d.dk, w[2], w[3], d.n * d.h);
        double[] vp = proj(v, d.b * d.s, d.dv, w[4], w[5], d.n * d.hv);
        double[] att = new double[d.b * d.n * d.t * d.s], ctx = new double[d.b * d.t * d.n * d.hv];
        for (int b = 0; b < d.b; b++) {
            for (int j = 0; j < d.n; j++) {
                for (int i = 0; i < d.t; i++) {
                    double[] sc = new double[d.s];
                    boolean[] keep = new boolean[d.s];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int s = 0; s < d.s; s++) {
                        double acc = 0;
                        for (int c = 0; c < d.h; c++) acc += qp[(b * d.t + i) * d.n * d.h + j * d.h + c] * kp[(b * d.s + s) * d.n * d.h + j * d.h + c];
                        keep[s] = on(m.q, b * d.t + i) && on(m.v, b * d.s + s) && on(m.k, b * d.s + s) && (!m.causal || s <= i)
                                && on(m.pairs, m.pairs != null && m.pairs.length == d.b * d.n * d.t * d.s   // one per head
                                ? ((b * d.n + j) * d.t + i) * d.s + s : (b * d.t + i) * d.s + s);
                        sc[s] = keep[s] ? acc / Math.sqrt(d.h) : -1e9;   // Softmax(mask): where(mask, x, -1e9)
                        max = Math.max(max, sc[s]);
                    }
                    double sum = 0;
                    for (int s = 0; s < d.s; s++) sum += Math.exp(sc[s] - max);
                    for (int s = 0; s < d.s; s++) {
                        int at = ((b * d.n + j) * d.t + i) * d.s + s;
                        att[at] = keep[s] ? Math.exp(sc[s] - max) / sum : 0;   // then where(mask, out, 0)
                        double wd = att[at] * (drop == null ? 1 : drop[at]);
                        for (int c = 0; c < d.hv; c++) ctx[(b * d.t + i) * d.n * d.hv + j * d.hv + c] += wd * vp[(b * d.s + s) * d.n * d.hv + j * d.hv + c];
                    }
                }
            }
        }
        return new double[][] {proj(ctx, d.b * d.t, d.n * d.hv, w[6], w[7], d.o), att};
    }

    private static boolean on(float[] mask, int i) { return mask == null || mask[i] != 0; }

    private static double[] proj(double[] x, int rows, int in, double[] kernel, double[] bias, int out) {
        double[] y = new double[rows * out];
        for (int r = 0; r < rows; r++) {
            for (int o = 0; o < out; o++) {
                double acc = bias == null ? 0 : bias[o];
                for (int i = 0; i < in; i++) acc += x[r * in + i] * kernel[i * out + o];
                y[r * out + o] = acc;
            }
        }
        return y;
    }

    /** A layer's case through LayerCheck: random weights, random inputs (the key only when keyed), the masks given. */
    static void check(MultiHeadAttention layer, Dims d, boolean keyed, Masks m, double[] drop, long seed) {
        check(layer, d, keyed, m, m.pairs == null ? null : Tensor.wrap(m.pairs.clone(), d.b, d.t, d.s), drop, seed);
    }

    /** As above with {@code pairsInput} the attention_mask input (a shape Keras broadcasts), m.pairs its (B, T, S) spread. */
    static void check(MultiHeadAttention layer, Dims d, boolean keyed, Masks m, Tensor pairsInput, double[] drop, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        List<Tensor> in = new ArrayList<>(List.of(LayerCheck.rand(rng, 1, d.b, d.t, d.dq), LayerCheck.rand(rng, 1, d.b, d.s, d.dv)));
        if (keyed) in.add(LayerCheck.rand(rng, 1, d.b, d.s, d.dk));
        if (pairsInput != null) in.add(pairsInput);
        List<int[]> shapes = new ArrayList<>();
        for (Tensor x : in) shapes.add(Arrays.copyOfRange(x.shape(), 1, x.shape().length));
        layer.build(shapes);
        LayerCheck.randomWeights(layer, rng);
        boolean bias = layer.useBias(), scores = layer.returnAttentionScores();
        int nw = layer.params().size();
        LayerCheck.RefFn fn = vars -> {
            double[][] w = new double[8][];
            for (int i = 0, at = 0; i < 4; i++) {
                w[2 * i] = vars[at++];
                w[2 * i + 1] = bias ? vars[at++] : null;
            }
            double[] q = vars[nw], v = vars[nw + 1], k = keyed ? vars[nw + 2] : v;
            double[][] r = ref(d, w, q, v, k, m, drop);
            return scores ? r : new double[][] {r[0]};
        };
        List<Tensor> masks = new ArrayList<>();
        masks.add(m.q == null ? null : Tensor.wrap(m.q.clone(), d.b, d.t));
        masks.add(m.v == null ? null : Tensor.wrap(m.v.clone(), d.b, d.s));
        if (keyed) masks.add(m.k == null ? null : Tensor.wrap(m.k.clone(), d.b, d.s));
        if (m.pairs != null) masks.add(null);
        boolean[] diff = new boolean[in.size()];
        Arrays.fill(diff, 0, keyed ? 3 : 2, true);
        LayerCheck.checkMasks(layer, in, masks, diff, fn, seed + 1);
    }

    static final float[] Q_MASK = {1, 1, 0, 1, 1, 1}, V_MASK = {1, 1, 1, 0, 1, 1, 0, 0}, K_MASK = {1, 0, 1, 1, 1, 1, 1, 0};
    static final float[] PAIRS = {1, 0, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 0, 1, 0, 1, 1};

    @Test
    void selfAttentionPlainAndWithTheQueryAndValueMasks() {
        Dims d = new Dims(2, 3, 3, 4, 4, 4, 2, 3, 3, 4);
        check(new MultiHeadAttention(2, 3), d, false, NONE, null, 1);
        check(new MultiHeadAttention(2, 3).returnAttentionScores(true), d, false, new Masks(Q_MASK, Q_MASK, null, null, false), null, 2);
    }

    @Test
    void crossAttentionWithAKeyValueDimOutputShapeAndEveryMask() {
        Dims d = new Dims(2, 3, 4, 4, 3, 5, 3, 2, 3, 6);
        check(new MultiHeadAttention(3, 2).valueDim(3).outputShape(6).returnAttentionScores(true), d, true,
                new Masks(Q_MASK, V_MASK, K_MASK, null, false), null, 3);
        check(new MultiHeadAttention(3, 2).valueDim(3).outputShape(6).attentionMaskInput(true).useCausalMask(true)
                .returnAttentionScores(true), d, true, new Masks(null, V_MASK, null, PAIRS, true), null, 4);
    }

    @Test
    void withoutBiasesAndWithAnAttentionMaskAlone() {
        Dims d = new Dims(2, 3, 4, 2, 3, 3, 1, 4, 4, 2);
        check(new MultiHeadAttention(1, 4).useBias(false), d, false, NONE, null, 5);
        check(new MultiHeadAttention(1, 4).attentionMaskInput(true).returnAttentionScores(true), d, false,
                new Masks(null, null, null, PAIRS, false), null, 6);
        // Keras casts attention_mask to bool: any nonzero value keeps (2, 0.5 and -1 as 1), not a weight
        float[] values = PAIRS.clone();
        for (int i = 0; i < values.length; i++) if (values[i] != 0) values[i] = new float[] {2f, 0.5f, -1f, 1f}[i % 4];
        check(new MultiHeadAttention(1, 4).attentionMaskInput(true).returnAttentionScores(true), d, false,
                new Masks(null, null, null, values, false), null, 6);
    }

    /**
     * Keras broadcasts an attention_mask of (batch, 1, Tv) (the padding mask of its Transformer examples), (batch, Tq, 1)
     * or (batch, 1, 1) against the (batch, heads, Tq, Tv) scores: each gives the reference with the mask spread to (batch,
     * Tq, Tv), alone and joined with the Keras masks and the causal mask (a (batch, 1, 1) of 0 leaves a sample no key:
     * zero weights). Any shape but (batch, Tq, Tv) was refused.
     */
    @Test
    void anAttentionMaskKerasBroadcasts() {
        Dims d = new Dims(2, 3, 4, 4, 3, 5, 3, 2, 3, 6);
        float[] row = {1, 0, 1, 1, 0, 1, 1, 0}, col = {1, 0, 1, 1, 1, 0}, one = {0, 1};
        check(new MultiHeadAttention(3, 2).valueDim(3).outputShape(6).attentionMaskInput(true).returnAttentionScores(true), d, true,
                new Masks(null, null, null, spread(row, d, 1, 4), false), Tensor.wrap(row.clone(), 2, 1, 4), null, 21);
        check(new MultiHeadAttention(3, 2).valueDim(3).outputShape(6).attentionMaskInput(true).useCausalMask(true)
                .returnAttentionScores(true), d, true, new Masks(Q_MASK, V_MASK, null, spread(col, d, 3, 1), true),
                Tensor.wrap(col.clone(), 2, 3, 1), null, 22);
        check(new MultiHeadAttention(3, 2).valueDim(3).outputShape(6).attentionMaskInput(true).returnAttentionScores(true), d, true,
                new Masks(null, V_MASK, K_MASK, spread(one, d, 1, 1), false), Tensor.wrap(one.clone(), 2, 1, 1), null, 23);
        Node out = new MultiHeadAttention(2, 3).attentionMaskInput(true).returnAttentionScores(true)
                .apply(Input.shape(3, 4), Input.shape(5, 4), Input.shape(1, 5));
        assertArrayEquals(new int[] {3, 4}, out.shape());
        assertArrayEquals(new int[] {2, 3, 5}, out.get(1).shape());
    }

    /**
     * Keras takes an attention_mask per head, (batch, heads, Tq, Tv) with a 1 for any of the last three, and joins it with
     * the causal mask ((1, Tq, Tv) broadcasts against it); each gives the reference with the mask spread to (batch,
     * heads, Tq, Tv). It was refused. A shape of another head count is refused naming the shapes taken.
     */
    @Test
    void anAttentionMaskPerHeadAsKeras() {
        Dims d = new Dims(2, 3, 4, 4, 3, 5, 3, 2, 3, 6);
        SplittableRandom rng = new SplittableRandom(24);
        float[] full = new float[2 * 3 * 3 * 4], rows = new float[2 * 3 * 4];
        for (int i = 0; i < full.length; i++) full[i] = rng.nextInt(3) == 0 ? 0 : 1;
        for (int i = 0; i < rows.length; i++) rows[i] = rng.nextInt(3) == 0 ? 0 : 1;
        check(new MultiHeadAttention(3, 2).valueDim(3).outputShape(6).attentionMaskInput(true).returnAttentionScores(true), d, true,
                new Masks(null, null, null, full, false), Tensor.wrap(full.clone(), 2, 3, 3, 4), null, 24);
        float[] spread = new float[2 * 3 * 3 * 4];   // (2, 3, 1, 4): one row per head, over the query steps
        for (int b = 0; b < 2; b++) {
            for (int j = 0; j < 3; j++) {
                for (int i = 0; i < 3; i++) System.arraycopy(rows, (b * 3 + j) * 4, spread, ((b * 3 + j) * 3 + i) * 4, 4);
            }
        }
        check(new MultiHeadAttention(3, 2).valueDim(3).outputShape(6).attentionMaskInput(true).useCausalMask(true)
                .returnAttentionScores(true), d, true, new Masks(null, null, null, spread, true), Tensor.wrap(rows.clone(), 2, 3, 1, 4), null, 25);
        Node out = new MultiHeadAttention(3, 2).attentionMaskInput(true).apply(Input.shape(3, 4), Input.shape(5, 4), Input.shape(3, 1, 5));
        assertArrayEquals(new int[] {3, 4}, out.shape());
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new MultiHeadAttention(3, 2).attentionMaskInput(true).apply(Input.shape(3, 4), Input.shape(5, 4), Input.shape(2, 3, 5)));
        assertTrue(e.getMessage().contains("(batch, heads = 3 or 1, Tq, Tv)") && e.getMessage().contains("got (None, 2, 3, 5)"), e.getMessage());
    }

    /** A (B, pq, pv) mask (pq 1 or d.t, pv 1 or d.s) spread to (B, d.t, d.s) as Keras' broadcasting does. */
    private static float[] spread(float[] m, Dims d, int pq, int pv) {
        float[] out = new float[d.b * d.t * d.s];
        for (int b = 0; b < d.b; b++) {
            for (int i = 0; i < d.t; i++) {
                for (int s = 0; s < d.s; s++) out[(b * d.t + i) * d.s + s] = m[(b * pq + (pq == 1 ? 0 : i)) * pv + (pv == 1 ? 0 : s)];
            }
        }
        return out;
    }

    /**
     * Dropout in training: the scores output is the weights before dropout (as Keras returns them), the output uses the
     * weights times factors from the layer's stream (0 or 1 / (1 - rate), drawn again here from its seed); inference
     * drops nothing.
     */
    @Test
    void dropoutDropsWeightsInTrainingFromTheLayersStream() {
        Dims d = new Dims(2, 3, 4, 3, 3, 3, 2, 2, 2, 3);
        MultiHeadAttention l = new MultiHeadAttention(2, 2).dropout(0.4).returnAttentionScores(true).seed(5);
        l.build(List.of(new int[] {3, 3}, new int[] {4, 3}));
        long seed = l.maskStream()[0];
        Backend be = l.backend();
        int n4 = d.b * d.n * d.t * d.s;
        double[] drop = new double[n4];
        MaskStream again = new MaskStream();
        again.seed(seed);
        try (DTensor f = DTensor.zeros(be, n4)) {
            again.draw(be, n4, 0.4f, f.buf(), 0);
            float[] got = f.toTensor().data();
            int dropped = 0;
            for (int i = 0; i < n4; i++) {
                drop[i] = got[i];
                if (got[i] == 0) dropped++;
            }
            assertTrue(dropped > 2 && dropped < n4 - 2, "dropped " + dropped + " of " + n4);
        } finally {
            again.release();
        }
        check(l, d, false, NONE, drop, 7);   // its first training call draws that mask
        SplittableRandom rng = new SplittableRandom(8);
        Tensor q = LayerCheck.rand(rng, 1, 2, 3, 3), v = LayerCheck.rand(rng, 1, 2, 4, 3);
        double[][] w = new double[8][];
        for (int i = 0; i < 8; i++) w[i] = Ref.d(l.getWeights().get(i).data());
        double[][] want = ref(d, w, Ref.d(q.data()), Ref.d(v.data()), Ref.d(v.data()), NONE, null);
        try (DTensor dq = DTensor.from(be, q); DTensor dv = DTensor.from(be, v); Trace t = l.forward(List.of(dq, dv), null, false)) {
            for (int o = 0; o < 2; o++) {
                float[] got = t.outputs().get(o).toTensor().data();
                for (int i = 0; i < got.length; i++) assertEquals(want[o][i], got[i], 1e-5, "inference output " + o + "[" + i + "]");
            }
        }
    }

    /** Keras' weights: names, shapes, scopes and order; glorot_uniform over the einsum's input and output axes. */
    @Test
    void weightsAsKeras3KeepsThem() {
        MultiHeadAttention l = new MultiHeadAttention(2, 8).valueDim(4).name("mha");
        Node out = l.apply(Input.shape(5, 16), Input.shape(7, 12), Input.shape(7, 10));
        assertArrayEquals(new int[] {5, 16}, out.shape());
        List<String> names = new ArrayList<>();
        List<int[]> shapes = new ArrayList<>();
        for (Param p : l.params()) {
            names.add(l.variableScope(p) + p.name());
            shapes.add(p.shape());
        }
        assertEquals(List.of("mha/query/kernel", "mha/query/bias", "mha/key/kernel", "mha/key/bias", "mha/value/kernel", "mha/value/bias",
                "mha/attention_output/kernel", "mha/attention_output/bias"), names);
        int[][] want = {{16, 2, 8}, {2, 8}, {10, 2, 8}, {2, 8}, {12, 2, 4}, {2, 4}, {2, 4, 16}, {16}};
        for (int i = 0; i < want.length; i++) assertArrayEquals(want[i], shapes.get(i), names.get(i));
        assertEquals(16 * 16 + 16 + 10 * 16 + 16 + 12 * 8 + 8 + 8 * 16 + 16, l.countParams());
        double[][] fans = {{16, 16}, {10, 16}, {12, 8}, {8, 16}};
        for (int i = 0; i < 4; i++) {
            double limit = Math.sqrt(6 / (fans[i][0] + fans[i][1])), max = 0;
            for (float x : l.getWeights().get(2 * i).data()) max = Math.max(max, Math.abs(x));
            assertTrue(max <= limit && max > 0.8 * limit, names.get(2 * i) + ": max " + max + ", limit " + limit);
            for (float x : l.getWeights().get(2 * i + 1).data()) assertEquals(0f, x);
        }
        MultiHeadAttention scores = new MultiHeadAttention(3, 2).returnAttentionScores(true).useBias(false);
        Node o = scores.apply(Input.shape(4, 6), Input.shape(9, 5));
        assertArrayEquals(new int[] {4, 6}, o.shape());
        assertArrayEquals(new int[] {3, 4, 9}, o.get(1).shape());
        assertEquals(4, scores.params().size());
    }

    /**
     * Keras' docstring example: {@code MultiHeadAttention(num_heads=2, key_dim=2)} on target (8, 16) and source (4, 16)
     * with return_attention_scores gives (None, 8, 16) and (None, 2, 8, 4); its weights count 3 * (16 * 4 + 4) + 4 * 16 + 16.
     */
    @Test
    void kerasDocstringExampleShapes() {
        MultiHeadAttention layer = new MultiHeadAttention(2, 2).returnAttentionScores(true);
        Node out = layer.apply(Input.shape(8, 16), Input.shape(4, 16));
        assertArrayEquals(new int[] {8, 16}, out.shape());
        assertArrayEquals(new int[] {2, 8, 4}, out.get(1).shape());
        assertEquals(284, layer.countParams());
    }

    /**
     * A key holding NaN or Inf at masked steps leaves the output finite and as with zeros there: Keras' masked softmax
     * replaces a masked score (where(mask, scores, -1e9)); adding the -1e9 kept the NaN and spread it over the whole row.
     */
    @Test
    void aNonFiniteKeyAtAMaskedStepStaysOut() {
        MultiHeadAttention m = new MultiHeadAttention(2, 3).returnAttentionScores(true);
        m.build(List.of(new int[] {3, 2}, new int[] {4, 2}, new int[] {4, 2}));
        Backend be = m.backend();
        SplittableRandom rng = new SplittableRandom(13);
        Tensor q = LayerCheck.rand(rng, 1, 2, 3, 2), v = LayerCheck.rand(rng, 1, 2, 4, 2), k = LayerCheck.rand(rng, 1, 2, 4, 2);
        for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY}) {
            float[] poisoned = k.data().clone(), zeroed = k.data().clone();
            for (int s = 0; s < V_MASK.length; s++) {
                if (V_MASK[s] == 0) {
                    Arrays.fill(poisoned, 2 * s, 2 * s + 2, bad);
                    Arrays.fill(zeroed, 2 * s, 2 * s + 2, 0f);
                }
            }
            float[][] got = run(m, be, q, v, Tensor.wrap(poisoned, 2, 4, 2)), want = run(m, be, q, v, Tensor.wrap(zeroed, 2, 4, 2));
            for (int o = 0; o < 2; o++) {
                for (float x : got[o]) assertTrue(Float.isFinite(x), "output " + o + " with " + bad + ": " + Arrays.toString(got[o]));
                assertArrayEquals(want[o], got[o], 0f, "output " + o + " with " + bad);
            }
        }
    }

    /** Output and scores of {@code m} on query, value and key with {@link #V_MASK} as the value mask. */
    private static float[][] run(MultiHeadAttention m, Backend be, Tensor q, Tensor v, Tensor k) {
        try (DTensor dq = DTensor.from(be, q); DTensor dv = DTensor.from(be, v); DTensor dk = DTensor.from(be, k);
             DTensor vm = DTensor.from(be, Tensor.wrap(V_MASK.clone(), 2, 4));
             Trace t = m.forwardMasked(List.of(dq, dv, dk), Arrays.asList(null, vm, null), false)) {
            return new float[][] {t.outputs().get(0).toTensor().data(), t.outputs().get(1).toTensor().data()};
        }
    }

    /** The query mask goes on with the output (Keras sets it on attention_output); the scores output has none. */
    @Test
    void passesTheQueryMaskOn() {
        MultiHeadAttention m = new MultiHeadAttention(1, 2).returnAttentionScores(true);
        m.build(List.of(new int[] {3, 2}, new int[] {4, 2}));
        Backend be = m.backend();
        SplittableRandom rng = new SplittableRandom(12);
        try (DTensor dq = DTensor.from(be, LayerCheck.rand(rng, 1, 2, 3, 2)); DTensor dv = DTensor.from(be, LayerCheck.rand(rng, 1, 2, 4, 2));
             DTensor qm = DTensor.from(be, Tensor.wrap(Q_MASK.clone(), 2, 3)); DTensor vm = DTensor.from(be, Tensor.wrap(V_MASK.clone(), 2, 4));
             Trace t = m.forwardMasked(List.of(dq, dv), Arrays.asList(qm, vm), false);
             Trace none = m.forwardMasked(List.of(dq, dv), Arrays.asList(null, vm), false)) {
            assertSame(qm, t.outputMask());
            assertNull(t.outputMask(1));
            assertNull(none.outputMask());
        }
    }

    /**
     * torch.nn.functional float64 computing Keras' formula ({@code make_mha_golden.py}): inputs {@code ((i * 37) % 19 - 9)
     * / 10} (query, (2, 3, 4)), {@code ((i * 23) % 17 - 8) / 8} (value, (2, 4, 3)), {@code ((i * 29) % 13 - 6) / 7} (key,
     * (2, 4, 5)); weight i {@code ((j * (7 + 2i)) % (11 + i) - 5) / 9}.
     */
    @Test
    void matchesTorchGoldenValues() {
        Tensor q = pattern(new int[] {2, 3, 4}, 37, 19, 9, 10), v = pattern(new int[] {2, 4, 3}, 23, 17, 8, 8),
                k = pattern(new int[] {2, 4, 5}, 29, 13, 6, 7), pairs = Tensor.wrap(PAIRS.clone(), 2, 3, 4);
        assertGolden(new MultiHeadAttention(2, 3), List.of(q, q), Arrays.asList(Q_MASK, Q_MASK), GOLDEN_SELF);
        assertGolden(new MultiHeadAttention(3, 2).outputShape(6).useCausalMask(true).attentionMaskInput(true), List.of(q, v, k, pairs),
                Arrays.asList(null, V_MASK, null, null), GOLDEN_CROSS);
    }

    static Tensor pattern(int[] shape, int mul, int mod, int off, double div) {
        float[] f = new float[(int) Tensor.size(shape)];
        for (int i = 0; i < f.length; i++) f[i] = (float) (((i * mul) % mod - off) / div);
        return Tensor.wrap(f, shape);
    }

    /** Sets weight i to its pattern, runs the inputs with the masks (float[] per input or null), compares both outputs. */
    static void assertGolden(MultiHeadAttention l, List<Tensor> in, List<float[]> masks, double[][] golden) {
        l.returnAttentionScores(true);
        List<int[]> shapes = new ArrayList<>();
        for (Tensor t : in) shapes.add(Arrays.copyOfRange(t.shape(), 1, 3));
        l.build(shapes);
        List<Tensor> ws = new ArrayList<>();
        for (int i = 0; i < l.params().size(); i++) ws.add(pattern(l.params().get(i).shape(), 7 + 2 * i, 11 + i, 5, 9));
        l.setWeights(ws);
        Backend be = l.backend();
        List<DTensor> dins = new ArrayList<>(), dmasks = new ArrayList<>();
        try {
            for (int i = 0; i < in.size(); i++) {
                dins.add(DTensor.from(be, in.get(i)));
                float[] m = masks.get(i);
                dmasks.add(m == null ? null : DTensor.from(be, Tensor.wrap(m.clone(), in.get(i).shape()[0], in.get(i).shape()[1])));
            }
            try (Trace t = l.forwardMasked(dins, dmasks, false)) {
                for (int o = 0; o < 2; o++) {
                    float[] got = t.outputs().get(o).toTensor().data();
                    assertEquals(golden[o].length, got.length);
                    for (int i = 0; i < got.length; i++) assertEquals(golden[o][i], got[i], 3e-6, "output " + o + "[" + i + "]");
                }
            }
        } finally {
            for (DTensor x : dins) x.close();
            for (DTensor x : dmasks) if (x != null) x.close();
        }
    }

    // ---- pasted from make_mha_golden.py's output
    private static final double[][] GOLDEN_SELF = {
            {-3.20960952, -0.176968057, -1.43046276, -2.68395738, -3.23434495, -0.170041567, -1.4408064, -2.71157116, -0.555555582, -0.222222224, 0.111111112, 0.444444448, -0.382428909, 0.0473585001, 0.213602407, 0.379846284, -0.157318068, 0.0678431117, 0.345701328, 0.623559506, -1.11446889, -0.0269004194, -0.219446191, -0.411991963},
            {0.58167662, 0.41832338, 0, 0.410453411, 0.589546589, 0, 0, 0, 0, 0.470205576, 0.529794424, 0, 0.485997571, 0.514002429, 0, 0, 0, 0, 0.263427634, 0.203924288, 0.532648078, 0.268693775, 0.211348555, 0.51995767, 0.248610844, 0.184187036, 0.56720212, 0.356966126, 0.432596697, 0.210437177, 0.358952113, 0.470080636, 0.170967251, 0.329070866, 0.32220078, 0.348728353},
    };
    private static final double[][] GOLDEN_CROSS = {
            {-0.0555555386, 0.462963025, 0.404321031, 0.975308694, 0.706790138, 1.06790128, -0.239050094, 0.129563413, 0.141437778, 0.786055108, 0.588052912, 0.992399347, -0.550089595, -0.458281663, -0.347407856, 0.421345558, 0.322342808, 0.84956068, -1.35185188, -1.9444445, -1.54012351, -0.506172913, -0.31172848, 0.512345697, 0.160493852, 0.864197612, 0.728395122, 1.2222223, 0.876543241, 1.16049388, -1.35185188, -1.9444445, -1.54012351, -0.506172913, -0.31172848, 0.512345697},
            {1, 0, 0, 0, 0.431958836, 0.568041164, 0, 0, 0, 0.413095353, 0.586904647, 0, 1, 0, 0, 0, 0.509196339, 0.490803661, 0, 0, 0, 0.493546606, 0.506453394, 0, 1, 0, 0, 0, 0.43987032, 0.56012968, 0, 0, 0, 0.484883495, 0.515116505, 0, 1, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0},
    };
}
