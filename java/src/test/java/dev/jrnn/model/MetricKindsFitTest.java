package dev.jrnn.model;

import dev.jrnn.Jrnn;
import dev.jrnn.backend.Backend;
import dev.jrnn.backend.Backends;
import dev.jrnn.backend.Loss;
import dev.jrnn.distributed.InProcessGroup;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.LSTM;
import dev.jrnn.layers.Masking;
import dev.jrnn.layers.SimpleRNN;
import dev.jrnn.losses.EpochMetric;
import dev.jrnn.losses.EpochValues;
import dev.jrnn.losses.FalseNegatives;
import dev.jrnn.losses.LossMetric;
import dev.jrnn.losses.PrecisionAtRecall;
import dev.jrnn.losses.R2Score;
import dev.jrnn.losses.SpecificityAtSensitivity;
import dev.jrnn.losses.TruePositives;
import dev.jrnn.optim.SGD;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The loss-named metrics, R2Score and the confusion-count metrics in fit and evaluate: logged as Keras (a loss that is also
 * a metric twice), accumulated over the epoch as one pass over all predictions, masks read by the loss-named ones only,
 * summed over data-parallel ranks as one process, and kept by a saved model.
 */
class MetricKindsFitTest {
    /** A logged value against its float64 reference: Keras logs float32 values (EpochLogs rounds them so). */
    private static final double F32 = 1e-7;

    @BeforeEach
    void freshCpuSession() {
        Jrnn.setBackend("cpu");
        Jrnn.clearSession();
        Jrnn.setSeed(5);
    }

    private static double whole(EpochMetric m, int rows, int cols, float[] p, float[] y, float[] w) {
        return EpochValues.first(m, rows, cols, p, y, w);
    }

    /** As Keras: compile(loss="binary_crossentropy", metrics=["binary_crossentropy"]) logs loss and binary_crossentropy, equal. */
    @Test
    void aLossThatIsAlsoAMetricLogsTwice() {
        Tensor[] d = EpochMetricFitTest.binary(24);
        Sequential m = new Sequential(new SimpleRNN(4).inputShape(4, 2), new Dense(1).activation("sigmoid"));
        m.compile("adam", "binary_crossentropy", "binary_crossentropy", "r2_score", "true_positives", new PrecisionAtRecall(0.5));
        History h = m.fit(d[0], d[1], new FitOptions().epochs(1).batchSize(8).verbose(0).validationSplit(0.25));
        assertEquals(List.of("binary_crossentropy", "loss", "precision_at_recall", "r2_score", "true_positives", "val_binary_crossentropy", "val_loss", "val_precision_at_recall", "val_r2_score", "val_true_positives"), new ArrayList<>(h.history().keySet()));
        Map<String, Double> ev = m.evaluateAll(List.of(d[0]), List.of(d[1]), 5, null);
        assertEquals(ev.get("loss"), ev.get("binary_crossentropy"), 1e-6 * ev.get("loss"));
        float[] p = m.predict(d[0]).data(), y = d[1].data();
        assertEquals(whole(new R2Score(), 24, 1, p, y, null), ev.get("r2_score"), F32);
        assertEquals(whole(new TruePositives(), 24, 1, p, y, null), ev.get("true_positives"));
        assertEquals(whole(new PrecisionAtRecall(0.5), 24, 1, p, y, null), ev.get("precision_at_recall"), F32);
        assertTrue(EarlyStopping.maximizes("auto", "val_r2_score", m));
        assertTrue(EarlyStopping.maximizes("auto", "precision_at_recall", m));
        assertFalse(EarlyStopping.maximizes("auto", "val_binary_crossentropy", m));
    }

