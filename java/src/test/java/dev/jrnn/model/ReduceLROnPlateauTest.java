package dev.jrnn.model;

import dev.jrnn.layers.Dense;
import dev.jrnn.optim.Adam;
import dev.jrnn.optim.SGD;
import dev.jrnn.optim.schedules.ExponentialDecay;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Keras 3's ReduceLROnPlateau rules, fed a scripted sequence of epoch logs. */
class ReduceLROnPlateauTest {
    private static Sequential model(double lr) {
        Sequential m = new Sequential(new Dense(1).inputShape(2));
        m.compile(new SGD(lr), "mse");
        return m;
    }

    /** Feeds the values as successive epochs; returns the learning rate after each. */
    private static float[] run(ReduceLROnPlateau cb, Sequential m, String key, double... values) {
        cb.onTrainBegin(m);
        float[] lr = new float[values.length];
        for (int e = 0; e < values.length; e++) {
            cb.onEpochEnd(e, new java.util.HashMap<>(Map.of(key, values[e])), m);
            lr[e] = m.optimizer().learningRate();
        }
        return lr;
    }

    @Test
    void patienceFactorAndMinLr() {
        Sequential m = model(1.0);
        // improvements at epochs 0, 1; then flat: patience 2 reduces at epochs 3 and 5, then minLr 0.02 holds
        float[] lr = run(new ReduceLROnPlateau().monitor("loss").patience(2).factor(0.1).minLr(0.02), m, "loss",
                5, 4, 4, 4, 4, 4, 4, 4, 4);
        assertEquals(1f, lr[2]);
        assertEquals(0.1f, lr[3]);
        assertEquals(0.1f, lr[4]);
        assertEquals(0.02f, lr[5], 1e-9);
        assertEquals(0.02f, lr[8], 1e-9);
    }

    @Test
    void minDeltaAndCooldown() {
        Sequential m = model(1.0);
        // minDelta 0.1: 4.95 is no improvement on 5; patience 1 reduces at epoch 1. Keras counts the cooldown down
        // before comparing, so cooldown 2 holds epoch 2 and the wait resumes at epoch 3 (reduced again), 4 is held.
        float[] lr = run(new ReduceLROnPlateau().monitor("loss").patience(1).factor(0.5).minDelta(0.1).cooldown(2), m, "loss",
                5, 4.95, 4.95, 4.95, 4.95, 3);
        assertEquals(0.5f, lr[1]);
        assertEquals(0.5f, lr[2]);
        assertEquals(0.25f, lr[3]);
        assertEquals(0.25f, lr[4]);
        assertEquals(0.25f, lr[5]);
    }

    @Test
    void maxModeForAccuracy() {
        Sequential m = new Sequential(new Dense(1).inputShape(2));
        m.compile(new SGD(1.0), "mse", "accuracy");   // mode "auto" asks the metric logged as accuracy (Keras 3)
        float[] lr = run(new ReduceLROnPlateau().monitor("val_accuracy").patience(1).factor(0.5).minDelta(0), m, "val_accuracy",
                0.5, 0.6, 0.55, 0.7);
        assertEquals(1f, lr[1]);
        assertEquals(0.5f, lr[2]);
        assertEquals(0.5f, lr[3]);
    }

