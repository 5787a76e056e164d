package dev.jrnn.layers;

import dev.jrnn.Jrnn;
import dev.jrnn.backend.Backend;
import dev.jrnn.backend.DTensor;
import dev.jrnn.io.Json;
import dev.jrnn.model.Sequential;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * BatchNormalization: float64 forward and gradients against Keras' training-mode definition (batch moments, with a
 * mask over the unmasked positions only), the moving statistics, inference and frozen layers, numpy golden values
 * (batch_normalization_golden.py), Keras' weights and summary.
 */
class BatchNormalizationTest {
    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }

    /**
     * Keras' training-mode output for vars = [gamma?, beta?, moving_mean, moving_variance, x] (the moving statistics
     * do not enter); {@code mask} (nullable) one entry per row of f features.
     */
    static LayerCheck.RefFn training(int f, double eps, boolean scale, boolean center, double[] mask) {
        return v -> {
            int k = 0;
            double[] g = scale ? v[k++] : null, b = center ? v[k++] : null, x = v[k + 2];
            double[][] mv = moments(x, f, mask);
            double[] y = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                int c = i % f;
                double h = (x[i] - mv[0][c]) / Math.sqrt(mv[1][c] + eps);
                y[i] = h * (g == null ? 1 : g[c]) + (b == null ? 0 : b[c]);
            }
            return new double[][] {y};
        };
    }

    /** Mean and biased variance per feature; with a mask, Keras' sums over unmasked rows / (count + 1e-7). */
    static double[][] moments(double[] x, int f, double[] mask) {
        int rows = x.length / f;
        double count = 0;
        for (int r = 0; r < rows; r++) count += mask == null ? 1 : mask[r];
        double div = mask == null ? rows : count + 1e-7;
        double[] mean = new double[f], var = new double[f];
        for (int r = 0; r < rows; r++) {
            if (mask != null && mask[r] == 0) continue;
            for (int c = 0; c < f; c++) mean[c] += x[r * f + c] / div;
        }
        for (int r = 0; r < rows; r++) {
            if (mask != null && mask[r] == 0) continue;
            for (int c = 0; c < f; c++) var[c] += (x[r * f + c] - mean[c]) * (x[r * f + c] - mean[c]) / div;
        }
        return new double[][] {mean, var};
    }

    /** Random weights: gamma about 1, beta about 0, a moving variance > 0. */
    static void randomWeights(BatchNormalization bn, SplittableRandom rng) {
        List<Tensor> w = new ArrayList<>();
        for (Param p : bn.params()) {
            Tensor t = LayerCheck.rand(rng, 0.4, p.shape());
            float[] d = t.data();
            if (p.name().equals("gamma") || p.name().equals("moving_variance")) for (int i = 0; i < d.length; i++) d[i] += 1;
            w.add(t);
        }
        bn.setWeights(w);
    }

    private static void gradientCheck(BatchNormalization bn, int[] shape, Tensor mask, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        Tensor x = LayerCheck.rand(rng, 2, shape);
        float[] xs = x.data();
        for (int i = 0; i < xs.length; i++) xs[i] += 0.5f * (i % shape[shape.length - 1]);   // features with other means
        bn.build(List.of(Arrays.copyOfRange(shape, 1, shape.length)));
        randomWeights(bn, rng);
        int f = shape[shape.length - 1];
        LayerCheck.check(bn, List.of(x), mask, new boolean[] {true},
                training(f, bn.epsilon(), bn.scale(), bn.center(), mask == null ? null : Ref.d(mask.data())), seed + 1);
    }

    @Test
    void trainingGradients2D() {
        gradientCheck(new BatchNormalization(), new int[] {7, 5}, null, 1);
        gradientCheck(new BatchNormalization().center(false).epsilon(0.1), new int[] {4, 3}, null, 2);
        gradientCheck(new BatchNormalization().scale(false), new int[] {5, 2}, null, 3);
        gradientCheck(new BatchNormalization().scale(false).center(false), new int[] {6, 4}, null, 4);
    }

    @Test
    void trainingGradients3D() {
        gradientCheck(new BatchNormalization(), new int[] {3, 4, 5}, null, 5);
        gradientCheck(new BatchNormalization().center(false).scale(false), new int[] {2, 3, 11}, null, 6);
    }

    /** Keras 3: the moments over the unmasked steps only; every step is normalized and gets its gradient. */
    @Test
    void maskedTrainingGradients() {
        Tensor mask = Tensor.wrap(new float[] {1, 1, 1, 0, 1, 1, 0, 0, 1, 0, 1, 1}, 3, 4);
        gradientCheck(new BatchNormalization(), new int[] {3, 4, 5}, mask, 7);
        gradientCheck(new BatchNormalization().scale(false).center(false), new int[] {3, 4, 2}, mask, 8);
    }

    /** A NaN at a masked step stays out of the batch moments (Keras' where(mask, x, 0)). */
    @Test
    void maskedNaNStaysOutOfTheMoments() {
        BatchNormalization bn = new BatchNormalization().momentum(0.5);
        bn.build(List.of(new int[] {3, 2}));
        Backend be = bn.backend();
        float[] x = {1, 2, 3, 4, Float.NaN, Float.NaN, 5, 6, 7, 8, 9, 10};
        try (DTensor dx = DTensor.from(be, Tensor.wrap(x, 2, 3, 2));
             DTensor m = DTensor.from(be, Tensor.wrap(new float[] {1, 1, 0, 1, 1, 1}, 2, 3));
             Trace tr = bn.forward(List.of(dx), m, true)) {
            assertNotNull(tr.outputs().get(0));
        }
        double[] want = moments(Ref.d(x), 2, new double[] {1, 1, 0, 1, 1, 1})[0];
        float[] got = bn.getWeights().get(2).data();
        for (int c = 0; c < 2; c++) assertEquals(0.5 * want[c], got[c], 1e-5, "moving_mean[" + c + "]");
    }

    /** Inference, and a frozen layer in training: the moving statistics, which stay as they were; dx = dy * gamma * rstd. */
    @Test
    void inferenceAndFrozenUseTheMovingStatistics() {
        SplittableRandom rng = new SplittableRandom(9);
        BatchNormalization bn = new BatchNormalization().epsilon(0.01);
        bn.build(List.of(new int[] {3, 4}));
        randomWeights(bn, rng);
        List<Tensor> w = bn.getWeights();
        double[] g = Ref.d(w.get(0).data()), b = Ref.d(w.get(1).data()), mm = Ref.d(w.get(2).data()), mv = Ref.d(w.get(3).data());
        Tensor x = LayerCheck.rand(rng, 2, 2, 3, 4), dy = LayerCheck.rand(rng, 1, 2, 3, 4);
        Backend be = bn.backend();
        for (boolean frozen : new boolean[] {false, true}) {
            bn.trainable(!frozen);
            try (DTensor dx = DTensor.from(be, x); DTensor ddy = DTensor.from(be, dy);
                 Trace tr = bn.forward(List.of(dx), null, frozen)) {
                float[] y = tr.outputs().get(0).toTensor().data();
                float[] gx = tr.backward(List.of(ddy)).get(0).toTensor().data();
                for (int i = 0; i < y.length; i++) {
                    int c = i % 4;
                    double rstd = 1 / Math.sqrt(mv[c] + 0.01);
                    assertEquals((x.data()[i] - mm[c]) * rstd * g[c] + b[c], y[i], 1e-5, "y[" + i + "] frozen=" + frozen);
                    assertEquals(dy.data()[i] * g[c] * rstd, gx[i], 1e-5, "dx[" + i + "] frozen=" + frozen);
                }
            }
            for (int i = 2; i < 4; i++) assertEquals(w.get(i), bn.getWeights().get(i), "moving statistics unchanged, frozen=" + frozen);
        }
        // trained again, the same layer takes the batch's moments: another output than the moving statistics give
        bn.trainable(true);
        try (DTensor dx = DTensor.from(be, x); Trace tr = bn.forward(List.of(dx), null, true)) {
            double[] want = training(4, 0.01, true, true, null).apply(new double[][] {g, b, mm, mv, Ref.d(x.data())})[0];
            LayerCheck.assertClose(Ref.f(want), tr.outputs().get(0).toTensor().data(), 1e-5, "training output");
        }
    }

    /** Outputs and moving statistics over a few training steps, then inference, against numpy's Keras formula. */
    @Test
    @SuppressWarnings("unchecked")
    void numpyGoldenValues() throws IOException {
        List<Object> cases;
        try (InputStream in = BatchNormalizationTest.class.getResourceAsStream("batch_normalization_golden.json")) {
            assertNotNull(in, "batch_normalization_golden.json");
            cases = (List<Object>) Json.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        assertEquals(4, cases.size());
        for (Object o : cases) {
            Map<String, Object> c = (Map<String, Object>) o;
            String name = (String) c.get("name");
            int[] shape = ints((List<Object>) c.get("shape"));
            boolean center = (Boolean) c.get("center"), scale = (Boolean) c.get("scale");
            BatchNormalization bn = new BatchNormalization().momentum(num(c.get("momentum"))).epsilon(num(c.get("epsilon")))
                    .center(center).scale(scale);
            bn.build(List.of(Arrays.copyOfRange(shape, 1, shape.length)));
            List<Tensor> w = new ArrayList<>();
            for (String k : List.of("gamma", "beta", "moving_mean", "moving_variance")) {
                if (c.get(k) != null) w.add(vec(c.get(k), shape[shape.length - 1]));
            }
            bn.setWeights(w);
            Backend be = bn.backend();
            int step = 0;
            for (Object so : (List<Object>) c.get("steps")) {
                Map<String, Object> s = (Map<String, Object>) so;
                String at = name + " step " + step++;
                Tensor mask = s.get("mask") == null ? null : vec(s.get("mask"), shape[0], shape[1]);
                try (DTensor x = DTensor.from(be, vec(s.get("x"), shape));
                     DTensor m = mask == null ? null : DTensor.from(be, mask);
                     Trace tr = bn.forward(List.of(x), m, true)) {
                    LayerCheck.assertClose(vec(s.get("y"), shape).data(), tr.outputs().get(0).toTensor().data(), 2e-5, at + " y");
                }
                List<Tensor> now = bn.getWeights();
                LayerCheck.assertClose(vec(s.get("moving_mean"), shape[shape.length - 1]).data(), now.get(now.size() - 2).data(), 2e-6, at + " moving_mean");
                LayerCheck.assertClose(vec(s.get("moving_variance"), shape[shape.length - 1]).data(), now.get(now.size() - 1).data(), 2e-6, at + " moving_variance");
            }
            Map<String, Object> inf = (Map<String, Object>) c.get("inference");
            Tensor y = bn.call(vec(inf.get("x"), shape));
            LayerCheck.assertClose(vec(inf.get("y"), shape).data(), y.data(), 2e-5, name + " inference");
        }
    }

    private static int[] ints(List<Object> l) {
        int[] r = new int[l.size()];
        for (int i = 0; i < r.length; i++) r[i] = ((Number) l.get(i)).intValue();
        return r;
    }

    private static double num(Object o) { return ((Number) o).doubleValue(); }

    @SuppressWarnings("unchecked")
    private static Tensor vec(Object o, int... shape) {
        List<Object> l = (List<Object>) o;
        float[] d = new float[l.size()];
        for (int i = 0; i < d.length; i++) d[i] = (float) num(l.get(i));
        return Tensor.wrap(d, shape);
    }

    @Test
    void kerasWeightsAndSummary() {
        BatchNormalization bn = new BatchNormalization().name("bn");
        Sequential m = new Sequential(new LSTM(8).returnSequences(true).inputShape(3, 2), bn);
        String s = m.summaryString();
        assertTrue(s.contains(" bn (BatchNormalization)     (None, 3, 8)              32        \n"), s);
        assertTrue(s.contains("Trainable params: 368\nNon-trainable params: 16\n"), s);
        assertEquals(List.of("bn/gamma", "bn/beta", "bn/moving_mean", "bn/moving_variance"), m.weightNames().subList(3, 7));
        List<Tensor> w = bn.getWeights();
        assertEquals(1f, w.get(0).data()[7]);
        assertEquals(0f, w.get(1).data()[7]);
        assertEquals(0f, w.get(2).data()[7]);
        assertEquals(1f, w.get(3).data()[7]);
        assertTrue(bn.trains(bn.params().get(0)));
        assertTrue(!bn.trains(bn.params().get(2)) && !bn.trains(bn.params().get(3)), "the moving statistics never train");
        m.close();
        BatchNormalization c = new BatchNormalization().center(false).gammaInitializer(0.5).movingVarianceInitializer(2);
        c.build(List.of(new int[] {3}));
        assertEquals(List.of("gamma", "moving_mean", "moving_variance"), c.params().stream().map(Param::name).toList());
        assertEquals(0.5f, c.getWeights().get(0).data()[2]);
        assertEquals(2f, c.getWeights().get(2).data()[2]);
    }
}
