package dev.jrnn.io.keras;

import dev.jrnn.Jrnn;
import dev.jrnn.io.Json;
import dev.jrnn.layers.Node;
import dev.jrnn.model.Model;
import dev.jrnn.model.Models;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link KerasInputShape}: a model's input declared by each of Keras' shape keys, read as Keras does. The cases and
 * Keras' answers are input_shape_keys/input_shape_keys.json, written by make_input_shape_keys.py beside it: Keras 3.15.1's
 * model_from_json, run; and, where Keras 3 refuses or misreads a first layer's keys, tf.keras 2's reading of them, a rule
 * hand-transcribed from tf.keras 2.x source (keras-team/keras v2.15.0, keras/engine/base_layer.py Layer.__init__ and
 * keras/layers/rnn/base_rnn.py RNN.__init__), not run.
 */
class KerasInputShapeTest {
    @BeforeEach
    void cpu() {
        Jrnn.setBackend("cpu");
    }

    static Stream<Arguments> cases() throws Exception {
        String json = Files.readString(GeneratedKerasFilesTest.resource("input_shape_keys/input_shape_keys.json"));
        Map<?, ?> all = (Map<?, ?>) Json.parse(json);
        assertEquals("3.15.1", all.get("keras_version"));
        return ((List<?>) all.get("cases")).stream().map(c -> Arguments.of(((Map<?, ?>) c).get("name"), c));
    }

    /** Keras' input shape (the batch first, null where not fixed), "unbuilt", or "refused" naming the keys at fault. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void anInputDeclaredByAnyShapeKeyIsKeras(String name, Map<?, ?> c) {
        String config = (String) c.get("config");
        Object expected = c.get("expected");
        if ("refused".equals(expected)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Models.fromJson(config), name);
            for (Object n : (List<?>) c.get("names")) assertTrue(e.getMessage().contains(n.toString()), e.getMessage());
            return;
        }
        try (Model m = Models.fromJson(config)) {
            if ("unbuilt".equals(expected)) {
                assertFalse(m.isBuilt(), name);
                return;
            }
            Node in = m.inputs().get(0);
            List<Object> shape = new ArrayList<>();
            shape.add(in.batchSize() > 0 ? (Object) (long) in.batchSize() : null);
            for (int d : in.shape()) shape.add(d < 0 ? null : (Object) (long) d);
            assertEquals(expected, shape, name);
        }
    }
}
