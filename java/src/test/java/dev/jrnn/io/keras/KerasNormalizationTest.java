package dev.jrnn.io.keras;

import dev.jrnn.Jrnn;
import dev.jrnn.data.Npy;
import dev.jrnn.layers.Normalization;
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
 * Keras' preprocessing Normalization in Keras files (make_keras_files.py's keras3_normalization: an adapted one, a Dense,
 * an inverting one; count an int64 scalar) against numpy's outputs, jrnn's save and weights file read back, and the
 * options jrnn refuses.
 */
class KerasNormalizationTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }

    @Test
    void keras3FilesPredictNumpysOutputs() throws IOException {
        Tensor x = Npy.read(GeneratedKerasFilesTest.resource("keras3_normalization_x.npy"));
        float[] want = Npy.read(GeneratedKerasFilesTest.resource("keras3_normalization_y.npy")).data();
        for (String f : List.of("keras3_normalization.keras", "keras3_normalization.h5")) {
            try (Model m = Models.load(GeneratedKerasFilesTest.resource(f))) {
                Tensor y = m.predict(x);
                for (int i = 0; i < want.length; i++) assertEquals(want[i], y.data()[i], 1e-5 * (1 + Math.abs(want[i])), f + ": element " + i);
                Normalization a = (Normalization) m.getLayer("normalization"), b = (Normalization) m.getLayer("normalization_1");
                assertTrue(!a.invert() && b.invert(), f);
                assertEquals(List.of("mean", "variance", "count"), a.params().stream().map(p -> p.name()).toList(), f);
                assertEquals(0f, a.getWeights().get(2).data()[0], f);
                assertFalse(a.params().stream().anyMatch(p -> p.trainable()), f);
            }
        }
    }

    /** What jrnn saves (.keras, and the weights alone) reads back with the same weights and predictions. */
    @Test
    void saveRoundTrip() throws IOException {
        Tensor x = Npy.read(GeneratedKerasFilesTest.resource("keras3_normalization_x.npy"));
        try (Model m = Models.load(GeneratedKerasFilesTest.resource("keras3_normalization.keras"))) {
            Tensor y = m.predict(x);
            Path keras = dir.resolve("n.keras"), h5 = dir.resolve("n.weights.h5");
            m.save(keras);
            m.saveWeights(h5);
            try (Model a = Models.load(keras); Model b = Models.load(GeneratedKerasFilesTest.resource("keras3_normalization.keras"))) {
                assertEquals(m.getWeights(), a.getWeights());
                assertEquals(y, a.predict(x));
                for (Tensor w : b.getWeights()) java.util.Arrays.fill(w.data(), 0f);
                b.loadWeights(h5);
                assertEquals(m.getWeights(), b.getWeights());
                assertEquals(y, b.predict(x));
            }
            try (io.jhdf.HdfFile f = new io.jhdf.HdfFile(h5)) {   // count as Keras keeps it: an int64 scalar
                io.jhdf.api.Dataset count = f.getDatasetByPath("layers/normalization/vars/2");
                assertEquals(0, count.getDimensions().length);
                assertTrue(count.getJavaType() == long.class || count.getJavaType() == Long.class, count.getJavaType().toString());
            }
        }
    }

    /** The generated Keras 3 weights file alone loads into a fresh model of the same config (count read as an int64 scalar). */
    @Test
    void kerasWeightsFileLoads() throws IOException {
        Tensor x = Npy.read(GeneratedKerasFilesTest.resource("keras3_normalization_x.npy"));
        try (Model m = Models.load(GeneratedKerasFilesTest.resource("keras3_normalization.keras")); Model fresh = Models.fromJson(m.toJson())) {
            fresh.loadWeights(GeneratedKerasFilesTest.resource("keras3_normalization.weights.h5"));
            assertEquals(m.getWeights(), fresh.getWeights());
            assertEquals(m.predict(x), fresh.predict(x));
        }
    }

    /** Another axis and constant mean / variance are refused naming the layer and the option. */
    @Test
    void unsupportedOptionsAreRefused() {
        KerasLayers k = new KerasLayers(3, "m.keras");
        Object[][] cases = {
                {"axis", List.of(1L, 2L), "layer 'norm' (Normalization): option axis=[1, 2] is not supported by jrnn (-1, the last axis, only)"},
                {"axis", List.of(), "layer 'norm' (Normalization): option axis=[] is not supported by jrnn (-1, the last axis, only)"},
                {"mean", 3.0, "layer 'norm' (Normalization): option mean=3.0 is not supported by jrnn (None: adapt the layer; its statistics are then weights)"},
                {"variance", List.of(1.0, 2.0), "layer 'norm' (Normalization): option variance=[1.0, 2.0] is not supported by jrnn (None: adapt the layer; its statistics are then weights)"},
        };
        for (Object[] c : cases) {
            Map<String, Object> cfg = new LinkedHashMap<>();
            cfg.put("name", "norm");
            cfg.put("axis", List.of(-1L));
            cfg.put("invert", false);
            cfg.put("mean", null);
            cfg.put("variance", null);
            cfg.put((String) c[0], c[1]);
            Map<String, Object> spec = new LinkedHashMap<>();
            spec.put("class_name", "Normalization");
            spec.put("config", cfg);
            KerasFormatException e = assertThrows(KerasFormatException.class, () -> k.build(new KerasConfig(spec, "layers[1]")));
            assertEquals(c[2], e.getMessage());
        }
    }
}
