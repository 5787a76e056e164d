package dev.jrnn.io.keras;

import dev.jrnn.Jrnn;
import dev.jrnn.io.Json;
import dev.jrnn.layers.Activation;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.Masking;
import dev.jrnn.losses.EpochMetric;
import dev.jrnn.losses.Losses;
import dev.jrnn.model.BackupAndRestore;
import dev.jrnn.model.BatchLogs;
import dev.jrnn.model.CSVLogger;
import dev.jrnn.model.Callback;
import dev.jrnn.model.EarlyStopping;
import dev.jrnn.model.FitOptions;
import dev.jrnn.model.History;
import dev.jrnn.model.LearningRateScheduler;
import dev.jrnn.model.Model;
import dev.jrnn.model.ModelCheckpoint;
import dev.jrnn.model.ReduceLROnPlateau;
import dev.jrnn.model.Sequential;
import dev.jrnn.model.WeightedMetrics;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Training semantics against Keras 3.15.1 itself (keras3_training/make_training_goldens.py, jax backend, seeded): every loss
 * with its options and reductions through evaluate, with and without sample weights, also over masked timesteps; metrics
 * accumulated over uneven batches, unweighted and as weighted_metrics; every optimizer with its options and schedules
 * (Keras' serialized optimizer, compiled as a Keras file's compile_config is) after 6 steps; fit's history with validation
 * splits and data, sample and class weights, steps_per_epoch, initial_epoch, then evaluate and predict; EarlyStopping,
 * ReduceLROnPlateau, LearningRateScheduler and ModelCheckpoint(save_best_only) as Keras ran them.
 */
class KerasTrainingGoldensTest {
    private static final Map<?, ?> G = load();

