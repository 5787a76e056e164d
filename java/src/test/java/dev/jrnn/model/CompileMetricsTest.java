package dev.jrnn.model;

import dev.jrnn.Jrnn;
import dev.jrnn.io.Json;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.Node;
import dev.jrnn.layers.SimpleRNN;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link CompileMetrics}: Keras' metrics per output (a dict by output name, a list per output) and weighted_metrics on a
 * model of two outputs, each output's logs against a one-output model on the same layers and data, through evaluate,
 * fit's History and validation, EarlyStopping's monitor, CSVLogger and a saved model's compile config.
 */
class CompileMetricsTest {
    private Input in;
    private Node price, kind;
    private Tensor x, yp, yk, w;

    @BeforeEach
    void twoOutputs() {
        Jrnn.setBackend("cpu");
        Jrnn.clearSession();
        Jrnn.setSeed(9);
        in = Input.shape(4, 2);
        Node h = new SimpleRNN(3).apply(in);
        price = new Dense(2).name("price").apply(h);
        kind = new Dense(1).activation("sigmoid").name("kind").apply(h);
        SplittableRandom r = new SplittableRandom(2);
        x = FunctionalTest.random(r, 10, 4, 2);
        yp = FunctionalTest.random(r, 10, 2);
        float[] k = new float[10], ws = new float[10];
        for (int i = 0; i < 10; i++) {
            k[i] = i % 3 == 0 ? 1 : 0;
            ws[i] = 0.25f + i % 4;
        }
        yk = Tensor.of(k, 10, 1);
        w = Tensor.of(ws, 10);
    }

    private Model both() { return new Model(in, List.of(price, kind)); }

    private Map<String, Double> evaluate(Model m) { return m.evaluateAll(List.of(x), List.of(yp, yk), 4, null); }

    /** Keras' metrics={"kind": [...]} and metrics=[[...], [...]]: each output's metrics, its logs those of a one-output model. */
    @Test
    void byOutputNameAndOneListPerOutput() {
        Model m = both();
        m.compile("adam", Map.of("price", "mse", "kind", "binary_crossentropy"), Map.of("kind", List.of("auc", "accuracy")));
        assertEquals(List.of("kind_auc", "kind_accuracy"), m.metricKeys());
        Map<String, Double> r = evaluate(m);
        assertEquals(List.of("kind_accuracy", "kind_auc", "kind_loss", "loss", "price_loss"), new ArrayList<>(r.keySet()));
        Model k = new Model(in, kind);
        k.compile("adam", "binary_crossentropy", "auc", "accuracy");
        Map<String, Double> one = k.evaluateAll(List.of(x), List.of(yk), 4, null);
        assertEquals(one.get("auc"), r.get("kind_auc"), 1e-12);
        assertEquals(one.get("accuracy"), r.get("kind_accuracy"), 1e-12);

        m.compile("adam", List.of("mse", "binary_crossentropy"), List.of(List.of("mae", "mae"), List.of("auc")));
        r = evaluate(m);
        assertEquals(List.of("kind_auc", "kind_loss", "loss", "price_loss", "price_mae", "price_mae_1"), new ArrayList<>(r.keySet()));
        Model p = new Model(in, price);
        p.compile("adam", "mse", "mae");
        assertEquals(p.evaluateAll(List.of(x), List.of(yp), 4, null).get("mae"), r.get("price_mae"), 1e-12);
        assertEquals(one.get("auc"), r.get("kind_auc"), 1e-12);

        // a flat list stays on every output, as jrnn always did (tf.keras 2's rule)
        m.compile("adam", List.of("mse", "binary_crossentropy"), "mae");
        assertEquals(List.of("price_mae", "kind_mae"), m.metricKeys());
        assertEquals(List.of("mae"), m.metricNames());
    }

