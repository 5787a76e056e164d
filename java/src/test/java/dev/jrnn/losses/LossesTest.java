package dev.jrnn.losses;

import dev.jrnn.backend.Loss;
import org.junit.jupiter.api.Test;

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
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Losses.deserialize(Map.of("class_name", "Huber", "config", Map.of("delta", 2.0))));
        assertEquals("loss Huber with delta 2.0 is not supported (jrnn has the Keras defaults)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Losses.deserialize(Map.of("class_name", "CategoricalCrossentropy",
                "config", Map.of("label_smoothing", 0.1))));
        assertTrue(e.getMessage().contains("label_smoothing 0.1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Losses.deserialize(Map.of("class_name", "MeanSquaredError",
                "config", Map.of("reduction", "sum"))));
        assertTrue(e.getMessage().contains("reduction sum"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Losses.deserialize(Map.of("class_name", "Hinge")));
        assertTrue(e.getMessage().startsWith("unknown loss 'Hinge'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Losses.deserialize(42));
    }

    @Test
    void unknownNamesAreRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Losses.of("hinge"));
        assertTrue(e.getMessage().startsWith("unknown loss 'hinge'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Losses.of("mse_from_logits"));
    }
}
