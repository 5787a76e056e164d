package dev.jrnn.losses;

import dev.jrnn.backend.Loss;
import org.junit.jupiter.api.Test;

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
        for (Loss l : Loss.values()) assertEquals(l, Losses.of(Losses.kerasName(l)));
    }

    /** Keras' losses.get takes the class names too (ALL_OBJECTS_DICT): loss="MeanSquaredError" compiles in Keras. */
    @Test
    void kerasClassNamesAreTaken() {
        assertEquals(Loss.MSE, Losses.of("MeanSquaredError"));
        assertEquals(Loss.MAE, Losses.of("MeanAbsoluteError"));
        assertEquals(Loss.BINARY_CROSSENTROPY, Losses.of("BinaryCrossentropy"));
        assertEquals(Loss.CATEGORICAL_CROSSENTROPY, Losses.of("CategoricalCrossentropy"));
        assertEquals(Loss.SPARSE_CATEGORICAL_CROSSENTROPY, Losses.of("SparseCategoricalCrossentropy"));
        assertEquals(Loss.HUBER, Losses.of("Huber"));
        assertEquals(Loss.LOG_COSH, Losses.of("LogCosh"));
        assertEquals(Loss.KL_DIVERGENCE, Losses.of("KLDivergence"));
        assertEquals(Loss.POISSON, Losses.of("Poisson"));
        assertEquals(Loss.BINARY_CROSSENTROPY, Losses.of("BCE"));
    }

    @Test
    void unknownNamesAreRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Losses.of("hinge"));
        assertTrue(e.getMessage().startsWith("unknown loss 'hinge'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Losses.of("mse_from_logits"));
    }
}