    /** weighted_metrics per output by name, weighed by per-output sample weights; an unweighted output gets its unweighted value. */
    @Test
    void weightedMetricsPerOutput() {
        Model m = both();
        m.compile("adam", List.of("mse", "binary_crossentropy"), Map.of("price", List.of("mae")),
                WeightedMetrics.of(List.of(List.of("mae"), List.of("accuracy"))));
        assertEquals(List.of("price_mae", "price_weighted_mae", "kind_accuracy"), m.metricKeys());
        Map<String, Double> r = m.evaluateAll(List.of(x), List.of(yp, yk), 4, null, Arrays.asList(w, null));
        Model p = new Model(in, price);
        p.compile("adam", "mse", "mae", WeightedMetrics.of("mae"));
        Map<String, Double> one = p.evaluateAll(List.of(x), List.of(yp), 4, null, w);
        assertEquals(one.get("mae"), r.get("price_mae"), 1e-12);
        assertEquals(one.get("weighted_mae"), r.get("price_weighted_mae"), 1e-12);
        assertTrue(Math.abs(r.get("price_mae") - r.get("price_weighted_mae")) > 1e-4, "the weights change it");
        Model k = new Model(in, kind);
        k.compile("adam", "binary_crossentropy", "accuracy");
        assertEquals(k.evaluateAll(List.of(x), List.of(yk), 4, null).get("accuracy"), r.get("kind_accuracy"), 1e-12);
        // one tensor for every output weighs both, as Keras repeats the one sample_weight
        r = m.evaluateAll(List.of(x), List.of(yp, yk), 4, null, w);
        assertEquals(one.get("weighted_mae"), r.get("price_weighted_mae"), 1e-12);
        k.compile("adam", "binary_crossentropy", WeightedMetrics.of("accuracy"));
        assertEquals(k.evaluateAll(List.of(x), List.of(yk), 4, null, w).get("accuracy"), r.get("kind_accuracy"), 1e-12);
        // testOnBatch and trainOnBatch's logs: the same metrics on one batch
        Map<String, Double> b = m.testOnBatch(List.of(x), List.of(yp, yk), w);
        assertEquals(r.get("price_weighted_mae"), b.get("price_weighted_mae"), 1e-6);
    }

    /** fit's History and validation logs, EarlyStopping's monitor mode "auto" and CSVLogger's columns under Keras 3's keys. */
    @Test
    void fitCallbacksAndCsvLogThem() throws Exception {
        Model m = both();
        m.compile("adam", List.of("mse", "binary_crossentropy"), Map.of("kind", List.of("auc")), WeightedMetrics.of(Map.of("price", "mae")));
        assertTrue(EarlyStopping.maximizes("auto", "val_kind_auc", m));
        assertFalse(EarlyStopping.maximizes("auto", "val_price_mae", m));
        Path csv = Files.createTempFile("jrnn-metrics", ".csv");
        try {
            EarlyStopping stop = new EarlyStopping().monitor("val_kind_auc").patience(5);
            History h = m.fit(List.of(x), List.of(yp, yk), new FitOptions().epochs(2).batchSize(4).verbose(0).validationSplit(0.4)
                    .sampleWeight(w).callbacks(stop, new CSVLogger(csv)));
            assertEquals(List.of("kind_auc", "kind_loss", "loss", "price_loss", "price_mae", "val_kind_auc", "val_kind_loss", "val_loss",
                    "val_price_loss", "val_price_mae"), new ArrayList<>(h.history().keySet()));
            assertEquals(2, h.get("val_kind_auc").size(), "EarlyStopping found its monitor");
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            m.fit(List.of(x), List.of(yp, yk), new FitOptions().epochs(1).batchSize(4).verbose(2).validationSplit(0.4).sampleWeight(w)
                    .out(new java.io.PrintStream(out, true, StandardCharsets.UTF_8)));
            String line = out.toString(StandardCharsets.UTF_8);
            assertTrue(line.contains(" - kind_auc: ") && line.contains(" - price_mae: ") && line.contains(" - val_kind_auc: "), line);
            String header = Files.readAllLines(csv).get(0);
            assertEquals("epoch,kind_auc,kind_loss,loss,price_loss,price_mae,val_kind_auc,val_kind_loss,val_loss,val_price_loss,val_price_mae",
                    header);
        } finally {
            Files.deleteIfExists(csv);
        }
    }

    /** A saved model's compile_config keeps both arguments in their form; loading compiles them back, logs alike. */
    @Test
    void theCompileConfigKeepsTheirForms() throws Exception {
        Model m = both();
        m.compile("adam", List.of("mse", "binary_crossentropy"), Map.of("kind", List.of("auc", "accuracy")),
                WeightedMetrics.of(List.of(List.of("mae"), List.of())));
        assertEquals(Map.of("kind", List.of("auc", "accuracy")), compileConfig(m).get("metrics"));
        assertEquals(List.of(List.of("mae"), List.of()), compileConfig(m).get("weighted_metrics"));
        // the every-output form as one list per output, which Keras 3 reads the same way; it reads back as given
        Model flat = both();
        flat.compile("adam", List.of("mse", "binary_crossentropy"), "mae", "mse");
        Map<String, Object> cc = compileConfig(flat);
        assertEquals(List.of(List.of("mae", "mse"), List.of("mae", "mse")), cc.get("metrics"));
        assertFalse(cc.containsKey("weighted_metrics"), "none given: none written");
        flat.compile("adam", List.of("mse", "binary_crossentropy"));
        assertEquals(List.of(), compileConfig(flat).get("metrics"), "no metrics: an empty list, as before");
    }

