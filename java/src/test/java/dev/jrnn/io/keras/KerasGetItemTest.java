package dev.jrnn.io.keras;

import dev.jrnn.Jrnn;
import dev.jrnn.data.Npy;
import dev.jrnn.io.Json;
import dev.jrnn.layers.GetItem;
import dev.jrnn.layers.LSTM;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.Node;
import dev.jrnn.model.Input;
import dev.jrnn.model.Model;
import dev.jrnn.model.Models;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import static dev.jrnn.io.keras.GeneratedKerasFilesTest.resource;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Keras' slices of a tensor ({@code h[:, -1]}) in generated files (generator/make_keras_files.py, get_item): Keras 3's
 * GetItem op in a .keras and a legacy .h5, tf.keras 2.13's SlicingOpLambda(__operators__.getitem) in an .h5, on a masked
 * LSTM's sequence. Predictions equal numpy's float64 loop (the last step of a padded sample is its last real step's
 * output, as Keras' LSTM repeats it); keys jrnn does not slice by are refused naming the layer and the item; a jrnn model
 * with a GetItem saves the config Keras 3 writes for {@code x[:, -1]}.
 */
class KerasGetItemTest {
    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }

    @Test
    void keras3AndTfKerasSlicesPredictNumpysOutputs() throws IOException {
        Tensor x = Npy.read(resource("get_item_x.npy"));
        float[] want = Npy.read(resource("get_item_y.npy")).data(), want2 = Npy.read(resource("get_item_y2.npy")).data();
        for (String f : List.of("keras3_get_item.keras", "keras3_get_item.h5", "tfkeras_get_item.h5")) {
            try (Model m = Models.load(resource(f))) {
                boolean tf = f.startsWith("tf");
                String first = tf ? "tf.__operators__.getitem" : "get_item", second = tf ? "tf.__operators__.getitem_1" : "get_item_1";
                assertEquals(List.of("x", "masking", "lstm", first, "dense", second).stream().sorted().toList(),
                        m.layers().stream().map(l -> l.name()).sorted().toList(), f);
                assertEquals("[:, -1]", ((GetItem) m.getLayer(first)).keyString(), f);
                assertEquals("[:, 1, 1:3]", ((GetItem) m.getLayer(second)).keyString(), f);
                List<Tensor> y = m.predictAll(List.of(x), 32, null);
                assertArrayEquals(new int[] {3, 2}, y.get(0).shape(), f);
                assertArrayEquals(new int[] {3, 2}, y.get(1).shape(), f);
                for (int i = 0; i < want.length; i++) assertEquals(want[i], y.get(0).data()[i], 2e-6, f + ": y[" + i + "]");
                for (int i = 0; i < want2.length; i++) assertEquals(want2[i], y.get(1).data()[i], 2e-6, f + ": y2[" + i + "]");
            }
        }
    }

    /** The generated .keras with the key of get_item's call replaced by {@code key}, written to {@code out}. */
    @SuppressWarnings("unchecked")
    private static Path withKey(Path out, Object key) throws IOException {
        return edited(out, byName -> ((List<Object>) ((List<Map<String, Object>>) byName.get("get_item").get("inbound_nodes")).get(0).get("args")).set(1, key));
    }

    private static Path edited(Path out, Consumer<Map<String, Map<String, Object>>> edit) throws IOException {
        return KerasFixtures.withLayers(resource("keras3_get_item.keras"), out, edit);
    }

    private static String refused(Path f) {
        return assertThrows(IOException.class, () -> Models.load(f).close()).getMessage();
    }

    private static Map<String, Object> slice(Object start, Object stop, Object step) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("start", start);
        c.put("stop", stop);
        c.put("step", step);
        return new LinkedHashMap<>(Map.of("class_name", "__slice__", "config", c));
    }

    /** Keras 3's other spellings of [:, -1] (Ellipsis before or after, 0::1 for the batch) predict the same. */
    @Test
    void otherKerasKeyFormsRead(@TempDir Path dir) throws IOException {
        Map<String, Object> ellipsis = new LinkedHashMap<>(Map.of("class_name", "__ellipsis__", "config", Map.of()));
        // on (None, 5, 4) each is numpy's [:, -1]
        for (Object key : List.of(List.of(ellipsis, -1L, slice(null, null, null)), List.of(slice(null, null, null), -1L, ellipsis),
                List.of(slice(0L, null, 1L), -1L))) {
            try (Model m = Models.load(withKey(dir.resolve("k" + key.hashCode() + ".keras"), key))) {
                float[] want = Npy.read(resource("get_item_y.npy")).data();
                float[] got = m.predictAll(List.of(Npy.read(resource("get_item_x.npy"))), 32, null).get(0).data();
                for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], 2e-6, key + ": y[" + i + "]");
            }
        }
    }

    @Test
    void keysJrnnDoesNotSliceByAreRefusedNamingLayerAndItem(@TempDir Path dir) throws IOException {
        Map<String, Object> tensor = new LinkedHashMap<>(Map.of("class_name", "__keras_tensor__", "config",
                Map.of("shape", Arrays.asList((Object) null), "dtype", "int32", "keras_history", List.of("x", 0L, 0L))));
        Map<String, Object> array = new LinkedHashMap<>(Map.of("class_name", "__numpy__", "config", Map.of("value", List.of(1L, 2L), "dtype", "int64")));
        Object[][] cases = {
                {Arrays.asList(slice(null, null, null), tensor), "key item 1 is a tensor"},
                {Arrays.asList(slice(null, null, null), array), "key item 1 is an array of indices"},
                {Arrays.asList(slice(null, null, null), List.of(0L, 2L)), "key item 1 is a list"},
                {Arrays.asList(slice(null, null, null), true), "key item 1 is the boolean true"},
                {Arrays.asList(slice(null, null, null), 1.5), "key item 1 is 1.5"},
                {Arrays.asList(slice(null, null, null), slice(1.5, null, null)), "key item 1 (a slice's start) is 1.5"},
                {Arrays.asList(slice(null, null, null), slice(null, null, 0L)), "slice of step 0"},
                {Arrays.asList(0L, -1L), "batch axis whole"},
                {Arrays.asList(slice(null, null, 2L), -1L), "batch axis whole"},
                {Arrays.asList(slice(null, null, null), 5L), "index 5 is out of range for axis 1 of length 5"},
                {Arrays.asList(slice(null, null, null), -1L, 0L, 0L), "indexes 4 axes"},
        };
        for (Object[] c : cases) {
            String m = refused(withKey(dir.resolve("bad" + Math.abs(c[0].hashCode()) + ".keras"), c[0]));
            // read from the file: "layer 'get_item' (GetItem): key item ..."; checked at the build: "get_item: index ..."
            assertTrue((m.contains("layer 'get_item' (GetItem): ") || m.contains("get_item: ")) && m.contains((String) c[1]), c[1] + ": " + m);
        }
        String m = refused(edited(dir.resolve("nokey.keras"), byName ->
                ((Map<String, Object>) ((List<?>) byName.get("get_item").get("inbound_nodes")).get(0)).put("args", List.of(tensor))));
        assertTrue(m.contains("layer 'get_item' (GetItem)") && m.contains("args [tensor, key]"), m);
    }

    /** tf.keras' other SlicingOpLambda functions (boolean_mask, ragged getitem) stay refused naming the function. */
    @Test
    void otherSlicingOpLambdasAreRefused(@TempDir Path dir) throws IOException {
        String m = assertThrows(IllegalArgumentException.class, () -> Models.fromJson(tfJson("boolean_mask"))).getMessage();
        assertTrue(m.contains("SlicingOpLambda of function 'boolean_mask'"), m);
    }

    private static String tfJson(String function) {
        return """
                {"class_name": "Functional", "config": {"name": "m", "layers": [
                 {"class_name": "InputLayer", "name": "x", "config": {"batch_input_shape": [null, 5, 3], "dtype": "float32", "name": "x"}, "inbound_nodes": []},
                 {"class_name": "SlicingOpLambda", "name": "s", "config": {"name": "s", "trainable": true, "dtype": "float32", "function": "%s"},
                  "inbound_nodes": [["x", 0, 0, {"slice_spec": [{"start": null, "stop": null, "step": null}, -1]}]]}],
                 "input_layers": [["x", 0, 0]], "output_layers": [["s", 0, 0]]}, "keras_version": "2.13.1", "backend": "tensorflow"}
                """.formatted(function);
    }

    /** tf.keras' getitem read from JSON too (model_from_json of a tf.keras 2 config). */
    @Test
    void tfKerasJsonReads() throws IOException {
        try (Model m = Models.fromJson(tfJson("__operators__.getitem"))) {
            float[] x = new float[2 * 5 * 3];
            for (int i = 0; i < x.length; i++) x[i] = i;
            assertArrayEquals(new float[] {12, 13, 14, 27, 28, 29}, m.predict(Tensor.wrap(x, 2, 5, 3)).data());
        }
    }

    /**
     * A jrnn model with GetItem saves what Keras 3 writes for {@code h[:, -1]} (functional.py serialize_node of GetItem's
     * symbolic_call(x, key), serialization_lib's __slice__; the op's entry as serialize_keras_object of a class without a
     * public name: module keras.src.ops.numpy, registered_name GetItem, config {"name"}) and loads back with its outputs.
     */
    @SuppressWarnings("unchecked")
    @Test
    void savesWhatKeras3WritesAndLoadsBack(@TempDir Path dir) throws IOException {
        Input x = Input.shape(5, 3);
        x.name("x");
        Node h = new LSTM(4).returnSequences(true).name("lstm").apply(x);
        Node last = new GetItem(GetItem.all(), GetItem.index(-1)).name("get_item").apply(h);
        Node tail = new GetItem(GetItem.ellipsis(), GetItem.slice(-3, null, -1), GetItem.newAxis(), GetItem.slice(null, 2)).name("tail").apply(h);
        try (Model m = new Model(List.of(x), List.of(new Dense(2).name("dense").apply(last), tail))) {
            Map<String, Object> cfg = (Map<String, Object>) Json.parse(m.toJson());
            Map<String, Object> entry = null;
            for (Object l : (List<Object>) ((Map<String, Object>) cfg.get("config")).get("layers")) {
                if ("get_item".equals(((Map<String, Object>) l).get("name"))) entry = (Map<String, Object>) l;
            }
            String want = """
                    {"module": "keras.src.ops.numpy", "class_name": "GetItem", "config": {"name": "get_item"}, "registered_name": "GetItem",
                     "name": "get_item", "inbound_nodes": [{"args": [{"class_name": "__keras_tensor__", "config": {"shape": [null, 5, 4],
                     "dtype": "float32", "keras_history": ["lstm", 0, 0]}}, [{"class_name": "__slice__", "config": {"start": null,
                     "stop": null, "step": null}}, -1]], "kwargs": {}}]}""";
            assertEquals(Json.parse(want), entry);
            // a one-item key is a list too: GetItem.compute_output_spec refuses a bare slice or Ellipsis when Keras loads it
            assertEquals(List.of(Map.of("class_name", "__ellipsis__", "config", Map.of())), KerasGetItem.key(new GetItem(GetItem.ellipsis())));
            Path f = dir.resolve("m.keras");
            m.save(f);
            Tensor in = Npy.read(resource("get_item_x.npy"));
            List<Tensor> before = m.predictAll(List.of(in), 32, null);
            try (Model back = Models.load(f)) {
                assertEquals("[..., -3::-1, None, :2]", ((GetItem) back.getLayer("tail")).keyString());
                List<Tensor> after = back.predictAll(List.of(in), 32, null);
                for (int o = 0; o < 2; o++) {
                    assertArrayEquals(before.get(o).shape(), after.get(o).shape());
                    assertArrayEquals(before.get(o).data(), after.get(o).data(), 0f);
                }
                // the saved tail is numpy's h[..., -3::-1, None, :2] of the LSTM's output: (3, 3, 1, 2)
                assertArrayEquals(new int[] {3, 3, 1, 2}, after.get(1).shape());
            }
        }
    }

    /**
     * Keras' Sequential holds layers, and GetItem is an op in Keras 3: a jrnn Sequential with one saves as the functional
     * model it is (Input, then each layer on the previous), which Keras and jrnn load, with the same outputs.
     */
    @SuppressWarnings("unchecked")
    @Test
    void aSequentialWithGetItemSavesAsFunctional(@TempDir Path dir) throws IOException {
        try (dev.jrnn.model.Sequential s = new dev.jrnn.model.Sequential(Input.shape(5, 3), new LSTM(4).returnSequences(true),
                new GetItem(GetItem.all(), GetItem.index(-1)), new Dense(2))) {
            Map<String, Object> cfg = (Map<String, Object>) Json.parse(s.toJson());
            assertEquals("Functional", cfg.get("class_name"));
            Path f = dir.resolve("s.keras");
            s.save(f);
            Tensor in = Npy.read(resource("get_item_x.npy"));
            try (Model back = Models.load(f)) {
                assertEquals(s.layers().stream().map(l -> l.name()).toList(),
                        back.layers().stream().map(l -> l.name()).filter(n -> !n.startsWith("input")).toList());
                assertArrayEquals(s.predict(in).data(), back.predict(in).data(), 0f);
            }
        }
    }
}
