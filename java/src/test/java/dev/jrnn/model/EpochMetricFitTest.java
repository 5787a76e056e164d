package dev.jrnn.model;

import dev.jrnn.Jrnn;
import dev.jrnn.backend.Loss;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.SimpleRNN;
import dev.jrnn.losses.Auc;
import dev.jrnn.losses.FBetaScore;
import dev.jrnn.optim.Adam;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** AUC and F-scores in fit and evaluate: accumulated over the epoch's batches, logged as Keras, maximised, saved. */
class EpochMetricFitTest {
    /** A logged value against its float64 reference: Keras logs float32 values (EpochLogs rounds them so). */
    private static final double F32 = 1e-7;

    @TempDir
    Path dir;

    @BeforeEach
    void freshCpuSession() {
        Jrnn.setBackend("cpu");
        Jrnn.clearSession();
        Jrnn.setSeed(5);
    }

    /** n samples of FitOptionsTest.data with 0/1 targets (positive targets 1). */
    static Tensor[] binary(int n) {
        Tensor[] d = FitOptionsTest.data(n);
        float[] y = d[1].data();
        for (int i = 0; i < n; i++) y[i] = y[i] > 0 ? 1 : 0;
        return new Tensor[] {d[0], Tensor.of(y, n, 1)};
    }

    /** Over 3 batches evaluate gives the metric of all 24 predictions at once, not a mean of batch values. */
    @Test
    void evaluateAccumulatesOverTheEpochAsOnePass() {
        Tensor[] d = binary(24);
        Sequential m = new Sequential(new SimpleRNN(4).inputShape(4, 2), new Dense(1).activation("sigmoid"));
        m.compile("adam", "binary_crossentropy", "auc", FBetaScore.f1().threshold(0.5), new Auc().curve("PR").name("pr"));
        assertEquals(List.of("auc", "f1_score", "pr"), m.metricNames());
        History h = m.fit(d[0], d[1], new FitOptions().epochs(2).batchSize(8).verbose(0).validationSplit(0.25));
        assertEquals(List.of("auc", "f1_score", "loss", "pr", "val_auc", "val_f1_score", "val_loss", "val_pr"),
                new ArrayList<>(h.history().keySet()));
        Map<String, Double> ev = m.evaluateAll(List.of(d[0]), List.of(d[1]), 8, null);
        float[] p = m.predict(d[0]).data(), y = d[1].data();
        assertEquals(whole(new Auc(), p, y), ev.get("auc"), F32);
        assertEquals(whole(new Auc().curve("PR"), p, y), ev.get("pr"), F32);
        assertEquals(whole(FBetaScore.f1().threshold(0.5), p, y), ev.get("f1_score"), F32);
        assertTrue(ev.get("auc") > 0 && ev.get("auc") < 1, "a nontrivial auc: " + ev);
        for (String k : List.of("auc", "val_auc", "f1_score", "val_pr")) {
            assertTrue(EarlyStopping.maximizes("auto", k, m), k + " is maximised in mode auto");
        }
    }

    private static double whole(dev.jrnn.losses.EpochMetric metric, float[] p, float[] y) {
        double[] s = new double[metric.stateSize(1)];
        metric.update(Loss.BINARY_CROSSENTROPY, p.length, 1, p, y, null, s);
        return metric.result(s, 1)[0];
    }

    /** F1 without averaging over several classes logs one value per class (Keras logs one array). */
    @Test
    void perClassF1LogsOneKeyPerClass() {
        Tensor[] d = FitOptionsTest.data(12);
        float[] y = new float[12 * 3];
        for (int i = 0; i < 12; i++) y[i * 3 + i % 3] = 1;
        Sequential m = new Sequential(new SimpleRNN(4).inputShape(4, 2), new Dense(3).activation("softmax"));
        m.compile("adam", "categorical_crossentropy", "f1_score", FBetaScore.f1().average("macro").name("macro_f1"));
        Map<String, Double> ev = m.evaluateAll(List.of(d[0]), List.of(Tensor.of(y, 12, 3)), 5, null);
        assertEquals(List.of("f1_score_0", "f1_score_1", "f1_score_2", "loss", "macro_f1"), new ArrayList<>(ev.keySet()));
        assertEquals((ev.get("f1_score_0") + ev.get("f1_score_1") + ev.get("f1_score_2")) / 3, ev.get("macro_f1"), F32);
        assertTrue(EarlyStopping.maximizes("auto", "val_f1_score_2", m), "a class's F1 is maximised too");
    }

    @Test
    void sparseLossesRefuseTheseMetrics() {
        Sequential m = new Sequential(new Dense(3).inputShape(2));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> m.compile("adam", "sparse_categorical_crossentropy", "auc"));
        assertTrue(e.getMessage().contains("metric auc needs dense targets"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> m.compile(new Adam(), "mse", "mae", 3));
        assertTrue(e.getMessage().contains("Integer: expected a metric name"), e.getMessage());
    }

