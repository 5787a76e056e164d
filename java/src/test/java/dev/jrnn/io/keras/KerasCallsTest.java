package dev.jrnn.io.keras;

import dev.jrnn.Jrnn;
import dev.jrnn.model.Model;
import dev.jrnn.model.Models;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How a layer's calls are read from a functional config: the call arguments Keras records in its nodes. */
class KerasCallsTest {
    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }

    /** Keras 3: Input(4) -> Dropout(0.5) called with {@code training} as given -> Dense(1). */
    private static String keras3(String training) {
        return """
                {"module": "keras.src.models.functional", "class_name": "Functional", "config": {"name": "f", "trainable": true,
                 "layers": [
                  {"module": "keras.layers", "class_name": "InputLayer", "name": "x", "config": {"batch_shape": [null, 4],
                   "dtype": "float32", "sparse": false, "name": "x"}, "inbound_nodes": []},
                  {"module": "keras.layers", "class_name": "Dropout", "name": "drop", "config": {"name": "drop", "trainable": true,
                   "dtype": "float32", "rate": 0.5, "seed": null, "noise_shape": null},
                   "inbound_nodes": [{"args": [{"class_name": "__keras_tensor__", "config": {"shape": [null, 4], "dtype": "float32",
                     "keras_history": ["x", 0, 0]}}], "kwargs": {%s}}]},
                  {"module": "keras.layers", "class_name": "Dense", "name": "out", "config": {"name": "out", "trainable": true,
                   "dtype": "float32", "units": 1, "activation": "linear", "use_bias": true},
                   "inbound_nodes": [{"args": [{"class_name": "__keras_tensor__", "config": {"shape": [null, 4], "dtype": "float32",
                     "keras_history": ["drop", 0, 0]}}], "kwargs": {}}]}],
                 "input_layers": [["x", 0, 0]], "output_layers": [["out", 0, 0]]}}""".formatted(training);
    }

    /** tf.keras 2: the same model, the call arguments as the fourth item of each inbound ref. */
    private static String tfKeras2(String training) {
        return """
                {"class_name": "Functional", "config": {"name": "f", "layers": [
                  {"class_name": "InputLayer", "name": "x", "config": {"batch_input_shape": [null, 4], "dtype": "float32",
                   "sparse": false, "ragged": false, "name": "x"}, "inbound_nodes": []},
                  {"class_name": "Dropout", "name": "drop", "config": {"name": "drop", "trainable": true, "dtype": "float32",
                   "rate": 0.5, "noise_shape": null, "seed": null}, "inbound_nodes": [[["x", 0, 0, {%s}]]]},
                  {"class_name": "Dense", "name": "out", "config": {"name": "out", "trainable": true, "dtype": "float32", "units": 1,
                   "activation": "linear", "use_bias": true}, "inbound_nodes": [[["drop", 0, 0, {}]]]}],
                 "input_layers": [["x", 0, 0]], "output_layers": [["out", 0, 0]]}}""".formatted(training);
    }

    /**
     * training=True in a node is Keras' Monte Carlo dropout: the dropout applies at inference, which jrnn's predict would
     * not do; refused naming the layer and the way round. training=False, which Keras versions record by default, and no
     * training argument load (jrnn ignored training=True before and predicted without the dropout).
     */
    @Test
    void aCallWithTrainingTrueIsRefusedNamingTheLayer() {
        for (String json : new String[] {keras3("\"training\": true"), tfKeras2("\"training\": true")}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Models.fromJson(json));
            assertTrue(e.getMessage().contains("drop") && e.getMessage().contains("training=True")
                    && e.getMessage().contains("Monte Carlo") && e.getMessage().contains("model.call(x, true)"), e.getMessage());
        }
        for (String json : new String[] {keras3("\"training\": false"), keras3(""), tfKeras2("\"training\": false"), tfKeras2("")}) {
            try (Model m = Models.fromJson(json)) {
                assertEquals(3, m.layers().size(), json);
            }
        }
    }
}
