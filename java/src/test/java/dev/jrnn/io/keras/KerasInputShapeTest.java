package dev.jrnn.io.keras;

import dev.jrnn.Jrnn;
import dev.jrnn.io.Json;
import dev.jrnn.layers.Node;
import dev.jrnn.model.Model;
import dev.jrnn.model.Models;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

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

    /** A Sequential of one LSTM with batch_input_shape [null, 5, 3], its entries with {@code module}, under {@code version}. */
    private static String lstmWithModule(String version) {
        return "{\"module\": \"keras\", \"class_name\": \"Sequential\", \"config\": {\"name\": \"s\", \"trainable\": true, \"layers\": [{\"class_name\":"
                + " \"LSTM\", \"config\": {\"name\": \"l\", \"units\": 2, \"batch_input_shape\": [null, 5, 3]}, \"module\": \"keras.layers\","
                + " \"registered_name\": null}]}, \"registered_name\": null, \"keras_version\": \"" + version + "\", \"backend\": \"tensorflow\"}";
    }

    /**
     * tf.keras 2.13-2.15 write {@code module} on layer entries too (under their own keras_version): such a file's
     * batch_input_shape keeps tf.keras 2's meaning, the shape with its batch; only a Keras 3 version refuses it.
     */
    @Test
    void aTfKeras2ConfigWithModuleKeepsItsBatchInputShape() {
        try (Model m = Models.fromJson(lstmWithModule("2.15.0"))) {
            Node in = m.inputs().get(0);
            assertEquals(List.of(-1, 5, 3), List.of(in.batchSize() > 0 ? in.batchSize() : -1, in.shape()[0], in.shape()[1]));
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Models.fromJson(lstmWithModule("3.15.1")));
        assertTrue(e.getMessage().contains("batch_input_shape"), e.getMessage());
    }

    /** A .keras (Keras 3) whose LSTM entry carries batch_input_shape is refused through the file path, as Keras 3.15.1 refuses it. */
    @Test
    @SuppressWarnings("unchecked")
    void aKerasFileWithBatchInputShapeOnALayerIsRefused(@TempDir Path dir) throws Exception {
        Path saved = dir.resolve("lstm.keras"), edited = dir.resolve("edited.keras");
        try (dev.jrnn.model.Sequential m = new dev.jrnn.model.Sequential(new dev.jrnn.layers.LSTM(2).inputShape(5, 3))) {
            m.save(saved);
        }
        try (ZipFile in = new ZipFile(saved.toFile()); OutputStream os = Files.newOutputStream(edited); ZipOutputStream z = new ZipOutputStream(os)) {
            for (ZipEntry e : java.util.Collections.list(in.entries())) {
                byte[] b = in.getInputStream(e).readAllBytes();
                if (e.getName().equals("config.json")) {
                    Map<String, Object> config = (Map<String, Object>) Json.parse(new String(b, StandardCharsets.UTF_8));
                    List<Map<String, Object>> layers = (List<Map<String, Object>>) ((Map<String, Object>) config.get("config")).get("layers");
                    Map<String, Object> lstm = layers.stream().filter(l -> "LSTM".equals(l.get("class_name"))).findFirst().orElseThrow();
                    ((Map<String, Object>) lstm.get("config")).put("batch_input_shape", java.util.Arrays.asList(null, 5, 3));
                    b = Json.write(config).getBytes(StandardCharsets.UTF_8);
                }
                z.putNextEntry(new ZipEntry(e.getName()));
                z.write(b);
                z.closeEntry();
            }
        }
        Exception e = assertThrows(Exception.class, () -> Models.load(edited).close());
        assertTrue(e.getMessage().contains("batch_input_shape") && e.getMessage().contains("LSTM"), e.getMessage());
    }
}