    /** Keras' compile config holds "auc" as given and the objects serialized; loading restores both. */
    @Test
    void savedCompileConfigLoadsBack() throws IOException {
        Tensor[] d = binary(8);
        Sequential m = new Sequential(new SimpleRNN(3).inputShape(4, 2), new Dense(1).activation("sigmoid"));
        m.compile("adam", "binary_crossentropy", "auc", new Auc().numThresholds(17).curve("PR").name("pr_auc"),
                new FBetaScore().beta(2).average("weighted"));
        Path f = dir.resolve("m.keras");
        m.save(f);
        try (Model back = Models.load(f)) {
            assertEquals(m.metricNames(), back.metricNames());
            assertEquals(m.metricConfigs(), back.metricConfigs());
            assertEquals("auc", back.metricConfigs().get(0));
            assertEquals(17, ((Map<?, ?>) ((Map<?, ?>) back.metricConfigs().get(1)).get("config")).get("num_thresholds"));
            Map<String, Double> a = m.evaluateAll(List.of(d[0]), List.of(d[1]), 4, null);
            assertEquals(a, back.evaluateAll(List.of(d[0]), List.of(d[1]), 4, null));
        }
    }

    /** Keras' FBetaScore takes 2-D outputs only: a sequence output is refused before the first batch, naming both. */
    @Test
    void fScoresRefuseASequenceOutput() {
        Tensor x = FitOptionsTest.data(4)[0];
        Sequential m = new Sequential(new SimpleRNN(3).returnSequences(true).inputShape(4, 2), new Dense(2).activation("sigmoid").name("probs"));
        m.compile("adam", "binary_crossentropy", "auc", FBetaScore.f1().name("f1"));
        List<Tensor> before = m.getWeights();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> m.fit(x, Tensor.zeros(4, 4, 2), new FitOptions().epochs(1).batchSize(2).verbose(0)));
        assertEquals("F1Score 'f1' expects 2-D outputs (batch, classes), as Keras' does; output probs has shape (None, 4, 2)", e.getMessage());
        assertEquals(before.get(0).data()[0], m.getWeights().get(0).data()[0], "the model did not train");
        assertThrows(IllegalArgumentException.class, () -> m.evaluateAll(List.of(x), List.of(Tensor.zeros(4, 4, 2)), 2, null));
        m.compile("adam", "binary_crossentropy", "auc");   // AUC flattens any rank, as Keras'
        assertTrue(m.evaluateAll(List.of(x), List.of(Tensor.zeros(4, 4, 2)), 2, null).containsKey("auc"));
    }

    /**
     * Keras' compile metrics take no sample weights, and AUC and the F-scores (no MeanMetricWrapper) no mask either: a
     * masked, weighted fit logs them over every step and sample, unweighted. (Learning rate 0: the predictions the logs
     * saw are the ones predict gives afterwards.)
     */
    @Test
    void aucAndFScoresIgnoreMaskAndSampleWeights() {
        Tensor[] d = binary(8);
        float[] xs = d[0].data().clone();
        for (int i = 0; i < 8; i += 2) java.util.Arrays.fill(xs, i * 8 + 4, i * 8 + 8, 0f);   // the last two steps of every other sample masked
        Tensor x = Tensor.of(xs, 8, 4, 2);
        float[] ys = new float[8 * 4];
        for (int i = 0; i < ys.length; i++) ys[i] = (i * 7) % 3 == 0 ? 1 : 0;
        Tensor y = Tensor.of(ys, 8, 4, 1), w = Tensor.of(new float[] {1, 0, 3, 0.5f, 1, 2, 0, 1}, 8);
        Sequential seq = new Sequential(new dev.jrnn.layers.Masking(0).inputShape(4, 2), new SimpleRNN(3).returnSequences(true),
                new Dense(1).activation("sigmoid"));
        seq.compile(new dev.jrnn.optim.SGD(0.0), "binary_crossentropy", new Auc().name("roc"), new Auc().curve("PR").name("pr"));
        History h = seq.fit(x, y, new FitOptions().epochs(1).batchSize(3).verbose(0).sampleWeight(w).shuffle(false));
        float[] p = seq.predict(x).data();
        assertEquals(whole(new Auc(), p, ys), h.history().get("roc").get(0), F32);
        assertEquals(whole(new Auc().curve("PR"), p, ys), h.history().get("pr").get(0), F32);
        float[] yb = d[1].data();
        Sequential flat = new Sequential(new SimpleRNN(3).inputShape(4, 2), new Dense(1).activation("sigmoid"));
        flat.compile(new dev.jrnn.optim.SGD(0.0), "binary_crossentropy", FBetaScore.f1().threshold(0.5), new Auc().name("auc"));
        h = flat.fit(d[0], d[1], new FitOptions().epochs(1).batchSize(3).verbose(0).sampleWeight(w).shuffle(false));
        float[] pf = flat.predict(d[0]).data();
        assertEquals(whole(FBetaScore.f1().threshold(0.5), pf, yb), h.history().get("f1_score").get(0), F32);
        assertEquals(whole(new Auc(), pf, yb), h.history().get("auc").get(0), F32);
    }

    /** Keras 3's registry name of FBetaScore is "f_beta_score" (to_snake_case); the class's default name "fbeta_score" stays an alias. */
    @Test
    void fBetaScoreByKerasName() {
        Tensor[] d = binary(8);
        Sequential m = new Sequential(new SimpleRNN(3).inputShape(4, 2), new Dense(1).activation("sigmoid"));
        m.compile("adam", "binary_crossentropy", "f_beta_score", "fbeta_score");
        assertEquals(List.of("f_beta_score", "fbeta_score"), m.metricNames());
        Map<String, Double> ev = m.evaluateAll(List.of(d[0]), List.of(d[1]), 4, null);
        assertEquals(whole(new FBetaScore(), m.predict(d[0]).data(), d[1].data()), ev.get("f_beta_score"), F32);
        assertEquals(ev.get("f_beta_score"), ev.get("fbeta_score"));
    }
}
