package dev.jrnn.io.keras;

import dev.jrnn.io.Json;
import dev.jrnn.model.Model;
import dev.jrnn.model.Sequential;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/** {@link KerasGraph}: model configs as Keras writes them, wired into jrnn models. */
class KerasGraphTest {
    /**
     * tf.keras writes a Sequential that was built by fit, without an input shape on its first layer, with the shape in
     * {@code build_input_shape} instead.
     */
    @Test
    void aSequentialBuiltByFitTakesItsBuildInputShape() {
        String config = "{\"class_name\": \"Sequential\", \"config\": {\"name\": \"sequential\", \"layers\": ["
                + "{\"class_name\": \"LSTM\", \"config\": {\"name\": \"lstm\", \"units\": 3}},"
                + "{\"class_name\": \"Dense\", \"config\": {\"name\": \"dense\", \"units\": 2}}],"
                + " \"build_input_shape\": [null, 5, 4]}}";
        try (Model m = new KerasGraph(new KerasLayers(2, "f.h5")).build(Json.parse(config))) {
            assertInstanceOf(Sequential.class, m);
            assertArrayEquals(new int[] {5, 4}, m.inputs().get(0).shape());
            assertArrayEquals(new int[] {2}, m.outputs().get(0).shape());
        }
    }
}
