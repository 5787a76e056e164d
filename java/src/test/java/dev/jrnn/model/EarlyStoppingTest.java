package dev.jrnn.model;

import dev.jrnn.layers.Dense;
import dev.jrnn.optim.SGD;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Keras 3's EarlyStopping rules, fed scripted epoch logs (as Keras' own early_stopping_test does). */
class EarlyStoppingTest {
    @Test
    void oddValuesAreRefusedNamingTheSetting() {
        assertEquals("EarlyStopping: baseline must be a number, got NaN",
                assertThrows(IllegalArgumentException.class, () -> new EarlyStopping().baseline(Double.NaN)).getMessage());
        assertEquals("EarlyStopping: minDelta must be >= 0 and finite, got Infinity",
                assertThrows(IllegalArgumentException.class, () -> new EarlyStopping().minDelta(Double.POSITIVE_INFINITY)).getMessage());
        assertEquals("EarlyStopping: verbose must be >= 0, got -1",
                assertThrows(IllegalArgumentException.class, () -> new EarlyStopping().verbose(-1)).getMessage());
        assertEquals("EarlyStopping: startFromEpoch must be >= 0, got -2",
                assertThrows(IllegalArgumentException.class, () -> new EarlyStopping().startFromEpoch(-2)).getMessage());
        new EarlyStopping().baseline(Double.POSITIVE_INFINITY).minDelta(0.5);   // an infinite baseline is "none to beat"
    }

    private static Sequential model() {
        Sequential m = new Sequential(new Dense(1).inputShape(2));
        m.compile(new SGD(0.1), "mse");
        return m;
    }

    /** Sets every weight of {@code m} to {@code epoch}, so the weights name the epoch they come from. */
    private static void markEpoch(Model m, int epoch) {
        List<Tensor> w = new ArrayList<>();
        for (Tensor t : m.getWeights()) w.add(Tensor.full(epoch, t.shape()));
        m.setWeights(w);
    }

    private static int weightsEpoch(Model m) {
        return (int) m.getWeights().get(0).toArray()[0];
    }

    /**
     * Keras' fit loop over scripted values: marks the weights with the epoch, calls onEpochEnd, stops when asked
     * (or when {@code otherStopsAt} is reached, as another callback would); returns the epochs trained.
     */
    private static int run(EarlyStopping es, Model m, int otherStopsAt, double... values) {
        m.stopTraining(false);
        es.onTrainBegin(m);
        int trained = 0;
        for (int e = 0; e < values.length; e++) {
            trained++;
            markEpoch(m, e);
            es.onEpochEnd(e, Map.of("val_loss", values[e]), m);
            if (e == otherStopsAt) m.stopTraining(true);
            if (m.stopTraining()) break;
        }
        es.onTrainEnd(m);
        return trained;
    }

    @Test
    void restoresTheBestEpochsWeightsAsKeras3() {
        Sequential m = model();
        // Keras' test_early_stopping_final_weights_when_restoring_model_weights, case by case
        EarlyStopping es = new EarlyStopping().patience(2).restoreBestWeights(true);
        assertEquals(5, run(es, m, -1, 0.2, 0.15, 0.1, 0.11, 0.12));
        assertEquals(2, weightsEpoch(m));
        assertEquals(4, es.stoppedEpoch());
        assertEquals(2, es.bestEpoch());

        // no epoch beats the baseline: 5 epochs, and the best of them (epoch 2) comes back, not the first
        es = new EarlyStopping().patience(5).baseline(0.5).restoreBestWeights(true);
        assertEquals(5, run(es, m, -1, 0.9, 0.8, 0.7, 0.71, 0.72, 0.73));
        assertEquals(2, weightsEpoch(m));
        assertEquals(2, es.bestEpoch());

        // another callback stops training: the best weights still come back
        es = new EarlyStopping().patience(5).baseline(0.5).restoreBestWeights(true);
        assertEquals(4, run(es, m, 3, 0.9, 0.8, 0.7, 0.71, 0.72, 0.73));
        assertEquals(2, weightsEpoch(m));
        assertEquals(0, es.stoppedEpoch());
    }

    @Test
    void restoresTheBestWeightsWhenTrainingRunsToTheLastEpoch() {
        Sequential m = model();
        EarlyStopping es = new EarlyStopping().patience(10).restoreBestWeights(true);
        assertEquals(4, run(es, m, -1, 3, 1, 2, 2.5));
        assertEquals(0, es.stoppedEpoch());
        assertEquals(1, es.bestEpoch());
        assertEquals(1, weightsEpoch(m));
    }

    @Test
    void valuesThatImproveButMissTheBaselineKeepTraining() {
        Sequential m = model();
        // Keras 3 starts from no best value: each improvement returns before the stop test, and only the wait
        // (epochs since the baseline was last beaten) runs on. The first value that does not improve then stops.
        EarlyStopping es = new EarlyStopping().patience(1).baseline(0.5);
        assertEquals(6, run(es, m, -1, 0.9, 0.8, 0.7, 0.6, 0.55, 0.56, 0.4));
        assertEquals(5, es.stoppedEpoch());
        assertEquals(4, es.bestEpoch());
    }