    @SuppressWarnings("unchecked")
    private static Map<String, Object> load() {
        try (InputStream in = KerasTrainingGoldensTest.class.getResourceAsStream("keras3_training/training_goldens.json")) {
            return (Map<String, Object>) Json.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @BeforeEach
    void cpu() {
        Jrnn.setBackend("cpu");
        Jrnn.clearSession();
    }

    private static Map<?, ?> map(Object o, String key) { return (Map<?, ?>) ((Map<?, ?>) o).get(key); }

    private static List<?> list(Object o, String key) { return (List<?>) ((Map<?, ?>) o).get(key); }

    private static double num(Object o, String key) { return ((Number) ((Map<?, ?>) o).get(key)).doubleValue(); }

    private static Tensor tensor(Object a) {
        Map<?, ?> m = (Map<?, ?>) a;
        List<?> shape = (List<?>) m.get("shape"), data = (List<?>) m.get("data");
        float[] v = new float[data.size()];
        for (int i = 0; i < v.length; i++) v[i] = ((Number) data.get(i)).floatValue();
        return Tensor.of(v, shape.stream().mapToInt(s -> ((Number) s).intValue()).toArray());
    }

    private static Tensor data(String key) { return tensor(map(G, "data").get(key)); }

    private static void near(double expected, double got, String what) {
        assertEquals(expected, got, 2e-5 * Math.max(1, Math.abs(expected)), what);
    }

    private static void near(Tensor expected, Tensor got, double tol, String what) {
        assertEquals(java.util.Arrays.toString(expected.shape()), java.util.Arrays.toString(got.shape()), what + " shape");
        float[] e = expected.data(), g = got.data();
        for (int i = 0; i < e.length; i++) {
            if (!(Math.abs(e[i] - g[i]) <= tol * Math.max(1, Math.abs(e[i])))) {
                fail(what + "[" + i + "]: Keras " + e[i] + ", jrnn " + g[i] + "\nKeras " + java.util.Arrays.toString(e)
                        + "\njrnn  " + java.util.Arrays.toString(g));
            }
        }
    }

    static Stream<String> losses() { return list(G, "losses").stream().map(c -> (String) ((Map<?, ?>) c).get("id")); }

    private static Map<?, ?> find(String section, String id) {
        for (Object c : list(G, section)) if (id.equals(((Map<?, ?>) c).get("id")) || id.equals(((Map<?, ?>) c).get("group"))) return (Map<?, ?>) c;
        throw new AssertionError(id);
    }

    private static Sequential identity(int cols) { return new Sequential(new Activation("linear").inputShape(cols)); }

    @ParameterizedTest(name = "{0}")
    @MethodSource("losses")
    void lossesEvaluateAsKeras(String id) {
        Map<?, ?> c = find("losses", id);
        Tensor x = data((String) c.get("pred")), y = data((String) c.get("target"));
        Sequential m = identity(3);
        m.compile("sgd", Losses.deserialize(map(c, "compile_config").get("loss")));
        near(num(c, "unweighted"), m.evaluateAll(List.of(x), List.of(y), 4, null, (Tensor) null).get("loss"), id);
        near(num(c, "weighted"), m.evaluateAll(List.of(x), List.of(y), 4, null, data("w")).get("loss"), id + " weighted");
    }

    static Stream<String> maskedLosses() {
        return list(map(G, "masked_losses"), "cases").stream().map(c -> (String) ((Map<?, ?>) c).get("id"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("maskedLosses")
    void maskedTimestepsLeaveTheLossAsKeras(String id) {
        Map<?, ?> s = map(G, "masked_losses"), c = null;
        for (Object o : list(s, "cases")) if (id.equals(((Map<?, ?>) o).get("id"))) c = (Map<?, ?>) o;
        Map<?, ?> cc = map(c, "compile_config");
        Tensor x = tensor(s.get("x")), y = tensor(s.get("y"));
        Sequential m = new Sequential(new Masking(0.0).inputShape(x.shape()[1], x.shape()[2]), new Activation("linear"));
        m.compile("sgd", Losses.deserialize(cc.get("loss")), metricsOf(cc.get("metrics")).get(0),
                WeightedMetrics.of(metricsOf(cc.get("weighted_metrics")).toArray()));
        assertKeys(map(c, "unweighted"), m.evaluateAll(List.of(x), List.of(y), 2, null, (Tensor) null), id);
        assertKeys(map(c, "weighted"), m.evaluateAll(List.of(x), List.of(y), 2, null, tensor(s.get("w"))), id + " weighted");
    }

    private static List<Object> metricsOf(Object serialized) {
        List<Object> l = new ArrayList<>();
        for (Object o : (List<?>) serialized) l.add(EpochMetric.deserialize(o));
        return l;
    }

    /** Every value Keras gave, by its key, in jrnn's (a list: Keras' vector result, jrnn's keys name_0, name_1, ...). */
    private static void assertKeys(Map<?, ?> keras, Map<String, Double> got, String what) {
        for (Map.Entry<?, ?> e : keras.entrySet()) {
            String k = (String) e.getKey();
            if (e.getValue() instanceof List<?> l) {
                for (int i = 0; i < l.size(); i++) {
                    String ki = k + "_" + i;
                    assertTrue(got.containsKey(ki), what + ": " + ki + " in " + got.keySet());
                    near(((Number) l.get(i)).doubleValue(), got.get(ki), what + " " + ki);
                }
            } else {
                assertTrue(got.containsKey(k), what + ": " + k + " in " + new TreeMap<>(got).keySet());
                near(((Number) e.getValue()).doubleValue(), got.get(k), what + " " + k);
            }
        }
    }

    static Stream<String> metricGroups() { return list(G, "metrics").stream().map(c -> (String) ((Map<?, ?>) c).get("group")); }

    @ParameterizedTest(name = "{0}")
    @MethodSource("metricGroups")
    void metricsAccumulateAsKeras(String group) {
        Map<?, ?> c = find("metrics", group);
        Tensor x = data((String) c.get("pred")), y = data((String) c.get("target"));
        Map<?, ?> cc = map(c, "compile_config");
        Sequential plain = identity(3);
        plain.compile("sgd", Losses.deserialize(cc.get("loss")), metricsOf(cc.get("metrics")).toArray());
        assertKeys(map(c, "unweighted"), plain.evaluateAll(List.of(x), List.of(y), 4, null, (Tensor) null), group);
        assertKeys(map(c, "unweighted"), plain.evaluateAll(List.of(x), List.of(y), 4, null, (Tensor) null), group + " again (reset)");
        Sequential weighted = identity(3);
        weighted.compile("sgd", Losses.deserialize(cc.get("loss")),
                WeightedMetrics.of(metricsOf(map(c, "weighted_compile_config").get("weighted_metrics")).toArray()));
        assertKeys(map(c, "weighted"), weighted.evaluateAll(List.of(x), List.of(y), 4, null, data("w")), group + " weighted");
    }

    static Stream<String> optimizers() { return list(G, "optimizers").stream().map(c -> (String) ((Map<?, ?>) c).get("id")); }

    @ParameterizedTest(name = "{0}")
    @MethodSource("optimizers")
    void optimizersStepAsKeras(String id) {
        Map<?, ?> c = find("optimizers", id), d = map(G, "optimizer_data");
        Sequential m = new Sequential(new Dense(2).inputShape(3));
        m.build(3);
        m.setWeights(List.of(tensor(d.get("kernel")), tensor(d.get("bias"))));
        Map<String, Object> cc = new java.util.LinkedHashMap<>();
        cc.put("optimizer", map(c, "compile_config").get("optimizer"));
        cc.put("loss", "mse");
        KerasTraining.compile(m, cc, id);
        assertNotNull(m.optimizer(), id + ": compiled from Keras' config");
        History h = m.fit(tensor(d.get("x")), tensor(d.get("y")), new FitOptions().epochs(3).batchSize(4).shuffle(false).verbose(0));
        List<?> loss = list(c, "loss");
        for (int e = 0; e < loss.size(); e++) near(((Number) loss.get(e)).doubleValue(), h.get("loss").get(e), id + " loss of epoch " + e);
        assertEquals(((Number) c.get("iterations")).longValue(), m.optimizer().iterations(), id + " iterations");
        List<Tensor> w = m.getWeights();
        for (int i = 0; i < w.size(); i++) near(tensor(list(c, "weights").get(i)), w.get(i), 2e-5, id + " weight " + i);
    }

    static Stream<String> fits() { return list(G, "fits").stream().map(c -> (String) ((Map<?, ?>) c).get("id")); }

    private static Tensor fitData(String key) { return tensor(map(G, "fit_data").get(key)); }

    /** Keras' callback of a case, as jrnn's; the ModelCheckpoint writes under {@code dir}. */
    private static Callback callback(String id, Map<?, ?> k, Path dir) {
        String monitor = (String) k.get("monitor");
        if (id.startsWith("es_")) {
            EarlyStopping e = new EarlyStopping().monitor(monitor);
            if (k.get("patience") instanceof Number n) e.patience(n.intValue());
            if (k.get("min_delta") instanceof Number n) e.minDelta(n.doubleValue());
            if (k.get("baseline") instanceof Number n) e.baseline(n.doubleValue());
            if (k.get("mode") instanceof String s) e.mode(s);
            if (k.get("start_from_epoch") instanceof Number n) e.startFromEpoch(n.intValue());
            if (Boolean.TRUE.equals(k.get("restore_best_weights"))) e.restoreBestWeights(true);
            return e;
        }
        if (id.startsWith("rlrop")) {
            ReduceLROnPlateau r = new ReduceLROnPlateau().monitor(monitor);
            if (k.get("factor") instanceof Number n) r.factor(n.doubleValue());
            if (k.get("patience") instanceof Number n) r.patience(n.intValue());
            if (k.get("cooldown") instanceof Number n) r.cooldown(n.intValue());
            if (k.get("min_lr") instanceof Number n) r.minLr(n.doubleValue());
            if (k.get("min_delta") instanceof Number n) r.minDelta(n.doubleValue());
            return r;
        }
        if (k.get("filepath") instanceof String name) {   // the guides' patterns: every epoch, or every save_freq batches
            ModelCheckpoint c = new ModelCheckpoint(dir.resolve(name).toString());
            if (Boolean.TRUE.equals(k.get("save_weights_only"))) c.saveWeightsOnly(true);
            if (k.get("save_freq") instanceof Number n) c.saveFreq(n.intValue());
            return c;
        }
        ModelCheckpoint c = new ModelCheckpoint(dir.resolve("e{epoch}.weights.h5").toString()).monitor(monitor).saveWeightsOnly(true)
                .saveBestOnly(true);
        if (k.get("mode") instanceof String s) c.mode(s);
        if (k.get("initial_value_threshold") instanceof Number n) c.initialValueThreshold(n.doubleValue());
        return c;
    }

    /** Each hook fit calls with its index and logs, as the generator's Hooks records them (batch hooks: the keys only). */
    private static final class Hooks implements Callback {
        final List<List<Object>> seen = new ArrayList<>();

        private void log(String hook, Integer i, Object logs) { seen.add(java.util.Arrays.asList(hook, i, logs)); }

        @Override public void onTrainBegin(Model model) { log("on_train_begin", null, Map.of()); }
        @Override public void onTrainEnd(Map<String, Double> logs, Model model) { log("on_train_end", null, new java.util.LinkedHashMap<>(logs)); }
        @Override public void onEpochBegin(int epoch, Model model) { log("on_epoch_begin", epoch, Map.of()); }
        @Override public void onEpochEnd(int epoch, Map<String, Double> logs, Model model) { log("on_epoch_end", epoch, new java.util.LinkedHashMap<>(logs)); }
        @Override public void onBatchBegin(int batch, Model model) { log("on_train_batch_begin", batch, List.of()); }
        @Override public void onBatchEnd(int batch, BatchLogs logs, Model model) { log("on_train_batch_end", batch, List.copyOf(logs.logs().keySet())); }
        @Override public void onTestBegin(Model model) { log("on_test_begin", null, Map.of()); }
        @Override public void onTestEnd(Map<String, Double> logs, Model model) { log("on_test_end", null, new java.util.LinkedHashMap<>(logs)); }
        @Override public void onTestBatchBegin(int batch, Model model) { log("on_test_batch_begin", batch, List.of()); }
        @Override public void onTestBatchEnd(int batch, BatchLogs logs, Model model) { log("on_test_batch_end", batch, List.copyOf(logs.logs().keySet())); }
    }

    /** The hooks in Keras' order with Keras' indices and keys (in Keras' order), the epoch-level values near Keras'. */
    private static void hooksNear(List<?> want, List<List<Object>> got, String id) {
        List<String> w = want.stream().map(e -> ((List<?>) e).get(0) + " " + ((List<?>) e).get(1) + " " + keys(((List<?>) e).get(2))).toList();
        List<String> g = got.stream().map(e -> e.get(0) + " " + (e.get(1) == null ? "None" : e.get(1)) + " " + keys(e.get(2))).toList();
        assertEquals(String.join("\n", w).replace(" null ", " None "), String.join("\n", g), id + " hooks");
        for (int i = 0; i < want.size(); i++) {
            if (((List<?>) want.get(i)).get(2) instanceof Map<?, ?> kv) {
                for (Map.Entry<?, ?> e : kv.entrySet()) {
                    near(((Number) e.getValue()).doubleValue(), ((Map<?, ?>) got.get(i).get(2)).get(e.getKey()) instanceof Double d ? d : Double.NaN,
                            id + " " + got.get(i).get(0) + " " + e.getKey());
                }
            }
        }
    }

    private static List<?> keys(Object logs) { return logs instanceof Map<?, ?> m ? List.copyOf(m.keySet()) : (List<?>) logs; }

    /** Keras' CSVLogger file: the same header, rows, NA cells and CR LF line ends; the numbers near Keras'. */
    private static void csvNear(String want, String got, String id) {
        String[] w = want.split("\r\n", -1), g = got.split("\r\n", -1);
        assertEquals(w.length, g.length, id + " csv lines:\n" + got);
        assertEquals(w[0], g[0], id + " csv header");
        for (int i = 1; i < w.length; i++) {
            String[] wc = w[i].split(","), gc = g[i].split(",");
            assertEquals(wc.length, gc.length, id + " csv row " + i);
            for (int j = 0; j < wc.length; j++) {
                if (j == 0 || wc[j].equals("NA")) assertEquals(wc[j], gc[j], id + " csv row " + i + " cell " + j);
                else near(Double.parseDouble(wc[j]), Double.parseDouble(gc[j]), id + " csv row " + i + " cell " + j);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fits")
    void fitHistoriesAndCallbacksAsKeras(String id, @TempDir Path dir) throws IOException {
        Map<?, ?> c = find("fits", id), a = map(c, "args");
        Sequential m = new Sequential(new Dense(4).activation("tanh").inputShape(3), new Dense(3).activation("softmax"));
        m.build(3);
        List<Tensor> init = new ArrayList<>();
        for (Object t : list(map(G, "fit_data"), "init")) init.add(tensor(t));
        m.setWeights(init);
        m.compile(new dev.jrnn.optim.SGD(num(c, "lr")), "sparse_categorical_crossentropy", "accuracy",
                WeightedMetrics.of(EpochMetric.deserialize(Map.of("class_name", "SparseCategoricalCrossentropy", "config", Map.of("name", "wce")))));
        FitOptions o = new FitOptions().epochs((int) num(a, "epochs")).batchSize((int) num(a, "batch_size")).shuffle(false).verbose(0);
        if (a.get("steps_per_epoch") instanceof Number n) o.stepsPerEpoch(n.intValue());
        if (a.get("validation_split") instanceof Number n) o.validationSplit(n.doubleValue());
        if (a.get("initial_epoch") instanceof Number n) o.initialEpoch(n.intValue());
        Tensor x = fitData("x"), y = fitData("y"), xv = fitData("xv"), yv = fitData("yv");
        if (id.equals("validation_data_weighted") || id.equals("class_weight_weighted_validation")) o.validationData(xv, yv, fitData("wv"));
        else if (id.equals("validation_data") || id.startsWith("validation_freq") || id.equals("sample_weight") || id.startsWith("es_") || id.startsWith("rlrop") || id.startsWith("ckpt")) {
            o.validationData(xv, yv);
        }
        if (id.equals("sample_weight") || id.equals("validation_split_weighted")) o.sampleWeight(fitData("w"));
        if (id.equals("backup_resume")) {   // a fit killed at epoch 3's start, then the same code run again
            o.validationData(xv, yv);
            Sequential killed = new Sequential(new Dense(4).activation("tanh").inputShape(3), new Dense(3).activation("softmax"));
            killed.build(3);
            killed.setWeights(init);
            killed.compile(new dev.jrnn.optim.SGD(num(c, "lr")), "sparse_categorical_crossentropy", "accuracy",
                    WeightedMetrics.of(EpochMetric.deserialize(Map.of("class_name", "SparseCategoricalCrossentropy", "config", Map.of("name", "wce")))));
            Callback interrupt = new Callback() {
                @Override
                public void onEpochBegin(int epoch, Model model) { if (epoch == 2) throw new IllegalStateException("interrupted"); }
            };
            FitOptions first = new FitOptions().epochs(4).batchSize(4).shuffle(false).verbose(0).validationData(xv, yv)
                    .callbacks(new BackupAndRestore(dir.resolve("backup")), interrupt);
            assertEquals("interrupted", org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, () -> killed.fit(x, y, first)).getMessage());
        }
        if (id.equals("class_weight")) o.classWeight(Map.of(0, 0.5, 1, 2.0, 2, 1.5));
        if (id.equals("class_weight_weighted_validation")) o.classWeight(Map.of(0, 2.0, 1, 0.5, 2, 1.0));
        if (id.equals("validation_freq")) o.validationFreq(2).validationBatchSize(3);
        if (id.equals("validation_freq_list")) o.validationFreq(List.of(1, 4));
        if (id.endsWith("_validation_freq")) o.validationFreq(id.startsWith("ckpt") ? 3 : 2);
        Callback cb = null;
        if (c.get("callback") instanceof Map<?, ?> k) cb = callback(id, k, dir);
        if (id.equals("backup_resume")) cb = new BackupAndRestore(dir.resolve("backup"));
        if (id.equals("lr_scheduler")) cb = new LearningRateScheduler((epoch, lr) -> epoch < 2 ? lr : lr * 0.5);
        List<Callback> cbs = new ArrayList<>();
        if (cb != null) cbs.add(cb);
        Path csv = dir.resolve("log.csv");
        if (c.get("csv") != null) cbs.add(new CSVLogger(csv));
        Hooks hooks = new Hooks();
        if (c.get("hooks") != null) cbs.add(hooks);
        o.callbacks(cbs.toArray(Callback[]::new));
        java.io.PrintStream before = System.err;
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
        History h;
        try {
            h = m.fit(x, y, o);
        } finally {
            System.setErr(before);
        }
        String warned = err.toString(java.nio.charset.StandardCharsets.UTF_8);   // Keras' "Your input ran out of data", as it warns
        assertEquals(id.equals("steps_per_epoch"), warned.contains("ran out of data"), id + ": " + warned);
        Map<?, ?> kh = map(c, "history");
        assertEquals(List.copyOf(kh.keySet()), List.copyOf(h.history().keySet()), id + " history keys, in Keras' order");
        assertEquals(((Number) c.get("epochs_run")).intValue(), h.size(), id + " epochs run");
        assertEquals(list(c, "epoch").stream().map(n -> ((Number) n).intValue()).toList(), h.epochs(), id + " history.epoch");
        if (c.get("csv") instanceof String want) csvNear(want, Files.readString(csv), id);
        if (c.get("hooks") instanceof List<?> want) hooksNear(want, hooks.seen, id);
        if (id.equals("backup_resume")) assertTrue(Files.notExists(dir.resolve("backup")), "the backups removed at the end, as Keras' rmtree");
        for (Map.Entry<?, ?> e : kh.entrySet()) {
            List<?> v = (List<?>) e.getValue();
            List<Double> got = h.get((String) e.getKey());   // validationFreq: the validated epochs only, as Keras
            assertEquals(v.size(), got.size(), id + " " + e.getKey() + " entries");
            for (int i = 0; i < v.size(); i++) near(((Number) v.get(i)).doubleValue(), got.get(i), id + " " + e.getKey() + " of entry " + i);
        }
        assertEquals(((Number) c.get("iterations")).longValue(), m.optimizer().iterations(), id + " iterations");
        for (int i = 0; i < init.size(); i++) near(tensor(list(c, "weights").get(i)), m.getWeights().get(i), 1e-4, id + " weight " + i);
        if (cb instanceof EarlyStopping e) {
            assertEquals(((Number) c.get("stopped_epoch")).intValue(), e.stoppedEpoch(), id + " stopped_epoch");
            assertEquals(((Number) c.get("best_epoch")).intValue(), e.bestEpoch(), id + " best_epoch");
        }
        if (c.get("saved_epochs") instanceof List<?> saved) {
            List<Integer> got = new ArrayList<>();
            try (Stream<Path> files = Files.list(dir)) {
                files.forEach(f -> got.add(Integer.parseInt(f.getFileName().toString().substring(1, f.getFileName().toString().indexOf('.')))));
            }
            java.util.Collections.sort(got);
            assertEquals(saved.stream().map(s -> ((Number) s).intValue()).toList(), got, id + " epochs saved");
        }
        if (c.get("saved_files") instanceof List<?> saved) {
            try (Stream<Path> files = Files.list(dir)) {
                assertEquals(saved, files.map(f -> f.getFileName().toString()).sorted().toList(), id + " files saved");
            }
        }
        if (c.get("evaluate") != null) {
            assertKeys(map(c, "evaluate"), m.evaluateAll(List.of(x), List.of(y), 3, null, (Tensor) null), id + " evaluate");
            assertKeys(map(c, "evaluate_weighted"), m.evaluateAll(List.of(x), List.of(y), 3, null, fitData("w")), id + " evaluate weighted");
            near(tensor(c.get("predict")), m.predict(xv), 2e-5, id + " predict");
        }
    }

    static Stream<String> twoOutputs() { return list(map(G, "two_outputs"), "cases").stream().map(c -> (String) ((Map<?, ?>) c).get("id")); }

    /**
     * A model of two outputs (a: Dense(2), mse or mae; b: Dense(3) softmax, sparse cross-entropy) over a shared Dense(4):
     * losses and loss_weights by name or position, metrics per output ("a_mae", "b_accuracy"), weighted_metrics whose
     * name a metric took ("b_weighted_accuracy"), sample weights shared by the outputs; history, evaluate and weights.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("twoOutputs")
    void twoOutputsFitAsKeras(String id) {
        Map<?, ?> s = map(G, "two_outputs"), c = null;
        for (Object o : list(s, "cases")) if (id.equals(((Map<?, ?>) o).get("id"))) c = (Map<?, ?>) o;
        dev.jrnn.model.Input in = dev.jrnn.model.Input.shape(3);
        dev.jrnn.layers.Node h = new Dense(4).activation("tanh").name("h").apply(in);
        dev.jrnn.model.Model m = new dev.jrnn.model.Model(in, List.of(new Dense(2).name("a").apply(h), new Dense(3).activation("softmax").name("b").apply(h)));
        List<Tensor> init = new ArrayList<>();
        List<?> fi = list(map(G, "fit_data"), "init"), ai = list(s, "init_a");
        for (Object t : List.of(fi.get(0), fi.get(1), ai.get(0), ai.get(1), fi.get(2), fi.get(3))) init.add(tensor(t));
        m.setWeights(init);
        Tensor x = fitData("x"), y = fitData("y"), ya = tensor(s.get("ya"));
        FitOptions o = new FitOptions().epochs(3).batchSize(4).shuffle(false).verbose(0);
        Tensor ya4 = Tensor.of(java.util.Arrays.copyOf(ya.data(), 8), 4, 2);
        if (id.equals("dict")) {
            m.compile(new dev.jrnn.optim.SGD(0.2), Map.of("a", "mse", "b", "sparse_categorical_crossentropy"), Map.of("a", 0.5, "b", 2.0),
                    Map.of("a", List.of("mae"), "b", List.of("accuracy")));
            o.validationSplit(0.2);
        } else if (id.equals("guide_dict")) {
            m.compile(new dev.jrnn.optim.SGD(0.2), Map.of("a", "mse", "b", "sparse_categorical_crossentropy"), Map.of("a", 2.0, "b", 1.0),
                    Map.of("a", List.of("mean_absolute_percentage_error", "mean_absolute_error"), "b", List.of("sparse_categorical_accuracy")));
            o.validationData(List.of(fitData("xv")), Map.of("a", ya4, "b", fitData("yv")));   // Keras' y by output name
        } else if (id.equals("none_loss_list")) {
            m.compile(new dev.jrnn.optim.SGD(0.2), java.util.Arrays.asList(null, "sparse_categorical_crossentropy"),
                    List.of(List.of("mae"), List.of("accuracy")));
        } else if (id.equals("none_loss_dict")) {
            java.util.Map<String, String> losses = new java.util.HashMap<>();
            losses.put("a", null);
            losses.put("b", "sparse_categorical_crossentropy");
            m.compile(new dev.jrnn.optim.SGD(0.2), losses, Map.of("a", List.of("mse"), "b", List.of("accuracy")));
            o.validationSplit(0.2);
        } else {
            m.compile(new dev.jrnn.optim.SGD(0.2), List.of("mae", "sparse_categorical_crossentropy"), List.of(1.5, 0.25),
                    List.of(List.of("mse"), List.of("accuracy", "sparse_categorical_crossentropy")),
                    WeightedMetrics.of(List.of(List.of("mae"), List.of("accuracy"))));
            o.sampleWeight(fitData("w")).validationData(List.of(fitData("xv")), List.of(ya4, fitData("yv")));
        }
        History hist = id.equals("guide_dict") ? m.fit(List.of(x), Map.of("a", ya, "b", y), o) : m.fit(List.of(x), List.of(ya, y), o);
        Map<?, ?> kh = map(c, "history");
        assertEquals(List.copyOf(kh.keySet()), List.copyOf(hist.history().keySet()), id + " history keys, in Keras' order");
        for (Map.Entry<?, ?> e : kh.entrySet()) {
            List<?> v = (List<?>) e.getValue();
            for (int i = 0; i < v.size(); i++) near(((Number) v.get(i)).doubleValue(), hist.get((String) e.getKey()).get(i), id + " " + e.getKey() + " of epoch " + i);
        }
        Map<String, Double> ev = m.evaluateAll(List.of(x), List.of(ya, y), 3, null);
        if (id.equals("guide_dict")) assertEquals(m.evaluateAll(List.of(x), Map.of("b", y, "a", ya)), m.evaluateAll(List.of(x), List.of(ya, y)));
        assertKeys(map(c, "evaluate"), ev, id + " evaluate");
        assertEquals(List.copyOf(map(c, "evaluate").keySet()), List.copyOf(ev.keySet()), id + " evaluate keys, in Keras' order");
        for (int i = 0; i < init.size(); i++) near(tensor(list(c, "weights").get(i)), m.getWeights().get(i), 1e-4, id + " weight " + i);
    }

    /**
     * (session 22) Keras' clone_model of a compiled model compiles the clone from the original's compile config: after the
     * original's Adam(0.05, beta_1=0.8, amsgrad) fitted an epoch and its rate was set to 0.02, the clone's Adam starts at
     * update 0 with rate 0.02, the same losses, loss_weights and metrics by output name; from the same weights it fits
     * as Keras' clone did (history and weights). The clone was uncompiled before.
     */
    @org.junit.jupiter.api.Test
    void aCloneOfACompiledModelIsCompiledAsKerasCompilesIt() {
        Map<?, ?> s = map(G, "two_outputs"), c = map(s, "clone");
        dev.jrnn.model.Input in = dev.jrnn.model.Input.shape(3);
        dev.jrnn.layers.Node h = new Dense(4).activation("tanh").name("h").apply(in);
        Model m = new Model(in, List.of(new Dense(2).name("a").apply(h), new Dense(3).activation("softmax").name("b").apply(h)));
        List<Tensor> init = new ArrayList<>();
        List<?> fi = list(map(G, "fit_data"), "init"), ai = list(s, "init_a");
        for (Object t : List.of(fi.get(0), fi.get(1), ai.get(0), ai.get(1), fi.get(2), fi.get(3))) init.add(tensor(t));
        m.setWeights(init);
        Tensor x = fitData("x"), y = fitData("y"), ya = tensor(s.get("ya"));
        dev.jrnn.optim.Adam adam = new dev.jrnn.optim.Adam(0.05).beta1(0.8).amsgrad(true);
        m.compile(adam, Map.of("a", "mse", "b", "sparse_categorical_crossentropy"), Map.of("a", 0.5, "b", 2.0),
                Map.of("a", List.of("mae"), "b", List.of("accuracy")));
        FitOptions o = new FitOptions().batchSize(4).shuffle(false).verbose(0);
        m.fit(List.of(x), List.of(ya, y), o.epochs(1));
        adam.learningRate(0.02f);
        Model clone = dev.jrnn.model.Models.cloneModel(m);
        assertTrue((Boolean) c.get("compiled"));
        assertNotNull(clone.optimizer(), "compiled");
        assertTrue(clone.optimizer() != adam, "a new optimizer");
        assertEquals(num(c, "iterations"), clone.optimizer().iterations());
        near(num(c, "learning_rate"), clone.optimizer().learningRate(), "the clone's rate");
        clone.setWeights(init);
        History hist = clone.fit(List.of(x), List.of(ya, y), o.epochs(2));
        Map<?, ?> kh = map(c, "history");
        assertEquals(new java.util.TreeSet<>(kh.keySet()), new java.util.TreeSet<>(hist.history().keySet()), "history keys");
        for (Map.Entry<?, ?> e : kh.entrySet()) {
            List<?> v = (List<?>) e.getValue();
            for (int i = 0; i < v.size(); i++) near(((Number) v.get(i)).doubleValue(), hist.get((String) e.getKey()).get(i), "clone " + e.getKey() + " of epoch " + i);
        }
        for (int i = 0; i < init.size(); i++) near(tensor(list(c, "weights").get(i)), clone.getWeights().get(i), 1e-5, "clone weight " + i);
    }

    static Stream<String> standalone() { return list(G, "standalone").stream().map(c -> (String) ((Map<?, ?>) c).get("id")); }

    /** Every test and predict hook (and setParams) a standalone evaluate or predict calls, with its index and logs. */
    private static final class Standalone implements Callback {
        final List<List<Object>> seen = new ArrayList<>();

        private void log(String hook, Integer i, Object logs) { seen.add(java.util.Arrays.asList(hook, i, logs)); }

        @Override public void setParams(dev.jrnn.model.FitParams p) {
            Map<String, Object> kv = new java.util.LinkedHashMap<>();
            kv.put("verbose", p.verbose());
            kv.put("epochs", p.epochs());
            kv.put("steps", p.steps());
            log("set_params", null, kv);
        }
        @Override public void onTestBegin(Model model) { log("on_test_begin", null, Map.of()); }
        @Override public void onTestEnd(Map<String, Double> logs, Model model) { log("on_test_end", null, new java.util.LinkedHashMap<>(logs)); }
        @Override public void onTestBatchBegin(int batch, Model model) { log("on_test_batch_begin", batch, Map.of()); }
        @Override public void onTestBatchEnd(int batch, BatchLogs logs, Model model) { log("on_test_batch_end", batch, new java.util.LinkedHashMap<>(logs.logs())); }
        @Override public void onPredictBegin(Model model) { log("on_predict_begin", null, Map.of()); }
        @Override public void onPredictEnd(Model model) { log("on_predict_end", null, Map.of()); }
        @Override public void onPredictBatchBegin(int batch, Model model) { log("on_predict_batch_begin", batch, Map.of()); }
        @Override public void onPredictBatchEnd(int batch, List<Tensor> outputs, Model model) { log("on_predict_batch_end", batch, Map.of("outputs", outputs)); }
        // fit's hooks must not run in a standalone evaluate or predict
        @Override public void onTrainBegin(Model model) { log("on_train_begin", null, Map.of()); }
        @Override public void onEpochBegin(int epoch, Model model) { log("on_epoch_begin", epoch, Map.of()); }
        @Override public void onBatchBegin(int batch, Model model) { log("on_train_batch_begin", batch, Map.of()); }
    }

    /** {@code r}, after checking that {@code ds} (a Dataset's run) saw what {@code cb} saw: the same hooks, indices and logs. */
    private static <T> T sameTrace(Standalone ds, T r, Standalone cb) {
        assertEquals(cb.seen.size(), ds.seen.size(), "Dataset hooks " + ds.seen);
        for (int i = 0; i < cb.seen.size(); i++) {
            assertEquals(cb.seen.get(i).subList(0, 2), ds.seen.get(i).subList(0, 2), "Dataset hook " + i);
            assertEquals(String.valueOf(cb.seen.get(i).get(2)), String.valueOf(ds.seen.get(i).get(2)), "Dataset hook " + i + " logs");
        }
        return r;
    }

    /**
     * Keras' evaluate(..., callbacks=[cb]) and predict(..., callbacks=[cb]) with uneven last batches (10 rows in 4 4 2 and
     * 3 3 3 1, 4 in 3 1), sample weights, metrics and two outputs: setParams, the hooks' order and batch indices, each batch's
     * running logs (keys in Keras' order) and outputs, onTestEnd's logs, and what evaluate and predict return.
     */
    @SuppressWarnings("unchecked")
    @ParameterizedTest(name = "{0}")
    @MethodSource("standalone")
    void standaloneEvaluateAndPredictCallbacksAsKeras(String id) throws IOException {
        Map<?, ?> c = find("standalone", id);
        List<Tensor> init = new ArrayList<>();
        for (Object t : list(map(G, "fit_data"), "init")) init.add(tensor(t));
        Tensor x = fitData("x"), y = fitData("y"), xv = fitData("xv");
        Standalone cb = new Standalone();
        Object result;
        if (id.startsWith("two_outputs")) {
            Map<?, ?> s = map(G, "two_outputs");
            dev.jrnn.model.Input in = dev.jrnn.model.Input.shape(3);
            dev.jrnn.layers.Node h = new Dense(4).activation("tanh").name("h").apply(in);
            Model m = new Model(in, List.of(new Dense(2).name("a").apply(h), new Dense(3).activation("softmax").name("b").apply(h)));
            List<?> ai = list(s, "init_a");
            m.setWeights(List.of(init.get(0), init.get(1), tensor(ai.get(0)), tensor(ai.get(1)), init.get(2), init.get(3)));
            m.compile(new dev.jrnn.optim.SGD(0.2), List.of("mse", "sparse_categorical_crossentropy"), List.of(List.of("mae"), List.of("accuracy")));
            result = id.endsWith("predict_b3") ? m.predictAll(List.of(xv), 3, null, cb)
                    : m.evaluateAll(List.of(x), List.of(tensor(s.get("ya")), y), 4, null, null, cb);
        } else {
            Sequential m = new Sequential(new Dense(4).activation("tanh").inputShape(3), new Dense(3).activation("softmax"));
            m.build(3);
            m.setWeights(init);
            m.compile(new dev.jrnn.optim.SGD(0.3), "sparse_categorical_crossentropy", "accuracy",
                    WeightedMetrics.of(EpochMetric.deserialize(Map.of("class_name", "SparseCategoricalCrossentropy", "config", Map.of("name", "wce")))));
            result = switch (id) {
                case "evaluate_b4" -> {   // a Dataset in the same batches calls the same hooks with the same logs
                    Standalone ds = new Standalone();
                    m.evaluateAll(dev.jrnn.data.Dataset.fromTensors(x, y).batch(4), ds);
                    yield sameTrace(ds, m.evaluateAll(List.of(x), List.of(y), 4, null, null, cb), cb);
                }
                case "evaluate_weighted_b3" -> m.evaluateAll(List.of(x), List.of(y), 3, null, List.of(fitData("w")), cb);
                case "predict_b4" -> {
                    Standalone ds = new Standalone();
                    List<Tensor> sunk = new ArrayList<>();
                    m.predict(dev.jrnn.data.Dataset.fromTensors(x, null).batch(4), outs -> sunk.add(outs.get(0)), ds);
                    assertEquals(3, sunk.size(), "the sink's batches");
                    yield sameTrace(ds, m.predictAll(List.of(x), 4, null, cb).get(0), cb);
                }
                case "predict_b3" -> m.predictAll(List.of(xv), 3, null, cb).get(0);
                default -> throw new AssertionError(id);
            };
        }
        List<?> want = list(c, "hooks");
        List<String> w = want.stream().map(e -> ((List<?>) e).get(0) + " " + ((List<?>) e).get(1) + " " + keys(((List<?>) e).get(2))).toList();
        List<String> g = cb.seen.stream().map(e -> e.get(0) + " " + e.get(1) + " " + keys(e.get(2))).toList();
        assertEquals(String.join("\n", w), String.join("\n", g), id + " hooks, indices and log keys in Keras' order");
        for (int i = 0; i < want.size(); i++) {
            String hook = (String) ((List<?>) want.get(i)).get(0);
            Map<?, ?> kv = (Map<?, ?>) ((List<?>) want.get(i)).get(2), got = (Map<?, ?>) cb.seen.get(i).get(2);
            for (Map.Entry<?, ?> e : kv.entrySet()) {
                String what = id + " " + hook + " " + ((List<?>) want.get(i)).get(1) + " " + e.getKey();
                if (hook.equals("set_params")) {
                    assertEquals(((Number) e.getValue()).intValue(), ((Number) got.get(e.getKey())).intValue(), what);
                } else if (e.getValue() instanceof List<?> outs) {   // several outputs: Keras' list, jrnn's in output order
                    List<?> mine = (List<?>) got.get("outputs");
                    assertEquals(outs.size(), mine.size(), what);
                    for (int k = 0; k < outs.size(); k++) near(tensor(outs.get(k)), (Tensor) mine.get(k), 2e-5, what + " " + k);
                } else if (e.getValue() instanceof Map<?, ?> one) {   // one output: Keras' array
                    List<?> mine = (List<?>) got.get("outputs");
                    assertEquals(1, mine.size(), what);
                    near(tensor(one), (Tensor) mine.get(0), 2e-5, what);
                } else {
                    near(((Number) e.getValue()).doubleValue(), (Double) got.get(e.getKey()), what);
                }
            }
        }
        if (c.get("result") instanceof Map<?, ?> r) {
            if (r.containsKey("shape")) near(tensor(r), (Tensor) result, 2e-5, id + " predict");
            else {
                assertKeys(r, (Map<String, Double>) result, id + " evaluate");
                assertEquals(List.copyOf(r.keySet()), List.copyOf(((Map<?, ?>) result).keySet()), id + " evaluate keys, in Keras' order");
            }
        }
    }
}
