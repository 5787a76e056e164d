package dev.jrnn.io.keras;

import dev.jrnn.Jrnn;
import dev.jrnn.data.Npy;
import dev.jrnn.model.Model;
import dev.jrnn.model.Models;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import static dev.jrnn.io.keras.GeneratedKerasFilesTest.resource;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Keras 3 functional files whose implicit masks are recorded as Keras 3 records them (generator/make_keras_files.py,
 * keras3_mask_ops): the ops that computed a mask (not_equal, any) listed among the layers and the mask passed in the
 * nodes' kwargs. Predictions equal numpy's float64 loop over the masked steps; explicit masks jrnn would not compute
 * and ops used as layer inputs are refused naming them.
 */
class KerasMaskOpsTest {
    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }

    @Test
    void implicitMasksRecordedAsOpsPredictNumpysOutputs() throws IOException {
        List<Tensor> x = List.of(Npy.read(resource("keras3_mask_ops_tokens.npy")), Npy.read(resource("keras3_mask_ops_features.npy")));
        float[] want = Npy.read(resource("keras3_mask_ops_y.npy")).data();
        for (String f : List.of("keras3_mask_ops.keras", "keras3_mask_ops.h5")) {
            try (Model m = Models.load(resource(f))) {
                assertEquals(List.of("tokens", "features", "embedding", "masking", "lstm", "gru", "concatenate", "dense"),
                        m.layers().stream().map(l -> l.name()).toList(), f + ": the ops are not layers");
                float[] got = m.predictAll(x, 32, null).get(0).data();
                assertEquals(want.length, got.length, f);
                for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], 2e-6, f + ": y[" + i + "]");
            }
        }
    }

    /**
     * Keras 3's Concatenate over two masked sequences records its mask computation (expand_dims, zeros_like, logical_or,
     * an ops.concatenate, any) among the layers; a legacy .h5 writes that Concatenate op without a module, told from the
     * layer by its config without "trainable" (it was read as a Concatenate layer fed by ops and refused).
     */
    @Test
    void aConcatenatedMaskLoadsFromTheKerasZipAndTheLegacyH5() throws IOException {
        Tensor tokens = Npy.read(resource("keras3_concat_masks_tokens.npy"));
        float[] want = Npy.read(resource("keras3_concat_masks_y.npy")).data();
        for (String f : List.of("keras3_concat_masks.keras", "keras3_concat_masks.h5")) {
            try (Model m = Models.load(resource(f))) {
                assertEquals(List.of("tokens", "embedding", "lstm", "gru", "concatenate", "lstm_1", "dense"),
                        m.layers().stream().map(l -> l.name()).toList(), f);
                KerasFixtures.assertClose(want, m.predict(tokens).data(), f);
            }
        }
    }

    /** The generated .keras with its config.json edited by {@code edit}, written to {@code out}. */
    private static Path edited(Path out, UnaryOperator<String> edit) throws IOException {
        return KerasFixtures.withConfig(resource("keras3_mask_ops.keras"), out, edit);
    }

    /** The generated .keras with its parsed config changed by {@code edit} (layers by name), written to {@code out}. */
    private static Path editedJson(Path out, java.util.function.Consumer<Map<String, Map<String, Object>>> edit) throws IOException {
        return KerasFixtures.withLayers(resource("keras3_mask_ops.keras"), out, edit);
    }

    private static Map<String, Object> tensor(String layer, String dtype) {
        return new LinkedHashMap<>(Map.of("class_name", "__keras_tensor__", "config",
                Map.of("shape", java.util.Arrays.asList(null, 6), "dtype", dtype, "keras_history", List.of(layer, 0L, 0L))));
    }

    private static Map<String, Object> op(String module, String cls, String name, Map<String, Object> config, Object... args) {
        Map<String, Object> c = new LinkedHashMap<>(config);
        c.put("name", name);
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("module", module);
        e.put("class_name", cls);
        e.put("config", c);
        e.put("registered_name", cls);
        e.put("name", name);
        e.put("inbound_nodes", List.of(Map.of("args", List.of(args), "kwargs", Map.of())));
        return e;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> kwargs(Map<String, Object> layer) {
        return (Map<String, Object>) ((List<Map<String, Object>>) layer.get("inbound_nodes")).get(0).get("kwargs");
    }

    @SuppressWarnings("unchecked")
    private static List<Object> args(Map<String, Object> layer) {
        return (List<Object>) ((List<Map<String, Object>>) layer.get("inbound_nodes")).get(0).get("args");
    }

    private static float[] predict(Path file) throws IOException {
        List<Tensor> x = List.of(Npy.read(resource("keras3_mask_ops_tokens.npy")), Npy.read(resource("keras3_mask_ops_features.npy")));
        try (Model m = Models.load(file)) {
            return m.predictAll(x, 32, null).get(0).data();
        }
    }

    /**
     * Keras 3.5 to 3.9 record the Cast of a layer's input to its compute dtype (mixed precision) as an op that feeds the
     * layer, and Masking's compute_mask then reads the cast input: jrnn computes in float32 and reads a cast as its input.
     */
    @Test
    void aMixedPrecisionCastOfALayersInputIsReadAsItsInput(@TempDir Path dir) throws IOException {
        Path f = editedJson(dir.resolve("cast.keras"), layers -> {
            Map<String, Object> cast = op("keras.src.ops.core", "Cast", "cast", Map.of("dtype", "float16"), tensor("features", "float32"));
            Map<String, Map<String, Object>> copy = new LinkedHashMap<>(layers);
            layers.clear();
            for (var e : copy.entrySet()) {
                if (e.getKey().equals("masking")) layers.put("cast", cast);
                layers.put(e.getKey(), e.getValue());
            }
            args(layers.get("masking")).set(0, tensor("cast", "float16"));
            args(layers.get("not_equal_1")).set(0, tensor("cast", "float16"));
        });
        float[] want = Npy.read(resource("keras3_mask_ops_y.npy")).data(), got = predict(f);
        for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], 2e-6, "y[" + i + "]");
    }

    /**
     * Keras 3.0 to 3.3 merged masks with all() (AND); jrnn, as 3.4 and later, with OR and no mask when an input has
     * none. A file with all() in its mask ops loads where a merge's inputs carry one same mask, and is refused naming the
     * merge where they differ.
     */
    @Test
    void keras30To33MergedMasksLoadOnlyWhereAndAndOrAgree(@TempDir Path dir) throws IOException {
        java.util.function.Function<Boolean, java.util.function.Consumer<Map<String, Map<String, Object>>>> withAll = same -> layers -> {
            layers.put("all", op("keras.src.ops.numpy", "All", "all", Map.of("axis", 0L, "keepdims", false), tensor("not_equal", "bool")));
            kwargs(layers.get("concatenate")).put("mask", java.util.Arrays.asList(tensor("not_equal", "bool"), same ? tensor("not_equal", "bool") : null));
        };
        float[] want = Npy.read(resource("keras3_mask_ops_y.npy")).data(), got = predict(editedJson(dir.resolve("same.keras"), withAll.apply(true)));
        for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], 2e-6, "y[" + i + "]");
        String m = refused(editedJson(dir.resolve("differ.keras"), withAll.apply(false)));
        assertTrue(m.contains("layer 'concatenate'") && m.contains("3.4") && m.contains("AND"), m);
    }

    /** A legacy .h5 saved by Keras 3 writes the ops without a module (legacy serialization): still read as ops. */
    @Test
    void theLegacyH5sOpsHaveNoModuleAndAreReadAsOps() throws IOException {
        try (io.jhdf.HdfFile h5 = new io.jhdf.HdfFile(resource("keras3_mask_ops.h5"))) {
            String cfg = (String) h5.getAttribute("model_config").getData();
            assertTrue(cfg.contains("{\"class_name\": \"NotEqual\", \"config\"") && !cfg.contains("keras.src.ops"), "the fixture writes what Keras' legacy saving writes");
        }
        float[] want = Npy.read(resource("keras3_mask_ops_y.npy")).data(), got = predict(resource("keras3_mask_ops.h5"));
        for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], 2e-6, "y[" + i + "]");
    }

    private static String refused(Path file) {
        byte[] before = readQuietly(file);
        IOException e = assertThrows(IOException.class, () -> Models.load(file));
        assertTrue(java.util.Arrays.equals(before, readQuietly(file)), "the file is left as it was");
        assertTrue(e.getMessage().contains(file.getFileName().toString()), e.getMessage());
        return e.getMessage();
    }

    private static byte[] readQuietly(Path f) {
        try {
            return Files.readAllBytes(f);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Embedding without mask_zero: the LSTM's mask (not_equal(tokens, 0)) is the user's own, which jrnn would drop. */
    @Test
    void anExplicitMaskComputedByOpsIsRefusedNamingTheLayerAndTheOp(@TempDir Path dir) throws IOException {
        String m = refused(edited(dir.resolve("explicit.keras"), c -> c.replace("\"mask_zero\": true", "\"mask_zero\": false")));
        assertTrue(m.contains("layer 'lstm'") && m.contains("'not_equal'") && m.contains("mask")
                && m.contains("Masking") && m.contains("mask_zero"), m);
    }

    /**
     * not_equal against another value than the masking layer's (tokens != 5 where the Embedding masks 0, features != 1
     * where Masking's mask_value is 0) is the user's own mask on that input: refused, naming the value.
     */
    @Test
    void aMaskAgainstAnotherValueThanTheMaskingLayersIsRefused(@TempDir Path dir) throws IOException {
        String m = refused(editedJson(dir.resolve("five.keras"), layers -> args(layers.get("not_equal")).set(1, 5L)));
        assertTrue(m.contains("layer 'lstm'") && m.contains("!= 5.0") && m.contains("mask_zero"), m);
        m = refused(editedJson(dir.resolve("one.keras"), layers -> args(layers.get("not_equal_1")).set(1, 1.0)));
        assertTrue(m.contains("layer 'gru'") && m.contains("!= 1.0") && m.contains("mask_value"), m);
    }

    /**
     * Masking(0.1) and its not_equal(x, 0.1): Keras compares in float32, the file holds the double 0.1 (jrnn compared it
     * with the float 0.1 widened and refused it); a cast of the boolean mask itself (after its not_equal) keeps it.
     */
    @Test
    void aFloatMaskValueAndACastOfTheMaskItselfLoad(@TempDir Path dir) throws IOException {
        Path f = editedJson(dir.resolve("tenth.keras"), layers -> {
            @SuppressWarnings("unchecked")
            Map<String, Object> c = (Map<String, Object>) layers.get("masking").get("config");
            c.put("mask_value", 0.1);
            args(layers.get("not_equal_1")).set(1, 0.1);
            layers.put("cast_mask", op("keras.src.ops.core", "Cast", "cast_mask", Map.of("dtype", "int32"), tensor("not_equal", "bool")));
            kwargs(layers.get("lstm")).put("mask", tensor("cast_mask", "int32"));
        });
        try (Model m = Models.load(f)) {
            assertEquals(0.1, ((dev.jrnn.layers.Masking) m.getLayer("masking")).maskValue(), 1e-7);
        }
    }

    /** A cast to an int or bool dtype changes values: only mixed precision's float casts are read as their input. */
    @Test
    void aCastToAnIntDtypeIsRefusedAsAnOp(@TempDir Path dir) throws IOException {
        String m = refused(editedJson(dir.resolve("intcast.keras"), layers -> {
            layers.put("cast", op("keras.src.ops.core", "Cast", "cast", Map.of("dtype", "int32"), tensor("features", "float32")));
            args(layers.get("masking")).set(0, tensor("cast", "int32"));
        }));
        assertTrue(m.contains("layer 'masking'") && m.contains("'cast'") && m.contains("Cast"), m);
    }

    /** A mask taken from a layer's output (here the features input itself) is an explicit mask: refused. */
    @Test
    void aMaskFromALayersOutputIsRefusedNamingIt(@TempDir Path dir) throws IOException {
        String m = refused(edited(dir.resolve("fromlayer.keras"), c -> c.replace("\"keras_history\": [\"any\", 0, 0]",
                "\"keras_history\": [\"features\", 0, 0]")));
        assertTrue(m.contains("layer 'gru'") && m.contains("'features'") && m.contains("mask"), m);
    }

    /** An op's output as a layer's input (keras.ops in a functional graph) is not read: refused naming the op. */
    @Test
    void anOpUsedAsALayersInputIsRefusedNamingIt(@TempDir Path dir) throws IOException {
        String m = refused(edited(dir.resolve("opinput.keras"), c -> c.replace("\"keras_history\": [\"concatenate\", 0, 0]",
                "\"keras_history\": [\"any\", 0, 0]")));
        assertTrue(m.contains("layer 'dense'") && m.contains("'any'") && m.contains("Any") && m.contains("keras.src.ops.numpy"), m);
    }

    /** An op that is not one of the ops Keras' compute_mask uses is refused even where it only feeds a mask. */
    @Test
    void anUnknownMaskOpIsRefusedNamingIt(@TempDir Path dir) throws IOException {
        String m = refused(edited(dir.resolve("unknown.keras"), c -> c.replace("\"class_name\": \"Any\"", "\"class_name\": \"Sin\"")
                .replace("\"registered_name\": \"Any\"", "\"registered_name\": \"Sin\"")));
        assertTrue(m.contains("'any'") && m.contains("Sin"), m);
    }
}
