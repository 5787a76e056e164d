package dev.jrnn.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jrnn.Jrnn;
import dev.jrnn.layers.Activation;
import dev.jrnn.layers.Dense;
import dev.jrnn.losses.Losses;
import dev.jrnn.model.Sequential;
import dev.jrnn.optim.SGD;
import dev.jrnn.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Loss: the kinds' codes, which the CUDA loss kernel switches on, and Keras' options (label_smoothing, delta, gamma, alpha,
 * apply_class_balancing, ignore_class, reduction) through a model's loss against Keras' own docstrings and tests
 * (keras/src/losses/losses.py and losses_test.py at Keras 3's HEAD).
 */
class LossTest {
    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }

    /** Every Java kind's code == the JRNN_LOSS_<name> define of kernels/loss.cu, and no define beyond them. */
    @Test
    void cudaCodesMatchTheEnum() throws IOException {
        Map<String, Integer> cuda = new HashMap<>();
        Matcher m = Pattern.compile("#define JRNN_LOSS_([A-Z0-9_]+) (\\d+)")
                .matcher(Files.readString(Path.of("..", "kernels", "loss.cu")));
        while (m.find()) cuda.put(m.group(1), Integer.parseInt(m.group(2)));
        for (Loss l : Loss.values()) assertEquals(l.code(), cuda.get(l.name()), "loss.cu JRNN_LOSS_" + l.name());
        assertEquals(Loss.values().size(), cuda.size(), "loss.cu defines a code the enum lacks: " + cuda.keySet());
        assertEquals(Loss.Kind.values().length, Loss.values().size() + 1, "every kind but CUSTOM (host only) has a CUDA code");
    }

    /** The options give new losses, equal by value; the constants are the kinds at Keras' defaults. */
    @Test
    void optionsMakeNewLossesEqualByValue() {
        for (Loss.Kind k : Loss.Kind.values()) {
            if (k == Loss.Kind.CUSTOM) continue;
            assertSame(Loss.of(k), Loss.valueOf(k.name()));
            assertEquals(k, Loss.of(k).kind());
        }
        Loss h = Loss.HUBER.delta(2);
        assertNotEquals(Loss.HUBER, h);
        assertEquals(Loss.HUBER.delta(2.0), h);
        assertEquals(h.hashCode(), Loss.HUBER.delta(2.0).hashCode());
        assertEquals(Loss.HUBER, h.delta(1));
        assertEquals(1.0, Loss.HUBER.delta());
        assertEquals("HUBER(delta=2.0)", h.toString());
        assertEquals("HUBER", Loss.HUBER.toString());
        assertEquals("BINARY_FOCAL_CROSSENTROPY_LOGITS(gamma=3.0, alpha=0.4, classBalancing=true, labelSmoothing=0.1, reduction=sum)",
                Loss.BINARY_FOCAL_CROSSENTROPY_LOGITS.gamma(3).alpha(0.4).classBalancing(true).labelSmoothing(0.1).reduction("sum").toString());
        assertEquals(Loss.MSE, Loss.MSE.reduction("mean"), "Keras 3 reduces \"mean\" as \"sum_over_batch_size\"");
        assertEquals(Loss.SPARSE_CATEGORICAL_CROSSENTROPY, Losses.sparseCategoricalCrossentropy(false));
        assertEquals(7, Loss.SPARSE_CATEGORICAL_CROSSENTROPY_LOGITS.ignoreClass(7).ignoreClass());
    }

    /** An option a loss does not take, or a value out of its range, is refused naming the option, what it takes and what came. */
    @Test
    void badOptionsAreRefusedNamingThem() {
        Map<String, Function<Loss, Loss>> cases = new java.util.LinkedHashMap<>();
        cases.put("Loss.delta: only Huber takes it, got MSE", l -> Loss.MSE.delta(2));
        cases.put("Loss.delta: expected a positive finite number, got 0.0", l -> Loss.HUBER.delta(0));
        cases.put("Loss.delta: expected a positive finite number, got NaN", l -> Loss.HUBER.delta(Double.NaN));
        cases.put("Loss.gamma: only the focal cross-entropies take it, got BINARY_CROSSENTROPY", l -> Loss.BINARY_CROSSENTROPY.gamma(1));
        cases.put("Loss.gamma: expected a finite number >= 0, got -1.0", l -> Loss.BINARY_FOCAL_CROSSENTROPY.gamma(-1));
        cases.put("Loss.alpha: expected a finite number, got Infinity", l -> Loss.CATEGORICAL_FOCAL_CROSSENTROPY.alpha(Double.POSITIVE_INFINITY));
        cases.put("Loss.classBalancing: only the binary focal cross-entropy takes it, got CATEGORICAL_FOCAL_CROSSENTROPY",
                l -> Loss.CATEGORICAL_FOCAL_CROSSENTROPY.classBalancing(true));
        cases.put("Loss.labelSmoothing: only the binary, categorical and focal cross-entropies take it, got SPARSE_CATEGORICAL_CROSSENTROPY",
                l -> Loss.SPARSE_CATEGORICAL_CROSSENTROPY.labelSmoothing(0.1));
        cases.put("Loss.labelSmoothing: expected a number in [0, 1], got 1.5", l -> Loss.CATEGORICAL_CROSSENTROPY.labelSmoothing(1.5));
        cases.put("Loss.ignoreClass: only sparse categorical cross-entropy takes it, got CATEGORICAL_CROSSENTROPY",
                l -> Loss.CATEGORICAL_CROSSENTROPY.ignoreClass(0));
        cases.put("Loss.reduction: expected one of [sum_over_batch_size, mean, sum, mean_with_sample_weight], got none",
                l -> Loss.MSE.reduction("none"));
        cases.put("Loss.reduction: expected one of [sum_over_batch_size, mean, sum, mean_with_sample_weight], got null",
                l -> Loss.MSE.reduction(null));
        cases.forEach((msg, f) -> assertEquals(msg, assertThrows(IllegalArgumentException.class, () -> f.apply(null)).getMessage()));
    }

    /** The loss {@code loss} gives predictions {@code p} for targets {@code y} (sample weights {@code sw}, nullable): a pass-through model's testOnBatch. */
    private static double keras(Loss loss, float[] p, float[] y, float[] sw, int... shape) {
        int[] inner = java.util.Arrays.copyOfRange(shape, 1, shape.length);
        try (Sequential m = new Sequential(new Activation("linear").inputShape(inner))) {
            m.compile(new SGD(0.1), loss);
            int[] yShape = loss.sparse() ? java.util.Arrays.copyOf(shape, shape.length - 1) : shape;
            Tensor x = Tensor.of(p, shape), t = Tensor.of(y, yShape);
            return sw == null ? m.testOnBatch(x, t) : m.testOnBatch(x, t, Tensor.of(sw, shape[0]));
        }
    }

    /**
     * keras.losses.BinaryFocalCrossentropy's docstring (gamma 3, 4, 5, class balancing, sample weights, reduction "sum"), to
     * one unit of its last printed digit (it truncates some values: 0.86708 prints as 0.8670).
     */
    @Test
    void binaryFocalOptionsAsKerasDocstring() {
        float[] y = {0, 1, 0, 0}, z = {-18.6f, 0.51f, 2.94f, -12.8f};
        Loss f = Loss.BINARY_FOCAL_CROSSENTROPY_LOGITS;
        assertEquals(0.51, keras(f.classBalancing(true), z, y, null, 1, 4), 5e-3);
        assertEquals(0.647, keras(f.gamma(3), z, y, null, 2, 2), 5e-4);
        assertEquals(0.482, keras(f.gamma(3).classBalancing(true), z, y, null, 2, 2), 5e-4);
        assertEquals(0.133, keras(f.gamma(3), z, y, new float[] {0.8f, 0.2f}, 2, 2), 5e-4);
        assertEquals(0.097, keras(f.gamma(3).classBalancing(true), z, y, new float[] {0.8f, 0.2f}, 2, 2), 5e-4);
        assertEquals(1.222, keras(f.gamma(4).reduction("sum"), z, y, null, 2, 2), 5e-4);
        assertEquals(0.914, keras(f.gamma(4).classBalancing(true).reduction("sum"), z, y, null, 2, 2), 5e-4);
        // reduction=None's per-row values [0.0017, 1.1561] and, balanced, [0.0004, 0.8670]: one row at a time
        float[] z0 = {-18.6f, 0.51f}, y0 = {0, 1}, z1 = {2.94f, -12.8f}, y1 = {0, 0};
        assertEquals(0.0017, keras(f.gamma(5), z0, y0, null, 1, 2), 1e-4);
        assertEquals(1.1561, keras(f.gamma(5), z1, y1, null, 1, 2), 1e-4);
        assertEquals(0.0004, keras(f.gamma(5).classBalancing(true), z0, y0, null, 1, 2), 1e-4);
        assertEquals(0.8670, keras(f.gamma(5).classBalancing(true), z1, y1, null, 1, 2), 1e-4);
    }

    /**
     * The cross-entropies' docstrings with sample weights and reduction "sum" (to one unit of the last printed digit: 1.73092
     * prints as 1.730), and losses_test's label smoothing cases.
     */
    @Test
    void crossEntropyOptionsAsKerasDocstringsAndTests() {
        float[] by = {0, 1, 0, 0}, bz = {-18.6f, 0.51f, 2.94f, -12.8f};
        assertEquals(1.730, keras(Loss.BINARY_CROSSENTROPY_LOGITS.reduction("sum"), bz, by, null, 2, 2), 1e-3);
        assertEquals(0.243, keras(Loss.BINARY_CROSSENTROPY_LOGITS, bz, by, new float[] {0.8f, 0.2f}, 2, 2), 1e-3);
        float[] cy = {0, 1, 0, 0, 0, 1}, cp = {0.05f, 0.95f, 0, 0.1f, 0.8f, 0.1f};
        assertEquals(2.354, keras(Loss.CATEGORICAL_CROSSENTROPY.reduction("sum"), cp, cy, null, 2, 3), 1e-3);
        assertEquals(0.814, keras(Loss.CATEGORICAL_CROSSENTROPY, cp, cy, new float[] {0.3f, 0.7f}, 2, 3), 1e-3);
        assertEquals(0.46631, keras(Loss.CATEGORICAL_FOCAL_CROSSENTROPY.reduction("sum"), cp, cy, null, 2, 3), 1e-5);
        assertEquals(0.1632, keras(Loss.CATEGORICAL_FOCAL_CROSSENTROPY, cp, cy, new float[] {0.3f, 0.7f}, 2, 3), 1e-4);
        // losses_test: BinaryCrossentropy(from_logits, label_smoothing=0.1) of [10, -10, -10] for [1, 0, 1] is (10 + 5 ls) / 3
        // (each |z| = 10 adds log1p(e^-10) = 4.5e-5, which Keras' 3-place check does not see)
        assertEquals((10 + 5 * 0.1) / 3, keras(Loss.BINARY_CROSSENTROPY_LOGITS.labelSmoothing(0.1), new float[] {10, -10, -10},
                new float[] {1, 0, 1}, null, 1, 3), 1e-4);
        assertEquals(400 * 0.1 / 3, keras(Loss.CATEGORICAL_CROSSENTROPY_LOGITS.labelSmoothing(0.1), new float[] {100, -100, -100},
                new float[] {1, 0, 0}, null, 1, 3), 1e-4);
        assertEquals(0.06685, keras(Loss.CATEGORICAL_FOCAL_CROSSENTROPY_LOGITS.labelSmoothing(0.1), new float[] {4.9f, -0.5f, 2.05f},
                new float[] {1, 0, 0}, null, 1, 3), 5e-4);
    }

    /** losses_test's Huber(delta=0.8) with a sample weight of 2.3, from its numpy formula, and MSE's "mean_with_sample_weight". */
    @Test
    void huberDeltaAndMeanWithSampleWeightAsKerasTests() {
        float[] p = {0.9f, 0.2f, 0.2f, 0.8f, 0.4f, 0.6f}, y = {1, 0, 1, 1, 0, 0};
        double delta = 0.8, sum = 0;
        for (int i = 0; i < 6; i++) {
            double e = Math.abs((double) p[i] - y[i]), q = Math.min(e, delta);
            sum += 0.5 * q * q + delta * (e - q);
        }
        assertEquals(2.3 * sum / 6, keras(Loss.HUBER.delta(0.8), p, y, new float[] {2.3f, 2.3f}, 2, 3), 1e-6);
        // an error of 3: 3^2 / 2 inside delta 3, delta |e| - delta^2 / 2 beyond delta 1 and 0.8
        assertEquals(4.5, keras(Loss.HUBER.delta(3), new float[] {3}, new float[] {0}, null, 1, 1), 1e-6);
        assertEquals(2.5, keras(Loss.HUBER, new float[] {3}, new float[] {0}, null, 1, 1), 1e-6);
        assertEquals(2.08, keras(Loss.HUBER.delta(0.8), new float[] {3}, new float[] {0}, null, 1, 1), 1e-6);
        float[] my = {1, 9, 2, -5, -2, 6}, mp = {4, 8, 12, 8, 1, 3};
        assertEquals((110 / 3.0 * 1.2 + 187 / 3.0 * 3.4) / (1.2 + 3.4),
                keras(Loss.MSE.reduction("mean_with_sample_weight"), mp, my, new float[] {1.2f, 3.4f}, 2, 3), 1e-4);
        assertEquals((110 / 3.0 + 187 / 3.0) / 2, keras(Loss.MSE.reduction("mean_with_sample_weight"), mp, my, null, 2, 3), 1e-4);
        assertEquals(0, keras(Loss.MSE.reduction("mean_with_sample_weight"), mp, my, new float[] {0, 0}, 2, 3), "divide_no_nan");
    }

    /**
     * losses_test's SparseCategoricalCrossentropy(from_logits, ignore_class=-1): per step [0, 1.480129], so the mean over the
     * valid step is 1.480129 (Keras masks the ignored step); with "sum" the same; a batch of only ignored steps has loss 0.
     */
    @Test
    void ignoreClassAsKerasTest() {
        float[] z = {0.854f, 0.698f, 0.598f, 0.088f, 0.86f, 0.018f}, y = {-1, 2};
        Loss l = Loss.SPARSE_CATEGORICAL_CROSSENTROPY_LOGITS.ignoreClass(-1);
        assertEquals(1.480129, keras(l, z, y, null, 1, 2, 3), 1e-5);
        assertEquals(1.480129, keras(l.reduction("sum"), z, y, null, 1, 2, 3), 1e-5);
        assertEquals(1.480129, keras(l, z, y, null, 2, 3), 1e-5, "rows of a (batch, classes) output too");
        assertEquals(0, keras(l, z, new float[] {-1, -1}, null, 2, 3));
        // an ignored class inside [0, classes) is left out the same way
        double only0 = keras(Loss.SPARSE_CATEGORICAL_CROSSENTROPY_LOGITS, new float[] {0.854f, 0.698f, 0.598f}, new float[] {1}, null, 1, 3);
        assertEquals(only0, keras(Loss.SPARSE_CATEGORICAL_CROSSENTROPY_LOGITS.ignoreClass(2), z, new float[] {1, 2}, null, 2, 3), 1e-6);
    }

    /**
     * ignore_class on a masked sequence with sample weights, as Keras' Loss.__call__: the ignored steps' mask and the
     * output's mask are and-ed, apply_mask weighs the valid steps total / valid, times each sample's weight; the mean
     * divides by the total steps. Computed here from the logits with log-softmax in double.
     */
    @Test
    void ignoreClassOnAMaskedSequenceWithSampleWeights() {
        int b = 2, t = 3, c = 3;
        float[] z = {0.5f, -1, 2, 0, 0, 0, 1, 1, -1, /* sample 1 */ 0.3f, 0.2f, 0.1f, -2, 1, 0.5f, 0, 0, 0};
        float[] y = {2, 1, -1, /* sample 1 */ -1, 0, 1};   // sample 0's step 1 and sample 1's step 2 are padding (all-zero logits)
        float[] sw = {0.5f, 2};
        boolean[] valid = {true, false, false, false, true, false};   // padding or ignored
        double sum = 0;
        int nValid = 0;
        for (int i = 0; i < b * t; i++) {
            if (!valid[i]) continue;
            double lse = 0;
            for (int j = 0; j < c; j++) lse += Math.exp(z[i * c + j]);
            sum += sw[i / t] * (Math.log(lse) - z[i * c + (int) y[i]]);
            nValid++;
        }
        try (Sequential m = new Sequential(new dev.jrnn.layers.Masking(0).inputShape(t, c), new Activation("linear"))) {
            m.compile(new SGD(0.1), Loss.SPARSE_CATEGORICAL_CROSSENTROPY_LOGITS.ignoreClass(-1));
            double got = m.testOnBatch(Tensor.of(z, b, t, c), Tensor.of(y, b, t), Tensor.of(sw, b));
            assertEquals(sum / nValid, got, 1e-6);
            m.compile(new SGD(0.1), Loss.SPARSE_CATEGORICAL_CROSSENTROPY_LOGITS.ignoreClass(-1).reduction("sum"));
            assertEquals(sum, m.testOnBatch(Tensor.of(z, b, t, c), Tensor.of(y, b, t), Tensor.of(sw, b)), 1e-6);
            m.compile(new SGD(0.1), Loss.SPARSE_CATEGORICAL_CROSSENTROPY_LOGITS.ignoreClass(-1).reduction("mean_with_sample_weight"));
            double sws = 0;
            for (int i = 0; i < b * t; i++) if (valid[i]) sws += sw[i / t];
            assertEquals(sum / sws, m.testOnBatch(Tensor.of(z, b, t, c), Tensor.of(y, b, t), Tensor.of(sw, b)), 1e-6);
        }
    }

    /**
     * Training: a step on a batch with an ignored row moves the weights as the same step on the batch without it (the mean
     * runs over the valid rows), and reduction "sum" as the mean's step at rows times the learning rate.
     */
    @Test
    void trainingStepsFollowTheOptions() {
        float[] x = {0.3f, -1.2f, 0.8f, 0.5f, 2.0f, -0.4f, -0.7f, 0.1f};
        float[] y = {1, 0, 2, 1};
        float[] w = dense(Loss.SPARSE_CATEGORICAL_CROSSENTROPY_LOGITS.ignoreClass(0), 0.1, x, y, 4);
        float[] without = dense(Loss.SPARSE_CATEGORICAL_CROSSENTROPY_LOGITS, 0.1, new float[] {0.3f, -1.2f, 2.0f, -0.4f, -0.7f, 0.1f},
                new float[] {1, 2, 1}, 3);
        for (int i = 0; i < w.length; i++) assertEquals(without[i], w[i], 1e-6, "weight " + i);
        float[] mse = {0.2f, -0.1f, 0.7f, 0.4f, -0.3f, 0.0f, 0.9f, -0.6f, 0.5f, 0.1f, -0.2f, 0.8f};
        float[] sum = dense(Loss.MSE.reduction("sum"), 0.01, x, mse, 4), mean = dense(Loss.MSE, 0.04, x, mse, 4);
        for (int i = 0; i < sum.length; i++) assertEquals(mean[i], sum[i], 1e-6, "weight " + i);
    }

    /** Keras' mean squared error as a row function: the mean over the row and its gradient. */
    private static double mse(float[] y, float[] p, float[] g) {
        double s = 0;
        for (int i = 0; i < p.length; i++) {
            double d = (double) p[i] - y[i];
            s += d * d / p.length;
            g[i] = (float) (2 * d / p.length);
        }
        return s;
    }

    /**
     * A custom loss trains as the built-in loss it restates: Keras' MSE as a row function gives fit's per-epoch losses and
     * the weights of the built-in MSE (a masked sequence with sample weights, so the mask's and the weights' reduction is
     * the same path), and testOnBatch the same value; with reduction "sum" too.
     */
    @Test
    void aCustomLossTrainsAsTheBuiltInLossItRestates() {
        java.util.SplittableRandom r = new java.util.SplittableRandom(5);
        int n = 8, t = 4;
        float[] xs = new float[n * t * 2], ys = new float[n * t * 3], sw = new float[n];
        for (int i = 0; i < xs.length; i++) xs[i] = (float) r.nextDouble(-1, 1);
        for (int i = 0; i < ys.length; i++) ys[i] = (float) r.nextDouble(-1, 1);
        for (int i = 0; i < n; i++) {
            sw[i] = (float) r.nextDouble(0.5, 2);
            for (int s2 = t - i % 2; s2 < t; s2++) xs[(i * t + s2) * 2] = xs[(i * t + s2) * 2 + 1] = 0;   // padding
        }
        Tensor x = Tensor.of(xs, n, t, 2), y = Tensor.of(ys, n, t, 3);
        Loss custom = Loss.custom("my_mse", LossTest::mse);
        for (Loss[] pair : new Loss[][] {{Loss.MSE, custom}, {Loss.MSE.reduction("sum"), custom.reduction("sum")}}) {
            List<List<Tensor>> weights = new java.util.ArrayList<>();
            List<List<Double>> losses = new java.util.ArrayList<>();
            List<Double> evaluated = new java.util.ArrayList<>();
            for (Loss l : pair) {
                Jrnn.setSeed(4);
                try (Sequential m = new Sequential(new dev.jrnn.layers.Masking(0).inputShape(t, 2),
                        new dev.jrnn.layers.SimpleRNN(4).returnSequences(true), new Dense(3))) {
                    m.compile(new SGD(0.05), l);
                    losses.add(m.fit(x, y, new dev.jrnn.model.FitOptions().epochs(3).batchSize(4).shuffle(false).verbose(0)
                            .sampleWeight(Tensor.of(sw, n))).get("loss"));
                    weights.add(m.getWeights());
                    evaluated.add(m.evaluate(x, y));
                }
            }
            for (int e = 0; e < 3; e++) assertEquals(losses.get(0).get(e), losses.get(1).get(e), 1e-6, pair[1] + " epoch " + e);
            assertEquals(evaluated.get(0), evaluated.get(1), 1e-6, pair[1] + ": evaluate after training");
            for (int w = 0; w < weights.get(0).size(); w++) {
                float[] a = weights.get(0).get(w).toArray(), b = weights.get(1).get(w).toArray();
                for (int i = 0; i < a.length; i++) assertEquals(a[i], b[i], 1e-6, pair[1] + " weight " + w + "[" + i + "]");
            }
        }
        assertEquals("CUSTOM my_mse", custom.toString());
        assertEquals("my_mse", Losses.kerasName(custom));
    }

    /** A saved model keeps a custom loss's name as Keras keeps a function's, and loads uncompiled (Keras needs custom_objects). */
    @Test
    void aCustomLossIsSavedByNameAndLoadsUncompiled(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        // a name Keras has too ("mean_squared_error") is still the user's function: not read back as the built-in loss
        for (String name : new String[] {"my_mse", "mean_squared_error"}) {
            try (Sequential m = new Sequential(new Dense(2).inputShape(3))) {
                m.compile("adam", Loss.custom(name, LossTest::mse));
                assertEquals(Map.of("module", "__main__", "class_name", "function", "config", name),
                        withoutNulls(Losses.serialize(m.loss())));
                Path f = dir.resolve(name + ".keras");
                m.save(f);
                try (dev.jrnn.model.Model back = dev.jrnn.model.Models.load(f)) {
                    assertEquals(null, back.loss(), name + ": uncompiled, as Keras without custom_objects");
                    assertEquals(m.getWeights().get(0).toArray()[0], back.getWeights().get(0).toArray()[0]);
                }
            }
        }
    }

    /**
     * A metric on class-index targets that hold the loss's ignored class: the loss masks them, a sparse cross-entropy
     * metric cannot take them and says so (was an index out of bounds); the backend's loss pass refuses a custom loss.
     */
    @Test
    void targetsTheLossIgnoresAreRefusedByAMetricThatCannotTakeThem() {
        try (Sequential m = new Sequential(new Activation("linear").inputShape(3))) {
            m.compile(new SGD(0.1), Loss.SPARSE_CATEGORICAL_CROSSENTROPY_LOGITS.ignoreClass(-1), "sparse_categorical_crossentropy");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.testOnBatch(Tensor.of(new float[] {0.2f, 0.3f, 0.5f,
                    0.1f, 0.1f, 0.8f}, 2, 3), Tensor.of(new float[] {-1, 2}, 2)));
            assertEquals("loss SPARSE_CATEGORICAL_CROSSENTROPY: a class index in target is not an integer in [0, 3), got -1.0 at row 0",
                    e.getMessage());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Checks.lossShape("lossAsync", Loss.custom("f",
                LossTest::mse), 1, 1));
        assertEquals("lossAsync: kind must be a built-in loss (a custom loss runs on the host: LossMath), got CUSTOM f", e.getMessage());
    }

    private static Map<?, ?> withoutNulls(Object m) {
        Map<Object, Object> r = new java.util.LinkedHashMap<>((Map<?, ?>) m);
        r.values().removeIf(java.util.Objects::isNull);
        return r;
    }

    /** Custom losses refuse what they cannot be, naming the parameter. */
    @Test
    void customLossBadInput() {
        assertEquals("Loss.custom: name must be a non-blank name, got ' '", assertThrows(IllegalArgumentException.class,
                () -> Loss.custom(" ", LossTest::mse)).getMessage());
        assertEquals("Loss.custom: fn must be a function of (target, prediction, grad), got null", assertThrows(IllegalArgumentException.class,
                () -> Loss.custom("f", null)).getMessage());
        assertEquals("Loss.custom: name must not be a built-in loss's, got 'mse'", assertThrows(IllegalArgumentException.class,
                () -> Loss.custom("mse", LossTest::mse)).getMessage());
        assertEquals("Loss.of: a custom loss comes from Loss.custom(name, fn), got kind CUSTOM", assertThrows(IllegalArgumentException.class,
                () -> Loss.of(Loss.Kind.CUSTOM)).getMessage());
        assertEquals("Loss.delta: only Huber takes it, got CUSTOM", assertThrows(IllegalArgumentException.class,
                () -> Loss.custom("f", LossTest::mse).delta(2)).getMessage());
    }

    /** The kernel and bias of a Dense(3) from fixed weights after one SGD step of {@code loss} on a batch of {@code n}. */
    private static float[] dense(Loss loss, double lr, float[] x, float[] y, int n) {
        try (Sequential m = new Sequential(new Dense(3).inputShape(2))) {
            m.compile(new SGD(lr), loss);
            m.setWeights(List.of(Tensor.of(new float[] {0.5f, -0.2f, 0.1f, 0.3f, 0.4f, -0.6f}, 2, 3), Tensor.of(new float[] {0.1f, 0, -0.1f}, 3)));
            m.trainOnBatch(Tensor.of(x, n, 2), loss.sparse() ? Tensor.of(y, n) : Tensor.of(y, n, 3));
            List<Tensor> ws = m.getWeights();
            float[] k = ws.get(0).toArray(), b = ws.get(1).toArray(), all = new float[k.length + b.length];
            System.arraycopy(k, 0, all, 0, k.length);
            System.arraycopy(b, 0, all, k.length, b.length);
            return all;
        }
    }
}