    @Test
    void missingValueChangesNothingAndBadSettingsAreRefused() {
        Sequential m = model(0.3);
        java.io.PrintStream err = System.err;
        try {
            System.setErr(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
            float[] lr = run(new ReduceLROnPlateau().patience(0), m, "loss", 1, 2, 3);   // monitors val_loss
            assertEquals(0.3f, lr[2]);
        } finally {
            System.setErr(err);
        }
        assertThrows(IllegalArgumentException.class, () -> new ReduceLROnPlateau().factor(1.0));
        assertThrows(IllegalArgumentException.class, () -> new ReduceLROnPlateau().mode("up"));
        assertThrows(IllegalArgumentException.class, () -> new ReduceLROnPlateau().minLr(-1));
        Sequential s = new Sequential(new Dense(1).inputShape(2));
        s.compile(new Adam(new ExponentialDecay(0.1, 10, 0.5)), "mse");
        assertThrows(IllegalStateException.class, () -> run(new ReduceLROnPlateau().monitor("loss").patience(0), s, "loss", 1, 2));
    }

    /**
     * Keras 3's rules on 120 scripted sequences (ties, minDelta, cooldown, minLr), against a transcription of
     * reduce_lr_on_plateau.py (resources dev/jrnn/model/monitor_rules.py): the float32 rate after each epoch.
     */
    @Test
    void kerasRulesOnScriptedSequences() throws java.io.IOException {
        java.util.List<String[]> cases = EarlyStoppingTest.kerasMonitorRules("RL");
        assertEquals(120, cases.size());
        for (String[] c : cases) {
            String[] a = c[0].split(" ");
            Sequential m = model(0.2);
            ReduceLROnPlateau cb = new ReduceLROnPlateau().monitor("loss").mode(a[1]).patience(Integer.parseInt(a[2]))
                    .minDelta(Double.parseDouble(a[3])).cooldown(Integer.parseInt(a[4])).factor(Double.parseDouble(a[5]))
                    .minLr(Double.parseDouble(a[6]));
            float[] lr = run(cb, m, "loss", EarlyStoppingTest.numbers(a[7]));
            double[] want = EarlyStoppingTest.numbers(c[1]);
            for (int e = 0; e < lr.length; e++) assertEquals(want[e], lr[e], c[0] + " epoch " + e);
        }
    }

    @Test
    void verbosePrintsKerasLineWithPythonsFloatRepr() {
        Sequential m = model(0.001);
        java.io.PrintStream out = System.out;
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        try {
            System.setOut(new java.io.PrintStream(b, true, java.nio.charset.StandardCharsets.UTF_8));
            run(new ReduceLROnPlateau().monitor("loss").patience(0).factor(0.5).minLr(3e-4).verbose(1), m, "loss", 1, 1, 1, 1);
        } finally {
            System.setOut(out);
        }
        // Keras: f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to {new_lr}." with the float32 rate
        // as a Python float. Epoch 1 is the first best; then 0.001 (float32) * 0.5, then min_lr 0.0003 wins (epoch 3)
        assertEquals("\nEpoch 2: ReduceLROnPlateau reducing learning rate to 0.0005000000237487257.\n"
                        + "\nEpoch 3: ReduceLROnPlateau reducing learning rate to 0.0003.\n",
                b.toString(java.nio.charset.StandardCharsets.UTF_8).replace("\r\n", "\n"));
    }

    @Test
    void aFitPrintsTheMessageToItsOutAndTheEpochLineAfterItWithTheRate() {
        Sequential m = model(0.001);
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        java.io.PrintStream out = System.out;
        java.io.ByteArrayOutputStream stray = new java.io.ByteArrayOutputStream();
        try {
            System.setOut(new java.io.PrintStream(stray, true, java.nio.charset.StandardCharsets.UTF_8));
            // min_delta 10 makes no epoch an improvement after the first: epoch 2 reduces the rate
            m.fit(dev.jrnn.tensor.Tensor.zeros(4, 2), dev.jrnn.tensor.Tensor.zeros(4, 1), new FitOptions().epochs(2).batchSize(4).verbose(2)
                    .out(new java.io.PrintStream(b, true, java.nio.charset.StandardCharsets.UTF_8))
                    .callbacks(new ReduceLROnPlateau().monitor("loss").patience(0).minDelta(10).factor(0.5).verbose(1)));
        } finally {
            System.setOut(out);
        }
        assertEquals("", stray.toString(java.nio.charset.StandardCharsets.UTF_8), "nothing goes to System.out when FitOptions.out is set");
        String[] lines = b.toString(java.nio.charset.StandardCharsets.UTF_8).replace("\r\n", "\n").split("\n");
        // Keras 3: the progress bar is the last callback, so the epoch's line follows the message and shows the rate
        assertEquals("Epoch 2/2", lines[2], String.join("|", lines));
        assertEquals("", lines[3]);
        assertEquals("Epoch 2: ReduceLROnPlateau reducing learning rate to 0.0005000000237487257.", lines[4]);
        // the epoch's rate before the reduction, as Keras logs it (float32 0.001 is above 1e-3: "%.4f")
        assertTrue(lines[5].startsWith("1/1 - ") && lines[5].contains(" - loss: 0.0000e+00 - learning_rate: 0.0010 - "), lines[5]);
        assertTrue(lines[1].contains(" - loss: 0.0000e+00 - learning_rate: 0.0010 - "), lines[1]);
    }
}
