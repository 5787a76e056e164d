package dev.jrnn.model;

import dev.jrnn.Jrnn;
import dev.jrnn.layers.Bidirectional;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.LSTM;
import dev.jrnn.layers.SimpleRNN;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WeightsIoTest {
    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }

    @BeforeEach
    void fresh() {
        Jrnn.clearSession();
        Jrnn.setSeed(5);
    }

    private static Sequential model() {
        Sequential m = new Sequential(new Bidirectional(new LSTM(2)).inputShape(3, 1), new Dense(1));
        m.predict(Tensor.zeros(1, 3, 1));
        return m;
    }

    private static WeightsIo io(Model m) {
        return new WeightsIo(m.name(), m.parameters());
    }

    @Test
    void namesWeightsByTheirLayersVariableScope() {
        Sequential m = model();
        Bidirectional bi = (Bidirectional) m.layers().get(0);
        String f = bi.name() + "/" + bi.forwardLayer().name() + "/", b = bi.name() + "/" + bi.backwardLayer().name() + "/";
        String d = m.layers().get(1).name() + "/";
        assertEquals(List.of(f + "kernel", f + "recurrent_kernel", f + "bias", b + "kernel", b + "recurrent_kernel", b + "bias",
                d + "kernel", d + "bias"), io(m).names());
    }

    @Test
    void savedWeightsLoadBackIntoAFreshModel(@TempDir Path dir) throws Exception {
        Sequential a = model();
        Path file = dir.resolve("w.safetensors");
        io(a).save(file);
        Jrnn.clearSession();   // the same layer names again
        Sequential b = model();
        List<Tensor> before = io(b).get();
        b.loadWeights(file, true);
        List<Tensor> wa = io(a).get(), wb = io(b).get();
        for (int i = 0; i < wa.size(); i++) assertArrayEquals(wa.get(i).data(), wb.get(i).data(), 0f, "weight " + i);
        assertTrue(before.stream().anyMatch(t -> !java.util.Arrays.equals(t.data(), wa.get(before.indexOf(t)).data())),
                "the fresh model started from other weights");
    }

    /** Keras 3's save_weights spelling (.weights.h5) gets Keras 3's HDF5 layout (another .h5 name is refused: edges/BadInputTest). */
    @Test
    void anHdf5NameWritesKeras3sWeightsFile(@TempDir Path dir) throws Exception {
        Sequential a = model();
        for (String name : new String[] {"m.weights.h5", "M.HDF5.weights.h5"}) {
            Path file = dir.resolve(name);
            a.saveWeights(file);
            try (io.jhdf.HdfFile h = new io.jhdf.HdfFile(file)) {
                float[][] kernel = (float[][]) h.getDatasetByPath("layers/bidirectional/forward_layer/cell/vars/0").getData();
                assertArrayEquals(a.getWeights().get(0).data(), concat(kernel));
                assertEquals(1, ((float[]) h.getDatasetByPath("layers/dense/vars/1").getData()).length);
            }
            Sequential b = model();
            b.loadWeights(file);
            List<Tensor> wa = a.getWeights(), wb = b.getWeights();
            for (int i = 0; i < wa.size(); i++) assertArrayEquals(wa.get(i).data(), wb.get(i).data(), 0f, name + " weight " + i);
        }
    }

    private static float[] concat(float[][] rows) {
        float[] r = new float[rows.length * rows[0].length];
        for (int i = 0; i < rows.length; i++) System.arraycopy(rows[i], 0, r, i * rows[i].length, rows[i].length);
        return r;
    }

    @Test
    void aBadSetChangesNothing() {
        Sequential m = model();
        List<Tensor> w = io(m).get();
        List<Tensor> bad = new ArrayList<>(w);
        Tensor nan = Tensor.zeros(w.get(7).shape());
        nan.data()[0] = Float.NaN;
        bad.set(0, Tensor.zeros(w.get(0).shape()));
        bad.set(7, nan);
        String msg = assertThrows(IllegalArgumentException.class, () -> io(m).set(bad)).getMessage();
        assertEquals(m.name() + ".setWeights: " + io(m).names().get(7) + " holds NaN at (0,)", msg);
        assertArrayEquals(w.get(0).data(), io(m).get().get(0).data(), 0f);
    }

    /** Issue 12's first try: a freshly built copy has other auto names (lstm_6 vs lstm_5); Keras loads by structure. */
    @Test
    void aFreshCopyWithOtherLayerNamesLoadsByStructure(@TempDir Path dir) throws Exception {
        Sequential a = model(), b = model();   // no clearSession: b's layers are bidirectional_1, dense_1, ...
        Path file = dir.resolve("w.safetensors");
        a.saveWeights(file);
        assertTrue(!a.weightNames().equals(b.weightNames()), "the copy's names differ");
        b.loadWeights(file);
        List<Tensor> wa = a.getWeights(), wb = b.getWeights();
        for (int i = 0; i < wa.size(); i++) assertArrayEquals(wa.get(i).data(), wb.get(i).data(), 0f, "weight " + i);
    }

    @Test
    void byNameListsWhatDiffersAndSuggestsLoadingByStructure(@TempDir Path dir) throws Exception {
        Sequential a = model(), b = model();
        Path file = dir.resolve("w.safetensors");
        a.saveWeights(file);
        List<Tensor> before = b.getWeights();
        String msg = assertThrows(IllegalArgumentException.class, () -> b.loadWeights(file, true)).getMessage();
        assertTrue(msg.contains("does not match the model by name: missing [" + b.weightNames().get(0))
                && msg.contains("unexpected [" + a.weightNames().get(0))
                && msg.endsWith("the file fits this model by structure (the same weights in the same order): call loadWeights(file) to load by structure"), msg);
        assertArrayEquals(before.get(0).data(), b.getWeights().get(0).data(), 0f, "unchanged");
    }

    @Test
    void aDifferentStructureListsEachWeightAndSuggestsTheFix(@TempDir Path dir) throws Exception {
        Sequential a = model();
        Sequential c = new Sequential(new Bidirectional(new LSTM(3)).inputShape(3, 1), new Dense(1));
        c.predict(Tensor.zeros(1, 3, 1));
        Path file = dir.resolve("w.safetensors");
        a.saveWeights(file);
        List<Tensor> before = c.getWeights();
        String msg = assertThrows(IllegalArgumentException.class, () -> c.loadWeights(file)).getMessage();
        assertTrue(msg.contains("does not match the model, by structure (weights matched in order, whatever their names): weight 0: the model's "
                + c.weightNames().get(0) + " is (1, 12), the file's " + a.weightNames().get(0) + " (1, 8)"), msg);
        assertTrue(msg.contains("weight 6: the model's " + c.weightNames().get(6) + " is (6, 1), the file's " + a.weightNames().get(6) + " (4, 1)"), msg);
        assertTrue(msg.contains("; nor by name: missing [" + c.weightNames().get(0)), msg);
        assertTrue(msg.endsWith("build the same layers in the same order with the same sizes as the model that saved it "
                + "(by structure), or with the same layer names (loadWeights(file, true))"), msg);
        assertArrayEquals(before.get(0).data(), c.getWeights().get(0).data(), 0f, "unchanged");
    }

    @Test
    void aFrozenLayerKeepsItsPlaceInTheWeightOrderAsKeras() {
        // Keras' model.get_weights() lists layer by layer whatever is trainable; freezing must not move weights
        Sequential m = new Sequential(new Dense(3).inputShape(3), new Dense(3), new Dense(1));
        m.predict(Tensor.zeros(1, 3));
        List<String> before = m.weightNames();
        List<Tensor> values = m.getWeights();
        m.getLayer("dense").trainable(false);
        m.compile("adam", "mse");
        assertEquals(List.of("dense/kernel", "dense/bias", "dense_1/kernel", "dense_1/bias", "dense_2/kernel", "dense_2/bias"), before);
        assertEquals(before, m.weightNames());
        assertEquals(values, m.getWeights());
        // a list in Keras' order goes to the layers it names (dense and dense_1 have the same shapes)
        List<Tensor> swapped = new ArrayList<>(List.of(values.get(2), values.get(3), values.get(0), values.get(1), values.get(4), values.get(5)));
        m.setWeights(swapped);
        assertEquals(values.get(2), m.getLayer("dense").getWeights().get(0));
        assertEquals(values.get(0), m.getLayer("dense_1").getWeights().get(0));
        assertEquals(swapped, m.getWeights());
        // one direction of a Bidirectional frozen: the forward weights still come first, and get -> freeze -> set round-trips
        Sequential b = new Sequential(new Bidirectional(new SimpleRNN(2)).inputShape(3, 1), new Dense(1));
        b.predict(Tensor.zeros(1, 3, 1));
        List<String> names = b.weightNames();
        List<Tensor> w = b.getWeights();
        ((Bidirectional) b.layers().get(0)).forwardLayer().trainable(false);
        b.compile("adam", "mse");
        assertEquals(names, b.weightNames());
        assertTrue(names.get(0).contains("forward"), names.toString());
        b.setWeights(w);
        assertEquals(w, b.getWeights());
    }
    /**
     * jrnn named a given backward layer backward_<name> before it kept Keras 3's name, so a weights file saved then holds
     * given/backward_g/kernel where the model now says given/g/kernel: loadWeights(file, true) refused it ("missing").
     * The old name is read as the layer's: each array lands in its own direction (forward and backward are the same
     * shapes, so only the names tell them apart), the file's values.
     */
    @Test
    void aWeightsFileWithTheOldBackwardNameLoadsByName(@TempDir Path dir) throws Exception {
        java.util.function.Supplier<Model> build = () -> {
            dev.jrnn.model.Input x = dev.jrnn.model.Input.shape(5, 3).name("x");
            return new Model(x, new Bidirectional(new LSTM(3).name("f"), new LSTM(3).goBackwards(true).name("g")).name("given").apply(x));
        };
        Model a = build.get();
        assertEquals("given/g/kernel", io(a).names().get(3));
        Map<String, Tensor> old = new LinkedHashMap<>();   // the names jrnn wrote before: given/forward_f/*, given/backward_g/*
        List<String> names = io(a).names();
        for (int i = 0; i < names.size(); i++) old.put(names.get(i).replace("given/g/", "given/backward_g/"), a.getWeights().get(i));
        Path file = dir.resolve("old.safetensors");
        dev.jrnn.io.SafeTensors.write(file, old, Map.of("format", "jrnn"));
        Jrnn.setSeed(99);
        Model b = build.get();
        b.loadWeights(file, true);
        Map<String, Tensor> stored = dev.jrnn.io.SafeTensors.read(file);
        Bidirectional bi = (Bidirectional) b.getLayer("given");
        assertEquals(stored.get("given/forward_f/kernel"), bi.forwardLayer().getWeights().get(0));
        assertEquals(stored.get("given/backward_g/kernel"), bi.backwardLayer().getWeights().get(0));
        assertEquals(stored.get("given/backward_g/recurrent_kernel"), bi.backwardLayer().getWeights().get(1));
        assertTrue(!stored.get("given/forward_f/kernel").equals(stored.get("given/backward_g/kernel")));
    }

    @Test
    void theOldBackwardNameIsNotUsedWhereItWouldNameTwoWeights(@TempDir Path dir) throws Exception {
        // the forward layer renamed backward_g beside a given backward layer g: the old name of g's weights
        // (given/backward_g/*) is also the forward layer's own, so a file holding only those three arrays must not
        // fill both directions
        dev.jrnn.model.Input x = dev.jrnn.model.Input.shape(5, 3).name("x");
        Bidirectional bi = new Bidirectional(new LSTM(3).name("f"), new LSTM(3).goBackwards(true).name("g")).name("given");
        bi.forwardLayer().name("backward_g");
        Model a = new Model(x, bi.apply(x));
        List<String> names = io(a).names();
        assertEquals(List.of("given/backward_g/kernel", "given/backward_g/recurrent_kernel", "given/backward_g/bias",
                "given/g/kernel", "given/g/recurrent_kernel", "given/g/bias"), names);
        Map<String, Tensor> file3 = new LinkedHashMap<>();
        for (int i = 0; i < 3; i++) file3.put(names.get(i), Tensor.full(0.5f, a.getWeights().get(i).shape()));
        Path file = dir.resolve("three.safetensors");
        dev.jrnn.io.SafeTensors.write(file, file3, Map.of("format", "jrnn"));
        List<Tensor> before = new ArrayList<>();
        for (Tensor t : a.getWeights()) before.add(Tensor.of(t.toArray(), t.shape()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> a.loadWeights(file, true));
        assertTrue(e.getMessage().contains("missing [given/g/kernel, given/g/recurrent_kernel, given/g/bias]"), e.getMessage());
        assertEquals(before, a.getWeights());
    }
}
