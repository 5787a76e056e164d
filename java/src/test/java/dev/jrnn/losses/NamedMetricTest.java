package dev.jrnn.losses;

import dev.jrnn.Jrnn;
import dev.jrnn.backend.Loss;
import dev.jrnn.io.Json;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.LSTM;
import dev.jrnn.layers.Node;
import dev.jrnn.model.FitOptions;
import dev.jrnn.model.Input;
import dev.jrnn.model.Model;
import dev.jrnn.model.Models;
import dev.jrnn.model.Sequential;
import dev.jrnn.model.WeightedMetrics;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * {@link NamedMetric}'s default names against Keras 3.15.1 itself (io/keras/keras3_training/training_goldens.json, section
 * metric_names of make_training_goldens.py): the classes without a default name of their own number theirs process-wide
 * ("auc", "auc_1", ...) until clearSession, a name given right after takes none, a name given to compile ("auc") draws one
 * at the first fit / evaluate / trainOnBatch / testOnBatch, and saved or loaded models keep the names Keras gives.
 */
class NamedMetricTest {
    private Tensor x, y;

    @BeforeEach
    void data() {
        Jrnn.setBackend("cpu");
        Jrnn.setSeed(3);
        float[] d = new float[48], t = new float[16];
        for (int i = 0; i < d.length; i++) d[i] = (float) Math.sin(i * 0.7);
        for (int i = 0; i < t.length; i++) t[i] = i % 2;
        x = Tensor.of(d, 8, 3, 2);
        y = Tensor.of(t, 8, 2);
        Jrnn.clearSession();
    }

