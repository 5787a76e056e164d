package dev.jrnn.io.keras;

import dev.jrnn.Jrnn;
import dev.jrnn.data.Npy;
import dev.jrnn.layers.Layer;
import dev.jrnn.model.Model;
import dev.jrnn.model.Models;
import dev.jrnn.model.Sequential;
import dev.jrnn.optim.Adam;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.jrnn.io.keras.GeneratedKerasFilesTest.resource;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Keras models that hold a model as a layer ({@code Sequential([encoder, Dense(1)])}, a sub-model called in a functional
 * graph), in every format jrnn imports: the nested models are flattened into their parent. The files were written by
 * {@code generator/make_keras_files.py} (h5py, Keras' layouts, not Keras: {@code nested_sequential}, {@code nested_functional}),
 * the expected outputs by numpy in float64 from the same weights.
 */
class KerasNestedModelsTest {
    @TempDir
    Path tmp;

    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }

    private static void assertClose(float[] want, float[] got, String what) {
        assertEquals(want.length, got.length, what);
        for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], 1e-5, what + ": element " + i);
    }

    private static List<String> names(Model m) {
        List<String> r = new ArrayList<>();
        for (Layer l : m.layers()) r.add(l.name());
        return r;
    }

    /**
     * Keras 3 names a nested functional model's first call node 0 where a layer takes its output (serialize_node keeps
     * the node's index) but node 1 in output_layers (get_config renumbers it); tf.keras 2 says 1 in both. The file's
     * head output feeds a linear Activation here, as Keras 3 writes it: ["head", 0, 0] (jrnn refused it: "names node 0
     * of nested model 'head', whose calls in this file count from 1").
     */
    @Test
    void aKeras3LayerAfterANestedFunctionalModelNamesItsCallFromZero() throws IOException {
        Path file = KerasFixtures.withConfig(resource("nested_functional.keras"), tmp.resolve("after_head.keras"), text -> {
            @SuppressWarnings("unchecked")
            Map<String, Object> cfg = (Map<String, Object>) dev.jrnn.io.Json.parse(text);
            @SuppressWarnings("unchecked")
            Map<String, Object> model = (Map<String, Object>) cfg.get("config");
            @SuppressWarnings("unchecked")
            List<Object> layers = new ArrayList<>((List<Object>) model.get("layers"));
            layers.add(dev.jrnn.io.Json.parse("""
                    {"module": "keras.layers", "class_name": "Activation", "registered_name": null, "name": "post",
                     "config": {"name": "post", "trainable": true, "dtype": "float32", "activation": "linear"},
                     "inbound_nodes": [{"args": [{"class_name": "__keras_tensor__", "config": {"shape": [null, 2],
                       "dtype": "float32", "keras_history": ["head", 0, 0]}}], "kwargs": {}}]}"""));
            model.put("layers", layers);
            model.put("output_layers", List.of(List.of("post", 0L, 0L)));
            return dev.jrnn.io.Json.write(cfg);
        });
        List<Tensor> xs = List.of(Npy.read(resource("nested_functional_a.npy")), Npy.read(resource("nested_functional_b.npy")));
        try (Model m = Models.load(file)) {
            assertEquals("post", m.layers().get(m.layers().size() - 1).name());
            assertClose(Npy.read(resource("nested_functional_y.npy")).data(), m.predictAll(xs, 32, null).get(0).data(), "after_head.keras");
        }
    }

    /** Keras 3 .keras, Keras 3 legacy .h5, tf.keras 2 .h5: a nested Sequential (with BatchNormalization and a frozen Dense) in a Sequential. */
    @ParameterizedTest
    @ValueSource(strings = {"nested_sequential.keras", "nested_sequential.h5", "tfkeras_nested_sequential.h5"})
    void nestedSequentialPredictsAsNumpy(String file) throws IOException {
        Tensor x = Npy.read(resource("nested_sequential_x.npy"));
        try (Model m = Models.load(resource(file))) {
            assertClose(Npy.read(resource("nested_sequential_y.npy")).data(), m.predict(x).data(), file);
            assertInstanceOf(Sequential.class, m, file);
            assertEquals("classifier", m.name(), file);
            assertEquals(List.of("enc_rnn", "enc_dense", "enc_bn", "head"), names(m), file);
            String summary = m.summaryString();
            for (String n : names(m)) assertTrue(summary.contains(n), file + ": summary lists " + n + ":\n" + summary);
            assertTrue(!m.getLayer("enc_dense").trainable() && m.getLayer("enc_bn").trainable(), file);
        }
    }

    /**
     * Two inputs through one nested Sequential called twice (its layers shared), into a nested Functional that holds a
     * nested Sequential: Keras 3 (.keras, legacy .h5; first calls at node 0 and 1) and tf.keras 2 (both from node 1).
     */
    @ParameterizedTest
    @ValueSource(strings = {"nested_functional.keras", "nested_functional.h5", "tfkeras_nested_functional.h5", "keras22_nested_functional.h5"})
    void nestedModelsInAFunctionalModelPredictAsNumpy(String file) throws IOException {
        List<Tensor> xs = List.of(Npy.read(resource("nested_functional_a.npy")), Npy.read(resource("nested_functional_b.npy")));
        try (Model m = Models.load(resource(file))) {
            assertClose(Npy.read(resource("nested_functional_y.npy")).data(), m.predictAll(xs, 32, null).get(0).data(), file);
            assertEquals("siamese", m.name(), file);
            assertEquals(List.of("enc_rnn", "enc_dense", "cat", "head_hidden", "proj_out"),
                    names(m).stream().filter(n -> !n.startsWith("in_")).toList(), file);
            assertEquals(32 + 15 + 28 + 10, m.countParams(), file + ": the encoder's weights counted once (shared)");
        }
    }

    /**
     * The compile config loads as for a flat model (Adam, learning rate 0.01): one step moves every trainable weight by
     * at most the learning rate and the largest steps by about it (Keras' Adam's first step is lr * g / (|g| + epsilon /
     * sqrt(1 - beta_2))), the frozen Dense inside the nested model not at all.
     */
    @ParameterizedTest
    @ValueSource(strings = {"nested_sequential.keras", "tfkeras_nested_sequential.h5"})
    void compiledNestedModelTrainsOneStep(String file) throws IOException {
        Tensor x = Npy.read(resource("nested_sequential_x.npy"));
        Tensor y = Tensor.zeros(2, 2);
        try (Model m = Models.load(resource(file))) {
            Adam adam = assertInstanceOf(Adam.class, m.optimizer(), file);
            assertEquals(0.01, adam.learningRate(), 1e-7, file);
            List<List<Tensor>> before = new ArrayList<>();
            for (Layer l : m.layers()) before.add(l.getWeights());
            m.trainOnBatch(x, y);
            for (int i = 0; i < m.layers().size(); i++) {
                Layer l = m.layers().get(i);
                for (int k = 0; k < l.params().size(); k++) {
                    float[] a = before.get(i).get(k).data(), b = l.getWeights().get(k).data();
                    String w = file + ": " + l.name() + "/" + l.params().get(k).name();
                    boolean moving = l.params().get(k).name().startsWith("moving_");
                    double largest = 0;
                    for (int j = 0; j < a.length; j++) {
                        double step = Math.abs(b[j] - a[j]);
                        largest = Math.max(largest, step);
                        if (l.name().equals("enc_dense")) assertEquals(0, step, 0, w + " is frozen");
                        else if (!moving) assertTrue(step > 0 && step <= 0.01 + 1e-6, w + "[" + j + "] moved by " + step);
                    }
                    if (!moving && !l.name().equals("enc_dense")) assertEquals(0.01, largest, 2e-4, w + ": the largest step");
                    if (moving) assertNotEquals(List.of(a), List.of(b), w + ": BatchNormalization's statistics move in training");
                }
            }
        }
    }

    /** jrnn saves the flat model; read back, it predicts as the imported one, bit for bit. */
    @ParameterizedTest
    @ValueSource(strings = {"nested_sequential.keras", "nested_functional.keras", "tfkeras_nested_functional.h5"})
    void savedFlatModelRoundTrips(String file) throws IOException {
        boolean two = file.contains("functional");
        List<Tensor> xs = two ? List.of(Npy.read(resource("nested_functional_a.npy")), Npy.read(resource("nested_functional_b.npy")))
                : List.of(Npy.read(resource("nested_sequential_x.npy")));
        Path saved = tmp.resolve("flat.keras");
        try (Model m = Models.load(resource(file))) {
            m.save(saved);
            try (Model again = Models.load(saved)) {
                assertEquals(names(m), names(again), file);
                assertEquals(m.predictAll(xs, 32, null), again.predictAll(xs, 32, null), file);
            }
        }
    }

    /**
     * A Sequential called inside a functional model ({@code seq.apply(a)}) and a dict-input model called on a dict
     * ({@code applyAll(Map)}), built in jrnn: each fits a step, saves a .keras (flattened: no nested entry in its
     * config), loads and clones predicting as the model (Keras 3.15.1 loads the same two files predicting the same: checked
     * by hand in session 35).
     */
    @Test
    void aJrnnBuiltNestedSequentialAndDictModelFitSaveLoadAndClone() throws IOException {
        for (boolean dict : new boolean[] {false, true}) {
            dev.jrnn.model.Input a = dev.jrnn.model.Input.shape(3).name("a"), b = dev.jrnn.model.Input.shape(2).name("b");
            dev.jrnn.layers.Node inner;
            if (dict) {
                dev.jrnn.model.Input x = dev.jrnn.model.Input.shape(3).name("seq"), h = dev.jrnn.model.Input.shape(2).name("h");
                Model enc = new Model(Map.of("seq", x, "h", h), new dev.jrnn.layers.Dense(2).apply(new dev.jrnn.layers.Concatenate().apply(x, h)));
                inner = enc.applyAll(Map.of("seq", a, "h", b)).get(0);
            } else {
                Sequential seq = new Sequential(dev.jrnn.model.Input.shape(3), new dev.jrnn.layers.Dense(4), new dev.jrnn.layers.Dense(2));
                inner = new dev.jrnn.layers.Concatenate().apply(seq.apply(a), b);
            }
            Tensor xa = Tensor.of(new float[] {0.5f, -1f, 2f, 1.5f, 0.25f, -0.75f}, 2, 3), xb = Tensor.of(new float[] {0.1f, 0.2f, -0.3f, 0.4f}, 2, 2);
            try (Model m = new Model(List.of(a, b), new dev.jrnn.layers.Dense(1).apply(inner))) {
                m.compile(new Adam(0.05), "mse");
                m.trainOnBatch(List.of(xa, xb), List.of(Tensor.full(1f, 2, 1)));
                float[] want = m.predictAll(List.of(xa, xb)).get(0).data();
                Path f = tmp.resolve((dict ? "dict" : "seq") + ".keras");
                m.save(f);
                String config;
                try (java.util.zip.ZipFile z = new java.util.zip.ZipFile(f.toFile())) {
                    config = new String(z.getInputStream(z.getEntry("config.json")).readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                }
                // one Functional class name (the outer model's), no Sequential, whatever the writer's spacing
                java.util.regex.Pattern cls = java.util.regex.Pattern.compile("\"class_name\"\\s*:\\s*\"(Functional|Sequential)\"");
                assertEquals(List.of("Functional"), cls.matcher(config).results().map(r -> r.group(1)).toList(), "written flattened: " + config);
                try (Model l = Models.load(f); Model c = Models.cloneModel(m)) {
                    assertEquals(1L, l.optimizer().iterations());
                    assertClose(want, l.predictAll(List.of(xa, xb)).get(0).data(), (dict ? "dict" : "seq") + " loaded");
                    assertEquals(names(m), names(c), "the clone's layers");
                    c.setWeights(m.getWeights());   // a clone starts from fresh weights, as Keras' clone_model
                    assertClose(want, c.predictAll(List.of(xa, xb)).get(0).data(), (dict ? "dict" : "seq") + " cloned");
                }
            }
        }
    }

    /**
     * A functional model nested in a Sequential (Keras 3 JSON): jrnn's Sequential holds no graph, so the import is a
     * functional model of the same layers; its output is the two Dense layers' affine maps computed here by hand.
     */
    @Test
    void aFunctionalModelInASequentialBecomesAFunctionalModel() {
        String tensor = "{\"class_name\": \"__keras_tensor__\", \"config\": {\"keras_history\": [\"y\", 0, 0]}}";
        String json = "{\"class_name\": \"Sequential\", \"config\": {\"name\": \"outer\", \"layers\": ["
                + "{\"class_name\": \"InputLayer\", \"config\": {\"batch_shape\": [null, 3], \"name\": \"in\"}}, "
                + "{\"class_name\": \"Functional\", \"config\": {\"name\": \"sub\", \"layers\": ["
                + "{\"class_name\": \"InputLayer\", \"name\": \"y\", \"config\": {\"batch_shape\": [null, 3], \"name\": \"y\"}, \"inbound_nodes\": []}, "
                + "{\"class_name\": \"Dense\", \"name\": \"d\", \"config\": {\"name\": \"d\", \"units\": 2}, \"inbound_nodes\": "
                + "[{\"args\": [" + tensor + "], \"kwargs\": {}}]}], \"input_layers\": [[\"y\", 0, 0]], \"output_layers\": [[\"d\", 0, 0]]}}, "
                + "{\"class_name\": \"Dense\", \"config\": {\"name\": \"out\", \"units\": 1}}]}}";
        try (Model m = Models.fromJson(json)) {
            assertEquals("outer", m.name());
            assertTrue(!(m instanceof Sequential));
            assertEquals(List.of("d", "out"), names(m).stream().filter(n -> !n.equals("in")).toList());
            Tensor x = Tensor.of(new float[] {0.5f, -1f, 2f, 1.5f, 0.25f, -0.75f}, 2, 3);
            float[] w1 = m.getLayer("d").getWeights().get(0).data(), b1 = m.getLayer("d").getWeights().get(1).data();
            float[] w2 = m.getLayer("out").getWeights().get(0).data(), b2 = m.getLayer("out").getWeights().get(1).data();
            float[] got = m.predict(x).data();
            for (int r = 0; r < 2; r++) {
                double y = b2[0];
                for (int j = 0; j < 2; j++) {
                    double h = b1[j];
                    for (int i = 0; i < 3; i++) h += x.data()[r * 3 + i] * w1[i * 2 + j];
                    y += h * w2[j];
                }
                assertEquals(y, got[r], 1e-5, "row " + r);
            }
        }
    }

    /**
     * A Keras 2.2.0-2.2.2 JSON architecture (fromJson): a nested Sequential whose config is the bare list of its layers,
     * called from node 1 as Keras 2.3 and older number a nested model's calls. Before, the bare list was refused ("should be
     * an object") and fromJson did not pass the version, so the call at node 1 was not found.
     */
    @Test
    void aKeras22JsonWithANestedSequentialOfABareList() {
        String dense = "{\"class_name\": \"Dense\", \"config\": {\"name\": \"inner_dense\", \"units\": 2, \"activation\": \"linear\","
                + " \"use_bias\": true, \"trainable\": true}}";
        String json = "{\"class_name\": \"Model\", \"keras_version\": \"2.2.0\", \"backend\": \"tensorflow\", \"config\": {\"name\": \"outer\","
                + " \"layers\": [{\"name\": \"x\", \"class_name\": \"InputLayer\", \"config\": {\"batch_input_shape\": [null, 3],"
                + " \"dtype\": \"float32\", \"sparse\": false, \"name\": \"x\"}, \"inbound_nodes\": []},"
                + " {\"name\": \"inner\", \"class_name\": \"Sequential\", \"config\": [" + dense + "],"
                + " \"inbound_nodes\": [[[\"x\", 0, 0, {}]]]}],"
                + " \"input_layers\": [[\"x\", 0, 0]], \"output_layers\": [[\"inner\", 1, 0]]}}";
        try (Model m = Models.fromJson(json)) {
            assertTrue(m.layers().stream().map(Layer::name).toList().contains("inner_dense"), m.layers().toString());
            m.getLayer("inner_dense").setWeights(List.of(Tensor.wrap(new float[] {1, 0, 0, 1, 1, 1}, 3, 2), Tensor.wrap(new float[] {0.5f, -1}, 2)));
            assertEquals(java.util.Arrays.toString(new float[] {4.5f, 4f}),
                    java.util.Arrays.toString(m.predict(Tensor.wrap(new float[] {1, 2, 3}, 1, 3)).data()));
        }
    }

    /**
     * A weights-only file of a model with a nested model (nested_sequential.weights.h5: Keras 3's layers/sequential/layers/...)
     * does not load into jrnn's flat model: the message names the nested group and points to the whole model file (it
     * said only "build the same architecture", which no jrnn model can); the weights stay as they were.
     */
    @Test
    void aNestedModelsWeightsOnlyFileIsRefusedPointingToTheModelFile() throws IOException {
        try (Model m = Models.load(resource("nested_sequential.keras"))) {
            List<Tensor> before = m.getWeights();
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> m.loadWeights(resource("nested_sequential.weights.h5")));
            for (String w : List.of("the file's weight groups [layers/dense, layers/sequential]", "[layers/sequential] holds a nested model",
                    "does not read the weights-only file of a model with nested Sequential or dict models", "load the whole model file")) {
                org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains(w), "'" + w + "' not in " + e.getMessage());
            }
            List<Tensor> after = m.getWeights();
            for (int i = 0; i < before.size(); i++) org.junit.jupiter.api.Assertions.assertArrayEquals(before.get(i).data(), after.get(i).data());
        }
    }
}
