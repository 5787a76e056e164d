package dev.jrnn.losses;

import dev.jrnn.Jrnn;
import dev.jrnn.layers.Activation;
import dev.jrnn.model.Sequential;
import dev.jrnn.model.WeightedMetrics;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Precision} and {@link Recall}, Keras' classes with thresholds, top_k and class_id: Keras' docstring values, and a
 * numpy transcription of metrics_utils.update_confusion_matrix_variables (_filter_top_k with ties to the lower index, then
 * the class column, then {@code p > threshold}, weights per row) over two batches.
 */
class PrecisionRecallTest {
    private static final float[] Y = {1, 0, 1, 0, 1, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0};
    private static final float[] P = {0.9f, 0.2f, 0.6f, 0.4f, 0.4f, 0.7f, 0.3f, 0.8f, 0.55f, 0.1f, 0.65f, 0.35f, 0.5f, 0.5f, 0.2f};
    private static final float[] W = {1, 0.5f, 2, 0, 1.5f};

    @Test
    void kerasDocstringValues() {
        float[] y = {0, 0, 1, 1}, p = {1, 1, 1, 1};
        assertEquals(0.0, EpochValues.first(new Precision().topK(2), 1, 4, p, y, null), 1e-7, "top_k=2: y_true[:2]");
        assertEquals(0.5, EpochValues.first(new Precision().topK(4), 1, 4, p, y, null), 1e-7, "top_k=4");
        float[] y2 = {0, 1, 1, 1}, p2 = {1, 0, 1, 1}, w = {0, 0, 1, 0};
        assertEquals(0.6666667, EpochValues.first(new Precision(), 4, 1, p2, y2, null), 1e-7);
        assertEquals(1.0, EpochValues.first(new Precision(), 4, 1, p2, y2, w), 1e-7);
        assertEquals(0.6666667, EpochValues.first(new Recall(), 4, 1, p2, y2, null), 1e-7);
        assertEquals(1.0, EpochValues.first(new Recall(), 4, 1, p2, y2, w), 1e-7);
    }

    /**
     * top_k over random rows with many ties (values from a set of 4) and NaNs against a brute-force filter written here:
     * each row's k entries first in (value descending, a NaN lowest, index ascending) order count as predicted positive (a
     * NaN never passes the NEG_INF threshold, so a NaN kept in a row's top k is a lost positive, not a false one).
     */
    @Test
    void topKMatchesABruteForceFilterWithTies() {
        java.util.SplittableRandom r = new java.util.SplittableRandom(5);
        int rows = 40, cols = 9;
        float[] p = new float[rows * cols], y = new float[rows * cols];
        for (int i = 0; i < p.length; i++) {
            p[i] = i % 7 == 3 ? Float.NaN : r.nextInt(4) / 4f;   // a NaN ranks lowest
            y[i] = r.nextInt(2);
        }
        for (int k : new int[] {1, 2, 5, 9}) {
            double tp = 0, fp = 0;
            for (int row = 0; row < rows; row++) {
                for (int c = 0; c < cols; c++) {
                    int above = 0;
                    for (int j = 0; j < cols; j++) {
                        float a = p[row * cols + j], b = p[row * cols + c];
                        boolean tie = a == b || Float.isNaN(a) && Float.isNaN(b);
                        if (a > b || Float.isNaN(b) && !Float.isNaN(a) || tie && j < c) above++;
                    }
                    if (above < k && !Float.isNaN(p[row * cols + c])) {   // kept, and above the NEG_INF threshold
                        if (y[row * cols + c] == 1) tp++;
                        else fp++;
                    }
                }
            }
            assertEquals(tp / (tp + fp), EpochValues.first(new Precision().topK(k), rows, cols, p, y, null), 1e-12, "k " + k);
        }
    }

    private static Map<String, Double> evaluate(Object... metrics) {
        Jrnn.setBackend("cpu");
        Sequential m = new Sequential(new Activation("linear").inputShape(3));
        Object[] all = java.util.Arrays.copyOf(metrics, metrics.length + 1);
        all[metrics.length] = WeightedMetrics.of(metrics);
        m.compile("sgd", "binary_crossentropy", all);
        return m.evaluateAll(List.of(Tensor.of(P, 5, 3)), List.of(Tensor.of(Y, 5, 3)), 2, null, Tensor.of(W, 5));
    }

    @Test
    void thresholdsTopKAndClassIdOverAnEpochAsKeras() {
        Map<String, Double> r = evaluate(new Precision().thresholds(0.3, 0.6).name("p"), new Recall().thresholds(0.3, 0.6).name("r"),
                new Precision().topK(2).name("p_top2"), new Recall().topK(2).name("r_top2"), new Precision().topK(1).thresholds(0.6).name("p_top1"),
                new Recall().topK(1).thresholds(0.6).name("r_top1"), new Precision().classId(1).name("p_c1"), new Recall().classId(1).name("r_c1"),
                new Precision().topK(2).classId(2).name("p_top2_c2"), new Recall().topK(2).classId(2).name("r_top2_c2"));
        double[][] want = {   // key, unweighted, weighted: numpy
                {0.5454545454545454, 0.5714285714285714}, {0.5, 0.8571428571428571}, {0.8571428571428571, 0.75}, {0.2857142857142857, 0.375},
                {0.5, 0.55}, {0.7142857142857143, 0.6875}, {0.5, Double.NaN}, {0.2857142857142857, Double.NaN},
                {0.5, 1.0}, {0.5, 0.8}, {Double.NaN, 0.2857142857142857}, {Double.NaN, 1.0}};
        String[] keys = {"p_0", "p_1", "r_0", "r_1", "p_top2", "r_top2", "p_top1", "r_top1", "p_c1", "r_c1", "p_top2_c2", "r_top2_c2"};
        for (int i = 0; i < keys.length; i++) {
            if (!Double.isNaN(want[i][0])) assertEquals(want[i][0], r.get(keys[i]), 1e-6, keys[i]);
            if (!Double.isNaN(want[i][1])) assertEquals(want[i][1], r.get("weighted_" + keys[i]), 1e-6, "weighted_" + keys[i]);
        }
    }

    @Test
    void kerasConfigsRoundTripAndDefaultsAreTheMetricConstants() {
        Map<String, Object> config = new java.util.LinkedHashMap<>();
        config.put("name", "precision_at_2");
        config.put("dtype", "float32");
        config.put("thresholds", null);
        config.put("top_k", 2);
        config.put("class_id", null);
        Object keras = Metric.kerasObject("Precision", config);
        EpochMetric m = EpochMetric.deserialize(keras);
        assertInstanceOf(Precision.class, m);
        assertEquals("precision_at_2", m.key());
        assertEquals(keras, m.serialize(), "written back as Keras 3 writes it");
        assertEquals(0.0, EpochValues.first(m, 1, 4, new float[] {1, 1, 1, 1}, new float[] {0, 0, 1, 1}, null), 1e-7);
        Map<String, Object> dflt = new java.util.LinkedHashMap<>(config);
        dflt.put("name", "recall");
        dflt.put("top_k", null);
        assertSame(Metric.RECALL, EpochMetric.deserialize(Metric.kerasObject("Recall", dflt)));
        EpochMetric copy = new Recall().thresholds(0.2, 0.8).classId(0).copy();
        assertInstanceOf(Recall.class, copy);
        assertEquals(List.of(0.2, 0.8), ((Map<?, ?>) ((Map<?, ?>) copy.serialize()).get("config")).get("thresholds"));
        assertTrue(copy.higherIsBetter());
    }
}
