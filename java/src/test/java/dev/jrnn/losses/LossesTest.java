package dev.jrnn.losses;

import dev.jrnn.backend.Loss;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Losses}: Keras' loss names to the backend's losses and back. */
class LossesTest {
    @Test
    void kerasNamesMapToBackendLosses() {
        assertEquals(Loss.MSE, Losses.of("mse"));
        assertEquals(Loss.MSE, Losses.of("mean_squared_error"));
        assertEquals(Loss.MAE, Losses.of("MAE"));
        assertEquals(Loss.BINARY_CROSSENTROPY, Losses.of("binary_crossentropy"));
        assertEquals(Loss.BINARY_CROSSENTROPY_LOGITS, Losses.of("binary_crossentropy_from_logits"));
        assertEquals(Loss.CATEGORICAL_CROSSENTROPY, Losses.of("categorical_crossentropy"));
        assertEquals(Loss.SPARSE_CATEGORICAL_CROSSENTROPY, Losses.of("sparse_categorical_crossentropy"));
        assertEquals(Loss.SPARSE_CATEGORICAL_CROSSENTROPY_LOGITS, Losses.sparseCategoricalCrossentropy(true));
        assertEquals(Loss.HUBER, Losses.of("huber_loss"));
        assertEquals(Loss.LOG_COSH, Losses.of("logcosh"));
        assertEquals(Loss.KL_DIVERGENCE, Losses.of("kld"));
        assertEquals(Loss.POISSON, Losses.poisson());
        assertEquals(Loss.HINGE, Losses.hinge());
        assertEquals(Loss.SQUARED_HINGE, Losses.squaredHinge());
        assertEquals(Loss.CATEGORICAL_HINGE, Losses.categoricalHinge());
        assertEquals(Loss.SQUARED_HINGE, Losses.of("SquaredHinge"));
        assertEquals(Loss.CATEGORICAL_HINGE, Losses.of("categorical_hinge"));
        for (Loss l : Loss.values()) assertEquals(l, Losses.of(Losses.kerasName(l)));
    }

    /** Keras' losses.get takes the class names too (ALL_OBJECTS_DICT): loss="MeanSquaredError" compiles in Keras. */
    @Test
    void kerasClassNamesAreTaken() {
        String[] classes = {"MeanSquaredError", "MeanAbsoluteError", "BinaryCrossentropy", "CategoricalCrossentropy",
            "SparseCategoricalCrossentropy", "Huber", "LogCosh", "KLDivergence", "Poisson", "BCE"};
        Loss[] want = {Loss.MSE, Loss.MAE, Loss.BINARY_CROSSENTROPY, Loss.CATEGORICAL_CROSSENTROPY, Loss.SPARSE_CATEGORICAL_CROSSENTROPY,
            Loss.HUBER, Loss.LOG_COSH, Loss.KL_DIVERGENCE, Loss.POISSON, Loss.BINARY_CROSSENTROPY};
        for (int i = 0; i < classes.length; i++) assertEquals(want[i], Losses.of(classes[i]), classes[i]);
    }

