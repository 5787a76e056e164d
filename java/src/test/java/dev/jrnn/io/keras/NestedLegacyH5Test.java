package dev.jrnn.io.keras;

import dev.jrnn.Jrnn;
import dev.jrnn.data.Npy;
import dev.jrnn.layers.Add;
import dev.jrnn.layers.BatchNormalization;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.Layer;
import dev.jrnn.layers.Node;
import dev.jrnn.model.Input;
import dev.jrnn.model.Model;
import dev.jrnn.model.Models;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A legacy {@code .h5} of a model that calls a nested functional model (nested_keras/make_nested_h5.py, Keras 3.15.1's
 * own files): Keras keeps the nested model's arrays in one group at its place ({@code model_weights/inner}, trainable
 * arrays first), which {@code loadWeights} reads into a model that calls the same nested model, loaded from the file or
 * built in jrnn, from the full file and from its weights-only layout, as Keras' load_weights does. That weights-only
 * file (nested_weights_only.h5) is the layout of tf.keras 2's save_weights("w.h5"), synthesised from Keras' file by
 * make_nested_h5.py (model_weights copied to the root): no file written by tf.keras 2 itself is tested here.
 */
class NestedLegacyH5Test {
    @TempDir
    Path dir;

    @BeforeEach
    void cpu() {
        Jrnn.setBackend("cpu");
        Jrnn.clearSession();
    }

    static Path file(String name) {
        return KerasNestingTest.file(name);
    }

    /** nested_h5.txt: key to values. */
    static Map<String, float[]> golden() throws IOException {
        Map<String, float[]> r = new HashMap<>();
        for (String line : Files.readAllLines(file("nested_h5.txt"))) {
            String[] f = line.trim().split(" ");
            float[] v = new float[f.length - 1];
            for (int i = 1; i < f.length; i++) v[i - 1] = Float.parseFloat(f[i]);
            r.put(f[0], v);
        }
        return r;
    }

    private static Dense dense(int units, String name) {
        Dense d = new Dense(units);
        d.name(name);
        return d;
    }

    private static BatchNormalization bn(String name) {
        BatchNormalization b = new BatchNormalization();
        b.name(name);
        return b;
    }

    /** make_nested_h5.py's model built in jrnn (fresh weights); {@code width}: d1's units (3 as Keras'). */
    static Model built(int width) {
        Input ii = Input.shape(4);
        ii.name("ii");
        Dense d1 = dense(width, "d1"), d2 = dense(2, "d2");
        Node a = d1.apply(ii);
        Model inner = new Model(ii, List.of(bn("bn1").apply(a), bn("bn2").apply(d2.apply(a))));
        inner.name("inner");
        d2.trainable(false);
        Input x = Input.shape(4);
        x.name("x");
        Node h = bn("bn3").apply(inner.applyAll(List.of(x)).get(0));
        Add add = new Add();
        add.name("add");
        Model m = new Model(x, add.apply(dense(1, "out").apply(h), dense(1, "p").apply(x)));
        m.name("outer");
        return m;
    }

    /** Every layer's weights and the predict of {@code m} against Keras'; {@code inner}: the nested model, for d2 and bn2. */
    static void assertKeras(Model m, Model inner) throws IOException {
        Map<String, float[]> gold = golden();
        assertArrayEquals(gold.get("predict"), m.predict(Npy.read(file("nested_h5_x.npy"))).toArray(), 2e-6f);
        for (String n : List.of("d1", "d2", "bn1", "bn2", "bn3", "out", "p")) {
            Layer l = List.of("bn3", "out", "p").contains(n) ? m.getLayer(n) : inner.getLayer(n);
            List<Tensor> ws = l.getWeights();
            for (int j = 0; j < ws.size(); j++) assertArrayEquals(gold.get(n + "_" + j), ws.get(j).toArray(), 1e-7f, n + "_" + j);
        }
    }

    private static Model innerOf(Model m) {
        return (Model) KerasNesting.legacyUnits(m).stream().filter(u -> u instanceof Model).findFirst().orElseThrow();
    }

