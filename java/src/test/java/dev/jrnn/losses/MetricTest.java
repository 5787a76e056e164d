package dev.jrnn.losses;

import dev.jrnn.backend.Loss;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Metric}: Keras' names, accuracy resolved from the loss, MAE/MSE per row, masked rows. */
class MetricTest {
    @Test
    void kerasNamesAndKeys() {
        assertEquals(Metric.ACCURACY, Metric.of("acc"));
        assertEquals(Metric.MAE, Metric.of(" Mean_Absolute_Error "));
        assertEquals(Metric.MSE, Metric.of("mean_squared_error"));
        for (Metric m : Metric.values()) assertEquals(m, Metric.of(m.key()));
        assertEquals(Metric.MAE, Metric.of("MeanAbsoluteError"), "Keras' class names, as metrics.get takes them");
        assertEquals(Metric.MSE, Metric.of("MeanSquaredError"));
        assertEquals(Metric.ACCURACY, Metric.of("Accuracy"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Metric.of("f1"));
        assertEquals("unknown metric 'f1': expected accuracy, mae or mse", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Metric.of(null));
        assertTrue(e.getMessage().contains("null"), e.getMessage());
    }

    @Test
    void accuracyResolvesFromTheLoss() {
        float[] pred = {0.1f, 0.7f, 0.2f, 0.6f, 0.3f, 0.1f};   // rows argmax 1, 0
        assertEquals(2, Metric.ACCURACY.sum(Loss.SPARSE_CATEGORICAL_CROSSENTROPY, 2, 3, pred, new float[] {1, 0}, null));
        assertEquals(1, Metric.ACCURACY.sum(Loss.CATEGORICAL_CROSSENTROPY, 2, 3, pred, new float[] {0, 1, 0, 0, 0, 1}, null));
        // several columns: Keras 3 takes categorical accuracy even for binary cross-entropy (argmax 1 vs argmax 0)
        assertEquals(0, Metric.ACCURACY.sum(Loss.BINARY_CROSSENTROPY, 1, 2, new float[] {0.4f, 0.9f}, new float[] {0, 0}, null), 1e-9);
        assertEquals(1, Metric.ACCURACY.sum(Loss.BINARY_CROSSENTROPY_LOGITS, 1, 2, new float[] {-2f, 0.5f}, new float[] {0, 1}, null), 1e-9);
        assertEquals(0.5, Metric.MAE.sum(Loss.MSE, 1, 2, new float[] {1, 2}, new float[] {1.5f, 1.5f}, null), 1e-9);
        assertEquals(0.25, Metric.MSE.sum(Loss.MSE, 1, 2, new float[] {1, 2}, new float[] {1.5f, 1.5f}, null), 1e-9);
        // masked rows do not count
        assertEquals(1, Metric.ACCURACY.sum(Loss.SPARSE_CATEGORICAL_CROSSENTROPY, 2, 3, pred, new float[] {1, 2}, new float[] {1, 0}));
        assertEquals(1, Metric.ACCURACY.count(Loss.SPARSE_CATEGORICAL_CROSSENTROPY, 2, 3, new float[] {1, 0}));
    }

    /** Keras 3's get_metric: one column is binary accuracy (threshold 0.5) for any dense loss, several are argmax matches. */
    @Test
    void accuracyResolvesFromTheShapesWhateverTheDenseLoss() {
        float[] p = {0.7f, 0.2f, 0.55f, 0.4f}, y = {1, 0, 0, 0};   // rows of one column: 1, 1, 0, 1 correct
        for (Loss l : new Loss[] {Loss.MSE, Loss.MAE, Loss.HUBER, Loss.BINARY_CROSSENTROPY}) {
            assertEquals(3, Metric.ACCURACY.sum(l, 4, 1, p, y, null), 1e-9, l.name());
        }
        assertEquals(0, Metric.ACCURACY.sum(Loss.MSE, 1, 1, new float[] {0.9f}, new float[] {0.9f}, null), 1e-9,
                "a target that is not 0 or 1 never matches the thresholded prediction");
        float[] p2 = {0.1f, 0.8f, 0.3f, 0.9f, 0.2f, 0.6f}, y2 = {0, 1, 0, 0, 1, 1};   // argmax 1 vs 1, 0 vs 1
        for (Loss l : new Loss[] {Loss.MSE, Loss.BINARY_CROSSENTROPY, Loss.POISSON}) {
            assertEquals(1, Metric.ACCURACY.sum(l, 2, 3, p2, y2, null), 1e-9, l.name());
        }
        // one column is binary before sparse, as Keras checks is_binary first: (0.7 > 0.5) == 1, (0.2 > 0.5) == 0 both match,
        // where an argmax over one column (always 0) would match the class-0 row only
        assertEquals(2, Metric.ACCURACY.sum(Loss.SPARSE_CATEGORICAL_CROSSENTROPY, 2, 1, new float[] {0.7f, 0.2f}, new float[] {1, 0}, null),
                1e-9);
    }

    @Test
    void errorMetricsNeedDenseTargetsAndAverageOverColumns() {
        // rows (1, 2) vs (0, 4) and (3, 3) vs (3, 0): MAE per row (1 + 2) / 2 and (0 + 3) / 2
        float[] p = {1, 2, 3, 3}, y = {0, 4, 3, 0};
        assertEquals(1.5 + 1.5, Metric.MAE.sum(Loss.MSE, 2, 2, p, y, null), 1e-9);
        assertEquals((1 + 4) / 2.0 + 9 / 2.0, Metric.MSE.sum(Loss.MAE, 2, 2, p, y, null), 1e-9);
        assertEquals(2.0, Metric.MSE.count(Loss.MSE, 2, 2, null));
        assertEquals(0.5 * 4.5, Metric.MSE.sum(Loss.MSE, 2, 2, p, y, new float[] {0, 0.5f}), 1e-9, "weighted rows");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Metric.MAE.sum(Loss.SPARSE_CATEGORICAL_CROSSENTROPY, 1, 2, p, new float[] {1}, null));
        assertTrue(e.getMessage().contains("dense targets"), e.getMessage());
    }
}