    @Test
    void startFromEpochIgnoresTheFirstEpochs() {
        Sequential m = model();
        // epochs 0 and 1 are warm-up: their (best) values neither count as the best nor start the wait
        EarlyStopping es = new EarlyStopping().patience(1).startFromEpoch(2).restoreBestWeights(true);
        assertEquals(5, run(es, m, -1, 0.1, 0.2, 3, 2, 2.5, 1));
        assertEquals(4, es.stoppedEpoch());
        assertEquals(3, es.bestEpoch());
        assertEquals(3, weightsEpoch(m));
    }

    @Test
    void aNaNValueIsNeverTheBest() {
        Sequential m = model();
        // Keras would keep epoch 0's NaN as the best for good (nothing compares below NaN) and restore its weights
        EarlyStopping es = new EarlyStopping().patience(3).restoreBestWeights(true);
        assertEquals(4, run(es, m, -1, Double.NaN, 0.5, 0.4, 0.45));
        assertEquals(2, es.bestEpoch());
        assertEquals(2, weightsEpoch(m));

        // NaN after a best value: counts as an epoch without improvement, stops after patience
        es = new EarlyStopping().patience(2).restoreBestWeights(true);
        assertEquals(3, run(es, m, -1, 0.5, Double.NaN, Double.NaN, 0.1));
        assertEquals(2, es.stoppedEpoch());
        assertEquals(0, weightsEpoch(m));

        // only NaN: no best epoch, and nothing is restored (the weights stay those of the last epoch)
        es = new EarlyStopping().patience(5).restoreBestWeights(true);
        assertEquals(3, run(es, m, -1, Double.NaN, Double.NaN, Double.NaN));
        assertEquals(0, es.bestEpoch());
        assertEquals(2, weightsEpoch(m));
    }

