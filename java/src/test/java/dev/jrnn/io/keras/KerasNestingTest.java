package dev.jrnn.io.keras;

import dev.jrnn.Jrnn;
import dev.jrnn.io.Json;
import dev.jrnn.layers.Concatenate;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.Layer;
import dev.jrnn.layers.Node;
import dev.jrnn.model.Input;
import dev.jrnn.model.Model;
import dev.jrnn.model.Models;
import dev.jrnn.tensor.Tensor;
import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A functional model calling a nested functional model is written as Keras 3.15.1 writes it (nested_keras/
 * make_nested_keras.py, Keras' own file): {@code enc} one {@code Functional} entry with its own layers (its unused
 * output's {@code u1} too) and its two calls as its nodes, its weights at {@code layers/functional/layers/...}, the
 * optimizer's slots in Keras' order (enc's at its place). Keras 3.15.1 reads jrnn's files of it back nested, with
 * Keras' predictions and the same next train step (check_jrnn_nested.py).
 */
class KerasNestingTest {
    @TempDir
    Path dir;

    @BeforeEach
    void cpu() {
        Jrnn.setBackend("cpu");
        Jrnn.clearSession();
    }

    static Path file(String name) {
        return GeneratedKerasFilesTest.resource("nested_keras/" + name);
    }

    static float[] det(int n, double a, double ph, double amp) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (amp * Math.sin(a * i + ph));
        return v;
    }

    static List<Tensor> xs() {
        return List.of(Tensor.of(det(12, 0.9, 0.2, 1.0), 4, 3), Tensor.of(det(12, 0.7, 0.5, 2.0), 4, 3));
    }

    /** nested.txt: key to values. */
    static Map<String, float[]> golden() throws IOException {
        Map<String, float[]> r = new HashMap<>();
        for (String line : Files.readAllLines(file("nested.txt"))) {
            String[] f = line.trim().split(" ");
            float[] v = new float[f.length - 1];
            for (int i = 1; i < f.length; i++) v[i - 1] = Float.parseFloat(f[i]);
            r.put(f[0], v);
        }
        return r;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> config(Path keras) throws IOException {
        try (ZipFile z = new ZipFile(keras.toFile())) {
            return (Map<String, Object>) ((Map<String, Object>) Json.parse(new String(
                    z.getInputStream(z.getEntry("config.json")).readAllBytes(), StandardCharsets.UTF_8))).get("config");
        }
    }

    /** The structure of a functional config: each layer's name, class, its calls' inputs' refs, nested configs the same. */
    @SuppressWarnings("unchecked")
    static String structure(Map<String, Object> config) {
        StringBuilder b = new StringBuilder("[");
        for (Object o : (List<Object>) config.get("layers")) {
            Map<String, Object> l = (Map<String, Object>) o;
            b.append(l.get("name")).append(':').append(l.get("class_name"));
            List<String> calls = new ArrayList<>();
            for (Object n : (List<Object>) l.get("inbound_nodes")) calls.add(histories(n));
            b.append(calls);
            if (l.get("class_name").equals("Functional")) b.append(structure((Map<String, Object>) l.get("config")));
            b.append(' ');
        }
        return b.append("in=").append(config.get("input_layers")).append(" out=").append(config.get("output_layers")).append(']').toString();
    }

    /** The keras_history refs in a node, in order. */
    @SuppressWarnings("unchecked")
    static String histories(Object o) {
        if (o instanceof Map<?, ?> m) {
            if (m.get("config") instanceof Map<?, ?> c && c.get("keras_history") != null) return c.get("keras_history").toString();
            StringBuilder b = new StringBuilder();
            for (Object v : m.values()) b.append(histories(v));
            return b.toString();
        }
        if (o instanceof List<?> l) {
            StringBuilder b = new StringBuilder();
            for (Object v : l) b.append(histories(v));
            return b.toString();
        }
        return "";
    }

    /** The weights file's datasets by path (jrnn's own state left out), as float arrays. */
    static Map<String, float[]> datasets(Path keras) throws IOException {
        Path h5 = dir(keras).resolve("w.h5");
        try (ZipFile z = new ZipFile(keras.toFile())) {
            Files.write(h5, z.getInputStream(z.getEntry("model.weights.h5")).readAllBytes());
        }
        Map<String, float[]> r = new TreeMap<>();
        try (HdfFile h = new HdfFile(h5)) {
            walk(h, "", r);
        }
        Files.delete(h5);
        return r;
    }

    private static Path dir(Path p) { return p.toAbsolutePath().getParent(); }

    /** A weights file's datasets by path, as {@link #datasets}. */
    static Map<String, float[]> h5Datasets(Path h5) {
        Map<String, float[]> r = new TreeMap<>();
        try (HdfFile h = new HdfFile(h5)) {
            walk(h, "", r);
        }
        return r;
    }

    private static void walk(Group g, String at, Map<String, float[]> out) {
        for (var e : g.getChildren().entrySet()) {
            String path = at.isEmpty() ? e.getKey() : at + "/" + e.getKey();
            if (path.equals(KerasExport.STATE_GROUP)) continue;
            if (e.getValue() instanceof Group c) walk(c, path, out);
            else if (e.getValue() instanceof Dataset d) out.put(path, floats(d.getData()));
        }
    }

    private static float[] floats(Object data) {
        List<Float> v = new ArrayList<>();
        flatten(data, v);
        float[] r = new float[v.size()];
        for (int i = 0; i < r.length; i++) r[i] = v.get(i);
        return r;
    }

    private static void flatten(Object a, List<Float> out) {
        if (a instanceof Number n) out.add(n.floatValue());
        else if (a instanceof float[] f) for (float x : f) out.add(x);
        else if (a instanceof long[] l) for (long x : l) out.add((float) x);
        else for (int i = 0; i < java.lang.reflect.Array.getLength(a); i++) flatten(java.lang.reflect.Array.get(a, i), out);
    }

    static void assertSameDatasets(Map<String, float[]> want, Map<String, float[]> got, float tol) {
        assertEquals(want.keySet(), got.keySet(), "the weights file's datasets");
        for (String k : want.keySet()) KerasFixtures.assertClose(want.get(k), got.get(k), k);
    }

    @Test
    void kerasFileSavedAgainKeepsTheNestedModelItsWeightPathsAndOptimizerOrder() throws IOException {
        Path keras = file("nested.keras");
        Model m = Models.load(keras);
        KerasFixtures.assertClose(golden().get("predict"), m.predictOnBatch(xs()).get(0).data(), "predict");
        Path saved = dir.resolve("again.keras");
        m.save(saved);
        assertEquals(structure(config(keras)), structure(config(saved)));
        // every weight and optimizer variable at Keras' path, optimizer/vars/i the same variable as in Keras' file
        Map<String, float[]> want = datasets(keras);
        want.keySet().removeIf(k -> k.equals("optimizer/vars/0"));   // the iteration: Keras' int64, jrnn's count
        Map<String, float[]> got = datasets(saved);
        assertEquals(2f, got.remove("optimizer/vars/0")[0], "iterations");
        assertSameDatasets(want, got, 0);
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
    void kerasFileAndItsJrnnSaveTrainTheNextStepAsKeras(boolean savedAgain) throws IOException {
        Model back = Models.load(file("nested.keras"));
        if (savedAgain) {
            Path saved = dir.resolve("again.keras");
            back.save(saved);
            back = Models.load(saved);
        }
        Tensor y = Tensor.of(det(4, 0.3, 0.6, 1.0), 4, 1);
        back.trainOnBatch(xs(), List.of(y));
        Map<String, float[]> g = golden();
        // u1 (only enc's unused output needs it) is not among jrnn's layers: not called, it does not train (zero gradient in Keras)
        for (String n : List.of("p", "head", "e1", "e2")) {
            Layer l = back.getLayer(n);
            List<Tensor> w = l.getWeights();
            for (int j = 0; j < w.size(); j++) KerasFixtures.assertClose(g.get("step_" + n + "_" + j), w.get(j).data(), n + " weight " + j);
        }
    }

    /**
     * make_nested_keras.py's model built in jrnn with {@code Model.apply} (enc called on a and b); {@code layers} gets its
     * layers by name, enc's u1 too (not in the outer model's layers()).
     */
    static Model jrnnBuilt(Map<String, Layer> layers) {
        Input x = Input.shape(3);
        x.name("x");
        for (String n : List.of("e1:4", "e2:3", "u1:2", "p:2", "head:1")) {
            Dense d = new Dense(Integer.parseInt(n.substring(n.indexOf(':') + 1)));
            d.name(n.substring(0, n.indexOf(':')));
            layers.put(d.name(), d);
        }
        Model enc = new Model(x, List.of(layers.get("e2").apply(layers.get("e1").apply(x)), layers.get("u1").apply(x)));
        enc.name("enc");
        Input a = Input.shape(3), b = Input.shape(3);
        a.name("a");
        b.name("b");
        Concatenate cat = new Concatenate();
        cat.name("cat");
        Node joined = cat.apply(layers.get("p").apply(a), enc.applyAll(List.of(a)).get(0), enc.applyAll(List.of(b)).get(0));
        Model m = new Model(List.of(a, b), layers.get("head").apply(joined));
        m.name("outer");
        return m;
    }

    /**
     * make_nested_keras.py's model built in jrnn (Model.apply, enc called twice), given the generator's starting weights,
     * trained the same two Adam steps in jrnn and saved: its .keras holds every weight and optimizer variable at Keras'
     * path and index, as Keras' nested.keras (the slots of a built model ordered by KerasOptimizerState.kerasTrainableOrder:
     * enc's e1, e2 and u1 at enc's place, between p and head; u1's never stepped). Written flat (ps.trainable: p, e1, e2,
     * head) u1's slots are missing and the others stand at other indices.
     */
    @Test
    void jrnnBuiltAndTrainedNestedModelSavesKerasOptimizerOrder() throws IOException {
        Map<String, Layer> layers = new HashMap<>();
        Model m = jrnnBuilt(layers);
        List<String> enc = List.of("e1", "e2", "u1"), outer = List.of("p", "head");
        for (String n : List.of("e1", "e2", "u1", "p", "head")) {   // make_nested_keras.py's set_weights
            boolean in = enc.contains(n);
            int i = in ? enc.indexOf(n) : outer.indexOf(n);
            Layer l = layers.get(n);
            List<Tensor> w = new ArrayList<>();
            for (int j = 0; j < l.getWeights().size(); j++) {
                int[] shape = l.getWeights().get(j).shape();
                w.add(Tensor.of(in ? det((int) Tensor.size(shape), 1.3, 0.7 * j + 0.5 * i, 0.3)
                        : det((int) Tensor.size(shape), 1.1, 0.4 * j + 0.3 * i, 0.4), shape));
            }
            l.setWeights(w);
        }
        m.compile(new dev.jrnn.optim.Adam(0.05), "mse");
        Tensor y = Tensor.of(det(4, 0.3, 0.6, 1.0), 4, 1);
        for (int step = 0; step < 2; step++) m.trainOnBatch(xs(), List.of(y));   // Keras' fit: 2 epochs of one batch, unshuffled
        Path saved = dir.resolve("built.keras");
        m.save(saved);
        Map<String, float[]> want = datasets(file("nested.keras"));
        want.keySet().removeIf(k -> k.equals("optimizer/vars/0"));
        Map<String, float[]> got = datasets(saved);
        assertEquals(2f, got.remove("optimizer/vars/0")[0], "iterations");
        assertSameDatasets(want, got, 2e-6f);
    }

    /** jrnn's Model.apply of a nested model: the same config as Keras' (and a clone keeps it). */
    @Test
    void jrnnBuiltNestedModelWritesKerasConfigAndCloneKeepsIt() throws IOException {
        Model m = jrnnBuilt(new HashMap<>());
        String keras = structure(config(file("nested.keras")));
        @SuppressWarnings("unchecked")
        Map<String, Object> written = (Map<String, Object>) ((Map<String, Object>) Json.parse(m.toJson())).get("config");
        assertEquals(keras, structure(written));
        @SuppressWarnings("unchecked")
        Map<String, Object> cloned = (Map<String, Object>) ((Map<String, Object>) Json.parse(Models.cloneModel(m).toJson())).get("config");
        assertEquals(keras, structure(cloned));
    }

    /**
     * Keras' own save_weights of the nested model (layers/functional/layers/dense..., nested.weights.h5) loads into the
     * jrnn-built model by its nested groups: Keras' predictions, and u1 (only enc's unused output needs it) takes Keras'
     * weights too, never trained there (Adam moves a weight with zero gradient by nothing). loadWeights refused the file
     * before ("holds a nested model").
     */
    @Test
    void kerasSaveWeightsOfTheNestedModelLoadsIntoTheJrnnBuiltOne() throws IOException {
        Map<String, Layer> layers = new HashMap<>();
        Model m = jrnnBuilt(layers);
        m.loadWeights(file("nested.weights.h5"));
        Map<String, float[]> g = golden();
        KerasFixtures.assertClose(g.get("predict"), m.predictOnBatch(xs()).get(0).data(), "predict");
        List<Tensor> u1 = layers.get("u1").getWeights();
        for (int j = 0; j < u1.size(); j++) KerasFixtures.assertClose(g.get("step_u1_" + j), u1.get(j).data(), "u1 weight " + j);
    }

    /**
     * jrnn's saveWeights of that model writes Keras' file: every weight at Keras' nested path with Keras' values (its
     * optimizer left out: jrnn's weights-only file holds none), and loadWeights reads it back into a model built again.
     */
    @Test
    void jrnnSaveWeightsOfTheNestedModelIsKerasLayoutAndLoadsBack() throws IOException {
        Model m = jrnnBuilt(new HashMap<>());
        m.loadWeights(file("nested.weights.h5"));
        Path saved = dir.resolve("again.weights.h5");
        m.saveWeights(saved);
        Map<String, float[]> want = h5Datasets(file("nested.weights.h5"));
        want.keySet().removeIf(k -> k.startsWith("optimizer/"));
        assertSameDatasets(want, h5Datasets(saved), 0);
        Jrnn.clearSession();
        Map<String, Layer> layers = new HashMap<>();
        Model back = jrnnBuilt(layers);
        back.loadWeights(saved);
        KerasFixtures.assertClose(golden().get("predict"), back.predictOnBatch(xs()).get(0).data(), "predict");
        KerasFixtures.assertClose(golden().get("step_u1_0"), layers.get("u1").getWeights().get(0).data(), "u1 kernel");
    }

    /** A model loaded from Keras' nested .keras (its enc kept as jrnn's model of it) takes the nested weights file too. */
    @Test
    void aLoadedNestedModelTakesKerasNestedWeightsFile() throws IOException {
        Model m = Models.load(file("nested.keras"));
        m.setWeights(m.getWeights().stream().map(t -> Tensor.of(new float[(int) t.size()], t.shape())).toList());
        m.loadWeights(file("nested.weights.h5"));
        KerasFixtures.assertClose(golden().get("predict"), m.predictOnBatch(xs()).get(0).data(), "predict");
    }

    /**
     * The same layers called flat (no nested model) do not take the nested file: refused naming the nested group and
     * the models loadWeights reads it into, the weights as they were.
     */
    @Test
    void aFlatModelRefusesTheNestedFileAndKeepsItsWeights() {
        Input a = Input.shape(3), b = Input.shape(3);
        Dense e1 = new Dense(4), e2 = new Dense(3);
        Node joined = new Concatenate().apply(new Dense(2).apply(a), e2.apply(e1.apply(a)), e2.apply(e1.apply(b)));
        Model m = new Model(List.of(a, b), new Dense(1).apply(joined));
        List<Tensor> before = m.getWeights();
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> m.loadWeights(file("nested.weights.h5")));
        for (String w : List.of("[layers/functional] holds a nested model", "into a model that calls the same nested functional models")) {
            org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains(w), "'" + w + "' not in " + e.getMessage());
        }
        for (int i = 0; i < before.size(); i++) {
            org.junit.jupiter.api.Assertions.assertArrayEquals(before.get(i).data(), m.getWeights().get(i).data(), "weight " + i);
        }
    }
}
