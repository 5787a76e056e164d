package dev.jrnn.model;

import dev.jrnn.Jrnn;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.SimpleRNN;
import dev.jrnn.losses.Auc;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link WeightedMetrics}: Keras' weighted_metrics, against Keras' docstring values (the metrics' sample_weight examples,
 * through a model that passes its input through) and hand-computed Keras formulas (Mean's weighted sum over weighted count,
 * the mask multiplied into the weights as apply_mask does).
 */
class WeightedMetricsTest {
    @BeforeEach
    void cpu() {
        Jrnn.setBackend("cpu");
        Jrnn.clearSession();
        Jrnn.setSeed(3);
    }

    /** A model whose output is its input (Dense with the identity kernel): the predictions are what the test gives. */
    private static Sequential identity(int cols) {
        Sequential m = new Sequential(new Dense(cols).inputShape(cols));
        float[] k = new float[cols * cols];
        for (int i = 0; i < cols; i++) k[i * cols + i] = 1;
        m.setWeights(List.of(Tensor.of(k, cols, cols), Tensor.zeros(cols)));
        return m;
    }

    private static Map<String, Double> eval(Sequential m, float[] y, float[] p, float[] w, int cols) {
        int n = y.length / cols;
        return m.evaluateAll(List.of(Tensor.of(p, n, cols)), List.of(Tensor.of(y, n, cols)), n, null, w == null ? null : Tensor.of(w, n));
    }

    /** The docstrings' sample_weight examples of Precision, Recall, TruePositives, AUC(num_thresholds=3), MSE, MAE, RMSE and MAPE. */
    @Test
    void kerasDocstringValues() {
        Sequential m = identity(1);
        m.compile("sgd", "mse", WeightedMetrics.of("precision", "recall", "true_positives"));
        Map<String, Double> r = eval(m, new float[] {0, 1, 1, 1}, new float[] {1, 0, 1, 1}, new float[] {0, 0, 1, 0}, 1);
        assertEquals(1.0, r.get("precision"), 1e-7);
        assertEquals(1.0, r.get("recall"), 1e-7);
        assertEquals(1.0, r.get("true_positives"), 1e-7);
        r = eval(m, new float[] {0, 1, 1, 1}, new float[] {1, 0, 1, 1}, null, 1);
        assertEquals(0.6666667, r.get("precision"), 1e-7, "unweighted data: the unweighted value");
        assertEquals(0.6666667, r.get("recall"), 1e-7);
        m.compile("sgd", "mse", new Auc().numThresholds(3), WeightedMetrics.of(new Auc().numThresholds(3).name("auc")));   // one name twice
        r = eval(m, new float[] {0, 0, 1, 1}, new float[] {0, 0.5f, 0.3f, 0.9f}, new float[] {1, 0, 0, 1}, 1);
        assertEquals(0.75, r.get("auc"), 1e-7, "metrics stay unweighted");
        assertEquals(1.0, r.get("weighted_auc"), 1e-7);
        Sequential two = identity(2);
        two.compile("sgd", "mse", WeightedMetrics.of("mse", "mae", "root_mean_squared_error", "mape"));
        r = eval(two, new float[] {0, 1, 0, 0}, new float[] {1, 1, 0, 0}, new float[] {1, 0}, 2);
        assertEquals(0.5, r.get("mse"), 1e-7);
        assertEquals(0.5, r.get("mae"), 1e-7);
        assertEquals(0.70710677, r.get("root_mean_squared_error"), 1e-7);
        assertEquals(500000000.0, r.get("mape"), 1e-7 * 5e8);
    }