    /** Saves {@code m}, checks the loaded model compiles its metrics back to the same keys and logs, and returns its compile_config. */
    @SuppressWarnings("unchecked")
    private Map<String, Object> compileConfig(Model m) throws Exception {
        Path dir = Files.createTempDirectory("jrnn-metrics");
        Path file = dir.resolve("m.keras");
        try {
            m.save(file);
            try (Model back = Models.load(file)) {
                assertEquals(m.metricKeys(), back.metricKeys());
                assertEquals(m.metricNames(), back.metricNames());
                assertEquals(m.evaluateAll(List.of(x), List.of(yp, yk), 4, null, w), back.evaluateAll(List.of(x), List.of(yp, yk), 4, null, w));
            }
            try (ZipFile z = new ZipFile(file.toFile())) {
                String cfg = new String(z.getInputStream(z.getEntry("config.json")).readAllBytes(), StandardCharsets.UTF_8);
                return (Map<String, Object>) ((Map<String, Object>) Json.parse(cfg)).get("compile_config");
            }
        } finally {
            Files.deleteIfExists(file);
            Files.deleteIfExists(dir);
        }
    }

    /**
     * "accuracy" / "acc" on an output compiled without a loss, against Keras 3.15.1 (loss_less_accuracy/
     * make_loss_less_accuracy.py): Keras resolves it from the targets' shape, so class indices (n) or (n, 1) against three
     * columns read as sparse categorical accuracy and one-hot targets as categorical accuracy; so does a Keras-saved
     * .keras of the model, evaluated in memory and from a Dataset (jrnn refused the indices before).
     */
    @Test
    void accuracyWithoutALossResolvesFromTheTargetsShape() throws Exception {
        Map<?, ?> g = lossLessGoldens();
        Tensor xs = golden(g.get("x")), ya = golden(g.get("y_a")), yi = golden(g.get("y_b"));
        int n = yi.dim(0);
        float[] onehot = new float[n * 3];
        for (int i = 0; i < n; i++) onehot[i * 3 + (int) yi.data()[i]] = 1;
        Map<String, Tensor> yb = Map.of("indices", yi, "column", yi.reshape(n, 1), "onehot", Tensor.of(onehot, n, 3));
        for (Map.Entry<?, ?> e : ((Map<?, ?>) g.get("cases")).entrySet()) {
            Map<?, ?> c = (Map<?, ?>) e.getValue();
            String metric = (String) c.get("metric");
            Tensor y = yb.get((String) c.get("y_b"));
            Model m;
            if (e.getKey().equals("loaded_keras_file")) {
                Path file = Path.of(CompileMetricsTest.class.getResource("loss_less_accuracy/loss_less.keras").toURI());
                m = Models.load(file);
                assertKeras(e.getKey() + " (Dataset)", (Map<?, ?>) c.get("keras"), m.evaluateAll(
                        dev.jrnn.data.Dataset.fromTensors(List.of(xs), List.of(ya, y)).batch(5)));
            } else {
                Jrnn.clearSession();
                Input i = Input.shape(3);
                m = new Model(i, List.of(new Dense(1).activation("sigmoid").name("a").apply(i), new Dense(3).activation("softmax").name("b").apply(i)));
                List<Tensor> ws = new ArrayList<>();
                for (Object t : (List<?>) g.get("weights")) ws.add(golden(t));
                m.setWeights(ws);
                m.compile("sgd", Arrays.asList("binary_crossentropy", null), List.of(List.of(metric), List.of(metric)));
            }
            assertKeras((String) e.getKey(), (Map<?, ?>) c.get("keras"), m.evaluateAll(List.of(xs), List.of(ya, y), 5, null));
        }
    }