    /**
     * A masked sequence output: the loss-named metrics (MeanMetricWrapper) average over the valid steps, the confusion
     * counts take every step, as Keras 3. (Learning rate 0: the logs saw the predictions predict gives afterwards.)
     */
    @Test
    void masksWeighTheLossNamedMetricsOnly() {
        Tensor[] d = EpochMetricFitTest.binary(8);
        float[] xs = d[0].data().clone();
        for (int i = 0; i < 8; i += 2) java.util.Arrays.fill(xs, i * 8 + 4, i * 8 + 8, 0f);   // the last two steps of every other sample masked
        float[] ys = new float[8 * 4];
        for (int i = 0; i < ys.length; i++) ys[i] = (i * 7) % 3 == 0 ? 1 : 0;
        float[] mask = new float[8 * 4];
        for (int i = 0; i < mask.length; i++) mask[i] = (i / 4) % 2 == 0 && i % 4 >= 2 ? 0 : 1;
        Sequential seq = new Sequential(new Masking(0).inputShape(4, 2), new SimpleRNN(3).returnSequences(true), new Dense(1).activation("sigmoid"));
        seq.compile(new SGD(0.0), "binary_crossentropy", "poisson", "hinge", new FalseNegatives().thresholds(0.3, 0.6),
                new SpecificityAtSensitivity(0.4));
        History h = seq.fit(Tensor.of(xs, 8, 4, 2), Tensor.of(ys, 8, 4, 1), new FitOptions().epochs(1).batchSize(3).verbose(0).shuffle(false));
        float[] p = seq.predict(Tensor.of(xs, 8, 4, 2)).data();
        assertEquals(whole(EpochMetric.of("poisson"), 32, 1, p, ys, mask), h.history().get("poisson").get(0), 1e-7);
        assertTrue(Math.abs(whole(EpochMetric.of("poisson"), 32, 1, p, ys, null) - h.history().get("poisson").get(0)) > 1e-4,
                "the mask changes the value");
        // hinge converts 0/1 targets per batch of 3 samples, all 0/1 here: the whole set converts the same way
        assertEquals(whole(EpochMetric.of("hinge"), 32, 1, p, ys, mask), h.history().get("hinge").get(0), 1e-7);
        double[] want = EpochValues.of(new FalseNegatives().thresholds(0.3, 0.6), 32, 1, p, ys, null);
        assertEquals(want[0], h.history().get("false_negatives_0").get(0));
        assertEquals(want[1], h.history().get("false_negatives_1").get(0));
        assertEquals(whole(new SpecificityAtSensitivity(0.4), 32, 1, p, ys, null), h.history().get("specificity_at_sensitivity").get(0), F32);
    }

    /** The metric objects and names go into the .keras compile config and load back with their options. */
    @Test
    void savedCompileConfigLoadsBack(@TempDir Path dir) throws Exception {
        Tensor[] d = EpochMetricFitTest.binary(8);
        Sequential m = new Sequential(new SimpleRNN(3).inputShape(4, 2), new Dense(1).activation("sigmoid"));
        m.compile("adam", "binary_crossentropy", "kl_divergence", new LossMetric(Loss.BINARY_CROSSENTROPY_LOGITS).name("bce_logits"),
                new R2Score().numRegressors(1).name("adj_r2"), new TruePositives().thresholds(0.2, 0.4), new PrecisionAtRecall(0.7).numThresholds(20),
                "squared_hinge");
        Path f = dir.resolve("m.keras");
        m.save(f);
        try (Model back = Models.load(f)) {
            assertEquals(m.metricNames(), back.metricNames());
            assertEquals(m.metricConfigs(), back.metricConfigs());
            assertEquals("kl_divergence", back.metricConfigs().get(0));
            assertEquals(true, ((Map<?, ?>) ((Map<?, ?>) back.metricConfigs().get(1)).get("config")).get("from_logits"));
            Map<String, Double> a = m.evaluateAll(List.of(d[0]), List.of(d[1]), 4, null);
            assertEquals(a, back.evaluateAll(List.of(d[0]), List.of(d[1]), 4, null));
        }
    }

