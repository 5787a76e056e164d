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
        try (Model m = new KerasGraph(new KerasLayers(2, "f.h5"), null).build(Json.parse(config))) {
            assertInstanceOf(Sequential.class, m);
            assertArrayEquals(new int[] {5, 4}, m.inputs().get(0).shape());
            assertArrayEquals(new int[] {2}, m.outputs().get(0).shape());
        }
    }

    /**
     * Keras 3 writes the inputs and outputs of a model built with dicts ({@code Model({"sig": a, "aux": b}, {"price": p,
     * "kind": k})}) as dicts of refs; its model.inputs / outputs are them flattened in sorted key order, and so are jrnn's.
     */
    @Test
    void inputsAndOutputsGivenAsDictsTakeKerasSortedKeyOrder() {
        String t = "{\"class_name\": \"__keras_tensor__\", \"config\": {\"shape\": [null, %d], \"dtype\": \"float32\", \"keras_history\": [\"%s\", 0, 0]}}";
        String in = "{\"module\": \"keras.layers\", \"class_name\": \"InputLayer\", \"config\": {\"batch_shape\": [null, %d], \"dtype\": \"float32\","
                + " \"sparse\": false, \"name\": \"%s\"}, \"registered_name\": null, \"name\": \"%s\", \"inbound_nodes\": []}";
        String dense = "{\"module\": \"keras.layers\", \"class_name\": \"Dense\", \"config\": {\"name\": \"%s\", \"units\": %d}, \"registered_name\": null,"
                + " \"name\": \"%s\", \"inbound_nodes\": [{\"args\": [" + t + "], \"kwargs\": {}}]}";
        String config = "{\"module\": \"keras\", \"class_name\": \"Functional\", \"config\": {\"name\": \"f\", \"trainable\": true, \"layers\": ["
                + String.format(in, 3, "sig", "sig") + ", " + String.format(in, 2, "aux", "aux") + ", "
                + String.format(dense, "price", 1, "price", 3, "sig") + ", " + String.format(dense, "kind", 4, "kind", 2, "aux") + "],"
                + " \"input_layers\": {\"sig\": [\"sig\", 0, 0], \"aux\": [\"aux\", 0, 0]},"
                + " \"output_layers\": {\"price\": [\"price\", 0, 0], \"kind\": [\"kind\", 0, 0]}}, \"registered_name\": null}";
        try (Model m = new KerasGraph(new KerasLayers(3, "f.keras"), null).build(Json.parse(config))) {
            org.junit.jupiter.api.Assertions.assertEquals(java.util.List.of("aux", "sig"), m.inputs().stream().map(n -> n.layer().name()).toList());
            org.junit.jupiter.api.Assertions.assertEquals(java.util.List.of("kind", "price"), m.outputs().stream().map(n -> n.layer().name()).toList());
            assertArrayEquals(new int[] {4}, m.outputs().get(0).shape());
        }
    }
}