    /** Mean's weighted sum over the weighted count: a sequence's mask times per-timestep or per-sample weights, evaluated and on a batch. */
    @Test
    void maskedSequencesWithPerTimestepAndPerSampleWeights() {
        int n = 6, t = 4;
        SplittableRandom rnd = new SplittableRandom(11);
        Tensor x = FunctionalTest.random(rnd, n, t, 2), y = FunctionalTest.random(rnd, n, t, 3);
        int[] lengths = {4, 2, 3, 1, 4, 3};
        float[] wt = new float[n * t], ws = new float[n];
        for (int i = 0; i < wt.length; i++) wt[i] = (i % 3) * 0.75f;
        for (int i = 0; i < n; i++) ws[i] = 0.5f + i % 4;
        Sequential m = new Sequential(new SimpleRNN(3).returnSequences(true).inputShape(t, 2));
        m.compile("sgd", "mse", "mae", WeightedMetrics.of("mae", "root_mean_squared_error"));
        float[] p = m.predictAll(List.of(x), n, lengths).get(0).data(), yd = y.data();
        for (float[] w : List.of(wt, ws)) {
            boolean perStep = w == wt;
            Tensor sw = perStep ? Tensor.of(w, n, t) : Tensor.of(w, n);
            double mae = 0, maeCount = 0, se = 0, seCount = 0, plainMae = 0, valid = 0;
            for (int i = 0; i < n; i++) {
                for (int s = 0; s < t; s++) {
                    double wr = perStep ? w[i * t + s] : w[i], mask = s < lengths[i] ? 1 : 0, a = 0, q = 0;
                    for (int c = 0; c < 3; c++) {
                        int at = (i * t + s) * 3 + c;
                        a += Math.abs(p[at] - yd[at]) / 3;
                        q += Math.pow(p[at] - yd[at], 2) / 3;
                    }
                    mae += wr * mask * a;
                    maeCount += wr * mask;
                    se += wr * q;   // Keras' RMSE reads no mask: every step counts
                    seCount += wr;
                    plainMae += mask * a;
                    valid += mask;
                }
            }
            Map<String, Double> r = m.evaluateAll(List.of(x), List.of(y), 4, lengths, sw);
            assertEquals(List.of("loss", "mae", "root_mean_squared_error", "weighted_mae"), new ArrayList<>(r.keySet()));
            assertEquals(plainMae / valid, r.get("mae"), 1e-6);
            assertEquals(mae / maeCount, r.get("weighted_mae"), 1e-6, perStep ? "per timestep" : "per sample");
            assertEquals(Math.sqrt(se / seCount), r.get("root_mean_squared_error"), 1e-6);
        }
        Map<String, Double> plain = m.evaluateAll(List.of(x), List.of(y), 4, lengths);
        assertEquals(plain.get("mae"), plain.get("weighted_mae"), 1e-12, "unweighted data: the unweighted value");
    }

    /** A Dataset's weight column weighs them as the tensors' weights do (validation data too). */
    @Test
    void aDatasetsWeightsWeighThem() throws Exception {
        SplittableRandom rnd = new SplittableRandom(6);
        Tensor x = FunctionalTest.random(rnd, 9, 3, 2), y = FunctionalTest.random(rnd, 9, 2);
        float[] w = new float[9];
        for (int i = 0; i < 9; i++) w[i] = i % 3;
        Sequential m = new Sequential(new SimpleRNN(2).inputShape(3, 2));
        m.compile("sgd", "mse", "mae", WeightedMetrics.of("mae", "cosine_similarity"));
        Map<String, Double> t = m.evaluateAll(List.of(x), List.of(y), 4, null, Tensor.of(w, 9));
        Map<String, Double> d = m.evaluateAll(dev.jrnn.data.Dataset.fromTensors(x, y, Tensor.of(w, 9)).batch(4));
        for (String k : t.keySet()) assertEquals(t.get(k), d.get(k), 1e-6, k);
        History h = m.fit(x, y, new FitOptions().epochs(1).verbose(0).validationData(x, y, Tensor.of(w, 9)));
        Map<String, Double> after = m.evaluateAll(List.of(x), List.of(y), 4, null, Tensor.of(w, 9));   // validation ran on these weights
        assertEquals(after.get("weighted_mae"), h.get("val_weighted_mae").get(0), 1e-6, "the validation data's weights");
        assertEquals(after.get("mae"), h.get("val_mae").get(0), 1e-6);
        assertTrue(Math.abs(after.get("mae") - after.get("weighted_mae")) > 1e-4, "the weights count");
    }

    /** Class weights weigh a weighted metric as they weigh the loss: fit's first (only) batch, before its update. */
    @Test
    void classWeightsWeighTheMetricsInFit() {
        int n = 8;
        SplittableRandom rnd = new SplittableRandom(4);
        Tensor x = FunctionalTest.random(rnd, n, 3);
        float[] y = {0, 1, 1, 0, 1, 0, 0, 1};
        Sequential m = new Sequential(new Dense(1).activation("sigmoid").inputShape(3));
        m.compile("sgd", "binary_crossentropy", "mae", WeightedMetrics.of("mae", "accuracy"));
        float[] p = m.predict(x).data();
        double[] cw = {1.0, 3.0};
        double mae = 0, acc = 0, count = 0;
        for (int i = 0; i < n; i++) {
            double w = cw[(int) y[i]];
            mae += w * Math.abs(p[i] - y[i]);
            acc += w * ((p[i] > 0.5f ? 1 : 0) == y[i] ? 1 : 0);
            count += w;
        }
        History h = m.fit(x, Tensor.of(y, n, 1), new FitOptions().epochs(1).batchSize(n).shuffle(false).verbose(0)
                .classWeight(Map.of(0, 1.0, 1, 3.0)));
        assertEquals(List.of("accuracy", "loss", "mae", "weighted_mae"), new ArrayList<>(h.history().keySet()));
        assertEquals(mae / count, h.get("weighted_mae").get(0), 1e-6);
        assertEquals(acc / count, h.get("accuracy").get(0), 1e-6);
        double plain = 0;
        for (int i = 0; i < n; i++) plain += Math.abs(p[i] - y[i]) / n;
        assertEquals(plain, h.get("mae").get(0), 1e-6);
    }

