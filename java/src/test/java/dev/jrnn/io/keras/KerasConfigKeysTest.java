package dev.jrnn.io.keras;

import dev.jrnn.Jrnn;
import dev.jrnn.LogCapture;
import dev.jrnn.data.Npy;
import dev.jrnn.model.Model;
import dev.jrnn.model.Models;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.jrnn.io.keras.GeneratedKerasFilesTest.keras3Real;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The config keys Keras reads beyond a layer's own ({@link KerasLayerKeysTest}): an InputLayer's shape as Keras 3 resolves
 * it, unknown keys where every Keras ignores them (the file, the model config, a layer entry, metadata.json, Keras 3's
 * InputLayer), and initializer names no Keras has. The files are cfgkeys.keras, saved by Keras 3.15.1, edited one key at
 * a time by {@code keras3_real/make_config_keys.py}, which prints what Keras 3.15.1 does with each (the predictions of
 * those it loads are the golden {@code cfgkeys_<edit>_y.npy}); cfgkeys_tf2_custom_init.h5 is saved by the tf.keras 2
 * engine of TensorFlow 2.21 with a user's initializer function (its keras_version "2.21.0" set by the script: that engine sets none).
 */
class KerasConfigKeysTest {
    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }

    private static void predictsAsKeras(String edit, int batch) throws IOException {
        try (Model m = Models.load(keras3Real("cfgkeys_" + edit + ".keras"))) {
            assertEquals(batch, m.inputs().get(0).batchSize(), edit);
            KerasFixtures.assertClose(Npy.read(keras3Real("cfgkeys_" + edit + "_y.npy")).data(),
                    m.predict(Npy.read(keras3Real("cfgkeys_x.npy"))).data(), edit);
        }
    }

    /** Keras 3's InputLayer takes shape (with batch_size) as well as batch_shape; jrnn said 'has no batch_input_shape'. */
    @Test
    void anInputLayersShapeArgumentReadsAsKeras3() throws IOException {
        predictsAsKeras("shape", -1);
        predictsAsKeras("batch_size", 4);
    }

    /** Keras 3 (and tf.keras 2 and Keras 2, but for the InputLayer) ignores an unknown key outside a layer's config. */
    @Test
    void unknownKeysWhereKerasIgnoresThemLoad() throws IOException {
        predictsAsKeras("extra", -1);
    }

    @Test
    void shapeBesideBatchShapeIsRefusedAsKeras3RefusesIt() {
        Path f = keras3Real("cfgkeys_both_shapes.keras");
        IOException e = assertThrows(IOException.class, () -> Models.load(f).close());
        for (String s : List.of("cfgkeys_both_shapes.keras", "InputLayer 'i'", "both shape [3, 2] and batch_shape [null, 3, 2]",
                "You cannot pass both `shape` and `batch_shape`")) {
            assertTrue(e.getMessage().contains(s), s + " in " + e.getMessage());
        }
    }

    /** Keras 3.15.1: 'Could not interpret initializer identifier'; jrnn warned and drew its default. */
    @Test
    void anInitializerNameNoKerasHasIsRefused() {
        Path f = keras3Real("cfgkeys_init_name.keras");
        IOException e = assertThrows(IOException.class, () -> Models.load(f).close());
        for (String s : List.of("cfgkeys_init_name.keras", "layer 'd' (Dense): kernel_initializer: class GlorotUnifrom is not an initializer"
                + " of any Keras jrnn reads", "did you mean GlorotUniform?")) {
            assertTrue(e.getMessage().contains(s), s + " in " + e.getMessage());
        }
    }

    /**
     * Keras 3.15.1's activations.get is case-sensitive: cfgkeys.keras with the LSTM's "activation": "tanh" made "Tanh" gives
     * "ValueError: Could not interpret activation function identifier: Tanh" from load_model (Keras 2's and tf.keras 2's
     * get look names up as written too); jrnn lower-cased it and loaded the file. Models.fromJson of the same config refuses it
     * as an IllegalArgumentException.
     */
    @Test
    void anUpperCaseActivationNameIsRefusedAsKerasRefusesIt(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        Path f = KerasFixtures.withConfig(keras3Real("cfgkeys.keras"), dir.resolve("upper.keras"),
                t -> t.replaceFirst("\"activation\": \"tanh\"", "\"activation\": \"Tanh\""));
        IOException e = assertThrows(IOException.class, () -> Models.load(f).close());
        for (String s : List.of("upper.keras", "layer 'l' (LSTM): activation='Tanh' is not supported: unknown activation 'Tanh'"
                + " (Keras' names are lower case: did you mean tanh?)")) {
            assertTrue(e.getMessage().contains(s), s + " in " + e.getMessage());
        }
        String json;
        try (java.util.zip.ZipFile z = new java.util.zip.ZipFile(f.toFile())) {
            json = new String(z.getInputStream(z.getEntry("config.json")).readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        IllegalArgumentException j = assertThrows(IllegalArgumentException.class, () -> Models.fromJson(json).close());
        assertTrue(j.getMessage().contains("layer 'l' (LSTM): activation='Tanh' is not supported: unknown activation 'Tanh'"
                + " (Keras' names are lower case: did you mean tanh?)"), j.getMessage());
    }

    /**
     * Names Keras 3.15.1's activations.get refuses that jrnn took: "none" and "" (linear here), and "hard_sigmoid_v3" (jrnn's
     * old alias of Keras 3's hard_sigmoid; no jrnn writer ever wrote it). Keras, on cfgkeys.keras with the LSTM's
     * "activation" made each of them, and on {@code keras.activations.get(name)}:
     * "ValueError: Could not interpret activation function identifier: none" (and ": ", ": hard_sigmoid_v3"); tf.keras 2.21's
     * get: "Unknown activation function: none" (the same for the others). Every other name jrnn takes is a key of Keras'
     * ALL_OBJECTS_DICT, except jrnn's own "hard_sigmoid_keras2" (GUIDE); None (null) is linear in both. The file, its
     * config through fromJson and the Java API all refuse them.
     */
    @Test
    void activationNamesKerasRefusesAreRefused(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        Map<String, String> hints = Map.of("none", "(Keras refuses it too: the identity is \"linear\", or null as Keras' None)",
                "", "(Keras refuses it too: the identity is \"linear\", or null as Keras' None)",
                "hard_sigmoid_v3", "(jrnn's old alias, which Keras refuses: Keras 3's is \"hard_sigmoid\")");
        for (Map.Entry<String, String> h : hints.entrySet()) {
            String name = h.getKey(), says = "layer 'l' (LSTM): activation='" + name + "' is not supported: unknown activation '" + name
                    + "' " + h.getValue();
            Path f = KerasFixtures.withConfig(keras3Real("cfgkeys.keras"), dir.resolve("act" + name.length() + ".keras"),
                    t -> t.replaceFirst("\"activation\": \"tanh\"", "\"activation\": \"" + name + "\""));
            IOException e = assertThrows(IOException.class, () -> Models.load(f).close());
            assertTrue(e.getMessage().contains(f.getFileName().toString()) && e.getMessage().contains(says), e.getMessage());
            String json;
            try (java.util.zip.ZipFile z = new java.util.zip.ZipFile(f.toFile())) {
                json = new String(z.getInputStream(z.getEntry("config.json")).readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            }
            IllegalArgumentException j = assertThrows(IllegalArgumentException.class, () -> Models.fromJson(json).close());
            assertTrue(j.getMessage().contains(says), j.getMessage());
            IllegalArgumentException api = assertThrows(IllegalArgumentException.class, () -> new dev.jrnn.layers.Dense(2).activation(name));
            assertTrue(api.getMessage().contains("unknown activation '" + name + "' " + h.getValue()), api.getMessage());
        }
    }

    /**
     * An InputLayer's sparse, ragged and optional (Keras 3 keys; jrnn feeds dense tensors, never None) load with one
     * warning naming the layer and the key, where jrnn dropped them silently. Not refused: Keras 3.15.1 loads sparse and
     * optional on JAX, and all three on TensorFlow, with cfgkeys.keras' predictions ({@code keras3_real/input_flags.py}:
     * max difference 0.0 on JAX, 6e-8 on TensorFlow; JAX refuses ragged, which TensorFlow loads).
     */
    @Test
    void inputLayerFlagsJrnnCannotHonourWarn(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        for (String key : List.of("sparse", "ragged", "optional")) {
            Path f = KerasFixtures.withConfig(keras3Real("cfgkeys.keras"), dir.resolve(key + ".keras"),
                    t -> t.replaceFirst("\"" + key + "\": false", "\"" + key + "\": true"));
            List<String> w = LogCapture.warnings(KerasImport.class.getName(), () -> {
                try (Model m = Models.load(f)) {
                    KerasFixtures.assertClose(Npy.read(keras3Real("cfgkeys_y.npy")).data(), m.predict(Npy.read(keras3Real("cfgkeys_x.npy"))).data(), key);
                }
            });
            assertEquals(1, w.size(), w.toString());
            assertTrue(w.get(0).startsWith(f + ": InputLayer 'i' sets [" + key + "], which jrnn cannot honour: it takes dense inputs"), w.get(0));
        }
    }

    /** cfgkeys.keras with config.json's bytes edited as {@code keras3_real/refused_configs.py} edits them. */
    private static Path edited(Path dir, String name, String regex, byte[] by) throws IOException {
        return edited(dir, name, "config.json", regex, by);
    }

    /** {@link #edited(Path, String, String, byte[])} of zip member {@code member}. */
    private static Path edited(Path dir, String name, String member, String regex, byte[] by) throws IOException {
        Path out = dir.resolve(name + ".keras");
        try (java.util.zip.ZipFile in = new java.util.zip.ZipFile(keras3Real("cfgkeys.keras").toFile());
             java.util.zip.ZipOutputStream z = new java.util.zip.ZipOutputStream(Files.newOutputStream(out))) {
            for (var e : java.util.Collections.list(in.entries())) {
                byte[] b = in.getInputStream(e).readAllBytes();
                if (e.getName().equals(member)) {   // ISO-8859-1: byte for char, so the bytes go back as they were
                    String t = new String(b, java.nio.charset.StandardCharsets.ISO_8859_1);
                    java.util.regex.Matcher m = java.util.regex.Pattern.compile(regex).matcher(t);
                    assertTrue(m.find(), regex);
                    t = t.substring(0, m.start()) + new String(by, java.nio.charset.StandardCharsets.ISO_8859_1) + t.substring(m.end());
                    b = t.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
                }
                z.putNextEntry(new java.util.zip.ZipEntry(e.getName()));
                z.write(b);
                z.closeEntry();
            }
        }
        return out;
    }

    /**
     * Configs Keras 3.15.1 refuses and jrnn loaded (keras3_real/refused_configs.py prints Keras' refusals): the Dense's
     * module "evil.module" ("Could not locate class 'Dense'"), the LSTM's dtype "complex128" ("dtype argument to `uniform`
     * must be a float dtype"; jrnn warned and computed in float32), a byte 0xFF in the Dense's name ("UnicodeDecodeError";
     * jrnn named the layer "d\uFFFDense"). Each is an IOException naming the file and what is wrong, and fromJson of the
     * first two an IllegalArgumentException.
     */
    @Test
    void configsKerasRefusesAreRefused(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        Object[][] cases = {
                {"module", java.util.regex.Pattern.quote("\"module\": \"keras.layers\", \"class_name\": \"Dense\""),
                        "\"module\": \"evil.module\", \"class_name\": \"Dense\"", "layer 'd' (Dense): module \"evil.module\" is not Keras'"
                        + " (Keras 3 refuses it too: 'Could not locate class \"Dense\"')"},
                {"dtype", "\"dtype\": \\{\"module\": \"keras\", \"class_name\": \"DTypePolicy\", \"config\": \\{\"name\": \"float32\"\\},"
                        + " \"registered_name\": null, \"shared_object_id\": \\d+\\}", "\"dtype\": \"complex128\"",
                        "layer 'l' (LSTM): dtype 'complex128' would give it complex128 weights, which Keras 3 cannot make either"},
                {"utf8", java.util.regex.Pattern.quote("\"name\": \"d\""), "\"name\": \"d\u00ffense\"",
                        "zip member config.json is not UTF-8: byte 0xFF at offset 2037, after \""}};
        for (Object[] c : cases) {
            Path f = edited(dir, (String) c[0], (String) c[1], ((String) c[2]).getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            IOException e = assertThrows(IOException.class, () -> Models.load(f).close(), (String) c[0]);
            assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains((String) c[3]), e.getMessage());
            if (c[0].equals("utf8")) continue;
            String json;
            try (java.util.zip.ZipFile z = new java.util.zip.ZipFile(f.toFile())) {
                json = new String(z.getInputStream(z.getEntry("config.json")).readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            }
            IllegalArgumentException j = assertThrows(IllegalArgumentException.class, () -> Models.fromJson(json).close(), (String) c[0]);
            assertTrue(j.getMessage().contains((String) c[3]), j.getMessage());
        }
    }

    /**
     * What Keras 3.15.1 loads though the branch first refused it (the cfgkeys3 review): a metadata.json that is not UTF-8
     * (saving_lib never reads it on load), the policy names model.quantize() writes for a mixed model
     * ("int8_from_mixed_bfloat16"; Keras 3.15.1 refuses "int8_from_mixed_float16": int8 does not compute in float16) and
     * Python's "int" (standardize_dtype maps it); and a top-level model entry's foreign
     * module, refused as a layer's is (Keras: "Could not locate class 'Sequential'").
     */
    @Test
    void whatKerasLoadsLoadsAndATopLevelForeignModuleIsRefused(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        Path f = edited(dir, "meta", "metadata.json", java.util.regex.Pattern.quote("\"date_saved\": \""),
                "\"date_saved\": \"\u00ff".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        Models.load(f).close();
        for (String ok : List.of("int8_from_mixed_bfloat16", "float8_from_mixed_bfloat16", "int", "int8_from_float32")) {
            KerasDtypes.checkName(ok, "x");
        }
        for (String bad : List.of("bogus", "int8_from_bogus", "mixed_float32", "evil_from_float32", "int_from_mixed_float16", "int8_from_mixed_float16")) {
            assertThrows(KerasFormatException.class, () -> KerasDtypes.checkName(bad, "x"), bad);
        }
        String evil = dense("\"glorot_uniform\"", null).replaceFirst(java.util.regex.Pattern.quote("{\"class_name\": \"Sequential\""),
                "{\"module\": \"evil.module\", \"class_name\": \"Sequential\"");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Models.fromJson(evil));
        assertTrue(e.getMessage().contains("model_config: module \"evil.module\" is not Keras'"), e.getMessage());
    }

    private static String dense(String init, String version) {
        return "{\"class_name\": \"Sequential\", \"config\": {\"name\": \"s\", \"layers\": [{\"class_name\": \"InputLayer\", \"config\":"
                + " {\"batch_shape\": [null, 3, 2], \"name\": \"i\"}}, {\"class_name\": \"Dense\", \"config\": {\"name\": \"d\", \"units\": 2,"
                + " \"kernel_initializer\": " + init + "}}]}" + (version == null ? "" : ", \"keras_version\": \"" + version + "\"") + "}";
    }

    private static String mha(String init, String version) {
        return "{\"class_name\": \"Functional\", \"config\": {\"name\": \"f\", \"layers\": [{\"class_name\": \"InputLayer\", \"name\": \"i\","
                + " \"config\": {\"batch_input_shape\": [null, 5, 8], \"name\": \"i\"}, \"inbound_nodes\": []}, {\"class_name\":"
                + " \"MultiHeadAttention\", \"name\": \"mha\", \"config\": {\"name\": \"mha\", \"num_heads\": 2, \"key_dim\": 4,"
                + " \"kernel_initializer\": " + init + "}, \"inbound_nodes\": [[[\"i\", 0, 0, {\"value\": [\"i\", 0, 0]}]]]}],"
                + " \"input_layers\": [[\"i\", 0, 0]], \"output_layers\": [[\"mha\", 0, 0]]}, \"keras_version\": \"" + version + "\"}";
    }

    @Test
    void initializerNamesAreCheckedWhereNoWriterMarksACustomOne() throws Exception {
        // a name in a Keras 3 (or unversioned) config, and in MultiHeadAttention's: refused with the nearest name
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Models.fromJson(dense("\"he_nromal\"", null)));
        assertTrue(e.getMessage().startsWith("fromJson: layer 'd' (Dense): kernel_initializer: \"he_nromal\" is not an initializer of any"
                + " Keras jrnn reads (Keras 3 refuses it too: 'Could not interpret initializer identifier'); did you mean he_normal?"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Models.fromJson(mha("\"glorot_unifrom\"", "3.15.1")));
        assertTrue(e.getMessage().contains("layer 'mha' (MultiHeadAttention): kernel_initializer: \"glorot_unifrom\" is not an initializer"),
                e.getMessage());
        assertTrue(e.getMessage().contains("did you mean glorot_uniform?"), e.getMessage());
        // tf.keras 2's "V2" aliases are its v2 classes: read as those (Keras 3 lacks them, tf.keras 2 takes them)
        Model m = Models.fromJson(dense("{\"class_name\": \"HeNormalV2\", \"config\": {\"seed\": 3}}", "2.15.0"));
        assertEquals("HeNormal", ((dev.jrnn.layers.Dense) m.layers().get(0)).kernelInitializer().kerasClass());
        // a custom class a Keras 3 file marks as one, and STFT (Keras 3.6+, which jrnn lacks): warned of, as before
        for (String init : List.of("{\"module\": \"my_pkg\", \"class_name\": \"MyInit\", \"config\": {}, \"registered_name\": \"my_pkg>MyInit\"}",
                "{\"module\": \"keras.initializers\", \"class_name\": \"STFT\", \"config\": {}, \"registered_name\": null}")) {
            List<String> w = LogCapture.warnings(KerasImport.class.getName(), () -> Models.fromJson(dense(init, "3.15.1")));
            assertEquals(1, w.size(), init + ": " + w);
            assertTrue(w.get(0).contains("is not one jrnn has"), w.get(0));
        }
        // Keras 3's (and tf.keras 2.13+'s) form of a user's initializer function: warned of, not refused
        List<String> fn = LogCapture.warnings(KerasImport.class.getName(), () -> Models.fromJson(dense(
                "{\"module\": \"builtins\", \"class_name\": \"function\", \"config\": \"my_init\", \"registered_name\": \"function\"}", "3.15.1")));
        assertEquals(1, fn.size(), fn.toString());
        // a module-less class: a user's in a tf.keras 2 config (warned of), no initializer in a Keras 3 one (refused)
        String moduleLess = "{\"class_name\": \"MyInit\", \"config\": {}}";
        assertEquals(1, LogCapture.warnings(KerasImport.class.getName(), () -> Models.fromJson(dense(moduleLess, "2.15.0"))).size());
        e = assertThrows(IllegalArgumentException.class, () -> Models.fromJson(dense(moduleLess, "3.15.1")));
        assertTrue(e.getMessage().contains("MyInit"), e.getMessage());
        // Keras 3's form of a lambda (module-less, as serialization_lib writes it): named as one
        e = assertThrows(IllegalArgumentException.class, () -> Models.fromJson(dense(
                "{\"class_name\": \"__lambda__\", \"config\": {\"value\": [\"e30=\", null, null]}}", "3.15.1")));
        assertTrue(e.getMessage().contains("kernel_initializer: a Python lambda (__lambda__), which Keras 3 cannot load"), e.getMessage());
        // Keras 3.0-3.6's snake case of OrthogonalInitializer (ALL_OBJECTS held that class then)
        m = Models.fromJson(dense("\"orthogonal_initializer\"", "3.6.0"));
        assertEquals("Orthogonal", ((dev.jrnn.layers.Dense) m.layers().get(0)).kernelInitializer().kerasClass());
    }

    /**
     * A tf.keras 2 file writes a user's initializer function by its bare name ("my_init"), which loads in tf.keras 2 with
     * custom_objects: jrnn keeps its warning there (the file's weights replace the draw) and loads the file.
     */
    @Test
    void aTfKeras2FilesCustomInitializerNameStillLoadsWithAWarning() throws Exception {
        List<String> w = LogCapture.warnings(KerasImport.class.getName(), () -> Models.load(keras3Real("cfgkeys_tf2_custom_init.h5")).close());
        assertEquals(1, w.size(), w.toString());
        assertTrue(w.get(0).contains("kernel_initializer \"my_init\" is not one jrnn has"), w.get(0));
        List<String> w2 = LogCapture.warnings(KerasImport.class.getName(), () -> Models.fromJson(mha("\"my_init\"", "2.15.0")));
        assertEquals(1, w2.size(), w2.toString());
    }

    /**
     * Every model file among the test resources and the shared Keras fixtures loads, but those refused on purpose (each
     * with the phrase of its refusal) and the weights-only files: no key or name check refuses a file a writer made.
     */
    @Test
    void everyFixtureModelFileStillLoads() throws IOException {
        Map<String, String> refused = Map.ofEntries(Map.entry("cfgkeys_both_shapes.keras", "both shape"),
                Map.entry("cfgkeys_init_name.keras", "GlorotUnifrom"), Map.entry("dictextra.keras", "is called on a dict of keys"),
                Map.entry("shared_att_flags.keras", "use_causal_mask is True in call 0"),
                Map.entry("shared_att_scores.keras", "return_attention_scores is True in call 0"),
                Map.entry("shared_mha_flags.keras", "use_causal_mask is True in call 0"),
                Map.entry("shared_mha_mask.keras", "use_causal_mask is False in call 0"),
                Map.entry("lora_mhaq.h5", "holds LoRA arrays of 'mha/query'"),   // Keras refuses both (make_lora_variants.py)
                Map.entry("lora_rank_edit.h5", "sets lora_rank 2, but its LoRA arrays have rank 1"),
                Map.entry("shared_levels.keras", "shared between the top model and a nested model"),   // Keras refuses it (make_shared_levels.py)
                Map.entry("tf2_damaged_bias.h5", "expected shape (3,)"), Map.entry("tv_model.keras", "TextVectorization"),
                Map.entry("tv_nested.keras", "TextVectorization"),
                Map.entry("bf16.h5", "without the attribute dtype=\"bfloat16\""),   // Keras cannot reload it (make_dtype_policies.py)
                Map.entry("tf2_renamed_damaged.h5", "expected shape (3,)"));   // damaged on purpose (make_tf2_damaged.py)
        List<Path> files = new ArrayList<>();
        // KerasFixtures.dir() fails when the shared fixtures are missing, rather than quietly checking fewer files
        for (Path root : List.of(keras3Real("cfgkeys.keras").getParent().getParent(), KerasFixtures.dir())) {
            try (var s = Files.walk(root)) {
                s.filter(p -> (p.toString().endsWith(".keras") || p.toString().endsWith(".h5")) && !p.getParent().endsWith("bad")
                        && !p.getParent().endsWith("hostile")   // refused on purpose: HostileKerasFilesTest checks each
                        && !p.toString().endsWith(".weights.h5")).sorted().forEach(files::add);
            }
        }
        assertTrue(files.size() > 100, "fixtures found: " + files.size());
        int loaded = 0;
        for (Path f : files) {
            String name = f.getFileName().toString();
            try {
                Models.load(f).close();
                loaded++;
                assertTrue(!refused.containsKey(name), name + " loads; it was refused");
            } catch (IOException | RuntimeException e) {
                String m = String.valueOf(e.getMessage());
                if (m.contains("without a model_config attribute") || m.contains("holds weights only")) continue;   // data and weights files
                assertTrue(refused.containsKey(name) && m.contains(refused.get(name)), name + ": " + m);
            }
        }
        assertTrue(loaded > 100, "loaded " + loaded);
    }
}