    /**
     * The same loss-less "accuracy" in a fit on class indices (n) validated on class indices (n, 1), as a weighted metric
     * with sample weights (0 on two rows), and on a sequence output (n, 4, 3) with class indices (n, 4), against Keras
     * 3.15.1 (make_loss_less_accuracy.py).
     */
    @Test
    void accuracyWithoutALossInFitWeightedAndOnSequences() throws Exception {
        Map<?, ?> g = lossLessGoldens();
        Tensor xs = golden(g.get("x")), ya = golden(g.get("y_a")), yi = golden(g.get("y_b")), sw = golden(g.get("sample_weight"));
        int n = yi.dim(0);
        List<Tensor> ws = new ArrayList<>();
        for (Object t : (List<?>) g.get("weights")) ws.add(golden(t));

        Jrnn.clearSession();
        Input i = Input.shape(3);
        Model m = new Model(i, List.of(new Dense(1).activation("sigmoid").name("a").apply(i), new Dense(3).activation("softmax").name("b").apply(i)));
        m.setWeights(ws);
        m.compile("sgd", Arrays.asList("binary_crossentropy", null), List.of(List.of("accuracy"), List.of("accuracy")));
        dev.jrnn.model.History h = m.fit(List.of(xs), List.of(ya, yi), new FitOptions().epochs(2).batchSize(5).verbose(0).shuffle(false)
                .validationData(List.of(xs), List.of(ya, yi.reshape(n, 1))));
        Map<?, ?> fit = (Map<?, ?>) g.get("fit_validation");
        assertEquals(new java.util.TreeSet<>(fit.keySet()), new java.util.TreeSet<>(h.history().keySet()), "fit: keys");
        for (Map.Entry<?, ?> e : fit.entrySet()) {
            List<?> want = (List<?>) e.getValue();
            for (int ep = 0; ep < want.size(); ep++) {
                assertEquals(((Number) want.get(ep)).doubleValue(), h.get((String) e.getKey()).get(ep), 2e-6, "fit " + e.getKey() + " epoch " + ep);
            }
        }

        Jrnn.clearSession();
        i = Input.shape(3);
        m = new Model(i, List.of(new Dense(1).activation("sigmoid").name("a").apply(i), new Dense(3).activation("softmax").name("b").apply(i)));
        m.setWeights(ws);
        m.compile("sgd", Arrays.asList("binary_crossentropy", null), List.of(List.of(), List.of("accuracy")),
                WeightedMetrics.of(List.of(List.of(), List.of("accuracy"))));
        assertKeras("weighted", (Map<?, ?>) g.get("weighted"), m.evaluateAll(List.of(xs), List.of(ya, yi), 5, null, List.of(sw, sw)));

        Jrnn.clearSession();
        Input s = Input.shape(4, 3);
        m = new Model(s, List.of(new Dense(3).activation("softmax").name("s").apply(s), new Dense(1).name("v").apply(s)));
        m.setWeights(List.of(ws.get(2), ws.get(3), ws.get(0), ws.get(1)));
        m.compile("sgd", Arrays.asList(null, "mse"), List.of(List.of("accuracy"), List.of()));
        assertKeras("sequence", (Map<?, ?>) g.get("sequence"),
                m.evaluateAll(List.of(golden(g.get("x_seq"))), List.of(golden(g.get("y_seq")), golden(g.get("y_v"))), 5, null));
    }

    private static void assertKeras(Object what, Map<?, ?> keras, Map<String, Double> got) {
        assertEquals(new java.util.TreeSet<>(keras.keySet()), new java.util.TreeSet<>(got.keySet()), what + ": keys");
        for (Map.Entry<?, ?> k : keras.entrySet()) {
            assertEquals(((Number) k.getValue()).doubleValue(), got.get(k.getKey()), 2e-6, what + " " + k.getKey());
        }
    }

    private static Map<?, ?> lossLessGoldens() throws Exception {
        try (java.io.InputStream s = CompileMetricsTest.class.getResourceAsStream("loss_less_accuracy/loss_less_accuracy.json")) {
            return (Map<?, ?>) Json.parse(new String(s.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    private static Tensor golden(Object o) {
        Map<?, ?> a = (Map<?, ?>) o;
        List<?> shape = (List<?>) a.get("shape"), data = (List<?>) a.get("data");
        float[] v = new float[data.size()];
        for (int i = 0; i < v.length; i++) v[i] = ((Number) data.get(i)).floatValue();
        return Tensor.of(v, shape.stream().mapToInt(d -> ((Number) d).intValue()).toArray());
    }
}