    /**
     * A compile config keeps from_logits only in a serialized loss object: read as its bare class name, a Keras
     * SparseCategoricalCrossentropy(from_logits=True) would train on logits taken for probabilities.
     */
    @Test
    void serializedKerasLossesKeepFromLogits() {
        for (Loss l : Loss.values()) assertEquals(l, Losses.deserialize(Losses.serialize(l)), l.name());
        assertEquals("mean_squared_error", Losses.serialize(Loss.MSE));
        Map<String, Object> keras = new java.util.HashMap<>(Map.of("name", "sparse_categorical_crossentropy",
                "reduction", "sum_over_batch_size", "from_logits", true));
        keras.put("ignore_class", null);
        assertEquals(Loss.SPARSE_CATEGORICAL_CROSSENTROPY_LOGITS, Losses.deserialize(Map.of("module", "keras.losses",
                "class_name", "SparseCategoricalCrossentropy", "config", keras)));
        assertEquals(Loss.BINARY_CROSSENTROPY, Losses.deserialize(Map.of("class_name", "BinaryCrossentropy",
                "config", Map.of("from_logits", false, "label_smoothing", 0.0, "axis", -1L))));
        assertEquals(Loss.MSE, Losses.deserialize(Map.of("module", "keras.losses", "class_name", "function",
                "config", "mean_squared_error", "registered_name", "mean_squared_error")));
        assertEquals(Loss.HUBER, Losses.deserialize(Map.of("class_name", "Huber", "config", Map.of("delta", 1.0))));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Losses.deserialize(Map.of("class_name", "Dice")));
        assertTrue(e.getMessage().startsWith("unknown loss 'Dice'"), e.getMessage());
        assertEquals(Loss.HINGE, Losses.deserialize(Map.of("class_name", "Hinge", "config", Map.of("reduction", "sum_over_batch_size"))));
        assertThrows(IllegalArgumentException.class, () -> Losses.deserialize(42));
    }

    /**
     * Keras 3's reduce_values divides by the number of values for "mean" exactly as for "sum_over_batch_size" (and
     * apply_mask treats the two alike): a file with it is jrnn's default loss; "mean_with_sample_weight" and "sum" are
     * taken as the loss's reduction; "none" and None (per-sample losses) stay refused naming the reduction.
     */
    @Test
    void reductionMeanIsKerasSumOverBatchSize() {
        assertEquals(Loss.MSE, Losses.deserialize(Map.of("class_name", "MeanSquaredError", "config", Map.of("reduction", "mean"))));
        assertEquals(Loss.SPARSE_CATEGORICAL_CROSSENTROPY_LOGITS, Losses.deserialize(Map.of("class_name", "SparseCategoricalCrossentropy",
                "config", Map.of("reduction", "mean", "from_logits", true))));
        for (String r : new String[] {"mean_with_sample_weight", "sum"}) {
            assertEquals(Loss.HUBER.reduction(r), Losses.deserialize(Map.of("class_name", "Huber", "config", Map.of("reduction", r))));
        }
        Map<String, Object> none = new java.util.HashMap<>();
        none.put("reduction", null);
        for (Map<String, Object> c : List.of(Map.<String, Object>of("reduction", "none"), none)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Losses.deserialize(Map.of("class_name", "Huber",
                    "config", c)));
            assertEquals("loss Huber with reduction " + c.get("reduction") + " (per-sample losses; fit needs one number) is not supported",
                    e.getMessage());
        }
    }

    /**
     * Keras 3's binary_focal_crossentropy docstrings (keras/src/losses/losses.py, gamma 2): per row [0.330, 0.206] for
     * probabilities, 0.691 from logits (-18.6 and -12.8 give probabilities clipped in the cross-entropy); to their digits,
     * and to 1e-7 against the same formula in double: (1 - p_t)^2 bce.
     */
    @Test
    void binaryFocalCrossentropyAsKerasDocstrings() {
        assertEquals(Loss.BINARY_FOCAL_CROSSENTROPY, Losses.of("binary_focal_crossentropy"));
        assertEquals(Loss.BINARY_FOCAL_CROSSENTROPY, Losses.of("BinaryFocalCrossentropy"));
        assertEquals(Loss.BINARY_FOCAL_CROSSENTROPY_LOGITS, Losses.binaryFocalCrossentropy(true));
        float[] y = {0, 1, 0, 0}, p = {0.6f, 0.4f, 0.4f, 0.6f};
        double[] rows = new double[2];
        for (int r = 0; r < 2; r++) {
            rows[r] = dev.jrnn.backend.LossMath.weightedSum(Loss.BINARY_FOCAL_CROSSENTROPY, 1, 2, p, 2 * r, y, 2 * r, null, 0, null, 0);
        }
        assertEquals(0.330, rows[0], 5e-4);
        assertEquals(0.206, rows[1], 5e-4);
        double bce6 = -Math.log(1 - 0.6f), bce4 = -Math.log(1 - 0.4f);   // -log(0.4), -log(0.6) of the float inputs
        assertEquals(Math.pow(0.6f, 2) * bce6, rows[0], 1e-7);
        assertEquals((Math.pow(0.4f, 2) * bce4 + Math.pow(0.6f, 2) * bce6) / 2, rows[1], 1e-7);
        float[] ly = {0, 1, 0, 0}, lz = {-18.6f, 0.51f, 2.94f, -12.8f};
        assertEquals(0.691, dev.jrnn.backend.LossMath.weightedSum(Loss.BINARY_FOCAL_CROSSENTROPY_LOGITS, 1, 4, lz, 0, ly, 0, null, 0, null, 0),
                5e-4);
        // Keras' settings are taken, from_logits too
        assertEquals(Loss.BINARY_FOCAL_CROSSENTROPY_LOGITS, Losses.deserialize(Map.of("class_name", "BinaryFocalCrossentropy", "config",
                Map.of("apply_class_balancing", false, "alpha", 0.25, "gamma", 2.0, "from_logits", true, "label_smoothing", 0.0, "axis", -1))));
        assertEquals(Loss.BINARY_FOCAL_CROSSENTROPY.gamma(3), Losses.deserialize(Map.of("class_name", "BinaryFocalCrossentropy",
                "config", Map.of("gamma", 3.0))));
        assertEquals(Loss.BINARY_FOCAL_CROSSENTROPY.classBalancing(true).alpha(0.4), Losses.deserialize(Map.of("class_name",
                "BinaryFocalCrossentropy", "config", Map.of("apply_class_balancing", true, "alpha", 0.4))));
    }

    /**
     * Keras 3's categorical_focal_crossentropy docstring (alpha 0.25, gamma 2): per row [2.63401289e-04, 6.75912094e-01];
     * from logits it is the loss of softmax(z).
     */
    @Test
    void categoricalFocalCrossentropyAsKerasDocstring() {
        assertEquals(Loss.CATEGORICAL_FOCAL_CROSSENTROPY, Losses.of("categorical_focal_crossentropy"));
        assertEquals(Loss.CATEGORICAL_FOCAL_CROSSENTROPY_LOGITS, Losses.of("CategoricalFocalCrossentropy_from_logits"));
        float[] y = {0, 1, 0, 0, 0, 1}, p = {0.05f, 0.9f, 0.05f, 0.1f, 0.85f, 0.05f};
        double[] want = {2.63401289e-04, 6.75912094e-01};
        for (int r = 0; r < 2; r++) {
            assertEquals(want[r], dev.jrnn.backend.LossMath.weightedSum(Loss.CATEGORICAL_FOCAL_CROSSENTROPY, 1, 3, p, 3 * r, y, 3 * r,
                    null, 0, null, 0), want[r] * 1e-6, "row " + r);
        }
        float[] z = {0.3f, -1.2f, 2.0f};
        double se = Math.exp(0.3f) + Math.exp(-1.2f) + Math.exp(2.0f);
        float[] soft = {(float) (Math.exp(0.3f) / se), (float) (Math.exp(-1.2f) / se), (float) (Math.exp(2.0f) / se)};
        float[] t = {0, 0, 1};
        assertEquals(dev.jrnn.backend.LossMath.weightedSum(Loss.CATEGORICAL_FOCAL_CROSSENTROPY, 1, 3, soft, 0, t, 0, null, 0, null, 0),
                dev.jrnn.backend.LossMath.weightedSum(Loss.CATEGORICAL_FOCAL_CROSSENTROPY_LOGITS, 1, 3, z, 0, t, 0, null, 0, null, 0), 1e-7);
        assertEquals(Loss.CATEGORICAL_FOCAL_CROSSENTROPY, Losses.deserialize(Map.of("class_name", "CategoricalFocalCrossentropy",
                "config", Map.of("alpha", 0.25, "gamma", 2.0, "from_logits", false))));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Losses.deserialize(Map.of("class_name",
                "CategoricalFocalCrossentropy", "config", Map.of("alpha", java.util.List.of(0.2, 0.8)))));
        assertEquals("loss CategoricalFocalCrossentropy with alpha [0.2, 0.8] (jrnn takes one number for every class) is not supported",
                e.getMessage());
    }

    /**
     * A model trained with the focal loss from logits: its loss goes down on separable data, accuracy thresholds logits at
     * 0, and a saved .keras file compiles the same loss back (Keras' class with from_logits) with the same evaluation.
     */
    @Test
    void focalLossTrainsSavesAndLoads(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        dev.jrnn.Jrnn.setBackend("cpu");
        dev.jrnn.Jrnn.setSeed(4);
        int n = 32;
        float[] x = new float[n * 3 * 2], y = new float[n];
        java.util.SplittableRandom r = new java.util.SplittableRandom(6);
        for (int i = 0; i < n; i++) {
            y[i] = r.nextInt(2);
            for (int k = 0; k < 6; k++) x[i * 6 + k] = (float) r.nextDouble(-1, 1) + (y[i] == 1 ? 0.8f : -0.8f);
        }
        dev.jrnn.tensor.Tensor xt = dev.jrnn.tensor.Tensor.of(x, n, 3, 2), yt = dev.jrnn.tensor.Tensor.of(y, n, 1);
        dev.jrnn.model.Sequential m = new dev.jrnn.model.Sequential(new dev.jrnn.layers.SimpleRNN(4).inputShape(3, 2), new dev.jrnn.layers.Dense(1));
        m.compile(new dev.jrnn.optim.Adam(0.05), Losses.binaryFocalCrossentropy(true), "accuracy");
        dev.jrnn.model.History h = m.fit(xt, yt, new dev.jrnn.model.FitOptions().epochs(15).batchSize(8).verbose(0).seed(1));
        assertTrue(h.last("loss") < 0.5 * h.get("loss").get(0), "loss " + h.get("loss"));
        assertTrue(h.last("accuracy") > 0.9, "accuracy " + h.get("accuracy"));
        java.nio.file.Path f = dir.resolve("focal.keras");
        m.save(f);
        try (dev.jrnn.model.Model back = dev.jrnn.model.Models.load(f)) {
            assertEquals(m.evaluateAll(java.util.List.of(xt), java.util.List.of(yt), 8, null),
                    back.evaluateAll(java.util.List.of(xt), java.util.List.of(yt), 8, null));
        }
    }

    @Test
    void unknownNamesAreRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Losses.of("dice"));
        assertTrue(e.getMessage().startsWith("unknown loss 'dice'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Losses.of("mse_from_logits"));
    }

    /**
     * The hinge losses in evaluate on a masked sequence with sample weights, as the other losses: Keras' per-step loss
     * times the sample's weight, over the valid steps only (the predictions' own, 0/1 targets taken as -1/1).
     */
    @Test
    void hingeLossesMaskAndWeighAsTheOthers() {
        dev.jrnn.Jrnn.setBackend("cpu");
        dev.jrnn.Jrnn.setSeed(3);
        int n = 4, t = 3;
        float[] x = new float[n * t * 2], y = new float[n * t * 2], w = {1, 0.5f, 2, 0};
        java.util.SplittableRandom r = new java.util.SplittableRandom(2);
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextDouble(0.2, 1);
        for (int i = 0; i < y.length; i++) y[i] = r.nextInt(2);
        for (int c = 0; c < 2; c++) {   // sample 0's last step and sample 2's last two steps are masked
            x[(0 * t + 2) * 2 + c] = 0;
            x[(2 * t + 1) * 2 + c] = 0;
            x[(2 * t + 2) * 2 + c] = 0;
        }
        dev.jrnn.tensor.Tensor xt = dev.jrnn.tensor.Tensor.of(x, n, t, 2), yt = dev.jrnn.tensor.Tensor.of(y, n, t, 2);
        for (String loss : new String[] {"hinge", "squared_hinge", "categorical_hinge"}) {
            dev.jrnn.model.Sequential m = new dev.jrnn.model.Sequential(new dev.jrnn.layers.Masking(0).inputShape(t, 2),
                    new dev.jrnn.layers.SimpleRNN(3).returnSequences(true), new dev.jrnn.layers.Dense(2));
            m.compile("sgd", loss);
            float[] p = m.predict(xt).data();
            double sum = 0;
            int valid = 0;
            for (int b = 0; b < n; b++) {
                for (int s = 0; s < t; s++) {
                    if (x[(b * t + s) * 2] == 0) continue;
                    valid++;
                    int o = (b * t + s) * 2;
                    double l;
                    if (loss.equals("categorical_hinge")) {
                        double pos = y[o] * p[o] + y[o + 1] * p[o + 1], neg = Math.max((1 - y[o]) * p[o], (1 - y[o + 1]) * p[o + 1]);
                        l = Math.max(neg - pos + 1, 0);
                    } else {
                        l = 0;
                        for (int c = 0; c < 2; c++) {
                            double h = Math.max(1 - (2 * y[o + c] - 1) * p[o + c], 0);
                            l += (loss.equals("hinge") ? h : h * h) / 2;
                        }
                    }
                    sum += w[b] * l;
                }
            }
            double got = m.evaluateAll(java.util.List.of(xt), java.util.List.of(yt), n, null, dev.jrnn.tensor.Tensor.of(w, n)).get("loss");
            assertEquals(sum / valid, got, 1e-5, loss);
        }
    }

    /**
     * Keras converts 0/1 hinge targets to -1/1 per call (convert_binary_labels_to_hinge: all of the batch's targets 0 or 1):
     * over an evaluate of two batches the first (0/1) is converted and the second (holding -1, so 0 stays 0) is not.
     */
    @Test
    void hingeTargetsAreConvertedPerBatch() {
        dev.jrnn.Jrnn.setBackend("cpu");
        dev.jrnn.Jrnn.setSeed(5);
        float[] x = {0.3f, -0.8f, 0.5f, 1.1f, -0.2f, 0.7f, -0.6f, 0.4f, 0.9f, 0.1f, -1.0f, 0.6f};
        float[] y = {0, 1, 1, 1, -1, 0, 1, 0};   // batch 0 (samples 0, 1): 0/1; batch 1 (samples 2, 3): -1, 0, 1
        dev.jrnn.tensor.Tensor xt = dev.jrnn.tensor.Tensor.of(x, 4, 3), yt = dev.jrnn.tensor.Tensor.of(y, 4, 2);
        for (String loss : new String[] {"hinge", "squared_hinge"}) {
            dev.jrnn.model.Sequential m = new dev.jrnn.model.Sequential(new dev.jrnn.layers.Dense(2).inputShape(3));
            m.compile("sgd", loss);
            float[] p = m.predict(xt).data();
            double sum = 0;
            for (int i = 0; i < 8; i++) {
                double t = i < 4 ? 2 * y[i] - 1 : y[i], h = Math.max(1 - t * p[i], 0);
                sum += loss.equals("hinge") ? h : h * h;
            }
            double got = m.evaluateAll(java.util.List.of(xt), java.util.List.of(yt), 2, null).get("loss");
            assertEquals(sum / 8, got, 1e-6, loss);
            double whole = 0;   // one batch of all four holds -1: nothing converted
            for (int i = 0; i < 8; i++) {
                double h = Math.max(1 - y[i] * p[i], 0);
                whole += loss.equals("hinge") ? h : h * h;
            }
            assertEquals(whole / 8, m.evaluateAll(java.util.List.of(xt), java.util.List.of(yt), 4, null).get("loss"), 1e-6, loss + " in one batch");
        }
    }
}
