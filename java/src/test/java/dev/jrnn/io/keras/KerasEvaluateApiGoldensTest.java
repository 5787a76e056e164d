package dev.jrnn.io.keras;

import dev.jrnn.Jrnn;
import dev.jrnn.data.Dataset;
import dev.jrnn.io.Json;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.Node;
import dev.jrnn.losses.EpochMetric;
import dev.jrnn.model.BatchLogs;
import dev.jrnn.model.Callback;
import dev.jrnn.model.FitOptions;
import dev.jrnn.model.FitParams;
import dev.jrnn.model.History;
import dev.jrnn.model.Input;
import dev.jrnn.model.Model;
import dev.jrnn.model.Sequential;
import dev.jrnn.model.WeightedMetrics;
import dev.jrnn.optim.SGD;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Keras 3.15.1's evaluate / predict API (make_training_goldens.py's "evaluate_api", jax backend, seeded): evaluate's
 * {@code return_dict=False} list order on one and two outputs (repeated names, weighted metrics, an F1 array, an output
 * without a loss), test_on_batch's list; {@code stop_evaluating} / {@code stop_predicting} set in each hook, and in fit's
 * validation; {@code steps} (fewer batches, more than the data has, across a repeat) with the callbacks' params; the
 * verbose Keras hands its callbacks.
 */
class KerasEvaluateApiGoldensTest {
    private static final Map<?, ?> G = load();
    private static final Map<?, ?> API = (Map<?, ?>) G.get("evaluate_api");