    @Test
    void verboseSaysWhenItStopsAndWhichEpochComesBack() {
        Sequential m = model();
        PrintStream out = System.out;
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(b, true, StandardCharsets.UTF_8));
            run(new EarlyStopping().patience(1).restoreBestWeights(true).verbose(1), m, -1, 2, 1, 1.5, 0.5);
        } finally {
            System.setOut(out);
        }
        assertEquals("Epoch 3: early stopping\nRestoring model weights from the end of the best epoch: 2.\n",
                b.toString(StandardCharsets.UTF_8).replace("\r\n", "\n"));
    }

    @Test
    void stoppedEpochIsZeroUnlessItStoppedAsKeras() {
        // Keras 3: stopped_epoch and best_epoch are 0 after on_train_begin and stay 0 without a stop; the message
        // "Epoch N: early stopping" (N = stopped_epoch + 1) comes only after a stop. jrnn's stoppedEpoch was -1.
        Sequential m = model();
        EarlyStopping es = new EarlyStopping().patience(1).verbose(1);
        assertEquals(0, es.stoppedEpoch());
        assertEquals(0, es.bestEpoch());
        PrintStream out = System.out;
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(b, true, StandardCharsets.UTF_8));
            assertEquals(5, run(es, m, -1, 2, 1.5, 1, 0.5, 0.25));   // never stale: all 5 epochs
            assertEquals(0, es.stoppedEpoch());
            assertEquals(4, es.bestEpoch());
            assertEquals("", b.toString(StandardCharsets.UTF_8));
            assertEquals(2, run(es, m, -1, 2, 3));   // stops at epoch 1
            assertEquals(1, es.stoppedEpoch());
            assertEquals("Epoch 2: early stopping\n", b.toString(StandardCharsets.UTF_8).replace("\r\n", "\n"));
            run(es, m, -1, 2, 1);   // a new fit starts again from 0
            assertEquals(0, es.stoppedEpoch());
        } finally {
            System.setOut(out);
        }
    }

    @Test
    void fitThatRunsToItsLastEpochEndsOnTheBestWeights() {
        dev.jrnn.Jrnn.setBackend("cpu");
        dev.jrnn.Jrnn.setSeed(5);
        Sequential m = model();
        Tensor x = Tensor.of(new float[] {1, 2, -1, 0.5f, 0, 1, 2, -2}, 4, 2), y = Tensor.of(new float[] {1, 0, 0.5f, -1}, 4, 1);
        List<float[]> kernels = new ArrayList<>();
        Callback jump = new Callback() {
            @Override
            public void onEpochBegin(int epoch, Model model) {
                if (epoch == 3) model.optimizer().learningRate(50f);   // epochs 3 and 4 diverge: epoch 2 is the best
            }

            @Override
            public void onEpochEnd(int epoch, Map<String, Double> logs, Model model) {
                kernels.add(model.getWeights().get(0).toArray());
            }
        };
        EarlyStopping es = new EarlyStopping().monitor("loss").patience(10).restoreBestWeights(true);
        History h = m.fit(x, y, new FitOptions().epochs(5).batchSize(4).verbose(0).shuffle(false).callbacks(jump, es));
        assertEquals(5, h.size());
        assertEquals(0, es.stoppedEpoch());
        int best = 0;
        for (int e = 1; e < 5; e++) if (h.get("loss").get(e) < h.get("loss").get(best)) best = e;
        assertEquals(best, es.bestEpoch());
        org.junit.jupiter.api.Assertions.assertArrayEquals(kernels.get(best), m.getWeights().get(0).toArray());
        org.junit.jupiter.api.Assertions.assertFalse(java.util.Arrays.equals(kernels.get(4), kernels.get(best)));
    }

    @Test
    void autoModeAsksTheMonitoredMetricAsKeras3() {
        // precision is maximised (Keras' _direction "up"); the name says nothing of "acc"
        Sequential m = new Sequential(new Dense(1).inputShape(2));
        m.compile(new SGD(0.1), "mse", "precision", "mae");
        EarlyStopping es = new EarlyStopping().monitor("val_precision").patience(1);
        assertEquals(4, runOn("val_precision", es, m, 0.5, 0.6, 0.7, 0.65, 0.6));
        assertEquals(2, es.bestEpoch());
        // an error is minimised
        es = new EarlyStopping().monitor("val_mae").patience(1);
        assertEquals(3, runOn("val_mae", es, m, 0.5, 0.4, 0.45, 0.3));
        assertEquals(1, es.bestEpoch());
        // and so is the reduction of the rate and the checkpoint's best (same rule)
        ReduceLROnPlateau plateau = new ReduceLROnPlateau().monitor("val_precision").patience(0).factor(0.5);
        plateau.onTrainBegin(m);
        plateau.onEpochEnd(0, new java.util.HashMap<>(Map.of("val_precision", 0.5)), m);
        plateau.onEpochEnd(1, new java.util.HashMap<>(Map.of("val_precision", 0.6)), m);
        assertEquals(0.1f, m.optimizer().learningRate(), "a higher precision is an improvement: no reduction");
    }

    /**
     * The lines of {@code kind} ("ES", "RL") of monitor_rules.txt: Keras 3's EarlyStopping and ReduceLROnPlateau run on
     * random scripted sequences by a transcription of its sources (resources dev/jrnn/model/monitor_rules.py), as
     * {settings and values, expected}.
     */
    static List<String[]> kerasMonitorRules(String kind) throws java.io.IOException {
        List<String[]> r = new ArrayList<>();
        try (java.io.InputStream in = EarlyStoppingTest.class.getResourceAsStream("/dev/jrnn/model/monitor_rules.txt")) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.startsWith(kind + " ")) r.add(line.split(" \\| "));
            }
        }
        return r;
    }

    /** {@code "0.5,0.4"} as numbers. */
    static double[] numbers(String csv) {
        return java.util.Arrays.stream(csv.split(",")).mapToDouble(Double::parseDouble).toArray();
    }

    /**
     * Keras 3's rules on 120 scripted sequences (ties, minDelta, baselines, startFromEpoch, restoring or not), against a
     * transcription of early_stopping.py and monitor_callback.py: the epochs fit runs and the epoch whose weights come back
     * (none when no epoch was monitored).
     */
    @Test
    void kerasRulesOnScriptedSequences() throws java.io.IOException {
        Sequential m = model();
        List<String[]> cases = kerasMonitorRules("ES");
        assertEquals(120, cases.size());
        for (String[] c : cases) {
            String[] a = c[0].split(" ");
            String[] want = c[1].split(" ");
            boolean restore = Boolean.parseBoolean(a[5]);
            EarlyStopping es = new EarlyStopping().mode(a[1]).patience(Integer.parseInt(a[2])).minDelta(Double.parseDouble(a[3]))
                    .restoreBestWeights(restore).startFromEpoch(Integer.parseInt(a[6]));
            if (!a[4].equals("None")) es.baseline(Double.parseDouble(a[4]));
            int trained = run(es, m, -1, numbers(a[7]));
            assertEquals(Integer.parseInt(want[0]), trained, c[0]);
            // without a restore the weights stay those of the last epoch run
            int restored = want[1].equals("None") ? trained - 1 : Integer.parseInt(want[1]);
            assertEquals(restored, weightsEpoch(m), c[0]);
        }
    }

    /** As {@link #run} with the values logged under {@code key}. */
    private static int runOn(String key, EarlyStopping es, Model m, double... values) {
        m.stopTraining(false);
        es.onTrainBegin(m);
        int trained = 0;
        for (int e = 0; e < values.length && !m.stopTraining(); e++) {
            trained++;
            es.onEpochEnd(e, Map.of(key, values[e]), m);
        }
        es.onTrainEnd(m);
        return trained;
    }
}
