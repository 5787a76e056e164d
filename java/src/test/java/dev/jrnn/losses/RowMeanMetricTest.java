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
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Keras' MeanMetricWrapper classes with options: {@link BinaryAccuracy} (threshold), {@link TopKCategoricalAccuracy} and
 * {@link SparseTopKCategoricalAccuracy} (k). Keras' docstring values, hand-computed thresholds, and over an epoch of uneven
 * batches the numpy values of {@code in_top_k} / {@code p > t} on {@link LossKerasSemanticsTest}'s data (the script beside
 * that test, here inline: {@code (q > q[t]).sum() < k}).
 */
class RowMeanMetricTest {
    @Test
    void kerasDocstringValues() {
        float[] y = {0, 0, 1, 0, 1, 0}, p = {0.1f, 0.9f, 0.8f, 0.05f, 0.95f, 0}, w = {0.7f, 0.3f};
        assertEquals(0.5, EpochValues.first(new TopKCategoricalAccuracy().k(1), 2, 3, p, y, null), 1e-7);
        assertEquals(0.3, EpochValues.first(new TopKCategoricalAccuracy().k(1), 2, 3, p, y, w), 1e-7);
        assertEquals(0.5, sparse(new SparseTopKCategoricalAccuracy().k(1), p, new float[] {2, 1}, null), 1e-7);
        assertEquals(0.3, sparse(new SparseTopKCategoricalAccuracy().k(1), p, new float[] {2, 1}, w), 1e-7);
        float[] yb = {1, 1, 0, 0}, pb = {0.98f, 1, 0, 0.6f};
        assertEquals(0.75, EpochValues.first(new BinaryAccuracy(), 4, 1, pb, yb, null), 1e-7);
        assertEquals(0.5, EpochValues.first(new BinaryAccuracy(), 4, 1, pb, yb, new float[] {1, 0, 0, 1}), 1e-7);
        // by hand: above 0.7 -> 1, 1, 0, 0 (all right); above 0.99 -> 0, 1, 0, 0 (one wrong)
        assertEquals(1.0, EpochValues.first(new BinaryAccuracy().threshold(0.7), 4, 1, pb, yb, null), 1e-7);
        assertEquals(0.75, EpochValues.first(new BinaryAccuracy().threshold(0.99), 4, 1, pb, yb, null), 1e-7);
    }

    private static double sparse(EpochMetric m, float[] p, float[] y, float[] w) {
        double[] s = new double[m.stateSize(3)];
        m.update(dev.jrnn.backend.Loss.SPARSE_CATEGORICAL_CROSSENTROPY, y.length, 3, p, y, w, s);
        return m.result(s, 3)[0];
    }

    private static Map<String, Double> evaluate(String loss, float[] y, Object... metrics) {
        Jrnn.setBackend("cpu");
        Sequential m = new Sequential(new Activation("linear").inputShape(3));
        Object[] all = java.util.Arrays.copyOf(metrics, metrics.length + 1);
        all[metrics.length] = WeightedMetrics.of(metrics);
        m.compile("sgd", loss, all);
        Tensor yt = y.length == 10 ? Tensor.of(y, 10) : Tensor.of(y, 10, 3);
        return m.evaluateAll(List.of(Tensor.of(LossKerasSemanticsTestData.P, 10, 3)), List.of(yt), 4, null,
                Tensor.of(LossKerasSemanticsTestData.W, 10));
    }

    @Test
    void overAnEpochWithAndWithoutSampleWeights() {
        Map<String, Double> r = evaluate("sparse_categorical_crossentropy", LossKerasSemanticsTestData.YS,
                new SparseTopKCategoricalAccuracy().k(1).name("top1"), new SparseTopKCategoricalAccuracy().k(2).name("top2"));
        assertEquals(0.6, r.get("top1"), 1e-6);
        assertEquals(0.7649779581118493, r.get("weighted_top1"), 1e-6);
        assertEquals(0.9, r.get("top2"), 1e-6);
        assertEquals(0.8844890485097401, r.get("weighted_top2"), 1e-6);
        r = evaluate("categorical_crossentropy", LossKerasSemanticsTestData.YO, new TopKCategoricalAccuracy().k(2).name("top2"));
        assertEquals(0.9, r.get("top2"), 1e-6);
        assertEquals(0.8844890485097401, r.get("weighted_top2"), 1e-6);
        r = evaluate("binary_crossentropy", LossKerasSemanticsTestData.YB, new BinaryAccuracy().threshold(0.3).name("acc3"),
                new BinaryAccuracy().threshold(0.7).name("acc7"));
        assertEquals(0.4, r.get("acc3"), 1e-6);
        assertEquals(0.4125150315642735, r.get("weighted_acc3"), 1e-6);
        assertEquals(0.4666666666666667, r.get("acc7"), 1e-6);
        assertEquals(0.49370054085662113, r.get("weighted_acc7"), 1e-6);
    }

    @Test
    void kerasConfigsGiveTheObjectsWithOptionsAndTheConstantsAtTheDefaults() {
        EpochMetric top3 = EpochMetric.deserialize(Metric.kerasObject("TopKCategoricalAccuracy", Map.of("name", "top3", "dtype", "float32", "k", 3)));
        assertInstanceOf(TopKCategoricalAccuracy.class, top3);
        assertEquals("top3", top3.key());
        assertEquals(Metric.kerasObject("TopKCategoricalAccuracy", new java.util.LinkedHashMap<>(Map.of("name", "top3", "dtype", "float32", "k", 3))),
                top3.serialize());
        assertSame(Metric.TOP_K_CATEGORICAL_ACCURACY, EpochMetric.deserialize(Metric.kerasObject("TopKCategoricalAccuracy",
                Map.of("name", "top_k_categorical_accuracy", "k", 5))));
        EpochMetric b = EpochMetric.deserialize(Metric.kerasObject("BinaryAccuracy", Map.of("name", "binary_accuracy", "threshold", 0.0)));
        assertEquals(1.0, EpochValues.first(b, 2, 1, new float[] {-2, 3}, new float[] {0, 1}, null), 1e-7, "threshold 0: logits");
        assertSame(Metric.BINARY_ACCURACY, EpochMetric.deserialize(Metric.kerasObject("BinaryAccuracy", Map.of("name", "binary_accuracy",
                "threshold", 0.5))));
        assertInstanceOf(SparseTopKCategoricalAccuracy.class, new SparseTopKCategoricalAccuracy().k(2).copy());
        assertThrows(IllegalArgumentException.class, () -> EpochMetric.deserialize(Metric.kerasObject("SparseTopKCategoricalAccuracy",
                Map.of("k", 3, "from_sorted_ids", true))));
    }
}