    /**
     * Keras' PearsonCorrelation and ConcordanceCorrelation: per sample over the last axis, then the epoch's mean over the
     * batches (Keras' MeanMetricWrapper); evaluate in batches of 3 equals the metric of all predictions at once, and a
     * saved model compiles them back.
     */
    @Test
    void correlationsPerSampleAveragedOverTheEpoch(@TempDir Path dir) throws Exception {
        Tensor[] d = FitOptionsTest.data(9);
        float[] y3 = new float[27];
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 0; i < y3.length; i++) y3[i] = (float) r.nextDouble(-1, 1);
        Tensor y = Tensor.of(y3, 9, 3);
        Sequential m = new Sequential(new SimpleRNN(4).inputShape(4, 2), new Dense(3));
        m.compile("sgd", "mse", "pearson_correlation", "ConcordanceCorrelation");
        Map<String, Double> logs = m.evaluateAll(List.of(d[0]), List.of(y), 3, null);
        float[] p = m.predict(d[0]).data();
        assertEquals(whole(dev.jrnn.losses.Metric.PEARSON_CORRELATION, 9, 3, p, y3, null), logs.get("pearson_correlation"), 1e-6);
        assertEquals(whole(dev.jrnn.losses.Metric.CONCORDANCE_CORRELATION, 9, 3, p, y3, null), logs.get("ConcordanceCorrelation"), 1e-6);   // logged under the name given, as Keras
        Path f = dir.resolve("m.keras");
        m.save(f);
        try (Model back = Models.load(f)) {
            assertEquals(m.metricNames(), back.metricNames());
            assertEquals(logs, back.evaluateAll(List.of(d[0]), List.of(y), 3, null));
        }
    }

    /** On 3 ranks with ragged batches the ranks' summed states give the one process's logs. */
    @Test
    void threeRanksLogWhatOneProcessDoes() throws Exception {
        SplittableRandom r = new SplittableRandom(7);
        int n = 43;
        float[] x = new float[n * 5 * 3], y = new float[n * 2];
        for (int i = 0; i < x.length; i++) x[i] = (float) (r.nextDouble() * 2 - 1);
        for (int i = 0; i < y.length; i++) y[i] = r.nextDouble() < 0.5 ? 1 : 0;
        Tensor xt = Tensor.of(x, n, 5, 3), yt = Tensor.of(y, n, 2);
        java.util.function.Function<Backend, Sequential> make = be -> {
            Jrnn.setBackend(be);
            Jrnn.setSeed(42);
            Jrnn.clearSession();   // each model's metric objects named as the first one's (a Keras process per rank)
            Sequential m = new Sequential(new LSTM(6), new Dense(2).activation("sigmoid"));
            m.build(5, 3);
            m.compile("adam", "binary_crossentropy", "r2_score", "binary_crossentropy", new TruePositives().thresholds(0.3, 0.5),
                    new PrecisionAtRecall(0.5), new R2Score().classAggregation(null).name("r2"));
            return m;
        };
        FitOptions o = new FitOptions().epochs(2).verbose(0).seed(11);
        History one = make.apply(Backends.cpu()).fit(xt, yt, o.batchSize(12));   // the last global batch of 7 split 3/2/2
        List<Backend> backends = List.of(Backends.cpu(), Backends.cpu(), Backends.cpu());
        List<Sequential> models = new ArrayList<>();
        for (Backend b : backends) models.add(make.apply(b));
        InProcessGroup group = new InProcessGroup(backends, 20_000);
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<History>> fs = new ArrayList<>();
            for (int k = 0; k < 3; k++) {
                int rank = k;
                fs.add(pool.submit(() -> models.get(rank).fit(xt, yt, new FitOptions().epochs(2).verbose(0).seed(11).batchSize(4)
                        .distributed(group.rank(rank), 256))));
            }
            for (int k = 0; k < 3; k++) {
                Map<String, List<Double>> got = fs.get(k).get().history();
                assertEquals(one.history().keySet(), got.keySet());
                for (String key : one.history().keySet()) {
                    for (int e = 0; e < 2; e++) {
                        double a = one.history().get(key).get(e), b = got.get(key).get(e);
                        assertEquals(a, b, 2e-6 * Math.max(1, Math.abs(a)), "rank " + k + " " + key + " epoch " + e);
                    }
                }
            }
        } finally {
            pool.shutdownNow();
            Jrnn.setBackend("cpu");
        }
        assertTrue(one.history().containsKey("r2_0") && one.history().containsKey("true_positives_1"), one.history().keySet().toString());
        assertTrue(one.history().get("true_positives_0").get(1) > 0, "nontrivial counts: " + one.history());
    }
}