    /** Keras' naming: a weighted metric also among the metrics is "weighted_<name>", repeats numbered after it. */
    @Test
    void namesAsKerasResultGivesThem() {
        Sequential m = identity(1);
        m.compile("sgd", "mse", "mae", "mae", WeightedMetrics.of("mae", "mae", "mse"));
        assertEquals(List.of("mae", "mae_1", "weighted_mae", "weighted_mae_1", "mse"), m.metricKeys());
        assertEquals(List.of("mae", "mae_1"), m.metricNames(), "the unweighted ones");
        Map<String, Double> r = eval(m, new float[] {0, 1, 1}, new float[] {0.5f, 1, 0}, new float[] {2, 1, 0}, 1);
        assertEquals(List.of("loss", "mae", "mae_1", "mse", "weighted_mae", "weighted_mae_1"), new ArrayList<>(r.keySet()));
        assertEquals(0.5, r.get("mae"), 1e-7);
        assertEquals(2 * 0.5 / 3, r.get("weighted_mae"), 1e-7);
        assertEquals(r.get("weighted_mae"), r.get("weighted_mae_1"));
        assertEquals(2 * 0.25 / 3, r.get("mse"), 1e-7);
        assertEquals(r.get("loss"), 0.25 * 2 / 3, 1e-7, "the loss weighs as the weighted mse");
    }

    /** PrecisionAtRecall's weighted docstring example (0.5 unweighted, 1/3 weighted) over batches of 1, 2 and all 5. */
    @Test
    void aMetricAtAFixedRateAccumulatesItsWeightedCountsOverBatches() {
        Sequential m = identity(1);
        m.compile("sgd", "mse", new dev.jrnn.losses.PrecisionAtRecall(0.5),
                WeightedMetrics.of(new dev.jrnn.losses.PrecisionAtRecall(0.5).name("precision_at_recall")));   // one name twice
        Tensor p = Tensor.of(new float[] {0, 0.3f, 0.8f, 0.3f, 0.8f}, 5, 1), y = Tensor.of(new float[] {0, 0, 0, 1, 1}, 5, 1);
        Tensor w = Tensor.of(new float[] {2, 2, 2, 1, 1}, 5);
        for (int batch : new int[] {1, 2, 5}) {
            Map<String, Double> r = m.evaluateAll(List.of(p), List.of(y), batch, null, w);
            assertEquals(0.5, r.get("precision_at_recall"), 1e-7, "batches of " + batch);
            assertEquals(1.0 / 3, r.get("weighted_precision_at_recall"), 1e-7, "batches of " + batch);
        }
    }

    /**
     * Keras' MeanMetricWrapper on a masked sequence with per-step weights: sum(v * w * mask) / sum(w * mask), over batches;
     * the unweighted metric sum(v * mask) / sum(mask).
     */
    @Test
    void aMaskedSequencesWeightedMeanMetricsAsKerasOverBatches() {
        Sequential m = new Sequential(new dev.jrnn.layers.Masking(0.0).inputShape(3, 1), new dev.jrnn.layers.TimeDistributed(new Dense(1).useBias(false)));
        m.compile(new dev.jrnn.optim.SGD(0.1), "mse", "mae", WeightedMetrics.of("mae", "mse"));
        m.setWeights(List.of(Tensor.of(new float[] {2}, 1, 1)));   // predictions 2x
        float[] xv = {1, 2, 0, 3, 0, 0, 1, 1, 1, 2, 2, 0};
        float[] yv = {1, 1, 5, 2, 7, 7, 0, 1, 3, 1, 0, 9};
        float[] wv = {1, 2, 3, 0.5f, 1, 1, 2, 2, 2, 1, 3, 1};
        double mae = 0, valid = 0, wMae = 0, wMse = 0, wSum = 0;
        for (int i = 0; i < 12; i++) {
            double mask = xv[i] != 0 ? 1 : 0, e = 2 * xv[i] - yv[i];
            mae += Math.abs(e) * mask;
            valid += mask;
            wMae += Math.abs(e) * mask * wv[i];
            wMse += e * e * mask * wv[i];
            wSum += mask * wv[i];
        }
        for (int batch : new int[] {1, 3, 4}) {
            Map<String, Double> r = m.evaluateAll(List.of(Tensor.of(xv, 4, 3, 1)), List.of(Tensor.of(yv, 4, 3, 1)), batch, null, Tensor.of(wv, 4, 3));
            assertEquals(mae / valid, r.get("mae"), 1e-6, "batches of " + batch);
            assertEquals(wMae / wSum, r.get("weighted_mae"), 1e-6, "batches of " + batch);
            assertEquals(wMse / wSum, r.get("mse"), 1e-6, "batches of " + batch);
        }
    }
}
