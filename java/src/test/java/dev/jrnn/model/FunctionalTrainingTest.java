package dev.jrnn.model;

import dev.jrnn.Jrnn;
import dev.jrnn.layers.Add;
import dev.jrnn.layers.Concatenate;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.Embedding;
import dev.jrnn.layers.LSTM;
import dev.jrnn.layers.Node;
import dev.jrnn.layers.TimeDistributed;
import dev.jrnn.optim.SGD;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A Keras 3 user's multi-input / multi-output training, checked against Keras' semantics (compile_utils.CompileLoss and
 * CompileMetrics, losses.loss.apply_mask) with references computed by hand or in torch 1.13 (float64) from the same weights.
 */
class FunctionalTrainingTest {
    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }

    @BeforeEach
    void fresh() {
        Jrnn.clearSession();
        Jrnn.setSeed(7);
    }

    /** Inputs a (3,), b (2,); outputs d1 = Dense(1)(concat(a, b)), d2 = Dense(2)(a), with fixed weights. */
    static Model twoByTwo() {
        Input a = Input.shape(3).name("a"), b = Input.shape(2).name("b");
        Node o1 = new Dense(1).name("d1").apply(new Concatenate().name("cat").apply(a, b));
        Node o2 = new Dense(2).name("d2").apply(a);
        Model m = new Model(List.of(a, b), List.of(o1, o2));
        m.getLayer("d1").setWeights(List.of(Tensor.of(new float[] {0.1f, -0.2f, 0.3f, 0.4f, -0.5f}, 5, 1), Tensor.of(new float[] {0.05f}, 1)));
        m.getLayer("d2").setWeights(List.of(Tensor.of(new float[] {0.2f, -0.1f, 0.3f, 0.5f, -0.4f, 0.1f}, 3, 2), Tensor.of(new float[] {0, 0.1f}, 2)));
        return m;
    }

    static final List<Tensor> XS = List.of(Tensor.of(new float[] {1, 2, 3, -1, 0, 1, 0.5f, 0.5f, -2}, 3, 3),
            Tensor.of(new float[] {1, -1, 2, 0, 0.5f, 0.5f}, 3, 2));
    static final List<Tensor> YS = List.of(Tensor.of(new float[] {1, 0, -1}, 3, 1), Tensor.of(new float[] {1, 0, 0, 1, 1, 1}, 3, 2));
    // numpy: mse(d1) 0.5091667, mae(d1) 0.65, mse(d2) 0.8854167, mae(d2) 0.825
    static final double MSE1 = 0.5091666666666667, MAE1 = 0.65, MSE2 = 0.8854166666666666, MAE2 = 0.825;

    static void assertFloats(double[] want, Tensor got) {
        float[] g = got.toArray();
        assertEquals(want.length, g.length);
        for (int i = 0; i < want.length; i++) assertEquals(want[i], g[i], 1e-6, "element " + i);
    }

    /**
     * loss=["mse", "mae"], loss_weights=[1, 0.5], metrics=[["mae"], ["mse", "mae"]]: "loss" is the weighted sum, each
     * "<output>_loss" unweighted, each metric "<output>_<name>"; the SGD step follows the weighted total's gradient (torch).
     */
    @Test
    void lossListWeightsAndMetricsPerOutput() {
        Model m = twoByTwo();
        m.compile(new SGD(0.1), List.of("mse", "mae"), List.of(1.0, 0.5), List.of(List.of("mae"), List.of("mse", "mae")));
        assertEquals(List.of("d1_mae", "d2_mse", "d2_mae"), m.metricKeys());
        Map<String, Double> want = Map.of("loss", MSE1 + 0.5 * MAE2, "d1_loss", MSE1, "d2_loss", MAE2,
                "d1_mae", MAE1, "d2_mse", MSE2, "d2_mae", MAE2);
        assertLogs(want, m.testOnBatch(XS, YS));
        assertLogs(want, m.evaluateAll(XS, YS));
        assertLogs(want, m.trainOnBatchAll(XS, YS));   // the batch's logs before the update, as Keras' train_on_batch
        // torch 1.13, float64: W - 0.1 * d(mse1 + 0.5 * mae2)/dW
        assertFloats(new double[] {0.12166666666666666, -0.285, 0.16666666666666666, 0.21166666666666667, -0.475}, m.getLayer("d1").getWeights().get(0));
        assertFloats(new double[] {-0.08}, m.getLayer("d1").getWeights().get(1));
        assertFloats(new double[] {0.19583333333333333, -0.1125, 0.3125, 0.4875, -0.35, 0.06666666666666667}, m.getLayer("d2").getWeights().get(0));
        assertFloats(new double[] {0.008333333333333333, 0.10833333333333334}, m.getLayer("d2").getWeights().get(1));
    }

    /**
     * Keras' x as a dict keyed by the Input names ({@code fit/evaluate/predict(x={"a": ..., "b": ...})}): read in input
     * order whatever the map's order, a key no input has left unread (Keras' _standardize_inputs); the numpy references.
     */
    @Test
    void inputsByNameInFitEvaluateAndPredict() {
        Model m = twoByTwo();
        m.compile(new SGD(0.0), "mse", "mae");
        Map<String, Tensor> byName = new java.util.TreeMap<>(java.util.Comparator.reverseOrder());   // b before a
        byName.put("a", XS.get(0));
        byName.put("b", XS.get(1));
        byName.put("unused", Tensor.zeros(3, 7));
        Map<String, Double> want = Map.of("loss", MSE1 + MSE2, "d1_loss", MSE1, "d2_loss", MSE2, "d1_mae", MAE1, "d2_mae", MAE2);
        assertLogs(want, m.evaluateAll(byName, YS));
        List<Tensor> p = m.predictAll(byName), q = m.predictAll(XS);
        for (int k = 0; k < 2; k++) assertArrayEquals(q.get(k).toArray(), p.get(k).toArray());
        History h = m.fit(byName, YS, new FitOptions().epochs(1).batchSize(3).verbose(0).shuffle(false));
        for (Map.Entry<String, Double> e : want.entrySet()) assertEquals(e.getValue(), h.last(e.getKey()), 1e-6, e.getKey());
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> m.evaluateAll(Map.of("a", XS.get(0)), YS));
        assertEquals(m.name() + ".evaluate: x by input name needs the keys [a, b] (the Inputs' names), got [a], without [b]", e.getMessage());
    }

    /** The same dict of inputs in Keras' batch calls, {@code model(x)} and validation_data: train/test/predict_on_batch and call take it too. */
    @Test
    void inputsByNameInTheBatchCallsAndCall() {
        Model m = twoByTwo();
        m.compile(new SGD(0.0), "mse", "mae");
        Map<String, Tensor> byName = Map.of("b", XS.get(1), "a", XS.get(0), "unused", Tensor.zeros(3, 7));
        Map<String, Double> want = Map.of("loss", MSE1 + MSE2, "d1_loss", MSE1, "d2_loss", MSE2, "d1_mae", MAE1, "d2_mae", MAE2);
        assertLogs(want, m.testOnBatch(byName, YS));
        assertLogs(want, m.trainOnBatchAll(byName, YS));
        assertEquals(MSE1 + MSE2, m.trainOnBatch(byName, YS), 1e-6);
        List<Tensor> q = m.predictOnBatch(XS);
        for (List<Tensor> p : List.of(m.predictOnBatch(byName), m.callAll(byName, false))) {
            for (int k = 0; k < 2; k++) assertArrayEquals(q.get(k).toArray(), p.get(k).toArray());
        }
        // validation_data=({"a": ..., "b": ...}, y): the same val_ logs as the list (SGD(0): the weights stay)
        History h = m.fit(XS, YS, new FitOptions().epochs(1).batchSize(3).verbose(0).validationData(byName, YS));
        for (Map.Entry<String, Double> w : want.entrySet()) assertEquals(w.getValue(), h.last("val_" + w.getKey()), 1e-6, w.getKey());
        IllegalArgumentException v = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> m.fit(XS, YS, new FitOptions().epochs(1).verbose(0).validationData(Map.of("a", XS.get(0)), YS)));
        assertEquals(m.name() + ".fit (validation data): x by input name needs the keys [a, b] (the Inputs' names), got [a], without [b]", v.getMessage());
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> m.trainOnBatch(Map.of("b", XS.get(1)), YS));
        assertEquals(m.name() + ".trainOnBatch: x by input name needs the keys [a, b] (the Inputs' names), got [b], without [a]", e.getMessage());
    }

    /** The same compile by output name (loss, loss_weights and metrics dicts) logs the same values; one loss for all outputs too. */
    @Test
    void lossesAndMetricsByOutputNameOrOneForAll() {
        Model m = twoByTwo();
        m.compile(new SGD(0.1), Map.of("d1", "mse", "d2", "mae"), Map.of("d1", 1.0, "d2", 0.5), Map.of("d1", List.of("mae"), "d2", "mse"));
        assertLogs(Map.of("loss", MSE1 + 0.5 * MAE2, "d1_loss", MSE1, "d2_loss", MAE2, "d1_mae", MAE1, "d2_mse", MSE2), m.testOnBatch(XS, YS));
        Model one = twoByTwo();
        one.compile(new SGD(0.1), "mse", "mae");
        assertLogs(Map.of("loss", MSE1 + MSE2, "d1_loss", MSE1, "d2_loss", MSE2, "d1_mae", MAE1, "d2_mae", MAE2), one.testOnBatch(XS, YS));
        // an output left out of the metrics dict has none; an empty list per output the same
        Model partial = twoByTwo();
        partial.compile(new SGD(0.1), List.of("mse", "mse"), Map.of("d2", "mae"));
        assertEquals(List.of("d2_mae"), partial.metricKeys());
    }

    /**
     * sample_weight=[w1, w2] per output: each output's loss is sum(w * l) / batch (Keras' sum_over_batch_size); metrics
     * stay unweighted and weighted_metrics are sum(w * m) / sum(w) (numpy).
     */
    @Test
    void sampleWeightsPerOutputWeighLossesAndWeightedMetrics() {
        Model m = twoByTwo();
        m.compile(new SGD(0.1), List.of("mse", "mse"), Map.of("d2", List.of("mae")),
                WeightedMetrics.of(Map.of("d1", List.of("mae"), "d2", List.of("mae"))));
        List<Tensor> w = List.of(Tensor.of(new float[] {1, 0, 2}, 3), Tensor.of(new float[] {0, 1, 1}, 3));
        assertLogs(Map.of("loss", 0.1825 + 0.27708333333333335, "d1_loss", 0.1825, "d2_loss", 0.27708333333333335,
                "d1_mae", 0.41666666666666674, "d2_mae", MAE2, "d2_weighted_mae", 0.5625), m.testOnBatch(XS, YS, w));
    }

    /**
     * An intermediate node that is both an output and the input of another output: its layer's gradient is the sum of
     * both paths (hand-computed: x = I, h = W_h, o = h . w_o; mse on both).
     */
    @Test
    void aNodeThatIsAnOutputAndFeedsAnotherGetsBothGradients() {
        Input in = Input.shape(2);
        Node h = new Dense(2).name("h").apply(in);
        Model m = new Model(in, List.of(h, new Dense(1).name("o").apply(h)));
        m.getLayer("h").setWeights(List.of(Tensor.of(new float[] {1, 2, 3, 4}, 2, 2), Tensor.of(new float[2], 2)));
        m.getLayer("o").setWeights(List.of(Tensor.of(new float[] {0.5f, -1}, 2, 1), Tensor.of(new float[1], 1)));
        m.compile(new SGD(0.1), List.of("mse", "mse"));
        Tensor x = Tensor.of(new float[] {1, 0, 0, 1}, 2, 2);
        // h = [[1, 2], [3, 4]] vs 0: 7.5; o = [-1.5, -2.5] vs 1: 9.25
        assertLogs(Map.of("loss", 16.75, "h_loss", 7.5, "o_loss", 9.25),
                m.trainOnBatchAll(List.of(x), List.of(Tensor.of(new float[4], 2, 2), Tensor.of(new float[] {1, 1}, 2, 1))));
        // dh = h / 2 + (o - 1) w_o^T = [[-0.75, 3.5], [-0.25, 5.5]]; dw_o = h^T (o - 1) = [-13, -19]
        assertFloats(new double[] {1.075, 1.65, 3.025, 3.45}, m.getLayer("h").getWeights().get(0));
        assertFloats(new double[] {0.1, -0.9}, m.getLayer("h").getWeights().get(1));
        assertFloats(new double[] {1.8, 0.9}, m.getLayer("o").getWeights().get(0));
        assertFloats(new double[] {0.6}, m.getLayer("o").getWeights().get(0 + 1));
    }

    /** fit's logs with loss_weights, a sample weight by output name and validation data (hand-computed, lr 0). */
    @Test
    void fitLogsWeightedTotalsUnweightedOutputLossesAndValidation() {
        Input in = Input.shape(2);
        Node h = new Dense(2).name("h").apply(in);
        Model m = new Model(in, List.of(h, new Dense(1).name("o").apply(h)));
        m.getLayer("h").setWeights(List.of(Tensor.of(new float[] {1, 2, 3, 4}, 2, 2), Tensor.of(new float[2], 2)));
        m.getLayer("o").setWeights(List.of(Tensor.of(new float[] {0.5f, -1}, 2, 1), Tensor.of(new float[1], 1)));
        m.compile(new SGD(0.0), List.of("mse", "mse"), List.of(2.0, 0.5), "mae");
        List<Tensor> xs = List.of(Tensor.of(new float[] {1, 0, 0, 1}, 2, 2));
        List<Tensor> ys = List.of(Tensor.of(new float[4], 2, 2), Tensor.of(new float[] {1, 1}, 2, 1));
        Map<String, Tensor> oOnly = new java.util.HashMap<>();   // h unweighted: a null value, as Keras' None (a map without h is refused)
        oOnly.put("h", null);
        oOnly.put("o", Tensor.of(new float[] {1, 3}, 2));
        History hist = m.fit(xs, ys, new FitOptions().epochs(1).batchSize(2).verbose(0).validationData(xs, ys).sampleWeight(oOnly));
        // o: squared errors 6.25, 12.25 weighted 1, 3 over 2 samples = 21.5; loss = 2 * 7.5 + 0.5 * 21.5
        Map<String, Double> want = Map.of("loss", 25.75, "h_loss", 7.5, "o_loss", 21.5, "h_mae", 2.5, "o_mae", 3.0,
                "val_loss", 19.625, "val_h_loss", 7.5, "val_o_loss", 9.25, "val_h_mae", 2.5, "val_o_mae", 3.0);
        assertEquals(new java.util.TreeSet<>(want.keySet()), new java.util.TreeSet<>(hist.history().keySet()));
        for (Map.Entry<String, Double> e : want.entrySet()) assertEquals(e.getValue(), hist.last(e.getKey()), 1e-5, e.getKey());
        // a null target trains no loss on that output and logs none for it
        List<Tensor> onlyO = new ArrayList<>();
        onlyO.add(null);
        onlyO.add(ys.get(1));
        assertLogs(Map.of("loss", 4.625, "o_mae", 3.0), m.evaluateAll(xs, onlyO));
    }

    /** Outputs h = Dense(2) (weights [[1, 2], [3, 4]], 0) and o = Dense(1)(h) ([0.5, -1], 0); a third, p = Dense(1)(h) ([1, 0], 0), when asked. */
    private static Model hAndO(boolean withP) {
        Input in = Input.shape(2);
        Node h = new Dense(2).name("h").apply(in);
        List<Node> outs = new ArrayList<>(List.of(h, new Dense(1).name("o").apply(h)));
        if (withP) outs.add(new Dense(1).name("p").apply(h));
        Model m = new Model(in, outs);
        m.getLayer("h").setWeights(List.of(Tensor.of(new float[] {1, 2, 3, 4}, 2, 2), Tensor.of(new float[2], 2)));
        m.getLayer("o").setWeights(List.of(Tensor.of(new float[] {0.5f, -1}, 2, 1), Tensor.of(new float[1], 1)));
        if (withP) m.getLayer("p").setWeights(List.of(Tensor.of(new float[] {1, 0}, 2, 1), Tensor.of(new float[1], 1)));
        return m;
    }

    /**
     * Keras 3's {@code compile(loss=[None, "mse"])}: the output without a loss adds nothing to the total and trains nothing
     * through it, logs no loss (CompileLoss skips None, and logs per-output losses only when two or more are left), and its
     * metrics are still computed from its target. jrnn refused a null loss before ("give every output a loss").
     */
    @Test
    void anOutputWithoutALossTrainsNothingAndLogsOnlyItsMetrics() {
        Model m = hAndO(false);
        m.compile(new SGD(0.1), java.util.Arrays.asList(null, "mse"), "mae");
        assertEquals(java.util.Arrays.asList(null, dev.jrnn.losses.Losses.mse()), m.losses());
        assertEquals(dev.jrnn.losses.Losses.mse(), m.loss());
        List<Tensor> xs = List.of(Tensor.of(new float[] {1, 0, 0, 1}, 2, 2));
        List<Tensor> ys = List.of(Tensor.of(new float[4], 2, 2), Tensor.of(new float[] {1, 1}, 2, 1));
        // h = [[1, 2], [3, 4]], o = [-1.5, -2.5]: loss = o's mse 9.25 alone (h's would be 7.5); mae h 2.5, o 3.0
        assertLogs(Map.of("loss", 9.25, "h_mae", 2.5, "o_mae", 3.0), m.trainOnBatchAll(xs, ys));
        // only o's gradient: do = o - 1 = [-2.5, -3.5]; dw_o = h^T do = [-13, -19]; dh = do w_o^T = [[-1.25, 2.5], [-1.75, 3.5]]
        assertFloats(new double[] {1.125, 1.75, 3.175, 3.65}, m.getLayer("h").getWeights().get(0));
        assertFloats(new double[] {0.3, -0.6}, m.getLayer("h").getWeights().get(1));
        assertFloats(new double[] {1.8, 0.9}, m.getLayer("o").getWeights().get(0));
        assertFloats(new double[] {0.6}, m.getLayer("o").getWeights().get(1));
        // a null target for it: no metrics for it either; fit logs the same keys
        Model f = hAndO(false);
        f.compile(new SGD(0.0), java.util.Arrays.asList(null, "mse"), "mae");
        List<Tensor> onlyO = java.util.Arrays.asList(null, ys.get(1));
        assertLogs(Map.of("loss", 9.25, "o_mae", 3.0), f.evaluateAll(xs, onlyO));
        History hist = f.fit(xs, ys, new FitOptions().epochs(1).batchSize(2).verbose(0).validationData(xs, onlyO));
        assertEquals(new java.util.TreeSet<>(List.of("h_mae", "loss", "o_mae", "val_loss", "val_o_mae")), new java.util.TreeSet<>(hist.history().keySet()));
        assertEquals(9.25, hist.last("val_loss"), 1e-5);
        // Keras 3 also takes y for the outputs with a loss only (as many as the losses that are not None)
        assertLogs(Map.of("loss", 9.25, "o_mae", 3.0), f.evaluateAll(xs, List.of(ys.get(1))));
        assertEquals(9.25, f.evaluate(xs.get(0), ys.get(1)), 1e-5);
        // a class-index metric on it reads its targets as class indices: argmax h = [1, 1] against [1, 0]
        Model g = hAndO(false);
        g.compile(new SGD(0.0), java.util.Arrays.asList(null, "mse"), Map.of("h", "sparse_categorical_accuracy"));
        assertLogs(Map.of("loss", 9.25, "h_sparse_categorical_accuracy", 0.5),
                g.evaluateAll(xs, List.of(Tensor.of(new float[] {1, 0}, 2, 1), ys.get(1))));
    }

    /**
     * Two outputs with a loss beside one without: each of the two logs {@code <output>_loss}, the one without none; its loss
     * weight counts for nothing; the Map form ({@code loss={"h": None, ...}}) is the same.
     */
    @Test
    void aNoneLossBesideTwoLossesByListAndByName() {
        List<Tensor> xs = List.of(Tensor.of(new float[] {1, 0, 0, 1}, 2, 2));
        List<Tensor> ys = List.of(Tensor.of(new float[4], 2, 2), Tensor.of(new float[] {1, 1}, 2, 1), Tensor.of(new float[] {1, 1}, 2, 1));
        // p = [1, 3]: mse 2.0; o's 9.25
        Model m = hAndO(true);
        m.compile(new SGD(0.0), java.util.Arrays.asList(null, "mse", "mse"), List.of(100.0, 1.0, 0.5));
        assertLogs(Map.of("loss", 9.25 + 0.5 * 2.0, "o_loss", 9.25, "p_loss", 2.0), m.evaluateAll(xs, ys));
        Map<String, Object> byName = new java.util.HashMap<>();
        byName.put("h", null);
        byName.put("o", "mse");
        byName.put("p", "mse");
        Model n = hAndO(true);
        n.compile("sgd", byName);
        assertEquals(java.util.Arrays.asList(null, dev.jrnn.losses.Losses.mse(), dev.jrnn.losses.Losses.mse()), n.losses());
        assertLogs(Map.of("loss", 11.25, "o_loss", 9.25, "p_loss", 2.0), n.evaluateAll(xs, ys));
    }

    /** A model compiled with a None loss saves it as Keras does ([null, ...] in compile_config) and loads compiled the same. */
    @Test
    void aNoneLossSurvivesSaveAndLoad(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        Model m = hAndO(false);
        m.compile(new SGD(0.0), java.util.Arrays.asList(null, "mse"), "mae");
        Path f = tmp.resolve("m.keras");
        m.save(f);
        String config;
        try (java.util.zip.ZipFile z = new java.util.zip.ZipFile(f.toFile())) {
            config = new String(z.getInputStream(z.getEntry("config.json")).readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        assertTrue(config.replace(" ", "").contains("\"loss\":[null,\"mean_squared_error\"]"), config);
        List<Tensor> xs = List.of(Tensor.of(new float[] {1, 0, 0, 1}, 2, 2));
        List<Tensor> ys = List.of(Tensor.of(new float[4], 2, 2), Tensor.of(new float[] {1, 1}, 2, 1));
        try (Model back = Models.load(f)) {
            assertEquals(java.util.Arrays.asList(null, dev.jrnn.losses.Losses.mse()), back.losses());
            assertLogs(Map.of("loss", 9.25, "h_mae", 2.5, "o_mae", 3.0), back.evaluateAll(xs, ys));
        }
    }

    /**
     * A masked sequence output beside an unmasked one: the masked loss is sum over valid steps / valid steps (Keras'
     * apply_mask), its metric the mean over valid steps; the other output's as usual (computed here from predict).
     */
    @Test
    void aMaskedSequenceOutputBesideAnUnmaskedOne() {
        Input in = Input.shape(4);
        Node s = new LSTM(2).returnSequences(true).apply(new Embedding(5, 2).maskZero(true).apply(in));
        Model m = new Model(in, List.of(new TimeDistributed(new Dense(1)).name("seq").apply(s), new LSTM(1).name("fin").apply(s)));
        m.compile(new SGD(0.0), List.of("mse", "mse"), List.of(1.0, 2.0), "mae");
        Tensor x = Tensor.of(new float[] {1, 2, 0, 0, 3, 4, 1, 0, 2, 0, 0, 0}, 3, 4);
        Tensor ys = Tensor.of(new float[] {1, 1, 1, 1, 0, 0, 0, 0, 1, 0, 1, 0}, 3, 4, 1), yf = Tensor.of(new float[] {1, 0, 1}, 3, 1);
        List<Tensor> p = m.predictAll(x);
        float[] ps = p.get(0).toArray(), pf = p.get(1).toArray(), xa = x.toArray(), ysa = ys.toArray(), yfa = yf.toArray();
        double[] w = {1, 2, 0.5}, wf = {0, 1, 3};
        double sl = 0, valid = 0, ml = 0, swl = 0, fl = 0, fm = 0, fwl = 0;
        for (int i = 0; i < 12; i++) {
            if (xa[i] == 0) continue;
            double d = ps[i] - ysa[i];
            sl += d * d;
            ml += Math.abs(d);
            swl += w[i / 4] * d * d;
            valid++;
        }
        for (int i = 0; i < 3; i++) {
            double d = pf[i] - yfa[i];
            fl += d * d;
            fm += Math.abs(d);
            fwl += wf[i] * d * d;
        }
        assertLogs(Map.of("loss", sl / valid + 2 * fl / 3, "seq_loss", sl / valid, "fin_loss", fl / 3, "seq_mae", ml / valid, "fin_mae", fm / 3),
                m.evaluateAll(List.of(x), List.of(ys, yf)));
        Map<String, Double> weighted = m.testOnBatch(List.of(x), List.of(ys, yf),
                List.of(Tensor.of(new float[] {1, 2, 0.5f}, 3), Tensor.of(new float[] {0, 1, 3}, 3)));
        assertEquals(swl / valid, weighted.get("seq_loss"), 1e-6);
        assertEquals(fwl / 3, weighted.get("fin_loss"), 1e-6);
    }

    /**
     * Keras 3's merge masks: Concatenate of a masked and an unmasked sequence (ops.any over the concatenated masks) and Add
     * of them (None when an input has none) leave no mask, so the LSTM after them reads every step, as without maskZero;
     * two masked sequences concatenated in time skip both padded parts.
     */
    @Test
    void masksThroughMergesOfMaskedAndUnmaskedSequences() {
        float[] v = new float[24];
        for (int i = 0; i < 24; i++) v[i] = (float) Math.sin(i);
        List<Tensor> xs = List.of(Tensor.of(new float[] {1, 2, 0, 0, 3, 0, 0, 0}, 2, 4), Tensor.of(v, 2, 4, 3));
        for (boolean concat : new boolean[] {true, false}) {
            float[] masked = merged(true, concat).predictAll(xs).get(0).toArray();
            assertArrayEquals(merged(false, concat).predictAll(xs).get(0).toArray(), masked, concat ? "Concatenate" : "Add");
        }
        Jrnn.clearSession();
        Input a = Input.shape(2), b = Input.shape(2), c = Input.shape(2);
        Embedding emb = new Embedding(5, 3).maskZero(true);
        LSTM top = new LSTM(2);
        Model m = new Model(List.of(a, b), top.apply(new Concatenate(1).apply(emb.apply(a), emb.apply(b))));
        Model plain = new Model(c, top.apply(emb.apply(c)));
        float[] want = plain.predict(Tensor.of(new float[] {1, 2}, 1, 2)).toArray();
        assertArrayEquals(want, m.predictAll(List.of(Tensor.of(new float[] {1, 0}, 1, 2), Tensor.of(new float[] {2, 0}, 1, 2))).get(0).toArray());
    }

    private static Model merged(boolean maskZero, boolean concat) {
        Jrnn.clearSession();
        Jrnn.setSeed(7);
        Input a = Input.shape(4), b = Input.shape(4, 3);
        Node e = new Embedding(5, 3).maskZero(maskZero).apply(a);
        return new Model(List.of(a, b), new LSTM(2).apply(concat ? new Concatenate().apply(e, b) : new Add().apply(e, b)));
    }

    /**
     * Keras' seq2seq inference models: an encoder model up to the states and a decoder model that calls the trained decoder
     * LSTM again on state Inputs compute what the training model computes; the decoder model survives save/load and JSON.
     */
    @Test
    void encoderDecoderInferenceModelsShareTheTrainedLayers() throws Exception {
        Input ei = Input.shape(3, 2), di = Input.shape(2, 2);
        Node es = new LSTM(4).returnState(true).apply(ei);
        LSTM dec = new LSTM(4).returnSequences(true).returnState(true);
        Dense head = new Dense(2);
        Model m = new Model(List.of(ei, di), head.apply(dec.apply(List.of(di, es.get(1), es.get(2))).get(0)));
        m.compile(new SGD(0.1), "mse");
        Tensor xe = wave(2, 3, 2), xd = wave(2, 2, 2);
        m.fit(List.of(xe, xd), List.of(wave(2, 2, 2)), new FitOptions().epochs(2).batchSize(2).verbose(0));
        Model encoder = new Model(ei, List.of(es.get(1), es.get(2)));
        Input h = Input.shape(4), c = Input.shape(4);
        Node d2 = dec.apply(List.of(di, h, c));
        Model decoder = new Model(List.of(di, h, c), List.of(head.apply(d2.get(0)), d2.get(1), d2.get(2)));
        assertEquals(4 * (4 * (2 + 4 + 1)) + 2 * (4 + 1), decoder.countParams());
        List<Tensor> st = encoder.predictAll(xe);
        List<Tensor> p = decoder.predictAll(List.of(xd, st.get(0), st.get(1)));
        assertArrayEquals(m.predictAll(List.of(xe, xd)).get(0).toArray(), p.get(0).toArray());
        Path f = Files.createTempFile("decoder", ".keras");
        try {
            decoder.save(f);
            List<Tensor> q = Models.load(f).predictAll(List.of(xd, st.get(0), st.get(1)));
            for (int k = 0; k < 3; k++) assertArrayEquals(p.get(k).toArray(), q.get(k).toArray());
        } finally {
            Files.deleteIfExists(f);
        }
        Model twin = Models.fromJson(decoder.toJson());
        twin.setWeights(decoder.getWeights());
        assertArrayEquals(p.get(2).toArray(), twin.predictAll(List.of(xd, st.get(0), st.get(1))).get(2).toArray());
    }

    /** Feature extraction: Model(model.inputs, a layer's output) shares the layer; training either changes the other. */
    @Test
    void aFeatureExtractorSharesWeightsWithItsModel() {
        Input in = Input.shape(3);
        Node hidden = new Dense(4).name("h").apply(in);
        Model m = new Model(in, new Dense(1).apply(hidden));
        Model features = new Model(m.inputs(), m.getLayer("h").calls().get(0).outputs().get(0));
        assertEquals(16, features.countParams());
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        float[] before = features.predict(x).toArray(), whole = m.predict(x).toArray();
        m.compile(new SGD(0.1), "mse");
        m.fit(x, Tensor.of(new float[] {1, 2}, 2, 1), new FitOptions().epochs(1).batchSize(2).verbose(0));
        assertFalse(java.util.Arrays.equals(before, features.predict(x).toArray()));
        // the extractor's output is h(x) with the model's current kernel
        Tensor k = m.getLayer("h").getWeights().get(0), bias = m.getLayer("h").getWeights().get(1);
        float[] got = features.predict(x).toArray(), xa = x.toArray(), ka = k.toArray(), ba = bias.toArray();
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 4; j++) {
                double s = ba[j];
                for (int t = 0; t < 3; t++) s += xa[i * 3 + t] * ka[t * 4 + j];
                assertEquals(s, got[i * 4 + j], 1e-5);
            }
        }
        features.compile(new SGD(0.1), "mse");
        float[] mid = m.predict(x).toArray();
        features.fit(x, Tensor.of(new float[8], 2, 4), new FitOptions().epochs(1).batchSize(2).verbose(0));
        assertFalse(java.util.Arrays.equals(mid, m.predict(x).toArray()));
        assertFalse(java.util.Arrays.equals(whole, mid));
    }

    private static Tensor wave(int... shape) {
        float[] v = new float[(int) Tensor.size(shape)];
        for (int i = 0; i < v.length; i++) v[i] = (float) Math.sin(i * 0.7);
        return Tensor.of(v, shape);
    }

    private static void assertLogs(Map<String, Double> want, Map<String, Double> got) {
        assertEquals(new java.util.TreeSet<>(want.keySet()), new java.util.TreeSet<>(got.keySet()));
        for (Map.Entry<String, Double> e : want.entrySet()) assertEquals(e.getValue(), got.get(e.getKey()), 1e-5, e.getKey());
    }

    /**
     * Keras' {@code base.trainable = False}: every layer of the base freezes, a head built on it trains alone (SGD moves
     * the head's weights, not the base's), and the saved model keeps its layers' flags.
     */
    @Test
    void aFrozenBaseModelStaysAsItWasWhileItsHeadTrains(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        Sequential base = new Sequential(new Dense(3).inputShape(2), new Dense(2));
        assertTrue(base.trainable());
        assertEquals(base, base.trainable(false));
        assertFalse(base.trainable());
        for (dev.jrnn.layers.Layer l : base.layers()) assertFalse(l.trainable(), l.name());
        Path f = tmp.resolve("base.keras");
        base.save(f);
        Input in = Input.shape(2);
        Node out = new Dense(1).name("head").apply(base.layers().get(1).apply(base.layers().get(0).apply(in)));
        try (Model m = new Model(in, out)) {
            m.compile(new SGD(0.1), "mse");
            List<Tensor> before = m.getWeights();
            m.trainOnBatch(Tensor.of(new float[] {1, 2, -1, 0.5f}, 2, 2), Tensor.of(new float[] {1, -1}, 2, 1));
            List<Tensor> after = m.getWeights();
            for (int i = 0; i < 4; i++) assertArrayEquals(before.get(i).data(), after.get(i).data(), "base weight " + i);
            assertFalse(java.util.Arrays.equals(before.get(4).data(), after.get(4).data()), "the head's kernel moved");
        }
        try (Model again = Models.load(f)) {   // each layer's flag kept
            for (dev.jrnn.layers.Layer l : again.layers()) assertFalse(l.trainable(), l.name());
            again.trainable(true);
            for (dev.jrnn.layers.Layer l : again.layers()) assertTrue(l.trainable(), l.name());
        }
    }
    /**
     * Keras 3: {@code model.trainable = False} then {@code layer.trainable = True}: the model's trainable_weights stay
     * empty (Layer.trainable_weights is [] while the layer, here the model, is not trainable itself), so nothing trains
     * and summary counts no trainable weight, until the model itself is unfrozen. jrnn trained that layer before.
     */
    @Test
    void aLayerUnfrozenInsideAFrozenModelDoesNotTrainUntilTheModelIs() {
        Input in = Input.shape(2);
        Model m = new Model(in, new Dense(1).name("top").apply(new Dense(3).name("first").apply(in)));
        m.trainable(false);
        m.getLayer("first").trainable(true);
        assertFalse(m.trainable());
        assertTrue(m.getLayer("first").trainable());
        m.compile(new SGD(0.1), "mse");
        Tensor x = Tensor.of(new float[] {1, 2, -1, 0.5f}, 2, 2), y = Tensor.of(new float[] {1, -1}, 2, 1);
        List<Tensor> before = m.getWeights();
        m.trainOnBatch(x, y);
        List<Tensor> after = m.getWeights();
        for (int i = 0; i < before.size(); i++) assertArrayEquals(before.get(i).data(), after.get(i).data(), "weight " + i);
        String summary = m.summaryString();
        assertTrue(summary.contains("Trainable params: 0\n") && summary.contains("Non-trainable params: 13\n"), summary);
        // a weight regularizer on the unfrozen layer counts in neither training's nor evaluate's loss while the model is frozen
        Input in2 = Input.shape(2);
        Dense reg = new Dense(1).name("reg").useBias(false).kernelRegularizer(dev.jrnn.regularizers.Regularizers.l2(0.5));
        Model r = new Model(in2, reg.apply(in2));
        reg.setWeights(List.of(Tensor.of(new float[] {1, 2}, 2, 1)));
        r.trainable(false);
        reg.trainable(true);
        r.compile(new SGD(0.1), "mse");
        // predictions [1 + 4, -1 + 1] = [5, 0] against [1, -1]: mse (16 + 1) / 2 = 8.5 (the penalty 0.5 * 5 = 2.5 left out)
        assertEquals(8.5, r.evaluate(x, y), 1e-6);
        assertEquals(8.5, r.trainOnBatch(x, y), 1e-6);
        m.trainable(true);   // Keras' setter: the model and every layer
        m.trainOnBatch(x, y);
        assertFalse(java.util.Arrays.equals(after.get(0).data(), m.getWeights().get(0).data()), "first's kernel moved");
        assertFalse(java.util.Arrays.equals(after.get(2).data(), m.getWeights().get(2).data()), "top's kernel moved");
    }

    /**
     * The model's own flag in a saved file, as Keras 3: get_config writes {@code "trainable": false}; a functional model's
     * file loads with the model frozen and each layer as its config says (functional_from_config gives the flag to the
     * model before it tracks its layers), a Sequential's with the model trainable (Sequential.from_config does not read it).
     * jrnn wrote {@code "trainable": true} for every model before.
     */
    @Test
    void theModelsOwnFlagIsSavedAndLoadedAsKeras3(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        Input in = Input.shape(2);
        Model m = new Model(in, new Dense(1).name("top").apply(new Dense(3).name("first").apply(in)));
        m.trainable(false);
        m.getLayer("first").trainable(true);
        Path f = tmp.resolve("f.keras");
        m.save(f);
        Map<?, ?> config = (Map<?, ?>) ((Map<?, ?>) dev.jrnn.io.Json.parse(zipEntry(f, "config.json"))).get("config");
        assertEquals(false, config.get("trainable"));
        Tensor x = Tensor.of(new float[] {1, 2, -1, 0.5f}, 2, 2), y = Tensor.of(new float[] {1, -1}, 2, 1);
        try (Model back = Models.load(f)) {
            assertFalse(back.trainable());
            assertTrue(back.getLayer("first").trainable());
            assertFalse(back.getLayer("top").trainable());
            back.compile(new SGD(0.1), "mse");
            List<Tensor> before = back.getWeights();
            back.trainOnBatch(x, y);
            for (int i = 0; i < before.size(); i++) assertArrayEquals(before.get(i).data(), back.getWeights().get(i).data(), "weight " + i);
        }
        Sequential seq = new Sequential(new Dense(3).inputShape(2).name("s1"), new Dense(1).name("s2"));
        seq.trainable(false);
        seq.getLayer("s1").trainable(true);
        Path g = tmp.resolve("s.keras");
        seq.save(g);
        Map<?, ?> seqConfig = (Map<?, ?>) ((Map<?, ?>) dev.jrnn.io.Json.parse(zipEntry(g, "config.json"))).get("config");
        assertEquals(false, seqConfig.get("trainable"));
        try (Model back = Models.load(g)) {
            assertTrue(back.trainable());
            assertTrue(back.getLayer("s1").trainable());
            assertFalse(back.getLayer("s2").trainable());
        }
    }

    private static String zipEntry(Path zip, String name) throws java.io.IOException {
        try (java.util.zip.ZipFile z = new java.util.zip.ZipFile(zip.toFile())) {
            return new String(z.getInputStream(z.getEntry(name)).readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }
}