    @Test
    void aModelBuiltInJrnnLoadsKerasLegacyFileAndItsWeightsOnlyLayout() throws IOException {
        for (String f : List.of("nested.h5", "nested_weights_only.h5")) {
            Model m = built(3);
            m.loadWeights(file(f));
            assertKeras(m, innerOf(m));
        }
    }

    @Test
    void theModelLoadedFromTheFileLoadsItsOwnFileAgain() throws IOException {
        Model m = Models.load(file("nested.h5"));
        assertKeras(m, innerOf(m));
        Model fresh = built(3);
        m.setWeights(fresh.getWeights());   // other values, so the load below is seen
        m.loadWeights(file("nested.h5"));
        assertKeras(m, innerOf(m));
        m.loadWeights(file("nested_weights_only.h5"));
        assertKeras(m, innerOf(m));
    }

    @Test
    void aNestedModelOfAnotherShapeIsRefusedNamingItsLayerAndChangesNothing() {
        Model m = built(5);
        List<Tensor> before = m.getWeights();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.loadWeights(file("nested.h5")));
        assertTrue(e.getMessage().contains("layer 'd1' weight kernel expected shape (4, 5), the file has (4, 3)"), e.getMessage());
        List<Tensor> after = m.getWeights();
        for (int i = 0; i < before.size(); i++) assertEquals(before.get(i), after.get(i));
    }

    @Test
    void aFlatModelIsRefusedNamingTheFilesNestedGroupAndItsLayers() {
        Input x = Input.shape(4);
        Node h = bn("bn3").apply(bn("bn1").apply(dense(3, "d1").apply(x)));
        Add add = new Add();
        Model flat = new Model(x, add.apply(dense(1, "out").apply(h), dense(1, "p").apply(x)));
        flat.name("flat");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> flat.loadWeights(file("nested.h5")));
        assertTrue(e.getMessage().contains("the file holds weights for 4 layers [inner (nested model: d1, bn1, bn2, d2), bn3, out, p], "
                + "the model has 5 layers with weights [d1, bn1, bn3, out, p]"), e.getMessage());
        assertTrue(e.getMessage().contains("the file's [inner] holds a nested model; jrnn reads such a group into a model that calls"),
                e.getMessage());
    }

    @Test
    void aNestedModelMissingALayerIsRefusedNamingBothNestedModels() {
        Input ii = Input.shape(4);
        Model inner = new Model(ii, bn("bn1").apply(dense(3, "d1").apply(ii)));
        inner.name("inner");
        Input x = Input.shape(4);
        Add add = new Add();
        Model m = new Model(x, add.apply(dense(1, "out").apply(bn("bn3").apply(inner.applyAll(List.of(x)).get(0))), dense(1, "p").apply(x)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.loadWeights(file("nested.h5")));
        assertTrue(e.getMessage().contains("the file's group 'inner' is at the place of nested model 'inner': nested model 'inner' holds "
                + "12 weight arrays in the file, its layers 6"), e.getMessage());
        assertTrue(e.getMessage().contains("(as Keras' legacy .h5 lists them, 4: [inner (nested model: d1, bn1), bn3, out, p])"), e.getMessage());
    }

    /** MakeFlatOldH5.java's model: 'inner' (ii -> d1 -> tanh -> tanh) and the top-level p -> q, added. */
    static Model flatOldModel() {
        Input ii = Input.shape(4);
        ii.name("ii");
        dev.jrnn.layers.Activation a1 = new dev.jrnn.layers.Activation("tanh"), a2 = new dev.jrnn.layers.Activation("tanh");
        a1.name("a1");
        a2.name("a2");
        Model inner = new Model(ii, a2.apply(a1.apply(dense(2, "d1").apply(ii))));
        inner.name("inner");
        Input x = Input.shape(4);
        x.name("x");
        Node q = dense(2, "q").apply(dense(2, "p").apply(x));
        Add add = new Add();
        add.name("add");
        Model m = new Model(x, add.apply(inner.applyAll(List.of(x)).get(0), q));
        m.name("outer");
        return m;
    }

    private static Tensor flatOldX() {
        float[] xs = new float[12];
        for (int i = 0; i < 12; i++) xs[i] = (float) Math.sin(0.7 * i + 0.3);
        return Tensor.of(xs, 3, 4);
    }

    /**
     * An .h5 that jrnn up to session 34 wrote of a model with a nested model, flat (MakeFlatOldH5.java, run with that
     * jrnn): its groups with weights [d1, p, q] are as many as the model's legacy units [p, inner, q], with p and d1 of one
     * shape, yet none is the nested model's group: read flat, by the model's layers, not split by position (which loaded
     * d1's arrays into p and p's into d1, silently).
     */
    @Test
    void anOldFlatH5OfANestedModelLoadsIntoItExactly() throws IOException {
        String[] f = Files.readAllLines(file("flat_old.txt")).get(0).trim().split(" ");
        float[] want = new float[f.length - 1];
        for (int i = 1; i < f.length; i++) want[i - 1] = Float.parseFloat(f[i]);
        Model m = flatOldModel();
        m.loadWeights(file("flat_old.h5"));
        assertArrayEquals(want, m.predict(flatOldX()).toArray(), 1e-6f);
        assertArrayEquals(want, Models.load(file("flat_old.h5")).predict(flatOldX()).toArray(), 1e-6f);
    }

    /**
     * jrnn's own .h5 of a model with a nested model is flat, in tf.keras 2's schema (which tf.keras 2 and Keras 3 load),
     * and loads back into the same architecture built in jrnn and by Models.load.
     */
    @Test
    void jrnnsH5OfANestedModelIsFlatAndLoadsBack() throws IOException {
        Model m = flatOldModel();
        Path h5 = dir.resolve("jrnn.h5"), w = dir.resolve("jrnn_w.h5");
        m.save(h5);
        m.saveWeights(w);
        try (io.jhdf.HdfFile h = new io.jhdf.HdfFile(h5)) {
            assertEquals(List.of("x", "d1", "a1", "p", "a2", "q", "add"),
                    List.of((String[]) h.getByPath("model_weights").getAttribute("layer_names").getData()));
            assertEquals("2.13.1", h.getAttribute("keras_version").getData());
        }
        float[] want = m.predict(flatOldX()).toArray();
        for (Path p : List.of(h5, w)) {
            Model into = flatOldModel();
            into.loadWeights(p);
            assertArrayEquals(want, into.predict(flatOldX()).toArray(), 1e-6f, p.toString());
        }
        assertArrayEquals(want, Models.load(h5).predict(flatOldX()).toArray(), 1e-6f);
    }

    /**
     * Keras' .h5 of a model calling a nested Sequential (make_nested_seq_h5.py; Keras writes its group's weight names as
     * paths, base/lstm/lstm_cell/kernel): loadWeights into the model Models.load gives (which runs it flattened) is
     * refused naming the nested group's layers and saying what to use instead; before, "the file holds weights for 2
     * layers [base, head] ...; build the same architecture as the Keras model that saved it".
     */
    @Test
    void aNestedSequentialsLegacyGroupIsNamedWithItsLayersWhenRefused() throws IOException {
        Model m = Models.load(file("nested_seq.h5"));
        List<Tensor> before = m.getWeights();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.loadWeights(file("nested_seq.h5")));
        assertTrue(e.getMessage().contains("the file holds weights for 2 layers [base (nested model: emb, lstm), head]"), e.getMessage());
        assertTrue(e.getMessage().contains("a nested Sequential or dict model, which jrnn runs flattened"), e.getMessage());
        assertTrue(e.getMessage().contains("use the weights Models.load of the whole file gives"), e.getMessage());
        List<Tensor> after = m.getWeights();
        for (int i = 0; i < before.size(); i++) assertArrayEquals(before.get(i).toArray(), after.get(i).toArray(), 0f);
    }
}
