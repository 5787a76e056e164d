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

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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

    private static Normalization read(Map<String, Object> options) {
        Map<String, Object> cfg = new LinkedHashMap<>();
        cfg.put("name", "norm");
        cfg.put("axis", List.of(-1L));
        cfg.put("invert", false);
        cfg.put("mean", null);
        cfg.put("variance", null);
        cfg.putAll(options);
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("class_name", "Normalization");
        spec.put("config", cfg);
        return (Normalization) new KerasLayers(3, "m.keras").build(new KerasConfig(spec, "layers[1]"));
    }

    private static Map<String, Object> opts(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return m;
    }

    /** Keras 3's config options as get_config writes them: axis a tuple ([] and null: None), mean / variance numbers or lists. */
    @Test
    void kerasConfigOptionsAreRead() {
        assertArrayEquals(new int[] {1, 2}, read(opts("axis", List.of(1L, 2L))).axis());
        assertArrayEquals(new int[] {}, read(opts("axis", List.of())).axis());
        assertArrayEquals(new int[] {}, read(opts("axis", null)).axis());
        assertArrayEquals(new int[] {-2}, read(opts("axis", -2L)).axis());
        Normalization scalar = read(opts("mean", 3.0, "variance", 2L));
        assertTrue(scalar.constantsAreScalars());
        assertEquals(Tensor.wrap(new float[] {2}, 1), scalar.constantVariance());
        Normalization list = read(opts("axis", List.of(1L, 2L), "mean", List.of(List.of(1.0, 2.0), List.of(3.0, 4.0)),
                "variance", List.of(List.of(1.0, 1.0), List.of(4.0, 4.0))));
        assertEquals(Tensor.wrap(new float[] {1, 2, 3, 4}, 2, 2), list.constantMean());
        Object[][] refused = {
                {opts("mean", 3.0), "layer 'norm' (Normalization): mean and variance must both be set or both be None, got mean=3.0 and variance=null"},
                {opts("mean", List.of(List.of(1.0, 2.0), List.of(3.0)), "variance", List.of(1.0)),
                        "layer 'norm' (Normalization): option mean is not rectangular: expected 2 entries at depth 1, got [3.0]"},
                {opts("mean", List.of(List.of(1.0)), "variance", List.of(List.of(1.0))),
                        "layer 'norm' (Normalization): norm: the rank of mean must be at most the number of axes (1), got mean shape (1, 1) for axis [-1]"},
                {opts("mean", List.of(1.0, 2.0), "variance", List.of(1.0)),
                        "layer 'norm' (Normalization): norm: mean and variance must have the same shape, got mean (2,) and variance (1,)"},
                {opts("mean", 3.0, "variance", List.of(1.0, 2.0)),
                        "layer 'norm' (Normalization): mean and variance must have the same shape (Keras' check), got mean=3.0 and variance=[1.0, 2.0]"},
                {opts("axis", List.of("a")), "layer 'norm' (Normalization): 'axis' should be an integer, got \"a\""},
        };
        for (Object[] c : refused) {
            @SuppressWarnings("unchecked") Map<String, Object> o = (Map<String, Object>) c[0];
            KerasFormatException e = assertThrows(KerasFormatException.class, () -> read(o));
            assertEquals(c[1], e.getMessage());
        }
    }

    /**
     * jrnn's .keras and weights files for other axes and constants: the config as Keras' get_config writes it, the weights
     * in Keras' shapes (axis None: scalar datasets; kept (1, 2): (steps, features)), read back to the same predictions.
     */
    @Test
    void otherAxesAndConstantsRoundTrip() throws IOException {
        Tensor x = Tensor.wrap(new float[] {0, 7.5f, 4, 11.5f, 8, 4.5f, 12, 8.5f, 5, 12.5f, 9, 5.5f, 13, 9.5f, 17, 13.5f, 10, 17.5f, 14, 10.5f,
                18, 14.5f, 11, 18.5f}, 2, 3, 4);
        dev.jrnn.model.Input in = dev.jrnn.model.Input.shape(3, 4);
        Normalization all = new Normalization().name("all").axisNone().adapt(x), kept = new Normalization().name("kept").axis(1, 2).adapt(x);
        Normalization constant = new Normalization().name("constant").axis(-1).meanAndVariance(Tensor.wrap(new float[] {1, 2, 3, 4}, 4),
                Tensor.wrap(new float[] {1, 4, 9, 16}, 4));
        Normalization scalar = new Normalization().name("scalar").invert(true).meanAndVariance(3, 2);
        try (Model m = new Model(in, scalar.apply(constant.apply(kept.apply(all.apply(in)))))) {
            Tensor y = m.predict(x);
            String json = m.toJson();
            for (String want : List.of("\"axis\":[]", "\"axis\":[1,2]", "\"mean\":[1.0,2.0,3.0,4.0]", "\"mean\":3.0", "\"variance\":2.0",
                    "\"mean\":null", "\"invert\":true")) {
                assertTrue(json.replace(" ", "").contains(want), want + " in " + json);
            }
            Path keras = dir.resolve("axes.keras"), h5 = dir.resolve("axes.weights.h5");
            m.save(keras);
            m.saveWeights(h5);
            try (Model a = Models.load(keras)) {
                assertEquals(m.getWeights(), a.getWeights());
                assertEquals(y, a.predict(x));
                assertArrayEquals(new int[] {1, 2}, ((Normalization) a.getLayer("kept")).axis());
                assertEquals(scalar.constantMean(), ((Normalization) a.getLayer("scalar")).constantMean());
                assertTrue(((Normalization) a.getLayer("scalar")).invert());
            }
            try (io.jhdf.HdfFile f = new io.jhdf.HdfFile(h5)) {
                assertEquals(0, f.getDatasetByPath("layers/normalization/vars/0").getDimensions().length, "axis None: a scalar mean");
                assertEquals(0, f.getDatasetByPath("layers/normalization/vars/1").getDimensions().length);
                assertArrayEquals(new int[] {3, 4}, f.getDatasetByPath("layers/normalization_1/vars/0").getDimensions());
                assertEquals(2, ((io.jhdf.api.Group) f.getByPath("layers")).getChildren().size(), "the constant layers hold no variables");
            }
            try (Model b = Models.fromJson(m.toJson())) {
                b.loadWeights(h5);
                assertEquals(m.getWeights(), b.getWeights());
                assertEquals(y, b.predict(x));
            }
        }
    }
}