    @AfterEach
    void fresh() { Jrnn.clearSession(); }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> golden() throws IOException {
        try (InputStream in = NamedMetricTest.class.getResourceAsStream("/dev/jrnn/io/keras/keras3_training/training_goldens.json")) {
            return (Map<String, Object>) ((Map<String, Object>) Json.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8))).get("metric_names");
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) { return (Map<String, Object>) o; }

    private static Sequential model() {
        return new Sequential(new LSTM(2).inputShape(3, 2), new Dense(2).activation("sigmoid"));
    }

    private static FitOptions quiet() { return new FitOptions().epochs(1).verbose(0); }

    /** The sorted History keys of a fit of a new model compiled with {@code metrics} (a quarter for validation with {@code val}). */
    private List<String> fitted(boolean val, Object... metrics) {
        Sequential m = model();
        m.compile("adam", "binary_crossentropy", metrics);
        return new ArrayList<>(new TreeSet<>(m.fit(x, y, val ? quiet().validationSplit(0.25) : quiet()).history().keySet()));
    }

    private static String nextAuc() { return new Auc().key(); }

    @Test
    void objectsWithoutADefaultNameAreNumberedAsKeras3() throws IOException {
        Map<String, Object> g = golden();
        Map<String, Supplier<EpochMetric>> classes = new LinkedHashMap<>();
        classes.put("AUC", Auc::new);
        classes.put("Precision", Precision::new);
        classes.put("Recall", Recall::new);
        classes.put("TruePositives", TruePositives::new);
        classes.put("FalsePositives", FalsePositives::new);
        classes.put("TrueNegatives", TrueNegatives::new);
        classes.put("FalseNegatives", FalseNegatives::new);
        classes.put("Accuracy", Accuracy::new);
        classes.put("BinaryAccuracy", BinaryAccuracy::new);
        classes.put("F1Score", FBetaScore::f1);
        classes.put("FBetaScore", FBetaScore::new);
        classes.put("R2Score", R2Score::new);
        classes.put("TopKCategoricalAccuracy", TopKCategoricalAccuracy::new);
        classes.put("SparseTopKCategoricalAccuracy", SparseTopKCategoricalAccuracy::new);
        classes.put("BinaryCrossentropy", () -> new LossMetric(Loss.BINARY_CROSSENTROPY));
        classes.put("PrecisionAtRecall", () -> new PrecisionAtRecall(0.5));
        classes.put("RecallAtPrecision", () -> new RecallAtPrecision(0.5));
        classes.put("SensitivityAtSpecificity", () -> new SensitivityAtSpecificity(0.5));
        classes.put("SpecificityAtSensitivity", () -> new SpecificityAtSensitivity(0.5));
        Map<String, Object> want = map(g.get("classes"));
        assertEquals(want.keySet(), classes.keySet());
        for (var e : classes.entrySet()) {
            assertEquals(want.get(e.getKey()), List.of(e.getValue().get().key(), e.getValue().get().key()), e.getKey());
        }
        Jrnn.clearSession();
        assertEquals(g.get("three_aucs"), List.of(nextAuc(), nextAuc(), nextAuc()));
        Jrnn.clearSession();
        assertEquals(g.get("after_clear_session"), nextAuc());
        Jrnn.clearSession();
        new Auc().name("pr");
        assertEquals(g.get("named_takes_none"), nextAuc(), "a name given right after takes no number");
        Jrnn.clearSession();
        assertThrows(IllegalArgumentException.class, () -> new PrecisionAtRecall(2.0));
        assertEquals(g.get("refused_takes_none"), new PrecisionAtRecall(0.5).key(), "a refused recall draws no name");
        Jrnn.clearSession();
        assertEquals(g.get("deserialize_unnamed"), List.of(nextAuc(), EpochMetric.deserialize(Map.of("class_name", "AUC", "config", Map.of())).key(),
                nextAuc()), "a config without a name draws one");
    }

    @Test
    void aNameGivenToCompileDrawsItsNumberWhenTheMetricsAreFirstUsed() throws IOException {
        Map<String, Object> g = golden();
        model().compile("adam", "binary_crossentropy", "auc");
        assertEquals(g.get("string_at_compile"), nextAuc(), "compile alone draws nothing");
        Jrnn.clearSession();
        assertEquals(map(g.get("string_at_fit")).get("keys"), fitted(false, "auc"));
        assertEquals(map(g.get("string_at_fit")).get("next"), nextAuc());
        Map<String, Consumer<Sequential>> calls = new LinkedHashMap<>();
        calls.put("evaluate", m -> m.evaluate(x, y));
        calls.put("train_on_batch", m -> m.trainOnBatch(x, y));
        calls.put("test_on_batch", m -> m.testOnBatch(x, y));
        calls.put("predict", m -> m.predict(x));
        // Keras 3.15.1 draws as fit starts, even of no epoch: fit(epochs=0) and fit(epochs=2, initial_epoch=2) leave
        // the next AUC() as auc_1 (checked by hand; jrnn drew inside the epoch loop and gave auc)
        Map<String, Consumer<Sequential>> noEpoch = new LinkedHashMap<>();
        noEpoch.put("epochs 0", m -> m.fit(x, y, quiet().epochs(0)));
        noEpoch.put("initial epoch 2 of 2", m -> m.fit(x, y, quiet().epochs(2).initialEpoch(2)));
        for (var e : noEpoch.entrySet()) {
            Jrnn.clearSession();
            Sequential m = model();
            m.compile("adam", "binary_crossentropy", "auc");
            e.getValue().accept(m);
            assertEquals("auc_1", nextAuc(), e.getKey());
        }
        calls.put("fit_twice_evaluate", m -> {
            m.fit(x, y, quiet());
            m.fit(x, y, quiet());
            m.evaluate(x, y);
        });
        calls.put("recompile", m -> {
            m.fit(x, y, quiet());
            m.compile("adam", "binary_crossentropy", "auc");
            m.fit(x, y, quiet());
        });
        for (var e : calls.entrySet()) {
            Jrnn.clearSession();
            Sequential m = model();
            m.compile("adam", "binary_crossentropy", "auc");
            e.getValue().accept(m);
            assertEquals(g.get("string_" + e.getKey()), nextAuc(), e.getKey());
        }
        Jrnn.clearSession();
        Map<String, Object> s = map(g.get("strings"));
        assertEquals(s.get("keys"), fitted(false, "auc", "precision", "recall", "true_positives", "AUC", "TruePositives", "false_negatives",
                "true_negatives", "false_positives"));
        assertEquals(s.get("next"), List.of(nextAuc(), new Precision().key(), new Recall().key(), new TruePositives().key(),
                new FalseNegatives().key(), new TrueNegatives().key(), new FalsePositives().key()));
        Jrnn.clearSession();
        assertEquals(map(g.get("weighted")).get("keys"), fitted(false, "auc", WeightedMetrics.of("auc")));
        assertEquals(map(g.get("weighted")).get("next"), nextAuc());
    }

    /** GUIDE: a name given twice logs as auc, auc_1; with numbered objects among them, as Keras' result() numbers them. */
    @Test
    void repeatedNamesLogAsKeras() throws IOException {
        Map<String, Object> g = golden();
        Map<String, Supplier<Object[]>> cases = new LinkedHashMap<>();
        cases.put("twice_string", () -> new Object[] {"auc", "auc"});
        cases.put("twice_object", () -> new Object[] {new Auc(), new Auc()});
        cases.put("string_and_object", () -> new Object[] {"auc", new Auc()});
        cases.put("named_auc_1_and_object", () -> new Object[] {new Auc().name("auc_1"), new Auc()});
        for (var e : cases.entrySet()) {
            Jrnn.clearSession();
            Map<String, Object> want = map(g.get(e.getKey()));
            assertEquals(want.get("keys"), fitted(true, e.getValue().get()), e.getKey());
            assertEquals(want.get("next"), nextAuc(), e.getKey());
        }
        Jrnn.clearSession();
        new Auc();
        Auc drawn = new Auc();
        assertEquals(map(g.get("string_and_drawn_object")).get("keys"), fitted(false, "auc", drawn));
        assertEquals(map(g.get("string_and_drawn_object")).get("next"), nextAuc());

        Jrnn.clearSession();   // Keras' metrics={"a": ["auc"], "b": ["auc", AUC()]}: the names draw at fit, output by output
        Input in = Input.shape(3, 2);
        Node h = new LSTM(2).apply(in);
        Model m = new Model(in, List.of(new Dense(2).activation("sigmoid").name("a").apply(h), new Dense(2).activation("sigmoid").name("b").apply(h)));
        m.compile("adam", Map.of("a", "binary_crossentropy", "b", "binary_crossentropy"), Map.of("a", List.of("auc"), "b", List.of("auc", new Auc())));
        List<String> keys = new ArrayList<>(new TreeSet<>(m.fit(List.of(x), List.of(y, y), quiet()).history().keySet()));
        assertEquals(map(g.get("two_outputs")).get("keys"), keys);
        assertEquals(map(g.get("two_outputs")).get("next"), nextAuc());
    }

    @SuppressWarnings("unchecked")
    private static List<Object> configNames(List<Object> configs) {
        List<Object> r = new ArrayList<>();
        for (Object c : configs) r.add(c instanceof Map<?, ?> o ? ((Map<String, Object>) o.get("config")).get("name") : c);
        return r;
    }

    /**
     * A second model's objects are auc_1, ...; its file keeps them, and loading a file draws no number (its objects keep
     * their names, its names draw theirs at the loaded model's first fit or evaluate), as Keras' load_model.
     */
    @SuppressWarnings("unchecked")
    @Test
    void savedAndLoadedModelsKeepTheNamesKerasGives(@TempDir Path dir) throws IOException {
        Map<String, Object> s = map(golden().get("second_model"));
        fitted(false, new Auc(), new Precision(), new TruePositives());
        Sequential m = model();
        m.compile("adam", "binary_crossentropy", new Auc(), new Precision(), new TruePositives());
        assertEquals(s.get("keys"), new ArrayList<>(new TreeSet<>(m.fit(x, y, quiet().validationSplit(0.25)).history().keySet())));
        assertEquals(configNames((List<Object>) s.get("config")), configNames(m.metricConfigs()));
        m.save(dir.resolve("second.keras"));
        assertEquals(s.get("before_load"), nextAuc());
        Model loaded = Models.load(dir.resolve("second.keras"));
        assertEquals(s.get("after_load"), nextAuc());
        assertEquals(s.get("loaded_keys"), new ArrayList<>(new TreeSet<>(loaded.fit(x, y, quiet()).history().keySet())));
        assertEquals(s.get("after_loaded_fit"), nextAuc());
        // Keras' own compile config of that model: its names kept, no number drawn
        Jrnn.clearSession();
        List<String> read = new ArrayList<>();
        for (Object c : (List<Object>) s.get("config")) read.add(EpochMetric.deserialize(c).key());
        assertEquals(List.of("auc_1", "precision_1", "true_positives_1"), read);
        assertEquals("auc", nextAuc());

        Map<String, Object> f = map(golden().get("string_file"));
        Jrnn.clearSession();
        Sequential k = model();
        k.compile("adam", "binary_crossentropy", "auc");
        k.fit(x, y, quiet());
        k.save(dir.resolve("string.keras"));
        assertEquals(f.get("config"), k.metricConfigs());
        Map<String, Consumer<Model>> calls = new LinkedHashMap<>();
        calls.put("load", l -> { });
        calls.put("load_fit", l -> l.fit(x, y, quiet()));
        calls.put("load_evaluate", l -> l.evaluate(x, y));
        for (var e : calls.entrySet()) {
            Jrnn.clearSession();
            e.getValue().accept(Models.load(dir.resolve("string.keras")));
            assertEquals(f.get(e.getKey()), nextAuc(), e.getKey());
        }
    }
}
