package dev.jrnn.model;

import dev.jrnn.Jrnn;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.Node;
import dev.jrnn.layers.SimpleRNN;
import dev.jrnn.losses.Auc;
import dev.jrnn.losses.FBetaScore;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Compiled}: what compile makes of its metrics and loss weights, as Keras' compile does. */
class CompiledTest {
    @BeforeEach
    void freshCpuSession() {
        Jrnn.setBackend("cpu");
        Jrnn.clearSession();
        Jrnn.setSeed(6);
    }

    private static Tensor[] binary(int n) { return EpochMetricFitTest.binary(n); }

    private static Sequential binaryModel() {
        return new Sequential(new SimpleRNN(4).inputShape(4, 2), new Dense(1).activation("sigmoid"));
    }

    /** Keras' compile_utils result(): a repeated metric name is logged as name_1, name_2 (none dropped). */
    @Test
    void repeatedNamesAreNumberedAsKerasLogsThem() {
        Tensor[] d = binary(16);
        Sequential m = binaryModel();
        m.compile("adam", "binary_crossentropy", new Auc(), new Auc().curve("PR"), "mae", "mae", new Auc().numThresholds(7));
        assertEquals(List.of("auc", "auc_1", "mae", "mae_1", "auc_2"), m.metricNames());
        assertEquals("mae", m.metricConfigs().get(3), "the config holds the name given");
        Map<String, Double> ev = m.evaluateAll(List.of(d[0]), List.of(d[1]), 8, null);
        assertEquals(List.of("auc", "auc_1", "auc_2", "loss", "mae", "mae_1"), new ArrayList<>(ev.keySet()));
        Sequential pr = binaryModel();
        pr.setWeights(m.getWeights());
        pr.compile("adam", "binary_crossentropy", new Auc().curve("PR"));
        // the fourth AUC object made in the session: logged as auc_3, as Keras 3 numbers it
        assertEquals(pr.evaluateAll(List.of(d[0]), List.of(d[1]), 8, null).get("auc_3"), ev.get("auc_1"), 1e-12);
        assertNotEquals(ev.get("auc"), ev.get("auc_1"), "the second is the PR curve, not the first again");
        assertEquals(ev.get("mae"), ev.get("mae_1"));
    }

    /** Keras' compile(metrics=[...]): a List among the metrics is spread out; loss weights there are refused, saying where they go. */
    @Test
    void aListOfMetricsIsSpreadOutAndNumbersThereAreRefused() {
        Sequential m = binaryModel();
        m.compile("adam", "binary_crossentropy", List.of("mae", new Auc()));
        assertEquals(List.of("mae", "auc"), m.metricNames());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.compile("adam", "mse", List.of(1.0, 0.2)));
        assertTrue(e.getMessage().contains("look like loss weights") && e.getMessage().contains("[1.0, 0.2]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> m.compile("adam", "mse", Map.of("out", "mae")));
        assertTrue(e.getMessage().contains("metrics names output 'out', expected output names [" + m.outputs().get(0).layer().name() + "]"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> m.compile("adam", "mse", "mae", List.of(List.of("mae"))));
        assertTrue(e.getMessage().contains("one List with a List per output, given as the only metrics"), e.getMessage());
        assertEquals(List.of("mae", "auc"), m.metricNames(), "a refused compile changes nothing");
    }

    /** compile("adam", losses, lossWeights) by position and by output name, as with an Optimizer object. */
    @Test
    void lossWeightsWithTheOptimizerByName() {
        Input in = Input.shape(4, 2);
        Node h = new SimpleRNN(3).apply(in);
        Model m = new Model(in, List.of(new Dense(1).name("a").apply(h), new Dense(1).name("b").apply(h)));
        m.compile("adam", List.of("mse", "mae"), List.of(1.0, 0.2));
        assertEquals(List.of(1.0, (double) 0.2f), m.lossWeights());
        assertEquals(List.of(), m.metricNames());
        m.compile("sgd", Map.of("a", "mse", "b", "mae"), Map.of("a", 0.5, "b", 2.0), "mae");
        assertEquals(List.of(0.5, 2.0), m.lossWeights());
        assertEquals(List.of("mae"), m.metricNames());
        assertEquals("SGD", m.optimizer().getClass().getSimpleName());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.compile("adam", List.of("mse", "mae"), List.of(1.0)));
        assertTrue(e.getMessage().contains("expected one loss weight per output (2: [a, b]), got 1 [1.0]"), e.getMessage());
    }

    /** compile keeps a copy: a setter on the caller's object afterwards changes neither the numbers nor the saved config. */
    @Test
    void laterSettersOnTheGivenObjectChangeNothing() {
        Tensor[] d = binary(16);
        Sequential m = binaryModel();
        Auc a = new Auc();
        FBetaScore f = FBetaScore.f1().threshold(0.5);
        m.compile("adam", "binary_crossentropy", a, f);
        Map<String, Double> before = m.evaluateAll(List.of(d[0]), List.of(d[1]), 8, null);
        Object config = m.metricConfigs();
        a.numThresholds(3).curve("PR");
        f.threshold(0.9).name("other");
        assertEquals(before, m.evaluateAll(List.of(d[0]), List.of(d[1]), 8, null));
        assertEquals(config, m.metricConfigs());
        // growing the thresholds between batches (the state is sized at the epoch's start) cannot reach the model either
        Auc grow = new Auc().numThresholds(3);
        m.compile("adam", "binary_crossentropy", grow);
        double auc3 = m.evaluateAll(List.of(d[0]), List.of(d[1]), 8, null).get("auc_1");   // the second AUC made: auc_1
        Callback c = new Callback() {
            @Override public void onBatchEnd(int batch, BatchLogs logs, Model model) { grow.numThresholds(500); }
        };
        History h = m.fit(d[0], d[1], new FitOptions().epochs(1).batchSize(4).verbose(0).callbacks(c));
        assertTrue(h.history().get("auc_1").get(0) >= 0, "fit ran every batch: " + h.history());
        assertEquals(3, ((Map<?, ?>) ((Map<?, ?>) m.metricConfigs().get(0)).get("config")).get("num_thresholds"));
        assertTrue(auc3 >= 0 && auc3 <= 1);
    }

    /** Review: a per-class F-score logs f1_score_0.., so a repeated "f1_score" (renamed f1_score_1) would overwrite class 1. */
    @Test
    void aRenamedMetricMeetingAPerClassKeyIsRefusedBeforeTraining() {
        Sequential m = new Sequential(new Dense(3).activation("softmax").inputShape(2));
        m.compile("adam", "categorical_crossentropy", FBetaScore.f1(), FBetaScore.f1().average("macro"));
        float[] y = new float[8 * 3];
        for (int i = 0; i < 8; i++) y[i * 3 + i % 3] = 1;
        List<Tensor> before = m.getWeights();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> m.fit(Tensor.full(0.5f, 8, 2), Tensor.of(y, 8, 3), new FitOptions().epochs(1).batchSize(4).verbose(0)));
        assertTrue(e.getMessage().contains("two metrics log under 'f1_score_1'"), e.getMessage());
        assertEquals(0, m.optimizer().iterations(), "refused before the first step");
        assertTrue(java.util.Arrays.equals(before.get(0).data(), m.getWeights().get(0).data()));
    }
}
