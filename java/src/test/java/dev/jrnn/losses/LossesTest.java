package dev.jrnn.losses;

import dev.jrnn.backend.Loss;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
        for (Loss l : Loss.values()) assertEquals(l, Losses.of(Losses.kerasName(l)));
    }

    @Test
    void unknownNamesAreRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Losses.of("hinge"));
        assertTrue(e.getMessage().startsWith("unknown loss 'hinge'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Losses.of("mse_from_logits"));
        assertThrows(IllegalArgumentException.class, () -> Metric.of("f1"));
    }

    @Test
    void accuracyResolvesFromTheLoss() {
        float[] pred = {0.1f, 0.7f, 0.2f, 0.6f, 0.3f, 0.1f};   // rows argmax 1, 0
        assertEquals(2, Metric.ACCURACY.sum(Loss.SPARSE_CATEGORICAL_CROSSENTROPY, 2, 3, pred, new float[] {1, 0}, null));
        assertEquals(1, Metric.ACCURACY.sum(Loss.CATEGORICAL_CROSSENTROPY, 2, 3, pred, new float[] {0, 1, 0, 0, 0, 1}, null));
        assertEquals(0.5, Metric.ACCURACY.sum(Loss.BINARY_CROSSENTROPY, 1, 2, new float[] {0.4f, 0.9f}, new float[] {0, 0}, null), 1e-9);
        assertEquals(1, Metric.ACCURACY.sum(Loss.BINARY_CROSSENTROPY_LOGITS, 1, 2, new float[] {-2f, 0.5f}, new float[] {0, 1}, null), 1e-9);
        assertEquals(0.5, Metric.MAE.sum(Loss.MSE, 1, 2, new float[] {1, 2}, new float[] {1.5f, 1.5f}, null), 1e-9);
        assertEquals(0.25, Metric.MSE.sum(Loss.MSE, 1, 2, new float[] {1, 2}, new float[] {1.5f, 1.5f}, null), 1e-9);
        // masked rows do not count
        assertEquals(1, Metric.ACCURACY.sum(Loss.SPARSE_CATEGORICAL_CROSSENTROPY, 2, 3, pred, new float[] {1, 2}, new float[] {1, 0}));
        assertEquals(1, Metric.ACCURACY.count(Loss.SPARSE_CATEGORICAL_CROSSENTROPY, 2, 3, new float[] {1, 0}));
    }
}
