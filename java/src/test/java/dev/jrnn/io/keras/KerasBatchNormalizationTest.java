package dev.jrnn.io.keras;

import dev.jrnn.Jrnn;
import dev.jrnn.data.Npy;
import dev.jrnn.io.Json;
import dev.jrnn.layers.BatchNormalization;
import dev.jrnn.layers.Layer;
import dev.jrnn.model.Model;
import dev.jrnn.model.Models;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link KerasBatchNormalization}: Keras 3's config and weight layout (make_keras_files.py's keras3_batch_normalization,
 * against numpy's inference outputs), jrnn's own save read back, and the options jrnn refuses.
 */
class KerasBatchNormalizationTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }

    @Test
    void keras3FilesPredictNumpysOutputs() throws IOException {
        Tensor x = Npy.read(GeneratedKerasFilesTest.resource("keras3_batch_normalization_x.npy"));
        float[] want = Npy.read(GeneratedKerasFilesTest.resource("keras3_batch_normalization_y.npy")).data();
        for (String f : List.of("keras3_batch_normalization.keras", "keras3_batch_normalization.h5")) {
            try (Model m = Models.load(GeneratedKerasFilesTest.resource(f))) {
                Tensor y = m.predict(x);
                for (int i = 0; i < want.length; i++) assertEquals(want[i], y.data()[i], 1e-5, f + ": element " + i);
                BatchNormalization a = (BatchNormalization) m.getLayer("batch_normalization");
                BatchNormalization b = (BatchNormalization) m.getLayer("batch_normalization_1");
                assertEquals(0.9, a.momentum(), f);
                assertEquals(0.01, a.epsilon(), f);
                assertTrue(a.trainable() && !b.trainable(), f);
                assertFalse(b.center(), f);
                assertEquals(0.5, b.gammaInitializer(), f);
                assertEquals(List.of("gamma", "moving_mean", "moving_variance"), b.params().stream().map(p -> p.name()).toList(), f);
            }
        }
    }

    /** What jrnn saves reads back with the same config, moving statistics and predictions (.keras and weights in .h5). */
    @Test
    void saveRoundTrip() throws IOException {
        Tensor x = Npy.read(GeneratedKerasFilesTest.resource("keras3_batch_normalization_x.npy"));
        try (Model m = Models.load(GeneratedKerasFilesTest.resource("keras3_batch_normalization.keras"))) {
            Tensor y = m.predict(x);
            Path keras = dir.resolve("bn.keras"), h5 = dir.resolve("bn.weights.h5");
            m.save(keras);
            m.saveWeights(h5);
            try (Model a = Models.load(keras); Model b = Models.load(GeneratedKerasFilesTest.resource("keras3_batch_normalization.keras"))) {
                assertEquals(m.getWeights(), a.getWeights());
                assertEquals(y, a.predict(x));
                for (Tensor w : b.getWeights()) for (int i = 0; i < w.data().length; i++) w.data()[i] = 0;
                b.loadWeights(h5);
                assertEquals(m.getWeights(), b.getWeights());
                assertEquals(y, b.predict(x));
                BatchNormalization bn = (BatchNormalization) a.getLayer("batch_normalization_1");
                assertFalse(bn.trainable());
                assertEquals(0.5, bn.gammaInitializer());
            }
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void configAsKeras3WritesIt() {
        BatchNormalization bn = new BatchNormalization().name("bn").momentum(0.9).center(false).movingVarianceInitializer(2);
        Map<String, Object> c = (Map<String, Object>) KerasLayers.config(bn).get("config");
        assertEquals(List.of("name", "trainable", "dtype", "axis", "momentum", "epsilon", "center", "scale", "beta_initializer",
                "gamma_initializer", "moving_mean_initializer", "moving_variance_initializer", "beta_regularizer",
                "gamma_regularizer", "beta_constraint", "gamma_constraint", "synchronized"), List.copyOf(c.keySet()),
                "the renorm options are left out: Keras before 3.14 refuses them as unknown keyword arguments");
        assertEquals("Ones", ((Map<String, Object>) c.get("gamma_initializer")).get("class_name"));
        Map<String, Object> mv = (Map<String, Object>) c.get("moving_variance_initializer");
        assertEquals("Constant", mv.get("class_name"));
        assertEquals(Map.of("value", 2.0), mv.get("config"));
        Layer back = layer(Json.write(KerasLayers.config(bn)));
        BatchNormalization r = (BatchNormalization) back;
        assertEquals(0.9, r.momentum());
        assertFalse(r.center());
        assertEquals(2.0, r.movingVarianceInitializer());
    }

    private static Layer layer(String json) {
        return new KerasLayers(3, "m.keras").build(new KerasConfig((Map<String, Object>) Json.parse(json), "layers[0]"));
    }

    private static String spec(String extra) {
        return "{\"class_name\": \"BatchNormalization\", \"config\": {\"name\": \"bn\"" + extra + "}}";
    }

    /** tf.keras 2 writes the built axes as a list and initializers as {"class_name", "config"} or names. */
    @Test
    void tfKeras2Config() {
        BatchNormalization bn = (BatchNormalization) layer(spec(", \"axis\": [2], \"momentum\": 0.95, \"epsilon\": 0.002,"
                + " \"gamma_initializer\": {\"class_name\": \"Constant\", \"config\": {\"value\": 0.25}},"
                + " \"moving_variance_initializer\": \"zeros\", \"beta_initializer\": {\"class_name\": \"Ones\", \"config\": {}}"));
        assertEquals(2, bn.axis());
        assertEquals(0.95, bn.momentum());
        assertEquals(0.002, bn.epsilon());
        assertEquals(0.25, bn.gammaInitializer());
        assertEquals(1.0, bn.betaInitializer());
        assertEquals(0.0, bn.movingVarianceInitializer());
        bn.build(List.of(new int[] {4, 3}));
        assertEquals(List.of(0.25f, 1f, 0f, 0f), bn.getWeights().stream().map(w -> w.data()[1]).toList());
    }

    @Test
    void refusedOptionsNameTheLayerAndTheOption() {
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put(", \"synchronized\": true", "option synchronized=true is not supported by jrnn (false only)");
        cases.put(", \"renorm\": true", "option renorm=true is not supported by jrnn (false only)");
        cases.put(", \"virtual_batch_size\": 4", "option virtual_batch_size=4 is not supported by jrnn (None only)");
        cases.put(", \"axis\": [1, 2]", "axis [1, 2] normalizes over several axes");
        cases.put(", \"axis\": 1.5", "'axis' should be an integer, got");
        cases.put(", \"gamma_initializer\": {\"class_name\": \"RandomNormal\", \"config\": {}}",
                "gamma_initializer='RandomNormal' is not supported by jrnn (Zeros, Ones or Constant)");
        cases.put(", \"beta_initializer\": {\"class_name\": \"Constant\", \"config\": {}}", "beta_initializer Constant should hold a number");
        cases.put(", \"momentum\": 1.5", "momentum must be in [0, 1], got 1.5");
        cases.put(", \"gamma_regularizer\": \"l2\"", "option gamma_regularizer is not one jrnn's BatchNormalization takes");
        for (Map.Entry<String, String> e : cases.entrySet()) {
            KerasFormatException ex = assertThrows(KerasFormatException.class, () -> layer(spec(e.getKey())), e.getKey());
            assertTrue(ex.getMessage().startsWith("layer 'bn' (BatchNormalization): "), ex.getMessage());
            assertTrue(ex.getMessage().contains(e.getValue()), ex.getMessage());
        }
    }
}
