package dev.jrnn.io.keras;

import dev.jrnn.Jrnn;
import dev.jrnn.data.Npy;
import dev.jrnn.io.Json;
import dev.jrnn.layers.Activation;
import dev.jrnn.layers.Add;
import dev.jrnn.layers.Bidirectional;
import dev.jrnn.layers.Concatenate;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.Dropout;
import dev.jrnn.layers.Embedding;
import dev.jrnn.layers.GRU;
import dev.jrnn.layers.LSTM;
import dev.jrnn.layers.Masking;
import dev.jrnn.layers.Node;
import dev.jrnn.layers.RepeatVector;
import dev.jrnn.layers.SimpleRNN;
import dev.jrnn.layers.TimeDistributed;
import dev.jrnn.model.Input;
import dev.jrnn.model.Model;
import dev.jrnn.model.Models;
import dev.jrnn.model.Sequential;
import dev.jrnn.tensor.Tensor;
import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.WritableGroup;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.jrnn.io.keras.GeneratedKerasFilesTest.resource;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link KerasLegacyExport}: model.save("m.h5") in tf.keras 2's legacy layout, checked against tf.keras 2 files (the
 * generated fixtures, in the layout tf.keras 2's save_model_to_hdf5 writes) and against numpy replaying tf.keras 2's
 * math from the file alone (generator/replay_legacy_h5.py).
 */
class KerasLegacyExportTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void cpu() { Jrnn.setBackend("cpu"); }

    /** The model of jrnn_legacy_rnn.h5: LSTM, GRU with tf.keras 2's hard_sigmoid going backwards, GRU reset before, Dense. */
    static Sequential replayed() {
        return new Sequential(Input.shape(5, 3).name("seq"), new LSTM(4).returnSequences(true).name("enc"), new Dropout(0.2).name("drop"),
                new GRU(3).recurrentActivation("hard_sigmoid_keras2").goBackwards(true).returnSequences(true).name("back"),
                new GRU(2).resetAfter(false).activation("softsign").name("last"), new Dense(2).activation("tanh").name("out")).name("replayed");
    }

    /**
     * jrnn_legacy_rnn.h5 is what this writer writes for {@link #replayed} (config and arrays, checked by saving again
     * with its weights), and generator/replay_legacy_h5.py, reading only that file as tf.keras 2 reads it (its
     * config: "hard_sigmoid" there is tf.keras 2's 0.2x + 1/2; its weights by layer_names / weight_names) and computing
     * tf.keras 2's LSTM and GRU in numpy, got jrnn_legacy_rnn_y.npy: jrnn's predictions match it.
     */
    @Test
    void aSavedLstmGruModelComputesInTfKeras2sMathWhatJrnnPredicts() throws Exception {
        Path golden = resource("jrnn_legacy_rnn.h5");
        Tensor x = Npy.read(resource("jrnn_legacy_rnn_x.npy"));
        float[] want = Npy.read(resource("jrnn_legacy_rnn_y.npy")).data();
        try (Sequential m = replayed()) {
            m.loadWeights(golden);
            Path f = dir.resolve("m.h5");
            m.save(f);
            try (HdfFile mine = new HdfFile(f); HdfFile ref = new HdfFile(golden)) {
                assertEquals(Json.parse(attr(ref, "model_config")), Json.parse(attr(mine, "model_config")));
                assertEquals("2.13.1", attr(mine, "keras_version"));
                assertEquals("tensorflow", attr(mine, "backend"));
                assertEquals(KerasLegacyExportLayersTest.arrays(ref), KerasLegacyExportLayersTest.arrays(mine));
            }
            float[] got = m.predict(x).data();
            assertEquals(want.length, got.length);
            for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], 1e-5, "prediction " + i);
            Map<?, ?> gru = (Map<?, ?>) layers(f).get(3).get("config");
            assertEquals("hard_sigmoid", gru.get("recurrent_activation"), "tf.keras 2's name for jrnn's hard_sigmoid_keras2");
            assertEquals(true, gru.get("go_backwards"));
            try (Model back = Models.load(f)) {   // jrnn reads it back as a Keras 2 file: hard_sigmoid as Keras 2's again
                assertEquals("hard_sigmoid_keras2", ((GRU) back.getLayer("back")).recurrentActivation());
                assertArrayEquals(got, back.predict(x).data());
            }
        }
    }

    private static String attr(HdfFile h, String name) {
        return (String) h.getAttribute(name).getData();
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> layers(Path f) {
        try (HdfFile h = new HdfFile(f)) {
            Map<?, ?> c = (Map<?, ?>) Json.parse(attr(h, "model_config"));
            return (List<Map<String, Object>>) ((Map<?, ?>) c.get("config")).get("layers");
        }
    }

    /**
     * tf.keras 2 files loaded by jrnn and saved again as .h5 carry the same model_config (classes, names, inbound
     * nodes, every option the tf.keras 2 file holds, with its value) and the same weight_names and arrays, modulo
     * what differs between tf.keras versions: LSTM / GRU's implementation (2 in tf.keras 2.13, 1 in the 2.3 / 2.4
     * fixtures: the same numbers; SimpleRNN's 2.13 config has none), time_major (false, tf.keras 2's default, left out as
     * Keras 3 refuses the key), the RNN cell's name in the weight paths
     * (gru_cell for gru_cell_1), and the layers' order (tf.keras 2's model.layers order, see {@link #ORDER}).
     */
    @Test
    void tfKeras2FilesReadBackAsTheyWereWritten() throws Exception {
        for (String fixture : List.of("tfkeras_gru.h5", "functional_multi.h5")) {
            Path ref = resource(fixture);
            Path f = dir.resolve("again_" + fixture);
            try (Model m = Models.load(ref)) {
                m.save(f);
            }
            List<Map<String, Object>> want = layers(ref), got = layers(f);
            assertEquals(want.size(), got.size(), fixture);
            Map<Object, Map<String, Object>> gotByName = new java.util.HashMap<>();
            for (Map<String, Object> g : got) gotByName.put(g.get("name"), g);
            for (Map<String, Object> w : want) {
                Map<String, Object> g = gotByName.get(w.get("name"));
                String where = fixture + " layer " + w.get("name");
                assertEquals(w.get("class_name"), g.get("class_name"), where);
                assertEquals(w.get("inbound_nodes"), g.get("inbound_nodes"), where);
                sameOptions((String) w.get("class_name"), (Map<?, ?>) w.get("config"), (Map<?, ?>) g.get("config"), where);
            }
            try (HdfFile a = new HdfFile(ref); HdfFile b = new HdfFile(f)) {
                Map<?, ?> ca = (Map<?, ?>) ((Map<?, ?>) Json.parse(attr(a, "model_config"))).get("config");
                Map<?, ?> cb = (Map<?, ?>) ((Map<?, ?>) Json.parse(attr(b, "model_config"))).get("config");
                assertEquals(ca.get("input_layers"), cb.get("input_layers"), fixture);
                assertEquals(ca.get("output_layers"), cb.get("output_layers"), fixture);
                Group wa = (Group) a.getChild("model_weights"), wb = (Group) b.getChild("model_weights");
                List<String> names = Hdf5Arrays.stringList(wa, "layer_names");
                assertEquals(ORDER.getOrDefault(fixture, names), Hdf5Arrays.stringList(wb, "layer_names"), fixture);
                assertEquals(Hdf5Arrays.stringList(wb, "layer_names"), got.stream().map(l -> l.get("name")).toList(),
                        "the config's layers in model.layers' order, as get_network_config writes them");
                for (String layer : names) {
                    Group la = (Group) wa.getChild(layer), lb = (Group) wb.getChild(layer);
                    List<String> na = Hdf5Arrays.stringList(la, "weight_names"), nb = Hdf5Arrays.stringList(lb, "weight_names");
                    if (na.isEmpty()) {   // tf.keras 2's empty float64 array; jrnn leaves the attribute out, which Keras reads as []
                        assertNull(nb, fixture + " " + layer);
                        continue;
                    }
                    assertEquals(na.size(), nb.size(), fixture + " " + layer);
                    for (int k = 0; k < na.size(); k++) {
                        String[] pa = na.get(k).split("/"), pb = nb.get(k).split("/");
                        assertEquals(pa[0], pb[0], nb.get(k));
                        assertEquals(pa[pa.length - 1], pb[pb.length - 1], nb.get(k));
                        Dataset da = (Dataset) la.getByPath(na.get(k)), db = (Dataset) lb.getByPath(nb.get(k));
                        assertArrayEquals(da.getDimensions(), db.getDimensions(), nb.get(k));
                        assertArrayEquals((float[]) da.getDataFlat(), (float[]) db.getDataFlat(), nb.get(k));
                    }
                }
            }
        }
    }

    /**
     * tf.keras 2's model.layers order of functional_multi.h5's graph, worked out by hand from _map_graph_network
     * (keras/engine/functional.py 2.13): depths from the outputs (a shared layer takes its deepest call's), in_a 8,
     * masking 7, shared_rnn 6, out_a 5, dropout 4, act 3, in_b and repeat 2, lstm and bi_mul 1, the rest 0; ties in
     * the order the walk from the outputs first meets them. The generated fixture lists its layers in source order,
     * which tf.keras 2 would not pair with its own layers by position; jrnn's model.layers() of the loaded model is Keras'.
     */
    private static final Map<String, List<String>> ORDER = Map.of("functional_multi.h5", List.of("in_a", "masking", "shared_rnn",
            "out_a", "dropout", "act", "in_b", "repeat", "lstm", "bi_mul", "out_b", "td", "td2", "bi_none", "bi_sum"));

    private static void sameOptions(String cls, Map<?, ?> want, Map<?, ?> got, String where) {
        for (var e : want.entrySet()) {
            String key = (String) e.getKey();
            if (key.equals("implementation")) {   // 2.13: LSTM / GRU's default 2; SimpleRNN's get_config has none
                assertEquals(cls.equals("SimpleRNN") ? null : 2L, got.get(key), where);
                continue;
            }
            if (key.equals("time_major")) {   // false, tf.keras 2's default, left out: Keras 3 refuses the key
                assertEquals(false, e.getValue(), where);
                assertFalse(got.containsKey(key), where);
                continue;
            }
            assertTrue(got.containsKey(key), where + ": option " + key + " missing in " + got);
            if ((key.equals("layer") || key.equals("backward_layer")) && e.getValue() instanceof Map<?, ?> inner) {
                Map<?, ?> gotInner = (Map<?, ?>) got.get(key);
                assertEquals(inner.get("class_name"), gotInner.get("class_name"), where);
                sameOptions((String) inner.get("class_name"), (Map<?, ?>) inner.get("config"), (Map<?, ?>) gotInner.get("config"), where + "/" + key);
            } else {
                assertEquals(e.getValue(), got.get(key), where + ": option " + key);
            }
        }
    }

    /**
     * A functional model of every class the writer saves (Embedding masking zeros, Masking, initial states, merges,
     * wrappers) and a compiled Sequential: saved as .h5 (and .hdf5), loaded back, they predict exactly the same, every
     * group of the file reads back (jhdf, as h5py did by hand) and the compile config returns.
     */
    @Test
    void savedH5ModelsLoadBackAndPredictTheSame() throws Exception {
        Jrnn.setSeed(21);
        Input ids = Input.shape(6).name("ids");
        Input feats = Input.shape(6, 2).name("feats");
        Node e = new Embedding(9, 3).maskZero(true).name("emb").apply(ids);
        Node m = new Masking(0.0).name("mask").apply(feats);
        Node both = new Concatenate().name("cat").apply(e, m);
        List<Node> seq = new LSTM(4).returnSequences(true).returnState(true).name("enc").apply(both).all();
        Node dec = new GRU(4).returnSequences(true).name("dec").apply(List.of(seq.get(0), seq.get(1)));
        Node bi = new Bidirectional(new SimpleRNN(4).returnSequences(true)).mergeMode("sum").name("bi").apply(dec);
        Node sum = new Add().name("add").apply(bi, dec);
        Node td = new TimeDistributed(new Dense(2)).name("td").apply(new Activation("relu").name("act").apply(sum));
        Node last = new LSTM(3).name("last").apply(td);
        Node out = new RepeatVector(2).name("rep").apply(new Dense(3).activation("softmax").name("head").apply(last));
        Tensor xi = Tensor.of(new float[] {1, 4, 2, 0, 0, 0, 3, 3, 8, 5, 1, 0}, 2, 6);
        float[] xf = new float[24];
        for (int i = 0; i < 20; i++) xf[i] = (float) Math.sin(i * 0.7);
        Tensor xs = Tensor.of(xf, 2, 6, 2);
        try (Model model = new Model(List.of(ids, feats), List.of(out)).name("every")) {
            float[] want = model.predictAll(List.of(xi, xs)).get(0).data();
            for (String name : List.of("every.h5", "every.HDF5")) {
                Path f = dir.resolve(name);
                model.save(f);
                assertTrue(JhdfEmptyGroups.readable(f), name);
                try (Model back = Models.load(f)) {
                    assertArrayEquals(want, back.predictAll(List.of(xi, xs)).get(0).data(), name);
                }
            }
            List<Map<String, Object>> layers = layers(dir.resolve("every.h5"));
            Map<?, ?> dec2 = layers.stream().filter(l -> "dec".equals(l.get("name"))).findFirst().orElseThrow();
            // tf.keras 2's RNN called with initial_state: its node lists [inputs] + initial_state
            assertEquals(List.of(List.of(List.of("enc", 0L, 0L, Map.of()), List.of("enc", 0L, 1L, Map.of()))), dec2.get("inbound_nodes"));
            Path w = dir.resolve("w.h5");
            model.saveWeights(w);
            try (HdfFile h = new HdfFile(w)) {
                assertEquals(model.layers().stream().map(l -> l.name()).toList(), Hdf5Arrays.stringList(h, "layer_names"));
                assertNull(h.getAttribute("model_config"), "weights only");
            }
            try (Model back = Models.load(dir.resolve("every.h5"))) {   // other weights, then the saved ones by structure
                back.setWeights(back.getWeights().stream().map(t -> Tensor.full(0.1f, t.shape())).toList());
                back.loadWeights(w);
                assertArrayEquals(want, back.predictAll(List.of(xi, xs)).get(0).data(), "loadWeights of the .h5 weights");
            }
        }
        try (Sequential s = new Sequential(Input.shape(4, 2), new LSTM(3), new Dense(1))) {
            s.compile(new dev.jrnn.optim.Adam(0.01f), "mae");
            Path f = dir.resolve("compiled.h5");
            s.save(f);
            try (HdfFile h = new HdfFile(f)) {
                Map<?, ?> t = (Map<?, ?>) Json.parse(attr(h, "training_config"));
                assertEquals("mean_absolute_error", t.get("loss"));
                Map<?, ?> oc = (Map<?, ?>) ((Map<?, ?>) t.get("optimizer_config")).get("config");
                assertEquals("Adam", ((Map<?, ?>) t.get("optimizer_config")).get("class_name"));
                assertEquals(0.01, (double) oc.get("learning_rate"), 1e-8);
                // the keys tf.keras 2 (optimizer_v2) writes, as in the tf.keras 2.4 fixture; Keras 3 takes them too
                try (HdfFile ref = new HdfFile(resource("tfkeras_gru.h5"))) {
                    Map<?, ?> rt = (Map<?, ?>) Json.parse(attr(ref, "training_config"));
                    Map<?, ?> roc = (Map<?, ?>) ((Map<?, ?>) rt.get("optimizer_config")).get("config");
                    assertEquals(roc.keySet(), oc.keySet());
                    for (String k : List.of("decay", "beta_1", "beta_2", "epsilon", "amsgrad")) assertEquals(roc.get(k), oc.get(k), k);
                }
            }
            s.compile(new dev.jrnn.optim.AdamW(0.01), "mae");   // only tf.keras 2.11+'s new optimizers have AdamW
            s.save(f);
            try (HdfFile h = new HdfFile(f)) {
                Map<?, ?> t = (Map<?, ?>) Json.parse(attr(h, "training_config"));
                Map<?, ?> oc = (Map<?, ?>) ((Map<?, ?>) t.get("optimizer_config")).get("config");
                assertEquals(false, oc.get("is_legacy_optimizer"));
                assertFalse(oc.containsKey("loss_scale_factor"), "tf.keras 2.13's optimizers refuse Keras 3's keys");
                assertFalse(oc.containsKey("gradient_accumulation_steps"));
                assertEquals(0.004, (double) oc.get("weight_decay"), 1e-9);
            }
            s.compile(new dev.jrnn.optim.Adam(0.01f), "mae");
            s.save(f);
            try (Model back = Models.load(f)) {
                assertEquals("Adam", back.optimizer().name());
                assertEquals(0.01f, back.optimizer().learningRate(), 1e-9f);
                assertEquals(s.loss(), back.loss());
            }
            Path w = dir.resolve("compiled_w.h5");
            s.saveWeights(w);
            try (Sequential again = new Sequential(Input.shape(4, 2), new LSTM(3), new Dense(1))) {
                again.loadWeights(w);
                Tensor x = Tensor.full(0.4f, 1, 4, 2);
                assertArrayEquals(s.predict(x).data(), again.predict(x).data());
            }
        }
    }

    /**
     * Two branches of unequal depth: tf.keras 2's model.layers is [in, c, a, b, cat] (by _map_graph_network: c deepest;
     * a before b as the walk from the output meets them), not the order they were made in; jrnn's model.layers() is
     * Keras' order, and the .h5 lists the layers in it, as tf.keras 2 pairs the file's groups with its own layers by
     * position (the same-shaped a and c would swap weights otherwise). jrnn's loadWeights reads them back alike.
     */
    @Test
    void layersOfUnequalDepthKeepTheirWeightsInTfKeras2sOrder() throws Exception {
        Jrnn.setSeed(8);
        Input in = Input.shape(3).name("in");
        Node a = new Dense(3).name("a").apply(in);
        Node c = new Dense(3).name("c").apply(in);
        Node b = new Dense(3).name("b").apply(c);
        try (Model m = new Model(in, new Concatenate().name("cat").apply(a, b)).name("branches")) {
            assertEquals(List.of("in", "c", "a", "b", "cat"), m.layers().stream().map(l -> l.name()).toList());
            Tensor x = Tensor.of(new float[] {0.5f, -1f, 2f}, 1, 3);
            float[] want = m.predict(x).data();
            Path w = dir.resolve("branches.h5");
            m.saveWeights(w);
            m.setWeights(m.getWeights().stream().map(t -> Tensor.full(0.2f, t.shape())).toList());
            m.loadWeights(w);
            assertArrayEquals(want, m.predict(x).data());
            try (HdfFile h = new HdfFile(w)) {
                assertEquals(List.of("in", "c", "a", "b", "cat"), Hdf5Arrays.stringList(h, "layer_names"));
            }
        }
    }

    /**
     * jhdf 0.13 writes its info string over the first group written after the last dataset: with these names the
     * empty group "a" follows "w" (ConcurrentHashMap order) and h5py / jhdf cannot read it; more empty groups come
     * after it. {@link JhdfEmptyGroups#repair} makes all of them readable and leaves the dataset as it was.
     */
    @Test
    void anEmptyGroupJhdfOverwroteIsRepairedWithTheGroupsAfterIt() throws Exception {
        Path f = dir.resolve("e.h5");
        try (WritableHdfFile h = HdfFile.write(f)) {
            WritableGroup g = h.putGroup("g");
            g.putGroup("w").putDataset("d", new float[] {1, 2});
            for (char c : "abcdefgh".toCharArray()) g.putGroup(String.valueOf(c));
        }
        assertFalse(JhdfEmptyGroups.readable(f), "jhdf's bug, which this test needs to see");
        long size = Files.size(f);
        JhdfEmptyGroups.repair(f);
        assertTrue(JhdfEmptyGroups.readable(f));
        assertEquals(size, Files.size(f), "groups after the repaired one are kept");
        try (HdfFile h = new HdfFile(f)) {
            Group g = (Group) h.getChild("g");
            assertEquals(9, g.getChildren().size());
            for (char c : "abcdefgh".toCharArray()) assertTrue(((Group) g.getChild(String.valueOf(c))).getChildren().isEmpty());
            assertArrayEquals(new float[] {1, 2}, (float[]) ((Dataset) g.getByPath("w/d")).getData());
        }
    }

    /**
     * A model without any weights: its file has no dataset, so nothing after which jhdf's info string could fall;
     * every (empty) layer group and the attributes of model_weights read back, and the model loads.
     */
    @Test
    void aModelWithoutWeightsSavesEveryGroup() throws Exception {
        try (Sequential m = new Sequential(Input.shape(3, 2), new Activation("tanh").name("t"), new Dropout(0.5).name("d"),
                new Masking(0.0).name("mk"))) {
            Path f = dir.resolve("none.h5"), w = dir.resolve("none_w.h5");
            m.save(f);
            m.saveWeights(w);
            for (Path p : List.of(f, w)) {
                assertTrue(JhdfEmptyGroups.readable(p), p.toString());
                try (HdfFile h = new HdfFile(p)) {
                    Group g = p.equals(f) ? (Group) h.getChild("model_weights") : h;
                    assertEquals(List.of("t", "d", "mk"), Hdf5Arrays.stringList(g, "layer_names"));
                    for (String n : List.of("t", "d", "mk")) assertTrue(((Group) g.getChild(n)).getChildren().isEmpty(), n);
                }
            }
            try (Model back = Models.load(f)) {
                Tensor x = Tensor.full(0.3f, 1, 3, 2);
                assertArrayEquals(m.predict(x).data(), back.predict(x).data());
            }
        }
    }

    /** layer_names past Keras' 64512-byte header limit is split into layer_names0, 1, ... as numpy's array_split. */
    @Test
    void aLongStringListIsSplitAsKerasSplitsIt() throws Exception {
        Path f = dir.resolve("s.h5");
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 1000; i++) names.add(String.format("layer_%0100d", i));   // 106 bytes each: 106000 > 64512
        try (WritableHdfFile h = HdfFile.write(f)) {
            KerasLegacyExport.putStrings(h, "layer_names", names);
        }
        try (HdfFile h = new HdfFile(f)) {
            assertNull(h.getAttribute("layer_names"));
            assertEquals(500, ((String[]) h.getAttribute("layer_names0").getData()).length);
            assertEquals(500, ((String[]) h.getAttribute("layer_names1").getData()).length);
            assertEquals(names, Hdf5Arrays.stringList(h, "layer_names"));
        }
    }

    /**
     * What Keras 3.15.1's legacy loader needs beside tf.keras 2 (found by loading jrnn's files in it, the review): a
     * wrapped layer with its module (Bidirectional / Wrapper.from_config find the class only so, as tf.keras 2.13 writes
     * it), a schedule with its module; metric names tf.keras 2's metrics.deserialize knows ("auc" is no function there,
     * AUC a class); SparseCategoricalCrossentropy without Keras 3's axis (tf.keras 2's __init__ refuses it).
     */
    @SuppressWarnings("unchecked")
    @Test
    void wrappersSchedulesMetricsAndLossesAsBothKerasesReadThem() throws Exception {
        Jrnn.setSeed(2);
        Path f = dir.resolve("w.h5");
        try (Sequential m = new Sequential(Input.shape(6, 3), new Bidirectional(new LSTM(4)).name("bi"), new Dense(3))) {
            m.compile(new dev.jrnn.optim.Adam(new dev.jrnn.optim.schedules.ExponentialDecay(0.01, 100, 0.9)),
                    dev.jrnn.losses.Losses.sparseCategoricalCrossentropy(true), "accuracy");
            m.save(f);
        }
        Path g = dir.resolve("auc.h5");
        try (Sequential m = new Sequential(Input.shape(6, 3), new LSTM(2), new Dense(1).activation("sigmoid"))) {
            m.compile("adam", "binary_crossentropy", "accuracy", "auc", "precision");
            m.save(g);
        }
        try (HdfFile h = new HdfFile(g)) {
            assertEquals(List.of("accuracy", "AUC", "Precision"), ((Map<?, ?>) Json.parse(attr(h, "training_config"))).get("metrics"));
        }
        Map<String, Object> bi = layers(f).stream().filter(l -> "bi".equals(((Map<?, ?>) l.get("config")).get("name"))).findFirst().orElseThrow();
        Map<?, ?> inner = (Map<?, ?>) ((Map<?, ?>) bi.get("config")).get("layer");
        assertEquals("keras.layers", inner.get("module"));
        assertEquals("LSTM", inner.get("class_name"));
        assertTrue(inner.containsKey("registered_name"));
        try (HdfFile h = new HdfFile(f)) {
            Map<?, ?> t = (Map<?, ?>) Json.parse(attr(h, "training_config"));
            Map<?, ?> lr = (Map<?, ?>) ((Map<?, ?>) ((Map<?, ?>) t.get("optimizer_config")).get("config")).get("learning_rate");
            assertEquals(List.of("keras.optimizers.schedules", "ExponentialDecay"), List.of(lr.get("module"), lr.get("class_name")));
            assertEquals(List.of("accuracy"), t.get("metrics"));
            Map<?, ?> loss = (Map<?, ?>) t.get("loss");
            assertEquals("SparseCategoricalCrossentropy", loss.get("class_name"));
            assertFalse(((Map<?, ?>) loss.get("config")).containsKey("axis"), loss.toString());
            assertFalse(((Map<?, ?>) loss.get("config")).containsKey("ignore_class"), loss.toString());
        }
        try (Model back = Models.load(f)) {
            assertEquals("Bidirectional", back.getLayer("bi").kerasClass());
        }
    }

    /**
     * This JVM's class path, and where the classes the forked save needs lie: a launcher (surefire's manifest jar, the
     * JUnit console's -cp) need not list them in java.class.path.
     */
    private static String classPath() {
        java.util.LinkedHashSet<String> parts = new java.util.LinkedHashSet<>(List.of(System.getProperty("java.class.path").split(java.io.File.pathSeparator)));
        for (String c : List.of(KerasLegacyExportTest.class.getName(), "dev.jrnn.Jrnn", "io.jhdf.HdfFile", "org.slf4j.LoggerFactory",
                "org.slf4j.nop.NOPServiceProvider", "org.apache.commons.lang3.StringUtils", "org.apache.commons.compress.archivers.zip.ZipFile",
                "org.apache.commons.io.IOUtils", "org.apache.commons.codec.binary.Hex")) {
            try {
                java.security.CodeSource src = Class.forName(c).getProtectionDomain().getCodeSource();
                if (src != null) parts.add(Path.of(src.getLocation().toURI()).toString());
            } catch (ReflectiveOperationException | java.net.URISyntaxException | LinkageError e) {
                // not on this class path (a stage may prune a jar): the forked JVM does without it
            }
        }
        return String.join(java.io.File.pathSeparator, parts);
    }

    /** A main for the forked JVM below: saves a model ending in empty groups to args[0] (.h5) and args[1] (.keras). */
    public static void main(String[] args) throws Exception {
        Jrnn.setBackend("cpu");
        try (Sequential m = new Sequential(Input.shape(3, 2), new LSTM(2).returnSequences(true), new Dropout(0.1), new Activation("relu"))) {
            m.save(Path.of(args[0]));
            m.save(Path.of(args[1]));
        }
    }

    /**
     * jhdf's info string is 24 bytes + os.name + os.arch: under "Windows Server 2022" (48 bytes) it runs over two empty
     * groups' headers (42 bytes each), which the repair writes again (it refused the file before).
     */
    @Test
    void aLongOsNamesInfoStringOverTwoEmptyGroupsIsRepaired() throws Exception {
        Path h5 = dir.resolve("long.h5"), keras = dir.resolve("long.keras");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Dos.name=Windows Server 2022",
                "--add-modules", "jdk.incubator.vector", "-cp", classPath(), KerasLegacyExportTest.class.getName(),
                h5.toString(), keras.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), out);
        assertTrue(JhdfEmptyGroups.readable(h5));
        try (Model back = Models.load(h5); Model k = Models.load(keras)) {
            assertEquals(3, back.layers().size());   // a Sequential lists no InputLayer
            assertEquals(back.getWeights(), k.getWeights());
        }
    }
}
