package dev.jrnn.io.keras;

import dev.jrnn.Jrnn;
import dev.jrnn.data.Npy;
import dev.jrnn.io.Json;
import dev.jrnn.model.Model;
import dev.jrnn.model.Models;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import static dev.jrnn.io.keras.GeneratedKerasFilesTest.resource;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Keras 3's {@code a + b}, {@code a * b}, {@code a - b} recorded as ops (generator/make_keras_files.py, arithmetic_ops:
 * .keras and legacy .h5), and tf.keras 2.13's TFOpLambda of tf.__operators__.add, tf.math.multiply, tf.math.subtract (.h5), read
 * as jrnn's Add, Multiply and Subtract layers where they compute the same; predictions equal
 * numpy's float64 replay. A constant operand, shapes that broadcast, and a mask upstream stay refused naming the op.
 */
class KerasArithmeticOpsTest {
    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }

    @Test
    void opsBetweenTensorsPredictNumpysOutputs() throws IOException {
        float[] want = Npy.read(resource("arithmetic_ops_y.npy")).data();
        for (String f : List.of("keras3_arithmetic_ops.keras", "keras3_arithmetic_ops.h5", "tfkeras_arithmetic_ops.h5")) {
            try (Model m = Models.load(resource(f))) {
                List<String> names = f.startsWith("tf") ? List.of("tf.__operators__.add", "tf.math.multiply", "tf.math.subtract")
                        : List.of("add", "multiply", "subtract");
                assertEquals(List.of("Add", "Multiply", "Subtract"), names.stream().map(n -> m.getLayer(n).kerasClass()).toList(), f);
                List<dev.jrnn.tensor.Tensor> out = m.predictAll(List.of(Npy.read(resource("arithmetic_ops_x.npy"))), 32, null);
                float[] got = out.get(0).data();
                for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], 2e-6, f + ": y[" + i + "]");
                if (f.startsWith("tf")) continue;
                // ops.concatenate([a, b], axis=-1) as the second output: Concatenate(-1)
                assertEquals("Concatenate", m.getLayer("concatenate").kerasClass(), f);
                float[] want2 = Npy.read(resource("arithmetic_ops_y2.npy")).data(), got2 = out.get(1).data();
                assertEquals(want2.length, got2.length, f);
                for (int i = 0; i < want2.length; i++) assertEquals(want2[i], got2[i], 2e-6, f + ": y2[" + i + "]");
            }
        }
    }

    /**
     * The data a Concatenate op passes on is found through Keras 3's dict of outputs and through a concatenation of a
     * concatenation (both were refused as "ops used as data": the dict outputs were never read, a nested op's args not).
     */
    @Test
    void aConcatenateOpReachedThroughDictOutputsOrAnotherConcatenateIsData(@TempDir Path dir) throws IOException {
        float[] want2 = Npy.read(resource("arithmetic_ops_y2.npy")).data();
        dev.jrnn.tensor.Tensor x = Npy.read(resource("arithmetic_ops_x.npy"));
        Path dict = KerasFixtures.withConfig(resource("keras3_arithmetic_ops.keras"), dir.resolve("dict.keras"), t -> t.replace(
                "\"output_layers\": [[\"dense\", 0, 0], [\"concatenate\", 0, 0]]", "\"output_layers\": {\"y\": [\"dense\", 0, 0], \"z\": [\"concatenate\", 0, 0]}"));
        try (Model m = Models.load(dict)) {
            KerasFixtures.assertClose(want2, m.predictAll(List.of(x), 32, null).get(1).data(), "dict outputs");
        }
        Path nested = edited(dir.resolve("nested.keras"), "keras3_arithmetic_ops.keras", byName -> {
            Map<String, Object> outer = new LinkedHashMap<>(byName.get("concatenate"));
            outer.put("name", "concatenate_1");
            outer.put("config", Map.of("axis", -1L, "name", "concatenate_1"));
            outer.put("inbound_nodes", List.of(Map.of("kwargs", Map.of(), "args", List.of(List.of(
                    Map.of("class_name", "__keras_tensor__", "config", Map.of("shape", java.util.Arrays.asList(null, 8L), "dtype", "float32",
                            "keras_history", List.of("concatenate", 0L, 0L))),
                    Map.of("class_name", "__keras_tensor__", "config", Map.of("shape", java.util.Arrays.asList(null, 4L), "dtype", "float32",
                            "keras_history", List.of("get_item", 0L, 0L))))))));
            byName.put("concatenate_1", outer);
        });
        nested = KerasFixtures.withConfig(nested, dir.resolve("nested2.keras"), t -> t.replace("[\"concatenate\",0,0]]", "[\"concatenate_1\",0,0]]")
                .replace("[\"concatenate\", 0, 0]]", "[\"concatenate_1\", 0, 0]]"));
        try (Model m = Models.load(nested)) {
            float[] z = m.predictAll(List.of(x), 32, null).get(1).data();
            assertEquals(want2.length / 8 * 12, z.length, "(b, 8 + 4)");
            for (int b = 0; b < want2.length / 8; b++) {
                for (int j = 0; j < 8; j++) assertEquals(want2[b * 8 + j], z[b * 12 + j], 2e-6, "the inner concatenation, row " + b);
            }
        }
    }

    private static Path edited(Path out, String fixture, Consumer<Map<String, Map<String, Object>>> edit) throws IOException {
        return KerasFixtures.withLayers(resource(fixture), out, edit);
    }

    @SuppressWarnings("unchecked")
    private static List<Object> args(Map<String, Object> layer) {
        return (List<Object>) ((List<Map<String, Object>>) layer.get("inbound_nodes")).get(0).get("args");
    }

    private static String refused(Path f) {
        return assertThrows(IOException.class, () -> Models.load(f).close()).getMessage();
    }

    @Test
    void aConstantOperandIsRefused(@TempDir Path dir) throws IOException {
        String m = refused(edited(dir.resolve("c.keras"), "keras3_arithmetic_ops.keras", l -> args(l.get("multiply")).set(1, 2.0)));
        assertTrue(m.contains("operation 'multiply' (Multiply, keras.ops) takes the constant 2.0"), m);
    }

    @Test
    void shapesThatBroadcastAreRefused(@TempDir Path dir) throws IOException {
        String m = refused(edited(dir.resolve("b.keras"), "keras3_arithmetic_ops.keras", l -> {
            @SuppressWarnings("unchecked")
            Map<String, Object> t = (Map<String, Object>) ((Map<String, Object>) args(l.get("add")).get(1)).get("config");
            t.put("shape", Arrays.asList(null, 1));
        }));
        assertTrue(m.contains("operation 'add' (Add, keras.ops) broadcasts shapes [null, 4] and [null, 1]"), m);
    }

    /** Keras' op passes no mask on, jrnn's merge layers do: an op a Masking layer lies before (not past a GetItem) is refused. */
    @SuppressWarnings("unchecked")
    @Test
    void aMaskUpstreamIsRefusedButNotPastAGetItem(@TempDir Path dir) throws IOException {
        // on keras3_get_item.keras (Masking -> LSTM(return_sequences)): lstm + lstm keeps the mask, get_item + get_item does not
        for (String[] c : new String[][] {{"lstm", "refused"}, {"get_item", "loads"}}) {
            String from = c[0];
            Path f = edited(dir.resolve(from + ".keras"), "keras3_get_item.keras", l -> {
                int[] shape = from.equals("lstm") ? new int[] {5, 4} : new int[] {4};
                List<Object> s = new ArrayList<>();
                s.add(null);
                for (int d : shape) s.add((long) d);
                Map<String, Object> t = new LinkedHashMap<>(Map.of("class_name", "__keras_tensor__", "config",
                        new LinkedHashMap<>(Map.of("shape", s, "dtype", "float32", "keras_history", List.of(from, 0L, 0L)))));
                Map<String, Object> op = addOfItself(t);
                l.put("add", op);
                if (from.equals("get_item")) {   // dense(last + last)
                    args(l.get("dense")).set(0, new LinkedHashMap<>(Map.of("class_name", "__keras_tensor__", "config",
                            Map.of("shape", s, "dtype", "float32", "keras_history", List.of("add", 0L, 0L)))));
                }
            });
            if (c[1].equals("refused")) {
                String m = refused(f);
                assertTrue(m.contains("operation 'add' (keras.ops) takes tensors that layer 'masking' (Masking) may mask"), m);
            } else {
                try (Model m = Models.load(f)) {
                    assertEquals("Add", m.getLayer("add").kerasClass());
                    // dense(2 last) = 2 (last W + b) - b, from numpy's last W + b and the file's bias
                    float[] y = Npy.read(resource("get_item_y.npy")).data(), b = m.getLayer("dense").getWeights().get(1).data();
                    float[] got = m.predictAll(List.of(Npy.read(resource("get_item_x.npy"))), 32, null).get(0).data();
                    for (int i = 0; i < y.length; i++) assertEquals(2 * y[i] - b[i % 2], got[i], 4e-6, "y[" + i + "]");
                }
            }
        }
    }

    /** tf.keras' config as JSON: x (None, 5, 3) and z (None, 5, zDim), {@code fn}(x, y) where {@code y} is the node's y. */
    private static String tfJson(String function, String y, int zDim) {
        return """
                {"class_name": "Functional", "config": {"name": "m", "layers": [
                 {"class_name": "InputLayer", "name": "x", "config": {"batch_input_shape": [null, 5, 3], "dtype": "float32", "name": "x"}, "inbound_nodes": []},
                 {"class_name": "InputLayer", "name": "z", "config": {"batch_input_shape": [null, 5, %d], "dtype": "float32", "name": "z"}, "inbound_nodes": []},
                 {"class_name": "Masking", "name": "masking", "config": {"name": "masking", "mask_value": 0.0}, "inbound_nodes": [[["z", 0, 0, {}]]]},
                 {"class_name": "TFOpLambda", "name": "op", "config": {"name": "op", "trainable": true, "dtype": "float32", "function": "%s"},
                  "inbound_nodes": [["x", 0, 0, {"y": %s, "name": null}]]}],
                 "input_layers": [["x", 0, 0], ["z", 0, 0]], "output_layers": [["op", 0, 0]]}, "keras_version": "2.13.1", "backend": "tensorflow"}
                """.formatted(zDim, function, y);
    }

    @Test
    void tfKerasOpLambdasJrnnDoesNotReadAreRefused() {
        String[][] cases = {
                {tfJson("math.reduce_mean", "[\"z\", 0, 0]", 3), "TFOpLambda of function 'math.reduce_mean' is not supported"},
                {tfJson("__operators__.add", "2.0", 3), "operation 'op' (TFOpLambda, keras.ops) takes the constant 2.0"},
                {tfJson("__operators__.add", "[\"z\", 0, 0]", 1), "operation 'op' (Add, an op in Keras) broadcasts shapes (5, 3) and (5, 1)"},
                {tfJson("__operators__.add", "[\"masking\", 0, 0]", 3), "operation 'op' (keras.ops) takes tensors that layer 'masking' (Masking) may mask"},
        };
        for (String[] c : cases) {
            String m = assertThrows(IllegalArgumentException.class, () -> Models.fromJson(c[0])).getMessage();
            assertTrue(m.contains(c[1]), c[1] + ": " + m);
        }
        try (Model m = Models.fromJson(tfJson("math.subtract", "[\"z\", 0, 0]", 3))) {
            float[] x = new float[30], z = new float[30], want = new float[30];
            for (int i = 0; i < 30; i++) {
                x[i] = i;
                z[i] = 0.5f * i * i;
                want[i] = x[i] - z[i];
            }
            float[] got = m.predictAll(List.of(dev.jrnn.tensor.Tensor.wrap(x, 2, 5, 3), dev.jrnn.tensor.Tensor.wrap(z, 2, 5, 3)), 32, null).get(0).data();
            org.junit.jupiter.api.Assertions.assertArrayEquals(want, got, 0f);
        }
    }

    /** In a nested model an op's inputs may carry a mask from the caller, which jrnn cannot see there: refused. */
    @SuppressWarnings("unchecked")
    @Test
    void anOpOnANestedModelsInputIsRefused(@TempDir Path dir) throws IOException {
        Path f = KerasFixtures.withConfig(resource("nested_functional.keras"), dir.resolve("n.keras"), text -> {
            Map<String, Object> cfg = (Map<String, Object>) Json.parse(text);
            for (Object o : (List<Object>) ((Map<String, Object>) cfg.get("config")).get("layers")) {
                Map<String, Object> head = (Map<String, Object>) o;
                if (!"head".equals(head.get("name"))) continue;
                List<Object> layers = (List<Object>) ((Map<String, Object>) head.get("config")).get("layers");
                Map<String, Object> t = new LinkedHashMap<>(Map.of("class_name", "__keras_tensor__", "config",
                        Map.of("shape", Arrays.asList(null, 6L), "dtype", "float32", "keras_history", List.of("head_input", 0L, 0L))));
                Map<String, Object> op = addOfItself(t);
                layers.add(1, op);
                for (Object l : layers) {
                    if ("head_hidden".equals(((Map<String, Object>) l).get("name"))) {
                        args((Map<String, Object>) l).set(0, new LinkedHashMap<>(Map.of("class_name", "__keras_tensor__", "config",
                                Map.of("shape", Arrays.asList(null, 6L), "dtype", "float32", "keras_history", List.of("add", 0L, 0L)))));
                    }
                }
            }
            return Json.write(cfg);
        });
        String m = refused(f);
        assertTrue(m.contains("operation 'add' (keras.ops) takes the input 'head_input' of a nested model, whose mask its caller sets"), m);
    }

    /** ops.concatenate's default axis 0 is the batch, and a config without an axis means it: refused naming the op. */
    @SuppressWarnings("unchecked")
    @Test
    void aConcatenateAlongTheBatchIsRefused(@TempDir Path dir) throws IOException {
        String m = refused(edited(dir.resolve("c0.keras"), "keras3_arithmetic_ops.keras", l -> ((Map<String, Object>) l.get("concatenate")
                .get("config")).put("axis", 0L)));
        assertTrue(m.contains("layer 'concatenate' (Concatenate): axis 0 is the batch axis"), m);
        m = refused(edited(dir.resolve("cnone.keras"), "keras3_arithmetic_ops.keras", l -> ((Map<String, Object>) l.get("concatenate")
                .get("config")).remove("axis")));
        assertTrue(m.contains("operation 'concatenate' (Concatenate, keras.ops) concatenates along axis null"), m);
    }

    /** Keras 3's functional entry of the op {@code t + t} named "add", as it writes it. */
    private static Map<String, Object> addOfItself(Map<String, Object> t) {
        Map<String, Object> op = new LinkedHashMap<>();
        op.put("module", "keras.src.ops.numpy");
        op.put("class_name", "Add");
        op.put("config", Map.of("name", "add"));
        op.put("registered_name", "Add");
        op.put("name", "add");
        op.put("inbound_nodes", List.of(Map.of("args", List.of(t, t), "kwargs", Map.of())));
        return op;
    }
}