    @SuppressWarnings("unchecked")
    private static Map<String, Object> load() {
        try (InputStream in = KerasEvaluateApiGoldensTest.class.getResourceAsStream("keras3_training/training_goldens.json")) {
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

    private static Tensor tensor(Object a) {
        Map<?, ?> m = (Map<?, ?>) a;
        List<?> shape = (List<?>) m.get("shape"), data = (List<?>) m.get("data");
        float[] v = new float[data.size()];
        for (int i = 0; i < v.length; i++) v[i] = ((Number) data.get(i)).floatValue();
        return Tensor.of(v, shape.stream().mapToInt(s -> ((Number) s).intValue()).toArray());
    }

    private static Tensor fitData(String key) { return tensor(map(G, "fit_data").get(key)); }

    private static void near(double expected, double got, String what) {
        assertEquals(expected, got, 2e-5 * Math.max(1, Math.abs(expected)), what);
    }

    private static void near(Tensor expected, Tensor got, String what) {
        assertEquals(Arrays.toString(expected.shape()), Arrays.toString(got.shape()), what + " shape");
        for (int i = 0; i < expected.size(); i++) near(expected.data()[i], got.data()[i], what + "[" + i + "]");
    }

    /** Every value Keras' dict gave, by key (an array under key_0, key_1, ... in jrnn). */
    private static void sameLogs(Map<?, ?> keras, Map<String, Double> got, String what) {
        int n = 0;
        for (Map.Entry<?, ?> e : keras.entrySet()) {
            String k = (String) e.getKey();
            if (e.getValue() instanceof List<?> l) {
                for (int i = 0; i < l.size(); i++, n++) near(((Number) l.get(i)).doubleValue(), got.get(k + "_" + i), what + " " + k + "_" + i);
            } else {
                assertTrue(got.containsKey(k), what + ": " + k + " in " + got.keySet());
                near(((Number) e.getValue()).doubleValue(), got.get(k), what + " " + k);
                n++;
            }
        }
        assertEquals(n, got.size(), what + ": jrnn's keys " + got.keySet());
    }

    /** Keras' list with an array value spread in place, as jrnn's list holds it. */
    private static List<Double> flat(Object kerasList) {
        List<Double> r = new ArrayList<>();
        if (kerasList instanceof Number n) return List.of(n.doubleValue());
        for (Object v : (List<?>) kerasList) {
            if (v instanceof List<?> l) for (Object x : l) r.add(((Number) x).doubleValue());
            else r.add(((Number) v).doubleValue());
        }
        return r;
    }

    private static List<Tensor> init() {
        List<Tensor> init = new ArrayList<>();
        for (Object t : list(map(G, "fit_data"), "init")) init.add(tensor(t));
        return init;
    }

    /** The generator's Dense(4, tanh) then Dense(3, softmax), with its initial weights. */
    private static Sequential plain() {
        Sequential m = new Sequential(new Dense(4).activation("tanh").inputShape(3), new Dense(3).activation("softmax"));
        m.build(3);
        m.setWeights(init());
        return m;
    }

    /** The generator's fit_model(): {@link #plain()} compiled with accuracy and the weighted metric "wce". */
    private static Sequential fitModel() {
        Sequential m = plain();
        m.compile(new SGD(0.3), "sparse_categorical_crossentropy", "accuracy",
                WeightedMetrics.of(EpochMetric.deserialize(Map.of("class_name", "SparseCategoricalCrossentropy", "config", Map.of("name", "wce")))));
        return m;
    }

    /** The generator's two_outputs(): a (Dense(2)) and b (Dense(3), softmax) over a shared Dense(4). */
    private static Model twoOutputs() {
        Input in = Input.shape(3);
        Node h = new Dense(4).activation("tanh").name("h").apply(in);
        Model m = new Model(in, List.of(new Dense(2).name("a").apply(h), new Dense(3).activation("softmax").name("b").apply(h)));
        List<Tensor> init = init();
        List<?> ai = list(map(G, "two_outputs"), "init_a");
        m.setWeights(List.of(init.get(0), init.get(1), tensor(ai.get(0)), tensor(ai.get(1)), init.get(2), init.get(3)));
        return m;
    }

    static Stream<String> lists() { return list(API, "lists").stream().map(c -> (String) ((Map<?, ?>) c).get("id")); }

    private static Map<?, ?> find(String section, String id) {
        for (Object c : list(API, section)) if (id.equals(((Map<?, ?>) c).get("id"))) return (Map<?, ?>) c;
        throw new AssertionError(id);
    }

    /**
     * evaluate(x, y) with Keras' default return_dict=False: "loss", the metrics named as given (one output: compile order,
     * a repeated name read twice, the weighted ones after), the outputs' losses, then the other keys sorted.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("lists")
    void evaluateListsInKerasOrder(String id) throws IOException {
        Map<?, ?> c = find("lists", id);
        Tensor x = fitData("x"), y = fitData("y");
        Model m;
        List<Tensor> ys;
        if (id.startsWith("two_")) {
            m = twoOutputs();
            SGD sgd = new SGD(0.2);
            String sce = "sparse_categorical_crossentropy";
            switch (id) {
                case "two_losses" -> m.compile(sgd, List.of("mse", sce));
                case "two_metrics" -> m.compile(sgd, List.of("mse", sce), List.of(List.of("mae"), List.of("accuracy")));
                case "two_dict" -> m.compile(sgd, Map.of("b", sce, "a", "mse"), Map.of("b", List.of("accuracy"), "a", List.of("mae", "mse")));
                case "two_none_loss" -> m.compile(sgd, Arrays.asList(null, sce), List.of(List.of("mae"), List.of("accuracy")));
                case "two_weighted" -> m.compile(sgd, List.of("mse", sce), List.of(List.of("mae"), List.of("accuracy")),
                        WeightedMetrics.of(List.of(List.of("mse"), List.of("accuracy"))));
                default -> throw new AssertionError(id);
            }
            ys = List.of(tensor(map(G, "two_outputs").get("ya")), y);
        } else {
            m = plain();
            String sce = "sparse_categorical_crossentropy";
            switch (id) {
                case "loss_only" -> m.compile(new SGD(0.3), sce);
                case "metrics" -> m.compile(new SGD(0.3), sce, "accuracy", sce);
                case "weighted_repeat" -> m.compile(new SGD(0.3), sce, sce, "accuracy", WeightedMetrics.of("accuracy", "sparse_categorical_accuracy"));
                case "repeat" -> m.compile(new SGD(0.3), sce, "accuracy", "accuracy");
                case "f1" -> m.compile(new SGD(0.3), "categorical_crossentropy", "accuracy", "f1_score");
                default -> throw new AssertionError(id);
            }
            ys = List.of(id.equals("f1") ? tensor(API.get("y_onehot")) : y);
        }
        Map<String, Double> logs = m.evaluateAll(List.of(x), ys, 4, null);
        sameLogs(map(c, "dict"), logs, id + " evaluate's dict");
        List<Double> want = flat(c.get("list")), got = m.kerasList(logs);
        assertEquals(want.size(), got.size(), id + ": Keras " + want + ", jrnn " + got + " " + m.kerasListKeys(logs));
        for (int i = 0; i < want.size(); i++) near(want.get(i), got.get(i), id + " list[" + i + "] (" + m.kerasListKeys(logs).get(i) + ")");
        assertEquals(got.size(), m.kerasListKeys(logs).size(), id + " a key per value");
        assertEquals(kerasKeys(c, "keys"), m.kerasListKeys(logs), id + ": Keras' list order, by key (equal values cannot hide a swap)");
        List<Double> direct = m.evaluateList(List.of(x), ys);   // batches of 32: the same means
        for (int i = 0; i < want.size(); i++) near(want.get(i), direct.get(i), id + " evaluateList[" + i + "]");
        List<Double> viaDataset = m.evaluateList(ys.size() == 1 ? Dataset.fromTensors(x, ys.get(0)).batch(4) : Dataset.fromTensors(List.of(x), ys).batch(4));
        for (int i = 0; i < want.size(); i++) near(want.get(i), viaDataset.get(i), id + " evaluateList(Dataset)[" + i + "]");
        if (c.containsKey("test_on_batch")) {
            Tensor x4 = Tensor.of(Arrays.copyOf(x.data(), 12), 4, 3), y4 = Tensor.of(Arrays.copyOf(y.data(), 4), 4);
            List<Double> tob = m.kerasList(m.testOnBatch(List.of(x4), List.of(y4)));
            List<Double> k = flat(c.get("test_on_batch"));
            assertEquals(k.size(), tob.size(), id + " test_on_batch");
            for (int i = 0; i < k.size(); i++) near(k.get(i), tob.get(i), id + " test_on_batch[" + i + "]");
            assertEquals(kerasKeys(c, "test_on_batch_keys"), m.kerasListKeys(m.testOnBatch(List.of(x4), List.of(y4))), id + " test_on_batch's order");
        }
    }

    /**
     * The log key of each position of Keras' list (its own _flatten_metrics_in_order run on the names), an array value's
     * (F1 per class) spread as jrnn names its run: f1_score_0, f1_score_1, ...
     */
    private static List<String> kerasKeys(Map<?, ?> c, String field) {
        Map<?, ?> dict = map(c, "dict");
        List<String> out = new ArrayList<>();
        for (Object k : list(c, field)) {
            if (dict.get(k) instanceof List<?> v) for (int i = 0; i < v.size(); i++) out.add(k + "_" + i);
            else out.add((String) k);
        }
        return out;
    }

    /** Records every test / predict hook with its index, and sets the model's stop flag in one of them. */
    private static final class Stopper implements Callback {
        final List<List<Object>> seen = new ArrayList<>();
        final String hook;
        final Integer at;

        Stopper(String hook, Integer at) {
            this.hook = hook;
            this.at = at;
        }

        private void log(String h, Integer i, Model m) {
            seen.add(Arrays.asList(h, i));
            if (h.equals("on_" + hook) && (at == null || at.equals(i))) {
                if (h.contains("test")) m.stopEvaluating(true);
                else m.stopPredicting(true);
            }
        }

        @Override public void setParams(FitParams p) { seen.add(Arrays.asList("set_params", null)); }
        @Override public void onTestBegin(Model m) { log("on_test_begin", null, m); }
        @Override public void onTestBatchBegin(int b, Model m) { log("on_test_batch_begin", b, m); }
        @Override public void onTestBatchEnd(int b, BatchLogs logs, Model m) { log("on_test_batch_end", b, m); }
        @Override public void onTestEnd(Map<String, Double> logs, Model m) { log("on_test_end", null, m); }
        @Override public void onPredictBegin(Model m) { log("on_predict_begin", null, m); }
        @Override public void onPredictBatchBegin(int b, Model m) { log("on_predict_batch_begin", b, m); }
        @Override public void onPredictBatchEnd(int b, List<Tensor> outputs, Model m) { log("on_predict_batch_end", b, m); }
        @Override public void onPredictEnd(Model m) { log("on_predict_end", null, m); }
    }

    static Stream<String> stops() {
        return list(API, "stops").stream().map(c -> (String) ((Map<?, ?>) c).get("id")).filter(id -> !id.equals("fit_validation"));
    }

    /**
     * Keras 3's stop_evaluating / stop_predicting, set in a hook: the call ends after the batch in progress (set in
     * on_test_begin: after the first), runs its end hook, returns what the batches run gave, and leaves the flag set.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("stops")
    void stopFlagsEndEvaluateAndPredictAsKeras(String id) {
        Map<?, ?> c = find("stops", id);
        Sequential m = fitModel();
        Number at = (Number) c.get("at");
        String hook = id.substring(id.indexOf('_') + 1);
        Stopper cb = new Stopper(hook, at == null ? null : at.intValue());
        Tensor x = fitData("x"), y = fitData("y");
        boolean evaluate = id.startsWith("evaluate");
        Object r = evaluate ? m.evaluateAll(List.of(x), List.of(y), 4, null, null, cb) : m.predictAll(List.of(x), 4, null, cb).get(0);
        List<String> want = list(c, "hooks").stream().map(String::valueOf).toList();
        assertEquals(want, cb.seen.stream().map(String::valueOf).toList(), id + " hooks");
        if (evaluate) {
            @SuppressWarnings("unchecked") Map<String, Double> logs = (Map<String, Double>) r;
            sameLogs(map(c, "result"), logs, id);
        } else {
            near(tensor(c.get("result")), (Tensor) r, id);
        }
        assertEquals(c.get("flag_after"), evaluate ? m.stopEvaluating() : m.stopPredicting(), id + ": the flag stays set, as Keras'");
        // the next call clears it first, as Keras' evaluate / predict do
        Object again = evaluate ? m.evaluateAll(List.of(x), List.of(y), 4, null) : m.predictAll(List.of(x), 4, null).get(0);
        if (evaluate) near(num(find("steps", "evaluate_5_of_3"), "loss"), (Double) ((Map<?, ?>) again).get("loss"), id + " a full evaluate after (Keras' 10 samples)");
        else assertEquals(10, ((Tensor) again).dim(0), id + " full predict after");
    }

    private static double num(Map<?, ?> c, String key) { return ((Number) map(c, "result").get(key)).doubleValue(); }

    /** fit's validation is Keras' evaluate: stop_evaluating set at its first batch's end leaves that batch's val_ values. */
    @Test
    void stopEvaluatingEndsFitsValidationAsKeras() {
        Map<?, ?> c = find("stops", "fit_validation");
        Sequential m = fitModel();
        Tensor x = fitData("x"), y = fitData("y");
        History h = m.fit(x, y, new FitOptions().epochs(2).batchSize(4).shuffle(false).verbose(0).validationData(x, y)
                .callbacks(new Stopper("test_batch_end", 0)));
        Map<?, ?> kh = map(c, "history");
        assertEquals(List.copyOf(kh.keySet()), List.copyOf(h.history().keySet()));
        for (Map.Entry<?, ?> e : kh.entrySet()) {
            List<?> v = (List<?>) e.getValue();
            for (int i = 0; i < v.size(); i++) near(((Number) v.get(i)).doubleValue(), h.get((String) e.getKey()).get(i), e.getKey() + " of epoch " + i);
        }
    }

    /** Records setParams. */
    private static final class Params implements Callback {
        FitParams params;

        @Override public void setParams(FitParams p) { params = p; }
    }

    static Stream<String> steps() { return list(API, "steps").stream().map(c -> (String) ((Map<?, ?>) c).get("id")); }

    /**
     * Keras' steps over a data set: the first n batches, all of them where it has fewer (the params still say n, as
     * Keras'), across the passes of a repeated one; predict joins the batches' outputs.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("steps")
    void stepsOverADatasetAsKeras(String id) throws IOException {
        Map<?, ?> c = find("steps", id);
        Sequential m = fitModel();
        Tensor x = fitData("x"), y = fitData("y");
        Params p = new Params();
        int steps = Integer.parseInt(id.replaceAll("\\D+", " ").trim().split(" ")[0]);
        boolean repeat = id.contains("repeat");
        if (id.startsWith("evaluate")) {
            Dataset ds = Dataset.fromTensors(x, y).batch(4);
            Map<String, Double> logs = m.evaluateAll(repeat ? ds.repeat() : ds, steps, p);
            sameLogs(map(c, "result"), logs, id);
            sameLogs(map(c, "result"), m.evaluateAll(repeat ? ds.repeat() : ds, steps), id + " without callbacks");
        } else {
            Dataset ds = Dataset.fromTensors(x, null).batch(4);
            near(tensor(c.get("result")), m.predictAll(repeat ? ds.repeat() : ds, steps).get(0), id);
            List<Tensor> sunk = new ArrayList<>();
            long rows = m.predict(repeat ? ds.repeat() : ds, steps, outs -> sunk.add(outs.get(0)), p);
            assertEquals(tensor(c.get("result")).dim(0), rows, id + " rows");
            assertEquals(steps, sunk.size(), id + " the sink's batches");
        }
        Map<?, ?> kp = map(c, "params");
        assertEquals(new FitParams(((Number) kp.get("verbose")).intValue(), ((Number) kp.get("epochs")).intValue(),
                ((Number) kp.get("steps")).intValue()), p.params, id + " params");
    }

    /** Python's repr of Keras' params dict, as FitParams prints it. */
    private static String repr(Map<?, ?> kp) {
        StringBuilder b = new StringBuilder("{");
        for (Map.Entry<?, ?> e : kp.entrySet()) {
            if (b.length() > 1) b.append(", ");
            Object v = e.getValue();
            b.append('\'').append(e.getKey()).append("': ").append(v instanceof String s ? "'" + s + "'" : v == null ? "None" : String.valueOf(v));
        }
        return b.append('}').toString();
    }

    /**
     * The verbose Keras 3.15.1 hands fit's callbacks and keeps in history.params: as given, "auto" by default. Keras'
     * evaluate and predict hand theirs on too; jrnn's draw no progress bar and say 0 (the golden with verbose=0 agrees).
     */
    @Test
    void fitParamsVerboseAsKeras() throws IOException {
        PrintStream none = new PrintStream(java.io.OutputStream.nullOutputStream());
        Tensor x = fitData("x"), y = fitData("y");
        for (Object o : list(API, "params")) {
            Object verbose = ((Map<?, ?>) o).get("verbose");
            Map<?, ?> seen = map(o, "seen");
            Sequential m = fitModel();
            FitOptions opts = new FitOptions().epochs(1).batchSize(4).shuffle(false).out(none);
            if (verbose instanceof Number n) opts.verbose(n.intValue());
            Params p = new Params();
            History h = m.fit(x, y, opts.callbacks(p));
            assertEquals(repr(map(seen, "fit")), p.params.toString(), verbose + ": fit's params");
            assertEquals(repr(map(seen, "history")), h.params().toString(), verbose + ": history.params");
            assertEquals(verbose instanceof Number n ? n.intValue() : 1, p.params.verbose(), verbose + ": the level");
            if (verbose instanceof Number n && n.intValue() == 0) {
                Params e = new Params(), pr = new Params();
                m.evaluateAll(List.of(x), List.of(y), 4, null, null, e);
                m.predictAll(List.of(x), 4, null, pr);
                assertEquals(repr(map(seen, "evaluate")), e.params.toString(), "evaluate's params");
                assertEquals(repr(map(seen, "predict")), pr.params.toString(), "predict's params");
            }
        }
        assertEquals(new FitOptions().verbose(2).verbose("auto").toString(), new FitOptions().toString(), "auto is the default");
    }
}
